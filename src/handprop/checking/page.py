"""``handprop check --format html``: the interactive page with the claims marked on their steps.

A pure function of the check report: the page of :mod:`handprop.render.page.html`
for the report's trace, with ``extras["claims"]`` (each claimed step's
verdict, the number claimed and the explanation, shown as a badge in the step
list and in the formula panel) and ``extras["lead"]`` (the summary, and the
names that matched no step).

The checker's own quantities have no step of their own in the trace: a claim about the
change of a parameter (``change:w5``, Δw5) is shown on the step of its update
(``new:w5``), one about a forward quantity after the update (``new:out:Y1``) on the step of
the loss after the update (``new:E:total``); the explanation names what was claimed.
"""
from __future__ import annotations

from typing import Any

from ..quantities import AFTER, before_of, parse
from .report import summary

SEVERITY = {"correct": 0, "rounding": 1, "carried": 2, "wrong": 3}


def extras(report) -> dict[str, Any]:
    """The claims by step id; several claims of one step (in different parts) are shown together,
    under the most serious verdict."""
    claims: dict[str, dict[str, Any]] = {}
    unknown = []
    steps = report.trace.index
    for v in report.verdicts:
        where = step_of(v.qid, steps) if v.qid is not None else None
        if where is None:
            unknown.append(f"{v.claim.name} = {v.claim.text} (line {v.claim.line}): {v.explanation}")
            continue
        text = f"{v.claim.name} = {v.claim.text}: {v.explanation}"
        entry = claims.get(where)
        if entry is None:
            claims[where] = {"verdict": v.verdict, "claimed": float(v.claim.value), "explanation": text}
            continue
        if SEVERITY[v.verdict] > SEVERITY[entry["verdict"]]:
            entry["verdict"] = v.verdict
        entry["claimed"] = f"{_shown(entry['claimed'])}; {v.claim.text}"
        entry["explanation"] += f" | {text}"
    lead = [f"Checking {report.source}: {summary(report)}"]
    lead += [f"Not matched to a step: {u}" for u in unknown]
    return {"claims": claims, "lead": lead}


def step_of(qid: str, steps) -> str | None:
    """The step of the page a claim about ``qid`` is shown on (see the module's docstring)."""
    if qid in steps:
        return qid
    s = parse(qid)
    if s is None:
        return None
    if s.kind == "change":
        home = f"new:{s.name}"
        return home if home in steps else None
    if before_of(qid) is not None and AFTER in steps:
        return AFTER
    return None


def _shown(claimed) -> str:
    return claimed if isinstance(claimed, str) else format(claimed, "g")


def render(report, digits: int | None = None) -> str:
    from ..render.page.html import render as page
    return page(report.trace, digits, extras(report))
