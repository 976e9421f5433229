"""Grading a class: each student's answers checked as claims against their variant's problem.

A student's row is one claims file (:class:`~handprop.checking.claims.ClaimsFile`), one claim
per answered quantity in the order of the sheet, judged by the checker
(:class:`~handprop.checking.verdicts.Checker`, which :func:`handprop.check` runs) against the
variant's problem; so an answer done right from the student's own earlier wrong answer is
``carried`` and earns its marks (:mod:`.marks`).  Each variant is derived once for the class.

The set's rounding policy: every answer is read at the policy's decimal places (``0.75`` is
``0.7500`` under a policy of 4: trailing zeros a spreadsheet dropped are not fewer digits
claimed, and ``0`` is not "right to 0 decimals"), and an answer equal to the key's answer
(``set.json``) is correct whatever else the checker would say of it.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal

from ...checking.claims import Claim, ClaimsFile, Names
from ...checking.verdicts import Checker
from ...problem import Problem
from ...quantities import pretty
from ...solve.derive import derive
from ...solve.replay import Model
from ..setfile import StoredSet
from .answers import Answers, Row
from .marks import Scheme


@dataclass(frozen=True)
class Answer:
    qid: str
    written: str | None         # as in the cell; None: not answered
    verdict: str                # correct, rounding, carried, wrong, blank
    explanation: str            # the checker's explanation ("" when blank)
    families: tuple[str, ...]   # the catalogue families of the mistakes named (wrong only)
    first_wrong: str | None     # the step where the error entered (wrong, carried)
    key: str                    # the key's answer
    exact: float
    marks: Decimal
    out_of: Decimal


@dataclass(frozen=True)
class Student:
    line: int
    id: str
    variant: str
    answers: tuple[Answer, ...]

    @property
    def total(self) -> Decimal:
        return sum((a.marks for a in self.answers), Decimal(0))

    @property
    def out_of(self) -> Decimal:
        return sum((a.out_of for a in self.answers), Decimal(0))


@dataclass
class Context:
    """One variant, derived once: its problem, trace, replay model and key."""

    code: str
    problem: Problem
    trace: object
    model: Model
    key: dict[str, Decimal]
    exact: dict[str, float]
    names: Names
    hand: dict = field(default_factory=dict)
    """The checker's values of the whole solution worked by hand (each rounding, each mode),
    shared by every student of the variant (:class:`SharedCache`)."""

    @classmethod
    def of(cls, stored: StoredSet, code: str) -> "Context":
        v = stored.variant(code)
        derivation = derive(v.problem)
        return cls(v.code, v.problem, derivation.trace, Model.of(derivation, v.problem), dict(v.answers),
                   dict(v.exact), Names(v.problem, tuple(derivation.trace.values)))

    def phase(self, qid: str | None) -> str | None:
        """The phase of the trace (forward, loss, backward, update) a step belongs to."""
        if qid is None or qid not in self.trace.index:
            return None
        return self.trace.step(qid).phase


@dataclass
class Graded:
    stored: StoredSet
    answers: Answers
    scheme: Scheme
    students: list[Student]
    contexts: dict[str, Context]

    @property
    def ids(self) -> tuple[str, ...]:
        return self.stored.ids


class Contexts(dict):
    """Each variant's :class:`Context`, made when first needed."""

    def __init__(self, stored: StoredSet):
        super().__init__()
        self.stored = stored

    def __missing__(self, code: str) -> Context:
        found = self[code] = Context.of(self.stored, code)
        return found


class SharedCache(MutableMapping):
    """A checker's cache of values worked from its model (the solution rounded every way it
    tries), read and written through to one dict shared by the students of a variant, who have
    the same model.  A checker that moves to another model (the claims judged in the convention
    error = t − y) clears its cache: from then on it keeps one of its own, and the shared one is
    left as it was."""

    def __init__(self, shared: dict):
        self._d = shared

    def __getitem__(self, key):
        return self._d[key]

    def __setitem__(self, key, value):
        self._d[key] = value

    def __delitem__(self, key):
        del self._d[key]

    def __iter__(self):
        return iter(self._d)

    def __len__(self):
        return len(self._d)

    def clear(self):
        self._d = {}


def read_at_policy(value: Decimal, places: int) -> Decimal:
    """``value`` with at least ``places`` decimal places (trailing zeros filled in)."""
    if -value.as_tuple().exponent >= places:
        return value
    return value.quantize(Decimal(1).scaleb(-places))


def claim_name(ctx: Context, qid: str) -> str:
    """The name a claim is written under: as a person writes it (∂E/∂w5) when that reads back."""
    name = pretty(qid)
    return name if ctx.names.resolve(name).qid == qid else qid


def grade_row(ctx: Context, row: Row, ids: tuple[str, ...], scheme: Scheme, places: int) -> Student:
    claims = []
    for i, qid in enumerate(ids, start=1):
        cell = row.cells.get(qid)
        if cell is not None:
            value = read_at_policy(cell.value, places)
            claims.append(Claim(i, claim_name(ctx, qid), format(value, "f"), value))
    verdicts = {}
    if claims:
        file = ClaimsFile(f"line {row.line}", tuple(claims))
        checker = Checker(ctx.problem, ctx.model, ctx.trace, file)
        checker.hand_cache = SharedCache(ctx.hand)
        report = checker.run()
        verdicts = {v.qid: v for v in report.verdicts}
    answers = []
    for qid in ids:
        key = format(ctx.key[qid], "f")
        cell = row.cells.get(qid)
        v = verdicts.get(qid)
        if cell is None or v is None:
            answers.append(Answer(qid, None, "blank", "", (), None, key, ctx.exact[qid], Decimal(0),
                                  scheme.of(qid)))
            continue
        verdict, explanation = v.verdict, v.explanation
        if read_at_policy(cell.value, places) == ctx.key[qid] and verdict != "correct":
            verdict, explanation = "correct", "the key's answer (the set's rounding policy)"
        families = tuple(v.hits[0].families) if verdict == "wrong" and v.hits else ()
        first = v.first_wrong if verdict in ("wrong", "carried") else None
        answers.append(Answer(qid, cell.text, verdict, explanation, families, first, key, ctx.exact[qid],
                              scheme.earned(qid, verdict), scheme.of(qid)))
    return Student(row.line, row.student, row.variant, tuple(answers))


def grade(stored: StoredSet, answers: Answers, scheme: Scheme, contexts: Contexts | None = None) -> Graded:
    """Every good row of ``answers`` graded against its variant of ``stored``."""
    contexts = contexts if contexts is not None else Contexts(stored)
    places = stored.policy.places_shown
    students = [grade_row(contexts[row.variant], row, stored.ids, scheme, places) for row in answers.rows]
    return Graded(stored, answers, scheme, students, contexts)


def first_context(stored: StoredSet, contexts: Contexts) -> Context:
    """The first variant's context: its names read the header and the marks (every variant of
    a set has the same network and names)."""
    return contexts[stored.data["variants"][0]["code"]]
