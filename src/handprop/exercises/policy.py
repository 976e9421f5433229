"""The rounding policy of an exercise: part of the exercise, printed on it, followed by the key.

- ``Policy(4)``: every intermediate rounded half-up to 4 decimal places as it is worked (each
  activation in one calculator key press), as ``handprop explain --round 4`` works it
  (:func:`handprop.solve.rounding.hand_values`); an answer is its hand value.
- ``Policy(None)``: full precision until the answer; an answer is the exact value rounded
  half-up to :data:`ANSWER_PLACES` decimal places.

Either way an answer is written with a fixed number of decimal places (:attr:`Policy.places_shown`).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..solve.replay import Model
from ..solve.rounding import hand_values

ANSWER_PLACES = 4
"""Decimal places of an answer under the full-precision policy."""
PLACES = range(2, 7)
"""The decimal places a rounding policy may round its intermediates to."""


@dataclass(frozen=True)
class Policy:
    places: int | None = 4      # None: keep full precision until the answer

    @classmethod
    def parse(cls, text: str) -> "Policy":
        """``4`` (round intermediates to 4 places) or ``full``; ValueError otherwise."""
        if text == "full":
            return cls(None)
        if text.isascii() and text.isdigit() and int(text) in PLACES:
            return cls(int(text))
        raise ValueError(f"takes full or a number of decimal places from {PLACES[0]} to {PLACES[-1]}, "
                         f"not {text!r}")

    @property
    def name(self) -> str:
        """As ``--rounding`` takes it and ``set.json`` stores it: ``4`` or ``full``."""
        return "full" if self.places is None else str(self.places)

    @property
    def places_shown(self) -> int:
        """The decimal places every answer is written with."""
        return ANSWER_PLACES if self.places is None else self.places

    @property
    def text(self) -> str:
        """The policy as the sheet prints it."""
        if self.places is None:
            return (f"Keep full precision until the answer; give each answer rounded to "
                    f"{ANSWER_PLACES} decimal places.")
        return (f"Round intermediates to {self.places} decimals: every intermediate result rounded "
                f"half-up to {self.places} decimal places and used rounded from then on (an activation "
                f"in one calculator key press, its result rounded once); give each answer to "
                f"{self.places} decimal places.")

    def round(self, value: float | Decimal) -> Decimal:
        """A number written as an answer: half-up to :attr:`places_shown` decimal places."""
        d = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
        return d.quantize(Decimal(1).scaleb(-self.places_shown), rounding=ROUND_HALF_UP)

    def worked(self, model: Model) -> dict[str, Decimal | float]:
        """Every quantity as the policy works it: by hand (Decimals) or exactly (floats)."""
        if self.places is None:
            return dict(model.exact)
        values, _ = hand_values(model, "round", self.places, checker=False)
        return values

    def answers(self, model: Model, ids, worked: dict | None = None) -> dict[str, Decimal]:
        """The right answer of each id, as the key gives it (``worked``: :meth:`worked`)."""
        worked = self.worked(model) if worked is None else worked
        return {k: self.round(worked[k]) for k in ids}


def written(d: Decimal) -> str:
    """An answer as text: ``0.7569``, ``-0.0235`` (never an exponent, never ``-0.0000``)."""
    text = format(d, "f")
    return text[1:] if text.startswith("-") and not d else text
