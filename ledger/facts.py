"""Where verification facts come from: the SQL index (fast) or the chain itself (trustless, no index).

Both sources answer the same three questions — which (root, leaf) pairs certify a fingerprint, which one an id names,
and the :class:`~ledger.verify.CertificateFacts` of a (root, leaf) — so :mod:`ledger.verify` applies the same rules to
either, and a test holds them to the same answers.

Standing at issuance: the contract lets only an active issuer issue, so on chain an issued certificate's issuer *was*
an active issuer at that moment; what can still void it is a compromise cut-off at or before its issuance, which both
sources read. The index additionally checks its partner history (by block and log order) as a consistency check.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy import (
    ClauseElement,
    Dialect,
    Engine,
    Select,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.sql.compiler import SQLCompiler

from ledger.abi import load_abi
from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient
from ledger.db import schema as s
from ledger.db.checkpoints import database_file
from ledger.deployments import Deployment
from ledger.events import ZERO_HASH, CertificateStatus, OrganisationType, PartnerStatus
from ledger.verify import CertificateFacts, PartnerFact, StatusFact

Ref = tuple[str, str]
"""(root, leaf) of one certified document; leaf == root for a single certificate."""


class FactSource(Protocol):
    @property
    def local(self) -> bool:
        """True when answers come from a local file (SQLite) in microseconds, without network round trips or waits:
        then a caller on an event loop may call it directly, as a thread-pool round trip would cost more."""
        ...

    def indexed_block(self) -> int | None: ...

    def refs_by_fingerprint(self, fingerprint: str) -> list[Ref]: ...

    def ref_by_id(self, certificate_id: str) -> Ref | None: ...

    def facts(self, root: str, leaf: str) -> CertificateFacts: ...

    def facts_by_fingerprint(self, fingerprint: str) -> list[CertificateFacts]:
        """The facts of every (root, leaf) certifying ``fingerprint``, newest first (a source may do it in one go)."""
        ...

    def facts_by_id(self, certificate_id: str) -> CertificateFacts | None:
        """The facts of the certificate (a root) or certified document (a leaf) with this id; None when unknown."""
        ...

    def session(self) -> AbstractContextManager[FactSource]:
        """The same source answering one request's questions on one connection (the index's facts query also
        reads the indexed block, so an answer's facts and block come from one statement, one snapshot)."""
        ...


# ------------------------------------------------------------------------------------------------------- the index
# The read path answers thousands of verifications a second, so it does not build SQLAlchemy statements per call:
# each statement below is built once and compiled once per dialect, and runs on the driver's cursor of one pooled
# connection per request. What a verification needs (certificate, document, issuer, issuance event, the issuer's
# standing just before it) comes from one joined query; a ref (root, leaf) is driven by parameters, by a fingerprint
# or by an id in a subquery of that same query.
_c, _d, _p = s.certificates, s.documents, s.partners
_ch, _ph = s.certificate_history, s.partner_history


def _standing() -> Any:
    """The issuer's ``active_issuer`` in its last history row before the issuance event (NULL when none)."""
    return (
        select(_ph.c.active_issuer)
        .where(
            _ph.c.address == _c.c.issuer,
            or_(
                _ph.c.block_number < _ch.c.block_number,
                and_(_ph.c.block_number == _ch.c.block_number, _ph.c.log_index < _ch.c.log_index),
            ),
        )
        .order_by(_ph.c.block_number.desc(), _ph.c.log_index.desc())
        .limit(1)
        .correlate(_c, _ch)
        .scalar_subquery()
    )


_FACT_COLUMNS = (
    _c.c.root,
    _c.c.issuer,
    _c.c.issued_at,
    _c.c.valid_until,
    _c.c.fingerprint,
    _c.c.status,
    _c.c.status_reason,
    _c.c.status_at,
    _c.c.status_by,
    _d.c.fingerprint,
    _d.c.status,
    _d.c.status_reason,
    _d.c.status_at,
    _d.c.status_by,
    _p.c.address,
    _p.c.display_name,
    _p.c.org_type,
    _p.c.domain,
    _p.c.status,
    _p.c.rights,
    _p.c.compromised_after,
)
# Positions in a facts row: the ref (root, leaf) first, then _FACT_COLUMNS, the standing, and the indexed block.
_CERT, _DOC, _PARTNER, _STANDING, _BLOCK = 2, 11, 16, 23, 24


def _facts_of(ref: Any, *order_by: Any) -> Select[Any]:
    """The facts of every (root, leaf) that the subquery ``ref`` yields, and the indexed block, in one query.

    The query starts from a one-row anchor holding the indexed block, so it answers one row (its ref NULL) even when
    ``ref`` yields none: a request needs a single statement whatever it finds.
    """
    block = select(s.sync_state.c.checkpoint_block).limit(1).scalar_subquery()
    anchor = select(block.label("block")).subquery("anchor")
    return (
        select(ref.c.root, ref.c.leaf, *_FACT_COLUMNS, _standing(), anchor.c.block)
        .select_from(anchor)
        .outerjoin(ref, true())
        .outerjoin(_c, _c.c.root == ref.c.root)
        .outerjoin(_d, and_(_d.c.root == ref.c.root, _d.c.leaf == ref.c.leaf))
        .outerjoin(_p, _p.c.address == _c.c.issuer)
        .outerjoin(_ch, and_(_ch.c.root == _c.c.root, _ch.c.action == "issued"))
        .order_by(*order_by, _ch.c.block_number, _ch.c.log_index)
    )


def _by_ref() -> Select[Any]:
    ref = select(bindparam("root", type_=String).label("root"), bindparam("leaf", type_=String).label("leaf"))
    return _facts_of(ref.subquery("ref"))


def _by_fingerprint() -> Select[Any]:
    ref = select(_d.c.root, _d.c.leaf, _d.c.block_number).where(_d.c.fingerprint == bindparam("fingerprint"))
    sub = ref.subquery("ref")
    return _facts_of(sub, sub.c.block_number.desc(), sub.c.root, sub.c.leaf)


def _ref_by_id() -> Select[Any, str]:
    """One row (root, leaf = the id): a root names itself; otherwise a leaf names its document (root NULL: none)."""
    key = bindparam("key", type_=String)
    as_root = select(_c.c.root).where(_c.c.root == key).scalar_subquery()
    as_leaf = select(_d.c.root).where(_d.c.leaf == key).limit(1).scalar_subquery()
    return select(func.coalesce(as_root, as_leaf).label("root"), key.label("leaf"))


_STATEMENTS: dict[str, ClauseElement] = {
    "indexed_block": select(s.sync_state.c.checkpoint_block).limit(1),
    "refs_by_fingerprint": select(_d.c.root, _d.c.leaf)
    .where(_d.c.fingerprint == bindparam("fingerprint"))
    .order_by(_d.c.block_number.desc(), _d.c.root, _d.c.leaf),
    "ref_by_id": _ref_by_id(),
    "by_ref": _by_ref(),
    "by_fingerprint": _by_fingerprint(),
    "by_id": _facts_of(_ref_by_id().subquery("ref")),
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

    def refs_by_fingerprint(self, fingerprint: str) -> list[Ref]:
        with self.session() as session:
            return session.refs_by_fingerprint(fingerprint)

    def ref_by_id(self, certificate_id: str) -> Ref | None:
        with self.session() as session:
            return session.ref_by_id(certificate_id)

    def facts(self, root: str, leaf: str) -> CertificateFacts:
        with self.session() as session:
            return session.facts(root, leaf)

    def facts_by_fingerprint(self, fingerprint: str) -> list[CertificateFacts]:
        with self.session() as session:
            return session.facts_by_fingerprint(fingerprint)

    def facts_by_id(self, certificate_id: str) -> CertificateFacts | None:
        with self.session() as session:
            return session.facts_by_id(certificate_id)


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

    def refs_by_fingerprint(self, fingerprint: str) -> list[Ref]:
        return [(row[0], row[1]) for row in self._rows("refs_by_fingerprint", fingerprint=fingerprint.lower())]

    def ref_by_id(self, certificate_id: str) -> Ref | None:
        ((root, leaf),) = self._rows("ref_by_id", key=certificate_id.lower())
        return None if root is None else (root, leaf)

    def facts(self, root: str, leaf: str) -> CertificateFacts:
        return self._facts("by_ref", root=root.lower(), leaf=leaf.lower())[0]

    def facts_by_fingerprint(self, fingerprint: str) -> list[CertificateFacts]:
        return self._lookup("by_fingerprint", "fingerprint", fingerprint.lower())

    def facts_by_id(self, certificate_id: str) -> CertificateFacts | None:
        found = self._lookup("by_id", "key", certificate_id.lower())
        return found[0] if found else None


def _facts_rows(rows: Sequence[Sequence[Any]]) -> list[CertificateFacts]:
    """One :class:`CertificateFacts` per (root, leaf), in row order (an extra issuance row of a ref is ignored; the
    anchor row of a query that found nothing has no ref)."""
    found: list[CertificateFacts] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        ref = (row[0], row[1])
        if ref[0] is None or ref in seen:
            continue
        seen.add(ref)
        found.append(_facts_row(row))
    return found


def _status_of(row: Sequence[Any], at: int) -> StatusFact:
    """The status in columns ``at``..``at+3`` (status, reason, at, by); NULL status: no such row, a plain VALID."""
    if row[at] is None:
        return StatusFact()
    return StatusFact(CertificateStatus(row[at]), row[at + 1], row[at + 2], row[at + 3])


def _facts_row(row: Sequence[Any]) -> CertificateFacts:
    root, leaf = row[0], row[1]
    if row[_CERT] is None:
        return CertificateFacts(root=root, leaf=leaf, issued=False)
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
    standing = row[_STANDING]
    return CertificateFacts(
        root=root,
        leaf=leaf,
        issued=True,
        issuer=row[_CERT + 1],
        issued_at=row[_CERT + 2],
        valid_until=row[_CERT + 3] or None,
        fingerprint=row[_DOC] or row[_CERT + 4],
        root_status=_status_of(row, _CERT + 5),
        leaf_status=_status_of(row, _DOC + 1),
        partner=partner,
        active_issuer_at_issuance=None if standing is None else bool(standing),
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


class ChainFacts:
    """Facts read straight from the contracts over JSON-RPC: no index, no API in between."""

    local = False  # every answer is a JSON-RPC round trip

    def __init__(self, client: RpcClient, deployment: Deployment) -> None:
        self.client = client
        self.deployment = deployment
        self.partners = ContractBinding(load_abi("PartnerRegistry"), deployment.contract("PartnerRegistry").address)
        self.certificates = ContractBinding(
            load_abi("CertificateRegistry"), deployment.contract("CertificateRegistry").address
        )
        issued = next(e for e in load_abi("CertificateRegistry") if e.get("name") == "CertificateIssued")
        published = next(e for e in load_abi("CertificateRegistry") if e.get("name") == "DocumentPublished")
        self._issued_topic = _topic(issued)
        self._published_topic = _topic(published)
        self._status_topics = [
            _topic(next(e for e in load_abi("CertificateRegistry") if e.get("name") == name))
            for name in ("CertificateRevoked", "CertificateSuspended", "CertificateReinstated")
        ]

    def indexed_block(self) -> int | None:
        return None  # nothing is indexed: every answer is the chain's latest state

    def session(self) -> AbstractContextManager[ChainFacts]:
        return nullcontext(self)  # every call reads the node's latest state; there is no snapshot to hold

    def facts_by_fingerprint(self, fingerprint: str) -> list[CertificateFacts]:
        return [self.facts(root, leaf) for root, leaf in self.refs_by_fingerprint(fingerprint)]

    def facts_by_id(self, certificate_id: str) -> CertificateFacts | None:
        ref = self.ref_by_id(certificate_id)
        return None if ref is None else self.facts(*ref)

    def _call(self, binding: ContractBinding, fn: str, *args: Any) -> tuple[Any, ...]:
        data = self.client.call("eth_call", [{"to": binding.address, "data": binding.encode(fn, *args)}, "latest"])
        return binding.decode_result(fn, data)

    def _logs(self, topics: Sequence[str | Sequence[str] | None]) -> list[dict[str, Any]]:
        params = {
            "address": self.certificates.address,
            "fromBlock": hex(self.deployment.start_block),
            "toBlock": "latest",
            "topics": list(topics),
        }
        result: list[dict[str, Any]] = self.client.call("eth_getLogs", [params])
        return result

    def refs_by_fingerprint(self, fingerprint: str) -> list[Ref]:
        fp = fingerprint.lower()
        refs = [
            (log["topics"][1].lower(), log["topics"][1].lower())
            for log in self._logs([self._issued_topic, None, None, fp])
        ]
        refs += [
            (log["topics"][1].lower(), "0x" + log["data"][2:66].lower())
            for log in self._logs([self._published_topic, None, fp])
        ]
        return list(reversed(refs))

    def ref_by_id(self, certificate_id: str) -> Ref | None:
        key = certificate_id.lower()
        (cert,) = self._call(self.certificates, "certificate", bytes.fromhex(key[2:]))
        if int(cert[0], 16) != 0:
            return (key, key)
        logs = self.client.call(
            "eth_getLogs",
            [
                {
                    "address": self.certificates.address,
                    "fromBlock": hex(self.deployment.start_block),
                    "toBlock": "latest",
                    "topics": [self._published_topic],
                }
            ],
        )
        for log in logs:
            if "0x" + log["data"][2:66].lower() == key:
                return (log["topics"][1].lower(), key)
        # A document of an anchor batch is not published, but acting on it alone names its leaf (indexed topic 2).
        acted = self._logs([self._status_topics, None, key])
        if acted:
            return (acted[0]["topics"][1].lower(), key)
        return None

    def facts(self, root: str, leaf: str) -> CertificateFacts:
        root_b, leaf_b = bytes.fromhex(root[2:]), bytes.fromhex(leaf[2:])
        ((issuer, issued_at, valid_until),) = self._call(self.certificates, "certificate", root_b)
        if int(issuer, 16) == 0:
            return CertificateFacts(root=root.lower(), leaf=leaf.lower(), issued=False)
        (root_status,) = self._call(self.certificates, "statusOf", root_b, b"\0" * 32)
        leaf_status = (0, False, 0, 0)
        if leaf.lower() != ZERO_HASH:
            (leaf_status,) = self._call(self.certificates, "statusOf", root_b, leaf_b)
        (partner,) = self._call(self.partners, "partner", issuer)
        org_type, status, rights, _joined, compromised, _meta, name, domain = partner
        fingerprint = None
        if root.lower() == leaf.lower():
            logs = self._logs([self._issued_topic, root.lower()])
            if logs and logs[0]["topics"][3] != ZERO_HASH:
                fingerprint = logs[0]["topics"][3].lower()
        else:
            logs = self._logs([self._published_topic, root.lower()])
            fingerprint = next(
                (log["topics"][2].lower() for log in logs if "0x" + log["data"][2:66].lower() == leaf.lower()), None
            )
        return CertificateFacts(
            root=root.lower(),
            leaf=leaf.lower(),
            issued=True,
            issuer=issuer,
            issued_at=issued_at,
            valid_until=valid_until or None,
            fingerprint=fingerprint,
            root_status=_chain_status(root_status),
            leaf_status=_chain_status(leaf_status),
            partner=PartnerFact(
                issuer, name, OrganisationType(org_type), domain, PartnerStatus(status), rights, compromised or None
            )
            if status != PartnerStatus.NONE
            else None,
            active_issuer_at_issuance=True,
        )


def _chain_status(record: tuple[Any, ...]) -> StatusFact:
    status, _by_council, reason, at = record
    if status == CertificateStatus.VALID and at == 0:
        return StatusFact()
    return StatusFact(CertificateStatus(status), reason, at, None)


def _topic(entry: dict[str, Any]) -> str:
    from eth_hash.auto import keccak

    types = ",".join(i["type"] for i in entry["inputs"])
    return "0x" + keccak(f"{entry['name']}({types})".encode()).hex()
