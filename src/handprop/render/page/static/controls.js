/* controls.js: buttons, keys, scrubber, speed and the address.  Each only asks the player to
 * change the state (`act`); drawing happens in the player's one render function. */

function bindControls(model, act) {
  const $ = (id) => document.getElementById(id);
  const view = { first: $("btn-first"), prev: $("btn-prev"), play: $("btn-play"), next: $("btn-next"),
                 last: $("btn-last"), position: $("position"), speed: $("speed"), scrubber: $("scrubber"),
                 phasebar: $("phasebar"), announce: $("announce"), shown: -1 };
  const count = () => act.state().trace.steps.length;
  view.scrubber.max = String(count() - 1);
  view.first.addEventListener("click", () => act.goto(0));
  view.prev.addEventListener("click", () => act.goto(act.state().step - 1));
  view.next.addEventListener("click", () => act.goto(act.state().step + 1));
  view.last.addEventListener("click", () => act.goto(count() - 1));
  view.play.addEventListener("click", () => act.toggle());
  view.speed.addEventListener("change", () => act.set({ speed: Number(view.speed.value) || 1 }));
  view.scrubber.addEventListener("input", () => act.goto(Number(view.scrubber.value)));
  buildPhaseBar(view.phasebar, model, act);
  bindIdsToggle($("show-ids"));
  bindStateToggle($("show-state"), model, act);
  document.addEventListener("keydown", (e) => onKey(e, act, count()));
  window.addEventListener("hashchange", () => {
    const i = stepFromHash(location.hash, act.model ? act.model() : model);
    if (i !== null && i !== act.state().step) act.goto(i);
  });
  return view;
}

/** The controls for another model (a live editor's new solution): the scrubber's range and
 * the phase bar; the listeners stay. */
function rebindControls(view, model, act) {
  view.scrubber.max = String(model.trace.steps.length - 1);
  view.shown = -1;
  buildPhaseBar(view.phasebar, model, act);
  const box = document.getElementById("show-state");
  if (box && box.closest("label")) box.closest("label").hidden = !model.doc.state;
}

function onKey(e, act, n) {
  if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
  const tag = (e.target && e.target.tagName) || "";
  const box = tag === "INPUT" && e.target.type === "checkbox";
  if ((tag === "INPUT" && !box) || tag === "SELECT" || tag === "TEXTAREA" || (e.target && e.target.isContentEditable)) return;
  const activating = box || tag === "BUTTON" || tag === "SUMMARY" || tag === "A";
  const step = act.state().step;
  switch (e.key) {
    case "ArrowRight": act.goto(step + 1); break;
    case "ArrowLeft": act.goto(step - 1); break;
    case "Home": act.goto(0); break;
    case "End": act.goto(n - 1); break;
    case " ": case "Spacebar":
      if (activating) return;            // Space presses the focused button instead
      act.toggle();
      break;
    default: return;
  }
  e.preventDefault();
}

const SHORT_PHASE = { forward: "forward", loss: "loss", backward: "backward", update: "update" };

/** Runs of one phase (and sample) as proportional, clickable bands under the scrubber. */
function buildPhaseBar(el, model, act) {
  el.textContent = "";
  const steps = model.trace.steps;
  let start = 0;
  for (let i = 1; i <= steps.length; i++) {
    const a = steps[start];
    const b = steps[i];
    if (b && b.phase === a.phase && b.sample === a.sample) continue;
    const label = (PHASE_LABEL[a.phase] || a.phase) + (a.sample ? ` (sample ${a.sample})` : "");
    const first = start;
    el.append(h("button", { type: "button", class: `seg phase-${a.phase}`, style: `flex-grow:${i - start}`,
                            title: `${label}: steps ${start + 1}–${i}`, "aria-label": `${label}: go to step ${start + 1}`,
                            onclick: () => act.goto(first) },
      h("span", { text: (SHORT_PHASE[a.phase] || a.phase) + (a.sample ? ` ${a.sample}` : "") })));
    start = i;
  }
}

function updateControls(view, model, state) {
  const i = state.step;
  const n = model.trace.steps.length;
  const step = model.trace.steps[i];
  view.play.classList.toggle("playing", state.playing);
  view.play.setAttribute("aria-pressed", String(state.playing));
  view.play.setAttribute("aria-label", state.playing ? "Pause (Space)" : "Play (Space)");
  view.play.title = state.playing ? "Pause (Space)" : "Play (Space)";
  if (view.speed.value !== String(state.speed)) view.speed.value = String(state.speed);
  if (view.shown === i) return;
  view.shown = i;
  view.scrubber.value = String(i);
  view.scrubber.setAttribute("aria-valuetext", `Step ${i + 1} of ${n}: ${step.title}`);
  view.first.disabled = view.prev.disabled = i === 0;
  view.next.disabled = view.last.disabled = i === n - 1;
  setText(view.position, `Step ${i + 1} of ${n}`);
  setText(view.announce, `Step ${i + 1} of ${n}, ${PHASE_LABEL[step.phase] || step.phase}: ${step.title} = ${valueText(step)}`);
}

/** `#step=N` (1-based, as shown) or `#id=<step id>` -> step index, or null. */
function stepFromHash(hash, model) {
  const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  const id = params.get("id");
  if (id !== null && model.index.has(id)) return model.index.get(id);
  const n = Number(params.get("step"));
  if (params.has("step") && Number.isInteger(n) && n >= 1) return Math.min(n, model.trace.steps.length) - 1;
  return null;
}

function hashOf(step, prefix) {
  return "#" + (prefix || "") + "id=" + encodeURIComponent(step.id).replace(/%3A/gi, ":").replace(/%2F/gi, "/");
}

/** Keep the address on the current step: replaceState (no history entry per step), after the
 * step is drawn and at most every 150 ms (browsers throttle frequent history updates).  `prefix`
 * is text, or a function giving it, put before "id=" (the live editor's problem). */
const hashSync = { want: "", timer: 0, last: -1e9 };

function syncHash(step, prefix) {
  hashSync.step = step;
  hashSync.prefix = prefix;
  if (hashSync.timer) return;
  const wait = Math.max(0, hashSync.last + 150 - performance.now());
  hashSync.timer = setTimeout(() => {
    hashSync.timer = 0;
    hashSync.last = performance.now();
    // the prefix (a live editor's problem) as it is now, not as it was when the step was drawn
    const p = hashSync.prefix;
    hashSync.want = hashOf(hashSync.step, typeof p === "function" ? p() : p);
    if (location.hash === hashSync.want) return;
    try {
      history.replaceState(history.state, "", hashSync.want);
    } catch (err) {
      /* a sandboxed notebook frame may refuse; the player works without it */
    }
  }, wait);
}

/** "show the optimizer's state on the drawing": each updated parameter's label also gives its
 * state after the update (m, v, velocity); offered only where the trace has state. */
function bindStateToggle(box, model, act) {
  if (!box) return;
  const label = box.closest("label");
  if (label) label.hidden = !model.doc.state;
  box.checked = !!act.state().showState;
  box.addEventListener("change", () => act.set({ showState: box.checked }));
}

/** "show ids": the quantity ids beside the names (remembered on this computer). */
function bindIdsToggle(box) {
  if (!box) return;
  let on = false;
  try { on = localStorage.getItem("handprop.showIds") === "1"; } catch (err) { /* a sandboxed frame */ }
  const apply = () => {
    document.documentElement.classList.toggle("show-ids", box.checked);
    try { localStorage.setItem("handprop.showIds", box.checked ? "1" : "0"); } catch (err) { /* no storage */ }
  };
  box.checked = on;
  apply();
  box.addEventListener("change", apply);
}
