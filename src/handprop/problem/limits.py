"""Limits and defaults of a problem file, without pydantic.

The models of :mod:`handprop.rawproblem` enforce these; :mod:`handprop.problem`
reads them too, and so can the CLI's fast path for the built-in problems,
which never needs to import pydantic.
"""
from __future__ import annotations

MAX_LAYERS = 32
MAX_UNITS = 4096          # units in one layer (inputs included)
MAX_WEIGHTS = 65_536       # a 784-64-10 network fits; a trace holds several steps for each
MAX_SAMPLES = 1_000
MAX_SAMPLE_PARAMS = 4_000_000   # samples x parameters: each pair is a per-sample gradient
MAX_NAME = 64             # characters in a name
MAX_ABS = 1e6             # largest magnitude of any number in a file
LIMITS_TEXT = (f"at most {MAX_LAYERS} layers, {MAX_UNITS} units a layer, {MAX_WEIGHTS:,} weights, "
               f"{MAX_SAMPLES} samples, {MAX_SAMPLE_PARAMS:,} samples x parameters, names of {MAX_NAME} "
               f"characters, |numbers| <= {MAX_ABS:g}")

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
LOSS_NAMES = ("half_sse", "sse", "mse", "bce", "cross_entropy")
BATCH_NAMES = ("sum", "mean")
RESERVED_OUTPUT_NAMES = ("total",)    # E:total is the total loss, so no output unit may be 'total'

PROBLEM_DEFAULTS = {"title": "", "description": "", "weights": None, "biases": None,
                    "loss": "half_sse", "learning_rate": 0.5, "update_biases": False, "batch": "sum"}
"""Values of the optional top-level fields when a file leaves them out."""

LAYER_DEFAULTS = {"activation": "sigmoid", "slope": 0.01, "b": None}
"""Values of a layer's optional fields when a file leaves them out."""
