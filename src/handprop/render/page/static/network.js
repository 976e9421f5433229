/* network.js: the SVG drawing of the network, built once per layout and updated per step.
 *
 * Test hooks: each drawn unit, input and bias is an element with data-node="<name>", each drawn
 * edge data-edge="<weight name>", each weight or bias label data-label-of="<its name>"; those in the current step's focus have the class "active".
 * Units hidden in a collapsed column have no element: their group (data-collapsed) is active
 * when any member is in focus, and a bundle of hidden edges (data-bundle) when any of its
 * weights is.
 *
 * Focus: what the editor makes a tab stop (an edge, a bias, an input, a target) shows the page's
 * focus ring when reached by the keyboard (network.css, :focus-visible): an edge or a bias edge
 * a ring along its wire (.focus-ring under a card-coloured .focus-gap, so the wire keeps its
 * colour), a unit or bias node a ring round its circle; the focused value's label, when shown,
 * gets the ring too (class focus-mate).
 */

/** The focus ring of a wire from (x1, y1) to (x2, y2): a band of the focus colour with a gap of
 * the card's colour along the wire, both hidden until the group is focused (network.css). */
function wireRing(x1, y1, x2, y2) {
  return [s("line", { class: "focus-ring", x1, y1, x2, y2 }), s("line", { class: "focus-gap", x1, y1, x2, y2 })];
}

/** The focus ring of a circle of radius r (a unit, a bias node), a little outside it. */
function circleRing(r) {
  return s("circle", { class: "focus-ring", r: r + 4 });
}

function buildNetwork(model, width) {
  const { problem } = model;
  const L = layoutNetwork(problem, width);
  const svg = s("svg", { viewBox: `0 0 ${L.width} ${L.height}`, class: "net" + (L.compact ? " compact" : ""),
                         role: "img", "aria-labelledby": "net-title", preserveAspectRatio: "xMidYMid meet" });
  svg.append(s("title", { id: "net-title", text: `The network: ${model.doc.summary}` }));
  const gEdges = s("g", { class: "edges" });
  const gLabels = s("g", { class: "labels" });
  const gNodes = s("g", { class: "nodes" });
  svg.append(gEdges, gLabels, gNodes);
  const view = { svg, L, width, units: [], edges: [], bundles: [], biases: [], groups: [], targets: [], biasWires: [],
                 nodeEl: new Map(), edgeEl: new Map(), active: new Set(), last: {},
                 circles: [], boxes: [] };

  for (const b of L.bundles.values()) {
    const el = s("g", { class: "bundle", "data-bundle": b.key },
      s("title", { text: `${b.count} weights (collapsed)` }),
      s("line", { class: "wire", x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 }),
      s("line", { class: "flow", x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, pathLength: 100 }));
    gEdges.append(el);
    view.bundles.push({ b, el });
    b.el = el;
  }
  for (const e of L.edges) {
    const wire = s("line", { class: "wire", x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2 });
    const el = s("g", { class: "edge", "data-edge": e.name },
      s("title", { text: `${e.name} = ${problem.weights[e.name][2]}: ${e.src} → ${e.dst}` }),
      ...wireRing(e.x1, e.y1, e.x2, e.y2), wire,
      s("line", { class: "flow", x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2, pathLength: 100 }));
    const text = s("text", { class: "elabel-text", x: e.lx, y: e.ly, "text-anchor": "middle" });
    const bg = s("rect", { class: "lbg", rx: 3 });
    const label = s("g", { class: "elabel", "data-label-of": e.name }, bg, text);
    gEdges.append(el);
    gLabels.append(label);
    const rec = { kind: "w", name: e.name, e, el, label, text, bg, wire, pair: e.pair,
                  dense: L.pairs[e.pair].dense, old: problem.weights[e.name][2] };
    view.edges.push(rec);
    view.edgeEl.set(e.name, rec);
  }
  for (const hub of L.hubs) {
    const el = s("g", { class: "bias-hub", transform: `translate(${hub.x} ${hub.y})` },
      s("title", { text: "The bias input: always 1. Each edge from it carries one unit's bias." }),
      s("circle", { class: "body", r: hub.r }),
      s("text", { class: "name", dy: "0.35em", text: "1" }));
    gNodes.append(el);
    hub.el = el;
    view.circles.push({ x: hub.x, y: hub.y, r: hub.r });
  }
  for (const b of L.biases) {
    if (!b.hub) continue;
    const e = b.edge;
    const wire = s("line", { class: "wire", x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2 });
    const el = s("g", { class: "bias bias-edge", "data-node": b.name },
      s("title", { text: `bias ${b.name} = ${problem.biases[b.name][1]} (of ${b.units.join(", ")})` }),
      ...wireRing(e.x1, e.y1, e.x2, e.y2), wire,
      s("line", { class: "flow", x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2, pathLength: 100 }));
    const text = s("text", { class: "elabel-text", x: e.lx, y: e.ly, "text-anchor": "middle" });
    const bg = s("rect", { class: "lbg", rx: 3 });
    const label = s("g", { class: "elabel blabel-edge", "data-label-of": b.name }, bg, text);
    gEdges.append(el);
    gLabels.append(label);
    const rec = { kind: "hb", name: b.name, b, e, el, label, text, bg, wire, pair: null,
                  dense: b.dense, hub: b.hub, old: problem.biases[b.name][1] };
    view.biases.push(rec);
    view.nodeEl.set(b.name, rec);
  }
  for (const b of L.biases) {
    if (b.hub) continue;
    for (const u of b.drawn) {
      const n = L.nodes.get(u);
      const wire = s("line", { class: "bias-wire", x1: b.x, y1: b.y, x2: n.x, y2: n.y });
      gEdges.append(wire);
      view.biasWires.push({ bias: b.name, unit: u, wire });
    }
    const label = s("text", { class: "blabel", "data-label-of": b.name, x: b.x + b.r + 4, y: b.y + 4 });
    const el = s("g", { class: "bias", "data-node": b.name, transform: `translate(${b.x} ${b.y})` },
      s("title", { text: `bias ${b.name} = ${problem.biases[b.name][1]} (of ${b.units.join(", ")})` }),
      s("circle", { class: "body", r: b.r }), circleRing(b.r));
    gNodes.append(el);
    gLabels.append(label);
    const rec = { kind: "b", name: b.name, b, el, label, text: label, dense: b.dense, old: problem.biases[b.name][1] };
    view.biases.push(rec);
    view.circles.push({ x: b.x, y: b.y, r: b.r });
    view.nodeEl.set(b.name, rec);
  }
  for (const g of L.groups) {
    const el = s("g", { class: "collapsed", "data-collapsed": `${g.first}..${g.last}`,
                        transform: `translate(${g.x} ${g.y})` },
      s("title", { text: `${g.members.length} more units: ${g.first} … ${g.last}` }),
      s("rect", { class: "body", x: -g.r, y: -g.r, width: g.r * 2, height: g.r * 2, rx: g.r * 0.6 }),
      s("text", { class: "name", dy: "0.35em", text: "⋮" }),
      s("text", { class: "count", y: g.r + (L.compact ? 11 : 16), "text-anchor": "middle", text: `+${g.members.length}` }));
    gNodes.append(el);
    view.groups.push({ g, el, count: el.lastChild });
    view.boxes.push({ x: g.x - g.r, y: g.y - g.r, w: g.r * 2, h: g.r * 2 });
    g.el = el;
  }
  const maxChars = L.compact ? 5 : 5;
  for (const n of L.nodes.values()) {
    const shown = n.name.length > maxChars ? n.name.slice(0, maxChars - 1) + "…" : n.name;
    const vals = s("text", { class: "vals", y: n.r + (L.compact ? 11 : 16) });
    const lines = (L.compact ? [0] : [0, 1, 2]).map((i) => vals.appendChild(
      s("tspan", { x: 0, dy: i === 0 ? 0 : 15, class: "v" + i })));
    const vbg = s("rect", { class: "vbg", rx: 3, width: 0, height: 0 });   // the caption's card: edges pass under it
    const el = s("g", { class: `unit kind-${n.kind}`, "data-node": n.name, transform: `translate(${n.x} ${n.y})` },
      s("title", { text: n.name }),
      s("circle", { class: "body", r: n.r }), circleRing(n.r),
      s("text", { class: "name", dy: "0.35em", text: shown }), vbg, vals);
    gNodes.append(el);
    const rec = { n, el, lines, vals, vbg };
    view.units.push(rec);
    view.circles.push({ x: n.x, y: n.y, r: n.r });
    view.nodeEl.set(n.name, rec);
    if (n.kind === "output") {
      const t = s("text", { class: "target", x: L.targetX, y: n.y - 3 });
      const err = s("text", { class: "err", x: L.targetX, y: n.y + 12 });
      gLabels.append(t, err);
      view.targets.push({ n, t, err });
    }
  }
  NET_VIEWS.set(svg, view);
  return view;
}

/** Each drawing's view, for the focused value's label (below). */
const NET_VIEWS = new WeakMap();

/** The label of the drawn value `el` (an edge, a bias), when it has one. */
function focusMate(el) {
  const svg = el && el.closest ? el.closest("svg.net") : null;
  const view = svg && NET_VIEWS.get(svg);
  if (!view) return null;
  const edge = el.closest("[data-edge]");
  const node = el.closest("[data-node]");
  const rec = edge ? view.edgeEl.get(edge.getAttribute("data-edge")) : node ? view.nodeEl.get(node.getAttribute("data-node")) : null;
  return rec && rec.label ? rec.label : null;
}

// The focused value's own label shows the focus too.  Listened for on the document: Chromium
// makes an SVG element with focus listeners of its own a tab stop.
document.addEventListener("focusin", (ev) => { const l = focusMate(ev.target); if (l) l.classList.add("focus-mate"); });
document.addEventListener("focusout", (ev) => { const l = focusMate(ev.target); if (l) l.classList.remove("focus-mate"); });

/** The quantity id of `base` for sample `k` ("out:H1" or "out:H1[2]"). */
function qid(model, base, k) {
  return model.multi ? `${base}[${k}]` : base;
}

/** Redraw what changed for `state.step` (classes, values, colours); never rebuilds. */
function updateNetwork(view, model, state) {
  const i = state.step;
  const step = model.trace.steps[i];
  const d = Math.min(model.digits, 4);
  const k = model.sampleAt[i];

  // the focus: exactly the step's nodes and edges (or their collapsed stand-ins) are active
  const next = new Set();
  let denseActive = 0;
  for (const name of step.focus.nodes) {
    const rec = view.nodeEl.get(name);
    if (rec) {
      next.add(rec.el);
      if (rec.kind === "hb") {
        next.add(rec.label);
        next.add(rec.hub.el);
        if (rec.dense) denseActive++;
      } else if (rec.kind === "b") {
        next.add(rec.label);
      }
    } else if (view.L.groupOf.has(name)) next.add(view.L.groupOf.get(name).el);
  }
  for (const name of step.focus.edges) {
    const rec = view.edgeEl.get(name);
    if (rec) {
      next.add(rec.el);
      next.add(rec.label);
      if (rec.dense) denseActive++;
    } else if (view.L.bundleOf.has(name)) {
      next.add(view.L.bundleOf.get(name).el);
    }
  }
  const crowded = denseActive > 4;
  for (const el of view.active) if (!next.has(el)) el.classList.remove("active");
  for (const el of next) if (!view.active.has(el)) el.classList.add("active");
  view.active = next;
  const subject = step.subject.name;
  if (view.subject) view.subject.classList.remove("subject");
  view.subject = (view.nodeEl.get(subject) || {}).el || null;
  if (view.subject) view.subject.classList.add("subject");
  view.svg.setAttribute("class", `net phase-${step.phase} tick-${i % 2 ? "a" : "b"}` +
    (view.L.compact ? " compact" : "") + (view.L.narrow ? " narrow" : "") + (crowded ? " crowded" : ""));

  // values on the units, as far as they are computed (indices precomputed: no strings per step)
  const sample = model.problem.samples[k - 1];
  const shown = (rec, key, base) => { const j = stepIndex(model, rec, key, base, k); return j <= i ? j : -1; };
  for (const rec of view.units) {
    const u = rec.n.name;
    let lines;
    if (rec.n.kind === "input") {
      lines = [textNumber(sample.inputs[rec.n.index], d), "", ""];
    } else {
      const net = shown(rec, "net", `net:${u}`), out = shown(rec, "out", `out:${u}`), del = shown(rec, "delta", `delta:${u}`);
      lines = [net >= 0 ? `net ${shortValue(model, net)}` : "", out >= 0 ? `out ${shortValue(model, out)}` : "",
               del >= 0 ? `δ ${shortValue(model, del)}` : ""];
      setClass(rec.el, "computed", out >= 0);
    }
    if (rec.lines.length === 1) lines = [lines[2] || lines[1] || lines[0]];
    rec.lines.forEach((t, j) => setText(t, lines[j]));
  }
  for (const t of view.targets) {
    setText(t.t, `t = ${textNumber(sample.targets[t.n.index], d)}`);
    const e = shown(t, "E", `E:${t.n.name}`);
    setText(t.err, e >= 0 ? `E = ${shortValue(model, e)}` : "");
  }
  const focusNodes = new Set(step.focus.nodes);
  for (const bw of view.biasWires) setClass(bw.wire, "active", focusNodes.has(bw.bias) && focusNodes.has(bw.unit));

  // edges: gradients by sign once known, updates old -> new
  const kind = step.subject.kind;
  const own = kind === "grad" || kind === "new" ? step.subject.name : null;
  const withState = !!state.showState && !!model.doc.state;
  if (view.withState !== withState) { view.withState = withState; view.paintedAt = undefined; }
  const paint = (rec) => paintParam(rec, rec.name, model, i, k, own === rec.name ? kind : null, withState);
  for (const rec of paramsToPaint(view, model, i)) paint(rec);
  const found = own === null ? null : view.edgeEl.get(own) || view.nodeEl.get(own);
  const ownRec = found && found.kind ? found : null;
  if (ownRec) paint(ownRec);
  if (view.ownRec && view.ownRec !== ownRec) paint(view.ownRec);
  view.ownRec = ownRec;

  // which labels are drawn: every label of a sparse layer, of a dense one only the step's own
  // and (unless too many) the active ones; then each is placed where it hits no other text
  // and no node, or left out of the drawing and written under it
  const labelled = view.edges.concat(view.biases);
  for (const rec of labelled) {
    const active = next.has(rec.label);
    rec.wanted = rec === ownRec || active;
    rec.show = !rec.dense || rec === ownRec || (active && !(crowded && rec.kind !== "b"));
  }
  placeLabels(view, labelled, ownRec);
  const hidden = [];
  let more = 0;
  for (const rec of labelled) {
    if (!rec.wanted || rec.placed) continue;
    if (hidden.length < 6) hidden.push(rec.text.textContent);
    else more++;
  }
  view.edgeInfo = hidden.join(" · ") + (more ? ` · and ${more} more` : "");
}

const PAD = 1.5;
const GAP = 6;

/** Put every shown label where its box meets no other text, node or bias node, inside the
 * drawing: the unit values, targets and errors stay where the layout puts them (it leaves
 * them room); weight and bias labels slide along their own edge; a bias node's label goes
 * right, left or above it.  A label with no free place is not drawn (rec.placed = false).
 * All boxes are read first (one layout), then every position is written. */
function placeLabels(view, labelled, ownRec) {
  const L = view.L;
  const placed = view.boxes.slice();
  const circles = view.circles;
  const free = (b) => {
    if (b.x < 1 || b.y < 1 || b.x + b.w > L.width - 1 || b.y + b.h > L.height - 1) return false;
    for (const p of placed) {          // side by side, two labels keep a word's gap apart
      if (b.x < p.x + p.w + GAP && p.x < b.x + b.w + GAP && b.y < p.y + p.h + PAD && p.y < b.y + b.h + PAD) return false;
    }
    for (const c of circles) {
      const dx = Math.max(b.x - c.x, 0, c.x - (b.x + b.w));
      const dy = Math.max(b.y - c.y, 0, c.y - (b.y + b.h));
      if (dx * dx + dy * dy < (c.r + PAD) * (c.r + PAD)) return false;
    }
    return true;
  };
  for (const rec of labelled) setClass(rec.label, "shown", rec.show);
  // reads
  const fixed = [];
  const cards = [];
  for (const rec of view.units) {
    if (rec.vals.textContent) fixed.push([rec.vals, rec.n.x, rec.n.y, rec.vbg]);
    else cards.push([rec.vbg, null]);
  }
  for (const t of view.targets) {
    fixed.push([t.t, 0, 0]);
    if (t.err.textContent) fixed.push([t.err, 0, 0]);
  }
  for (const g of view.groups) fixed.push([g.count, g.g.x, g.g.y]);
  for (const [el, ox, oy, card] of fixed) {
    const b = el.getBBox();
    if (b.width > 0) placed.push({ x: b.x + ox, y: b.y + oy, w: b.width, h: b.height });
    if (card) cards.push([card, b.width > 0 ? b : null]);
  }
  const order = labelled.filter((r) => r.show);
  const rank = (r) => (r === ownRec ? 0 : r.wanted ? 1 : 2);
  order.sort((a, b) => rank(a) - rank(b));
  const measured = order.map((rec) => {
    const b = rec.text.getBBox();
    return { rec, b, x: Number(rec.text.getAttribute("x")), y: Number(rec.text.getAttribute("y")) };
  });
  // placing (no DOM reads from here on)
  const moves = [];
  for (const m of measured) {
    const { rec, b } = m;
    let at = null;
    if (b.width > 0) {
      for (const [cx, cy] of labelSpots(rec, b, rec === ownRec)) {
        const box = { x: cx - b.width / 2, y: cy - b.height / 2, w: b.width, h: b.height };
        if (free(box)) { at = [cx, cy, box]; placed.push(box); break; }
      }
    }
    rec.placed = at !== null;
    if (at) moves.push([rec, m.x + at[0] - (b.x + b.width / 2), m.y + at[1] - (b.y + b.height / 2), at[2]]);
  }
  for (const rec of labelled) {
    if (!rec.show) rec.placed = false;
    setClass(rec.label, "bumped", rec.show && !rec.placed);
  }
  for (const [card, b] of cards) {
    card.setAttribute("x", b ? (b.x - 2).toFixed(1) : 0);
    card.setAttribute("y", b ? (b.y + 1).toFixed(1) : 0);
    card.setAttribute("width", b ? (b.width + 4).toFixed(1) : 0);
    card.setAttribute("height", b ? Math.max(b.height - 2, 0).toFixed(1) : 0);
  }
  for (const [rec, x, y, box] of moves) {
    rec.text.setAttribute("x", x.toFixed(1));
    rec.text.setAttribute("y", y.toFixed(1));
    if (rec.bg) {                      // a backing card: the edge never shows between the glyphs
      rec.bg.setAttribute("x", (box.x - 2).toFixed(1));
      rec.bg.setAttribute("y", (box.y + 1).toFixed(1));
      rec.bg.setAttribute("width", (box.w + 4).toFixed(1));
      rec.bg.setAttribute("height", Math.max(box.h - 2, 1).toFixed(1));
    }
  }
}

/** Where a label may go (its box's centre), best first. */
function labelSpots(rec, b, own) {
  const out = [];
  if (rec.e) {                                   // on its own edge, at t along it
    const e = rec.e;
    const t0 = own ? 0.5 : e.t;
    const ts = [t0];
    for (let d = 0.06; d <= 0.5; d += 0.06) ts.push(t0 - d, t0 + d);
    const inside = ts.filter((t) => t >= 0.1 && t <= 0.9);
    for (const t of inside) out.push([e.x1 + (e.x2 - e.x1) * t, e.y1 + (e.y2 - e.y1) * t]);
    // then just beside the line (above it first), still against its own edge
    const len = Math.hypot(e.x2 - e.x1, e.y2 - e.y1) || 1;
    let nx = -(e.y2 - e.y1) / len, ny = (e.x2 - e.x1) / len;
    if (ny > 0) { nx = -nx; ny = -ny; }
    const off = b.height / 2 + 1 + Math.abs(nx) * (b.width / 2);
    for (const side of [1, -1]) {
      for (const t of inside) {
        out.push([e.x1 + (e.x2 - e.x1) * t + side * nx * off, e.y1 + (e.y2 - e.y1) * t + side * ny * off]);
      }
    }
    return out;
  }
  const { x, y, r } = rec.b;                     // beside its bias node
  const w = b.width, h = b.height;
  out.push([x + r + 4 + w / 2, y], [x - r - 4 - w / 2, y], [x, y - r - 3 - h / 2], [x, y + r + 3 + h / 2],
           [x + r + 4 + w / 2, y + h], [x - r - 4 - w / 2, y + h]);
  return out;
}

/** The weights and biases whose look can differ between the last step painted and step i:
 * all of them after a long jump, else those whose gradient or update lies in between. */
function paramsToPaint(view, model, i) {
  const all = view.edges.concat(view.biases);
  const prev = view.paintedAt;
  view.paintedAt = i;
  if (prev === undefined || model.multi || Math.abs(i - prev) > 200) return all;
  if (!view.events) {
    view.events = new Map();
    for (const rec of all) {
      const name = rec.name;
      for (const [key, base] of [["g", `grad:${name}`], ["n", `new:${name}`]]) {
        const j = stepIndex(model, rec, key, base, 1, true);
        if (j === Infinity) continue;
        if (!view.events.has(j)) view.events.set(j, []);
        view.events.get(j).push(rec);
      }
    }
  }
  const out = [];
  for (let j = Math.min(i, prev) + 1; j <= Math.max(i, prev); j++) {
    const recs = view.events.get(j);
    if (recs) out.push(...recs);
  }
  return out;
}

/** The index of the step computing `base` (for sample k), cached on `rec`; Infinity if none. */
function stepIndex(model, rec, key, base, k, combined) {
  const cache = rec.at || (rec.at = {});
  const slot = combined || !model.multi ? key : key + k;
  let j = cache[slot];
  if (j === undefined) {
    j = model.index.get(combined ? base : qid(model, base, k));
    cache[slot] = j = j === undefined ? Infinity : j;
  }
  return j;
}

/** A step's value, short (4 figures) for the drawing, formatted once. */
function shortValue(model, j) {
  let text = model.short.get(j);
  if (text === undefined) {
    text = textNumber(model.trace.steps[j].value, Math.min(model.digits, 4));
    model.short.set(j, text);
  }
  return text;
}

/** Colour and label one weight or bias at step i. `role`: "grad"/"new" when it is the step's own. */
/** The optimizer's state of parameter `name` after the update, as a drawing's label writes it
 * ("m 0.0082 v 6.6e−6", three figures): each carried state the trace has (velocity b, m, v). */
const STATE_LETTERS = [["velocity", "b"], ["m", "m"], ["v", "v"]];

function stateText(model, name) {
  const values = model.trace.values;
  return STATE_LETTERS.filter(([kind]) => values[`${kind}:${name}`] !== undefined)
    .map(([kind, letter]) => `${letter} ${textNumber(values[`${kind}:${name}`], 3)}`).join(" ");
}

function paintParam(rec, name, model, i, k, role, withState) {
  const d = Math.min(model.digits, 4);
  const combined = stepIndex(model, rec, "g", `grad:${name}`, k, true);
  let gj = combined <= i ? combined : -1;
  if (gj < 0 && model.multi) {
    const own = stepIndex(model, rec, "gs", `grad:${name}`, k);
    gj = own <= i ? own : -1;
  }
  const nj = stepIndex(model, rec, "n", `new:${name}`, k, true);
  const updated = nj <= i;
  if (rec.kg === gj && rec.ku === updated && rec.kr === role && rec.ks === withState) return;
  rec.kg = gj;
  rec.ku = updated;
  rec.kr = role;
  rec.ks = withState;
  const grad = gj >= 0 ? model.trace.steps[gj].value : null;
  const sign = grad === null || grad === 0 ? "" : grad > 0 ? "pos" : "neg";
  setClass(rec.el, "grad-pos", sign === "pos");
  setClass(rec.el, "grad-neg", sign === "neg");
  setClass(rec.el, "updated", updated);
  if (rec.wire && rec.pair !== null) {
    const max = model.maxGrad.get(rec.pair) || 1;
    rec.wire.style.strokeWidth = grad === null ? "" : String(1.2 + 3.8 * Math.min(Math.abs(grad) / max, 1));
  }
  const label = rec.text;
  label.textContent = "";
  setClass(rec.label, "own", !!role);
  if (rec.b && rec.b.short && !role) {  // crowded biases: the name (and the way it moved) only
    label.append(s("tspan", { class: "pname", text: rec.b.name }),
      updated ? s("tspan", { class: "newval", text: model.trace.steps[nj].value < rec.old ? " ↓" : " ↑" }) : "");
    setClass(rec.label, "up", updated && model.trace.steps[nj].value > rec.old);
    setClass(rec.label, "down", updated && model.trace.steps[nj].value < rec.old);
    return;
  }
  const newValue = updated ? model.trace.steps[nj].value : null;
  const arrow = updated ? (newValue < rec.old ? " ↓" : newValue > rec.old ? " ↑" : " ·") : "";
  if (role === "grad") {
    label.append(s("tspan", { class: "pname", text: `∂E/∂${name}` }), ` = ${textNumber(grad, d)}`);
  } else if (role === "new" || (updated && rec.b)) {
    label.append(s("tspan", { class: "pname", text: name }), ` ${textNumber(rec.old, d)} → `,
      s("tspan", { class: "newval", text: textNumber(newValue, d) + arrow }));
  } else if (updated) {
    label.append(s("tspan", { class: "pname", text: name }), " ",
      s("tspan", { class: "newval", text: textNumber(newValue, d) + arrow }));
  } else {
    label.append(s("tspan", { class: "pname", text: name }), ` = ${textNumber(rec.old, d)}`);
  }
  // asked for (show the optimizer's state): in place of an updated parameter's values, the
  // state its update left; the step's own parameter keeps its update (the panel has its state)
  const state = withState && updated && !role ? stateText(model, name) : "";
  if (state) {
    label.textContent = "";
    label.append(s("tspan", { class: "pname", text: name }), arrow, " ", s("tspan", { class: "stateval", text: state }));
  }
  setClass(rec.label, "up", updated && newValue > rec.old);
  setClass(rec.label, "down", updated && newValue < rec.old);
}

/** The legend under the drawing (HTML). */
function buildLegend(el) {
  el.textContent = "";
  const item = (cls, text) => h("span", { class: `key key-${cls.slice(3)}` }, h("span", { class: `swatch ${cls}`, "aria-hidden": "true" }), text);
  el.append(item("sw-active", "this step"), item("sw-pos", "∂E/∂w > 0 (blue, solid): w goes down ↓"),
            item("sw-neg", "∂E/∂w < 0 (orange, dashed): w goes up ↑"), item("sw-bias", "bias"));
}

/** The line under the drawing: which sample is shown and the total error so far. */
function updateNetStatus(el, view, model, state) {
  const i = state.step;
  const k = model.sampleAt[i];
  const known = (id) => { const j = model.index.get(id); return j !== undefined && j <= i; };
  const v = model.trace.values;
  const d = model.digits;
  const parts = [];
  if (model.multi) parts.push(`Showing sample ${k} of ${model.problem.samples.length}`);
  const total = qid(model, "E:total", k);
  if (known("new:E:total")) parts.push(`E_total ${textNumber(v["E:total"], d)} → ${textNumber(v["new:E:total"], d)} after the update`);
  else if (known(total)) parts.push(`E_total${model.multi ? ` (sample ${k})` : ""} = ${textNumber(v[total], d)}`);
  else parts.push("E_total: not computed yet");
  setText(el.firstChild, parts.join(" · "));
  setClass(el.firstChild, "pending", !known(total) && !known("new:E:total"));
  const figure = el.closest("figure");
  if (figure) figure.setAttribute("data-phase", model.trace.steps[i].phase);
  setText(el.lastChild, view.edgeInfo || "");
}
