"""A tree as Python: compiled for speed, with the same operations in the same order.

:func:`python_source` writes the Python expression that computes a tree's
:meth:`~handprop.expr.nodes.Expr.eval` operation for operation (left-to-right
sums and products, the same function forms), so a compiled formula gives bit for
bit the number the tree gives.  Symbols become what ``symbol(key)`` says (by
default ``v['key']``, a lookup in the mapping ``v``).  With ``arrays=True`` the
functions take their numpy forms and a two-way case becomes ``where``: the
formula then computes whole layers and batches at once (the numpy training engine).

:func:`worked` is the line a person writes between the numbers substituted and
the result: each term of a sum (or factor of a product of sums) worked out.
"""
from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, Callable, Mapping

from .functions import Function
import math

from .nodes import Add, Cases, Div, Expr, Fn, Frac, Known, Max, Mul, Neg, Num, Partial, Pow, Stable, Sym

__all__ = ["python_source", "compile_expr", "compile_array", "worked", "Namespace"]


class Namespace:
    """The functions a piece of generated source calls, by the names it calls them."""

    def __init__(self, arrays: bool = False, xp: Any = None):
        self.arrays = arrays
        self.xp = xp
        self.names: dict[Function, str] = {}
        self.scope: dict[str, Any] = {}
        if arrays:
            self.scope["where"] = xp.where
            self.scope["maximum"] = lambda *args: functools.reduce(xp.maximum, args)
        else:
            self.scope["maximum"] = max

    def name(self, func: Function) -> str:
        found = self.names.get(func)
        if found is None:
            found = self.names[func] = f"F{len(self.names)}_{func.name}"
            if self.arrays:
                xp, array = self.xp, func.array
                self.scope[found] = lambda z, a, array=array: array(xp, z, a)
            else:
                self.scope[found] = func.f
        return found


def python_source(e: Expr, ns: Namespace, symbol: Callable[[str], str] = lambda k: f"v[{k!r}]") -> str:
    """Python source computing ``e`` with the same operations in the same order."""
    kind = type(e)
    if kind is Sym:
        return symbol(e.key)
    if kind is Num:
        if e.value != e.value or e.value in (float("inf"), float("-inf")):
            raise ValueError("not a finite constant")
        return f"({e.value!r})"
    if kind is Frac:
        return f"({e.p / e.q!r})"
    if kind is Add:
        text = ""
        for i, (sign, term) in enumerate(zip(e.signs, e.terms)):
            piece = python_source(term, ns, symbol)
            if i == 0:
                text = piece if sign > 0 else f"(0.0 - {piece})"
            else:
                text += (" + " if sign > 0 else " - ") + piece
        return f"({text})"
    if kind is Mul:
        return "(" + " * ".join(python_source(f, ns, symbol) for f in e.factors) + ")"
    if kind is Div:
        return f"({python_source(e.num, ns, symbol)} / {python_source(e.den, ns, symbol)})"
    if kind is Pow:
        return f"({python_source(e.base, ns, symbol)} ** {int(e.exponent)})"
    if kind is Neg:
        return f"(-{python_source(e.arg, ns, symbol)})"
    if kind is Fn:
        return f"{ns.name(e.func)}({python_source(e.arg, ns, symbol)}, {float(e.param)!r})"
    if kind is Cases:
        test, above, below = (python_source(c, ns, symbol) for c in (e.test, e.above, e.below))
        if ns.arrays:
            return f"where({test} > 0, {above}, {below})"
        return f"({above} if {test} > 0 else {below})"
    if kind is Stable:
        return python_source(e.computed, ns, symbol)
    if kind is Known:
        return python_source(e.formula, ns, symbol)
    if kind is Max:
        return "maximum(" + ", ".join(python_source(a, ns, symbol) for a in e.args) + ")"
    if kind is Partial:
        raise ValueError("a partial derivative in a chain rule is written, not computed")
    raise ValueError(f"cannot compile {kind.__name__}")


def compile_expr(e: Expr) -> Callable[[Mapping[str, float]], float]:
    """``e.eval`` as one compiled Python function of the values (bit for bit the same result);
    falls back to ``e.eval`` for a tree too deep to compile."""
    ns = Namespace()
    try:
        code = f"lambda v: {python_source(e, ns)}"
        return eval(code, ns.scope)  # noqa: S307 - source generated from our own tree
    except (SyntaxError, RecursionError, ValueError, MemoryError):
        return e.eval


def compile_array(e: Expr, args: tuple[str, ...], xp: Any) -> Callable[..., Any]:
    """``e`` as a function of arrays: the symbols ``args`` (keys) become its arguments, in order,
    and each function takes its array form (``xp`` is numpy)."""
    ns = Namespace(arrays=True, xp=xp)
    names = {key: f"a{i}" for i, key in enumerate(args)}
    body = python_source(e, ns, lambda k: names[k])
    return eval(f"lambda {', '.join(names.values())}: {body}", ns.scope)  # noqa: S307 - our own tree


def worked(e: Expr, env: Mapping[str, float]) -> Expr | None:
    """The next line a person writes: each term of a sum (or factor of a product of sums)
    worked out, e.g. ``(0.15)(0.05) + 0.35`` -> ``0.0075 + 0.35``; None when there is no
    such intermediate line worth writing."""
    kind = type(e)
    if kind is Cases:
        return worked(e.branch(env), env)
    if kind is Stable:        # the written form, worked, unless its pieces leave float64's range
        line = worked(e.shown, env)
        if line is None or all(type(c) is not Num or math.isfinite(c.value) for c in line.children()):
            return line
        return None
    if kind is Add or kind is Mul or kind is Div or kind is Pow:
        children = e.children()
        for c in children:
            if type(c) not in _LEAVES:
                return e.rebuild(tuple(_value(c, env) for c in children))
    return None


def worked_by_hand(e: Expr, env: Mapping[str, Decimal], rnd: Callable[[Decimal], Decimal]) -> Expr | None:
    """:func:`worked` as a person rounding by hand writes it: each term (or factor) worked
    out by hand from the rounded numbers of ``env`` and rounded by ``rnd``:
    ``(0.15)(0.05) + 0.35`` -> ``0.01 + 0.35`` at 2 places; None when there is no such line
    (or a term cannot be worked out by hand)."""
    kind = type(e)
    if kind is Cases:
        return worked_by_hand(e.above if e.test.hand(env, rnd) > 0 else e.below, env, rnd)
    if kind is Stable:
        return worked_by_hand(e.shown, env, rnd)
    if kind is Add or kind is Mul or kind is Div or kind is Pow:
        children = e.children()
        if all(type(c) in _LEAVES for c in children):
            return None
        try:
            return e.rebuild(tuple(c if type(c) in _LEAVES else Num(float(c.hand(env, rnd)))
                                   for c in children))
        except (ArithmeticError, ValueError):
            return None
    return None


_LEAVES = frozenset((Sym, Num, Frac))


def _value(e: Expr, env: Mapping[str, float]) -> Expr:
    if type(e) in _LEAVES:
        return e
    return Num(e.eval(env))
