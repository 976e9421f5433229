"""Where a command's output goes, written so that nothing is lost or left behind.

- ``-`` (or no ``-o``) is standard output, and so are ``/dev/stdout``, ``/dev/fd/1`` and
  ``/proc/self/fd/1`` (they may name a file the shell opened: replacing it would lose
  the output).
- A path that is not a regular file -- a FIFO, a character device such as
  ``/dev/null``, a socket -- is written through, as it is: the node is never replaced.
- A regular file (or a name not yet taken) is written whole or not at all: the output
  goes to a temporary file in the same folder, renamed over the target at the end.  A
  symbolic link is followed, and its target is what is replaced: the link stays.  The
  temporary name is short (``.hp-PID-RANDOM.tmp``) whatever the target is called.
- If anything stops the write -- an error, a full disk, Ctrl-C, SIGTERM or SIGHUP (see
  :func:`install_signal_handlers`) -- the temporary file is removed and the target is
  untouched.
- Every problem with the target is found before any work (:func:`check_output`): an
  empty name, a directory, a missing folder, a name longer than the file system allows,
  no permission.  A command never writes over one of its own inputs
  (:func:`refuse_own_input`), whatever path, symbolic or hard link names it.
"""
from __future__ import annotations

import os
import secrets
import signal
import stat
import sys
from pathlib import Path
from typing import Iterable

from ..errors import UsageError

__all__ = ["check_output", "write_output", "same_file", "same_target", "refuse_own_input",
           "install_signal_handlers", "is_stdout", "is_stream", "Terminated", "STDOUT_ALIASES"]

STDOUT_ALIASES = ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")
"""Output names that are standard output itself."""

NAME_MAX = 255
"""The longest file name (in bytes) of the file systems we meet, when the folder cannot say."""

_TEMPORARY: set[Path] = set()
"""Temporary files being written now: removed when a signal ends the process."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: the command stops, cleaning up as Ctrl-C does."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


def install_signal_handlers() -> None:
    """Make SIGTERM and SIGHUP raise :class:`Terminated` (as SIGINT raises KeyboardInterrupt),
    so that a write in progress removes its temporary file before the process ends."""
    def stop(signum, frame):
        raise Terminated(signum)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            try:
                signal.signal(getattr(signal, name), stop)
            except (ValueError, OSError):   # not the main thread, or not allowed here
                pass


def is_stdout(path: str) -> bool:
    """Whether ``path`` is standard output itself (``-``, ``/dev/stdout``, ...)."""
    return path in STDOUT_ALIASES or os.path.normpath(path) in STDOUT_ALIASES[1:]


def is_stream(path: str) -> bool:
    """Whether ``path`` names something other than a regular file or a folder (a FIFO, a
    device, a socket), which is written through."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _stat(path: str) -> os.stat_result | None:
    """``os.stat`` (links followed), None when nothing is there (or a dangling link)."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise UsageError("cannot write: a part of the path is a file, not a folder", source=path) from None
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot write: {getattr(err, 'strerror', None) or err}", source=path) from None


def _name_limit(folder: str) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return NAME_MAX


def check_output(path: str | None, option: str = "-o") -> None:
    """Refuse, before any work, an output that cannot be written (``None``/``-``: stdout);
    ``option`` is the flag that named it, for the message."""
    if path is None or is_stdout(path):
        return
    field = "" if option == "-o" else option
    if path == "":
        raise UsageError("an empty output name: give a file name, or - for standard output", option)
    if "\0" in path:
        raise UsageError("an output name cannot hold a NUL character", option)
    name = os.path.basename(path)
    limit = _name_limit(os.path.dirname(path) or ".")
    if len(os.fsencode(name)) > limit:
        raise UsageError(f"the file name is {len(os.fsencode(name))} bytes long; this file system "
                         f"allows {limit}", field, path)
    found = _stat(path)
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise UsageError("is a directory", field, path)
    if found is not None and not stat.S_ISREG(found.st_mode):
        if not os.access(path, os.W_OK):
            raise UsageError("cannot write: permission denied", field, path)
        return                                  # a FIFO, a device: written through
    try:
        target = Path(os.path.realpath(path))   # a symbolic link: its target is what is written
        folder_exists = target.parent.is_dir()
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot write: {getattr(err, 'strerror', None) or err}", field, path) from None
    folder = target.parent
    if not folder_exists:
        shown = os.path.dirname(path) or "."
        raise UsageError(f"cannot write: folder {shown!r} does not exist", field, path)
    size = len(os.fsencode(target.name))
    limit = _name_limit(str(folder))
    if size > limit:
        raise UsageError(f"the file name is {size} bytes long; this file system allows {limit}",
                         field, path)
    if not os.access(folder, os.W_OK | os.X_OK) or (found is not None and not os.access(target, os.W_OK)):
        raise UsageError("cannot write: permission denied", field, path)


def write_output(path: str | None, text: str | bytes | Iterable[bytes]) -> None:
    """Write all of ``text`` -- a string, bytes, or pieces of bytes written as they come (a
    large output never whole in memory) -- to ``path`` (see the module docstring)."""
    if path is None or is_stdout(path):
        _to_stdout(text)
        return
    check_output(path)
    pieces: Iterable[bytes] = (text.encode("utf-8", "backslashreplace"),) if isinstance(text, str) \
        else (text,) if isinstance(text, bytes) else text
    found = _stat(path)
    if found is not None and not stat.S_ISREG(found.st_mode):
        _through(path, pieces)
    else:
        _replace(path, Path(os.path.realpath(path)), found, pieces)


def _to_stdout(text: str | bytes | Iterable[bytes]) -> None:
    if isinstance(text, str):
        sys.stdout.write(text)
    else:
        sys.stdout.flush()
        for piece in (text,) if isinstance(text, bytes) else text:
            sys.stdout.buffer.write(piece)
    sys.stdout.flush()


def _through(path: str, pieces: Iterable[bytes]) -> None:
    """Into a FIFO or a device, as it is (no temporary file: there is nothing to replace)."""
    try:
        with open(path, "wb") as out:
            for piece in pieces:
                out.write(piece)
    except OSError as err:
        raise UsageError(f"cannot write: {err.strerror or err}", source=path) from None


def _replace(path: str, target: Path, found: os.stat_result | None, pieces: Iterable[bytes]) -> None:
    """Into a temporary file beside ``target``, renamed over it when every piece is written."""
    tmp = target.with_name(f".hp-{os.getpid()}-{secrets.token_hex(4)}.tmp")
    mode = stat.S_IMODE(found.st_mode) if found is not None else 0o666   # the umask applies to a new one
    _TEMPORARY.add(tmp)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as out:
            for piece in pieces:
                out.write(piece)
        if found is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as err:
        _remove(tmp)
        raise UsageError(f"cannot write: {err.strerror or err}", source=path) from None
    except BaseException:
        _remove(tmp)
        raise
    finally:
        _TEMPORARY.discard(tmp)


def _remove(tmp: Path) -> None:
    try:
        tmp.unlink()
    except OSError:
        pass


def same_file(a: str, b: str) -> bool:
    """Whether two names are one file (the same inode, through any link)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):   # either missing, a name too long, a NUL in it...
        return False


def same_target(a: str, b: str) -> bool:
    """Whether two output names would write the same file (existing or not)."""
    try:
        return os.path.realpath(a) == os.path.realpath(b) or same_file(a, b)
    except (OSError, ValueError):
        return False


def refuse_own_input(output: str | None, **inputs: str | None) -> None:
    """A command does not write over a file it reads (``inputs``: what each file is, e.g.
    ``problem=path``: "the problem file"; None for one that is not a file, such as a
    built-in problem), through whatever path or link names it."""
    if output is None or is_stdout(output):
        return
    for what, given in inputs.items():
        if given and given != "-" and (same_file(output, given) or
                                       (os.path.lexists(given) and same_target(output, given))):
            raise UsageError(f"is the {what.replace('_', ' ')} file itself; write the output elsewhere",
                             source=output)
