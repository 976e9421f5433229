/* layout.js: where every part of the network drawing goes, from the problem alone (pure).
 *
 * Columns: the inputs, then each layer; the targets and the error beside the outputs.
 * A column of more than MAX_ROWS units is collapsed: its first KEEP_HEAD and last
 * KEEP_TAIL units are drawn, the others stand behind one "⋮ n more" node, and the
 * edges to or from them are bundled into one line per drawn unit at the other end.
 */
const MAX_ROWS = 20;
const KEEP_HEAD = 8;
const KEEP_TAIL = 2;

function rowsOf(units) {
  return units.length > MAX_ROWS ? KEEP_HEAD + 1 + KEEP_TAIL : units.length;
}

/** Geometry of `problem` for a drawing about `width` px wide. */
function layoutNetwork(problem, width) {
  const columns = [problem.inputs].concat(problem.layers.map((l) => l.units));
  const narrow = width < 560;
  const maxRows = Math.max(...columns.map(rowsOf));
  const compact = maxRows > 5;
  const R = compact ? 13 : narrow ? 20 : 24;
  const rowGap = compact ? 42 : R * 2 + 62;
  const biasY = compact ? 22 : 30;
  const top = biasY + (compact ? 48 : 76);
  const left = compact ? 44 : narrow ? 34 : 54;
  const targetW = narrow ? (compact ? 72 : 94) : 104;
  const want = (width - left - R - targetW) / Math.max(columns.length - 1, 1);
  const colGap = Math.max(narrow ? (compact ? 80 : 96) : compact ? 150 : 170, Math.min(want, compact ? 230 : 260));
  const height = top + (maxRows - 1) * rowGap + (compact ? 30 : R + 62);
  const outX = left + colGap * (columns.length - 1);
  const out = {
    width: Math.round(outX + R + targetW), height: Math.round(height), R, rowGap, compact, narrow,
    colGap, biasY, columns: [], nodes: new Map(), groups: [], groupOf: new Map(), edges: [],
    bundles: new Map(), bundleOf: new Map(), biases: [], hubs: [], pairs: [],
    targetX: outX + R + 14, lossY: biasY,
  };
  columns.forEach((units, c) => {
    const x = left + colGap * c;
    const rows = rowsOf(units);
    const y0 = top + ((maxRows - rows) * rowGap) / 2;
    const kind = c === 0 ? "input" : c === columns.length - 1 ? "output" : "hidden";
    const col = { x, kind, units, drawn: [], group: null };
    const place = (name, row, index) => {
      const node = { name, x, y: y0 + row * rowGap, r: R, column: c, kind, index, row };
      out.nodes.set(name, node);
      col.drawn.push(node);
    };
    if (units.length > MAX_ROWS) {
      units.slice(0, KEEP_HEAD).forEach((u, i) => place(u, i, i));
      const members = units.slice(KEEP_HEAD, units.length - KEEP_TAIL);
      const group = { id: `${c}`, column: c, x, y: y0 + KEEP_HEAD * rowGap, r: R, members,
                      row: KEEP_HEAD, first: members[0], last: members[members.length - 1] };
      out.groups.push(group);
      col.group = group;
      members.forEach((u) => out.groupOf.set(u, group));
      units.slice(-KEEP_TAIL).forEach((u, i) => place(u, KEEP_HEAD + 1 + i, units.length - KEEP_TAIL + i));
    } else {
      units.forEach((u, i) => place(u, i, i));
    }
    out.columns.push(col);
    if (c > 0) out.pairs.push({ count: 0, drawn: 0, dense: false });
  });
  layoutEdges(problem, out);
  layoutBiases(problem, out);
  return out;
}

function endpoint(out, name) {
  const node = out.nodes.get(name);
  if (node) return { key: name, x: node.x, y: node.y, row: node.row, column: node.column, r: node.r };
  const g = out.groupOf.get(name);
  return { key: `…${g.id}`, x: g.x, y: g.y, row: g.row, column: g.column, r: g.r, group: g };
}

function layoutEdges(problem, out) {
  for (const name of Object.keys(problem.weights)) {
    const [src, dst] = problem.weights[name];
    const a = endpoint(out, src);
    const b = endpoint(out, dst);
    const pair = out.pairs[b.column - 1];
    pair.count++;
    if (!a.group && !b.group) {
      const rows = rowsOf(out.columns[a.column].units);
      const t = rows > 1 ? 0.28 + (0.44 * a.row) / (rows - 1) : 0.5;
      const edge = { name, src, dst, x1: a.x, y1: a.y, x2: b.x, y2: b.y, t,
                     lx: a.x + (b.x - a.x) * t, ly: a.y + (b.y - a.y) * t, pair: b.column - 1,
                     mx: (a.x + b.x) / 2, my: (a.y + b.y) / 2 };
      out.edges.push(edge);
      pair.drawn++;
    } else {
      const key = `${a.key}>${b.key}`;
      let bundle = out.bundles.get(key);
      if (!bundle) {
        bundle = { key, x1: a.x, y1: a.y, x2: b.x, y2: b.y, count: 0, pair: b.column - 1 };
        out.bundles.set(key, bundle);
      }
      bundle.count++;
      out.bundleOf.set(name, bundle);
    }
  }
  for (const pair of out.pairs) pair.dense = pair.drawn > 4;   // label only the active
}

function layoutBiases(problem, out) {
  const byLayer = new Map();
  for (const name of Object.keys(problem.biases)) {
    const units = problem.biases[name][0];
    const drawn = units.filter((u) => out.nodes.has(u));
    const c = (out.nodes.get(units[0]) || out.groupOf.get(units[0])).column;
    if (!byLayer.has(c)) byLayer.set(c, []);
    byLayer.get(c).push({ name, units, drawn, column: c });
  }
  for (const [c, all] of byLayer) {
    // one bias per unit: one bias node for the layer (the constant input 1) with an edge to
    // each unit, labelled like a weight: a bias is the weight of an input that is always 1
    if (all.length > 1 && all.every((b) => b.units.length === 1)) {
      layoutBiasHub(out, c, all.filter((b) => b.drawn.length > 0));
      continue;
    }
    const list = all.length > MAX_ROWS ? all.filter((b) => b.drawn.length > 0) : all;
    const x0 = out.columns[c - 1].x;
    const k = list.length;
    const span = out.colGap * (k > 1 ? 0.7 : 0);
    list.forEach((b, i) => {
      b.x = x0 + out.colGap * (k > 1 ? 0.15 : 0.5) + (k > 1 ? (span * i) / (k - 1) : 0);
      b.y = out.biasY;
      b.r = out.compact || k > 4 || (out.narrow && k > 1) ? 7 : 10;
      b.dense = k > 4 || (out.narrow && k > 1);
      b.short = k > 1 && (out.colGap * 0.7) / (k - 1) < 84;   // name only, value in the tooltip
      out.biases.push(b);
    });
  }
}

/** Per-unit biases of column c: a hub (the input 1) at the top, near the column before, and
 * one edge from it to each drawn unit, named by the unit's bias. */
function layoutBiasHub(out, c, list) {
  const x0 = out.columns[c - 1].x;
  const r = out.compact ? 8 : 11;
  const hub = { column: c, x: x0 + Math.max(out.colGap * 0.2, out.R + r + 10), y: out.biasY, r, edges: [] };
  const dense = list.length > 4;
  for (const b of list) {
    const n = out.nodes.get(b.drawn[0]);
    const t = 0.62;
    b.hub = hub;
    b.dense = dense;
    b.edge = { name: b.name, unit: n.name, x1: hub.x, y1: hub.y, x2: n.x, y2: n.y, t,
               lx: hub.x + (n.x - hub.x) * t, ly: hub.y + (n.y - hub.y) * t,
               mx: (hub.x + n.x) / 2, my: (hub.y + n.y) / 2 };
    hub.edges.push(b.edge);
    out.biases.push(b);
  }
  out.hubs.push(hub);
}
