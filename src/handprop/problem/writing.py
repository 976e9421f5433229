"""Writing a problem file: the explicit form (:meth:`Problem.to_dict`) as YAML, JSON or TOML.

What is written reads back as the same problem (:func:`handprop.problem.load`): every float is
written as its ``repr``, which float64 reads back exactly; names YAML would read as booleans or
numbers are quoted.  The format is the path's suffix (``.yaml``/``.yml``, ``.json``,
``.toml``).
"""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = ["problem_text", "save", "WRITTEN_FORMATS"]

WRITTEN_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}


def problem_text(data: dict[str, Any], fmt: str) -> str:
    """The problem file ``data`` (plain data, as :meth:`Problem.to_dict` gives) in ``fmt``."""
    if fmt == "json":
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        import yaml
        return yaml.dump(data, Dumper=_yaml_dumper(), sort_keys=False, default_flow_style=None,
                         width=100, allow_unicode=True)
    if fmt == "toml":
        return _toml(data)
    raise ValueError(f"unknown problem file format {fmt!r}")


def save(problem, path: str | os.PathLike) -> Path:
    """Write ``problem`` to ``path`` in the format of its suffix; returns the path."""
    target = Path(path)
    fmt = WRITTEN_FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise UsageError(f"names no problem file format (end it in {', '.join(WRITTEN_FORMATS)})",
                         source=str(path))
    target.write_text(problem_text(problem.to_dict(), fmt), encoding="utf-8")
    return target


# ---------------------------------------------------------------- YAML: quoting what reads as a number

_YAML12_NUMBER = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                            r"|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


def _yaml_dumper():
    """PyYAML's safe dumper, quoting the text that a YAML 1.2 reader (handprop's) takes for a
    number although YAML 1.1 (PyYAML) does not: ``1e3``, ``0o7``."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value: str):
        style = "'" if _YAML12_NUMBER.match(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper


# ---------------------------------------------------------------- TOML, for the problem's shapes

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE.match(key) else _string(key)


def _string(text: str) -> str:
    # a JSON string is a TOML basic string, but for DEL, which TOML wants escaped
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"{v!r} has no place in a problem file")
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} in a problem file")


def _toml(data: dict[str, Any]) -> str:
    """Scalars and arrays first, then each mapping as a table and each list of mappings as an
    array of tables (the order TOML needs)."""
    head, tables = [], []
    for key, v in data.items():
        if isinstance(v, dict):
            tables.append(f"\n[{_key(key)}]")
            tables += [f"{_key(k)} = {_value(x)}" for k, x in v.items()]
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                tables.append(f"\n[[{_key(key)}]]")
                tables += [f"{_key(k)} = {_value(x)}" for k, x in item.items()]
        else:
            head.append(f"{_key(key)} = {_value(v)}")
    return "\n".join(head + tables) + "\n"
