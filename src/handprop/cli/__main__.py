"""``python -m handprop.cli``: the ``handprop`` command."""
from .main import entry

entry()
