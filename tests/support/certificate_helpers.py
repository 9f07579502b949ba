"""Helpers for the CertificateRegistry contract tests: exact event and revert checks, plain records, a council driver.

ape's own matchers are lenient on purpose: ``ape.reverts(Error, x=...)`` ignores keyword names the error does not
have, and a ``MockContractLog`` compares only the arguments it is given. The house rule is exact events and exact
error arguments, so :func:`events_of` and :func:`event` compare the *whole* argument set (reverts use conftest's
``reverts_with``). Only :func:`act` (one status change) and
:class:`Council` (the PartnerRegistry driven as the consortium does: propose, vote, execute) send transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple

from ape.api import AccountAPI, ReceiptAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from ape.types.events import MockContractLog
from eth_hash.auto import keccak

from ledger.documents import MerkleTree
from ledger.events import CertificateStatus, OrganisationType, PartnerStatus, ProposalKind
from support.consortium_model import Verdict
from support.contracts import log

ZERO = b"\x00" * 32
ZERO_ADDRESS = "0x" + "00" * 20

# PartnerRegistry rights and enums: the runtime's own (ledger.events), so these tests also pin them to the contracts.
Status = CertificateStatus  # ``ICertificateRegistry.Status``


class Certificate(NamedTuple):
    issuer: str
    issued_at: int
    valid_until: int
    batch: bool


class StatusRecord(NamedTuple):
    status: Status
    by_council: bool
    reason: int
    at: int


NEVER_ACTED_ON = StatusRecord(Status.VALID, False, 0, 0)
NEVER_ISSUED = Certificate(ZERO_ADDRESS, 0, 0, False)


class CertificateState(NamedTuple):
    verdict: Verdict
    certificate: Certificate
    proof_valid: bool
    expired: bool
    root_status: StatusRecord
    leaf_status: StatusRecord
    issuer_compromised_after: int


def certificate_of(struct: Any) -> Certificate:
    """The ``Certificate`` struct ape returned, as plain Python values."""
    issuer, issued_at, valid_until, batch = struct
    return Certificate(str(issuer), int(issued_at), int(valid_until), bool(batch))


def record_of(struct: Any) -> StatusRecord:
    """The ``StatusRecord`` struct ape returned, as plain Python values."""
    status, by_council, reason, at = struct
    return StatusRecord(Status(int(status)), bool(by_council), int(reason), int(at))


def state_of(struct: Any) -> CertificateState:
    """The ``CertificateState`` that ``verify`` returned, as plain Python values (every field, nested ones too)."""
    verdict, certificate, proof_valid, expired, root_status, leaf_status, cutoff = struct
    return CertificateState(
        Verdict(int(verdict)),
        certificate_of(certificate),
        bool(proof_valid),
        bool(expired),
        record_of(root_status),
        record_of(leaf_status),
        int(cutoff),
    )


Event = MockContractLog


def event(contract: ContractInstance, name: str, **arguments: Any) -> Event:
    """The expected log of event ``name`` of ``contract``, arguments by name: conftest's ``log`` with EVERY argument
    (names that are not exactly the event's are refused), in ABI order."""
    abi_event = getattr(contract, name)
    names = [ipt.name for ipt in abi_event.abi.inputs]
    if set(arguments) != set(names):
        raise ValueError(f"{name} takes exactly {names}, got {sorted(arguments)}")
    return log(abi_event, *(arguments[key] for key in names))


def events_of(receipt: ReceiptAPI) -> list[Any]:
    """Every log of ``receipt`` in order, for an exact ``==`` with a list of :func:`event`."""
    return list(receipt.events)


def certificate_id(issuer: AccountAPI | str, root: bytes) -> bytes:
    """The id of the certificate ``issuer`` issued with ``root``: keccak256(abi.encode(issuer, root))."""
    address = bytes.fromhex(str(getattr(issuer, "address", issuer))[2:])
    return keccak(bytes(12) + address + root)


def digest(label: str) -> bytes:
    """A deterministic 32-byte hash standing in for a document's target hash or an original's fingerprint."""
    return keccak(label.encode())


def pin_next_block(chain: ChainManager, after: int = 10) -> int:
    """Make the next block's timestamp exactly ``after`` seconds past the head, and return it.

    Pinning the time of every transaction whose timestamp a test asserts keeps the assertion exact (never "about now").
    """
    timestamp = int(chain.blocks.head.timestamp) + after
    chain.pending_timestamp = timestamp
    return timestamp


@dataclass(frozen=True)
class Batch:
    """A Merkle batch as an issuer builds it: documents in issuing order, their fingerprints, and the tree."""

    documents: tuple[bytes, ...]
    fingerprints: tuple[bytes, ...]
    tree: MerkleTree

    @classmethod
    def of(cls, label: str, size: int) -> Batch:
        documents = tuple(digest(f"{label}/document/{i}") for i in range(size))
        fingerprints = tuple(digest(f"{label}/original/{i}") for i in range(size))
        return cls(documents, fingerprints, MerkleTree.of(documents))

    @property
    def root(self) -> bytes:
        return self.tree.root

    def id(self, issuer: AccountAPI | str) -> bytes:
        """The certificate id of this batch issued by ``issuer``."""
        return certificate_id(issuer, self.root)

    def proof(self, document: bytes) -> list[bytes]:
        return self.tree.proof(document)


@dataclass(frozen=True)
class Council:
    """Drives the PartnerRegistry as the founding council does: one member proposes, another votes, then execute.

    Two yes votes are a majority of an active council of up to three, which is all these tests ever have. Each step
    checks the partner's resulting standing, so a test that relies on "X is suspended" cannot pass with X active.
    """

    partners: ContractInstance
    proposer: AccountAPI
    seconder: AccountAPI

    def decide(self, kind: ProposalKind, subject: AccountAPI, rights: int = 0, cutoff: int = 0) -> ReceiptAPI:
        self.partners.propose(kind, subject, rights, cutoff, sender=self.proposer)
        proposal_id = self.partners.proposalCount()
        self.partners.vote(proposal_id, True, sender=self.seconder)
        return self.partners.execute(proposal_id, sender=self.proposer)

    def decide_on_certificate(
        self,
        kind: ProposalKind,
        registry: ContractInstance,
        target: Target,
        reason: int,
    ) -> ReceiptAPI:
        """A council decision on a certificate (RevokeCertificate / LiftCertificateSuspension), carried 2 of 3."""
        self.propose_on_certificate(kind, registry, target, reason)
        proposal_id = self.partners.proposalCount()
        self.partners.vote(proposal_id, True, sender=self.seconder)
        return self.partners.execute(proposal_id, sender=self.proposer)

    def propose_on_certificate(
        self, kind: ProposalKind, registry: ContractInstance, target: Target, reason: int
    ) -> ReceiptAPI:
        return self.partners.proposeCertificateDecision(
            kind,
            registry,
            target.id,
            target.record_leaf,
            list(target.proof) if target.document else [],
            reason,
            sender=self.proposer,
        )

    def standing(self, account: AccountAPI) -> tuple[PartnerStatus, int]:
        record = self.partners.partner(account)
        return PartnerStatus(int(record.status)), int(record.rights)

    def apply(self, account: AccountAPI, name: str) -> None:
        self.partners.applyForMembership(OrganisationType.SME, name, f"{name.lower()}.example", ZERO, sender=account)
        assert self.standing(account) == (PartnerStatus.APPLIED, 0)

    def admit(self, account: AccountAPI, name: str, rights: int) -> None:
        self.apply(account, name)
        self.decide(ProposalKind.ADMIT, account, rights)
        assert self.standing(account) == (PartnerStatus.ACTIVE, rights)

    def suspend(self, account: AccountAPI) -> None:
        self.decide(ProposalKind.SUSPEND, account)
        assert self.standing(account)[0] == PartnerStatus.SUSPENDED

    def reinstate(self, account: AccountAPI) -> None:
        self.decide(ProposalKind.REINSTATE, account)
        assert self.standing(account)[0] == PartnerStatus.ACTIVE

    def expel(self, account: AccountAPI, cutoff: int = 0) -> None:
        self.decide(ProposalKind.EXPEL, account, 0, cutoff)
        assert self.standing(account) == (PartnerStatus.EXPELLED, 0)
        assert self.partners.compromisedAfter(account) == cutoff

    def withdraw_rights(self, account: AccountAPI, rights: int) -> None:
        held = self.standing(account)[1]
        self.decide(ProposalKind.WITHDRAW_RIGHTS, account, rights)
        assert self.standing(account)[1] == held & ~rights


def leaves_and_proofs(batch: Batch, sample: Sequence[int] | None = None) -> list[tuple[bytes, list[bytes]]]:
    """(leaf, proof) pairs of ``batch`` in tree order, all of them or the given positions."""
    leaves = batch.tree.leaves
    chosen = range(len(leaves)) if sample is None else sample
    return [(leaves[i], batch.proof(leaves[i])) for i in chosen]


class Action(Enum):
    """A status change, with the contract functions and event that carry it out for a root or for one document."""

    REVOKE = ("revoke", "revokeDocument", "CertificateRevoked", Status.REVOKED)
    SUSPEND = ("suspend", "suspendDocument", "CertificateSuspended", Status.SUSPENDED)
    REINSTATE = ("reinstate", "reinstateDocument", "CertificateReinstated", Status.VALID)

    def __init__(self, root_function: str, document_function: str, event_name: str, result: Status) -> None:
        self.root_function = root_function
        self.document_function = document_function
        self.event_name = event_name
        self.result = result


@dataclass(frozen=True)
class Target:
    """What a status change addresses: a whole certificate (``document`` False) or one leaf of it with its proof."""

    id: bytes
    leaf: bytes = ZERO
    proof: tuple[bytes, ...] = ()
    document: bool = False

    @property
    def record_leaf(self) -> bytes:
        """The leaf key of the status record and of the events: 0 for the whole root."""
        return self.leaf if self.document else ZERO

    @classmethod
    def whole(cls, id_: bytes) -> Target:
        return cls(id_)

    @classmethod
    def document_of(cls, batch: Batch, leaf: bytes, issuer: AccountAPI) -> Target:
        return cls(batch.id(issuer), leaf, tuple(batch.proof(leaf)), True)


def act(registry: ContractInstance, action: Action, target: Target, reason: int, sender: AccountAPI) -> ReceiptAPI:
    """Carry out ``action`` on ``target`` through the root or the document function."""
    if target.document:
        function = getattr(registry, action.document_function)
        return function(target.id, target.leaf, reason, list(target.proof), sender=sender)
    return getattr(registry, action.root_function)(target.id, reason, sender=sender)
