"""The live editor's page (``handprop serve``, ``GET /``): the player of the static page with an
editor around it, backed by the server's JSON API (``docs/editor.md``).

:func:`editor_page` writes the HTML.  It inlines no script: the page loads the player's modules,
the editor's (``static/editor.js``, ``static/solve.js``, ``static/problemfile.js``) and KaTeX from
``/static/<name>`` (the files of ``static/``, which the server serves), and inlines KaTeX as
the static page does (its script, which the server's Content-Security-Policy allows by its
sha256 hash, and its stylesheet with the fonts we use as data URIs), so no request leaves the
server's origin and no inline script runs unhashed.  What the page needs to start is one JSON
data block (``<script type="application/json">``, never executed): the
built-in problems and the *choices* of the editor, read from the tables of ``handprop.nn``
(activations with their parameters, losses, optimizers) and from ``problem.limits`` (batch
modes), so a new activation appears in the editor without touching it.

The front end: ``static/editor.js`` keeps the problem being edited, its undo and redo, the
address (``#v2=<base64url of the deflate-raw of the problem's JSON>&id=<step>``; ``#v1=``, the
JSON uncompressed, still read) and the editor's forms; every edit
asks ``POST /api/explain`` for the new solution and gives the payload to the player
(``act.load``), which keeps the step the reader is on.  An invalid problem is marked at its
field with the server's message and the last good solution stays drawn.
"""
from __future__ import annotations

from typing import Any

from .assets import KATEX_VERSION, SCRIPTS, STYLES, TEMPLATES, katex_assets, katex_dir
from .html import _inline_safe, script_json

__all__ = ["editor_page", "editor_choices", "EDITOR_SCRIPTS", "EDITOR_STYLES"]

# Loaded from /static/ in this order after the player's own modules (assets.SCRIPTS).
EDITOR_SCRIPTS = ("problemfile.js", "solve.js", "editor.js")
EDITOR_STYLES = ("editor.css",)


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
    ``problem``); a fresh page starts from ``notes`` when it is there, else from the first."""
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             keep_trailing_newline=True)
    data = {"examples": [{"name": str(e.get("name", "")), "title": str(e.get("title", "")),
                          "problem": e.get("problem")} for e in examples],
            "choices": editor_choices()}
    katex_js, katex_css = katex_assets(str(katex_dir()))
    return env.get_template("editor.html.j2").render(
        static=static_url, scripts=SCRIPTS + EDITOR_SCRIPTS, styles=STYLES + EDITOR_STYLES,
        data_json=script_json(data), katex_js=_inline_safe(katex_js), katex_css=_inline_safe(katex_css),
        katex_version=KATEX_VERSION)
