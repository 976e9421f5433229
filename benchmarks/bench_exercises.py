"""Exercises (issue 13): a class set of 30 variants with every sheet and key, PDFs included.

    python benchmarks/bench_exercises.py

Runs ``handprop exercise new --count 30`` (the default 2-2-2 network, rounding to 4 decimals,
the default asks) as a user would, for a few seeds, and prints the wall time of each run
against the target of 10 s, with the draws the generator needed and the size of the two class
PDFs; then the same in process, split into drawing the variants and writing the files. Beside
each wall time is the CPU time the run used (user + system, every thread): on a shared,
loaded machine the wall time is mostly waiting, so the load average is printed too, and the
verdict is on the wall time when the machine is not overloaded (load below twice the cores),
else on the CPU time, which on two idle cores bounds the wall time.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
HANDPROP = [str(BIN / "handprop")] if (BIN / "handprop").exists() else [sys.executable, "-m", "handprop.cli"]
TARGET = 10.0
COUNT = 30
SEEDS = (1, 2, 3)


def overloaded() -> bool:
    return os.getloadavg()[0] >= 2 * (os.cpu_count() or 1)


def main() -> int:
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS:
            out = Path(tmp) / f"set{seed}"
            start = time.perf_counter()
            proc = subprocess.Popen(HANDPROP + ["exercise", "new", "--count", str(COUNT), "--seed", str(seed),
                                                "-o", str(out)], stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit("handprop exercise new failed")
            cpu = usage.ru_utime + usage.ru_stime
            judged = wall if not overloaded() else cpu
            worst = max(worst, judged)
            files = sum(1 for p in out.rglob("*") if p.is_file())
            pdfs = sum(1 for p in out.rglob("*.pdf"))
            sizes = ", ".join(f"{name} {(out / name).stat().st_size / 1e6:.2f} MB"
                              for name in ("worksheets.pdf", "keys.pdf"))
            codes = [v["code"] for v in json.loads((out / "set.json").read_text())["variants"]]
            print(f"exercise new --count {COUNT} --seed {seed}: {wall:5.2f} s wall, {cpu:5.2f} s CPU "
                  f"(target {TARGET:g} s) {'ok' if judged < TARGET else 'SLOW'}; {files} files ({pdfs} PDFs: "
                  f"{sizes}); {len(codes)} codes; load {os.getloadavg()[0]:.1f}")
        from handprop.exercises.build import make
        from handprop.exercises.generate import Recipe, generate
        start, cpu = time.perf_counter(), time.process_time()
        ex = generate(Recipe(count=COUNT, seed=SEEDS[0]))
        drawn, drawn_cpu = time.perf_counter() - start, time.process_time() - cpu
        draws = sum(v.tries for v in ex.variants)
        start, cpu = time.perf_counter(), time.process_time()
        make(Recipe(count=COUNT, seed=SEEDS[0]))
        whole, whole_cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"in process, seed {SEEDS[0]}: drawing {COUNT} variants {drawn:.2f} s wall, {drawn_cpu:.2f} s CPU "
              f"({draws} draws, {1000 * drawn_cpu / draws:.1f} ms CPU a draw); drawing and every file "
              f"{whole:.2f} s wall, {whole_cpu:.2f} s CPU")
    what = "CPU time (the machine is overloaded)" if overloaded() else "wall time"
    print(f"worst {what} {worst:.2f} s against {TARGET:g} s: {'ok' if worst < TARGET else 'over the target'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
