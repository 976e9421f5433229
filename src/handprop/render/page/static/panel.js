/* panel.js: the formula panel: what a person writes on paper for the current step.
 *
 * The general formula, the numbers substituted (one '=' a line), the result; for a gradient
 * its chain-rule terms (A, B, C, D ...) with the question each answers, each a link to the
 * step that computed it; the other ways to write it (sum over paths, delta form); the claim
 * made about it when the page shows a check.  The panel carries data-step-id.
 */

const VERDICTS = { correct: "ok", right: "ok", rounding: "drift", drift: "drift", carried: "carried",
                   wrong: "wrong" };

function verdictClass(verdict) {
  return "verdict-" + (VERDICTS[String(verdict).toLowerCase()] || "other");
}

/** The step's own content, built once per step and cached (only the goto links are live).
 * Its chain of equalities is a list of members: [0] the symbol, [1, numbers) the general
 * formulas, [numbers, last) the numbers substituted and worked, [last] the value. */
function buildStepContent(model, step, goto, opts) {
  const frag = h("div", { class: "step-content" });
  const L = step.chain.latex, T = step.chain.text, n = step.chain.numbers;
  const lhs = L[0];
  frag.append(h("div", { class: "row formula" },
    h("span", { class: "row-label", text: "Formula" }), worked(lhs, L.slice(1, n), T.slice(0, n).join(" = "), T.slice(1, n))));
  if (L.length - n > 1) {
    frag.append(h("div", { class: "row substituted" },
      h("span", { class: "row-label", text: "With the numbers" }),
      worked(lhs, L.slice(n, -1), T.slice(n, -1).join(" = "), T.slice(n, -1))));
  }
  frag.append(h("div", { class: "row result" },
    h("span", { class: "row-label", text: "Result" }),
    h("div", { class: "result-line" }, texEl(lhs, false, T[0]), h("span", { class: "eq", text: " = " }),
      h("output", { class: "value", "data-role": "value", text: valueText(step) }))));
  const hand = model.trace.hand_values;
  if (hand && hand[step.id] !== undefined) {
    frag.append(h("p", { class: "hand" }, `By hand (rounded): ${textNumber(hand[step.id], model.digits)}; drift `,
      textNumber(hand[step.id] - step.value, 2)));
  }
  frag.append(h("p", { class: "note", text: step.note }));
  const state = buildStateSection(model, step, goto);
  if (state) frag.append(state);
  if (step.terms.length) frag.append(buildTerms(model, step, goto));
  for (const form of step.forms) {
    const FL = form.chain.latex, FT = form.chain.text, fn = form.chain.numbers;
    const details = h("details", { class: "form", open: !opts.collapseForms },
      h("summary", { text: form.title }), worked(FL[0], FL.slice(1, fn), FT.slice(0, fn).join(" = "), FT.slice(1, fn)),
      worked("\\hphantom{" + FL[0] + "}", FL.slice(fn), FT.slice(fn).join(" = "), FT.slice(fn), true));
    frag.append(details);
  }
  if (step.uses.length) {
    const uses = h("p", { class: "uses" }, h("span", { class: "row-label", text: "Uses" }));
    const shown = step.uses.slice(0, 12);
    for (const id of shown) uses.append(refLink(model, id, goto), " ");
    if (step.uses.length > shown.length) uses.append(`and ${step.uses.length - shown.length} more`);
    frag.append(uses);
  }
  return frag;
}

/** On a step of a parameter's update, the optimizer's state of that parameter before and
 * after it: the rows of the document's state table (payload.doc.state, written by the
 * document model) whose parameter is this step's, each a link to the step that computes it. */
function buildStateSection(model, step, goto) {
  const tbl = model.doc.state;
  if (!tbl || step.phase !== "update") return null;
  const name = step.subject.name;
  const steps = model.trace.steps;
  const rows = tbl.rows.filter((r) => {          // this parameter's rows: the steps they link to
    const j = r.link === null ? undefined : model.index.get(r.link);
    return j !== undefined && steps[j].subject.name === name;
  });
  if (!rows.length) return null;
  const body = h("tbody");
  for (const r of rows) {
    const j = model.index.get(r.link);
    const here = r.link === step.id;
    const head = h("th", { scope: "row" }, here ? r.cells[0]
      : h("button", { type: "button", class: "ref", text: r.cells[0], onclick: () => goto(j) }));
    body.append(h("tr", { class: here ? "own" : null, "data-state": r.link }, head,
      h("td", { class: "num", text: r.cells[1] }), h("td", { class: "num", text: r.cells[2] })));
  }
  const t = h("table", { class: "state" },
    h("thead", null, h("tr", null, ...["", tbl.headers[1], tbl.headers[2]].map((c) => h("th", { scope: "col", text: c })))),
    body);
  return h("section", { class: "state-section", "aria-label": `Optimizer state of ${name}` },
    h("h3", { text: `Optimizer state of ${name}, step ${tbl.rows[0].cells[2]}` }), h("div", { class: "table-wrap" }, t));
}

/** lhs = r1 = r2 ... one '=' a line: aligned like on paper while the lines are short; as
 * lines of inline math when one is long (a sum over many terms).  Inline math breaks after
 * a top-level relation or operator (=, +, ×), so a long line wraps there; fitMath() turns an
 * aligned block that turns out wider than its box into lines, and shrinks what still cannot
 * break (nothing in the panel scrolls sideways). */
function worked(lhs, rights, fallback, plain, continued) {
  if (rights.length === 0) return texEl(lhs, true, fallback);
  // how wide a line is, judged from its plain text (the LaTeX source overstates fractions)
  const wide = (r, i) => (plain.length === rights.length ? plain[i].length > 72 : r.length > 150);
  if (!rights.some(wide)) {
    const el = texEl(rights.length > 1 || continued ? alignedLatex(lhs, rights) : `${lhs} = ${rights[0]}`, true, fallback);
    el.classList.add("fit");
    el.handpropLines = [lhs, rights, fallback, continued];
    return el;
  }
  return mathLines(lhs, rights, fallback, continued);
}

function mathLines(lhs, rights, fallback, continued) {
  const box = h("div", { class: "math-lines" });
  rights.forEach((r, i) => box.append(h("div", { class: "mline" },
    texEl(breakable(i === 0 && !continued ? `${lhs} = ${r}` : `= ${r}`), false, fallback))));
  return box;
}

/** Parentheses as plain delimiters: what \left( ... \right) holds is one unbreakable box. */
function breakable(latex) {
  return latex.replace(/\\left\(/g, "(").replace(/\\right\)/g, ")");
}

/** Make the typeset math of `root` (in the page, laid out) fit its width: an aligned block
 * too wide becomes lines that wrap; a piece that still overflows is scaled down to fit. */
function fitMath(root) {
  for (const el of root.querySelectorAll(".math.display.fit")) {
    if (el.scrollWidth > el.clientWidth + 1 && el.handpropLines) {
      const [lhs, rights, fallback, continued] = el.handpropLines;
      el.replaceWith(mathLines(lhs, rights, fallback, continued));
    }
  }
  for (const m of root.querySelectorAll(".math[style]")) m.style.fontSize = "";
  const boxes = [...root.querySelectorAll(".mline, .term-math, .math.display:not(.fit), .result-line")];
  const over = boxes.map((b) => [b, b.scrollWidth, b.clientWidth]).filter(([, sw, cw]) => cw > 0 && sw > cw + 1);
  for (const [b, sw, cw] of over) {
    const m = b.classList.contains("math") ? b : b.querySelector(".math");
    if (m) m.style.fontSize = `${Math.max(40, Math.floor((100 * cw) / sw) - 2)}%`;
  }
}

/** The chain rule in the terms' letters: "(A1·B1·C1 + A2·B2·C2) × B′ × D". */
function lettersLine(terms) {
  const paths = new Map();
  const rest = [];
  for (const t of terms) {
    const m = /^(.+?)(\d+)$/.exec(t.label);
    if (m) {
      if (!paths.has(m[2])) paths.set(m[2], []);
      paths.get(m[2]).push(t.label);
    } else {
      rest.push(t.label);
    }
  }
  const sum = [...paths.values()].map((p) => p.join("·")).join(" + ");
  const factors = (sum ? [paths.size > 1 && rest.length ? `(${sum})` : sum] : []).concat(rest);
  return factors.join(" × ");
}

function buildTerms(model, step, goto) {
  const list = h("ol", { class: "terms", "aria-label": "Chain-rule terms" });
  const asked = new Set();
  for (const t of step.terms) {
    const body = [h("span", { class: "term-label", text: t.label }),
      h("span", { class: "term-math" }, texEl(t.latex, false, t.text), ` = ${textNumber(t.value, model.digits)}`),
      asked.has(t.question) ? null : h("span", { class: "term-question", text: t.question })];
    asked.add(t.question);
    const target = t.ref !== null && model.index.has(t.ref) ? t.ref : null;
    const item = target
      ? h("button", { type: "button", class: "term", "data-ref": target, title: `Go to the step that computed ${t.text}`,
                      "aria-label": `${t.label}: ${t.text} = ${textNumber(t.value, model.digits)}. ${t.question} Go to its step.`,
                      onclick: () => goto(model.index.get(target)) }, ...body)
      : h("div", { class: "term given" }, ...body);
    list.append(h("li", null, item));
  }
  const lhs = step.chain.text[0];
  return h("div", { class: "row" }, h("h3", { class: "row-label", text: "Chain-rule terms" }),
    h("p", { class: "letters", text: `${lhs} = ${lettersLine(step.terms)}` }), list);
}

/** A link to the step computing `id`, named as a person writes it (its symbol); the id
 * itself is shown only with "show ids" (<html class="show-ids">). */
function refLink(model, id, goto) {
  const j = model.index.get(id);
  const name = j === undefined ? id : model.trace.steps[j].chain.text[0];
  const body = [h("span", { class: "qname", text: name }), h("code", { class: "qid", text: id })];
  if (j === undefined) return h("span", { class: "ref-given" }, ...body);
  return h("button", { type: "button", class: "ref", "data-ref": id, title: id, onclick: () => goto(j) }, ...body);
}

/** The claim made about this step (extras.claims), as text. */
function buildClaim(model, step) {
  const claim = model.claims && model.claims[step.id];
  if (!claim) return null;
  const box = h("div", { class: `claim ${verdictClass(claim.verdict)}`, role: "note" },
    h("span", { class: "badge", text: String(claim.verdict) }));
  if (claim.claimed !== undefined && claim.claimed !== null) {
    box.append(h("span", { class: "claimed" }, "claimed ",
      h("strong", { text: typeof claim.claimed === "number" ? textNumber(claim.claimed, 12) : String(claim.claimed) })));
  }
  if (claim.explanation) box.append(h("p", { class: "explanation", text: String(claim.explanation) }));
  return box;
}

function buildPanel(el) {
  el.textContent = "";
  const view = { el, head: h("div", { class: "panel-head" }), title: h("h2", { id: "panel-title" }),
                 claim: h("div", { class: "claim-slot" }), body: h("div", { class: "panel-body" }),
                 cache: new Map(), shown: -1 };
  el.append(view.head, view.title, view.claim, view.body);
  return view;
}

function updatePanel(view, model, state, goto) {
  const i = state.step;
  if (view.shown === i) return;
  view.shown = i;
  const step = model.trace.steps[i];
  view.el.setAttribute("data-step-id", step.id);
  view.el.setAttribute("data-phase", step.phase);
  view.head.replaceChildren(...[h("span", { class: `phase-chip phase-${step.phase}`, text: PHASE_LABEL[step.phase] || step.phase }),
    h("span", { class: "step-no", text: `Step ${i + 1} of ${model.trace.steps.length}` }),
    step.sample ? h("span", { class: "sample-chip", text: `sample ${step.sample}` }) : null,
    h("code", { class: "step-id qid", title: "the step's id (for #id= links, claims files and JSON)", text: step.id })].filter(Boolean));
  setText(view.title, step.title);
  view.claim.textContent = "";
  const claim = buildClaim(model, step);
  if (claim) view.claim.append(claim);
  let content = view.cache.get(i);
  if (!content) {
    content = buildStepContent(model, step, goto, {});
    if (view.cache.size > 200) view.cache.clear();
    view.cache.set(i, content);
  }
  view.body.replaceChildren(content);
  const width = view.body.clientWidth;
  if (content.handpropFit !== width) {
    content.handpropFit = width;
    fitMath(content);
  }
  prefetch(view, model, i + 1, goto);
}

/** Typeset the next step while the browser is idle, so the next key press only swaps it in. */
function prefetch(view, model, i, goto) {
  if (i >= model.trace.steps.length || view.cache.has(i) || view.prefetching) return;
  view.prefetching = true;
  const idle = window.requestIdleCallback || ((f) => setTimeout(f, 16));
  idle(() => {
    view.prefetching = false;
    if (!view.cache.has(i)) view.cache.set(i, buildStepContent(model, model.trace.steps[i], goto, {}));
  });
}
