"""The program of the generated Python script: an independent recomputation of a trace.

``handprop explain --format python`` writes this module's source, followed by
the problem and the trace's values as plain Python data (:mod:`handprop.render.python`),
and a line that calls :func:`main`.  The result is a standalone script, plain
Python 3 with no numpy and no handprop, that recomputes every quantity from the
problem alone, prints the worked numbers as it goes, and checks each against
the trace (``|ours - trace| <= TOLERANCE max(1, |trace|)``): exit status 0 when
all agree, 1 naming the first id that does not -- the tutorial's "Python
verification", done honestly.

It is written independently of the engine (layers as weight matrices, the
softmax Jacobian written out in full, its own float form of every activation
and loss in :data:`ACTIVATION` and :data:`LOSS_FUNCTIONS`), following the same
conventions: mse and mae divide by the number of outputs, the slope of |t - out| is 0 where
they are equal (as PyTorch takes it), logarithms keep outputs in
[LOG_FLOOR, 1 - LOG_FLOOR], sigmoid + bce and softmax + cross_entropy give
delta = out - target.  A test holds its tables to the entries of
:mod:`handprop.nn`.  It loops over the data, so a large network gives a long data
section, not a long program.

Imported as a module (the tests do), the data below are empty; :func:`run`
takes them as arguments.
"""
import math
import sys

# ---------------------------------------------------------------- the data (filled in by the writer)

INPUTS = []          # input names
LAYERS = []          # (units, activation, its parameters), input side first
WEIGHTS = {}         # name: (from, to, value)
BIASES = {}          # name: (units that share it, value)
SAMPLES = []         # (inputs in the order of INPUTS, targets in the order of the output units)
TITLE = ""
LOSS = "half_sse"
LEARNING_RATE = 0.5
UPDATE_BIASES = False
BATCH = "sum"        # how the samples' gradients combine: sum or mean
OPTIMIZER = "sgd"    # the update rule (UPDATES): a name, or a mapping of name and settings
STEP = 1             # the update worked: the parameters above are those after STEP - 1 steps
STATE = {}           # the optimizer's state before it: parameter: {velocity | m | v: value}
TRACE = {}           # the trace's values, by quantity id
HAND = {}            # the trace's hand-rounded values (shown, not checked)
ROUNDING = ""        # how they were rounded

LOG_FLOOR = 1e-12    # outputs are kept in [LOG_FLOOR, 1 - LOG_FLOOR] where a loss takes a logarithm
TOLERANCE = 1e-12
DIGITS = 6           # significant figures printed
QUIET = False

# ---------------------------------------------------------------- activations and losses


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def softmax(nets):
    top = max(nets)                      # shifted by the largest net: exp cannot overflow
    exps = [math.exp(z - top) for z in nets]
    return [e / sum(exps) for e in exps]


def _gelu_slope(z):
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0))) + z * math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _softplus(z):
    return z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))


# name: (out = f(net, params), dout/dnet = f'(net, out, params), how f' is written); softmax's
# out comes from the whole layer and its derivative is the Jacobian (see sample())
ACTIVATION = {
    "sigmoid": (lambda z, p: sigmoid(z), lambda z, y, p: y * (1.0 - y), "out(1 - out)"),
    "tanh": (lambda z, p: math.tanh(z), lambda z, y, p: 1.0 - y * y, "1 - out^2"),
    "relu": (lambda z, p: z if z > 0 else 0.0, lambda z, y, p: 1.0 if z > 0 else 0.0, "[net > 0]"),
    "leaky_relu": (lambda z, p: z if z > 0 else p["slope"] * z,
                   lambda z, y, p: 1.0 if z > 0 else p["slope"], "1 if net > 0 else slope"),
    "linear": (lambda z, p: z, lambda z, y, p: 1.0, "1"),
    "softplus": (lambda z, p: _softplus(z), lambda z, y, p: sigmoid(z), "sigmoid(net)"),
    "elu": (lambda z, p: z if z > 0 else p["alpha"] * math.expm1(z),
            lambda z, y, p: 1.0 if z > 0 else p["alpha"] * math.exp(z), "1 if net > 0 else alpha e^net"),
    "silu": (lambda z, p: z * sigmoid(z), lambda z, y, p: sigmoid(z) * (1.0 + z * (1.0 - sigmoid(z))),
             "sigmoid(net)(1 + net(1 - sigmoid(net)))"),
    "gelu": (lambda z, p: 0.5 * z * (1.0 + math.erf(z / math.sqrt(2.0))), lambda z, y, p: _gelu_slope(z),
             "Phi(net) + net phi(net)"),
    "softmax": (None, lambda z, y, p: y * (1.0 - y), "out(1 - out), the Jacobian's diagonal"),
}



def _softmax_jacobian(y):
    """d out_k / d net_j = out_k ([k == j] - out_j), as rows k."""
    return [[y[k] * ((1.0 if k == j else 0.0) - y[j]) for j in range(len(y))] for k in range(len(y))]


# name: (the layer's outputs from its nets, the Jacobian from the outputs) of the activations
# that couple their layer's outputs
LAYER_LEVEL = {"softmax": (softmax, _softmax_jacobian)}


def layer_level(activation):
    if activation not in LAYER_LEVEL:
        raise KeyError(f"this script has no layer-level form of the activation {activation!r}")
    return LAYER_LEVEL[activation]


def clamp(y):
    return min(max(y, LOG_FLOOR), 1.0 - LOG_FLOOR)


def sign(z):
    """The slope of |z|: 0 at z = 0, as PyTorch takes it."""
    return 1.0 if z > 0 else -1.0 if z < 0 else 0.0


def bce(y, t, n):
    return -(t * math.log(max(y, LOG_FLOOR)) + (1.0 - t) * math.log(max(1.0 - y, LOG_FLOOR)))


# name: (E_U(out, target, n outputs), dE/dout_U, how each is written)
LOSS_FUNCTIONS = {
    "half_sse": (lambda y, t, n: 0.5 * (t - y) ** 2, lambda y, t, n: y - t,
                 "1/2 (t - out)^2", "out - t"),
    "sse": (lambda y, t, n: (t - y) ** 2, lambda y, t, n: 2.0 * (y - t), "(t - out)^2", "2 (out - t)"),
    "mse": (lambda y, t, n: (t - y) ** 2 / n, lambda y, t, n: 2.0 * (y - t) / n,
            "(t - out)^2 / n", "2 (out - t) / n"),
    "l1": (lambda y, t, n: abs(t - y), lambda y, t, n: sign(y - t), "|t - out|", "sgn(out - t)"),
    "mae": (lambda y, t, n: abs(t - y) / n, lambda y, t, n: sign(y - t) / n, "|t - out| / n",
            "sgn(out - t) / n"),
    "bce": (bce, lambda y, t, n: (clamp(y) - t) / (clamp(y) * (1.0 - clamp(y))),
            "-(t ln out + (1 - t) ln(1 - out))", "(out - t) / (out (1 - out))"),
    "cross_entropy": (lambda y, t, n: -t * math.log(max(y, LOG_FLOOR)) if t else 0.0,
                      lambda y, t, n: -t / max(y, LOG_FLOOR), "-t ln out", "-t / out"),
}
SIMPLIFIED = {("sigmoid", "bce"), ("softmax", "cross_entropy")}   # delta = out - target


def sgd(p, g, lr, state, t, s):
    """p - lr (g + weight_decay p)."""
    state["decayed"] = g + s["weight_decay"] * p
    return p - lr * (g + s["weight_decay"] * p)


def momentum(p, g, lr, state, t, s):
    """torch.optim.SGD with momentum: the buffer b starts as the gradient, then b = mu b + (1 - dampening) g."""
    g = state["decayed"] = g + s["weight_decay"] * p
    b = g if t == 1 else s["momentum"] * state["velocity"] + (1.0 - s["dampening"]) * g
    state["velocity"] = b
    return p - lr * (g + s["momentum"] * b if s["nesterov"] else b)


def rmsprop(p, g, lr, state, t, s):
    """v = alpha v + (1 - alpha) g^2; p - lr g / (sqrt(v) + eps)."""
    g = state["decayed"] = g + s["weight_decay"] * p
    state["v"] = s["alpha"] * state.get("v", 0.0) + (1.0 - s["alpha"]) * g * g
    return p - lr * g / (math.sqrt(state["v"]) + s["eps"])


def adam(p, g, lr, state, t, s, decoupled=False):
    """m, v the running moments; p - lr/(1 - beta1^t) m / (sqrt(v)/sqrt(1 - beta2^t) + eps) (torch's
    order); AdamW first shrinks p by lr weight_decay p instead of adding weight_decay p to g."""
    if decoupled:
        p = state["shrunk"] = p * (1.0 - lr * s["weight_decay"])
    else:
        g = state["decayed"] = g + s["weight_decay"] * p
    b1, b2 = s["beta1"], s["beta2"]
    m = state["m"] = b1 * state.get("m", 0.0) + (1.0 - b1) * g
    v = state["v"] = b2 * state.get("v", 0.0) + (1.0 - b2) * g * g
    state["mhat"], state["vhat"] = m / (1.0 - b1 ** t), v / (1.0 - b2 ** t)   # the bias corrections
    step = lr / (1.0 - b1 ** t)
    return p - step * m / (math.sqrt(v) / math.sqrt(1.0 - b2 ** t) + s["eps"])


UPDATES = {    # the optimizers: (p, gradient, learning rate, its state (changed), step t from 1, settings)
    "sgd": sgd, "momentum": momentum, "rmsprop": rmsprop, "adam": adam,
    "adamw": lambda p, g, lr, state, t, s: adam(p, g, lr, state, t, s, decoupled=True),
}
DEFAULTS = {   # each optimizer's settings when a problem leaves them out (torch's, but momentum 0.9)
    "sgd": {"weight_decay": 0.0},
    "momentum": {"momentum": 0.9, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0},
    "rmsprop": {"alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    "adamw": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
}


def optimizer_of(problem):
    """(name, settings) of the problem's optimizer: a name, or a mapping of name and settings."""
    given = problem.get("optimizer", "sgd")
    name = given["name"] if isinstance(given, dict) else given
    if name not in UPDATES:
        raise KeyError(f"this script has no form of the optimizer {name!r}")
    settings = dict(DEFAULTS[name])
    if isinstance(given, dict):
        settings.update({k: v for k, v in given.items() if k != "name"})
    return name, settings


# ---------------------------------------------------------------- printing and checking


class Checker:
    """Records each recomputed value, prints its worked line, compares it with the trace."""

    def __init__(self, trace, hand, quiet, digits, tolerance):
        self.trace, self.hand, self.quiet = trace, hand, quiet
        self.digits, self.tolerance = digits, tolerance
        self.computed = {}
        self.failed = []

    def fmt(self, v):
        return f"{v:.{self.digits}g}"

    def heading(self, title):
        if not self.quiet:
            print(f"\n== {title} ==")

    def __call__(self, qid, worked, value):
        self.computed[qid] = value
        if qid not in self.trace:
            self.failed.append(f"{qid}: computed {value!r}, but the trace has no such value")
            mark = "MISSING FROM TRACE"
        elif abs(value - self.trace[qid]) <= self.tolerance * max(1.0, abs(self.trace[qid])):
            mark = "ok"
        else:
            self.failed.append(f"{qid}: recomputed {value!r}, the trace says {self.trace[qid]!r}")
            mark = f"DISAGREES (trace: {self.trace[qid]!r})"
        if not self.quiet or mark != "ok":
            print(f"  {qid} = {worked} = {self.fmt(value)}   {mark}")
            if qid in self.hand:  # shown, not checked: the trace's hand-rounded value
                print(f"      by hand {self.hand[qid]!r}, drift {self.fmt(self.hand[qid] - value)}")


def terms(parts, joiner=" + ", limit=6):
    parts = list(parts)
    if len(parts) > limit:
        parts = parts[:3] + [f"... ({len(parts)} terms)"]
    return joiner.join(parts) if parts else "0"


# ---------------------------------------------------------------- the network as matrices


def network(problem):
    """Per layer: (units, activation, params, the layer before, W, bias names).

    W[j][i] names the weight from unit i of the layer before to unit j.
    """
    name_of = {(src, dst): name for name, (src, dst, value) in problem["weights"].items()}
    bias_of = {u: name for name, (units, value) in problem["biases"].items() for u in units}
    layers, before = [], problem["inputs"]
    for units, activation, params in problem["layers"]:
        if activation not in ACTIVATION:
            raise KeyError(f"this script has no form of the activation {activation!r}")
        W = [[name_of[(s, u)] for s in before] for u in units]
        layers.append((units, activation, params, before, W, [bias_of.get(u) for u in units]))
        before = units
    return layers


def forward(layers, params, x):
    """[(nets, outs)] of every layer for inputs x; the inputs come first, as outs."""
    result = [(None, list(x))]
    for units, activation, p, before, W, biases in layers:
        prev = result[-1][1]
        nets = []
        for j in range(len(units)):
            net = sum(params[W[j][i]] * prev[i] for i in range(len(prev)))
            nets.append(net + params[biases[j]] if biases[j] is not None else net)
        if ACTIVATION[activation][0] is None:       # couples the layer: outputs from all its nets
            outs = layer_level(activation)[0](nets)
        else:
            outs = [ACTIVATION[activation][0](z, p) for z in nets]
        result.append((nets, outs))
    return result


def loss_of(problem, layers, params):
    """The combined loss of every sample with parameters ``params``."""
    f = LOSS_FUNCTIONS[problem["loss"]][0]
    total = 0.0
    for x, t in problem["samples"]:
        y = forward(layers, params, x)[-1][1]
        total += sum(f(y[j], t[j], len(t)) for j in range(len(t)))
    return total / len(problem["samples"]) if problem["batch"] == "mean" else total


# ---------------------------------------------------------------- one sample


def sample(problem, check, layers, params, x, targets, sfx):
    """Forward pass, loss and backward pass of one sample; its gradients by parameter."""
    fmt = check.fmt
    label = f" (sample {sfx[1:-1]})" if sfx else ""
    values = forward(layers, params, x)
    for li, (units, activation, p, before, W, biases) in enumerate(layers):
        check.heading(f"Forward pass, layer {li + 1}{label}")
        nets, outs = values[li + 1]
        prev = values[li][1]
        for j, u in enumerate(units):
            parts = [f"({fmt(params[W[j][i]])})({fmt(prev[i])})" for i in range(len(prev))]
            if biases[j] is not None:
                parts.append(fmt(params[biases[j]]))
            check(f"net:{u}{sfx}", terms(parts), nets[j])
        for j, u in enumerate(units):
            check(f"out:{u}{sfx}", f"{activation}({fmt(nets[j])})", outs[j])

    check.heading(f"Error{label}")
    loss = problem["loss"]
    units, activation, p = layers[-1][:3]
    nets, y = values[-1]
    n = len(units)
    E, dE, written, d_written = LOSS_FUNCTIONS[loss]
    parts = []
    for j, u in enumerate(units):
        if loss in ("bce", "cross_entropy") and not LOG_FLOOR <= y[j] <= 1.0 - LOG_FLOOR:
            print(f"  note: out:{u}{sfx} = {y[j]!r} is kept within [{LOG_FLOOR}, 1 - {LOG_FLOOR}]")
        parts.append(E(y[j], targets[j], n))
        check(f"E:{u}{sfx}", f"{written} at out {fmt(y[j])}, t {fmt(targets[j])}", parts[-1])
    check(f"E:total{sfx}", terms(fmt(e) for e in parts), sum(parts))

    check.heading(f"Backward pass, output layer{label}")
    slope_of = ACTIVATION[activation]
    dE_dout = [dE(y[j], targets[j], n) for j in range(n)]
    dout_dnet = [slope_of[1](nets[j], y[j], p) for j in range(n)]
    for j, u in enumerate(units):
        check(f"dE/dout:{u}{sfx}", f"{d_written} at out {fmt(y[j])}, t {fmt(targets[j])}", dE_dout[j])
        check(f"dout/dnet:{u}{sfx}", f"{slope_of[2]} at net {fmt(nets[j])}", dout_dnet[j])
    if (activation, loss) in SIMPLIFIED:
        delta = [y[j] - targets[j] for j in range(n)]
        shown = [f"out - t = {fmt(y[j])} - {fmt(targets[j])}" for j in range(n)]
    elif ACTIVATION[activation][0] is None:         # the full Jacobian of a coupled layer
        J = layer_level(activation)[1](y)
        delta = [sum(dE_dout[k] * J[k][j] for k in range(n)) for j in range(n)]
        shown = [terms(f"({fmt(dE_dout[k])})({fmt(J[k][j])})" for k in range(n)) for j in range(n)]
    else:
        delta = [dE_dout[j] * dout_dnet[j] for j in range(n)]
        shown = [f"({fmt(dE_dout[j])})({fmt(dout_dnet[j])})" for j in range(n)]
    for j, u in enumerate(units):
        check(f"delta:{u}{sfx}", shown[j], delta[j])

    deltas = [None] * len(layers)
    deltas[-1] = delta
    for li in range(len(layers) - 2, -1, -1):
        check.heading(f"Backward pass, layer {li + 1}{label}")
        units, activation, p = layers[li][:3]
        nets, outs = values[li + 1]
        after, W_after = layers[li + 1][0], layers[li + 1][4]
        deltas[li] = []
        for i, u in enumerate(units):
            paths = [deltas[li + 1][k] * params[W_after[k][i]] for k in range(len(after))]
            shown = terms(f"({fmt(deltas[li + 1][k])})({fmt(params[W_after[k][i]])})"
                          for k in range(len(after)))
            check(f"dE/dout:{u}{sfx}", shown, sum(paths))
            steep = ACTIVATION[activation][1](nets[i], outs[i], p)
            check(f"dout/dnet:{u}{sfx}", f"{ACTIVATION[activation][2]} at net {fmt(nets[i])}", steep)
            deltas[li].append(sum(paths) * steep)
            check(f"delta:{u}{sfx}", f"({fmt(sum(paths))})({fmt(steep)})", deltas[li][-1])

    # dE/dw = delta of the unit it feeds x the output it multiplies; dE/db = the sum of the
    # deltas of the units sharing b (dnet/db = 1 for each)
    grads, worked = {}, {}
    for li, (units, activation, p, before, W, biases) in enumerate(layers):
        prev = values[li][1]
        for j, u in enumerate(units):
            for i, s in enumerate(before):
                grads[W[j][i]] = deltas[li][j] * prev[i]
                source = s if li == 0 else f"out_{s}"
                worked[W[j][i]] = f"delta_{u} x {source} = ({fmt(deltas[li][j])})({fmt(prev[i])})"
    where = {u: (li, j) for li, layer in enumerate(layers) for j, u in enumerate(layer[0])}
    for name, (units, value) in problem["biases"].items():
        mine = [deltas[where[u][0]][where[u][1]] for u in units]
        grads[name] = sum(mine)
        worked[name] = terms(f"delta_{u}" for u in units) + " = " + terms(fmt(d) for d in mine)
    if sfx:
        check.heading(f"Gradients{label}")
        for name in list(problem["weights"]) + list(problem["biases"]):
            check(f"grad:{name}{sfx}", worked[name], grads[name])
    return grads, worked, sum(parts)


# ---------------------------------------------------------------- the whole solution


def run(problem, trace, hand=None, quiet=False, digits=DIGITS, tolerance=TOLERANCE):
    """Recompute every quantity of ``problem`` and check it against ``trace``; returns the
    Checker (its ``failed`` lists the disagreements)."""
    check = Checker(trace, hand or {}, quiet, digits, tolerance)
    layers = network(problem)
    params = {name: value for name, (src, dst, value) in problem["weights"].items()}
    params.update({name: value for name, (units, value) in problem["biases"].items()})
    samples = problem["samples"]
    many = len(samples) > 1
    totals, per_sample = [], []
    for k, (x, t) in enumerate(samples):
        grads, worked, total = sample(problem, check, layers, params, x, t, f"[{k + 1}]" if many else "")
        per_sample.append(grads)
        totals.append(total)
    batch = problem["batch"]
    scale = 1.0 / len(samples) if batch == "mean" else 1.0
    check.heading(f"Gradients ({batch} over the samples)" if many else "Gradients")
    if many:
        check("E:total", f"{batch} of " + terms(check.fmt(e) for e in totals), sum(totals) * scale)
    for name in params:
        g = sum(grads[name] for grads in per_sample) * scale
        if many:
            check(f"grad:{name}", f"{batch} of " + terms(check.fmt(grads[name]) for grads in per_sample), g)
        else:
            check(f"grad:{name}", worked[name], g)

    lr = problem["learning_rate"]
    optimizer, settings = optimizer_of(problem)
    plain = optimizer == "sgd" and not settings["weight_decay"]
    step = problem.get("step", 1)
    check.heading(f"Update (learning rate {lr!r})" if plain and step == 1 else
                  f"Update ({optimizer}, step {step}, learning rate {lr!r})")
    updated = dict(params)
    for name in list(problem["weights"]) + (list(problem["biases"]) if problem["update_biases"] else []):
        g = check.computed[f"grad:{name}"]
        state = dict(problem.get("state", {}).get(name, {}))
        before = dict(state)
        updated[name] = UPDATES[optimizer](params[name], g, lr, state, step, settings)
        for kind in ("decayed", "shrunk", "velocity", "m", "v", "mhat", "vhat"):   # the state as the trace has it
            if f"{kind}:{name}" in trace:
                was = f" (from {check.fmt(before[kind])} before the step)" if kind in before else ""
                check(f"{kind}:{name}", f"{optimizer}'s {kind} of {name}{was}", state[kind])
        check(f"new:{name}", f"{check.fmt(params[name])} - {lr!r} x {check.fmt(g)}" if plain else
              f"{optimizer} from {check.fmt(params[name])} with gradient {check.fmt(g)}", updated[name])
    check("new:E:total", "the loss with the updated parameters", loss_of(problem, layers, updated))

    unchecked = [qid for qid in trace if qid not in check.computed]
    if unchecked:
        check.failed.append(f"{unchecked[0]}: in the trace but not recomputed by this script")
    return check


def main():
    for stream in (sys.stdout, sys.stderr):     # any name prints, whatever the terminal's encoding
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    quiet = QUIET or "-q" in sys.argv[1:]
    if not quiet:
        print(TITLE)
        if ROUNDING:
            print(f"hand rounding: {ROUNDING}")
    problem = {"inputs": INPUTS, "layers": LAYERS, "weights": WEIGHTS, "biases": BIASES,
               "samples": SAMPLES, "loss": LOSS, "learning_rate": LEARNING_RATE,
               "update_biases": UPDATE_BIASES, "batch": BATCH, "optimizer": OPTIMIZER,
               "step": STEP, "state": STATE}
    check = run(problem, TRACE, HAND, quiet, DIGITS, TOLERANCE)
    if not quiet:
        print()
    if check.failed:
        print(f"FAILED: {len(check.failed)} value(s) disagree; the first: {check.failed[0]}", file=sys.stderr)
        return 1
    print(f"All {len(check.computed)} values agree with the trace (to {TOLERANCE} relative).")
    return 0
