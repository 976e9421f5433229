"""``handprop check CLAIMS [--problem P] [--step T] [--format text|json|html] [-o FILE]``: parse, call, print.

Exit status 0 when nothing is wrong, 1 when something is, 2 on bad input (a
malformed or duplicated claim with its line number, an unknown problem): then
one line on stderr and nothing written.
"""
from __future__ import annotations

import argparse

from ..problem.limits import MAX_TRAIN_STEPS
from .io import whole_option, width_option

FORMATS = ("text", "json", "html")
SUFFIXES = {".txt": "text", ".json": "json", ".html": "html", ".htm": "html"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("claims", help="a claims file (NAME = VALUE a line), '-' or a packaged one")
    parser.add_argument("--problem", "-p", default=None, help="the problem (default: the file's "
                        "'problem:' line; one of the two is needed)")
    parser.add_argument("--format", "-f", choices=FORMATS, default=None)
    parser.add_argument("-o", "--output", default=None, help="write to FILE ('-' for stdout)")
    parser.add_argument("--step", type=whole_option("--step", 1, MAX_TRAIN_STEPS), default=1, metavar="T",
                        help="the claims work the T-th update (default 1): the parameters and the "
                             "optimizer's state after T-1 steps of training, as explain --step T")
    parser.add_argument("--width", type=width_option, default=None, help=argparse.SUPPRESS)


def run(args) -> int:
    import gc
    gc.disable()
    from ..checking.claims import read, resolve_path
    from ..problem import file_of
    from ..checking.verdicts import check_file
    from .io import output_format
    from .output import refuse_own_input, write_output

    fmt = output_format(args, FORMATS, SUFFIXES, claims=resolve_path(args.claims),
                        problem=args.problem and file_of(args.problem))
    claims = read(args.claims)
    refuse_own_input(args.output, problem=claims.problem and file_of(claims.problem))
    from ..training.step import at_step
    report = check_file(claims, args.problem, lambda problem: at_step(problem, args.step))
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
