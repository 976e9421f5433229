"""The interactive page as a file: self-contained, safely embedded, small; the notebook player.

The browser tests (real Chromium) are in test_page_browser.py.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cli_run import run_cli

import handprop
import handprop.notebook
from handprop.errors import UsageError
from handprop.solve.derive import explain
from handprop.problem import load
from handprop.render.page import assets, html
from handprop.trace import Trace

from page_fixtures import hostile_names  # noqa: E402  (tests/ is on sys.path)


@pytest.fixture(scope="module")
def notes_trace() -> Trace:
    return explain(load("notes"))


@pytest.fixture(scope="module")
def notes_page(notes_trace) -> str:
    return html.render(notes_trace)


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse_tags(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    return tags


def test_page_is_self_contained(notes_page):
    tags = parse_tags(notes_page)
    for tag, attrs in tags.tags:
        for name in ("src", "href", "action", "poster", "data"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), f"<{tag} {name}={value!r}> points outside the page"
    assert "@import" not in notes_page
    urls = re.findall(r"url\(\s*['\"]?([^)'\"]*)", notes_page)
    assert urls and all(u.startswith("data:") for u in urls), {u[:40] for u in urls if not u.startswith("data:")}
    assert [t for t, _ in tags.tags].count("script") == 4  # payload, KaTeX, player, start


def test_page_size_and_fonts(notes_page):
    size = len(notes_page.encode("utf-8"))
    assert size < 1_000_000, f"notes page is {size} bytes"
    fonts = re.findall(r"font-family:(KaTeX_\w+);font-style:(\w+);font-weight:(\w+);src:url\(data:font/woff2", notes_page)
    assert len(fonts) == len(assets.KATEX_FONTS)
    assert "format(\"woff\")" not in notes_page and ".ttf" not in notes_page


def test_embedded_payload_round_trips(notes_trace, notes_page):
    tags = parse_tags(notes_page)
    payload = json.loads(tags.scripts[0])
    document = json.loads(notes_trace.dumps())
    page = payload["trace"]
    assert {k: page[k] for k in ("schema", "name", "problem", "values", "warnings", "digits")} == \
        {k: document[k] for k in ("schema", "name", "problem", "values", "warnings", "digits")}
    for mine, theirs in zip(page["steps"], document["steps"], strict=True):
        assert mine["chain"] == theirs["chain"] and mine["subject"] == theirs["subject"]
        assert {k: mine[k] for k in ("id", "value", "uses", "focus", "note", "terms")} == \
            {k: theirs[k] for k in ("id", "value", "uses", "focus", "note", "terms")}
    assert payload["digits"] == 6
    starts = [s["start"] for s in payload["sections"]]
    assert starts[0] == 0 and payload["sections"][-1]["end"] == len(notes_trace.steps)
    assert starts == sorted(starts)


@pytest.mark.parametrize("name", ["notes", "problems/two_samples_mean.yaml", "problems/softmax_232.yaml",
                                  "problems/three_layer.yaml"])
def test_page_sections_are_the_written_documents_step_for_step(name):
    """The payload's sections (from a document built without blocks) head the same steps as
    the sections every writer lays out block by block."""
    from handprop.render.document import document
    from handprop.render.page.payload import payload
    trace = explain(load(name if name == "notes" else str(Path(__file__).parent / name)))
    written = document(trace)
    bare = document(trace, blocks=False)
    assert all(s.blocks == () for s in bare.sections)
    assert [(s.key, s.title, [b.step_id for b in s.blocks]) for s in written.sections] == \
        [(s.key, s.title, [st.id for st in s.steps]) for s in bare.sections]
    heads = payload(trace)["sections"]
    ids = [st.id for st in trace.steps]
    assert [(h["key"], h["title"], ids[h["start"]:h["end"]]) for h in heads] == \
        [(s.key, s.title, [b.step_id for b in s.blocks]) for s in written.sections]


def test_script_json_cannot_break_out():
    nasty = {"name": "</script><script>alert(1)</script>", "c": "<!-- & \u2028 \u2029 -->", "e": "\\u003c"}
    text = html.script_json(nasty)
    assert not re.search("[<>&\u2028\u2029]", text)
    assert json.loads(text) == nasty


def test_hostile_names_stay_inside_their_script():
    from handprop.problem import parse
    trace = explain(parse(hostile_names(), source="hostile"))
    page = html.render(trace)
    tags = parse_tags(page)
    assert [t for t, _ in tags.tags].count("script") == 4
    assert not any(t == "img" for t, _ in tags.tags)
    assert json.loads(tags.scripts[0])["trace"]["problem"]["inputs"] == hostile_names()["inputs"]
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<script>" not in title and "&lt;script&gt;" in title


def test_large_payload_is_gzipped(notes_trace, monkeypatch):
    import base64
    import gzip
    monkeypatch.setattr(html, "COMPRESS_ABOVE", 1000)
    page = html.render(notes_trace)
    m = re.search(r'<script type="application/json" id="handprop-payload" data-encoding="gzip\+base64">([^<]*)</script>', page)
    assert m, "the payload should be embedded compressed"
    payload = json.loads(gzip.decompress(base64.b64decode(m.group(1))))
    assert payload["trace"]["steps"][0]["id"] == notes_trace.steps[0].id


def test_extras_are_embedded(notes_trace):
    extras = {"claims": {"grad:w5": {"verdict": "wrong", "claimed": 0.08, "explanation": "x"}}}
    payload = json.loads(parse_tags(html.render(notes_trace, extras=extras)).scripts[0])
    assert payload["extras"] == extras


def test_notebook_iframe_holds_the_page(notes_trace, notes_page):
    """Self-contained (shared=False): the frame holds the page, plus the notebook's fixed heights
    and the script that reports its height; beside it only the script that sizes the frames."""
    frame = handprop.notebook.notebook_output(notes_trace, shared=False)
    tags = parse_tags(frame)
    assert [t for t, _ in tags.tags] == ["div", "script", "iframe"]
    attrs = tags.tags[2][1]
    page = attrs["srcdoc"]                         # escaped in the attribute, exact once unescaped
    assert page.replace(f'<style id="handprop-notebook-style">{handprop.notebook.NOTEBOOK_CSS}</style>', "") \
        .replace(f"<script>{handprop.notebook.REPORT_JS}</script>", "") == notes_page
    assert "allow-scripts" in attrs["sandbox"] and "allow-same-origin" not in attrs["sandbox"]
    assert tags.scripts == [handprop.notebook.HOST_JS]   # nothing else runs outside the frame


def test_show_returns_a_player(notes_page):
    player = handprop.show("notes", display=False)
    assert player.trace.steps[0].id == "net:H1"
    assert player._repr_html_().startswith('<div class="handprop-notebook">')
    assert player.page() == notes_page
    with pytest.raises(UsageError):
        handprop.show(42, display=False)


def test_show_displays_in_a_kernel(monkeypatch):
    """In a Jupyter kernel show() displays the player once and returns None (a stand-in IPython)."""
    import types
    shown = []
    ipython = types.ModuleType("IPython")
    display_mod = types.ModuleType("IPython.display")
    display_mod.display = shown.append
    ipython.display = display_mod
    ipython.get_ipython = lambda: types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display_mod)
    assert handprop.show(load("mazur")) is None
    assert len(shown) == 1 and "<iframe srcdoc=" in shown[0]._repr_html_()
    ipython.get_ipython = lambda: None                     # a plain IPython shell: returned, not shown
    assert handprop.show("mazur") is not None and len(shown) == 1


def test_missing_katex_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "page.html"
    run = run_cli("explain", "notes", "--format", "html", "-o", str(out), text=True,
                  env={"HANDPROP_KATEX_DIR": str(tmp_path / "nowhere")})
    assert run.returncode == 3                # a missing dependency, not bad input
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "HANDPROP_KATEX_DIR" in run.stderr and "katex" in run.stderr.lower()
    assert not out.exists() and not list(tmp_path.iterdir())


def test_katex_found_by_walking_up(monkeypatch):
    monkeypatch.delenv("HANDPROP_KATEX_DIR", raising=False)
    dist = assets.katex_dir()
    assert (dist / "katex.min.js").is_file()
    version = json.loads((dist.parent / "package.json").read_text())["version"]
    assert version == assets.KATEX_VERSION


def test_cli_writes_the_page(tmp_path):
    out = tmp_path / "notes.html"
    run = run_cli("explain", "notes", "-o", str(out), text=True)
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_static_files_are_shipped():
    for name in assets.SCRIPTS + assets.STYLES:
        assert (assets.STATIC / name).is_file(), name
    css, js = assets.player_assets()
    assert "</script" not in js.lower() and "</style" not in css.lower()
    assert ".innerHTML" in js and js.count(".innerHTML") == 1, "KaTeX output is the only HTML set as a string"


def test_import_registers_the_player_as_ipythons_view_of_a_trace(monkeypatch, notes_trace, notes_page):
    """In IPython a Trace displays as its player: registered by type name, importing nothing."""
    import types
    registered = {}
    formatter = types.SimpleNamespace(for_type_by_name=lambda mod, name, f: registered.setdefault((mod, name), f))
    shell = types.SimpleNamespace(display_formatter=types.SimpleNamespace(formatters={"text/html": formatter}))
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    handprop._register_notebook_view()
    view = registered[("handprop.trace", "Trace")]
    frame = view(notes_trace)
    srcdoc = [a["srcdoc"] for t, a in parse_tags(frame).tags if t == "iframe"]
    assert len(srcdoc) == 1 and "handprop-payload" in srcdoc[0]
