"""Projection of the CertificateRegistry's events into ``certificates``, ``documents``, ``document_status`` and
``certificate_history``.

Every event here belongs to one certificate, ``certificate:<id>`` (id = keccak256(abi.encode(issuer, root)));
DocumentPublished belongs to its certificate. A batch's rows are gathered in event order and written with a handful
of bulk statements: new certificates, their documents, then status changes in event order. Nothing here reads or
writes another contract's tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, update

from ledger.db import schema as s
from ledger.db.bulk import insert_ignore, insert_ignore_rows, upsert
from ledger.events import (
    ZERO_HASH,
    CertificateIssued,
    CertificateReinstated,
    CertificateRevoked,
    CertificateStatus,
    CertificateSuspended,
    DocumentPublished,
)
from ledger.indexer.decode import DecodedLog
from ledger.indexer.registry import Contract, Entity

DOCUMENT_COLUMNS = ("certificate_id", "leaf", "fingerprint", "block_number")
STATUS_COLUMNS = ("status", "status_reason", "status_at", "status_by", "status_by_council")
"""The columns a status event sets, on ``certificates`` (leaf 0) or ``document_status`` (any other leaf)."""

CERTIFICATE = Entity(
    "certificate",
    "id",
    (
        (s.certificates, "id"),
        (s.documents, "certificate_id"),
        (s.document_status, "certificate_id"),
        (s.certificate_history, "certificate_id"),
    ),
)


@dataclass
class CertificateWrites:
    """Everything one batch writes into the certificate tables, in event order."""

    certificates: dict[str, dict[str, Any]] = field(default_factory=dict)
    """New certificates by id."""
    public_ids: set[str] = field(default_factory=set)
    """Ids of certificates that published documents (mode ``batch_public``)."""
    documents: list[tuple[Any, ...]] = field(default_factory=list)
    """``documents`` rows in :data:`DOCUMENT_COLUMNS` order (nearly one per event on a busy chain)."""
    certificate_status: list[dict[str, Any]] = field(default_factory=list)
    document_status: list[dict[str, Any]] = field(default_factory=list)
    certificate_history: list[dict[str, Any]] = field(default_factory=list)

    def load(self, conn: Connection, keys: Mapping[Entity, set[Any]]) -> None:
        """Nothing to read: status changes are absolute updates, documents and history are insert-or-ignore."""

    def flush(self, conn: Connection) -> None:
        for row in self.certificates.values():
            if row["id"] in self.public_ids:
                row["mode"] = "batch_public"
        insert_ignore(conn, s.certificates, list(self.certificates.values()))
        earlier = sorted(self.public_ids - self.certificates.keys())
        if earlier:  # documents published for a certificate issued in an earlier batch (replays only)
            stmt = update(s.certificates).where(s.certificates.c.id == bindparam("b_id"))
            conn.execute(stmt.values(mode="batch_public"), [{"b_id": certificate_id} for certificate_id in earlier])
        insert_ignore_rows(conn, s.documents, DOCUMENT_COLUMNS, self.documents)
        if self.certificate_status:
            stmt = update(s.certificates).where(s.certificates.c.id == bindparam("b_id"))
            values: dict[str, Any] = {c: bindparam(c) for c in STATUS_COLUMNS}
            conn.execute(stmt.values(values), self.certificate_status)  # in event order
        if self.document_status:
            _document_status(conn, self.document_status)
        insert_ignore(conn, s.certificate_history, self.certificate_history)


def _document_status(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Leaf status changes: only the last per leaf decides its row (a leaf seen first here keeps the block of its
    first change), so one upsert without duplicate keys does it."""
    last: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["certificate_id"], row["leaf"])
        earlier = last.get(key)
        last[key] = row if earlier is None else {**row, "block_number": earlier["block_number"]}
    upsert(conn, s.document_status, list(last.values()), STATUS_COLUMNS)


CERTIFICATE_REGISTRY = Contract("CertificateRegistry", CertificateWrites, [CERTIFICATE])
on = CERTIFICATE_REGISTRY.on


@on(CertificateIssued, CERTIFICATE)
def issued(item: DecodedLog, event: CertificateIssued, w: CertificateWrites) -> None:
    single = event.fingerprint != ZERO_HASH
    w.certificates[event.id] = {
        "id": event.id,
        "root": event.root,
        "issuer": event.issuer,
        "fingerprint": event.fingerprint if single else None,
        "mode": "single" if single else "batch",
        "issued_at": event.issued_at,
        "valid_until": event.valid_until,
        "status": int(CertificateStatus.VALID),
        "status_reason": None,
        "status_at": None,
        "status_by": None,
        "status_by_council": None,
        "block_number": item.block_number,
        "log_index": item.log_index,
        "tx_hash": item.tx_hash,
    }
    if single:  # a single certificate's one document is its root, published with it
        w.documents.append((event.id, event.root, event.fingerprint, item.block_number))
    w.certificate_history.append(
        {"tx_hash": item.tx_hash, "log_index": item.log_index, "certificate_id": event.id, "leaf": None}
        | {"action": "issued", "actor": event.issuer, "reason": None, "by_council": None, "at": event.issued_at}
        | {"block_number": item.block_number}
    )


@on(DocumentPublished, CERTIFICATE)
def published(item: DecodedLog, event: DocumentPublished, w: CertificateWrites) -> None:
    # Nearly every event of a busy chain: kept short.
    w.public_ids.add(event.id)
    w.documents.append((event.id, event.leaf, event.fingerprint, item.block_number))


def _status_change(
    item: DecodedLog,
    event: CertificateRevoked | CertificateSuspended | CertificateReinstated,
    w: CertificateWrites,
    status: CertificateStatus,
    action: str,
) -> None:
    change = {
        "status": int(status),
        "status_reason": event.reason,
        "status_at": event.at,
        "status_by": event.by,
        "status_by_council": event.by_council,
    }
    whole = event.leaf == ZERO_HASH
    if whole:
        w.certificate_status.append({"b_id": event.id, **change})
    else:
        w.document_status.append(
            {"certificate_id": event.id, "leaf": event.leaf, **change, "block_number": item.block_number}
        )
    w.certificate_history.append(
        {"tx_hash": item.tx_hash, "log_index": item.log_index, "certificate_id": event.id}
        | {"leaf": None if whole else event.leaf, "action": action}
        | {"actor": event.by, "reason": event.reason, "by_council": event.by_council, "at": event.at}
        | {"block_number": item.block_number}
    )


@on(CertificateRevoked, CERTIFICATE)
def revoked(item: DecodedLog, event: CertificateRevoked, w: CertificateWrites) -> None:
    _status_change(item, event, w, CertificateStatus.REVOKED, "revoked")


@on(CertificateSuspended, CERTIFICATE)
def suspended(item: DecodedLog, event: CertificateSuspended, w: CertificateWrites) -> None:
    _status_change(item, event, w, CertificateStatus.SUSPENDED, "suspended")


@on(CertificateReinstated, CERTIFICATE)
def reinstated(item: DecodedLog, event: CertificateReinstated, w: CertificateWrites) -> None:
    _status_change(item, event, w, CertificateStatus.VALID, "reinstated")
