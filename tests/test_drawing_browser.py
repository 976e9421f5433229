"""The network drawing at every size, measured in Chromium: no text meets another text or a
node, at phone, laptop and desktop widths, for networks from 2-2-2 to 784-16-16-10.

For each network of the catalogue (tests/page_catalogue.py) and each width, the page is
stepped through (every step; a spread sample of the 784-16-16-10's 26,000) and at each step
every drawn text's box (getBoundingClientRect) is held against every other text's and every
circle (units, inputs, bias nodes, the bias input, collapsed stand-ins).  A label the drawing
has no room for is not drawn, and the step's own weight or bias is then written under it.
"""
from __future__ import annotations

import pytest

from handprop.render.page import html
from handprop.solve.derive import explain

from page_catalogue import CATALOGUE, OVERLAPS
from page_fixtures import open_page

pytestmark = pytest.mark.browser

WIDTHS = {"notes": (360, 390, 1024, 1440, 1920), "softmax_232_per_unit": (390, 1024, 1440),
          "net_3442": (390, 1024, 1440), "net_4883": (360, 390, 1024, 1440, 1920),
          "net_784": (390, 1024, 1440)}
# steps measured at most (spread over the whole trace, with the first step of every kind)
SAMPLED = {("net_784", w): 80 for w in (390, 1024, 1440)} | {("net_4883", w): 120 for w in (360, 390, 1024, 1920)}
CASES = [(name, w) for name, widths in WIDTHS.items() for w in widths]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    root = tmp_path_factory.mktemp("catalogue")
    cache: dict = {}

    def get(name):
        if name not in cache:
            trace = explain(CATALOGUE[name]())
            path = root / f"{name}.html"
            path.write_text(html.render(trace), encoding="utf-8")
            cache[name] = (trace, path)
        return cache[name]
    return get


def steps_to_check(trace, name, width) -> list[int]:
    n = len(trace.steps)
    most = SAMPLED.get((name, width))
    if most is None or n <= most:
        return list(range(n))
    chosen = {round(i * (n - 1) / (most - 1)) for i in range(most)}
    kinds = {}
    for i, s in enumerate(trace.steps):                  # the first step of every kind too
        kinds.setdefault((s.phase, s.subject.kind), i)
    return sorted(chosen | set(kinds.values()))


WALK = """([src, steps, tol]) => {
  const measure = eval(src);
  const act = window.handprop.player.act;
  const out = [];
  const own = [];
  for (const i of steps) {
    act.goto(i);
    const bad = measure(tol);
    const step = window.handprop.player.model.trace.steps[i];
    if (bad.length) out.push([step.id, bad.slice(0, 5)]);
    if (step.subject.kind === 'grad' || step.subject.kind === 'new') {
      // the step's own weight or bias: its label is drawn, or written under the drawing
      const label = document.querySelector('#network .elabel.own, #network .blabel.own');
      const drawn = label && label.getBoundingClientRect().width > 0;
      const under = document.querySelector('#netstatus .edge-line').textContent;
      const name = step.subject.name;
      if (label && !drawn && !under.includes(name)) own.push(step.id);
    }
  }
  return [out, own];
}"""


@pytest.mark.parametrize("name,width", CASES, ids=[f"{n}-{w}" for n, w in CASES])
def test_no_text_overlaps(browser, catalogue, name, width):
    trace, path = catalogue(name)
    opened = open_page(browser, path, viewport={"width": width, "height": 900 if width > 600 else 844},
                       reduced_motion="reduce")
    try:
        page = opened.page
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.wait_for_timeout(50)
        steps = steps_to_check(trace, name, width)
        overlaps, lost = page.evaluate(WALK, [OVERLAPS, steps, 0.5])
        assert overlaps == [], f"{len(overlaps)} of {len(steps)} steps: {overlaps[:3]}"
        assert lost == [], lost[:5]
        assert opened.errors == [] and opened.external == []
    finally:
        opened.close()


def test_per_unit_biases_hang_from_one_bias_input(browser, catalogue):
    """2-3-2 with one bias per unit: one bias input a layer, an edge to each unit, each the
    step's focus when its unit's net is computed."""
    trace, path = catalogue("softmax_232_per_unit")
    opened = open_page(browser, path, "#id=net:H2")
    try:
        page = opened.page
        assert page.locator(".bias-hub").count() == 2
        assert page.locator(".bias-edge[data-node]").count() == 5
        assert page.evaluate("[...document.querySelectorAll('.bias-edge.active')].map((e) => e.dataset.node)") == ["b2"]
        label = page.locator(".blabel-edge.active")
        assert label.count() == 1 and "b2" in label.text_content()
    finally:
        opened.close()
