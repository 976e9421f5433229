"""The answer key of a variant: the table of answers and the worked solution in compact form.

The answers are the set's (:attr:`Variant.answers`, as the rounding policy gives them); the
worked solution is ``handprop explain`` of the variant's problem in the compact (delta) form,
worked by hand under the policy (``--round N``) or exactly (full precision).  As Markdown,
HTML, LaTeX and Typst (PDF by :mod:`.build`).
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..render import markdown as md_writer
from ..render import text as text_writer
from ..render import typst as typst_writer
from ..render.document import document
from ..render.markdown import md_escape
from ..render.options import Options
from ..render.texdoc import Writer
from ..render.texprose import tex_text
from ..solve import explain
from ..solve.rounding import hand_explain
from . import sheet as sheets
from .generate import Variant
from .policy import Policy, written

OPTIONS = Options(compact=True, view="steps")


@dataclass(frozen=True)
class Key:
    code: str
    title: str
    policy: str
    answers: tuple[tuple[sheets.Question, str], ...]     # each asked quantity and its answer
    trace: object                                        # the worked solution (hand-rounded or exact)
    worked_text: str                                     # it in plain text (compact), for the pages


def worked_trace(problem, policy: Policy):
    """The worked solution of ``problem`` as the policy works it."""
    if policy.places is None:
        return explain(problem)
    return hand_explain(problem, "round", policy.places)


def key(variant: Variant, ids, policy: Policy) -> Key:
    trace = worked_trace(variant.problem, policy)
    rows = tuple((q, written(variant.answers[q.id])) for q in sheets.questions(trace, ids))
    return Key(variant.code, f"Answer key — variant {variant.code}", policy.text, rows, trace,
               text_writer.render(trace, width=100, options=OPTIONS))


def markdown(k: Key) -> str:
    out = [f"# {md_escape(k.title)}", "", f"**Rounding:** {md_escape(k.policy)}", "", "## Answers", "",
           "| # | quantity | what it is | answer |", "|---|---|---|---:|"]
    out += [f"| {i} | ${q.latex}$ | {md_escape(q.words)} | {a} |" for i, (q, a) in enumerate(k.answers, start=1)]
    worked = md_writer.render(k.trace, options=OPTIONS).split("\n")
    worked = ["## Worked solution"] + ["#" + line if line.startswith("#") else line for line in worked[1:]]
    return "\n".join(out + [""] + worked).rstrip("\n") + "\n"


def html(k: Key) -> str:
    out = sheets.html_head(k.title) + [f"<h1>{escape(k.title)}</h1>",
                                       f'<p class="policy"><b>Rounding:</b> {escape(k.policy)}</p>',
                                       "<h2>Answers</h2>",
                                       '<table class="answers"><tr><th>#</th><th>quantity</th><th>what it is</th>'
                                       '<th>answer</th></tr>']
    out += [f'<tr><td>{i}</td><td>{escape(q.text)}</td><td>{escape(q.words)}</td>'
            f'<td style="text-align:right"><b>{a}</b></td></tr>' for i, (q, a) in enumerate(k.answers, start=1)]
    out += ["</table>", "<h2>Worked solution</h2>", f'<div class="worked">{escape(k.worked_text)}</div>']
    return "\n".join(out + ["</body>", "</html>"]) + "\n"


def latex_body(k: Key) -> list[str]:
    out = [rf"\section*{{{tex_text(k.title)}}}", rf"\textbf{{Rounding:}} {tex_text(k.policy)}", "",
           r"\subsection*{Answers}", r"\begin{tabular}{@{}r l l r@{}}", r"\toprule",
           r"\# & quantity & what it is & answer\\", r"\midrule"]
    out += [rf"{i} & ${q.latex}$ & {tex_text(q.words)} & $\mathbf{{{a}}}$\\" for i, (q, a) in
            enumerate(k.answers, start=1)]
    out += [r"\bottomrule", r"\end{tabular}", "", r"\subsection*{Worked solution}"]
    doc = document(k.trace, options=OPTIONS)
    return out + Writer(doc, (r"\subsection*", r"\subsection*", r"\paragraph*")).content()


def latex(k: Key) -> str:
    return sheets.latex_document([latex_body(k)], k.title)


def typst_body(k: Key) -> list[str]:
    t = sheets.typst_text
    out = [f"= {t(k.title)}", "", f"*Rounding:* {t(k.policy)}", "", "== Answers", "",
           "#table(columns: 4, align: (right, left, left, right),",
           f"  table.header([*\\#*], [*{t('quantity')}*], [*{t('what it is')}*], [*{t('answer')}*]),",
           "  table.hline(stroke: 0.6pt),"]
    out += [f"  [{i}], [${q.typst}$], [{t(q.words)}], [*{t(a)}*]," for i, (q, a) in enumerate(k.answers, start=1)]
    out += [")", "", "== Worked solution", "", "#set text(size: 9pt)", ""]
    source = typst_writer.render(k.trace, options=OPTIONS).split("\n")
    skip = typst_writer.PREAMBLE.count("\n")
    body = source[skip:]
    while body and (not body[0].strip() or body[0].startswith("= ")):
        body = body[1:]        # its own title: the key has one
    return out + ["=" + line if line.startswith("=") else line for line in body]


def typst(k: Key) -> str:
    return sheets.typst_document([typst_body(k)], k.title)
