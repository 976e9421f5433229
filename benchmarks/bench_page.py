"""How fast the interactive page is, in real headless Chromium.  One command:

    python benchmarks/bench_page.py [--runs 7]

Prints, with the targets of issue 3:
- the bytes of the `notes` page (target under 1 MB);
- navigation to the first step drawn, median over fresh loads (target under 300 ms);
- a key press (a real one, through Chromium's input pipeline) to the formula panel updated,
  median (target under 16 ms);
- for a 784-16-16-10 network (random weights, matrix shorthand, one sample, sigmoid hidden,
  softmax + cross-entropy): the page's bytes, its load time (target under 2 s) and the time of
  a step, median and worst over steps in every phase (target under 50 ms).

Times are the page's own (performance.now in the page): the Python that writes the trace and
the page is timed separately and is not part of the targets.  "Panel updated" is the moment the
panel's data-step-id changes, seen by a MutationObserver, measured from the key event's
timestamp.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

WATCH = """() => {
  window.__keyAt = null; window.__lags = [];
  window.addEventListener('keydown', (e) => { window.__keyAt = [e.timeStamp, performance.now()]; }, true);
  new MutationObserver(() => {
    const now = performance.now();
    if (window.__keyAt !== null) window.__lags.push([now - window.__keyAt[0], now - window.__keyAt[1]]);
    window.__keyAt = null;
  }).observe(document.getElementById('panel'), {attributes: true, attributeFilter: ['data-step-id']});
}"""


def big_problem(seed: int = 0) -> dict:
    rng = random.Random(seed)
    sizes = [784, 16, 16, 10]
    layers = []
    for i in range(1, len(sizes)):
        W = [[round(rng.gauss(0, 0.1), 4) for _ in range(sizes[i - 1])] for _ in range(sizes[i])]
        layers.append({"size": sizes[i], "activation": "softmax" if i == len(sizes) - 1 else "sigmoid",
                       "W": W, "b": 0.1})
    targets = [0.0] * 10
    targets[3] = 1.0
    return {"title": "784-16-16-10 (random weights)", "inputs": 784, "layers": layers,
            "samples": [{"inputs": [round(rng.random(), 3) for _ in range(784)], "targets": targets}],
            "loss": "cross_entropy", "learning_rate": 0.1}


def load_time(browser, path: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-ready]", timeout=60_000)
        times.append(page.evaluate("window.handprop.firstDrawn"))
        context.close()
    return times


def key_lags(browser, path: Path, starts: list[str], presses: int) -> list[list[float]]:
    """Real right-arrow presses from each start step: [ms from the key event to the panel
    updated, ms of that spent in the page's handler (the rest is Chromium delivering the key)]."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    lags: list[float] = []
    for start in starts:
        page.goto(path.as_uri() + "#id=" + start)
        page.reload()
        page.wait_for_selector("html[data-ready]", timeout=60_000)
        page.wait_for_timeout(200)
        page.evaluate(WATCH)
        for _ in range(presses):
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(50)
        lags += page.evaluate("window.__lags")
    context.close()
    return lags


def verdict(value: float, target: float) -> str:
    return "ok" if value < target else "OVER TARGET"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the interactive page in Chromium.")
    parser.add_argument("--runs", type=int, default=7, help="fresh loads per page (default 7)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from handprop.solve.derive import explain
    from handprop.problem import load, parse
    from handprop.render.page.html import render

    chromium = os.environ.get("HANDPROP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        notes = explain(load("notes"))
        notes_page = tmp / "notes.html"
        notes_page.write_text(render(notes), encoding="utf-8")

        t0 = time.perf_counter()
        big = explain(parse(big_problem(), source="784-16-16-10"))
        t1 = time.perf_counter()
        big_html = render(big)
        t2 = time.perf_counter()
        big_page = tmp / "big.html"
        big_page.write_text(big_html, encoding="utf-8")

        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        notes_bytes = notes_page.stat().st_size
        notes_load = load_time(browser, notes_page, args.runs)
        ids = [s.id for s in notes.steps]
        notes_lags = key_lags(browser, notes_page, [ids[0], ids[len(ids) // 2]], 20)

        big_load = load_time(browser, big_page, max(3, args.runs // 2))
        by_phase = {}
        for s in big.steps:
            by_phase.setdefault(s.phase, s.id)
        starts = [big.steps[0].id, by_phase["loss"], by_phase["backward"],
                  big.steps[len(big.steps) // 3].id, by_phase["update"], big.steps[-6].id]
        big_lags = key_lags(browser, big_page, starts, 5)
        browser.close()

    med = statistics.median
    notes_handler = [h for _, h in notes_lags]
    notes_lags = [t for t, _ in notes_lags]
    big_handler = [h for _, h in big_lags]
    big_lags = [t for t, _ in big_lags]
    rows = [
        ("notes: page size", f"{notes_bytes / 1e6:.3f} MB", "< 1 MB", verdict(notes_bytes, 1e6)),
        ("notes: navigation -> first step drawn (median)", f"{med(notes_load):.0f} ms",
         "< 300 ms", verdict(med(notes_load), 300)),
        ("notes: key press -> panel updated (median)", f"{med(notes_lags):.1f} ms",
         "< 16 ms", verdict(med(notes_lags), 16)),
        ("notes:   of which the page's handler (median)", f"{med(notes_handler):.1f} ms", "", ""),
        ("784-16-16-10: page size", f"{big_page_bytes(big_html) / 1e6:.1f} MB ({len(big.steps)} steps)", "", ""),
        ("784-16-16-10: navigation -> first step drawn (median)", f"{med(big_load):.0f} ms",
         "< 2000 ms", verdict(med(big_load), 2000)),
        ("784-16-16-10: key press -> panel updated (median)", f"{med(big_lags):.1f} ms",
         "< 50 ms", verdict(med(big_lags), 50)),
        ("784-16-16-10:   of which the page's handler (median)", f"{med(big_handler):.1f} ms", "", ""),
        ("784-16-16-10: key press -> panel updated (worst)", f"{max(big_lags):.1f} ms", "", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"handprop page benchmark (Chromium, {args.runs} loads; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for name, value, target, flag in rows:
        print(f"  {name:<{width}}  {value:>24}  {target:>10}  {flag}")
    print(f"  (Python, not part of the targets: 784-16-16-10 trace {t1 - t0:.2f} s, page {t2 - t1:.2f} s)")
    print(f"  notes loads (ms): {', '.join(f'{x:.0f}' for x in notes_load)}")
    print(f"  784 loads (ms): {', '.join(f'{x:.0f}' for x in big_load)}")
    return 0


def big_page_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


if __name__ == "__main__":
    sys.exit(main())
