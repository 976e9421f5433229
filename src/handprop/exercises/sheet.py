"""The worksheet of a variant: what the student is given and what to compute.

The drawing of the network with its given numbers (and nothing computed), the network's
summary and settings, the given values, the rounding policy, one box per asked quantity, a
name/ID line and the variant code; as Markdown, HTML, LaTeX and Typst (compiled to PDF by
:mod:`.build`).  :class:`Sheet` holds the content once; each writer lays it out.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..expr.nodes import Sym
from ..expr.printers import typst_string
from ..quantities import describe, pretty
from ..render.document import document, given_items
from ..render.markdown import md_escape
from ..render.texdoc import PREAMBLE as TEX_PREAMBLE
from ..render.texprose import tex_text
from ..solve import explain
from . import drawing
from .generate import Variant
from .policy import Policy

TASK = ("Work this network by hand with the numbers shown: the forward pass, the loss, the backward "
        "pass and the update (gradient descent). Write each quantity asked below in its box.")


@dataclass(frozen=True)
class Question:
    id: str
    text: str           # as a person writes it: ∂E/∂w5
    latex: str
    typst: str
    words: str          # the gradient of w5


@dataclass(frozen=True)
class Sheet:
    code: str
    title: str
    summary: str
    settings: str
    given: tuple[tuple[str, tuple[str, ...]], ...]      # label, items
    policy: str
    questions: tuple[Question, ...]
    problem: dict


def questions(trace, ids) -> tuple[Question, ...]:
    return tuple(Question(k, pretty(k), trace.write(Sym(k), "latex", 6), trace.write(Sym(k), "typst", 6),
                          describe(k)) for k in ids)


def sheet(variant: Variant, ids, policy: Policy) -> Sheet:
    trace = explain(variant.problem)
    doc = document(trace)
    given = tuple((row.label, tuple(given_items(row))) for row in doc.given)
    return Sheet(variant.code, f"Backpropagation by hand — variant {variant.code}", doc.summary,
                 doc.settings, given, policy.text, questions(trace, ids), trace.problem)


# ---------------------------------------------------------------- Markdown

def markdown(s: Sheet, drawing_file: str = "network.svg") -> str:
    out = [f"# {md_escape(s.title)}", "",
           f"**Name:** ______________________ &nbsp; **Student ID:** ____________ &nbsp; "
           f"**Variant:** `{s.code}`", "",
           f"**Network:** {md_escape(s.summary)}  ", f"**Settings:** {md_escape(s.settings)}", "",
           f"![the network with its given numbers]({drawing_file})", "", "## Given", "",
           "| | values |", "|---|---|"]
    out += [f"| {md_escape(label)} | {md_escape(', '.join(items))} |" for label, items in s.given]
    out += ["", "## What to compute", "", md_escape(TASK), "",
            f"**Rounding:** {md_escape(s.policy)}", "", "| # | quantity | what it is | your answer |",
            "|---|---|---|---|"]
    out += [f"| {i} | ${q.latex}$ | {md_escape(q.words)} | &nbsp; |"
            for i, q in enumerate(s.questions, start=1)]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- HTML

CSS = """body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;margin:1.5rem auto;
padding:0 1rem;color:#111;line-height:1.45}h1{font-size:1.45rem;margin-bottom:.3rem}h2{font-size:1.1rem;
margin-top:1.4rem}table{border-collapse:collapse}td,th{padding:.3rem .6rem;text-align:left;vertical-align:top}
.given td:first-child{font-weight:600}.answers td,.answers th{border-bottom:1px solid #ccc}
.box{display:inline-block;width:10rem;height:1.7rem;border:1.5px solid #333;border-radius:3px}
.line{display:flex;gap:2rem;flex-wrap:wrap;margin:.6rem 0 1rem}.blank{display:inline-block;min-width:12rem;
border-bottom:1px solid #333}.code{font-family:ui-monospace,monospace;font-weight:700;letter-spacing:.08em}
.policy{border-left:4px solid #888;padding:.3rem .8rem;background:#f5f5f5}svg{max-width:100%;height:auto}
.worked{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.82rem;white-space:pre;overflow-x:auto;
background:#fafafa;border:1px solid #ddd;padding:.8rem}
@media print{body{margin:0;max-width:none}.noprint{display:none}}"""


def html_head(title: str, extra_css: str = "") -> list[str]:
    return ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>", f"<style>{CSS}{extra_css}</style>", "</head>", "<body>"]


def html_given(s: Sheet) -> list[str]:
    out = ['<table class="given">']
    out += [f"<tr><td>{escape(label)}</td><td>{escape(', '.join(items))}</td></tr>" for label, items in s.given]
    return out + ["</table>"]


def html(s: Sheet) -> str:
    out = html_head(s.title) + [f"<h1>{escape(s.title)}</h1>",
                                '<div class="line"><span>Name: <span class="blank"></span></span>'
                                '<span>Student ID: <span class="blank" style="min-width:8rem"></span></span>'
                                f'<span>Variant: <span class="code">{escape(s.code)}</span></span></div>',
                                f"<p><b>Network:</b> {escape(s.summary)}<br><b>Settings:</b> {escape(s.settings)}</p>",
                                drawing.svg(s.problem), "<h2>Given</h2>"] + html_given(s)
    out += ["<h2>What to compute</h2>", f"<p>{escape(TASK)}</p>",
            f'<p class="policy"><b>Rounding:</b> {escape(s.policy)}</p>',
            '<table class="answers"><tr><th>#</th><th>quantity</th><th>what it is</th><th>your answer</th></tr>']
    out += [f'<tr><td>{i}</td><td>{escape(q.text)}</td><td>{escape(q.words)}</td><td><span class="box"></span></td></tr>'
            for i, q in enumerate(s.questions, start=1)]
    return "\n".join(out + ["</table>", "</body>", "</html>"]) + "\n"


# ---------------------------------------------------------------- LaTeX

def latex_body(s: Sheet) -> list[str]:
    out = [rf"\section*{{{tex_text(s.title)}}}",
           r"Name: \rule{6cm}{0.4pt}\hfill Student ID: \rule{3.5cm}{0.4pt}\hfill Variant: "
           rf"\texttt{{\textbf{{{s.code}}}}}", "", rf"\textbf{{Network:}} {tex_text(s.summary)}\\",
           rf"\textbf{{Settings:}} {tex_text(s.settings)}", "", r"\begin{center}"]
    out += drawing.tikz(s.problem) + [r"\end{center}", "", r"\subsection*{Given}",
                                      r"\begin{tabular}{@{}l p{13.5cm}@{}}"]
    out += [rf"{tex_text(label)} & {tex_text(', '.join(items))}\\" for label, items in s.given]
    out += [r"\end{tabular}", "", r"\subsection*{What to compute}", tex_text(TASK), "",
            rf"\textbf{{Rounding:}} {tex_text(s.policy)}", "", r"\begin{tabular}{@{}r l l l@{}}", r"\toprule",
            r"\# & quantity & what it is & your answer\\", r"\midrule"]
    out += [rf"{i} & ${q.latex}$ & {tex_text(q.words)} & \framebox[4.5cm]{{\rule{{0pt}}{{16pt}}}}\\[3pt]"
            for i, q in enumerate(s.questions, start=1)]
    return out + [r"\bottomrule", r"\end{tabular}", ""]


def latex_document(bodies: list[list[str]], title: str) -> str:
    out = [TEX_PREAMBLE + rf"\title{{{tex_text(title)}}}", r"\date{}", r"\pagestyle{empty}", r"\begin{document}"]
    for i, body in enumerate(bodies):
        out += ([r"\clearpage"] if i else []) + body
    return "\n".join(out + [r"\end{document}", ""])


def latex(s: Sheet) -> str:
    return latex_document([latex_body(s)], s.title)


# ---------------------------------------------------------------- Typst

TYPST_PREAMBLE = """#set document(title: {title}, date: none)
#set page(paper: "a4", margin: 1.8cm)
#set text(size: 10.5pt)
#set par(justify: false)
#show heading: set block(above: 1.1em, below: 0.6em)
#set table(stroke: none, inset: (x: 5pt, y: 3pt))
"""


def typst_text(value: str) -> str:
    return "#" + typst_string(value)


def typst_body(s: Sheet) -> list[str]:
    out = [f"= {typst_text(s.title)}", "",
           f"#grid(columns: (1fr, auto, auto), column-gutter: 1.2em, [{typst_text('Name:')} #box(width: 6cm, "
           f"repeat[.])], [{typst_text('Student ID:')} #box(width: 3cm, repeat[.])], "
           f"[{typst_text('Variant:')} #text(weight: \"bold\", font: \"DejaVu Sans Mono\", {typst_string(s.code)})])",
           "", f"*Network:* {typst_text(s.summary)} \\", f"*Settings:* {typst_text(s.settings)}", "",
           f"#align(center, {drawing.typst(s.problem)[1:]})", "", "== Given", "",
           "#table(columns: 2, align: (left, left),"]
    out += [f"  [*{typst_text(label)}*], [{typst_text(', '.join(items))}]," for label, items in s.given]
    out += [")", "", "== What to compute", "", typst_text(TASK), "",
            f"#block(inset: (left: 8pt, y: 4pt), stroke: (left: 3pt + luma(150)))[*Rounding:* {typst_text(s.policy)}]",
            "", "#table(columns: 4, align: (right, left, left, left), row-gutter: 4pt,",
            f"  table.header([*\\#*], [*{typst_text('quantity')}*], [*{typst_text('what it is')}*], "
            f"[*{typst_text('your answer')}*]),"]
    out += [f"  [{i}], [${q.typst}$], [{typst_text(q.words)}], [#box(width: 4.5cm, height: 18pt, stroke: 0.8pt)],"
            for i, q in enumerate(s.questions, start=1)]
    return out + [")", ""]


def typst_document(bodies: list[list[str]], title: str) -> str:
    out = [TYPST_PREAMBLE.format(title=typst_string(title))]
    for i, body in enumerate(bodies):
        out += (["#pagebreak()", ""] if i else []) + body
    return "\n".join(out)


def typst(s: Sheet) -> str:
    return typst_document([typst_body(s)], s.title)
