"""Problem + exact numbers -> steps, in the order a person writes them.

For each quantity of the system (:mod:`.equations`), in its order: its chain of
equalities (the symbol, the general formula, the numbers substituted, the worked
line, the value -- each member an expression tree, the defining one among
them), the ids it uses, the nodes and edges it concerns, and one sentence of
what it means.  Gradients also get their chain-rule factors (A, B, C, D ...,
each with the question it answers) and other ways to write them: the delta
form, and for hidden weights with at most :data:`MAX_PATHS` paths to the
outputs the explicit sum over every path (where hand solutions go wrong).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import prod

from ..runtime import paused_gc
from ..expr.evaluate import worked
from ..expr.nodes import Apply, Expr, Known, Mul, Num, Partial, Sym, Words, add
from ..expr.numbers import text_number
from ..nn import ACTIVATIONS, LOSSES, OPTIMIZERS
from ..problem import Problem, require_problem, require_solvable
from ..quantities import AFTER, TOTAL, UPDATE_KINDS, Subject, parse, qid
from ..trace import Focus, Form, Step, Term, Trace, check_digits
from .engine import Solution, solve
from .equations import FIRST, At, System, jacobian_sum, settings_of, simplified, symbol, system, whole_delta

__all__ = ["derive", "explain", "Derivation", "MAX_PATHS", "QUESTIONS", "update_of", "STATE_TITLES"]

MAX_PATHS = 16

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

PHASE = {"net": "forward", "out": "forward", "E": "loss", "dE/dout": "backward",
         "dout/dnet": "backward", "delta": "backward", "grad": "backward",
         **{kind: "update" for kind in UPDATE_KINDS}}

STATE_TITLES = {"decayed": "Gradient of {name} with weight decay", "shrunk": "{name} shrunk by weight decay",
                "velocity": "Velocity of {name}", "m": "First moment of {name}",
                "v": "Second moment of {name}", "mhat": "Bias-corrected first moment of {name}",
                "vhat": "Bias-corrected second moment of {name}"}
"""The heading of each step an optimizer's update works out before ``new:P``."""


@dataclass
class Derivation:
    """The trace, and the system and solution it was written from."""

    trace: Trace
    system: System
    solution: Solution

    @property
    def exprs(self):
        return self.system.exprs


def derive(problem: Problem, solution: Solution | None = None, digits: int = 6, at: At = FIRST) -> Derivation:
    """Every step of the worked solution of ``problem`` (its update of step ``at``: the
    problem's parameters are those reached before it, ``at.state`` the optimizer's state)."""
    require_problem(problem, "derive")
    check_digits(digits, "derive")
    require_solvable(problem)
    with paused_gc():
        solution = solution or solve(problem, at=at)
        sys = solution.system or system(problem, at)
        b = _Builder(problem, sys, solution, digits)
        b.build()
    trace = Trace(problem=problem.to_dict(), values=dict(solution.values), steps=tuple(b.steps),
                  warnings=tuple(solution.warnings), digits=digits, name=problem.name,
                  update=update_of(sys))
    return Derivation(trace, sys, solution)


def explain(problem: Problem, digits: int = 6, at: At = FIRST) -> Trace:
    """The trace of ``problem``: the one call most users need (``at``: a later update, with the
    parameters of ``problem`` those reached before it and the optimizer's state ``at.state``)."""
    require_problem(problem, "explain")
    check_digits(digits, "explain")
    return derive(problem, digits=digits, at=at).trace


def update_of(sys: System) -> dict | None:
    """The trace's ``update``: step t, the optimizer, its settings and its state before the step
    (``{"m:w5": ...}``), or None for the first step of plain gradient descent."""
    p, at = sys.problem, sys.at
    settings = settings_of(p)
    entry = OPTIMIZERS[settings.name]
    if at.t == 1 and not entry.states and settings.is_default:
        return None
    state = {qid(s.id, name): sys.base[f"state:{qid(s.id, name)}"]
             for name in p.updated for s in entry.carried}
    return {"t": at.t, "optimizer": settings.name, "settings": dict(settings.values), "state": state}


class _Builder:
    def __init__(self, problem: Problem, sys: System, solution: Solution, digits: int):
        self.p = problem
        self.sys = sys
        self.values = solution.values
        self.env = {**sys.base, **solution.values}
        self.digits = digits
        self.steps: list[Step] = []
        self.terms: dict[tuple[str, str, str], Term] = {}
        self.last = len(problem.layers) - 1
        self.fmt_cache: dict[float, str] = {}
        self.units: dict[tuple[str, int | None], dict] = {}

    # -- writing one step

    def fmt(self, value: float) -> str:
        text = self.fmt_cache.get(value)
        if text is None:
            text = self.fmt_cache[value] = text_number(value, self.digits)
        return text

    def chain(self, lhs: Expr, expr: Expr, value: float, general: tuple[Expr, ...] = ()
              ) -> tuple[tuple[Expr, ...], int]:
        """``lhs = general... = expr``, then with the numbers ``expr = worked line = value``;
        and the index where the numbers begin."""
        mid = worked(expr, self.env)
        symbolic = (lhs, *general, expr)
        if mid is None:
            return symbolic + (expr, Num(value)), len(symbolic)
        return symbolic + (expr, mid, Num(value)), len(symbolic)

    def add(self, key: str, title: str, note: str, nodes=(), edges=(), terms: tuple[Term, ...] = (),
            forms: tuple[Form, ...] = (), layer: int | None = None, uses=None,
            general: tuple[Expr, ...] = (), focus: Focus | None = None,
            shown: Expr | None = None, written: tuple[tuple[Expr, ...], int] | None = None) -> None:
        """One step.  ``nodes`` and ``edges`` are deduplicated into its focus (or ``focus``, given
        whole and already without repeats, is taken as it is).  ``shown`` is written in place of
        the defining formula where a form of the step writes that one (the softmax delta's sum
        over its Jacobian, with the simplification it equals as a form); ``written`` is the
        chain whole, and where its numbers begin."""
        expr = self.sys.exprs[key] if shown is None else shown
        subject = parse(key)
        value = self.values[key]
        if uses is None:
            uses = [k for k in expr.symbols() if k in self.values]
        chain, numbers = written or self.chain(Sym(key), expr, value, general)
        self.steps.append(Step(
            id=key, phase=PHASE[subject.kind], subject=subject, title=title,
            chain=chain, numbers=numbers, value=value, uses=tuple(uses),
            focus=focus or Focus(tuple(dict.fromkeys(nodes)), tuple(dict.fromkeys(edges))), note=note,
            terms=terms, forms=forms, layer=layer))

    def form(self, kind: str, title: str, lhs: Expr, expr: Expr) -> Form:
        value = expr.eval(self.env)
        return Form(kind, title, *self.chain(lhs, expr, value), value)

    def term(self, label: str, key: str, question: str) -> Term:
        """A labelled chain-rule factor (shared: the 784 weights into one unit share two of three)."""
        found = self.terms.get((label, key, question))
        if found is None:
            ref = key if key in self.values else None
            found = self.terms[(label, key, question)] = Term(
                label, Sym(key), self.env[key], ref, QUESTIONS.get(question, question))
        return found

    # -- the whole derivation

    def build(self) -> None:
        handlers = {"net": self.net, "out": self.out, "E": self.error, "dE/dout": self.slope_of_loss,
                    "dout/dnet": self.steepness, "delta": self.delta, "grad": self.gradient,
                    "new": self.update, **{kind: self.state for kind in STATE_TITLES}}
        for key in self.sys.exprs:
            s = parse(key)
            handlers[s.kind](key, s)
        self.after()

    def where(self, unit: str) -> str:
        return "output" if self.p.layer_of[unit] == self.last else "hidden"

    def net(self, key: str, s: Subject) -> None:
        p, u = self.p, s.name
        bias = p.bias_of[u]
        incoming = p.incoming[u]
        nodes = [w.src for w in incoming] + [u] + ([bias.name] if bias else [])
        self.add(key, f"Net input of {u}",
                 f"The net input of {self.where(u)} unit {u}: each incoming value times its weight"
                 + (", plus the bias." if bias else " (no bias)."),
                 nodes=nodes, edges=[w.name for w in incoming], layer=p.layer_of[u])

    def out(self, key: str, s: Subject) -> None:
        p, u = self.p, s.name
        li = p.layer_of[u]
        layer = p.layers[li]
        entry = ACTIVATIONS[layer.activation]
        nodes = [u] if entry.elementwise else list(layer.units)
        self.add(key, f"Output of {u}",
                 f"{u}'s output: its {layer.activation} activation applied to the net input gives "
                 f"{self.fmt(self.values[key])}.", nodes=nodes, layer=li)

    def error(self, key: str, s: Subject) -> None:
        p = self.p
        if s.name == "total":
            if s.sample is None and p.multi:
                k = len(p.samples)
                mean = p.batch == "mean"
                self.add(key, "Total error over all samples",
                         f"The {'mean' if mean else 'sum'} of the {k} samples' errors.",
                         nodes=list(p.outputs))
                return
            m = len(p.outputs)
            whose = ("the errors of both outputs added up" if m == 2 else
                     f"the errors of the {m} outputs added up" if m > 1 else
                     f"the error of the one output, {p.outputs[0]}")
            self.add(key, "Total error",
                     f"The total error{' of this sample' if s.sample else ''}: {whose}.",
                     nodes=list(p.outputs), layer=self.last)
            return
        u = s.name
        y, t = self.env[qid("out", u, s.sample)], self.env[qid("target", u, s.sample)]
        self.add(key, f"Error of {u}",
                 f"How far {u}'s output {self.fmt(y)} is from its target {self.fmt(t)}, as "
                 f"{LOSSES[p.loss].title} counts it.", nodes=[u], layer=self.last)

    def slope_of_loss(self, key: str, s: Subject) -> None:
        p, u = self.p, s.name
        li = p.layer_of[u]
        if li == self.last:
            y, t = self.env[qid("out", u, s.sample)], self.env[qid("target", u, s.sample)]
            side = "above" if y > t else "below" if y < t else "exactly at"
            slope = self.values[key]
            effect = ("raising it would raise the error" if slope > 0 else
                      "raising it would lower the error" if slope < 0 else
                      "this loss does not change with it here")
            self.add(key, f"How wrong is {u}?",
                     f"How wrong is the output: {u} is {self.fmt(abs(y - t))} {side} its target "
                     f"{self.fmt(t)}; {effect}.", nodes=[u], layer=li)
            return
        outs = p.outgoing[u]
        how = (f"{u} feeds {len(outs)} units: the error flows back along every one of them, each "
               "delta times the weight it passed through, and the paths add up." if len(outs) > 1 else
               f"{u} feeds one unit, {outs[0].dst}: the error flows back along {outs[0].name}, "
               f"{outs[0].dst}'s delta times that weight.")
        self.add(key, f"How much does {u}'s output matter?", how,
                 nodes=[u] + [w.dst for w in outs], edges=[w.name for w in outs], layer=li)

    def steepness(self, key: str, s: Subject) -> None:
        u, n = s.name, s.sample
        li = self.p.layer_of[u]
        layer = self.p.layers[li]
        entry = ACTIVATIONS[layer.activation]
        if entry.elementwise:
            self.add(key, f"How steep is {u}'s activation?",
                     f"How steep is the activation here: {entry.steepness}.", nodes=[u], layer=li)
            return
        # a layer-level activation: the column of its Jacobian for this unit's net, every entry
        k = layer.units.index(u)
        nets = [symbol("net", v, n) for v in layer.units]
        outs = [symbol("out", v, n) for v in layer.units]
        net = qid("net", u, n)
        forms = tuple(self.form("jacobian", f"How net_{u} moves out_{v}", Partial(qid("out", v, n), net),
                                entry.jacobian(nets, outs, j, k, layer.params))
                      for j, v in enumerate(layer.units) if j != k)
        self.add(key, f"How does net_{u} move the outputs?",
                 f"How steep is the activation here: {entry.steepness}. This is the column of the "
                 f"Jacobian for net_{u}: {len(layer.units)} entries, one per output.",
                 nodes=list(layer.units), layer=li, forms=forms)

    def delta(self, key: str, s: Subject) -> None:
        p, u = self.p, s.name
        li = p.layer_of[u]
        layer = p.layers[li]
        entry = ACTIVATIONS[layer.activation]
        if not entry.elementwise:
            self.layer_delta(key, s, li)
            return
        if li == self.last and simplified(p):
            self.add(key, f"Delta of {u}",
                     f"With {layer.activation} followed by {LOSSES[p.loss].title} the chain rule "
                     "simplifies exactly: δ = out − target.", nodes=[u], layer=li,
                     uses=[qid("out", u, s.sample)])
            return
        if li == self.last:
            note = (f"{u}'s delta: how much the error changes per unit of its net input (how wrong × "
                    "how steep).")
            nodes = [u]
        else:
            note = f"{u}'s delta: how much the error changes per unit of its net input."
            nodes = [u]
        self.add(key, f"Delta of {u}", note, nodes=nodes, layer=li)

    def layer_delta(self, key: str, s: Subject, li: int) -> None:
        """δ_k = Σ_j ∂E/∂out_j × ∂out_j/∂net_k written out over every output j of a layer-level
        activation; where the loss simplifies with it, the simplification (what is computed)
        follows as a form of its own, and the note says the two agree."""
        p, u, n = self.p, s.name, s.sample
        layer = p.layers[li]
        entry = ACTIVATIONS[layer.activation]
        k = layer.units.index(u)
        net = qid("net", u, n)
        total = jacobian_sum(p, li, k, n)
        sys_expr = self.sys.exprs[key]
        value = self.values[key]
        # each entry of the Jacobian's column written ∂out_j/∂net_k, with the numbers its value
        nets = [symbol("net", v, n) for v in layer.units]
        outs = [symbol("out", v, n) for v in layer.units]
        column = [symbol("dout/dnet", u, n) if j == k else
                  Known(entry.jacobian(nets, outs, j, k, layer.params), qid("out", v, n), net)
                  for j, v in enumerate(layer.units)]
        numeric = add(*[Mul((symbol("dE/dout", v, n), c)) for v, c in zip(layer.units, column)])
        mid = worked(numeric, self.env)
        written = ((Sym(key), numeric, numeric) + ((mid,) if mid is not None else ()) + (Num(value),), 2)
        m = len(layer.units)
        over = "both outputs" if m == 2 else f"all {m} outputs"
        note = (f"{entry.title.capitalize()} couples the outputs, so {u}'s delta sums over {over}: "
                f"each output's ∂E/∂out times how net_{u} moves that output (the Jacobian's column).")
        forms: tuple[Form, ...] = ()
        uses = None
        if sys_expr is not total and sys_expr != total:
            form = self.form("simplified", f"Simplified: {layer.activation} with {LOSSES[p.loss].title}",
                             Sym(key), sys_expr)
            forms = (form,)
            same = abs(form.value - total.eval(self.env)) <= 1e-12 * max(1.0, abs(value))
            note += (f" With {LOSSES[p.loss].title} the sum collapses to out − target "
                     f"(Σ_j t_j = 1): {self.fmt(value)} either way"
                     + ("." if same else " (to float64 rounding)."))
            uses = list(dict.fromkeys([*total.symbols(), *sys_expr.symbols()]))
            uses = [k2 for k2 in uses if k2 in self.values]
        self.add(key, f"Delta of {u}", note, nodes=list(layer.units), layer=li,
                 shown=total, written=written, forms=forms, uses=uses)

    # -- gradients

    def gradient(self, key: str, s: Subject) -> None:
        p, name = self.p, s.name
        if s.sample is None and p.multi:
            w = p.weight.get(name)
            mean = p.batch == "mean"
            self.add(key, f"Gradient of {name} over all samples",
                     f"Each sample pulls on {name}; batch '{p.batch}' {'averages' if mean else 'adds'} "
                     "the pulls.", nodes=self.param_nodes(name), edges=[name] if w else [],
                     layer=self.param_layer(name))
            return
        if name in p.bias:
            b = p.bias[name]
            shared = len(b.units) > 1
            self.add(key, f"Gradient of {name}",
                     (f"{name} is shared by {len(b.units)} units, so its gradient is the sum of their "
                      "deltas (∂net/∂b = 1 for each)." if shared else
                      f"∂net/∂{name} = 1, so the gradient of a bias is its unit's delta."),
                     nodes=[name, *b.units], layer=self.param_layer(name))
            return
        w = p.weight[name]
        if p.layer_of[w.dst] == self.last:
            self.output_gradient(key, s, w)
        else:
            self.hidden_gradient(key, s, w)

    def chain_rule(self, s: Subject, w, through_net: bool) -> Expr:
        """``∂E/∂out_u ∂out_u/∂net_u ∂net_u/∂w`` (or ``∂E/∂net_u ∂net_u/∂w`` when the delta is
        taken whole), as a person writes the chain rule."""
        n = s.sample
        loss = qid("E", "total", n)
        net, param = qid("net", w.dst, n), qid("param", w.name)
        if through_net:
            return Mul((Partial(loss, net), Partial(net, param)))
        out = qid("out", w.dst, n)
        return Mul((Partial(loss, out), Partial(out, net), Partial(net, param)))

    def output_gradient(self, key: str, s: Subject, w) -> None:
        n, u, src = s.sample, w.dst, w.src
        li = self.last
        x = self.sys.out(src, n)
        whole = whole_delta(self.p, li)
        if whole:
            terms = (self.term("δ", qid("delta", u, n), "δ"), self.term("C", x.key, "C"))
            forms: tuple[Form, ...] = ()
        else:
            terms = (self.term("A", qid("dE/dout", u, n), "A"), self.term("B", qid("dout/dnet", u, n), "B"),
                     self.term("C", x.key, "C"))
            forms = (self.form("delta", "Delta form", Sym(key), Mul((symbol("delta", u, n), x))),)
        g = self.values[key]
        way = (f"positive, so {w.name} will decrease" if g > 0 else
               f"negative, so {w.name} will increase" if g < 0 else f"zero, so {w.name} stays")
        what = f"the input {src} = " if self.p.layer_of[src] < 0 else f"{src}'s output "
        self.add(key, f"Gradient of {w.name} (output layer)",
                 f"How much does the weight's input matter: {w.name} multiplies {what}"
                 f"{self.fmt(self.env[x.key])}, so its gradient is {u}'s delta scaled by it; {way}.",
                 nodes=[src, u], edges=[w.name], terms=terms, forms=forms, layer=li,
                 general=(self.chain_rule(s, w, whole),))

    def paths(self, u: str, li: int) -> list[list]:
        """Every path of weights from unit ``u`` (layer ``li``) to an output."""
        p = self.p
        result: list[list] = [[]]
        for _ in range(li + 1, len(p.layers)):
            result = [path + [w] for path in result
                      for w in p.outgoing[path[-1].dst if path else u]]
        return result

    def _unit(self, u: str, n: int | None) -> dict:
        """What every weight into hidden unit ``u`` (sample ``n``) shares: its paths to the
        outputs (their sum, their nodes and edges, their labelled factors), its slope, and the
        first two factors of its chain rule.  Worked out once per unit."""
        key = (u, n)
        found = self.units.get(key)
        if found is not None:
            return found
        p = self.p
        li = p.layer_of[u]
        count = prod(len(p.layers[j].units) for j in range(li + 1, len(p.layers)))
        whole = whole_delta(p, li)
        by_delta = whole_delta(p, self.last)
        labelled: list[Term] = []
        products, nodes, edges = [], [], []
        if count <= MAX_PATHS and not whole:
            for k, path in enumerate(self.paths(u, li), start=1):
                y = path[-1].dst
                head = [symbol("delta", y, n)] if by_delta else [symbol("dE/dout", y, n),
                                                                 symbol("dout/dnet", y, n)]
                factors: list[Expr] = list(head)
                for edge in reversed(path):
                    factors.append(symbol("param", edge.name))
                    if edge.src != u:
                        factors.append(symbol("dout/dnet", edge.src, n))
                products.append(Mul(tuple(factors)))
                nodes += [e.dst for e in path]
                edges += [e.name for e in path]
                if li == self.last - 1:
                    sub = str(k) if len(p.outputs) > 1 else ""
                    if by_delta:
                        labelled.append(self.term(f"δ{sub}", qid("delta", y, n), "δ"))
                    else:
                        labelled += [self.term(f"A{sub}", qid("dE/dout", y, n), "A"),
                                     self.term(f"B{sub}", qid("dout/dnet", y, n), "B")]
                    labelled.append(self.term(f"C{sub}", qid("param", path[-1].name), "C_path"))
        slope = qid("dout/dnet", u, n)
        if whole:
            head_terms = (self.term("δ", qid("delta", u, n), "δ"),)
        elif labelled:
            head_terms = tuple(labelled) + (self.term("B′", slope, "B′"),)
        else:
            head_terms = (self.term("Σ", qid("dE/dout", u, n), "Σ"), self.term("B′", slope, "B′"))
        loss, out, net = qid("E", "total", n), qid("out", u, n), qid("net", u, n)
        found = self.units[key] = {
            "li": li, "count": count, "whole": whole, "sum": add(*products) if products else None,
            "nodes": tuple(dict.fromkeys(nodes)), "edges": tuple(dict.fromkeys(edges)),
            "terms": head_terms, "slope": Sym(slope),
            "delta": symbol("delta", u, n), "net": net,
            "chain": (Partial(loss, net),) if whole else (Partial(loss, out), Partial(out, net)),
            "reach": f"over {_paths(count)}", "paths_title": f"Sum over {_paths(count)} to the outputs",
        }
        return found

    def hidden_gradient(self, key: str, s: Subject, w) -> None:
        p, n = self.p, s.sample
        u, src = w.dst, w.src
        unit = self._unit(u, n)
        x = self.sys.out(src, n)
        is_input = p.layer_of[src] < 0
        forms = []
        lhs = Sym(key)
        if unit["sum"] is not None:
            forms.append(self.form("paths", unit["paths_title"], lhs, Mul((unit["sum"], unit["slope"], x))))
        terms = unit["terms"] + (self.term("D", x.key, "D" if is_input else "C"),)
        if not unit["whole"]:
            forms.append(self.form("delta", "Delta form", lhs, Mul((unit["delta"], x))))
        value = self.env[x.key]
        shown = self.fmt(value)
        self.add(key, f"Gradient of {w.name} (hidden layer)",
                 (f"How much does the input matter: {w.name} multiplies {src} = {shown}, so the "
                  if is_input else
                  f"How much does the weight's input matter: {w.name} multiplies {src}'s output "
                  f"{shown}, so the ")
                 + f"error reaching {u} ({unit['reach']}), times {u}'s slope, is scaled by {shown}"
                 + (" — a small input means slow learning." if abs(value) < 0.2 else "."),
                 # the paths' nodes and edges lie beyond u and w: no repeats to remove
                 focus=Focus((src, u, *unit["nodes"]), (w.name, *unit["edges"])), terms=terms,
                 forms=tuple(forms), layer=unit["li"],
                 general=(Mul(unit["chain"] + (Partial(unit["net"], qid("param", w.name)),)),))

    # -- the update

    def param_nodes(self, name: str) -> list[str]:
        w = self.p.weight.get(name)
        return [w.src, w.dst] if w else [name, *self.p.bias[name].units]

    def param_layer(self, name: str) -> int:
        w = self.p.weight.get(name)
        return self.p.layer_of[w.dst if w else self.p.bias[name].units[0]]

    def update(self, key: str, s: Subject) -> None:
        name = s.name
        old = self.p.params[name]
        new = self.values[key]
        moves = OPTIMIZERS[self.p.optimizer].moves.format(name=name)
        if new == old:
            why = ": its gradient is 0" if self.values[qid("grad", name)] == 0 else ""
            note = f"{name} stays at {self.fmt(old)}{why}."
        else:
            note = f"{moves}: {'down' if new < old else 'up'} from {self.fmt(old)} to {self.fmt(new)}."
        self.add(key, f"Update {name}", note,
                 nodes=self.param_nodes(name), edges=[name] if name in self.p.weight else [],
                 layer=self.param_layer(name))

    def state(self, key: str, s: Subject) -> None:
        """A quantity the optimizer works out before the update: the gradient with weight decay,
        the parameter shrunk, a state after the step (velocity, m, v) or a moment with its bias
        corrected, each with the numbers plugged in."""
        name, kind = s.name, s.kind
        value = self.values[key]
        t = self.sys.at.t
        entry = OPTIMIZERS[settings_of(self.p).name]
        words = {st.id: st.title for st in entry.states}
        if kind == "decayed":
            note = (f"L2 weight decay adds λ × {name} to the gradient before the optimizer uses it: "
                    f"{self.fmt(value)}.")
        elif kind == "shrunk":
            note = (f"Decoupled weight decay (AdamW) shrinks {name} by η·λ of itself before the Adam "
                    f"step, not through the gradient: {self.fmt(value)}.")
        elif kind in ("mhat", "vhat"):
            letter = "β₁" if kind == "mhat" else "β₂"
            power = str(t).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
            note = (f"{words.get(kind, kind).capitalize()}: divided by 1 − {letter}{power} (t = {t}), "
                    f"since the moments start at 0 and are too small in the first steps: "
                    f"{self.fmt(value)}.")
        else:
            before = self.sys.base.get(f"state:{key}")
            was = "" if before is None else f" (it was {self.fmt(before)} before this step)"
            note = (f"{words.get(kind, kind).capitalize()} of {name} after step {t}: {self.fmt(value)}"
                    f"{was}.")
        self.add(key, STATE_TITLES[kind].format(name=name), note,
                 nodes=self.param_nodes(name), edges=[name] if name in self.p.weight else [],
                 layer=self.param_layer(name))

    def after(self) -> None:
        before, after = self.values[TOTAL], self.values[AFTER]
        change = "lower" if after < before else "higher" if after > before else "the same"
        lhs = Sym(AFTER)
        chain = (lhs, Apply(Sym(TOTAL), Words("updated weights")), Num(after))
        self.steps.append(Step(
            id=AFTER, phase="update", subject=parse(AFTER), title="Error after the update",
            chain=chain, numbers=2, value=after, uses=tuple(qid("new", n) for n in self.p.updated),
            focus=Focus(tuple(self.p.outputs), ()),
            note=f"A forward pass with the updated weights: the error goes from {self.fmt(before)} "
                 f"to {self.fmt(after)}, {change}."))


def _paths(count: int) -> str:
    return "the one path" if count == 1 else "both paths" if count == 2 else f"all {count:,} paths"
