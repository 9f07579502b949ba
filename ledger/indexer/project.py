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
from eth_hash.auto import keccak
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
    DetailsProposed,
    DocumentPublished,
    Event,
    PartnerCompromised,
    PartnerDetailsChanged,
    PartnerEvent,
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
DOCUMENT_COLUMNS = ("certificate_id", "leaf", "fingerprint", "block_number")
STATUS_COLUMNS = ("status", "status_reason", "status_at", "status_by", "status_by_council")
"""The columns a status event sets, on ``certificates`` (leaf 0) or ``document_status`` (any other leaf)."""

_PARTNER_EVENTS = frozenset(
    {PartnerRegistered, PartnerStatusChanged, PartnerRightsChanged, PartnerDetailsChanged, PartnerCompromised}
)
_PROPOSAL_EVENTS = frozenset({ProposalCreated, DetailsProposed, VoteCast, ProposalExecuted})
_LOADED_PROPOSAL_EVENTS = frozenset({DetailsProposed, VoteCast, ProposalExecuted})
"""Events that change a proposal which may have been created in an earlier batch."""


def entity_of(event: Event) -> str:
    """The entity an event belongs to: ``partner:<address>``, ``proposal:<id>`` or ``certificate:<id>``."""
    # Exact type lookups, not isinstance chains: this runs once per event, a million times in a dense backfill.
    cls = type(event)
    if cls in _PARTNER_EVENTS:
        return f"partner:{event.account}"  # type: ignore[union-attr]
    if cls in _PROPOSAL_EVENTS:
        return f"proposal:{event.proposal_id}"  # type: ignore[union-attr]
    return f"certificate:{event.id}"  # type: ignore[union-attr]


def details_hash(org_type: int, display_name: str, domain: str, metadata_hash: str) -> str:
    """``PartnerRegistry.detailsHash``: keccak256(abi.encode(orgType, displayName, domain, metadataHash)).

    Encoded by hand (a static head of four words, then each string as its length and its bytes padded to a word)
    rather than with eth-abi, whose import would cost every indexer start ~80 ms for a few partner events.
    """
    name, site = display_name.encode(), domain.encode()

    def word(value: int) -> bytes:
        return value.to_bytes(32, "big")

    def tail(data: bytes) -> bytes:
        return word(len(data)) + data + bytes(-len(data) % 32)

    first = tail(name)
    head = word(org_type) + word(4 * 32) + word(4 * 32 + len(first)) + bytes.fromhex(metadata_hash[2:])
    return "0x" + keccak(head + first + tail(site)).hex()


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
    partner_details: list[dict[str, Any]] = field(default_factory=list)
    proposals: dict[int, dict[str, Any]] = field(default_factory=dict)
    votes: list[dict[str, Any]] = field(default_factory=list)
    certificates: dict[str, dict[str, Any]] = field(default_factory=dict)
    """New certificates by id."""
    public_ids: set[str] = field(default_factory=set)
    """Ids of certificates that published documents (mode ``batch_public``)."""
    documents: list[tuple[Any, ...]] = field(default_factory=list)
    """``documents`` rows in :data:`DOCUMENT_COLUMNS` order (nearly one per event on a busy chain)."""
    certificate_status: list[dict[str, Any]] = field(default_factory=list)
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
            elif cls in _LOADED_PROPOSAL_EVENTS:
                proposal_ids.add(event.proposal_id)  # type: ignore[union-attr]
        self._load_partners(conn, writes, accounts)
        self._load_proposals(conn, writes, proposal_ids)
        entities: set[str] = set()
        chain_id = self.chain_id
        events = writes.events
        documents = writes.documents
        public_ids = writes.public_ids
        for item in logs:
            event = item.event
            if type(event) is DocumentPublished:
                # Nearly every event of a busy chain: kept on the shortest path (what _gather would do for it).
                certificate_id = event.id
                entity = "certificate:" + certificate_id
                public_ids.add(certificate_id)
                documents.append((certificate_id, event.leaf, event.fingerprint, item.block_number))
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
                {**where, "certificate_id": event.id, "leaf": None, "action": "issued", "actor": event.issuer}
                | {"reason": None, "by_council": None, "at": event.issued_at, "block_number": item.block_number}
            )
        elif isinstance(event, DocumentPublished):
            w.public_ids.add(event.id)
            w.documents.append((event.id, event.leaf, event.fingerprint, item.block_number))
        elif isinstance(event, CertificateRevoked | CertificateSuspended | CertificateReinstated):
            status, action = _STATUS_OF[type(event)]
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
                {**where, "certificate_id": event.id, "leaf": None if whole else event.leaf, "action": action}
                | {"actor": event.by, "reason": event.reason, "by_council": event.by_council, "at": event.at}
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
                "target": event.target,
                "leaf": event.leaf,
                "reason": event.reason,
                "council_at_proposal": event.council_at_proposal,
                "yes_votes": 0,
                "no_votes": 0,
                "executed": False,
                "executed_by": None,
                "executed_block": None,
                "counted_votes": None,
                "required": None,
                "proposed_org_type": None,
                "proposed_display_name": None,
                "proposed_domain": None,
                "proposed_metadata_hash": None,
                "created_block": item.block_number,
                "tx_hash": item.tx_hash,
            }
        elif isinstance(event, DetailsProposed):
            proposal = w.proposals.get(event.proposal_id)
            if proposal is not None:  # emitted right after its ProposalCreated, in the same transaction
                proposal.update(
                    proposed_org_type=event.org_type,
                    proposed_display_name=event.display_name,
                    proposed_domain=event.domain,
                    proposed_metadata_hash=event.metadata_hash,
                )
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
                proposal.update(counted_votes=event.counted_votes, required=event.required)
        else:
            self._gather_partner(item, event, w)

    def _gather_partner(self, item: DecodedLog, event: Event, w: _Writes) -> None:
        assert isinstance(event, PartnerEvent)
        account = event.account
        partner = w.partners.get(account)
        if isinstance(event, PartnerRegistered | PartnerDetailsChanged):
            digest = details_hash(event.org_type, event.display_name, event.domain, event.metadata_hash)
            details: dict[str, Any] = {
                "org_type": event.org_type,
                "display_name": event.display_name,
                "domain": event.domain,
                "metadata_hash": event.metadata_hash,
            }
            registered = isinstance(event, PartnerRegistered)
            if registered:
                base = partner or {"status": int(PartnerStatus.NONE), "rights": 0, "joined_at": None}
                w.partners[account] = {
                    **base,
                    "address": account,
                    **details,
                    "details_hash": digest,
                    "compromised_after": base.get("compromised_after"),
                    "registered_block": item.block_number,
                    "updated_block": item.block_number,
                }
                w.applications.append(
                    {"tx_hash": item.tx_hash, "log_index": item.log_index, "address": account}
                    | {"block_number": item.block_number}
                    | details
                )
            elif partner is None:
                return  # an event for an account that never registered cannot come from the contract
            else:
                partner.update(details, details_hash=digest, updated_block=item.block_number)
            w.partner_details.append(
                {"tx_hash": item.tx_hash, "log_index": item.log_index, "address": account}
                | {"block_number": item.block_number, "at": None if registered else event.at}  # type: ignore[union-attr]
                | details
                | {"proposal_id": None if registered else event.proposal_id}  # type: ignore[union-attr]
                | {"source": "registered" if registered else "changed"}
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
        _insert_ignore(conn, s.partner_details, w.partner_details)
        _upsert(conn, s.proposals, list(w.proposals.values()))
        _insert_ignore(conn, s.votes, w.votes)
        for row in w.certificates.values():
            if row["id"] in w.public_ids:
                row["mode"] = "batch_public"
        _insert_ignore(conn, s.certificates, list(w.certificates.values()))
        earlier = sorted(w.public_ids - w.certificates.keys())
        if earlier:  # documents published for a certificate issued in an earlier batch (replays only)
            stmt = update(s.certificates).where(s.certificates.c.id == bindparam("b_id"))
            conn.execute(stmt.values(mode="batch_public"), [{"b_id": certificate_id} for certificate_id in earlier])
        _insert_ignore_rows(conn, s.documents, DOCUMENT_COLUMNS, w.documents)
        if w.certificate_status:
            stmt = update(s.certificates).where(s.certificates.c.id == bindparam("b_id"))
            values: dict[str, Any] = {c: bindparam(c) for c in STATUS_COLUMNS}
            conn.execute(stmt.values(values), w.certificate_status)  # in event order
        if w.document_status:
            self._document_status(conn, w.document_status)
        _insert_ignore(conn, s.certificate_history, w.certificate_history)

    @staticmethod
    def _document_status(conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Leaf status changes: only the last per leaf decides its row (a leaf seen first here keeps the block of
        its first change), so one upsert without duplicate keys does it."""
        last: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            key = (row["certificate_id"], row["leaf"])
            earlier = last.get(key)
            last[key] = row if earlier is None else {**row, "block_number": earlier["block_number"]}
        _upsert(conn, s.document_status, list(last.values()), STATUS_COLUMNS)

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
            for table in (s.partners, s.partner_history, s.applications, s.partner_details):
                conn.execute(delete(table).where(table.c.address.in_(accounts)))
        if ids := [int(i) for i in by_kind["proposal"]]:
            for table in (s.proposals, s.votes):
                conn.execute(delete(table).where(table.c.proposal_id.in_(ids)))
        if certificate_ids := by_kind["certificate"]:
            conn.execute(delete(s.certificates).where(s.certificates.c.id.in_(certificate_ids)))
            for table in (s.documents, s.document_status, s.certificate_history):
                conn.execute(delete(table).where(table.c.certificate_id.in_(certificate_ids)))
