/* solve.js: "Solve it yourself".  The numbers of the steps are hidden (<html class="solving">);
 * each step has a box for the person's own value, graded as it is typed by the server's checker
 * (POST /api/check, every answer so far sent together, so an error carried from an earlier step
 * is judged as carried), with the diagnosis of a wrong value, the progress through the solution,
 * "reveal this step" and the attempt as a claims file.
 *
 *   SOLVE = {on, answers: {step id: text}, grades: {step id: claim}, revealed: Set, seq}
 *
 * Answers are kept per problem (by its JSON): a new problem starts a new attempt.
 */

const SOLVE = { on: false, answers: {}, grades: {}, revealed: new Set(), seq: 0, key: "", timer: 0 };
const VERDICT_TEXT = { correct: "correct", rounding: "right, rounded differently", carried: "carried: right from your earlier value",
                       wrong: "wrong", unknown: "not recognised" };

function solveBind() {
  const button = document.getElementById("ed-solve");
  button.addEventListener("click", () => solveToggle(!SOLVE.on));
  document.getElementById("solve-reveal").addEventListener("click", () => {
    const step = currentStep();
    if (!step) return;
    SOLVE.revealed.add(step.id);
    solveRefresh();
  });
  document.getElementById("solve-export").addEventListener("click", solveExport);
}

function solveToggle(on) {
  SOLVE.on = on;
  document.documentElement.classList.toggle("solving", on);
  const button = document.getElementById("ed-solve");
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? "Show the solution" : "Solve it yourself";
  document.getElementById("solve").hidden = !on;
  solveRefresh();
  if (on) {
    keepSolveInView();
    const box = document.querySelector("#solve-step input");
    if (box) box.focus({ preventScroll: true });
  }
}

function currentStep() {
  const p = window.handprop.player;
  return p ? p.model.trace.steps[p.state.step] : null;
}

/** Called after each render of the player (a step moved, a new solution). */
function solveRefresh() {
  const key = JSON.stringify(ED.good ? ED.good.problem : null);
  if (key !== SOLVE.key) {
    SOLVE.key = key;
    SOLVE.answers = {};
    SOLVE.grades = {};
    SOLVE.revealed = new Set();
  }
  if (!SOLVE.on) return;
  const step = currentStep();
  const box = document.getElementById("solve-step");
  document.documentElement.classList.toggle("revealed", !!step && SOLVE.revealed.has(step.id));
  if (!step) { box.replaceChildren(); return; }
  // the player announces each step with its value: solving, without it
  const p = window.handprop.player;
  setText(document.getElementById("announce"), `Step ${p.state.step + 1} of ${p.model.trace.steps.length}: ${step.title}` +
    (SOLVE.revealed.has(step.id) ? ` = ${valueText(step)}` : ". Type your value in the box."));
  if (box.getAttribute("data-step-id") !== step.id) {
    box.setAttribute("data-step-id", step.id);
    const symbolic = step.chain.latex.slice(0, Math.max(1, step.chain.numbers));
    const plain = step.chain.text.slice(0, Math.max(1, step.chain.numbers));
    const input = h("input", { type: "text", id: "solve-input", inputmode: "decimal", autocomplete: "off", spellcheck: "false",
      "data-step-id": step.id, "aria-describedby": "solve-verdict", value: SOLVE.answers[step.id] || "",
      oninput: (e) => solveAnswer(step.id, e.target.value),
      onkeydown: (e) => {
        if (e.key === "Enter" && window.handprop.player) { e.preventDefault(); window.handprop.player.act.goto(window.handprop.player.state.step + 1); solveFocus(); }
      } });
    box.replaceChildren(
      h("p", { class: "solve-title" }, h("span", { class: "step-no", text: `Step ${window.handprop.player.state.step + 1}` }), " ", step.title),
      h("div", { class: "solve-formula" }, texEl(symbolic.join(" = "), true, plain.join(" = "))),
      h("label", { for: "solve-input", class: "solve-label", text: `Your value of ${step.chain.text[0]}` }),
      input,
      h("div", { id: "solve-verdict", class: "solve-verdict", role: "status", "aria-live": "polite" }));
    keepSolveInView();
  }
  showVerdict(step);
  showProgress();
}

/** On a phone (the drawing sticky above the panel): the box just below the drawing. */
function keepSolveInView() {
  const stage = document.querySelector(".stage");
  if (!stage || getComputedStyle(stage).position !== "sticky") return;
  const top = stage.getBoundingClientRect().height + 6;
  const dy = document.getElementById("solve").getBoundingClientRect().top - top;
  if (Math.abs(dy) > 1) window.scrollBy(0, dy);
}

function solveFocus() {
  const input = document.getElementById("solve-input");
  if (input) input.focus();
}

function solveAnswer(id, text) {
  if (String(text).trim()) SOLVE.answers[id] = String(text).trim();
  else delete SOLVE.answers[id];
  delete SOLVE.grades[id];
  const step = currentStep();
  if (step) showVerdict(step, true);
  clearTimeout(SOLVE.timer);
  SOLVE.timer = setTimeout(solveGrade, 250);
}

/** The attempt as a claims file (the same lines `handprop check` reads). */
function claimsText() {
  const p = window.handprop.player;
  if (!p) return "";
  const lines = [];
  for (const step of p.model.trace.steps) {
    const v = SOLVE.answers[step.id];
    if (v !== undefined) lines.push(`${step.id} = ${v.replace(/\u2212/g, "-")}`);
  }
  return lines.join("\n") + (lines.length ? "\n" : "");
}

async function solveGrade() {
  const claims = claimsText();
  const seq = ++SOLVE.seq;
  if (!claims) { SOLVE.grades = {}; solveRefresh(); return; }
  let res;
  try {
    res = await api("/api/check", { problem: ED.good.problem, claims });
  } catch (err) {
    return;
  }
  if (seq !== SOLVE.seq) return;
  const grades = {};
  if (res.ok && res.data && Array.isArray(res.data.claims)) {
    for (const c of res.data.claims) if (c.id) grades[c.id] = c;
  } else {
    const message = (res.data && res.data.errors && res.data.errors[0] && res.data.errors[0].message) || `the server answered ${res.status}`;
    for (const id of Object.keys(SOLVE.answers)) grades[id] = { verdict: "unknown", diagnosis: message };
  }
  SOLVE.grades = grades;
  document.documentElement.setAttribute("data-graded", String(seq));
  solveRefresh();
}

function showVerdict(step, pending) {
  const el = document.getElementById("solve-verdict");
  if (!el) return;
  const g = SOLVE.grades[step.id];
  const answer = SOLVE.answers[step.id];
  const revealed = SOLVE.revealed.has(step.id);
  const parts = [];
  if (answer !== undefined && (pending || !g)) parts.push(h("span", { class: "muted", text: "checking…" }));
  else if (g) {
    parts.push(h("span", { class: `badge ${verdictClass(g.verdict)}`, "data-verdict": g.verdict, text: g.verdict }), " ",
      h("span", { class: "verdict-words", text: VERDICT_TEXT[g.verdict] || g.verdict }));
    if (g.diagnosis) parts.push(h("p", { class: "diagnosis", text: g.diagnosis }));
  }
  if (revealed) parts.push(h("p", { class: "revealed-value" }, "The value: ", h("strong", { text: valueText(step) })));
  el.replaceChildren(...parts);
  el.className = `solve-verdict ${g ? verdictClass(g.verdict) : ""}`;
}

function showProgress() {
  const p = window.handprop.player;
  if (!p) return;
  const n = p.model.trace.steps.length;
  const answered = Object.keys(SOLVE.answers).length;
  const count = { correct: 0, rounding: 0, carried: 0, wrong: 0 };
  for (const id of Object.keys(SOLVE.grades)) if (SOLVE.answers[id] !== undefined && count[SOLVE.grades[id].verdict] !== undefined) count[SOLVE.grades[id].verdict]++;
  const parts = [`${answered} of ${n} steps answered`];
  for (const v of ["correct", "rounding", "carried", "wrong"]) if (count[v]) parts.push(`${count[v]} ${v}`);
  if (SOLVE.revealed.size) parts.push(`${SOLVE.revealed.size} revealed`);
  setText(document.getElementById("solve-progress"), parts.join(" · "));
}

function solveExport() {
  const text = "# my attempt, from the handprop editor: handprop check this-file --problem the-problem-file\n" + claimsText();
  download(`${baseName()}-claims.txt`, new Blob([text], { type: "text/plain" }));
}

window.handprop.solve = { bind: solveBind, refresh: solveRefresh, toggle: solveToggle, state: SOLVE, claimsText };
