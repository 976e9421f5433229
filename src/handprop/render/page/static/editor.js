/* editor.js: the live editor (handprop serve).  One problem being edited, its undo and redo, the
 * address, the forms; every edit asks the server for the new solution and hands its payload to
 * the player (act.load), which keeps the step the reader is on.  An invalid problem is marked at
 * its fields with the server's messages and the last good solution stays drawn.
 *
 *   ed = {problem, good, undo: [json], redo: [json], errors, seq, player}
 *
 * Every change of the problem goes through commit(next) -> recompute().  Strings from the
 * problem reach the page as text (h(), setText()), never as markup.
 */

const ED = { problem: null, good: null, undo: [], redo: [], errors: [], seq: 0, shown: 0, player: null,
             choices: null, examples: [], timings: [], formFor: null, rev: 0, savedRev: -1 };
const URL_KEY = "v2";            // written: base64url of deflate-raw of the UTF-8 JSON
const URL_KEY_V1 = "v1";         // still read: base64url of the UTF-8 JSON (links shared before v2)
const HISTORY_MAX = 200;         // entries of each stack, in memory and in history.state
const HISTORY_CHARS = 2000000;   // and at most this many characters of them in history.state

function $id(id) { return document.getElementById(id); }

/* ------------------------------------------------------------------ the address */

function b64urlBytes(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function b64urlToBytes(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function b64urlEncode(text) { return b64urlBytes(new TextEncoder().encode(text)); }

function b64urlDecode(text) { return new TextDecoder().decode(b64urlToBytes(text)); }

/** The address text of a JSON text: base64url of its UTF-8 bytes, deflated (raw, no header). */
async function deflateText(text) {
  const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return b64urlBytes(new Uint8Array(await new Response(stream).arrayBuffer()));
}

const INFLATED_MAX = 4 * 1024 * 1024;   // a problem the server reads is at most 256 KB of JSON

async function inflateText(text) {
  const stream = new Blob([b64urlToBytes(text)]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const parts = [];
  let size = 0;
  for (;;) {                             // read in pieces, and stop a link that inflates without end
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > INFLATED_MAX) {
      reader.cancel();
      throw new Error("the problem of the address is larger than any the server reads");
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) { bytes.set(part, at); at += part.length; }
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** The compressed text of the problem, made after each change of it (CompressionStream is
 * asynchronous; the address is written synchronously, by the player too): `json` is the problem
 * it is of, `text` "v2=...".  Only the newest request is kept: an older one finishing late is
 * dropped, so rapid edits never leave an older problem in the address. */
const PACK = { json: null, pending: null, text: "", want: 0, done: Promise.resolve() };

function pack() {
  const json = JSON.stringify(ED.problem);
  if (json === PACK.json) {            // back to the problem packed last (an undo): any later one is dropped
    PACK.want++;
    PACK.pending = null;
    writeHash();
    return PACK.done;
  }
  if (json === PACK.pending) return PACK.done;
  const ticket = ++PACK.want;
  PACK.pending = json;
  const done = (text) => {
    if (ticket !== PACK.want) return;    // a newer problem is being packed
    PACK.json = json;
    PACK.text = text;
    PACK.pending = null;
    writeHash();
  };
  // a browser without CompressionStream("deflate-raw") writes v1, which every version reads
  PACK.done = Promise.resolve().then(() => deflateText(json))
    .then((text) => done(`${URL_KEY}=${text}`), () => done(`${URL_KEY_V1}=${b64urlEncode(json)}`));
  return PACK.done;
}

/** "v2=<base64url of deflate-raw of the problem's JSON>&" (the player adds "id=<step>"): the
 * compressed text made last (of the problem, or, for the moment its new text is being made, of
 * the one before; written again when it is ready). */
function hashPrefix() {
  return PACK.text ? `${PACK.text}&` : "";
}

/** The problem of the address: {problem} (null when the address holds none) or {error}. */
async function problemFromHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const v2 = params.get(URL_KEY);
  const v1 = params.get(URL_KEY_V1);
  if (!v2 && !v1) return { problem: null };
  try {
    const p = JSON.parse(v2 ? await inflateText(v2) : b64urlDecode(v1));
    if (p && typeof p === "object" && !Array.isArray(p)) return { problem: p };
    return { problem: null, error: "it is not a problem" };
  } catch (err) {
    const large = err && /larger than/.test(String(err.message));
    return { problem: null, error: large ? err.message.replace(/^the problem of the address is/, "it is") : "it could not be decoded" };
  }
}

/** The undo and redo stacks as history.state keeps them, with the problem they go with
 * (restored at start-up only for that problem).  The newest entries, within HISTORY_CHARS. */
function historyState(json) {
  let chars = json.length;
  const keep = (stack) => {
    const out = [];
    for (let i = stack.length - 1; i >= 0 && out.length < HISTORY_MAX; i--) {
      if (chars + stack[i].length > HISTORY_CHARS) break;
      chars += stack[i].length;
      out.unshift(stack[i]);
    }
    return out;
  };
  const undoKept = keep(ED.undo);
  const base = history.state && typeof history.state === "object" ? history.state : {};
  return Object.assign({}, base, { handpropEditor: { problem: json, undo: undoKept, redo: keep(ED.redo) } });
}

function restoreHistory(problem) {
  const saved = history.state && history.state.handpropEditor;
  if (!saved || saved.problem !== JSON.stringify(problem)) return false;
  const strings = (a) => (Array.isArray(a) ? a.filter((x) => typeof x === "string").slice(-HISTORY_MAX) : []);
  ED.undo = strings(saved.undo);
  ED.redo = strings(saved.redo);
  return true;
}

/** The address and history.state, written together (one replaceState) once the compressed
 * text of the current problem is ready; until then the address keeps the last pair written. */
function writeHash() {
  const json = JSON.stringify(ED.problem);
  if (json !== PACK.json) return;       // its compressed text is on its way: written when it comes
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const id = params.get("id");
  const hash = ("#" + hashPrefix() + (id ? "id=" + encodeURIComponent(id).replace(/%3A/gi, ":") : "")).replace(/&$/, "");
  // the same address and stacks: nothing to write (a few ms for a large network)
  if (hash === location.hash && ED.savedRev === ED.rev) return;
  try {
    history.replaceState(historyState(json), "", hash);
    ED.savedRev = ED.rev;
  } catch (err) { /* no history */ }
}

/* ------------------------------------------------------------------ talking to the server */

async function api(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
                                body: JSON.stringify(body) });
  let data = null;
  try { data = await r.json(); } catch (err) { data = null; }
  return { status: r.status, ok: r.ok, data };
}

function status(text) { setText($id("ed-status"), text); }

/* ------------------------------------------------------------------ edits */

function clone(x) { return JSON.parse(JSON.stringify(x)); }

/** `json` on top of an undo or redo stack, the oldest dropped past HISTORY_MAX. */
function remember(stack, json) {
  stack.push(json);
  if (stack.length > HISTORY_MAX) stack.shift();
}

/** Make `next` the problem: remembered for undo, written to the address, recomputed. */
function commit(next, label) {
  if (ED.problem === null) return Promise.resolve();     // the first problem is still being read
  const before = JSON.stringify(ED.problem);
  const after = JSON.stringify(next);
  if (before === after) return Promise.resolve();
  remember(ED.undo, before);
  ED.redo = [];
  ED.rev++;
  ED.problem = next;
  if (label) status(label);
  return recompute();
}

function undo() {
  if (!ED.undo.length) return;
  remember(ED.redo, JSON.stringify(ED.problem));
  ED.rev++;
  ED.problem = JSON.parse(ED.undo.pop());
  status("Undone.");
  recompute();
}

function redo() {
  if (!ED.redo.length) return;
  remember(ED.undo, JSON.stringify(ED.problem));
  ED.rev++;
  ED.problem = JSON.parse(ED.redo.pop());
  status("Redone.");
  recompute();
}

/** Ask the server for the solution of the problem; draw it, or mark the errors. */
async function recompute() {
  const seq = ++ED.seq;
  const t0 = performance.now();
  pack();                                // the address follows once its compressed text is made
  updateUndoButtons();
  let res;
  let answered = t0;
  try {
    res = await api("/api/explain", { problem: ED.problem });
    answered = performance.now();
  } catch (err) {
    if (seq === ED.seq) status(ED.good ? "The server did not answer: the last solution stays." : "The server did not answer.");
    return;
  }
  if (seq !== ED.seq) return;            // a newer edit is on its way
  if (res.ok && res.data && res.data.payload) {
    ED.problem = res.data.problem;
    ED.good = res.data;
    ED.errors = [];
    if (ED.player) ED.player.act.load(res.data.payload);
    else ED.player = boot(res.data.payload, { hashPrefix, onRender: afterRender });
    window.handprop.player = ED.player;
    setText($id("title"), ED.problem.title || "Untitled network");
    pack();                              // the normalised problem
  } else {
    ED.errors = (res.data && res.data.errors) || [{ field: "", message: `the server answered ${res.status}` }];
    if (!ED.good) setText($id("title"), (ED.problem && typeof ED.problem.title === "string" && ED.problem.title) || "Untitled network");
  }
  const drawnFor = JSON.stringify(ED.problem);
  if (drawnFor !== ED.formFor) {        // a value typed in the form is already shown there
    buildForm();
    ED.formFor = drawnFor;
  }
  showErrors();
  if (window.handprop.solve) window.handprop.solve.refresh();
  const drawn = performance.now();
  requestAnimationFrame(() => {
    // (the edit to the next frame, the server's answer, the drawing) in ms: benchmarks/bench_editor.py
    ED.timings.push([performance.now() - t0, answered - t0, drawn - answered]);
    if (ED.timings.length > 1000) ED.timings.shift();
    ED.shown = seq;
    document.documentElement.setAttribute("data-edits", String(seq));
  });
}

function updateUndoButtons() {
  $id("ed-undo").disabled = !ED.undo.length;
  $id("ed-redo").disabled = !ED.redo.length;
}

/** A typed value: a number when it reads as one, else the text (the server says what is wrong). */
function typed(text) {
  const t = String(text).trim().replace(/\u2212/g, "-");
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) {
    const v = Number(t);
    if (Number.isFinite(v)) return v;
  }
  return String(text);
}

/** problem[path[0]][path[1]]... = value, on a copy; committed.  `typedInForm`: the form already
 * shows it (so an answer that keeps the problem as sent does not draw the form again). */
function setAt(path, value, label, typedInForm) {
  const next = clone(ED.problem);
  let o = next;
  for (let i = 0; i < path.length - 1; i++) o = o[path[i]];
  o[path[path.length - 1]] = value;
  const done = commit(next, label);
  if (typedInForm) ED.formFor = JSON.stringify(next);
  return done;
}

/** The field name the server uses for a path: weights.w5[2], samples[0].inputs[1]. */
function fieldOf(path) {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += (out ? "." : "") + p;
  }
  return out;
}

/* ------------------------------------------------------------------ structure */

function allNames(p) {
  const names = new Set(p.inputs);
  for (const l of p.layers) for (const u of l.units) names.add(u);
  for (const k of Object.keys(p.weights)) names.add(k);
  for (const k of Object.keys(p.biases || {})) names.add(k);
  return names;
}

/** A name like its neighbours' ("H3" after H1, H2), used by nothing else. */
function freshName(p, like, fallback) {
  const used = allNames(p);
  const m = /^(.*?)(\d+)$/.exec(like || "");
  const stem = m ? m[1] : (like || fallback);
  let k = m ? Number(m[2]) + 1 : 1;
  while (used.has(`${stem}${k}`)) k++;
  return `${stem}${k}`;
}

function freshWeight(p) {
  const used = allNames(p);
  let k = 1;
  for (const name of Object.keys(p.weights)) {
    const m = /^w(\d+)$/.exec(name);
    if (m) k = Math.max(k, Number(m[1]) + 1);
  }
  while (used.has(`w${k}`)) k++;
  return `w${k}`;
}

function freshBias(p) {
  const used = allNames(p);
  let k = 1;
  while (used.has(`b${k}`)) k++;
  return `b${k}`;
}

/** A new weight's value: small, of alternating sign, different from its neighbours. */
function seedValue(k) {
  const v = [0.1, -0.2, 0.3, 0.15, -0.25, 0.2, -0.1, 0.35][k % 8];
  return v;
}

function column(p, c) { return c < 0 ? p.inputs : p.layers[c].units; }

function connect(p, from, to) {
  let k = Object.keys(p.weights).length;
  for (const a of from) for (const b of to) p.weights[freshWeight(p)] = [a, b, seedValue(k++)];
}

function biasUnits(entry) { return Array.isArray(entry[0]) ? entry[0] : [entry[0]]; }

/** The bias convention of layer c: "none", "shared" (one bias for the layer) or "unit". */
function biasConvention(p, c) {
  const units = new Set(p.layers[c].units);
  const mine = Object.values(p.biases || {}).filter((b) => biasUnits(b).some((u) => units.has(u)));
  if (!mine.length) return "none";
  if (mine.length === 1 && units.size > 1 && biasUnits(mine[0]).length === units.size) return "shared";
  if (mine.every((b) => biasUnits(b).length === 1) && mine.length === units.size) return "unit";
  return mine.length === 1 ? "shared" : "unit";
}

function setBiasConvention(p, c, how) {
  const units = p.layers[c].units;
  const set = new Set(units);
  p.biases = p.biases || {};
  const old = Object.keys(p.biases).filter((k) => biasUnits(p.biases[k]).some((u) => set.has(u)));
  const first = old.length ? p.biases[old[0]][1] : 0.1;
  const valueOf = new Map();
  for (const k of old) for (const u of biasUnits(p.biases[k])) valueOf.set(u, p.biases[k][1]);
  for (const k of old) delete p.biases[k];
  if (how === "shared") p.biases[freshBias(p)] = [units.slice(), typeof first === "number" ? first : 0.1];
  else if (how === "unit") for (const u of units) p.biases[freshBias(p)] = [[u], valueOf.has(u) ? valueOf.get(u) : first];
}

function addUnit(c) {
  const p = clone(ED.problem);
  const units = column(p, c);
  const name = freshName(p, units[units.length - 1], c < 0 ? "x" : "u");
  const convention = c >= 0 ? biasConvention(p, c) : "none";
  units.push(name);
  if (c >= 0) connect(p, column(p, c - 1), [name]);
  if (c + 1 < p.layers.length) connect(p, [name], column(p, c + 1));
  if (c < 0) for (const s of p.samples) addToSample(s, "inputs", name, 0.5);
  if (c === p.layers.length - 1) for (const s of p.samples) addToSample(s, "targets", name, 0);
  if (convention === "shared") {
    const set = new Set(units);
    for (const k of Object.keys(p.biases)) {
      const us = biasUnits(p.biases[k]);
      if (us.some((u) => set.has(u))) p.biases[k] = [us.concat([name]), p.biases[k][1]];
    }
  } else if (convention === "unit") {
    p.biases[freshBias(p)] = [[name], 0.1];
  }
  return commit(p, `Added ${name}.`);
}

function addToSample(s, key, name, value) {
  if (Array.isArray(s[key])) s[key].push(value);
  else s[key][name] = value;
}

function removeFromSample(s, key, name, index) {
  if (Array.isArray(s[key])) s[key].splice(index, 1);
  else delete s[key][name];
}

/** Remove unit `which` (its name; the last unit when not given) of column c (-1: the inputs),
 * with its weights, its place in the biases and its values in the samples. */
function removeUnit(c, which) {
  const p = clone(ED.problem);
  const units = column(p, c);
  if (units.length <= 1) return Promise.resolve();
  const index = which === undefined ? units.length - 1 : units.indexOf(which);
  if (index < 0) return Promise.resolve();
  const name = units.splice(index, 1)[0];
  for (const k of Object.keys(p.weights)) {
    const [a, b] = p.weights[k];
    if (a === name || b === name) delete p.weights[k];
  }
  for (const k of Object.keys(p.biases || {})) {
    const us = biasUnits(p.biases[k]).filter((u) => u !== name);
    if (!us.length) delete p.biases[k];
    else p.biases[k] = [us, p.biases[k][1]];
  }
  if (c < 0) for (const s of p.samples) removeFromSample(s, "inputs", name, index);
  if (c === p.layers.length - 1) for (const s of p.samples) removeFromSample(s, "targets", name, index);
  return commit(p, `Removed ${name}.`);
}

/** A hidden layer of two units before the output layer, wired in. */
function addLayer() {
  const p = clone(ED.problem);
  const at = p.layers.length - 1;
  const before = column(p, at - 1);
  const after = p.layers[at].units;
  for (const k of Object.keys(p.weights)) {
    const [a, b] = p.weights[k];
    if (before.includes(a) && after.includes(b)) delete p.weights[k];
  }
  const stem = `h${at + 1}_`;
  const units = [];
  for (let i = 1; units.length < 2; i++) {
    const name = `${stem}${i}`;
    if (!allNames(p).has(name) && !units.includes(name)) units.push(name);
  }
  const hidden = ED.choices.activations.find((a) => !a.output_only);
  p.layers.splice(at, 0, { units, activation: at > 0 ? p.layers[at - 1].activation : hidden.name });
  connect(p, before, units);
  connect(p, units, after);
  return commit(p, `Added a hidden layer (${units.join(", ")}).`);
}

function removeLayer(c) {
  const p = clone(ED.problem);
  if (c >= p.layers.length - 1) return Promise.resolve();
  const gone = new Set(p.layers[c].units);
  for (const k of Object.keys(p.weights)) {
    const [a, b] = p.weights[k];
    if (gone.has(a) || gone.has(b)) delete p.weights[k];
  }
  for (const k of Object.keys(p.biases || {})) {
    const us = biasUnits(p.biases[k]).filter((u) => !gone.has(u));
    if (!us.length) delete p.biases[k];
    else p.biases[k] = [us, p.biases[k][1]];
  }
  p.layers.splice(c, 1);
  connect(p, column(p, c - 1), column(p, c));
  return commit(p, `Removed hidden layer ${c + 1}.`);
}

function setActivation(c, name) {
  const p = clone(ED.problem);
  const layer = p.layers[c];
  const entry = ED.choices.activations.find((a) => a.name === name);
  const keep = new Set(entry ? entry.params.map((x) => x.name) : []);
  for (const a of ED.choices.activations) for (const x of a.params) if (!keep.has(x.name)) delete layer[x.name];
  layer.activation = name;
  if (entry) for (const x of entry.params) if (!(x.name in layer)) layer[x.name] = x.default;
  return commit(p, `Layer ${c + 1}: ${name}.`);
}

function addSample() {
  const p = clone(ED.problem);
  p.samples.push(clone(p.samples[p.samples.length - 1]));
  return commit(p, `Added sample ${p.samples.length}.`);
}

function removeSample(k) {
  const p = clone(ED.problem);
  if (p.samples.length <= 1) return Promise.resolve();
  p.samples.splice(k, 1);
  return commit(p, `Removed sample ${k + 1}.`);
}

/** A new network from its architecture, named as the matrix shorthand names it. */
function fromArchitecture(spec) {
  const hidden = spec.hidden;
  const sizes = hidden.concat([spec.outputs]);
  const inputs = Array.from({ length: spec.inputs }, (_, i) => `x${i + 1}`);
  const layers = sizes.map((n, l) => {
    const out = l === sizes.length - 1;
    const name = (i) => (out ? `y${i + 1}` : hidden.length === 1 ? `h${i + 1}` : `h${l + 1}_${i + 1}`);
    return { units: Array.from({ length: n }, (_, i) => name(i)), activation: out ? spec.outAct : spec.hiddenAct };
  });
  const p = { title: `A ${[spec.inputs].concat(sizes).join("-")} network`, inputs, layers, weights: {}, biases: {},
              samples: [{ inputs: inputs.map((_, i) => [0.05, 0.1, 0.2, 0.4][i % 4]),
                          targets: layers[layers.length - 1].units.map((_, i) => (i === 0 ? 1 : 0)) }],
              loss: spec.loss, learning_rate: spec.eta, update_biases: spec.bias !== "none", batch: spec.batch };
  let k = 0;
  layers.forEach((l, c) => {
    const from = c === 0 ? inputs : layers[c - 1].units;
    for (const u of l.units) for (const a of from) p.weights[`w${++k}`] = [a, u, seedValue(k)];
  });
  for (const a of ED.choices.activations) {
    for (const l of layers) if (l.activation === a.name) for (const x of a.params) l[x.name] = x.default;
  }
  layers.forEach((_, c) => setBiasConvention(p, c, spec.bias));
  return p;
}

/* ------------------------------------------------------------------ the form (a table of all values) */

function numberInput(path, label, value, extra) {
  const field = fieldOf(path);
  return h("input", Object.assign({ type: "text", inputmode: "decimal", class: "num-in", "data-field": field,
    "aria-label": label, value: String(value), autocomplete: "off", spellcheck: "false",
    onchange: (e) => setAt(path, typed(e.target.value), `${label} = ${e.target.value}`, true),
    onkeydown: (e) => { if (e.key === "Enter") { e.preventDefault(); e.target.blur(); e.target.focus(); } } }, extra || {}));
}

function selectInput(options, value, label, onchange, field) {
  const sel = h("select", { "aria-label": label, "data-field": field || null, onchange: (e) => onchange(e.target.value) },
    ...options.map(([v, text]) => h("option", { value: v, text })));
  sel.value = value;
  return sel;
}

/** The optimizer's name: the field is a name, or a mapping of its name and settings. */
function optimizerName(o) {
  return o && typeof o === "object" ? o.name : o;
}

function tiny(text, label, onclick, disabled) {
  return h("button", { type: "button", class: "tiny", "aria-label": label, title: label, disabled: !!disabled, onclick, text });
}

function wide(el) { el.classList.add("wide"); return el; }

function samples(el) { el.classList.add("samples"); return el; }

function block(title, ...children) {
  return h("fieldset", { class: "ed-block" }, h("legend", { text: title }), ...children);
}

/** The editor's forms, drawn again from the problem after each answer (focus kept by field). */
function buildForm() {
  const p = ED.problem;
  const box = $id("ed-form");
  const focused = document.activeElement && box.contains(document.activeElement)
    ? document.activeElement.getAttribute("data-key") : null;
  const C = ED.choices;
  const parts = [];
  let key = 0;
  const keyed = (el) => { el.setAttribute("data-key", String(key++)); return el; };

  // settings
  parts.push(block("Settings",
    h("label", { class: "inline" }, "Title ", keyed(h("input", { type: "text", class: "text-in", value: p.title || "",
      "data-field": "title", "aria-label": "Title", onchange: (e) => setAt(["title"], e.target.value, "Title changed.") }))),
    h("label", { class: "inline" }, "Loss ", keyed(selectInput(C.losses.map((l) => [l.name, `${l.name} (${l.title})`]), p.loss,
      "Loss", (v) => setAt(["loss"], v, `Loss: ${v}.`), "loss"))),
    h("label", { class: "inline" }, "Learning rate η ", keyed(numberInput(["learning_rate"], "Learning rate", p.learning_rate))),
    h("label", { class: "inline" }, "Batch ", keyed(selectInput(C.batch.map((b) => [b, b]), p.batch || "sum", "Batch mode",
      (v) => setAt(["batch"], v, `Batch: ${v}.`), "batch"))),
    h("label", { class: "inline" }, keyed(h("input", { type: "checkbox", "data-field": "update_biases",
      checked: !!p.update_biases, onchange: (e) => setAt(["update_biases"], e.target.checked, "Bias updates changed.") })),
      " update the biases"),
    C.optimizers.length > 1 ? h("label", { class: "inline" }, "Optimizer ", keyed(selectInput(C.optimizers.map((o) => [o.name, o.name]),
      optimizerName(p.optimizer) || C.optimizers[0].name, "Optimizer", (v) => setAt(["optimizer"], v, `Optimizer: ${v}.`), "optimizer"))) : null));

  // layers
  // each unit's name, with its own × (the − beside the count removes the last)
  const names = (units, c) => h("td", { class: "names" }, ...units.map((u, i) => h("span", { class: "unit-chip" },
    h("span", { class: "unit-name", text: u }), keyed(tiny("×", `Remove unit ${u}`, () => removeUnit(c, u), units.length <= 1)),
    i < units.length - 1 ? ", " : "")));
  const rows = [h("tr", null, h("th", { scope: "row", text: "inputs" }), names(p.inputs, -1),
    h("td", { class: "how" }, keyed(tiny("−", "Remove an input", () => removeUnit(-1), p.inputs.length <= 1)), " ",
      h("span", { class: "count", text: String(p.inputs.length) }), " ", keyed(tiny("+", "Add an input", () => addUnit(-1)))),
    h("td"), h("td"), h("td"))];
  p.layers.forEach((l, c) => {
    const out = c === p.layers.length - 1;
    const acts = C.activations.filter((a) => out || !a.output_only);
    const params = (C.activations.find((a) => a.name === l.activation) || { params: [] }).params;
    rows.push(h("tr", { "data-layer": String(c) },
      h("th", { scope: "row", text: out ? "output layer" : `hidden layer ${c + 1}` }),
      names(l.units, c),
      h("td", { class: "how" }, keyed(tiny("−", `Remove a unit from ${out ? "the output layer" : `hidden layer ${c + 1}`}`, () => removeUnit(c), l.units.length <= 1)),
        " ", h("span", { class: "count", text: String(l.units.length) }), " ",
        keyed(tiny("+", `Add a unit to ${out ? "the output layer" : `hidden layer ${c + 1}`}`, () => addUnit(c)))),
      h("td", null, keyed(selectInput(acts.map((a) => [a.name, a.name]), l.activation, `Activation of layer ${c + 1}`,
        (v) => setActivation(c, v), `layers[${c}].activation`)),
        ...params.map((x) => h("label", { class: "param" }, ` ${x.name} `,
          keyed(numberInput(["layers", c, x.name], `${x.name} of layer ${c + 1} (${x.meaning})`, l[x.name] ?? x.default))))),
      h("td", null, keyed(selectInput([["none", "no bias"], ["shared", "one bias"], ["unit", "a bias per unit"]],
        biasConvention(p, c), `Biases of layer ${c + 1}`, (v) => {
          const q = clone(ED.problem);
          setBiasConvention(q, c, v);
          commit(q, `Layer ${c + 1}: ${v === "none" ? "no bias" : v === "shared" ? "one bias" : "a bias per unit"}.`);
        }))),
      h("td", null, out ? null : keyed(tiny("×", `Remove hidden layer ${c + 1}`, () => removeLayer(c))))));
  });
  parts.push(wide(block("Layers",
    h("div", { class: "table-wrap" }, h("table", { class: "ed-layers" },
      h("thead", null, h("tr", null, ...["", "units", "how many", "activation", "bias", ""].map((t) => h("th", { scope: "col", text: t })))),
      h("tbody", null, ...rows))),
    keyed(h("button", { type: "button", class: "add", text: "Add a hidden layer", onclick: addLayer })))));

  // weights and biases
  const wRows = Object.keys(p.weights).map((name) => {
    const [a, b, v] = p.weights[name];
    return h("tr", { "data-weight": name }, h("th", { scope: "row", text: name }), h("td", { class: "names", text: `${a} → ${b}` }),
      h("td", null, keyed(numberInput(["weights", name, 2], `weight ${name} (${a} to ${b})`, v))));
  });
  const bRows = Object.keys(p.biases || {}).map((name) => {
    const [units, v] = p.biases[name];
    const us = Array.isArray(units) ? units : [units];
    return h("tr", { "data-bias": name }, h("th", { scope: "row", text: name }), h("td", { class: "names", text: us.join(", ") }),
      h("td", null, keyed(numberInput(["biases", name, 1], `bias ${name} (of ${us.join(", ")})`, v))));
  });
  parts.push(block("Weights and biases", h("div", { class: "table-wrap" }, h("table", { class: "ed-values" },
    h("thead", null, h("tr", null, ...["name", "from → to", "value"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", null, ...wRows, ...bRows)))));

  // samples
  const outputs = p.layers[p.layers.length - 1].units;
  const sRows = p.samples.map((s, k) => h("tr", { "data-sample": String(k) }, h("th", { scope: "row", text: `sample ${k + 1}` }),
    ...p.inputs.map((x, i) => h("td", null, keyed(sampleInput(s, k, "inputs", x, i)))),
    ...outputs.map((u, i) => h("td", null, keyed(sampleInput(s, k, "targets", u, i)))),
    h("td", null, keyed(tiny("×", `Remove sample ${k + 1}`, () => removeSample(k), p.samples.length <= 1)))));
  parts.push(samples(block("Samples", h("div", { class: "table-wrap" }, h("table", { class: "ed-samples" },
    h("thead", null, h("tr", null, h("th"), ...p.inputs.map((x) => h("th", { scope: "col", text: x })),
      ...outputs.map((u) => h("th", { scope: "col", text: `target ${u}` })), h("th"))),
    h("tbody", null, ...sRows))),
    keyed(h("button", { type: "button", class: "add", text: "Add a sample", onclick: addSample })))));

  box.replaceChildren(...parts.filter(Boolean));
  if (focused !== null) {
    const el = box.querySelector(`[data-key="${focused}"]`);
    if (el) el.focus({ preventScroll: true });
  }
}

function sampleInput(s, k, key, name, i) {
  const list = Array.isArray(s[key]);
  const path = ["samples", k, key, list ? i : name];
  const what = key === "inputs" ? `input ${name}` : `target of ${name}`;
  return numberInput(path, `${what}, sample ${k + 1}`, list ? s[key][i] : s[key][name]);
}

/** The server's messages at their fields (the closest field that is shown), the rest above. */
function showErrors() {
  const box = $id("ed-form");
  for (const el of document.querySelectorAll("[data-field].invalid")) {
    el.classList.remove("invalid");
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
  }
  for (const el of document.querySelectorAll(".field-error")) el.remove();
  const general = [];
  ED.errors.forEach((e, j) => {
    const field = String(e.field || "");
    const find = (f) => box.querySelector(`[data-field="${CSS.escape(f)}"]`);
    let el = field ? find(field) || box.querySelector(`[data-field^="${CSS.escape(field)}"]`) : null;
    for (let f = field; !el && f;) {
      const shorter = f.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
      if (shorter === f) break;
      f = shorter;
      if (f) el = find(f);
    }
    if (el) {
      const id = `field-error-${j}`;
      el.classList.add("invalid");
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", id);
      el.after(h("span", { class: "field-error", id, role: "alert", text: e.message }));
    } else {
      general.push(field ? `${field}: ${e.message}` : e.message);
    }
  });
  const top = $id("ed-errors");
  top.hidden = !ED.errors.length;
  const marked = ED.errors.length > general.length;
  // with no good solution yet (an invalid problem opened from the address) nothing is on screen
  const lead = ED.good
    ? ["Not solved: ", marked ? "the marked fields need another value; the last good solution stays on screen. " : ""]
    : ["This problem has errors: ", marked ? "mend the marked fields to see its solution. " : "mend them to see its solution. "];
  top.replaceChildren(...(ED.errors.length
    ? [h("strong", { text: lead[0] }), lead[1],
      ...general.map((g) => h("span", { class: "general", text: g + " " }))]
    : []));
  document.documentElement.classList.toggle("ed-invalid", ED.errors.length > 0);
  document.documentElement.classList.toggle("ed-unsolved", !ED.good);
}

/* ------------------------------------------------------------------ the drawing: click a value */

/** What of the problem a drawn element holds: [path, label] or null. */
function editableOf(el, model, state) {
  const p = ED.good ? ED.good.problem : ED.problem;
  const k = model.sampleAt[state.step] - 1;
  const label = el.closest("[data-label-of]");
  if (label) {
    const name = label.getAttribute("data-label-of");
    if (p.weights[name]) return [["weights", name, 2], `weight ${name} (${p.weights[name][0]} to ${p.weights[name][1]})`];
    if (p.biases && p.biases[name]) return [["biases", name, 1], `bias ${name}`];
  }
  const edge = el.closest("[data-edge]");
  if (edge) {
    const name = edge.getAttribute("data-edge");
    if (p.weights[name]) return [["weights", name, 2], `weight ${name} (${p.weights[name][0]} to ${p.weights[name][1]})`];
  }
  const node = el.closest(".bias[data-node]");
  if (node) {
    const name = node.getAttribute("data-node");
    if (p.biases && p.biases[name]) return [["biases", name, 1], `bias ${name}`];
  }
  const unit = el.closest(".unit.kind-input[data-node]");
  if (unit) {
    const name = unit.getAttribute("data-node");
    const i = p.inputs.indexOf(name);
    if (i >= 0) return [["samples", k, "inputs", Array.isArray(p.samples[k].inputs) ? i : name], `input ${name}, sample ${k + 1}`];
  }
  const target = el.closest("text.target");
  if (target) {
    const outputs = p.layers[p.layers.length - 1].units;
    const j = [...el.ownerSVGElement.querySelectorAll("text.target")].indexOf(target);
    if (j >= 0) {
      const name = outputs[j];
      return [["samples", k, "targets", Array.isArray(p.samples[k].targets) ? j : name], `target of ${name}, sample ${k + 1}`];
    }
  }
  return null;
}

function valueAt(path) {
  let o = ED.problem;
  for (const key of path) o = o == null ? undefined : o[key];
  return o;
}

function openPop(path, label, anchor) {
  const pop = $id("ed-pop");
  const input = $id("ed-pop-input");
  setText($id("ed-pop-label"), label);
  input.value = String(valueAt(path));
  input.setAttribute("data-field", fieldOf(path));
  pop.hidden = false;
  const r = anchor.getBoundingClientRect();
  const narrow = window.innerWidth <= 720;
  pop.classList.toggle("docked", narrow);
  if (!narrow) {
    pop.style.left = `${Math.max(8, Math.min(window.innerWidth - 300, r.left + r.width / 2 - 140)) + window.scrollX}px`;
    pop.style.top = `${r.bottom + 8 + window.scrollY}px`;
  }
  ED.pop = { path, label, anchor };
  input.focus();
  input.select();
}

function closePop(back) {
  const pop = $id("ed-pop");
  if (pop.hidden) return;
  pop.hidden = true;
  if (back && ED.pop && ED.pop.anchor && ED.pop.anchor.isConnected) ED.pop.anchor.focus();
  ED.pop = null;
}

/** Each editable drawn value: focusable, named for screen readers, Enter opens its box. */
function afterRender(state, model) {
  if (window.handprop.solve && ED.player) window.handprop.solve.refresh();
  const svg = document.querySelector("#network svg");
  if (!svg || svg.handpropEditable) return;
  svg.handpropEditable = true;
  const mark = (el) => {
    const what = editableOf(el, model, state);
    if (!what) return;
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "button");
    el.setAttribute("aria-label", `Edit ${what[1]}`);
    el.classList.add("editable");
  };
  svg.querySelectorAll("[data-edge], .bias[data-node], .unit.kind-input[data-node], text.target").forEach(mark);
  svg.setAttribute("role", "group");     // not an image: it holds the buttons that edit its values
  svg.querySelectorAll("[data-label-of]").forEach((el) => el.classList.add("editable"));   // clicked, not a tab stop
}

function onDrawingActivate(e) {
  const svg = e.target.closest && e.target.closest("#network svg");
  if (!svg || !ED.player) return;
  if (e.type === "keydown" && e.key !== "Enter" && e.key !== " ") return;
  const el = e.target.closest(".editable") || e.target;
  const what = editableOf(el, ED.player.model, ED.player.state);
  if (!what) return;
  e.preventDefault();
  e.stopPropagation();
  openPop(what[0], what[1], el.closest(".editable") || el);
}

/* ------------------------------------------------------------------ files */

function download(name, blob) {
  const a = h("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 5000);
}

function baseName() {
  const t = (ED.problem.title || "problem").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return t.slice(0, 40) || "problem";
}

function saveProblem() {
  const fmt = $id("ed-save-as").value;
  const text = writeProblem(ED.problem, fmt);
  const type = { json: "application/json", yaml: "text/yaml", toml: "application/toml" }[fmt];
  download(`${baseName()}.${fmt}`, new Blob([text], { type }));
  status(`Downloaded ${baseName()}.${fmt}.`);
}

async function openProblem(file) {
  const text = await file.text();
  let p;
  try {
    p = readProblem(text, file.name);
  } catch (err) {
    ED.errors = [{ field: "", message: `${file.name}: ${err.message}` }];
    showErrors();
    return;
  }
  commit(p, `Opened ${file.name}.`);
}

const SUFFIX = { markdown: "md", latex: "tex", typst: "typ", pdf: "pdf", python: "py", html: "html", json: "json" };

async function downloadOutput() {
  const fmt = $id("ed-format").value;
  status(`Writing ${fmt}…`);
  const r = await fetch(`/api/render?format=${encodeURIComponent(fmt)}`, { method: "POST",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify({ problem: ED.problem }) });
  if (!r.ok) {
    let msg = `the server answered ${r.status}`;
    try { const d = await r.json(); if (d.errors && d.errors[0]) msg = d.errors[0].message; } catch (err) { /* not JSON */ }
    status(`Could not write ${fmt}: ${msg}`);
    return;
  }
  const blob = await r.blob();
  download(`${baseName()}.${SUFFIX[fmt] || fmt}`, blob);
  status(`Downloaded ${baseName()}.${SUFFIX[fmt] || fmt}.`);
}

/* ------------------------------------------------------------------ the architecture form */

function bindArchitecture() {
  const C = ED.choices;
  const form = $id("ed-arch");
  const fill = (sel, list, value) => {
    sel.replaceChildren(...list.map(([v, t]) => h("option", { value: v, text: t })));
    sel.value = value;
  };
  const hiddenActs = C.activations.filter((a) => !a.output_only).map((a) => [a.name, a.name]);
  fill($id("arch-hidden-act"), hiddenActs, "sigmoid");
  fill($id("arch-out-act"), C.activations.map((a) => [a.name, a.name]), "sigmoid");
  fill($id("arch-loss"), C.losses.map((l) => [l.name, `${l.name} (${l.title})`]), C.losses[0].name);
  fill($id("arch-batch"), C.batch.map((b) => [b, b]), C.batch[0]);
  const toggle = (open) => {
    form.hidden = !open;
    $id("ed-new").setAttribute("aria-expanded", String(open));
    if (open) $id("arch-inputs").focus();
    else $id("ed-new").focus();
  };
  $id("ed-new").addEventListener("click", () => toggle(form.hidden));
  $id("arch-cancel").addEventListener("click", () => toggle(false));
  form.addEventListener("keydown", (e) => { if (e.key === "Escape") toggle(false); });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const hidden = $id("arch-hidden").value.split(/[\s,;-]+/).filter(Boolean).map(Number);
    if (hidden.some((n) => !Number.isInteger(n) || n < 1)) {
      status("Hidden layer sizes are whole numbers, such as 3, 2.");
      $id("arch-hidden").focus();
      return;
    }
    const p = fromArchitecture({ inputs: Math.max(1, Number($id("arch-inputs").value) || 1), hidden,
      outputs: Math.max(1, Number($id("arch-outputs").value) || 1), hiddenAct: $id("arch-hidden-act").value,
      outAct: $id("arch-out-act").value, loss: $id("arch-loss").value, bias: $id("arch-bias").value,
      eta: typed($id("arch-eta").value), batch: $id("arch-batch").value });
    form.hidden = true;
    $id("ed-new").setAttribute("aria-expanded", "false");
    commit(p, "A new network.");
  });
}

/* ------------------------------------------------------------------ start */

function startEditor() {
  const data = JSON.parse($id("handprop-editor").textContent);
  ED.choices = data.choices;
  ED.examples = data.examples;
  const sel = $id("ed-example");
  sel.replaceChildren(h("option", { value: "", text: "…" }),
    ...ED.examples.map((e, i) => h("option", { value: String(i), text: `${e.name}: ${e.title}` })));
  sel.addEventListener("change", () => {
    const e = ED.examples[Number(sel.value)];
    if (sel.value !== "" && e) commit(clone(e.problem), `Started from ${e.name}.`);
    sel.value = "";
  });
  bindArchitecture();
  $id("ed-undo").addEventListener("click", undo);
  $id("ed-redo").addEventListener("click", redo);
  $id("ed-save").addEventListener("click", saveProblem);
  $id("ed-download").addEventListener("click", downloadOutput);
  $id("ed-open").addEventListener("change", (e) => { if (e.target.files[0]) openProblem(e.target.files[0]); e.target.value = ""; });
  const pop = $id("ed-pop-form");
  pop.addEventListener("submit", (e) => {
    e.preventDefault();
    const at = ED.pop;
    const value = $id("ed-pop-input").value;
    closePop(true);
    if (at) setAt(at.path, typed(value), `${at.label} = ${value}`);
  });
  $id("ed-pop-cancel").addEventListener("click", () => closePop(true));
  pop.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); closePop(true); } });
  const net = $id("network");
  net.addEventListener("click", onDrawingActivate);
  net.addEventListener("keydown", onDrawingActivate, true);
  document.addEventListener("keydown", (e) => {
    const tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "z" || e.key === "Z")) {
      e.preventDefault();
      if (e.shiftKey) redo(); else undo();
    } else if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "y" || e.key === "Y")) {
      e.preventDefault();
      redo();
    }
  });
  document.addEventListener("pointerdown", (e) => {
    const p = $id("ed-pop");
    if (!p.hidden && !p.contains(e.target) && !e.target.closest("#network .editable")) closePop(false);
  });
  let pasted = 0;
  window.addEventListener("hashchange", async () => {      // an address typed or pasted: its problem
    const mine = ++pasted;
    const got = await problemFromHash();
    if (mine !== pasted || ED.problem === null) return;  // a later address came, or the first is still read
    if (got.error) status(`The problem of the address is left as it was: ${got.error}.`);
    const p = got.problem;
    if (p && JSON.stringify(p) !== JSON.stringify(ED.problem)) commit(p, "Opened the problem of the address.");
  });
  const side = document.querySelector(".player .side");
  if (side) side.prepend($id("solve"));        // the box beside the formula panel
  if (window.handprop.solve) window.handprop.solve.bind();
  return startProblem();
}

/** The problem of the address (decoded before the first solve: v2 is inflated asynchronously),
 * else the default one; its undo and redo from history.state when they were saved with it. */
async function startProblem() {
  const first = ED.examples.find((e) => e.name === "notes") || ED.examples[0];
  const got = await problemFromHash();
  ED.problem = got.problem || clone(first.problem);
  if (got.error) status(`The problem of the address could not be opened (${got.error}): ${first.name} is shown instead.`);
  else if (got.problem && restoreHistory(got.problem)) ED.rev++;
  return recompute();
}

window.handprop.editor = { state: ED, commit, undo, redo, setAt, addUnit, removeUnit, addLayer, removeLayer,
                           addSample, removeSample, fromArchitecture, hashPrefix, b64urlEncode, b64urlDecode,
                           deflateText, inflateText, pack: PACK };
startEditor();
