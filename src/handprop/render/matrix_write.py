"""The matrix view (:mod:`handprop.render.matrix`) written in each format.

- text: bracket matrices drawn in monospace (``⎡ ⎤``), labelled by the user's names, each
  chain one ``=`` a line group, wrapped (and wide matrices narrowed further) to the page;
- Markdown: ``$$\\begin{aligned} … \\end{aligned}$$`` with ``bmatrix`` (KaTeX and GitHub);
- LaTeX: ``align*`` with ``bmatrix`` (amsmath);
- Typst: ``mat(delim: "[", …)``.

Each writer calls one function here from its ``render``; in the steps view they return
nothing.  Numbers are set to the document's digits (given numbers as stated).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..expr.numbers import latex_number, text_number, typst_number
from ..expr.printers import tex_name, typst_name
from .cells import JOINERS, cells
from .matrix import Equation, Matrix, MatrixView, Num, Op, Sym, matrix_view

__all__ = ["view_of", "sym_text", "sym_latex", "sym_typst", "equation_text", "equation_latex",
           "equation_typst", "text_sections", "markdown_lines", "latex_lines", "typst_lines",
           "write_text"]

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
GIVEN_DIGITS = 12


def view_of(doc) -> MatrixView | None:
    """The matrix view of the document, or None in the steps view."""
    return matrix_view(doc.trace) if doc.view == "matrix" else None


def _k(s: Sym) -> str:
    return "[k]" if s.sample == 0 else f"[{s.sample}]" if s.sample else ""


# ---------------------------------------------------------------- symbols


def sym_text(s: Sym) -> str:
    sup = f"⁽{str(s.layer).translate(_SUP)}⁾" if s.layer else ""
    t = "ᵀ" if s.transpose else ""
    base = {
        "W": f"W{sup}{t}", "b": s.param or f"b{sup}", "x": f"x{t}", "t": "t",
        "net": f"net{sup}", "out": f"out{sup}{t}", "f": f"f(net{sup})",
        "softmax": f"softmax(net{sup})", "fprime": f"f′(net{sup})", "delta": f"δ{sup}",
        "dEdout": f"∂E/∂out{sup}", "J": f"J{sup}{t}", "gradW": f"∂E/∂W{sup}",
        "gradb": f"∂E/∂{s.param}" if s.param else f"∂E/∂b{sup}", "E": "E", "eta": "η",
        "one": f"1{t}",
        "new": (s.param or f"b{sup}") + "⁺" if s.of == "b" else f"W{sup}⁺",
    }[s.name]
    return base + _k(s)


def sym_latex(s: Sym) -> str:
    top = r"\top" if s.transpose else ""
    sup = f"^{{({s.layer}){top}}}" if s.layer else (f"^{{{top}}}" if top else "")
    plain = f"^{{({s.layer})}}" if s.layer else ""
    k = _k(s)
    param = tex_name(s.param) if s.param else ""
    base = {
        "W": f"W{sup}", "b": param or f"b{plain}", "x": f"x{sup}", "t": "t",
        "net": rf"\mathrm{{net}}{plain}", "out": rf"\mathrm{{out}}{sup}",
        "f": rf"f(\mathrm{{net}}{plain})", "softmax": rf"\operatorname{{softmax}}(\mathrm{{net}}{plain})",
        "fprime": rf"f'(\mathrm{{net}}{plain})", "delta": rf"\delta{plain}",
        "dEdout": rf"\frac{{\partial E}}{{\partial \mathrm{{out}}{plain}}}", "J": f"J{sup}",
        "gradW": rf"\frac{{\partial E}}{{\partial W{plain}{k}}}",
        "gradb": rf"\frac{{\partial E}}{{\partial {param or 'b' + plain}{k}}}", "E": "E",
        "eta": r"\eta", "one": f"1{sup}",
        "new": f"{{{param or 'b' + plain}}}^{{+}}" if s.of == "b" else f"W^{{({s.layer})+}}",
    }[s.name]
    return base if s.name in ("gradW", "gradb") else base + k


def sym_typst(s: Sym) -> str:
    sup = f"^(({s.layer}){' top' if s.transpose else ''})" if s.layer else \
        ("^top" if s.transpose else "")
    plain = f"^(({s.layer}))" if s.layer else ""
    k = "[k]" if s.sample == 0 else f"[{s.sample}]" if s.sample else ""
    param = typst_name(s.param) if s.param else ""
    base = {
        "W": f"W{sup}", "b": param or f"b{plain}", "x": f"x{sup}", "t": "t",
        "net": f'"net"{plain}', "out": f'"out"{sup}', "f": f'f("net"{plain})',
        "softmax": f'"softmax"("net"{plain})', "fprime": f"f'(\"net\"{plain})",
        "delta": f"delta{plain}", "dEdout": f'(partial E)/(partial "out"{plain})', "J": f"J{sup}",
        "gradW": f"(partial E)/(partial W{plain}{k})",
        "gradb": f"(partial E)/(partial {param or 'b' + plain}{k})", "E": "E", "eta": "eta",
        "one": f"1{sup}",
        "new": f"{param or 'b' + plain}^+" if s.of == "b" and param else
        (f"b^(({s.layer})+)" if s.of == "b" else f"W^(({s.layer})+)"),
    }[s.name]
    return base if s.name in ("gradW", "gradb") else base + k


_OP_TEXT = {"·": " · ", "+": " + ", "−": " − ", "⊙": " ⊙ ", "Σ": "Σ ", "Σ_k": "Σₖ ", "(": "(", ")": ")"}
_OP_LATEX = {"·": r"\cdot", "+": "+", "−": "-", "⊙": r"\odot", "Σ": r"\sum", "Σ_k": r"\sum_{k}",
             "(": r"\left(", ")": r"\right)"}
_OP_TYPST = {"·": "dot", "+": "+", "−": "-", "⊙": "dot.o", "Σ": "sum", "Σ_k": "sum_k", "(": "(", ")": ")"}


def _fraction(symbol: str) -> tuple[str, str] | None:
    if symbol.startswith("1/"):
        return "1", symbol[2:]
    return None


# ---------------------------------------------------------------- LaTeX and Typst


def _number_latex(value: float, given: bool, digits: int) -> str:
    return latex_number(value, GIVEN_DIGITS if given else digits)


def matrix_cells_latex(m: Matrix, digits: int) -> list[list[str]]:
    """A matrix's cells in LaTeX, row by row (``\\cdots``, ``\\vdots``, ``\\ddots`` where left out)."""
    rows = []
    for r, row in enumerate(m.cells):
        cells = []
        for c, v in enumerate(row):
            if v is None:
                cells.append(r"\ddots" if m.rows[r] is None and m.cols[c] is None else
                             r"\vdots" if m.rows[r] is None else r"\cdots")
            else:
                cells.append(_number_latex(v, m.given, digits))
        rows.append(cells)
    return rows


def bmatrix(rows: list[list[str]]) -> str:
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(row) for row in rows) + r" \end{bmatrix}"


def matrix_latex(m: Matrix, digits: int) -> str:
    return bmatrix(matrix_cells_latex(m, digits))


def _bracketed(item: Num, prev) -> bool:
    """A negative number just after an operator (``prev``) is written in brackets (every notation)."""
    return item.value < 0 and isinstance(prev, Op) and prev.symbol != "("


def latex_pieces(items, digits: int) -> list:
    """A member's items in LaTeX: text, or a matrix as its rows of cells (the page joins them)."""
    out: list = []
    for i, item in enumerate(items):
        if isinstance(item, Matrix):
            out.append(matrix_cells_latex(item, digits))
        elif isinstance(item, Num):
            text = _number_latex(item.value, item.given, digits)
            out.append(rf"\left({text}\right)" if _bracketed(item, items[i - 1] if i else None) else text)
        elif isinstance(item, Op):
            frac = _fraction(item.symbol)
            out.append(rf"\frac{{{frac[0]}}}{{{frac[1]}}}" if frac else _OP_LATEX[item.symbol])
        else:
            out.append(sym_latex(item))
    return out


def _member_latex(items, digits: int) -> str:
    return " ".join(p if isinstance(p, str) else bmatrix(p) for p in latex_pieces(items, digits))


def equation_latex(eq: Equation, digits: int) -> list[str]:
    """The members of a chain, in LaTeX."""
    return [_member_latex(m, digits) for m in eq.members]


def _number_typst(value: float, given: bool, digits: int) -> str:
    return typst_number(value, GIVEN_DIGITS if given else digits)


def matrix_typst(m: Matrix, digits: int) -> str:
    rows = []
    for r, row in enumerate(m.cells):
        cells = []
        for c, v in enumerate(row):
            if v is None:
                cells.append("dots.down" if m.rows[r] is None and m.cols[c] is None else
                             "dots.v" if m.rows[r] is None else "dots.h")
            else:
                cells.append(_number_typst(v, m.given, digits))
        rows.append(", ".join(cells))
    return 'mat(delim: "[", ' + "; ".join(rows) + ")"


def _member_typst(items, digits: int) -> str:
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Matrix):
            out.append(matrix_typst(item, digits))
        elif isinstance(item, Num):
            text = _number_typst(item.value, item.given, digits)
            out.append(f"({text})" if _bracketed(item, items[i - 1] if i else None) else text)
        elif isinstance(item, Op):
            frac = _fraction(item.symbol)
            out.append(f"{frac[0]}/{frac[1]}" if frac else _OP_TYPST[item.symbol])
        else:
            out.append(sym_typst(item))
    return " ".join(out)


def equation_typst(eq: Equation, digits: int) -> list[str]:
    return [_member_typst(m, digits) for m in eq.members]


def markdown_lines(doc, display, md_escape) -> list[str]:
    """The matrix sections in Markdown (``[]`` in the steps view); ``display`` and ``md_escape``
    are the Markdown writer's (a chain as display math, a text escaped)."""
    view = view_of(doc)
    if view is None:
        return []
    out = []
    for section in view.sections:
        out += [f"## {md_escape(section.title)}", ""]
        for eq in section.equations:
            out += display(equation_latex(eq, doc.digits))
            out += ["", md_escape(eq.note), ""] if eq.note else [""]
        if section.note:
            out += [md_escape(section.note), ""]
    if view.note:
        out += [f"*{md_escape(view.note)}*", ""]
    return out


_TEX_SYMBOLS = {"⊙": r"\ensuremath{\odot}", "ᵀ": r"\ensuremath{^{\top}}", "⋯": r"\ensuremath{\cdots}",
                "⋮": r"\ensuremath{\vdots}", "ₖ": r"\ensuremath{_{k}}"}


def latex_lines(doc, align, tex_text) -> list[str]:
    """The matrix sections in LaTeX (``[]`` in the steps view); ``align`` and ``tex_text`` are
    the LaTeX writer's."""
    view = view_of(doc)
    if view is None:
        return []
    plain = tex_text

    def tex_text(prose: str) -> str:       # and the symbols of the view's own prose
        out = plain(prose)
        for ch, command in _TEX_SYMBOLS.items():
            out = out.replace(ch, command)
        return out

    out = []
    for section in view.sections:
        out += [rf"\section*{{{tex_text(section.title)}}}", ""]
        for eq in section.equations:
            out += align(equation_latex(eq, doc.digits))
            out += [tex_text(eq.note), ""] if eq.note else [""]
        if section.note:
            out += [tex_text(section.note), ""]
    if view.note:
        out += [rf"\emph{{{tex_text(view.note)}}}", ""]
    return out


def typst_lines(doc, equation, text) -> list[str]:
    """The matrix sections in Typst (``[]`` in the steps view); ``equation`` and ``text`` are the
    Typst writer's."""
    view = view_of(doc)
    if view is None:
        return []
    out = []
    for section in view.sections:
        out += [f"== {text(section.title)}", ""]
        for eq in section.equations:
            out += equation(equation_typst(eq, doc.digits))
            if eq.note:
                out += [text(eq.note), ""]
        if section.note:
            out += [text(section.note), ""]
    if view.note:
        out += [f"_{text(view.note)}_", ""]
    return out


# ---------------------------------------------------------------- text


@dataclass
class Block:
    """Lines of monospace text and the row that lines up with its neighbours' (``mid``)."""

    lines: list[str]
    mid: int = 0
    measured: int | None = field(default=None, repr=False, compare=False)

    @property
    def width(self) -> int:            # measured once: a block's lines never change once it is made
        if self.measured is None:
            self.measured = max(map(cells, self.lines), default=0)
        return self.measured

    @property
    def below(self) -> int:
        return len(self.lines) - self.mid - 1

    @property
    def joins(self) -> bool:
        """Whether a line holds a joiner (U+200D, U+FE0F): beside another block, it may join a
        character of that one, and the row is as wide as rich measures it, not the sum."""
        return any(JOINERS.intersection(line) for line in self.lines)


def row_width(blocks: list[Block | None]) -> int:
    """The width of ``blocks`` side by side (None: a bracket, one column however tall): the sum
    of their widths, each padded to its own, unless a joiner may join two of them."""
    if any(b is not None and b.joins for b in blocks):
        return hcat([b if b is not None else Block([")"]) for b in blocks]).width
    return sum(1 if b is None else b.width for b in blocks)


def hcat(blocks: list[Block]) -> Block:
    """Blocks side by side, their ``mid`` rows on one line."""
    top = max(b.mid for b in blocks)
    bottom = max(b.below for b in blocks)
    height = top + bottom + 1
    lines = [""] * height
    for b in blocks:
        w = b.width
        blank = " " * w
        first = top - b.mid
        for i in range(height):
            j = i - first
            if 0 <= j < len(b.lines):
                line = b.lines[j]
                lines[i] += line + " " * (w - cells(line))
            else:
                lines[i] += blank
    joined = any(b.joins for b in blocks)
    return Block(lines, top, None if joined else sum(b.width for b in blocks))    # else measured


def _text_number(value: float, given: bool, digits: int) -> str:
    return text_number(value, GIVEN_DIGITS if given else digits)


def _aligned(column: list[str]) -> list[str]:
    """A column's numbers lined up on their decimal points (an ellipsis centred)."""
    split = [n.partition(".") if "e" not in n and n not in "⋯⋮⋱" else (n, "", "") for n in column]
    left = max(cells(a) for a, _, _ in split)
    right = max(len(d + b) for _, d, b in split)
    return [" " * (left - cells(a)) + a + (d + b).ljust(right) for a, d, b in split]


def matrix_block(m: Matrix, digits: int) -> Block:
    n_rows, n_cols = len(m.cells), len(m.cells[0])
    columns = []
    for c in range(n_cols):
        col = []
        for r in range(n_rows):
            v = m.cells[r][c]
            col.append(("⋱" if m.rows[r] is None and m.cols[c] is None else
                        "⋮" if m.rows[r] is None else "⋯") if v is None else
                       _text_number(v, m.given, digits))
        columns.append(_aligned(col))
    top_labels = m.labels in ("both", "cols") and n_cols > 1 or m.labels == "cols"
    left_labels = m.labels == "both"
    right_labels = m.labels == "rows"
    if top_labels:
        widths = [max(cells(columns[c][0]), cells(m.cols[c] or "⋯")) for c in range(n_cols)]
        columns = [[" " * (widths[c] - cells(x)) + x for x in col] for c, col in enumerate(columns)]
    else:
        widths = [cells(col[0]) for col in columns]
    body = ["  ".join(columns[c][r] for c in range(n_cols)) for r in range(n_rows)]
    if n_rows == 1:
        brackets = [("[", "]")]
    else:
        brackets = [("⎡", "⎤")] + [("⎢", "⎥")] * (n_rows - 2) + [("⎣", "⎦")]
    labels = [name if name is not None else "⋮" for name in m.rows]
    lw = max(cells(x) for x in labels) if left_labels else 0
    lines = []
    for r, text in enumerate(body):
        left = (labels[r] + " " * (lw - cells(labels[r])) + " ") if left_labels else ""
        right = (" " + labels[r]) if right_labels else ""
        lines.append(f"{left}{brackets[r][0]} {text} {brackets[r][1]}{right}")
    mid = (n_rows - 1) // 2
    if top_labels:
        head = " " * (lw + 1 if left_labels else 0) + "  " + "  ".join(
            " " * (widths[c] - cells(m.cols[c] or "⋯")) + (m.cols[c] or "⋯") for c in range(n_cols))
        lines.insert(0, head.rstrip())
        mid += 1
    return Block(lines, mid)


def narrowed(m: Matrix) -> Matrix | None:
    """``m`` with one column fewer shown (before its ellipsis), or None when it cannot lose one."""
    cols = list(m.cols)
    if len(cols) <= 2:
        return None
    if None in cols:
        cut = cols.index(None) - 1
        if cut < 1:
            if cols.index(None) != 1 or cols[-1] is None:
                return None
            cut = len(cols) - 1     # first ⋯ last, still too wide: the first column and ⋯ alone
        keep = [i for i in range(len(cols)) if i != cut]
    else:       # the last but one becomes the ellipsis
        keep = list(range(len(cols) - 2)) + [len(cols) - 1]
    def pick(row, fill):
        out = [row[i] for i in keep]
        if None not in cols:
            out.insert(len(out) - 1, fill)
        return tuple(out)
    return replace(m, cells=tuple(pick(r, None) for r in m.cells), ids=tuple(pick(r, None) for r in m.ids),
                   cols=pick(cols, None))


def _item_block(item, prev, digits: int) -> Block:
    if isinstance(item, Matrix):
        return matrix_block(item, digits)
    if isinstance(item, Num):
        text = _text_number(item.value, item.given, digits)
        return Block([f"({text})" if _bracketed(item, prev) else text])
    if isinstance(item, Op):
        frac = _fraction(item.symbol)
        return Block([f"{frac[0]}/{frac[1]} " if frac else _OP_TEXT[item.symbol]])
    return Block([sym_text(item)])


def _paren(symbol: str, top: int, below: int) -> Block:
    if top == 0 and below == 0:
        return Block([symbol])
    a, b, c = ("⎛", "⎜", "⎝") if symbol == "(" else ("⎞", "⎟", "⎠")
    return Block([a] + [b] * (top + below - 1) + [c], top)


def _item_blocks(items, digits: int, memo: dict) -> list[Block | None]:
    """Each item's block (None for a bracket), from ``memo`` when it has it: a block depends
    on its item and the item before it (a negative number after an operator is bracketed)."""
    blocks: list[Block | None] = []
    for i, item in enumerate(items):
        if isinstance(item, Op) and item.symbol in "()":
            blocks.append(None)
            continue
        prev = items[i - 1] if i else None
        key = (id(item), id(prev))
        found = memo.get(key)
        if found is None:               # the item and prev held, so that no id is used again
            found = memo[key] = (_item_block(item, prev, digits), item, prev)
        blocks.append(found[0])
    return blocks


def _items_width(items, digits: int, memo: dict) -> int:
    """``member_block(items).width`` without drawing it."""
    return row_width(_item_blocks(items, digits, memo))


def member_block(items, digits: int, memo: dict | None = None) -> Block:
    """One member of a chain: its items side by side, brackets as tall as their contents."""
    blocks = _item_blocks(items, digits, {} if memo is None else memo)
    stack: list[int] = []
    pairs = {}
    for i, item in enumerate(items):
        if isinstance(item, Op) and item.symbol == "(":
            stack.append(i)
        elif isinstance(item, Op) and item.symbol == ")" and stack:
            pairs[stack.pop()] = i
    for i, j in pairs.items():
        inner = [b for b in blocks[i + 1:j] if b is not None] or [Block([""])]
        top, below = max(b.mid for b in inner), max(b.below for b in inner)
        blocks[i], blocks[j] = _paren("(", top, below), _paren(")", top, below)
    rest = [b for b in blocks if b is not None] or [Block([""])]     # a bracket split over lines
    top, below = max(b.mid for b in rest), max(b.below for b in rest)
    for i, item in enumerate(items):
        if blocks[i] is None:
            blocks[i] = _paren(item.symbol, top, below)
    return hcat(blocks)


def _fit_items(items, digits: int, width: int) -> list[Block]:
    """A member as one block, or (too wide) its items in several blocks, breaking before an
    operator; a matrix wider than the page shows fewer columns."""
    memo: dict = {}             # the items' blocks, each drawn once
    whole = member_block(items, digits, memo)
    if whole.width <= width:
        return [whole]
    items = list(items)
    for i, item in enumerate(items):           # narrow what cannot fit even alone
        while isinstance(item, Matrix) and matrix_block(item, digits).width > width - 4:
            smaller = narrowed(item)
            if smaller is None:
                break
            item = items[i] = smaller
    units: list[list] = []          # an operand with the operators before it; a bracket whole
    depth = 0
    for item in items:
        is_op = isinstance(item, Op) and item.symbol not in "()"
        if depth == 0 and (not units or not _open(units[-1])):
            units.append([item])
        else:
            units[-1].append(item)
        if isinstance(item, Op) and item.symbol == "(":
            depth += 1
        elif isinstance(item, Op) and item.symbol == ")":
            depth -= 1
        del is_op
    flat: list[list] = []           # a bracket too wide for the line is broken inside
    for unit in units:
        if any(isinstance(i, Op) and i.symbol == "(" for i in unit) and \
                _items_width(unit, digits, memo) > width:
            flat += _units(unit)
        else:
            flat.append(unit)
    chunks: list[list] = []
    for unit in flat:
        if chunks and _items_width(chunks[-1] + unit, digits, memo) > width:
            chunks.append(list(unit))
        elif chunks:
            chunks[-1] += unit
        else:
            chunks.append(list(unit))
    return [member_block(chunk, digits, memo) for chunk in chunks]


def _units(items: list) -> list[list]:
    """``items`` as units ignoring brackets: each operand with the operators and brackets
    before it, closing brackets with the operand they close."""
    units: list[list] = []
    for item in items:
        if isinstance(item, Op) and item.symbol == ")" and units:
            units[-1].append(item)
        elif units and isinstance(units[-1][-1], Op) and units[-1][-1].symbol != ")":
            units[-1].append(item)
        else:
            units.append([item])
    return units


def _open(unit: list) -> bool:
    """Whether a unit still waits for its operand (it ends in an operator or an open bracket)."""
    depth = sum(1 if isinstance(i, Op) and i.symbol == "(" else -1 if isinstance(i, Op) and i.symbol == ")"
                else 0 for i in unit)
    last = unit[-1]
    return depth > 0 or (isinstance(last, Op) and last.symbol != ")")


def equation_text(eq: Equation, digits: int, width: int) -> list[str]:
    """A chain as monospace lines at most ``width`` columns wide: ``lhs = m1 = m2 …``, a member
    that does not fit on the line group before starting a new one under the first ``=``."""
    lhs = member_block(eq.members[0], digits)
    pad = lhs.width
    if pad > width // 3:
        pad = 0
    groups: list[Block] = []
    current = [lhs]
    for member in eq.members[1:]:
        pieces = _fit_items(member, digits, width - pad - 3)
        for j, piece in enumerate(pieces):
            joint = Block([" = " if j == 0 else "   "])
            if current and row_width(current + [joint, piece]) <= width:
                current += [joint, piece]
                continue
            if current:
                groups.append(hcat(current))
            current = [Block([" " * pad]), joint, piece]
    groups.append(hcat(current))
    lines = []
    for g in groups:
        lines += [line.rstrip() for line in g.lines]
    return lines


def text_sections(doc, width: int) -> list[tuple[str, list[tuple[list[str], str]], str]]:
    """Each section: its title, its equations (the lines and the note), its note."""
    view = view_of(doc)
    if view is None:
        return []
    return [(s.title, [(equation_text(eq, doc.digits, width), eq.note) for eq in s.equations], s.note)
            for s in view.sections] + ([("", [], view.note)] if view.note else [])


def write_text(page, doc, indent: int, styles: dict) -> None:
    """The matrix sections onto a text page (nothing in the steps view), ``indent`` in, in the
    text writer's ``styles``."""
    for title, equations, note in text_sections(doc, page.width - indent):
        if title:
            page.rule(title)
        for lines, eq_note in equations:
            for line in lines:
                page.line((" " * indent, ""), (line, ""))
            if eq_note:
                page.prose(eq_note, indent, styles["note"])
            page.blank()
        if note:
            page.prose(note, indent, styles["note"] if title else styles["hand"])
            page.blank()


# ---------------------------------------------------------------- the page


def page_json(doc) -> dict | None:
    """The matrix view for the page's payload (``doc.matrix``; None in the steps view): the
    view's data (:func:`handprop.render.matrix.to_json`), each equation also as LaTeX pieces
    (``latex``: per member, text or a matrix's rows of cells; ``static/matrix.js`` joins them
    with ``&`` into ``bmatrix`` and ``aligned`` for KaTeX, so the JSON holds no ``&`` to escape)
    and as the text writer's lines (its fallback)."""
    view = view_of(doc)
    if view is None:
        return None
    from .matrix import to_json
    out = to_json(view, lambda eq: [latex_pieces(m, doc.digits) for m in eq.members])
    for section, data in zip(view.sections, out["sections"]):
        for eq, item in zip(section.equations, data["equations"]):
            item["text"] = "\n".join(equation_text(eq, doc.digits, 110))
    return out


def page_latex(item: dict) -> str:
    """An equation of :func:`page_json` as the one LaTeX string the page makes of it."""
    members = [" ".join(p if isinstance(p, str) else bmatrix(p) for p in m) for m in item["latex"]]
    if len(members) == 1:
        return members[0]
    rows = [f"{members[0]} &= {members[1]}"] + [f"&= {m}" for m in members[2:]]
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"
