"""The trace as JSON (schema ``handprop.trace/1``, published in ``schema/trace.schema.json``).

Values are full float64 whatever ``digits`` is: ``digits`` only sets the
precision of the numbers inside the formula strings.
"""
from __future__ import annotations

from typing import Iterator

from ..trace import Trace


def render(trace: Trace, digits: int | None = None, options=None) -> str:
    return trace.dumps(digits=digits) + "\n"


def render_bytes(trace: Trace, digits: int | None = None, options=None) -> bytes:
    """The same as :func:`render`, as UTF-8 bytes (a large trace is written without re-encoding)."""
    return trace.dump_bytes(newline=True, digits=digits)


def render_chunks(trace: Trace, digits: int | None = None, options=None) -> Iterator[bytes]:
    """:func:`render_bytes` in pieces, for writing as they are made: a small trace indented in
    one piece, a large one compact, its steps a batch at a time (see ``Trace.dump_chunks``)."""
    if len(trace.steps) <= trace.INDENTED_UP_TO:
        yield trace.dump_bytes(newline=True, digits=digits)
    else:
        yield from trace.dump_chunks(newline=True, digits=digits)
