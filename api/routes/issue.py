"""Issue certificates and change their status (issuer API key required); follow a transaction until indexed; tell an
API key's holder whom it speaks for (``GET /issuer``, the issuer console's sign-in).

Each write answers once its transaction is mined (202: on chain, not yet indexed), so wrapped documents are never
handed out for a root that is not on chain; ``GET /transactions/{tx}`` then goes from pending to indexed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status

from api.deps import ConnectionDep, IssuanceDep, IssuerDep
from api.schemas import (
    BatchIssueRequest,
    IssuedPublic,
    IssueRequest,
    IssuerPublic,
    StatusChangePublic,
    StatusChangeRequest,
    TransactionStatusPublic,
)
from api.vocabulary import Hex32Path
from ledger import reads
from ledger.documents import Original
from ledger.issuance.keys import Issuer
from ledger.issuance.service import IssuanceService, Issued, StatusAction

router = APIRouter(tags=["issue"])


def _original(item: Any) -> Original:
    return Original.model_validate(item.model_dump(exclude_none=True))


@router.get("/issuer", response_model=IssuerPublic)
def who_am_i(issuer: IssuerDep, conn: ConnectionDep) -> dict[str, Any]:
    """The issuer this API key speaks for (the issuer console signs in with it): 401 for a missing, unknown or revoked
    key. Needs no node: the key is checked against the database and the partner read from the index, so a key of an
    account that is not (or no longer) an active issuer is answered too, with ``active_issuer`` false."""
    partner = reads.partner(conn, issuer.address)
    return {
        "address": issuer.address,
        "key_label": issuer.label,
        "display_name": partner["display_name"] if partner else None,
        "org_type": partner["org_type"] if partner else None,
        "domain": partner["domain"] if partner else None,
        "status": partner["status"] if partner else None,
        "rights": partner["rights"] if partner else [],
        "active_issuer": bool(partner and partner["status"] == "ACTIVE" and "ISSUER" in partner["rights"]),
        "indexed_block": reads.indexed_block(conn),
    }


@router.post("/certificates", status_code=status.HTTP_202_ACCEPTED, response_model=IssuedPublic)
def issue_certificate(body: IssueRequest, issuer: IssuerDep, service: IssuanceDep) -> dict[str, Any]:
    """Issue one certificate (its fingerprint public on chain); returns the wrapped document once mined."""
    return _issued(service.issue(issuer, [_original(body.original)], body.valid_until))


@router.post("/batches", status_code=status.HTTP_202_ACCEPTED, response_model=IssuedPublic)
def issue_batch(body: BatchIssueRequest, issuer: IssuerDep, service: IssuanceDep) -> dict[str, Any]:
    """Issue a batch in one transaction (one Merkle root); returns every wrapped document, in order, once mined."""
    originals = [_original(o) for o in body.originals]
    return _issued(service.issue(issuer, originals, body.valid_until, body.publish_fingerprints))


def _issued(issued: Issued) -> dict[str, Any]:
    return {
        "tx_hash": issued.tx_hash,
        "id": issued.id,
        "root": issued.root,
        "mode": issued.mode,
        "status": "pending",
        "block_number": issued.block_number,
        "documents": issued.documents,
    }


def _change(
    action: StatusAction, certificate: str, body: StatusChangeRequest, issuer: Issuer, service: IssuanceService
) -> dict[str, Any]:
    changed = service.set_status(issuer, action, certificate.lower(), body.reason, body.leaf, body.proof)
    return {
        "tx_hash": changed.tx_hash,
        "action": action,
        "id": certificate.lower(),
        "leaf": body.leaf,
        "status": "pending",
        "block_number": changed.block_number,
    }


@router.post(
    "/certificates/{certificate_id}/revoke", status_code=status.HTTP_202_ACCEPTED, response_model=StatusChangePublic
)
def revoke(
    certificate_id: Hex32Path, body: StatusChangeRequest, issuer: IssuerDep, service: IssuanceDep
) -> dict[str, Any]:
    """Revoke one of this issuer's certificates, or one document of it (leaf + proof). Final."""
    return _change("revoke", certificate_id, body, issuer, service)


@router.post(
    "/certificates/{certificate_id}/suspend", status_code=status.HTTP_202_ACCEPTED, response_model=StatusChangePublic
)
def suspend(
    certificate_id: Hex32Path, body: StatusChangeRequest, issuer: IssuerDep, service: IssuanceDep
) -> dict[str, Any]:
    """Suspend one of this issuer's certificates, or one document of it, until reinstated."""
    return _change("suspend", certificate_id, body, issuer, service)


@router.post(
    "/certificates/{certificate_id}/reinstate", status_code=status.HTTP_202_ACCEPTED, response_model=StatusChangePublic
)
def reinstate(
    certificate_id: Hex32Path, body: StatusChangeRequest, issuer: IssuerDep, service: IssuanceDep
) -> dict[str, Any]:
    """Lift a suspension."""
    return _change("reinstate", certificate_id, body, issuer, service)


@router.get("/transactions/{tx_hash}", response_model=TransactionStatusPublic)
def transaction_status(tx_hash: Hex32Path, request: Request) -> dict[str, Any]:
    """Whether a transaction this API sent has been indexed yet (pending -> indexed)."""
    service = request.app.state.issuance()
    if service is None:
        return {"tx_hash": tx_hash.lower(), "status": "unknown"}
    result: dict[str, Any] = service.status(tx_hash)
    return result
