"""Signed provenance actions (issue 16): an owner's or holder's every action on an original, signed, sent by a relayer.

For each of the eight ``...BySig`` functions of the provenance registry a scenario brings an artwork to where the
action is allowed, then:

- the signed action, sent by a relayer with no standing and no part in the original, is carried out for its signer,
  with exactly the events the direct call emits (naming the signer, never the relayer), and uses the signer's nonce;
- a replayed signature (``InvalidAccountNonce``), another key's signature, a passed deadline, another chain id,
  another registry and an altered argument are refused, each with its error and arguments, and each refusal changes
  nothing (the original, both offers and the nonce are as before, and the valid action still works after).

Then the rules the signer's own standing decides: a relayer cannot act for someone else by signing itself, a signature
by someone who is not the party is refused as the direct call by them would be, and a stolen original refuses a
signed transfer as it refuses a direct one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from ape.api import AccountAPI, ReceiptAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from eth_utils import keccak
from support.certificate_helpers import digest, event, pin_next_block
from support.contracts import deploy_world, founder_tuples, reverts_with

from ledger.signing.actions import ACTIONS, call_arguments, sign, typed_data

TITLE, CUSTODY = 0, 1
NONE, LOST, STOLEN = 0, 1, 2
INSPECTING = 11
DAY = 24 * 3600
KEY = "0x" + "c1" * 20
REMARK = digest("the price is too high")
EVIDENCE = digest("condition report")
PROVENANCE_ACTIONS = [name for name, act in ACTIONS.items() if act.contract == "ProvenanceRegistry"]


@dataclass
class World:
    """The registries, an artwork's owner, a buyer, a thief and a relayer that is none of them."""

    partners: ContractInstance
    certificates: ContractInstance
    p: ContractInstance
    town: AccountAPI
    owner: AccountAPI
    buyer: AccountAPI
    thief: AccountAPI
    relayer: AccountAPI
    chain: ChainManager
    art: bytes = b""

    def now(self) -> int:
        return int(self.chain.blocks.head.timestamp)

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
        message = {
            ACTIONS[name].signer_field: signer.address,
            **fields,
            "nonce": int(self.p.nonces(signer)) if nonce is None else nonce,
            "deadline": self.now() + 3600 if deadline is None else deadline,
        }
        return typed_data(
            name,
            message,
            self.chain.chain_id if chain_id is None else chain_id,
            self.p.address if registry is None else registry,
        )

    def relay(self, typed: dict[str, Any], signature: str, sender: AccountAPI | None = None) -> ReceiptAPI:
        function, arguments = call_arguments(typed, signature)
        return getattr(self.p, function)(*arguments, sender=sender or self.relayer)

    def snapshot(self, *signers: AccountAPI) -> tuple[Any, ...]:
        return (
            tuple(self.p.originalOf(self.art)),
            tuple(self.p.offerOf(self.art, TITLE)),
            tuple(self.p.offerOf(self.art, CUSTODY)),
            tuple(int(self.p.nonces(s)) for s in signers),
        )


@dataclass
class Scenario:
    signer: Callable[[World], AccountAPI]
    fields: Callable[[World], dict[str, Any]]
    expected: Callable[[World, dict[str, Any]], list[Any]]
    setup: Callable[[World], None] = lambda w: None


def _title_offered_to_buyer(w: World) -> None:
    w.p.handOver(w.art, TITLE, w.buyer, w.now() + DAY, sender=w.owner)


def _reported_stolen(w: World) -> None:
    w.p.logIncident(w.art, STOLEN, digest("police report"), sender=w.owner)


SCENARIOS: dict[str, Scenario] = {
    "HandOver": Scenario(
        signer=lambda w: w.owner,
        fields=lambda w: {"original": w.art, "right": TITLE, "to": w.buyer.address, "offerDeadline": w.now() + DAY},
        expected=lambda w, f: [
            event(w.p, "TitleOffered", original=w.art, to=w.buyer, deadline=f["offerDeadline"], **{"from": w.owner})
        ],
    ),
    "ProposeClaim": Scenario(
        signer=lambda w: w.owner,
        fields=lambda w: {"original": w.art, "right": CUSTODY, "key": KEY, "offerDeadline": w.now() + DAY},
        expected=lambda w, f: [
            event(
                w.p,
                "ClaimOffered",
                original=w.art,
                key=KEY,
                right=CUSTODY,
                deadline=f["offerDeadline"],
                **{"from": w.owner},
            )
        ],
    ),
    "TakeOver": Scenario(
        setup=_title_offered_to_buyer,
        signer=lambda w: w.buyer,
        fields=lambda w: {"original": w.art, "right": TITLE},
        expected=lambda w, f: [
            event(w.p, "TitleTransferred", original=w.art, to=w.buyer, **{"from": w.owner}),
        ],
    ),
    "RejectOffer": Scenario(
        setup=_title_offered_to_buyer,
        signer=lambda w: w.buyer,
        fields=lambda w: {"original": w.art, "right": TITLE, "remarkHash": REMARK},
        expected=lambda w, f: [
            event(w.p, "TransferRejected", original=w.art, by=w.buyer, right=TITLE, remarkHash=REMARK)
        ],
    ),
    "CancelOffer": Scenario(
        setup=_title_offered_to_buyer,
        signer=lambda w: w.owner,
        fields=lambda w: {"original": w.art, "right": TITLE},
        expected=lambda w, f: [event(w.p, "TransferCancelled", original=w.art, by=w.owner, right=TITLE)],
    ),
    "AddEvent": Scenario(
        signer=lambda w: w.owner,
        fields=lambda w: {"original": w.art, "bizStep": INSPECTING, "evidenceHash": EVIDENCE, "occurredAt": w.now()},
        expected=lambda w, f: [
            event(
                w.p,
                "LifecycleEventRecorded",
                original=w.art,
                holder=w.owner,
                bizStep=INSPECTING,
                evidenceHash=EVIDENCE,
                occurredAt=f["occurredAt"],
            )
        ],
    ),
    "LogIncident": Scenario(
        signer=lambda w: w.owner,
        fields=lambda w: {"original": w.art, "disposition": STOLEN, "evidenceHash": EVIDENCE},
        expected=lambda w, f: [
            event(w.p, "DispositionReported", original=w.art, by=w.owner, disposition=STOLEN, evidenceHash=EVIDENCE)
        ],
    ),
    "ClearDisposition": Scenario(
        setup=_reported_stolen,
        signer=lambda w: w.owner,
        fields=lambda w: {"original": w.art, "evidenceHash": EVIDENCE},
        expected=lambda w, f: [
            event(
                w.p,
                "DispositionCleared",
                original=w.art,
                by=w.owner,
                previous=STOLEN,
                evidenceHash=EVIDENCE,
                byCouncil=False,
            )
        ],
    ),
}


def test_every_signed_provenance_action_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(PROVENANCE_ACTIONS)
    assert len(PROVENANCE_ACTIONS) == 8


@pytest.fixture(scope="module")
def registries(
    project: Any, town: AccountAPI, founders: list[AccountAPI]
) -> tuple[ContractInstance, ContractInstance, ContractInstance]:
    return deploy_world(project, town, founder_tuples(founders))


@pytest.fixture
def world(
    registries: tuple[ContractInstance, ContractInstance, ContractInstance],
    town: AccountAPI,
    accounts: Any,
    chain: ChainManager,
    request: pytest.FixtureRequest,
) -> World:
    """An artwork of its own for each test: in the whole contract run, ape's per-test snapshot did not always undo the
    previous test here (its fixture then met ``ProvenanceRegistryAlreadyRegistered``), so no test relies on it."""
    partners, certificates, p = registries
    w = World(partners, certificates, p, town, accounts[5], accounts[6], accounts[8], accounts[9], chain)
    artwork = digest(f"signed artwork of {request.node.nodeid}")
    p.enrolOriginal(artwork, w.owner, "0x" + "00" * 20, False, sender=town)
    w.art = bytes(p.originalId(town, artwork))
    return w


def _prepared(world: World, name: str, **overrides: Any) -> tuple[Scenario, AccountAPI, dict[str, Any]]:
    scenario = SCENARIOS[name]
    scenario.setup(world)
    signer = scenario.signer(world)
    return scenario, signer, world.typed(name, signer, scenario.fields(world), **overrides)


def _assert_unchanged_then_valid(world: World, name: str, scenario: Scenario, signer: AccountAPI, before: Any) -> None:
    """The refusal used no nonce and changed nothing: the signer's valid action is still carried out, in full."""
    assert world.snapshot(signer, world.relayer) == before
    assert int(world.p.nonces(signer)) == 0
    fields = scenario.fields(world)
    typed = world.typed(name, signer, fields)
    receipt = world.relay(typed, sign(typed, signer.private_key))
    assert list(receipt.events) == scenario.expected(world, fields)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_relayed_signed_provenance_action_is_carried_out_for_its_signer(world: World, name: str) -> None:
    scenario = SCENARIOS[name]
    scenario.setup(world)
    signer = scenario.signer(world)
    fields = scenario.fields(world)
    typed = world.typed(name, signer, fields)
    pin_next_block(world.chain)
    receipt = world.relay(typed, sign(typed, signer.private_key))
    assert list(receipt.events) == scenario.expected(world, fields)
    assert int(world.p.nonces(signer)) == 1
    assert int(world.p.nonces(world.relayer)) == 0


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_signed_action_does_what_the_direct_call_does(world: World, name: str) -> None:
    """The direct call by the signer and the relayed signed action leave the same original and offers."""
    scenario = SCENARIOS[name]
    scenario.setup(world)
    signer = scenario.signer(world)
    fields = scenario.fields(world)
    snapshot = world.chain.snapshot()
    function, arguments = call_arguments(world.typed(name, signer, fields), "0x" + "00" * 65)
    direct = getattr(world.p, function.removesuffix("BySig"))(*arguments[:-1], sender=signer)
    after_direct = world.snapshot()
    world.chain.restore(snapshot)
    typed = world.typed(name, signer, fields)
    signed = world.relay(typed, sign(typed, signer.private_key))
    assert world.snapshot() == after_direct
    assert list(signed.events) == list(direct.events)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_replayed_provenance_signature_is_refused(world: World, name: str) -> None:
    _scenario, signer, typed = _prepared(world, name)
    signature = sign(typed, signer.private_key)
    world.relay(typed, signature)
    before = world.snapshot(signer)
    with reverts_with(world.p.InvalidAccountNonce, account=signer, currentNonce=1):
        world.relay(typed, signature)
    assert world.snapshot(signer) == before


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_provenance_signature_by_another_key_is_refused(world: World, name: str) -> None:
    scenario, signer, typed = _prepared(world, name)
    before = world.snapshot(signer, world.relayer)
    with reverts_with(world.p.SignedActionInvalidSignature, signer=signer):
        world.relay(typed, sign(typed, world.relayer.private_key))
    _assert_unchanged_then_valid(world, name, scenario, signer, before)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_passed_provenance_deadline_is_refused(world: World, name: str) -> None:
    scenario = SCENARIOS[name]
    scenario.setup(world)
    signer = scenario.signer(world)
    at = pin_next_block(world.chain)
    typed = world.typed(name, signer, scenario.fields(world), deadline=at - 1)
    before = world.snapshot(signer, world.relayer)
    with reverts_with(world.p.SignedActionExpired, signer=signer, deadline=at - 1):
        world.relay(typed, sign(typed, signer.private_key))
    _assert_unchanged_then_valid(world, name, scenario, signer, before)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_provenance_signature_for_another_chain_is_refused(world: World, name: str) -> None:
    scenario, signer, typed = _prepared(world, name, chain_id=world.chain.chain_id + 1)
    signature = sign(typed, signer.private_key)
    here = world.typed(name, signer, {k: typed["message"][k] for k, _ in ACTIONS[name].fields})
    before = world.snapshot(signer, world.relayer)
    with reverts_with(world.p.SignedActionInvalidSignature, signer=signer):
        world.relay(here, signature)
    _assert_unchanged_then_valid(world, name, scenario, signer, before)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_provenance_signature_for_another_registry_is_refused(world: World, name: str) -> None:
    """Signed for the certificate registry's address (another domain), relayed to the provenance registry."""
    scenario, signer, typed = _prepared(world, name, registry=world.certificates.address)
    signature = sign(typed, signer.private_key)
    here = world.typed(name, signer, {k: typed["message"][k] for k, _ in ACTIONS[name].fields})
    before = world.snapshot(signer, world.relayer)
    with reverts_with(world.p.SignedActionInvalidSignature, signer=signer):
        world.relay(here, signature)
    _assert_unchanged_then_valid(world, name, scenario, signer, before)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_an_altered_provenance_argument_is_refused(world: World, name: str) -> None:
    """The relayer changes the original (the first field after the signer) and keeps the signature."""
    scenario, signer, typed = _prepared(world, name)
    signature = sign(typed, signer.private_key)
    altered = {**typed, "message": {**typed["message"], "original": keccak(b"another original")}}
    before = world.snapshot(signer, world.relayer)
    with reverts_with(world.p.SignedActionInvalidSignature, signer=signer):
        world.relay(altered, signature)
    _assert_unchanged_then_valid(world, name, scenario, signer, before)


def test_an_altered_offer_recipient_is_refused(world: World) -> None:
    """A relayer that redirects a signed sale to itself is refused: the recipient is signed."""
    fields = SCENARIOS["HandOver"].fields(world)
    typed = world.typed("HandOver", world.owner, fields)
    signature = sign(typed, world.owner.private_key)
    altered = {**typed, "message": {**typed["message"], "to": world.relayer.address}}
    before = world.snapshot(world.owner)
    with reverts_with(world.p.SignedActionInvalidSignature, signer=world.owner):
        world.relay(altered, signature)
    assert world.snapshot(world.owner) == before


# --- The signer's rights are what count, never the relayer's --------------------------------------------------------


def test_a_relayer_cannot_sell_someone_elses_original_by_signing_itself(world: World) -> None:
    """The relayer signs a HandOver naming itself: it is not the owner, as if it had called handOver directly."""
    fields = {"original": world.art, "right": TITLE, "to": world.thief.address, "offerDeadline": world.now() + DAY}
    typed = world.typed("HandOver", world.relayer, fields)
    before = world.snapshot(world.owner, world.relayer)
    with reverts_with(world.p.ProvenanceRegistryNotParty, original=world.art, right=TITLE, account=world.relayer):
        world.relay(typed, sign(typed, world.relayer.private_key))
    assert world.snapshot(world.owner, world.relayer) == before


def test_the_owner_relaying_a_strangers_signed_sale_does_not_lend_its_title(world: World) -> None:
    """The owner itself sends the thief's signed HandOver: the thief's rights count, not the sender's."""
    fields = {"original": world.art, "right": TITLE, "to": world.thief.address, "offerDeadline": world.now() + DAY}
    typed = world.typed("HandOver", world.thief, fields)
    before = world.snapshot(world.owner, world.thief)
    with reverts_with(world.p.ProvenanceRegistryNotParty, original=world.art, right=TITLE, account=world.thief):
        world.relay(typed, sign(typed, world.thief.private_key), sender=world.owner)
    assert world.snapshot(world.owner, world.thief) == before


def test_a_signed_acceptance_by_someone_else_than_the_recipient_is_refused(world: World) -> None:
    _title_offered_to_buyer(world)
    typed = world.typed("TakeOver", world.thief, {"original": world.art, "right": TITLE})
    before = world.snapshot(world.buyer, world.thief)
    with reverts_with(world.p.ProvenanceRegistryNotRecipient, original=world.art, right=TITLE, account=world.thief):
        world.relay(typed, sign(typed, world.thief.private_key), sender=world.buyer)
    assert world.snapshot(world.buyer, world.thief) == before


def test_a_signed_report_or_clearing_by_a_stranger_is_refused(world: World) -> None:
    report = world.typed(
        "LogIncident", world.thief, {"original": world.art, "disposition": STOLEN, "evidenceHash": EVIDENCE}
    )
    before = world.snapshot(world.thief)
    with reverts_with(
        world.p.ProvenanceRegistryInvalidDisposition,
        original=world.art,
        account=world.thief,
        current=NONE,
        requested=STOLEN,
    ):
        world.relay(report, sign(report, world.thief.private_key))
    _reported_stolen(world)
    clear = world.typed("ClearDisposition", world.thief, {"original": world.art, "evidenceHash": EVIDENCE})
    before = world.snapshot(world.thief)
    with reverts_with(
        world.p.ProvenanceRegistryInvalidDisposition,
        original=world.art,
        account=world.thief,
        current=STOLEN,
        requested=NONE,
    ):
        world.relay(clear, sign(clear, world.thief.private_key))
    assert world.snapshot(world.thief) == before


def test_a_signed_event_by_someone_who_does_not_hold_it_is_refused(world: World) -> None:
    fields = {"original": world.art, "bizStep": INSPECTING, "evidenceHash": EVIDENCE, "occurredAt": world.now()}
    typed = world.typed("AddEvent", world.thief, fields)
    with reverts_with(world.p.ProvenanceRegistryNotHolder, original=world.art, account=world.thief):
        world.relay(typed, sign(typed, world.thief.private_key))
    assert int(world.p.nonces(world.thief)) == 0


def test_a_stolen_original_refuses_signed_transfers_and_acceptances(world: World) -> None:
    _title_offered_to_buyer(world)
    _reported_stolen(world)
    before = world.snapshot(world.owner, world.buyer)
    fields = {"original": world.art, "right": CUSTODY, "to": world.buyer.address, "offerDeadline": world.now() + DAY}
    offer = world.typed("HandOver", world.owner, fields)
    with reverts_with(world.p.ProvenanceRegistryBlocked, original=world.art, disposition=STOLEN):
        world.relay(offer, sign(offer, world.owner.private_key))
    claim = world.typed("ProposeClaim", world.owner, {**SCENARIOS["ProposeClaim"].fields(world)})
    with reverts_with(world.p.ProvenanceRegistryBlocked, original=world.art, disposition=STOLEN):
        world.relay(claim, sign(claim, world.owner.private_key))
    accept = world.typed("TakeOver", world.buyer, {"original": world.art, "right": TITLE})
    with reverts_with(world.p.ProvenanceRegistryBlocked, original=world.art, disposition=STOLEN):
        world.relay(accept, sign(accept, world.buyer.private_key))
    assert world.snapshot(world.owner, world.buyer) == before


def test_a_soulbound_title_is_not_offered_by_signature(world: World, town: AccountAPI) -> None:
    diploma = digest("signed diploma")
    world.p.enrolOriginal(diploma, world.owner, "0x" + "00" * 20, True, sender=town)
    original = bytes(world.p.originalId(town, diploma))
    fields = {"original": original, "right": TITLE, "to": world.buyer.address, "offerDeadline": world.now() + DAY}
    typed = world.typed("HandOver", world.owner, fields)
    with reverts_with(world.p.ProvenanceRegistrySoulbound, original=original):
        world.relay(typed, sign(typed, world.owner.private_key))
    assert int(world.p.nonces(world.owner)) == 0


def test_the_offer_deadline_and_the_signature_deadline_are_separate(world: World) -> None:
    """A signature valid for an hour makes an offer that stays open for a week; a past offer deadline is refused."""
    week = world.now() + 7 * DAY
    fields = {"original": world.art, "right": TITLE, "to": world.buyer.address, "offerDeadline": week}
    typed = world.typed("HandOver", world.owner, fields, deadline=world.now() + 3600)
    world.relay(typed, sign(typed, world.owner.private_key))
    assert tuple(world.p.offerOf(world.art, TITLE)) == (world.buyer.address, week, False, True)
    late = {**fields, "right": CUSTODY, "offerDeadline": world.now() - 1}
    refused = world.typed("HandOver", world.owner, late)
    with reverts_with(world.p.ProvenanceRegistryInvalidOffer, to=world.buyer, deadline=late["offerDeadline"]):
        world.relay(refused, sign(refused, world.owner.private_key))
