"""The catalogue of mistakes people make by hand, each a named change to the derivation.

A mistake is not a guess about digits: it rewrites the formulas of a problem's
system (:mod:`handprop.solve.equations`) or the numbers it starts from, and
:mod:`handprop.solve.replay` recomputes everything after it.  So
"σ′ left out at the hidden units" is every hidden ``∂out/∂net`` taken as 1
wherever it is used, on any network; "w6 and w7 swapped" is the two weights
exchanged everywhere.  docs/claims-format.md lists the mistakes; :data:`FAMILIES` is
that list in the order the checker prefers them (commonest first).

:func:`catalogue` gives the mistakes that concern a whole derivation;
:func:`local` those made at one step (a value taken from another step, a
decimal slip).  :mod:`handprop.checking.diagnosis` searches combinations of them.
Adding a mistake is one generator function here, listed in :func:`catalogue`.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from itertools import combinations
from typing import Callable

from ..expr.functions import SQRT
from ..expr.nodes import Add, Div, Expr, Fn, Mul, Neg, Num, Pow, Sym, add, mul
from ..expr.printers import TextPrinter
from ..nn import ACTIVATIONS, LOSSES, OPTIMIZERS
from ..quantities import AFTER, ETA, STEP, parse, pretty, qid, split_id
from ..solve.replay import Model

FAMILIES: dict[str, str] = {
    "slope_left_out": "activation derivative left out",
    "one_path": "only one path followed",
    "slope_at_wrong_value": "derivative taken at the wrong value",
    "softmax_diagonal": "only the diagonal of the softmax Jacobian",
    "bias_left_out": "bias left out",
    "updated_weights": "updated weights used too early",
    "weights_left_out": "the weights left out of the backward pass",
    "half": "the ½ dropped or doubled",
    "batch": "the batch summed for averaged, or averaged for summed",
    "sign": "a sign flipped",
    "divided": "divided instead of multiplied",
    "bias_correction": "the bias correction of Adam's moments left out",
    "wrong_t": "the bias correction with the wrong step count t",
    "eps_inside": "ε inside the square root",
    "eta_twice": "the learning rate applied twice",
    "decay_coupled": "AdamW's decoupled weight decay added to the gradient instead (L2)",
    "decay_left_out": "the weight decay left out",
    "momentum_sign": "the gradient subtracted in momentum's velocity",
    "momentum_order": "the step taken with the velocity before it was updated",
    "state_reset": "the optimizer's state taken as 0 (started afresh)",
    "decimal_slip": "a decimal slip",
    "transcription": "a slip of the pen in writing the number down",
    "learning_rate": "another learning rate",
    "wrong_edge": "a weight from the wrong edge",
    "log_base": "a logarithm of another base in the loss",
    "softmax_no_exp": "softmax without the exponentials",
    "other_value": "a value taken from another step",
    "bias_update": "bias updated against the problem's convention",
    "bias_shared": "per-unit biases taken as one shared bias",
}
RANK = {f: i for i, f in enumerate(FAMILIES)}
RARE = 2     # the largest combination a rarer mistake goes into (see Mistake.most)


@dataclass(frozen=True, eq=False)
class Mistake:
    """One named change.  ``targets``' expressions are rewritten by ``rewrite``;
    ``base`` replaces given numbers; ``updated`` replaces the parameters the
    update changes (with ``adds``: expressions of steps the change writes)."""

    family: str
    label: str
    targets: tuple[str, ...] = ()
    rewrite: Callable[[str, Expr], Expr] | None = None
    base: tuple[tuple[str, float], ...] = ()
    updated: tuple[str, ...] | None = None
    adds: tuple[tuple[str, Expr], ...] = ()
    scale: float = 1.0          # a decimal slip in the claimed number itself
    rate: float | None = None   # another learning rate (the update done with it)
    most: int = 3               # the largest combination of mistakes it is tried in (itself counted):
                                # a rarer mistake is tried alone or with one other, so that it does
                                # not multiply the combinations that hit a number by chance
    after: bool = False         # it changes the loss after the update by itself too (a loss formula
                                # rewritten that no gradient uses: the loss after the update redoes it)

    @property
    def touches(self) -> set[str]:
        found = set(self.targets) | {k for k, _ in self.base}
        if self.updated is not None or self.after:
            found.add(AFTER)
        return found


def apply(model: Model, mistakes, cache: dict | None = None
          ) -> tuple[dict[str, Expr], dict[str, float] | None, tuple | None]:
    """(changed expressions, changed given numbers or None, changed updated parameters or None).

    ``cache`` (any dict kept alongside the mistakes) memoises rewritten expressions, so the
    same step changed by the same mistakes is rewritten once.
    """
    cache = {} if cache is None else cache
    overlay: dict[str, Expr] = {}
    base = None
    updated = None
    per_target: dict[str, list[Mistake]] = {}
    for m in sorted(mistakes, key=lambda m: RANK[m.family]):
        for key, expr in m.adds:
            overlay[key] = expr
        for t in m.targets:
            per_target.setdefault(t, []).append(m)
        if m.base:
            base = dict(model.base if base is None else base)
            base.update(m.base)
        if m.updated is not None:
            updated = m.updated
    for t, ms in per_target.items():
        key = (t, *map(id, ms))
        expr = cache.get(key)
        if expr is None:
            expr = overlay.get(t) or model.exprs[t]
            for m in ms:
                expr = m.rewrite(t, expr)
            cache[key] = expr
        overlay[t] = expr
    return overlay, base, updated


# ---------------------------------------------------------------- rewriting trees


def transform(e: Expr, fn: Callable[[Expr], Expr | None]) -> Expr:
    """``e`` with every node for which ``fn`` gives a replacement replaced (top-down)."""
    new = fn(e)
    if new is not None:
        return new
    children = e.children()
    if not children:
        return e
    return e.rebuild(tuple(transform(c, fn) for c in children))


def substitute(e: Expr, mapping: dict[str, Expr]) -> Expr:
    return transform(e, lambda n: mapping.get(n.key) if isinstance(n, Sym) else None)


def _sym(key: str) -> Sym:
    return Sym(key)


def _scaled(factor: float) -> Callable[[str, Expr], Expr]:
    return lambda t, e: Mul((Num(factor), e))


# ---------------------------------------------------------------- the model's quantities


class _Index:
    """Step ids of a model grouped by kind and unit."""

    def __init__(self, model: Model):
        p = model.problem
        self.model = model
        self.problem = p
        self.last = len(p.layers) - 1
        self.by_kind: dict[str, list[tuple[str, str, str]]] = {}
        for key in model.exprs:
            kind, name, sfx = split_id(key)
            self.by_kind.setdefault(kind, []).append((key, name, sfx))

    def ids(self, kind: str, units=None) -> list[str]:
        return [k for k, n, _ in self.by_kind.get(kind, ()) if units is None or n in units]

    def layer_units(self, layers) -> set[str]:
        return {u for li in layers for u in self.problem.layers[li].units}

    def using(self, keys: set[str], skip: set[str] = frozenset()) -> list[str]:
        return [k for k in self.model.exprs if k not in skip and set(self.model.deps(k)) & keys]


def catalogue(model: Model) -> list[Mistake]:
    """Every mistake of the catalogue that concerns the whole derivation of ``model``."""
    cached = model.__dict__.get("_catalogue")
    if cached is None:
        ix = _Index(model)
        cached = []
        for make in (_slope_left_out, _one_path, _slope_at_wrong_value, _softmax_diagonal,
                     _bias_left_out, _updated_weights, _weights_left_out, _half, _batch, _sign, _divided,
                     _learning_rate, _wrong_edge, _log_base, _softmax_no_exp, _bias_update,
                     _bias_shared, _bias_correction, _wrong_t, _eps_inside, _eta_twice, _decay_coupled,
                     _decay_left_out, _momentum_sign, _momentum_order, _state_reset):
            cached.extend(make(ix))
        model.__dict__["_catalogue"] = cached
    return cached


def _scopes(ix: _Index):
    """(where, layers): the hidden layers, then the output layer, each as the words saying where."""
    yield "at the hidden units", range(ix.last)
    yield "at the output units", [ix.last]


def _prime(ix: _Index, layers) -> str:
    """How the activation derivative of these layers is called: σ′ when they are all sigmoid."""
    kinds = {ix.problem.layers[li].activation for li in layers}
    return ACTIVATIONS[kinds.pop()].prime if len(kinds) == 1 else "the activation derivative"


def _slope_left_out(ix: _Index):
    p = ix.problem
    for scope, layers in _scopes(ix):
        slopes = set(ix.ids("dout/dnet", ix.layer_units(layers)))
        targets = ix.using(slopes, skip=slopes)
        # an output delta not written ∂E/∂out × ∂out/∂net (fused with the loss: y − t; or through
        # a layer-level activation's Jacobian) is taken as ∂E/∂out itself
        whole = set(_output_deltas(ix)[1]) if list(layers) == [ix.last] else set()
        targets = list(dict.fromkeys(targets + sorted(whole, key=ix.model.order.__getitem__)))
        if not targets:
            continue
        one = {k: Num(1.0) for k in slopes}

        def rewrite(t: str, e: Expr, one=one, whole=whole) -> Expr:
            if t in whole:
                s = parse(t)
                return _sym(qid("dE/dout", s.name, s.sample))
            return substitute(e, one)
        label = f"{_prime(ix, layers)} left out {scope}"
        if whole:
            fused = _output_deltas(ix)[2]
            slope = TextPrinter()(LOSSES[p.loss].slope(Sym("y"), Sym("t"), len(p.outputs)))
            label += (f" (δ taken as ∂E/∂y = {slope}, not y − t)" if fused else
                      " (δ taken as ∂E/∂out, the Jacobian left out)")
        yield Mistake("slope_left_out", label, tuple(targets), rewrite)


def _output_deltas(ix: _Index) -> tuple[list[str], list[str], bool]:
    """(the output deltas, those not written ∂E/∂out × ∂out/∂net, whether the loss fuses them
    with the activation into y − t)."""
    p = ix.problem
    deltas = ix.ids("delta", set(p.outputs))
    fused = p.layers[ix.last].activation in LOSSES[p.loss].simplifies_with
    elementwise = ACTIVATIONS[p.layers[ix.last].activation].elementwise
    whole = deltas if fused or not elementwise else []
    return deltas, whole, fused


def _one_path(ix: _Index):
    p = ix.problem
    for li in range(1, ix.last + 1):
        units = p.layers[li].units
        for v in units if len(units) > 1 else ():
            before = ix.layer_units([li - 1])
            targets = ix.ids("dE/dout", before)
            targets += [k for k, n, _ in ix.by_kind.get("grad", ())
                        if n in p.bias and v in p.bias[n].units and len(p.bias[n].units) > 1]

            def keep(t: str, e: Expr, v=v) -> Expr:
                if not isinstance(e, Add):
                    return e
                key = qid("delta", v, parse(t).sample)
                kept = [(s, term) for s, term in zip(e.signs, e.terms) if key in term.symbols()]
                if not kept:
                    return e
                return kept[0][1] if len(kept) == 1 and kept[0][0] > 0 else \
                    Add(tuple(x for _, x in kept), tuple(s for s, _ in kept))
            others = [u for u in units if u != v]
            yield Mistake("one_path", f"only the path through {v} (the path{'s' if len(others) > 1 else ''} "
                          f"through {', '.join(others)} left out)", tuple(targets), keep)


def _slope_at_wrong_value(ix: _Index):
    p = ix.problem
    for how in ("net", "twice"):
        for scope, layers in list(_scopes(ix)) + [("at every unit", range(ix.last + 1))]:
            if scope == "at every unit" and ix.last == 0:
                continue
            units = {u for li in layers for u in p.layers[li].units
                     if ACTIVATIONS[p.layers[li].activation].smooth
                     and (how == "net" or ACTIVATIONS[p.layers[li].activation].elementwise)}
            targets = tuple(ix.ids("dout/dnet", units))
            if not targets:
                continue

            def rewrite(t: str, e: Expr, how=how) -> Expr:
                s = parse(t)
                layer = p.layers[p.layer_of[s.name]]
                entry = ACTIVATIONS[layer.activation]
                options = layer.params
                nets = [Sym(qid("net", v, s.sample)) for v in layer.units]
                outs = [Sym(qid("out", v, s.sample)) for v in layer.units]
                k = layer.units.index(s.name)
                if how == "net":
                    return entry.slope_expr(nets, nets, k, options)
                return entry.slope(outs[k], entry.out(outs[k], options), options)
            shown = TextPrinter()(rewrite(targets[0], None))
            prime = _prime(ix, [p.layer_of[split_id(t)[1]] for t in targets])
            label = (f"{prime} taken at net instead of out {scope} ({shown})" if how == "net" else
                     f"the activation applied twice {scope}: {prime} taken at out ({shown})")
            yield Mistake("slope_at_wrong_value", label, targets, rewrite)


def _softmax_diagonal(ix: _Index):
    """δ_k = ∂E/∂out_k · s_k(1 − s_k): only the diagonal of the softmax Jacobian (the −s_k·s_j
    terms left out); with a loss that fuses δ into y − t, the diagonal route from ∂E/∂y."""
    p = ix.problem
    if ACTIVATIONS[p.layers[ix.last].activation].elementwise:
        return
    deltas, _, fused = _output_deltas(ix)

    def diagonal(t: str, e: Expr) -> Expr:
        s = parse(t)
        return Mul((_sym(qid("dE/dout", s.name, s.sample)), _sym(qid("dout/dnet", s.name, s.sample))))
    name = ACTIVATIONS[p.layers[ix.last].activation].title
    if fused:
        slope = TextPrinter()(LOSSES[p.loss].slope(Sym("y"), Sym("t"), len(p.outputs)))
        label = (f"only the diagonal of the {name} Jacobian, from ∂E/∂y = {slope} "
                 f"(δ_k = ∂E/∂y_k · y_k(1 − y_k), not y_k − t_k)")
    else:
        label = (f"only the diagonal of the {name} Jacobian (δ_k = ∂E/∂y_k · y_k(1 − y_k), "
                 f"the −y_k·y_j terms left out)")
    yield Mistake("softmax_diagonal", label, tuple(deltas), diagonal)


def _softmax_no_exp(ix: _Index):
    """out_k = net_k / Σ_j net_j: softmax without the exponentials."""
    p = ix.problem
    for li, layer in enumerate(p.layers):
        if layer.activation != "softmax":
            continue
        outs = ix.ids("out", set(layer.units))

        def plain(t: str, e: Expr, units=layer.units) -> Expr:
            s = parse(t)
            nets = [_sym(qid("net", u, s.sample)) for u in units]
            return Div(_sym(qid("net", s.name, s.sample)), add(*nets))
        yield Mistake("softmax_no_exp", "softmax without the exponentials (y_k = net_k / Σ_j net_j)",
                      tuple(outs), plain, most=RARE)


def _hidden_paths(e: Expr, each: Callable[[Sym, Sym], Expr]) -> Expr:
    """The sum Σ δ·w of a hidden ∂E/∂out with each path's product δ·w replaced by ``each(δ, w)``."""
    def path(term: Expr) -> Expr:
        if isinstance(term, Mul) and len(term.factors) == 2 and all(isinstance(f, Sym) for f in term.factors):
            return each(*term.factors)
        return term
    if isinstance(e, Add):
        return Add(tuple(path(t) for t in e.terms), e.signs)
    return path(e)


def _weights_left_out(ix: _Index):
    """∂E/∂out_h = Σ_o δ_o: the weights of the paths left out."""
    targets = tuple(ix.ids("dE/dout", ix.layer_units(range(ix.last))))
    if targets:
        yield Mistake("weights_left_out", "the weights left out when backpropagating to the hidden units "
                      "(∂E/∂out_h = Σ δ_o, not Σ δ_o·w_ho)", targets,
                      lambda t, e: _hidden_paths(e, lambda d, w: d), most=RARE)


def _bias_left_out(ix: _Index):
    p = ix.problem
    layers = [li for li in range(ix.last + 1) if any(p.bias_of[u] for u in p.layers[li].units)]
    scopes = [[li] for li in layers] + ([layers] if len(layers) > 1 else [])
    for scope in scopes:
        units = ix.layer_units(scope)
        biases = sorted({p.bias_of[u].name for u in units if p.bias_of[u]})
        keys = {qid("param", b) for b in biases}

        def drop(t: str, e: Expr, keys=keys) -> Expr:
            if not isinstance(e, Add):
                return e
            kept = [(s, x) for s, x in zip(e.signs, e.terms) if not (isinstance(x, Sym) and x.key in keys)]
            return kept[0][1] if len(kept) == 1 else Add(tuple(x for _, x in kept), tuple(s for s, _ in kept))
        names = ", ".join(biases)
        yield Mistake("bias_left_out", f"the bias{'es' if len(biases) > 1 else ''} {names} left out of the net",
                      tuple(ix.ids("net", units)), drop)


def _updated_weights(ix: _Index):
    p = ix.problem
    hidden = ix.layer_units(range(ix.last))
    targets = tuple(ix.ids("dE/dout", hidden))
    updated = set(ix.model.updated)
    mapping = {qid("param", w.name): Sym(qid("new", w.name)) for w in p.weights if w.name in updated}
    if targets and mapping and not p.multi:   # one sample: "already updated" is well defined
        yield Mistake("updated_weights", "the updated weights used for the hidden deltas (w⁺ for w)",
                      targets, lambda t, e: substitute(e, mapping))


def _output_error_targets(ix: _Index) -> tuple[list[str], list[str]]:
    outs = set(ix.problem.outputs)
    slopes = ix.ids("dE/dout", outs)
    fused = [k for k in ix.ids("delta", outs)
             if not any(d.startswith("dE/dout:") for d in ix.model.deps(k))]
    return slopes, fused


def _batch(ix: _Index):
    """With several samples: the combined loss and gradients summed where the problem averages
    them (×n), or averaged where it sums them (÷n) — kept throughout, one mistake."""
    p = ix.problem
    if not p.multi:
        return
    n = len(p.samples)
    combined = [k for k, _, sfx in ix.by_kind.get("grad", ()) if not sfx] + \
        [k for k, name, sfx in ix.by_kind.get("E", ()) if name == "total" and not sfx]
    if not combined:
        return
    if p.batch == "mean":
        yield Mistake("batch", f"the batch summed instead of averaged (the combined loss and gradients ×{n})",
                      tuple(combined), _scaled(float(n)))
    else:
        yield Mistake("batch", f"the batch averaged instead of summed (the combined loss and gradients ÷{n})",
                      tuple(combined), _scaled(1.0 / n))


def _half(ix: _Index):
    slopes, fused = _output_error_targets(ix)
    parts = ix.ids("E", set(ix.problem.outputs))
    halved = LOSSES[ix.problem.loss].halved
    for factor, label in ((2.0, "the ½ of the loss dropped (errors and slopes ×2)" if halved
                           else "a factor 2 too many in the loss (errors and slopes ×2)"),
                          (0.5, "the ½ of the loss taken twice (errors and slopes ×½)" if halved
                           else "a factor 2 too few in the loss (errors and slopes ×½)")):
        yield Mistake("half", label, tuple(parts + slopes + fused), _scaled(factor))


def _sign(ix: _Index):
    """The error's sign flipped, and the update's.  In the convention error = t − y (a model
    judged in it: ``Model.convention``) the same changes read the other way round."""
    slopes, fused = _output_error_targets(ix)
    theirs = getattr(ix.model, "convention", "y - t") == "t - y"
    flipped = "(y − t for t − y, in your convention)" if theirs else "(t − y for y − t)"
    yield Mistake("sign", f"the sign of the error flipped {flipped}", tuple(slopes + fused),
                  lambda t, e: Neg(e))

    def toggle(t: str, e: Expr) -> Expr:
        return Add(e.terms, (e.signs[0], -e.signs[1])) if isinstance(e, Add) and len(e.terms) == 2 else e
    label = ("the update subtracted instead of added (in your convention, w + η·δ·out)" if theirs else
             "the update added instead of subtracted (w + η ∂E/∂w)")
    yield Mistake("sign", label, tuple(ix.ids("new")), toggle)


def _divided(ix: _Index):
    p = ix.problem
    grads = [k for k, n, _ in ix.by_kind.get("grad", ())
             if n in p.weight and isinstance(ix.model.exprs[k], Mul)]

    def by_input(t: str, e: Expr) -> Expr:
        if not isinstance(e, Mul):
            return e
        return Div(mul(*e.factors[:-1]), e.factors[-1])
    yield Mistake("divided", "divided by the weight's input instead of multiplied (∂E/∂w = δ / out)",
                  tuple(grads), by_input)

    def by_slope(t: str, e: Expr) -> Expr:
        if not isinstance(e, Mul):
            return e
        slope = [f for f in e.factors if isinstance(f, Sym) and f.key.startswith("dout/dnet:")]
        if not slope:
            return e
        rest = [f for f in e.factors if f is not slope[0]]
        return Div(mul(*rest), slope[0])
    slopes = set(ix.ids("dout/dnet"))
    targets = [k for k in ix.using(slopes, skip=slopes) if isinstance(ix.model.exprs[k], Mul)]
    if targets:
        yield Mistake("divided", "divided by the activation's slope instead of multiplied",
                      tuple(targets), by_slope)

    def by_eta(t: str, e: Expr) -> Expr:
        if isinstance(e, Add) and isinstance(e.terms[1], Mul) and len(e.terms[1].factors) == 2:
            eta, g = e.terms[1].factors
            return Add((e.terms[0], Div(g, eta)), e.signs)
        return e
    yield Mistake("divided", "the gradient divided by η instead of multiplied in the update",
                  tuple(ix.ids("new")), by_eta)

    hidden = tuple(ix.ids("dE/dout", ix.layer_units(range(ix.last))))
    if hidden:
        yield Mistake("divided", "δ divided by the weight instead of multiplied when backpropagating "
                      "to the hidden units (∂E/∂out_h = Σ δ_o / w_ho)", hidden,
                      lambda t, e: _hidden_paths(e, lambda d, w: Div(d, w)), most=RARE)


LEARNING_RATES = (0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0)
"""Learning rates a person may take by mistake (besides η×10, η/10, η×2, η/2 and the η of the
built-in problems): a fixed short list, not fitted to the claim -- see docs/claims-format.md."""


@functools.lru_cache(maxsize=1)
def _builtin_rates() -> tuple[float, ...]:
    from ..problem import builtins, load
    found = []
    for name in builtins():
        try:
            found.append(float(load(name).learning_rate))
        except Exception:      # a broken built-in is not this mistake's business
            continue
    return tuple(found)


def _learning_rate(ix: _Index):
    """The update done with another learning rate (one of a few common values)."""
    targets = tuple(ix.ids("new"))
    eta = float(ix.problem.learning_rate)
    if not targets or not eta:
        return
    rates = LEARNING_RATES + (eta * 10, eta / 10, eta * 2, eta / 2) + _builtin_rates()
    seen = {float(f"{eta:.12g}")}
    for rate in rates:
        rate = float(f"{rate:.12g}")
        if rate in seen:
            continue
        seen.add(rate)
        yield Mistake("learning_rate", f"the learning rate taken as {rate:g}, not {eta:g}", targets,
                      lambda t, e, rate=rate: substitute(e, {ETA: Num(rate)}), rate=rate, most=RARE)


MAX_SWAP_WEIGHTS = 64    # layers with more weights than this are not searched for swapped weights


def _wrong_edge(ix: _Index):
    p = ix.problem
    for layer in p.layers:
        if sum(len(p.incoming[u]) for u in layer.units) > MAX_SWAP_WEIGHTS:
            continue
        at = {}
        for j, u in enumerate(layer.units):
            for i, w in enumerate(p.incoming[u]):
                at[(i, j)] = w
        pairs = []
        for (a, wa), (b, wb) in combinations(sorted(at.items()), 2):
            same_src, same_dst = a[0] == b[0], a[1] == b[1]
            transposed = a == (b[1], b[0])
            if (same_src or same_dst or transposed) and wa.value != wb.value:
                pairs.append((wa, wb))
        for wa, wb in pairs:
            yield Mistake("wrong_edge", f"{wa.name} and {wb.name} swapped ({wa.src}→{wa.dst} and "
                          f"{wb.src}→{wb.dst})",
                          base=((qid("param", wa.name), wb.value), (qid("param", wb.name), wa.value)))


def _bias_update(ix: _Index):
    p = ix.problem
    if not p.biases or AFTER not in ix.model.exact:
        return
    if p.update_biases:
        keep = tuple(w.name for w in p.weights)
        yield Mistake("bias_update", "the biases left as they were (the problem updates them)", updated=keep)
    else:
        rule = OPTIMIZERS[p.optimizer].update
        adds = tuple((qid("new", b.name), rule(Sym(qid("param", b.name)), Sym(qid("grad", b.name)), Sym(ETA),
                                                       p.optimizer_settings))
                     for b in p.biases)
        yield Mistake("bias_update", "the biases updated too (the problem keeps them fixed)",
                      updated=tuple(ix.model.updated) + tuple(b.name for b in p.biases), adds=adds)


def _log_base(ix: _Index):
    """log10 or log2 for ln in a loss that takes a logarithm: the loss values alone, or the loss
    and its derivative consistently (each ÷ ln 10 or ÷ ln 2)."""
    p = ix.problem
    if not LOSSES[p.loss].uses_log:
        return
    parts = ix.ids("E", set(p.outputs))
    slopes = ix.ids("dE/dout", set(p.outputs))
    fused = _output_deltas(ix)[1] if _output_deltas(ix)[2] else []
    for base, name in ((10, "log10"), (2, "log2")):
        factor = 1.0 / math.log(base)
        yield Mistake("log_base", f"{name} instead of ln in the loss (E ÷ ln {base}; the gradients as with ln)",
                      tuple(parts), _scaled(factor), after=AFTER in ix.model.exact, most=RARE)
        yield Mistake("log_base", f"{name} instead of ln in the loss and its derivative "
                      f"(E and ∂E/∂y ÷ ln {base})", tuple(parts + slopes + fused), _scaled(factor),
                      most=RARE)


def _bias_shared(ix: _Index):
    """A layer's per-unit biases taken as one shared bias: each one's gradient the sum of the
    layer's deltas."""
    p = ix.problem
    for layer in p.layers:
        own = [p.bias_of[u] for u in layer.units]
        if len(layer.units) < 2 or not all(b is not None and len(b.units) == 1 for b in own):
            continue
        names = {b.name for b in own}
        targets = tuple(k for k, n, _ in ix.by_kind.get("grad", ())
                        if n in names and isinstance(ix.model.exprs[k], Sym))

        def shared(t: str, e: Expr, units=layer.units) -> Expr:
            s = parse(t)
            return add(*[_sym(qid("delta", u, s.sample)) for u in units])
        if targets:
            yield Mistake("bias_shared", f"the biases {', '.join(b.name for b in own)} taken as one shared "
                          f"bias (each one's ∂E/∂b = the sum of the layer's deltas)", targets, shared,
                          most=RARE)


# ---------------------------------------------------------------- the optimizer's mistakes
# Each rewrites the trees of the update the optimizer's entry gives (solve/equations.py makes
# them each parameter's: m:w5, mhat:w5, new:w5 ...), so it applies to whatever optimizer has
# those steps, at any step t.


def _kind_of(key: str, kind: str) -> str:
    """The id of ``kind`` of the parameter of ``key`` (``mhat:w5`` -> ``m:w5``)."""
    return qid(kind, parse(key).name)


def _bias_correction(ix: _Index):
    """m̂ and v̂ taken as m and v (the division by 1 − β^t left out), both or one of them."""
    mhat, vhat = ix.ids("mhat"), ix.ids("vhat")
    if not mhat and not vhat:
        return
    uncorrected = lambda t, e: _sym(_kind_of(t, parse(t).kind[:-3]))     # mhat:w5 -> m:w5
    yield Mistake("bias_correction", "the bias correction left out (m̂ = m, v̂ = v: no division by "
                  "1 − β^t)", tuple(mhat + vhat), uncorrected)
    if mhat and vhat:
        yield Mistake("bias_correction", "the bias correction of m left out (m̂ = m)", tuple(mhat),
                      uncorrected, most=RARE)
        yield Mistake("bias_correction", "the bias correction of v left out (v̂ = v)", tuple(vhat),
                      uncorrected, most=RARE)


def _wrong_t(ix: _Index):
    """The bias correction 1 − β^t worked with t − 1 or t + 1 (the step count off by one)."""
    targets = tuple(ix.ids("mhat") + ix.ids("vhat"))
    t = int(ix.model.base.get(STEP, 1))
    if not targets:
        return
    for other in (t - 1, t + 1):
        if other < 1:
            continue

        def power(e: Expr, other=other) -> Expr | None:
            if isinstance(e, Pow) and isinstance(e.base, Sym) and e.base.key.startswith("hyper:beta"):
                return Pow(e.base, other)
            return None
        yield Mistake("wrong_t", f"the bias correction with t = {other} instead of {t} (1 − β^{other})",
                      targets, lambda _, e, power=power: transform(e, power))


def _sqrt_plus_eps(e: Expr) -> Expr | None:
    """√x + ε as √(x + ε)."""
    if isinstance(e, Add) and len(e.terms) == 2 and e.signs == (1, 1) and isinstance(e.terms[0], Fn) \
            and e.terms[0].func is SQRT and isinstance(e.terms[1], Sym) and e.terms[1].key == "hyper:eps":
        return Fn(SQRT, Add((e.terms[0].arg, e.terms[1]), (1, 1)))
    return None


def _eps_inside(ix: _Index):
    targets = tuple(k for k in ix.ids("new") if transform(ix.model.exprs[k], _sqrt_plus_eps) != ix.model.exprs[k])
    if targets:
        yield Mistake("eps_inside", "ε inside the square root (√(v̂ + ε) for √v̂ + ε)", targets,
                      lambda t, e: transform(e, _sqrt_plus_eps))


def _eta_twice(ix: _Index):
    """The learning rate applied twice: momentum's velocity built from η·g and then stepped by
    η again (the two textbook forms mixed); Adam's or RMSprop's step by η² ."""
    velocity = ix.ids("velocity")
    if velocity:
        yield Mistake("eta_twice", "the learning rate applied twice (the velocity built from η·g, then "
                      "the step η × velocity)", tuple(velocity),
                      lambda t, e: substitute(e, {_kind_of(t, "grad"): Mul((_sym(ETA), _sym(_kind_of(t, "grad"))))}))
    elif ix.ids("v") or ix.ids("m"):
        yield Mistake("eta_twice", "the learning rate applied twice (η² in the step)", tuple(ix.ids("new")),
                      lambda t, e: substitute(e, {ETA: Mul((_sym(ETA), _sym(ETA)))}))


def _decay_coupled(ix: _Index):
    """AdamW's weight decay done as Adam's L2: λ·p added to the gradient in m and v, the
    parameter not shrunk."""
    shrunk = ix.ids("shrunk")
    if not shrunk:
        return
    names = {parse(k).name for k in shrunk}
    moments = [k for k in ix.ids("m") + ix.ids("v") if parse(k).name in names]
    news = [k for k in ix.ids("new") if parse(k).name in names]
    decay = _sym("hyper:weight_decay")

    def coupled(t: str, e: Expr) -> Expr:
        g, p = _kind_of(t, "grad"), _kind_of(t, "param")
        if t.startswith("new:"):
            return substitute(e, {_kind_of(t, "shrunk"): _sym(p)})
        return substitute(e, {g: Add((_sym(g), Mul((decay, _sym(p)))), (1, 1))})
    yield Mistake("decay_coupled", "AdamW's weight decay added to the gradient (L2, as in Adam: "
                  "g + λ·p in m and v) instead of shrinking the parameter by η·λ", tuple(moments + news), coupled)


def _decay_left_out(ix: _Index):
    decayed, shrunk = ix.ids("decayed"), ix.ids("shrunk")
    if decayed or shrunk:
        yield Mistake("decay_left_out", "the weight decay left out (λ = 0)", tuple(decayed + shrunk),
                      lambda t, e: _sym(_kind_of(t, "grad" if t.startswith("decayed:") else "param")))


def _momentum_sign(ix: _Index):
    """v = μ·v − g (the form whose step is p + η·v) with the step p − η·v."""
    targets = tuple(k for k in ix.ids("velocity") if isinstance(ix.model.exprs[k], Add)
                    and len(ix.model.exprs[k].terms) == 2)
    if targets:
        yield Mistake("momentum_sign", "the gradient subtracted in the velocity (μ·v − g, the form "
                      "stepped p + η·v) but the step p − η·v", targets,
                      lambda t, e: Add(e.terms, (e.signs[0], -e.signs[1])) if isinstance(e, Add) else e)


def _momentum_order(ix: _Index):
    news = [k for k in ix.ids("new") if _kind_of(k, "velocity") in ix.model.exprs]
    if news:
        yield Mistake("momentum_order", "the step taken with the velocity before this step's update "
                      "(p − η·v_{t−1})", tuple(news),
                      lambda t, e: substitute(e, {_kind_of(t, "velocity"): _sym("state:" + _kind_of(t, "velocity"))}))


def _state_reset(ix: _Index):
    """Every state before the step taken as 0, as if this were step 1 (the state not carried)."""
    state = tuple((k, 0.0) for k, v in ix.model.base.items() if k.startswith("state:") and v != 0)
    if state:
        yield Mistake("state_reset", "the optimizer's state before the step taken as 0 (not carried "
                      "from the steps before)", base=state)


# ---------------------------------------------------------------- mistakes at one step


def local(model: Model, qid: str, pins) -> list[Mistake]:
    """Mistakes made at the step ``qid`` (and decimal slips in the unwritten steps it uses).

    The same objects for the same step and the same of its inputs pinned (memoised on the
    model): combinations found for one claim are known for the next claim of that step."""
    pinned = frozenset(k for k in model.deps(qid) if k in pins)
    cache = model.__dict__.setdefault("_local", {})
    found = cache.get((qid, pinned))
    if found is None:
        found = cache[(qid, pinned)] = _local(model, qid, pinned)
    return list(found)


def _local(model: Model, qid: str, pins) -> list[Mistake]:
    found: list[Mistake] = []
    expr = model.exprs.get(qid)
    if expr is None:
        return found
    order = model.order
    here = order.get(qid, len(order))
    known = set(model.exprs) | set(model.base)
    for key in model.deps(qid):
        for other in _neighbours(model, key):
            if other in known and other != qid and order.get(other, -1) < here:
                found.append(Mistake("other_value", f"{pretty(other)} used in place of {pretty(key)} in "
                                     f"{pretty(qid)}", (qid,),
                                     lambda t, e, a=key, b=other: substitute(e, {a: _sym(b)})))
        if key in model.exprs and key not in pins:
            for power in (1, -1):
                factor = 10.0 ** power
                found.append(Mistake("decimal_slip", f"a decimal slip in {pretty(key)} "
                                     f"({'×' if power > 0 else '÷'}10)", (key,), _scaled(factor)))
    return found


def _neighbours(model: Model, key: str) -> list[str]:
    """Values a person could take by mistake for ``key``: the same kind of another unit of
    the layer, net for out and out for net, δ for ∂E/∂out, another input, another sample."""
    p = model.problem
    s = parse(key)
    if s is None or s.kind == "new":
        return []
    kind, name, n = s.kind, s.name, s.sample
    if kind == "in":
        return [qid("in", x, n) for x in p.inputs if x != name] + _other_samples(model, key)
    found: list[str] = []
    if kind == "grad":
        w = p.weight.get(name)
        if w is not None:
            found = [qid("grad", v.name, n) for v in p.weights
                     if v.name != name and (v.src == w.src or v.dst == w.dst)]
        return found + _other_samples(model, key)
    if name not in p.layer_of or p.layer_of[name] < 0:
        return _other_samples(model, key)
    layer = p.layers[p.layer_of[name]]
    found = [qid(kind, u, n) for u in layer.units if u != name]
    swap = {"net": "out", "out": "net", "dE/dout": "delta", "delta": "dE/dout"}.get(kind)
    if swap:
        found.append(qid(swap, name, n))
    return found + _other_samples(model, key)


def _other_samples(model: Model, key: str) -> list[str]:
    s = parse(key)
    if not model.problem.multi or s is None or s.sample is None:
        return []
    return [qid(s.kind, s.name, k) for k in range(1, len(model.problem.samples) + 1) if k != s.sample]


@functools.lru_cache(maxsize=None)
def slip(power: int) -> Mistake:
    """A decimal slip in the claimed number itself (the point moved ``power`` places)."""
    sign = "×" if power > 0 else "÷"
    return Mistake("decimal_slip", f"a decimal slip ({sign}{10 ** abs(power)})", scale=10.0 ** power)
