"""How many columns a text takes on a terminal, as rich measures it (``rich.cells.cell_len``:
East Asian wide characters two, combining marks and joiners none), at the cost of one set
lookup a text when every character is one column wide.

The characters known to take one column are learned from rich as texts are measured, so the
answer is rich's by construction; a text with a character not yet known, or with U+200D or
U+FE0F (which change the width of what they join, and are never learned), is measured by rich.
The matrix view and the text writer measure hundreds of thousands of lines of numbers a page.
"""
from __future__ import annotations

_ONE = set(map(chr, range(0x20, 0x7F)))
"""Characters rich counts as one column (the printable ASCII ones to start with)."""

JOINERS = frozenset({"\u200d", "\ufe0f"})
"""Zero width joiner and variation selector 16: they change the width of what they join."""


def cells(text: str) -> int:
    """Columns ``text`` takes on a terminal."""
    if _ONE.issuperset(text):
        return len(text)
    return _measured(text)


def _measured(text: str) -> int:
    from rich.cells import cell_len, get_character_cell_size
    if len(_ONE) < 65_536:
        _ONE.update(ch for ch in set(text) - JOINERS if get_character_cell_size(ch) == 1)
    return cell_len(text)


def narrow(text: str) -> bool:
    """Whether every character of ``text`` takes one column (its width is its length)."""
    if _ONE.issuperset(text):
        return True
    _measured(text)
    return _ONE.issuperset(text)
