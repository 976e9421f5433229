"""How wide a LaTeX formula is, and where a long one breaks: for the LaTeX writers.

:func:`width` estimates a formula's printed width in ems from its source (a fraction is
as wide as its wider part, scripts are smaller, ``\\left``, ``\\mathrm`` and the like take
no room), good to a few ems, which is all a layout decision needs.  :func:`break_member`
splits a member of a chain before its top-level ``+``, ``-`` or ``\\times`` (never inside
braces, ``\\left(...\\right)`` or a fraction) into lines no wider than asked, when it can.
"""
from __future__ import annotations

import functools
import re

__all__ = ["width", "break_member"]

_ZERO = {r"\left", r"\right", r"\mathrm", r"\text", r"\mathbf", r"\boldsymbol", r"\displaystyle",
         r"\operatorname", r"\big", r"\Big", r"\bigl", r"\bigr", r"\textstyle", r"\ensuremath"}
_SPACE = {r"\quad": 1.0, r"\qquad": 2.0, r"\,": 0.17, r"\;": 0.28, r"\:": 0.22, r"\!": -0.17}
_FRACS = {r"\frac": 1.0, r"\tfrac": 0.7, r"\dfrac": 1.0}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_]|[^\\{}^_]")


def _group(tokens: list[str], i: int) -> tuple[list[str], int]:
    """The tokens of the group or single token at ``i``, and the index after it."""
    if i >= len(tokens):
        return [], i
    if tokens[i] != "{":
        return [tokens[i]], i + 1
    depth, j = 0, i
    while j < len(tokens):
        if tokens[j] == "{":
            depth += 1
        elif tokens[j] == "}":
            depth -= 1
            if depth == 0:
                return tokens[i + 1:j], j + 1
        j += 1
    return tokens[i + 1:], len(tokens)


def _width(tokens: list[str]) -> float:
    total, i = 0.0, 0
    while i < len(tokens):
        t = tokens[i]
        if t in _FRACS:
            top, i = _group(tokens, i + 1)
            bottom, i = _group(tokens, i)
            total += _FRACS[t] * max(_width(top), _width(bottom)) + 0.3
            continue
        if t in ("^", "_"):
            script, i = _group(tokens, i + 1)
            total += 0.7 * _width(script)
            continue
        if t == "{":
            inner, i = _group(tokens, i)
            total += _width(inner)
            continue
        i += 1
        if t in _ZERO or t == "}" or t == " ":
            continue
        if t in _SPACE:
            total += _SPACE[t]
        elif t in ("+", "-", "=", r"\times", r"\cdot", "<", ">", r"\le", r"\ge", r"\approx"):
            total += 1.6
        elif t.startswith("\\"):
            total += 0.9
        elif t in "()[],.;|'":
            total += 0.35
        else:
            total += 0.55
    return total


@functools.lru_cache(maxsize=65536)
def width(tex: str) -> float:
    """The estimated printed width of a math formula, in ems (text-style, 10pt ≈ 1em)."""
    return _width(_TOKEN.findall(tex))


_BREAKS = (" + ", " - ", r" \times ")


_STRUCTURE = re.compile(r"\\begin\{[^}]*\}|\\end\{[^}]*\}|\\left(?![a-z])|\\right(?![a-z])|\\[A-Za-z]+|\\.|[{}]"
                        r"| \+ | - | \\times ")


def _top_level_breaks(tex: str, ops: tuple[str, ...] = _BREAKS) -> list[int]:
    """Positions of the top-level binary operators ``ops`` of ``tex`` (outside braces,
    ``\\left...\\right`` and environments such as ``bmatrix``)."""
    spots = []
    depth = 0
    for m in _STRUCTURE.finditer(tex):
        t = m.group(0)
        if t in (r"\left", "{") or t.startswith(r"\begin{"):
            depth += 1
        elif t in (r"\right", "}") or t.startswith(r"\end{"):
            depth -= 1
        elif depth == 0 and t in ops and m.start() > 0:
            spots.append(m.start())
    return spots


def _group_end(tex: str, start: int) -> int | None:
    """The index just after the ``\\right)`` matching the ``\\left(`` at ``start``, or None."""
    depth = 0
    for m in _STRUCTURE.finditer(tex, start):
        t = m.group(0)
        if t == r"\left":
            depth += 1
        elif t == r"\right":
            depth -= 1
            if depth == 0:
                end = m.end() + 1
                return end if tex[m.end():end] == ")" else None
    return None


def _greedy(segments: list[str], limit: float) -> list[str]:
    """Segments joined into lines no wider than ``limit`` where they can be (widths add up:
    the segments are cut at the top level)."""
    lines, current, used = [], segments[0], width(segments[0])
    for segment in segments[1:]:
        w = width(segment)
        if used + w <= limit:
            current += segment
            used += w
        else:
            lines.append(current.strip())
            current, used = segment, w
    lines.append(current.strip())
    return lines


def _split(tex: str, ops: tuple[str, ...]) -> list[str]:
    spots = _top_level_breaks(tex, ops)
    bounds = [0] + spots + [len(tex)]
    return [tex[a:b] for a, b in zip(bounds, bounds[1:])]


def _fit(tex: str, limit: float) -> list[str]:
    """Broken before top-level ``+``/``-`` first, then, where still too wide, before ``\\times``."""
    out = []
    for line in _greedy(_split(tex, (" + ", " - ")), limit):
        out += _greedy(_split(line, (r" \times ",)), limit) if width(line) > limit else [line]
    return out


def _open_group(line: str, limit: float) -> list[str]:
    """A line still too wide that holds a parenthesised sum: broken inside the parentheses,
    each row balanced with ``\\right.`` and ``\\left.``."""
    start = line.find(r"\left(")
    end = _group_end(line, start) if start >= 0 else None
    if end is None:
        return [line]
    inner = line[start + 6:end - 7]
    rows = _fit(inner, max(limit - 2, 8))
    if len(rows) < 2:
        return [line]
    prefix, suffix = line[:start], line[end:]
    out = [f"{prefix}\\left({rows[0]} \\right."]
    out += [f"\\left. {r} \\right." for r in rows[1:-1]]
    out.append(f"\\left. {rows[-1]}\\right){suffix}")
    return out


def break_member(tex: str, limit: float) -> list[str]:
    """``tex`` as lines no wider than ``limit`` ems (the first whole, later ones starting with
    their operator), broken before top-level operators and, when a line is still too wide,
    inside its parenthesised sum; ``[tex]`` when it fits or cannot break."""
    if width(tex) <= limit:
        return [tex]
    lines = []
    for line in _fit(tex, limit):
        lines += _open_group(line, limit) if width(line) > limit else [line]
    return lines
