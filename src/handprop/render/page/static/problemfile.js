/* problemfile.js: a problem written as the files the CLI reads (JSON, YAML, TOML), and read back.
 *
 * Written simply: JSON by JSON.stringify; YAML as block mappings whose values are JSON flow
 * values (every string double-quoted, so no YAML 1.1 surprise such as `no` or `1e-3` can change
 * its type); TOML with the top-level keys first, then [weights], [biases], [[layers]] and
 * [[samples]], strings as basic strings.  tests/test_editor_browser.py has the CLI read each.
 *
 * Read: JSON (a key given twice in one object refused, as the CLI refuses it: JSON.parse would
 * keep the last silently); YAML of block mappings and sequences, flow [..] / {..} collections, plain, single-
 * and double-quoted scalars and comments (what problem files are written in; anchors, tags and
 * multi-line scalars are refused with a message); TOML of key = value, [table], [[array]],
 * inline arrays and tables, strings, numbers and booleans.
 */

function writeProblem(p, fmt) {
  if (fmt === "json") return JSON.stringify(p, null, 2) + "\n";
  if (fmt === "yaml") return writeYaml(p);
  if (fmt === "toml") return writeToml(p);
  throw new Error(`unknown problem format ${fmt}`);
}

/** A string in double quotes, as JSON writes it and with every character that YAML or TOML
 * readers refuse raw (DEL, C1 controls, line and paragraph separators, non-characters, lone
 * surrogates) escaped as \uXXXX, which both read. */
function quoted(text) {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A JSON value on one line, with ", " and ": " between items (also a YAML flow value). */
function flow(v) {
  if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).map((k) => `${quoted(k)}: ${flow(v[k])}`).join(", ")}}`;
  return typeof v === "string" ? quoted(v) : JSON.stringify(v);
}

function writeYaml(p) {
  const lines = [];
  for (const key of Object.keys(p)) {
    const v = p[key];
    if (Array.isArray(v) && v.length && typeof v[0] === "object") {
      lines.push(`${key}:`);
      for (const item of v) lines.push(`  - ${flow(item)}`);
    } else if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length) {
      lines.push(`${key}:`);
      for (const k of Object.keys(v)) lines.push(`  ${quoted(k)}: ${flow(v[k])}`);
    } else {
      lines.push(`${key}: ${flow(v)}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** A TOML key: bare when it may be, else a basic string. */
function tomlKey(k) { return /^[A-Za-z0-9_-]+$/.test(k) ? k : quoted(k); }

function tomlValue(v) {
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(", ")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).map((k) => `${tomlKey(k)} = ${tomlValue(v[k])}`).join(", ")}}`;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error("TOML holds finite numbers only");
    return String(v).replace(/^(-?\d+)e/, "$1.0e");
  }
  return typeof v === "string" ? quoted(v) : JSON.stringify(v);
}

function writeToml(p) {
  const head = [];
  const tables = [];
  for (const key of Object.keys(p)) {
    const v = p[key];
    if (Array.isArray(v) && v.length && v.every((x) => x && typeof x === "object" && !Array.isArray(x))) {
      for (const item of v) {
        tables.push("", `[[${tomlKey(key)}]]`);
        for (const k of Object.keys(item)) tables.push(`${tomlKey(k)} = ${tomlValue(item[k])}`);
      }
    } else if (v && typeof v === "object" && !Array.isArray(v)) {
      tables.push("", `[${tomlKey(key)}]`);
      for (const k of Object.keys(v)) tables.push(`${tomlKey(k)} = ${tomlValue(v[k])}`);
    } else if (v !== null && v !== undefined) {
      head.push(`${tomlKey(key)} = ${tomlValue(v)}`);
    }
  }
  return head.concat(tables).join("\n") + "\n";
}

/** The problem in `text` (the format from the file's name, else guessed). */
function readProblem(text, name) {
  const suffix = String(name || "").toLowerCase().replace(/^.*\./, "");
  let data;
  if (suffix === "json" || (!["yaml", "yml", "toml"].includes(suffix) && /^\s*\{/.test(text))) data = readProblemJson(text);
  else if (suffix === "toml") data = readToml(text);
  else data = readYaml(text);
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("expected a mapping of fields at the top");
  return data;
}

/* ---------------------------------------------------------------- JSON, keys given twice */

/** JSON text read as the CLI reads it (src/handprop/problem/reading.py): JSON.parse, then a key
 * given twice in one object refused with the CLI's own words ("weights.w1: the key 'w1' is given
 * twice; keep one ..."). */
function readProblemJson(text) {
  const data = JSON.parse(text);           // a syntax error first, as the CLI reports it
  const twice = repeatedJsonKey(text);
  if (twice) {
    throw new Error(cliOneLine(`${cliFieldPath(twice.path)}: the key ${pyRepr(twice.key)} is given twice; `
      + "keep one (the file reader would silently use the last)"));
  }
  return data;
}

/** The key given twice that the CLI reports in valid JSON `text`, as {path, key} (path: the keys
 * and indices down to it, the key last), or null.  The CLI walks the read document from the top,
 * depth first in order, and names the first object holding a repeated key, at the key repeated
 * first in it: that is the object opened first in the text, whichever is found first here (an
 * object found later is an ancestor).  One pass over the text; strings are skipped by indexOf,
 * and a key is decoded (JSON.parse of its literal) only when it holds an escape, so "a" and
 * "\u0061" are one key. */
function repeatedJsonKey(text) {
  const stack = [];           // the open containers: {keys: Set (an object) or null (an array), at, start}
  let best = null;
  let wantKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {                                          // "
      let j = i + 1;
      for (;;) {
        j = text.indexOf('"', j);
        if (j < 0) return best;                              // not valid JSON: JSON.parse said so
        let back = 0;
        while (text.charCodeAt(j - 1 - back) === 92) back++;
        if (back % 2 === 0) break;
        j++;
      }
      if (wantKey) {
        const raw = text.slice(i + 1, j);
        const key = raw.includes("\\") ? JSON.parse(`"${raw}"`) : raw;
        const top = stack[stack.length - 1];
        if (top.keys.has(key)) {
          if (!top.twice && (!best || top.start < best.start)) {
            best = { start: top.start, path: stack.slice(0, -1).map((f) => f.at).concat([key]), key };
          }
          top.twice = true;
        }
        top.keys.add(key);
        top.at = key;
        wantKey = false;
      }
      i = j;
    } else if (c === 123) {                                  // {
      stack.push({ keys: new Set(), at: null, start: i, twice: false });
      wantKey = true;
    } else if (c === 91) {                                   // [
      stack.push({ keys: null, at: 0, start: i });
      wantKey = false;
    } else if (c === 125 || c === 93) {                      // } ]
      stack.pop();
      wantKey = false;
    } else if (c === 44) {                                   // ,
      const top = stack[stack.length - 1];
      if (top && top.keys) wantKey = true;
      else if (top) top.at++;
    }
  }
  return best;
}

/** A field path as the CLI writes it (reading.field_path): `samples[0].inputs`, `weights.w5`;
 * a long key cut to 24 characters and "…", an empty or blank one shown as ['']. */
function cliFieldPath(loc) {
  const parts = [];
  let previous = null;
  for (const part of loc) {
    if (typeof part === "number") parts.push(`[${part}]`);
    else if (part === "[key]") {
      if (parts.length && typeof previous !== "string") parts.pop();
    } else if (part.startsWith("[") && part.endsWith("]")) continue;
    else if (part.includes("function-")) continue;
    else if (!part.replace(PY_SPACE, "").length) parts.push(`[${pyRepr(part)}]`);
    else {
      const chars = Array.from(part);
      parts.push((parts.length ? "." : "") + (chars.length > 32 ? chars.slice(0, 24).join("") + "…" : part));
    }
    previous = part;
  }
  return parts.join("");
}

/** What Python's str.isspace() calls white space (str.strip() takes it off). */
const PY_SPACE = /[\t\n\v\f\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g;

/** What Python's str.isprintable() calls not printable: other (C*) and separator (Z*)
 * characters but the space. */
const PY_NOT_PRINTABLE = /(?! )[\p{C}\p{Z}]/u;

/** `text` as Python's repr() writes a string: in single quotes (double when it holds a single
 * quote and no double), with \\, \n, \xNN, \uNNNN escapes. */
function pyRepr(text) {
  const q = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of text) {
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (PY_NOT_PRINTABLE.test(ch)) out += pyEscape(ch.codePointAt(0));
    else out += ch;
  }
  return out + q;
}

function pyEscape(cp) {
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}

/** An error message on one line as the CLI prints it (visible.one_line): a tab a space, every
 * other hidden character (a control, a format character but the joiners, a line or paragraph
 * separator, a lone surrogate) escaped as Python writes it. */
function cliOneLine(text) {
  let out = "";
  for (const ch of text.replace(/\r\n/g, "\n")) {
    if (ch === "\t") out += " ";
    else if (PY_NOT_PRINTABLE.test(ch) && !/\p{Zs}/u.test(ch) && ch !== "\u200c" && ch !== "\u200d") {
      out += ch === "\n" ? "\\n" : ch === "\r" ? "\\r" : pyEscape(ch.codePointAt(0));
    } else out += ch;
  }
  return out;
}

/* ---------------------------------------------------------------- a scanner for flow values */

class FlowReader {
  constructor(text, line, yaml) { this.t = text; this.i = 0; this.line = line; this.yaml = yaml; }
  fail(msg) { throw new Error(`line ${this.line}: ${msg}`); }
  ws() { while (this.i < this.t.length && /[ \t]/.test(this.t[this.i])) this.i++; }
  rest() { this.ws(); const r = this.t.slice(this.i); return r.startsWith("#") ? "" : r; }
  value(stop) {
    this.ws();
    const c = this.t[this.i];
    if (c === "[") return this.list();
    if (c === "{") return this.map();
    if (c === '"') return this.dq();
    if (c === "'") return this.sq();
    return this.plain(stop);
  }
  list() {
    this.i++;
    const out = [];
    for (;;) {
      this.ws();
      if (this.t[this.i] === "]") { this.i++; return out; }
      out.push(this.value(",]"));
      this.ws();
      if (this.t[this.i] === ",") { this.i++; continue; }
      if (this.t[this.i] === "]") { this.i++; return out; }
      this.fail("expected , or ]");
    }
  }
  map() {
    this.i++;
    const out = {};
    for (;;) {
      this.ws();
      if (this.t[this.i] === "}") { this.i++; return out; }
      const key = this.yaml ? this.value(":,}") : this.tomlKey();
      this.ws();
      const sep = this.yaml ? ":" : "=";
      if (this.t[this.i] !== sep) this.fail(`expected ${sep}`);
      this.i++;
      out[String(key)] = this.value(",}");
      this.ws();
      if (this.t[this.i] === ",") { this.i++; continue; }
      if (this.t[this.i] === "}") { this.i++; return out; }
      this.fail("expected , or }");
    }
  }
  tomlKey() {
    this.ws();
    if (this.t[this.i] === '"') return this.dq();
    if (this.t[this.i] === "'") return this.sq();
    const m = /^[A-Za-z0-9_-]+/.exec(this.t.slice(this.i));
    if (!m) this.fail("expected a key");
    this.i += m[0].length;
    return m[0];
  }
  dq() {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(this.t.slice(this.i));
    if (!m) this.fail("unterminated string");
    this.i += m[0].length;
    return JSON.parse(`"${m[1].replace(/\\U([0-9a-fA-F]{8})/g, (_, x) => String.fromCodePoint(parseInt(x, 16)))
      .replace(/[\u0000-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`);
  }
  sq() {
    const m = this.yaml ? /^'((?:[^']|'')*)'/.exec(this.t.slice(this.i)) : /^'([^']*)'/.exec(this.t.slice(this.i));
    if (!m) this.fail("unterminated string");
    this.i += m[0].length;
    return this.yaml ? m[1].replace(/''/g, "'") : m[1];
  }
  plain(stop) {
    const start = this.i;
    while (this.i < this.t.length) {
      const c = this.t[this.i];
      if (stop.includes(c) && (c !== ":" || /[\s,}\]]/.test(this.t[this.i + 1] || " "))) break;
      if (c === "#" && /\s/.test(this.t[this.i - 1] || " ")) break;
      this.i++;
    }
    const word = this.t.slice(start, this.i).trim();
    if (!word) this.fail("expected a value");
    return this.yaml ? yamlScalar(word, this) : tomlScalar(word, this);
  }
}

function yamlScalar(word, r) {
  if (/^(null|Null|NULL|~)$/.test(word)) return null;
  if (/^(true|True|TRUE)$/.test(word)) return true;
  if (/^(false|False|FALSE)$/.test(word)) return false;
  if (/^[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(word)) return Number(word.replace(/_/g, ""));
  if (/^[&*!|>]/.test(word)) r.fail(`${word[0]} (anchors, tags, block scalars) is not read here: write the value out`);
  return word;
}

function tomlScalar(word, r) {
  if (word === "true") return true;
  if (word === "false") return false;
  const w = word.replace(/_/g, "");
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(w)) return Number(w);
  if (/^[-+]?(inf|nan)$/.test(w)) return Number(w.replace("inf", "Infinity").replace("nan", "NaN"));
  return r.fail(`cannot read ${word}`);
}

/* ---------------------------------------------------------------- YAML (block structure) */

function readYaml(text) {
  const lines = [];
  text.replace(/\r\n?/g, "\n").split("\n").forEach((raw, n) => {
    if (/^\s*(#.*)?$/.test(raw) || /^(---|\.\.\.)\s*$/.test(raw)) return;
    if (/^\t/.test(raw)) throw new Error(`line ${n + 1}: a tab indents it (YAML indents with spaces)`);
    lines.push({ indent: raw.length - raw.trimStart().length, text: raw.trimStart(), n: n + 1 });
  });
  let at = 0;
  const node = (indent) => {
    const first = lines[at];
    if (first.text.startsWith("- ") || first.text === "-") return seq(first.indent);
    return map(first.indent);
  };
  const inline = (body, line, childIndent) => {
    const r = new FlowReader(body, line.n, true);
    if (r.rest() === "") {
      if (at < lines.length && lines[at].indent > line.indent) return node(lines[at].indent);
      if (at < lines.length && lines[at].indent === childIndent && lines[at].text.startsWith("- ")) return seq(childIndent);
      return null;
    }
    const v = r.value("#");
    if (r.rest() !== "") r.fail(`unexpected ${r.rest()}`);
    return v;
  };
  const map = (indent) => {
    const out = {};
    while (at < lines.length && lines[at].indent === indent && !lines[at].text.startsWith("- ")) {
      const line = lines[at++];
      const r = new FlowReader(line.text, line.n, true);
      const key = r.value(":");
      r.ws();
      if (r.t[r.i] !== ":") r.fail("expected key: value");
      r.i++;
      if (Object.prototype.hasOwnProperty.call(out, String(key))) r.fail(`${key} is given twice`);
      out[String(key)] = inline(r.t.slice(r.i), line, indent);
    }
    return out;
  };
  const seq = (indent) => {
    const out = [];
    while (at < lines.length && lines[at].indent === indent && (lines[at].text.startsWith("- ") || lines[at].text === "-")) {
      const line = lines[at];
      const body = line.text.slice(1).trimStart();
      const inner = indent + (line.text.length - body.length);
      if (body && /^[^"'[{][^:#]*:(\s|$)|^"[^"]*"\s*:(\s|$)/.test(body)) {
        lines[at] = { indent: inner, text: body, n: line.n };   // "- key: value" opens a mapping
        out.push(map(inner));
      } else {
        at++;
        out.push(inline(body, line, indent + 2));
      }
    }
    return out;
  };
  if (!lines.length) return null;
  const doc = node(lines[0].indent);
  if (at < lines.length) throw new Error(`line ${lines[at].n}: not indented as the lines before it`);
  return doc;
}

/* ---------------------------------------------------------------- TOML */

function readToml(text) {
  const root = {};
  let table = root;
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const path = (r) => {
    const keys = [r.tomlKey()];
    for (r.ws(); r.t[r.i] === "."; r.ws()) { r.i++; keys.push(r.tomlKey()); }
    return keys;
  };
  const descend = (keys, r) => {
    let o = root;
    for (const k of keys) {
      if (!(k in o)) o[k] = {};
      o = o[k];
      if (Array.isArray(o)) o = o[o.length - 1];
      if (typeof o !== "object" || o === null) r.fail(`${k} is not a table`);
    }
    return o;
  };
  for (let n = 0; n < lines.length; n++) {
    let body = lines[n];
    if (/^\s*(#.*)?$/.test(body)) continue;
    // a value may go on over lines while its brackets are open
    const open = (t) => (t.match(/[[{]/g) || []).length - (t.match(/[\]}]/g) || []).length;
    const head = /^\s*\[/.test(body);
    while (!head && open(body.replace(/"(?:[^"\\]|\\.)*"|'[^']*'|#.*$/g, "")) > 0 && n + 1 < lines.length) body += "\n" + lines[++n];
    const r = new FlowReader(body.replace(/\n\s*#[^\n]*/g, " ").replace(/\n/g, " "), n + 1, false);
    r.ws();
    if (r.t.startsWith("[[", r.i)) {
      r.i += 2;
      const keys = path(r);
      r.ws();
      if (!r.t.startsWith("]]", r.i)) r.fail("expected ]]");
      r.i += 2;
      const parent = descend(keys.slice(0, -1), r);
      const last = keys[keys.length - 1];
      if (!(last in parent)) parent[last] = [];
      if (!Array.isArray(parent[last])) r.fail(`${last} is not an array of tables`);
      table = {};
      parent[last].push(table);
    } else if (r.t[r.i] === "[") {
      r.i++;
      const keys = path(r);
      r.ws();
      if (r.t[r.i] !== "]") r.fail("expected ]");
      r.i++;
      table = descend(keys, r);
    } else {
      const keys = path(r);
      r.ws();
      if (r.t[r.i] !== "=") r.fail("expected key = value");
      r.i++;
      const v = r.value("#");
      const into = keys.length > 1 ? (() => {
        let o = table;
        for (const k of keys.slice(0, -1)) { if (!(k in o)) o[k] = {}; o = o[k]; }
        return o;
      })() : table;
      const last = keys[keys.length - 1];
      if (Object.prototype.hasOwnProperty.call(into, last)) r.fail(`${last} is given twice`);
      into[last] = v;
    }
    if (r.rest() !== "") r.fail(`unexpected ${r.rest()}`);
  }
  return root;
}
