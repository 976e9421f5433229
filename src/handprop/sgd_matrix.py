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

from .functions import FUSED_DELTA, LOG_FLOOR
from .problem import Problem


def _sigmoid(z):
    e = np.exp(-np.abs(z))              # the engine's stable form: exp(-z) for z >= 0, exp(z) below
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


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
        self.W = [np.array([[w.value for w in problem.incoming[u]] for u in layer.units])
                  for layer in problem.layers]
        self.w_index = [np.array([[index[w.name] for w in problem.incoming[u]] for u in layer.units])
                        for layer in problem.layers]
        nb = len(problem.biases)
        self.beta = np.array([b.value for b in problem.biases] + [0.0])  # last: the absent bias
        b_pos = {b.name: i for i, b in enumerate(problem.biases)}
        self.b_index = [np.array([b_pos[problem.bias_of[u].name] if problem.bias_of[u] else nb
                                  for u in layer.units]) for layer in problem.layers]
        self.has_bias = [bool((bi < nb).any()) for bi in self.b_index]
        self.X = np.array([s.inputs for s in problem.samples], dtype=float)
        self.T = np.array([s.targets for s in problem.samples], dtype=float)
        self.scale = 1.0 / len(problem.samples) if problem.batch == "mean" else 1.0
        self.lr = problem.learning_rate
        self.n_bias = nb

    # ------------------------------------------------------------ forward

    def _act(self, li: int, z):
        layer = self.problem.layers[li]
        kind = layer.activation
        if kind == "sigmoid":
            return _sigmoid(z)
        if kind == "tanh":
            return np.tanh(z)
        if kind == "relu":
            return np.where(z > 0, z, 0.0)
        if kind == "leaky_relu":
            return np.where(z > 0, z, layer.slope * z)
        if kind == "softmax":
            return _softmax(z)
        return z

    def _slope(self, li: int, z, a):
        layer = self.problem.layers[li]
        kind = layer.activation
        if kind in ("sigmoid", "softmax"):
            return a * (1.0 - a)
        if kind == "tanh":
            return 1.0 - a * a
        if kind == "relu":
            return np.where(z > 0, 1.0, 0.0)
        if kind == "leaky_relu":
            return np.where(z > 0, 1.0, layer.slope)
        return None

    def _forward(self):
        Z, A = [], [self.X]
        for li, W in enumerate(self.W):
            z = A[-1] @ W.T
            if self.has_bias[li]:
                z = z + self.beta[self.b_index[li]]
            Z.append(z)
            A.append(self._act(li, z))
        return Z, A

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

    def _output_delta(self, Z, A):
        top = len(self.W) - 1
        y = A[-1]
        if (self.problem.layers[top].activation, self.problem.loss) in FUSED_DELTA:
            return y - self.T
        g = self._dE(y)
        if self.problem.layers[top].activation == "softmax":
            return y * (g - (g * y).sum(axis=1, keepdims=True))
        slope = self._slope(top, Z[top], y)
        return g if slope is None else g * slope

    def step(self) -> None:
        """One step of gradient descent (mutates ``W`` and ``beta``)."""
        Z, A = self._forward()
        D = self._output_delta(Z, A)
        lr, scale = self.lr, self.scale
        bias_grad = np.zeros(self.n_bias + 1) if self.problem.update_biases else None
        updates = []
        for li in range(len(self.W) - 1, -1, -1):
            G = D.T @ A[li]
            if scale != 1.0:
                G *= scale
            if bias_grad is not None:
                bias_grad += np.bincount(self.b_index[li], weights=D.sum(axis=0),
                                         minlength=self.n_bias + 1)
            if self.updated:
                self.W[li] -= lr * G
            else:
                updates.append((li, G))
            if li:
                slope = self._slope(li - 1, Z[li - 1], A[li])
                D = D @ self.W[li]
                if slope is not None:
                    D *= slope
        for li, G in updates:
            self.W[li] -= lr * G
        if bias_grad is not None:
            bias_grad[-1] = 0.0
            self.beta -= lr * (bias_grad * scale)

    def run(self, steps: int) -> None:
        """Advance the parameters by ``steps`` steps."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for _ in range(steps):
                self.step()

    # ------------------------------------------------------------ read out

    def parameters(self) -> tuple[float, ...]:
        """Every parameter in ``Problem.params`` order."""
        values = np.empty(len(self.names))
        for W, idx in zip(self.W, self.w_index):
            values[idx] = W
        values[len(values) - self.n_bias:] = self.beta[:-1]
        return tuple(values.tolist())

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
