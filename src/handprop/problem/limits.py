"""Limits and defaults of a problem file, without pydantic.

The models of :mod:`handprop.problem.schema` enforce these; the normaliser
reads them too, and so can the CLI's fast path for the built-in problems, which
never needs to import pydantic.  The names of activations, losses and
optimizers come from their tables (:mod:`handprop.nn`).
"""
from __future__ import annotations

from ..nn import ACTIVATIONS, LOSSES, OPTIMIZERS

MAX_LAYERS = 32
MAX_UNITS = 4096          # units in one layer (inputs included)
MAX_WEIGHTS = 65_536       # a 784-64-10 network fits; a trace holds several steps for each
MAX_SAMPLES = 1_000
MAX_SAMPLE_PARAMS = 4_000_000   # samples x parameters: each pair is a per-sample gradient
MAX_SOLUTION_STEPS = 60_000   # steps of a worked solution (explain, verify, check): < 1 GB, < 10 s
MAX_TRAIN_STEPS = 10_000_000   # steps of one training run
MAX_NAME = 64             # characters in a name
MAX_ABS = 1e6             # largest magnitude of any number in a file
LIMITS_TEXT = (f"at most {MAX_LAYERS} layers, {MAX_UNITS} units a layer, {MAX_WEIGHTS:,} weights, "
               f"{MAX_SAMPLES} samples, {MAX_SAMPLE_PARAMS:,} samples x parameters, names of {MAX_NAME} "
               f"characters, |numbers| <= {MAX_ABS:g}; a worked solution of at most "
               f"{MAX_SOLUTION_STEPS:,} steps")



def solution_steps(samples: int, units: int, params: int) -> int:
    """How many steps the worked solution of a network has, at most: for each sample six a
    unit (net, out, error, how wrong, how steep, delta) and one a parameter (its gradient);
    then each parameter's combined gradient and update."""
    return samples * (6 * units + params) + 2 * params


ACTIVATION_NAMES = tuple(ACTIVATIONS)
LOSS_NAMES = tuple(LOSSES)
OPTIMIZER_NAMES = tuple(OPTIMIZERS)
BATCH_NAMES = ("sum", "mean")
LAYER_PARAMS = tuple(dict.fromkeys(p.name for a in ACTIVATIONS.values() for p in a.params))
"""Every activation parameter a layer may set (each activation takes some of them)."""
RESERVED_OUTPUT_NAMES = ("total",)    # E:total is the total loss, so no output unit may be 'total'

PROBLEM_FIELDS = ("title", "description", "inputs", "layers", "weights", "biases", "samples", "loss",
                  "learning_rate", "update_biases", "batch", "optimizer", "form")
"""The top-level fields of a problem file, in the order the reference lists them."""

PROBLEM_DEFAULTS = {"title": "", "description": "", "weights": None, "biases": None,
                    "loss": "half_sse", "learning_rate": 0.5, "update_biases": False, "batch": "sum",
                    "optimizer": "sgd", "form": None}
"""Values of the optional top-level fields when a file leaves them out."""

LAYER_DEFAULTS = {"activation": "sigmoid", "b": None, **{name: None for name in LAYER_PARAMS}}
"""Values of a layer's optional fields when a file leaves them out (a parameter left out
takes its activation's default)."""
