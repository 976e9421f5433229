"""Independent truths: finite differences of the exact loss, PyTorch, the generated script.

Nothing here imports :mod:`handprop.solve` (a test keeps it so): each oracle has
its own form of every activation, loss and optimizer, and says so when it has
none (:class:`~handprop.oracles.finite_diff.MissingForm`) instead of falling back.
"""
