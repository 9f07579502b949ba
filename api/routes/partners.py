"""The consortium: partners (filter by type and status), a partner with its history (proposals, votes and a partner's
governance history: :mod:`api.routes.proposals`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ConnectionDep, checked_cursor
from api.schemas import PartnerDetailPublic, PartnersPublic, page_answer
from api.vocabulary import AddressPath, OrgTypeName, PartnerStatusName
from ledger import reads
from ledger.events import OrganisationType, PartnerStatus

router = APIRouter(tags=["partners"])

Limit = Annotated[int, Query(ge=1, le=reads.MAX_PAGE)]


@router.get("/partners", response_model=PartnersPublic)
def list_partners(
    conn: ConnectionDep,
    org_type: Annotated[OrgTypeName | None, Query(alias="type", description="organisation type")] = None,
    status: PartnerStatusName | None = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Partners, by address; filter by organisation type and status."""
    page = reads.list_partners(
        conn,
        OrganisationType[org_type] if org_type else None,
        PartnerStatus[status] if status else None,
        checked_cursor(cursor, str),
        limit,
    )
    return page_answer(page, reads.indexed_block(conn))


@router.get("/partners/{address}", response_model=PartnerDetailPublic)
def get_partner(address: AddressPath, conn: ConnectionDep) -> dict[str, Any]:
    """A partner with its status history and the number of certificates it issued."""
    return {**reads.partner_detail(conn, address), "indexed_block": reads.indexed_block(conn)}
