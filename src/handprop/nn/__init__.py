"""The tables: activations, losses and optimizers, one entry each, all there is to know.

Every consumer reads these entries (validation, the engine, the derivation, the
renderers, the training engines, the torch bridge, the mistake catalogue); the
independent oracles keep forms of their own.
"""
from .activations import ACTIVATIONS, Activation, Options, Param, activation
from .losses import LOG_FLOOR, LOSSES, Loss, loss
from .optimizers import OPTIMIZERS, Optimizer, optimizer

__all__ = ["ACTIVATIONS", "Activation", "Options", "Param", "activation", "LOG_FLOOR", "LOSSES",
           "Loss", "loss", "OPTIMIZERS", "Optimizer", "optimizer"]
