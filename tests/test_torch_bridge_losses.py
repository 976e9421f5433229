"""from_torch with real models: torch loss modules and their reductions, layers that pass
through, torch.optim instances.  The truth is torch itself: for every accepted combination
handprop's gradients equal autograd's to 1e-12 (float64), training equals torch's own loop, and
from_torch -> to_torch -> from_torch gives the same problem."""
from __future__ import annotations

import dataclasses

import pytest

from handprop.errors import ProblemError
from handprop.solve.engine import solve
from handprop.training.history import train

torch = pytest.importorskip("torch")
nn = torch.nn
pytestmark = pytest.mark.torch

from handprop.interop.torch import from_torch, to_torch, torch_loss, torch_optimizer  # noqa: E402
from handprop.interop.torch_optim import read_optimizer  # noqa: E402



def _model(last, outputs: int, extra=()):
    torch.manual_seed(11)
    mods = [nn.Linear(3, 4), nn.Tanh(), *extra, nn.Linear(4, outputs)]
    if last is not None:
        mods.append(last)
    return nn.Sequential(*mods).double().eval()


def _inputs(samples: int = 4):
    g = torch.Generator().manual_seed(2)
    return torch.rand(samples, 3, generator=g, dtype=torch.float64) * 2 - 1


def _unit_targets(samples: int, outputs: int):
    g = torch.Generator().manual_seed(3)
    return torch.rand(samples, outputs, generator=g, dtype=torch.float64)


def _distributions(samples: int, outputs: int):
    t = _unit_targets(samples, outputs) + 0.1
    return t / t.sum(dim=1, keepdim=True)


# (name, model's last module, outputs, loss module, targets)
CASES = [
    ("MSELoss mean, 3 outputs", nn.Sigmoid(), 3, nn.MSELoss(), lambda: _unit_targets(4, 3)),
    ("MSELoss sum, 3 outputs", None, 3, nn.MSELoss(reduction="sum"), lambda: _unit_targets(4, 3)),
    ("MSELoss mean, 1 output", None, 1, nn.MSELoss(), lambda: _unit_targets(4, 1)),
    ("L1Loss mean, 3 outputs", None, 3, nn.L1Loss(), lambda: _unit_targets(4, 3)),
    ("L1Loss sum, 2 outputs", nn.Sigmoid(), 2, nn.L1Loss(reduction="sum"), lambda: _unit_targets(4, 2)),
    ("BCELoss mean, 1 output", nn.Sigmoid(), 1, nn.BCELoss(), lambda: _unit_targets(4, 1)),
    ("BCELoss sum, 3 outputs", nn.Sigmoid(), 3, nn.BCELoss(reduction="sum"), lambda: _unit_targets(4, 3)),
    ("BCEWithLogitsLoss mean, 1 output", None, 1, nn.BCEWithLogitsLoss(), lambda: _unit_targets(4, 1)),
    ("BCEWithLogitsLoss sum, 3 outputs", None, 3, nn.BCEWithLogitsLoss(reduction="sum"),
     lambda: _unit_targets(4, 3)),
    ("CrossEntropyLoss mean, class indices", None, 3, nn.CrossEntropyLoss(),
     lambda: torch.tensor([2, 0, 1, 2])),
    ("CrossEntropyLoss sum, class indices", None, 4, nn.CrossEntropyLoss(reduction="sum"),
     lambda: torch.tensor([3, 0, 1, 1])),
    ("CrossEntropyLoss mean, probabilities", None, 3, nn.CrossEntropyLoss(), lambda: _distributions(4, 3)),
    ("CrossEntropyLoss sum, probabilities", nn.Identity(), 3, nn.CrossEntropyLoss(reduction="sum"),
     lambda: _distributions(4, 3)),
]
IDS = [c[0] for c in CASES]


def _autograd(model, loss, x, t) -> list[float]:
    """torch's gradient of every weight and bias, in our order (weights first, then biases)."""
    model.zero_grad()
    loss(model(x), t).backward()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    return ([v for m in linears for v in m.weight.grad.ravel().tolist()]
            + [v for m in linears for v in m.bias.grad.ravel().tolist()])


@pytest.mark.parametrize("name, last, outputs, loss, targets", CASES, ids=IDS)
def test_gradients_equal_autograd(name, last, outputs, loss, targets):
    model, x, t = _model(last, outputs), _inputs(), targets()
    problem = from_torch(model, x, t, loss=loss)
    values = solve(problem).values
    ours = [values[f"grad:{p}"] for p in problem.params]
    assert ours == pytest.approx(_autograd(model, loss, x, t), rel=1e-12, abs=1e-15)
    # the loss itself: E_total is torch's loss value
    assert values["E:total"] == pytest.approx(loss(model(x), t).item(), rel=1e-12)


@pytest.mark.parametrize("name, last, outputs, loss, targets", CASES, ids=IDS)
def test_from_torch_to_torch_from_torch_is_exact(name, last, outputs, loss, targets):
    model, x, t = _model(last, outputs), _inputs(), targets()
    problem = from_torch(model, x, t, loss=loss, lr=0.25)
    logits = isinstance(loss, (nn.CrossEntropyLoss, nn.BCEWithLogitsLoss))   # as the model came
    back = to_torch(problem, logits=logits)
    again = from_torch(back, x, t, loss=torch_loss(problem, logits=logits), lr=0.25)
    assert again == problem and again.description == problem.description
    if problem.layers[-1].activation == "sigmoid" and problem.loss == "bce":   # the other torch form
        other = to_torch(problem, logits=not logits)
        assert (dataclasses.replace(from_torch(other, x, t, loss=torch_loss(problem, logits=not logits), lr=0.25),
                                    description="") == dataclasses.replace(problem, description=""))
    for a, b in zip([m for m in model if isinstance(m, nn.Linear)], [m for m in back if isinstance(m, nn.Linear)],
                    strict=True):
        assert torch.equal(a.weight.detach(), b.weight.detach()) and torch.equal(a.bias.detach(), b.bias.detach())


@pytest.mark.parametrize("name, last, outputs, loss, targets", CASES, ids=IDS)
def test_training_equals_torchs_own_loop(name, last, outputs, loss, targets):
    """handprop's training against the practitioner's loop: their model, their loss module,
    their torch.optim.SGD, 30 steps (a rate at which none of them diverges)."""
    model, x, t = _model(last, outputs), _inputs(), targets()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    problem = from_torch(model, x, t, loss=loss, optimizer=opt)
    assert problem.learning_rate == 0.05 and problem.update_biases
    for _ in range(30):
        opt.zero_grad()
        loss(model(x), t).backward()
        opt.step()
    ours = train(problem, 30, every=30).final_params
    linears = [m for m in model if isinstance(m, nn.Linear)]
    theirs = ([v for m in linears for v in m.weight.detach().ravel().tolist()]
              + [v for m in linears for v in m.bias.detach().ravel().tolist()])
    assert [ours[n] for n in problem.params] == pytest.approx(theirs, rel=1e-10, abs=1e-12)


def test_the_explanation_says_what_was_folded_in_and_left_out():
    x = _inputs()
    ce = from_torch(_model(None, 3), x, torch.tensor([0, 1, 2, 0]), loss=nn.CrossEntropyLoss())
    assert ce.layers[-1].activation == "softmax" and ce.loss == "cross_entropy" and ce.batch == "mean"
    assert "nn.CrossEntropyLoss applies softmax" in ce.description and "out − target" in ce.description
    assert "class indices" in ce.description
    assert [s.targets for s in ce.samples][:2] == [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0)]
    bce = from_torch(_model(None, 2), x, _unit_targets(4, 2), loss=nn.BCEWithLogitsLoss(reduction="sum"))
    assert bce.layers[-1].activation == "sigmoid" and bce.loss == "bce" and bce.batch == "sum"
    assert "nn.BCEWithLogitsLoss applies sigmoid" in bce.description
    dropped = from_torch(_model(nn.Sigmoid(), 2, extra=(nn.Dropout(0.3),)), x, _unit_targets(4, 2),
                         description="Mine.")
    assert dropped.description.startswith("Mine. nn.Dropout(p=0.3) (model[2]) is left out: in eval mode")
    assert [l.activation for l in dropped.layers] == ["tanh", "sigmoid"]
    from handprop.solve import explain
    words = explain(ce).problem["description"]
    assert "applies softmax" in words


def test_dropout_and_identity_pass_through():
    x, t = _inputs(), _unit_targets(4, 2)
    plain = _model(nn.Sigmoid(), 2)
    torch.manual_seed(11)
    busy = nn.Sequential(nn.Identity(), nn.Linear(3, 4), nn.Identity(), nn.Dropout(0.5), nn.Tanh(),
                         nn.Dropout(0.1), nn.Linear(4, 2), nn.Identity(), nn.Sigmoid(), nn.Dropout()).double()
    busy.eval()
    a, b = from_torch(plain, x, t), from_torch(busy, x, t)
    assert dataclasses.replace(b, description="") == dataclasses.replace(a, description="")
    assert b.description.count("nn.Dropout") == 3
    with torch.no_grad():
        assert torch.equal(busy(x), plain(x))
    untrained = nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.0))      # p = 0 drops nothing, even training
    assert from_torch(untrained, x, t).layers[-1].activation == "linear"


def test_the_default_loss_is_torchs_mse_with_its_mean():
    model, x, t = _model(nn.Sigmoid(), 3), _inputs(), _unit_targets(4, 3)
    positional = from_torch(model, x, t, "sse", 0.25, "sum", False, "T")    # the order it always had
    assert (positional.loss, positional.learning_rate, positional.batch, positional.update_biases,
            positional.title) == ("sse", 0.25, "sum", False, "T")
    default = from_torch(model, x, t)
    assert (default.loss, default.batch) == ("mse", "mean")
    assert default == from_torch(model, x, t, loss=nn.MSELoss())
    assert from_torch(model, x, t, loss="sse").batch == "mean"       # a name: torch's reduction, mean
    assert from_torch(model, x, t, loss="sse", batch="sum").batch == "sum"


def test_l1_slope_at_a_tie_is_zero_as_in_torch():
    """Where an output equals its target |t − y| has no derivative: both take 0 (sgn(0) = 0)."""
    torch.manual_seed(4)
    model = nn.Sequential(nn.Linear(2, 2)).double()
    x = torch.tensor([[0.5, -0.25], [1.0, 2.0]], dtype=torch.float64)
    with torch.no_grad():
        t = model(x).clone()
    t[1, 0] += 0.5                        # one output off its target, the rest exactly on it
    for loss in (nn.L1Loss(), nn.L1Loss(reduction="sum")):
        problem = from_torch(model, x, t, loss=loss)
        values = solve(problem).values
        assert values["dE/dout:y2[1]"] == 0.0 and values["dE/dout:y1[2]"] != 0.0
        ours = [values[f"grad:{p}"] for p in problem.params]
        assert ours == pytest.approx(_autograd(model, loss, x, t), rel=1e-12, abs=1e-15)


def test_biases_follow_requires_grad_and_the_optimizer():
    model, x, t = _model(nn.Sigmoid(), 2), _inputs(), _unit_targets(4, 2)
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    assert not from_torch(model, x, t, optimizer=torch.optim.SGD(weights, lr=0.1)).update_biases
    for m in model:
        if isinstance(m, nn.Linear):
            m.bias.requires_grad_(False)
    fixed = from_torch(model, x, t)
    assert not fixed.update_biases
    assert from_torch(to_torch(fixed), x, t) == fixed                 # to_torch keeps them fixed
    model[0].bias.requires_grad_(True)
    with pytest.raises(ProblemError, match="some biases are trained and some not"):
        from_torch(model, x, t)
    assert from_torch(model, x, t, update_biases=True).update_biases
    model[0].weight.requires_grad_(False)
    with pytest.raises(ProblemError, match="Linear 1's weight has requires_grad=False"):
        from_torch(model, x, t, update_biases=True)


@pytest.mark.parametrize("make, loss, targets, message", [
    (lambda: _model(nn.Softmax(dim=-1), 3), nn.CrossEntropyLoss(), lambda: torch.tensor([0, 1, 2, 0]),
     "CrossEntropyLoss applies softmax to the model's outputs itself, and the model ends in softmax (softmax twice)"),
    (lambda: _model(nn.Sigmoid(), 2), nn.BCEWithLogitsLoss(reduction="sum"), lambda: _unit_targets(4, 2),
     "ends in sigmoid (sigmoid twice)"),
    (lambda: _model(nn.ReLU(), 3), nn.CrossEntropyLoss(), lambda: torch.tensor([0, 1, 2, 0]),
     "(softmax after relu); end the model in nn.Linear"),
    (lambda: _model(None, 3), nn.CrossEntropyLoss(), lambda: torch.tensor([0, 1, 3, 0]),
     "targets[2]: is the class 3, but the model has 3 outputs"),
    (lambda: _model(None, 3), nn.CrossEntropyLoss(ignore_index=1), lambda: torch.tensor([0, 1, 2, 0]),
     "targets[1]: is the ignore_index 1"),
    (lambda: _model(None, 3), nn.CrossEntropyLoss(label_smoothing=0.1), lambda: torch.tensor([0, 1, 2, 0]),
     "label_smoothing=0.1) cannot be expressed; smooth the targets yourself"),
    (lambda: _model(None, 3), nn.CrossEntropyLoss(weight=torch.ones(3)), lambda: torch.tensor([0, 1, 2, 0]),
     "CrossEntropyLoss(weight=...) weights the classes"),
    (lambda: _model(None, 2), nn.BCEWithLogitsLoss(pos_weight=torch.ones(2)), lambda: _unit_targets(4, 2),
     "pos_weight"),
    (lambda: _model(None, 2), nn.BCEWithLogitsLoss(), lambda: _unit_targets(4, 2),
     "BCEWithLogitsLoss(reduction='mean') averages over the 2 outputs as well as the samples"),
    (lambda: _model(None, 2), nn.MSELoss(reduction="none"), lambda: _unit_targets(4, 2),
     "MSELoss(reduction='none') cannot be expressed: a worked solution combines the samples"),
    (lambda: _model(None, 2), nn.SmoothL1Loss(), lambda: _unit_targets(4, 2), "SmoothL1Loss cannot be expressed"),
    (lambda: _model(None, 2), nn.MSELoss, lambda: _unit_targets(4, 2), "pass an instance, nn.MSELoss()"),
    (lambda: _model(None, 2, extra=(nn.Dropout(0.2),)).train(), nn.MSELoss(), lambda: _unit_targets(4, 2),
     "model[2]: Dropout(p=0.2) is in training mode"),
])
def test_what_no_problem_expresses_is_named(make, loss, targets, message):
    with pytest.raises(ProblemError) as err:
        from_torch(make(), _inputs(), targets(), loss=loss)
    text = str(err.value)
    assert message in text and text.startswith("from_torch: ") and "\n" not in text


def test_batch_and_lr_that_contradict_torch_are_refused():
    model, x, t = _model(None, 2), _inputs(), _unit_targets(4, 2)
    with pytest.raises(ProblemError, match="batch='sum' but MSELoss"):
        from_torch(model, x, t, loss=nn.MSELoss(), batch="sum")
    with pytest.raises(ProblemError, match="lr=0.5 but the optimizer's lr is 0.1"):
        from_torch(model, x, t, optimizer=torch.optim.SGD(model.parameters(), lr=0.1), lr=0.5)
    with pytest.raises(ProblemError, match=r"^from_torch: inputs: holds complex numbers \(torch.complex128\); a "
                                           "network's inputs and targets are real$"):
        from_torch(model, x.to(torch.complex128), t)
    with pytest.raises(ProblemError, match=r"^from_torch: targets: is not a table of numbers"):
        from_torch(model, x, [["a", "b"]] * 4)


# ---------------------------------------------------------------- torch.optim instances


def _params():
    return _model(None, 2).parameters()


@pytest.mark.parametrize("make, lr, field", [
    (lambda p: torch.optim.SGD(p, lr=0.1), 0.1, "sgd"),
    (lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.01), 0.1, {"name": "sgd", "weight_decay": 0.01}),
    (lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), 0.05,
     {"name": "momentum", "momentum": 0.9, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}),
    (lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.1, weight_decay=1e-4), 0.05,
     {"name": "momentum", "momentum": 0.8, "dampening": 0.1, "nesterov": False, "weight_decay": 1e-4}),
    (lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True), 0.05,
     {"name": "momentum", "momentum": 0.9, "dampening": 0.0, "nesterov": True, "weight_decay": 0.0}),
    (lambda p: torch.optim.RMSprop(p, lr=0.01), 0.01,
     {"name": "rmsprop", "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0}),
    (lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1), 0.01,
     {"name": "rmsprop", "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.1}),
    (lambda p: torch.optim.Adam(p, lr=1e-3), 1e-3,
     {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}),
    (lambda p: torch.optim.Adam(p, lr=1e-3, betas=(0.8, 0.99), weight_decay=0.5), 1e-3,
     {"name": "adam", "beta1": 0.8, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.5}),
    (lambda p: torch.optim.AdamW(p, lr=2e-3), 2e-3,
     {"name": "adamw", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}),
    (lambda p: torch.optim.Adam(p, lr=2e-3, weight_decay=0.1, decoupled_weight_decay=True), 2e-3,
     {"name": "adamw", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1}),
    (lambda p: torch.optim.Adam(p, lr=torch.tensor(0.01, dtype=torch.float64)), 0.01,
     {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}),
])
def test_an_optimizer_is_read_into_the_problem_files_form(make, lr, field):
    got_lr, got, params = read_optimizer(make(_params()))
    assert (got_lr, got) == (lr, field) and len(params) == 4
    assert type(got_lr) is float and all(type(v) in (str, bool, float) for v in (got if isinstance(got, dict) else {}).values())


@pytest.mark.parametrize("make, message", [
    (lambda p: torch.optim.Adam(p, amsgrad=True), "Adam(amsgrad=True) cannot be expressed"),
    (lambda p: torch.optim.AdamW(p, amsgrad=True), "AdamW(amsgrad=True)"),
    (lambda p: torch.optim.SGD(p, lr=0.1, maximize=True), "SGD(maximize=True) climbs the loss"),
    (lambda p: torch.optim.RMSprop(p, centered=True), "RMSprop(centered=True) cannot be expressed"),
    (lambda p: torch.optim.RMSprop(p, momentum=0.9), "RMSprop(momentum=0.9) cannot be expressed; use momentum=0"),
    (lambda p: torch.optim.Adagrad(p), "torch.optim.Adagrad cannot be expressed; use one of torch.optim.SGD"),
    (lambda p: torch.optim.SGD([{"params": list(p)[:2]}, {"params": list(p)[2:], "lr": 0.5}], lr=0.1),
     "param_groups[1] has lr=0.5 but param_groups[0] has lr=0.1"),
    (lambda p: torch.optim.SGD, "is the class SGD, not an optimizer: pass an instance"),
    (lambda p: "adam", "is a str, not a torch.optim optimizer"),
])
def test_an_optimizer_setting_no_problem_expresses_is_named(make, message):
    with pytest.raises(ProblemError) as err:
        read_optimizer(make(_params()))
    text = str(err.value)
    assert message in text and text.startswith("from_torch: optimizer: ") and "\n" not in text


def test_an_optimizer_that_has_stepped_is_refused():
    model, x, t = _model(None, 2), _inputs(), _unit_targets(4, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    nn.MSELoss()(model(x), t).backward()
    opt.step()
    with pytest.raises(ProblemError, match="has taken steps already"):
        from_torch(model, x, t, optimizer=opt)
    other = _model(None, 2)
    with pytest.raises(ProblemError, match="not the model's"):
        from_torch(model, x, t, optimizer=torch.optim.SGD(other.parameters(), lr=0.1))


STATEFUL = [
    lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, dampening=0.5),
    lambda p: torch.optim.RMSprop(p, lr=0.01),
    lambda p: torch.optim.Adam(p, lr=0.01),
    lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1),
    lambda p: torch.optim.AdamW(p, lr=0.01),
]


@pytest.mark.parametrize("make", STATEFUL)
def test_a_stateful_optimizer_round_trips_and_trains_as_torch(make):
    model, x, t = _model(nn.Sigmoid(), 2), _inputs(), _unit_targets(4, 2)
    loss = nn.MSELoss()
    opt = make(model.parameters())
    problem = from_torch(model, x, t, loss=loss, optimizer=opt)
    back = to_torch(problem, logits=True)
    again = from_torch(back, x, t, loss=torch_loss(problem), optimizer=torch_optimizer(problem, back))
    assert again == problem
    for _ in range(20):
        opt.zero_grad()
        loss(model(x), t).backward()
        opt.step()
    ours = train(problem, 20, every=20).final_params
    theirs = [v for m in model if isinstance(m, nn.Linear) for v in m.weight.detach().ravel().tolist()]
    assert [ours[w.name] for w in problem.weights] == pytest.approx(theirs, rel=1e-10, abs=1e-12)


def test_plain_sgd_round_trips_through_torch_optimizer():
    model, x, t = _model(None, 3), _inputs(), torch.tensor([0, 2, 1, 1])
    loss = nn.CrossEntropyLoss(reduction="sum")
    problem = from_torch(model, x, t, loss=loss, optimizer=torch.optim.SGD(model.parameters(), lr=0.2))
    back = to_torch(problem, logits=True)
    opt = torch_optimizer(problem, back)
    assert type(opt) is torch.optim.SGD and opt.defaults["lr"] == 0.2
    assert from_torch(back, x, t, loss=torch_loss(problem), optimizer=opt) == problem


def test_torch_loss_names_what_has_no_module():
    from handprop.problem import load
    with pytest.raises(ProblemError, match=r"half_sse with batch: sum is no torch.nn loss module; compute "
                                           r"0.5 \* nn.MSELoss\(reduction='sum'\)"):
        torch_loss(load("notes"))
    ce = from_torch(_model(None, 3), _inputs(), torch.tensor([0, 1, 2, 0]), loss=nn.CrossEntropyLoss())
    assert type(torch_loss(ce)) is nn.CrossEntropyLoss
    with pytest.raises(ProblemError, match="logits=True"):
        torch_loss(ce, logits=False)
    assert isinstance(to_torch(ce)[-1], nn.Softmax) and isinstance(to_torch(ce, logits=True)[-1], nn.Linear)
