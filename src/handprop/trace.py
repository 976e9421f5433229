"""Step and Trace: plain, frozen data, JSON in and out.

The trace is the one thing renderers and the browser player read.  Steps are
recorded in the order a person writes them, with stable ids
(:mod:`handprop.quantities`), and never overwritten.

A step's working is a *chain of equalities*, a tuple of expression trees, never
a joined string: the quantity's symbol, its general formula(s), then (from index
``numbers`` on, written with the numbers substituted) the formula, the worked
intermediate line, the value.  How a member is written is the printers' choice
(:meth:`Trace.chain` prints a step's chain in one notation: ``text``,
``latex``, ``typst``).  A step also carries its :class:`~handprop.quantities.Subject`
(kind, unit or parameter, sample) as data, so no reader parses an id.

The JSON document (schema ``handprop.trace/1``, published as
``schema/trace.schema.json``) holds, for each step, the chain as lists
(``chain.latex``, ``chain.text``, ``chain.numbers``: the index of the first
member with numbers) and, for readers of the first version, the same joined
(``latex``/``text``: the general formula, ``substituted``: the numbers).  A trace read back from JSON keeps its chains as the text it holds
(:class:`~handprop.expr.nodes.Written`) and can be written in those notations only.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator, Mapping

from .errors import UsageError
from .expr.nodes import Expr, Written
from .expr.printers import PRINTERS
from .quantities import ETA, STEP, Subject, key, parse, plain, pretty, qid
from .runtime import paused_gc

SCHEMA = "handprop.trace/1"
SCHEMA_FILE = Path(__file__).parent / "schema" / "trace.schema.json"
"""The published schema (``python -m handprop.schema`` writes it from the tables)."""
PHASES = ("forward", "loss", "backward", "update")
NOTATIONS = ("text", "latex", "typst")

__all__ = ["SCHEMA", "SCHEMA_FILE", "PHASES", "NOTATIONS", "Focus", "Term", "Form",
           "Step", "Trace", "schema", "given_values", "update_values"]


MAX_DIGITS = 17
"""Significant figures a float64 holds (and the most a number is shown with)."""


def check_digits(digits: Any, who: str) -> int:
    """``digits`` when it is a whole number of significant figures from 1 to 17."""
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= MAX_DIGITS:
        raise UsageError(f"must be a whole number from 1 to {MAX_DIGITS}, not {digits!r}",
                         "digits", who)
    return digits


@dataclass(frozen=True, slots=True)
class Focus:
    """What a step concerns: unit (and bias) names, and weight names."""

    nodes: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Term:
    """One labelled factor of a chain rule, e.g. A = ∂E/∂out_Y1 = 0.7469."""

    label: str          # "A", "B", "C", "D", "B′", "A1" ...
    symbol: Expr        # the factor's symbol
    value: float
    ref: str | None     # id of the step that computed it; None for a weight or an input
    question: str       # the question this factor answers


@dataclass(frozen=True, slots=True)
class Form:
    """Another way to write the same step (the sum over paths, the delta form)."""

    kind: str           # "paths" | "delta" | "jacobian" (an entry off the diagonal) | "simplified"
    title: str
    chain: tuple[Expr, ...]
    numbers: int        # chain[numbers:] is written with the numbers
    value: float


@dataclass(frozen=True, slots=True)
class Step:
    """One calculation as written on paper (see the module docstring)."""

    id: str
    phase: str
    subject: Subject
    title: str
    chain: tuple[Expr, ...]
    numbers: int                  # chain[numbers:] is written with the numbers substituted
    value: float
    uses: tuple[str, ...]
    focus: Focus
    note: str
    terms: tuple[Term, ...] = ()
    forms: tuple[Form, ...] = ()
    layer: int | None = None      # 0-based layer index of the unit or weight's target

    @property
    def sample(self) -> int | None:
        """The 1-based sample of a per-sample quantity; None for one sample or a combined one."""
        return self.subject.sample


def given_values(problem: Mapping[str, Any]) -> dict[str, float]:
    """The numbers a problem gives, by key (``param:P``, ``in:X[k]``, ``target:U[k]``, ``eta``),
    from the problem's explicit form (as the trace holds it)."""
    env: dict[str, float] = {ETA: problem["learning_rate"]}
    for name, (_, _, value) in problem["weights"].items():
        env[qid("param", name)] = value
    for name, (_, value) in problem["biases"].items():
        env[qid("param", name)] = value
    samples = problem["samples"]
    multi = len(samples) > 1
    outputs = problem["layers"][-1]["units"]
    for k, s in enumerate(samples, start=1):
        n = k if multi else None
        for x, v in zip(problem["inputs"], s["inputs"]):
            env[qid("in", x, n)] = v
        for u, t in zip(outputs, s["targets"]):
            env[qid("target", u, n)] = t
    return env


def update_values(update: Mapping[str, Any] | None) -> dict[str, float]:
    """The numbers an update with state gives its formulas (``t``, ``hyper:beta1``,
    ``state:m:w5`` …), from a trace's ``update`` (nothing for None)."""
    if not update:
        return {}
    env: dict[str, float] = {STEP: update["t"]}
    for name, value in update.get("settings", {}).items():
        env[key("hyper", name)] = value
    for quantity, value in update.get("state", {}).items():
        env[key("state", quantity)] = value
    return env


_SYMBOLIC: dict[tuple, dict] = {}
"""The symbolic members of chains, written in two notations, by printers and formula: they
depend on the formula alone (never on a trace's numbers), and a structure's formulas recur
from trace to trace (the server's requests)."""


@dataclass(frozen=True)
class Trace:
    """A whole worked solution: the problem, every value, every step."""

    problem: dict[str, Any]             # the normalised problem (explicit form)
    values: dict[str, float]            # every quantity id -> exact float64
    steps: tuple[Step, ...]
    warnings: tuple[str, ...] = ()
    digits: int = 6                     # precision of the numbers the JSON's strings show
    hand_values: dict[str, float] | None = None
    rounding: dict[str, Any] | None = None   # {"mode": "round"|"sig", "places": N}
    name: str = ""
    update: dict[str, Any] | None = None
    """Which update this trace explains, when it is not the first of plain gradient descent:
    ``{"t": T, "optimizer": name, "settings": {setting: value}, "state": {id: value}}``, the
    step count, the optimizer, its settings (``beta1`` …) and its state before the step
    (``m:w5`` …: the values written ``state:m:w5`` in formulas)."""

    def step(self, step_id: str) -> Step:
        return self.index[step_id]

    def named(self, ascii: bool = False) -> dict[str, str]:
        """Every value's id with the name people read beside it, in the trace's order:
        ``{"out:H1": "out_H1", "grad:w5": "∂E/∂w5", "new:w5": "w5⁺", ...}``; with ``ascii``, as
        people type them (``dE/dw5``, ``w5_new``).  The names are those of
        :func:`handprop.quantities.pretty` and :func:`~handprop.quantities.plain`, which the
        checker also reads."""
        name = plain if ascii else pretty
        return {q: name(q) for q in self.values}

    @property
    def index(self) -> dict[str, Step]:
        return self._cached("index", lambda: {s.id: s for s in self.steps})

    @property
    def env(self) -> dict[str, float]:
        """Every number a formula may name: the given numbers and every quantity."""
        return self._cached("env", lambda: {**given_values(self.problem), **update_values(self.update),
                                            **self.values})

    @property
    def written_env(self) -> dict[str, float]:
        """The numbers a chain is written with: :attr:`env`, or where the trace was worked by
        hand, the hand values (the working a person writes)."""
        if self.hand_values is None:
            return self.env
        return self._cached("written_env", lambda: {**self.env, **self.hand_values})

    def _cached(self, key: str, make):
        store = self.__dict__.setdefault("_memo", {})
        found = store.get(key)
        if found is None:
            found = store[key] = make()
        return found

    # -- writing chains

    def printer(self, notation: str, numbers: bool, digits: int | None = None):
        """The printer of ``notation`` (symbols, or numbers from this trace), ``digits`` shown."""
        if digits is not None:
            check_digits(digits, "digits")
        key = (notation, numbers, digits or self.digits)
        store = self.__dict__.get("_printers")
        if store is None:
            store = self.__dict__["_printers"] = {}
        found = store.get(key)
        if found is None:
            if notation not in PRINTERS:
                raise UsageError(f"unknown notation {notation!r} (notations: {', '.join(PRINTERS)})")
            found = store[key] = PRINTERS[notation](self.written_env if numbers else None, key[2])
            if numbers and self.rounding:
                found.number = _padding(found.plain_number, self.rounding)
        return found

    def write(self, expr: Expr, notation: str, digits: int | None = None, numbers: bool = False) -> str:
        """A formula in ``notation``, with its symbols (or, ``numbers``, the trace's numbers)."""
        try:
            return self.printer(notation, numbers, digits)(expr)
        except ValueError as err:       # a formula read back from JSON in other notations
            raise UsageError(str(err)) from None

    def members(self, item: "Step | Form", notations: tuple[str, ...], digits: int | None = None
                ) -> tuple[dict[str, list[str]], int]:
        """A step's (or form's) chain written in each of ``notations``, and the index of its first
        member with numbers.  A member that reads as the one before it in every notation is
        written once, so the lists of every notation stay the same length."""
        if len(notations) == 2:
            return self._two(item, notations, digits)
        printers = [(self.printer(n, False, digits), self.printer(n, True, digits)) for n in notations]
        lists: list[list[str]] = [[] for _ in notations]
        at = item.numbers
        numbers_at = None
        try:
            for i, expr in enumerate(item.chain):
                numbers = i >= at
                texts = [pair[numbers].member(expr) for pair in printers]
                if numbers and numbers_at is None:
                    numbers_at = len(lists[0])
                elif lists[0] and all(text == lst[-1] for text, lst in zip(texts, lists)):
                    continue
                for text, lst in zip(texts, lists):
                    lst.append(text)
        except ValueError as err:
            raise UsageError(str(err)) from None
        return dict(zip(notations, lists)), len(lists[0]) if numbers_at is None else numbers_at

    def _two(self, item, notations, digits):
        """:meth:`members` for two notations, unrolled (the JSON and the page write two)."""
        a, b = notations
        found = self.__dict__.get("_pairs")
        if found is None or found[0] != (a, b, digits):
            found = self.__dict__["_pairs"] = ((a, b, digits), (
                self.printer(a, False, digits), self.printer(a, True, digits),
                self.printer(b, False, digits), self.printer(b, True, digits)))
        sa, na, sb, nb = found[1]
        la: list[str] = []
        lb: list[str] = []
        chain, at = item.chain, item.numbers
        pairs = _SYMBOLIC.setdefault((type(sa), type(sb), sa.digits), {})
        if len(pairs) > 200_000:
            pairs.clear()
        try:
            for expr in chain[:at]:
                found = pairs.get(expr)
                if found is None:
                    found = pairs[expr] = (sa.member(expr), sb.member(expr))
                ta, tb = found
                if not la or ta != la[-1] or tb != lb[-1]:
                    la.append(ta)
                    lb.append(tb)
            numbers_at = len(la)
            for i, expr in enumerate(chain[at:]):
                ta, tb = na.member(expr), nb.member(expr)
                if not i or ta != la[-1] or tb != lb[-1]:
                    la.append(ta)
                    lb.append(tb)
        except ValueError as err:
            raise UsageError(str(err)) from None
        return {a: la, b: lb}, numbers_at

    def chain(self, item: "Step | Form", notation: str, digits: int | None = None) -> list[str]:
        """The members of a step's (or form's) chain written in ``notation``; a member that
        reads as the one before it is written once."""
        lists, _ = self.members(item, (notation,), digits)
        written = lists[notation]
        return [m for i, m in enumerate(written) if not i or m != written[i - 1]]

    def split(self, item: "Step | Form", notation: str, digits: int | None = None) -> tuple[list[str], list[str]]:
        """(the members with symbols, the members with numbers), in ``notation``."""
        lists, at = self.members(item, (notation,), digits)
        return lists[notation][:at], lists[notation][at:]

    # -- JSON

    def to_json(self, digits: int | None = None) -> dict[str, Any]:
        memo: dict = {}
        with paused_gc():
            return self._document([self._step_json(s, digits, memo) for s in self.steps])

    def _document(self, steps: Any) -> dict[str, Any]:
        doc: dict[str, Any] = {"schema": SCHEMA, "name": self.name, "problem": self.problem,
                               "values": self.values, "steps": steps,
                               "warnings": list(self.warnings), "digits": self.digits}
        if self.update is not None:
            doc["update"] = self.update
        if self.hand_values is not None:
            doc["hand_values"] = self.hand_values
            doc["rounding"] = self.rounding
        return doc

    def _chain_lists(self, item: "Step | Form", digits: int | None) -> dict[str, Any]:
        lists, at = self.members(item, ("latex", "text"), digits)
        return {"latex": lists["latex"], "text": lists["text"], "numbers": at}

    def term_json(self, t: Term, digits: int | None, memo: dict | None = None) -> dict[str, Any]:
        """A chain-rule factor as JSON (``memo``: terms are shared by many steps; write each once)."""
        found = memo.get(id(t)) if memo is not None else None
        if found is None:
            found = {"label": t.label, "latex": self.write(t.symbol, "latex", digits),
                     "text": self.write(t.symbol, "text", digits), "value": t.value, "ref": t.ref,
                     "question": t.question}
            if memo is not None:
                memo[id(t)] = found
        return found

    def _step_json(self, s: Step, digits: int | None, memo: dict | None = None) -> dict[str, Any]:
        lists, at = self._two(s, ("latex", "text"), digits)
        latex, text = lists["latex"], lists["text"]
        subject = s.subject
        memo = {} if memo is None else memo
        return {
            "id": s.id, "phase": s.phase,
            "subject": {"kind": subject.kind, "name": subject.name, "sample": subject.sample},
            "title": s.title, "latex": " = ".join(latex[:at]), "text": " = ".join(text[:at]),
            "substituted": " = ".join(text[at:]),
            "chain": {"latex": latex, "text": text, "numbers": at},
            "value": s.value, "uses": list(s.uses),
            "focus": {"nodes": list(s.focus.nodes), "edges": list(s.focus.edges)}, "note": s.note,
            "terms": [memo.get(id(t)) or self.term_json(t, digits, memo) for t in s.terms],
            "forms": [{"kind": f.kind, "title": f.title, "value": f.value,
                       "chain": self._chain_lists(f, digits)} for f in s.forms] if s.forms else [],
            "sample": subject.sample, "layer": s.layer,
        }

    INDENTED_UP_TO = 2000
    """A trace of at most this many steps is indented for people to read; larger ones compact."""

    def dump_chunks(self, newline: bool = False, digits: int | None = None,
                    batch: int = 512) -> Iterator[bytes]:
        """The compact JSON of :meth:`dump_bytes`, in pieces: the steps ``batch`` at a time, each
        piece's objects freed before the next is made (a large trace's JSON never sits whole in
        memory, as objects or as bytes).  Joined, the pieces are exactly ``dump_bytes(False)``."""
        with paused_gc():
            yield from self._chunks(newline, digits, batch)

    def _chunks(self, newline: bool, digits: int | None, batch: int) -> Iterator[bytes]:
        import orjson

        doc = self._document(None)
        head = {k: doc[k] for k in ("schema", "name", "problem", "values")}
        tail = {k: v for k, v in doc.items() if k not in head and k != "steps"}
        yield orjson.dumps(head)[:-1] + b',"steps":['
        memo: dict = {}
        steps = self.steps
        for start in range(0, len(steps), batch):
            piece = orjson.dumps([self._step_json(s, digits, memo) for s in steps[start:start + batch]])
            yield (b"," if start else b"") + piece[1:-1]
        yield b"]," + orjson.dumps(tail)[1:] + (b"\n" if newline else b"")

    def dumps(self, indent: bool = True, digits: int | None = None) -> str:
        """JSON text; small traces are indented for people to read, large ones compact."""
        return self.dump_bytes(indent, digits=digits).decode("utf-8")

    def dump_bytes(self, indent: bool = True, newline: bool = False, digits: int | None = None) -> bytes:
        """:meth:`dumps` as UTF-8 bytes, ready to write (no decode/encode of a large text).
        ``digits`` sets the precision of the numbers in the formulas; values are full float64."""
        import orjson

        option = orjson.OPT_INDENT_2 if indent and len(self.steps) <= self.INDENTED_UP_TO else 0
        if newline:
            option |= orjson.OPT_APPEND_NEWLINE
        return orjson.dumps(self.to_json(digits), option=option)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Trace":
        """A trace from its JSON document; its formulas keep the notations the JSON holds."""
        if d.get("schema") != SCHEMA:
            raise UsageError(f"not a handprop trace (schema {d.get('schema')!r}, expected {SCHEMA!r})")
        return cls(problem=d["problem"], values=dict(d["values"]),
                   steps=tuple(_step_from_json(s) for s in d["steps"]),
                   warnings=tuple(d.get("warnings", ())), digits=d.get("digits", 6),
                   hand_values=d.get("hand_values"), rounding=d.get("rounding"),
                   name=d.get("name", ""), update=d.get("update"))

    def with_hand_values(self, hand: dict[str, float], rounding: dict[str, Any],
                         warnings: tuple[str, ...] = ()) -> "Trace":
        """This trace with hand-rounded values beside the exact ones (a new trace)."""
        return replace(self, hand_values=hand, rounding=rounding,
                       warnings=tuple(self.warnings) + tuple(warnings))


def _padding(number, rounding: dict[str, Any]):
    """A printer's number formatting with the zeros of a hand rounding kept (0.60)."""
    import functools

    from .expr.numbers import padded
    mode, places = rounding.get("mode", "round"), int(rounding.get("places", 0))

    @functools.lru_cache(maxsize=None)
    def written(value: float) -> str:
        return padded(number(value), value, mode, places)
    return written


def _chain_from_json(d: dict[str, Any]) -> tuple[tuple[Expr, ...], int]:
    chain = d["chain"]
    return (tuple(Written((("latex", latex), ("text", text)))
                  for latex, text in zip(chain["latex"], chain["text"])), chain["numbers"])


def _step_from_json(d: dict[str, Any]) -> Step:
    subject = d.get("subject")
    subject = Subject(subject["kind"], subject["name"], subject["sample"]) if subject else \
        (parse(d["id"]) or Subject("", d["id"]))
    chain, numbers = _chain_from_json(d)
    return Step(
        id=d["id"], phase=d["phase"], subject=subject, title=d["title"],
        chain=chain, numbers=numbers, value=d["value"], uses=tuple(d["uses"]),
        focus=Focus(tuple(d["focus"]["nodes"]), tuple(d["focus"]["edges"])), note=d["note"],
        terms=tuple(Term(t["label"], Written((("latex", t["latex"]), ("text", t["text"]))),
                         t["value"], t["ref"], t["question"]) for t in d.get("terms", ())),
        forms=tuple(Form(f["kind"], f["title"], *_chain_from_json(f), f.get("value", d["value"]))
                    for f in d.get("forms", ())),
        layer=d.get("layer"))


def schema() -> dict[str, Any]:
    """The JSON Schema of the trace (built from the tables; the published file is the same)."""
    from .schema import trace_schema
    return trace_schema()
