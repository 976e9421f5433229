"""Writers: pure functions of a trace, one module per output format.

Each writer module exposes ``render(trace, digits=None, options=None) -> str`` (``bytes`` for a
binary format) and may expose ``render_bytes`` (the same, encoded, for large
outputs) and ``render_chunks``; ``options`` is a :class:`.options.Options` (or None for
the defaults) (the same, in pieces written as they are made).  Writers know nothing about calculus: every formula and number they
write comes from the trace.  The documents (text, Markdown, LaTeX, Typst, PDF)
are written from the document model (:mod:`.document`), and the page takes its
tables from it too; ``json`` is the trace's own data and ``python`` fills the
data section of the script module (:mod:`handprop.oracles.script`).

Adding an output format is one writer module and one line of :data:`FORMATS`.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Iterable

from ..errors import UsageError

__all__ = ["Format", "FORMATS", "SUFFIXES", "writer", "render_output", "output_chunks", "format_of_suffix"]


@dataclass(frozen=True)
class Format:
    name: str
    module: str                 # the writer
    suffixes: tuple[str, ...]   # of an output file in this format (the first is the usual one)
    binary: bool = False
    description: str = ""
    written: bool = True        # a worked solution written out (json and python are data and a program)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("text", "handprop.render.text", (".txt",), description="the worked solution as plain text"),
    Format("markdown", "handprop.render.markdown", (".md", ".markdown"), description="GitHub Markdown with math"),
    Format("latex", "handprop.render.latex", (".tex",), description="a LaTeX document"),
    Format("typst", "handprop.render.typst", (".typ",), description="a Typst document"),
    Format("pdf", "handprop.render.pdf", (".pdf",), binary=True, description="a PDF (Typst, in-process)"),
    Format("json", "handprop.render.json", (".json",), description="the trace (handprop.trace/1)",
           written=False),
    Format("python", "handprop.render.python", (".py",), description="a script that recomputes and checks",
           written=False),
    Format("html", "handprop.render.page.html", (".html", ".htm"), description="the interactive page"),
)}

SUFFIXES: dict[str, str] = {s: f.name for f in FORMATS.values() for s in f.suffixes}
"""Output-file suffix -> format."""


def _format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise UsageError(f"unknown format {name!r} (formats: {', '.join(FORMATS)})", "--format") from None


def writer(name: str) -> Callable[..., str | bytes]:
    """The ``render`` function of format ``name`` (imported on demand)."""
    return importlib.import_module(_format(name).module).render


def render_output(name: str, trace, digits: int | None = None, options=None) -> str | bytes:
    """What ``explain --format NAME`` writes: the writer's ``render_bytes`` when it has one
    (large outputs skip a decode and re-encode), else its ``render``."""
    module = importlib.import_module(_format(name).module)
    fast = getattr(module, "render_bytes", None)
    return (fast(trace, digits=digits, options=options) if fast
            else module.render(trace, digits=digits, options=options))


def output_chunks(name: str, trace, digits: int | None = None, options=None) -> Iterable[bytes]:
    """What ``explain --format NAME`` writes, as UTF-8 pieces to write as they come: the
    writer's ``render_chunks`` when it has one (a large output never whole in memory), else
    :func:`render_output` in one piece."""
    module = importlib.import_module(_format(name).module)
    chunks = getattr(module, "render_chunks", None)
    if chunks is not None:
        return chunks(trace, digits=digits, options=options)
    output = render_output(name, trace, digits, options)
    return (output if isinstance(output, bytes) else output.encode("utf-8"),)


def format_of_suffix(suffix: str) -> str | None:
    """The format an output file's suffix names, or None."""
    return SUFFIXES.get(suffix.lower())
