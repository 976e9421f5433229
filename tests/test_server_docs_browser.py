"""``/docs`` (Swagger UI, served by the server itself: ``server/swagger.py``) in headless
Chromium, against the running server (uvicorn serving ``handprop.server:app`` on a free
loopback port, as in test_editor_browser.py): it draws every operation, with no console error,
no Content-Security-Policy violation, and no request to any other origin; and where
swagger-ui-dist is missing, a page that says so (no browser needed for that one)."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

import test_editor_browser

server = test_editor_browser.server     # the fixture: the running server's address, as the editor's tests start it

OPERATIONS = ("/api/validate", "/api/explain", "/api/check", "/api/train", "/api/render",
              "/api/examples", "/api/limits")
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", e => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _swagger_installed() -> bool:
    from handprop.server.swagger import SwaggerMissing, swagger_dir
    try:
        swagger_dir()
    except SwaggerMissing:
        return False
    return True


@pytest.mark.browser
def test_docs_draws_every_operation_from_this_origin_only(browser, server):
    if not _swagger_installed():
        pytest.skip("swagger-ui-dist is missing: run npm install (make test does)")
    origin = urlsplit(server)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    outside: list[str] = []
    errors: list[str] = []
    failed: list[str] = []

    def route(r):
        u = urlsplit(r.request.url)
        if u.scheme in ("data", "blob") or (u.scheme, u.netloc) == (origin.scheme, origin.netloc):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    try:
        context.route("**/*", route)
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        response = page.goto(server + "/docs")
        assert response.status == 200
        csp = response.headers["content-security-policy"]
        script_src = csp.split("script-src", 1)[1].split(";", 1)[0]
        assert "'self'" in script_src and "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
        assert "http" not in csp                                   # no other origin allowed at all

        block = page.locator(".opblock", has_text="/api/explain").first
        block.wait_for(state="visible", timeout=15_000)
        assert block.locator(".opblock-summary-path").inner_text().strip() == "/api/explain"
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        for path in OPERATIONS:
            assert path in [p.strip() for p in paths], (path, paths)

        block.locator(".opblock-summary").first.click()              # open one: its schema is drawn
        page.locator(".opblock-body", has_text="Request body").first.wait_for(state="visible", timeout=30_000)
        time.sleep(0.2)                                              # a late request or error shows up

        assert page.evaluate("window.__violations") == []
        assert errors == []
        assert outside == []
        own = [u for u in requests if not u.startswith(("data:", "blob:"))]
        assert own and all((urlsplit(u).scheme, urlsplit(u).netloc) == (origin.scheme, origin.netloc)
                           for u in own), own
        for name in ("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/openapi.json"):
            assert server + name in requests, (name, requests)
        assert failed == []
    finally:
        context.close()


def test_docs_says_when_swagger_ui_is_missing(monkeypatch):
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    import sys

    from fastapi.testclient import TestClient

    from handprop.server import create_app
    module = sys.modules["handprop.server.app"]
    monkeypatch.setenv("HANDPROP_SWAGGER_DIR", "/nowhere")
    monkeypatch.setattr(module, "_DOCS", None)
    client = TestClient(create_app())
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Swagger UI" in r.text and "not installed in this build" in r.text
    assert "HANDPROP_SWAGGER_DIR=/nowhere" in r.text and 'href="/openapi.json"' in r.text
    assert "<script" not in r.text and "http" not in r.headers["content-security-policy"]
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        missing = client.get("/docs/" + name)
        assert missing.status_code == 404 and "swagger-ui-dist" in missing.json()["errors"][0]["message"]
