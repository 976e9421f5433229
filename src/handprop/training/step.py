"""Where a later update stands: the parameters and the optimizer's state after T − 1 steps.

``handprop explain --step T`` (and ``check --step T``, ``handprop.explain(…, step=T)``) explain
the T-th update: the problem with the parameters training reached after T − 1 steps, and the
optimizer's state then (:class:`~handprop.solve.equations.At`).  The steps are taken by the
training engine, so the explanation agrees with ``train`` to the last digit.
"""
from __future__ import annotations

from ..errors import UsageError
from ..problem.limits import MAX_TRAIN_STEPS

__all__ = ["at_step"]


def at_step(problem, step: int):
    """``(problem after step − 1 steps, At(step, state))``; step 1 is the problem itself (and
    nothing of training is imported for it)."""
    from ..solve.equations import FIRST, At
    if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= MAX_TRAIN_STEPS:
        raise UsageError(f"must be a whole number from 1 to {MAX_TRAIN_STEPS:,}, got {step!r}", "step")
    if step == 1:
        return problem, FIRST
    from ..nn import OPTIMIZERS
    from ..quantities import qid
    from .history import train
    history = train(problem, step - 1, every=step - 1)
    if not OPTIMIZERS[problem.optimizer].carried:
        return history.final_problem, At(step)
    state = {qid(sid, name): value for sid, values in history.state.items() for name, value in values.items()}
    return history.final_problem, At(step, state)
