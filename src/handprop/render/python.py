"""The trace as a standalone Python script that checks it (``--format python``).

The program is the module :mod:`handprop.oracles.script`, copied as it is; this
writer puts the problem and the trace's values in its data section (as plain
Python literals: floats round-trip exactly, names may be any text) and a line
that runs it.  See that module for what the script does.
"""
from __future__ import annotations

from pathlib import Path

from ..oracles import script
from ..trace import Trace

DATA_START = "# ---------------------------------------------------------------- the data (filled in by the writer)"
DATA_END = "# ---------------------------------------------------------------- activations and losses"


def _r(value) -> str:
    """A Python literal for ``value`` (floats round-trip exactly; names may be any text)."""
    if isinstance(value, (float, bool, int, str)):
        return repr(value)
    if isinstance(value, dict):      # an optimizer with its settings
        return "{" + ", ".join(f"{_r(k)}: {_r(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot embed {value!r}")


def _rows(items: list[str], indent: str = "    ") -> str:
    return "".join(f"{indent}{item},\n" for item in items)


def program() -> tuple[str, str]:
    """The script module's source before and after its data section (its docstring dropped)."""
    source = Path(script.__file__).read_text(encoding="utf-8")
    head, _, rest = source.partition(DATA_START)
    _, _, tail = rest.partition(DATA_END)
    imports = head[head.index('"""', 3) + 3:].lstrip("\n")
    return imports, DATA_END + tail


def render(trace: Trace, digits: int | None = None, options=None) -> str:
    """A standalone Python script recomputing and checking every value of ``trace``."""
    p = trace.problem
    title = p.get("title") or trace.name or "handprop problem"
    shown = digits or trace.digits
    layers = []
    for layer in p["layers"]:
        params = {k: v for k, v in layer.items() if k not in ("units", "activation")}
        layers.append(f"([{', '.join(_r(u) for u in layer['units'])}], {_r(layer['activation'])}, "
                      f"{{{', '.join(f'{_r(k)}: {_r(float(v))}' for k, v in params.items())}}})")
    weights = [f"{_r(name)}: ({_r(src)}, {_r(dst)}, {_r(float(value))})"
               for name, (src, dst, value) in p["weights"].items()]
    biases = [f"{_r(name)}: ([{', '.join(_r(u) for u in units)}], {_r(float(value))})"
              for name, (units, value) in p["biases"].items()]
    samples = [f"([{', '.join(_r(float(v)) for v in s['inputs'])}], "
               f"[{', '.join(_r(float(v)) for v in s['targets'])}])" for s in p["samples"]]
    values = [f"{_r(qid)}: {_r(float(v))}" for qid, v in trace.values.items()]
    update = trace.update or {"t": 1, "state": {}}
    before: dict[str, dict[str, float]] = {}
    for quantity, value in update["state"].items():
        kind, _, name = quantity.partition(":")
        before.setdefault(name, {})[kind] = float(value)
    state = [f"{_r(name)}: {{{', '.join(f'{_r(k)}: {_r(v)}' for k, v in kinds.items())}}}"
             for name, kinds in before.items()]
    hand = [f"{_r(qid)}: {_r(float(v))}" for qid, v in (trace.hand_values or {}).items()]
    rounding = trace.rounding or {}
    rounding_text = ("" if not hand else
                     f"every intermediate rounded half-up to {rounding.get('places')} "
                     f"{'decimal places' if rounding.get('mode') == 'round' else 'significant figures'}")
    imports, body = program()
    header = f'''#!/usr/bin/env python3
"""{_docstring(title)}: every number of the worked solution, recomputed and checked.

Written by `handprop explain --format python`.  Plain Python 3: no numpy, no
handprop.  From the problem below alone it computes the forward pass, the loss,
every delta and gradient, the update and the loss after it, prints each worked
number as it goes (-q: only the summary) and checks it against the value the
trace holds (TRACE): |ours - trace| <= {script.TOLERANCE:g} max(1, |trace|).
Exit status 0 when every value agrees, 1 naming the first that does not.
"""
'''
    data = f'''# ---------------------------------------------------------------- the problem

INPUTS = [{", ".join(_r(x) for x in p["inputs"])}]
LAYERS = [  # (units, activation, its parameters), input side first
{_rows(layers)}]
WEIGHTS = {{  # name: (from, to, value)
{_rows(weights)}}}
BIASES = {{  # name: (units that share it, value)
{_rows(biases)}}}
SAMPLES = [  # (inputs in the order of INPUTS, targets in the order of the output units)
{_rows(samples)}]
TITLE = {_r(title)}
LOSS = {_r(p["loss"])}
LEARNING_RATE = {_r(float(p["learning_rate"]))}
UPDATE_BIASES = {_r(bool(p["update_biases"]))}
BATCH = {_r(p["batch"])}   # how the samples' gradients combine: sum or mean
OPTIMIZER = {_r(p.get("optimizer", "sgd"))}   # the update rule (UPDATES)
STEP = {int(update["t"])}   # the update worked: the parameters above are those after STEP - 1 steps
STATE = {{  # the optimizer's state before it: parameter: {{state: value}}
{_rows(state)}}}

LOG_FLOOR = {_r(script.LOG_FLOOR)}   # outputs are kept in [LOG_FLOOR, 1 - LOG_FLOOR] before a logarithm
TOLERANCE = {_r(script.TOLERANCE)}
DIGITS = {int(shown)}   # significant figures printed
QUIET = False

# ---------------------------------------------------------------- the trace's values

TRACE = {{
{_rows(values)}}}

# The hand-rounded values of the trace (handprop explain --round/--sig), printed beside the
# exact ones with their drift; empty without hand rounding.
ROUNDING = {_r(rounding_text)}
HAND = {{
{_rows(hand)}}}

'''
    footer = '''

if __name__ == "__main__":
    sys.exit(main())
'''
    return header + imports + data + body.rstrip() + "\n" + footer


def _docstring(text: str) -> str:
    """``text`` safe inside a triple-quoted docstring, on one line."""
    return " ".join(repr(text)[1:-1].replace('"', r'\"').split())
