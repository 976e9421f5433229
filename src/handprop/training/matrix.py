"""Gradient descent for large networks: one matrix product per layer and direction.

Layer l holds ``W[l]`` (units x units of the layer before, rows in unit order,
columns in the previous layer's order, as ``Problem.incoming``).  Samples are
the rows of ``A[0]``; for every layer

    Z = A @ W.T + bias        A' = f(Z)                      (forward)
    D = (D' @ W') * f'(Z)                                    (delta, layer by layer down)
    grad W = scale * D.T @ A  grad bias = scale * sum of D over samples and the bias's units

Biases may be shared by several units (even across layers): each unit has the
index of its bias in one vector ``beta`` (or of a constant zero), so gathering
and summing by index covers every convention.  The same float64 mathematics as
:mod:`handprop.solve.engine`; only the order of additions differs (matrix products).
The optimizer is its entry's in-place array form (``Optimizer.array_step``), with
its states one array beside each parameter array (``state[slot][id]``, zero to
begin with).  numpy is imported here and nowhere on the command line's cold path.
"""
from __future__ import annotations

import numpy as np

from ..expr.evaluate import compile_array
from ..expr.nodes import Num, Sym
from ..nn import ACTIVATIONS, LOSSES, OPTIMIZERS
from ..nn.optimizers import DEFAULT
from ..problem import Problem
from ..solve.equations import simplified

Z, Y, T = Sym("z"), Sym("y"), Sym("t")


class MatrixStepper:
    """Steps of the problem's optimizer with numpy (mutates its own arrays only)."""

    name = "numpy"

    def __init__(self, problem: Problem, hidden_deltas: str = "original"):
        self.problem = problem
        self.updated = hidden_deltas == "updated"
        names = list(problem.params)
        index = {n: i for i, n in enumerate(names)}
        self.names = names
        layers = problem.layers
        self.W = [np.array([[w.value for w in problem.incoming[u]] for u in layer.units])
                  for layer in layers]
        w_index = [[index[w.name] for u in layer.units for w in problem.incoming[u]] for layer in layers]
        # biases: beta holds each bias once (and a constant 0 last, for units without one);
        # B[l] is layer l's bias per unit, gathered from beta (None: the layer has none)
        nb = len(problem.biases)
        b_pos = {b.name: i for i, b in enumerate(problem.biases)}
        self.b_index = [np.array([b_pos[problem.bias_of[u].name] if problem.bias_of[u] else nb
                                  for u in layer.units]) for layer in layers]
        self.beta = np.array([b.value for b in problem.biases] + [0.0])
        self.B = [self.beta[bi] if (bi < nb).any() else None for bi in self.b_index]
        self.own = all(len(b.units) == 1 for b in problem.biases)   # one bias per unit: update B
        self.mask = [None if B is None or (bi < nb).all() else (bi < nb).astype(float)
                     for B, bi in zip(self.B, self.b_index)]
        self.train_biases = problem.update_biases and nb > 0
        self.n_bias = nb
        self.X = np.array([s.inputs for s in problem.samples], dtype=float)
        self.T = np.array([s.targets for s in problem.samples], dtype=float)
        self.scale = 1.0 / len(problem.samples) if problem.batch == "mean" else 1.0
        self.entry = OPTIMIZERS[problem.optimizer]
        self.settings = problem.optimizer_settings
        # plain SGD folds the batch's scale into the rate (one pass over a gradient, not two);
        # any other optimizer needs the gradient itself
        self.plain = self.settings == DEFAULT
        self.rate = problem.learning_rate * (self.scale if self.plain else 1.0)
        self.hyper = dict(self.settings.values)   # read by name on every step: a dict
        self.t = 0                       # steps taken
        self.states: dict[tuple, dict[str, np.ndarray]] = {}   # slot -> state id -> array
        self.f = [_activation(layer) for layer in layers]
        self.df = [_slope(layer) for layer in layers]
        self.fused = simplified(problem)
        out = layers[-1]
        entry = ACTIVATIONS[out.activation]
        self.layer_delta = None if entry.elementwise else \
            (lambda z, y, g, f=entry.array_delta, o=out.params: f(np, z, y, g, o))
        loss = LOSSES[problem.loss]
        n_out = len(problem.outputs)
        self.dE = compile_array(loss.slope(Y, T, n_out), ("y", "t"), np)
        self.part = compile_array(loss.part(Y, T, n_out), ("y", "t"), np)
        order = np.array([i for idx in w_index for i in idx] + list(range(len(names) - nb, len(names))),
                         dtype=np.intp)
        self.order = np.argsort(order)   # from (W[0].ravel(), W[1].ravel(), ..., biases) to params order
        self._cached = None              # the forward pass of the current parameters, once computed

    # ------------------------------------------------------------ forward

    def _forward(self):
        if self._cached is None:
            Z, A = [], [self.X]
            for W, B, f in zip(self.W, self.B, self.f):
                z = A[-1] @ W.T
                if B is not None:
                    z += B
                Z.append(z)
                A.append(f(z))
            self._cached = Z, A
        return self._cached

    # ------------------------------------------------------------ backward

    def _output_delta(self, z, y):
        if self.fused:
            return y - self.T
        g = self.dE(y, self.T)
        if self.layer_delta is not None:
            return self.layer_delta(z, y, g)
        slope = self.df[-1]
        return g if slope is None else g * slope(z, y)

    def update(self, slot: tuple, P, G) -> None:
        """One optimizer step of the parameter array ``P`` (in place) from its gradient ``G``
        (overwritten; for plain SGD still to be scaled by the batch: the rate holds it);
        ``slot`` names P's states."""
        state = self.states.get(slot)
        if state is None:
            state = self.states[slot] = {s.id: np.zeros_like(P) for s in self.entry.carried}
        self.entry.array_step(np, P, G, state, self.t, self.rate, self.hyper)

    def step(self) -> None:
        """One step of the optimizer (mutates ``W``, the biases and the states)."""
        Z, A = self._forward()
        self._cached = None
        self.t += 1
        W = self.W
        D = self._output_delta(Z[-1], A[-1])
        if not self.plain and self.scale != 1.0:
            D = D * self.scale           # the gradient itself (the mean), for the optimizer
        bias_grad = [] if self.train_biases else None
        updates = []
        for li in range(len(W) - 1, -1, -1):
            G = D.T @ A[li]
            if bias_grad is not None and self.B[li] is not None:
                bias_grad.append((li, np.add.reduce(D, axis=0)))
            if self.updated:
                self.update(("W", li), W[li], G)
            else:
                updates.append((li, G))
            if li:
                slope = self.df[li - 1]
                D = D @ W[li]
                if slope is not None:
                    D *= slope(Z[li - 1], A[li])
        for li, G in updates:
            self.update(("W", li), W[li], G)
        if bias_grad:
            self._update_biases(bias_grad)

    def _update_biases(self, grads) -> None:
        if self.own:
            for li, g in grads:
                mask = self.mask[li]
                self.update(("B", li), self.B[li], g if mask is None else g * mask)
            return
        total = np.zeros(self.n_bias + 1)
        for li, g in grads:
            total += np.bincount(self.b_index[li], weights=g, minlength=self.n_bias + 1)
        total[-1] = 0.0
        self.update(("beta",), self.beta, total)
        self.B = [None if B is None else self.beta[bi] for B, bi in zip(self.B, self.b_index)]

    def run(self, steps: int) -> None:
        """Advance the parameters by ``steps`` steps."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for _ in range(steps):
                self.step()

    # ------------------------------------------------------------ read out

    def biases(self):
        """Each bias once, in ``Problem.biases`` order."""
        if not self.own:
            return self.beta[:-1]
        values = self.beta.copy()
        for B, bi in zip(self.B, self.b_index):
            if B is not None:
                values[bi] = B
        return values[:-1]

    def parameters(self):
        """Every parameter in ``Problem.params`` order (a new 1-d array)."""
        return np.concatenate([W.ravel() for W in self.W] + [self.biases()])[self.order]

    def state(self) -> dict[str, np.ndarray]:
        """Each carried state of every updated parameter, in ``Problem.updated`` order."""
        n = len(self.problem.updated)
        out = {}
        for s in self.entry.carried:
            def of(slot, like):
                kept = self.states.get(slot)
                return np.zeros_like(like) if kept is None else kept[s.id]
            weights = [of(("W", li), W).ravel() for li, W in enumerate(self.W)]
            if self.own:
                values = np.zeros(self.n_bias + 1)
                for li, (B, bi) in enumerate(zip(self.B, self.b_index)):
                    if B is not None:
                        values[bi] = of(("B", li), B)
                biases = values[:-1]
            else:
                biases = of(("beta",), self.beta)[:-1]
            out[s.id] = np.concatenate(weights + [biases])[self.order][:n]
        return out

    def outputs(self) -> tuple[tuple[float, ...], ...]:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return tuple(tuple(row) for row in self._forward()[1][-1].tolist())

    def loss(self) -> float:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            y = self._forward()[1][-1]
            total = float(np.asarray(self.part(y, self.T)).sum())
        return total * self.scale if self.problem.batch == "mean" else total


def _activation(layer):
    """out = f(net) for a whole layer: the entry's formula compiled to array code, or its
    layer-level array form."""
    entry = ACTIVATIONS[layer.activation]
    options = layer.params
    if entry.elementwise:
        return compile_array(entry.out(Z, options), ("z",), np)
    return lambda z: entry.array_out(np, z, options)


def _slope(layer):
    """dout/dnet as a function of (net, out), compiled from the entry; None when it is 1."""
    entry = ACTIVATIONS[layer.activation]
    options = layer.params
    if not entry.elementwise:
        return None          # a layer-level activation's delta comes from its own array form
    expr = entry.slope(Z, Y, options)
    if expr == Num(1.0):
        return None
    return compile_array(expr, ("z", "y"), np)
