"""Moodle XML (Question bank → Import → "Moodle XML format"), in two forms:

- :func:`numerical`: one ``numerical`` question per variant and asked quantity, named
  ``CODE n: ∂E/∂w5``, with one ``<answer fraction="100">`` (the key's answer), its
  ``<tolerance>`` (absolute, :mod:`.tolerance`) and no units;
- :func:`cloze`: one ``cloze`` (embedded answers) question per variant, named ``CODE``, with
  an answer field ``{1:NUMERICAL:=0.7514:0.00005}`` per asked quantity -- so that a quiz's
  "random question from the category" gives each student one whole variant.

Both start with a ``category`` question, ``$course$/top/handprop/SET NAME/by quantity`` or
``…/by variant (Cloze)`` (apart, so that a random question from the Cloze one is always a whole
variant), its description the rounding policy.  The question text is HTML (:mod:`.html`) with the drawing as a file of
the question (``<file name="network.svg" encoding="base64">``, shown through
``@@PLUGINFILE@@/network.svg``).  Written with lxml: every text is escaped.
"""
from __future__ import annotations

import base64

from .html import ask_sentence, body, serialise, _sub
from .questions import Item, Quiz
from .tolerance import number, rule

IMAGE = "network.svg"
PENALTY = "0.3333333"
"""Moodle's default penalty for each wrong try (interactive behaviour)."""


BY_QUANTITY = "by quantity"
"""The subcategory of the numerical questions (moodle.xml, gift.txt)."""
BY_VARIANT = "by variant (Cloze)"
"""The subcategory of the Cloze questions: a quiz's random question from it is one whole variant."""


def category_path(quiz: Quiz, sub: str = BY_QUANTITY) -> str:
    """The category as Moodle's importer reads it, ``$course$/top/handprop/SET/SUB`` (a ``/`` in
    a name is written ``//``)."""
    return f"$course$/top/handprop/{quiz.name.replace('/', '//')}/{sub.replace('/', '//')}"


def _text(parent, tag: str, text: str, fmt: str | None = "html"):
    """``<tag format="html"><text>text</text></tag>`` (``fmt`` None: no format attribute)."""
    from lxml import etree
    e = etree.SubElement(parent, tag, {"format": fmt} if fmt else {})
    etree.SubElement(e, "text").text = text
    return e


def _root(quiz: Quiz, sub: str):
    from lxml import etree
    root = etree.Element("quiz")
    root.append(etree.Comment(f" handprop: {len(quiz.items)} variants; Moodle: Question bank → Import → "
                              "Moodle XML format "))
    cat = etree.SubElement(root, "question", type="category")
    _text(cat, "category", category_path(quiz, sub), fmt=None)
    _text(cat, "info", f"{quiz.policy.text} {rule(quiz.policy)}")
    etree.SubElement(cat, "idnumber")
    return root


def _question(root, qtype: str, name: str, html: str, item: Item):
    """The parts every question has: name, question text (HTML, in CDATA as Moodle writes it)
    with the drawing as its file, general feedback."""
    from lxml import etree
    q = etree.SubElement(root, "question", type=qtype)
    _text(q, "name", name, fmt=None)
    text = _text(q, "questiontext", "")
    text[0].text = etree.CDATA(html) if "]]>" not in html else html
    f = etree.SubElement(text, "file", name=IMAGE, path="/", encoding="base64")
    f.text = base64.b64encode(item.drawing.encode("utf-8")).decode("ascii")
    _text(q, "generalfeedback", "")
    return q


def _bytes(root) -> bytes:
    from lxml import etree
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def numerical(quiz: Quiz) -> bytes:
    """``moodle.xml``: a numerical question per variant and asked quantity."""
    from lxml import etree
    root = _root(quiz, BY_QUANTITY)
    for item in quiz.items:
        for n, a in enumerate(item.asked, start=1):
            div = body(item, f"@@PLUGINFILE@@/{IMAGE}", quiz.policy)
            _sub(div, "p", ask_sentence(a), style="font-weight:bold")
            q = _question(root, "numerical", f"{item.code} {n}: {a.label}", serialise(div), item)
            etree.SubElement(q, "defaultgrade").text = "1.0000000"
            etree.SubElement(q, "penalty").text = PENALTY
            etree.SubElement(q, "hidden").text = "0"
            etree.SubElement(q, "idnumber").text = f"{item.code}-{a.id}"
            ans = etree.SubElement(q, "answer", fraction="100", format="moodle_auto_format")
            etree.SubElement(ans, "text").text = number(a.answer)
            _text(ans, "feedback", "")
            etree.SubElement(ans, "tolerance").text = number(a.tolerance)
            etree.SubElement(q, "units")
            etree.SubElement(q, "unitgradingtype").text = "0"
            etree.SubElement(q, "unitpenalty").text = "0.1000000"
            etree.SubElement(q, "showunits").text = "3"
            etree.SubElement(q, "unitsleft").text = "0"
    return _bytes(root)


def cloze_field(answer: str, tolerance: str) -> str:
    """One embedded numerical answer: ``{1:NUMERICAL:=0.7514:0.00005}`` (mark 1)."""
    return f"{{1:NUMERICAL:={answer}:{tolerance}}}"


FIELD = "<!--handprop-field-->"
"""Stands for an answer field while the HTML is serialised: a comment, which no text can be."""


def cloze(quiz: Quiz) -> bytes:
    """``moodle-cloze.xml``: one Cloze question per variant, a numerical field per quantity.

    Braces in the text (a title with ``{1:NUMERICAL:=1}`` in it) are written as character
    references, so that Moodle's Cloze parser finds only our fields."""
    from lxml import etree
    root = _root(quiz, BY_VARIANT)
    for item in quiz.items:
        div = body(item, f"@@PLUGINFILE@@/{IMAGE}", quiz.policy)
        _sub(div, "p", "Compute each quantity below and write it in its field.", style="font-weight:bold")
        table = _sub(div, "table", border="1", cellpadding="4", style="border-collapse:collapse")
        tr = _sub(table, "tr")
        for head in ("#", "quantity", "what it is", "your answer"):
            _sub(tr, "th", head, style="text-align:left")
        for n, a in enumerate(item.asked, start=1):
            tr = _sub(table, "tr")
            for cell in (str(n), a.label, a.words):
                _sub(tr, "td", cell)
            _sub(tr, "td").append(etree.Comment(FIELD[4:-3]))
        html = serialise(div).replace("{", "&#123;").replace("}", "&#125;")
        for a in item.asked:
            html = html.replace(FIELD, cloze_field(number(a.answer), number(a.tolerance)), 1)
        q = _question(root, "cloze", f"{item.code}: {item.title}", html, item)
        etree.SubElement(q, "penalty").text = PENALTY
        etree.SubElement(q, "hidden").text = "0"
        etree.SubElement(q, "idnumber").text = item.code
    return _bytes(root)
