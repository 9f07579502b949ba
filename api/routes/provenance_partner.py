"""A partner's provenance writes with its issuer API key, and the check of an event anchored in a batch.

Register an original (under a fingerprint, a hashed serial, or a GTIN and serial), record an event with the holder's
signed consent, anchor a batch of consented events: the partner's own acts, sent with its key
(:mod:`ledger.issuance.provenance`), answered once mined (202: on chain, not yet indexed). ``POST
/event-batches/check`` is public: anyone holding an event and its proof asks whether it is anchored, by whom, and
whether its holder consented and held the original then (answered from the chain).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status

from api.deps import ConnectionDep, IssuanceDep, IssuerDep
from api.problems import Problem
from api.schemas import (
    AnchoredEventCheckPublic,
    AnchoredEventCheckRequest,
    ConsentedEventRequest,
    ConsentIn,
    EventBatchPublic,
    EventBatchRequest,
    ProvenanceSentPublic,
    RegisteredOriginalPublic,
    RegisterOriginalRequest,
)
from api.vocabulary import Hex32Path
from ledger import reads
from ledger.anchored_events import Consent, LifecycleEvent, check_anchored_event
from ledger.digital_link import digital_link
from ledger.i18n import gettext as _
from ledger.issuance.provenance import ProvenanceIssuance, anchoring, holder_at, provenance_binding
from ledger.issuance.service import IssuanceService

router = APIRouter(tags=["provenance"])
ACCEPTED = status.HTTP_202_ACCEPTED


def _service(issuance: IssuanceService) -> ProvenanceIssuance:
    return ProvenanceIssuance(issuance)


def _consent(body: ConsentIn) -> Consent:
    return Consent(body.nonce, body.deadline, body.signature.lower())


def _event(original: str, body: Any) -> LifecycleEvent:
    return LifecycleEvent(
        original.lower(), body.biz_step, body.evidence_hash.lower(), body.occurred_at, body.holder.lower()
    )


@router.post("/originals", status_code=ACCEPTED, response_model=RegisteredOriginalPublic)
def register_original(body: RegisterOriginalRequest, issuer: IssuerDep, issuance: IssuanceDep) -> dict[str, Any]:
    """Register an original of this issuer: its owner (and holder, if another), soulbound or not, linked to the
    certificates that certify it and the originals it was made from. Another partner may register the same
    identifier (a separate original; verifiers see who registered it first)."""
    link = digital_link(body.gtin, body.serial) if body.gtin is not None and body.serial is not None else None
    identifier = link.identifier if link is not None else str(body.identifier).lower()
    registered = _service(issuance).register(
        issuer,
        identifier,
        body.owner.lower(),
        body.holder.lower() if body.holder else None,
        body.soulbound,
        [c.lower() for c in body.certificates],
        [p.lower() for p in body.parents],
    )
    return {
        "tx_hash": registered.tx_hash,
        "original": registered.original,
        "identifier": registered.identifier,
        "digital_link": link.uri if link is not None else None,
        "status": "pending",
        "block_number": registered.block_number,
    }


@router.post("/originals/{original_id}/consented-events", status_code=ACCEPTED, response_model=ProvenanceSentPublic)
def record_consented_event(
    original_id: Hex32Path, body: ConsentedEventRequest, issuer: IssuerDep, issuance: IssuanceDep
) -> dict[str, Any]:
    """Record one lifecycle event of an original with its holder's signed consent naming this issuer (the registry
    checks the signature and uses up the holder's nonce)."""
    sent = _service(issuance).record_consented(issuer, _event(original_id, body), _consent(body.consent))
    return {"tx_hash": sent.tx_hash, "status": "pending", "block_number": sent.block_number}


@router.post("/event-batches", status_code=ACCEPTED, response_model=EventBatchPublic)
def anchor_event_batch(body: EventBatchRequest, issuer: IssuerDep, issuance: IssuanceDep) -> dict[str, Any]:
    """Anchor many consented lifecycle events as one Merkle root; each event's leaf and proof, in order. Refused,
    with nothing sent, when any event lacks its holder's consent or names a holder who does not hold the original."""
    events = [_event(item.original, item) for item in body.events]
    anchored = _service(issuance).anchor(issuer, events, [_consent(item.consent) for item in body.events])
    batch = anchored.batch
    return {
        "tx_hash": anchored.tx_hash,
        "status": "pending",
        "block_number": anchored.block_number,
        "root": batch.root,
        "count": len(events),
        "events": [{"leaf": leaf, "proof": proof} for leaf, proof in zip(batch.leaves, batch.proofs, strict=True)],
    }


@router.post("/event-batches/check", response_model=AnchoredEventCheckPublic)
def check_anchored(body: AnchoredEventCheckRequest, request: Request, conn: ConnectionDep) -> dict[str, Any]:
    """Whether an event is anchored (its root logged by a partner), its proof leads to that root, its holder signed
    consent to that partner, and that holder held the original when the root was anchored; from the chain."""
    facts = request.app.state.chain_facts()
    if facts is None:
        raise Problem(503, _("Chain unavailable"), _("checking an anchored event needs a node and a deployment"))
    registry = provenance_binding(facts.deployment)
    event = _event(body.event.original, body.event)
    found = anchoring(facts.client, registry, facts.deployment.start_block, body.root)
    holder = holder_at(facts.client, registry, event.original, found[1]) if found is not None else None
    consent = _consent(body.consent) if body.consent is not None else None
    check = check_anchored_event(
        event, body.proof, body.root, found, holder, consent, facts.deployment.chain_id, str(registry.address)
    )
    partner = reads.partner(conn, check.recorder) if check.recorder is not None else None
    return {
        "valid": check.valid,
        "leaf": check.leaf,
        "root": check.root,
        "anchored": check.anchored,
        "recorder": check.recorder,
        "recorder_name": partner["display_name"] if partner else None,
        "block_number": check.block_number,
        "proof_valid": check.proof_valid,
        "consented": check.consented,
        "holder_at_anchoring": check.holder_at_anchoring,
    }
