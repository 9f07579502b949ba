"""An original's owner's and holder's actions, signed and relayed: sell or lend it, accept, reject or withdraw an offer,
claim it with a one-time key, record an event, report it lost, stolen or destroyed, declare it recovered.

A private owner may hold no ether: as for the consortium's actions (:mod:`api.routes.governance`), ``POST
/actions/prepare`` answers the typed data to sign (``HandOver``, ``ProposeClaim``, ``TakeOver``, ``RejectOffer``,
``CancelOffer``, ``AddEvent``, ``LogIncident``, ``ClearDisposition``), the owner or holder signs it, and the route of
the action takes ``{typed_data, signature}``; the relayer checks it, simulates it and sends it, paying the gas. The
registry acts for the signer, never for the relayer. A claim is signed by the one-time key of a claim offer
(:func:`ledger.signing.provenance.claim_typed_data`), which the claimant got on paper or in a QR code.

Every route checks that the signed message is about the original of its path (422 otherwise), besides what every
relayed action is refused for: 401/403 a bad signature or another signer, 409 the registry would revert (its error by
name, with its arguments), 422 malformed or for another chain or registry, 429 rate limited, 503 no relayer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from fastapi import APIRouter, Request

from api.relaying import ACCEPTED, relay, relay_claim
from api.schemas import (
    AcceptRequest,
    CancelRequest,
    ClaimRequest,
    ClearRequest,
    EventSignedRequest,
    IncidentRequest,
    OfferRequest,
    RejectRequest,
    RelayedPublic,
)
from api.vocabulary import Hex32Path
from ledger.i18n import gettext as _

router = APIRouter(tags=["provenance"])


class _Signed(Protocol):
    @property
    def message(self) -> dict[str, Any]: ...


def _about(original_id: str) -> Callable[[_Signed], str | None]:
    """The route's check: the signed message names the original of the path."""

    def matches(checked: _Signed) -> str | None:
        signed = str(checked.message["original"]).lower()
        if signed == original_id.lower():
            return None
        return _("the signed action is about original {signed}, not {original}", signed=signed, original=original_id)

    return matches


@router.post("/originals/{original_id}/offers", status_code=ACCEPTED, response_model=RelayedPublic)
def offer(original_id: Hex32Path, body: OfferRequest, request: Request) -> dict[str, Any]:
    """Offer an original's title or custody to a recipient (HandOver) or to a one-time key (ProposeClaim)."""
    return relay(request, body, _about(original_id))


@router.post("/originals/{original_id}/accept", status_code=ACCEPTED, response_model=RelayedPublic)
def accept(original_id: Hex32Path, body: AcceptRequest, request: Request) -> dict[str, Any]:
    """Accept an offer made to the signer (TakeOver)."""
    return relay(request, body, _about(original_id))


@router.post("/originals/{original_id}/reject", status_code=ACCEPTED, response_model=RelayedPublic)
def reject(original_id: Hex32Path, body: RejectRequest, request: Request) -> dict[str, Any]:
    """Reject an offer made to the signer, with the hash of a remark (RejectOffer)."""
    return relay(request, body, _about(original_id))


@router.post("/originals/{original_id}/cancel", status_code=ACCEPTED, response_model=RelayedPublic)
def cancel(original_id: Hex32Path, body: CancelRequest, request: Request) -> dict[str, Any]:
    """Withdraw the signer's open offer (CancelOffer)."""
    return relay(request, body, _about(original_id))


@router.post("/originals/{original_id}/claim", status_code=ACCEPTED, response_model=RelayedPublic)
def claim(original_id: Hex32Path, body: ClaimRequest, request: Request) -> dict[str, Any]:
    """Claim an original's title or custody for the claimant with the one-time key's signed Claim."""
    return relay_claim(request, body.typed_data.model_dump(), body.signature, _about(original_id))


@router.post("/originals/{original_id}/events", status_code=ACCEPTED, response_model=RelayedPublic)
def add_event(original_id: Hex32Path, body: EventSignedRequest, request: Request) -> dict[str, Any]:
    """Record a lifecycle event of an original the signer holds (AddEvent)."""
    return relay(request, body, _about(original_id))


@router.post("/originals/{original_id}/incidents", status_code=ACCEPTED, response_model=RelayedPublic)
def report_incident(original_id: Hex32Path, body: IncidentRequest, request: Request) -> dict[str, Any]:
    """Report an original lost, stolen or destroyed, as its owner or holder (LogIncident)."""
    return relay(request, body, _about(original_id))


@router.post("/originals/{original_id}/clear", status_code=ACCEPTED, response_model=RelayedPublic)
def clear(original_id: Hex32Path, body: ClearRequest, request: Request) -> dict[str, Any]:
    """Declare a lost or stolen original recovered, as its owner (ClearDisposition)."""
    return relay(request, body, _about(original_id))
