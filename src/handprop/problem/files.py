"""Problems from files and by name: paths, standard input, and the built-in problems.

A built-in problem (``notes``, ``mazur``: ``problem/examples/``) is read on a fast
path that skips the pydantic models (trusted data; a test keeps both paths
equal).  A name is a built-in when no file of that name exists.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ProblemError
from .model import Problem
from .normalise import parse
from .reading import decode, decode_guess, format_of, read_text, suggest

__all__ = ["BUILTINS_DIR", "builtins", "load", "load_path", "builtin_descriptions"]

BUILTINS_DIR = Path(__file__).parent / "examples"


def builtins() -> dict[str, Path]:
    """Built-in problems by name."""
    return {p.stem: p for p in sorted(BUILTINS_DIR.glob("*.yaml"))}


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except (OSError, ValueError):   # a name too long or holding NUL: let read_text say so
        return True


def load(spec: str = "notes") -> Problem:
    """A problem from a file path, ``-`` (stdin) or a built-in name."""
    table = builtins()
    if spec != "-" and not _exists(spec):
        if spec in table:
            return load_path(str(table[spec]), source=spec, name=spec, trusted=True)
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
    data = decode(text, fmt, source) if fmt else decode_guess(text, source)
    stem = name or ("stdin" if path == "-" else Path(path).stem)
    return parse(data, source=source, name=stem, trusted=trusted)


def builtin_descriptions() -> dict[str, str]:
    """Each built-in's one-line description (its ``description`` field, else its title)."""
    out = {}
    for name in builtins():
        problem = load(name)
        out[name] = problem.description or problem.title
    return out
