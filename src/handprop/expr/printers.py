"""Printers: a tree written as plain text, LaTeX or Typst, with symbols or with numbers.

One :class:`Printer` base class walks the tree; each node type is printed by a
``_<node>`` method found by the node's class (sympy's pattern), so a new printer
is one subclass and a new node is one method.  Notation is the printer's
choice: a :class:`~handprop.expr.nodes.Sym` holds only a key, and the printer
decides how ``net:H1[2]`` is written (``net_H1[2]``, ``\\mathrm{net}_{H_{1}}^{(2)}``,
``"net"_(H_1)^((2))``), how a function's :class:`~handprop.expr.functions.Notation`
looks, how a number is set.

Given an environment (``env``: key -> number), symbols are written as their
numbers: that is the line of a worked solution with the numbers substituted.
``max_terms`` elides the middle of very long sums (display only).
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable, Mapping

from ..quantities import OPTIMIZER_KINDS, TOTAL, Subject, optimizer_symbol, parse
from .functions import Notation
from .nodes import (ADD, ATOM, DIV, MUL, POW, Add, Apply, Cases, Div, Expr, Fn, Frac, Max, Mul, Neg,
                    Known, Num, Partial, Pow, Stable, Sym, Words, Written)
from .numbers import latex_number, text_number, typst_number

__all__ = ["Printer", "TextPrinter", "LatexPrinter", "TypstPrinter", "PRINTERS", "tex_name",
           "tex_escape", "typst_name", "typst_string"]

# ---------------------------------------------------------------- names in each notation

_SIMPLE = re.compile(r"^([A-Za-z]+)(\d+)$")
_DOUBLE = re.compile(r"^([A-Za-z]+)(\d+)_(\d+)$")
_LETTER = re.compile(r"^[A-Za-z]$")
_TEX_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
    "#": r"\#", "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%",
    "~": r"\textasciitilde{}", "<": r"\textless{}", ">": r"\textgreater{}",
}


@functools.lru_cache(maxsize=65536)
def tex_escape(text: str) -> str:
    """``text`` for LaTeX text mode (and KaTeX's ``\\text``)."""
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)


@functools.lru_cache(maxsize=65536)
def tex_name(name: str) -> str:
    """A user's unit or parameter name in LaTeX: ``w5`` -> ``w_{5}``, ``h1_2`` -> ``h_{1,2}``."""
    if m := _SIMPLE.match(name):
        head, digits = m.groups()
        head = head if len(head) == 1 else rf"\mathrm{{{head}}}"
        return f"{head}_{{{digits}}}"
    if m := _DOUBLE.match(name):
        head, a, b = m.groups()
        head = head if len(head) == 1 else rf"\mathrm{{{head}}}"
        return f"{head}_{{{a},{b}}}"
    if _LETTER.match(name):
        return name
    return rf"\text{{{tex_escape(name)}}}"


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal (upright text inside math)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif not ch.isprintable():
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@functools.lru_cache(maxsize=65536)
def typst_name(name: str) -> str:
    """A user's name in Typst math: ``w5`` -> ``w_5``, ``h1_2`` -> ``h_(1,2)``, else quoted."""
    if m := _SIMPLE.match(name):
        head, digits = m.groups()
        head = head if len(head) == 1 else typst_string(head)
        return f"{head}_{digits}"
    if m := _DOUBLE.match(name):
        head, a, b = m.groups()
        head = head if len(head) == 1 else typst_string(head)
        return f"{head}_({a},{b})"
    if _LETTER.match(name):
        return name
    return typst_string(name)


# ---------------------------------------------------------------- the base printer


_NODES = (Sym, Num, Frac, Add, Mul, Div, Pow, Neg, Fn, Cases, Max, Stable, Partial, Known, Words, Apply,
          Written)


@functools.lru_cache(maxsize=None)
def _dispatch(printer: type) -> dict[type, Any]:
    """Each node class's method (``_add`` for :class:`Add`) of a printer class, unbound."""
    return {cls: getattr(printer, "_" + cls.__name__.lower()) for cls in _NODES}


def _formatter(number_format, digits: int):
    def written(value: float) -> str:
        return number_format(value, digits)
    return written


class Printer:
    """Turns a tree into a string; ``env`` given -> symbols become their numbers."""

    name = "base"
    times = " × "
    lparen = "("
    dots = "…"
    plus = "+ "
    minus = "- "
    neg = "-"

    def __init__(self, env: Mapping[str, float] | None = None, digits: int = 6,
                 max_terms: int = 12):
        self.env = env
        self.digits = digits
        self.max_terms = max_terms
        # Nothing a printer holds refers back to it (no bound methods, no closures over self),
        # so a printer and everything it memoised is freed when its trace is, without waiting
        # for the cyclic garbage collector (the server works thousands of traces a second).
        self._dispatch = _dispatch(type(self))
        if type(self).format_number is Printer.format_number:
            self.plain_number = _formatter(type(self).number_format, digits)
        else:                   # a printer of someone else's that writes numbers its own way
            self.plain_number = self.format_number  # type: ignore[method-assign]
        # memoised (a trace repeats its numbers); lru_cache is C code, the cheapest lookup there is
        self.number = functools.lru_cache(maxsize=None)(self.plain_number)  # type: ignore[method-assign]
        cache = _SYMBOLS.setdefault(type(self), {})
        if len(cache) > 500_000:
            cache.clear()
        self._symbols = cache

    def __call__(self, e: Expr) -> str:
        return self._dispatch[type(e)](self, e)

    show = __call__

    def member(self, e: Expr) -> str:
        """``self(e)``, a symbol or a number (the commonest members of a chain) written at once."""
        kind = type(e)
        if kind is Sym:
            if self.env is None:
                return self._symbols.get(e.key) or self.symbol(e.key)
            return self.number(self.env[e.key])
        if kind is Num:
            return self.number(e.value)
        return self._dispatch[kind](self, e)

    # -- hooks every printer fills in

    @staticmethod
    def number_format(value: float, digits: int) -> str:
        """A number written to ``digits`` significant figures in this notation (the hook a
        printer class fills in; overriding :meth:`format_number` works too)."""
        raise NotImplementedError

    def format_number(self, value: float) -> str:
        """A number as this printer writes it (to its ``digits``), not memoised."""
        return self.plain_number(value)

    def quantity(self, s: Subject) -> str:
        """How a quantity (or given number) is written."""
        raise NotImplementedError

    def partial_symbol(self, top: str, bottom: str) -> str:
        """``∂top/∂bottom`` as a fraction of two symbols (the loss written ``E``)."""
        loss = _loss_top(top)
        t = self.loss_symbol(loss.sample) if loss is not None else self.symbol(top)
        return self.partial_fraction(t, self.symbol(bottom))

    def loss_symbol(self, sample: int | None) -> str:
        raise NotImplementedError

    def partial_fraction(self, top: str, bottom: str) -> str:
        raise NotImplementedError

    def wrap(self, inner: str) -> str:
        return f"({inner})"

    def symbol(self, key: str) -> str:
        """A symbol's notation (memoised per printer class: notation does not depend on numbers)."""
        text = self._symbols.get(key)
        if text is None:
            s = parse(key)
            text = self._symbols[key] = self.quantity(s) if s is not None else self.unknown(key)
        return text

    def unknown(self, key: str) -> str:
        return key

    # -- precedence and brackets

    def child(self, e: Expr, parent_prec: int, strict: bool = False) -> str:
        if type(e) is Sym:  # the common case, kept fast
            if self.env is None:
                return self._symbols.get(e.key) or self.symbol(e.key)
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
        syms = self._symbols
        out = []
        for f in items:
            if type(f) is Sym:
                if env is None:
                    out.append(syms.get(f.key) or self.symbol(f.key))
                else:
                    value = env[f.key]
                    out.append(self.wrap(number(value)) if value < 0 else number(value))
            else:
                out.append(self.child(f, prec))
        return out

    def is_negative(self, e: Expr) -> bool:
        kind = type(e)
        if kind is Sym:
            return self.env is not None and self.env[e.key] < 0
        if kind is Neg:
            return True
        if kind is Num:
            return e.value < 0
        if kind is Known:
            return self.env is not None and e.formula.eval(self.env) < 0
        return False

    # -- the nodes

    def _sym(self, e: Sym) -> str:
        if self.env is None:
            return self._symbols.get(e.key) or self.symbol(e.key)
        return self.number(self.env[e.key])

    def _num(self, e: Num) -> str:
        return self.number(e.value)

    def _frac(self, e: Frac) -> str:
        if e.q == 1:
            return self.number(float(e.p))
        return self.fraction(e.p, e.q)

    def fraction(self, p: int, q: int) -> str:
        return f"{p}/{q}"

    def _add(self, e: Add) -> str:
        terms, signs = e.terms, e.signs
        elided = len(terms) > self.max_terms
        if elided:  # the first terms, "…", and the last two (the last weight and the bias)
            keep = self.max_terms - 4
            terms, signs = terms[:keep] + terms[-2:], signs[:keep] + signs[-2:]
        env = self.env
        syms = self._symbols
        out: list[str] = []
        for i, term in enumerate(terms):
            sign = signs[i]
            if type(term) is Sym:  # the common case, inline: a symbol or its number
                if env is None:
                    text = syms.get(term.key) or self.symbol(term.key)
                else:
                    value = env[term.key]
                    text = self.number(value)
                    if value < 0 and (i or sign < 0):
                        text = self.wrap(text)
            elif type(term) is Num:
                value = term.value
                text = self.number(value)
                if value < 0 and (i or sign < 0):
                    text = self.wrap(text)
            elif type(term) is Mul:     # binds tighter than a sum: never bracketed, never negative
                text = self._mul(term)
            else:
                text = self.child(term, ADD, sign < 0)
                if i and not text.startswith(self.lparen) and self.is_negative(term):
                    text = self.wrap(text)
            if i:
                out.append((self.plus if sign > 0 else self.minus) + text)
            else:
                out.append(text if sign > 0 else self.neg + text)
        if elided:
            out.insert(len(out) - 2, self.plus + self.dots)
        return " ".join(out)

    def _neg(self, e: Neg) -> str:  # −a·b needs no parentheses; −(a + b) does
        if self.env is not None and _is_zero(e.arg, self.env):
            return self.child(e.arg, MUL)   # −t/y with t = 0 is written 0/y, never "−0"
        return self.neg + self.child(e.arg, MUL)

    def _pow(self, e: Pow) -> str:
        base = self.child(e.base, POW, strict=True)
        if self.is_negative(e.base) and not base.startswith(self.lparen):
            base = self.wrap(base)
        elif self.env is None and type(e.base) is Sym and e.base.key.startswith("grad:"):
            base = self.wrap(base)      # (∂E/∂w5)²: a derivative squared, not ∂E/∂w5² (the optimizers' g²)
        return self.power(base, e.exponent)

    def power(self, base: str, exponent: int) -> str:
        raise NotImplementedError

    side_by_side = False
    """A chain rule of derivatives is written side by side, without ×, as in print."""

    def _mul(self, e: Mul) -> str:
        if self.side_by_side and self.env is None and type(e.factors[0]) is Partial:
            return " ".join(self.show(f) for f in e.factors)
        texts = self.children_text(e.factors, MUL)
        if e.juxt:
            if self.env is None:
                return self.juxt_join.join(texts)
            return "".join(t if t.startswith(self.lparen) else f"({t})" for t in texts)
        return self.times.join(texts)

    juxt_join = " "

    def _div(self, e: Div) -> str:
        return f"{self.child(e.num, DIV)} / {self.child(e.den, DIV, strict=True)}"

    def _fn(self, e: Fn) -> str:
        note: Notation = e.func.notation
        if note.kind == "clamp":
            arg = self.show(e.arg)
            return self.wrap(arg) if e.arg.prec < ATOM else arg
        arg = self.show(e.arg)
        if note.kind == "exp":
            return self.exp(arg)
        if note.kind == "indicator":
            return f"[{arg} > 0]"
        if note.kind == "abs":
            return self.bars(arg)
        return self.op(note.word, arg)

    def bars(self, arg: str) -> str:
        return f"|{arg}|"

    def exp(self, arg: str) -> str:
        raise NotImplementedError

    def op(self, word: str, arg: str) -> str:
        return f"{word}({arg})"

    def _cases(self, e: Cases) -> str:
        if self.env is not None:       # with the numbers, the branch taken
            return self.show(e.branch(self.env))
        return self.cases(self.show(e.above), self.show(e.test), self.show(e.below))

    def cases(self, above: str, test: str, below: str) -> str:
        return f"({above} if {test} > 0 else {below})"

    def _stable(self, e: Stable) -> str:
        return self.show(e.shown)

    def _max(self, e: Max) -> str:
        return self.op("max", ", ".join(self.show(a) for a in e.args))

    def _partial(self, e: Partial) -> str:
        key = (e.top, e.bottom)                       # memoised with the symbols
        text = self._symbols.get(key)
        if text is None:
            text = self._symbols[key] = self.partial_symbol(e.top, e.bottom)
        return text

    def _known(self, e: Known) -> str:
        if self.env is None:
            return self._partial(Partial(e.top, e.bottom))
        return self.number(e.formula.eval(self.env))

    def _words(self, e: Words) -> str:
        return self.words(e.text)

    def words(self, text: str) -> str:
        return text

    def _written(self, e: Written) -> str:
        return e.text(self.name)

    def _apply(self, e: Apply) -> str:
        return f"{self.show(e.head)}{self.wrap(self.show(e.arg))}"


_SYMBOLS: dict[type, dict[str, str]] = {}


def _loss_top(top: str) -> Subject | None:
    """The sample of a derivative's numerator when it is the loss (``E:total[k]``), else None."""
    s = parse(top)
    return s if s is not None and s.kind == "E" and s.name == "total" else None


# ---------------------------------------------------------------- plain text


class TextPrinter(Printer):
    """Plain text with Unicode: ``net_H1 = w1·x1 + w2·x2 + b1``."""

    name = "text"
    minus = "\u2212 "
    neg = "\u2212"
    juxt_join = "·"

    number_format = staticmethod(text_number)

    def quantity(self, s: Subject) -> str:
        sfx = f"[{s.sample}]" if s.sample else ""
        n = s.name
        if s.kind in OPTIMIZER_KINDS:
            return optimizer_symbol(s, "text")
        if s.kind == "E":
            return ("E_total" if n == "total" else f"E_{n}") + sfx
        if s.kind == "new":
            return "E_total⁺" if n == TOTAL else f"{n}⁺"
        return _TEXT_KINDS[s.kind](n) + sfx

    def partial_symbol(self, top, bottom):
        t, b = parse(top), parse(bottom)
        sample = (t.sample if t else None) or (b.sample if b else None)
        top_text = "E" if _loss_top(top) else self._bare(top)
        return f"∂{top_text}/∂{self._bare(bottom)}" + (f"[{sample}]" if sample else "")

    def _bare(self, key: str) -> str:
        s = parse(key)
        if s is None:
            return key
        return self.quantity(Subject(s.kind, s.name))

    def _div(self, e: Div) -> str:
        return f"{self.child(e.num, DIV)} / {self.child(e.den, DIV, strict=True)}"

    def fraction(self, p, q):
        return _VULGAR.get((p, q)) or f"({p}/{q})"

    def power(self, base, exponent):
        return base + str(exponent).translate(_SUPERSCRIPTS)

    def exp(self, arg):
        return f"e^({arg})"

    def op(self, word, arg):
        return f"{word}({arg})"


_TEXT_KINDS: dict[str, Callable[[str], str]] = {
    "net": lambda n: "net_" + n, "out": lambda n: "out_" + n, "in": lambda n: n,
    "target": lambda n: "t_" + n, "dE/dout": lambda n: "∂E/∂out_" + n,
    "dout/dnet": lambda n: f"∂out_{n}/∂net_{n}", "delta": lambda n: "δ_" + n,
    "grad": lambda n: "∂E/∂" + n, "param": lambda n: n, "eta": lambda n: "η"}
_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_VULGAR = {(1, 2): "½", (1, 3): "⅓", (2, 3): "⅔", (1, 4): "¼", (3, 4): "¾", (1, 5): "⅕",
           (1, 6): "⅙", (1, 8): "⅛"}


# ---------------------------------------------------------------- LaTeX (KaTeX-compatible)

_TEX_OPS = {"σ": r"\sigma", "tanh": r"\tanh", "cosh": r"\cosh", "sinh": r"\sinh", "ln": r"\ln",
            "exp": r"\exp", "log": r"\log",
            "Φ": r"\Phi", "φ": r"\varphi"}


_TEX_KINDS: dict[str, Callable[[str], str]] = {
    "net": lambda n: rf"\mathrm{{net}}_{{{n}}}", "out": lambda n: rf"\mathrm{{out}}_{{{n}}}",
    "target": lambda n: f"t_{{{n}}}", "delta": lambda n: rf"\delta_{{{n}}}", "param": lambda n: n,
    "eta": lambda n: r"\eta"}


class LatexPrinter(Printer):
    """LaTeX math, as KaTeX and pdfLaTeX read it."""

    name = "latex"
    dots = r"\cdots"
    lparen = r"\left("
    times = r" \times "

    number_format = staticmethod(latex_number)

    def wrap(self, inner):
        return rf"\left({inner}\right)"

    def quantity(self, s: Subject) -> str:
        sup = f"^{{({s.sample})}}" if s.sample else ""
        kind = s.kind
        if kind in OPTIMIZER_KINDS:
            return optimizer_symbol(s, "latex", tex_name)
        n = tex_name(s.name) if kind not in ("E", "new", "eta") or s.name not in ("total", TOTAL) else ""
        if kind == "E":
            return (r"E_{\mathrm{total}}" if s.name == "total" else f"E_{{{n}}}") + sup
        if kind == "new":
            return r"E_{\mathrm{total}}^{+}" if s.name == TOTAL else f"{n}^{{+}}"
        if kind == "in":
            return f"{{{n}}}{sup}"
        if kind == "dE/dout":
            return rf"\frac{{\partial E{sup}}}{{\partial \mathrm{{out}}_{{{n}}}}}"
        if kind == "dout/dnet":
            return rf"\frac{{\partial \mathrm{{out}}_{{{n}}}{sup}}}{{\partial \mathrm{{net}}_{{{n}}}}}"
        if kind == "grad":
            return rf"\frac{{\partial E{sup}}}{{\partial {n}}}"
        return _TEX_KINDS[kind](n) + sup

    def unknown(self, key):
        return rf"\text{{{tex_escape(key)}}}"

    def words(self, text):
        return rf"\text{{{tex_escape(text)}}}"

    side_by_side = True

    def loss_symbol(self, sample):
        return "E" + (f"^{{({sample})}}" if sample else "")

    def partial_fraction(self, top, bottom):
        return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"

    def _div(self, e: Div) -> str:
        return rf"\frac{{{self.show(e.num)}}}{{{self.show(e.den)}}}"

    def fraction(self, p, q):
        return rf"\tfrac{{{p}}}{{{q}}}"

    def power(self, base, exponent):
        if "^" in base and not base.startswith(r"\left("):  # out^{(1)}, e^{x}: no double superscript
            base = rf"\left({base}\right)"
        return f"{base}^{{{exponent}}}"

    def exp(self, arg):
        return f"e^{{{arg}}}"

    def op(self, word, arg):
        if word == "√":
            return rf"\sqrt{{{arg}}}"
        head = _TEX_OPS.get(word) or rf"\operatorname{{{tex_escape(word)}}}"
        return rf"{head}\left({arg}\right)"

    def bars(self, arg):
        return rf"\left|{arg}\right|"

    def cases(self, above, test, below):
        return rf"\begin{{cases}}{above} & {test} > 0\\ {below} & \text{{otherwise}}\end{{cases}}"

    def _fn(self, e: Fn) -> str:
        if e.func.notation.kind == "indicator":
            return rf"\left[{self.show(e.arg)} > 0\right]"
        return super()._fn(e)


# ---------------------------------------------------------------- Typst math

_TYPST_OPS = {"σ": "sigma", "tanh": "tanh", "ln": "ln", "exp": "exp", "log": "log", "Φ": "Phi",
              "φ": "phi"}


class TypstPrinter(Printer):
    """Typst math (the content of ``$ ... $``)."""

    name = "typst"
    dots = "dots.c"
    times = " times "
    neg = "-"

    number_format = staticmethod(typst_number)

    def quantity(self, s: Subject) -> str:
        sup = f"^(({s.sample}))" if s.sample else ""
        kind = s.kind
        if kind in OPTIMIZER_KINDS:
            return optimizer_symbol(s, "typst", typst_name)
        special = kind in ("E", "new") and s.name in ("total", TOTAL)
        n = "" if special or kind == "eta" else typst_name(s.name)
        if kind == "E":
            return ('E_"total"' if s.name == "total" else f"E_({n})") + sup
        if kind == "new":
            return 'E_"total"^+' if s.name == TOTAL else f"{n}^+"
        if kind == "dE/dout":
            return f'frac(partial E{sup}, partial "out"_({n}))'
        if kind == "dout/dnet":
            return f'frac(partial "out"_({n}){sup}, partial "net"_({n}))'
        if kind == "grad":
            return f"frac(partial E{sup}, partial {n})"
        return {"net": f'"net"_({n})', "out": f'"out"_({n})', "in": n, "target": f"t_({n})",
                "delta": f"delta_({n})", "param": n, "eta": "eta"}[kind] + sup

    def unknown(self, key):
        return typst_string(key)

    def words(self, text):
        return typst_string(text)

    side_by_side = True

    def loss_symbol(self, sample):
        return "E" + (f"^(({sample}))" if sample else "")

    def partial_fraction(self, top, bottom):
        return f"frac(partial {top}, partial {bottom})"

    def _div(self, e: Div) -> str:
        return f"frac({self.show(e.num)}, {self.show(e.den)})"

    def fraction(self, p, q):
        return f"{p}/{q}"

    def power(self, base, exponent):
        if "^" in base and not base.startswith("("):
            base = f"({base})"
        return f"{base}^{exponent}"

    def exp(self, arg):
        return f"e^({arg})"

    def op(self, word, arg):
        if word == "√":
            return f"sqrt({arg})"
        head = _TYPST_OPS.get(word) or f"op({typst_string(word)})"
        return f"{head}({arg})"

    def bars(self, arg):
        return f"abs({arg})"

    def cases(self, above, test, below):
        return f'cases({above} &"if" {test} > 0, {below} &"otherwise")'


PRINTERS: dict[str, type[Printer]] = {"text": TextPrinter, "latex": LatexPrinter, "typst": TypstPrinter}
"""The printers by notation name (the writers of :mod:`handprop.render` choose one)."""


def _is_zero(e: Expr, env) -> bool:
    """``e`` is 0 with the numbers of ``env`` (a negated zero is written without its minus)."""
    try:
        return e.eval(env) == 0
    except (ArithmeticError, ValueError, KeyError, TypeError):
        return False
