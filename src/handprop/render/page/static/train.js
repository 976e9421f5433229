/* train.js: the training card above the player (handprop train --format html).
 *
 *   state = {at}      the recorded step shown (an index into recorded_steps)
 *
 * One render function draws the card from `state`: the loss curve's marker, the readout, every
 * edge's thickness (|weight|) and colour (sign), and the Explain button.  The scrubber only moves
 * state.at.  Explain reloads the page with ?train-step=<index>; before the player starts, the
 * payload's trace is replaced by the embedded trace of that recorded step, so the player
 * explains it.
 *
 * Test hooks: #training, #train-scrubber, #train-readout, #train-explain, [data-train=marker],
 * [data-train-edge=<weight name>], <html data-train-ready="1"> once drawn.
 */
(function () {
"use strict";
const SVG = "http://www.w3.org/2000/svg";
const data = JSON.parse(document.getElementById("handprop-train").textContent);
const R = data.recorded_steps.length;
const param = Number(new URLSearchParams(location.search).get("train-step"));
const explainedAt = Number.isInteger(param) && data.explained.includes(param) ? param : 0;

function el(tag, attrs, ...kids) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  node.append(...kids);
  return node;
}

function fmt(v, digits) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e7) return String(Number(v.toPrecision(digits)));
  return v.toExponential(digits - 1).replace(/\.?0+e/, "e");
}

const int = (n) => Number(n).toLocaleString("en-US");

/* ---------------------------------------------------------------- the loss curve */

function lossChart() {
  const W = 560, H = 190, m = { l: 58, r: 14, t: 12, b: 30 };
  const xs = data.recorded_steps, ys = data.loss;
  const log = data.log;
  const f = (v) => (log ? Math.log10(v) : v);
  let lo = Math.min(...ys.map(f)), hi = Math.max(...ys.map(f));
  if (hi === lo) { hi += 1; lo -= log ? 1 : 0; }
  const x = (s) => m.l + (data.steps ? s / data.steps : 0) * (W - m.l - m.r);
  const y = (v) => m.t + (hi - f(v)) / (hi - lo) * (H - m.t - m.b);
  const d = xs.map((s, i) => `${i ? "L" : "M"}${x(s).toFixed(2)},${y(ys[i]).toFixed(2)}`).join("");
  const svg = el("svg:svg", { viewBox: `0 0 ${W} ${H}`, class: "train-loss", role: "img",
                              "aria-label": "Loss at each recorded step" });
  const ticks = el("svg:g", { class: "ticks" });
  const ylabels = log ? decades(lo, hi) : [lo, (lo + hi) / 2, hi];
  for (const t of ylabels) {
    const v = log ? 10 ** t : t;
    const ty = y(v);
    ticks.append(el("svg:line", { x1: m.l, x2: W - m.r, y1: ty, y2: ty }),
                 el("svg:text", { x: m.l - 6, y: ty + 4, "text-anchor": "end", text: fmt(v, 3) }));
  }
  ticks.append(el("svg:text", { x: m.l, y: H - 8, text: "0" }),
               el("svg:text", { x: W - m.r, y: H - 8, "text-anchor": "end", text: `step ${int(data.steps)}` }),
               el("svg:text", { x: (m.l + W - m.r) / 2, y: H - 8, "text-anchor": "middle",
                                text: `loss (${data.loss_name})${log ? ", log scale" : ""}` }));
  const marker = el("svg:circle", { class: "marker", r: 5, "data-train": "marker" });
  const guide = el("svg:line", { class: "guide", y1: m.t, y2: H - m.b });
  svg.append(ticks, el("svg:path", { class: "curve", d }), guide, marker);
  return { svg, place(i) {
    const cx = x(xs[i]), cy = y(ys[i]);
    marker.setAttribute("cx", cx.toFixed(2));
    marker.setAttribute("cy", cy.toFixed(2));
    guide.setAttribute("x1", cx.toFixed(2));
    guide.setAttribute("x2", cx.toFixed(2));
  } };
}

function decades(lo, hi) {
  const out = [];
  for (let t = Math.ceil(lo); t <= Math.floor(hi); t++) out.push(t);
  return out.length >= 2 ? out : [lo, hi];
}

/* ---------------------------------------------------------------- the network by weight */

function networkDrawing() {
  const net = data.network;
  const cols = net.columns;
  const W = 560, rowsMax = Math.max(...cols.map((c) => c.length));
  const H = Math.max(120, 40 + rowsMax * 34);
  const pos = (c, r) => [36 + c * (W - 72) / Math.max(1, cols.length - 1),
                         H / 2 + (r - (cols[c].length - 1) / 2) * Math.min(34, (H - 40) / Math.max(1, cols[c].length))];
  const svg = el("svg:svg", { viewBox: `0 0 ${W} ${H}`, class: "train-net", role: "img",
                              "aria-label": "The network, each edge drawn by its weight" });
  let top = 0;
  for (const vals of Object.values(net.values)) for (const v of vals) top = Math.max(top, Math.abs(v));
  const edges = net.edges.map((e) => {
    const [x1, y1] = pos(...e.from), [x2, y2] = pos(...e.to);
    const line = el("svg:line", { x1, y1, x2, y2, "data-train-edge": e.name });
    line.append(el("svg:title", { text: e.name }));
    svg.append(line);
    return { e, line, values: net.values[e.name] };
  });
  cols.forEach((col, c) => col.forEach((cell, r) => {
    const [cx, cy] = pos(c, r);
    const g = el("svg:g", { class: "unit", transform: `translate(${cx} ${cy})` },
      el("svg:circle", { r: 11 }), el("svg:text", { dy: "0.35em", "text-anchor": "middle", text: cell.name.slice(0, 4) }));
    g.append(el("svg:title", { text: cell.name }));
    if (cell.more) g.append(el("svg:text", { class: "more", dy: "2.2em", "text-anchor": "middle", text: `+${cell.more} more` }));
    svg.append(g);
  }));
  return { svg, paint(i) {
    for (const { line, values } of edges) {
      const v = values[i];
      const share = top ? Math.abs(v) / top : 0;
      line.setAttribute("stroke-width", (0.6 + 7 * share).toFixed(2));
      line.setAttribute("class", v >= 0 ? "pos" : "neg");
      line.setAttribute("stroke-opacity", (0.3 + 0.7 * share).toFixed(3));
      line.lastChild.textContent = `${line.getAttribute("data-train-edge")} = ${fmt(v, 6)}`;
    }
  } };
}

/* ---------------------------------------------------------------- the card */

function buildCard() {
  const chart = lossChart();
  const drawing = networkDrawing();
  const scrubber = el("input", { type: "range", id: "train-scrubber", min: 0, max: R - 1, step: 1,
                                 value: explainedAt, "aria-label": "Recorded step" });
  const readout = el("p", { id: "train-readout", class: "readout", "aria-live": "polite" });
  const button = el("button", { type: "button", id: "train-explain" });
  const hint = el("span", { class: "hint" });
  const state = { at: explainedAt };

  function render() {
    const i = state.at;
    chart.place(i);
    drawing.paint(i);
    scrubber.value = String(i);
    readout.textContent = `step ${int(data.recorded_steps[i])} of ${int(data.steps)} · loss ${fmt(data.loss[i], 9)}`;
    const can = data.explained.includes(i);
    button.disabled = !can || i === explainedAt;
    button.textContent = i === explainedAt ? `Explained below: step ${int(data.recorded_steps[i])}`
      : `Explain step ${int(data.recorded_steps[i])}`;
    hint.textContent = can ? "" : `worked solutions are embedded for ${data.explained.length} of the ${R} recorded steps`;
  }
  const set = (patch) => { Object.assign(state, patch); state.at = Math.max(0, Math.min(R - 1, state.at | 0)); render(); };
  scrubber.addEventListener("input", () => set({ at: Number(scrubber.value) }));
  button.addEventListener("click", () => {
    const url = new URL(location.href);
    url.searchParams.set("train-step", String(state.at));
    url.hash = "";
    location.assign(url.toString());
  });

  const card = el("section", { id: "training", class: "card training", "aria-labelledby": "training-title" },
    el("h2", { id: "training-title", text: `Training: ${int(data.steps)} step${data.steps === 1 ? "" : "s"}` }),
    ...(data.note ? [el("p", { class: "note", text: data.note })] : []),
    el("div", { class: "train-grid" },
      el("figure", {}, chart.svg, el("figcaption", { text: "Loss at each recorded step" })),
      el("figure", {}, drawing.svg, el("figcaption", { text: "Edges by weight at this step: thickness |w|; blue, solid: w > 0; orange, dashed: w < 0" }))),
    el("div", { class: "train-controls" }, scrubber, readout, button, hint));
  render();
  return card;
}

/* ---------------------------------------------------------------- the explained step */


function text(node) {
  return node.getAttribute("data-encoding") === "gzip+base64" ? window.handprop.inflate(node.textContent)
    : Promise.resolve(node.textContent);
}

/** Put the trace of recorded step `at` into the player's payload before the player reads it. */
function usePayloadOf(at) {
  if (!at) return Promise.resolve();
  const payloadEl = document.getElementById("handprop-payload");
  const tracesEl = document.getElementById("handprop-train-traces");
  return Promise.all([text(payloadEl), text(tracesEl)]).then(([p, t]) => {
    const payload = JSON.parse(p);
    Object.assign(payload, JSON.parse(t)[String(at)]);   // its trace, sections and tables
    payload.extras.lead = [`Recorded step ${int(data.recorded_steps[at])} of ${int(data.steps)}: ` +
      `the worked solution with the parameters after ${int(data.recorded_steps[at])} steps.`]
      .concat((payload.extras.lead || []).slice(0, 1));
    payloadEl.removeAttribute("data-encoding");
    payloadEl.textContent = JSON.stringify(payload);
  });
}

const main = document.querySelector("main");
main.prepend(buildCard());
const start = window.handprop.start;
window.handprop.start = () => usePayloadOf(explainedAt).then(start);
document.documentElement.setAttribute("data-train-ready", "1");
}());
