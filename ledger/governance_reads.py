"""Read models of the consortium's governance: proposals as a council member and a watcher need them, and a partner's
governance history. No FastAPI here; the API and the CLI both read through these functions.

A proposal's status is derived when it is read, never stored: ``open``, ``expired`` and ``failed`` change with time
alone, when no event is emitted. Time is the chain's: the timestamp of the block the index stands at (kept in the reorg
window, ``block_hashes``), so an index that lags the chain answers as the chain stood at ``indexed_block``, which
every answer names, and the answer never depends on the reader's clock (only an index written before migration 0005,
whose window has no timestamp yet, falls back to the wall clock until the indexer's next block).

The statuses, as the contract (``CouncilVoting``) has them:

- ``passed``: executed;
- ``open``: not executed and the deadline not passed (the contract refuses votes and execution only once
  ``block.timestamp > deadline``);
- ``failed``: the deadline passed and the no votes were a majority of the council at proposal time (nothing could
  have carried it);
- ``expired``: the deadline passed, otherwise.

What execution needs is computed as the contract's ``execute`` does: only the yes votes of members who are active
council *now* count, against a majority of the larger of the council at proposal time and the council now.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Connection, and_, cast, false, or_, select, true

from ledger.db import schema as s
from ledger.events import (
    CERTIFICATE_DECISIONS,
    COUNCIL,
    ZERO_HASH,
    OrganisationType,
    PartnerStatus,
    ProposalKind,
)
from ledger.governance_text import describe
from ledger.i18n import gettext as _
from ledger.reads import MAX_PAGE, NotFound, Page, decode_cursor, indexed_block, keyset_page


class ProposalStatus(StrEnum):
    OPEN = "open"
    PASSED = "passed"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ChainClock:
    """Where the index stands: its block and that block's timestamp (None when the index does not know it)."""

    block: int | None
    block_time: int | None

    def now(self) -> int:
        """The time deadlines are judged against: the indexed block's, else (an index from before migration 0005)
        the wall clock."""
        return self.block_time if self.block_time is not None else int(time.time())


def chain_clock(conn: Connection) -> ChainClock:
    block = indexed_block(conn)
    if block is None:
        return ChainClock(None, None)
    stamp: int | None = conn.execute(
        select(s.block_hashes.c.timestamp).where(s.block_hashes.c.number == block)
    ).scalar()
    return ChainClock(block, stamp)


def majority(council: int) -> int:
    """The smallest majority of a council of this size."""
    return council // 2 + 1


def proposal_status(executed: bool, deadline: int, no_votes: int, council_at_proposal: int, now: int) -> ProposalStatus:
    """The status of a proposal at chain time ``now`` (see the module docstring)."""
    if executed:
        return ProposalStatus.PASSED
    if now <= deadline:
        return ProposalStatus.OPEN
    if no_votes >= majority(council_at_proposal):
        return ProposalStatus.FAILED
    return ProposalStatus.EXPIRED


def _status_is(status: ProposalStatus, now: int) -> ColumnElement[bool]:
    """The SQL condition of :func:`proposal_status` being ``status`` (``2 * no > council`` is ``no >= council // 2 + 1``
    without a division, whose rounding the two databases would have to agree on)."""
    p = s.proposals
    no_majority = p.c.no_votes * 2 > p.c.council_at_proposal
    if status is ProposalStatus.PASSED:
        return p.c.executed == true()
    if status is ProposalStatus.OPEN:
        return and_(p.c.executed == false(), p.c.deadline >= now)
    lapsed = and_(p.c.executed == false(), p.c.deadline < now)
    return and_(lapsed, no_majority if status is ProposalStatus.FAILED else ~no_majority)


@dataclass(frozen=True)
class ProposalFilters:
    status: ProposalStatus | None = None
    kind: ProposalKind | None = None
    subject: str | None = None
    proposer: str | None = None


def _rights(bits: int) -> list[str]:
    return [name for bit, name in ((1, "ISSUER"), (2, "COUNCIL")) if bits & bit]


def _none_if_zero(value: str | None) -> str | None:
    return None if value in (None, ZERO_HASH) else value


class _Context:
    """What every proposal answer needs besides its own row, read once per answer: the chain time, the active
    council now, partners' names, and the times of the blocks the window still holds."""

    def __init__(self, conn: Connection, clock: ChainClock, voting_period: int | None) -> None:
        p = s.partners
        self.conn = conn
        self.now = clock.now()
        self.voting_period = voting_period
        self.council = set(
            conn.execute(
                select(p.c.address).where(p.c.status == int(PartnerStatus.ACTIVE), p.c.rights.op("&")(COUNCIL) != 0)
            ).scalars()
        )
        self.names: dict[str, str] = {}

    def load_names(self, addresses: Iterable[str]) -> None:
        wanted = sorted({a for a in addresses if a not in self.names})
        p = s.partners
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.conn.execute(select(p.c.address, p.c.display_name).where(p.c.address.in_(chunk)))
            self.names.update((address, name) for address, name in rows)

    def block_times(self, numbers: Iterable[int]) -> dict[int, int]:
        """Timestamps of those blocks that the reorg window still holds (the recent ones)."""
        bh = s.block_hashes
        wanted = sorted(set(numbers))
        if not wanted:
            return {}
        rows = self.conn.execute(
            select(bh.c.number, bh.c.timestamp).where(bh.c.number.in_(wanted), bh.c.timestamp.is_not(None))
        )
        return {number: stamp for number, stamp in rows}


def _votes(ctx: _Context, proposal_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    v = s.votes
    by_proposal: dict[int, list[dict[str, Any]]] = {pid: [] for pid in proposal_ids}
    rows = []
    for start in range(0, len(proposal_ids), 500):
        chunk = proposal_ids[start : start + 500]
        rows += list(
            ctx.conn.execute(
                select(v).where(v.c.proposal_id.in_(chunk)).order_by(v.c.block_number, v.c.voter)
            ).mappings()
        )
    ctx.load_names(r["voter"] for r in rows)
    times = ctx.block_times(r["block_number"] for r in rows)
    for r in sorted(rows, key=lambda r: (r["block_number"], r["voter"])):
        by_proposal[r["proposal_id"]].append(
            {
                "voter": r["voter"],
                "voter_name": ctx.names.get(r["voter"]),
                "support": r["support"],
                "counted_now": r["voter"] in ctx.council,
                "block_number": r["block_number"],
                "at": times.get(r["block_number"]),
                "tx_hash": r["tx_hash"],
            }
        )
    return by_proposal


def _executed_at(ctx: _Context, rows: list[Any]) -> dict[int, int]:
    """When each executed proposal was carried out, where the index can tell: the executing block's time if the
    window still holds it, else the time that the decision's own record carries (a status, rights or details change,
    or a council act on a certificate, all stamped with the execution's ``block.timestamp``). A SetCompromised
    decision records only its cut-off, so an old one has no known execution time."""
    executed = {r["proposal_id"]: r for r in rows if r["executed"]}
    if not executed:
        return {}
    found = {
        pid: stamp
        for pid, stamp in (
            (pid, ctx.block_times([r["executed_block"]]).get(r["executed_block"])) for pid, r in executed.items()
        )
        if stamp is not None
    }
    missing = [pid for pid in executed if pid not in found]
    h, d, ch = s.partner_history, s.partner_details, s.certificate_history
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        for pid, stamp in ctx.conn.execute(
            select(h.c.proposal_id, h.c.at).where(h.c.proposal_id.in_(chunk), h.c.event != "PartnerCompromised")
        ):
            found[pid] = stamp
        for pid, stamp in ctx.conn.execute(select(d.c.proposal_id, d.c.at).where(d.c.proposal_id.in_(chunk))):
            if stamp is not None:
                found[pid] = stamp
    decisions = [
        executed[pid]
        for pid in missing
        if pid not in found and ProposalKind(executed[pid]["kind"]) in CERTIFICATE_DECISIONS
    ]
    for r in decisions:
        stamp = ctx.conn.execute(
            select(ch.c.at).where(
                ch.c.certificate_id == r["target"],
                ch.c.block_number == r["executed_block"],
                ch.c.by_council == true(),
            )
        ).scalar()
        if stamp is not None:
            found[r["proposal_id"]] = stamp
    return found


def _answers(ctx: _Context, rows: list[Any], with_votes: bool) -> list[dict[str, Any]]:
    """The answers for these proposal rows (in their order), each with its status, names, times and tally."""
    ids = [r["proposal_id"] for r in rows]
    votes = _votes(ctx, ids)
    ctx.load_names([r["subject"] for r in rows] + [r["proposer"] for r in rows])
    executed_at = _executed_at(ctx, rows)
    answers = []
    for r in rows:
        status = proposal_status(r["executed"], r["deadline"], r["no_votes"], r["council_at_proposal"], ctx.now)
        required_now = majority(max(r["council_at_proposal"], len(ctx.council)))
        counted_yes = sum(1 for vote in votes[r["proposal_id"]] if vote["support"] and vote["counted_now"])
        created_at = None if ctx.voting_period is None else r["deadline"] - ctx.voting_period
        answer = {
            "proposal_id": r["proposal_id"],
            "kind": ProposalKind(r["kind"]).name,
            "status": status.value,
            "subject": r["subject"],
            "subject_name": ctx.names.get(r["subject"]),
            "proposer": r["proposer"],
            "proposer_name": ctx.names.get(r["proposer"]),
            "rights": r["rights"],
            "rights_names": _rights(r["rights"]),
            "compromised_after": r["compromised_after"] or None,
            "created_at": created_at,
            "deadline": r["deadline"],
            "seconds_left": r["deadline"] - ctx.now if status is ProposalStatus.OPEN else None,
            "target": _none_if_zero(r["target"]),
            "leaf": _none_if_zero(r["leaf"]),
            "reason": r["reason"],
            "council_at_proposal": r["council_at_proposal"],
            "majority_at_proposal": majority(r["council_at_proposal"]),
            "active_council_now": len(ctx.council),
            "required_now": required_now,
            "counted_yes_now": counted_yes,
            "executable_now": status is ProposalStatus.OPEN and counted_yes >= required_now,
            "yes_votes": r["yes_votes"],
            "no_votes": r["no_votes"],
            "executed": r["executed"],
            "executed_by": r["executed_by"],
            "executed_block": r["executed_block"],
            "executed_at": executed_at.get(r["proposal_id"]),
            "counted_votes": r["counted_votes"],
            "required": r["required"],
            "proposed_details": None
            if r["proposed_display_name"] is None
            else {
                "display_name": r["proposed_display_name"],
                "org_type": OrganisationType(r["proposed_org_type"]).name,
                "domain": r["proposed_domain"],
                "metadata_hash": r["proposed_metadata_hash"],
            },
            "created_block": r["created_block"],
            "tx_hash": r["tx_hash"],
        }
        answer["summary"] = describe(answer)
        if with_votes:
            answer["votes"] = votes[r["proposal_id"]]
        answers.append(answer)
    return answers


def last_change(proposal: dict[str, Any], now: int) -> int | None:
    """The latest time this proposal is known to have changed: made, voted on (the votes whose time the index
    knows), carried out, or lapsed at its deadline. None when no time is known (no voting period was given)."""
    times = [t for t in (proposal["created_at"], proposal["executed_at"]) if t is not None]
    times += [v["at"] for v in proposal.get("votes", ()) if v["at"] is not None]
    if not proposal["executed"] and proposal["deadline"] < now:
        times.append(proposal["deadline"])
    return max(times, default=None)


def _numeric_id(p: Any) -> ColumnElement[int]:
    """The proposal id as a number to sort by: a 256-bit column is decimal text on SQLite (which would sort "10"
    before "9") and NUMERIC on PostgreSQL; the registry's counter never comes near 64 bits."""
    return cast(p.c.proposal_id, BigInteger)


def list_proposals(
    conn: Connection,
    filters: ProposalFilters = ProposalFilters(),
    cursor: str | None = None,
    limit: int = 100,
    *,
    clock: ChainClock | None = None,
    voting_period: int | None = None,
    with_votes: bool = False,
) -> Page:
    """Proposals matching ``filters``, newest first, judged at ``clock`` (by default the index's own).

    Newest first is by proposal id: the registry numbers proposals in the order it makes them, so the id is chain
    order, also within one block or one transaction (a contract wallet's batch), and unique, so a cursor of it never
    skips or repeats one.

    Raises:
        InvalidCursor: a cursor this module did not issue.
    """
    clock = clock or chain_clock(conn)
    ctx = _Context(conn, clock, voting_period)
    p = s.proposals
    query = select(p).order_by(_numeric_id(p).desc()).limit(min(limit, MAX_PAGE) + 1)
    if filters.status is not None:
        query = query.where(_status_is(filters.status, ctx.now))
    if filters.kind is not None:
        query = query.where(p.c.kind == int(filters.kind))
    if filters.subject is not None:
        query = query.where(p.c.subject == filters.subject.lower())
    if filters.proposer is not None:
        query = query.where(p.c.proposer == filters.proposer.lower())
    if cursor is not None:
        (proposal_id,) = decode_cursor(cursor, int)
        query = query.where(_numeric_id(p) < proposal_id)
    rows = list(conn.execute(query).mappings())
    return keyset_page(_answers(ctx, rows, with_votes), limit, lambda i: [i["proposal_id"]])


def proposal_detail(
    conn: Connection, proposal_id: int, *, clock: ChainClock | None = None, voting_period: int | None = None
) -> dict[str, Any]:
    """One proposal with its votes, who cast them and what execution needs now.

    Raises:
        NotFound: no such proposal in the index.
    """
    row = conn.execute(select(s.proposals).where(s.proposals.c.proposal_id == proposal_id)).mappings().first()
    if row is None:
        raise NotFound(_("no proposal {proposal_id} in the index", proposal_id=proposal_id))
    return _answers(_Context(conn, clock or chain_clock(conn), voting_period), [row], with_votes=True)[0]


def partner_governance(
    conn: Connection, address: str, *, clock: ChainClock | None = None, voting_period: int | None = None
) -> dict[str, Any]:
    """Everything the council decided or was asked about this partner, and what it did in the council: its
    applications, the proposals about it (with council decisions on its certificates), the proposals it made, the
    votes it cast with each proposal's outcome, and its details as registered and changed.

    Raises:
        NotFound: no such partner in the index.
    """
    address = address.lower()
    partner = conn.execute(select(s.partners).where(s.partners.c.address == address)).mappings().first()
    if partner is None:
        raise NotFound(_("no partner {address} in the index", address=address))
    ctx = _Context(conn, clock or chain_clock(conn), voting_period)
    p, v, c = s.proposals, s.votes, s.certificates
    newest_first = (_numeric_id(p).desc(),)
    own_certificates = select(c.c.id).where(c.c.issuer == address)
    about = select(p).where(
        or_(
            p.c.subject == address,
            and_(p.c.kind.in_([int(k) for k in CERTIFICATE_DECISIONS]), p.c.target.in_(own_certificates)),
        )
    )
    about_rows = list(conn.execute(about.order_by(*newest_first)).mappings())
    made_rows = list(conn.execute(select(p).where(p.c.proposer == address).order_by(*newest_first)).mappings())
    voted = list(
        conn.execute(
            select(p, v.c.support, v.c.block_number.label("vote_block"), v.c.tx_hash.label("vote_tx"))
            .join(v, v.c.proposal_id == p.c.proposal_id)
            .where(v.c.voter == address)
            .order_by(v.c.block_number.desc(), *newest_first)
        ).mappings()
    )
    vote_times = ctx.block_times(r["vote_block"] for r in voted)
    cast = [
        {
            "support": r["support"],
            "block_number": r["vote_block"],
            "at": vote_times.get(r["vote_block"]),
            "tx_hash": r["vote_tx"],
            "proposal": proposal,
        }
        for r, proposal in zip(voted, _answers(ctx, voted, with_votes=False), strict=True)
    ]
    a = s.applications
    applications = [
        {
            "display_name": r["display_name"],
            "org_type": OrganisationType(r["org_type"]).name,
            "domain": r["domain"],
            "metadata_hash": r["metadata_hash"],
            "block_number": r["block_number"],
            "tx_hash": r["tx_hash"],
        }
        for r in conn.execute(
            select(a).where(a.c.address == address).order_by(a.c.block_number, a.c.log_index)
        ).mappings()
    ]
    d = s.partner_details
    details = [
        {
            "source": r["source"],
            "display_name": r["display_name"],
            "org_type": OrganisationType(r["org_type"]).name,
            "domain": r["domain"],
            "metadata_hash": r["metadata_hash"],
            "at": r["at"],
            "block_number": r["block_number"],
            "tx_hash": r["tx_hash"],
            "proposal_id": r["proposal_id"],
        }
        for r in conn.execute(
            select(d).where(d.c.address == address).order_by(d.c.block_number, d.c.log_index)
        ).mappings()
    ]
    return {
        "address": address,
        "display_name": partner["display_name"],
        "status": PartnerStatus(partner["status"]).name,
        "rights": _rights(partner["rights"]),
        "applications": applications,
        "proposals_about": _answers(ctx, about_rows, with_votes=True),
        "proposals_made": _answers(ctx, made_rows, with_votes=False),
        "votes_cast": cast,
        "details_history": details,
    }
