"""Problems from files and by name: paths, standard input, and the built-in problems.

A built-in problem (``notes``, ``mazur``: ``problem/examples/``) is read on a fast
path that skips the pydantic models (trusted data; a test keeps both paths
equal).  A built-in's name always means the built-in, whatever files the folder holds
(so ``-o notes`` cannot hide it); a file of that name is read when written as a path:
``./notes``.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from ..errors import ProblemError
from .model import Problem
from .normalise import parse
from .limits import PROBLEM_FIELDS
from .reading import decode, decode_guess, format_of, read_text, suggest, top_level_keys

__all__ = ["BUILTINS_DIR", "builtins", "file_of", "load", "load_path", "builtin_descriptions"]

BUILTINS_DIR = Path(__file__).parent / "examples"


@functools.lru_cache(maxsize=1)
def _builtins() -> tuple[tuple[str, Path], ...]:
    return tuple((p.stem, p) for p in sorted(BUILTINS_DIR.glob("*.yaml")))


def builtins() -> dict[str, Path]:
    """Built-in problems by name."""
    return dict(_builtins())


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except (OSError, ValueError):   # a name too long or holding NUL: let read_text say so
        return True


def file_of(spec: str) -> str | None:
    """The file a problem name reads: None for standard input (``-``) and a built-in name."""
    return None if spec == "-" or spec in builtins() else spec


def load(spec: str = "notes") -> Problem:
    """A problem from a built-in name, ``-`` (stdin) or a file path (see the module docstring)."""
    if not isinstance(spec, (str, os.PathLike)):
        raise ProblemError(f"a problem is named by a string (a file path, '-' or a built-in name), "
                           f"not {type(spec).__name__}", source="load")
    spec = os.fspath(spec)
    if not isinstance(spec, str):
        raise ProblemError("a problem is named by a string path, not bytes", source="load")
    table = builtins()
    if spec in table:
        return load_path(str(table[spec]), source=spec, name=spec, trusted=True)
    if spec != "-" and not _exists(spec):
        if os.path.islink(spec):
            raise ProblemError(f"is a symbolic link to {os.readlink(spec)!r}, which does not exist",
                               source=spec)
        hint = suggest(spec, table) or f" (built-in problems: {', '.join(table)})"
        raise ProblemError(f"no such file, and not a built-in problem{hint}", source=spec)
    return load_path(spec)


def load_path(path: str, source: str | None = None, name: str | None = None,
              trusted: bool = False) -> Problem:
    """A problem from a file (``-``: stdin); the format comes from the suffix, else is guessed.

    ``trusted``: a built-in of this package (see :func:`parse`)."""
    source = source or ("<stdin>" if path == "-" else path)
    text = read_text(path)
    fmt = None if path == "-" else format_of(path)
    if fmt in ("yaml", None):
        _glance(text, source)
    data = decode(text, fmt, source) if fmt else decode_guess(text, source)
    stem = name or ("stdin" if path == "-" else Path(path).stem)
    return parse(data, source=source, name=stem, trusted=trusted)


def _glance(text: str, source: str) -> None:
    """Refuse an unknown top-level field of a block-style YAML file before reading it all: a
    large file of data under a misspelt key is refused in a moment, not after minutes."""
    for key, line in top_level_keys(text):
        if key not in PROBLEM_FIELDS:
            hint = suggest(key, PROBLEM_FIELDS) or f" (the fields here: {', '.join(PROBLEM_FIELDS)})"
            raise ProblemError(f"is not a field here (line {line}){hint}", key, source)


def builtin_descriptions() -> dict[str, str]:
    """Each built-in's one-line description (its ``description`` field, else its title)."""
    out = {}
    for name in builtins():
        problem = load(name)
        out[name] = problem.description or problem.title
    return out
