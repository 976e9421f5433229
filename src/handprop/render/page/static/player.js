/* player.js: one state object drawn by one render function.
 *
 *   state = {problem, trace, step, playing, speed}
 *
 * Everything that changes the page goes through set(patch) -> render(); the play timer
 * only moves state.step.  boot(payload) starts a player on this page from the payload
 * html.py writes (embedded in the static page, or fetched by a live app: start()).
 */

/** Derived, read-only lookups of a payload (not state: they never change). */
function makeModel(payload) {
  const trace = payload.trace;
  const problem = trace.problem;
  const steps = trace.steps;
  const index = new Map();
  steps.forEach((st, i) => index.set(st.id, i));
  const multi = problem.samples.length > 1;
  const sampleAt = new Int32Array(steps.length);
  let cur = 1;
  steps.forEach((st, i) => { if (st.sample) cur = st.sample; sampleAt[i] = st.sample || cur; });
  const layerOf = new Map();
  problem.layers.forEach((l, li) => l.units.forEach((u) => layerOf.set(u, li)));
  const maxGrad = new Map();
  for (const name of Object.keys(problem.weights)) {
    const li = layerOf.get(problem.weights[name][1]);
    const g = Math.abs(trace.values[`grad:${name}`] || 0);
    if (g > (maxGrad.get(li) || 0)) maxGrad.set(li, g);
  }
  const sections = payload.sections && payload.sections.length ? payload.sections
    : [{ key: "all", title: "Steps", start: 0, end: steps.length }];
  const extras = payload.extras || {};
  const sectionStart = new Map(sections.map((sec) => [sec.start, sec]));
  return { trace, problem, index, multi, sampleAt, maxGrad, sections, sectionStart, extras, short: new Map(),
           claims: extras.claims || null, digits: payload.digits || trace.digits || 6,
           doc: payload.doc };
}

function boot(payload, options) {
  const opts = options || {};
  let model = makeModel(payload);
  let n = model.trace.steps.length;
  const state = { problem: model.problem, trace: model.trace, step: 0, playing: false, speed: 1 };
  const fromHash = stepFromHash(location.hash, model);
  if (fromHash !== null) state.step = fromHash;
  let timer = null;
  let timerSpeed = 0;
  let shown = -1;
  const netEl = document.getElementById("network");
  const netStatus = document.getElementById("netstatus");

  function set(patch) {
    Object.assign(state, patch);
    state.step = Math.max(0, Math.min(n - 1, Math.round(Number(state.step)) || 0));
    if (state.step >= n - 1 && state.playing && !patch.restart) state.playing = false;
    render();
  }
  const act = {
    state: () => state,
    model: () => model,
    set,
    goto: (i) => set({ step: i, playing: false }),
    toggle: () => (state.playing ? set({ playing: false })
      : set({ playing: true, restart: true, step: state.step >= n - 1 ? 0 : state.step })),
    load: (next) => load(next),
  };

  const view = {
    net: buildNetwork(model, estimateWidth()),
    panel: buildPanel(document.getElementById("panel")),
    list: buildStepList(document.getElementById("steplist"), model, act.goto),
    controls: bindControls(model, act),
  };
  netEl.append(view.net.svg);
  buildLegend(document.getElementById("legend"));
  fillHeader(model, act);

  /** The one render function: draws every part of the page from `state`. */
  function render() {
    delete state.restart;
    updateNetwork(view.net, model, state);
    followFocus(netEl, view.net);
    updateNetStatus(netStatus, view.net, model, state);
    updatePanel(view.panel, model, state, act.goto);
    updateStepList(view.list, state);
    updateControls(view.controls, model, state);
    if (shown !== state.step) {
      if (shown !== -1) keepValueInView();
      shown = state.step;
    }
    if (state.playing && timerSpeed !== state.speed) {
      clearInterval(timer);
      timerSpeed = state.speed;
      timer = setInterval(() => set({ step: state.step + 1 }), 1400 / state.speed);
    } else if (!state.playing && timer) {
      clearInterval(timer);
      timer = null;
      timerSpeed = 0;
    }
    syncHash(model.trace.steps[state.step], opts.hashPrefix || "");
    if (opts.onRender) opts.onRender(state, model);
  }

  /** Another payload (a live editor's new solution) in the same state: the step the reader
   * is on stays (by its id, else by its place), every part is drawn again from the new model. */
  function load(next) {
    const before = model.trace.steps[state.step];
    model = makeModel(next);
    n = model.trace.steps.length;
    const same = before ? model.index.get(before.id) : undefined;
    Object.assign(state, { problem: model.problem, trace: model.trace, playing: false,
                           step: same !== undefined ? same : Math.min(state.step, n - 1) });
    const fresh = buildNetwork(model, view.net.width);     // the width it had: no layout read
    view.net.svg.replaceWith(fresh.svg);
    view.net = fresh;
    view.panel = buildPanel(document.getElementById("panel"));
    view.list = buildStepList(document.getElementById("steplist"), model, act.goto);
    rebindControls(view.controls, model, act);
    fillHeader(model, act);
    shown = -1;
    render();
    shown = state.step;
    // the document under the player after the drawing is on screen (a frame, then a task)
    const token = ++loads;
    requestAnimationFrame(() => setTimeout(() => {
      if (token !== loads) return;
      doc = buildDocument(document.getElementById("tables"), model, gotoFromDocument);
      buildMatrixView(document.getElementById("tables"), model);
      writeSolutionLater(doc);
      document.documentElement.setAttribute("data-document", String(token));
    }, 0));
  }
  let loads = 0;

  render();
  performance.mark("handprop:drawn");
  window.handprop.firstDrawn = performance.now();
  document.documentElement.setAttribute("data-ready", "1");

  const gotoFromDocument = (i) => {
    act.goto(i);
    document.getElementById("panel").focus({ preventScroll: false });
  };
  let doc = buildDocument(document.getElementById("tables"), model, gotoFromDocument);
  buildMatrixView(document.getElementById("tables"), model);   // matrix.js: the matrix view, if any
  writeSolutionLater(doc);
  // printed, the drawing shows the end: every value and every update (then back)
  let beforePrint = null;
  window.addEventListener("beforeprint", () => {
    finishSolution(doc);
    if (beforePrint === null) beforePrint = state.step;
    set({ step: n - 1, playing: false });
    document.documentElement.classList.add("printing");
  });
  window.addEventListener("afterprint", () => {
    document.documentElement.classList.remove("printing");
    if (beforePrint !== null) set({ step: beforePrint });
    beforePrint = null;
  });

  let lastWidth = view.net.width;
  if (window.ResizeObserver) {       // the real width, once laid out (and on every resize)
    new ResizeObserver(() => {
      const w = netEl.clientWidth;
      if (!w || Math.abs(w - lastWidth) < 40) return;
      lastWidth = w;
      const fresh = buildNetwork(model, w);
      view.net.svg.replaceWith(fresh.svg);
      view.net = fresh;
      updateNetwork(view.net, model, state);
    }).observe(netEl);
  }
  return { act, state, get model() { return model; } };
}

/** A drawing taller than its window (a phone): scroll it so the step's units are in view. */
function followFocus(box, net) {
  if (box.scrollHeight <= box.clientHeight + 1) return;
  let target = net.subject;
  if (!target) for (const el of net.active) if (el.matches(".unit, .collapsed")) { target = el; break; }
  if (!target) return;
  const b = box.getBoundingClientRect();
  const t = target.getBoundingClientRect();
  box.scrollTop = Math.max(0, box.scrollTop + (t.top + t.height / 2) - (b.top + b.height / 2));
}

/** On a phone (the drawing sticky above the panel): after a step, scroll so that the panel's
 * head is not under the drawing and its value is on screen. */
function keepValueInView() {
  const stage = document.querySelector(".stage");
  if (!stage || getComputedStyle(stage).position !== "sticky") return;
  const panel = document.getElementById("panel");
  const value = panel.querySelector("[data-role=value]");
  if (!value) return;
  const top = stage.getBoundingClientRect().height + 6;     // below the drawing, once it sticks
  const p = panel.getBoundingClientRect();
  const v = value.getBoundingClientRect();
  let dy = p.top < top ? p.top - top : 0;
  if (v.bottom - dy > window.innerHeight) dy = v.bottom - window.innerHeight + 8;
  if (dy) window.scrollBy(0, dy);
}

/** The drawing's width before layout (asking the browser would force a layout): page.css's grid. */
function estimateWidth() {
  const w = window.innerWidth || 1280;
  const main = Math.min(w, 1440) - (w <= 520 ? 20 : 40);
  const stage = w > 960 ? main - 14 - Math.max(340, Math.min(440, main * 0.34)) : main;
  return stage - (w <= 520 ? 10 : 26);
}

function fillHeader(model, act) {
  const p = model.problem;
  setText(document.getElementById("summary"), `${model.doc.summary} · ${model.doc.settings}`);
  const lead = document.getElementById("lead");
  const paragraphs = [];
  if (p.description) paragraphs.push(p.description);
  for (const line of model.extras.lead || []) paragraphs.push(String(line));
  lead.replaceChildren(...paragraphs.map((t) => h("p", { text: t })));
  const warn = document.getElementById("warnings");
  const warnings = model.trace.warnings || [];
  warn.hidden = !warnings.length;
  warn.replaceChildren(...warnings.map((w) => h("span", { text: "warning: " + w })));
  if (model.claims) buildClaimsSummary(document.getElementById("claims-summary"), model, act);
}

/** "Claims checked: 12 correct 5 wrong …": each badge goes through the claimed steps of its
 * verdict one by one, in the order of the steps (the next after the one it showed last, or
 * after the current step when that is another; wrapping), highlights the claim and says
 * where it is ("wrong 2 of 5"). */
function buildClaimsSummary(box, model, act) {
  const counts = new Map();
  const stepsOf = new Map();
  for (const id of Object.keys(model.claims)) {
    const v = String(model.claims[id].verdict);
    counts.set(v, (counts.get(v) || 0) + 1);
    if (!stepsOf.has(v)) stepsOf.set(v, []);
    const i = model.index.get(id);
    if (i !== undefined) stepsOf.get(v).push(i);
  }
  for (const list of stepsOf.values()) list.sort((a, b) => a - b);
  box.hidden = false;
  const at = h("span", { class: "claims-at", id: "claims-at", role: "status", "aria-live": "polite" });
  box.replaceChildren("Claims checked: ");
  const shown = new Map();            // verdict -> position in its list last shown
  for (const [v, c] of counts) {
    const list = stepsOf.get(v);
    const label = VERDICT_WORD[v] || v;
    box.append(h("button", {
      type: "button", class: `badge ${verdictClass(v)}`, text: `${c} ${v}`, "data-verdict": v,
      disabled: !list.length, "aria-describedby": "claims-at",
      title: list.length > 1 ? `Go to the next ${label} claim` : `Go to the ${label} claim`,
      onclick: () => {
        const cur = act.state().step;
        const last = shown.get(v);
        let k;
        if (last === undefined) k = 0;
        else if (list[last] === cur) k = (last + 1) % list.length;
        else {
          k = list.findIndex((i) => i > cur);
          if (k < 0) k = 0;
        }
        shown.set(v, k);
        act.goto(list[k]);
        const where = `${label} ${k + 1} of ${list.length}`;
        setText(at, where);
        at.className = `claims-at ${verdictClass(v)}`;
        highlightClaim(where);
      } }), " ");
  }
  box.append(at);
}

const VERDICT_WORD = { correct: "correct", right: "correct", rounding: "rounding", drift: "rounding",
                       carried: "carried", wrong: "wrong" };

/** The current step's claim in the formula panel: lit, saying which it is ("wrong 2 of 5": on a
 * phone the header's count is scrolled away), and scrolled into view. */
function highlightClaim(where) {
  const claim = document.querySelector("#panel .claim");
  if (!claim) return;
  const old = claim.querySelector(".claim-at");
  if (old) old.remove();
  const first = claim.querySelector(".explanation");
  const tag = h("span", { class: "claim-at", text: where });
  if (first) claim.insertBefore(tag, first); else claim.append(tag);
  claim.classList.remove("lit");
  void claim.offsetWidth;           // restart the animation when the same claim is lit again
  claim.classList.add("lit");
  const stage = document.querySelector(".stage");
  const r = claim.getBoundingClientRect();
  if (stage && getComputedStyle(stage).position === "sticky") {   // a phone: below the drawing
    const top = stage.getBoundingClientRect().height + 6;
    const head = document.getElementById("panel").getBoundingClientRect().top;   // the step's title too, when it fits
    const from = r.bottom - head + top <= window.innerHeight ? head : r.top;
    if (from < top || r.bottom > window.innerHeight) window.scrollBy(0, from - top);
  } else if (r.top < 0 || r.bottom > window.innerHeight) {
    claim.scrollIntoView({ block: "nearest" });
  }
}

/** A large payload is embedded gzipped and base64-encoded: back to its JSON text. */
function inflate(base64) {
  const bin = atob(base64.trim());
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

/** Start the page: the embedded payload, or (a live app) the one at <body data-payload-url>. */
function start() {
  const embedded = document.getElementById("handprop-payload");
  if (embedded) {
    performance.mark("handprop:start");
    const go = (text) => {
      const payload = JSON.parse(text);
      performance.mark("handprop:parsed");
      window.handprop.player = boot(payload);
      return window.handprop.player;
    };
    if (embedded.getAttribute("data-encoding") === "gzip+base64") return inflate(embedded.textContent).then(go);
    return Promise.resolve(go(embedded.textContent));
  }
  const url = document.body.getAttribute("data-payload-url");
  if (!url) return Promise.reject(new Error("handprop: no payload on this page"));
  return fetch(url).then((r) => r.json()).then((payload) => {
    window.handprop.player = boot(payload);
    return window.handprop.player;
  });
}

window.handprop = { boot, start, inflate, fmtNumber, player: null, firstDrawn: null };
