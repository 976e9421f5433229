"""A training run as JSON: full float64, every recorded step.

    {"steps": N, "every": K, "optimizer": {"name": "adam", "beta1": 0.9, ...},
     "loss": [...], "recorded_steps": [...], "parameters": {"w1": [...], ...},
     "final": {"loss": ..., "outputs": {...}, "parameters": {...},
               "state": {"m": {"w1": ...}, "v": {...}}}, ...}

``final.state`` holds the optimizer's carried states after the last step (ids as
``docs/optimizers.md``: ``velocity``, ``m``, ``v``), for every updated parameter;
empty for plain SGD.

Outputs and targets are keyed by unit name, with ``[k]`` (sample k, from 1)
when there are several samples, as the quantity ids of docs/quantities.md.
"""
from __future__ import annotations

import json
from typing import Any

from ..quantities import suffix
from .history import UPDATED_NOTE, History

SCHEMA = "handprop.train/1"


def by_output(history: History, rows: tuple[tuple[float, ...], ...]) -> dict[str, float]:
    p = history.problem
    out = {}
    for k, values in enumerate(rows):
        sfx = suffix(p.sample_of(k))
        for u, v in zip(p.outputs, values):
            out[f"{u}{sfx}"] = v
    return out


def document(history: History) -> dict[str, Any]:
    """The run as plain data (the JSON format's content)."""
    p = history.problem
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "problem": p.name,
        "steps": history.steps,
        "every": history.every,
        "hidden_deltas": history.hidden_deltas,
        "engine": history.engine,
        "optimizer": p.optimizer_settings.as_dict(),
        "loss": list(history.loss),
        "recorded_steps": list(history.recorded_steps),
        "parameters": history.parameters.lists(),
        "initial": {"loss": history.loss[0], "outputs": by_output(history, history.initial_outputs)},
        "final": {"loss": history.loss[-1], "outputs": by_output(history, history.outputs),
                  "parameters": history.final_params,
                  "state": {sid: dict(values) for sid, values in (history.state or {}).items()}},
        "targets": by_output(history, tuple(s.targets for s in p.samples)),
    }
    if history.hidden_deltas == "updated":
        doc["note"] = UPDATED_NOTE
    return doc


def render(history: History, digits: int | None = None) -> str:
    """One field a line, each field's value compact (long runs stay small)."""
    fields = [f" {json.dumps(key)}: {json.dumps(value, allow_nan=False)}"
              for key, value in document(history).items()]
    return "{\n" + ",\n".join(fields) + "\n}\n"
