"""Every answer carries the security headers, and the API docs load nothing from another origin (issue 11, finding 12).

The headers are added by the app's outermost layer (:class:`api.edge.Edge`), so they are on the fast paths' answers,
problem documents, static files, the metrics, and the 500 that Starlette's error middleware sends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support.api_scenario import Scenario

from api.main import create_app
from ledger.config import Settings

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


@pytest.fixture(scope="module")
def site(sqlite_indexed: Settings) -> Iterator[TestClient]:
    """The SQLite index (so the fast paths answer), with one route that fails, for the 500."""
    app = create_app(sqlite_indexed)

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def security_headers(response: Any) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in HEADERS}


def requests(scenario: Scenario) -> list[tuple[str, str, dict[str, Any], int]]:
    case = scenario.cases["public-batch-0"]
    return [
        ("GET", "/", {}, 200),
        ("GET", f"/c/{case.root}", {}, 200),
        ("GET", f"/verify/fingerprint/{case.fingerprint}", {}, 200),  # the lookups' fast path
        ("GET", f"/verify/certificate/{case.leaf}", {}, 200),
        ("GET", f"/verify/certificate/{case.leaf}?source=index", {}, 200),  # the declared route
        ("GET", "/certificates?limit=2", {}, 200),  # the list's fast path
        ("GET", "/certificates?limit=0", {}, 422),  # a problem document
        ("GET", "/partners", {}, 200),
        ("GET", "/nowhere", {}, 404),
        ("DELETE", "/partners", {}, 405),
        ("POST", "/verify/document", {"json": {"version": "nope"}}, 422),
        ("GET", "/static/app.js", {}, 200),
        ("GET", "/openapi.json", {}, 200),
        ("GET", "/health", {}, 200),
        ("GET", "/metrics", {}, 200),
        ("GET", f"/qr/{case.root}.svg", {}, 200),
        ("GET", "/boom", {}, 500),  # answered by Starlette's error middleware
    ]


def test_every_answer_carries_the_security_headers(site: TestClient, scenario: Scenario) -> None:
    seen = []
    for method, path, extra, status in requests(scenario):
        response = site.request(method, path, **extra)
        assert response.status_code == status, (path, response.text)
        seen.append((method, path, security_headers(response)))
    assert seen == [(method, path, HEADERS) for method, path, _, _ in requests(scenario)]


def test_the_api_docs_load_swagger_ui_from_this_server_only(site: TestClient) -> None:
    page = site.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert security_headers(page) == HEADERS | {"content-security-policy": DOCS_CSP}
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets == [
        "/static/swagger-ui/swagger-ui.css",
        "/static/docs.css",
        "/static/swagger-ui/swagger-ui-bundle.js",
        "/static/docs.js",
    ]
    assert "<script>" not in page.text  # no inline script: the CSP allows none
    types = {asset: site.get(asset) for asset in assets}
    assert {asset: (r.status_code, r.headers["content-type"]) for asset, r in types.items()} == {
        "/static/swagger-ui/swagger-ui.css": (200, "text/css; charset=utf-8"),
        "/static/docs.css": (200, "text/css; charset=utf-8"),
        "/static/swagger-ui/swagger-ui-bundle.js": (200, "text/javascript; charset=utf-8"),
        "/static/docs.js": (200, "text/javascript; charset=utf-8"),
    }
    assert "SwaggerUIBundle" in types["/static/swagger-ui/swagger-ui-bundle.js"].text
    assert "url: '/openapi.json'" in types["/static/docs.js"].text


def test_no_page_loads_from_a_cdn(site: TestClient) -> None:
    """The CDN pages FastAPI would serve are gone: ReDoc and Swagger UI's OAuth2 redirect."""
    assert site.get("/redoc").status_code == 404
    assert site.get("/docs/oauth2-redirect").status_code == 404
    for path in ("/", "/docs"):
        assert "http" not in site.get(path).text.replace("http-equiv", "")
