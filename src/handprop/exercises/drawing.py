"""The network of a worksheet drawn with its given numbers, and nothing computed.

Layers in columns (the inputs first), each input with its value, each output with its target,
each weight's name and value on its edge, each shared bias a dashed box above its layer with
dashed lines to the units it feeds.  :func:`layout` places everything once; :func:`svg`
(HTML, Markdown) and :func:`typst` (PDF) draw that layout.  The LaTeX sheet draws the
network with the render package's TikZ picture instead (:func:`tikz`).

Reads the problem in the explicit form (``Trace.problem``).
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from types import SimpleNamespace
from typing import Any

from ..expr.printers import typst_name, typst_string
from ..render.document import given_number

DX = 190.0          # between columns
DY = 92.0           # between units of a column
R = 17.0            # a unit's radius
TOP = 70.0          # room above the units for the biases
SIDE = 100.0        # room left and right for the values of inputs and targets


@dataclass(frozen=True)
class Node:
    name: str
    x: float
    y: float
    kind: str               # input, unit, output
    note: str = ""          # "= 0.05" for an input, "t = 0.01" for an output


@dataclass(frozen=True)
class Edge:
    name: str
    value: float
    x1: float
    y1: float
    x2: float
    y2: float
    at: float               # where along the edge its label sits (0 to 1)
    bias: bool = False


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    biases: tuple[tuple[str, float, float, float], ...]    # name, value, x, y


def layout(problem: dict[str, Any]) -> Layout:
    columns = [list(problem["inputs"])] + [list(layer["units"]) for layer in problem["layers"]]
    sample = problem["samples"][0]
    inputs = dict(zip(columns[0], sample["inputs"]))
    targets = dict(zip(columns[-1], sample["targets"]))
    rows = max(len(c) for c in columns)
    height = TOP + rows * DY
    pos: dict[str, tuple[float, float]] = {}
    nodes = []
    for c, col in enumerate(columns):
        top = TOP + (rows - len(col)) * DY / 2 + DY / 2
        for r, unit in enumerate(col):
            x, y = SIDE + c * DX, top + r * DY
            pos[unit] = (x, y)
            if c == 0:
                nodes.append(Node(unit, x, y, "input", f"= {given_number(inputs[unit])}"))
            elif c == len(columns) - 1:
                nodes.append(Node(unit, x, y, "output", f"t = {given_number(targets[unit])}"))
            else:
                nodes.append(Node(unit, x, y, "unit"))
    edges = []
    for name, (src, dst, value) in problem["weights"].items():
        c = next(i for i, col in enumerate(columns) if dst in col)
        j = columns[c].index(dst)
        at = 0.32 + 0.36 * j / max(len(columns[c]) - 1, 1)
        (x1, y1), (x2, y2) = pos[src], pos[dst]
        edges.append(Edge(name, value, x1, y1, x2, y2, at))
    biases = []
    for k, (name, (units, value)) in enumerate(problem["biases"].items()):
        xs = [pos[u][0] for u in units if u in pos]
        if not xs:
            continue
        bx, by = min(xs) - DX * 0.45, TOP * 0.45
        biases.append((name, value, bx, by))
        for u in units:
            x, y = pos[u]
            edges.append(Edge(name, value, bx, by, x, y, 0.0, bias=True))
    width = 2 * SIDE + (len(columns) - 1) * DX
    return Layout(width, height, tuple(nodes), tuple(edges), tuple(biases))


def _towards(e: Edge, r: float) -> tuple[float, float, float, float]:
    """The edge shortened by ``r`` at its end (to stop at the unit's circle)."""
    dx, dy = e.x2 - e.x1, e.y2 - e.y1
    n = (dx * dx + dy * dy) ** 0.5 or 1.0
    return e.x1 + dx / n * (0 if e.bias else r), e.y1 + dy / n * (0 if e.bias else r), \
        e.x2 - dx / n * r, e.y2 - dy / n * r


def svg(problem: dict[str, Any]) -> str:
    """The drawing as an SVG document (also inline in HTML)."""
    lay = layout(problem)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" '
           f'width="{lay.width:.0f}" height="{lay.height:.0f}" font-family="DejaVu Sans, Arial, sans-serif" '
           'font-size="12" role="img" aria-label="the network with its given numbers">',
           '<defs><marker id="hp-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>']
    for e in lay.edges:
        x1, y1, x2, y2 = _towards(e, R)
        style = 'stroke="#aaa" stroke-dasharray="4 3"' if e.bias else 'stroke="#777"'
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {style} '
                   'stroke-width="1.2" marker-end="url(#hp-arrow)"/>')
    for e in lay.edges:
        if e.bias:
            continue
        x, y = e.x1 + (e.x2 - e.x1) * e.at, e.y1 + (e.y2 - e.y1) * e.at
        out.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" stroke="#fff" stroke-width="4" '
                   f'paint-order="stroke">{escape(e.name)} = {escape(given_number(e.value))}</text>')
    for name, value, x, y in lay.biases:
        label = f"{escape(name)} = {escape(given_number(value))}"
        w = 9 + 7 * len(label)
        out.append(f'<rect x="{x - w / 2:.1f}" y="{y - 11:.1f}" width="{w:.0f}" height="20" fill="#fff" '
                   'stroke="#777" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{label}</text>')
    for n in lay.nodes:
        double = n.kind == "output"
        out.append(f'<circle cx="{n.x:.1f}" cy="{n.y:.1f}" r="{R:.0f}" fill="#fff" stroke="#222" '
                   f'stroke-width="{2.6 if double else 1.4}"/>')
        out.append(f'<text x="{n.x:.1f}" y="{n.y + 4:.1f}" text-anchor="middle" font-weight="bold">'
                   f'{escape(n.name)}</text>')
        if n.note:
            x = n.x - R - 6 if n.kind == "input" else n.x + R + 6
            anchor = "end" if n.kind == "input" else "start"
            out.append(f'<text x="{x:.1f}" y="{n.y + 4:.1f}" text-anchor="{anchor}">{escape(n.note)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _typst_value(name: str, value: float) -> str:
    return f"${typst_name(name)} = {typst_string(given_number(value))}$"


def typst(problem: dict[str, Any], width_pt: float = 460.0) -> str:
    """The drawing as Typst content (one ``box``), scaled to at most ``width_pt`` wide."""
    lay = layout(problem)
    s = min(1.0, width_pt / lay.width)

    def p(v: float) -> str:
        return f"{v * s:.1f}pt"

    out = [f"#box(width: {p(lay.width)}, height: {p(lay.height)})["]
    for e in lay.edges:
        x1, y1, x2, y2 = _towards(e, R)
        stroke = "(paint: luma(170), thickness: 0.7pt, dash: \"dashed\")" if e.bias else "0.7pt + luma(110)"
        out.append(f"  #place(line(start: ({p(x1)}, {p(y1)}), end: ({p(x2)}, {p(y2)}), stroke: {stroke}))")
    for e in lay.edges:
        if e.bias:
            continue
        x, y = e.x1 + (e.x2 - e.x1) * e.at, e.y1 + (e.y2 - e.y1) * e.at
        out.append(f"  #place(dx: {p(x - 45)}, dy: {p(y - 7)}, box(width: {p(90)}, height: {p(14)}, "
                   f"align(center + horizon, box(fill: white, inset: 1pt, text(size: 8pt, "
                   f"{_typst_value(e.name, e.value)})))))")
    for name, value, x, y in lay.biases:
        out.append(f"  #place(dx: {p(x - 45)}, dy: {p(y - 9)}, box(width: {p(90)}, height: {p(18)}, "
                   f"align(center + horizon, box(fill: white, inset: 3pt, "
                   f"stroke: (paint: luma(110), thickness: 0.6pt, dash: \"dashed\"), text(size: 8pt, "
                   f"{_typst_value(name, value)})))))")
    for n in lay.nodes:
        thick = "1.6pt" if n.kind == "output" else "0.9pt"
        out.append(f"  #place(dx: {p(n.x - R)}, dy: {p(n.y - R)}, circle(radius: {p(R)}, fill: white, "
                   f"stroke: {thick} + black, align(center + horizon, text(size: 8.5pt, weight: \"bold\", "
                   f"${typst_name(n.name)}$))))")
        if n.note:
            name = typst_name(n.name) if n.kind == "input" else f"t_({typst_name(n.name)})"
            number = n.note.split("= ", 1)[1]
            label = f"${name} = {typst_string(number)}$"
            if n.kind == "input":
                out.append(f"  #place(dx: {p(n.x - R - 66)}, dy: {p(n.y - 7)}, box(width: {p(60)}, "
                           f"height: {p(14)}, align(right + horizon, text(size: 8pt, {label}))))")
            else:
                out.append(f"  #place(dx: {p(n.x + R + 6)}, dy: {p(n.y - 7)}, box(width: {p(66)}, "
                           f"height: {p(14)}, align(left + horizon, text(size: 8pt, {label}))))")
    out.append("]")
    return "\n".join(out)


def tikz(problem: dict[str, Any], max_width: float = 16.0) -> list[str]:
    """The render package's TikZ picture of the network with only the given numbers: its nets
    and outputs left blank (it is drawn from no computed value)."""
    from ..render.tikz import picture
    return picture(SimpleNamespace(problem=problem, values={}), 6, max_width=max_width, caption=False)
