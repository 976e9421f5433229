"""What every LMS export holds, once: per variant its numbers, its drawing and its asked
quantities, each with the key's answer, the exact value and the tolerance.

:func:`from_set` takes a set just made (``exercise new``); :func:`from_folder` reads a set on
disk (the contract of docs/exercises.md: ``set.json`` and each variant's ``problem.yaml``).  Like
``exercise key``, the answers follow the problem file: a problem file edited since the set was
made gives its own answers, and :attr:`Quiz.changed` says which differ from ``set.json``.  The
writers (:mod:`.moodle`, :mod:`.gift`, :mod:`.qti`) lay this out; :mod:`.html` writes the
question text.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..generate import ExerciseSet, Variant, model_of
from ..policy import Policy, written
from ..sheet import Sheet, sheet
from ..drawing import svg
from .tolerance import tolerances


@dataclass(frozen=True)
class Asked:
    """One asked quantity of one variant."""

    id: str             # the quantity id: grad:w5
    label: str          # as a person writes it: ∂E/∂w5
    words: str          # the gradient of w5
    answer: Decimal     # the key's answer (policy.places_shown places)
    exact: float        # the exact value (float64)
    tolerance: Decimal  # accepted on either side of the answer (:func:`.tolerance.tolerances`)


@dataclass(frozen=True)
class Item:
    """One variant as an LMS shows it."""

    code: str
    index: int
    title: str          # the problem's title (problem.yaml's ``title``), as the teacher wrote it
    sheet: Sheet        # its network, settings and given numbers (the worksheet's content)
    drawing: str        # network.svg: the network with its given numbers
    asked: tuple[Asked, ...]


@dataclass(frozen=True)
class Quiz:
    """A whole set as the LMS exports read it."""

    name: str                   # the set's name: "Backpropagation by hand, seed 11 (2-2-2)"
    seed: int
    key: str                    # 8 hex digits from the seed and the options: the set's own identifiers
    policy: Policy
    items: tuple[Item, ...]
    changed: tuple[tuple[str, str], ...] = ()   # (code, id): answers the problem file changed


def item(v: Variant, ids, policy: Policy) -> Item:
    """A variant (its problem solved again, its answers as the key gives them) as an Item."""
    model = model_of(v.problem)
    missing = [k for k in ids if k not in model.exact]
    if missing:
        from ...errors import UsageError
        raise UsageError(f"asks for {', '.join(missing)}, which the problem of variant {v.code} does not have",
                         "ask")
    worked = policy.worked(model)
    answers = policy.answers(model, ids, worked)
    tol = tolerances(policy, model, answers, worked)
    s = sheet(v, ids, policy)
    asked = tuple(Asked(q.id, q.text, q.words, answers[q.id], float(model.exact[q.id]), tol[q.id])
                  for q in s.questions)
    return Item(v.code, v.index, v.problem.title or f"Exercise {v.code}", s, svg(s.problem), asked)


def set_key(seed: int, options: dict) -> str:
    """8 hex digits of SHA-256 of the seed and the options: two sets of the same seed and other
    options get other identifiers in an LMS (a Canvas import replaces what has its identifier)."""
    import hashlib
    import json
    text = json.dumps({"seed": seed, "options": options}, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def set_name(seed: int, options: dict) -> str:
    shape = options.get("architecture") or (f"like {options['like']}" if options.get("like") else "")
    return f"Backpropagation by hand, seed {seed}" + (f" ({shape})" if shape else "")


def from_set(ex: ExerciseSet) -> Quiz:
    """The quiz of a set just generated."""
    policy = ex.recipe.rounding
    options = ex.recipe.to_json()
    return Quiz(set_name(ex.recipe.seed, options), ex.recipe.seed, set_key(ex.recipe.seed, options), policy,
                tuple(item(v, ex.ids, policy) for v in ex.variants))


def from_folder(folder: str) -> Quiz:
    """The quiz of the set in ``folder`` (UsageError, one line, when it is not a readable set)."""
    from ...errors import HandpropError, UsageError
    from ..setfile import SET_FILE, read_set
    stored = read_set(folder)
    where = str(Path(folder) / SET_FILE)

    def unreadable(err: Exception, code: str = "") -> UsageError:
        what = f"variant {code}: " if code else ""
        if isinstance(err, KeyError):
            return UsageError(f"{what}lacks the field {err.args[0]!r}: not a set as `exercise new` writes it",
                              "variants" if code else str(err.args[0]), where)
        return UsageError(f"{what}cannot be read ({err})", "variants" if code else "", where)

    try:
        policy = stored.policy
    except ValueError as err:
        raise UsageError(f"the policy {err}", "rounding", where) from None
    except (KeyError, TypeError) as err:
        raise unreadable(err) from None
    try:
        ids, entries = stored.ids, list(stored.data["variants"])
        seed, options = int(stored.data["seed"]), dict(stored.data["options"])
        codes = [str(e["code"]) for e in entries]
    except (KeyError, TypeError, ValueError) as err:
        raise unreadable(err) from None
    if not entries:
        raise UsageError("holds no variants", "variants", where)
    items, changed = [], []
    for code in codes:
        try:
            v = stored.variant(code)
            it = item(v, ids, policy)
        except HandpropError as err:
            raise err.located(where)
        except (KeyError, TypeError, ValueError) as err:
            raise unreadable(err, code) from None
        changed += [(code, a.id) for a in it.asked if a.id in v.answers and written(a.answer) != written(v.answers[a.id])]
        items.append(it)
    return Quiz(set_name(seed, options), seed, set_key(seed, options), policy, tuple(items), tuple(changed))
