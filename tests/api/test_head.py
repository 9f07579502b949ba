"""``HEAD`` answers wherever ``GET`` does, with the same status and headers and no body (issue 14).

The requests are derived from the app itself: every ``GET`` operation of its OpenAPI document and every ``GET`` route
outside it (the pages, the QR codes, the metrics, the OpenAPI document), each with real path parameters from the
scenario, plus mounts, fast paths and error answers. A route added later without a sample here fails the walk.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route
from support.api_scenario import Scenario
from support.app_routes import routes
from support.browser import serve

from ledger.config import Settings


def samples(scenario: Scenario) -> dict[str, str]:
    """A concrete path for each path parameter, from the scenario's chain."""
    case = next(c for c in scenario.cases.values() if c.root and c.leaf and c.fingerprint)
    partner = next(iter(scenario.partners.values()))
    return {
        "certificate_id": case.leaf or "",
        "fingerprint": case.fingerprint or "",
        "tx_hash": next(iter(scenario.txs.values())).tx_hash,
        "address": partner.address.lower(),
        "proposal_id": str(next(iter(scenario.proposals.values()))),
        "original_id": scenario.originals["charter"],
        "gtin": "9506000134352",  # GS1's example GTIN-13 (the Digital Link resolver's page and QR code)
        "serial": "SN-1",
    }


def get_paths(app: Any, scenario: Scenario) -> list[str]:
    """Every GET route of ``app``, documented or not, with its path parameters filled in."""
    documented = [path for path, operations in app.openapi()["paths"].items() if "get" in operations]
    undocumented = [
        route.path
        for route in routes(app.routes)
        if isinstance(route, APIRoute | Route) and "GET" in (route.methods or ()) and not route.include_in_schema
    ]
    templates = [re.sub(r"\{(\w+):\w+\}", r"{\1}", t) for t in documented + undocumented]  # {serial:path}
    return [template.format(**samples(scenario)) for template in dict.fromkeys(templates)]


def test_every_get_route_is_walked(api: TestClient, scenario: Scenario) -> None:
    paths = get_paths(api.app, scenario)
    pages = {"/", "/directory", "/browse", "/council/proposals", "/council/propose", "/apply", "/console", "/docs"}
    assert pages <= set(paths)
    assert "/verify/fingerprint/{fingerprint}".format(**samples(scenario)) in paths
    assert "/openapi.json" in paths
    assert not [path for path in paths if "{" in path]


def test_head_answers_as_get_without_a_body(api: TestClient, scenario: Scenario, indexed: Settings) -> None:
    extra = [
        "/certificates?limit=2",  # the list's fast path (on SQLite)
        "/certificates?limit=0",  # a problem document
        f"/verify/certificate/{samples(scenario)['certificate_id']}?source=index",
        "/static/style.css",
        "/static/swagger-ui/swagger-ui.css",
        "/nowhere",  # 404
        "/c/not-an-id",  # a page's 422
    ]
    compared = []
    for path in [*get_paths(api.app, scenario), *extra]:
        got, head = api.get(path), api.head(path)
        assert head.content == b"", path
        headers = dict(got.headers)
        if path == "/metrics":  # the counters moved between the two requests: only the body's length may differ
            del headers["content-length"]
            assert int(head.headers["content-length"]) > 0
        compared.append((path, head.status_code, {k: v for k, v in head.headers.items() if k in headers}))
        assert compared[-1] == (path, got.status_code, headers)
    statuses = {path: status for path, status, _ in compared}
    assert statuses["/"] == statuses["/openapi.json"] == statuses["/certificates?limit=2"] == 200
    assert statuses["/nowhere"] == 404
    assert statuses["/certificates?limit=0"] == statuses["/c/not-an-id"] == 422


def test_head_is_not_an_operation_of_the_openapi_document(api: TestClient) -> None:
    assert [p for p, operations in api.app.openapi()["paths"].items() if "head" in operations] == []  # type: ignore[attr-defined]


def test_a_post_only_route_refuses_head_as_it_refuses_get(api: TestClient) -> None:
    got, head = api.get("/verify/document"), api.head("/verify/document")
    assert (head.status_code, head.headers["allow"], head.content) == (405, got.headers["allow"], b"")
    assert got.status_code == 405


def test_head_through_uvicorn_sends_the_get_headers_and_no_body(sqlite_indexed: Settings) -> None:
    """The server itself (not only the test client) ends a HEAD answer after its headers, with GET's length."""
    with serve(sqlite_indexed) as base, httpx.Client(base_url=base) as client:
        for path in ("/", "/static/app.js", "/certificates?limit=2", "/openapi.json", "/nowhere"):
            got, head = client.get(path), client.head(path)
            assert (head.status_code, head.headers["content-length"], head.content) == (
                got.status_code,
                str(len(got.content)),
                b"",
            ), path
        metrics = client.get("/metrics").text
        for route in ("/", "/certificates"):  # HEAD is counted as HEAD, under the route that answered it
            assert f'originals_http_requests_total{{method="HEAD",route="{route}",status="200"}}' in metrics
