"""Verification through the API: every case of the scenario, by fingerprint, by uploaded file, by certificate id and
by wrapped document, answers with the exact verdict and the exact four named checks (reason text and details), the
certificate it found, and the block the index is at.

The expectations are written from the scenario's records (who issued what, when it was revoked and why), not read
back from the API. A second test holds the two fact sources to one answer: for every case and channel,
``source=index`` and ``source=chain`` agree on everything but ``source`` and ``indexed_block``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from support.api_scenario import CHANNELS, Case, Scenario
from support.provenance_expected import charter_summary, expected_provenance, frame_summary, second_summary

from ledger.abi import load_abi
from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient
from ledger.documents import WrappedDocument, hash_pair
from ledger.verification.rules import BINDING_FIELDS, REASONS

CURRENT_STATUS = {"printer": "EXPELLED", "press": "SUSPENDED"}
"""Partners whose standing changed after they issued (everyone else is ACTIVE)."""

INTEGRITY_SKIPPED = {
    "name": "DOCUMENT_INTEGRITY",
    "status": "SKIPPED",
    "reason": "no certificate document was presented",
    "details": {},
}
INTEGRITY_VALID = {
    "name": "DOCUMENT_INTEGRITY",
    "status": "VALID",
    "reason": "the fields hash to the target hash, and the proof leads to the Merkle root",
    "details": {},
}
ISSUED = {
    "name": "ISSUANCE_STATUS",
    "status": "VALID",
    "reason": "issued, not revoked, not suspended, not expired",
    "details": {"status": "issued"},
}
NOT_ISSUED = {
    "name": "ISSUANCE_STATUS",
    "status": "INVALID",
    "reason": "no certificate with this id was issued on chain (by the issuer the document names)",
    "details": {"status": "not_found"},
}
NO_IDENTITY = {"name": "ISSUER_IDENTITY", "status": "SKIPPED", "reason": "no issuance to attribute", "details": {}}
STANDING_VALID = {
    "name": "ISSUER_STANDING_AT_ISSUANCE",
    "status": "VALID",
    "reason": "the issuer was an active issuer at issuance, before any compromise cut-off",
    "details": {},
}
NO_STANDING = {
    "name": "ISSUER_STANDING_AT_ISSUANCE",
    "status": "SKIPPED",
    "reason": "no issuance to judge",
    "details": {},
}


def integrity_invalid(reason: str) -> dict[str, Any]:
    return {"name": "DOCUMENT_INTEGRITY", "status": "INVALID", "reason": reason, "details": {}}


def status_change(sc: Scenario, tx: str, word: str, scope: str, code: int) -> dict[str, Any]:
    """The ISSUANCE_STATUS check of a revoked or suspended certificate (scope certificate) or document."""
    text = REASONS[code]
    return {
        "name": "ISSUANCE_STATUS",
        "status": "INVALID",
        "reason": f"the {scope} was {word} ({text})",
        "details": {"status": word, "scope": scope, "reason_code": code, "reason": text, "at": sc.txs[tx].at},
    }


def identity(sc: Scenario, key: str) -> dict[str, Any]:
    partner = sc.partner(key)
    standing = CURRENT_STATUS.get(key, "ACTIVE")
    plainly = "" if standing == "ACTIVE" else f"; the issuer is no longer an active partner (now {standing.lower()})"
    return {
        "name": "ISSUER_IDENTITY",
        "status": "VALID",
        "reason": f"issued by {partner.name} ({partner.domain}){plainly}",
        "details": {
            "address": partner.address,
            "name": partner.name,
            "type": partner.org_type.name,
            "domain": partner.domain,
            "status": CURRENT_STATUS.get(key, "ACTIVE"),
        },
    }


def issuance(sc: Scenario, case: Case) -> dict[str, Any]:
    """What the chain says about the issuance of ``case``'s certificate and document."""
    if case.name == "superseded-old":
        return status_change(sc, "superseded-old.revoke", "revoked", "certificate", 2)
    if case.name == "revoked":
        return status_change(sc, "revoked.revoke", "revoked", "certificate", 4)
    if case.name == "suspended":
        return status_change(sc, "suspended.suspend", "suspended", "certificate", 6)
    if case.name in ("hijack-single", "hijack-publish"):
        return status_change(sc, f"{case.name}.revoke", "revoked", "certificate", 5)
    if case.name == "public-batch-1":
        return status_change(sc, "public-batch-1.revoke", "revoked", "document", 5)
    if case.name == "anchor-batch-2":
        return status_change(sc, "anchor-batch-2.suspend", "suspended", "document", 6)
    if case.name == "expired":
        return {
            "name": "ISSUANCE_STATUS",
            "status": "INVALID",
            "reason": "the certificate expired",
            "details": {"status": "expired", "at": case.valid_until},
        }
    return ISSUED


def found(case: Case, channel: str) -> bool:
    """Whether ``channel`` reaches the certificate: an anchor batch publishes no leaf (a leaf resolves only inside
    the certificates that publish it), and a document is looked up under the issuer it names (the impostor's names
    the town, which issued nothing with that root)."""
    if not case.issued:
        return False
    if channel in ("fingerprint", "file", "id"):
        return case.published
    return case.name != "impostor"


def expected_result(sc: Scenario, case: Case, channel: str) -> dict[str, Any]:
    """The VerificationResult for ``case`` through ``channel``, without ``source`` and ``indexed_block``."""
    presented = channel == "document"
    integrity = INTEGRITY_VALID if presented else INTEGRITY_SKIPPED
    if not found(case, channel):
        verdict = "NOT_FOUND"
        return {"verdict": verdict, "checks": [integrity, NOT_ISSUED, NO_IDENTITY, NO_STANDING], "certificate": None}
    assert case.issuer is not None
    status = issuance(sc, case)
    who = identity(sc, case.issuer)
    standing = STANDING_VALID
    verdict = {"revoked": "REVOKED", "suspended": "SUSPENDED", "expired": "EXPIRED"}.get(
        status["details"]["status"], "VALID"
    )
    if case.name == "compromise-after-cutoff":
        standing = {
            "name": "ISSUER_STANDING_AT_ISSUANCE",
            "status": "INVALID",
            "reason": "issued after the issuer's key was declared compromised",
            "details": {"compromised_after": sc.cutoff, "issued_at": case.issued_at},
        }
        verdict = "ISSUER_COMPROMISED"
    if presented and case.name == "misnamed":
        ministry = sc.partner("ministry")
        who = {
            "name": "ISSUER_IDENTITY",
            "status": "INVALID",
            "reason": f'the document names its issuer "Ministry of Education", but the registry names '
            f'{ministry.address} "{ministry.name}" when it issued',
            "details": {**who["details"], "stated_name": "Ministry of Education"},
        }
        verdict = "INVALID"
    if presented and case.name == "tampered-field":
        integrity = integrity_invalid("the fields do not hash to the document's target hash (a field was changed)")
        verdict = "TAMPERED"
    if presented and case.name == "proof-from-another-batch":
        integrity = integrity_invalid("the Merkle proof does not lead from the target hash to the stated root")
        verdict = "TAMPERED"
    if presented and case.name == "bound-to-another-chain":
        integrity = integrity_invalid(f"the document is bound to chain 1, not this deployment's chain {sc.chain_id}")
        verdict = "TAMPERED"
    return {
        "verdict": verdict,
        "checks": [integrity, status, who, standing],
        "certificate": {
            "id": case.id,
            "root": case.root,
            "leaf": case.leaf,
            "issuer": sc.partner(case.issuer).address,
            "issued_at": case.issued_at,
            "valid_until": case.valid_until,
            "fingerprint": case.fingerprint if case.published else None,
        },
    }


FINGERPRINT_SHARED = {
    "superseded-old": ("superseded-new", "superseded-old"),
    "superseded-new": ("superseded-new", "superseded-old"),
    "public-batch-0": ("hijack-single", "public-batch-0"),
    "hijack-single": ("hijack-single", "public-batch-0"),
    "public-batch-3": ("hijack-publish", "public-batch-3"),
    "hijack-publish": ("hijack-publish", "public-batch-3"),
}
"""Originals certified more than once: every certificate naming them, newest first."""


def expected_by_fingerprint(sc: Scenario, case: Case) -> dict[str, Any]:
    names = FINGERPRINT_SHARED.get(case.name, (case.name,))
    results = [expected_result(sc, sc.cases[n], "fingerprint") for n in names if found(sc.cases[n], "fingerprint")]
    verdicts = [r["verdict"] for r in results]
    overall = "NOT_FOUND" if not results else "VALID" if "VALID" in verdicts else verdicts[0]
    return {
        "fingerprint": case.fingerprint,
        "verdict": overall,
        "results": results,
        "provenance": expected_provenance(sc, case.fingerprint),
    }


def expected_answer(sc: Scenario, case: Case, channel: str) -> dict[str, Any]:
    """The answer of a lookup by certificate id or by document: its result and the provenance of the originals of the
    certificate it found (registered under its fingerprint or linked to it)."""
    answer = expected_result(sc, case, channel)
    fingerprint = None if answer["certificate"] is None else answer["certificate"]["fingerprint"]
    return answer | {"provenance": expected_provenance(sc, fingerprint)}


def cases_with(channel: str) -> list[str]:
    return [name for name, channels in CHANNELS.items() if channel in channels]


def ask(api: TestClient, case: Case, channel: str, source: str = "index") -> Response:
    params = {"source": source}
    if channel == "fingerprint":
        return api.get(f"/verify/fingerprint/{case.fingerprint}", params=params)
    if channel == "file":
        assert case.file is not None
        return api.post("/verify/file", params=params, files={"file": (f"{case.name}.bin", case.file)})
    if channel == "id":  # a single certificate by its id, a batch's document by its (published) leaf
        return api.get(f"/verify/certificate/{case.id if case.leaf == case.root else case.leaf}", params=params)
    return api.post("/verify/document", params=params, json=case.document)


def without_source(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without the fields that name where it came from (recursively)."""
    answer = {k: v for k, v in answer.items() if k not in ("source", "indexed_block")}
    if "results" in answer:
        answer["results"] = [without_source(r) for r in answer["results"]]
    return answer


def assert_from_index(answer: dict[str, Any], sc: Scenario) -> None:
    assert answer["source"] == "index"
    assert answer["indexed_block"] == sc.head
    for result in answer.get("results", []):
        assert (result["source"], result["indexed_block"]) == ("index", sc.head)


# -- by fingerprint and by file -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", cases_with("fingerprint"))
def test_verifying_an_original_by_fingerprint_names_every_check_of_every_certificate(
    api: TestClient, scenario: Scenario, name: str
) -> None:
    case = scenario.cases[name]
    response = ask(api, case, "fingerprint")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert without_source(answer) == expected_by_fingerprint(scenario, case)
    assert_from_index(answer, scenario)


@pytest.mark.parametrize("name", cases_with("file"))
def test_verifying_an_uploaded_file_answers_as_its_sha256_fingerprint(
    api: TestClient, scenario: Scenario, name: str
) -> None:
    case = scenario.cases[name]
    assert case.file is not None
    assert "0x" + hashlib.sha256(case.file).hexdigest() == case.fingerprint
    response = ask(api, case, "file")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert without_source(answer) == expected_by_fingerprint(scenario, case)
    assert_from_index(answer, scenario)


# -- by certificate id ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", cases_with("id"))
def test_verifying_a_certificate_id_names_the_failing_check_with_its_reason(
    api: TestClient, scenario: Scenario, name: str
) -> None:
    case = scenario.cases[name]
    response = ask(api, case, "id")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert without_source(answer) == expected_answer(scenario, case, "id")
    assert_from_index(answer, scenario)


def test_a_batch_root_verifies_as_a_whole_even_when_one_of_its_documents_is_revoked(
    api: TestClient, scenario: Scenario
) -> None:
    """Revoking one document of a batch leaves the certificate (the root) and its other documents valid."""
    case = scenario.cases["public-batch-1"]
    answer = api.get(f"/verify/certificate/{case.id}").json()
    assert answer["verdict"] == "VALID"
    assert answer["checks"][1] == ISSUED
    assert answer["certificate"] == {
        "id": case.id,
        "root": case.root,
        "leaf": case.root,
        "issuer": scenario.partner("uni").address,
        "issued_at": case.issued_at,
        "valid_until": None,
        "fingerprint": None,
    }


# -- by wrapped document --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", cases_with("document"))
def test_verifying_a_wrapped_document_checks_its_integrity_and_its_standing_on_chain(
    api: TestClient, scenario: Scenario, name: str
) -> None:
    case = scenario.cases[name]
    response = ask(api, case, "document")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert without_source(answer) == expected_answer(scenario, case, "document")
    assert_from_index(answer, scenario)


# -- provenance -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS["wrapped-single"])
@pytest.mark.parametrize("source", ["index", "chain"])
def test_a_stolen_original_is_named_beside_its_certificates_unchanged_verdict(
    api: TestClient, scenario: Scenario, channel: str, source: str
) -> None:
    """The charter's certificate is valid; its first registration, sold and then reported stolen, comes first, a
    second partner's later registration of the same fingerprint is flagged as not the first, and the frame linked to
    the certificate (under another identifier) is named too."""
    answer = ask(api, scenario.cases["wrapped-single"], channel, source).json()
    assert answer["verdict"] == "VALID"
    assert answer["provenance"] == [charter_summary(scenario), second_summary(scenario), frame_summary(scenario)]
    assert [(o["disposition"], o["first_registration"]) for o in answer["provenance"]] == [
        ("STOLEN", True),
        ("NONE", False),
        ("NONE", True),  # the frame: linked to the certificate, registered under a serial of its own
    ]


def test_a_fingerprint_without_certificate_still_shows_the_originals_registered_under_it(
    api: TestClient, scenario: Scenario
) -> None:
    """A serial registered without a certificate: NOT_FOUND (no certificate), and its original all the same."""
    from support import devchain
    from support.provenance_expected import copy_summary

    serial = devchain.h32(1, "api-charter-copy")
    for source in ("index", "chain"):
        answer = api.get(f"/verify/fingerprint/{serial}", params={"source": source}).json()
        assert (answer["verdict"], answer["results"]) == ("NOT_FOUND", [])
        assert answer["provenance"] == [copy_summary(scenario)]


# -- the two sources agree ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "channel"), [(name, channel) for name, channels in CHANNELS.items() for channel in channels]
)
def test_the_index_and_the_chain_give_the_same_answer(
    api: TestClient, scenario: Scenario, name: str, channel: str
) -> None:
    """``source=chain`` reads the contracts directly; only ``source`` and ``indexed_block`` may differ."""
    case = scenario.cases[name]
    from_index, from_chain = ask(api, case, channel, "index"), ask(api, case, channel, "chain")
    assert (from_index.status_code, from_chain.status_code) == (200, 200)
    index_answer, chain_answer = from_index.json(), from_chain.json()
    assert without_source(index_answer) == without_source(chain_answer)
    assert (chain_answer["source"], chain_answer["indexed_block"]) == ("chain", None)
    assert (index_answer["source"], index_answer["indexed_block"]) == ("index", scenario.head)


CONTRACT_VERDICTS = ("VALID", "NOT_FOUND", "TAMPERED", "REVOKED", "SUSPENDED", "EXPIRED", "ISSUER_COMPROMISED")
"""``ICertificateRegistry.Verdict`` in enum order, named as the API names its verdicts."""
OFF_CHAIN_ONLY = ("tampered-field", "impostor", "misnamed", "bound-to-another-chain")
"""Cases whose flaw only the off-chain checks see (field hashes, the stated issuer, the chain binding)."""


@pytest.mark.parametrize("name", [n for n in cases_with("document") if n not in OFF_CHAIN_ONLY])
def test_the_contracts_own_verify_view_reaches_the_same_verdict_as_the_api(
    api: TestClient, rpc: RpcClient, scenario: Scenario, name: str
) -> None:
    """The registry's ``verify(id, leaf, proof)`` judges expiry by block time and the cut-off on chain."""
    case = scenario.cases[name]
    assert case.document is not None and case.id is not None
    registry = ContractBinding(load_abi("CertificateRegistry"), scenario.registry)
    proof = case.document["proof"]
    data = registry.encode(
        "verify",
        bytes.fromhex(case.id[2:]),
        bytes.fromhex(proof["targetHash"][2:]),
        [bytes.fromhex(step[2:]) for step in proof["proof"]],
    )
    (state,) = registry.decode_result("verify", rpc.call("eth_call", [{"to": scenario.registry, "data": data}]))
    assert CONTRACT_VERDICTS[state[0]] == ask(api, case, "document").json()["verdict"]


# -- leaf/node domain separation ------------------------------------------------------------------------------------


def contract_verdict(rpc: RpcClient, scenario: Scenario, certificate: str, leaf: str, proof: list[str]) -> str:
    registry = ContractBinding(load_abi("CertificateRegistry"), scenario.registry)
    steps = [bytes.fromhex(step[2:]) for step in proof]
    data = registry.encode("verify", bytes.fromhex(certificate[2:]), bytes.fromhex(leaf[2:]), steps)
    (state,) = registry.decode_result("verify", rpc.call("eth_call", [{"to": scenario.registry, "data": data}]))
    return CONTRACT_VERDICTS[state[0]]


@pytest.mark.parametrize("node", ["internal-node", "root"])
@pytest.mark.parametrize("source", ["index", "chain"])
def test_a_document_made_of_a_batch_nodes_two_children_is_tampered_not_valid(
    api: TestClient, rpc: RpcClient, scenario: Scenario, node: str, source: str
) -> None:
    """The forgery the version-1 leaf allowed: a "document" whose two hidden field hashes are the children of a node
    of an issued batch, stating that node as its target hash with the rest of the proof (for the root: the root as
    a leaf of itself, proof []). The chain takes a leaf as given and accepts an internal node; since v2 it refuses a
    batch's root with an empty proof. The document check must refuse both; a document that reveals no issuer names
    no certificate at all."""
    case = scenario.cases["public-batch-0"]
    assert case.document is not None and case.root is not None and case.leaf is not None and case.id is not None
    sibling, uncle = case.document["proof"]["proof"]
    inner = hash_pair(bytes.fromhex(case.leaf[2:]), bytes.fromhex(sibling[2:]))
    children = [case.leaf, sibling] if node == "internal-node" else ["0x" + inner.hex(), uncle]
    target = "0x" + (inner if node == "internal-node" else hash_pair(inner, bytes.fromhex(uncle[2:]))).hex()
    proof = [uncle] if node == "internal-node" else []
    premise = "VALID" if node == "internal-node" else "TAMPERED"
    assert contract_verdict(rpc, scenario, case.id, target, proof) == premise, "premise: what the chain says"
    forged = {
        "version": "originals/wrapped/2",
        "data": {},
        "privacy": {"obfuscated": sorted(children)},
        "proof": {"type": "OriginalsMerkleProof/1", "targetHash": target, "merkleRoot": case.root, "proof": proof},
    }

    response = api.post("/verify/document", params={"source": source}, json=forged)
    assert response.status_code == 200, response.text
    assert without_source(response.json()) == {
        "verdict": "TAMPERED",
        "checks": [
            integrity_invalid("the fields do not hash to the document's target hash (a field was changed)"),
            NOT_ISSUED,
            NO_IDENTITY,
            NO_STANDING,
        ],
        "certificate": None,
        "provenance": [],
    }


# -- finding 1: no issuer changes what a lookup says about another issuer's certificate -----------------------------


@pytest.mark.parametrize("source", ["index", "chain"])
def test_another_issuers_revoked_copy_of_a_leaf_changes_nothing_the_owners_lookups_say(
    api: TestClient, scenario: Scenario, source: str
) -> None:
    """The mill issued the university's diploma-0 leaf as its own single certificate and revoked it ("fraud"). The
    university's certificate, its leaf, its document and the original's verdict still say VALID, issued by the
    university; the mill's copy is a certificate of its own, with its own id, and says so."""
    case, copy_ = scenario.cases["public-batch-0"], scenario.cases["hijack-single"]
    assert copy_.id != case.id and copy_.root == case.leaf
    by_leaf = api.get(f"/verify/certificate/{case.leaf}", params={"source": source}).json()
    assert without_source(by_leaf) == expected_answer(scenario, case, "id")
    assert by_leaf["verdict"] == "VALID" and by_leaf["certificate"]["issuer"] == scenario.partner("uni").address
    by_id = api.get(f"/verify/certificate/{case.id}", params={"source": source}).json()
    assert by_id["verdict"] == "VALID" and by_id["certificate"]["id"] == case.id
    by_document = api.post("/verify/document", params={"source": source}, json=case.document).json()
    assert without_source(by_document) == expected_answer(scenario, case, "document")
    by_fingerprint = api.get(f"/verify/fingerprint/{case.fingerprint}", params={"source": source}).json()
    assert by_fingerprint["verdict"] == "VALID"
    assert [(r["certificate"]["id"], r["verdict"]) for r in by_fingerprint["results"]] == [
        (copy_.id, "REVOKED"),
        (case.id, "VALID"),
    ]
    copy_answer = api.get(f"/verify/certificate/{copy_.id}", params={"source": source}).json()
    assert (copy_answer["verdict"], copy_answer["certificate"]["issuer"]) == (
        "REVOKED",
        scenario.partner("mill").address,
    )


@pytest.mark.parametrize("source", ["index", "chain"])
def test_a_leaf_published_by_two_issuers_is_ambiguous_never_answered_with_the_other_issuers_status(
    api: TestClient, scenario: Scenario, source: str
) -> None:
    """The mill published the university's diploma-3 leaf in a batch of its own and revoked it. A bare-leaf lookup
    cannot tell whose document it is (the leaf commits to the issuer inside the document, not visible here), so it
    answers 409 naming both certificates, never "revoked"; the university's id and document still say VALID."""
    case, copy_ = scenario.cases["public-batch-3"], scenario.cases["hijack-publish"]
    response = api.get(f"/verify/certificate/{case.leaf}", params={"source": source})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Ambiguous leaf"
    assert sorted(problem["certificates"], key=lambda c: c["id"]) == sorted(
        [
            {"id": case.id, "issuer": scenario.partner("uni").address},
            {"id": copy_.id, "issuer": scenario.partner("mill").address},
        ],
        key=lambda c: c["id"],
    )
    assert api.get(f"/verify/certificate/{case.id}", params={"source": source}).json()["verdict"] == "VALID"
    by_document = api.post("/verify/document", params={"source": source}, json=case.document).json()
    assert without_source(by_document) == expected_answer(scenario, case, "document")


# -- the binding cannot be hidden -----------------------------------------------------------------------------------


def unattributed(expected: dict[str, Any], issuer_hidden: bool) -> dict[str, Any]:
    """A document that hides its issuer's address names no certificate (an id binds the issuer and the root): nothing
    is looked up, so nothing is attributed."""
    if not issuer_hidden:
        return expected
    checks = [expected["checks"][0], NOT_ISSUED, NO_IDENTITY, NO_STANDING]
    return {**expected, "checks": checks, "certificate": None, "provenance": []}


def binding_hidden(hidden: list[str]) -> dict[str, Any]:
    """The DOCUMENT_INTEGRITY check of a document that hides ``hidden`` (in BINDING_FIELDS order)."""
    names = hidden[0] if len(hidden) == 1 else ", ".join(hidden[:-1]) + " and " + hidden[-1]
    return {
        "name": "DOCUMENT_INTEGRITY",
        "status": "INVALID",
        "reason": f"the document hides {names}: the fields that bind it to its issuer and deployment cannot be hidden",
        "details": {"hidden": hidden},
    }


@pytest.mark.parametrize(
    "hidden", [["issuer.address"], ["chain.chainId"], ["chain.registry"], ["chain.chainId", "chain.registry"]]
)
@pytest.mark.parametrize("source", ["index", "chain"])
def test_a_document_hiding_a_binding_field_is_tampered_not_valid(
    api: TestClient, scenario: Scenario, hidden: list[str], source: str
) -> None:
    """Its fields still hash to an issued leaf, but it no longer says whose it is or where: never VALID."""
    case = scenario.cases["wrapped-single"]
    document = WrappedDocument(case.document).hide(hidden)
    response = api.post("/verify/document", params={"source": source}, json=document)
    assert response.status_code == 200, response.text
    expected = unattributed(expected_answer(scenario, case, "document"), "issuer.address" in hidden)
    assert without_source(response.json()) == {
        **expected,
        "verdict": "TAMPERED",
        "checks": [binding_hidden(hidden), *expected["checks"][1:]],
    }


@pytest.mark.parametrize("name", ["wrapped-single", "public-batch-0", "anchor-batch-0"])
@pytest.mark.parametrize("source", ["index", "chain"])
def test_a_fully_redacted_document_is_tampered_not_valid(
    api: TestClient, scenario: Scenario, name: str, source: str
) -> None:
    """Every field hidden: a bare leaf with its proof, which names no issuer, chain or registry (it verified VALID)."""
    case = scenario.cases[name]
    wrapped = WrappedDocument(case.document)
    redacted = wrapped.hide(sorted(wrapped.fields))
    assert redacted["data"] == {}
    response = api.post("/verify/document", params={"source": source}, json=redacted)
    assert response.status_code == 200, response.text
    expected = unattributed(expected_answer(scenario, case, "document"), True)
    assert without_source(response.json()) == {
        **expected,
        "verdict": "TAMPERED",
        "checks": [binding_hidden(list(BINDING_FIELDS)), *expected["checks"][1:]],
    }
