"""A partner's provenance writes with its API key, and the check of anchored events, against anvil.

Each write is tried as the rules allow it and as an attacker would: without a key, with a key of no partner, with a
consent signed by someone else or by someone who does not hold the original, twice. A refusal sends nothing and
writes nothing; an accepted write's log is asserted with its exact arguments.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from eth_hash.auto import keccak
from fastapi.testclient import TestClient
from support import devchain
from support.write_world import WriteWorld, write_world

from api.main import create_app
from ledger.abi import load_abi
from ledger.anchored_events import LifecycleEvent, consent_typed_data, event_batch
from ledger.cbv import code_of
from ledger.digital_link import digital_link
from ledger.events import (
    EventsAnchored,
    HeldAtRegistration,
    LifecycleEventConsented,
    OriginalRegistered,
)
from ledger.indexer.decode import EventDecoder, RawLog
from ledger.signing.actions import sign

PROBLEM = "application/problem+json"
COLLECTOR = Account.from_key(keccak(b"collector"))
MUSEUM = Account.from_key(keccak(b"museum"))
THIEF = Account.from_key(keccak(b"thief"))
FAR = 2**47


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteWorld]:
    with write_world(tmp_path_factory.mktemp("provenance-partner")) as built:
        yield built


@pytest.fixture(scope="module")
def api(world: WriteWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings)) as client:
        yield client


def _auth(world: WriteWorld, name: str = "issuer") -> dict[str, str]:
    return {"Authorization": f"Bearer {world.keys[name]}"}


def _events(world: WriteWorld, tx_hash: str) -> list[Any]:
    receipt = world.receipt(tx_hash)
    decoder = EventDecoder([load_abi("ProvenanceRegistry")])
    return [d.event for d in decoder.decode_all([RawLog.from_rpc(log) for log in receipt["logs"]])]


def _unchanged(world: WriteWorld) -> tuple[Any, ...]:
    return world.counts(), world.head(), world.nonces()


def _refused(world: WriteWorld, response: Any, status: int, title: str, before: tuple[Any, ...]) -> dict[str, Any]:
    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM), response.text
    body: dict[str, Any] = response.json()
    assert body["title"] == title
    assert _unchanged(world) == before, "a refused write sent or wrote something"
    return body


def _names(problem: dict[str, Any], error: str, **arguments: Any) -> None:
    """The problem names the contract's custom error, with its arguments in the detail (as the registry gave them)."""
    shown = ", ".join(f"{k}={v}" for k, v in arguments.items())
    assert (problem["error"], problem["detail"]) == (error, f"{error}({shown})")


def _register(world: WriteWorld, api: TestClient, name: str, **extra: Any) -> dict[str, Any]:
    body = {"identifier": devchain.h32(0, f"original:{name}"), "owner": COLLECTOR.address, **extra}
    response = api.post("/originals", json=body, headers=_auth(world))
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _original_id(registrar: str, identifier: str) -> str:
    from eth_abi.abi import encode

    return "0x" + keccak(encode(["address", "bytes32"], [registrar, bytes.fromhex(identifier[2:])])).hex()


def _consent(world: WriteWorld, event: LifecycleEvent, signer: Any, recorder: str, nonce: int = 0) -> dict[str, Any]:
    typed = consent_typed_data(event, recorder, nonce, FAR, world.chain.chain_id, str(world.chain.provenance.address))
    return {"nonce": nonce, "deadline": FAR, "signature": sign(typed, signer.key)}


def _nonce(world: WriteWorld, signer: str) -> int:
    """The registry's next nonce of ``signer``, so that only the signature is wrong."""
    (nonce,) = world.chain.provenance.view(world.rpc, "nonces", signer)
    return int(nonce)


def _now(world: WriteWorld) -> int:
    return int(world.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)


# -- registration ------------------------------------------------------------------------------------------------------


def test_a_partner_registers_an_original_under_a_fingerprint_and_it_is_logged_and_indexed(
    world: WriteWorld, api: TestClient
) -> None:
    identifier = devchain.h32(0, "original:painting")
    answer = _register(world, api, "painting", holder=MUSEUM.address)
    issuer = world.address("issuer").lower()
    original = _original_id(issuer, identifier)
    assert answer == {
        "tx_hash": answer["tx_hash"],
        "original": original,
        "identifier": identifier,
        "digital_link": None,
        "status": "pending",
        "block_number": world.head(),
    }
    assert _events(world, answer["tx_hash"]) == [
        OriginalRegistered(original, identifier, issuer, COLLECTOR.address.lower()),
        HeldAtRegistration(original, MUSEUM.address.lower()),
    ]
    world.index()
    status = api.get(f"/transactions/{answer['tx_hash']}").json()
    assert (status["status"], status["action"], status["certificate_id"]) == ("indexed", "register", original)


def test_a_gtin_and_serial_register_the_hash_of_the_gs1_digital_link(world: WriteWorld, api: TestClient) -> None:
    body = {"gtin": "9506000134352", "serial": "LIN-0001", "owner": COLLECTOR.address}
    response = api.post("/originals", json=body, headers=_auth(world))
    assert response.status_code == 202, response.text
    link = digital_link("9506000134352", "LIN-0001")
    answer = response.json()
    assert (answer["identifier"], answer["digital_link"]) == (
        link.identifier,
        "https://id.gs1.org/01/09506000134352/21/LIN-0001",
    )
    issuer = world.address("issuer").lower()
    assert _events(world, answer["tx_hash"]) == [
        OriginalRegistered(_original_id(issuer, link.identifier), link.identifier, issuer, COLLECTOR.address.lower())
    ]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"owner": COLLECTOR.address}, "give either an identifier, or a GTIN and a serial number"),
        (
            {"identifier": devchain.h32(1, "x"), "gtin": "9506000134352", "serial": "A", "owner": COLLECTOR.address},
            "give either an identifier, or a GTIN and a serial number",
        ),
        (
            {"gtin": "9506000134352", "owner": COLLECTOR.address},
            "give either an identifier, or a GTIN and a serial number",
        ),
        (
            {"gtin": "9506000134353", "serial": "A", "owner": COLLECTOR.address},
            "the GTIN 9506000134353 has a wrong check digit",
        ),
        ({"identifier": "0x12", "owner": COLLECTOR.address}, None),
        ({"identifier": devchain.h32(2, "x"), "owner": "0xnot"}, None),
    ],
)
def test_a_malformed_registration_is_422_and_sends_nothing(
    world: WriteWorld, api: TestClient, body: dict[str, Any], detail: str | None
) -> None:
    before = _unchanged(world)
    problem = _refused(world, api.post("/originals", json=body, headers=_auth(world)), 422, "Invalid input", before)
    if detail is not None:
        assert detail in problem["detail"]


def test_registering_without_a_key_or_as_no_partner_or_twice_is_refused_and_sends_nothing(
    world: WriteWorld, api: TestClient
) -> None:
    body = {"identifier": devchain.h32(0, "original:vase"), "owner": COLLECTOR.address}
    before = _unchanged(world)
    _refused(world, api.post("/originals", json=body), 401, "Unauthorized", before)
    _refused(world, api.post("/originals", json=body, headers=_auth(world, "revoked")), 401, "Unauthorized", before)
    outsider = world.address("outsider").lower()
    problem = _refused(
        world, api.post("/originals", json=body, headers=_auth(world, "outsider")), 403, "Not an active issuer", before
    )
    _names(problem, "ProvenanceRegistryUnauthorizedPartner", account=outsider)
    answer = _register(world, api, "vase")
    before = _unchanged(world)
    problem = _refused(
        world, api.post("/originals", json=body, headers=_auth(world)), 409, "Already registered", before
    )
    _names(problem, "ProvenanceRegistryAlreadyRegistered", original=answer["original"])


# -- one event with consent ----------------------------------------------------------------------------------------


def _held(world: WriteWorld, api: TestClient, name: str) -> str:
    """An original of the issuer, owned and held by the collector."""
    original: str = _register(world, api, name)["original"]
    return original


def _consented(world: WriteWorld, original: str, step: str, signer: Any) -> tuple[LifecycleEvent, dict[str, Any]]:
    """An event of ``original`` held by the collector, and the body recording it with ``signer``'s consent (at the
    collector's next nonce, so that only the signer can be wrong)."""
    holder = COLLECTOR.address.lower()
    event = LifecycleEvent(original, code_of(step), devchain.h32(0, f"report:{original}"), _now(world) - 60, holder)
    recorder = world.address("issuer").lower()
    consent = _consent(world, event, signer, recorder, _nonce(world, holder))
    body = {
        "biz_step": step,
        "evidence_hash": event.evidence_hash,
        "occurred_at": event.occurred_at,
        "holder": COLLECTOR.address,
        "consent": consent,
    }
    return event, body


def test_an_event_with_the_holders_consent_is_recorded_once_and_a_replay_is_refused(
    world: WriteWorld, api: TestClient
) -> None:
    original = _held(world, api, "clock")
    issuer = world.address("issuer").lower()
    event, body = _consented(world, original, "restoring", COLLECTOR)
    response = api.post(f"/originals/{original}/consented-events", json=body, headers=_auth(world))
    assert response.status_code == 202, response.text
    assert _events(world, response.json()["tx_hash"]) == [
        LifecycleEventConsented(original, issuer, event.holder, 1003, event.evidence_hash, event.occurred_at)
    ]
    before = _unchanged(world)
    replay = api.post(f"/originals/{original}/consented-events", json=body, headers=_auth(world))
    problem = _refused(world, replay, 409, "Refused by the contract", before)
    _names(problem, "InvalidAccountNonce", account=event.holder, currentNonce=1)


def test_an_event_whose_consent_another_key_signed_is_refused_and_sends_nothing(
    world: WriteWorld, api: TestClient
) -> None:
    original = _held(world, api, "lamp")
    event, body = _consented(world, original, "inspecting", THIEF)
    before = _unchanged(world)
    response = api.post(f"/originals/{original}/consented-events", json=body, headers=_auth(world))
    problem = _refused(world, response, 409, "Refused by the contract", before)
    _names(problem, "SignedActionInvalidSignature", signer=event.holder)


def test_an_unknown_business_step_is_422_in_the_requests_language(world: WriteWorld, api: TestClient) -> None:
    body = {
        "biz_step": "juggling",
        "evidence_hash": devchain.h32(6, "r"),
        "occurred_at": 1,
        "holder": COLLECTOR.address,
        "consent": {"nonce": 0, "deadline": FAR, "signature": "0x" + "11" * 65},
    }
    before = _unchanged(world)
    path = f"/originals/{devchain.h32(7, 'o')}/consented-events"
    problem = _refused(world, api.post(path, json=body, headers=_auth(world)), 422, "Invalid input", before)
    assert "unknown business step 'juggling'" in problem["detail"]
    german = api.post(path, json=body, headers={**_auth(world), "Accept-Language": "de"})
    problem = _refused(world, german, 422, "Ungültige Eingabe", before)
    assert "unbekannter Geschäftsschritt 'juggling'" in problem["detail"]


# -- batches -------------------------------------------------------------------------------------------------------


def _batch_item(world: WriteWorld, event: LifecycleEvent, signer: Any, recorder: str) -> dict[str, Any]:
    return {
        "original": event.original,
        "biz_step": event.biz_step,
        "evidence_hash": event.evidence_hash,
        "occurred_at": event.occurred_at,
        "holder": event.holder,
        "consent": _consent(world, event, signer, recorder),
    }


def _batch_events(world: WriteWorld, api: TestClient, name: str, count: int) -> list[LifecycleEvent]:
    original = _held(world, api, name)
    now = _now(world)
    return [
        LifecycleEvent(
            original, code_of("inspecting"), devchain.h32(i, f"{name}-report"), now - 600 + i, COLLECTOR.address.lower()
        )
        for i in range(count)
    ]


def test_a_batch_of_consented_events_is_anchored_and_each_event_checks_with_its_proof(
    world: WriteWorld, api: TestClient
) -> None:
    issuer = world.address("issuer").lower()
    events = _batch_events(world, api, "tapestry", 3)
    body = {"events": [_batch_item(world, e, COLLECTOR, issuer) for e in events]}
    response = api.post("/event-batches", json=body, headers=_auth(world))
    assert response.status_code == 202, response.text
    answer = response.json()
    expected = event_batch(events)
    assert (answer["root"], answer["count"], answer["status"]) == (expected.root, 3, "pending")
    assert answer["events"] == [
        {"leaf": leaf, "proof": proof} for leaf, proof in zip(expected.leaves, expected.proofs, strict=True)
    ]
    assert _events(world, answer["tx_hash"]) == [EventsAnchored(issuer, expected.root, 3)]
    world.index()

    def check(event: LifecycleEvent, proof: list[str], consent: dict[str, Any] | None) -> dict[str, Any]:
        request = {
            "event": {
                "original": event.original,
                "biz_step": event.biz_step,
                "evidence_hash": event.evidence_hash,
                "occurred_at": event.occurred_at,
                "holder": event.holder,
            },
            "root": expected.root,
            "proof": proof,
            "consent": consent,
        }
        reply = api.post("/event-batches/check", json=request)
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()
        return result

    good = check(events[1], expected.proofs[1], body["events"][1]["consent"])
    assert good == {
        "valid": True,
        "leaf": expected.leaves[1],
        "root": expected.root,
        "anchored": True,
        "recorder": issuer,
        "recorder_name": "Linen Mill Ltd",
        "block_number": answer["block_number"],
        "proof_valid": True,
        "consented": True,
        "holder_at_anchoring": True,
    }
    altered = LifecycleEvent(
        events[1].original, events[1].biz_step, devchain.h32(99, "forged"), events[1].occurred_at, events[1].holder
    )
    forged = check(altered, expected.proofs[1], body["events"][1]["consent"])
    assert (forged["valid"], forged["proof_valid"], forged["consented"]) == (False, False, False)
    unsigned = check(events[0], expected.proofs[0], None)
    assert (unsigned["valid"], unsigned["proof_valid"], unsigned["consented"]) == (False, True, None)
    by_thief = check(events[0], expected.proofs[0], _consent(world, events[0], THIEF, issuer))
    assert (by_thief["valid"], by_thief["consented"]) == (False, False)
    stranger = LifecycleEvent(
        events[0].original, events[0].biz_step, events[0].evidence_hash, events[0].occurred_at, THIEF.address.lower()
    )
    held_by_other = check(stranger, expected.proofs[0], _consent(world, stranger, THIEF, issuer))
    assert (held_by_other["valid"], held_by_other["proof_valid"], held_by_other["holder_at_anchoring"]) == (
        False,
        False,
        False,
    )


def test_an_unanchored_root_is_not_anchored(world: WriteWorld, api: TestClient) -> None:
    event = {
        "original": devchain.h32(8, "o"),
        "biz_step": 17,
        "evidence_hash": devchain.h32(8, "e"),
        "occurred_at": 1,
        "holder": COLLECTOR.address,
    }
    reply = api.post("/event-batches/check", json={"event": event, "root": devchain.h32(8, "root"), "proof": []})
    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert (result["valid"], result["anchored"], result["recorder"], result["holder_at_anchoring"]) == (
        False,
        False,
        None,
        None,
    )


def test_a_batch_with_an_event_without_its_holders_consent_is_refused_and_sends_nothing(
    world: WriteWorld, api: TestClient
) -> None:
    issuer = world.address("issuer").lower()
    events = _batch_events(world, api, "chair", 2)
    items = [_batch_item(world, events[0], COLLECTOR, issuer), _batch_item(world, events[1], THIEF, issuer)]
    before = _unchanged(world)
    problem = _refused(
        world, api.post("/event-batches", json={"events": items}, headers=_auth(world)), 403, "Forbidden", before
    )
    assert problem["detail"] == (
        f"the consent to the event of {events[1].original} is not signed by its holder {COLLECTOR.address.lower()}"
    )
    # A consent of someone who does not hold the original: signed by them, for them, and still refused.
    stranger = LifecycleEvent(
        events[1].original, events[1].biz_step, events[1].evidence_hash, events[1].occurred_at, THIEF.address.lower()
    )
    items = [_batch_item(world, events[0], COLLECTOR, issuer), _batch_item(world, stranger, THIEF, issuer)]
    problem = _refused(
        world, api.post("/event-batches", json={"events": items}, headers=_auth(world)), 403, "Forbidden", before
    )
    assert problem["detail"] == (
        f"{THIEF.address.lower()} does not hold {events[1].original} (its holder is {COLLECTOR.address.lower()})"
    )
    # The same event twice.
    twice = [_batch_item(world, events[0], COLLECTOR, issuer)] * 2
    problem = _refused(
        world, api.post("/event-batches", json={"events": twice}, headers=_auth(world)), 422, "Invalid input", before
    )
    assert problem["detail"] == "the batch holds the same event twice"
    # A batch by a key of no partner: the consent is right, the registry refuses the recorder.
    outsider = world.address("outsider").lower()
    items = [_batch_item(world, events[0], COLLECTOR, outsider)]
    problem = _refused(
        world,
        api.post("/event-batches", json={"events": items}, headers=_auth(world, "outsider")),
        403,
        "Not an active issuer",
        before,
    )
    _names(problem, "ProvenanceRegistryUnauthorizedPartner", account=outsider)
