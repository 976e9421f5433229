"""The tables: activations, losses (and optimizers), one entry each."""
from .functions import *  # noqa: F401,F403
