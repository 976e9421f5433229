"""How a worked solution is written: the choices a reader makes, apart from the numbers.

``Options`` reaches every writer (``render(trace, digits=None, options=None)``) and the
document model.  ``None`` everywhere means the defaults below.

- ``compact``: the delta form lecture notes use (one line per delta, one table of all
  gradients and updates) instead of the full chain rule of every quantity.
- ``view``: ``steps`` (unit by unit, as the tutorial works) or ``matrix`` (W·x + b,
  (Wᵀδ) ⊙ f′(net), δ xᵀ, the updates as matrices); ``None`` means as the problem is
  written (``matrix`` for a problem in the matrix shorthand, else ``steps``).
- ``latex``: ``document`` (a whole document), ``body`` (a fragment to ``\\input``),
  ``beamer`` (slides).  Read only by the LaTeX writer.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Options", "VIEWS", "LATEX_FORMS", "DEFAULT"]

VIEWS = ("steps", "matrix")
LATEX_FORMS = ("document", "body", "beamer")


@dataclass(frozen=True)
class Options:
    compact: bool = False
    view: str | None = None
    latex: str = "document"

    def __post_init__(self) -> None:
        if self.view is not None and self.view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}, not {self.view!r}")
        if self.latex not in LATEX_FORMS:
            raise ValueError(f"latex must be one of {LATEX_FORMS}, not {self.latex!r}")


DEFAULT = Options()
