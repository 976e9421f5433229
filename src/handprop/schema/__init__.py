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

__all__ = ["FILE", "trace_schema", "optimizer_schema", "write"]

FILE = Path(__file__).parent / "trace.schema.json"
TEMPLATE = Path(__file__).parent / "trace.template.json"


def trace_schema() -> dict[str, Any]:
    """The JSON Schema of ``handprop.trace/1`` documents."""
    schema = copy.deepcopy(json.loads(TEMPLATE.read_text(encoding="utf-8")))
    problem = schema["$defs"]["problem"]["properties"]
    problem["loss"]["enum"] = list(LOSSES)
    problem["optimizer"] = optimizer_schema()
    layer = problem["layers"]["items"]["properties"]
    layer["activation"]["enum"] = list(ACTIVATIONS)
    for entry in ACTIVATIONS.values():
        for param in entry.params:
            layer[param.name] = {"type": "number", "description": f"{entry.name}: {param.meaning}"}
    return schema


def optimizer_schema() -> dict[str, Any]:
    """The ``optimizer`` field: a name (every setting at its default) or a mapping of the name
    and settings, each optimizer's own (from its entry: names, ranges, defaults)."""
    mappings = []
    for entry in OPTIMIZERS.values():
        props: dict[str, Any] = {"name": {"const": entry.name}}
        for h in entry.hypers:
            if h.kind == "bool":
                props[h.name] = {"type": "boolean", "default": h.default, "description": h.meaning}
                continue
            prop: dict[str, Any] = {"type": "number", "default": h.default,
                                    "description": f"{h.text or h.name}: {h.meaning}; in {h.range_text}"}
            prop["exclusiveMinimum" if h.low_open else "minimum"] = h.low
            if h.high != float("inf"):
                prop["exclusiveMaximum" if h.high_open else "maximum"] = h.high
            props[h.name] = prop
        mappings.append({"type": "object", "title": entry.title, "required": ["name"],
                         "properties": props, "additionalProperties": False})
    return {"description": "The optimizer (torch.optim's definitions, docs/optimizers.md): its name "
                           "with every setting at its default, or a mapping of name and settings. "
                           "Left out for plain sgd.",
            "oneOf": [{"enum": list(OPTIMIZERS)}, *mappings]}


def write(path: Path = FILE) -> None:
    path.write_text(json.dumps(trace_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
