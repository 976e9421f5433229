"""The networks the drawing is held to at every width (tests/test_drawing_browser.py, the
screenshots): 2-2-2 (`notes`), 2-3-2 with one bias per unit and a softmax output, 3-4-4-2,
4-8-8-3, and 784-16-16-10 (its input column collapsed; seeded random weights).

``OVERLAPS`` is the measure, run in the page: every drawn text's box
(getBoundingClientRect) against every other's and against every node's circle.
"""
from __future__ import annotations

import random
from pathlib import Path

from handprop.problem import load, parse

HERE = Path(__file__).parent / "problems" / "page"


def mnist_like() -> dict:
    """784-16-16-10: sigmoid, sigmoid, softmax + cross-entropy, one bias per unit."""
    rng = random.Random(784)
    sizes = [784, 16, 16, 10]
    acts = ["sigmoid", "sigmoid", "softmax"]
    layers = []
    for i in range(1, len(sizes)):
        W = [[round(rng.uniform(-0.1, 0.1), 3) for _ in range(sizes[i - 1])] for _ in range(sizes[i])]
        b = [round(rng.uniform(-0.1, 0.1), 3) for _ in range(sizes[i])]
        layers.append({"size": sizes[i], "activation": acts[i - 1], "W": W, "b": b})
    targets = [0] * 10
    targets[3] = 1
    return {"title": "784-16-16-10 (an MNIST-sized network)", "inputs": 784, "layers": layers,
            "samples": [{"inputs": [round(rng.random(), 2) for _ in range(784)], "targets": targets}],
            "loss": "cross_entropy", "learning_rate": 0.1, "update_biases": True}


CATALOGUE = {
    "notes": lambda: load("notes"),
    "softmax_232_per_unit": lambda: load(str(HERE / "softmax_232_per_unit.yaml")),
    "net_3442": lambda: load(str(HERE / "net_3442.yaml")),
    "net_4883": lambda: load(str(HERE / "net_4883.yaml")),
    "net_784": lambda: parse(mnist_like(), source="net_784"),
}

# Every drawn text against every other and against every circle (a unit's own name sits in
# its own circle by design).  Boxes are CSS pixels; `tol` forgives sub-pixel contact.
OVERLAPS = """(tol) => {
  const svg = document.querySelector('#network svg.net');
  const frame = svg.getBoundingClientRect();
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width < 0.5 || r.height < 0.5 || !el.textContent.trim()) return null;
    return r;
  };
  const name = (el) => {
    const g = el.closest('[data-node],[data-edge],[data-collapsed],.bias-hub');
    const who = g ? (g.getAttribute('data-node') || g.getAttribute('data-edge') || g.getAttribute('data-collapsed') || 'hub') : '';
    return `${el.getAttribute('class') || 'text'}${who ? '@' + who : ''} "${el.textContent.trim()}"`;
  };
  const texts = [];
  for (const el of svg.querySelectorAll('text')) {
    const r = shown(el);
    if (r) texts.push({ el, r, own: el.classList.contains('name') ? el.parentNode : null });
  }
  const circles = [];
  for (const el of svg.querySelectorAll('circle, .collapsed rect')) {
    const r = el.getBoundingClientRect();
    if (r.width < 0.5) continue;
    circles.push({ el, g: el.parentNode, cx: r.x + r.width / 2, cy: r.y + r.height / 2, rx: r.width / 2, ry: r.height / 2,
                   rect: el.tagName === 'rect' ? r : null });
  }
  const hit = (a, b) => a.x < b.x + b.width - tol && b.x < a.x + a.width - tol &&
                        a.y < b.y + b.height - tol && b.y < a.y + a.height - tol;
  const out = [];
  for (let i = 0; i < texts.length; i++) {
    const a = texts[i];
    if (a.r.x < frame.x - tol || a.r.right > frame.right + tol || a.r.y < frame.y - tol || a.r.bottom > frame.bottom + tol)
      out.push(`${name(a.el)} leaves the drawing`);
    for (let j = i + 1; j < texts.length; j++) {
      if (hit(a.r, texts[j].r)) out.push(`${name(a.el)} x ${name(texts[j].el)}`);
    }
    for (const c of circles) {
      if (a.own === c.g) continue;
      if (c.rect) { if (hit(a.r, c.rect)) out.push(`${name(a.el)} x node ${c.g.getAttribute('data-collapsed')}`); continue; }
      const dx = Math.max(a.r.x - c.cx, 0, c.cx - a.r.right);
      const dy = Math.max(a.r.y - c.cy, 0, c.cy - a.r.bottom);
      const r = c.rx - tol;
      if (dx * dx + dy * dy < r * r) {
        const g = c.g;
        out.push(`${name(a.el)} x circle ${g.getAttribute('data-node') || (g.classList.contains('bias-hub') ? 'hub' : '?')}`);
      }
    }
  }
  return out;
}"""
