"""Regression tests of issue 11 ("trust model v2"), one or more per finding that lives in the contracts.

Each test is named after what it proves and replays the attack or mistake the finding describes; on the v1 contracts
each of them fails (the v1 tests asserted the opposite behaviour, see the report of branch v2-tests). Events are
compared with every argument (`log`), reverts with every error argument (`reverts_with`).

Cast: the founders town, bank and university (ISSUER | COUNCIL); the mill and the gallery, issuer-only partners;
two colluders admitted to the council for the vote-counting findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from ape.api import AccountAPI, ReceiptAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from eth_utils import keccak
from support.certificate_helpers import Batch, digest, pin_next_block
from support.contracts import (
    ACTIVE,
    ADMIT,
    APPLIED,
    CHANGE_DETAILS,
    COUNCIL,
    EXPEL,
    EXPELLED,
    GRANT_RIGHTS,
    ISSUER,
    LEFT,
    LIFT_CERTIFICATE_SUSPENSION,
    MINISTRY,
    NO_MIRROR,
    NONE,
    REINSTATE,
    REVOKE_CERTIFICATE,
    SET_COMPROMISED,
    SME,
    SUSPEND,
    SUSPENDED,
    VOTING_PERIOD,
    WITHDRAW_RIGHTS,
    ZERO_HASH,
    certificate_id,
    deploy_reverts,
    details_hash,
    founder_tuples,
    log,
    reverts_with,
)

# ICertificateRegistry.Status and .Verdict
VALID, SUSPENDED_STATUS, REVOKED = 0, 1, 2
V_VALID, V_NOT_ISSUED, V_INVALID_PROOF, V_REVOKED, V_SUSPENDED, V_EXPIRED, V_COMPROMISED = range(7)
MILL_METADATA = b"\x11" * 32
REASON = 7


@dataclass(frozen=True)
class Chain:
    """Both registries, the founders, and the moves these tests repeat."""

    partners: ContractInstance
    certificates: ContractInstance
    town: AccountAPI
    bank: AccountAPI
    university: AccountAPI
    chain: ChainManager

    def carry(self, kind: int, subject: AccountAPI, rights: int = 0, cutoff: int = 0) -> ReceiptAPI:
        """Town proposes, bank seconds, town executes (2 of the 3 founders)."""
        proposal_id = int(self.partners.propose(kind, subject, rights, cutoff, sender=self.town).return_value)
        self.partners.vote(proposal_id, True, sender=self.bank)
        return self.partners.execute(proposal_id, sender=self.town)

    def admit(self, account: AccountAPI, name: str, rights: int) -> None:
        self.partners.applyForMembership(SME, name, f"{name.lower()}.example", ZERO_HASH, sender=account)
        proposal_id = int(self.partners.propose(ADMIT, account, rights, 0, sender=self.town).return_value)
        for voter in (self.bank, self.university):
            if self.partners.proposal(proposal_id).yesVotes * 2 <= self.partners.activeCouncilCount():
                self.partners.vote(proposal_id, True, sender=voter)
        self.partners.execute(proposal_id, sender=self.town)
        assert (self.partners.partner(account).status, self.partners.partner(account).rights) == (ACTIVE, rights)

    def propose_decision(
        self, kind: int, id_: bytes, leaf: bytes = ZERO_HASH, proof: list[bytes] | None = None, by: AccountAPI = None
    ) -> ReceiptAPI:
        return self.partners.proposeCertificateDecision(
            kind, self.certificates, id_, leaf, proof or [], REASON, sender=by or self.town
        )

    def verdict(self, id_: bytes, leaf: bytes, proof: list[bytes] | None = None) -> int:
        return int(self.certificates.verify(id_, leaf, proof or []).verdict)

    def status(self, id_: bytes, leaf: bytes = ZERO_HASH) -> tuple[int, bool, int, int]:
        record = self.certificates.statusOf(id_, leaf)
        return int(record.status), bool(record.byCouncil), int(record.reason), int(record.at)


@pytest.fixture
def textile_applicant(accounts: list[AccountAPI]) -> AccountAPI:
    """An organisation that applies to join (function-scoped, and not the mill's account: conftest's session-scoped
    `applicant` first requested here would make ape rebase the other modules' fixtures)."""
    return accounts[9]


@pytest.fixture
def c(
    partner_registry: ContractInstance,
    certificate_registry: ContractInstance,
    town: AccountAPI,
    bank: AccountAPI,
    university: AccountAPI,
    chain: ChainManager,
) -> Chain:
    return Chain(partner_registry, certificate_registry, town, bank, university, chain)


@pytest.fixture
def mill_issuer(accounts: list[AccountAPI], c: Chain) -> AccountAPI:
    account = accounts[4]
    c.admit(account, "Mill", ISSUER)
    return account


@pytest.fixture
def gallery_issuer(accounts: list[AccountAPI], c: Chain, mill_issuer: AccountAPI) -> AccountAPI:
    account = accounts[5]
    c.admit(account, "Gallery", ISSUER)
    return account


@pytest.fixture
def newcomer(accounts: list[AccountAPI]) -> AccountAPI:
    """An organisation that applies while the mill is a partner (the conftest applicant is the mill's account).

    Fixture names differ from other modules' (`mill`, `applicant`): ape tracks chain isolation by fixture name, and a
    name another module declares with a wider scope would keep this module's function state between tests."""
    return accounts[8]


@pytest.fixture
def mill_single(c: Chain, mill_issuer: AccountAPI) -> bytes:
    """A single certificate of the mill; returns its id."""
    root = digest("mill single certificate")
    return bytes(c.certificates.issue(root, digest("mill original"), 0, sender=mill_issuer).return_value)


# --- finding 1: certificate ids are namespaced by issuer ------------------------------------------------------------


def test_issuer_cannot_take_over_another_issuers_certificate_id(
    c: Chain, mill_issuer: AccountAPI, gallery_issuer: AccountAPI
) -> None:
    """The gallery issues a leaf of the mill's batch and the mill's root as its own certificates and revokes them:
    they are other ids, the mill's documents stay Valid under the mill's id, and the gallery cannot touch that id.
    Nor can it squat a root the mill has not issued yet: the mill issues it afterwards as its own."""
    batch = Batch.of("mill diplomas", 3)
    c.certificates.issueBatchPublic(batch.root, 0, list(batch.documents), list(batch.fingerprints), sender=mill_issuer)
    mill_id = batch.id(mill_issuer)
    leaf = batch.documents[1]

    hijack = c.certificates.issue(leaf, digest("fake original"), 0, sender=gallery_issuer)
    gallery_leaf_id = certificate_id(gallery_issuer, leaf)
    assert bytes(hijack.return_value) == gallery_leaf_id != mill_id
    gallery_root_id = bytes(c.certificates.issueBatch(batch.root, 0, sender=gallery_issuer).return_value)
    assert gallery_root_id == certificate_id(gallery_issuer, batch.root) != mill_id
    at = pin_next_block(c.chain)
    revoked = c.certificates.revoke(gallery_leaf_id, REASON, sender=gallery_issuer)
    assert list(revoked.events) == [
        log(c.certificates.CertificateRevoked, gallery_leaf_id, ZERO_HASH, gallery_issuer, REASON, at, False)
    ]
    c.certificates.revoke(gallery_root_id, REASON, sender=gallery_issuer)

    for document in batch.documents:
        assert c.verdict(mill_id, document, batch.proof(document)) == V_VALID
        assert c.status(mill_id, document) == (VALID, False, 0, 0)
    assert c.status(mill_id) == (VALID, False, 0, 0)
    assert c.certificates.certificate(mill_id).issuer == mill_issuer.address
    for action in (c.certificates.revoke, c.certificates.suspend):
        with reverts_with(c.certificates.CertificateRegistryUnauthorized, account=gallery_issuer, id=mill_id):
            action(mill_id, REASON, sender=gallery_issuer)

    planned = digest("the mill's next root")
    c.certificates.issueBatch(planned, 0, sender=gallery_issuer)  # front-run
    issued = c.certificates.issueBatch(planned, 0, sender=mill_issuer)
    assert bytes(issued.return_value) == certificate_id(mill_issuer, planned)
    assert c.certificates.certificate(certificate_id(mill_issuer, planned)).issuer == mill_issuer.address


# --- finding 2: details bound by the vote --------------------------------------------------------------------------


def test_admission_binds_the_details_voted_on(c: Chain, textile_applicant: AccountAPI) -> None:
    """The council voted to admit a textile mill; the applicant left and re-applied as a ministry before execution:
    the admission refuses to run (naming both hashes) instead of admitting a name nobody voted on."""
    c.partners.applyForMembership(SME, "Textile Mill", "mill.example", MILL_METADATA, sender=textile_applicant)
    voted = details_hash(SME, "Textile Mill", "mill.example", MILL_METADATA)
    proposal_id = int(c.partners.propose(ADMIT, textile_applicant, ISSUER, 0, sender=c.town).return_value)
    c.partners.vote(proposal_id, True, sender=c.bank)
    c.partners.leave(sender=textile_applicant)
    c.partners.applyForMembership(MINISTRY, "Ministry of Education", "edu.example", ZERO_HASH, sender=textile_applicant)
    swapped = details_hash(MINISTRY, "Ministry of Education", "edu.example", ZERO_HASH)

    with reverts_with(
        c.partners.PartnerRegistryDetailsChanged, account=textile_applicant, expected=voted, actual=swapped
    ):
        c.partners.execute(proposal_id, sender=textile_applicant)
    assert c.partners.partner(textile_applicant).status == APPLIED
    assert not c.partners.isActiveIssuer(textile_applicant)
    assert c.partners.proposal(proposal_id).target == voted


def test_details_change_only_by_council_vote(c: Chain, mill_issuer: AccountAPI, newcomer: AccountAPI) -> None:
    """An active partner cannot rename itself (re-applying is refused); a council member proposes new details, they
    apply only once a majority executes them, and the change is an event with the proposal's id."""
    with reverts_with(c.partners.PartnerRegistryAlreadyRegistered, account=mill_issuer, status=ACTIVE):
        c.partners.applyForMembership(MINISTRY, "Ministry of Education", "edu.example", ZERO_HASH, sender=mill_issuer)
    details = (MINISTRY, "Ministry of Education", "edu.example", MILL_METADATA)
    with reverts_with(c.partners.PartnerRegistryNotCouncil, account=mill_issuer):
        c.partners.proposeDetails(mill_issuer, details, sender=mill_issuer)
    with reverts_with(c.partners.PartnerRegistryWrongProposeFunction, kind=CHANGE_DETAILS):
        c.partners.propose(CHANGE_DETAILS, mill_issuer, 0, 0, sender=c.town)
    with reverts_with(c.partners.PartnerRegistryEmptyDisplayName):
        c.partners.proposeDetails(mill_issuer, (MINISTRY, "", "edu.example", ZERO_HASH), sender=c.town)
    c.partners.applyForMembership(SME, "Applicant", "applicant.example", ZERO_HASH, sender=newcomer)
    with reverts_with(c.partners.PartnerRegistryInvalidStatus, account=newcomer, status=APPLIED):
        c.partners.proposeDetails(newcomer, details, sender=c.town)

    before = c.partners.partner(mill_issuer)
    at = pin_next_block(c.chain)
    proposed = c.partners.proposeDetails(mill_issuer, details, sender=c.town)
    proposal_id = int(proposed.return_value)
    new_hash = details_hash(*details)
    assert c.partners.detailsHash(details) == new_hash
    assert list(proposed.events) == [
        log(
            c.partners.ProposalCreated,
            proposal_id,
            CHANGE_DETAILS,
            mill_issuer,
            c.town,
            0,
            0,
            at + VOTING_PERIOD,
            new_hash,
            ZERO_HASH,
            0,
            3,
        ),
        log(c.partners.DetailsProposed, proposal_id, *details),
        log(c.partners.VoteCast, proposal_id, c.town, True, 1, 0),
    ]
    with reverts_with(c.partners.PartnerRegistryQuorumNotReached, proposalId=proposal_id, yesVotes=1, required=2):
        c.partners.execute(proposal_id, sender=c.town)
    assert c.partners.partner(mill_issuer) == before

    c.partners.vote(proposal_id, True, sender=c.university)
    at = pin_next_block(c.chain)
    executed = c.partners.execute(proposal_id, sender=c.bank)
    assert list(executed.events) == [
        log(c.partners.PartnerDetailsChanged, mill_issuer, *details, proposal_id, at),
        log(c.partners.ProposalExecuted, proposal_id, c.bank, 2, 2),
    ]
    record = c.partners.partner(mill_issuer)
    assert (record.orgType, record.displayName, record.domain, record.metadataHash, record.detailsHash) == (
        *details,
        new_hash,
    )
    assert (record.status, record.rights, record.joinedAt) == (ACTIVE, ISSUER, before.joinedAt)


# --- finding 3: only votes of the active council count, against the larger council ---------------------------------


@pytest.fixture
def colluders(accounts: list[AccountAPI], c: Chain) -> tuple[AccountAPI, AccountAPI]:
    """Two partners admitted with the council right: a council of five."""
    first, second = accounts[6], accounts[7]
    c.admit(first, "Colluder One", ISSUER | COUNCIL)
    c.admit(second, "Colluder Two", ISSUER | COUNCIL)
    assert c.partners.activeCouncilCount() == 5
    return first, second


def test_votes_of_departed_council_members_do_not_count(
    c: Chain, colluders: tuple[AccountAPI, AccountAPI], outsider: AccountAPI
) -> None:
    """Two colluders in a council of five propose to expel a founder with cut-off 1, vote, leave, and execute: on v1
    their 2 stored votes were a majority of the 3 left. Now departed votes count for nothing and the majority is of
    the five there were: 0 of 3 needed."""
    first, second = colluders
    proposal_id = int(c.partners.propose(EXPEL, c.town, 0, 1, sender=first).return_value)
    c.partners.vote(proposal_id, True, sender=second)
    assert c.partners.proposal(proposal_id).yesVotes == 2
    c.partners.leave(sender=first)
    c.partners.leave(sender=second)
    assert c.partners.activeCouncilCount() == 3

    with reverts_with(c.partners.PartnerRegistryQuorumNotReached, proposalId=proposal_id, yesVotes=0, required=3):
        c.partners.execute(proposal_id, sender=outsider)
    assert c.partners.partner(c.town).status == ACTIVE
    assert c.partners.compromisedAfter(c.town) == 0


def test_votes_of_suspended_council_members_do_not_count(
    c: Chain, colluders: tuple[AccountAPI, AccountAPI], outsider: AccountAPI
) -> None:
    """A member suspended between its vote and the execution no longer counts: its yes vote is dropped."""
    first, second = colluders
    proposal_id = int(c.partners.propose(SUSPEND, c.university, 0, 0, sender=first).return_value)
    for voter in (second, c.bank):
        c.partners.vote(proposal_id, True, sender=voter)
    suspension = int(c.partners.propose(SUSPEND, second, 0, 0, sender=c.town).return_value)
    for voter in (c.bank, c.university):
        c.partners.vote(suspension, True, sender=voter)
    c.partners.execute(suspension, sender=c.town)
    assert c.partners.activeCouncilCount() == 4

    with reverts_with(c.partners.PartnerRegistryQuorumNotReached, proposalId=proposal_id, yesVotes=2, required=3):
        c.partners.execute(proposal_id, sender=outsider)


def test_majority_of_larger_council(
    c: Chain, colluders: tuple[AccountAPI, AccountAPI], mill_issuer: AccountAPI
) -> None:
    """The majority is of the council at proposal time or now, whichever is larger: a council of five that shrank to
    three still needs 3 yes votes of active members (v1 took 2 of the 3 now), and a proposal made by a council of
    three that grew to five needs 3 as well."""
    first, second = colluders
    shrinking = int(c.partners.propose(SUSPEND, mill_issuer, 0, 0, sender=c.town).return_value)
    c.partners.vote(shrinking, True, sender=c.bank)
    c.partners.leave(sender=first)
    c.partners.leave(sender=second)
    with reverts_with(c.partners.PartnerRegistryQuorumNotReached, proposalId=shrinking, yesVotes=2, required=3):
        c.partners.execute(shrinking, sender=c.town)
    c.partners.vote(shrinking, True, sender=c.university)
    at = pin_next_block(c.chain)
    executed = c.partners.execute(shrinking, sender=c.town)
    assert list(executed.events) == [
        log(c.partners.PartnerStatusChanged, mill_issuer, ACTIVE, SUSPENDED, shrinking, at),
        log(c.partners.ProposalExecuted, shrinking, c.town, 3, 3),
    ]
    assert c.partners.proposal(shrinking).councilAtProposal == 5


def test_majority_of_a_council_that_grew_since_the_proposal(
    c: Chain, accounts: list[AccountAPI], mill_issuer: AccountAPI
) -> None:
    """Members admitted after the proposal raise the bar: 2 of the 3 at proposal time are not a majority of 5."""
    growing = int(c.partners.propose(SUSPEND, mill_issuer, 0, 0, sender=c.town).return_value)
    c.partners.vote(growing, True, sender=c.bank)
    c.admit(accounts[6], "Newcomer One", COUNCIL)
    c.admit(accounts[7], "Newcomer Two", COUNCIL)
    with reverts_with(c.partners.PartnerRegistryQuorumNotReached, proposalId=growing, yesVotes=2, required=3):
        c.partners.execute(growing, sender=c.town)
    c.partners.vote(growing, True, sender=accounts[6])
    executed = c.partners.execute(growing, sender=c.town)
    assert log(c.partners.ProposalExecuted, growing, c.town, 3, 3) in executed.events
    assert c.partners.proposal(growing).councilAtProposal == 3


# --- finding 4: a suspended issuer's key is frozen ----------------------------------------------------------------


def test_suspended_issuer_key_cannot_change_its_certificates(c: Chain, mill_issuer: AccountAPI) -> None:
    """A stolen key of a partner the council suspended can neither revoke, suspend nor reinstate any of its
    certificates; nothing changes on chain."""
    kept = digest("kept valid")
    kept_id = bytes(c.certificates.issue(kept, digest("kept original"), 0, sender=mill_issuer).return_value)
    paused = digest("paused by the issuer")
    paused_id = bytes(c.certificates.issue(paused, digest("paused original"), 0, sender=mill_issuer).return_value)
    c.certificates.suspend(paused_id, REASON, sender=mill_issuer)
    paused_record = c.status(paused_id)
    c.carry(SUSPEND, mill_issuer)

    for action, id_ in (
        (c.certificates.revoke, kept_id),
        (c.certificates.suspend, kept_id),
        (c.certificates.revoke, paused_id),
        (c.certificates.reinstate, paused_id),
    ):
        with reverts_with(c.certificates.CertificateRegistryUnauthorized, account=mill_issuer, id=id_):
            action(id_, REASON, sender=mill_issuer)
    with reverts_with(c.certificates.CertificateRegistryUnauthorized, account=mill_issuer, id=kept_id):
        c.certificates.revokeDocument(kept_id, kept, REASON, [], sender=mill_issuer)
    assert c.status(kept_id) == (VALID, False, 0, 0)
    assert c.status(paused_id) == paused_record
    assert c.verdict(kept_id, kept) == V_VALID


def test_a_key_declared_compromised_is_frozen_while_its_partner_is_still_active(
    c: Chain, mill_issuer: AccountAPI, mill_single: bytes
) -> None:
    """SetCompromised on an active partner freezes the key at once: its certificates are the council's to act on."""
    cutoff = int(c.chain.blocks.head.timestamp)
    c.carry(SET_COMPROMISED, mill_issuer, cutoff=cutoff)
    assert c.partners.isActiveIssuer(mill_issuer)

    with reverts_with(c.certificates.CertificateRegistryUnauthorized, account=mill_issuer, id=mill_single):
        c.certificates.revoke(mill_single, REASON, sender=mill_issuer)


# --- finding 5: one council member holds; revoking or lifting is a council decision ---------------------------------


def test_single_council_member_can_only_hold_another_issuers_certificate(
    c: Chain, mill_issuer: AccountAPI, mill_single: bytes
) -> None:
    """The bank (council) may suspend the mill's certificate at once, marked byCouncil; it cannot revoke it, nor lift
    the hold, alone."""
    root = digest("mill single certificate")
    with reverts_with(c.certificates.CertificateRegistryCouncilDecisionRequired, account=c.bank, id=mill_single):
        c.certificates.revoke(mill_single, REASON, sender=c.bank)
    with reverts_with(c.certificates.CertificateRegistryCouncilDecisionRequired, account=c.bank, id=mill_single):
        c.certificates.revokeDocument(mill_single, root, REASON, [], sender=c.bank)
    at = pin_next_block(c.chain)
    held = c.certificates.suspend(mill_single, REASON, sender=c.bank)
    assert list(held.events) == [
        log(c.certificates.CertificateSuspended, mill_single, ZERO_HASH, c.bank, REASON, at, True)
    ]
    for member in (c.bank, c.university):
        for action in (c.certificates.reinstate, c.certificates.revoke):
            with reverts_with(
                c.certificates.CertificateRegistryCouncilDecisionRequired, account=member, id=mill_single
            ):
                action(mill_single, REASON, sender=member)
    assert c.status(mill_single) == (SUSPENDED_STATUS, True, REASON, at)
    assert c.verdict(mill_single, root) == V_SUSPENDED


def test_lifting_a_council_hold_needs_a_council_decision(c: Chain, mill_issuer: AccountAPI, mill_single: bytes) -> None:
    """Neither the issuer nor one member lifts a hold; a LiftCertificateSuspension proposal carried by a majority does,
    and the registry records the partner registry as `by`, byCouncil."""
    c.certificates.suspend(mill_single, REASON, sender=c.bank)
    with reverts_with(c.certificates.CertificateRegistryCouncilSuspension, id=mill_single, leaf=ZERO_HASH):
        c.certificates.reinstate(mill_single, REASON, sender=mill_issuer)

    at = pin_next_block(c.chain)
    proposed = c.propose_decision(LIFT_CERTIFICATE_SUSPENSION, mill_single)
    proposal_id = int(proposed.return_value)
    assert list(proposed.events) == [
        log(
            c.partners.ProposalCreated,
            proposal_id,
            LIFT_CERTIFICATE_SUSPENSION,
            c.certificates,
            c.town,
            0,
            0,
            at + VOTING_PERIOD,
            mill_single,
            ZERO_HASH,
            REASON,
            3,
        ),
        log(c.partners.VoteCast, proposal_id, c.town, True, 1, 0),
    ]
    with reverts_with(c.partners.PartnerRegistryQuorumNotReached, proposalId=proposal_id, yesVotes=1, required=2):
        c.partners.execute(proposal_id, sender=c.town)
    c.partners.vote(proposal_id, True, sender=c.university)
    at = pin_next_block(c.chain)
    executed = c.partners.execute(proposal_id, sender=mill_issuer)
    assert list(executed.events) == [
        log(c.certificates.CertificateReinstated, mill_single, ZERO_HASH, c.partners, REASON, at, True),
        log(c.partners.ProposalExecuted, proposal_id, mill_issuer, 2, 2),
    ]
    assert c.status(mill_single) == (VALID, True, REASON, at)


def test_council_decision_revokes_another_issuers_certificate(c: Chain, mill_issuer: AccountAPI) -> None:
    """RevokeCertificate for one document of the mill's batch: the proof is checked when proposed, the revocation
    happens at execution (by the partner registry, byCouncil), and only there."""
    batch = Batch.of("mill batch under review", 4)
    c.certificates.issueBatch(batch.root, 0, sender=mill_issuer)
    id_ = batch.id(mill_issuer)
    leaf, other = batch.documents[2], batch.documents[0]
    with reverts_with(c.certificates.CertificateRegistryInvalidProof, id=id_, leaf=leaf):
        c.propose_decision(REVOKE_CERTIFICATE, id_, leaf, batch.proof(other))
    with reverts_with(c.partners.PartnerRegistryWrongProposeFunction, kind=REVOKE_CERTIFICATE):
        c.partners.propose(REVOKE_CERTIFICATE, mill_issuer, 0, 0, sender=c.town)
    with reverts_with(c.partners.PartnerRegistryWrongProposeFunction, kind=SUSPEND):
        c.propose_decision(SUSPEND, id_, leaf, batch.proof(leaf))
    with reverts_with(c.partners.PartnerRegistryNotCouncil, account=mill_issuer):
        c.propose_decision(REVOKE_CERTIFICATE, id_, leaf, batch.proof(leaf), by=mill_issuer)

    at = pin_next_block(c.chain)
    proposed = c.propose_decision(REVOKE_CERTIFICATE, id_, leaf, batch.proof(leaf))
    proposal_id = int(proposed.return_value)
    assert log(
        c.partners.ProposalCreated,
        proposal_id,
        REVOKE_CERTIFICATE,
        c.certificates,
        c.town,
        0,
        0,
        at + VOTING_PERIOD,
        id_,
        leaf,
        REASON,
        3,
    ) in list(proposed.events)
    assert c.verdict(id_, leaf, batch.proof(leaf)) == V_VALID
    c.partners.vote(proposal_id, True, sender=c.bank)
    at = pin_next_block(c.chain)
    executed = c.partners.execute(proposal_id, sender=c.university)
    assert list(executed.events) == [
        log(c.certificates.CertificateRevoked, id_, leaf, c.partners, REASON, at, True),
        log(c.partners.ProposalExecuted, proposal_id, c.university, 2, 2),
    ]
    assert c.verdict(id_, leaf, batch.proof(leaf)) == V_REVOKED
    assert c.verdict(id_, other, batch.proof(other)) == V_VALID


def test_a_council_decision_that_no_longer_applies_is_not_executed(
    c: Chain, mill_issuer: AccountAPI, mill_single: bytes
) -> None:
    """The issuer revoked its certificate while the council voted to revoke it: execution reverts with the
    registry's error and the proposal stays open (not executed)."""
    proposal_id = int(c.propose_decision(REVOKE_CERTIFICATE, mill_single).return_value)
    c.partners.vote(proposal_id, True, sender=c.bank)
    c.certificates.revoke(mill_single, REASON, sender=mill_issuer)
    with reverts_with(c.certificates.CertificateRegistryAlreadyRevoked, id=mill_single, leaf=ZERO_HASH):
        c.partners.execute(proposal_id, sender=c.town)
    assert not c.partners.proposal(proposal_id).executed


# --- finding 13: a compromise cut-off can be set after expulsion, and only moves earlier ---------------------------


def test_expelled_partner_can_be_marked_compromised_later(
    c: Chain, mill_issuer: AccountAPI, mill_single: bytes
) -> None:
    """Expelled for conduct first, the key's theft found later: SetCompromised puts the cut-off on the expelled
    partner, and its certificates from then on are IssuerCompromised."""
    issued_at = int(c.certificates.certificate(mill_single).issuedAt)
    c.carry(EXPEL, mill_issuer)
    root = digest("mill single certificate")
    assert c.verdict(mill_single, root) == V_VALID

    proposal_id = int(c.partners.propose(SET_COMPROMISED, mill_issuer, 0, issued_at, sender=c.town).return_value)
    c.partners.vote(proposal_id, True, sender=c.bank)
    executed = c.partners.execute(proposal_id, sender=c.town)
    assert list(executed.events) == [
        log(c.partners.PartnerCompromised, mill_issuer, issued_at, proposal_id),
        log(c.partners.ProposalExecuted, proposal_id, c.town, 2, 2),
    ]
    assert c.partners.compromisedAfter(mill_issuer) == issued_at
    assert c.partners.partner(mill_issuer).status == EXPELLED
    assert c.verdict(mill_single, root) == V_COMPROMISED


def test_compromise_cut_off_only_moves_earlier(
    c: Chain, mill_issuer: AccountAPI, newcomer: AccountAPI, outsider: AccountAPI
) -> None:
    """A later cut-off would bring back certificates already declared invalid; none is refused too (SetCompromised
    needs one), and so is a future one; strangers and applicants have nothing to mark."""
    now = int(c.chain.blocks.head.timestamp)
    cutoff = now - 100
    c.carry(EXPEL, mill_issuer, cutoff=cutoff)
    for refused in (cutoff, cutoff + 1, now, 0):
        with reverts_with(c.partners.PartnerRegistryInvalidCutoff, compromisedAfter=refused):
            c.partners.propose(SET_COMPROMISED, mill_issuer, 0, refused, sender=c.town)
    future = int(c.chain.blocks.head.timestamp) + 1_000
    with reverts_with(c.partners.PartnerRegistryInvalidCutoff, compromisedAfter=future):
        c.partners.propose(SET_COMPROMISED, c.university, 0, future, sender=c.town)
    c.partners.applyForMembership(SME, "Applicant", "applicant.example", ZERO_HASH, sender=newcomer)
    for subject, status in ((outsider, NONE), (newcomer, APPLIED)):
        with reverts_with(c.partners.PartnerRegistryInvalidStatus, account=subject, status=status):
            c.partners.propose(SET_COMPROMISED, subject, 0, cutoff, sender=c.town)

    c.carry(SET_COMPROMISED, mill_issuer, cutoff=cutoff - 1)
    assert c.partners.compromisedAfter(mill_issuer) == cutoff - 1
    c.partners.leave(sender=c.university)
    c.carry(SET_COMPROMISED, c.university, cutoff=cutoff)  # a partner who left can be marked too
    assert c.partners.partner(c.university).status == LEFT


# --- finding 14: an issuer cannot pre-empt a council hold -----------------------------------------------------------


def test_issuer_cannot_preempt_a_council_hold(c: Chain, mill_issuer: AccountAPI, mill_single: bytes) -> None:
    """The mill suspends its own certificate first to keep the council out; a council member's hold still lands (it
    turns the suspension into the council's), and the mill's reinstatement is then refused."""
    c.certificates.suspend(mill_single, 1, sender=mill_issuer)
    assert c.status(mill_single)[:2] == (SUSPENDED_STATUS, False)
    at = pin_next_block(c.chain)
    held = c.certificates.suspend(mill_single, REASON, sender=c.bank)
    assert list(held.events) == [
        log(c.certificates.CertificateSuspended, mill_single, ZERO_HASH, c.bank, REASON, at, True)
    ]
    assert c.status(mill_single) == (SUSPENDED_STATUS, True, REASON, at)
    with reverts_with(c.certificates.CertificateRegistryCouncilSuspension, id=mill_single, leaf=ZERO_HASH):
        c.certificates.reinstate(mill_single, 2, sender=mill_issuer)
    with reverts_with(c.certificates.CertificateRegistryAlreadySuspended, id=mill_single, leaf=ZERO_HASH):
        c.certificates.suspend(mill_single, 3, sender=mill_issuer)


# --- finding 16: a batch root is not its own document; events say who acted ----------------------------------------


def test_batch_root_is_not_a_document_of_its_batch(c: Chain, mill_issuer: AccountAPI) -> None:
    """verify(id, root, []) of a batch is InvalidProof (v1 answered Valid), and no status change can address the
    root as one of the batch's documents; a single certificate's root still is its document."""
    batch = Batch.of("mill batch", 3)
    c.certificates.issueBatch(batch.root, 0, sender=mill_issuer)
    id_ = batch.id(mill_issuer)
    state = c.certificates.verify(id_, batch.root, [])
    assert (int(state.verdict), state.proofValid) == (V_INVALID_PROOF, False)
    with reverts_with(c.certificates.CertificateRegistryInvalidProof, id=id_, leaf=batch.root):
        c.certificates.revokeDocument(id_, batch.root, REASON, [], sender=mill_issuer)

    single = digest("single")
    single_id = bytes(c.certificates.issue(single, digest("single original"), 0, sender=mill_issuer).return_value)
    assert c.verdict(single_id, single) == V_VALID
    state = c.certificates.verify(single_id, single, [digest("a sibling")])
    assert (int(state.verdict), state.proofValid) == (V_INVALID_PROOF, False)


def test_status_events_say_whether_the_council_made_the_change(
    c: Chain, mill_issuer: AccountAPI, mill_single: bytes
) -> None:
    """byCouncil is false for the issuer's own change, true for a member's hold and for a council decision."""
    root = digest("mill single certificate")
    at = pin_next_block(c.chain)
    own = c.certificates.suspendDocument(mill_single, root, 1, [], sender=mill_issuer)
    assert list(own.events) == [log(c.certificates.CertificateSuspended, mill_single, root, mill_issuer, 1, at, False)]
    at = pin_next_block(c.chain)
    hold = c.certificates.suspend(mill_single, 2, sender=c.university)
    assert list(hold.events) == [
        log(c.certificates.CertificateSuspended, mill_single, ZERO_HASH, c.university, 2, at, True)
    ]


# --- finding 8 (contract side): the leaf is an indexed topic --------------------------------------------------------


def test_document_published_has_the_leaf_as_topic_1(c: Chain, mill_issuer: AccountAPI) -> None:
    """DocumentPublished(leaf indexed, fingerprint indexed, id): a node can filter the logs by leaf alone, so a
    lookup by leaf on the chain source costs O(answer)."""
    batch = Batch.of("published", 3)
    receipt = c.certificates.issueBatchPublic(
        batch.root, 0, list(batch.documents), list(batch.fingerprints), sender=mill_issuer
    )
    id_ = batch.id(mill_issuer)
    topic0 = keccak(text="DocumentPublished(bytes32,bytes32,bytes32)")
    published = [entry for entry in receipt.logs if bytes(entry["topics"][0]) == topic0]
    assert [[bytes(topic) for topic in entry["topics"]] for entry in published] == [
        [topic0, leaf, fingerprint] for leaf, fingerprint in zip(batch.documents, batch.fingerprints, strict=True)
    ]
    assert {bytes.fromhex(str(entry["data"].hex()).removeprefix("0x")) for entry in published} == {id_}

    leaf = batch.documents[1]
    found = c.chain.provider.web3.eth.get_logs(
        {
            "address": c.certificates.address,
            "fromBlock": 0,
            "toBlock": "latest",
            "topics": ["0x" + topic0.hex(), "0x" + leaf.hex()],
        }
    )
    assert [(bytes(entry["topics"][1]), bytes(entry["topics"][2])) for entry in found] == [
        (leaf, batch.fingerprints[1])
    ]


# --- the standing mirror: the certificate registry's own copy of partners' standing ---------------------------------
# The certificate registry checks an issuer's standing in its own storage (one read) instead of calling the partner
# registry (a cold call), which keeps a document's status change under 60,000 gas. These tests try to make the copy
# lie: write it directly, bind a registry to a stranger's mirror, or act in the block right after a change.


def mirrored(c: Chain, account: AccountAPI | str) -> tuple[bool, bool, int]:
    """The certificate registry's copy of `account`'s standing."""
    standing = c.certificates.standingOf(account)
    return bool(standing.issuer), bool(standing.council), int(standing.compromisedAfter)


def registry_standing(c: Chain, account: AccountAPI | str) -> tuple[bool, bool, int]:
    """The same three facts as the partner registry answers them."""
    return (
        bool(c.partners.isActiveIssuer(account)),
        bool(c.partners.isActiveCouncil(account)),
        int(c.partners.compromisedAfter(account)),
    )


def test_the_registries_name_each_other_and_the_founders_standing_is_mirrored_from_deployment(
    c: Chain, outsider: AccountAPI
) -> None:
    """The binding is mutual and fixed at deployment; the founders can issue from the first block."""
    assert c.partners.standingMirror() == c.certificates.address
    assert c.certificates.partners() == c.partners.address
    for founder in (c.town, c.bank, c.university):
        assert mirrored(c, founder) == registry_standing(c, founder) == (True, True, 0)
    assert mirrored(c, outsider) == (False, False, 0)


def test_a_partner_registry_refuses_a_mirror_that_names_another_registry(
    project: Any, town: AccountAPI, founders: list[AccountAPI], outsider: AccountAPI
) -> None:
    """A certificate registry bound to someone else (or a mispredicted address) cannot be fed by this registry."""
    stray = town.deploy(project.CertificateRegistry, outsider.address)
    with deploy_reverts(project.PartnerRegistry, "PartnerRegistryMirrorMismatch", stray, outsider):
        town.deploy(project.PartnerRegistry, founder_tuples(founders), VOTING_PERIOD, stray, NO_MIRROR)


def test_nobody_but_the_partner_registry_can_write_the_mirror(
    c: Chain, outsider: AccountAPI, mill_issuer: AccountAPI, mill_single: bytes
) -> None:
    """A stranger cannot make itself an issuer, a council member cannot promote anyone, and a suspended issuer's
    stolen key cannot unfreeze itself: each write reverts and the copy stays as the partner registry left it."""
    c.carry(SUSPEND, mill_issuer)
    before = {a.address: mirrored(c, a) for a in (outsider, mill_issuer, c.town)}
    attempts = ((outsider, outsider), (c.town, outsider), (mill_issuer, mill_issuer))
    for sender, subject in attempts:
        with reverts_with(c.certificates.CertificateRegistryNotPartnerRegistry, account=sender):
            c.certificates.setStanding(subject, (True, True, 0), sender=sender)
    assert {a.address: mirrored(c, a) for a in (outsider, mill_issuer, c.town)} == before
    with reverts_with(c.certificates.CertificateRegistryUnauthorizedIssuer, account=outsider):
        c.certificates.issue(digest("stranger's root"), digest("stranger's original"), 0, sender=outsider)
    with reverts_with(c.certificates.CertificateRegistryUnauthorized, account=mill_issuer, id=mill_single):
        c.certificates.revoke(mill_single, REASON, sender=mill_issuer)


def test_every_change_of_standing_reaches_the_mirror_in_the_transaction_that_makes_it(
    c: Chain, mill_issuer: AccountAPI, gallery_issuer: AccountAPI
) -> None:
    """Admission, suspension, reinstatement, rights granted and withdrawn, a compromise cut-off, expulsion and leaving:
    after each, the copy equals the partner registry's answer, with no transaction in between."""
    assert mirrored(c, mill_issuer) == (True, False, 0)
    cutoff = int(c.chain.blocks.head.timestamp)
    steps = [
        (SUSPEND, 0, 0, (False, False, 0)),
        (REINSTATE, 0, 0, (True, False, 0)),
        (GRANT_RIGHTS, COUNCIL, 0, (True, True, 0)),
        (WITHDRAW_RIGHTS, ISSUER, 0, (False, True, 0)),
        (SET_COMPROMISED, 0, cutoff, (False, True, cutoff)),
        (EXPEL, 0, 0, (False, False, cutoff)),
    ]
    for kind, rights, at, expected in steps:
        # Three founders' votes: once the mill sits on the council, two of four are no longer a majority.
        proposal_id = int(c.partners.propose(kind, mill_issuer, rights, at, sender=c.town).return_value)
        for voter in (c.bank, c.university):
            c.partners.vote(proposal_id, True, sender=voter)
        c.partners.execute(proposal_id, sender=c.town)
        assert mirrored(c, mill_issuer) == registry_standing(c, mill_issuer) == expected, kind
    c.partners.leave(sender=gallery_issuer)
    assert mirrored(c, gallery_issuer) == registry_standing(c, gallery_issuer) == (False, False, 0)
