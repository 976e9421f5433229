"""`handprop train`: formats, the loss plot, and bad input (one line, exit 2, nothing written)."""
from __future__ import annotations

import json

import pytest

from handprop.training.history import train
from handprop.problem import load


def test_json_has_the_documented_shape(cli):
    code, out, err = cli("train", "mazur", "--steps", "10000", "--every", "2500", "-f", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert {"steps", "every", "loss", "recorded_steps", "parameters", "final"} <= set(doc)
    assert doc["steps"] == 10_000 and doc["every"] == 2_500
    assert doc["recorded_steps"] == [0, 2500, 5000, 7500, 10000]
    assert len(doc["loss"]) == 5 and set(doc["parameters"]) == set(load("mazur").params)
    assert all(len(v) == 5 for v in doc["parameters"].values())
    final = doc["final"]
    assert set(final) == {"loss", "outputs", "parameters", "state"}
    assert final["state"] == {} and doc["optimizer"] == {"name": "sgd", "weight_decay": 0.0}
    assert f"{final['loss']:.6g}" == "3.51019e-05"
    assert round(final["outputs"]["o1"], 9) == 0.015913620
    assert round(final["outputs"]["o2"], 9) == 0.984064274
    assert final["parameters"] == {n: v[-1] for n, v in doc["parameters"].items()}
    assert doc["loss"][0] == pytest.approx(0.298371109, abs=1e-9)


def test_json_names_outputs_per_sample_with_several_samples(cli, tmp_path):
    problem = tmp_path / "two.yaml"
    problem.write_text("inputs: 1\nlayers: [{size: 1, activation: sigmoid, W: [[0.5]], b: 0.1}]\n"
                       "samples: [{inputs: [1], targets: [0]}, {inputs: [-1], targets: [1]}]\n"
                       "update_biases: true\n")
    code, out, _ = cli("train", str(problem), "-n", "50", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc["final"]["outputs"]) == {"y1[1]", "y1[2]"}
    assert doc["parameters"]["b1"][0] == 0.1 and doc["parameters"]["b1"][-1] != 0.1


def test_text_summary(cli):
    code, out, _ = cli("train", "mazur", "--steps", "10000", "--width", "100")
    assert code == 0
    assert "Loss 0.298371109 at step 0 → 0.0000351018778 after 10,000 steps" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("o1 "))
    assert "0.01" in row and "0.75136507" in row and "0.0159136204" in row
    moved = out[out.index("moved most"):]
    assert moved.index("w6") < moved.index("w1")          # the output weights moved most
    assert "mixes old and new" not in out


def test_updated_variant_prints_its_note(cli, tmp_path):
    code, out, _ = cli("train", "mazur", "-n", "1", "--hidden-deltas", "updated", "--width", "200")
    assert code == 0 and "mixes old and new weights" in out and "0.291027924" in out
    code, out, err = cli("train", "mazur", "-n", "1", "--hidden-deltas", "updated", "-f", "json")
    assert "mixes old and new weights" in err and json.loads(out)["hidden_deltas"] == "updated"


def test_output_file_and_plot(cli, tmp_path):
    target, png, svg = tmp_path / "run.json", tmp_path / "loss.png", tmp_path / "loss.svg"
    code, out, _ = cli("train", "mazur", "-n", "2000", "-o", str(target), "--plot", str(png))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["steps"] == 2000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, _ = cli("train", "mazur", "-n", "100", "--plot", str(svg))
    assert code == 0 and b"<svg" in svg.read_bytes()[:400]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.png", "loss.svg", "run.json"]


def test_plot_is_logarithmic_when_the_loss_spans_decades():
    from handprop.training.plot import figure
    long = train(load("mazur"), 10_000)      # 0.298 -> 0.0000351: nearly four decades
    short = train(load("mazur"), 10)
    assert figure(long).axes[0].get_yscale() == "log"
    assert figure(short).axes[0].get_yscale() == "linear"


@pytest.mark.parametrize("args, expected", [
    (["--steps", "0"], "--steps/-n: must be between 1 and 10,000,000, not 0"),
    (["--steps", "-3"], "--steps/-n: takes a whole number"),
    (["--steps", "1000000000000"], "must be between 1 and 10,000,000, not 1,000,000,000,000"),
    (["--steps", "ten"], "--steps/-n: takes a whole number"),
    (["--steps", ",,1,,"], "--steps/-n: takes a whole number"),
    (["--steps", "1_000"], "--steps/-n: takes a whole number"),
    (["--steps", "\u0661\u0662"], "--steps/-n: takes a whole number"),
    (["--every", "0"], "--every/-k: must be between 1 and 10,000,000, not 0"),
    (["--width", "100000000"], "--width: must be between 20 and 1,000"),
    (["--steps", "10000000", "--every", "1"], "the limit is 200,000"),
    (["--plot", "{tmp}/loss.gif"], "unknown plot format '.gif'"),
    (["--plot", "{tmp}/loss"], "unknown plot format"),
    (["--plot", "{tmp}/missing/loss.png"], "does not exist"),
    (["--plot", "{tmp}"], "unknown plot format"),
    (["-o", "{tmp}/missing/out.json"], "does not exist"),
    (["--hidden-deltas", "sideways"], "invalid choice"),
    (["--engine", "scalar", "{tmp}/big.json"], "the scalar engine compiles at most"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(cli, tmp_path, args, expected):
    if "{tmp}/big.json" in args:     # 7 samples x 10,000 weights: too large to compile
        (tmp_path / "big.json").write_text(json.dumps({
            "inputs": 100, "layers": [{"size": 100, "activation": "sigmoid", "W": [[0.0] * 100] * 100}],
            "samples": [{"inputs": [0.0] * 100, "targets": [0.0] * 100}] * 7}))
    before = sorted(tmp_path.rglob("*"))
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if not any(a.endswith(".json") and "big" in a for a in args):
        args = ["mazur"] + args
    code, out, err = cli("train", *args, "-f", "json")
    assert code == 2 and out == ""
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err
    assert sorted(tmp_path.rglob("*")) == before


def test_unwritable_plot_folder(cli, tmp_path):
    import os
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        code, _, err = cli("train", "mazur", "--plot", str(locked / "loss.png"))
        assert code == 2 and "permission denied" in err and list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_divergence_is_one_line(cli, tmp_path):
    problem = tmp_path / "wild.yaml"
    problem.write_text("inputs: 1\nlayers: [{size: 1, activation: linear, W: [[3.0]]}]\n"
                       "samples: [{inputs: [10], targets: [1]}]\nloss: sse\nlearning_rate: 100\n")
    code, out, err = cli("train", str(problem), "-n", "1000", "-o", str(tmp_path / "out.json"))
    assert code == 2 and "diverged" in err and err.count("\n") == 1
    assert not (tmp_path / "out.json").exists()


def test_missing_katex_is_said_before_training(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HANDPROP_KATEX_DIR", str(tmp_path))
    code, out, err = cli("train", "mazur", "-n", "10", "-o", str(tmp_path / "run.html"))
    assert code == 3 and "katex" in err.lower() and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_the_report_and_the_plot_cannot_share_a_file(cli, tmp_path):
    target = tmp_path / "same.svg"
    code, out, err = cli("train", "mazur", "--steps", "3", "-f", "html", "-o", str(target),
                         "--plot", str(tmp_path / "." / "same.svg"))
    assert code == 2 and "--plot" in err and err.count("\n") == 1 and not target.exists()
