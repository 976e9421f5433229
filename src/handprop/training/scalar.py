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

An optimizer with state (momentum, RMSprop, Adam, AdamW; :mod:`handprop.nn.optimizers`)
puts its entry's trees for the step in place of each ``new:P``: one statement per
tree (``opt:m:w5``, ..., then ``new:w5``), its states before the step local
variables ``s0, s1, ...`` carried from step to step, and a hyperparameter to the
power t (Adam's bias corrections) worked once a step.  Step 1 has trees of its own
(every state starts at 0; momentum's buffer starts as the gradient), compiled as
``first(P, S)``.  The reference engine evaluates the very same trees, so the two
agree bit for bit for every optimizer.
"""
from __future__ import annotations

from ..expr.evaluate import Namespace, python_source
from ..expr.nodes import Expr, Mul, Num, Sym
from ..nn import OPTIMIZERS
from ..nn.optimizers import ETA, GRAD, NEW, PARAM, hyper_key, power_key, state_key, substitute
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

    def __init__(self, problem: Problem, hidden_deltas: str, t: int = 2, ns: Namespace | None = None):
        self.p = problem
        self.sys: System = system(problem)
        self.hidden_deltas = hidden_deltas
        self.index = {name: i for i, name in enumerate(problem.params)}
        self.ns = Namespace() if ns is None else ns
        self.states: dict[str, str] = {}      # a state's key (state:m:w5) -> its variable (s0)
        self.powers: dict[str, str] = {}      # power:beta1 -> its variable (q0), worked once a step
        self.opt: dict[str, str] = {}         # an optimizer statement's key -> the parameter it is of
        self.exprs = self._with_optimizer({k: self._lean(k, e) for k, e in self.sys.exprs.items()}, t)

    def _with_optimizer(self, exprs: dict[str, Expr], t: int) -> dict[str, Expr]:
        """Each ``new:P`` replaced by the optimizer's trees of step ``t`` (``t`` 2: every later step,
        powers of t as variables), their symbols renamed to this program's keys."""
        p = self.p
        entry, settings = OPTIMIZERS[p.optimizer], p.optimizer_settings
        steps = entry.steps(t, settings, powers=t > 1)
        hypers = {hyper_key(k): Num(float(v)) for k, v in settings.values if not isinstance(v, bool)}
        carried = [s.id for s in entry.carried]
        updated = set(p.updated)
        out: dict[str, Expr] = {}
        for k, e in exprs.items():
            s = parse(k)
            if s is None or s.kind != "new" or s.name not in updated:
                out[k] = e
                continue
            name = s.name
            env: dict[str, Expr] = {PARAM: Sym(qid("param", name)), GRAD: Sym(qid("grad", name)),
                                    ETA: Sym(ETA), **hypers}
            for state in carried:
                key = f"state:{state}:{name}"
                env[state_key(state)] = Sym(key)
                self.states.setdefault(key, f"s{len(self.states)}")
            for h, _ in settings.values:
                if power_key(h) in {sym for _, tree in steps for sym in tree.symbols()}:
                    env[power_key(h)] = Sym(power_key(h))
                    self.powers.setdefault(power_key(h), f"q{len(self.powers)}")
            for key, tree in steps:
                target = k if key == NEW else f"opt:{key}:{name}"
                for sym in tree.symbols():       # a state before the step is read by its own update only
                    if sym.startswith("state:") and sym != state_key(key):
                        raise ValueError(f"{p.optimizer}: {key} reads {sym}, another state before the step")
                out[target] = substitute(tree, env)
                self.opt[target] = name
                env[key] = Sym(target)
        return out

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
            if k in self.opt:                                   # an optimizer's step: with its update
                k = qid("new", self.opt[k])
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
            if key in self.states:
                return self.states[key]
            if key in self.powers:
                return self.powers[key]
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
            if k in self.opt and k.startswith("opt:"):
                state = "state:" + k[len("opt:"):]
                if state in self.states:          # a carried state's new value: into its variable
                    names[k] = self.states[state]
                    lines.append(f"{names[k]} = {source}")
                    continue
                if uses.get(k, 0) == 1 and k not in keep:
                    inline[k] = source
                    continue
                names[k] = f"v{len(names)}"
                lines.append(f"{names[k]} = {source}")
                continue
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
    """The Python source of ``run(P, S, t, n)`` (n steps from parameters P, optimizer states S,
    t steps done), ``first(P, S)`` (step 1, when its trees are not the later steps'),
    ``forward(P)`` (the outputs of every sample) and ``loss(P)``; and the namespace its
    functions need."""
    prog = _Program(problem, hidden_deltas)
    names = [f"p{i}" for i in range(len(problem.params))]
    unpack = ", ".join(names) + ", = P"
    pack = "(" + ", ".join(names) + ",)"
    state_names = list(prog.states.values())
    unpack_s = f"    {', '.join(state_names)}, = S\n" if state_names else ""
    pack_s = "(" + "".join(f"{n}, " for n in state_names) + ")"
    step = prog.statements(prog.step_order(), [])
    powers = [f"{var} = ({lit(problem.optimizer_options[key.split(':', 1)[1]])} ** t)"
              for key, var in prog.powers.items()]
    body = "\n".join("        " + line for line in powers + step)
    text = (f"def run(P, S, t, n):\n    {unpack}\n{unpack_s}    for t in range(t + 1, t + n + 1):\n"
            f"{body or '        pass'}\n    return {pack}, {pack_s}\n\n\n")
    first = _Program(problem, hidden_deltas, t=1, ns=prog.ns)
    if first.exprs != prog.exprs:
        lines = first.statements(first.step_order(), [])
        text += (f"def first(P, S):\n    {unpack}\n{unpack_s}" + "".join(f"    {line}\n" for line in lines) +
                 f"    return {pack}, {pack_s}\n\n\n")
    outs = [qid("out", u, problem.sample_of(k)) for k in range(len(problem.samples)) for u in problem.outputs]
    fwd = prog.statements(prog.needed(outs), outs)
    fwd_names = dict(prog.names)
    m = len(problem.outputs)
    rows = ["(" + ", ".join(fwd_names[o] for o in outs[i:i + m]) + ",)" for i in range(0, len(outs), m)]
    total = prog.statements(prog.needed(["E:total"]), ["E:total"])
    loss_name = prog.names["E:total"]
    text += (f"def forward(P):\n    {unpack}\n" + "".join(f"    {line}\n" for line in fwd) +
             f"    return ({', '.join(rows)},)\n\n\n"
             f"def loss(P):\n    {unpack}\n" + "".join(f"    {line}\n" for line in total) +
             f"    return {loss_name}\n")
    return text, prog.ns


class ScalarStepper:
    """Steps of the problem's optimizer by the compiled code (mutates its own parameters only)."""

    name = "scalar"

    def __init__(self, problem: Problem, hidden_deltas: str = "original"):
        text, ns = source(problem, hidden_deltas)
        namespace = dict(ns.scope)
        code = compile(text, f"<handprop {problem.optimizer} {problem.name or 'problem'}>", "exec")
        exec(code, namespace)   # generated from the problem's own formulas: no text from outside
        self._run = namespace["run"]
        self._first = namespace.get("first")
        self._forward = namespace["forward"]
        self._loss = namespace["loss"]
        self.problem = problem
        self.P = tuple(problem.params.values())
        entry = OPTIMIZERS[problem.optimizer]
        self.carried = [s.id for s in entry.carried]
        self.S = (0.0,) * (len(self.carried) * len(problem.updated))
        self.t = 0

    def run(self, steps: int) -> None:
        """Advance the parameters (and the optimizer's states) by ``steps`` steps."""
        if steps <= 0:
            return
        if self.t == 0 and self._first is not None:
            self.P, self.S = self._first(self.P, self.S)
            self.t, steps = 1, steps - 1
        self.P, self.S = self._run(self.P, self.S, self.t, steps)
        self.t += steps

    def parameters(self) -> tuple[float, ...]:
        return self.P

    def state(self) -> dict[str, tuple[float, ...]]:
        """Each carried state of every updated parameter (in ``Problem.updated`` order)."""
        n = len(self.carried)
        return {sid: tuple(self.S[i::n]) for i, sid in enumerate(self.carried)}

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

