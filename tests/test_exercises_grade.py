"""handprop exercise grade: a simulated class graded with the expected marks.

The students' answers are made here, apart from the grader: the network of each variant's
``problem.yaml`` (read with PyYAML) is worked by this file's own plain arithmetic (a 2-2-2
sigmoid network, half squared error, gradient descent), exactly or rounding every intermediate
as a student does, and a catalogue mistake is made by changing that arithmetic (σ′ left out of
w5's gradient and the update done right from it, the ½ dropped, the update's sign flipped, a
bias left out).  The test's exact numbers are first held to the set's own (set.json), so the
simulation is known to be right before the grader is judged by it.
"""
from __future__ import annotations

import csv
import io
import json
import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from handprop.exercises.build import write_set
from handprop.exercises.generate import Recipe
from handprop.exercises.grading import answers as reading
from handprop.exercises.grading.grade import Contexts, first_context, grade
from handprop.exercises.grading.marks import default, parse as parse_marks
from handprop.exercises.grading.outputs import file_names, safe_name
from handprop.exercises.policy import Policy
from handprop.exercises.setfile import read_set

ASK = ("forward", "loss", "w5", "w1", "updates")
HEADER = ["Student ID", "Variant", "y1", "y2", "E_total", "dE/dw5", "dE/dw1",
          "w1_new", "w2_new", "w3_new", "w4_new", "w5_new", "w6_new", "w7_new", "w8_new"]
IDS = ["out:Y1", "out:Y2", "E:total", "grad:w5", "grad:w1"] + [f"new:w{i}" for i in range(1, 9)]


# ---------------------------------------------------------------- the network worked apart

def sig(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def work(data: dict, r=lambda x: x, slope_w5=True, half=True, bias_y1=True) -> dict[str, float]:
    """Every asked quantity of a 2-2-2 sigmoid network with half squared error, worked by hand:
    ``r`` applied to every intermediate (a person's rounding); the other flags make a mistake."""
    w = {k: v[2] for k, v in data["weights"].items()}
    src = {k: (v[0], v[1]) for k, v in data["weights"].items()}
    bias = {u: b[1] for b in data["biases"].values() for u in b[0]}
    sample = data["samples"][0]
    out = dict(zip(data["inputs"], sample["inputs"]))
    hidden, outputs = data["layers"][0]["units"], data["layers"][1]["units"]
    target = dict(zip(outputs, sample["targets"]))
    for layer in (hidden, outputs):
        for u in layer:
            net = r(sum(r(w[k] * out[a]) for k, (a, b) in src.items() if b == u)
                    + (bias[u] if (bias_y1 or u != outputs[0]) else 0.0))
            out[u] = r(sig(net))
    e = r(sum(r((0.5 if half else 1.0) * (target[u] - out[u]) ** 2) for u in outputs))
    delta = {u: r(r(out[u] - target[u]) * r(out[u] * (1 - out[u]))) for u in outputs}
    grad = {}
    for k, (a, b) in src.items():
        if b in outputs:
            grad[k] = r(delta[b] * out[a])
    for h in hidden:
        back = r(sum(r(delta[y] * w[k]) for k, (a, y) in src.items() if a == h))
        delta[h] = r(back * r(out[h] * (1 - out[h])))
    for k, (a, b) in src.items():
        if b in hidden:
            grad[k] = r(delta[b] * out[a])
    if not slope_w5:                                  # σ′ left out of w5's gradient only
        a, b = src["w5"]
        grad["w5"] = r(r(out[b] - target[b]) * out[a])
    eta = data["learning_rate"]
    found = {"out:Y1": out[outputs[0]], "out:Y2": out[outputs[1]], "E:total": e,
             "grad:w5": grad["w5"], "grad:w1": grad["w1"]}
    found.update({f"new:{k}": r(w[k] - r(eta * grad[k])) for k in w})
    return found


def at4(x: float) -> str:
    return str(Decimal(repr(x)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def cut4(x: float) -> str:
    d = Decimal(repr(x))
    return str(d.quantize(Decimal("0.0001"), rounding="ROUND_DOWN"))


def round4(x: float) -> float:
    return float(at4(x))


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, dict, dict[str, dict]]:
    """A set of 4 variants of the notes' network (full precision), set.json, each variant's data."""
    folder = tmp_path_factory.mktemp("grade") / "set"
    write_set(Recipe(architecture=None, like="notes", count=4, seed=5, ask=ASK, rounding=Policy(None)), str(folder))
    doc = json.loads((folder / "set.json").read_text(encoding="utf-8"))
    data = {v["code"]: yaml.safe_load((folder / v["problem"]).read_text(encoding="utf-8")) for v in doc["variants"]}
    return folder, doc, data


def test_the_simulation_is_right_before_it_judges(made):
    _, doc, data = made
    assert doc["ask"]["ids"] == IDS
    for v in doc["variants"]:
        mine = work(data[v["code"]])
        for k in IDS:
            assert mine[k] == pytest.approx(v["exact"][k], abs=1e-12), (v["code"], k)
            assert at4(mine[k]) == v["answers"][k]


# ---------------------------------------------------------------- the class

def _row(student: str, code: str, values: dict[str, str], blank=()) -> list[str]:
    return [student, code] + ["" if k in blank else values[k] for k in IDS]


def _class(doc: dict, data: dict) -> tuple[str, dict[str, dict]]:
    """The answers CSV of the class, and per graded student what is expected of each answer
    (the verdicts other than right; 'earned' for right-or-drift)."""
    codes = [v["code"] for v in doc["variants"]]
    a, b, c, d = codes
    exact = {k: {q: at4(x) for q, x in work(data[k]).items()} for k in codes}
    rows, expect = [HEADER], {}

    rows.append(_row("ada", a, exact[a]))
    expect["ada"] = {}
    drift = {q: at4(x) for q, x in work(data[b], r=round4).items()}           # every intermediate to 4 places
    chopped = {q: cut4(x) for q, x in work(data[b]).items()}                    # cut off, not rounded
    ben = dict(drift, **{"E:total": chopped["E:total"], "grad:w1": chopped["grad:w1"]})
    assert any(ben[q] != exact[b][q] for q in IDS)                              # drift there is to judge
    rows.append(_row("ben", b, ben))
    expect["ben"] = {q: "drift" for q in IDS if ben[q] != exact[b][q]}
    # σ′ left out of w5's gradient, the update of w5 done right from that wrong gradient
    slip = work(data[c], slope_w5=False)
    cleo = dict(exact[c], **{"grad:w5": at4(slip["grad:w5"])})
    w5, eta = data[c]["weights"]["w5"][2], data[c]["learning_rate"]
    cleo["new:w5"] = at4(w5 - eta * float(cleo["grad:w5"]))
    assert cleo["grad:w5"] != exact[c]["grad:w5"] and cleo["new:w5"] != exact[c]["new:w5"]
    rows.append(_row("cleo", c, cleo))
    expect["cleo"] = {"grad:w5": "wrong", "new:w5": "carried"}
    # the ½ dropped from the loss
    dan = dict(exact[d], **{"E:total": at4(work(data[d], half=False)["E:total"])})
    rows.append(_row("dan", d, dan))
    expect["dan"] = {"E:total": "wrong"}
    # the update's sign flipped for w6; w7 and w8 left blank
    w6 = data[a]["weights"]["w6"][2]
    g6 = (work(data[a])["new:w6"] - w6) / -data[a]["learning_rate"]
    eve = dict(exact[a], **{"new:w6": at4(w6 + data[a]["learning_rate"] * g6)})
    rows.append(_row("eve", a, eve, blank=("new:w7", "new:w8")))
    expect["eve"] = {"new:w6": "wrong", "new:w7": "blank", "new:w8": "blank"}
    # the bias left out of y1's net, the loss then worked right from that y1
    nob = work(data[b], bias_y1=False)
    y2 = work(data[b])["out:Y2"]
    t1, t2 = data[b]["samples"][0]["targets"]
    jo = dict(exact[b], **{"out:Y1": at4(nob["out:Y1"])})
    jo["E:total"] = at4(0.5 * (t1 - float(jo["out:Y1"])) ** 2 + 0.5 * (t2 - y2) ** 2)
    rows.append(_row("jo", b, jo))
    expect["jo"] = {"out:Y1": "wrong", "E:total": "carried"}
    rows.append(_row("fay", c, dict(exact[c], **{"grad:w1": "n/a"})))              # line 8: not a number
    rows.append(_row("gus", "QQQQ", exact[a]))                                      # line 9: no such variant
    rows.append(["hal", d])                                                         # line 10: cells missing
    for hostile in ("<script>alert(1)</script>", "../x", "/", "ada" .upper(), "=HYPERLINK(\"x\")", "é" * 200):
        rows.append(_row(hostile, d, exact[d]))
        expect[hostile] = {}
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(
        [row[:2] + [cell.replace(".", ",") for cell in row[2:]] for row in rows])        # a decimal-comma spreadsheet
    return "\ufeff" + out.getvalue(), expect


BAD_LINES = {8: "n/a", 9: "QQQQ", 10: "cell"}


@pytest.fixture(scope="module")
def graded_class(made, tmp_path_factory):
    folder, doc, data = made
    text, expect = _class(doc, data)
    path = tmp_path_factory.mktemp("answers") / "answers.csv"
    path.write_text(text, encoding="utf-8")
    return folder, path, expect


def _verdict_ok(expected: str | None, verdict: str) -> bool:
    if expected is None:
        return verdict == "correct"
    if expected == "drift":
        return verdict in ("correct", "rounding")
    return verdict == expected


def test_the_simulated_class_gets_its_marks(graded_class):
    folder, path, expect = graded_class
    stored = read_set(str(folder))
    contexts = Contexts(stored)
    first = first_context(stored, contexts)
    found = reading.read(str(path), stored.ids, first.names, {v["code"] for v in stored.data["variants"]})
    assert found.delimiter == ";" and list(found.columns) == IDS and not found.ignored
    assert [(b.line, b.student) for b in found.bad] == [(8, "fay"), (9, "gus"), (10, "hal")]
    for b in found.bad:
        assert BAD_LINES[b.line] in b.why
    g = grade(stored, found, default(stored.ids), contexts)
    assert [s.id for s in g.students] == list(expect)
    for s in g.students:
        wanted = expect[s.id]
        for a in s.answers:
            assert _verdict_ok(wanted.get(a.qid), a.verdict), (s.id, a.qid, a.written, a.verdict, a.explanation)
        lost = sum(1 for v in wanted.values() if v in ("wrong", "blank"))
        assert s.total == 13 - lost, s.id
    by = {s.id: s for s in g.students}
    cleo = {a.qid: a for a in by["cleo"].answers}
    assert cleo["new:w5"].verdict == "carried" and cleo["new:w5"].marks == 1 and cleo["new:w5"].first_wrong == "grad:w5"
    assert "slope_left_out" in cleo["grad:w5"].families
    assert "half" in {a.qid: a for a in by["dan"].answers}["E:total"].families
    assert "sign" in {a.qid: a for a in by["eve"].answers}["new:w6"].families
    assert {a.qid: a for a in by["jo"].answers}["E:total"].marks == 1
    ben = {a.qid: a.verdict for a in by["ben"].answers}
    assert "rounding" in ben.values()                        # drift judged as drift, not as right by chance


def test_marks_per_quantity_and_carried_credit_in_the_csv(graded_class, tmp_path, cli):
    folder, path, expect = graded_class
    out = tmp_path / "out"
    code, stdout, stderr = cli("exercise", "grade", str(path), "--set", str(folder), "--marks",
                               "w5=2,updates=0.5,E_total=3", "-o", str(out))
    assert code == 1, stderr                                  # some rows were not graded
    for line in BAD_LINES:
        assert f"line {line}: not graded" in stderr
    assert "lines 8, 9, 10" in stdout
    weight = {q: 0.5 for q in IDS if q.startswith("new:")} | {"grad:w5": 2, "E:total": 3}
    rows = list(csv.DictReader(io.StringIO((out / "marks.csv").read_text(encoding="utf-8"), newline="")))
    assert list(rows[0]) == ["student_id", "variant", "total"] + IDS
    assert [r["student_id"] for r in rows] == [("'" + s if s.startswith("=") else s) for s in expect]
    for r, (student, wanted) in zip(rows, expect.items()):
        marks = {q: 0.0 if wanted.get(q) in ("wrong", "blank") else weight.get(q, 1.0) for q in IDS}
        assert {q: float(r[q]) for q in IDS} == marks, student
        assert float(r["total"]) == sum(marks.values())
    cleo = next(r for r in rows if r["student_id"] == "cleo")
    assert (cleo["grad:w5"], cleo["new:w5"]) == ("0", "0.5")           # the carried update earns its marks
    reports = sorted(p.name for p in (out / "reports").iterdir())
    assert len(reports) == 2 * len(expect)
    assert all(p.startswith(tuple("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"))
               for p in reports) and all(len(p.rsplit(".", 1)[0]) <= 60 for p in reports)
    page = (out / "reports" / "cleo.html").read_text(encoding="utf-8")
    assert "carried" in page and "σ′ left out" in page
    assert (out / "reports" / "cleo.pdf").read_bytes().startswith(b"%PDF")
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in summary and "<script" not in summary
    assert "activation derivative left out" in summary and "<svg" in summary and "http" not in summary.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_hostile_ids_are_escaped_and_make_safe_unique_file_names(graded_class, tmp_path, cli):
    folder, path, _ = graded_class
    out = tmp_path / "g"
    code, _, stderr = cli("exercise", "grade", str(path), "--set", str(folder), "-o", str(out))
    assert code == 1, stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert all(out in p.parents for p in files)
    assert not (tmp_path / "x.html").exists() and not Path("/x.html").exists()
    names = sorted(p.stem for p in (out / "reports").glob("*.html"))
    assert len(names) == len(set(n.casefold() for n in names))       # unique where case is ignored
    assert "ada" in names and "ADA-2" in names
    page = next((out / "reports").glob("script*.html")).read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert safe_name("../x") == "x" and safe_name("/") == "student" and len(safe_name("é" * 200)) <= 60
    assert file_names(["a", "A", "a"]) == ["a", "A-2", "a-3"]


def test_an_unreadable_file_writes_nothing(made, tmp_path, cli):
    folder = made[0]
    cases = {"missing.csv": None, "binary.csv": b"\x00\x01PK\x03\x04" * 20, "data.csv": b"just,some,words\n1,2,3\n",
             "latin.csv": "id;variant;y1\nm\xe9;AAAA;0,5\n".encode("latin-1"), "empty.csv": b"",
             "noasked.csv": b"id,variant,colour\ns1,AAAA,red\n"}
    for name, data in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        out = tmp_path / f"out-{name}"
        code, stdout, stderr = cli("exercise", "grade", str(path), "--set", str(folder), "-o", str(out))
        assert code == 2, (name, stderr)
        assert stderr.count("\n") == 1 and "Traceback" not in stderr and str(path) in stderr, stderr
        assert not out.exists() and not list(tmp_path.glob(f".out-{name}*"))


def test_bad_marks_are_refused_before_anything_is_written(graded_class, tmp_path, cli):
    folder, path, _ = graded_class
    for spec in ("w99=2", "w5=-1", "w5=lots", "w5"):
        out = tmp_path / "m"
        code, _, stderr = cli("exercise", "grade", str(path), "--set", str(folder), "--marks", spec, "-o", str(out))
        assert code == 2 and "--marks" in stderr and stderr.count("\n") == 1, (spec, stderr)
        assert not out.exists()
    marks = tmp_path / "marks.yaml"
    marks.write_text("dE/dw5: 2\nloss: 0.5\n", encoding="utf-8")
    stored = read_set(str(folder))
    first = first_context(stored, Contexts(stored))
    scheme = parse_marks(str(marks), stored.ids, first.problem, first.names)
    assert scheme.of("grad:w5") == 2 and scheme.of("E:total") == Decimal("0.5") and scheme.of("out:Y1") == 1


def test_cells_are_read_as_a_spreadsheet_writes_them():
    assert reading.number("0,75", ";") == Decimal("0.75")
    assert reading.number("0,750", ",") == Decimal("0.750")
    assert reading.number("1,250", ",") is None and reading.number("1,250", ";") == Decimal("1.250")
    assert reading.number("−0.5", ",") == Decimal("-0.5") and reading.number("8.22E-02", ",") == Decimal("0.0822")
    assert reading.number("abc", ",") is None
