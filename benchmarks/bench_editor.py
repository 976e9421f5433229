"""The live editor: an edit redrawn in Chromium (issue 12's target: under 100 ms at p95).

    python benchmarks/bench_editor.py [EDITS]

Starts ``uvicorn handprop.server:app`` on a free loopback port and headless Chromium, opens the
editor and makes EDITS edits (default 60) of one weight each, typed into the table of values
(a new random value each time, so no answer comes from the server's caches), on the built-in
``notes`` and on a 4-8-8-3 network made from its architecture.  For each edit the page records
(editor.js, ``handprop.editor.state.timings``): from the edit to the next frame after the new
solution is drawn (the player's drawing, panel, step list and the editor's forms), of which the
server's answer (request, solve, payload, JSON) and the drawing.  Printed: p50 / p95 / max of each.

Then the editor's reader of a JSON problem file (``readProblem``, which finds a key given twice
as the CLI does) on a 16-16-16-10 problem and on one with a 1.5 MB description full of escapes,
against the browser's ``JSON.parse`` of the same text (median of 7): one pass, so a few times
``JSON.parse`` (target: within 20 times).
"""
from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def until(page, expr: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(f"(() => {{ try {{ return {expr}; }} catch (e) {{ return false; }} }})()"):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {expr}")
        time.sleep(0.005)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(page, label: str, edits: int, rng: random.Random) -> None:
    names = page.evaluate("Object.keys(handprop.editor.state.problem.weights)")
    page.evaluate("handprop.editor.state.timings.length = 0")
    for i in range(edits):
        name = names[i % len(names)]
        seq = page.evaluate("handprop.editor.state.seq")
        field = page.locator(f'[data-field="weights.{name}[2]"]')
        field.fill(f"{rng.uniform(-0.9, 0.9):.4f}")
        field.press("Enter")
        until(page, f"handprop.editor.state.seq > {seq} && handprop.editor.state.shown === handprop.editor.state.seq "
                    f"&& handprop.editor.state.timings.length > {i}")
    timings = page.evaluate("handprop.editor.state.timings")
    steps = page.evaluate("handprop.player.model.trace.steps.length")
    total, server, drawing = (list(x) for x in zip(*timings))
    print(f"{label}: {len(timings)} edits, {steps} steps")
    for what, xs in (("edit to redrawn", total), ("  the server's answer", server), ("  the drawing", drawing)):
        print(f"  {what:22s} p50 {statistics.median(xs):6.1f} ms   p95 {pct(xs, 0.95):6.1f} ms   max {max(xs):6.1f} ms")
    print(f"  target: p95 under 100 ms: {'met' if pct(total, 0.95) < 100 else 'NOT met'}")


READ = """(text) => {
  const median = (read) => { const times = [];
    for (let k = 0; k < 7; k++) { const t = performance.now(); read(); times.push(performance.now() - t); }
    return times.sort((a, b) => a - b)[3]; };
  return [median(() => readProblem(text, 'p.json')), median(() => JSON.parse(text))]; }"""


def reading(page, label: str, text: str) -> None:
    ours, parse = page.evaluate(READ, text)
    met = "met" if ours <= 20 * parse + 2 else "NOT met"
    print(f"reading {label} ({len(text):,} characters): {ours:.1f} ms, JSON.parse {parse:.1f} ms "
          f"({ours / max(parse, 0.1):.1f} times)   target: within 20 times: {met}")


def make(page, inputs: int, hidden: str, outputs: int) -> None:
    """A network from the architecture form ("New network…"), its solution drawn."""
    if page.evaluate("document.getElementById('ed-arch').hidden"):
        page.click("#ed-new")
    page.fill("#arch-inputs", str(inputs))
    page.fill("#arch-hidden", hidden)
    page.fill("#arch-outputs", str(outputs))
    seq = page.evaluate("handprop.editor.state.seq")
    page.click("#arch-make")
    until(page, f"handprop.editor.state.shown > {seq}")


def main() -> None:
    edits = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    from playwright.sync_api import sync_playwright
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "handprop.server:app", "--host", "127.0.0.1",
                               "--port", str(port), "--log-level", "warning"])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/api/examples", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.1)
        chromium = os.environ.get("HANDPROP_CHROMIUM") or "/usr/bin/chromium"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(base + "/")
            until(page, "handprop.editor.state.shown > 0")
            rng = random.Random(12)
            run(page, "notes (2-2-2)", edits, rng)
            make(page, 4, "8, 8", 3)
            run(page, "4-8-8-3 from its architecture", edits, rng)
            make(page, 16, "16, 16", 10)
            wide = page.evaluate("JSON.stringify(handprop.editor.state.problem, null, 2)")
            reading(page, "a 16-16-16-10 problem", wide)
            escaped = page.evaluate("""JSON.stringify(Object.assign({}, handprop.editor.state.problem,
                {description: 'a \\"quoted\\" \\\\ {[,:]} '.repeat(60000)}))""")
            reading(page, "it with a long description of escapes", escaped)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
