"""handprop exercise: every variant nice (a property over seeds), the same seed the same bytes,
keys that agree with `handprop explain`, PDFs that hold every answer, bad input refused."""
from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_run import run_cli
from handprop.checking.mistakes import apply, catalogue
from handprop.exercises import nice
from handprop.exercises.generate import ALPHABET, CODE_LENGTH, Recipe, generate, model_of
from handprop.exercises.policy import Policy
from handprop.nn import ACTIVATIONS
from handprop.quantities import qid
from handprop.solve.replay import Replay, ReplayError
from handprop.solve.rounding import hand_base, hand_values, one_press, rounder
from handprop.verify import report

SEED = 11
ARGS = ("exercise", "new", "--count", "3", "--seed", str(SEED))


def rounded(value, places: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A set of three variants made by the command, twice (the same seed, two folders)."""
    root = tmp_path_factory.mktemp("sets")
    runs = [run_cli(*ARGS, "-o", str(root / name), text=True, timeout=300) for name in ("a", "b")]
    for r in runs:
        assert r.returncode == 0, r.stderr
    return root / "a", root / "b"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _set(folder: Path) -> dict:
    return json.loads((folder / "set.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the nice rules, checked apart

def _check_nice(ex) -> None:
    policy = ex.recipe.rounding
    places = policy.places_shown
    seen: dict[str, set[str]] = {k: set() for k in ex.ids}
    for v in ex.variants:
        p = v.problem
        # 1. the given numbers as written: at most the decimals asked
        numbers = [w.value for w in p.weights] + [b.value for b in p.biases] + list(p.samples[0].inputs) + \
            list(p.samples[0].targets)
        for x in numbers:
            text = repr(float(x))
            assert "e" not in text and len(text.split(".")[1].rstrip("0")) <= ex.recipe.decimals, (v.code, text)
        assert all(w.value != 0 for w in p.weights)
        # 2. live units, none saturated
        model = model_of(p)
        values = model.exact
        for layer in p.layers:
            entry = ACTIVATIONS[layer.activation]
            for u in layer.units:
                net = values[qid("net", u)]
                if layer.activation == "relu":
                    assert net > 0, (v.code, u, net)
                if entry.bounded is not None and all(map(math.isfinite, entry.bounded)):
                    assert abs(net) <= nice.NET_BOUND, (v.code, u, net)
        # the answers are what the policy gives (worked again here)
        if policy.places is None:
            right = {k: rounded(values[k], places) for k in ex.ids}
        else:
            hand, _ = hand_values(model, "round", policy.places, checker=False)
            right = {k: rounded(hand[k], places) for k in ex.ids}
        assert right == v.answers, v.code
        # 3. answers large enough, and 5. unlike every other variant's
        for k, a in right.items():
            assert Decimal("0.001") <= abs(a) <= Decimal("10000"), (v.code, k, a)
            assert str(a) not in seen[k], (v.code, k, a)
            seen[k].add(str(a))
        # 4. each mistake of the catalogue, alone, shows at the stated rounding
        for m in catalogue(model):
            if m.scale != 1.0:
                continue
            exprs, base, updated = apply(model, [m])
            exact = Replay(model, exprs=exprs, base=base, updated=updated)
            if policy.places is not None:
                hb = hand_base(model) if base is None else {k: Decimal(repr(float(x))) for k, x in base.items()}
                by_hand = Replay(model, exprs=exprs, base=hb, updated=updated,
                                 rnd=rounder("round", policy.places), whole=one_press(model))
            for k in ex.ids:
                try:
                    wrong = float(exact[k])
                except (ReplayError, ArithmeticError, ValueError):
                    continue
                if not math.isfinite(wrong) or abs(wrong - values[k]) <= 1e-12 * max(1.0, abs(values[k])):
                    continue
                try:
                    shown = rounded(wrong, places) if policy.places is None else rounded(by_hand[k], places)
                except (ReplayError, ArithmeticError, ValueError):
                    continue
                assert shown != right[k], (v.code, m.label, k, shown)
        # verified: finite differences agree (no torch)
        ok, text = report(p, torch=False)
        assert ok, text


RECIPES = [dict(), dict(rounding=Policy(None)), dict(architecture=(2, 3, 2), activations=("relu", "sigmoid")),
           dict(architecture=(3, 2, 1), activations=("tanh", "sigmoid"), decimals=1),
           dict(architecture=(2, 2, 3), activations=("sigmoid", "softmax"), loss="cross_entropy")]


@settings(max_examples=max(3, settings.default.max_examples // 12))
@given(seed=st.integers(0, 2**32), which=st.integers(0, len(RECIPES) - 1))
def test_every_variant_meets_every_nice_rule(seed, which):
    ex = generate(Recipe(count=2, seed=seed, **RECIPES[which]))
    assert len(ex.variants) == 2
    _check_nice(ex)


def test_codes_come_from_the_seed_and_the_index():
    a = generate(Recipe(count=3, seed=5))
    b = generate(Recipe(count=3, seed=5))
    codes = [v.code for v in a.variants]
    assert codes == [v.code for v in b.variants]
    assert len(set(codes)) == 3
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not set("0O1I") & set(ALPHABET)
    assert [v.code for v in generate(Recipe(count=3, seed=6)).variants] != codes


def test_like_keeps_the_network_and_its_names():
    ex = generate(Recipe(architecture=None, like="notes", count=2, seed=3, ask=("forward", "w5", "updates")))
    assert ex.ids[:2] == ("out:Y1", "out:Y2") and "grad:w5" in ex.ids and "new:w8" in ex.ids
    for v in ex.variants:
        assert [w.name for w in v.problem.weights] == [f"w{i}" for i in range(1, 9)]
    _check_nice(ex)


# ---------------------------------------------------------------- the files

def test_the_same_seed_gives_the_same_bytes(made):
    a, b = made
    fa, fb = _files(a), _files(b)
    assert fa.keys() == fb.keys()
    different = [name for name in fa if fa[name] != fb[name]]
    assert not different


def test_the_set_is_laid_out_as_documented(made):
    folder = made[0]
    data = _set(folder)
    assert data["format"] == "handprop.exercises/1" and data["seed"] == SEED
    assert data["rounding"]["policy"] == "4" and data["rounding"]["answer_places"] == 4
    assert data["ask"]["ids"] == ["out:y1", "out:y2", "E:total", "grad:w5", "grad:w1"]
    assert len(data["variants"]) == 3
    for v in data["variants"]:
        assert set(v["answers"]) == set(data["ask"]["ids"])
        assert v["problem"] == f"{v['code']}/problem.yaml"
        for name in ("problem.yaml", "network.svg", "solve.html", *(f"{kind}{s}" for kind in ("worksheet", "key")
                                                                   for s in (".md", ".html", ".tex", ".pdf"))):
            assert (folder / v["code"] / name).is_file(), name
    assert (folder / "worksheets.pdf").is_file() and (folder / "keys.pdf").is_file()


def test_keys_agree_with_explain(made):
    """The answers of set.json, and of each key, are what `handprop explain --round 4 --format
    json` gives, rounded to the digits shown."""
    folder = made[0]
    data = _set(folder)
    for v in data["variants"]:
        r = run_cli("explain", str(folder / v["problem"]), "--round", "4", "--format", "json", text=True)
        assert r.returncode == 0, r.stderr
        trace = json.loads(r.stdout)
        key_md = (folder / v["code"] / "key.md").read_text(encoding="utf-8")
        for k, answer in v["answers"].items():
            assert str(rounded(trace["hand_values"][k], 4)) == answer, (v["code"], k)
            assert abs(trace["values"][k] - v["exact"][k]) <= 1e-15 * max(1.0, abs(v["exact"][k]))
            assert f"| {answer} |" in key_md


def test_full_precision_keys_agree_with_explain(tmp_path):
    out = tmp_path / "full"
    r = run_cli("exercise", "new", "--count", "2", "--seed", "4", "--rounding", "full", "--ask", "forward,loss,w1",
                "-o", str(out), text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    data = _set(out)
    assert data["rounding"]["policy"] == "full"
    for v in data["variants"]:
        trace = json.loads(run_cli("explain", str(out / v["problem"]), "--format", "json", text=True).stdout)
        for k, answer in v["answers"].items():
            assert str(rounded(trace["values"][k], 4)) == answer


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("−", "-")


def test_the_pdfs_hold_every_answer(made):
    folder = made[0]
    data = _set(folder)
    keys = _pdf_text(folder / "keys.pdf")
    sheets = _pdf_text(folder / "worksheets.pdf")
    for v in data["variants"]:
        one = _pdf_text(folder / v["code"] / "key.pdf")
        for answer in v["answers"].values():
            assert answer in keys and answer in one, (v["code"], answer)
        assert v["code"] in sheets and v["code"] in _pdf_text(folder / v["code"] / "worksheet.pdf")
        assert "Name:" in sheets and "Round intermediates to 4 decimals" in sheets


def test_the_worksheet_and_the_solve_page_keep_the_answers_hidden(made):
    folder = made[0]
    for v in _set(folder)["variants"]:
        sheet = (folder / v["code"] / "worksheet.html").read_text(encoding="utf-8")
        page = (folder / v["code"] / "solve.html").read_text(encoding="utf-8")
        shown = re.sub(r"<details>.*?</details>|<script.*?</script>", "", page, flags=re.S)
        for answer in v["answers"].values():
            assert answer not in sheet and answer not in shown, (v["code"], answer)
            assert answer in page
        assert "<details><summary>reveal</summary>" in page


def test_each_problem_file_explains_and_the_key_is_made_again_the_same(made, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(made[0], folder)
    data = _set(folder)
    code = data["variants"][1]["code"]
    before = {s: (folder / code / f"key{s}").read_bytes() for s in (".md", ".html", ".tex", ".pdf")}
    for s in before:
        (folder / code / f"key{s}").unlink()
    r = run_cli("exercise", "key", code.lower(), "--set", str(folder), text=True)
    assert r.returncode == 0, r.stderr
    assert {s: (folder / code / f"key{s}").read_bytes() for s in before} == before
    for v in data["variants"]:
        assert run_cli("explain", str(folder / v["problem"]), "-o", str(tmp_path / f"{v['code']}.md")).returncode == 0


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, words", [
    (("--architecture", "2-x-2"), "--architecture"),
    (("--architecture", "2-2-2", "--ask", "forward,w99"), "'w99'"),
    (("--activation", "swish"), "unknown activation"),
    (("--loss", "hinge"), "unknown loss"),
    (("--rounding", "9"), "--rounding"),
    (("--architecture", "2-2", "--activation", "softmax", "--ask", "b1"), "found no nice variant"),
    (("--like", "no-such-problem.yaml"), "no-such-problem"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, args, words):
    out = tmp_path / "set"
    r = run_cli("exercise", "new", *args, "-o", str(out), text=True)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_folder_in_use_and_an_unknown_code_are_refused(tmp_path, made):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    r = run_cli("exercise", "new", "-o", str(tmp_path / "used"), text=True)
    assert r.returncode == 2 and "not an empty folder" in r.stderr
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]
    r = run_cli("exercise", "key", "QQQQ", "--set", str(made[0]), text=True)
    assert r.returncode == 2 and "no variant 'QQQQ'" in r.stderr
    r = run_cli("exercise", "key", "QQQQ", "--set", str(tmp_path), text=True)
    assert r.returncode == 2 and "set.json" in r.stderr
