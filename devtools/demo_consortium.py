"""The demo consortium's history, played on a devnet through signed actions: fifty-five admissions by council vote, a
suspension, a departure, a failed and an expired proposal, and three proposals still open.

Every step is what the product's users do: a partner signs its application, a council member signs a proposal,
others sign their votes, someone signs the execution, and one relayer account sends it all in JSON-RPC batches
(:mod:`devtools.relay`). The vote counts follow the registry's rule: an execution needs the yes votes of more than half
of the larger of the council when the proposal was made and the council now, so once three partners have joined the
founders on the council (six members) each admission takes four yes votes.

Time: a failed or expired proposal is one whose deadline has passed, so the history needs the chain's clock to run
past a voting period (seven days in ``consortium.yaml``). The history therefore happens *in the past*: ``originals
up`` starts a fresh devnet with its genesis :data:`HISTORY` before the wall clock, the admissions come in waves a few
days apart, the failed and expired proposals are made about two weeks before today, and then the chain's clock is
moved forward to the wall clock (``evm_setNextBlockTimestamp``) before the open proposals and the demo certificates.
So the open proposals have their full voting period ahead of them, certificates carry today's date like the
documents that describe them, and whatever is done after seeding (issuing with an expiry, voting) happens on a chain
whose clock is the wall clock. The other way round, a chain starting today and moved a week ahead (``evm_increaseTime``)
to let the deadlines pass, would keep its clock ahead of the wall clock for good: certificates dated next week, and an
expiry given in wall-clock time refused (``CertificateRegistryInvalidExpiry``) or cut short. On a devnet that did not
start in the past (a test's plain anvil), the same steps do move its clock ahead of the wall clock; nothing in the demo
itself depends on the two agreeing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eth_account import Account

from devtools.demo_partners import (
    APPLICANT,
    ISSUER_EXPIRED,
    ISSUER_PENDING,
    LEFT,
    NEW_NAME,
    PARTNERS,
    RENAMED,
    SUSPENDED,
    DemoPartner,
    by_domain,
    demo_key,
)
from devtools.relay import Relayer
from ledger.abi import load_abi
from ledger.chain.contracts import ContractBinding
from ledger.chain.devkeys import devnet_key
from ledger.chain.rpc import RpcClient
from ledger.chain.tx import TxSender
from ledger.deployments import Deployment
from ledger.events import COUNCIL, ISSUER, ZERO_HASH, ProposalKind

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

log = logging.getLogger(__name__)

DAY = 24 * 3600
HISTORY = 42 * DAY
"""How far before the wall clock a fresh devnet for the demo starts (its genesis timestamp): room for the waves of
admissions and for the failed and expired proposals' voting period to pass before today."""
WAVE = 13
"""Admissions per wave (one relayed run each)."""
WAVE_GAP = 4 * DAY
"""Days between waves of admissions."""
FOUNDER_ACCOUNTS = (0, 1, 2)
"""The devnet accounts of the founders (``consortium.yaml``); they are the council the story starts with."""
RELAYER_ACCOUNT = 9
"""The devnet account that relays every signed action and pays its gas (the consortium operator's)."""


def genesis_timestamp() -> int:
    """The genesis time for a new devnet the demo will seed: :data:`HISTORY` before the wall clock."""
    return int(time.time()) - HISTORY


def majority(council: int) -> int:
    """Yes votes an execution needs with ``council`` active members: more than half."""
    return council // 2 + 1


class ConsortiumHistory:
    """Plays the consortium's story onto a deployment whose founders are devnet accounts 0 to 2."""

    def __init__(self, client: RpcClient, deployment: Deployment) -> None:
        self.client = client
        self.partners = ContractBinding(load_abi("PartnerRegistry"), deployment.contract("PartnerRegistry").address)
        certificates = ContractBinding(
            load_abi("CertificateRegistry"), deployment.contract("CertificateRegistry").address
        )
        relayer = TxSender(client, Account.from_key(devnet_key(RELAYER_ACCOUNT)), deployment.chain_id)
        self.relay = Relayer(client, relayer, {"PartnerRegistry": self.partners, "CertificateRegistry": certificates})
        self.council: list[LocalAccount] = [Account.from_key(devnet_key(i)) for i in FOUNDER_ACCOUNTS]
        founders = {f.address.lower() for f in deployment.founders}
        if not {str(a.address).lower() for a in self.council} <= founders:
            raise ValueError("the demo consortium needs the devnet founders (accounts 0, 1 and 2 of consortium.yaml)")
        self.accounts: dict[str, LocalAccount] = {
            p.domain: Account.from_key(demo_key(p)) for p in (*PARTNERS, APPLICANT)
        }
        self._next_proposal = int(self._view("proposalCount")[0]) + 1
        self._turn = 0

    # -- the story ------------------------------------------------------------------------------------------------

    def play(self) -> None:
        """The whole history: the past (admissions, suspension, departure, failed and expired proposals), the jump
        to today, and the proposals open today."""
        council_wave = [p for p in PARTNERS if p.rights & COUNCIL]
        others = [p for p in PARTNERS if not p.rights & COUNCIL]
        waves = [council_wave] + [others[i : i + WAVE] for i in range(0, len(others), WAVE)]
        for wave in waves:
            self.travel(WAVE_GAP)
            first = self._next_proposal
            self.admit(wave)
            last = self._next_proposal - 1
            log.info("demo: %d partners admitted by council vote (proposals %d-%d)", len(wave), first, last)
        self.travel(3 * DAY)
        self.decide(ProposalKind.SUSPEND, SUSPENDED)
        self.relay.flush()
        self.travel(3 * DAY)
        closed = self.failed_and_expired()
        self.travel(3 * DAY)
        self.relay.add("Leave", self.accounts[LEFT], {})
        self.relay.flush()
        self.to_present(max(self._deadline(p) for p in closed) + 1)
        self.open_proposals()
        log.info("demo: consortium of %d partners seeded, %d proposals", len(PARTNERS) + 3, self._next_proposal - 1)

    def admit(self, wave: Sequence[DemoPartner]) -> None:
        """Each partner of ``wave`` applies, then a council member proposes its admission, enough others vote yes,
        and one executes it: one relayed run."""
        for p in wave:
            self.relay.add("Apply", self.accounts[p.domain], _details(p))
        for p in wave:
            self.decide(ProposalKind.ADMIT, p.domain, p.rights)
            if p.rights & COUNCIL:
                self.council.append(self.accounts[p.domain])
        self.relay.flush()

    def decide(self, kind: ProposalKind, domain: str, rights: int = 0) -> int:
        """Queue a proposal about ``domain`` with the yes votes of a majority and its execution; its id."""
        proposal_id = self.propose(kind, domain, rights)
        voters = self._others(majority(len(self.council)) - 1)
        for voter in voters:
            self.vote(voter, proposal_id, True)
        self.relay.add("Execute", voters[-1], {"proposalId": proposal_id})
        return proposal_id

    def failed_and_expired(self) -> list[int]:
        """Two proposals whose deadline will pass: expelling the suspended partner, voted down by a majority of no
        votes (the council keeps the suspension); granting the research institute the issuer right, with one yes
        vote besides the proposer's, short of a majority. Returns their ids."""
        failed = self.propose(ProposalKind.EXPEL, SUSPENDED)
        for voter in self._others(majority(len(self.council))):
            self.vote(voter, failed, False)
        expired = self.propose(ProposalKind.GRANT_RIGHTS, ISSUER_EXPIRED, ISSUER)
        self.vote(self._others(1)[0], expired, True)
        self.relay.flush()
        return [failed, expired]

    def open_proposals(self) -> None:
        """Today's open proposals: an applicant's admission with two yes votes, an issuer right with its majority
        waiting to be executed, a change of name with the proposer's vote only."""
        self.relay.add("Apply", self.accounts[APPLICANT.domain], _details(APPLICANT))
        admission = self.propose(ProposalKind.ADMIT, APPLICANT.domain, APPLICANT.rights)
        self.vote(self._others(1)[0], admission, True)
        grant = self.propose(ProposalKind.GRANT_RIGHTS, ISSUER_PENDING, ISSUER)
        for voter in self._others(majority(len(self.council)) - 1):
            self.vote(voter, grant, True)
        renamed = by_domain(RENAMED)
        fields = {"subject": self._address(RENAMED), **_details(renamed), "displayName": NEW_NAME}
        self.relay.add("ProposeDetails", self._proposer(), fields)
        self._next_proposal += 1
        self.relay.flush()

    # -- steps ----------------------------------------------------------------------------------------------------

    def propose(self, kind: ProposalKind, domain: str, rights: int = 0) -> int:
        """Queue a proposal by the next council member in turn (its vote counts as yes); its id."""
        fields = {"kind": int(kind), "subject": self._address(domain), "rights": rights, "cutoff": 0}
        self.relay.add("Propose", self._proposer(), fields)
        self._next_proposal += 1
        return self._next_proposal - 1

    def vote(self, voter: LocalAccount, proposal_id: int, support: bool) -> None:
        self.relay.add("Vote", voter, {"proposalId": proposal_id, "support": support})

    def travel(self, seconds: int) -> None:
        """Move the chain's clock ``seconds`` forward (the next block's time) and mine a block there."""
        self.client.call("evm_increaseTime", [seconds])
        self.client.call("evm_mine", [])

    def to_present(self, not_before: int) -> None:
        """Move the chain's clock to the wall clock, or to ``not_before`` if that is later (then say so)."""
        target = max(int(time.time()), not_before, self.relay.chain_time() + 1)
        if target > time.time() + 60:
            log.warning("demo: the devnet's clock is now %d s ahead of the wall clock", target - int(time.time()))
        self.client.call("evm_setNextBlockTimestamp", [target])
        self.client.call("evm_mine", [])

    def _proposer(self) -> LocalAccount:
        """The council member whose turn it is to propose (the turn moves on)."""
        self._turn += 1
        return self.council[(self._turn - 1) % len(self.council)]

    def _others(self, count: int) -> list[LocalAccount]:
        """``count`` council members after the last proposer, in seat order (never the proposer)."""
        n = len(self.council)
        if count > n - 1:
            raise ValueError(f"{count} voters wanted besides the proposer, the council has {n} members")
        return [self.council[(self._turn - 1 + k) % n] for k in range(1, count + 1)]

    def _deadline(self, proposal_id: int) -> int:
        """A proposal's deadline, as the registry has it (``Proposal.deadline``, the record's fifth field)."""
        return int(self._view("proposal", proposal_id)[0][4])

    def _address(self, domain: str) -> str:
        return str(self.accounts[domain].address)

    def _view(self, fn: str, *args: Any) -> tuple[Any, ...]:
        return self.partners.view(self.client, fn, *args)


def _details(p: DemoPartner) -> dict[str, Any]:
    """The details fields of an Apply or ProposeDetails action for ``p``."""
    return {"orgType": int(p.org_type), "displayName": p.name, "domain": p.domain, "metadataHash": ZERO_HASH}
