"""The question text every export shows, as HTML: the variant's title and code, its network
and settings, the drawing with its given numbers, the given values, the rounding policy and
the tolerance rule; then what to compute.

Built as elements with lxml and serialised, so every piece of text (a title, a unit's name)
is escaped text, never markup.  ``image`` is the drawing's ``src`` as the LMS wants it
(Moodle: ``@@PLUGINFILE@@/network.svg``; Canvas: a file in the zip; GIFT: a ``data:`` URI).
"""
from __future__ import annotations

import re

from ..policy import Policy
from .questions import Asked, Item
from .tolerance import rule

DRAWING_WIDTH = 640
"""The widest the drawing is shown, in CSS pixels (a wider one is scaled down, in proportion)."""


def _sub(parent, tag: str, text: str | None = None, **attrs: str):
    """A new element ``tag`` holding ``text``, appended to ``parent`` (None: a new root)."""
    from lxml import etree
    e = etree.Element(tag, {k.rstrip("_"): v for k, v in attrs.items()})
    e.text = text
    if parent is not None:
        parent.append(e)
    return e


def _labelled(parent, label: str, text: str) -> None:
    _sub(parent, "b", label).tail = " " + text


def body(item: Item, image: str, policy: Policy):
    """The part shared by every question of a variant (an lxml ``div``, to append to)."""
    s = item.sheet
    div = _sub(None, "div", class_="handprop-exercise")
    _sub(_sub(div, "p"), "b", item.title).tail = "" if item.code in item.title else f" — variant {item.code}"
    p = _sub(div, "p")
    _labelled(p, "Network:", s.summary)
    _sub(p, "br")
    _labelled(p, "Settings:", s.settings)
    size = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', item.drawing)
    dims = {}
    if size and float(size.group(1)):
        w, h = float(size.group(1)), float(size.group(2))
        shown = min(w, DRAWING_WIDTH)
        dims = {"width": f"{shown:.0f}", "height": f"{h * shown / w:.0f}"}
    _sub(_sub(div, "p"), "img", src=image, alt=f"The network of variant {item.code} with its given numbers",
         **dims)
    table = _sub(div, "table", border="1", cellpadding="4", style="border-collapse:collapse")
    for label, values in s.given:
        tr = _sub(table, "tr")
        _sub(tr, "th", label, style="text-align:left")
        _sub(tr, "td", ", ".join(values))
    _labelled(_sub(div, "p"), "Rounding:", policy.text)
    _sub(div, "p", rule(policy))
    return div


def ask_sentence(a: Asked, scale: int = 0) -> str:
    """What a question asks: ``Compute ∂E/∂w5, the gradient of w5.``; ``scale``: the answer is
    asked multiplied by 10**scale (:mod:`.qti`)."""
    if not scale:
        return f"Compute {a.label}, {a.words}."
    return (f"Compute {a.label}, {a.words}, and give it multiplied by {10 ** scale:,}: round it as the "
            f"policy says, then multiply by {10 ** scale:,}.")


def serialise(element) -> str:
    """An element as HTML text on one line."""
    from lxml import etree
    return etree.tostring(element, method="html", encoding="unicode").replace("\n", " ")


def question(item: Item, a: Asked, image: str, policy: Policy, scale: int = 0) -> str:
    """The whole text of a question asking one quantity."""
    div = body(item, image, policy)
    _sub(div, "p", ask_sentence(a, scale), style="font-weight:bold")
    return serialise(div)
