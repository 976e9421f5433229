"""The notebook player (handprop.notebook): its frame fits its content, KaTeX and the player's
code are shared between the players of a notebook, show() outside a notebook says what to do.

The browser tests put two notebook outputs in one HTML document, as JupyterLab, Notebook 7,
VS Code and an nbconvert export do, and open it in headless Chromium.
"""
from __future__ import annotations

import re
import sys
import time

import pytest

import handprop
import handprop.notebook as nb
from handprop.problem import load
from handprop.render.page.assets import katex_assets, katex_dir
from handprop.solve import explain


@pytest.fixture(scope="module")
def traces():
    return {name: explain(load(name)) for name in ("notes", "mazur")}


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    """Each test starts as a new kernel session (nothing shared yet), outside Colab."""
    nb.reset_shared_assets()
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    yield
    nb.reset_shared_assets()


def _srcdoc(output: str) -> str:
    import html
    return html.unescape(re.search(r'srcdoc="([^"]*)"', output).group(1))


assert katex_assets(str(katex_dir()))[0].count("KaTeX parse error") == 1
KATEX_MARK = "KaTeX parse error"   # once in KaTeX's own code: where it is, KaTeX is


def test_the_first_player_carries_the_assets_and_later_ones_ask_for_them(traces):
    first = nb.notebook_output(traces["notes"])
    second = nb.notebook_output(traces["mazur"])
    both = first + second
    assert both.count(KATEX_MARK) == 1 and first.count(KATEX_MARK) == 1
    assert KATEX_MARK not in _srcdoc(first) and KATEX_MARK not in _srcdoc(second)
    assert len(second) < len(first) / 4, (len(first), len(second))
    for out in (first, second):
        page = _srcdoc(out)
        assert "handprop-payload" in page and 'handprop: "assets?"' in page
        assert "handprop.start();" not in page.replace('"handprop.start();"', "")  # started by the loader
    nb.reset_shared_assets()                       # e.g. after clearing the first output
    assert nb.notebook_output(traces["mazur"]).count(KATEX_MARK) == 1


def test_self_contained_without_sharing_in_colab_and_when_the_page_changes(traces, monkeypatch):
    alone = nb.notebook_output(traces["notes"], shared=False)
    assert KATEX_MARK in _srcdoc(alone) and 'handprop: "assets?"' not in _srcdoc(alone)
    monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    colab = nb.notebook_output(traces["notes"])
    assert KATEX_MARK in _srcdoc(colab) and colab.count(KATEX_MARK) == 1
    monkeypatch.delitem(sys.modules, "google.colab")
    assets, key = nb._assets()
    assert nb._light("<html><head></head><body>a page laid out otherwise</body></html>", assets, key) is None


def test_heights(traces):
    fitted = nb.notebook_output(traces["notes"], shared=False)
    frame = re.search(r"<iframe[^>]*>", fitted).group(0)
    assert "data-fixed" not in frame and f"height:{nb.INITIAL_HEIGHT}px" in frame
    assert f'data-max-height="{nb.MAX_HEIGHT}"' in frame
    fixed = re.search(r"<iframe[^>]*>", nb.notebook_output(traces["notes"], height=500, shared=False)).group(0)
    assert "data-fixed" in fixed and "height:500px" in fixed
    page = _srcdoc(fitted)
    assert "100vh" not in nb.NOTEBOOK_CSS and ".side { position: static; height: 640px; }" in page
    assert 'postMessage({handprop: "height"' in page


def test_show_outside_a_notebook_says_what_to_do(capsys):
    player = handprop.show("notes")                  # no kernel here: not displayed
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not in a Jupyter notebook" in err
    assert ".save('page.html')" in err and "handprop explain notes -f html -o page.html" in err
    assert isinstance(player, nb.Player) and ".save(" in repr(player)
    handprop.show("notes", display=False)            # asked for the object: quiet
    assert capsys.readouterr().err == ""


def test_save_writes_the_page(tmp_path):
    path = handprop.show("notes", display=False).save(tmp_path / "page.html")
    assert path.read_text(encoding="utf-8").startswith("<!doctype html>")


# ---------------------------------------------------------------- in Chromium


def _document(*outputs: str) -> str:
    cells = "".join(f'<div class="cell" style="margin:16px 0">{o}</div>' for o in outputs)
    return ("<!doctype html><html><head><meta charset='utf-8'><title>a notebook</title></head>"
            f"<body style='margin:0 24px'><h1>two cells</h1>{cells}</body></html>")


def _open(browser, tmp_path, text: str, width: int = 1200):
    doc = tmp_path / "notebook.html"
    doc.write_text(text, encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(doc.as_uri())
    return context, page, errors


def _settle(page, count: int) -> None:
    """Every player ready, then every frame the height its page asked for (:func:`_fitted`)."""
    for i in range(count):
        page.locator(f"iframe >> nth={i}").scroll_into_view_if_needed()
        page.frame_locator(f"iframe >> nth={i}").locator("html[data-ready]").wait_for(timeout=30000)
    _fitted(page, count)


def _fitted(page, count: int, timeout: float = 30.0) -> None:
    """Each frame the height the notebook gives its content's height now (or fixed), twice in
    a row with every frame scrolled into view in turn (Chromium pauses frames out of view, and
    a frame's height follows its content only after a message to the notebook): a test reads
    heights, or clicks, only once no frame is still to move."""
    deadline = time.monotonic() + timeout
    good = 0
    while good < 2:
        fits = []
        for i in range(count):
            frame = page.locator(f"iframe >> nth={i}")
            frame.scroll_into_view_if_needed()
            inner = frame.element_handle().content_frame().evaluate(
                "Math.ceil(document.documentElement.getBoundingClientRect().height)")
            fits.append(frame.evaluate(
                "(f, h) => f.hasAttribute('data-fixed') || f.style.height === "
                "Math.max(120, Math.min(h + 2, Number(f.getAttribute('data-max-height')))) + 'px'",
                inner))
        good = good + 1 if all(fits) else 0
        if time.monotonic() > deadline:
            raise AssertionError(f"the frames never fitted their content: {fits}")
        time.sleep(0.1)


def _click(page, index: int, selector: str, count: int = 2) -> None:
    """A real click on `selector` in frame `index` once no frame is still to move.

    A click in one frame resizes it to fit its new step, which moves the frames below it: a
    click computed before the move lands on the page where the button was (CI saw two lost)."""
    _fitted(page, count)
    page.frame_locator(f"iframe >> nth={index}").locator(selector).click()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1200, 700])
def test_two_shared_players_work_fit_and_share_katex(browser, traces, tmp_path, width):
    text = _document(nb.notebook_output(traces["notes"]), nb.notebook_output(traces["mazur"]))
    assert text.count(KATEX_MARK) == 1
    context, page, errors = _open(browser, tmp_path, text, width)
    try:
        _settle(page, 2)
        frames = [page.frame_locator(f"iframe >> nth={i}") for i in range(2)]
        from playwright.sync_api import expect     # waits for the player's render after a click
        _click(page, 0, "#btn-next")
        _click(page, 0, "#btn-next")
        expect(frames[0].locator("#panel")).to_have_attribute("data-step-id", traces["notes"].steps[2].id)
        assert frames[1].locator("#panel").get_attribute("data-step-id") == traces["mazur"].steps[0].id
        _click(page, 1, "#btn-last")
        expect(frames[1].locator("#panel")).to_have_attribute("data-step-id", traces["mazur"].steps[-1].id)
        assert frames[0].locator("#panel").get_attribute("data-step-id") == traces["notes"].steps[2].id
        assert frames[1].locator("#panel .katex").count() > 0           # KaTeX ran in the light frame
        _fitted(page, 2)
        for i in range(2):
            frame = page.frames[i + 1]
            outer = page.evaluate(f"document.querySelectorAll('iframe')[{i}].clientHeight")
            inner = frame.evaluate("[document.documentElement.scrollHeight,"
                                   " document.querySelector('#steplist').getBoundingClientRect().bottom,"
                                   " document.querySelector('.player').getBoundingClientRect().bottom]")
            assert page.evaluate(f"document.querySelectorAll('iframe')[{i}].hasAttribute('data-fitted')")
            assert inner[1] <= outer and inner[2] <= outer, (i, outer, inner)   # nothing of the player cut
            assert inner[0] <= outer + 1, (i, outer, inner)         # the whole page: no inner scrollbar
            assert frame.evaluate("typeof katex") == "object"
        # the worked solution opens under the player: the frame grows, up to MAX_HEIGHT
        closed = page.evaluate("document.querySelectorAll('iframe')[0].clientHeight")
        _click(page, 0, ".hp-nb-toggle")
        expect(frames[0].locator(".hp-nb-toggle")).to_have_attribute("aria-expanded", "true")
        page.locator("iframe >> nth=0").scroll_into_view_if_needed()
        page.wait_for_function("c => document.querySelectorAll('iframe')[0].clientHeight > c", arg=closed,
                               timeout=30000)
        _fitted(page, 2)
        opened = page.evaluate("document.querySelectorAll('iframe')[0].clientHeight")
        assert closed < opened <= nb.MAX_HEIGHT
        assert page.frames[1].evaluate("document.getElementById('tables').offsetHeight") > 200
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_a_self_contained_player_fits_too_and_a_fixed_one_stays(browser, traces, tmp_path):
    text = _document(nb.notebook_output(traces["notes"], shared=False),
                     nb.notebook_output(traces["mazur"], shared=False, height=420))
    context, page, errors = _open(browser, tmp_path, text)
    try:
        _settle(page, 2)
        heights = page.evaluate("[...document.querySelectorAll('iframe')].map((f) => f.clientHeight)")
        inner = page.frames[1].evaluate("document.documentElement.scrollHeight")
        assert inner - 1 <= heights[0] < 1400 and heights[1] == 420, (heights, inner)
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_a_shared_player_without_its_assets_says_what_to_do(browser, traces, tmp_path):
    nb.notebook_output(traces["notes"])            # the assets went out with an output now gone
    lone = nb.notebook_output(traces["mazur"])
    assert KATEX_MARK not in lone
    context, page, errors = _open(browser, tmp_path, _document(lone))
    try:
        message = page.frame_locator("iframe").locator(".handprop-missing")
        message.wait_for(timeout=30000)
        assert "shared=False" in message.inner_text()
    finally:
        context.close()
