"""Bounded resources (issue 9): each case inside the documented limits finishes in bounded
time and memory, or is refused at once.

    python benchmarks/bench_bounds.py

One line a case: wall seconds and peak memory of the `handprop` process, against its target.
The inputs are made here (random, seeded):

- a worked solution near the step limit (28 samples of a 20-40-20 network), as
  JSON, text and the page, and `verify` on it;
- one beyond the limit (1,000 samples of the same network), refused;
- a 32 MB YAML file whose data sits under a misspelt field, refused;
- a 6.7 MB YAML problem (1,000 samples of 784 inputs), trained two steps;
- `check` on 1,200 claims: a class of 30 with realistic slips, and 1,200 random numbers;
- a claims line of 100,000 spaces.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
HANDPROP = [str(BIN / "handprop")] if (BIN / "handprop").exists() else [sys.executable, "-m", "handprop.cli"]


def run(args: list[str], expect: int = 0) -> tuple[float, float, str]:
    """(wall seconds, peak MB, the last line of stderr) of ``handprop ARGS``."""
    start = time.perf_counter()
    proc = subprocess.Popen(HANDPROP + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace").strip()
    code = os.waitstatus_to_exitcode(status)
    if code != expect:
        raise SystemExit(f"handprop {' '.join(args)} exited {code}, expected {expect}: {err}")
    return wall, usage.ru_maxrss / 1024, err.splitlines()[-1] if err else ""


def network(samples: int, rng: random.Random) -> dict:
    W1 = [[round(rng.uniform(-1, 1), 3) for _ in range(20)] for _ in range(40)]
    W2 = [[round(rng.uniform(-1, 1), 3) for _ in range(40)] for _ in range(20)]
    return {"inputs": 20, "layers": [{"size": 40, "W": W1}, {"size": 20, "W": W2}],
            "samples": [{"inputs": [round(rng.random(), 3) for _ in range(20)], "targets": [0.5] * 20}
                        for _ in range(samples)]}


def class_claims(rng: random.Random, realistic: bool) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from handprop.problem import load
    from handprop.solve import solve
    values = solve(load("notes")).values
    keys = [k for k in values if not k.startswith("new:E")][:40]
    lines = ["problem: notes"]
    for student in range(30):
        lines.append(f"[student {student + 1}]")
        for k in keys:
            v = values[k]
            if realistic:      # mostly right, some rounded, some off by a slip or a sign
                v *= rng.choice([1, 1, 1, 1, 1.0004, 10, -1, 0.5, 1.3])
            else:
                v = rng.choice([0, rng.uniform(-2, 2)])
            lines.append(f"{k} = {v:.4g}")
    return "\n".join(lines) + "\n"


def main() -> int:
    rng = random.Random(11)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        at_limit, beyond = tmp / "limit.json", tmp / "beyond.json"
        at_limit.write_text(json.dumps(network(28, rng)))
        beyond.write_text(json.dumps(network(1000, rng)))
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        from handprop.problem.limits import solution_steps
        steps = solution_steps(28, 60, 1600)
        for fmt in ("json", "txt", "html"):
            rows.append((f"explain near the step limit ({steps:,} steps) -o .{fmt}",
                         run(["explain", str(at_limit), "-o", str(tmp / f"out.{fmt}")]), 10, 1024))
        rows.append(("verify near the step limit (no PyTorch)", run(["verify", str(at_limit), "--no-torch"]), 10, 500))
        rows.append(("explain beyond the limit (1,000 samples): refused",
                     run(["explain", str(beyond), "-f", "json"], expect=2), 1, 200))
        notes = (Path(__file__).resolve().parents[1] / "src" / "handprop" / "problem" / "examples"
                 / "notes.yaml").read_text()
        unknown = tmp / "unknown.yaml"
        with open(unknown, "w") as f:
            f.write(notes + "sampels:\n")
            row = "  - [" + ", ".join("0.123456" for _ in range(40)) + "]\n"
            f.write(row * (32 * 2**20 // len(row) - 10))
        rows.append(("32 MB YAML, its data under a misspelt field: refused",
                     run(["explain", str(unknown)], expect=2), 2, 500))
        big = tmp / "big.yaml"
        W1 = [[round(rng.uniform(-0.1, 0.1), 4) for _ in range(784)] for _ in range(4)]
        with open(big, "w") as f:
            f.write(f"inputs: 784\nlayers:\n  - {{size: 4, W: {json.dumps(W1)}}}\n  - {{size: 1, W: [[0.5, -0.5, 0.25, 0.1]]}}\n"
                    "samples:\n")
            for _ in range(1000):
                f.write(f"  - {{inputs: {json.dumps([round(rng.random(), 5) for _ in range(784)])}, targets: [0.5]}}\n")
        rows.append((f"{big.stat().st_size / 2**20:.1f} MiB YAML (1,000 samples of 784 inputs): train 2 steps",
                     run(["train", str(big), "--steps", "2"]), 10, 500))
        for realistic in (True, False):
            claims = tmp / f"class{realistic}.txt"
            claims.write_text(class_claims(rng, realistic))
            what = "a class of 30, realistic slips" if realistic else "1,200 random numbers"
            rows.append((f"check 1,200 claims: {what}", run(["check", str(claims)], expect=1), 5, 300))
        spaces = tmp / "spaces.txt"
        spaces.write_text("out_H1 = " + " " * 100_000 + "0.5\n")
        rows.append(("claims line of 100,000 spaces: refused", run(["check", str(spaces)], expect=2), 1, 200))
    failed = 0
    print(f"{'case':<62} {'time':>8} {'target':>8} {'peak':>9} {'target':>9}")
    for name, (wall, mb, _), t_target, m_target in rows:
        ok = wall <= t_target and mb <= m_target
        failed += not ok
        print(f"{name:<62} {wall:>7.2f}s {'<' + str(t_target) + ' s':>8} {mb:>7.0f}MB {'<' + str(m_target) + ' MB':>9}"
              f"  {'ok' if ok else 'MISSED'}")
    print("all targets met" if not failed else f"{failed} targets missed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
