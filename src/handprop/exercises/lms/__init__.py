"""A set of exercises into an LMS (docs/exercises.md, "Into the LMS"), one concept per module:

- :mod:`.tolerance`: the tolerance around an answer, from the set's rounding policy;
- :mod:`.questions`: what every export holds (per variant its numbers, drawing and asked
  quantities with answer, exact value and tolerance), from a set just made or on disk;
- :mod:`.html`: the question text, as HTML;
- :mod:`.moodle`: Moodle XML, numerical questions and the Cloze form;
- :mod:`.gift`: GIFT;
- :mod:`.qti`: Canvas's QTI 1.2 zip (and the 1e-4 rule).

lxml is imported only inside the functions that write XML.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .questions import Quiz, from_folder, from_set


@dataclass(frozen=True)
class Export:
    name: str           # as --format takes it
    file: str           # its file in the set's folder
    write: Callable[[Quiz], bytes]
    description: str


def _moodle(quiz: Quiz) -> bytes:
    from .moodle import numerical
    return numerical(quiz)


def _cloze(quiz: Quiz) -> bytes:
    from .moodle import cloze
    return cloze(quiz)


def _gift(quiz: Quiz) -> bytes:
    from .gift import gift
    return gift(quiz)


def _qti(quiz: Quiz) -> bytes:
    from .qti import qti_zip
    return qti_zip(quiz)


EXPORTS = {e.name: e for e in (
    Export("moodle", "moodle.xml", _moodle, "Moodle XML: a numerical question per variant and quantity"),
    Export("moodle-cloze", "moodle-cloze.xml", _cloze, "Moodle XML: one Cloze question per variant"),
    Export("gift", "gift.txt", _gift, "GIFT: a numerical question per variant and quantity"),
    Export("qti", "canvas-qti.zip", _qti, "Canvas QTI 1.2 zip: one quiz per variant"),
)}
"""Every export by its --format name, in the order ``exercise new`` writes them."""


def export_files(quiz: Quiz) -> dict[str, bytes]:
    """Every export of ``quiz`` by its file name in the set's folder."""
    return {e.file: e.write(quiz) for e in EXPORTS.values()}


__all__ = ["EXPORTS", "Export", "Quiz", "export_files", "from_folder", "from_set"]
