"""The web limits: smaller than the command line's, so that one request stays cheap.

The command line trusts its user with a large network (``problem/limits.py``); a
server answers anyone, so every request is held to these, checked after the problem is
read (the CLI's limits bound the reading) and before any number is computed.  A
problem beyond them is a 422 naming the field.  ``docs/server.md`` lists them.
"""
from __future__ import annotations

from ..errors import ProblemError
from ..problem.limits import solution_steps

MAX_BODY = 256 * 1024          # bytes of one request body (more: 413)
MAX_UNITS = 64                 # units in one layer, the inputs included
MAX_LAYERS = 6                 # layers of units (the inputs not counted)
MAX_WEIGHTS = 2_000            # weights of the network
MAX_SAMPLES = 32               # samples
MAX_TRAIN_STEPS = 2_000        # steps of one training run
MAX_SOLUTION_STEPS = 4_000     # steps of one worked solution (explain, check, render)
MAX_CLAIMS_CHARS = 64 * 1024   # characters of one claims text
TIME_LIMIT = 5.0               # seconds of work for one request (more: 503)

LIMITS = {
    "body_bytes": MAX_BODY, "units_per_layer": MAX_UNITS, "layers": MAX_LAYERS,
    "weights": MAX_WEIGHTS, "samples": MAX_SAMPLES, "train_steps": MAX_TRAIN_STEPS,
    "solution_steps": MAX_SOLUTION_STEPS, "claims_chars": MAX_CLAIMS_CHARS,
    "seconds": TIME_LIMIT,
}
"""Every web limit by name (``GET /api/limits`` publishes it)."""


def check_web_limits(problem, solution: bool = True) -> None:
    """Refuse a problem beyond the web limits: a :class:`ProblemError` naming the field
    as the problem was written (``layers[1].size`` in the matrix shorthand,
    ``layers[1].units`` in the explicit form).  ``solution``: a worked solution will be
    written (explain, check, render), so its number of steps is held too."""
    matrix = problem.form == "matrix"
    if len(problem.inputs) > MAX_UNITS:
        raise ProblemError(f"has {len(problem.inputs)} inputs, more than the web limit of {MAX_UNITS} "
                           "(the command line takes more)", "inputs")
    if len(problem.layers) > MAX_LAYERS:
        raise ProblemError(f"has {len(problem.layers)} layers, more than the web limit of {MAX_LAYERS} "
                           "(the command line takes more)", "layers")
    for i, layer in enumerate(problem.layers):
        if len(layer.units) > MAX_UNITS:
            raise ProblemError(f"has {len(layer.units)} units, more than the web limit of {MAX_UNITS} "
                               "a layer (the command line takes more)",
                               f"layers[{i}].{'size' if matrix else 'units'}")
    if len(problem.weights) > MAX_WEIGHTS:
        raise ProblemError(f"has {len(problem.weights):,} weights, more than the web limit of "
                           f"{MAX_WEIGHTS:,} (the command line takes more)",
                           "layers" if matrix else "weights")
    if len(problem.samples) > MAX_SAMPLES:
        raise ProblemError(f"has {len(problem.samples)} samples, more than the web limit of {MAX_SAMPLES} "
                           "(the command line takes more)", "samples")
    if solution:
        units = sum(len(layer.units) for layer in problem.layers)
        steps = solution_steps(len(problem.samples), units, len(problem.params))
        if steps > MAX_SOLUTION_STEPS:
            raise ProblemError(f"its worked solution would have {steps:,} steps, more than the web limit "
                               f"of {MAX_SOLUTION_STEPS:,} (fewer samples or a smaller network; the "
                               "command line takes more)", "samples")


def check_train_steps(steps: int) -> None:
    if steps > MAX_TRAIN_STEPS:
        raise ProblemError(f"{steps:,} is more than the web limit of {MAX_TRAIN_STEPS:,} steps "
                           "(handprop train takes more)", "steps")
