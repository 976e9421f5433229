"""The class summary: the most common mistakes, where they first enter, the marks.

One self-contained HTML page (no script, no network: the plots are inline SVG drawn here),
every name escaped:

- the marks: students graded, mean, median, lowest, highest, and a histogram of the totals;
- each asked quantity: the share of students who earned its marks (right, drift, carried),
  who got it wrong, who left it blank;
- the most common mistakes: the catalogue's families (:data:`handprop.checking.mistakes.FAMILIES`)
  of the diagnoses, counted once per answer, with the step and the phase of the solution where
  they first enter; wrong answers no mistake of the catalogue explains are counted apart;
- the rows that were not graded, with their line numbers and why; the columns not read.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from ...checking.mistakes import FAMILIES
from ...quantities import pretty
from .grade import Graded
from .marks import text as marks_text

EARNED = ("correct", "rounding", "carried")
UNEXPLAINED = "no mistake of the catalogue explains it"
PHASES = {"forward": "forward pass", "loss": "loss", "backward": "backward pass", "update": "update"}


@dataclass(frozen=True)
class Mistake:
    family: str         # the family's description (or UNEXPLAINED)
    answers: int        # wrong answers it is named in
    students: int
    first: tuple[tuple[str, str, int], ...]     # (step as written, phase, how many), commonest first


@dataclass(frozen=True)
class QuantityRow:
    label: str
    qid: str
    earned: int
    carried: int
    wrong: int
    blank: int


@dataclass(frozen=True)
class Summary:
    students: int
    out_of: str
    mean: str
    median: str
    low: str
    high: str
    histogram: str                  # inline SVG
    quantities: tuple[QuantityRow, ...]
    bars: str                       # inline SVG
    mistakes: tuple[Mistake, ...]
    phases: tuple[tuple[str, int], ...]   # where wrong answers first go wrong, by phase
    bad: tuple[tuple[int, str, str], ...]
    ignored: tuple[tuple[str, str], ...]
    unasked: tuple[str, ...]
    policy: str
    source: str


def _number(d: Decimal | float) -> str:
    return marks_text(Decimal(str(round(float(d), 2))))


def histogram(totals: list[Decimal], out_of: Decimal, width: int = 640, height: int = 220) -> str:
    """The totals as bars: one per whole mark up to 20 marks, else 10 equal bins."""
    top = float(out_of) if out_of > 0 else 1.0
    bins = int(top) + 1 if top <= 20 and top == int(top) else 10
    if bins == int(top) + 1:
        edges = [(float(i), float(i + 1)) for i in range(bins)]
        names = [str(i) for i in range(bins)]
    else:
        step = top / bins
        edges = [(i * step, (i + 1) * step) for i in range(bins)]
        names = [f"{_number(a)}–{_number(b)}" for a, b in edges]
    counts = [0] * bins
    for t in totals:
        x = float(t)
        i = next((k for k, (a, b) in enumerate(edges) if a <= x < b), bins - 1)
        counts[i] += 1
    most = max(counts + [1])
    left, bottom, top_pad = 36, 40, 14
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    bar_w = plot_w / bins
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="histogram of the marks">',
           f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" stroke="#333"/>']
    for k in range(0, most + 1, max(1, most // 4)):
        y = top_pad + plot_h - plot_h * k / most
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{k}</text>'
                   f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e5e7eb"/>')
    for i, (c, name) in enumerate(zip(counts, names)):
        h = plot_h * c / most
        x = left + i * bar_w
        out.append(f'<rect x="{x + 2:.1f}" y="{top_pad + plot_h - h:.1f}" width="{bar_w - 4:.1f}" '
                   f'height="{h:.1f}" fill="#2563eb"><title>{escape(name)} marks: {c} '
                   f'student{"s" if c != 1 else ""}</title></rect>')
        if c:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{top_pad + plot_h - h - 3:.1f}" text-anchor="middle" '
                       f'font-size="11">{c}</text>')
        out.append(f'<text x="{x + bar_w / 2:.1f}" y="{top_pad + plot_h + 15:.1f}" text-anchor="middle" '
                   f'font-size="11">{escape(name)}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="12">'
               f'total marks (out of {escape(marks_text(out_of))})</text>')
    return "".join(out) + "</svg>"


def bars(rows: tuple[QuantityRow, ...], students: int, width: int = 640) -> str:
    """Each quantity as a stacked bar: earned (right or drift), carried, wrong, blank."""
    label_w, row_h = 110, 22
    plot_w = width - label_w - 50
    height = row_h * len(rows) + 34
    colours = (("earned", "#1a7f37"), ("carried", "#60a5fa"), ("wrong", "#dc2626"), ("blank", "#d1d5db"))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="each quantity: who earned its marks">']
    n = max(students, 1)
    for i, r in enumerate(rows):
        y = 6 + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" font-size="12">{escape(r.label)}</text>')
        x = float(label_w)
        parts = {"earned": r.earned - r.carried, "carried": r.carried, "wrong": r.wrong, "blank": r.blank}
        for name, colour in colours:
            w = plot_w * parts[name] / n
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}">'
                           f'<title>{escape(r.label)}: {parts[name]} {name}</title></rect>')
            x += w
        out.append(f'<text x="{label_w + plot_w + 6}" y="{y + 14}" font-size="12">{round(100 * r.earned / n)} %</text>')
    y = height - 12
    x = label_w
    for name, colour in colours:
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="{y}" font-size="11">{"right or drift" if name == "earned" else name}</text>')
        x += 110
    return "".join(out) + "</svg>"


def summary(graded: Graded) -> Summary:
    students = graded.students
    ids = graded.ids
    totals = [s.total for s in students]
    out_of = graded.scheme.total
    rows = []
    for k, qid in enumerate(ids):
        verdicts = [s.answers[k].verdict for s in students]
        rows.append(QuantityRow(pretty(qid), qid, sum(v in EARNED for v in verdicts), verdicts.count("carried"),
                                verdicts.count("wrong"), verdicts.count("blank")))
    answers_of: Counter = Counter()
    students_of: dict[str, set[str]] = {}
    firsts: dict[str, Counter] = {}
    phases: Counter = Counter()
    for s in students:
        ctx = graded.contexts[s.variant]
        for a in s.answers:
            if a.verdict != "wrong":
                continue
            families = [FAMILIES.get(f, f) for f in dict.fromkeys(a.families)] or [UNEXPLAINED]
            phase = ctx.phase(a.first_wrong)
            if phase:
                phases[PHASES.get(phase, phase)] += 1
            for fam in families:
                answers_of[fam] += 1
                students_of.setdefault(fam, set()).add(s.id)
                if a.first_wrong:
                    firsts.setdefault(fam, Counter())[(pretty(a.first_wrong), PHASES.get(phase, phase or ""))] += 1
    order = sorted(answers_of, key=lambda f: (f == UNEXPLAINED, -answers_of[f], -len(students_of[f]), f))
    mistakes = tuple(Mistake(f, answers_of[f], len(students_of[f]),
                             tuple((step, phase, n) for (step, phase), n in
                                   sorted(firsts.get(f, Counter()).items(), key=lambda e: (-e[1], e[0]))[:3]))
                     for f in order)
    floats = [float(t) for t in totals]
    stat = (lambda f: _number(f(floats))) if floats else (lambda f: "—")
    a = graded.answers
    return Summary(len(students), marks_text(out_of), stat(statistics.fmean), stat(statistics.median),
                   stat(min), stat(max), histogram(totals, out_of), tuple(rows), bars(tuple(rows), len(students)),
                   mistakes, tuple(sorted(phases.items(), key=lambda e: list(PHASES.values()).index(e[0])
                                          if e[0] in PHASES.values() else 9)),
                   tuple((b.line, b.student, b.why) for b in a.bad), a.ignored,
                   tuple(pretty(k) for k in a.unasked), graded.stored.policy.text, a.source)


EXTRA_CSS = """table.t td,table.t th{border-bottom:1px solid #ddd}.num{text-align:right;font-variant-numeric:tabular-nums}
.stats{display:flex;gap:1.6rem;flex-wrap:wrap;margin:.4rem 0 1rem}.stats div{min-width:6rem}.stats b{display:block;
font-size:1.35rem}.plot{overflow-x:auto}.small{font-size:.9rem;color:#444}.id{overflow-wrap:anywhere}"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class summary</title>
<style>{{ css }}</style>
</head>
<body>
<h1>Class summary</h1>
<p class="small">Answers: {{ s.source }}. <b>Rounding:</b> {{ s.policy }}</p>
<div class="stats">
<div>students graded<b>{{ s.students }}</b></div>
<div>mean<b>{{ s.mean }}</b></div><div>median<b>{{ s.median }}</b></div>
<div>lowest<b>{{ s.low }}</b></div><div>highest<b>{{ s.high }}</b></div>
<div>out of<b>{{ s.out_of }}</b></div>
{%- if s.bad %}<div>rows not graded<b>{{ s.bad|length }}</b></div>{% endif %}
</div>
<h2>Marks</h2>
<div class="plot">{{ s.histogram|safe }}</div>
<h2>The most common mistakes</h2>
{%- if s.mistakes %}
<p class="small">Each wrong answer counted once for each mistake its diagnosis names; where it first
enters is the first step of the solution the mistake changes.</p>
<table class="t"><tr><th>mistake</th><th class="num">answers</th><th class="num">students</th>
<th>where it first enters</th></tr>
{%- for m in s.mistakes %}
<tr><td>{{ m.family }}</td><td class="num">{{ m.answers }}</td><td class="num">{{ m.students }}</td>
<td>{% for step, phase, n in m.first %}{{ step }} ({{ phase }}, {{ n }}){% if not loop.last %}; {% endif %}{% endfor %}</td></tr>
{%- endfor %}
</table>
{%- if s.phases %}
<p class="small">Where the wrong answers first go wrong:
{% for phase, n in s.phases %}{{ phase }} {{ n }}{% if not loop.last %} · {% endif %}{% endfor %}</p>
{%- endif %}
{%- else %}
<p>No wrong answers.</p>
{%- endif %}
<h2>Each quantity</h2>
<div class="plot">{{ s.bars|safe }}</div>
<table class="t"><tr><th>quantity</th><th class="num">earned its marks</th><th class="num">of them carried</th>
<th class="num">wrong</th><th class="num">blank</th></tr>
{%- for q in s.quantities %}
<tr><td>{{ q.label }} <span class="small">({{ q.qid }})</span></td><td class="num">{{ q.earned }}</td>
<td class="num">{{ q.carried }}</td><td class="num">{{ q.wrong }}</td><td class="num">{{ q.blank }}</td></tr>
{%- endfor %}
</table>
{%- if s.bad %}
<h2>Rows not graded</h2>
<table class="t"><tr><th class="num">line</th><th>student</th><th>why</th></tr>
{%- for line, student, why in s.bad %}
<tr><td class="num">{{ line }}</td><td class="id">{{ student or "—" }}</td><td>{{ why }}</td></tr>
{%- endfor %}
</table>
{%- endif %}
{%- if s.ignored or s.unasked %}
<h2>Columns</h2>
{%- for header, why in s.ignored %}<p class="small">Not read: {{ header }}: {{ why }}</p>{% endfor %}
{%- if s.unasked %}<p class="small">Asked but in no column (nobody's answer): {{ s.unasked|join(", ") }}</p>{% endif %}
{%- endif %}
</body>
</html>
"""


def html(s: Summary) -> str:
    from ..sheet import CSS
    from .report import template
    return template(TEMPLATE).render(s=s, css=CSS + EXTRA_CSS)
