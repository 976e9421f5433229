"""Our own prose for LaTeX, with the quantities it names set in math mode.

The sentences of a worked solution (a step's note and title, a factor's question, the
summary line) name quantities: ``H1's output 0.59327``, ``η × gradient``, ``∂net/∂b2 = 1``,
``out(1 − out)``, ``net_H1``.  :class:`Prose` writes them as a LaTeX author would:
``$H_{1}$'s output $0.59327$``, ``$\\eta \\times \\text{gradient}$``,
``$\\partial\\mathrm{net}/\\partial b_{2} = 1$``, numbers with the true minus.  Names are
written as the formula printer writes them (:func:`~handprop.expr.printers.tex_name`), so
``w5`` reads the same in a sentence and in its formula.

Everything else is text, escaped (:func:`tex_text`): a user's name that is no identifier
(``$5 {x}``) stays text, never markup.  Only our own prose goes through here; a user's
title and description are escaped as they are.
"""
from __future__ import annotations

import re
from typing import Iterable

from ..expr.printers import tex_escape, tex_name

__all__ = ["Prose", "tex_text", "math_name", "tex_number", "hand_math"]

_UNICODE = {
    "−": r"\ensuremath{-}", "×": r"\ensuremath{\times}", "·": r"\ensuremath{\cdot}",
    "→": r"\ensuremath{\to}", "↓": r"\ensuremath{\downarrow}", "↑": r"\ensuremath{\uparrow}",
    "—": "---", "–": "--", "…": r"\ldots{}", "½": r"\ensuremath{\tfrac{1}{2}}",
    "²": r"\ensuremath{^{2}}", "⁺": r"\ensuremath{^{+}}", "′": r"\ensuremath{'}",
    "∂": r"\ensuremath{\partial}", "η": r"\ensuremath{\eta}", "δ": r"\ensuremath{\delta}",
    "σ": r"\ensuremath{\sigma}", "Σ": r"\ensuremath{\Sigma}", "≤": r"\ensuremath{\le}",
    "≥": r"\ensuremath{\ge}", "≈": r"\ensuremath{\approx}", "∞": r"\ensuremath{\infty}",
    '"': r"\textquotedbl{}",
    # the optimizers' letters (their settings, the bias-corrected moments, the root)
    "β": r"\ensuremath{\beta}", "ε": r"\ensuremath{\varepsilon}", "λ": r"\ensuremath{\lambda}",
    "μ": r"\ensuremath{\mu}", "α": r"\ensuremath{\alpha}", "τ": r"\ensuremath{\tau}",
    "√": r"\ensuremath{\surd}", "÷": r"\ensuremath{\div}", "\u0302": "",
    **{d: rf"\ensuremath{{_{{{i}}}}}" for i, d in enumerate("₀₁₂₃₄₅₆₇₈₉")},
    **{d: rf"\ensuremath{{^{{{i}}}}}" for i, d in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹") if d != "²"},
}
_HATTED = {"m\u0302": r"\ensuremath{\hat{m}}", "v\u0302": r"\ensuremath{\hat{v}}"}


def tex_text(text: str) -> str:
    """``text`` for LaTeX's text mode: specials escaped, our symbols as commands."""
    escaped = tex_escape(text)
    if escaped.isascii() and '"' not in escaped:
        return escaped
    if "\u0302" in escaped:                 # m̂, v̂: a letter and a combining circumflex
        for pair, tex in _HATTED.items():
            escaped = escaped.replace(pair, tex)
    return "".join(_UNICODE.get(ch, ch) for ch in escaped)


_PLAIN_NAME = re.compile(r"^(?:[A-Za-z]+\d+(?:_\d+)?|[A-Za-z])$")
_ENGLISH = {"a", "A", "I"}          # one-letter names that are also words of our prose


def math_name(name: str) -> str | None:
    """A user's name in math (``w_{5}``), or ``None`` when it is no identifier (text then)."""
    return tex_name(name) if _PLAIN_NAME.match(name) else None


def hand_math(text: str, bold: bool = False) -> str:
    """A number written as text (``0.5933``, ``−0.0012``, ``+0.00003``) as ``$...$``."""
    body = tex_number(text)
    return f"$\\mathbf{{{body}}}$" if bold else f"${body}$"


def tex_number(text: str) -> str:
    """A number as our prose writes it (``−0.5``, ``1e-05``) in math: ``-0.5``, ``1 \\times 10^{-5}``."""
    text = text.replace("−", "-")
    mantissa, e, exponent = text.partition("e")
    if e:
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


# The pieces of a formula in a sentence.  Operands: a name of the problem, a subscripted
# quantity (net_H1, out_j, δ_jk, E_total), a number, a Greek letter, a math word (out, net,
# target ...) that counts only beside an operator.  Operators join operands into one span.
_MATH_WORDS = {"net": r"\mathrm{net}", "out": r"\mathrm{out}", "target": r"\text{target}",
               "gradient": r"\text{gradient}", "param": r"\text{param}", "t": "t", "y": "y",
               "w": "w", "b": "b", "E": "E"}
_GREEK = {"η": r"\eta", "δ": r"\delta", "σ": r"\sigma", "Σ": r"\Sigma", "½": r"\tfrac{1}{2}",
          "∞": r"\infty"}
_INFIX = {"−": "-", "-": "-", "×": r"\times", "·": r"\cdot", "=": "=", "/": "/", "+": "+",
          "≤": r"\le", "≥": r"\ge", "≈": r"\approx"}
_POSTFIX = {"²": "^{2}", "′": "'", "⁺": "^{+}"}
_SUB_KIND = {"net": r"\mathrm{net}", "out": r"\mathrm{out}", "E": "E", "δ": r"\delta", "t": "t",
             "y": "y", "Σ": r"\sum"}
_MATH_CHARS = re.escape("−-×·=/+≤≥≈²′⁺ηδσΣ½∞∂")
_W = "A-Za-z0-9_"                    # what continues a word (ASCII: ² is no letter here)
_NUMBER = rf"(?<![{_W}.])[−-]?\d+(?:\.\d+)?(?:e[+-]\d+)?(?![{_W}])"
_SUB = rf"(?<![{_W}])(net|out|E|δ|Σ|t|y)_?((?<=_)[A-Za-z0-9]+(?:_\d+)?|(?<=δ)\d+)(?![{_W}])"
_D = rf"(?<![{_W}])d(net|out|E)/d([A-Za-z][{_W}]*)(?![{_W}])"


class Prose:
    """Writes our sentences for LaTeX, knowing the problem's names (see the module docstring)."""

    def __init__(self, names: Iterable[str]):
        self.names: dict[str, str] = {}
        for n in names:
            m = math_name(n)
            if m is not None and n not in _ENGLISH and n not in _MATH_WORDS:
                self.names[n] = m
        parts = [rf"(?P<d>{_D})", rf"(?P<sub>{_SUB})",
                 rf"(?P<code>(?<![{_W}])[a-z]+(?:_[a-z0-9]+)+(?![{_W}]))",
                 rf"(?P<ident>(?<![{_W}'’])[A-Za-z]+\d*(?:_\d+)?(?![{_W}]))",
                 rf"(?P<num>{_NUMBER})", rf"(?P<greek>[{''.join(_GREEK)}])", r"(?P<pd>∂)",
                 rf"(?P<infix>[{re.escape(''.join(_INFIX))}])", rf"(?P<post>[{''.join(_POSTFIX)}])",
                 r"(?P<open>\()", r"(?P<close>\))", r"(?P<space> +)", rf"(?P<other>[^A-Za-z0-9_ (){_MATH_CHARS}]+|.)"]
        self._token = re.compile("|".join(parts), re.S)
        self._memo: dict[str, str] = {}

    @classmethod
    def of(cls, problem: dict) -> "Prose":
        """The prose writer of a (normalised) problem: its inputs, units, weights and biases."""
        names = list(problem.get("inputs", ()))
        for layer in problem.get("layers", ()):
            names += layer.get("units", ())
        names += list(problem.get("weights", {})) + list(problem.get("biases", {}))
        return cls(names)

    # -- tokens

    def _tokens(self, text: str) -> list[tuple[str, str]]:
        out = []
        for m in self._token.finditer(text):
            kind, raw = m.lastgroup if m.lastgroup in _KINDS else _group(m), m.group(0)
            if kind == "ident":          # a name of the problem, a math word, or a word
                kind = "name" if raw in self.names else "word" if raw in _MATH_WORDS else "other"
            out.append((kind, raw))
        return out

    def _operand(self, kind: str, raw: str) -> str:
        if kind == "name":
            return self.names[raw]
        if kind == "num":
            return tex_number(raw)
        if kind == "greek":
            return _GREEK[raw]
        if kind == "word":
            return _MATH_WORDS[raw]
        if kind == "sub":
            head, sub = (raw[0], raw[1:].lstrip("_")) if raw[0] in "δΣ" else (raw.partition("_")[0], raw.partition("_")[2])
            written = self.names.get(sub) or (r"\mathrm{total}" if sub == "total" else
                                             math_name(sub) or (sub if len(sub) <= 2 or sub.isdigit()
                                                                 else rf"\mathrm{{{sub}}}"))
            return f"{_SUB_KIND[head]}_{{{written}}}"
        if kind == "d":
            top, _, bottom = raw[1:].partition("/d")
            written = self.names.get(bottom) or _MATH_WORDS.get(bottom) or tex_name(bottom)
            return rf"\partial {_SUB_KIND.get(top, top)}/\partial {written}"
        raise ValueError(kind)

    def __call__(self, text: str) -> str:
        """``text`` for LaTeX, its formulas in ``$...$``."""
        done = self._memo.get(text)
        if done is None:
            done = self._write(text)
            if len(self._memo) < 4096:          # the same questions and labels recur step after step
                self._memo[text] = done
        return done

    def _write(self, text: str) -> str:
        tokens = self._tokens(text)
        out: list[str] = []
        plain: list[str] = []                    # text waiting to be escaped in one piece
        i, n = 0, len(tokens)
        while i < n:
            kind, raw = tokens[i]
            if kind == "code":                   # half_sse, leaky_relu: identifiers of the file
                out.append(tex_text("".join(plain)))
                plain = []
                out.append(rf"\texttt{{{tex_escape(raw)}}}")
                i += 1
                continue
            span = self._span(tokens, i) if kind in _STARTS else None
            if span is None:
                plain.append(raw)
                i += 1
                continue
            out.append(tex_text("".join(plain)))
            plain = []
            end, math = span
            out.append(f"${math}$")
            i = end
        out.append(tex_text("".join(plain)))
        return "".join(out)

    def _span(self, tokens: list[tuple[str, str]], start: int) -> tuple[int, str] | None:
        """The formula starting at ``tokens[start]``: (the index after it, its LaTeX), or None."""
        kind, raw = tokens[start]
        pieces: list[str] = []
        strong = False
        i = start
        # a leading minus or ∂ before an operand ("−t/y", "∂net/∂b")
        if kind in ("infix", "pd") and raw in "−-∂" and start + 1 < len(tokens) \
                and tokens[start + 1][0] in _OPERANDS:
            strong = True
        depth = 0
        ops = 0
        expect_operand = True
        last = i
        while i < len(tokens):
            kind, raw = tokens[i]
            if expect_operand:
                if kind in _OPERANDS:
                    pieces.append(self._operand(kind, raw))
                    strong = strong or kind != "word"
                    i += 1
                    expect_operand = False
                    last = i
                    if kind == "sub" and raw.startswith("Σ") and i + 1 < len(tokens) \
                            and tokens[i][0] == "space" and tokens[i + 1][0] in _OPERANDS:
                        pieces.append(" ")             # Σ_j t_j: the sum of what follows
                        i += 1
                        expect_operand = True
                    continue
                if kind == "pd" or (kind == "infix" and raw in "−-"):
                    pieces.append(r"\partial " if kind == "pd" else "-")
                    i += 1
                    continue
                if kind == "open":
                    pieces.append("(")
                    depth += 1
                    i += 1
                    continue
                break
            # after an operand: a postfix, an operator, an application "out(", a closing paren
            if kind == "post":
                pieces.append(_POSTFIX[raw])
                i += 1
                last = i
                continue
            if kind == "close" and depth > 0:
                pieces.append(")")
                depth -= 1
                i += 1
                last = i
                continue
            if kind == "open":                       # out(1 − out), ½(t − y)²: no space before
                pieces.append("(")
                depth += 1
                ops += 1
                i += 1
                expect_operand = True
                continue
            j = i + 1 if kind == "space" else i
            if j < len(tokens) and tokens[j][0] == "infix":
                k = j + 1
                if k < len(tokens) and tokens[k][0] == "space":
                    k += 1
                if k < len(tokens) and (tokens[k][0] in _OPERANDS or tokens[k][0] in ("open", "pd")
                                        or tokens[k][1] in "−-"):
                    op = tokens[j][1]
                    pieces.append(" " + _INFIX[op] + " " if op != "/" else "/")
                    ops += 1
                    i = k
                    expect_operand = True
                    continue
            break
        if depth:                                    # an unclosed "(": only what came before it
            return None if last == start else self._closed(tokens, start, last)
        if last == start or not (strong or ops):
            return None
        if not ops and last == start + 1 and tokens[start][0] == "num" and tokens[start][1].isdigit():
            return None                              # "2 units", "4 decimal places": a count is text
        if not ops and all(tokens[k][0] == "word" for k in range(start, last) if tokens[k][0] != "post"):
            return None
        return last, "".join(pieces).strip()

    def _closed(self, tokens, start, last):
        """A span cut before an unclosed parenthesis: each operand on its own."""
        kind, raw = tokens[start]
        if kind in _OPERANDS and kind != "word":
            return start + 1, self._operand(kind, raw)
        return None


_OPERANDS = {"name", "num", "word", "sub", "d", "greek"}
_STARTS = _OPERANDS | {"pd", "infix", "open"}
_KINDS = {"ident", "code", "d", "sub", "name", "num", "greek", "pd", "word", "infix", "post", "open", "close", "space", "other"}


def _group(m: re.Match) -> str:
    for k, v in m.groupdict().items():
        if v is not None and k in _KINDS:
            return k
    return "other"
