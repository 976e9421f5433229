"""The worked solution as GitHub-flavoured Markdown, math in ``$...$`` and ``$$...$$``.

Every step is a display formula, ``lhs = general formula = numbers = ... = value``
in an ``aligned`` environment with one ``&=`` a line.  Every user-supplied name
in prose or a table is escaped so that it renders as text (``<``, ``>`` and ``&``
as HTML entities, Markdown's punctuation with a backslash); inside math names
come escaped from :func:`handprop.expr.tex_name`.
"""
from __future__ import annotations

import re

from ..expr.numbers import text_number
from ..trace import Trace
from .document import Cell, Document, StepBlock, Table, document, given_items, given_number
from .matrix import step_sections
from .matrix_write import markdown_lines as matrix_lines

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PUNCT = set("\\`*[]|~$!{}")
_LINE_START = re.compile(r"^([#>+=-]|\d+[.)])")


def md_escape(text: str, at_line_start: bool = True) -> str:
    """``text`` as literal Markdown text: HTML-escaped, Markdown's punctuation backslashed.

    An ``_`` between two letters or digits cannot start emphasis on GitHub and is
    kept as it is (``h1_2``).
    """
    out = []
    for i, ch in enumerate(text):
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch in _PUNCT:
            out.append("\\" + ch)
        elif ch == "_":
            inner = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
            out.append("_" if inner else "\\_")
        else:
            out.append(ch)
    lines = "".join(out).split("\n")
    return "\n".join(line if i == 0 and not at_line_start else _line_start(line)
                     for i, line in enumerate(lines))


def _line_start(line: str) -> str:
    """A line that would start a heading, a quote, a list or a code block, escaped at its
    start (its leading spaces dropped: four of them make code)."""
    line = line.lstrip(" ")
    if m := _LINE_START.match(line):
        return "\\" + line if not m.group(1)[0].isdigit() else \
            line[:len(m.group(1)) - 1] + "\\" + line[len(m.group(1)) - 1:]
    return line


def code_spans(text: str) -> str:
    """Prose of our own with `code` in backticks: escaped outside the code spans."""
    parts = text.split("`")
    return "".join(f"`{p}`" if i % 2 else md_escape(p, at_line_start=i == 0) for i, p in enumerate(parts))


def inline_math(tex: str) -> str:
    """``$tex$`` safe inside a table cell (a ``|`` would end the cell)."""
    return "$" + tex.replace("|", r"\|") + "$"


def display(parts: list[str]) -> list[str]:
    """A chain ``a = b = c`` as display math, each ``=`` on its own line."""
    if len(parts) == 1:
        return ["$$", parts[0], "$$"]
    lines = ["$$", r"\begin{aligned}"]
    for k, part in enumerate(parts[1:]):
        lhs = parts[0] + " " if k == 0 else ""
        end = r" \\" if k < len(parts) - 2 else ""
        lines.append(f"{lhs}&= {part}{end}")
    return lines + [r"\end{aligned}", "$$"]


def table(headers: list[str], rows: list[list[str]], aligns: str) -> list[str]:
    """A GitHub table; cells must already be escaped."""
    rule = {"l": ":--", "r": "--:", "c": ":-:"}
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(rule[a] for a in aligns) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def cell_text(doc: Document, c: Cell) -> str:
    """A table cell in Markdown (names escaped, symbols as inline math)."""
    if c.kind == "number":
        text = text_number(c.value, doc.digits)
    elif c.kind == "given":
        text = given_number(c.value)
    elif c.kind == "symbol":
        text = inline_math(doc.write(c.value, "latex"))
    elif c.kind == "name":
        text = md_escape(str(c.value))
    else:
        text = md_escape(str(c.value))
    return f"**{text}**" if c.strong else text


# ---------------------------------------------------------------- the parts


def step_lines(doc: Document, b: StepBlock) -> list[str]:
    out = [f"### {md_escape(b.title)}", ""]
    out += display(doc.chain(b.step, "latex"))
    if b.hand is not None:
        out += ["", f"By hand **{b.hand.hand_text}** · exact {b.hand.exact_text} · drift {b.hand.drift_text}"]
    if b.terms:
        rows = [[md_escape(t.label), inline_math(doc.write(t.symbol, "latex")),
                 text_number(t.value, doc.digits), md_escape(t.question)] for t in b.terms]
        out += [""] + table(["", "factor", "value", "what it asks"], rows, "llrl")
    for form in b.forms:
        out += ["", f"*{md_escape(form.title)}:*", ""] + display(doc.chain(form, "latex"))
    out += ["", md_escape(b.note), ""]
    return out


def line_lines(doc: Document, b: StepBlock) -> list[str]:
    """A quantity of a compact section: its one line (two members a row), by hand its hand value."""
    out = display(doc.line_groups(b.step, "latex"))
    if b.hand is not None:
        out += ["", f"By hand **{b.hand.hand_text}** · exact {b.hand.exact_text} · drift {b.hand.drift_text}"]
    return out + [""]


def given_lines(doc: Document) -> list[str]:
    rows = []
    for row in doc.given:
        items = given_items(row, md_escape)
        rows.append([row.label, ", ".join(items)])
    if doc.more_samples:
        rows.append(["…", f"and {doc.more_samples} more samples"])
    return ["## Given", ""] + table(["", "values"], rows, "ll") + [""]


def table_lines(doc: Document, t: Table, level: str = "###") -> list[str]:
    headers = [cell_text(doc, c) for c in t.headers]
    rows = [[cell_text(doc, c) for c in row] for row in t.rows]
    if t.more:
        rows.append(["…", f"and {t.more} more"] + [""] * (len(headers) - 2))
    return [f"{level} {md_escape(t.title)}", ""] + table(headers, rows, t.aligns) + [""]


def render(trace: Trace, digits: int | None = None, options=None) -> str:
    doc = document(trace, digits, options)
    out = [f"# {md_escape(doc.title)}", ""]
    if doc.description:
        out += [md_escape(doc.description), ""]
    out += [f"**Network:** {md_escape(doc.summary)}  ", f"**Settings:** {md_escape(doc.settings)}"]
    if doc.hand_rounding:
        out[-1] += "  "
        out.append(f"**Hand rounding:** {md_escape(doc.hand_rounding)}")
    out.append("")
    for warning in doc.warnings:
        out += ["> [!WARNING]", f"> {md_escape(warning)}", ""]
    out += given_lines(doc)
    out += matrix_lines(doc, display, md_escape)   # the matrix view (render/matrix_write.py); none in the steps view
    for section in step_sections(doc):
        out += [f"## {md_escape(section.title)}", ""]
        for b in section.blocks:
            out += line_lines(doc, b) if section.lines else step_lines(doc, b)
        if section.table is not None:
            out += table_lines(doc, section.table)
    out += table_lines(doc, doc.updates, "##")
    if doc.state is not None:
        out += table_lines(doc, doc.state, "##")
    out += [f"## {doc.questions_title}", ""]
    for i, q in enumerate(doc.questions, start=1):
        out.append(f"{i}. **{md_escape(q.question)}** ${doc.write(q.symbol, 'latex')}$ — {md_escape(q.answer)}")
    out += ["", "## A note on rounding", "", code_spans(doc.rounding_note), ""]
    return "\n".join(out)
