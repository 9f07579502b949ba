"""Council proposals as anyone and a council member read them over HTTP: statuses judged at the indexed block's chain
time, filters, keyset pages, the votes and by whom, what execution needs now, a partner's governance history, and
problem+json answers for bad filters and cursors. The index is :mod:`support.governance_world` (SQLite and
PostgreSQL), whose story has a proposal of every status."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, update
from support.governance_world import (
    APPLICANT,
    BANK,
    COOP,
    LAB,
    MILL,
    NAMES,
    REGISTRY,
    TOWN,
    UNI,
    VOTING_PERIOD,
    GovernanceWorld,
    block_time,
    build,
)
from support.pgscratch import scratch_database

from api.main import create_app
from ledger import governance_reads as governance
from ledger.db import schema as s
from ledger.db.engine import make_engine

NEWEST_FIRST = [7, 6, 5, 4, 3, 2, 1]
STATUSES = {1: "passed", 2: "failed", 3: "expired", 4: "passed", 5: "open", 6: "open", 7: "open"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, GovernanceWorld]]:
    with ExitStack() as stack:
        directory = tmp_path_factory.mktemp("governance")
        url = None if request.param == "sqlite" else stack.enter_context(scratch_database("originals_governance"))
        settings, w = build(directory, url)
        client = stack.enter_context(TestClient(create_app(settings)))
        yield client, w


@pytest.fixture
def api(world: tuple[TestClient, GovernanceWorld]) -> TestClient:
    return world[0]


@pytest.fixture
def w(world: tuple[TestClient, GovernanceWorld]) -> GovernanceWorld:
    return world[1]


def ids(answer: dict[str, Any]) -> list[int]:
    return [p["proposal_id"] for p in answer["data"]]


def walk(api: TestClient, query: str, limit: int) -> list[int]:
    """Every proposal id of a filtered list, page by page."""
    seen: list[int] = []
    cursor = ""
    while True:
        answer = api.get(f"/proposals?{query}&limit={limit}{cursor}").json()
        assert len(answer["data"]) <= limit
        seen += ids(answer)
        if answer["next_cursor"] is None:
            return seen
        cursor = f"&cursor={answer['next_cursor']}"


def test_every_proposal_has_the_status_of_its_story_newest_first(api: TestClient, w: GovernanceWorld) -> None:
    answer = api.get("/proposals").json()
    assert ids(answer) == NEWEST_FIRST
    assert {p["proposal_id"]: p["status"] for p in answer["data"]} == STATUSES
    assert answer["indexed_block"] == w.checkpoint
    assert answer["indexed_block_time"] == block_time(w.checkpoint)


@pytest.mark.parametrize(
    ("status", "expected"), [("open", [7, 6, 5]), ("passed", [4, 1]), ("failed", [2]), ("expired", [3])]
)
def test_the_status_filter_lists_exactly_the_proposals_of_that_status(
    api: TestClient, status: str, expected: list[int]
) -> None:
    answer = api.get(f"/proposals?status={status}").json()
    assert ids(answer) == expected
    assert {p["status"] for p in answer["data"]} == {status}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=ADMIT", [5, 1]),
        ("kind=SUSPEND&status=passed", [4]),
        ("kind=REVOKE_CERTIFICATE", [7]),
        ("kind=CHANGE_DETAILS", []),
        (f"subject={MILL}", [6, 3, 2]),
        (f"subject={MILL.upper().replace('0X', '0x')}", [6, 3, 2]),
        (f"subject={REGISTRY}", [7]),
        (f"proposer={TOWN}", [7, 4, 3, 2, 1]),
        (f"proposer={COOP}&status=open", [6]),
        (f"proposer={BANK}&kind=ADMIT&status=open&subject={APPLICANT}", [5]),
    ],
)
def test_kind_subject_and_proposer_filters_combine(api: TestClient, query: str, expected: list[int]) -> None:
    assert ids(api.get(f"/proposals?{query}").json()) == expected


@pytest.mark.parametrize("limit", [1, 2, 3])
@pytest.mark.parametrize(("query", "expected"), [("", NEWEST_FIRST), ("status=open", [7, 6, 5])])
def test_pages_walk_every_listed_proposal_once_newest_first(
    api: TestClient, limit: int, query: str, expected: list[int]
) -> None:
    assert walk(api, query, limit) == expected


def test_an_open_proposal_shows_its_votes_by_whom_and_that_the_council_now_decides_what_counts(
    api: TestClient, w: GovernanceWorld
) -> None:
    """Proposal 6 was made by the cooperative while the council was four; the cooperative has been suspended since:
    its own yes no longer counts, and the majority stays that of four (3), as ``execute`` computes it."""
    p = api.get("/proposals/6").json()
    created = block_time(w.created[6])
    assert {k: p[k] for k in ("kind", "status", "subject", "subject_name", "proposer", "proposer_name")} == {
        "kind": "GRANT_RIGHTS",
        "status": "open",
        "subject": MILL,
        "subject_name": NAMES[MILL],
        "proposer": COOP,
        "proposer_name": NAMES[COOP],
    }
    assert p["summary"] == "Grant Textile Mill the council right."
    assert p["rights_names"] == ["COUNCIL"]
    assert (p["created_at"], p["deadline"]) == (created, created + VOTING_PERIOD)
    assert p["seconds_left"] == created + VOTING_PERIOD - block_time(w.checkpoint)
    assert p["votes"] == [
        {
            "voter": voter,
            "voter_name": NAMES[voter],
            "support": True,
            "counted_now": voter != COOP,
            "block_number": block,
            "at": block_time(block),
            "tx_hash": p["votes"][n]["tx_hash"],
        }
        for n, (voter, _, block) in enumerate(w.votes[6])
    ]
    assert [v["voter"] for v in p["votes"]] == [COOP, TOWN]
    tally = ("council_at_proposal", "majority_at_proposal", "active_council_now", "required_now", "counted_yes_now")
    assert {k: p[k] for k in tally} == {
        "council_at_proposal": 4,
        "majority_at_proposal": 3,
        "active_council_now": 3,
        "required_now": 3,
        "counted_yes_now": 1,
    }
    assert (p["yes_votes"], p["no_votes"], p["executable_now"]) == (2, 0, False)
    assert (p["executed"], p["executed_at"], p["counted_votes"], p["required"]) == (False, None, None, None)
    assert (p["indexed_block"], p["indexed_block_time"]) == (w.checkpoint, block_time(w.checkpoint))


def test_an_open_proposal_with_a_majority_of_the_active_council_is_executable_now(api: TestClient) -> None:
    p = api.get("/proposals/5").json()
    assert p["summary"] == "Admit Weavers Association to the consortium with the issuer right."
    assert [(v["voter"], v["support"], v["counted_now"]) for v in p["votes"]] == [(BANK, True, True), (UNI, True, True)]
    assert (p["required_now"], p["counted_yes_now"], p["executable_now"]) == (2, 2, True)


def test_a_certificate_decision_names_its_certificate_and_no_subject_partner(
    api: TestClient, w: GovernanceWorld
) -> None:
    p = api.get("/proposals/7").json()
    assert (p["subject"], p["subject_name"], p["target"], p["reason"]) == (REGISTRY, None, w.certificate, 5)
    assert p["summary"] == f"Revoke certificate {w.certificate} (reason: fraud)."


@pytest.mark.parametrize(("pid", "no_votes"), [(2, 3), (3, 1)])
def test_a_lapsed_proposal_has_no_countdown_and_cannot_be_executed(api: TestClient, pid: int, no_votes: int) -> None:
    p = api.get(f"/proposals/{pid}").json()
    assert (p["status"], p["no_votes"], p["majority_at_proposal"]) == (STATUSES[pid], no_votes, 3)
    assert (p["seconds_left"], p["executable_now"], p["executed"]) == (None, False, False)


def test_a_passed_proposal_keeps_the_tally_recorded_at_execution_and_when_it_was_executed(
    api: TestClient, w: GovernanceWorld
) -> None:
    """Proposal 1 was executed long before the reorg window's blocks: its time is the one its decision recorded (the
    lab's admission); proposal 4's block is in the window. Votes outside the window have no known time."""
    first = api.get("/proposals/1").json()
    assert (first["status"], first["executed_by"], first["counted_votes"], first["required"]) == ("passed", UNI, 3, 3)
    assert (first["executed_block"], first["executed_at"]) == (w.executed[1], block_time(w.executed[1]))
    assert [(v["voter"], v["at"]) for v in first["votes"]] == [(TOWN, None), (BANK, None), (COOP, None)]
    fourth = api.get("/proposals/4").json()
    assert (fourth["status"], fourth["executed_at"], fourth["seconds_left"]) == (
        "passed",
        block_time(w.executed[4]),
        None,
    )


def test_a_partners_governance_history_holds_what_was_proposed_about_it_and_its_applications(
    api: TestClient, w: GovernanceWorld
) -> None:
    mill = api.get(f"/partners/{MILL}/governance").json()
    assert [(p["proposal_id"], p["status"]) for p in mill["proposals_about"]] == [
        (7, "open"),  # a council decision on one of its certificates
        (6, "open"),
        (3, "expired"),
        (2, "failed"),
    ]
    assert [v["voter"] for v in mill["proposals_about"][3]["votes"]] == [TOWN, BANK, UNI, COOP]
    assert (mill["proposals_made"], mill["votes_cast"]) == ([], [])
    assert [(a["display_name"], a["org_type"]) for a in mill["applications"]] == [(NAMES[MILL], "SME")]
    assert [d["source"] for d in mill["details_history"]] == ["registered"]
    assert (mill["indexed_block"], mill["indexed_block_time"]) == (w.checkpoint, block_time(w.checkpoint))

    lab = api.get(f"/partners/{LAB}/governance").json()
    assert (lab["status"], lab["rights"]) == ("ACTIVE", ["ISSUER"])
    assert [(p["proposal_id"], p["status"], p["kind"]) for p in lab["proposals_about"]] == [(1, "passed", "ADMIT")]


def test_a_council_members_history_holds_its_proposals_and_each_vote_with_the_outcome(api: TestClient) -> None:
    coop = api.get(f"/partners/{COOP}/governance").json()
    assert (coop["status"], coop["display_name"]) == ("SUSPENDED", NAMES[COOP])
    assert [p["proposal_id"] for p in coop["proposals_made"]] == [6]
    assert [(p["proposal_id"], p["status"]) for p in coop["proposals_about"]] == [(4, "passed")]
    assert [(v["proposal"]["proposal_id"], v["support"], v["proposal"]["status"]) for v in coop["votes_cast"]] == [
        (6, True, "open"),
        (2, False, "failed"),
        (1, True, "passed"),
    ]


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/proposals?status=closed", 422),
        ("/proposals?status=OPEN", 422),
        ("/proposals?kind=admit", 422),
        ("/proposals?subject=0x12", 422),
        ("/proposals?proposer=town", 422),
        ("/proposals?cursor=abc", 422),
        (f"/proposals?cursor={_cursor(['0xabc', 1])}", 422),
        (f"/proposals?cursor={_cursor([2**70, 'x'])}", 422),
        ("/proposals?limit=0", 422),
        ("/proposals/99", 404),
        ("/proposals/0", 422),
        (f"/partners/{'0x' + '99' * 20}/governance", 404),
        ("/partners/0x99/governance", 422),
    ],
)
def test_bad_filters_cursors_and_unknown_rows_are_problem_documents(api: TestClient, url: str, status: int) -> None:
    response = api.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


# -- the library on its own: status is a function of chain time -------------------------------------------------------


@pytest.fixture
def conn(world: tuple[TestClient, GovernanceWorld]) -> Iterator[Connection]:
    engine = make_engine(str(world[0].app.state.settings.database_url))  # type: ignore[attr-defined]
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def test_an_open_proposal_lapses_when_chain_time_passes_its_deadline_and_nothing_else_happens(
    conn: Connection, w: GovernanceWorld
) -> None:
    deadline = block_time(w.created[5]) + VOTING_PERIOD
    at_deadline = governance.ChainClock(w.checkpoint, deadline)
    after = governance.ChainClock(w.checkpoint, deadline + 1)
    assert governance.proposal_detail(conn, 5, clock=at_deadline)["status"] == "open"
    assert governance.proposal_detail(conn, 5, clock=at_deadline)["seconds_left"] == 0
    lapsed = governance.proposal_detail(conn, 5, clock=after)
    assert (lapsed["status"], lapsed["executable_now"], lapsed["seconds_left"]) == ("expired", False, None)
    filters = governance.ProposalFilters(status=governance.ProposalStatus.EXPIRED)
    expired = governance.list_proposals(conn, filters, clock=governance.ChainClock(w.checkpoint, 2**40))
    assert [p["proposal_id"] for p in expired.items] == [7, 6, 5, 3]


@pytest.mark.parametrize(
    ("executed", "now", "no_votes", "council", "expected"),
    [
        (True, 10**9, 3, 3, governance.ProposalStatus.PASSED),
        (False, 100, 3, 3, governance.ProposalStatus.OPEN),  # at the deadline: still open, as the contract has it
        (False, 101, 2, 3, governance.ProposalStatus.FAILED),
        (False, 101, 1, 3, governance.ProposalStatus.EXPIRED),
        (False, 101, 2, 4, governance.ProposalStatus.EXPIRED),  # 2 of 4 is no majority
        (False, 101, 3, 4, governance.ProposalStatus.FAILED),
        (False, 101, 1, 1, governance.ProposalStatus.FAILED),
    ],
)
def test_proposal_status_follows_the_contracts_deadline_and_majority(
    executed: bool, now: int, no_votes: int, council: int, expected: governance.ProposalStatus
) -> None:
    assert governance.proposal_status(executed, 100, no_votes, council, now) is expected


def test_an_index_without_the_blocks_time_judges_at_the_wall_clock(tmp_path: Path) -> None:
    """An index written before migration 0005 has no timestamp in its window until the indexer's next block."""
    settings, w = build(tmp_path, window=0)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            clock = governance.chain_clock(conn)
            assert (clock.block, clock.block_time) == (w.checkpoint, None)
            before = int(time.time())
            assert before <= clock.now() <= int(time.time())
            statuses = [p["status"] for p in governance.list_proposals(conn).items]
    finally:
        engine.dispose()
    # The wall clock is past every deadline of the world (January 2026).
    assert statuses == ["expired", "expired", "expired", "passed", "expired", "failed", "passed"]


def test_proposals_made_in_one_transaction_are_each_paged_once(tmp_path: Path) -> None:
    """A contract wallet can make several proposals in one transaction: the proposal id breaks the (block,
    transaction) tie, so a page boundary between them skips none and repeats none."""
    settings, _ = build(tmp_path)
    engine = make_engine(settings.database_url)
    one_tx = "0x" + "7e" * 32
    try:
        with engine.begin() as conn:
            conn.execute(
                update(s.proposals)
                .where(s.proposals.c.proposal_id.in_([4, 5, 6]))
                .values(created_block=50, tx_hash=one_tx)
            )
        with engine.connect() as conn:
            seen: list[int] = []
            cursor = None
            while True:
                page = governance.list_proposals(conn, cursor=cursor, limit=1)
                seen += [p["proposal_id"] for p in page.items]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
    finally:
        engine.dispose()
    assert sorted(seen) == [1, 2, 3, 4, 5, 6, 7]
    assert len(seen) == 7
    together = [pid for pid in seen if pid in (4, 5, 6)]
    assert together == sorted(together, key=str, reverse=True)
