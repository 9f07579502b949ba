"""Certificates: list by issuer / status / time (keyset pages), one with its history, an original's certificates."""

from __future__ import annotations

import re
import sqlite3
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import ConnectionDep, checked_cursor
from api.fastpath import plain_get, send_json
from api.schemas import CertificateStatusName
from ledger import queries
from ledger.events import CertificateStatus
from ledger.queries import InvalidCursor
from ledger.verification.sources.index import IndexFacts

router = APIRouter(tags=["certificates"])

Hex32 = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", description="0x + 64 hex digits")]


def _json(content: dict[str, Any]) -> Response:
    """The answer as JSON bytes straight from orjson (the same JSON FastAPI would send).

    These routes have no response model, so FastAPI would walk the answer with ``jsonable_encoder`` first: most of a
    page's serving time at 100 certificates. The answers hold only str, int, None, lists and dicts.
    """
    return Response(orjson.dumps(content), media_type="application/json")


@router.get("/certificates", response_model=None)
async def list_certificates(
    request: Request,
    issuer: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$")] = None,
    status: CertificateStatusName | None = None,
    issued_after: Annotated[int | None, Query(ge=0, le=2**48)] = None,
    issued_before: Annotated[int | None, Query(ge=0, le=2**48)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 100,
) -> Response:
    """Certificates, newest first; filter by issuer, status and issuance time."""
    cursor = checked_cursor(cursor, int, str)
    filters = (issuer, CertificateStatus[status] if status else None, issued_after, issued_before, cursor, limit)
    return _json(await _certificates(request, *filters))


async def _certificates(request: Request, *filters: Any) -> dict[str, Any]:
    """The list's answer: on a SQLite file from the event loop's own connection (a page takes a few hundred
    microseconds there, less than the thread-pool round trips of a pooled connection and a sync route), otherwise
    from a pooled connection in the thread pool (PostgreSQL's network round trips, lock waits).

    The route is ``async def`` for that: FastAPI would run a sync route, and its connection dependency's enter and
    exit, in the thread pool, each hop a wake-up of another thread that the scheduler of a busy machine delays.
    """
    facts: IndexFacts = request.app.state.index_facts
    connection = facts.reader_connection()
    if connection is not None:
        try:
            return queries.certificates_answer(connection, *filters)
        except sqlite3.Error:  # rare (the database failing): the pooled path answers, and errs, its own way
            pass
    return await run_in_threadpool(_pooled_certificates, request.app.state.engine, *filters)


def _pooled_certificates(engine: Engine, *filters: Any) -> dict[str, Any]:
    with engine.connect() as conn:
        page = queries.list_certificates(conn, *filters)
        return {"data": page.items, "next_cursor": page.next_cursor, "indexed_block": queries.indexed_block(conn)}


# The common list request (a page of an issuer, by status or time, at a cursor) is answered before the framework's
# routing and parameter solving, which cost about as much as reading the page on SQLite (~0.25 ms of ~0.6 ms).
# It takes only what it can read exactly as the declared route does: known parameters, each at most once, in plain
# characters (nothing percent-encoded), and values that the declared route's rules accept as they are written.
# Everything else, valid or not, goes the declared route's way, so its errors and its OpenAPI document are its own.
_PLAIN_QUERY = re.compile(rb"[A-Za-z0-9_=&-]*")
_ISSUER = re.compile(r"0x[0-9a-fA-F]{40}")
_TIME = re.compile(r"0|[1-9][0-9]{0,14}")
_LIMIT = re.compile(r"[1-9][0-9]{0,2}")
_STATUSES = {status.name: status for status in CertificateStatus}


def _plain_int(value: str, pattern: re.Pattern[str], low: int, high: int) -> int | None:
    if pattern.fullmatch(value) is None:
        return None
    number = int(value)
    return number if low <= number <= high else None


def _fast_filters(query_string: bytes) -> tuple[Any, ...] | None:
    """The list's filters, in :func:`queries.list_certificates`'s order, when the query string holds only what the
    declared route would accept as written; None otherwise (then the declared route decides)."""
    if _PLAIN_QUERY.fullmatch(query_string) is None:
        return None
    values: dict[str, str] = {}
    for pair in query_string.decode().split("&") if query_string else ():
        name, equals, value = pair.partition("=")
        if not equals or not value or name in values or name not in _FAST_NAMES:
            return None
        values[name] = value
    issuer = values.get("issuer")
    if issuer is not None and _ISSUER.fullmatch(issuer) is None:
        return None
    status = values.get("status")
    if status is not None and status not in _STATUSES:
        return None
    numbers: dict[str, int | None] = {}
    for name, pattern, low, high in _FAST_NUMBERS:
        if name in values:
            numbers[name] = _plain_int(values[name], pattern, low, high)
            if numbers[name] is None:
                return None
    cursor = values.get("cursor")
    if cursor is not None:
        try:
            checked_cursor(cursor, int, str)
        except InvalidCursor:
            return None
    filters = (issuer, None if status is None else _STATUSES[status], numbers.get("issued_after"))
    return (*filters, numbers.get("issued_before"), cursor, numbers.get("limit", 100))


_FAST_NUMBERS = (
    ("issued_after", _TIME, 0, 2**48),
    ("issued_before", _TIME, 0, 2**48),
    ("limit", _LIMIT, 1, queries.MAX_PAGE),
)
_FAST_NAMES = frozenset({"issuer", "status", "cursor", *(name for name, *_ in _FAST_NUMBERS)})


class ListFastPath:
    """Answers the common ``GET /certificates`` of a SQLite index directly, from the event loop's own connection.

    A pure ASGI middleware next to :class:`api.routes.verify.LookupFastPath`, inside the app's own middlewares (metrics,
    and the edge of :mod:`api.edge`), so those see its requests as before: it sets the matched route in the scope, as
    routing does, for the metrics' route label. It answers only what the declared route would answer with the same bytes
    and headers (see :func:`_fast_filters`); every other request, a cursor the declared route would refuse, the database
    failing, the reader not open (an in-memory database), and every request while FastAPI's OpenTelemetry
    instrumentation is active (it names spans after routing) go on to the app unchanged.
    """

    def __init__(self, app: ASGIApp, facts: IndexFacts) -> None:
        self.app = app
        self.facts = facts
        self.route = next(r for r in router.routes if isinstance(r, APIRoute) and r.endpoint is list_certificates)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path") == "/certificates" and plain_get(scope):
            filters = _fast_filters(scope.get("query_string", b""))
            connection = self.facts.reader_connection()
            if filters is not None and connection is not None:
                try:
                    body = orjson.dumps(queries.certificates_answer(connection, *filters))
                except Exception:  # an unknown cursor, the database failing: the declared route answers, or errs
                    await self.app(scope, receive, send)
                    return
                await send_json(scope, send, self.route, {}, body)
                return
        await self.app(scope, receive, send)


@router.get("/certificates/{certificate_id}", response_model=None)
def get_certificate(certificate_id: Hex32, conn: ConnectionDep) -> Response:
    """One certificate, by id, with its history: issued, suspended, reinstated, revoked (and whether by the council)."""
    answer = queries.certificate_detail(conn, certificate_id)
    return _json({**answer, "indexed_block": queries.indexed_block(conn)})


@router.get("/originals/{fingerprint}/certificates", response_model=None)
def original_certificates(fingerprint: Hex32, conn: ConnectionDep) -> Response:
    """Every certificate naming the original with this fingerprint, newest first."""
    return _json(
        {
            "fingerprint": fingerprint.lower(),
            "data": queries.certificates_of_original(conn, fingerprint),
            "indexed_block": queries.indexed_block(conn),
        }
    )
