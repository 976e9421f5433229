/* tables.js: the document under the player, as the tutorial lays it out: what is given, the
 * forward-pass table, every update, the four chain-rule questions, a note on rounding, and
 * the whole worked solution (written out lazily; all of it before printing).  The tables come
 * written from the document model (payload.doc): the same tables every other format writes. */

function buildDocument(el, model, goto) {
  el.textContent = "";
  const d = model.digits;
  const doc = model.doc;
  if (doc.compact) return buildCompactDocument(el, model, goto);
  el.append(section("given", "Given", givenTable(model)));
  doc.tables.forEach((tbl, k) => el.append(section(`forward-table-${k + 1}`, tbl.title, docTable(tbl, model, goto))));
  el.append(section("updates", "All updates", docTable(doc.updates, model, goto),
    doc.after ? h("p", { class: "muted", text: doc.after }) : null));
  if (doc.state) el.append(section("state", doc.state.title, docTable(doc.state, model, goto)));
  const q = h("ol", { class: "questions" });
  for (const item of doc.questions) {
    q.append(h("li", null, h("strong", { text: item.question }), " ", texEl(item.latex, false, item.text),
      h("p", { text: item.answer })));
  }
  el.append(section("questions", doc.questions_title, q));
  el.append(section("rounding", "A note on rounding", h("p", { text: doc.rounding })));
  const solution = section("solution", "The worked solution, every step",
    h("p", { class: "muted", text: `${model.trace.steps.length} steps, in the order a person writes them.` }));
  el.append(solution);
  const series = (model.extras.series || []).filter((x) => x && Array.isArray(x.y) && x.y.length);
  if (series.length) el.append(section("extras", "Extras", ...series.map(seriesChart)));
  return { solution, written: 0, model, goto, d };
}

/** The compact form (lecture notes): what is given, the forward pass table, one line per
 * delta, the table of every gradient and update.  Nothing is written later. */
function buildCompactDocument(el, model, goto) {
  const doc = model.doc;
  el.classList.add("compact");
  el.append(section("given", "Given", givenTable(model)));
  doc.tables.forEach((tbl, k) => el.append(section(`forward-table-${k + 1}`, tbl.title, docTable(tbl, model, goto))));
  const list = h("ol", { class: "deltas" });
  const at = new Map(model.trace.steps.map((step, i) => [step.id, i]));
  // each delta as the compact document writes it (its factors written in): the lines are the
  // other writers' lines, never rebuilt here
  for (const line of doc.compact_lines || []) {
    const i = at.get(line.id);
    const step = model.trace.steps[i];
    list.append(h("li", { "data-step": line.id },
      h("button", { type: "button", class: "ref", title: step ? step.title : line.id, onclick: () => goto(i) },
        texEl(breakable(line.latex.join(" = ")), false, line.text.join(" = ")))));
  }
  el.append(section("deltas", "The deltas (δ = ∂E/∂net), output layer first", list));
  el.append(section("updates", "Every gradient and update", docTable(doc.compact_updates || doc.updates, model, goto),
    doc.after ? h("p", { class: "muted", text: doc.after }) : null));
  if (doc.state) el.append(section("state", doc.state.title, docTable(doc.state, model, goto)));
  return { solution: null, written: model.trace.steps.length, model, goto, d: model.digits, compact: true };
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

function moreRow(more, cols) {
  return h("tr", { class: "more" }, h("td", { colspan: cols, text: `… and ${more} more` }));
}

function givenTable(model) {
  const rows = model.doc.given.map(([label, listing]) =>
    h("tr", null, h("th", { scope: "row", text: label }), cell(listing, "text")));
  rows.push(h("tr", null, h("th", { scope: "row", text: "settings" }), cell(model.doc.settings, "text")));
  return table(["", "values"], rows, "given");
}

/** A table of the document model (its cells already written), the first cell a link to its step. */
function docTable(tbl, model, goto) {
  const rows = tbl.rows.map((r) => h("tr", { class: r.style || null },
    jumpCell(r.cells[0], r.link, model, goto),
    ...r.cells.slice(1).map((c, j) => cell(c, tbl.aligns[j + 1] === "l" ? `text ${r.style || ""}`.trim() : "num"))));
  if (tbl.more) rows.push(moreRow(tbl.more, tbl.headers.length));
  return table(tbl.headers, rows, tbl.kind);
}

function jumpCell(text, id, model, goto) {
  const td = h("th", { scope: "row" });
  if (id !== null && id !== undefined && model.index.has(id)) {
    td.append(h("button", { type: "button", class: "ref", text, onclick: () => goto(model.index.get(id)) }));
  } else {
    td.textContent = text;
  }
  return td;
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
      const T = step.chain.text, n = step.chain.numbers;
      art.append(h("p", { class: "plain" }, h("code", { text: T.slice(0, n).join(" = ") })),
                 h("p", { class: "plain" }, h("code", { text: "= " + T.slice(n).join("\n= ") })),
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
  if (doc.compact) return;
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
  if (!doc.compact) writeSolution(doc, doc.model.trace.steps.length);
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
