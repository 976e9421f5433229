"""``handprop check --format html``: the notes' claims marked on their steps in a real browser."""
from __future__ import annotations

import pytest

from handprop.checking.verdicts import check_file
from handprop.checking.claims import read
from handprop.checking.page import extras
from page_fixtures import open_page  # noqa: F401  (a pytest fixture)

pytestmark = pytest.mark.browser


def test_the_notes_claims_are_marked_in_the_page(browser, cli, tmp_path):  # noqa: F811
    path = tmp_path / "notes-check.html"
    code, _, err = cli("check", "examples/notes-claims.txt", "--format", "html", "-o", str(path))
    assert code == 1 and err == ""
    report = check_file(read("examples/notes-claims.txt"))
    claims = extras(report)["claims"]
    assert claims["out:Y1"]["claimed"] == "0.757; 0.75137" and claims["out:Y1"]["verdict"] == "wrong"
    ids = [s.id for s in report.trace.steps]
    opened = open_page(browser, path, "#id=grad:w1")
    try:
        page = opened.page
        panel = page.locator("#panel .claim")
        assert "verdict-wrong" in panel.get_attribute("class")
        text = panel.inner_text()
        assert "0.0277" in text and "path through Y2 left out" in text
        for qid, claim in claims.items():
            badge = page.locator(f"#steplist button[data-index='{ids.index(qid)}'] .badge")
            if badge.count():        # the list draws the rows near the view
                assert badge.inner_text() == claim["verdict"]
        summary = page.inner_text("#claims-summary")
        for verdict in ("correct", "rounding", "carried", "wrong"):
            n = sum(c["verdict"] == verdict for c in claims.values())
            assert f"{n} {verdict}" in summary
        assert "20 claims" in page.inner_text("body")
        assert opened.errors == [] and opened.external == []
    finally:
        opened.close()
