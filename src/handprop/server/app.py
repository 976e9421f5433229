"""The FastAPI application: routes, each a thin call of :mod:`.work` in a worker thread with
a time limit, and errors as JSON with their field's path (never a traceback).

``docs/server.md`` is the reference of every endpoint; ``/openapi.json`` and ``/docs``
publish the schemas (:mod:`.schemas`).
"""
from __future__ import annotations

import asyncio
import ctypes
import logging
import threading
from collections import Counter
from contextlib import asynccontextmanager
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Callable, Literal

import orjson
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import HandpropError, MissingDependency
from ..problem.reading import field_path
from ..runtime import serving_gc
from . import work
from .limits import LIMITS, MAX_BODY, TIME_LIMIT
from .schemas import (CheckRequest, CheckResponse, Errors, Example, ExplainRequest, ExplainResponse,
                      Limits, ProblemRequest, RenderRequest, TrainRequest, ValidateResponse)
from .security import EXACT, Front, HEADERS, page_policy

log = logging.getLogger("handprop.server")

WORKERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="handprop-work")
"""Where the work runs, so that a request past its time limit can be answered 503 at once and
its work abandoned (:class:`Job`)."""


class Abandoned(BaseException):
    """Raised inside a job's thread when its request ran out of time (a BaseException, so that
    no ``except Exception`` of the work swallows it)."""


class Job:
    """One request's work in a worker thread, which :meth:`abandon` stops: the exception
    :class:`Abandoned` is raised in that thread at its next Python instruction (CPython's
    ``PyThreadState_SetAsyncExc``), so a long search of the checker or a long training run
    does not go on using the machine after its 503.  (Work inside one long C call stops when
    the call returns.)  A lock keeps the exception from reaching a thread that has finished
    the job and taken another."""

    def __init__(self, fn: Callable[[], Any]):
        self.fn = fn
        self.lock = threading.Lock()
        self.thread: int | None = None
        self.abandoned = False

    def __call__(self) -> Any:
        with self.lock:
            if self.abandoned:
                raise Abandoned()
            self.thread = threading.get_ident()
        try:
            return self.fn()
        finally:
            with self.lock:
                self.thread = None

    def abandon(self) -> None:
        with self.lock:
            self.abandoned = True
            if self.thread is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread),
                                                           ctypes.py_object(Abandoned))

JSON = "application/json"
ERRORS = {
    400: {"model": Errors, "description": "the body cannot be read as JSON at all"},
    413: {"model": Errors, "description": "the request body is larger than 256 KB"},
    422: {"model": Errors, "description": "the problem, the claims or another field is not usable: "
                                          "each error with its field's path"},
    503: {"model": Errors, "description": "the work took longer than the time limit, or needs "
                                          "something this server lacks"},
}
FAST_KEYS = frozenset(ExplainRequest.model_fields)
"""The keys of an explain request (``problem``, ``digits``): a body with another goes through FastAPI."""
INLINE_BYTES = 4096
"""An explain request this short is read on the event loop itself, and when its problem is
small (:func:`.work.small`: a 2-2-2 problem is 600 bytes, its work 3 ms) worked there too, not
in a worker thread: far within the time limit, and the hand-over to a thread and back (and
the wait for the interpreter's lock) costs more than the work."""
FAST_TAKEN: Counter[str] = Counter()
"""How many requests each fast route took (tests read it)."""
RENDER_TYPES = {name: {} for name in sorted(set(work.CONTENT_TYPES.values()))}


def _errors(status: int, items: list[dict[str, Any]], headers: dict | None = None) -> Response:
    return Response(work.dumps({"errors": items}), status_code=status, media_type=JSON, headers=headers)


def _message(status: int, message: str) -> Response:
    return _errors(status, [{"path": [], "field": "", "message": message}])


def create_app(time_limit: float = TIME_LIMIT, max_body: int = MAX_BODY, exact_cache: bool = True) -> FastAPI:
    """The application (``handprop.server:app`` is one with the defaults)."""
    @asynccontextmanager
    async def lifespan(_api: FastAPI):
        work.warm()
        with serving_gc():          # the garbage collector tuned for a server (runtime.py)
            yield

    api = FastAPI(title="handprop", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  openapi_url="/openapi.json",
                  description="Backpropagation on small networks, worked and checked: the API behind "
                              "`handprop serve` (docs/server.md). Every request is JSON; a problem is "
                              "sent as `{\"problem\": <a problem file's mapping>}`.")
    api.state.time_limit = time_limit

    async def run(fn: Callable[..., Any], *args) -> Any:
        loop = asyncio.get_running_loop()
        job = Job(partial(fn, *args))
        future = loop.run_in_executor(WORKERS, job)
        try:
            return await asyncio.wait_for(future, api.state.time_limit)
        except asyncio.TimeoutError:
            job.abandon()
            raise

    async def answer(fn: Callable[..., Any], *args, media_type: str = JSON,
                     headers: dict | None = None, inline: bool = False) -> Response:
        try:
            body = fn(*args) if inline else await run(fn, *args)
        except asyncio.TimeoutError:
            return _message(503, f"this request needs more than the time limit of "
                                 f"{api.state.time_limit:g} s of work; try a smaller network, fewer "
                                 "samples or fewer steps (the command line has no time limit)")
        except MissingDependency as err:
            return _message(503, f"this server cannot do that: {err.message}")
        except HandpropError as err:
            return _errors(422, work.error_items(err))
        except RecursionError:
            return _message(422, "the request is nested too deeply")
        if isinstance(body, tuple):
            body, filename = body
            headers = {"content-disposition": f'attachment; filename="{filename}"'}
        return Response(body, media_type=media_type, headers=headers)

    async def explain_fast(body: bytes) -> Response | None:
        """``/api/explain`` without FastAPI's parsing (:class:`~.security.Front`), for a body
        that :class:`~.schemas.ExplainRequest` reads as it is: a JSON object of a mapping
        ``problem`` and, if given, an integer ``digits`` from 1 to 17.  Anything else (another
        key, ``digits`` as ``"6"`` or ``6.0``, JSON that orjson refuses: NaN, a 65-bit
        integer) is None: FastAPI reads it, and answers or refuses it as the contract says."""
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if type(data) is not dict or type(data.get("problem")) is not dict or not set(data) <= FAST_KEYS:
            return None
        digits = data.get("digits", 6)
        if type(digits) is not int or not 1 <= digits <= 17:
            return None
        FAST_TAKEN["/api/explain"] += 1
        if len(body) <= INLINE_BYTES:
            try:
                problem = work.read_problem(data["problem"], every=False)   # a quick look: the errors, if any, are read in full below
            except (HandpropError, RecursionError):
                problem = None          # the error is answered as any other's, below
            if problem is not None and work.small(problem):
                return await answer(work.explain_problem, problem, digits, inline=True)
        return await answer(work.explain, data["problem"], digits)

    api.add_middleware(Front, max_body=max_body, cache=EXACT if exact_cache else None,
                       fast={"/api/explain": explain_fast})

    @api.exception_handler(RequestValidationError)
    async def bad_request(request: Request, err: RequestValidationError):
        items = []
        for e in err.errors():
            loc = [p for p in e.get("loc", ()) if p != "body"]
            if e.get("type") == "json_invalid":      # not the request's shape: not JSON at all
                return _message(400, f"the body is not valid JSON "
                                     f"({e.get('ctx', {}).get('error', 'JSON decode error')})")
            if e.get("type") == "missing" and not loc:
                items.append({"path": [], "field": "", "message": "the body is empty: send a JSON object"})
                continue
            loc = [p if isinstance(p, (str, int)) else str(p) for p in loc]
            field = field_path(tuple(loc))
            message = "is required" if e.get("type") == "missing" else str(e.get("msg", "is not usable"))
            items.append({"path": loc, "field": field, "message": message})
        return _errors(422, items or [{"path": [], "field": "", "message": "the request is not usable"}])

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException):
        detail = err.detail if isinstance(err.detail, str) else "the request is not usable"
        if err.status_code == 400 and detail == "There was an error parsing the body":
            detail = "the body could not be read as JSON (a number too long, or nested too deeply)"
        return _errors(err.status_code, [{"path": [], "field": "", "message": detail}],
                       headers=getattr(err, "headers", None))

    @api.exception_handler(Exception)
    async def crashed(request: Request, err: Exception):      # never a traceback to the client
        log.exception("handprop server: %s %s", request.method, request.url.path)
        response = _message(500, "the server failed on this request (the error is logged)")
        for k, v in HEADERS:
            response.headers[k.decode()] = v.decode()
        return response

    @api.post("/api/validate", response_model=ValidateResponse, responses=ERRORS,
              summary="a problem's errors, each with its field's path")
    async def validate(body: ProblemRequest):
        return await answer(work.validate, body.problem)

    @api.post("/api/explain", response_model=ExplainResponse, responses=ERRORS,
              summary="the normalised problem and the payload the page draws")
    async def explain(body: ExplainRequest):
        return await answer(work.explain, body.problem, body.digits)

    @api.post("/api/check", response_model=CheckResponse, responses=ERRORS,
              summary="grade claims (a claims file's text) against the problem")
    async def check(body: CheckRequest):
        return await answer(work.check, body.problem, body.claims)

    @api.post("/api/train", response_model=TrainResponse_, responses=ERRORS,
              summary="many steps of gradient descent: what `handprop train --format json` writes")
    async def train(body: TrainRequest):
        return await answer(work.train, body.problem, body.steps, body.every, body.hidden_deltas)

    @api.post("/api/render", responses={200: {"content": RENDER_TYPES,
                                              "description": "the file `handprop explain --format F` writes"},
                                        **ERRORS},
              response_class=Response, summary="a download in any format the command line writes")
    async def render(body: RenderRequest,
                     format: Literal["markdown", "latex", "typst", "pdf", "python", "html", "json", "text"]
                     = Query(description="the output format")):
        return await answer(work.render, body.problem, format, body.digits,
                            media_type=work.CONTENT_TYPES[format])

    @api.get("/api/examples", response_model=list[Example], summary="the built-in problems")
    async def examples():
        return await answer(_examples)

    @api.get("/api/limits", response_model=Limits, summary="the web limits this server enforces")
    async def limits():
        return Response(work.dumps(LIMITS), media_type=JSON)

    @api.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index():
        page, policy = await run(_index)
        return Response(page, media_type="text/html; charset=utf-8",
                        headers={"content-security-policy": policy, "cache-control": "no-cache"})

    @api.get("/static/{name}", include_in_schema=False)
    async def static(name: str):
        found = _static_file(name)
        if found is None:
            return _message(404, f"no static file {name!r}")
        data, media_type = found
        return Response(data, media_type=media_type, headers={"cache-control": "no-cache"})

    @api.get("/docs", include_in_schema=False)
    async def docs():
        page, policy = _docs()
        return Response(page, media_type="text/html; charset=utf-8",
                        headers={"content-security-policy": policy, "cache-control": "no-cache"})

    @api.get("/docs/{name}", include_in_schema=False)
    async def docs_file(name: str):
        from .swagger import SwaggerMissing, swagger_file
        try:
            found = swagger_file(name)
        except SwaggerMissing as err:
            return _message(404, f"no file {name!r}: {err.message}")
        if found is None:
            return _message(404, f"no file {name!r}")
        data, media_type = found
        return Response(data, media_type=media_type, headers={"cache-control": "no-cache"})

    return api


from .schemas import TrainResponse as TrainResponse_  # noqa: E402  (a name the route's annotation needs)

_EXAMPLES: bytes | None = None
_INDEX: tuple[bytes, str] | None = None
_DOCS: tuple[bytes, str] | None = None
STATIC_DIR = Path(__file__).resolve().parents[1] / "render" / "page" / "static"
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".woff2": "font/woff2", ".svg": "image/svg+xml", ".png": "image/png"}


def _examples() -> bytes:
    global _EXAMPLES
    if _EXAMPLES is None:
        _EXAMPLES = work.examples()
    return _EXAMPLES


def _index() -> tuple[bytes, str]:
    """The editor page (``handprop.render.page.editor.editor_page``) when this build has it,
    else a page saying that it has not; with its Content-Security-Policy."""
    global _INDEX
    if _INDEX is None:
        try:
            from ..render.page import editor
        except ImportError as err:
            if "editor" not in str(err):
                raise
            page = no_editor()
        else:
            import html

            import orjson
            try:
                page = editor.editor_page(orjson.loads(_examples())).encode("utf-8")
            except MissingDependency as err:      # KaTeX not installed: said, and the API still works
                page = no_editor(f" ({html.escape(str(err))})")
        _INDEX = (page, page_policy(page))
    return _INDEX


def _docs() -> tuple[bytes, str]:
    """``/docs``: FastAPI's Swagger UI page, its script, style and icon served by this server
    (:mod:`.swagger`), with its Content-Security-Policy (everything of this origin, the page's
    one inline script by hash); where swagger-ui-dist is not installed, a page saying so."""
    global _DOCS
    if _DOCS is not None:
        return _DOCS
    from .swagger import SwaggerMissing, swagger_dir
    try:
        swagger_dir()
    except SwaggerMissing as err:
        import html
        page = no_docs(html.escape(err.message))
        return page, page_policy(page)          # not kept: found once npm install has run
    from fastapi.openapi.docs import get_swagger_ui_html
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="handprop API",
                               swagger_js_url="/docs/swagger-ui-bundle.js",
                               swagger_css_url="/docs/swagger-ui.css",
                               swagger_favicon_url="/docs/favicon.png",
                               swagger_ui_parameters={"validatorUrl": None}).body   # no badge from swagger.io
    _DOCS = (page, page_policy(page))
    return _DOCS


def _static_file(name: str) -> tuple[bytes, str] | None:
    if "/" in name or "\\" in name or name.startswith(".") or Path(name).suffix not in STATIC_TYPES:
        return None
    path = STATIC_DIR / name
    if not path.is_file() or path.resolve().parent != STATIC_DIR:
        return None
    return path.read_bytes(), STATIC_TYPES[path.suffix]


def missing_page(title: str, *paragraphs: str) -> bytes:
    """A plain page saying what this build lacks (its paragraphs are HTML, escaped by the caller)."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}}</style>
</head><body>
<h1>{title}</h1>
{body}
</body></html>
""").encode()


def no_editor(why: str = "") -> bytes:
    return missing_page("handprop server", f"The browser editor is not installed in this build of handprop{why}: "
                        "this server answers its JSON API only.",
                        'The API: <a href="/docs">/docs</a> (interactive) and <a href="/openapi.json">/openapi.json</a>.')


def no_docs(why: str) -> bytes:
    return missing_page("handprop API", "The interactive documentation of the API (Swagger UI) is not installed "
                        "in this build of handprop.", why,
                        'The API works all the same: its schemas are at <a href="/openapi.json">/openapi.json</a>, '
                        "and its reference is docs/server.md.")
