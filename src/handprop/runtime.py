"""How the package treats the interpreter while it builds a large result.

A trace, its JSON and its page are hundreds of thousands of small objects that never form
cycles.  Python's cyclic garbage collector, run every few hundred allocations, walks all of
them again and again -- for the 784-16-16-10 page that is half the time spent.
:func:`paused_gc` turns it off while such a structure is built and restores it after (it
counts: nested pauses restore only at the outermost).  Reference counting still frees
everything, so memory is unchanged.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator

__all__ = ["paused_gc"]

_depth = 0
_was_on = False


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Collection paused inside the block (if it was on when the outermost pause began),
    restored when the outermost pause ends."""
    global _depth, _was_on
    if _depth == 0:
        _was_on = gc.isenabled()
        if _was_on:
            gc.disable()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _was_on:
            gc.enable()
