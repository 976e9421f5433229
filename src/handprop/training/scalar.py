"""Training small networks: the system's formulas compiled to straight-line Python.

A step of a network people solve by hand is a few dozen multiplications; run in
the general engine (dicts keyed by id, one tree walk per quantity) the
bookkeeping costs many times the arithmetic.  Here the problem's system
(:mod:`handprop.solve.equations`) -- the very formulas the engine evaluates and
the worked solution shows -- is compiled once into the source of a function
whose parameters are local variables and whose inputs, targets and learning
rate are literals, one statement per quantity an update needs::

    v3 = p4*0.59327 ...                       # net_Y1 of sample 1
    v7 = (v5 - 0.01) * (v5*(1.0 - v5))        # delta_Y1: dE/dout and dout/dnet inlined
    p4 = p4 - 0.5*(v7*v1)                     # the update of w5

Each statement is the quantity's formula printed by
:func:`handprop.expr.evaluate.python_source`, operation for operation, so N
steps give exactly the float64 numbers of N calls of
:func:`handprop.solve.engine.solve`.  Three rewrites keep the code as lean as
hand-written code, none changing a single bit: a quantity used once is
inlined where it is used; a gradient written as ``∂E/∂out × ∂out/∂net × x``
uses the delta already computed as ``∂E/∂out × ∂out/∂net``; and the losses are
left out of a step (they are compiled into :meth:`ScalarStepper.loss` instead).

``hidden_deltas="updated"`` reorders the statements: each layer's weights are
updated before its deltas are passed down (the older code behind Mazur's
summary lines).
"""
from __future__ import annotations

from ..expr.evaluate import Namespace, python_source
from ..expr.nodes import Expr, Mul, Sym
from ..problem import Problem
from ..quantities import parse, qid
from ..solve.equations import System, system

MAX_TERMS = 60_000
"""Largest samples x (weights + biases) compiled; bigger problems go to the matrix engine."""


def lit(value: float) -> str:
    """A float literal that reads back to exactly ``value``."""
    text = repr(float(value))
    return f"({text})" if text.startswith("-") else text


def size(problem: Problem) -> int:
    """The amount of generated code, in multiply-adds per step."""
    return len(problem.samples) * (len(problem.weights) + len(problem.biases))


MAX_FAN_IN = 500
"""Widest sum compiled: a net of more terms nests too deep for Python's compiler."""


class _Program:
    """The statements of one problem's step, forward pass and loss."""

    def __init__(self, problem: Problem, hidden_deltas: str):
        self.p = problem
        self.sys: System = system(problem)
        self.hidden_deltas = hidden_deltas
        self.index = {name: i for i, name in enumerate(problem.params)}
        self.ns = Namespace()
        self.exprs = {k: self._lean(k, e) for k, e in self.sys.exprs.items()}

    # -- naming

    def param(self, name: str) -> str:
        return f"p{self.index[name]}"

    def _lean(self, key: str, expr: Expr) -> Expr:
        """A gradient ``∂E/∂out × ∂out/∂net × x`` as ``δ × x`` (δ is exactly that product)."""
        s = parse(key)
        if s.kind != "grad" or type(expr) is not Mul or len(expr.factors) != 3:
            return expr
        a, b, x = expr.factors
        if type(a) is Sym and type(b) is Sym and a.key.startswith("dE/dout:"):
            delta = "delta:" + a.key[len("dE/dout:"):]
            if self.sys.exprs.get(delta) == Mul((a, b)):
                return Mul((Sym(delta), x))
        return expr

    # -- which statements, in which order

    def needed(self, roots: list[str]) -> list[str]:
        """Every quantity ``roots`` depend on, in the system's order."""
        want: set[str] = set()
        stack = list(roots)
        while stack:
            k = stack.pop()
            if k in want or k not in self.exprs:
                continue
            want.add(k)
            stack.extend(self.exprs[k].symbols())
        return [k for k in self.exprs if k in want]

    def step_order(self) -> list[str]:
        keys = self.needed([k for k in self.exprs if k.startswith("new:")])
        if self.hidden_deltas != "updated":
            return keys
        p = self.p
        pos = {k: i for i, k in enumerate(keys)}
        top = len(p.layers) - 1

        def stage(k: str) -> tuple:
            s = parse(k)
            if s.kind in ("net", "out"):
                return (0, 0)
            if s.kind == "new":
                w = p.weight.get(s.name)
                if w is None:
                    return (3, 0)                               # biases: at the end
                return (1, -p.layer_of[w.dst], 2)               # right after the layer's gradients
            if s.kind == "grad":
                w = p.weight.get(s.name)
                layer = p.layer_of[w.dst] if w else min(p.layer_of[u] for u in p.bias[s.name].units)
                return (1, -layer, 1 if s.sample is None else 0)
            layer = p.layer_of[s.name]
            return (1, -layer, 0) if layer <= top else (0, 0)
        return sorted(keys, key=lambda k: (stage(k), pos[k]))

    # -- writing the statements

    def statements(self, keys: list[str], returns: list[str]) -> list[str]:
        """One statement per key; a key used once (and not returned) is inlined instead."""
        uses: dict[str, int] = {}
        for k in keys:
            for d in self.exprs[k].symbols():
                uses[d] = uses.get(d, 0) + 1
        keep = set(returns)
        inline: dict[str, str] = {}
        names: dict[str, str] = {}
        lines = []

        def symbol(key: str) -> str:
            if key in inline:
                return inline[key]
            if key in names:
                return names[key]
            s = parse(key)
            if s is not None and s.kind == "param":
                return self.param(s.name)
            if key in self.sys.base:
                return lit(self.sys.base[key])
            raise KeyError(key)

        reordered = self.hidden_deltas == "updated"
        for k in keys:
            expr = self.exprs[k]
            source = python_source(expr, self.ns, symbol)
            s = parse(k)
            if s.kind == "new" and s.name != "E:total":
                lines.append(f"{self.param(s.name)} = {source}")
                continue
            # inlining moves the computation to its use: not past an update of a parameter it reads
            movable = not (reordered and any(d.startswith("param:") for d in expr.symbols()))
            if uses.get(k, 0) == 1 and k not in keep and movable:
                inline[k] = source
                continue
            names[k] = f"v{len(names)}"
            lines.append(f"{names[k]} = {source}")
        self.names = names
        return lines


def source(problem: Problem, hidden_deltas: str = "original") -> tuple[str, Namespace]:
    """The Python source of ``run(P, n)`` (n steps from parameters P), ``forward(P)`` (the
    outputs of every sample) and ``loss(P)``; and the namespace its functions need."""
    prog = _Program(problem, hidden_deltas)
    names = [f"p{i}" for i in range(len(problem.params))]
    unpack = ", ".join(names) + ", = P"
    pack = "(" + ", ".join(names) + ",)"
    step = prog.statements(prog.step_order(), [])
    outs = [qid("out", u, problem.sample_of(k)) for k in range(len(problem.samples)) for u in problem.outputs]
    fwd = prog.statements(prog.needed(outs), outs)
    fwd_names = dict(prog.names)
    m = len(problem.outputs)
    rows = ["(" + ", ".join(fwd_names[o] for o in outs[i:i + m]) + ",)" for i in range(0, len(outs), m)]
    total = prog.statements(prog.needed(["E:total"]), ["E:total"])
    loss_name = prog.names["E:total"]
    body = "\n".join("        " + line for line in step)
    text = (f"def run(P, n):\n    {unpack}\n    for _ in range(n):\n{body or '        pass'}\n"
            f"    return {pack}\n\n\n"
            f"def forward(P):\n    {unpack}\n" + "".join(f"    {line}\n" for line in fwd) +
            f"    return ({', '.join(rows)},)\n\n\n"
            f"def loss(P):\n    {unpack}\n" + "".join(f"    {line}\n" for line in total) +
            f"    return {loss_name}\n")
    return text, prog.ns


class ScalarStepper:
    """Steps of gradient descent by the compiled code (mutates its own parameters only)."""

    name = "scalar"

    def __init__(self, problem: Problem, hidden_deltas: str = "original"):
        text, ns = source(problem, hidden_deltas)
        namespace = dict(ns.scope)
        code = compile(text, f"<handprop sgd {problem.name or 'problem'}>", "exec")
        exec(code, namespace)   # generated from the problem's own formulas: no text from outside
        self._run = namespace["run"]
        self._forward = namespace["forward"]
        self._loss = namespace["loss"]
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
        """The total loss, exactly as :func:`handprop.solve.engine.loss_with` computes it."""
        return self._loss(self.P)


def fits(problem: Problem) -> bool:
    """The compiled engine can run ``problem``: small enough, and no sum so wide that the
    generated code's nesting nears Python's limits."""
    fan_in = max(len(problem.incoming[u]) for layer in problem.layers for u in layer.units)
    return size(problem) <= MAX_TERMS and fan_in <= MAX_FAN_IN


if __name__ == "__main__":
    from ..problem import load
    print(source(load("mazur"))[0])

