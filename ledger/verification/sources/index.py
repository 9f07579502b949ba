"""Verification facts from the SQL index: the fast source, answering thousands of verifications a second.

Standing at issuance: the contract lets only an active issuer issue, so an issued certificate's issuer *was* an active
issuer at that moment; what can still void it is a compromise cut-off at or before its issuance. The index also checks
its partner history (by block and log order) as a consistency check.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ClauseElement,
    Dialect,
    Engine,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    null,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.sql.compiler import SQLCompiler

from ledger.db import schema as s
from ledger.db.checkpoints import database_file
from ledger.events import CertificateStatus, Disposition, OrganisationType, PartnerStatus
from ledger.provenance_reads import summary_select
from ledger.verification.facts import (
    CertificateFacts,
    IssuerDetails,
    OriginalFact,
    PartnerFact,
    StatusFact,
    in_registration_order,
    newest_first,
)

# ------------------------------------------------------------------------------------------------------- the index
# The read path answers thousands of verifications a second, so it does not build SQLAlchemy statements per call:
# each statement below is built once and compiled once per dialect, and runs on the driver's cursor of one pooled
# connection per request. What a verification needs (certificate, document status, issuer now and at issuance, the
# issuer's standing just before it) comes from one joined query; a ref (id, leaf, fingerprint) is driven by
# parameters, by a fingerprint or by an id in a subquery of that same query.
_c, _d, _ds, _p = s.certificates, s.documents, s.document_status, s.partners
_pd, _ph = s.partner_details, s.partner_history


def _before_issuance(table: Any, inclusive: bool) -> Any:
    """Rows of ``table`` (block_number, log_index) at or before (``inclusive``) / before the issuance event."""
    same_block = table.c.log_index <= _c.c.log_index if inclusive else table.c.log_index < _c.c.log_index
    return or_(
        table.c.block_number < _c.c.block_number,
        and_(table.c.block_number == _c.c.block_number, same_block),
    )


def _standing() -> Any:
    """The issuer's ``active_issuer`` in its last history row before the issuance event (NULL when none)."""
    return (
        select(_ph.c.active_issuer)
        .where(_ph.c.address == _c.c.issuer, _before_issuance(_ph, inclusive=False))
        .order_by(_ph.c.block_number.desc(), _ph.c.log_index.desc())
        .limit(1)
        .correlate(_c)
        .scalar_subquery()
    )


def _issued_as(column: Any) -> Any:
    """``column`` of the issuer's details as they stood at the issuance (its last details row before it)."""
    return (
        select(column)
        .where(_pd.c.address == _c.c.issuer, _before_issuance(_pd, inclusive=True))
        .order_by(_pd.c.block_number.desc(), _pd.c.log_index.desc())
        .limit(1)
        .correlate(_c)
        .scalar_subquery()
    )


_FACT_COLUMNS = (
    _c.c.id,
    _c.c.root,
    _c.c.issuer,
    _c.c.issued_at,
    _c.c.valid_until,
    _c.c.fingerprint,
    _c.c.block_number,
    _c.c.log_index,
    _c.c.status,
    _c.c.status_reason,
    _c.c.status_at,
    _c.c.status_by,
    _ds.c.status,
    _ds.c.status_reason,
    _ds.c.status_at,
    _ds.c.status_by,
    _p.c.address,
    _p.c.display_name,
    _p.c.org_type,
    _p.c.domain,
    _p.c.status,
    _p.c.rights,
    _p.c.compromised_after,
    _issued_as(_pd.c.display_name),
    _issued_as(_pd.c.org_type),
    _issued_as(_pd.c.domain),
    _standing(),
)
# Positions in a facts row: the ref (id, leaf, fingerprint, root) first, then _FACT_COLUMNS, the block.
_REF_ID, _REF_LEAF, _REF_FP, _REF_ROOT = 0, 1, 2, 3
_CERT = 4
_ROOT_STATUS, _DOC_STATUS, _PARTNER, _ISSUED_AS, _STANDING = _CERT + 8, _CERT + 12, _CERT + 16, _CERT + 23, _CERT + 26
_BLOCK = _CERT + 27


def _published_fingerprint(ref: Any) -> Any:
    """The smallest fingerprint a certificate publishes for the ref's leaf (one rule on every source)."""
    return (
        select(func.min(_d.c.fingerprint))
        .where(_d.c.certificate_id == ref.c.id, _d.c.leaf == ref.c.leaf)
        .correlate(ref)
        .scalar_subquery()
    )


def _facts_of(ref: Any) -> Select[Any]:
    """The facts of every (id, leaf) that the subquery ``ref`` yields, and the indexed block, in one query.

    The query starts from a one-row anchor holding the indexed block, so it answers one row (its ref NULL) even when
    ``ref`` yields none: a request needs a single statement whatever it finds. Rows are in no particular order: the
    caller sorts them with :func:`ledger.verification.facts.newest_first`, the rule the chain source uses too.
    """
    block = select(s.sync_state.c.checkpoint_block).limit(1).scalar_subquery()
    anchor = select(block.label("block")).subquery("anchor")
    single_fp = case((_c.c.root == ref.c.leaf, _c.c.fingerprint), else_=None)
    fingerprint = func.coalesce(ref.c.fingerprint, _published_fingerprint(ref), single_fp)
    return (
        select(ref.c.id, ref.c.leaf, fingerprint, ref.c.root, *_FACT_COLUMNS, anchor.c.block)
        .select_from(anchor)
        .outerjoin(ref, true())
        .outerjoin(_c, _c.c.id == ref.c.id)
        .outerjoin(_ds, and_(_ds.c.certificate_id == ref.c.id, _ds.c.leaf == ref.c.leaf))
        .outerjoin(_p, _p.c.address == _c.c.issuer)
    )


def _text(name: str) -> Any:
    return bindparam(name, type_=String)


def _by_ref() -> Select[Any]:
    ref = select(
        _text("id").label("id"),
        _text("leaf").label("leaf"),
        null().label("fingerprint"),
        _text("root").label("root"),
    )
    return _facts_of(ref.subquery("ref"))


def _by_fingerprint() -> Select[Any]:
    fp = _text("fingerprint")
    published = select(_d.c.certificate_id.label("id"), _d.c.leaf, _d.c.fingerprint, null().label("root")).where(
        _d.c.fingerprint == fp
    )
    single = select(_c.c.id, _c.c.root.label("leaf"), _c.c.fingerprint, null().label("root")).where(
        _c.c.fingerprint == fp
    )
    return _facts_of(union(published, single).subquery("ref"))


def _by_id() -> Select[Any]:
    """The certificate with id ``key`` (as a whole: its root is the leaf), or every certificate publishing the leaf."""
    key = _text("key")
    as_id = select(_c.c.id, _c.c.root.label("leaf"), null().label("fingerprint"), null().label("root")).where(
        _c.c.id == key
    )
    # Only a public batch publishes leaves (DocumentPublished); a single certificate is named by its id, so another
    # issuer's single certificate over the same hash never joins a leaf lookup (as on the chain source).
    publisher = _c.alias("publisher")
    as_leaf = (
        select(_d.c.certificate_id.label("id"), _d.c.leaf, null().label("fingerprint"), null().label("root"))
        .join(publisher, publisher.c.id == _d.c.certificate_id)
        .where(_d.c.leaf == key, publisher.c.mode == "batch_public", ~exists().where(_c.c.id == key))
    )
    return _facts_of(union(as_id, as_leaf).subquery("ref"))


def _provenance() -> Select[Any]:
    """The summaries of the originals registered under ``identifier`` or linked to ``certificate`` (either may be
    NULL): one indexed query, by the identifier index and the timeline's reference index."""
    o, e = s.originals, s.provenance_events
    linked = select(e.c.original).where(e.c.reference == _text("certificate"), e.c.action == "certificate_linked")
    return summary_select().where(or_(o.c.identifier == _text("identifier"), o.c.id.in_(linked)))


_STATEMENTS: dict[str, ClauseElement] = {
    "indexed_block": select(s.sync_state.c.checkpoint_block).limit(1),
    "by_ref": _by_ref(),
    "by_fingerprint": _by_fingerprint(),
    "by_id": _by_id(),
    "provenance": _provenance(),
}


@dataclass(frozen=True)
class _Compiled:
    """One statement compiled for one dialect: its SQL and how to lay out its parameters for the driver."""

    sql: str
    defaults: dict[str, Any]  # the statement's own bound values (literals, LIMIT)
    positions: tuple[str, ...] | None  # bind names in order for a positional paramstyle; None for named ones

    @classmethod
    def of(cls, statement: ClauseElement, dialect: Dialect) -> _Compiled:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        if "POSTCOMPILE" in compiled.string:
            raise RuntimeError(f"a prebuilt statement needs post-compile parameters on {dialect.name}")
        positions = tuple(compiled.positiontup or ()) if compiled.positional else None
        return cls(compiled.string, dict(compiled.params), positions)

    def params(self, values: dict[str, Any]) -> Any:
        merged = {**self.defaults, **values}
        return merged if self.positions is None else tuple(merged[name] for name in self.positions)


FACTS_CACHE_SIZE = 16_384
"""Lookups (by fingerprint, by id) whose rows a reader keeps while the database does not change: per process, ~1.4 KB
each on the benchmark's data set. Any commit of the indexer (one per new block as it follows the head) empties it."""


class IndexFacts:
    """Facts from the indexed tables.

    Each method used on its own takes a pooled connection for itself; :meth:`session` answers a whole request from
    one connection. On a SQLite file, :meth:`open_reader` gives one thread (the API's event loop) a connection of its
    own instead, and a cache of lookups that lives as long as the database does not change: see :class:`_Reader`.
    """

    def __init__(self, engine: Engine, cache_size: int = FACTS_CACHE_SIZE) -> None:
        self.engine = engine
        self.local = engine.dialect.name == "sqlite"
        self.cache_size = cache_size
        self._compiled = {name: _Compiled.of(stmt, engine.dialect) for name, stmt in _STATEMENTS.items()}
        self._reader: _Reader | None = None

    def open_reader(self) -> bool:
        """Answer this thread's sessions from a SQLite connection of its own (False, and nothing changes, when the
        index is not a SQLite file). Called on the event loop at start-up; other threads keep using the pool."""
        if database_file(self.engine) is None:
            return False
        self.close_reader()
        self._reader = _Reader(self.engine, self._compiled, self.cache_size)
        return True

    def close_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def session(self) -> AbstractContextManager[_IndexSession]:
        reader = self._reader
        if reader is not None and reader.thread == threading.get_ident():
            return reader.session()
        return self._pooled()

    def reader_connection(self) -> sqlite3.Connection | None:
        """The reader's SQLite connection (autocommit mode) when called on the reader's thread, else None: other
        reads of the API's event loop (the certificate list) use it too, rather than a pooled connection in the
        thread pool. Use it without awaiting in between, and end any transaction begun on it."""
        reader = self._reader
        if reader is not None and reader.thread == threading.get_ident():
            return reader.connection
        return None

    @contextmanager
    def _pooled(self) -> Iterator[_IndexSession]:
        # The pool's DBAPI connection itself: SQLAlchemy's Connection and result layers cost several times what
        # SQLite spends on these statements. Read only; the pool rolls back whatever the driver began on return.
        conn = self.engine.raw_connection()
        try:
            cursor = conn.cursor()
            try:
                yield _IndexSession(cursor, self._compiled, self.local)
            finally:
                cursor.close()
        finally:
            conn.close()

    def indexed_block(self) -> int | None:
        with self.session() as session:
            return session.indexed_block()

    def facts(self, certificate_id: str, leaf: str, root: str | None = None) -> CertificateFacts:
        with self.session() as session:
            return session.facts(certificate_id, leaf, root)

    def facts_by_fingerprint(self, fingerprint: str) -> list[CertificateFacts]:
        with self.session() as session:
            return session.facts_by_fingerprint(fingerprint)

    def facts_by_id(self, key: str) -> list[CertificateFacts]:
        with self.session() as session:
            return session.facts_by_id(key)

    def provenance(self, identifiers: Sequence[str], certificate_ids: Sequence[str]) -> list[OriginalFact]:
        with self.session() as session:
            return session.provenance(identifiers, certificate_ids)


_Rows = tuple[Sequence[Any], ...]  # a lookup's rows: its facts and the indexed block read with them


class _Reader:
    """One SQLite connection of one thread, and the rows of recent lookups while the database stays unchanged.

    The connection comes from the engine (so it has its pragmas) but leaves the pool: a request then costs no
    checkout, no cursor, no reset on return. It runs in autocommit mode and every statement is read to its end, so
    no read transaction stays open: each statement sees what the indexer committed before it.

    The cache answers a repeated lookup by fingerprint or by id without SQL. ``PRAGMA data_version`` on this
    connection changes whenever another connection (the indexer, the API's own writes) commits, in any process:
    each cached lookup first reads it, and a change empties the cache. It keeps the statement's rows (tuples of
    strings and numbers, which the garbage collector stops tracking, so a full collection does not walk the cache),
    and the facts are built from them per request; verdicts (expiry) are computed per request too.
    """

    def __init__(self, engine: Engine, compiled: dict[str, _Compiled], cache_size: int) -> None:
        self.thread = threading.get_ident()
        fairy = engine.raw_connection()
        fairy.detach()  # closing it now closes the DBAPI connection instead of returning it to the pool
        self._fairy = fairy
        self.connection = cast(sqlite3.Connection, fairy.dbapi_connection)
        self._cursor = cast(DBAPICursor, self.connection.cursor())
        self._compiled = compiled
        self._cache: OrderedDict[tuple[str, str], _Rows] = OrderedDict()
        self._cache_size = cache_size
        self._version: Any = None

    def session(self) -> _IndexSession:
        return _IndexSession(self._cursor, self._compiled, True, self if self._cache_size > 0 else None)

    def cached(self, key: tuple[str, str]) -> _Rows | None:
        """The rows cached for ``key``, after emptying the cache if the database changed since it was filled."""
        self._cursor.execute("PRAGMA data_version")
        ((version,),) = self._cursor.fetchall()
        if version != self._version:
            self._cache.clear()
            self._version = version
            return None
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
        return found

    def keep(self, key: tuple[str, str], value: _Rows) -> None:
        """Cache ``value``: read after :meth:`cached` checked the version, it is at least as new as that version (a
        commit in between changes the version again, and the next lookup empties the cache)."""
        self._cache[key] = value
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def close(self) -> None:
        self._cache.clear()
        self._cursor.close()
        self._fairy.close()


_UNREAD = object()


class _IndexSession:
    """The index's answers on one connection: see :class:`IndexFacts`. Also its own context manager (a session of
    a reader is handed out as it is)."""

    def __init__(
        self, cursor: DBAPICursor, compiled: dict[str, _Compiled], local: bool, cache: _Reader | None = None
    ) -> None:
        self._cursor = cursor
        self._compiled = compiled
        self.local = local
        self._cache = cache
        self._block: object = _UNREAD

    def __enter__(self) -> _IndexSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def session(self) -> AbstractContextManager[_IndexSession]:
        return nullcontext(self)

    def _rows(self, name: str, **values: Any) -> list[Sequence[Any]]:
        compiled = self._compiled[name]
        self._cursor.execute(compiled.sql, compiled.params(values))
        return list(self._cursor.fetchall())

    def indexed_block(self) -> int | None:
        """The indexed block, as this session's facts query read it (with the facts, in one statement), or read now."""
        if self._block is _UNREAD:
            rows = self._rows("indexed_block")
            self._block = None if not rows else rows[0][0]
        return cast("int | None", self._block)

    def _facts(self, name: str, **values: Any) -> list[CertificateFacts]:
        rows = self._rows(name, **values)
        if self._block is _UNREAD:
            self._block = rows[0][_BLOCK]
        return _facts_rows(rows)

    def _lookup(self, name: str, param: str, key: str) -> list[CertificateFacts]:
        """The facts of a lookup by ``key`` (lower case); its rows come from the reader's cache when it holds them."""
        if self._cache is None:
            return self._facts(name, **{param: key})
        cache_key = (name, key)
        rows = self._cache.cached(cache_key)
        if rows is None:
            rows = tuple(self._rows(name, **{param: key}))
            self._cache.keep(cache_key, rows)
        if self._block is _UNREAD:
            self._block = rows[0][_BLOCK]
        return _facts_rows(rows)

    def facts(self, certificate_id: str, leaf: str, root: str | None = None) -> CertificateFacts:
        key = {"id": certificate_id.lower(), "leaf": leaf.lower(), "root": None if root is None else root.lower()}
        return self._facts("by_ref", **key)[0]

    def facts_by_fingerprint(self, fingerprint: str) -> list[CertificateFacts]:
        return self._lookup("by_fingerprint", "fingerprint", fingerprint.lower())

    def facts_by_id(self, key: str) -> list[CertificateFacts]:
        return self._lookup("by_id", "key", key.lower())

    def provenance(self, identifiers: Sequence[str], certificate_ids: Sequence[str]) -> list[OriginalFact]:
        """One query per (identifier, certificate) pair, usually one in all (an answer names one fingerprint and
        mostly one certificate); the rows come from the reader's cache when it holds them."""
        names = list(dict.fromkeys(i.lower() for i in identifiers if i))
        linked = list(dict.fromkeys(c.lower() for c in certificate_ids if c))
        found: list[OriginalFact] = []
        for index in range(max(len(names), len(linked))):
            identifier = names[index] if index < len(names) else None
            certificate = linked[index] if index < len(linked) else None
            found += [_original_row(row) for row in self._provenance_rows(identifier, certificate)]
        return in_registration_order(found)

    def _provenance_rows(self, identifier: str | None, certificate: str | None) -> Sequence[Sequence[Any]]:
        values = {"identifier": identifier, "certificate": certificate}
        if self._cache is None:
            return self._rows("provenance", **values)
        cache_key = ("provenance", f"{identifier}/{certificate}")
        rows = self._cache.cached(cache_key)
        if rows is None:
            rows = tuple(self._rows("provenance", **values))
            self._cache.keep(cache_key, rows)
        return rows


def _facts_rows(rows: Sequence[Sequence[Any]]) -> list[CertificateFacts]:
    """One :class:`CertificateFacts` per (id, leaf, fingerprint), newest first (the anchor row of a query that found
    nothing has no ref)."""
    found = [_facts_row(row) for row in rows if row[_REF_ID] is not None]
    return newest_first(found)


def _status_of(row: Sequence[Any], at: int) -> StatusFact:
    """The status in columns ``at``..``at+3`` (status, reason, at, by); NULL status: no such row, a plain VALID."""
    if row[at] is None:
        return StatusFact()
    return StatusFact(CertificateStatus(row[at]), row[at + 1], row[at + 2], row[at + 3])


def _facts_row(row: Sequence[Any]) -> CertificateFacts:
    certificate_id, leaf = row[_REF_ID], row[_REF_LEAF]
    if row[_CERT] is None:
        return CertificateFacts(id=certificate_id, root=row[_REF_ROOT], leaf=leaf, issued=False)
    p = _PARTNER
    partner = None
    if row[p] is not None:
        partner = PartnerFact(
            address=row[p],
            display_name=row[p + 1],
            org_type=OrganisationType(row[p + 2]),
            domain=row[p + 3],
            status=PartnerStatus(row[p + 4]),
            rights=row[p + 5],
            compromised_after=row[p + 6] or None,
        )
    a = _ISSUED_AS
    issued_as = None if row[a] is None else IssuerDetails(row[a], OrganisationType(row[a + 1]), row[a + 2])
    standing = row[_STANDING]
    c = _CERT
    return CertificateFacts(
        id=certificate_id,
        root=row[c + 1],
        leaf=leaf,
        issued=True,
        issuer=row[c + 2],
        issued_at=row[c + 3],
        valid_until=row[c + 4] or None,
        fingerprint=row[_REF_FP],
        root_status=_status_of(row, _ROOT_STATUS),
        leaf_status=_status_of(row, _DOC_STATUS),
        partner=partner,
        issued_as=issued_as,
        active_issuer_at_issuance=None if standing is None else bool(standing),
        block_number=row[c + 6],
        log_index=row[c + 7],
    )


def _original_row(row: Sequence[Any]) -> OriginalFact:
    """An :class:`OriginalFact` from a row of :func:`ledger.provenance_reads.summary_select` (its column order)."""
    return OriginalFact(
        id=row[0],
        identifier=row[1],
        registrar=row[2],
        registrar_name=row[3],
        registered_at=row[4],
        registered_block=row[5],
        registered_log_index=row[6],
        owner=row[7],
        holder=row[8],
        soulbound=bool(row[9]),
        disposition=Disposition(row[10]),
        first_registration=bool(row[11]),
    )


def _partner_fact(row: Any) -> PartnerFact:
    return PartnerFact(
        address=row["address"],
        display_name=row["display_name"],
        org_type=OrganisationType(row["org_type"]),
        domain=row["domain"],
        status=PartnerStatus(row["status"]),
        rights=row["rights"],
        compromised_after=row["compromised_after"] or None,
    )
