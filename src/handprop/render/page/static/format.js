/* format.js: numbers as the trace writes them, and safe DOM building.
 *
 * Every string that comes from the problem or the trace (unit and weight names,
 * titles, notes, claims) reaches the page through text nodes or attributes,
 * never as markup.  KaTeX's output (which escapes \text{...}) is the only HTML
 * inserted as a string (see tex()).
 */

/** `value` to `digits` significant figures, trailing zeros dropped: mirrors expr.fmt_number. */
function fmtNumber(value, digits) {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return "0";
  const mag = Math.abs(value);
  if (mag >= 1e-4 && mag < 1e7) {          // Python's 'g': fixed while -4 <= exponent < digits
    const exponent = Number(value.toExponential(digits - 1).split("e")[1]);
    if (exponent >= -4 && exponent < digits) return stripZeros(value.toFixed(digits - 1 - exponent));
  }
  if (mag >= 1e-6 && mag < 1e7) {
    const exponent = Math.floor(Math.log10(mag));
    const text = stripZeros(value.toFixed(Math.max(digits - 1 - exponent, 0)));
    return text === "-0" || text === "" ? "0" : text;
  }
  const [mantissa, exp] = value.toExponential(Math.max(digits - 1, 0)).split("e");
  const e = Number(exp);
  return `${stripZeros(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

function stripZeros(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** As fmtNumber, with a true minus sign for negatives (as the trace's plain text writes them). */
function textNumber(value, digits) {
  const text = fmtNumber(value, digits);
  return value < 0 ? text.replace("-", "\u2212") : text;
}

/** A step's value as its chain writes it: the chain's last member (plain text). */
function valueText(item) {
  const text = item.chain.text;
  return text[text.length - 1];
}

/** An HTML element: attrs set with setAttribute (`text` sets textContent), children appended. */
function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

const SVGNS = "http://www.w3.org/2000/svg";

/** An SVG element, as h(). */
function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVGNS, tag), attrs, children);
}

function build(el, attrs, children) {
  if (attrs) {
    for (const key of Object.keys(attrs)) {
      const value = attrs[key];
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Set `el`'s text only when it changed (keeps per-step rendering cheap). */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Toggle a class only when needed. */
function setClass(el, name, on) {
  if (el.classList.contains(name) !== on) el.classList.toggle(name, on);
}

const texCache = new Map();

/** KaTeX's HTML for `latex` (cached).  KaTeX escapes every \text{} it prints. */
function tex(latex, display) {
  const key = (display ? "D" : "I") + latex;
  let out = texCache.get(key);
  if (out === undefined) {
    try {
      out = katex.renderToString(latex, { displayMode: !!display, throwOnError: false,
                                          strict: "ignore", output: "html" });
    } catch (err) {
      out = null;
    }
    if (texCache.size > 4000) texCache.clear();
    texCache.set(key, out);
  }
  return out;
}

/** A <span> holding the typeset `latex`, or its plain `fallback` text when KaTeX fails.
 * Screen readers get the plain text (aria-label): KaTeX writes HTML only, no MathML, which
 * halves what the browser lays out at every step. */
function texEl(latex, display, fallback, cls) {
  const el = h(display ? "div" : "span", { class: (cls || "") + (display ? " math display" : " math") });
  const out = tex(latex, display);
  if (out === null) {
    el.textContent = fallback || latex;
  } else {
    el.innerHTML = out;                 // KaTeX output only
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", fallback || latex);
  }
  return el;
}

/** Worked lines as one aligned block: lhs = r1 \\ = r2 \\ ... (a person's column of '='). */
function alignedLatex(lhs, rights) {
  const rows = rights.map((r, i) => (i === 0 ? `${lhs} &= ${r}` : `&= ${r}`));
  return `\\begin{aligned}${rows.join(" \\\\ ")}\\end{aligned}`;
}

/** Phase names for people. */
const PHASE_LABEL = { forward: "Forward pass", loss: "Loss", backward: "Backward pass",
                      update: "Update" };
