"""Gradient descent for small networks: the network compiled to straight-line Python.

A step of a network people solve by hand is a few dozen multiplications; run in
the general engine (dicts keyed by name, one call per activation) the
bookkeeping costs many times the arithmetic.  Here the problem is compiled once
into the source of a function whose parameters are local variables and whose
inputs, targets and learning rate are literals, one statement per quantity:

    n1_0_0 = p4*o0_0_0 + p5*o0_1_0 + p9          # net of unit 0 of layer 1, sample 0
    d1_0_0 = (o1_0_0 - 0.01) * (o1_0_0*(1.0 - o1_0_0))   # its delta
    p4 = p4 - 0.5*(d1_0_0*o0_0_0)                 # the update of w5

The code is generated from the problem, not written by hand, and every
expression repeats the engine's arithmetic operation for operation (the same
order of additions, the same stable sigmoid, the same clamps), so N steps give
exactly the float64 numbers of N calls of :func:`handprop.engine.solve`.

Names in the generated code: ``p{i}`` parameter i in ``Problem.params`` order;
``n{l}_{j}_{s}``, ``o{l}_{j}_{s}``, ``d{l}_{j}_{s}``: net, out and delta of unit
j of layer l for sample s.
"""
from __future__ import annotations

import math

from ..nn.functions import FUSED_DELTA, LOG_FLOOR, LOSSES
from ..problem.model import Problem

MAX_TERMS = 60_000
"""Largest samples x (weights + biases) compiled; bigger problems go to the matrix engine."""


def lit(value: float) -> str:
    """A float literal that reads back to exactly ``value``."""
    text = repr(float(value))
    return f"({text})" if text.startswith("-") else text


def size(problem: Problem) -> int:
    """The amount of generated code, in multiply-adds per step."""
    return len(problem.samples) * (len(problem.weights) + len(problem.biases))


class _Source:
    """The generated statements of one problem."""

    def __init__(self, problem: Problem, hidden_deltas: str):
        self.p = problem
        self.hidden_deltas = hidden_deltas
        self.index = {name: i for i, name in enumerate(problem.params)}
        self.pos = {x: (-1, j) for j, x in enumerate(problem.inputs)}
        for li, layer in enumerate(problem.layers):
            for j, u in enumerate(layer.units):
                self.pos[u] = (li, j)

    def out(self, unit: str, s: int) -> str:
        layer, j = self.pos[unit]
        if layer < 0:
            return lit(self.p.samples[s].inputs[j])
        return f"o{layer}_{j}_{s}"

    def param(self, name: str) -> str:
        return f"p{self.index[name]}"

    # ------------------------------------------------------------ forward

    def forward(self, s: int) -> list[str]:
        p, code = self.p, []
        for li, layer in enumerate(p.layers):
            nets = []
            for j, u in enumerate(layer.units):
                terms = [f"{self.param(w.name)}*{self.out(w.src, s)}" for w in p.incoming[u]]
                b = p.bias_of[u]
                if b is not None:
                    terms.append(self.param(b.name))
                net = f"n{li}_{j}_{s}"
                nets.append(net)
                code.append(f"{net} = {' + '.join(terms)}")
            code += self.activate(layer, li, s, nets)
        return code

    def activate(self, layer, li: int, s: int, nets: list[str]) -> list[str]:
        outs = [f"o{li}_{j}_{s}" for j in range(len(nets))]
        kind, a = layer.activation, lit(layer.slope)
        if kind == "softmax":
            exps = [f"e{li}_{j}_{s}" for j in range(len(nets))]
            code = [f"top = max({', '.join(nets)})"]
            code += [f"{e} = exp({n} - top)" for e, n in zip(exps, nets)]
            code.append(f"total = sum(({', '.join(exps)},))")
            return code + [f"{o} = {e} / total" for o, e in zip(outs, exps)]
        code = []
        for n, o in zip(nets, outs):
            if kind == "sigmoid":
                code += [f"if {n} >= 0:", f"    {o} = 1.0 / (1.0 + exp(-{n}))",
                         "else:", f"    e = exp({n})", f"    {o} = e / (1.0 + e)"]
            elif kind == "tanh":
                code.append(f"{o} = tanh({n})")
            elif kind == "relu":
                code.append(f"{o} = {n} if {n} > 0 else 0.0")
            elif kind == "leaky_relu":
                code.append(f"{o} = {n} if {n} > 0 else {a} * {n}")
            else:  # linear
                code.append(f"{o} = {n}")
        return code

    def slope(self, li: int, j: int, s: int) -> str | None:
        """dout/dnet of a unit as the engine computes it; None when it is exactly 1."""
        layer = self.p.layers[li]
        n, o = f"n{li}_{j}_{s}", f"o{li}_{j}_{s}"
        return {"sigmoid": f"({o}*(1.0 - {o}))", "softmax": f"({o}*(1.0 - {o}))",
                "tanh": f"(1.0 - {o}*{o})", "relu": f"(1.0 if {n} > 0 else 0.0)",
                "leaky_relu": f"(1.0 if {n} > 0 else {lit(layer.slope)})",
                "linear": None}[layer.activation]

    # ------------------------------------------------------------ backward

    def dE(self, y: str, t: float, n: int) -> tuple[list[str], str]:
        """Statements and expression of dE/dout for output ``y`` with target ``t``."""
        t_ = lit(t)
        loss = self.p.loss
        if loss == "half_sse":
            return [], f"({y} - {t_})"
        if loss == "sse":
            return [], f"(2.0 * ({y} - {t_}))"
        if loss == "mse":
            return [], f"(2.0 * ({y} - {t_}) / {n})"
        if loss == "bce":
            return ([f"yc = min(max({y}, {lit(LOG_FLOOR)}), {lit(1.0 - LOG_FLOOR)})"],
                    f"((yc - {t_}) / (yc * (1.0 - yc)))")
        return [], f"({lit(-t)} / max({y}, {lit(LOG_FLOOR)}))"   # cross_entropy

    def output_deltas(self, s: int) -> list[str]:
        p = self.p
        li = len(p.layers) - 1
        layer = p.layers[li]
        targets = p.samples[s].targets
        n_out = len(layer.units)
        outs = [f"o{li}_{j}_{s}" for j in range(n_out)]
        deltas = [f"d{li}_{j}_{s}" for j in range(n_out)]
        if (layer.activation, p.loss) in FUSED_DELTA:
            return [f"{d} = {o} - {lit(t)}" for d, o, t in zip(deltas, outs, targets)]
        code = []
        if layer.activation == "softmax":
            grads = []
            for j, (o, t) in enumerate(zip(outs, targets)):
                pre, expr = self.dE(o, t, n_out)
                code += pre + [f"g{j} = {expr}"]
                grads.append(f"g{j}")
            code.append(f"weighted = sum(({', '.join(f'{g}*{o}' for g, o in zip(grads, outs))},))")
            return code + [f"{d} = {o}*({g} - weighted)" for d, o, g in zip(deltas, outs, grads)]
        for j, (o, d, t) in enumerate(zip(outs, deltas, targets)):
            pre, expr = self.dE(o, t, n_out)
            slope = self.slope(li, j, s)
            code += pre + [f"{d} = {expr}" + (f" * {slope}" if slope else "")]
        return code

    def hidden_deltas_of(self, li: int, s: int) -> list[str]:
        p, code = self.p, []
        for j, u in enumerate(p.layers[li].units):
            terms = [f"d{li + 1}_{p.layers[li + 1].units.index(w.dst)}_{s}*{self.param(w.name)}"
                     for w in p.outgoing[u]]
            slope = self.slope(li, j, s)
            d_out = " + ".join(terms)
            code.append(f"d{li}_{j}_{s} = ({d_out})" + (f" * {slope}" if slope else ""))
        return code

    # ------------------------------------------------------------ updates

    def scaled(self, per_sample: list[str]) -> str:
        total = " + ".join(per_sample)
        if self.p.batch == "mean":
            return f"(({total}) * {lit(1.0 / len(self.p.samples))})"
        return f"({total})"

    def weight_updates(self, li: int) -> list[str]:
        p, code = self.p, []
        lr = lit(p.learning_rate)
        for j, u in enumerate(p.layers[li].units):
            for w in p.incoming[u]:
                grads = [f"d{li}_{j}_{s}*{self.out(w.src, s)}" for s in range(len(p.samples))]
                var = self.param(w.name)
                code.append(f"{var} = {var} - {lr}*{self.scaled(grads)}")
        return code

    def bias_updates(self) -> list[str]:
        p, code = self.p, []
        if not p.update_biases:
            return code
        lr = lit(p.learning_rate)
        for b in p.biases:
            per_sample = []
            for s in range(len(p.samples)):
                ds = [f"d{self.pos[u][0]}_{self.pos[u][1]}_{s}" for u in b.units]
                per_sample.append(f"({' + '.join(ds)})")
            var = self.param(b.name)
            code.append(f"{var} = {var} - {lr}*{self.scaled(per_sample)}")
        return code

    def step(self) -> list[str]:
        """One step: forward, deltas layer by layer, updates.

        ``hidden_deltas == "updated"`` updates each layer's weights before its
        deltas are passed down, so the hidden deltas see the new weights.
        """
        p = self.p
        samples = range(len(p.samples))
        top = len(p.layers) - 1
        code = [line for s in samples for line in self.forward(s)]
        code += [line for s in samples for line in self.output_deltas(s)]
        updated = self.hidden_deltas == "updated"
        for li in range(top - 1, -1, -1):
            if updated:
                code += self.weight_updates(li + 1)
            code += [line for s in samples for line in self.hidden_deltas_of(li, s)]
        for li in range(0 if updated else top, -1, -1):
            code += self.weight_updates(li)
        return code + self.bias_updates()


def source(problem: Problem, hidden_deltas: str = "original") -> str:
    """The Python source of ``run(P, n)`` (n steps from parameters P) and ``forward(P)``."""
    gen = _Source(problem, hidden_deltas)
    names = [f"p{i}" for i in range(len(problem.params))]
    unpack = ", ".join(names) + ", = P"
    pack = "(" + ", ".join(names) + ",)"
    top = len(problem.layers) - 1
    outputs = ", ".join(
        "(" + ", ".join(f"o{top}_{j}_{s}" for j in range(len(problem.outputs))) + ",)"
        for s in range(len(problem.samples)))
    body = "\n".join("        " + line for line in gen.step())
    forward = "\n".join("    " + line for s in range(len(problem.samples)) for line in gen.forward(s))
    return (f"def run(P, n, exp=exp, tanh=tanh):\n    {unpack}\n    for _ in range(n):\n{body}\n"
            f"    return {pack}\n\n\n"
            f"def forward(P, exp=exp, tanh=tanh):\n    {unpack}\n{forward}\n    return ({outputs},)\n")


class ScalarStepper:
    """Steps of gradient descent by the compiled code (mutates its own parameters only)."""

    name = "scalar"

    def __init__(self, problem: Problem, hidden_deltas: str = "original"):
        namespace = {"exp": math.exp, "tanh": math.tanh}
        code = compile(source(problem, hidden_deltas), f"<handprop sgd {problem.name or 'problem'}>",
                       "exec")
        exec(code, namespace)   # generated from the problem above: no text from outside runs
        self._run = namespace["run"]
        self._forward = namespace["forward"]
        self.problem = problem
        self.P = tuple(problem.params.values())

    def run(self, steps: int) -> None:
        """Advance the parameters by ``steps`` steps."""
        self.P = self._run(self.P, steps)

    def parameters(self) -> tuple[float, ...]:
        return self.P

    def outputs(self) -> tuple[tuple[float, ...], ...]:
        """The output layer's values for each sample with the current parameters."""
        return self._forward(self.P)

    def loss(self) -> float:
        """The total loss, computed as :func:`handprop.engine.total_loss` computes it."""
        p = self.problem
        loss = LOSSES[p.loss]
        n = len(p.outputs)
        total = 0.0
        for ys, sample in zip(self.outputs(), p.samples):
            total += sum([loss.E(y, t, n) for y, t in zip(ys, sample.targets)])
        return total / len(p.samples) if p.batch == "mean" else total


if __name__ == "__main__":
    from ..problem.model import load
    print(source(load("mazur")))
