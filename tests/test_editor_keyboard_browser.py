"""The live editor by keyboard and its problem files, in headless Chromium (``docs/editor.md``,
"Files" and "Keyboard, screen readers, phones"): a JSON file with a key given twice is refused
with the CLI's own message; the drawing's tab stops show the page's focus ring; Tab follows
what is seen (the toolbar, the drawing and the player, then the forms of values).  The server
and the page helpers are test_editor_browser's."""
from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from cli_run import cli_error_of as cli_error
from test_editor_browser import Editor, server  # noqa: F401  (server: the module's fixture)

pytestmark = pytest.mark.browser

TWICE = "is given twice; keep one (the file reader would silently use the last)"


def page_error(ed: Editor, text: str) -> str | None:
    """readProblem's message for ``text`` read as a .json file (None: read)."""
    return ed.js(f"(() => {{ try {{ readProblem({json.dumps(text)}, 'p.json'); return null; }} "
                 "catch (e) { return e.message; } })()")


def network(sizes: list[int]) -> dict:
    """A problem of named units and weights (the CLI's long form) with the layer sizes given."""
    inputs = [f"x{i + 1}" for i in range(sizes[0])]
    layers, weights, biases = [], {}, {}
    before = inputs
    for k, n in enumerate(sizes[1:]):
        last = k == len(sizes) - 2
        units = [f"Y{j + 1}" if last else f"H{k + 1}_{j + 1}" for j in range(n)]
        layers.append({"units": units, "activation": "sigmoid"})
        for u in units:
            for v in before:
                weights[f"w{len(weights) + 1}"] = [v, u, round(((len(weights) * 37) % 17 - 8) / 20, 3)]
        biases[f"b{k + 1}"] = [units, 0.1]
        before = units
    return {"title": "a wide network", "inputs": inputs, "layers": layers, "weights": weights, "biases": biases,
            "samples": [{"inputs": [0.1] * sizes[0], "targets": [0.5] * sizes[-1]}], "loss": "half_sse",
            "learning_rate": 0.5}


# ---------------------------------------------------------------- 1. keys given twice in JSON


def test_a_json_key_given_twice_is_refused_with_the_clis_words(browser, server, tmp_path):  # noqa: F811
    with Editor(browser, server) as ed:
        notes = ed.problem()
        body = json.dumps(notes, indent=1)
        assert body.startswith("{\n") and '"weights": {\n' in body and '"samples": [\n  {\n' in body
        cases = {
            # learning_rate at the top twice
            "top": body.replace("{\n", '{\n "learning_rate": 0.1,\n', 1),
            # a weight twice inside "weights"
            "weight": body.replace('"weights": {\n', '"weights": {\n  "w5": ["H1", "Y1", 0.9],\n', 1),
            # the same key once written with escapes: "\u0061" is "a"
            "escaped": body.replace("{\n", '{\n "learning\\u005frate": 0.1,\n', 1),
            "escaped-weight": body.replace('"weights": {\n', '"weights": {\n  "\\u00775": ["H1", "Y1", 0.9],\n', 1),
            # nested: a sample's "inputs" twice
            "nested": body.replace('"samples": [\n  {\n', '"samples": [\n  {\n   "inputs": [1, 2],\n', 1),
            # an object both repeats a key and holds one that does: the outer one is named
            "outer-first": body.replace('"weights": {\n', '"weights": {\n  "w1": {"a": 1, "a": 2},\n', 1),
            # a name that needs quoting in Python's repr
            "quoted": body.replace("{\n", '{\n "it\'s": 1,\n "it\\u0027s": 2,\n', 1),
        }
        for name, text in cases.items():
            path = tmp_path / f"{name}.json"
            path.write_text(text, encoding="utf-8")
            want = cli_error(path)
            assert TWICE in want, (name, want)
            assert page_error(ed, text) == want, name
        assert cli_error(tmp_path / "top.json") == f"learning_rate: the key 'learning_rate' {TWICE}"
        assert cli_error(tmp_path / "weight.json") == f"weights.w5: the key 'w5' {TWICE}"
        assert cli_error(tmp_path / "nested.json") == f"samples[0].inputs: the key 'inputs' {TWICE}"
        # keys alike only in text that is not a key, or in different objects, are no repetition
        fine = body.replace("{\n", '{\n "note": "{\\"learning_rate\\": 1, \\"learning_rate\\": 2} \\\\",\n', 1)
        assert page_error(ed, fine) is None
        assert ed.js(f"readProblem({json.dumps(fine)}, 'p.json').note").startswith('{"learning_rate"')
        assert page_error(ed, body) is None          # "inputs" at the top and in each sample
        assert page_error(ed, '{"a": {"b": 1}, "b": {"a": 1}, "c": [{"a": 1}, {"a": 2}]}') is None
        # a JSON syntax error is still JSON.parse's
        assert "JSON" in page_error(ed, '{"a": 1, "a": }')

        # uploaded: refused where a YAML file's errors are shown, and nothing changes
        for name in ("top", "weight"):
            n = ed.edits()
            ed.page.set_input_files("#ed-open", str(tmp_path / f"{name}.json"))
            ed.until("!document.getElementById('ed-errors').hidden && "
                     "document.getElementById('ed-errors').textContent.includes('given twice')")
            shown = ed.js("document.getElementById('ed-errors').textContent")
            assert f"{name}.json: {cli_error(tmp_path / f'{name}.json')}" in shown
            assert ed.edits() == n and ed.problem() == notes
        # as a YAML file with a key twice is (the same place, the same way)
        yaml = tmp_path / "twice.yaml"
        yaml.write_text(ed.js(f"writeProblem({json.dumps(notes)}, 'yaml')") + "learning_rate: 0.1\n", encoding="utf-8")
        ed.page.set_input_files("#ed-open", str(yaml))
        ed.until("document.getElementById('ed-errors').textContent.includes('twice.yaml: ')")
        assert not ed.errors and not ed.outside


def test_a_large_json_problem_is_read_whole_and_a_late_key_twice_found(browser, server, tmp_path):  # noqa: F811
    """How fast: benchmarks/bench_editor.py (the reader against JSON.parse of the same text)."""
    with Editor(browser, server) as ed:
        big = network([16, 16, 16, 10])
        assert len(big["weights"]) == 16 * 16 + 16 * 16 + 16 * 10
        text = json.dumps(big, indent=2)
        assert ed.js(f"readProblem({json.dumps(text)}, 'big.json')") == big
        # the last weight given twice, at the end of the file, is still found, as the CLI finds it
        last = f"w{len(big['weights'])}"
        twice = text.replace('"weights": {\n', f'"weights": {{\n    "{last}": ["H2_1", "Y1", 0.3],\n', 1)
        path = tmp_path / "big-twice.json"
        path.write_text(twice, encoding="utf-8")
        assert page_error(ed, twice) == cli_error(path) == f"weights.{last}: the key '{last}' {TWICE}"
        # megabytes, with long strings full of escapes
        huge = dict(big, description=('a \\"quoted\\" \\\\ {[,:]} ' * 60000))
        huge_text = json.dumps(huge)
        assert len(huge_text) > 1_500_000
        assert ed.page.evaluate("(text) => readProblem(text, 'huge.json')", huge_text) == huge
        # and the upload of the 16-16-16-10 file takes the problem in
        up = tmp_path / "big.json"
        up.write_text(text, encoding="utf-8")
        n = ed.edits()
        ed.page.set_input_files("#ed-open", str(up))
        ed.until(f"Number(document.documentElement.getAttribute('data-edits')) > {n}")
        assert len(ed.problem()["weights"]) == len(big["weights"])


# ---------------------------------------------------------------- 2. the focus ring on the drawing


RING = """(sel) => {
  const el = document.querySelector('#network ' + sel);
  const c = (e) => e ? getComputedStyle(e) : null;
  const ring = el.querySelector(':scope > .focus-ring'), gap = el.querySelector(':scope > .focus-gap');
  const s = c(el), r = c(ring), g = c(gap);
  return { focused: document.activeElement === el, visible: el.matches(':focus-visible'),
           outline: [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor],
           ring: r && [r.display, r.stroke, parseFloat(r.strokeWidth), r.vectorEffect],
           gap: g && [g.display, g.stroke, parseFloat(g.strokeWidth)],
           box: el.getBoundingClientRect().toJSON() };
}"""

FOCUSABLE = {"edge": '[data-edge="w5"]', "bias": '.bias[data-node="b1"]', "input": '.unit[data-node="x1"]',
             "target": "text.target"}


def ring_width(look: dict) -> float:
    """How wide the focus indicator of an element is, in CSS pixels (0: none shown)."""
    if look["ring"] is None:                                  # a text: its outline
        return look["outline"][1] if look["outline"][0] == "solid" else 0
    if look["ring"][0] == "none":
        return 0
    if look["gap"] is not None:                               # a band either side of a gap
        return (look["ring"][2] - look["gap"][2]) / 2
    return look["ring"][2]


def focus_colour_pixels(png: bytes, colour: str) -> int:
    """How many pixels of the screenshot are the focus colour ("rgb(r, g, b)")."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    want = [int(v) for v in colour[colour.index("(") + 1:-1].split(",")[:3]]
    data = image.tobytes()
    r, g, b = want
    return sum(1 for i in range(0, len(data), 3)
               if abs(data[i] - r) <= 24 and abs(data[i + 1] - g) <= 24 and abs(data[i + 2] - b) <= 24)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_drawings_tab_stops_show_the_pages_focus_ring(browser, server, scheme, device):  # noqa: F811
    size = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}[device]
    extra = {"is_mobile": True, "has_touch": True} if device == "phone" else {}
    with Editor(browser, server, viewport=size, color_scheme=scheme, **extra) as ed:
        ed.until("document.querySelector('#network [data-edge=\"w5\"][tabindex=\"0\"]')")
        # the page's ring: a button reached by Tab
        ed.page.focus("#ed-example")
        ed.page.keyboard.press("Tab")
        assert ed.js("document.activeElement.id") == "ed-new"
        button = ed.js("(() => { const s = getComputedStyle(document.activeElement); "
                       "return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; })()")
        assert button[0] == "solid" and button[1] >= 3
        focus = button[2]
        ed.page.locator("#network").scroll_into_view_if_needed()
        plain = ed.page.locator("#network").screenshot()
        for kind, sel in FOCUSABLE.items():
            before = ed.js(f"({RING})({json.dumps(sel)})")
            assert not before["focused"] and ring_width(before) == 0, (kind, before)
            # reached by the keyboard: from the element before it in the tab order, Tab
            ed.js(f"""(() => {{ const all = [...document.querySelectorAll('[tabindex="0"], button, input, select')]
                .filter((e) => !e.disabled && e.getClientRects().length);
                const el = document.querySelector('#network ' + {json.dumps(sel)});
                all[all.indexOf(el) - 1].focus(); }})()""")
            ed.page.keyboard.press("Tab")
            look = ed.js(f"({RING})({json.dumps(sel)})")
            assert look["focused"] and look["visible"], (kind, look)
            assert ring_width(look) >= 3, (kind, look)
            colour = look["outline"][2] if look["ring"] is None else look["ring"][1]
            assert colour == focus, (kind, colour, focus)                # the page's colour
            if look["ring"] is not None:
                assert look["ring"][3] == "non-scaling-stroke"           # 3 px on any screen
                assert look["gap"] is None or look["gap"][0] != "none"
            ed.page.wait_for_timeout(350 if kind == "edge" else 100)     # the drawing's transitions
            if kind == "edge":
                shot = ed.page.locator("#network").screenshot()
                # the ring is seen: pixels of the focus colour along the edge (two bands of 3 px,
                # but where the label lies over them), none before
                along = look["box"]["width"]
                assert focus_colour_pixels(shot, focus) > focus_colour_pixels(plain, focus) + along
                # and the weight's label is still drawn, over the ring, in bold
                label = ed.js("""(() => { const l = document.querySelector('#network [data-label-of="w5"]');
                    return [getComputedStyle(l).display, l.classList.contains('focus-mate'),
                            getComputedStyle(l.querySelector('.elabel-text')).fontWeight,
                            l.compareDocumentPosition(document.querySelector('#network [data-edge="w5"]'))]; })()""")
                assert label[0] != "none" and label[1] and int(label[2]) >= 700
                assert label[3] & 2                                       # the edge is drawn before (under) it
        ed.page.keyboard.press("Tab")                                     # leaving: the label is plain again
        assert not ed.js("document.querySelector('#network .focus-mate')")
        assert not ed.errors and not ed.outside


# ---------------------------------------------------------------- 3. the order of Tab


def test_tab_goes_from_the_toolbar_to_the_drawing_and_the_player_then_the_forms(browser, server):  # noqa: F811
    with Editor(browser, server) as ed:
        ed.until("document.querySelector('#network [data-edge][tabindex=\"0\"]')")
        assert ed.js("document.querySelectorAll('[tabindex]:not([tabindex=\"0\"]):not([tabindex=\"-1\"])').length") == 0
        last = ed.js("[...document.querySelectorAll('.toolbar button, .toolbar select, .toolbar input')].pop().id")
        assert last == "ed-download"
        ed.page.focus("#ed-download")
        where = """(() => { const e = document.activeElement;
            return e.closest('#network') ? 'drawing' : e.closest('.player') ? 'player' : e.closest('#editor') ? 'forms'
                 : e.closest('#tables') ? 'tables' : e.closest('.toolbar') ? 'toolbar' : e.tagName; })()"""
        ed.page.keyboard.press("Tab")
        assert ed.js(where) == "drawing"
        assert ed.js("document.activeElement.getAttribute('aria-label')").startswith("Edit weight")
        seen = ["drawing"]
        for _ in range(300):
            ed.page.keyboard.press("Tab")
            part = ed.js(where)
            if part != seen[-1]:
                seen.append(part)
            if part == "forms":
                break
        assert seen == ["drawing", "player", "forms"], seen
        # and back: Shift+Tab from the drawing's first stop is the toolbar's last control
        ed.page.focus("#ed-download")
        ed.page.keyboard.press("Tab")
        ed.page.keyboard.press("Shift+Tab")
        assert ed.js("document.activeElement.id") == "ed-download"
        # what is seen is in the same order: the drawing above the player's controls above the forms
        top = ed.js("['#network', '.controls', '#editor', '#tables'].map((s) => document.querySelector(s)"
                    ".getBoundingClientRect().top)")
        assert top == sorted(top)


@pytest.mark.browser
def test_a_screen_reader_finds_the_drawings_buttons(browser, server):  # noqa: F811
    """The editor's drawing is a group of buttons, not an image (whose content a screen reader
    passes over): the accessibility tree Chromium builds has each "Edit ..." button in it."""
    with Editor(browser, server) as ed:
        assert ed.js("document.querySelector('#network svg').getAttribute('role')") == "group"
        cdp = ed.page.context.new_cdp_session(ed.page)
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
        buttons = {n["name"]["value"] for n in nodes
                   if n.get("role", {}).get("value") == "button" and not n.get("ignored")
                   and n.get("name", {}).get("value", "").startswith("Edit ")}
        assert any("w5" in b for b in buttons) and any("b1" in b for b in buttons), sorted(buttons)[:10]
