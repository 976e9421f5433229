"""The trace as a standalone Python script that checks it.

The script holds the problem (inputs, weights, biases, samples, loss, learning
rate, batch mode) and the trace's values, and nothing of handprop: in plain
Python 3 it recomputes every quantity from the problem alone, prints the worked
numbers as it goes, and checks each against the trace
(``|ours - trace| <= 1e-12 max(1, |trace|)``).  Exit status 0 when all agree,
1 naming the first id that does not.  This is the tutorial's "Python
verification", done honestly.

The checking code is written independently of ``engine.py`` (layers as weight
matrices, the softmax Jacobian written out in full) but follows the
conventions of ``functions.py``: mse divides by the number of outputs,
logarithms clamp outputs to [1e-12, 1 - 1e-12], sigmoid + bce and softmax +
cross_entropy give delta = out - target.  It loops over the data, so a large
network gives a long data section, not a long program.
"""
from __future__ import annotations

from ..nn.functions import LOG_FLOOR
from ..trace import Trace

TOLERANCE = 1e-12

_PROGRAM = r'''
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


# name: (out = f(net, slope), dout/dnet = f'(net, out, slope), how f' is written)
ACTIVATION = {
    "sigmoid": (lambda z, a: sigmoid(z), lambda z, y, a: y * (1.0 - y), "out(1 - out)"),
    "tanh": (lambda z, a: math.tanh(z), lambda z, y, a: 1.0 - y * y, "1 - out^2"),
    "relu": (lambda z, a: z if z > 0 else 0.0, lambda z, y, a: 1.0 if z > 0 else 0.0, "[net > 0]"),
    "leaky_relu": (lambda z, a: z if z > 0 else a * z, lambda z, y, a: 1.0 if z > 0 else a,
                   "1 if net > 0 else slope"),
    "linear": (lambda z, a: z, lambda z, y, a: 1.0, "1"),
    # softmax's out comes from the whole layer; this is the diagonal of its Jacobian
    "softmax": (None, lambda z, y, a: y * (1.0 - y), "out(1 - out)"),
}


def clamp(y):
    return min(max(y, LOG_FLOOR), 1.0 - LOG_FLOOR)


def bce(y, t, n):
    y = clamp(y)
    return -(t * math.log(y) + (1.0 - t) * math.log(1.0 - y))


# name: (E_U(out, target, n outputs), dE/dout_U, how each is written)
LOSS_FUNCTIONS = {
    "half_sse": (lambda y, t, n: 0.5 * (t - y) ** 2, lambda y, t, n: y - t,
                 "1/2 (t - out)^2", "out - t"),
    "sse": (lambda y, t, n: (t - y) ** 2, lambda y, t, n: 2.0 * (y - t), "(t - out)^2", "2 (out - t)"),
    "mse": (lambda y, t, n: (t - y) ** 2 / n, lambda y, t, n: 2.0 * (y - t) / n,
            "(t - out)^2 / n", "2 (out - t) / n"),
    "bce": (bce, lambda y, t, n: (clamp(y) - t) / (clamp(y) * (1.0 - clamp(y))),
            "-(t ln out + (1 - t) ln(1 - out))", "(out - t) / (out (1 - out))"),
    "cross_entropy": (lambda y, t, n: -t * math.log(max(y, LOG_FLOOR)) if t else 0.0,
                      lambda y, t, n: -t / max(y, LOG_FLOOR), "-t ln out", "-t / out"),
}
SIMPLIFIED = {("sigmoid", "bce"), ("softmax", "cross_entropy")}   # delta = out - target

# ---------------------------------------------------------------- printing and checking

QUIET = "-q" in sys.argv[1:]
COMPUTED = {}
FAILED = []


def fmt(v):
    return f"{v:.{DIGITS}g}"


def terms(parts, joiner=" + ", limit=6):
    parts = list(parts)
    if len(parts) > limit:
        parts = parts[:3] + [f"... ({len(parts)} terms)"]
    return joiner.join(parts) if parts else "0"


def check(qid, worked, value):
    """Record ``value`` as quantity ``qid``, print its worked line and compare with TRACE."""
    COMPUTED[qid] = value
    if qid not in TRACE:
        FAILED.append(f"{qid}: computed {value!r}, but the trace has no such value")
        mark = "MISSING FROM TRACE"
    elif abs(value - TRACE[qid]) <= TOLERANCE * max(1.0, abs(TRACE[qid])):
        mark = "ok"
    else:
        FAILED.append(f"{qid}: recomputed {value!r}, the trace says {TRACE[qid]!r}")
        mark = f"DISAGREES (trace: {TRACE[qid]!r})"
    if not QUIET or mark != "ok":
        print(f"  {qid} = {worked} = {fmt(value)}   {mark}")
        if qid in HAND:  # shown, not checked: the trace's hand-rounded value (see ROUNDING)
            print(f"      by hand {HAND[qid]!r}, drift {fmt(HAND[qid] - value)}")


def heading(title):
    if not QUIET:
        print(f"\n== {title} ==")


# ---------------------------------------------------------------- the network as matrices


def network():
    """Per layer: (units, activation, slope, the layer before, W, bias names).

    W[j][i] names the weight from unit i of the layer before to unit j.
    """
    name_of = {(src, dst): name for name, (src, dst, value) in WEIGHTS.items()}
    bias_of = {u: name for name, (units, value) in BIASES.items() for u in units}
    layers, before = [], INPUTS
    for units, activation, slope in LAYERS:
        W = [[name_of[(s, u)] for s in before] for u in units]
        layers.append((units, activation, slope, before, W, [bias_of.get(u) for u in units]))
        before = units
    return layers


def forward(layers, params, x):
    """[(nets, outs)] of every layer for inputs x; the inputs come first, as outs."""
    result = [(None, list(x))]
    for units, activation, slope, before, W, biases in layers:
        prev = result[-1][1]
        nets = []
        for j in range(len(units)):
            net = sum(params[W[j][i]] * prev[i] for i in range(len(prev)))
            nets.append(net + params[biases[j]] if biases[j] is not None else net)
        if activation == "softmax":
            outs = softmax(nets)
        else:
            outs = [ACTIVATION[activation][0](z, slope) for z in nets]
        result.append((nets, outs))
    return result


def loss_of(layers, params):
    """The combined loss of every sample with parameters ``params``."""
    f = LOSS_FUNCTIONS[LOSS][0]
    total = 0.0
    for x, t in SAMPLES:
        y = forward(layers, params, x)[-1][1]
        total += sum(f(y[j], t[j], len(t)) for j in range(len(t)))
    return total / len(SAMPLES) if BATCH == "mean" else total


# ---------------------------------------------------------------- one sample


def sample(layers, params, x, targets, sfx):
    """Forward pass, loss and backward pass of one sample; its gradients by parameter."""
    values = forward(layers, params, x)
    for li, (units, activation, slope, before, W, biases) in enumerate(layers):
        heading(f"Forward pass, layer {li + 1}" + (f" (sample {sfx[1:-1]})" if sfx else ""))
        nets, outs = values[li + 1]
        prev = values[li][1]
        for j, u in enumerate(units):
            parts = [f"({fmt(params[W[j][i]])})({fmt(prev[i])})" for i in range(len(prev))]
            if biases[j] is not None:
                parts.append(fmt(params[biases[j]]))
            check(f"net:{u}{sfx}", terms(parts), nets[j])
        for j, u in enumerate(units):
            check(f"out:{u}{sfx}", f"{activation}({fmt(nets[j])})", outs[j])

    heading("Error" + (f" (sample {sfx[1:-1]})" if sfx else ""))
    units, activation, slope = layers[-1][:3]
    nets, y = values[-1]
    n = len(units)
    E, dE, written, d_written = LOSS_FUNCTIONS[LOSS]
    parts = []
    for j, u in enumerate(units):
        if LOSS in ("bce", "cross_entropy") and not LOG_FLOOR <= y[j] <= 1.0 - LOG_FLOOR:
            print(f"  note: out:{u}{sfx} = {y[j]!r} is clamped to [{LOG_FLOOR}, 1 - {LOG_FLOOR}]")
        parts.append(E(y[j], targets[j], n))
        check(f"E:{u}{sfx}", f"{written} at out {fmt(y[j])}, t {fmt(targets[j])}", parts[-1])
    check(f"E:total{sfx}", terms(fmt(e) for e in parts), sum(parts))

    heading("Backward pass, output layer" + (f" (sample {sfx[1:-1]})" if sfx else ""))
    slope_of = ACTIVATION[activation]
    dE_dout = [dE(y[j], targets[j], n) for j in range(n)]
    dout_dnet = [slope_of[1](nets[j], y[j], slope) for j in range(n)]
    for j, u in enumerate(units):
        check(f"dE/dout:{u}{sfx}", f"{d_written} at out {fmt(y[j])}, t {fmt(targets[j])}", dE_dout[j])
        check(f"dout/dnet:{u}{sfx}", f"{slope_of[2]} at net {fmt(nets[j])}", dout_dnet[j])
    if (activation, LOSS) in SIMPLIFIED:
        delta = [y[j] - targets[j] for j in range(n)]
        shown = [f"out - t = {fmt(y[j])} - {fmt(targets[j])}" for j in range(n)]
    elif activation == "softmax":
        # the full Jacobian: d out_k / d net_j = out_k ([k == j] - out_j)
        J = [[y[k] * ((1.0 if k == j else 0.0) - y[j]) for j in range(n)] for k in range(n)]
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
        heading(f"Backward pass, layer {li + 1}" + (f" (sample {sfx[1:-1]})" if sfx else ""))
        units, activation, slope = layers[li][:3]
        nets, outs = values[li + 1]
        after, W_after = layers[li + 1][0], layers[li + 1][4]
        deltas[li] = []
        for i, u in enumerate(units):
            paths = [deltas[li + 1][k] * params[W_after[k][i]] for k in range(len(after))]
            shown = terms(f"({fmt(deltas[li + 1][k])})({fmt(params[W_after[k][i]])})"
                          for k in range(len(after)))
            check(f"dE/dout:{u}{sfx}", shown, sum(paths))
            steep = ACTIVATION[activation][1](nets[i], outs[i], slope)
            check(f"dout/dnet:{u}{sfx}", f"{ACTIVATION[activation][2]} at net {fmt(nets[i])}", steep)
            deltas[li].append(sum(paths) * steep)
            check(f"delta:{u}{sfx}", f"({fmt(sum(paths))})({fmt(steep)})", deltas[li][-1])

    # dE/dw = delta of the unit it feeds x the output it multiplies; dE/db = the sum of the
    # deltas of the units sharing b (dnet/db = 1 for each)
    grads, worked = {}, {}
    for li, (units, activation, slope, before, W, biases) in enumerate(layers):
        prev = values[li][1]
        for j, u in enumerate(units):
            for i, s in enumerate(before):
                grads[W[j][i]] = deltas[li][j] * prev[i]
                source = s if li == 0 else f"out_{s}"
                worked[W[j][i]] = f"delta_{u} x {source} = ({fmt(deltas[li][j])})({fmt(prev[i])})"
    where = {u: (li, j) for li, layer in enumerate(layers) for j, u in enumerate(layer[0])}
    for name, (units, value) in BIASES.items():
        mine = [deltas[where[u][0]][where[u][1]] for u in units]
        grads[name] = sum(mine)
        worked[name] = terms(f"delta_{u}" for u in units) + " = " + terms(fmt(d) for d in mine)
    if sfx:
        heading(f"Gradients (sample {sfx[1:-1]})")
        for name in list(WEIGHTS) + list(BIASES):
            check(f"grad:{name}{sfx}", worked[name], grads[name])
    return grads, worked, sum(parts)


# ---------------------------------------------------------------- the whole solution


def main():
    for stream in (sys.stdout, sys.stderr):     # any name prints, whatever the terminal's encoding
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    layers = network()
    params = {name: value for name, (src, dst, value) in WEIGHTS.items()}
    params.update({name: value for name, (units, value) in BIASES.items()})
    many = len(SAMPLES) > 1
    if not QUIET:
        print(TITLE)
        if ROUNDING:
            print(f"hand rounding: {ROUNDING}")
    totals, per_sample = [], []
    for k, (x, t) in enumerate(SAMPLES):
        grads, worked, total = sample(layers, params, x, t, f"[{k + 1}]" if many else "")
        per_sample.append(grads)
        totals.append(total)
    scale = 1.0 / len(SAMPLES) if BATCH == "mean" else 1.0
    heading(f"Gradients ({BATCH} over the samples)" if many else "Gradients")
    if many:
        check("E:total", f"{BATCH} of " + terms(fmt(e) for e in totals), sum(totals) * scale)
    for name in params:
        g = sum(grads[name] for grads in per_sample) * scale
        if many:
            shown = f"{BATCH} of " + terms(fmt(grads[name]) for grads in per_sample)
            check(f"grad:{name}", shown, g)
        else:
            check(f"grad:{name}", worked[name], g)

    heading(f"Update (learning rate {LEARNING_RATE!r})")
    updated = dict(params)
    for name in list(WEIGHTS) + (list(BIASES) if UPDATE_BIASES else []):
        g = COMPUTED[f"grad:{name}"]
        updated[name] = params[name] - LEARNING_RATE * g
        check(f"new:{name}", f"{fmt(params[name])} - {LEARNING_RATE!r} x {fmt(g)}", updated[name])
    check("new:E:total", "the loss with the updated parameters", loss_of(layers, updated))

    unchecked = [qid for qid in TRACE if qid not in COMPUTED]
    if unchecked:
        FAILED.append(f"{unchecked[0]}: in the trace but not recomputed by this script")
    if not QUIET:
        print()
    if FAILED:
        print(f"FAILED: {len(FAILED)} value(s) disagree; the first: {FAILED[0]}", file=sys.stderr)
        return 1
    print(f"All {len(COMPUTED)} values agree with the trace (to {TOLERANCE} relative).")
    return 0
'''


def _r(value) -> str:
    """A Python literal for ``value`` (floats round-trip exactly; names may be any text)."""
    if isinstance(value, (float, bool, int, str)):
        return repr(value)
    raise TypeError(f"cannot embed {value!r}")


def _rows(items: list[str], indent: str = "    ") -> str:
    return "".join(f"{indent}{item},\n" for item in items)


def render(trace: Trace, digits: int | None = None) -> str:
    """A standalone Python script recomputing and checking every value of ``trace``."""
    p = trace.problem
    title = p.get("title") or trace.name or "handprop problem"
    shown = digits or trace.digits
    layers = [f"([{', '.join(_r(u) for u in layer['units'])}], {_r(layer['activation'])}, "
              f"{_r(float(layer.get('slope', 0.01)))})" for layer in p["layers"]]
    weights = [f"{_r(name)}: ({_r(src)}, {_r(dst)}, {_r(float(value))})"
               for name, (src, dst, value) in p["weights"].items()]
    biases = [f"{_r(name)}: ([{', '.join(_r(u) for u in units)}], {_r(float(value))})"
              for name, (units, value) in p["biases"].items()]
    samples = [f"([{', '.join(_r(float(v)) for v in s['inputs'])}], "
               f"[{', '.join(_r(float(v)) for v in s['targets'])}])" for s in p["samples"]]
    values = [f"{_r(qid)}: {_r(float(v))}" for qid, v in trace.values.items()]
    hand = [f"{_r(qid)}: {_r(float(v))}" for qid, v in (trace.hand_values or {}).items()]
    rounding = trace.rounding or {}
    rounding_text = ("" if not hand else
                     f"every intermediate rounded half-up to {rounding.get('places')} "
                     f"{'decimal places' if rounding.get('mode') == 'round' else 'significant figures'}")
    header = f'''#!/usr/bin/env python3
"""{_docstring(title)}: every number of the worked solution, recomputed and checked.

Written by `handprop explain --format python`.  Plain Python 3: no numpy, no
handprop.  From the problem below alone it computes the forward pass, the loss,
every delta and gradient, the update and the loss after it, prints each worked
number as it goes (-q: only the summary) and checks it against the value the
trace holds (TRACE, at the end): |ours - trace| <= {TOLERANCE:g} max(1, |trace|).
Exit status 0 when every value agrees, 1 naming the first that does not.
"""
import math
import sys

# ---------------------------------------------------------------- the problem

INPUTS = [{", ".join(_r(x) for x in p["inputs"])}]
LAYERS = [  # (units, activation, leaky_relu slope), input side first
{_rows(layers)}]
WEIGHTS = {{  # name: (from, to, value)
{_rows(weights)}}}
BIASES = {{  # name: (units that share it, value)
{_rows(biases)}}}
SAMPLES = [  # (inputs in the order of INPUTS, targets in the order of the output units)
{_rows(samples)}]
TITLE = {_r(title)}
LOSS = {_r(p["loss"])}
LEARNING_RATE = {_r(float(p["learning_rate"]))}
UPDATE_BIASES = {_r(bool(p["update_biases"]))}
BATCH = {_r(p["batch"])}   # how the samples' gradients combine: sum or mean

LOG_FLOOR = {_r(LOG_FLOOR)}   # outputs are clamped to [LOG_FLOOR, 1 - LOG_FLOOR] before a logarithm
TOLERANCE = {_r(TOLERANCE)}
DIGITS = {int(shown)}   # significant figures printed
'''
    footer = f'''

# ---------------------------------------------------------------- the trace's values

TRACE = {{
{_rows(values)}}}

# The hand-rounded values of the trace (handprop explain --round/--sig), printed beside the
# exact ones with their drift; empty without hand rounding.
ROUNDING = {_r(rounding_text)}
HAND = {{
{_rows(hand)}}}


if __name__ == "__main__":
    sys.exit(main())
'''
    return header + _PROGRAM + footer


def _docstring(text: str) -> str:
    """``text`` safe inside a triple-quoted docstring, on one line."""
    return " ".join(repr(text)[1:-1].replace('"', r'\"').split())
