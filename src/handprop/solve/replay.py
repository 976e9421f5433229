"""Replaying a derivation: every step's expression evaluated again, on demand.

A derivation keeps, for each quantity, the expression tree that defines it (the
system of :mod:`.equations`).  Replaying evaluates those trees in dependency order

- exactly (float64) or by hand (``Decimal``, every intermediate rounded),
- with some steps *pinned* to given numbers (the numbers a claimant wrote), and
- with some expressions or parameter values *changed* (a mistaken derivation,
  see :mod:`handprop.checking.mistakes`).

Values are computed lazily and memoised, so asking for one quantity computes
only what it depends on.  The loss after the update (``new:E:total``) has no
expression of its own: it is the forward pass and loss replayed with the
parameters replaced by their updated values.  So have the checker's other
quantities after the update (``new:out:Y1[2]``, ``new:E:total[2]``…, ``Model.after``):
each is its forward quantity in that same second pass, a function of the updated
parameters (``new:P``) as ``new:E:total`` is.  The change of a parameter in the
update (``change:P``) is a step of the model, ``new:P − param:P``, that no trace holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Mapping

from ..expr.evaluate import compile_expr
from ..expr.nodes import Add, Expr, Sym
from ..quantities import AFTER, before_of, checker_ids, parse, qid
Rounder = Callable[[Decimal], Decimal]


class ReplayError(ArithmeticError):
    """A step could not be evaluated (ln of 0, a division by 0, an overflow)."""

    def __init__(self, key: str, cause: BaseException):
        super().__init__(f"{key}: {cause.__class__.__name__}: {cause}")
        self.key = key
        self.cause = cause


@dataclass
class Model:
    """What replaying needs from a derivation.

    ``exprs`` holds every step's expression in the order of the trace (the
    loss after the update excluded); ``base`` the numbers given by the problem
    (``param:P``, ``in:x[k]``, ``target:U[k]``, ``eta``); ``updated`` the
    parameters the update changes; ``exact`` the engine's values.

    :meth:`of` adds the checker's own quantities: ``change:P`` (an expression, right after
    ``new:P``) and ``after``, the forward quantities after the update (no expression: the
    forward pass again with the updated parameters, as for ``new:E:total``), each with its
    exact value; ``order`` is the order claims are judged in.
    """

    problem: Any
    exprs: dict[str, Expr]
    base: dict[str, float]
    updated: tuple[str, ...]
    exact: dict[str, float]
    order: dict[str, int] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    """The quantities after the update -> their forward quantity (``new:E:total`` -> ``E:total``)."""
    convention: str = "y - t"
    """The sign convention of the error the model is worked in ("t - y": the checker's variant
    for a claimant who takes error = t − y and adds the update)."""
    _deps: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _expr_deps: dict[int, tuple[Expr, tuple[str, ...]]] = field(default_factory=dict, repr=False)
    _below: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _children: dict[str, list[str]] | None = field(default=None, repr=False)
    _compiled: dict[int, tuple[Expr, Callable]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, derivation, problem=None) -> "Model":
        """The model of a :class:`~handprop.solve.derive.Derivation`."""
        sys = derivation.system
        values = dict(derivation.solution.values)
        extra = checker_ids(values)
        changes = {q: parse(q).name for q in extra if q.startswith("change:")}
        exprs: dict[str, Expr] = {}
        for k, e in sys.exprs.items():
            exprs[k] = e
            s = parse(k)
            if s is not None and s.kind == "new" and (c := qid("change", s.name)) in changes:
                exprs[c] = Add((Sym(k), Sym(qid("param", s.name))), (1, -1))
        after = {q: before_of(q) for q in extra if q not in changes}
        if AFTER in values:
            after[AFTER] = before_of(AFTER)
        order = {k: i for i, k in enumerate(list(exprs) + [q for q in after if q != AFTER])}
        order[AFTER] = len(order)
        model = cls(problem or sys.problem, exprs, dict(sys.base), tuple(sys.updated), values, order,
                    after)
        replay = Replay(model)
        for q in list(changes) + [q for q in after if q not in values]:
            try:
                values[q] = float(replay[q])
            except ReplayError:         # the engine had a value; the replay cannot do worse
                values[q] = float("nan")
        return model

    def variant(self, exprs: dict[str, Expr]) -> "Model":
        """The same model with some steps' expressions replaced (another way of working the
        same derivation, or a convention): ``exact`` is copied, for the caller to recompute
        what the new expressions change."""
        merged = {k: exprs.get(k, e) for k, e in self.exprs.items()}
        return Model(self.problem, merged, self.base, self.updated, dict(self.exact), self.order, self.after,
                     self.convention)

    def deps(self, key: str, expr: Expr | None = None) -> tuple[str, ...]:
        """The keys the expression of ``key`` uses (cached for the original expressions)."""
        original = self.exprs.get(key)
        if expr is None or expr is original:
            found = self._deps.get(key)
            if found is None:
                found = self._deps[key] = tuple(original.symbols()) if original is not None else \
                    tuple(qid("new", p) for p in self.updated)     # the quantities after the update
            return found
        cached = self._expr_deps.get(id(expr))
        if cached is None or cached[0] is not expr:
            cached = self._expr_deps[id(expr)] = (expr, tuple(expr.symbols()))
        return cached[1]

    def compiled(self, expr: Expr) -> Callable[[Mapping[str, float]], float]:
        """``expr.eval`` as one Python function of the values (the same float operations, in the
        same order, so bit for bit the same result; cached)."""
        cached = self._compiled.get(id(expr))
        if cached is None or cached[0] is not expr:
            cached = self._compiled[id(expr)] = (expr, compile_expr(expr))
        return cached[1]

    def descendants(self, key: str) -> frozenset[str]:
        """Every step whose value depends on ``key`` (a step or a given number)."""
        if self._children is None:
            children: dict[str, list[str]] = {}
            for k in list(self.exprs) + list(self.after or {AFTER: ""}):
                for d in self.deps(k):
                    children.setdefault(d, []).append(k)
            self._children = children
        found = self._below.get(key)
        if found is None:
            seen: set[str] = set()
            stack = [key]
            while stack:
                for c in self._children.get(stack.pop(), ()):
                    if c not in seen:
                        seen.add(c)
                        stack.append(c)
            found = self._below[key] = frozenset(seen)
        return found

    def ancestors(self, key: str, pins: Mapping[str, Any] = {}) -> tuple[set[str], set[str]]:
        """(steps ``key`` depends on without passing through a pin, the pins it reaches).

        Base keys (parameters, inputs, targets, eta) are included in the first set.
        """
        inner: set[str] = set()
        reached: set[str] = set()
        stack = list(self.deps(key))
        while stack:
            k = stack.pop()
            if k in inner or k in reached:
                continue
            if k in pins:
                reached.add(k)
                continue
            inner.add(k)
            if k in self.exprs or k == AFTER or k in self.after:
                stack.extend(self.deps(k))
        return inner, reached


class Replay:
    """The values of one (possibly changed) derivation, computed on demand.

    ``rnd`` None evaluates in float64; otherwise in ``Decimal`` with every
    intermediate and every step's result rounded by ``rnd`` (``base`` and
    ``pins`` must then hold Decimals).  ``exprs``/``base`` override the model's
    (a mistaken derivation); ``updated`` overrides which parameters the update
    changes.  ``whole`` names the steps worked in one key press by hand (the
    calculator convention: an activation applied exactly to its rounded net, its result
    rounded once).  ``fallback(key, error)`` may supply a value when a step cannot be
    evaluated; without it a :class:`ReplayError` is raised.  ``seed`` gives values
    known already (those of another replay that the changes do not reach).
    """

    def __init__(self, model: Model, *, exprs: Mapping[str, Expr] | None = None,
                 base: Mapping[str, Any] | None = None, pins: Mapping[str, Any] | None = None,
                 rnd: Rounder | None = None, updated: tuple[str, ...] | None = None,
                 fallback: Callable[[str, BaseException], Any] | None = None,
                 seed: Mapping[str, Any] | None = None, whole: frozenset[str] = frozenset()):
        self.model = model
        self.overlay = exprs or {}
        self.base = base if base is not None else model.base
        self.pins = pins or {}
        self.rnd = rnd
        self.updated = model.updated if updated is None else updated
        self.fallback = fallback
        self.whole = whole
        self.values: dict[str, Any] = dict(seed) if seed else {}
        self._second: Replay | None = None     # the forward pass after the update

    # the environment protocol of Expr.eval / Expr.hand
    def __getitem__(self, key: str):
        try:
            return self.values[key]
        except KeyError:
            return self.value(key)

    def expr(self, key: str) -> Expr | None:
        found = self.overlay.get(key)
        return found if found is not None else self.model.exprs.get(key)

    def _is_after(self, key: str) -> bool:
        return (key == AFTER or key in self.model.after) and key not in self.overlay

    def deps(self, key: str) -> tuple[str, ...]:
        if self._is_after(key):
            return tuple(qid("new", p) for p in self.updated)
        return self.model.deps(key, self.overlay.get(key))

    def value(self, key: str):
        """The value of ``key`` (its pin if pinned), computing what it needs first."""
        if key in self.values:
            return self.values[key]
        # iterative post-order over the dependencies: deep networks must not recurse
        stack: list[tuple[str, bool]] = [(key, False)]
        while stack:
            k, ready = stack.pop()
            if k in self.values:
                continue
            if ready or not self._needs(k):
                self.values[k] = self._compute(k)
                continue
            stack.append((k, True))
            for d in self.deps(k):
                if d not in self.values:
                    stack.append((d, False))
        return self.values[key]

    def _needs(self, k: str) -> bool:
        return k not in self.pins and k not in self.base

    def step(self, key: str):
        """``key`` computed from its expression even when it is pinned."""
        for d in self.deps(key):
            self.value(d)
        if self._is_after(key):
            return self._after(key)
        return self._evaluate(key, self.expr(key))

    def _compute(self, k: str):
        if k in self.pins:
            return self.pins[k]
        if k in self.base:
            return self.base[k]
        if self._is_after(k):
            return self._after(k)
        expr = self.expr(k)
        if expr is None:
            raise KeyError(f"no step or given number {k!r}")
        return self._evaluate(k, expr)

    def _evaluate(self, k: str, expr: Expr):
        try:
            if self.rnd is None:
                return self.model.compiled(expr)(self.values)
            if k in self.whole:
                return self.rnd(expr.hand(self, _exactly))
            return self.rnd(expr.hand(self, self.rnd))
        except (ArithmeticError, ValueError) as err:
            if isinstance(err, ReplayError):
                raise
            if self.fallback is not None:
                return self.fallback(k, err)
            raise ReplayError(k, err) from None

    def _after(self, key: str = AFTER):
        """A quantity of the forward pass with the updated parameters (the total loss for
        ``new:E:total``), one second pass for all of them."""
        if self._second is None:
            base = dict(self.base)
            for p in self.updated:
                base[qid("param", p)] = self.value(qid("new", p))
            self._second = Replay(self.model, exprs=self.overlay, base=base, rnd=self.rnd,
                                  updated=self.updated, whole=self.whole)
        try:
            return self._second.value(self.model.after.get(key) or before_of(key))
        except ReplayError as err:
            if self.fallback is None:
                raise ReplayError(key, err.cause) from None
            return self.fallback(key, err.cause)


def _exactly(x: Decimal) -> Decimal:
    """No rounding: the inside of a step worked in one key press."""
    return x


def as_written(value: float) -> Decimal:
    """A number of the problem as the person wrote it: ``0.15`` is exactly 0.15."""
    return Decimal(repr(float(value)))
