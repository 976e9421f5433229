"""The set on disk: the contract the LMS exports and the class grading read (docs/exercises.md).

``DIR/set.json`` (:data:`FORMAT`) holds the seed, the options the set was made with, the
rounding policy, the asked quantities, and per variant its code, its problem file (a path
relative to DIR) and its answers by id as the key gives them (decimal strings), beside their
exact values.  Each variant has a folder ``DIR/CODE/`` with its ``problem.yaml`` and its
sheets (:mod:`.build`).  The JSON is written with sorted-free, fixed key order, two-space
indents and a final newline: the same set gives the same bytes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..quantities import describe, pretty
from .generate import ExerciseSet, Recipe, Variant
from .policy import Policy, written

FORMAT = "handprop.exercises/1"
SET_FILE = "set.json"
PROBLEM_FILE = "problem.yaml"
FILES = {"problem": PROBLEM_FILE, "worksheet": "worksheet", "key": "key", "solve": "solve.html",
         "drawing": "network.svg"}
"""The files of a variant's folder (worksheet and key: one per suffix of SHEET_SUFFIXES)."""
SHEET_SUFFIXES = (".md", ".html", ".tex", ".pdf")
CLASS_FILES = {"worksheets": "worksheets.pdf", "keys": "keys.pdf"}


def _yaml_value(v: Any) -> str:
    """A value in YAML flow style that the problem reader takes back exactly: JSON strings,
    ``repr`` of floats (shortest round trip), lists in brackets."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return v if _plain(v) else json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_yaml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_yaml_key(k)}: {_yaml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"no YAML form for {type(v).__name__}")


_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def _plain(text: str) -> bool:
    """A name YAML reads back as this very string when written bare: ASCII letters, digits and
    ``_``, a letter first, no word YAML reads as something else."""
    return (text.isascii() and text.replace("_", "").isalnum() and text[0].isalpha()
            and text.lower() not in _WORDS)


def _yaml_key(k: str) -> str:
    return k if _plain(k) else json.dumps(k, ensure_ascii=False)


def problem_yaml(data: dict[str, Any], code: str) -> str:
    """A variant's problem in the explicit form (docs/problem-format.md), as YAML."""
    out = [f"# handprop exercise, variant {code}: `handprop explain {PROBLEM_FILE}` works it"]
    for field, value in data.items():
        if field in ("layers", "samples"):
            out.append(f"{field}:")
            out += [f"  - {_yaml_value(item)}" for item in value]
        elif field in ("weights", "biases"):
            out.append(f"{field}:")
            out += [f"  {_yaml_key(name)}: {_yaml_value(v)}" for name, v in value.items()]
        else:
            out.append(f"{field}: {_yaml_value(value)}")
    return "\n".join(out) + "\n"


def set_json(ex: ExerciseSet) -> str:
    """``set.json`` of the set."""
    policy = ex.recipe.rounding
    doc = {
        "format": FORMAT,
        "seed": ex.recipe.seed,
        "options": ex.recipe.to_json(),
        "rounding": {"policy": policy.name, "intermediate_places": policy.places,
                     "answer_places": policy.places_shown, "text": policy.text},
        "ask": {"names": list(ex.names), "ids": list(ex.ids),
                "labels": {k: pretty(k) for k in ex.ids}, "words": {k: describe(k) for k in ex.ids}},
        "variants": [variant_entry(v) for v in ex.variants],
        "class_files": dict(CLASS_FILES),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def variant_entry(v: Variant) -> dict[str, Any]:
    files = {"problem": f"{v.code}/{PROBLEM_FILE}",
             "worksheet": [f"{v.code}/worksheet{s}" for s in SHEET_SUFFIXES],
             "key": [f"{v.code}/key{s}" for s in SHEET_SUFFIXES],
             "solve": f"{v.code}/{FILES['solve']}", "drawing": f"{v.code}/{FILES['drawing']}"}
    return {"code": v.code, "index": v.index, "problem": files["problem"],
            "answers": {k: written(a) for k, a in v.answers.items()},
            "exact": dict(v.exact), "files": files}


# ---------------------------------------------------------------- reading a set back

@dataclass(frozen=True)
class StoredSet:
    folder: Path
    data: dict[str, Any]

    @property
    def policy(self) -> Policy:
        return Policy.parse(str(self.data["rounding"]["policy"]))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.data["ask"]["ids"])

    @property
    def recipe(self) -> Recipe:
        return Recipe.from_json(self.data["options"])

    def entry(self, code: str) -> dict[str, Any]:
        wanted = code.strip().upper()
        for v in self.data["variants"]:
            if v["code"] == wanted:
                return v
        codes = ", ".join(v["code"] for v in self.data["variants"][:8])
        raise UsageError(f"no variant {code!r} in this set (its codes: {codes}"
                         f"{', …' if len(self.data['variants']) > 8 else ''})", str(self.folder / SET_FILE))

    def variant(self, code: str) -> Variant:
        """The variant ``code`` from its problem file and its answers in set.json."""
        from decimal import Decimal

        from ..problem import load_path
        e = self.entry(code)
        path = self.folder / e["problem"]
        problem = load_path(str(path))
        return Variant(int(e["index"]), e["code"], problem, problem.to_dict(),
                       {k: Decimal(a) for k, a in e["answers"].items()},
                       {k: float(x) for k, x in e["exact"].items()}, 0)


def read_set(folder: str) -> StoredSet:
    """The set in ``folder`` (UsageError, one line, when it is not one)."""
    path = Path(folder) / SET_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"holds no {SET_FILE}: give the folder `handprop exercise new -o` wrote",
                         str(folder)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UsageError(f"cannot be read as a set of exercises: {err}", str(path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"is not a set of exercises (format {FORMAT!r} expected)", str(path))
    return StoredSet(Path(folder), data)
