"""PyTorch both ways: from_torch and to_torch round-trip exactly, name things as
the matrix shorthand does, train the same as PyTorch does, and refuse clearly
what they cannot express."""
from __future__ import annotations

import pytest

from handprop.solve.engine import solve
from handprop.problem import ProblemError, load, parse
from handprop.training.history import train

torch = pytest.importorskip("torch")
nn = torch.nn
pytestmark = pytest.mark.torch

from handprop import from_torch  # noqa: E402
from handprop.interop.torch import to_torch  # noqa: E402


def _models():
    torch.manual_seed(5)
    return [
        nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Sigmoid()),
        nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 4, bias=False), nn.Linear(4, 2),
                      nn.LeakyReLU(0.2)),
        nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3), nn.Softmax(dim=-1)),
        nn.Sequential(nn.Linear(2, 3, bias=False), nn.Identity(), nn.Linear(3, 1)),
        nn.Sequential(nn.Linear(3, 3), nn.Sigmoid()).float(),     # float32 values: exact in float64
    ]


def _data(model, samples: int = 3):
    first = next(m for m in model if isinstance(m, nn.Linear))
    last = [m for m in model if isinstance(m, nn.Linear)][-1]
    g = torch.Generator().manual_seed(1)
    x = torch.rand(samples, first.in_features, generator=g, dtype=torch.float64)
    t = torch.rand(samples, last.out_features, generator=g, dtype=torch.float64)
    return x, t / t.sum(dim=1, keepdim=True)


def _linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


@pytest.mark.parametrize("index", range(5))
def test_from_torch_to_torch_round_trips_exactly(index):
    model = _models()[index]
    x, t = _data(model)
    problem = from_torch(model, x, t, loss="half_sse", lr=0.1)
    back = to_torch(problem)
    assert all(p.dtype == torch.float64 for p in back.parameters())
    for a, b in zip(_linears(model), _linears(back), strict=True):
        assert torch.equal(a.weight.detach().double(), b.weight.detach())
        assert (a.bias is None) == (b.bias is None)
        if a.bias is not None:
            assert torch.equal(a.bias.detach().double(), b.bias.detach())
    # and back again: the same problem
    assert from_torch(back, x, t, loss="half_sse", lr=0.1) == problem
    # the same function: outputs agree with our forward pass
    with torch.no_grad():
        y = back(x)
    values = solve(problem).values
    for k in range(len(problem.samples)):
        n = problem.sample_of(k)
        out = [values[f"out:{u}" + (f"[{n}]" if n else "")] for u in problem.outputs]
        assert out == pytest.approx(y[k].tolist(), rel=1e-12, abs=1e-15)


def test_names_are_those_of_the_matrix_shorthand():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 2))
    problem = from_torch(model, [[0.1, 0.2]], [[0.3, 0.4]])
    assert problem.inputs == ("x1", "x2")
    assert [l.units for l in problem.layers] == [("h1_1", "h1_2", "h1_3"), ("h2_1", "h2_2", "h2_3"),
                                                  ("y1", "y2")]
    assert [l.activation for l in problem.layers] == ["sigmoid", "tanh", "linear"]
    w = problem.weight
    # w1.. row-major: unit, then input
    assert (w["w1"].src, w["w1"].dst, w["w2"].src, w["w2"].dst) == ("x1", "h1_1", "x2", "h1_1")
    assert w["w3"].dst == "h1_2" and w["w7"].src == "h1_1" and w["w7"].dst == "h2_1"
    assert w["w2"].value == model[0].weight[0, 1].item()
    assert [b.name for b in problem.biases] == [f"b{i}" for i in range(1, 9)]
    assert problem.bias["b4"].units == ("h2_1",)
    one_hidden = from_torch(nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)), [[1, 2]], [[1]])
    assert one_hidden.layers[0].units == ("h1", "h2")


def test_problem_to_torch_from_torch_is_the_same_problem():
    data = {"inputs": 2, "layers": [
        {"size": 3, "activation": "tanh", "W": [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], "b": [0.1, 0.2, 0.3]},
        {"size": 2, "activation": "leaky_relu", "slope": 0.1, "W": [[0.7, 0.8, -0.9], [1.0, 1.1, 1.2]]}],
        "samples": [{"inputs": [0.5, -0.5], "targets": [0.2, 0.8]}], "loss": "mse",
        "learning_rate": 0.3, "update_biases": True, "batch": "mean"}
    problem = parse(data)
    x = [list(s.inputs) for s in problem.samples]
    t = [list(s.targets) for s in problem.samples]
    assert from_torch(to_torch(problem), x, t, loss="mse", lr=0.3, batch="mean") == problem


def test_torch_losses_map_to_ours_and_train_the_same():
    """A practitioner's own loop (their loss module, torch.optim.SGD) against handprop."""
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2), nn.Sigmoid()).double()
    x, t = _data(model, samples=4)
    for loss in (nn.MSELoss(), nn.MSELoss(reduction="sum"), nn.BCELoss(reduction="sum")):
        problem = from_torch(model, x, t, loss=loss, lr=0.5)
        mine = to_torch(problem)
        opt = torch.optim.SGD(mine.parameters(), lr=0.5)
        for _ in range(50):
            opt.zero_grad()
            loss(mine(x), t).backward()
            opt.step()
        ours = train(problem, 50, every=50)
        theirs = [v for m in _linears(mine) for v in m.weight.detach().ravel().tolist()]
        names = [w.name for w in problem.weights]
        assert [ours.final_params[n] for n in names] == pytest.approx(theirs, rel=1e-10, abs=1e-12)
    assert from_torch(model, x, t, loss=nn.MSELoss()).loss == "mse"
    assert from_torch(model, x, t, loss=nn.MSELoss()).batch == "mean"


def test_mazur_to_torch_keeps_fixed_shared_biases_fixed():
    model = to_torch(load("mazur"))
    assert model[0].bias.tolist() == [0.35, 0.35] and not model[0].bias.requires_grad
    assert model[0].weight.tolist() == [[0.15, 0.20], [0.25, 0.30]]
    assert model[2].weight.tolist() == [[0.40, 0.45], [0.50, 0.55]]


@pytest.mark.parametrize("model, message", [
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.Dropout()), "model[1]: Dropout(p=0.5) is in training mode"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.AlphaDropout()), "model[1]: AlphaDropout cannot be expressed"),
    (lambda: nn.Sequential(nn.Conv2d(1, 1, 3)), "model[0]: Conv2d cannot be expressed"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)), "BatchNorm1d cannot be expressed"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Tanh()), "does not follow an nn.Linear"),
    (lambda: nn.Sequential(nn.Sigmoid(), nn.Linear(2, 2)), "does not follow an nn.Linear"),
    (lambda: nn.Sequential(nn.Linear(2, 3), nn.Linear(2, 2)), "takes 2 inputs but the layer before has 3"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=0)), "Softmax(dim=0)"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.Softmax(dim=-1), nn.Linear(2, 2)), "last layer"),
    (lambda: nn.Sequential(), "has no nn.Linear"),
])
def test_what_cannot_be_expressed_is_refused_clearly(model, message):
    with pytest.raises(ProblemError) as err:
        from_torch(model(), [[0.1, 0.2]], [[0.3, 0.7]])
    text = str(err.value)
    assert message in text and text.startswith("from_torch: ") and "\n" not in text


def test_bad_data_and_losses_are_refused():
    model = nn.Linear(2, 2)
    with pytest.raises(ProblemError, match="inputs: has shape"):
        from_torch(model, [[1.0, 2.0, 3.0]], [[1.0, 2.0]])
    with pytest.raises(ProblemError, match="targets"):
        from_torch(model, [[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0]])
    with pytest.raises(ProblemError, match="HuberLoss cannot be expressed"):
        from_torch(model, [[1.0, 2.0]], [[1.0, 0.0]], loss=nn.HuberLoss())
    with pytest.raises(ProblemError, match="unknown loss"):
        from_torch(model, [[1.0, 2.0]], [[1.0, 0.0]], loss="hinge")
    with pytest.raises(ProblemError, match="NaN"):
        from_torch(model, [[float("nan"), 2.0]], [[1.0, 0.0]])


def test_updated_shared_biases_cannot_go_to_torch():
    mazur = load("mazur")
    data = dict(mazur.to_dict(), update_biases=True)
    with pytest.raises(ProblemError, match="shared by h1, h2"):
        to_torch(parse(data))


def test_command_line_export_then_import(cli, tmp_path):
    state, problem_file = tmp_path / "mazur.pt", tmp_path / "mazur.yaml"
    code, _, err = cli("torch", "export", "mazur", "-o", str(state))
    assert code == 0 and "nn.Linear(2, 2), nn.Sigmoid()" in err
    assert list(torch.load(state, weights_only=True)) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    code, _, _ = cli("torch", "import", str(state), "--activations", "sigmoid,sigmoid", "--inputs",
                     "[0.05, 0.1]", "--targets", "[0.01, 0.99]", "--fixed-biases", "-o", str(problem_file))
    assert code == 0
    imported = load(str(problem_file))
    a, b = train(load("mazur"), 100, every=100), train(imported, 100, every=100)
    assert [a.final_params[f"w{i}"] for i in range(1, 9)] == [b.final_params[f"w{i}"] for i in range(1, 9)]


@pytest.mark.parametrize("args, expected", [
    (["--activations", "sigmoid"], "1 activations for 2 Linear layers"),
    (["--activations", "sigmoid,swish"], "unknown activation 'swish'"),
    (["--activations", "sigmoid,sigmoid", "--inputs", "[0.05, 0.1"], "--inputs: is not JSON"),
    (["--activations", "sigmoid,sigmoid", "--targets", "[0.5]"], "targets: has shape (1, 1)"),
    (["--activations", "sigmoid,sigmoid", "--inputs", "[true, false]"], "--inputs: must be a list of numbers"),
    (["--activations", "sigmoid,sigmoid", "--inputs", "[NaN, 0.1]"], "--inputs: NaN"),
    (["--activations", "sigmoid,sigmoid", "--lr", "-1"], "--lr: must not be negative"),
    (["--activations", "sigmoid,sigmoid", "--loss", "bce", "--targets", "[0.5, 2]"], "--targets: bce needs"),
    (["--activations", "sigmoid,sigmoid", "--slope", "0.3"], "--slope: no layer is leaky_relu"),
])
def test_command_line_import_refuses_bad_input(cli, tmp_path, args, expected):
    state = tmp_path / "m.pt"      # a state dict export did not write: it keeps no problem
    torch.save(to_torch(load("mazur")).state_dict(), state)
    defaults = {"--inputs": "[0.05, 0.1]", "--targets": "[0.01, 0.99]"}
    for flag, value in defaults.items():
        if flag not in args:
            args = args + [flag, value]
    code, out, err = cli("torch", "import", str(state), *args, "-o", str(tmp_path / "p.yaml"))
    assert code == 2 and expected in err and err.count("\n") == 1
    assert not (tmp_path / "p.yaml").exists()


@pytest.mark.parametrize("activation, flag, value", [("elu", "--alpha", 0.5), ("leaky_relu", "--slope", 0.2)])
def test_command_line_import_takes_every_activation_parameter(cli, tmp_path, activation, flag, value):
    """Each parameter an activation entry takes has its flag; the round trip keeps the network."""
    source = parse({"inputs": 2, "samples": [{"inputs": [-1.0, 0.5], "targets": [0.9]}], "update_biases": True,
                    "layers": [{"size": 2, "activation": activation, flag[2:]: value,
                                "W": [[0.1, -0.2], [0.3, 0.4]], "b": [0.1, -0.1]},
                               {"size": 1, "activation": "sigmoid", "W": [[0.5, -0.6]], "b": [0.2]}]})
    state = tmp_path / "m.pt"
    torch.save(to_torch(source).state_dict(), state)
    code, _, err = cli("torch", "import", str(state), "--activations", f"{activation},sigmoid", flag,
                       str(value), "--inputs", "[-1, 0.5]", "--targets", "[0.9]", "--loss", "half_sse",
                       "--batch", "sum", "-o", str(tmp_path / "p.yaml"))
    assert code == 0, err
    imported = load(str(tmp_path / "p.yaml"))
    assert imported.layers[0].params == {flag[2:]: value}
    a, b = train(source, 20, every=20), train(imported, 20, every=20)
    assert list(a.final_params.values()) == list(b.final_params.values())
    code, _, err = cli("torch", "import", str(state), "--activations", f"{activation},sigmoid", flag,
                       "-3" if flag == "--alpha" else "1e7", "--inputs", "[-1, 0.5]", "--targets", "[0.9]")
    assert code == 2 and flag[2:] in err and err.count("\n") == 1


@pytest.mark.parametrize("action, name", [("export", "model.yaml"), ("export", "model"),
                                          ("import", "problem.ini"), ("import", "problem.txt")])
def test_torch_outputs_follow_the_suffix_rule(cli, tmp_path, action, name):
    """export writes .pt/.pth, import .yaml/.yml/.json/.toml: any other -o is refused before work."""
    state = tmp_path / "m.pt"
    assert cli("torch", "export", "mazur", "-o", str(state))[0] == 0
    target = tmp_path / name
    args = (["export", "mazur"] if action == "export" else
            ["import", str(state), "--activations", "sigmoid,sigmoid", "--inputs", "[0.05, 0.1]",
             "--targets", "[0.01, 0.99]"])
    code, out, err = cli("torch", *args, "-o", str(target))
    assert code == 2 and "names no output format" in err and err.count("\n") == 1
    assert "--format" not in err and not target.exists()
