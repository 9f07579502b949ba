"""The read API over the indexed scenario: partners, proposals and votes, certificates (filters and keyset pages),
histories, an original's certificates, health and metrics; and every kind of bad input, which must answer
``application/problem+json`` with a clear ``detail`` and write nothing.

Expectations are built from the scenario's records (its transactions, their blocks and timestamps), never read back
from the API.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from eth_abi import encode as abi_encode
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send
from support import devchain
from support.api_scenario import APPLICANT, PARTNERS, Scenario

from api.edge import MULTIPART_SLACK, Edge
from api.main import create_app
from devtools.devnet import Anvil, free_port
from ledger.chain.rpc import RpcClient
from ledger.config import Settings
from ledger.documents.hashing import keccak
from ledger.reads import encode_cursor

Counts = Callable[[], dict[str, int]]
ZERO32 = "0x" + "00" * 32
FOUNDERS = ("town", "bank", "uni")
PROBLEM = "application/problem+json"


# -- expectations from the scenario's records -------------------------------------------------------------------------


def expected_partner(sc: Scenario, key: str) -> dict[str, Any]:
    status = {"printer": "EXPELLED", "press": "SUSPENDED", APPLICANT[0]: "APPLIED"}.get(key, "ACTIVE")
    if key in FOUNDERS:
        rights, joined = ["ISSUER", "COUNCIL"], sc.txs["deploy"].at
    elif key == APPLICANT[0]:
        rights, joined = [], None
    else:
        rights, joined = ([] if key == "printer" else ["ISSUER"]), sc.txs[f"admit-{key}.execute"].at
    partner = sc.partner(key)
    return {
        "address": partner.address,
        "display_name": partner.name,
        "org_type": partner.org_type.name,
        "domain": partner.domain,
        "metadata_hash": ZERO32,
        "status": status,
        "rights": rights,
        "joined_at": joined,
        "compromised_after": sc.cutoff if key == "printer" else None,
    }


def all_partner_keys() -> list[str]:
    return [*FOUNDERS, *(p[0] for p in PARTNERS), APPLICANT[0]]


def history_entry(
    sc: Scenario, tx: str, event: str, status: str, rights: list[str], proposal: str | None, at: int | None = None
) -> dict[str, Any]:
    record = sc.txs[tx]
    return {
        "event": event,
        "status": status,
        "rights": rights,
        "active_issuer": status == "ACTIVE" and "ISSUER" in rights,
        "at": record.at if at is None else at,
        "block_number": record.block_number,
        "tx_hash": record.tx_hash,
        "proposal_id": None if proposal is None else sc.proposals[proposal],
    }


def admitted_history(sc: Scenario, key: str) -> list[dict[str, Any]]:
    """Applied, admitted by vote, granted the issuer right."""
    execute, proposal = f"admit-{key}.execute", f"admit-{key}"
    return [
        history_entry(sc, f"{key}.apply", "PartnerStatusChanged", "APPLIED", [], None),
        history_entry(sc, execute, "PartnerStatusChanged", "ACTIVE", [], proposal),
        history_entry(sc, execute, "PartnerRightsChanged", "ACTIVE", ["ISSUER"], proposal),
    ]


SINGLES = (
    "valid-single",
    "valid-until-next-month",
    "same-block-a",
    "same-block-b",
    "superseded-old",
    "superseded-new",
    "revoked",
    "suspended",
    "reinstated",
    "issuer-suspended-later",
    "compromise-before-cutoff",
    "compromise-after-cutoff",
    "expired",
)
"""Cases issued with ``issue`` by :meth:`support.api_scenario._Builder.single`."""
STATUS_CHANGES = {
    "hijack-single": ("REVOKED", 5, "hijack-single.revoke"),
    "hijack-publish": ("REVOKED", 5, "hijack-publish.revoke"),
    "superseded-old": ("REVOKED", 2, "superseded-old.revoke"),
    "revoked": ("REVOKED", 4, "revoked.revoke"),
    "suspended": ("SUSPENDED", 6, "suspended.suspend"),
    "reinstated": ("VALID", 0, "reinstated.reinstate"),
}
"""Whole-certificate status changes: (status now, reason of the last change, its transaction)."""


def expected_certificates(sc: Scenario) -> list[dict[str, Any]]:
    """Every certificate of the scenario, newest first (issued_at, then id, descending)."""
    issued: list[tuple[str, str, str, str, str | None, int | None]] = [
        (name, f"{name}.issue", "single", sc.cases[name].issuer or "", sc.cases[name].fingerprint, None)
        for name in SINGLES
    ]
    issued += [
        ("public-batch-0", "public-batch.issue", "batch_public", "uni", None, None),
        ("hijack-single", "hijack-single.issue", "single", "mill", sc.cases["hijack-single"].fingerprint, None),
        ("hijack-publish", "hijack-publish.issue", "batch_public", "mill", None, None),
        ("anchor-batch-0", "anchor-batch.issue", "batch", "lab", None, None),
        ("wrapped-single", "wrapped-single.issue", "single", "ministry", sc.cases["wrapped-single"].fingerprint, None),
        ("impostor", "impostor.issue", "single", "foundation", sc.cases["impostor"].fingerprint, None),
        ("misnamed", "misnamed.issue", "single", "ministry", sc.cases["misnamed"].fingerprint, None),
        (
            "bound-to-another-chain",
            "other-chain.issue",
            "single",
            "ministry",
            sc.cases["bound-to-another-chain"].fingerprint,
            None,
        ),
    ]
    rows = []
    for name, tx, mode, issuer, fingerprint, _ in issued:
        case, record = sc.cases[name], sc.txs[tx]
        status, reason, change = STATUS_CHANGES.get(name, ("VALID", None, None))
        rows.append(
            {
                "id": case.id,
                "root": case.root,
                "issuer": sc.partner(issuer).address,
                "fingerprint": fingerprint,
                "mode": mode,
                "issued_at": record.at,
                "valid_until": case.valid_until,
                "status": status,
                "status_reason": reason,
                "status_at": None if change is None else sc.txs[change].at,
                "block_number": record.block_number,
                "tx_hash": record.tx_hash,
            }
        )
    return sorted(rows, key=lambda r: (r["issued_at"], r["id"]), reverse=True)


def _summary(kind: str, name: str, cutoff: int | None) -> str:
    """What each scenario proposal does, in the words of the API (written out here, not computed by it)."""
    if kind == "ADMIT":
        return f"Admit {name} to the consortium with the issuer right."
    if kind == "SUSPEND":
        return f"Suspend {name}: while suspended its key can do nothing."
    assert kind == "EXPEL" and cutoff is not None
    berlin = datetime.fromtimestamp(cutoff, UTC).astimezone(ZoneInfo("Europe/Berlin"))
    when = berlin.strftime("%b %-d, %Y, %-I:%M %p %Z")  # Berlin time with the zone, as people read it
    return f"Expel {name} from the consortium; its certificates issued after {when} stop being valid (key compromised)."


def expected_proposals(sc: Scenario, head_time: int) -> list[dict[str, Any]]:
    """Every proposal, newest first, as it stands at the head block's time (``head_time``)."""
    town, bank, uni = (sc.partner(k).address for k in FOUNDERS)
    names = {sc.partner(k).address: sc.partner(k).name for k in FOUNDERS}
    plans: list[tuple[str, str, str, str, int, int | None, int, int, bool]] = [
        (f"admit-{key}", "ADMIT", key, town, 1, None, 2, 0, True) for key, *_ in PARTNERS
    ]
    plans += [
        ("suspend-foundation", "SUSPEND", "foundation", bank, 0, None, 1, 1, False),
        ("suspend-press", "SUSPEND", "press", town, 0, None, 2, 0, True),
        ("expel-printer", "EXPEL", "printer", town, 0, sc.cutoff, 2, 0, True),
    ]
    rows = []
    for name, kind, subject, proposer, rights, cutoff, yes, no, executed in plans:
        created = sc.txs[f"{name}.propose"]
        execution = sc.txs.get(f"{name}.execute")
        partner = sc.partner(subject)
        deadline = created.at + devchain.VOTING_PERIOD
        rows.append(
            {
                "proposal_id": sc.proposals[name],
                "kind": kind,
                "status": "passed" if executed else "open",
                "summary": _summary(kind, partner.name, cutoff),
                "subject": partner.address,
                "subject_name": partner.name,
                "proposer": proposer,
                "proposer_name": names[proposer],
                "rights": rights,
                "rights_names": ["ISSUER"] if rights else [],
                "compromised_after": cutoff,
                "created_at": created.at,
                "deadline": deadline,
                "seconds_left": None if executed else deadline - head_time,
                # An admission binds the applicant's details as voted on (checked again at execution).
                "target": details_hash(partner.org_type, partner.name, partner.domain) if kind == "ADMIT" else None,
                "leaf": None,
                "reason": 0,
                "council_at_proposal": 3,
                "majority_at_proposal": 2,
                "active_council_now": 3,
                "required_now": 2,
                "counted_yes_now": yes,  # every voter is a founder, active council now
                "executable_now": not executed and yes >= 2,
                "yes_votes": yes,
                "no_votes": no,
                "executed": executed,
                "executed_by": uni if executed else None,
                "executed_block": execution.block_number if execution else None,
                "executed_at": execution.at if execution else None,
                "counted_votes": 2 if executed else None,
                "required": 2 if executed else None,
                "proposed_details": None,
                "created_block": created.block_number,
                "tx_hash": created.tx_hash,
            }
        )
    return sorted(rows, key=lambda r: (r["created_block"], r["tx_hash"]), reverse=True)


def details_hash(org_type: int, name: str, domain: str, metadata: bytes = bytes(32)) -> str:
    """``PartnerRegistry.detailsHash``: keccak256 of the ABI-encoded details, computed here independently."""
    encoded = abi_encode(["uint8", "string", "string", "bytes32"], [int(org_type), name, domain, metadata])
    return "0x" + keccak(encoded).hex()


def details_row(sc: Scenario, key: str, tx: str) -> dict[str, Any]:
    """A partner's registered details as its details history shows them."""
    partner, record = sc.partner(key), sc.txs[tx]
    return {
        "source": "registered",
        "display_name": partner.name,
        "org_type": partner.org_type.name,
        "domain": partner.domain,
        "metadata_hash": ZERO32,
        "at": None,
        "block_number": record.block_number,
        "tx_hash": record.tx_hash,
        "proposal_id": None,
    }


def walk(api: TestClient, path: str, params: dict[str, Any], limit: int) -> Iterator[dict[str, Any]]:
    """Every page of a keyset-paginated list, in order."""
    cursor = None
    for _ in range(1000):
        page = api.get(path, params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        yield body
        cursor = body["next_cursor"]
        if cursor is None:
            return
    pytest.fail(f"{path} never ended its pages")


def walk_all(api: TestClient, path: str, params: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    pages = list(walk(api, path, params, limit))
    assert all(len(p["data"]) == limit for p in pages[:-1]), "only the last page may be short"
    assert len(pages[-1]["data"]) <= limit
    return [item for page in pages for item in page["data"]]


# -- partners ---------------------------------------------------------------------------------------------------------


def test_partners_are_listed_by_address_with_their_type_status_rights_and_cut_off(
    api: TestClient, scenario: Scenario
) -> None:
    answer = api.get("/partners").json()
    expected = sorted((expected_partner(scenario, k) for k in all_partner_keys()), key=lambda p: p["address"])
    assert answer == {"data": expected, "next_cursor": None, "indexed_block": scenario.head}


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"type": "SME"}, ["mill", "press"]),
        ({"type": "SME", "status": "ACTIVE"}, ["mill"]),
        ({"type": "MINISTRY"}, ["ministry"]),
        ({"type": "ASSOCIATION"}, ["weavers"]),
        ({"status": "APPLIED"}, ["weavers"]),
        ({"status": "SUSPENDED"}, ["press"]),
        ({"status": "EXPELLED"}, ["printer"]),
        ({"status": "LEFT"}, []),
        ({"type": "ENTERPRISE", "status": "ACTIVE"}, ["bank"]),
        ({"type": "ENTERPRISE"}, ["bank", "printer"]),
    ],
)
def test_partners_filter_by_organisation_type_and_status(
    api: TestClient, scenario: Scenario, params: dict[str, str], keys: list[str]
) -> None:
    answer = api.get("/partners", params=params).json()
    assert answer["data"] == sorted((expected_partner(scenario, k) for k in keys), key=lambda p: p["address"])


def test_partner_pages_walk_every_partner_once_in_address_order(api: TestClient, scenario: Scenario) -> None:
    seen = walk_all(api, "/partners", {}, limit=3)
    assert [p["address"] for p in seen] == sorted(scenario.partner(k).address for k in all_partner_keys())


def test_an_admitted_partner_shows_its_application_admission_and_rights_history(
    api: TestClient, scenario: Scenario
) -> None:
    answer = api.get(f"/partners/{scenario.partner('mill').address}").json()
    assert answer == {
        **expected_partner(scenario, "mill"),
        "history": admitted_history(scenario, "mill"),
        "details_history": [details_row(scenario, "mill", "mill.apply")],
        "certificates_issued": 5,
        "indexed_block": scenario.head,
    }


def test_an_expelled_partner_shows_its_compromise_cut_off_and_expulsion_in_its_history(
    api: TestClient, scenario: Scenario
) -> None:
    """The cut-off is recorded first (the partner is still active then), then the status, then the rights."""
    address = scenario.partner("printer").address.upper().replace("0X", "0x")
    answer = api.get(f"/partners/{address}").json()
    execute = "expel-printer.execute"
    assert answer == {
        **expected_partner(scenario, "printer"),
        "history": [
            *admitted_history(scenario, "printer"),
            history_entry(
                scenario, execute, "PartnerCompromised", "ACTIVE", ["ISSUER"], "expel-printer", at=scenario.cutoff
            ),
            history_entry(scenario, execute, "PartnerStatusChanged", "EXPELLED", ["ISSUER"], "expel-printer"),
            history_entry(scenario, execute, "PartnerRightsChanged", "EXPELLED", [], "expel-printer"),
        ],
        "details_history": [details_row(scenario, "printer", "printer.apply")],
        "certificates_issued": 2,
        "indexed_block": scenario.head,
    }


def test_a_founder_history_starts_at_deployment_without_proposals(api: TestClient, scenario: Scenario) -> None:
    answer = api.get(f"/partners/{scenario.partner('town').address}").json()
    both = ["ISSUER", "COUNCIL"]
    assert answer["history"] == [
        history_entry(scenario, "deploy", "PartnerStatusChanged", "APPLIED", [], None),
        history_entry(scenario, "deploy", "PartnerStatusChanged", "ACTIVE", [], None),
        history_entry(scenario, "deploy", "PartnerRightsChanged", "ACTIVE", both, None),
    ]
    assert answer["certificates_issued"] == 0


# -- proposals and votes ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def head_time(rpc: RpcClient, scenario: Scenario) -> int:
    """The chain time of the scenario's head block: the index stands there, and judges proposals at it."""
    return int(rpc.call("eth_getBlockByNumber", [hex(scenario.head), False])["timestamp"], 16)


def test_proposals_are_listed_newest_first_with_their_tallies(
    api: TestClient, scenario: Scenario, head_time: int
) -> None:
    answer = api.get("/proposals").json()
    assert answer == {
        "data": expected_proposals(scenario, head_time),
        "next_cursor": None,
        "indexed_block": scenario.head,
        "indexed_block_time": head_time,
    }


def test_proposal_pages_walk_every_proposal_once_newest_first(
    api: TestClient, scenario: Scenario, head_time: int
) -> None:
    seen = walk_all(api, "/proposals", {}, limit=2)
    assert [p["proposal_id"] for p in seen] == [p["proposal_id"] for p in expected_proposals(scenario, head_time)]


def test_the_status_filter_over_a_real_chain_lists_the_open_proposal_alone(
    api: TestClient, scenario: Scenario, head_time: int
) -> None:
    answer = api.get("/proposals", params={"status": "open"}).json()
    assert [p["proposal_id"] for p in answer["data"]] == [scenario.proposals["suspend-foundation"]]
    assert api.get("/proposals", params={"status": "expired"}).json()["data"] == []


def test_an_open_proposal_shows_the_proposers_vote_and_a_vote_against(
    api: TestClient, scenario: Scenario, head_time: int
) -> None:
    proposal_id = scenario.proposals["suspend-foundation"]
    answer = api.get(f"/proposals/{proposal_id}").json()
    created, against = scenario.txs["suspend-foundation.propose"], scenario.txs["suspend-foundation.vote"]
    listed = next(p for p in expected_proposals(scenario, head_time) if p["proposal_id"] == proposal_id)
    # A vote's time is known only while its block is in the indexer's reorg window (the blocks it remembered).
    times = [vote.pop("at") for vote in answer["votes"]]
    assert times[0] in (None, created.at) and times[1] in (None, against.at)
    assert answer == {
        **listed,
        "votes": [
            {
                "voter": scenario.partner("bank").address,
                "voter_name": "Cooperative Bank",
                "support": True,
                "counted_now": True,
                "block_number": created.block_number,
                "tx_hash": created.tx_hash,
            },
            {
                "voter": scenario.partner("uni").address,
                "voter_name": "University Blockchain Competence Centre",
                "support": False,
                "counted_now": True,
                "block_number": against.block_number,
                "tx_hash": against.tx_hash,
            },
        ],
        "indexed_block": scenario.head,
        "indexed_block_time": head_time,
    }


def test_an_executed_expulsion_shows_its_cut_off_and_executor(api: TestClient, scenario: Scenario) -> None:
    answer = api.get(f"/proposals/{scenario.proposals['expel-printer']}").json()
    assert (answer["kind"], answer["compromised_after"], answer["executed"], answer["executed_by"]) == (
        "EXPEL",
        scenario.cutoff,
        True,
        scenario.partner("uni").address,
    )
    assert [v["voter"] for v in answer["votes"]] == [scenario.partner("town").address, scenario.partner("bank").address]


# -- certificates -----------------------------------------------------------------------------------------------------


def test_certificates_are_listed_newest_first_with_mode_status_and_reason(api: TestClient, scenario: Scenario) -> None:
    answer = api.get("/certificates").json()
    assert answer == {"data": expected_certificates(scenario), "next_cursor": None, "indexed_block": scenario.head}


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_certificate_pages_walk_every_certificate_once_in_a_stable_order(
    api: TestClient, scenario: Scenario, limit: int
) -> None:
    """Keyset pages: no duplicates, no gaps, the same order as one big page, whatever the page size."""
    seen = walk_all(api, "/certificates", {}, limit)
    ids = [c["id"] for c in seen]
    assert len(ids) == len(set(ids))
    assert seen == expected_certificates(scenario)


def test_certificate_pages_break_ties_on_issuance_time_by_id(api: TestClient, scenario: Scenario) -> None:
    """Two certificates mined in one block share ``issued_at``: the id decides, and a page ends between them."""
    a, b = scenario.cases["same-block-a"], scenario.cases["same-block-b"]
    assert a.issued_at is not None and a.issued_at == b.issued_at
    lab = scenario.partner("lab").address
    tied = [r["id"] for r in expected_certificates(scenario) if (r["issuer"], r["issued_at"]) == (lab, a.issued_at)]
    assert {a.id, b.id} <= set(tied)
    params = {"issuer": lab, "issued_after": a.issued_at, "issued_before": a.issued_at + 1}
    assert [[c["id"] for c in page["data"]] for page in walk(api, "/certificates", params, 1)] == [[r] for r in tied]


CertificateFilter = Callable[[Scenario], tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]]
FILTERS: dict[str, CertificateFilter] = {
    "issuer": lambda sc: ({"issuer": sc.partner("mill").address}, lambda r: r["issuer"] == sc.partner("mill").address),
    "issuer-checksummed": lambda sc: (
        {"issuer": "0x" + sc.partner("foundation").address[2:].upper()},
        lambda r: r["issuer"] == sc.partner("foundation").address,
    ),
    "revoked": lambda sc: ({"status": "REVOKED"}, lambda r: r["status"] == "REVOKED"),
    "suspended": lambda sc: ({"status": "SUSPENDED"}, lambda r: r["status"] == "SUSPENDED"),
    "valid": lambda sc: ({"status": "VALID"}, lambda r: r["status"] == "VALID"),
    "issued-before-cutoff": lambda sc: ({"issued_before": sc.cutoff}, lambda r: r["issued_at"] < sc.cutoff),
    "issued-from-cutoff": lambda sc: ({"issued_after": sc.cutoff}, lambda r: r["issued_at"] >= sc.cutoff),
    "issuer-and-window": lambda sc: (
        {"issuer": sc.partner("printer").address, "issued_after": 0, "issued_before": sc.cutoff},
        lambda r: r["issuer"] == sc.partner("printer").address and r["issued_at"] < sc.cutoff,
    ),
}


@pytest.mark.parametrize("name", FILTERS)
def test_certificates_filter_by_issuer_status_and_time_across_pages(
    api: TestClient, scenario: Scenario, name: str
) -> None:
    params, keep = FILTERS[name](scenario)
    expected = [r for r in expected_certificates(scenario) if keep(r)]
    assert expected, "a filter that matches nothing proves little"
    assert api.get("/certificates", params=params).json()["data"] == expected
    assert walk_all(api, "/certificates", params, limit=2) == expected


def test_a_reinstated_certificate_shows_its_suspension_and_reinstatement(api: TestClient, scenario: Scenario) -> None:
    case = scenario.cases["reinstated"]
    foundation = scenario.partner("foundation").address
    answer = api.get(f"/certificates/{case.id}").json()
    listed = next(r for r in expected_certificates(scenario) if r["id"] == case.id)

    def entry(tx: str, action: str, reason: int | None) -> dict[str, Any]:
        record = scenario.txs[tx]
        return {
            "action": action,
            "leaf": None,
            "actor": foundation,
            "by_council": False,
            "reason": reason,
            "at": record.at,
            "block_number": record.block_number,
            "tx_hash": record.tx_hash,
        }

    assert answer == {
        **listed,
        "documents": 1,
        "history": [
            entry("reinstated.issue", "issued", None),
            entry("reinstated.suspend", "suspended", 7),
            entry("reinstated.reinstate", "reinstated", 0),
        ],
        "indexed_block": scenario.head,
    }


def test_a_public_batch_counts_its_documents_and_records_a_revoked_leaf(api: TestClient, scenario: Scenario) -> None:
    revoked = scenario.cases["public-batch-1"]
    answer = api.get(f"/certificates/{revoked.id}").json()
    uni = scenario.partner("uni").address
    issue, revoke = scenario.txs["public-batch.issue"], scenario.txs["public-batch-1.revoke"]
    assert answer["documents"] == 4
    assert answer["history"] == [
        {"action": "issued", "leaf": None, "actor": uni, "by_council": False, "reason": None, "at": issue.at}
        | {"block_number": issue.block_number, "tx_hash": issue.tx_hash},
        {"action": "revoked", "leaf": revoked.leaf, "actor": uni, "by_council": False, "reason": 5, "at": revoke.at}
        | {"block_number": revoke.block_number, "tx_hash": revoke.tx_hash},
    ]
    assert (answer["status"], answer["mode"]) == ("VALID", "batch_public")


def test_an_anchor_batch_publishes_no_document_but_records_a_council_hold_on_one(
    api: TestClient, scenario: Scenario
) -> None:
    """Only the root of an anchor batch is public; a leaf held on its own (by a council member: the town) shows in
    the history, marked as the council's, without becoming a published document."""
    suspended = scenario.cases["anchor-batch-2"]
    answer = api.get(f"/certificates/{suspended.id}").json()
    assert (answer["mode"], answer["documents"]) == ("batch", 0)
    assert [(h["action"], h["leaf"], h["actor"], h["by_council"], h["reason"]) for h in answer["history"]] == [
        ("issued", None, scenario.partner("lab").address, False, None),
        ("suspended", suspended.leaf, scenario.partner("town").address, True, 6),
    ]


# -- an original's certificates ----------------------------------------------------------------------------------------


def test_an_original_certified_twice_lists_both_certificates_newest_first(api: TestClient, scenario: Scenario) -> None:
    fingerprint = scenario.cases["superseded-new"].fingerprint
    rows = {r["id"]: r for r in expected_certificates(scenario)}
    answer = api.get(f"/originals/{fingerprint}/certificates").json()
    assert answer == {
        "fingerprint": fingerprint,
        "data": [
            {**rows[scenario.cases[name].id or ""], "leaf": scenario.cases[name].root, "document_status": "VALID"}
            for name in ("superseded-new", "superseded-old")
        ],
        "indexed_block": scenario.head,
    }


def test_an_original_in_a_public_batch_shows_its_own_revocation_apart_from_the_batch(
    api: TestClient, scenario: Scenario
) -> None:
    case = scenario.cases["public-batch-1"]
    rows = {r["id"]: r for r in expected_certificates(scenario)}
    answer = api.get(f"/originals/{case.fingerprint.upper().replace('0X', '0x')}/certificates").json()
    assert answer["fingerprint"] == case.fingerprint
    assert answer["data"] == [{**rows[case.id or ""], "leaf": case.leaf, "document_status": "REVOKED"}]


@pytest.mark.parametrize("name", ["anchor-batch-0", "unknown"])
def test_an_original_without_public_certificates_has_an_empty_list(
    api: TestClient, scenario: Scenario, name: str
) -> None:
    fingerprint = scenario.cases[name].fingerprint
    answer = api.get(f"/originals/{fingerprint}/certificates")
    assert answer.status_code == 200
    assert answer.json() == {"fingerprint": fingerprint, "data": [], "indexed_block": scenario.head}


# -- health and metrics -----------------------------------------------------------------------------------------------


def test_health_reports_database_node_and_no_lag_when_caught_up(api: TestClient, scenario: Scenario) -> None:
    assert api.get("/health").json() == {
        "status": "ok",
        "database": True,
        "node": True,
        "head_block": scenario.head,
        "indexed_block": scenario.head,
        "lag_blocks": 0,
    }


def test_health_reports_the_lag_when_the_chain_moves_ahead_of_the_index(
    api: TestClient, rpc: RpcClient, scenario: Scenario
) -> None:
    snapshot = rpc.call("evm_snapshot")
    try:
        for _ in range(3):
            rpc.call("evm_mine")
        answer = api.get("/health").json()
    finally:
        assert rpc.call("evm_revert", [snapshot]) is True
    assert (answer["status"], answer["head_block"], answer["indexed_block"], answer["lag_blocks"]) == (
        "ok",
        scenario.head + 3,
        scenario.head,
        3,
    )


@pytest.fixture(scope="module")
def nodeless(indexed: Settings) -> Iterator[TestClient]:
    """The same index served by an app whose node does not answer."""
    settings = indexed.model_copy(update={"rpc_url": f"http://127.0.0.1:{free_port()}", "rpc_timeout": 2.0})
    with TestClient(create_app(settings)) as client:
        yield client


def test_health_is_degraded_without_a_node_but_index_answers_keep_working(
    nodeless: TestClient, scenario: Scenario
) -> None:
    assert nodeless.get("/health").json() == {
        "status": "degraded",
        "database": True,
        "node": False,
        "head_block": None,
        "indexed_block": scenario.head,
        "lag_blocks": None,
    }
    case = scenario.cases["valid-single"]
    assert nodeless.get(f"/verify/certificate/{case.id}").json()["verdict"] == "VALID"
    chain = nodeless.get(f"/verify/certificate/{case.id}", params={"source": "chain"})
    assert chain.status_code == 503
    assert chain.headers["content-type"] == PROBLEM
    assert chain.json()["detail"] == "source=chain needs a node and a deployment manifest for its chain"


def test_health_is_degraded_when_the_index_is_ahead_of_the_node(indexed: Settings, scenario: Scenario) -> None:
    """A node whose head is below the index (here a new chain five blocks long; in life a node behind, or a chain
    reorganised to a shorter one): the lag is negative and the status is not ok, never a clamped "lag 0"."""
    with Anvil() as node:
        with RpcClient(node.url) as client:
            client.call("anvil_mine", ["0x5"])
        with TestClient(create_app(indexed.model_copy(update={"rpc_url": node.url}))) as ahead:
            answer = ahead.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "degraded",
        "database": True,
        "node": True,
        "head_block": 5,
        "indexed_block": scenario.head,
        "lag_blocks": 5 - scenario.head,
    }


def _counter(text: str, route: str, status: str) -> float:
    pattern = rf'^originals_http_requests_total\{{method="GET",route="{re.escape(route)}",status="{status}"\}} (\S+)$'
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_metrics_count_requests_by_route_template_and_status(api: TestClient, scenario: Scenario) -> None:
    before = api.get("/metrics").text
    api.get(f"/certificates/{scenario.cases['revoked'].id}")
    api.get("/certificates/0x" + "ab" * 32)
    response = api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text
    assert (
        _counter(after, "/certificates/{certificate_id}", "200")
        == _counter(before, "/certificates/{certificate_id}", "200") + 1
    )
    assert (
        _counter(after, "/certificates/{certificate_id}", "404")
        == _counter(before, "/certificates/{certificate_id}", "404") + 1
    )
    assert "originals_http_request_seconds_bucket" in after


# -- bad input --------------------------------------------------------------------------------------------------------

HEX64 = "ab" * 32
PATTERN64 = "String should match pattern '^0x[0-9a-fA-F]{64}$'"
PATTERN40 = "String should match pattern '^0x[0-9a-fA-F]{40}$'"
NOT_OURS = "the cursor is not one this API issued"

BAD_REQUESTS: list[tuple[str, str, dict[str, Any], int, str, str]] = [
    ("GET", "/verify/fingerprint/0x" + "zz" * 32, {}, 422, "Invalid input", f"fingerprint: {PATTERN64}"),
    ("GET", "/verify/fingerprint/0x" + HEX64[:63], {}, 422, "Invalid input", f"fingerprint: {PATTERN64}"),
    ("GET", "/verify/fingerprint/0x" + HEX64 + "a", {}, 422, "Invalid input", f"fingerprint: {PATTERN64}"),
    ("GET", "/verify/fingerprint/" + HEX64, {}, 422, "Invalid input", f"fingerprint: {PATTERN64}"),
    ("GET", "/verify/certificate/0x" + HEX64[:40], {}, 422, "Invalid input", f"certificate_id: {PATTERN64}"),
    (
        "GET",
        "/verify/certificate/0x" + HEX64,
        {"source": "blockchain"},
        422,
        "Invalid input",
        "source: Input should be 'index' or 'chain'",
    ),
    ("GET", "/partners/0x" + "ab" * 19, {}, 422, "Invalid input", f"address: {PATTERN40}"),
    ("GET", "/partners/0x" + "ab" * 20, {}, 404, "Not found", f"no partner 0x{'ab' * 20} in the index"),
    (
        "GET",
        "/partners",
        {"status": "active"},
        422,
        "Invalid input",
        "status: Input should be 'NONE', 'APPLIED', 'ACTIVE', 'SUSPENDED', 'EXPELLED' or 'LEFT'",
    ),
    ("GET", "/certificates/0x" + HEX64, {}, 404, "Not found", f"no certificate 0x{HEX64} in the index"),
    ("GET", "/certificates/" + HEX64, {}, 422, "Invalid input", f"certificate_id: {PATTERN64}"),
    ("GET", "/certificates", {"issuer": "0x1234"}, 422, "Invalid input", f"issuer: {PATTERN40}"),
    ("GET", "/certificates", {"limit": 0}, 422, "Invalid input", "limit: Input should be greater than or equal to 1"),
    ("GET", "/certificates", {"limit": 501}, 422, "Invalid input", "limit: Input should be less than or equal to 500"),
    ("GET", "/partners", {"limit": 501}, 422, "Invalid input", "limit: Input should be less than or equal to 500"),
    ("GET", "/proposals", {"limit": -1}, 422, "Invalid input", "limit: Input should be greater than or equal to 1"),
    (
        "GET",
        "/certificates",
        {"issued_after": -1},
        422,
        "Invalid input",
        "issued_after: Input should be greater than or equal to 0",
    ),
    ("GET", "/certificates", {"cursor": "garbage"}, 422, "Invalid input", NOT_OURS),
    ("GET", "/certificates", {"cursor": encode_cursor(["0x12"])}, 422, "Invalid input", NOT_OURS),
    ("GET", "/partners", {"cursor": "%%%"}, 422, "Invalid input", NOT_OURS),
    ("GET", "/proposals", {"cursor": encode_cursor([1, 2, 3])}, 422, "Invalid input", NOT_OURS),
    ("GET", "/proposals/999", {}, 404, "Not found", "no proposal 999 in the index"),
    ("GET", "/proposals/0", {}, 422, "Invalid input", "proposal_id: Input should be greater than or equal to 1"),
    (
        "GET",
        "/proposals/one",
        {},
        422,
        "Invalid input",
        "proposal_id: Input should be a valid integer, unable to parse string as an integer",
    ),
    ("GET", "/originals/0x12/certificates", {}, 422, "Invalid input", f"fingerprint: {PATTERN64}"),
    ("GET", "/no/such/route", {}, 404, "Not Found", "Not Found"),
]


BAD_IDS = [f"{method} {path[:48]} {params}" for method, path, params, *_ in BAD_REQUESTS]


def assert_problem(response: Any, status: int, title: str, detail: str, instance: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert {k: body[k] for k in ("type", "title", "status", "detail", "instance")} == {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }


@pytest.mark.parametrize(("method", "path", "params", "status", "title", "detail"), BAD_REQUESTS, ids=BAD_IDS)
def test_bad_input_answers_a_problem_document_and_writes_nothing(
    api: TestClient,
    counts: Counts,
    method: str,
    path: str,
    params: dict[str, Any],
    status: int,
    title: str,
    detail: str,
) -> None:
    before = counts()
    response = api.request(method, path, params=params)
    assert_problem(response, status, title, detail, path)
    assert counts() == before


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/certificates", [{"at": 1}, "0x12"]),
        ("/certificates", [None, None]),
        ("/certificates", ["yesterday", "0x12"]),
        ("/proposals", [{"block": 1}, "0x12"]),
        ("/proposals", ["latest", "0x12"]),
        ("/partners", [5]),
        ("/partners", [["0x12"]]),
    ],
    ids=str,
)
def test_a_well_formed_cursor_with_values_of_the_wrong_type_is_refused(
    api: TestClient, counts: Counts, path: str, cursor: list[Any]
) -> None:
    """A cursor is opaque: one that decodes but holds values this API never puts there is not ours either."""
    before = counts()
    response = api.get(path, params={"cursor": encode_cursor(cursor)})
    assert_problem(response, 422, "Invalid input", NOT_OURS, path)
    assert counts() == before


def test_a_cursor_of_another_list_is_refused(api: TestClient) -> None:
    partners_cursor = api.get("/partners", params={"limit": 1}).json()["next_cursor"]
    assert partners_cursor is not None
    response = api.get("/certificates", params={"cursor": partners_cursor})
    assert_problem(response, 422, "Invalid input", NOT_OURS, "/certificates")


@pytest.mark.parametrize(
    ("body", "title", "detail"),
    [
        (
            {"hello": 1},
            "Invalid certificate document",
            "not a wrapped certificate document (expected version 'originals/wrapped/2')",
        ),
        (
            {"version": "originals/wrapped/2", "data": {"a": "zz"}, "privacy": {}, "proof": {}},
            "Invalid certificate document",
            "field a: expected '<64 hex salt>:<JSON value>'",
        ),
        (
            {"version": "originals/wrapped/1", "data": {}, "privacy": {}, "proof": {}},
            "Invalid certificate document",
            "originals/wrapped/1 documents are no longer accepted: its target hash was keccak256 of the sorted field "
            "hashes with no leaf/node domain separation, so a forged document could pass for a node of a Merkle batch "
            "(see docs/security.md); ask the issuer to issue the certificate again (current version "
            "'originals/wrapped/2')",
        ),
        ([1, 2], "Invalid input", "Input should be a valid dictionary"),
    ],
    ids=["not-wrapped", "unsalted-field", "version-1", "not-an-object"],
)
def test_a_body_that_is_not_a_wrapped_document_is_refused(
    api: TestClient, counts: Counts, body: Any, title: str, detail: str
) -> None:
    before = counts()
    assert_problem(api.post("/verify/document", json=body), 422, title, detail, "/verify/document")
    assert counts() == before


def test_a_document_with_a_malformed_proof_names_the_field(api: TestClient, scenario: Scenario) -> None:
    document = dict(scenario.cases["wrapped-single"].document or {})
    document["proof"] = {**document["proof"], "merkleRoot": "0x12"}
    response = api.post("/verify/document", json=document)
    assert_problem(
        response,
        422,
        "Invalid certificate document",
        "proof.merkleRoot: expected 0x followed by 64 hex digits",
        "/verify/document",
    )


def test_a_verification_without_a_file_is_refused(api: TestClient, counts: Counts) -> None:
    before = counts()
    assert_problem(api.post("/verify/file"), 422, "Invalid input", "file: Field required", "/verify/file")
    assert counts() == before


@pytest.fixture(scope="module")
def small_uploads(indexed: Settings) -> Iterator[TestClient]:
    """The same index served with a 16-byte upload limit."""
    with TestClient(create_app(indexed.model_copy(update={"max_upload_bytes": 16}))) as client:
        yield client


def test_an_upload_over_the_limit_is_refused_and_one_at_the_limit_is_verified(
    small_uploads: TestClient, counts: Counts
) -> None:
    before = counts()
    too_big = small_uploads.post("/verify/file", files={"file": ("big.bin", b"x" * 17)})
    assert_problem(too_big, 413, "File too large", "the file is larger than the 16-byte limit", "/verify/file")
    at_limit = small_uploads.post("/verify/file", files={"file": ("ok.bin", b"x" * 16)})
    assert at_limit.status_code == 200
    assert at_limit.json()["fingerprint"] == "0x" + hashlib.sha256(b"x" * 16).hexdigest()
    assert counts() == before


def test_an_upload_whose_length_shows_it_too_big_is_refused_before_its_body_is_read(
    small_uploads: TestClient, counts: Counts
) -> None:
    """The Content-Length check answers before form parsing would spool the file to disk."""
    before = counts()
    huge = small_uploads.post("/verify/file", files={"file": ("huge.bin", b"x" * (MULTIPART_SLACK + 17))})
    assert_problem(huge, 413, "File too large", "the file is larger than the 16-byte limit", "/verify/file")
    assert huge.headers["connection"] == "close"
    assert counts() == before


def test_the_upload_limit_answers_without_receiving_the_body(indexed: Settings) -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        raise AssertionError("the body was read")

    async def send(message: Message) -> None:
        sent.append(message)

    async def never_called(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the request reached the app")

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/verify/file",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-length", b"65553")],
        "client": ("127.0.0.1", 50000),
    }
    asyncio.run(Edge(never_called, indexed.model_copy(update={"max_upload_bytes": 16}))(scope, receive, send))
    assert sent[0]["status"] == 413
    assert (b"content-type", b"application/problem+json") in sent[0]["headers"]
    assert json.loads(sent[1]["body"]) == {
        "type": "about:blank",
        "title": "File too large",
        "status": 413,
        "detail": "the file is larger than the 16-byte limit",
        "instance": "/verify/file",
    }


def test_verifying_writes_nothing(api: TestClient, counts: Counts, scenario: Scenario) -> None:
    """Verification is a read: by file, by id and by document, from either source."""
    before = counts()
    case = scenario.cases["public-batch-0"]
    for source in ("index", "chain"):
        api.post("/verify/file", params={"source": source}, files={"file": ("d.pdf", case.file or b"")})
        api.get(f"/verify/certificate/{case.leaf}", params={"source": source})
        api.post("/verify/document", params={"source": source}, json=case.document)
    assert counts() == before
