"""The marking scheme: how many marks each asked quantity is worth, and what a verdict earns.

- Each asked quantity is worth :data:`DEFAULT` (1) mark unless the scheme says otherwise:
  ``--marks 'w5=2,loss=1'`` or ``--marks FILE`` (a YAML, JSON or TOML mapping).  A key is a
  quantity id (``grad:w5``), a name people write (``dE/dw5``, ``w5_new``, ``E_total``) or a name
  of ``--ask`` (``w5`` is the gradient of w5, ``loss``, ``forward``, ``updates``: every quantity
  of the group); a later key wins over an earlier one.  Marks are decimals from 0 to 1000.
- Credit per step, errors carried forward (:data:`CREDIT`): an answer that is ``correct``,
  ``rounding`` (off only by rounding drift) or ``carried`` (done right from the student's own
  earlier wrong answer) earns the quantity's marks; ``wrong`` and a blank cell earn none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ...checking.claims import Names
from ...errors import HandpropError, UsageError
from ...problem import Problem
from .. import asking

DEFAULT = Decimal(1)
MAX_MARKS = Decimal(1000)
CREDIT = {"correct": Decimal(1), "rounding": Decimal(1), "carried": Decimal(1), "wrong": Decimal(0),
          "blank": Decimal(0)}
"""The share of a quantity's marks each verdict earns (``blank``: not answered)."""
_INLINE = re.compile(r"^\s*(?P<key>[^=,]+?)\s*[=:]\s*(?P<marks>[^=,]+?)\s*$")


@dataclass(frozen=True)
class Scheme:
    marks: dict[str, Decimal]       # asked id -> its marks, in the set's order

    def of(self, qid: str) -> Decimal:
        return self.marks[qid]

    @property
    def total(self) -> Decimal:
        return sum(self.marks.values(), Decimal(0))

    def earned(self, qid: str, verdict: str) -> Decimal:
        return self.marks[qid] * CREDIT[verdict]


def default(ids: tuple[str, ...]) -> Scheme:
    return Scheme({k: DEFAULT for k in ids})


def _entries(spec: str) -> list[tuple[str, object]]:
    """The (key, marks) pairs of ``--marks``: a file's mapping, or ``key=marks,…`` inline."""
    path = Path(spec)
    if path.suffix.lower() in (".yaml", ".yml", ".json", ".toml") or path.is_file():
        from ...problem.reading import decode, decode_guess, format_of, read_text
        try:
            text = read_text(spec, "marks")
            fmt = format_of(spec)
            data = decode(text, fmt, spec) if fmt else decode_guess(text, spec)
        except HandpropError as err:
            raise UsageError(str(err).removeprefix(f"{spec}: "), "--marks", spec) from None
        if not isinstance(data, dict):
            raise UsageError("must be a mapping of quantity → marks (w5: 2)", "--marks", spec)
        return list(data.items())
    out = []
    for piece in spec.split(","):
        if not piece.strip():
            continue
        m = _INLINE.match(piece)
        if not m:
            raise UsageError(f"expected NAME=MARKS, got {piece.strip()!r} (e.g. --marks 'w5=2,loss=1')",
                             "--marks")
        out.append((m["key"], m["marks"]))
    if not out:
        raise UsageError("names no marks: give NAME=MARKS pairs or a file", "--marks")
    return out


def _marks(value: object, key: str, source: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise UsageError(f"{key}: the marks must be a number, not {value!r}", "--marks", source)
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite() or not Decimal(0) <= d <= MAX_MARKS:
        raise UsageError(f"{key}: the marks must be a number from 0 to {MAX_MARKS}, not {value!r}",
                         "--marks", source)
    return d.normalize() if d == d.to_integral() else d


def _ids_of(key: str, problem: Problem, names: Names, ids: tuple[str, ...]) -> list[str]:
    k = key.strip()
    if k in ids:
        return [k]
    try:
        group = [q for q in asking.ids(problem, (k,), set(ids)) if q in ids]
    except UsageError:
        group = []
    if group:
        return group
    found = names.resolve(k)
    if found.qid in ids:
        return [found.qid]
    return []


def parse(spec: str | None, ids: tuple[str, ...], problem: Problem, names: Names) -> Scheme:
    """The scheme of ``--marks`` for a set asking ``ids`` (its first variant's problem and
    names); UsageError, one line, for a key that names no asked quantity or bad marks."""
    if spec is None:
        return default(ids)
    source = spec if Path(spec).is_file() else ""
    marks = dict.fromkeys(ids, DEFAULT)
    for key, value in _entries(spec):
        key = str(key)
        found = _ids_of(key, problem, names, ids)
        if not found:
            raise UsageError(f"{key!r} names none of the asked quantities ({', '.join(ids)})", "--marks", source)
        for q in found:
            marks[q] = _marks(value, key, source)
    return Scheme(marks)


def text(d: Decimal) -> str:
    """Marks as a gradebook takes them: ``2``, ``1.5`` (no exponent, no trailing zeros)."""
    s = format(d.normalize(), "f")
    return s
