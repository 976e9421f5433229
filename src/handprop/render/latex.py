"""The worked solution in LaTeX: a whole document, a fragment to ``\\input``, or slides.

``options.latex`` (:class:`~handprop.render.options.Options`) picks the form:

- ``document`` (the default): a complete article, compiled by pdfLaTeX (the symbols our
  own prose uses are mapped to commands) and by XeLaTeX/LuaLaTeX (any Unicode in a user's
  names).
- ``body``: the same content with no ``\\documentclass``, no preamble and no
  ``\\begin{document}``, to ``\\input`` into a document of one's own (or Overleaf).  A
  comment at its top lists the packages it needs; it defines nothing but three heading
  macros, each with ``\\providecommand`` so a document may define them first:
  ``\\handproptitle`` (``\\section*``), ``\\handpropsection`` (``\\subsection*``),
  ``\\handpropstep`` (``\\paragraph*``, run in: the step's sentence follows it).  It changes no setting of the document
  (table spacing is set inside a group).
- ``beamer``: slides (:mod:`handprop.render.beamer`).

Each step is an ``align*`` chain, ``lhs &= general formula \\\\ &= numbers ... &= value``
(a member too wide for the line breaks before a top-level ``+``), its chain-rule terms in a
table; the forward-pass table and the summary of every update close the sections as in
the tutorial.  The network is drawn with TikZ (:mod:`handprop.render.tikz`).  Our own
sentences set the quantities they name in math (:mod:`handprop.render.texprose`):
``$w_{5}$ multiplies $H_{1}$'s output $0.59327$``.  Every formula parses with KaTeX,
which the tests check.
"""
from __future__ import annotations

from ..trace import Trace
from .beamer import render_document as beamer_document
from .document import Document, document
from .options import DEFAULT
from .texdoc import PACKAGES, PREAMBLE, Writer, align, code_spans, tex_text

__all__ = ["render", "Writer", "tex_text", "code_spans", "PREAMBLE", "PACKAGES", "align",
           "BODY_MACROS", "body_header"]

# the heading macros of the body form
BODY_MACROS = (r"\providecommand{\handproptitle}[1]{\section*{#1}}",
               r"\providecommand{\handpropsection}[1]{\subsection*{#1}}",
               r"\providecommand{\handpropstep}[1]{\paragraph*{#1}}")


def body_header(doc: Document) -> list[str]:
    """The comment at the top of the body form: what to load, what it defines."""
    return [
        f"% handprop: the worked solution of {_comment(doc.title)}, a LaTeX fragment.",
        r"% \input this file into a document of your own (or upload it to Overleaf and \input it).",
        r"% It needs in the preamble:",
        r"%   \usepackage{amsmath,amssymb}",
        r"%   \usepackage{booktabs,longtable,array}",
        r"%   \usepackage{tikz}",
        r"% and, with pdfLaTeX, \usepackage[T1]{fontenc} (\usepackage[utf8]{inputenc} before 2018);",
        r"% \allowdisplaybreaks lets a long chain break across pages.",
        r"% It defines only these headings, with \providecommand, so your document may define",
        r"% them first (e.g. \newcommand{\handpropsection}[1]{\section{#1}} for numbered sections):",
        r"%   \handproptitle{...}    the title              (default \section*)",
        r"%   \handpropsection{...}  a part of the solution (default \subsection*)",
        r"%   \handpropstep{...}     one step, run in       (default \paragraph*)",
    ] + list(BODY_MACROS) + [""]


def _comment(text: str) -> str:
    """A user's title inside a TeX comment: one line, no character that ends or escapes it."""
    return " ".join(text.split()).replace("\\", "/")[:120] or "a network"


def render(trace: Trace, digits: int | None = None, options=None) -> str:
    options = options or DEFAULT
    doc = document(trace, digits, options)
    if options.latex == "beamer":
        return beamer_document(doc)
    if options.latex == "body":
        w = Writer(doc, (r"\handproptitle", r"\handpropsection", r"\handpropstep"))
        out = body_header(doc) + [rf"\handproptitle{{{tex_text(doc.title)}}}", ""] + w.content()
        return "\n".join(out)
    w = Writer(doc, columns=2)
    out = [PREAMBLE + rf"\title{{{tex_text(doc.title)}}}", r"\date{}", r"\begin{document}",
           r"{\centering\LARGE\bfseries " + tex_text(doc.title) + r"\par}\medskip", ""]
    out += w.content() + [r"\end{document}", ""]
    return "\n".join(out)
