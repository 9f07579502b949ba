"""Verify an original: by fingerprint, by certificate id, by uploaded file, by wrapped certificate document."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, UploadFile

from api.deps import FactsDep, SettingsDep
from api.problems import Problem
from api.schemas import WRAPPED_DOCUMENT_SCHEMA, VerificationResult, VerificationsResult
from ledger import verifier
from ledger.documents import DocumentError
from ledger.facts import ChainFacts
from ledger.verify import Verification

router = APIRouter(prefix="/verify", tags=["verify"])

Hex32Path = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", description="0x + 64 hex digits")]


def _source_name(source: object) -> str:
    return "chain" if isinstance(source, ChainFacts) else "index"


def result(v: Verification, source: Any) -> dict[str, Any]:
    f = v.facts
    return {
        "verdict": v.verdict.value,
        "checks": [
            {"name": c.name, "status": c.status.value, "reason": c.reason, "details": c.details} for c in v.checks
        ],
        "certificate": None
        if f is None or not f.issued
        else {
            "root": f.root,
            "leaf": f.leaf,
            "issuer": f.issuer,
            "issued_at": f.issued_at,
            "valid_until": f.valid_until,
            "fingerprint": f.fingerprint,
        },
        "source": _source_name(source),
        "indexed_block": source.indexed_block(),
    }


def _many(fingerprint: str, found: list[Verification], source: Any) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint.lower(),
        "verdict": verifier.overall(found).value,
        "results": [result(v, source) for v in found],
        "source": _source_name(source),
        "indexed_block": source.indexed_block(),
    }


@router.get("/fingerprint/{fingerprint}", response_model=VerificationsResult)
def verify_fingerprint(fingerprint: Hex32Path, source: FactsDep) -> dict[str, Any]:
    """Verify an original by its fingerprint (SHA-256 of its file or serial)."""
    return _many(fingerprint, verifier.by_fingerprint(source, fingerprint, int(time.time())), source)


@router.get("/certificate/{certificate_id}", response_model=VerificationResult)
def verify_certificate(certificate_id: Hex32Path, source: FactsDep) -> dict[str, Any]:
    """Verify a certificate (Merkle root) or one certified document (its target hash) by id."""
    return result(verifier.by_id(source, certificate_id, int(time.time())), source)


@router.post("/file", response_model=VerificationsResult)
async def verify_file(file: UploadFile, source: FactsDep, settings: SettingsDep) -> dict[str, Any]:
    """Verify an original from its file: hashed as it streams in (nothing is stored), then looked up."""
    import hashlib

    digest = hashlib.sha256()
    total = 0
    while chunk := await file.read(1 << 20):
        total += len(chunk)
        if total > settings.max_upload_bytes:
            raise Problem(
                413, "File too large", f"the file is larger than the {settings.max_upload_bytes:,}-byte limit"
            )
        digest.update(chunk)
    fingerprint = "0x" + digest.hexdigest()
    return _many(fingerprint, verifier.by_fingerprint(source, fingerprint, int(time.time())), source)


@router.post(
    "/document",
    response_model=VerificationResult,
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": WRAPPED_DOCUMENT_SCHEMA}}}
    },
)
def verify_document(
    request: Request,
    source: FactsDep,
    document: Annotated[dict[str, Any], Body(description="a wrapped certificate document (fields may be hidden)")],
) -> dict[str, Any]:
    """Verify a wrapped certificate document, also one with hidden fields."""
    try:
        verification = verifier.by_document(source, document, int(time.time()), request.app.state.binding())
    except DocumentError as exc:
        raise Problem(422, "Invalid certificate document", str(exc)) from None
    return result(verification, source)
