"""Projection of the ProvenanceRegistry's events into ``originals``, ``provenance_events``, ``provenance_batches``,
``provenance_clearings`` and ``provenance_clearing_votes``.

Every event naming an original belongs to ``original:<id>``: its state (``originals``) and its timeline
(``provenance_events``, one row per event) are a function of those events in chain order. A council clearing's
proposal, votes and execution belong to ``clearing:<id>`` (the clearing of the disposition itself is the original's
DispositionCleared), an anchored batch of lifecycle events to ``anchor:<root>``. The events that change an original's
or a clearing's row (``loads=True``) have it read first; the rows then hold absolute values, so applying an event
again changes nothing (the contract's epoch, a counter of sales, is not kept: it is the count of title transfers in
the timeline). The owner and the holder follow the contract's rules (``docs/decisions/0010-provenance.md``): a sale
moves custody to the new owner only when the owner held the original. Times (``provenance_events.at``,
``originals.registered_at``) are the block's, as the decoded log carries it (null when the node's logs leave it out).
Nothing here reads or writes another contract's tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from ledger.db import schema as s
from ledger.db.bulk import insert_ignore, upsert
from ledger.events import (
    CertificateLinked,
    ClaimOffered,
    ClearingExecuted,
    ClearingProposed,
    ClearingVoted,
    CustodyOffered,
    CustodyTransferred,
    Disposition,
    DispositionCleared,
    DispositionReported,
    EventsAnchored,
    HeldAtRegistration,
    LifecycleEventConsented,
    LifecycleEventRecorded,
    OfferClaimed,
    OriginalDerived,
    OriginalRegistered,
    OriginalSoulbound,
    Right,
    TitleOffered,
    TitleTransferred,
    TransferCancelled,
    TransferRejected,
)
from ledger.indexer.decode import DecodedLog
from ledger.indexer.registry import Contract, Entity, chunks

ORIGINAL = Entity("original", "original", ((s.originals, "id"), (s.provenance_events, "original")))
CLEARING = Entity(
    "clearing",
    "clearing_id",
    ((s.provenance_clearings, "clearing_id"), (s.provenance_clearing_votes, "clearing_id")),
    int,
)
ANCHOR = Entity("anchor", "root", ((s.provenance_batches, "root"),))

ACTIONS: Mapping[type[Any], str] = {
    OriginalRegistered: "registered",
    HeldAtRegistration: "held_at_registration",
    OriginalSoulbound: "soulbound",
    CertificateLinked: "certificate_linked",
    OriginalDerived: "derived",
    TitleOffered: "offered",
    CustodyOffered: "offered",
    ClaimOffered: "claim_offered",
    TitleTransferred: "transferred",
    CustodyTransferred: "transferred",
    OfferClaimed: "claimed",
    TransferRejected: "rejected",
    TransferCancelled: "cancelled",
    LifecycleEventRecorded: "event_recorded",
    LifecycleEventConsented: "event_consented",
    DispositionReported: "disposition_reported",
    DispositionCleared: "disposition_cleared",
}
"""The ``provenance_events.action`` of each event of an original (an offer's or a transfer's right is its own
column, ``transfer_right``)."""

TIMELINE_COLUMNS = (
    "party",
    "transfer_right",
    "disposition",
    "biz_step",
    "occurred_at",
    "deadline",
    "reference",
    "by_council",
)
"""The columns of a timeline row an event may leave null."""


@dataclass
class ProvenanceWrites:
    """Everything one batch writes into the provenance tables, in event order."""

    originals: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Original rows by id: loaded or created, then changed in place by each event."""
    timeline: list[dict[str, Any]] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    clearings: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Clearing rows by id: loaded or created, then changed in place by each event."""
    votes: list[dict[str, Any]] = field(default_factory=list)

    def load(self, conn: Connection, keys: Mapping[Entity, set[Any]]) -> None:
        for chunk in chunks(sorted(keys.get(ORIGINAL, ()))):
            for row in conn.execute(select(s.originals).where(s.originals.c.id.in_(chunk))).mappings():
                self.originals[row["id"]] = dict(row)
        for chunk in chunks(sorted(keys.get(CLEARING, ()))):
            query = select(s.provenance_clearings).where(s.provenance_clearings.c.clearing_id.in_(chunk))
            for row in conn.execute(query).mappings():
                self.clearings[row["clearing_id"]] = dict(row)

    def flush(self, conn: Connection) -> None:
        upsert(conn, s.originals, list(self.originals.values()))
        insert_ignore(conn, s.provenance_events, self.timeline)
        insert_ignore(conn, s.provenance_batches, self.batches)
        upsert(conn, s.provenance_clearings, list(self.clearings.values()))
        insert_ignore(conn, s.provenance_clearing_votes, self.votes)

    def note(self, item: DecodedLog, original: str, actor: str, **values: Any) -> None:
        """Append the timeline row of ``item`` (an event of ``original``); ``values`` are its non-null columns."""
        row = {"tx_hash": item.tx_hash, "log_index": item.log_index, "original": original}
        row |= {"block_number": item.block_number, "at": item.block_timestamp}
        row |= {"action": ACTIONS[type(item.event)], "actor": actor}
        self.timeline.append(row | dict.fromkeys(TIMELINE_COLUMNS) | values)

    def change(self, item: DecodedLog, original: str, **values: Any) -> dict[str, Any]:
        """Set ``values`` on the row of ``original`` (registered by an earlier event of it) and return the row."""
        row = self.originals[original]
        row.update(values, updated_block=item.block_number)
        return row


PROVENANCE_REGISTRY = Contract("ProvenanceRegistry", ProvenanceWrites, [ORIGINAL, CLEARING, ANCHOR])
on = PROVENANCE_REGISTRY.on


# -- registration and links ---------------------------------------------------------------------------------------


@on(OriginalRegistered, ORIGINAL)
def registered(item: DecodedLog, event: OriginalRegistered, w: ProvenanceWrites) -> None:
    w.originals[event.original] = {
        "id": event.original,
        "identifier": event.identifier,
        "registrar": event.registrar,
        "owner": event.owner,
        "holder": event.owner,
        "third_party_holds": False,
        "disposition": int(Disposition.NONE),
        "soulbound": False,
        "parent": None,
        "registered_block": item.block_number,
        "registered_log_index": item.log_index,
        "registered_at": item.block_timestamp,
        "tx_hash": item.tx_hash,
        "updated_block": item.block_number,
    }
    w.note(item, event.original, event.registrar, party=event.owner, reference=event.identifier)


@on(HeldAtRegistration, ORIGINAL, loads=True)
def held_at_registration(item: DecodedLog, event: HeldAtRegistration, w: ProvenanceWrites) -> None:
    row = w.change(item, event.original, holder=event.holder, third_party_holds=True)
    w.note(item, event.original, row["registrar"], party=event.holder)


@on(OriginalSoulbound, ORIGINAL, loads=True)
def soulbound(item: DecodedLog, event: OriginalSoulbound, w: ProvenanceWrites) -> None:
    row = w.change(item, event.original, soulbound=True)
    w.note(item, event.original, row["registrar"])


@on(CertificateLinked, ORIGINAL)
def certificate_linked(item: DecodedLog, event: CertificateLinked, w: ProvenanceWrites) -> None:
    w.note(item, event.original, event.by, reference=event.certificate_id)


@on(OriginalDerived, ORIGINAL, loads=True)
def derived(item: DecodedLog, event: OriginalDerived, w: ProvenanceWrites) -> None:
    w.change(item, event.original, parent=event.parent)
    w.note(item, event.original, event.by, reference=event.parent)


# -- offers and transfers -----------------------------------------------------------------------------------------


@on(TitleOffered, ORIGINAL)
def title_offered(item: DecodedLog, event: TitleOffered, w: ProvenanceWrites) -> None:
    w.note(item, event.original, event.from_, party=event.to, transfer_right=int(Right.TITLE), deadline=event.deadline)


@on(CustodyOffered, ORIGINAL)
def custody_offered(item: DecodedLog, event: CustodyOffered, w: ProvenanceWrites) -> None:
    right = int(Right.CUSTODY)
    w.note(item, event.original, event.from_, party=event.to, transfer_right=right, deadline=event.deadline)


@on(ClaimOffered, ORIGINAL)
def claim_offered(item: DecodedLog, event: ClaimOffered, w: ProvenanceWrites) -> None:
    w.note(item, event.original, event.from_, party=event.key, transfer_right=event.right, deadline=event.deadline)


@on(TitleTransferred, ORIGINAL, loads=True)
def title_transferred(item: DecodedLog, event: TitleTransferred, w: ProvenanceWrites) -> None:
    row = w.originals[event.original]
    # The owner held it: the new owner does. A third party holds it: it keeps it until it hands it over.
    holder = row["holder"] if row["third_party_holds"] else event.to
    w.change(item, event.original, owner=event.to, holder=holder)
    w.note(item, event.original, event.from_, party=event.to, transfer_right=int(Right.TITLE))


@on(CustodyTransferred, ORIGINAL, loads=True)
def custody_transferred(item: DecodedLog, event: CustodyTransferred, w: ProvenanceWrites) -> None:
    row = w.originals[event.original]
    w.change(item, event.original, holder=event.to, third_party_holds=event.to != row["owner"])
    w.note(item, event.original, event.from_, party=event.to, transfer_right=int(Right.CUSTODY))


@on(OfferClaimed, ORIGINAL)
def claimed(item: DecodedLog, event: OfferClaimed, w: ProvenanceWrites) -> None:
    w.note(item, event.original, event.claimant, party=event.key, transfer_right=event.right)


@on(TransferRejected, ORIGINAL)
def rejected(item: DecodedLog, event: TransferRejected, w: ProvenanceWrites) -> None:
    w.note(item, event.original, event.by, transfer_right=event.right, reference=event.remark_hash)


@on(TransferCancelled, ORIGINAL)
def cancelled(item: DecodedLog, event: TransferCancelled, w: ProvenanceWrites) -> None:
    w.note(item, event.original, event.by, transfer_right=event.right)


# -- lifecycle events ---------------------------------------------------------------------------------------------


@on(LifecycleEventRecorded, ORIGINAL)
def event_recorded(item: DecodedLog, event: LifecycleEventRecorded, w: ProvenanceWrites) -> None:
    w.note(
        item,
        event.original,
        event.holder,
        biz_step=event.biz_step,
        occurred_at=event.occurred_at,
        reference=event.evidence_hash,
    )


@on(LifecycleEventConsented, ORIGINAL)
def event_consented(item: DecodedLog, event: LifecycleEventConsented, w: ProvenanceWrites) -> None:
    w.note(
        item,
        event.original,
        event.recorder,
        party=event.holder,
        biz_step=event.biz_step,
        occurred_at=event.occurred_at,
        reference=event.evidence_hash,
    )


@on(EventsAnchored, ANCHOR)
def events_anchored(item: DecodedLog, event: EventsAnchored, w: ProvenanceWrites) -> None:
    w.batches.append(
        {"tx_hash": item.tx_hash, "log_index": item.log_index, "recorder": event.recorder, "root": event.root}
        | {"event_count": event.count, "block_number": item.block_number}
    )


# -- dispositions and council clearings ---------------------------------------------------------------------------


@on(DispositionReported, ORIGINAL, loads=True)
def disposition_reported(item: DecodedLog, event: DispositionReported, w: ProvenanceWrites) -> None:
    w.change(item, event.original, disposition=event.disposition)
    w.note(item, event.original, event.by, disposition=event.disposition, reference=event.evidence_hash)


@on(DispositionCleared, ORIGINAL, loads=True)
def disposition_cleared(item: DecodedLog, event: DispositionCleared, w: ProvenanceWrites) -> None:
    w.change(item, event.original, disposition=int(Disposition.NONE))
    w.note(
        item,
        event.original,
        event.by,
        disposition=event.previous,
        reference=event.evidence_hash,
        by_council=event.by_council,
    )


@on(ClearingProposed, CLEARING)
def clearing_proposed(item: DecodedLog, event: ClearingProposed, w: ProvenanceWrites) -> None:
    w.clearings[event.clearing_id] = {
        "clearing_id": event.clearing_id,
        "original": event.original,
        "proposer": event.proposer,
        "disposition": event.disposition,
        "remark_hash": event.remark_hash,
        "deadline": event.deadline,
        "council_at_proposal": event.council_at_proposal,
        "yes_votes": 1,  # the proposer's own
        "executed": False,
        "executed_by": None,
        "executed_block": None,
        "counted": None,
        "required": None,
        "created_block": item.block_number,
        "tx_hash": item.tx_hash,
    }


@on(ClearingVoted, CLEARING, loads=True)
def clearing_voted(item: DecodedLog, event: ClearingVoted, w: ProvenanceWrites) -> None:
    w.clearings[event.clearing_id]["yes_votes"] = event.yes_votes
    w.votes.append(
        {"clearing_id": event.clearing_id, "voter": event.voter, "yes_votes": event.yes_votes}
        | {"block_number": item.block_number, "tx_hash": item.tx_hash}
    )


@on(ClearingExecuted, CLEARING, loads=True)
def clearing_executed(item: DecodedLog, event: ClearingExecuted, w: ProvenanceWrites) -> None:
    w.clearings[event.clearing_id].update(
        executed=True,
        executed_by=event.executor,
        executed_block=item.block_number,
        counted=event.counted,
        required=event.required,
    )
