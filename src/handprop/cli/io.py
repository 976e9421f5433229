"""What every command shares: the output format rule, safe writes, option parsers.

- The format of an output is ``--format``, else the format named by the suffix of
  ``-o`` (a suffix that names no format of the command is an error), else text.
- An output is written whole or not at all: to a temporary file beside it,
  renamed into place; ``-`` (or no ``-o``) is standard output.
- A command never writes over one of its own inputs.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..errors import UsageError

__all__ = ["format_for", "output_format", "check_output", "write_output", "same_file", "same_target", "refuse_own_input",
           "digits_option", "places_option"]


def format_for(args, formats: Sequence[str], suffixes: dict[str, str]) -> str:
    """``--format``, else the format the suffix of ``-o`` names (one of ``formats``), else text.

    ``suffixes`` maps a file suffix to a format; a suffix that names none of ``formats``
    is a usage error (exit 2), so ``-o notes.docx`` never writes text by surprise.
    """
    if getattr(args, "format", None):
        return args.format
    output = getattr(args, "output", None)
    if output and output != "-":
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


def check_output(path: str | None) -> None:
    """Refuse, before any work, an output path that cannot be written (``-``/None: stdout)."""
    if path in (None, "-"):
        return
    if path == "":
        raise UsageError("an empty output name: give a file name, or - for standard output", "-o")
    target = Path(path)
    if target.is_dir():
        raise UsageError("is a directory", source=path)
    if not target.parent.is_dir():
        raise UsageError(f"cannot write: folder {str(target.parent)!r} does not exist", source=path)


def same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):   # either missing, a name too long, a NUL in it...
        return False


def same_target(a: str, b: str) -> bool:
    """Whether two output names would write the same file (existing or not)."""
    return os.path.realpath(a) == os.path.realpath(b) or same_file(a, b)


def refuse_own_input(output: str | None, **inputs: str | None) -> None:
    """A command does not write over a file it reads (``inputs``: what each file is, e.g.
    ``problem=path``: "the problem file")."""
    if output in (None, "-"):
        return
    for what, given in inputs.items():
        if given and given != "-" and same_file(output, given):
            raise UsageError(f"is the {what.replace('_', ' ')} file itself; write the output elsewhere",
                             source=output)


def write_output(path: str | None, text: str | bytes | Iterable[bytes]) -> None:
    """Write all of ``text`` or nothing: a temporary file renamed into place.  ``text`` may
    be pieces of bytes, written as they come (a large output never whole in memory); if making
    one fails, the temporary file goes and the error goes on."""
    if path in (None, "-"):
        if isinstance(text, str):
            sys.stdout.write(text)
        else:
            sys.stdout.flush()
            for piece in (text,) if isinstance(text, bytes) else text:
                sys.stdout.buffer.write(piece)
        sys.stdout.flush()
        return
    pieces: Iterable[bytes] = (text.encode("utf-8"),) if isinstance(text, str) else \
        (text,) if isinstance(text, bytes) else text
    check_output(path)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as out:
            for piece in pieces:
                out.write(piece)
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write: {err.strerror or err}", source=path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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


def digits_option(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--digits takes a whole number, not {text!r}") from None
    if not 1 <= value <= 17:
        raise argparse.ArgumentTypeError("--digits must be between 1 and 17")
    return value


def places_option(flag: str, top: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} takes a whole number, not {text!r}") from None
        if not 1 <= value <= top:
            raise argparse.ArgumentTypeError(f"{flag} must be between 1 and {top}")
        return value
    return parse
