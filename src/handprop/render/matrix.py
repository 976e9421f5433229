"""The matrix view: the worked solution layer by layer, as matrices and vectors with numbers.

The forward pass as ``net = W·x + b`` and ``out = f(net)``, the loss, the deltas as
``δ = ∂E/∂out ⊙ f′(net)`` (or ``out − t`` where the loss simplifies, or the softmax
Jacobian), the hidden deltas as ``(Wᵀδ) ⊙ f′(net)``, the gradients as the outer product
``δ xᵀ``, the batch combination and the updates as matrices: for the student who writes
``W`` as a matrix (``--view matrix``; the default for a problem in the matrix shorthand).

This module builds a format-neutral :class:`MatrixView` from a trace: every number in it
is a value the trace holds (``trace.values``) or one the problem gives, each with its id,
so a test can read them back; nothing here computes a derivative.  Which form a delta
takes is read from its step's ``uses``.  ``render/matrix_write.py`` writes the view as
text, Markdown, LaTeX and Typst; the page gets it as JSON (:func:`to_json`).

Rows are the units of a layer, columns the units (or inputs) of the layer before, in the
problem's order; a matrix of more than :data:`LIMIT` rows or columns shows its first
:data:`HEAD`, then ``⋯``/``⋮``, then its last, and the view says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from ..nn import OPTIMIZERS
from ..quantities import ETA, qid
from ..trace import Trace, given_values

__all__ = ["LIMIT", "HEAD", "SAMPLES", "Matrix", "Sym", "Op", "Num", "Equation", "MatrixSection", "MatrixView",
           "resolved_view", "matrix_view", "to_json", "step_sections"]

LIMIT = 8        # rows or columns shown in full up to this many
HEAD = 6         # ... beyond it, the first HEAD, an ellipsis, the last one
SAMPLES = 8      # samples whose passes are written out (the batch combines them all)


# ---------------------------------------------------------------- the parts


@dataclass(frozen=True)
class Matrix:
    """A matrix (a vector is one column, or one row) with numbers.

    ``cells[i][j]`` is a number or ``None`` where a row or column was left out (``rows[i]``
    or ``cols[j]`` is then ``None`` too); ``ids`` names each number (a quantity id, a given
    number's key such as ``param:w1`` or ``in:x1``, or ``None`` for a bias a unit has not);
    ``shape`` is the whole matrix's; ``given``: numbers as the problem states them;
    ``labels``: which labels a reader needs beside it (``rows``, ``cols``, ``both``, ``""``)."""

    cells: tuple[tuple[float | None, ...], ...]
    ids: tuple[tuple[str | None, ...], ...]
    rows: tuple[str | None, ...]
    cols: tuple[str | None, ...]
    shape: tuple[int, int]
    given: bool = False
    labels: str = ""

    @property
    def abbreviated(self) -> bool:
        return None in self.rows or None in self.cols

    def entries(self):
        """Every number shown with its id: ``(id, value)``."""
        for row_ids, row in zip(self.ids, self.cells):
            for i, v in zip(row_ids, row):
                if v is not None:
                    yield i, v


@dataclass(frozen=True)
class Sym:
    """A symbol of the view: ``name`` is one of ``W b x t net out f fprime softmax delta
    dEdout J gradW gradb new E one`` (``new`` of ``of``: ``W`` or ``b``), ``layer`` 1-based,
    ``param`` a single bias's name (``∂E/∂b1``), ``sample`` shown where samples combine."""

    name: str
    layer: int | None = None
    transpose: bool = False
    param: str = ""
    sample: int | None = None
    of: str = ""


@dataclass(frozen=True)
class Op:
    """An operator or bracket: ``·`` ``+`` ``−`` ``⊙`` ``Σ`` (over units) ``Σ_k`` (over samples)
    ``(`` ``)``, or ``1/n`` (a mean of n samples)."""

    symbol: str


@dataclass(frozen=True)
class Num:
    """One number: a quantity's value or a given one (η, a shared bias)."""

    value: float
    id: str | None
    given: bool = False


Item = Union[Matrix, Sym, Op, Num]


@dataclass(frozen=True)
class Equation:
    """A chain of equalities, each member a row of items; ``note`` our own sentence."""

    members: tuple[tuple[Item, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class MatrixSection:
    key: str
    title: str
    equations: tuple[Equation, ...]
    note: str = ""


@dataclass(frozen=True)
class MatrixView:
    sections: tuple[MatrixSection, ...]
    note: str = ""                      # what was left out of large matrices, hand rounding

    def items(self):
        """Every item of every member of every equation, in order."""
        for section in self.sections:
            for eq in section.equations:
                for member in eq.members:
                    yield from member

    def matrices(self):
        return (item for item in self.items() if isinstance(item, Matrix))


# ---------------------------------------------------------------- which view


def resolved_view(trace: Trace, options=None) -> str:
    """``steps`` or ``matrix``: the one asked for, else as the problem is written (the matrix
    view for the matrix shorthand) unless the compact form or hand rounding is asked for (the
    rounded working is written step by step)."""
    view = getattr(options, "view", None)
    if view:
        return view
    if getattr(options, "compact", False) or trace.hand_values is not None:
        return "steps"          # the compact form and the working by hand are forms of the steps
    return "matrix" if trace.problem.get("form") == "matrix" else "steps"


def step_sections(doc) -> tuple:
    """The document's step-by-step sections, or none in the matrix view (which replaces them)."""
    return () if doc.view == "matrix" else doc.sections


# ---------------------------------------------------------------- building it


def shown(n: int) -> list[int | None]:
    """The indices of ``n`` rows (or columns) shown: all of them up to LIMIT, else the first
    HEAD, ``None`` (left out), the last."""
    return list(range(n)) if n <= LIMIT else list(range(HEAD)) + [None, n - 1]


def _matrix(row_names, col_names, value, ident, given=False, labels="") -> Matrix:
    rs, cs = shown(len(row_names)), shown(len(col_names))
    cells, ids = [], []
    for r in rs:
        cells.append(tuple(None if r is None or c is None else value(r, c) for c in cs))
        ids.append(tuple(None if r is None or c is None else ident(r, c) for c in cs))
    return Matrix(tuple(cells), tuple(ids), tuple(None if r is None else row_names[r] for r in rs),
                  tuple(None if c is None else col_names[c] for c in cs),
                  (len(row_names), len(col_names)), given, labels)


class _Builder:
    def __init__(self, trace: Trace):
        self.trace = trace
        p = self.p = trace.problem
        self.v = trace.values
        self.env = given_values(p)
        self.inputs = list(p["inputs"])
        self.layers = [list(layer["units"]) for layer in p["layers"]]
        self.acts = [layer["activation"] for layer in p["layers"]]
        self.multi = len(p["samples"]) > 1
        self.by_pair = {(w[0], w[1]): name for name, w in p["weights"].items()}
        self.bias_of: dict[str, str] = {}
        for name, (units, _) in p["biases"].items():
            for u in ([units] if isinstance(units, str) else units):
                self.bias_of[u] = name

    # the pieces
    def before(self, l: int) -> list[str]:
        return self.inputs if l == 0 else self.layers[l - 1]

    def weights(self, l: int, transpose: bool = False, new: bool = False, grad: bool = False,
                sample: int | None = None) -> Matrix:
        units, prev = self.layers[l], self.before(l)
        kind = "new" if new else "grad" if grad else None

        def ident(r, c):
            name = self.by_pair[(prev[c], units[r])] if not transpose else self.by_pair[(prev[r], units[c])]
            return qid(kind, name, sample) if kind else qid("param", name)

        source = self.v if kind else self.env
        rows, cols = (prev, units) if transpose else (units, prev)
        return _matrix(rows, cols, lambda r, c: source[ident(r, c)], ident, given=not kind,
                       labels="both")

    def vector(self, kind: str, names: list[str], sample: int | None, labels: str = "") -> Matrix:
        given = kind in ("in", "target")
        source = self.env if given else self.v
        return _matrix(names, [""], lambda r, c: source[qid(kind, names[r], sample)],
                       lambda r, c: qid(kind, names[r], sample), given, labels)

    def row(self, kind: str, names: list[str], sample: int | None) -> Matrix:
        """``names``' values as a row (xᵀ, outᵀ in an outer product)."""
        given = kind == "in"
        source = self.env if given else self.v
        return _matrix([""], names, lambda r, c: source[qid(kind, names[c], sample)],
                       lambda r, c: qid(kind, names[c], sample), given, "cols")

    def outs(self, l: int, sample, labels=""):
        """The layer's input vector: the inputs (l = 0) or the outputs of layer l (1-based)."""
        return self.vector("in", self.inputs, sample, labels) if l == 0 else \
            self.vector("out", self.layers[l - 1], sample, labels)

    def bias_kind(self, l: int) -> str:
        units = self.layers[l]
        names = [self.bias_of.get(u) for u in units]
        if all(n is None for n in names):
            return "none"
        owners = {n: [u for u in self.bias_of if self.bias_of[u] == n] for n in set(names) if n}
        if None not in names and len(set(names)) == len(units) and all(len(o) == 1 for o in owners.values()):
            return "per_unit"
        if None not in names and len(set(names)) == 1 and sorted(owners[names[0]]) == sorted(units):
            return "shared"
        return "mixed"

    def bias_vector(self, l: int, kind: str | None = None, sample=None, labels="") -> Matrix:
        units = self.layers[l]
        if kind is None:          # the given values, 0 where a unit has no bias
            return _matrix(units, [""], lambda r, c: self.env.get(self._bias_id(units[r]), 0.0),
                           lambda r, c: self._bias_id(units[r]), True, labels)
        return _matrix(units, [""], lambda r, c: self.v[qid(kind, self.bias_of[units[r]], sample)],
                       lambda r, c: qid(kind, self.bias_of[units[r]], sample), False, labels)

    def _bias_id(self, unit: str) -> str | None:
        name = self.bias_of.get(unit)
        return None if name is None else qid("param", name)

    def layer_biases(self, l: int) -> list[str]:
        """The biases whose first unit is in layer l, in the problem's order."""
        units = set(self.layers[l])
        out = []
        for name, (us, _) in self.p["biases"].items():
            us = [us] if isinstance(us, str) else us
            if us and us[0] in units:
                out.append(name)
        return out

    # the sections
    def forward(self, sample) -> list[Equation]:
        eqs = []
        for l, units in enumerate(self.layers):
            L = l + 1
            lhs = (Sym("net", L),)
            prev = Sym("x") if l == 0 else Sym("out", l)
            has_b = self.bias_kind(l) != "none"
            symbolic = (Sym("W", L), Op("·"), prev) + ((Op("+"), Sym("b", L)) if has_b else ())
            numbers = (self.weights(l), Op("·"), self.outs(l, sample)) + \
                ((Op("+"), self.bias_vector(l)) if has_b else ())
            result = (self.vector("net", units, sample, "rows"),)
            note = self._layer_note(l)
            eqs.append(Equation((lhs, symbolic, numbers, result), note))
            f = Sym("softmax", L) if self.acts[l] == "softmax" else Sym("f", L)
            eqs.append(Equation(((Sym("out", L),), (f,), (self.vector("out", units, sample, "rows"),)),
                                self._activation_note(l)))
        return eqs

    def _layer_note(self, l: int) -> str:
        what = "inputs" if l == 0 else "units of the layer before,"
        units, prev = self.layers[l], self.before(l)
        return (f"Rows: the units {_names(units)}; columns: the {what} {_names(prev)}"
                + (f" (the matrix is {len(units)} × {len(prev)})" if len(units) > LIMIT
                   or len(prev) > LIMIT else "") + ".")

    def _activation_note(self, l: int) -> str:
        act = self.acts[l]
        if act == "softmax":
            return "softmax takes the whole vector: out_j = e^net_j / Σ_k e^net_k."
        return f"f = {act}, applied to each entry."

    def loss(self, sample) -> list[Equation]:
        outputs = self.layers[-1]
        total = Num(self.v[qid("E", "total", sample)], qid("E", "total", sample))
        parts = [qid("E", u, sample) for u in outputs]
        if all(k in self.v for k in parts):
            m = self.vector("E", outputs, sample, "rows")
            return [Equation(((Sym("E"),), (Op("Σ"), m), (total,)),
                             f"The loss ({self.p['loss']}) is the sum of the output units' parts.")]
        return [Equation(((Sym("E"),), (total,)))]

    def backward(self, l: int, sample) -> list[Equation]:
        L = l + 1
        units = self.layers[l]
        last = l == len(self.layers) - 1
        delta = self.vector("delta", units, sample, "rows")
        step = self.trace.index.get(qid("delta", units[0], sample))
        uses = step.uses if step is not None else ()
        elementwise = tuple(uses) == (qid("dE/dout", units[0], sample), qid("dout/dnet", units[0], sample))
        eqs = []
        simplifies = step is not None and any(f.kind == "simplified" for f in step.forms)
        if last and not elementwise and simplifies:       # the Jacobian's sum, which simplifies
            out_t = (self.vector("out", units, sample), Op("−"), self.vector("target", units, sample))
            eqs.append(Equation(((Sym("delta", L),), (Sym("J", L, transpose=True), Op("·"), Sym("dEdout", L)),
                                 (Sym("J", L, transpose=True), Op("·"), self.vector("dE/dout", units, sample)),
                                 (Sym("out", L), Op("−"), Sym("t")), out_t, (delta,)),
                                f"{self.acts[l]} mixes its units: J is its Jacobian, J_jk = ∂out_j/∂net_k "
                                f"= out_j(δ_jk − out_k); with {self.p['loss']} the sum simplifies to "
                                "out − t."))
        elif last and not any(u.startswith("dE/dout:") for u in uses):       # the loss simplifies
            eqs.append(Equation(((Sym("delta", L),), (Sym("out", L), Op("−"), Sym("t")),
                                 (self.vector("out", units, sample), Op("−"),
                                  self.vector("target", units, sample)), (delta,)),
                                f"{self.p['loss']} after {self.acts[l]}: the delta simplifies to out − t."))
        elif last:
            dedout = self.vector("dE/dout", units, sample)
            if elementwise:
                eqs.append(Equation(((Sym("delta", L),), (Sym("dEdout", L), Op("⊙"), Sym("fprime", L)),
                                     (dedout, Op("⊙"), self.vector("dout/dnet", units, sample)), (delta,)),
                                    f"∂E/∂out: the slope of the loss ({self.p['loss']}); f′ = {self.acts[l]}′; "
                                    "⊙ multiplies entry by entry."))
            else:
                eqs.append(Equation(((Sym("delta", L),), (Sym("J", L, transpose=True), Op("·"), Sym("dEdout", L)),
                                     (Sym("J", L, transpose=True), Op("·"), dedout), (delta,)),
                                    f"{self.acts[l]} mixes its units: J is its Jacobian, J_jk = ∂out_j/∂net_k "
                                    "= out_j(δ_jk − out_k); its diagonal is the vector ∂out/∂net "
                                    "of the steps view."))
        else:
            nxt = self.layers[l + 1]
            dedout = self.vector("dE/dout", units, sample)
            fp = self.vector("dout/dnet", units, sample)
            wt = (Sym("W", L + 1, transpose=True), Op("·"), Sym("delta", L + 1))
            numbers = (Op("("), self.weights(l + 1, transpose=True), Op("·"),
                       self.vector("delta", nxt, sample), Op(")"))
            if elementwise:
                eqs.append(Equation(((Sym("delta", L),), (Op("("),) + wt + (Op(")"), Op("⊙"), Sym("fprime", L)),
                                     numbers + (Op("⊙"), fp), (dedout, Op("⊙"), fp), (delta,)),
                                    f"Wᵀδ carries the next layer's deltas back (∂E/∂out); f′ = {self.acts[l]}′."))
            else:
                eqs.append(Equation(((Sym("delta", L),), (Sym("J", L, transpose=True), Op("·")) + wt,
                                     (Sym("J", L, transpose=True), Op("·")) + numbers, (delta,)),
                                    f"{self.acts[l]} mixes its units: J is its Jacobian."))
        eqs += self.gradients(l, sample)
        return eqs

    def gradients(self, l: int, sample) -> list[Equation]:
        L = l + 1
        units = self.layers[l]
        prev_sym = Sym("x", transpose=True) if l == 0 else Sym("out", l, transpose=True)
        prev_row = self.row("in" if l == 0 else "out", self.before(l), sample)
        eqs = [Equation(((Sym("gradW", L),), (Sym("delta", L), Op("·"), prev_sym),
                         (self.vector("delta", units, sample), Op("·"), prev_row),
                         (self.weights(l, grad=True, sample=sample),)),
                        "An outer product: entry (j, i) is δ_j × the input i it multiplies.")]
        return eqs + self.bias_gradients(l, sample)

    def bias_gradients(self, l: int, sample) -> list[Equation]:
        L = l + 1
        kind = self.bias_kind(l)
        units = self.layers[l]
        if kind == "none":
            return []
        if kind == "per_unit":
            return [Equation(((Sym("gradb", L),), (Sym("delta", L),),
                              (self.bias_vector(l, "grad", sample, "rows"),)),
                             "A bias per unit: its gradient is the unit's delta.")]
        eqs = []
        for name in self.layer_biases(l):
            g = qid("grad", name, sample)
            us = self.p["biases"][name][0]
            us = [us] if isinstance(us, str) else us
            members = [(Sym("gradb", param=name),)]
            if len(us) > 1 and all(u in units for u in us) and len(us) == len(units):
                members.append((Sym("one", transpose=True), Op("·"), Sym("delta", L)))
            if len(us) > 1 and all(u in units for u in us):
                members.append((Op("Σ"), self.vector("delta", list(us), sample, "rows")))
            members.append((Num(self.v[g], g),))
            eqs.append(Equation(tuple(members), f"{name} is shared by {_names(us)}: its gradient "
                                "is the sum of their deltas." if len(us) > 1 else ""))
        return eqs

    def combine(self) -> list[Equation]:
        n = len(self.p["samples"])
        mean = self.p["batch"] == "mean"
        scale = (Op(f"1/{n}"),) if mean else ()
        total = qid("E", "total")
        eqs = [Equation(((Sym("E"),), scale + (Op("Σ_k"), Sym("E", sample=0)),
                         (Num(self.v[total], total),)),
                        f"The error over {'both' if n == 2 else f'all {n}'} samples ({self.p['batch']}).")]
        for l in reversed(range(len(self.layers))):
            L = l + 1
            for what, make in (("W", lambda k: self.weights(l, grad=True, sample=k)),
                               ("b", lambda k: self.bias_vector(l, "grad", k))):
                if what == "b" and self.bias_kind(l) != "per_unit":
                    continue
                sym = Sym("gradW" if what == "W" else "gradb", L)
                symbolic = ((Op(f"1/{n}"),) if mean else ()) + (Op("Σ_k"), Sym(sym.name, L, sample=0))
                members = [(sym,), symbolic]
                if n <= 3:
                    parts: list = []
                    for k in range(1, n + 1):
                        parts += ([Op("+")] if k > 1 else []) + [make(k)]
                    members.append(((Op(f"1/{n}"), Op("(")) + tuple(parts) + (Op(")"),)) if mean
                                   else tuple(parts))
                members.append((make(None) if what == "W" else self.bias_vector(l, "grad", None, "rows"),))
                eqs.append(Equation(tuple(members)))
            if self.bias_kind(l) not in ("per_unit", "none"):
                for name in self.layer_biases(l):
                    g = qid("grad", name)
                    eqs.append(Equation(((Sym("gradb", param=name),),
                                         ((Op(f"1/{n}"),) if mean else ()) + (Op("Σ_k"), Sym("gradb", param=name, sample=0)),
                                         (Num(self.v[g], g),))))
        return eqs

    def updates(self) -> tuple[list[Equation], str]:
        written = self.p.get("optimizer", "sgd")        # a name, or a mapping of name and settings
        name = written.get("name") if isinstance(written, dict) else written
        sgd = written == "sgd"
        eta = Num(self.env[ETA], ETA, given=True)
        eqs = []
        for l in range(len(self.layers)):
            L = l + 1
            new = self.weights(l, new=True)
            if sgd:
                eqs.append(Equation(((Sym("new", L, of="W"),), (Sym("W", L), Op("−"), Sym("eta"), Op("·"), Sym("gradW", L)),
                                     (self.weights(l), Op("−"), eta, Op("·"), self.weights(l, grad=True)),
                                     (new,))))
            else:
                eqs.append(Equation(((Sym("new", L, of="W"),), (new,))))
            if not self.p["update_biases"]:
                continue
            kind = self.bias_kind(l)
            if kind == "per_unit":
                newb = self.bias_vector(l, "new", None, "rows")
                if sgd:
                    eqs.append(Equation(((Sym("new", L, of="b"),), (Sym("b", L), Op("−"), Sym("eta"), Op("·"), Sym("gradb", L)),
                                         (self.bias_vector(l), Op("−"), eta, Op("·"), self.bias_vector(l, "grad")),
                                         (newb,))))
                else:
                    eqs.append(Equation(((Sym("new", L, of="b"),), (newb,))))
            elif kind != "none":
                for name in self.layer_biases(l):
                    n_id, g_id, p_id = qid("new", name), qid("grad", name), qid("param", name)
                    members = [(Sym("new", param=name, of="b"),)]
                    if sgd:
                        members.append((Sym("b", param=name), Op("−"), Sym("eta"), Op("·"), Sym("gradb", param=name)))
                        members.append((Num(self.env[p_id], p_id, True), Op("−"), eta, Op("·"),
                                        Num(self.v[g_id], g_id)))
                    members.append((Num(self.v[n_id], n_id),))
                    eqs.append(Equation(tuple(members)))
        entry = OPTIMIZERS.get(name)
        note = ("Gradient descent: every entry moves against its gradient by η × gradient."
                if sgd else f"The update is {entry.title if entry else name}, "
                "entry by entry; the matrices are its results (the steps view, --view steps, "
                "works each parameter's state out with its numbers; the state table is below).")
        if not self.p["update_biases"] and self.p["biases"]:
            note += " The biases are not updated (update_biases: false)."
        return eqs, note


def matrix_view(trace: Trace) -> MatrixView:
    """The matrix sections of ``trace``: per sample the forward pass, the loss and the backward
    pass layer by layer, then the gradients combined (several samples) and the updates."""
    b = _Builder(trace)
    n_samples = len(trace.problem["samples"])
    samples = range(1, min(n_samples, SAMPLES) + 1) if b.multi else [None]
    sections = []
    n_layers = len(b.layers)
    for k in samples:
        tail = f" (sample {k})" if k else ""
        key = f"[{k}]" if k else ""
        sections.append(MatrixSection(f"matrix-forward{key}", f"Forward pass in matrices{tail}",
                                      tuple(b.forward(k))))
        sections.append(MatrixSection(f"matrix-loss{key}", f"Error{tail}" if k else "Total error",
                                      tuple(b.loss(k))))
        for l in reversed(range(n_layers)):
            where = "output layer" if l == n_layers - 1 else \
                "hidden layer" if n_layers == 2 else f"hidden layer {l + 1}"
            sections.append(MatrixSection(f"matrix-backward-{l}{key}",
                                          f"Backward pass in matrices: {where}{tail}",
                                          tuple(b.backward(l, k))))
    if b.multi:
        sections.append(MatrixSection("matrix-combine", "Error and gradients over all samples", tuple(b.combine()),
                                      f"batch: {trace.problem['batch']} over {n_samples} samples."))
    eqs, note = b.updates()
    sections.append(MatrixSection("matrix-update", "Updates in matrices", tuple(eqs), note))
    view = MatrixView(tuple(sections))
    notes = []
    if n_samples > SAMPLES:
        notes.append(f"The matrices of the first {SAMPLES} samples are shown, of {n_samples}; "
                     "every sample is in the steps view (--view steps) and in --format json.")
    if any(m.abbreviated for m in view.matrices()):
        notes.append(f"Matrices and vectors of more than {LIMIT} rows or columns show at most their first "
                     f"{HEAD} and their last (⋯, ⋮); every value is in the updates table and in "
                     "--format json.")
    if trace.hand_values is not None:
        notes.append("The matrices hold the exact values; the hand-rounded ones are in the steps "
                     "view (--view steps).")
    return MatrixView(view.sections, " ".join(notes))


def _names(names: list[str], limit: int = 6) -> str:
    names = list(names)
    return ", ".join(names if len(names) <= limit else names[:limit - 1] + ["…", names[-1]])


# ---------------------------------------------------------------- JSON (the page)


def _item_json(item: Item) -> dict[str, Any]:
    if isinstance(item, Matrix):
        return {"type": "matrix", "cells": [list(r) for r in item.cells], "ids": [list(r) for r in item.ids],
                "rows": list(item.rows), "cols": list(item.cols), "shape": list(item.shape),
                "given": item.given, "labels": item.labels}
    if isinstance(item, Num):
        return {"type": "number", "value": item.value, "id": item.id, "given": item.given}
    if isinstance(item, Op):
        return {"type": "op", "symbol": item.symbol}
    return {"type": "symbol", "name": item.name, "layer": item.layer, "transpose": item.transpose,
            "param": item.param, "sample": item.sample, "of": item.of}


def to_json(view: MatrixView, latex=None) -> dict[str, Any]:
    """The view as plain JSON; ``latex`` (a function of an equation) adds each equation's
    LaTeX, which the page hands to KaTeX."""
    return {"note": view.note, "sections": [
        {"key": s.key, "title": s.title, "note": s.note, "equations": [
            {"members": [[_item_json(i) for i in m] for m in eq.members], "note": eq.note,
             **({"latex": latex(eq)} if latex else {})}
            for eq in s.equations]}
        for s in view.sections]}
