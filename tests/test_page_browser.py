"""The interactive page in real headless Chromium: offline, keyboard, deep links, play, phone, XSS.

The truth each test holds the page to is the trace itself (focus, ids, values) and Python's own
number formatting, read independently of the page's JavaScript.
"""
from __future__ import annotations

import math
import random
import re
from urllib.parse import quote

import pytest

from handprop.expr import fmt_number, text_number
from handprop.render.page import assets, html

from page_fixtures import HOSTILE, built, open_page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def hash_of(step_id: str) -> str:
    return "#id=" + quote(step_id, safe="").replace("%3A", ":").replace("%2F", "/")


def check_step(state: dict, step, drawn: set[str] | None = None) -> None:
    """The page shows `step`: panel id and value, and exactly its focus highlighted."""
    assert state["id"] == step.id
    assert state["value"] == text_number(step.value, 6)
    nodes, edges = set(step.focus.nodes), set(step.focus.edges)
    if drawn is not None:
        nodes &= drawn
    assert sorted(state["nodes"]) == sorted(nodes), step.id
    assert len(state["nodes"]) == len(set(state["nodes"]))
    if drawn is not None:
        edges &= drawn
    assert sorted(state["edges"]) == sorted(edges), step.id


@pytest.mark.parametrize("name", ["notes", "mazur", "two_hidden_softmax", "three_samples"])
def test_every_step_by_keyboard(browser, built, name):
    trace, path = built(name)
    opened = open_page(browser, path)
    try:
        page = opened.page
        states = opened.walk(len(trace.steps) - 1)
        assert len(states) == len(trace.steps)
        for state, step in zip(states, trace.steps):
            check_step(state, step)
        page.wait_for_function("(h) => location.hash === h", arg=hash_of(trace.steps[-1].id))
        page.keyboard.press("ArrowRight")
        assert opened.state()["id"] == trace.steps[-1].id          # stays on the last step
        for step in reversed(trace.steps[-3:]):
            check_step(opened.state(), step)
            page.keyboard.press("ArrowLeft")
        assert opened.external == [] and opened.errors == [] and opened.dialogs == []
    finally:
        opened.close()


def test_values_appear_on_units_as_computed(browser, built):
    trace, path = built("notes")
    opened = open_page(browser, path, "#id=net:H1")
    try:
        text = lambda u: opened.page.evaluate(  # noqa: E731
            "(u) => [...document.querySelectorAll('[data-node]')].find((e) => e.getAttribute('data-node') === u).textContent", u)
        assert "net 0.3775" in text("H1") and "out" not in text("H1")
        opened.page.keyboard.press("ArrowRight")
        opened.page.keyboard.press("ArrowRight")                     # out:H1
        assert opened.state()["id"] == "out:H1"
        assert f"out {fmt_number(trace.values['out:H1'], 4)}" in text("H1")
        assert "net" not in text("Y1")
        opened.page.keyboard.press("End")
        assert f"δ {fmt_number(trace.values['delta:H1'], 4)}" in text("H1")
        labels = opened.page.evaluate("() => document.querySelector('.net').textContent")
        assert f"w5 {fmt_number(trace.values['new:w5'], 4)} ↓" in labels   # old -> new, down
    finally:
        opened.close()


def test_collapsed_column_highlights_its_stand_ins(browser, built):
    trace, path = built("wide_inputs")
    opened = open_page(browser, path)
    try:
        page = opened.page
        drawn = set(page.evaluate("() => [...document.querySelectorAll('[data-node],[data-edge]')]"
                                  ".map((e) => e.getAttribute('data-node') || e.getAttribute('data-edge'))"))
        inputs = trace.problem["inputs"]
        assert sum(x in drawn for x in inputs) == 10 and "x9" not in drawn and "x29" in drawn
        weights = trace.problem["weights"]
        states = opened.walk(len(trace.steps) - 1, real_keys=False)
        for state, step in zip(states, trace.steps):
            check_step(state, step, drawn)
            hidden_nodes = [n for n in step.focus.nodes if n not in drawn]
            assert bool(state["groups"]) == bool(hidden_nodes), step.id
            hidden_edges = {weights[e][1] for e in step.focus.edges if e not in drawn}
            assert sorted(b.split(">")[1] for b in state["bundles"]) == sorted(hidden_edges), step.id
        assert opened.errors == []
    finally:
        opened.close()


def test_deep_links_open_the_step_and_survive_reload(browser, built):
    trace, path = built("notes")
    ids = [s.id for s in trace.steps]
    opened = open_page(browser, path, "#step=5")
    try:
        page = opened.page
        assert opened.state()["id"] == ids[4]
        page.goto(path.as_uri() + "#id=grad:w5")
        page.reload()
        page.wait_for_selector("html[data-ready]")
        assert opened.state()["id"] == "grad:w5"
        page.keyboard.press("ArrowRight")
        following = ids[ids.index("grad:w5") + 1]
        page.wait_for_function("(h) => location.hash === h", arg=hash_of(following))
        page.reload()
        page.wait_for_selector("html[data-ready]")
        assert opened.state()["id"] == following
        page.evaluate("location.hash = '#step=1'")                     # editing the address jumps too
        page.wait_for_function("document.getElementById('panel').dataset.stepId === 'net:H1'")
        assert opened.errors == []
    finally:
        opened.close()


def test_deep_link_with_a_sample(browser, built):
    trace, path = built("three_samples")
    target = next(s for s in trace.steps if s.sample == 2 and s.id.startswith("delta:"))
    opened = open_page(browser, path, hash_of(target.id))
    try:
        assert opened.state()["id"] == target.id
        opened.page.reload()
        opened.page.wait_for_selector("html[data-ready]")
        assert opened.state()["id"] == target.id
        assert "sample 2 of 3" in opened.page.inner_text("#netstatus")
    finally:
        opened.close()


def test_play_pause_home_end(browser, built):
    trace, path = built("notes")
    opened = open_page(browser, path)
    try:
        page = opened.page
        page.select_option("#speed", "4")
        page.evaluate("document.activeElement.blur()")
        page.keyboard.press("Space")
        page.wait_for_function("window.handprop.player.state.step >= 3")
        page.keyboard.press("Space")
        stopped = opened.state()
        assert not stopped["playing"]
        page.wait_for_timeout(900)
        assert opened.state()["step"] == stopped["step"]
        page.keyboard.press("End")
        assert opened.state()["id"] == trace.steps[-1].id
        page.click("#btn-play")                                    # at the end, play starts over
        page.wait_for_function("window.handprop.player.state.step >= 1")
        page.click("#btn-play")
        page.keyboard.press("Home")
        assert opened.state()["id"] == trace.steps[0].id and not opened.state()["playing"]
        page.evaluate("window.handprop.player.act.set({step: %d, playing: true})" % (len(trace.steps) - 2))
        page.wait_for_function("!window.handprop.player.state.playing")
        assert opened.state()["id"] == trace.steps[-1].id           # play stops at the last step
    finally:
        opened.close()


def test_scrubber_list_and_terms_jump(browser, built):
    trace, path = built("notes")
    opened = open_page(browser, path, "#id=grad:w1")
    try:
        page = opened.page
        page.click("#panel button.term[data-ref='dout/dnet:H1']")
        assert opened.state()["id"] == "dout/dnet:H1"
        page.fill("#scrubber", "9")
        assert opened.state()["step"] == 9
        page.click("#steplist button[data-index='2']")
        assert opened.state()["step"] == 2
        page.click(".phasebar .seg.phase-update")
        assert opened.state()["id"] == next(s.id for s in trace.steps if s.phase == "update")
        page.click("#btn-prev")
        page.click("#btn-next")
        page.click("#btn-next")
        first_update = [s.phase for s in trace.steps].index("update")
        assert opened.state()["step"] == first_update + 1
    finally:
        opened.close()


@pytest.mark.parametrize("name", ["notes", "two_hidden_softmax"])
def test_phone_has_no_horizontal_scroll(browser, built, name):
    trace, path = built(name)
    opened = open_page(browser, path, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = opened.page
        widest = max(trace.steps, key=lambda s: sum(map(len, trace.chain(s, "latex"))))
        for step in (trace.steps[0], widest, trace.steps[-1]):
            page.evaluate("(id) => { location.hash = '#id=' + encodeURIComponent(id); }", step.id)
            page.wait_for_function("(id) => document.getElementById('panel').dataset.stepId === id", arg=step.id)
            page.evaluate("document.fonts.ready.then(() => true)")        # widths in the page's own fonts
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, step.id
        assert opened.errors == []
    finally:
        opened.close()


def test_hostile_names_render_as_text(browser, built):
    trace, path = built("hostile")
    opened = open_page(browser, path)
    try:
        page = opened.page
        for state, step in zip(opened.walk(len(trace.steps) - 1), trace.steps):
            check_step(state, step)
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")   # writes every step out
        counts = page.evaluate("""() => ({img: document.querySelectorAll('img').length,
            script: document.querySelectorAll('script').length, b: document.querySelectorAll('b').length})""")
        assert counts == {"img": 0, "script": 4, "b": 0}
        text = page.evaluate("document.body.innerText")
        for name in HOSTILE:
            assert name in text or name in page.evaluate("document.querySelector('.net').textContent"), name
        assert "<script>alert('title')</script>" in page.title()
        # hidden characters are shown as their escapes, as text, in the title and the page
        assert r"\x1b[31m\u202e\ud800" in page.title() and "\x1b" not in page.title()
        assert r"\x9b2J" in text and not any(c in text for c in "\x1b\x9b\u202e")
        assert opened.dialogs == [] and opened.errors == [] and opened.external == []
    finally:
        opened.close()


def test_claims_are_marked(browser, built):
    extras = {"claims": {"out:H1": {"verdict": "correct", "claimed": 0.593270, "explanation": "agrees"},
                         "grad:w5": {"verdict": "wrong", "claimed": 0.0815,
                                     "explanation": "<img src=x onerror=alert(1)> the activation's slope was left out"},
                         "grad:w6": {"verdict": "rounding", "claimed": -0.02352, "explanation": "drift only"}},
              "series": [{"title": "Loss over training", "x_label": "step", "y_label": "E_total",
                          "y": [0.30, 0.29, 0.27, 0.26]}]}
    trace, path = built("notes", extras=extras, tag="-claims")
    opened = open_page(browser, path, "#id=grad:w5")
    try:
        page = opened.page
        claim = page.locator("#panel .claim")
        assert "verdict-wrong" in claim.get_attribute("class")
        assert "the activation's slope was left out" in claim.inner_text()
        assert "<img src=x onerror=alert(1)>" in claim.inner_text()
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        row = page.locator(f"#steplist button[data-index='{[s.id for s in trace.steps].index('grad:w5')}'] .badge")
        assert row.inner_text() == "wrong" and "verdict-wrong" in row.get_attribute("class")
        summary = page.inner_text("#claims-summary")
        assert "1 correct" in summary and "1 wrong" in summary and "1 rounding" in summary
        assert page.locator("#extras svg.series polyline").get_attribute("points").count(",") == 4
        assert "Loss over training" in page.inner_text("#extras")
        page.click("#claims-summary .verdict-ok")
        assert opened.state()["id"] == "out:H1"
        assert page.locator("#panel .claim").count() == 1
        page.keyboard.press("ArrowRight")
        assert page.locator("#panel .claim").count() == 0
        assert opened.dialogs == [] and opened.errors == []
    finally:
        opened.close()


def test_notebook_players_do_not_collide(browser, built, tmp_path):
    notes, _ = built("notes")
    mazur, _ = built("mazur")
    doc = tmp_path / "notebook.html"
    doc.write_text("<!doctype html><html><body><h1>two players</h1>" + html.notebook_html(notes, height=500)
                   + html.notebook_html(mazur, height=500) + "</body></html>", encoding="utf-8")
    context = browser.new_context(viewport={"width": 1100, "height": 1200})
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(doc.as_uri())
        frames = [page.frame_locator(f"iframe >> nth={i}") for i in range(2)]
        for f in frames:
            f.locator("html[data-ready]").wait_for()
        frames[0].locator("#btn-next").click()
        frames[0].locator("#btn-next").click()
        assert frames[0].locator("#panel").get_attribute("data-step-id") == notes.steps[2].id
        assert frames[1].locator("#panel").get_attribute("data-step-id") == mazur.steps[0].id
        frames[1].locator("#btn-last").click()
        assert frames[1].locator("#panel").get_attribute("data-step-id") == mazur.steps[-1].id
        assert frames[0].locator("#panel").get_attribute("data-step-id") == notes.steps[2].id
        assert frames[1].locator("[data-node='h1']").count() == 1 and frames[1].locator("[data-node='H1']").count() == 0
        assert errors == []
    finally:
        context.close()


def test_print_writes_every_step_without_controls(browser, built):
    trace, path = built("notes")
    opened = open_page(browser, path)
    try:
        page = opened.page
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.locator(".sol-step").count() == len(trace.steps)
        ids = page.evaluate("[...document.querySelectorAll('.sol-step')].map((e) => e.dataset.step)")
        assert ids == [s.id for s in trace.steps]
        for hidden in ("#btn-play", "#scrubber", "#steplist", "#panel"):
            assert not page.locator(hidden).is_visible(), hidden
        for shown in ("#forward-table-1", "#updates", "#questions", "#rounding", "#solution"):
            assert page.locator(shown).is_visible(), shown
        assert page.locator(".sol-step .katex").count() > len(trace.steps)
    finally:
        opened.close()


def test_solution_is_written_as_it_scrolls_into_view(browser, built):
    trace, path = built("mazur")
    opened = open_page(browser, path)
    try:
        count = "document.querySelectorAll('.sol-step').length"
        assert opened.page.evaluate(count) == 0                    # nothing written in the background
        for _ in range(60):
            if opened.page.evaluate(count) == len(trace.steps):
                break
            opened.page.mouse.wheel(0, 3000)
            opened.page.wait_for_timeout(100)
        assert opened.page.evaluate(count) == len(trace.steps)
        assert "Forward-pass table" in opened.page.inner_text("#forward-table-1")
    finally:
        opened.close()


def test_reduced_motion_and_colour_schemes(browser, built):
    _, path = built("notes")
    flow = "() => getComputedStyle(document.querySelector('[data-edge].active .flow')).animationName"
    bg = "() => getComputedStyle(document.body).backgroundColor"

    def luminance(css: str) -> float:
        r, g, b = (int(x) for x in re.findall(r"\d+", css)[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255

    calm = open_page(browser, path, "#id=net:Y1", reduced_motion="reduce", color_scheme="dark")
    lively = open_page(browser, path, "#id=net:Y1", reduced_motion="no-preference", color_scheme="light")
    try:
        assert calm.page.evaluate(flow) == "none"
        assert lively.page.evaluate(flow).startswith("flow-fwd")
        assert luminance(calm.page.evaluate(bg)) < 0.2 < 0.8 < luminance(lively.page.evaluate(bg))
    finally:
        calm.close()
        lively.close()


def test_keyboard_focus_is_visible_and_controls_are_labelled(browser, built):
    _, path = built("notes")
    opened = open_page(browser, path)
    try:
        page = opened.page
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        outline = page.evaluate("() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }")
        assert outline[0] != "none" and outline[1] != "0px"
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('button, input, select')]
            .filter((e) => !(e.getAttribute('aria-label') || e.textContent.trim() || e.labels?.length))
            .map((e) => e.outerHTML.slice(0, 80))""")
        assert unlabelled == []
        page.focus("#btn-next")
        page.keyboard.press("Space")                     # Space presses the focused button, no play
        state = opened.state()
        assert state["step"] == 1 and not state["playing"]
    finally:
        opened.close()


def test_number_format_matches_python(browser, built):
    """The page formats the numbers it computes itself (units, tables) exactly as the trace does."""
    trace, path = built("two_hidden_softmax")
    rng = random.Random(11)
    values = list(trace.values.values()) + [0.0, 1.0, -1.0, 1e-7, -3.5e-05, 0.00012345678, 123456789.0,
                                            9999999.5, 0.3775, 1e-6, 1e7, 2.5e-300, -0.0]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-9, 8) for _ in range(300)]
    values = [v for v in values if math.isfinite(v)]
    opened = open_page(browser, path)
    try:
        for digits in (4, 6, 9):
            got = opened.page.evaluate("([vs, d]) => vs.map((v) => window.handprop.fmtNumber(v, d))", [values, digits])
            want = [fmt_number(v, digits) for v in values]
            assert got == want
    finally:
        opened.close()


def test_katex_fonts_inlined_cover_every_formula(browser, built):
    """Every KaTeX font our formulas use is one of the fonts the page inlines.

    Every formula of problems with every activation and loss (and hostile names) is typeset in
    the page; the computed font of each piece of text names the font file it needs.
    """
    formulas = set()
    for name in ("notes", "two_hidden_softmax", "three_samples", "hostile", "wide_inputs"):
        trace, _ = built(name)
        for step in trace.to_json()["steps"]:
            formulas |= set(step["chain"]["latex"])
            formulas |= {t["latex"] for t in step["terms"]}
            formulas |= {m for f in step["forms"] for m in f["chain"]["latex"]}
    faces = {"KaTeX_Main": "Main", "KaTeX_Math": "Math", "KaTeX_AMS": "AMS", "KaTeX_Size1": "Size1",
             "KaTeX_Size2": "Size2", "KaTeX_Size3": "Size3", "KaTeX_Size4": "Size4"}
    _, path = built("notes")
    opened = open_page(browser, path)
    try:
        fonts = opened.page.evaluate("""(formulas) => {
            const box = document.createElement('div');
            document.body.append(box);
            for (const f of formulas) {
              const el = document.createElement('div');
              katex.render(f, el, {displayMode: true, throwOnError: true});
              box.append(el);
            }
            const seen = new Set();
            for (const el of box.querySelectorAll('.katex-html *')) {
              if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
              const s = getComputedStyle(el);
              seen.add([s.fontFamily.split(',')[0].trim(), s.fontWeight, s.fontStyle].join('|'));
            }
            return [...seen]; }""", sorted(formulas))
        assert opened.errors == []
    finally:
        opened.close()
    used = set()
    for entry in fonts:
        family, weight, style = entry.split("|")
        base = faces.get(family.strip('"'))
        assert base, f"a formula uses {family}, which the page does not inline"
        variant = "Bold" if int(weight) >= 600 else "Italic" if style == "italic" else "Regular"
        if base.startswith("Size") or base == "AMS":
            variant = "Regular"
        used.add(f"{base}-{variant}")
    assert used <= set(assets.KATEX_FONTS), used - set(assets.KATEX_FONTS)
    assert {"Main-Regular", "Math-Italic", "Size1-Regular"} <= used
