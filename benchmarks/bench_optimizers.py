"""Training speed with Adam: `handprop.train` against PyTorch and against a plain numpy loop.

    python benchmarks/bench_optimizers.py [--quick]

Two cases, the issue's targets:

- Mazur's 2-2-2 network, 10,000 Adam steps: handprop ``train`` end to end (engine ``auto``:
  the compiled scalar engine; compiling included) against a PyTorch eager loop
  (``nn.Sequential``, autograd, ``torch.optim.Adam``, float64, one thread). Target:
  handprop at least 20x faster.
- 784-16-16-10 with 64 samples (benchmarks/bench_train.py's network), Adam: handprop
  (engine ``auto``: numpy) against a plain numpy Adam loop written as one would by hand
  (``@``, broadcasting, in-place moment updates). Target: handprop within 1.5x.

Every contestant trains the same network from the same start; after a few steps their
parameters are compared (to 1e-9) so that no one wins by doing less.  Times are per step,
the best of a few round-robin repeats (a shared machine's load hits everyone alike).
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import (dense_problem, fmt_time, numpy_arrays, numpy_gradients,  # noqa: E402
                         ordered_weights)
from bench_train import torch_loop as train_torch_loop  # noqa: E402

from handprop.nn import OPTIMIZERS  # noqa: E402
from handprop.problem import load, parse  # noqa: E402
from handprop.training.history import choose_engine, train  # noqa: E402

PYTORCH_TARGET = 20.0
NUMPY_TARGET = 1.5
B1, B2, EPS = 0.9, 0.999, 1e-8


def adam(problem, lr: float | None = None):
    """``problem`` trained by Adam with its defaults (and learning rate ``lr``)."""
    p = replace(problem, optimizer="adam", optimizer_settings=OPTIMIZERS["adam"].defaults)
    return p if lr is None else replace(p, learning_rate=lr)


def handprop_loop(problem, steps: int) -> list[float]:
    final = train(problem, steps).final_params
    return [final[w.name] for w in ordered_weights(problem)]


def torch_loop(problem, steps: int) -> list[float]:
    """PyTorch eager: nn.Sequential, autograd, torch.optim.Adam, float64."""
    import torch
    return train_torch_loop(problem, steps, lambda params, lr: torch.optim.Adam(
        params, lr=lr, betas=(B1, B2), eps=EPS))


def numpy_loop(problem, steps: int) -> list[float]:
    """Adam by hand in numpy: forward and backward by matrix products, the moments in place."""
    W, B, X, T, lr, train_b, scale = numpy_arrays(problem)
    params = W + (B if train_b else [])
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t in range(1, steps + 1):
        gw, gb = numpy_gradients(W, B, X, T, scale)
        grads = gw + (gb if train_b else [])
        c1, c2 = 1.0 - B1 ** t, 1.0 - B2 ** t
        for p, g, mi, vi in zip(params, grads, m, v):
            mi *= B1
            mi += (1.0 - B1) * g
            vi *= B2
            vi += (1.0 - B2) * (g * g)
            p -= lr * (mi / c1) / (np.sqrt(vi / c2) + EPS)
    return [float(x) for w in W for x in w.ravel()]


def per_step(fn, problem, steps: int) -> float:
    start = time.perf_counter()
    fn(problem, steps)
    return (time.perf_counter() - start) / steps


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats")
    args = parser.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    q = args.quick
    repeats = 2 if q else 5
    mazur = adam(load("mazur"))
    big = adam(parse(dense_problem([784, 16, 16, 10], 64, 2, 0.5), name="784-16-16-10"), lr=0.01)
    cases = [  # title, problem, {contestant: (function, steps)}, the one compared, its target
        ("mazur 2-2-2, 1 sample, Adam", mazur,
         {"handprop": (handprop_loop, 10_000), "pytorch": (torch_loop, 2_000 if q else 10_000)},
         "pytorch", PYTORCH_TARGET),
        ("784-16-16-10, 64 samples, Adam", big,
         {"handprop": (handprop_loop, 200 if q else 1_000), "numpy": (numpy_loop, 200 if q else 1_000)},
         "numpy", NUMPY_TARGET),
    ]
    print(f"handprop Adam benchmark (per step, best of {repeats}; torch {torch.__version__}, "
          f"numpy {np.__version__}, 1 thread for torch)\n")
    failed = []
    for title, problem, runs, other, target in cases:
        print(f"== {title}   (engine auto = {choose_engine(problem)})")
        ref = handprop_loop(problem, 5)
        for name, (fn, _) in runs.items():
            diff = max(abs(a - b) for a, b in zip(fn(problem, 5), ref))
            if diff > 1e-9:
                print(f"  !! {name} ends 5 steps with weights {diff:.1e} away from handprop's")
                failed.append(f"{title}: {name} disagrees")
        times = {name: math.inf for name in runs}
        for _ in range(repeats):
            for name, (fn, n) in runs.items():
                times[name] = min(times[name], per_step(fn, problem, n))
        for name, t in times.items():
            print(f"  {name:<10} {fmt_time(t)} per step   [{runs[name][1]:,} steps]")
        if other == "pytorch":
            ratio = times["pytorch"] / times["handprop"]
            print(f"  handprop is {ratio:,.1f}x faster than PyTorch eager Adam (target >= {target:g}x)\n")
            if ratio < target:
                failed.append(f"{title}: {ratio:.1f}x PyTorch, target {target:g}x")
        else:
            ratio = times["handprop"] / times[other]
            print(f"  handprop / plain numpy Adam loop = {ratio:.2f} (target <= {target:g})\n")
            if ratio > target:
                failed.append(f"{title}: {ratio:.2f}x the numpy loop, target {target:g}")
    print("all targets met" if not failed else "MISSED: " + "; ".join(failed))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
