"""The decoder against logs a real node returned (``data/raw_logs.json``) and against logs broken on purpose.

Every expectation is written from the scenario (who did what, in which step), never from the decoder's own output:
the recorded bytes are what anvil produced for the deployed contracts, so a decoder that reads a word from the wrong
place, or a model field in the wrong order, fails here field by field.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_hash.auto import keccak
from support.devchain import FOUNDERS, VOTING_PERIOD
from support.indexer_recorded import (
    ANCHOR_LEAVES,
    ANCHOR_ROOT,
    ANCHOR_VALID_UNTIL,
    ART,
    ASSOCIATION,
    BUYER,
    CLAIM_KEY,
    CLEARING_REMARK,
    DIPLOMA,
    EVENT_TIME,
    EVENTS_ROOT,
    FOUNDER_DETAILS,
    FRAME,
    INSPECTING,
    INSPECTION,
    LOSS_REPORT,
    MILL,
    MILL_METADATA,
    MUSEUM,
    OFFER_DEADLINE,
    OUTSIDER,
    OWNER,
    PUBLIC_LEAVES,
    PUBLIC_ROOT,
    PUBLISHED_FINGERPRINTS,
    PUBLISHED_LEAVES,
    RECOVERY,
    REJECT_REMARK,
    REPAIR,
    REPAIRING,
    SINGLE_FINGERPRINT,
    SINGLE_ROOT,
    THEFT_REPORT,
    TWIN_FINGERPRINT,
    WOOD,
    Recording,
    load,
)

from ledger.abi import ABI_DIR, load_abi
from ledger.errors import DecodeError, UnknownEventError
from ledger.events import (
    COUNCIL,
    EVENT_TYPES,
    ISSUER,
    NOT_INDEXED,
    ZERO_HASH,
    CertificateIssued,
    CertificateLinked,
    CertificateReinstated,
    CertificateRevoked,
    CertificateSuspended,
    ClaimOffered,
    ClearingExecuted,
    ClearingProposed,
    ClearingVoted,
    CustodyOffered,
    CustodyTransferred,
    DetailsProposed,
    Disposition,
    DispositionCleared,
    DispositionReported,
    DocumentPublished,
    Event,
    EventsAnchored,
    HeldAtRegistration,
    LifecycleEventConsented,
    LifecycleEventRecorded,
    OfferClaimed,
    OrganisationType,
    OriginalDerived,
    OriginalRegistered,
    OriginalSoulbound,
    PartnerCompromised,
    PartnerDetailsChanged,
    PartnerRegistered,
    PartnerRightsChanged,
    PartnerStatus,
    PartnerStatusChanged,
    ProposalCreated,
    ProposalExecuted,
    ProposalKind,
    Right,
    TitleOffered,
    TitleTransferred,
    TransferCancelled,
    TransferRejected,
    VoteCast,
)
from ledger.indexer.decode import EventDecoder, RawLog
from ledger.indexer.project import details_hash
from ledger.indexer.runner import make_decoder

APPLIED, ACTIVE, SUSPENDED, EXPELLED, LEFT = (
    PartnerStatus.APPLIED,
    PartnerStatus.ACTIVE,
    PartnerStatus.SUSPENDED,
    PartnerStatus.EXPELLED,
    PartnerStatus.LEFT,
)
NONE = PartnerStatus.NONE


def expected_events(rec: Recording) -> dict[str, list[Event]]:
    """What each step of the scenario emits, in log order, written from the scenario alone."""
    a = rec.account
    mill, association = a(MILL), a(ASSOCIATION)
    ids = rec.ids
    registry = rec.contracts["PartnerRegistry"].lower()

    def t(step: str) -> int:
        return rec.steps[step].timestamp

    def created(pid: int, kind: ProposalKind, subject: str, proposer: str, rights: int, step: str) -> ProposalCreated:
        """A partner proposal (no target, leaf or reason) made while the council had three members."""
        return ProposalCreated(
            pid, kind, subject, proposer, rights, 0, t(step) + VOTING_PERIOD, ZERO_HASH, ZERO_HASH, 0, 3
        )

    deployed = t("deploy PartnerRegistry")
    founders: list[Event] = []
    for i, (org, name, domain) in enumerate(FOUNDERS):
        founders += [
            PartnerRegistered(a(i), org, name, domain, ZERO_HASH),
            PartnerStatusChanged(a(i), NONE, APPLIED, 0, deployed),
            PartnerStatusChanged(a(i), APPLIED, ACTIVE, 0, deployed),
            PartnerRightsChanged(a(i), 0, ISSUER | COUNCIL, 0, deployed),
        ]
    cutoff = t("mill issues single")
    mill_details = details_hash(OrganisationType.ENTERPRISE, "Textile Mill", "mill.example", MILL_METADATA)
    association_details = details_hash(
        OrganisationType.ASSOCIATION, "Heritage Association", "heritage.example", ZERO_HASH
    )
    org, name, domain, meta = FOUNDER_DETAILS
    public = "founder 1 issues public batch"
    return {
        "deploy PartnerRegistry": founders,
        "deploy CertificateRegistry": [],
        "deploy ProvenanceRegistry": [],
        "mill applies": [
            PartnerRegistered(mill, OrganisationType.ENTERPRISE, "Textile Mill", "mill.example", MILL_METADATA),
            PartnerStatusChanged(mill, NONE, APPLIED, 0, t("mill applies")),
        ],
        "propose admit mill": [
            # An admission binds the applicant's details as they were proposed.
            ProposalCreated(
                1,
                ProposalKind.ADMIT,
                mill,
                a(0),
                ISSUER,
                0,
                t("propose admit mill") + VOTING_PERIOD,
                mill_details,
                ZERO_HASH,
                0,
                3,
            ),
            VoteCast(1, a(0), True, 1, 0),
        ],
        "vote yes on 1": [VoteCast(1, a(1), True, 2, 0)],
        "execute 1": [
            PartnerStatusChanged(mill, APPLIED, ACTIVE, 1, t("execute 1")),
            PartnerRightsChanged(mill, 0, ISSUER, 1, t("execute 1")),
            ProposalExecuted(1, a(2), 2, 2),
        ],
        "association applies": [
            PartnerRegistered(
                association, OrganisationType.ASSOCIATION, "Heritage Association", "heritage.example", ZERO_HASH
            ),
            PartnerStatusChanged(association, NONE, APPLIED, 0, t("association applies")),
        ],
        "propose admit association": [
            ProposalCreated(
                2,
                ProposalKind.ADMIT,
                association,
                a(1),
                ISSUER,
                0,
                t("propose admit association") + VOTING_PERIOD,
                association_details,
                ZERO_HASH,
                0,
                3,
            ),
            VoteCast(2, a(1), True, 1, 0),
        ],
        "vote no on 2": [VoteCast(2, a(2), False, 1, 1)],
        "vote yes on 2": [VoteCast(2, a(0), True, 2, 1)],
        "execute 2": [
            PartnerStatusChanged(association, APPLIED, ACTIVE, 2, t("execute 2")),
            PartnerRightsChanged(association, 0, ISSUER, 2, t("execute 2")),
            ProposalExecuted(2, a(OUTSIDER), 2, 2),
        ],
        "propose grant council to mill": [
            created(3, ProposalKind.GRANT_RIGHTS, mill, a(0), COUNCIL, "propose grant council to mill"),
            VoteCast(3, a(0), True, 1, 0),
        ],
        "vote yes on 3": [VoteCast(3, a(1), True, 2, 0)],
        "execute 3": [
            PartnerRightsChanged(mill, ISSUER, ISSUER | COUNCIL, 3, t("execute 3")),
            ProposalExecuted(3, a(0), 2, 2),
        ],
        "propose withdraw council from mill": [
            # Four council members now: three yes votes are needed.
            ProposalCreated(
                4,
                ProposalKind.WITHDRAW_RIGHTS,
                mill,
                mill,
                COUNCIL,
                0,
                t("propose withdraw council from mill") + VOTING_PERIOD,
                ZERO_HASH,
                ZERO_HASH,
                0,
                4,
            ),
            VoteCast(4, mill, True, 1, 0),
        ],
        "vote yes on 4 by 0": [VoteCast(4, a(0), True, 2, 0)],
        "vote yes on 4 by 1": [VoteCast(4, a(1), True, 3, 0)],
        "execute 4": [
            PartnerRightsChanged(mill, ISSUER | COUNCIL, ISSUER, 4, t("execute 4")),
            ProposalExecuted(4, a(1), 3, 3),
        ],
        "propose suspend association": [
            created(5, ProposalKind.SUSPEND, association, a(0), 0, "propose suspend association"),
            VoteCast(5, a(0), True, 1, 0),
        ],
        "vote yes on 5": [VoteCast(5, a(2), True, 2, 0)],
        "execute 5": [
            PartnerStatusChanged(association, ACTIVE, SUSPENDED, 5, t("execute 5")),
            ProposalExecuted(5, a(0), 2, 2),
        ],
        "propose reinstate association": [
            created(6, ProposalKind.REINSTATE, association, a(1), 0, "propose reinstate association"),
            VoteCast(6, a(1), True, 1, 0),
        ],
        "vote yes on 6": [VoteCast(6, a(2), True, 2, 0)],
        "execute 6": [
            PartnerStatusChanged(association, SUSPENDED, ACTIVE, 6, t("execute 6")),
            ProposalExecuted(6, a(2), 2, 2),
        ],
        "mill issues single": [
            CertificateIssued(ids.single, mill, SINGLE_FINGERPRINT, SINGLE_ROOT, t("mill issues single"), 0)
        ],
        "founder 2 issues the same root": [
            CertificateIssued(ids.twin, a(2), TWIN_FINGERPRINT, SINGLE_ROOT, t("founder 2 issues the same root"), 0)
        ],
        "founder 0 issues batch": [
            CertificateIssued(ids.anchor, a(0), ZERO_HASH, ANCHOR_ROOT, t("founder 0 issues batch"), ANCHOR_VALID_UNTIL)
        ],
        public: [
            CertificateIssued(ids.public, a(1), ZERO_HASH, PUBLIC_ROOT, t(public), 0),
            *(
                DocumentPublished(leaf, fp, ids.public)
                for leaf, fp in zip(PUBLISHED_LEAVES, PUBLISHED_FINGERPRINTS, strict=True)
            ),
        ],
        "mill suspends single": [
            CertificateSuspended(ids.single, ZERO_HASH, mill, 11, t("mill suspends single"), False)
        ],
        "mill reinstates single": [
            CertificateReinstated(ids.single, ZERO_HASH, mill, 12, t("mill reinstates single"), False)
        ],
        "suspend public leaf 1": [
            CertificateSuspended(ids.public, PUBLIC_LEAVES[1], a(1), 21, t("suspend public leaf 1"), False)
        ],
        "reinstate public leaf 1": [
            CertificateReinstated(ids.public, PUBLIC_LEAVES[1], a(1), 22, t("reinstate public leaf 1"), False)
        ],
        "suspend anchor leaf 0": [
            CertificateSuspended(ids.anchor, ANCHOR_LEAVES[0], a(0), 25, t("suspend anchor leaf 0"), False)
        ],
        "revoke anchor root": [CertificateRevoked(ids.anchor, ZERO_HASH, a(0), 24, t("revoke anchor root"), False)],
        "council suspends public root": [
            # Founder 2 is not the issuer: an active council member's hold.
            CertificateSuspended(ids.public, ZERO_HASH, a(2), 26, t("council suspends public root"), True)
        ],
        "founder 2 suspends its twin's document": [
            # A single certificate's document is its root.
            CertificateSuspended(ids.twin, SINGLE_ROOT, a(2), 27, t("founder 2 suspends its twin's document"), False)
        ],
        "propose revoke public leaf 2": [
            ProposalCreated(
                7,
                ProposalKind.REVOKE_CERTIFICATE,
                rec.contracts["CertificateRegistry"].lower(),
                a(0),
                0,
                0,
                t("propose revoke public leaf 2") + VOTING_PERIOD,
                ids.public,
                PUBLIC_LEAVES[2],
                23,
                3,
            ),
            VoteCast(7, a(0), True, 1, 0),
        ],
        "vote yes on 7": [VoteCast(7, a(2), True, 2, 0)],
        "execute 7": [
            # Carried out by the partner registry, as a council decision.
            CertificateRevoked(ids.public, PUBLIC_LEAVES[2], registry, 23, t("execute 7"), True),
            ProposalExecuted(7, a(1), 2, 2),
        ],
        "propose expel mill": [
            ProposalCreated(
                8,
                ProposalKind.EXPEL,
                mill,
                a(0),
                0,
                cutoff,
                t("propose expel mill") + VOTING_PERIOD,
                ZERO_HASH,
                ZERO_HASH,
                0,
                3,
            ),
            VoteCast(8, a(0), True, 1, 0),
        ],
        "vote yes on 8": [VoteCast(8, a(1), True, 2, 0)],
        "execute 8": [
            PartnerCompromised(mill, cutoff, 8),
            PartnerStatusChanged(mill, ACTIVE, EXPELLED, 8, t("execute 8")),
            PartnerRightsChanged(mill, ISSUER, 0, 8, t("execute 8")),
            ProposalExecuted(8, a(2), 2, 2),
        ],
        "propose details of founder 2": [
            ProposalCreated(
                9,
                ProposalKind.CHANGE_DETAILS,
                a(2),
                a(0),
                0,
                0,
                t("propose details of founder 2") + VOTING_PERIOD,
                details_hash(org, name, domain, meta),
                ZERO_HASH,
                0,
                3,
            ),
            DetailsProposed(9, org, name, domain, meta),
            VoteCast(9, a(0), True, 1, 0),
        ],
        "vote yes on 9": [VoteCast(9, a(1), True, 2, 0)],
        "execute 9": [
            PartnerDetailsChanged(a(2), org, name, domain, meta, 9, t("execute 9")),
            ProposalExecuted(9, a(OUTSIDER), 2, 2),
        ],
        "association leaves": [
            PartnerStatusChanged(association, ACTIVE, LEFT, 0, t("association leaves")),
            PartnerRightsChanged(association, ISSUER, 0, 0, t("association leaves")),
        ],
        "association applies again": [
            PartnerRegistered(association, OrganisationType.NGO, "Heritage Foundation", "heritage.example", ZERO_HASH),
            PartnerStatusChanged(association, LEFT, APPLIED, 0, t("association applies again")),
        ],
        "propose suspend founder 1": [
            created(10, ProposalKind.SUSPEND, a(1), a(2), 0, "propose suspend founder 1"),
            VoteCast(10, a(2), True, 1, 0),
        ],
        **provenance_events(rec),
    }


def provenance_events(rec: Recording) -> dict[str, list[Event]]:
    """What each provenance step emits (``OWNER`` in ``tests/support/indexer_recorded.py`` tells the story)."""
    a = rec.account
    owner, museum, buyer = a(OWNER), a(MUSEUM), a(BUYER)
    art, diploma, wood, frame = (getattr(rec.originals, n) for n in ("art", "diploma", "wood", "frame"))
    key = Account.from_key(CLAIM_KEY).address.lower()
    title, custody = int(Right.TITLE), int(Right.CUSTODY)
    return {
        "founder 0 registers art held by the museum": [
            OriginalRegistered(art, ART, a(0), owner),
            HeldAtRegistration(art, museum),
        ],
        "founder 1 registers a soulbound diploma": [
            OriginalRegistered(diploma, DIPLOMA, a(1), buyer),
            OriginalSoulbound(diploma),
        ],
        "founder 0 registers wood": [OriginalRegistered(wood, WOOD, a(0), a(0))],
        "founder 0 registers a certified frame made of the wood": [
            OriginalRegistered(frame, FRAME, a(0), owner),
            CertificateLinked(frame, rec.ids.single, a(0)),
            OriginalDerived(frame, wood, a(0)),
        ],
        "owner offers the art's title": [TitleOffered(art, owner, buyer, OFFER_DEADLINE)],
        "buyer rejects": [TransferRejected(art, buyer, title, REJECT_REMARK)],
        "owner offers the art's title again": [TitleOffered(art, owner, buyer, OFFER_DEADLINE)],
        "owner cancels": [TransferCancelled(art, owner, title)],
        "owner offers the art's title a third time": [TitleOffered(art, owner, buyer, OFFER_DEADLINE)],
        "buyer takes the title": [TitleTransferred(art, owner, buyer)],
        "museum offers custody": [CustodyOffered(art, museum, buyer, OFFER_DEADLINE)],
        "buyer takes custody": [CustodyTransferred(art, museum, buyer)],
        "buyer offers custody to a key": [ClaimOffered(art, buyer, key, custody, OFFER_DEADLINE)],
        "an outsider relays the owner's claim": [
            CustodyTransferred(art, buyer, owner),
            OfferClaimed(art, key, owner, custody),
        ],
        "owner records an inspection": [LifecycleEventRecorded(art, owner, INSPECTING, INSPECTION, EVENT_TIME)],
        "founder 2 records a repair with the owner's consent": [
            LifecycleEventConsented(art, a(2), owner, REPAIRING, REPAIR, EVENT_TIME)
        ],
        "founder 1 anchors events": [EventsAnchored(a(1), EVENTS_ROOT, 3)],
        "buyer reports the art stolen": [DispositionReported(art, buyer, Disposition.STOLEN, THEFT_REPORT)],
        "buyer recovers the art": [DispositionCleared(art, buyer, Disposition.STOLEN, RECOVERY, False)],
        "buyer reports the diploma lost": [DispositionReported(diploma, buyer, Disposition.LOST, LOSS_REPORT)],
        "founder 0 proposes clearing 1": [
            ClearingProposed(
                1,
                diploma,
                a(0),
                Disposition.LOST,
                CLEARING_REMARK,
                rec.steps["founder 0 proposes clearing 1"].timestamp + VOTING_PERIOD,
                3,
            ),
            ClearingVoted(1, a(0), 1),
        ],
        "founder 1 votes for clearing 1": [ClearingVoted(1, a(1), 2)],
        "an outsider executes clearing 1": [
            # The registry itself clears it, with the proposal's remark as the evidence.
            DispositionCleared(
                diploma, rec.contracts["ProvenanceRegistry"].lower(), Disposition.LOST, CLEARING_REMARK, True
            ),
            ClearingExecuted(1, a(OUTSIDER), 2, 2),
        ],
    }


RECORDING = load()
EXPECTED = expected_events(RECORDING)
PROVENANCE_EVENTS = frozenset(
    e["name"] for e in load_abi("ProvenanceRegistry") if e["type"] == "event" and e["name"] not in NOT_INDEXED
)


@pytest.fixture(scope="module")
def decoder() -> EventDecoder:
    return make_decoder()


def raw_log(name: str, index: int = 0) -> RawLog:
    """The ``index``-th recorded log of event ``name``."""
    topic0 = "0x" + keccak(_signature(name).encode()).hex()
    return [log for log in RECORDING.raw_logs() if log.topics[0] == topic0][index]


def _signature(name: str) -> str:
    for contract in ("PartnerRegistry", "CertificateRegistry"):
        for entry in load_abi(contract):
            if entry.get("type") == "event" and entry["name"] == name:
                return f"{name}({','.join(i['type'] for i in entry['inputs'])})"
    raise LookupError(name)


def word(value: int) -> str:
    return f"{value:064x}"


# -- the recorded scenario ---------------------------------------------------------------------------------------


def test_the_scenario_steps_are_the_ones_the_expectations_describe() -> None:
    assert list(RECORDING.steps) == list(EXPECTED)


@pytest.mark.parametrize("step", list(EXPECTED))
def test_each_step_decodes_to_exactly_the_events_it_emitted(decoder: EventDecoder, step: str) -> None:
    tx_hash = RECORDING.steps[step].tx_hash
    decoded = [decoder.decode(log).event for log in RECORDING.raw_logs() if log.tx_hash == tx_hash]
    assert decoded == EXPECTED[step]


def test_decode_all_gives_every_recorded_event_in_chain_order(decoder: EventDecoder) -> None:
    decoded = decoder.decode_all(RECORDING.raw_logs())
    assert [item.event for item in decoded] == [event for events in EXPECTED.values() for event in events]
    assert len(decoded) == 120


def test_decoded_logs_carry_their_contract_block_transaction_and_index(decoder: EventDecoder) -> None:
    """The position fields come from the log, the contract from who emits that event."""
    partner_events = {"PartnerRegistered", "PartnerStatusChanged", "PartnerRightsChanged", "PartnerCompromised"}
    partner_events |= {"PartnerDetailsChanged", "ProposalCreated", "DetailsProposed", "VoteCast", "ProposalExecuted"}
    positions = []
    for item in decoder.decode_all(RECORDING.raw_logs()):
        step = RECORDING.step_of(item.tx_hash)
        contract = "PartnerRegistry" if item.name in partner_events else "CertificateRegistry"
        if item.name in PROVENANCE_EVENTS:
            contract = "ProvenanceRegistry"
        assert item.address == RECORDING.contracts[contract]
        assert (item.block_number, item.block_hash) == (step.block_number, step.block_hash)
        assert item.name == type(item.event).__name__
        positions.append((step.name, item.log_index))
    # One transaction per block, so log indexes count 0, 1, 2 ... within each step.
    expected_positions = [(step, i) for step, events in EXPECTED.items() for i in range(len(events))]
    assert positions == expected_positions


def test_the_recording_holds_every_event_type_the_registries_declare(decoder: EventDecoder) -> None:
    names = {item.name for item in decoder.decode_all(RECORDING.raw_logs())}
    assert names == set(EVENT_TYPES)


# -- ABIs and models -------------------------------------------------------------------------------------------


def _abi_events() -> dict[str, list[dict[str, Any]]]:
    """Every event declared by a committed ABI file, by name (the same event in two ABIs must agree)."""
    events: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(Path(ABI_DIR).glob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            if entry.get("type") == "event" and entry["name"] not in NOT_INDEXED:
                events.setdefault(entry["name"], []).append(entry)
    return events


def test_every_event_of_every_committed_abi_is_modelled_and_every_model_is_declared() -> None:
    assert set(_abi_events()) == set(EVENT_TYPES)


def test_a_decoder_builds_from_all_committed_abis_with_one_topic_per_event() -> None:
    abis = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(Path(ABI_DIR).glob("*.json"))]
    decoder = EventDecoder(abis)
    expected = {
        "0x" + keccak(f"{name}({','.join(i['type'] for i in entries[0]['inputs'])})".encode()).hex()
        for name, entries in _abi_events().items()
    }
    assert decoder.topics == sorted(expected)
    assert make_decoder().topics == sorted(expected)


def test_an_abi_event_without_a_model_is_refused_when_the_decoder_is_built() -> None:
    abi = [{"type": "event", "name": "SculptureCast", "anonymous": False, "inputs": []}]
    with pytest.raises(DecodeError, match=re.escape("the ABI declares event 'SculptureCast', which ledger")):
        EventDecoder([abi])


def test_an_abi_event_whose_fields_differ_from_its_model_is_refused() -> None:
    entry = next(e for e in load_abi("PartnerRegistry") if e.get("name") == "ProposalExecuted")
    swapped = {**entry, "inputs": list(reversed(entry["inputs"]))}
    message = (
        "ProposalExecuted: ABI fields ['required', 'counted_votes', 'executor', 'proposal_id'] do not match "
        "ledger.events.ProposalExecuted fields ['proposal_id', 'executor', 'counted_votes', 'required']"
    )
    with pytest.raises(DecodeError, match=re.escape(message)):
        EventDecoder([[swapped]])


# -- malformed logs ----------------------------------------------------------------------------------------------


def test_a_log_with_a_topic_missing_is_refused(decoder: EventDecoder) -> None:
    log = raw_log("VoteCast")
    with pytest.raises(DecodeError, match=r"^VoteCast: expected 3 topics, got 2$"):
        decoder.decode(replace(log, topics=log.topics[:2]))


def test_a_log_with_an_extra_topic_is_refused(decoder: EventDecoder) -> None:
    log = raw_log("ProposalExecuted")
    with pytest.raises(DecodeError, match=r"^ProposalExecuted: expected 3 topics, got 4$"):
        decoder.decode(replace(log, topics=(*log.topics, "0x" + word(1))))


def test_a_static_event_with_short_data_is_refused(decoder: EventDecoder) -> None:
    log = raw_log("VoteCast")
    with pytest.raises(DecodeError, match=r"^VoteCast: expected 3 data words, got 2"):
        decoder.decode(replace(log, data=log.data[: 2 + 2 * 64]))


def test_a_static_event_with_extra_data_is_refused(decoder: EventDecoder) -> None:
    log = raw_log("CertificateRevoked")
    with pytest.raises(DecodeError, match=r"^CertificateRevoked: expected 3 data words, got 4"):
        decoder.decode(replace(log, data=log.data + word(0)))


def test_a_dynamic_event_with_cut_data_is_refused(decoder: EventDecoder) -> None:
    log = raw_log("PartnerRegistered")
    with pytest.raises(DecodeError, match=r"^PartnerRegistered: cannot decode data: "):
        decoder.decode(replace(log, data=log.data[: 2 + 3 * 64]))


def test_an_out_of_range_uint_in_the_data_is_refused(decoder: EventDecoder) -> None:
    """``yesVotes`` is a uint32: a word holding 2**32 cannot come from the contract."""
    log = raw_log("VoteCast")
    data = "0x" + word(1) + word(2**32) + word(0)
    with pytest.raises(DecodeError, match=f"^VoteCast: uint32 word out of range: 0x{word(2**32)}$"):
        decoder.decode(replace(log, data=data))


def test_an_out_of_range_enum_word_is_refused(decoder: EventDecoder) -> None:
    """``previous`` (a PartnerStatus) travels as uint8."""
    log = raw_log("PartnerStatusChanged")
    data = "0x" + word(256) + log.data[2 + 64 :]
    with pytest.raises(DecodeError, match=f"^PartnerStatusChanged: uint8 word out of range: 0x{word(256)}$"):
        decoder.decode(replace(log, data=data))


def test_an_out_of_range_uint48_timestamp_is_refused(decoder: EventDecoder) -> None:
    log = raw_log("CertificateSuspended")
    data = log.data[: 2 + 64] + word(2**48) + log.data[2 + 2 * 64 :]
    with pytest.raises(DecodeError, match=f"^CertificateSuspended: uint48 word out of range: 0x{word(2**48)}$"):
        decoder.decode(replace(log, data=data))


def test_a_bool_word_of_two_is_refused(decoder: EventDecoder) -> None:
    log = raw_log("VoteCast")
    data = "0x" + word(2) + log.data[2 + 64 :]
    with pytest.raises(DecodeError, match=f"^VoteCast: bool word out of range: 0x{word(2)}$"):
        decoder.decode(replace(log, data=data))


def test_a_by_council_word_of_two_is_refused(decoder: EventDecoder) -> None:
    log = raw_log("CertificateSuspended")
    data = log.data[: 2 + 2 * 64] + word(2)
    with pytest.raises(DecodeError, match=f"^CertificateSuspended: bool word out of range: 0x{word(2)}$"):
        decoder.decode(replace(log, data=data))


def test_a_log_with_an_unknown_topic_is_an_unknown_event(decoder: EventDecoder) -> None:
    log = raw_log("VoteCast")
    unknown = "0x" + keccak(b"Transfer(address,address,uint256)").hex()
    message = f"^unknown event topic {unknown} at block {log.block_number}$"
    with pytest.raises(UnknownEventError, match=message):
        decoder.decode(replace(log, topics=(unknown, *log.topics[1:])))


def test_an_anonymous_log_is_an_unknown_event(decoder: EventDecoder) -> None:
    log = raw_log("VoteCast")
    message = f"^anonymous log at block {log.block_number} index {log.log_index}$"
    with pytest.raises(UnknownEventError, match=message):
        decoder.decode(replace(log, topics=()))


def test_unknown_events_are_decode_errors_too() -> None:
    """Callers that catch DecodeError (and ValueError) also catch unknown events."""
    assert issubclass(UnknownEventError, DecodeError)
    assert issubclass(DecodeError, ValueError)


def test_decode_all_with_skip_drops_only_unknown_events(decoder: EventDecoder) -> None:
    logs = RECORDING.raw_logs()[:6]
    unknown = replace(logs[2], topics=("0x" + keccak(b"Other()").hex(),))
    mixed = [logs[0], logs[1], unknown, *logs[3:]]
    skipped = decoder.decode_all(mixed, on_unknown="skip")
    assert [item.event for item in skipped] == [decoder.decode(log).event for log in logs if log is not logs[2]]
    with pytest.raises(UnknownEventError):
        decoder.decode_all(mixed)


def test_decode_all_with_skip_still_refuses_a_malformed_known_event(decoder: EventDecoder) -> None:
    log = raw_log("VoteCast")
    with pytest.raises(DecodeError, match=r"^VoteCast: expected 3 topics, got 1$"):
        decoder.decode_all([replace(log, topics=log.topics[:1])], on_unknown="skip")


# -- RawLog.from_rpc -------------------------------------------------------------------------------------------


def test_from_rpc_keeps_the_fields_the_indexer_needs_in_lower_case() -> None:
    obj = RECORDING.logs[0]
    shouting = {**obj, "address": obj["address"].upper().replace("0X", "0x"), "blockHash": obj["blockHash"].upper()}
    log = RawLog.from_rpc(shouting)
    assert log == RawLog(
        address=RECORDING.contracts["PartnerRegistry"],
        topics=tuple(obj["topics"]),
        data=obj["data"],
        block_number=3,  # after the certificate and provenance registries, which name it
        block_hash=RECORDING.steps["deploy PartnerRegistry"].block_hash,
        tx_hash=RECORDING.steps["deploy PartnerRegistry"].tx_hash,
        log_index=0,
        removed=False,
        block_timestamp=RECORDING.steps["deploy PartnerRegistry"].timestamp,
    )


def test_from_rpc_reads_the_block_time_when_the_node_gives_it() -> None:
    obj = RECORDING.logs[0]
    assert RawLog.from_rpc(obj).block_timestamp == int(obj["blockTimestamp"], 16)
    assert RawLog.from_rpc({k: v for k, v in obj.items() if k != "blockTimestamp"}).block_timestamp is None


def test_decoded_logs_carry_the_block_time_on_the_fast_and_the_generic_path(decoder: EventDecoder) -> None:
    for obj in RECORDING.logs:
        log = RawLog.from_rpc(obj)
        assert decoder.decode(log).block_timestamp == int(obj["blockTimestamp"], 16)


def test_from_rpc_reads_the_removed_flag() -> None:
    assert RawLog.from_rpc({**RECORDING.logs[0], "removed": True}).removed is True


@pytest.mark.parametrize(
    ("change", "cause"),
    [
        ({"blockNumber": None}, "TypeError"),  # a pending log
        ({"logIndex": "0xzz"}, "ValueError"),
        ({"topics": None}, "TypeError"),
        ({"address": 5}, "AttributeError"),
        ({"transactionHash": None}, "AttributeError"),
    ],
    ids=["pending-log", "non-hex-index", "no-topics", "numeric-address", "no-tx-hash"],
)
def test_from_rpc_refuses_a_malformed_log_object(change: dict[str, Any], cause: str) -> None:
    with pytest.raises(DecodeError, match=f"^malformed log object from the node: {cause}"):
        RawLog.from_rpc({**RECORDING.logs[0], **change})


def test_from_rpc_refuses_a_log_object_without_a_field() -> None:
    obj = {k: v for k, v in RECORDING.logs[0].items() if k != "data"}
    with pytest.raises(DecodeError, match=r"^malformed log object from the node: KeyError\('data'\)"):
        RawLog.from_rpc(obj)


# -- strict validation of words ---------------------------------------------------------------------------------


def test_an_address_topic_with_dirty_padding_is_refused(decoder: EventDecoder) -> None:
    log = raw_log("VoteCast")
    dirty = "0x" + "ff" * 12 + log.topics[2][26:]
    with pytest.raises(DecodeError, match="address"):
        decoder.decode(replace(log, topics=(*log.topics[:2], dirty)))


def test_a_short_bytes32_topic_is_refused(decoder: EventDecoder) -> None:
    log = raw_log("CertificateIssued")
    with pytest.raises(DecodeError, match="CertificateIssued"):
        decoder.decode(replace(log, topics=(log.topics[0], "0x1234", *log.topics[2:])))


def test_non_hex_data_is_a_decode_error_naming_the_event(decoder: EventDecoder) -> None:
    log = raw_log("VoteCast")
    with pytest.raises(DecodeError, match=r"^VoteCast: "):
        decoder.decode(replace(log, data="0x" + "zz" * 96))
