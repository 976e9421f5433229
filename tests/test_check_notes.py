"""``handprop check`` on the tutorial's handwritten numbers gives the verdicts and causes of docs/published-values.md."""
from __future__ import annotations

import json

import pytest

from handprop.checking.verdicts import check_file
from handprop.checking.claims import PACKAGED, read

NOTES = "examples/notes-claims.txt"


@pytest.fixture(scope="module")
def report():
    return check_file(read(NOTES))


@pytest.fixture(scope="module")
def by_name(report):
    return {v.claim.name: v for v in report.verdicts}


def test_the_packaged_file_is_found_by_its_examples_path():
    assert read(NOTES).source == NOTES
    assert (PACKAGED / "notes-claims.txt").is_file()
    assert read("notes-claims").claims == read(NOTES).claims


@pytest.mark.parametrize("name, exact", [("net_H1", 0.3775), ("net_H2", 0.3925)])
def test_the_hidden_nets_are_arithmetic_slips(by_name, name, exact):
    v = by_name[name]
    assert v.verdict == "wrong" and v.exact == pytest.approx(exact)
    assert "slip in the arithmetic" in v.explanation
    assert v.first_wrong == v.qid


@pytest.mark.parametrize("name, origin", [("out_H1", "net:H1"), ("out_H2", "net:H2")])
def test_the_hidden_outputs_are_carried_from_the_wrong_nets(by_name, name, origin):
    v = by_name[name]
    assert v.verdict == "carried" and v.first_wrong == origin


@pytest.mark.parametrize("name", ["net_Y1", "net_Y2"])
def test_the_output_nets_leave_the_output_bias_out(by_name, name):
    v = by_name[name]
    assert v.verdict == "wrong"
    best = v.hits[0]
    assert best.families == ("bias_left_out",) and "b2" in best.label and best.own
    assert v.first_wrong == v.qid


@pytest.mark.parametrize("name", ["y1", "y2", "E_total", "E_Y1", "E_Y2", "∂E_Y1/∂out_Y1",
                                  "∂out_Y1/∂net_Y1"])
def test_the_outputs_and_the_loss_are_right_to_the_digits_shown(by_name, name):
    assert by_name[name].verdict == "correct"


@pytest.mark.parametrize("name", ["∂E/∂w5", "w5_new"])
def test_the_w5_update_drifts_by_rounding(by_name, name):
    assert by_name[name].verdict == "rounding"


def test_the_refined_y1_is_a_value_from_a_different_network(by_name):
    v = by_name["ŷ1"]
    assert v.verdict == "wrong"
    assert v.hits[0].families == ("wrong_edge",) and "w6 and w7" in v.hits[0].label
    assert "'mazur'" in v.explanation and "different network" in v.explanation
    assert by_name["∂E_total/∂y1"].verdict == "carried"


def test_the_product_0_18676_is_an_arithmetic_slip(by_name):
    v = by_name["∂y1/∂net_Y1"]
    assert v.verdict == "wrong" and v.exact == pytest.approx(0.18400, abs=1e-5)
    assert "0.75137 × 0.24863 = 0.186813, not 0.18676" in v.explanation


def test_dE_dw1_leaves_out_sigma_prime_and_a_path_and_slips_a_decimal(by_name):
    v = by_name["∂E/∂w1"]
    assert v.verdict == "wrong" and v.exact == pytest.approx(0.000447976, rel=1e-6)
    best = v.hits[0]
    assert set(best.families) == {"slope_left_out", "one_path", "decimal_slip"}
    assert "hidden" in best.label and "path through Y2 left out" in best.label and "×10" in best.label
    assert v.first_wrong == "dE/dout:H1"
    w1 = by_name["w1_new"]
    assert w1.verdict == "carried" and w1.first_wrong == "dE/dout:H1"


def test_without_the_working_the_causes_that_stand_out_are_found(tmp_path):
    lines = []
    for line in (PACKAGED / "notes-claims.txt").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            name, _, rest = line.partition("=")
            line = f"{name}= {rest.split('#')[0].split('=')[-1].strip()}"
        lines.append(line)
    path = tmp_path / "bare.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    verdicts = {v.claim.name.strip(): v for v in check_file(read(str(path))).verdicts}
    # 0.0277 alone is three mistakes matching three figures, where combinations of three land
    # on a quarter of the numbers around it: without its working no cause is named
    assert verdicts["∂E/∂w1"].verdict == "wrong" and not verdicts["∂E/∂w1"].hits
    assert verdicts["net_Y1"].hits[0].families == ("bias_left_out",)
    assert verdicts["ŷ1"].hits[0].families == ("wrong_edge",)
    assert verdicts["∂y1/∂net_Y1"].verdict == "wrong" and not verdicts["∂y1/∂net_Y1"].hits


def test_the_command_exits_1_and_its_json_has_exactly_the_fields(cli):
    code, out, err = cli("check", NOTES, "--format", "json")
    assert code == 1 and err == ""
    doc = json.loads(out)
    assert list(doc) == ["claims"]
    for entry in doc["claims"]:
        assert list(entry) == ["name", "id", "claimed", "exact", "verdict", "diagnosis", "first_wrong"]
    verdicts = [e["verdict"] for e in doc["claims"]]
    assert verdicts.count("correct") == 7 and verdicts.count("rounding") == 2
    assert verdicts.count("carried") == 4 and verdicts.count("wrong") == 7


def test_the_table_fits_80_columns(cli):
    code, out, _ = cli("check", NOTES, "--width", "80")
    assert code == 1
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "net_H1" in out and "wrong" in out and "carried" in out
