"""Reading a class's answers: ``ANSWERS.csv``, one row per student (docs/exercises.md).

The first line is the header.  One column holds the student ID (``id``, ``student``,
``student id``, ``username``, ``email`` …), one the variant code (``variant``, ``code``,
``version``); every other column is an asked quantity, named as people write it or by its id
(``y1``, ``E_total``, ``dE/dw5``, ``∂E/∂w5``, ``w5_new``, ``grad:w5``), matched by the checker's
own names (:class:`handprop.checking.claims.Names`).

- The file is UTF-8 (a byte-order mark is dropped) or UTF-16 with its mark; cells are separated
  by ``,``, ``;`` or a tab, whichever makes a header with an ID and a variant column.
- A blank cell is not answered.  A decimal comma (``0,75``) is read where it reads one way only:
  in a ``;`` or tab file (a spreadsheet of a decimal-comma locale), and elsewhere when it cannot
  be a thousands separator (``0,750`` is 0.75; ``1,250`` reads two ways and is refused).
- Every bad row is kept with its line number and why (an unknown variant code, a cell that is
  not a number, missing cells, no ID, an ID given twice); the others are graded.
- A file that cannot be read at all (missing, binary, not text, no ID or variant column, no
  asked quantity) is a :class:`~handprop.errors.UsageError`: one line, and nothing is graded.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ...checking.claims import Names, number_of
from ...errors import UsageError
from ...quantities import pretty

MAX_BYTES = 20 * 2**20
"""The largest answers file read (a class of thousands is far smaller)."""
MAX_ROWS = 5_000
MAX_COLUMNS = 500
DELIMITERS = (",", ";", "\t")
ID_HEADERS = ("id", "studentid", "student", "studentnumber", "studentno", "sid", "username", "user",
              "login", "email", "emailaddress", "candidate", "candidateno", "matriculationnumber")
VARIANT_HEADERS = ("variant", "variantcode", "code", "version", "sheet")
_DECIMAL_COMMA = re.compile(r"[-+−]?\d+,\d+")
_THOUSANDS = re.compile(r"[-+−]?[1-9]\d{0,2},\d{3}")


@dataclass(frozen=True)
class Cell:
    header: str             # the column's header as written
    text: str               # the number as written in the cell
    value: Decimal


@dataclass(frozen=True)
class Row:
    line: int               # 1-based line of the file where the row starts
    student: str
    variant: str            # the variant code, upper case
    cells: dict[str, Cell]  # asked id -> the answer written; a blank cell is absent


@dataclass(frozen=True)
class BadRow:
    line: int
    student: str            # as written ("" when there is none)
    why: str


@dataclass(frozen=True)
class Answers:
    source: str
    delimiter: str
    columns: dict[str, str]                 # asked id -> the header naming it, in the file's order
    ignored: tuple[tuple[str, str], ...]    # (header, why) of columns that are no asked quantity
    unasked: tuple[str, ...]                # asked ids no column names (nobody answered them)
    rows: tuple[Row, ...]
    bad: tuple[BadRow, ...]


def _key(header: str) -> str:
    return re.sub(r"[\s_.\-]+", "", header).casefold()


def decode(data: bytes, source: str) -> str:
    """The text of an answers file, or one line saying why it is not one."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UsageError("is not readable UTF-16 text", source=source) from None
    if b"\x00" in data:
        raise UsageError("is not a CSV file (it holds binary data): save the answers as CSV", source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UsageError(f"is not UTF-8 text (byte {err.start + 1}): save it as 'CSV UTF-8'",
                         source=source) from None


def read_bytes(path: str) -> bytes:
    p = Path(path)
    if not p.exists():
        raise UsageError("no such file", source=path)
    if p.is_dir():
        raise UsageError("is a folder, not a CSV file of answers", source=path)
    try:
        with p.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as err:
        raise UsageError(f"cannot be read: {err.strerror or err}", source=path) from None
    if len(data) > MAX_BYTES:
        raise UsageError(f"is larger than {MAX_BYTES // 2**20} MiB: not a class's answers", source=path)
    return data


def _header(line: str, delimiter: str) -> list[str]:
    try:
        return [h.strip() for h in next(csv.reader([line], delimiter=delimiter), [])]
    except csv.Error:
        return []


def _find(headers: list[str], wanted: tuple[str, ...]) -> int | None:
    keys = [_key(h) for h in headers]
    for w in wanted:                   # the likeliest name first
        if w in keys:
            return keys.index(w)
    return None


def sniff(first_line: str, source: str) -> tuple[str, int, int]:
    """(the delimiter, the ID column, the variant column) of a header line."""
    found = []
    for d in DELIMITERS:
        headers = _header(first_line, d)
        sid, var = _find(headers, ID_HEADERS), _find(headers, VARIANT_HEADERS)
        if sid is not None and var is not None and sid != var:
            found.append((len(headers), d, sid, var))
    if not found:
        shown = first_line.strip()[:80]
        raise UsageError(f"has no student ID and variant columns in its first line ({shown!r}): the header "
                         "needs e.g. 'id,variant,y1,E_total,dE/dw5', separated by ',' or ';'", source=source)
    _, d, sid, var = max(found)
    return d, sid, var


def number(text: str, delimiter: str) -> Decimal | None:
    """The number in a cell (a decimal comma where it reads one way only), or None."""
    t = text.strip().replace("\u2212", "-")
    if "," in t and "." not in t and _DECIMAL_COMMA.fullmatch(t):
        if delimiter == "," and _THOUSANDS.fullmatch(t):
            return None
        t = t.replace(",", ".")
    return number_of(t)


def _why_not(text: str, delimiter: str) -> str:
    t = text.strip()
    if delimiter == "," and _THOUSANDS.fullmatch(t.replace("\u2212", "-")):
        return f"{t!r} reads two ways (a decimal comma or a thousands separator): write it with a point"
    return f"{t[:40]!r} is not a number"


def parse(text: str, source: str, ids: tuple[str, ...], names: Names, codes: set[str]) -> Answers:
    """The answers in ``text`` for a set asking ``ids`` with variant ``codes``."""
    lines = text.split("\n", 1)
    if not text.strip():
        raise UsageError("is empty: it needs a header line and one row per student", source=source)
    delimiter, sid, var = sniff(lines[0].rstrip("\r"), source)
    try:
        table = list(_records(text, delimiter))
    except csv.Error as err:
        raise UsageError(f"is not a readable CSV file: {err}", source=source) from None
    (_, headers), records = table[0], table[1:]
    headers = [h.strip() for h in headers]
    if len(headers) > MAX_COLUMNS:
        raise UsageError(f"has {len(headers):,} columns; at most {MAX_COLUMNS} are read", source=source)
    if len(records) > MAX_ROWS:
        raise UsageError(f"has {len(records):,} rows; at most {MAX_ROWS:,} students are graded at once",
                         source=source)
    asked = set(ids)
    columns: dict[str, int] = {}
    ignored: list[tuple[str, str]] = []
    for i, h in enumerate(headers):
        if i in (sid, var):
            continue
        if not h:
            ignored.append((f"column {i + 1}", "has no header"))
            continue
        found = names.resolve(h)
        if found.qid is None:
            ignored.append((h, found.reason + (f"; did you mean {', '.join(found.suggestions)}?"
                                               if found.suggestions else "")))
        elif found.qid not in asked:
            ignored.append((h, f"is {pretty(found.qid)} ({found.qid}), which the set does not ask"))
        elif found.qid in columns:
            raise UsageError(f"columns {columns[found.qid] + 1} ({headers[columns[found.qid]]!r}) and {i + 1} "
                             f"({h!r}) both name {found.qid}: keep one", source=source)
        else:
            columns[found.qid] = i
    if not columns:
        raise UsageError(f"names none of the asked quantities in its header (the set asks "
                         f"{', '.join(pretty(k) for k in ids)})", source=source)
    rows: list[Row] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue                                 # a blank line
        student = cells[sid].strip() if sid < len(cells) else ""
        why = _row_problem(cells, headers, sid, var, student, codes, seen)
        if why is None:
            answers, why = _cells(cells, headers, columns, delimiter)
        if why is not None:
            bad.append(BadRow(line, student, why))
            continue
        seen[student] = line
        rows.append(Row(line, student, cells[var].strip().upper(), answers))
    order = sorted(columns, key=columns.get)
    return Answers(source, delimiter, {k: headers[columns[k]] for k in order}, tuple(ignored),
                   tuple(k for k in ids if k not in columns), tuple(rows), tuple(bad))


def _records(text: str, delimiter: str):
    """(the line a record starts on, its cells), for every record of the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


def _row_problem(cells, headers, sid, var, student, codes, seen) -> str | None:
    if len(cells) < len(headers):
        return f"has {len(cells)} cells, the header {len(headers)}: a cell is missing"
    if any(c.strip() for c in cells[len(headers):]):
        return f"has {len(cells)} cells, the header {len(headers)}: a cell too many"
    if not student:
        return "has no student ID"
    if student in seen:
        return f"the student ID is already on line {seen[student]}"
    code = cells[var].strip()
    if not code:
        return "has no variant code"
    if code.upper() not in codes:
        known = sorted(codes)
        return (f"the variant code {code[:20]!r} is not in the set (its codes: {', '.join(known[:8])}"
                f"{', …' if len(known) > 8 else ''})")
    return None


def _cells(cells, headers, columns, delimiter) -> tuple[dict[str, Cell], str | None]:
    out: dict[str, Cell] = {}
    problems = []
    for qid, i in columns.items():
        text = cells[i].strip()
        if not text:
            continue
        value = number(text, delimiter)
        if value is None:
            problems.append(f"{headers[i]}: {_why_not(text, delimiter)}")
            continue
        out[qid] = Cell(headers[i], text, value)
    return out, "; ".join(problems) if problems else None


def read(path: str, ids: tuple[str, ...], names: Names, codes: set[str]) -> Answers:
    """The answers file ``path`` (UsageError, one line, when it cannot be read at all)."""
    return parse(decode(read_bytes(path), path), path, ids, names, codes)
