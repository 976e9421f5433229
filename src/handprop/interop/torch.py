"""PyTorch both ways: a problem from an ``nn.Sequential``, and the model back.

``from_torch(model, inputs, targets, loss=..., lr=...)`` reads an
``nn.Sequential`` of ``nn.Linear`` layers, each followed by at most one
supported activation (Sigmoid, Tanh, ReLU, LeakyReLU, Identity, and Softmax over
the last dimension at the end), into a :class:`~handprop.problem.Problem` whose
names are those of the matrix shorthand (x1.., h1.. or h1_1.., y1.., weights
w1.. row by row, one bias per unit b1..).  ``to_torch(problem)`` gives the
float64 model back; the round trip is exact.

``torch_sgd`` trains a problem with ``torch.optim.SGD`` and autograd, built
from the problem independently of our engines: the truth the training engines
are compared with (tests, and ``handprop verify``).

torch is imported inside these functions only.
"""
from __future__ import annotations

from typing import Any

from ..problem.model import LOSS_NAMES, Problem, ProblemError, parse

SOURCE = "from_torch"
SUPPORTED = "nn.Linear layers, each followed by at most one of Sigmoid, Tanh, ReLU, LeakyReLU, " \
            "Identity, or Softmax(dim=-1) after the last"
COMPARISON_STEPS = 5
COMPARISON_TOLERANCE = 1e-10


class TorchError(ProblemError):
    """A model, tensor or loss that a handprop problem cannot express."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message, field, SOURCE)


# ---------------------------------------------------------------- model -> problem


def _modules(model) -> list:
    from torch import nn
    if isinstance(model, nn.Sequential):
        return [m for child in model for m in _modules(child)]
    return [model]


def _activation(module, last: bool, where: str) -> tuple[str, float | None] | None:
    """(activation, slope) of an activation module; None if it is not one."""
    from torch import nn
    if isinstance(module, nn.Sigmoid):
        return "sigmoid", None
    if isinstance(module, nn.Tanh):
        return "tanh", None
    if isinstance(module, nn.ReLU):
        return "relu", None
    if isinstance(module, nn.LeakyReLU):
        return "leaky_relu", float(module.negative_slope)
    if isinstance(module, nn.Identity):
        return "linear", None
    if isinstance(module, nn.Softmax):
        if module.dim not in (-1, 1):
            raise TorchError(f"Softmax(dim={module.dim}) does not normalise over the units; use "
                             "Softmax(dim=-1)", where)
        if not last:
            raise TorchError("Softmax is only supported as the last layer", where)
        return "softmax", None
    return None


def layers_of(model) -> list[dict[str, Any]]:
    """The matrix-shorthand layers of ``model`` (size, activation, W, b)."""
    from torch import nn
    mods = _modules(model)
    layers: list[dict[str, Any]] = []
    width = None
    for i, m in enumerate(mods):
        where = f"model[{i}]"
        if isinstance(m, nn.Linear):
            if width is not None and m.in_features != width:
                raise TorchError(f"Linear takes {m.in_features} inputs but the layer before has "
                                 f"{width} units", where)
            layer = {"size": m.out_features, "activation": "linear",
                     "W": m.weight.detach().double().tolist()}
            if m.bias is not None:
                layer["b"] = m.bias.detach().double().tolist()
            layers.append(layer)
            width = m.out_features
            continue
        act = _activation(m, i == len(mods) - 1, where)
        if act is None:
            raise TorchError(f"{type(m).__name__} cannot be expressed: a handprop network is "
                             f"{SUPPORTED}", where)
        if not layers or (layers[-1]["activation"] != "linear" or layers[-1].get("_act")):
            if act[0] == "linear":
                continue          # an Identity anywhere changes nothing
            raise TorchError(f"{type(m).__name__} does not follow an nn.Linear (two activations in a "
                             "row, or one first)", where)
        layers[-1]["activation"], layers[-1]["_act"] = act[0], True
        if act[1] is not None:
            layers[-1]["slope"] = act[1]
    if not layers:
        raise TorchError(f"has no nn.Linear layer; a handprop network is {SUPPORTED}", "model")
    for layer in layers:
        layer.pop("_act", None)
    return layers


def _rows(values, width: int, what: str) -> list[list[float]]:
    import torch
    try:
        t = torch.as_tensor(values, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TorchError(f"is not a table of numbers ({err})", what) from None
    if t.dim() == 1:
        t = t.unsqueeze(0)
    if t.dim() != 2 or t.shape[1] != width:
        raise TorchError(f"has shape {tuple(t.shape)}; expected (samples, {width})", what)
    return t.tolist()


_TORCH_LOSSES = {("MSELoss", "sum"): ("sse", "sum"), ("MSELoss", "mean"): ("mse", "mean"),
                 ("BCELoss", "sum"): ("bce", "sum")}


def _loss(loss, n_out: int) -> tuple[str, str | None]:
    """Our (loss, batch) for a loss name or a torch loss module."""
    if isinstance(loss, str):
        if loss not in LOSS_NAMES:
            raise TorchError(f"unknown loss {loss!r} (losses: {', '.join(LOSS_NAMES)})", "loss")
        return loss, None
    key = (type(loss).__name__, getattr(loss, "reduction", None))
    if key == ("BCELoss", "mean") and n_out == 1:
        return "bce", "mean"
    if key in _TORCH_LOSSES and getattr(loss, "weight", None) is None:
        return _TORCH_LOSSES[key]
    raise TorchError(f"{key[0]}(reduction={key[1]!r}) cannot be expressed; give a loss name "
                     f"({', '.join(LOSS_NAMES)}), MSELoss or BCELoss", "loss")


def problem_data(model, inputs, targets, loss: Any = "half_sse", lr: float = 0.5,
                 batch: str | None = None, update_biases: bool = True, title: str = "") -> dict:
    """The problem file (matrix shorthand, as plain data) of :func:`from_torch`."""
    layers = layers_of(model)
    n_in = len(layers[0]["W"][0])
    loss_name, loss_batch = _loss(loss, layers[-1]["size"])
    x = _rows(inputs, n_in, "inputs")
    t = _rows(targets, layers[-1]["size"], "targets")
    if len(x) != len(t):
        raise TorchError(f"{len(x)} rows of inputs but {len(t)} rows of targets", "targets")
    data: dict[str, Any] = {"title": title} if title else {}
    data.update({"inputs": n_in, "layers": layers,
                 "samples": [{"inputs": a, "targets": b} for a, b in zip(x, t)],
                 "loss": loss_name, "learning_rate": lr, "update_biases": update_biases,
                 "batch": batch or loss_batch or "sum"})
    return data


def from_torch(model, inputs, targets, loss: Any = "half_sse", lr: float = 0.5,
               batch: str | None = None, update_biases: bool = True, title: str = "") -> Problem:
    """The problem of training ``model`` on ``inputs`` -> ``targets`` by SGD with rate ``lr``.

    ``loss`` is one of our loss names or ``nn.MSELoss``/``nn.BCELoss`` (whose
    reduction sets ``batch``).  Biases are updated, as ``torch.optim.SGD`` does.
    """
    data = problem_data(model, inputs, targets, loss, lr, batch, update_biases, title)
    return parse(data, source=SOURCE, name="torch")


def sequential(state: Any, activations: list[str], slope: float = 0.01, source: str = ""):
    """An ``nn.Sequential`` from a saved state dict and one activation per Linear layer.

    The Linear layers are the state dict's 2-d ``*.weight`` entries, in order,
    each with its ``*.bias`` when there is one.
    """
    import torch
    from torch import nn
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise ProblemError("is not a state dict (a mapping of names to tensors)", source=source)
    weights = [k for k, v in state.items() if k.endswith("weight") and v.dim() == 2]
    if not weights:
        raise ProblemError("has no 2-d weight tensors: not the state dict of Linear layers",
                           source=source)
    if len(activations) != len(weights):
        raise ProblemError(f"{len(activations)} activations for {len(weights)} Linear layers "
                           f"({', '.join(weights)})", "--activations", source)
    modules = []
    for key, act in zip(weights, activations):
        W = state[key]
        bias = state.get(key[: -len("weight")] + "bias")
        lin = nn.Linear(W.shape[1], W.shape[0], bias=bias is not None, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(W.double())
            if bias is not None:
                if bias.shape != (W.shape[0],):
                    raise ProblemError(f"bias of {key} has shape {tuple(bias.shape)}, expected "
                                       f"({W.shape[0]},)", source=source)
                lin.bias.copy_(bias.double())
        modules.append(lin)
        extra = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
                 "leaky_relu": lambda: nn.LeakyReLU(slope), "softmax": lambda: nn.Softmax(dim=-1),
                 "linear": None}
        if act not in extra:
            raise ProblemError(f"unknown activation {act!r} (activations: {', '.join(extra)})",
                               "--activations", source)
        if extra[act] is not None:
            modules.append(extra[act]())
    return nn.Sequential(*modules)


def architecture(problem: Problem) -> str:
    """The Python expression of ``problem``'s network as an ``nn.Sequential``."""
    parts, width = [], len(problem.inputs)
    for layer in problem.layers:
        has_bias = any(problem.bias_of[u] for u in layer.units)
        parts.append(f"nn.Linear({width}, {len(layer.units)}{'' if has_bias else ', bias=False'})")
        parts += {"sigmoid": ["nn.Sigmoid()"], "tanh": ["nn.Tanh()"], "relu": ["nn.ReLU()"],
                  "leaky_relu": [f"nn.LeakyReLU({layer.slope!r})"], "softmax": ["nn.Softmax(dim=-1)"],
                  "linear": []}[layer.activation]
        width = len(layer.units)
    return f"nn.Sequential({', '.join(parts)}).double()"


# ---------------------------------------------------------------- problem -> model


def to_torch(problem: Problem):
    """``problem``'s network as an ``nn.Sequential`` in float64.

    A bias shared by several units becomes one value per unit: exact for the
    forward pass, and for training when the problem does not update biases
    (the bias then has ``requires_grad=False``).  Shared biases that are
    updated cannot be expressed and raise :class:`TorchError`.
    """
    import torch
    from torch import nn

    modules = []
    width = len(problem.inputs)
    for li, layer in enumerate(problem.layers):
        biases = [problem.bias_of[u] for u in layer.units]
        has_bias = any(b is not None for b in biases)
        if has_bias and problem.update_biases:
            for b in biases:
                if b is None or len(b.units) > 1:
                    what = (f"bias {b.name!r} is shared by {', '.join(b.units)}" if b else
                            f"layer {li + 1} has units without a bias")
                    raise TorchError(f"{what} and biases are updated; an nn.Linear trains one bias "
                                     "per unit", "biases")
        lin = nn.Linear(width, len(layer.units), bias=has_bias, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[w.value for w in problem.incoming[u]] for u in layer.units],
                                          dtype=torch.float64))
            if has_bias:
                lin.bias.copy_(torch.tensor([b.value if b else 0.0 for b in biases], dtype=torch.float64))
        if has_bias and not problem.update_biases:
            lin.bias.requires_grad_(False)
        modules.append(lin)
        act = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
               "softmax": lambda: nn.Softmax(dim=-1),
               "leaky_relu": lambda: nn.LeakyReLU(layer.slope)}.get(layer.activation)
        if act is not None:
            modules.append(act())
        width = len(layer.units)
    return nn.Sequential(*modules)


# ---------------------------------------------------------------- training by PyTorch


def torch_sgd(problem: Problem, steps: int) -> dict[str, float]:
    """Every parameter after ``steps`` steps of ``torch.optim.SGD`` (float64, autograd).

    Built from the problem directly: one weight matrix per layer, one vector of
    (possibly shared) biases gathered per unit, the loss written in torch.
    """
    import torch

    P = torch.float64
    W = [torch.tensor([[w.value for w in problem.incoming[u]] for u in layer.units], dtype=P,
                      requires_grad=True) for layer in problem.layers]
    beta = torch.tensor([b.value for b in problem.biases] + [0.0], dtype=P,
                        requires_grad=problem.update_biases)
    pos = {b.name: i for i, b in enumerate(problem.biases)}
    gather = [torch.tensor([pos[problem.bias_of[u].name] if problem.bias_of[u] else len(pos)
                            for u in layer.units]) for layer in problem.layers]
    mask = torch.ones(len(pos) + 1, dtype=P)
    mask[-1] = 0.0                       # the absent bias is the constant 0
    X = torch.tensor([s.inputs for s in problem.samples], dtype=P)
    T = torch.tensor([s.targets for s in problem.samples], dtype=P)
    params = W + ([beta] if problem.update_biases else [])
    opt = torch.optim.SGD(params, lr=problem.learning_rate)
    for _ in range(steps):
        opt.zero_grad()
        a = X
        for li, layer in enumerate(problem.layers):
            z = a @ W[li].T + (beta * mask)[gather[li]]
            a = _torch_activation(layer, z)
        _torch_loss(problem, z, a, T).backward()
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


def _torch_activation(layer, z):
    import torch
    kind = layer.activation
    if kind == "sigmoid":
        return torch.sigmoid(z)
    if kind == "tanh":
        return torch.tanh(z)
    if kind == "relu":
        return torch.relu(z)
    if kind == "leaky_relu":
        return torch.nn.functional.leaky_relu(z, layer.slope)
    if kind == "softmax":
        return torch.softmax(z, dim=1)
    return z


def _torch_loss(problem: Problem, z, y, t):
    import torch
    F = torch.nn.functional
    out = problem.layers[-1].activation
    if problem.loss == "half_sse":
        e = 0.5 * ((t - y) ** 2).sum()
    elif problem.loss == "sse":
        e = ((t - y) ** 2).sum()
    elif problem.loss == "mse":
        e = ((t - y) ** 2).sum() / y.shape[1]
    elif problem.loss == "bce" and out == "sigmoid":
        e = F.binary_cross_entropy_with_logits(z, t, reduction="sum")
    elif problem.loss == "bce":
        yc = y.clamp(1e-12, 1 - 1e-12)
        e = -(t * torch.log(yc) + (1 - t) * torch.log(1 - yc)).sum()
    elif out == "softmax":       # cross_entropy
        e = -(t * torch.log_softmax(z, dim=1)).sum()
    else:
        e = -(t * torch.log(y.clamp_min(1e-12))).sum()
    return e / len(problem.samples) if problem.batch == "mean" else e


def training_comparison(problem: Problem, steps: int = COMPARISON_STEPS,
                        engine: str = "auto") -> tuple[float, str]:
    """(largest difference, parameter) between our training and PyTorch SGD after ``steps``.

    The difference is relative to max(1, |value|).
    """
    from ..training.history import train
    ours = train(problem, steps, every=steps, engine=engine).final_params
    theirs = torch_sgd(problem, steps)
    return max(((abs(ours[n] - theirs[n]) / max(1.0, abs(theirs[n])), n) for n in ours),
               default=(0.0, ""))


def verify_lines(problem: Problem) -> tuple[bool, list[str]]:
    """The lines ``handprop verify`` prints about training, and whether they pass."""
    from ..solve.engine import NumericError
    try:
        error, name = training_comparison(problem)
    except NumericError as err:
        return True, [f"PyTorch SGD, {COMPARISON_STEPS} training steps: not compared ({err.message})"]
    ok = error <= COMPARISON_TOLERANCE
    return ok, [f"PyTorch SGD, {COMPARISON_STEPS} training steps (float64): max difference "
                f"{error:.2e} ({name or 'no parameters'}) {'ok' if ok else 'TOO LARGE'} "
                f"(tolerance {COMPARISON_TOLERANCE:g})"]
