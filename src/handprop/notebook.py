"""The player in Jupyter: ``handprop.show(problem)``.

Each player is a whole page isolated in an ``<iframe srcdoc sandbox="allow-scripts">``, so
two players in one notebook never share ids, styles, keys or state.  A
:class:`~handprop.trace.Trace` shows itself the same way: importing handprop registers
its HTML view with IPython, when IPython is running, without importing IPython otherwise.

**Its height fits its content.**  The page inside reports its height to the notebook
(``postMessage``; a sandboxed ``srcdoc`` frame may post to its parent) and a small script
beside the frame sets the frame's height to it.  The worked solution under the player
(as long as the trace) is folded behind a "Show the worked solution" button, so the frame
is the player's height; opened, the frame grows up to ``max_height`` and past that the
solution scrolls inside the frame, below the player.  Inside a notebook the page sizes nothing by the viewport (its step list and
formula panel have fixed heights there), so the two never chase each other.  Where the
notebook runs no scripts of an output (an untrusted notebook), the frame keeps its first
height, ``INITIAL_HEIGHT``.  ``height=N`` fixes it at N pixels.

**KaTeX and the player's code are shared** between the players of a notebook where the
frontend puts every output in one document: JupyterLab, Jupyter Notebook 7 and the
classic notebook, VS Code's notebooks, Voilà, and a notebook exported with
``nbconvert --to html``.  The first shared player of a kernel session carries the assets
(about 450 kB) in its output, in a script that keeps them on the notebook's window; every
player's frame holds only its own data and asks the notebook for the assets
(``postMessage``), then runs them inside its own frame.  Google Colab puts each output in
a frame of its own, so there (detected by ``google.colab`` being imported) every player is
self-contained, as it is with ``shared=False``.  A frame that gets no answer (the output
that carried the assets was cleared and the page reloaded, or a frontend not listed above)
says so and names the fix: ``handprop.show(..., shared=False)``, or
:func:`reset_shared_assets` and run the cells again.

Outside a notebook (plain Python, the IPython terminal) ``show()`` displays nothing: it
says once what to do instead and returns the :class:`Player`, whose :meth:`Player.save`
writes the page.

>>> import handprop
>>> player = handprop.show("notes", display=False)
>>> player._repr_html_().startswith("<div class=\\"handprop-notebook\\"")
True
"""
from __future__ import annotations

import hashlib
import html as html_lib
import re
import sys
from pathlib import Path
from typing import Any

from .errors import UsageError
from .problem import Problem
from .trace import Trace

__all__ = ["Player", "show", "trace_html", "reset_shared_assets", "INITIAL_HEIGHT", "MAX_HEIGHT"]

INITIAL_HEIGHT = 860     # px, until the page reports its height (or where no script runs)
MAX_HEIGHT = 3000        # px the frame grows to at most; the rest scrolls inside it

_SENT: set[str] = set()  # the keys of the assets a kernel session has put into its notebook

# Inside the frame: sizes by the viewport would grow with the frame, so fixed ones here.
NOTEBOOK_CSS = """
.side { position: static; height: 640px; }
.net { max-height: 560px; }
@media (max-width: 960px) { .side { height: auto; } .steplist { height: 260px; } }
html.hp-nb-closed #tables { display: none; }
.hp-nb-toggle { display: block; margin: 14px auto 0; padding: 6px 16px; border: 1px solid var(--line);
  border-radius: 999px; background: var(--card); color: var(--ink); font: inherit; font-size: 13.5px;
  cursor: pointer; }
"""

# Inside the frame: the worked solution under the player folded behind a button (the player is
# what a notebook shows; the solution is as long as the trace), and the page's height
# reported to the notebook whenever it changes.
REPORT_JS = """(function () {
  var root = document.documentElement, tables = document.getElementById("tables");
  if (tables) {
    root.classList.add("hp-nb-closed");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "hp-nb-toggle";
    button.setAttribute("aria-controls", "tables");
    var label = function () {
      var closed = root.classList.contains("hp-nb-closed");
      button.textContent = closed ? "Show the worked solution" : "Hide the worked solution";
      button.setAttribute("aria-expanded", String(!closed));
    };
    button.addEventListener("click", function () { root.classList.toggle("hp-nb-closed"); label(); });
    label();
    tables.parentNode.insertBefore(button, tables);
  }
  var last = -1;
  function report() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h === last) return;
    last = h;
    parent.postMessage({handprop: "height", height: h}, "*");
  }
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener("load", report);
  setTimeout(report, 0);
}());"""

# Inside a frame without the assets: ask the notebook for them, run them here.
LOAD_JS = """(function () {
  var KEY = "%(key)s", done = false, tries = 0;
  function install(a) {
    if (done) return;
    done = true;
    var style = document.createElement("style");
    style.textContent = a.katexCss + "\\n" + a.css;
    document.head.insertBefore(style, document.getElementById("handprop-notebook-style"));
    [a.katexJs, a.js, "handprop.start();"].forEach(function (code) {
      var s = document.createElement("script");
      s.textContent = code;
      document.body.appendChild(s);
    });
  }
  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.source === parent && d && d.handprop === "assets" && d.key === KEY) install(d.assets);
  });
  function missing() {
    var p = document.createElement("p");
    p.className = "noscript handprop-missing";
    p.setAttribute("role", "alert");
    p.textContent = "This player shares KaTeX and its scripts with the first handprop player " +
      "of the notebook, and they are not on this page (that output was cleared, or this " +
      "frontend keeps outputs apart). Run handprop.show(..., shared=False) for a " +
      "self-contained player, or handprop.notebook.reset_shared_assets() and run the cells again.";
    document.body.insertBefore(p, document.body.firstChild);
  }
  (function ask() {
    if (done) return;
    if (tries++ >= 40) { missing(); return; }
    parent.postMessage({handprop: "assets?", key: KEY}, "*");
    setTimeout(ask, 100);
  }());
}());"""

# Beside the frames, once per notebook window: sizes the frames, serves the shared assets.
HOST_JS = """(function () {
  if (window.__handpropNotebook) return;
  window.__handpropNotebook = true;
  window.__handpropAssets = window.__handpropAssets || {};
  window.addEventListener("message", function (e) {
    var d = e.data;
    if (!d || typeof d !== "object" || !e.source) return;
    if (d.handprop === "height") {
      var frames = document.querySelectorAll("iframe[data-handprop-player]");
      for (var i = 0; i < frames.length; i++) {
        var f = frames[i];
        if (f.contentWindow !== e.source || f.hasAttribute("data-fixed")) continue;
        var max = Number(f.getAttribute("data-max-height")) || %(max)d;
        f.style.height = Math.max(120, Math.min(Number(d.height) + 2, max)) + "px";
        f.setAttribute("data-fitted", "");
      }
    } else if (d.handprop === "assets?") {
      var a = window.__handpropAssets[d.key];
      if (a) e.source.postMessage({handprop: "assets", key: d.key, assets: a}, "*");
    }
  });
}());""" % {"max": MAX_HEIGHT}


def _assets() -> tuple[dict[str, str], str]:
    """The page's shared assets (KaTeX's script and style, the player's) and their key."""
    from .render.page.assets import katex_assets, katex_dir, player_assets
    katex_js, katex_css = katex_assets(str(katex_dir()))
    css, js = player_assets()
    data = {"katexJs": katex_js, "katexCss": katex_css, "css": css, "js": js}
    digest = hashlib.sha256("\0".join(data[k] for k in sorted(data)).encode("utf-8")).hexdigest()[:16]
    return data, digest


def _inline(code: str) -> str:
    """Script or style text as the page inlines it (``</script`` cannot end it early)."""
    return re.sub(r"</(script|style)", r"<\\/\1", code, flags=re.IGNORECASE)


def _insert(page: str, head: str = "", body: str = "") -> str:
    """``page`` with ``head`` before ``</head>`` and ``body`` before its last ``</body>``."""
    if head:
        at = page.index("</head>")
        page = page[:at] + head + page[at:]
    if body:
        at = page.rindex("</body>")
        page = page[:at] + body + page[at:]
    return page


def _light(page: str, assets: dict[str, str], key: str) -> str | None:
    """``page`` without KaTeX and the player's code, which it asks the notebook for; ``None``
    when the page is not laid out as expected (then the player stays self-contained)."""
    styles = [f"<style>{_inline(assets['katexCss'])}</style>", f"<style>{_inline(assets['css'])}</style>"]
    scripts = [f"<script>{_inline(assets['katexJs'])}</script>", f"<script>{_inline(assets['js'])}</script>",
               "<script>handprop.start();</script>"]
    if not all(page.count(part) == 1 for part in styles + scripts):
        return None
    for part in styles + scripts[:2]:
        page = page.replace(part, "")
    return page.replace(scripts[2], f"<script>{LOAD_JS % {'key': key}}</script>")


def _frame(page: str, title: str, height: int | None, max_height: int) -> str:
    fixed = height is not None
    style = f"width:100%;height:{int(height or INITIAL_HEIGHT)}px;border:1px solid #d0d4da;border-radius:8px"
    return (f'<iframe srcdoc="{html_lib.escape(page, quote=True)}" title="{html_lib.escape(title)}" '
            f'sandbox="allow-scripts" data-handprop-player=""{" data-fixed" if fixed else ""} '
            f'data-max-height="{int(max_height)}" style="{style}"></iframe>')


def notebook_output(trace: Trace, digits: int | None = None, extras: dict[str, Any] | None = None,
                    height: int | None = None, shared: bool | None = None,
                    max_height: int = MAX_HEIGHT) -> str:
    """The HTML a notebook shows for ``trace``'s player (see the module docstring)."""
    from .render.page.html import render, script_json
    title = f"handprop player: {trace.problem.get('title') or trace.name or 'handprop'}"
    page = render(trace, digits, extras)
    if shared is None:
        shared = "google.colab" not in sys.modules
    host = f"<script>{HOST_JS}</script>"
    if shared:
        assets, key = _assets()
        light = _light(page, assets, key)
        if light is not None:
            page = light
            if key not in _SENT:
                _SENT.add(key)
                host += ("<script>(function () { window.__handpropAssets = window.__handpropAssets || {}; "
                         f'window.__handpropAssets["{key}"] = {script_json(assets)}; }}());</script>')
    page = _insert(page, head=f'<style id="handprop-notebook-style">{NOTEBOOK_CSS}</style>',
                   body=f"<script>{REPORT_JS}</script>")
    return f'<div class="handprop-notebook">{host}{_frame(page, title, height, max_height)}</div>'


def reset_shared_assets() -> None:
    """Forget that this kernel session has put the shared assets into its notebook: the next
    shared player carries them again (after clearing the output that held them)."""
    _SENT.clear()


class Player:
    """A trace's interactive page, shown inline by Jupyter (``_repr_html_``)."""

    def __init__(self, trace: Trace, digits: int | None = None, extras: dict[str, Any] | None = None,
                 height: int | None = None, shared: bool | None = None, max_height: int = MAX_HEIGHT):
        self.trace = trace
        self.digits = digits
        self.extras = extras
        self.height = height
        self.shared = shared
        self.max_height = max_height

    def page(self) -> str:
        """The self-contained HTML page (what ``--format html`` writes)."""
        from .render.page.html import render
        return render(self.trace, self.digits, self.extras)

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` and return it."""
        path = Path(path)
        path.write_text(self.page(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return notebook_output(self.trace, self.digits, self.extras, self.height, self.shared,
                               self.max_height)

    def __repr__(self) -> str:
        title = self.trace.problem.get("title") or self.trace.name or "handprop"
        return f"<handprop player: {title}, {len(self.trace.steps)} steps; .save('page.html') writes it>"


def _trace(obj: Any, digits: int) -> Trace:
    if isinstance(obj, Trace):
        return obj
    from .solve import explain
    if isinstance(obj, Problem):
        return explain(obj, digits=digits)
    if isinstance(obj, (str, Path)):
        from .problem import load
        return explain(load(str(obj)), digits=digits)
    if isinstance(obj, dict):
        from .problem import parse
        return explain(parse(obj, source="<dict>"), digits=digits)
    raise UsageError(f"show() takes a problem, a trace, a built-in name, a path or a dict, "
                     f"not {type(obj).__name__}")


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _outside_hint(problem_or_trace: Any) -> str:
    name = problem_or_trace if isinstance(problem_or_trace, str) else "PROBLEM"
    return (f"handprop.show(): not in a Jupyter notebook, so nothing is displayed; write the page "
            f"with handprop.show(...).save('page.html') (or `handprop explain {name} -f html -o "
            f"page.html`) and open it in a browser\n")


def show(problem_or_trace: Any = "notes", digits: int = 6, extras: dict[str, Any] | None = None,
         height: int | None = None, display: bool | None = None, shared: bool | None = None,
         max_height: int = MAX_HEIGHT) -> Player | None:
    """The interactive player of a problem (or trace, built-in name, path, dict).

    In a Jupyter kernel it is displayed at once and ``None`` is returned (so it does not
    show twice).  Elsewhere it says once on stderr what to do instead (nothing can be shown
    there) and returns the :class:`Player`; with ``display=False`` it returns the player
    quietly: it renders itself in a notebook and can :meth:`Player.save` its page.

    ``height``: a fixed height in pixels (default: the frame fits its content, up to
    ``max_height``).  ``shared``: share KaTeX and the player's code between the players of
    the notebook (default: yes, except in Google Colab); ``False`` makes this player
    self-contained.
    """
    player = Player(_trace(problem_or_trace, digits), digits, extras, height, shared, max_height)
    if display is None:
        display = _in_notebook()
        if not display:
            sys.stderr.write(_outside_hint(problem_or_trace))
    if display:
        from IPython.display import display as ipy_display
        ipy_display(player)
        return None
    return player


def trace_html(trace: Trace) -> str:
    """A trace's view in a notebook: its player (registered by ``import handprop``)."""
    return notebook_output(trace)
