"""Unit tests of the pure-Python model (``tests/support/consortium_model.py``) alone: no chain, no ape.

The stateful test compares the contracts with the model, so a rule the model gets wrong is a rule nothing checks: v1's
model counted every stored yes vote against a majority of the council at execution, exactly as the v1 contract did
(issue 11, finding 3), and the stateful test could never catch it. These replay the findings' scenarios on the model and
pin the corrected rules.
"""

from __future__ import annotations

import pytest
from support.consortium_model import (
    CertificateModel,
    ConsortiumModel,
    Details,
    Event,
    PartnerStatus,
    ProposalKind,
    Reverted,
    Status,
    Verdict,
    certificate_id,
)

from ledger.events import COUNCIL, ISSUER

WEEK = 7 * 24 * 3600
T0 = 1_000_000
TOWN, BANK, UNIVERSITY, FIRST, SECOND, MILL, GALLERY = (f"0x{n:040x}" for n in range(1, 8))
PARTNERS_ADDRESS, CERTIFICATES_ADDRESS = "0x" + "aa" * 20, "0x" + "bb" * 20
ZERO = bytes(32)


def founded() -> tuple[ConsortiumModel, CertificateModel]:
    founders = [
        (TOWN, 2, ISSUER | COUNCIL, "Town", "town.example", ZERO),
        (BANK, 1, ISSUER | COUNCIL, "Bank", "bank.example", ZERO),
        (UNIVERSITY, 3, ISSUER | COUNCIL, "University", "uni.example", ZERO),
    ]
    consortium = ConsortiumModel.founded(founders, WEEK, T0, PARTNERS_ADDRESS)
    return consortium, CertificateModel(consortium, CERTIFICATES_ADDRESS)


def admit(m: ConsortiumModel, at: int, account: str, rights: int) -> None:
    """Apply, then carry an Admit with as many founders' votes as a majority needs."""
    m.apply_for_membership(account, at, 0, account[-4:], "", ZERO)
    m.propose(TOWN, at, ProposalKind.ADMIT, account, rights, 0)
    proposal_id = m.proposal_count()
    for voter in (BANK, UNIVERSITY):
        if m.counted_votes(proposal_id) < m.required_votes(proposal_id):
            m.vote(voter, at, proposal_id, True)
    m.execute(TOWN, at, proposal_id)


def test_the_model_refuses_the_v1_colluders_expulsion() -> None:
    """Two colluders in a council of five propose to expel a founder with cut-off 1, vote, leave, and execute with 2
    stored yes votes of a council now 3. v1's rule (stored yes votes >= now // 2 + 1, i.e. 2 >= 2) carried it; the
    corrected model counts 0 active yes votes against a majority of 5: QuorumNotReached(proposal, 0, 3)."""
    m, _ = founded()
    admit(m, T0 + 1, FIRST, ISSUER | COUNCIL)
    admit(m, T0 + 2, SECOND, ISSUER | COUNCIL)
    assert m.active_council_count() == 5
    m.propose(FIRST, T0 + 3, ProposalKind.EXPEL, TOWN, 0, 1)
    proposal_id = m.proposal_count()
    m.vote(SECOND, T0 + 4, proposal_id, True)
    m.leave(FIRST, T0 + 5)
    m.leave(SECOND, T0 + 6)
    stored = m.proposal(proposal_id)
    assert (stored.yes_votes, stored.council_at_proposal, m.active_council_count()) == (2, 5, 3)
    assert stored.yes_votes >= m.active_council_count() // 2 + 1, "premise: v1's rule would carry it"

    with pytest.raises(Reverted) as refused:
        m.execute(MILL, T0 + 7, proposal_id)

    assert (refused.value.error, refused.value.arguments) == (
        "PartnerRegistryQuorumNotReached",
        {"proposalId": proposal_id, "yesVotes": 0, "required": 3},
    )
    assert m.partner(TOWN).status == PartnerStatus.ACTIVE
    assert m.compromised_after(TOWN) == 0
    assert not m.proposal(proposal_id).executed


def test_a_vote_counts_again_when_its_member_is_back_on_the_council() -> None:
    """Counting is by who is active council at execution: a suspended voter's vote is dropped, and counts again once
    the member is reinstated (the seat, and so the vote, is the member's)."""
    m, _ = founded()
    admit(m, T0 + 1, FIRST, COUNCIL)
    m.propose(TOWN, T0 + 2, ProposalKind.SUSPEND, BANK, 0, 0)
    suspension = m.proposal_count()
    m.vote(FIRST, T0 + 2, suspension, True)
    m.vote(UNIVERSITY, T0 + 2, suspension, True)
    m.execute(TOWN, T0 + 2, suspension)
    m.propose(TOWN, T0 + 3, ProposalKind.GRANT_RIGHTS, FIRST, ISSUER, 0)
    grant = m.proposal_count()
    assert (m.counted_votes(grant), m.required_votes(grant)) == (1, 2)  # council of 3 now and at proposal
    m.propose(TOWN, T0 + 4, ProposalKind.REINSTATE, BANK, 0, 0)
    m.vote(UNIVERSITY, T0 + 4, m.proposal_count(), True)
    m.execute(TOWN, T0 + 4, m.proposal_count())
    assert (m.counted_votes(grant), m.required_votes(grant)) == (1, 3)  # council of 4: the larger
    m.vote(BANK, T0 + 5, grant, True)
    m.vote(UNIVERSITY, T0 + 5, grant, True)
    events = m.execute(TOWN, T0 + 5, grant)
    assert events[-1] == Event(
        "PartnerRegistry",
        "ProposalExecuted",
        {"proposalId": grant, "executor": TOWN, "countedVotes": 3, "required": 3},
    )


def test_the_model_binds_an_admission_to_the_details_voted_on() -> None:
    """Finding 2: the applicant leaves and re-applies under another name between the vote and the execution."""
    m, _ = founded()
    m.apply_for_membership(MILL, T0, 0, "Textile Mill", "mill.example", ZERO)
    m.propose(TOWN, T0, ProposalKind.ADMIT, MILL, ISSUER, 0)
    m.vote(BANK, T0, 1, True)
    m.leave(MILL, T0 + 1)
    m.apply_for_membership(MILL, T0 + 2, 7, "Ministry of Education", "edu.example", ZERO)

    with pytest.raises(Reverted) as refused:
        m.execute(TOWN, T0 + 3, 1)

    assert (refused.value.error, refused.value.arguments) == (
        "PartnerRegistryDetailsChanged",
        {
            "account": MILL,
            "expected": Details(0, "Textile Mill", "mill.example", ZERO).hash,
            "actual": Details(7, "Ministry of Education", "edu.example", ZERO).hash,
        },
    )


def test_the_model_freezes_a_suspended_issuers_key_and_keeps_holds_for_the_council() -> None:
    """Findings 4, 5 and 14 on the model: a suspended issuer cannot act; a member holds but cannot revoke or lift;
    the issuer cannot pre-empt a hold; a council decision (by the partner registry) lifts it."""
    m, r = founded()
    admit(m, T0, MILL, ISSUER)
    root = b"\x01" * 32
    r.issue(MILL, T0 + 1, root, b"\x02" * 32, 0)
    id_ = certificate_id(MILL, root)
    r.set_status(MILL, T0 + 2, id_, None, Status.SUSPENDED, 1)
    held = r.set_status(BANK, T0 + 3, id_, None, Status.SUSPENDED, 2)
    assert held[0].args["byCouncil"] is True
    for sender, status, error in (
        (MILL, Status.VALID, "CertificateRegistryCouncilSuspension"),
        (BANK, Status.VALID, "CertificateRegistryCouncilDecisionRequired"),
        (BANK, Status.REVOKED, "CertificateRegistryCouncilDecisionRequired"),
    ):
        with pytest.raises(Reverted) as refused:
            r.set_status(sender, T0 + 4, id_, None, status, 3)
        assert refused.value.error == error

    m.propose_certificate_decision(TOWN, T0 + 5, ProposalKind.LIFT_CERTIFICATE_SUSPENSION, id_, ZERO, [], 4)
    m.vote(UNIVERSITY, T0 + 5, m.proposal_count(), True)
    lifted = m.execute(GALLERY, T0 + 6, m.proposal_count())
    assert lifted[0] == Event(
        "CertificateRegistry",
        "CertificateReinstated",
        {"id": id_, "leaf": ZERO, "by": PARTNERS_ADDRESS, "reason": 4, "at": T0 + 6, "byCouncil": True},
    )

    m.propose(TOWN, T0 + 7, ProposalKind.SUSPEND, MILL, 0, 0)
    m.vote(BANK, T0 + 7, m.proposal_count(), True)
    m.execute(TOWN, T0 + 7, m.proposal_count())
    with pytest.raises(Reverted) as refused:
        r.set_status(MILL, T0 + 8, id_, None, Status.REVOKED, 5)
    assert (refused.value.error, refused.value.arguments) == (
        "CertificateRegistryUnauthorized",
        {"account": MILL, "id": id_},
    )
    assert r.verify(id_, root, [], T0 + 8).verdict == Verdict.VALID


def test_the_model_namespaces_certificates_by_issuer() -> None:
    """Finding 1 on the model: the same root by two issuers is two certificates; only the issuer's own repeat is
    AlreadyIssued; a batch root is not one of its documents (finding 16)."""
    _, r = founded()
    root = b"\x03" * 32
    r.issue_batch(TOWN, T0, root, 0)
    r.issue(BANK, T0, root, b"\x04" * 32, 0)
    assert r.certificate(certificate_id(TOWN, root)).batch is True
    assert r.certificate(certificate_id(BANK, root)).batch is False
    with pytest.raises(Reverted) as refused:
        r.issue_batch(TOWN, T0 + 1, root, 0)
    assert refused.value.arguments == {"id": certificate_id(TOWN, root)}
    assert r.verify(certificate_id(TOWN, root), root, [], T0).verdict == Verdict.INVALID_PROOF
    assert r.verify(certificate_id(BANK, root), root, [], T0).verdict == Verdict.VALID
