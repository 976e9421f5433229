"""The solve-it-yourself page in Chromium: Check says right for the key's answer (and the exact
value), not yet for a wrong one; the answers stay hidden until revealed."""
from __future__ import annotations

import pytest

from handprop.exercises.build import make
from handprop.exercises.generate import Recipe

pytestmark = pytest.mark.browser


def test_the_solve_page_checks_and_reveals(browser, tmp_path):
    ex, files = make(Recipe(count=1, seed=3))
    v = ex.variants[0]
    path = tmp_path / "solve.html"
    path.write_bytes(files[f"{v.code}/solve.html"])
    page = browser.new_page()
    try:
        page.goto(path.as_uri())
        rows = page.locator("tr[data-id]")
        assert rows.count() == len(ex.ids)
        first, second = rows.nth(0), rows.nth(1)
        answer = str(v.answers[ex.ids[0]])
        first.locator("input").fill(answer)
        first.locator("button").click()
        assert first.locator(".verdict").inner_text() == "right"
        second.locator("input").fill(str(v.answers[ex.ids[1]] + 1))
        second.locator("input").press("Enter")
        assert second.locator(".verdict").inner_text() == "not yet"
        second.locator("input").fill(repr(v.exact[ex.ids[1]]))
        second.locator("button").click()
        assert second.locator(".verdict").inner_text() == "right"
        assert not first.locator("details b").is_visible()
        first.locator("summary").click()
        assert first.locator("details b").inner_text() == answer
    finally:
        page.close()
