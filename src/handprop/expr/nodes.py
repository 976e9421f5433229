"""The nodes of the expression tree.

Every formula of a worked solution is one small tree: symbols, numbers,
fractions, sums, products, quotients, integer powers, negations, function
applications, two-way cases, a maximum, a number written one way and computed another
(:class:`Stable`) and (in chain-rule lines only) partial derivatives.
A node knows its value -- exactly in float64 (:meth:`Expr.eval`) or as a person
computes it by hand (:meth:`Expr.hand`: ``Decimal``, every intermediate rounded)
-- and its children; it knows nothing of how it is written: that is the
printers' choice (:mod:`handprop.expr.printers`).

A :class:`Sym` holds only a key: a quantity id (``out:H1``) or a given number
(``param:w1``, ``in:x1[2]``, ``target:Y1[2]``, ``eta``), looked up in the
environment the caller supplies.  Nodes are hashable values, never
changed once built (not frozen dataclasses only because those are slow to build, and a
large trace builds hundreds of thousands); a tree is rebuilt from new children with
:meth:`Expr.rebuild` (as sympy's ``func(*args)``).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:
    from .functions import Function

__all__ = ["Expr", "Sym", "Num", "Frac", "Add", "Mul", "Div", "Pow", "Neg", "Fn", "Cases", "Max",
           "Stable", "Partial", "Words", "Apply", "Written", "add", "mul", "sub", "num", "ONE", "TWO", "HALF", "ADD", "MUL", "DIV", "POW",
           "ATOM"]

ADD, MUL, DIV, POW, ATOM = 1, 2, 3, 4, 5
"""Binding strengths, loosest first: a child binding more loosely than its parent is bracketed."""

Rounder = Callable[[Decimal], Decimal]
HAND_PRECISION = 40
"""Digits of the decimal context in which a function is evaluated by hand (then rounded)."""


class Expr:
    """A node of the tree.  Subclasses are frozen dataclasses (hashable, comparable)."""

    __slots__ = ()
    prec = ATOM

    def eval(self, env: Mapping[str, float]) -> float:
        """The value in float64, symbols looked up in ``env``."""
        raise NotImplementedError

    def hand(self, env: Mapping[str, Decimal], rnd: Rounder) -> Decimal:
        """The value as a person computes it: every intermediate result rounded by ``rnd``."""
        raise NotImplementedError

    def children(self) -> tuple["Expr", ...]:
        return ()

    def rebuild(self, children: tuple["Expr", ...]) -> "Expr":
        """The same node over new children (in the order of :meth:`children`)."""
        return self

    def symbols(self) -> list[str]:
        """The keys of every symbol, in order of appearance, each once."""
        seen: dict[str, None] = {}      # a key set again keeps its first place
        stack = [self]
        pop, push = stack.pop, stack.extend
        while stack:                     # iterative: a sum of 50,000 terms must not recurse
            e = pop()
            if type(e) is Sym:
                seen[e.key] = None
            else:
                push(reversed(e.children()))
        return list(seen)

    # operator sugar, so formulas read like formulas
    def __add__(self, other: "Expr") -> "Expr":
        return Add((self, other), (1, 1))

    def __sub__(self, other: "Expr") -> "Expr":
        return Add((self, other), (1, -1))

    def __mul__(self, other: "Expr") -> "Expr":
        return Mul((self, other))

    def __truediv__(self, other: "Expr") -> "Expr":
        return Div(self, other)

    def __neg__(self) -> "Expr":
        return Neg(self)


@dataclass(slots=True, unsafe_hash=True)
class Sym(Expr):
    """A named value: ``key`` is looked up in the environment."""

    key: str

    def eval(self, env):
        return env[self.key]

    def hand(self, env, rnd):
        return env[self.key]


@dataclass(slots=True, unsafe_hash=True)
class Num(Expr):
    """A number written into the formula: a constant (2), or a value worked out on a line."""

    value: float

    def eval(self, env):
        return self.value

    def hand(self, env, rnd):
        return Decimal(repr(self.value))


@dataclass(slots=True, unsafe_hash=True)
class Frac(Expr):
    """A rational constant of the formula, written as a fraction: ½, 1/n, 2/n."""

    p: int
    q: int

    def eval(self, env):
        return self.p / self.q

    def hand(self, env, rnd):
        with localcontext() as ctx:
            ctx.prec = HAND_PRECISION
            return Decimal(self.p) / Decimal(self.q)

    @property
    def prec(self):  # noqa: D401 - a fraction binds like a quotient unless it is a whole number
        return ATOM if self.q == 1 else DIV


@dataclass(slots=True, unsafe_hash=True)
class Add(Expr):
    """A sum: ``terms[i]`` taken with sign ``signs[i]`` (+1 or -1), added left to right."""

    terms: tuple[Expr, ...]
    signs: tuple[int, ...]
    prec = ADD

    def children(self):
        return self.terms

    def rebuild(self, children):
        return Add(tuple(children), self.signs)

    def eval(self, env):
        total = 0.0
        for sign, term in zip(self.signs, self.terms):
            total = total + term.eval(env) if sign > 0 else total - term.eval(env)
        return total

    def hand(self, env, rnd):
        total = Decimal(0)
        for sign, term in zip(self.signs, self.terms):
            value = term.hand(env, rnd)
            total = rnd(total + value if sign > 0 else total - value)
        return total


@dataclass(slots=True, unsafe_hash=True)
class Mul(Expr):
    """A product, multiplied left to right; ``juxt`` writes ``w_1 x_1`` / ``(0.15)(0.05)``
    instead of ``×``."""

    factors: tuple[Expr, ...]
    juxt: bool = False
    prec = MUL

    def children(self):
        return self.factors

    def rebuild(self, children):
        return Mul(tuple(children), self.juxt)

    def eval(self, env):
        factors = self.factors
        product = factors[0].eval(env)
        for factor in factors[1:]:
            product = product * factor.eval(env)
        return product

    def hand(self, env, rnd):
        product = None
        for factor in self.factors:
            value = factor.hand(env, rnd)
            product = value if product is None else rnd(product * value)
        return product


@dataclass(slots=True, unsafe_hash=True)
class Div(Expr):
    num: Expr
    den: Expr
    prec = DIV

    def children(self):
        return (self.num, self.den)

    def rebuild(self, children):
        return Div(*children)

    def eval(self, env):
        return self.num.eval(env) / self.den.eval(env)

    def hand(self, env, rnd):
        return rnd(self.num.hand(env, rnd) / self.den.hand(env, rnd))


@dataclass(slots=True, unsafe_hash=True)
class Pow(Expr):
    base: Expr
    exponent: int
    prec = POW

    def children(self):
        return (self.base,)

    def rebuild(self, children):
        return Pow(children[0], self.exponent)

    def eval(self, env):
        return self.base.eval(env) ** self.exponent

    def hand(self, env, rnd):
        return rnd(self.base.hand(env, rnd) ** self.exponent)


@dataclass(slots=True, unsafe_hash=True)
class Neg(Expr):
    arg: Expr
    prec = MUL

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return Neg(children[0])

    def eval(self, env):
        return -self.arg.eval(env)

    def hand(self, env, rnd):
        return -self.arg.hand(env, rnd)


@dataclass(slots=True, unsafe_hash=True)
class Fn(Expr):
    """A :class:`~handprop.expr.functions.Function` applied to ``arg`` (with a parameter,
    e.g. a leaky ReLU's slope).  By hand it is one key press of a calculator: the
    argument worked out, the function applied exactly, the result rounded."""

    func: "Function"
    arg: Expr
    param: float = 0.0

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return Fn(self.func, children[0], self.param)

    def eval(self, env):
        return self.func.f(self.arg.eval(env), self.param)

    def hand(self, env, rnd):
        with localcontext() as ctx:
            ctx.prec = HAND_PRECISION
            value = self.func.d(self.arg.hand(env, rnd), self.param)
        return rnd(value)


@dataclass(slots=True, unsafe_hash=True)
class Cases(Expr):
    """``above`` when ``test > 0``, else ``below`` (a piecewise definition: ReLU's kin).

    Only the branch taken is evaluated; written with numbers, only that branch is shown.
    """

    test: Expr
    above: Expr
    below: Expr

    def children(self):
        return (self.test, self.above, self.below)

    def rebuild(self, children):
        return Cases(*children)

    def eval(self, env):
        return self.above.eval(env) if self.test.eval(env) > 0 else self.below.eval(env)

    def hand(self, env, rnd):
        return self.above.hand(env, rnd) if self.test.hand(env, rnd) > 0 else self.below.hand(env, rnd)

    def branch(self, env: Mapping[str, float]) -> Expr:
        """The branch taken with the numbers of ``env``."""
        return self.above if self.test.eval(env) > 0 else self.below


@dataclass(slots=True, unsafe_hash=True)
class Max(Expr):
    """The largest of ``args`` (a shift that keeps e^x in float64's range; see :class:`Stable`)."""

    args: tuple[Expr, ...]

    def children(self):
        return self.args

    def rebuild(self, children):
        return Max(tuple(children))

    def eval(self, env):
        return max(a.eval(env) for a in self.args)

    def hand(self, env, rnd):
        return max(a.hand(env, rnd) for a in self.args)


@dataclass(slots=True, unsafe_hash=True)
class Stable(Expr):
    """One number, written as ``shown`` and computed in float64 as ``computed``: the same
    function rearranged so that no intermediate leaves float64's range (softmax shifted by
    its largest net, softplus through log1p).  Every printer writes ``shown``; by hand it is
    worked as ``shown`` (decimals do not overflow, and that is what a person writes); the
    engine and every compiled form compute ``computed``.  The two agree to float64 rounding
    wherever ``shown`` does not overflow (tests/test_tables.py checks it)."""

    shown: Expr
    computed: Expr

    def children(self):
        return (self.shown, self.computed)

    def rebuild(self, children):
        return Stable(*children)

    @property
    def prec(self):  # noqa: D401 - it binds as what is written
        return self.shown.prec

    def eval(self, env):
        return self.computed.eval(env)

    def hand(self, env, rnd):
        return self.shown.hand(env, rnd)


@dataclass(slots=True, unsafe_hash=True)
class Partial(Expr):
    """The partial derivative ∂top/∂bottom as written in a chain rule (``top`` and ``bottom``
    are keys, as a :class:`Sym`'s); it stands for a factor, it has no value of its own."""

    top: str
    bottom: str

    def eval(self, env):
        raise TypeError(f"∂{self.top}/∂{self.bottom} is written, not computed")

    hand = eval


@dataclass(slots=True, unsafe_hash=True)
class Known(Expr):
    """A factor written as the partial derivative ∂top/∂bottom, whose number is the value of
    ``formula`` (an entry of a Jacobian that has no quantity of its own: ∂out_Y2/∂net_Y1 =
    −out_Y2·out_Y1).  Written with symbols it is the partial; with the numbers, its value."""

    formula: Expr
    top: str
    bottom: str

    def children(self):
        return (self.formula,)

    def rebuild(self, children):
        return Known(children[0], self.top, self.bottom)

    def eval(self, env):
        return self.formula.eval(env)

    def hand(self, env, rnd):
        return rnd(self.formula.hand(env, rnd))


@dataclass(slots=True, unsafe_hash=True)
class Words(Expr):
    """Words inside a formula, set upright: ``E_total(the updated weights)``; written only."""

    text: str

    def eval(self, env):
        raise TypeError(f"{self.text!r} is written, not computed")

    hand = eval


@dataclass(slots=True, unsafe_hash=True)
class Apply(Expr):
    """A quantity written as a function of something: ``E_total(updated weights)``; written only."""

    head: Expr
    arg: Expr

    def children(self):
        return (self.head, self.arg)

    def rebuild(self, children):
        return Apply(*children)

    def eval(self, env):
        raise TypeError("a written application has no value of its own")

    hand = eval


@dataclass(slots=True, unsafe_hash=True)
class Written(Expr):
    """A formula already written, by notation (``(("latex", ...), ("text", ...))``): what a
    trace read back from JSON holds in place of its trees.  Written only."""

    texts: tuple[tuple[str, str], ...]

    def eval(self, env):
        raise TypeError("a formula read back as text has no value of its own")

    hand = eval

    def text(self, notation: str) -> str:
        for key, value in self.texts:
            if key == notation:
                return value
        raise ValueError(f"this formula was read back written in {', '.join(k for k, _ in self.texts)} "
                         f"only, not {notation}")


ONE = Num(1.0)
TWO = Num(2.0)
HALF = Frac(1, 2)


def num(value: float) -> Num:
    return Num(float(value))


def add(*terms: Expr) -> Expr:
    """The sum of ``terms`` (one term: itself)."""
    return terms[0] if len(terms) == 1 else Add(tuple(terms), (1,) * len(terms))


def sub(a: Expr, b: Expr) -> Expr:
    return Add((a, b), (1, -1))


def mul(*factors: Expr, juxt: bool = False) -> Expr:
    """The product of ``factors`` (one factor: itself)."""
    return factors[0] if len(factors) == 1 else Mul(tuple(factors), juxt)
