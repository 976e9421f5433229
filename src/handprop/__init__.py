"""handprop: backpropagation worked by hand, checked by machine.

>>> from handprop import load, explain
>>> trace = explain(load("notes"))
>>> trace.values["grad:w1"]  # doctest: +ELLIPSIS
0.000447976...

The public API is imported lazily, so ``import handprop`` stays cheap for the
command line.  (``handprop.solve`` is the package of the solver; its function is
``handprop.solve.solve``.)  In IPython, a :class:`Trace` displays as its interactive player.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any

__version__ = "0.2.0"

__all__ = ["load", "parse", "explain", "derive", "train", "History", "Problem", "ProblemError",
           "HandpropError", "Trace", "show", "from_torch", "to_torch", "torch_loss", "torch_optimizer",
           "check", "__version__"]

_HOMES = {"load": "problem", "parse": "problem", "Problem": "problem", "ProblemError": "errors",
          "HandpropError": "errors", "derive": "solve",
          "Trace": "trace", "show": "notebook", "from_torch": "interop.torch",
          "to_torch": "interop.torch", "torch_loss": "interop.torch", "torch_optimizer": "interop.torch",
          "History": "training.history", "check": "checking.verdicts"}


def explain(problem: Any, digits: int = 6, step: int = 1):
    """The worked solution of a :class:`Problem` (``load(...)`` or ``parse(...)`` it first) as a
    :class:`Trace`: every value, every step.  ``step`` T explains the T-th update: the
    parameters and the optimizer's state are those after T − 1 steps of training, as
    ``handprop explain --step T``.  Raises :class:`HandpropError` for what it cannot take."""
    from .problem import Problem
    from .solve import explain as run
    if not isinstance(problem, Problem):
        return run(problem, digits=digits)      # it says what to do instead
    from .training.step import at_step          # it checks step; step 1 is the problem itself
    p, at = at_step(problem, step)
    return run(p, digits=digits, at=at)


def train(problem: Any, steps: int, every: int | None = None, **options: Any):
    """``steps`` steps of the problem's own training, recorded every ``every`` steps (about a
    hundred points by default): a :class:`History` with ``losses``, ``parameters`` (by name, at
    each recorded step) and ``outputs``.

    ``problem``: a :class:`Problem`, a path, or a built-in name.  ``options``: ``engine``,
    ``hidden_deltas``, ``progress`` (:func:`handprop.training.history.train`).  Raises
    :class:`ProblemError` for a bad problem or request.
    """
    from .problem import Problem, load
    from .training.history import train as run
    return run(problem if isinstance(problem, Problem) else load(problem), steps, every, **options)


def __getattr__(name: str) -> Any:  # lazy: `import handprop` stays cheap for the CLI
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'handprop' has no attribute {name!r}")
    module = importlib.import_module(f"handprop.{home}")
    return getattr(module, name)


def _register_notebook_view() -> None:
    """In IPython, show a Trace as its player -- registered by name, importing nothing now."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython else None
    formatter = getattr(getattr(shell, "display_formatter", None), "formatters", {}).get("text/html")
    if formatter is not None:
        formatter.for_type_by_name("handprop.trace", "Trace",
                                   lambda trace: importlib.import_module("handprop.notebook").trace_html(trace))


_register_notebook_view()
