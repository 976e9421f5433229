"""Core benchmarks (issue 2): CLI cold start, and the trace of a 784-16-16-10 network.

    python benchmarks/bench_core.py

Prints:
- cold `handprop explain` (text, notes) wall time, as a ratio to `python -c "import numpy"`
  measured in the same run (median of interleaved runs; target at most 1.5);
- `handprop explain big.json --format json -o FILE` for a 784-16-16-10 network with one
  sample: wall seconds and peak memory of the process (targets under 2 s and 500 MB).
"""
from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
HANDPROP = str(BIN / "handprop") if (BIN / "handprop").exists() else None


def run(cmd: list[str], stdout=subprocess.DEVNULL) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {err}")
    return wall, usage.ru_maxrss * 1024


def handprop_cmd(*args: str) -> list[str]:
    if HANDPROP:
        return [HANDPROP, *args]
    return [sys.executable, "-m", "handprop.cli.main", *args]


def big_problem(path: Path, sizes=(784, 16, 16, 10), seed: int = 1) -> None:
    rng = random.Random(seed)
    layers = []
    for i in range(1, len(sizes)):
        last = i == len(sizes) - 1
        layers.append({"size": sizes[i], "activation": "softmax" if last else "sigmoid",
                       "W": [[rng.uniform(-0.1, 0.1) for _ in range(sizes[i - 1])] for _ in range(sizes[i])],
                       "b": [0.0] * sizes[i]})
    target = [0.0] * sizes[-1]
    target[3] = 1.0
    doc = {"title": "784-16-16-10", "inputs": sizes[0], "layers": layers,
           "samples": [{"inputs": [rng.random() for _ in range(sizes[0])], "targets": target}],
           "loss": "cross_entropy", "learning_rate": 0.1}
    path.write_text(json.dumps(doc))


def compile_package() -> None:
    """Byte-compile handprop as an install does (pip writes .pyc files): a cold start is a new
    process, not a first-ever compile, even where PYTHONDONTWRITEBYTECODE is set."""
    import compileall
    import handprop
    compileall.compile_dir(str(Path(handprop.__file__).parent), quiet=1)


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop: this shared machine's speed drifts by 2x over a day,
    so the figures below are printed beside it."""
    start = time.perf_counter()
    sum(i * i for i in range(10**7))
    return time.perf_counter() - start


def main() -> None:
    compile_package()
    print(f"machine: a pure-Python loop of 10^7 squares takes {machine_speed():.2f} s "
          "(0.6-0.7 s when this machine is quiet)")
    repeats = 9
    numpy, cold = [], []
    for _ in range(repeats):  # interleaved, so background load hits both alike
        numpy.append(run([sys.executable, "-c", "import numpy"])[0])
        cold.append(run(handprop_cmd("explain", "notes"))[0])
    n, c = statistics.median(numpy), statistics.median(cold)
    print(f"cold start: handprop explain notes {c * 1000:.0f} ms, python -c 'import numpy' "
          f"{n * 1000:.0f} ms, ratio {c / n:.2f} (target <= 1.5)")

    with tempfile.TemporaryDirectory() as tmp:
        problem = Path(tmp) / "big.json"
        big_problem(problem)
        out = Path(tmp) / "trace.json"
        times, peaks = [], []
        for _ in range(3):
            wall, peak = run(handprop_cmd("explain", str(problem), "--format", "json", "-o", str(out)))
            times.append(wall)
            peaks.append(peak)
        size = out.stat().st_size
        steps = len(json.loads(out.read_text())["steps"])
    print(f"784-16-16-10 trace as JSON: {min(times):.2f} s best, {statistics.median(times):.2f} s median "
          f"(target < 2 s), peak memory {max(peaks) / 2**20:.0f} MB (target < 500 MB); "
          f"{steps} steps, {size / 2**20:.1f} MB of JSON")


if __name__ == "__main__":
    main()
