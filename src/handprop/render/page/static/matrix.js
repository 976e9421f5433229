/* matrix.js: the matrix view under the player (payload.doc.matrix, present when the view is
 * matrix: --view matrix, or a problem written in the matrix shorthand).  Each section of the
 * view as a titled block of display formulas, W·x + b, (Wᵀδ) ⊙ f′(net), δ xᵀ and the
 * updates as matrices with their numbers, typeset by KaTeX from the LaTeX the writers make
 * (the text writer's lines are the fallback and what a screen reader hears). */

function buildMatrixView(el, model) {
  const view = model.doc && model.doc.matrix;
  if (!view || !el) return null;
  const box = h("section", { class: "doc-section matrix-view", id: "matrix", "aria-labelledby": "matrix-title" },
    h("h2", { id: "matrix-title", text: "Matrix view" }),
    h("p", { class: "muted", text: "The worked solution layer by layer: rows are a layer's units, " +
                                   "columns the units (or inputs) of the layer before." }));
  for (const sec of view.sections) {
    const part = h("div", { class: "matrix-section", "data-key": sec.key },
      h("h3", { text: sec.title }));
    for (const eq of sec.equations) {
      const fig = h("figure", { class: "matrix-eq" }, texEl(matrixLatex(eq), true, eq.text, "matrix-formula"));
      fig.setAttribute("data-numbers", matrixNumbers(eq).join(" "));
      if (eq.note) fig.append(h("figcaption", { class: "muted", text: eq.note }));
      part.append(fig);
    }
    if (sec.note) part.append(h("p", { class: "muted", text: sec.note }));
    box.append(part);
  }
  if (view.note) box.append(h("p", { class: "muted", text: view.note }));
  const given = el.querySelector("#given");
  if (given && given.nextSibling) el.insertBefore(box, given.nextSibling); else el.append(box);
  return box;
}

/** An equation's LaTeX from its pieces: a matrix comes as rows of cells (the payload holds no
 * `&`, which would make the page's JSON be escaped whole), joined here into a bmatrix. */
function matrixLatex(eq) {
  const members = eq.latex.map((m) => m.map((p) => (typeof p === "string" ? p
    : `\\begin{bmatrix} ${p.map((row) => row.join(" & ")).join(" \\\\ ")} \\end{bmatrix}`)).join(" "));
  return members.length === 1 ? members[0] : alignedLatex(members[0], members.slice(1));
}

/** The ids of the numbers an equation shows, in order (for tests and links). */
function matrixNumbers(eq) {
  const ids = [];
  for (const member of eq.members) {
    for (const item of member) {
      if (item.type === "matrix") for (const row of item.ids) for (const id of row) { if (id) ids.push(id); }
      else if (item.type === "number" && item.id) ids.push(item.id);
    }
  }
  return ids;
}
