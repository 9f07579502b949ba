"""The EIP-712 messages of the provenance registry (``contracts/provenance``), in one place for the bench, the tests
and the API that will relay them.

Two messages, both in the domain ``"Originals ProvenanceRegistry"``, version 1, bound to the chain and the registry:

- ``Claim``: signed by the **one-time key** whose address a claim offer names (the key travels in a QR code or on
  paper). It names the claimant, so a copy taken from the mempool can only give the original to that claimant, and the
  offer is used up by the claim, so the key never works twice.
- ``RecordEvent``: the **holder's consent** to one lifecycle event recorded by one named partner; a signed action
  with the holder's nonce and a deadline, as every ``...BySig`` action of the registries.
"""

from __future__ import annotations

from typing import Any

from ledger.signing.actions import eip712_typed_data

DOMAIN_NAME = "Originals ProvenanceRegistry"

CLAIM_TYPES = [
    {"name": "original", "type": "bytes32"},
    {"name": "right", "type": "uint8"},
    {"name": "claimant", "type": "address"},
    {"name": "deadline", "type": "uint48"},
]

RECORD_EVENT_TYPES = [
    {"name": "holder", "type": "address"},
    {"name": "original", "type": "bytes32"},
    {"name": "bizStep", "type": "uint16"},
    {"name": "evidenceHash", "type": "bytes32"},
    {"name": "occurredAt", "type": "uint48"},
    {"name": "recorder", "type": "address"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint48"},
]


def claim_typed_data(
    original: bytes, right: int, claimant: str, deadline: int, chain_id: int, registry: str
) -> dict[str, Any]:
    """The typed data a one-time key signs to hand ``right`` (0 title, 1 custody) of ``original`` to ``claimant``."""
    message = {"original": original, "right": right, "claimant": claimant, "deadline": deadline}
    return eip712_typed_data("Claim", CLAIM_TYPES, DOMAIN_NAME, message, chain_id, registry)


def record_event_typed_data(
    holder: str,
    original: bytes,
    biz_step: int,
    evidence_hash: bytes,
    occurred_at: int,
    recorder: str,
    nonce: int,
    deadline: int,
    chain_id: int,
    registry: str,
) -> dict[str, Any]:
    """The typed data ``holder`` signs to let partner ``recorder`` record one lifecycle event of ``original``."""
    message = {
        "holder": holder,
        "original": original,
        "bizStep": biz_step,
        "evidenceHash": evidence_hash,
        "occurredAt": occurred_at,
        "recorder": recorder,
        "nonce": nonce,
        "deadline": deadline,
    }
    return eip712_typed_data("RecordEvent", RECORD_EVENT_TYPES, DOMAIN_NAME, message, chain_id, registry)
