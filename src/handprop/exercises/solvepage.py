"""The "solve it yourself" page of a variant: one static HTML file, no network, no server.

The worksheet (drawing, given numbers, rounding policy), then per asked quantity a field to
type an answer into, a Check button (right when it is the key's answer, or the exact value,
to half a unit of the last place shown) and the answer hidden behind a reveal (``<details>``);
the whole worked solution (compact form) is behind a last reveal.  Only the asked numbers are
hidden: nothing else of the solution is on the page outside the reveals.
"""
from __future__ import annotations

import json
from html import escape

from . import drawing
from .key import Key
from .sheet import TASK, Sheet, html_given, html_head

EXTRA_CSS = """.ask td{border-bottom:1px solid #ddd}.ask input{width:8rem;font:inherit;padding:.15rem .3rem}
.verdict{display:inline-block;min-width:5rem;margin-left:.4rem;font-weight:600}.right{color:#11691f}.wrong{color:#a3141a}
details{margin:.2rem 0}summary{cursor:pointer;color:#124e9c}"""

SCRIPT = """<script>
(function () {
  var answers = JSON.parse(document.getElementById("hp-answers").textContent);
  function check(row) {
    var id = row.getAttribute("data-id"), a = answers[id];
    var input = row.querySelector("input"), out = row.querySelector(".verdict");
    var v = Number(String(input.value).trim().replace(",", ".").replace("\\u2212", "-"));
    if (input.value.trim() === "" || !isFinite(v)) { out.textContent = "a number?"; out.className = "verdict"; return; }
    var half = 0.5 * Math.pow(10, -a.places) + 1e-12;
    var ok = Math.abs(v - Number(a.answer)) <= half || Math.abs(v - a.exact) <= half;
    out.textContent = ok ? "right" : "not yet";
    out.className = "verdict " + (ok ? "right" : "wrong");
  }
  document.querySelectorAll("tr[data-id]").forEach(function (row) {
    row.querySelector("button").addEventListener("click", function () { check(row); });
    row.querySelector("input").addEventListener("keydown", function (e) { if (e.key === "Enter") check(row); });
  });
})();
</script>"""


def html(s: Sheet, k: Key, exact: dict[str, float], places: int) -> str:
    data = {q.id: {"answer": a, "exact": exact[q.id], "places": places} for q, a in k.answers}
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    title = f"Solve it yourself — variant {s.code}"
    out = html_head(title, EXTRA_CSS) + [
        f"<h1>{escape(title)}</h1>",
        f"<p><b>Network:</b> {escape(s.summary)}<br><b>Settings:</b> {escape(s.settings)}</p>",
        drawing.svg(s.problem), "<h2>Given</h2>"] + html_given(s) + [
        "<h2>What to compute</h2>", f"<p>{escape(TASK)}</p>",
        f'<p class="policy"><b>Rounding:</b> {escape(s.policy)}</p>',
        '<table class="ask"><tr><th>#</th><th>quantity</th><th>what it is</th><th>your answer</th><th>answer</th></tr>']
    for i, (q, a) in enumerate(k.answers, start=1):
        out.append(f'<tr data-id="{escape(q.id)}"><td>{i}</td><td>{escape(q.text)}</td><td>{escape(q.words)}</td>'
                   f'<td><input type="text" inputmode="decimal" aria-label="your {escape(q.text)}">'
                   f'<button type="button">Check</button><span class="verdict" aria-live="polite"></span></td>'
                   f'<td><details><summary>reveal</summary><b>{escape(a)}</b></details></td></tr>')
    out += ["</table>", "<h2>The worked solution</h2>",
            "<details><summary>reveal the whole worked solution</summary>",
            f'<div class="worked">{escape(k.worked_text)}</div></details>',
            f'<script type="application/json" id="hp-answers">{payload}</script>', SCRIPT, "</body>", "</html>"]
    return "\n".join(out) + "\n"
