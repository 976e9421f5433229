"""`handprop torch export` then `import` gives back the same problem file (names, shared biases,
update_biases, title, optimizer), with the tensors' numbers; what cannot be read is one line and
exit status 2; without torch, the package's own error says how to install it."""
from __future__ import annotations

import subprocess
import sys

import pytest

from handprop.problem import load, parse
from handprop.training.history import train

torch = pytest.importorskip("torch")
nn = torch.nn
pytestmark = pytest.mark.torch

from handprop.interop.torch import from_torch, to_torch  # noqa: E402


def _problems():
    torch.manual_seed(8)
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 3)).double()
    from_model = from_torch(model, torch.rand(2, 3, dtype=torch.float64), torch.tensor([2, 0]),
                            loss=nn.CrossEntropyLoss(reduction="sum"), title="A classifier",
                            optimizer=torch.optim.SGD(model.parameters(), lr=0.125))
    l1 = parse({"title": "Absolute errors", "inputs": ["a", "b"],
                "layers": [{"units": ["u", "v"], "activation": "tanh"}, {"units": ["out"], "activation": "linear"}],
                "weights": {"p": ["a", "u", 0.1], "q": ["b", "u", -0.2], "r": ["a", "v", 0.3],
                            "s": ["b", "v", 1 / 3], "z1": ["u", "out", 0.7], "z2": ["v", "out", -1e-7]},
                "biases": {"shared": [["u", "v"], 0.25]},
                "samples": [{"inputs": [1, 2], "targets": [0.5]}, {"inputs": [-1, 0.5], "targets": [0.25]}],
                "loss": "l1", "learning_rate": 0.1, "update_biases": False, "batch": "mean"})
    no_biases = parse({"inputs": 2, "layers": [{"size": 1, "activation": "sigmoid", "W": [[0.5, -0.5]]}],
                       "samples": [{"inputs": [1, 1], "targets": [1]}], "update_biases": True})
    notes_trained = parse(dict(load("notes").to_dict(), update_biases=True, title="Notes, biases updated"))
    return {"notes": load("notes"), "mazur": load("mazur"), "from a model": from_model, "l1, shared": l1,
            "no biases": no_biases, "shared and updated": notes_trained}


@pytest.mark.parametrize("name", list(_problems()))
@pytest.mark.parametrize("suffix", [".yaml", ".json", ".toml"])
def test_export_then_import_gives_back_the_same_problem_file(cli, tmp_path, name, suffix):
    problem = _problems()[name]
    original, state, back = tmp_path / f"a{suffix}", tmp_path / "m.pt", tmp_path / f"b{suffix}"
    problem.save(original)
    code, _, err = cli("torch", "export", str(original), "-o", str(state))
    assert code == 0, err
    assert ("note: the state dict holds the updated shared biases b1, b2 as one copy per unit" in err) == (
        name == "shared and updated")
    code, _, err = cli("torch", "import", str(state), "-o", str(back))
    assert code == 0, err
    assert back.read_bytes() == original.read_bytes()
    again = load(str(back))
    assert again == problem and again.title == problem.title
    assert [b.units for b in again.biases] == [b.units for b in problem.biases]
    # the state dict is a plain one: the model loads it as it is
    if name != "shared and updated":          # (to_torch refuses to train shared biases)
        to_torch(problem).load_state_dict(torch.load(state, weights_only=True))


def test_export_then_import_keeps_the_optimizer(cli, tmp_path):
    torch.manual_seed(8)
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid()).double()
    problem = from_torch(model, [[0.1, 0.2]], [[0.3, 0.4]], title="Adam",
                         optimizer=torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.8, 0.99)))
    problem.save(tmp_path / "a.yaml")
    assert cli("torch", "export", str(tmp_path / "a.yaml"), "-o", str(tmp_path / "m.pt"))[0] == 0
    assert cli("torch", "import", str(tmp_path / "m.pt"), "-o", str(tmp_path / "b.yaml"))[0] == 0
    assert (tmp_path / "b.yaml").read_bytes() == (tmp_path / "a.yaml").read_bytes()


def test_a_network_trained_in_torch_comes_back_under_its_names(cli, tmp_path):
    """export, train in torch, import: the new weights under the problem's own names."""
    state = tmp_path / "notes.pt"
    assert cli("torch", "export", "notes", "-o", str(state))[0] == 0
    notes = load("notes")
    model = to_torch(notes)
    model.load_state_dict(torch.load(state, weights_only=True))
    x = torch.tensor([list(s.inputs) for s in notes.samples], dtype=torch.float64)
    t = torch.tensor([list(s.targets) for s in notes.samples], dtype=torch.float64)
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    for _ in range(25):
        opt.zero_grad()
        (0.5 * ((model(x) - t) ** 2).sum()).backward()
        opt.step()
    saved = model.state_dict()
    saved._metadata["handprop"] = torch.load(state, weights_only=True)._metadata["handprop"]
    torch.save(saved, state)
    code, _, err = cli("torch", "import", str(state), "-o", str(tmp_path / "after.yaml"))
    assert code == 0, err
    after = load(str(tmp_path / "after.yaml"))
    ours = train(notes, 25, every=25).final_params
    assert [after.params[n] for n in ours] == pytest.approx(list(ours.values()), rel=1e-12)
    assert after.weight["w6"].src == "H1" and after.bias["b1"].units == ("H1", "H2")


@pytest.mark.parametrize("inputs", ["0.05,0.1", "0.05, 0.1", "[0.05, 0.1]", "[[0.05, 0.1]]"])
def test_inputs_as_commas_or_json(cli, tmp_path, inputs):
    state = tmp_path / "m.pt"
    torch.save(to_torch(load("mazur")).state_dict(), state)
    code, out, err = cli("torch", "import", str(state), "--activations", "sigmoid,sigmoid", "--inputs", inputs,
                         "--targets", "0.01,0.99")
    assert code == 0, err
    problem = parse(__import__("yaml").safe_load(out))
    assert [s.inputs for s in problem.samples] == [(0.05, 0.1)]
    assert (problem.loss, problem.batch, problem.update_biases) == ("mse", "mean", True)   # torch's defaults
    code, out, _ = cli("torch", "import", str(state), "--activations", "sigmoid,sigmoid", "--inputs",
                       "0.05,0.1; -1,2.5e-1", "--targets", "[[0.01, 0.99], [1, 0]]", "--loss", "half_sse")
    assert code == 0
    assert [s.inputs for s in parse(__import__("yaml").safe_load(out)).samples] == [(0.05, 0.1), (-1.0, 0.25)]


def test_options_change_what_the_kept_problem_holds(cli, tmp_path):
    state = tmp_path / "m.pt"
    assert cli("torch", "export", "mazur", "-o", str(state))[0] == 0
    code, out, err = cli("torch", "import", str(state), "--inputs", "0.5,-1", "--lr", "0.25", "--loss", "sse")
    assert code == 0, err
    problem = parse(__import__("yaml").safe_load(out))
    assert problem == parse(dict(load("mazur").to_dict(), learning_rate=0.25, loss="sse",
                                 samples=[{"inputs": [0.5, -1], "targets": [0.01, 0.99]}]))


def _save(path, obj):
    torch.save(obj, path)
    return str(path)


HOSTILE = {
    "a whole pickled model": (lambda p: _save(p, nn.Sequential(nn.Linear(2, 2), nn.Sigmoid())),
                              "holds a whole pickled model (torch.save(model)), not a state dict: save "
                              "model.state_dict() instead"),
    "a complex tensor": (lambda p: _save(p, {"0.weight": torch.ones(2, 2, dtype=torch.complex64)}),
                         "0.weight holds complex numbers (torch.complex64)"),
    "a 3-d tensor": (lambda p: _save(p, {"0.weight": torch.ones(2, 2, 2)}),
                     "0.weight has 3 dimensions (shape (2, 2, 2)); the weight of a Linear layer has 2"),
    "a 2-d bias": (lambda p: _save(p, {"0.weight": torch.ones(2, 2), "0.bias": torch.ones(2, 1)}),
                   "0.bias has 2 dimensions"),
    "a batch norm's buffers": (lambda p: _save(p, {"0.weight": torch.ones(2, 2),
                                                   "1.running_mean": torch.zeros(2)}),
                               "holds 1.running_mean, which no nn.Linear has"),
    "a batch norm": (lambda p: _save(p, nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).state_dict()),
                     "1.weight has 1 dimension (shape (2,)); the weight of a Linear layer has 2"),
    "a lone tensor": (lambda p: _save(p, torch.ones(2, 2)), "is not a state dict"),
    "not a torch file": (lambda p: (p.write_text("hello"), str(p))[1], "is not a file torch.save wrote"),
    "a program": (lambda p: (p.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(200)), str(p))[1],
                  "is not a file torch.save wrote"),
    "a broken zip": (lambda p: (p.write_bytes(b"PK\x03\x04junk"), str(p))[1], "is not a file torch.save wrote"),
    "an empty file": (lambda p: (p.write_bytes(b""), str(p))[1], "is empty: not a state dict"),
    "a folder": (lambda p: (p.mkdir(), str(p))[1], "is not a regular file"),
    "layers that do not chain": (lambda p: _save(p, {"0.weight": torch.ones(3, 2), "1.weight": torch.ones(2, 2)}),
                                 "1.weight takes 2 inputs but the layer before has 3 units"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_what_cannot_be_imported_is_one_line(cli, tmp_path, name):
    make, message = HOSTILE[name]
    path = make(tmp_path / "bad.pt")
    code, out, err = cli("torch", "import", path, "--activations", "sigmoid,sigmoid", "--inputs", "1,2",
                         "--targets", "1,0", "-o", str(tmp_path / "p.yaml"))
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert not (tmp_path / "p.yaml").exists()


@pytest.mark.parametrize("inputs, message", [
    ("1,,2", "--inputs: '' is not a number"), ("1,x", "--inputs: 'x' is not a number"),
    ("[1, 2", "--inputs: is not JSON"), ("1,2;", "--inputs: '' is not a number"),
    ("nan,1", "--inputs: 'nan' is not a number"), ("[[1, 2], 3]", "--inputs: must be a list of numbers"),
    ("1,2,3", "inputs: has shape (1, 3); expected (samples, 2)"), ("true,1", "--inputs: must be a list of numbers"),
])
def test_bad_inputs_are_one_line(cli, tmp_path, inputs, message):
    state = tmp_path / "m.pt"
    torch.save(to_torch(load("mazur")).state_dict(), state)
    code, _, err = cli("torch", "import", str(state), "--activations", "sigmoid,sigmoid", "--inputs", inputs,
                       "--targets", "0.01,0.99")
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_kept_problem_refuses_what_contradicts_it(cli, tmp_path):
    state = tmp_path / "m.pt"
    assert cli("torch", "export", "mazur", "-o", str(state))[0] == 0
    code, _, err = cli("torch", "import", str(state), "--activations", "tanh,sigmoid")
    assert code == 2 and "--activations: " in err and "keeps its problem" in err and err.count("\n") == 1
    code, _, err = cli("torch", "import", str(state), "--inputs", "1,2;3,4")
    assert code == 2 and "2 samples of inputs but 1 of targets" in err
    saved = torch.load(state, weights_only=True)
    saved["0.bias"] = torch.tensor([0.35, 0.36], dtype=torch.float64)     # mazur's b1 is shared
    torch.save(saved, state)
    code, _, err = cli("torch", "import", str(state))
    assert code == 2 and "gives the shared bias b1 two values (0.35 and 0.36)" in err and err.count("\n") == 1
    code, _, err = cli("torch", "import", str(_save(tmp_path / "plain.pt", to_torch(load("mazur")).state_dict())))
    assert code == 2 and "--activations: is needed" in err and "holds no problem" in err


WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None          # as if torch were not installed
import handprop
from handprop.errors import MissingDependency
for call in (lambda: handprop.from_torch(object(), [[1.0]], [[1.0]]),
             lambda: handprop.to_torch(handprop.load("notes"))):
    try:
        call()
    except MissingDependency as err:
        print(err.exit_status, err)
from handprop.cli.main import main
sys.exit(main(["torch", "export", "notes", "-o", sys.argv[1]]))
"""


def test_without_torch_the_error_says_how_to_install_it(tmp_path):
    run = subprocess.run([sys.executable, "-c", WITHOUT_TORCH, str(tmp_path / "m.pt")], capture_output=True,
                         text=True, cwd=tmp_path, timeout=120)
    assert run.stdout.splitlines() == ["3 from_torch: needs PyTorch (pip install torch==2.13.0)",
                                       "3 to_torch: needs PyTorch (pip install torch==2.13.0)"]
    assert run.returncode == 3 and run.stderr == "handprop: needs PyTorch (pip install torch==2.13.0)\n"
    assert not (tmp_path / "m.pt").exists()
