"""Lifecycle events anchored in batches: their Merkle leaves, proofs, and the holder's consent checked off chain.

``anchorEvents(root, count)`` logs only a root (``docs/decisions/0010-provenance.md``): a partner that records many
events (a laboratory inspecting a thousand items, a shipper) pays for one log instead of a thousand. Each event is then
proved as a certificate document is: its leaf (:func:`event_leaf`, the contract's ``eventLeaf``: the double keccak256
of ``abi.encode(original, bizStep, evidenceHash, occurredAt, holder)``) and a sorted-pair proof up to the logged root.

The contract cannot check the holders' consent of events it never sees, so the consent travels with each event: the
holder's EIP-712 ``RecordEvent`` signature naming the recording partner (:mod:`ledger.signing.provenance`, the very
message ``addEventWithConsent`` takes). Its nonce is not used up off chain (the same signature could only ever record
the same event by the same partner), and its deadline must not have passed when the root was anchored. This module
is pure (no node, no database): :mod:`ledger.issuance.provenance` refuses to anchor an event without consent, and
:func:`check_anchored_event`'s caller supplies what the chain says about the root and the holder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_hash.auto import keccak

from ledger.documents.merkle import MerkleTree
from ledger.documents.spec import verify_proof
from ledger.errors import LedgerError
from ledger.i18n import gettext as _
from ledger.signing.actions import SignedActionError, recover
from ledger.signing.provenance import record_event_typed_data


class EventBatchError(LedgerError, ValueError):
    """A batch that cannot be anchored: empty, too large, or an event twice."""


@dataclass(frozen=True)
class LifecycleEvent:
    """One lifecycle event as a batch holds it (hex strings 0x…, lower-case; times in unix seconds)."""

    original: str
    biz_step: int
    evidence_hash: str
    occurred_at: int
    holder: str

    @property
    def leaf(self) -> bytes:
        """The contract's ``eventLeaf`` of this event."""
        inner = encode(
            ["bytes32", "uint16", "bytes32", "uint48", "address"],
            [
                bytes.fromhex(self.original[2:]),
                self.biz_step,
                bytes.fromhex(self.evidence_hash[2:]),
                self.occurred_at,
                self.holder,
            ],
        )
        return keccak(keccak(inner))


@dataclass(frozen=True)
class Consent:
    """The holder's ``RecordEvent`` signature over one event, naming the recorder."""

    nonce: int
    deadline: int
    signature: str


@dataclass(frozen=True)
class EventBatch:
    """A Merkle tree over events: its root and each event's proof, in the events' order."""

    root: str
    leaves: list[str]
    proofs: list[list[str]]


def event_batch(events: Sequence[LifecycleEvent], max_events: int = 10_000) -> EventBatch:
    """The tree of ``events`` (sorted-pair keccak256, as certificate batches; leaves in any order).

    Raises:
        EventBatchError: no event, more than ``max_events``, or one event twice (a repeated leaf).
    """
    if not events:
        raise EventBatchError(_("a batch needs at least one event"))
    if len(events) > max_events:
        raise EventBatchError(
            _("a batch holds at most {limit} events, got {count}", limit=max_events, count=len(events))
        )
    leaves = [e.leaf for e in events]
    if len(set(leaves)) != len(leaves):
        raise EventBatchError(_("the batch holds the same event twice"))
    tree = MerkleTree.of(leaves)
    return EventBatch(
        root="0x" + tree.root.hex(),
        leaves=["0x" + leaf.hex() for leaf in leaves],
        proofs=[["0x" + node.hex() for node in tree.proof(leaf)] for leaf in leaves],
    )


def proves(event: LifecycleEvent, proof: Sequence[str], root: str) -> bool:
    """Whether ``proof`` leads from the event's leaf to ``root``."""
    try:
        nodes = [bytes.fromhex(p[2:]) for p in proof]
    except ValueError:
        return False
    return verify_proof(bytes.fromhex(root[2:]), event.leaf, nodes)


def consent_typed_data(
    event: LifecycleEvent, recorder: str, nonce: int, deadline: int, chain_id: int, registry: str
) -> dict[str, Any]:
    """The ``RecordEvent`` typed data the holder signs to let ``recorder`` record the event (on chain or in a batch)."""
    return record_event_typed_data(
        event.holder,
        bytes.fromhex(event.original[2:]),
        event.biz_step,
        bytes.fromhex(event.evidence_hash[2:]),
        event.occurred_at,
        recorder,
        nonce,
        deadline,
        chain_id,
        registry,
    )


def consent_signer(event: LifecycleEvent, recorder: str, consent: Consent, chain_id: int, registry: str) -> str | None:
    """Who signed ``consent`` to ``recorder`` recording ``event`` (lower-case); None for an unreadable signature."""
    typed = consent_typed_data(event, recorder, consent.nonce, consent.deadline, chain_id, registry)
    try:
        return recover(typed, consent.signature)
    except SignedActionError:
        return None


@dataclass(frozen=True)
class AnchoredEventCheck:
    """What can be said of one event presented with a proof: each part on its own, so a page can show which failed.

    ``anchored``: the root was logged by ``recorder`` (None: no such root on chain). ``proof_valid``: the event's leaf
    is under the root. ``consented``: the holder named in the event signed it for that recorder, and the deadline had
    not passed when the root was anchored (None: no consent presented). ``holder_at_anchoring``: the event's holder
    held the original in the anchoring block, as ``addEvent`` requires on chain (None: unknown)."""

    leaf: str
    root: str
    anchored: bool
    recorder: str | None
    block_number: int | None
    proof_valid: bool
    consented: bool | None
    holder_at_anchoring: bool | None

    @property
    def valid(self) -> bool:
        return bool(self.anchored and self.proof_valid and self.consented and self.holder_at_anchoring)


def check_anchored_event(
    event: LifecycleEvent,
    proof: Sequence[str],
    root: str,
    anchoring: tuple[str, int, int] | None,
    holder_then: str | None,
    consent: Consent | None,
    chain_id: int,
    registry: str,
) -> AnchoredEventCheck:
    """Judge an event against what the chain says: ``anchoring`` is (recorder, block number, block time) of the root's
    ``EventsAnchored`` log (None: never anchored), ``holder_then`` who held the original in that block."""
    recorder, block, at = anchoring if anchoring is not None else (None, None, None)
    consented: bool | None = None
    if consent is not None:
        signer = consent_signer(event, recorder, consent, chain_id, registry) if recorder is not None else None
        consented = signer == event.holder.lower() and at is not None and at <= consent.deadline
    return AnchoredEventCheck(
        leaf="0x" + event.leaf.hex(),
        root=root.lower(),
        anchored=anchoring is not None,
        recorder=recorder,
        block_number=block,
        proof_valid=proves(event, proof, root),
        consented=consented,
        holder_at_anchoring=None if holder_then is None else holder_then.lower() == event.holder.lower(),
    )
