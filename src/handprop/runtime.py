"""How the package treats the interpreter while it builds a large result.

A trace, its JSON and its page are hundreds of thousands of small objects that never form
cycles.  Python's cyclic garbage collector, run every few hundred allocations, walks all of
them again and again -- for the 784-16-16-10 page that is half the time spent.
:func:`paused_gc` turns it off while such a structure is built and restores it after (it
counts, over every thread: nested pauses restore only at the outermost).  Reference counting still frees
everything, so memory is unchanged.

A server process (``handprop serve``) runs :func:`serving_gc` for its whole life.  A request
allocates tens of thousands of objects that live until its answer is written, in no cycle
(``expr/printers.py``: a printer holds no bound method of itself), so reference counting frees
them all.  With the collector's defaults a collection ran every 700 allocations, each moving
the live objects of the request in progress to an older generation, so that every few hundred
requests a full collection walked every object of the process (~90 ms on this machine: the p99
of ``benchmarks/bench_server.py``).  :func:`serving_gc` moves the objects there are (the
imported modules, the warm caches) out of the collector's sight (:func:`gc.freeze`) and lets
the young generation grow to 5,000 objects; it puts both back after (nested, as tests start
and stop applications, at the outermost).
"""
from __future__ import annotations

import contextlib
import gc
import threading
from typing import Iterator

__all__ = ["paused_gc", "serving_gc", "SERVING_THRESHOLD"]

SERVING_THRESHOLD = (5000, 20, 100)
"""The collector's thresholds while a server runs (Python's defaults: 700, 10, 10)."""

_serving: list[tuple[int, int, int]] = []
"""The thresholds before each :func:`serving_gc` not yet ended."""

_depth = 0
_was_on = False
_lock = threading.Lock()
"""The pauses' count is the process's, and the server's worker threads pause at once: without
the lock, a second thread could read the collector off (the first one's pause) as the state
to restore, and leave it off for good."""


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Collection paused inside the block (if it was on when the outermost pause began),
    restored when the outermost pause ends -- the outermost of all threads' pauses."""
    global _depth, _was_on
    counted = False
    try:        # counted before the collector is touched, so that an exception raised in this
        with _lock:     # thread from outside (a request out of time: server/app.py) undoes it
            _depth += 1
            counted = True
            if _depth == 1:
                _was_on = gc.isenabled()
                if _was_on:
                    gc.disable()
        yield
    finally:
        if counted:
            with _lock:
                _depth -= 1
                if _depth == 0 and _was_on:
                    gc.enable()


@contextlib.contextmanager
def serving_gc() -> Iterator[None]:
    """The collector tuned for a server inside the block (see the module's doc)."""
    gc.collect()
    if not _serving:
        gc.freeze()
    _serving.append(gc.get_threshold())
    gc.set_threshold(*SERVING_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*_serving.pop())
        if not _serving:
            gc.unfreeze()
