"""Grade the corpus: run ``check`` on every entry and compare with its ``expected.yaml``.

Used by ``tests/test_corpus.py`` and ``benchmarks/corpus_report.py``. An entry is a folder
``tests/corpus/NAME/`` with ``problem.yaml``, ``claims.txt`` (its ``problem:`` line names the
problem file), ``expected.yaml`` and ``reference.py``.

How a diagnosis is matched to the expected mistake (``names_mistake``): the expected
``mistake`` is one name or a list of names (a combination). A name that is a family of
``handprop.checking.mistakes.FAMILIES`` is named when it is among the families of the
verdict's best hit (``Verdict.hits[0].families``); a name for a mistake the catalogue has no
family for is named when the diagnosis says so in words (``KEYWORDS``): ``arithmetic_slip``
by "slip in the arithmetic", ``decimal_slip`` also by "decimal slip"; ``unexplained`` (numbers
that follow from no computation on the source's own numbers, e.g. made up) by the checker's
fallback "no mistake of the catalogue", or by "too few digits to tell" (nothing named
either), which are the honest answers there. A name written before
the catalogue had a family for it is read as that family (``FAMILY_OF``:
``dropped_path_weights`` is ``weights_left_out``); a name with no family and no words
(``convention``, ...) is never named.
Every name of a combination must be named.

A *false diagnosis* is a ``wrong`` verdict whose diagnosis names a mistake that was not made:
on a claim not expected wrong, any mistake it names; on a claim expected wrong, a mistake
outside the expected ones (naming only some of a combination is incomplete, not false). What
a diagnosis names (``named``): the families of its best hit, plus ``arithmetic_slip`` and
``decimal_slip`` by their words. "No mistake of the catalogue ... : a slip in the arithmetic of
this step" (the checker's fallback) and "too few digits to tell" name nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from handprop.checking.claims import read
from handprop.checking.verdicts import check_file

CORPUS = Path(__file__).resolve().parent
KEYWORDS = {
    "arithmetic_slip": ("slip in the arithmetic",),
    "decimal_slip": ("decimal slip",),
}
# names written in expected.yaml before the catalogue had a family for them -> that family
FAMILY_OF = {"dropped_path_weights": "weights_left_out", "divide_by_weight": "divided",
             "wrong_learning_rate": "learning_rate", "transcription_slip": "transcription"}
FALLBACK = "no mistake of the catalogue"
TOO_FEW = "too few digits to tell"       # names no mistake either: a number nothing explains


def entries() -> list[Path]:
    return sorted(p.parent for p in CORPUS.glob("*/expected.yaml"))


@dataclass
class Row:
    entry: str
    line: int
    name: str
    value: str
    expected: str
    got: str
    mistake: tuple[str, ...] = ()
    diagnosis: str = ""
    families: tuple[str, ...] = ()

    @property
    def agrees(self) -> bool:
        return self.expected == self.got

    @property
    def names_mistake(self) -> bool:
        if self.got != "wrong" or not self.mistake:
            return False
        return set(self.mistake) <= self.named

    @property
    def named(self) -> set[str]:
        """The mistakes the diagnosis names (nothing unless the verdict is wrong)."""
        if self.got != "wrong":
            return set()
        text = self.diagnosis.casefold()
        cut = text.find(FALLBACK)
        words = text if cut < 0 else text[:cut]          # the fallback sentence names nothing
        found = set(self.families)
        found |= {m for m, keys in KEYWORDS.items() if any(k in words for k in keys)}
        if cut >= 0 or TOO_FEW in text:
            found.add("unexplained")
        return found

    @property
    def false_diagnosis(self) -> bool:
        named = self.named - {"unexplained"}            # saying no mistake explains it names nothing
        if self.expected != "wrong":
            return bool(named)
        return bool(named - set(self.mistake))

    @property
    def right_called_wrong(self) -> bool:
        return self.expected in ("correct", "rounding") and self.got == "wrong"


@dataclass
class Entry:
    name: str
    source: str
    rows: list[Row] = field(default_factory=list)

    def __repr__(self) -> str:          # short, for pytest's tracebacks
        return f"Entry({self.name!r}, {len(self.rows)} claims)"


def grade(folder: Path) -> Entry:
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    report = check_file(read(str(folder / "claims.txt")))
    by_line = {v.claim.line: v for v in report.verdicts}
    out = Entry(folder.name, expected.get("source", ""))
    for e in expected["claims"]:
        v = by_line.get(e["line"])
        if v is None or v.claim.name != e["name"] or v.claim.text != str(e["value"]):
            raise AssertionError(f"{folder.name}: line {e['line']} of expected.yaml does not match claims.txt")
        mistake = e.get("mistake") or ()
        mistake = (mistake,) if isinstance(mistake, str) else tuple(mistake)
        mistake = tuple(FAMILY_OF.get(m, m) for m in mistake)
        out.rows.append(Row(folder.name, e["line"], e["name"], str(e["value"]), e["verdict"], v.verdict,
                            mistake, v.diagnosis or v.explanation or "",
                            tuple(v.hits[0].families) if v.hits else ()))
    if len(out.rows) != len(report.verdicts):
        raise AssertionError(f"{folder.name}: expected.yaml has {len(out.rows)} claims, claims.txt {len(report.verdicts)}")
    return out


def counts(rows: list[Row]) -> dict[str, int]:
    wrong = [r for r in rows if r.expected == "wrong"]
    return {
        "claims": len(rows),
        "agree": sum(r.agrees for r in rows),
        "expected_wrong": len(wrong),
        "named": sum(r.names_mistake for r in wrong),
        "false_diagnoses": sum(r.false_diagnosis for r in rows),
        "right_called_wrong": sum(r.right_called_wrong for r in rows),
    }


def table(rows: list[Row], only_disagreements: bool = True) -> str:
    lines = []
    for r in rows:
        bad = not r.agrees or (r.expected == "wrong" and not r.names_mistake) or r.false_diagnosis
        if only_disagreements and not bad:
            continue
        want = r.expected + (f" ({' + '.join(r.mistake)})" if r.mistake else "")
        got = r.got + (f" ({' + '.join(r.families)})" if r.families else "")
        lines.append(f"{r.entry}:{r.line}  {r.name} = {r.value}\n    expected {want}\n    got      {got}: {r.diagnosis}")
    return "\n".join(lines)
