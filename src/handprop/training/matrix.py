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
:mod:`handprop.engine`; only the order of additions differs (matrix products).
numpy is imported here and nowhere on the command line's cold path.
"""
from __future__ import annotations

import numpy as np

from ..nn.functions import FUSED_DELTA, LOG_FLOOR
from ..problem.model import Problem


def _sigmoid(z):
    # exp(-z) overflows to inf for z < -709 and the result is then 0.0 (the engine's e / (1 + e)
    # gives a subnormal there): the same to 1e-300, and one pass over the array instead of four.
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class MatrixStepper:
    """Steps of gradient descent with numpy (mutates its own arrays only)."""

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
        self.rate = problem.learning_rate * self.scale   # one pass over a gradient, not two
        self.f = [_activation(layer) for layer in layers]
        self.df = [_slope(layer) for layer in layers]
        self.fused = (layers[-1].activation, problem.loss) in FUSED_DELTA
        self.softmax_out = layers[-1].activation == "softmax"
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

    def _dE(self, y):
        t, loss, n = self.T, self.problem.loss, y.shape[1]
        if loss == "half_sse":
            return y - t
        if loss == "sse":
            return 2.0 * (y - t)
        if loss == "mse":
            return 2.0 * (y - t) / n
        if loss == "bce":
            yc = np.clip(y, LOG_FLOOR, 1.0 - LOG_FLOOR)
            return (yc - t) / (yc * (1.0 - yc))
        return -t / np.maximum(y, LOG_FLOOR)

    def _output_delta(self, z, y):
        if self.fused:
            return y - self.T
        g = self._dE(y)
        if self.softmax_out:
            return y * (g - (g * y).sum(axis=1, keepdims=True))
        slope = self.df[-1]
        return g if slope is None else g * slope(z, y)

    def step(self) -> None:
        """One step of gradient descent (mutates ``W`` and the biases)."""
        Z, A = self._forward()
        self._cached = None
        W, rate = self.W, self.rate
        D = self._output_delta(Z[-1], A[-1])
        bias_grad = [] if self.train_biases else None
        updates = []
        for li in range(len(W) - 1, -1, -1):
            G = D.T @ A[li]
            if bias_grad is not None and self.B[li] is not None:
                bias_grad.append((li, np.add.reduce(D, axis=0)))
            if self.updated:
                W[li] -= rate * G
            else:
                updates.append((li, G))
            if li:
                slope = self.df[li - 1]
                D = D @ W[li]
                if slope is not None:
                    D *= slope(Z[li - 1], A[li])
        for li, G in updates:
            W[li] -= rate * G
        if bias_grad:
            self._update_biases(bias_grad)

    def _update_biases(self, grads) -> None:
        rate = self.rate
        if self.own:
            for li, g in grads:
                mask = self.mask[li]
                self.B[li] -= rate * (g if mask is None else g * mask)
            return
        total = np.zeros(self.n_bias + 1)
        for li, g in grads:
            total += np.bincount(self.b_index[li], weights=g, minlength=self.n_bias + 1)
        total[-1] = 0.0
        self.beta -= rate * total
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

    def outputs(self) -> tuple[tuple[float, ...], ...]:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return tuple(tuple(row) for row in self._forward()[1][-1].tolist())

    def loss(self) -> float:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            y = self._forward()[1][-1]
            t, loss = self.T, self.problem.loss
            if loss == "half_sse":
                e = 0.5 * (t - y) ** 2
            elif loss == "sse":
                e = (t - y) ** 2
            elif loss == "mse":
                e = (t - y) ** 2 / y.shape[1]
            elif loss == "bce":
                yc = np.clip(y, LOG_FLOOR, 1.0 - LOG_FLOOR)
                e = -(t * np.log(yc) + (1.0 - t) * np.log(1.0 - yc))
            else:
                e = np.where(t != 0, -t * np.log(np.maximum(y, LOG_FLOOR)), 0.0)
            total = float(e.sum())
        return total * self.scale if self.problem.batch == "mean" else total


def _activation(layer):
    """out = f(net) for a whole layer."""
    kind, a = layer.activation, layer.slope
    return {"sigmoid": _sigmoid, "tanh": np.tanh, "softmax": _softmax,
            "relu": lambda z: np.where(z > 0, z, 0.0),
            "leaky_relu": lambda z: np.where(z > 0, z, a * z),
            "linear": lambda z: z}[kind]


def _slope(layer):
    """dout/dnet as a function of (net, out); None when it is 1."""
    kind, a = layer.activation, layer.slope
    return {"sigmoid": lambda z, o: o * (1.0 - o), "softmax": lambda z, o: o * (1.0 - o),
            "tanh": lambda z, o: 1.0 - o * o,
            "relu": lambda z, o: np.where(z > 0, 1.0, 0.0),
            "leaky_relu": lambda z, o: np.where(z > 0, 1.0, a),
            "linear": None}[kind]
