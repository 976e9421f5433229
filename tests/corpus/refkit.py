"""Helpers for the corpus's reference scripts (plain Python, independent of handprop).

Each ``NAME/reference.py`` recomputes its source's numbers from the problem's givens with
these few functions and prints, for every claim, the exact value and how the written
number relates to it: ``=`` (the exact value rounded to the digits written), ``chop``
(the exact value cut off after them), or the difference in units of the last place.
"""
from __future__ import annotations

import math
from decimal import Decimal


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def relu(z: float) -> float:
    return z if z > 0 else 0.0


def decimals(text: str) -> int:
    d = Decimal(text)
    return max(0, -d.as_tuple().exponent)


def relation(exact: float, text: str) -> str:
    """How the written number ``text`` stands to ``exact``."""
    d = decimals(text)
    claimed = float(text)
    unit = 10.0 ** -d
    if abs(exact - claimed) <= unit / 2 * (1 + 1e-9):
        return "="
    chopped = math.trunc(exact / unit) * unit
    if abs(chopped - claimed) < unit * 1e-6:
        return "chop"
    return f"off by {(claimed - exact) / unit:+.2f} units"


def show(name: str, exact: float, text: str, note: str = "") -> None:
    print(f"{name:<28} exact {exact:+.12g}  written {text:<22} {relation(exact, text):<22} {note}")
