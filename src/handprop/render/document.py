"""The document model: one intermediate form of a worked solution, built once from a trace.

Every writer (text, Markdown, LaTeX, Typst, the page's tables) writes this
model in its format, and nothing else: the heading lines, the given values, the
sections of steps as a person heads them on paper, each step's chain of
equalities (a list of members, written by the writer's printer), its
chain-rule factors and other forms, the forward-pass table after each loss
section, the table of every update, the four chain-rule questions and the note
on rounding.  Cells of a table are typed (:class:`Cell`: a name, a number, a
symbol, words), so each writer sets numbers and symbols its own way.

Only reads the trace; nothing here computes a derivative.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..expr.nodes import Partial, Sym
from ..expr.numbers import fmt_number, text_number
from ..nn import ACTIVATIONS, LOSSES
from ..quantities import AFTER, TOTAL, qid
from ..expr.nodes import Expr
from ..trace import Form, Step, Term, Trace
from .options import DEFAULT, Options

__all__ = ["Document", "Section", "StepBlock", "TermRow", "Table", "Cell", "Given", "Question",
           "HandValue", "document", "hand_number", "drift_number", "given_items", "abbreviate",
           "GIVEN_SAMPLES"]

GIVEN_LIMIT = 36        # a listing longer than this is abbreviated
GIVEN_HEAD = 30         # ... to its first GIVEN_HEAD entries, "…", and its last GIVEN_TAIL
GIVEN_TAIL = 2
GIVEN_SAMPLES = 8       # samples listed in full before "and N more"


# ---------------------------------------------------------------- the parts


@dataclass(frozen=True)
class Cell:
    """One cell of a table: ``kind`` is ``name`` (a user's name: escape it), ``number`` (set
    to the document's digits), ``given`` (a number as the problem states it), ``symbol`` (a
    quantity's symbol: an expression), ``words`` (our own text), ``empty``."""

    kind: str
    value: object = None
    strong: bool = False

    @staticmethod
    def name(text: str) -> "Cell":
        return Cell("name", text)

    @staticmethod
    def number(value: float | None, strong: bool = False) -> "Cell":
        return Cell("empty", "—") if value is None else Cell("number", value, strong)

    @staticmethod
    def words(text: str, strong: bool = False) -> "Cell":
        return Cell("words", text, strong)


@dataclass(frozen=True)
class Table:
    """A table: ``kind`` (``forward``, ``updates``), a title, typed headers and rows."""

    kind: str
    title: str
    headers: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    aligns: str                          # one letter a column: l or r
    styles: tuple[str, ...] = ()         # a style a row ("", "down", "up", "total")
    links: tuple[str | None, ...] = ()   # the step id each row's first cell stands for
    more: int = 0                        # rows left out (very large networks)
    footer: str = ""


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


@dataclass(frozen=True)
class TermRow:
    """One chain-rule factor as a table row; ``question`` is empty where an earlier factor of
    the step asked it already."""

    label: str
    symbol: Expr
    value: float
    question: str
    ref: str | None


@dataclass(frozen=True)
class StepBlock:
    """One step as a writer lays it out."""

    step: Step
    hand: HandValue | None
    terms: tuple[TermRow, ...]
    forms: tuple[Form, ...]

    @property
    def title(self) -> str:
        return self.step.title

    @property
    def note(self) -> str:
        return self.step.note


@dataclass(frozen=True)
class Section:
    key: str          # "forward-0", "loss", "backward-1 (sample 2)", "combine", "update", ...
    title: str
    blocks: tuple[StepBlock, ...]
    table: Table | None = None       # the forward-pass table closes a loss section


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


@dataclass(frozen=True)
class Question:
    question: str
    symbol: Expr
    answer: str


@dataclass(frozen=True)
class Document:
    """A worked solution, ready for any writer."""

    trace: Trace
    digits: int
    title: str
    description: str
    summary: str
    settings: str
    hand_rounding: str | None
    warnings: tuple[str, ...]
    given: tuple[Given, ...]
    more_samples: int
    sections: tuple[Section, ...]
    updates: Table
    after: str                        # the loss before and after the update, in words
    questions: tuple[Question, ...]
    rounding_note: str                # our own prose, `code` in backticks
    options: Options = DEFAULT        # how the reader asked it written

    @property
    def questions_title(self) -> str:
        """``The four chain-rule questions`` (three without a hidden layer: no input question)."""
        count = {3: "three", 4: "four"}.get(len(self.questions), str(len(self.questions)))
        return f"The {count} chain-rule questions"

    def chain(self, item: Step | Form, notation: str) -> list[str]:
        """A chain written in ``notation`` at the document's digits."""
        return self.trace.chain(item, notation, self.digits)

    def write(self, expr: Expr, notation: str) -> str:
        """A symbol or formula of the document in ``notation``."""
        return self.trace.write(expr, notation, self.digits)


# ---------------------------------------------------------------- building it


def document(trace: Trace, digits: int | None = None, options=None) -> Document:
    """The document model of ``trace`` (numbers shown to ``digits`` significant figures,
    written as ``options`` say: :class:`.options.Options`)."""
    d = digits or trace.digits
    p = trace.problem
    hand = None
    if trace.hand_values is not None:
        hand = f"every intermediate rounded half-up to {rounding_description(trace)}; {convention_words(trace)}"
    before, after = trace.values[TOTAL], trace.values.get(AFTER)
    return Document(
        trace=trace, digits=d, title=p.get("title") or trace.name or "handprop",
        description=p.get("description") or "", summary=problem_summary(trace),
        settings=settings_line(trace), hand_rounding=hand, warnings=tuple(trace.warnings),
        given=tuple(given(trace)), more_samples=max(len(p["samples"]) - GIVEN_SAMPLES, 0),
        sections=tuple(_sections(trace, d)), updates=update_table(trace, d),
        after="" if after is None else
        f"Error before the update {text_number(before, d)}, after {text_number(after, d)}.",
        questions=four_questions(trace), rounding_note=rounding_note(trace, d),
        options=options or DEFAULT)


def layer_label(trace: Trace, layer: int) -> str:
    layers = trace.problem["layers"]
    if layer == len(layers) - 1:
        return "output layer"
    if len(layers) == 2:
        return "hidden layer"
    return f"hidden layer {layer + 1}"


def _heading(trace: Trace, step: Step) -> tuple[str, str]:
    sample = f" (sample {step.sample})" if step.sample else ""
    if step.phase == "forward":
        return (f"forward-{step.layer}{sample}",
                f"Forward pass: {layer_label(trace, step.layer)}{sample}")
    if step.phase == "loss":
        if step.sample is None and len(trace.problem["samples"]) > 1:
            return "loss", "Total error"
        return (f"loss{sample}", f"Error{sample}" if step.sample else "Total error")
    if step.phase == "backward":
        if step.sample is None and len(trace.problem["samples"]) > 1:
            return "combine", "Gradients over all samples"
        return (f"backward-{step.layer}{sample}",
                f"Backward pass: {layer_label(trace, step.layer)}{sample}")
    return "update", "Updates"


def _sections(trace: Trace, digits: int) -> list[Section]:
    """The steps grouped as a person heads them on paper, in order."""
    groups: list[tuple[str, str, list[Step]]] = []
    for step in trace.steps:
        key, title = _heading(trace, step)
        if not groups or groups[-1][0] != key:
            groups.append((key, title, []))
        groups[-1][2].append(step)
    many = len(trace.problem["samples"]) > 1
    out = []
    for key, title, steps in groups:
        table = None
        first = steps[0]
        if key.startswith("loss") and (first.sample or not many):
            table = forward_table(trace, first.sample, digits)
        out.append(Section(key, title, tuple(block(trace, s, digits) for s in steps), table))
    return out


def block(trace: Trace, step: Step, digits: int) -> StepBlock:
    return StepBlock(step, hand_value(trace, step.id, digits), _terms(step.terms, trace.hand_values),
                     other_forms(trace, step))


def _terms(terms: tuple[Term, ...], hand: dict[str, float] | None = None) -> tuple[TermRow, ...]:
    """The factors as rows (worked by hand, each factor's hand value)."""
    seen: set[str] = set()
    rows = []
    for t in terms:
        value = hand.get(t.symbol.key, t.value) if hand and isinstance(t.symbol, Sym) else t.value
        rows.append(TermRow(t.label, t.symbol, value, "" if t.question in seen else t.question, t.ref))
        seen.add(t.question)
    return tuple(rows)


def other_forms(trace: Trace, step: Step) -> tuple[Form, ...]:
    """The step's other forms, less any whose formulas the step's own chain already holds."""
    if not step.forms:
        return ()
    own = step.chain[:step.numbers]
    return tuple(f for f in step.forms if not all(m in own for m in f.chain[1:f.numbers]))


def problem_summary(trace: Trace) -> str:
    p = trace.problem
    n = len(p["inputs"])
    parts = [f"{n} input{'s' if n != 1 else ''}"]
    for i, layer in enumerate(p["layers"]):
        m = len(layer["units"])
        kind = ("outputs" if m != 1 else "output") if i == len(p["layers"]) - 1 else "hidden"
        act = layer["activation"]
        entry = ACTIVATIONS.get(act)
        for param in entry.params if entry else ():
            act += f", {param.name} {fmt_number(layer.get(param.name, param.default), 9)}"
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


def abbreviate(items: list, limit: int = GIVEN_LIMIT, head: int = GIVEN_HEAD,
               tail: int = GIVEN_TAIL) -> list:
    """``items`` as they are when short, else the first and last few with ``None`` between."""
    if len(items) <= limit:
        return list(items)
    return list(items[:head]) + [None] + list(items[len(items) - tail:])


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


def given_number(value: float) -> str:
    """A stated value, shown as stated (up to 12 significant figures, a true minus sign)."""
    return text_number(value, 12)


def given_items(row: Given, escape: Callable[[str], str] = str, ellipsis: str = "…",
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


# ---------------------------------------------------------------- tables

TABLE_ROWS = 200        # rows a table holds at most (very large networks: "and N more")
MOVED = {"down": "↓ down", "up": "↑ up", "none": "· none", "—": "not updated"}


def forward_table(trace: Trace, sample: int | None, digits: int) -> Table:
    """The tutorial's forward-pass table: neuron, net input, output, target, error."""
    p = trace.problem
    v = trace.values
    outputs = p["layers"][-1]["units"]
    targets = dict(zip(outputs, p["samples"][(sample or 1) - 1]["targets"]))
    rows, links = [], []
    units = [u for layer in p["layers"] for u in layer["units"]]
    for u in units[:TABLE_ROWS]:
        error = v.get(qid("E", u, sample))
        rows.append((Cell.name(u), Cell.number(v[qid("net", u, sample)]), Cell.number(v[qid("out", u, sample)]),
                     Cell.number(targets.get(u)), Cell.words("hidden") if error is None else Cell.number(error)))
        links.append(qid("net", u, sample))
    rows.append((Cell("symbol", Sym("E:total"), strong=True), Cell("empty", ""), Cell("empty", ""),
                 Cell("empty", ""), Cell.number(v[qid("E", "total", sample)], strong=True)))
    links.append(qid("E", "total", sample))
    title = "Forward-pass table" + (f" (sample {sample})" if sample else "")
    headers = tuple(Cell.words(h) for h in ("Neuron", "Net input", "Output", "Target", "Error"))
    return Table("forward", title, headers, tuple(rows), "lrrrr",
                 tuple([""] * (len(rows) - 1) + ["total"]), tuple(links), max(len(units) - TABLE_ROWS, 0))


def update_table(trace: Trace, digits: int) -> Table:
    """Every parameter: gradient, old value, new value (and by hand) and which way it moved."""
    p = trace.problem
    v = trace.values
    hand = trace.hand_values is not None
    params = [(name, w[2]) for name, w in p["weights"].items()] + \
             [(name, b[1]) for name, b in p["biases"].items()]
    rows, styles, links = [], [], []
    for name, old in params[:TABLE_ROWS]:
        new = v.get(qid("new", name))
        moved = "—" if new is None else "down" if new < old else "up" if new > old else "none"
        row = [Cell.name(name), Cell.number(v[qid("grad", name)]), Cell("given", old), Cell.number(new)]
        if hand:
            h = hand_value(trace, qid("new", name), digits)
            row.append(Cell.words(h.hand_text) if h else Cell("empty", "—"))
        row.append(Cell.words(MOVED[moved]))
        rows.append(tuple(row))
        styles.append(moved if moved in ("down", "up") else "")
        links.append(qid("grad", name))
    headers = [Cell.words("Param"), Cell.words("∂E/∂param"), Cell.words("Old"), Cell.words("New")] + \
        ([Cell.words("By hand")] if hand else []) + [Cell.words("Moved")]
    return Table("updates", "All updates", tuple(headers), tuple(rows),
                 "lrrr" + ("r" if hand else "") + "l", tuple(styles), tuple(links),
                 max(len(params) - TABLE_ROWS, 0))


# ---------------------------------------------------------------- hand rounding


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


def convention_words(trace: Trace) -> str:
    """How functions were worked by hand, in a clause."""
    if (trace.rounding or {}).get("convention", "calculator") == "every-step":
        return ("every operation inside an activation rounded too (1/(1 + e^−0.38) = 1/1.68 = "
                "0.60 at 2 places)")
    return ("each activation worked as a calculator does, in one key press: applied exactly to "
            "the rounded net, its result rounded once (σ(0.38) = 0.5939… → 0.59 at 2 places)")


ROUNDING_NOTE = ("All numbers are computed in float64 and shown to {digits} significant figures; "
                 "every value is carried forward unrounded. A hand solution that rounds each "
                 "intermediate drifts from these in the last digits — that is rounding, not a "
                 "mistake (`handprop check` tells the two apart).")


def rounding_note(trace: Trace, digits: int | None = None) -> str:
    """The closing note on rounding (with `code` in backticks), hand rounding or not."""
    digits = digits or trace.digits
    if trace.hand_values is None:
        return ROUNDING_NOTE.format(digits=digits)
    other = ("`--convention every-step` rounds inside the activation too"
             if (trace.rounding or {}).get("convention", "calculator") != "every-step" else
             "`--convention calculator` works each activation in one key press")
    return (f"Hand rounding: every intermediate was rounded half-up to "
            f"{rounding_description(trace)}, as a person does on paper, and the next step used "
            f"the rounded value; {convention_words(trace)} ({other}). The working shows the "
            "rounded numbers and each rounded result; beside each result stand the exact float64 "
            f"value (shown to {digits} significant figures) and the drift between them: the drift "
            "is what rounding alone does, not a mistake (`handprop check` accepts either "
            "convention as rounding and tells it apart from a mistake).")


# ---------------------------------------------------------------- the four questions


def four_questions(trace: Trace) -> tuple[Question, ...]:
    """The tutorial's four chain-rule questions, each answered for this problem's loss and
    activations (the clauses come from their entries)."""
    p = trace.problem
    activations = list(dict.fromkeys(layer["activation"] for layer in p["layers"]))
    hidden = len(p["layers"]) > 1
    loss = LOSSES[p["loss"]]
    return (
        Question("How wrong is the output?", Partial("E:total", "out:Y"),
                 f"The loss's slope at the output: {loss.slope_words}. If the output equals its "
                 "target this is 0 and nothing downstream of it learns."),
        Question("How steep is the activation here?", Partial("out:U", "net:U"),
                 "The activation's slope at the unit's net input: "
                 + "; ".join(ACTIVATIONS[a].slope_words for a in activations) + "."),
        Question("How much does the weight's input matter?", Partial("net:Y", "param:w"),
                 "The net input is a weighted sum, so its slope with respect to a weight is the value "
                 "that weight multiplies: strongly active units pass on larger gradients."
                 + ("" if hidden else " With no hidden layer that value is an input itself: small "
                    "inputs mean small gradients and slow learning.")),
    ) + ((Question("How much does the input matter?", Partial("net:H", "param:w"),
                   "For a first-layer weight that value is the input itself: small inputs mean small "
                   "gradients and slow learning."),) if hidden else ())
