"""A problem document read safely: YAML, JSON or TOML text into plain data.

Whatever the bytes, reading ends in plain data (mappings, lists, text, numbers,
booleans) or in a :class:`ProblemError`: one line naming the file, the field
(or the line and column) and what is wrong.  Stricter than the parsers alone:
keys given twice are reported (JSON and PyYAML silently keep the last), YAML
aliases are refused (no "billion laughs"), NUL bytes and invalid UTF-8 are
named, the size is bounded, and any depth of nesting is survived.
"""
from __future__ import annotations

import datetime
import difflib
import json
import re
from pathlib import Path
from typing import Any, Iterator

from ..errors import ProblemError

MAX_FILE_BYTES = 32 * 1024 * 1024
"""The largest problem or claims file read (JSON: about a second to read at this size)."""
MAX_SLOW_BYTES = 8 * 1024 * 1024
"""The largest YAML or TOML problem file: their readers take a few seconds at this size."""


# ---------------------------------------------------------------- words for values and places


def describe(value: Any) -> str:
    """What a value is, in a few words a student recognises."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "…"
        return f"the text {shown!r}"
    if isinstance(value, (int, float)):
        return f"the number {number_text(value)}"
    if isinstance(value, datetime.datetime):
        return f"the date and time {value.isoformat()}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, datetime.time):
        return f"the time {value.isoformat()}"
    if isinstance(value, (list, tuple)):
        return "an empty list" if not value else f"a list of {len(value)} item{'s' * (len(value) != 1)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    return f"a {type(value).__name__}"


def number_text(value: int | float) -> str:
    """A number shown briefly; safe for integers too long for ``str()``."""
    if isinstance(value, int) and value.bit_length() > 80:
        if value.bit_length() < 1000:
            return f"{float(value):.6g}"
        return f"{'-' * (value < 0)}about 10^{int(value.bit_length() * 0.30103)}"
    shown = repr(value)
    return shown if len(shown) <= 24 else shown[:12] + "…" + shown[-6:]


def field_path(loc: tuple) -> str:
    """A field path as people write it: ``samples[0].inputs``, ``weights.w5[2]``."""
    parts: list[str] = []
    previous: Any = None
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            parts.append(f"[{part}]")
        elif part == "[key]":     # the key itself is wrong: the path already ends in it ...
            if parts and not isinstance(previous, str):
                parts.pop()       # ... unless it is no text at all: the message says it then
        elif isinstance(part, str) and part.startswith("[") and part.endswith("]"):
            continue              # a union branch's tag
        elif isinstance(part, str) and "function-" in part:
            continue              # pydantic's label of a validator
        elif part == "" or (isinstance(part, str) and not part.strip()):
            parts.append(f"[{part!r}]")     # an empty (or blank) key: shown, not lost
        else:
            text = str(part)
            if len(text) > 32:
                text = text[:24] + "…"
            parts.append(("." if parts else "") + text)
        previous = part
    return "".join(parts)


def suggest(word: Any, options) -> str:
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# ---------------------------------------------------------------- documents: YAML, JSON, TOML


class _Mapping(dict):
    """A mapping read from a file that remembers the keys given more than once in it:
    ``repeated`` holds ``(key, first line, repeated line)`` (lines are None for JSON)."""

    repeated: tuple = ()


_PLAIN = (str, int, float, bool, type(None), datetime.date, datetime.time)
_LEAVES = frozenset({str, int, float, bool, type(None)})
"""The kinds of value a walk need not visit: always fine (a subclass, or a date, is visited)."""


_LEAVE = object()
"""A marker on the walk's stack: the container it names has been looked at."""


def check_document(data: Any) -> None:
    """Refuse what a parser let through but a problem cannot hold: keys given twice, and values
    that are not text, numbers, booleans, lists or mappings.  Iterative: any depth is fine, and
    each value is looked at once, a plain one (a number, text) where its container is (a path
    is a link to its parent's, written out only for an error).  The error's ``path`` holds the field's parts (its keys whole, as sent)."""
    stack: list[tuple[Any, Any]] = [(data, None)]      # (value, (parent's link, key)), or a leaving
    inside: set[int] = set()        # the containers holding the one being looked at
    while stack:
        value, link = stack.pop()
        if value is _LEAVE:
            inside.discard(link)
            continue
        if isinstance(value, (dict, list, tuple)):
            if id(value) in inside:
                raise _refused("holds itself (a list or mapping that contains itself): a problem "
                               "is a tree of values", _path(link))
            inside.add(id(value))
            stack.append((_LEAVE, id(value)))
        if isinstance(value, dict):
            if value.__class__ is _Mapping and value.repeated:
                key, first, again = value.repeated[0]
                lines = f" (lines {first} and {again})" if first else ""
                raise _refused(f"the key {key!r} is given twice{lines}; keep one (the file reader "
                               "would silently use the last)", _path((link, key)))
            stack.extend(reversed([(v, (link, k)) for k, v in value.items() if type(v) not in _LEAVES]))
        elif isinstance(value, (list, tuple)):
            stack.extend(reversed([(v, (link, i)) for i, v in enumerate(value) if type(v) not in _LEAVES]))
        elif not isinstance(value, _PLAIN):
            raise _refused(f"{describe(value)} cannot be used in a problem file: use text, "
                           "numbers, true/false, lists and mappings", _path(link))


def _path(link: Any) -> tuple:
    """The parts of the path a link of :func:`check_document`'s walk ends at, from the top."""
    parts: list = []
    while link is not None:
        link, key = link
        parts.append(key)
    return tuple(reversed(parts))


def _refused(message: str, path: tuple) -> ProblemError:
    err = ProblemError(message, field_path(path))
    err.path = path
    return err


def json_document(text: str | bytes, repeats: list | None = None) -> Any:
    """JSON read as a problem file's JSON is: each mapping remembers a key given twice (for
    :func:`check_document`); ``repeats``, if given, gets each mapping that has one."""
    if repeats is None:
        return json.loads(text, object_pairs_hook=_json_object)

    def remembered(pairs: list[tuple[str, Any]]) -> _Mapping:
        mapping = _json_object(pairs)
        if mapping.repeated:
            repeats.append(mapping)
        return mapping
    return json.loads(text, object_pairs_hook=remembered)


def _json_object(pairs: list[tuple[str, Any]]) -> _Mapping:
    mapping = _Mapping(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                mapping.repeated = ((key, None, None),)
                break
            seen.add(key)
    return mapping


_YAML_LOADER = None
_YAML_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")


def _yaml_loader():
    """PyYAML's safe loader (libyaml's parser when installed), stricter: no aliases (no billion
    laughs), no YAML 1.1 number a reader would not see, keys given twice are remembered, and
    ``1e-3`` is a number as in YAML 1.2 (PyYAML alone reads it as text)."""
    global _YAML_LOADER
    if _YAML_LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)     # libyaml when it is there: 6x faster

        class Loader(base):
            def get_single_node(self):
                node = super().get_single_node()
                if node is not None:
                    _inspect(node)
                return node

            def construct_yaml_map(self, node):
                data = _Mapping()
                yield data
                repeated = self._repeated(node)
                data.update(self.construct_mapping(node))
                data.repeated = repeated

            def _repeated(self, node) -> tuple:
                lines: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                        continue
                    key, line = self.construct_object(key_node), key_node.start_mark.line + 1
                    try:
                        if key in lines:
                            return ((key, lines[key], line),)
                        lines[key] = line
                    except TypeError:
                        continue
                return ()

        Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_yaml_map)
        Loader.add_implicit_resolver("tag:yaml.org,2002:float", _YAML_FLOAT, list("-+0123456789"))
        _YAML_LOADER = Loader
    return _YAML_LOADER


_YAML11_NUMBERS = (
    (re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$"), "a base-60 number"),
    (re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?$"), "a number with underscores"),
    (re.compile(r"^[-+]?0[0-7]+$"), "an octal number"),
    (re.compile(r"^[-+]?0b[0-1_]+$"), "a binary number"),
    (re.compile(r"^[-+]?0x[0-9a-fA-F_]+$"), "a hexadecimal number"),
)
"""Plain scalars YAML 1.1 (PyYAML) reads as numbers that a reader of the file -- or YAML 1.2 --
would not: ``1:30`` is 90, ``010`` is 8, ``0_5`` is 5."""


def _refuse_yaml11_number(value: str, mark) -> None:
    for pattern, kind in _YAML11_NUMBERS:
        if pattern.match(value) and (kind != "a number with underscores" or "_" in value) \
                and any(c.isdigit() for c in value):
            import yaml
            try:
                meant = yaml.safe_load(value)
            except yaml.YAMLError:
                return
            if not isinstance(meant, (int, float)) or isinstance(meant, bool):
                return
            if kind == "an octal number" and meant == int(value, 10):
                return                                  # 07 is 7 either way
            raise ProblemError(
                f"line {mark.line + 1}, column {mark.column + 1}: {value} would be read (YAML 1.1) "
                f"as {kind}, {meant!r}; write a plain decimal number, or put {value} in quotes if "
                "it is a name")


def _inspect(root) -> None:
    """Before anything is built from the composed YAML: no node reached twice (an alias,
    ``*name``, which could make a small file expand without end), and no plain scalar that
    YAML 1.1 reads as a number a reader would not see (:data:`_YAML11_NUMBERS`)."""
    import yaml
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            mark = node.start_mark
            raise ProblemError(f"aliases (*name) are not allowed in problem files: the value of line "
                               f"{mark.line + 1} is used again by one; write the value out")
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if not node.style and node.tag in _NUMBER_TAGS:     # plain: None (Python) or "" (libyaml)
                _refuse_yaml11_number(node.value, node.start_mark)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        else:
            for key, value in node.value:
                stack.append(key)
                stack.append(value)


_NUMBER_TAGS = frozenset(("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"))


def _where(line: int | None, column: int | None) -> str:
    return f"line {line}, column {column}: " if line else ""


def _syntax(fmt: str, err: Exception) -> str:
    """A parser's complaint as ``line L, column C: what``."""
    if isinstance(err, json.JSONDecodeError):
        return _where(err.lineno, err.colno) + err.msg
    if fmt == "toml":
        text = " ".join(str(err).split())
        m = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", text)
        what, where = (m.group(1), _where(int(m.group(2)), int(m.group(3)))) if m else (text, "")
        if what.startswith("Cannot overwrite") or what.startswith("Cannot declare"):
            what += " (a key or table is given twice)"
        return where + what[:1].lower() + what[1:]
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None)
    if mark is not None and problem:
        context, cmark = getattr(err, "context", None), getattr(err, "context_mark", None)
        if problem.startswith("could not determine a constructor for the tag"):
            problem = f"the tag {problem.split()[-1]} is not allowed in problem files"
        problem = problem.replace("did not find expected", "expected")  # libyaml's wording
        if context and problem.startswith("but "):
            return _where(mark.line + 1, mark.column + 1) + f"{context} {problem}"
        also = f" ({context} on line {cmark.line + 1})" if context and cmark else ""
        return _where(mark.line + 1, mark.column + 1) + problem + also
    return " ".join(str(err).split())


def decode(text: str, fmt: str, source: str = "") -> Any:
    """Parse ``text`` as ``fmt`` (yaml, json or toml) into plain data (mappings are dicts)."""
    try:
        if not text.strip():
            raise ProblemError("is empty: a problem needs at least inputs, layers and samples")
        if fmt != "json" and len(text) > MAX_SLOW_BYTES:
            raise ProblemError(f"is {len(text) / 2**20:.1f} MiB; a {fmt.upper()} problem file is at most "
                               f"{MAX_SLOW_BYTES // 2**20} MiB (write a larger one as JSON, which reads "
                               f"fast, up to {MAX_FILE_BYTES // 2**20} MiB)")
        return _decode(text, fmt)
    except ProblemError as err:
        raise err.located(source)
    except RecursionError:
        raise ProblemError("is nested too deeply", source=source) from None
    except Exception as err:  # each parser has its own error classes; all mean "not valid <fmt>"
        if "exceeded maximum nesting depth" in str(err):        # libyaml's own limit
            raise ProblemError("is nested too deeply", source=source) from None
        detail = _syntax(fmt, err)
        if len(detail) > 200:
            detail = detail[:197] + "..."
        raise ProblemError(f"not valid {fmt.upper()}: {detail}", source=source) from None


def _decode(text: str, fmt: str) -> Any:
    if fmt == "json":
        return json_document(text)
    if fmt == "toml":
        import tomllib
        return tomllib.loads(text)
    import yaml
    return yaml.load(text, Loader=_yaml_loader())


_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)", re.MULTILINE)


def top_level_keys(text: str) -> Iterator[tuple[str, int]]:
    """The keys a block-style YAML document starts its top-level lines with, and their line
    numbers: found by a glance, before the slow reading (a flow-style document gives none)."""
    line, at = 1, 0
    for m in _TOP_KEY.finditer(text):
        line += text.count("\n", at, m.start())
        at = m.start()
        yield m.group(1), line


def format_of(path: str) -> str | None:
    return {".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}.get(
        Path(path).suffix.lower())


_TOML_LINE = re.compile(r"^\s*(?:\[[^\]]+\]|[A-Za-z0-9_\"'.-]+\s*=)", re.MULTILINE)


def _looks_like_toml(text: str) -> bool:
    """Its first line of content is ``key = ...`` or a ``[table]``: TOML's complaint is the
    one to give if nothing reads it (YAML would read such a line as one long text)."""
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return bool(_TOML_LINE.match(line))
    return False


def decode_guess(text: str, source: str) -> Any:
    """Standard input or a file without a known suffix: the first of JSON (when it starts with
    '{'), YAML and TOML that reads it as a mapping; else the likeliest format's complaint.
    (A TOML file is often valid YAML, but never a YAML mapping.)"""
    formats = ["json", "yaml", "toml"] if text.lstrip().startswith("{") else \
        ["toml", "yaml"] if _looks_like_toml(text) else ["yaml", "toml"]
    first: tuple[str, Any] | None = None
    for fmt in formats:
        try:
            data = decode(text, fmt, source)
        except ProblemError as err:
            first = first or ("error", err)
            continue
        if isinstance(data, dict):
            return data
        first = first or ("data", data)
    kind, value = first
    if kind == "error":
        raise value
    return value


# ---------------------------------------------------------------- reading


def read_text(path: str, what: str = "problem") -> str:
    """Read a UTF-8 text file (or stdin for ``-``), at most :data:`MAX_FILE_BYTES`, with one-line
    errors naming ``path``."""
    source = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            import sys
            if sys.stdin is None:
                raise ProblemError("there is no standard input to read", source=source)
            stream = getattr(sys.stdin, "buffer", sys.stdin)
            data = stream.read(MAX_FILE_BYTES + 1)
            data = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        else:
            p = Path(path)
            if p.is_dir():
                raise ProblemError(f"is a directory, not a {what} file", source=source)
            if p.is_symlink() and not p.exists():
                raise ProblemError(f"is a symbolic link to {str(p.readlink())!r}, which does not exist",
                                   source=source)
            with p.open("rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
    except ProblemError:
        raise
    except OSError as err:
        raise ProblemError(f"cannot read: {err.strerror or err}", source=source) from None
    except ValueError as err:  # a NUL byte in the path, a closed stream
        raise ProblemError(f"cannot read: {err}", source=source) from None
    if len(data) > MAX_FILE_BYTES:
        raise ProblemError(f"is larger than {MAX_FILE_BYTES // 2**20} MiB", source=source)
    if b"\x00" in data:
        raise ProblemError("is not a text file (it contains NUL bytes)", source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ProblemError(f"is not UTF-8 text (byte {err.start} cannot be read: save the file as "
                           "UTF-8)", source=source) from None
