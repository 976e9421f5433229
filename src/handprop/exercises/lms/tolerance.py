"""The tolerance an LMS accepts around an answer, derived from the set's rounding policy.

An answer is the key's number (``set.json``'s ``answers``), written with the policy's places
``N`` (:attr:`~handprop.exercises.policy.Policy.places_shown`); ``u = 10**-N`` is a unit in
its last place.

- **Full precision** ("keep full precision until the answer"): the key's answer is the exact
  value rounded half-up to N places, so the exact value lies within ``u/2`` of it; a student
  who kept full precision writes that answer, or more digits of the exact value.  The
  tolerance is ``u/2``.
- **Round intermediates to N decimals**: the key's answer is the hand value (every
  intermediate rounded to N places), which drifts from the exact value.  A correct hand
  solution may land on the hand value (the policy followed to the letter) or, worked with
  fewer roundings, on the exact value rounded to N places.  Both must be accepted: the
  tolerance is the spread ``|answer - exact|`` plus ``u/2`` (the exact value written to N
  places is within that of the answer).
- The tolerance is written rounded **up** to :data:`EXTRA_PLACES` places past the answer's,
  so it is never narrower than the rule gives...
- ...unless a mistake of the checker's catalogue, made alone and worked either way (by hand
  under the policy, or in full precision), gives an answer inside it: then it is narrowed to
  stop one step (``10**-(N+2)``) short of that answer, never below ``u/2`` (:mod:`.mistakes`).
  The policy's answer is always accepted; a known mistake never is.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Mapping

from ...solve.replay import Model
from ..policy import Policy

EXTRA_PLACES = 2
"""Places past the answer's that a tolerance is written with (rounded up)."""
WINDOW = 8
"""A mistake is looked at by hand when its exact value is within twice the tolerance and this
many units of the exact answer (the drift of its own hand working is a few units at most)."""


def unit(policy: Policy) -> Decimal:
    """One unit in the last place of an answer: ``0.0001`` for 4 places."""
    return Decimal(1).scaleb(-policy.places_shown)


def tolerance(policy: Policy, answer: Decimal, exact: float) -> Decimal:
    """The tolerance around ``answer`` (the key's) for a quantity whose exact value is ``exact``."""
    half = unit(policy) / 2
    if policy.places is None:
        return half
    spread = abs(answer - Decimal(repr(float(exact))))
    step = Decimal(1).scaleb(-(policy.places_shown + EXTRA_PLACES))
    return (spread + half).quantize(step, rounding=ROUND_CEILING)


def tolerances(policy: Policy, model: Model, answers: Mapping[str, Decimal],
               worked: Mapping | None = None) -> dict[str, Decimal]:
    """The tolerance of each answer (id -> the key's answer) of the variant ``model``, clear of
    the catalogue's mistakes; ``worked``: :meth:`Policy.worked`."""
    from .mistakes import clear_of, wrong_answers
    wide = {k: tolerance(policy, a, model.exact[k]) for k, a in answers.items()}
    u = unit(policy)
    near = {k: float(2 * t + WINDOW * u) for k, t in wide.items()}
    wrong = wrong_answers(model, policy, near, worked)
    step = Decimal(1).scaleb(-(policy.places_shown + EXTRA_PLACES))
    return {k: clear_of(t, answers[k], wrong[k], u / 2, step) for k, t in wide.items()}


def rule(policy: Policy) -> str:
    """The rule in one sentence, for the question text and the category's description."""
    half = number(unit(policy) / 2)
    if policy.places is None:
        return f"An answer within {half} of the key's answer is accepted (half a unit in its last place)."
    return (f"An answer is accepted within the drift of hand rounding (the distance between the "
            f"key's answer and the exact value, plus {half}, half a unit in the last place), but "
            f"never at the answer a known mistake gives.")


def number(d: Decimal) -> str:
    """A Decimal as plain text, no exponent, no trailing zeros: ``0.00005``, ``-12.5``, ``0``."""
    text = format(d.normalize(), "f") if d else "0"
    return text[1:] if text.startswith("-") and not d else text
