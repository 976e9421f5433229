"""torch, or handprop's own error saying how to install it (every function of the bridge
starts here, so that without torch none raises a bare ImportError)."""
from __future__ import annotations

from ..errors import MissingDependency

__all__ = ["need_torch", "INSTALL"]

INSTALL = "pip install torch==2.13.0"


def need_torch(who: str = "from_torch"):
    """The torch module; a :class:`MissingDependency` naming ``who`` and the pip command."""
    try:
        import torch
    except ImportError:
        raise MissingDependency(f"needs PyTorch ({INSTALL})", source=who) from None
    return torch
