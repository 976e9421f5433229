"""Numbers as a person writes them: significant figures, trailing zeros dropped, a true minus.

Every printer writes numbers through these (memoised: a trace repeats its numbers).
"""
from __future__ import annotations

import math

__all__ = ["fmt_number", "latex_number", "text_number", "typst_number"]

_FORMATTED: dict[tuple[float, int], str] = {}


CONVENTIONS = ("calculator", "every-step")
"""How a function is worked by hand: ``calculator`` -- an activation is one key press,
applied exactly to the rounded net and its result rounded once (σ(0.38) = 0.5939 -> 0.59);
``every-step`` -- every operation inside it rounded too (1/(1 + e^−0.38) = 1/(1 + 0.68) =
1/1.68 -> 0.60).  Arithmetic (sums, products, quotients) rounds every result either way."""


def fmt_number(value: float, digits: int = 6) -> str:
    """``value`` to ``digits`` significant figures (memoised: traces repeat their numbers)."""
    key = (value, digits)
    text = _FORMATTED.get(key)
    if text is None:
        if len(_FORMATTED) > 1_000_000:
            _FORMATTED.clear()
        text = _FORMATTED[key] = _fmt_number(value, digits)
    return text


def _fmt_number(value: float, digits: int = 6) -> str:
    """``value`` to ``digits`` significant figures, trailing zeros dropped.

    Plain decimal notation from 1e-6 up to 1e7, scientific (``3.51e-05``)
    outside that range, as a person would write it.
    """
    if value != value:
        return "nan"
    if value in (math.inf, -math.inf):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    mag = abs(value)
    if 1e-4 <= mag < 1e7:  # fast path: 'g' gives the same text here, trailing zeros dropped
        text = f"{value:.{digits}g}"
        if "e" not in text:
            return text
    if 1e-6 <= mag < 1e7:
        exponent = math.floor(math.log10(mag))
        decimals = max(digits - 1 - exponent, 0)
        text = f"{value:.{decimals}f}"
        # rounding can carry into a new digit (0.99999996 -> 1.00000); fine either way
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    mantissa, _, exp = f"{value:.{max(digits - 1, 0)}e}".partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exp):+03d}"


def latex_number(value: float, digits: int = 6) -> str:
    text = fmt_number(value, digits)
    if "e" in text and text not in ("inf", "-inf", "nan"):
        mantissa, _, exp = text.partition("e")
        return rf"{mantissa} \times 10^{{{int(exp)}}}"
    if text == "inf":
        return r"\infty"
    if text == "-inf":
        return r"-\infty"
    return text


def text_number(value: float, digits: int = 6) -> str:
    return fmt_number(value, digits).replace("-", "\u2212") if value < 0 else fmt_number(value, digits)


def typst_number(value: float, digits: int = 6) -> str:
    """A number for Typst math: ``3.51 times 10^(-5)``, a true minus."""
    text = fmt_number(value, digits)
    if text == "inf":
        return "infinity"
    if text == "-inf":
        return "-infinity"
    if "e" in text and text != "nan":
        mantissa, _, exp = text.partition("e")
        return f"{mantissa} times 10^({int(exp)})"
    return text


def padded(text: str, value: float, mode: str, places: int) -> str:
    """``text`` (``value`` as some printer writes it) with the zeros a hand rounding keeps:
    0.6 at 2 decimal places is ``0.60``, at 3 significant figures ``0.600``.  A value that
    is not already rounded so (a given number written with more digits), a whole number
    or one in scientific notation is left as it is."""
    if value != value or value in (math.inf, -math.inf) or (value == int(value) and value != 0):
        return text
    mag = abs(value)
    if mag == 0:
        return f"{0:.{places}f}" if mode == "round" and text == "0" else text
    core = repr(mag)
    if "e" in core or core not in text:
        return text
    if mode == "round":
        full = f"{mag:.{places}f}"
    else:
        full = f"{mag:#.{places}g}".rstrip(".")
        if "e" in full:
            return text
    if float(full) != mag or len(full) <= len(core) or (mag == 0 and mode != "round"):
        return text
    return text.replace(core, full, 1)
