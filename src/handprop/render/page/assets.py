"""What a page inlines: KaTeX (from npm, pinned, located at render time, with only the fonts
our formulas use) and the player's own JavaScript and CSS (``static/``).

A page never asks the network: everything it needs is inlined.
"""
from __future__ import annotations

import base64
import functools
import os
import re
from pathlib import Path

from ...errors import MissingDependency

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
KATEX_VERSION = "0.19.1"

# The front end, in load order (each file one concept; concatenated into one script).
SCRIPTS = ("format.js", "layout.js", "network.js", "panel.js", "steplist.js", "controls.js",
           "tables.js", "matrix.js", "player.js")
STYLES = ("page.css", "network.css", "panel.css", "matrix.css", "print.css")

# The KaTeX fonts our formulas use, measured in Chromium by typesetting every formula of the
# built-ins and of generated problems with every activation and loss (the test
# test_katex_fonts_inlined_cover_every_formula).  A formula needing another font (none of ours
# do) falls back to a local font: the page never asks the network.  Only woff2 is inlined.
KATEX_FONTS = ("Main-Regular", "Math-Italic", "Size1-Regular", "Size2-Regular", "Size3-Regular",
               "Size4-Regular")


class KatexMissing(MissingDependency):
    """KaTeX (an npm package) is needed to write the page and was not found."""


def npm_folder(folder: str, env: str, needed: tuple[str, ...]) -> Path | str:
    """The folder ``node_modules/<folder>`` of an npm package (KaTeX, swagger-ui-dist) holding
    every file of ``needed``: ``$<env>`` if set, else the first ``node_modules`` above this file
    or the working folder.  Not found: what is wrong, in words (the caller raises its error)."""
    given = os.environ.get(env)
    holds = lambda path: all((path / name).is_file() for name in needed)   # noqa: E731
    if given:
        return Path(given) if holds(Path(given)) else \
            f"{env}={given} does not hold {' and '.join(needed)}"
    for start in (Path(__file__).resolve(), Path.cwd().resolve() / "_"):
        for parent in start.parents:
            if holds(parent / "node_modules" / folder):
                return parent / "node_modules" / folder
    return ""


def katex_dir() -> Path:
    """KaTeX's ``dist`` folder: ``$HANDPROP_KATEX_DIR``, else a ``node_modules`` above us or cwd."""
    found = npm_folder("katex/dist", "HANDPROP_KATEX_DIR", ("katex.min.js",))
    if isinstance(found, Path):
        return found
    raise KatexMissing(f"{found} (point it at KaTeX's dist folder)" if found else
                       "KaTeX not found: run `npm install` in the handprop folder "
                       f"(KaTeX {KATEX_VERSION}), or set HANDPROP_KATEX_DIR to KaTeX's dist folder")


@functools.lru_cache(maxsize=4)
def katex_assets(dist: str) -> tuple[str, str]:
    """KaTeX's script and its stylesheet with the fonts we use inlined as woff2 data URIs."""
    root = Path(dist)
    script = (root / "katex.min.js").read_text(encoding="utf-8")
    css = (root / "katex.min.css").read_text(encoding="utf-8")

    def font_face(match: re.Match) -> str:
        rule = match.group(0)
        name = re.search(r"KaTeX_([A-Za-z0-9]+-[A-Za-z0-9]+)\.woff2", rule)
        if not name or name.group(1) not in KATEX_FONTS:
            return ""
        data = base64.b64encode((root / "fonts" / f"KaTeX_{name.group(1)}.woff2").read_bytes())
        src = f'src:url(data:font/woff2;base64,{data.decode("ascii")}) format("woff2")'
        return re.sub(r"src:[^;}]*", src, rule).replace("font-display:block", "font-display:swap")

    css = re.sub(r"@font-face\{[^}]*\}", font_face, css)
    return script, css


@functools.lru_cache(maxsize=1)
def player_assets() -> tuple[str, str]:
    """The player's own (CSS, JS), the JS wrapped so it defines only ``window.handprop``."""
    css = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in STYLES)
    body = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in SCRIPTS)
    js = f'(function () {{\n"use strict";\n{body}\n}}());\n'
    return css, js


