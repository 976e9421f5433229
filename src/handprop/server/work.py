"""The work behind each endpoint: plain functions of plain data, run in a worker thread
(``app.py`` gives each a time limit).  Each returns the answer's bytes, or raises a
:class:`~handprop.errors.HandpropError` (a 422 naming the field).

Nothing sent is evaluated: a problem is data read by :func:`handprop.problem.parse`, as
the command line reads a file; a claims text is read by
:func:`handprop.checking.claims.parse`; no name reaches a file path (a ``problem:`` line of
the claims is ignored).  Answers are cached by the normalised problem and the request's
other fields (:data:`SOLVED`).
"""
from __future__ import annotations

import logging
import re
import time
from typing import Any, Callable

import orjson

from ..errors import ClaimsError, HandpropError, ProblemError
from ..cache import LRU
from .limits import check_train_steps, check_web_limits

log = logging.getLogger("handprop.server")

SOLVED: LRU[bytes] = LRU(entries=1024, max_bytes=96 * 1024 * 1024)
"""Answers by the normalised problem and the rest of the request (see :func:`cached`)."""

CALLS = {"explain": 0, "check": 0, "train": 0, "render": 0, "validate": 0}
"""How often each kind of work was really done (not answered from a cache): tests read it."""

NAME = "problem"
"""The name a problem sent to the server takes (the CLI takes the file's stem)."""


def dumps(data: Any) -> bytes:
    return orjson.dumps(data)


# ---------------------------------------------------------------- errors with their paths

_PART = re.compile(r"\[(\d+)\]|\[('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\]|\.?([^.\[]+)")


def path_of(field: str) -> list[str | int]:
    """``layers[0].size`` → ``['layers', 0, 'size']``; ``weights.w5[2]`` → ``['weights', 'w5', 2]``."""
    parts: list[str | int] = []
    for m in _PART.finditer(field):
        index, quoted, name = m.groups()
        if index is not None:
            parts.append(int(index))
        elif quoted is not None:
            parts.append(quoted[1:-1])
        elif name:
            parts.append(name)
    return parts


_LINE = re.compile(r"^line (\d+)$")
_MORE_LINES = re.compile(r"; (line \d+): ")


def error_items(err: HandpropError) -> list[dict[str, Any]]:
    """The error as the API's error objects: ``[{"path", "field", "message"}]``.  A claims
    error naming several lines is one object a line."""
    if isinstance(err, ClaimsError):
        pieces = _MORE_LINES.split(err.message)
        found = [(err.field, pieces[0])] + list(zip(pieces[1::2], pieces[2::2]))
        items = []
        for where, message in found:
            m = _LINE.match(where or "")
            items.append({"path": ["claims", int(m[1])] if m else ["claims"],
                          "field": f"claims: {where}" if where else "claims", "message": message})
        return items
    items = []
    for one in [err] + list(getattr(err, "more", ())):
        field = one.field.lstrip("-")           # the CLI's --steps is the request's steps
        items.append({"path": path_of(field), "field": field, "message": one.message})
    return items


# ---------------------------------------------------------------- reading a problem

def read_problem(data: dict[str, Any], solution: bool = True, name: str = NAME, every: bool = True):
    """The problem of a request, validated exactly as a file is, then held to the web limits.
    A problem that is not usable raises its first error, as the command line does, with (if
    ``every``) the errors of the other fields after it in ``err.more`` (:func:`other_errors`)."""
    start = time.monotonic()
    try:
        return _read(data, solution, name)
    except HandpropError as err:
        if every:
            spent = time.monotonic() - start
            err.more = other_errors(data, err, solution, name,
                                    within=min(MAX_SEARCH, max(MIN_SEARCH, 3 * spent)))
        raise


def _read(data: Any, solution: bool, name: str):
    from ..problem import parse
    problem = parse(data, name=name)
    check_web_limits(problem, solution)
    return problem


MAX_ERRORS = 20
"""The most errors a problem is reported with."""
MIN_SEARCH, MAX_SEARCH = 0.05, 1.0
"""The seconds spent looking for the other errors: three times the first reading, within these
(a problem of 250 KB with every weight wrong takes 0.3 s to read: not twenty times that)."""
STAND_IN = 0.5
"""What a value found wrong is taken to be while the rest is read (a number every numeric
field takes: a weight, an input, a target, a learning rate, an activation's parameter)."""


def other_errors(data: Any, first: HandpropError, solution: bool = True,
                 name: str = NAME, within: float = MAX_SEARCH) -> list[HandpropError]:
    """The errors of the problem's other fields, as the editor marks each at its field.
    Parsing stops at the first error, so the problem is read again with the field found wrong
    taken as a stand-in (:data:`STAND_IN`), or left out when that does not mend it (a key the
    format has not), until it reads or an error is not one value's own (the layers' sizes, a
    missing field): that one is the last reported.  An error that may be the stand-in's doing
    is not reported, and ends the search: one at or above a field stood in for, or beside it
    in the same mapping or list (``nesterov`` beside a ``dampening`` stood in for) unless it is
    that value's own not being a number (:func:`_not_a_number`), or any after
    a key of the format was left out (its default then stands in: an activation left out is
    sigmoid, whose parameters are not another's).  Searching ends after ``within`` seconds."""
    deadline = time.monotonic() + within
    found: list[HandpropError] = []
    if not isinstance(data, dict):
        return found
    try:
        doc = orjson.loads(orjson.dumps(data))      # a copy to stand values in: the request's own
    except (TypeError, orjson.JSONEncodeError):     # stays as sent (a value orjson cannot write:
        return found                                # no more errors are looked for)
    err, tried, mended, defaulted = first, set(), [], False
    while len(found) < MAX_ERRORS - 1 and time.monotonic() < deadline:
        path = tuple(path_of(err.field.lstrip("-")))
        if not path or not _leaf(doc, path):
            return found
        if path in tried:                       # a stand-in did not mend it: without the key
            if not _drop(doc, path):
                return found
            defaulted = defaulted or not err.message.startswith("is not a field")
        else:
            tried.add(path)
            _set(doc, path, STAND_IN)
        mended.append(path)
        try:
            _read(doc, solution, name)
            return found
        except HandpropError as again:
            err = again
        except Exception:                       # a stand-in the reader cannot take: stop there
            return found
        here = tuple(path_of(err.field.lstrip("-")))
        if here in tried and here == mended[-1]:
            continue                            # the same field: try it without the key
        above = any(here == m[:len(here)] for m in mended)
        beside = any(len(m) > 1 and here[:len(m) - 1] == m[:-1] for m in mended)
        if defaulted or above or (beside and not _not_a_number(doc, here, err)):
            return found
        found.append(err)
    return found


def _not_a_number(doc: Any, path: tuple, err: HandpropError) -> bool:
    """``err`` is the value at ``path`` not being a number, in the words of that value alone:
    no stand-in beside it made that (a matrix of weights typed wrong is reported weight by
    weight; a target that breaks the targets' sum after a stand-in is not)."""
    from ..problem.schema import number_error
    at = _walk(doc, path)
    if at is None or isinstance(at[0][at[1]], (dict, list)):
        return False
    return number_error(at[0][at[1]]) == err.message


def _walk(doc: Any, path: tuple) -> tuple[Any, Any] | None:
    """The container holding ``path``'s last part, and that part; None if it is not there."""
    node = doc
    for part in path[:-1]:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    last = path[-1]
    if isinstance(node, dict) and isinstance(last, str) and last in node:
        return node, last
    if isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        return node, last
    return None


def _leaf(doc: Any, path: tuple) -> bool:
    """``path`` names one value that is not a list or mapping (a number, text, a boolean)."""
    at = _walk(doc, path)
    return at is not None and not isinstance(at[0][at[1]], (dict, list))


def _set(doc: Any, path: tuple, value: Any) -> None:
    node, last = _walk(doc, path)
    node[last] = value


def _drop(doc: Any, path: tuple) -> bool:
    at = _walk(doc, path)
    if at is None or not isinstance(at[0], dict):
        return False
    del at[0][at[1]]
    return True


def cached(kind: str, problem, extra: Any, make: Callable[[], bytes]) -> bytes:
    """``make()``'s bytes, or the same answer to the same normalised problem and ``extra``."""
    key = orjson.dumps([kind, problem.to_dict(), extra], option=orjson.OPT_SORT_KEYS)
    found = SOLVED.get(key)
    if found is not None:
        return found
    CALLS[kind] += 1
    answer = make()
    SOLVED.put(key, answer, len(answer))
    return answer


# ---------------------------------------------------------------- the endpoints' work

def validate(data: dict[str, Any]) -> bytes:
    CALLS["validate"] += 1
    try:
        read_problem(data)
    except HandpropError as err:
        return dumps({"ok": False, "errors": error_items(err)})
    return b'{"ok":true,"errors":[]}'


def explain(data: dict[str, Any], digits: int = 6) -> bytes:
    return explain_problem(read_problem(data), digits)


def explain_problem(problem, digits: int = 6) -> bytes:
    return cached("explain", problem, digits, lambda: explain_answer(problem, digits))


SMALL_PARAMS = 24
SMALL_SAMPLES = 4


def small(problem) -> bool:
    """A problem whose explanation is a few milliseconds of work (a 2-2-2 network's is 3 ms):
    the server works it on its event loop, without handing it to a thread (``app.py``)."""
    return len(problem.params) <= SMALL_PARAMS and len(problem.samples) <= SMALL_SAMPLES


def explain_answer(problem, digits: int) -> bytes:
    from ..render.page.payload import payload
    from ..solve import explain as solve
    trace = solve(problem, digits=digits)
    return dumps({"problem": problem.to_dict(), "payload": payload(trace, digits)})


_WARM: list[bool] = []


def warm() -> None:
    """Explain the built-in ``notes`` problem once a process, as the server starts (imports,
    compiled formulas, caches), so that its first request is as fast as the rest.  A failure
    is logged, never fatal: the first request does the same work."""
    if _WARM:
        return
    _WARM.append(True)
    try:
        from ..problem import load
        from ..render.page.payload import payload
        from ..solve import explain as solve
        payload(solve(load("notes"), digits=6), 6)     # explain_answer's work, not its name:
    except Exception:           # noqa: BLE001       # tests replace that with slow ones
        log.exception("handprop server: warming up failed (the server runs, its first request is slower)")


def check(data: dict[str, Any], claims_text: str) -> bytes:
    from ..checking.claims import parse as parse_claims
    problem = read_problem(data, name="")    # unnamed: the checker's words say "the problem"
    claims = parse_claims(claims_text, source="claims")     # no folder: a problem: line reads nothing
    return cached("check", problem, claims_text, lambda: check_answer(problem, claims))


def check_answer(problem, claims) -> bytes:
    from ..checking.verdicts import check as grade
    try:
        report = grade(problem, claims)
    except ProblemError as err:             # a checker's complaint about the claims
        raise ClaimsError(err.message, err.field, "claims") from None
    found = report.to_json()
    found["counts"] = report.counts()
    return dumps(found)


def train(data: dict[str, Any], steps: int, every: int | None, hidden_deltas: str = "original") -> bytes:
    problem = read_problem(data, solution=False)
    check_train_steps(steps)
    return cached("train", problem, [steps, every, hidden_deltas],
                  lambda: train_answer(problem, steps, every, hidden_deltas))


def train_answer(problem, steps: int, every: int | None, hidden_deltas: str) -> bytes:
    from ..training.history import train as run
    from ..training.report_json import document
    history = run(problem, steps, every, hidden_deltas)
    return orjson.dumps(document(history))


CONTENT_TYPES = {
    "text": "text/plain; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "latex": "application/x-tex; charset=utf-8",
    "typst": "text/x-typst; charset=utf-8",
    "pdf": "application/pdf",
    "python": "text/x-python; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
"""The media type of each downloadable format (``render/__init__.py`` FORMATS)."""


def render(data: dict[str, Any], fmt: str, digits: int = 6) -> tuple[bytes, str]:
    """The file ``handprop explain --format FMT`` writes, and its file name."""
    from ..render import FORMATS
    problem = read_problem(data)
    body = cached("render", problem, [fmt, digits], lambda: render_answer(problem, fmt, digits))
    return body, filename(problem, FORMATS[fmt].suffixes[0])


def render_answer(problem, fmt: str, digits: int) -> bytes:
    from ..render import output_chunks
    from ..solve import explain as solve
    trace = solve(problem, digits=digits)
    return b"".join(output_chunks(fmt, trace, digits=digits))


def filename(problem, suffix: str) -> str:
    """A safe file name from the title: letters, digits and dashes only."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", problem.title or "").strip("-").lower()[:48].strip("-")
    return (stem or NAME) + suffix


def examples() -> bytes:
    from ..problem import builtins, load
    found = []
    for name in builtins():
        problem = load(name)
        found.append({"name": name, "title": problem.title or name, "problem": problem.to_dict()})
    return dumps(found)
