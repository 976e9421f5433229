"""Shared by the page tests: one headless Chromium per test session, pages built once, problems.

The ``browser`` fixture itself lives in conftest.py (one per session for every module: two
Playwright sync loops cannot run in one process); import the others into a test module
(``from page_fixtures import built, open_page  # noqa``).
"""
from __future__ import annotations

import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from handprop.solve.derive import explain
from handprop.problem import load, parse
from handprop.render.page import html

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    return os.environ.get("HANDPROP_CHROMIUM") or shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def launch_browser():
    """One headless Chromium (a generator: the session fixture ``browser`` of conftest.py
    wraps it, so every test module shares one browser and one Playwright loop)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


# ---------------------------------------------------------------- problems


def _matrix(sizes: list[int], activations: list[str], rng: random.Random, bias: Any = 0.1) -> dict:
    layers = []
    for i in range(1, len(sizes)):
        W = [[round(rng.uniform(-0.8, 0.8), 3) for _ in range(sizes[i - 1])] for _ in range(sizes[i])]
        b = [round(rng.uniform(-0.3, 0.3), 3) for _ in range(sizes[i])] if bias == "per-unit" else bias
        layers.append({"size": sizes[i], "activation": activations[i - 1], "W": W, "b": b})
    return {"inputs": sizes[0], "layers": layers}


def two_hidden_softmax() -> dict:
    """2-3-2-3: tanh, relu, softmax + cross-entropy; one bias per unit in the first layer."""
    rng = random.Random(3)
    p = _matrix([2, 3, 2, 3], ["tanh", "leaky_relu", "softmax"], rng)
    p["layers"][0]["b"] = [0.1, -0.2, 0.3]
    p["samples"] = [{"inputs": [0.5, -0.3], "targets": [0, 1, 0]}]
    p.update(loss="cross_entropy", learning_rate=0.3, update_biases=True)
    return p


def three_samples() -> dict:
    """2-2-2 sigmoid with three samples, mean over the batch."""
    rng = random.Random(5)
    p = _matrix([2, 2, 2], ["sigmoid", "sigmoid"], rng, bias=0.25)
    p["samples"] = [{"inputs": [0.05, 0.1], "targets": [0.01, 0.99]},
                    {"inputs": [0.9, -0.4], "targets": [0.7, 0.2]},
                    {"inputs": [0.3, 0.3], "targets": [0.5, 0.5]}]
    p.update(loss="mse", learning_rate=0.5, batch="mean")
    return p


def wide_inputs() -> dict:
    """30 inputs: more than a column draws, so the input column is collapsed (relu, bce)."""
    rng = random.Random(7)
    p = _matrix([30, 3, 2], ["relu", "sigmoid"], rng)
    p["samples"] = [{"inputs": [round(rng.uniform(0, 1), 2) for _ in range(30)], "targets": [0.2, 0.9]}]
    p.update(loss="bce", learning_rate=0.1)
    return p


HOSTILE = ["<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", '"quotes"', "&amp;",
           "it's <b>bold</b>", "a = b"]


def hostile_names() -> dict:
    """Every name is HTML or script; the page must show them as text."""
    x1, x2, h1, h2, y1, y2 = HOSTILE
    weights = {f"w<{i}>": [a, b, round(0.1 * i, 2)] for i, (a, b) in enumerate(
        [(x1, h1), (x2, h1), (x1, h2), (x2, h2), (h1, y1), (h1, y2), (h2, y1), (h2, y2)], start=1)}
    weights["</script>"] = weights.pop("w<1>")
    return {"title": "<script>alert('title')</script> & \u2028 names \x1b[31m\u202e\ud800",
            "description": "<img src=y onerror=alert(2)>\n# not a heading \x9b2J",
            "inputs": [x1, x2], "layers": [{"units": [h1, h2], "activation": "sigmoid"},
                                           {"units": [y1, y2], "activation": "sigmoid"}],
            "weights": weights, "biases": {"<b>b1</b>": [[h1, h2], 0.35], "b2 & co": [[y1, y2], 0.6]},
            "samples": [{"inputs": [0.05, 0.1], "targets": [0.01, 0.99]}],
            "loss": "half_sse", "learning_rate": 0.5, "update_biases": True}


PROBLEMS = {"notes": lambda: load("notes"), "mazur": lambda: load("mazur"),
            "two_hidden_softmax": lambda: parse(two_hidden_softmax(), source="two_hidden_softmax"),
            "three_samples": lambda: parse(three_samples(), source="three_samples"),
            "wide_inputs": lambda: parse(wide_inputs(), source="wide_inputs"),
            "hostile": lambda: parse(hostile_names(), source="hostile")}


@dataclass
class Built:
    """Pages written once per session: name -> (trace, path)."""

    root: Path
    cache: dict[str, Any] = field(default_factory=dict)

    def __call__(self, name: str, extras: dict | None = None, tag: str = ""):
        key = name + tag
        if key not in self.cache:
            trace = explain(PROBLEMS[name]())
            path = self.root / f"{key}.html"
            path.write_text(html.render(trace, extras=extras), encoding="utf-8")
            self.cache[key] = (trace, path)
        return self.cache[key]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Built:
    return Built(tmp_path_factory.mktemp("pages"))


# ---------------------------------------------------------------- a page with its log


@dataclass
class Opened:
    page: Any
    context: Any
    external: list[str] = field(default_factory=list)     # non-file, non-data requests
    errors: list[str] = field(default_factory=list)       # console errors and page errors
    dialogs: list[str] = field(default_factory=list)

    def state(self) -> dict:
        return self.page.evaluate(SNAPSHOT)

    def walk(self, presses: int, real_keys: bool = True) -> list[dict]:
        """Press the right arrow ``presses`` times; the page's state before and after each press.

        With real keys each press goes through Chromium's input pipeline and a MutationObserver
        records the state as each step is drawn (one round trip a press); otherwise the keydown
        events are dispatched inside the page (the same handler, no round trips at all).
        """
        if not real_keys:
            return self.page.evaluate("""([src, n]) => { const snap = eval(src); const out = [snap()];
                for (let i = 0; i < n; i++) {
                  document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}));
                  out.push(snap());
                }
                return out; }""", [SNAPSHOT, presses])
        self.page.evaluate("""(src) => { const snap = eval(src); window.__snaps = [snap()];
            new MutationObserver(() => window.__snaps.push(snap())).observe(
              document.getElementById('panel'), {attributes: true, attributeFilter: ['data-step-id']}); }""",
                           SNAPSHOT)
        for _ in range(presses):
            self.page.keyboard.press("ArrowRight")
        return self.page.evaluate("window.__snaps")

    def close(self):
        self.context.close()


LOCAL = ("file:", "data:", "about:", "blob:")

SNAPSHOT = """() => {
  const panel = document.getElementById('panel');
  const value = panel.querySelector('[data-role=value]');
  const pick = (sel, attr) => [...document.querySelectorAll(sel)].map((e) => e.getAttribute(attr));
  return {id: panel.getAttribute('data-step-id'), value: value ? value.textContent : null,
          nodes: pick('[data-node].active', 'data-node'), edges: pick('[data-edge].active', 'data-edge'),
          groups: pick('[data-collapsed].active', 'data-collapsed'),
          bundles: pick('[data-bundle].active', 'data-bundle'), hash: location.hash,
          step: window.handprop.player.state.step, playing: window.handprop.player.state.playing};
}"""


def open_page(browser, path: Path, fragment: str = "", **context_options) -> Opened:
    """``path`` in a fresh context: every request that is not file/data is recorded and aborted."""
    context_options.setdefault("viewport", {"width": 1280, "height": 800})
    context = browser.new_context(**context_options)
    page = context.new_page()
    opened = Opened(page, context)

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            opened.external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("request", lambda req: None if req.url.startswith(LOCAL) or req.url in opened.external
            else opened.external.append(req.url))
    page.on("console", lambda m: opened.errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(f"pageerror: {e}"))

    def dialog(d):
        opened.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(path.as_uri() + fragment)
    page.wait_for_selector("html[data-ready]", timeout=20_000)
    return opened
