"""``handprop check CLAIMS [--problem P] [--format text|json|html] [-o FILE]``: parse, call, print.

Exit status 0 when nothing is wrong, 1 when something is, 2 on bad input (a
malformed or duplicated claim with its line number, an unknown problem): then
one line on stderr and nothing written.
"""
from __future__ import annotations




def run(args) -> int:
    import gc
    gc.disable()
    from ..checking.verdicts import check_file
    from ..checking.claims import read
    from .main import format_for, write_output

    claims = read(args.claims)
    report = check_file(claims, args.problem)
    fmt = format_for(args, ("text", "json", "html"))
    if fmt == "text" and args.output in (None, "-"):
        from rich.console import Console
        from ..checking.report import print_to
        print_to(Console(width=args.width) if args.width else Console(highlight=False), report)
        return report.status
    if fmt == "json":
        from ..checking.report import render_json
        text = render_json(report)
    elif fmt == "html":
        from ..checking.page import render
        text = render(report)
    else:
        from ..checking.report import render
        text = render(report, width=args.width or 100)
    write_output(args.output, text)
    return report.status
