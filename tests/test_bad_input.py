"""Bad input of any kind: one line on stderr (file, field, what is wrong), exit 2, nothing written.

Every file in tests/bad/ is named for what is wrong with it and has a row in BAD
below: the field the message must name ("" where the fault has no field: the
file cannot be read or parsed, or the numbers overflow when computed) and a
fragment the message must contain.  The CLI runs in process for speed; a few
files also run through a real subprocess to prove no traceback reaches stderr.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_run import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handprop.cli.main import main
from handprop.problem import ProblemError, load, parse

BAD = Path(__file__).parent / "bad"

# file -> (field named in the message, fragment of the message)
BAD_FILES: dict[str, tuple[str, str]] = {
    # YAML as a reader sees it (issue 9): 1.1's numbers nobody wrote
    "yaml11_sexagesimal.yaml": ("", "1:30 would be read (YAML 1.1) as a base-60 number, 90"),
    "yaml11_underscore.yaml": ("", "0_5 would be read (YAML 1.1) as a number with underscores, 5"),
    "yaml11_octal_unit.yaml": ("", "010 would be read (YAML 1.1) as an octal number, 8"),
    "yaml11_hexadecimal.yaml": ("", "0x10 would be read (YAML 1.1) as a hexadecimal number, 16"),
    "yaml11_binary.yaml": ("", "0b1 would be read (YAML 1.1) as a binary number, 1"),
    # names that hide something, or look like another
    "name_with_terminal_escape.json": ("weights.w1[1]", "holds U+001B"),
    "name_with_bidi_override.json": ("weights.w1[1]", "holds U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    "name_with_c1_control.json": ("weights.w1[1]", "holds U+009B"),
    "name_with_lone_surrogate.json": ("weights.w1[1]", "holds U+D800 (a lone surrogate)"),
    "name_with_line_separator.json": ("weights.w1[1]", "holds U+2028 (LINE SEPARATOR)"),
    "name_with_zero_width_space.json": ("weights.w1[1]", "holds U+200B (ZERO WIDTH SPACE)"),
    "names_differ_only_by_case.json": ("layers", "'h2' (a unit) and 'H2' (a unit) differ only by case"),
    "names_nfc_and_nfd.json": ("layers[0].units", "the name 'Å1' is given to two units"),
    "names_angstrom_sign.json": ("layers[0].units", "the name 'Å1' is given to two units"),
    # empty keys, named
    "empty_key_top.yaml": ("['']", "is not a field here"),
    "empty_key_in_weights.yaml": ("weights['']", "a name cannot be empty"),
    "empty_key_in_a_sample.yaml": ("samples[0]['']", "is not a field here"),
    # bounded work, refused at once
    "unknown_field_at_a_glance.yaml": ("sampels", "is not a field here (line 26) (did you mean 'samples'?)"),
    "worked_solution_too_long.json": ("samples", "its worked solution would have 81,600 steps, more than "
                                      "the limit of 60,000 (at most 28 samples of this network fit"),
    # the wiring
    "weight_unknown_unit.yaml": ("weights.w5", "unknown unit 'H3'"),
    "weight_missing_connection.yaml": ("weights", "no weight joins 'x2' to 'H1'"),
    "weight_duplicate_connection.json": ("weights.w9", "already joined by weight 'w8'"),
    "weight_skips_a_layer.toml": ("weights.w9", "does not join a layer to the next one"),
    "weight_backwards.yaml": ("weights.w5", "does not join a layer to the next one"),
    "weight_triple_too_short.yaml": ("weights.w1", "expected [from, to, value], got a list of 2 items"),
    "weights_missing_explicit.yaml": ("weights", "is required when units are named"),
    # list lengths
    "sample_inputs_too_many.yaml": ("samples[0].inputs", "has 3 numbers; there are 2 inputs"),
    "sample_targets_too_few.json": ("samples[0].targets", "has 1 number; there are 2 output units"),
    "matrix_W_wrong_rows.yaml": ("layers[0].W", "has 1 row; the layer has 2 units"),
    "slope_on_a_sigmoid_layer.yaml": ("layers[0].slope", "is a parameter of leaky_relu; this layer is sigmoid"),
    "matrix_W_wrong_columns.toml": ("layers[1].W[1]", "has 3 numbers; a row needs one for each of the 2"),
    "matrix_b_list_wrong_length.json": ("layers[0].b", "has 3 numbers; the layer has 2 units"),
    "sample_map_unknown_name.yaml": ("samples[0].targets", "'Y3' is not one of the output units"),
    "sample_map_missing_name.yaml": ("samples[0].inputs", "no value for 'x2'"),
    # not numbers
    "number_as_text.yaml": ("weights.w1[2]", "expected a number, got the text '0.5' (remove the quotes)"),
    "number_is_true.json": ("learning_rate", "expected a number, got true"),
    "number_is_null.yaml": ("samples[0].inputs[1]", "expected a number, got nothing"),
    "number_is_a_list.toml": ("learning_rate", "expected a number, got a list"),
    "number_is_a_date.toml": ("learning_rate", "expected a number, got the date 1979-05-27"),
    "number_is_a_date.yaml": ("weights.w3[2]", "expected a number, got the date 2024-01-01"),
    # NaN, infinity, magnitudes
    "nan_yaml.yaml": ("weights.w6[2]", "NaN is not a number"),
    "inf_yaml.yaml": ("samples[0].targets[1]", "infinity is not a number"),
    "nan_json.json": ("learning_rate", "NaN is not a number"),
    "infinity_json.json": ("samples[0].inputs[0]", "infinity is not a number"),
    "overflow_1e400_json.json": ("learning_rate", "infinity is not a number"),
    "nan_toml.toml": ("biases.b1[1]", "NaN is not a number"),
    "huge_number_1e300.yaml": ("weights.w7[2]", "1e+300 is too large: numbers are limited to 1,000,000"),
    "huge_integer.yaml": ("samples[0].inputs[1]", "is too large: numbers are limited to 1,000,000"),
    # absurd sizes: the limit is in the message
    "layer_of_a_billion_units.yaml": ("layers[0].size", "1000000000 units is more than the limit of 4096"),
    "inputs_a_billion.yaml": ("inputs", "more than the limit of 4096"),
    "too_many_layers.json": ("layers", "has 33 layers, more than the limit of 32"),
    "too_many_samples.json": ("samples", "has 1,001 samples, more than the limit of 1,000"),
    "too_many_weights.yaml": ("layers", "32,000,000 weights is more than the limit of 65,536"),
    # empty things
    "layer_empty_units.yaml": ("layers[0].units", "is empty; give at least one unit"),
    "inputs_empty_list.json": ("inputs", "is empty; give at least one input"),
    "layers_empty.yaml": ("layers", "is empty; give at least one layer"),
    "matrix_size_zero.toml": ("layers[0].size", "a layer needs at least one unit"),
    "samples_empty.yaml": ("samples", "is empty; give at least one sample"),
    "bias_with_no_units.yaml": ("biases.b1", "names no units"),
    # activations and losses
    "softmax_on_hidden_layer.yaml": ("layers[0].activation", "softmax is only allowed on the output layer"),
    "softmax_one_output.json": ("layers[0].activation", "softmax needs at least 2 units"),
    "bce_target_above_one.yaml": ("samples[0].targets[1]", "bce needs targets between 0 and 1, got 1.5"),
    "cross_entropy_negative_target.json": ("samples[0].targets[0]", "between 0 and 1, got -0.2"),
    "cross_entropy_linear_output.toml": ("loss", "cross_entropy needs outputs between 0 and 1"),
    "softmax_targets_not_summing_to_one.yaml": ("samples[0].targets", "targets that sum to 1"),
    "activation_unknown.yaml": ("layers[1].activation", "unknown activation 'sigmiod' (did you mean 'sigmoid'?)"),
    "loss_unknown.json": ("loss", "unknown loss 'mean_squared'; use one of half_sse, sse, mse, l1, mae, bce"),
    "batch_unknown.yaml": ("batch", "unknown batch 'average'; use one of sum, mean"),
    "update_biases_text.json": ("update_biases", "must be true or false, got the text 'yes'"),
    "learning_rate_negative.yaml": ("learning_rate", "must not be negative"),
    "learning_rate_negative.toml": ("learning_rate", "must not be negative"),
    # fields
    "field_typo_learning_rat.yaml": ("learning_rat", "is not a field here (line 21) (did you mean 'learning_rate'?)"),
    "field_typo_in_sample.json": ("samples[0].target", "did you mean 'targets'?"),
    "field_typo_in_layer.yaml": ("layers[0].activaton", "did you mean 'activation'?"),
    "field_key_with_newline.yaml": ("learning\\nrate", "is not a field here"),
    "forms_mixed_explicit_with_W.yaml": ("layers[1]", "use one form for the whole file"),
    "forms_mixed_matrix_with_weights.yaml": ("weights", "give W and b in each layer"),
    "forms_mixed_matrix_with_units.yaml": ("layers[1]", "use one form for the whole file"),
    # names
    "name_unit_and_weight_alike.yaml": ("weights.H1", "the name 'H1' is used for a unit and a weight"),
    "name_unit_twice.yaml": ("layers[1].units", "the name 'H2' is given to two units"),
    "bias_unit_in_two_biases.yaml": ("biases.b3", "unit 'Y1' already has bias 'b2'"),
    "bias_names_an_input.yaml": ("biases.b1", "'x1' is an input; only units of a layer have a bias"),
    "bias_unknown_unit.yaml": ("biases.b2", "unknown unit 'Y9'"),
    "name_with_colon.yaml": ("layers[0].units[0]", "name 'H:1' contains ':'"),
    "name_with_bracket.json": ("inputs[0]", "name 'x[1]' contains '[]'"),
    "name_with_newline.yaml": ("layers[0].units[0]", "line breaks"),
    "name_10000_characters.yaml": ("layers[0].units[0]", "at most 64 characters; this one has 10,000"),
    "name_10000_characters_key.json": ("weights.wwwwwwwwwwwwwwwwwwwwwwww…", "this one has 10,000"),
    "name_empty.yaml": ("layers[0].units[0]", "a name cannot be empty"),
    "name_is_yes.yaml": ("layers[1].units[0]", "put the name in quotes"),
    # keys given twice (JSON and PyYAML alone would keep the last one silently)
    "duplicate_key_json.json": ("weights.w1", "the key 'w1' is given twice"),
    "duplicate_key_yaml.yaml": ("weights.w3", "the key 'w3' is given twice (lines 9 and 10)"),
    "duplicate_key_top_level.yaml": ("learning_rate", "is given twice (lines 21 and 22)"),
    "duplicate_key.toml": ("", "not valid TOML: line 5, column 20: cannot overwrite a value"),
    # not a valid document
    "syntax_error.yaml": ("", "not valid YAML: line 3, column 7: expected ',' or ']'"),
    "syntax_error.toml": ("", "not valid TOML: line 3, column 17"),
    "syntax_error.json": ("", "not valid JSON: line 93, column 2: Expecting ',' delimiter"),
    "yaml_two_documents.yaml": ("", "expected a single document"),
    "yaml_tag_python_object.yaml": ("", "is not allowed in problem files"),
    "empty_file.yaml": ("", "is empty"),
    "empty_file.json": ("", "is empty"),
    "only_comments.toml": ("", "has no fields"),
    "top_level_list.json": ("", "expected a mapping of fields at the top"),
    "top_level_scalar.yaml": ("", "got the text 'notes'"),
    "binary_nul_bytes.yaml": ("", "not a text file (it contains NUL bytes)"),
    "invalid_utf8.yaml": ("", "is not UTF-8 text (byte 31"),
    "alias_bomb.yaml": ("", "aliases (*name) are not allowed"),
    "deeply_nested.json": ("", "nested too deeply"),
    "deeply_nested.yaml": ("", "nested too deeply"),
    "layers_not_a_list.yaml": ("layers", "expected a list, got the text 'sigmoid'"),
    "layer_not_a_mapping.yaml": ("layers[0]", "expected a mapping"),
    # valid files whose numbers overflow float64 only when computed (the engine's NumericError)
    "overflow_32_linear_layers.yaml": ("", "overflow float64"),
    "overflow_after_update.yaml": ("", "new:E:total is inf"),
}


def _files() -> list[str]:
    return sorted(p.name for p in BAD.iterdir())


def test_the_catalogue_and_its_table_agree():
    assert _files() == sorted(BAD_FILES), "every file in tests/bad/ needs a row in BAD_FILES, and back"
    assert len(BAD_FILES) >= 30
    suffixes = {Path(name).suffix for name in BAD_FILES}
    assert suffixes == {".yaml", ".json", ".toml"}


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    assert err.endswith("\n")
    return lines[0]


def _check_line(line: str, source: str, field: str, fragment: str) -> None:
    head = f"handprop: {source}: " + (f"{field}: " if field else "")
    assert line.startswith(head), f"{line!r} should start with {head!r}"
    assert fragment in line, f"{fragment!r} not in {line!r}"


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_in_process(name, tmp_path, capsys):
    field, fragment = BAD_FILES[name]
    path = BAD / name
    out = tmp_path / "out.txt"
    code = main(["explain", str(path), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    _check_line(_one_line(captured.err), str(path), field, fragment)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "no output and no temporary file may be left behind"


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_through_the_library(name):
    """load() raises ProblemError and nothing else; its text is the CLI's line without 'handprop: '."""
    field, fragment = BAD_FILES[name]
    if name.startswith("overflow_") and "1e400" not in name:
        from handprop.solve.engine import NumericError, solve
        with pytest.raises(NumericError):
            solve(load(str(BAD / name)))
        return
    with pytest.raises(ProblemError) as info:
        if name == "worked_solution_too_long.json":    # a fine problem, too large to work out
            from handprop.solve import explain
            explain(load(str(BAD / name)))
        else:
            load(str(BAD / name))
    assert info.value.field == field.replace("\\n", "\n")
    assert fragment in str(info.value)


SUBPROCESS = ["deeply_nested.json", "alias_bomb.yaml", "binary_nul_bytes.yaml", "duplicate_key_json.json",
              "yaml_tag_python_object.yaml", "overflow_32_linear_layers.yaml", "name_with_newline.yaml"]


def _cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, stdin=stdin, cwd=cwd)


@pytest.mark.parametrize("name", SUBPROCESS)
def test_bad_file_in_a_real_process(name, tmp_path):
    field, fragment = BAD_FILES[name]
    out = tmp_path / "out.tex"
    done = _cli("explain", str(BAD / name), "-o", str(out))
    assert done.returncode == 2
    assert done.stdout == b""
    _check_line(_one_line(done.stderr.decode()), str(BAD / name), field, fragment)
    assert list(tmp_path.iterdir()) == []


def test_bad_stdin_in_a_real_process():
    done = _cli("explain", "-", stdin=(BAD / "number_as_text.yaml").read_bytes())
    assert done.returncode == 2 and done.stdout == b""
    _check_line(_one_line(done.stderr.decode()), "<stdin>", "weights.w1[2]", "expected a number")


def test_bad_stdin_in_process(monkeypatch, capsys):
    import io
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"inputs: [x1\n")))
    assert main(["explain", "-"]) == 2
    _check_line(_one_line(capsys.readouterr().err), "<stdin>", "", "not valid YAML")


# ---------------------------------------------------------------- not a file at all


def _run(args: list[str], capsys) -> str:
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    return _one_line(captured.err)


def test_a_directory_as_the_problem(tmp_path, capsys):
    line = _run(["explain", str(tmp_path), "-o", str(tmp_path / "out.txt")], capsys)
    _check_line(line, str(tmp_path), "", "is a directory, not a problem file")
    assert list(tmp_path.iterdir()) == []


def test_a_nonexistent_file(tmp_path, capsys):
    missing = tmp_path / "no_such_problem.yaml"
    line = _run(["explain", str(missing), "-o", str(tmp_path / "out.txt")], capsys)
    _check_line(line, str(missing), "", "no such file, and not a built-in problem (built-in problems: ")
    assert "mazur" in line and "notes" in line
    assert list(tmp_path.iterdir()) == []


def test_a_misspelt_builtin_gets_a_suggestion(capsys):
    line = _run(["explain", "ntoes"], capsys)
    _check_line(line, "ntoes", "", "did you mean 'notes'?")


def test_a_path_too_long_for_the_system(tmp_path, capsys):
    name = "p" * 5000 + ".yaml"
    line = _run(["explain", name, "-o", str(tmp_path / "out.txt")], capsys)
    assert line.startswith(f"handprop: {name}: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_read_only_up_to_the_limit(capsys):
    """Reading stops at the size limit (32 MiB of NUL bytes), it does not fill the memory."""
    line = _run(["explain", "/dev/zero"], capsys)
    _check_line(line, "/dev/zero", "", "MiB")


def test_too_many_samples_for_the_network(tmp_path, capsys):
    """Samples x parameters is bounded too: each pair is a per-sample gradient held in memory."""
    doc = {"inputs": 100, "layers": [{"size": 41, "W": [[0] * 100] * 41}],
           "samples": [{"inputs": [0] * 100, "targets": [0] * 41}] * 1000}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    line = _run(["explain", str(path)], capsys)
    _check_line(line, str(path), "samples", "1,000 samples x 4,100 weights and biases is 4,100,000 "
                "per-sample gradients, more than the limit of 4,000,000")


# ---------------------------------------------------------------- bad options


@pytest.mark.parametrize("args, fragment", [
    (["--digits", "0"], "--digits: must be between 1 and 17"),
    (["--digits", "x"], "--digits: takes a whole number such as 1 or 17, not 'x'"),
    (["--digits", "99"], "--digits: must be between 1 and 17"),
    (["--format", "nope"], "invalid choice: 'nope'"),
])
def test_bad_options(args, fragment, tmp_path, capsys):
    out = tmp_path / "out.txt"
    line = _run(["explain", "notes", "-o", str(out), *args], capsys)
    assert line.startswith("handprop: ") and fragment in line
    assert list(tmp_path.iterdir()) == []


def test_output_into_a_missing_folder(tmp_path, capsys):
    target = tmp_path / "missing" / "out.md"
    line = _run(["explain", "notes", "-o", str(target)], capsys)
    _check_line(line, str(target), "", "folder")
    assert list(tmp_path.iterdir()) == []


def test_output_onto_a_directory(tmp_path, capsys):
    (tmp_path / "keep").mkdir()
    line = _run(["explain", "notes", "-o", str(tmp_path / "keep")], capsys)
    _check_line(line, str(tmp_path / "keep"), "", "is a directory")
    assert [p.name for p in tmp_path.iterdir()] == ["keep"] and not any((tmp_path / "keep").iterdir())


def test_bad_options_in_a_real_process(tmp_path):
    done = _cli("explain", "notes", "--digits", "0", "-o", str(tmp_path / "out.txt"))
    assert done.returncode == 2 and done.stdout == b""
    assert _one_line(done.stderr.decode()).startswith("handprop: ")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- fuzz: only ProblemError escapes

FIELDS = ["title", "description", "inputs", "layers", "weights", "biases", "samples", "loss",
          "learning_rate", "update_biases", "batch", "units", "activation", "slope", "size", "W", "b",
          "targets", "x1", "H1", "Y1", "w1", "b1"]
_scalars = (st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=True)
            | st.sampled_from(FIELDS + ["sigmoid", "softmax", "cross_entropy", "mean", "a:b", "x[1]", ""])
            | st.text(max_size=8))
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6),
                                                                 inner, max_size=6),
    max_leaves=40)


def _valid() -> dict:
    return json.loads(json.dumps(load("notes").to_dict()))


def _paths(doc, path=()):
    yield path
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, path + (i,))


def _like(value) -> st.SearchStrategy:
    """Values of the same kind as ``value``: near-valid replacements reach the deeper checks."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, float):
        return st.floats(-2e6, 2e6) | st.sampled_from([0.0, -0.0, 1.0, 1e6, -1e6, 5e-324, 1e6 + 1])
    if isinstance(value, int):
        return st.integers(-2, 5)
    if isinstance(value, str):
        return st.sampled_from(["x1", "x2", "H1", "H2", "Y1", "Y2", "w1", "b1", "total", "sigmoid", "tanh",
                                "relu", "leaky_relu", "linear", "softmax", "half_sse", "sse", "mse", "bce",
                                "cross_entropy", "sum", "mean"])
    if isinstance(value, list):
        return st.lists(_like(value[0]) if value else _scalars, max_size=4)
    return _documents


@st.composite
def _mutated(draw):
    """A valid problem with a few values replaced, removed or added: deep, near-valid input."""
    doc = _valid()
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(doc))[1:]
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["alike", "alike", "alike", "replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(FIELDS))] = draw(_documents)
        elif action == "alike":
            parent[path[-1]] = draw(_like(parent[path[-1]]))
        else:
            parent[path[-1]] = draw(_documents)
    return doc


FUZZ = max(300, settings.default.max_examples)   # cheap examples: more than the profile's default


def _only_problem_errors(doc) -> None:
    try:
        problem = parse(doc, source="fuzz")
    except ProblemError as err:
        assert "\n" not in str(err) and str(err).startswith("fuzz: ")
        return
    from handprop.solve.engine import solve
    try:
        solve(problem)
    except ProblemError:
        pass
    assert parse(problem.to_dict()) == problem


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_random_documents_raise_only_problem_errors(doc):
    _only_problem_errors(doc)


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_problems_raise_only_problem_errors(doc):
    _only_problem_errors(doc)


_SYNTAX = "{}[]:,-# \n\"'=.0123456789abexyz&*!|>?~@`\t"
_texts = st.text(alphabet=_SYNTAX, max_size=120).map(str.encode)


@settings(max_examples=FUZZ, deadline=None)
@given(st.binary(max_size=120) | _texts, st.sampled_from([".yaml", ".json", ".toml", ".txt"]))
def test_random_bytes_raise_only_problem_errors(data, suffix):
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "fuzz" + suffix)
        Path(path).write_bytes(data)
        try:
            load(path)
        except ProblemError as err:
            assert "\n" not in str(err) and str(err).startswith(path + ": ")


def test_explain_refuses_to_overwrite_its_own_problem_file(tmp_path, capsys):
    from handprop.cli.main import main
    problem = tmp_path / "p.yaml"
    text = (Path(__file__).resolve().parents[1] / "src/handprop/problem/examples/notes.yaml").read_text()
    problem.write_text(text)
    assert main(["explain", str(problem), "-o", str(problem)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "problem file itself" in err[0]
    assert problem.read_text() == text


@pytest.mark.parametrize("args", [["explain", "notes"], ["check", "examples/notes-claims.txt"],
                                  ["train", "mazur", "-n", "5"]])
@pytest.mark.parametrize("target", ["solution.docx", "solution", "notes.yaml.bak"])
def test_an_output_whose_suffix_names_no_format_is_refused(cli, tmp_path, args, target):
    out = tmp_path / target
    code, stdout, err = cli(*args, "-o", str(out))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "names no output format" in err and "--format" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []
    code, _, err = cli(*args, "-o", str(out), "--format", "json")     # an explicit format writes it
    assert code in (0, 1) and out.exists(), err
