"""The normalised problem: plain frozen data that the engine and the derivation read.

A :class:`Problem` is what every problem file becomes, whichever form it was
written in (the explicit form or the matrix shorthand): named inputs, layers of
named units with their activation (and its parameters), named weights and
biases with their values, samples, and the training settings.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Mapping

from ..errors import ProblemError, UsageError
from ..nn.optimizers import DEFAULT, OPTIMIZERS, Settings

__all__ = ["Layer", "Weight", "Bias", "Sample", "Problem", "require_problem"]


@dataclass(frozen=True)
class Layer:
    """A layer of units with one activation; ``options`` holds the activation's parameters
    (every one, defaults filled in), as ``(name, value)`` pairs in the entry's order."""

    units: tuple[str, ...]
    activation: str
    options: tuple[tuple[str, float], ...] = ()

    @property
    def params(self) -> dict[str, float]:
        """The activation's parameters by name (a leaky ReLU's ``slope``, an ELU's ``alpha``)."""
        return dict(self.options)

    def option(self, name: str, default: float = 0.0) -> float:
        for key, value in self.options:
            if key == name:
                return value
        return default


@dataclass(frozen=True)
class Weight:
    name: str
    src: str                # the unit (or input) it comes from
    dst: str                # the unit it feeds
    value: float


@dataclass(frozen=True)
class Bias:
    name: str
    units: tuple[str, ...]  # the units that share it
    value: float


@dataclass(frozen=True)
class Sample:
    inputs: tuple[float, ...]    # in the order of Problem.inputs
    targets: tuple[float, ...]   # in the order of the output layer's units


@dataclass(frozen=True)
class Problem:
    """A validated network, its data and its training settings."""

    inputs: tuple[str, ...]
    layers: tuple[Layer, ...]
    weights: tuple[Weight, ...]
    biases: tuple[Bias, ...]
    samples: tuple[Sample, ...]
    loss: str = "half_sse"
    learning_rate: float = 0.5
    update_biases: bool = False
    batch: str = "sum"
    optimizer: str = "sgd"      # the optimizer's name (OPTIMIZERS[problem.optimizer] is its entry)
    optimizer_settings: Settings = DEFAULT   # its hyperparameters, every one (defaults filled in)
    title: str = ""
    description: str = ""
    name: str = field(default="", compare=False)   # the built-in's name or the file's stem
    form: str = "explicit"      # how it was written: "explicit" or "matrix" (the shorthand)

    def __post_init__(self):
        settings = self.optimizer_settings
        if settings.name != self.optimizer:
            if settings != DEFAULT or self.optimizer not in OPTIMIZERS:
                raise UsageError(f"optimizer {self.optimizer!r} with the settings of {settings.name}",
                                 source="Problem")
            object.__setattr__(self, "optimizer_settings", OPTIMIZERS[self.optimizer].defaults)

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.layers[-1].units

    @property
    def optimizer_options(self) -> dict[str, float | bool]:
        """The optimizer's hyperparameters by name (``{"beta1": 0.9, ...}``; a new dict)."""
        return dict(self.optimizer_settings.values)

    @cached_property
    def incoming(self) -> dict[str, tuple[Weight, ...]]:
        """For each unit, its weights in the order of the previous layer's units."""
        by_pair = {(w.src, w.dst): w for w in self.weights}
        result = {}
        previous = self.inputs
        for layer in self.layers:
            for u in layer.units:
                result[u] = tuple(by_pair[(s, u)] for s in previous)
            previous = layer.units
        return result

    @cached_property
    def outgoing(self) -> dict[str, tuple[Weight, ...]]:
        """For each input or hidden unit, its weights in the order of the next layer's units."""
        by_pair = {(w.src, w.dst): w for w in self.weights}
        result = {}
        previous = self.inputs
        for layer in self.layers:
            for s in previous:
                result[s] = tuple(by_pair[(s, u)] for u in layer.units)
            previous = layer.units
        return result

    @cached_property
    def bias_of(self) -> dict[str, Bias | None]:
        result: dict[str, Bias | None] = {u: None for layer in self.layers for u in layer.units}
        for b in self.biases:
            for u in b.units:
                result[u] = b
        return result

    @cached_property
    def layer_of(self) -> dict[str, int]:
        """Layer index of each unit; inputs are layer -1."""
        result = {x: -1 for x in self.inputs}
        for i, layer in enumerate(self.layers):
            for u in layer.units:
                result[u] = i
        return result

    @cached_property
    def params(self) -> dict[str, float]:
        """Every parameter's value by name: weights first, then biases."""
        out = {w.name: w.value for w in self.weights}
        out.update({b.name: b.value for b in self.biases})
        return out

    @cached_property
    def weight(self) -> dict[str, Weight]:
        return {w.name: w for w in self.weights}

    @cached_property
    def bias(self) -> dict[str, Bias]:
        return {b.name: b for b in self.biases}

    @property
    def multi(self) -> bool:
        return len(self.samples) > 1

    @property
    def updated(self) -> tuple[str, ...]:
        """The parameters the update changes: every weight, and the biases when they are updated."""
        names = tuple(w.name for w in self.weights)
        return names + tuple(b.name for b in self.biases) if self.update_biases else names

    def sample_of(self, k: int) -> int | None:
        """The 1-based sample number of 0-based sample ``k`` in ids: None with one sample."""
        return k + 1 if self.multi else None

    def with_params(self, values: Mapping[str, float]) -> "Problem":
        """The same problem with some parameters replaced (does not mutate)."""
        return replace(
            self,
            weights=tuple(Weight(w.name, w.src, w.dst, values.get(w.name, w.value)) for w in self.weights),
            biases=tuple(Bias(b.name, b.units, values.get(b.name, b.value)) for b in self.biases),
        )

    def to_dict(self) -> dict[str, Any]:
        """The explicit form, loadable again by :func:`handprop.problem.parse`."""
        d: dict[str, Any] = {}
        if self.title:
            d["title"] = self.title
        if self.description:
            d["description"] = self.description
        d["inputs"] = list(self.inputs)
        d["layers"] = []
        for layer in self.layers:
            entry: dict[str, Any] = {"units": list(layer.units), "activation": layer.activation}
            entry.update(layer.options)
            d["layers"].append(entry)
        d["weights"] = {w.name: [w.src, w.dst, w.value] for w in self.weights}
        d["biases"] = {b.name: [list(b.units), b.value] for b in self.biases}
        d["samples"] = [{"inputs": list(s.inputs), "targets": list(s.targets)} for s in self.samples]
        d["loss"] = self.loss
        d["learning_rate"] = self.learning_rate
        d["update_biases"] = self.update_biases
        d["batch"] = self.batch
        if self.optimizer_settings != DEFAULT:   # plain sgd is left out; else every setting, exactly
            d["optimizer"] = self.optimizer_settings.as_dict()
        if self.form != "explicit":     # written in the matrix shorthand: the matrix view by default
            d["form"] = self.form
        return d


def require_solvable(problem: "Problem") -> None:
    """Refuse at once a problem whose worked solution is beyond MAX_SOLUTION_STEPS steps (it
    can still be trained: ``handprop train`` keeps no steps)."""
    from .limits import MAX_SOLUTION_STEPS, solution_steps
    units = sum(len(layer.units) for layer in problem.layers)
    steps = solution_steps(len(problem.samples), units, len(problem.params))
    if steps > MAX_SOLUTION_STEPS:
        per = solution_steps(1, units, len(problem.params)) - 2 * len(problem.params)
        fits = max((MAX_SOLUTION_STEPS - 2 * len(problem.params)) // per, 0)
        advice = (f"at most {fits:,} samples of this network fit" if fits else
                  "this network is too large for a worked solution")
        raise ProblemError(f"its worked solution would have {steps:,} steps, more than the limit of "
                           f"{MAX_SOLUTION_STEPS:,} ({advice}; handprop train has no such limit)",
                           "samples")


def require_problem(value: Any, who: str) -> "Problem":
    """``value`` when it is a :class:`Problem`, else a :class:`~handprop.errors.UsageError`
    saying where one comes from (``who``: the function that was given it)."""
    if isinstance(value, Problem):
        return value
    hint = (" (for a file or a built-in name, load(...) it first)" if isinstance(value, str) else
            " (for problem data, parse(...) it first)" if isinstance(value, dict) else "")
    raise UsageError(f"takes a Problem from load() or parse(), not {type(value).__name__}{hint}",
                     source=who)
