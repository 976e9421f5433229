"""The live editor's address and history in headless Chromium (``docs/editor.md``, "The address"):
the compressed ``v2=`` form (deflate-raw, base64url), ``v1=`` links still opened, an undecodable
address, rapid edits, undo and redo kept across a reload in ``history.state``, and an invalid
problem opened from the address (no good solution yet)."""
from __future__ import annotations

import base64
import json
import time
import zlib
from urllib.parse import parse_qs

import pytest

from test_editor_browser import Editor, server  # noqa: F401  (the server fixture: uvicorn on a free port)

pytestmark = pytest.mark.browser


def address(ed: Editor) -> dict[str, str]:
    """The parameters of the page's address (``v2``, ``v1``, ``id``)."""
    fragment = ed.js("location.hash").lstrip("#")
    return {k: v[0] for k, v in parse_qs(fragment, keep_blank_values=True).items()}


def decode_v2(text: str) -> dict:
    """``v2=``'s problem, decoded here (not by the page): base64url, then raw deflate, then JSON."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return json.loads(zlib.decompress(data, -15).decode("utf-8"))


def v1_of(problem: dict) -> str:
    """The v1 text of a problem, as the editor wrote it before v2 (JSON.stringify's separators)."""
    raw = json.dumps(problem, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_v1(text: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8"))


def until_address_is(ed: Editor, problem: dict, timeout: float = 10.0) -> dict[str, str]:
    """Wait until the address holds ``problem`` (as v2; the tests of v2 itself check that no v1 is
    left, the others read either, so that they fail for their own defect)."""
    deadline = time.monotonic() + timeout
    while True:
        params = address(ed)
        held = decode_v2(params["v2"]) if "v2" in params else decode_v1(params["v1"]) if "v1" in params else None
        if held == problem:
            return params
        if time.monotonic() > deadline:
            raise AssertionError(f"the address does not hold the problem: {params}")
        time.sleep(0.03)


def test_the_address_is_compressed_and_reproduces_the_state(browser, server):
    with Editor(browser, server) as ed:
        problem = ed.problem()
        params = until_address_is(ed, problem)
        assert "v1" not in params and "v2" in params
        notes_v2, notes_v1 = len(params["v2"]), len(v1_of(problem))
        assert notes_v2 < 0.6 * notes_v1, (notes_v2, notes_v1)
        ed.edit("weights.w3[2]", "-0.75")
        ed.page.click("#btn-next")
        for _ in range(6):
            ed.page.keyboard.press("ArrowRight")
        problem, values, at = ed.problem(), ed.values(), ed.step_id()
        assert problem["weights"]["w3"][2] == -0.75
        ed.until(f"location.hash.includes('id={at}')")
        params = until_address_is(ed, problem)
        assert params["id"] == at
        url = ed.page.url
        ed.page.reload()
        ed.started()
        assert ed.problem() == problem and ed.values() == values and ed.step_id() == at
        assert ed.page.url == url                      # nothing rewritten: the same address
        with Editor(browser, server, "#" + url.split("#", 1)[1]) as fresh:
            fresh.started()
            assert fresh.problem() == problem and fresh.values() == values and fresh.step_id() == at
            assert fresh.js("document.getElementById('ed-undo').disabled")    # a new context: no history
            assert not fresh.errors and not fresh.outside
        # a 4-8-8-3 network made with the architecture form: a few times shorter than v1
        big = ed.new_network(4, [8, 8], 3)
        assert [len(layer["units"]) for layer in big["layers"]] == [8, 8, 3]
        params = until_address_is(ed, big)
        big_v2, big_v1 = len(params["v2"]), len(v1_of(big))
        assert big_v2 < 0.3 * big_v1, (big_v2, big_v1)
        print(f"address lengths: notes v2 {notes_v2} (v1 {notes_v1}); 4-8-8-3 v2 {big_v2} (v1 {big_v1})")
        assert not ed.errors and not ed.outside


def test_v1_links_still_open_and_are_written_again_as_v2(browser, server):
    with Editor(browser, server) as ed:
        problem = ed.problem()
    problem["weights"]["w5"][2] = 0.625
    problem["title"] = "Shared before v2: ünïcode ✓"
    with Editor(browser, server, f"#v1={v1_of(problem)}&id=out:H2") as ed:
        ed.started()
        assert ed.problem()["weights"]["w5"][2] == 0.625
        assert ed.problem()["title"] == problem["title"]
        assert ed.step_id() == "out:H2"
        params = until_address_is(ed, ed.problem())
        assert "v1" not in params and "v2" in params and params["id"] == "out:H2"
        assert ed.js("handprop.editor.state.errors.length") == 0
        assert not ed.errors and not ed.outside


@pytest.mark.parametrize("fragment", ["#v2=%%%not-base64!&id=out:H1", "#v2=AAAAAAAAAAAA&id=out:H1",
                                      "#v1=bm90IGpzb24&id=out:H1"])
def test_an_undecodable_address_opens_the_default_problem_with_a_message(browser, server, notes, fragment):
    with Editor(browser, server, fragment) as ed:
        ed.started()
        assert ed.problem()["title"] == notes.title
        assert ed.js("handprop.editor.state.errors.length") == 0
        message = ed.js("document.getElementById('ed-status').textContent")
        assert "could not be opened" in message and "notes is shown instead" in message, message
        # the address now holds the problem shown, on the step asked for
        params = until_address_is(ed, ed.problem())
        assert ed.step_id() == "out:H1" and params["id"] == "out:H1"
        assert not ed.errors and not ed.outside


def test_an_address_that_inflates_without_end_is_refused(browser, server, notes):
    """A link of a few KB that inflates to 8 MB (more than any problem the server reads) is
    refused: the default problem, a message saying why, and the tab still answers."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = packer.compress(b'{"title": "' + b"a" * 8_000_000 + b'"}') + packer.flush()
    text = base64.urlsafe_b64encode(bomb).decode("ascii").rstrip("=")
    assert len(text) < 20_000
    with Editor(browser, server, "#v2=" + text) as ed:
        ed.started()
        assert ed.problem()["title"] == notes.title
        message = ed.js("document.getElementById('ed-status').textContent")
        assert "larger than any the server reads" in message and "notes is shown instead" in message, message
        assert ed.js("handprop.editor.state.problem.title.length") < 100


def test_rapid_edits_never_leave_an_older_problem_in_the_address(browser, server):
    with Editor(browser, server) as ed:
        until_address_is(ed, ed.problem())
        n = ed.edits()
        # twenty edits in one task, then an undo and a step: each packs a new address text
        ed.js("""(() => { const E = handprop.editor;
            for (let i = 1; i <= 20; i++) E.setAt(['weights', 'w1', 2], i / 100, 'w1');
            E.undo(); handprop.player.act.goto(5); })()""")
        ed.settle(n)
        final = ed.problem()
        assert final["weights"]["w1"][2] == 0.19
        until_address_is(ed, final)
        time.sleep(0.4)                       # the player's throttled address write comes after
        params = until_address_is(ed, final, timeout=0.1)
        assert params["id"] == ed.step_id()
        # edits typed one after another, without waiting for the answers
        n = ed.edits()
        for value in ("0.31", "0.32", "0.33"):
            ed.page.fill('[data-field="weights.w2[2]"]', value)
            ed.page.keyboard.press("Enter")
        ed.settle(n)
        assert ed.problem()["weights"]["w2"][2] == 0.33
        until_address_is(ed, ed.problem())
        time.sleep(0.3)
        until_address_is(ed, ed.problem(), timeout=0.1)
        assert not ed.errors


def test_undo_and_redo_survive_a_reload(browser, server):
    with Editor(browser, server) as ed:
        original = ed.problem()
        ed.edit("weights.w3[2]", "-0.5")
        first = ed.problem()
        ed.edit("weights.w4[2]", "0.8")
        second = ed.problem()
        ed.page.click("#btn-next")
        for _ in range(3):
            ed.page.keyboard.press("ArrowRight")   # the player's own replaceState keeps history.state
        at = ed.step_id()
        ed.until(f"location.hash.includes('id={at}')")
        until_address_is(ed, second)
        ed.until("history.state.handpropEditor.undo.length === 2")
        ed.page.reload()
        ed.started()
        assert ed.problem() == second and ed.step_id() == at
        assert not ed.js("document.getElementById('ed-undo').disabled")
        ed.js("document.activeElement && document.activeElement.blur()")
        n = ed.edits()
        ed.page.keyboard.press("Control+z")
        ed.settle(n)
        assert ed.problem() == first
        n = ed.edits()
        ed.page.click("#ed-undo")
        ed.settle(n)
        assert ed.problem() == original
        assert ed.js("document.getElementById('ed-undo').disabled")
        # and the redo stack across another reload
        until_address_is(ed, original)
        ed.page.reload()
        ed.started()
        assert ed.problem() == original
        ed.js("document.activeElement && document.activeElement.blur()")
        n = ed.edits()
        ed.page.keyboard.press("Control+Shift+z")
        ed.settle(n)
        assert ed.problem() == first
        # bounded: at most 200 entries kept, the newest
        ed.js("handprop.editor.state.undo = Array.from({ length: 300 }, (_, i) => JSON.stringify({ n: i }))")
        ed.edit("weights.w3[2]", "-0.25")
        until_address_is(ed, ed.problem())
        kept = ed.js("history.state.handpropEditor.undo")
        assert len(kept) == 200 and json.loads(kept[-1]) == first
        assert not ed.errors and not ed.outside


def test_history_of_another_problem_is_not_restored(browser, server):
    with Editor(browser, server) as ed:
        ed.edit("weights.w3[2]", "-0.5")
        problem = ed.problem()
        until_address_is(ed, problem)
        # the address changed by hand to another problem (history.state kept by replaceState)
        other = json.loads(json.dumps(problem))
        other["weights"]["w3"][2] = 0.125
        ed.js(f"history.replaceState(history.state, '', '#v1={v1_of(other)}')")
        ed.page.reload()
        ed.started()
        assert ed.problem()["weights"]["w3"][2] == 0.125
        assert ed.js("handprop.editor.state.undo.length") == 0
        assert ed.js("document.getElementById('ed-undo').disabled")


def test_an_invalid_problem_after_a_reload_says_so_and_is_solved_once_mended(browser, server, notes):
    with Editor(browser, server) as ed:
        values = ed.values()
        ed.edit("weights.w5[2]", "abc")
        assert ed.js("handprop.editor.state.errors.length") > 0
        assert "last good solution stays" in ed.js("document.getElementById('ed-errors').textContent")
        until_address_is(ed, ed.problem())
        ed.page.reload()
        ed.started()
        assert ed.js("!handprop.editor.state.good && !handprop.player")
        banner = ed.js("document.getElementById('ed-errors').textContent")
        assert not ed.js("document.getElementById('ed-errors').hidden")
        assert "This problem has errors" in banner and "mend the marked fields" in banner, banner
        assert "last good solution" not in banner
        field = ed.page.locator('[data-field="weights.w5[2]"]')
        assert field.get_attribute("aria-invalid") == "true"
        assert field.input_value() == "abc"
        message = ed.js("document.getElementById(document.querySelector('[data-field=\"weights.w5[2]\"]')"
                        ".getAttribute('aria-describedby')).textContent")
        assert "abc" in message
        assert ed.js("document.getElementById('title').textContent") == notes.title
        # mended: solved and drawn as usual
        ed.edit("weights.w5[2]", "0.4")
        assert ed.js("handprop.editor.state.errors.length") == 0
        assert ed.js("document.getElementById('ed-errors').hidden")
        assert not ed.js("document.documentElement.classList.contains('ed-invalid')")
        assert ed.values() == values
        assert ed.js("document.querySelectorAll('#network [data-edge]').length") == 8
        assert ed.js("document.querySelectorAll('#steplist .sval').length") > 0
        assert ed.js("document.querySelectorAll('.field-error').length") == 0
        assert [e for e in ed.errors if "status of 422" not in e] == [] and not ed.outside
