"""Every gradient checked against independent truths: ``handprop verify``.

Two references, neither sharing code with the engine (:mod:`handprop.oracles`):

* **finite differences** of the exact loss (:mod:`handprop.oracles.finite_diff`);
* **PyTorch** autograd, and ``torch.optim`` training, in float64
  (:mod:`handprop.oracles.torch_ref`), when torch is installed.

Each comparison is a relative error with an absolute floor,
``|ours - theirs| / max(|ours|, |theirs|, floor)``, ``floor = NOISE x scale / tolerance``:
so a gradient passes when it agrees to the tolerance relatively, or to within
``NOISE = 1e-13`` of the problem's **scale**, the largest magnitude among the
numbers gradients are computed from (E_total, every dE/dout, delta and gradient
of every sample).  float64 cannot resolve a gradient more finely than that: an
exact zero (the gradient of a bias shared by all softmax outputs, say) comes
out of any float64 computation as a few 1e-16 of the scale.  Measured over
thousands of random networks, the largest such difference is about 2e-16 of
the scale; a wrong gradient off by more than 1e-13 of the scale is caught.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .expr.nodes import Sym
from .expr.numbers import fmt_number
from .nn import ACTIVATIONS, LOG_FLOOR, OPTIMIZERS
from .oracles import finite_diff as fd
from .oracles import torch_ref
from .problem import Problem
from .quantities import parse, qid
from .solve.engine import NumericError, clamped_outputs, solve

FD_TOLERANCE = 1e-6
TORCH_TOLERANCE = 1e-10
COMPARISON_STEPS = 5
COMPARISON_TOLERANCE = 1e-10
NOISE = 1e-13
"""Differences below NOISE x the problem's scale are float64 rounding, not a wrong gradient."""
SCALE_KINDS = ("E:total", "dE/dout:", "delta:", "grad:")
"""The quantities whose largest magnitude is the problem's scale."""
MIN_SCALE = 1e-30
"""A problem whose loss and backward pass all vanish below this has this scale."""
MAX_FD_PARAMS = 300
"""Larger networks have an evenly spread selection of at most this many parameters checked by
finite differences (each costs four exact forward passes); PyTorch checks them all."""
FD_BUDGET = 8_000_000
"""Decimal multiply-adds the finite differences may spend (four forward passes of every sample
for each parameter checked): about six seconds.  A network with many samples has fewer of its
parameters checked, never fewer than MIN_FD_PARAMS."""
MIN_FD_PARAMS = 24


@dataclass(frozen=True)
class Comparison:
    param: str
    ours: float
    theirs: float
    floor: float = 0.0      # absolute floor of the denominator (see floor_of)

    @property
    def error(self) -> float:
        """Relative error, with an absolute floor so that near-zero gradients compare sanely."""
        diff = abs(self.ours - self.theirs)
        if diff == 0.0:
            return 0.0
        scale = max(abs(self.ours), abs(self.theirs), self.floor)
        return diff / scale if scale > 0 else math.inf


def scale_of(values: dict[str, float]) -> float:
    """The problem's scale: the largest |value| of the loss and the backward pass.

    That is E_total, every dE/dout, delta and gradient, of every sample (at least
    MIN_SCALE): the sizes of the numbers every gradient is computed from.
    """
    return max([MIN_SCALE] + [abs(v) for k, v in values.items() if k.startswith(SCALE_KINDS)])


def floor_of(values: dict[str, float], tolerance: float) -> float:
    """The absolute floor of a comparison's denominator: NOISE x scale / tolerance.

    With it, ``error <= tolerance`` means ``|ours - theirs| <= tolerance x max(|ours|, |theirs|)``
    or ``|ours - theirs| <= NOISE x scale``, whichever is larger.
    """
    return NOISE * scale_of(values) / tolerance


def _checked_params(problem: Problem) -> list[str]:
    names = list(problem.params)
    per_param = 4 * len(problem.samples) * max(len(problem.weights), 1)
    most = min(MAX_FD_PARAMS, max(MIN_FD_PARAMS, FD_BUDGET // per_param))
    if len(names) <= most:
        return names
    step = len(names) / most
    return [names[int(i * step)] for i in range(most)]


def finite_differences(problem: Problem, values: dict[str, float] | None = None) -> list[Comparison]:
    """Each gradient against the five-point central difference of the exact loss."""
    values = values if values is not None else solve(problem).values
    floor = floor_of(values, FD_TOLERANCE)
    return [Comparison(name, values[qid("grad", name)], fd.gradient(problem, name, floor), floor)
            for name in _checked_params(problem)]


# ---------------------------------------------------------------- PyTorch


def torch_available() -> bool:
    return torch_ref.available()


def torch_comparison(problem: Problem, values: dict[str, float] | None = None) -> list[Comparison]:
    values = values if values is not None else solve(problem).values
    floor = floor_of(values, TORCH_TOLERANCE)
    grads = torch_ref.torch_gradients(problem)
    return [Comparison(name, values[qid("grad", name)], grads[name], floor) for name in problem.params]


# ---------------------------------------------------------------- the report


def kinks(problem: Problem, values: dict[str, float]) -> list[str]:
    """Net inputs (their ids) that sit exactly on a kink of their activation, where the two
    one-sided slopes differ (ReLU's 0; ELU's only when alpha is not 1), so the loss has no
    derivative there.

    There the engine, like PyTorch, takes the slope of the side ``net <= 0``; a central
    difference averages both sides, so it cannot be the judge.
    """
    found = []
    for layer in problem.layers:
        entry = ACTIVATIONS[layer.activation]
        points = [z for z in entry.kinks if _slopes_differ(entry, layer.params, z)]
        if not points:
            continue
        for k in range(len(problem.samples)):
            sample = k + 1 if problem.multi else None
            found += [key for u in layer.units
                      if values[key := qid("net", u, sample)] in points]
    return found


def _slopes_differ(entry, options, z: float) -> bool:
    """Whether the slope just right of ``z`` differs from the slope taken at ``z`` itself."""
    net, out = Sym("net"), Sym("out")
    y, slope = entry.out(net, options), entry.slope(net, out, options)

    def at(v: float) -> float:
        return slope.eval({"net": v, "out": y.eval({"net": v})})
    return abs(at(z) - at(math.nextafter(z, math.inf))) > 1e-12


def undefined_at(problem: Problem, keys: list[str]) -> set[str]:
    """The parameters that move the units of ``keys`` (net inputs on a kink, outputs clamped
    before a logarithm): the weights and biases into those units and every parameter of an
    earlier layer.  Finite differences cannot judge their gradients there."""
    units = {parse(key).name for key in keys}
    if not units:
        return set()
    first = min(problem.layer_of[u] for u in units)
    names = set()
    for name in problem.params:
        w = problem.weight.get(name)
        into = [w.dst] if w else list(problem.bias[name].units)
        if any(u in units or problem.layer_of[u] < first for u in into):
            names.add(name)
    return names


def _names(names: set[str], most: int = 8) -> str:
    ordered = sorted(names)
    return ", ".join(ordered[:most]) + (f" and {len(ordered) - most} more" if len(ordered) > most else "")


def report(problem: Problem, torch: bool = True) -> tuple[bool, str]:
    """A printable report and whether every comparison is within tolerance (a gradient no
    reference could judge counts as not within it)."""
    values = solve(problem).values
    lines = []
    fd = finite_differences(problem, values)
    at_kink = kinks(problem, values)
    clamped = clamped_outputs(problem, values)
    exempt = undefined_at(problem, at_kink + clamped)
    judged = [c for c in fd if c.param not in exempt]
    worst = max(judged, key=lambda c: c.error, default=None)
    fd_ok = worst is None or worst.error <= FD_TOLERANCE
    ok = fd_ok
    width = max([5] + [len(c.param) for c in fd])
    lines.append(f"{'param':<{width}} {'gradient':>17} {'finite diff.':>17} {'rel. error':>10}")
    for c in fd:
        flag = ("  (not judged here: see below)" if c.param in exempt else
                "" if c.error <= FD_TOLERANCE else "  <- too large")
        lines.append(f"{c.param:<{width}} {fmt_number(c.ours, 10):>17} {fmt_number(c.theirs, 10):>17} "
                     f"{c.error:>10.2e}{flag}")
    count = len(problem.params)
    checked = "" if len(fd) == count else f" ({len(fd)} of the {count} parameters, evenly spread)"
    if worst is None:
        lines.append(f"finite differences{checked}: no gradient they can judge here")
    else:
        lines.append(f"finite differences{checked}: max relative error {worst.error:.2e} ({worst.param}) "
                     f"{'ok' if fd_ok else 'NOT OK'} (tolerance {FD_TOLERANCE:g})"
                     + (f", the {len(exempt)} parameters they cannot judge left out" if exempt else ""))
    torch_judges = torch and torch_available()
    judge = ("so only PyTorch judges these gradients" if torch_judges else
             "and nothing here judges these gradients (PyTorch is "
             + ("switched off" if not torch else "not installed") + ")")
    if at_kink:
        where = ", ".join(f"{key} = 0 ({ACTIVATIONS[problem.layers[problem.layer_of[parse(key).name]].activation].title})"
                          for key in at_kink)
        lines.append(f"{where} sits on the activation's kink, where the loss has no derivative in "
                     f"{_names(undefined_at(problem, at_kink))}: handprop (like PyTorch) takes the "
                     f"slope for net <= 0 and finite differences average both sides, {judge}")
    if clamped:
        lines.append(f"{', '.join(clamped)} {'is' if len(clamped) == 1 else 'are'} kept within [{LOG_FLOOR:g}, 1 - {LOG_FLOOR:g}] before the "
                     f"logarithm of the loss: there the loss is flat to finite differences in "
                     f"{_names(undefined_at(problem, clamped))}, while handprop (like PyTorch) "
                     f"takes the slope of the loss itself, {judge}")
    if exempt and not torch_judges:
        ok = False
    if torch_judges:
        tc = torch_comparison(problem, values)
        worst_t = max(tc, key=lambda c: c.error)
        t_ok = worst_t.error <= TORCH_TOLERANCE
        ok = ok and t_ok
        lines.append(f"PyTorch autograd (float64): max relative error {worst_t.error:.2e} "
                     f"({worst_t.param}) {'ok' if t_ok else 'NOT OK'} (tolerance {TORCH_TOLERANCE:g})")
        train_ok, train_lines = training_lines(problem)
        ok = ok and train_ok
        lines += train_lines
    elif torch:
        lines.append("PyTorch: not installed (pip install torch==2.13.0 to compare with autograd)")
    if not torch_judges and not problem.optimizer_settings.is_default:
        lines.append(f"the steps of {OPTIMIZERS[problem.optimizer].title}: not judged here (finite "
                     "differences judge gradients only; torch.optim judges the optimizer, when installed)")
    lines.append(f"(differences below {NOISE:g} x the problem's scale "
                 f"{fmt_number(scale_of(values), 4)} count as float64 rounding)")
    if ok:
        lines.append("all gradients ok")
    elif exempt and not torch_judges and fd_ok:
        lines.append(f"NOT JUDGED: {len(exempt)} gradient{'s' if len(exempt) != 1 else ''} "
                     "need PyTorch to be checked")
    else:
        lines.append("NOT OK: some gradients disagree")
    return ok, "\n".join(lines)


def training_comparison(problem: Problem, steps: int = COMPARISON_STEPS,
                        engine: str = "auto") -> tuple[float, str]:
    """(largest difference, what) between our training and torch.optim's after ``steps``: every
    parameter (``w5``) and every carried state of the optimizer (``m:w5``).

    The difference is relative to max(1, |value|).
    """
    from .training import train
    history = train(problem, steps, every=steps, engine=engine)
    ours = dict(history.final_params)
    theirs, states = torch_ref.torch_train(problem, steps)
    for sid, values in (history.state or {}).items():
        ours.update({f"{sid}:{n}": v for n, v in values.items()})
        theirs.update({f"{sid}:{n}": v for n, v in states.get(sid, {}).items()})
    missing = sorted(set(ours) - set(theirs))
    if missing:
        return math.inf, f"{missing[0]} (not in PyTorch's state)"
    return max(((abs(ours[n] - theirs[n]) / max(1.0, abs(theirs[n])), n) for n in ours),
               default=(0.0, ""))


def training_lines(problem: Problem) -> tuple[bool, list[str]]:
    """The lines ``handprop verify`` prints about training, and whether they pass."""
    entry = OPTIMIZERS[problem.optimizer]
    optimizer = f"PyTorch {entry.torch}" + (f" ({entry.title})" if entry.title.lower() != entry.torch.lower() else "")
    what = "parameters and optimizer states" if entry.carried else "parameters"
    try:
        error, name = training_comparison(problem)
    except NumericError as err:
        return True, [f"{optimizer}, {COMPARISON_STEPS} training steps: not compared "
                      f"({err.message})"]
    ok = error <= COMPARISON_TOLERANCE
    return ok, [f"{optimizer}, {COMPARISON_STEPS} training steps (float64), {what}: max "
                f"difference {error:.2e} ({name or 'no parameters'}) {'ok' if ok else 'TOO LARGE'} "
                f"(tolerance {COMPARISON_TOLERANCE:g})"]
