"""The command line: parse, call the library, print.  Nothing else lives here.

Bad input of any kind ends in one line on stderr (file, field, what is wrong)
and exit status 2; nothing is written.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from ..problem.model import ProblemError

FORMATS = ("text", "markdown", "latex", "json", "python", "html")
SUFFIXES = {".txt": "text", ".md": "markdown", ".tex": "latex", ".json": "json", ".py": "python",
            ".html": "html", ".htm": "html"}


class UsageError(ProblemError):
    """A bad option on the command line."""


def _digits(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--digits takes a whole number, not {text!r}") from None
    if not 1 <= value <= 17:
        raise argparse.ArgumentTypeError("--digits must be between 1 and 17")
    return value


def _places(flag: str, top: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} takes a whole number, not {text!r}") from None
        if not 1 <= value <= top:
            raise argparse.ArgumentTypeError(f"{flag} must be between 1 and {top}")
        return value
    return parse


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse's own status for usage errors)
        self.exit(2, f"handprop: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="handprop", description="Backpropagation worked by hand, checked by machine.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    ex = sub.add_parser("explain", help="the worked solution of a problem")
    ex.add_argument("problem", nargs="?", default="notes", help="a problem file, '-' or a built-in name")
    ex.add_argument("--format", "-f", choices=FORMATS, default=None,
                    help="output format (default: from -o's suffix, else text)")
    ex.add_argument("-o", "--output", default=None, help="write to FILE ('-' for stdout)")
    ex.add_argument("--digits", type=_digits, default=6, help="significant figures shown (default 6)")
    ex.add_argument("--width", type=int, default=None, help=argparse.SUPPRESS)
    hand = ex.add_mutually_exclusive_group()
    hand.add_argument("--round", type=_places("--round", 15), default=None, metavar="N",
                      help="also work it by hand: every intermediate rounded half-up to N decimal places")
    hand.add_argument("--sig", type=_places("--sig", 15), default=None, metavar="N",
                      help="also work it by hand: every intermediate rounded to N significant figures")

    ve = sub.add_parser("verify", help="check every gradient against finite differences (and PyTorch)")
    ve.add_argument("problem", nargs="?", default="notes")
    ve.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")

    ch = sub.add_parser("check", help="grade a hand solution: right, rounding drift, carried or wrong")
    ch.add_argument("claims", help="a claims file (NAME = VALUE a line), '-' or a packaged one")
    ch.add_argument("--problem", "-p", default=None, help="the problem (default: the file's "
                    "'problem:' line, else notes)")
    ch.add_argument("--format", "-f", choices=("text", "json", "html"), default=None)
    ch.add_argument("-o", "--output", default=None, help="write to FILE ('-' for stdout)")
    ch.add_argument("--width", type=int, default=None, help=argparse.SUPPRESS)

    sub.add_parser("examples", help="list the built-in problems")

    from .train import add_arguments as add_train_arguments
    add_train_arguments(sub.add_parser("train", help="many steps of gradient descent, recorded"))
    from .torch import add_arguments as add_torch_arguments
    add_torch_arguments(sub.add_parser("torch", help="export or import the network as a PyTorch state dict"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # a usage error (one line, status 2) or --help: a status, in process too
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
    except ProblemError as err:
        problem = getattr(args, "problem", None)
        if not err.source and isinstance(problem, str):  # e.g. the engine's NumericError
            err.located("<stdin>" if problem == "-" else problem)
        print(f"handprop: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("handprop: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


# ---------------------------------------------------------------- commands


def cmd_examples(args) -> int:
    from ..problem.model import builtin_descriptions
    for name, description in builtin_descriptions().items():
        print(f"{name:<8} {description}")
    return 0


def format_for(args, formats: Sequence[str] = FORMATS) -> str:
    """``--format``, else the format the suffix of ``-o`` names (one of ``formats``), else text."""
    if args.format:
        return args.format
    if args.output and args.output != "-":
        fmt = SUFFIXES.get(Path(args.output).suffix.lower())
        if fmt in formats:
            return fmt
    return "text"


def cmd_explain(args) -> int:
    import gc
    gc.disable()  # a trace is many small acyclic objects: collection only costs time
    from ..solve.derive import explain
    from ..problem.model import load
    fmt = format_for(args)
    check_output(args.output)
    if args.output not in (None, "-") and _same_file(args.output, args.problem):
        raise UsageError("is the problem file itself; write the solution elsewhere", source=args.output)
    problem = load(args.problem)
    if args.round or args.sig:
        from ..solve.rounding import hand_explain
        trace = hand_explain(problem, "round" if args.round else "sig", args.round or args.sig, args.digits)
    else:
        trace = explain(problem, digits=args.digits)
    if fmt == "text" and (args.output in (None, "-")):
        from rich.console import Console
        from ..render.text import print_to
        console = Console(width=args.width) if args.width else Console()
        print_to(console, trace, args.digits)
        return 0
    from ..render import render_output
    text = render_output(fmt, trace, digits=args.digits)
    write_output(args.output, text)
    return 0


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):   # either missing, a name too long, a NUL in it...
        return False


def check_output(path: str | None) -> None:
    """Refuse, before any work, an output path that cannot be written (``-``/None: stdout)."""
    if path in (None, "-"):
        return
    target = Path(path)
    if target.is_dir():
        raise UsageError("is a directory", source=path)
    if not target.parent.is_dir():
        raise UsageError(f"cannot write: folder {str(target.parent)!r} does not exist", source=path)


def write_output(path: str | None, text: str | bytes) -> None:
    """Write all of ``text`` or nothing: a temporary file renamed into place."""
    if path in (None, "-"):
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        sys.stdout.flush()
        return
    check_output(path)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    try:
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        else:
            tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write: {err.strerror or err}", source=path) from None


def cmd_verify(args) -> int:
    from ..problem.model import load
    from ..verify import report
    problem = load(args.problem)
    ok, text = report(problem, torch=not args.no_torch)
    print(text)
    return 0 if ok else 1


def cmd_train(args) -> int:
    from .train import run
    return run(args)


def cmd_torch(args) -> int:
    from .torch import run
    return run(args)


def cmd_check(args) -> int:
    from .check import run
    return run(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "explain": cmd_explain,
    "verify": cmd_verify,
    "examples": cmd_examples,
    "check": cmd_check,
    "train": cmd_train,
    "torch": cmd_torch,
}


if __name__ == "__main__":
    sys.exit(main())
