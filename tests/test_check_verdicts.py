"""Verdicts: right to the digits written is ``correct``; a hand solution that rounds as it
goes is never ``wrong``; a step done right from a wrong number is ``carried``."""
from __future__ import annotations

from decimal import Decimal

import pytest

from check_networks import NAMES, network
from handprop.checking.verdicts import check
from handprop.checking.claims import Claim, ClaimsFile, parse, plain
from handprop.solve.derive import derive
from handprop.solve.replay import Model
from handprop.solve.rounding import hand_values


def claims_of(values: dict[str, str]) -> ClaimsFile:
    return ClaimsFile("generated", tuple(Claim(i, plain(q), text, Decimal(text))
                                         for i, (q, text) in enumerate(values.items(), start=1)))


@pytest.mark.parametrize("name", NAMES)
def test_every_value_written_to_2_to_9_decimals_is_correct(name):
    problem = network(name)
    exact = derive(problem).trace.values
    for places in range(2, 10):
        report = check(problem, claims_of({q: f"{v:.{places}f}" for q, v in exact.items()}))
        wrong = [(v.claim.name, v.claim.text, v.verdict) for v in report.verdicts if v.verdict != "correct"]
        assert not wrong, (places, wrong[:5])


@pytest.mark.parametrize("convention", ["calculator", "every-step"])
@pytest.mark.parametrize("mode, places", [("round", 2), ("round", 3), ("round", 4), ("round", 6),
                                          ("sig", 3), ("sig", 5)])
@pytest.mark.parametrize("name", NAMES)
def test_a_solution_rounded_by_hand_as_it_goes_has_nothing_wrong(name, mode, places, convention):
    """Either way of working an activation by hand (one key press, or every operation inside
    it rounded) is rounding, never a mistake."""
    problem = network(name)
    derivation = derive(problem)
    hand, _ = hand_values(Model.of(derivation, problem), mode, places, convention)
    report = check(problem, claims_of({q: str(v) for q, v in hand.items()}))
    bad = [(v.claim.name, v.claim.text, v.exact, v.verdict, v.explanation)
           for v in report.verdicts if v.verdict not in ("correct", "rounding")]
    assert not bad, bad[:3]
    assert report.status == 0
    if places <= 3:   # rounding this coarse must show somewhere
        assert any(v.verdict == "rounding" for v in report.verdicts)


def test_a_step_done_right_from_a_wrong_number_is_carried():
    problem = network("tanh-linear-mse")
    text = "net_h1 = 0.5\nout_h1 = 0.462117\nout_h2 = 0.0399787\n"   # tanh(0.5) = 0.4621171...
    report = check(problem, parse(text))
    net, out, other = report.verdicts
    assert net.verdict == "wrong"
    assert out.verdict == "carried" and out.first_wrong == "net:h1"
    assert other.verdict == "correct"
    assert report.status == 1


def test_drift_from_the_claimants_own_rounded_numbers_is_rounding():
    problem = network("notes")
    # out_H1 rounded to 2 places, then net_Y1 computed from it: drift, not a mistake
    text = "out_H1 = 0.59\nout_H2 = 0.60\nnet_Y1 = 1.1360\n"   # 0.4*0.59 + 0.5*0.60 + 0.6; exact 1.13575
    report = check(problem, parse(text))
    assert [v.verdict for v in report.verdicts] == ["correct", "correct", "rounding"]
    assert "your out_H1 = 0.59, out_H2 = 0.60" in report.verdicts[2].explanation


def test_a_chopped_number_is_rounding_not_correct():
    problem = network("notes")
    report = check(problem, parse("dE/dw5 = 0.0815\n[again]\ndE/dw5: 0.081\n"))
    assert [v.verdict for v in report.verdicts] == ["correct", "rounding"]   # exact 0.0815341


def test_a_later_part_may_claim_a_quantity_again_and_own_numbers_are_the_latest():
    problem = network("notes")
    text = "y1 = 0.757\ndE/dout_Y1 = 0.747\n[again]\ny1 = 0.75\ndE/dout_Y1 = 0.740\n"
    verdicts = check(problem, parse(text)).verdicts
    assert [v.verdict for v in verdicts] == ["correct", "correct", "rounding", "rounding"]
    assert "your y1 = 0.75 " in verdicts[3].explanation


def test_a_delta_the_claimant_wrote_is_used_for_the_weights_gradient():
    """The delta rule, as textbooks work it: δ first, then ∂E/∂w = δ · out.  The claimant's own
    δ_Y1 = 0.14 and out_H1 = 0.5933 give 0.14 × 0.5933 = 0.083062 (plain arithmetic here), so
    ∂E/∂w5 = 0.083062 is rounding drift, not "σ′ left out + δ used in place of ∂E/∂out", and the
    update from it is rounding, not carried."""
    assert round(0.14 * 0.5933, 6) == 0.083062 and round(0.4 - 0.5 * 0.083062, 6) == 0.358469
    problem = network("notes")
    report = check(problem, parse("out_H1 = 0.5933\ndelta_Y1 = 0.14\ndE/dw5 = 0.083062\n"
                                  "w5_new = 0.358469\n"))
    verdicts = {v.claim.name: v for v in report.verdicts}
    assert verdicts["dE/dw5"].verdict == "rounding", verdicts["dE/dw5"].explanation
    assert "delta_Y1 = 0.14" in verdicts["dE/dw5"].explanation
    assert verdicts["w5_new"].verdict == "rounding" and report.status == 0
    # a wrong δ is carried through the delta rule: 0.15 × 0.5933 = 0.088995
    report = check(problem, parse("delta_Y1 = 0.15\ndE/dw5 = 0.0890\n"))
    wrong, carried = report.verdicts
    assert wrong.verdict == "wrong" and carried.verdict == "carried" and carried.first_wrong == "delta:Y1"
