"""``handprop serve``: the web server behind the live editor (FastAPI, run by uvicorn).

- :mod:`.app`: the application and its routes (``handprop.server:app``, so that
  ``uvicorn handprop.server:app --workers 4`` runs it);
- :mod:`.schemas`: every request and answer, published in ``/openapi.json``;
- :mod:`.work`: the work behind each route, plain functions of plain data;
- :mod:`.limits`: the web limits, smaller than the command line's;
- :mod:`.security`: the body limit, the security headers, the cache of exact requests.

Stateless: no database, no sessions; every request carries its problem.  ``docs/server.md``
is the reference.
"""
from .app import create_app

app = create_app()

__all__ = ["app", "create_app"]
