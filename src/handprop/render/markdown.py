"""The worked solution as GitHub-flavoured Markdown, math in ``$...$`` and ``$$...$$``.

Every step is a display formula, ``lhs = general formula = numbers = ... = value``
in an ``aligned`` environment with one ``&=`` a line.  Every user-supplied name
in prose or a table is escaped so that it renders as text (``<``, ``>`` and ``&``
as HTML entities, Markdown's punctuation with a backslash); inside math names
come escaped from :func:`handprop.expr.tex_name`.
"""
from __future__ import annotations

import re

from ..expr.nodes import text_number
from ..trace import Step, Trace
from .common import (given_items, new_questions, FOUR_QUESTIONS_TEX, four_questions, equation, forward_rows, given,
                     given_number, hand_value, more_samples, other_forms, problem_summary,
                     rounding_description, rounding_note, sections, settings_line, update_rows)

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PUNCT = set("\\`*[]|~$!{}")
_LINE_START = re.compile(r"^([#>+=-]|\d+[.)])")


def md_escape(text: str) -> str:
    """``text`` as literal Markdown text: HTML-escaped, Markdown's punctuation backslashed.

    An ``_`` between two letters or digits cannot start emphasis on GitHub and is
    kept as it is (``h1_2``).
    """
    out = []
    for i, ch in enumerate(text):
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch in _PUNCT:
            out.append("\\" + ch)
        elif ch == "_":
            inner = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
            out.append("_" if inner else "\\_")
        else:
            out.append(ch)
    result = "".join(out)
    if m := _LINE_START.match(result):  # a line that would start a heading, quote or list
        result = "\\" + result if not m.group(1)[0].isdigit() else \
            result[:len(m.group(1)) - 1] + "\\" + result[len(m.group(1)) - 1:]
    return result


def code_spans(text: str) -> str:
    """Prose of our own with `code` in backticks: escaped outside the code spans."""
    parts = text.split("`")
    return "".join(f"`{p}`" if i % 2 else md_escape(p) for i, p in enumerate(parts))


def inline_math(tex: str) -> str:
    """``$tex$`` safe inside a table cell (a ``|`` would end the cell)."""
    return "$" + tex.replace("|", r"\|") + "$"


def display(parts: list[str]) -> list[str]:
    """A chain ``a = b = c`` as display math, each ``=`` on its own line."""
    if len(parts) == 1:
        return ["$$", parts[0], "$$"]
    lines = ["$$", r"\begin{aligned}"]
    for k, part in enumerate(parts[1:]):
        lhs = parts[0] + " " if k == 0 else ""
        end = r" \\" if k < len(parts) - 2 else ""
        lines.append(f"{lhs}&= {part}{end}")
    return lines + [r"\end{aligned}", "$$"]


def table(headers: list[str], rows: list[list[str]], aligns: str) -> list[str]:
    """A GitHub table; cells must already be escaped."""
    rule = {"l": ":--", "r": "--:", "c": ":-:"}
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(rule[a] for a in aligns) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _num(value: float | None, digits: int) -> str:
    return "—" if value is None else text_number(value, digits)


# ---------------------------------------------------------------- the parts


def step_lines(step: Step, trace: Trace, digits: int) -> list[str]:
    out = [f"### {md_escape(step.title)}", ""]
    out += display(equation(step, latex=True))
    hand = hand_value(trace, step.id, digits)
    if hand is not None:
        out += ["", f"By hand **{hand.hand_text}** · exact {hand.exact_text} · drift {hand.drift_text}"]
    if step.terms:
        rows = [[md_escape(t.label), inline_math(t.latex), text_number(t.value, digits), md_escape(q)]
                for t, q in zip(step.terms, new_questions(step.terms))]
        out += [""] + table(["", "factor", "value", "what it asks"], rows, "llrl")
    for form in other_forms(step):
        out += ["", f"*{md_escape(form.title)}:*", ""] + display(equation(form, latex=True))
    out += ["", md_escape(step.note), ""]
    return out


def given_lines(trace: Trace) -> list[str]:
    rows = []
    for row in given(trace):
        items = given_items(row, md_escape)
        rows.append([row.label, ", ".join(items)])
    more = more_samples(trace)
    if more:
        rows.append(["…", f"and {more} more samples"])
    return ["## Given", ""] + table(["", "values"], rows, "ll") + [""]


def forward_lines(trace: Trace, sample: int | None, digits: int) -> list[str]:
    rows = [[md_escape(r.unit), _num(r.net, digits), _num(r.out, digits), _num(r.target, digits),
             "hidden" if r.error is None else _num(r.error, digits)]
            for r in forward_rows(trace, sample)]
    sfx = f"[{sample}]" if sample else ""
    rows.append(["**E_total**", "", "", "", f"**{text_number(trace.values[f'E:total{sfx}'], digits)}**"])
    title = "Forward-pass table" + (f" (sample {sample})" if sample else "")
    return [f"### {title}", ""] + table(["neuron", "net input", "output", "target", "error"], rows,
                                        "lrrrr") + [""]


MOVED = {"down": "↓ down", "up": "↑ up", "none": "· none", "—": "not updated"}


def update_lines(trace: Trace, digits: int) -> list[str]:
    hand = trace.hand_values is not None
    rows = []
    for r in update_rows(trace):
        row = [md_escape(r.param), text_number(r.grad, digits), given_number(r.old), _num(r.new, digits)]
        if hand:
            h = hand_value(trace, f"new:{r.param}", digits)
            row.append(h.hand_text if h else "—")
        rows.append(row + [MOVED[r.moved]])
    headers = ["parameter", "∂E/∂parameter", "old", "new"] + (["by hand"] if hand else []) + ["moved"]
    return ["## All updates", ""] + table(headers, rows, "lrrr" + ("r" if hand else "") + "l") + [""]


def render(trace: Trace, digits: int | None = None) -> str:
    digits = digits or trace.digits
    p = trace.problem
    out = [f"# {md_escape(p.get('title') or trace.name or 'handprop')}", ""]
    if p.get("description"):
        out += [md_escape(p["description"]), ""]
    out += [f"**Network:** {md_escape(problem_summary(trace))}  ",
            f"**Settings:** {md_escape(settings_line(trace))}"]
    if trace.hand_values is not None:
        out[-1] += "  "
        out.append(f"**Hand rounding:** every intermediate rounded half-up to "
                   f"{rounding_description(trace)}")
    out.append("")
    for warning in trace.warnings:
        out += ["> [!WARNING]", f"> {md_escape(warning)}", ""]
    out += given_lines(trace)
    for section in sections(trace):
        out += [f"## {md_escape(section.title)}", ""]
        for step in section.steps:
            out += step_lines(step, trace, digits)
        if section.key.startswith("loss") and (section.steps[0].sample or len(p["samples"]) == 1):
            out += forward_lines(trace, section.steps[0].sample, digits)
    out += update_lines(trace, digits)
    out += ["## The four chain-rule questions", ""]
    for i, ((question, _, answer), tex) in enumerate(zip(four_questions(trace), FOUR_QUESTIONS_TEX), start=1):
        out.append(f"{i}. **{md_escape(question)}** ${tex}$ — {md_escape(answer)}")
    out += ["", "## A note on rounding", "", code_spans(rounding_note(trace, digits)), ""]
    return "\n".join(out)
