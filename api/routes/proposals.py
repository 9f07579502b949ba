"""Council proposals for anyone watching and for council members: lists filtered by status, kind, subject and
proposer, one proposal with its votes and what execution needs now, a partner's governance history, and an Atom feed.

Statuses are judged at the chain time of the indexed block (see :mod:`ledger.governance_reads`), which each answer
names beside ``indexed_block``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from api import feeds
from api.deps import ConnectionDep, SettingsDep, VotingPeriodDep, checked_cursor
from api.schemas import PartnerGovernancePublic, ProposalDetailPublic, ProposalsPublic, page_answer
from api.vocabulary import AddressPath, AddressQuery, ProposalKindName, ProposalStatusName
from ledger import governance_reads as governance
from ledger import reads
from ledger.events import ProposalKind
from ledger.indexer.state import indexed_chain

router = APIRouter(tags=["proposals"])

Limit = Annotated[int, Query(ge=1, le=reads.MAX_PAGE)]
StatusQuery = Annotated[ProposalStatusName | None, Query(description="open, passed, failed or expired")]
KindQuery = Annotated[ProposalKindName | None, Query(description="what the proposal does")]


def _filters(
    status: str | None, kind: str | None, subject: str | None, proposer: str | None
) -> governance.ProposalFilters:
    return governance.ProposalFilters(
        governance.ProposalStatus(status) if status else None,
        ProposalKind[kind] if kind else None,
        subject,
        proposer,
    )


@router.get("/proposals", response_model=ProposalsPublic)
def list_proposals(
    conn: ConnectionDep,
    voting_period: VotingPeriodDep,
    status: StatusQuery = None,
    kind: KindQuery = None,
    subject: AddressQuery = None,
    proposer: AddressQuery = None,
    cursor: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Council proposals, newest first; filter by status, kind, subject and proposer."""
    clock = governance.chain_clock(conn)
    page = governance.list_proposals(
        conn,
        _filters(status, kind, subject, proposer),
        checked_cursor(cursor, int),
        limit,
        clock=clock,
        voting_period=voting_period,
    )
    return {**page_answer(page, clock.block), "indexed_block_time": clock.block_time}


@router.get(
    "/proposals.atom",
    response_class=Response,
    responses={200: {"content": {feeds.MEDIA_TYPE: {"schema": {"type": "string"}}}, "description": "an Atom feed"}},
)
def proposals_feed(
    conn: ConnectionDep,
    settings: SettingsDep,
    voting_period: VotingPeriodDep,
    status: StatusQuery = None,
    kind: KindQuery = None,
    subject: AddressQuery = None,
    proposer: AddressQuery = None,
    limit: Limit = 100,
) -> Response:
    """The latest proposals as an Atom feed (RFC 4287), with the same filters as the list."""
    clock = governance.chain_clock(conn)
    page = governance.list_proposals(
        conn,
        _filters(status, kind, subject, proposer),
        None,
        limit,
        clock=clock,
        voting_period=voting_period,
        with_votes=True,
    )
    asked = {"status": status, "kind": kind, "subject": subject, "proposer": proposer}
    body = feeds.proposals_feed(
        page.items,
        base_url=settings.public_base_url,
        chain_id=indexed_chain(conn),
        indexed_block=clock.block,
        now=clock.now(),
        query={name: value if name in ("status", "kind") else value.lower() for name, value in asked.items() if value},
    )
    return Response(body, media_type=feeds.MEDIA_TYPE)


@router.get("/proposals/{proposal_id}", response_model=ProposalDetailPublic)
def get_proposal(
    proposal_id: Annotated[int, Path(ge=1, le=2**256 - 1)], conn: ConnectionDep, voting_period: VotingPeriodDep
) -> dict[str, Any]:
    """A proposal with its votes and by whom, the majority needed and whether it can be executed now."""
    clock = governance.chain_clock(conn)
    detail = governance.proposal_detail(conn, proposal_id, clock=clock, voting_period=voting_period)
    return {**detail, "indexed_block": clock.block, "indexed_block_time": clock.block_time}


@router.get("/partners/{address}/governance", response_model=PartnerGovernancePublic)
def get_partner_governance(address: AddressPath, conn: ConnectionDep, voting_period: VotingPeriodDep) -> dict[str, Any]:
    """A partner's governance history: applications, proposals about it and by it, its votes, its details."""
    clock = governance.chain_clock(conn)
    history = governance.partner_governance(conn, address, clock=clock, voting_period=voting_period)
    return {**history, "indexed_block": clock.block, "indexed_block_time": clock.block_time}
