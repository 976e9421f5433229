"""Grading a hand solution: each claimed number is right, drift, carried or wrong.

Verdicts (docs/claims-format.md), decided in this order for each claim:

``correct``
    The exact value rounded to the digits written is the claim (within half a
    unit in the last place written).
``rounding``
    Off only by rounding: the exact value *chopped* to the digits written is
    the claim (``0.081534`` written ``0.081``); or the claim is what the step
    gives from the claimant's own earlier numbers that are themselves right
    (computed exactly, or rounding every intermediate to the claim's decimals or
    significant figures); or it is what rounding every intermediate of the whole
    solution to the claim's decimals (or significant figures) gives.
``carried``
    The step is done right from the claimant's own numbers, but one of those it
    uses was wrong (``first_wrong`` is where that error began).
``wrong``
    None of those.  The diagnosis names the smallest combination of catalogue
    mistakes that reproduces it (:mod:`handprop.checking.diagnosis`) and the first step
    where the error entered, or says plainly that none does.
``unknown``
    The name matches no quantity of the problem; the closest names are suggested.

"The claimant's own numbers" for a claim are, for every other quantity, the
claim about it written last before this line (or, failing that, first after
it): a person computes on from what they last wrote down.

A claim written with its working (``net_H1 = 0.0075 + 0.020 + 0.35 = 0.3825``)
is first held against that working: a number that does not follow from the
arithmetic written just before it (allowing half a unit in its last place for
each number of that arithmetic, which is usually rounded itself) is ``wrong``, a
slip in that arithmetic or a decimal slip; the working's own value is then
judged as above and what it is (right, carried, a catalogue mistake) is said too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, localcontext

from .claims import Claim, ClaimsError, ClaimsFile, Names, arithmetic, pretty, unreadable
from ..solve.derive import derive
from ..solve.equations import FIRST, At
from .diagnosis import MIN_FIGURES, SLIPS, Hit, diagnose
from ..expr.numbers import text_number
from .mistakes import Mistake, apply, catalogue, slip as slip_mistake
from .slips import written_as
from ..errors import ProblemError
from ..problem import Problem, load
from ..expr.numbers import CONVENTIONS
from ..expr.nodes import Add, Sym
from ..quantities import parse as parse_id, qid as qid_of
from ..solve.replay import Model, Replay, ReplayError
from ..solve.rounding import (agrees, chops_to, decimals, figures, float32_values, hand_base, unit as last_unit,
                              hand_values, one_press, rounder, rounds_to)

VERDICTS = ("correct", "rounding", "carried", "wrong", "unknown")
WAYS = ("delta", "paths", "simplified")
"""The kinds of a step's forms that reach its number another way (see ``Checker.ways``)."""
COARSEST = 2
"""The fewest decimals (or significant figures) to which the claimant's own numbers are taken
when they worked with fewer digits than they wrote (see ``Checker.coarse``)."""
RIGHT = {"correct", "rounding"}
FLIPPED = {"dE/dout", "delta", "grad"}
"""The kinds of quantity whose sign the convention error = t − y turns round."""
PRECISION = 45                 # significant figures of the decimal solution (claims have at most 30)
PRECISE_FIGURES = 9            # claims of this many figures are judged in decimal, not float
CONVENTION_MARGIN = 2          # claims a convention must explain beyond the problem's own signs
MAX_CONVENTION_CLAIMS = 400    # claims looked at to infer it


@dataclass
class Verdict:
    claim: Claim
    qid: str | None
    exact: float | None
    verdict: str
    explanation: str
    diagnosis: str | None = None
    first_wrong: str | None = None
    hits: list[Hit] = field(default_factory=list)
    suggestions: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"name": self.claim.name, "id": self.qid, "claimed": float(self.claim.value),
                "exact": self.exact, "verdict": self.verdict, "diagnosis": self.diagnosis,
                "first_wrong": self.first_wrong}


@dataclass
class Report:
    problem: Problem
    trace: object
    verdicts: list[Verdict]          # in the order of the file
    source: str = ""
    convention: str | None = None    # the convention the claims were judged in, when inferred

    def to_json(self) -> dict:
        found = {"claims": [v.to_json() for v in self.verdicts]}
        if self.convention:
            found["convention"] = self.convention
        return found

    def counts(self) -> dict[str, int]:
        return {k: sum(v.verdict == k for v in self.verdicts) for k in VERDICTS}

    @property
    def status(self) -> int:
        """0 when nothing is wrong, 1 when something is."""
        return 1 if any(v.verdict == "wrong" for v in self.verdicts) else 0


def check_file(claims: ClaimsFile, problem_spec: str | None = None, step=None) -> Report:
    """Check a parsed claims file against ``problem_spec`` (else its ``problem:`` line); a file
    that names no problem, given none, is refused: it would be graded against a network the
    claimant never solved.  ``step(problem)`` gives the problem and the
    :class:`~handprop.solve.equations.At` of a later update (``check --step T``)."""
    spec = problem_spec or claims.problem
    if claims.unread and not spec:
        raise unreadable(list(claims.unread), claims.source)
    if not spec:
        raise ClaimsError("names no problem: add a line 'problem: NAME' (a built-in such as notes, or "
                          "a problem file) or give --problem", "", claims.source)
    try:
        problem = load(spec)
    except ProblemError as err:
        if claims.problem and not problem_spec and err.source == spec and not err.field:
            raise ClaimsError(f"problem {spec!r}: {err.message}", f"line {claims.problem_line}",
                              claims.source) from None
        raise
    if step is not None:
        problem, at = step(problem)
        return check(problem, claims, at)
    return check(problem, claims)


def check(problem: Problem, claims: ClaimsFile, at: At = FIRST) -> Report:
    """The verdict on every claim of ``claims`` about ``problem``'s update of step ``at``."""
    derivation = derive(problem, at=at)
    model = Model.of(derivation, problem)
    report = Checker(problem, model, derivation.trace, claims).run()
    if report.verdicts and all(v.verdict == "unknown" for v in report.verdicts):
        first = report.verdicts[0]
        raise ClaimsError(f"no claim names a quantity of {problem.name or 'the problem'}, so nothing could "
                          f"be checked (line {first.claim.line}, {first.claim.name!r}: {first.explanation})",
                          "", claims.source)
    return report


def convention_model(model: Model, trace) -> tuple[Model, dict] | None:
    """The model worked in the convention error = t − y (every sign mistake made, the values
    recomputed) and its ways of working, or None when it cannot be computed; made once per
    model (kept in it, as the diagnoses are), so a class's scripts on one problem share it."""
    memo = model.__dict__.setdefault("_convention", {})
    if "t - y" not in memo:
        signs = [m for m in catalogue(model) if m.family == "sign"]
        exprs, _, _ = apply(model, signs)
        conv = model.variant(exprs)
        conv.convention = "t - y"
        replay = Replay(conv)
        try:
            for key in conv.exprs:
                conv.exact[key] = float(replay.step(key))
            memo["t - y"] = (conv, workings(conv, trace))
        except (ReplayError, ArithmeticError, ValueError):
            memo["t - y"] = None
    return memo["t - y"]


def fmt(value: float, like: Decimal | None = None) -> str:
    """``value`` to 6 significant figures, or to one more than ``like`` has."""
    return text_number(value, max(6, figures(like) + 1) if like is not None else 6)


class Checker:
    def __init__(self, problem: Problem, model: Model, trace, claims: ClaimsFile):
        self.problem, self.model, self.trace, self.file = problem, model, trace, claims
        self.names = Names(problem, tuple(trace.values))
        self.hand_cache: dict[tuple[str, int, str], dict] = {}
        self.press_cache: dict[tuple[int, str], frozenset[str]] = {}
        self.workings = workings(model, trace)
        self.given = frozenset(abs(v) for v in model.base.values()) | {0.5}   # exact in a working
        self.results: dict[int, Verdict] = {}       # by line

    # -- claims and the claimant's own numbers

    def run(self) -> Report:
        resolved: list[tuple[Claim, str]] = []
        seen: dict[tuple[str, str], Claim] = {}
        twice: list[tuple[str, str]] = []
        for claim in self.file.claims:
            found = self.names.resolve(claim.name)
            if found.qid is None:
                hint = f"; did you mean {', '.join(found.suggestions)}?" if found.suggestions else ""
                self.results[claim.line] = Verdict(claim, None, None, "unknown", found.reason + hint,
                                                   found.reason + hint, suggestions=found.suggestions)
                continue
            other = seen.get((claim.part, found.qid))
            if other is not None:
                twice.append((f"line {claim.line}", f"{claim.name!r} ({found.qid}) is already claimed on "
                                                     f"line {other.line}"))
                continue
            seen[(claim.part, found.qid)] = claim
            resolved.append((claim, found.qid))
        if twice or self.file.unread:     # every unreadable line and every claim made twice, at once
            if twice:                     # said once, at the first claim made twice
                where, what = twice[0]
                twice[0] = (where, what + " (to claim it again, start a new part with a line '[title]')")
            both = sorted(list(self.file.unread) + twice, key=lambda e: _line_of(e[0]))
            raise unreadable(both, self.file.source)
        self.resolved = resolved
        self.by_id: dict[str, list[Claim]] = {}
        for claim, qid in resolved:
            self.by_id.setdefault(qid, []).append(claim)
        self.convention = self.infer_convention(resolved)
        for claim, qid in sorted(resolved, key=self.judging_order):
            self.results[claim.line] = self.judge(claim, qid)
        verdicts = [self.results[c.line] for c in self.file.claims]
        for v in verdicts:            # an exact 0 that float arithmetic left as 1.1e-16 is shown as 0
            if v.exact is not None and v.exact != 0 and abs(v.exact) < 1e-12 and v.qid in self.model.exprs:
                x = self.precise(v.qid)
                if x is not None and abs(x) < Decimal("1e-35"):
                    v.exact = 0.0
        return Report(self.problem, self.trace, verdicts, self.file.source, self.convention)

    def in_convention(self, qid: str) -> str:
        """" in your convention (error = t − y)" for a quantity whose sign it turns, when the
        claims are judged in it."""
        return " in your convention (error = t − y)" if self.convention and qid.split(":", 1)[0] in FLIPPED \
            else ""

    def judging_order(self, cq: tuple[Claim, str]) -> tuple:
        """Claims are judged in the order of the solution, then of the file; a change ΔP
        written before its P⁺ is judged just before P⁺ (a person works w⁺ = w + Δw)."""
        claim, qid = cq
        order = self.model.order
        at = order.get(qid, len(order))
        if qid.startswith("change:"):
            new = "new:" + qid[len("change:"):]
            later = [c for c in self.by_id.get(new, ()) if c.line > claim.line]
            if later and new in order:
                at = order[new] - 0.5
        return at, claim.line

    def infer_convention(self, resolved: list[tuple[Claim, str]]) -> str | None:
        """The sign convention of the error, when the claims follow it: error = t − y (so every
        δ, ∂E/∂out and "gradient" δ·out has the opposite sign) with the update then added,
        w + η δ out, which gives the same updated weights.  The convention is inferred when it
        explains at least :data:`CONVENTION_MARGIN` more of the claims of those kinds and of
        the updates than the problem's own signs do, at least one of them an update ("explains":
        the claim is the step's value computed from the claimant's own numbers, by the delta
        rule when they wrote a δ); the claims are then judged in that
        convention (one thing, said once, not a sign flipped at every δ).  Returns the
        sentence saying so, or None.  A ``convention:`` line of the file decides instead: ``t - y``
        judges in it, ``y - t`` never infers it."""
        declared = self.file.convention
        if declared == "y - t":
            return None
        relevant = [(claim, qid) for claim, qid in resolved
                    if qid.split(":", 1)[0] in FLIPPED or qid.startswith("new:")][:MAX_CONVENTION_CLAIMS]
        if not declared and not any(qid.split(":", 1)[0] in FLIPPED for _, qid in relevant):
            return None
        found = convention_model(self.model, self.trace)
        if found is None:
            return None
        model, conv_ways = found
        theirs = mine = updates = 0
        if not declared:
            ours, conv = self.model, model
            if any(qid.startswith("delta:") for _, qid in resolved):   # worked by the delta rule
                ours, conv = _by_delta(self.workings, ours), _by_delta(conv_ways, conv)
            for claim, qid in relevant:
                pins = {k: float(v.value) for k, v in self.own(claim, qid).items()}
                a, b = _explains(ours, qid, claim.value, pins), _explains(conv, qid, claim.value, pins)
                mine += a
                theirs += b
                updates += b and not a and qid.split(":", 1)[0] in ("new", "change")
            # the convention is an error = t − y *with the update added*: without an update it
            # explains (only flips the sign of δ and ∂E/∂w, which have a definite sign)
            if theirs - mine < CONVENTION_MARGIN or not updates:
                return None
        self.model = model
        self.workings = conv_ways
        self.hand_cache.clear()
        how = "as the file declares" if declared else "inferred from your claims"
        return (f"error = t − y ({how}): each δ, ∂E/∂out and gradient has the opposite sign of the "
                "derivative it names, and the update is then added (w + η·δ·out), which gives the same "
                "updated weights: they are judged in that convention")

    def own(self, claim: Claim, qid: str) -> dict[str, Claim]:
        """For every other quantity, the claim a person computing ``claim`` had last written."""
        found = {}
        for other, claims in self.by_id.items():
            if other == qid:
                continue
            before = [c for c in claims if c.line < claim.line]
            found[other] = before[-1] if before else claims[0]
        return found

    # -- one claim

    def judge(self, claim: Claim, qid: str) -> Verdict:
        c = claim.value
        exact = self.model.exact[qid]
        if self.rounds(c, qid):
            return Verdict(claim, qid, exact, "correct", f"right {_to_places(c)}{self.in_convention(qid)}")
        own = self.own(claim, qid)
        worked = arithmetic(claim.working) if claim.working else None
        loose = spread(claim.working, self.given) if worked is not None else 0.0
        if worked is not None and not (agrees(c, worked[0]) or
                                       abs(float(c) - worked[0]) <= last_unit(c) / 2 * (1 + 1e-9) + loose):
            return self.slip(claim, qid, own, worked[0], loose)
        kind, text, first, hits = self.assess(qid, c, claim.text, own, loose)
        if kind == "rounding":
            text += self.in_convention(qid)
        if kind not in RIGHT and worked is not None:
            if loose and abs(worked[0] - exact) <= loose:
                text = (f"rounding drift: the numbers of your working are rounded; the exact "
                        f"{fmt(exact, c)} is within what their rounding allows (±{fmt(loose, c)})")
                return Verdict(claim, qid, exact, "rounding", text)
        return Verdict(claim, qid, exact, kind, text, text, first, hits)

    def assess(self, qid: str, c: Decimal, written: str, own: dict[str, Claim], slack: float = 0.0):
        """(verdict, explanation, first_wrong, hits) of the number ``c`` claimed for ``qid``;
        ``slack``: how far off ``c`` may be beyond its digits (the value of a written working,
        whose numbers were rounded themselves)."""
        d, s = decimals(c), figures(c)
        unit = f"{d} decimal{'s' if d != 1 else ''}" if d > 0 else "the units"
        if self.rounds(c, qid):
            return "correct", "right", None, []
        right = {k: v for k, v in own.items()
                 if v.line in self.results and self.results[v.line].verdict in RIGHT}
        if self.chops(c, qid):
            return "rounding", f"rounding drift: the exact value cut off (not rounded) after {unit}", None, []
        double = self.double_precision(qid, c)
        if double is not None:
            return "rounding", double, None, []
        value, used, coarse = self.from_own(qid, c, right, slack)
        if value is not None and used:
            worked = f", worked {coarse}," if coarse else ""
            return "rounding", f"rounding drift: your {self.listing(used, right)}{worked} give" \
                               f"{'s' if len(used) == 1 and not coarse else ''} {fmt(value, c)}", None, []
        for mode, places in (("round", d), ("sig", s)):
            for convention in CONVENTIONS:
                hand = self.hand(mode, places, convention)
                if hand is not None and qid in hand and agrees(c, hand[qid]):
                    how = f"{places} decimal{'s' if places != 1 else ''}" if mode == "round" else \
                        f"{places} significant figure{'s' if places != 1 else ''}"
                    inside = "" if convention == "calculator" else " (inside each activation too)"
                    return ("rounding", f"rounding drift: rounding every step to {how}{inside} gives "
                            f"{hand[qid]}", None, [])
        single = self.single_precision(qid, c)
        if single is not None:
            return "rounding", single, None, []
        value, used, coarse = self.from_own(qid, c, own, slack)
        wrong_used = [k for k in used if own[k].line in self.results
                      and self.results[own[k].line].verdict not in RIGHT]
        if value is not None and wrong_used:
            return "carried", (f"done right from your {self.listing(wrong_used, own)}, which "
                               f"{'is' if len(wrong_used) == 1 else 'are'} wrong"), \
                self.origin(wrong_used, own), []
        hits = diagnose(self.model, qid, c, {k: v.value for k, v in own.items()},
                        own_model=self.working_of(own), slack=slack, right=frozenset(right))
        if hits.ambiguous and s < MIN_FIGURES:
            return "wrong", (f"{written} has one significant figure: too few to tell which mistake "
                             "gives it (write at least two)"), qid, []
        if hits.ambiguous:
            return "wrong", (f"{written} has too few digits to tell which mistake it is: combinations of "
                             "mistakes give it, but give numbers all around it as well"), qid, []
        if not hits:
            pen = self.pen_slip(qid, c, own)
            if pen is not None:
                return "wrong", pen.label, pen.first, [pen]
            tried = "alone or in the commonest combinations" if hits.cut else "alone or up to three together"
            return "wrong", (f"no mistake of the catalogue ({tried}, on exact values or your own numbers) "
                             f"gives {written}: a slip in the arithmetic of this step"), qid, []
        return "wrong", self.describe(hits, own, c), hits[0].first, hits

    def precise(self, qid: str) -> Decimal | None:
        """The value of ``qid`` to :data:`PRECISION` significant figures (the whole solution computed once in
        decimal arithmetic, the problem's numbers as written), for claims written to more
        figures than a float's noise allows to judge (:data:`PRECISE_FIGURES`)."""
        values = self.hand_cache.get(("precise",))
        if values is None:
            try:
                with localcontext() as ctx:
                    ctx.prec = PRECISION
                    replay = Replay(self.model, base=hand_base(self.model), rnd=lambda x: +x)
                    values = {k: replay.step(k) for k in self.model.exprs}
            except (ReplayError, ArithmeticError, ValueError, TypeError):
                values = {}
            self.hand_cache[("precise",)] = values
        found = values.get(qid)
        return found if isinstance(found, Decimal) and found.is_finite() else None

    def rounds(self, c: Decimal, qid: str) -> bool:
        """``c`` is the exact value rounded to its digits: for a claim of many figures,
        exactly (in decimal), not within a float's noise."""
        if figures(c) >= PRECISE_FIGURES:
            x = self.precise(qid)
            if x is not None:
                return rounder("round", decimals(c))(x) == c if 0 <= decimals(c) <= 40 else False
        return rounds_to(c, self.model.exact[qid])

    def chops(self, c: Decimal, qid: str) -> bool:
        """``c`` is the exact value cut off after its digits (exactly, for many figures)."""
        if figures(c) >= PRECISE_FIGURES:
            x = self.precise(qid)
            if x is not None and 0 <= decimals(c) <= 40:
                with localcontext() as ctx:
                    ctx.prec = 2 * PRECISION
                    return x.quantize(Decimal(1).scaleb(-decimals(c)), rounding=ROUND_DOWN) == c
        return chops_to(c, self.model.exact[qid])

    def double_precision(self, qid: str, c: Decimal) -> str | None:
        """The explanation when ``c`` (of many figures) is the float64 value of the step as a
        program prints it (2.0999999999999996 for 2.1): right but for the float's last bits."""
        if figures(c) < PRECISE_FIGURES:
            return None
        exact = self.model.exact[qid]
        if abs(float(c) - exact) <= 8 * 2.0 ** -52 * max(abs(exact), abs(float(c)), 1e-300):
            return (f"float64 precision: {c} is the exact value {fmt(exact, c)} as a float64 computation gives "
                    "it, off in the last bits")
        return None

    def single_precision(self, qid: str, c: Decimal) -> str | None:
        """The explanation when ``c`` is what a float32 computation gives (PyTorch's default
        dtype, a GPU): the whole solution worked in single precision, every operation rounded
        to float32, agrees with it; or it has at least 7 significant figures and is the exact
        value to float32's precision (within 2⁻²³ of it, relatively: one unit in float32's
        last place).  Anything further off is not a float32 computation's noise."""
        if figures(c) < 7:
            return None
        exact = self.model.exact[qid]
        single = self.hand_cache.get(("float32",))
        if single is None:
            try:
                single = self.hand_cache[("float32",)] = float32_values(self.model)
            except (ReplayError, ArithmeticError, ValueError):
                single = self.hand_cache[("float32",)] = {}
        if qid in single and agrees(c, single[qid]):
            return f"float32 precision: the solution computed in single precision (float32) gives {single[qid]}"
        if abs(float(c) - exact) <= 2.0 ** -23 * max(abs(exact), abs(float(c))):
            return (f"float32 precision: {c} agrees with the exact value only to the precision of a float32 "
                    "computation (about 7 significant figures)")
        return None

    def pen_slip(self, qid: str, c: Decimal, own: dict[str, Claim]) -> Hit | None:
        """A slip of the pen (:mod:`handprop.checking.slips`): ``c`` is the step's value from the
        claimant's own numbers, or its exact value, with two digits swapped, one written twice
        or one left out."""
        pins = {k: float(v.value) for k, v in own.items()}
        reached = sorted(self.model.ancestors(qid, pins)[1], key=lambda k: self.model.order.get(k, 0))
        candidates = []
        if reached:
            try:
                candidates.append((True, float(Replay(self.model, pins=pins).step(qid)), tuple(reached)))
            except (ReplayError, ArithmeticError, ValueError, TypeError):
                pass
        candidates.append((False, self.model.exact[qid], ()))
        for mine, value, used in candidates:
            how = written_as(c, value)
            if how is not None:
                what = f"a slip of the pen: {how}"
                return Hit((Mistake("transcription", what),), mine, value, qid, used)
        return None

    def slip(self, claim: Claim, qid: str, own: dict[str, Claim], worked: float, loose: float = 0.0) -> Verdict:
        """A claim that does not follow from the arithmetic written before it."""
        c = claim.value
        exact = self.model.exact[qid]
        w = Decimal(f"{worked:.{max(figures(c) + 2, 4)}g}")
        kind, text, first, hits = self.assess(qid, w, str(w), own, loose)
        power = next((p for p in SLIPS if agrees(c, worked * 10.0 ** p)), None)
        if power is not None:
            shift = f"{'×' if power > 0 else '÷'}{10 ** abs(power)}"
            if kind in RIGHT:
                text = f"a decimal slip: {claim.working} = {fmt(worked)} (right), written {shift}"
                return Verdict(claim, qid, exact, "wrong", text, text, qid)
            if hits:
                hits = [Hit(h.mistakes + (slip_mistake(power),), h.own, h.value * 10.0 ** power, h.first,
                            h.used) for h in hits]
                text = self.describe(hits, own, c)
            else:
                text = f"a decimal slip ({claim.working} = {fmt(worked)}, written {shift}); the working is {kind}: {text}"
            return Verdict(claim, qid, exact, "wrong", text, text, first or qid, hits)
        lead = f"a slip in the arithmetic: {claim.working} = {fmt(worked)}, not {claim.text}"
        if kind in RIGHT:
            return Verdict(claim, qid, exact, "wrong", lead, lead, qid)
        text = f"{lead}; the working is {kind}: {text}"
        return Verdict(claim, qid, exact, "wrong", text, text, first or qid, hits)

    def from_own(self, qid: str, c: Decimal, own: dict[str, Claim], slack: float = 0.0
                 ) -> tuple[float | None, list[str], str | None]:
        """The step computed from ``own`` numbers (exactly, and rounding at the claim's precision)
        when that agrees with ``c``; and the claimed quantities it used.  Every way a person
        reaches the number is tried: the defining formulas, then the whole derivation worked
        by the delta rule (every ∂E/∂w = δ × out, so that a δ the claimant wrote is used for a
        weight's gradient and for its update), by the sum over the paths and by the simplified
        forms, then each other form of the step itself.  Last, the claimant's numbers are
        taken to fewer digits than written (:meth:`coarse`): people write 0.73105857863 and
        work with 0.73.  The third item then says to what digits ("to 2 decimals")."""
        pins = {k: v.value for k, v in own.items()}
        first_used: list[str] | None = None
        tried = []
        for model, expr in self.ways(qid):
            if expr is not None and any(k.startswith("change:") and k not in pins and k != qid
                                        for k in expr.symbols()):
                continue            # w + Δw needs a Δw the claimant wrote
            reached = self.reached(qid, pins, expr, model)
            used = sorted(reached, key=lambda k: self.model.order.get(k, 0))
            if first_used is None:
                first_used = used
            if not used:
                continue
            tried.append((model, expr, used))
            value = self._own_value(qid, c, pins, expr, model, slack)
            if value is not None:
                return value, used, None
        for model, expr, used in tried:
            found = self.coarse(qid, c, pins, used, expr, model, slack)
            if found is not None:
                return found[0], used, found[1]
        return None, first_used or [], None

    def working_of(self, own: dict[str, Claim]) -> Model:
        """How the claimant works the derivation: by the delta rule when they wrote a δ."""
        return _by_delta(self.workings, self.model) if any(k.startswith("delta:") for k in own) else self.model

    def ways(self, qid: str) -> list:
        """(model, expression) pairs: the defining formula (None) in each way of working the
        whole derivation that changes how ``qid`` is reached, then the formulas of the step's
        own forms that give the same number another way (not the Jacobian's other entries)."""
        found = [(self.model, self.rule_of_change(qid))]
        for _, model, changed in self.workings[1:]:
            if qid in changed or self.model.ancestors(qid)[0] & changed:
                found.append((model, None))
        step = self.trace.index.get(qid)
        for form in step.forms if step is not None else ():
            if form.kind in WAYS and form.numbers < len(form.chain):
                found.append((self.model, form.chain[form.numbers]))
        s = parse_id(qid)
        change = qid_of("change", s.name) if s is not None and s.kind == "new" else None
        if change in self.model.exprs:          # w⁺ = w + Δw, from a written Δw
            found.append((self.model, Add((Sym(qid_of("param", s.name)), Sym(change)), (1, 1))))
        return found

    def rule_of_change(self, qid: str):
        """A change ΔP is worked from the update rule (P⁺'s formula less P), not from a P⁺
        written after it; None (its own formula) for every other step."""
        if not qid.startswith("change:"):
            return None
        new = "new:" + qid[len("change:"):]
        if new not in self.model.exprs:
            return None
        return Add((self.model.exprs[new], Sym("param:" + qid[len("change:"):])), (1, -1))

    def reached(self, qid: str, pins: dict, expr=None, model: Model | None = None) -> set[str]:
        """The claimed quantities ``qid`` reaches, through its formula or through ``expr``."""
        model = model or self.model
        if expr is None:
            return model.ancestors(qid, pins)[1]
        reached: set[str] = set()
        for d in expr.symbols():
            if d in pins:
                reached.add(d)
            elif d in model.exprs:
                reached |= model.ancestors(d, pins)[1]
        return reached

    def _own_value(self, qid: str, c: Decimal, pins: dict, expr=None, model: Model | None = None,
                   slack: float = 0.0) -> float | None:
        model = model or self.model
        overlay = {qid: expr} if expr is not None else None
        attempts = [Replay(model, exprs=overlay, pins={k: float(v) for k, v in pins.items()})]
        base = hand_base(model)
        for mode, places in (("round", decimals(c)), ("sig", figures(c))):
            if 0 <= places <= 20:
                for convention in CONVENTIONS:
                    attempts.append(Replay(model, exprs=overlay, base=base, pins=pins,
                                           rnd=rounder(mode, places), whole=self.presses(convention, model)))
        return _agreeing(qid, c, attempts, slack)

    def coarse(self, qid: str, c: Decimal, pins: dict, used: list[str], expr=None,
               model: Model | None = None, slack: float = 0.0) -> tuple[float, str] | None:
        """(value, how) of the step from the claimant's numbers ``used`` taken to fewer digits than written
        (the same number of decimals for all, or of significant figures, from the most written
        down to :data:`COARSEST`), computed from them exactly; the claim may be that rounded or
        cut off."""
        model = model or self.model
        overlay = {qid: expr} if expr is not None else None
        written = [pins[k] for k in used if pins[k]]
        if not written:
            return None
        most_d = max(decimals(v) for v in written)
        most_s = max(figures(v) for v in written)
        tried: set = set()
        # never coarser than COARSEST decimals or figures (nobody works 0.75137 as 0.8)
        for mode, top, low in (("round", most_d, COARSEST), ("sig", most_s, COARSEST)):
            for places in range(min(top, 20) - 1, low - 1, -1):
                rnd = rounder(mode, places)
                taken = {**pins, **{k: rnd(pins[k]) for k in used}}
                key = tuple(taken[k] for k in used)
                if key in tried or all(taken[k] == pins[k] for k in used):
                    continue
                tried.add(key)
                attempts = [Replay(model, exprs=overlay, pins={k: float(v) for k, v in taken.items()})]
                value = _agreeing(qid, c, attempts, slack)
                if value is not None:
                    what = "decimal" if mode == "round" else "significant figure"
                    return value, f"to {places} {what}{'s' if places != 1 else ''}"
        return None

    def presses(self, convention: str, model: Model | None = None) -> frozenset[str]:
        """The steps worked in one key press under ``convention``."""
        model = model or self.model
        found = self.press_cache.get((id(model), convention))
        if found is None:
            found = self.press_cache[(id(model), convention)] = one_press(model, convention)
        return found

    def hand(self, mode: str, places: int, convention: str = "calculator"):
        if not 0 <= places <= 20:
            return None
        key = (mode, places, convention)
        if key not in self.hand_cache:
            try:
                self.hand_cache[key] = hand_values(self.model, mode, places, convention)[0]
            except (ReplayError, ArithmeticError, ValueError):
                self.hand_cache[key] = None
        return self.hand_cache[key]

    def origin(self, used: list[str], own: dict[str, Claim]) -> str:
        """Where the error a carried claim inherits began: the earliest wrong claim upstream."""
        firsts = []
        for k in used:
            v = self.results[own[k].line]
            firsts.append(v.first_wrong or k)
        return min(firsts, key=lambda k: self.model.order.get(k, 0))

    def listing(self, keys, own: dict[str, Claim]) -> str:
        return ", ".join(f"{own[k].name} = {own[k].text}" for k in keys)

    def describe(self, hits: list[Hit], own: dict[str, Claim], c: Decimal | None = None) -> str:
        best = hits[0]
        text = best.label
        other = _other_network(self.problem, best)
        if other:
            text += f" — the numbers of the built-in problem {other!r}, a value from a different network"
        if best.own and best.used:
            text += f", from your {self.listing(best.used, own)}"
        text += f" (gives {fmt(best.value, c)}; the error enters at {pretty(best.first)})"
        said = {best.label}
        rest = []
        for h in hits[1:]:
            if set(h.families) != set(best.families) and h.label not in said and len(rest) < 2:
                said.add(h.label)
                rest.append(h.label)
        if rest:
            text += "; or: " + "; ".join(rest)
        return text


def _line_of(where: str) -> int:
    """The number of ``line N``."""
    found = re.search(r"\d+", where)
    return int(found.group()) if found else 0


def _to_places(c: Decimal) -> str:
    """"to 3 decimals", or "to the units" for a whole number."""
    d = decimals(c)
    return f"to {d} decimal{'s' if d != 1 else ''}" if d > 0 else "to the units"


def _explains(model: Model, qid: str, c: Decimal, pins: dict[str, float]) -> bool:
    """``c`` is the value of ``qid`` in ``model`` computed from the claimant's numbers (from
    the problem's where it reaches none of them)."""
    try:
        return agrees(c, Replay(model, pins=pins).step(qid))
    except (ReplayError, ArithmeticError, ValueError, TypeError):
        return False


def _agreeing(qid: str, c: Decimal, attempts, slack: float = 0.0) -> float | None:
    """The first of the replays ``attempts`` whose ``qid`` agrees with ``c`` (within
    ``slack`` beyond its digits)."""
    for replay in attempts:
        try:
            value = replay.step(qid)
        except (ReplayError, ArithmeticError, ValueError, TypeError):
            continue
        if agrees(c, value) or (slack and abs(float(value) - float(c)) <= slack):
            return float(value)
    return None


_NUMBER_IN = re.compile(r"(?<![\d.eE])\d+\.?\d*|(?<![\d.])\.\d+")


def spread(working: str, given=frozenset()) -> float:
    """How far the value of a line of arithmetic can be from what its numbers stood for when
    each was rounded to the digits written (half a unit in its last place), to first order:
    the sum over its numbers of how much moving that number by half a unit moves the value.
    The numbers in ``given`` (the problem's own: inputs, weights, targets, the learning rate)
    and small whole numbers are exact, not rounded."""
    found = arithmetic(working)
    if found is None:
        return 0.0
    value = found[0]
    total = 0.0
    for m in _NUMBER_IN.finditer(working):
        number = m.group()
        if float(number) in given or (float(number).is_integer() and float(number) <= 10):
            continue
        places = len(number.split(".")[1]) if "." in number else 0
        moved = working[:m.start()] + f"({number}+{0.5 * 10.0 ** -places!r})" + working[m.end():]
        other = arithmetic(moved)
        if other is not None:
            total += abs(other[0] - value)
    return total


def _by_delta(ways, default: Model) -> Model:
    """The model of :func:`workings` worked by the delta rule, or ``default``."""
    return next((m for kind, m, _ in ways if kind == "delta"), default)


def workings(model: Model, trace) -> list[tuple[str, Model, frozenset[str]]]:
    """The ways of working the whole derivation: its defining formulas (``model``), then, for
    each kind of form in :data:`WAYS` that some step has, the model with every such step
    computed by that form; each as (kind, model, the steps it changes)."""
    found = [("formulas", model, frozenset())]
    for kind in WAYS:
        overlay = {}
        for key, step in trace.index.items():
            if key not in model.exprs:
                continue
            for form in step.forms:
                if form.kind == kind and form.numbers < len(form.chain):
                    overlay[key] = form.chain[form.numbers]
                    break
        if overlay:
            found.append((kind, model.variant(overlay), frozenset(overlay)))
    return found


def _other_network(problem: Problem, hit: Hit) -> str | None:
    """The built-in problem whose numbers the hit's swapped weights are, if any."""
    swapped = {k[6:]: v for m in hit.mistakes for k, v in m.base}
    if not swapped:
        return None
    from ..problem import builtins
    mine = _numbers(problem.with_params(swapped))
    for name in builtins():
        if name == problem.name:
            continue
        try:
            if _numbers(load(name)) == mine:
                return name
        except Exception:      # a broken built-in is not this claim's business
            continue
    return None


def _numbers(p: Problem) -> tuple:
    """A network's numbers by position (names ignored)."""
    units = [u for layer in p.layers for u in layer.units]
    return (p.loss, p.learning_rate, p.update_biases, p.batch,
            tuple((layer.activation, len(layer.units)) for layer in p.layers),
            tuple(tuple(w.value for w in p.incoming[u]) for u in units),
            tuple(p.bias_of[u].value if p.bias_of[u] else None for u in units),
            tuple((s.inputs, s.targets) for s in p.samples))
