"""The JSON Schema of the trace, built from the tables and published as ``trace.schema.json``.

The names of activations, losses and optimizers (and an activation's
parameters) come from their entries in :mod:`handprop.nn`, so the schema never
lags behind them; the published file is this schema written out (a test keeps
them equal; ``python -m handprop.schema`` writes it).
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from ..nn import ACTIVATIONS, LOSSES, OPTIMIZERS

__all__ = ["FILE", "trace_schema", "write"]

FILE = Path(__file__).parent / "trace.schema.json"
TEMPLATE = Path(__file__).parent / "trace.template.json"


def trace_schema() -> dict[str, Any]:
    """The JSON Schema of ``handprop.trace/1`` documents."""
    schema = copy.deepcopy(json.loads(TEMPLATE.read_text(encoding="utf-8")))
    problem = schema["$defs"]["problem"]["properties"]
    problem["loss"]["enum"] = list(LOSSES)
    problem["optimizer"]["enum"] = list(OPTIMIZERS)
    layer = problem["layers"]["items"]["properties"]
    layer["activation"]["enum"] = list(ACTIVATIONS)
    for entry in ACTIVATIONS.values():
        for param in entry.params:
            layer[param.name] = {"type": "number", "description": f"{entry.name}: {param.meaning}"}
    return schema


def write(path: Path = FILE) -> None:
    path.write_text(json.dumps(trace_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
