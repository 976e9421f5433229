"""Text from a user, made safe to show: nothing in it can act on a terminal or a document.

A title, a description, a claims file's headings, a file name -- any text a user wrote --
may hold characters that do something instead of showing something: terminal escapes (ESC,
CSI, BEL, the C1 controls), bidirectional overrides that reorder what a reader sees
(U+202E ...), line and paragraph separators, lone surrogates (which no UTF-8 output can
hold).  Each is written as its Python escape (``\\x1b``, ``\\u202e``, ``\\ud800``), so it is
seen, never obeyed.  Names are stricter: the problem reader refuses such characters in
them (:func:`hidden_in` says which one).
"""
from __future__ import annotations

import unicodedata

__all__ = ["visible", "one_line", "title_text", "hidden_in", "is_hidden"]

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KEPT_FORMAT = frozenset("\u200c\u200d")    # joiners: part of how some scripts and emoji are written


def is_hidden(ch: str) -> bool:
    """Whether ``ch`` acts instead of showing: a control (C0, DEL, C1), a bidirectional
    control, a line or paragraph separator, a lone surrogate, another invisible format
    character (the zero-width joiners excepted)."""
    if ch.isprintable():
        return False
    category = unicodedata.category(ch)
    if category in ("Zs",):                  # a no-break or other space: shown as a space
        return False
    if category == "Cf":
        return ch not in _KEPT_FORMAT
    return True                              # Cc, Cs, Co, Cn, Zl, Zp


def _escape(ch: str) -> str:
    """A hidden character as Python writes it in a string: ``\\n``, ``\\x1b``, ``\\u202e``."""
    return repr(ch)[1:-1]


def visible(text: str, newlines: bool = True) -> str:
    """``text`` with every hidden character escaped (``newlines``: keep line breaks, which
    become ``\\n`` alone; else they are escaped too).  Tabs become spaces."""
    if text.isprintable():
        return text
    out = []
    for ch in text.replace("\r\n", "\n"):
        if ch == "\t":
            out.append(" ")
        elif ch == "\n" and newlines:
            out.append(ch)
        elif is_hidden(ch):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: str) -> str:
    """``text`` on one line, every hidden character (a line break too) escaped: an error
    message, a table cell."""
    return visible(text, newlines=False)


def title_text(text: str) -> str:
    """A title: one line, its line breaks and runs of white space made single spaces, every
    other hidden character escaped."""
    return visible(" ".join(text.split()), newlines=False)


def hidden_in(text: str) -> str | None:
    """The first hidden character of ``text``, described (``U+202E RIGHT-TO-LEFT OVERRIDE``),
    or None."""
    for ch in text:
        if is_hidden(ch) or ch in "\t\n\r":
            name = unicodedata.name(ch, "a control character" if ord(ch) < 0xA0 else
                                    "a lone surrogate" if 0xD800 <= ord(ch) < 0xE000 else "unnamed")
            return f"U+{ord(ch):04X} ({name})"
    return None
