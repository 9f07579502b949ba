"""The contract events as typed records, named exactly like the Solidity events they mirror.

Field names are the Solidity parameter names in snake_case (a Python keyword gets a trailing ``_``: ``from_``).
Addresses are lower-case ``0x`` hex strings, bytes32 values ``0x`` + 64 hex digits, numbers Python ints, enums their
integer values (see the ``IntEnum`` classes here, which mirror the Solidity enums one for one). These records are what
the decoder produces and the projector consumes; they carry no block or transaction data (see
:class:`ledger.indexer.decode.LogMeta`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class OrganisationType(IntEnum):
    SME = 0
    ENTERPRISE = 1
    PUBLIC_ADMINISTRATION = 2
    UNIVERSITY = 3
    RESEARCH_INSTITUTE = 4
    NGO = 5
    ASSOCIATION = 6
    MINISTRY = 7


class PartnerStatus(IntEnum):
    NONE = 0
    APPLIED = 1
    ACTIVE = 2
    SUSPENDED = 3
    EXPELLED = 4
    LEFT = 5


class ProposalKind(IntEnum):
    ADMIT = 0
    SUSPEND = 1
    REINSTATE = 2
    EXPEL = 3
    GRANT_RIGHTS = 4
    WITHDRAW_RIGHTS = 5
    CHANGE_DETAILS = 6
    SET_COMPROMISED = 7
    REVOKE_CERTIFICATE = 8
    LIFT_CERTIFICATE_SUSPENSION = 9


CERTIFICATE_DECISIONS = frozenset({ProposalKind.REVOKE_CERTIFICATE, ProposalKind.LIFT_CERTIFICATE_SUSPENSION})
"""Proposal kinds whose subject is a certificate registry and whose target is a certificate id."""


class CertificateStatus(IntEnum):
    VALID = 0
    SUSPENDED = 1
    REVOKED = 2


class Right(IntEnum):
    """What a provenance transfer moves (``IProvenanceRegistry.Right``)."""

    TITLE = 0
    CUSTODY = 1


class Disposition(IntEnum):
    """An original's disposition (``IProvenanceRegistry.Disposition``); recovery brings it back to NONE."""

    NONE = 0
    LOST = 1
    STOLEN = 2
    DESTROYED = 3
    RECALLED = 4


ISSUER = 1
"""Rights bit: may issue certificates."""
COUNCIL = 2
"""Rights bit: may propose and vote, and put a reversible hold on any certificate."""
ZERO_HASH = "0x" + "00" * 32


@dataclass(frozen=True, slots=True)
class PartnerRegistered:
    account: str
    org_type: int
    display_name: str
    domain: str
    metadata_hash: str


@dataclass(frozen=True, slots=True)
class PartnerStatusChanged:
    account: str
    previous: int
    status: int
    proposal_id: int
    at: int


@dataclass(frozen=True, slots=True)
class PartnerRightsChanged:
    account: str
    previous: int
    rights: int
    proposal_id: int
    at: int


@dataclass(frozen=True, slots=True)
class PartnerDetailsChanged:
    account: str
    org_type: int
    display_name: str
    domain: str
    metadata_hash: str
    proposal_id: int
    at: int


@dataclass(frozen=True, slots=True)
class PartnerCompromised:
    account: str
    compromised_after: int
    proposal_id: int


@dataclass(frozen=True, slots=True)
class ProposalCreated:
    proposal_id: int
    kind: int
    subject: str
    proposer: str
    rights: int
    compromised_after: int
    deadline: int
    target: str
    leaf: str
    reason: int
    council_at_proposal: int


@dataclass(frozen=True, slots=True)
class DetailsProposed:
    proposal_id: int
    org_type: int
    display_name: str
    domain: str
    metadata_hash: str


@dataclass(frozen=True, slots=True)
class VoteCast:
    proposal_id: int
    voter: str
    support: bool
    yes_votes: int
    no_votes: int


@dataclass(frozen=True, slots=True)
class ProposalExecuted:
    proposal_id: int
    executor: str
    counted_votes: int
    required: int


@dataclass(frozen=True, slots=True)
class CertificateIssued:
    id: str
    issuer: str
    fingerprint: str
    root: str
    issued_at: int
    valid_until: int


@dataclass(frozen=True, slots=True)
class DocumentPublished:
    leaf: str
    fingerprint: str
    id: str


@dataclass(frozen=True, slots=True)
class CertificateRevoked:
    id: str
    leaf: str
    by: str
    reason: int
    at: int
    by_council: bool


@dataclass(frozen=True, slots=True)
class CertificateSuspended:
    id: str
    leaf: str
    by: str
    reason: int
    at: int
    by_council: bool


@dataclass(frozen=True, slots=True)
class CertificateReinstated:
    id: str
    leaf: str
    by: str
    reason: int
    at: int
    by_council: bool


@dataclass(frozen=True, slots=True)
class OriginalRegistered:
    original: str
    identifier: str
    registrar: str
    owner: str


@dataclass(frozen=True, slots=True)
class HeldAtRegistration:
    original: str
    holder: str


@dataclass(frozen=True, slots=True)
class OriginalSoulbound:
    original: str


@dataclass(frozen=True, slots=True)
class CertificateLinked:
    original: str
    certificate_id: str
    by: str


@dataclass(frozen=True, slots=True)
class OriginalDerived:
    original: str
    parent: str
    by: str


@dataclass(frozen=True, slots=True)
class TitleOffered:
    original: str
    from_: str
    to: str
    deadline: int


@dataclass(frozen=True, slots=True)
class CustodyOffered:
    original: str
    from_: str
    to: str
    deadline: int


@dataclass(frozen=True, slots=True)
class ClaimOffered:
    original: str
    from_: str
    key: str
    right: int
    deadline: int


@dataclass(frozen=True, slots=True)
class TitleTransferred:
    original: str
    from_: str
    to: str


@dataclass(frozen=True, slots=True)
class CustodyTransferred:
    original: str
    from_: str
    to: str


@dataclass(frozen=True, slots=True)
class OfferClaimed:
    original: str
    key: str
    claimant: str
    right: int


@dataclass(frozen=True, slots=True)
class TransferRejected:
    original: str
    by: str
    right: int
    remark_hash: str


@dataclass(frozen=True, slots=True)
class TransferCancelled:
    original: str
    by: str
    right: int


@dataclass(frozen=True, slots=True)
class LifecycleEventRecorded:
    original: str
    holder: str
    biz_step: int
    evidence_hash: str
    occurred_at: int


@dataclass(frozen=True, slots=True)
class LifecycleEventConsented:
    original: str
    recorder: str
    holder: str
    biz_step: int
    evidence_hash: str
    occurred_at: int


@dataclass(frozen=True, slots=True)
class EventsAnchored:
    recorder: str
    root: str
    count: int


@dataclass(frozen=True, slots=True)
class DispositionReported:
    original: str
    by: str
    disposition: int
    evidence_hash: str


@dataclass(frozen=True, slots=True)
class DispositionCleared:
    original: str
    by: str
    previous: int
    evidence_hash: str
    by_council: bool


@dataclass(frozen=True, slots=True)
class ClearingProposed:
    clearing_id: int
    original: str
    proposer: str
    disposition: int
    remark_hash: str
    deadline: int
    council_at_proposal: int


@dataclass(frozen=True, slots=True)
class ClearingVoted:
    clearing_id: int
    voter: str
    yes_votes: int


@dataclass(frozen=True, slots=True)
class ClearingExecuted:
    clearing_id: int
    executor: str
    counted: int
    required: int


PartnerEvent = (
    PartnerRegistered | PartnerStatusChanged | PartnerRightsChanged | PartnerDetailsChanged | PartnerCompromised
)
ProposalEvent = ProposalCreated | DetailsProposed | VoteCast | ProposalExecuted
CertificateEvent = (
    CertificateIssued | DocumentPublished | CertificateRevoked | CertificateSuspended | CertificateReinstated
)
OriginalEvent = (
    OriginalRegistered
    | HeldAtRegistration
    | OriginalSoulbound
    | CertificateLinked
    | OriginalDerived
    | TitleOffered
    | CustodyOffered
    | ClaimOffered
    | TitleTransferred
    | CustodyTransferred
    | OfferClaimed
    | TransferRejected
    | TransferCancelled
    | LifecycleEventRecorded
    | LifecycleEventConsented
    | DispositionReported
    | DispositionCleared
)
ClearingEvent = ClearingProposed | ClearingVoted | ClearingExecuted
ProvenanceEvent = OriginalEvent | ClearingEvent | EventsAnchored
Event = PartnerEvent | ProposalEvent | CertificateEvent | ProvenanceEvent

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        PartnerRegistered,
        PartnerStatusChanged,
        PartnerRightsChanged,
        PartnerDetailsChanged,
        PartnerCompromised,
        ProposalCreated,
        DetailsProposed,
        VoteCast,
        ProposalExecuted,
        CertificateIssued,
        DocumentPublished,
        CertificateRevoked,
        CertificateSuspended,
        CertificateReinstated,
        OriginalRegistered,
        HeldAtRegistration,
        OriginalSoulbound,
        CertificateLinked,
        OriginalDerived,
        TitleOffered,
        CustodyOffered,
        ClaimOffered,
        TitleTransferred,
        CustodyTransferred,
        OfferClaimed,
        TransferRejected,
        TransferCancelled,
        LifecycleEventRecorded,
        LifecycleEventConsented,
        EventsAnchored,
        DispositionReported,
        DispositionCleared,
        ClearingProposed,
        ClearingVoted,
        ClearingExecuted,
    )
}
"""Every event the registries emit, by Solidity name."""

NOT_INDEXED: frozenset[str] = frozenset({"EIP712DomainChanged"})
"""Events the registries' ABIs declare that they never emit, so the index neither models nor asks for them: EIP-5267's
``EIP712DomainChanged``, which OpenZeppelin's ``EIP712`` declares for domains that can change; the registries' signing
domain is fixed at deployment (contracts v4)."""
