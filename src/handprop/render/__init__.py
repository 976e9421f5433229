"""Renderers: pure functions of a Trace.

Each module exposes ``render(trace, digits=...) -> str``.  They know nothing
about calculus: every formula and number they print comes from the trace.
"""
from __future__ import annotations

import importlib
from typing import Callable

FORMATS = ("text", "markdown", "latex", "json", "python", "html")
_MODULES = {"html": "handprop.render.page.html"}


def renderer(fmt: str) -> Callable[..., str]:
    """The ``render`` function of format ``fmt`` (imported on demand)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    return importlib.import_module(_MODULES.get(fmt, f"handprop.render.{fmt}")).render


def render_output(fmt: str, trace, digits: int | None = None) -> str | bytes:
    """What ``explain --format fmt`` writes: a renderer's ``render_bytes`` when it has one
    (large outputs skip a decode and re-encode), else its ``render``."""
    module = importlib.import_module(renderer(fmt).__module__)
    fast = getattr(module, "render_bytes", None)
    return fast(trace, digits=digits) if fast else module.render(trace, digits=digits)
