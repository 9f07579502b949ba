"""EIP-712 signed actions (issue 13): every action of both registries, signed by its author and sent by a relayer.

For each of the eleven actions a scenario brings the chain to where the action is allowed, then:

- the signed action, sent by an account with no standing at all (the relayer), is carried out for its signer, with
  exactly the events the direct call emits for it, and uses the signer's nonce;
- the same signature sent again is refused (`InvalidAccountNonce`), as are a signature by another key, a passed
  deadline, the wrong chain id, another contract address and an altered argument, each with its error and arguments,
  and each leaves the signer's nonce and the registries' state as they were (the valid action still works after).

The signer's rights are what count, never the relayer's: a council member relaying an outsider's vote, or an issuer
relaying another account's issuance, is refused as the outsider would be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from ape.api import AccountAPI, ReceiptAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from support.certificate_helpers import Batch, digest, event, pin_next_block
from support.contracts import (
    ACTIVE,
    ADMIT,
    APPLIED,
    CHANGE_DETAILS,
    ENTERPRISE,
    ISSUER,
    LEFT,
    NONE,
    REVOKE_CERTIFICATE,
    SME,
    VOTING_PERIOD,
    ZERO_HASH,
    certificate_id,
    details_hash,
    reverts_with,
)

from ledger.signing.actions import ACTIONS, call_arguments, sign, typed_data

REVOKED = 2  # ICertificateRegistry.Status
REASON = 7
MILL = (SME, "Textile Mill", "mill.example", ZERO_HASH)


@dataclass
class World:
    """Both registries, the founders, an applicant and a relayer that holds no standing of its own."""

    partners: ContractInstance
    certificates: ContractInstance
    town: AccountAPI
    bank: AccountAPI
    university: AccountAPI
    applicant: AccountAPI
    relayer: AccountAPI
    chain: ChainManager

    def registry(self, name: str) -> ContractInstance:
        return self.partners if ACTIONS[name].contract == "PartnerRegistry" else self.certificates

    def typed(
        self,
        name: str,
        signer: AccountAPI,
        fields: dict[str, Any],
        nonce: int | None = None,
        deadline: int | None = None,
        chain_id: int | None = None,
        registry: str | None = None,
    ) -> dict[str, Any]:
        """The typed data of action ``name`` by ``signer``; by default its next nonce, an hour's deadline, this chain
        and the action's registry."""
        contract = self.registry(name)
        message = {
            ACTIONS[name].signer_field: signer.address,
            **fields,
            "nonce": int(contract.nonces(signer)) if nonce is None else nonce,
            "deadline": int(self.chain.blocks.head.timestamp) + 3600 if deadline is None else deadline,
        }
        return typed_data(
            name,
            message,
            self.chain.chain_id if chain_id is None else chain_id,
            contract.address if registry is None else registry,
        )

    def relay(self, typed: dict[str, Any], signature: str, proof: list[bytes] | None = None) -> ReceiptAPI:
        """Send a signed action from the relayer, as the API's relayer does."""
        function, arguments = call_arguments(typed, signature, ["0x" + p.hex() for p in proof or []])
        contract = self.registry(str(typed["primaryType"]))
        return getattr(contract, function)(*arguments, sender=self.relayer)


@dataclass
class Scenario:
    """Where an action is allowed: ``setup`` prepares the chain, then ``signer`` signs ``fields`` (with ``proof``
    beside them), and ``expected(world, at)`` lists every event the action emits at block time ``at``."""

    signer: Callable[[World], AccountAPI]
    fields: Callable[[World], dict[str, Any]]
    expected: Callable[[World, int], list[Any]]
    setup: Callable[[World], None] = lambda w: None
    proof: Callable[[World], list[bytes]] = field(default=lambda w: [])


def _apply_directly(w: World) -> None:
    w.partners.applyForMembership(*MILL, sender=w.applicant)


def _propose_admission(w: World) -> None:
    _apply_directly(w)
    w.partners.propose(ADMIT, w.applicant, ISSUER, 0, sender=w.town)


def _admission_seconded(w: World) -> None:
    _propose_admission(w)
    w.partners.vote(1, True, sender=w.bank)


BATCH = Batch.of("signed", 3)
SINGLE_ROOT, SINGLE_FINGERPRINT = digest("signed/single"), digest("signed/single/original")
NEW_BANK_NAME = "Cooperative Bank of Saxony"


def _bank_issues_batch(w: World) -> None:
    w.certificates.issueBatch(BATCH.root, 0, sender=w.bank)


def _bank_issues_single(w: World) -> None:
    w.certificates.issue(SINGLE_ROOT, SINGLE_FINGERPRINT, 0, sender=w.bank)


def _created(w: World, at: int, kind: int, subject: Any, rights: int, target: bytes, reason: int = 0) -> list[Any]:
    """ProposalCreated of proposal 1 by the town, and the town's own yes vote, as a 3-member council sees them."""
    return [
        event(
            w.partners,
            "ProposalCreated",
            proposalId=1,
            kind=kind,
            subject=subject,
            proposer=w.town,
            rights=rights,
            compromisedAfter=0,
            deadline=at + VOTING_PERIOD,
            target=target,
            leaf=ZERO_HASH,
            reason=reason,
            councilAtProposal=3,
        ),
    ]


def _town_vote(w: World) -> Any:
    return event(w.partners, "VoteCast", proposalId=1, voter=w.town, support=True, yesVotes=1, noVotes=0)


SCENARIOS: dict[str, Scenario] = {
    "Apply": Scenario(
        signer=lambda w: w.applicant,
        fields=lambda w: {"orgType": SME, "displayName": MILL[1], "domain": MILL[2], "metadataHash": ZERO_HASH},
        expected=lambda w, at: [
            event(
                w.partners,
                "PartnerRegistered",
                account=w.applicant,
                orgType=SME,
                displayName=MILL[1],
                domain=MILL[2],
                metadataHash=ZERO_HASH,
            ),
            event(
                w.partners,
                "PartnerStatusChanged",
                account=w.applicant,
                previous=NONE,
                status=APPLIED,
                proposalId=0,
                at=at,
            ),
        ],
    ),
    "Leave": Scenario(
        setup=_apply_directly,
        signer=lambda w: w.applicant,
        fields=lambda w: {},
        expected=lambda w, at: [
            event(
                w.partners,
                "PartnerStatusChanged",
                account=w.applicant,
                previous=APPLIED,
                status=LEFT,
                proposalId=0,
                at=at,
            ),
        ],
    ),
    "Propose": Scenario(
        setup=_apply_directly,
        signer=lambda w: w.town,
        fields=lambda w: {"kind": ADMIT, "subject": w.applicant.address, "rights": ISSUER, "cutoff": 0},
        expected=lambda w, at: [*_created(w, at, ADMIT, w.applicant, ISSUER, details_hash(*MILL)), _town_vote(w)],
    ),
    "ProposeDetails": Scenario(
        signer=lambda w: w.town,
        fields=lambda w: {
            "subject": w.bank.address,
            "orgType": ENTERPRISE,
            "displayName": NEW_BANK_NAME,
            "domain": "bank.example",
            "metadataHash": ZERO_HASH,
        },
        expected=lambda w, at: [
            *_created(
                w, at, CHANGE_DETAILS, w.bank, 0, details_hash(ENTERPRISE, NEW_BANK_NAME, "bank.example", ZERO_HASH)
            ),
            event(
                w.partners,
                "DetailsProposed",
                proposalId=1,
                orgType=ENTERPRISE,
                displayName=NEW_BANK_NAME,
                domain="bank.example",
                metadataHash=ZERO_HASH,
            ),
            _town_vote(w),
        ],
    ),
    "ProposeCertificateDecision": Scenario(
        setup=_bank_issues_single,
        signer=lambda w: w.town,
        fields=lambda w: {
            "kind": REVOKE_CERTIFICATE,
            "registry": w.certificates.address,
            "id": certificate_id(w.bank.address, SINGLE_ROOT),
            "leaf": ZERO_HASH,
            "reason": REASON,
        },
        expected=lambda w, at: [
            *_created(
                w,
                at,
                REVOKE_CERTIFICATE,
                w.certificates,
                0,
                certificate_id(w.bank.address, SINGLE_ROOT),
                REASON,
            ),
            _town_vote(w),
        ],
    ),
    "Vote": Scenario(
        setup=_propose_admission,
        signer=lambda w: w.bank,
        fields=lambda w: {"proposalId": 1, "support": True},
        expected=lambda w, at: [
            event(w.partners, "VoteCast", proposalId=1, voter=w.bank, support=True, yesVotes=2, noVotes=0)
        ],
    ),
    "Execute": Scenario(
        setup=_admission_seconded,
        # Anyone may execute a proposal with a majority; the signer is named as the executor, not the relayer.
        signer=lambda w: w.university,
        fields=lambda w: {"proposalId": 1},
        expected=lambda w, at: [
            event(
                w.partners,
                "PartnerStatusChanged",
                account=w.applicant,
                previous=APPLIED,
                status=ACTIVE,
                proposalId=1,
                at=at,
            ),
            event(
                w.partners, "PartnerRightsChanged", account=w.applicant, previous=0, rights=ISSUER, proposalId=1, at=at
            ),
            event(w.partners, "ProposalExecuted", proposalId=1, executor=w.university, countedVotes=2, required=2),
        ],
    ),
    "Issue": Scenario(
        signer=lambda w: w.bank,
        fields=lambda w: {"root": SINGLE_ROOT, "fingerprint": SINGLE_FINGERPRINT, "validUntil": 0},
        expected=lambda w, at: [
            event(
                w.certificates,
                "CertificateIssued",
                id=certificate_id(w.bank.address, SINGLE_ROOT),
                issuer=w.bank,
                fingerprint=SINGLE_FINGERPRINT,
                root=SINGLE_ROOT,
                issuedAt=at,
                validUntil=0,
            )
        ],
    ),
    "IssueBatch": Scenario(
        signer=lambda w: w.bank,
        fields=lambda w: {"root": BATCH.root, "validUntil": 0},
        expected=lambda w, at: [
            event(
                w.certificates,
                "CertificateIssued",
                id=BATCH.id(w.bank),
                issuer=w.bank,
                fingerprint=ZERO_HASH,
                root=BATCH.root,
                issuedAt=at,
                validUntil=0,
            )
        ],
    ),
    "IssueBatchPublic": Scenario(
        signer=lambda w: w.bank,
        fields=lambda w: {
            "root": BATCH.root,
            "validUntil": 0,
            "leaves": list(BATCH.documents),
            "fingerprints": list(BATCH.fingerprints),
        },
        expected=lambda w, at: [
            event(
                w.certificates,
                "CertificateIssued",
                id=BATCH.id(w.bank),
                issuer=w.bank,
                fingerprint=ZERO_HASH,
                root=BATCH.root,
                issuedAt=at,
                validUntil=0,
            ),
            *(
                event(w.certificates, "DocumentPublished", leaf=leaf, fingerprint=fingerprint, id=BATCH.id(w.bank))
                for leaf, fingerprint in zip(BATCH.documents, BATCH.fingerprints, strict=True)
            ),
        ],
    ),
    "SetStatus": Scenario(
        setup=_bank_issues_batch,
        signer=lambda w: w.bank,
        fields=lambda w: {"id": BATCH.id(w.bank), "leaf": BATCH.documents[1], "status": REVOKED, "reason": REASON},
        proof=lambda w: BATCH.proof(BATCH.documents[1]),
        expected=lambda w, at: [
            event(
                w.certificates,
                "CertificateRevoked",
                id=BATCH.id(w.bank),
                leaf=BATCH.documents[1],
                by=w.bank,
                reason=REASON,
                at=at,
                byCouncil=False,
            )
        ],
    ),
}


def test_every_signed_action_has_a_scenario() -> None:
    """The partner and certificate registries' actions; the provenance registry's are in test_provenance_signed."""
    assert set(SCENARIOS) == {n for n, a in ACTIONS.items() if a.contract != "ProvenanceRegistry"}


@pytest.fixture
def world(
    partner_registry: ContractInstance,
    certificate_registry: ContractInstance,
    town: AccountAPI,
    bank: AccountAPI,
    university: AccountAPI,
    applicant: AccountAPI,
    outsider: AccountAPI,
    chain: ChainManager,
) -> World:
    return World(partner_registry, certificate_registry, town, bank, university, applicant, outsider, chain)


def _prepared(world: World, name: str, **overrides: Any) -> tuple[Scenario, AccountAPI, dict[str, Any]]:
    scenario = SCENARIOS[name]
    scenario.setup(world)
    signer = scenario.signer(world)
    return scenario, signer, world.typed(name, signer, scenario.fields(world), **overrides)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_relayed_signed_action_is_carried_out_for_its_signer(world: World, name: str) -> None:
    scenario, signer, typed = _prepared(world, name)
    contract = world.registry(name)
    at = pin_next_block(world.chain)
    receipt = world.relay(typed, sign(typed, signer.private_key), scenario.proof(world))
    assert list(receipt.events) == scenario.expected(world, at)
    assert int(contract.nonces(signer)) == 1
    assert int(contract.nonces(world.relayer)) == 0


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_replayed_signature_is_refused(world: World, name: str) -> None:
    scenario, signer, typed = _prepared(world, name)
    signature = sign(typed, signer.private_key)
    world.relay(typed, signature, scenario.proof(world))
    contract = world.registry(name)
    with reverts_with(contract.InvalidAccountNonce, account=signer, currentNonce=1):
        world.relay(typed, signature, scenario.proof(world))
    assert int(contract.nonces(signer)) == 1


def _assert_unchanged_then_valid(world: World, name: str, scenario: Scenario, signer: AccountAPI) -> None:
    """The refusal used no nonce and changed nothing: the signer's valid action is still carried out, in full."""
    contract = world.registry(name)
    assert int(contract.nonces(signer)) == 0
    typed = world.typed(name, signer, scenario.fields(world))
    at = pin_next_block(world.chain)
    receipt = world.relay(typed, sign(typed, signer.private_key), scenario.proof(world))
    assert list(receipt.events) == scenario.expected(world, at)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_signature_by_another_key_is_refused(world: World, name: str) -> None:
    scenario, signer, typed = _prepared(world, name)
    forged = sign(typed, world.relayer.private_key)
    with reverts_with(world.registry(name).SignedActionInvalidSignature, signer=signer):
        world.relay(typed, forged, scenario.proof(world))
    _assert_unchanged_then_valid(world, name, scenario, signer)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_passed_deadline_is_refused(world: World, name: str) -> None:
    scenario = SCENARIOS[name]
    scenario.setup(world)
    signer = scenario.signer(world)
    at = pin_next_block(world.chain)
    deadline = at - 1
    typed = world.typed(name, signer, scenario.fields(world), deadline=deadline)
    with reverts_with(world.registry(name).SignedActionExpired, signer=signer, deadline=deadline):
        world.relay(typed, sign(typed, signer.private_key), scenario.proof(world))
    _assert_unchanged_then_valid(world, name, scenario, signer)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_deadline_itself_is_still_in_time(world: World, name: str) -> None:
    scenario = SCENARIOS[name]
    scenario.setup(world)
    signer = scenario.signer(world)
    at = pin_next_block(world.chain)
    typed = world.typed(name, signer, scenario.fields(world), deadline=at)
    receipt = world.relay(typed, sign(typed, signer.private_key), scenario.proof(world))
    assert list(receipt.events) == scenario.expected(world, at)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_signature_for_another_chain_is_refused(world: World, name: str) -> None:
    scenario, signer, typed = _prepared(world, name, chain_id=world.chain.chain_id + 1)
    signature = sign(typed, signer.private_key)
    here = world.typed(name, signer, scenario.fields(world))
    with reverts_with(world.registry(name).SignedActionInvalidSignature, signer=signer):
        world.relay(here, signature, scenario.proof(world))
    _assert_unchanged_then_valid(world, name, scenario, signer)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_signature_for_another_registry_is_refused(world: World, name: str) -> None:
    contract = world.registry(name)
    other = world.certificates if contract is world.partners else world.partners
    scenario, signer, typed = _prepared(world, name, registry=other.address)
    signature = sign(typed, signer.private_key)
    here = world.typed(name, signer, scenario.fields(world))
    with reverts_with(contract.SignedActionInvalidSignature, signer=signer):
        world.relay(here, signature, scenario.proof(world))
    _assert_unchanged_then_valid(world, name, scenario, signer)


@pytest.mark.parametrize("name", [n for n in SCENARIOS if n != "Leave"])
def test_an_altered_argument_is_refused(world: World, name: str) -> None:
    """The relayer changes one signed argument (the first after the signer) and keeps the signature."""
    scenario, signer, typed = _prepared(world, name)
    signature = sign(typed, signer.private_key)
    first = ACTIONS[name].fields[0][0]
    altered = {**typed, "message": {**typed["message"], first: _altered(typed["message"][first])}}
    with reverts_with(world.registry(name).SignedActionInvalidSignature, signer=signer):
        world.relay(altered, signature, scenario.proof(world))
    _assert_unchanged_then_valid(world, name, scenario, signer)


def _altered(value: Any) -> Any:
    if isinstance(value, bytes):
        return digest("altered")
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str) and value.startswith("0x"):
        return "0x" + "ab" * 20
    return value + " (altered)"


# --- The signer's standing is what counts, never the relayer's ------------------------------------------------------


def test_a_council_member_relaying_an_outsiders_vote_does_not_lend_its_seat(world: World, outsider: AccountAPI) -> None:
    _propose_admission(world)
    typed = world.typed("Vote", outsider, {"proposalId": 1, "support": True})
    signature = sign(typed, outsider.private_key)
    function, arguments = call_arguments(typed, signature)
    with reverts_with(world.partners.PartnerRegistryNotCouncil, account=outsider):
        getattr(world.partners, function)(*arguments, sender=world.bank)
    assert world.partners.proposal(1).yesVotes == 1
    assert int(world.partners.nonces(outsider)) == 0


def test_an_issuer_relaying_does_not_lend_its_issuer_right(world: World) -> None:
    typed = world.typed("Issue", world.applicant, SCENARIOS["Issue"].fields(world))
    function, arguments = call_arguments(typed, sign(typed, world.applicant.private_key))
    with reverts_with(world.certificates.CertificateRegistryUnauthorizedIssuer, account=world.applicant):
        getattr(world.certificates, function)(*arguments, sender=world.bank)
    assert world.certificates.certificate(certificate_id(world.applicant.address, SINGLE_ROOT)).issuer == (
        "0x" + "00" * 20
    )


def test_a_signed_status_change_on_another_issuers_certificate_is_refused(world: World) -> None:
    """The mill (issuer only) signs a revocation of the bank's document: not its certificate, not council."""
    _apply_directly(world)
    world.partners.propose(ADMIT, world.applicant, ISSUER, 0, sender=world.town)
    world.partners.vote(1, True, sender=world.bank)
    world.partners.execute(1, sender=world.town)
    _bank_issues_batch(world)
    fields = SCENARIOS["SetStatus"].fields(world)
    typed = world.typed("SetStatus", world.applicant, fields)
    with reverts_with(
        world.certificates.CertificateRegistryUnauthorized, account=world.applicant, id=BATCH.id(world.bank)
    ):
        world.relay(typed, sign(typed, world.applicant.private_key), SCENARIOS["SetStatus"].proof(world))
    assert world.certificates.statusOf(BATCH.id(world.bank), BATCH.documents[1]).status == 0


def test_a_signed_admission_binds_the_details_voted_on(world: World) -> None:
    """The signed Propose binds the applicant's details hash exactly as the direct one does."""
    _apply_directly(world)
    typed = world.typed("Propose", world.town, SCENARIOS["Propose"].fields(world))
    world.relay(typed, sign(typed, world.town.private_key))
    assert world.partners.proposal(1).target == details_hash(*MILL)
    assert world.partners.proposal(1).kind == ADMIT


def test_nonces_are_per_signer_and_per_registry(world: World) -> None:
    typed = world.typed("Issue", world.bank, SCENARIOS["Issue"].fields(world))
    world.relay(typed, sign(typed, world.bank.private_key))
    assert int(world.certificates.nonces(world.bank)) == 1
    assert int(world.partners.nonces(world.bank)) == 0
    assert int(world.certificates.nonces(world.town)) == 0


def test_a_nonce_from_the_future_is_refused(world: World) -> None:
    scenario, signer, typed = _prepared(world, "Issue", nonce=1)
    with reverts_with(world.certificates.InvalidAccountNonce, account=signer, currentNonce=0):
        world.relay(typed, sign(typed, signer.private_key))
    _assert_unchanged_then_valid(world, "Issue", scenario, signer)
