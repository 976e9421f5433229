/* steplist.js: every step, grouped by section, to jump to.  Rows are drawn only while in view,
 * so a trace of 26,000 steps costs what 40 do. */

const ROW_H = 30;

function buildStepList(el, model, goto) {
  const rows = [];
  for (const sec of model.sections) {
    // a heading that names a parameter keeps its case (w5 is not W5): a parameter's update
    rows.push({ head: sec.title, phase: model.trace.steps[sec.start].phase, start: sec.start,
                named: String(sec.key).startsWith("update-") && sec.key !== "update-after" });
    for (let i = sec.start; i < sec.end; i++) rows.push({ index: i });
  }
  const rowOf = new Int32Array(model.trace.steps.length);
  rows.forEach((r, j) => { if (r.index !== undefined) rowOf[r.index] = j; });
  el.textContent = "";
  const inner = h("div", { class: "steplist-inner", role: "list", style: `height:${rows.length * ROW_H}px` });
  el.append(inner);
  const view = { el, inner, rows, rowOf, drawn: new Map(), from: -1, to: -1, current: -1, model, goto,
                 top: 0, height: 600 };
  el.addEventListener("scroll", () => {
    if (view.pending) return;
    view.pending = requestAnimationFrame(() => {
      view.pending = 0;
      view.top = el.scrollTop;
      view.height = el.clientHeight;
      drawRows(view);
    });
  }, { passive: true });
  return view;
}

function stepRow(view, j) {
  const r = view.rows[j];
  const model = view.model;
  if (r.head !== undefined) {
    return h("div", { class: `srow head phase-${r.phase}${r.named ? " named" : ""}`, role: "listitem",
                      style: `top:${j * ROW_H}px`, text: r.head });
  }
  const step = model.trace.steps[r.index];
  const claim = model.claims && model.claims[step.id];
  const button = h("button", { type: "button", class: `srow step phase-${step.phase}`, "data-index": r.index,
                               style: `top:${j * ROW_H}px`, onclick: () => view.goto(r.index) },
    h("span", { class: "num", text: String(r.index + 1) }),
    h("span", { class: "stitle", text: step.title }),
    claim ? h("span", { class: `badge ${verdictClass(claim.verdict)}`, text: String(claim.verdict) }) : null,
    h("span", { class: "sval", text: valueText(step) }));
  if (r.index === view.current) {
    button.classList.add("current");
    button.setAttribute("aria-current", "step");
  }
  return h("div", { role: "listitem", class: "srow-wrap" }, button);
}

function drawRows(view) {
  const n = view.rows.length;
  let from = 0, to = n;
  if (n > 400) {
    const top = view.top;
    const height = view.height || 600;
    from = Math.max(0, Math.floor(top / ROW_H) - 10);
    to = Math.min(n, Math.ceil((top + height) / ROW_H) + 10);
  }
  if (from === view.from && to === view.to) return;
  for (const [j, el] of view.drawn) {
    if (j < from || j >= to) { el.remove(); view.drawn.delete(j); }
  }
  const frag = document.createDocumentFragment();
  for (let j = from; j < to; j++) {
    if (!view.drawn.has(j)) {
      const el = stepRow(view, j);
      view.drawn.set(j, el);
      frag.append(el);
    }
  }
  view.inner.append(frag);
  view.from = from;
  view.to = to;
}

function updateStepList(view, state) {
  const i = state.step;
  if (view.current === i && view.from >= 0) return;
  const before = view.drawn.get(view.rowOf[view.current]);
  if (before && view.current >= 0) {
    const b = before.firstChild;
    b.classList.remove("current");
    b.removeAttribute("aria-current");
  }
  view.current = i;
  const j = view.rowOf[i];
  drawRows(view);
  if (!view.scrollPending) {          // scroll into view after this frame's layout, not during it
    view.scrollPending = requestAnimationFrame(() => {
      view.scrollPending = 0;
      const el = view.el;
      const top = view.rowOf[view.current] * ROW_H;
      view.height = el.clientHeight;
      view.top = el.scrollTop;
      if (view.height && (top < view.top || top + ROW_H > view.top + view.height)) {
        el.scrollTop = view.top = Math.max(0, top - view.height / 3);
        drawRows(view);
      }
    });
  }
  const now = view.drawn.get(j);
  if (now) {
    now.firstChild.classList.add("current");
    now.firstChild.setAttribute("aria-current", "step");
  }
}
