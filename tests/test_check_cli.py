"""``handprop check`` on the command line: formats, exit status, bad claims files."""
from __future__ import annotations

import json

import pytest

GOOD = "problem: notes\nnet_H1 = 0.3775\nout_H1: 0.5933  # a comment\n\ny1 ≈ 0.757\n"


def write(tmp_path, text, name="claims.txt", problem="notes"):
    """A claims file; it names ``problem`` unless it has a problem line (or ``problem`` is None)."""
    path = tmp_path / name
    if problem and "problem:" not in text:
        text = f"problem: {problem}\n" + text
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_nothing_wrong_exits_0(cli, tmp_path):
    code, out, err = cli("check", write(tmp_path, GOOD), "--width", "80")
    assert (code, err) == (0, "")
    assert "3 claims: 3 correct" in out and "Nothing is wrong" in out


def test_an_unknown_name_is_reported_not_guessed(cli, tmp_path):
    code, out, _ = cli("check", write(tmp_path, "out_H7 = 0.5\nout_H1 = 0.5933\n"), "--format", "json")
    entry = json.loads(out)["claims"][0]
    assert code == 0 and entry["verdict"] == "unknown" and entry["id"] is None
    assert "did you mean" in entry["diagnosis"] and "out_H1" in entry["diagnosis"]


def test_the_problem_line_is_relative_to_the_claims_file(cli, tmp_path):
    (tmp_path / "net.yaml").write_text(
        "inputs: 1\nlayers: [{size: 1, activation: linear, W: [[2.0]]}]\n"
        "samples: [{inputs: [3.0], targets: [1.0]}]\n", encoding="utf-8")
    code, out, err = cli("check", write(tmp_path, "problem: net.yaml\nout_y1 = 6\nE_total = 12.5\n"),
                         "--format", "json")
    assert code == 0, err
    assert [c["verdict"] for c in json.loads(out)["claims"]] == ["correct", "correct"]


def test_problem_option_wins_over_the_file(cli, tmp_path):
    code, out, _ = cli("check", write(tmp_path, "problem: notes\nnet_o1 = 1.105905967\n"),
                       "--problem", "mazur", "--format", "json")
    assert code == 0 and json.loads(out)["claims"][0]["verdict"] == "correct"


def test_json_and_text_files_are_written(cli, tmp_path):
    out_json, out_txt = tmp_path / "r.json", tmp_path / "r.txt"
    claims = write(tmp_path, "net_H1 = 0.3825\n")
    assert cli("check", claims, "-o", str(out_json))[0] == 1
    assert json.loads(out_json.read_text())["claims"][0]["verdict"] == "wrong"
    assert cli("check", claims, "-o", str(out_txt))[0] == 1
    assert "net_H1" in out_txt.read_text() and "\x1b[" not in out_txt.read_text()


@pytest.mark.parametrize("text, line, fragment", [
    ("net_H1 = 0.3775\nthis line has no number\n", 2, "expected NAME = NUMBER"),
    ("net_H1 = zero\n", 1, "not a number"),
    ("net_H1 = 0,3775\n", 1, "use a point"),
    ("net_H1 = 0.3775 (with the bias)\n", 1, "not a number"),
    (" = 0.5\n", 1, "no name"),
    ("net_H1 = nan\n", 1, "not a number"),
    ("net_H1 = 1e999\n", 1, "has a power of ten beyond"),
    ("y1 = 0.757\nnet_H1 = 0.3775\nout_Y1 = 0.75\n", 3, "already claimed on line 1"),
    ("problem: notes\nproblem: mazur\n", 2, "already named"),
    ("problem:\n", 1, "needs a file"),
])
def test_a_bad_claims_file_exits_2_with_its_line_and_writes_nothing(cli, tmp_path, text, line, fragment):
    target = tmp_path / "report.json"
    code, out, err = cli("check", write(tmp_path, text, problem=None), "--problem", "notes", "-o", str(target))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"claims.txt: line {line}: " in err and fragment in err, err
    assert not target.exists()


@pytest.mark.parametrize("args, fragment", [
    (["no-such-claims.txt"], "no-such-claims.txt: no such file"),
    (["CLAIMS", "--problem", "no-such-problem"], "no-such-problem: no such file, and not a built-in"),
    (["PROBLEMLINE"], "claims.txt: line 1: problem 'no-such-net.yaml': no such file"),
])
def test_missing_files_and_problems_exit_2(cli, tmp_path, args, fragment):
    args = [write(tmp_path, "y1 = 0.757\n") if a == "CLAIMS" else
            write(tmp_path, "problem: no-such-net.yaml\ny1 = 0.757\n") if a == "PROBLEMLINE" else a
            for a in args]
    code, out, err = cli("check", *args)
    assert code == 2 and out == "" and fragment in err and err.count("\n") == 1, err


def test_binary_and_non_utf8_claims_exit_2(cli, tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(b"y1 = 0.757\n\xff\xfe\n")
    code, _, err = cli("check", str(path))
    assert code == 2 and "UTF-8" in err


def test_explain_round_and_sig_carry_hand_values_in_json(cli):
    import jsonschema
    from handprop.trace import schema
    for flag in ("--round", "--sig"):
        code, out, _ = cli("explain", "notes", flag, "3", "--format", "json")
        assert code == 0
        doc = json.loads(out)
        jsonschema.validate(doc, schema())
        assert doc["rounding"] == {"mode": flag[2:], "places": 3, "convention": "calculator"}
        assert set(doc["hand_values"]) == set(doc["values"])
    assert cli("explain", "--round", "2", "--sig", "2")[0] == 2
    assert cli("explain", "--round", "0")[0] == 2


def test_a_file_that_names_no_problem_is_refused(cli, tmp_path):
    """Graded against notes silently, a claimant's own network would be called all wrong."""
    code, out, err = cli("check", write(tmp_path, "net_H1 = 0.3775\n", problem=None))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "claims.txt: names no problem" in err and "--problem" in err
    assert cli("check", write(tmp_path, "net_H1 = 0.3775\n", problem=None), "--problem", "notes")[0] == 0


def test_a_file_where_nothing_could_be_checked_is_refused(cli, tmp_path):
    code, out, err = cli("check", write(tmp_path, "out_H7 = 0.5\nspeed = 3\n"))
    assert code == 2 and out == "" and "nothing could be checked" in err and "Traceback" not in err
    assert "Nothing is wrong" not in out


def test_every_unreadable_line_and_every_claim_made_twice_is_named_at_once(cli, tmp_path):
    code, out, err = cli("check", write(tmp_path, "net_H1 = zero\nout_H1 = 0.5933\nnet_H2 0.39\n = 4\n"
                                                  "out_H2 = 0,59\n"))
    assert code == 2 and out == "" and err.count("\n") == 1
    for fragment in ("line 2: 'zero' is not a number", "line 5: no name before the number",
                     "line 4: expected NAME = NUMBER", "line 6: '0,59' is not a number (use a point"):
        assert fragment in err, fragment
    code, out, err = cli("check", write(tmp_path, "net_H1 = 0.3775\nout_H1 = 0.59\nnet_H1 = 0.38\n"
                                                  "out_H1 = 0.6\n"))
    assert code == 2 and err.count("\n") == 1
    assert "line 4: 'net_H1' (net:H1) is already claimed on line 2" in err
    assert "line 5: 'out_H1' (out:H1) is already claimed on line 3" in err
    many = "".join(f"x{i} = ?\n" for i in range(15))
    code, _, err = cli("check", write(tmp_path, many))
    assert code == 2 and "and 5 more unreadable lines" in err
    # both kinds in one file: one line, in the order of the file
    code, out, err = cli("check", write(tmp_path, "net_H1 = 0.3775\nnet_H1 = 0.38\nout_H1 0.59\n"))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.index("line 3: 'net_H1' (net:H1) is already claimed on line 2") < \
        err.index("line 4: expected NAME = NUMBER")
