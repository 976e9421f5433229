"""Quantity ids: building them, reading them, and the names people write for them.

An id names one number of a worked solution (a contract: the JSON trace, claims
files and tests use them; ``docs/quantities.md``):

============  ======================================================
id            meaning
============  ======================================================
``net:U``     net input of unit U
``out:U``     output (activation) of unit U
``E:U``       the part of the loss from output unit U
``E:total``   the total loss
``dE/dout:U`` dE_total / d out_U
``dout/dnet:U`` the activation's derivative at U
``delta:U``   dE_total / d net_U
``grad:P``    dE_total / dP for parameter P (a weight or bias name)
``new:P``     P after the update
``new:E:total`` the total loss after the update
``change:P``  how much the update changes P (``new:P`` − P)
``new:out:U`` a forward quantity after the update (also ``new:net:U``,
              ``new:E:U``, ``new:E:total[k]``): checker-level, not in traces
``decayed:P`` the gradient with weight decay added (``grad:P + λ·P``)
``shrunk:P``  P shrunk by AdamW's decoupled weight decay (``P·(1 − η·λ)``)
``velocity:P`` momentum's velocity (buffer) of P after this step
``m:P``       Adam's first moment of P after this step (``v:P`` the second)
``mhat:P``    the first moment with its bias correction (``vhat:P`` the second)
============  ======================================================

The optimizer's state before the step is given, like a parameter: ``state:m:P``
(``state:v:P``, ``state:velocity:P``); its settings are ``hyper:NAME`` (``hyper:beta1``)
and the step count ``t``.

With several samples the per-sample quantities end in ``[k]`` (k from 1):
``out:Y1[2]``; ``E:total``, ``grad:P`` and ``new:P`` without a suffix are the
combined ones.  The numbers a problem gives are named the same way inside
formulas: ``param:P``, ``in:X[k]``, ``target:U[k]`` and ``eta`` (the learning rate).

A :class:`Subject` is an id taken apart (kind, name, sample): steps carry it as
data, so nothing downstream (renderers, the page) ever parses an id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["KINDS", "TRACE_KINDS", "GIVEN_KINDS", "FORWARD_KINDS", "Subject", "qid", "key", "parse", "split_id",
           "suffix", "pretty", "plain", "TOTAL", "AFTER", "ETA", "describe", "after_of", "before_of",
           "checker_ids", "STATE_KINDS", "UPDATE_KINDS", "STEP", "OPTIMIZER_KINDS", "optimizer_symbol",
           "state_id", "HYPER_SYMBOLS"]

STATE_KINDS = ("velocity", "m", "v", "mhat", "vhat")
"""The kinds of an optimizer's state after the step (``m:w5``), in the order an update computes them."""
KINDS = ("net", "out", "E", "dE/dout", "dout/dnet", "delta", "grad", "decayed", "shrunk", *STATE_KINDS,
         "new", "change")
"""The kinds of computed quantity, in the order a worked solution meets them (``change``, the
change of a parameter in the update, is the checker's: a trace never holds it)."""
TRACE_KINDS = KINDS[:-1]
"""The kinds of the quantities a trace holds."""
FORWARD_KINDS = ("net", "out", "E")
"""The kinds a forward pass computes (again after the update: ``new:out:Y1``)."""
GIVEN_KINDS = ("param", "in", "target", "eta", "state", "hyper", "t")
"""The kinds of number a problem gives (used inside formulas): with an optimizer's state, also
the state before the step (``state:m:w5``), its settings (``hyper:beta1``) and the step ``t``."""
UPDATE_KINDS = ("decayed", "shrunk", *STATE_KINDS, "new")
"""The kinds an update computes for a parameter, in order."""

TOTAL = "E:total"
AFTER = "new:E:total"
ETA = "eta"
STEP = "t"

_ID = re.compile(r"^(?P<kind>net|out|E|dE/dout|dout/dnet|delta|grad|decayed|shrunk|velocity|m|v|mhat|vhat|new|change"
                 r"|param|in|target|state|hyper)"
                 r":(?P<name>.+?)(?:\[(?P<k>[1-9]\d*)\])?$")


@dataclass(frozen=True, slots=True)
class Subject:
    """What a quantity is about: its kind, the unit or parameter it belongs to, its sample.

    ``name`` is a unit (``net``, ``out``, ``E``, ``dE/dout``, ``dout/dnet``, ``delta``,
    ``target``), a parameter (``grad``, ``new``, ``change``, ``param``), an input (``in``), or
    ``total`` for the total loss (``E:total``) and ``E:total`` for the loss after the
    update (``new:E:total``); after the update a forward quantity is ``new`` of its id
    without the sample (``new:out:Y1[2]`` is ``Subject("new", "out:Y1", 2)``).  ``sample`` is
    1-based, None for one sample or a combined quantity.
    """

    kind: str
    name: str
    sample: int | None = None

    @property
    def id(self) -> str:
        return qid(self.kind, self.name, self.sample)

    def to_json(self) -> dict:
        return {"kind": self.kind, "name": self.name, "sample": self.sample}


def split_id(text: str) -> tuple[str, str, str]:
    """``'out:H1[2]'`` -> ``('out', 'H1', '[2]')``; ``('', text, '')`` for what is not an id."""
    s = parse(text)
    if s is None:
        return "", text, ""
    return s.kind, s.name, suffix(s.sample)


def suffix(sample: int | None) -> str:
    """The id suffix of a 1-based sample number: ``[k]``, or ``''`` for None."""
    return f"[{sample}]" if sample else ""


def qid(kind: str, name: str, sample: int | None = None) -> str:
    """The id of a quantity: ``qid("out", "H1", 2)`` -> ``"out:H1[2]"``; ``qid("eta", "")`` -> ``"eta"``."""
    if kind == "eta":
        return ETA
    if kind == "t":
        return STEP
    return f"{kind}:{name}{suffix(sample)}"


_KNOWN: dict[str, Subject | None] = {}
_KNOWN_LIMIT = 2_000_000


def parse(text: str) -> Subject | None:
    """An id taken apart, or None when ``text`` is not an id: ``"grad:w5[2]"`` ->
    ``Subject("grad", "w5", 2)``.  Memoised (ids built by :func:`key` are known at once)."""
    found = _KNOWN.get(text, False)
    if found is not False:
        return found
    if text == ETA:
        found = Subject("eta", "")
    elif text == STEP:
        found = Subject("t", "")
    elif text == AFTER:
        found = Subject("new", TOTAL)
    else:
        m = _ID.match(text)
        if m:
            k = m["k"]
            found = Subject(m["kind"], m["name"], int(k) if k else None)
        else:
            found = None
    if len(_KNOWN) > _KNOWN_LIMIT:
        _KNOWN.clear()
    _KNOWN[text] = found
    return found


def key(kind: str, name: str, sample: int | None = None) -> str:
    """:func:`qid`, remembering the id's :class:`Subject` so that :func:`parse` need not read it."""
    text = qid(kind, name, sample)
    if text not in _KNOWN:
        if len(_KNOWN) > _KNOWN_LIMIT:
            _KNOWN.clear()
        _KNOWN[text] = Subject(kind, name, sample) if kind not in ("eta", "t") else Subject(kind, "")
    return text


_PRETTY = {"net": "net_{n}", "out": "out_{n}", "E": "E_{n}", "dE/dout": "∂E/∂out_{n}",
           "dout/dnet": "∂out_{n}/∂net_{n}", "delta": "δ_{n}", "grad": "∂E/∂{n}", "new": "{n}⁺",
           "change": "Δ{n}", "param": "{n}", "in": "{n}", "target": "t_{n}"}
_PLAIN = {"net": "net_{n}", "out": "out_{n}", "E": "E_{n}", "dE/dout": "dE/dout_{n}",
          "dout/dnet": "dout_{n}/dnet_{n}", "delta": "delta_{n}", "grad": "dE/d{n}", "new": "{n}_new",
          "change": "Delta_{n}", "param": "{n}", "in": "{n}", "target": "t_{n}"}
_PRETTY.update({"decayed": "g_{n}", "shrunk": "p̃_{n}", "velocity": "b_{n}", "m": "m_{n}", "v": "v_{n}", "mhat": "m̂_{n}",
                "vhat": "v̂_{n}"})
_PLAIN.update({"decayed": "g_{n}", "shrunk": "shrunk_{n}", "velocity": "velocity_{n}", "m": "m_{n}", "v": "v_{n}",
               "mhat": "mhat_{n}", "vhat": "vhat_{n}"})
_SPECIAL_PRETTY = {AFTER: "E_total⁺", ETA: "η", STEP: "t"}
_SPECIAL_PLAIN = {AFTER: "E_total_new", ETA: "eta", STEP: "t"}


def _written(text: str, forms: dict[str, str], special: dict[str, str]) -> str:
    base, sep, rest = text.partition("[")
    if base in special:
        return special[base] + (sep + rest if sep else "")
    s = parse(text)
    if s is not None and s.kind in ("state", "hyper"):
        return optimizer_symbol(s, "text" if forms is _PRETTY else "plain")
    if s is None or s.kind not in forms:
        return text
    inner = before_of(text)
    if inner is not None:           # a forward quantity after the update: out_Y1⁺, out_Y1_new
        return _written(inner, forms, special).partition("[")[0] + forms["new"].format(n="") + suffix(s.sample)
    return forms[s.kind].format(n=s.name) + suffix(s.sample)


def pretty(text: str) -> str:
    """A quantity id as a person writes it: ``∂E/∂w5``, ``out_H1``, ``w5⁺``, ``E_total⁺``."""
    return _written(text, _PRETTY, _SPECIAL_PRETTY)


def plain(text: str) -> str:
    """A quantity id in plain ASCII as people type it: ``dE/dw5``, ``out_H1``, ``w5_new``."""
    return _written(text, _PLAIN, _SPECIAL_PLAIN)


# ---------------------------------------------------------------- an optimizer's numbers

OPTIMIZER_KINDS = ("decayed", "shrunk", *STATE_KINDS, "state", "hyper", "t")
"""The kinds :func:`optimizer_symbol` writes (every printer asks it)."""

HYPER_SYMBOLS: dict[str, tuple[str, str, str, str]] = {
    # name: (text, plain, LaTeX, Typst)
    "beta1": ("β₁", "beta1", r"\beta_{1}", "beta_1"),
    "beta2": ("β₂", "beta2", r"\beta_{2}", "beta_2"),
    "eps": ("ε", "eps", r"\varepsilon", "epsilon"),
    "momentum": ("μ", "mu", r"\mu", "mu"),
    "alpha": ("α", "alpha", r"\alpha", "alpha"),
    "weight_decay": ("λ", "lambda", r"\lambda", "lambda"),
    "dampening": ("τ", "tau", r"\tau", "tau"),
}
"""How an optimizer's settings are written (``hyper:beta1`` is β₁); any other setting by its name."""

_STATE_FORMS = {   # kind: (text, LaTeX, Typst) of the letter
    "decayed": ("g", "g", "g"), "shrunk": ("p̃", r"\tilde{p}", "tilde(p)"), "velocity": ("b", "b", "b"),
    "m": ("m", "m", "m"),
    "v": ("v", "v", "v"), "mhat": ("m̂", r"\hat{m}", "hat(m)"), "vhat": ("v̂", r"\hat{v}", "hat(v)"),
}


def state_id(kind: str, param: str) -> str:
    """The id of the state ``kind`` of ``param`` before the step: ``state_id("m", "w5")`` ->
    ``"state:m:w5"``."""
    return key("state", qid(kind, param))


def optimizer_symbol(s: Subject, notation: str, name=lambda n: n) -> str:
    """How an optimizer's number is written in ``notation`` (``text``, ``plain``, ``latex``,
    ``typst``; ``name`` writes a parameter's name in it): the state after the step ``m_w5``,
    ``m̂_w5``; before it ``m_w5,t−1``; a setting ``β₁``; the step ``t``."""
    if s.kind == "t":
        return "t"
    if s.kind == "hyper":
        forms = HYPER_SYMBOLS.get(s.name)
        if forms is None:
            if notation == "latex":
                return r"\mathrm{" + s.name.replace("_", r"\_") + "}"
            return s.name if notation in ("text", "plain") else f'"{s.name}"'
        return forms[("text", "plain", "latex", "typst").index(notation)]
    before = s.kind == "state"
    inner = parse(s.name) if before else s
    if inner is None or inner.kind not in _STATE_FORMS:
        return s.name
    if notation == "plain":
        return _PLAIN[inner.kind].format(n=inner.name) + ("_before" if before else "")
    letter = _STATE_FORMS[inner.kind][("text", "latex", "typst").index(notation)]
    n = name(inner.name)
    if notation == "text":
        return f"{letter}_{n}" + (",t−1" if before else "")
    if notation == "latex":
        return f"{letter}_{{{n}" + (",t-1}" if before else "}")
    return f"{letter}_({n}" + (", t-1)" if before else ")")


_MEANING = {"net": "the net input of {n}", "out": "the output of {n}", "E": "the error of output {n}",
            "dE/dout": "how the error changes with {n}'s output",
            "dout/dnet": "the slope of {n}'s activation", "delta": "the delta of {n}",
            "grad": "the gradient of {n}", "new": "{n} after the update",
            "change": "the change of {n} in the update", "param": "the parameter {n}",
            "in": "the input {n}", "target": "the target of {n}",
            "decayed": "the gradient of {n} with weight decay",
            "shrunk": "{n} shrunk by the decoupled weight decay", "velocity": "the velocity of {n}",
            "m": "the first moment of {n}", "v": "the second moment of {n}",
            "mhat": "the bias-corrected first moment of {n}",
            "vhat": "the bias-corrected second moment of {n}"}


def describe(text: str) -> str:
    """What an id means, in words: ``"grad:w5"`` -> ``"the gradient of w5"``."""
    if text.split("[")[0] == TOTAL:
        return "the total error" + (f" of sample {parse(text).sample}" if "[" in text else "")
    if text == AFTER:
        return "the total error after the update"
    if text == ETA:
        return "the learning rate"
    if text == STEP:
        return "the step count"
    s = parse(text)
    if s is None:
        return text
    if s.kind == "state":
        inner = parse(s.name)
        return (describe(s.name) if inner else s.name) + " before the step"
    if s.kind == "hyper":
        return f"the optimizer's {s.name}"
    inner = before_of(text)
    if inner is not None:
        words = describe(before_of(text.partition("[")[0])) + " after the update"
        return words + (f" (sample {s.sample})" if s.sample else "")
    words = _MEANING[s.kind].format(n=s.name)
    return words + (f" (sample {s.sample})" if s.sample else "")


# ---------------------------------------------------------------- the checker's own quantities


def after_of(text: str) -> str:
    """The id of a forward quantity after the update: ``out:Y1[2]`` -> ``new:out:Y1[2]``,
    ``E:total`` -> ``new:E:total``."""
    s = parse(text)
    return qid("new", qid(s.kind, s.name), s.sample)


def before_of(text: str) -> str | None:
    """The forward quantity of an id after the update (``new:out:Y1[2]`` -> ``out:Y1[2]``,
    ``new:E:total`` -> ``E:total``), or None when ``text`` is not one."""
    s = parse(text)
    if s is None or s.kind != "new" or ":" not in s.name:
        return None
    inner = parse(s.name)
    if inner is None or inner.kind not in FORWARD_KINDS or inner.sample is not None:
        return None
    return qid(inner.kind, inner.name, s.sample)


def checker_ids(ids) -> tuple[str, ...]:
    """The quantities ``handprop check`` knows beyond a trace's ``ids``: ``change:P`` for every
    updated parameter, and (when the trace has the loss after the update) every forward
    quantity after the update, ``new:out:Y1[k]``, ``new:E:total[k]``…; in the trace's order."""
    ids = tuple(ids)
    found = []
    after = AFTER in ids
    for q in ids:
        s = parse(q)
        if s is None or q == AFTER:
            continue
        if s.kind == "new" and ":" not in s.name:
            found.append(qid("change", s.name))
        elif after and s.kind in FORWARD_KINDS and (s.name != "total" or s.sample is not None):
            found.append(after_of(q))
    known = set(ids)
    return tuple(q for q in dict.fromkeys(found) if q not in known)
