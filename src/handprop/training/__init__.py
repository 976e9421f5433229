"""Many steps of gradient descent: steppers behind one interface, and the history they record.

- :mod:`.history`: :func:`train`, the :class:`History` it returns, the choice of engine;
- :mod:`.scalar`: the problem's formulas compiled to straight-line Python (small networks);
- :mod:`.matrix`: numpy, a matrix product per layer (large networks);
- :mod:`.report_text`, :mod:`.report_json`, :mod:`.page`, :mod:`.plot`: a run written out.
"""
from .history import History, check_request, choose_engine, stepper, train

__all__ = ["History", "check_request", "choose_engine", "stepper", "train"]
