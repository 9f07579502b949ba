"""Issue certificates and change their status (issuer API key required); follow a transaction until indexed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, status

from api.deps import IssuanceDep, IssuerDep
from api.schemas import (
    BatchIssueRequest,
    IssuedPublic,
    IssueRequest,
    StatusChangePublic,
    StatusChangeRequest,
    TransactionStatusPublic,
)
from ledger.documents import Original

router = APIRouter(tags=["issue"])

Hex32 = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", description="0x + 64 hex digits")]


def _original(item: Any) -> Original:
    return Original.model_validate(item.model_dump(exclude_none=True))


@router.post("/certificates", status_code=status.HTTP_202_ACCEPTED, response_model=IssuedPublic)
def issue_certificate(body: IssueRequest, issuer: IssuerDep, service: IssuanceDep) -> dict[str, Any]:
    """Issue one certificate (its fingerprint public on chain); returns the wrapped document, pending until indexed."""
    issued = service.issue(issuer, [_original(body.original)], body.valid_until)
    return {
        "tx_hash": issued.tx_hash,
        "id": issued.id,
        "root": issued.root,
        "mode": issued.mode,
        "status": "pending",
        "documents": issued.documents,
    }


@router.post("/batches", status_code=status.HTTP_202_ACCEPTED, response_model=IssuedPublic)
def issue_batch(body: BatchIssueRequest, issuer: IssuerDep, service: IssuanceDep) -> dict[str, Any]:
    """Issue a batch in one transaction (one Merkle root); returns every wrapped document in request order."""
    issued = service.issue(issuer, [_original(o) for o in body.originals], body.valid_until, body.publish_fingerprints)
    return {
        "tx_hash": issued.tx_hash,
        "id": issued.id,
        "root": issued.root,
        "mode": issued.mode,
        "status": "pending",
        "documents": issued.documents,
    }


def _change(action: str, certificate: str, body: StatusChangeRequest, issuer: Any, service: Any) -> dict[str, Any]:
    cid = certificate.lower()
    tx_hash = service.set_status(issuer, action, cid, body.reason, body.leaf, body.proof)
    return {"tx_hash": tx_hash, "action": action, "id": cid, "leaf": body.leaf, "status": "pending"}


@router.post("/certificates/{certificate_id}/revoke", status_code=status.HTTP_202_ACCEPTED, response_model=StatusChangePublic)
def revoke(certificate_id: Hex32, body: StatusChangeRequest, issuer: IssuerDep, service: IssuanceDep) -> dict[str, Any]:
    """Revoke a certificate, or one document of it (leaf + proof). Final."""
    return _change("revoke", certificate_id, body, issuer, service)


@router.post("/certificates/{certificate_id}/suspend", status_code=status.HTTP_202_ACCEPTED, response_model=StatusChangePublic)
def suspend(certificate_id: Hex32, body: StatusChangeRequest, issuer: IssuerDep, service: IssuanceDep) -> dict[str, Any]:
    """Suspend a certificate, or one document of it, until reinstated."""
    return _change("suspend", certificate_id, body, issuer, service)


@router.post("/certificates/{certificate_id}/reinstate", status_code=status.HTTP_202_ACCEPTED, response_model=StatusChangePublic)
def reinstate(certificate_id: Hex32, body: StatusChangeRequest, issuer: IssuerDep, service: IssuanceDep) -> dict[str, Any]:
    """Lift a suspension."""
    return _change("reinstate", certificate_id, body, issuer, service)


@router.get("/transactions/{tx_hash}", response_model=TransactionStatusPublic)
def transaction_status(tx_hash: Hex32, request: Request) -> dict[str, Any]:
    """Whether a transaction this API sent has been indexed yet (pending -> indexed)."""
    service = request.app.state.issuance()
    if service is None:
        return {"tx_hash": tx_hash.lower(), "status": "unknown"}
    result: dict[str, Any] = service.status(tx_hash)
    return result
