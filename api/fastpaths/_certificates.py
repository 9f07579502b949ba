"""Fast path of the certificate list: the common ``GET /certificates`` page, read on the event loop's SQLite
connection.

The common list request (a page of an issuer, by status or time, at a cursor) is answered before the framework's
routing and parameter solving, which cost about as much as reading the page on SQLite (~0.25 ms of ~0.6 ms), and
without SQLAlchemy's connection and result layers. It takes only what it can read exactly as the declared route
(:func:`api.routes.certificates.list_certificates`) does: known parameters, each at most once, in plain characters
(nothing percent-encoded), and values that the declared route's rules accept as they are written. Everything else,
valid or not, goes the declared route's way, so its errors and its OpenAPI document are its own.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from typing import Any

import orjson
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import checked_cursor
from api.fastpaths._asgi import plain_get, send_json
from api.routes import certificates
from api.schemas import page_answer
from api.vocabulary import ADDRESS_PATTERN
from ledger import reads
from ledger.db import schema as s
from ledger.events import CertificateStatus
from ledger.reads import InvalidCursor
from ledger.verification.sources.index import IndexFacts

_SQLITE = sqlite_dialect(paramstyle="named")  # the driver takes the parameters' dict as it is


@functools.cache
def _sqlite_sql(shape: tuple[bool, bool, bool, bool, bool]) -> tuple[str, dict[str, Any]]:
    """The list's SQL for SQLite, and the values of the statement's own parameters (SQLite's ``OFFSET 0``)."""
    compiled = reads.certificates_statement(*shape).compile(dialect=_SQLITE)
    if "POSTCOMPILE" in compiled.string:
        raise RuntimeError("the certificate list needs post-compile parameters on SQLite")
    return compiled.string, {name: value for name, value in compiled.params.items() if value is not None}


_SQLITE_BLOCK = str(select(s.sync_state.c.checkpoint_block).compile(dialect=_SQLITE))


def _certificates_answer(
    connection: sqlite3.Connection,
    issuer: str | None = None,
    status: CertificateStatus | None = None,
    issued_after: int | None = None,
    issued_before: int | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """``GET /certificates``'s answer (page, next cursor, indexed block) read straight on a SQLite connection in
    autocommit mode (the API's reader): the same statements and rows as :func:`ledger.reads.list_certificates` and
    :func:`~ledger.reads.indexed_block` on a SQLAlchemy connection, without its connection and result layers.

    Both statements run in one read transaction, as they do on a pooled connection, so the block is the one the page
    was read at; it ends with a rollback, as a pooled connection's does on return (nothing was written).
    """
    filters = reads.certificate_filters(issuer, status, issued_after, issued_before, cursor, limit)
    sql, own = _sqlite_sql(filters.shape)
    connection.execute("BEGIN")
    try:
        rows = connection.execute(sql, own | filters.params).fetchall()
        block = connection.execute(_SQLITE_BLOCK).fetchone()
    finally:
        connection.execute("ROLLBACK")
    return page_answer(reads.certificates_page(rows, limit), None if block is None else block[0])


_PLAIN_QUERY = re.compile(rb"[A-Za-z0-9_=&-]*")
_ISSUER = re.compile(ADDRESS_PATTERN)
_TIME = re.compile(r"0|[1-9][0-9]{0,14}")
_LIMIT = re.compile(r"[1-9][0-9]{0,2}")
_STATUSES = {status.name: status for status in CertificateStatus}


def _plain_int(value: str, pattern: re.Pattern[str], low: int, high: int) -> int | None:
    if pattern.fullmatch(value) is None:
        return None
    number = int(value)
    return number if low <= number <= high else None


def _fast_filters(query_string: bytes) -> tuple[Any, ...] | None:
    """The list's filters, in :func:`reads.list_certificates`'s order, when the query string holds only what the
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
    ("limit", _LIMIT, 1, reads.MAX_PAGE),
)
_FAST_NAMES = frozenset({"issuer", "status", "cursor", *(name for name, *_ in _FAST_NUMBERS)})


class _ListFastPath:
    """Answers the common ``GET /certificates`` of a SQLite index directly, from the event loop's own connection.

    A pure ASGI middleware next to :class:`api.fastpaths._lookups._LookupFastPath`, inside the app's own middlewares
    (metrics, and the edge of :mod:`api.edge`), so those see its requests as before: it sets the matched route in the
    scope, as routing does, for the metrics' route label. It answers only what the declared route would answer with the
    same bytes and headers (see :func:`_fast_filters`); every other request, a cursor the declared route would refuse,
    the database failing, the reader not open (an in-memory database), and every request while FastAPI's
    OpenTelemetry instrumentation is active (it names spans after routing) go on to the app unchanged.
    """

    def __init__(self, app: ASGIApp, facts: IndexFacts) -> None:
        self.app = app
        self.facts = facts
        self.route = next(
            r
            for r in certificates.router.routes
            if isinstance(r, APIRoute) and r.endpoint is certificates.list_certificates
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path") == "/certificates" and plain_get(scope):
            filters = _fast_filters(scope.get("query_string", b""))
            connection = self.facts.reader_connection()
            if filters is not None and connection is not None:
                try:
                    body = orjson.dumps(_certificates_answer(connection, *filters))
                except Exception:  # an unknown cursor, the database failing: the declared route answers, or errs
                    await self.app(scope, receive, send)
                    return
                await send_json(scope, send, self.route, {}, body)
                return
        await self.app(scope, receive, send)
