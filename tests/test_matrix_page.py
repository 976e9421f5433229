"""The matrix view in the interactive page, in real headless Chromium.

A problem written in the matrix shorthand gets a "Matrix view" section under the player: each
section of the view with its formulas typeset by KaTeX, the matrices with the numbers the
trace holds (read here from Python's own formatting of the trace's values), no request
leaves the page, and the fonts the matrices need are the ones the page inlines.  A problem in
the explicit form has none, unless asked for (``--view matrix``).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from handprop.expr import text_number
from handprop.problem import load, parse
from handprop.render.matrix import matrix_view
from handprop.render.options import Options
from handprop.render.page import assets, html
from handprop.solve.derive import explain

from page_fixtures import HOSTILE, hostile_names, open_page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
HERE = Path(__file__).parent

READ = """() => {
  const box = document.getElementById('matrix');
  if (!box) return null;
  return {title: box.querySelector('h2').textContent,
          sections: [...box.querySelectorAll('.matrix-section')].map((s) => ({
            title: s.querySelector('h3').textContent,
            equations: [...s.querySelectorAll('.matrix-eq')].map((f) => ({
              typeset: !!f.querySelector('.katex'),
              matrices: f.querySelectorAll('.katex .mtable').length,
              text: f.querySelector('.katex-html') ? f.querySelector('.katex-html').textContent : '',
              numbers: f.getAttribute('data-numbers').split(' ').filter(Boolean)}))}))};
}"""


def _page(tmp_path: Path, trace, name: str, options=None) -> Path:
    path = tmp_path / f"{name}.html"
    path.write_text(html.render(trace, options=options), encoding="utf-8")
    return path


def test_the_page_shows_the_matrices_of_a_shorthand_problem(browser, tmp_path):
    trace = explain(load(str(HERE / "problems" / "three_layer.yaml")))
    view = matrix_view(trace)
    opened = open_page(browser, _page(tmp_path, trace, "three_layer"))
    try:
        opened.page.wait_for_selector("#matrix .katex")
        shown = opened.page.evaluate(READ)
        assert shown["title"] == "Matrix view"
        assert [s["title"] for s in shown["sections"]] == [s.title for s in view.sections]
        for want, got in zip(view.sections, shown["sections"]):
            assert len(got["equations"]) == len(want.equations)
            for eq, seen in zip(want.equations, got["equations"]):
                assert seen["typeset"], (want.title, seen)
                mats = [i for m in eq.members for i in m if hasattr(i, "cells")]
                assert seen["matrices"] >= len(mats)
                ids = [i for m in mats for row in m.ids for i in row if i]
                assert set(ids) <= set(seen["numbers"])
                for m in mats:       # every number of every matrix, as KaTeX drew it
                    for i, v in m.entries():
                        digits = 12 if m.given else 6
                        assert text_number(v, digits) in seen["text"], (want.title, i)
        # the whole page still works: the steps player, the tables, the order of sections
        order = opened.page.evaluate("() => [...document.querySelectorAll('#tables > section')].map((s) => s.id)")
        assert order[:2] == ["given", "matrix"] and "updates" in order
        opened.page.keyboard.press("End")
        assert opened.state()["id"] == trace.steps[-1].id
        assert opened.external == [] and opened.errors == [] and opened.dialogs == []
    finally:
        opened.close()


def test_no_matrix_view_for_the_explicit_form_unless_asked(browser, tmp_path):
    trace = explain(load("notes"))
    opened = open_page(browser, _page(tmp_path, trace, "notes"))
    try:
        assert opened.page.evaluate(READ) is None
    finally:
        opened.close()
    opened = open_page(browser, _page(tmp_path, trace, "notes_matrix", Options(view="matrix")))
    try:
        opened.page.wait_for_selector("#matrix .katex")
        shown = opened.page.evaluate(READ)
        assert shown["sections"][0]["equations"][0]["matrices"] >= 3       # W, x, b and net
        assert "0.3775" in shown["sections"][0]["equations"][0]["text"]   # the tutorial's net_H1
        assert opened.errors == []
    finally:
        opened.close()


def test_hostile_names_stay_text_and_the_fonts_are_inlined(browser, tmp_path):
    """Names that are HTML reach the matrix view as text; every KaTeX font its formulas use is
    one the page inlines."""
    trace = explain(parse(hostile_names(), source="hostile"))
    opened = open_page(browser, _page(tmp_path, trace, "hostile", Options(view="matrix")))
    try:
        opened.page.wait_for_selector("#matrix .katex")
        assert opened.dialogs == [] and opened.errors == []
        notes = opened.page.evaluate("() => [...document.querySelectorAll('#matrix figcaption')].map((e) => e.textContent).join(' ')")
        assert HOSTILE[0] in notes and HOSTILE[1] in notes   # as text, not markup
        assert opened.page.evaluate("() => document.querySelectorAll('#matrix img, #matrix script').length") == 0
        fonts = opened.page.evaluate("""() => {
            const seen = new Set();
            for (const el of document.querySelectorAll('#matrix .katex-html *')) {
              if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
              const s = getComputedStyle(el);
              seen.add([s.fontFamily.split(',')[0].trim().replace(/"/g, ''), s.fontWeight, s.fontStyle].join('|'));
            }
            return [...seen]; }""")
    finally:
        opened.close()
    used = set()
    for entry in fonts:
        family, weight, style = entry.split("|")
        assert family.startswith("KaTeX_"), entry
        base = family[len("KaTeX_"):]
        variant = "Bold" if int(weight) >= 600 else "Italic" if style == "italic" else "Regular"
        used.add(f"{base}-{'Regular' if base.startswith('Size') or base == 'AMS' else variant}")
    assert used <= set(assets.KATEX_FONTS), used - set(assets.KATEX_FONTS)
