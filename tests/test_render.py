"""The text, Markdown, LaTeX and Typst writers.

* Reviewed expected-output files (``tests/expected/NAME.{txt,md,tex,typ}``) for the
  built-ins and the problems of ``tests/problems/`` (softmax with cross-entropy, a ReLU
  exactly at its kink, two samples averaged with per-unit biases updated, three layers)
  and the notes hand-rounded to 3 decimals, rendered under pinned settings (text 80
  columns wide, no colour, 6 digits) and compared exactly; the same bytes whatever
  PYTHONHASHSEED.  After a deliberate change, regenerate them with
  ``UPDATE_EXPECTED=1 pytest tests/test_render.py`` and review the diff by eye.
* Every formula of the Markdown and LaTeX output parses with KaTeX (the npm
  package of package.json, run by node: ``tests/js/katex_check.mjs``), for the
  built-ins, a set of problems covering each activation, loss and convention,
  names made of HTML and TeX specials, hand rounding, and random problems.
* The text fits 80 columns and has no colour when not on a terminal; user names
  in Markdown render as text, never as HTML.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from handprop.solve.derive import explain
from handprop.problem import load, parse
from handprop.render.options import Options
from handprop.render import FORMATS, latex, markdown, text
from handprop.render import typst as typst_writer

from cli_run import run_cli, run_cli_on_terminal, terminal_env
from strategies import problems

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = Path(__file__).parent / "expected"
PROBLEM_FILES = Path(__file__).parent / "problems"
KATEX_CHECK = Path(__file__).parent / "js" / "katex_check.mjs"
UPDATE = os.environ.get("UPDATE_EXPECTED") == "1"
STEPS, MATRIX = Options(view="steps"), Options(view="matrix")

RENDER = {"txt": lambda t, o=None: text.render(t, digits=6, width=80, options=o),
          "md": lambda t, o=None: markdown.render(t, digits=6, options=o),
          "tex": lambda t, o=None: latex.render(t, digits=6, options=o),
          "typ": lambda t, o=None: typst_writer.render(t, digits=6, options=o)}
EXPECTED_NAMES = ["notes", "mazur", "softmax_232", "relu_kink", "two_samples_mean", "three_layer",
                  "notes_round3", "notes_round2", "notes_compact", "softmax_232_compact",
                  "notes_round2_compact", "three_layer_steps", "two_samples_mean_steps",
                  "softmax_232_matrix"]
EXPECTED_OPTIONS = {"notes_compact": ("notes", Options(compact=True)),
                    "softmax_232_compact": ("softmax_232", Options(compact=True)),
                    "notes_round2_compact": ("notes_round2", Options(compact=True)),
                    # the view a problem is not written for (three_layer and two_samples_mean are
                    # in the matrix shorthand: their own files are the matrix view)
                    "three_layer_steps": ("three_layer", Options(view="steps")),
                    "two_samples_mean_steps": ("two_samples_mean", Options(view="steps")),
                    "softmax_232_matrix": ("softmax_232", Options(view="matrix"))}
"""Expected files of a trace written with options: name -> (the trace's name, the options)."""

# ---------------------------------------------------------------- problems

EVIL = ["<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "a&b", 'q"uote',
        "x|y", "`tick`", "$5 {x}", "50% #1", "a\\b", "~^_*", "*em* !x"]


def _layers(*specs):
    return [{"size": len(W), "activation": act, "W": W, **({"b": b} if b is not None else {}), **extra}
            for act, W, b, extra in specs]


PROBLEMS = {
    "softmax_ce": {
        "inputs": 2, "loss": "cross_entropy", "learning_rate": 0.1,
        "layers": _layers(("sigmoid", [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], 0.1, {}),
                          ("softmax", [[0.3, -0.1, 0.2], [0.5, 0.4, -0.3], [-0.2, 0.1, 0.6]], 0.0, {})),
        "samples": [{"inputs": [0.5, -1.0], "targets": [0, 1, 0]}]},
    "tanh": {
        "inputs": 2, "loss": "half_sse",
        "layers": _layers(("tanh", [[0.7, -0.4], [0.2, 0.9]], 0.1, {}),
                          ("sigmoid", [[0.5, -0.6]], 0.2, {})),
        "samples": [{"inputs": [1.0, 0.5], "targets": [0.8]}]},
    "relu_linear_mse": {
        "inputs": 2, "loss": "mse",
        "layers": _layers(("relu", [[0.5, -0.8], [0.3, 0.6], [-0.4, -0.2]], None, {}),
                          ("linear", [[0.2, 0.7, -0.5], [0.1, -0.3, 0.4]], [0.05, -0.05], {})),
        "samples": [{"inputs": [1.0, 0.5], "targets": [0.3, -0.2]}]},
    "leaky_sse": {
        "inputs": 2, "loss": "sse",
        "layers": _layers(("leaky_relu", [[0.5, -0.8], [-0.3, -0.6]], 0.1, {"slope": 0.1}),
                          ("sigmoid", [[0.2, 0.7]], -0.1, {})),
        "samples": [{"inputs": [0.4, 0.9], "targets": [1.0]}]},
    "bce": {
        "inputs": 3, "loss": "bce",
        "layers": _layers(("sigmoid", [[0.2, -0.3, 0.1], [0.4, 0.1, -0.2]], 0.0, {}),
                          ("sigmoid", [[0.6, -0.4]], 0.1, {})),
        "samples": [{"inputs": [1.0, 0.0, 0.5], "targets": [1.0]}]},
    "deep_batch": {   # two hidden layers, three samples averaged, per-unit biases updated
        "title": "Two hidden layers, three samples", "inputs": 2, "loss": "half_sse",
        "batch": "mean", "update_biases": True,
        "layers": _layers(("tanh", [[0.3, -0.2], [0.1, 0.5]], [0.1, -0.1], {}),
                          ("relu", [[0.6, -0.4], [0.2, 0.8]], [0.05, 0.02], {}),
                          ("sigmoid", [[0.5, -0.7], [0.3, 0.4]], [0.0, 0.1], {})),
        "samples": [{"inputs": [0.5, 0.1], "targets": [0.0, 1.0]},
                    {"inputs": [-0.3, 0.8], "targets": [1.0, 0.0]},
                    {"inputs": [0.9, -0.6], "targets": [0.5, 0.5]}]},
    "evil_names": {   # names that are HTML, script, Markdown and TeX
        "title": "<b>bold</b> & `code` | $x$ \\ {braces}",
        "inputs": [EVIL[2], EVIL[4]],
        "layers": [{"units": [EVIL[0], EVIL[3]], "activation": "sigmoid"},
                   {"units": [EVIL[1], EVIL[5]], "activation": "sigmoid"}],
        "weights": {"w<1>": [EVIL[2], EVIL[0], 0.15], "w&2": [EVIL[4], EVIL[0], 0.2],
                    "w|3": [EVIL[2], EVIL[3], 0.25], "w`4`": [EVIL[4], EVIL[3], 0.3],
                    EVIL[6]: [EVIL[0], EVIL[1], 0.4], EVIL[7]: [EVIL[0], EVIL[5], 0.45],
                    EVIL[8]: [EVIL[3], EVIL[1], 0.5], EVIL[9]: [EVIL[3], EVIL[5], 0.55]},
        "biases": {EVIL[10]: [[EVIL[0], EVIL[3]], 0.35], "b\"2": [[EVIL[1], EVIL[5]], 0.6]},
        "samples": [{"inputs": [0.05, 0.1], "targets": [0.01, 0.99]}],
        "update_biases": True},
}


@pytest.fixture(scope="module")
def traces():
    """Every problem of this module by name, the built-ins first, and the notes with hand rounding."""
    out = {name: explain(load(name)) for name in ("notes", "mazur")}
    out.update({name: explain(parse(data, source=name)) for name, data in PROBLEMS.items()})
    out["notes_by_hand"] = by_hand(out["notes"], 4)
    from handprop.solve.rounding import hand_explain     # the real hand rounding (--round / --sig)
    out["notes_sig3"] = hand_explain(load("notes"), "sig", 3)
    out["deep_round2"] = hand_explain(parse(PROBLEMS["deep_batch"]), "round", 2)
    out["notes_round3"] = hand_explain(load("notes"), "round", 3)
    out["notes_round2"] = hand_explain(load("notes"), "round", 2)
    for path in sorted(PROBLEM_FILES.glob("*.yaml")):
        out[path.stem] = explain(load(str(path)))
    return out


def round_half_up(value: float, places: int) -> float:
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def by_hand(trace, places: int):
    """The trace with hand values: here every exact value rounded once (as the hand-rounding
    engine's values will sit beside the exact ones), enough to exercise the renderers."""
    hand = {k: round_half_up(v, places) for k, v in trace.values.items()}
    return dataclasses.replace(trace, hand_values=hand, rounding={"mode": "round", "places": places})


# ---------------------------------------------------------------- expected output


@pytest.mark.parametrize("name", EXPECTED_NAMES)
@pytest.mark.parametrize("ext", ["txt", "md", "tex", "typ"])
def test_expected_output(name, ext, traces):
    trace_name, options = EXPECTED_OPTIONS.get(name, (name, None))
    got = RENDER[ext](traces[trace_name], options)
    path = EXPECTED / f"{name}.{ext}"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path} is missing: UPDATE_EXPECTED=1 pytest {Path(__file__).name}"
    want = path.read_text(encoding="utf-8")
    if got != want:   # a readable failure: the first line that differs
        for i, (a, b) in enumerate(zip(got.splitlines(), want.splitlines()), start=1):
            assert a == b, f"{path.name} line {i} differs"
        assert got == want, f"{path.name}: the length differs ({len(got)} vs {len(want)} characters)"


def test_expected_output_holds_the_published_numbers():
    """The reviewed files carry the tutorial's and Mazur's numbers (docs/published-values.md)."""
    notes = (EXPECTED / "notes.txt").read_text(encoding="utf-8")
    for number in ("0.3775", "0.59327", "1.13575", "0.303642", "0.0815341", "0.359233",
                   "0.000447976", "0.149776"):
        assert number in notes
    mazur = (EXPECTED / "mazur.md").read_text(encoding="utf-8")
    for number in ("0.593270", "0.751365", "0.298371", "0.0821670", "0.358916", "0.000438568",
                   "0.149781"):
        assert number.rstrip("0") in mazur


# ---------------------------------------------------------------- KaTeX


def md_formulas(md: str) -> list[str]:
    """Every formula of a Markdown page: ``$$`` blocks, then ``$...$`` outside code spans
    (in a table row a ``\\|`` is the cell's escape of ``|``)."""
    blocks = re.findall(r"^\$\$\n(.*?)\n\$\$$", md, flags=re.S | re.M)
    rest = re.sub(r"^\$\$\n.*?\n\$\$$", "", md, flags=re.S | re.M)
    rest = re.sub(r"`[^`\n]*`", "", rest)
    found = []
    for line in rest.splitlines():
        row = line.startswith("|")
        found += [m.replace(r"\|", "|") if row else m for m in _inline(line)]
    return blocks + found


def _inline(line: str) -> list[str]:
    """The ``$...$`` spans of a line, a backslashed ``\\$`` being no delimiter."""
    spans, start, i = [], None, 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] == "$":
            if start is None:
                start = i + 1
            else:
                spans.append(line[start:i])
                start = None
        i += 1
    assert start is None, f"an unclosed $ in: {line}"
    return spans


def tex_formulas(doc: str) -> list[str]:
    """Every formula of a LaTeX document: ``align*`` blocks, ``$...$``, ``\\ensuremath``."""
    body = doc[doc.index(r"\begin{document}"):]
    blocks = re.findall(r"\\begin\{align\*\}.*?\\end\{align\*\}", body, flags=re.S)
    rest = re.sub(r"\\begin\{align\*\}.*?\\end\{align\*\}", "", body, flags=re.S)
    found = []
    for line in rest.splitlines():
        found += _inline(line)
        found += re.findall(r"\\ensuremath\{((?:[^{}]|\{[^{}]*\})*)\}", line)
    return blocks + found


def katex_failures(formulas: list[str]) -> list[dict]:
    """Parse every formula with KaTeX in one node process."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make test installs it)")
    if not (ROOT / "node_modules" / "katex" / "dist" / "katex.mjs").exists():
        pytest.skip("node_modules/katex is missing: run npm install (make test does)")
    run = subprocess.run([node, str(KATEX_CHECK)], input=json.dumps(formulas), text=True,
                         capture_output=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stdout)


def test_katex_check_catches_a_bad_formula():
    """The checker itself: a broken formula and an unknown command are reported."""
    failures = katex_failures([r"\frac{1}{2}", r"\frac{1}{", r"\nosuchcommand x", r"a &= b"])
    assert [f["index"] for f in failures] == [1, 2, 3]


def test_every_formula_parses_with_katex(traces):
    formulas: list[str] = []
    for name, trace in traces.items():
        md, tex = markdown.render(trace, options=STEPS), latex.render(trace, options=STEPS)
        found_md, found_tex = md_formulas(md), tex_formulas(tex)
        # every step's formula is there, in both formats
        assert len(found_md) >= len(trace.steps) and len(found_tex) >= len(trace.steps), name
        formulas += found_md + found_tex
        formulas += md_formulas(markdown.render(trace, options=MATRIX))       # and the matrix view
        formulas += tex_formulas(latex.render(trace, options=MATRIX))
    failures = katex_failures(formulas)
    assert not failures, json.dumps(failures[:5], indent=1, ensure_ascii=False)


def test_random_problems_parse_with_katex_and_fit_80_columns():
    """Random networks (every activation and loss, odd names): every formula parses
    with KaTeX; the text never runs past 80 columns."""
    formulas: list[str] = []

    @settings(max_examples=max(settings.default.max_examples // 2, 10))
    @given(problems(max_layers=3, max_width=3, max_samples=2))
    def collect(data):
        trace = explain(parse(data))
        for view in (STEPS, MATRIX):          # both views, whichever the problem's form
            formulas.extend(md_formulas(markdown.render(trace, options=view))
                            + tex_formulas(latex.render(trace, options=view)))
            assert_fits(text.render(trace, width=80, options=view), 80)

    collect()
    failures = katex_failures(formulas)
    assert not failures, json.dumps(failures[:5], indent=1, ensure_ascii=False)


# ---------------------------------------------------------------- the text on a terminal


_WIDTHS = ["", "w5", "∂E/∂w₅ = 0.0821", "⎡ 0.15  ⋯ ⎤", "水H1", "e\u0301", "👩\u200d💻", "☺\ufe0f", "\x07a",
           "⌚", "ＡＢ", "σ′(z)·δ", "\u200b", "Ω\u0308\u0308"]


@settings(max_examples=max(settings.default.max_examples, 60))
@given(st.lists(st.sampled_from(_WIDTHS) | st.text(max_size=6), max_size=6))
def test_columns_are_richs_columns(pieces):
    """render/cells.py's quick count (a set of characters learned to be one column) is rich's
    cell_len on every text: wide, combining, joined (ZWJ, U+FE0F), control characters."""
    from handprop.render.cells import cells, narrow
    for text in ["".join(pieces)] + pieces:
        assert cells(text) == cell_len(text), repr(text)
        assert narrow(text) == all(cell_len(ch) == 1 for ch in text), repr(text)
        assert cells(text) == cell_len(text), repr(text)      # after learning its characters too


def assert_fits(page: str, width: int) -> None:
    for i, line in enumerate(page.splitlines(), start=1):
        assert cell_len(line) <= width, f"line {i} is {cell_len(line)} columns: {line!r}"
        assert line == line.rstrip(), f"line {i} has trailing spaces"


@pytest.mark.parametrize("name", ["notes", "mazur", "softmax_ce", "deep_batch", "evil_names",
                                  "notes_by_hand", "deep_round2"])
def test_text_fits_80_columns(name, traces):
    assert_fits(text.render(traces[name], width=80), 80)


def test_text_keeps_each_equals_under_the_first():
    """A chain is one ``=`` a line, aligned; a long right-hand side continues indented."""
    page = text.render(explain(load("notes")), width=80)
    block = page[page.index("Gradient of w6 (output layer)"):].split("\n\n")[0].splitlines()
    assert block[1] == "  ∂E/∂w6 = ∂E/∂out_Y2 × ∂out_Y2/∂net_Y2 × ∂net_Y2/∂w6"
    assert block[2] == "         = ∂E/∂out_Y2 × ∂out_Y2/∂net_Y2 × out_H1"
    assert block[4] == "         = −0.0235233"
    narrow = text.render(explain(load("notes")), width=50)
    lines = narrow.splitlines()
    i = lines.index("Gradient of w6 (output layer)")
    block = lines[i:lines.index("", i)]
    assert_fits("\n".join(block), 50)
    assert block[1].startswith("  ∂E/∂w6 = ∂E/∂out_Y2 × ")
    assert block[2].startswith(" " * 13 + "× ")   # the rest, two further in than the first term


def _run_cli(*args: str, tty: bool = False) -> str:
    """What ``handprop ARGS`` prints, piped (or, ``tty``, on an 80-column terminal)."""
    if tty:
        code, out = run_cli_on_terminal(*args)
        assert code == 0, out
        return out
    run = run_cli(*args, whole_env=terminal_env())
    assert run.returncode == 0, run.stderr
    return run.stdout.decode()


def test_piped_text_has_no_colour_and_is_the_reviewed_page():
    """``handprop explain notes | cat``: plain text, exactly the reviewed file."""
    out = _run_cli("explain", "notes")
    assert "\x1b" not in out
    assert out == (EXPECTED / "notes.txt").read_text(encoding="utf-8")


def test_terminal_text_has_colour():
    """On a terminal the same page comes in colour (and is the same text without it)."""
    out = _run_cli("explain", "notes", tty=True)
    assert "\x1b[" in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out).replace("\r\n", "\n")
    assert [l.rstrip() for l in plain.splitlines()] == \
        (EXPECTED / "notes.txt").read_text(encoding="utf-8").splitlines()


# ---------------------------------------------------------------- names that are markup


def test_markdown_renders_names_as_text(traces):
    md = markdown.render(traces["evil_names"])
    prose = re.sub(r"^\$\$\n.*?\n\$\$$", "", md, flags=re.S | re.M)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    stripped = []
    for line in prose.splitlines():
        for span in _inline(line):
            line = line.replace(f"${span}$", "", 1)
        stripped.append(line)
    outside = "\n".join(stripped)
    # no raw HTML anywhere outside math: < only as &lt; (a quote marker '>' starts a line)
    assert "<" not in outside
    assert not re.search(r"(?<!^)>", outside, flags=re.M)
    assert "&lt;img src=x onerror=alert(1)&gt;" in outside
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in outside
    assert "a&amp;b" in outside and "<img" not in md and "</script" not in md
    # every table row has as many cells as its header: a '|' in a name is escaped
    for table in re.findall(r"(?:^\|.*\|$\n?)+", md, flags=re.M):
        rows = table.strip().splitlines()
        cells = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(cells) == 1, rows


def test_md_escape():
    assert markdown.md_escape("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert markdown.md_escape("a&b|c`d`") == r"a&amp;b\|c\`d\`"
    assert markdown.md_escape("h1_2") == "h1_2"             # GitHub: no emphasis inside a word
    assert markdown.md_escape("_x_ *y*") == r"\_x\_ \*y\*"
    assert markdown.md_escape("# not a heading") == r"\# not a heading"
    assert markdown.md_escape("1. not a list") == r"1\. not a list"


def test_latex_escapes_text_names(traces):
    doc = latex.render(traces["evil_names"])
    assert r"\textless{}img src=x onerror=alert(1)\textgreater{}" in doc
    assert r"a\&b" in doc and r"50\% \#1" in doc and r"\$5 \{x\}" in doc
    assert "<img" not in doc


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("kpsewhich") is None
                    or not subprocess.run(["kpsewhich", "tikz.sty"], capture_output=True).stdout.strip(),
                    reason="pdflatex (with TikZ) is not installed (optional: the LaTeX compiles where it is)")
def test_latex_compiles(traces, tmp_path):
    for name in ("notes", "evil_names", "notes_by_hand"):
        (tmp_path / f"{name}.tex").write_text(latex.render(traces[name]), encoding="utf-8")
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout[-2000:]


# ---------------------------------------------------------------- hand rounding


def test_hand_values_beside_each_step(traces):
    """With hand values, every format shows hand value, exact value and drift."""
    trace = traces["notes_by_hand"]
    # out_H1 = 0.593269992...: 0.5933 by hand at 4 places, drift +0.00003
    page = text.render(trace, width=80)
    block = page[page.index("Output of H1"):].split("\n\n")[0]
    assert "by hand 0.5933   exact 0.59327   drift +0.00003" in block
    md = markdown.render(trace)
    block = md[md.index("### Output of H1"):].split("###")[1]
    assert "By hand **0.5933** · exact 0.59327 · drift +0.00003" in block
    doc = latex.render(trace)
    assert r"By hand $\mathbf{0.5933}$ \quad exact $0.59327$ \quad drift $+0.00003$" in doc
    # every step that has a hand value shows it, once
    steps_with_hand = [s for s in trace.steps if s.id in trace.hand_values]
    assert page.count("by hand ") == len(steps_with_hand)
    assert md.count("By hand **") == len(steps_with_hand)
    # the update summary gains a by-hand column: w5 new = 0.359233 exactly, 0.3592 by hand
    summary = page[page.index("── All updates"):]
    assert re.search(r"^  w5 .* 0\.359233 +0\.3592 +↓ down$", summary, flags=re.M)
    assert "4 decimal places" in page and "4 decimal places" in md and "4 decimal places" in doc
    # the real hand rounding: each step's hand value, written to the figures it was rounded to
    sig = traces["notes_sig3"]
    md = markdown.render(sig)
    assert md.count("By hand **") == sum(s.id in sig.hand_values for s in sig.steps) > 40
    assert "3 significant figures" in md
    assert f"By hand **{sig.hand_values['net:H1']:.3g}** · exact 0.3775" in md   # 0.378
    assert re.search(r"^  w1 .* 0\.149776 +0\.150 +↓ down$", text.render(sig), flags=re.M)
    # without hand values, nothing of it
    plain = text.render(traces["notes"], width=80)
    assert "by hand" not in plain and "By hand" not in markdown.render(traces["notes"])


# ---------------------------------------------------------------- big networks


def test_big_network_given_values_are_abbreviated():
    """784 inputs: the given values are abbreviated, each sum elided, the page still fits."""
    import random
    rng = random.Random(7)
    data = {"inputs": 784, "loss": "half_sse",
            "layers": [{"size": 2, "activation": "sigmoid", "b": 0.1,
                        "W": [[round(rng.uniform(-0.1, 0.1), 3) for _ in range(784)] for _ in range(2)]},
                       {"size": 1, "activation": "sigmoid", "W": [[0.3, -0.2]], "b": 0.0}],
            "samples": [{"inputs": [round(rng.random(), 2) for _ in range(784)], "targets": [1.0]}]}
    trace = explain(parse(data))
    page = text.render(trace, width=80, options=STEPS)     # the steps view (the matrix view: test_matrix_view)
    assert_fits(page, 80)
    given_part = page[:page.index("── Forward pass")]
    assert len(given_part.splitlines()) < 40
    assert "(784 in all)" in given_part and "(1570 in all)" in given_part
    assert "x784 = " in given_part and "x400 = " not in given_part
    net = page[page.index("Net input of h1"):].split("\n\n")[0]
    assert "…" in net and len(net.splitlines()) < 20
    # every step stays a block of a few dozen lines at most, whatever the fan-in
    steps = page[:page.index("── All updates")].split("\n\n")
    longest = max(steps, key=lambda block: block.count("\n"))
    assert longest.count("\n") < 40, longest
    md = markdown.render(trace, options=STEPS)
    given_md = md[md.index("## Given"):md.index("## Forward pass")]
    assert "(784 in all)" in given_md and "…" in given_md and given_md.count(" = ") < 150


def test_a_bias_shared_by_many_units_is_abbreviated():
    data = {"inputs": 1, "layers": [{"size": 9, "activation": "sigmoid", "W": [[0.1]] * 9, "b": 0.2},
                                    {"size": 1, "activation": "sigmoid", "W": [[0.1] * 9]}],
            "samples": [{"inputs": [1.0], "targets": [0.5]}]}
    page = text.render(explain(parse(data)), width=80)
    assert "b1 (h1, h2, h3, h4, …, h9) = 0.2" in page


def _cli_args(name: str) -> list[str]:
    if name == "notes_round3":
        return ["notes", "--round", "3"]
    if name == "notes_compact":
        return ["notes", "--compact"]
    return [str(PROBLEM_FILES / f"{name}.yaml") if (PROBLEM_FILES / f"{name}.yaml").exists() else name]


@pytest.mark.parametrize("name", ["softmax_232", "two_samples_mean", "notes_round3", "notes_compact"])
def test_the_bytes_do_not_depend_on_the_hash_seed(name, tmp_path):
    """Ids and order are the same on every run: three interpreters with different hash seeds
    write byte-identical files in every format, and the reviewed ones."""
    outputs = {}
    for seed in ("0", "1", "4242"):
        for fmt, ext in [(f.name, f.suffixes[0][1:]) for f in FORMATS.values()]:
            if "--compact" in _cli_args(name) and not FORMATS[fmt].written:   # the trace's data: no form
                continue
            out = tmp_path / f"{seed}.{ext}"
            run = run_cli("explain", *_cli_args(name), "--format", fmt, "-o", str(out),
                          env={"PYTHONHASHSEED": seed})
            assert run.returncode == 0, run.stderr
            outputs.setdefault(ext, set()).add(out.read_bytes())
    assert all(len(v) == 1 for v in outputs.values()), [k for k, v in outputs.items() if len(v) > 1]
    for ext in ("txt", "md", "tex", "typ"):
        assert outputs[ext] == {(EXPECTED / f"{name}.{ext}").read_bytes()}, ext


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: make test installs it")
    run = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("name", ["notes", "mazur"])
def test_pdf_holds_every_value_of_the_updates_table(name, tmp_path, traces):
    """explain -o solution.pdf compiles the Typst document in-process; its text (pdftotext) holds
    every parameter's gradient, old and new value as the updates table writes them."""
    from handprop.render.document import document
    from handprop.render.text import cell_text
    out = tmp_path / "solution.pdf"
    run = run_cli("explain", name, "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    pdf = _pdf_text(out).replace("−", "-")
    doc = document(traces[name])
    for row in doc.updates.rows:
        for cell in row[:4]:
            number = cell_text(doc, cell)
            assert number.replace("−", "-") in pdf, (row[0].value, number)
    for section in doc.sections:       # every step's title is there too
        for block in section.blocks:
            assert block.title in pdf.replace("\n", " ") or block.title.split()[0] in pdf


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_every_reviewed_typst_document_compiles(name):
    from handprop.render.pdf import compile_typst
    pdf = compile_typst((EXPECTED / f"{name}.typ").read_text(encoding="utf-8"))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000


@pytest.mark.parametrize("name", sorted(PROBLEMS) + ["notes_by_hand", "notes_sig3", "deep_round2"])
def test_typst_compiles_for_every_problem_and_hostile_names(name, traces, tmp_path):
    """Names that are HTML, TeX, Typst markup or quotes reach the Typst document as strings: it
    compiles, and its text holds them as written."""
    from handprop.render.pdf import compile_typst
    pdf = compile_typst(typst_writer.render(traces[name]))
    assert pdf.startswith(b"%PDF-")
    if name == "evil_names" and shutil.which("pdftotext"):
        path = tmp_path / "evil.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        assert "<b>bold</b> & `code` | $x$" in " ".join(text.split())


@pytest.mark.parametrize("name, rounding", [("mazur", None), ("two_samples_mean", ("round", 3))])
def test_json_in_pieces_is_exactly_the_json_whole(name, rounding):
    """The pieces a large trace is written in, joined, are the compact JSON byte for byte."""
    from handprop.solve.rounding import hand_explain
    here = Path(__file__).parent / "problems" / f"{name}.yaml"
    problem = load(str(here)) if here.exists() else load(name)
    trace = hand_explain(problem, *rounding) if rounding else explain(problem)
    whole = trace.dump_bytes(indent=False, newline=True)
    for batch in (1, 2, 7, 10_000):
        pieces = list(trace.dump_chunks(newline=True, batch=batch))
        assert b"".join(pieces) == whole
        assert len(pieces) == 2 + -(-len(trace.steps) // batch)
    assert json.loads(whole)["steps"][-1]["id"] == trace.steps[-1].id


def test_an_output_that_fails_while_written_leaves_no_file(tmp_path):
    from handprop.cli.output import write_output

    def pieces():
        yield b'{"a": 1'
        raise RuntimeError("the writer failed half-way")
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        write_output(str(target), pieces())
    assert list(tmp_path.iterdir()) == []
    write_output(str(target), iter([b"[1,", b"2]"]))
    assert json.loads(target.read_text()) == [1, 2]
