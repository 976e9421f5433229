"""What a server process does once, when it starts and when it stops (the application's
lifespan, ``app.py``): work one problem so that the first request finds everything imported
and compiled, then tune Python's cyclic garbage collector for a server's traffic.

A request allocates tens of thousands of objects that live until its answer is written, and
no cycles (``expr/printers.py`` holds no bound methods): reference counting frees them all.
With the collector's defaults a collection ran every 700 allocations, each moving the live
objects of the request in progress to an older generation, so that every few hundred requests
a full collection walked every object of the process (~90 ms on this machine: the p99 of
``benchmarks/bench_server.py``).  :func:`start` moves the objects of the imported modules and
the warm caches out of the collector's sight (:func:`gc.freeze`) and lets a young generation
grow to 5,000 objects; :func:`stop` puts both back (tests start and stop applications).
"""
from __future__ import annotations

import gc
import logging

THRESHOLD = (5000, 20, 100)
"""The collector's thresholds while the server runs (Python's defaults: 700, 10, 10)."""

_saved: list[tuple[int, int, int]] = []
"""The thresholds before each :func:`start` not yet stopped (applications nest in tests)."""
_warm: list[bool] = []

log = logging.getLogger("handprop.server")


def warm() -> None:
    """Explain the built-in ``notes`` problem, once a process (imports, compiled formulas,
    caches).  A failure is logged, never fatal: the first request does the same work."""
    if _warm:
        return
    _warm.append(True)
    try:
        from ..problem import load
        from ..render.page.payload import payload
        from ..solve import explain
        payload(explain(load("notes"), digits=6), 6)
    except Exception:           # noqa: BLE001  (a server that starts beats one that is warm)
        log.exception("handprop server: warming up failed (the server runs, its first request is slower)")


def start() -> None:
    warm()
    gc.collect()
    if not _saved:
        gc.freeze()
    _saved.append(gc.get_threshold())
    gc.set_threshold(*THRESHOLD)


def stop() -> None:
    if not _saved:
        return
    gc.set_threshold(*_saved.pop())
    if not _saved:              # the last application of the process stopped
        gc.unfreeze()
