"""A report per student: each answer with its verdict, the diagnosis and the right working.

Built once as a :class:`Report` (plain data), written as HTML (a Jinja2 template, every value
escaped) and as Typst (compiled to PDF in-process by :func:`handprop.exercises.build.compile_typst`,
as the sheets and keys are).  The right working is the step of the variant's worked solution as
the set's rounding policy works it (the key's solution: :func:`handprop.exercises.key.worked_trace`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ...expr.nodes import Sym
from ...quantities import describe, pretty
from ..key import worked_trace
from ..policy import Policy
from ..sheet import CSS, TYPST_PREAMBLE, typst_text
from ...expr.printers import typst_string
from .grade import Context, Student
from .marks import text as marks_text

SHOWN = {"correct": "right", "rounding": "rounding drift", "carried": "carried", "wrong": "wrong",
         "blank": "not answered"}
"""A verdict as the report names it."""
COLOURS = {"correct": "#1a7f37", "rounding": "#0f766e", "carried": "#1d4ed8", "wrong": "#b42318",
           "blank": "#6b7280"}


@dataclass(frozen=True)
class Line:
    number: int
    label: str          # ∂E/∂w5
    typst: str          # the symbol in Typst math
    words: str          # the gradient of w5
    written: str        # as the student wrote it ("" when blank)
    verdict: str
    shown: str          # the verdict as the report names it
    explanation: str
    key: str
    working: str        # the right working, one line
    marks: str
    out_of: str


@dataclass(frozen=True)
class Report:
    student: str
    variant: str
    total: str
    out_of: str
    policy: str
    lines: tuple[Line, ...]


class Workings:
    """The worked solution of each variant under the policy, and its steps as text, made once."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self._traces: dict[str, object] = {}

    def trace(self, ctx: Context):
        found = self._traces.get(ctx.code)
        if found is None:
            found = self._traces[ctx.code] = worked_trace(ctx.problem, self.policy)
        return found

    def working(self, ctx: Context, qid: str) -> str:
        t = self.trace(ctx)
        if qid not in t.index:
            return ""
        return " = ".join(t.chain(t.step(qid), "text"))

    def typst(self, ctx: Context, qid: str) -> str:
        return self.trace(ctx).write(Sym(qid), "typst", 6)


def report(student: Student, ctx: Context, workings: Workings) -> Report:
    lines = []
    for i, a in enumerate(student.answers, start=1):
        lines.append(Line(i, pretty(a.qid), workings.typst(ctx, a.qid), describe(a.qid), a.written or "",
                          a.verdict, SHOWN[a.verdict], "" if a.verdict == "correct" else a.explanation, a.key,
                          workings.working(ctx, a.qid),
                          marks_text(a.marks), marks_text(a.out_of)))
    return Report(student.id, student.variant, marks_text(student.total), marks_text(student.out_of),
                  workings.policy.text, tuple(lines))


EXTRA_CSS = """.answers{width:100%}.answers td,.answers th{border-bottom:1px solid #ddd}.num{text-align:right;
font-variant-numeric:tabular-nums;white-space:nowrap}.verdict{font-weight:700;white-space:nowrap}
.why{color:#333;font-size:.92rem}.working{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.78rem;
color:#444;padding-top:0;border-bottom:1px solid #ccc!important;overflow-wrap:anywhere}
.total{font-size:1.15rem}.id{overflow-wrap:anywhere}"""
# (one row per answer; its working and the explanation in a second row across the table)

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Marks of {{ r.student }} (variant {{ r.variant }})</title>
<style>{{ css }}</style>
</head>
<body>
<h1>Marks — <span class="id">{{ r.student }}</span></h1>
<p class="total">Variant <span class="code">{{ r.variant }}</span> ·
<b>{{ r.total }}</b> out of {{ r.out_of }} marks</p>
<p class="policy"><b>Rounding:</b> {{ r.policy }}</p>
<p>Each step earns its marks when it is right, off only by rounding drift, or done right from
your own earlier answer that was wrong (<i>carried</i>: the error is counted once, where it was made).</p>
<table class="answers">
<tr><th>#</th><th>quantity</th><th class="num">you wrote</th><th>verdict</th><th class="num">marks</th>
<th class="num">answer</th></tr>
{%- for l in r.lines %}
<tr class="{{ l.verdict }}"><td>{{ l.number }}</td><td>{{ l.label }}<br><span class="why">{{ l.words }}</span></td>
<td class="num">{{ l.written or "—" }}</td>
<td class="verdict" style="color:{{ colours[l.verdict] }}">{{ l.shown }}</td>
<td class="num">{{ l.marks }} / {{ l.out_of }}</td><td class="num"><b>{{ l.key }}</b></td></tr>
<tr><td></td><td colspan="5" class="working">
{%- if l.explanation %}<div class="why">{{ l.explanation }}</div>{% endif -%}
{{ l.working }}</td></tr>
{%- endfor %}
</table>
</body>
</html>
"""


@lru_cache(maxsize=4)
def template(text: str):
    """A page's Jinja2 template (escaping on, an unknown name an error), compiled once: the
    report's and the class summary's."""
    import jinja2
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(text)


def html(r: Report) -> str:
    return template(TEMPLATE).render(r=r, css=CSS + EXTRA_CSS, colours=COLOURS)


def _colour(verdict: str) -> str:
    return f'rgb("{COLOURS[verdict]}")'


def typst(r: Report) -> str:
    """The report as a Typst document (every text a Typst string: nothing in it is markup)."""
    t = typst_text
    out = [TYPST_PREAMBLE.format(title=typst_string(f"Marks of {r.student}")),
           f"= {t('Marks — ')}{t(r.student)}", "",
           f"{t('Variant')} #text(weight: \"bold\", font: \"DejaVu Sans Mono\", {typst_string(r.variant)}) · "
           f"*{t(r.total)}* {t(f'out of {r.out_of} marks')}", "",
           f"#block(inset: (left: 8pt, y: 4pt), stroke: (left: 3pt + luma(150)))[*Rounding:* {t(r.policy)}]", "",
           "#table(columns: (auto, 1fr, auto, auto, auto, auto), align: (right, left, right, left, right, right),",
           f"  table.header([*\\#*], [*{t('quantity')}*], [*{t('you wrote')}*], [*{t('verdict')}*], "
           f"[*{t('marks')}*], [*{t('answer')}*]),", "  table.hline(stroke: 0.6pt),"]
    for l in r.lines:
        out.append(f"  [{l.number}], [${l.typst}$ #text(size: 8.5pt, {typst_string(l.words)})], "
                   f"[{t(l.written or '—')}], [#text(fill: {_colour(l.verdict)}, weight: \"bold\", "
                   f"{typst_string(l.shown)})], [{t(f'{l.marks} / {l.out_of}')}], [*{t(l.key)}*],")
        below = []
        if l.explanation:
            below.append(f"#text(size: 8.5pt, {typst_string(l.explanation)})")
        if l.working:
            below.append(f"#text(size: 7.5pt, font: \"DejaVu Sans Mono\", fill: luma(70), {typst_string(l.working)})")
        cell = " \\ ".join(below) if below else ""
        out.append(f"  [], table.cell(colspan: 5)[{cell}], table.hline(stroke: 0.3pt + luma(200)),")
    out.append(")")
    return "\n".join(out) + "\n"
