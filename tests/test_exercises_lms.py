"""handprop exercise export: every LMS export parsed back (lxml for Moodle XML and Canvas QTI, a
GIFT reader of our own) and every answer and tolerance checked against `handprop explain` of
the variant's problem file and against the rounding policy; Canvas's 1e-4 rule; titles that are
markup stay text; bad input refused in one line, nothing written."""
from __future__ import annotations

import base64
import json
import re
import shutil
import zipfile
from dataclasses import replace
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from lxml import etree, html as lxml_html

from cli_run import run_cli
from handprop.checking.mistakes import apply, catalogue
from handprop.errors import UsageError
from handprop.exercises.build import write_set
from handprop.exercises.generate import Recipe, model_of
from handprop.exercises.lms import EXPORTS, from_folder
from handprop.exercises.lms.questions import Asked
from handprop.exercises.lms.qti import scale_of
from handprop.exercises.policy import Policy
from handprop.problem import load_path
from handprop.solve.replay import Replay, ReplayError
from handprop.solve.rounding import hand_base, one_press, rounder

FILES = {"moodle": "moodle.xml", "moodle-cloze": "moodle-cloze.xml", "gift": "gift.txt", "qti": "canvas-qti.zip"}
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
HOSTILE = '<script>alert("x")</script> {1:NUMERICAL:=1:0} ~=#{}: \\ & </b>'


# ---------------------------------------------------------------- the sets and the truth

@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """`handprop exercise new --count 3 --seed 1`, made through the library."""
    folder = tmp_path_factory.mktemp("lms") / "set"
    write_set(Recipe(count=3, seed=1), str(folder))
    return folder


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Path:
    """`--count 2 --seed 4 --rounding full`."""
    folder = tmp_path_factory.mktemp("lms-full") / "set"
    write_set(Recipe(count=2, seed=4, rounding=Policy(None)), str(folder))
    return folder


def _set(folder: Path) -> dict:
    return json.loads((folder / "set.json").read_text(encoding="utf-8"))


def _places(d: Decimal, places: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def mistakes(path: Path, n: int | None, places: int, ids) -> dict[str, set[Decimal]]:
    """id -> the answer of every mistake of the catalogue, made alone, worked in full precision
    and (under a rounding policy) by hand, at the places shown -- worked apart, every mistake."""
    model = model_of(load_path(str(path)))
    out = {k: set() for k in ids}
    for m in catalogue(model):
        if m.scale != 1.0:
            continue
        exprs, base, updated = apply(model, [m])
        ways = [Replay(model, exprs=exprs, base=base, updated=updated)]
        if n is not None:
            hb = hand_base(model) if base is None else {k: Decimal(repr(float(x))) for k, x in base.items()}
            ways.append(Replay(model, exprs=exprs, base=hb, updated=updated, rnd=rounder("round", n),
                               whole=one_press(model)))
        for k in ids:
            for way in ways:
                try:
                    v = way[k]
                except (ReplayError, ArithmeticError, ValueError):
                    continue
                v = Decimal(repr(float(v))) if not isinstance(v, Decimal) else v
                if v.is_finite() and abs(float(v) - model.exact[k]) > 1e-12 * max(1.0, abs(model.exact[k])):
                    out[k].add(_places(v, places))
    return out


def truth(folder: Path) -> dict[str, dict[str, tuple[Decimal, Decimal, Decimal]]]:
    """code -> id -> (answer, tolerance, exact): `handprop explain --format json` of each problem
    file (with `--round N` under a rounding policy), the tolerance by the documented rule worked
    here apart: full precision, half a unit u/2 in the last place; rounding, |answer - exact| +
    u/2, rounded up to two more places; then narrowed to stop 10^-(N+2) short of any mistake's
    answer inside it, never below u/2."""
    data = _set(folder)
    n = data["rounding"]["intermediate_places"]
    places = data["rounding"]["answer_places"]
    half = Decimal(1).scaleb(-places) / 2
    step = Decimal(1).scaleb(-places - 2)
    out = {}
    for v in data["variants"]:
        path = folder / v["problem"]
        r = run_cli("explain", str(path), "--format", "json", "-o", "-", *(["--round", str(n)] if n else []),
                    text=True)
        assert r.returncode == 0, r.stderr
        trace = json.loads(r.stdout)
        wrong = mistakes(path, n, places, data["ask"]["ids"])
        row = {}
        for k in data["ask"]["ids"]:
            exact = Decimal(repr(float(trace["values"][k])))
            if n:
                answer = _places(Decimal(str(trace["hand_values"][k])), places)
                tol = (abs(answer - exact) + half).quantize(step, rounding=ROUND_CEILING)
            else:
                answer, tol = _places(exact, places), half
            for w in sorted(wrong[k]):
                if half < abs(w - answer) <= tol:
                    tol = max(half, abs(w - answer) - step)
            row[k] = (answer, tol, exact)
        out[v["code"]] = row
    return out


def test_the_answers_are_the_keys(made, full):
    for folder in (made, full):
        expected = truth(folder)
        for v in _set(folder)["variants"]:
            assert {k: a for k, (a, _, _) in expected[v["code"]].items()} == \
                {k: Decimal(a) for k, a in v["answers"].items()}


def _accepts(answer: Decimal, tol: Decimal, x: Decimal) -> bool:
    return answer - tol <= x <= answer + tol


def test_the_tolerance_takes_the_hand_and_the_exact_working_and_no_mistake(made, full):
    widened = 0
    for folder in (made, full):
        data = _set(folder)
        n, places = data["rounding"]["intermediate_places"], data["rounding"]["answer_places"]
        unit = Decimal(1).scaleb(-places)
        quiz = from_folder(str(folder))
        for item in quiz.items:
            wrong = mistakes(folder / item.code / "problem.yaml", n, places, [a.id for a in item.asked])
            for a in item.asked:
                answer, tol = a.answer, a.tolerance
                assert _accepts(answer, tol, answer) and tol >= unit / 2 and tol < 3 * unit
                assert not any(_accepts(answer, tol, w) for w in wrong[a.id] if w != answer), (item.code, a.id)
                exact_worked = _places(Decimal(repr(a.exact)), places)
                if not _accepts(answer, tol, exact_worked):
                    # only where a mistake gives an answer the drift would have taken in
                    assert any(abs(w - answer) <= abs(exact_worked - answer) for w in wrong[a.id]), (item.code, a.id)
                widened += tol > unit / 2
    assert widened      # the drift of hand rounding widens some tolerances past u/2
    full_tols = {tol for row in truth(full).values() for _, tol, _ in row.values()}
    assert full_tols == {Decimal("0.00005")}


# ---------------------------------------------------------------- Moodle XML

def _moodle(path: Path):
    root = etree.parse(str(path)).getroot()
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    assert questions[0].findtext("category/text").startswith("$course$/top/handprop/")
    return questions[0], questions[1:]


def _html(text: str):
    return lxml_html.fragment_fromstring(text, create_parent="div")


def _check_question_text(q, folder: Path, code: str) -> str:
    """The question text: HTML with the drawing as its file, the given numbers, the policy."""
    qt = q.find("questiontext")
    assert qt.get("format") == "html"
    f = qt.find("file")
    assert (f.get("name"), f.get("path"), f.get("encoding")) == ("network.svg", "/", "base64")
    assert base64.b64decode(f.text) == (folder / code / "network.svg").read_bytes()
    page = _html(qt.findtext("text"))
    assert [img.get("src") for img in page.iter("img")] == ["@@PLUGINFILE@@/network.svg"]
    words = page.text_content()
    data = _set(folder)
    assert data["rounding"]["text"] in words
    problem = (folder / code / "problem.yaml").read_text()
    for name, value in re.findall(r"^  (w\d+): \[\w+, \w+, (-?[0-9.]+)\]$", problem, re.M):
        shown = value.replace("-", "−").removesuffix(".0")
        assert re.search(rf"{name} \([^)]*\) = {re.escape(shown)}(?![0-9])", words), (name, value)
    return words


def test_moodle_numerical_questions_hold_every_answer_and_tolerance(made):
    expected = truth(made)
    data = _set(made)
    category, questions = _moodle(made / "moodle.xml")
    assert category.findtext("category/text") == "$course$/top/handprop/Backpropagation by hand, seed 1 (2-2-2)/by quantity"
    assert len(questions) == len(data["variants"]) * len(data["ask"]["ids"])
    seen = {}
    for q in questions:
        assert q.get("type") == "numerical"
        code, n = re.fullmatch(r"([A-Z2-9]{4}) (\d+): .+", q.findtext("name/text")).groups()
        k = data["ask"]["ids"][int(n) - 1]
        assert q.findtext("name/text").endswith(data["ask"]["labels"][k])
        answers = q.findall("answer")
        assert len(answers) == 1 and answers[0].get("fraction") == "100"
        assert q.find("tolerancetype") is None and answers[0].find("tolerancetype") is None
        answer, tol = Decimal(answers[0].findtext("text")), Decimal(answers[0].findtext("tolerance"))
        assert (answer, tol) == expected[code][k][:2], (code, k)
        assert q.findtext("idnumber") == f"{code}-{k}"
        assert q.findtext("units") is not None and q.findtext("showunits") == "3"
        words = _check_question_text(q, made, code)
        assert f"Compute {data['ask']['labels'][k]}, {data['ask']['words'][k]}." in words
        seen[code, k] = True
    assert len(seen) == len(questions)


CLOZE = re.compile(r"\{1:NUMERICAL:=(-?[0-9.]+):([0-9.]+)\}")


def test_moodle_cloze_is_one_question_per_variant_with_a_field_per_quantity(made):
    expected = truth(made)
    data = _set(made)
    category, questions = _moodle(made / "moodle-cloze.xml")
    assert data["rounding"]["text"] in category.findtext("info/text")
    assert category.findtext("category/text").endswith("seed 1 (2-2-2)/by variant (Cloze)")
    assert [q.get("type") for q in questions] == ["cloze"] * len(data["variants"])
    for q, v in zip(questions, data["variants"]):
        assert q.findtext("name/text") == f"{v['code']}: Exercise {v['code']}"
        assert q.find("answer") is None
        text = q.findtext("questiontext/text")
        fields = [(Decimal(a), Decimal(t)) for a, t in CLOZE.findall(text)]
        assert fields == [expected[v["code"]][k][:2] for k in data["ask"]["ids"]]
        assert text.count("{") == len(fields) == text.count("}")
        _check_question_text(q, made, v["code"])


# ---------------------------------------------------------------- GIFT, read by a reader of our own

def gift_unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append("\n" if text[i + 1] == "n" else text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _unescaped_at(text: str, ch: str) -> list[int]:
    """Where ``ch`` stands unescaped in GIFT ``text``."""
    found, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ch:
            found.append(i)
        i += 1
    return found


def read_gift(path: Path) -> tuple[str, list[tuple[str, str, str, str]]]:
    """(the category, [(name, format, text, answer block)]) -- every question on one line."""
    category, questions = None, []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln.strip() and not ln.startswith("//")]
        if not lines:
            continue
        assert len(lines) == 1, lines
        line = lines[0]
        if line.startswith("$CATEGORY:"):
            category = line.removeprefix("$CATEGORY:").strip()
            continue
        assert line.startswith("::")
        end = line.index("::", 2)
        while line[end - 1] == "\\":
            end = line.index("::", end + 1)
        name, rest = line[2:end], line[end + 2:]
        fmt = re.match(r"\[(\w+)\]", rest).group(1)
        rest = rest[len(fmt) + 2:]
        opens, closes = _unescaped_at(rest, "{"), _unescaped_at(rest, "}")
        assert len(opens) == 1 and len(closes) == 1 and closes[0] == len(rest) - 1, rest[-80:]
        questions.append((gift_unescape(name), fmt, gift_unescape(rest[:opens[0]]), rest[opens[0] + 1:-1]))
    return category, questions


def test_gift_holds_every_answer_and_tolerance(made):
    expected = truth(made)
    data = _set(made)
    category, questions = read_gift(made / "gift.txt")
    assert category == "$course$/top/handprop/Backpropagation by hand, seed 1 (2-2-2)/by quantity"
    assert len(questions) == len(data["variants"]) * len(data["ask"]["ids"])
    for name, fmt, text, block in questions:
        code, n = re.fullmatch(r"([A-Z2-9]{4}) (\d+): .+", name).groups()
        k = data["ask"]["ids"][int(n) - 1]
        assert fmt == "html" and name.endswith(data["ask"]["labels"][k])
        m = re.fullmatch(r"#(-?[0-9.]+):([0-9.]+)", block)
        assert m, block
        assert (Decimal(m.group(1)), Decimal(m.group(2))) == expected[code][k][:2]
        page = _html(text)
        [src] = [img.get("src") for img in page.iter("img")]
        assert src.startswith("data:image/svg+xml;base64,")
        assert base64.b64decode(src.split(",", 1)[1]) == (made / code / "network.svg").read_bytes()
        assert data["rounding"]["text"] in page.text_content()


# ---------------------------------------------------------------- Canvas QTI

def read_qti(path: Path) -> dict[str, list[dict]]:
    """code -> its items: title, type, scale, quantity, low and high bound, text."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        manifest = etree.fromstring(zf.read("imsmanifest.xml"))
        assert manifest.tag == f"{CP}manifest"
        resources = manifest.findall(f"{CP}resources/{CP}resource")
        tests = [r for r in resources if r.get("type") == "imsqti_xmlv1p2"]
        files = {r.get("identifier"): r for r in resources}
        out = {}
        for r in tests:
            [href] = [f.get("href") for f in r.findall(f"{CP}file")]
            assert href in names
            for dep in r.findall(f"{CP}dependency"):
                drawing = files[dep.get("identifierref")]
                assert drawing.get("type") == "webcontent" and drawing.get("href") in names
            root = etree.fromstring(zf.read(href))
            assert root.tag == f"{QTI}questestinterop"
            [test] = root.findall(f"{QTI}assessment")
            key, code = re.fullmatch(r"handprop-([0-9a-f]{8})-([A-Z2-9]{4})", test.get("ident")).groups()
            assert href == f"handprop-{key}-{code}/handprop-{key}-{code}.xml"
            assert manifest.get("identifier") == f"handprop-{key}"
            items = []
            for it in test.iter(f"{QTI}item"):
                meta = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
                        for f in it.iter(f"{QTI}qtimetadatafield")}
                [cond] = it.findall(f"{QTI}resprocessing/{QTI}respcondition")
                var = cond.find(f"{QTI}conditionvar")
                assert cond.findtext(f"{QTI}setvar") == "100"
                assert it.find(f".//{QTI}render_fib").get("fibtype") == "Decimal"
                text = it.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext")
                for img in _html(text).iter("img"):
                    assert img.get("src").replace("%24IMS-CC-FILEBASE%24/", "") in names
                items.append({"title": it.get("title"), "type": meta["question_type"],
                              "scale": int(meta["handprop_scale"]), "id": meta["handprop_quantity"],
                              "low": Decimal(var.findtext(f"{QTI}vargte")),
                              "high": Decimal(var.findtext(f"{QTI}varlte")), "text": text,
                              "assessment": test.get("title")})
            out[code] = items
        return out


def test_the_canvas_zip_lists_every_variant_and_holds_every_range(made):
    expected = truth(made)
    data = _set(made)
    found = read_qti(made / "canvas-qti.zip")
    assert list(found) == [v["code"] for v in data["variants"]]
    for code, items in found.items():
        assert [it["id"] for it in items] == data["ask"]["ids"]
        for it in items:
            answer, tol, _ = expected[code][it["id"]]
            assert it["type"] == "numerical_question" and it["scale"] == 0
            assert (it["low"], it["high"]) == (answer - tol, answer + tol)
            assert min(abs(it["low"]), abs(it["high"])) >= Decimal("0.0001")


def test_full_precision_exports_agree_with_the_exact_values(full):
    expected = truth(full)
    _, questions = _moodle(full / "moodle.xml")
    for q in questions:
        code, n = re.fullmatch(r"([A-Z2-9]{4}) (\d+): .+", q.findtext("name/text")).groups()
        k = _set(full)["ask"]["ids"][int(n) - 1]
        assert Decimal(q.findtext("answer/tolerance")) == Decimal("0.00005")
        assert Decimal(q.findtext("answer/text")) == expected[code][k][0]
    for code, items in read_qti(full / "canvas-qti.zip").items():
        for it in items:
            answer = expected[code][it["id"]][0]
            assert (it["low"], it["high"]) == (answer - Decimal("0.00005"), answer + Decimal("0.00005"))


# ---------------------------------------------------------------- the 1e-4 rule

def test_a_tiny_answer_is_asked_scaled_for_canvas(tmp_path):
    folder = tmp_path / "tiny"
    write_set(Recipe(count=1, seed=2, rounding=Policy(6), ask=("forward", "w1")), str(folder))
    data = _set(folder)
    code = data["variants"][0]["code"]
    path = folder / code / "problem.yaml"
    text = path.read_text()
    edited = re.sub(r"\{inputs: \[(-?[0-9.]+),", "{inputs: [0.001,", text, count=1)
    assert edited != text
    path.write_text(edited)
    r = run_cli("exercise", "export", "--set", str(folder), "--format", "qti", text=True)
    assert r.returncode == 0, r.stderr
    assert "grad:w1" in r.stderr and "follows the problem files" in r.stderr
    expected = truth(folder)[code]
    answer, tol, _ = expected["grad:w1"]
    assert Decimal(0) < abs(answer) < Decimal("0.0001")
    k = next(k for k in range(7) if min(abs(answer - tol), abs(answer + tol)) * 10 ** k >= Decimal("0.0001"))
    assert k >= 1
    [items] = read_qti(folder / "canvas-qti.zip").values()
    [it] = [it for it in items if it["id"] == "grad:w1"]
    assert it["scale"] == k
    assert (it["low"], it["high"]) == ((answer - tol) * 10 ** k, (answer + tol) * 10 ** k)
    assert f"multiplied by {10 ** k:,}" in _html(it["text"]).text_content()
    for other in items:
        if other["id"] != "grad:w1":
            assert other["scale"] == 0
    # Moodle has no such rule: the answer as it is
    assert run_cli("exercise", "export", "--set", str(folder), "--format", "moodle").returncode == 0
    _, questions = _moodle(folder / "moodle.xml")
    [q] = [q for q in questions if q.findtext("idnumber") == f"{code}-grad:w1"]
    assert (Decimal(q.findtext("answer/text")), Decimal(q.findtext("answer/tolerance"))) == (answer, tol)


def test_a_range_canvas_cannot_hold_even_scaled_is_refused_in_one_line():
    a = Asked("grad:w1", "∂E/∂w1", "the gradient of w1", Decimal("0.0001"), 1e-4, Decimal("0.0000999999999999"))
    with pytest.raises(UsageError) as err:
        scale_of(a, "K7QD")
    line = str(err.value)
    assert "\n" not in line and "K7QD" in line and "1e-4" in line and "grad:w1" in line
    assert scale_of(replace(a, answer=Decimal("0.00002"), tolerance=Decimal("0.0000005")), "K7QD") == 1
    assert scale_of(replace(a, answer=Decimal("0"), tolerance=Decimal("0.00005")), "K7QD") == 0


# ---------------------------------------------------------------- a title that is markup

def test_a_title_that_is_markup_stays_text_in_every_export(made, tmp_path):
    folder = tmp_path / "hostile"
    shutil.copytree(made, folder)
    code = _set(folder)["variants"][0]["code"]
    path = folder / code / "problem.yaml"
    path.write_text(re.sub(r'^title: .*$', lambda m: "title: " + json.dumps(HOSTILE), path.read_text(), count=1,
                          flags=re.M))
    expected = truth(folder)
    for fmt in EXPORTS:
        r = run_cli("exercise", "export", "--set", str(folder), "--format", fmt, text=True)
        assert r.returncode == 0, r.stderr

    def plain(text: str) -> None:
        page = _html(text)
        assert not list(page.iter("script"))
        assert HOSTILE in page.text_content()

    _, questions = _moodle(folder / "moodle.xml")
    for q in questions[:len(expected[code])]:
        plain(q.findtext("questiontext/text"))
    _, clozes = _moodle(folder / "moodle-cloze.xml")
    assert clozes[0].findtext("name/text") == f"{code}: {HOSTILE}"
    text = clozes[0].findtext("questiontext/text")
    plain(text)
    fields = [(Decimal(a), Decimal(t)) for a, t in CLOZE.findall(text)]
    assert fields == [expected[code][k][:2] for k in _set(folder)["ask"]["ids"]]
    _, gifts = read_gift(folder / "gift.txt")
    for name, _, text, block in gifts:
        if name.startswith(code):
            plain(text)
            assert block.startswith("#")
    for it in read_qti(folder / "canvas-qti.zip")[code]:
        plain(it["text"])
        assert it["assessment"] == f"Variant {code}: {HOSTILE}"


# ---------------------------------------------------------------- the command

def test_export_writes_what_exercise_new_wrote(made, tmp_path):
    for fmt, name in FILES.items():
        out = tmp_path / name
        r = run_cli("exercise", "export", "--set", str(made), "--format", fmt, "-o", str(out), text=True)
        assert r.returncode == 0, r.stderr
        assert r.stderr == ""
        assert out.read_bytes() == (made / name).read_bytes(), fmt
    folder = tmp_path / "copy"
    shutil.copytree(made, folder)
    (folder / "gift.txt").unlink()
    r = run_cli("exercise", "export", "--set", str(folder), "--format", "gift", text=True)
    assert r.returncode == 0 and (folder / "gift.txt").read_bytes() == (made / "gift.txt").read_bytes()


def _garbage(folder: Path) -> None:
    (folder / "set.json").write_text("{not json")


def _no_rounding(folder: Path) -> None:
    data = _set(folder)
    del data["rounding"]
    (folder / "set.json").write_text(json.dumps(data))


def _no_problem(folder: Path) -> None:
    data = _set(folder)
    (folder / data["variants"][1]["problem"]).unlink()


@pytest.mark.parametrize("spoil, args, words", [
    (None, ("--set", "{tmp}/nothing-here", "--format", "gift"), "holds no set.json"),
    (_garbage, ("--format", "gift"), "set.json: cannot be read"),
    (_no_rounding, ("--format", "moodle"), "rounding"),
    (_no_problem, ("--format", "qti"), "problem.yaml"),
    (None, ("--format", "xlsx"), "unknown format 'xlsx'"),
    (None, ("--format", "gift", "-o", "{tmp}"), "is a directory"),
    (None, ("--format", "moodle", "-o", "/dev/null"), "/dev/null"),
    (None, ("--format", "moodle", "-o", "{set}/set.json"), "set file itself"),
])
def test_bad_input_is_one_line_and_writes_nothing(made, tmp_path, spoil, args, words):
    folder = tmp_path / "set"
    shutil.copytree(made, folder)
    for name in FILES.values():
        (folder / name).unlink()
    if spoil:
        spoil(folder)
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    args = [a.format(tmp=tmp_path, set=folder) for a in args]
    if "--set" not in args:
        args = ["--set", str(folder), *args]
    r = run_cli("exercise", "export", *args, text=True)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()} == before


def test_from_folder_reads_what_the_command_reads(made):
    quiz = from_folder(str(made))
    assert [it.code for it in quiz.items] == [v["code"] for v in _set(made)["variants"]]
    assert quiz.changed == ()
