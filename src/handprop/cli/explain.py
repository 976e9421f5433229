"""``handprop explain [PROBLEM] [--format F] [-o FILE] [--digits N] [--round N | --sig N] [--step T]``."""
from __future__ import annotations

import argparse

from ..render.options import LATEX_FORMS, VIEWS
from ..expr.numbers import CONVENTIONS
from ..problem.limits import MAX_TRAIN_STEPS
from .io import digits_option, places_option, whole_option, width_option


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..render import FORMATS
    parser.add_argument("problem", nargs="?", default="notes", help="a problem file, '-' or a built-in name")
    parser.add_argument("--format", "-f", choices=tuple(FORMATS), default=None,
                        help="output format (default: from -o's suffix, else text)")
    parser.add_argument("-o", "--output", default=None, help="write to FILE ('-' for stdout)")
    parser.add_argument("--digits", type=digits_option, default=6, help="significant figures shown (default 6)")
    parser.add_argument("--width", type=width_option, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--compact", action="store_true",
                        help="the delta form of lecture notes: a line per delta, one table of gradients and updates")
    parser.add_argument("--view", choices=VIEWS, default=None,
                        help="steps (unit by unit) or matrix (W·x + b, δ xᵀ); default: as the problem is written")
    parser.add_argument("--latex", choices=LATEX_FORMS, default=None, dest="latex_form",
                        help="LaTeX output: a whole document, a body to \\input, or beamer slides")
    parser.add_argument("--step", type=whole_option("--step", 1, MAX_TRAIN_STEPS), default=1, metavar="T",
                        help="explain the T-th update (default 1): the parameters and the optimizer's "
                             "state are those after T-1 steps of training")
    hand = parser.add_mutually_exclusive_group()
    hand.add_argument("--round", type=places_option("--round", 15), default=None, metavar="N",
                      help="also work it by hand: every intermediate rounded half-up to N decimal places")
    hand.add_argument("--sig", type=places_option("--sig", 15), default=None, metavar="N",
                      help="also work it by hand: every intermediate rounded to N significant figures")
    parser.add_argument("--convention", choices=CONVENTIONS, default=None,
                        help="by hand, an activation is one key press (calculator, the default) or "
                             "every operation inside it is rounded too (every-step)")


def run(args) -> int:
    import gc
    gc.disable()  # a trace is many small acyclic objects: collection only costs time
    from ..problem import file_of, load
    from ..render import FORMATS, SUFFIXES, output_chunks
    from ..render.options import Options
    from ..solve import explain
    from .io import hold, output_format
    from .output import write_output
    fmt = output_format(args, tuple(FORMATS), SUFFIXES, problem=file_of(args.problem))
    check_applies(args, fmt)
    problem = load(args.problem)
    from ..training.step import at_step
    problem, at = at_step(problem, args.step)
    if args.round or args.sig:
        from ..solve.rounding import hand_explain
        trace = hand_explain(problem, "round" if args.round else "sig", args.round or args.sig, args.digits,
                             args.convention or "calculator", at=at)
    else:
        trace = explain(problem, digits=args.digits, at=at)
    hold(trace, problem)
    options = Options(compact=args.compact, view=args.view, latex=args.latex_form or "document")
    if fmt == "text" and args.output in (None, "-"):
        from rich.console import Console

        from ..render.text import print_to
        console = Console(width=args.width) if args.width else Console()
        print_to(console, trace, args.digits, options)
        return 0
    write_output(args.output, output_chunks(fmt, trace, digits=args.digits, options=options))
    return 0


def check_applies(args, fmt: str) -> None:
    """An option that would change nothing in this output is refused, not ignored."""
    from ..errors import UsageError
    from ..render import FORMATS
    if args.convention is not None and not (args.round or args.sig):
        raise UsageError("is how to work an activation by hand: give --round N or --sig N too",
                         "--convention")
    if args.latex_form is not None and fmt != "latex":
        raise UsageError(f"chooses the form of a LaTeX output, and this output is {fmt}", "--latex")
    for flag, given in (("--compact", args.compact), ("--view", args.view is not None)):
        if given and not FORMATS[fmt].written:
            raise UsageError(f"changes how a worked solution is written; {fmt} holds the trace itself"
                             if fmt == "json" else
                             f"changes how a worked solution is written, not the {fmt} output", flag)
