"""Solving a problem: the system of formulas, its exact numbers, the derivation, replay and
hand rounding.

- :mod:`.equations`: every quantity's defining formula, in order (the one definition);
- :mod:`.engine`: those formulas evaluated in float64;
- :mod:`.derive`: the same formulas written as steps, with words;
- :mod:`.replay`: the formulas evaluated again, pinned or changed (checking, mistakes);
- :mod:`.rounding`: the formulas evaluated as a person does, rounding every intermediate.
"""
from .derive import Derivation, derive, explain
from .engine import NumericError, Solution, solve, total_loss
from .equations import System, system

__all__ = ["Derivation", "derive", "explain", "NumericError", "Solution", "solve", "total_loss",
           "System", "system"]
