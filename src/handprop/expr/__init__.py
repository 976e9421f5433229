"""The expression tree every step is written in."""
from .nodes import *  # noqa: F401,F403
