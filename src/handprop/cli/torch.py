"""``handprop torch export|import``: a problem's network to and from a saved PyTorch state dict.

    handprop torch export [PROBLEM] -o model.pt
        saves the network's ``nn.Sequential`` state dict (float64), with the problem kept in
        its metadata, and prints the line that builds the model it loads into;
    handprop torch import model.pt [-o problem.yaml]
        a state dict that export wrote: its problem file again, with the tensors' numbers
        (the same file when nothing was trained); the options below change what it keeps;
    handprop torch import model.pt --activations sigmoid,sigmoid [--slope S] [--alpha A]
                          --inputs 0.05,0.1 --targets 0.01,0.99 [--loss mse] [--lr 0.5] [-o problem.yaml]
        any other state dict: the problem (matrix shorthand, names generated) of training
        that network on those samples (``--inputs``: JSON, ``[[0.05, 0.1], [0.2, 0.3]]``, or
        numbers separated by commas, samples by semicolons: ``0.05,0.1;0.2,0.3``).

torch is imported only when one of these runs.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="torch_action", metavar="ACTION", parser_class=type(parser))
    ex = actions.add_parser("export", help="save the problem's network as a PyTorch state dict")
    ex.add_argument("problem", nargs="?", default="notes")
    ex.add_argument("-o", "--output", required=True, help="the state dict file (torch.save)")
    im = actions.add_parser("import", help="a problem from a saved state dict and samples")
    im.add_argument("state", help="a file written by torch.save(model.state_dict(), FILE)")
    from ..nn import ACTIVATIONS
    im.add_argument("--activations", default=None,
                    help=f"one per Linear layer, comma-separated: {', '.join(ACTIVATIONS)} (not needed "
                         "for a state dict that export wrote)")
    for name, (meaning, users) in _activation_params().items():
        im.add_argument(f"--{name}", type=float, default=None,
                        help=f"{' and '.join(users)}'s {name} ({meaning}; default: the entry's)")
    im.add_argument("--inputs", default=None, help="one sample's inputs or a list of them: JSON, or "
                    "numbers separated by commas (samples by semicolons: 0.05,0.1;0.2,0.3)")
    im.add_argument("--targets", default=None, help="one sample's targets or a list of them (as --inputs)")
    from ..nn import LOSSES
    im.add_argument("--loss", default=None, help=f"{', '.join(LOSSES)} (default: mse, as nn.MSELoss())")
    im.add_argument("--lr", type=float, default=None, help="learning rate (default: 0.5)")
    im.add_argument("--batch", choices=("sum", "mean"), default=None,
                    help="how the samples combine (default: mean, as torch's reduction)")
    im.add_argument("--fixed-biases", action="store_true", help="do not update the biases")
    im.add_argument("-o", "--output", default=None, help="the problem file (.yaml, .yml, .json or .toml; default: YAML on stdout)")


def _activation_params() -> dict[str, tuple[str, list[str]]]:
    """Every parameter an activation entry takes: its meaning and the activations taking it."""
    from ..nn import ACTIVATIONS
    found: dict[str, tuple[str, list[str]]] = {}
    for entry in ACTIVATIONS.values():
        for param in entry.params:
            found.setdefault(param.name, (param.meaning, []))[1].append(entry.name)
    return found


def _numbers(text: str, field: str):
    """A sample's numbers, or a list of samples' numbers: JSON, or numbers separated by commas
    (samples by semicolons)."""
    from ..errors import UsageError
    text = text.strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            raise UsageError(f"is not JSON ({err.msg})", field) from None
    else:
        value = []
        for row in text.split(";"):
            numbers = []
            for part in row.split(","):
                try:
                    numbers.append(json.loads(part.strip()))
                except json.JSONDecodeError:
                    raise UsageError(f"{part.strip()!r} is not a number (give numbers separated by "
                                     "commas, samples by semicolons, or JSON)", field) from None
            value.append(numbers)
    if isinstance(value, list) and value and not isinstance(value[0], list):
        value = [value]
    if not isinstance(value, list) or not value:
        raise UsageError("must be a list of numbers, or a list of such lists", field)
    for row in value:
        if not isinstance(row, list) or not row or not all(type(v) in (int, float) for v in row):
            bad = row if not isinstance(row, list) or not row else next(v for v in row if type(v) not in (int, float))
            raise UsageError(f"must be a list of numbers, or a list of such lists; {json.dumps(bad)} "
                             "is not a number", field)
    return value


def run(args) -> int:
    from ..errors import UsageError
    from .output import check_output, refuse_own_input, write_output
    if args.torch_action is None:
        raise UsageError("choose an action: handprop torch export | import")
    from ..interop.need import need_torch
    need_torch(who="")            # both actions use torch: imported only when one runs
    check_output(args.output)
    from ..problem import file_of
    refuse_own_input(args.output, problem=file_of(getattr(args, "problem", None) or "-"),
                     state_dict=getattr(args, "state", None))
    kind = _output_kind(args)
    if args.torch_action == "export":
        return _export(args)
    from ..interop.torch_state import stored_problem
    state = _load_state(args.state)
    kept = stored_problem(state, args.state)
    data = _kept(args, state, kept) if kept is not None else _foreign(args, state)
    from ..problem.writing import problem_text
    write_output(args.output, problem_text(data, kind))
    return 0


def _given_params(args) -> dict[str, float]:
    return {name: getattr(args, name) for name in _activation_params() if getattr(args, name) is not None}


def _foreign(args, state) -> dict:
    """The problem file of a state dict that export did not write (every option needed)."""
    from ..errors import ProblemError, UsageError
    from ..interop.torch import SOURCE, problem_data, sequential
    from ..problem import parse
    for option in ("activations", "inputs", "targets"):
        if getattr(args, option) is None:
            raise UsageError(f"is needed: {args.state} holds no problem (only a state dict that "
                             "handprop torch export wrote does)", f"--{option}")
    activations = [a.strip() for a in args.activations.split(",")]
    params = _given_params(args)
    for name in params:
        users = _activation_params()[name][1]
        if not set(users) & set(activations):
            raise UsageError(f"no layer is {' or '.join(users)}, which {name} is for", f"--{name}")
    model = sequential(state, activations, params, source=args.state)
    try:
        data = problem_data(model, _numbers(args.inputs, "--inputs"), _numbers(args.targets, "--targets"),
                            loss=args.loss, lr=args.lr, batch=args.batch,
                            update_biases=False if args.fixed_biases else None,
                            title=f"from {Path(args.state).name}")
        parse(data, source=SOURCE)      # every check of a problem file, before anything is written
    except ProblemError as err:
        raise _as_option(err) from None
    return data


def _kept(args, state, kept: dict) -> dict:
    """The problem file kept in a state dict by export, with the tensors' numbers and the
    options given (each replaces what the problem kept)."""
    from ..errors import ProblemError, UsageError
    from ..interop.torch_state import problem_from_state
    from ..problem import parse
    problem = problem_from_state(state, kept, args.state)
    if args.activations is not None:
        given = [a.strip() for a in args.activations.split(",")]
        if given != [layer.activation for layer in problem.layers]:
            raise UsageError(f"{args.state} keeps its problem, whose activations are "
                             f"{','.join(l.activation for l in problem.layers)}; leave --activations out",
                             "--activations")
    for name, value in _given_params(args).items():
        if all(layer.params.get(name) != value for layer in problem.layers):
            raise UsageError(f"{args.state} keeps its problem and its activations' {name}; leave "
                             f"--{name} out", f"--{name}")
    data = problem.to_dict()
    x = _numbers(args.inputs, "--inputs") if args.inputs is not None else [s["inputs"] for s in data["samples"]]
    t = _numbers(args.targets, "--targets") if args.targets is not None else [s["targets"] for s in data["samples"]]
    if len(x) != len(t):
        raise UsageError(f"{len(x)} samples of inputs but {len(t)} of targets",
                         "--inputs" if args.inputs is not None else "--targets")
    data["samples"] = [{"inputs": a, "targets": b} for a, b in zip(x, t)]
    for option, field in (("loss", "loss"), ("lr", "learning_rate"), ("batch", "batch")):
        if getattr(args, option) is not None:
            data[field] = getattr(args, option)
    if args.fixed_biases:
        data["update_biases"] = False
    try:
        return parse(data, source=args.state).to_dict()
    except ProblemError as err:
        raise _as_option(err) from None


_OPTIONS = (("samples", "inputs", "--inputs"), ("samples", "targets", "--targets"), ("inputs", "", "--inputs"),
            ("targets", "", "--targets"), ("learning_rate", "", "--lr"), ("loss", "", "--loss"),
            ("batch", "", "--batch"))


def _as_option(err):
    """A problem the command line's values make, named by the option that gave them."""
    from ..errors import UsageError
    field = err.field or ""
    head = field.split("[")[0].split(".")[0]
    for first, inner, option in _OPTIONS:
        if head == first and (not inner or f".{inner}" in field):
            return UsageError(err.message, option)
    if head == "layers" and "." in field:
        option = "--" + field.rsplit(".", 1)[1]
        if option[2:] in _activation_params():
            return UsageError(err.message, option)
    return err


EXPORT_SUFFIXES = {".pt": "state dict", ".pth": "state dict"}
IMPORT_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}


def _output_kind(args) -> str:
    """What ``-o`` is written as, from its suffix: a state dict (export), YAML, JSON or TOML
    (import; standard output is YAML).  Any other suffix is an error, before any work."""
    from ..errors import UsageError
    from .io import format_for
    export = args.torch_action == "export"
    if not export and args.output in (None, "-"):
        return "yaml"
    suffixes = EXPORT_SUFFIXES if export else IMPORT_SUFFIXES
    if export and args.output == "-":
        raise UsageError("a state dict is binary: give a file ending in .pt or .pth", "-o")
    return format_for(args, tuple(set(suffixes.values())), suffixes)


def _load_state(path: str):
    import torch
    from ..errors import ProblemError
    if not Path(path).is_file():
        raise ProblemError("is not a regular file" if Path(path).exists() else "no such file", source=path)
    if Path(path).stat().st_size == 0:
        raise ProblemError("is empty: not a state dict", source=path)
    with open(path, "rb") as f:
        head = f.read(4)
    not_torch = ProblemError("is not a file torch.save wrote (a .pt state dict): save one with "
                             "torch.save(model.state_dict(), FILE) or handprop torch export", source=path)
    if head != b"PK\x03\x04" and head[:1] != b"\x80":     # a zip archive, or a legacy pickle
        raise not_torch
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:   # torch raises many kinds for a file it cannot read
        text = " ".join(str(err).split())
        if "Unsupported global" in text and "torch.nn.modules" in text:
            raise ProblemError("holds a whole pickled model (torch.save(model)), not a state dict: save "
                               "model.state_dict() instead (handprop runs no code from a file)",
                               source=path) from None
        if "Unsupported global" in text:
            raise ProblemError("holds pickled Python objects, not only tensors: save a state dict, "
                               "torch.save(model.state_dict(), FILE) (handprop runs no code from a file)",
                               source=path) from None
        if any(s in text for s in ("zip archive", "index out of range", "magic number", "invalid load key",
                                   "EOF", "truncated")):
            raise not_torch from None
        raise ProblemError(f"cannot be read as a saved state dict ({text[:160]})", source=path) from None


def _export(args) -> int:
    import io

    import torch

    from ..problem import load
    from .output import write_output
    from ..interop.torch import architecture
    problem = load(args.problem)
    from ..interop.torch_state import shared_copies, state_dict
    buffer = io.BytesIO()
    torch.save(state_dict(problem), buffer)
    write_output(args.output, buffer.getvalue())
    print(f"saved the state dict of {architecture(problem)} (and the problem, for handprop torch import)",
          file=sys.stderr)
    copies = shared_copies(problem)
    if copies:
        print(f"note: the state dict holds the updated shared bias{'es' if len(copies) > 1 else ''} "
              f"{', '.join(copies)} as one copy per unit; trained in torch, the copies move apart, and "
              "import then refuses them", file=sys.stderr)
    return 0
