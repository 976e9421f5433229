"""PyTorch as the reference: autograd gradients and ``torch.optim`` training, float64.

Built from the problem directly (one tensor per parameter, the network written
out in torch), sharing nothing with the engine: its own torch form of every
activation, loss and optimizer (:data:`ACTIVATIONS`, :data:`LOSSES`,
:data:`OPTIMIZERS`), and :class:`~handprop.oracles.finite_diff.MissingForm` for
an entry it has none of.  torch is imported inside these functions only.
"""
from __future__ import annotations

from typing import Callable

from ..problem import Problem
from .finite_diff import MissingForm

__all__ = ["ACTIVATIONS", "LOSSES", "OPTIMIZERS", "torch_gradients", "torch_sgd", "available"]

LOG_FLOOR = 1e-12


def available() -> bool:
    import importlib.util
    return importlib.util.find_spec("torch") is not None


def _activations() -> dict[str, Callable]:
    import torch
    F = torch.nn.functional
    return {
        "sigmoid": lambda z, o: torch.sigmoid(z),
        "tanh": lambda z, o: torch.tanh(z),
        "relu": lambda z, o: torch.relu(z),
        "leaky_relu": lambda z, o: F.leaky_relu(z, o["slope"]),
        "linear": lambda z, o: z,
        "softplus": lambda z, o: F.softplus(z, beta=1.0, threshold=700.0),
        "elu": lambda z, o: F.elu(z, o["alpha"]),
        "silu": lambda z, o: F.silu(z),
        "gelu": lambda z, o: F.gelu(z, approximate="none"),
        "softmax": lambda z, o: torch.softmax(z, dim=-1),
    }


ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softplus", "elu", "silu", "gelu",
               "softmax")
"""The activations this oracle has a torch form of."""
LOSSES = ("half_sse", "sse", "mse", "bce", "cross_entropy")
OPTIMIZERS = ("sgd",)


def _activate(layer, z):
    forms = _activations()
    if layer.activation not in forms:
        raise MissingForm(f"the PyTorch reference has no form of the activation {layer.activation!r}")
    return forms[layer.activation](z, layer.params)


def _loss(problem: Problem, z, y, t):
    """The loss of one batch (rows: samples) written in torch: summed, or averaged over the
    samples for batch mean."""
    import torch
    F = torch.nn.functional
    loss, out = problem.loss, problem.layers[-1].activation
    if loss == "half_sse":
        e = 0.5 * ((t - y) ** 2).sum()
    elif loss == "sse":
        e = ((t - y) ** 2).sum()
    elif loss == "mse":
        e = ((t - y) ** 2).sum() / y.shape[-1]
    elif loss == "bce" and out == "sigmoid":
        e = F.binary_cross_entropy_with_logits(z, t, reduction="sum")
    elif loss == "bce":
        yc = y.clamp(LOG_FLOOR, 1 - LOG_FLOOR)
        e = -(t * torch.log(yc) + (1 - t) * torch.log(1 - yc)).sum()
    elif loss == "cross_entropy" and out == "softmax":
        e = -(t * torch.log_softmax(z, dim=-1)).sum()
    elif loss == "cross_entropy":
        e = -(t * torch.log(y.clamp_min(LOG_FLOOR))).sum()
    else:
        raise MissingForm(f"the PyTorch reference has no form of the loss {loss!r}")
    return e / len(problem.samples) if problem.batch == "mean" else e


def _network(problem: Problem, train_biases: bool):
    """(weight matrices, the bias vector, its gather per layer, its mask) as float64 tensors."""
    import torch
    P = torch.float64
    W = [torch.tensor([[w.value for w in problem.incoming[u]] for u in layer.units], dtype=P,
                      requires_grad=True) for layer in problem.layers]
    beta = torch.tensor([b.value for b in problem.biases] + [0.0], dtype=P, requires_grad=train_biases)
    pos = {b.name: i for i, b in enumerate(problem.biases)}
    gather = [torch.tensor([pos[problem.bias_of[u].name] if problem.bias_of[u] else len(pos)
                            for u in layer.units]) for layer in problem.layers]
    mask = torch.ones(len(pos) + 1, dtype=P)
    mask[-1] = 0.0                       # the absent bias is the constant 0
    return W, beta, gather, mask, pos


def _forward(problem: Problem, W, beta, gather, mask):
    import torch
    X = torch.tensor([s.inputs for s in problem.samples], dtype=torch.float64)
    a = X
    z = X
    for li, layer in enumerate(problem.layers):
        z = a @ W[li].T + (beta * mask)[gather[li]]
        a = _activate(layer, z)
    return z, a


def torch_gradients(problem: Problem) -> dict[str, float]:
    """Every gradient by PyTorch autograd (float64)."""
    import torch
    W, beta, gather, mask, pos = _network(problem, True)
    z, a = _forward(problem, W, beta, gather, mask)
    T = torch.tensor([s.targets for s in problem.samples], dtype=torch.float64)
    _loss(problem, z, a, T).backward()
    grads = {}
    for li, layer in enumerate(problem.layers):
        for j, u in enumerate(layer.units):
            for i, w in enumerate(problem.incoming[u]):
                grads[w.name] = float(W[li].grad[j, i])
    for b in problem.biases:
        grads[b.name] = float(beta.grad[pos[b.name]])
    return grads


def _optimizer(problem: Problem, params):
    import torch
    if problem.optimizer == "sgd":
        return torch.optim.SGD(params, lr=problem.learning_rate)
    raise MissingForm(f"the PyTorch reference has no form of the optimizer {problem.optimizer!r}")


def torch_sgd(problem: Problem, steps: int) -> dict[str, float]:
    """Every parameter after ``steps`` steps of the problem's ``torch.optim`` optimizer."""
    import torch
    W, beta, gather, mask, pos = _network(problem, problem.update_biases)
    T = torch.tensor([s.targets for s in problem.samples], dtype=torch.float64)
    opt = _optimizer(problem, W + ([beta] if problem.update_biases else []))
    for _ in range(steps):
        opt.zero_grad()
        z, a = _forward(problem, W, beta, gather, mask)
        _loss(problem, z, a, T).backward()
        opt.step()
    W = [w.detach() for w in W]
    beta = beta.detach()
    values = {}
    for li, layer in enumerate(problem.layers):
        for j, u in enumerate(layer.units):
            for i, w in enumerate(problem.incoming[u]):
                values[w.name] = float(W[li][j, i])
    for b in problem.biases:
        values[b.name] = float(beta[pos[b.name]])
    return values
