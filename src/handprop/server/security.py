"""What stands in front of every request (a plain ASGI middleware, :class:`Front`): the body
limit (413), the security headers on every answer, and the cache of exact requests.

- A body longer than :data:`~.limits.MAX_BODY` is refused with 413 before the app sees it,
  whether its length is announced or not; a JSON body with a key given twice in one object
  with 422 naming it (:func:`repeated_key`), as the command line refuses such a file.
- Every answer gets :data:`HEADERS`, and a Content-Security-Policy: :data:`API_POLICY` unless
  the answer brings its own (the pages do, :func:`page_policy`: their inline scripts by
  sha256 hash, never ``unsafe-inline`` or ``unsafe-eval``).  No CORS header is ever sent, so
  a page of another origin cannot read an answer.
- A POST to a cached endpoint whose exact bytes (path, query, content type, body) were
  answered before is answered again from :data:`EXACT` without reaching the app.
- A request that a *fast route* takes (``fast``: path → handler) goes straight to its handler:
  the handler reads the body itself and answers only a request that FastAPI would read
  exactly as it does (a plain, well-formed one); for any other it returns ``None`` and the
  request goes on through FastAPI, whose validation and error answers are the contract.
  ``/api/explain`` is one (``app.py``): the editor's commonest request skips FastAPI's
  parsing, validation and routing, the same answer sooner.
"""
from __future__ import annotations

import base64
import hashlib
import re
from typing import Any, Awaitable, Callable, Iterable

from ..cache import LRU
from ..errors import ProblemError
from .limits import MAX_BODY

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
"""The policy of everything that is not a page: nothing may load or run."""

CACHED_PATHS = frozenset({"/api/validate", "/api/explain", "/api/check", "/api/train", "/api/render"})
EXACT: LRU[tuple[int, list, bytes]] = LRU(entries=2048, max_bytes=96 * 1024 * 1024)
"""Answers (status, headers, body) by the exact bytes of their request."""

_INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)


def script_hashes(html: bytes) -> list[str]:
    """The CSP sources of the page's inline scripts: ``'sha256-…'`` each."""
    return sorted({"'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
                   for m in _INLINE_SCRIPT.finditer(html)})


def page_policy(html: bytes, scripts: Iterable[str] = (), styles: Iterable[str] = ()) -> str:
    """The policy of a page of this server: scripts of this origin (and ``scripts``) and the
    page's own inline scripts by hash; styles inline allowed (KaTeX sets style attributes);
    images and fonts of this origin or inlined; requests to this origin only; never framed."""
    script_src = " ".join(["'self'", *scripts, *script_hashes(html)])
    style_src = " ".join(["'self'", "'unsafe-inline'", *styles])
    return (f"default-src 'self'; script-src {script_src}; style-src {style_src}; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _with_headers(headers: list) -> list:
    names = {k.lower() for k, _ in headers}
    out = [h for h in headers if h[0].lower() not in {b"access-control-allow-origin"}]
    out += [h for h in HEADERS if h[0] not in names]
    if b"content-security-policy" not in names:
        out.append((b"content-security-policy", API_POLICY.encode()))
    return out


def _error_body(message: str, path: list | None = None, field: str = "") -> bytes:
    import json
    # json, not orjson: a key sent as a lone surrogate ("\\ud83d") is written back escaped
    return json.dumps({"errors": [{"path": path or [], "field": field, "message": message}]},
                      separators=(",", ":")).encode()


def repeated_key(body: bytes) -> ProblemError | None:
    """The first key given twice in one object of a JSON body, found and said as the command
    line finds a key twice in a problem file (:func:`~handprop.problem.reading.json_document`,
    :func:`~handprop.problem.reading.check_document`: the error's ``path`` and ``field``); None
    when there is none or the body is not JSON (its route says so).  JSON readers keep the
    last of the two silently.  Only a body with a key twice is walked."""
    from ..problem.reading import check_document, json_document
    repeats: list = []
    try:
        doc = json_document(body, repeats)
    except (ValueError, RecursionError):
        return None
    if not repeats:
        return None
    try:
        check_document(doc)
    except ProblemError as err:
        return err
    return None


def is_json(headers: list) -> bool:
    """The request's body is JSON as FastAPI reads it: its first Content-Type, any case,
    ``application/json`` or ``application/<anything>+json``."""
    for name, value in headers:
        if name.lower() == b"content-type":
            kind = value.split(b";")[0].strip().lower()
            return kind == b"application/json" or (kind.startswith(b"application/") and kind.endswith(b"+json"))
    return False


class Front:
    """The ASGI middleware of the module docstring, around the FastAPI app."""

    def __init__(self, app, max_body: int = MAX_BODY, cache: LRU | None = EXACT,
                 fast: dict[str, Callable[[bytes], Awaitable[Any]]] | None = None):
        self.app = app
        self.max_body = max_body
        self.cache = cache
        self.fast = fast or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def secured(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": _with_headers(list(message.get("headers", [])))}
            await send(message)

        if scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, secured)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                return await self._answer(secured, 400, "the Content-Length header is not a number")
            if declared > self.max_body:
                return await self._too_large(secured, declared)
        chunks, total = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_body:
                return await self._too_large(secured, None)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        key = None
        if self.cache is not None and scope["path"] in CACHED_PATHS:
            key = b"\0".join((scope["path"].encode(), scope.get("query_string", b""),
                              headers.get(b"content-type", b""), body))
            found = self.cache.get(key)
            if found is not None:
                status, out_headers, out_body = found
                await secured({"type": "http.response.start", "status": status, "headers": out_headers})
                await secured({"type": "http.response.body", "body": out_body})
                return

        if is_json(scope.get("headers") or []):
            found = repeated_key(body)
            if found is not None:
                from ..problem.reading import field_path
                path = list(found.path)
                if len(path) > 1 and path[0] == "problem":
                    path = path[1:]             # a problem's fields are named as in its file
                return await self._answer(secured, 422, found.message, path, field_path(path))

        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        app = self.app
        handler = self.fast.get(scope["path"]) if scope["method"] == "POST" else None
        if handler is not None and is_json(scope.get("headers") or []):
            response = await handler(body)         # an ASGI app (a Response), or None: not taken
            if response is not None:
                app = response
        if key is None:
            return await app(scope, replay, secured)
        start: dict = {}
        parts: list[bytes] = []

        async def keep(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body", False) and start.get("status") == 200:
                    answer = b"".join(parts)
                    self.cache.put(key, (start["status"], list(start.get("headers", [])), answer),
                                   len(answer) + 256)
            await secured(message)

        await app(scope, replay, keep)

    async def _too_large(self, send, declared: int | None):
        size = f" of {declared:,} bytes" if declared is not None else ""
        return await self._answer(send, 413, f"the request body{size} is larger than the limit of "
                                             f"{self.max_body:,} bytes ({self.max_body // 1024} KB)")

    async def _answer(self, send, status: int, message: str, path: list | None = None, field: str = ""):
        body = _error_body(message, path, field)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
