"""The system of a problem: every quantity's defining formula, in the order it is computed.

This is the one definition the rest stands on.  For each quantity id (in the
order a person computes it: each sample's forward pass, loss and backward pass
layer by layer down, then the combined quantities, then the updates) it holds
the expression tree that defines it, built from the problem and the entries of
:mod:`handprop.nn`:

- ``net:U = Σ w·out + b``, ``out:U`` from the activation's formula;
- ``E:U`` from the loss's formula, ``E:total`` their sum;
- ``dE/dout:U``: the loss's slope at an output, ``Σ δ·w`` over a hidden unit's paths;
- ``dout/dnet:U``: the activation's slope (the Jacobian's diagonal for a layer-level one);
- ``delta:U``: ``∂E/∂out × ∂out/∂net``; ``Σ_j ∂E/∂out_j ∂out_j/∂net_U`` through a
  layer-level activation; ``out − target`` where the loss simplifies with the activation;
- ``grad:w``: the chain rule ``∂E/∂out × ∂out/∂net × out`` (``δ × out`` where the delta is
  taken whole); ``grad:b``: the sum of the deltas of the units sharing b;
- the samples combined (sum or mean); then for each updated parameter the optimizer's step
  (its table entry's trees for step t): the gradient with weight decay (``decayed:P``), the
  parameter shrunk by decoupled decay (``shrunk:P``), each state after the step
  (``velocity:P``, ``m:P``, ``v:P``, ``mhat:P``, ``vhat:P``), and ``new:P``.

An optimizer with state reads its state before the step as given numbers
(``state:m:w5``), with its settings (``hyper:beta1``): :class:`At` says which step
``t`` the system is of and what that state is (every state 0 at step 1).

The engine (:mod:`.engine`) evaluates exactly these trees, and the derivation
(:mod:`.derive`) writes exactly these trees: what is shown is what was computed,
by construction.  (A :class:`~handprop.expr.nodes.Stable` node is the one written form
computed rearranged -- softmax shifted by its largest net -- the same number to float64
rounding.)  The loss after the update (``new:E:total``) has no formula of
its own: it is the forward pass and loss evaluated again with every ``param:P``
replaced by ``new:P``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Sequence

import orjson

from ..cache import LRU
from ..expr.nodes import Expr, Frac, Known, Mul, Sym, add, sub
from ..nn import ACTIVATIONS, LOSSES, OPTIMIZERS
from ..problem import Problem
from ..nn.optimizers import Settings, substitute
from ..quantities import ETA, STEP, UPDATE_KINDS, state_id
from ..quantities import key as qid

__all__ = ["System", "system", "simplified", "symbol", "combined", "whole_delta", "jacobian_sum",
           "At", "FIRST", "settings_of", "update_keys"]


@dataclass(frozen=True)
class At:
    """Which update a system is of: step ``t`` (1-based) of training, and the optimizer's state
    before it (``{"m:w5": value, ...}``, every carried state of every updated parameter; a
    state left out is 0, as it is before step 1)."""

    t: int = 1
    state: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self):
        if isinstance(self.t, bool) or not isinstance(self.t, int) or self.t < 1:
            raise ValueError(f"a step is a whole number from 1, not {self.t!r}")


FIRST = At()
"""The first update, every state 0: what a problem's worked solution is by default."""


def settings_of(problem: Problem) -> Settings:
    """The problem's optimizer with every setting (its table entry's defaults filled in)."""
    found = getattr(problem, "optimizer_settings", None)
    return found if found is not None else OPTIMIZERS[problem.optimizer].defaults


def update_keys(problem: Problem, at: At = FIRST) -> tuple[str, ...]:
    """The kinds of quantity the update of step ``at.t`` computes for a parameter, in order
    (``("m", "v", "mhat", "vhat", "new")`` for Adam; ``("new",)`` for plain gradient descent)."""
    settings = settings_of(problem)
    return tuple(k for k, _ in OPTIMIZERS[settings.name].steps(at.t, settings))


_SYMBOLS: dict[tuple[str, str, int | None], Sym] = {}


def symbol(kind: str, name: str, sample: int | None = None) -> Sym:
    """The symbol of a quantity (or given number) in a formula (one object per quantity: a large
    system names the same quantity thousands of times)."""
    found = _SYMBOLS.get((kind, name, sample))
    if found is None:
        if len(_SYMBOLS) > 1_000_000:
            _SYMBOLS.clear()
        found = _SYMBOLS[(kind, name, sample)] = Sym(qid(kind, name, sample))
    return found


def simplified(problem: Problem) -> bool:
    """The output's delta is ``out − target`` (the loss simplifies with the output activation)."""
    return problem.layers[-1].activation in LOSSES[problem.loss].simplifies_with


@dataclass
class System:
    """Every quantity's formula (``exprs``, in the order computed) and the given numbers."""

    problem: Problem
    exprs: Mapping[str, Expr] = field(default_factory=dict)
    """Built as a dict by :func:`build`, read-only once built (shared by a network's problems)."""
    base: dict[str, float] = field(default_factory=dict)
    at: At = FIRST
    loss_keys: Sequence[str] = field(default_factory=list)
    """The quantities the total loss is computed from (forward passes and losses), in order
    (a tuple once built)."""

    @property
    def updated(self) -> tuple[str, ...]:
        return self.problem.updated

    def out(self, unit: str, sample: int | None) -> Sym:
        """out_U, or the input itself for an input."""
        kind = "in" if self.problem.layer_of[unit] < 0 else "out"
        return symbol(kind, unit, sample)


BYTES_A_TERM = 600
"""What a network's formulas take in memory, a parameter and a sample (measured: 11 MB for a
64-64-10 network of 4 samples, 20,000 terms)."""

_FORMULAS: LRU[tuple[Mapping[str, Expr], tuple[str, ...]]] = LRU(
    entries=256, max_bytes=64 * 1024 * 1024, largest=16 * 1024 * 1024)
"""Each network's formulas (by :func:`shape`): the server works thousands of problems a second,
most of them one network with other numbers.  A network too large to keep (a training run's)
is built once a run anyway."""


def shape(problem: Problem, at: At = FIRST) -> bytes:
    """What a system's formulas depend on: the problem without its numbers (weights, biases,
    inputs, targets, learning rate; no title) and step t.  The numbers, and the optimizer's
    state before the step, are the system's :attr:`System.base`, never written into a formula."""
    d = problem.to_dict()
    for k in ("title", "description", "learning_rate", "form"):
        d.pop(k, None)
    d["weights"] = [[name, w[0], w[1]] for name, w in d["weights"].items()]
    d["biases"] = [[name, b[0]] for name, b in d["biases"].items()]
    d["samples"] = len(d["samples"])
    return orjson.dumps([d, at.t], option=orjson.OPT_SORT_KEYS)


def system(problem: Problem, at: At = FIRST) -> System:
    """The system of ``problem`` at step ``at`` (see the module docstring): its formulas are
    built once for each network (:func:`shape`) and shared, read-only, by every problem of
    it; its given numbers are the problem's own."""
    size = len(problem.params) * max(len(problem.samples), 1) * BYTES_A_TERM
    if size > _FORMULAS.largest:
        return build(problem, at)
    try:
        key = shape(problem, at)
    except TypeError:                   # a Problem made by hand with numbers orjson cannot write
        return build(problem, at)
    found = _FORMULAS.get(key)
    if found is None:
        s = build(problem, at)
        _FORMULAS.put(key, (s.exprs, s.loss_keys), size)
        return s
    s = System(problem, at=at)
    _given(s)
    s.exprs, s.loss_keys = found
    return s


def build(problem: Problem, at: At = FIRST) -> System:
    """The system of ``problem`` at ``at``, built from nothing (:func:`system` keeps them)."""
    s = System(problem, at=at)
    _given(s)
    for k in range(len(problem.samples)):
        n = problem.sample_of(k)
        _forward(s, n)
        _loss(s, n)
        _backward(s, n)
    if problem.multi:
        _combine(s)
    _update(s)
    s.exprs, s.loss_keys = MappingProxyType(s.exprs), tuple(s.loss_keys)    # read-only from here
    return s


def _given(s: System) -> None:
    """The given numbers of the system's problem into its base (and the optimizer's, below)."""
    problem = s.problem
    s.base[ETA] = problem.learning_rate
    for name, value in problem.params.items():
        s.base[qid("param", name)] = value
    for k, sample in enumerate(problem.samples):
        n = problem.sample_of(k)
        for x, v in zip(problem.inputs, sample.inputs):
            s.base[qid("in", x, n)] = v
        for u, t in zip(problem.outputs, sample.targets):
            s.base[qid("target", u, n)] = t
    _given_update(s)


def _put(s: System, key: str, expr: Expr, loss: bool = False) -> None:
    s.exprs[key] = expr
    if loss:
        s.loss_keys.append(key)


def _forward(s: System, n: int | None) -> None:
    p = s.problem
    for layer in p.layers:
        for u in layer.units:
            terms: list[Expr] = [Mul((symbol("param", w.name), s.out(w.src, n)), juxt=True)
                                 for w in p.incoming[u]]
            bias = p.bias_of[u]
            if bias is not None:
                terms.append(symbol("param", bias.name))
            _put(s, qid("net", u, n), add(*terms), loss=True)
        entry = ACTIVATIONS[layer.activation]
        nets = [symbol("net", u, n) for u in layer.units]
        options = layer.params
        for k, u in enumerate(layer.units):
            _put(s, qid("out", u, n), entry.out_expr(nets, k, options), loss=True)


def _loss(s: System, n: int | None) -> None:
    p = s.problem
    loss = LOSSES[p.loss]
    m = len(p.outputs)
    for u in p.outputs:
        _put(s, qid("E", u, n), loss.part(symbol("out", u, n), symbol("target", u, n), m), loss=True)
    _put(s, qid("E", "total", n), add(*[symbol("E", u, n) for u in p.outputs]), loss=True)


def _backward(s: System, n: int | None) -> None:
    p = s.problem
    last = len(p.layers) - 1
    layer = p.layers[last]
    loss = LOSSES[p.loss]
    m = len(p.outputs)
    entry = ACTIVATIONS[layer.activation]
    nets = [symbol("net", u, n) for u in layer.units]
    outs = [symbol("out", u, n) for u in layer.units]
    for k, u in enumerate(layer.units):
        _put(s, qid("dE/dout", u, n), loss.slope(outs[k], symbol("target", u, n), m))
        _put(s, qid("dout/dnet", u, n), entry.slope_expr(nets, outs, k, layer.params))
    for k, u in enumerate(layer.units):
        if simplified(p):
            expr = sub(outs[k], symbol("target", u, n))
        else:
            expr = _delta(s, last, k, n)
        _put(s, qid("delta", u, n), expr)
    _gradients(s, last, n)
    for li in range(last - 1, -1, -1):
        layer = p.layers[li]
        entry = ACTIVATIONS[layer.activation]
        nets = [symbol("net", u, n) for u in layer.units]
        outs = [symbol("out", u, n) for u in layer.units]
        if entry.elementwise:
            for k, u in enumerate(layer.units):
                _put(s, qid("dE/dout", u, n), _fan_in(s, u, n))
                _put(s, qid("dout/dnet", u, n), entry.slope_expr(nets, outs, k, layer.params))
                _put(s, qid("delta", u, n), _delta(s, li, k, n))
        else:
            for k, u in enumerate(layer.units):
                _put(s, qid("dE/dout", u, n), _fan_in(s, u, n))
                _put(s, qid("dout/dnet", u, n), entry.slope_expr(nets, outs, k, layer.params))
            for k, u in enumerate(layer.units):
                _put(s, qid("delta", u, n), _delta(s, li, k, n))
        _gradients(s, li, n)


def _fan_in(s: System, u: str, n: int | None) -> Expr:
    """∂E/∂out_U of a hidden unit: each delta it feeds times the weight it passes through."""
    return add(*[Mul((symbol("delta", w.dst, n), symbol("param", w.name)))
                 for w in s.problem.outgoing[u]])


def _delta(s: System, li: int, k: int, n: int | None) -> Expr:
    """δ of unit k of layer li: ∂E/∂out × ∂out/∂net, or the Jacobian applied to the slopes."""
    layer = s.problem.layers[li]
    entry = ACTIVATIONS[layer.activation]
    u = layer.units[k]
    if entry.elementwise:
        return Mul((symbol("dE/dout", u, n), symbol("dout/dnet", u, n)))
    return jacobian_sum(s.problem, li, k, n)


def jacobian_sum(problem: Problem, li: int, k: int, n: int | None) -> Expr:
    """``Σ_j ∂E/∂out_j × ∂out_j/∂net_k`` over the units j of layer-level layer ``li``: the
    diagonal entry as the symbol ``dout/dnet:U``, every other entry as the entry's formula
    written in as ∂out_j/∂net_k (:class:`Known`: the tree the chain shows is the one computed)."""
    layer = problem.layers[li]
    entry = ACTIVATIONS[layer.activation]
    u = layer.units[k]
    nets = [symbol("net", v, n) for v in layer.units]
    outs = [symbol("out", v, n) for v in layer.units]
    terms = []
    for j, v in enumerate(layer.units):
        jac = symbol("dout/dnet", u, n) if j == k else \
            Known(entry.jacobian(nets, outs, j, k, layer.params), qid("out", v, n), qid("net", u, n))
        terms.append(Mul((symbol("dE/dout", v, n), jac)))
    return add(*terms)


def whole_delta(s_or_problem, li: int) -> bool:
    """The gradients of layer ``li`` take its delta whole (``δ × out``), not the three factors:
    the output delta simplifies, or the activation is layer-level."""
    p = s_or_problem.problem if isinstance(s_or_problem, System) else s_or_problem
    layer = p.layers[li]
    if not ACTIVATIONS[layer.activation].elementwise:
        return True
    return li == len(p.layers) - 1 and simplified(p)


def _gradients(s: System, li: int, n: int | None) -> None:
    p = s.problem
    units = set(p.layers[li].units)
    whole = whole_delta(s, li)
    for w in p.weights:
        if w.dst not in units:
            continue
        x = s.out(w.src, n)
        if whole:
            expr: Expr = Mul((symbol("delta", w.dst, n), x))
        else:
            expr = Mul((symbol("dE/dout", w.dst, n), symbol("dout/dnet", w.dst, n), x))
        _put(s, qid("grad", w.name, n), expr)
    for b in p.biases:
        if min(p.layer_of[u] for u in b.units) == li:   # after every delta it sums
            _put(s, qid("grad", b.name, n), add(*[symbol("delta", u, n) for u in b.units]))


def combined(parts: list[Expr], count: int, mean: bool) -> Expr:
    """The samples' parts added, or averaged (``1/K × the sum``)."""
    total = add(*parts)
    return Mul((Frac(1, count), total), juxt=True) if mean else total


def _combine(s: System) -> None:
    p = s.problem
    k = len(p.samples)
    mean = p.batch == "mean"
    samples = [p.sample_of(i) for i in range(k)]
    _put(s, qid("E", "total"), combined([symbol("E", "total", n) for n in samples], k, mean), loss=True)
    for name in p.params:
        _put(s, qid("grad", name), combined([symbol("grad", name, n) for n in samples], k, mean))


def _given_update(s: System) -> None:
    """The update's given numbers: step t and the settings (an optimizer with state, or a
    step past the first), each state before the step (0 unless :class:`At` gives it)."""
    p = s.problem
    settings = settings_of(p)
    entry = OPTIMIZERS[settings.name]
    if entry.states or len(entry.steps(s.at.t, settings)) > 1 or s.at.t > 1:
        s.base[STEP] = float(s.at.t)
        for name, value in settings.values:
            if not isinstance(value, bool):
                s.base[qid("hyper", name)] = float(value)
    for name in p.updated:
        for state in entry.carried:
            s.base[state_id(state.id, name)] = float(s.at.state.get(qid(state.id, name), 0.0))


def _update(s: System) -> None:
    """Each updated parameter's step, from the optimizer entry's trees of step t: their keys
    (``grad``, ``param``, ``state:m``, ``m`` …) made this parameter's (``grad:w5``,
    ``param:w5``, ``state:m:w5``, ``m:w5`` …); the settings and t are given numbers."""
    p = s.problem
    settings = settings_of(p)
    entry = OPTIMIZERS[settings.name]
    steps = entry.steps(s.at.t, settings)
    carried = [state.id for state in entry.carried]
    eta = Sym(ETA)
    for name in p.updated:
        env = {"grad": symbol("grad", name), "param": symbol("param", name), "eta": eta}
        for state in carried:
            env[f"state:{state}"] = Sym(state_id(state, name))
        for kind, expr in steps:
            env[kind] = symbol(kind, name)
        for kind, expr in steps:
            if kind not in UPDATE_KINDS:
                raise ValueError(f"the optimizer {entry.name} computes {kind!r}, which is no kind of "
                                 f"quantity (handprop.quantities.UPDATE_KINDS)")
            _put(s, qid(kind, name), substitute(expr, env))
