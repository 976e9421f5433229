"""What every command shares: the output format rule, safe writes, option parsers.

- The format of an output is ``--format``, else the format named by the suffix of
  ``-o`` (a suffix that names no format of the command is an error), else text.
- Where an output goes, and how it is written whole or not at all: :mod:`.output`.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Callable, Sequence

from ..errors import UsageError
from .output import check_output, is_stdout, is_stream, refuse_own_input

__all__ = ["format_for", "output_format", "digits_option", "places_option", "whole_option",
           "width_option", "hold"]


def format_for(args, formats: Sequence[str], suffixes: dict[str, str]) -> str:
    """``--format``, else the format the suffix of ``-o`` names (one of ``formats``), else text.

    ``suffixes`` maps a file suffix to a format; a suffix that names none of ``formats``
    is a usage error (exit 2), so ``-o notes.docx`` never writes text by surprise.  Standard
    output under any name, and a device or FIFO without a suffix (``/dev/null``), take text.
    """
    if getattr(args, "format", None):
        return args.format
    output = getattr(args, "output", None)
    if output and not is_stdout(output) and not (is_stream(output) and not Path(output).suffix):
        suffix = Path(output).suffix.lower()
        fmt = suffixes.get(suffix)
        if fmt in formats:
            return fmt
        known = ", ".join(s for s, f in suffixes.items() if f in formats)
        what = f"the suffix {suffix!r}" if suffix else "no suffix"
        option = f"--format ({', '.join(formats)}) or " if hasattr(args, "format") else ""
        raise UsageError(f"has {what}, which names no output format of this command: give "
                         f"{option}a file ending in one of {known}", source=output)
    return "text"


def output_format(args, formats: Sequence[str], suffixes: dict[str, str], **inputs: str | None) -> str:
    """Check the output target before any work (writable, not one of ``inputs``) and return
    the format to write it in (:func:`format_for`)."""
    check_output(getattr(args, "output", None))
    refuse_own_input(getattr(args, "output", None), **inputs)
    return format_for(args, formats, suffixes)


_HELD: list = []
FAST_EXIT = False
"""Set by the ``handprop`` command (``main.entry``), which ends the process without freeing
its objects: then :func:`hold` keeps a command's large results alive until the end, so that
returning from the command does not free a large trace object by object first."""


def hold(*objects) -> None:
    """Keep ``objects`` until the process ends (only under :data:`FAST_EXIT`; else a no-op)."""
    if FAST_EXIT:
        _HELD.extend(objects)


_WHOLE = re.compile(r"[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+")


def whole_option(flag: str, low: int, high: int) -> Callable[[str], int]:
    """An option's whole number from ``low`` to ``high`` (``flag`` names it in the help), ASCII
    digits only, thousands
    separated by commas in the usual places (``10,000``) or not at all -- no spaces, signs,
    underscores or other scripts' digits, which ``int()`` would take."""
    def parse(text: str) -> int:
        if not _WHOLE.fullmatch(text):
            raise argparse.ArgumentTypeError(f"takes a whole number such as {low} or "
                                             f"{max(low, min(high, 10_000)):,}, not {text!r}")
        value = int(text.replace(",", ""))
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:,} and {high:,}, not {value:,}")
        return value
    return parse


def digits_option(text: str) -> int:
    return whole_option("--digits", 1, 17)(text)


def places_option(flag: str, top: int) -> Callable[[str], int]:
    return whole_option(flag, 1, top)


WIDTH = (20, 1000)
"""The narrowest and widest text output (--width): below, nothing fits; above, no screen."""


def width_option(text: str) -> int:
    return whole_option("--width", *WIDTH)(text)
