"""Differential tests of the fast paths (``docs/decisions/0005-fast-path-policy.md``): the same requests through an app
with its fast paths and through the same app without them (the declared routes alone) give the same status, headers
and bytes, good requests and bad ones alike; and the fast path did answer the requests it is for, so the comparison
is of two different paths.

Both apps serve one fixed SQLite index (:mod:`support.recorded_world`). The app without fast paths is ``create_app``
with :func:`api.fastpaths.install` replaced by a no-op, the one place they are installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from starlette.types import Scope, Send
from support.recorded_world import BANK, GENESIS, MILL, TOWN, World, build, fingerprint

import api.fastpaths
from api.fastpaths import _certificates, _lookups
from api.main import create_app


class Clients:
    def __init__(self, fast: TestClient, plain: TestClient, world: World, answered: list[str]) -> None:
        self.fast, self.plain, self.world, self.answered = fast, plain, world, answered


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clients]:
    settings, world = build(Path(tmp_path_factory.mktemp("fastpaths")))
    answered: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        for module in (_lookups, _certificates):
            original = module.send_json

            async def recording(scope: Scope, send: Send, *args: Any, _send_json: Any = original) -> None:
                query = scope.get("query_string", b"").decode()
                answered.append(scope["path"] + (f"?{query}" if query else ""))
                await _send_json(scope, send, *args)

            patch.setattr(module, "send_json", recording)
        fast_app = create_app(settings)
        with pytest.MonkeyPatch.context() as no_fastpaths:
            no_fastpaths.setattr(api.fastpaths, "install", lambda app, facts: None)
            plain_app = create_app(settings)
        with TestClient(fast_app) as fast, TestClient(plain_app) as plain:
            yield Clients(fast, plain, world, answered)


def same_answers(clients: Clients, method: str, urls: list[str]) -> list[str]:
    """Send every url through both apps; assert equal answers; the urls the fast path answered itself."""
    clients.answered.clear()
    for url in urls:
        fast = clients.fast.request(method, url, follow_redirects=False)
        plain = clients.plain.request(method, url, follow_redirects=False)
        assert fast.status_code == plain.status_code, url
        assert fast.headers.items() == plain.headers.items(), url
        assert fast.content == plain.content, url
    return list(clients.answered)


# -- verify lookups ---------------------------------------------------------------------------------------------------


def lookup_keys(w: World) -> list[str]:
    originals = ["diploma 1", "diploma 2", "fabric roll 1", "fabric roll 2", "ticket", "bond 2", "letter 1", "x"]
    leaves = [doc["proof"]["targetHash"] for doc in w.documents.values()]
    return [fingerprint(o) for o in originals] + list(w.ids.values())[:12] + leaves[:10] + ["0x" + "00" * 32]


def test_the_lookup_fast_path_answers_plain_lookups_with_the_declared_routes_bytes(clients: Clients) -> None:
    keys = lookup_keys(clients.world)
    keys += ["0x" + keys[0][2:].upper(), "0x" + keys[8][2:].upper()]
    urls = [
        f"/verify/{kind}/{key}{query}"
        for kind in ("fingerprint", "certificate")
        for key in keys
        for query in ("", "?source=index")
    ]
    answered = same_answers(clients, "GET", urls)
    ambiguous = [url for url in urls if clients.plain.get(url).status_code == 409]
    assert len(ambiguous) == 2, "the list reaches a leaf that two issuers publish (a 409 problem), both ways"
    # The lookup raises for an ambiguous leaf: the fast path then leaves the request, and its problem, to the route.
    assert answered == [url for url in urls if url not in ambiguous]


def test_the_lookup_fast_path_leaves_everything_else_to_the_declared_routes(clients: Clients) -> None:
    key = fingerprint("diploma 1")
    urls = [
        f"/verify/fingerprint/{key}?source=index&source=index",
        f"/verify/fingerprint/{key}?source=index&x=1",
        f"/verify/fingerprint/{key}?source=%69ndex",
        f"/verify/fingerprint/{key}?source=Index",
        f"/verify/fingerprint/{key}?source=chain",
        f"/verify/fingerprint/{key}?source=nowhere",
        f"/verify/fingerprint/{key}?x=1",
        f"/verify/certificate/{key}?source=",
        f"/verify/fingerprint/{key[2:]}",
        f"/verify/fingerprint/{key}0",
        f"/verify/fingerprint/{key[:-1]}",
        f"/verify/fingerprint/{key[:-1]}g",
        f"/verify/certificate/0X{key[2:]}",
        f"/verify/certificate/{'0x' + 'zz' * 32}",
        f"/verify/certificate/{'0x' + 'zz' * 32}?source=bad",
        f"/verify/fingerprints/{key[:-1]}",
        "/verify/certificate/",
    ]
    assert same_answers(clients, "GET", urls) == []
    # HEAD reaches the fast path as the GET it mirrors (api/head.py), and is answered there without the body.
    assert same_answers(clients, "HEAD", [f"/verify/fingerprint/{key}"]) == [f"/verify/fingerprint/{key}"]
    # A percent-encoded digit reaches both paths decoded (the server decodes the path): a plain lookup.
    assert key[-1].isdigit()
    assert same_answers(clients, "GET", [f"/verify/certificate/{key[:-1]}%3{key[-1]}"]) != []
    assert same_answers(clients, "POST", [f"/verify/fingerprint/{key}"]) == []


# -- certificate list -------------------------------------------------------------------------------------------------


def list_urls(clients: Clients) -> list[str]:
    """Every filter, page size and edge the fast path reads, and the cursors of two walks in pages of three."""
    params: list[dict[str, Any]] = [
        {},
        {"issuer": MILL},
        {"issuer": "0x" + MILL[2:].upper()},
        {"issuer": "0x" + "00" * 20},
        {"status": "REVOKED"},
        {"status": "SUSPENDED"},
        {"status": "VALID", "limit": 3},
        {"issued_after": GENESIS + 12 * 60},
        {"issued_before": GENESIS + 12 * 60},
        {"issued_after": 2**48},
        {"issued_before": 0},
        {"issuer": TOWN, "issued_after": 0, "issued_before": GENESIS + 12 * 100, "status": "VALID", "limit": 500},
        {"issuer": BANK, "limit": 1},
        {"limit": 1},
        {"limit": 500},
    ]
    for walked in ({}, {"issuer": MILL, "status": "VALID"}):
        cursor = None
        for _ in range(100):
            page = clients.plain.get(
                "/certificates", params={**walked, "limit": 3, **({"cursor": cursor} if cursor else {})}
            )
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
            params.append({**walked, "limit": 3, "cursor": cursor})
    assert sum("cursor" in p for p in params) >= 20, "the walks should give cursors deep into the list"
    return [f"/certificates?{urlencode(p)}" if p else "/certificates" for p in params]


def test_the_list_fast_path_answers_plain_pages_with_the_declared_routes_bytes(clients: Clients) -> None:
    urls = list_urls(clients)
    assert same_answers(clients, "GET", urls) == urls


def test_the_list_fast_path_leaves_everything_else_to_the_declared_route(clients: Clients) -> None:
    valid_cursor = clients.plain.get("/certificates?limit=1").json()["next_cursor"]
    urls = [
        f"/certificates?{q}"
        for q in [
            "limit=0",
            "limit=501",
            "limit=007",
            "limit=abc",
            "limit=2&limit=3",
            "limit=%33",
            "limit=",
            "limit",
            "unknown=1",
            "status=valid",
            "status=",
            "issuer=0x123",
            f"issuer={MILL}0",
            "issued_after=-1",
            f"issued_after={2**48 + 1}",
            "issued_after=01",
            "cursor=not-a-cursor",
            "cursor=WyJhIiwiYiJd",
            "cursor=WzExODA1OTE2MjA3MTc0MTEzMDM0MjQsImIiXQ",
            "cursor=WzEsImFcdTAwMDAiXQ",
            f"cursor={valid_cursor}&cursor={valid_cursor}",
            f"cursor={valid_cursor}%3D",
            "&",
            "limit=1&",
        ]
    ]
    urls.append("/certificates/")
    assert same_answers(clients, "GET", urls) == []
    assert same_answers(clients, "HEAD", ["/certificates"]) == ["/certificates"]  # as its GET (api/head.py)
    assert same_answers(clients, "DELETE", ["/certificates"]) == []
