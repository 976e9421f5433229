"""Hand rounding, and what a number written to some digits claims.

A person working backpropagation on paper rounds every intermediate result and
goes on from the rounded value.  :func:`hand_values` does the same: each step's
expression is evaluated in decimal arithmetic from the hand values of the steps
before it (the problem's own numbers taken exactly as written), every
intermediate rounded half-up (``--round N``: to N decimal places; ``--sig N``:
to N significant figures), and the rounded result is that step's hand value.
The loss after the update is a hand-rounded forward pass with the hand-rounded
updated parameters.

A written number such as ``0.757`` claims a value to the digits shown.  Two
readings of "to the digits shown" are used by ``handprop check``:

- :func:`rounds_to`: the value rounded to the last digit written gives the
  number, i.e. they differ by at most half a unit in the last place (ties either
  way).  This is what ``correct`` means.
- :func:`chops_to`: the value cut off (truncated towards zero) after the last
  digit written gives the number.  People chop as often as they round
  (``0.0817 ≈ 0.081``), so :func:`agrees` (either reading) is what a number
  computed from other numbers must match to count as reproduced.
"""
from __future__ import annotations

import struct

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Callable

from dataclasses import replace

from ..expr.evaluate import worked_by_hand
from ..expr.nodes import Known, Mul, Num, Stable, Sym
from ..expr.numbers import CONVENTIONS
from ..nn import ACTIVATIONS
from ..quantities import parse
from .replay import AFTER, Model, Replay, as_written

MODES = ("round", "sig")

_REL = 1e-9      # float noise allowed when comparing a float with a written decimal


def rounder(mode: str, places: int) -> Callable[[Decimal], Decimal]:
    """Half-up rounding to ``places`` decimals (``round``) or significant figures (``sig``)."""
    if mode == "round":
        quantum = Decimal(1).scaleb(-places)

        def to_places(x: Decimal) -> Decimal:
            if not x.is_finite():       # ln(0) by hand: the step cannot be done (see hand_values)
                raise InvalidOperation(f"{x} has no decimal places")
            # as many digits as the rounded number has: a large value to many places needs more
            # than the context's default 28
            digits = Context(prec=max(28, x.adjusted() + places + 3))
            return x.quantize(quantum, rounding=ROUND_HALF_UP, context=digits)
        return to_places
    if mode == "sig":
        def to_figures(x: Decimal) -> Decimal:
            if not x or not x.is_finite():
                return x
            rounded = x.quantize(Decimal(1).scaleb(x.adjusted() - places + 1), rounding=ROUND_HALF_UP)
            if rounded.adjusted() > x.adjusted():   # 9.96 -> 10.0: one figure too many
                rounded = rounded.quantize(Decimal(1).scaleb(rounded.adjusted() - places + 1),
                                           rounding=ROUND_HALF_UP)
            return rounded
        return to_figures
    raise ValueError(f"rounding mode must be one of {MODES}, not {mode!r}")


def hand_base(model: Model) -> dict[str, Decimal]:
    """The problem's numbers (parameters, inputs, targets, eta) exactly as written."""
    return {k: as_written(v) for k, v in model.base.items()}


def one_press(model: Model, convention: str = "calculator") -> frozenset[str]:
    """The steps a calculator works in one key press: each output of an element-wise
    activation (none under ``every-step``)."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, not {convention!r}")
    if convention == "every-step":
        return frozenset()
    p = model.problem
    keys = []
    for key in model.exprs:
        s = parse(key)
        if s is not None and s.kind == "out":
            layer = p.layers[p.layer_of[s.name]]
            if ACTIVATIONS[layer.activation].elementwise:
                keys.append(key)
    return frozenset(keys)


def hand_values(model: Model, mode: str, places: int, convention: str = "calculator", checker: bool = True
                ) -> tuple[dict[str, Decimal], list[str]]:
    """Every quantity computed by hand, rounding as it goes; and warnings.

    ``checker``: also the checker's quantities after the update (``new:out:Y1``…, see
    :class:`~handprop.solve.replay.Model`); a trace worked by hand has only its own.

    A step that cannot be computed from rounded numbers (the logarithm of an
    output rounded to 0, a division by a slope rounded to 0) gets the exact
    value rounded, with a warning saying so.
    """
    rnd = rounder(mode, places)
    warnings: list[str] = []
    how = f"{places} decimal place{'s' if places != 1 else ''}" if mode == "round" else \
        f"{places} significant figure{'s' if places != 1 else ''}"

    def fallback(key: str, err: BaseException) -> Decimal:
        reason = "a logarithm of a number that is not positive" if isinstance(err, (ValueError, InvalidOperation)) \
            else "a division by zero" if isinstance(err, ZeroDivisionError) else str(err)
        warnings.append(f"{key}: with every number rounded to {how} this step needs {reason}; "
                        "its exact value, rounded, is used instead")
        return rnd(as_written(model.exact[key]))

    replay = Replay(model, base=hand_base(model), rnd=rnd, fallback=fallback,
                    whole=one_press(model, convention))
    values = {}
    for key in model.exprs:
        if checker or not key.startswith("change:"):
            values[key] = replay[key]
    for key in model.after if checker else ():
        if key != AFTER and key in model.exact:
            values[key] = replay[key]
    if AFTER in model.exact:
        values[AFTER] = replay[AFTER]
    return values, warnings


def to_float32(x: Decimal) -> Decimal:
    """``x`` rounded to the nearest float32 (what single precision stores)."""
    if not x.is_finite():
        raise InvalidOperation(f"{x} is not a float32")
    return Decimal(struct.unpack("f", struct.pack("f", float(x)))[0])


def float32_values(model: Model) -> dict[str, float]:
    """Every step of ``model`` computed in single precision: the given numbers stored as
    float32 and every operation's result rounded to float32 (as PyTorch's default dtype
    does)."""
    base = {k: to_float32(v) for k, v in hand_base(model).items()}
    replay = Replay(model, base=base, rnd=to_float32)
    return {k: float(replay.step(k)) for k in model.exprs}


def hand_trace(trace, model: Model, mode: str, places: int, convention: str = "calculator"):
    """``trace`` worked by hand (a new Trace; ``trace`` is unchanged): ``hand_values`` and
    ``rounding`` set, and each step's working written as a person rounding writes it -- the
    rounded numbers substituted, each term worked out and rounded, the rounded result (a
    step worked in one key press has no line between)."""
    values, warnings = hand_values(model, mode, places, convention, checker=False)
    hand = {k: float(values[k]) for k in trace.values if k in values}
    rnd = rounder(mode, places)
    env = {**hand_base(model), **values}
    whole = one_press(model, convention)
    steps = tuple(_by_hand(s, env, rnd, whole, values) for s in trace.steps)
    rounding = {"mode": mode, "places": places, "convention": convention}
    return replace(trace.with_hand_values(hand, rounding, tuple(warnings)), steps=steps)


def _worked_chain(chain: tuple, numbers: int, result, env, rnd, whole: bool) -> tuple:
    """The members with numbers of ``chain`` redone by hand, ending in ``result`` (None: the
    chain's own formula worked by hand).  A Jacobian entry written in (``Known``) carries its
    rounded value; a product of three or more numbers is multiplied out a pair at a time, each
    product rounded, as it is worked."""
    head, written = chain[:numbers], chain[numbers:]
    if len(written) == 1:                   # the loss after the update: its value alone
        return head + (Num(float(result)),)
    try:
        expr = _rounded_entries(written[0], env, rnd)
        if result is None:
            result = rnd(expr.hand(env, rnd))
    except (ArithmeticError, ValueError):
        return chain
    line = None if whole else worked_by_hand(expr, env, rnd)
    lines = [line] if line is not None else []
    last = lines[-1] if lines else expr
    lines += _pairwise(last, env, rnd)
    return head + (expr, *lines, Num(float(result)))


def _rounded_entries(expr, env, rnd):
    """``expr`` with each written-in entry (``Known``) holding its hand-rounded value."""
    if type(expr) is Known:
        return Known(Num(float(rnd(expr.formula.hand(env, rnd)))), expr.top, expr.bottom)
    children = expr.children()
    if not children or type(expr) is Stable:
        return expr
    new = tuple(_rounded_entries(c, env, rnd) for c in children)
    return expr if new == children else expr.rebuild(new)


def _pairwise(member, env, rnd) -> list:
    """``a × b × c`` of numbers worked left to right as a person rounding does: ``(a × b) × c``
    with ``a × b`` rounded, until two factors are left (no line when there are two)."""
    out = []
    while type(member) is Mul and len(member.factors) > 2 and \
            all(type(f) in (Num, Sym) for f in member.factors):
        first = Num(float(rnd(Mul(member.factors[:2]).hand(env, rnd))))
        member = Mul((first, *member.factors[2:]), member.juxt)
        out.append(member)
    return out


def _by_hand(step, env, rnd, whole: frozenset[str], values):
    # a chain written as another formula than the computed one (the softmax delta's sum, its
    # simplification a form) ends in what its own working gives
    own = any(f.kind == "simplified" for f in step.forms)
    result = None if own else values.get(step.id)
    chain = _worked_chain(step.chain, step.numbers, result, env, rnd, step.id in whole)
    forms = tuple(replace(f, chain=_worked_chain(f.chain, f.numbers, None, env, rnd, False))
                  for f in step.forms)
    return replace(step, chain=chain, forms=forms)


def hand_explain(problem, mode: str, places: int, digits: int = 6, convention: str = "calculator",
                 at=None):
    """The worked solution of ``problem`` (its update of step ``at``) with every step also
    computed by hand."""
    from .derive import derive
    from .equations import FIRST
    derivation = derive(problem, digits=digits, at=at or FIRST)
    return hand_trace(derivation.trace, Model.of(derivation, problem), mode, places, convention)


# ---------------------------------------------------------------- numbers as written


def unit(written: Decimal) -> float:
    """One unit in the last place written: ``0.757`` -> 0.001, ``3.5e-05`` -> 1e-06."""
    return 10.0 ** written.as_tuple().exponent


def decimals(written: Decimal) -> int:
    """Decimal places written (negative for ``1.2e3``-style numbers)."""
    return -written.as_tuple().exponent


def figures(written: Decimal) -> int:
    """Significant figures written (``0.0277`` -> 3, ``0.3900`` -> 4)."""
    digits = written.as_tuple().digits
    stripped = list(digits)
    while len(stripped) > 1 and stripped[0] == 0:
        stripped.pop(0)
    return max(len(stripped), 1)


def _finite(value) -> float | None:
    """``value`` as a finite float, or None."""
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return None if v != v or v in (float("inf"), float("-inf")) else v


def rounds_to(written: Decimal, value: float) -> bool:
    """``value`` rounded to the digits of ``written`` gives ``written`` (half a unit either way)."""
    v = _finite(value)
    if v is None:
        return False
    c = float(written)
    half = unit(written) / 2
    return abs(v - c) <= half * (1 + _REL) + _REL * abs(c)


def chops_to(written: Decimal, value: float) -> bool:
    """``value`` cut off after the digits of ``written`` gives ``written``."""
    v = _finite(value)
    if v is None:
        return False
    c = float(written)
    u = unit(written)
    slack = _REL * (abs(c) + u)
    if c > 0 or (c == 0 and v >= 0):      # c + u itself is the next number written, not c cut off
        return c - slack <= v < c + u - slack
    return c - u + slack < v <= c + slack


TWICE = 0.55
"""Rounded twice (to one more digit, then to the digits written: 0.560453 → 0.5605 → 0.561), a
value may lie this many units in the last place below the claim (above, for a negative one)."""


def window(written: Decimal, twice: bool = True) -> tuple[float, float]:
    """The values ``v`` that ``written`` stands for, rounded (once, or with ``twice`` also
    twice: :data:`TWICE`) or chopped: ``lo <= v <= hi``."""
    c = float(written)
    u = unit(written)
    half = u * (TWICE if twice else 0.5) * (1 + _REL) + _REL * abs(c)
    edge = u * 1e-6         # cut off, c + u itself is the next number written, not c
    if c > 0:
        return c - half, c + u - edge
    if c < 0:
        return c - u + edge, c + half
    return -u + edge, u - edge


def agrees(written: Decimal, value) -> bool:
    """``written`` is ``value`` rounded (once or twice) or chopped to the digits shown."""
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        return False
    lo, hi = window(written)
    return lo <= v <= hi
