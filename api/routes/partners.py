"""The consortium: partners (filter by type and status), a partner with its history, proposals and votes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import ConnectionDep, checked_cursor
from api.schemas import OrgTypeName, PartnerStatusName
from ledger import queries
from ledger.events import OrganisationType, PartnerStatus

router = APIRouter(tags=["partners"])

Address = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{40}$", description="0x + 40 hex digits")]
Limit = Annotated[int, Query(ge=1, le=queries.MAX_PAGE)]


@router.get("/partners", response_model=None)
def list_partners(
    conn: ConnectionDep,
    org_type: Annotated[OrgTypeName | None, Query(alias="type", description="organisation type")] = None,
    status: PartnerStatusName | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Partners, by address; filter by organisation type and status."""
    page = queries.list_partners(
        conn,
        OrganisationType[org_type] if org_type else None,
        PartnerStatus[status] if status else None,
        checked_cursor(cursor, str),
        limit,
    )
    return {"data": page.items, "next_cursor": page.next_cursor, "indexed_block": queries.indexed_block(conn)}


@router.get("/partners/{address}", response_model=None)
def get_partner(address: Address, conn: ConnectionDep) -> dict[str, Any]:
    """A partner with its status history and the number of certificates it issued."""
    return {**queries.partner_detail(conn, address), "indexed_block": queries.indexed_block(conn)}


@router.get("/proposals", response_model=None)
def list_proposals(conn: ConnectionDep, cursor: str | None = None, limit: Limit = 100) -> dict[str, Any]:
    """Council proposals, newest first."""
    page = queries.list_proposals(conn, checked_cursor(cursor, int, str), limit)
    return {"data": page.items, "next_cursor": page.next_cursor, "indexed_block": queries.indexed_block(conn)}


@router.get("/proposals/{proposal_id}", response_model=None)
def get_proposal(proposal_id: Annotated[int, Path(ge=1, le=2**256 - 1)], conn: ConnectionDep) -> dict[str, Any]:
    """A proposal with its votes."""
    return {**queries.proposal_detail(conn, proposal_id), "indexed_block": queries.indexed_block(conn)}
