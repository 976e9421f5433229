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

from ..expr.nodes import Expr, Mul, Num, Partial, Sym, add
from ..expr.numbers import fmt_number, text_number
from ..nn import ACTIVATIONS, LOSSES
from ..quantities import AFTER, STATE_KINDS, STEP, TOTAL, optimizer_symbol, parse, qid
from ..trace import Form, Step, Term, Trace
from .options import DEFAULT, Options

__all__ = ["Document", "Section", "StepBlock", "TermRow", "Table", "Cell", "Given", "Question",
           "HandValue", "document", "hand_number", "drift_number", "given_items", "abbreviate",
           "GIVEN_SAMPLES", "state_table", "optimizer_words"]

GIVEN_LIMIT = 36        # a listing longer than this is abbreviated
GIVEN_HEAD = 30         # ... to its first GIVEN_HEAD entries, "…", and its last GIVEN_TAIL
GIVEN_TAIL = 2
GIVEN_SAMPLES = 8       # samples listed in full before "and N more"
ROW_WIDTH = 72          # characters of plain text a printed row of a chain holds (Document.rows)


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
    """A table: ``kind`` (``forward``, ``updates``, ``state``), a title, typed headers and rows."""

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
    aside: str = ""          # said after the step's own note (where its shared factors were shown)
    of: str = ""             # the id of the step a compact line stands for (its ``step`` may be a Form)

    @property
    def step_id(self) -> str:
        return self.of or self.step.id

    @property
    def title(self) -> str:
        return self.step.title

    @property
    def note(self) -> str:
        note = getattr(self.step, "note", "")      # a compact line (a Form) has none
        return f"{note} {self.aside}" if self.aside else note


@dataclass(frozen=True)
class Section:
    key: str          # "forward-0", "loss", "backward-1 (sample 2)", "combine", "update", ...
    title: str
    blocks: tuple[StepBlock, ...]    # () when the document was built without them (``document``)
    table: Table | None = None       # the forward-pass table closes a loss section
    lines: bool = False              # compact: each block one line (``Document.line``), no notes
    steps: tuple[Step, ...] = ()     # the steps it heads, in order (compact: those it writes a line for)


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
    state: Table | None = None        # the optimizer's state before and after the update (None: no state)

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

    def line(self, item: Step | Form, notation: str) -> list[str]:
        """A chain shortened to one line, as lecture notes write it: the symbol, its formula,
        the numbers substituted, (the factors worked out,) the value."""
        symbols, numbers = self.trace.split(item, notation, self.digits)
        picked = symbols[:1] + symbols[-1:] + numbers[:1] + numbers[-2:]
        return [m for i, m in enumerate(picked) if not i or m != picked[i - 1]]

    def rows(self, item: Step | Form, notation: str, width: int = ROW_WIDTH) -> list[str]:
        """A chain laid out for print in as few rows as fit ``width`` characters of its plain
        text: all on one row; the symbols on one and the numbers on the next; or the
        symbols, the numbers substituted, and the working with the value."""
        symbols, numbers = self.trace.split(item, notation, self.digits)
        if not numbers:
            return symbols
        plain_symbols, plain_numbers = self.trace.split(item, "text", self.digits)
        size = [len(" = ".join(plain_symbols)), len(" = ".join(plain_numbers))]
        if size[0] + size[1] + 3 <= width:
            return symbols[:1] + [" = ".join(symbols[1:] + numbers)]
        head = [" = ".join(symbols[1:])] if len(symbols) > 1 else []
        if size[1] + len(plain_symbols[0]) + 3 <= width:
            return symbols[:1] + head + [" = ".join(numbers)]
        tail = [" = ".join(numbers[1:])] if len(numbers) > 1 else []
        return symbols[:1] + head + numbers[:1] + tail

    def line_groups(self, item: Step | Form, notation: str, joiner: str = " = ") -> list[str]:
        """:meth:`line` for a display equation: the symbol, then the members two a row."""
        members = self.line(item, notation)
        rest = members[1:]
        return members[:1] + [joiner.join(rest[i:i + 2]) for i in range(0, len(rest), 2)]

    @property
    def compact(self) -> bool:
        return self.options.compact

    @property
    def view(self) -> str:
        """``steps`` or ``matrix`` (render/matrix.py): as asked, else as the problem is written."""
        from .matrix import resolved_view
        return resolved_view(self.trace, self.options)


# ---------------------------------------------------------------- building it


def document(trace: Trace, digits: int | None = None, options=None, *, blocks: bool = True) -> Document:
    """The document model of ``trace`` (numbers shown to ``digits`` significant figures,
    written as ``options`` say: :class:`.options.Options`).  ``blocks=False``: each section
    with its steps but not their blocks (the page's payload, which writes the steps itself)."""
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
        sections=tuple(compact_sections(trace, d) if (options and options.compact) else _sections(trace, d, blocks)),
        updates=compact_table(trace, d) if (options and options.compact) else update_table(trace, d),
        after="" if after is None else
        f"Error before the update {text_number(before, d)}, after {text_number(after, d)}.",
        questions=four_questions(trace), rounding_note=rounding_note(trace, d),
        options=options or DEFAULT, state=state_table(trace, d))


def layer_label(trace: Trace, layer: int) -> str:
    layers = trace.problem["layers"]
    if layer == len(layers) - 1:
        return "output layer"
    if len(layers) == 2:
        return "hidden layer"
    return f"hidden layer {layer + 1}"


PARAM_SECTIONS = 64
"""An update with the optimizer's state is headed parameter by parameter (its gradient, each
state, the update) when the problem has at most this many parameters to update."""


def _by_parameter(trace: Trace) -> bool:
    update = trace.update
    if not update or not (update.get("state") or any(k.startswith(("decayed:", "shrunk:")) for k in trace.values)):
        return False
    return sum(1 for k in trace.values if k.startswith("new:")) <= PARAM_SECTIONS + 1


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
    if trace._cached("by_parameter", lambda: (_by_parameter(trace),))[0]:
        name = step.subject.name
        if step.id == AFTER:
            return "update-after", "After the update"
        t = trace.update["t"]
        grad = trace.values[qid("grad", name)]
        return (f"update-{name}", f"Update {t:,} of {name}: ∂E/∂{name} = {text_number(grad, trace.digits)}")
    return "update", "Updates"


def _sections(trace: Trace, digits: int, blocks: bool = True) -> list[Section]:
    """The steps grouped as a person heads them on paper, in order (``blocks``: with each
    step's block)."""
    groups: list[tuple[str, str, list[Step]]] = []
    for step in trace.steps:
        key, title = _heading(trace, step)
        if not groups or groups[-1][0] != key:
            groups.append((key, title, []))
        groups[-1][2].append(step)
    many = len(trace.problem["samples"]) > 1
    shown: dict[tuple[str, int | None], str] = {}
    asked: set[str] = set()
    out = []
    for key, title, steps in groups:
        table = None
        first = steps[0]
        if key.startswith("loss") and (first.sample or not many):
            table = forward_table(trace, first.sample, digits)
        laid = tuple(block(trace, s, digits, shown, asked) for s in steps) if blocks else ()
        out.append(Section(key, title, laid, table, steps=tuple(steps)))
    return out


COMPACT_KINDS = frozenset(("net", "out", "E", "delta"))
"""The quantities the compact form writes a line for (the gradients go into one table)."""


def compact_sections(trace: Trace, digits: int) -> list[Section]:
    """The delta form of lecture notes: a line for each net input, output and error, a line
    for each delta with its factors written in (δ = (out − t) × out(1 − out) = …), and the
    forward-pass table; the gradients and updates are one table (:func:`compact_table`)."""
    out = []
    for section in _sections(trace, digits, blocks=False):
        if section.key.startswith("update") or section.key == "combine":
            continue
        kept = tuple(s for s in section.steps if s.subject.kind in COMPACT_KINDS)
        blocks = tuple(StepBlock(delta_line(trace, s) if s.subject.kind == "delta" else s,
                                 hand_value(trace, s.id, digits), (), (), of=s.id) for s in kept)
        title = section.title.replace("Backward pass", "Deltas")
        if blocks or section.table is not None:
            out.append(Section(section.key, title, blocks, section.table, lines=True, steps=kept))
    return out


def delta_line(trace: Trace, step: Step) -> Step | Form:
    """A delta with the factors it multiplies written in: ``δ = ∂E/∂out × ∂out/∂net``
    becomes ``δ = (out − t) × out(1 − out)``, then the numbers, the two factors, the value.
    A delta written whole (out − t, the Jacobian's sum) is its own step's chain."""
    simple = next((f for f in step.forms if f.kind == "simplified"), None)
    if simple is not None:               # softmax with cross-entropy: out − t, as notes write it
        return simple
    expr = step.chain[step.numbers] if step.numbers < len(step.chain) else None
    if type(expr) is not Mul or not all(type(f) is Sym for f in expr.factors):
        return step
    index = trace.index
    factors = []
    for f in expr.factors:
        source = index.get(f.key)
        if source is None or source.numbers >= len(source.chain):
            return step
        factors.append(source.chain[source.numbers])
    inlined = Mul(tuple(factors))
    lines: tuple[Expr, ...] = (Sym(step.id), inlined, inlined)
    if trace.hand_values is None:
        lines += (expr,)                 # the factors' values: 0.746899 × 0.184003
    return Form("delta", step.title, lines + (Num(step.value if trace.hand_values is None else
                                                   trace.hand_values.get(step.id, step.value)),),
                2, step.value)


def compact_table(trace: Trace, digits: int) -> Table:
    """Every parameter in one table: its gradient as delta times input (∂E/∂w = δ × out),
    the gradient's value, the old and new values (and by hand) and which way it moved."""
    full = update_table(trace, digits)
    p = trace.problem
    many = len(p["samples"]) > 1
    formulas = []
    for name, w in p["weights"].items():
        src, dst = w[0], w[1]
        x = qid("in", src) if src in p["inputs"] else qid("out", src)
        formulas.append(Cell("symbol", Mul((Sym(qid("delta", dst)), Sym(x)))))
    for name, b in p["biases"].items():
        formulas.append(Cell("symbol", add(*[Sym(qid("delta", u)) for u in b[0]])))
    rows = tuple((row[0], formulas[i]) + row[1:] for i, row in enumerate(full.rows))
    headers = (full.headers[0], Cell.words("as δ × input" + (", by sample" if many else ""))) \
        + full.headers[1:]
    return Table("updates", "Gradients and updates", headers, rows, full.aligns[0] + "l" + full.aligns[1:],
                 full.styles, full.links, full.more)


def block(trace: Trace, step: Step, digits: int, shown: dict | None = None,
          asked: set[str] | None = None) -> StepBlock:
    """One step's block.  A hidden weight's factors over the paths and its sum over the paths
    are those of every weight into the same unit: shown with the first of them only (``shown``
    remembers which), the later ones keep their own input's factor and the delta form."""
    terms = _terms(step.terms, trace.hand_values, asked)
    forms = other_forms(trace, step)
    unit = _hidden_unit(trace, step) if shown is not None else None
    if unit is None:
        return StepBlock(step, hand_value(trace, step.id, digits), terms, forms)
    first = shown.setdefault((unit, step.sample), step.subject.name)
    if first == step.subject.name:
        return StepBlock(step, hand_value(trace, step.id, digits), terms, forms)
    return StepBlock(step, hand_value(trace, step.id, digits), terms[-1:],
                     tuple(f for f in forms if f.kind != "paths"),
                     f"The factors from {unit} to the outputs, and their sum over the paths, are "
                     f"those written out for {first}.")


def _hidden_unit(trace: Trace, step: Step) -> str | None:
    """The unit a hidden weight's gradient step leads into, or None for any other step."""
    if step.subject.kind != "grad" or step.layer is None:
        return None
    weight = trace.problem["weights"].get(step.subject.name)
    if weight is None or step.layer >= len(trace.problem["layers"]) - 1 or len(step.terms) < 3:
        return None
    return weight[1]


def _terms(terms: tuple[Term, ...], hand: dict[str, float] | None = None,
           asked: set[str] | None = None) -> tuple[TermRow, ...]:
    """The factors as rows (worked by hand, each factor's hand value); a question asked
    already in the block, or in the document before (``asked``), is not asked again."""
    seen: set[str] = asked if asked is not None else set()
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
    update = trace.update
    if update:
        text += f", {optimizer_words(update)}; update {update['t']:,}"
        if update["t"] > 1:
            steps = f"{update['t'] - 1:,} step{'s' if update['t'] > 2 else ''}"
            text += (f" (the parameters and the optimizer's state after {steps} of training)" if update.get("state")
                     else f" (the parameters after {steps} of training)")
    return text


OFF_AT_ZERO = ("weight_decay", "dampening")
"""Settings that change nothing at 0: left out of the settings line there."""


def optimizer_words(update: dict) -> str:
    """``optimizer adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-08)``: the optimizer and its settings (a
    switch by its name when on, a decay or dampening only when it is not 0)."""
    parts = []
    for name, value in (update.get("settings") or {}).items():
        if isinstance(value, bool):
            if value:
                parts.append(name)
        elif value != 0 or name not in OFF_AT_ZERO:
            parts.append(f"{optimizer_symbol(parse(qid('hyper', name)), 'text')} = {fmt_number(value, 9)}")
    return f"optimizer {update['optimizer']}" + (f" ({', '.join(parts)})" if parts else "")


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
    trained = bool(trace.update) and trace.update["t"] > 1     # reached by training: not numbers as given
    params = [(name, w[2]) for name, w in p["weights"].items()] + \
             [(name, b[1]) for name, b in p["biases"].items()]
    rows, styles, links = [], [], []
    for name, old in params[:TABLE_ROWS]:
        new = v.get(qid("new", name))
        moved = "—" if new is None else "down" if new < old else "up" if new > old else "none"
        row = [Cell.name(name), Cell.number(v[qid("grad", name)]),
               Cell.number(old) if trained else Cell("given", old), Cell.number(new)]
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


def state_table(trace: Trace, digits: int) -> Table | None:
    """The optimizer's state, every parameter's, before the update and after it: the step count
    t, then for each parameter each state quantity (velocity, m, v, m̂, v̂) the update computes,
    its symbol naming the parameter (a bias-corrected moment is not carried, so it has nothing
    before).  None when the optimizer keeps no state."""
    update = trace.update
    if not update:
        return None
    values = trace.values
    before = update.get("state") or {}
    names = list(trace.problem["weights"]) + list(trace.problem["biases"])
    rows, links = [], []
    kept = [k for name in names for k in (qid(kind, name) for kind in STATE_KINDS) if k in values]
    if not kept:
        return None
    for quantity in kept[:TABLE_ROWS]:
        rows.append((Cell("symbol", Sym(quantity)), Cell.number(before.get(quantity)),
                     Cell.number(values[quantity])))
        links.append(quantity)
    t = update["t"]
    rows.insert(0, (Cell("symbol", Sym(STEP)), Cell("given", t - 1), Cell("given", t)))
    links.insert(0, None)
    headers = tuple(Cell.words(h) for h in ("State", "Before", "After"))
    return Table("state", f"Optimizer state before and after update {t:,}", headers, tuple(rows), "lrr",
                 tuple([""] * len(rows)), tuple(links), len(kept) - len(rows) + 1)


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


def _at_target(loss) -> str:
    """What the loss's slope is where an output equals its target (read from the entry)."""
    y, t = Sym("out:Y"), Sym("target:Y")
    try:
        zero = all(loss.slope(y, t, 1).eval({"out:Y": v, "target:Y": v}) == 0 for v in (0.25, 0.5))
    except (ArithmeticError, ValueError):
        zero = False
    if zero:
        return "If the output equals its target this is 0 and nothing downstream of it learns."
    return ("It is not 0 where the output equals its target: the outputs are tied together "
            "(their targets sum to 1), and it is the delta that is 0 there.")


def four_questions(trace: Trace) -> tuple[Question, ...]:
    """The tutorial's four chain-rule questions, each answered for this problem's loss and
    activations (the clauses come from their entries)."""
    p = trace.problem
    activations = list(dict.fromkeys(layer["activation"] for layer in p["layers"]))
    hidden = len(p["layers"]) > 1
    loss = LOSSES[p["loss"]]
    return (
        Question("How wrong is the output?", Partial("E:total", "out:Y"),
                 f"The loss's slope at the output: {loss.slope_words}. " + _at_target(loss)),
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
