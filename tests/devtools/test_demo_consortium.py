"""The demo seed builds a consortium of realistic size through signed, relayed governance (issue 13).

One devnet, started in the past as ``originals up`` starts a new one, is seeded by the same :class:`devtools.demo.Demo`
``make run`` uses, then indexed into SQLite. The chain is the judge (its events and views), the index and the API's
directory must agree with it: 58 partners of all eight kinds plus one applicant, each admitted by an executed Admit
proposal with a majority of yes votes, one suspended, one left; a failed, an expired and three open proposals; the
chain's clock back at the wall clock and the demo certificates as they always were.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from support import devchain

from api.main import create_app
from devtools.demo import Demo
from devtools.demo_consortium import DAY, RELAYER_ACCOUNT, genesis_timestamp, majority
from devtools.demo_partners import (
    APPLICANT,
    ISSUER_EXPIRED,
    ISSUER_PENDING,
    LEFT,
    NEW_NAME,
    PARTNERS,
    RENAMED,
    SUSPENDED,
    by_domain,
    demo_key,
)
from devtools.demo_provenance import CAST as PROVENANCE_CAST
from devtools.devnet import Anvil, devnet_key
from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient
from ledger.config import Settings
from ledger.deployments import Deployment
from ledger.events import (
    COUNCIL,
    ISSUER,
    OrganisationType,
    PartnerRegistered,
    PartnerStatus,
    PartnerStatusChanged,
    ProposalCreated,
    ProposalExecuted,
    ProposalKind,
    VoteCast,
)
from ledger.indexer.decode import DecodedLog, RawLog
from ledger.indexer.runner import build_indexer, make_decoder

PROPOSAL_FIELDS = (
    *("subject", "kind", "rights", "executed", "deadline", "council_at_proposal"),
    *("cutoff", "reason", "yes", "no", "target", "leaf"),
)
"""The fields of ``IPartnerRegistry.Proposal``, in order."""


@dataclass
class Seeded:
    client: RpcClient
    partners: ContractBinding
    deployment: Deployment
    events: list[DecodedLog]
    demo_dir: Path
    settings: Settings

    def view(self, fn: str, *args: Any) -> Any:
        return self.partners.view(self.client, fn, *args)[0]

    def now(self) -> int:
        return int(self.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def of(self, kind: type) -> list[Any]:
        return [e.event for e in self.events if isinstance(e.event, kind)]

    def proposal(self, proposal_id: int) -> dict[str, Any]:
        fields = PROPOSAL_FIELDS
        return dict(zip(fields, self.view("proposal", proposal_id), strict=True))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp = tmp_path_factory.mktemp("demo")
    with Anvil(genesis_timestamp=genesis_timestamp()) as anvil:
        client = RpcClient(anvil.url)
        consortium = devchain.deploy(client, tmp / "deployments")
        assert Demo(client, consortium.deployment, tmp / "demo").seed()
        logs = client.call(
            "eth_getLogs", [{"address": consortium.partners.address, "fromBlock": "0x0", "toBlock": "latest"}]
        )
        events = make_decoder().decode_all([RawLog.from_rpc(log) for log in logs], on_unknown="skip")
        settings = Settings(
            environment="test",
            database_url=f"sqlite:///{tmp / 'index.sqlite3'}",
            rpc_url=anvil.url,
            deployments_dir=tmp / "deployments",
            rate_limit="off",
        )
        setup = build_indexer(settings)
        try:
            setup.indexer.run(once=True)
        finally:
            setup.client.close()
            setup.engine.dispose()
        yield Seeded(client, consortium.partners, consortium.deployment, events, tmp / "demo", settings)


def address(domain: str) -> str:
    return str(Account.from_key(demo_key(by_domain(domain))).address).lower()


def test_the_consortium_is_the_founders_and_55_partners_of_all_eight_kinds_with_one_applicant(seeded: Seeded) -> None:
    registered = seeded.of(PartnerRegistered)
    assert len(registered) == 59
    assert len({r.account for r in registered}) == 59
    status = {r.account: PartnerStatus(seeded.view("partner", r.account)[1]) for r in registered}
    assert Counter(status.values()) == {
        PartnerStatus.ACTIVE: 56,
        PartnerStatus.SUSPENDED: 1,
        PartnerStatus.LEFT: 1,
        PartnerStatus.APPLIED: 1,
    }
    assert status[address(SUSPENDED)] is PartnerStatus.SUSPENDED
    assert status[address(LEFT)] is PartnerStatus.LEFT
    assert status[address(APPLICANT.domain)] is PartnerStatus.APPLIED
    members = [r for r in registered if status[r.account] is not PartnerStatus.APPLIED]
    assert Counter(OrganisationType(r.org_type) for r in members) == {
        OrganisationType.SME: 13,
        OrganisationType.ENTERPRISE: 8,
        OrganisationType.PUBLIC_ADMINISTRATION: 9,
        OrganisationType.UNIVERSITY: 7,
        OrganisationType.RESEARCH_INSTITUTE: 6,
        OrganisationType.NGO: 5,
        OrganisationType.ASSOCIATION: 6,
        OrganisationType.MINISTRY: 4,
    }
    assert all(r.domain.endswith(".example") for r in registered)
    assert seeded.view("activeCouncilCount") == 6


def test_every_partner_joined_by_its_application_and_an_executed_admit_proposal_with_a_majority(
    seeded: Seeded,
) -> None:
    admitted = {
        e.account: e.proposal_id
        for e in seeded.of(PartnerStatusChanged)
        if (e.previous, e.status) == (PartnerStatus.APPLIED, PartnerStatus.ACTIVE) and e.proposal_id != 0
    }
    founded = {
        e.account for e in seeded.of(PartnerStatusChanged) if e.proposal_id == 0 and e.status == PartnerStatus.ACTIVE
    }
    assert founded == {f.address.lower() for f in seeded.deployment.founders}  # at deployment, by no proposal
    assert len(admitted) == len(PARTNERS) == 55
    assert set(admitted) == {str(Account.from_key(demo_key(p)).address).lower() for p in PARTNERS}
    executed = {e.proposal_id: e for e in seeded.of(ProposalExecuted)}
    yes_voters: dict[int, set[str]] = {}
    for vote in seeded.of(VoteCast):
        if vote.support:
            yes_voters.setdefault(vote.proposal_id, set()).add(vote.voter)
    rights = {str(Account.from_key(demo_key(p)).address).lower(): p.rights for p in PARTNERS}
    for account, proposal_id in admitted.items():
        proposal = seeded.proposal(proposal_id)
        assert (proposal["kind"], proposal["subject"].lower()) == (ProposalKind.ADMIT, account)
        assert proposal["executed"] is True
        assert proposal["rights"] == rights[account]
        assert proposal["yes"] >= 2
        assert proposal["no"] == 0
        assert len(yes_voters[proposal_id]) == proposal["yes"]
        assert executed[proposal_id].counted_votes == proposal["yes"]
        assert executed[proposal_id].counted_votes >= executed[proposal_id].required >= 2


def test_the_partners_never_sent_a_transaction_the_relayer_paid_for_everything(seeded: Seeded) -> None:
    """Signed actions: the partners' derived keys hold no ether and have sent nothing; the founders and the
    relayer's account hold the only nonces. (The partners of the provenance stories, devtools.demo_provenance, are
    given ether to send their provenance transactions themselves: none of their governance.)"""
    for p in (*PARTNERS, APPLICANT):
        if p.account is None and p.domain not in PROVENANCE_CAST:
            who = address(p.domain)
            assert seeded.client.call("eth_getTransactionCount", [who, "latest"]) == "0x0"
            assert seeded.client.call("eth_getBalance", [who, "latest"]) == "0x0"
    relayer = str(Account.from_key(devnet_key(RELAYER_ACCOUNT)).address)
    applications = len(seeded.of(PartnerRegistered)) - len(seeded.deployment.founders)
    proposals = len(seeded.of(ProposalCreated))
    votes = len(seeded.of(VoteCast)) - proposals  # a proposer's own yes vote comes with its proposal
    executions = len(seeded.of(ProposalExecuted))
    assert (applications, proposals, votes, executions) == (56, 61, 173, 56)
    sent = int(seeded.client.call("eth_getTransactionCount", [relayer, "latest"]), 16)
    assert sent == applications + proposals + votes + executions + 1  # and one departure: all relayed


def test_the_failed_proposal_was_voted_down_and_the_expired_one_lacked_a_majority_before_its_deadline(
    seeded: Seeded,
) -> None:
    created = {(ProposalKind(e.kind), e.subject): e.proposal_id for e in seeded.of(ProposalCreated)}
    now = seeded.now()
    failed = seeded.proposal(created[(ProposalKind.EXPEL, address(SUSPENDED))])
    assert (failed["executed"], failed["yes"], failed["no"]) == (False, 1, 4)
    assert failed["council_at_proposal"] == 6
    assert failed["no"] >= majority(failed["council_at_proposal"])  # a majority said no: failed, not expired
    assert failed["deadline"] < now
    expired = seeded.proposal(created[(ProposalKind.GRANT_RIGHTS, address(ISSUER_EXPIRED))])
    assert (expired["executed"], expired["yes"], expired["no"], expired["rights"]) == (False, 2, 0, ISSUER)
    assert expired["deadline"] < now
    assert seeded.view("partner", address(ISSUER_EXPIRED))[2] == 0  # it never got the right
    suspension = seeded.proposal(created[(ProposalKind.SUSPEND, address(SUSPENDED))])
    assert suspension["executed"] is True


def test_three_proposals_are_open_with_their_voting_period_ahead(seeded: Seeded) -> None:
    now = seeded.now()
    count = seeded.view("proposalCount")
    open_ = {}
    for proposal_id in range(1, count + 1):
        p = seeded.proposal(proposal_id)
        if not p["executed"] and p["deadline"] >= now:
            open_[(ProposalKind(p["kind"]), p["subject"].lower())] = (proposal_id, p)
    assert sorted((kind, subject) for kind, subject in open_) == sorted(
        [
            (ProposalKind.ADMIT, address(APPLICANT.domain)),
            (ProposalKind.GRANT_RIGHTS, address(ISSUER_PENDING)),
            (ProposalKind.CHANGE_DETAILS, address(RENAMED)),
        ]
    )
    votes = {kind: (p["yes"], p["no"]) for (kind, _), (_, p) in open_.items()}
    assert votes == {ProposalKind.ADMIT: (2, 0), ProposalKind.GRANT_RIGHTS: (4, 0), ProposalKind.CHANGE_DETAILS: (1, 0)}
    assert all(p["deadline"] - now > 6 * DAY for _, p in open_.values())
    # The issuer right has its majority: anyone may execute it now (a call, not sent).
    grant_id, _ = open_[(ProposalKind.GRANT_RIGHTS, address(ISSUER_PENDING))]
    call = {"to": seeded.partners.address, "data": seeded.partners.encode("execute", grant_id)}
    assert seeded.client.call("eth_call", [call]) == "0x"
    (details,) = [e for e in seeded.events if e.name == "DetailsProposed"]
    assert details.event.display_name == NEW_NAME


def test_the_chain_clock_meets_the_wall_clock_and_the_demo_certificates_verify_as_before(seeded: Seeded) -> None:
    assert abs(seeded.now() - time.time()) < 120
    joined = [seeded.view("partner", address(p.domain))[3] for p in PARTNERS if p.account is None]
    assert max(joined) < time.time() - 10 * DAY  # the admissions lie in the past
    with TestClient(create_app(seeded.settings)) as api:
        verdicts = {}
        for path in sorted((seeded.demo_dir / "originals").iterdir()):
            fingerprint = "0x" + hashlib.sha256(path.read_bytes()).hexdigest()
            verdicts[path.name] = api.get(f"/verify/fingerprint/{fingerprint}").json()["verdict"]
    assert verdicts == {
        "artwork-evening-light.txt": "SUSPENDED",
        "diploma-003.txt": "REVOKED",
        "fabric-batch-0042.txt": "VALID",
        "artwork-001.txt": "VALID",  # the provenance stories' certificates (their originals' history aside)
        "violin-2291.txt": "VALID",
        "watch-3104.txt": "VALID",
        **{f"diploma-{i:03d}.txt": "VALID" for i in (1, 2, 4, 5, 6, 7, 8)},
    }


def test_the_directory_pages_and_filters_the_whole_consortium(seeded: Seeded) -> None:
    with TestClient(create_app(seeded.settings)) as api:
        everyone = api.get("/partners", params={"limit": 500}).json()["data"]
        pages, cursor = [], None
        while True:
            params: dict[str, Any] = {"limit": 25, **({"cursor": cursor} if cursor else {})}
            page = api.get("/partners", params=params).json()
            pages.append(page["data"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        ministries = api.get("/partners", params={"type": "MINISTRY"}).json()["data"]
        suspended = api.get("/partners", params={"status": "SUSPENDED"}).json()["data"]
        council = [p for p in everyone if "COUNCIL" in p["rights"]]
    assert len(everyone) == 59
    assert [len(page) for page in pages] == [25, 25, 9]
    assert [p for page in pages for p in page] == everyone
    assert sorted(p["display_name"] for p in ministries) == [
        "Ministry of Culture and Heritage",
        "Staatsministerium für Regionalentwicklung",
        "Staatsministerium für Wirtschaft, Arbeit und Verkehr",
        "Staatsministerium für Wissenschaft, Kultur und Tourismus",
    ]
    assert [(p["display_name"], p["rights"]) for p in suspended] == [("Spedition Vogtland Logistik GmbH", ["ISSUER"])]
    assert len(council) == 6
    assert {p["address"] for p in council} >= {f.address.lower() for f in seeded.deployment.founders}
    assert sum(1 for p in PARTNERS if p.rights & COUNCIL) == 3


def test_seeding_again_does_nothing(seeded: Seeded) -> None:
    """How long seeding takes is measured in docs/benchmarks.md ("Start-up of make run"), not asserted here."""
    assert Demo(seeded.client, seeded.deployment, seeded.demo_dir).seed() is False
