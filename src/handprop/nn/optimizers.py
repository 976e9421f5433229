"""The table of optimizers: how a parameter is updated from its gradient, one entry each.

Each :class:`Optimizer` holds all there is to know about one optimizer, following
``torch.optim`` exactly (single-tensor path of torch 2.13; ``docs/optimizers.md``
states every formula and how the textbook forms map to it):

- ``name`` (what a problem file writes), ``title`` (in prose), ``torch`` (the class);
- ``hypers``: its hyperparameters, in order, each a :class:`Hyper` -- name, default,
  valid range and the message when a value is outside it, its symbol in LaTeX and
  text (β₁ ``\\beta_1``, ε, μ, α, λ), the ``torch.optim`` keyword it is;
- ``states``: its per-parameter state, in order, each a :class:`State` -- the id
  prefix (``velocity``, ``m``, ``v``, ``mhat``, ``vhat``; quantity ids ``m:P`` ...),
  title, symbol, and whether it carries to the next step (``velocity``, ``m``,
  ``v`` do; ``mhat`` and ``vhat`` are worked out afresh each step);
- :meth:`Optimizer.steps` ``(t, settings)``: step ``t`` (1-based) as expression
  trees, ``((key, Expr), ...)`` in the order a person works them;
- ``array_step(xp, P, G, S, t, eta, values)``: the same step in place on numpy arrays
  (the numpy engine): ``P`` the parameter array, ``G`` its gradient (overwritten), ``S``
  its carried states by id (arrays, zero before step 1, moved in place), ``t`` the step,
  ``values`` the settings by name; Adam's is computed in torch's order (η/(1 − β₁ᵗ) ·
  m / (√v/√(1 − β₂ᵗ) + ε)), the same number to float64 rounding;
- ``moves`` and ``explains``: its sentences.

**The keys of the trees.**  The symbols a tree reads:

==================  ==========================================================
``grad``            ∂E/∂p, the parameter's gradient (the problem's combined one)
``param``           p, the parameter before the step
``eta``             η, the learning rate (the same key as the solver's ``eta``)
``hyper:NAME``      a hyperparameter (``hyper:beta1``, ``hyper:weight_decay``)
``state:ID``        a carried state before the step (``state:m`` is m_{t-1})
``power:NAME``      NAME to the power t (only with ``steps(t, s, powers=True)``;
                    otherwise written as ``Pow(Sym("hyper:NAME"), t)``)
earlier keys        what an earlier tree of the same step gave (``m`` is m_t)
==================  ==========================================================

The keys the trees give, in this order, each only where the optimizer has it:
``decayed`` (g + λp, the gradient with L2 weight decay, when λ ≠ 0), ``shrunk``
(p(1 − ηλ), AdamW's decoupled decay, when λ ≠ 0), each state's id (its value after
the step: ``velocity``, ``v``, ``m``, ``mhat``, ``vhat``), and ``new`` (the
parameter after the step, the quantity ``new:P``).  At step 1 every carried state
before the step is 0, and momentum's buffer starts as the gradient itself
(b₁ = g, as torch does), so step 1's trees differ from the later ones;
``steps(t, s, powers=True)`` for t ≥ 2 is one set of trees for every later step
(the compiled training engine uses it).

**Settings.**  :class:`Settings` is an optimizer with every hyperparameter (the
defaults filled in): frozen and hashable, ``settings["beta1"]``,
``settings.as_dict()``.  ``entry.settings(**values)`` builds one and
``entry.check(name, value)`` says why a value is not allowed.

``update(p, g, eta, settings)`` is the parameter after step 1 (every state 0,
the states' trees substituted in) as one tree: the one-step solution's ``new:P``.

Adding an optimizer is adding its entry here (and its forms to the oracles).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from ..expr.functions import SQRT
from ..expr.nodes import ONE, Add, Div, Expr, Fn, Mul, Num, Pow, Sym, sub

__all__ = ["Optimizer", "Hyper", "State", "Settings", "OPTIMIZERS", "optimizer", "substitute",
           "GRAD", "PARAM", "ETA", "NEW", "DECAYED", "SHRUNK", "hyper_key", "state_key", "power_key",
           "DEFAULT"]

GRAD, PARAM, ETA = "grad", "param", "eta"
NEW, DECAYED, SHRUNK = "new", "decayed", "shrunk"


def hyper_key(name: str) -> str:
    return f"hyper:{name}"


def state_key(state: str) -> str:
    """The key of a carried state before the step (``state:m`` is m_{t-1})."""
    return f"state:{state}"


def power_key(name: str) -> str:
    """The key of ``name`` to the power t in the trees of ``steps(t, s, powers=True)``."""
    return f"power:{name}"


@dataclass(frozen=True)
class Hyper:
    """A hyperparameter: its field in a problem file, default and valid range, symbol, torch keyword.

    A real value must lie between ``low`` and ``high`` (``low_open``/``high_open``:
    the end itself excluded); a ``kind="bool"`` value is true or false.
    """

    name: str
    default: float | bool
    meaning: str
    latex: str = ""
    text: str = ""
    torch: str = ""               # the keyword of the torch.optim class: "eps", "betas[0]"
    low: float = 0.0
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    kind: str = "real"

    @property
    def range_text(self) -> str:
        """The valid range as a person writes it: ``[0, 1)``, ``(0, 1)``, ``[0, ∞)``."""
        if self.kind == "bool":
            return "true or false"
        high = "∞" if self.high == math.inf else f"{self.high:g}"
        return (("(" if self.low_open else "[") + f"{self.low:g}, {high}" +
                (")" if self.high_open or self.high == math.inf else "]"))

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not allowed (``must be in [0, 1), got 1.5``), or None."""
        if self.kind == "bool":
            return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
        if (value < self.low or (self.low_open and value == self.low) or value > self.high
                or (self.high_open and value == self.high)):
            return f"must be in {self.range_text}, got {value:g}"
        return None


@dataclass(frozen=True)
class State:
    """A per-parameter state of an optimizer (quantity id ``ID:P``, e.g. ``m:w5``)."""

    id: str
    title: str
    latex: str
    text: str
    carries: bool                 # kept to the next step (m, v, velocity) or worked each step (m̂, v̂)
    torch: str = ""               # its key in torch.optim's state (exp_avg, ...), "" when torch keeps none


@dataclass(frozen=True)
class Settings:
    """An optimizer with every hyperparameter (defaults filled in), frozen and hashable."""

    name: str
    values: tuple[tuple[str, float | bool], ...] = ()

    def __getitem__(self, key: str) -> float | bool:
        for k, v in self.values:
            if k == key:
                return v
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def as_dict(self) -> dict[str, Any]:
        """``{"name": ..., hyperparameter: value, ...}``: the mapping a problem file writes."""
        return {"name": self.name, **dict(self.values)}

    @property
    def entry(self) -> "Optimizer":
        return OPTIMIZERS[self.name]

    @property
    def is_default(self) -> bool:
        """Plain SGD without weight decay: what a file that says nothing means."""
        return self == DEFAULT


Steps = tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class Optimizer:
    """One optimizer (see the module docstring)."""

    name: str
    title: str                                    # in prose: "gradient descent"
    torch: str                                    # the torch.optim class it is
    hypers: tuple[Hyper, ...]
    states: tuple[State, ...]
    formulas: Callable[[int, Settings, bool], Steps]   # (t, settings, powers): see steps()
    array_step: Callable[..., None]               # (xp, P, G, S, t, eta, values): P, S (and G) in place;
                                                  # values: the settings by name (Settings or a dict)
    moves: str                                    # a step's note: how the parameter moves ({name})
    explains: str                                 # a sentence: what the optimizer does

    # -- settings

    @property
    def hyper(self) -> dict[str, Hyper]:
        return {h.name: h for h in self.hypers}

    @property
    def carried(self) -> tuple[State, ...]:
        """The states kept from one step to the next."""
        return tuple(s for s in self.states if s.carries)

    def settings(self, **values: float | bool) -> Settings:
        """The settings with ``values`` and every other hyperparameter at its default.

        Raises ``KeyError`` for a name the optimizer has not and ``ValueError`` (its
        message, e.g. ``must be in [0, 1), got 1.5``) for a value outside its range.
        """
        own = self.hyper
        for key in values:
            if key not in own:
                raise KeyError(key)
        filled = []
        for h in self.hypers:
            value = values.get(h.name, h.default)
            value = value if h.kind == "bool" else float(value)
            problem = self.check(h.name, value)
            if problem:
                raise ValueError(problem)
            filled.append((h.name, value))
        settings = Settings(self.name, tuple(filled))
        problem = self.conflict(settings)
        if problem:
            raise ValueError(problem)
        return settings

    def check(self, name: str, value: Any) -> str | None:
        """Why ``value`` is not allowed for the hyperparameter ``name``, or None."""
        return self.hyper[name].problem(value)

    def conflict(self, settings: Settings) -> str | None:
        """Why the hyperparameters do not go together, or None (Nesterov needs dampening 0)."""
        if settings.get("nesterov") and settings.get("dampening", 0.0) != 0:
            return ("nesterov needs dampening 0 (torch.optim.SGD refuses Nesterov momentum with "
                    "dampening)")
        return None

    @property
    def defaults(self) -> Settings:
        return self.settings()

    # -- the step

    def steps(self, t: int, settings: Settings | None = None, powers: bool = False) -> Steps:
        """Step ``t`` (1-based) as trees, in order (see the module docstring for the keys).

        ``powers=True`` writes a hyperparameter to the power t as the symbol
        ``power:NAME`` instead of ``Pow(hyper:NAME, t)``, so that one set of trees
        serves every step from 2 on.
        """
        if isinstance(t, bool) or not isinstance(t, int) or t < 1:
            raise ValueError(f"a step is a whole number from 1, not {t!r}")
        settings = self.defaults if settings is None else settings
        if settings.name != self.name:
            raise ValueError(f"settings of {settings.name}, not {self.name}")
        return self.formulas(t, settings, powers)

    def update(self, p: Expr, g: Expr, eta: Expr, settings: Settings | None = None) -> Expr:
        """The parameter after step 1 (every state 0) as one tree of ``p``, ``g``, ``eta`` and
        the hyperparameters' values: the one-step solution's ``new:P``."""
        settings = self.defaults if settings is None else settings
        env: dict[str, Expr] = {PARAM: p, GRAD: g, ETA: eta}
        env.update({hyper_key(k): Num(float(v)) for k, v in settings.values if not isinstance(v, bool)})
        env.update({state_key(s.id): Num(0.0) for s in self.carried})
        result = None
        for key, expr in self.steps(1, settings):
            result = env[key] = substitute(expr, env)
        return result


def substitute(e: Expr, env: dict[str, Expr]) -> Expr:
    """``e`` with each symbol whose key is in ``env`` replaced by its tree."""
    if type(e) is Sym:
        return env.get(e.key, e)
    children = e.children()
    if not children:
        return e
    return e.rebuild(tuple(substitute(c, env) for c in children))


# ---------------------------------------------------------------- building blocks

P, G, ETA_ = Sym(PARAM), Sym(GRAD), Sym(ETA)


def _h(name: str) -> Sym:
    return Sym(hyper_key(name))


def _power(name: str, t: int, powers: bool) -> Expr:
    return Sym(power_key(name)) if powers else Pow(_h(name), t)


def _gradient(settings: Settings) -> tuple[Steps, Expr]:
    """L2 weight decay folded into the gradient (g + λp) when λ ≠ 0: the step and the gradient."""
    if settings["weight_decay"] == 0:
        return (), G
    return ((DECAYED, Add((G, Mul((_h("weight_decay"), P))), (1, 1))),), Sym(DECAYED)


def _descend(p: Expr, direction: Expr) -> tuple[str, Expr]:
    return NEW, sub(p, Mul((ETA_, direction)))


def _decayed_array(xp, P, G, settings: Settings):
    lam = settings["weight_decay"]
    if lam != 0:
        G += lam * P           # G is the engine's own array: overwritten
    return G


# ---------------------------------------------------------------- SGD

def _sgd(t: int, s: Settings, powers: bool) -> Steps:
    pre, g = _gradient(s)
    return pre + (_descend(P, g),)


def _sgd_array(xp, P, G, S, t, eta, s) -> None:
    G = _decayed_array(xp, P, G, s)
    P -= eta * G


# ---------------------------------------------------------------- SGD with momentum

def _momentum(t: int, s: Settings, powers: bool) -> Steps:
    pre, g = _gradient(s)
    if t == 1:
        velocity = g                                   # b_1 = g (torch: the buffer starts as the gradient)
    else:
        kept = Mul((_h("momentum"), Sym(state_key("velocity"))))
        added = g if s["dampening"] == 0 else Mul((sub(ONE, _h("dampening")), g))
        velocity = Add((kept, added), (1, 1))
    b = Sym("velocity")
    direction = Add((g, Mul((_h("momentum"), b))), (1, 1)) if s["nesterov"] else b
    return pre + (("velocity", velocity), _descend(P, direction))


def _momentum_array(xp, P, G, S, t, eta, s) -> None:
    G = _decayed_array(xp, P, G, s)
    b = S["velocity"]
    mu = s["momentum"]
    if t == 1:
        b[...] = G
    else:
        b *= mu
        b += G if s["dampening"] == 0 else (1 - s["dampening"]) * G
    if s["nesterov"]:
        G += mu * b
        P -= eta * G
    else:
        P -= eta * b


# ---------------------------------------------------------------- RMSprop

def _rmsprop(t: int, s: Settings, powers: bool) -> Steps:
    pre, g = _gradient(s)
    alpha = _h("alpha")
    v = Add((Mul((alpha, Sym(state_key("v")))), Mul((sub(ONE, alpha), Pow(g, 2)))), (1, 1))
    direction = Div(g, Add((Fn(SQRT, Sym("v")), _h("eps")), (1, 1)))
    return pre + (("v", v), _descend(P, direction))


def _rmsprop_array(xp, P, G, S, t, eta, s) -> None:
    G = _decayed_array(xp, P, G, s)
    v, alpha = S["v"], s["alpha"]
    v *= alpha
    v += (1 - alpha) * (G * G)
    P -= eta * (G / (xp.sqrt(v) + s["eps"]))


# ---------------------------------------------------------------- Adam and AdamW

def _adam_steps(t: int, s: Settings, powers: bool, decoupled: bool) -> Steps:
    if decoupled:
        pre: Steps = ()
        g: Expr = G
        if s["weight_decay"] != 0:
            pre = ((SHRUNK, Mul((P, sub(ONE, Mul((ETA_, _h("weight_decay"))))))),)
        p: Expr = Sym(SHRUNK) if pre else P
    else:
        pre, g = _gradient(s)
        p = P
    b1, b2 = _h("beta1"), _h("beta2")
    m = Add((Mul((b1, Sym(state_key("m")))), Mul((sub(ONE, b1), g))), (1, 1))
    v = Add((Mul((b2, Sym(state_key("v")))), Mul((sub(ONE, b2), Pow(g, 2)))), (1, 1))
    mhat = Div(Sym("m"), sub(ONE, _power("beta1", t, powers)))
    vhat = Div(Sym("v"), sub(ONE, _power("beta2", t, powers)))
    direction = Div(Sym("mhat"), Add((Fn(SQRT, Sym("vhat")), _h("eps")), (1, 1)))
    return pre + (("m", m), ("v", v), ("mhat", mhat), ("vhat", vhat), _descend(p, direction))


def _adam(t: int, s: Settings, powers: bool) -> Steps:
    return _adam_steps(t, s, powers, decoupled=False)


def _adamw(t: int, s: Settings, powers: bool) -> Steps:
    return _adam_steps(t, s, powers, decoupled=True)


def _adam_direction(xp, G, S, t, s, eta) -> Any:
    """m and v moved in place; the step η m̂ / (√v̂ + ε), computed in torch's order
    (η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)), in G's memory (G is overwritten)."""
    m, v, b1, b2 = S["m"], S["v"], s["beta1"], s["beta2"]
    m *= b1
    m += (1 - b1) * G
    v *= b2
    G *= G
    G *= 1 - b2
    v += G
    denom = xp.sqrt(v, out=G)
    denom /= math.sqrt(1 - b2 ** t)
    denom += s["eps"]
    step = xp.divide(m, denom, out=denom)
    step *= eta / (1 - b1 ** t)
    return step


def _adam_array(xp, P, G, S, t, eta, s) -> None:
    G = _decayed_array(xp, P, G, s)
    P -= _adam_direction(xp, G, S, t, s, eta)


def _adamw_array(xp, P, G, S, t, eta, s) -> None:
    lam = s["weight_decay"]
    if lam != 0:
        P *= 1 - eta * lam
    P -= _adam_direction(xp, G, S, t, s, eta)


# ---------------------------------------------------------------- the table

_DECAY = Hyper("weight_decay", 0.0, "L2 weight decay, added to the gradient as λp", r"\lambda", "λ",
               "weight_decay")
_BETA1 = Hyper("beta1", 0.9, "the decay of the running mean of the gradient", r"\beta_1", "β₁",
               "betas[0]", high=1.0, high_open=True)
_BETA2 = Hyper("beta2", 0.999, "the decay of the running mean of the squared gradient", r"\beta_2", "β₂",
               "betas[1]", high=1.0, high_open=True)
_EPS = Hyper("eps", 1e-8, "added to the square root in the denominator, so it is never 0", r"\varepsilon",
             "ε", "eps", low_open=True, high=1.0, high_open=True)

_M = State("m", "the running mean of the gradient (first moment)", "m", "m", True, "exp_avg")
_V = State("v", "the running mean of the squared gradient (second moment)", "v", "v", True, "exp_avg_sq")
_MHAT = State("mhat", "the first moment with its bias corrected", r"\hat{m}", "m̂", False)
_VHAT = State("vhat", "the second moment with its bias corrected", r"\hat{v}", "v̂", False)

OPTIMIZERS: dict[str, Optimizer] = {entry.name: entry for entry in (
    Optimizer("sgd", "gradient descent", "SGD", (_DECAY,), (), _sgd, _sgd_array,
              moves="Gradient descent moves {name} against its gradient by η × gradient",
              explains="Gradient descent takes a step of η times the gradient, downhill."),
    Optimizer("momentum", "gradient descent with momentum", "SGD",
              (Hyper("momentum", 0.9, "how much of the last step's velocity is kept", r"\mu", "μ",
                     "momentum", low_open=True, high=1.0, high_open=True),
               Hyper("dampening", 0.0, "how much of the gradient is held back from the velocity",
                     r"\tau", "τ", "dampening", high=1.0),
               Hyper("nesterov", False, "look ahead: step along the gradient plus μ × velocity",
                     torch="nesterov", kind="bool"),
               _DECAY),
              (State("velocity", "the velocity (torch's momentum buffer)", "b", "b", True,
                     "momentum_buffer"),),
              _momentum, _momentum_array,
              moves="Momentum moves {name} by η × its velocity, a running sum of its gradients",
              explains=("Momentum keeps a velocity, μ times the last one plus the gradient, and steps "
                        "η times the velocity: steps grow along a steady slope and damp where the "
                        "gradient changes sign.")),
    Optimizer("rmsprop", "RMSprop", "RMSprop",
              (Hyper("alpha", 0.99, "the decay of the running mean of the squared gradient", r"\alpha",
                     "α", "alpha", high=1.0, high_open=True), _EPS, _DECAY),
              (_V,), _rmsprop, _rmsprop_array,
              moves="RMSprop moves {name} by η × gradient ÷ the root of its running mean square",
              explains=("RMSprop divides each gradient by the root of a running mean of its squares, "
                        "so every parameter steps about η however steep its slope.")),
    Optimizer("adam", "Adam", "Adam", (_BETA1, _BETA2, _EPS, _DECAY), (_M, _V, _MHAT, _VHAT),
              _adam, _adam_array,
              moves="Adam moves {name} by η × m̂ ÷ (√v̂ + ε), its bias-corrected running moments",
              explains=("Adam keeps running means of the gradient (m) and of its square (v), corrects "
                        "their bias towards 0 in the first steps (m̂, v̂), and steps η × m̂ ÷ (√v̂ + ε): "
                        "about η in the direction the gradient has kept.")),
    Optimizer("adamw", "AdamW", "AdamW",
              (_BETA1, _BETA2, _EPS,
               Hyper("weight_decay", 0.01, "decoupled weight decay: p shrinks by ηλp before the Adam step",
                     r"\lambda", "λ", "weight_decay")),
              (_M, _V, _MHAT, _VHAT), _adamw, _adamw_array,
              moves="AdamW shrinks {name} by ηλ of itself, then moves it by η × m̂ ÷ (√v̂ + ε)",
              explains=("AdamW is Adam with the weight decay taken out of the gradient: the parameter "
                        "first shrinks by η·λ of itself, then takes Adam's step.")),
)}

DEFAULT = OPTIMIZERS["sgd"].settings()
"""Plain SGD without weight decay: the optimizer of a problem that names none."""


def optimizer(name: str) -> Optimizer:
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise KeyError(f"unknown optimizer {name!r} (optimizers: {', '.join(OPTIMIZERS)})") from None
