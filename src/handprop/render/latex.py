"""The worked solution as a complete LaTeX document.

Each step is an ``align*`` chain, ``lhs &= general formula \\ &= numbers ... &= value``,
with its chain-rule terms in a table; the forward-pass table and the summary of
every update close the sections as in the tutorial.  The document compiles with
pdfLaTeX (the symbols our own prose uses are mapped to commands) and with
XeLaTeX/LuaLaTeX (any Unicode in a user's names).  Every formula also parses
with KaTeX, which the tests check.
"""
from __future__ import annotations

from ..expr.nodes import latex_number, tex_escape
from ..trace import Step, Trace
from .common import (given_items, new_questions, FOUR_QUESTIONS_TEX, four_questions, equation, forward_rows, given,
                     given_number, hand_value, more_samples, other_forms, problem_summary,
                     rounding_description, rounding_note, sections, settings_line, update_rows)

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


# ---------------------------------------------------------------- the parts


def step_lines(step: Step, trace: Trace, digits: int) -> list[str]:
    out = [rf"\subsection*{{{tex_text(step.title)}}}"]
    out += align(equation(step, latex=True))
    hand = hand_value(trace, step.id, digits)
    if hand is not None:
        out.append(rf"By hand \textbf{{{tex_text(hand.hand_text)}}} \quad exact "
                   rf"{tex_text(hand.exact_text)} \quad drift {tex_text(hand.drift_text)}")
        out.append("")
    if step.terms:
        rows = [[tex_text(t.label), rf"$\displaystyle {t.latex}$", math(t.value, digits), tex_text(q)]
                for t, q in zip(step.terms, new_questions(step.terms))]
        out += [r"\begin{center}\small"]
        out += tabular(r"@{}llr>{\raggedright\arraybackslash}p{8.5cm}@{}",
                       ["", "factor", "value", "what it asks"], rows)
        out += [r"\end{center}"]
    for form in other_forms(step):
        out.append(rf"\emph{{{tex_text(form.title)}:}}")
        out += align(equation(form, latex=True))
    out += [tex_text(step.note), ""]
    return out


def given_lines(trace: Trace) -> list[str]:
    rows = []
    for row in given(trace):
        items = given_items(row, tex_text, r"\ldots", "~=~", lambda v: tex_text(given_number(v)))
        rows.append([tex_text(row.label), ", ".join(items)])
    more = more_samples(trace)
    if more:
        rows.append([r"\ldots", f"and {more} more samples"])
    return [r"\section*{Given}"] + tabular(r"@{}l>{\raggedright\arraybackslash}p{13.5cm}@{}", ["", "values"], rows, long=True) + [""]


def forward_lines(trace: Trace, sample: int | None, digits: int) -> list[str]:
    rows = [[tex_text(r.unit), math(r.net, digits), math(r.out, digits),
             "---" if r.target is None else math(r.target, digits),
             "hidden" if r.error is None else math(r.error, digits)]
            for r in forward_rows(trace, sample)]
    sfx = f"[{sample}]" if sample else ""
    rows.append([r"\textbf{$E_{\mathrm{total}}$}", "", "", "",
                 f"$\\mathbf{{{latex_number(trace.values[f'E:total{sfx}'], digits)}}}$"])
    title = "Forward-pass table" + (f" (sample {sample})" if sample else "")
    return ([rf"\subsection*{{{title}}}", r"\begin{center}"]
            + tabular("@{}lrrrr@{}", ["neuron", "net input", "output", "target", "error"], rows)
            + [r"\end{center}", ""])


MOVED = {"down": r"$\downarrow$ down", "up": r"$\uparrow$ up", "none": "none", "—": "not updated"}


def update_lines(trace: Trace, digits: int) -> list[str]:
    hand = trace.hand_values is not None
    rows = []
    for r in update_rows(trace):
        row = [tex_text(r.param), math(r.grad, digits), tex_text(given_number(r.old)),
               math(r.new, digits)]
        if hand:
            h = hand_value(trace, f"new:{r.param}", digits)
            row.append(tex_text(h.hand_text) if h else "---")
        rows.append(row + [MOVED[r.moved]])
    headers = ["parameter", r"$\partial E/\partial p$", "old", "new"] + (["by hand"] if hand else []) \
        + ["moved"]
    return ([r"\section*{All updates}"]
            + tabular("@{}lrrr" + ("r" if hand else "") + "l@{}", headers, rows, long=True) + [""])


def render(trace: Trace, digits: int | None = None) -> str:
    digits = digits or trace.digits
    p = trace.problem
    title = tex_text(p.get("title") or trace.name or "handprop")
    out = [PREAMBLE + rf"\title{{{title}}}", r"\date{}", r"\begin{document}", r"\maketitle", ""]
    if p.get("description"):
        out += [tex_text(p["description"]), ""]
    out.append(rf"\textbf{{Network:}} {tex_text(problem_summary(trace))}\\")
    out.append(rf"\textbf{{Settings:}} {tex_text(settings_line(trace))}")
    if trace.hand_values is not None:
        out[-1] += r"\\"
        out.append(rf"\textbf{{Hand rounding:}} every intermediate rounded half-up to "
                   rf"{tex_text(rounding_description(trace))}")
    out.append("")
    for warning in trace.warnings:
        out += [rf"\textbf{{Warning:}} {tex_text(warning)}", ""]
    out += given_lines(trace)
    for section in sections(trace):
        out += [rf"\section*{{{tex_text(section.title)}}}", ""]
        for step in section.steps:
            out += step_lines(step, trace, digits)
        if section.key.startswith("loss") and (section.steps[0].sample or len(p["samples"]) == 1):
            out += forward_lines(trace, section.steps[0].sample, digits)
    out += update_lines(trace, digits)
    out += [r"\section*{The four chain-rule questions}", r"\begin{enumerate}"]
    for (question, _, answer), tex in zip(four_questions(trace), FOUR_QUESTIONS_TEX):
        out.append(rf"\item \textbf{{{tex_text(question)}}} ${tex}$ --- {tex_text(answer)}")
    out += [r"\end{enumerate}", "", r"\section*{A note on rounding}",
            code_spans(rounding_note(trace, digits)), "", r"\end{document}", ""]
    return "\n".join(out)
