"""The interactive page: one self-contained HTML file, and the player in notebooks.

``render(trace)`` writes a page that opens from disk with no network: the
template, its CSS and JavaScript (``static/``), KaTeX (from npm, located at
render time, with only the fonts our formulas use) and the *payload* below,
all inlined.  The front end is one state object ``{problem, trace, step}``
drawn by one render function (``static/player.js``); ``boot(payload)`` starts
it, so a live web app can serve :func:`shell` without a payload and fetch
:func:`payload` as JSON instead (``<body data-payload-url="...">``).

The payload (plain JSON)::

    {"trace":    the trace's JSON (schema handprop.trace/1),
     "digits":   significant figures of the numbers the page formats itself,
     "sections": [{"key", "title", "start", "end"}]  steps grouped as on paper (end exclusive),
     "text":     {"questions": [[question, symbol, answer], ...], "rounding": str},
     "extras":   {...}  see below}

``extras`` is the hook other commands use to add to the page (JSON-able):

- ``claims``: ``{step_id: {"verdict": v, "claimed": number | str, "explanation": str}}`` with
  ``v`` one of ``correct`` (or ``right``), ``rounding`` (or ``drift``), ``carried``, ``wrong``.
  Each claimed step gets a badge in the step list and in the formula panel, coloured by
  verdict, with what was claimed and the explanation (``handprop check --format html``).
- ``series``: ``[{"title": str, "x_label": str, "y_label": str, "x": [numbers] (optional),
  "y": [numbers]}]``: line charts shown in an "Extras" section (``train``'s loss curve).
- ``lead``: a list of strings shown as paragraphs under the page title.

Other keys are embedded untouched and ignored by the player.  Every string
from the trace or the extras reaches the page as text, never as markup.

What the page promises (and the browser tests hold it to):

- ``#step=N`` (1-based, as shown) or ``#id=<step id>`` opens that step; the address follows
  the current step (``#id=...``, by ``history.replaceState``) so a reload keeps the place.
- The formula panel ``#panel`` carries ``data-step-id``; its ``[data-role=value]`` shows the
  step's value as the trace's ``substituted`` text ends.  Each drawn unit, input and bias has
  ``data-node="<name>"``, each drawn edge ``data-edge="<weight>"``; exactly the step's focus
  has the class ``active``.  A column of more than 20 units is collapsed (its first 8 and
  last 2 drawn): a hidden unit has no element, its stand-in ``[data-collapsed]`` is active
  when any member is in focus, and hidden edges are bundled, one ``[data-bundle="a>b"]`` per
  drawn unit at the other end, active when any of its weights is in focus.
- ``window.handprop.player`` is ``{state, act, model}`` once the first step is drawn
  (``<html data-ready>``); ``window.handprop.firstDrawn`` is when (``performance.now()``).
"""
from __future__ import annotations

import base64
import functools
import html
import json
import os
import re
from pathlib import Path
from typing import Any

from ...problem.model import ProblemError
from ...trace import Trace
from ..common import ROUNDING_NOTE, four_questions, sections

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
KATEX_VERSION = "0.19.1"

# The front end, in load order (each file one concept; concatenated into one script).
SCRIPTS = ("format.js", "layout.js", "network.js", "panel.js", "steplist.js", "controls.js",
           "tables.js", "player.js")
STYLES = ("page.css", "network.css", "panel.css", "print.css")

# The KaTeX fonts our formulas use, measured in Chromium by typesetting every formula of the
# built-ins and of generated problems with every activation and loss (the test
# test_katex_fonts_inlined_cover_every_formula).  A formula needing another font (none of ours
# do) falls back to a local font: the page never asks the network.  Only woff2 is inlined.
KATEX_FONTS = ("Main-Regular", "Math-Italic", "Size1-Regular", "Size2-Regular", "Size3-Regular",
               "Size4-Regular")


class KatexMissing(ProblemError):
    """KaTeX (an npm package) is needed to write the page and was not found."""


def katex_dir() -> Path:
    """KaTeX's ``dist`` folder: ``$HANDPROP_KATEX_DIR``, else a ``node_modules`` above us or cwd."""
    env = os.environ.get("HANDPROP_KATEX_DIR")
    if env:
        path = Path(env)
        if (path / "katex.min.js").is_file():
            return path
        raise KatexMissing(f"HANDPROP_KATEX_DIR={env} does not hold katex.min.js "
                           "(point it at KaTeX's dist folder)")
    for start in (Path(__file__).resolve(), Path.cwd().resolve() / "_"):
        for parent in start.parents:
            dist = parent / "node_modules" / "katex" / "dist"
            if (dist / "katex.min.js").is_file():
                return dist
    raise KatexMissing("KaTeX not found: run `npm install` in the handprop folder "
                       f"(KaTeX {KATEX_VERSION}), or set HANDPROP_KATEX_DIR to KaTeX's dist folder")


@functools.lru_cache(maxsize=4)
def _katex_assets(dist: str) -> tuple[str, str]:
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


def payload(trace: Trace, digits: int | None = None, extras: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    """What ``boot`` reads: the trace, the sections, the page's fixed texts and the extras."""
    secs, start = [], 0
    for section in sections(trace):
        secs.append({"key": section.key, "title": section.title, "start": start,
                     "end": start + len(section.steps)})
        start += len(section.steps)
    digits = digits or trace.digits
    return {"trace": trace.to_json(), "digits": digits, "sections": secs,
            "text": {"questions": [list(q) for q in four_questions(trace)],
                     "rounding": ROUNDING_NOTE.format(digits=digits).replace("`", "")},
            "extras": extras or {}}


_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


def script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script>``, no ``<!--``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


def _inline_safe(code: str) -> str:
    """Script or style text that cannot close its element early."""
    return re.sub(r"</(script|style)", r"<\\/\1", code, flags=re.IGNORECASE)


# Payloads larger than this are embedded gzipped (base64): a 784-16-16-10 trace is 38 MB of JSON
# but 5 MB so, and the browser reads the smaller file and inflates it (DecompressionStream)
# faster than it reads the larger one.
COMPRESS_ABOVE = 2_000_000


def embedded_payload(text: str) -> tuple[str, str | None]:
    """``(script text, encoding)``: the JSON as is, or gzip+base64 when it is large."""
    if len(text) <= COMPRESS_ABOVE:
        return text, None
    import gzip
    return base64.b64encode(gzip.compress(text.encode("utf-8"), 1, mtime=0)).decode("ascii"), "gzip+base64"


def shell(title: str, payload_json: str | None = None, payload_url: str | None = None) -> str:
    """The page around the player: with the payload embedded, or fetched from ``payload_url``."""
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             keep_trailing_newline=True)
    katex_js, katex_css = _katex_assets(str(katex_dir()))
    css, js = player_assets()
    encoding = None
    if payload_json is not None:
        payload_json, encoding = embedded_payload(payload_json)
    return env.get_template("page.html.j2").render(payload_encoding=encoding,
        title=title, katex_css=_inline_safe(katex_css), katex_js=_inline_safe(katex_js),
        css=_inline_safe(css), js=_inline_safe(js), payload_json=payload_json,
        payload_url=payload_url, katex_version=KATEX_VERSION)


def render(trace: Trace, digits: int | None = None, extras: dict[str, Any] | None = None) -> str:
    """The self-contained interactive page of ``trace`` (``extras``: see the module docstring)."""
    title = trace.problem.get("title") or trace.name or "handprop"
    return shell(title, payload_json=script_json(payload(trace, digits, extras)))


def iframe(page: str, height: int = 780, title: str = "handprop player") -> str:
    """``page`` isolated in an ``<iframe srcdoc>``: two players in one document never collide."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" title="{html.escape(title)}" '
            'sandbox="allow-scripts" '
            f'style="width:100%;height:{int(height)}px;border:1px solid #d0d4da;border-radius:8px">'
            "</iframe>")


def notebook_html(trace: Trace, digits: int | None = None, extras: dict[str, Any] | None = None,
                  height: int = 780) -> str:
    """The player for Jupyter (``Trace._repr_html_``)."""
    title = trace.problem.get("title") or trace.name or "handprop"
    return iframe(render(trace, digits, extras), height, f"handprop player: {title}")


if __name__ == "__main__":
    import sys
    from ...solve.derive import explain
    from ...problem.model import load
    sys.stdout.write(render(explain(load(sys.argv[1] if len(sys.argv) > 1 else "notes"))))
