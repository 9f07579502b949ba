"""The golden certificate documents against the real CertificateRegistry: what ``ledger.documents`` hashes is what
the contract's OpenZeppelin ``MerkleProof`` accepts.

The golden vectors (``tests/ledger/documents/data/golden_documents.json``) are issued as they would be in production:
each single document with ``issue(root = target hash, fingerprint, validUntil)`` (the target hash being the document's
domain-separated Merkle leaf) from the founder it names as issuer, and the batch of three with ``issueBatch(root, 0)``
from the town, which issued all three. Then ``verify(root, leaf, proof)`` with the golden proof must answer Valid for
every document, and a proof taken from another batch InvalidProof. If the Python hashing and the contract ever disagree,
these fail even when the unit golden tests still pass.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ape.api import AccountAPI, ReceiptAPI
from ape.contracts import ContractInstance
from support.contracts import ZERO_HASH, certificate_id, log

from ledger.documents import WrappedDocument, hash_pair, parse_document, target_hash, wrap_batch

GOLDEN = json.loads(
    (Path(__file__).parents[1] / "ledger" / "documents" / "data" / "golden_documents.json").read_text("utf-8")
)
SINGLES: list[dict[str, Any]] = GOLDEN["singles"]
BATCH: dict[str, Any] = GOLDEN["batch"]

# ICertificateRegistry.Verdict
VALID, NOT_ISSUED, INVALID_PROOF = 0, 1, 2


def b32(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def proof_of(entry: dict[str, Any]) -> list[bytes]:
    return [b32(step) for step in entry["proof"]]


def entry_id(entry: dict[str, Any]) -> str:
    return f"{entry['name']}-{'batch' if entry['proof'] else 'single'}"


def founder_named_in(document: dict[str, Any], founders: list[AccountAPI]) -> AccountAPI:
    stated = document["issuer"]["address"]
    matches = [f for f in founders if f.address.lower() == stated]
    assert len(matches) == 1, f"the golden issuer {stated} is not one of the founders {founders}"
    return matches[0]


def other_batch() -> list[dict[str, Any]]:
    """The golden batch's documents wrapped again with other deterministic salts: other leaves, other root."""
    counter = iter(range(1000))
    documents = [parse_document(GOLDEN["documents"][name]) for name in BATCH["members"]]
    return wrap_batch(documents, salt=lambda: hashlib.sha256(f"onchain-other/{next(counter)}".encode()).digest())


@dataclass(frozen=True)
class Issued:
    """The receipts of the golden issuance and who sent each, by root."""

    receipts: dict[str, ReceiptAPI]
    issuers: dict[str, AccountAPI]

    def id(self, root: str) -> bytes:
        """The certificate id of golden root ``root`` (hex), as its issuer issued it."""
        return certificate_id(self.issuers[root], b32(root))


@pytest.fixture
def issued(certificate_registry: ContractInstance, founders: list[AccountAPI], town: AccountAPI) -> Issued:
    receipts: dict[str, ReceiptAPI] = {}
    issuers: dict[str, AccountAPI] = {}
    for entry in SINGLES:
        document = GOLDEN["documents"][entry["name"]]
        sender = founder_named_in(document, founders)
        fingerprint = b32(document["original"]["fingerprint"])
        valid_until = document["validUntil"] or 0
        receipts[entry["merkleRoot"]] = certificate_registry.issue(
            b32(entry["merkleRoot"]), fingerprint, valid_until, sender=sender
        )
        issuers[entry["merkleRoot"]] = sender
    for name in BATCH["members"]:
        assert founder_named_in(GOLDEN["documents"][name], founders) == town
    receipts[BATCH["merkleRoot"]] = certificate_registry.issueBatch(b32(BATCH["merkleRoot"]), 0, sender=town)
    issuers[BATCH["merkleRoot"]] = town
    return Issued(receipts, issuers)


def test_issuing_the_golden_certificates_emits_their_golden_roots(
    certificate_registry: ContractInstance, issued: Issued
) -> None:
    assert len(issued.receipts) == len(SINGLES) + 1
    for entry in SINGLES:
        document = GOLDEN["documents"][entry["name"]]
        tx = issued.receipts[entry["merkleRoot"]]
        assert list(tx.events) == [
            log(
                certificate_registry.CertificateIssued,
                issued.id(entry["merkleRoot"]),
                issued.issuers[entry["merkleRoot"]],
                b32(document["original"]["fingerprint"]),
                b32(entry["targetHash"]),
                tx.timestamp,
                document["validUntil"] or 0,
            )
        ], entry["name"]
    tx = issued.receipts[BATCH["merkleRoot"]]
    assert list(tx.events) == [
        log(
            certificate_registry.CertificateIssued,
            issued.id(BATCH["merkleRoot"]),
            issued.issuers[BATCH["merkleRoot"]],
            ZERO_HASH,
            b32(BATCH["merkleRoot"]),
            tx.timestamp,
            0,
        )
    ]


@pytest.mark.parametrize("entry", SINGLES + BATCH["documents"], ids=entry_id)
def test_every_golden_document_verifies_valid_on_chain_with_its_golden_proof(
    certificate_registry: ContractInstance, issued: Issued, entry: dict[str, Any]
) -> None:
    state = certificate_registry.verify(issued.id(entry["merkleRoot"]), b32(entry["targetHash"]), proof_of(entry))
    assert state.verdict == VALID
    assert state.proofValid is True
    assert state.certificate.issuer == issued.issuers[entry["merkleRoot"]].address
    assert state.certificate.issuedAt == issued.receipts[entry["merkleRoot"]].timestamp


def test_a_selectively_disclosed_golden_document_still_verifies_valid_on_chain(
    certificate_registry: ContractInstance, issued: Issued
) -> None:
    """Hiding fields keeps the target hash, so the holder's disclosed copy is checked against the same leaf."""
    entry = next(e for e in BATCH["documents"] if e["name"] == "permit")
    disclosed = WrappedDocument(WrappedDocument(entry["wrapped"]).hide(["original.attributes.holder"]))
    assert disclosed.integrity()[0] is True
    state = certificate_registry.verify(
        certificate_id(issued.issuers[BATCH["merkleRoot"]], disclosed.merkle_root),
        disclosed.target_hash,
        disclosed.proof,
    )
    assert (state.verdict, state.proofValid) == (VALID, True)


@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_proof_from_another_batch_is_an_invalid_proof_on_chain(
    certificate_registry: ContractInstance, issued: Issued, town: AccountAPI, position: int
) -> None:
    golden = BATCH["documents"][position]
    other = other_batch()[position]["proof"]
    certificate_registry.issueBatch(b32(other["merkleRoot"]), 0, sender=town)
    other_id = certificate_id(town, b32(other["merkleRoot"]))
    other_proof = [b32(step) for step in other["proof"]]

    state = certificate_registry.verify(issued.id(BATCH["merkleRoot"]), b32(golden["targetHash"]), other_proof)
    assert (state.verdict, state.proofValid) == (INVALID_PROOF, False)

    state = certificate_registry.verify(other_id, b32(golden["targetHash"]), proof_of(golden))
    assert (state.verdict, state.proofValid) == (INVALID_PROOF, False)

    # The other batch is genuinely issued and valid with its own proof: only the mix-up is refused.
    state = certificate_registry.verify(other_id, b32(other["targetHash"]), other_proof)
    assert (state.verdict, state.proofValid) == (VALID, True)


def test_a_golden_leaf_under_a_root_never_issued_is_not_issued(
    certificate_registry: ContractInstance, issued: Issued
) -> None:
    """InvalidProof above is told apart from NotIssued: the verdict order checks issuance first."""
    other = other_batch()[0]["proof"]
    golden = BATCH["documents"][0]
    state = certificate_registry.verify(
        certificate_id(issued.issuers[BATCH["merkleRoot"]], b32(other["merkleRoot"])),
        b32(golden["targetHash"]),
        proof_of(golden),
    )
    assert state.verdict == NOT_ISSUED


def test_a_document_of_a_nodes_two_children_hashes_to_a_leaf_the_chain_refuses(
    certificate_registry: ContractInstance, issued: Issued
) -> None:
    """The contract takes a leaf as given, and OpenZeppelin's MerkleProof accepts an internal node as a leaf. What
    keeps a document from being one is its domain-separated target hash: the leaf that two field hashes equal to a
    node's children hash to is not in the tree."""
    s0, s1, s2 = sorted(b32(e["targetHash"]) for e in BATCH["documents"])
    inner = hash_pair(s0, s1)
    root = b32(BATCH["merkleRoot"])
    assert hash_pair(inner, s2) == root
    id_ = issued.id(BATCH["merkleRoot"])

    state = certificate_registry.verify(id_, inner, [s2])
    assert (state.verdict, state.proofValid) == (VALID, True), "premise: the chain accepts the node as a leaf"

    state = certificate_registry.verify(id_, target_hash([s0, s1]), [s2])
    assert (state.verdict, state.proofValid) == (INVALID_PROOF, False)


def test_a_batch_root_is_not_a_document_of_its_own_batch_on_chain(
    certificate_registry: ContractInstance, issued: Issued
) -> None:
    """A batch's documents always need a proof: the root with an empty proof (a tree of one) is refused, and so is
    the leaf two field hashes equal to the root's children hash to."""
    s0, s1, s2 = sorted(b32(e["targetHash"]) for e in BATCH["documents"])
    root = b32(BATCH["merkleRoot"])
    id_ = issued.id(BATCH["merkleRoot"])

    for leaf in (root, target_hash([hash_pair(s0, s1), s2])):
        state = certificate_registry.verify(id_, leaf, [])
        assert (state.verdict, state.proofValid) == (INVALID_PROOF, False), leaf.hex()
