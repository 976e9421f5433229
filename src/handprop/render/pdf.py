"""The worked solution as PDF: the Typst document compiled in-process (``typst`` from PyPI).

No TeX and no network: the ``typst`` package carries the compiler and its fonts.
System fonts are ignored and the document has no date, so the same trace gives
the same bytes on every machine.
"""
from __future__ import annotations

from ..errors import MissingDependency, UsageError
from ..trace import Trace
from . import typst as typst_writer


def compile_typst(source: str) -> bytes:
    """Typst source compiled to PDF bytes."""
    try:
        import typst
    except ImportError:
        raise MissingDependency("PDF output needs the typst package (pip install typst)",
                                "--format pdf") from None
    try:
        return typst.compile(source.encode("utf-8"), format="pdf", ignore_system_fonts=True)
    except typst.TypstError as err:   # our own source: a bug, but say it in one line
        raise UsageError(f"the Typst compiler refused the document: {' '.join(str(err).split())[:200]}",
                         "--format pdf") from None


def render(trace: Trace, digits: int | None = None, options=None) -> bytes:
    """The worked solution of ``trace`` as a PDF document."""
    return compile_typst(typst_writer.render(trace, digits, options))
