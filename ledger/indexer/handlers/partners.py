"""Projection of the PartnerRegistry's events: partners (``partners``, ``partner_history``, ``applications``,
``partner_details``) and council proposals (``proposals``, ``votes``).

Partner events belong to ``partner:<address>``, proposal events to ``proposal:<id>``. A partner's or a proposal's row
may come from an earlier batch, so the events that change one (``loads=True``) have it read first; rows then hold
absolute values (status, rights, vote totals), so applying an event again changes nothing. Nothing here reads or
writes another contract's tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eth_hash.auto import keccak
from sqlalchemy import Connection, select

from ledger.db import schema as s
from ledger.db.bulk import insert_ignore, upsert
from ledger.events import (
    ISSUER,
    DetailsProposed,
    PartnerCompromised,
    PartnerDetailsChanged,
    PartnerRegistered,
    PartnerRightsChanged,
    PartnerStatus,
    PartnerStatusChanged,
    ProposalCreated,
    ProposalExecuted,
    VoteCast,
)
from ledger.indexer.decode import DecodedLog
from ledger.indexer.registry import Contract, Entity, chunks

PARTNER = Entity(
    "partner",
    "account",
    (
        (s.partners, "address"),
        (s.partner_history, "address"),
        (s.applications, "address"),
        (s.partner_details, "address"),
    ),
)
PROPOSAL = Entity("proposal", "proposal_id", ((s.proposals, "proposal_id"), (s.votes, "proposal_id")), int)


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


@dataclass
class PartnerWrites:
    """Everything one batch writes into the partner and proposal tables, in event order."""

    partners: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Partner rows by address: loaded, then changed in place by each event."""
    partner_history: list[dict[str, Any]] = field(default_factory=list)
    applications: list[dict[str, Any]] = field(default_factory=list)
    partner_details: list[dict[str, Any]] = field(default_factory=list)
    proposals: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Proposal rows by id: loaded or created, then changed in place by each event."""
    votes: list[dict[str, Any]] = field(default_factory=list)

    def load(self, conn: Connection, keys: Mapping[Entity, set[Any]]) -> None:
        for chunk in chunks(sorted(keys.get(PARTNER, ()))):
            for row in conn.execute(select(s.partners).where(s.partners.c.address.in_(chunk))).mappings():
                self.partners[row["address"]] = dict(row)
        for chunk in chunks(sorted(keys.get(PROPOSAL, ()))):
            for row in conn.execute(select(s.proposals).where(s.proposals.c.proposal_id.in_(chunk))).mappings():
                self.proposals[row["proposal_id"]] = dict(row)

    def flush(self, conn: Connection) -> None:
        upsert(conn, s.partners, list(self.partners.values()))
        insert_ignore(conn, s.partner_history, self.partner_history)
        insert_ignore(conn, s.applications, self.applications)
        insert_ignore(conn, s.partner_details, self.partner_details)
        upsert(conn, s.proposals, list(self.proposals.values()))
        insert_ignore(conn, s.votes, self.votes)


PARTNER_REGISTRY = Contract("PartnerRegistry", PartnerWrites, [PARTNER, PROPOSAL])
on = PARTNER_REGISTRY.on


# -- partners ---------------------------------------------------------------------------------------------------------


def _details(event: PartnerRegistered | PartnerDetailsChanged) -> dict[str, Any]:
    return {
        "org_type": event.org_type,
        "display_name": event.display_name,
        "domain": event.domain,
        "metadata_hash": event.metadata_hash,
    }


@on(PartnerRegistered, PARTNER, loads=True)
def registered(item: DecodedLog, event: PartnerRegistered, w: PartnerWrites) -> None:
    account = event.account
    partner = w.partners.get(account)
    details = _details(event)
    base = partner or {"status": int(PartnerStatus.NONE), "rights": 0, "joined_at": None}
    w.partners[account] = {
        **base,
        "address": account,
        **details,
        "details_hash": details_hash(event.org_type, event.display_name, event.domain, event.metadata_hash),
        "compromised_after": base.get("compromised_after"),
        "registered_block": item.block_number,
        "updated_block": item.block_number,
    }
    w.applications.append(
        {"tx_hash": item.tx_hash, "log_index": item.log_index, "address": account}
        | {"block_number": item.block_number}
        | details
    )
    w.partner_details.append(
        {"tx_hash": item.tx_hash, "log_index": item.log_index, "address": account}
        | {"block_number": item.block_number, "at": None}
        | details
        | {"proposal_id": None, "source": "registered"}
    )


@on(PartnerDetailsChanged, PARTNER, loads=True)
def details_changed(item: DecodedLog, event: PartnerDetailsChanged, w: PartnerWrites) -> None:
    partner = w.partners.get(event.account)
    if partner is None:
        return  # an event for an account that never registered cannot come from the contract
    details = _details(event)
    digest = details_hash(event.org_type, event.display_name, event.domain, event.metadata_hash)
    partner.update(details, details_hash=digest, updated_block=item.block_number)
    w.partner_details.append(
        {"tx_hash": item.tx_hash, "log_index": item.log_index, "address": event.account}
        | {"block_number": item.block_number, "at": event.at}
        | details
        | {"proposal_id": event.proposal_id, "source": "changed"}
    )


def _standing_changed(
    item: DecodedLog, w: PartnerWrites, account: str, changes: dict[str, Any], at: int, proposal_id: int
) -> None:
    """Apply ``changes`` to the partner's row and add a ``partner_history`` row with its standing after them."""
    partner = w.partners.get(account)
    if partner is None:
        return  # an event for an account that never registered cannot come from the contract
    partner.update(changes, updated_block=item.block_number)
    w.partner_history.append(
        {"tx_hash": item.tx_hash, "log_index": item.log_index, "address": account}
        | {"block_number": item.block_number, "at": at, "event": item.name}
        | {"status": partner["status"], "rights": partner["rights"], "proposal_id": proposal_id or None}
        | {"active_issuer": partner["status"] == PartnerStatus.ACTIVE and bool(partner["rights"] & ISSUER)}
    )


@on(PartnerStatusChanged, PARTNER, loads=True)
def status_changed(item: DecodedLog, event: PartnerStatusChanged, w: PartnerWrites) -> None:
    changes: dict[str, Any] = {"status": event.status}
    if event.previous == PartnerStatus.APPLIED and event.status == PartnerStatus.ACTIVE:
        changes["joined_at"] = event.at
    _standing_changed(item, w, event.account, changes, event.at, event.proposal_id)


@on(PartnerRightsChanged, PARTNER, loads=True)
def rights_changed(item: DecodedLog, event: PartnerRightsChanged, w: PartnerWrites) -> None:
    _standing_changed(item, w, event.account, {"rights": event.rights}, event.at, event.proposal_id)


@on(PartnerCompromised, PARTNER, loads=True)
def compromised(item: DecodedLog, event: PartnerCompromised, w: PartnerWrites) -> None:
    changes = {"compromised_after": event.compromised_after}
    # PartnerCompromised carries no time of its own; it is emitted in the expulsion's transaction.
    _standing_changed(item, w, event.account, changes, event.compromised_after, event.proposal_id)


# -- proposals --------------------------------------------------------------------------------------------------------


@on(ProposalCreated, PROPOSAL)
def proposal_created(item: DecodedLog, event: ProposalCreated, w: PartnerWrites) -> None:
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


@on(DetailsProposed, PROPOSAL, loads=True)
def details_proposed(item: DecodedLog, event: DetailsProposed, w: PartnerWrites) -> None:
    proposal = w.proposals.get(event.proposal_id)
    if proposal is not None:  # emitted right after its ProposalCreated, in the same transaction
        proposal.update(
            proposed_org_type=event.org_type,
            proposed_display_name=event.display_name,
            proposed_domain=event.domain,
            proposed_metadata_hash=event.metadata_hash,
        )


@on(VoteCast, PROPOSAL, loads=True)
def vote_cast(item: DecodedLog, event: VoteCast, w: PartnerWrites) -> None:
    proposal = w.proposals.get(event.proposal_id)
    if proposal is not None:
        proposal.update(yes_votes=event.yes_votes, no_votes=event.no_votes)
    w.votes.append(
        {"proposal_id": event.proposal_id, "voter": event.voter, "support": event.support}
        | {"block_number": item.block_number, "tx_hash": item.tx_hash}
    )


@on(ProposalExecuted, PROPOSAL, loads=True)
def proposal_executed(item: DecodedLog, event: ProposalExecuted, w: PartnerWrites) -> None:
    proposal = w.proposals.get(event.proposal_id)
    if proposal is not None:
        proposal.update(executed=True, executed_by=event.executor, executed_block=item.block_number)
        proposal.update(counted_votes=event.counted_votes, required=event.required)
