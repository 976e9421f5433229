"""Problem + exact numbers -> steps, in the order a person writes them.

For each quantity: its formula as an expression tree, the numbers substituted,
the value, the ids it uses, the nodes and edges it concerns, and one sentence of
what it means.  Hidden-layer gradients are written with deltas and, while a
weight has at most :data:`MAX_PATHS` paths to the outputs, also as the explicit
sum over every path (where hand solutions go wrong).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from math import prod
from typing import Iterable

from .engine import Solution, solve, suffix
from ..expr.nodes import (Add, Expr, LatexPrinter, Mul, Num, Sym, TextPrinter, add, partial, tex_name)
from ..nn.functions import ACTIVATIONS, FUSED_DELTA, LOSSES, softmax_out_expr
from ..problem.model import Problem, ProblemError
from ..trace import Focus, Form, Step, Term, Trace

MAX_PATHS = 16
MAX_STEPS = 2_000_000
ETA = Sym("eta", r"\eta", "η")

QUESTIONS = {
    "A": "How wrong is the output? (the loss's slope at this output)",
    "B": "How steep is the activation here? (the output unit's slope)",
    "B′": "How steep is the hidden unit's activation here?",
    "C": "How much does the weight's input matter? (dnet/dw is the input it multiplies)",
    "C_path": "How much does the hidden output matter to this output? (the weight on the path)",
    "D": "How much does the input matter? (dnet/dw is the input itself)",
    "δ": "How wrong is the output, through the output activation? (the output's delta)",
    "Σ": "How much does this unit's output matter to the error, over every path?",
}


# ---------------------------------------------------------------- symbols


def _memo(method):
    """Cache a Names method per instance: the same symbol is asked for thousands of times."""
    name = method.__name__

    def cached(self, arg: str) -> Sym:
        key = (name, arg)
        sym = self._cache.get(key)
        if sym is None:
            sym = self._cache[key] = method(self, arg)
        return sym

    cached.__doc__ = method.__doc__
    return cached


class Names:
    """Symbols for every quantity of one sample (``sfx`` = ``''`` or ``'[k]'``)."""

    def __init__(self, problem: Problem, sfx: str):
        self.p = problem
        self.sfx = sfx
        k = sfx[1:-1]
        self.sup = f"^{{({k})}}" if k else ""
        self._cache: dict[tuple[str, str], Sym] = {}

    def unit(self, u: str) -> str:
        return tex_name(u)

    @_memo
    def out(self, u: str) -> Sym:
        if self.p.layer_of[u] < 0:
            return self.input(u)
        return Sym(f"out:{u}{self.sfx}", rf"\mathrm{{out}}_{{{tex_name(u)}}}{self.sup}", f"out_{u}{self.sfx}")

    @_memo
    def input(self, x: str) -> Sym:
        return Sym(f"in:{x}{self.sfx}", f"{{{tex_name(x)}}}{self.sup}", f"{x}{self.sfx}")

    @_memo
    def net(self, u: str) -> Sym:
        return Sym(f"net:{u}{self.sfx}", rf"\mathrm{{net}}_{{{tex_name(u)}}}{self.sup}", f"net_{u}{self.sfx}")

    @_memo
    def target(self, u: str) -> Sym:
        return Sym(f"target:{u}{self.sfx}", f"t_{{{tex_name(u)}}}{self.sup}", f"t_{u}{self.sfx}")

    @_memo
    def E(self, u: str) -> Sym:
        return Sym(f"E:{u}{self.sfx}", f"E_{{{tex_name(u)}}}{self.sup}", f"E_{u}{self.sfx}")

    def total(self) -> Sym:
        return Sym(f"E:total{self.sfx}", rf"E_{{\mathrm{{total}}}}{self.sup}", f"E_total{self.sfx}")

    @_memo
    def dE(self, u: str) -> Sym:
        return Sym(f"dE/dout:{u}{self.sfx}",
                   rf"\frac{{\partial E{self.sup}}}{{\partial \mathrm{{out}}_{{{tex_name(u)}}}}}",
                   f"∂E/∂out_{u}{self.sfx}")

    @_memo
    def dout(self, u: str) -> Sym:
        return Sym(f"dout/dnet:{u}{self.sfx}",
                   rf"\frac{{\partial \mathrm{{out}}_{{{tex_name(u)}}}{self.sup}}}"
                   rf"{{\partial \mathrm{{net}}_{{{tex_name(u)}}}}}",
                   f"∂out_{u}/∂net_{u}{self.sfx}")

    @_memo
    def delta(self, u: str) -> Sym:
        return Sym(f"delta:{u}{self.sfx}", rf"\delta_{{{tex_name(u)}}}{self.sup}", f"δ_{u}{self.sfx}")

    @_memo
    def grad(self, p: str) -> Sym:
        return Sym(f"grad:{p}{self.sfx}",
                   rf"\frac{{\partial E{self.sup}}}{{\partial {tex_name(p)}}}", f"∂E/∂{p}{self.sfx}")

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def param(p: str) -> Sym:
        return Sym(f"param:{p}", tex_name(p), p)

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def new(p: str) -> Sym:
        return Sym(f"new:{p}", f"{tex_name(p)}^{{+}}", f"{p}⁺")


def _frac(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


# ---------------------------------------------------------------- the builder


@dataclass
class Derivation:
    """The trace and, for each step, the expression it was written from."""

    trace: Trace
    exprs: dict[str, Expr]
    env: dict[str, float]


@dataclass
class _Builder:
    problem: Problem
    solution: Solution
    digits: int
    env: dict[str, float] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    exprs: dict[str, Expr] = field(default_factory=dict)
    terms: dict[tuple[str, str, str], Term] = field(default_factory=dict)

    def __post_init__(self):
        p = self.problem
        self.env.update(self.solution.values)
        self.env["eta"] = p.learning_rate
        for name, value in p.params.items():
            self.env[f"param:{name}"] = value
        for k, s in enumerate(p.samples):
            sfx = suffix(p, k)
            for x, v in zip(p.inputs, s.inputs):
                self.env[f"in:{x}{sfx}"] = v
            for u, t in zip(p.outputs, s.targets):
                self.env[f"target:{u}{sfx}"] = t
        self.tex_sym = LatexPrinter(None, self.digits)
        self.txt_sym = TextPrinter(None, self.digits)
        self.tex_num = LatexPrinter(self.env, self.digits)
        self.txt_num = TextPrinter(self.env, self.digits)

    # -- writing one step

    def fmt(self, value: float) -> str:
        return self.txt_num.number(value).replace("\u2212", "-")

    def lines(self, lhs: Sym | str, expr: Expr, value: float) -> tuple[str, str, str, str]:
        """(latex, text, substituted_latex, substituted) of ``lhs = expr``."""
        lhs_tex, lhs_txt = (lhs.tex, lhs.txt) if isinstance(lhs, Sym) else lhs
        latex = f"{lhs_tex} = {self.tex_sym(expr)}"
        text = f"{lhs_txt} = {self.txt_sym(expr)}"
        sub_tex = [self.tex_num(expr)]
        sub_txt = [self.txt_num(expr)]
        mid = partial(expr, self.env)
        if mid is not None:
            sub_tex.append(self.tex_num(mid))
            sub_txt.append(self.txt_num(mid))
        value_tex = self.tex_num.number(value)
        value_txt = self.txt_num.number(value)
        if sub_txt[-1] != value_txt:
            sub_tex.append(value_tex)
            sub_txt.append(value_txt)
        return latex, text, " = ".join(sub_tex), " = ".join(sub_txt)

    def add(self, sid: str, phase: str, title: str, lhs: Sym, expr: Expr, note: str,
            nodes: Iterable[str] = (), edges: Iterable[str] = (), terms: tuple[Term, ...] = (),
            forms: tuple[Form, ...] = (), sample: int | None = None, layer: int | None = None,
            uses: Iterable[str] | None = None) -> None:
        value = self.solution.values[sid]
        latex, text, sub_tex, sub_txt = self.lines(lhs, expr, value)
        if uses is None:
            uses = [k for k in expr.symbols() if k in self.solution.values]
        self.exprs[sid] = expr
        self.steps.append(Step(
            id=sid, phase=phase, title=title, latex=latex, text=text, substituted_latex=sub_tex,
            substituted=sub_txt, value=value, uses=tuple(uses),
            focus=Focus(tuple(dict.fromkeys(nodes)), tuple(dict.fromkeys(edges))), note=note,
            terms=terms, forms=forms, sample=sample, layer=layer))

    def form(self, kind: str, title: str, lhs: Sym, expr: Expr, value: float) -> Form:
        latex, text, sub_tex, sub_txt = self.lines(lhs, expr, value)
        return Form(kind, title, latex, text, sub_tex, sub_txt)

    def term(self, label: str, sym: Sym, question: str) -> Term:
        """A labelled chain-rule factor (shared: the 784 weights into one unit share two of three)."""
        key = (label, sym.key, question)
        found = self.terms.get(key)
        if found is None:
            ref = sym.key if sym.key in self.solution.values else None
            found = self.terms[key] = Term(label, sym.tex, sym.txt, self.env[sym.key], ref,
                                           QUESTIONS.get(question, question))
        return found

    # -- the whole derivation

    def build(self) -> None:
        p = self.problem
        for k in range(len(p.samples)):
            n = Names(p, suffix(p, k))
            sample = k + 1 if p.multi else None
            self.forward(n, sample)
            self.loss(n, sample)
            self.backward(n, sample)
        if p.multi:
            self.combine()
        self.update()

    def forward(self, n: Names, sample: int | None) -> None:
        p = self.problem
        for li, layer in enumerate(p.layers):
            act = ACTIVATIONS[layer.activation]
            where = "output" if li == len(p.layers) - 1 else "hidden"
            for u in layer.units:
                terms = [Mul((Names.param(w.name), n.out(w.src)), juxt=True) for w in p.incoming[u]]
                bias = p.bias_of[u]
                if bias is not None:
                    terms.append(Names.param(bias.name))
                nodes = [w.src for w in p.incoming[u]] + [u] + ([bias.name] if bias else [])
                self.add(f"net:{u}{n.sfx}", "forward", f"Net input of {u}", n.net(u), add(*terms),
                         f"The net input of {where} unit {u}: each incoming value times its weight"
                         + (", plus the bias." if bias else " (no bias)."),
                         nodes=nodes, edges=[w.name for w in p.incoming[u]], sample=sample, layer=li)
            for u in layer.units:
                if layer.activation == "softmax":
                    expr = softmax_out_expr(n.net(u), [n.net(v) for v in layer.units])
                    nodes = list(layer.units)
                else:
                    expr = act.out_expr(n.net(u), layer.slope)
                    nodes = [u]
                value = self.solution.values[f"out:{u}{n.sfx}"]
                self.add(f"out:{u}{n.sfx}", "forward", f"Output of {u}", n.out(u), expr,
                         f"{u}'s output: its {layer.activation} activation applied to the net input "
                         f"gives {self.fmt(value)}.", nodes=nodes, sample=sample, layer=li)

    def loss(self, n: Names, sample: int | None) -> None:
        p = self.problem
        loss = LOSSES[p.loss]
        m = len(p.outputs)
        last = len(p.layers) - 1
        for u in p.outputs:
            y, t = self.env[f"out:{u}{n.sfx}"], self.env[f"target:{u}{n.sfx}"]
            self.add(f"E:{u}{n.sfx}", "loss", f"Error of {u}", n.E(u), loss.E_expr(n.out(u), n.target(u), m),
                     f"How far {u}'s output {self.fmt(y)} is from its target {self.fmt(t)}, "
                     f"as {loss.title} counts it.", nodes=[u], sample=sample, layer=last)
        self.add(f"E:total{n.sfx}", "loss", "Total error", n.total(), add(*[n.E(u) for u in p.outputs]),
                 f"The total error{' of this sample' if sample else ''}: the errors of the "
                 f"{m} output{'s' if m > 1 else ''} added up.",
                 nodes=list(p.outputs), sample=sample, layer=last)

    def backward(self, n: Names, sample: int | None) -> None:
        p = self.problem
        last = len(p.layers) - 1
        out_layer = p.layers[last]
        loss = LOSSES[p.loss]
        m = len(p.outputs)
        fused = (out_layer.activation, p.loss) in FUSED_DELTA
        act = ACTIVATIONS[out_layer.activation]
        for u in out_layer.units:
            y = self.env[f"out:{u}{n.sfx}"]
            t = self.env[f"target:{u}{n.sfx}"]
            side = "above" if y > t else "below" if y < t else "exactly at"
            slope = self.solution.values[f"dE/dout:{u}{n.sfx}"]
            effect = ("raising it would raise the error" if slope > 0 else
                      "raising it would lower the error" if slope < 0 else
                      "this loss does not change with it here")
            self.add(f"dE/dout:{u}{n.sfx}", "backward", f"How wrong is {u}?", n.dE(u),
                     loss.dE_expr(n.out(u), n.target(u), m),
                     f"How wrong is the output: {u} is {self.fmt(abs(y - t))} {side} its target {self.fmt(t)}; "
                     f"{effect}.", nodes=[u], sample=sample, layer=last)
            self.add(f"dout/dnet:{u}{n.sfx}", "backward", f"How steep is {u}'s activation?", n.dout(u),
                     act.derivative_expr(n.net(u), n.out(u), out_layer.slope),
                     f"How steep is the activation here: {act.steepness}.",
                     nodes=[u], sample=sample, layer=last)
        for u in out_layer.units:
            if fused:
                expr = Add((n.out(u), n.target(u)), (1, -1))
                note = (f"With {FUSED_DELTA[(out_layer.activation, p.loss)]} the chain rule simplifies "
                        f"exactly: δ = out − target.")
                uses = [f"out:{u}{n.sfx}"]
            elif out_layer.activation == "softmax":
                others = add(*[Mul((n.dE(v), n.out(v)), juxt=True) for v in out_layer.units])
                expr = Mul((n.out(u), Add((n.dE(u), others), (1, -1))), juxt=True)
                note = ("Softmax couples the outputs: δ = out × (∂E/∂out − Σ ∂E/∂out_k out_k), "
                        "the Jacobian applied to the loss's slopes.")
                uses = None
            else:
                expr = Mul((n.dE(u), n.dout(u)))
                note = (f"{u}'s delta: how much the error changes per unit of its net input "
                        "(how wrong × how steep).")
                uses = None
            self.add(f"delta:{u}{n.sfx}", "backward", f"Delta of {u}", n.delta(u), expr, note,
                     nodes=[u], sample=sample, layer=last, uses=uses)
        self.gradients(n, last, sample)
        for li in range(last - 1, -1, -1):
            layer = p.layers[li]
            act = ACTIVATIONS[layer.activation]
            for u in layer.units:
                outs = p.outgoing[u]
                expr = add(*[Mul((n.delta(w.dst), Names.param(w.name))) for w in outs])
                self.add(f"dE/dout:{u}{n.sfx}", "backward", f"How much does {u}'s output matter?",
                         n.dE(u), expr,
                         f"{u} feeds {len(outs)} unit{'s' if len(outs) > 1 else ''}: the error flows back "
                         "along every one of them, each delta times the weight it passed through, "
                         "and the paths add up.",
                         nodes=[u] + [w.dst for w in outs], edges=[w.name for w in outs],
                         sample=sample, layer=li)
                self.add(f"dout/dnet:{u}{n.sfx}", "backward", f"How steep is {u}'s activation?",
                         n.dout(u), act.derivative_expr(n.net(u), n.out(u), layer.slope),
                         f"How steep is the activation here: {act.steepness}.",
                         nodes=[u], sample=sample, layer=li)
                self.add(f"delta:{u}{n.sfx}", "backward", f"Delta of {u}", n.delta(u),
                         Mul((n.dE(u), n.dout(u))),
                         f"{u}'s delta: how much the error changes per unit of its net input.",
                         nodes=[u], sample=sample, layer=li)
            self.gradients(n, li, sample)

    # -- gradients of one layer's parameters

    def gradients(self, n: Names, li: int, sample: int | None) -> None:
        p = self.problem
        units = set(p.layers[li].units)
        last = len(p.layers) - 1
        for w in p.weights:
            if w.dst in units:
                if li == last:
                    self.output_gradient(n, w, sample, li)
                else:
                    self.hidden_gradient(n, w, sample, li)
        for b in p.biases:
            if min(p.layer_of[u] for u in b.units) == li:   # after every delta it sums
                expr = add(*[n.delta(u) for u in b.units])
                shared = len(b.units) > 1
                self.add(f"grad:{b.name}{n.sfx}", "backward", f"Gradient of {b.name}", n.grad(b.name), expr,
                         (f"{b.name} is shared by {len(b.units)} units, so its gradient is the sum of their "
                          "deltas (∂net/∂b = 1 for each)." if shared else
                          f"∂net/∂{b.name} = 1, so the gradient of a bias is its unit's delta."),
                         nodes=[b.name, *b.units], sample=sample, layer=li)

    def output_gradient(self, n: Names, w, sample: int | None, li: int) -> None:
        p = self.problem
        u, src = w.dst, w.src
        act = p.layers[li].activation
        fused = (act, p.loss) in FUSED_DELTA
        C = n.out(src)
        if act == "softmax" or fused:
            expr = Mul((n.delta(u), C))
            terms = (self.term("δ", n.delta(u), "δ"), self.term("C", C, "C"))
        else:
            expr = Mul((n.dE(u), n.dout(u), C))
            terms = (self.term("A", n.dE(u), "A"), self.term("B", n.dout(u), "B"),
                     self.term("C", C, "C"))
        g = self.solution.values[f"grad:{w.name}{n.sfx}"]
        coupled = act == "softmax" or fused
        forms = () if coupled else (
            self.form("delta", "Delta form", n.grad(w.name), Mul((n.delta(u), C)), g),)
        chain_lhs = self.chain_lhs(n, w, through_net=coupled)
        self.add(f"grad:{w.name}{n.sfx}", "backward", f"Gradient of {w.name} (output layer)",
                 Sym(n.grad(w.name).key, chain_lhs[0], chain_lhs[1]), expr,
                 f"How much does the weight's input matter: {w.name} multiplies {src}'s output "
                 f"{self.fmt(self.env[C.key])}, so its gradient is {u}'s delta scaled by it; "
                 f"{'positive, so ' + w.name + ' will decrease' if g > 0 else 'negative, so ' + w.name + ' will increase' if g < 0 else 'zero, so ' + w.name + ' stays'}.",
                 nodes=[src, u], edges=[w.name], terms=terms, forms=forms, sample=sample, layer=li)

    @staticmethod
    def chain_lhs(n: Names, w, through_net: bool = False) -> tuple[str, str]:
        """``dE/dw = dE/dout_u dout_u/dnet_u dnet_u/dw``, the chain written out.

        ``through_net``: the output's delta is taken whole (softmax couples the
        outputs; sigmoid + bce simplifies), so the chain is ``dE/dnet_u dnet_u/dw``.
        """
        u = w.dst
        if through_net:
            return (rf"{n.grad(w.name).tex} = {_frac('E' + n.sup, n.net(u).tex)} "
                    rf"{_frac(n.net(u).tex, tex_name(w.name))}",
                    f"{n.grad(w.name).txt} = ∂E/∂net_{u}{n.sfx} × ∂net_{u}/∂{w.name}{n.sfx}")
        return (rf"{n.grad(w.name).tex} = {_frac('E' + n.sup, n.out(u).tex)} "
                rf"{_frac(n.out(u).tex, n.net(u).tex)} {_frac(n.net(u).tex, tex_name(w.name))}",
                f"{n.grad(w.name).txt} = ∂E/∂out_{u}{n.sfx} × ∂out_{u}/∂net_{u}{n.sfx} × "
                f"∂net_{u}/∂{w.name}{n.sfx}")

    def paths(self, u: str, li: int) -> list[list]:
        """Every path of weights from unit ``u`` (layer ``li``) to an output."""
        p = self.problem
        result: list[list] = [[]]
        for _ in range(li + 1, len(p.layers)):
            result = [path + [w] for path in result
                      for w in p.outgoing[path[-1].dst if path else u]]
        return result

    def hidden_gradient(self, n: Names, w, sample: int | None, li: int) -> None:
        p = self.problem
        u, src = w.dst, w.src
        g = self.solution.values[f"grad:{w.name}{n.sfx}"]
        D = n.out(src)
        Bh = n.dout(u)
        chain = Mul((n.dE(u), Bh, D))
        is_input = p.layer_of[src] < 0
        d_question = "D" if is_input else "C"
        count = prod(len(p.layers[j].units) for j in range(li + 1, len(p.layers)))
        forms = []
        terms: tuple[Term, ...]
        nodes, edges = [src, u], [w.name]
        if count <= MAX_PATHS:
            last = len(p.layers) - 1
            out_act = p.layers[last].activation
            by_delta = out_act == "softmax" or (out_act, p.loss) in FUSED_DELTA
            products = []
            labelled: list[Term] = []
            for k, path in enumerate(self.paths(u, li), start=1):
                y = path[-1].dst
                head = [n.delta(y)] if by_delta else [n.dE(y), n.dout(y)]
                factors: list[Expr] = list(head)
                for edge in reversed(path):
                    factors.append(Names.param(edge.name))
                    if edge.src != u:
                        factors.append(n.dout(edge.src))
                products.append(Mul(tuple(factors)))
                nodes += [e.dst for e in path]
                edges += [e.name for e in path]
                if li == last - 1:
                    sub = str(k) if len(p.outputs) > 1 else ""
                    if by_delta:
                        labelled.append(self.term(f"δ{sub}", n.delta(y), "δ"))
                    else:
                        labelled += [self.term(f"A{sub}", n.dE(y), "A"), self.term(f"B{sub}", n.dout(y), "B")]
                    labelled.append(self.term(f"C{sub}", Names.param(path[-1].name), "C_path"))
            path_expr = Mul((add(*products), Bh, D))
            forms.append(self.form("paths", f"Sum over all {count} path{'s' if count > 1 else ''} to the outputs",
                                   n.grad(w.name), path_expr, g))
            if labelled:
                terms = tuple(labelled) + (self.term("B′", Bh, "B′"), self.term("D", D, d_question))
            else:
                terms = (self.term("Σ", n.dE(u), "Σ"), self.term("B′", Bh, "B′"), self.term("D", D, d_question))
        else:
            terms = (self.term("Σ", n.dE(u), "Σ"), self.term("B′", Bh, "B′"), self.term("D", D, d_question))
        forms.append(self.form("delta", "Delta form", n.grad(w.name), Mul((n.delta(u), D)), g))
        chain_lhs = self.chain_lhs(n, w)
        x = self.env[D.key]
        self.add(f"grad:{w.name}{n.sfx}", "backward", f"Gradient of {w.name} (hidden layer)",
                 Sym(n.grad(w.name).key, chain_lhs[0], chain_lhs[1]), chain,
                 (f"How much does the input matter: {w.name} multiplies {src} = {self.fmt(x)}, so the "
                  if is_input else
                  f"How much does the weight's input matter: {w.name} multiplies {src}'s output "
                  f"{self.fmt(x)}, so the ")
                 + f"error reaching {u} (over {count} path{'s' if count > 1 else ''}), times {u}'s slope, "
                 f"is scaled by {self.fmt(x)}"
                 + (" — a small input means slow learning." if abs(x) < 0.2 else "."),
                 nodes=nodes, edges=edges, terms=terms, forms=tuple(forms), sample=sample, layer=li)

    # -- several samples, the update

    def combine(self) -> None:
        p = self.problem
        k = len(p.samples)
        mean = p.batch == "mean"
        names = [Names(p, suffix(p, i)) for i in range(k)]

        def combined(parts: list[Sym]) -> Expr:
            total = add(*parts)
            return Mul((Num(1.0 / k, rf"\tfrac{{1}}{{{k}}}", f"(1/{k})"), total), juxt=True) if mean else total

        self.add("E:total", "loss", "Total error over all samples", Names(p, "").total(),
                 combined([nm.total() for nm in names]),
                 f"The {'mean' if mean else 'sum'} of the {k} samples' errors.", nodes=list(p.outputs))
        for name in p.params:
            w = p.weight.get(name)
            self.add(f"grad:{name}", "backward", f"Gradient of {name} over all samples",
                     Names(p, "").grad(name), combined([nm.grad(name) for nm in names]),
                     f"Each sample pulls on {name}; batch '{p.batch}' {'averages' if mean else 'adds'} "
                     "the pulls.",
                     nodes=self.param_nodes(name), edges=[name] if w else [],
                     layer=self.param_layer(name))

    def param_nodes(self, name: str) -> list[str]:
        w = self.problem.weight.get(name)
        return [w.src, w.dst] if w else [name, *self.problem.bias[name].units]

    def param_layer(self, name: str) -> int:
        w = self.problem.weight.get(name)
        return self.problem.layer_of[w.dst if w else self.problem.bias[name].units[0]]

    def update(self) -> None:
        p = self.problem
        params = [w.name for w in p.weights] + ([b.name for b in p.biases] if p.update_biases else [])
        combined = Names(p, "")
        for name in params:
            old = p.params[name]
            new = self.solution.values[f"new:{name}"]
            w = p.weight.get(name)
            way = "down" if new < old else "up" if new > old else "nowhere"
            expr = Add((Names.param(name), Mul((ETA, combined.grad(name)))), (1, -1))
            self.add(f"new:{name}", "update", f"Update {name}", Names.new(name), expr,
                     f"Gradient descent moves {name} against its gradient by η × gradient: {way} from "
                     f"{self.fmt(old)} to {self.fmt(new)}.",
                     nodes=self.param_nodes(name), edges=[name] if w else [],
                     layer=self.param_layer(name))
        before = self.solution.values["E:total"]
        after = self.solution.values["new:E:total"]
        lhs = Sym("new:E:total", r"E_{\mathrm{total}}^{+}", "E_total⁺")
        self.exprs["new:E:total"] = lhs
        change = "lower" if after < before else "higher" if after > before else "the same"
        self.steps.append(Step(
            id="new:E:total", phase="update", title="Error after the update",
            latex=lhs.tex + r" = E_{\mathrm{total}}(\text{updated weights})",
            text="E_total⁺ = E_total(updated weights)",
            substituted_latex=self.tex_num.number(after), substituted=self.txt_num.number(after),
            value=after, uses=tuple(f"new:{n}" for n in params),
            focus=Focus(tuple(p.outputs), ()),
            note=f"A forward pass with the updated weights: the error goes from {self.fmt(before)} to "
                 f"{self.fmt(after)}, {change}.",
        ))


def derive(problem: Problem, solution: Solution | None = None, digits: int = 6) -> Derivation:
    """Every step of the worked solution of ``problem``."""
    count = len(problem.samples) * (2 * sum(len(l.units) for l in problem.layers) * 3
                                    + len(problem.params)) + 2 * len(problem.params)
    if count > MAX_STEPS:
        raise ProblemError(f"this would write about {count:,} steps; the limit is {MAX_STEPS:,} "
                           "(fewer samples or a smaller network)", source=problem.name)
    solution = solution or solve(problem)
    b = _Builder(problem, solution, digits)
    b.build()
    trace = Trace(problem=problem.to_dict(), values=dict(solution.values), steps=tuple(b.steps),
                  warnings=tuple(solution.warnings), digits=digits, name=problem.name)
    return Derivation(trace, b.exprs, b.env)


def explain(problem: Problem, digits: int = 6) -> Trace:
    """The trace of ``problem``: the one call most users need."""
    return derive(problem, digits=digits).trace
