"""The generator: variants of one network with nice numbers, reproducible from a seed.

A :class:`Recipe` says what the set is (an architecture such as ``2-2-2`` or an existing
problem to vary, the activations, the loss, the decimal places of the given numbers, what
is asked, the rounding policy); :func:`generate` draws each variant's numbers from a random
stream of its own (``random.Random("handprop-exercise:SEED:INDEX")``, so the same seed gives
the same variants on every machine and interpreter), keeps the first draw that meets every
rule of :mod:`.nice` and that ``verify`` passes (finite differences; no torch), and gives up
after :data:`MAX_TRIES` draws with one line saying which rule failed most.
"""
from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator

from ..errors import HandpropError, UsageError
from ..nn import ACTIVATIONS, LOSSES
from ..problem import Problem, load, parse
from ..quantities import AFTER, before_of
from ..solve import solve
from ..solve.replay import Model
from . import asking, nice
from .policy import Policy

MAX_TRIES = 400
"""Draws tried for one variant before the constraints are called impossible."""
MAX_COUNT = 500
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""The letters of a variant code: no 0/O, no 1/I."""
CODE_LENGTH = 4
DEFAULT_RATE = 0.5


@dataclass(frozen=True)
class Recipe:
    """What a set of exercises is, apart from its numbers (the options of ``exercise new``)."""

    architecture: tuple[int, ...] | None = (2, 2, 2)
    like: str | None = None                 # a problem (file or built-in) whose network is varied
    activations: tuple[str, ...] = ()       # one for every layer, or one per layer; () the default
    loss: str | None = None
    count: int = 1
    seed: int = 0
    decimals: int = 2
    ask: tuple[str, ...] = ()               # names (asking.py); () the default
    rounding: Policy = field(default_factory=Policy)

    def to_json(self) -> dict[str, Any]:
        return {"architecture": "-".join(map(str, self.architecture)) if self.architecture else None,
                "like": self.like, "activation": list(self.activations) or None, "loss": self.loss,
                "count": self.count, "seed": self.seed, "decimals": self.decimals,
                "ask": list(self.ask) or None, "rounding": self.rounding.name}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Recipe":
        arch = d.get("architecture")
        return cls(architecture=parse_architecture(arch) if arch else None, like=d.get("like"),
                   activations=tuple(d.get("activation") or ()), loss=d.get("loss"),
                   count=int(d["count"]), seed=int(d["seed"]), decimals=int(d["decimals"]),
                   ask=tuple(d.get("ask") or ()), rounding=Policy.parse(str(d["rounding"])))


@dataclass(frozen=True)
class Variant:
    index: int                      # from 1
    code: str
    problem: Problem
    data: dict[str, Any]            # the problem in the explicit form, as written to problem.yaml
    answers: dict[str, Decimal]     # id -> the answer as the key gives it
    exact: dict[str, float]         # id -> the exact value (float64)
    tries: int


@dataclass(frozen=True)
class ExerciseSet:
    recipe: Recipe
    names: tuple[str, ...]          # what --ask named (or the default)
    ids: tuple[str, ...]            # the asked quantity ids
    variants: tuple[Variant, ...]


def parse_architecture(text: str) -> tuple[int, ...]:
    """``2-2-2`` -> (2, 2, 2): inputs, then each layer's units (at least one layer, 1 to 8 each)."""
    parts = text.split("-")
    if len(parts) < 2 or not all(p.isascii() and p.isdigit() for p in parts):
        raise UsageError(f"takes sizes joined by '-', inputs first, such as 2-2-2 or 3-4-1, not {text!r}",
                         "--architecture")
    sizes = tuple(int(p) for p in parts)
    if not all(1 <= n <= 8 for n in sizes) or len(sizes) > 6:
        raise UsageError(f"{text!r}: an exercise has 1 to 8 units a layer and at most 5 layers",
                         "--architecture")
    return sizes


def variant_code(seed: int, index: int, taken: set[str]) -> str:
    """The short code of variant ``index``: from the seed and the index, unlike any in ``taken``."""
    n = 0
    while True:
        digest = hashlib.sha256(f"handprop-exercise-code:{seed}:{index}:{n}".encode()).digest()
        code = "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:CODE_LENGTH])
        if code not in taken:
            return code
        n += 1


# ---------------------------------------------------------------- the template

def _activations(recipe: Recipe, layers: int) -> list[str]:
    given = list(recipe.activations)
    for name in given:
        if name not in ACTIVATIONS:
            raise UsageError(f"unknown activation {name!r} (activations: {', '.join(ACTIVATIONS)})",
                             "--activation")
    if not given:
        return []
    if len(given) == 1:
        return given * layers
    if len(given) != layers:
        raise UsageError(f"names {len(given)} activations for {layers} layers: give one, or one per layer",
                         "--activation")
    return given


def template(recipe: Recipe) -> dict[str, Any]:
    """The network of the set in the explicit form, with placeholder numbers (validated)."""
    if recipe.loss is not None and recipe.loss not in LOSSES:
        raise UsageError(f"unknown loss {recipe.loss!r} (losses: {', '.join(LOSSES)})", "--loss")
    if recipe.like is not None:
        data = load(recipe.like).to_dict()
        data["samples"] = data["samples"][:1]
        acts = _activations(recipe, len(data["layers"]))
        for layer, act in zip(data["layers"], acts):
            layer["activation"] = act
            for key in [k for k in layer if k not in ("units", "activation")]:
                del layer[key]
    else:
        sizes = recipe.architecture or (2, 2, 2)
        acts = _activations(recipe, len(sizes) - 1) or ["sigmoid"] * (len(sizes) - 1)
        inputs = [f"x{i}" for i in range(1, sizes[0] + 1)]
        hidden = len(sizes) - 2
        columns = [inputs]
        layers = []
        for li, n in enumerate(sizes[1:]):
            last = li == len(sizes) - 2
            prefix = "y" if last else ("h" if hidden == 1 else f"h{li + 1}_")
            units = [f"{prefix}{j}" for j in range(1, n + 1)]
            layers.append({"units": units, "activation": acts[li]})
            columns.append(units)
        weights: dict[str, list] = {}
        biases: dict[str, list] = {}
        for li in range(1, len(columns)):
            for unit in columns[li]:
                for src in columns[li - 1]:
                    weights[f"w{len(weights) + 1}"] = [src, unit, 0.5]
            biases[f"b{li}"] = [list(columns[li]), 0.5]
        data = {"title": "", "inputs": inputs, "layers": layers, "weights": weights, "biases": biases,
                "samples": [{"inputs": [0.5] * len(inputs), "targets": [0.5] * len(columns[-1])}],
                "learning_rate": DEFAULT_RATE, "update_biases": False, "batch": "sum"}
    data.pop("description", None)
    if recipe.loss is not None:
        data["loss"] = recipe.loss
    data.setdefault("loss", "cross_entropy" if data["layers"][-1]["activation"] == "softmax" else "half_sse")
    data["samples"][0]["targets"] = _placeholder_targets(data)
    parse(data, source="--architecture" if recipe.like is None else recipe.like)   # one clear line if not
    return data


def _placeholder_targets(data: dict[str, Any]) -> list[float]:
    n = len(data["layers"][-1]["units"])
    if data["layers"][-1]["activation"] == "softmax" or data.get("loss") == "cross_entropy":
        return [1.0] + [0.0] * (n - 1)
    return [0.5] * n


# ---------------------------------------------------------------- drawing numbers

def _number(rng: random.Random, low: float, high: float, decimals: int, negative: float = 0.0,
            zero: bool = False) -> float:
    """A number of at most ``decimals`` places, |x| in [low, high], negative with probability
    ``negative``; 0 only when ``zero``."""
    unit = 10 ** decimals
    while True:
        k = rng.randint(round(low * unit), round(high * unit))
        if k or zero:
            break
    if rng.random() < negative:
        k = -k
    return round(k / unit, decimals)


def _targets(rng: random.Random, data: dict[str, Any], decimals: int) -> list[float]:
    last = data["layers"][-1]["activation"]
    n = len(data["layers"][-1]["units"])
    loss = LOSSES[data["loss"]]
    if last == "softmax" or data["loss"] == "cross_entropy":
        hot = rng.randrange(n)
        return [1.0 if i == hot else 0.0 for i in range(n)]
    low, high = 10.0 ** -decimals, 1 - 10.0 ** -decimals
    if loss.unit_targets or ACTIVATIONS[last].bounded == (0.0, 1.0):
        return [_number(rng, low, high, decimals) for _ in range(n)]
    if ACTIVATIONS[last].bounded == (-1.0, 1.0):
        return [_number(rng, low, high, decimals, negative=0.5) for _ in range(n)]
    return [_number(rng, low, 1.5, decimals, negative=0.2) for _ in range(n)]


def draw(rng: random.Random, base: dict[str, Any], decimals: int) -> dict[str, Any]:
    """New numbers for the template ``base`` (a new dict)."""
    data = {k: v for k, v in base.items()}
    low = max(10.0 ** -decimals, 0.05)
    data["weights"] = {name: [src, dst, _number(rng, low, 1.0, decimals, negative=0.25)]
                       for name, (src, dst, _) in base["weights"].items()}
    data["biases"] = {name: [list(units), _number(rng, low, 0.8, decimals, negative=0.2)]
                      for name, (units, _) in base["biases"].items()}
    sample = {"inputs": [_number(rng, low, 1.0, decimals, negative=0.15) for _ in base["inputs"]]}
    sample["targets"] = _targets(rng, data, decimals)
    data["samples"] = [sample]
    return data


# ---------------------------------------------------------------- the variants

def plan(recipe: Recipe) -> tuple[dict[str, Any], tuple[str, ...], tuple[str, ...]]:
    """(the set's network with placeholder numbers, the names asked, their ids): every check of
    the options, before any variant is drawn."""
    if not 1 <= recipe.count <= MAX_COUNT:
        raise UsageError(f"must be between 1 and {MAX_COUNT}, not {recipe.count}", "--count")
    if recipe.decimals not in (1, 2):
        raise UsageError(f"must be 1 or 2, not {recipe.decimals}", "--decimals")
    base = template(recipe)
    first = parse(base, trusted=True)
    names = recipe.ask or asking.default_names(first)
    return base, tuple(names), asking.ids(first, names, set(solve(first).values))


def variants(recipe: Recipe, base: dict[str, Any], ids: tuple[str, ...]) -> Iterator[Variant]:
    """The variants one by one (each as soon as it is found)."""
    found: list[Variant] = []
    for index in range(1, recipe.count + 1):
        found.append(_variant(recipe, base, ids, index, found))
        yield found[-1]


def generate(recipe: Recipe) -> ExerciseSet:
    """The set: ``recipe.count`` nice, verified variants (UsageError when impossible)."""
    base, names, ids = plan(recipe)
    return ExerciseSet(recipe, names, ids, tuple(variants(recipe, base, ids)))


def _variant(recipe: Recipe, base: dict[str, Any], ids: tuple[str, ...], index: int,
             before: list[Variant]) -> Variant:
    from ..verify import report
    rng = random.Random(f"handprop-exercise:{recipe.seed}:{index}")
    taken = {v.code for v in before}
    code = variant_code(recipe.seed, index, taken)
    reasons: Counter[str] = Counter()
    others = [v.answers for v in before]
    for tries in range(1, MAX_TRIES + 1):
        data = draw(rng, base, recipe.decimals)
        data["title"] = f"Exercise {code}"
        try:
            problem = parse(data, name=code, trusted=True)
            solution = solve(problem)
            values = solution.values
        except HandpropError:
            reasons["numbers that overflow"] += 1
            continue
        found = nice.given_violations(problem, recipe.decimals) + nice.unit_violations(problem, values)
        if found:
            reasons[_rule(found[0])] += 1
            continue
        if any(abs(values[k]) < 0.5 * nice.MIN_ANSWER for k in ids):
            reasons["an answer too small"] += 1     # the rule on the answers, seen early
            continue
        model = model_of(problem, solution)
        worked = recipe.rounding.worked(model)
        answers = recipe.rounding.answers(model, ids, worked)
        found = nice.violations(problem, model, recipe.rounding, answers, recipe.decimals, others, worked)
        if found:
            reasons[_rule(found[0])] += 1
            continue
        ok, _ = report(problem, torch=False)
        if not ok:
            reasons["a gradient verify does not confirm"] += 1
            continue
        return Variant(index, code, problem, data, answers, {k: model.exact[k] for k in ids}, tries)
    common = ", ".join(f"{why} ({n})" for why, n in reasons.most_common(2))
    raise UsageError(f"found no nice variant {index} in {MAX_TRIES} draws (the rules that failed most: "
                     f"{common}): ask for fewer variants, other quantities, more decimals or another "
                     "network", "exercise new")


def model_of(problem: Problem, solution=None) -> Model:
    """The replay model of ``problem`` (``solution``: its numbers, if solved): its system and
    numbers, without the checker's own quantities (``change:P``, the forward pass after the
    update), which nothing here asks, and without writing its steps."""
    solution = solution or solve(problem)
    sys = solution.system
    values = dict(solution.values)
    order = {k: i for i, k in enumerate(sys.exprs)}
    after = {AFTER: before_of(AFTER)} if AFTER in values else {}
    if after:
        order[AFTER] = len(order)
    return Model(problem, dict(sys.exprs), dict(sys.base), tuple(sys.updated), values, order, after)


def _rule(reason: str) -> str:
    """A violation's rule, for the line saying why nothing was found."""
    for words, rule in (("decimal places", "too many decimals"), ("dead", "a dead unit"),
                        ("kink", "a net at a kink"), ("saturated", "a saturated unit"),
                        ("smaller than", "an answer too small"), ("larger than", "an answer too large"),
                        ("another variant", "answers equal to another variant's"),
                        ("too near", "a mistake too near the answer"), ("is 0", "a weight of 0")):
        if words in reason:
            return rule
    return reason
