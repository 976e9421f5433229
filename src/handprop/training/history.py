"""Many steps of the problem's optimizer, recorded.

One step is the lesson; thousands of them are the payoff ("after 10,000 rounds
the error is 0.0000351").  :func:`train` runs ``steps`` steps of the problem's
own training (its loss, batch mode, learning rate, bias rule and optimizer, with
the optimizer's state carried from step to step) and records the loss and every parameter at step 0, every ``every`` steps, and at
the last step.

Three engines do the same arithmetic behind one interface (a *stepper*:
``run(n)``, ``parameters()``, ``state()``, ``outputs()``, ``loss()``):

- ``scalar``: the network compiled to straight-line Python (:mod:`.scalar`);
  exactly the float64 numbers of repeated :func:`handprop.solve.engine.solve`, and
  the fastest for networks people solve by hand;
- ``numpy``: matrix products (:mod:`.matrix`); the same numbers up to the
  order of additions, and the fastest for large networks and many samples;
- ``reference``: :func:`handprop.solve.engine.solve` applied step after step: slow,
  the definition the others are tested against.

``engine="auto"`` picks scalar or numpy by the size of the problem.

``hidden_deltas="updated"`` reproduces the older code behind Mazur's summary
lines: each layer's weights are updated before its deltas are passed down, so
the hidden deltas mix new output weights with old outputs.  It gives his
0.291027924 after one step and his outputs 0.015912196 / 0.984065734 after
10,000, and a loss of 0.0000350848 there; the post's "0.0000351085" is the
loss of the algorithm as described after 9,999 steps (tests/test_train.py).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable, Iterator, Protocol, Sequence

from ..errors import MissingDependency, NumericError, ProblemError
from ..problem import Problem
from ..problem.limits import MAX_TRAIN_STEPS
from ..nn import OPTIMIZERS
from ..nn.optimizers import ETA, GRAD, NEW, PARAM, hyper_key, state_key
from ..quantities import qid
from ..solve.engine import loss_with, solve
from ..solve.equations import system

MAX_STEPS = MAX_TRAIN_STEPS
MAX_WORK = 2 * 10**11          # steps x samples x parameters: about an hour of arithmetic
MAX_RECORDED = 200_000         # recorded steps
MAX_RECORDED_NUMBERS = 20_000_000   # recorded steps x parameters
SCALAR_PER_LAYER = 150        # the compiled engine is faster up to this many samples x parameters
                              # a layer (measured: ~0.1 µs per multiply-add against numpy's ~10-15 µs
                              # of overhead per layer and step; benchmarks/bench_train.py)
VARIANTS = ("original", "updated")
ENGINES = ("auto", "scalar", "numpy", "reference")

UPDATED_NOTE = ("--hidden-deltas updated passes the deltas down through weights that were already "
                "updated in the same step (new output weights, old hidden outputs): this mixes old "
                "and new weights, as the older code behind Mazur's summary lines did; backpropagation "
                "as derived uses the old weights throughout (the default, original).")


class Stepper(Protocol):
    name: str

    def run(self, steps: int) -> None: ...
    def parameters(self) -> Sequence[float]: ...   # a new sequence, in Problem.params order
    def state(self) -> Mapping[str, Sequence[float]]: ...   # each carried state, Problem.updated order
    def outputs(self) -> tuple[tuple[float, ...], ...]: ...
    def loss(self) -> float: ...


class Columns(Mapping):
    """The recorded parameters by name: ``columns[name][i]`` at the i-th recorded step.

    Held as the rows the engine gave (tuples, or one numpy array per step) and
    turned into a column only when one is asked for: a large network records
    millions of numbers, and training should not pay to convert them.
    """

    def __init__(self, names: Sequence[str], rows: list):
        self.names = list(names)
        self.index = {n: i for i, n in enumerate(self.names)}
        self.rows = rows
        self._table = None

    def row(self, i: int) -> dict[str, float]:
        """Every parameter at the ``i``-th recorded step."""
        values = self.rows[i]
        values = values.tolist() if hasattr(values, "tolist") else values
        return dict(zip(self.names, values))

    def lists(self) -> dict[str, list[float]]:
        """Every column as a list (one conversion for the whole table)."""
        if self.rows and hasattr(self.rows[0], "dtype"):
            import numpy as np
            return dict(zip(self.names, np.stack(self.rows).T.tolist()))
        return {n: list(c) for n, c in zip(self.names, zip(*self.rows))}

    def __getitem__(self, name: str) -> tuple[float, ...]:
        i = self.index[name]
        if self.rows and hasattr(self.rows[0], "dtype"):
            if self._table is None:
                import numpy as np
                self._table = np.stack(self.rows)
            return tuple(self._table[:, i].tolist())
        return tuple(row[i] for row in self.rows)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


class States(Mapping):
    """The optimizer's carried states by id, each ``{parameter: value}`` for every updated
    parameter: ``states["m"]["w5"]``.  Held as the engine gave them (tuples or arrays) and made
    a dict only when one is asked for."""

    def __init__(self, names: Sequence[str], columns: Mapping[str, Sequence[float]]):
        self.names = tuple(names)
        self.columns = dict(columns)
        self._made: dict[str, dict[str, float]] = {}

    def __getitem__(self, sid: str) -> dict[str, float]:
        if sid not in self._made:
            values = self.columns[sid]
            values = values.tolist() if hasattr(values, "tolist") else [float(v) for v in values]
            self._made[sid] = dict(zip(self.names, values))
        return self._made[sid]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


@dataclass(frozen=True)
class History:
    """A training run: the loss and the parameters at each recorded step.

    ``loss[i]`` and ``parameters[name][i]`` are the values after
    ``recorded_steps[i]`` updates (step 0 is the problem as given).
    """

    problem: Problem
    steps: int
    every: int
    hidden_deltas: str
    engine: str
    recorded_steps: tuple[int, ...]
    loss: tuple[float, ...]
    parameters: Columns
    outputs: tuple[tuple[float, ...], ...]      # final outputs, one tuple per sample
    initial_outputs: tuple[tuple[float, ...], ...]
    state: Mapping[str, Mapping[str, float]] = None   # the optimizer's carried states at the end:
                                                      # {"m": {"w1": ...}, ...} ({} for plain SGD)

    @property
    def optimizer(self):
        """The optimizer's table entry."""
        return OPTIMIZERS[self.problem.optimizer]

    @property
    def optimizer_words(self) -> str:
        """The optimizer and its settings as a report says them: ``Adam (β₁ 0.9, β₂ 0.999, ε 1e-08)``."""
        entry, settings = self.optimizer, self.problem.optimizer_settings
        parts = []
        for h in entry.hypers:
            value = settings[h.name]
            if h.kind == "bool":
                if value:
                    parts.append(h.name)
            elif value != 0 or h.name not in ("weight_decay", "dampening"):
                parts.append(f"{h.text or h.name} {value:g}" if h.name != "weight_decay"
                             else f"weight decay λ {value:g}")
        return entry.title + (f" ({', '.join(parts)})" if parts else "")

    @property
    def method(self) -> str:
        """The optimizer's name in prose (``gradient descent``), from its table entry."""
        return OPTIMIZERS[self.problem.optimizer].title

    @property
    def steps_words(self) -> str:
        """``1 step``, ``10,000 steps``: how many, as a report says it."""
        return f"{self.steps:,} step{'' if self.steps == 1 else 's'}"

    @property
    def final_params(self) -> dict[str, float]:
        return self.parameters.row(-1)

    def params_at(self, i: int) -> dict[str, float]:
        """The parameters at the ``i``-th recorded step."""
        return self.parameters.row(i)

    def problem_at(self, i: int) -> Problem:
        """The problem with the parameters of the ``i``-th recorded step."""
        return self.problem.with_params(self.params_at(i))

    @property
    def final_problem(self) -> Problem:
        return self.problem_at(len(self.recorded_steps) - 1)

    def moved(self) -> list[tuple[str, float, float]]:
        """(name, start, end) of every parameter, the largest change first."""
        start, end = self.params_at(0), self.final_params
        rows = [(n, start[n], end[n]) for n in start]
        return sorted(rows, key=lambda r: -abs(r[2] - r[1]))


class ReferenceStepper:
    """:func:`handprop.solve.engine.solve` step after step, each gradient then moved by the
    optimizer's trees (:meth:`handprop.nn.optimizers.Optimizer.steps`) evaluated as they stand:
    the definition (original variant only)."""

    name = "reference"

    def __init__(self, problem: Problem, hidden_deltas: str = "original"):
        if hidden_deltas != "original":
            raise ProblemError("the reference engine only knows the original hidden deltas")
        self.problem = problem
        self.system = system(problem)
        self.params = dict(problem.params)
        self.entry = OPTIMIZERS[problem.optimizer]
        self.settings = problem.optimizer_settings
        self.hypers = {hyper_key(k): v for k, v in self.settings.values if not isinstance(v, bool)}
        self.states = {s.id: {p: 0.0 for p in problem.updated} for s in self.entry.carried}
        self.t = 0

    def _solution(self):
        return solve(self.problem.with_params(self.params))

    def run(self, steps: int) -> None:
        for _ in range(steps):
            values = self._solution().values
            self.t += 1
            trees = self.entry.steps(self.t, self.settings)
            for p in self.problem.updated:
                env = {**self.hypers, PARAM: self.params[p], GRAD: values[qid("grad", p)],
                       ETA: self.problem.learning_rate}
                env.update({state_key(sid): kept[p] for sid, kept in self.states.items()})
                for key, tree in trees:
                    env[key] = tree.eval(env)
                for sid, kept in self.states.items():
                    kept[p] = env[sid]
                self.params[p] = env[NEW]

    def parameters(self) -> tuple[float, ...]:
        return tuple(self.params.values())

    def state(self) -> dict[str, tuple[float, ...]]:
        """Each carried state of every updated parameter (in ``Problem.updated`` order)."""
        return {sid: tuple(kept[p] for p in self.problem.updated) for sid, kept in self.states.items()}

    def outputs(self) -> tuple[tuple[float, ...], ...]:
        p = self.problem
        values = self._solution().values
        return tuple(tuple(values[qid("out", u, p.sample_of(k))] for u in p.outputs)
                     for k in range(len(p.samples)))

    def loss(self) -> float:
        return loss_with(self.system, self.params)


def _numpy_available() -> bool:
    import importlib.util
    return importlib.util.find_spec("numpy") is not None


def choose_engine(problem: Problem, engine: str = "auto") -> str:
    """The engine ``auto`` means for this problem (never one that cannot run it)."""
    from .scalar import MAX_FAN_IN, MAX_TERMS, fits, size
    if engine not in ENGINES:
        raise ProblemError(f"unknown engine {engine!r} (engines: {', '.join(ENGINES)})", "--engine")
    if engine == "scalar" and not fits(problem):
        raise ProblemError(f"the scalar engine compiles at most {MAX_TERMS:,} samples x parameters and "
                           f"sums of {MAX_FAN_IN} terms; this problem has {size(problem):,} (use numpy)",
                           "--engine")
    if engine == "numpy" and not _numpy_available():
        raise MissingDependency("the numpy engine needs numpy (pip install numpy)", "--engine")
    if engine != "auto":
        return engine
    if size(problem) <= SCALAR_PER_LAYER * len(problem.layers) and fits(problem):
        return "scalar"
    if _numpy_available():
        return "numpy"
    if fits(problem):
        return "scalar"
    raise MissingDependency("training a network this large needs numpy (pip install numpy)",
                            source=problem.name)


def stepper(problem: Problem, engine: str = "auto", hidden_deltas: str = "original") -> Stepper:
    """A stepper for ``problem`` (``engine``: auto, scalar, numpy or reference)."""
    engine = choose_engine(problem, engine)
    if engine == "scalar":
        from .scalar import ScalarStepper
        return ScalarStepper(problem, hidden_deltas)
    if engine == "numpy":
        from .matrix import MatrixStepper
        return MatrixStepper(problem, hidden_deltas)
    if engine == "reference":
        return ReferenceStepper(problem, hidden_deltas)
    raise ValueError(f"unknown engine {engine!r} (engines: {', '.join(ENGINES)})")


def default_every(steps: int) -> int:
    """About a hundred recorded points."""
    return max(1, steps // 100)


def recorded_steps(steps: int, every: int) -> list[int]:
    marks = list(range(0, steps, every))
    return marks + [steps]


def check_request(problem: Problem, steps: int, every: int | None,
                  hidden_deltas: str = "original") -> int:
    """Validate a training request; returns ``every``.  Raises :class:`ProblemError`."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps <= 0:
        raise ProblemError(f"must be a whole number of at least 1, not {steps!r}", "--steps")
    if steps > MAX_STEPS:
        raise ProblemError(f"{steps:,} is more than the limit of {MAX_STEPS:,} steps", "--steps")
    every = default_every(steps) if every is None else every
    if isinstance(every, bool) or not isinstance(every, int) or every <= 0:
        raise ProblemError(f"must be a whole number of at least 1, not {every!r}", "--every")
    if hidden_deltas not in VARIANTS:
        raise ProblemError(f"must be one of {', '.join(VARIANTS)}, not {hidden_deltas!r}",
                           "--hidden-deltas")
    work = steps * len(problem.samples) * max(1, len(problem.params))
    if work > MAX_WORK:
        raise ProblemError(f"{steps:,} steps of this problem is {work:.1e} multiply-adds; the limit is "
                           f"{MAX_WORK:.0e} (fewer steps, samples or weights)", "--steps")
    points = len(range(0, steps, every)) + 1
    if points > MAX_RECORDED:
        raise ProblemError(f"records {points:,} steps; the limit is {MAX_RECORDED:,} "
                           f"(use --every {math.ceil(steps / (MAX_RECORDED - 1))} or more)", "--every")
    if points * len(problem.params) > MAX_RECORDED_NUMBERS:
        least = math.ceil(steps * len(problem.params) / MAX_RECORDED_NUMBERS)
        raise ProblemError(f"records {points:,} steps x {len(problem.params):,} parameters; the limit "
                           f"is {MAX_RECORDED_NUMBERS:,} numbers (use --every {least} or more)", "--every")
    return every


def train(problem: Problem, steps: int, every: int | None = None, hidden_deltas: str = "original",
          engine: str = "auto", progress: Callable[[int], None] | None = None) -> History:
    """``steps`` steps of gradient descent on ``problem``, recorded every ``every`` steps.

    ``progress(done)`` is called now and then with the number of steps done.
    Raises :class:`ProblemError` for a bad request and :class:`NumericError`
    when the numbers overflow float64.
    """
    every = check_request(problem, steps, every, hidden_deltas)
    engine_name = choose_engine(problem, engine)
    runner = stepper(problem, engine_name, hidden_deltas)
    marks = recorded_steps(steps, every)
    rows: list = []
    losses: list[float] = []
    initial_outputs = runner.outputs()
    chunk = every if progress is None else max(1, min(every, steps // 200 or 1))
    done = 0
    for mark in marks:
        reached = done
        try:
            while done < mark:
                n = min(chunk, mark - done)
                reached = done + n
                runner.run(n)
                done += n
                if progress is not None:
                    progress(done)
            loss = runner.loss()
        except (OverflowError, ZeroDivisionError):
            raise _overflow(problem, reached, "a number grew past float64's range") from None
        values = runner.parameters()
        if not (math.isfinite(loss) and _finite(values)):
            raise _overflow(problem, done, "a value is no longer finite")
        losses.append(loss)
        rows.append(values)
    state = States(problem.updated, runner.state())
    return History(problem=problem, steps=steps, every=every, hidden_deltas=hidden_deltas,
                   engine=engine_name, recorded_steps=tuple(marks), loss=tuple(losses),
                   parameters=Columns(list(problem.params), rows),
                   outputs=runner.outputs(), initial_outputs=initial_outputs, state=state)


def _finite(values: Sequence[float]) -> bool:
    if hasattr(values, "dtype"):          # a numpy array
        import numpy as np
        return bool(np.isfinite(values).all())
    return math.isfinite(sum(values)) or all(math.isfinite(v) for v in values)


def _overflow(problem: Problem, step: int, why: str) -> NumericError:
    if step == 0 or problem.learning_rate == 0:       # nothing was learned: the start is too large
        return NumericError(f"the numbers overflow float64 before any step is taken ({why}); use "
                            "smaller weights or inputs", "weights")
    return NumericError(f"training diverged: the numbers overflow float64 by step {step:,} ({why}); "
                        "use a smaller learning rate", "learning_rate")
