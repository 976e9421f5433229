"""The corpus of published hand solutions (issue 11): ``check`` against a careful reader.

Every entry of ``tests/corpus/`` is a real worked solution (tutorial, textbook, Q&A thread;
sources in ``docs/corpus.md``) transcribed as a problem and a claims file, with the verdict
and the mistake a careful reader gives each number written in ``expected.yaml`` before
``check`` was run. How a diagnosis is matched to the expected mistake is documented in
``tests/corpus/compare.py``. ``python benchmarks/corpus_report.py`` prints the counts.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))
import compare  # noqa: E402

ENTRIES = compare.entries()


@pytest.fixture(scope="module")
def graded():
    return [compare.grade(folder) for folder in ENTRIES]


def _rows(graded):
    return [r for e in graded for r in e.rows]


def test_the_corpus_has_eight_entries_or_more():
    assert len(ENTRIES) >= 8, [e.name for e in ENTRIES]


def test_no_correct_or_rounded_step_is_called_wrong(graded):
    bad = [r for r in _rows(graded) if r.right_called_wrong]
    assert not bad, "\n" + compare.table(bad)


def test_verdicts_agree_with_the_careful_reader(graded):
    rows = _rows(graded)
    c = compare.counts(rows)
    share = c["agree"] / c["claims"]
    assert share >= 0.99, f"{c['agree']}/{c['claims']} verdicts agree ({share:.1%})\n" + compare.table(
        [r for r in rows if not r.agrees])


def test_diagnoses_name_the_actual_mistake(graded):
    rows = _rows(graded)
    c = compare.counts(rows)
    share = c["named"] / c["expected_wrong"]
    assert share >= 0.90, f"{c['named']}/{c['expected_wrong']} diagnoses name the mistake ({share:.1%})\n" + \
        compare.table([r for r in rows if r.expected == "wrong" and not r.names_mistake])


def test_no_false_diagnoses(graded):
    bad = [r for r in _rows(graded) if r.false_diagnosis]
    assert not bad, "\n" + compare.table(bad)


@pytest.mark.parametrize("folder", ENTRIES, ids=[e.name for e in ENTRIES])
def test_reference_scripts_run(folder):
    """Each entry's independent arithmetic still runs (it prints the exact values used)."""
    import runpy, io, contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        runpy.run_path(str(folder / "reference.py"), run_name="__main__")
    assert "exact" in buf.getvalue()
