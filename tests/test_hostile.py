"""Nothing lost, nothing let in (issue 9): claims files, command-line flags, output targets and
the Python API, each bad case one line naming the file and the field, exit status 2, no
traceback, nothing written or changed; and what must work on odd but valid input.

The problem-file cases are the catalogue of tests/bad/ (tests/test_bad_input.py); the
tables here are the rest of it.  ``test_the_catalogue_has_at_least_150_cases`` counts both.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_run import run_cli
from handprop.cli.main import main
from handprop.errors import HandpropError, ProblemError, UsageError

NOTES = Path(__file__).resolve().parents[1] / "src" / "handprop" / "problem" / "examples" / "notes.yaml"


def _one_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    return lines[0]


def _listing(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _refused(args: list[str], capsys, folder: Path) -> str:
    """Run in process: exit 2, nothing on stdout, one line on stderr, the folder unchanged."""
    before = _listing(folder)
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert out == ""
    line = _one_line(err)
    assert line.startswith("handprop: ")
    assert _listing(folder) == before, "a refused command wrote or changed a file"
    return line


# ---------------------------------------------------------------- claims files

CLAIMS: dict[str, tuple[str, str, str]] = {
    # name: (text of the file, the field (line) named, a fragment)
    "terminal escape in a name": ("out\x1b[31m_H1 = 0.5\n", "line 1", "holds U+001B"),
    "bidi override in a name": ("out_H1\u202e = 0.5\n", "line 1", "holds U+202E"),
    "C1 control in a name": ("out\x9b_H1 = 0.5\n", "line 1", "holds U+009B"),
    "zero-width space in a name": ("out_\u200bH1 = 0.5\n", "line 1", "holds U+200B"),
    "a power of ten beyond any hand": ("out_H1 = 0e400\n", "line 1", "'0e400' has a power of ten beyond ±40"),
    "a huge number": ("out_H1 = 1e400\n", "line 1", "'1e400' has a power of ten beyond ±40"),
    "a working of 50,000 terms": ("out_H1 = " + " + ".join(["0.01"] * 50_000) + " = 0.5\n", "line 1",
                                  "characters long; a claim fits on a line of at most 2,000"),
    "100,000 minus signs": ("out_H1 = " + "-" * 100_000 + "0.5\n", "line 1", "characters long"),
    "a line of 100,000 spaces": ("out_H1 = " + " " * 100_000 + "0.5\n", "line 1", "characters long"),
    "a comma for the point": ("out_H1 = 0,5933\n", "line 1", "use a point for decimals"),
    "no number": ("out_H1 = \n", "line 1", "no number after the name"),
    "no name": (" = 0.5\n", "line 1", "no name before the number"),
    "no equals sign": ("out_H1 0.5\n", "line 1", "expected NAME = NUMBER"),
    "the problem named twice": ("problem: notes\nproblem: mazur\nout_H1 = 0.5\n", "line 2",
                                "the problem is already named on line 1"),
    "an empty problem line": ("problem:\nout_H1 = 0.5\n", "line 1", "'problem:' needs a file"),
    "no claims at all": ("# nothing here\n\n", "", "has no claims"),
    "a nested heading": ("[a [b] c]\nout_H1 = 0.5\n", "line 1", "expected NAME = NUMBER"),
    "a number that is text": ("out_H1 = abc\n", "line 1", "'abc' is not a number"),
}


@pytest.mark.parametrize("case", sorted(CLAIMS))
def test_a_bad_claims_file_is_one_line(case, tmp_path, capsys):
    text, field, fragment = CLAIMS[case]
    claims = tmp_path / "claims.txt"
    claims.write_text(text, encoding="utf-8")
    line = _refused(["check", str(claims), "-o", str(tmp_path / "report.txt")], capsys, tmp_path)
    assert line.startswith(f"handprop: {claims}: " + (f"{field}: " if field else "")), line
    assert fragment in line, line


@pytest.mark.parametrize("data, fragment", [
    (b"out_H1 = 0.5\x00\n", "NUL bytes"),
    (b"out_H1 = \xff0.5\n", "is not UTF-8 text"),
])
def test_a_claims_file_that_is_not_text(data, fragment, tmp_path, capsys):
    claims = tmp_path / "claims.txt"
    claims.write_bytes(data)
    line = _refused(["check", str(claims)], capsys, tmp_path)
    assert fragment in line


def test_markup_in_claims_is_printed_as_written(tmp_path, capsys):
    """rich markup in a claim is text: E[/] = 0.3 is an unknown name, not a MarkupError."""
    claims = tmp_path / "claims.txt"
    claims.write_text("problem: notes\n[forward pass]\nE[/] = 0.3\nx[bold red]RED[/] = 0.5\nout_H1 = 0.5933\n",
                      encoding="utf-8")
    for args in (["check", str(claims)], ["check", str(claims), "--width", "120"]):
        code = main(args)
        out, err = capsys.readouterr()
        assert code == 0 and err == ""
        assert "E[/]" in out and "x[bold red]RED[/]" in out and "\x1b" not in out


def test_a_long_heading_does_not_squeeze_the_table(tmp_path, capsys):
    claims = tmp_path / "claims.txt"
    claims.write_text("problem: notes\n[" + "H" * 70 + "]\nnet_H1 = 0.3825\nout_H1 = 0.5933\n", encoding="utf-8")
    assert main(["check", str(claims), "--width", "80"]) == 1
    out = capsys.readouterr().out
    assert "…" not in out and "net_H1" in out and "wrong" in out and "0.3775" in out


def test_a_heading_with_hidden_characters_is_shown_escaped(tmp_path, capsys):
    claims = tmp_path / "claims.txt"
    claims.write_text("problem: notes\n[part \x1bc one \u202e]\nout_H1 = 0.5933\n", encoding="utf-8")
    for fmt in ("text", "json", "html"):
        assert main(["check", str(claims), "-f", fmt]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\u202e" not in out, fmt
        assert fmt != "text" or "\\x1b" in out, fmt       # the table shows the heading, escaped


def test_a_class_of_claims_is_graded_in_seconds(tmp_path):
    """30 students x 40 numbers, a third of them wrong: the checker's shared search (the bound
    itself is a benchmark line: make bench)."""
    from handprop.checking.claims import read
    from handprop.checking.verdicts import check_file
    from handprop.problem import load
    from handprop.solve import solve
    import random
    values = solve(load("notes")).values
    keys = [k for k in values if not k.startswith("new:E")][:40]
    rng = random.Random(9)
    lines = ["problem: notes"]
    for student in range(30):
        lines.append(f"[student {student + 1}]")
        for k in keys:
            v = values[k] * (1 + rng.choice([0, 0, 0.0001, 0.1, -0.3]))
            lines.append(f"{k} = {v:.4g}")
    path = tmp_path / "class.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_file(read(str(path)), None)
    assert len(report.verdicts) == 1200
    assert {v.verdict for v in report.verdicts} >= {"correct", "wrong"}


# ---------------------------------------------------------------- command-line flags

FLAGS: list[tuple[list[str], str]] = [
    (["explain", "notes", "--convention", "every-step"], "--convention: is how to work an activation by hand"),
    (["explain", "notes", "--latex", "beamer"], "--latex: chooses the form of a LaTeX output, and this output is text"),
    (["explain", "notes", "--latex", "body", "-f", "typst"], "this output is typst"),
    (["explain", "notes", "--compact", "-f", "json"], "--compact: changes how a worked solution is written"),
    (["explain", "notes", "--view", "matrix", "-f", "python"], "--view: changes how a worked solution is written"),
    (["train", "notes", "--steps", ",,1,,"], "--steps/-n: takes a whole number"),
    (["train", "notes", "--steps", "1,2,3"], "--steps/-n: takes a whole number"),
    (["train", "notes", "--steps", "+5"], "--steps/-n: takes a whole number"),
    (["train", "notes", "--steps", " 7"], "--steps/-n: takes a whole number"),
    (["train", "notes", "--steps", "1_000"], "--steps/-n: takes a whole number"),
    (["train", "notes", "--steps", "\u0661\u0662"], "--steps/-n: takes a whole number"),
    (["train", "notes", "--steps", "0"], "must be between 1 and 10,000,000"),
    (["train", "notes", "--every", ",2,"], "--every/-k: takes a whole number"),
    (["train", "notes", "--width", "100000000"], "--width: must be between 20 and 1,000"),
    (["explain", "notes", "--width", "0"], "--width: must be between 20 and 1,000"),
    (["explain", "notes", "--width", "1e12"], "--width: takes a whole number"),
    (["check", "notes-claims", "--width", "-5"], "--width: takes a whole number"),
    (["explain", "notes", "--digits", "1.5"], "--digits: takes a whole number"),
    (["explain", "notes", "--round", "0"], "--round: must be between"),
    (["explain", "notes", "--sig", "99"], "--sig: must be between"),
    (["explain", "notes", "--round", "2", "--sig", "3"], "not allowed with argument --round"),
    (["explain", "notes", "--format", "docx"], "invalid choice: 'docx'"),
    (["train", "notes", "--engine", "gpu"], "invalid choice: 'gpu'"),
    (["train", "notes", "--hidden-deltas", "sideways"], "invalid choice"),
    (["verify", "notes", "--torch"], "unrecognized arguments"),
    (["explain", "nots"], "did you mean 'notes'?"),
    (["explain", "notes", "extra"], "unrecognized arguments"),
    (["explain", "-", "--problem", "notes"], "unrecognized arguments"),
]


@pytest.mark.parametrize("args, fragment", FLAGS, ids=[" ".join(a)[:50] for a, _ in FLAGS])
def test_a_bad_flag_is_one_line(args, fragment, tmp_path, capsys):
    line = _refused(args + ["-o", str(tmp_path / "out.txt")] if args[0] != "check" else args,
                    capsys, tmp_path)
    assert fragment in line, line


# ---------------------------------------------------------------- output targets

def _explain(target: str) -> list[str]:
    return ["explain", "notes", "-f", "text", "-o", target]


OUTPUTS: dict[str, tuple] = {
    # case: (args from the folder, fragment)
    "an empty name": (lambda d: ["explain", "notes", "-o", ""], "-o: an empty output name"),
    "a NUL in the name": (lambda d: ["explain", "notes", "-o", f"{d}/a\0b.txt"], "cannot hold a NUL"),
    "a directory": (lambda d: ["explain", "notes", "-o", str(d)], "is a directory"),
    "a missing folder": (lambda d: ["explain", "notes", "-o", f"{d}/no/out.txt"], "does not exist"),
    "a file where a folder should be": (lambda d: ["explain", "notes", "-o", f"{d}/file.txt/out.txt"],
                                        "not a folder"),
    "a 256-byte name": (lambda d: ["explain", "notes", "-o", f"{d}/{'a' * 252}.txt"],
                        "the file name is 256 bytes long"),
    "a 300-byte name": (lambda d: ["explain", "notes", "-o", f"{d}/{'b' * 296}.txt"],
                        "the file name is 300 bytes long"),
    "a 300-byte folder name": (lambda d: ["explain", "notes", "-o", f"{d}/{'c' * 300}/x.txt"],
                               "File name too long"),
    "an unknown suffix": (lambda d: ["explain", "notes", "-o", f"{d}/x.docx"], "names no output format"),
    "no suffix": (lambda d: ["explain", "notes", "-o", f"{d}/x"], "has no suffix"),
    "explain over its problem": (lambda d: ["explain", f"{d}/p.yaml", "-o", f"{d}/p.yaml"],
                                 "is the problem file itself"),
    "explain over its problem by a link": (lambda d: ["explain", f"{d}/p.yaml", "-f", "text", "-o", f"{d}/link"],
                                           "is the problem file itself"),
    "explain over its problem by a hard link": (lambda d: ["explain", f"{d}/p.yaml", "-f", "text", "-o",
                                                           f"{d}/hard"], "is the problem file itself"),
    "train over its problem": (lambda d: ["train", f"{d}/p.yaml", "--steps", "2", "-f", "text", "-o",
                                          f"{d}/link"], "is the problem file itself"),
    "train plot over its problem": (lambda d: ["train", f"{d}/p.yaml", "--steps", "2", "--plot",
                                               f"{d}/p.yaml"], "unknown plot format"),
    "train report and plot in one file": (lambda d: ["train", "notes", "--steps", "2", "-f", "html", "-o",
                                                     f"{d}/x.svg", "--plot", f"{d}/x.svg"], "is also the --plot file"),
    "check over its claims": (lambda d: ["check", f"{d}/c.txt", "-f", "text", "-o", f"{d}/c.txt"],
                              "is the claims file itself"),
    "check over the problem its claims name": (lambda d: ["check", f"{d}/c.txt", "-f", "text", "-o",
                                                          f"{d}/p.yaml"], "is the problem file itself"),
    "check over its --problem": (lambda d: ["check", f"{d}/c2.txt", "-p", f"{d}/p.yaml", "-f", "text",
                                            "-o", f"{d}/hard"], "is the problem file itself"),
    "torch export over its problem": (lambda d: ["torch", "export", f"{d}/p.yaml", "-o", f"{d}/p.yaml"],
                                      "is the problem file itself"),
    "torch export to YAML": (lambda d: ["torch", "export", "notes", "-o", f"{d}/m.yaml"], "names no output format"),
    "torch import over its state dict": (lambda d: ["torch", "import", f"{d}/m.pt", "--activations",
                                                    "sigmoid,sigmoid", "--inputs", "[0.05, 0.1]", "--targets",
                                                    "[0.01, 0.99]", "-o", f"{d}/m.pt"], "is the state dict file itself"),
    "torch import to INI": (lambda d: ["torch", "import", f"{d}/m.pt", "--activations", "sigmoid,sigmoid",
                                       "--inputs", "[0.05, 0.1]", "--targets", "[0.01, 0.99]", "-o",
                                       f"{d}/p.ini"], "names no output format"),
}


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "p.yaml").write_bytes(NOTES.read_bytes())
    (tmp_path / "file.txt").write_text("a file\n")
    os.symlink(tmp_path / "p.yaml", tmp_path / "link")
    os.link(tmp_path / "p.yaml", tmp_path / "hard")
    (tmp_path / "c.txt").write_text(f"problem: {tmp_path / 'p.yaml'}\nout_H1 = 0.5933\n")
    (tmp_path / "c2.txt").write_text("out_H1 = 0.5933\n")
    return tmp_path


@pytest.mark.parametrize("case", sorted(OUTPUTS))
def test_a_bad_output_target_is_one_line_and_changes_nothing(case, tmp_path, capsys):
    make, fragment = OUTPUTS[case]
    folder = _folder(tmp_path)
    if case.startswith("torch"):
        pytest.importorskip("torch")
        main(["torch", "export", "notes", "-o", str(folder / "m.pt")])
        capsys.readouterr()
    line = _refused(make(folder), capsys, folder)
    assert fragment in line, line


def test_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "out.txt"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    done = run_cli(*_explain(str(fifo)))
    got = reader.communicate(timeout=60)[0]
    assert done.returncode == 0, done.stderr
    assert got.startswith(b"The handwritten notes network") and fifo.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_character_device_is_written_through_never_replaced():
    before = os.stat("/dev/null")
    assert main(["explain", "notes", "-o", "/dev/null"]) == 0
    after = os.stat("/dev/null")
    assert os.path.exists("/dev/null") and (before.st_ino, before.st_rdev) == (after.st_ino, after.st_rdev)
    import stat
    assert stat.S_ISCHR(after.st_mode)


def test_dev_stdout_redirected_to_a_file_keeps_the_output(tmp_path):
    target = tmp_path / "captured.txt"
    with open(target, "wb") as out:
        done = subprocess.run([sys.executable, "-m", "handprop.cli", "explain", "notes", "-o", "/dev/stdout"],
                              stdout=out, stderr=subprocess.PIPE, timeout=120)
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8").startswith("The handwritten notes network")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["captured.txt"]


def test_a_symbolic_link_is_followed_and_stays(tmp_path, capsys):
    real, link = tmp_path / "real.txt", tmp_path / "link.txt"
    real.write_text("old\n")
    os.symlink(real, link)
    mode = 0o640
    os.chmod(real, mode)
    assert main(_explain(str(link))) == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("The handwritten notes network")
    assert (real.stat().st_mode & 0o777) == mode            # the target keeps its permissions
    dangling = tmp_path / "dangling.txt"
    os.symlink(tmp_path / "new.txt", dangling)
    assert main(_explain(str(dangling))) == 0
    assert dangling.is_symlink() and (tmp_path / "new.txt").read_text(encoding="utf-8").startswith("The")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".hp-")]


def test_an_output_named_like_a_builtin_does_not_hide_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["explain", "notes", "-f", "json", "-o", "notes"]) == 0
    assert main(["examples"]) == 0
    assert "notes" in capsys.readouterr().out
    assert main(["explain", "notes", "-o", "again.txt"]) == 0      # still the built-in
    assert main(["explain", "./notes", "-o", "x.txt"]) == 2        # the file, as a path: JSON of a trace
    assert "is not a field here" in capsys.readouterr().err


def test_a_long_target_name_gets_a_short_temporary_name(tmp_path):
    target = tmp_path / ("n" * 250 + ".txt")           # 254 bytes: a temporary .NAME.tmpPID would not fit
    assert main(_explain(str(target))) == 0
    assert target.read_text(encoding="utf-8").startswith("The handwritten notes network")


@pytest.mark.parametrize("sig, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)])
def test_a_signal_during_a_large_write_leaves_nothing(sig, status, tmp_path):
    """A 784-16-16-10 trace is written for about a second: stopped half-way, no temporary or
    partial file stays, and the command says why it stopped."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_page import big_problem
    import json
    problem = tmp_path / "big.json"
    problem.write_text(json.dumps(big_problem()))
    out = tmp_path / "out" / "trace.json"
    out.parent.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "handprop.cli", "explain", str(problem), "-f", "json",
                             "-o", str(out)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(out.parent.iterdir()) and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the write finished before the signal")
    assert proc.returncode == status, err
    assert list(out.parent.iterdir()) == [], "a temporary or partial file was left behind"
    assert _one_line(err.decode()) in ("handprop: terminated", "handprop: interrupted")


def test_a_writer_that_fails_half_way_leaves_nothing(tmp_path, monkeypatch):
    from handprop.render import json as json_writer

    def broken(trace, digits=None, options=None):
        yield b"{"
        raise RuntimeError("the writer broke")
    monkeypatch.setattr(json_writer, "render_chunks", broken)
    with pytest.raises(RuntimeError):
        main(["explain", "notes", "-f", "json", "-o", str(tmp_path / "t.json")])
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the Python API

def _cyclic_list():
    a = [0.05]
    a.append(a)
    return {"inputs": 1, "layers": [{"size": 1, "W": [[0.5]]}], "samples": [{"inputs": a, "targets": [1]}]}


def _cyclic_dict():
    d = {"inputs": 1, "layers": [{"size": 1, "W": [[0.5]]}], "samples": [{"inputs": [1], "targets": [1]}]}
    d["layers"][0]["extra"] = d
    return d


API: dict[str, tuple] = {
    "load(None)": (lambda: _api().load(None), "a problem is named by a string"),
    "load(0)": (lambda: _api().load(0), "not int"),
    "load(1.5)": (lambda: _api().load(1.5), "not float"),
    "load(True)": (lambda: _api().load(True), "not bool"),
    "load(bytes)": (lambda: _api().load(b"notes"), "not bytes"),
    "load(dict)": (lambda: _api().load({"inputs": 1}), "not dict"),
    "load(list)": (lambda: _api().load([1, 2]), "not list"),
    "load(object)": (lambda: _api().load(object()), "not object"),
    "load(missing)": (lambda: _api().load("/no/such/file.yaml"), "no such file"),
    "parse(None)": (lambda: _api().parse(None), "is empty"),
    "parse(3)": (lambda: _api().parse(3), "got the number 3"),
    "parse(bytes)": (lambda: _api().parse(b"inputs: 1"), "got binary data"),
    "parse(list)": (lambda: _api().parse([1, 2]), "got a list of 2 items"),
    "parse(a cyclic list)": (lambda: _api().parse(_cyclic_list()), "holds itself"),
    "parse(a cyclic dict)": (lambda: _api().parse(_cyclic_dict()), "holds itself"),
    "parse(a set)": (lambda: _api().parse({"inputs": {1, 2}}), "cannot be used in a problem file"),
    "parse(a non-text key)": (lambda: _api().parse({1: 2}), "is not a field name"),
    "explain(str)": (lambda: _api().explain("notes"), "load(...) it first"),
    "explain(dict)": (lambda: _api().explain({"inputs": 1}), "parse(...) it first"),
    "explain(None)": (lambda: _api().explain(None), "takes a Problem"),
    "solve(str)": (lambda: __import__("handprop.solve", fromlist=["solve"]).solve("notes"), "takes a Problem"),
    "explain(digits=6.0)": (lambda: _api().explain(_api().load("notes"), 6.0), "whole number from 1 to 17"),
    "explain(digits=True)": (lambda: _api().explain(_api().load("notes"), True), "not True"),
    "explain(digits=None)": (lambda: _api().explain(_api().load("notes"), None), "not None"),
    "explain(digits=-1)": (lambda: _api().explain(_api().load("notes"), -1), "not -1"),
    "explain(digits='6')": (lambda: _api().explain(_api().load("notes"), "6"), "not '6'"),
    "explain(digits=99)": (lambda: _api().explain(_api().load("notes"), 99), "not 99"),
    "write(digits=0)": (lambda: _trace().write(_trace().steps[0].chain[0], "text", digits=0), "not 0"),
    "printer(notation)": (lambda: _trace().write(_trace().steps[0].chain[0], "word"), "unknown notation"),
}


def _api():
    import handprop
    return handprop


def _trace():
    return _api().explain(_api().load("notes"))


@pytest.mark.parametrize("case", sorted(API))
def test_the_api_raises_its_own_error(case):
    call, fragment = API[case]
    with pytest.raises(HandpropError) as info:
        call()
    assert isinstance(info.value, (ProblemError, UsageError))
    text = str(info.value)
    assert fragment in text and "\n" not in text, text


# ---------------------------------------------------------------- odd but valid: it works

def test_wide_then_deep_trains_on_the_engine_chosen():
    from handprop.problem import parse
    from handprop.training import train
    layers = [{"size": 1, "activation": "tanh", "W": [[0.001] * 4000]}] + \
             [{"size": 1, "activation": "tanh", "W": [[0.9]]} for _ in range(31)]
    problem = parse({"inputs": 4000, "layers": layers,
                     "samples": [{"inputs": [0.5] * 4000, "targets": [0.1]}]})
    history = train(problem, 5, every=5)
    assert history.engine != "scalar" and len(history.loss) == 2


@pytest.mark.parametrize("mode, places", [("round", 12), ("round", 15), ("sig", 15), ("round", 1)])
def test_hand_rounding_of_large_values_keeps_every_digit(mode, places):
    from handprop.problem import parse
    from handprop.solve.rounding import hand_explain
    problem = parse({"inputs": 2, "layers": [
        {"size": 2, "activation": "linear", "W": [[999999.5, 999999.25], [-999999.75, 999998.5]], "b": 999999.0},
        {"size": 1, "activation": "linear", "W": [[999999.0, 999997.0]]}],
        "samples": [{"inputs": [999999.0, 999998.0], "targets": [1000000]}], "learning_rate": 0.0})
    trace = hand_explain(problem, mode, places)
    exact, hand = trace.values["net:y1"], trace.hand_values["net:y1"]
    assert abs(hand - exact) <= 1e-12 * abs(exact)


def test_softmax_and_softplus_beyond_e_to_the_709():
    from handprop.problem import parse
    from handprop.solve import explain
    import math
    problem = parse({"inputs": 1, "loss": "cross_entropy",
                     "layers": [{"size": 2, "activation": "softplus", "W": [[1000.0], [-1000.0]]},
                                {"size": 3, "activation": "softmax", "W": [[1, 0], [0.5, 0], [0, 1]]}],
                     "samples": [{"inputs": [1], "targets": [0.2, 0.3, 0.5]}]})
    assert all(math.isfinite(v) for v in explain(problem).values.values())


def test_the_catalogue_has_at_least_150_cases():
    from test_bad_input import BAD_FILES
    total = len(BAD_FILES) + len(CLAIMS) + len(FLAGS) + len(OUTPUTS) + len(API)
    assert total >= 150, total


# ---------------------------------------------------------------- any text, every format

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

HIDDEN = ["\x1b[31m", "\x07", "\x9b", "\x00", "\r", "\n", "\t", "\u202e", "\u2066", "\u2028", "\u2029",
          "\ud800", "\udfff", "\ufeff", "\x85", "\x7f", "[bold]", "[/]", "</script>", "$$", "\\end{document}",
          "# ", "> ", "```", "*", "_", "|"]
TEXT = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(HIDDEN)), max_size=8).map("".join)


def _shown_raw(text: str) -> list[str]:
    """The hidden characters of an output that reached it as they are (line breaks allowed)."""
    from handprop.visible import is_hidden
    return sorted({repr(c) for c in text if is_hidden(c) and c != "\n"})


@settings(max_examples=max(10, settings.default.max_examples // 3), deadline=None)
@given(title=TEXT, description=TEXT)
def test_any_title_and_description_reach_no_output_raw(title, description):
    """Whatever a title or description holds, every format writes it and no hidden character
    (terminal escape, control, bidi override, separator, lone surrogate) reaches the output."""
    import yaml

    from handprop.problem import parse
    from handprop.render import FORMATS, render_output
    from handprop.solve import explain
    data = yaml.safe_load(NOTES.read_text(encoding="utf-8"))
    data.update(title=title, description=description)
    trace = explain(parse(data))
    for fmt, about in FORMATS.items():
        if about.binary:
            continue
        out = render_output(fmt, trace)
        text = out.decode("utf-8") if isinstance(out, bytes) else out
        text.encode("utf-8")                           # no lone surrogate: every format is UTF-8
        assert _shown_raw(text) == [], (fmt, title, description)


@settings(max_examples=max(10, settings.default.max_examples // 3), deadline=None)
@given(heading=TEXT, name=TEXT)
def test_any_claims_text_is_refused_in_one_line_or_shown_escaped(heading, name, tmp_path_factory):
    from handprop.checking.claims import parse as parse_claims
    from handprop.checking.report import render, render_json
    from handprop.checking.page import render as render_page
    from handprop.checking.verdicts import check
    from handprop.errors import ClaimsError
    from handprop.problem import load
    text = f"[{heading}]\n{name} = 0.5933\nout_H1 = 0.5933\n"
    try:
        claims = parse_claims(text, source="claims.txt")
    except ClaimsError as err:
        assert "\n" not in str(err) and _shown_raw(str(err)) == []
        return
    report = check(load("notes"), claims)
    for out in (render(report), render_json(report), render_page(report)):
        assert _shown_raw(out) == [], (heading, name)


def test_a_hostile_title_compiles_to_pdf(tmp_path):
    """The PDF (Typst, compiled) takes the same hostile text and still compiles."""
    import yaml

    from handprop.problem import parse
    from handprop.render import render_output
    from handprop.solve import explain
    data = yaml.safe_load(NOTES.read_text(encoding="utf-8"))
    data.update(title="Evil \x1b[31m\u202e \ud800 $x$ #heading \\end{document}",
                description="line\n# injected\n\n\\section{x} \x9b2J")
    pdf = render_output("pdf", explain(parse(data)))
    assert pdf.startswith(b"%PDF")
