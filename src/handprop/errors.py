"""Every error handprop reports, in one place: one line, and the exit status it carries.

A :class:`HandpropError` is something the user can mend: a bad problem file, a
bad claims file, a bad option, numbers that overflow, a missing optional
dependency.  It prints as one line, ``source: field: message`` (the parts that
are known), never a traceback; the command line prints it after ``handprop:``
and exits with its :attr:`~HandpropError.exit_status`.

=====================  ===========  =============================================
class                  exit status  what it means
=====================  ===========  =============================================
:class:`ProblemError`  2            a problem file (or problem data) that cannot be used
:class:`ClaimsError`   2            a claims file that cannot be read
:class:`UsageError`    2            a bad option, output path or API argument
:class:`NumericError`  2            the problem's numbers overflow float64 when computed
:class:`MissingDependency`  3       an optional package (torch, matplotlib, KaTeX, typst) is absent
=====================  ===========  =============================================

Nothing here imports anything of handprop but how text is made visible (:mod:`handprop.visible`): every module may raise these.
"""
from __future__ import annotations

from .visible import one_line

__all__ = ["HandpropError", "ProblemError", "ClaimsError", "UsageError", "NumericError",
           "MissingDependency", "one_line"]


class HandpropError(Exception):
    """A mistake the user can mend: ``source: field: message`` on one line."""

    exit_status = 2

    def __init__(self, message: str, field: str = "", source: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field
        self.source = source

    def located(self, source: str) -> "HandpropError":
        """This error, naming ``source`` unless it names one already (returns itself)."""
        if not self.source:
            self.source = source
        return self

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.field) if p]
        return one_line(": ".join(parts + [self.message]))


class ProblemError(HandpropError, ValueError):
    """A problem file, or problem data, that cannot be used."""


class ClaimsError(HandpropError, ValueError):
    """A claims file that cannot be read: ``file: line N: what is wrong``."""


class UsageError(HandpropError, ValueError):
    """A bad command-line option, output target or argument of the Python API."""


class NumericError(HandpropError, ArithmeticError):
    """A value overflowed or became NaN: the problem's numbers are too large to compute."""


class MissingDependency(HandpropError, ImportError):
    """An optional dependency is needed and not installed; the message says how to install it."""

    exit_status = 3
