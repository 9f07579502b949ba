"""Contract tests for ProvenanceRegistry (issue 16): registration, title and custody transfers, claims with a one-time
key, lifecycle events (by the holder, with the holder's consent, in Merkle batches), dispositions and their council
clearing, lineage, and the standing cache the partner registry keeps honest.

Every event is compared with ALL its arguments and every revert with its custom error AND all its arguments. Each
"who may do what" rule is tried by those who may not, and each refusal is shown to have changed nothing (the original,
both offers and the signer's nonce are read before and after).

Cast: the founders (town, bank, university) hold ISSUER | COUNCIL; the town registers. Private parties are plain
addresses that are not partners: a collector, a buyer, a museum, a thief, and a relayer that sends what others sign.
"""

from __future__ import annotations

from typing import Any

import pytest
from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from eth_account import Account
from eth_utils import keccak
from support.certificate_helpers import Council, digest, event, events_of, pin_next_block
from support.contracts import NO_MIRROR, VOTING_PERIOD, deploy_reverts, deploy_world, founder_tuples, reverts_with

from ledger.events import ISSUER, ProposalKind
from ledger.signing.actions import sign
from ledger.signing.provenance import claim_typed_data, record_event_typed_data

TITLE, CUSTODY = 0, 1
NONE, LOST, STOLEN, DESTROYED, RECALLED = range(5)
INSPECTING, REPAIRING = 11, 21
DAY = 24 * 3600
ZERO_ADDRESS = "0x" + "00" * 20
ZERO = b"\x00" * 32
ARTWORK = digest("artwork serial 0001")
CLAIM_KEY = keccak(b"the one-time key printed on the certificate")


# --- fixtures ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def world(
    project: Any, town: AccountAPI, founders: list[AccountAPI]
) -> tuple[ContractInstance, ContractInstance, ContractInstance]:
    return deploy_world(project, town, founder_tuples(founders))


@pytest.fixture(scope="session")
def partners(world: tuple[ContractInstance, ContractInstance, ContractInstance]) -> ContractInstance:
    return world[0]


@pytest.fixture(scope="session")
def p(world: tuple[ContractInstance, ContractInstance, ContractInstance]) -> ContractInstance:
    """The provenance registry."""
    return world[2]


@pytest.fixture(scope="session")
def council(partners: ContractInstance, town: AccountAPI, university: AccountAPI) -> Council:
    return Council(partners, proposer=town, seconder=university)


@pytest.fixture(scope="session")
def collector(accounts: Any) -> AccountAPI:
    return accounts[5]


@pytest.fixture(scope="session")
def buyer(accounts: Any) -> AccountAPI:
    return accounts[6]


@pytest.fixture(scope="session")
def museum(accounts: Any) -> AccountAPI:
    return accounts[7]


@pytest.fixture(scope="session")
def thief(accounts: Any) -> AccountAPI:
    return accounts[8]


@pytest.fixture(scope="session")
def relayer(accounts: Any) -> AccountAPI:
    return accounts[9]


@pytest.fixture(scope="module", autouse=True)
def _cast(
    p: ContractInstance,
    council: Council,
    collector: AccountAPI,
    buyer: AccountAPI,
    museum: AccountAPI,
    thief: AccountAPI,
    relayer: AccountAPI,
    outsider: AccountAPI,
) -> None:
    """Every session participant exists before a module fixture transacts (see test_certificate_registry)."""


@pytest.fixture
def art(p: ContractInstance, town: AccountAPI, collector: AccountAPI) -> bytes:
    """An artwork the town registered for the collector, who holds it."""
    p.enrolOriginal(ARTWORK, collector, ZERO_ADDRESS, False, sender=town)
    return original_id(town, ARTWORK)


# --- helpers ----------------------------------------------------------------------------------------------------------


def original_id(registrar: AccountAPI | str, identifier: bytes) -> bytes:
    """``ProvenanceRegistry.originalId``: keccak256(abi.encode(registrar, identifier)), restated so tests pin it."""
    address = bytes.fromhex(str(getattr(registrar, "address", registrar))[2:])
    return keccak(bytes(12) + address + identifier)


def snapshot(p: ContractInstance, original: bytes, *signers: AccountAPI) -> tuple[Any, ...]:
    """What a refused action must leave as it was: the original, both offers and the signers' nonces."""
    return (
        tuple(p.originalOf(original)),
        tuple(p.offerOf(original, TITLE)),
        tuple(p.offerOf(original, CUSTODY)),
        tuple(p.nonces(s) for s in signers),
    )


def original_state(p: ContractInstance, original: bytes) -> tuple[Any, ...]:
    """(owner, holder, disposition, soulbound, epoch) of an original."""
    o = p.originalOf(original)
    return (o.owner, o.holder, o.disposition, o.soulbound, o.epoch)


def offer_state(p: ContractInstance, original: bytes, right: int) -> tuple[Any, ...]:
    o = p.offerOf(original, right)
    return (o.to, o.deadline, o.claim, o.open)


def claim_signature(
    p: ContractInstance,
    chain: ChainManager,
    original: bytes,
    right: int,
    claimant: Any,
    deadline: int,
    key: bytes = CLAIM_KEY,
) -> bytes:
    typed = claim_typed_data(
        original, right, str(getattr(claimant, "address", claimant)), deadline, chain.chain_id, str(p.address)
    )
    return bytes.fromhex(sign(typed, key)[2:])


def consent(
    p: ContractInstance,
    chain: ChainManager,
    holder: AccountAPI,
    original: bytes,
    step: int,
    evidence: bytes,
    occurred_at: int,
    recorder: AccountAPI,
    deadline: int,
    nonce: int | None = None,
) -> tuple[Any, ...]:
    """The holder's signed consent to one event by ``recorder``, as the ``Signed`` tuple the contract takes."""
    nonce = p.nonces(holder) if nonce is None else nonce
    typed = record_event_typed_data(
        holder.address,
        original,
        step,
        evidence,
        occurred_at,
        recorder.address,
        nonce,
        deadline,
        chain.chain_id,
        str(p.address),
    )
    return (holder.address, nonce, deadline, sign(typed, holder.private_key))


# --- registration -----------------------------------------------------------------------------------------------------


def test_an_active_issuer_registers_an_original_for_an_owner_who_holds_it(
    p: ContractInstance, chain: ChainManager, town: AccountAPI, collector: AccountAPI
) -> None:
    at = pin_next_block(chain)
    tx = p.enrolOriginal(ARTWORK, collector, ZERO_ADDRESS, False, sender=town)
    original = original_id(town, ARTWORK)
    assert p.originalId(town, ARTWORK) == original
    assert events_of(tx) == [
        event(p, "OriginalRegistered", original=original, identifier=ARTWORK, registrar=town, owner=collector)
    ]
    o = p.originalOf(original)
    assert (o.owner, o.holder, o.registeredAt, o.disposition, o.soulbound, o.epoch) == (
        collector.address,
        collector.address,
        at,
        NONE,
        False,
        0,
    )
    assert offer_state(p, original, TITLE) == offer_state(p, original, CUSTODY) == (ZERO_ADDRESS, 0, False, False)


def test_a_registration_names_a_third_party_holder_and_a_soulbound_title(
    p: ContractInstance, town: AccountAPI, collector: AccountAPI, museum: AccountAPI
) -> None:
    tx = p.enrolOriginal(ARTWORK, collector, museum, True, sender=town)
    original = original_id(town, ARTWORK)
    assert events_of(tx) == [
        event(p, "OriginalRegistered", original=original, identifier=ARTWORK, registrar=town, owner=collector),
        event(p, "HeldAtRegistration", original=original, holder=museum),
        event(p, "OriginalSoulbound", original=original),
    ]
    assert original_state(p, original) == (collector.address, museum.address, NONE, True, 0)


def test_the_owner_named_as_holder_is_the_owner_holding_it(
    p: ContractInstance, town: AccountAPI, collector: AccountAPI
) -> None:
    tx = p.enrolOriginal(ARTWORK, collector, collector, False, sender=town)
    assert [e.event_name for e in events_of(tx)] == ["OriginalRegistered"]
    assert original_state(p, original_id(town, ARTWORK))[:2] == (collector.address, collector.address)


def test_registration_links_certificates_and_parents(
    p: ContractInstance, town: AccountAPI, collector: AccountAPI, bank: AccountAPI
) -> None:
    fabric_id = digest("fabric batch")
    p.enrolOriginal(fabric_id, town, ZERO_ADDRESS, False, sender=town)
    fabric = original_id(town, fabric_id)
    cert = digest("certificate")
    garment_id = digest("garment")
    tx = p.enrolLinked(garment_id, collector, ZERO_ADDRESS, False, [cert], [fabric], sender=town)
    garment = original_id(town, garment_id)
    assert events_of(tx) == [
        event(p, "OriginalRegistered", original=garment, identifier=garment_id, registrar=town, owner=collector),
        event(p, "CertificateLinked", original=garment, certificateId=cert, by=town),
        event(p, "OriginalDerived", original=garment, parent=fabric, by=town),
    ]
    # A registrar that neither owns nor holds the parent cannot claim to have made something from it.
    with reverts_with(p.ProvenanceRegistryNotHolder, original=fabric, account=bank):
        p.enrolLinked(digest("fake garment"), collector, ZERO_ADDRESS, False, [], [fabric], sender=bank)
    with reverts_with(p.ProvenanceRegistryUnknownOriginal, original=digest("no such parent")):
        p.enrolLinked(digest("g2"), collector, ZERO_ADDRESS, False, [], [digest("no such parent")], sender=town)
    assert original_state(p, original_id(bank, digest("fake garment")))[0] == ZERO_ADDRESS


def test_another_partner_may_register_the_same_identifier_and_it_is_detectable(
    p: ContractInstance,
    chain: ChainManager,
    town: AccountAPI,
    bank: AccountAPI,
    collector: AccountAPI,
    thief: AccountAPI,
) -> None:
    """Another partner's registration is another original; both are found by filtering on the identifier, the first
    one first ("first registered by the town at T")."""
    first_at = pin_next_block(chain)
    p.enrolOriginal(ARTWORK, collector, ZERO_ADDRESS, False, sender=town)
    p.enrolOriginal(ARTWORK, thief, ZERO_ADDRESS, False, sender=bank)
    logs = list(p.OriginalRegistered.range(0, chain.blocks.head.number + 1, search_topics={"identifier": ARTWORK}))
    assert [(log.registrar, log.owner) for log in logs] == [
        (town.address, collector.address),
        (bank.address, thief.address),
    ]
    first = original_id(town, ARTWORK)
    assert p.originalOf(first).registeredAt == first_at
    assert original_state(p, first)[0] == collector.address  # the second registration changed nothing of the first


def test_a_partner_cannot_register_one_identifier_twice(
    p: ContractInstance, town: AccountAPI, art: bytes, buyer: AccountAPI, collector: AccountAPI
) -> None:
    before = snapshot(p, art)
    with reverts_with(p.ProvenanceRegistryAlreadyRegistered, original=art):
        p.enrolOriginal(ARTWORK, buyer, ZERO_ADDRESS, False, sender=town)
    assert snapshot(p, art) == before


@pytest.mark.parametrize(("identifier", "owner_index"), [(ZERO, 5), (ARTWORK, None)])
def test_a_registration_needs_an_identifier_and_an_owner(
    p: ContractInstance, town: AccountAPI, accounts: Any, identifier: bytes, owner_index: int | None
) -> None:
    owner = accounts[owner_index].address if owner_index is not None else ZERO_ADDRESS
    with reverts_with(p.ProvenanceRegistryInvalidRegistration, identifier=identifier, owner=owner):
        p.enrolOriginal(identifier, owner, ZERO_ADDRESS, False, sender=town)


def test_a_non_partner_cannot_register_anchor_recall_or_record_with_consent(
    p: ContractInstance, chain: ChainManager, outsider: AccountAPI, collector: AccountAPI, art: bytes
) -> None:
    with reverts_with(p.ProvenanceRegistryUnauthorizedPartner, account=outsider):
        p.enrolOriginal(ARTWORK, collector, ZERO_ADDRESS, False, sender=outsider)
    with reverts_with(p.ProvenanceRegistryUnauthorizedPartner, account=outsider):
        p.anchorEvents(digest("root"), 3, sender=outsider)
    with reverts_with(p.ProvenanceRegistryUnauthorizedPartner, account=outsider):
        p.recall(ARTWORK, digest("recall"), sender=outsider)
    now = chain.blocks.head.timestamp
    signed = consent(p, chain, collector, art, INSPECTING, digest("e"), now, outsider, now + DAY)
    before = snapshot(p, art, collector)
    with reverts_with(p.ProvenanceRegistryUnauthorizedPartner, account=outsider):
        p.addEventWithConsent(art, INSPECTING, digest("e"), now, signed, sender=outsider)
    assert snapshot(p, art, collector) == before
    assert original_state(p, original_id(outsider, ARTWORK))[0] == ZERO_ADDRESS


def test_a_suspended_partner_is_refused_at_once_even_after_its_standing_was_cached(
    p: ContractInstance, council: Council, bank: AccountAPI, collector: AccountAPI
) -> None:
    """The bank registers (its standing is learnt and cached); its suspension is pushed to this registry in the same
    transaction, so its next registration is refused; reinstated, it is learnt again."""
    p.enrolOriginal(digest("first"), collector, ZERO_ADDRESS, False, sender=bank)
    council.suspend(bank)
    with reverts_with(p.ProvenanceRegistryUnauthorizedPartner, account=bank):
        p.enrolOriginal(digest("second"), collector, ZERO_ADDRESS, False, sender=bank)
    with reverts_with(p.ProvenanceRegistryUnauthorizedPartner, account=bank):
        p.anchorEvents(digest("root"), 2, sender=bank)
    assert original_state(p, original_id(bank, digest("second")))[0] == ZERO_ADDRESS
    council.reinstate(bank)
    p.enrolOriginal(digest("second"), collector, ZERO_ADDRESS, False, sender=bank)
    assert original_state(p, original_id(bank, digest("second")))[0] == collector.address


def test_a_partner_that_loses_the_issuer_right_or_gets_a_cutoff_is_refused(
    p: ContractInstance,
    council: Council,
    partners: ContractInstance,
    chain: ChainManager,
    bank: AccountAPI,
    university: AccountAPI,
    collector: AccountAPI,
) -> None:
    p.anchorEvents(digest("r1"), 1, sender=bank)
    council.withdraw_rights(bank, ISSUER)
    with reverts_with(p.ProvenanceRegistryUnauthorizedPartner, account=bank):
        p.anchorEvents(digest("r2"), 1, sender=bank)
    # The university is cached, then its key is declared compromised (it stays an active issuer).
    p.anchorEvents(digest("r3"), 1, sender=university)
    council.decide(ProposalKind.SET_COMPROMISED, university, 0, chain.blocks.head.timestamp)
    assert partners.isActiveIssuer(university)
    with reverts_with(p.ProvenanceRegistryUnauthorizedPartner, account=university):
        p.anchorEvents(digest("r4"), 1, sender=university)


def test_only_the_partner_registry_writes_the_standing_cache(
    p: ContractInstance, partners: ContractInstance, outsider: AccountAPI, town: AccountAPI
) -> None:
    assert p.partners() == partners.address
    assert partners.standingCache() == p.address
    with reverts_with(p.ProvenanceRegistryNotPartnerRegistry, caller=outsider):
        p.setStanding(town, (False, False, 0), sender=outsider)
    assert tuple(p.standingOf(town)) == (True, True, 0)


def test_a_partner_that_leaves_is_refused_at_once(
    p: ContractInstance, partners: ContractInstance, bank: AccountAPI, collector: AccountAPI
) -> None:
    p.enrolOriginal(digest("first"), collector, ZERO_ADDRESS, False, sender=bank)
    partners.leave(sender=bank)
    with reverts_with(p.ProvenanceRegistryUnauthorizedPartner, account=bank):
        p.enrolOriginal(digest("second"), collector, ZERO_ADDRESS, False, sender=bank)


def test_a_partner_registry_refuses_a_standing_cache_that_names_another_registry(
    project: Any, town: AccountAPI, founders: list[AccountAPI], outsider: AccountAPI
) -> None:
    stray = town.deploy(project.ProvenanceRegistry, outsider.address)
    with deploy_reverts(project.PartnerRegistry, "PartnerRegistryMirrorMismatch", stray, outsider):
        town.deploy(project.PartnerRegistry, founder_tuples(founders), VOTING_PERIOD, NO_MIRROR, stray)


# --- title and custody ------------------------------------------------------------------------------------------------


def test_a_sale_is_offered_by_the_owner_and_accepted_by_the_buyer(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, buyer: AccountAPI
) -> None:
    deadline = chain.blocks.head.timestamp + 30 * DAY
    tx = p.handOver(art, TITLE, buyer, deadline, sender=collector)
    assert events_of(tx) == [event(p, "TitleOffered", original=art, **{"from": collector}, to=buyer, deadline=deadline)]
    assert offer_state(p, art, TITLE) == (buyer.address, deadline, False, True)
    # Nothing moved yet: a transfer without acceptance is impossible.
    assert original_state(p, art) == (collector.address, collector.address, NONE, False, 0)
    tx = p.takeOver(art, TITLE, sender=buyer)
    assert events_of(tx) == [event(p, "TitleTransferred", original=art, **{"from": collector}, to=buyer)]
    # The collector held it, so the buyer (the new owner) holds it now.
    assert original_state(p, art) == (buyer.address, buyer.address, NONE, False, 1)
    assert offer_state(p, art, TITLE) == (ZERO_ADDRESS, 0, False, False)


def test_a_loan_moves_custody_and_not_title_and_comes_back(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, museum: AccountAPI, buyer: AccountAPI
) -> None:
    deadline = chain.blocks.head.timestamp + DAY
    tx = p.handOver(art, CUSTODY, museum, deadline, sender=collector)
    assert events_of(tx) == [
        event(p, "CustodyOffered", original=art, **{"from": collector}, to=museum, deadline=deadline)
    ]
    tx = p.takeOver(art, CUSTODY, sender=museum)
    assert events_of(tx) == [event(p, "CustodyTransferred", original=art, **{"from": collector}, to=museum)]
    assert original_state(p, art) == (collector.address, museum.address, NONE, False, 0)
    # The holder, not the owner, passes custody on; the owner cannot take it back without the holder.
    with reverts_with(p.ProvenanceRegistryNotParty, original=art, right=CUSTODY, account=collector):
        p.handOver(art, CUSTODY, collector, deadline, sender=collector)
    # The owner may still sell while the museum holds it; custody stays with the museum.
    p.handOver(art, TITLE, buyer, deadline, sender=collector)
    p.takeOver(art, TITLE, sender=buyer)
    assert original_state(p, art) == (buyer.address, museum.address, NONE, False, 1)
    # The museum returns it to the (new) owner.
    p.handOver(art, CUSTODY, buyer, deadline, sender=museum)
    tx = p.takeOver(art, CUSTODY, sender=buyer)
    assert events_of(tx) == [event(p, "CustodyTransferred", original=art, **{"from": museum}, to=buyer)]
    assert original_state(p, art) == (buyer.address, buyer.address, NONE, False, 1)
    assert offer_state(p, art, CUSTODY) == (ZERO_ADDRESS, 0, False, False)


def test_custody_passes_from_holder_to_holder(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, museum: AccountAPI, thief: AccountAPI
) -> None:
    deadline = chain.blocks.head.timestamp + DAY
    p.handOver(art, CUSTODY, museum, deadline, sender=collector)
    p.takeOver(art, CUSTODY, sender=museum)
    p.handOver(art, CUSTODY, thief, deadline, sender=museum)  # a courier, here
    tx = p.takeOver(art, CUSTODY, sender=thief)
    assert events_of(tx) == [event(p, "CustodyTransferred", original=art, **{"from": museum}, to=thief)]
    assert original_state(p, art)[:2] == (collector.address, thief.address)


def test_nobody_but_the_current_party_offers_a_right(
    p: ContractInstance, chain: ChainManager, art: bytes, thief: AccountAPI, town: AccountAPI
) -> None:
    deadline = chain.blocks.head.timestamp + DAY
    before = snapshot(p, art)
    for right in (TITLE, CUSTODY):
        for intruder in (thief, town):  # a stranger, and the registrar itself
            with reverts_with(p.ProvenanceRegistryNotParty, original=art, right=right, account=intruder):
                p.handOver(art, right, intruder, deadline, sender=intruder)
            with reverts_with(p.ProvenanceRegistryNotParty, original=art, right=right, account=intruder):
                p.proposeClaim(art, right, intruder, deadline, sender=intruder)
    assert snapshot(p, art) == before


def test_only_the_recipient_accepts_and_only_before_the_deadline(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, buyer: AccountAPI, thief: AccountAPI
) -> None:
    deadline = chain.blocks.head.timestamp + DAY
    p.handOver(art, TITLE, buyer, deadline, sender=collector)
    before = snapshot(p, art)
    for intruder in (thief, collector):
        with reverts_with(p.ProvenanceRegistryNotRecipient, original=art, right=TITLE, account=intruder):
            p.takeOver(art, TITLE, sender=intruder)
    with reverts_with(p.ProvenanceRegistryNoOffer, original=art, right=CUSTODY):
        p.takeOver(art, CUSTODY, sender=buyer)
    chain.pending_timestamp = deadline + 1
    with reverts_with(p.ProvenanceRegistryOfferLapsed, original=art, right=TITLE, deadline=deadline):
        p.takeOver(art, TITLE, sender=buyer)
    assert snapshot(p, art) == before
    # A lapsed offer may be replaced.
    p.handOver(art, TITLE, thief, deadline + DAY, sender=collector)
    assert offer_state(p, art, TITLE) == (thief.address, deadline + DAY, False, True)


def test_an_offer_is_refused_when_invalid_or_while_another_is_open(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, buyer: AccountAPI, museum: AccountAPI
) -> None:
    now = chain.blocks.head.timestamp
    for to, deadline in ((ZERO_ADDRESS, now + DAY), (collector.address, now + DAY), (buyer.address, now)):
        with reverts_with(p.ProvenanceRegistryInvalidOffer, to=to, deadline=deadline):
            p.handOver(art, TITLE, to, deadline, sender=collector)
    p.handOver(art, TITLE, buyer, now + DAY, sender=collector)
    before = snapshot(p, art)
    with reverts_with(p.ProvenanceRegistryOfferPending, original=art, right=TITLE, to=buyer, deadline=now + DAY):
        p.handOver(art, TITLE, museum, now + 2 * DAY, sender=collector)
    assert snapshot(p, art) == before


def test_the_recipient_rejects_with_a_remark_and_the_party_cancels(
    p: ContractInstance,
    chain: ChainManager,
    art: bytes,
    collector: AccountAPI,
    buyer: AccountAPI,
    thief: AccountAPI,
    museum: AccountAPI,
) -> None:
    deadline = chain.blocks.head.timestamp + DAY
    p.handOver(art, TITLE, buyer, deadline, sender=collector)
    with reverts_with(p.ProvenanceRegistryNotRecipient, original=art, right=TITLE, account=thief):
        p.reject(art, TITLE, digest("remark"), sender=thief)
    tx = p.reject(art, TITLE, digest("too expensive"), sender=buyer)
    assert events_of(tx) == [
        event(p, "TransferRejected", original=art, by=buyer, right=TITLE, remarkHash=digest("too expensive"))
    ]
    assert offer_state(p, art, TITLE) == (ZERO_ADDRESS, 0, False, False)
    with reverts_with(p.ProvenanceRegistryNoOffer, original=art, right=TITLE):
        p.takeOver(art, TITLE, sender=buyer)
    p.handOver(art, CUSTODY, museum, deadline, sender=collector)
    with reverts_with(p.ProvenanceRegistryNotParty, original=art, right=CUSTODY, account=museum):
        p.cancel(art, CUSTODY, sender=museum)
    tx = p.cancel(art, CUSTODY, sender=collector)
    assert events_of(tx) == [event(p, "TransferCancelled", original=art, by=collector, right=CUSTODY)]
    with reverts_with(p.ProvenanceRegistryNoOffer, original=art, right=CUSTODY):
        p.takeOver(art, CUSTODY, sender=museum)
    with reverts_with(p.ProvenanceRegistryNoOffer, original=art, right=CUSTODY):
        p.cancel(art, CUSTODY, sender=collector)
    assert original_state(p, art) == (collector.address, collector.address, NONE, False, 0)


def test_a_change_of_owner_voids_the_old_owners_offers(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, buyer: AccountAPI, museum: AccountAPI
) -> None:
    """The collector offers a loan, then sells: the buyer holds it now, and the collector's loan offer is void."""
    deadline = chain.blocks.head.timestamp + DAY
    p.handOver(art, CUSTODY, museum, deadline, sender=collector)
    p.handOver(art, TITLE, buyer, deadline, sender=collector)
    p.takeOver(art, TITLE, sender=buyer)
    assert offer_state(p, art, CUSTODY) == (ZERO_ADDRESS, 0, False, False)
    with reverts_with(p.ProvenanceRegistryNoOffer, original=art, right=CUSTODY):
        p.takeOver(art, CUSTODY, sender=museum)
    assert original_state(p, art)[:2] == (buyer.address, buyer.address)


def test_a_soulbound_title_never_moves_but_custody_may(
    p: ContractInstance,
    chain: ChainManager,
    town: AccountAPI,
    collector: AccountAPI,
    buyer: AccountAPI,
    museum: AccountAPI,
) -> None:
    diploma_id = digest("diploma 42")
    p.enrolOriginal(diploma_id, collector, ZERO_ADDRESS, True, sender=town)
    diploma = original_id(town, diploma_id)
    deadline = chain.blocks.head.timestamp + DAY
    before = snapshot(p, diploma)
    with reverts_with(p.ProvenanceRegistrySoulbound, original=diploma):
        p.handOver(diploma, TITLE, buyer, deadline, sender=collector)
    with reverts_with(p.ProvenanceRegistrySoulbound, original=diploma):
        p.proposeClaim(diploma, TITLE, buyer, deadline, sender=collector)
    assert snapshot(p, diploma) == before
    p.handOver(diploma, CUSTODY, museum, deadline, sender=collector)
    p.takeOver(diploma, CUSTODY, sender=museum)
    assert original_state(p, diploma) == (collector.address, museum.address, NONE, True, 0)


def test_unknown_originals_are_refused(p: ContractInstance, buyer: AccountAPI, chain: ChainManager) -> None:
    ghost = digest("ghost")
    deadline = chain.blocks.head.timestamp + DAY
    with reverts_with(p.ProvenanceRegistryUnknownOriginal, original=ghost):
        p.handOver(ghost, TITLE, buyer, deadline, sender=buyer)
    with reverts_with(p.ProvenanceRegistryUnknownOriginal, original=ghost):
        p.takeOver(ghost, TITLE, sender=buyer)
    with reverts_with(p.ProvenanceRegistryUnknownOriginal, original=ghost):
        p.addEvent(ghost, INSPECTING, digest("e"), 1, sender=buyer)
    with reverts_with(p.ProvenanceRegistryUnknownOriginal, original=ghost):
        p.logIncident(ghost, STOLEN, digest("e"), sender=buyer)
    assert tuple(p.offerOf(ghost, TITLE)) == (ZERO_ADDRESS, 0, False, False)


# --- claims with a one-time key ---------------------------------------------------------------------------------------


def test_a_claim_with_the_one_time_key_is_relayed_by_anyone_for_the_named_claimant(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, buyer: AccountAPI, relayer: AccountAPI
) -> None:
    key = Account.from_key(CLAIM_KEY).address
    deadline = chain.blocks.head.timestamp + 30 * DAY
    tx = p.proposeClaim(art, TITLE, key, deadline, sender=collector)
    assert events_of(tx) == [
        event(p, "ClaimOffered", original=art, **{"from": collector}, key=key, right=TITLE, deadline=deadline)
    ]
    assert offer_state(p, art, TITLE) == (key, deadline, True, True)
    # A claim offer is not accepted or rejected by the key's address.
    signature = claim_signature(p, chain, art, TITLE, buyer, deadline)
    tx = p.claim(art, TITLE, buyer, deadline, signature, sender=relayer)
    assert events_of(tx) == [
        event(p, "TitleTransferred", original=art, **{"from": collector}, to=buyer),
        event(p, "OfferClaimed", original=art, key=key, claimant=buyer, right=TITLE),
    ]
    assert original_state(p, art) == (buyer.address, buyer.address, NONE, False, 1)
    # The key is used up: the same signature again finds no offer.
    with reverts_with(p.ProvenanceRegistryNoOffer, original=art, right=TITLE):
        p.claim(art, TITLE, buyer, deadline, signature, sender=relayer)


def test_custody_is_claimed_with_a_key_for_a_courier_without_a_wallet_of_its_own(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, museum: AccountAPI, relayer: AccountAPI
) -> None:
    key = Account.from_key(CLAIM_KEY).address
    deadline = chain.blocks.head.timestamp + DAY
    tx = p.proposeClaim(art, CUSTODY, key, deadline, sender=collector)
    assert events_of(tx) == [
        event(p, "ClaimOffered", original=art, **{"from": collector}, key=key, right=CUSTODY, deadline=deadline)
    ]
    tx = p.claim(
        art, CUSTODY, museum, deadline, claim_signature(p, chain, art, CUSTODY, museum, deadline), sender=relayer
    )
    assert events_of(tx) == [
        event(p, "CustodyTransferred", original=art, **{"from": collector}, to=museum),
        event(p, "OfferClaimed", original=art, key=key, claimant=museum, right=CUSTODY),
    ]
    assert original_state(p, art) == (collector.address, museum.address, NONE, False, 0)


def test_a_front_runner_who_copies_the_claim_cannot_take_the_original(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, buyer: AccountAPI, thief: AccountAPI
) -> None:
    """The signature in the mempool names the claimant: sent for the thief, it does not hold; the claimant's still
    does afterwards."""
    key = Account.from_key(CLAIM_KEY).address
    deadline = chain.blocks.head.timestamp + DAY
    p.proposeClaim(art, TITLE, key, deadline, sender=collector)
    signature = claim_signature(p, chain, art, TITLE, buyer, deadline)
    before = snapshot(p, art)
    with reverts_with(p.ProvenanceRegistryInvalidClaim, original=art, right=TITLE, claimant=thief):
        p.claim(art, TITLE, thief, deadline, signature, sender=thief)
    # Nor can it change the deadline, or the right, under the same signature.
    with reverts_with(p.ProvenanceRegistryInvalidClaim, original=art, right=TITLE, claimant=buyer):
        p.claim(art, TITLE, buyer, deadline - 1, signature, sender=thief)
    assert snapshot(p, art) == before
    p.claim(art, TITLE, buyer, deadline, signature, sender=thief)  # relaying it only helps the buyer
    assert original_state(p, art)[0] == buyer.address


def test_a_claim_with_a_wrong_key_expired_or_to_nobody_is_refused(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, buyer: AccountAPI, thief: AccountAPI
) -> None:
    key = Account.from_key(CLAIM_KEY).address
    deadline = chain.blocks.head.timestamp + DAY
    p.proposeClaim(art, CUSTODY, key, deadline, sender=collector)
    before = snapshot(p, art)
    wrong = claim_signature(p, chain, art, CUSTODY, thief, deadline, key=keccak(b"a guessed key"))
    with reverts_with(p.ProvenanceRegistryInvalidClaim, original=art, right=CUSTODY, claimant=thief):
        p.claim(art, CUSTODY, thief, deadline, wrong, sender=thief)
    with reverts_with(p.ProvenanceRegistryInvalidClaim, original=art, right=CUSTODY, claimant=ZERO_ADDRESS):
        p.claim(art, CUSTODY, ZERO_ADDRESS, deadline, wrong, sender=thief)
    stale = chain.blocks.head.timestamp
    expired = claim_signature(p, chain, art, CUSTODY, buyer, stale)
    chain.pending_timestamp = stale + 5
    with reverts_with(p.SignedActionExpired, signer=key, deadline=stale):
        p.claim(art, CUSTODY, buyer, stale, expired, sender=buyer)
    # The key's address cannot accept or reject a claim offer directly either.
    with reverts_with(p.ProvenanceRegistryNotRecipient, original=art, right=CUSTODY, account=buyer):
        p.takeOver(art, CUSTODY, sender=buyer)
    assert snapshot(p, art) == before
    chain.pending_timestamp = deadline + 1
    late = claim_signature(p, chain, art, CUSTODY, buyer, deadline + DAY)
    with reverts_with(p.ProvenanceRegistryOfferLapsed, original=art, right=CUSTODY, deadline=deadline):
        p.claim(art, CUSTODY, buyer, deadline + DAY, late, sender=buyer)
    assert snapshot(p, art) == before


def test_a_plain_offer_cannot_be_claimed(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, buyer: AccountAPI
) -> None:
    deadline = chain.blocks.head.timestamp + DAY
    p.handOver(art, TITLE, buyer, deadline, sender=collector)
    signature = claim_signature(p, chain, art, TITLE, buyer, deadline, key=buyer.private_key)
    with reverts_with(p.ProvenanceRegistryInvalidClaim, original=art, right=TITLE, claimant=buyer):
        p.claim(art, TITLE, buyer, deadline, signature, sender=buyer)


# --- lifecycle events -------------------------------------------------------------------------------------------------


def test_the_holder_records_a_lifecycle_event(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI
) -> None:
    occurred = chain.blocks.head.timestamp - 3600
    tx = p.addEvent(art, INSPECTING, digest("condition report"), occurred, sender=collector)
    assert events_of(tx) == [
        event(
            p,
            "LifecycleEventRecorded",
            original=art,
            holder=collector,
            bizStep=INSPECTING,
            evidenceHash=digest("condition report"),
            occurredAt=occurred,
        )
    ]


def test_nobody_but_the_holder_records_an_event_directly(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, museum: AccountAPI, town: AccountAPI
) -> None:
    """Once the museum holds it, neither the owner nor a partner (even the registrar) records by itself."""
    p.handOver(art, CUSTODY, museum, chain.blocks.head.timestamp + DAY, sender=collector)
    p.takeOver(art, CUSTODY, sender=museum)
    for intruder in (collector, town):
        with reverts_with(p.ProvenanceRegistryNotHolder, original=art, account=intruder):
            p.addEvent(art, INSPECTING, digest("e"), 1, sender=intruder)
    tx = p.addEvent(art, INSPECTING, digest("e"), 1, sender=museum)
    assert [e.event_name for e in events_of(tx)] == ["LifecycleEventRecorded"]


def test_an_event_needs_a_business_step_and_a_time_not_in_the_future(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI
) -> None:
    at = pin_next_block(chain)
    with reverts_with(p.ProvenanceRegistryInvalidEvent, bizStep=0, occurredAt=at):
        p.addEvent(art, 0, digest("e"), at, sender=collector)
    at = pin_next_block(chain)
    with reverts_with(p.ProvenanceRegistryInvalidEvent, bizStep=INSPECTING, occurredAt=at + 1):
        p.addEvent(art, INSPECTING, digest("e"), at + 1, sender=collector)


def test_a_partner_records_an_event_with_the_holders_consent(
    p: ContractInstance,
    chain: ChainManager,
    art: bytes,
    collector: AccountAPI,
    university: AccountAPI,
    bank: AccountAPI,
    thief: AccountAPI,
) -> None:
    now = chain.blocks.head.timestamp
    signed = consent(p, chain, collector, art, REPAIRING, digest("restoration"), now, university, now + DAY)
    tx = p.addEventWithConsent(art, REPAIRING, digest("restoration"), now, signed, sender=university)
    assert events_of(tx) == [
        event(
            p,
            "LifecycleEventConsented",
            original=art,
            recorder=university,
            holder=collector,
            bizStep=REPAIRING,
            evidenceHash=digest("restoration"),
            occurredAt=now,
        )
    ]
    assert p.nonces(collector) == 1
    before = snapshot(p, art, collector)
    # Replayed: the nonce is used.
    with reverts_with(p.InvalidAccountNonce, account=collector, currentNonce=1):
        p.addEventWithConsent(art, REPAIRING, digest("restoration"), now, signed, sender=university)
    # Another partner cannot use a consent that names the university.
    fresh = consent(p, chain, collector, art, REPAIRING, digest("x"), now, university, now + DAY)
    with reverts_with(p.SignedActionInvalidSignature, signer=collector):
        p.addEventWithConsent(art, REPAIRING, digest("x"), now, fresh, sender=bank)
    # Altered evidence.
    with reverts_with(p.SignedActionInvalidSignature, signer=collector):
        p.addEventWithConsent(art, REPAIRING, digest("forged"), now, fresh, sender=university)
    # Signed by someone else than the named holder.
    forged = (
        collector.address,
        1,
        now + DAY,
        consent(p, chain, thief, art, REPAIRING, digest("x"), now, university, now + DAY, nonce=1)[3],
    )
    with reverts_with(p.SignedActionInvalidSignature, signer=collector):
        p.addEventWithConsent(art, REPAIRING, digest("x"), now, forged, sender=university)
    # Expired.
    stale = consent(p, chain, collector, art, REPAIRING, digest("x"), now, university, now + 1)
    chain.pending_timestamp = now + 10
    with reverts_with(p.SignedActionExpired, signer=collector, deadline=now + 1):
        p.addEventWithConsent(art, REPAIRING, digest("x"), now, stale, sender=university)
    assert snapshot(p, art, collector) == before


def test_consent_by_someone_who_is_not_the_holder_is_refused(
    p: ContractInstance, chain: ChainManager, art: bytes, thief: AccountAPI, university: AccountAPI
) -> None:
    now = chain.blocks.head.timestamp
    signed = consent(p, chain, thief, art, REPAIRING, digest("x"), now, university, now + DAY)
    with reverts_with(p.ProvenanceRegistryNotHolder, original=art, account=thief):
        p.addEventWithConsent(art, REPAIRING, digest("x"), now, signed, sender=university)
    assert p.nonces(thief) == 0


def test_a_partner_anchors_a_merkle_batch_of_events_and_each_proves_against_it(
    p: ContractInstance, chain: ChainManager, art: bytes, town: AccountAPI, collector: AccountAPI
) -> None:
    from ledger.documents import MerkleTree, verify_proof

    leaves = [bytes(p.eventLeaf(art, INSPECTING + i, digest(f"evidence {i}"), 1000 + i, collector)) for i in range(5)]
    expected = keccak(
        keccak(
            art
            + (INSPECTING).to_bytes(32, "big")
            + digest("evidence 0")
            + (1000).to_bytes(32, "big")
            + bytes(12)
            + bytes.fromhex(collector.address[2:])
        )
    )
    assert leaves[0] == expected
    tree = MerkleTree.of(leaves)
    tx = p.anchorEvents(tree.root, 5, sender=town)
    assert events_of(tx) == [event(p, "EventsAnchored", recorder=town, root=tree.root, count=5)]
    for leaf in leaves:
        assert verify_proof(tree.root, leaf, tree.proof(leaf))
    assert not verify_proof(tree.root, digest("an event never anchored"), tree.proof(leaves[0]))
    with reverts_with(p.ProvenanceRegistryInvalidBatch, root=ZERO, count=5):
        p.anchorEvents(ZERO, 5, sender=town)
    with reverts_with(p.ProvenanceRegistryInvalidBatch, root=tree.root, count=0):
        p.anchorEvents(tree.root, 0, sender=town)


# --- dispositions -----------------------------------------------------------------------------------------------------


def test_stolen_blocks_every_transfer_until_the_owner_declares_it_recovered(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, buyer: AccountAPI, thief: AccountAPI
) -> None:
    deadline = chain.blocks.head.timestamp + DAY
    p.handOver(art, TITLE, buyer, deadline, sender=collector)  # offered before the theft
    tx = p.logIncident(art, STOLEN, digest("police report"), sender=collector)
    assert events_of(tx) == [
        event(
            p,
            "DispositionReported",
            original=art,
            by=collector,
            disposition=STOLEN,
            evidenceHash=digest("police report"),
        )
    ]
    before = snapshot(p, art)
    with reverts_with(p.ProvenanceRegistryBlocked, original=art, disposition=STOLEN):
        p.takeOver(art, TITLE, sender=buyer)
    with reverts_with(p.ProvenanceRegistryBlocked, original=art, disposition=STOLEN):
        p.handOver(art, CUSTODY, thief, deadline, sender=collector)
    with reverts_with(p.ProvenanceRegistryBlocked, original=art, disposition=STOLEN):
        p.proposeClaim(art, CUSTODY, thief, deadline, sender=collector)
    assert snapshot(p, art) == before
    # Only the owner declares it recovered (not the thief, not a holder).
    with reverts_with(
        p.ProvenanceRegistryInvalidDisposition, original=art, account=thief, current=STOLEN, requested=NONE
    ):
        p.clearDisposition(art, digest("fake"), sender=thief)
    tx = p.clearDisposition(art, digest("found"), sender=collector)
    assert events_of(tx) == [
        event(
            p,
            "DispositionCleared",
            original=art,
            by=collector,
            previous=STOLEN,
            evidenceHash=digest("found"),
            byCouncil=False,
        )
    ]
    p.takeOver(art, TITLE, sender=buyer)  # the offer made before is good again
    assert original_state(p, art)[:3] == (buyer.address, buyer.address, NONE)


def test_lost_blocks_transfers_and_destroyed_is_final_for_its_owner(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, buyer: AccountAPI
) -> None:
    deadline = chain.blocks.head.timestamp + DAY
    p.logIncident(art, LOST, digest("lost"), sender=collector)
    with reverts_with(p.ProvenanceRegistryBlocked, original=art, disposition=LOST):
        p.handOver(art, TITLE, buyer, deadline, sender=collector)
    with reverts_with(
        p.ProvenanceRegistryInvalidDisposition, original=art, account=collector, current=LOST, requested=STOLEN
    ):
        p.logIncident(art, STOLEN, digest("x"), sender=collector)
    p.logIncident(art, DESTROYED, digest("fire"), sender=collector)
    with reverts_with(
        p.ProvenanceRegistryInvalidDisposition, original=art, account=collector, current=DESTROYED, requested=NONE
    ):
        p.clearDisposition(art, digest("x"), sender=collector)
    with reverts_with(
        p.ProvenanceRegistryInvalidDisposition, original=art, account=collector, current=DESTROYED, requested=DESTROYED
    ):
        p.logIncident(art, DESTROYED, digest("x"), sender=collector)
    with reverts_with(p.ProvenanceRegistryBlocked, original=art, disposition=DESTROYED):
        p.handOver(art, TITLE, buyer, deadline, sender=collector)


def test_the_holder_may_report_theft_but_strangers_and_recall_by_report_may_not(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, museum: AccountAPI, thief: AccountAPI
) -> None:
    p.handOver(art, CUSTODY, museum, chain.blocks.head.timestamp + DAY, sender=collector)
    p.takeOver(art, CUSTODY, sender=museum)
    before = snapshot(p, art)
    with reverts_with(
        p.ProvenanceRegistryInvalidDisposition, original=art, account=thief, current=NONE, requested=STOLEN
    ):
        p.logIncident(art, STOLEN, digest("x"), sender=thief)
    for requested in (NONE, RECALLED):
        with reverts_with(
            p.ProvenanceRegistryInvalidDisposition, original=art, account=collector, current=NONE, requested=requested
        ):
            p.logIncident(art, requested, digest("x"), sender=collector)
    assert snapshot(p, art) == before
    p.logIncident(art, STOLEN, digest("burglary"), sender=museum)
    assert original_state(p, art)[2] == STOLEN
    # The museum cannot clear it; the owner can.
    with reverts_with(
        p.ProvenanceRegistryInvalidDisposition, original=art, account=museum, current=STOLEN, requested=NONE
    ):
        p.clearDisposition(art, digest("x"), sender=museum)


def test_the_registrar_recalls_and_ends_the_recall(
    p: ContractInstance,
    chain: ChainManager,
    art: bytes,
    town: AccountAPI,
    bank: AccountAPI,
    collector: AccountAPI,
    buyer: AccountAPI,
) -> None:
    tx = p.recall(ARTWORK, digest("recall notice"), sender=town)
    assert events_of(tx) == [
        event(
            p, "DispositionReported", original=art, by=town, disposition=RECALLED, evidenceHash=digest("recall notice")
        )
    ]
    # Another partner's recall of the same identifier names its own (unregistered) original.
    with reverts_with(p.ProvenanceRegistryUnknownOriginal, original=original_id(bank, ARTWORK)):
        p.recall(ARTWORK, digest("x"), sender=bank)
    with reverts_with(
        p.ProvenanceRegistryInvalidDisposition, original=art, account=town, current=RECALLED, requested=RECALLED
    ):
        p.recall(ARTWORK, digest("x"), sender=town)
    # A recalled original still moves, and may be reported stolen.
    p.handOver(art, TITLE, buyer, chain.blocks.head.timestamp + DAY, sender=collector)
    p.takeOver(art, TITLE, sender=buyer)
    with reverts_with(
        p.ProvenanceRegistryInvalidDisposition, original=art, account=buyer, current=RECALLED, requested=NONE
    ):
        p.clearDisposition(art, digest("x"), sender=buyer)
    tx = p.endRecall(ARTWORK, digest("fixed"), sender=town)
    assert events_of(tx) == [
        event(
            p,
            "DispositionCleared",
            original=art,
            by=town,
            previous=RECALLED,
            evidenceHash=digest("fixed"),
            byCouncil=False,
        )
    ]
    with reverts_with(p.ProvenanceRegistryInvalidDisposition, original=art, account=town, current=NONE, requested=NONE):
        p.endRecall(ARTWORK, digest("x"), sender=town)


# --- council clearing of a false report -------------------------------------------------------------------------------


def test_a_council_majority_clears_a_false_report_and_one_member_cannot(
    p: ContractInstance,
    chain: ChainManager,
    art: bytes,
    collector: AccountAPI,
    town: AccountAPI,
    bank: AccountAPI,
    thief: AccountAPI,
    museum: AccountAPI,
) -> None:
    p.handOver(art, CUSTODY, museum, chain.blocks.head.timestamp + DAY, sender=collector)
    p.takeOver(art, CUSTODY, sender=museum)
    p.logIncident(art, STOLEN, digest("false report"), sender=museum)
    at = pin_next_block(chain)
    tx = p.proposeClearing(art, digest("it was never stolen"), sender=town)
    deadline = at + VOTING_PERIOD
    assert events_of(tx) == [
        event(
            p,
            "ClearingProposed",
            clearingId=1,
            original=art,
            proposer=town,
            disposition=STOLEN,
            remarkHash=digest("it was never stolen"),
            deadline=deadline,
            councilAtProposal=3,
        ),
        event(p, "ClearingVoted", clearingId=1, voter=town, yesVotes=1),
    ]
    # One member (a minority of three) cannot carry it, however often it asks.
    before = snapshot(p, art)
    with reverts_with(p.ProvenanceRegistryQuorumNotReached, clearingId=1, counted=1, required=2):
        p.executeClearing(1, sender=town)
    with reverts_with(p.ProvenanceRegistryAlreadyVoted, clearingId=1, voter=town):
        p.voteClearing(1, sender=town)
    with reverts_with(p.ProvenanceRegistryNotCouncil, account=thief):
        p.voteClearing(1, sender=thief)
    with reverts_with(p.ProvenanceRegistryNotCouncil, account=collector):
        p.proposeClearing(art, digest("x"), sender=collector)
    assert snapshot(p, art) == before
    tx = p.voteClearing(1, sender=bank)
    assert events_of(tx) == [event(p, "ClearingVoted", clearingId=1, voter=bank, yesVotes=2)]
    tx = p.executeClearing(1, sender=thief)  # anyone executes a decision the majority took
    assert events_of(tx) == [
        event(
            p,
            "DispositionCleared",
            original=art,
            by=p.address,
            previous=STOLEN,
            evidenceHash=digest("it was never stolen"),
            byCouncil=True,
        ),
        event(p, "ClearingExecuted", clearingId=1, executor=thief, counted=2, required=2),
    ]
    assert original_state(p, art)[2] == NONE
    c = p.clearing(1)
    assert (
        c.original,
        c.disposition,
        c.deadline,
        c.councilAtProposal,
        c.executed,
        c.remarkHash,
        list(c.yesVoters),
    ) == (art, STOLEN, deadline, 3, True, digest("it was never stolen"), [town.address, bank.address])
    with reverts_with(p.ProvenanceRegistryClearingClosed, clearingId=1):
        p.executeClearing(1, sender=thief)


def test_a_vote_of_a_member_suspended_since_does_not_count(
    p: ContractInstance,
    council: Council,
    art: bytes,
    collector: AccountAPI,
    town: AccountAPI,
    bank: AccountAPI,
    university: AccountAPI,
) -> None:
    p.logIncident(art, DESTROYED, digest("false"), sender=collector)
    p.proposeClearing(art, digest("not destroyed"), sender=bank)
    p.voteClearing(1, sender=town)
    Council(council.partners, proposer=town, seconder=university).suspend(bank)
    # Two votes were cast, one of them by a member who is no longer council; the council was 3 at proposal.
    with reverts_with(p.ProvenanceRegistryQuorumNotReached, clearingId=1, counted=1, required=2):
        p.executeClearing(1, sender=town)
    assert original_state(p, art)[2] == DESTROYED
    p.voteClearing(1, sender=university)
    p.executeClearing(1, sender=town)
    assert original_state(p, art)[2] == NONE


def test_a_clearing_is_refused_when_stale_expired_or_unknown(
    p: ContractInstance, chain: ChainManager, art: bytes, collector: AccountAPI, town: AccountAPI, bank: AccountAPI
) -> None:
    with reverts_with(p.ProvenanceRegistryInvalidDisposition, original=art, account=town, current=NONE, requested=NONE):
        p.proposeClearing(art, digest("x"), sender=town)
    with reverts_with(p.ProvenanceRegistryUnknownClearing, clearingId=7):
        p.voteClearing(7, sender=bank)
    p.logIncident(art, LOST, digest("lost"), sender=collector)
    p.proposeClearing(art, digest("x"), sender=town)
    p.voteClearing(1, sender=bank)
    p.logIncident(art, DESTROYED, digest("then destroyed"), sender=collector)
    with reverts_with(p.ProvenanceRegistryClearingStale, clearingId=1, disposition=LOST, current=DESTROYED):
        p.executeClearing(1, sender=town)
    p.proposeClearing(art, digest("y"), sender=town)
    chain.pending_timestamp = chain.blocks.head.timestamp + VOTING_PERIOD + 10
    with reverts_with(p.ProvenanceRegistryClearingClosed, clearingId=2):
        p.voteClearing(2, sender=bank)
    assert original_state(p, art)[2] == DESTROYED
    assert p.clearingCount() == 2
