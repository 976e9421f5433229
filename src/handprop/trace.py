"""Step and Trace: plain, frozen, JSON-serialisable data.

The trace is the one thing renderers and the browser player read.  Steps are
recorded in the order a person writes them, with stable ids (DESIGN.md), and
never overwritten.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = "handprop.trace/1"
SCHEMA_FILE = Path(__file__).parent / "schema" / "trace.schema.json"
PHASES = ("forward", "loss", "backward", "update")


@dataclass(frozen=True, slots=True)
class Focus:
    """What a step concerns: unit (and bias) names, and weight names."""

    nodes: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Term:
    """One labelled factor of a chain rule, e.g. A = dE/dout_Y1 = 0.7469."""

    label: str          # "A", "B", "C", "D", "B′", "A1" ...
    latex: str          # the factor's symbol
    text: str
    value: float
    ref: str | None     # id of the step that computed it; None for a weight or an input
    question: str       # the question this factor answers


@dataclass(frozen=True, slots=True)
class Form:
    """Another way to write the same step (the sum over paths, the delta form)."""

    kind: str           # "paths" | "delta" | "chain"
    title: str
    latex: str
    text: str
    substituted_latex: str
    substituted: str


@dataclass(frozen=True, slots=True)
class Step:
    """One calculation as written on paper.

    ``latex``/``text`` are the general formula (``lhs = rhs``); ``substituted``
    is the same right-hand side with the numbers put in, its worked
    intermediate line when there is one, and the value, joined by `` = ``.
    """

    id: str
    phase: str
    title: str
    latex: str
    text: str
    substituted_latex: str
    substituted: str
    value: float
    uses: tuple[str, ...]
    focus: Focus
    note: str
    terms: tuple[Term, ...] = ()
    forms: tuple[Form, ...] = ()
    sample: int | None = None     # 1-based sample number; None for combined quantities
    layer: int | None = None      # 0-based layer index of the unit or weight's target

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "phase": self.phase, "title": self.title, "latex": self.latex,
            "text": self.text, "substituted_latex": self.substituted_latex,
            "substituted": self.substituted, "value": self.value, "uses": list(self.uses),
            "focus": {"nodes": list(self.focus.nodes), "edges": list(self.focus.edges)},
            "note": self.note,
            "terms": [{"label": t.label, "latex": t.latex, "text": t.text, "value": t.value,
                       "ref": t.ref, "question": t.question} for t in self.terms],
            "forms": [{"kind": f.kind, "title": f.title, "latex": f.latex, "text": f.text,
                       "substituted_latex": f.substituted_latex, "substituted": f.substituted}
                      for f in self.forms],
            "sample": self.sample, "layer": self.layer,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Step":
        return cls(
            id=d["id"], phase=d["phase"], title=d["title"], latex=d["latex"], text=d["text"],
            substituted_latex=d["substituted_latex"], substituted=d["substituted"],
            value=d["value"], uses=tuple(d["uses"]),
            focus=Focus(tuple(d["focus"]["nodes"]), tuple(d["focus"]["edges"])),
            note=d["note"], terms=tuple(Term(**t) for t in d.get("terms", ())),
            forms=tuple(Form(**f) for f in d.get("forms", ())),
            sample=d.get("sample"), layer=d.get("layer"),
        )


@dataclass(frozen=True)
class Trace:
    """A whole worked solution: the problem, every value, every step."""

    problem: dict[str, Any]             # the normalised problem (explicit form)
    values: dict[str, float]            # every quantity id -> exact float64
    steps: tuple[Step, ...]
    warnings: tuple[str, ...] = ()
    digits: int = 6                     # precision of the numbers shown in the strings
    hand_values: dict[str, float] | None = None
    rounding: dict[str, Any] | None = None   # {"mode": "round"|"sig", "places": N}
    name: str = ""

    def step(self, step_id: str) -> Step:
        return self.index[step_id]

    @property
    def index(self) -> dict[str, Step]:
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {s.id: s for s in self.steps}
            object.__setattr__(self, "_index", cached)
        return cached

    def _document(self, steps: Any) -> dict[str, Any]:
        """The JSON document of DESIGN.md around ``steps`` (dicts, or Steps for orjson)."""
        doc: dict[str, Any] = {"schema": SCHEMA, "name": self.name, "problem": self.problem,
                               "values": self.values, "steps": steps,
                               "warnings": list(self.warnings), "digits": self.digits}
        if self.hand_values is not None:
            doc["hand_values"] = self.hand_values
            doc["rounding"] = self.rounding
        return doc

    def to_json(self) -> dict[str, Any]:
        return self._document([s.to_json() for s in self.steps])

    def dumps(self, indent: bool = True) -> str:
        """JSON text (orjson: dataclasses are encoded directly, so large traces stay fast).

        Small traces are indented for people to read; large ones are compact.
        """
        return self.dump_bytes(indent).decode("utf-8")

    def dump_bytes(self, indent: bool = True, newline: bool = False) -> bytes:
        """:meth:`dumps` as UTF-8 bytes, ready to write (no decode/encode of a large text)."""
        import orjson

        doc = self._document(self.steps)   # orjson encodes the Step dataclasses directly
        option = orjson.OPT_INDENT_2 if indent and len(self.steps) <= 2000 else 0
        if newline:
            option |= orjson.OPT_APPEND_NEWLINE
        return orjson.dumps(doc, option=option)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Trace":
        if d.get("schema") != SCHEMA:
            raise ValueError(f"not a handprop trace (schema {d.get('schema')!r}, expected {SCHEMA!r})")
        return cls(problem=d["problem"], values=dict(d["values"]),
                   steps=tuple(Step.from_json(s) for s in d["steps"]),
                   warnings=tuple(d.get("warnings", ())), digits=d.get("digits", 6),
                   hand_values=d.get("hand_values"), rounding=d.get("rounding"),
                   name=d.get("name", ""))

    def _repr_html_(self) -> str:   # the player in Jupyter (the page issue)
        from .render.page.html import notebook_html
        return notebook_html(self)


def schema() -> dict[str, Any]:
    """The published JSON Schema of the trace."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


__all__ = ["SCHEMA", "PHASES", "Focus", "Term", "Form", "Step", "Trace", "schema", "field"]
