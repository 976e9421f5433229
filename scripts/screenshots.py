"""Screenshots of the `notes` page for a person to look at: a forward, a backward and an update
step, on a 1280x800 desktop and a 390x844 phone, light and dark, into ``screenshots/``.

    python scripts/screenshots.py [--out screenshots] [--problem notes] [--dark]

Needs Chromium (Debian's /usr/bin/chromium, or $HANDPROP_CHROMIUM) and the playwright package.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STEPS = {"forward": "net:Y1", "backward": "grad:w1", "update": "new:w5"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    parser.add_argument("--problem", default="notes")
    parser.add_argument("--dark", action="store_true", help="also take each in the dark colour scheme")
    parser.add_argument("--full", action="store_true", help="whole pages, not just the first screen")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from handprop.solve.derive import explain
    from handprop.problem import load
    from handprop.render.page.html import render

    trace = explain(load(args.problem))
    ids = {s.id for s in trace.steps}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("HANDPROP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_path = Path(tmp) / f"{args.problem}.html"
        page_path.write_text(render(trace), encoding="utf-8")
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        schemes = ["light", "dark"] if args.dark else ["light"]
        for scheme in schemes:
            for device, viewport in VIEWPORTS.items():
                context = browser.new_context(viewport=viewport, color_scheme=scheme,
                                              is_mobile=device == "phone", reduced_motion="reduce")
                page = context.new_page()
                for phase, step_id in STEPS.items():
                    if step_id not in ids:   # another problem: the first step of that phase
                        step_id = next(s.id for s in trace.steps if s.phase == phase)
                    page.goto(page_path.as_uri() + "#id=" + step_id)
                    page.reload()
                    page.wait_for_selector("html[data-ready]")
                    page.evaluate("document.fonts.ready")
                    name = f"{args.problem}-{phase}-{device}" + ("-dark" if scheme == "dark" else "") + ".png"
                    page.screenshot(path=str(out / name), full_page=args.full)
                    print(out / name)
                context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
