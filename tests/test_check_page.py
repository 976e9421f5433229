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


def _wrong_steps(report) -> list[int]:
    ids = [s.id for s in report.trace.steps]
    return sorted(ids.index(q) for q, c in extras(report)["claims"].items() if c["verdict"] == "wrong")


def _in_view(page, selector: str) -> bool:
    """The element is on screen, and (on a phone) not under the sticky drawing."""
    return page.evaluate("""(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        const stage = document.querySelector('.stage');
        const top = getComputedStyle(stage).position === 'sticky' ? stage.getBoundingClientRect().bottom : 0;
        return r.top >= top - 1 && r.top < window.innerHeight; }""", selector)


@pytest.fixture(scope="module")
def notes_page(tmp_path_factory):
    from handprop.checking.page import render
    report = check_file(read("examples/notes-claims.txt"))
    path = tmp_path_factory.mktemp("check") / "notes-check.html"
    path.write_text(render(report), encoding="utf-8")
    return report, path


def test_the_wrong_badge_goes_through_the_wrong_claims_one_by_one(browser, notes_page):  # noqa: F811
    report, path = notes_page
    wrong = _wrong_steps(report)
    n = len(wrong)
    assert n >= 3
    opened = open_page(browser, path)
    try:
        page = opened.page
        badge = page.locator("#claims-summary button[data-verdict=wrong]")
        assert badge.inner_text() == f"{n} wrong"
        seen = []
        for k in range(n + 1):                        # once round, and back to the first
            badge.click()
            seen.append(page.evaluate("window.handprop.player.state.step"))
            assert page.inner_text("#claims-at") == f"wrong {k % n + 1} of {n}"
            claim = page.locator("#panel .claim")
            assert "verdict-wrong" in claim.get_attribute("class") and "lit" in claim.get_attribute("class")
            assert claim.locator(".claim-at").inner_text() == f"wrong {k % n + 1} of {n}"
            assert _in_view(page, "#panel .claim")
        assert seen == wrong + wrong[:1]
        # moved elsewhere (the last step): the next wrong claim after it is the first, wrapping
        page.keyboard.press("End")
        badge.click()
        assert page.inner_text("#claims-at") == f"wrong 1 of {n}"
        # to the step before the third wrong claim: the badge goes to the third
        page.evaluate(f"window.handprop.player.act.goto({wrong[2] - 1})")
        badge.click()
        assert page.evaluate("window.handprop.player.state.step") == wrong[2]
        assert page.inner_text("#claims-at") == f"wrong 3 of {n}"
        assert page.get_attribute("#claims-at", "aria-live") == "polite"
        assert opened.errors == []
    finally:
        opened.close()


def test_the_wrong_badge_is_reached_and_pressed_with_the_keyboard(browser, notes_page):  # noqa: F811
    report, path = notes_page
    wrong = _wrong_steps(report)
    n = len(wrong)
    opened = open_page(browser, path)
    try:
        page = opened.page
        for _ in range(20):                           # Tab from the top of the page to the badge
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('data-verdict')") == "wrong":
                break
        else:
            raise AssertionError("the wrong badge is not reached with Tab")
        focus = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {visible: e.matches(':focus-visible'), outline: s.outlineStyle, width: s.outlineWidth}; }""")
        assert focus["visible"] and focus["outline"] != "none" and focus["width"] != "0px", focus
        page.keyboard.press("Enter")
        assert page.evaluate("window.handprop.player.state.step") == wrong[0]
        page.keyboard.press(" ")                      # Space presses the badge: it does not play
        state = page.evaluate("({step: window.handprop.player.state.step, playing: window.handprop.player.state.playing})")
        assert state == {"step": wrong[1], "playing": False}
        assert page.inner_text("#claims-at") == f"wrong 2 of {n}"
        assert page.evaluate("document.activeElement.getAttribute('data-verdict')") == "wrong"
        assert opened.errors == []
    finally:
        opened.close()


def test_on_a_phone_the_badge_brings_the_claim_out_from_under_the_drawing(browser, notes_page):  # noqa: F811
    report, path = notes_page
    wrong = _wrong_steps(report)
    opened = open_page(browser, path, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = opened.page
        badge = page.locator("#claims-summary button[data-verdict=wrong]")
        for k in range(3):
            badge.tap()
            assert page.evaluate("window.handprop.player.state.step") == wrong[k]
            assert _in_view(page, "#panel .claim"), k
        assert opened.errors == []
    finally:
        opened.close()
