"""The consortium's write path through the API, against anvil: signed actions prepared, signed, relayed (issue 13).

Each role, as the issue names them: an **applicant** applies; a **council member** proposes and votes; **anyone**
executes a proposal that has its majority; a partner leaves. The relayer (devnet account 9) holds no standing: every
action is carried out for its signer. Every refusal is asserted with its problem+json body and sends nothing: the
head block and the relayer's transaction count stay as they were (:meth:`support.governance.Governance.sent`).

The tests run in order on one chain: the applicant applies, the council admits it, it leaves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support import devchain
from support.governance import (
    APPLICANT,
    OUTSIDER,
    RELAYER,
    STRANGER,
    Governance,
    relayer_settings,
)
from support.write_world import ACCOUNTS, WriteWorld, write_world

from api.main import create_app
from devtools.devnet import devnet_key
from ledger.documents import certificate_id
from ledger.events import ISSUER, OrganisationType, PartnerStatus, ProposalKind
from ledger.signing import relayer as relayer_module
from ledger.signing.actions import sign, typed_data

ZERO = "0x" + "00" * 32
MILL = {"orgType": int(OrganisationType.SME), "displayName": "Lindner Mill", "domain": "mill.example"}
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteWorld]:
    with write_world(tmp_path_factory.mktemp("governance")) as built:
        yield built


@pytest.fixture(scope="module")
def gov(world: WriteWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Governance]:
    settings = relayer_settings(world, tmp_path_factory.mktemp("relayer"))
    with TestClient(create_app(settings)) as client:
        yield Governance(world, client)


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


def _relayed(gov: Governance, path: str, body: dict[str, Any], proposal_id: int | None = None) -> dict[str, Any]:
    before_block, before_count = gov.sent()
    response = gov.api.post(path, json=body)
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    receipt = gov.world.receipt(answer["tx_hash"])
    message = body["typed_data"]["message"]
    signer = next(iter(message.values()))
    assert answer == {
        "action": body["typed_data"]["primaryType"],
        "signer": signer.lower(),
        "relayer": gov.address(RELAYER),
        "tx_hash": answer["tx_hash"],
        "block_number": before_block + 1,
        "proposal_id": proposal_id,
        "status": "pending",
    }
    assert (receipt["status"], int(receipt["blockNumber"], 16), receipt["from"]) == (
        "0x1",
        before_block + 1,
        gov.address(RELAYER),
    )
    assert gov.sent() == (before_block + 1, before_count + 1)
    return answer


# -- prepare ---------------------------------------------------------------------------------------------------------


def test_prepare_answers_the_typed_data_with_the_registrys_nonce_and_a_deadline(gov: Governance) -> None:
    import time

    before = int(time.time())
    response = gov.api.post(
        "/actions/prepare", json={"action": "Apply", "signer": gov.address(APPLICANT), **MILL, "metadataHash": ZERO}
    )
    after = int(time.time())

    assert response.status_code == 200, response.text
    answer = response.json()
    deadline = answer["typed_data"]["message"]["deadline"]
    assert before + 900 <= deadline <= after + 900
    expected = typed_data(
        "Apply",
        {"applicant": gov.address(APPLICANT), **MILL, "metadataHash": ZERO, "nonce": 0, "deadline": deadline},
        gov.world.chain.chain_id,
        gov.world.chain.partners.address or "",
    )
    assert answer == {"action": "Apply", "signer": gov.address(APPLICANT), "typed_data": expected}


def test_prepare_refuses_the_fields_the_server_sets_and_unknown_actions(gov: Governance) -> None:
    before = gov.sent()
    signer = gov.address(APPLICANT)
    nonce = gov.api.post("/actions/prepare", json={"action": "Leave", "signer": signer, "nonce": 3})
    unknown = gov.api.post("/actions/prepare", json={"action": "Rule", "signer": signer})
    assert (nonce.status_code, unknown.status_code) == (422, 422)
    assert nonce.json()["errors"][0]["loc"] == ["body", "Leave", "nonce"]
    assert gov.sent() == before


def test_prepare_fills_in_the_deployments_certificate_registry_for_a_certificate_decision(gov: Governance) -> None:
    fields = {"kind": int(ProposalKind.REVOKE_CERTIFICATE), "id": "0x" + "11" * 32, "leaf": ZERO, "reason": 3}
    response = gov.api.post(
        "/actions/prepare", json={"action": "ProposeCertificateDecision", "signer": gov.address(0), **fields}
    )
    assert response.status_code == 200, response.text
    assert response.json()["typed_data"]["message"]["registry"] == gov.world.chain.certificates.address


# -- applicant ---------------------------------------------------------------------------------------------------------


def _application(gov: Governance, signer: int = APPLICANT, by: int | None = None) -> dict[str, Any]:
    return gov.signed("Apply", signer, by=by, **MILL, metadataHash=ZERO)


def test_an_application_signed_by_another_key_is_refused_as_the_wrong_signer(gov: Governance) -> None:
    body = _application(gov, by=STRANGER)
    detail = f"the signature is by {gov.address(STRANGER)}, not by the applicant {gov.address(APPLICANT)}"
    _refused(gov, "/applications", body, 403, "Wrong signer", detail)


def test_a_signature_that_cannot_be_read_is_refused_as_unauthorized(gov: Governance) -> None:
    body = {**_application(gov), "signature": "0x" + "00" * 65}
    before = gov.sent()
    response = gov.api.post("/applications", json=body)
    assert (response.status_code, response.json()["title"]) == (401, "Invalid signature")
    assert gov.sent() == before


def test_an_application_signed_for_another_chain_is_refused_as_the_wrong_domain(gov: Governance) -> None:
    typed = _application(gov)["typed_data"]
    typed["domain"]["chainId"] = 1
    body = {"typed_data": typed, "signature": sign(typed, devnet_key(APPLICANT))}
    registry = gov.world.chain.partners.address
    detail = (
        f"Apply is signed for 'Originals PartnerRegistry' version '1' at {registry} on chain 1; this relayer carries "
        f"out 'Originals PartnerRegistry' version '1' at {registry} on chain {gov.world.chain.chain_id}"
    )
    _refused(gov, "/applications", body, 422, "Wrong domain", detail)


def test_an_action_of_another_kind_is_refused_by_the_route(gov: Governance) -> None:
    body = gov.signed("Leave", APPLICANT)
    before = gov.sent()
    response = gov.api.post("/applications", json=body)
    assert (response.status_code, response.json()["title"]) == (422, "Invalid input")
    assert gov.sent() == before


def test_an_application_is_relayed_for_the_applicant_and_recorded_as_applied(gov: Governance) -> None:
    _relayed(gov, "/applications", _application(gov))
    record = gov.partner(APPLICANT)
    assert (record[0], record[1], record[8], record[9]) == (
        OrganisationType.SME,
        PartnerStatus.APPLIED,
        "Lindner Mill",
        "mill.example",
    )
    assert gov.partner(RELAYER)[1] == PartnerStatus.NONE


def test_a_replayed_application_signature_is_refused_by_its_used_nonce(gov: Governance) -> None:
    body = gov.signed("Apply", STRANGER, **MILL, metadataHash=ZERO)
    _relayed(gov, "/applications", body)
    _reverted(gov, "/applications", body, "InvalidAccountNonce", account=gov.address(STRANGER), currentNonce=1)


def test_applying_twice_is_refused_with_the_registrys_error(gov: Governance) -> None:
    _reverted(
        gov,
        "/applications",
        _application(gov),
        "PartnerRegistryAlreadyRegistered",
        account=gov.address(APPLICANT),
        status=int(PartnerStatus.APPLIED),
    )


def test_a_signature_past_its_deadline_is_refused_before_anything_is_sent(gov: Governance) -> None:
    body = gov.signed("Apply", OUTSIDER, **MILL, metadataHash=ZERO)
    deadline = body["typed_data"]["message"]["deadline"]
    gov.warp_past(deadline)
    _reverted(gov, "/applications", body, "SignedActionExpired", signer=gov.address(OUTSIDER), deadline=deadline)


# -- council -----------------------------------------------------------------------------------------------------------


def _admission(gov: Governance, proposer: int) -> dict[str, Any]:
    return gov.signed(
        "Propose", proposer, kind=int(ProposalKind.ADMIT), subject=gov.address(APPLICANT), rights=ISSUER, cutoff=0
    )


def test_a_proposal_by_someone_outside_the_council_is_refused(gov: Governance) -> None:
    _reverted(gov, "/proposals", _admission(gov, OUTSIDER), "PartnerRegistryNotCouncil", account=gov.address(OUTSIDER))


def test_a_council_member_proposes_and_votes_and_anyone_executes_once_the_majority_is_reached(
    gov: Governance,
) -> None:
    proposed = _relayed(gov, "/proposals", _admission(gov, 0), proposal_id=3)  # 1 and 2 admitted the issuers
    pid = proposed["proposal_id"]

    execute = gov.signed("Execute", OUTSIDER, proposalId=pid)
    _reverted(
        gov,
        f"/proposals/{pid}/execute",
        execute,
        "PartnerRegistryQuorumNotReached",
        proposalId=pid,
        yesVotes=1,
        required=2,
    )

    again = gov.signed("Vote", 0, proposalId=pid, support=True)
    _reverted(
        gov, f"/proposals/{pid}/votes", again, "PartnerRegistryAlreadyVoted", proposalId=pid, voter=gov.address(0)
    )
    _relayed(gov, f"/proposals/{pid}/votes", gov.signed("Vote", 1, proposalId=pid, support=True))
    _relayed(gov, f"/proposals/{pid}/execute", gov.signed("Execute", OUTSIDER, proposalId=pid))

    record = gov.partner(APPLICANT)
    assert (record[1], record[2]) == (PartnerStatus.ACTIVE, ISSUER)


def test_a_vote_for_another_proposal_than_the_routes_is_refused(gov: Governance) -> None:
    body = gov.signed("Vote", 2, proposalId=3, support=False)
    _refused(
        gov,
        "/proposals/2/votes",
        body,
        422,
        "Action does not match the route",
        "the signed action is about proposal 3, not 2",
    )


def test_a_vote_after_the_proposals_deadline_is_refused(gov: Governance) -> None:
    proposed = _relayed(
        gov,
        "/proposals",
        gov.signed("Propose", 1, kind=int(ProposalKind.SUSPEND), subject=gov.address(3), rights=0, cutoff=0),
        proposal_id=4,
    )
    pid = proposed["proposal_id"]
    deadline = gov.world.chain.deployment.voting_period + _block_time(gov, proposed["block_number"])
    gov.warp_past(deadline)
    vote = gov.signed("Vote", 0, proposalId=pid, support=True)
    _reverted(gov, f"/proposals/{pid}/votes", vote, "PartnerRegistryProposalExpired", proposalId=pid, deadline=deadline)


def test_a_council_member_proposes_a_change_of_details_and_a_certificate_decision(gov: Governance) -> None:
    details = gov.signed(
        "ProposeDetails",
        2,
        subject=gov.address(3),
        orgType=int(OrganisationType.ENTERPRISE),
        displayName="Linen Mill Group",
        domain="linen.example",
        metadataHash=ZERO,
    )
    _relayed(gov, "/proposals", details, proposal_id=5)

    root, fingerprint = devchain.h32(1, "governance/root"), devchain.h32(1, "governance/original")
    gov.world.chain.issue(3, root, fingerprint)
    certificate = gov.world.chain.certificate_id(3, root)
    fields = {"kind": int(ProposalKind.REVOKE_CERTIFICATE), "id": certificate, "leaf": ZERO, "reason": 5}
    _relayed(gov, "/proposals", gov.signed("ProposeCertificateDecision", 2, proof=[], **fields), proposal_id=6)

    chain = gov.world.chain
    ((subject, kind, *_middle, target, leaf),) = chain.partners.view(gov.world.rpc, "proposal", 6)
    assert (subject, kind, target, leaf) == (
        chain.certificates.address,
        ProposalKind.REVOKE_CERTIFICATE,
        certificate,
        ZERO,
    )


def _block_time(gov: Governance, number: int) -> int:
    return int(gov.world.rpc.call("eth_getBlockByNumber", [hex(number), False])["timestamp"], 16)


# -- partner -----------------------------------------------------------------------------------------------------------


def test_a_partner_leaves_with_its_signed_action_and_only_at_its_own_address(gov: Governance) -> None:
    body = gov.signed("Leave", APPLICANT)
    _refused(
        gov,
        f"/partners/{gov.address(STRANGER)}/leave",
        body,
        422,
        "Action does not match the route",
        f"the signed action is {gov.address(APPLICANT)}'s, not {gov.address(STRANGER)}",
    )
    _relayed(gov, f"/partners/{gov.address(APPLICANT)}/leave", body)
    assert gov.partner(APPLICANT)[1] == PartnerStatus.LEFT


# -- the relayer -------------------------------------------------------------------------------------------------------


def test_health_shows_the_relayers_address_balance_and_whether_it_is_low(gov: Governance) -> None:
    balance = int(gov.world.rpc.call("eth_getBalance", [gov.address(RELAYER), "latest"]), 16)
    assert gov.api.get("/health").json()["relayer"] == {
        "address": gov.address(RELAYER),
        "balance_wei": balance,
        "low": False,
    }


def test_a_relayer_below_its_threshold_is_reported_low_with_a_warning(
    world: WriteWorld, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = relayer_settings(world, tmp_path, relayer_low_balance_ether=10**9)
    with TestClient(create_app(settings)) as client, caplog.at_level(logging.WARNING, "originals.relayer"):
        relayer = client.get("/health").json()["relayer"]
    assert relayer["low"] is True
    assert f"the relayer {relayer['address']} holds" in caplog.text


def test_metrics_count_relayed_actions_by_outcome_and_show_the_balance(gov: Governance) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(gov.api.get("/metrics").text)
        for sample in family.samples
    }
    balance = int(gov.world.rpc.call("eth_getBalance", [gov.address(RELAYER), "latest"]), 16)
    assert samples[("originals_relayer_balance_wei", ())] == float(balance)
    for outcome in ("mined", "reverted", "refused"):
        assert samples[("originals_relayed_actions_total", (("action", "Vote"), ("outcome", outcome)))] >= 1


def test_without_a_relayer_signed_actions_are_refused_with_503_and_nothing_sent(
    world: WriteWorld, gov: Governance
) -> None:
    body = gov.signed("Apply", 7, **MILL, metadataHash=ZERO)
    with TestClient(create_app(world.settings)) as client:
        before = gov.sent()
        response = client.post("/applications", json=body)
        health = client.get("/health").json()
    _problem(
        response, 503, "Relayer unavailable", "no relayer is configured on this server (ORIGINALS_RELAYER_KEYSTORE)"
    )
    assert gov.sent() == before
    assert "relayer" not in health


def _second_is_limited(
    world: WriteWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    limit: dict[str, str],
    first: int,
    second: tuple[str, int],
    detail: str,
) -> None:
    """Under ``limit``, account ``first``'s application is relayed; then ``second`` (Apply or Leave, by that
    account) is refused with 429, ``Retry-After`` and ``detail``, and nothing is sent."""
    settings = relayer_settings(world, tmp_path, **limit)
    # The limits' clock stands still, so the wait is exactly the hour however long the first relay took.
    monkeypatch.setattr(relayer_module, "monotonic", lambda: 1_000.0)
    with TestClient(create_app(settings)) as client:
        limited = Governance(world, client)
        _relayed(limited, "/applications", limited.signed("Apply", first, **MILL, metadataHash=ZERO))
        action, account = second
        if action == "Apply":
            path, body = "/applications", limited.signed("Apply", account, **MILL, metadataHash=ZERO)
        else:
            path, body = f"/partners/{limited.address(account)}/leave", limited.signed("Leave", account)
        before = limited.sent()
        response = client.post(path, json=body)
        assert limited.sent() == before
    assert response.headers["retry-after"] == "3600"
    _problem(response, 429, "Too many signed actions", detail)


def test_a_signer_past_its_rate_limit_is_refused_with_retry_after_and_nothing_sent(
    world: WriteWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signer = world.chain.address(10)
    detail = f"too many signed actions by {signer.lower()}; try again in 3600 s"
    _second_is_limited(world, tmp_path, monkeypatch, {"relayer_rate_limit": "1/hour"}, 10, ("Leave", 10), detail)


def test_past_the_relayers_overall_rate_limit_everyone_is_refused(
    world: WriteWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    detail = "the relayer is busy; try again in 3600 s"
    _second_is_limited(world, tmp_path, monkeypatch, {"relayer_global_rate_limit": "1/hour"}, 11, ("Apply", 12), detail)


def test_past_the_applications_budget_a_strangers_next_application_is_refused(
    world: WriteWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each fresh key may apply once, so strangers with many keys meet the applications' own budget."""
    detail = "too many applications to the consortium lately; try again in 3600 s"
    _second_is_limited(
        world, tmp_path, monkeypatch, {"relayer_application_rate_limit": "1/hour"}, 13, ("Apply", 14), detail
    )


# -- an issuer's own signature: issue and change a status without an API key ----------------------------------------

ROOT = "0x" + "7a" * 32
FINGERPRINT = "0x" + "7b" * 32
REVOKED = 2  # ICertificateRegistry.Status


def _certificate_on_chain(gov: Governance, certificate: str) -> tuple[str, int]:
    """(issuer, status of the whole certificate) as the certificate registry says."""
    registry, rpc, id_ = gov.world.chain.certificates, gov.world.rpc, bytes.fromhex(certificate[2:])
    ((issuer, *_rest),) = registry.view(rpc, "certificate", id_)
    ((status, *_more),) = registry.view(rpc, "statusOf", id_, bytes(32))
    return str(issuer).lower(), int(status)


def test_an_issuer_issues_with_its_own_signature_and_no_api_key(gov: Governance) -> None:
    issuer = ACCOUNTS["issuer"]
    body = gov.signed("Issue", issuer, root=ROOT, fingerprint=FINGERPRINT, validUntil=0)
    _relayed(gov, "/signed/certificates", body)
    assert _certificate_on_chain(gov, certificate_id(gov.address(issuer), ROOT)) == (gov.address(issuer).lower(), 0)


def test_a_signed_issue_by_an_account_without_the_issuer_right_is_refused(gov: Governance) -> None:
    body = gov.signed("Issue", STRANGER, root="0x" + "7c" * 32, fingerprint=FINGERPRINT, validUntil=0)
    _reverted(gov, "/signed/certificates", body, "CertificateRegistryUnauthorizedIssuer", account=gov.address(STRANGER))


def test_a_signed_status_change_must_name_the_certificate_of_its_route(gov: Governance) -> None:
    issuer = ACCOUNTS["issuer"]
    mine = certificate_id(gov.address(issuer), ROOT)
    body = gov.signed("SetStatus", issuer, id=mine, leaf=ZERO, status=REVOKED, reason=5)
    elsewhere = "0x" + "7d" * 32
    _refused(
        gov,
        f"/signed/certificates/{elsewhere}/status",
        body,
        422,
        "Action does not match the route",
        f"the signed action is about {mine}, not {elsewhere}",
    )


def test_another_issuer_cannot_revoke_a_certificate_by_signature(gov: Governance) -> None:
    mine = certificate_id(gov.address(ACCOUNTS["issuer"]), ROOT)
    other = ACCOUNTS["other"]
    body = gov.signed("SetStatus", other, id=mine, leaf=ZERO, status=REVOKED, reason=5)
    _reverted(
        gov,
        f"/signed/certificates/{mine}/status",
        body,
        "CertificateRegistryUnauthorized",
        account=gov.address(other),
        id=mine,
    )


def test_an_issuer_revokes_its_own_certificate_by_signature(gov: Governance) -> None:
    issuer = ACCOUNTS["issuer"]
    mine = certificate_id(gov.address(issuer), ROOT)
    body = gov.signed("SetStatus", issuer, id=mine, leaf=ZERO, status=REVOKED, reason=5)
    _relayed(gov, f"/signed/certificates/{mine}/status", body)
    assert _certificate_on_chain(gov, mine) == (gov.address(issuer).lower(), REVOKED)
