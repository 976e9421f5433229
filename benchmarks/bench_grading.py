"""Grading a class (issue 13): 30 students × 40 answers graded, against a target of 5 s.

    python benchmarks/bench_grading.py

The set: 3 variants of a 3-4-3 sigmoid network, full precision, asking 40 quantities (the
outputs, the hidden outputs, the loss, every gradient, the updates of the output layer's first
six weights).  It is written to disk by the set's own writers (``set.json`` and each
``problem.yaml``, as docs/exercises.md has them) from variants drawn here: the generator's nice
rules refuse a sheet of 40 answers (some gradient is always too small, or a mistake too near
an answer), and grading reads only the contract.

The class: 30 students, each answer at random (seeded) the key's answer (65 %), cut off at its
4th decimal instead of rounded (10 %), a mistake (15 %: ×2, the sign flipped, a digit of the
answer changed, ÷10) or blank (10 %): the wrong answers make the checker search its catalogue,
the slow part.

Three figures, each the best of a few runs, wall time and CPU time (user + system, every
thread; on a loaded machine the wall time is mostly waiting, so the load average is printed):

1. reading the CSV, checking every answer, the marks CSV (the target is on this);
2. the same plus the HTML report of every student and the class summary;
3. the same plus every student's PDF (the command's whole work: ``exercise grade``).
Then ``handprop exercise grade`` itself, run as a user would.
"""
from __future__ import annotations

import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

BIN = Path(sys.executable).parent
HANDPROP = [str(BIN / "handprop")] if (BIN / "handprop").exists() else [sys.executable, "-m", "handprop.cli"]
TARGET = 5.0
STUDENTS = 30
VARIANTS = 3
RUNS = 3
FIELDS = ("title", "inputs", "layers", "weights", "biases", "samples", "loss", "learning_rate", "update_biases",
          "batch")
"""The fields of a problem file's explicit form that ``problem.yaml`` holds."""


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def make_set(folder: Path) -> tuple[str, ...]:
    """A set of VARIANTS variants asking 40 quantities, written as `exercise new` writes one."""
    from handprop.exercises import asking
    from handprop.exercises.generate import ExerciseSet, Recipe, Variant, model_of
    from handprop.exercises.policy import Policy
    from handprop.exercises.setfile import PROBLEM_FILE, problem_yaml, set_json
    from handprop.problem import parse
    rng = random.Random(2026)
    policy = Policy(None)
    recipe = Recipe(architecture=(3, 4, 3), count=VARIANTS, seed=2026, rounding=policy)
    found = []
    ids: tuple[str, ...] = ()
    for i in range(1, VARIANTS + 1):
        W1 = [[round(rng.uniform(-1, 1), 2) or 0.1 for _ in range(3)] for _ in range(4)]
        W2 = [[round(rng.uniform(-1, 1), 2) or 0.1 for _ in range(4)] for _ in range(3)]
        spec = {"inputs": 3, "layers": [{"size": 4, "activation": "sigmoid", "W": W1, "b": 0.35},
                                        {"size": 3, "activation": "sigmoid", "W": W2, "b": 0.6}],
                "samples": [{"inputs": [0.5, -0.2, 0.9], "targets": [0.1, 0.9, 0.4]}],
                "loss": "half_sse", "learning_rate": 0.5}
        problem = parse(spec, "bench")
        data = {k: v for k, v in problem.to_dict().items() if k in FIELDS}
        data["title"] = f"Exercise V{i:03d}"
        problem = parse(data, "bench")
        model = model_of(problem)
        updates = [f"new:w{k}" for k in range(13, 19)]
        ids = asking.ids(problem, ("forward", "hidden", "loss", "gradients"), set(model.exact)) + tuple(updates)
        code = f"V{i:03d}"
        found.append(Variant(i, code, problem, data, policy.answers(model, ids),
                             {k: model.exact[k] for k in ids}, 1))
        (folder / code).mkdir(parents=True)
        (folder / code / PROBLEM_FILE).write_text(problem_yaml(data, code), encoding="utf-8")
    ex = ExerciseSet(recipe, ("forward", "hidden", "loss", "gradients", "w13…w18 updates"), ids, tuple(found))
    (folder / "set.json").write_text(set_json(ex), encoding="utf-8")
    assert len(ids) == 40, len(ids)
    return ids


def make_class(folder: Path, path: Path) -> None:
    doc = json.loads((folder / "set.json").read_text(encoding="utf-8"))
    ids = doc["ask"]["ids"]
    rng = random.Random(7)
    rows = [["id", "variant"] + ids]
    for n in range(1, STUDENTS + 1):
        v = doc["variants"][n % VARIANTS]
        row = [f"s{n:03d}", v["code"]]
        for k in ids:
            key, exact = Decimal(v["answers"][k]), v["exact"][k]
            p = rng.random()
            if p < 0.65:
                cell = str(key)
            elif p < 0.75:
                cell = str(Decimal(repr(exact)).quantize(Decimal("0.0001"), rounding=ROUND_DOWN))
            elif p < 0.90:
                how = rng.randrange(4)
                wrong = key * 2 if how == 0 else -key if how == 1 else key / 10 if how == 2 else \
                    key + Decimal(rng.choice([1, -1]) * rng.randrange(1, 9)) / 1000
                cell = str(wrong.quantize(Decimal("0.0001")))
            else:
                cell = ""
            row.append(cell)
        rows.append(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def make_realistic_class(folder: Path, path: Path) -> None:
    """The same class size, each student as a class makes mistakes: half of them make one
    mistake of the catalogue (the common families) and work everything after it from their
    own numbers; every answer written to 4 places, 10 % cut off instead of rounded, 3 % with a
    slipped digit, 5 % blank."""
    from handprop.checking.mistakes import apply, catalogue
    from handprop.exercises.grading.grade import Contexts
    from handprop.exercises.setfile import read_set
    from handprop.solve.replay import Replay
    stored = read_set(str(folder))
    contexts = Contexts(stored)
    ids = list(stored.ids)
    rng = random.Random(11)
    common = ("slope_left_out", "one_path", "bias_left_out", "half", "sign", "updated_weights")
    rows = [["id", "variant"] + ids]
    for n in range(1, STUDENTS + 1):
        code = stored.data["variants"][n % VARIANTS]["code"]
        model = contexts[code].model
        values = dict(model.exact)
        if rng.random() < 0.5:
            m = rng.choice([m for m in catalogue(model) if m.family in common])
            exprs, base, updated = apply(model, [m])
            replay = Replay(model, exprs=exprs, base=base, updated=updated)
            values = {k: float(replay.step(k)) for k in ids}
        row = [f"s{n:03d}", code]
        for k in ids:
            d = Decimal(repr(values[k]))
            p = rng.random()
            if p < 0.05:
                row.append("")
                continue
            cell = d.quantize(Decimal("0.0001"), rounding=ROUND_DOWN if p < 0.15 else "ROUND_HALF_UP")
            if p > 0.97:
                cell += Decimal(rng.choice([1, -1]) * rng.randrange(1, 9)) / 1000
            row.append(str(cell))
        rows.append(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def timed(work, runs: int = RUNS) -> tuple[float, float]:
    """(best wall time, its CPU time) of ``work()`` over ``runs`` runs."""
    best = (float("inf"), 0.0)
    for _ in range(runs):
        t, c = time.perf_counter(), _cpu()
        work()
        best = min(best, (time.perf_counter() - t, _cpu() - c))
    return best


def main() -> int:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder, answers = Path(tmp) / "set", Path(tmp) / "answers.csv"
        ids = make_set(folder)
        print(f"{STUDENTS} students × {len(ids)} answers, {VARIANTS} variants (3-4-3 sigmoid, full precision)")
        ok = True
        for title, make in (("a class making mistakes as classes do", make_realistic_class),
                            ("random wrong numbers (15 %), the checker's worst case", make_class)):
            make(folder, answers)
            print(f"\n{title}:")
            ok = run(folder, answers, Path(tmp), title.startswith("a class")) and ok
    return 0 if ok else 1


def run(folder: Path, answers: Path, tmp: Path, judged: bool) -> bool:
    """The figures for one class; True when the target is met (or not judged on this class)."""
    from handprop.exercises.grading import answers as reading, marks
    from handprop.exercises.grading.gradebook import marks_csv
    from handprop.exercises.grading.grade import Contexts, first_context, grade
    from handprop.exercises.grading.outputs import files
    from handprop.exercises.setfile import read_set
    last = {}

    def check_only():
        stored = read_set(str(folder))
        contexts = Contexts(stored)
        first = first_context(stored, contexts)
        found = reading.read(str(answers), stored.ids, first.names, {v["code"] for v in stored.data["variants"]})
        g = grade(stored, found, marks.default(stored.ids), contexts)
        marks_csv(g)
        last["graded"] = g

    wall, cpu = timed(check_only)
    g = last["graded"]
    counts: dict[str, int] = {}
    for s in g.students:
        for a in s.answers:
            counts[a.verdict] = counts.get(a.verdict, 0) + 1
    print(f"  verdicts: {', '.join(f'{k} {n}' for k, n in sorted(counts.items()))}")
    ok = wall < TARGET
    print(f"1. read, check, marks.csv:            {wall:6.2f} s wall, {cpu:6.2f} s CPU   "
          f"(target < {TARGET:.0f} s: {'met' if ok else 'NOT met'}{'' if judged else ', not judged'})")
    w2, c2 = timed(lambda: (check_only(), files(last["graded"], pdf=False)))
    print(f"2. + HTML reports and summary:        {w2:6.2f} s wall, {c2:6.2f} s CPU")
    w3, c3 = timed(lambda: (check_only(), files(last["graded"], pdf=True)), runs=1)
    print(f"3. + every student's PDF:             {w3:6.2f} s wall, {c3:6.2f} s CPU (compiler threads included)")
    out = tmp / f"graded-{judged}"
    t = time.perf_counter()
    r = subprocess.run(HANDPROP + ["exercise", "grade", str(answers), "--set", str(folder), "-o", str(out)],
                       capture_output=True, text=True)
    w4 = time.perf_counter() - t
    print(f"4. `handprop exercise grade` (all):   {w4:6.2f} s wall, exit {r.returncode}; "
          f"{len(list((out / 'reports').glob('*.pdf')))} PDFs")
    if r.returncode not in (0, 1):
        print(r.stderr)
        return False
    return ok or not judged


if __name__ == "__main__":
    sys.exit(main())
