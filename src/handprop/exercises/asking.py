"""What a sheet asks for: the names of ``--ask`` turned into quantity ids of one problem.

A name is one of the groups below, a parameter's name (its gradient: ``w5`` asks for ∂E/∂w5),
or any quantity id of the trace (``net:H1``, ``delta:Y1``, ``new:w5``: docs/quantities.md).

=========== =====================================================================
``forward``  the output of every output unit (``out:U``; with several samples, of sample 1)
``hidden``   the output of every hidden unit
``loss``     the total error ``E:total``
``deltas``   the delta of every unit
``gradients`` the gradient of every parameter
``updates``  every parameter the update changes, after it (``new:P``)
``after``    the total error after the update (``new:E:total``)
=========== =====================================================================
"""
from __future__ import annotations

from ..errors import UsageError
from ..problem import Problem
from ..quantities import AFTER, TOTAL, qid

GROUPS = ("forward", "hidden", "loss", "deltas", "gradients", "updates", "after")


def default_names(problem: Problem) -> tuple[str, ...]:
    """What a sheet asks when ``--ask`` is not given: the outputs, the loss, the gradient of
    the first weight into the output layer and (with a hidden layer) of the first weight."""
    incoming = problem.incoming
    last = incoming[problem.layers[-1].units[0]][0].name
    first = incoming[problem.layers[0].units[0]][0].name
    return ("forward", "loss", last) + ((first,) if len(problem.layers) > 1 else ())


def names(text: str) -> tuple[str, ...]:
    """``forward,loss,w5`` -> its names (spaces allowed, duplicates dropped)."""
    found = [n.strip() for n in text.split(",") if n.strip()]
    if not found:
        raise UsageError("names nothing to ask: give names such as forward,loss,w5", "--ask")
    return tuple(dict.fromkeys(found))


def ids(problem: Problem, asked: tuple[str, ...], known: set[str] | None = None) -> tuple[str, ...]:
    """The quantity ids of ``asked`` for ``problem`` (single-sample ids), in order, without
    repeats.  ``known``: the ids of the problem's trace (any of them may be named)."""
    hidden = [u for layer in problem.layers[:-1] for u in layer.units]
    units = [u for layer in problem.layers for u in layer.units]
    params = list(problem.params)
    k = 1 if problem.multi else None     # per-sample quantities: those of sample 1
    out: list[str] = []
    for name in asked:
        if name == "forward":
            out += [qid("out", u, k) for u in problem.outputs]
        elif name == "hidden":
            out += [qid("out", u, k) for u in hidden]
        elif name == "loss":
            out.append(TOTAL)
        elif name == "deltas":
            out += [qid("delta", u, k) for u in units]
        elif name == "gradients":
            out += [qid("grad", p) for p in params]
        elif name == "updates":
            out += [qid("new", p) for p in problem.updated]
        elif name == "after":
            out.append(AFTER)
        elif name in problem.params:
            out.append(qid("grad", name))
        elif known is not None and name in known:
            out.append(name)
        else:
            some = ", ".join(GROUPS)
            raise UsageError(f"{name!r} is neither a group ({some}), a parameter of the network "
                             f"({', '.join(params[:6])}{', …' if len(params) > 6 else ''}) nor a "
                             "quantity id such as net:H1 (docs/quantities.md)", "--ask")
    return tuple(dict.fromkeys(out))
