"""A training run as the interactive page: the player of ``render/html.py`` with a
training card above it.

The card (``static/train.js``, ``static/train.css``) holds the loss curve with a
marker at the chosen recorded step, a scrubber over the recorded steps, the
network with each edge drawn by its weight at that step (thickness: magnitude,
colour: sign), and a button that explains that step: the page reloads with
``?train-step=i`` and the player shows the worked solution of the problem with
the parameters of recorded step ``i``.  Those solutions are embedded (gzipped)
for every recorded step while they fit in ``TRACE_BUDGET``; otherwise for an
evenly spread selection, always with the first and last.

What the page holds besides the player's payload (plain JSON):

- ``#handprop-train``: ``{steps, every, recorded_steps, loss, log, hidden_deltas, note,
  explained: [recorded index...], network: {columns: [[{name, more}]], edges: [{name, from:
  [column, row], to: [column, row]}], values: {weight: [value at each recorded step]}}}``;
- ``#handprop-train-traces``: ``{recorded index: {"trace", "sections", "doc"}}`` (that step's
  part of the player's payload), gzip + base64.

A pure function of the :class:`~handprop.training.history.History`.
"""
from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

from ..expr.numbers import fmt_number
from .history import UPDATED_NOTE, History

STATIC = Path(__file__).resolve().parents[1] / "render" / "page" / "static"
TRACE_BUDGET = 24_000_000     # bytes of trace JSON embedded for the recorded steps
MAX_EXPLAINED = 201           # recorded steps explained at most (each is a derivation)
SHOWN_UNITS = 12              # units drawn a column in the training card's network
START_MARKER = "<script>handprop.start();</script>"


def explained_indices(count: int, trace_size: int) -> list[int]:
    """Recorded indices whose worked solution is embedded: all, or an even spread."""
    fits = max(1, min(MAX_EXPLAINED, TRACE_BUDGET // max(trace_size, 1)))
    if count <= fits:
        return list(range(count))
    if fits == 1:
        return [0]
    return sorted({round(i * (count - 1) / (fits - 1)) for i in range(fits)})


def _shown(units: tuple[str, ...]) -> list[dict[str, Any]]:
    if len(units) <= SHOWN_UNITS:
        return [{"name": u} for u in units]
    head = [{"name": u} for u in units[:SHOWN_UNITS - 1]]
    return head + [{"name": units[-1], "more": len(units) - SHOWN_UNITS}]


def network(history: History) -> dict[str, Any]:
    """The drawn part of the network and each drawn weight's value at every recorded step."""
    p = history.problem
    columns = [_shown(p.inputs)] + [_shown(layer.units) for layer in p.layers]
    where = {cell["name"]: (c, r) for c, column in enumerate(columns) for r, cell in enumerate(column)}
    edges, values = [], {}
    for w in p.weights:
        if w.src in where and w.dst in where:
            edges.append({"name": w.name, "from": list(where[w.src]), "to": list(where[w.dst])})
            values[w.name] = list(history.parameters[w.name])
    return {"columns": columns, "edges": edges, "values": values}


def training_data(history: History, explained: list[int]) -> dict[str, Any]:
    from .plot import spans_decades
    return {
        "title": history.problem.title or history.problem.name,
        "steps": history.steps, "every": history.every,
        "recorded_steps": list(history.recorded_steps), "loss": list(history.loss),
        "log": spans_decades(history.loss), "loss_name": history.problem.loss,
        "hidden_deltas": history.hidden_deltas,
        "note": UPDATED_NOTE if history.hidden_deltas == "updated" else "",
        "explained": explained, "network": network(history),
    }


def _script(element_id: str, text: str, encoding: str | None = None) -> str:
    """A JSON data element (``text`` already safe inside a script element)."""
    attr = f' data-encoding="{encoding}"' if encoding else ""
    return f'<script type="application/json" id="{element_id}"{attr}>{text}</script>\n'


def _part(whole: dict[str, Any]) -> dict[str, Any]:
    """What a recorded step's page changes of the player's payload: trace, sections, tables."""
    return {"trace": whole["trace"], "sections": whole["sections"], "doc": whole["doc"]}


def render(history: History, digits: int | None = None) -> str:
    """The page of ``history`` (needs KaTeX, as every page does)."""
    from ..render.page.html import render as page
    from ..render.page.html import script_json
    from ..render.page.payload import payload
    from ..solve import explain

    first = explain(history.problem_at(0), digits=digits or 6)
    size = len(first.dumps(indent=False))
    explained = explained_indices(len(history.recorded_steps), size)
    traces = {0: first}
    for i in explained[1:]:
        traces[i] = explain(history.problem_at(i), digits=digits or 6)
    lead = [f"Training: {history.steps_words} of {history.method}; the loss goes from "
            f"{fmt_number(history.loss[0], 9)} to {fmt_number(history.loss[-1], 9)}.",
            "The player explains recorded step 0. Choose another step in the training card and press "
            "Explain to see its worked solution."]
    if history.optimizer.carried:
        lead.append(f"Optimizer: {history.optimizer_words}. A recorded step's worked solution starts "
                    f"{history.optimizer.title} afresh there (its state at 0): its update is a first "
                    "step, not the run's.")
    if history.hidden_deltas == "updated":
        lead.append("Note: " + UPDATED_NOTE)
    extras = {"lead": lead,
              "series": [{"title": f"Loss over {history.steps_words}", "x_label": "step",
                          "y_label": history.problem.loss, "x": list(history.recorded_steps),
                          "y": list(history.loss)}]}
    html = page(first, digits, extras)
    blob = json.dumps({str(i): _part(payload(t, digits)) for i, t in traces.items() if i},
                      separators=(",", ":"), allow_nan=False)
    packed = base64.b64encode(gzip.compress(blob.encode("utf-8"), 6, mtime=0)).decode("ascii")
    css = (STATIC / "train.css").read_text(encoding="utf-8")
    js = (STATIC / "train.js").read_text(encoding="utf-8")
    data = script_json(training_data(history, explained))
    head_extra = f"<style>{css}</style>\n"
    body_extra = (_script("handprop-train", data) + _script("handprop-train-traces", packed, "gzip+base64")
                  + f"<script>{js}</script>\n")
    if START_MARKER not in html or "</head>" not in html:
        raise RuntimeError("the page template changed: train_html cannot place the training card")
    html = html.replace("</head>", head_extra + "</head>", 1)
    return html.replace(START_MARKER, body_extra + START_MARKER, 1)
