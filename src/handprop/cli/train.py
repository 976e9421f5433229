"""``handprop train``: its options and the thin glue from them to :func:`handprop.training.history.train`.

Every option is checked before the first step is taken, so bad input costs no
time and writes nothing: one line on stderr, exit status 2.
"""
from __future__ import annotations

import argparse
import sys
import time

from .io import digits_option, whole_option, width_option

TRAIN_FORMATS = ("text", "json", "html")
SUFFIXES = {".txt": "text", ".json": "json", ".html": "html", ".htm": "html"}
PROGRESS_AFTER = 0.4     # seconds: shorter runs show no progress bar


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..problem.limits import MAX_TRAIN_STEPS as MAX_STEPS
    parser.add_argument("problem", nargs="?", default="notes", help="a problem file, '-' or a built-in name")
    parser.add_argument("--steps", "-n", type=whole_option("--steps", 1, MAX_STEPS), default=1000,
                        help="steps of the problem's optimizer (default 1000)")
    parser.add_argument("--every", "-k", type=whole_option("--every", 1, MAX_STEPS), default=None,
                        help="record the loss and parameters every K steps (default: about 100 records)")
    parser.add_argument("--format", "-f", choices=TRAIN_FORMATS, default=None,
                        help="output format (default: from -o's suffix, else text)")
    parser.add_argument("-o", "--output", default=None, help="write to FILE ('-' for stdout)")
    parser.add_argument("--plot", default=None, metavar="FILE",
                        help="draw the loss curve to FILE.png or FILE.svg (needs matplotlib)")
    parser.add_argument("--hidden-deltas", choices=("original", "updated"), default="original",
                        help="original: backpropagation as derived; updated: hidden deltas through the "
                             "already-updated weights (the older code behind Mazur's summary lines)")
    parser.add_argument("--compare", default=None, metavar="NAMES",
                        help="train once per optimizer named (sgd,momentum,adam: each with its defaults, "
                             "or the file's settings for the one it names) and overlay the loss curves")
    parser.add_argument("--engine", choices=("auto", "scalar", "numpy", "reference"), default="auto",
                        help="scalar (compiled Python, small networks), numpy (large), or auto")
    parser.add_argument("--digits", type=digits_option, default=None,
                        help="significant figures shown (default 9 in text, 6 on the page)")
    parser.add_argument("--width", type=width_option, default=None, help=argparse.SUPPRESS)


class _Progress:
    """A rich progress bar on stderr, shown only on a terminal and only for long runs."""

    def __init__(self, total: int):
        self.total = total
        self.start = time.perf_counter()
        self.bar = None
        self.task = None

    def __call__(self, done: int) -> None:
        if self.bar is None:
            if time.perf_counter() - self.start < PROGRESS_AFTER:
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
            self.bar = Progress(TextColumn("training"), BarColumn(), TextColumn("{task.completed:,}/"
                                "{task.total:,} steps"), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("train", total=self.total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def run(args) -> int:
    from ..errors import UsageError
    from ..problem import file_of, load
    from ..training.history import UPDATED_NOTE, check_request, choose_engine, train
    from .io import output_format
    from .output import check_output, refuse_own_input, same_target, write_output

    fmt = output_format(args, TRAIN_FORMATS, SUFFIXES, problem=file_of(args.problem))
    problem = load(args.problem)
    check_request(problem, args.steps, args.every, args.hidden_deltas)
    choose_engine(problem, args.engine)
    if args.engine == "reference" and args.hidden_deltas != "original":
        raise UsageError("the reference engine only knows --hidden-deltas original", "--engine")
    if args.plot is not None:
        from ..training.plot import check_path
        plot_kind = check_path(args.plot)
        check_output(args.plot, "--plot")
        refuse_own_input(args.plot, problem=file_of(args.problem))
        if args.output not in (None, "-") and same_target(args.output, args.plot):
            raise UsageError("is also the --plot file: the report and the plot need two files",
                             source=args.output)
    if fmt == "html" and args.compare is None:     # the comparison page is plain SVG, no KaTeX
        from ..render.page.assets import katex_dir
        katex_dir()                     # the page needs KaTeX: say so before training, not after
    runs = None
    if args.compare is not None:
        from ..training.compare import problems_for
        runs = problems_for(problem, args.compare)
        for p in runs:
            choose_engine(p, args.engine)
    total = args.steps * (len(runs) if runs else 1)
    progress = _Progress(total) if sys.stderr.isatty() else None
    try:
        if runs:
            from ..training.compare import compare
            history = compare(problem, [p.optimizer for p in runs], args.steps, args.every,
                              args.hidden_deltas, args.engine, progress)
        else:
            history = train(problem, args.steps, args.every, args.hidden_deltas, args.engine, progress)
    finally:
        if progress is not None:
            progress.close()
    on_terminal = fmt == "text" and args.output in (None, "-")
    text = None if on_terminal else _render(fmt, history, args)
    if args.plot is not None:
        from ..training.plot import plot_bytes
        write_output(args.plot, plot_bytes(history, plot_kind))
    if on_terminal:
        from rich.console import Console
        if runs:
            from ..training.compare import print_to
        else:
            from ..training.report_text import print_to
        print_to(Console(width=args.width, highlight=False), history, args.digits or 9)
        return 0
    if args.hidden_deltas == "updated":
        print(f"handprop: note: {UPDATED_NOTE}", file=sys.stderr)
    write_output(args.output, text)
    return 0


def _render(fmt: str, history, args) -> str:
    if isinstance(history, list):       # --compare: one run per optimizer
        from ..training import compare
        if fmt == "json":
            return compare.render_json(history)
        if fmt == "html":
            return compare.render_page(history, digits=args.digits)
        return compare.render_text(history, args.digits or 9, width=args.width or 80)
    if fmt == "json":
        from ..training.report_json import render
        return render(history)
    if fmt == "html":
        from ..training.page import render
        return render(history, digits=args.digits)
    from ..training.report_text import render
    return render(history, args.digits or 9, width=args.width or 80)
