"""handprop: backpropagation worked by hand, checked by machine.

>>> from handprop import load, explain
>>> trace = explain(load("notes"))
>>> trace.values["grad:w1"]  # doctest: +ELLIPSIS
0.000447976...
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["load", "parse", "explain", "solve", "Problem", "ProblemError", "Trace",
           "show", "from_torch", "__version__"]


_HOMES = {"load": "problem", "parse": "problem", "Problem": "problem", "ProblemError": "problem",
          "explain": "solve.derive", "solve": "solve.engine", "Trace": "trace",
          "show": "notebook", "from_torch": "interop.torch"}


def __getattr__(name: str) -> Any:  # lazy: `import handprop` stays cheap for the CLI
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'handprop' has no attribute {name!r}")
    module = importlib.import_module(f"handprop.{home}")
    return getattr(module, name)
