"""The training page (`handprop train --format html`) in headless Chromium.

The truth: the History computed in Python (loss and weights at each recorded
step) and the worked solution of the problem at a recorded step (`explain`).
"""
from __future__ import annotations

import re

import pytest

from handprop.solve.derive import explain
from handprop.problem import load
from handprop.training import page as train_html
from handprop.training.history import train


pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def mazur_run():
    return train(load("mazur"), 1000, every=100)


@pytest.fixture(scope="module")
def mazur_page(mazur_run, tmp_path_factory):
    path = tmp_path_factory.mktemp("train") / "mazur-train.html"
    path.write_text(train_html.render(mazur_run), encoding="utf-8")
    return path


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.route(re.compile(r"^(https?|wss?)://"), lambda route: (errors.append(route.request.url), route.abort()))
    page.goto(url)
    page.wait_for_selector("html[data-ready='1'][data-train-ready='1']")
    return page, errors


def _marker(page) -> tuple[float, float]:
    return tuple(float(v) for v in page.eval_on_selector(
        "[data-train=marker]", "e => [e.getAttribute('cx'), e.getAttribute('cy')]"))


def _edges(page) -> dict[str, tuple[float, str, str]]:
    """Each drawn weight: (stroke width, class, its title)."""
    return {name: (float(w), cls, title) for name, w, cls, title in page.eval_on_selector_all(
        "[data-train-edge]", "es => es.map(e => [e.dataset.trainEdge, e.getAttribute('stroke-width'), "
                             "e.getAttribute('class'), e.textContent])")}


def _scrub(page, i: int) -> None:
    page.eval_on_selector("#train-scrubber",
                          f"e => {{ e.value = {i}; e.dispatchEvent(new Event('input', {{bubbles: true}})); }}")


def _check_weights(edges, run, i) -> None:
    """Titles carry the weights of recorded step i; the thickest edge is the largest |w|."""
    for name, (_, cls, title) in edges.items():
        value = run.parameters[name][i]
        shown = float(title.split(" = ")[1])
        assert shown == pytest.approx(value, rel=1e-5, abs=1e-12), name
        assert cls == ("pos" if value >= 0 else "neg")
    thickest = max(edges, key=lambda n: edges[n][0])
    assert thickest == max(edges, key=lambda n: abs(run.parameters[n][i]))


def test_scrubbing_moves_the_marker_and_redraws_the_weights(browser, mazur_page, mazur_run):
    page, errors = _open(browser, mazur_page.as_uri())
    try:
        assert page.inner_text("#training h2") == "Training: 1,000 steps"
        before_marker, before_edges = _marker(page), _edges(page)
        assert set(before_edges) == {f"w{i}" for i in range(1, 9)}
        _check_weights(before_edges, mazur_run, 0)
        assert "step 0 of 1,000" in page.inner_text("#train-readout")
        _scrub(page, 10)
        after_marker, after_edges = _marker(page), _edges(page)
        assert after_marker[0] > before_marker[0] + 100        # later: to the right
        assert after_marker[1] > before_marker[1] + 50         # lower loss: further down
        _check_weights(after_edges, mazur_run, 10)
        assert after_edges["w5"][0] > before_edges["w5"][0]    # |w5| grew from 0.4
        assert after_edges["w5"][1] == "neg" and before_edges["w5"][1] == "pos"
        readout = page.inner_text("#train-readout")
        assert "step 1,000 of 1,000" in readout
        assert float(readout.split("loss ")[1]) == pytest.approx(mazur_run.loss[10], rel=1e-8)
        assert "log scale" in page.inner_text("#training")
        assert errors == []
    finally:
        page.close()


def test_explain_shows_the_worked_solution_of_the_chosen_step(browser, mazur_page, mazur_run):
    page, errors = _open(browser, mazur_page.as_uri())
    try:
        _scrub(page, 3)
        assert page.inner_text("#train-explain") == "Explain step 300"
        page.click("#train-explain")
        page.wait_for_url(re.compile(r"train-step=3"))
        page.wait_for_selector("html[data-ready='1'][data-train-ready='1']")
        expected = explain(mazur_run.problem_at(3))
        shown = page.evaluate("() => handprop.player.model.trace.values")
        for key in ("net:h1", "E:total", "grad:w1", "grad:w5", "new:w8"):
            assert shown[key] == expected.values[key]
        assert page.eval_on_selector("#train-scrubber", "e => Number(e.value)") == 3
        assert page.is_disabled("#train-explain")
        assert "300" in page.inner_text("#lead")
        assert errors == []
    finally:
        page.close()


def test_explained_steps_fit_the_budget():
    assert train_html.explained_indices(11, 50_000) == list(range(11))
    spread = train_html.explained_indices(1001, 50_000)
    assert spread[0] == 0 and spread[-1] == 1000 and len(spread) == train_html.MAX_EXPLAINED
    assert train_html.explained_indices(101, 30_000_000) == [0]
    few = train_html.explained_indices(101, train_html.TRACE_BUDGET // 5)
    assert few == [0, 25, 50, 75, 100]


def test_large_layers_are_drawn_in_part():
    from handprop.problem import parse
    data = {"inputs": 20, "layers": [{"size": 3, "activation": "sigmoid", "W": [[0.1] * 20] * 3}],
            "samples": [{"inputs": [0.5] * 20, "targets": [0.1, 0.2, 0.3]}]}
    run = train(parse(data), 5)
    net = train_html.network(run)
    inputs = net["columns"][0]
    assert len(inputs) == train_html.SHOWN_UNITS and inputs[-1] == {"name": "x20", "more": 8}
    assert len(net["edges"]) == train_html.SHOWN_UNITS * 3
    assert all(len(v) == len(run.recorded_steps) for v in net["values"].values())


def test_cli_writes_the_training_page(cli, tmp_path):
    target = tmp_path / "run.html"
    code, out, _ = cli("train", "mazur", "-n", "200", "-o", str(target))
    assert code == 0 and out == ""
    page = target.read_text(encoding="utf-8")
    assert 'id="handprop-train"' in page and 'id="handprop-payload"' in page
    assert page.index('id="handprop-train-traces"') < page.index("handprop.start()")


def test_a_one_step_run_is_headed_one_step(browser, tmp_path):
    path = tmp_path / "one.html"
    path.write_text(train_html.render(train(load("notes"), 1)), encoding="utf-8")
    page, errors = _open(browser, path.as_uri())
    try:
        assert page.inner_text("#training h2") == "Training: 1 step"
        assert not errors
    finally:
        page.close()
