"""Networks for the tests of hand rounding and ``handprop check`` (problem dicts).

Not only the built-ins: other activations (tanh, ReLU, linear, softmax), other
losses (mse, bce, cross-entropy, sse), per-unit and shared biases, biases
updated, two hidden layers, two samples with batch mean.
"""
from __future__ import annotations

from handprop.problem import load, parse

TANH_LINEAR_MSE = {
    "title": "tanh hidden, linear outputs, mse",
    "inputs": 2,
    "layers": [
        {"size": 3, "activation": "tanh", "W": [[0.3, -0.2], [0.5, 0.4], [-0.6, 0.1]], "b": [0.1, -0.2, 0.05]},
        {"size": 2, "activation": "linear", "W": [[0.7, -0.3, 0.2], [0.25, 0.6, -0.45]], "b": [0.15, -0.1]},
    ],
    "samples": [{"inputs": [0.8, -0.4], "targets": [0.3, -0.2]}],
    "loss": "mse", "learning_rate": 0.1, "update_biases": True,
}

RELU_SIGMOID_BCE = {
    "title": "ReLU hidden, sigmoid outputs, binary cross-entropy",
    "inputs": 3,
    "layers": [
        {"size": 2, "activation": "relu", "W": [[0.4, 0.3, 0.2], [0.15, 0.5, 0.35]], "b": 0.1},
        {"size": 2, "activation": "sigmoid", "W": [[0.6, -0.4], [-0.3, 0.8]], "b": 0.2},
    ],
    "samples": [{"inputs": [0.5, 0.9, 0.3], "targets": [1.0, 0.0]}],
    "loss": "bce", "learning_rate": 0.5,
}

TANH_SOFTMAX_CE = {
    "title": "tanh hidden, softmax outputs, cross-entropy",
    "inputs": 2,
    "layers": [
        {"size": 2, "activation": "tanh", "W": [[0.5, -0.3], [0.2, 0.6]], "b": [0.1, -0.1]},
        {"size": 3, "activation": "softmax", "W": [[0.4, 0.6], [-0.5, 0.3], [0.2, -0.7]], "b": 0.05},
    ],
    "samples": [{"inputs": [1.0, 0.5], "targets": [0.0, 1.0, 0.0]}],
    "loss": "cross_entropy", "learning_rate": 0.2,
}

DEEP_TWO_SAMPLES_SSE = {
    "title": "two hidden layers (sigmoid, tanh), sse, two samples, batch mean",
    "inputs": 2,
    "layers": [
        {"size": 2, "activation": "sigmoid", "W": [[0.15, 0.2], [0.25, 0.3]], "b": 0.35},
        {"size": 2, "activation": "tanh", "W": [[0.4, -0.45], [0.5, 0.55]], "b": 0.1},
        {"size": 2, "activation": "sigmoid", "W": [[0.3, 0.6], [-0.2, 0.45]], "b": 0.6},
    ],
    "samples": [{"inputs": [0.05, 0.1], "targets": [0.01, 0.99]},
                {"inputs": [0.9, -0.3], "targets": [0.7, 0.2]}],
    "loss": "sse", "learning_rate": 0.5, "batch": "mean",
}

DICTS = {"tanh-linear-mse": TANH_LINEAR_MSE, "relu-sigmoid-bce": RELU_SIGMOID_BCE,
         "tanh-softmax-ce": TANH_SOFTMAX_CE, "deep-two-samples-sse": DEEP_TWO_SAMPLES_SSE}


SIGMOID_SOFTMAX_SSE = {
    "title": "sigmoid hidden, softmax outputs, half the sum of squared errors (the delta not fused)",
    "inputs": 2,
    "layers": [
        {"size": 2, "activation": "sigmoid", "W": [[0.3, -0.5], [0.8, 0.2]], "b": [0.1, 0.25]},
        {"size": 3, "activation": "softmax", "W": [[0.6, -0.4], [0.9, 0.3], [-0.7, 0.5]], "b": [0.2, -0.1, 0.3]},
    ],
    "samples": [{"inputs": [0.6, 0.9], "targets": [0.2, 0.7, 0.1]}],
    "loss": "half_sse", "learning_rate": 0.5,
}

RELU_SOFTMAX_CE_TWO_SAMPLES = {
    "title": "ReLU hidden, softmax outputs, cross-entropy, two samples, batch mean",
    "inputs": 2,
    "layers": [
        {"size": 3, "activation": "relu", "W": [[0.5, 0.2], [0.3, 0.7], [0.6, -0.1]], "b": [0.1, 0.2, 0.15]},
        {"size": 3, "activation": "softmax", "W": [[0.4, -0.6, 0.3], [0.8, 0.2, -0.5], [-0.3, 0.7, 0.6]],
         "b": 0.1},
    ],
    "samples": [{"inputs": [0.9, 0.4], "targets": [0.2, 0.5, 0.3]},
                {"inputs": [0.3, 0.8], "targets": [0.6, 0.1, 0.3]}],
    "loss": "cross_entropy", "learning_rate": 0.3, "batch": "mean",
}

TANH_SIGMOID_CE = {
    "title": "tanh hidden, sigmoid outputs, cross-entropy (−t ln y, the delta not fused)",
    "inputs": 2,
    "layers": [
        {"size": 2, "activation": "tanh", "W": [[0.4, -0.3], [0.25, 0.6]], "b": [0.05, -0.15]},
        {"size": 2, "activation": "sigmoid", "W": [[0.7, -0.2], [0.3, 0.9]], "b": [0.1, -0.2]},
    ],
    "samples": [{"inputs": [0.7, 0.2], "targets": [0.8, 0.3]}],
    "loss": "cross_entropy", "learning_rate": 0.1, "update_biases": True,
}

THREE_SAMPLES_SUM = {
    "title": "sigmoid 2-2-1, half the sum of squared errors, three samples, batch sum",
    "inputs": 2,
    "layers": [
        {"size": 2, "activation": "sigmoid", "W": [[0.2, -0.4], [0.6, 0.3]], "b": [0.1, -0.1]},
        {"size": 1, "activation": "sigmoid", "W": [[0.5, -0.7]], "b": 0.2},
    ],
    "samples": [{"inputs": [0.4, 0.9], "targets": [0.9]}, {"inputs": [0.8, 0.1], "targets": [0.2]},
                {"inputs": [0.3, 0.6], "targets": [0.6]}],
    "loss": "half_sse", "learning_rate": 0.4, "batch": "sum",
}

MORE = {"sigmoid-softmax-sse": SIGMOID_SOFTMAX_SSE, "relu-softmax-ce-two-samples": RELU_SOFTMAX_CE_TWO_SAMPLES,
        "tanh-sigmoid-ce": TANH_SIGMOID_CE, "three-samples-sum": THREE_SAMPLES_SUM}
"""Networks for the catalogue's tests only (softmax without a fused delta, cross-entropy without
softmax, per-unit biases): more mistakes apply to them."""


def network(name: str):
    """A problem by name: a built-in, or one of :data:`DICTS`."""
    if name in DICTS or name in MORE:
        return parse({**DICTS, **MORE}[name], source=name, name=name)
    return load(name)


NAMES = ("notes", "mazur") + tuple(DICTS)
