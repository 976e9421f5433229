"""``marks.csv``: one row per graded student, ready for an LMS gradebook import.

Columns: ``student_id``, ``variant``, ``total``, then one per asked quantity (headed by its id,
in the set's order) with the marks it earned.  UTF-8 without a byte-order mark, ``,`` between
cells, ``\\r\\n`` line ends (RFC 4180), marks as plain decimals (``2``, ``1.5``).  The rows are
in the order of the answers file; rows that could not be graded are not in it (the command and
the summary list them), so an import leaves their grades untouched.  A cell that a spreadsheet
would run as a formula (an ID starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is written after a ``'``, as OWASP advises against CSV injection.
"""
from __future__ import annotations

import csv
import io

from .grade import Graded
from .marks import text as marks_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("student_id", "variant", "total")


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it without running it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def marks_csv(graded: Graded) -> str:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADER + graded.ids)
    for s in graded.students:
        w.writerow([safe_cell(s.id), s.variant, marks_text(s.total)] + [marks_text(a.marks) for a in s.answers])
    return out.getvalue()
