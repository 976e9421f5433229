"""Problems: reading files safely, the schema, normalising, limits, the built-in problems.

Two forms are read (``docs/problem-format.md``): the explicit form, where every
unit, weight and bias is named by the user, and the matrix shorthand, where
names are generated.  Both become one :class:`Problem`.  Every mistake in a
file becomes a :class:`~handprop.errors.ProblemError` naming the file, the
field and what is wrong, in one line; nothing else escapes :func:`parse` or
:func:`load`.

- :mod:`.reading`: YAML/JSON/TOML text into plain data, safely;
- :mod:`.schema`: what each field may hold (pydantic);
- :mod:`.normalise`: how the fields fit together;
- :mod:`.model`: the :class:`Problem` itself;
- :mod:`.files`: paths, standard input and the built-in problems;
- :mod:`.limits`: sizes and defaults.
"""
from ..errors import ProblemError
from .files import BUILTINS_DIR, builtin_descriptions, builtins, file_of, load, load_path
from .limits import (ACTIVATION_NAMES, BATCH_NAMES, LIMITS_TEXT, LOSS_NAMES, MAX_ABS, MAX_LAYERS,
                     MAX_NAME, MAX_SAMPLE_PARAMS, MAX_SAMPLES, MAX_UNITS, MAX_WEIGHTS)
from .model import Bias, Layer, Problem, Sample, Weight, require_problem, require_solvable
from .normalise import parse
from .reading import MAX_FILE_BYTES, decode, read_text

__all__ = ["Problem", "Layer", "Weight", "Bias", "Sample", "ProblemError", "parse", "load", "require_problem", "require_solvable",
           "load_path", "file_of", "builtins", "builtin_descriptions", "decode", "read_text", "BUILTINS_DIR",
           "ACTIVATION_NAMES", "LOSS_NAMES", "BATCH_NAMES", "LIMITS_TEXT", "MAX_ABS", "MAX_LAYERS",
           "MAX_NAME", "MAX_SAMPLES", "MAX_SAMPLE_PARAMS", "MAX_UNITS", "MAX_WEIGHTS", "MAX_FILE_BYTES"]
