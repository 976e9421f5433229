"""The expression tree: numbers as a person writes them, elided sums, hand evaluation."""
from __future__ import annotations

import math

import pytest

from handprop.expr import Add, LatexPrinter, Mul, Neg, Num, Sym, TextPrinter, fmt_number

@pytest.mark.parametrize("value, text", [
    (0.3775, "0.3775"), (0.5932699921, "0.59327"), (-0.0396502, "-0.0396502"),
    (0.0000351019, "0.0000351019"), (1.5e-9, "1.5e-09"), (123456789.0, "1.23457e+08"),
    (0.0, "0"), (1.0, "1"), (2.5e-5, "0.000025"), (-1e-7, "-1e-07"),
])
def test_numbers_are_written_as_a_person_writes_them(value, text):
    assert fmt_number(value, 6) == text


def test_long_sums_are_elided_but_keep_their_ends():
    terms = tuple(Mul((Sym(f"param:w{i}"), Sym(f"in:x{i}")), juxt=True)
                  for i in range(1, 101)) + (Sym("param:b"),)
    text = TextPrinter(None, 6)(Add(terms, (1,) * len(terms)))
    assert text.startswith("w1·x1 + w2·x2") and text.endswith("w100·x100 + b") and "…" in text
    env = {k: 0.5 for k in Add(terms, (1,) * len(terms)).symbols()}
    assert math.isclose(Add(terms, (1,) * len(terms)).eval(env), 100 * 0.25 + 0.5)


def test_hand_evaluation_rounds_every_intermediate():
    from decimal import ROUND_HALF_UP, Decimal
    a, b = Sym("a"), Sym("b")
    e = Add((Mul((a, b)), Num(0.35)), (1, 1))
    rnd = lambda d: d.quantize(Decimal("0.01"), ROUND_HALF_UP)  # noqa: E731
    # 0.15 * 0.05 = 0.0075 -> 0.01 by hand; + 0.35 = 0.36 (exact: 0.3575)
    assert e.hand({"a": Decimal("0.15"), "b": Decimal("0.05")}, rnd) == Decimal("0.36")


def test_negative_numbers_are_bracketed_where_a_person_would():
    a, b = Sym("a"), Sym("b")
    env = {"a": 0.5, "b": -0.25}
    assert TextPrinter(env, 6)(Mul((a, b))) == "0.5 × (−0.25)"
    assert TextPrinter(env, 6)(Add((a, b), (1, -1))) == "0.5 − (−0.25)"
    assert LatexPrinter(env, 6)(Neg(Mul((a, b), juxt=True))) == r"-(0.5)\left(-0.25\right)"
