"""The certificate list's fast paths: the same bytes whichever way a page is read.

``GET /certificates`` is answered two ways on a SQLite file: by :class:`api.fastpaths._certificates._ListFastPath`
before the framework (the common request), and by the declared route on a pooled SQLAlchemy connection (a request
the fast path leaves to it; PostgreSQL, or SQLite without a reader). Both must answer the same bytes and headers, on
every filter, page size and cursor; PostgreSQL must answer the SQLite fast path's bytes; and the fast path must hand
every request it cannot read exactly as the declared route does to the app.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine, insert, update
from starlette.types import Message, Scope
from support.api_scenario import Scenario
from support.asgi_recorder import Recorder

from api.fastpaths._certificates import _certificates_answer, _fast_filters
from api.fastpaths._certificates import _ListFastPath as ListFastPath
from api.main import create_app
from ledger import reads
from ledger.config import Settings
from ledger.db import schema
from ledger.db.engine import make_engine, upgrade
from ledger.events import CertificateStatus
from ledger.verification.sources.index import IndexFacts

ISSUER = "0x" + "a1" * 20


@pytest.fixture(scope="module")
def sqlite_api(sqlite_indexed: Settings) -> Iterator[TestClient]:
    """The app over the SQLite index, its reader open on its event loop."""
    with TestClient(create_app(sqlite_indexed)) as client:
        yield client


def pooled(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on (for this test) the app's reads take a pooled connection in the thread pool, as on PostgreSQL:
    without the reader's connection the fast path hands every request to the declared route."""
    facts: IndexFacts = client.app.state.index_facts  # type: ignore[attr-defined]
    monkeypatch.setattr(facts, "reader_connection", lambda: None)


def list_queries(sc: Scenario, client: TestClient) -> list[str]:
    """Query strings over every filter, page size and edge, and the cursors of two walks in pages of two."""
    mill, printer = sc.partner("mill").address, sc.partner("printer").address
    params: list[dict[str, Any]] = [
        {},
        {"issuer": mill},
        {"issuer": "0x" + mill[2:].upper()},
        {"issuer": "0x" + "00" * 20},  # nothing: an empty page
        {"status": "REVOKED"},
        {"status": "SUSPENDED"},
        {"status": "VALID", "limit": 3},
        {"issued_after": sc.cutoff},
        {"issued_before": sc.cutoff},
        {"issued_after": 2**48},
        {"issuer": printer, "issued_after": 0, "issued_before": sc.cutoff, "status": "VALID", "limit": 500},
        {"limit": 1},
    ]
    for walked in ({}, {"status": "VALID"}):
        cursor = None
        for _ in range(100):
            body = client.get("/certificates", params={**walked, "limit": 2, **({"cursor": cursor} if cursor else {})})
            cursor = body.json()["next_cursor"]
            if cursor is None:
                break
            params.append({**walked, "limit": 2, "cursor": cursor})
    assert sum("cursor" in p for p in params) >= 10, "the walks should give cursors deep into the list"
    return [urlencode(p) for p in params]


# -- the same bytes every way -----------------------------------------------------------------------------------------


def test_every_way_of_reading_a_page_answers_the_same_bytes_and_headers(
    sqlite_api: TestClient, scenario: Scenario
) -> None:
    """Fast path on the reader, and the declared route on a pooled connection (an unknown parameter, which the route
    ignores, sends a request there; the SQLAlchemy path PostgreSQL takes)."""
    queries_ = list_queries(scenario, sqlite_api)
    facts: IndexFacts = sqlite_api.app.state.index_facts  # type: ignore[attr-defined]
    connection = facts._reader.connection if facts._reader is not None else None
    assert connection is not None
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    try:
        fast = [sqlite_api.get(f"/certificates?{q}") for q in queries_]
        declared = [sqlite_api.get(f"/certificates?{q}&x=1") for q in queries_]
    finally:
        connection.set_trace_callback(None)
    assert sum("FROM certificates" in s for s in statements) == len(queries_), "only the fast path reads on the reader"
    for query, a, b in zip(queries_, fast, declared, strict=True):
        assert a.status_code == b.status_code == 200, query
        assert a.content == b.content, query
        assert a.headers.items() == b.headers.items(), query
    assert fast[0].json()["indexed_block"] == scenario.head
    assert [len(r.json()["data"]) for r in fast[3:4]] == [0]


def test_postgresql_answers_the_sqlite_fast_paths_bytes(
    api: TestClient, sqlite_api: TestClient, scenario: Scenario
) -> None:
    """Both indexes hold the same chain: every page, read either way, is the same JSON, byte for byte."""
    for query in list_queries(scenario, sqlite_api):
        theirs, ours = api.get(f"/certificates?{query}"), sqlite_api.get(f"/certificates?{query}")
        assert theirs.status_code == ours.status_code == 200, query
        assert theirs.content == ours.content, query


def test_the_fast_path_is_counted_by_the_metrics_under_its_route(sqlite_api: TestClient) -> None:
    labels = {"method": "GET", "route": "/certificates", "status": "200"}

    def count() -> float:
        return REGISTRY.get_sample_value("originals_http_requests_total", labels) or 0.0

    before = count()
    assert sqlite_api.get("/certificates", params={"limit": 1}).status_code == 200
    assert count() == before + 1


# -- what the fast path takes, and what it hands on -------------------------------------------------------------------


def test_the_fast_path_reads_the_declared_parameters_as_written() -> None:
    assert _fast_filters(b"") == (None, None, None, None, None, 100)
    cursor = reads.encode_cursor([5, "0x" + "ab" * 32])
    query = (
        b"issuer=0x"
        + b"A1" * 20
        + f"&status=REVOKED&issued_after=0&issued_before=281474976710656&cursor={cursor}&limit=500".encode()
    )
    assert _fast_filters(query) == ("0x" + "A1" * 20, CertificateStatus.REVOKED, 0, 2**48, cursor, 500)
    assert _fast_filters(b"limit=1&status=VALID") == (None, CertificateStatus.VALID, None, None, None, 1)


def through_fast_path(database_url: str, scope: Scope) -> tuple[list[Message], Recorder, list[str]]:
    """Run ``scope`` through a ListFastPath whose reader is open on this thread: the messages sent, the inner app,
    and the statements the reader ran."""
    inner = Recorder()
    engine = make_engine(database_url)
    facts = IndexFacts(engine)
    sent: list[Message] = []
    statements: list[str] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    try:
        assert facts.open_reader()
        connection = facts.reader_connection()
        assert connection is not None
        connection.set_trace_callback(statements.append)
        asyncio.run(ListFastPath(inner, facts)(scope, receive, send))
        assert not connection.in_transaction
    finally:
        facts.close_reader()
        engine.dispose()
    return sent, inner, statements


def get(query: bytes, path: str = "/certificates", **extra: Any) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "query_string": query, "root_path": ""} | extra


def test_the_fast_path_answers_a_plain_page_itself_and_names_its_route(
    sqlite_api: TestClient, sqlite_indexed: Settings, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = urlencode({"issuer": scenario.partner("mill").address, "limit": 2}).encode()
    scope = get(query)
    sent, inner, statements = through_fast_path(sqlite_indexed.database_url, scope)
    assert inner.paths == []
    assert scope["route"].path == "/certificates"
    assert scope["path_params"] == {}
    pooled(sqlite_api, monkeypatch)
    declared = sqlite_api.get(f"/certificates?{query.decode()}")
    assert sent == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-length", declared.headers["content-length"].encode()),
                (b"content-type", b"application/json"),
            ],
        },
        {"type": "http.response.body", "body": declared.content},
    ]
    # The page and the block in one read transaction, ended as a pooled connection's is on return.
    assert [s.split()[0] for s in statements] == ["BEGIN", "SELECT", "SELECT", "ROLLBACK"]
    assert "FROM certificates" in statements[1] and "FROM sync_state" in statements[2]


HEX40 = "a1" * 20


@pytest.mark.parametrize(
    "scope",
    [
        get(b"issuer=0x" + HEX40[:-2].encode()),
        get(b"issuer=0X" + HEX40.encode()),
        get(b"issuer=0x" + HEX40.encode() + b"%0A"),
        get(b"issuer=%30x" + HEX40.encode()),
        get(b"status=valid"),
        get(b"status=VALID&status=REVOKED"),
        get(b"limit=0"),
        get(b"limit=501"),
        get(b"limit=0100"),
        get(b"limit=-1"),
        get(b"limit=+5"),
        get(b"limit=1.0"),
        get(b"issued_after=281474976710657"),
        get(b"issued_after=01"),
        get(b"issued_before="),
        get(b"cursor"),
        get(b"cursor=garbage"),  # not ours: the declared route refuses it
        get(b"limit=5&"),
        get(b"limit=5;status=VALID"),
        get(b"other=1"),
        get(b"", path="/certificates/"),
        get(b"", path="/Certificates"),
        get(b"", method="HEAD"),
        get(b"", method="POST"),
        get(b"", root_path="/api"),
        get(b"") | {"fastapi.telemetry": object()},
    ],
    ids=lambda scope: f"{scope['method']} {scope['path']}?{scope['query_string'].decode()} {sorted(scope)}",
)
def test_the_fast_path_hands_everything_else_to_the_app(scope: Scope, sqlite_indexed: Settings) -> None:
    sent, inner, _ = through_fast_path(sqlite_indexed.database_url, scope)
    assert inner.paths == [scope["path"]]
    assert [m.get("status") for m in sent] == [204, None]
    assert "route" not in scope


def test_without_a_reader_the_fast_path_hands_every_request_to_the_app(sqlite_indexed: Settings) -> None:
    engine = make_engine(sqlite_indexed.database_url)
    inner = Recorder()

    async def send(_message: Message) -> None:
        return None

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    try:
        asyncio.run(ListFastPath(inner, IndexFacts(engine))(get(b"limit=1"), receive, send))
    finally:
        engine.dispose()
    assert inner.paths == ["/certificates"]


def test_a_page_that_fails_is_handed_to_the_declared_route(tmp_path: Path) -> None:
    """The database failing under the fast path (a file without the index's tables) leaves the request to the app,
    and no transaction open on the reader."""
    sent, inner, statements = through_fast_path(f"sqlite:///{tmp_path / 'empty.db'}", get(b"limit=1"))
    assert inner.paths == ["/certificates"]
    assert [m.get("status") for m in sent] == [204, None]
    assert [s.split()[0] for s in statements] == ["BEGIN", "ROLLBACK"]


# -- one snapshot per answer ------------------------------------------------------------------------------------------


def checkpoint(engine: Engine, block: int) -> None:
    with engine.begin() as conn:
        row = {"checkpoint_block": block, "checkpoint_hash": f"0x{block:064x}", "updated_at": block}
        if conn.execute(update(schema.sync_state).where(schema.sync_state.c.id == 1).values(**row)).rowcount == 0:
            fixed = {"id": 1, "chain_id": 31337, "config_hash": "0", "schema_version": 1}
            conn.execute(insert(schema.sync_state).values(**fixed, **row))


def test_the_indexed_block_is_the_one_the_page_was_read_at(tmp_path: Path) -> None:
    """The indexer commits between the page's statement and the block's: the answer still names the block of the
    page's snapshot (a pooled connection's transaction gives the same)."""
    url = f"sqlite:///{tmp_path / 'index.db'}"
    writer = make_engine(url, writer=True)
    reader = make_engine(url)
    try:
        upgrade(writer)
        checkpoint(writer, 7)
        connection = reader.raw_connection()
        try:
            sqlite = connection.dbapi_connection
            assert isinstance(sqlite, sqlite3.Connection)

            def commit_before_the_block(statement: str) -> None:
                if "FROM sync_state" in statement:
                    checkpoint(writer, 8)

            sqlite.set_trace_callback(commit_before_the_block)
            assert _certificates_answer(sqlite) == {"data": [], "next_cursor": None, "indexed_block": 7}
            sqlite.set_trace_callback(None)
            assert _certificates_answer(sqlite)["indexed_block"] == 8
        finally:
            connection.close()
    finally:
        reader.dispose()
        writer.dispose()
