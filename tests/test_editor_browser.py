"""The live editor (``handprop serve``, ``render/page/editor.py``) in headless Chromium, against
the running server: uvicorn serving ``handprop.server:app`` on a free loopback port, started by
the fixture and stopped at the end (``docs/editor.md``)."""
from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from page_fixtures import HOSTILE, hostile_names

pytestmark = pytest.mark.browser

APP = os.environ.get("HANDPROP_EDITOR_APP", "handprop.server:app")
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """The server's base address (``http://127.0.0.1:PORT``), serving until the module ends."""
    module = APP.split(":")[0]
    if importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("fastapi") is None:
        pytest.skip("uvicorn and fastapi are not installed (make demo installs them)")
    try:
        found = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        found = None
    if found is None:
        pytest.skip(f"{module} is not installed")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", APP, "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/api/examples", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    pytest.fail(f"the server did not start: {out[-2000:]}")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class Editor:
    """One editor page, the requests it made, and helpers that wait without evaluating strings
    in the page (its Content-Security-Policy forbids eval, so no wait_for_function)."""

    def __init__(self, browser, base: str, fragment: str = "", context=None, **options):
        self.base = base
        self.own = context is None
        self.context = context or browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        origin = urlsplit(base)

        def route(r):
            u = urlsplit(r.request.url)
            if u.scheme in ("data", "blob") or (u.scheme, u.netloc) == (origin.scheme, origin.netloc):
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()
        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(base + "/" + fragment)
        self.until("document.documentElement.getAttribute('data-edits') !== null")

    def js(self, expr: str):
        return self.page.evaluate(expr)

    def until(self, expr: str, timeout: float = 15.0):
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(f"(() => {{ try {{ return {expr}; }} catch (e) {{ return false; }} }})()")
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expr}")
            time.sleep(0.03)

    def edits(self) -> int:
        return int(self.js("document.documentElement.getAttribute('data-edits') || 0"))

    def settle(self, before: int):
        """Wait until the editor answered every edit since ``before``."""
        self.until(f"Number(document.documentElement.getAttribute('data-edits')) > {before} && "
                   "handprop.editor.state.shown === handprop.editor.state.seq")

    def problem(self) -> dict:
        return self.js("handprop.editor.state.problem")

    def started(self):
        """After a (re)load: the page answered its first solve."""
        self.until("document.documentElement.getAttribute('data-edits') !== null && "
                   "handprop.editor.state.seq > 0 && handprop.editor.state.shown === handprop.editor.state.seq")

    def edit(self, field: str, value: str):
        """``value`` typed into the form's ``field`` (as the person does: then Tab), answered."""
        n = self.edits()
        self.page.fill(f'[data-field="{field}"]', value)
        self.page.keyboard.press("Tab")
        self.settle(n)

    def step_id(self) -> str:
        return self.js("handprop.player.model.trace.steps[handprop.player.state.step].id")

    def new_network(self, inputs: int, hidden: list[int], outputs: int, **choices: str) -> dict:
        """A network made with "New network…": the architecture form filled (``choices``: its
        selects, ``hidden_act="tanh"`` for ``#arch-hidden-act``) and made; the new problem."""
        if self.js("document.getElementById('ed-arch').hidden"):
            self.page.click("#ed-new")
        self.page.fill("#arch-inputs", str(inputs))
        self.page.fill("#arch-hidden", ", ".join(map(str, hidden)))
        self.page.fill("#arch-outputs", str(outputs))
        for name, value in choices.items():
            self.page.select_option(f"#arch-{name.replace('_', '-')}", value)
        n = self.edits()
        self.page.click("#arch-make")
        self.settle(n)
        return self.problem()

    def values(self) -> dict:
        return self.js("handprop.player.model.trace.values")

    def __enter__(self) -> "Editor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self):
        if self.own:
            self.context.close()
        else:
            self.page.close()


def explain_json(tmp_path: Path, problem: dict, name: str = "problem.json") -> dict:
    """``handprop explain FILE --format json`` of ``problem`` written as a file."""
    path = tmp_path / name
    path.write_text(json.dumps(problem), encoding="utf-8")
    out = tmp_path / (name + ".trace.json")
    subprocess.run([sys.executable, "-m", "handprop.cli", "explain", str(path), "--format", "json", "-o", str(out)],
                   check=True, cwd=tmp_path)
    return json.loads(out.read_text(encoding="utf-8"))


def shown_values(ed: Editor) -> list[str]:
    """The value of every step as the step list shows it (all rows drawn: a small trace)."""
    return ed.js("[...document.querySelectorAll('#steplist .sval')].map((e) => e.textContent)")


def test_edit_a_weight_on_the_drawing_equals_the_cli(browser, server, tmp_path):
    with Editor(browser, server) as ed:
        ed.page.keyboard.press("End")
        step_before = ed.js("handprop.player.state.step")
        id_before = ed.js("handprop.player.model.trace.steps[handprop.player.state.step].id")
        n = ed.edits()
        ed.page.click('#network [data-edge="w5"] .wire', force=True)
        ed.until("!document.getElementById('ed-pop').hidden")
        assert ed.js("document.activeElement.id") == "ed-pop-input"
        assert ed.js("document.getElementById('ed-pop-label').textContent").startswith("weight w5")
        ed.page.fill("#ed-pop-input", "0.9")
        ed.page.keyboard.press("Enter")
        ed.settle(n)
        problem = ed.problem()
        assert problem["weights"]["w5"][2] == 0.9
        cli = explain_json(tmp_path, problem)
        assert ed.values() == cli["values"]
        assert shown_values(ed) == [s["chain"]["text"][-1] for s in cli["steps"]]
        # the step the person was on stays where it is
        assert ed.js("handprop.player.state.step") == step_before
        assert ed.js("handprop.player.model.trace.steps[handprop.player.state.step].id") == id_before
        assert ed.js("document.getElementById('panel').getAttribute('data-step-id')") == id_before
        value = ed.js("document.querySelector('#panel [data-role=value]').textContent")
        assert value == cli["steps"][step_before]["substituted"].split(" = ")[-1]
        assert not ed.errors and not ed.outside


def test_add_a_hidden_unit_gives_a_valid_new_solution(browser, server, tmp_path):
    with Editor(browser, server) as ed:
        n = ed.edits()
        ed.page.click('button[aria-label="Add a unit to hidden layer 1"]')
        ed.settle(n)
        problem = ed.problem()
        assert problem["layers"][0]["units"] == ["H1", "H2", "H3"]
        assert len(problem["weights"]) == 12
        assert "H3" in problem["biases"]["b1"][0]
        assert ed.js("handprop.editor.state.errors.length") == 0
        assert ed.js("!!document.querySelector('#network [data-node=\"H3\"]')")
        cli = explain_json(tmp_path, problem)
        assert ed.values() == cli["values"]
        assert "net:H3" in cli["values"]
        # and a layer, then undo both
        n = ed.edits()
        ed.page.click("text=Add a hidden layer")
        ed.settle(n)
        assert len(ed.problem()["layers"]) == 3
        assert explain_json(tmp_path, ed.problem(), "three.json")["values"] == ed.values()
        n = ed.edits()
        ed.page.click("#ed-undo")
        ed.settle(n)
        assert ed.problem() == problem
        n = ed.edits()
        ed.page.click("#ed-redo")
        ed.settle(n)
        assert len(ed.problem()["layers"]) == 3
        # a unit chosen by its own × goes, not the last: an input from the middle, with its values
        for _ in range(2):
            n = ed.edits()
            ed.page.click("#ed-undo")
            ed.settle(n)
        n = ed.edits()
        ed.page.click('button[aria-label="Remove unit H1"]')
        ed.settle(n)
        fewer = ed.problem()
        assert fewer["layers"][0]["units"] == ["H2"]
        assert sorted(w[:2] for w in fewer["weights"].values()) == [
            ["H2", "Y1"], ["H2", "Y2"], ["x1", "H2"], ["x2", "H2"]]
        assert fewer["biases"]["b1"][0] == ["H2"]
        assert explain_json(tmp_path, fewer, "fewer.json")["values"] == ed.values()
        assert ed.js("document.querySelector('button[aria-label=\"Remove unit H2\"]').disabled")
        n = ed.edits()
        ed.page.click('button[aria-label="Remove unit x1"]')
        ed.settle(n)
        inputs = ed.problem()
        assert inputs["inputs"] == ["x2"] and inputs["samples"][0]["inputs"] in ([0.10], {"x2": 0.10})
        assert explain_json(tmp_path, inputs, "inputs.json")["values"] == ed.values()
        assert not ed.errors and not ed.outside


def test_invalid_input_is_marked_at_its_field_and_the_last_solution_stays(browser, server):
    with Editor(browser, server) as ed:
        values = ed.values()
        n = ed.edits()
        ed.page.fill('[data-field="weights.w5[2]"]', "abc")
        ed.page.keyboard.press("Tab")
        ed.settle(n)
        field = ed.page.locator('[data-field="weights.w5[2]"]')
        assert field.get_attribute("aria-invalid") == "true"
        message = ed.js("document.getElementById(document.querySelector('[data-field=\"weights.w5[2]\"]')"
                        ".getAttribute('aria-describedby')).textContent")
        assert "expected a number" in message and "abc" in message
        # next to its field
        assert ed.js("document.querySelector('[data-field=\"weights.w5[2]\"]').nextElementSibling.className") == "field-error"
        assert ed.values() == values
        assert ed.js("document.querySelectorAll('#network [data-edge]').length") == 8
        # mended, then another invalid value at another field: a learning rate below 0
        n = ed.edits()
        ed.page.click("#ed-undo")
        ed.settle(n)
        assert ed.js("document.querySelectorAll('.field-error').length") == 0
        n = ed.edits()
        ed.page.fill('[data-field="learning_rate"]', "-1")
        ed.page.keyboard.press("Tab")
        ed.settle(n)
        assert ed.js("document.querySelector('[data-field=\"learning_rate\"]').getAttribute('aria-invalid')") == "true"
        assert "negative" in ed.js("document.querySelector('[data-field=\"learning_rate\"]').nextElementSibling.textContent")
        assert ed.values() == values
        # a second wrong field while the first is still wrong: both marked, each with its message
        n = ed.edits()
        ed.page.fill('[data-field="weights.w6[2]"]', "big")
        ed.page.keyboard.press("Tab")
        ed.settle(n)
        marked = ed.js("[...document.querySelectorAll('[aria-invalid=\"true\"]')].map((e) => e.dataset.field)")
        assert {"learning_rate", "weights.w6[2]"} <= set(marked), marked
        assert "negative" in ed.js("document.querySelector('[data-field=\"learning_rate\"]').nextElementSibling.textContent")
        assert "big" in ed.js("document.querySelector('[data-field=\"weights.w6[2]\"]').nextElementSibling.textContent")
        assert ed.values() == values
        for _ in range(2):
            n = ed.edits()
            ed.page.click("#ed-undo")
            ed.settle(n)
        assert ed.js("handprop.editor.state.errors.length") == 0
        assert ed.js("document.querySelectorAll('.field-error').length") == 0
        assert ed.values() == values


def test_solve_it_yourself_grades_as_handprop_check(browser, server, tmp_path):
    with Editor(browser, server) as ed:
        ed.page.click("#ed-solve")
        assert ed.js("document.documentElement.classList.contains('solving')")
        assert ed.js("getComputedStyle(document.querySelector('#panel .panel-body')).visibility") == "hidden"
        assert ed.js("getComputedStyle(document.querySelector('#steplist .sval')).visibility") == "hidden"
        assert ed.js("document.activeElement.id") == "solve-input"
        answers = {"net:H1": "0.0275", "out:H1": "0.5069"}
        for step_id, typed in answers.items():
            ed.js(f"handprop.player.act.goto(handprop.player.model.index.get({json.dumps(step_id)}))")
            ed.until(f"document.getElementById('solve-step').getAttribute('data-step-id') === {json.dumps(step_id)}")
            ed.page.locator("#solve-input").press_sequentially(typed)
        ed.until("Object.keys(handprop.solve.state.grades).length === 2")
        # nothing tells the value of the step: not the screen reader's announcement either
        exact = ed.js("handprop.player.model.trace.steps[handprop.player.state.step].chain.text.slice(-1)[0]")
        assert exact not in ed.js("document.getElementById('announce').textContent")
        assert ed.js("document.getElementById('announce').textContent").startswith("Step 3 of 42: Output of H1")
        claims = tmp_path / "claims.txt"
        claims.write_text(ed.js("handprop.solve.claimsText()"), encoding="utf-8")
        assert claims.read_text(encoding="utf-8") == "net:H1 = 0.0275\nout:H1 = 0.5069\n"
        out = subprocess.run([sys.executable, "-m", "handprop.cli", "check", str(claims), "--problem", "notes",
                              "--format", "json"], capture_output=True, text=True, cwd=tmp_path)
        cli = {c["id"]: c for c in json.loads(out.stdout)["claims"]}
        grades = ed.js("handprop.solve.state.grades")
        for step_id in answers:
            assert grades[step_id]["verdict"] == cli[step_id]["verdict"]
            assert grades[step_id]["diagnosis"] == cli[step_id]["diagnosis"]
        assert cli["net:H1"]["verdict"] == "wrong" and cli["out:H1"]["verdict"] == "carried"
        # shown for the step the person is on
        box = ed.js("document.getElementById('solve-verdict').textContent")
        assert cli["out:H1"]["diagnosis"] in box
        assert "2 of 42 steps answered" in ed.js("document.getElementById('solve-progress').textContent")
        ed.page.click("#solve-reveal")
        assert ed.js("getComputedStyle(document.querySelector('#panel .panel-body')).visibility") == "visible"
        # at the last step every gradient is known: the drawing still tells no sign and no size
        ed.js("handprop.player.act.goto(handprop.player.model.trace.steps.length - 1)")
        ed.until("document.querySelectorAll('#network .edge.grad-neg, #network .edge.grad-pos').length === 8")
        looks = ed.js("""[...document.querySelectorAll('#network .edge .wire')].map(w => {
            const c = getComputedStyle(w); return [c.stroke, c.strokeWidth, c.strokeDasharray].join('|'); })""")
        assert len(set(looks)) == 1, looks
        assert ed.js("[...document.querySelectorAll('.key-pos, .key-neg')].every(k => !k.offsetParent)")
        ed.page.click("#ed-solve")          # the solution shown again: the signs come back
        ed.until("!document.documentElement.classList.contains('solving')")
        looks = ed.js("""[...document.querySelectorAll('#network .edge .wire')].map(w => {
            const c = getComputedStyle(w); return [c.stroke, c.strokeWidth, c.strokeDasharray].join('|'); })""")
        assert len(set(looks)) > 1, looks
        assert not ed.errors and not ed.outside


def test_names_that_are_html_or_script_stay_text(browser, server, tmp_path):
    problem = hostile_names()
    with Editor(browser, server) as ed:
        fragment = "#v1=" + ed.js(f"handprop.editor.b64urlEncode(JSON.stringify({json.dumps(problem)}))")
    with Editor(browser, server, fragment) as ed:
        ed.until("handprop.editor.state.good")
        assert ed.js("handprop.editor.state.errors.length") == 0, ed.js("handprop.editor.state.errors")
        assert ed.js("document.getElementById('title').textContent") == ed.problem()["title"]
        assert not ed.dialogs
        assert ed.js("document.querySelectorAll('img').length") == 0
        assert ed.js("document.querySelectorAll('b').length") == 0
        # the page's only inline script is KaTeX (allowed by its hash); none came from a name
        inline = ed.js("[...document.scripts].filter((s) => !s.src && s.type !== 'application/json').map((s) => s.text)")
        assert len(inline) == 1 and "katex" in inline[0] and "alert(" not in inline[0]
        form = ed.js("document.getElementById('ed-form').textContent")
        for name in HOSTILE:
            assert name in form
        drawn = ed.js("[...document.querySelectorAll('#network [data-node]')].map((e) => e.getAttribute('data-node'))")
        assert set(HOSTILE) <= set(drawn)
        # editing a weight named </script> through the drawing
        n = ed.edits()
        ed.page.click('#network [data-edge="</script>"] .wire', force=True)
        ed.page.fill("#ed-pop-input", "0.42")
        ed.page.keyboard.press("Enter")
        ed.settle(n)
        assert ed.problem()["weights"]["</script>"][2] == 0.42
        assert explain_json(tmp_path, ed.problem())["values"] == ed.values()
        assert not ed.dialogs and not ed.outside


def test_no_request_leaves_the_origin(browser, server):
    with Editor(browser, server) as ed:
        n = ed.edits()
        ed.page.click('button[aria-label="Add a unit to the output layer"]')
        ed.settle(n)
        ed.page.click("#ed-solve")
        ed.page.locator("#solve-input").press_sequentially("0.4")
        ed.until("Object.keys(handprop.solve.state.grades).length === 1")
        ed.page.click("#ed-solve")
        with ed.page.expect_download() as dl:
            ed.page.select_option("#ed-format", "markdown")
            ed.page.click("#ed-download")
        assert dl.value.suggested_filename.endswith(".md")
        ed.js("window.scrollTo(0, document.body.scrollHeight)")
        time.sleep(0.3)
        assert ed.outside == []
        # KaTeX and its fonts came from the server itself
        assert ed.js("typeof katex") == "object"
        assert ed.js("document.fonts.check('16px KaTeX_Main')")


def test_keyboard_edits_a_value_of_the_drawing(browser, server):
    with Editor(browser, server) as ed:
        ed.js("document.querySelector('#network [data-edge=\"w2\"]').focus()")
        assert ed.js("document.activeElement.getAttribute('aria-label')").startswith("Edit weight w2")
        ed.page.keyboard.press("Enter")
        ed.until("document.activeElement.id === 'ed-pop-input'")
        ed.page.keyboard.press("Escape")
        ed.until("document.getElementById('ed-pop').hidden")
        assert ed.js("document.activeElement.getAttribute('data-edge')") == "w2"
        ed.page.keyboard.press("Enter")
        ed.until("document.activeElement.id === 'ed-pop-input'")
        n = ed.edits()
        ed.page.keyboard.type("0.5")
        ed.page.keyboard.press("Enter")
        ed.settle(n)
        assert ed.problem()["weights"]["w2"][2] == 0.5
        ed.page.focus("#ed-undo")
        ed.page.keyboard.press("Shift+Tab")
        ed.page.keyboard.press("Tab")          # reached by the keyboard: the focus ring shows
        assert ed.js("document.activeElement.id") == "ed-undo"
        assert ed.js("getComputedStyle(document.activeElement).outlineStyle") == "solid"
        assert ed.js("parseFloat(getComputedStyle(document.activeElement).outlineWidth)") >= 2
        n = ed.edits()
        ed.page.keyboard.press("Enter")
        ed.settle(n)
        assert ed.problem()["weights"]["w2"][2] == 0.2
        # every input of the form has a name for screen readers
        unnamed = ed.js("[...document.querySelectorAll('#ed-form input, #ed-form select')].filter((e) => "
                        "!e.getAttribute('aria-label') && !e.closest('label')).length")
        assert unnamed == 0


@pytest.mark.parametrize("fmt", ["yaml", "json", "toml"])
def test_problem_files_round_trip_through_the_cli(browser, server, tmp_path, fmt):
    with Editor(browser, server) as ed:
        hostile = hostile_names()
        hostile["title"] = hostile["title"].replace("\ud800", "")     # a file holds no lone surrogate
        for name, problem in (("notes", ed.problem()), ("hostile", hostile)):
            text = ed.js(f"writeProblem({json.dumps(problem)}, {json.dumps(fmt)})")
            assert ed.js(f"readProblem({json.dumps(text)}, 'p.{fmt}')") == problem
            path = tmp_path / f"{name}.{fmt}"
            path.write_text(text, encoding="utf-8")
            out = tmp_path / f"{name}.{fmt}.json"
            subprocess.run([sys.executable, "-m", "handprop.cli", "explain", str(path), "--format", "json", "-o", str(out)],
                           check=True, cwd=tmp_path)
            read = json.loads(out.read_text(encoding="utf-8"))["problem"]
            want = explain_json(tmp_path, problem, f"{name}-direct.json")["problem"]
            assert read == want
        # the built-in's own file, as the CLI reads it, opened in the editor
        source = (ROOT / "src/handprop/problem/examples/notes.yaml").read_text(encoding="utf-8")
        assert ed.js(f"readProblem({json.dumps(source)}, 'notes.yaml')")["weights"]["w5"] == ["H1", "Y1", 0.4]
        # uploading a file
        path = tmp_path / f"up.{fmt}"
        changed = ed.problem()
        changed["learning_rate"] = 0.25
        path.write_text(ed.js(f"writeProblem({json.dumps(changed)}, {json.dumps(fmt)})"), encoding="utf-8")
        n = ed.edits()
        ed.page.set_input_files("#ed-open", str(path))
        ed.settle(n)
        assert ed.problem()["learning_rate"] == 0.25
        with ed.page.expect_download() as dl:
            ed.page.select_option("#ed-save-as", fmt)
            ed.page.click("#ed-save")
        saved = tmp_path / f"saved.{fmt}"
        dl.value.save_as(saved)
        assert ed.js(f"readProblem({json.dumps(saved.read_text(encoding='utf-8'))}, 'p.{fmt}')") == ed.problem()


def test_a_new_network_from_its_architecture_and_the_phone_layout(browser, server, tmp_path):
    with Editor(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) as ed:
        ed.page.click("#ed-new")
        acts = ed.js("[...document.querySelectorAll('#arch-hidden-act option')].map((o) => o.value)")
        from handprop.nn.activations import ACTIVATIONS
        assert set(acts) == {a.name for a in ACTIVATIONS.values() if not a.output_only}
        problem = ed.new_network(3, [4, 2], 2, hidden_act="tanh", out_act="softmax", loss="cross_entropy",
                                 bias="unit")
        assert ed.js("handprop.editor.state.errors") == []
        assert [len(l["units"]) for l in problem["layers"]] == [4, 2, 2]
        assert explain_json(tmp_path, problem)["values"] == ed.values()
        # nothing of the page is wider than the phone
        assert ed.js("document.documentElement.scrollWidth") <= 390
        # a value tapped on the drawing opens its box docked at the bottom
        ed.page.tap('#network [data-edge="w1"] .wire', force=True)
        ed.until("!document.getElementById('ed-pop').hidden")
        assert ed.js("document.getElementById('ed-pop').classList.contains('docked')")
        box = ed.page.locator("#ed-pop").bounding_box()
        assert box["y"] + box["height"] <= 844 and box["width"] <= 390
        assert not ed.errors and not ed.outside
