"""Slips of the pen: a number computed right and written down wrong.

A person who has 0.30554 on the calculator may write 0.30055 (a digit written twice, the
last one falling off), 0.30545 (two digits swapped) or 0.3054 (a digit dropped, the next one
moving up).  :func:`written_as` says whether a claim is one such slip of a value, and which.
Only the significant digits are slipped (a zero written twice before them is a decimal
slip, which :mod:`handprop.checking.mistakes` has), a claim needs at least
:data:`MIN_FIGURES` significant figures (with fewer, some slip of some value lands on almost
any number), and it must be more than :data:`NEAR` units in its last place from the value
(nearer, a slip in the last digits is anybody's guess).
"""
from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

MIN_FIGURES = 4
NEAR = 10
"""A claim within this many units in its last place of the value is not called a slip of the
pen: so near, a digit slipped at the end cannot be told from an arithmetic slip or drift."""


def _digits(value: Decimal, places: int, rounding) -> str | None:
    try:
        with localcontext() as ctx:
            ctx.prec = 60
            return str(abs(value).quantize(Decimal(1).scaleb(-places), rounding=rounding))
    except InvalidOperation:
        return None


def _slips(text: str, longer: str | None, start: int):
    """(written, what happened) for each slip of the digit string ``text`` (``longer``: the
    same number with one more digit, for a dropped digit) from position ``start`` on."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit() and i >= start]
    for a, b in zip(positions, positions[1:]):
        if b == a + 1 and text[a] != text[b]:
            yield text[:a] + text[b] + text[a] + text[b + 1:], f"the digits {text[a]}{text[b]} swapped"
    for i in positions:
        doubled = text[:i + 1] + text[i:]
        yield doubled[:len(text)], f"the {text[i]} written twice"
        if longer is not None and i < len(longer):
            dropped = longer[:i] + longer[i + 1:]
            if dropped[:len(text)].count(".") == text.count("."):
                yield dropped[:len(text)], f"the {text[i]} left out"


def written_as(claim: Decimal, value: float) -> str | None:
    """How ``claim`` is ``value`` written down with a slip of the pen, or None."""
    if not claim or value == 0 or (claim < 0) != (value < 0):
        return None
    places = max(-claim.as_tuple().exponent, 0)
    digits = len(claim.as_tuple().digits)
    if digits < MIN_FIGURES or places > 20:
        return None
    written = _digits(claim, places, ROUND_HALF_UP)
    if written is None or abs(float(claim) - value) <= NEAR * 10.0 ** -places:
        return None
    v = Decimal(f"{value:.15g}")        # the value without a float's noise in its last bits
    for rounding in (ROUND_HALF_UP, ROUND_DOWN):
        text = _digits(v, places, rounding)
        longer = _digits(v, places + 1, rounding)
        if text is None or len(text) != len(written) or text == written:
            continue
        start = next((i for i, ch in enumerate(text) if ch not in "0."), len(text))
        for slipped, what in _slips(text, longer, start):
            if slipped == written:
                shown = longer if what.endswith("left out") and longer is not None else text
                return f"{shown} written {written}: {what}"
    return None
