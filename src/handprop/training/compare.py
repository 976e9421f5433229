"""Several optimizers trained on one problem, their loss curves side by side.

``handprop train PROBLEM --steps N --compare sgd,momentum,adam`` runs the
problem once per optimizer named -- the same network, data, learning rate and
steps; each optimizer with its defaults, or with the file's settings for the
optimizer the file names -- and writes the runs together: a table (text), the
runs (JSON, ``handprop.train-compare/1``: ``{"runs": [one train document each]}``),
one page with the curves overlaid in one chart (HTML, drawn here as SVG, no
script), and one plot (``--plot``, :func:`handprop.training.plot.compare_figure`).
Pure functions of the histories, apart from :func:`compare`, which trains.
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import replace
from typing import Any, Callable

from ..errors import UsageError
from ..expr.numbers import fmt_number
from ..nn import OPTIMIZERS
from ..problem import Problem
from .history import History, train
from .plot import COLOURS, spans_decades

SCHEMA = "handprop.train-compare/1"
FIELD = "--compare"


def problems_for(problem: Problem, names: str | list[str]) -> list[Problem]:
    """``problem`` once per optimizer named (``"sgd,momentum,adam"`` or a list): each with its
    defaults, or the problem's own settings for the optimizer it names.  A
    :class:`~handprop.errors.UsageError` for an unknown name, a repeated one, or fewer than two."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",")]
    if any(not n for n in names):
        raise UsageError("an empty name in the list (write names separated by commas: sgd,adam)", FIELD)
    for n in names:
        if n not in OPTIMIZERS:
            from ..problem.reading import suggest
            raise UsageError(f"unknown optimizer {n!r}{suggest(n, OPTIMIZERS)}; use names of "
                             f"{', '.join(OPTIMIZERS)}", FIELD)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UsageError(f"names {', '.join(repeated)} more than once", FIELD)
    if len(names) < 2:
        raise UsageError("compares two optimizers or more (sgd,adam)", FIELD)
    out = []
    for n in names:
        settings = problem.optimizer_settings if n == problem.optimizer else OPTIMIZERS[n].defaults
        out.append(replace(problem, optimizer=n, optimizer_settings=settings))
    return out


def compare(problem: Problem, names: str | list[str], steps: int, every: int | None = None,
            hidden_deltas: str = "original", engine: str = "auto",
            progress: Callable[[int], None] | None = None) -> list[History]:
    """One :func:`~handprop.training.history.train` run per optimizer named, in that order
    (``progress(done)`` counts the steps of all runs together)."""
    runs = problems_for(problem, names)
    histories = []
    for i, p in enumerate(runs):
        report = None if progress is None else (lambda done, base=i * steps: progress(base + done))
        histories.append(train(p, steps, every, hidden_deltas, engine, report))
    return histories


def _times_lower(before: float, after: float) -> str:
    if after > 0 and before > after:
        r = before / after
        return f"{r:.4g}×" if r < 1000 else f"{r:,.0f}×" if r < 1e9 else f"{r:.3g}×"
    return "higher" if after > before else "—"


# ---------------------------------------------------------------- text


def render_text(histories: list[History], digits: int | None = None, width: int = 80) -> str:
    import io

    from rich.console import Console
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      highlight=False, emoji=False)
    print_to(console, histories, digits or 9)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def print_to(console, histories: list[History], digits: int = 9) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from .report_text import loss_rows
    f = lambda v: fmt_number(v, digits)   # noqa: E731
    first = histories[0]
    p = first.problem
    console.print(Text(f"Comparing {len(histories)} optimizers on {p.name or 'the problem'}: "
                       f"{first.steps_words} each", style="bold"))
    console.print(Text(f"learning rate {fmt_number(p.learning_rate)}, loss {p.loss}, "
                       f"{'biases updated' if p.update_biases else 'biases fixed' if p.biases else 'no biases'}",
                       style="dim"))
    final = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for head in ("optimizer", "loss at step 0", f"after {first.steps_words}", "lower by"):
        final.add_column(head, justify="left" if head == "optimizer" else "right")
    for h in histories:
        final.add_row(h.optimizer.name, f(h.loss[0]), f(h.loss[-1]), _times_lower(h.loss[0], h.loss[-1]))
    console.print(final)
    for h in histories:
        console.print(Text.assemble((f"  {h.optimizer.name}: ", "bold"), h.optimizer_words))
    console.print(Text(""))
    g = lambda v: fmt_number(v, min(digits, 5))   # noqa: E731 - several columns side by side
    rows = loss_rows(first)
    curve = Table(title="The loss at recorded steps", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    curve.add_column("step", justify="right")
    for h in histories:
        curve.add_column(h.optimizer.name, justify="right")
    for i in rows:
        curve.add_row(f"{first.recorded_steps[i]:,}", *(g(h.loss[i]) for h in histories))
    console.print(curve)


# ---------------------------------------------------------------- JSON


def document(histories: list[History]) -> dict[str, Any]:
    from .report_json import document as one
    first = histories[0]
    return {"schema": SCHEMA, "problem": first.problem.name, "steps": first.steps,
            "every": first.every, "runs": [one(h) for h in histories]}


def render_json(histories: list[History]) -> str:
    return json.dumps(document(histories), indent=1, allow_nan=False) + "\n"


# ---------------------------------------------------------------- the page

W, H = 720, 400
M = {"l": 64, "r": 16, "t": 16, "b": 44}
DASH = ("", "7 4", "2 3", "9 3 2 3", "4 2", "12 4", "1 2")


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _tick_text(value: float, log: bool) -> str:
    if log:
        return "10" + str(round(math.log10(value))).translate(SUPERSCRIPT)
    return fmt_number(value, 3)


def _ticks(lo: float, hi: float, log: bool, most: int = 6) -> list[float]:
    if log:
        a, b = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
        step = max(1, math.ceil((b - a + 1) / most))
        return [10.0 ** e for e in range(b, a - 1, -step)]
    if hi == lo:
        return [lo]
    raw = (hi - lo) / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


def chart(histories: list[History], width: int = 720, height: int = 400, font: int = 12,
          css_class: str = "wide") -> str:
    """The overlaid loss curves as one SVG element, ``width`` x ``height`` units."""
    values = [v for h in histories for v in h.loss]
    log = spans_decades(values)
    lo, hi = min(values), max(values)
    x_hi = max(h.steps for h in histories) or 1
    if log:
        ylo, yhi = math.log10(lo), math.log10(hi)
    else:
        ylo, yhi = min(0.0, lo), hi
    span = (yhi - ylo) or 1.0
    m = {"l": 4 * font + 16, "r": 2 * font + 4, "t": font + 4, "b": 3 * font + 8}
    iw, ih = width - m["l"] - m["r"], height - m["t"] - m["b"]

    def X(step: float) -> float:
        return m["l"] + step / x_hi * iw

    def Y(v: float) -> float:
        y = math.log10(v) if log else v
        return m["t"] + (1 - (y - ylo) / span) * ih

    parts = [f'<svg class="cmp-chart {css_class}" viewBox="0 0 {width} {height}" role="img" '
             f'style="font-size:{font}px" aria-label="The loss of each optimizer at every recorded step">']
    for t in _ticks(lo if log else ylo, hi, log, 6 if height >= 360 else 5):
        y = Y(t)
        parts.append(f'<line class="grid" x1="{m["l"]}" x2="{width - m["r"]}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="tick" x="{m["l"] - 6}" y="{y + font / 3:.1f}" text-anchor="end">'
                     f'{html.escape(_tick_text(t, log))}</text>')
    for s in _ticks(0, x_hi, False, 5 if width >= 600 else 3):
        x = X(s)
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{m["t"]}" y2="{height - m["b"]}"/>'
                     f'<text class="tick" x="{x:.1f}" y="{height - m["b"] + font + 4}" '
                     f'text-anchor="middle">{int(s):,}</text>')
    parts.append(f'<rect class="frame" x="{m["l"]}" y="{m["t"]}" width="{iw}" height="{ih}"/>')
    for i, h in enumerate(histories):
        d = " ".join(f'{"M" if j == 0 else "L"}{X(s):.1f},{Y(v):.1f}'
                     for j, (s, v) in enumerate(zip(h.recorded_steps, h.loss)))
        dash = f' stroke-dasharray="{DASH[i % len(DASH)]}"' if DASH[i % len(DASH)] else ""
        parts.append(f'<path class="curve" d="{d}" stroke="{COLOURS[i % len(COLOURS)]}"{dash}>'
                     f'<title>{html.escape(h.optimizer_words)}</title></path>')
    loss = html.escape(histories[0].problem.loss)
    mid = m["t"] + ih / 2
    parts.append(f'<text class="label" x="{m["l"] + iw / 2:.0f}" y="{height - 6}" text-anchor="middle">'
                 f'step</text><text class="label" x="{font + 2}" y="{mid:.0f}" text-anchor="middle" '
                 f'transform="rotate(-90 {font + 2} {mid:.0f})">loss ({loss}'
                 f'{", log scale" if log else ""})</text></svg>')
    return "".join(parts)


CSS = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --line: #d1d9e0;
        --panel: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117;
        --line: #3d444d; --panel: #151b23; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--fg); background: var(--bg); }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; line-height: 1.25; }
h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
.lead { color: var(--muted); margin: 0 0 1rem; }
figure { margin: 0; padding: .75rem; border: 1px solid var(--line); border-radius: 8px; background: var(--panel); }
.cmp-chart { display: block; width: 100%; height: auto; }
.cmp-chart.narrow { display: none; }
@media (max-width: 40rem) { .cmp-chart.wide { display: none; } .cmp-chart.narrow { display: block; } }
.cmp-chart .grid { stroke: var(--line); stroke-width: 1; }
.cmp-chart .frame { fill: none; stroke: var(--muted); stroke-width: 1; }
.cmp-chart .tick, .cmp-chart .label { fill: var(--muted); }
.cmp-chart .curve { fill: none; stroke-width: 2.25; stroke-linejoin: round; stroke-linecap: round; }
.legend { list-style: none; margin: .75rem 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem 1.25rem; }
.legend li { display: flex; align-items: center; gap: .5rem; font-size: .95rem; }
.legend svg { flex: none; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .4rem .6rem; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
th { font-weight: 600; color: var(--muted); font-size: .9rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .4rem;
          vertical-align: -1px; }
.how { padding-left: 1.2rem; }
.how li { margin: .35rem 0; }
@media (max-width: 40rem) { main { padding: 1rem .75rem 2rem; } h1 { font-size: 1.25rem; }
  figure { padding: .4rem; } th, td { padding: .35rem .45rem; font-size: .9rem; } }
"""


def render_page(histories: list[History], digits: int | None = None) -> str:
    """One self-contained page: the overlaid curves, their legend, the losses, the optimizers."""
    digits = digits or 6
    f = lambda v: html.escape(fmt_number(v, digits))   # noqa: E731
    e = html.escape
    first = histories[0]
    p = first.problem
    name = p.title or p.name or "the problem"
    best = min(histories, key=lambda h: h.loss[-1])
    legend = []
    for i, h in enumerate(histories):
        dash = f' stroke-dasharray="{DASH[i % len(DASH)]}"' if DASH[i % len(DASH)] else ""
        legend.append(f'<li><svg width="36" height="10" aria-hidden="true"><line x1="2" y1="5" x2="34" y2="5" '
                      f'stroke="{COLOURS[i % len(COLOURS)]}" stroke-width="3"{dash}/></svg>'
                      f'{e(h.optimizer_words)}</li>')
    rows = []
    for i, h in enumerate(histories):
        rows.append(f'<tr><td><span class="swatch" style="background:{COLOURS[i % len(COLOURS)]}"></span>'
                    f'{e(h.optimizer.title)}</td><td>{f(h.loss[-1])}</td>'
                    f'<td>{e(_times_lower(h.loss[0], h.loss[-1]))}</td></tr>')
    how = "".join(f"<li><strong>{e(h.optimizer_words)}</strong>: {e(h.optimizer.explains)}</li>"
                  for h in histories)
    lead = (f"{first.steps_words} of each optimizer from the same start (loss {f(first.loss[0])}), "
            f"learning rate {e(fmt_number(p.learning_rate))}, loss {e(p.loss)}. Lowest final loss: "
            f"{e(best.optimizer.title)} ({f(best.loss[-1])}).")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(name)}: comparing optimizers</title>
<style>{CSS}</style></head>
<body><main>
<h1>{e(name)}: comparing optimizers</h1>
<p class="lead">{lead}</p>
<figure>{chart(histories)}{chart(histories, 360, 300, 13, "narrow")}
<ul class="legend">{"".join(legend)}</ul></figure>
<h2>The loss</h2>
<div class="table-wrap"><table>
<thead><tr><th>optimizer</th><th>after {e(first.steps_words)}</th><th>lower by</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
<h2>The optimizers</h2>
<ul class="how">{how}</ul>
<p class="lead">Formulas as torch.optim defines them: docs/optimizers.md. Each run alone:
<code>handprop train {e(p.name or "PROBLEM")} --steps {first.steps} --format html</code> with that optimizer in the file.</p>
</main></body></html>
"""
