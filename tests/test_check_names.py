"""Claims name quantities the way people write them; each form resolves to its quantity id."""
from __future__ import annotations

import pytest

from check_networks import network
from handprop.checking.claims import Names
from handprop.solve.engine import solve

FORMS = {
    "net:H1": "net:H1", "out_H1": "out:H1", "out H1": "out:H1", "net H1": "net:H1", "NET_h1": "net:H1",
    "outH1": "out:H1", "H1": "out:H1", "y1": "out:Y1", "ŷ1": "out:Y1", "Ŷ2": "out:Y2", "y_2": "out:Y2",
    "yhat1": "out:Y1", "E_total": "E:total", "Etotal": "E:total", "E total": "E:total", "E": "E:total",
    "E_tot": "E:total", "E_Y1": "E:Y1", "E Y2": "E:Y2", "dE/dw5": "grad:w5", "∂E/∂w5": "grad:w5",
    "∂E_total/∂w5": "grad:w5", "dEtotal/dw5": "grad:w5", "∂E/∂w₅": "grad:w5", "DE/DW5": "grad:w5",
    "dE/db1": "grad:b1", "grad w5": "grad:w5", "∇w5": "grad:w5", "w5_new": "new:w5", "w5+": "new:w5",
    "w5⁺": "new:w5", "w5'": "new:w5", "w5′": "new:w5", "new_w5": "new:w5", "new w5": "new:w5",
    "w₅⁺": "new:w5", "W5_NEW": "new:w5", "w5^+": "new:w5", "w5 (new)": "new:w5",
    "dout_Y1/dnet_Y1": "dout/dnet:Y1", "∂out_Y1/∂net_Y1": "dout/dnet:Y1", "∂y1/∂net_Y1": "dout/dnet:Y1",
    "σ'(net_Y1)": "dout/dnet:Y1", "σ′(net_H2)": "dout/dnet:H2", "sigma'(Y1)": "dout/dnet:Y1",
    "delta_Y1": "delta:Y1", "δY1": "delta:Y1", "δ_H1": "delta:H1", "Δ_y2": "delta:Y2",
    "dE/dnet_Y1": "delta:Y1", "∂E/∂net_H1": "delta:H1", "dE/dout_Y1": "dE/dout:Y1",
    "∂E_total/∂y1": "dE/dout:Y1", "∂E_Y1/∂out_Y1": "dE/dout:Y1", "dE/dy2": "dE/dout:Y2",
    "∂E/∂out_H1": "dE/dout:H1", "E_total_new": "new:E:total", "E_total⁺": "new:E:total",
    "new E_total": "new:E:total", "Etotal'": "new:E:total", "out_H1[1]": "out:H1",
    "\\partial E/\\partial w_{5}": "grad:w5",
}


@pytest.fixture(scope="module")
def notes_names():
    p = network("notes")
    return Names(p, tuple(solve(p).values))


@pytest.mark.parametrize("written, qid", list(FORMS.items()))
def test_every_written_form_resolves(notes_names, written, qid):
    found = notes_names.resolve(written)
    assert found.qid == qid, (written, found)


@pytest.mark.parametrize("written, fragment, suggestion", [
    ("out_H3", "no quantity", "out_H1"),
    ("dE/dw9", "no quantity", "dE/dw8"),
    ("netH", "no quantity", "net_H1"),
    ("w5", "parameter the problem gives", "dE/dw5"),
    ("b1_new", "not updated", None),
    ("x1", "input the problem gives", None),
    ("out_H1[2]", "1 sample", None),
    ("∂E_Y1/∂w5", "only the part", None),
])
def test_unknown_names_say_why_and_suggest(notes_names, written, fragment, suggestion):
    found = notes_names.resolve(written)
    assert found.qid is None
    assert fragment in found.reason, found.reason
    if suggestion:
        assert suggestion in found.suggestions, found.suggestions


def test_matrix_names_and_several_samples():
    p = network("deep-two-samples-sse")
    names = Names(p, tuple(solve(p).values))
    assert names.resolve("out_h1_2[2]").qid == "out:h1_2[2]"
    assert names.resolve("ŷ2[1]").qid == "out:y2[1]"
    assert names.resolve("dE/dw3").qid == "grad:w3"          # combined over the samples
    assert names.resolve("dE/dw3[2]").qid == "grad:w3[2]"
    assert names.resolve("E_total").qid == "E:total"
    assert names.resolve("E_total[1]").qid == "E:total[1]"
    which = names.resolve("net_y1")
    assert which.qid is None and "which sample" in which.reason


def test_names_that_differ_only_in_case_are_refused_as_ambiguous():
    """a and A in one network: a claim about either could be read as the other."""
    import pytest

    from handprop.errors import ProblemError
    from handprop.problem import parse
    with pytest.raises(ProblemError, match="differ only by case"):
        parse({"inputs": ["x"], "layers": [{"units": ["a", "A"], "activation": "tanh"},
                                           {"units": ["y"], "activation": "linear"}],
               "weights": {"w1": ["x", "a", 0.5], "w2": ["x", "A", -0.5], "w3": ["a", "y", 1.0],
                           "w4": ["A", "y", 2.0]},
               "samples": [{"inputs": [1.0], "targets": [0.0]}]})


from hypothesis import given, settings  # noqa: E402

from handprop.checking.claims import plain, pretty  # noqa: E402
from handprop.problem import parse  # noqa: E402
from strategies import problems  # noqa: E402


@settings(max_examples=30)
@given(problems(max_layers=3, max_width=3, max_samples=2))
def test_random_networks_every_id_resolves_and_no_form_resolves_to_another_quantity(data):
    p = parse(data)
    ids = tuple(solve(p).values)
    names = Names(p, ids)
    for q in ids:
        assert names.resolve(q).qid == q
        for form in (plain(q), pretty(q)):
            found = names.resolve(form).qid
            assert found in (q, None), (q, form, found)


def test_textbook_names():
    """z for the net input, a for the activation, h_{out} / h_{in}, L for the loss, as
    textbooks and lecture notes write them."""
    from handprop.checking.claims import Names
    from handprop.problem import load
    from handprop.solve.engine import solve
    notes = load("notes")
    names = Names(notes, tuple(solve(notes).values))
    for written, expected in [("z_H1", "net:H1"), ("z_{H1}", "net:H1"), ("a_H1", "out:H1"),
                              ("a_{Y2}", "out:Y2"), ("H1_{out}", "out:H1"), ("H2_in", "net:H2"),
                              ("L", "E:total"), ("∂L/∂w5", "grad:w5"), ("dL/dw1", "grad:w1"),
                              ("Cost", "E:total")]:
        assert names.resolve(written).qid == expected, written
    assert names.resolve("z_H9").qid is None
