"""Certificates: list by issuer / status / time (keyset pages), one with its history, an original's certificates."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Response

from api.deps import ConnectionDep
from api.schemas import CertificateStatusName
from ledger import queries
from ledger.events import CertificateStatus

router = APIRouter(tags=["certificates"])

Hex32 = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", description="0x + 64 hex digits")]


def _json(content: dict[str, Any]) -> Response:
    """The answer as JSON bytes straight from orjson (the same JSON FastAPI would send).

    These routes have no response model, so FastAPI would walk the answer with ``jsonable_encoder`` first: most of a
    page's serving time at 100 certificates. The answers hold only str, int, None, lists and dicts.
    """
    return Response(orjson.dumps(content), media_type="application/json")


@router.get("/certificates", response_model=None)
def list_certificates(
    conn: ConnectionDep,
    issuer: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$")] = None,
    status: CertificateStatusName | None = None,
    issued_after: Annotated[int | None, Query(ge=0, le=2**48)] = None,
    issued_before: Annotated[int | None, Query(ge=0, le=2**48)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 100,
) -> Response:
    """Certificates, newest first; filter by issuer, status and issuance time."""
    page = queries.list_certificates(
        conn, issuer, CertificateStatus[status] if status else None, issued_after, issued_before, cursor, limit
    )
    return _json({"data": page.items, "next_cursor": page.next_cursor, "indexed_block": queries.indexed_block(conn)})


@router.get("/certificates/{root}", response_model=None)
def get_certificate(root: Hex32, conn: ConnectionDep) -> Response:
    """One certificate (Merkle root) with its history: issued, suspended, reinstated, revoked."""
    return _json({**queries.certificate_detail(conn, root), "indexed_block": queries.indexed_block(conn)})


@router.get("/originals/{fingerprint}/certificates", response_model=None)
def original_certificates(fingerprint: Hex32, conn: ConnectionDep) -> Response:
    """Every certificate naming the original with this fingerprint, newest first."""
    return _json(
        {
            "fingerprint": fingerprint.lower(),
            "data": queries.certificates_of_original(conn, fingerprint),
            "indexed_block": queries.indexed_block(conn),
        }
    )
