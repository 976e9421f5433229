"""GIFT (Moodle: Question bank → Import → "GIFT format"): one numerical question per variant
and asked quantity,

    ::CODE 1\\: ∂E/∂w5::[html]<div>…</div>{#0.7514:0.00005}

each on one line, a blank line between questions, after a ``$CATEGORY:`` line.  In the name
and the text every character GIFT reads as syntax (``~ = # { } :``) and the backslash are
escaped with a backslash, as Moodle's GIFT importer reads them back.  GIFT has no files: the
drawing is in the text as a ``data:image/svg+xml;base64`` image.
"""
from __future__ import annotations

import base64

from .html import question
from .moodle import category_path
from .questions import Quiz
from .tolerance import number

SPECIAL = "\\~=#{}:"
"""Characters GIFT reads as syntax; the backslash first, so that escapes are not escaped twice."""


def escape(text: str) -> str:
    """``text`` as GIFT reads it back literally; a line break becomes ``\\n``."""
    for ch in SPECIAL:
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def gift(quiz: Quiz) -> bytes:
    """``gift.txt``."""
    out = [f"// handprop: {len(quiz.items)} variants. Moodle: Question bank → Import → GIFT format.",
           f"// {quiz.policy.text}", "", f"$CATEGORY: {category_path(quiz)}", ""]
    for item in quiz.items:
        image = data_uri(item.drawing)
        for n, a in enumerate(item.asked, start=1):
            name = f"{item.code} {n}: {a.label}"
            text = question(item, a, image, quiz.policy)
            out += [f"::{escape(name)}::[html]{escape(text)}{{#{number(a.answer)}:{number(a.tolerance)}}}", ""]
    return "\n".join(out).encode("utf-8")
