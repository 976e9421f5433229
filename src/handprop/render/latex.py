"""The worked solution as a complete LaTeX document.

Each step is an ``align*`` chain, ``lhs &= general formula \\ &= numbers ... &= value``,
with its chain-rule terms in a table; the forward-pass table and the summary of
every update close the sections as in the tutorial.  The document compiles with
pdfLaTeX (the symbols our own prose uses are mapped to commands) and with
XeLaTeX/LuaLaTeX (any Unicode in a user's names).  Every formula also parses
with KaTeX, which the tests check.
"""
from __future__ import annotations

from ..expr.numbers import latex_number
from ..expr.printers import tex_escape
from ..trace import Trace
from .document import Cell, Document, StepBlock, Table, document, given_items, given_number
from .matrix import step_sections
from .matrix_write import latex_lines as matrix_lines

_UNICODE = {
    "−": r"\ensuremath{-}", "×": r"\ensuremath{\times}", "·": r"\ensuremath{\cdot}",
    "→": r"\ensuremath{\to}", "↓": r"\ensuremath{\downarrow}", "↑": r"\ensuremath{\uparrow}",
    "—": "---", "–": "--", "…": r"\ldots{}", "½": r"\ensuremath{\tfrac{1}{2}}",
    "²": r"\ensuremath{^{2}}", "⁺": r"\ensuremath{^{+}}", "′": r"\ensuremath{'}",
    "∂": r"\ensuremath{\partial}", "η": r"\ensuremath{\eta}", "δ": r"\ensuremath{\delta}",
    "σ": r"\ensuremath{\sigma}", "Σ": r"\ensuremath{\Sigma}", "≤": r"\ensuremath{\le}",
    "≥": r"\ensuremath{\ge}", "≈": r"\ensuremath{\approx}", "∞": r"\ensuremath{\infty}",
    '"': r"\textquotedbl{}",
}

PREAMBLE = r"""\documentclass[11pt]{article}
\ifdefined\Umathchar
  \usepackage{fontspec}
\else
  \usepackage[T1]{fontenc}
  \usepackage[utf8]{inputenc}
  \usepackage{lmodern}
\fi
\usepackage{amsmath,amssymb}
\usepackage{booktabs,longtable,array}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6\baselineskip}
\renewcommand{\arraystretch}{1.4}
"""


def tex_text(text: str) -> str:
    """``text`` for LaTeX's text mode: specials escaped, our symbols as commands."""
    escaped = tex_escape(text)
    if escaped.isascii() and '"' not in escaped:
        return escaped
    return "".join(_UNICODE.get(ch, ch) for ch in escaped)


def code_spans(text: str) -> str:
    """Prose of our own with `code` in backticks, the code in typewriter type."""
    parts = text.split("`")
    return "".join(rf"\texttt{{{tex_text(p)}}}" if i % 2 else tex_text(p) for i, p in enumerate(parts))


def math(value: float | None, digits: int) -> str:
    return "---" if value is None else f"${latex_number(value, digits)}$"


def align(parts: list[str]) -> list[str]:
    """A chain ``a = b = c`` as ``align*``, each ``=`` on its own line."""
    if len(parts) == 1:
        return [r"\begin{align*}", parts[0], r"\end{align*}"]
    lines = [r"\begin{align*}"]
    for k, part in enumerate(parts[1:]):
        lhs = parts[0] + " " if k == 0 else ""
        end = r" \\" if k < len(parts) - 2 else ""
        lines.append(f"{lhs}&= {part}{end}")
    return lines + [r"\end{align*}"]


def tabular(spec: str, headers: list[str], rows: list[list[str]], long: bool = False) -> list[str]:
    """A booktabs table (``longtable`` when it may run over a page); cells already escaped."""
    env = "longtable" if long else "tabular"
    out = [rf"\begin{{{env}}}{{{spec}}}", r"\toprule", " & ".join(headers) + r" \\", r"\midrule"]
    if long:
        out.append(r"\endhead")
    out += [" & ".join(row) + r" \\" for row in rows]
    return out + [r"\bottomrule", rf"\end{{{env}}}"]


def cell_text(doc: Document, c: Cell) -> str:
    """A table cell in LaTeX (numbers in math mode, names escaped)."""
    if c.kind == "number":
        text = f"${latex_number(c.value, doc.digits)}$"
        return f"$\\mathbf{{{latex_number(c.value, doc.digits)}}}$" if c.strong else text
    if c.kind == "given":
        return tex_text(given_number(c.value))
    if c.kind == "symbol":
        symbol = doc.write(c.value, "latex")
        return f"$\\boldsymbol{{{symbol}}}$" if c.strong else f"${symbol}$"
    if c.kind == "empty":
        return "---" if c.value == "—" else ""
    text = MOVED.get(str(c.value)) or tex_text(str(c.value))
    return rf"\textbf{{{text}}}" if c.strong else text


MOVED = {"↓ down": r"$\downarrow$ down", "↑ up": r"$\uparrow$ up", "· none": "none"}


# ---------------------------------------------------------------- the parts


def step_lines(doc: Document, b: StepBlock) -> list[str]:
    out = [rf"\subsection*{{{tex_text(b.title)}}}"]
    out += align(doc.chain(b.step, "latex"))
    if b.hand is not None:
        out.append(rf"By hand \textbf{{{tex_text(b.hand.hand_text)}}} \quad exact "
                   rf"{tex_text(b.hand.exact_text)} \quad drift {tex_text(b.hand.drift_text)}")
        out.append("")
    if b.terms:
        rows = [[tex_text(t.label), rf"$\displaystyle {doc.write(t.symbol, 'latex')}$",
                 f"${latex_number(t.value, doc.digits)}$", tex_text(t.question)] for t in b.terms]
        out += [r"\begin{center}\small"]
        out += tabular(r"@{}llr>{\raggedright\arraybackslash}p{8.5cm}@{}",
                       ["", "factor", "value", "what it asks"], rows)
        out += [r"\end{center}"]
    for form in b.forms:
        out.append(rf"\emph{{{tex_text(form.title)}:}}")
        out += align(doc.chain(form, "latex"))
    out += [tex_text(b.note), ""]
    return out


def given_lines(doc: Document) -> list[str]:
    rows = []
    for row in doc.given:
        items = given_items(row, tex_text, r"\ldots", "~=~", lambda v: tex_text(given_number(v)))
        rows.append([tex_text(row.label), ", ".join(items)])
    if doc.more_samples:
        rows.append([r"\ldots", f"and {doc.more_samples} more samples"])
    return [r"\section*{Given}"] + tabular(r"@{}l>{\raggedright\arraybackslash}p{13.5cm}@{}",
                                           ["", "values"], rows, long=True) + [""]


def table_lines(doc: Document, t: Table, heading: str = "subsection") -> list[str]:
    headers = [cell_text(doc, c) for c in t.headers]
    rows = [[cell_text(doc, c) for c in row] for row in t.rows]
    if t.more:
        rows.append([r"\ldots", f"and {t.more} more"] + [""] * (len(headers) - 2))
    spec = "@{}" + t.aligns + "@{}"
    if t.kind == "updates":
        return [rf"\{heading}*{{{tex_text(t.title)}}}"] + tabular(spec, headers, rows, long=True) + [""]
    return ([rf"\{heading}*{{{tex_text(t.title)}}}", r"\begin{center}"] + tabular(spec, headers, rows)
            + [r"\end{center}", ""])


def render(trace: Trace, digits: int | None = None, options=None) -> str:
    doc = document(trace, digits, options)
    title = tex_text(doc.title)
    out = [PREAMBLE + rf"\title{{{title}}}", r"\date{}", r"\begin{document}", r"\maketitle", ""]
    if doc.description:
        out += [tex_text(doc.description), ""]
    out.append(rf"\textbf{{Network:}} {tex_text(doc.summary)}\\")
    out.append(rf"\textbf{{Settings:}} {tex_text(doc.settings)}")
    if doc.hand_rounding:
        out[-1] += r"\\"
        out.append(rf"\textbf{{Hand rounding:}} {tex_text(doc.hand_rounding)}")
    out.append("")
    for warning in doc.warnings:
        out += [rf"\textbf{{Warning:}} {tex_text(warning)}", ""]
    out += given_lines(doc)
    out += matrix_lines(doc, align, tex_text)   # the matrix view (render/matrix_write.py); none in the steps view
    for section in step_sections(doc):
        out += [rf"\section*{{{tex_text(section.title)}}}", ""]
        for b in section.blocks:
            out += step_lines(doc, b)
        if section.table is not None:
            out += table_lines(doc, section.table)
    out += table_lines(doc, doc.updates, "section")
    out += [rf"\section*{{{doc.questions_title}}}", r"\begin{enumerate}"]
    for q in doc.questions:
        out.append(rf"\item \textbf{{{tex_text(q.question)}}} ${doc.write(q.symbol, 'latex')}$ --- "
                   rf"{tex_text(q.answer)}")
    out += [r"\end{enumerate}", "", r"\section*{A note on rounding}",
            code_spans(doc.rounding_note), "", r"\end{document}", ""]
    return "\n".join(out)
