"""Problems: reading files safely, the schema, normalising, limits, the built-in problems."""
from .model import *  # noqa: F401,F403
from .model import __all__  # noqa: F401
