"""The worked solution for a terminal, as the tutorial writes it.

The page is laid out here line by line for a pinned width (80 columns by
default): each ``=`` of a chain on its own line under the first, long formulas
broken before an operator at the outermost level, notes wrapped and indented.
Each line is a list of ``(text, style)`` segments, so the same layout prints as
plain text (``render``, and any output that is not a terminal) or in colour
through rich (``print_to`` on a terminal).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..expr.numbers import text_number
from ..trace import Trace
from .cells import cells, narrow
from .document import Cell, Document, HandValue, StepBlock, Table, document, given_items, given_number
from .matrix import step_sections
from .matrix_write import write_text as write_matrix

if TYPE_CHECKING:
    from rich.console import Console

Segment = tuple[str, str]          # (text, rich style; "" for none)
Line = list[Segment]

STYLE = {
    "title": "bold", "rule": "bold blue", "heading": "bold", "lhs": "bold cyan",
    "value": "bold", "hand": "yellow", "note": "italic", "label": "bold magenta",
    "question": "dim", "form": "italic", "warning": "bold yellow", "header": "bold",
    "up": "green", "down": "red",
}

INDENT = 2          # a step's equation and note, under its title
TERM_INDENT = 4     # the chain-rule terms, and the other forms' equations
BREAKS = ((" + ", 0), (" − ", 0), (" - ", 0), (" × ", 1), (" / ", 2), ("·", 3))


# ---------------------------------------------------------------- breaking a long line


def _break_points(text: str) -> list[tuple[int, int, int]]:
    """``(position, depth, rank)`` of every place a formula may be broken: before an
    operator, ``depth`` parentheses deep, ``rank`` 0 for + and −, 1 for ×, ..."""
    points = []
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in " ·":
            for op, rank in BREAKS:
                if text.startswith(op, i):
                    points.append((i, max(depth, 0), rank))
                    break
    return points


def break_formula(text: str, first: int, rest: int) -> list[str]:
    """``text`` in lines of at most ``first`` (then ``rest``) columns, broken before an
    operator: the outermost one, the loosest binding, as far right as fits."""
    lines: list[str] = []
    width = first
    while cells(text) > width:
        points = [p for p in _break_points(text) if 0 < p[0] and cells(text[:p[0]]) <= width]
        if not points:                       # no operator fits: cut where the line ends
            cut = _cut(text, max(width, 1))
            lines.append(text[:cut])
            text = text[cut:]
        else:
            late = [p for p in points if p[0] >= 0.4 * width] or points
            pos = min(late, key=lambda p: (p[1], p[2], -p[0]))[0]
            lines.append(text[:pos])
            text = text[pos:].lstrip(" ")
        width = rest
    lines.append(text)
    return lines


def _cut(text: str, width: int) -> int:
    """The longest prefix of ``text`` that fits ``width`` columns (at least one character)."""
    if text.isascii():
        return max(min(width, len(text)), 1)
    total = 0
    for i, ch in enumerate(text):
        total += cells(ch)
        if total > width:
            return max(i, 1)
    return len(text)


def wrap(text: str, width: int) -> list[str]:
    """Prose in lines of at most ``width`` columns, broken at spaces."""
    is_narrow = narrow(text)
    if is_narrow and len(text) <= width:
        return [text]
    size = len if is_narrow else cells
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if size(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while cells(word) > width:
            cut = _cut(word, width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    lines.append(line)
    return lines


# ---------------------------------------------------------------- the page


class Page:
    """The worked solution as styled lines, ``width`` columns wide."""

    def __init__(self, width: int = 80, digits: int = 6):
        self.width = max(width, 40)
        self.digits = digits
        self.lines: list[Line] = []

    def line(self, *segments: Segment) -> None:
        self.lines.append([s for s in segments if s[0]])

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append([])

    def prose(self, text: str, indent: int = 0, style: str = "", hanging: int = 0) -> None:
        first, *more = wrap(text, self.width - indent)
        self.line((" " * indent, ""), (first, style))
        rest = " ".join(more)
        if rest:
            for line in wrap(rest, self.width - indent - hanging):
                self.line((" " * (indent + hanging), ""), (line, style))

    def rule(self, title: str) -> None:
        self.blank()
        head = f"── {title} "
        self.line((head + "─" * max(self.width - cells(head), 3), STYLE["rule"]))
        self.blank()

    def equation(self, parts: list[str], indent: int, hand: HandValue | None = None) -> None:
        """``lhs = a`` then ``= b``, ``= c`` ... each under the first ``=``, the value in bold."""
        lhs, rest = parts[0], parts[1:] or [""]
        pad = cells(lhs)
        if indent + pad + 3 > self.width * 0.45:   # a long left-hand side stands alone
            for j, chunk in enumerate(break_formula(lhs, self.width - indent, self.width - indent - 2)):
                self.line((" " * (indent + 2 * bool(j)), ""), (chunk, STYLE["lhs"]))
            indent, pad, first = indent + 2, 0, False
        else:
            first = True
        column = indent + pad + 3                   # where the right-hand sides start
        for k, part in enumerate(rest):
            style = STYLE["value"] if k == len(rest) - 1 else ""
            chunks = break_formula(part, self.width - column, self.width - column - 2)
            for j, chunk in enumerate(chunks):
                if j:
                    self.line((" " * (column + 2), ""), (chunk, style))
                elif first and k == 0:
                    self.line((" " * indent, ""), (lhs, STYLE["lhs"]), (" = ", ""), (chunk, style))
                else:
                    self.line((" " * (column - 2), ""), ("= ", ""), (chunk, style))
        if hand is not None:
            self.line((" " * column, ""),
                      (f"by hand {hand.hand_text}   exact {hand.exact_text}   drift {hand.drift_text}",
                       STYLE["hand"]))

    def table(self, headers: list[str], rows: list[list[str]], aligns: str, indent: int = 2,
              styles: list[str] | None = None) -> None:
        """A plain table: a header, a rule under it, columns two spaces apart.

        ``aligns`` has one letter per column, ``l`` or ``r``.
        """
        widths = [max([cells(h)] + [cells(r[i]) for r in rows]) for i, h in enumerate(headers)]
        room = self.width - indent - sum(widths[1:]) - 2 * (len(widths) - 1)
        if widths[0] > room:        # long names: on a line of their own above their row
            widths[0] = max(cells(headers[0]), min(8, room))
            long_rows, long_styles = [], []
            for k, row in enumerate(rows):
                if cells(row[0]) > widths[0]:
                    long_rows.append([row[0]] + [""] * (len(row) - 1))
                    long_styles.append("")
                    row = [""] + row[1:]
                long_rows.append(row)
                long_styles.append(styles[k] if styles else "")
            rows, styles = long_rows, long_styles

        def cell(text: str, i: int) -> str:
            gap = " " * (widths[i] - cells(text))
            return gap + text if aligns[i] == "r" else text + gap

        self.line((" " * indent, ""), ("  ".join(cell(h, i) for i, h in enumerate(headers)).rstrip(),
                                       STYLE["header"]))
        self.line((" " * indent, ""), ("  ".join("─" * w for w in widths), ""))
        for k, row in enumerate(rows):
            if cells(row[0]) > widths[0]:
                self.prose(row[0], indent)
                continue
            text = "  ".join(cell(c, i) for i, c in enumerate(row)).rstrip()
            self.line((" " * indent, ""), (text, styles[k] if styles else ""))


# ---------------------------------------------------------------- the parts of the solution


def write_step(page: Page, doc: Document, b: StepBlock) -> None:
    """One step: its title, its chain of equalities, its terms, its other forms, its note."""
    page.prose(b.title, style=STYLE["heading"], hanging=2)
    page.equation(doc.chain(b.step, "text"), INDENT, b.hand)
    if b.terms:
        write_terms(page, doc, b)
    for form in b.forms:
        page.line((" " * INDENT, ""), (form.title + ":", STYLE["form"]))
        page.equation(doc.chain(form, "text"), TERM_INDENT)
    page.prose(b.note, INDENT, STYLE["note"])
    page.blank()


def write_lines(page: Page, doc: Document, section) -> None:
    """A compact section: one line a quantity (by hand, its hand value beside)."""
    for b in section.blocks:
        members = doc.line(b.step, "text")
        lhs, rest = members[0], members[1:]
        column = INDENT + cells(lhs) + 3
        if column > page.width * 0.45:           # a long left-hand side: the usual layout
            page.equation(members, INDENT, b.hand)
            continue
        # as many members a line as fit, broken only at an "=" (a member too long alone is
        # broken inside by equation's rules)
        groups: list[list[str]] = [[]]
        for m in rest:
            if groups[-1] and column + cells(" = ".join(groups[-1] + [m])) > page.width:
                groups.append([])
            groups[-1].append(m)
        page.equation([lhs] + [" = ".join(g) for g in groups], INDENT, b.hand)
    page.blank()


def write_terms(page: Page, doc: Document, b: StepBlock) -> None:
    """The labelled factors of a chain rule, one a line, values aligned on the decimal
    point, each with the question it answers (beside it when that fits, else under it;
    a question already asked in the block is not repeated)."""
    labels = [t.label for t in b.terms]
    symbols = [doc.write(t.symbol, "text") for t in b.terms]
    values = decimal_aligned([text_number(t.value, page.digits) for t in b.terms])
    questions = [t.question for t in b.terms]
    lw, sw, vw = (max(cells(x) for x in col) for col in (labels, symbols, values))
    head = TERM_INDENT + lw + 2 + sw + 3 + vw + 3
    beside = all(head + cells(q) <= page.width for q in questions)
    if head - 3 > page.width:           # symbols too long for columns: one equation each
        for label, symbol, term, question in zip(labels, symbols, b.terms, questions):
            page.line((" " * TERM_INDENT, ""), (label, STYLE["label"]))
            page.equation([symbol, text_number(term.value, page.digits)], TERM_INDENT + lw + 2)
            if question:
                page.prose(question, TERM_INDENT + lw + 2, STYLE["question"])
        return
    for label, symbol, value, question in zip(labels, symbols, values, questions):
        left = [(" " * TERM_INDENT, ""), (label + " " * (lw - cells(label) + 2), STYLE["label"]),
                (symbol + " " * (sw - cells(symbol)) + " = " + value, "")]
        if beside and question:
            page.line(*left, (" " * (vw - cells(value) + 3) + question, STYLE["question"]))
        else:
            page.line(*left)
            if question:
                page.prose(question, TERM_INDENT + lw + 2, STYLE["question"])


def decimal_aligned(numbers: list[str]) -> list[str]:
    """Numbers padded so that their decimal points (or ends) line up."""
    split = [n.partition(".") if "e" not in n else (n, "", "") for n in numbers]
    left = max(cells(a) for a, _, _ in split)
    right = max(len(dot + b) for _, dot, b in split)
    return [" " * (left - cells(a)) + a + (dot + b).ljust(right) for a, dot, b in split]


def write_given(page: Page, doc: Document) -> None:
    rows = doc.given
    lw = max(cells(r.label) for r in rows)
    page.line(("Given", STYLE["heading"]))
    for row in rows:
        items = given_items(row)
        lines = _listing(items, page.width - INDENT - lw - 2)
        for i, line in enumerate(lines):
            label = row.label if i == 0 else ""
            page.line((" " * INDENT + label + " " * (lw - cells(label) + 2), ""), (line, ""))
    if doc.more_samples:
        page.line((" " * INDENT + f"… and {doc.more_samples} more samples", ""))


def _listing(items: list[str], width: int) -> list[str]:
    """``a, b, c`` in lines of at most ``width`` columns, broken after a comma."""
    lines: list[str] = []
    line = ""
    for k, item in enumerate(items):
        piece = item + ("," if k < len(items) - 1 else "")
        candidate = f"{line} {piece}" if line else piece
        if line and cells(candidate) > width:
            lines.append(line)
            candidate = piece
        line = candidate
    lines.append(line)
    return [chunk for line in lines for chunk in wrap(line, width)]


def cell_text(doc: Document, c: Cell) -> str:
    """A table cell as plain text."""
    if c.kind == "number":
        return text_number(c.value, doc.digits)
    if c.kind == "given":
        return given_number(c.value)
    if c.kind == "symbol":
        return doc.write(c.value, "text")
    return str(c.value)


ROW_STYLES = {"total": STYLE["value"], "up": STYLE["up"], "down": STYLE["down"]}


def write_table(page: Page, doc: Document, table: Table, heading: bool = True) -> None:
    if heading:
        page.line((table.title, STYLE["heading"]))
    headers = [cell_text(doc, c) for c in table.headers]
    rows = [[cell_text(doc, c) for c in row] for row in table.rows]
    page.table(headers, rows, table.aligns, styles=[ROW_STYLES.get(s, "") for s in table.styles])
    if table.more:
        page.line((" " * INDENT + f"… and {table.more} more", ""))
    page.blank()


def layout(trace: Trace, digits: int | None = None, width: int = 80, options=None) -> Page:
    """The whole worked solution, laid out ``width`` columns wide."""
    doc = document(trace, digits, options)
    page = Page(width, doc.digits)
    page.prose(doc.title, style=STYLE["title"])
    if doc.description:
        page.prose(doc.description)
    page.prose(doc.summary)
    page.prose(doc.settings)
    if doc.hand_rounding:
        page.prose(f"hand rounding: {doc.hand_rounding}", style=STYLE["hand"])
    page.blank()
    for warning in doc.warnings:
        page.prose("warning: " + warning, style=STYLE["warning"], hanging=2)
        page.blank()
    write_given(page, doc)
    write_matrix(page, doc, INDENT, STYLE)   # the matrix view (render/matrix_write.py); none in the steps view
    for section in step_sections(doc):
        page.rule(section.title)
        if section.lines:
            write_lines(page, doc, section)
        for b in section.blocks if not section.lines else ():
            write_step(page, doc, b)
        if section.table is not None:
            write_table(page, doc, section.table)
    page.rule(doc.updates.title)
    write_table(page, doc, doc.updates, heading=False)
    if doc.state is not None:
        page.rule(doc.state.title)
        write_table(page, doc, doc.state, heading=False)
    page.rule(doc.questions_title)
    for i, q in enumerate(doc.questions, start=1):
        page.line((f"{i}. ", STYLE["heading"]), (q.question, STYLE["heading"]),
                  (f"  {doc.write(q.symbol, 'text')}", ""))
        page.prose(q.answer, 3)
    page.rule("A note on rounding")
    page.prose(doc.rounding_note.replace("`", ""))
    return page


def _plain(lines: Iterable[Line]) -> str:
    return "".join("".join(text for text, _ in line).rstrip() + "\n" for line in lines)


def render(trace: Trace, digits: int | None = None, width: int = 80, options=None) -> str:
    """The whole worked solution as plain text, ``width`` columns wide (no colour)."""
    return _plain(layout(trace, digits, width, options).lines)


def print_to(console: "Console", trace: Trace, digits: int | None = None, options=None) -> None:
    """Print to ``console``: in colour on a terminal, as plain text anywhere else."""
    page = layout(trace, digits, console.width, options)
    if not console.is_terminal or console.color_system is None:
        console.file.write(_plain(page.lines))
        console.file.flush()
        return
    from rich.text import Text
    for line in page.lines:
        console.print(Text.assemble(*line), soft_wrap=True, highlight=False, markup=False,
                      emoji=False)
