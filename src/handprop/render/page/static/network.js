/* network.js: the SVG drawing of the network, built once per layout and updated per step.
 *
 * Test hooks: each drawn unit, input and bias is an element with data-node="<name>", each drawn
 * edge data-edge="<weight name>"; those in the current step's focus have the class "active".
 * Units hidden in a collapsed column have no element: their group (data-collapsed) is active
 * when any member is in focus, and a bundle of hidden edges (data-bundle) when any of its
 * weights is.
 */

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
                 nodeEl: new Map(), edgeEl: new Map(), active: new Set(), last: {} };

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
    const el = s("g", { class: "edge", "data-edge": e.name },
      s("title", { text: `${e.name} = ${problem.weights[e.name][2]}: ${e.src} → ${e.dst}` }),
      s("line", { class: "wire", x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2 }),
      s("line", { class: "flow", x1: e.x1, y1: e.y1, x2: e.x2, y2: e.y2, pathLength: 100 }));
    const text = s("text", { class: "elabel-text", x: e.lx, y: e.ly - 5, "text-anchor": "middle" });
    const label = s("g", { class: "elabel" + (L.pairs[e.pair].dense ? " dense" : "") }, text);
    gEdges.append(el);
    gLabels.append(label);
    const rec = { e, el, label, text, wire: el.children[1], old: problem.weights[e.name][2] };
    view.edges.push(rec);
    view.edgeEl.set(e.name, rec);
  }
  for (const b of L.biases) {
    for (const u of b.drawn) {
      const n = L.nodes.get(u);
      const wire = s("line", { class: "bias-wire", x1: b.x, y1: b.y, x2: n.x, y2: n.y });
      gEdges.append(wire);
      view.biasWires.push({ bias: b.name, unit: u, wire });
    }
    const label = s("text", { class: "blabel", x: b.x + b.r + 4, y: b.y + 4 });
    const el = s("g", { class: "bias", "data-node": b.name, transform: `translate(${b.x} ${b.y})` },
      s("title", { text: `bias ${b.name} = ${problem.biases[b.name][1]} (of ${b.units.join(", ")})` }),
      s("circle", { class: "body", r: b.r }));
    gNodes.append(el);
    gLabels.append(label);
    const rec = { b, el, label, old: problem.biases[b.name][1] };
    if (b.dense) label.classList.add("dense");
    view.biases.push(rec);
    view.nodeEl.set(b.name, rec);
  }
  for (const g of L.groups) {
    const el = s("g", { class: "collapsed", "data-collapsed": `${g.first}..${g.last}`,
                        transform: `translate(${g.x} ${g.y})` },
      s("title", { text: `${g.members.length} more units: ${g.first} … ${g.last}` }),
      s("rect", { class: "body", x: -g.r, y: -g.r * 1.3, width: g.r * 2, height: g.r * 2.6, rx: g.r }),
      s("text", { class: "name", dy: "0.35em", text: "⋮" }),
      s("text", { class: "count", x: g.r + 5, dy: "0.35em", text: `${g.members.length} more` }));
    gNodes.append(el);
    view.groups.push({ g, el });
    g.el = el;
  }
  const maxChars = L.compact ? 5 : 5;
  for (const n of L.nodes.values()) {
    const shown = n.name.length > maxChars ? n.name.slice(0, maxChars - 1) + "…" : n.name;
    const vals = s("text", { class: "vals", y: n.r + (L.compact ? 11 : 16) });
    const lines = (L.compact ? [0] : [0, 1, 2]).map((i) => vals.appendChild(
      s("tspan", { x: 0, dy: i === 0 ? 0 : 15, class: "v" + i })));
    const el = s("g", { class: `unit kind-${n.kind}`, "data-node": n.name, transform: `translate(${n.x} ${n.y})` },
      s("title", { text: n.name }),
      s("circle", { class: "body", r: n.r }),
      s("text", { class: "name", dy: "0.35em", text: shown }), vals);
    gNodes.append(el);
    const rec = { n, el, lines };
    view.units.push(rec);
    view.nodeEl.set(n.name, rec);
    if (n.kind === "output") {
      const t = s("text", { class: "target", x: L.targetX, y: n.y - 3 });
      const err = s("text", { class: "err", x: L.targetX, y: n.y + 12 });
      gLabels.append(t, err);
      view.targets.push({ n, t, err });
    }
  }
  return view;
}

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
  for (const name of step.focus.nodes) {
    const rec = view.nodeEl.get(name);
    if (rec) next.add(rec.el);
    else if (view.L.groupOf.has(name)) next.add(view.L.groupOf.get(name).el);
  }
  let denseActive = 0;
  for (const name of step.focus.edges) {
    const rec = view.edgeEl.get(name);
    if (rec) {
      next.add(rec.el);
      next.add(rec.label);
      if (view.L.pairs[rec.e.pair].dense) denseActive++;
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
  const paint = (rec) => {
    const name = rec.e ? rec.e.name : rec.b.name;
    paintParam(rec, name, model, i, k, own === name ? kind : null);
  };
  for (const rec of paramsToPaint(view, model, i)) paint(rec);
  const ownRec = own === null ? null : view.edgeEl.get(own) || view.nodeEl.get(own);
  if (ownRec && (ownRec.e || ownRec.b)) paint(ownRec);
  if (view.ownRec && view.ownRec !== ownRec) paint(view.ownRec);
  view.ownRec = ownRec && (ownRec.e || ownRec.b) ? ownRec : null;

  // labels of active edges that the drawing hides (narrow screen, dense layers) go under it
  const hidden = [];
  let more = 0;
  for (const name of step.focus.edges) {
    const rec = view.edgeEl.get(name);
    if (!rec || !(view.L.narrow || (crowded && view.L.pairs[rec.e.pair].dense && !rec.label.classList.contains("own")))) continue;
    if (hidden.length < 6) hidden.push(rec.text.textContent);
    else more++;
  }
  view.edgeInfo = hidden.join(" · ") + (more ? ` · and ${more} more` : "");
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
      const name = rec.e ? rec.e.name : rec.b.name;
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
function paintParam(rec, name, model, i, k, role) {
  const d = Math.min(model.digits, 4);
  const combined = stepIndex(model, rec, "g", `grad:${name}`, k, true);
  let gj = combined <= i ? combined : -1;
  if (gj < 0 && model.multi) {
    const own = stepIndex(model, rec, "gs", `grad:${name}`, k);
    gj = own <= i ? own : -1;
  }
  const nj = stepIndex(model, rec, "n", `new:${name}`, k, true);
  const updated = nj <= i;
  if (rec.kg === gj && rec.ku === updated && rec.kr === role) return;
  rec.kg = gj;
  rec.ku = updated;
  rec.kr = role;
  const grad = gj >= 0 ? model.trace.steps[gj].value : null;
  const sign = grad === null || grad === 0 ? "" : grad > 0 ? "pos" : "neg";
  setClass(rec.el, "grad-pos", sign === "pos");
  setClass(rec.el, "grad-neg", sign === "neg");
  setClass(rec.el, "updated", updated);
  if (rec.wire) {
    const max = model.maxGrad.get(rec.e.pair) || 1;
    rec.wire.style.strokeWidth = grad === null ? "" : String(1.2 + 3.8 * Math.min(Math.abs(grad) / max, 1));
  }
  const label = rec.text || rec.label;
  label.textContent = "";
  setClass(rec.label, "own", !!role);
  if (rec.text) {                      // the step's own weight: its label mid-edge, away from the units
    label.setAttribute("x", role ? rec.e.mx : rec.e.lx);
    label.setAttribute("y", (role ? rec.e.my : rec.e.ly) - 5);
  }
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
  setClass(rec.label, "up", updated && newValue > rec.old);
  setClass(rec.label, "down", updated && newValue < rec.old);
}

/** The legend under the drawing (HTML). */
function buildLegend(el) {
  el.textContent = "";
  const item = (cls, text) => h("span", { class: "key" }, h("span", { class: `swatch ${cls}`, "aria-hidden": "true" }), text);
  el.append(item("sw-active", "this step"), item("sw-pos", "∂E/∂w > 0: w goes down"),
            item("sw-neg", "∂E/∂w < 0: w goes up"), item("sw-bias", "bias"));
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
