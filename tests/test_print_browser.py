"""The page printed (Chromium's PDF, A4): the network at the end of the step (every value and
every update) with its legend, then the worked solution; in the compact form the lecture-notes
tables.  Measured: the number of pages and the printed text (poppler's pdfinfo, pdftotext).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from handprop.expr import text_number
from handprop.problem import load
from handprop.render.options import Options
from handprop.render.page import html
from handprop.solve.derive import explain

from page_fixtures import open_page

pytestmark = pytest.mark.browser

FULL_PAGES, COMPACT_PAGES = 12, 4


@pytest.fixture(scope="module")
def printed(browser, tmp_path_factory):
    """{form: (pages, text, the state after printing)} for the notes page, full and compact."""
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        pytest.skip("poppler-utils (pdfinfo, pdftotext) not installed")
    root = tmp_path_factory.mktemp("print")
    trace = explain(load("notes"))
    out = {}
    for form, options in (("full", None), ("compact", Options(compact=True))):
        page_path = root / f"notes-{form}.html"
        page_path.write_text(html.render(trace, options=options), encoding="utf-8")
        opened = open_page(browser, page_path, "#step=3")
        try:
            pdf = root / f"notes-{form}.pdf"
            opened.page.pdf(path=str(pdf), format="A4")
            after = opened.state()
            errors = list(opened.errors)
        finally:
            opened.close()
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        out[form] = (pages, text, after, errors)
    return trace, out


def test_printed_page_shows_the_end_state_and_the_solution(printed):
    trace, out = printed
    pages, text, after, errors = out["full"]
    assert pages <= FULL_PAGES, pages
    v = trace.values
    assert f"E_total {text_number(v['E:total'], 6)} → {text_number(v['new:E:total'], 6)} after the update" in text
    assert "not computed yet" not in text
    assert "USES" not in text.upper().replace("CAUSES", "")
    for qid in ("net:Y2", "new:E:total", "grad:w5", "dE/dout:Y1"):
        assert qid not in text, qid
    assert "w goes down" in text and "bias" in text                       # the legend
    assert f"δ {text_number(v['delta:H1'], 4)}" in text                   # every value on the drawing
    assert f"w5 {text_number(v['new:w5'], 4)}" in text and "↓" in text   # and the updates
    assert "The worked solution" in text and "42. Error after the update" in text
    assert after["id"] == trace.steps[2].id                                # back where the reader was
    assert errors == []


def test_compact_print_is_lecture_notes(printed):
    trace, out = printed
    pages, text, after, errors = out["compact"]
    assert pages <= COMPACT_PAGES, pages
    assert "Forward-pass table" in text and "The deltas" in text and "Every gradient and update" in text
    assert "The worked solution" not in text and "not computed yet" not in text
    deltas = [s for s in trace.steps if s.subject.kind == "delta"]
    for s in deltas:
        assert text_number(s.value, 6) in text, s.id
    flat = " ".join(text.split())
    for s in deltas:                     # a line each, as the compact document writes it
        assert flat.count(f"δ{s.subject.name} =") == 1, s.id
    assert "δH1 = (δY1 × w5 + δY2 × w6 ) × outH1 (1 − outH1 )" in flat   # its factors written in
    assert after["id"] == trace.steps[2].id and errors == []


def test_compact_option_reaches_the_page(tmp_path):
    """`handprop explain notes --compact --format html` writes the compact form into the payload."""
    from handprop.render.page.payload import payload
    trace = explain(load("notes"))
    assert payload(trace, options=Options(compact=True))["doc"]["compact"] is True
    assert payload(trace)["doc"]["compact"] is False
    out = tmp_path / "notes.html"
    subprocess.run([sys.executable, "-m", "handprop.cli", "explain", "notes", "--compact", "--format", "html",
                    "-o", str(out)], check=True)
    assert '"compact":true' in out.read_text(encoding="utf-8")
