"""Contract tests for PartnerRegistry: founding, applications, council proposals and votes, execution, leaving, and
the standing views that answer "was X an active issuer at time T?".

Every test starts from the session's consortium (town, bank and university, each ISSUER | COUNCIL, so a proposal
needs 2 of 3 yes votes) inside its own chain snapshot. Only tests that need another founding set deploy a registry of
their own. Events are compared as the transaction's complete, ordered list of logs with every argument; reverts by
custom error with every argument (see the helpers in conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from ape.api import AccountAPI, ReceiptAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from support.contracts import (
    ACTIVE,
    ADMIT,
    APPLIED,
    COUNCIL,
    ENTERPRISE,
    EXPEL,
    EXPELLED,
    FOUNDER_DETAILS,
    GRANT_RIGHTS,
    ISSUER,
    LEFT,
    MINISTRY,
    NGO,
    NO_MIRROR,
    NONE,
    PUBLIC_ADMINISTRATION,
    REINSTATE,
    SME,
    SUSPEND,
    SUSPENDED,
    VOTING_PERIOD,
    WITHDRAW_RIGHTS,
    ZERO_HASH,
    deploy_consortium,
    deploy_reverts,
    details_hash,
    founder_tuples,
    log,
    reverts_with,
)

KIND_NAMES = ["Admit", "Suspend", "Reinstate", "Expel", "GrantRights", "WithdrawRights"]
STATUS_NAMES = ["None", "Applied", "Active", "Suspended", "Expelled", "Left"]
MILL_METADATA = b"\x11" * 32
# The details hash of the mill's default application (Consortium.apply): what an Admit proposal binds.
MILL_DETAILS = details_hash(SME, "Textile Mill", "mill.example", MILL_METADATA)
# proposal() of an id that names no proposal.
NO_PROPOSAL = ("0x" + "00" * 20, 0, 0, False, 0, 0, 0, 0, 0, 0, b"\x00" * 32, b"\x00" * 32)
# Which subject statuses each proposal kind accepts (at proposal and again at execution).
ALLOWED_STATUSES = {
    ADMIT: {APPLIED},
    SUSPEND: {ACTIVE},
    REINSTATE: {SUSPENDED},
    EXPEL: {ACTIVE, SUSPENDED},
    GRANT_RIGHTS: {ACTIVE, SUSPENDED},
    WITHDRAW_RIGHTS: {ACTIVE, SUSPENDED},
}
# anvil gives every block mined within the same wall-clock second the same timestamp, so a test that looks at
# "one second before a change" first moves the clock this far ahead of the latest block.
GAP = 100
ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True)
class Consortium:
    """The session's registry and its council, with the few multi-step moves most tests need as set-up."""

    registry: ContractInstance
    town: AccountAPI
    bank: AccountAPI
    university: AccountAPI
    chain: ChainManager

    def apply(
        self, account: AccountAPI, name: str = "Textile Mill", org_type: int = SME, domain: str = "mill.example"
    ) -> ReceiptAPI:
        return self.registry.applyForMembership(org_type, name, domain, MILL_METADATA, sender=account)

    def propose(self, kind: int, subject: AccountAPI, rights: int = 0, cutoff: int = 0) -> int:
        """The town proposes; returns the new proposal's id."""
        tx = self.registry.propose(kind, subject, rights, cutoff, sender=self.town)
        return int(tx.return_value)

    def carry(
        self,
        kind: int,
        subject: AccountAPI,
        rights: int = 0,
        cutoff: int = 0,
        executor: AccountAPI | None = None,
        delay: int | None = None,
    ) -> ReceiptAPI:
        """Town proposes, bank seconds (2 of 3), `executor` (default: town) executes, `delay` seconds after the
        vote if given (so a timeline's changes lie apart)."""
        proposal_id = self.propose(kind, subject, rights, cutoff)
        self.registry.vote(proposal_id, True, sender=self.bank)
        if delay is not None:
            self.later(delay)
        return self.registry.execute(proposal_id, sender=executor or self.town)

    def admit(self, account: AccountAPI, rights: int = ISSUER) -> ReceiptAPI:
        self.apply(account)
        return self.carry(ADMIT, account, rights)

    def subject_in(self, status: int, applicant: AccountAPI, outsider: AccountAPI) -> AccountAPI:
        """A partner in `status`, made with the fewest transactions (the university stands in for a member)."""
        if status == NONE:
            return outsider
        if status == APPLIED:
            self.apply(applicant)
            return applicant
        if status == SUSPENDED:
            self.carry(SUSPEND, self.university)
        elif status == EXPELLED:
            self.carry(EXPEL, self.university)
        elif status == LEFT:
            self.registry.leave(sender=self.university)
        return self.university

    def later(self, seconds: int = GAP) -> int:
        """Fix the next block's timestamp `seconds` after the latest block's, and return it."""
        at = int(self.chain.blocks.head.timestamp) + seconds
        self.chain.pending_timestamp = at
        return at


@pytest.fixture
def consortium(
    partner_registry: ContractInstance, town: AccountAPI, bank: AccountAPI, university: AccountAPI, chain: ChainManager
) -> Consortium:
    """The session's consortium with its set-up moves; state lives on chain, so a fresh object per test is free."""
    return Consortium(partner_registry, town, bank, university, chain)


@pytest.fixture
def registry(partner_registry: ContractInstance) -> ContractInstance:
    """The session's registry under a shorter name (ape rolls it back to its deployed state after every test)."""
    return partner_registry


@pytest.fixture
def lone_registry(project: ProjectManager, town: AccountAPI, bank: AccountAPI) -> ContractInstance:
    """A consortium whose ONLY council member is the town; the bank is a founder with the issuer right alone.

    Function-scoped on purpose: a deployment costs one transaction, and a module-scoped one would be created after
    ape's module snapshot and leak into the tests that follow it.
    """
    founding = [
        (town.address, PUBLIC_ADMINISTRATION, ISSUER | COUNCIL, "Town of Originals", "town.example", ZERO_HASH),
        (bank.address, ENTERPRISE, ISSUER, "Cooperative Bank", "bank.example", ZERO_HASH),
    ]
    return deploy_consortium(project, town, founding)[0]


# --- constructor ------------------------------------------------------------------------------------------------


def test_constructor_registers_each_founder_as_active_with_its_rights(
    registry: ContractInstance, founders: list[AccountAPI]
) -> None:
    """Founders are the consortium's first council: active at once, with their rights, joined at deployment."""
    deployed_at = registry.creation_metadata.receipt.timestamp
    for account, (org_type, name, domain) in zip(founders, FOUNDER_DETAILS, strict=True):
        assert registry.partner(account) == (
            org_type,
            ACTIVE,
            ISSUER | COUNCIL,
            deployed_at,
            0,
            founders.index(account) + 1,  # council seats in founding order
            details_hash(org_type, name, domain, ZERO_HASH),
            ZERO_HASH,
            name,
            domain,
        )
        assert registry.isActiveIssuer(account)
        assert registry.isActiveCouncil(account)
    assert registry.activeCouncilCount() == 3
    assert registry.votingPeriod() == VOTING_PERIOD
    assert registry.proposalCount() == 0
    assert (registry.ISSUER(), registry.COUNCIL()) == (ISSUER, COUNCIL)


def test_constructor_emits_registration_status_and_rights_events_for_each_founder(
    registry: ContractInstance, founders: list[AccountAPI]
) -> None:
    """The indexer rebuilds founders from logs alone: each founder is registered, applies, turns active, gets rights."""
    receipt = registry.creation_metadata.receipt
    at = receipt.timestamp
    expected = []
    for account, (org_type, name, domain) in zip(founders, FOUNDER_DETAILS, strict=True):
        expected += [
            log(registry.PartnerRegistered, account, org_type, name, domain, ZERO_HASH),
            log(registry.PartnerStatusChanged, account, NONE, APPLIED, 0, at),
            log(registry.PartnerStatusChanged, account, APPLIED, ACTIVE, 0, at),
            log(registry.PartnerRightsChanged, account, 0, ISSUER | COUNCIL, 0, at),
        ]
    assert expected == list(receipt.events)


def test_constructor_counts_only_founders_with_the_council_right(
    lone_registry: ContractInstance, town: AccountAPI, bank: AccountAPI
) -> None:
    """A founder without COUNCIL is an active issuer but neither votes nor counts towards the majority."""
    assert lone_registry.activeCouncilCount() == 1
    assert lone_registry.isActiveCouncil(town)
    assert lone_registry.isActiveIssuer(bank)
    assert not lone_registry.isActiveCouncil(bank)
    assert lone_registry.partner(bank).rights == ISSUER


def test_constructor_rejects_a_zero_voting_period(
    project: ProjectManager, town: AccountAPI, founders: list[AccountAPI]
) -> None:
    """With no time to vote, no proposal could ever pass."""
    with deploy_reverts(project.PartnerRegistry, "PartnerRegistryInvalidFounding"):
        town.deploy(project.PartnerRegistry, founder_tuples(founders), 0, NO_MIRROR, NO_MIRROR)


def test_constructor_rejects_founders_without_any_council_member(
    project: ProjectManager, town: AccountAPI, bank: AccountAPI
) -> None:
    """Without a council nobody could ever propose, so the consortium would be frozen from birth."""
    issuers_only = [
        (town.address, PUBLIC_ADMINISTRATION, ISSUER, "Town of Originals", "town.example", ZERO_HASH),
        (bank.address, ENTERPRISE, ISSUER, "Cooperative Bank", "bank.example", ZERO_HASH),
    ]
    with deploy_reverts(project.PartnerRegistry, "PartnerRegistryInvalidFounding"):
        town.deploy(project.PartnerRegistry, issuers_only, VOTING_PERIOD, NO_MIRROR, NO_MIRROR)


def test_constructor_rejects_an_empty_founder_list(project: ProjectManager, town: AccountAPI) -> None:
    """No founders means no council either."""
    with deploy_reverts(project.PartnerRegistry, "PartnerRegistryInvalidFounding"):
        town.deploy(project.PartnerRegistry, [], VOTING_PERIOD, NO_MIRROR, NO_MIRROR)


def test_constructor_rejects_a_duplicate_founder(
    project: ProjectManager, town: AccountAPI, founders: list[AccountAPI]
) -> None:
    """A founder listed twice would count twice in the council; the second entry finds it already active."""
    twice = founder_tuples([founders[0], founders[1], founders[0]])
    with deploy_reverts(project.PartnerRegistry, "PartnerRegistryAlreadyRegistered", town, ACTIVE):
        town.deploy(project.PartnerRegistry, twice, VOTING_PERIOD, NO_MIRROR, NO_MIRROR)


def test_constructor_rejects_a_founder_without_display_name(project: ProjectManager, town: AccountAPI) -> None:
    """Verifiers are shown the issuer's name, so every partner needs one, founders included."""
    nameless = [(town.address, PUBLIC_ADMINISTRATION, ISSUER | COUNCIL, "", "town.example", ZERO_HASH)]
    with deploy_reverts(project.PartnerRegistry, "PartnerRegistryEmptyDisplayName"):
        town.deploy(project.PartnerRegistry, nameless, VOTING_PERIOD, NO_MIRROR, NO_MIRROR)


@pytest.mark.parametrize("rights", [4, ISSUER | COUNCIL | 8, 0xFF])
def test_constructor_rejects_unknown_rights_bits(project: ProjectManager, town: AccountAPI, rights: int) -> None:
    """Bits beyond ISSUER and COUNCIL mean nothing today and must not silently mean something after an upgrade."""
    odd = [(town.address, PUBLIC_ADMINISTRATION, rights, "Town of Originals", "town.example", ZERO_HASH)]
    with deploy_reverts(project.PartnerRegistry, "PartnerRegistryInvalidRights", rights):
        town.deploy(project.PartnerRegistry, odd, VOTING_PERIOD, NO_MIRROR, NO_MIRROR)


# --- applyForMembership ---------------------------------------------------------------------------------------------


def test_apply_registers_the_applicant_and_emits_its_details(
    consortium: Consortium, registry: ContractInstance, applicant: AccountAPI
) -> None:
    """An application creates an Applied record without rights; the events carry the whole record for the indexer."""
    tx = registry.applyForMembership(NGO, "Fair Fabrics", "fair.example", MILL_METADATA, sender=applicant)
    assert list(tx.events) == [
        log(registry.PartnerRegistered, applicant, NGO, "Fair Fabrics", "fair.example", MILL_METADATA),
        log(registry.PartnerStatusChanged, applicant, NONE, APPLIED, 0, tx.timestamp),
    ]
    assert registry.partner(applicant) == (
        NGO,
        APPLIED,
        0,
        0,
        0,
        0,
        details_hash(NGO, "Fair Fabrics", "fair.example", MILL_METADATA),
        MILL_METADATA,
        "Fair Fabrics",
        "fair.example",
    )
    assert not registry.isActiveIssuer(applicant)
    assert not registry.isActiveCouncil(applicant)


def test_apply_rejects_an_empty_display_name(registry: ContractInstance, applicant: AccountAPI) -> None:
    """A partner without a name could not be shown to verifiers."""
    with reverts_with(registry.PartnerRegistryEmptyDisplayName):
        registry.applyForMembership(SME, "", "mill.example", MILL_METADATA, sender=applicant)


@pytest.mark.parametrize("status", [APPLIED, ACTIVE, SUSPENDED, EXPELLED], ids=lambda s: STATUS_NAMES[s])
def test_apply_rejects_an_address_that_already_has_a_record(
    consortium: Consortium, registry: ContractInstance, applicant: AccountAPI, outsider: AccountAPI, status: int
) -> None:
    """Re-applying must not overwrite a record: an expelled partner in particular must not whitewash itself."""
    subject = consortium.subject_in(status, applicant, outsider)
    with reverts_with(registry.PartnerRegistryAlreadyRegistered, account=subject, status=status):
        consortium.apply(subject, name="Fresh Start")


def test_partner_who_left_may_apply_again_with_new_details(
    consortium: Consortium, registry: ContractInstance, applicant: AccountAPI
) -> None:
    """Leaving is voluntary and clean, so the door stays open; the new application replaces the old details."""
    consortium.admit(applicant, ISSUER)
    registry.leave(sender=applicant)
    tx = registry.applyForMembership(MINISTRY, "Ministry of Craft", "craft.example", ZERO_HASH, sender=applicant)
    assert list(tx.events) == [
        log(registry.PartnerRegistered, applicant, MINISTRY, "Ministry of Craft", "craft.example", ZERO_HASH),
        log(registry.PartnerStatusChanged, applicant, LEFT, APPLIED, 0, tx.timestamp),
    ]
    record = registry.partner(applicant)
    assert (record.orgType, record.status, record.rights) == (MINISTRY, APPLIED, 0)
    assert (record.displayName, record.domain, record.metadataHash) == ("Ministry of Craft", "craft.example", ZERO_HASH)


def test_readmission_after_leaving_resets_joined_at(consortium: Consortium, applicant: AccountAPI) -> None:
    """joinedAt is the start of the current membership, not of the first one."""
    first_joined = consortium.admit(applicant, ISSUER).timestamp
    consortium.registry.leave(sender=applicant)
    consortium.apply(applicant)
    readmitted = consortium.carry(ADMIT, applicant, ISSUER, delay=GAP)
    assert readmitted.timestamp > first_joined
    assert consortium.registry.partner(applicant).joinedAt == readmitted.timestamp


# --- propose ----------------------------------------------------------------------------------------------------------


def test_propose_records_the_proposal_and_the_proposers_yes_vote(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, bank: AccountAPI, applicant: AccountAPI
) -> None:
    """The proposer votes yes by proposing; the deadline is fixed at proposal time."""
    consortium.apply(applicant)
    at = consortium.later()
    tx = registry.propose(ADMIT, applicant, ISSUER, 0, sender=town)
    deadline = at + VOTING_PERIOD
    assert tx.timestamp == at
    assert tx.return_value == 1
    assert list(tx.events) == [
        log(registry.ProposalCreated, 1, ADMIT, applicant, town, ISSUER, 0, deadline, MILL_DETAILS, ZERO_HASH, 0, 3),
        log(registry.VoteCast, 1, town, True, 1, 0),
    ]
    assert registry.proposal(1) == (
        applicant.address,
        ADMIT,
        ISSUER,
        False,
        deadline,
        3,
        0,
        0,
        1,
        0,
        MILL_DETAILS,
        ZERO_HASH,
    )
    assert registry.hasVoted(1, town)
    assert not registry.hasVoted(1, bank)
    assert registry.proposalCount() == 1


def test_proposal_ids_count_up_from_one(
    consortium: Consortium, registry: ContractInstance, bank: AccountAPI, university: AccountAPI
) -> None:
    """Ids are sequential so the indexer and voters can enumerate proposals; 0 never names one."""
    assert consortium.propose(SUSPEND, university) == 1
    tx = registry.propose(SUSPEND, university, 0, 0, sender=bank)
    assert tx.return_value == 2
    assert list(tx.events) == [
        log(
            registry.ProposalCreated,
            2,
            SUSPEND,
            university,
            bank,
            0,
            0,
            tx.timestamp + VOTING_PERIOD,
            ZERO_HASH,
            ZERO_HASH,
            0,
            3,
        ),
        log(registry.VoteCast, 2, bank, True, 1, 0),
    ]
    assert registry.proposalCount() == 2
    assert registry.proposal(0) == NO_PROPOSAL


def test_outsider_cannot_propose(registry: ContractInstance, outsider: AccountAPI, university: AccountAPI) -> None:
    """Only the council steers the consortium."""
    with reverts_with(registry.PartnerRegistryNotCouncil, account=outsider):
        registry.propose(SUSPEND, university, 0, 0, sender=outsider)


def test_suspended_council_member_cannot_propose(
    consortium: Consortium, registry: ContractInstance, university: AccountAPI, bank: AccountAPI
) -> None:
    """A suspended member keeps its rights on paper but must not use them until reinstated."""
    consortium.carry(SUSPEND, university)
    with reverts_with(registry.PartnerRegistryNotCouncil, account=university):
        registry.propose(SUSPEND, bank, 0, 0, sender=university)


def test_issuer_without_council_right_cannot_propose(
    consortium: Consortium, registry: ContractInstance, applicant: AccountAPI, university: AccountAPI
) -> None:
    """The issuer right lets a partner certify originals, not govern the consortium."""
    consortium.admit(applicant, ISSUER)
    with reverts_with(registry.PartnerRegistryNotCouncil, account=applicant):
        registry.propose(SUSPEND, university, 0, 0, sender=applicant)


@pytest.mark.parametrize("status", [NONE, APPLIED, ACTIVE, SUSPENDED, EXPELLED, LEFT], ids=lambda s: STATUS_NAMES[s])
def test_proposal_kinds_that_do_not_fit_the_subjects_status_revert_invalid_status(
    consortium: Consortium,
    registry: ContractInstance,
    town: AccountAPI,
    applicant: AccountAPI,
    outsider: AccountAPI,
    status: int,
) -> None:
    """Admit only applicants, suspend only active partners, reinstate only suspended ones, and expel or change the
    rights only of members (active or suspended); anything else names the subject and its status."""
    subject = consortium.subject_in(status, applicant, outsider)
    assert registry.partner(subject).status == status
    refused = [kind for kind, allowed in ALLOWED_STATUSES.items() if status not in allowed]
    for kind in refused:
        rights = ISSUER if kind in (GRANT_RIGHTS, WITHDRAW_RIGHTS) else 0
        try:
            with reverts_with(registry.PartnerRegistryInvalidStatus, account=subject, status=status):
                registry.propose(kind, subject, rights, 0, sender=town)
        except AssertionError as err:
            err.add_note(f"proposal kind {KIND_NAMES[kind]} on a {STATUS_NAMES[status]} subject")
            raise


def test_expel_proposal_rejects_a_cut_off_in_the_future(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, university: AccountAPI
) -> None:
    """A future cut-off would let the compromised key go on issuing valid certificates until then."""
    at = consortium.later()
    with reverts_with(registry.PartnerRegistryInvalidCutoff, compromisedAfter=at + 1):
        registry.propose(EXPEL, university, 0, at + 1, sender=town)


def test_expel_proposal_accepts_a_cut_off_in_the_past(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, university: AccountAPI
) -> None:
    """The usual case: the key leaked some time ago and everything issued since then must become invalid."""
    cutoff = int(consortium.chain.blocks.head.timestamp) - 3600
    tx = registry.propose(EXPEL, university, 0, cutoff, sender=town)
    assert list(tx.events) == [
        log(
            registry.ProposalCreated,
            1,
            EXPEL,
            university,
            town,
            0,
            cutoff,
            tx.timestamp + VOTING_PERIOD,
            ZERO_HASH,
            ZERO_HASH,
            0,
            3,
        ),
        log(registry.VoteCast, 1, town, True, 1, 0),
    ]
    assert registry.proposal(1).compromisedAfter == cutoff


@pytest.mark.parametrize("kind", [ADMIT, SUSPEND, REINSTATE, GRANT_RIGHTS, WITHDRAW_RIGHTS], ids=KIND_NAMES.__getitem__)
def test_only_expel_proposals_take_a_cut_off(
    registry: ContractInstance, town: AccountAPI, university: AccountAPI, kind: int
) -> None:
    """A cut-off invalidates certificates; only an expulsion for a compromised key may do that."""
    with reverts_with(registry.PartnerRegistryInvalidCutoff, compromisedAfter=1):
        registry.propose(kind, university, ISSUER, 1, sender=town)


@pytest.mark.parametrize(
    ("kind", "rights"),
    [(GRANT_RIGHTS, 0), (WITHDRAW_RIGHTS, 0), (GRANT_RIGHTS, 4), (WITHDRAW_RIGHTS, COUNCIL | 8), (GRANT_RIGHTS, 0xFF)],
    ids=["grant-none", "withdraw-none", "grant-unknown-bit", "withdraw-unknown-bit", "grant-all-bits"],
)
def test_rights_proposals_reject_empty_or_unknown_rights(
    registry: ContractInstance, town: AccountAPI, university: AccountAPI, kind: int, rights: int
) -> None:
    """A rights change must name at least one right, and only rights the registry knows."""
    with reverts_with(registry.PartnerRegistryInvalidRights, rights=rights):
        registry.propose(kind, university, rights, 0, sender=town)


def test_admit_proposal_rejects_unknown_rights_but_accepts_none(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, applicant: AccountAPI
) -> None:
    """An applicant may be admitted as a plain member (rights 0), but never with rights the registry does not know."""
    consortium.apply(applicant)
    with reverts_with(registry.PartnerRegistryInvalidRights, rights=4):
        registry.propose(ADMIT, applicant, 4, 0, sender=town)
    tx = registry.propose(ADMIT, applicant, 0, 0, sender=town)
    assert (
        log(
            registry.ProposalCreated,
            1,
            ADMIT,
            applicant,
            town,
            0,
            0,
            tx.timestamp + VOTING_PERIOD,
            MILL_DETAILS,
            ZERO_HASH,
            0,
            3,
        )
        in tx.events
    )


@pytest.mark.parametrize("rights", [ISSUER, COUNCIL, ISSUER | COUNCIL], ids=["issuer", "council", "both"])
def test_granting_rights_already_held_reverts_rights_unchanged(
    registry: ContractInstance, town: AccountAPI, university: AccountAPI, rights: int
) -> None:
    """A grant that changes nothing is refused so a vote is never wasted on it."""
    with reverts_with(registry.PartnerRegistryRightsUnchanged, account=university, rights=rights):
        registry.propose(GRANT_RIGHTS, university, rights, 0, sender=town)


def test_withdrawing_rights_not_held_reverts_rights_unchanged(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, applicant: AccountAPI
) -> None:
    """An issuer-only member has no council right to lose."""
    consortium.admit(applicant, ISSUER)
    with reverts_with(registry.PartnerRegistryRightsUnchanged, account=applicant, rights=COUNCIL):
        registry.propose(WITHDRAW_RIGHTS, applicant, COUNCIL, 0, sender=town)


# --- vote -------------------------------------------------------------------------------------------------------------


def test_votes_are_counted_for_and_against(
    consortium: Consortium,
    registry: ContractInstance,
    bank: AccountAPI,
    university: AccountAPI,
    applicant: AccountAPI,
) -> None:
    """Each VoteCast carries the running totals, so the indexer never has to recount."""
    consortium.apply(applicant)
    proposal_id = consortium.propose(ADMIT, applicant, ISSUER)
    against = registry.vote(proposal_id, False, sender=bank)
    assert list(against.events) == [log(registry.VoteCast, proposal_id, bank, False, 1, 1)]
    in_favour = registry.vote(proposal_id, True, sender=university)
    assert list(in_favour.events) == [log(registry.VoteCast, proposal_id, university, True, 2, 1)]
    stored = registry.proposal(proposal_id)
    assert (stored.yesVotes, stored.noVotes, stored.executed) == (2, 1, False)
    assert registry.hasVoted(proposal_id, bank)
    assert registry.hasVoted(proposal_id, university)


def test_council_member_cannot_vote_twice(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, bank: AccountAPI, university: AccountAPI
) -> None:
    """One member, one vote: neither the proposer nor a voter can vote again, whichever side it picks."""
    proposal_id = consortium.propose(SUSPEND, university)
    with reverts_with(registry.PartnerRegistryAlreadyVoted, proposalId=proposal_id, voter=town):
        registry.vote(proposal_id, True, sender=town)
    registry.vote(proposal_id, False, sender=bank)
    with reverts_with(registry.PartnerRegistryAlreadyVoted, proposalId=proposal_id, voter=bank):
        registry.vote(proposal_id, True, sender=bank)


def test_non_council_members_cannot_vote(
    consortium: Consortium, registry: ContractInstance, applicant: AccountAPI, outsider: AccountAPI
) -> None:
    """Neither outsiders nor issuer-only partners take part in governance."""
    consortium.admit(applicant, ISSUER)
    proposal_id = consortium.propose(SUSPEND, applicant)
    for voter in (outsider, applicant):
        with reverts_with(registry.PartnerRegistryNotCouncil, account=voter):
            registry.vote(proposal_id, True, sender=voter)


def test_suspended_council_member_cannot_vote(
    consortium: Consortium, registry: ContractInstance, bank: AccountAPI, university: AccountAPI
) -> None:
    """Suspension takes away the vote together with every other right."""
    consortium.carry(SUSPEND, university)
    proposal_id = consortium.propose(SUSPEND, bank)
    with reverts_with(registry.PartnerRegistryNotCouncil, account=university):
        registry.vote(proposal_id, False, sender=university)


@pytest.mark.parametrize("proposal_id", [0, 2, 2**256 - 1])
def test_vote_on_an_unknown_proposal_reverts(
    consortium: Consortium, registry: ContractInstance, bank: AccountAPI, university: AccountAPI, proposal_id: int
) -> None:
    """Votes for proposals that do not exist (yet) must not be stored for later."""
    consortium.propose(SUSPEND, university)
    with reverts_with(registry.PartnerRegistryUnknownProposal, proposalId=proposal_id):
        registry.vote(proposal_id, True, sender=bank)


def test_vote_is_open_until_the_deadline_inclusive_and_expired_after(
    consortium: Consortium,
    registry: ContractInstance,
    town: AccountAPI,
    bank: AccountAPI,
    university: AccountAPI,
    applicant: AccountAPI,
) -> None:
    """A proposal may be voted on at its deadline second; one second later it is expired for good."""
    consortium.apply(applicant)
    at = consortium.later()
    registry.propose(ADMIT, applicant, ISSUER, 0, sender=town)
    deadline = at + VOTING_PERIOD
    consortium.chain.pending_timestamp = deadline
    last_minute = registry.vote(1, False, sender=bank)
    assert last_minute.timestamp == deadline
    assert list(last_minute.events) == [log(registry.VoteCast, 1, bank, False, 1, 1)]
    consortium.chain.mine(timestamp=deadline + 1)
    with reverts_with(registry.PartnerRegistryProposalExpired, proposalId=1, deadline=deadline):
        registry.vote(1, True, sender=university)


def test_vote_after_execution_reverts(
    consortium: Consortium, registry: ContractInstance, university: AccountAPI, applicant: AccountAPI
) -> None:
    """Once carried out, a proposal's tally is final."""
    consortium.admit(applicant, ISSUER)
    with reverts_with(registry.PartnerRegistryProposalAlreadyExecuted, proposalId=1):
        registry.vote(1, True, sender=university)


# --- execute ----------------------------------------------------------------------------------------------------------


def test_execute_without_a_majority_reverts_quorum_not_reached(
    consortium: Consortium, registry: ContractInstance, bank: AccountAPI, university: AccountAPI, applicant: AccountAPI
) -> None:
    """Three council members need two yes votes: the proposer alone is not enough, and a no vote does not help."""
    consortium.apply(applicant)
    proposal_id = consortium.propose(ADMIT, applicant, ISSUER)
    with reverts_with(registry.PartnerRegistryQuorumNotReached, proposalId=proposal_id, yesVotes=1, required=2):
        registry.execute(proposal_id, sender=university)
    registry.vote(proposal_id, False, sender=bank)
    with reverts_with(registry.PartnerRegistryQuorumNotReached, proposalId=proposal_id, yesVotes=1, required=2):
        registry.execute(proposal_id, sender=university)
    registry.vote(proposal_id, True, sender=university)
    tx = registry.execute(proposal_id, sender=university)
    assert log(registry.ProposalExecuted, proposal_id, university, 2, 2) in tx.events


def test_the_only_council_member_carries_a_proposal_alone(
    lone_registry: ContractInstance, town: AccountAPI, applicant: AccountAPI
) -> None:
    """The majority is taken of the active council: one member of one is a majority."""
    lone_registry.applyForMembership(SME, "Textile Mill", "mill.example", MILL_METADATA, sender=applicant)
    lone_registry.propose(ADMIT, applicant, ISSUER, 0, sender=town)
    tx = lone_registry.execute(1, sender=applicant)
    assert log(lone_registry.ProposalExecuted, 1, applicant, 1, 1) in tx.events
    assert lone_registry.isActiveIssuer(applicant)


def test_admit_with_rights_activates_the_applicant_and_grants_them(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, applicant: AccountAPI
) -> None:
    """Admission starts the membership (joinedAt) and the issuer standing in the same block."""
    consortium.apply(applicant)
    tx = consortium.carry(ADMIT, applicant, ISSUER)
    at = tx.timestamp
    assert list(tx.events) == [
        log(registry.PartnerStatusChanged, applicant, APPLIED, ACTIVE, 1, at),
        log(registry.PartnerRightsChanged, applicant, 0, ISSUER, 1, at),
        log(registry.ProposalExecuted, 1, town, 2, 2),
    ]
    record = registry.partner(applicant)
    assert (record.status, record.rights, record.joinedAt) == (ACTIVE, ISSUER, at)
    assert registry.isActiveIssuer(applicant)
    assert not registry.isActiveCouncil(applicant)
    assert registry.proposal(1).executed


def test_admit_without_rights_activates_the_applicant_only(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, applicant: AccountAPI
) -> None:
    """A plain member has no rights, so no rights event is emitted; it still has a joinedAt."""
    consortium.apply(applicant)
    tx = consortium.carry(ADMIT, applicant, 0)
    assert list(tx.events) == [
        log(registry.PartnerStatusChanged, applicant, APPLIED, ACTIVE, 1, tx.timestamp),
        log(registry.ProposalExecuted, 1, town, 2, 2),
    ]
    record = registry.partner(applicant)
    assert (record.status, record.rights, record.joinedAt) == (ACTIVE, 0, tx.timestamp)
    assert not registry.isActiveIssuer(applicant)


def test_admit_with_council_right_enlarges_the_council(
    consortium: Consortium, registry: ContractInstance, applicant: AccountAPI
) -> None:
    """A new council member counts towards the majority at once: four members need three yes votes."""
    consortium.admit(applicant, ISSUER | COUNCIL)
    assert registry.activeCouncilCount() == 4
    assert registry.isActiveCouncil(applicant)
    proposal_id = consortium.propose(SUSPEND, applicant)
    registry.vote(proposal_id, True, sender=consortium.bank)
    with reverts_with(registry.PartnerRegistryQuorumNotReached, proposalId=proposal_id, yesVotes=2, required=3):
        registry.execute(proposal_id, sender=consortium.town)


def test_suspend_deactivates_a_member_but_keeps_its_rights(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, university: AccountAPI
) -> None:
    """Suspension is temporary: rights stay recorded, but neither issuing nor council work is possible."""
    tx = consortium.carry(SUSPEND, university)
    assert list(tx.events) == [
        log(registry.PartnerStatusChanged, university, ACTIVE, SUSPENDED, 1, tx.timestamp),
        log(registry.ProposalExecuted, 1, town, 2, 2),
    ]
    assert registry.partner(university).rights == ISSUER | COUNCIL
    assert not registry.isActiveIssuer(university)
    assert not registry.isActiveCouncil(university)
    assert registry.activeCouncilCount() == 2


def test_reinstate_reactivates_a_suspended_member_without_changing_joined_at(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, university: AccountAPI
) -> None:
    """Reinstatement restores the standing the member had; its membership did not restart."""
    joined = registry.partner(university).joinedAt
    consortium.carry(SUSPEND, university)
    tx = consortium.carry(REINSTATE, university)
    assert list(tx.events) == [
        log(registry.PartnerStatusChanged, university, SUSPENDED, ACTIVE, 2, tx.timestamp),
        log(registry.ProposalExecuted, 2, town, 2, 2),
    ]
    assert registry.partner(university).joinedAt == joined
    assert registry.isActiveIssuer(university)
    assert registry.isActiveCouncil(university)
    assert registry.activeCouncilCount() == 3


def test_expel_without_cut_off_drops_rights_and_keeps_past_certificates_valid(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, university: AccountAPI
) -> None:
    """An expulsion for conduct (no key compromise) ends the standing from now on only."""
    tx = consortium.carry(EXPEL, university, delay=GAP)
    at = tx.timestamp
    assert list(tx.events) == [
        log(registry.PartnerStatusChanged, university, ACTIVE, EXPELLED, 1, at),
        log(registry.PartnerRightsChanged, university, ISSUER | COUNCIL, 0, 1, at),
        log(registry.ProposalExecuted, 1, town, 2, 2),
    ]
    record = registry.partner(university)
    assert (record.status, record.rights, record.compromisedAfter) == (EXPELLED, 0, 0)
    assert registry.compromisedAfter(university) == 0
    assert registry.activeCouncilCount() == 2
    assert registry.wasActiveIssuerAt(university, at - 1)
    assert not registry.wasActiveIssuerAt(university, at)


def test_expel_with_cut_off_marks_the_partner_compromised(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, university: AccountAPI
) -> None:
    """A leaked key: PartnerCompromised comes first so the indexer can invalidate certificates from the cut-off on."""
    cutoff = int(consortium.chain.blocks.head.timestamp) - 3600
    tx = consortium.carry(EXPEL, university, cutoff=cutoff)
    at = tx.timestamp
    assert list(tx.events) == [
        log(registry.PartnerCompromised, university, cutoff, 1),
        log(registry.PartnerStatusChanged, university, ACTIVE, EXPELLED, 1, at),
        log(registry.PartnerRightsChanged, university, ISSUER | COUNCIL, 0, 1, at),
        log(registry.ProposalExecuted, 1, town, 2, 2),
    ]
    assert registry.compromisedAfter(university) == cutoff
    record = registry.partner(university)
    assert (record.status, record.rights, record.compromisedAfter) == (EXPELLED, 0, cutoff)


def test_expel_reaches_a_suspended_partner_without_rights(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, applicant: AccountAPI
) -> None:
    """Suspended partners can be expelled; one that holds no rights gets no rights event."""
    consortium.admit(applicant, 0)
    consortium.carry(SUSPEND, applicant)
    tx = consortium.carry(EXPEL, applicant)
    assert list(tx.events) == [
        log(registry.PartnerStatusChanged, applicant, SUSPENDED, EXPELLED, 3, tx.timestamp),
        log(registry.ProposalExecuted, 3, town, 2, 2),
    ]


def test_grant_rights_adds_to_the_rights_held(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, applicant: AccountAPI
) -> None:
    """Granting ORs the new rights in; a council grant makes the partner count towards the majority."""
    consortium.admit(applicant, ISSUER)
    tx = consortium.carry(GRANT_RIGHTS, applicant, ISSUER | COUNCIL)
    assert list(tx.events) == [
        log(registry.PartnerRightsChanged, applicant, ISSUER, ISSUER | COUNCIL, 2, tx.timestamp),
        log(registry.ProposalExecuted, 2, town, 2, 2),
    ]
    assert registry.partner(applicant).rights == ISSUER | COUNCIL
    assert registry.isActiveCouncil(applicant)
    assert registry.activeCouncilCount() == 4


def test_withdraw_rights_removes_only_the_named_rights(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, university: AccountAPI
) -> None:
    """Withdrawing COUNCIL leaves the issuer right alone and shrinks the council."""
    tx = consortium.carry(WITHDRAW_RIGHTS, university, COUNCIL)
    assert list(tx.events) == [
        log(registry.PartnerRightsChanged, university, ISSUER | COUNCIL, ISSUER, 1, tx.timestamp),
        log(registry.ProposalExecuted, 1, town, 2, 2),
    ]
    assert registry.isActiveIssuer(university)
    assert not registry.isActiveCouncil(university)
    assert registry.activeCouncilCount() == 2


def test_rights_of_a_suspended_member_can_change_without_counting_it_twice(
    consortium: Consortium, registry: ContractInstance, town: AccountAPI, university: AccountAPI
) -> None:
    """A suspended member already left the active council; withdrawing its council right must not count it out
    again, and reinstating it afterwards must not count it back in."""
    consortium.carry(SUSPEND, university)
    assert registry.activeCouncilCount() == 2
    withdrawn = consortium.carry(WITHDRAW_RIGHTS, university, COUNCIL | ISSUER)
    assert list(withdrawn.events) == [
        log(registry.PartnerRightsChanged, university, ISSUER | COUNCIL, 0, 2, withdrawn.timestamp),
        log(registry.ProposalExecuted, 2, town, 2, 2),
    ]
    assert registry.activeCouncilCount() == 2
    granted = consortium.carry(GRANT_RIGHTS, university, ISSUER)
    assert list(granted.events) == [
        log(registry.PartnerRightsChanged, university, 0, ISSUER, 3, granted.timestamp),
        log(registry.ProposalExecuted, 3, town, 2, 2),
    ]
    assert not registry.isActiveIssuer(university)
    consortium.carry(REINSTATE, university)
    assert registry.activeCouncilCount() == 2
    assert registry.isActiveIssuer(university)
    assert not registry.isActiveCouncil(university)


def test_anyone_may_execute_a_proposal_that_has_a_majority(
    consortium: Consortium, registry: ContractInstance, university: AccountAPI, outsider: AccountAPI
) -> None:
    """Execution only carries out what the council decided, so a relayer or the subject itself may pay for it."""
    tx = consortium.carry(SUSPEND, university, executor=outsider)
    assert log(registry.ProposalExecuted, 1, outsider, 2, 2) in tx.events
    assert registry.partner(university).status == SUSPENDED


def test_execute_twice_reverts_already_executed(
    consortium: Consortium, registry: ContractInstance, university: AccountAPI, outsider: AccountAPI
) -> None:
    """A proposal acts once; replaying it (e.g. a second suspension) must fail loudly."""
    consortium.carry(SUSPEND, university)
    with reverts_with(registry.PartnerRegistryProposalAlreadyExecuted, proposalId=1):
        registry.execute(1, sender=outsider)


def test_execute_an_unknown_proposal_reverts(registry: ContractInstance, outsider: AccountAPI) -> None:
    """There is nothing to carry out before a proposal exists."""
    with reverts_with(registry.PartnerRegistryUnknownProposal, proposalId=1):
        registry.execute(1, sender=outsider)


def test_execute_after_the_deadline_reverts_expired(
    consortium: Consortium, registry: ContractInstance, bank: AccountAPI, university: AccountAPI
) -> None:
    """A majority reached in time still lapses if nobody executes before the deadline; a fresh vote is needed."""
    at = consortium.later()
    consortium.registry.propose(SUSPEND, university, 0, 0, sender=consortium.town)
    registry.vote(1, True, sender=bank)
    consortium.chain.mine(timestamp=at + VOTING_PERIOD + 1)
    with reverts_with(registry.PartnerRegistryProposalExpired, proposalId=1, deadline=at + VOTING_PERIOD):
        registry.execute(1, sender=bank)


def test_execute_rechecks_the_subjects_status(
    consortium: Consortium, registry: ContractInstance, bank: AccountAPI, applicant: AccountAPI
) -> None:
    """The applicant withdrew while the council voted: admitting it now would resurrect a record it gave up."""
    consortium.apply(applicant)
    proposal_id = consortium.propose(ADMIT, applicant, ISSUER)
    registry.vote(proposal_id, True, sender=bank)
    registry.leave(sender=applicant)
    with reverts_with(registry.PartnerRegistryInvalidStatus, account=applicant, status=LEFT):
        registry.execute(proposal_id, sender=bank)
    assert not registry.proposal(proposal_id).executed


def test_execute_rechecks_the_rights_held(
    consortium: Consortium, registry: ContractInstance, bank: AccountAPI, applicant: AccountAPI
) -> None:
    """Two grants of the same right raced: the second finds nothing left to change."""
    consortium.admit(applicant, 0)
    first = consortium.propose(GRANT_RIGHTS, applicant, ISSUER)
    second = consortium.propose(GRANT_RIGHTS, applicant, ISSUER)
    for proposal_id in (first, second):
        registry.vote(proposal_id, True, sender=bank)
    registry.execute(first, sender=bank)
    with reverts_with(registry.PartnerRegistryRightsUnchanged, account=applicant, rights=ISSUER):
        registry.execute(second, sender=bank)


@pytest.mark.parametrize(
    ("kind", "rights"),
    [(SUSPEND, 0), (EXPEL, 0), (WITHDRAW_RIGHTS, COUNCIL), (WITHDRAW_RIGHTS, ISSUER | COUNCIL)],
    ids=["suspend", "expel", "withdraw-council", "withdraw-all"],
)
def test_the_last_council_member_cannot_remove_itself(
    lone_registry: ContractInstance, town: AccountAPI, kind: int, rights: int
) -> None:
    """Without an active council member nobody could ever propose again: the consortium would be frozen."""
    lone_registry.propose(kind, town, rights, 0, sender=town)
    with reverts_with(lone_registry.PartnerRegistryLastCouncilMember, account=town):
        lone_registry.execute(1, sender=town)
    assert lone_registry.isActiveCouncil(town)
    assert lone_registry.activeCouncilCount() == 1


def test_the_last_council_member_may_give_up_only_its_issuer_right(
    lone_registry: ContractInstance, town: AccountAPI
) -> None:
    """The guard is about the council right alone: rights that do not govern may go."""
    lone_registry.propose(WITHDRAW_RIGHTS, town, ISSUER, 0, sender=town)
    tx = lone_registry.execute(1, sender=town)
    assert list(tx.events) == [
        log(lone_registry.PartnerRightsChanged, town, ISSUER | COUNCIL, COUNCIL, 1, tx.timestamp),
        log(lone_registry.ProposalExecuted, 1, town, 1, 1),
    ]
    assert lone_registry.isActiveCouncil(town)


def test_the_last_council_member_may_step_down_once_a_successor_has_the_council_right(
    lone_registry: ContractInstance, town: AccountAPI, bank: AccountAPI
) -> None:
    """Handing over is possible: first grant COUNCIL to another member, then the two withdraw it from the first."""
    lone_registry.propose(GRANT_RIGHTS, bank, COUNCIL, 0, sender=town)
    lone_registry.execute(1, sender=town)
    lone_registry.propose(WITHDRAW_RIGHTS, town, COUNCIL, 0, sender=town)
    lone_registry.vote(2, True, sender=bank)
    tx = lone_registry.execute(2, sender=bank)
    assert list(tx.events) == [
        log(lone_registry.PartnerRightsChanged, town, ISSUER | COUNCIL, ISSUER, 2, tx.timestamp),
        log(lone_registry.ProposalExecuted, 2, bank, 2, 2),
    ]
    assert lone_registry.activeCouncilCount() == 1
    assert lone_registry.isActiveCouncil(bank)
    assert not lone_registry.isActiveCouncil(town)


# --- leave ------------------------------------------------------------------------------------------------------------


def test_applicant_may_withdraw_its_application(registry: ContractInstance, applicant: AccountAPI) -> None:
    """Leaving from Applied withdraws the application; there are no rights to drop."""
    registry.applyForMembership(SME, "Textile Mill", "mill.example", MILL_METADATA, sender=applicant)
    tx = registry.leave(sender=applicant)
    assert list(tx.events) == [log(registry.PartnerStatusChanged, applicant, APPLIED, LEFT, 0, tx.timestamp)]
    assert registry.partner(applicant).status == LEFT


def test_active_member_leaving_drops_its_rights(
    consortium: Consortium, registry: ContractInstance, university: AccountAPI
) -> None:
    """A partner that left must not keep issuing: its rights go and its issuer standing ends at that block."""
    consortium.later()
    tx = registry.leave(sender=university)
    at = tx.timestamp
    assert list(tx.events) == [
        log(registry.PartnerStatusChanged, university, ACTIVE, LEFT, 0, at),
        log(registry.PartnerRightsChanged, university, ISSUER | COUNCIL, 0, 0, at),
    ]
    record = registry.partner(university)
    assert (record.status, record.rights) == (LEFT, 0)
    assert registry.activeCouncilCount() == 2
    assert not registry.isActiveIssuer(university)
    assert registry.wasActiveIssuerAt(university, at - 1)
    assert not registry.wasActiveIssuerAt(university, at)


def test_member_without_rights_leaves_with_a_status_event_only(
    consortium: Consortium, registry: ContractInstance, applicant: AccountAPI
) -> None:
    """No rights, no rights event: the indexer must not see a change from 0 to 0."""
    consortium.admit(applicant, 0)
    tx = registry.leave(sender=applicant)
    assert list(tx.events) == [log(registry.PartnerStatusChanged, applicant, ACTIVE, LEFT, 0, tx.timestamp)]


def test_suspended_member_may_leave_and_loses_its_rights(
    consortium: Consortium, registry: ContractInstance, university: AccountAPI
) -> None:
    """Suspension does not trap a partner in the consortium; leaving still drops the rights it held on paper."""
    consortium.carry(SUSPEND, university)
    tx = registry.leave(sender=university)
    assert list(tx.events) == [
        log(registry.PartnerStatusChanged, university, SUSPENDED, LEFT, 0, tx.timestamp),
        log(registry.PartnerRightsChanged, university, ISSUER | COUNCIL, 0, 0, tx.timestamp),
    ]
    assert registry.activeCouncilCount() == 2


@pytest.mark.parametrize("status", [NONE, EXPELLED, LEFT], ids=lambda s: STATUS_NAMES[s])
def test_leave_reverts_for_non_members(
    consortium: Consortium,
    registry: ContractInstance,
    applicant: AccountAPI,
    outsider: AccountAPI,
    status: int,
) -> None:
    """Only applicants and members can leave; an expelled partner in particular cannot turn it into a departure."""
    subject = consortium.subject_in(status, applicant, outsider)
    with reverts_with(registry.PartnerRegistryInvalidStatus, account=subject, status=status):
        registry.leave(sender=subject)


def test_the_last_council_member_cannot_leave(
    registry: ContractInstance, town: AccountAPI, bank: AccountAPI, university: AccountAPI
) -> None:
    """The others may go, but the last one holding the council right has to hand it on first."""
    registry.leave(sender=university)
    registry.leave(sender=bank)
    with reverts_with(registry.PartnerRegistryLastCouncilMember, account=town):
        registry.leave(sender=town)
    assert registry.isActiveCouncil(town)
    assert registry.activeCouncilCount() == 1


# --- views ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "rights", "issuer", "council"),
    [
        (NONE, 0, False, False),
        (APPLIED, 0, False, False),
        (ACTIVE, 0, False, False),
        (ACTIVE, ISSUER, True, False),
        (ACTIVE, COUNCIL, False, True),
        (ACTIVE, ISSUER | COUNCIL, True, True),
        (SUSPENDED, ISSUER | COUNCIL, False, False),
        (EXPELLED, 0, False, False),
        (LEFT, 0, False, False),
    ],
    ids=[
        "none",
        "applied",
        "active-no-rights",
        "active-issuer",
        "active-council",
        "active-both",
        "suspended",
        "expelled",
        "left",
    ],
)
def test_current_standing_needs_active_status_and_the_right(
    consortium: Consortium,
    registry: ContractInstance,
    applicant: AccountAPI,
    outsider: AccountAPI,
    status: int,
    rights: int,
    issuer: bool,
    council: bool,
) -> None:
    """isActiveIssuer / isActiveCouncil are what CertificateRegistry checks: the right alone is not enough."""
    if status == ACTIVE:
        subject = applicant
        consortium.admit(applicant, rights)
    else:
        subject = consortium.subject_in(status, applicant, outsider)
    assert (registry.partner(subject).status, registry.partner(subject).rights) == (status, rights)
    assert registry.isActiveIssuer(subject) is issuer
    assert registry.isActiveCouncil(subject) is council


def test_founders_were_active_issuers_from_deployment_on(
    registry: ContractInstance, founders: list[AccountAPI], outsider: AccountAPI
) -> None:
    """The history starts at deployment: nothing before it, and never anything for an outsider."""
    deployed_at = registry.creation_metadata.receipt.timestamp
    for account in founders:
        assert not registry.wasActiveIssuerAt(account, deployed_at - 1)
        assert registry.wasActiveIssuerAt(account, deployed_at)
        assert registry.wasActiveIssuerAt(account, 2**48 - 1)
    assert not registry.wasActiveIssuerAt(outsider, deployed_at)


def test_was_active_issuer_at_follows_admission_suspension_and_reinstatement(
    consortium: Consortium, registry: ContractInstance, applicant: AccountAPI
) -> None:
    """A certificate is judged by its issuer's standing when it was issued, not by the standing today."""
    applied = consortium.apply(applicant).timestamp
    admitted = consortium.carry(ADMIT, applicant, ISSUER, delay=GAP).timestamp
    suspended = consortium.carry(SUSPEND, applicant, delay=GAP).timestamp
    reinstated = consortium.carry(REINSTATE, applicant, delay=GAP).timestamp
    assert applied < admitted - 1 and admitted < suspended - 1 and suspended < reinstated - 1
    expected = {
        0: False,
        applied: False,
        admitted - 1: False,
        admitted: True,
        suspended - 1: True,
        suspended: False,
        reinstated - 1: False,
        reinstated: True,
        reinstated + 10**6: True,
    }
    assert {t: registry.wasActiveIssuerAt(applicant, t) for t in expected} == expected


def test_was_active_issuer_at_follows_grants_and_withdrawals_of_the_issuer_right(
    consortium: Consortium, registry: ContractInstance, applicant: AccountAPI
) -> None:
    """Standing is status AND right: a member without the issuer right was never an active issuer."""
    admitted = consortium.admit(applicant, 0).timestamp
    issuer_granted = consortium.carry(GRANT_RIGHTS, applicant, ISSUER, delay=GAP).timestamp
    withdrawn = consortium.carry(WITHDRAW_RIGHTS, applicant, ISSUER, delay=GAP).timestamp
    expected = {
        admitted: False,
        issuer_granted - 1: False,
        issuer_granted: True,
        withdrawn - 1: True,
        withdrawn: False,
    }
    assert {t: registry.wasActiveIssuerAt(applicant, t) for t in expected} == expected


def test_compromise_cut_off_ends_the_standing_at_the_cut_off(
    consortium: Consortium, registry: ContractInstance, applicant: AccountAPI
) -> None:
    """Certificates issued at or after the cut-off are invalid, earlier ones stay valid, even across a suspension."""
    admitted = consortium.admit(applicant, ISSUER).timestamp
    cutoff = admitted + GAP // 2
    suspended = consortium.carry(SUSPEND, applicant, delay=GAP).timestamp
    reinstated = consortium.carry(REINSTATE, applicant, delay=GAP).timestamp
    expelled = consortium.carry(EXPEL, applicant, cutoff=cutoff, delay=GAP).timestamp
    assert admitted < cutoff < suspended < reinstated < expelled
    assert registry.compromisedAfter(applicant) == cutoff
    expected = {
        admitted - 1: False,
        admitted: True,
        cutoff - 1: True,
        cutoff: False,
        cutoff + 1: False,
        reinstated: False,
        expelled - 1: False,
        expelled: False,
    }
    assert {t: registry.wasActiveIssuerAt(applicant, t) for t in expected} == expected


def test_views_of_unknown_partners_and_proposals_are_zero(
    registry: ContractInstance, outsider: AccountAPI, town: AccountAPI
) -> None:
    """Callers tell "never applied" and "no such proposal" apart by the zero status and zero deadline."""
    assert registry.partner(outsider) == (0, NONE, 0, 0, 0, 0, ZERO_HASH, ZERO_HASH, "", "")
    assert registry.proposal(1) == NO_PROPOSAL
    assert not registry.hasVoted(1, town)
    assert registry.compromisedAfter(outsider) == 0
    assert not registry.isActiveIssuer(outsider)
    assert not registry.isActiveCouncil(outsider)


def test_proposal_view_follows_votes_and_execution(
    consortium: Consortium, registry: ContractInstance, bank: AccountAPI, university: AccountAPI
) -> None:
    """proposal() is the on-chain record a voter's wallet shows: tallies and the executed flag update in place."""
    proposal_id = consortium.propose(WITHDRAW_RIGHTS, university, ISSUER)
    deadline = registry.proposal(proposal_id).deadline
    registry.vote(proposal_id, True, sender=bank)
    pending = (university.address, WITHDRAW_RIGHTS, ISSUER, False, deadline, 3, 0, 0, 2, 0, ZERO_HASH, ZERO_HASH)
    assert registry.proposal(proposal_id) == pending
    registry.execute(proposal_id, sender=bank)
    assert registry.proposal(proposal_id) == (*pending[:3], True, *pending[4:])
    assert registry.proposalCount() == 1
    assert not registry.hasVoted(proposal_id, university)
