"""Certificates: list by issuer / status / time (keyset pages), one with its history, an original's certificates."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response

from api.deps import ConnectionDep, checked_cursor
from api.schemas import (
    CertificateDetailPublic,
    CertificatesPublic,
    OriginalCertificatesPublic,
    page_answer,
)
from api.vocabulary import AddressQuery, CertificateStatusName, Hex32Path
from ledger import reads
from ledger.events import CertificateStatus

router = APIRouter(tags=["certificates"])

IssuedAt = Annotated[int | None, Query(ge=0, le=2**48)]


def _json(content: dict[str, Any]) -> Response:
    """The answer as JSON bytes straight from orjson (the same JSON FastAPI would send).

    FastAPI would validate the answer against the response model and walk it with ``jsonable_encoder`` first: most of
    a page's serving time at 100 certificates. The answers hold only str, int, None, lists and dicts.
    """
    return Response(orjson.dumps(content), media_type="application/json")


@router.get("/certificates", response_model=CertificatesPublic)
def list_certificates(
    conn: ConnectionDep,
    issuer: AddressQuery = None,
    status: CertificateStatusName | None = None,
    issued_after: IssuedAt = None,
    issued_before: IssuedAt = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=reads.MAX_PAGE)] = 100,
) -> Response:
    """Certificates, newest first; filter by issuer, status and issuance time."""
    cursor = checked_cursor(cursor, int, str)
    by_status = CertificateStatus[status] if status else None
    page = reads.list_certificates(conn, issuer, by_status, issued_after, issued_before, cursor, limit)
    return _json(page_answer(page, reads.indexed_block(conn)))


@router.get("/certificates/{certificate_id}", response_model=CertificateDetailPublic)
def get_certificate(certificate_id: Hex32Path, conn: ConnectionDep) -> Response:
    """One certificate, by id, with its history: issued, suspended, reinstated, revoked (and whether by the council)."""
    answer = reads.certificate_detail(conn, certificate_id)
    return _json({**answer, "indexed_block": reads.indexed_block(conn)})


@router.get("/originals/{fingerprint}/certificates", response_model=OriginalCertificatesPublic)
def original_certificates(fingerprint: Hex32Path, conn: ConnectionDep) -> Response:
    """Every certificate naming the original with this fingerprint, newest first."""
    return _json(
        {
            "fingerprint": fingerprint.lower(),
            "data": reads.certificates_of_original(conn, fingerprint),
            "indexed_block": reads.indexed_block(conn),
        }
    )
