"""Provenance reads: an original's provenance (timeline, owner, holder, disposition, lineage, certificates), and the
originals an address owns or holds or an identifier names. The logic is :mod:`ledger.provenance_reads`."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response

from api.deps import ConnectionDep, checked_cursor
from api.problems import Problem
from api.schemas import OriginalProvenancePublic, OriginalsPublic
from api.vocabulary import HEX32_DOC, HEX32_PATTERN, AddressQuery, Hex32Path
from ledger import provenance_reads, reads
from ledger.i18n import gettext as _

router = APIRouter(tags=["provenance"])

Limit = Annotated[int, Query(ge=1, le=reads.MAX_PAGE)]
IdentifierQuery = Annotated[str | None, Query(pattern=HEX32_PATTERN, description=HEX32_DOC)]


def _json(content: dict[str, Any]) -> Response:
    """The answer as JSON bytes straight from orjson (it holds only str, int, bool, None, lists and dicts)."""
    return Response(orjson.dumps(content), media_type="application/json")


@router.get("/originals/{original_id}/provenance", response_model=OriginalProvenancePublic)
def original_provenance(
    original_id: Hex32Path, conn: ConnectionDep, cursor: str | None = None, limit: Limit = 50
) -> Response:
    """An original's provenance: owner, holder, disposition, lineage, certificates, and its timeline, oldest first."""
    cursor = checked_cursor(cursor, int, int)
    return _json(provenance_reads.original_provenance(conn, original_id, limit, cursor))


@router.get("/originals", response_model=OriginalsPublic)
def list_originals(
    conn: ConnectionDep,
    owner: AddressQuery = None,
    holder: AddressQuery = None,
    identifier: IdentifierQuery = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> Response:
    """The originals an address owns or holds (by id), or every registration of an identifier (the first first):
    exactly one of ``owner``, ``holder`` and ``identifier``."""
    given = [value for value in (owner, holder, identifier) if value is not None]
    if len(given) != 1:
        raise Problem(422, _("Invalid input"), _("give exactly one of owner, holder and identifier"))
    cursor = checked_cursor(cursor, *((int, int) if identifier is not None else (str,)))
    page = provenance_reads.list_originals(
        conn, owner=owner, holder=holder, identifier=identifier, limit=limit, cursor=cursor
    )
    return _json({"items": page.items, "next_cursor": page.next_cursor, "indexed_block": reads.indexed_block(conn)})
