"""Contract tests for CertificateRegistry: issuance, Merkle batches and proofs, status changes and the verify view.

Every event is compared with ALL its arguments and every revert with its custom error AND all its arguments (see
``support.certificate_helpers``). Times that a test asserts are pinned block timestamps, never "about now".

Cast: the founders (town, bank, university) hold ISSUER | COUNCIL; the textile ``mill`` and the ``gallery`` are
partners admitted with ISSUER only, so the issuer-only paths are not hidden behind council powers. Deployments are
session-scoped and the batches module-scoped; ape reverts the chain to a snapshot after every test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import pytest
from ape.api import AccountAPI, ReceiptAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from support.certificate_helpers import (
    NEVER_ACTED_ON,
    NEVER_ISSUED,
    ZERO,
    Action,
    Batch,
    Certificate,
    CertificateState,
    Council,
    Event,
    Status,
    StatusRecord,
    Target,
    Verdict,
    act,
    certificate_id,
    certificate_of,
    digest,
    event,
    events_of,
    leaves_and_proofs,
    pin_next_block,
    record_of,
    state_of,
)
from support.contracts import reverts_with

from ledger.documents import MerkleTree, verify_proof
from ledger.events import COUNCIL, ISSUER, ProposalKind

YEAR = 365 * 24 * 3600
SUSPEND_REASON = 11
REINSTATE_REASON = 12
REVOKE_REASON = 65_535  # the widest reason code a uint16 holds
BATCH_SIZES = (2, 3, 5, 1_024)


# --- fixtures ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _cast(
    town: AccountAPI, bank: AccountAPI, university: AccountAPI, outsider: AccountAPI, registry: ContractInstance
) -> None:
    """Set up every session-scoped participant before any module fixture transacts.

    ape snapshots the chain per fixture scope; a session fixture first requested after a module fixture has sent
    transactions forces it to rebase (re-run) the module fixtures, which is slow and warns InvalidIsolationWarning.
    """


@pytest.fixture(scope="session")
def registry(certificate_registry: ContractInstance) -> ContractInstance:
    return certificate_registry


@pytest.fixture(scope="session")
def council(partner_registry: ContractInstance, town: AccountAPI, university: AccountAPI) -> Council:
    return Council(partner_registry, proposer=town, seconder=university)


@pytest.fixture(scope="module")
def mill(accounts: list[AccountAPI], council: Council) -> AccountAPI:
    """A textile mill admitted with the issuer right only: an issuer that is not council."""
    account = accounts[4]
    council.admit(account, "Textile Mill", ISSUER)
    return account


@pytest.fixture(scope="module")
def gallery(accounts: list[AccountAPI], council: Council) -> AccountAPI:
    """Another issuer-only partner: it may issue, but has no say over the mill's certificates."""
    account = accounts[5]
    council.admit(account, "Gallery", ISSUER)
    return account


@pytest.fixture
def candidate(accounts: list[AccountAPI]) -> AccountAPI:
    """A fresh address, driven into whatever partner state a test needs."""
    return accounts[6]


@dataclass(frozen=True)
class IssuedBatch:
    batch: Batch
    receipt: ReceiptAPI
    issued_at: int
    id: bytes


@pytest.fixture(scope="module")
def batches(registry: ContractInstance, mill: AccountAPI, chain: ChainManager) -> dict[int, IssuedBatch]:
    """The mill's batches of 2, 3, 5 and 1,024 documents, issued with public fingerprints and no expiry."""
    issued = {}
    for size in BATCH_SIZES:
        batch = Batch.of(f"mill batch of {size}", size)
        issued_at = pin_next_block(chain)
        receipt = registry.issueBatchPublic(batch.root, 0, list(batch.documents), list(batch.fingerprints), sender=mill)
        assert receipt.return_value == batch.id(mill)
        issued[size] = IssuedBatch(batch, receipt, issued_at, batch.id(mill))
    return issued


@dataclass(frozen=True)
class Single:
    """A single certificate: its root is its only document (a tree of one)."""

    id: bytes
    root: bytes
    issued_at: int


@pytest.fixture(scope="module")
def single(registry: ContractInstance, mill: AccountAPI, chain: ChainManager) -> Single:
    """A single certificate of the mill: a tree of one, whose root is the document's target hash."""
    root = digest("single certificate of one fabric roll")
    issued_at = pin_next_block(chain)
    registry.issue(root, digest("fabric roll serial 0042"), 0, sender=mill)
    return Single(certificate_id(mill, root), root, issued_at)


@pytest.fixture(params=["root", "document", "document of 1,024", "single document"])
def target(request: pytest.FixtureRequest, batches: dict[int, IssuedBatch], single: Single, mill: AccountAPI) -> Target:
    """What a status change addresses: a whole batch, one of its documents, one of 1,024, or a tree of one.

    A whole-certificate target still carries a document and its proof, so a test can ask ``verify`` about a document
    under it.
    """
    three = batches[3].batch
    large = batches[1_024].batch
    first = three.documents[0]
    if request.param == "root":
        return Target(three.id(mill), first, tuple(three.proof(first)), document=False)
    if request.param == "document":
        return Target.document_of(three, first, mill)
    if request.param == "document of 1,024":
        return Target.document_of(large, large.documents[700], mill)
    return Target(single.id, single.root, (), document=True)


def verdict_of(registry: ContractInstance, target: Target) -> Verdict:
    return state_of(registry.verify(target.id, target.leaf, list(target.proof))).verdict


def record_at(registry: ContractInstance, target: Target) -> StatusRecord:
    return record_of(registry.statusOf(target.id, target.record_leaf))


def status_event(
    registry: ContractInstance,
    action: Action,
    target: Target,
    by: AccountAPI | ContractInstance,
    reason: int,
    at: int,
    by_council: bool = False,
) -> Event:
    return event(
        registry,
        action.event_name,
        id=target.id,
        leaf=target.record_leaf,
        by=by.address,
        reason=reason,
        at=at,
        byCouncil=by_council,
    )


def issued_event(
    registry: ContractInstance, issuer: AccountAPI, root: bytes, fingerprint: bytes, issued_at: int, valid_until: int
) -> Event:
    return event(
        registry,
        "CertificateIssued",
        id=certificate_id(issuer, root),
        issuer=issuer.address,
        fingerprint=fingerprint,
        root=root,
        issuedAt=issued_at,
        validUntil=valid_until,
    )


# --- issuance ---------------------------------------------------------------------------------------------------------


class Mode(Enum):
    SINGLE = "issue"
    BATCH = "issueBatch"
    PUBLIC = "issueBatchPublic"


def issue_with(registry: ContractInstance, mode: Mode, root: bytes, valid_until: int, sender: AccountAPI) -> ReceiptAPI:
    """Issue ``root`` in ``mode``; a public batch here publishes two documents (the leaves are not checked)."""
    fingerprint = digest("fingerprint of " + root.hex())
    if mode is Mode.SINGLE:
        return registry.issue(root, fingerprint, valid_until, sender=sender)
    if mode is Mode.BATCH:
        return registry.issueBatch(root, valid_until, sender=sender)
    other = digest("second document of " + root.hex())
    return registry.issueBatchPublic(root, valid_until, [root, other], [fingerprint, fingerprint], sender=sender)


@pytest.mark.parametrize("lifetime", [YEAR, None], ids=["with expiry", "never expires"])
def test_issue_emits_certificate_issued_with_the_public_fingerprint_and_records_it(
    registry: ContractInstance, mill: AccountAPI, chain: ChainManager, lifetime: int | None
) -> None:
    """A single certificate makes the original's fingerprint public, so anyone can verify from the file alone."""
    root, fingerprint = digest("certificate of fabric roll 17"), digest("sha256 of fabric roll 17")
    issued_at = pin_next_block(chain)
    valid_until = 0 if lifetime is None else issued_at + lifetime

    receipt = registry.issue(root, fingerprint, valid_until, sender=mill)

    assert receipt.timestamp == issued_at
    assert receipt.return_value == certificate_id(mill, root)
    assert events_of(receipt) == [issued_event(registry, mill, root, fingerprint, issued_at, valid_until)]
    assert certificate_of(registry.certificate(certificate_id(mill, root))) == Certificate(
        mill.address, issued_at, valid_until, False
    )
    assert registry.certificateId(mill, root) == certificate_id(mill, root)


def test_a_single_certificate_needs_a_fingerprint(registry: ContractInstance, mill: AccountAPI) -> None:
    """A single certificate certifies one original: without its fingerprint nobody could verify from the file."""
    with reverts_with(registry.CertificateRegistryInvalidFingerprint, fingerprint=ZERO):
        registry.issue(digest("no fingerprint"), ZERO, 0, sender=mill)


def test_issue_batch_emits_certificate_issued_with_a_zero_fingerprint(
    registry: ContractInstance, mill: AccountAPI, chain: ChainManager
) -> None:
    """The anchor-only mode publishes nothing but the root: the cheapest way to certify a batch."""
    batch = Batch.of("anchored batch", 3)
    issued_at = pin_next_block(chain)

    receipt = registry.issueBatch(batch.root, issued_at + YEAR, sender=mill)

    assert receipt.return_value == batch.id(mill)
    assert events_of(receipt) == [issued_event(registry, mill, batch.root, ZERO, issued_at, issued_at + YEAR)]
    assert certificate_of(registry.certificate(batch.id(mill))) == Certificate(
        mill.address, issued_at, issued_at + YEAR, True
    )


@pytest.mark.parametrize("size", BATCH_SIZES)
def test_issue_batch_public_publishes_every_document_in_issuing_order(
    registry: ContractInstance, mill: AccountAPI, batches: dict[int, IssuedBatch], size: int
) -> None:
    """One DocumentPublished(leaf, fingerprint, id) per document, in calldata order, after the CertificateIssued."""
    issued = batches[size]
    batch = issued.batch

    assert events_of(issued.receipt) == [
        issued_event(registry, mill, batch.root, ZERO, issued.issued_at, 0),
        *(
            event(registry, "DocumentPublished", leaf=document, fingerprint=fingerprint, id=issued.id)
            for document, fingerprint in zip(batch.documents, batch.fingerprints, strict=True)
        ),
    ]
    assert certificate_of(registry.certificate(issued.id)) == Certificate(mill.address, issued.issued_at, 0, True)


@pytest.mark.parametrize(("leaves", "fingerprints"), [(0, 0), (1, 1), (2, 1), (1, 2), (0, 1), (1, 0), (3, 2)])
def test_issue_batch_public_rejects_fewer_than_two_documents_or_mismatched_lengths(
    registry: ContractInstance, mill: AccountAPI, leaves: int, fingerprints: int
) -> None:
    """Each published leaf needs exactly one fingerprint, and a batch needs two documents (one is a single)."""
    batch = Batch.of("malformed batch", 3)

    with reverts_with(registry.CertificateRegistryInvalidBatch, leaves=leaves, fingerprints=fingerprints):
        registry.issueBatchPublic(
            batch.root, 0, list(batch.documents[:leaves]), list(batch.fingerprints[:fingerprints]), sender=mill
        )


def _never_applied(council: Council, candidate: AccountAPI, bank: AccountAPI) -> AccountAPI:
    return candidate


def _applied(council: Council, candidate: AccountAPI, bank: AccountAPI) -> AccountAPI:
    council.apply(candidate, "Applicant")
    return candidate


def _admitted_without_rights(council: Council, candidate: AccountAPI, bank: AccountAPI) -> AccountAPI:
    council.admit(candidate, "Observer", 0)
    return candidate


def _suspended(council: Council, candidate: AccountAPI, bank: AccountAPI) -> AccountAPI:
    council.admit(candidate, "Suspended Issuer", ISSUER)
    council.suspend(candidate)
    return candidate


def _expelled(council: Council, candidate: AccountAPI, bank: AccountAPI) -> AccountAPI:
    council.admit(candidate, "Expelled Issuer", ISSUER)
    council.expel(candidate)
    return candidate


def _issuer_right_withdrawn(council: Council, candidate: AccountAPI, bank: AccountAPI) -> AccountAPI:
    council.admit(candidate, "Former Issuer", ISSUER)
    council.withdraw_rights(candidate, ISSUER)
    return candidate


def _left(council: Council, candidate: AccountAPI, bank: AccountAPI) -> AccountAPI:
    council.admit(candidate, "Leaver", ISSUER)
    council.partners.leave(sender=candidate)
    return candidate


def _council_without_issuer_right(council: Council, candidate: AccountAPI, bank: AccountAPI) -> AccountAPI:
    council.withdraw_rights(bank, ISSUER)
    assert council.partners.isActiveCouncil(bank)
    return bank


NON_ISSUERS: dict[str, Callable[[Council, AccountAPI, AccountAPI], AccountAPI]] = {
    "outsider who never applied": _never_applied,
    "applicant": _applied,
    "partner admitted without rights": _admitted_without_rights,
    "suspended partner": _suspended,
    "expelled partner": _expelled,
    "partner whose issuer right was withdrawn": _issuer_right_withdrawn,
    "partner who left": _left,
    "council member without the issuer right": _council_without_issuer_right,
}


@pytest.mark.parametrize("standing", NON_ISSUERS)
def test_only_an_active_partner_with_the_issuer_right_can_issue_in_any_mode(
    registry: ContractInstance, candidate: AccountAPI, council: Council, bank: AccountAPI, standing: str
) -> None:
    """Issuance rights come from the consortium: anyone not an active issuer right now is refused, in every mode."""
    account = NON_ISSUERS[standing](council, candidate, bank)
    assert not council.partners.isActiveIssuer(account)

    for mode in Mode:
        with reverts_with(registry.CertificateRegistryUnauthorizedIssuer, account=account.address):
            issue_with(registry, mode, digest(f"refused {mode.value}"), 0, account)


def test_authorization_is_checked_before_the_root(registry: ContractInstance, outsider: AccountAPI) -> None:
    """An outsider learns nothing about roots: it is refused as an issuer even for a zero root."""
    with reverts_with(registry.CertificateRegistryUnauthorizedIssuer, account=outsider.address):
        registry.issue(ZERO, digest("any fingerprint"), 0, sender=outsider)


@pytest.mark.parametrize("mode", Mode)
def test_a_zero_root_is_rejected(registry: ContractInstance, mill: AccountAPI, mode: Mode) -> None:
    """Zero is the 'never issued' marker of the certificate mapping, so it can never be a certificate."""
    with reverts_with(registry.CertificateRegistryInvalidRoot, root=ZERO):
        issue_with(registry, mode, ZERO, 0, mill)


@pytest.mark.parametrize("mode", Mode)
def test_an_issuer_cannot_issue_the_same_root_twice(registry: ContractInstance, mill: AccountAPI, mode: Mode) -> None:
    """An id names one certificate forever; its issuer cannot refresh its dates by issuing the root again."""
    root = digest("contested certificate")
    registry.issue(root, digest("contested original"), 0, sender=mill)

    with reverts_with(registry.CertificateRegistryAlreadyIssued, id=certificate_id(mill, root)):
        issue_with(registry, mode, root, 0, mill)


@pytest.mark.parametrize("mode", Mode)
def test_another_issuer_issuing_the_same_root_gets_its_own_certificate(
    registry: ContractInstance, mill: AccountAPI, gallery: AccountAPI, chain: ChainManager, mode: Mode
) -> None:
    """Certificates are namespaced by issuer: the gallery's copy of the mill's root is another id, the mill's stays."""
    root = digest("contested certificate")
    mill_at = pin_next_block(chain)
    registry.issue(root, digest("contested original"), 0, sender=mill)
    gallery_at = pin_next_block(chain)

    receipt = issue_with(registry, mode, root, 0, gallery)

    assert receipt.return_value == certificate_id(gallery, root) != certificate_id(mill, root)
    assert certificate_of(registry.certificate(certificate_id(gallery, root))) == Certificate(
        gallery.address, gallery_at, 0, mode is not Mode.SINGLE
    )
    assert certificate_of(registry.certificate(certificate_id(mill, root))) == Certificate(
        mill.address, mill_at, 0, False
    )


@pytest.mark.parametrize("mode", Mode)
@pytest.mark.parametrize("offset", [-1, 0], ids=["one second ago", "now"])
def test_expiry_must_lie_after_the_block_time(
    registry: ContractInstance, mill: AccountAPI, chain: ChainManager, mode: Mode, offset: int
) -> None:
    """A certificate born expired is a mistake; the error carries both times so the caller sees the clock skew."""
    now = pin_next_block(chain)

    with reverts_with(registry.CertificateRegistryInvalidExpiry, validUntil=now + offset, now_=now):
        issue_with(registry, mode, digest("born expired"), now + offset, mill)


def test_expiry_one_second_after_the_block_time_is_accepted(
    registry: ContractInstance, mill: AccountAPI, chain: ChainManager
) -> None:
    """The expiry boundary is strict: one second of validity is allowed."""
    root = digest("short-lived certificate")
    now = pin_next_block(chain)

    receipt = registry.issueBatch(root, now + 1, sender=mill)

    assert events_of(receipt) == [issued_event(registry, mill, root, ZERO, now, now + 1)]


# --- Merkle proofs and verify() ---------------------------------------------------------------------------------------


def _large_sample(size: int) -> list[int] | None:
    """All positions of small trees; a spread of 1,024's (both ends, the middle, every 37th) keeps the suite fast."""
    if size < 1_024:
        return None
    return sorted({0, 1, 2, 511, 512, 1_021, 1_022, 1_023, *range(0, 1_024, 37)})


@pytest.mark.parametrize("size", BATCH_SIZES)
def test_every_document_of_a_batch_verifies_with_its_proof(
    registry: ContractInstance, mill: AccountAPI, batches: dict[int, IssuedBatch], size: int
) -> None:
    """Proofs built by ledger.documents verify on chain for odd and even tree sizes (OpenZeppelin-compatible layout)."""
    issued = batches[size]
    valid = CertificateState(
        Verdict.VALID,
        Certificate(mill.address, issued.issued_at, 0, True),
        True,
        False,
        NEVER_ACTED_ON,
        NEVER_ACTED_ON,
        0,
    )
    pairs = leaves_and_proofs(issued.batch, _large_sample(size))
    if size == 1_024:
        assert {len(proof) for _, proof in pairs} == {10}

    for leaf, proof in pairs:
        assert state_of(registry.verify(issued.id, leaf, proof)) == valid, leaf.hex()


WrongProof = Callable[[dict[int, IssuedBatch], int], tuple[bytes, list[bytes]]]


def _other(size: int) -> int:
    return BATCH_SIZES[(BATCH_SIZES.index(size) + 1) % len(BATCH_SIZES)]


def _proof_of_another_document(batches: dict[int, IssuedBatch], size: int) -> tuple[bytes, list[bytes]]:
    leaves = batches[size].batch.tree.leaves
    return leaves[0], batches[size].batch.proof(leaves[-1])


def _tampered_sibling(batches: dict[int, IssuedBatch], size: int) -> tuple[bytes, list[bytes]]:
    leaf = batches[size].batch.documents[0]
    proof = batches[size].batch.proof(leaf)
    return leaf, [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]


def _truncated(batches: dict[int, IssuedBatch], size: int) -> tuple[bytes, list[bytes]]:
    leaf = batches[size].batch.documents[-1]
    return leaf, batches[size].batch.proof(leaf)[:-1]


def _extra_sibling(batches: dict[int, IssuedBatch], size: int) -> tuple[bytes, list[bytes]]:
    leaf = batches[size].batch.documents[0]
    return leaf, [*batches[size].batch.proof(leaf), digest("extra sibling")]


def _proof_from_another_batch(batches: dict[int, IssuedBatch], size: int) -> tuple[bytes, list[bytes]]:
    other = batches[_other(size)].batch
    return batches[size].batch.documents[0], other.proof(other.documents[0])


def _document_of_another_batch(batches: dict[int, IssuedBatch], size: int) -> tuple[bytes, list[bytes]]:
    other = batches[_other(size)].batch
    return other.documents[0], other.proof(other.documents[0])


def _zero_leaf(batches: dict[int, IssuedBatch], size: int) -> tuple[bytes, list[bytes]]:
    return ZERO, batches[size].batch.proof(batches[size].batch.documents[0])


def _zero_leaf_without_proof(batches: dict[int, IssuedBatch], size: int) -> tuple[bytes, list[bytes]]:
    return ZERO, []


WRONG_PROOFS: dict[str, tuple[WrongProof, tuple[int, ...]]] = {
    # name: (recipe, batch sizes it makes sense for: a tree of one has no siblings to swap, tamper or drop)
    "proof of another document": (_proof_of_another_document, (2, 3, 1_024)),
    "tampered sibling": (_tampered_sibling, (2, 3, 1_024)),
    "truncated proof": (_truncated, (2, 3, 1_024)),
    "extra sibling": (_extra_sibling, BATCH_SIZES),
    "proof from another batch": (_proof_from_another_batch, BATCH_SIZES),
    "document of another batch": (_document_of_another_batch, BATCH_SIZES),
    "zero leaf": (_zero_leaf, BATCH_SIZES),
    "zero leaf without proof": (_zero_leaf_without_proof, BATCH_SIZES),
}


@pytest.mark.parametrize(
    ("variant", "size"),
    [(name, size) for name, (_, sizes) in WRONG_PROOFS.items() for size in sizes],
)
def test_a_wrong_proof_gives_the_invalid_proof_verdict(
    registry: ContractInstance, mill: AccountAPI, batches: dict[int, IssuedBatch], variant: str, size: int
) -> None:
    """Only the exact sibling path of a non-zero leaf proves membership; anything else is InvalidProof."""
    issued = batches[size]
    leaf, proof = WRONG_PROOFS[variant][0](batches, size)
    assert not verify_proof(issued.batch.root, leaf, proof)  # the premise: off chain, this proof fails too

    assert state_of(registry.verify(issued.id, leaf, proof)) == CertificateState(
        Verdict.INVALID_PROOF,
        Certificate(mill.address, issued.issued_at, 0, True),
        False,
        False,
        NEVER_ACTED_ON,
        NEVER_ACTED_ON,
        0,
    )


def test_an_unissued_certificate_is_not_issued_whatever_the_proof(registry: ContractInstance, mill: AccountAPI) -> None:
    """NotIssued comes first: a verifier learns the id is unknown; no proof proves anything without a certificate."""
    batch = Batch.of("never issued", 3)
    leaf = batch.documents[1]

    assert state_of(registry.verify(batch.id(mill), leaf, batch.proof(leaf))) == CertificateState(
        Verdict.NOT_ISSUED, NEVER_ISSUED, False, False, NEVER_ACTED_ON, NEVER_ACTED_ON, 0
    )
    assert state_of(registry.verify(batch.id(mill), leaf, [])) == CertificateState(
        Verdict.NOT_ISSUED, NEVER_ISSUED, False, False, NEVER_ACTED_ON, NEVER_ACTED_ON, 0
    )


def test_a_single_certificate_is_a_tree_of_one(
    registry: ContractInstance, mill: AccountAPI, chain: ChainManager
) -> None:
    """The root is the document: verify(root, root, []) and the document functions with an empty proof work."""
    root = digest("diploma of Ada")
    issued_at = pin_next_block(chain)
    registry.issue(root, digest("diploma serial 1815"), issued_at + YEAR, sender=mill)
    certificate = Certificate(mill.address, issued_at, issued_at + YEAR, False)
    id_ = certificate_id(mill, root)
    assert state_of(registry.verify(id_, root, [])) == CertificateState(
        Verdict.VALID, certificate, True, False, NEVER_ACTED_ON, NEVER_ACTED_ON, 0
    )

    revoked_at = pin_next_block(chain)
    receipt = registry.revokeDocument(id_, root, REVOKE_REASON, [], sender=mill)

    assert events_of(receipt) == [
        event(
            registry,
            "CertificateRevoked",
            id=id_,
            leaf=root,
            by=mill.address,
            reason=REVOKE_REASON,
            at=revoked_at,
            byCouncil=False,
        )
    ]
    revoked = StatusRecord(Status.REVOKED, False, REVOKE_REASON, revoked_at)
    assert record_of(registry.statusOf(id_, root)) == revoked
    assert record_of(registry.statusOf(id_, ZERO)) == NEVER_ACTED_ON
    assert state_of(registry.verify(id_, root, [])) == CertificateState(
        Verdict.REVOKED, certificate, True, False, NEVER_ACTED_ON, revoked, 0
    )


def test_a_revoked_root_revokes_every_document_while_their_own_records_stay_untouched(
    registry: ContractInstance, mill: AccountAPI, batches: dict[int, IssuedBatch], chain: ChainManager
) -> None:
    """Revoking the root is one transaction for a whole batch; verify reports it for a document with a valid proof."""
    issued = batches[3]
    revoked_at = pin_next_block(chain)
    registry.revoke(issued.id, REVOKE_REASON, sender=mill)
    root_record = StatusRecord(Status.REVOKED, False, REVOKE_REASON, revoked_at)

    for leaf, proof in leaves_and_proofs(issued.batch):
        assert state_of(registry.verify(issued.id, leaf, proof)) == CertificateState(
            Verdict.REVOKED,
            Certificate(mill.address, issued.issued_at, 0, True),
            True,
            False,
            root_record,
            NEVER_ACTED_ON,
            0,
        )


def test_a_revoked_document_leaves_the_root_and_the_other_documents_valid(
    registry: ContractInstance, mill: AccountAPI, batches: dict[int, IssuedBatch], chain: ChainManager
) -> None:
    """One diploma of a graduation batch can be withdrawn without touching the others."""
    issued = batches[3]
    batch = issued.batch
    revoked_leaf = batch.documents[1]
    revoked_at = pin_next_block(chain)
    registry.revokeDocument(issued.id, revoked_leaf, REVOKE_REASON, batch.proof(revoked_leaf), sender=mill)
    certificate = Certificate(mill.address, issued.issued_at, 0, True)

    for leaf, proof in leaves_and_proofs(batch):
        leaf_record = (
            StatusRecord(Status.REVOKED, False, REVOKE_REASON, revoked_at) if leaf == revoked_leaf else NEVER_ACTED_ON
        )
        verdict = Verdict.REVOKED if leaf == revoked_leaf else Verdict.VALID
        assert state_of(registry.verify(issued.id, leaf, proof)) == CertificateState(
            verdict, certificate, True, False, NEVER_ACTED_ON, leaf_record, 0
        )
    assert record_of(registry.statusOf(issued.id, ZERO)) == NEVER_ACTED_ON


def test_a_suspended_root_suspends_every_document_and_a_suspended_document_only_itself(
    registry: ContractInstance, mill: AccountAPI, batches: dict[int, IssuedBatch], chain: ChainManager
) -> None:
    """Suspension works like revocation but is reversible; verify reads the root's and the leaf's record."""
    issued = batches[3]
    batch = issued.batch
    certificate = Certificate(mill.address, issued.issued_at, 0, True)
    suspended_leaf = batch.documents[2]
    leaf_suspended_at = pin_next_block(chain)
    registry.suspendDocument(issued.id, suspended_leaf, SUSPEND_REASON, batch.proof(suspended_leaf), sender=mill)
    leaf_record = StatusRecord(Status.SUSPENDED, False, SUSPEND_REASON, leaf_suspended_at)

    for leaf, proof in leaves_and_proofs(batch):
        expected = (
            CertificateState(Verdict.SUSPENDED, certificate, True, False, NEVER_ACTED_ON, leaf_record, 0)
            if leaf == suspended_leaf
            else CertificateState(Verdict.VALID, certificate, True, False, NEVER_ACTED_ON, NEVER_ACTED_ON, 0)
        )
        assert state_of(registry.verify(issued.id, leaf, proof)) == expected

    root_suspended_at = pin_next_block(chain)
    registry.suspend(issued.id, SUSPEND_REASON + 1, sender=mill)
    root_record = StatusRecord(Status.SUSPENDED, False, SUSPEND_REASON + 1, root_suspended_at)

    for leaf, proof in leaves_and_proofs(batch):
        own = leaf_record if leaf == suspended_leaf else NEVER_ACTED_ON
        assert state_of(registry.verify(issued.id, leaf, proof)) == CertificateState(
            Verdict.SUSPENDED, certificate, True, False, root_record, own, 0
        )


@pytest.mark.parametrize("revoked", ["root", "leaf"])
def test_revocation_outranks_suspension_whichever_of_root_and_leaf_carries_it(
    registry: ContractInstance, mill: AccountAPI, batches: dict[int, IssuedBatch], chain: ChainManager, revoked: str
) -> None:
    """A revoked root with a suspended leaf, or a suspended root with a revoked leaf, is Revoked: the final word."""
    issued = batches[3]
    batch = issued.batch
    leaf = batch.documents[0]
    proof = batch.proof(leaf)
    root_at = pin_next_block(chain)
    (registry.revoke if revoked == "root" else registry.suspend)(issued.id, 1, sender=mill)
    leaf_at = pin_next_block(chain)
    (registry.suspendDocument if revoked == "root" else registry.revokeDocument)(issued.id, leaf, 2, proof, sender=mill)
    root_status, leaf_status = (
        (Status.REVOKED, Status.SUSPENDED) if revoked == "root" else (Status.SUSPENDED, Status.REVOKED)
    )

    assert state_of(registry.verify(issued.id, leaf, proof)) == CertificateState(
        Verdict.REVOKED,
        Certificate(mill.address, issued.issued_at, 0, True),
        True,
        False,
        StatusRecord(root_status, False, 1, root_at),
        StatusRecord(leaf_status, False, 2, leaf_at),
        0,
    )


def test_a_certificate_expires_at_valid_until_exactly(
    registry: ContractInstance, mill: AccountAPI, chain: ChainManager
) -> None:
    """validUntil is the first invalid second: valid one second before it, Expired at it."""
    root = digest("membership card 2025")
    issued_at = pin_next_block(chain)
    valid_until = issued_at + 1_000
    registry.issue(root, digest("card serial 7"), valid_until, sender=mill)
    certificate = Certificate(mill.address, issued_at, valid_until, False)
    id_ = certificate_id(mill, root)

    chain.mine(timestamp=valid_until - 1)
    assert state_of(registry.verify(id_, root, [])) == CertificateState(
        Verdict.VALID, certificate, True, False, NEVER_ACTED_ON, NEVER_ACTED_ON, 0
    )

    chain.mine(timestamp=valid_until)
    assert state_of(registry.verify(id_, root, [])) == CertificateState(
        Verdict.EXPIRED, certificate, True, True, NEVER_ACTED_ON, NEVER_ACTED_ON, 0
    )


def test_certificates_issued_at_or_after_the_compromise_cutoff_are_issuer_compromised(
    registry: ContractInstance, mill: AccountAPI, council: Council, chain: ChainManager
) -> None:
    """A stolen key taints what was issued from the cut-off on; earlier certificates keep their value."""
    issued: dict[str, int] = {}
    for label in ("before", "at", "after"):
        issued[label] = pin_next_block(chain)
        registry.issue(digest(label), digest(f"original {label}"), 0, sender=mill)
    cutoff = issued["at"]

    council.expel(mill, cutoff=cutoff)

    for label, verdict in (
        ("before", Verdict.VALID),
        ("at", Verdict.ISSUER_COMPROMISED),
        ("after", Verdict.ISSUER_COMPROMISED),
    ):
        root = digest(label)
        assert state_of(registry.verify(certificate_id(mill, root), root, [])) == CertificateState(
            verdict,
            Certificate(mill.address, issued[label], 0, False),
            True,
            False,
            NEVER_ACTED_ON,
            NEVER_ACTED_ON,
            cutoff,
        ), label


def test_expulsion_without_a_cutoff_leaves_earlier_certificates_valid(
    registry: ContractInstance, mill: AccountAPI, council: Council, single: Single
) -> None:
    """Expelling a partner ends its issuing, not the value of what it already certified."""
    council.expel(mill)

    state = state_of(registry.verify(single.id, single.root, []))

    assert (state.verdict, state.issuer_compromised_after) == (Verdict.VALID, 0)


def test_the_verdict_is_the_first_failing_rule_in_precedence_order(
    registry: ContractInstance, mill: AccountAPI, bank: AccountAPI, council: Council, chain: ChainManager
) -> None:
    """NotIssued > InvalidProof > Revoked > Suspended > Expired > IssuerCompromised.

    Each rule is checked while every rule after it also fails, by adding one failure at a time to the same batch.
    """
    batch = Batch.of("doomed batch", 3)
    a, b, c = batch.documents
    issued_at = pin_next_block(chain)
    valid_until = issued_at + 1_000
    registry.issueBatch(batch.root, valid_until, sender=mill)
    id_ = batch.id(mill)
    certificate = Certificate(mill.address, issued_at, valid_until, True)
    council.expel(mill, cutoff=issued_at)

    def state(leaf: bytes, proof: list[bytes] | None = None) -> CertificateState:
        return state_of(registry.verify(id_, leaf, batch.proof(leaf) if proof is None else proof))

    assert state(c) == CertificateState(
        Verdict.ISSUER_COMPROMISED, certificate, True, False, NEVER_ACTED_ON, NEVER_ACTED_ON, issued_at
    )

    chain.mine(timestamp=valid_until)
    assert state(c) == CertificateState(
        Verdict.EXPIRED, certificate, True, True, NEVER_ACTED_ON, NEVER_ACTED_ON, issued_at
    )

    # The issuer's key is compromised, so the council acts on its certificates: a member's hold, a council decision.
    suspended_at = pin_next_block(chain)
    registry.suspendDocument(id_, b, 1, batch.proof(b), sender=bank)
    b_record = StatusRecord(Status.SUSPENDED, True, 1, suspended_at)
    assert state(b) == CertificateState(Verdict.SUSPENDED, certificate, True, True, NEVER_ACTED_ON, b_record, issued_at)

    registry.suspendDocument(id_, a, 1, batch.proof(a), sender=bank)
    document_a = Target(id_, a, tuple(batch.proof(a)), document=True)
    council.propose_on_certificate(ProposalKind.REVOKE_CERTIFICATE, registry, document_a, 2)
    council.partners.vote(council.partners.proposalCount(), True, sender=council.seconder)
    revoked_at = pin_next_block(chain)
    council.partners.execute(council.partners.proposalCount(), sender=bank)
    a_record = StatusRecord(Status.REVOKED, True, 2, revoked_at)
    assert state(a) == CertificateState(Verdict.REVOKED, certificate, True, True, NEVER_ACTED_ON, a_record, issued_at)

    assert state(a, batch.proof(b)) == CertificateState(
        Verdict.INVALID_PROOF, certificate, False, True, NEVER_ACTED_ON, a_record, issued_at
    )

    unissued = Batch.of("never issued", 3)
    leaf = unissued.documents[0]
    assert state_of(registry.verify(unissued.id(mill), leaf, batch.proof(a))) == CertificateState(
        Verdict.NOT_ISSUED, NEVER_ISSUED, False, False, NEVER_ACTED_ON, NEVER_ACTED_ON, 0
    )


def test_an_issuer_whose_key_is_compromised_cannot_revoke_or_suspend_its_earlier_certificates(
    registry: ContractInstance, mill: AccountAPI, council: Council, chain: ChainManager
) -> None:
    """Whoever holds a compromised key must not be able to undo the certificates issued before the cut-off."""
    root = digest("issued before the compromise")
    issued_at = pin_next_block(chain)
    registry.issue(root, digest("fabric 7"), 0, sender=mill)
    id_ = certificate_id(mill, root)
    chain.mine(timestamp=issued_at + 10)
    council.expel(mill, cutoff=issued_at + 5)
    for action in (Action.REVOKE, Action.SUSPEND):
        with reverts_with(registry.CertificateRegistryUnauthorized, account=mill.address, id=id_):
            act(registry, action, Target.whole(id_), REVOKE_REASON, mill)
    assert state_of(registry.verify(id_, root, [])).verdict == Verdict.VALID


# --- status changes by the issuer -------------------------------------------------------------------------------------


def test_issuer_suspends_its_certificate_with_a_reason(
    registry: ContractInstance, mill: AccountAPI, chain: ChainManager, target: Target
) -> None:
    """Suspension is recorded on chain with who, why and when, and verify reports it at once."""
    at = pin_next_block(chain)

    receipt = act(registry, Action.SUSPEND, target, SUSPEND_REASON, mill)

    assert events_of(receipt) == [status_event(registry, Action.SUSPEND, target, mill, SUSPEND_REASON, at)]
    assert record_at(registry, target) == StatusRecord(Status.SUSPENDED, False, SUSPEND_REASON, at)
    assert verdict_of(registry, target) == Verdict.SUSPENDED


def test_issuer_reinstates_its_own_suspension(
    registry: ContractInstance, mill: AccountAPI, chain: ChainManager, target: Target
) -> None:
    """An issuer in good standing may lift its own suspension; the record keeps the reinstatement's reason and time."""
    act(registry, Action.SUSPEND, target, SUSPEND_REASON, mill)
    at = pin_next_block(chain)

    receipt = act(registry, Action.REINSTATE, target, REINSTATE_REASON, mill)

    assert events_of(receipt) == [status_event(registry, Action.REINSTATE, target, mill, REINSTATE_REASON, at)]
    assert record_at(registry, target) == StatusRecord(Status.VALID, False, REINSTATE_REASON, at)
    assert verdict_of(registry, target) == Verdict.VALID


@pytest.mark.parametrize("before", ["valid", "suspended"])
def test_issuer_revokes_its_certificate_for_good(
    registry: ContractInstance, mill: AccountAPI, chain: ChainManager, target: Target, before: str
) -> None:
    """Revocation works from Valid and from Suspended, and records the reason."""
    if before == "suspended":
        act(registry, Action.SUSPEND, target, SUSPEND_REASON, mill)
    at = pin_next_block(chain)

    receipt = act(registry, Action.REVOKE, target, REVOKE_REASON, mill)

    assert events_of(receipt) == [status_event(registry, Action.REVOKE, target, mill, REVOKE_REASON, at)]
    assert record_at(registry, target) == StatusRecord(Status.REVOKED, False, REVOKE_REASON, at)
    assert verdict_of(registry, target) == Verdict.REVOKED


def test_a_founder_acting_on_its_own_certificate_acts_as_its_issuer(
    registry: ContractInstance, town: AccountAPI, chain: ChainManager
) -> None:
    """The founders hold both rights; suspending their own certificate is an issuer suspension (byCouncil false)."""
    root = digest("town permit")
    registry.issue(root, digest("permit 12"), 0, sender=town)
    id_ = certificate_id(town, root)
    at = pin_next_block(chain)

    receipt = registry.suspend(id_, SUSPEND_REASON, sender=town)

    assert events_of(receipt) == [
        status_event(registry, Action.SUSPEND, Target.whole(id_), town, SUSPEND_REASON, at, by_council=False)
    ]
    assert record_of(registry.statusOf(id_, ZERO)) == StatusRecord(Status.SUSPENDED, False, SUSPEND_REASON, at)


# --- status changes by the council ------------------------------------------------------------------------------------


def test_a_council_member_puts_a_hold_on_another_issuers_certificate(
    registry: ContractInstance, mill: AccountAPI, bank: AccountAPI, chain: ChainManager, target: Target
) -> None:
    """Any active council member may suspend another issuer's certificate at once: a reversible hold, byCouncil."""
    at = pin_next_block(chain)

    receipt = act(registry, Action.SUSPEND, target, SUSPEND_REASON, bank)

    assert events_of(receipt) == [
        status_event(registry, Action.SUSPEND, target, bank, SUSPEND_REASON, at, by_council=True)
    ]
    assert record_at(registry, target) == StatusRecord(Status.SUSPENDED, True, SUSPEND_REASON, at)
    assert verdict_of(registry, target) == Verdict.SUSPENDED


@pytest.mark.parametrize("action", [Action.REVOKE, Action.REINSTATE])
def test_a_council_member_alone_cannot_revoke_or_lift_a_suspension_of_another_issuers_certificate(
    registry: ContractInstance, mill: AccountAPI, bank: AccountAPI, target: Target, action: Action
) -> None:
    """Final acts on someone else's certificate, and lifting a hold, are council decisions, not one member's."""
    act(registry, Action.SUSPEND, target, SUSPEND_REASON, bank)

    with reverts_with(registry.CertificateRegistryCouncilDecisionRequired, account=bank.address, id=target.id):
        act(registry, action, target, 1, bank)
    assert record_at(registry, target).status == Status.SUSPENDED


def test_issuer_cannot_lift_a_council_suspension(
    registry: ContractInstance, mill: AccountAPI, bank: AccountAPI, target: Target
) -> None:
    """A suspension the council imposed (say, an investigation) is the council's to lift."""
    act(registry, Action.SUSPEND, target, SUSPEND_REASON, bank)

    with reverts_with(registry.CertificateRegistryCouncilSuspension, id=target.id, leaf=target.record_leaf):
        act(registry, Action.REINSTATE, target, REINSTATE_REASON, mill)


@pytest.mark.parametrize("suspended_by", ["issuer", "council member"])
def test_a_council_decision_lifts_a_suspension(
    registry: ContractInstance,
    partner_registry: ContractInstance,
    mill: AccountAPI,
    bank: AccountAPI,
    council: Council,
    chain: ChainManager,
    target: Target,
    suspended_by: str,
) -> None:
    """LiftCertificateSuspension, carried by the council, lifts any suspension; `by` is the partner registry."""
    act(registry, Action.SUSPEND, target, SUSPEND_REASON, mill if suspended_by == "issuer" else bank)
    council.propose_on_certificate(ProposalKind.LIFT_CERTIFICATE_SUSPENSION, registry, target, REINSTATE_REASON)
    proposal_id = partner_registry.proposalCount()
    partner_registry.vote(proposal_id, True, sender=council.seconder)
    at = pin_next_block(chain)

    receipt = partner_registry.execute(proposal_id, sender=bank)

    assert events_of(receipt) == [
        status_event(registry, Action.REINSTATE, target, partner_registry, REINSTATE_REASON, at, by_council=True),
        event(
            partner_registry,
            "ProposalExecuted",
            proposalId=proposal_id,
            executor=bank.address,
            countedVotes=2,
            required=2,
        ),
    ]
    assert record_at(registry, target) == StatusRecord(Status.VALID, True, REINSTATE_REASON, at)
    assert verdict_of(registry, target) == Verdict.VALID


def test_a_council_member_that_lost_its_standing_cannot_act_on_others_certificates(
    registry: ContractInstance, mill: AccountAPI, bank: AccountAPI, council: Council, single: Single
) -> None:
    """Council power is checked now, not at the time of admission: a suspended founder is just an address."""
    council.suspend(bank)

    with reverts_with(registry.CertificateRegistryUnauthorized, account=bank.address, id=single.id):
        registry.suspend(single.id, SUSPEND_REASON, sender=bank)


def test_only_the_partner_registry_applies_council_decisions(
    registry: ContractInstance, town: AccountAPI, single: Single
) -> None:
    """applyCouncilDecision is the partner registry's: a council member calling it directly is refused."""
    with reverts_with(registry.CertificateRegistryNotPartnerRegistry, account=town.address):
        registry.applyCouncilDecision(single.id, ZERO, Status.REVOKED, 1, sender=town)


# --- status changes: errors -------------------------------------------------------------------------------------------


ROOT_OR_DOCUMENT = ["root", "document"]


def _three(batches: dict[int, IssuedBatch], kind: str) -> Target:
    batch = batches[3].batch
    leaf = batch.documents[1]
    return Target(batches[3].id, leaf, tuple(batch.proof(leaf)), document=kind == "document")


@pytest.mark.parametrize("kind", ROOT_OR_DOCUMENT)
@pytest.mark.parametrize("actor", ["issuer", "council"])
@pytest.mark.parametrize("action", Action)
def test_nothing_moves_a_revoked_certificate(
    registry: ContractInstance,
    mill: AccountAPI,
    bank: AccountAPI,
    batches: dict[int, IssuedBatch],
    kind: str,
    actor: str,
    action: Action,
) -> None:
    """No transition out of Revoked, for the issuer or a council member: revoking again, suspending or reinstating."""
    target = _three(batches, kind)
    act(registry, Action.REVOKE, target, REVOKE_REASON, mill)

    with reverts_with(registry.CertificateRegistryAlreadyRevoked, id=target.id, leaf=target.record_leaf):
        act(registry, action, target, 1, mill if actor == "issuer" else bank)


@pytest.mark.parametrize("kind", ROOT_OR_DOCUMENT)
@pytest.mark.parametrize(
    "kind_of_decision", [ProposalKind.REVOKE_CERTIFICATE, ProposalKind.LIFT_CERTIFICATE_SUSPENSION]
)
def test_a_council_decision_on_a_revoked_certificate_cannot_even_be_proposed(
    registry: ContractInstance,
    mill: AccountAPI,
    council: Council,
    batches: dict[int, IssuedBatch],
    kind: str,
    kind_of_decision: ProposalKind,
) -> None:
    """The partner registry asks the certificate registry first, so a decision that could never apply is refused."""
    target = _three(batches, kind)
    act(registry, Action.REVOKE, target, REVOKE_REASON, mill)

    with reverts_with(registry.CertificateRegistryAlreadyRevoked, id=target.id, leaf=target.record_leaf):
        council.propose_on_certificate(kind_of_decision, registry, target, 1)


@pytest.mark.parametrize("kind", ROOT_OR_DOCUMENT)
@pytest.mark.parametrize(("first", "second"), [("issuer", "issuer"), ("council", "council"), ("council", "issuer")])
def test_a_suspended_certificate_cannot_be_suspended_again_by_the_same_or_a_lower_authority(
    registry: ContractInstance,
    mill: AccountAPI,
    bank: AccountAPI,
    university: AccountAPI,
    batches: dict[int, IssuedBatch],
    kind: str,
    first: str,
    second: str,
) -> None:
    """A second suspension would silently overwrite the first one's reason and owner, so it is refused (a council
    hold over the issuer's own suspension is the one exception: see the trust-model tests)."""
    target = _three(batches, kind)
    act(registry, Action.SUSPEND, target, SUSPEND_REASON, mill if first == "issuer" else bank)

    with reverts_with(registry.CertificateRegistryAlreadySuspended, id=target.id, leaf=target.record_leaf):
        act(registry, Action.SUSPEND, target, SUSPEND_REASON, mill if second == "issuer" else university)


@pytest.mark.parametrize("kind", ROOT_OR_DOCUMENT)
@pytest.mark.parametrize("actor", ["issuer", "council decision"])
@pytest.mark.parametrize("history", ["never suspended", "already reinstated"])
def test_only_a_suspended_certificate_can_be_reinstated(
    registry: ContractInstance,
    mill: AccountAPI,
    council: Council,
    batches: dict[int, IssuedBatch],
    kind: str,
    actor: str,
    history: str,
) -> None:
    """Reinstating a valid certificate would forge a status change that never had a cause."""
    target = _three(batches, kind)
    if history == "already reinstated":
        act(registry, Action.SUSPEND, target, SUSPEND_REASON, mill)
        act(registry, Action.REINSTATE, target, REINSTATE_REASON, mill)

    with reverts_with(registry.CertificateRegistryNotSuspended, id=target.id, leaf=target.record_leaf):
        if actor == "issuer":
            act(registry, Action.REINSTATE, target, REINSTATE_REASON, mill)
        else:
            council.propose_on_certificate(ProposalKind.LIFT_CERTIFICATE_SUSPENSION, registry, target, 1)


@pytest.mark.parametrize("kind", ROOT_OR_DOCUMENT)
@pytest.mark.parametrize("action", Action)
def test_status_changes_of_an_unknown_certificate_are_refused(
    registry: ContractInstance, town: AccountAPI, kind: str, action: Action
) -> None:
    """Not even the council can pre-revoke a certificate nobody issued (a valid proof does not make one)."""
    batch = Batch.of("never issued", 3)
    leaf = batch.documents[0]
    target = Target(batch.id(town), leaf, tuple(batch.proof(leaf)), document=kind == "document")

    with reverts_with(registry.CertificateRegistryUnknownCertificate, id=target.id):
        act(registry, action, target, 1, town)


@pytest.mark.parametrize(
    "variant", ["zero leaf", "proof of another document", "document of another batch", "tampered sibling"]
)
@pytest.mark.parametrize("action", Action)
def test_a_document_status_change_needs_a_valid_proof(
    registry: ContractInstance, mill: AccountAPI, batches: dict[int, IssuedBatch], variant: str, action: Action
) -> None:
    """A record may only exist for a leaf really in the tree, so verify never shows a status for a foreign document."""
    id_ = batches[3].id
    leaf, proof = WRONG_PROOFS[variant][0](batches, 3)
    if action is Action.REINSTATE:
        registry.suspend(id_, SUSPEND_REASON, sender=mill)

    with reverts_with(registry.CertificateRegistryInvalidProof, id=id_, leaf=leaf):
        act(registry, action, Target(id_, leaf, tuple(proof), document=True), 1, mill)


@pytest.mark.parametrize("kind", ROOT_OR_DOCUMENT)
@pytest.mark.parametrize("action", Action)
@pytest.mark.parametrize("who", ["outsider", "another issuer"])
def test_only_the_issuer_or_the_council_may_change_a_status(
    registry: ContractInstance,
    mill: AccountAPI,
    gallery: AccountAPI,
    outsider: AccountAPI,
    batches: dict[int, IssuedBatch],
    kind: str,
    action: Action,
    who: str,
) -> None:
    """Being an issuer gives power over one's own certificates only."""
    target = _three(batches, kind)
    if action is Action.REINSTATE:
        act(registry, Action.SUSPEND, target, SUSPEND_REASON, mill)
    account = outsider if who == "outsider" else gallery

    with reverts_with(registry.CertificateRegistryUnauthorized, account=account.address, id=target.id):
        act(registry, action, target, 1, account)


@pytest.mark.parametrize("action", Action)
def test_a_zero_leaf_is_never_a_document_even_in_a_tree_that_contains_it(
    registry: ContractInstance, mill: AccountAPI, bank: AccountAPI, chain: ChainManager, action: Action
) -> None:
    """Leaf 0 is the key of the root's own status record, so a document path with leaf 0 must never reach it.

    The tree here really contains a zero leaf, so its proof is valid: only the explicit zero check stands between a
    document call and the whole certificate (revoking, suspending or lifting a suspension of every document).
    """
    tree = MerkleTree.of([ZERO, digest("left"), digest("right")])
    issued_at = pin_next_block(chain)
    registry.issueBatch(tree.root, 0, sender=mill)
    id_ = certificate_id(mill, tree.root)
    proof = tree.proof(ZERO)
    assert verify_proof(tree.root, ZERO, proof)  # the premise: without the zero check this would be a real document
    suspension = NEVER_ACTED_ON
    if action is Action.REINSTATE:
        suspended_at = pin_next_block(chain)
        registry.suspend(id_, SUSPEND_REASON, sender=mill)
        suspension = StatusRecord(Status.SUSPENDED, False, SUSPEND_REASON, suspended_at)

    assert state_of(registry.verify(id_, ZERO, proof)) == CertificateState(
        Verdict.INVALID_PROOF,
        Certificate(mill.address, issued_at, 0, True),
        False,
        False,
        suspension,
        NEVER_ACTED_ON,
        0,
    )
    with reverts_with(registry.CertificateRegistryInvalidProof, id=id_, leaf=ZERO):
        act(registry, action, Target(id_, ZERO, tuple(proof), document=True), 1, mill)


# --- the issuer's standing --------------------------------------------------------------------------------------------


def _suspend_partner(council: Council, account: AccountAPI) -> None:
    council.suspend(account)


def _expel_partner(council: Council, account: AccountAPI) -> None:
    council.expel(account)


def _withdraw_issuer_right(council: Council, account: AccountAPI) -> None:
    council.withdraw_rights(account, ISSUER)


LOST_STANDING: dict[str, Callable[[Council, AccountAPI], None]] = {
    "suspended": _suspend_partner,
    "expelled": _expel_partner,
    "issuer right withdrawn": _withdraw_issuer_right,
}


@pytest.mark.parametrize("kind", ROOT_OR_DOCUMENT)
@pytest.mark.parametrize("standing", LOST_STANDING)
@pytest.mark.parametrize("action", Action)
def test_an_issuer_that_lost_its_standing_cannot_change_its_certificates(
    registry: ContractInstance,
    mill: AccountAPI,
    council: Council,
    batches: dict[int, IssuedBatch],
    kind: str,
    standing: str,
    action: Action,
) -> None:
    """The key of an issuer that is not an active issuer is frozen at once: a stolen key of a suspended partner can
    neither revoke nor suspend nor reinstate (the council acts on its certificates instead)."""
    target = _three(batches, kind)
    if action is Action.REINSTATE:
        act(registry, Action.SUSPEND, target, SUSPEND_REASON, mill)
    before = record_at(registry, target)
    LOST_STANDING[standing](council, mill)
    assert not council.partners.isActiveIssuer(mill)

    with reverts_with(registry.CertificateRegistryUnauthorized, account=mill.address, id=target.id):
        act(registry, action, target, 5, mill)
    assert record_at(registry, target) == before


def test_an_issuer_reinstated_as_partner_may_reinstate_again(
    registry: ContractInstance, mill: AccountAPI, council: Council, chain: ChainManager, single: Single
) -> None:
    """Standing is read at the time of the call: once the partner is active again, so is its power to reinstate."""
    registry.suspend(single.id, SUSPEND_REASON, sender=mill)
    council.suspend(mill)
    council.reinstate(mill)
    at = pin_next_block(chain)

    receipt = registry.reinstate(single.id, REINSTATE_REASON, sender=mill)

    assert events_of(receipt) == [
        status_event(registry, Action.REINSTATE, Target.whole(single.id), mill, REINSTATE_REASON, at)
    ]
    assert record_of(registry.statusOf(single.id, ZERO)) == StatusRecord(Status.VALID, False, REINSTATE_REASON, at)


def test_council_constant_matches_the_partner_registry(partner_registry: ContractInstance) -> None:
    """The helpers' right bits must be the contract's, or every partner set-up above would grant the wrong rights."""
    assert (partner_registry.ISSUER(), partner_registry.COUNCIL()) == (ISSUER, COUNCIL)


# --- the exact checks can fail ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mistake", ["wrong value", "misspelt name", "missing argument", "extra argument", "wrong error", "no revert"]
)
def test_the_exact_revert_check_fails_on_any_inexact_expectation(
    registry: ContractInstance, outsider: AccountAPI, mill: AccountAPI, mistake: str
) -> None:
    """ape.reverts alone skips argument names it does not know; conftest's reverts_with must not, or the suite proves
    less: argument names that are not exactly the error's are refused up front (ValueError), a wrong value, error or a
    call that does not revert fail the check (AssertionError)."""
    error = registry.CertificateRegistryUnauthorizedIssuer
    expected: dict[str, object] = {
        "wrong value": {"account": mill.address},
        "misspelt name": {"acount": outsider.address},
        "missing argument": {},
        "extra argument": {"account": outsider.address, "root": ZERO},
        "wrong error": {"root": ZERO},
        "no revert": {"account": outsider.address},
    }[mistake]
    if mistake == "wrong error":
        error = registry.CertificateRegistryInvalidRoot
    sender = mill if mistake == "no revert" else outsider
    failure = ValueError if mistake in ("misspelt name", "missing argument", "extra argument") else AssertionError

    with pytest.raises(failure), reverts_with(error, **expected):
        registry.issue(digest("self-check"), digest("self-check original"), 0, sender=sender)
