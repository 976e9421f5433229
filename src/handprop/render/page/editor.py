"""The live editor's page (``handprop serve``, ``GET /``): the player of the static page with an
editor around it, backed by the server's JSON API (``docs/editor.md``).

:func:`editor_page` writes the HTML.  It inlines no script: the page loads the player's modules,
the editor's (``static/editor.js``, ``static/solve.js``, ``static/problemfile.js``) and KaTeX from
``/static/<name>``, each answered by :func:`static_asset`, so the server's Content-Security-Policy
can forbid inline scripts and every request stays on the server's origin.  What the page needs to
start is one JSON data block (``<script type="application/json">``, never executed): the
built-in problems and the *choices* of the editor, read from the tables of ``handprop.nn``
(activations with their parameters, losses, optimizers) and from ``problem.limits`` (batch
modes), so a new activation appears in the editor without touching it.

The front end: ``static/editor.js`` keeps the problem being edited, its undo and redo, the
address (``#v1=<base64url of the problem's JSON>&id=<step>``) and the editor's forms; every edit
asks ``POST /api/explain`` for the new solution and gives the payload to the player
(``act.load``), which keeps the step the reader is on.  An invalid problem is marked at its
field with the server's message and the last good solution stays drawn.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from .assets import KATEX_FONTS, KATEX_VERSION, SCRIPTS, STATIC, STYLES, TEMPLATES, katex_dir
from .html import script_json

__all__ = ["editor_page", "editor_choices", "static_asset", "EDITOR_SCRIPTS", "EDITOR_STYLES"]

# Loaded in this order after the player's own modules (assets.SCRIPTS).
EDITOR_SCRIPTS = ("problemfile.js", "solve.js", "editor.js")
EDITOR_STYLES = ("editor.css",)
KATEX_SCRIPT = "katex.min.js"
KATEX_STYLE = "katex.css"

_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".woff2": "font/woff2"}
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def editor_choices() -> dict[str, Any]:
    """Every choice the editor offers, from the tables (and the problem's limits)."""
    from ...nn.activations import ACTIVATIONS
    from ...nn.losses import LOSSES
    from ...nn.optimizers import OPTIMIZERS
    from ...problem import limits

    def finite(x: float) -> float | None:
        return x if abs(x) != float("inf") else None

    return {
        "activations": [{"name": a.name, "title": a.title, "output_only": a.output_only,
                         "min_units": a.min_units,
                         "params": [{"name": p.name, "default": p.default, "meaning": p.meaning,
                                     "low": finite(p.low), "high": finite(p.high)} for p in a.params]}
                        for a in ACTIVATIONS.values()],
        "losses": [{"name": x.name, "title": x.title} for x in LOSSES.values()],
        "optimizers": [{"name": o.name} for o in OPTIMIZERS.values()],
        "batch": list(limits.BATCH_NAMES),
    }


def editor_page(examples: list[dict[str, Any]], static_url: str = "/static/") -> str:
    """The editor's HTML: ``examples`` is ``GET /api/examples``'s list (``name``, ``title``,
    ``problem``); the first is the problem a fresh page starts from."""
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             keep_trailing_newline=True)
    data = {"examples": [{"name": str(e.get("name", "")), "title": str(e.get("title", "")),
                          "problem": e.get("problem")} for e in examples],
            "choices": editor_choices()}
    scripts = (KATEX_SCRIPT,) + SCRIPTS + EDITOR_SCRIPTS
    styles = (KATEX_STYLE,) + STYLES + EDITOR_STYLES
    return env.get_template("editor.html.j2").render(
        static=static_url, scripts=scripts, styles=styles, data_json=script_json(data),
        katex_version=KATEX_VERSION)


@functools.lru_cache(maxsize=64)
def static_asset(name: str) -> tuple[bytes, str] | None:
    """``(body, media type)`` of ``/static/<name>``: a file of the page's ``static/`` folder,
    KaTeX's script, its stylesheet (``katex.css``, the fonts we use as ``/static/`` files) or
    one of those fonts; None for any other name."""
    if not _NAME.match(name) or name.startswith("."):
        return None
    suffix = Path(name).suffix
    if name == KATEX_SCRIPT:
        return (katex_dir() / KATEX_SCRIPT).read_bytes(), _TYPES[".js"]
    if name == KATEX_STYLE:
        return _katex_css().encode("utf-8"), _TYPES[".css"]
    font = re.fullmatch(r"KaTeX_([A-Za-z0-9]+-[A-Za-z0-9]+)\.woff2", name)
    if font:
        if font.group(1) not in KATEX_FONTS:
            return None
        return (katex_dir() / "fonts" / name).read_bytes(), _TYPES[".woff2"]
    path = STATIC / name
    if suffix not in (".js", ".css") or not path.is_file():
        return None
    return path.read_bytes(), _TYPES[suffix]


def _katex_css() -> str:
    """KaTeX's stylesheet with only the fonts we use, each a woff2 file beside it."""
    css = (katex_dir() / "katex.min.css").read_text(encoding="utf-8")

    def font_face(match: re.Match) -> str:
        rule = match.group(0)
        name = re.search(r"KaTeX_([A-Za-z0-9]+-[A-Za-z0-9]+)\.woff2", rule)
        if not name or name.group(1) not in KATEX_FONTS:
            return ""
        src = f'src:url(KaTeX_{name.group(1)}.woff2) format("woff2")'
        return re.sub(r"src:[^;}]*", src, rule).replace("font-display:block", "font-display:swap")

    return re.sub(r"@font-face\{[^}]*\}", font_face, css)
