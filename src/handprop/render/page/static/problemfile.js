/* problemfile.js: a problem written as the files the CLI reads (JSON, YAML, TOML), and read back.
 *
 * Written simply: JSON by JSON.stringify; YAML as block mappings whose values are JSON flow
 * values (every string double-quoted, so no YAML 1.1 surprise such as `no` or `1e-3` can change
 * its type); TOML with the top-level keys first, then [weights], [biases], [[layers]] and
 * [[samples]], strings as basic strings.  tests/test_editor_browser.py has the CLI read each.
 *
 * Read: JSON; YAML of block mappings and sequences, flow [..] / {..} collections, plain, single-
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
  if (suffix === "json" || (!["yaml", "yml", "toml"].includes(suffix) && /^\s*\{/.test(text))) data = JSON.parse(text);
  else if (suffix === "toml") data = readToml(text);
  else data = readYaml(text);
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("expected a mapping of fields at the top");
  return data;
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
