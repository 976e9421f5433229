"""The report of ``handprop check`` as a table (rich) and as JSON.

Pure functions of a :class:`~handprop.checking.verdicts.Report`: one row a claim, in the
order of the file (claim, claimed, exact, verdict, explanation), the parts of
the file as sections, and a summary line.
"""
from __future__ import annotations

import io
import json

from ..expr.numbers import text_number
from ..visible import one_line

STYLES = {"correct": "green", "rounding": "cyan", "carried": "yellow", "wrong": "bold red",
          "unknown": "magenta"}


def tables(report) -> list:
    """The claims as rich tables, one for each part of the file (its heading above it, so that
    a long heading never squeezes the columns).  Every text is plain: a claim written like
    rich markup (``E[/] = 0.3``) shows as written, hidden characters escaped."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    rows = [(one_line(v.claim.name), one_line(v.claim.text),
             "" if v.exact is None else text_number(v.exact, 6), v.verdict, one_line(v.explanation))
            for v in report.verdicts]
    # the same widths in every part's table, so that the columns line up down the page
    widths = [min(max([len(head)] + [len(r[i]) for r in rows]), cap)
              for i, (head, cap) in enumerate((("claim", 24), ("claimed", 14), ("exact", 12),
                                               ("verdict", 8)))]
    out: list = []
    t = None
    part = object()
    for v, row in zip(report.verdicts, rows):
        if t is None or v.claim.part != part:
            part = v.claim.part
            if part:
                out.append(Text(one_line(f"[{part}]"), style="italic dim"))
            t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            t.add_column("claim", overflow="fold", width=widths[0])
            t.add_column("claimed", justify="right", overflow="fold", width=widths[1])
            t.add_column("exact", justify="right", overflow="fold", width=widths[2])
            t.add_column("verdict", no_wrap=True, width=widths[3])
            t.add_column("explanation", ratio=1, overflow="fold", min_width=16)
            out.append(t)
        t.add_row(Text(row[0]), Text(row[1]), Text(row[2]), Text(row[3], style=STYLES[row[3]]),
                  Text(row[4]))
    return out


def summary(report) -> str:
    counts = report.counts()
    parts = [f"{n} {k}" for k, n in counts.items() if n]
    total = len(report.verdicts)
    text = f"{total} claim{'s' if total != 1 else ''}: " + ", ".join(parts) if parts else "no claims"
    return text + ("." if report.status else ". Nothing is wrong.")


def heading(report) -> str:
    return one_line(f"Checking {report.source} against the problem {report.problem.name!r}")


def print_to(console, report) -> None:
    from rich.text import Text
    console.print(Text(heading(report)), highlight=False)
    if report.convention:
        console.print(Text(one_line(f"Convention: {report.convention}.")), highlight=False)
    console.print()
    for piece in tables(report):
        console.print(piece)
    console.print(Text(summary(report)), highlight=False)


def render(report, width: int = 100) -> str:
    """The table as plain text (no colour), for ``-o FILE``."""
    from rich.console import Console
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False)
    print_to(console, report)
    return buf.getvalue()


def render_json(report) -> str:
    """``{"claims": [{"name", "id", "claimed", "exact", "verdict", "diagnosis", "first_wrong"}]}``,
    and ``"convention"`` (a sentence) when the claims were judged in an inferred convention."""
    return json.dumps(report.to_json(), indent=1, ensure_ascii=False) + "\n"
