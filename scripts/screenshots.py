"""Screenshots of the pages for a person to look at, into ``screenshots/``:

- the `notes` page at a forward, a backward and an update step, on a 1440x900 desktop and a
  390x844 phone (light; ``--dark`` adds the dark colour scheme);
- every network of the drawing's catalogue (tests/page_catalogue.py: 2-3-2 with per-unit biases,
  3-4-4-2, 4-8-8-3, 784-16-16-10) at a backward step and at the end, desktop and phone;
- the ids shown ("show ids" on), desktop and phone;
- the print preview (print media, the whole page), full and compact, and page 1 of each PDF;
- a simulated deuteranopia (an SVG feColorMatrix filter applied by page CSS) of the player and
  of the training page, beside the same without it.

    python scripts/screenshots.py [--out screenshots] [--dark] [--full] [--only notes,ids,...]

Needs Chromium (Debian's /usr/bin/chromium, or $HANDPROP_CHROMIUM) and the playwright package;
pdftoppm (poppler-utils) for the PDF pages.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))       # the catalogue of networks the tests measure

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STEPS = {"forward": "net:Y1", "backward": "grad:w1", "update": "new:w5"}
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
PARTS = ("notes", "catalogue", "ids", "print", "deuteranopia")

# Machado, Oliveira & Fernandes (2009), deuteranopia at full severity
DEUTERANOPIA = ("0.367322 0.860646 -0.227968 0 0  0.280085 0.672501 0.047413 0 0  "
                "-0.011820 0.042940 0.968881 0 0  0 0 0 1 0")
SIMULATE = f"""() => {{
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('style', 'position:absolute;width:0;height:0');
  svg.innerHTML = '<filter id="handprop-deuteranopia" color-interpolation-filters="linearRGB">' +
    '<feColorMatrix type="matrix" values="{DEUTERANOPIA}"/></filter>';
  document.body.append(svg);
  const style = document.createElement('style');
  style.textContent = 'html {{ filter: url(#handprop-deuteranopia); }}';
  document.head.append(style);
}}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    parser.add_argument("--dark", action="store_true", help="also take the notes pages in the dark colour scheme")
    parser.add_argument("--full", action="store_true", help="whole pages, not just the first screen")
    parser.add_argument("--only", default=",".join(PARTS), help=f"a comma-separated choice of {', '.join(PARTS)}")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))

    from playwright.sync_api import sync_playwright

    from handprop.problem import load
    from handprop.render.options import Options
    from handprop.render.page.html import render
    from handprop.solve.derive import explain
    from page_catalogue import CATALOGUE

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("HANDPROP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)

        def page_of(name, trace, options=None):
            path = Path(tmp) / f"{name}.html"
            if not path.exists():
                path.write_text(render(trace, options=options), encoding="utf-8")
            return path

        def shoot(path, fragment, name, device, scheme="light", full=None, before=None, media=None):
            context = browser.new_context(viewport=VIEWPORTS[device], color_scheme=scheme,
                                          is_mobile=device == "phone", reduced_motion="reduce")
            page = context.new_page()
            page.goto(path.as_uri() + fragment)
            page.wait_for_selector("html[data-ready]", timeout=60_000)
            page.evaluate("document.fonts.ready")
            if before:
                before(page)
            if media:
                page.emulate_media(media=media)
                page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            page.wait_for_timeout(150)
            file = out / f"{name}.png"
            page.screenshot(path=str(file), full_page=args.full if full is None else full)
            print(file)
            context.close()

        notes = explain(load("notes"))
        notes_page = page_of("notes", notes)
        if "notes" in parts:
            for scheme in ["light", "dark"] if args.dark else ["light"]:
                for device in VIEWPORTS:
                    for phase, step_id in STEPS.items():
                        shoot(notes_page, "#id=" + step_id,
                              f"notes-{phase}-{device}" + ("-dark" if scheme == "dark" else ""), device, scheme)

        if "catalogue" in parts:
            for name, problem in CATALOGUE.items():
                if name == "notes":
                    continue
                trace = explain(problem())
                path = page_of(name, trace)
                hidden = next((s for s in trace.steps if s.subject.kind == "grad" and s.layer == 0), None)
                backward = hidden or next(s for s in trace.steps if s.phase == "backward")
                for device in VIEWPORTS:
                    shoot(path, "#id=" + backward.id, f"{name}-backward-{device}", device)
                    shoot(path, "#id=" + trace.steps[-1].id, f"{name}-end-{device}", device)

        if "ids" in parts:
            for device in VIEWPORTS:
                shoot(notes_page, "#id=grad:w5", f"notes-ids-{device}", device, before=lambda pg: pg.check("#show-ids"))

        if "print" in parts:
            compact = page_of("notes-compact", notes, Options(compact=True))
            for form, path in (("full", notes_page), ("compact", compact)):
                shoot(path, "#step=3", f"notes-print-{form}", "desktop", full=True, media="print")
                context = browser.new_context(viewport=VIEWPORTS["desktop"])
                page = context.new_page()
                page.goto(path.as_uri())
                page.wait_for_selector("html[data-ready]", timeout=60_000)
                pdf = Path(tmp) / f"notes-{form}.pdf"
                page.pdf(path=str(pdf), format="A4")
                context.close()
                if shutil.which("pdftoppm"):
                    stem = out / f"notes-print-{form}-pdf-page"
                    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile",
                                    str(pdf), str(stem)], check=True)
                    print(f"{stem}.png")

        if "deuteranopia" in parts:
            from handprop.training import page as train_page
            from handprop.training.history import train
            run = train(load("notes"), 400, every=40)
            training = Path(tmp) / "notes-training.html"
            training.write_text(train_page.render(run), encoding="utf-8")
            for device in VIEWPORTS:
                for sim in (False, True):
                    suffix = "-deuteranopia" if sim else ""
                    act = (lambda pg: pg.evaluate(SIMULATE)) if sim else None
                    shoot(notes_page, "#id=new:w8", f"notes-end-{device}{suffix}", device, before=act)
                    shoot(training, "", f"notes-training-{device}{suffix}", device, before=act)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
