"""Many steps of gradient descent: steppers behind one interface, and the history they record.

- :mod:`.history`: :func:`train`, the :class:`History` it returns, the choice of engine;
- :mod:`.scalar`: the problem's formulas compiled to straight-line Python (small networks);
- :mod:`.matrix`: numpy, a matrix product per layer (large networks);
- :mod:`.report_text`, :mod:`.report_json`, :mod:`.page`, :mod:`.plot`: a run written out.
"""
from __future__ import annotations

from typing import Any

__all__ = ["History", "check_request", "choose_engine", "stepper", "train"]


def __getattr__(name: str) -> Any:
    """The names of :mod:`.history`, imported when first used: a module of this package
    (``training.step``, needed by ``explain --step``) costs nothing more to import."""
    if name in __all__:
        from . import history
        return getattr(history, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
