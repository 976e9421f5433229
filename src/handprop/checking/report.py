"""The report of ``handprop check`` as a table (rich) and as JSON.

Pure functions of a :class:`~handprop.checking.verdicts.Report`: one row a claim, in the
order of the file (claim, claimed, exact, verdict, explanation), the parts of
the file as sections, and a summary line.
"""
from __future__ import annotations

import io
import json

from ..expr.numbers import fmt_number

STYLES = {"correct": "green", "rounding": "cyan", "carried": "yellow", "wrong": "bold red",
          "unknown": "magenta"}


def table(report):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    t.add_column("claim", no_wrap=True, ratio=None)
    t.add_column("claimed", justify="right", no_wrap=True)
    t.add_column("exact", justify="right", no_wrap=True)
    t.add_column("verdict", no_wrap=True)
    t.add_column("explanation", ratio=1, overflow="fold")
    part = None
    for v in report.verdicts:
        if v.claim.part != part:
            part = v.claim.part
            if part:
                if t.row_count:
                    t.add_section()
                t.add_row(Text(f"[{part}]", style="italic dim"), "", "", "", "")
        exact = "" if v.exact is None else fmt_number(v.exact, 6)
        t.add_row(v.claim.name, v.claim.text, exact, Text(v.verdict, style=STYLES[v.verdict]),
                  v.explanation)
    return t


def summary(report) -> str:
    counts = report.counts()
    parts = [f"{n} {k}" for k, n in counts.items() if n]
    total = len(report.verdicts)
    text = f"{total} claim{'s' if total != 1 else ''}: " + ", ".join(parts) if parts else "no claims"
    return text + ("." if report.status else ". Nothing is wrong.")


def heading(report) -> str:
    return f"Checking {report.source} against the problem {report.problem.name!r}"


def print_to(console, report) -> None:
    console.print(heading(report), highlight=False)
    console.print()
    console.print(table(report))
    console.print(summary(report), highlight=False)


def render(report, width: int = 100) -> str:
    """The table as plain text (no colour), for ``-o FILE``."""
    from rich.console import Console
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False)
    print_to(console, report)
    return buf.getvalue()


def render_json(report) -> str:
    """``{"claims": [{"name", "id", "claimed", "exact", "verdict", "diagnosis", "first_wrong"}]}``."""
    return json.dumps(report.to_json(), indent=1, ensure_ascii=False) + "\n"
