"""The command line: parse, call the library, print.  Nothing else lives here.

Each command is a module of this package with ``add_arguments(parser)`` and
``run(args) -> exit status``; this module only builds the parser from them and
turns every :class:`~handprop.errors.HandpropError` into one line on stderr and
its exit status (2 for bad input: nothing is written).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from ..errors import HandpropError, NumericError, ProblemError

COMMANDS = {
    "explain": "the worked solution of a problem",
    "verify": "check every gradient against finite differences (and PyTorch)",
    "check": "grade a hand solution: right, rounding drift, carried or wrong",
    "examples": "list the built-in problems",
    "train": "many steps of gradient descent, recorded",
    "torch": "export or import the network as a PyTorch state dict",
    "exercise": "make exercises with nice numbers: variants, worksheets, answer keys",
    "serve": "the live editor in the browser and its JSON API (FastAPI, uvicorn)",
}
"""Each command, by the module of this package that holds it, and its one-line help."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse's own status for usage errors)
        self.exit(2, f"handprop: {message}\n")


def _command(name: str):
    return importlib.import_module(f"handprop.cli.{name}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command (``only``: of that command alone, which imports less)."""
    parser = _Parser(prog="handprop", description="Backpropagation worked by hand, checked by machine.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if only is None or only == name:
            _command(name).add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(first if first in COMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # a usage error (one line, status 2) or --help: a status, in process too
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        parser.print_help()
        return 0
    from .output import Terminated, install_signal_handlers
    install_signal_handlers()
    try:
        return _command(args.command).run(args)
    except HandpropError as err:
        problem = getattr(args, "problem", None)
        if isinstance(err, (ProblemError, NumericError)) and isinstance(problem, str):
            err.located("<stdin>" if problem == "-" else problem)  # e.g. the engine's NumericError
        print(f"handprop: {err}", file=sys.stderr)
        return err.exit_status
    except KeyboardInterrupt:
        print("handprop: interrupted", file=sys.stderr)
        return 130
    except Terminated as stop:
        print("handprop: terminated", file=sys.stderr)
        return stop.exit_status
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def entry() -> None:
    """The ``handprop`` command: :func:`main`, then exit at once.

    Everything is written and flushed when :func:`main` returns; what is left is freeing
    every object of a large trace one by one, which the operating system does faster.
    """
    from . import io
    io.FAST_EXIT = True
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1
    os._exit(code)


if __name__ == "__main__":
    entry()
