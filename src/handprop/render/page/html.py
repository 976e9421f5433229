"""The interactive page: one self-contained HTML file, and the player in notebooks.

``render(trace)`` writes a page that opens from disk with no network: the
template, its CSS and JavaScript (``static/``), KaTeX (from npm, located at
render time, with only the fonts our formulas use) and the *payload* below,
all inlined.  The front end is one state object ``{problem, trace, step}``
drawn by one render function (``static/player.js``); ``boot(payload)`` starts
it, so a live web app can serve :func:`shell` without a payload and fetch
:func:`payload` as JSON instead (``<body data-payload-url="...">``).

The payload (plain JSON) is :func:`handprop.render.page.payload.payload`'s.

``extras`` is the hook other commands use to add to the page (JSON-able):

- ``claims``: ``{step_id: {"verdict": v, "claimed": number | str, "explanation": str}}`` with
  ``v`` one of ``correct`` (or ``right``), ``rounding`` (or ``drift``), ``carried``, ``wrong``.
  Each claimed step gets a badge in the step list and in the formula panel, coloured by
  verdict, with what was claimed and the explanation (``handprop check --format html``).
  The header counts them by verdict, one button ``#claims-summary button[data-verdict=v]``
  each: a press (click, Enter, Space) goes to the next claimed step of that verdict in step
  order (the first on the first press, the next after the current step when the reader
  moved elsewhere, wrapping), gives the panel's ``.claim`` the class ``lit`` and writes
  "wrong 2 of 5" in ``#claims-at`` (a polite live region); the button keeps the focus.
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
- One bias per unit in a layer: the layer gets one bias input (``.bias-hub``, the constant 1)
  and an edge to each unit, ``.bias-edge[data-node="<bias>"]``, labelled like a weight.
- No drawn text meets another or a node at any width (tests/test_drawing_browser.py): each
  label is placed where it is free, along its own edge or beside its bias node, or left out
  and written under the drawing (``#netstatus .edge-line``) when it is the step's own.
- Colour means one thing on every page: ``--pos`` (blue, solid) a positive number and
  ``--neg`` (orange, dashed) a negative one, as each legend says; never colour alone.
- Quantity ids (``net:H1``) are shown only with "show ids" (``#show-ids``, ``<html
  class="show-ids">``, remembered in localStorage); links name quantities as people write them.
- On a phone held upright the drawing and the buttons stick above the formula panel, and after
  each step the panel's value is scrolled into view; long formulas wrap at =, + and ×.
- Printed: the drawing at the last step (every value, every update) with its legend, then the
  worked solution in two columns; with ``options.compact`` (``payload["doc"]["compact"]``) the
  document is the lecture-notes form: given, forward-pass table, one line per delta, every
  gradient and update.
- ``window.handprop.player`` is ``{state, act, model}`` once the first step is drawn
  (``<html data-ready>``); ``window.handprop.firstDrawn`` is when (``performance.now()``).
  ``act.load(payload)`` (the live editor, ``editor.py``) draws another payload in the same
  state: the step stays (by its id, else its place), the document under the player follows.
"""
from __future__ import annotations

import base64
import html
import re
from typing import Any

from ...runtime import paused_gc
from ...trace import Trace
from .assets import KATEX_VERSION, TEMPLATES, katex_assets, katex_dir, player_assets
from .payload import payload

__all__ = ["render", "shell", "payload", "script_json", "iframe", "notebook_html"]

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


def script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script>``, no ``<!--``."""
    import orjson
    text = orjson.dumps(data).decode("utf-8")
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
    katex_js, katex_css = katex_assets(str(katex_dir()))
    css, js = player_assets()
    encoding = None
    if payload_json is not None:
        payload_json, encoding = embedded_payload(payload_json)
    return env.get_template("page.html.j2").render(payload_encoding=encoding,
        title=title, katex_css=_inline_safe(katex_css), katex_js=_inline_safe(katex_js),
        css=_inline_safe(css), js=_inline_safe(js), payload_json=payload_json,
        payload_url=payload_url, katex_version=KATEX_VERSION)


def render(trace: Trace, digits: int | None = None, extras: dict[str, Any] | None = None,
           options=None) -> str:
    """The self-contained interactive page of ``trace`` (``extras``: see the module docstring)."""
    title = trace.problem.get("title") or trace.name or "handprop"
    with paused_gc():
        return shell(title, payload_json=script_json(payload(trace, digits, extras, options)))


def iframe(page: str, height: int = 780, title: str = "handprop player") -> str:
    """``page`` isolated in an ``<iframe srcdoc>``: two players in one document never collide."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" title="{html.escape(title)}" '
            'sandbox="allow-scripts" '
            f'style="width:100%;height:{int(height)}px;border:1px solid #d0d4da;border-radius:8px">'
            "</iframe>")


def notebook_html(trace: Trace, digits: int | None = None, extras: dict[str, Any] | None = None,
                  height: int = 780) -> str:
    """The player for Jupyter: the page in an isolated ``<iframe srcdoc>`` (see :mod:`handprop.notebook`)."""
    title = trace.problem.get("title") or trace.name or "handprop"
    return iframe(render(trace, digits, extras), height, f"handprop player: {title}")
