"""What the LaTeX writers share: a document model written in LaTeX, piece by piece.

:class:`Writer` writes the parts (a step's chain as ``align*``, its factors, the given
values, the tables, the summary, the drawing, the questions) with the headings it is
given; :mod:`handprop.render.latex` puts them together as a document or a fragment to
``\\input``, :mod:`handprop.render.beamer` as slides.
"""
from __future__ import annotations

from ..expr.numbers import latex_number
from ..expr.printers import tex_name
from .document import Cell, Document, StepBlock, Table
from .matrix import step_sections
from .matrix_write import latex_lines as matrix_lines
from .texlayout import break_member
from .texprose import Prose, hand_math, tex_text
from . import tikz

__all__ = ["Writer", "tex_text", "code_spans", "PREAMBLE", "PACKAGES", "align", "chain_lines",
           "tabular", "math", "name_math", "LINE_EMS"]

PACKAGES = ("amsmath", "amssymb", "booktabs", "longtable", "array", "tikz")

FONTS = r"""\ifdefined\Umathchar
  \usepackage{fontspec}
\else
  \usepackage[T1]{fontenc}
  \usepackage[utf8]{inputenc}
  \usepackage{lmodern}
\fi
"""
"""The fonts of every LaTeX form: fontspec under XeLaTeX and LuaLaTeX, T1 and Latin Modern
under pdfLaTeX."""

PREAMBLE = r"""\documentclass[10pt]{article}
""" + FONTS + r"""\usepackage{amsmath,amssymb}
\usepackage{booktabs,longtable,array}
\usepackage{tikz}
\usepackage{multicol}
\usepackage[margin=1.8cm]{geometry}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.4\baselineskip}
\renewcommand{\arraystretch}{1.25}
\setlength{\abovedisplayskip}{4pt plus 2pt}
\setlength{\belowdisplayskip}{4pt plus 2pt}
\makeatletter
\renewcommand\subsection{\@startsection{subsection}{2}{\z@}{1.6ex plus .5ex minus .2ex}%
  {0.5ex}{\normalfont\normalsize\bfseries}}
\makeatother
"""

LINE_EMS = 49.0         # what a display line of the article holds, in ems (17 cm at 10 pt)
CHARS_PER_EM = 1.9      # plain-text characters a display em holds, roughly (Document.rows)
COLUMN_EMS = 26.0       # what a display line of one of the article's two columns holds (\\small)


def code_spans(text: str, prose=tex_text) -> str:
    """Prose of our own with `code` in backticks, the code in typewriter type."""
    parts = text.split("`")
    return "".join(rf"\texttt{{{tex_text(p)}}}" if i % 2 else prose(p) for i, p in enumerate(parts))


def math(value: float | None, digits: int) -> str:
    return "---" if value is None else f"${latex_number(value, digits)}$"


def chain_lines(parts: list[str], limit: float = LINE_EMS) -> list[str]:
    """The rows of a chain ``a = b = c`` for ``align*``/``aligned``: each ``=`` on its own
    row, a member wider than ``limit`` ems broken before a top-level operator."""
    if len(parts) == 1:
        return break_member(parts[0], limit)
    rows: list[str] = []
    for k, part in enumerate(parts[1:]):
        pieces = break_member(part, limit - (8 if k == 0 else 2))
        lhs = parts[0] + " " if k == 0 else ""
        rows.append(f"{lhs}&= {pieces[0]}")
        rows += [rf"&\quad {p}" for p in pieces[1:]]
    return rows


def align(parts: list[str], limit: float = LINE_EMS) -> list[str]:
    """A chain ``a = b = c`` as ``align*``, each ``=`` on its own line."""
    rows = chain_lines(parts, limit)
    body = [r + (r" \\" if i < len(rows) - 1 else "") for i, r in enumerate(rows)]
    return [r"\begin{align*}"] + body + [r"\end{align*}"]


def tabular(spec: str, headers: list[str], rows: list[list[str]], long: bool = False) -> list[str]:
    """A booktabs table (``longtable`` when it may run over a page); cells already escaped."""
    env = "longtable" if long else "tabular"
    out = [rf"\begin{{{env}}}{{{spec}}}", r"\toprule", " & ".join(headers) + r" \\", r"\midrule"]
    if long:
        out.append(r"\endhead")
    out += [" & ".join(row) + r" \\" for row in rows]
    return out + [r"\bottomrule", rf"\end{{{env}}}"]


MOVED = {"↓ down": r"$\downarrow$ down", "↑ up": r"$\uparrow$ up", "· none": "none"}


def name_math(name: str) -> str:
    """A user's name inside math, as the formulas write it: ``w_{5}``, ``\\text{...}``."""
    return tex_name(name)


class Writer:
    """Writes a document model in LaTeX; the document, body and beamer forms share it.

    ``levels`` are the heading commands of the title, a section and a step.
    """

    def __init__(self, doc: Document, levels: tuple[str, str, str] = (r"\section*", r"\section*",
                                                                      r"\paragraph*"),
                 limit: float = LINE_EMS, columns: int = 1):
        self.doc = doc
        self.columns = columns
        self.prose = Prose.of(doc.trace.problem)
        self.title_cmd, self.section_cmd, self.step_cmd = levels
        self.limit = limit

    # -- pieces

    def cell(self, c: Cell) -> str:
        """A table cell in LaTeX (numbers in math mode, names in math where they are identifiers)."""
        doc = self.doc
        if c.kind == "number":
            text = f"${latex_number(c.value, doc.digits)}$"
            return f"$\\mathbf{{{latex_number(c.value, doc.digits)}}}$" if c.strong else text
        if c.kind == "given":
            return f"${latex_number(c.value, 12)}$"
        if c.kind == "symbol":
            symbol = doc.write(c.value, "latex")
            return f"$\\boldsymbol{{{symbol}}}$" if c.strong else f"${symbol}$"
        if c.kind == "empty":
            return "---" if c.value == "—" else ""
        if c.kind == "name":
            text = f"${name_math(str(c.value))}$"
        else:
            text = MOVED.get(str(c.value)) or self.prose(str(c.value))
        return rf"\textbf{{{text}}}" if c.strong else text

    def heading(self, cmd: str, text: str) -> str:
        return f"{cmd}{{{self.prose(text)}}}"

    def step(self, b: StepBlock, heading: bool = True) -> list[str]:
        """A step: a run-in heading with its sentence (what it means), then its chain, its
        hand value, its factors and its other forms."""
        doc, tx = self.doc, self.prose
        if heading:
            out = [f"{self.heading(self.step_cmd, b.title)} {tx(b.note)}".rstrip(), ""]
        else:
            out = [tx(b.note), ""] if b.note else []
        out += align(doc.rows(b.step, "latex", int(self.limit * CHARS_PER_EM)), self.limit)
        if b.hand is not None:
            out.append(rf"By hand {hand_math(b.hand.hand_text, True)} \quad exact "
                       rf"{hand_math(b.hand.exact_text)} \quad drift {hand_math(b.hand.drift_text)}")
            out.append("")
        if b.terms:
            out += self.terms(b)
        for form in b.forms:
            plain = doc.chain(form, "text")
            if len(" = ".join(plain)) + len(form.title) + 2 <= 2 * self.limit * CHARS_PER_EM:
                # short enough for two lines of text (TeX breaks inline math after an =):
                # in the text, not displayed
                out += [rf"\emph{{{tx(form.title)}:}} ${' = '.join(doc.chain(form, 'latex'))}$", ""]
                continue
            out.append(rf"\emph{{{tx(form.title)}:}}")
            out += align(doc.rows(form, "latex", int(self.limit * CHARS_PER_EM)), self.limit)
        return out + [""]

    def terms(self, b: StepBlock, width: str = r"0.5\linewidth", size: str = r"\small") -> list[str]:
        doc, tx = self.doc, self.prose
        if not any(t.question for t in b.terms):     # every question asked before: one line
            factors = r", \quad ".join(f"{tx(t.label)}: ${doc.write(t.symbol, 'latex')} = "
                                      f"{latex_number(t.value, doc.digits)}$" for t in b.terms)
            return [rf"{{{size} Factors: {factors}}}", ""]
        rows = [[tx(t.label), rf"$\displaystyle {doc.write(t.symbol, 'latex')}$",
                 f"${latex_number(t.value, doc.digits)}$", tx(t.question)] for t in b.terms]
        return ([rf"\begin{{center}}{size}", r"{\renewcommand{\arraystretch}{1.15}"]
                + tabular(rf"@{{}}llr>{{\raggedright\arraybackslash}}p{{{width}}}@{{}}",
                          ["", "factor", "value", "what it asks"], rows)
                + ["}", r"\end{center}"])

    def given_rows(self) -> list[list[str]]:
        rows = []
        for row in self.doc.given:
            items = []
            for entry in row.entries:
                if entry is None:
                    items.append(r"\ldots")
                    continue
                name, value, wiring = entry
                where = ""
                if wiring:
                    ends = [w.strip() for w in wiring.replace("→", ",").split(",")]
                    joiner = r" \to " if "→" in wiring else ", "
                    where = " (" + "$" + joiner.join(r"\ldots" if e == "…" else name_math(e)
                                                     for e in ends) + "$)"
                items.append(f"${name_math(name)} = {latex_number(value, 12)}${where}")
            if len(row.entries) < row.count:
                items[-1] += f" (${row.count}$ in all)"
            rows.append([self.prose(row.label), ", ".join(items)])
        if self.doc.more_samples:
            rows.append([r"\ldots", f"and ${self.doc.more_samples}$ more samples"])
        return rows

    def given(self, heading: str) -> list[str]:
        return ([self.heading(heading, "Given"), r"{\renewcommand{\arraystretch}{1.2}"]
                + tabular(r"@{}l>{\raggedright\arraybackslash}p{0.72\linewidth}@{}",
                          ["", "values"], self.given_rows(), long=True) + ["}", ""])

    def table_rows(self, t: Table) -> tuple[list[str], list[list[str]]]:
        headers = [self.cell(c) for c in t.headers]
        rows = [[self.cell(c) for c in row] for row in t.rows]
        if t.more:
            rows.append([r"\ldots", f"and ${t.more}$ more"] + [""] * (len(headers) - 2))
        return headers, rows

    def table(self, t: Table, heading: str) -> list[str]:
        headers, rows = self.table_rows(t)
        spec = "@{}" + t.aligns + "@{}"
        head = [self.heading(heading, t.title), r"{\renewcommand{\arraystretch}{1.2}"]
        if t.kind in ("updates", "state"):
            return head + tabular(spec, headers, rows, long=True) + ["}", ""]
        return head + [r"\begin{center}"] + tabular(spec, headers, rows) + [r"\end{center}", "}", ""]

    def summary(self) -> list[str]:
        doc, tx = self.doc, self.prose
        out = []
        if doc.description:
            out += [tex_text(doc.description), ""]
        out.append(rf"\textbf{{Network:}} {tx(doc.summary)}\\")
        out.append(rf"\textbf{{Settings:}} {tx(doc.settings)}")
        if doc.hand_rounding:
            out[-1] += r"\\"
            out.append(rf"\textbf{{Hand rounding:}} {tx(doc.hand_rounding)}")
        out.append("")
        for warning in doc.warnings:
            out += [rf"\textbf{{Warning:}} {tx(warning)}", ""]
        return out

    def network(self, max_width: float = 16.0, max_height: float | None = 15.0) -> list[str]:
        return ([r"\begin{center}"] + tikz.picture(self.doc.trace, self.doc.digits, max_width, max_height)
                + [r"\end{center}", ""])

    def matrix(self, align_=None) -> list[str]:
        """The matrix view (render/matrix_write.py; nothing in the steps view), its headings at
        this writer's section level and its chains laid out by ``align_``."""
        lines = matrix_lines(self.doc, align_ or (lambda parts: align(parts, self.limit)), self.prose)
        head = r"\section*{"
        return [self.section_cmd + "{" + line[len(head):] if line.startswith(head) else line
                for line in lines]

    def questions(self) -> list[str]:
        doc, tx = self.doc, self.prose
        out = [r"\begin{enumerate}"]
        for q in doc.questions:
            out.append(rf"\item \textbf{{{tx(q.question)}}} ${doc.write(q.symbol, 'latex')}$ --- "
                       rf"{tx(q.answer)}")
        return out + [r"\end{enumerate}"]

    # -- the whole

    def content(self) -> list[str]:
        """Everything after the title: summary, drawing, given values, sections, tables."""
        doc = self.doc
        out = self.summary()
        out += [self.heading(self.section_cmd, "The network")] + self.network()
        out += self.given(self.section_cmd)
        out += self.matrix()
        sections = step_sections(doc)
        wide, self.limit = self.limit, (COLUMN_EMS if self.columns == 2 and sections else self.limit)
        if self.columns == 2 and sections:     # the steps in two columns, as a handout
            out += [r"\begin{multicols}{2}", r"\raggedcolumns", r"\small"]
        for section in sections:
            out += [self.heading(self.section_cmd, section.title), ""]
            for b in section.blocks:
                out += self.step(b)
            if section.table is not None:
                out += self.table(section.table, self.step_cmd)
        if self.columns == 2 and sections:
            out += [r"\end{multicols}", ""]
        self.limit = wide
        out += self.table(doc.updates, self.section_cmd)
        if doc.state is not None:
            out += self.table(doc.state, self.section_cmd)
        closing = [self.heading(self.section_cmd, doc.questions_title)] + self.questions() + [""]
        closing += [self.heading(self.section_cmd, "A note on rounding"),
                    code_spans(doc.rounding_note, self.prose), ""]
        if self.columns == 2:
            closing = [r"\begin{multicols}{2}"] + closing + [r"\end{multicols}", ""]
        return out + closing
