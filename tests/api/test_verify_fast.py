"""The hot path of the two lookups: the API's fast path, the event loop's own SQLite connection, and its cache.

- The fast path (:class:`api.fastpaths._lookups._LookupFastPath`) answers ``GET /verify/fingerprint/{key}`` and
  ``GET /verify/certificate/{key}`` byte for byte as the declared routes do, is counted by the metrics under the same
  route, and hands every other request to the app untouched.
- The reader (:meth:`ledger.verification.sources.index.IndexFacts.open_reader`) answers the thread that opened it
  from a connection of its own, sees every commit of another connection (the indexer's) at the next lookup, empties
  its cache then, leaves other threads on the pool, and is closed when the app stops.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine, insert, update
from starlette.types import Message, Scope
from support.api_scenario import CHANNELS, Scenario
from support.asgi_recorder import Recorder

from api.fastpaths._lookups import _LookupFastPath as LookupFastPath
from api.main import create_app
from ledger.config import Settings
from ledger.db import schema
from ledger.db.engine import make_engine, upgrade
from ledger.documents import certificate_id
from ledger.events import CertificateIssued
from ledger.indexer.decode import DecodedLog
from ledger.indexer.project import Projector
from ledger.verification.sources.index import IndexFacts

CHAIN_ID = 31337
ISSUER = "0x" + "1f" * 20
FINGERPRINT = "0x" + "ab" * 32
ROOT = "0x" + "cd" * 32
ID = certificate_id(ISSUER, ROOT)


def issued(root: str, fingerprint: str, block: int) -> DecodedLog:
    event = CertificateIssued(
        id=certificate_id(ISSUER, root),
        issuer=ISSUER,
        fingerprint=fingerprint,
        root=root,
        issued_at=1_767_225_600,
        valid_until=0,
    )
    return DecodedLog(event, "0x" + "ee" * 20, block, f"0x{block:064x}", f"0x{block:064x}", 0)


def checkpoint(engine: Engine, block: int) -> None:
    """Write the indexed block as the indexer does, from another connection."""
    with engine.begin() as conn:
        row = {"checkpoint_block": block, "checkpoint_hash": f"0x{block:064x}", "updated_at": block}
        if conn.execute(update(schema.sync_state).where(schema.sync_state.c.id == 1).values(**row)).rowcount == 0:
            fixed = {"id": 1, "chain_id": CHAIN_ID, "config_hash": "0", "schema_version": 1}
            conn.execute(insert(schema.sync_state).values(**fixed, **row))


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A migrated SQLite file and a writer engine on it (the indexer's side)."""
    url = f"sqlite:///{tmp_path / 'index.db'}"
    writer = make_engine(url, writer=True)
    upgrade(writer)
    yield url, writer
    writer.dispose()


@pytest.fixture
def reader(database: tuple[str, Engine]) -> Iterator[tuple[IndexFacts, list[str]]]:
    """An IndexFacts with its reader open on this thread, and the statements the reader's connection runs."""
    engine = make_engine(database[0])
    facts = IndexFacts(engine)
    assert facts.open_reader()
    statements: list[str] = []
    assert facts._reader is not None
    facts._reader.connection.set_trace_callback(statements.append)
    yield facts, statements
    facts.close_reader()
    engine.dispose()


# -- the reader and its cache ---------------------------------------------------------------------------------------


def test_the_reader_sees_an_indexer_commit_at_the_next_lookup_and_forgets_what_it_cached_before(
    database: tuple[str, Engine], reader: tuple[IndexFacts, list[str]]
) -> None:
    facts, statements = reader
    _url, writer = database
    assert facts.facts_by_fingerprint(FINGERPRINT) == []
    assert facts.facts_by_id(ID) == []
    statements.clear()
    assert facts.facts_by_fingerprint(FINGERPRINT) == []  # cached: only the version is read
    assert statements == ["PRAGMA data_version"]

    with writer.begin() as conn:
        Projector(CHAIN_ID).apply(conn, [issued(ROOT, FINGERPRINT, 7)])
    checkpoint(writer, 7)

    statements.clear()
    found = facts.facts_by_fingerprint(FINGERPRINT)
    assert [(f.root, f.leaf, f.issuer, f.fingerprint) for f in found] == [(ROOT, ROOT, ISSUER, FINGERPRINT)]
    assert len(statements) == 2  # the version changed: the lookup ran again
    by_id = facts.facts_by_id(ID)
    assert [(f.id, f.root) for f in by_id] == [(ID, ROOT)]
    with facts.session() as session:
        assert session.facts_by_fingerprint(FINGERPRINT) == found  # cached again, equal facts
        assert session.indexed_block() == 7  # read with the facts, in the same statement

    checkpoint(writer, 8)
    with facts.session() as session:
        assert session.facts_by_id(ID) == by_id
        assert session.indexed_block() == 8


def test_the_reader_answers_only_its_own_thread_other_threads_use_the_pool(
    database: tuple[str, Engine], reader: tuple[IndexFacts, list[str]]
) -> None:
    facts, statements = reader
    _url, writer = database
    with writer.begin() as conn:
        Projector(CHAIN_ID).apply(conn, [issued(ROOT, FINGERPRINT, 3)])
    statements.clear()
    with ThreadPoolExecutor(1) as pool:
        found = pool.submit(facts.facts_by_fingerprint, FINGERPRINT).result()
    assert [f.root for f in found] == [ROOT]
    assert statements == []
    assert facts.facts_by_fingerprint(FINGERPRINT) == found
    assert statements != []


def test_the_cache_is_bounded_and_keeps_the_most_recently_used_lookups(database: tuple[str, Engine]) -> None:
    engine = make_engine(database[0])
    facts = IndexFacts(engine, cache_size=2)
    try:
        assert facts.open_reader()
        keys = ["0x" + f"{n:064x}" for n in range(3)]
        facts.facts_by_fingerprint(keys[0])
        facts.facts_by_fingerprint(keys[1])
        facts.facts_by_fingerprint(keys[0])  # used again: now the most recent
        facts.facts_by_fingerprint(keys[2])
        assert facts._reader is not None
        assert list(facts._reader._cache) == [("by_fingerprint", keys[0]), ("by_fingerprint", keys[2])]
    finally:
        facts.close_reader()
        engine.dispose()


def test_closing_the_reader_closes_its_connection_and_returns_to_the_pool(
    reader: tuple[IndexFacts, list[str]],
) -> None:
    facts, statements = reader
    assert facts._reader is not None
    connection = facts._reader.connection
    facts.close_reader()
    with pytest.raises(sqlite3.ProgrammingError):
        connection.execute("SELECT 1")
    statements.clear()
    assert facts.facts_by_fingerprint(FINGERPRINT) == []
    assert statements == []


def test_no_reader_on_an_in_memory_database_or_postgresql_style_engines() -> None:
    engine = make_engine("sqlite://")
    try:
        assert IndexFacts(engine).open_reader() is False
    finally:
        engine.dispose()


# -- the API: the reader's life, and a commit seen through the fast path ------------------------------------------


def test_the_app_opens_the_reader_on_its_event_loop_answers_from_it_and_closes_it(
    database: tuple[str, Engine], tmp_path: Path
) -> None:
    url, writer = database
    settings = Settings(environment="test", database_url=url, rpc_url="http://127.0.0.1:9", deployments_dir=tmp_path)
    app = create_app(settings)
    facts: IndexFacts = app.state.index_facts
    with TestClient(app) as client:
        assert facts._reader is not None
        statements: list[str] = []
        facts._reader.connection.set_trace_callback(statements.append)
        first = client.get(f"/verify/fingerprint/{FINGERPRINT}").json()
        assert (first["verdict"], first["results"], first["indexed_block"]) == ("NOT_FOUND", [], None)
        assert statements != []

        with writer.begin() as conn:
            Projector(CHAIN_ID).apply(conn, [issued(ROOT, FINGERPRINT, 9)])
        checkpoint(writer, 9)
        for path in (f"/verify/fingerprint/{FINGERPRINT}", f"/verify/fingerprint/{FINGERPRINT}?source=index"):
            answer = client.get(path).json()
            assert answer["indexed_block"] == 9
            assert [r["certificate"]["root"] for r in answer["results"]] == [ROOT]
        answer = client.get(f"/verify/certificate/{ID}").json()
        assert (answer["certificate"]["id"], answer["certificate"]["root"], answer["indexed_block"]) == (ID, ROOT, 9)
    assert facts._reader is None


# -- the fast path --------------------------------------------------------------------------------------------------


def lookup_paths(sc: Scenario) -> list[str]:
    """Every case's fingerprint and id lookups, one of them in upper-case hex, and two keys nothing certifies."""
    paths = []
    for name, channels in CHANNELS.items():
        case = sc.cases[name]
        if "fingerprint" in channels:
            paths.append(f"/verify/fingerprint/{case.fingerprint}")
        if "id" in channels:
            paths.append(f"/verify/certificate/{case.leaf}")
    paths.append("/verify/fingerprint/0x" + paths[0].rsplit("0x", 1)[1].upper())
    paths += ["/verify/fingerprint/0x" + "0" * 64, "/verify/certificate/0x" + "0" * 64]
    return paths


def test_the_fast_path_answers_with_the_declared_routes_bytes_and_headers(api: TestClient, scenario: Scenario) -> None:
    """An unknown parameter sends a lookup the declared route's way (which ignores it): same answer."""
    for path in lookup_paths(scenario):
        fast, declared = api.get(path), api.get(path, params={"source": "index", "x": "1"})
        assert fast.status_code == declared.status_code == 200, path
        assert fast.content == declared.content, path
        assert fast.headers.items() == declared.headers.items(), path


def test_the_fast_path_is_counted_by_the_metrics_under_its_route(api: TestClient, scenario: Scenario) -> None:
    labels = {"method": "GET", "route": "/verify/certificate/{certificate_id}", "status": "200"}

    def count() -> float:
        return REGISTRY.get_sample_value("originals_http_requests_total", labels) or 0.0

    before = count()
    case = scenario.cases[next(n for n, channels in CHANNELS.items() if "id" in channels)]
    assert api.get(f"/verify/certificate/{case.leaf}").status_code == 200
    assert count() == before + 1
    assert f'route="{labels["route"]}",status="200"' in api.get("/metrics").text


def through_fast_path(settings: Settings, scope: Scope) -> tuple[list[Message], Recorder]:
    """Run ``scope`` through a LookupFastPath on the indexed SQLite database: the messages sent, and the inner app."""
    inner = Recorder()
    engine = make_engine(settings.database_url)
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    try:
        asyncio.run(LookupFastPath(inner, IndexFacts(engine))(scope, receive, send))
    finally:
        engine.dispose()
    return sent, inner


HEX = "0x" + "a1" * 32


@pytest.mark.parametrize(
    ("method", "path", "query", "extra"),
    [
        ("GET", "/verify/fingerprint/0x" + "zz" * 32, b"", {}),
        ("GET", "/verify/fingerprint/0x" + "a1" * 31 + "a", b"", {}),
        ("GET", "/verify/fingerprint/" + HEX[2:] + "00", b"", {}),
        ("GET", "/verify/fingerprint/" + HEX + "\n", b"", {}),
        ("GET", "/verify/fingerprinT/" + HEX, b"", {}),
        ("GET", "/verify/documents/0" + HEX, b"", {}),
        ("GET", "/verify/fingerprint/" + HEX, b"source=chain", {}),
        ("GET", "/verify/fingerprint/" + HEX, b"source=index&x=1", {}),
        ("GET", "/verify/fingerprint/" + HEX, b"source=index&source=index", {}),
        ("GET", "/verify/certificate/" + HEX, b"x=1", {}),
        ("HEAD", "/verify/certificate/" + HEX, b"", {}),
        ("POST", "/verify/certificate/" + HEX, b"", {}),
        ("GET", "/verify/certificate/" + HEX, b"", {"root_path": "/api"}),
        ("GET", "/verify/certificate/" + HEX, b"", {"fastapi.telemetry": object()}),
    ],
)
def test_the_fast_path_hands_everything_else_to_the_app(
    method: str, path: str, query: bytes, extra: dict[str, Any], sqlite_indexed: Settings
) -> None:
    scope = {"type": "http", "method": method, "path": path, "query_string": query, "root_path": ""} | extra
    sent, inner = through_fast_path(sqlite_indexed, scope)
    assert inner.paths == [path]
    assert sent[0]["status"] == 204
    assert "route" not in scope


def test_the_fast_path_answers_a_well_formed_lookup_itself_and_names_its_route(
    api: TestClient, scenario: Scenario, sqlite_indexed: Settings
) -> None:
    case = scenario.cases[next(n for n, channels in CHANNELS.items() if "fingerprint" in channels)]
    path = f"/verify/fingerprint/{case.fingerprint}"
    scope: Scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "root_path": ""}
    sent, inner = through_fast_path(sqlite_indexed, scope)
    assert inner.paths == []
    assert scope["route"].path == "/verify/fingerprint/{fingerprint}"
    assert scope["path_params"] == {"fingerprint": case.fingerprint}
    declared = api.get(path, params={"source": "index", "x": "1"})
    assert sent[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-length", declared.headers["content-length"].encode()),
            (b"content-type", b"application/json"),
        ],
    }
    assert sent[1] == {"type": "http.response.body", "body": declared.content}


def test_a_lookup_that_fails_is_handed_to_the_declared_route(tmp_path: Path) -> None:
    """The database failing under the fast path (here: a file without the index's tables) leaves the request to the
    app, whose route and error handlers answer it as they would without the fast path."""
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    inner = Recorder()
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    path = "/verify/certificate/" + HEX
    scope: Scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "root_path": ""}
    try:
        asyncio.run(LookupFastPath(inner, IndexFacts(engine))(scope, receive, send))
    finally:
        engine.dispose()
    assert inner.paths == [path]
    assert [m.get("status") for m in sent] == [204, None]
    assert "route" not in scope
