"""An original's owner's and holder's signed actions through the API, against anvil (issue 16): prepared, signed,
relayed, each for its signer, none needing ether.

Cast: the write world's issuer (3) registers the artworks; an owner (5) and a buyer (6) hold no ether of their own
that they spend (the relayer, 9, pays); a thief (8) tries what it may not. The tests run in order on one chain.
Every refusal is asserted with its problem+json body and sends nothing (:meth:`support.governance.Governance.sent`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from eth_hash.auto import keccak
from fastapi.testclient import TestClient
from support.governance import APPLICANT, OUTSIDER, RELAYER, STRANGER, Governance, relayer_settings
from support.write_world import ACCOUNTS, WriteWorld, write_world

from api.main import create_app
from devtools.devnet import devnet_key
from ledger.signing.actions import sign
from ledger.signing.provenance import claim_typed_data

OWNER, BUYER, THIEF = APPLICANT, STRANGER, OUTSIDER
ISSUER = ACCOUNTS["issuer"]
TITLE, CUSTODY = 0, 1
STOLEN = 2
INSPECTING = 11
DAY = 24 * 3600
ZERO_ADDRESS = "0x" + "00" * 20
PROBLEM = "application/problem+json"
CLAIM_KEY = keccak(b"the one-time key printed on the certificate of the API's artwork")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteWorld]:
    with write_world(tmp_path_factory.mktemp("provenance-actions")) as built:
        yield built


@pytest.fixture(scope="module")
def gov(world: WriteWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Governance]:
    settings = relayer_settings(world, tmp_path_factory.mktemp("relayer"))
    with TestClient(create_app(settings)) as client:
        yield Governance(world, client)


def _register(gov: Governance, label: str, owner: int = OWNER) -> str:
    """An original the issuer registers for ``owner`` (who holds it); its id as 0x + 64 hex digits."""
    chain = gov.world.chain
    identifier = keccak(label.encode())
    chain.prov_tx(ISSUER, "enrolOriginal", identifier, chain.address(owner), ZERO_ADDRESS, False)
    (original,) = chain.provenance.view(gov.world.rpc, "originalId", chain.address(ISSUER), identifier)
    return str(original).lower()


@pytest.fixture(scope="module")
def art(gov: Governance) -> str:
    return _register(gov, "API artwork 1")


def _state(gov: Governance, original: str) -> tuple[Any, ...]:
    """(owner, holder, disposition) of an original, and both its offers: what a refusal must leave as it was."""
    provenance, rpc = gov.world.chain.provenance, gov.world.rpc
    key = bytes.fromhex(original[2:])
    (record,) = provenance.view(rpc, "originalOf", key)
    (title,) = provenance.view(rpc, "offerOf", key, TITLE)
    (custody,) = provenance.view(rpc, "offerOf", key, CUSTODY)
    return (str(record[0]).lower(), str(record[1]).lower(), record[3], tuple(title), tuple(custody))


def _now(gov: Governance) -> int:
    return int(gov.world.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)


def _problem(response: Any, status: int, title: str, detail: str, **extra: Any) -> None:
    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM), response.text
    assert response.json() == {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": response.request.url.path,
        **extra,
    }


def _refused(gov: Governance, path: str, body: Any, status: int, title: str, detail: str, **extra: Any) -> None:
    """``body`` posted to ``path`` is refused as said, and nothing is sent."""
    before = gov.sent()
    _problem(gov.api.post(path, json=body), status, title, detail, **extra)
    assert gov.sent() == before


def _reverted(gov: Governance, path: str, body: Any, error: str, **arguments: Any) -> None:
    shown = ", ".join(f"{k}={v}" for k, v in arguments.items())
    _refused(gov, path, body, 409, error, f"{error}({shown})", error=error, arguments=arguments)


def _relayed(gov: Governance, path: str, body: dict[str, Any], signer: str) -> dict[str, Any]:
    before_block, before_count = gov.sent()
    response = gov.api.post(path, json=body)
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    assert answer == {
        "action": body["typed_data"]["primaryType"],
        "signer": signer.lower(),
        "relayer": gov.address(RELAYER),
        "tx_hash": answer["tx_hash"],
        "block_number": before_block + 1,
        "proposal_id": None,
        "status": "pending",
    }
    receipt = gov.world.receipt(answer["tx_hash"])
    assert (receipt["status"], receipt["from"]) == ("0x1", gov.address(RELAYER))
    assert gov.sent() == (before_block + 1, before_count + 1)
    return answer


def _offer(gov: Governance, original: str, to: int, right: int = TITLE, by: int | None = None) -> dict[str, Any]:
    return gov.signed(
        "HandOver",
        OWNER,
        by=by,
        original=original,
        right=right,
        to=gov.address(to),
        offerDeadline=_now(gov) + 7 * DAY,
    )


# -- prepare -----------------------------------------------------------------------------------------------------------


def test_prepare_answers_a_sale_in_the_provenance_registrys_domain_with_the_owners_nonce(
    gov: Governance, art: str
) -> None:
    deadline = _now(gov) + 7 * DAY
    response = gov.api.post(
        "/actions/prepare",
        json={
            "action": "HandOver",
            "signer": gov.address(OWNER),
            "original": art,
            "right": TITLE,
            "to": gov.address(BUYER),
            "offerDeadline": deadline,
        },
    )
    assert response.status_code == 200, response.text
    typed = response.json()["typed_data"]
    assert typed["domain"] == {
        "name": "Originals ProvenanceRegistry",
        "version": "1",
        "chainId": gov.world.chain.chain_id,
        "verifyingContract": gov.world.chain.provenance.address,
    }
    message = typed["message"]
    assert {k: v for k, v in message.items() if k != "deadline"} == {
        "party": gov.address(OWNER),
        "original": art,
        "right": TITLE,
        "to": gov.address(BUYER),
        "offerDeadline": deadline,
        "nonce": 0,
    }
    assert message["deadline"] >= _now(gov)


# -- a sale: offered, accepted -----------------------------------------------------------------------------------------


def test_a_signature_about_another_original_than_the_routes_is_refused_and_nothing_sent(
    gov: Governance, art: str
) -> None:
    other = _register(gov, "API artwork 2")
    before = _state(gov, art)
    _refused(
        gov,
        f"/originals/{other}/offers",
        _offer(gov, art, BUYER),
        422,
        "Action does not match the route",
        f"the signed action is about original {art}, not {other}",
    )
    assert _state(gov, art) == before


def test_someone_elses_signature_is_refused_as_the_wrong_signer(gov: Governance, art: str) -> None:
    body = _offer(gov, art, THIEF, by=THIEF)
    _refused(
        gov,
        f"/originals/{art}/offers",
        body,
        403,
        "Wrong signer",
        f"the signature is by {gov.address(THIEF)}, not by the party {gov.address(OWNER)}",
    )


def test_a_thief_signing_a_sale_for_itself_is_refused_by_the_registry(gov: Governance, art: str) -> None:
    body = gov.signed("HandOver", THIEF, original=art, right=TITLE, to=gov.address(BUYER), offerDeadline=_now(gov) + 1)
    _reverted(
        gov,
        f"/originals/{art}/offers",
        body,
        "ProvenanceRegistryNotParty",
        original=art,
        right=TITLE,
        account=gov.address(THIEF),
    )


def test_an_owner_without_ether_sells_and_the_buyer_accepts_through_the_relayer(gov: Governance, art: str) -> None:
    offered = _offer(gov, art, BUYER)
    deadline = offered["typed_data"]["message"]["offerDeadline"]
    _relayed(gov, f"/originals/{art}/offers", offered, gov.address(OWNER))
    assert _state(gov, art)[3] == (gov.address(BUYER), deadline, False, True)
    accepted = gov.signed("TakeOver", BUYER, original=art, right=TITLE)
    _relayed(gov, f"/originals/{art}/accept", accepted, gov.address(BUYER))
    owner, holder, disposition, title, _custody = _state(gov, art)
    assert (owner, holder, disposition) == (gov.address(BUYER), gov.address(BUYER), 0)
    assert title[3] is False
    # The same signed acceptance again: the buyer's nonce is used, refused before anything is sent.
    _reverted(
        gov, f"/originals/{art}/accept", accepted, "InvalidAccountNonce", account=gov.address(BUYER), currentNonce=1
    )


# -- an offer rejected, an offer withdrawn ---------------------------------------------------------------------------


def test_the_recipient_rejects_with_a_remark_and_the_owner_withdraws_another_offer(gov: Governance) -> None:
    piece = _register(gov, "API artwork 3")
    _relayed(gov, f"/originals/{piece}/offers", _offer(gov, piece, BUYER), gov.address(OWNER))
    remark = "0x" + keccak(b"too expensive").hex()
    rejected = gov.signed("RejectOffer", BUYER, original=piece, right=TITLE, remarkHash=remark)
    _relayed(gov, f"/originals/{piece}/reject", rejected, gov.address(BUYER))
    assert _state(gov, piece)[3][3] is False
    _relayed(gov, f"/originals/{piece}/offers", _offer(gov, piece, BUYER, right=CUSTODY), gov.address(OWNER))
    thief_cancel = gov.signed("CancelOffer", THIEF, original=piece, right=CUSTODY)
    _reverted(
        gov,
        f"/originals/{piece}/cancel",
        thief_cancel,
        "ProvenanceRegistryNotParty",
        original=piece,
        right=CUSTODY,
        account=gov.address(THIEF),
    )
    cancelled = gov.signed("CancelOffer", OWNER, original=piece, right=CUSTODY)
    _relayed(gov, f"/originals/{piece}/cancel", cancelled, gov.address(OWNER))
    assert _state(gov, piece)[4][3] is False


# -- events, theft and recovery ----------------------------------------------------------------------------------------


def test_the_holder_records_an_event_reports_a_theft_and_declares_it_recovered(gov: Governance) -> None:
    piece = _register(gov, "API artwork 4")
    evidence = "0x" + keccak(b"condition report").hex()
    event = gov.signed(
        "AddEvent", OWNER, original=piece, bizStep=INSPECTING, evidenceHash=evidence, occurredAt=_now(gov)
    )
    _relayed(gov, f"/originals/{piece}/events", event, gov.address(OWNER))
    not_holder = gov.signed(
        "AddEvent", THIEF, original=piece, bizStep=INSPECTING, evidenceHash=evidence, occurredAt=_now(gov)
    )
    _reverted(
        gov,
        f"/originals/{piece}/events",
        not_holder,
        "ProvenanceRegistryNotHolder",
        original=piece,
        account=gov.address(THIEF),
    )
    report = "0x" + keccak(b"police report").hex()
    stolen = gov.signed("LogIncident", OWNER, original=piece, disposition=STOLEN, evidenceHash=report)
    _relayed(gov, f"/originals/{piece}/incidents", stolen, gov.address(OWNER))
    assert _state(gov, piece)[2] == STOLEN
    _reverted(
        gov,
        f"/originals/{piece}/offers",
        _offer(gov, piece, BUYER),
        "ProvenanceRegistryBlocked",
        original=piece,
        disposition=STOLEN,
    )
    found = "0x" + keccak(b"found").hex()
    thief_clear = gov.signed("ClearDisposition", THIEF, original=piece, evidenceHash=found)
    _reverted(
        gov,
        f"/originals/{piece}/clear",
        thief_clear,
        "ProvenanceRegistryInvalidDisposition",
        original=piece,
        account=gov.address(THIEF),
        current=STOLEN,
        requested=0,
    )
    cleared = gov.signed("ClearDisposition", OWNER, original=piece, evidenceHash=found)
    _relayed(gov, f"/originals/{piece}/clear", cleared, gov.address(OWNER))
    assert _state(gov, piece)[2] == 0


# -- a claim with a one-time key ---------------------------------------------------------------------------------------


def _claim(gov: Governance, original: str, claimant: int, key: bytes = CLAIM_KEY) -> dict[str, Any]:
    typed = claim_typed_data(
        bytes.fromhex(original[2:]),
        TITLE,
        gov.address(claimant),
        _now(gov) + DAY,
        gov.world.chain.chain_id,
        gov.world.chain.provenance.address or "",
    )
    typed["message"]["original"] = original
    return {"typed_data": typed, "signature": sign(typed, key)}


def test_a_claim_with_the_one_time_key_is_relayed_for_the_claimant(gov: Governance) -> None:
    piece = _register(gov, "API artwork 5")
    key = Account.from_key(CLAIM_KEY).address
    offered = gov.signed("ProposeClaim", OWNER, original=piece, right=TITLE, key=key, offerDeadline=_now(gov) + 7 * DAY)
    _relayed(gov, f"/originals/{piece}/offers", offered, gov.address(OWNER))
    other = _register(gov, "API artwork 6")
    _refused(
        gov,
        f"/originals/{other}/claim",
        _claim(gov, piece, BUYER),
        422,
        "Action does not match the route",
        f"the signed action is about original {piece}, not {other}",
    )
    guessed = _claim(gov, piece, THIEF, key=keccak(b"a guessed key"))
    _reverted(
        gov,
        f"/originals/{piece}/claim",
        guessed,
        "ProvenanceRegistryInvalidClaim",
        original=piece,
        right=TITLE,
        claimant=gov.address(THIEF),
    )
    elsewhere = _claim(gov, piece, BUYER)
    elsewhere["typed_data"]["domain"]["chainId"] = 1
    elsewhere["signature"] = sign(elsewhere["typed_data"], CLAIM_KEY)
    registry = gov.world.chain.provenance.address
    _refused(
        gov,
        f"/originals/{piece}/claim",
        elsewhere,
        422,
        "Wrong domain",
        f"Claim is signed for 'Originals ProvenanceRegistry' version '1' at {registry} on chain 1; this relayer "
        f"carries out 'Originals ProvenanceRegistry' version '1' at {registry} on chain {gov.world.chain.chain_id}",
    )
    body = _claim(gov, piece, BUYER)
    _relayed(gov, f"/originals/{piece}/claim", body, key)
    assert _state(gov, piece)[:2] == (gov.address(BUYER), gov.address(BUYER))
    _reverted(gov, f"/originals/{piece}/claim", body, "ProvenanceRegistryNoOffer", original=piece, right=TITLE)


def test_a_right_out_of_range_is_refused_as_malformed_before_anything_is_sent(gov: Governance, art: str) -> None:
    """The schema bounds the enums (a right is 0 or 1), so the contract is never asked what it cannot name."""
    before = gov.sent()
    prepared = gov.api.post(
        "/actions/prepare", json={"action": "TakeOver", "signer": gov.address(BUYER), "original": art, "right": 2}
    )
    body = gov.signed("TakeOver", BUYER, original=art, right=TITLE)
    body["typed_data"]["message"]["right"] = 2
    body["signature"] = sign(body["typed_data"], devnet_key(BUYER))
    posted = gov.api.post(f"/originals/{art}/accept", json=body)
    for response, where in ((prepared, ["body", "TakeOver", "right"]), (posted, None)):
        assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
        assert response.json()["title"] == "Invalid input"
        locations = [e["loc"] for e in response.json()["errors"]]
        assert any(loc[-1] == "right" for loc in locations), locations
        if where is not None:
            assert where in locations
    assert gov.sent() == before
