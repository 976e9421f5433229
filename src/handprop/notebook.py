"""The player in Jupyter: ``handprop.show(problem)``.

Each player is a whole page isolated in an ``<iframe srcdoc>`` (see
:func:`handprop.render.page.html.iframe`), so two players in one notebook never share
ids, styles, keys or state.  A :class:`~handprop.trace.Trace` shows itself the
same way: importing handprop registers its HTML view with IPython, when IPython
is running, without importing IPython otherwise.

>>> import handprop
>>> player = handprop.show("notes", display=False)
>>> player._repr_html_().startswith("<iframe srcdoc=")
True
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import UsageError
from .problem import Problem
from .trace import Trace


class Player:
    """A trace's interactive page, shown inline by Jupyter (``_repr_html_``)."""

    def __init__(self, trace: Trace, digits: int | None = None, extras: dict[str, Any] | None = None,
                 height: int = 780):
        self.trace = trace
        self.digits = digits
        self.extras = extras
        self.height = height

    def page(self) -> str:
        """The self-contained HTML page (what ``--format html`` writes)."""
        from .render.page.html import render
        return render(self.trace, self.digits, self.extras)

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` and return it."""
        path = Path(path)
        path.write_text(self.page(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        from .render.page.html import notebook_html
        return notebook_html(self.trace, self.digits, self.extras, self.height)

    def __repr__(self) -> str:
        title = self.trace.problem.get("title") or self.trace.name or "handprop"
        return f"<handprop player: {title}, {len(self.trace.steps)} steps>"


def _trace(obj: Any, digits: int) -> Trace:
    if isinstance(obj, Trace):
        return obj
    from .solve import explain
    if isinstance(obj, Problem):
        return explain(obj, digits=digits)
    if isinstance(obj, (str, Path)):
        from .problem import load
        return explain(load(str(obj)), digits=digits)
    if isinstance(obj, dict):
        from .problem import parse
        return explain(parse(obj, source="<dict>"), digits=digits)
    raise UsageError(f"show() takes a problem, a trace, a built-in name, a path or a dict, "
                     f"not {type(obj).__name__}")


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def show(problem_or_trace: Any = "notes", digits: int = 6, extras: dict[str, Any] | None = None,
         height: int = 780, display: bool | None = None) -> Player | None:
    """The interactive player of a problem (or trace, built-in name, path, dict).

    In a Jupyter kernel it is displayed at once and ``None`` is returned (so it does
    not show twice); elsewhere, or with ``display=False``, the :class:`Player` is
    returned: it renders itself in a notebook and can :meth:`Player.save` its page.
    """
    player = Player(_trace(problem_or_trace, digits), digits, extras, height)
    if display is None:
        display = _in_notebook()
    if display:
        from IPython.display import display as ipy_display
        ipy_display(player)
        return None
    return player


def trace_html(trace: Trace) -> str:
    """A trace's view in a notebook: its player (registered by ``import handprop``)."""
    from .render.page.html import notebook_html
    return notebook_html(trace)
