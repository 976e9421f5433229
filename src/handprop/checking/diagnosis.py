"""Which mistakes reproduce a wrong number: the search over the catalogue.

For a claimed number that is neither right nor rounding drift, every mistake of
:mod:`handprop.checking.mistakes` that can reach it is tried alone, then in pairs, then
in threes (never two of one family), each time

- on exact values: the whole derivation redone with the mistakes, and
- on the claimant's own numbers: the same, but every quantity the claimant
  wrote is taken as written (a mistake upstream of a written number cannot
  matter; one in an unwritten step in between can).  A near miss here is
  computed again rounding every intermediate to the claim's decimals, as the
  claimant would have.

A combination reproduces the claim when its value, rounded or chopped to the
digits written, is the claim (:func:`handprop.solve.rounding.agrees`).  A decimal slip
in the written number itself (×10, ÷10, ×100, ÷100) is one more mistake on top
of any combination; so, for a claimed update, is another learning rate (worked out from the
combination's update, not computed again).  A rarer mistake (``Mistake.most``) goes into
combinations of at most two.  The smallest combinations that reproduce the claim win;
among them those on the claimant's own numbers, then the commonest mistakes,
come first.  (The order: fewer mistakes, then commoner families, then the claimant's own
numbers over exact values.)  For each, the first step (in the order of the trace) whose value
the mistakes change is where the error entered.

A claim with few digits is easy to hit by chance.  One significant figure is
not searched at all.  Otherwise, at each size, the search counts how crowded the
numbers near the claim are: of the :data:`NEIGHBOURS` windows of one unit in the
last place written on either side of the claim, the share that some combination
of that size also lands in is the chance that a number written at random there
is "explained" by that size of combination (:func:`crowding`).  A size whose
share exceeds its :data:`CHANCE` says nothing about this claim: its hits are not
reported, and when no size has a hit that stands out the search says so
(:class:`Found`).  One common mistake is believed on a sparse neighbourhood (up
to 3 windows in 100 hit), three together only where almost nothing else lands
(1 in 200): combinations of three mistakes matching 3–4 significant figures by
chance are not reported as the cause (tests/test_coincidence.py measures the
rate of false diagnoses on random numbers).

The search is pruned (only mistakes whose changes reach the claim and that
change it when made alone), memoised (every combination's value is kept, so a
slip on top costs nothing) and incremental (a combination recomputes only the
steps its changes reach).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import Mapping

from .mistakes import RANK, Mistake, apply, catalogue, local, slip
from ..expr.nodes import Add, Mul, Sym
from ..quantities import ETA, split_id
from ..solve.replay import AFTER, Model, Replay, ReplayError, as_written
from ..solve.rounding import agrees, decimals, figures, hand_base, one_press, rounder, unit, window

MAX_MISTAKES = 3
MAX_EVALUATIONS = 6_000       # combinations computed per mode and claim: beyond this the search
                              # is cut short (only on networks far larger than hand-sized ones)
MIN_FIGURES = 2               # one significant figure says too little to name a mistake
PER_FAMILY = 12               # mistakes of one family (the nearest the claim) tried in combinations
SLIPS = (1, -1, 2, -2)
MEMO = 20_000          # diagnoses remembered per model (a class's scripts share them)
NEIGHBOURS = 50          # windows (units in the last place written) either side of the claim
CHANCE = {1: 0.03, 2: 0.01, 3: 0.005}   # the most crowding believed, by size of combination
SMALLEST_EFFECT = 5                         # units in the last place a candidate must move the claim
NEAR = 20                                   # units in the last place: worth redoing by hand
RATE_STEP = 10                              # units in the last place an update must move its
                                            # parameter for another learning rate to be told


@dataclass(frozen=True)
class Hit:
    """A combination of mistakes that reproduces a claim."""

    mistakes: tuple[Mistake, ...]
    own: bool                   # computed from the claimant's own numbers
    value: float                # what the mistakes give
    first: str                  # the first step whose value they change
    used: tuple[str, ...]       # the claimant's numbers the computation used (own only)

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(m.family for m in self.mistakes)

    @property
    def label(self) -> str:
        return " + ".join(m.label for m in self.mistakes)


class Found(list):
    """The hits, best first.  ``ambiguous``: there were hits, but too many numbers near the
    claim are reproduced as well (it has too few digits to tell); ``cut``: the search stopped
    widening at :data:`MAX_EVALUATIONS`."""

    ambiguous = False
    cut = False


def _rank(hit: Hit) -> tuple:
    """Fewer mistakes first; then commoner ones; then on the claimant's own numbers."""
    return (len(hit.mistakes), sum(RANK[f] for f in hit.families),
            tuple(sorted(RANK[f] for f in hit.families)), not hit.own,
            sum(m.family == "decimal_slip" and m.scale == 1.0 for m in hit.mistakes))


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


class _Search:
    """The search in one mode: exact values (no pins), or the claimant's numbers ``pins``."""

    def __init__(self, model: Model, qid: str, claim: Decimal, pins: Mapping[str, Decimal] | None,
                 slack: float = 0.0):
        self.model, self.qid, self.claim = model, qid, claim
        self.slack = slack
        self.own = bool(pins)
        self.pins = {k: float(v) for k, v in (pins or {}).items()}
        self.hand_pins = dict(pins or {})
        self._presses: frozenset[str] | None = None
        inner, self.reached = model.ancestors(qid, self.pins)
        self.scope = inner | {qid}
        if qid in model.after:       # the pass after the update: what changes the update reaches it
            self.scope.add(AFTER)
        shared = None if self.own else _exact_searches(model).get(qid)
        if shared is not None:
            # on exact values a combination's value is the same whoever claims it: a class's
            # claims about one quantity share every evaluation (the catalogue is the model's)
            self.values, self._reached, self.cache, self.seed, self.lists = shared
            self.base_value = self.values[frozenset()]
        else:
            self.values: dict[frozenset, float | None] = {}
            self._reached: dict[Mistake, frozenset[str]] = {}
            self.cache: dict = {}
            self.seed: dict = {}
            self.base_value = self.evaluate(())
            self.seed = self.last.values
            self.lists: dict = {}
            if not self.own:
                _exact_searches(model)[qid] = (self.values, self._reached, self.cache, self.seed,
                                               self.lists)
        # a mistake that moves the claim by no more than a few units in its last digit cannot be
        # told from not making it and slipping in that digit, or from rounding drift: only those
        # that move it more are candidates, the commonest first
        resolution = unit(claim) * SMALLEST_EFFECT
        self.candidates = []
        self.rates = []     # another learning rate, for a claim of an update: see level()
        for m in catalogue(model) + local(model, qid, self.pins):
            if m.rate is not None and qid != AFTER:
                new = "new:" + qid[len("change:"):] if qid.startswith("change:") else qid
                if new in m.targets and new in model.exprs and _sgd(model.exprs[new]):
                    self.rates.append(m)
                continue
            if m.touches & self.scope:
                v = self.evaluate((m,))
                if v is not None and self.base_value is not None and abs(v - self.base_value) > resolution:
                    self.candidates.append(m)
                elif v is not None and self.base_value is None:
                    self.candidates.append(m)
        # the commonest families first; within a family, the changes nearest the claim first
        distance = self._distances()
        far = len(distance) + 1
        self.candidates.sort(key=lambda m: (RANK[m.family], min((distance.get(k, far) for k in m.touches),
                                                                default=far)))
        per_family: dict[str, int] = {}
        self.combinable = []       # at most PER_FAMILY of each family go into pairs and threes
        for m in self.candidates:
            per_family[m.family] = per_family.get(m.family, 0) + 1
            if per_family[m.family] <= PER_FAMILY:
                self.combinable.append(m)
        self.evaluations = 0
        self.cut = False

    def _distances(self) -> dict[str, int]:
        """Steps from the claim back to each key it depends on (breadth first)."""
        distance = {self.qid: 0}
        frontier = [self.qid]
        while frontier:
            nxt = []
            for k in frontier:
                if k in self.pins or (k not in self.model.exprs and k != AFTER):
                    continue
                for d in self.model.deps(k):
                    if d not in distance:
                        distance[d] = distance[k] + 1
                        nxt.append(d)
            frontier = nxt
        return distance

    def replay(self, combo, rnd=None) -> Replay:
        real = [m for m in combo if m.scale == 1.0]
        exprs, base, updated = apply(self.model, real, self.cache)
        if rnd is not None:
            swaps = {k: as_written(v) for m in real for k, v in m.base}
            base = {**hand_base(self.model), **swaps}
            if self._presses is None:           # by hand, an activation is one key press
                self._presses = one_press(self.model)
            return Replay(self.model, exprs=exprs, base=base, pins=self.hand_pins, updated=updated, rnd=rnd,
                          whole=self._presses)
        seed = None
        if self.seed and real:
            reached: set[str] = set()
            for m in real:
                for k in m.touches:
                    reached.add(k)
                    reached |= self.model.descendants(k)
            seed = {k: v for k, v in self.seed.items() if k not in reached}
        return Replay(self.model, exprs=exprs, base=base, pins=self.pins, updated=updated, seed=seed)

    def evaluate(self, combo, key: frozenset | None = None) -> float | None:
        key = frozenset(combo) if key is None else key
        if key in self.values:
            return self.values[key]
        value = self._fast(combo) if self.seed else None
        if value is None:
            replay = self.last = self.replay(combo)
            try:
                value = float(replay.step(self.qid))
            except (ReplayError, ArithmeticError, ValueError, TypeError):
                value = None
        if value is not None and value != value:
            value = None
        self.values[key] = value
        return value

    def _reach(self, m: Mistake) -> frozenset[str]:
        found = self._reached.get(m)
        if found is None:
            keys: set[str] = set()
            for k in m.touches:
                keys.add(k)
                keys |= self.model.descendants(k)
            found = self._reached[m] = frozenset(keys)
        return found

    def _fast(self, combo) -> float | None:
        """The claim under ``combo`` recomputing, in order, only the steps the changes reach;
        None when that is not enough (a change that needs steps outside the claim's ancestors)."""
        real = [m for m in combo if m.scale == 1.0]
        if any(m.updated is not None or m.adds for m in real):
            return None
        reached = frozenset().union(*(self._reach(m) for m in real)) if real else frozenset()
        if AFTER in reached and AFTER in self.scope:
            return None
        exprs, base, _ = apply(self.model, real, self.cache)
        values = {k: v for k, v in self.seed.items() if k not in reached}
        if base is not None:
            for m in real:
                for k, _ in m.base:
                    values[k] = base[k]
        order = self.model.order
        todo = sorted((k for k in reached if k in self.scope and k in order), key=order.__getitem__)
        if self.qid not in reached:
            todo.append(self.qid)
        compiled, steps = self.model.compiled, self.model.exprs
        try:
            for k in todo:
                if k in self.pins and k != self.qid:
                    values[k] = self.pins[k]
                    continue
                values[k] = compiled(exprs.get(k) or steps[k])(values)
        except KeyError:
            return None
        except (ArithmeticError, ValueError, TypeError):
            return float("nan")
        return float(values[self.qid])

    def by_hand(self, combo) -> float | None:
        """The combination computed from the claimant's numbers rounding as they would."""
        places = decimals(self.claim)
        if not self.own or not 0 <= places <= 20:
            return None
        try:
            return float(self.replay(combo, rnd=rounder("round", places)).step(self.qid))
        except (ReplayError, ArithmeticError, ValueError, TypeError):
            return None

    def level(self, size: int) -> tuple[list, set]:
        """(combinations of ``size`` mistakes that reproduce the claim, the windows near the
        claim that they land in: offsets in units of the last place written, 0 excluded).

        A combination of ``size - 1`` with a decimal slip in the written number counts too.
        """
        hits, crowd = [], set()
        u = unit(self.claim)
        near = NEAR * u
        c = float(self.claim)
        lo, hi = window(self.claim, twice=False)     # a cause must give the claim rounded once
        lo, hi = lo - self.slack, hi + self.slack
        reach = (NEIGHBOURS + 0.5) * u

        def consider(combo, v):
            if lo <= v <= hi:
                hits.append((combo, v))
                return
            if self.own and abs(v - c) <= near:
                scale = combo[-1].scale if combo else 1.0
                hand = self.by_hand(tuple(m for m in combo if m.scale == 1.0))
                if hand is not None and lo <= hand * scale <= hi:
                    hits.append((combo, hand * scale))
                    return
            if abs(v - c) <= reach:
                offset = round((v - c) / u)
                if offset:
                    crowd.add(offset)

        for combo, v in self._values(size, slips=False):
            consider(combo, v)
        for combo, v in self._values(size - 1, slips=True):
            for power in SLIPS:
                consider(combo + (slip(power),), v * 10.0 ** power)
        if self.rates:
            # the update p − η·g done with another η' is arithmetic on any combination's p⁺:
            # p − η'/η · (p − p⁺) (not computed again: a few rates would multiply the search)
            eta = self.model.base[ETA]
            key = "param:" + split_id(self.qid)[1]
            rates = [m for m in self.rates if m.most >= size]
            for combo, v in self._values(size - 1, slips=False) if rates else ():
                if any(self.qid in m.targets and m.family == "divided" or m.most < size for m in combo):
                    continue       # the gradient divided by η: not a product with η
                if self.qid.startswith("change:"):      # Δp = −η·g: η'/η · Δp
                    if abs(v) < RATE_STEP * unit(self.claim):
                        continue
                    for m in rates:
                        consider(combo + (m,), m.rate / eta * v)
                    continue
                p = self.pins.get(key, next((x for m in combo for k, x in m.base if k == key),
                                            self.model.base.get(key)))
                if p is None or abs(p - v) < RATE_STEP * unit(self.claim):
                    continue       # a step this small does not tell one learning rate from another
                for m in rates:
                    consider(combo + (m,), p - m.rate / eta * (p - v))
        return hits, crowd

    def _values(self, size: int, slips: bool):
        """The combinations of ``size`` mistakes (of different families) and the values they
        give, in the search's order; on exact values the whole list is kept for the next claim
        of the same step with the same candidates."""
        pool = self.candidates if size == 1 else self.combinable
        key = (size, slips, tuple(map(id, pool)))
        found = self.lists.get(key)
        if found is None:
            found = list(self._combine(pool, size, slips))
            if not self.cut and not self.own:
                self.lists[key] = found
        return found

    def _combine(self, pool, size: int, slips: bool):
        values = self.values
        total = size + slips       # with a decimal slip in the written number on top
        for combo in combinations(pool, size):
            families = {m.family for m in combo}
            if len(families) < size or (slips and "decimal_slip" in families):
                continue
            if any(m.most < total for m in combo):
                continue           # a rarer mistake goes into smaller combinations only
            key = frozenset(combo)
            v = values.get(key, _UNKNOWN)
            if v is _UNKNOWN:
                if self.evaluations >= MAX_EVALUATIONS:
                    self.cut = True
                    return
                self.evaluations += 1
                v = self.evaluate(combo, key)
            if v is not None:
                yield combo, v

    def contradicts(self, combo, right: Mapping[str, Decimal]) -> bool:
        """Whether the mistakes ``combo``, made on exact values, change a number the claimant
        wrote right and the claim depends on (so that they did not make them)."""
        real = tuple(m for m in combo if m.scale == 1.0 and m.rate is None)
        mine = [k for k in right if k in self.scope and k != self.qid]
        if not real or not mine:
            return False
        replay = self.replay(real)
        for k in mine:
            try:
                if not agrees(right[k], replay[k]):
                    return True
            except (ReplayError, ArithmeticError, ValueError, TypeError, KeyError):
                return True
        return False

    def first_step(self, combo) -> tuple[str, tuple[str, ...]]:
        """The first step, in trace order, whose value the mistakes change; and the claimant's
        numbers the mistaken computation used."""
        real = tuple(m for m in combo if m.scale == 1.0)
        exprs, base, updated = apply(self.model, real, self.cache)
        wrong = Replay(self.model, exprs=exprs, base=base, pins=self.pins, updated=updated)
        right = Replay(self.model, pins=self.pins)
        order = self.model.order
        try:
            wrong.step(self.qid)
        except (ReplayError, ArithmeticError, ValueError):
            pass
        used = tuple(sorted((k for k in wrong.values if k in self.pins), key=lambda k: order.get(k, 0)))
        if not real:
            return self.qid, used
        for key in sorted((k for k in self.scope if k in self.model.exprs or k == AFTER),
                          key=lambda k: order.get(k, len(order))):
            if key == AFTER and key != self.qid:     # the pass after the update: the claim itself
                continue
            try:
                a = right.step(key) if key == self.qid else right[key]
                b = wrong.step(key) if key == self.qid else wrong[key]
            except (ReplayError, ArithmeticError, ValueError):
                return key, used
            if not _same(float(a), float(b)):
                return key, used
        return self.qid, used


_UNKNOWN = object()


def _sgd(expr) -> bool:
    """``expr`` is an update p ∓ η·g (what another learning rate changes arithmetically; the
    update added, in the convention error = t − y)."""
    return (isinstance(expr, Add) and expr.signs[0] == 1 and len(expr.terms) == 2 and isinstance(expr.terms[1], Mul)
            and any(isinstance(f, Sym) and f.key == ETA for f in expr.terms[1].factors))


def _same_as_exact(model: Model, qid: str, pins: Mapping[str, Decimal], within: float) -> bool:
    """The step ``qid`` from the claimant's numbers is its exact value, within ``within``."""
    try:
        mine = float(Replay(model, pins={k: float(v) for k, v in pins.items()}).step(qid))
    except (ReplayError, ArithmeticError, ValueError, TypeError):
        return False
    return abs(mine - model.exact[qid]) <= within


def _exact_searches(model: Model) -> dict:
    """The evaluations of the exact-values searches of ``model``, by claimed quantity."""
    found = model.__dict__.get("_exact_searches")
    if found is None:
        found = model.__dict__["_exact_searches"] = {}
    return found


def crowding(windows: set) -> float:
    """The share of the windows near a claim that combinations land in."""
    return len(windows) / (2 * NEIGHBOURS)


def diagnose(model: Model, qid: str, claim: Decimal, pins: Mapping[str, Decimal],
             max_mistakes: int = MAX_MISTAKES, own_model: Model | None = None, slack: float = 0.0,
             right: frozenset[str] = frozenset()) -> Found:
    """The smallest combinations of catalogue mistakes that reproduce ``claim`` for ``qid``,
    best first; empty when none of up to ``max_mistakes`` does (see :class:`Found`).
    ``own_model``: the way the claimant works the derivation (the delta rule, say), for the
    search on their own numbers; ``slack``: how far beyond its digits the claim may be off (a
    working's value, whose numbers were rounded); ``right``: the claimant's numbers (keys of
    ``pins``) that are right — a combination on exact values that would change one of them
    the claim depends on is contradicted by the claimant's own work, and not reported when
    some other combination of the same size is not."""
    result = Found()
    if figures(claim) < MIN_FIGURES:
        result.ambiguous = True
        return result
    # the same claim on the same of the claimant's numbers gets the same answer: a class's
    # scripts share it (only the numbers the claim's computation reaches matter)
    inner, reached = (own_model or model).ancestors(qid, pins)
    memo = model.__dict__.setdefault("_diagnoses", {})
    key = (id(own_model), qid, claim, max_mistakes, slack,
           tuple(sorted((k, pins[k]) for k in reached)),
           tuple(sorted((k, pins[k]) for k in right if k in inner or k in reached)))
    known = memo.get(key)
    if known is not None:
        found = Found(known)
        found.ambiguous, found.cut = known.ambiguous, known.cut
        return found
    if len(memo) > MEMO:
        memo.clear()
    memo[key] = result = _diagnose(model, qid, claim, pins, max_mistakes, own_model, slack, right, reached)
    return result


def _diagnose(model: Model, qid: str, claim: Decimal, pins: Mapping[str, Decimal], max_mistakes: int,
              own_model: Model | None, slack: float, right: frozenset[str], reached: set[str]) -> Found:
    result = Found()
    searches = []
    # on the claimant's numbers when they reach some, unless every one reached is right, they
    # work the formulas, and from them the step is its exact value to a tenth of the claim's
    # last place: that search would be the one on exact values again
    if reached and (own_model not in (None, model) or not reached <= right
                    or not _same_as_exact(model, qid, pins, unit(claim) / 10)):
        own = _Search(own_model or model, qid, claim, pins, slack)
        if own.reached:
            searches.append(own)
    searches.append(_Search(model, qid, claim, None, slack))
    for size in range(1, max_mistakes + 1):
        hits: dict[tuple, Hit] = {}
        contradicted: set = set()
        for search in searches:
            found, near = search.level(size)
            if found and crowding(near) > CHANCE.get(size, CHANCE[MAX_MISTAKES]):
                result.ambiguous = True
                continue
            for combo, value in found:
                combo = tuple(sorted(combo, key=lambda m: RANK[m.family]))
                key = (tuple(m.label for m in combo), search.own)
                if key not in hits:
                    first, used = search.first_step(combo)
                    hits[key] = Hit(combo, search.own, value, first, used)
                    if not search.own and right and search.contradicts(combo, {k: pins[k] for k in right}):
                        contradicted.add(key)
        result.cut = any(search.cut for search in searches)
        if len(contradicted) < len(hits):      # what the claimant's right numbers rule out goes
            for key in contradicted:
                del hits[key]
        if hits:
            result[:] = sorted(hits.values(), key=_rank)
            result.ambiguous = False
            return result
        if result.ambiguous:
            return result
    return result
