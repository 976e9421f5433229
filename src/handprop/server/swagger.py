"""Swagger UI for ``/docs``: ``swagger-ui-bundle.js`` and ``swagger-ui.css`` from the npm
package ``swagger-ui-dist`` (pinned in ``package.json``, installed by ``make setup``'s
``npm install``), found at run time as KaTeX is (``render/page/assets.py``):
``$HANDPROP_SWAGGER_DIR``, else a ``node_modules`` above this file or the working folder.

The server serves them itself (``/docs/swagger-ui-bundle.js``, ``/docs/swagger-ui.css``,
``/docs/favicon.png``), so ``/docs`` asks nothing of any other origin.
"""
from __future__ import annotations

import functools
from pathlib import Path

from ..errors import MissingDependency

SWAGGER_VERSION = "5.35.0"
FILES = {
    "swagger-ui-bundle.js": ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("swagger-ui.css", "text/css; charset=utf-8"),
    "favicon.png": ("favicon-32x32.png", "image/png"),
}
"""What ``/docs/{name}`` serves: name → (the file of swagger-ui-dist, its media type)."""
NEEDED = ("swagger-ui-bundle.js", "swagger-ui.css")


class SwaggerMissing(MissingDependency):
    """Swagger UI (an npm package) is needed for ``/docs`` and was not found."""


def swagger_dir() -> Path:
    """swagger-ui-dist's folder: ``$HANDPROP_SWAGGER_DIR``, else a ``node_modules`` above us or cwd."""
    from ..render.page.assets import npm_folder
    found = npm_folder("swagger-ui-dist", "HANDPROP_SWAGGER_DIR", NEEDED)
    if isinstance(found, Path):
        return found
    raise SwaggerMissing(f"{found} (point it at the folder of the npm package swagger-ui-dist)" if found else
                         "Swagger UI not found: run `npm install` in the handprop folder "
                         f"(swagger-ui-dist {SWAGGER_VERSION}), or set HANDPROP_SWAGGER_DIR to "
                         "the folder of the npm package swagger-ui-dist")


@functools.lru_cache(maxsize=8)
def _read(path: str) -> bytes:
    return Path(path).read_bytes()


def swagger_file(name: str) -> tuple[bytes, str] | None:
    """The bytes and media type of ``/docs/{name}``; None for a name not served or a file absent
    (:class:`SwaggerMissing` where swagger-ui-dist is not found at all)."""
    if name not in FILES:
        return None
    file, media_type = FILES[name]
    path = swagger_dir() / file
    if not path.is_file():
        return None
    return _read(str(path)), media_type
