"""What every renderer shares: sections of the worked solution and its tables.

Only reads the trace; nothing here computes a derivative.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from ..expr.nodes import fmt_number, text_number
from ..trace import Form, Step, Trace


@dataclass(frozen=True)
class Section:
    key: str          # "forward", "loss", "backward-output", "backward-hidden-0", "update", ...
    title: str
    steps: tuple[Step, ...]


def layer_label(trace: Trace, layer: int) -> str:
    layers = trace.problem["layers"]
    if layer == len(layers) - 1:
        return "output layer"
    if len(layers) == 2:
        return "hidden layer"
    return f"hidden layer {layer + 1}"


def sections(trace: Trace) -> Iterator[Section]:
    """The steps grouped as a person heads them on paper, in order."""
    current: list[Step] = []
    key = title = None
    for step in trace.steps:
        k, t = _heading(trace, step)
        if k != key and current:
            yield Section(key, title, tuple(current))
            current = []
        key, title = k, t
        current.append(step)
    if current:
        yield Section(key, title, tuple(current))


def _heading(trace: Trace, step: Step) -> tuple[str, str]:
    sample = f" (sample {step.sample})" if step.sample else ""
    if step.phase == "forward":
        return (f"forward-{step.layer}{sample}",
                f"Forward pass: {layer_label(trace, step.layer)}{sample}")
    if step.phase == "loss":
        return (f"loss{sample}", f"Error{sample}" if step.sample else "Total error")
    if step.phase == "backward":
        if step.sample is None and len(trace.problem["samples"]) > 1:
            return "combine", "Gradients over all samples"
        return (f"backward-{step.layer}{sample}",
                f"Backward pass: {layer_label(trace, step.layer)}{sample}")
    return "update", "Updates"


def problem_summary(trace: Trace) -> str:
    p = trace.problem
    n = len(p["inputs"])
    parts = [f"{n} input{'s' if n != 1 else ''}"]
    for i, layer in enumerate(p["layers"]):
        m = len(layer["units"])
        kind = ("outputs" if m != 1 else "output") if i == len(p["layers"]) - 1 else "hidden"
        act = layer["activation"]
        if act == "leaky_relu":
            act += f", slope {fmt_number(layer.get('slope', 0.01), 9)}"
        parts.append(f"{m} {kind} ({act})")
    return " → ".join(parts)


def settings_line(trace: Trace) -> str:
    p = trace.problem
    text = f"loss {p['loss']}, learning rate η = {fmt_number(p['learning_rate'], 9)}"
    if len(p["samples"]) > 1:
        text += f", {len(p['samples'])} samples (batch: {p['batch']})"
    text += ", biases updated" if p["update_biases"] else ", biases not updated"
    return text


# ---------------------------------------------------------------- the given values

GIVEN_LIMIT = 36        # a listing longer than this is abbreviated
GIVEN_HEAD = 30         # ... to its first GIVEN_HEAD entries, "…", and its last GIVEN_TAIL
GIVEN_TAIL = 2
GIVEN_SAMPLES = 8       # samples listed in full before "and N more"


@dataclass(frozen=True)
class Given:
    """One row of the given values: ``label`` and its ``(name, value, wiring)`` entries.

    ``entries`` holds ``None`` where the middle of a long listing was left out;
    ``count`` is the number of entries in all.  ``wiring`` is ``"x1→H1"`` for a
    weight, the units ``"H1, H2"`` for a bias, ``""`` otherwise.
    """

    label: str
    entries: tuple[tuple[str, float, str] | None, ...]
    count: int


def abbreviate(items: list, limit: int = GIVEN_LIMIT, head: int = GIVEN_HEAD,
               tail: int = GIVEN_TAIL) -> list:
    """``items`` as they are when short, else the first and last few with ``None`` between."""
    if len(items) <= limit:
        return list(items)
    return list(items[:head]) + [None] + list(items[len(items) - tail:])


def new_questions(terms) -> list[str]:
    """Each chain-rule term's question, or ``""`` where an earlier term of the step asked it."""
    seen: set[str] = set()
    out = []
    for t in terms:
        out.append("" if t.question in seen else t.question)
        seen.add(t.question)
    return out


def given_items(row: "Given", escape: Callable[[str], str] = str, ellipsis: str = "…",
                equals: str = " = ", number: Callable[[float], str] | None = None) -> list[str]:
    """One row of given values as ``name (wiring) = value`` items, ``(N in all)`` when shortened;
    ``escape`` is the format's escaping of names, ``number`` its writing of a value."""
    number = number or given_number
    items = []
    for entry in row.entries:
        if entry is None:
            items.append(ellipsis)
            continue
        name, value, wiring = entry
        where = f" ({escape(wiring)})" if wiring else ""
        items.append(f"{escape(name)}{where}{equals}{number(value)}")
    if len(row.entries) < row.count:
        items[-1] += f" ({row.count} in all)"
    return items


def given(trace: Trace) -> list[Given]:
    """The values a problem states: inputs and targets of each sample, weights, biases."""
    p = trace.problem
    outputs = p["layers"][-1]["units"]
    rows = []
    samples = p["samples"]
    for k, s in enumerate(samples[:GIVEN_SAMPLES], start=1):
        label = f" (sample {k})" if len(samples) > 1 else ""
        for what, names, values in (("inputs", p["inputs"], s["inputs"]),
                                    ("targets", outputs, s["targets"])):
            entries = [(n, v, "") for n, v in zip(names, values)]
            rows.append(Given(what + label, tuple(abbreviate(entries)), len(entries)))
    weights = [(n, w[2], f"{w[0]}→{w[1]}") for n, w in p["weights"].items()]
    rows.append(Given("weights", tuple(abbreviate(weights)), len(weights)))
    if p["biases"]:
        biases = [(n, b[1], ", ".join("…" if u is None else u for u in abbreviate(b[0], 6, 4, 1)))
                  for n, b in p["biases"].items()]
        rows.append(Given("biases", tuple(abbreviate(biases)), len(biases)))
    return rows


def more_samples(trace: Trace) -> int:
    """How many samples the given values leave out."""
    return max(len(trace.problem["samples"]) - GIVEN_SAMPLES, 0)


def given_number(value: float) -> str:
    """A stated value, shown as stated (up to 12 significant figures, a true minus sign)."""
    return text_number(value, 12)


# ---------------------------------------------------------------- equations


def split_top(formula: str) -> list[str]:
    """Split a LaTeX chain ``a = b = c`` at the ``" = "`` outside braces and environments.

    A user's name sits inside ``\\text{...}`` (its braces escaped), so an ``=`` in
    a name never splits the chain.
    """
    parts: list[str] = []
    depth = 0
    start = i = 0
    n = len(formula)
    while i < n:
        ch = formula[i]
        if ch == "\\":
            if formula.startswith("\\begin{", i):
                depth += 1
            elif formula.startswith("\\end{", i):
                depth -= 1
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == " " and depth == 0 and formula.startswith(" = ", i):
            parts.append(formula[start:i])
            i += 3
            start = i
            continue
        i += 1
    parts.append(formula[start:])
    return parts


def split_equals(chain: str) -> list[str]:
    """``"a = b = c"`` -> ``["a", "b", "c"]`` (for writing each on its own line)."""
    return chain.split(" = ")


def equation(item: Step | Form, latex: bool = False) -> list[str]:
    """Every member of the step's chain, in order: the left-hand side, the general
    formula(s), the numbers substituted, the worked line(s), the value.

    Text or LaTeX; a member equal to the one before it is written once.
    """
    if latex:
        parts = split_top(item.latex) + split_top(item.substituted_latex)
    else:
        parts = item.text.split(" = ") + item.substituted.split(" = ")
    out: list[str] = []
    for part in parts:
        if not out or part != out[-1]:
            out.append(part)
    return out


def other_forms(step: Step) -> tuple[Form, ...]:
    """The step's other forms, less any that only repeats the step's own chain."""
    own = set(equation(step))
    return tuple(f for f in step.forms if not set(equation(f)[1:]) <= own)


# ---------------------------------------------------------------- hand rounding


@dataclass(frozen=True)
class HandValue:
    """A quantity computed by hand rounding, beside its exact value."""

    hand: float
    exact: float
    hand_text: str      # as the rounding writes it: 0.5933 (4 places)
    exact_text: str
    drift_text: str     # hand - exact, signed, 2 significant figures

    @property
    def drift(self) -> float:
        return self.hand - self.exact


def hand_number(value: float, rounding: dict | None, digits: int = 6) -> str:
    """A hand-rounded value written with the places it was rounded to."""
    if not rounding:
        return fmt_number(value, digits)
    places = int(rounding.get("places", digits))
    if rounding.get("mode") == "round" and abs(value) < 1e15:
        text = f"{value:.{places}f}"
    elif rounding.get("mode") == "sig" and value == value and abs(value) != float("inf"):
        text = f"{value:#.{places}g}"          # 0.150 at 3 figures: the zeros are significant
        mantissa, e, exponent = text.partition("e")
        text = mantissa.rstrip(".") + (f"e{int(exponent):+03d}" if e else "")
    else:
        return fmt_number(value, places)
    text = text.replace("-", "−")
    return text[1:] if text.startswith("−") and text.strip("−0.") == "" else text


def drift_number(drift: float, exact: float = 1.0) -> str:
    """``hand - exact`` signed, 2 significant figures; float noise (1e-12 relative) is 0."""
    if abs(drift) <= 1e-12 * max(abs(exact), 1e-12):
        return "0"
    return ("+" if drift > 0 else "−") + fmt_number(abs(drift), 2)


def hand_value(trace: Trace, quantity: str, digits: int | None = None) -> HandValue | None:
    """The hand value of ``quantity`` beside the exact one, or ``None`` without hand rounding."""
    if trace.hand_values is None or quantity not in trace.hand_values:
        return None
    hand = trace.hand_values[quantity]
    exact = trace.values.get(quantity, hand)
    d = digits or trace.digits
    return HandValue(hand, exact, hand_number(hand, trace.rounding, d), text_number(exact, d),
                     drift_number(hand - exact, exact))


def rounding_description(trace: Trace) -> str:
    r = trace.rounding or {}
    places = r.get("places", "?")
    if r.get("mode") == "sig":
        return f"{places} significant figure{'s' if places != 1 else ''}"
    return f"{places} decimal place{'s' if places != 1 else ''}"


# ---------------------------------------------------------------- tables

@dataclass(frozen=True)
class ForwardRow:
    unit: str
    net: float
    out: float
    target: float | None
    error: float | None


def forward_rows(trace: Trace, sample: int | None = None) -> list[ForwardRow]:
    """The tutorial's forward-pass table: neuron, net, out, target, error."""
    p = trace.problem
    sfx = f"[{sample}]" if sample else ""
    v = trace.values
    rows = []
    outputs = p["layers"][-1]["units"]
    targets = dict(zip(outputs, p["samples"][(sample or 1) - 1]["targets"]))
    for layer in p["layers"]:
        for u in layer["units"]:
            rows.append(ForwardRow(u, v[f"net:{u}{sfx}"], v[f"out:{u}{sfx}"], targets.get(u),
                                   v.get(f"E:{u}{sfx}")))
    return rows


@dataclass(frozen=True)
class UpdateRow:
    param: str
    grad: float
    old: float
    new: float | None
    moved: str          # "down", "up", "—" (not updated), "none"


def update_rows(trace: Trace) -> list[UpdateRow]:
    """Every parameter: gradient, old value, new value and which way it moved."""
    p = trace.problem
    v = trace.values
    rows = []
    params = [(name, w[2]) for name, w in p["weights"].items()] + \
             [(name, b[1]) for name, b in p["biases"].items()]
    for name, old in params:
        new = v.get(f"new:{name}")
        moved = "—" if new is None else "down" if new < old else "up" if new > old else "none"
        rows.append(UpdateRow(name, v[f"grad:{name}"], old, new, moved))
    return rows


_LOSS_SLOPE = {
    "half_sse": "with ½(t − y)² it is y − t",
    "sse": "with (t − y)² it is 2(y − t)",
    "mse": "with the mean of (t − y)² over the n outputs it is 2(y − t)/n",
    "bce": "with binary cross-entropy it is (y − t)/(y(1 − y)); through a sigmoid the delta simplifies "
           "to y − t",
    "cross_entropy": "with cross-entropy it is −t/y; through a softmax the delta simplifies to y − t",
}
_STEEPNESS = {
    "sigmoid": "for the sigmoid out(1 − out): at most 0.25 (at out = 0.5), near 0 when the unit "
               "saturates — the vanishing gradient",
    "tanh": "for tanh 1 − out²: 1 at 0, near 0 when the unit saturates",
    "relu": "for ReLU 1 when the net is positive and 0 otherwise: a unit below zero passes nothing back",
    "leaky_relu": "for leaky ReLU 1 when the net is positive and its slope otherwise",
    "linear": "for a linear unit 1: it passes the gradient on unchanged",
    "softmax": "for softmax a whole Jacobian, out_j(δ_jk − out_k): the outputs are coupled",
}


def four_questions(trace: Trace) -> tuple[tuple[str, str, str], ...]:
    """The tutorial's four chain-rule questions, each answered for this problem's loss and
    activations: (question, symbol, answer)."""
    p = trace.problem
    activations = list(dict.fromkeys(layer["activation"] for layer in p["layers"]))
    hidden = len(p["layers"]) > 1
    return (
        ("How wrong is the output?", "∂E/∂out_Y",
         f"The loss's slope at the output: {_LOSS_SLOPE[p['loss']]}. If the output equals its "
         "target this is 0 and nothing downstream of it learns."),
        ("How steep is the activation here?", "∂out/∂net",
         "The activation's slope at the unit's net input: "
         + "; ".join(_STEEPNESS[a] for a in activations) + "."),
        ("How much does the weight's input matter?", "∂net_Y/∂w",
         "The net input is a weighted sum, so its slope with respect to a weight is the value that "
         "weight multiplies: strongly active units pass on larger gradients."),
        ("How much does the input matter?", "∂net_H/∂w" if hidden else "∂net_Y/∂w",
         ("For a first-layer weight that value is the input itself: small inputs mean small "
          "gradients and slow learning.") if hidden else
         ("With no hidden layer every weight multiplies an input itself: small inputs mean small "
          "gradients and slow learning.")),
    )


ROUNDING_NOTE = ("All numbers are computed in float64 and shown to {digits} significant figures; "
                 "every value is carried forward unrounded. A hand solution that rounds each "
                 "intermediate drifts from these in the last digits — that is rounding, not a "
                 "mistake (`handprop check` tells the two apart).")

FOUR_QUESTIONS_TEX = (
    r"\frac{\partial E}{\partial \mathrm{out}_{Y}}",
    r"\frac{\partial \mathrm{out}}{\partial \mathrm{net}}",
    r"\frac{\partial \mathrm{net}_{Y}}{\partial w}",
    r"\frac{\partial \mathrm{net}_{H}}{\partial w}",
)
"""The symbol of each of :data:`FOUR_QUESTIONS` in LaTeX."""


def rounding_note(trace: Trace, digits: int | None = None) -> str:
    """The closing note on rounding (with `code` in backticks), hand rounding or not."""
    digits = digits or trace.digits
    if trace.hand_values is None:
        return ROUNDING_NOTE.format(digits=digits)
    return (f"Hand rounding: every intermediate was rounded half-up to "
            f"{rounding_description(trace)}, as a person does on paper, and the next step used "
            f"the rounded value. Beside each step stand the hand value, the exact float64 value "
            f"(shown to {digits} significant figures) and the drift between them: the drift is "
            "what rounding alone does, not a mistake (`handprop check` tells the two apart).")
