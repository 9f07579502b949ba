"""Project decoded events into the SQL tables: the indexer's last stage. Idempotent, batch-oriented, reversible.

Every event belongs to one *entity* (a partner, a proposal or a certificate) and the derived rows of an entity are a
function of its events in chain order. Events carry absolute values (statuses, vote totals, timestamps), so applying
an event again changes nothing, and history rows are keyed by (tx_hash, log_index) and inserted with "on conflict do
nothing". A batch is applied with a handful of executemany statements in a fixed order (inserts of new entities, then
status changes in event order), never one round trip per event.

Rollback after a reorg (:meth:`Projector.rollback`) deletes the events above the common ancestor, drops the derived
rows of every entity they touched, and replays the remaining events of just those entities.

The caller owns the transaction: :meth:`apply` and :meth:`rollback` run inside the one the sync loop commits together
with its checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, delete, select, update

from ledger.db import schema as s
from ledger.db.bulk import insert_ignore as _insert_ignore
from ledger.db.bulk import insert_ignore_rows as _insert_ignore_rows
from ledger.db.bulk import upsert as _upsert
from ledger.events import (
    EVENT_TYPES,
    ISSUER,
    ZERO_HASH,
    CertificateIssued,
    CertificateReinstated,
    CertificateRevoked,
    CertificateStatus,
    CertificateSuspended,
    DocumentPublished,
    Event,
    PartnerCompromised,
    PartnerRegistered,
    PartnerRightsChanged,
    PartnerStatus,
    PartnerStatusChanged,
    ProposalCreated,
    ProposalExecuted,
    VoteCast,
)
from ledger.indexer.decode import DecodedLog

_CHUNK = 500  # keys per IN (...) list: well under SQLite's variable limit

_STATUS_OF = {
    CertificateRevoked: (CertificateStatus.REVOKED, "revoked"),
    CertificateSuspended: (CertificateStatus.SUSPENDED, "suspended"),
    CertificateReinstated: (CertificateStatus.VALID, "reinstated"),
}


EVENT_COLUMNS = (
    "chain_id",
    "tx_hash",
    "log_index",
    "block_number",
    "block_hash",
    "contract",
    "event",
    "entity",
    "args",
)
DOCUMENT_COLUMNS = ("root", "leaf", "fingerprint", "status", "status_reason", "status_at", "status_by", "block_number")
_VALID = int(CertificateStatus.VALID)

_PARTNER_EVENTS = frozenset({PartnerRegistered, PartnerStatusChanged, PartnerRightsChanged, PartnerCompromised})
_PROPOSAL_EVENTS = frozenset({ProposalCreated, VoteCast, ProposalExecuted})


def entity_of(event: Event) -> str:
    """The entity an event belongs to: ``partner:<address>``, ``proposal:<id>`` or ``certificate:<root>``."""
    # Exact type lookups, not isinstance chains: this runs once per event, a million times in a dense backfill.
    cls = type(event)
    if cls in _PARTNER_EVENTS:
        return f"partner:{event.account}"  # type: ignore[union-attr]
    if cls in _PROPOSAL_EVENTS:
        return f"proposal:{event.proposal_id}"  # type: ignore[union-attr]
    return f"certificate:{event.root}"  # type: ignore[union-attr]


def event_args(event: Event) -> dict[str, Any]:
    return asdict(event)


def args_json(event: Event) -> str:
    """The ``chain_events.args`` text of an event: the same bytes as ``orjson.dumps(event_args(event))``.

    orjson serialises a dataclass natively, field by field in definition order, which is what ``asdict`` gives,
    without ``asdict``'s recursive deep copy (measured: that copy was the largest single cost of a dense backfill).
    """
    return orjson.dumps(event).decode()


def event_from_row(name: str, args: str | bytes) -> Event:
    """Rebuild an event from its ``chain_events`` row (for replays)."""
    return EVENT_TYPES[name](**orjson.loads(args))


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class _Writes:
    """Everything one batch writes, gathered in memory in event order before any SQL runs."""

    events: list[tuple[Any, ...]] = field(default_factory=list)
    """``chain_events`` rows in :data:`EVENT_COLUMNS` order (tuples: one per event, the largest table)."""
    partners: dict[str, dict[str, Any]] = field(default_factory=dict)
    partner_history: list[dict[str, Any]] = field(default_factory=list)
    applications: list[dict[str, Any]] = field(default_factory=list)
    proposals: dict[int, dict[str, Any]] = field(default_factory=dict)
    votes: list[dict[str, Any]] = field(default_factory=list)
    certificates: dict[str, dict[str, Any]] = field(default_factory=dict)
    public_roots: set[str] = field(default_factory=set)
    documents: list[tuple[Any, ...]] = field(default_factory=list)
    """``documents`` rows in :data:`DOCUMENT_COLUMNS` order (nearly one per event on a busy chain)."""
    root_status: list[dict[str, Any]] = field(default_factory=list)
    document_status: list[dict[str, Any]] = field(default_factory=list)
    certificate_history: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ProjectionStats:
    events: int
    entities: int


class Projector:
    """Writes batches of decoded events for one chain into the tables of :mod:`ledger.db.schema`."""

    def __init__(self, chain_id: int) -> None:
        self.chain_id = chain_id

    # -- applying -------------------------------------------------------------------------------------------------

    def apply(self, conn: Connection, logs: Sequence[DecodedLog], record: bool = True) -> ProjectionStats:
        """Apply ``logs`` (in chain order) inside the caller's transaction.

        Args:
            record: also append them to ``chain_events`` (False when replaying events already stored there).
        """
        writes = _Writes()
        accounts: set[str] = set()
        proposal_ids: set[int] = set()
        for item in logs:
            event = item.event
            cls = type(event)
            if cls in _PARTNER_EVENTS:
                accounts.add(event.account)  # type: ignore[union-attr]
            elif cls is VoteCast or cls is ProposalExecuted:
                proposal_ids.add(event.proposal_id)  # type: ignore[union-attr]
        self._load_partners(conn, writes, accounts)
        self._load_proposals(conn, writes, proposal_ids)
        entities: set[str] = set()
        chain_id = self.chain_id
        events = writes.events
        documents = writes.documents
        public_roots = writes.public_roots
        document = self._document
        for item in logs:
            event = item.event
            if type(event) is DocumentPublished:
                # Nearly every event of a busy chain: kept on the shortest path (what _gather would do for it).
                root = event.root
                entity = "certificate:" + root
                public_roots.add(root)
                documents.append(document(root, event.leaf, event.fingerprint, item.block_number))
            else:
                entity = entity_of(event)
                self._gather(item, writes)
            entities.add(entity)
            if record:  # in EVENT_COLUMNS order; args = args_json(event), without a call per event
                events.append(
                    (
                        chain_id,
                        item.tx_hash,
                        item.log_index,
                        item.block_number,
                        item.block_hash,
                        item.address,
                        type(event).__name__,
                        entity,
                        orjson.dumps(event).decode(),
                    )
                )
        self._flush(conn, writes)
        return ProjectionStats(len(logs), len(entities))

    def _load_partners(self, conn: Connection, writes: _Writes, accounts: set[str]) -> None:
        for chunk in _chunks(sorted(accounts)):
            for row in conn.execute(select(s.partners).where(s.partners.c.address.in_(chunk))).mappings():
                writes.partners[row["address"]] = dict(row)

    def _load_proposals(self, conn: Connection, writes: _Writes, ids: set[int]) -> None:
        for chunk in _chunks(sorted(ids)):
            for row in conn.execute(select(s.proposals).where(s.proposals.c.proposal_id.in_(chunk))).mappings():
                writes.proposals[row["proposal_id"]] = dict(row)

    def _gather(self, item: DecodedLog, w: _Writes) -> None:
        event = item.event
        where = {"tx_hash": item.tx_hash, "log_index": item.log_index}
        if isinstance(event, CertificateIssued):
            single = event.fingerprint != ZERO_HASH
            w.certificates[event.root] = {
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
                "block_number": item.block_number,
                "tx_hash": item.tx_hash,
            }
            if single:
                w.documents.append(self._document(event.root, event.root, event.fingerprint, item.block_number))
            w.certificate_history.append(
                {**where, "root": event.root, "leaf": None, "action": "issued", "actor": event.issuer}
                | {"reason": None, "at": event.issued_at, "block_number": item.block_number}
            )
        elif isinstance(event, DocumentPublished):
            w.public_roots.add(event.root)
            w.documents.append(self._document(event.root, event.leaf, event.fingerprint, item.block_number))
        elif isinstance(event, CertificateRevoked | CertificateSuspended | CertificateReinstated):
            status, action = _STATUS_OF[type(event)]
            change = {
                "status": int(status),
                "status_reason": event.reason,
                "status_at": event.at,
                "status_by": event.by,
            }
            if event.leaf == ZERO_HASH:
                w.root_status.append({"b_root": event.root, **change})
            else:
                w.document_status.append(
                    {"root": event.root, "leaf": event.leaf, "fingerprint": None, "block_number": item.block_number}
                    | change
                )
            w.certificate_history.append(
                {**where, "root": event.root, "leaf": None if event.leaf == ZERO_HASH else event.leaf}
                | {"action": action, "actor": event.by, "reason": event.reason, "at": event.at}
                | {"block_number": item.block_number}
            )
        elif isinstance(event, ProposalCreated):
            w.proposals[event.proposal_id] = {
                "proposal_id": event.proposal_id,
                "kind": event.kind,
                "subject": event.subject,
                "proposer": event.proposer,
                "rights": event.rights,
                "compromised_after": event.compromised_after,
                "deadline": event.deadline,
                "yes_votes": 0,
                "no_votes": 0,
                "executed": False,
                "executed_by": None,
                "executed_block": None,
                "created_block": item.block_number,
                "tx_hash": item.tx_hash,
            }
        elif isinstance(event, VoteCast):
            proposal = w.proposals.get(event.proposal_id)
            if proposal is not None:
                proposal.update(yes_votes=event.yes_votes, no_votes=event.no_votes)
            w.votes.append(
                {"proposal_id": event.proposal_id, "voter": event.voter, "support": event.support}
                | {"block_number": item.block_number, "tx_hash": item.tx_hash}
            )
        elif isinstance(event, ProposalExecuted):
            proposal = w.proposals.get(event.proposal_id)
            if proposal is not None:
                proposal.update(executed=True, executed_by=event.executor, executed_block=item.block_number)
        else:
            self._gather_partner(item, event, w)

    @staticmethod
    def _document(root: str, leaf: str, fingerprint: str | None, block: int) -> tuple[Any, ...]:
        """A new ``documents`` row, valid, in :data:`DOCUMENT_COLUMNS` order."""
        return (root, leaf, fingerprint, _VALID, None, None, None, block)

    def _gather_partner(self, item: DecodedLog, event: Event, w: _Writes) -> None:
        assert isinstance(event, PartnerRegistered | PartnerStatusChanged | PartnerRightsChanged | PartnerCompromised)
        account = event.account
        partner = w.partners.get(account)
        if isinstance(event, PartnerRegistered):
            base = partner or {"status": int(PartnerStatus.NONE), "rights": 0, "joined_at": None}
            w.partners[account] = partner = {
                **base,
                "address": account,
                "org_type": event.org_type,
                "display_name": event.display_name,
                "domain": event.domain,
                "metadata_hash": event.metadata_hash,
                "compromised_after": base.get("compromised_after"),
                "registered_block": item.block_number,
                "updated_block": item.block_number,
            }
            w.applications.append(
                {"tx_hash": item.tx_hash, "log_index": item.log_index, "address": account}
                | {"block_number": item.block_number, "org_type": event.org_type}
                | {"display_name": event.display_name, "domain": event.domain, "metadata_hash": event.metadata_hash}
            )
            return
        if partner is None:
            return  # an event for an account that never registered cannot come from the contract
        at: int
        if isinstance(event, PartnerStatusChanged):
            if event.previous == PartnerStatus.APPLIED and event.status == PartnerStatus.ACTIVE:
                partner["joined_at"] = event.at
            partner["status"] = event.status
            at, proposal_id = event.at, event.proposal_id
        elif isinstance(event, PartnerRightsChanged):
            partner["rights"] = event.rights
            at, proposal_id = event.at, event.proposal_id
        else:
            partner["compromised_after"] = event.compromised_after
            # PartnerCompromised carries no time of its own; it is emitted in the expulsion's transaction.
            at, proposal_id = event.compromised_after, event.proposal_id
        partner["updated_block"] = item.block_number
        w.partner_history.append(
            {"tx_hash": item.tx_hash, "log_index": item.log_index, "address": account}
            | {"block_number": item.block_number, "at": at, "event": item.name}
            | {"status": partner["status"], "rights": partner["rights"], "proposal_id": proposal_id or None}
            | {"active_issuer": partner["status"] == PartnerStatus.ACTIVE and bool(partner["rights"] & ISSUER)}
        )

    def _flush(self, conn: Connection, w: _Writes) -> None:
        _insert_ignore_rows(conn, s.chain_events, EVENT_COLUMNS, w.events)
        _upsert(conn, s.partners, list(w.partners.values()))
        _insert_ignore(conn, s.partner_history, w.partner_history)
        _insert_ignore(conn, s.applications, w.applications)
        _upsert(conn, s.proposals, list(w.proposals.values()))
        _insert_ignore(conn, s.votes, w.votes)
        for row in w.certificates.values():
            if row["root"] in w.public_roots:
                row["mode"] = "batch_public"
        _insert_ignore(conn, s.certificates, list(w.certificates.values()))
        earlier = sorted(w.public_roots - w.certificates.keys())
        if earlier:  # documents published for a root issued in an earlier batch (replays only)
            stmt = update(s.certificates).where(s.certificates.c.root == bindparam("b_root"))
            conn.execute(stmt.values(mode="batch_public"), [{"b_root": root} for root in earlier])
        _insert_ignore_rows(conn, s.documents, DOCUMENT_COLUMNS, w.documents)
        if w.root_status:
            stmt = update(s.certificates).where(s.certificates.c.root == bindparam("b_root"))
            columns = ("status", "status_reason", "status_at", "status_by")
            conn.execute(stmt.values({c: bindparam(c) for c in columns}), w.root_status)  # in event order
        if w.document_status:
            self._document_status(conn, w.document_status)
        _insert_ignore(conn, s.certificate_history, w.certificate_history)

    @staticmethod
    def _document_status(conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Leaf status changes: only the last per leaf decides its row (a leaf seen first here keeps the block of
        its first change), so one upsert without duplicate keys does it."""
        last: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            key = (row["root"], row["leaf"])
            earlier = last.get(key)
            last[key] = row if earlier is None else {**row, "block_number": earlier["block_number"]}
        _upsert(conn, s.documents, list(last.values()), ("status", "status_reason", "status_at", "status_by"))

    # -- rolling back ---------------------------------------------------------------------------------------------

    def rollback(self, conn: Connection, ancestor: int) -> set[str]:
        """Undo everything above block ``ancestor``; returns the entities rebuilt."""
        ev = s.chain_events
        above = (ev.c.chain_id == self.chain_id) & (ev.c.block_number > ancestor)
        entities = set(conn.execute(select(ev.c.entity).where(above).distinct()).scalars())
        conn.execute(delete(ev).where(above))
        self.rebuild(conn, entities)
        return entities

    def rebuild(self, conn: Connection, entities: Iterable[str]) -> None:
        """Drop the derived rows of ``entities`` and replay their stored events."""
        keys = sorted(entities)
        for chunk in _chunks(keys):
            self._drop(conn, chunk)
            ev = s.chain_events
            rows = conn.execute(
                select(ev)
                .where((ev.c.chain_id == self.chain_id) & ev.c.entity.in_(chunk))
                .order_by(ev.c.block_number, ev.c.log_index)
            ).mappings()
            replay = [
                DecodedLog(
                    event_from_row(row["event"], row["args"]),
                    row["contract"],
                    row["block_number"],
                    row["block_hash"],
                    row["tx_hash"],
                    row["log_index"],
                )
                for row in rows
            ]
            self.apply(conn, replay, record=False)

    @staticmethod
    def _drop(conn: Connection, entities: Sequence[str]) -> None:
        by_kind: dict[str, list[str]] = {"partner": [], "proposal": [], "certificate": []}
        for entity in entities:
            kind, _, key = entity.partition(":")
            by_kind[kind].append(key)
        if accounts := by_kind["partner"]:
            for table in (s.partners, s.partner_history, s.applications):
                conn.execute(delete(table).where(table.c.address.in_(accounts)))
        if ids := [int(i) for i in by_kind["proposal"]]:
            for table in (s.proposals, s.votes):
                conn.execute(delete(table).where(table.c.proposal_id.in_(ids)))
        if roots := by_kind["certificate"]:
            for table in (s.certificates, s.documents, s.certificate_history):
                conn.execute(delete(table).where(table.c.root.in_(roots)))
