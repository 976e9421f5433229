"""The worked solution as a Typst document (``--format typst``), the content of the LaTeX one.

Each step is a display equation, ``lhs &= general formula \\ &= numbers ... &= value``,
with its chain-rule factors in a table; the forward-pass table and the table of
every update close their sections, then the four chain-rule questions and the
note on rounding.  Every text a user wrote reaches the document as a Typst
string (``#"..."``), never as markup, and every name in a formula through
:func:`~handprop.expr.printers.typst_name`; ``handprop.render.pdf`` compiles the
result in-process.
"""
from __future__ import annotations

from ..expr.numbers import typst_number
from ..expr.printers import typst_string
from ..trace import Trace
from .document import Cell, Document, StepBlock, Table, document, given_items, given_number
from .matrix import step_sections
from .matrix_write import typst_lines as matrix_lines

PREAMBLE = """#set document(title: {title}, date: none)
#set page(paper: "a4", margin: 2cm, numbering: "1")
#set text(size: 10.5pt)
#set par(justify: false)
#show math.equation: set block(breakable: true)
#show heading.where(level: 3): set text(size: 10.5pt)
#show heading: set block(above: 1.1em, below: 0.6em)
#set block(spacing: 0.75em)
#set table(stroke: none, inset: (x: 5pt, y: 3pt))
#show table.cell.where(y: 0): set text(weight: "bold")
"""


def text(value: str) -> str:
    """Any text as Typst content (a string: nothing in it is markup)."""
    return "#" + typst_string(value)


def code_spans(prose: str) -> str:
    """Our own prose with `code` in backticks, the code set as raw text."""
    parts = prose.split("`")
    return "".join(f"#raw({typst_string(p)})" if i % 2 else (text(p) if p else "")
                   for i, p in enumerate(parts))


def equation(parts: list[str]) -> list[str]:
    """A chain ``a = b = c`` as one display equation, each ``=`` on its own line."""
    if len(parts) == 1:
        return [f"$ {parts[0]} $", ""]
    lines = []
    for k, part in enumerate(parts[1:]):
        lhs = parts[0] + " " if k == 0 else ""
        end = " \\" if k < len(parts) - 2 else ""
        lines.append(f"  {lhs}&= {part}{end}")
    return ["$"] + lines + ["$", ""]


def cell_text(doc: Document, c: Cell) -> str:
    if c.kind == "number":
        body = f"${typst_number(c.value, doc.digits)}$"
    elif c.kind == "given":
        body = text(given_number(c.value))
    elif c.kind == "symbol":
        body = f"${doc.write(c.value, 'typst')}$"
    elif c.kind == "empty":
        body = text(str(c.value)) if c.value else ""
    else:
        body = text(str(c.value))
    return f"*{body}*" if c.strong and body else body


def table(headers: list[str], rows: list[list[str]], aligns: str) -> list[str]:
    """A Typst table; cells must already be Typst content."""
    align = ", ".join("left" if a == "l" else "right" for a in aligns)
    out = [f"#table(columns: {len(aligns)}, align: ({align},),",
           "  table.header(" + ", ".join(f"[{h}]" for h in headers) + "),",
           "  table.hline(stroke: 0.6pt),"]
    out += ["  " + ", ".join(f"[{c}]" for c in row) + "," for row in rows]
    return out + [")", ""]


def step_lines(doc: Document, b: StepBlock) -> list[str]:
    out = [f"=== {text(b.title)}", ""]
    out += equation(doc.rows(b.step, "typst"))
    if b.hand is not None:
        out += [f"By hand *{text(b.hand.hand_text)}* #h(1em) exact {text(b.hand.exact_text)} "
                f"#h(1em) drift {text(b.hand.drift_text)}", ""]
    if b.terms:
        rows = [[text(t.label), f"${doc.write(t.symbol, 'typst')}$",
                 f"${typst_number(t.value, doc.digits)}$", text(t.question) if t.question else ""]
                for t in b.terms]
        out += table(["", text("factor"), text("value"), text("what it asks")], rows, "llrl")
    for form in b.forms:
        out += [f"_{text(form.title + ':')}_", ""] + equation(doc.rows(form, "typst"))
    out += [text(b.note), ""]
    return out


def line_lines(doc: Document, b: StepBlock) -> list[str]:
    """A quantity of a compact section: its one line (two members a row), by hand its hand value."""
    out = equation(doc.line_groups(b.step, "typst"))
    if b.hand is not None:
        out += [f"By hand *{text(b.hand.hand_text)}* #h(1em) exact {text(b.hand.exact_text)} "
                f"#h(1em) drift {text(b.hand.drift_text)}", ""]
    return out


def given_lines(doc: Document) -> list[str]:
    rows = []
    for row in doc.given:
        rows.append([text(row.label), text(", ".join(given_items(row)))])
    if doc.more_samples:
        rows.append([text("…"), text(f"and {doc.more_samples} more samples")])
    return ["== Given", ""] + table(["", text("values")], rows, "ll")


def table_lines(doc: Document, t: Table, level: str = "===") -> list[str]:
    headers = [cell_text(doc, c) for c in t.headers]
    rows = [[cell_text(doc, c) for c in row] for row in t.rows]
    if t.more:
        rows.append([text("…"), text(f"and {t.more} more")] + [""] * (len(headers) - 2))
    return [f"{level} {text(t.title)}", ""] + table(headers, rows, t.aligns)


def render(trace: Trace, digits: int | None = None, options=None) -> str:
    """The whole worked solution as Typst source."""
    doc = document(trace, digits, options)
    out = [PREAMBLE.format(title=typst_string(doc.title)), f"= {text(doc.title)}", ""]
    if doc.description:
        out += [text(doc.description), ""]
    out.append(f"*Network:* {text(doc.summary)} \\")
    out.append(f"*Settings:* {text(doc.settings)}" + (" \\" if doc.hand_rounding else ""))
    if doc.hand_rounding:
        out.append(f"*Hand rounding:* {text(doc.hand_rounding)}")
    out.append("")
    for warning in doc.warnings:
        out += [f"*Warning:* {text(warning)}", ""]
    out += given_lines(doc)
    out += matrix_lines(doc, equation, text)   # the matrix view (render/matrix_write.py); none in the steps view
    for section in step_sections(doc):
        out += [f"== {text(section.title)}", ""]
        for b in section.blocks:
            out += line_lines(doc, b) if section.lines else step_lines(doc, b)
        if section.table is not None:
            out += table_lines(doc, section.table)
    out += table_lines(doc, doc.updates, "==")
    if doc.state is not None:
        out += table_lines(doc, doc.state, "==")
    if doc.after:
        out += [text(doc.after), ""]
    out += [f"== {doc.questions_title}", ""]
    for q in doc.questions:
        out.append(f"+ *{text(q.question)}* ${doc.write(q.symbol, 'typst')}$ — {text(q.answer)}")
    out += ["", "== A note on rounding", "", code_spans(doc.rounding_note), ""]
    return "\n".join(out)
