"""The page at a phone's width and for a student: long formulas wrap instead of scrolling, the
drawing and the step's value stay on screen together while stepping, and the quantity ids
(net:H1, new:E:total) appear only when asked for.
"""
from __future__ import annotations

import time

import pytest

from handprop.render.page import html
from handprop.solve.derive import explain

from page_catalogue import CATALOGUE
from page_fixtures import built, open_page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def net_4883(tmp_path_factory):
    trace = explain(CATALOGUE["net_4883"]())
    path = tmp_path_factory.mktemp("views") / "net_4883.html"
    path.write_text(html.render(trace), encoding="utf-8")
    return trace, path


def longest(trace):
    """The step whose formulas (chain, terms and other forms) are the longest."""
    def size(s):
        return (sum(map(len, trace.chain(s, "latex"))) + sum(len(x.latex) for x in s.terms if hasattr(x, "latex"))
                + sum(sum(map(len, trace.chain(f, "latex"))) for f in s.forms))
    return max(trace.steps, key=size)


SIDEWAYS = """() => {
  const panel = document.getElementById('panel');
  const wide = [...panel.querySelectorAll('*')].filter((e) => {
    const s = getComputedStyle(e);
    return (s.overflowX === 'auto' || s.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1;
  }).map((e) => e.className);
  return {panel: [panel.scrollWidth, panel.clientWidth], page: [document.documentElement.scrollWidth,
          document.documentElement.clientWidth], scrollers: wide};
}"""


def test_long_formulas_wrap_on_a_phone(browser, net_4883):
    trace, path = net_4883
    hardest = [longest(trace), max(trace.steps, key=lambda s: max(map(len, trace.chain(s, "latex"))))]
    opened = open_page(browser, path, **PHONE)
    try:
        page = opened.page
        for step in hardest:
            page.evaluate("(id) => { location.hash = '#id=' + encodeURIComponent(id); }", step.id)
            page.wait_for_function("(id) => document.getElementById('panel').dataset.stepId === id", arg=step.id)
            page.evaluate("document.fonts.ready")
            got = page.evaluate(SIDEWAYS)
            assert got["panel"][0] <= got["panel"][1], (step.id, got)
            assert got["page"][0] <= got["page"][1], (step.id, got)
            assert got["scrollers"] == [], (step.id, got)
            # wrapped, not shrunk away: the long members are lines of inline math
            assert page.locator("#panel .mline").count() >= 2, step.id
        assert opened.errors == []
    finally:
        opened.close()


IN_VIEW = """() => {
  const inside = (el) => { const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth; };
  // the drawing's window (a tall drawing scrolls inside it) and, in it, the step's own unit
  const box = document.getElementById('network');
  const unit = document.querySelector('#network .unit.subject') || document.querySelector('#network .unit.active');
  const b = box.getBoundingClientRect();
  const u = unit ? unit.getBoundingClientRect() : null;
  const shown = !u || (u.top >= b.top - 1 && u.bottom <= b.bottom + 1);
  const value = document.querySelector('#panel [data-role=value]');
  return {drawing: inside(box) && shown, value: inside(value), id: document.getElementById('panel').dataset.stepId,
          scroll: window.scrollY};
}"""


def _wheel(page, dy: int, timeout: float = 5.0) -> None:
    """A wheel's scroll, waited for: it arrives later than the event, so wait until the page's
    or the drawing's own scroll has moved and then held over three polls, before the next step
    is taken; a wheel that scrolls nothing fails the test."""
    where = "[window.scrollY, document.getElementById('network').scrollTop]"
    before, seen = page.evaluate(where), []
    page.mouse.wheel(0, dy)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = (seen + [page.evaluate(where)])[-3:]
        if len(seen) == 3 and seen[0] == seen[1] == seen[2] != before:
            return
        time.sleep(0.05)
    raise AssertionError(f"the wheel scrolled neither the page nor the drawing: {before}, then {seen}")


@pytest.mark.parametrize("name", ["notes", "net_4883"])
def test_phone_keeps_the_drawing_and_the_value_on_screen(browser, built, net_4883, name):
    trace, path = built("notes") if name == "notes" else net_4883
    opened = open_page(browser, path, **PHONE)
    try:
        page = opened.page
        page.evaluate("document.activeElement.blur()")
        seen = []
        for i in range(1, min(len(trace.steps), 60)):
            page.keyboard.press("ArrowRight")
            state = page.evaluate(IN_VIEW)
            assert state["id"] == trace.steps[i].id
            if i == 20:                                  # a reader scrolls down to the terms, then steps on
                _wheel(page, 900)
            seen.append(state)
        bad = [s for s in seen if not (s["drawing"] and s["value"])]
        assert bad == [], bad[:3]
        assert max(s["scroll"] for s in seen) > 0          # the page did scroll: the drawing stuck
        assert opened.errors == []
    finally:
        opened.close()


def test_ids_only_when_asked(browser, built):
    trace, path = built("notes")
    opened = open_page(browser, path, "#id=grad:w5")
    try:
        page = opened.page
        text = lambda: page.inner_text("#panel")  # noqa: E731
        assert "grad:w5" not in text() and "dE/dout:Y1" not in text() and "out:H1" not in text()
        assert "out_H1" in text()                           # the uses, by the names people write
        assert not page.locator("#panel .step-id").is_visible()
        page.check("#show-ids")
        assert page.locator("#panel .step-id").is_visible()
        assert "grad:w5" in text() and "dE/dout:Y1" in text() and "out:H1" in text()
        page.keyboard.press("End")                          # every step shows its id while on
        assert "new:E:total" in text()
        page.wait_for_function("location.hash === '#id=new:E:total'")
        page.reload()                                      # remembered; deep links still work
        page.wait_for_selector("html[data-ready]")
        assert opened.state()["id"] == "new:E:total" and page.is_checked("#show-ids")
        assert "new:E:total" in text()
        page.uncheck("#show-ids")
        assert "new:E:total" not in text()
        page.click("#panel button.ref >> nth=0")           # a use still links to its step
        assert opened.state()["id"] == trace.steps[-1].uses[0]
        page.goto(path.as_uri() + "#id=new:E:total")
        page.wait_for_selector("html[data-ready]")
        assert opened.state()["id"] == "new:E:total" and "new:E:total" not in text()
        assert opened.errors == []
    finally:
        opened.close()
