"""The worked solution as beamer slides (``handprop explain -f latex --latex beamer``).

A title frame; the network drawn (TikZ) with the network's summary; the given values; one
frame per step, under the section it belongs to (beamer's ``\\section``, so the outline
and the navigation follow the solution), its chain of equalities, its hand value, its
chain-rule factors, its other forms and its note; the forward-pass table after each loss
section; the table of every update; the chain-rule questions; the note on rounding.

Nothing runs off a frame: each chain is set in an ``aligned`` block inside
``\\adjustbox{max width=..., max totalheight=...}`` (a member wider than the frame is
first broken before a top-level ``+``, and what is still too wide or too tall is shrunk to
fit); a step whose parts do not fit one frame by the measure below goes on over a second
frame ("continued"); long tables go on over as many frames as they need, a fixed number of
rows each.
"""
from __future__ import annotations

from .document import Document, StepBlock, Table
from .matrix import step_sections
from .texdoc import FONTS, Writer, chain_lines, code_spans, tabular, tex_text
from .texprose import hand_math

__all__ = ["render_document", "Slides", "PREAMBLE", "FRAME_EMS", "TABLE_ROWS"]

PREAMBLE = r"""\documentclass[11pt,aspectratio=169]{beamer}
""" + FONTS + r"""\usepackage{amsmath,amssymb}
\usepackage{booktabs,array}
\usepackage{tikz}
\usepackage{adjustbox}
\setbeamertemplate{navigation symbols}{}
\setbeamertemplate{frametitle continuation}{}
\setbeamerfont{frametitle}{size=\large}
"""

FRAME_EMS = 36.0        # what a line of a 16:9 frame holds at \small, in ems (about 14 cm)
FRAME_HEIGHT = 6.2      # cm a frame holds below its title
TABLE_ROWS = 11         # rows of a table a frame holds


def _rows_height(rows: list[str]) -> float:
    """The height of chain rows in cm: a row holding a fraction is taller."""
    return sum(1.05 if r"\frac" in r else 0.62 for r in rows)


def _text_height(text: str, chars_per_line: int = 95) -> float:
    return 0.5 * max(1, -(-len(text) // chars_per_line))


def _aligned(parts: list[str], max_height: str = r"0.62\textheight") -> list[str]:
    rows = chain_lines(parts, FRAME_EMS)
    body = [r + (r" \\" if i < len(rows) - 1 else "") for i, r in enumerate(rows)]
    return ([rf"\begin{{center}}\adjustbox{{max width=\linewidth, max totalheight={max_height}}}"
             r"{$\displaystyle\begin{aligned}"] + body + [r"\end{aligned}$}\end{center}"])


class Slides(Writer):
    """The document model as frames."""

    def __init__(self, doc: Document):
        super().__init__(doc, (r"\section", r"\section", r"\subsection*"), FRAME_EMS)

    def frame(self, title: str, body: list[str], subtitle: str = "", options: str = "") -> list[str]:
        opts = f"[{options}]" if options else ""
        head = [rf"\begin{{frame}}{opts}{{{title}}}"]
        if subtitle:
            head.append(rf"\framesubtitle{{{subtitle}}}")
        return head + body + [r"\end{frame}", ""]

    def step_frames(self, section_title: str, b: StepBlock) -> list[str]:
        """The frames of one step: its chain, hand value and note first, then its factors and
        other forms, as many as fit, the rest on "continued" frames, packed by height."""
        doc, tx = self.doc, self.prose
        chain = doc.chain(b.step, "latex")
        first = _aligned(chain)
        height = _rows_height(chain_lines(chain, FRAME_EMS))
        if b.hand is not None:
            first.append(rf"{{\small By hand {hand_math(b.hand.hand_text, True)} \quad exact "
                         rf"{hand_math(b.hand.exact_text)} \quad drift {hand_math(b.hand.drift_text)}\par}}")
            height += 0.5
        pieces: list[tuple[list[str], float]] = []
        if b.terms:
            table = self.terms(b, r"0.45\linewidth", r"\scriptsize")
            if table[0].startswith(r"\begin{center}"):
                table[1:-1] = ([r"\adjustbox{max width=\linewidth, max totalheight=0.8\textheight}{%"]
                               + [x for x in table[1:-1]
                                  if not x.startswith("{\\renewcommand{\\arraystretch}") and x != "}"]
                               + ["}"])
            pieces.append((table, 0.6 + sum(0.72 if r"\frac" in doc.write(t.symbol, "latex") else 0.45
                                            for t in b.terms)))
        for form in b.forms:
            rows = doc.chain(form, "latex")
            pieces.append(([rf"{{\small\emph{{{tx(form.title)}:}}\par}}"] + _aligned(rows, r"0.7\textheight"),
                           0.5 + min(_rows_height(chain_lines(rows, FRAME_EMS)), 0.7 * FRAME_HEIGHT)))
        note = [rf"{{\small {tx(b.note)}\par}}"]
        height += _text_height(b.note)
        while pieces and height + pieces[0][1] <= FRAME_HEIGHT:
            lines, h = pieces.pop(0)
            first += lines
            height += h
        title, subtitle = self.prose(b.title), self.prose(section_title)
        out = self.frame(title, first + note, subtitle)
        while pieces:
            body, height = [], 0.0
            while pieces and (not body or height + pieces[0][1] <= FRAME_HEIGHT):
                lines, h = pieces.pop(0)
                body += lines
                height += h
            out += self.frame(title + " (continued)", body, subtitle)
        return out

    def table_frames(self, t: Table, subtitle: str = "") -> list[str]:
        headers, rows = self.table_rows(t)
        spec = "@{}" + t.aligns + "@{}"
        chunks = [rows[i:i + TABLE_ROWS] for i in range(0, len(rows), TABLE_ROWS)] or [[]]
        out: list[str] = []
        for k, chunk in enumerate(chunks):
            title = self.prose(t.title) + (f" ({k + 1}/{len(chunks)})" if len(chunks) > 1 else "")
            body = [r"\begin{center}\small"] + tabular(spec, headers, chunk) + [r"\end{center}"]
            out += self.frame(title, body, subtitle)
        return out

    def matrix_frames(self) -> list[str]:
        """The matrix view (none in the steps view): a frame per section of it, going on over
        more frames where it is long, each chain kept inside the frame."""
        lines = self.matrix(lambda parts: _aligned(parts, r"0.7\textheight"))
        out: list[str] = []
        title, body = "", []
        for line in lines + [r"\section{"]:
            if line.startswith(r"\section{"):
                if body and any(x.strip() for x in body):
                    out += [rf"\section{{{title}}}", ""] if title else []
                    out += self.frame(title or "Matrix view", [r"\small"] + body, options="allowframebreaks")
                title, body = line[len(r"\section{"):-1], []
            else:
                body.append(line)
        return out

    def given_frame(self) -> list[str]:
        body = [r"\small"]
        for label, items in self.given_rows():
            body.append(rf"\textbf{{{label}:}} {items}\par\smallskip")
        return self.frame("Given", body, options="allowframebreaks")

    def slides(self) -> list[str]:
        doc, tx = self.doc, self.prose
        out = [PREAMBLE + rf"\title{{{tex_text(doc.title)}}}",
               r"\subtitle{Backpropagation, step by step}", r"\date{}", r"\begin{document}", ""]
        out += [r"\begin{frame}", r"\titlepage", r"\end{frame}", ""]
        lead = [r"{\small"]
        if doc.description:
            lead.append(tex_text(doc.description) + r"\\")
        lead += [rf"\textbf{{Network:}} {tx(doc.summary)}\\", rf"\textbf{{Settings:}} {tx(doc.settings)}"]
        if doc.hand_rounding:
            lead[-1] += r"\\"
            lead.append(rf"\textbf{{Hand rounding:}} {tx(doc.hand_rounding)}")
        lead.append(r"\par}")
        for warning in doc.warnings:
            lead.append(rf"{{\small\textbf{{Warning:}} {tx(warning)}\par}}")
        out += self.frame("The network", lead + self.network(14.0, 5.2 - 0.5 * len(doc.warnings)))
        out += self.given_frame()
        out += self.matrix_frames()
        for section in step_sections(doc):
            out += [rf"\section{{{tx(section.title)}}}", ""]
            for b in section.blocks:
                out += self.step_frames(section.title, b)
            if section.table is not None:
                out += self.table_frames(section.table, tx(section.title))
        out += [r"\section{Updates}", ""] if not any(s.key.startswith("update") for s in doc.sections) else []
        out += self.table_frames(doc.updates)
        if doc.state is not None:
            out += self.table_frames(doc.state)
        out += self.frame(tx(doc.questions_title), [r"\small"] + self.questions(), options="allowframebreaks")
        out += self.frame("A note on rounding", [r"\small", code_spans(doc.rounding_note, tx)])
        return out + [r"\end{document}", ""]


def render_document(doc: Document) -> str:
    """The slides of a document model."""
    return "\n".join(Slides(doc).slides())

