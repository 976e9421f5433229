"""Every output of a graded class by its name in the output folder, and safe file names.

``marks.csv``, ``summary.html`` and ``reports/NAME.html`` + ``reports/NAME.pdf`` per student,
NAME the student ID made safe as a file name (:func:`file_names`).  Everything is made in memory
(the PDFs compiled :data:`~handprop.exercises.build.WORKERS` at a time) and written by
:func:`handprop.exercises.build.write_files`: into a fresh folder beside the target, renamed into
place at the end, so the folder is written whole or not at all.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor

from ..build import WORKERS, compile_typst
from . import report as reports
from .gradebook import marks_csv
from .grade import Graded
from .summary import html as summary_html, summary

MAX_NAME = 60
"""The longest file name made from a student ID (without its suffix)."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)   # Windows devices


def safe_name(student: str) -> str:
    """A file name made from a student ID: letters (accents dropped), digits, ``.``, ``_``, ``-``;
    anything else ``_``; no leading dot or dash; at most :data:`MAX_NAME` characters (a long one
    ends in a hash of the whole ID); ``student`` when nothing is left."""
    ascii_ = unicodedata.normalize("NFKD", student).encode("ascii", "ignore").decode()
    name = _UNSAFE.sub("_", ascii_).strip("._-") or "student"
    if _RESERVED.match(name):
        name = "_" + name
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        name = name[:MAX_NAME - 9].rstrip("._-") + "-" + digest
    return name


def file_names(students: list[str]) -> list[str]:
    """A safe file name for each student ID, unique even where the file system ignores case
    (a name taken gets ``-2``, ``-3`` …)."""
    taken: set[str] = set()
    out = []
    for s in students:
        base = safe_name(s)
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.casefold())
        out.append(name)
    return out


def files(graded: Graded, pdf: bool = True) -> dict[str, bytes]:
    """Every output file by its path in the output folder."""
    workings = reports.Workings(graded.stored.policy)
    out: dict[str, bytes] = {"marks.csv": marks_csv(graded).encode("utf-8"),
                             "summary.html": summary_html(summary(graded)).encode("utf-8")}
    names = file_names([s.id for s in graded.students])
    sources = {}
    for s, name in zip(graded.students, names):
        r = reports.report(s, graded.contexts[s.variant], workings)
        out[f"reports/{name}.html"] = reports.html(r).encode("utf-8")
        if pdf:
            sources[f"reports/{name}.pdf"] = reports.typst(r)
    if sources:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            compiled = dict(zip(sources, pool.map(compile_typst, sources.values())))
        out.update(compiled)
    return {k: out[k] for k in sorted(out)}
