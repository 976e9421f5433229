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

__all__ = ["ACTIVATIONS", "LOSSES", "OPTIMIZERS", "torch_gradients", "torch_sgd", "torch_train", "STATES", "available"]

LOG_FLOOR = 1e-12


def available() -> bool:
    import importlib.util
    return importlib.util.find_spec("torch") is not None


# Each form takes the torch module first, so that this table exists without importing torch.
ACTIVATIONS: dict[str, Callable] = {
    "sigmoid": lambda torch, z, o: torch.sigmoid(z),
    "tanh": lambda torch, z, o: torch.tanh(z),
    "relu": lambda torch, z, o: torch.relu(z),
    "leaky_relu": lambda torch, z, o: torch.nn.functional.leaky_relu(z, o["slope"]),
    "linear": lambda torch, z, o: z,
    "softplus": lambda torch, z, o: torch.nn.functional.softplus(z, beta=1.0, threshold=700.0),
    "elu": lambda torch, z, o: torch.nn.functional.elu(z, o["alpha"]),
    "silu": lambda torch, z, o: torch.nn.functional.silu(z),
    "gelu": lambda torch, z, o: torch.nn.functional.gelu(z, approximate="none"),
    "softmax": lambda torch, z, o: torch.softmax(z, dim=-1),
}
"""The activations, each written in torch: (torch, the layer's nets z, its parameters) -> outputs."""


def _bce(torch, problem, z, y, t):
    if problem.layers[-1].activation == "sigmoid":
        return torch.nn.functional.binary_cross_entropy_with_logits(z, t, reduction="sum")
    yc = y.clamp(LOG_FLOOR, 1 - LOG_FLOOR)
    return -(t * torch.log(yc) + (1 - t) * torch.log(1 - yc)).sum()


def _cross_entropy(torch, problem, z, y, t):
    if problem.layers[-1].activation == "softmax":
        return -(t * torch.log_softmax(z, dim=-1)).sum()
    return -(t * torch.log(y.clamp_min(LOG_FLOOR))).sum()


LOSSES: dict[str, Callable] = {
    "half_sse": lambda torch, problem, z, y, t: 0.5 * ((t - y) ** 2).sum(),
    "sse": lambda torch, problem, z, y, t: ((t - y) ** 2).sum(),
    "mse": lambda torch, problem, z, y, t: ((t - y) ** 2).sum() / y.shape[-1],
    "bce": _bce,
    "cross_entropy": _cross_entropy,
}
"""The losses summed over the samples: (torch, problem, nets and outputs of the output layer,
targets) -> the loss (a row per sample)."""

OPTIMIZERS: dict[str, Callable] = {
    "sgd": lambda torch, params, lr, s: torch.optim.SGD(params, lr=lr, weight_decay=s["weight_decay"]),
    "momentum": lambda torch, params, lr, s: torch.optim.SGD(
        params, lr=lr, momentum=s["momentum"], dampening=s["dampening"], nesterov=s["nesterov"],
        weight_decay=s["weight_decay"]),
    "rmsprop": lambda torch, params, lr, s: torch.optim.RMSprop(
        params, lr=lr, alpha=s["alpha"], eps=s["eps"], weight_decay=s["weight_decay"]),
    "adam": lambda torch, params, lr, s: torch.optim.Adam(
        params, lr=lr, betas=(s["beta1"], s["beta2"]), eps=s["eps"], weight_decay=s["weight_decay"]),
    "adamw": lambda torch, params, lr, s: torch.optim.AdamW(
        params, lr=lr, betas=(s["beta1"], s["beta2"]), eps=s["eps"], weight_decay=s["weight_decay"]),
}
"""The optimizers as torch.optim builds them: (torch, parameters, learning rate, the problem's
settings by name) -> optimizer."""

STATES: dict[str, dict[str, str]] = {
    "sgd": {},
    "momentum": {"velocity": "momentum_buffer"},
    "rmsprop": {"v": "square_avg"},
    "adam": {"m": "exp_avg", "v": "exp_avg_sq"},
    "adamw": {"m": "exp_avg", "v": "exp_avg_sq"},
}
"""Each optimizer's carried states: handprop's id -> the key of torch.optim's per-parameter state."""


def _activate(layer, z):
    import torch
    if layer.activation not in ACTIVATIONS:
        raise MissingForm(f"the PyTorch reference has no form of the activation {layer.activation!r}")
    return ACTIVATIONS[layer.activation](torch, z, layer.params)


def _loss(problem: Problem, z, y, t):
    """The loss of one batch (rows: samples) written in torch: summed, or averaged over the
    samples for batch mean."""
    import torch
    if problem.loss not in LOSSES:
        raise MissingForm(f"the PyTorch reference has no form of the loss {problem.loss!r}")
    e = LOSSES[problem.loss](torch, problem, z, y, t)
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
    if problem.optimizer not in OPTIMIZERS or problem.optimizer not in STATES:
        raise MissingForm(f"the PyTorch reference has no form of the optimizer {problem.optimizer!r}")
    return OPTIMIZERS[problem.optimizer](torch, params, problem.learning_rate, problem.optimizer_options)


def torch_sgd(problem: Problem, steps: int) -> dict[str, float]:
    """Every parameter after ``steps`` steps of the problem's ``torch.optim`` optimizer."""
    return torch_train(problem, steps)[0]


def torch_train(problem: Problem, steps: int) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """``steps`` steps of the problem's ``torch.optim`` optimizer (float64): every parameter
    after them, and each updated parameter's carried states (``{"m": {"w1": ...}, ...}``)."""
    import torch
    W, beta, gather, mask, pos = _network(problem, problem.update_biases)
    T = torch.tensor([s.targets for s in problem.samples], dtype=torch.float64)
    tensors = W + ([beta] if problem.update_biases else [])
    opt = _optimizer(problem, tensors)
    for _ in range(steps):
        opt.zero_grad()
        z, a = _forward(problem, W, beta, gather, mask)
        _loss(problem, z, a, T).backward()
        opt.step()

    def read(li: int | None, tensor) -> dict[str, float]:
        out = {}
        if li is None:
            for b in problem.biases:
                out[b.name] = float(tensor[pos[b.name]])
            return out
        for j, u in enumerate(problem.layers[li].units):
            for i, w in enumerate(problem.incoming[u]):
                out[w.name] = float(tensor[j, i])
        return out

    values: dict[str, float] = {}
    for li in range(len(W)):
        values.update(read(li, W[li].detach()))
    values.update(read(None, beta.detach()))
    states: dict[str, dict[str, float]] = {}
    for ours, theirs in STATES[problem.optimizer].items():
        states[ours] = {}
        for li, tensor in enumerate(tensors):
            kept = opt.state.get(tensor, {}).get(theirs)
            if kept is None:
                continue
            states[ours].update(read(li if li < len(W) else None, kept.detach()))
    updated = set(problem.updated)
    return values, {k: {p: v for p, v in col.items() if p in updated} for k, col in states.items()}
