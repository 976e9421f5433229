/* tables.js: the document under the player, as the tutorial lays it out: what is given, the
 * forward-pass table, every update, the four chain-rule questions, a note on rounding, and
 * the whole worked solution (written out lazily; all of it before printing). */

const TABLE_CAP = 200;

function buildDocument(el, model, goto) {
  el.textContent = "";
  const d = model.digits;
  const p = model.problem;
  el.append(section("given", "Given", givenTable(model)));
  const multi = p.samples.length > 1;
  p.samples.forEach((_, k) => {
    if (k < 8) el.append(section(`forward-table-${k + 1}`, "Forward pass" + (multi ? ` (sample ${k + 1})` : ""),
      forwardTable(model, k + 1, goto)));
  });
  el.append(section("updates", "All updates", updateTable(model, goto)));
  const q = h("ol", { class: "questions" });
  for (const [question, symbol, answer] of model.text.questions) {
    q.append(h("li", null, h("strong", { text: question }), " ", h("code", { text: symbol }), h("p", { text: answer })));
  }
  el.append(section("questions", "The four chain-rule questions", q));
  el.append(section("rounding", "A note on rounding", h("p", { text: model.text.rounding })));
  const solution = section("solution", "The worked solution, every step",
    h("p", { class: "muted", text: `${model.trace.steps.length} steps, in the order a person writes them.` }));
  el.append(solution);
  const series = (model.extras.series || []).filter((x) => x && Array.isArray(x.y) && x.y.length);
  if (series.length) el.append(section("extras", "Extras", ...series.map(seriesChart)));
  return { solution, written: 0, model, goto, d };
}

function section(id, title, ...children) {
  return h("section", { class: "doc-section", id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title`, text: title }), ...children);
}

function table(head, rows, cls) {
  const t = h("table", { class: cls || "" },
    h("thead", null, h("tr", null, ...head.map((c) => h("th", { scope: "col", text: c })))));
  const body = h("tbody");
  for (const r of rows) body.append(r);
  t.append(body);
  return h("div", { class: "table-wrap" }, t);
}

function cell(text, cls) { return h("td", { class: cls || "num", text }); }

function capped(list) {
  return list.length > TABLE_CAP ? { shown: list.slice(0, TABLE_CAP), more: list.length - TABLE_CAP } : { shown: list, more: 0 };
}

function moreRow(more, cols) {
  return h("tr", { class: "more" }, h("td", { colspan: cols, text: `… and ${more} more` }));
}

function givenTable(model) {
  const p = model.problem;
  const d = 9;
  const listing = (names, values) => {
    const items = names.slice(0, 24).map((n, i) => `${n} = ${textNumber(values[i], d)}`);
    return items.join(", ") + (names.length > 24 ? `, … (${names.length} in all)` : "");
  };
  const rows = [];
  p.samples.slice(0, 8).forEach((smp, k) => {
    const sfx = p.samples.length > 1 ? ` (sample ${k + 1})` : "";
    rows.push(h("tr", null, h("th", { scope: "row", text: "inputs" + sfx }), cell(listing(p.inputs, smp.inputs), "text")));
    const outs = p.layers[p.layers.length - 1].units;
    rows.push(h("tr", null, h("th", { scope: "row", text: "targets" + sfx }), cell(listing(outs, smp.targets), "text")));
  });
  if (p.samples.length > 8) rows.push(moreRow(p.samples.length - 8, 2));
  const wn = Object.keys(p.weights);
  rows.push(h("tr", null, h("th", { scope: "row", text: "weights" }), cell(listing(wn, wn.slice(0, 24).map((w) => p.weights[w][2])), "text")));
  const bn = Object.keys(p.biases);
  if (bn.length) rows.push(h("tr", null, h("th", { scope: "row", text: "biases" }), cell(listing(bn, bn.map((b) => p.biases[b][1])), "text")));
  rows.push(h("tr", null, h("th", { scope: "row", text: "settings" }), cell(settingsLine(p), "text")));
  return table(["", "values"], rows, "given");
}

function settingsLine(p) {
  let text = `loss ${p.loss}, learning rate η = ${textNumber(p.learning_rate, 9)}`;
  if (p.samples.length > 1) text += `, ${p.samples.length} samples (batch: ${p.batch})`;
  return text + (p.update_biases ? ", biases updated" : ", biases not updated");
}

function jumpCell(text, id, model, goto) {
  const td = h("th", { scope: "row" });
  if (model.index.has(id)) td.append(h("button", { type: "button", class: "ref", text, onclick: () => goto(model.index.get(id)) }));
  else td.textContent = text;
  return td;
}

function forwardTable(model, k, goto) {
  const p = model.problem;
  const v = model.trace.values;
  const d = model.digits;
  const outs = p.layers[p.layers.length - 1].units;
  const target = new Map(outs.map((u, i) => [u, p.samples[k - 1].targets[i]]));
  const units = [].concat(...p.layers.map((l) => l.units));
  const { shown, more } = capped(units);
  const rows = shown.map((u) => h("tr", null, jumpCell(u, qid(model, `net:${u}`, k), model, goto),
    cell(textNumber(v[qid(model, `net:${u}`, k)], d)), cell(textNumber(v[qid(model, `out:${u}`, k)], d)),
    cell(target.has(u) ? textNumber(target.get(u), d) : "—"),
    cell(v[qid(model, `E:${u}`, k)] !== undefined ? textNumber(v[qid(model, `E:${u}`, k)], d) : "hidden")));
  if (more) rows.push(moreRow(more, 5));
  rows.push(h("tr", { class: "total" }, h("th", { scope: "row", text: "E_total" }), cell(""), cell(""), cell(""),
    cell(textNumber(v[qid(model, "E:total", k)], d))));
  return table(["Neuron", "Net input", "Output", "Target", "Error"], rows, "forward");
}

function updateTable(model, goto) {
  const p = model.problem;
  const v = model.trace.values;
  const d = model.digits;
  const params = Object.keys(p.weights).map((w) => [w, p.weights[w][2]])
    .concat(Object.keys(p.biases).map((b) => [b, p.biases[b][1]]));
  const { shown, more } = capped(params);
  const rows = shown.map(([name, old]) => {
    const nv = v[`new:${name}`];
    const moved = nv === undefined ? "— not updated" : nv < old ? "↓ down" : nv > old ? "↑ up" : "· none";
    const cls = nv === undefined ? "text" : nv < old ? "text down" : nv > old ? "text up" : "text";
    return h("tr", null, jumpCell(name, `grad:${name}`, model, goto), cell(textNumber(v[`grad:${name}`], d)),
      cell(textNumber(old, d)), cell(nv === undefined ? "—" : textNumber(nv, d)), cell(moved, cls));
  });
  if (more) rows.push(moreRow(more, 5));
  const t = table(["Param", "∂E/∂param", "Old", "New", "Moved"], rows, "updates");
  const after = v["new:E:total"];
  if (after === undefined) return t;
  return h("div", null, t, h("p", { class: "muted", text:
    `Error before the update ${textNumber(v["E:total"], d)}, after ${textNumber(after, d)}.` }));
}

/** Write the next `count` steps of the worked solution (KaTeX while the trace is small). */
function writeSolution(doc, count) {
  const model = doc.model;
  const steps = model.trace.steps;
  const plain = steps.length > 1000;
  const end = Math.min(steps.length, doc.written + count);
  const frag = document.createDocumentFragment();
  for (let i = doc.written; i < end; i++) {
    const sec = model.sectionStart.get(i);
    if (sec) frag.append(h("h3", { class: "sol-head", text: sec.title }));
    const step = steps[i];
    const art = h("article", { class: `sol-step phase-${step.phase}`, "data-step": step.id },
      h("h4", null, h("span", { class: "num", text: `${i + 1}.` }), " ", step.title));
    if (plain) {
      art.append(h("p", { class: "plain" }, h("code", { text: step.text })),
                 h("p", { class: "plain" }, h("code", { text: "= " + step.substituted.split(" = ").join("\n= ") })),
                 h("p", { class: "note", text: step.note }));
    } else {
      art.append(buildStepContent(model, step, doc.goto, { collapseForms: false }));
    }
    const claim = buildClaim(model, step);
    if (claim) art.append(claim);
    frag.append(art);
  }
  doc.solution.append(frag);
  doc.written = end;
  return end < steps.length;
}

/** Write the solution as it scrolls into view (and all of it before printing): nothing is
 * written in the background, so stepping stays fast however long the trace. */
function writeSolutionLater(doc) {
  const n = doc.model.trace.steps.length;
  const sentinel = h("div", { class: "sentinel", "aria-hidden": "true" });
  doc.solution.after(sentinel);
  doc.sentinel = sentinel;
  if (!window.IntersectionObserver) { writeSolution(doc, n); return; }
  const more = () => {
    if (doc.written >= n) { observer.disconnect(); return; }
    writeSolution(doc, n > 1000 ? 40 : 12);
    requestAnimationFrame(() => {       // still in view (a tall screen): keep going
      const box = sentinel.getBoundingClientRect();
      if (box.top < window.innerHeight + 600) more();
    });
  };
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) more();
  }, { rootMargin: "600px 0px" });
  observer.observe(sentinel);
}

function finishSolution(doc) {
  writeSolution(doc, doc.model.trace.steps.length);
}

/** A small line chart of extras.series[i] (e.g. the loss over training). */
function seriesChart(sr) {
  const W = 640, H = 240, P = 44;
  const ys = sr.y.map(Number);
  const xs = Array.isArray(sr.x) && sr.x.length === ys.length ? sr.x.map(Number) : ys.map((_, i) => i);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const X = (x) => P + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * P);
  const Y = (y) => H - P + 10 - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * P);
  const points = xs.map((x, i) => `${X(x).toFixed(1)},${Y(ys[i]).toFixed(1)}`).join(" ");
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "series", role: "img", "aria-label": String(sr.title || "chart") },
    s("line", { class: "axis", x1: P, y1: H - P + 10, x2: W - P, y2: H - P + 10 }),
    s("line", { class: "axis", x1: P, y1: P - 10, x2: P, y2: H - P + 10 }),
    s("polyline", { class: "curve", points }),
    s("text", { x: P - 6, y: Y(y1) + 4, "text-anchor": "end", text: fmtNumber(y1, 4) }),
    s("text", { x: P - 6, y: Y(y0) + 4, "text-anchor": "end", text: fmtNumber(y0, 4) }),
    s("text", { x: P, y: H - 8, text: fmtNumber(x0, 4) }),
    s("text", { x: W - P, y: H - 8, "text-anchor": "end", text: fmtNumber(x1, 4) }),
    s("text", { x: W / 2, y: H - 8, "text-anchor": "middle", text: String(sr.x_label || "") }),
    s("text", { x: 8, y: 16, text: String(sr.y_label || "") }));
  return h("figure", { class: "series-fig" }, svg, h("figcaption", { text: String(sr.title || "") }));
}
