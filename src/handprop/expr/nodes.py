"""The expression tree every step is written in.

One small tree (symbols, numbers, sums, products, quotients, powers, function
applications) prints itself as LaTeX and as plain text, with symbols or with the
numbers substituted, and evaluates either exactly (float64) or the way a person
does by hand (decimal, every intermediate rounded).  What is shown is therefore
what was computed.

A symbol names a quantity by its id (``out:H1``), a parameter (``param:w1``), an
input (``in:x1[1]``) or a target (``target:Y1[1]``); the caller supplies a
mapping from those keys to numbers.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Callable, Mapping

# ---------------------------------------------------------------- numbers


_FORMATTED: dict[tuple[float, int], str] = {}


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


# ---------------------------------------------------------------- names

_SIMPLE = re.compile(r"^([A-Za-z]+)(\d+)$")
_DOUBLE = re.compile(r"^([A-Za-z]+)(\d+)_(\d+)$")
_WORD = re.compile(r"^[A-Za-z]$")
_TEX_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
    "#": r"\#", "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%",
    "~": r"\textasciitilde{}", "<": r"\textless{}", ">": r"\textgreater{}",
}


def tex_escape(text: str) -> str:
    """Escape ``text`` for LaTeX text mode (and KaTeX's ``\\text``)."""
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)


@functools.lru_cache(maxsize=65536)
def tex_name(name: str) -> str:
    """A user's unit or parameter name as LaTeX: ``w5`` -> ``w_{5}``, ``h1_2`` -> ``h_{1,2}``."""
    if m := _SIMPLE.match(name):
        head, digits = m.groups()
        head = head if len(head) == 1 else rf"\mathrm{{{head}}}"
        return f"{head}_{{{digits}}}"
    if m := _DOUBLE.match(name):
        head, a, b = m.groups()
        head = head if len(head) == 1 else rf"\mathrm{{{head}}}"
        return f"{head}_{{{a},{b}}}"
    if _WORD.match(name):
        return name
    return rf"\text{{{tex_escape(name)}}}"


# ---------------------------------------------------------------- elementary functions


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _dsigmoid(z: Decimal) -> Decimal:
    return 1 / (1 + (-z).exp())


def _dtanh(z: Decimal) -> Decimal:
    e = (2 * z).exp()
    return (e - 1) / (e + 1)


def _exp(z: float) -> float:
    try:
        return math.exp(z)
    except OverflowError:
        return math.inf


@dataclass(frozen=True)
class Function:
    """An elementary function: its float and decimal forms and its notation."""

    name: str
    tex: str           # e.g. r"\sigma"
    txt: str           # e.g. "σ"
    f: Callable[[float, float], float]
    d: Callable[[Decimal, float], Decimal]
    tex_template: str | None = None   # with {x} and {a}; None -> tex(x)
    txt_template: str | None = None


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("sigmoid", r"\sigma", "σ", lambda z, a: _sigmoid(z), lambda z, a: _dsigmoid(z)),
        Function("tanh", r"\tanh", "tanh", lambda z, a: math.tanh(z), lambda z, a: _dtanh(z)),
        Function("relu", r"\operatorname{ReLU}", "ReLU", lambda z, a: z if z > 0 else 0.0,
                 lambda z, a: z if z > 0 else Decimal(0)),
        Function("leaky_relu", r"\operatorname{LReLU}", "LReLU",
                 lambda z, a: z if z > 0 else a * z,
                 lambda z, a: z if z > 0 else Decimal(repr(a)) * z),
        Function("exp", r"e", "exp", lambda z, a: _exp(z), lambda z, a: z.exp(),
                 tex_template="e^{{{x}}}", txt_template="e^({x})"),
        Function("ln", r"\ln", "ln", lambda z, a: math.log(z), lambda z, a: z.ln()),
        Function("step", "", "", lambda z, a: 1.0 if z > 0 else 0.0,
                 lambda z, a: Decimal(1) if z > 0 else Decimal(0),
                 tex_template=r"[{x} > 0]", txt_template="[{x} > 0]"),
        Function("leaky_step", "", "", lambda z, a: 1.0 if z > 0 else a,
                 lambda z, a: Decimal(1) if z > 0 else Decimal(repr(a)),
                 tex_template=r"\begin{{cases}}1 & {x} > 0\\ {a} & \text{{else}}\end{{cases}}",
                 txt_template="(1 if {x} > 0 else {a})"),
    )
}

# ---------------------------------------------------------------- the tree

ADD, MUL, DIV, POW, ATOM = 1, 2, 3, 4, 5


class Expr:
    """A node of the tree.  Subclasses are frozen dataclasses."""

    prec = ATOM

    def eval(self, env: Mapping[str, float]) -> float:
        raise NotImplementedError

    def hand(self, env: Mapping[str, Decimal], rnd: Callable[[Decimal], Decimal]) -> Decimal:
        """Evaluate as a person does: every intermediate result rounded by ``rnd``."""
        raise NotImplementedError

    def symbols(self) -> list[str]:
        """The keys of every symbol, in order of appearance, each once."""
        seen: dict[str, None] = {}
        self._collect(seen)
        return list(seen)

    def _collect(self, seen: dict[str, None]) -> None:
        for child in self.children():
            child._collect(seen)

    def children(self) -> tuple["Expr", ...]:
        return ()

    # operator sugar, so formulas read like formulas
    def __add__(self, other: "Expr") -> "Expr":
        return Add((self, other), (1, 1))

    def __sub__(self, other: "Expr") -> "Expr":
        return Add((self, other), (1, -1))

    def __mul__(self, other: "Expr") -> "Expr":
        return Mul((self, other))

    def __truediv__(self, other: "Expr") -> "Expr":
        return Div(self, other)


@dataclass(frozen=True, slots=True)
class Sym(Expr):
    """A named value: ``key`` is looked up in the environment."""

    key: str
    tex: str
    txt: str

    def eval(self, env):
        return env[self.key]

    def hand(self, env, rnd):
        return env[self.key]

    def _collect(self, seen):
        seen.setdefault(self.key, None)


@dataclass(frozen=True, slots=True)
class Num(Expr):
    """A constant of the formula itself (1, 2, 1/2), always shown as written."""

    value: float
    tex: str | None = None
    txt: str | None = None

    def eval(self, env):
        return self.value

    def hand(self, env, rnd):
        return Decimal(repr(self.value))


@dataclass(frozen=True, slots=True)
class Add(Expr):
    """A sum: ``terms[i]`` taken with sign ``signs[i]`` (+1 or -1)."""

    terms: tuple[Expr, ...]
    signs: tuple[int, ...]
    prec = ADD

    def children(self):
        return self.terms

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


@dataclass(frozen=True, slots=True)
class Mul(Expr):
    """A product; ``juxt`` writes ``w_1 x_1`` / ``(0.15)(0.05)`` instead of ``×``."""

    factors: tuple[Expr, ...]
    juxt: bool = False
    prec = MUL

    def children(self):
        return self.factors

    def eval(self, env):
        product = 1.0
        for i, factor in enumerate(self.factors):
            product = factor.eval(env) if i == 0 else product * factor.eval(env)
        return product

    def hand(self, env, rnd):
        product = None
        for factor in self.factors:
            value = factor.hand(env, rnd)
            product = value if product is None else rnd(product * value)
        return product


@dataclass(frozen=True, slots=True)
class Div(Expr):
    num: Expr
    den: Expr
    prec = DIV

    def children(self):
        return (self.num, self.den)

    def eval(self, env):
        return self.num.eval(env) / self.den.eval(env)

    def hand(self, env, rnd):
        return rnd(self.num.hand(env, rnd) / self.den.hand(env, rnd))


@dataclass(frozen=True, slots=True)
class Pow(Expr):
    base: Expr
    exponent: int
    prec = POW

    def children(self):
        return (self.base,)

    def eval(self, env):
        return self.base.eval(env) ** self.exponent

    def hand(self, env, rnd):
        return rnd(self.base.hand(env, rnd) ** self.exponent)


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    arg: Expr
    prec = MUL

    def children(self):
        return (self.arg,)

    def eval(self, env):
        return -self.arg.eval(env)

    def hand(self, env, rnd):
        return -self.arg.hand(env, rnd)


@dataclass(frozen=True, slots=True)
class Fn(Expr):
    """An elementary function of :data:`FUNCTIONS` applied to ``arg``."""

    name: str
    arg: Expr
    param: float = 0.0

    def children(self):
        return (self.arg,)

    def eval(self, env):
        return FUNCTIONS[self.name].f(self.arg.eval(env), self.param)

    def hand(self, env, rnd):
        fn = FUNCTIONS[self.name]
        with localcontext() as ctx:
            ctx.prec = 40
            value = fn.d(self.arg.hand(env, rnd), self.param)
        return rnd(value)


def num(value: float) -> Num:
    return Num(float(value))


def add(*terms: Expr) -> Expr:
    return terms[0] if len(terms) == 1 else Add(tuple(terms), (1,) * len(terms))


def mul(*factors: Expr, juxt: bool = False) -> Expr:
    return factors[0] if len(factors) == 1 else Mul(tuple(factors), juxt)


# ---------------------------------------------------------------- printing


class Printer:
    """Turns a tree into a string; ``env`` given -> symbols become their numbers.

    ``max_terms`` elides the middle of very long sums (display only).
    """

    times = " × "

    def __init__(self, env: Mapping[str, float] | None = None, digits: int = 6,
                 max_terms: int = 12):
        self.env = env
        self.digits = digits
        self.max_terms = max_terms
        self._dispatch = {cls: getattr(self, "_" + cls.__name__.lower())
                          for cls in (Sym, Num, Add, Mul, Div, Pow, Neg, Fn)}
        self._format = self.number
        # memoised (a trace repeats its numbers); lru_cache is C code, the cheapest lookup there is
        self.number = functools.lru_cache(maxsize=None)(self._format)  # type: ignore[method-assign]

    def __call__(self, e: Expr) -> str:
        return self._dispatch[type(e)](e)

    def show(self, e: Expr) -> str:
        return self._dispatch[type(e)](e)

    def wrap(self, inner: str) -> str:
        return f"({inner})"

    def child(self, e: Expr, parent_prec: int, strict: bool = False) -> str:
        if type(e) is Sym:  # the common case, kept fast
            if self.env is None:
                return self.symbol(e)
            value = self.env[e.key]
            text = self.number(value)
            return self.wrap(text) if value < 0 and parent_prec >= MUL else text
        text = self.show(e)
        if e.prec < parent_prec or (strict and e.prec == parent_prec):
            return self.wrap(text)
        if self.is_negative(e) and parent_prec >= MUL:
            return self.wrap(text)
        return text

    def children_text(self, items: tuple[Expr, ...], prec: int) -> list[str]:
        """``child`` over several nodes, with symbols handled inline (the hot path)."""
        env = self.env
        number = self.number
        attr = self.sym_attr
        out = []
        for f in items:
            if type(f) is Sym:
                if env is None:
                    out.append(getattr(f, attr))
                else:
                    value = env[f.key]
                    out.append(self.wrap(number(value)) if value < 0 else number(value))
            else:
                out.append(self.child(f, prec))
        return out

    sym_attr = "txt"

    def is_negative(self, e: Expr) -> bool:
        kind = type(e)
        if kind is Sym:
            return self.env is not None and self.env[e.key] < 0
        if kind is Neg:
            return True
        if kind is Num:
            return e.value < 0
        return False

    def number(self, value: float) -> str:
        raise NotImplementedError

    def _num(self, e: Num) -> str:
        return self.number(e.value) if self.custom(e) is None else self.custom(e)

    def custom(self, e: Num) -> str | None:
        return None

    def _sym(self, e: Sym) -> str:
        if self.env is None:
            return self.symbol(e)
        return self.number(self.env[e.key])

    def symbol(self, e: Sym) -> str:
        raise NotImplementedError

    dots = "…"

    minus = "- "
    lparen = "("

    def _add(self, e: Add) -> str:
        terms, signs = e.terms, e.signs
        elided = len(terms) > self.max_terms
        if elided:  # the first terms, "…", and the last two (the last weight and the bias)
            keep = self.max_terms - 4
            terms, signs = terms[:keep] + terms[-2:], signs[:keep] + signs[-2:]
        env = self.env
        out: list[str] = []
        for i, term in enumerate(terms):
            sign = signs[i]
            if type(term) is Sym:  # the common case, inline: a symbol or its number
                if env is None:
                    text = getattr(term, self.sym_attr)
                else:
                    value = env[term.key]
                    text = self.number(value)
                    if value < 0 and (i or sign < 0):
                        text = self.wrap(text)
            else:
                text = self.child(term, ADD, sign < 0)
                if i and not text.startswith(self.lparen) and self.is_negative(term):
                    text = self.wrap(text)
            if i:
                out.append(("+ " if sign > 0 else self.minus) + text)
            else:
                out.append(text if sign > 0 else "-" + text)
        if elided:
            out.insert(len(out) - 2, "+ " + self.dots)
        return " ".join(out)

    def _neg(self, e: Neg) -> str:  # −a·b needs no parentheses; −(a + b) does
        return "-" + self.child(e.arg, MUL)

    def _pow(self, e: Pow) -> str:
        base = self.child(e.base, POW, strict=True)
        if self.is_negative(e.base) and not base.startswith(self.lparen):
            base = self.wrap(base)
        return self.power(base, e.exponent)


class TextPrinter(Printer):
    """Plain text with Unicode: ``net_H1 = w1·x1 + w2·x2 + b1``."""

    times = " × "

    def number(self, value):
        return text_number(value, self.digits)

    def symbol(self, e):
        return e.txt

    def custom(self, e):
        return e.txt

    minus = "\u2212 "

    def _mul(self, e: Mul) -> str:
        texts = self.children_text(e.factors, MUL)
        if e.juxt:
            if self.env is None:
                return "·".join(texts)
            return "".join(t if t.startswith("(") else f"({t})" for t in texts)
        return self.times.join(texts)

    def _div(self, e: Div) -> str:
        return f"{self.child(e.num, DIV)} / {self.child(e.den, DIV, strict=True)}"

    def power(self, base: str, exponent: int) -> str:
        sup = str(exponent).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))
        return base + sup

    def _neg(self, e: Neg) -> str:
        return "\u2212" + self.child(e.arg, MUL)

    def _fn(self, e: Fn) -> str:
        fn = FUNCTIONS[e.name]
        arg = self.show(e.arg)
        if fn.txt_template:
            return fn.txt_template.format(x=arg, a=self.number(e.param))
        return f"{fn.txt}({arg})"


class LatexPrinter(Printer):
    """LaTeX math (KaTeX-compatible)."""

    dots = r"\cdots"
    lparen = r"\left("
    sym_attr = "tex"

    def number(self, value):
        return latex_number(value, self.digits)

    def symbol(self, e):
        return e.tex

    def custom(self, e):
        return e.tex

    def wrap(self, inner):
        return rf"\left({inner}\right)"

    def _mul(self, e: Mul) -> str:
        texts = self.children_text(e.factors, MUL)
        if e.juxt:
            if self.env is None:
                return " ".join(texts)
            return "".join(t if t.startswith(r"\left(") else f"({t})" for t in texts)
        return r" \times ".join(texts)

    def _div(self, e: Div) -> str:
        return rf"\frac{{{self.show(e.num)}}}{{{self.show(e.den)}}}"

    def power(self, base: str, exponent: int) -> str:
        if "^" in base and not base.startswith(r"\left("):  # out^{(1)}, e^{x}: no double superscript
            base = rf"\left({base}\right)"
        return f"{base}^{{{exponent}}}"

    def _fn(self, e: Fn) -> str:
        fn = FUNCTIONS[e.name]
        arg = self.show(e.arg)
        if fn.tex_template:
            return fn.tex_template.format(x=arg, a=self.number(e.param))
        return rf"{fn.tex}\left({arg}\right)"


def partial(e: Expr, env: Mapping[str, float]) -> Expr | None:
    """The next line a person writes: each term of a sum (or factor of a product
    of sums) worked out, e.g. ``(0.15)(0.05) + 0.35`` -> ``0.0075 + 0.35``.

    Returns ``None`` when there is no such intermediate line worth writing.
    """
    if isinstance(e, Add) and any(not isinstance(t, (Sym, Num)) for t in e.terms):
        return Add(tuple(_value(t, env) for t in e.terms), e.signs)
    if isinstance(e, (Mul, Div, Pow)) and any(not isinstance(c, (Sym, Num)) for c in e.children()):
        if isinstance(e, Mul):
            return Mul(tuple(_value(f, env) for f in e.factors), e.juxt)
        if isinstance(e, Div):
            return Div(_value(e.num, env), _value(e.den, env))
        return Pow(_value(e.base, env), e.exponent)
    return None


def _value(e: Expr, env: Mapping[str, float]) -> Expr:
    if isinstance(e, (Sym, Num)):
        return e
    return Num(e.eval(env), None, None)
