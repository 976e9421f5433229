"""The network as a TikZ picture, for every form of the LaTeX output.

Layers in columns (the inputs first), each node with its name and its numbers after the
forward pass (an input's value; a unit's net input and output; an output's target too),
each weight's name and value on its edge, each bias a small node with dashed lines to the
units it feeds.  With several samples the numbers are the first sample's.

The picture is bounded whatever the network: a column of more than ``MAX_ROWS`` units is
collapsed as the page collapses it (its first ``KEEP_HEAD`` and last ``KEEP_TAIL`` units,
``⋮ n more`` between), weights are written on their edges only while a pair of columns has
few enough edges to read them (else the edges are drawn thin, and the Given table lists
the values), and the whole is scaled to fit the width (and, on a slide, the height) asked.

Reads only the trace: ``trace.problem`` and ``trace.values`` (ids from
:mod:`handprop.quantities`).
"""
from __future__ import annotations

from ..expr.numbers import latex_number
from ..quantities import qid
from ..trace import Trace
from ..expr.printers import tex_name

__all__ = ["picture", "PACKAGES", "TIKZ_LIBRARIES", "MAX_ROWS", "KEEP_HEAD", "KEEP_TAIL",
           "LABELLED_EDGES"]

MAX_ROWS = 20          # as the page (render/page/static/layout.js)
KEEP_HEAD = 8
KEEP_TAIL = 2
LABELLED_EDGES = 16    # weights written on their edges while a pair of columns has at most this many
BIAS_NODES = 2         # a layer with more biases than this writes them beside its units instead
PACKAGES = ("tikz",)
TIKZ_LIBRARIES = ()

DX = 4.4               # cm between columns
DY = 2.6               # cm between units of a column (collapsed columns: tighter)


def _math_name(name: str) -> str:
    """A name in math, as the formulas write it (``w_{5}``, ``\\text{...}``)."""
    return tex_name(name)


def _name(name: str) -> str:
    return f"${tex_name(name)}$"


def _drawn(units: list[str]) -> list[str | None]:
    """A column's drawn units, ``None`` for the ``⋮`` stand-in of the hidden middle."""
    if len(units) <= MAX_ROWS:
        return list(units)
    return list(units[:KEEP_HEAD]) + [None] + list(units[len(units) - KEEP_TAIL:])


def _num(value: float | None, digits: int) -> str:
    return "" if value is None else latex_number(value, digits)


def picture(trace: Trace, digits: int = 6, max_width: float = 16.0, max_height: float | None = None,
            caption: bool = True) -> list[str]:
    """The TikZ picture of ``trace``'s network (lines of LaTeX), at most ``max_width`` cm wide
    (and ``max_height`` cm high), numbers to ``digits`` significant figures."""
    p = trace.problem
    v = trace.values
    sample = 1 if len(p["samples"]) > 1 else None
    columns = [list(p["inputs"])] + [list(layer["units"]) for layer in p["layers"]]
    drawn = [_drawn(c) for c in columns]
    rows = max(len(c) for c in drawn)
    dy = DY if rows <= 5 else 1.5
    outputs = set(columns[-1])
    targets = dict(zip(columns[-1], p["samples"][0]["targets"]))
    inputs = dict(zip(columns[0], p["samples"][0]["inputs"]))

    node_id: dict[str, str] = {}
    pos: dict[str, tuple[float, float]] = {}
    lines: list[str] = []
    for c, col in enumerate(drawn):
        step = DY if len(col) <= 5 else dy      # a short column beside a long one keeps its room
        top = (len(col) - 1) * step / 2
        for r, unit in enumerate(col):
            x, y = c * DX, top - r * step
            if unit is None:
                hidden = len(columns[c]) - KEEP_HEAD - KEEP_TAIL
                lines.append(rf"\node[hp more] at ({x:.2f},{y:.2f}) {{$\vdots$\\[-2pt]"
                             rf"\scriptsize {hidden} more}};")
                continue
            nid = f"n{c}x{r}"
            node_id[unit] = nid
            pos[unit] = (x, y)
            if c == 0:
                info = [rf"$= {_num(inputs.get(unit), digits)}$"] if unit in inputs else []
                style = "hp input"
            else:
                # a number in braces: its minus is a sign, not "net − 0.05"
                info = [rf"$\mathrm{{net}}\ {{{_num(v.get(qid('net', unit, sample)), digits)}}}$",
                        rf"$\mathrm{{out}}\ {{{_num(v.get(qid('out', unit, sample)), digits)}}}$"]
                if unit in outputs and unit in targets:
                    info.append(rf"$t\ {{{_num(targets[unit], 12)}}}$")
                style = "hp output" if unit in outputs else "hp unit"
            label = r"\\".join([rf"{{\small {_name(unit)}}}"] + info)
            lines.append(rf"\node[{style}] ({nid}) at ({x:.2f},{y:.2f}) {{{label}}};")

    # weights: one edge each between drawn units, labelled while the pair of columns is small
    column_of = {u: c for c, col in enumerate(columns) for u in col}
    pairs: dict[int, list[tuple[str, str, str, float]]] = {}
    for name, (src, dst, value) in p["weights"].items():
        if src in node_id and dst in node_id:
            pairs.setdefault(column_of[src], []).append((name, src, dst, value))
    edges: list[str] = []
    for c in sorted(pairs):
        labelled = len(pairs[c]) <= LABELLED_EDGES
        column = columns[c + 1] if c + 1 < len(columns) else []
        for name, src, dst, value in pairs[c]:
            if labelled:
                side = "below" if pos[dst][1] > pos[src][1] else "above"   # rising edges: under
                # the labels of edges to different units sit at different places along them,
                # so that edges leaving one unit, or crossing, do not stack their labels
                j = column.index(dst) if dst in column else 0
                at = 0.22 + 0.5 * j / max(len(column) - 1, 1)
                edges.append(rf"\draw[hp edge] ({node_id[src]}) -- node[hp weight, {side}, pos={at:.2f}] "
                             rf"{{${_math_name(name)} = {_num(value, 12)}$}} ({node_id[dst]});")
            else:
                edges.append(rf"\draw[hp edge, thin] ({node_id[src]}) -- ({node_id[dst]});")

    # biases: a small node above the layer with dashed lines to its units, or beside each unit
    by_layer: dict[int, list[tuple[str, list[str], float]]] = {}
    for name, (units, value) in p["biases"].items():
        first = next((u for u in units if u in column_of), None)
        if first is not None:
            by_layer.setdefault(column_of[first], []).append((name, list(units), value))
    biases: list[str] = []
    bias_nodes: list[str] = []
    top = max((len(col) - 1) * (DY if len(col) <= 5 else dy) / 2 for col in drawn)   # above all
    for c, entries in sorted(by_layer.items()):
        if len(entries) > BIAS_NODES:
            for name, units, value in entries:
                for u in units:
                    if u in node_id:
                        biases.append(rf"\node[hp biasnote] at ({node_id[u]}.north) "
                                      rf"{{${_math_name(name)} = {_num(value, 12)}$}};")
            continue
        for k, (name, units, value) in enumerate(entries):
            bx, by = c * DX - 0.5 * DX, top + 1.35 + 0.7 * k
            bid = f"b{c}x{k}"
            bias_nodes.append(rf"\node[hp bias] ({bid}) at ({bx:.2f},{by:.2f}) "
                          rf"{{${_math_name(name)} = {_num(value, 12)}$}};")
            for u in units:
                if u in node_id:
                    biases.append(rf"\draw[hp biasedge] ({bid}) -- ({node_id[u]});")

    width = (len(columns) - 1) * DX + 2.0
    height = 2 * top + 1.6 + (1.2 + 0.75 * max(map(len, by_layer.values())) if by_layer else 0)
    scale = min(1.0, max_width / width, (max_height / height) if max_height else 1.0)
    out = [r"\begin{tikzpicture}[scale=%.3f, every node/.append style={transform shape}," % scale,
           r"  hp unit/.style={rectangle, rounded corners=7pt, draw, thick, align=center, "
           r"inner sep=3pt, minimum width=17mm, font=\scriptsize, fill=white},",
           r"  hp output/.style={hp unit, double},",
           r"  hp input/.style={rectangle, rounded corners=1pt, draw, thick, align=center, "
           r"inner sep=3pt, minimum width=12mm, font=\scriptsize, fill=white},",
           r"  hp more/.style={align=center, font=\small},",
           r"  hp edge/.style={->, >=stealth, draw=black!55},",
           r"  hp weight/.style={pos=0.3, sloped, font=\scriptsize, inner sep=1pt, "
           r"fill=white, fill opacity=0.85, text opacity=1},",
           r"  hp bias/.style={rectangle, draw, dashed, font=\scriptsize, inner sep=2pt, fill=white},",
           r"  hp biasedge/.style={->, >=stealth, dashed, draw=black!35},",
           r"  hp biasnote/.style={above, font=\scriptsize, inner sep=1pt}]"]
    out += lines + bias_nodes + biases + edges + [r"\end{tikzpicture}"]
    if caption:
        what = (" The numbers are those of sample 1." if sample else "")
        if any(len(x) > LABELLED_EDGES for x in pairs.values()) or any(len(c) > MAX_ROWS for c in columns):
            what += " Wide layers are shortened and their weights are listed under Given."
        out += [r"\par\smallskip{\footnotesize Each unit shows its net input and output after the "
                r"forward pass (an output its target $t$ too); each edge its weight; dashed boxes "
                r"are biases." + what + "}"]
    return out
