"""Problem files: both forms, all three formats, stdin and the built-ins load to the same Problem.

The truths here are independent of the loader: Mazur's published total error, the
numbers as typed in the files, and the engine's values compared between forms that
must describe the same network (the matrix shorthand names units x1/h1/y1 where
the built-in ``mazur`` says i1/h1/o1, so ids are compared after renaming).
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli_run import run_cli
import yaml
from hypothesis import given
from strategies import problems

from handprop.cli.main import main
from handprop.solve.engine import solve
from handprop.problem import Problem, ProblemError, builtins, load, parse

MAZUR_MATRIX = {
    "yaml": """\
title: Mazur in the matrix shorthand
inputs: 2
layers:
  - {size: 2, activation: sigmoid, W: [[0.15, 0.20], [0.25, 0.30]], b: 0.35}
  - {size: 2, activation: sigmoid, W: [[0.40, 0.45], [0.50, 0.55]], b: 0.60}
samples: [{inputs: [0.05, 0.10], targets: [0.01, 0.99]}]
loss: half_sse
learning_rate: 0.5
""",
    "json": """\
{"title": "Mazur in the matrix shorthand",
 "inputs": 2,
 "layers": [{"size": 2, "activation": "sigmoid", "W": [[0.15, 0.20], [0.25, 0.30]], "b": 0.35},
            {"size": 2, "activation": "sigmoid", "W": [[0.40, 0.45], [0.50, 0.55]], "b": 0.60}],
 "samples": [{"inputs": [0.05, 0.10], "targets": [0.01, 0.99]}],
 "loss": "half_sse", "learning_rate": 0.5}
""",
    "toml": """\
title = "Mazur in the matrix shorthand"
inputs = 2
loss = "half_sse"
learning_rate = 0.5

[[layers]]
size = 2
activation = "sigmoid"
W = [[0.15, 0.20], [0.25, 0.30]]
b = 0.35

[[layers]]
size = 2
activation = "sigmoid"
W = [[0.40, 0.45], [0.50, 0.55]]
b = 0.60

[[samples]]
inputs = [0.05, 0.10]
targets = [0.01, 0.99]
""",
}

NOTES_TOML = """\
title = "The handwritten notes network"
description = "The tutorial's 2-2-2 sigmoid network (biases 0.35 and 0.60, the notes' wiring: w5 H1->Y1, w6 H1->Y2)"
inputs = ["x1", "x2"]
loss = "half_sse"
learning_rate = 0.5
update_biases = false
batch = "sum"
layers = [{units = ["H1", "H2"], activation = "sigmoid"}, {units = ["Y1", "Y2"], activation = "sigmoid"}]
samples = [{inputs = [0.05, 0.10], targets = [0.01, 0.99]}]

[weights]
w1 = ["x1", "H1", 0.15]
w2 = ["x2", "H1", 0.20]
w3 = ["x1", "H2", 0.25]
w4 = ["x2", "H2", 0.30]
w5 = ["H1", "Y1", 0.40]
w6 = ["H1", "Y2", 0.45]
w7 = ["H2", "Y1", 0.50]
w8 = ["H2", "Y2", 0.55]

[biases]
b1 = [["H1", "H2"], 0.35]
b2 = [["Y1", "Y2"], 0.60]
"""

RENAME = {"x1": "i1", "x2": "i2", "h1": "h1", "h2": "h2", "y1": "o1", "y2": "o2"}


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _renamed(key: str) -> str:
    """A quantity id of the shorthand's network with the built-in mazur's unit names."""
    kind, _, unit = key.rpartition(":")
    return f"{kind}:{RENAME.get(unit, unit)}" if kind else key


# ---------------------------------------------------------------- both forms, three formats


@pytest.fixture(scope="module")
def mazur_matrix(tmp_path_factory) -> dict[str, Problem]:
    folder = tmp_path_factory.mktemp("mazur")
    return {fmt: load(_write(folder, f"mazur.{fmt}", text)) for fmt, text in MAZUR_MATRIX.items()}


def test_the_shorthand_reads_alike_in_yaml_json_and_toml(mazur_matrix):
    assert mazur_matrix["yaml"] == mazur_matrix["json"] == mazur_matrix["toml"]


def test_the_shorthand_generates_names_row_major(mazur_matrix):
    p = mazur_matrix["toml"]
    assert p.inputs == ("x1", "x2")
    assert [layer.units for layer in p.layers] == [("h1", "h2"), ("y1", "y2")]
    # unit, then input, as in Mazur's example: w1 x1->h1, w2 x2->h1, w3 x1->h2, ...
    assert [(w.name, w.src, w.dst, w.value) for w in p.weights] == [
        ("w1", "x1", "h1", 0.15), ("w2", "x2", "h1", 0.20), ("w3", "x1", "h2", 0.25),
        ("w4", "x2", "h2", 0.30), ("w5", "h1", "y1", 0.40), ("w6", "h2", "y1", 0.45),
        ("w7", "h1", "y2", 0.50), ("w8", "h2", "y2", 0.55)]
    assert [(b.name, b.units, b.value) for b in p.biases] == [("b1", ("h1", "h2"), 0.35),
                                                              ("b2", ("y1", "y2"), 0.60)]


def test_the_shorthand_is_mazurs_network(mazur_matrix, mazur):
    """By position: the same numbers as the explicit built-in, and the same values exactly."""
    p = mazur_matrix["yaml"]
    assert [w.value for w in p.weights] == [w.value for w in mazur.weights]
    assert [(w.src, w.dst) for w in mazur.weights] == [(RENAME[w.src], RENAME[w.dst]) for w in p.weights]
    assert [b.value for b in p.biases] == [b.value for b in mazur.biases]
    assert p.samples == mazur.samples
    ours = {_renamed(k): v for k, v in solve(p).values.items()}
    assert ours == solve(mazur).values
    assert round(ours["E:total"], 9) == 0.298371109     # Mazur's published total error


def test_the_explicit_form_reads_alike_in_yaml_json_and_toml(notes, tmp_path):
    as_json = load(_write(tmp_path, "notes.json", json.dumps(notes.to_dict(), indent=2)))
    as_toml = load(_write(tmp_path, "notes.toml", NOTES_TOML))
    builtin_text = (Path(builtins()["notes"])).read_text(encoding="utf-8")
    as_yml = load(_write(tmp_path, "notes.yml", builtin_text))
    assert as_json == as_toml == as_yml == notes
    assert as_toml.title == "The handwritten notes network"


def test_a_file_without_a_known_suffix_is_recognised(tmp_path, notes):
    for text in (NOTES_TOML, json.dumps(notes.to_dict()), (Path(builtins()["notes"])).read_text()):
        assert load(_write(tmp_path, "notes.txt", text)) == notes


def test_byte_order_mark_and_windows_line_ends(tmp_path, notes):
    text = "\ufeff" + Path(builtins()["notes"]).read_text().replace("\n", "\r\n")
    assert load(_write(tmp_path, "notes.yaml", text)) == notes


# ---------------------------------------------------------------- details of both forms


def test_samples_as_name_value_maps(notes):
    doc = notes.to_dict()
    doc["samples"] = [{"inputs": {"x2": 0.10, "x1": 0.05}, "targets": {"Y2": 0.99, "Y1": 0.01}}]
    assert parse(doc) == notes
    matrix = yaml.safe_load(MAZUR_MATRIX["yaml"])
    matrix["samples"] = [{"inputs": {"x1": 0.05, "x2": 0.10}, "targets": {"y2": 0.99, "y1": 0.01}}]
    assert parse(matrix).samples == load("mazur").samples


def test_per_unit_bias_lists_generate_b1_b2(tmp_path):
    doc = yaml.safe_load(MAZUR_MATRIX["yaml"])
    doc["layers"][0]["b"] = [0.1, 0.2]
    doc["layers"][1]["b"] = [0.3, 0.4]
    p = parse(doc)
    assert [(b.name, b.units, b.value) for b in p.biases] == [
        ("b1", ("h1",), 0.1), ("b2", ("h2",), 0.2), ("b3", ("y1",), 0.3), ("b4", ("y2",), 0.4)]
    del doc["layers"][0]["b"]
    assert [(b.name, b.units) for b in parse(doc).biases] == [("b1", ("y1",)), ("b2", ("y2",))]


def test_several_hidden_layers_are_named_h1_1(tmp_path):
    doc = {"inputs": 3,
           "layers": [{"size": 2, "W": [[1, 2, 3], [4, 5, 6]]},
                      {"size": 3, "activation": "tanh", "W": [[1, 2], [3, 4], [5, 6]], "b": 0.5},
                      {"size": 1, "activation": "linear", "W": [[7, 8, 9]]}],
           "samples": [{"inputs": [1, 0, -1], "targets": [0]}]}
    p = parse(doc)
    assert p.inputs == ("x1", "x2", "x3")
    assert [layer.units for layer in p.layers] == [("h1_1", "h1_2"), ("h2_1", "h2_2", "h2_3"), ("y1",)]
    assert [layer.activation for layer in p.layers] == ["sigmoid", "tanh", "linear"]
    assert len(p.weights) == 6 + 6 + 3
    assert [(w.name, w.src, w.dst, w.value) for w in p.weights[5:8]] == [
        ("w6", "x3", "h1_2", 6.0), ("w7", "h1_1", "h2_1", 1.0), ("w8", "h1_2", "h2_1", 2.0)]
    assert p.weights[-1] == p.weight["w15"] and (p.weights[-1].src, p.weights[-1].value) == ("h2_3", 9.0)
    assert [(b.name, b.units) for b in p.biases] == [("b1", ("h2_1", "h2_2", "h2_3"))]
    single = parse({"inputs": 1, "layers": [{"size": 1, "W": [[2]]}], "samples": [{"inputs": [1], "targets": [1]}]})
    assert single.layers[0].units == ("y1",) and single.weights[0].name == "w1"


def test_defaults_and_settings_are_read(notes):
    doc = notes.to_dict()
    for key in ("loss", "learning_rate", "update_biases", "batch"):
        del doc[key]
    p = parse(doc)
    assert (p.loss, p.learning_rate, p.update_biases, p.batch) == ("half_sse", 0.5, False, "sum")
    assert p.layers[0].activation == "sigmoid"
    doc.update(loss="mse", learning_rate=0.25, update_biases=True, batch="mean")
    doc["layers"][0].update(activation="leaky_relu", slope=0.2)
    p = parse(doc)
    assert (p.loss, p.learning_rate, p.update_biases, p.batch) == ("mse", 0.25, True, "mean")
    assert (p.layers[0].activation, p.layers[0].params) == ("leaky_relu", {"slope": 0.2})


def test_yaml_reads_exponents_as_numbers(tmp_path, notes):
    """PyYAML alone reads 1e-3 and 5.0e-1 as text; problem files read them as YAML 1.2 does."""
    text = Path(builtins()["notes"]).read_text()
    text = text.replace("learning_rate: 0.5", "learning_rate: 5e-1").replace("0.15]", "1.5E-1]")
    assert load(_write(tmp_path, "notes.yaml", text)) == notes
    quoted = text.replace("learning_rate: 5e-1", 'learning_rate: "5e-1"')
    with pytest.raises(ProblemError, match="remove the quotes"):
        load(_write(tmp_path, "quoted.yaml", quoted))


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>", "<script>alert('x')</script>",
                                  "Ω₁", "hidden one", "\"quoted\"", "a\\b", "{x}", "$y$", "隠れ"])
def test_names_that_look_like_markup_are_names(name, notes):
    """Names are the user's: HTML, quotes, TeX, unicode load fine (renderers escape them)."""
    doc = json.loads(json.dumps(notes.to_dict()).replace('"H1"', json.dumps(name)))
    p = parse(doc)
    assert p.layers[0].units == (name, "H2")
    assert p.weight["w1"].dst == name
    assert solve(p).values[f"out:{name}"] == solve(notes).values["out:H1"]


def test_an_output_named_total_is_refused_but_a_hidden_one_is_fine(notes):
    doc = json.loads(json.dumps(notes.to_dict()).replace('"Y1"', '"total"'))
    with pytest.raises(ProblemError) as info:
        parse(doc)
    assert info.value.field == "layers[1].units[0]" and "E:total" in info.value.message
    hidden = parse(json.loads(json.dumps(notes.to_dict()).replace('"H1"', '"total"')))
    assert hidden.layers[0].units[0] == "total"


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("which", ["notes", "mazur"])
def test_to_dict_round_trips_the_builtins(which):
    p = load(which)
    assert parse(p.to_dict()) == p
    assert parse(json.loads(json.dumps(p.to_dict()))) == p


def _toml(value) -> str:
    """A tiny TOML writer for the shapes of Problem.to_dict (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{_toml(str(k))} = {_toml(v)}" for k, v in value.items()) + "}"


@given(problems())
def test_to_dict_round_trips_through_parse_and_every_format(doc):
    p = parse(doc)
    again = parse(p.to_dict())
    assert again == p
    d = p.to_dict()
    texts = {"json": json.dumps(d, ensure_ascii=False), "yaml": yaml.safe_dump(d, allow_unicode=True, sort_keys=False),
             "toml": "\n".join(f"{_toml(k)} = {_toml(v)}" for k, v in d.items())}
    from handprop.problem import decode
    for fmt, text in texts.items():
        assert parse(decode(text, fmt, fmt)) == p, fmt


# ---------------------------------------------------------------- stdin, built-ins, examples


@pytest.mark.parametrize("fmt", ["yaml", "json", "toml"])
def test_stdin_in_every_format(fmt, monkeypatch, capsys, mazur_matrix):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MAZUR_MATRIX[fmt].encode())))
    assert main(["explain", "-", "--format", "json"]) == 0
    trace = json.loads(capsys.readouterr().out)
    assert trace["values"] == solve(mazur_matrix["yaml"]).values


def test_stdin_through_a_real_process(tmp_path):
    path = _write(tmp_path, "mazur.toml", MAZUR_MATRIX["toml"])
    done = run_cli("explain", "-", "--format", "json", stdin=Path(path).read_bytes())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["values"] == solve(load(path)).values


def test_builtins_load_by_name():
    assert set(builtins()) >= {"notes", "mazur"}
    notes, mazur = load("notes"), load("mazur")
    assert notes.name == "notes" and mazur.name == "mazur"
    assert notes.layers[0].units == ("H1", "H2") and mazur.layers[1].units == ("o1", "o2")
    assert notes.weight["w6"].dst == "Y2" and mazur.weight["w6"].dst == "o1"   # the two wirings
    assert load() == notes


def test_examples_lists_the_builtins_with_descriptions(capsys):
    assert main(["examples"]) == 0
    lines = capsys.readouterr().out.splitlines()
    by_name = {line.split()[0]: line.split(None, 1)[1] for line in lines}
    assert {"notes", "mazur"} <= set(by_name)
    assert "Mazur" in by_name["mazur"] and "notes" in by_name["notes"]
    assert all(len(line) <= 120 for line in lines)


def test_builtins_load_the_same_with_and_without_the_models():
    """The built-ins skip pydantic on the CLI's fast path; both paths must agree exactly."""
    from handprop.problem.reading import decode
    for name, path in builtins().items():
        data = decode(path.read_text(encoding="utf-8"), "yaml", name)
        fast = parse(data, source=name, name=name, trusted=True)
        checked = parse(data, source=name, name=name)
        assert fast == checked, name
        assert fast.to_dict() == checked.to_dict(), name
        assert load(name) == checked, name
