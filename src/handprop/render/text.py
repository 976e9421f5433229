"""The worked solution for a terminal (rich), as the tutorial writes it.

``render`` returns plain text (no colour) of a pinned width; ``print_to`` writes
to a rich Console, which adds colour only on a terminal.
"""
from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..expr import fmt_number
from ..trace import Step, Trace
from .common import (FOUR_QUESTIONS, ROUNDING_NOTE, forward_rows, problem_summary, sections,
                     settings_line, split_equals, update_rows)


def _num(value: float | None, digits: int) -> str:
    return "—" if value is None else fmt_number(value, digits)


def step_block(step: Step, hand: dict | None = None, digits: int = 6) -> RenderableType:
    """One step: its formula, then each worked line under the first ``=``."""
    lhs, _, rhs = step.text.partition(" = ")
    text = Text()
    text.append(lhs, style="bold cyan")
    text.append(" = ")
    text.append(rhs)
    pad = " " * len(lhs)
    lines = split_equals(step.substituted)
    for i, line in enumerate(lines):
        text.append(f"\n{pad} = ")
        text.append(line, style="bold" if i == len(lines) - 1 else "")
    if hand is not None and step.id in hand:
        h = hand[step.id]
        text.append(f"\n{pad}   by hand {fmt_number(h, digits)}  (drift {fmt_number(h - step.value, 2)})",
                    style="yellow")
    parts: list[RenderableType] = [text]
    for term in step.terms:
        t = Text()
        t.append(f"{term.label}", style="bold magenta")
        t.append(f"  {term.text} = {fmt_number(term.value, digits)}")
        t.append(f"  {term.question}", style="dim")
        parts.append(Padding(t, (0, 0, 0, 3)))
    for form in step.forms:
        f = Text()
        f.append(form.title + ": ", style="italic")
        f.append(form.text)
        for line in split_equals(form.substituted):
            f.append("\n  = " + line)
        parts.append(Padding(f, (0, 0, 0, 3)))
    parts.append(Padding(Text(step.note, style="dim italic"), (0, 0, 0, 3)))
    return Group(*parts)


def forward_table(trace: Trace, sample: int | None, digits: int) -> Table:
    table = Table(title="Forward pass" + (f" (sample {sample})" if sample else ""),
                  box=box.SIMPLE_HEAVY, title_justify="left")
    for col, justify in (("Neuron", "left"), ("Net input", "right"), ("Output", "right"),
                         ("Target", "right"), ("Error", "right")):
        table.add_column(col, justify=justify)
    for row in forward_rows(trace, sample):
        table.add_row(row.unit, _num(row.net, digits), _num(row.out, digits),
                      _num(row.target, digits), _num(row.error, digits) if row.error is not None else "hidden")
    sfx = f"[{sample}]" if sample else ""
    table.add_row("E_total", "", "", "", fmt_number(trace.values[f"E:total{sfx}"], digits), style="bold")
    return table


def update_table(trace: Trace, digits: int) -> Table:
    table = Table(title="All updates", box=box.SIMPLE_HEAVY, title_justify="left")
    for col, justify in (("Param", "left"), ("∂E/∂param", "right"), ("Old", "right"),
                         ("New", "right"), ("Moved", "left")):
        table.add_column(col, justify=justify)
    for row in update_rows(trace):
        arrow = {"down": "↓ down", "up": "↑ up", "none": "· none", "—": "— not updated"}[row.moved]
        table.add_row(row.param, fmt_number(row.grad, digits), fmt_number(row.old, digits),
                      _num(row.new, digits), arrow)
    return table


def renderables(trace: Trace, digits: int | None = None) -> list[RenderableType]:
    digits = digits or trace.digits
    p = trace.problem
    out: list[RenderableType] = []
    out.append(Text(p.get("title") or trace.name or "handprop", style="bold"))
    out.append(Text(problem_summary(trace) + "\n" + settings_line(trace)))
    out.append(given_table(trace, digits))
    for warning in trace.warnings:
        out.append(Text("warning: " + warning, style="bold yellow"))
    samples = len(p["samples"])
    for section in sections(trace):
        out.append(Rule(section.title, align="left"))
        for step in section.steps:
            out.append(Padding(step_block(step, trace.hand_values, digits), (0, 0, 1, 0)))
        if section.key.startswith("loss"):
            out.append(forward_table(trace, section.steps[0].sample, digits))
    out.append(update_table(trace, digits))
    out.append(Rule("The four chain-rule questions", align="left"))
    for i, (question, symbol, answer) in enumerate(FOUR_QUESTIONS, start=1):
        t = Text(f"{i}. ", style="bold")
        t.append(question, style="bold")
        t.append(f"  {symbol}\n   {answer}")
        out.append(t)
    out.append(Rule("A note on rounding", align="left"))
    out.append(Text(ROUNDING_NOTE.format(digits=digits).replace("`", "")))
    del samples
    return out


def given_table(trace: Trace, digits: int) -> Table:
    p = trace.problem
    table = Table(title="Given", box=box.SIMPLE, title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("values", overflow="fold")

    def listing(pairs) -> str:
        items = [f"{k} = {fmt_number(v, 9)}" for k, v in pairs]
        return ", ".join(items[:24]) + (f", … ({len(items)} in all)" if len(items) > 24 else "")

    for k, s in enumerate(p["samples"], start=1):
        label = f" (sample {k})" if len(p["samples"]) > 1 else ""
        table.add_row("inputs" + label, listing(zip(p["inputs"], s["inputs"])))
        table.add_row("targets" + label, listing(zip(p["layers"][-1]["units"], s["targets"])))
        if k >= 8 and len(p["samples"]) > 8:
            table.add_row("…", f"{len(p['samples']) - 8} more samples")
            break
    table.add_row("weights", listing((n, w[2]) for n, w in p["weights"].items()))
    if p["biases"]:
        table.add_row("biases", listing((n, b[1]) for n, b in p["biases"].items()))
    return table


def render(trace: Trace, digits: int | None = None, width: int = 80) -> str:
    """The whole worked solution as plain text, ``width`` columns wide."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      legacy_windows=False, emoji=False, highlight=False)
    for item in renderables(trace, digits):
        console.print(item)
    return buffer.getvalue()


def print_to(console: Console, trace: Trace, digits: int | None = None) -> None:
    for item in renderables(trace, digits):
        console.print(item)


if __name__ == "__main__":
    from ..derive import explain
    from ..problem import load
    print_to(Console(), explain(load("notes")))
