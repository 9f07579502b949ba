"""What verification knows about a certificate, whichever source it comes from, and the source's interface.

A source (:mod:`ledger.verification.sources`: the SQL index, or the chain itself) answers four questions — which
(certificate, document) pairs certify a fingerprint, which one an id names, the :class:`CertificateFacts` of a
(certificate, document), and which originals the provenance registry holds under a fingerprint or linked to a
certificate (:class:`OriginalFact`) — so the rules (:mod:`ledger.verification.rules`) apply to either, and a test holds
the two sources to the same answers. The originals never change a verdict: a verdict is the certificate's, and the
provenance section beside it says who owns the original and whether it is lost or stolen.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from ledger.events import ISSUER, CertificateStatus, Disposition, OrganisationType, PartnerStatus


@dataclass(frozen=True)
class StatusFact:
    status: CertificateStatus = CertificateStatus.VALID
    reason: int | None = None
    at: int | None = None
    by: str | None = None


@dataclass(frozen=True)
class PartnerFact:
    address: str
    display_name: str
    org_type: OrganisationType
    domain: str
    status: PartnerStatus
    rights: int
    compromised_after: int | None


@dataclass(frozen=True)
class IssuerDetails:
    """A partner's details as they stood at some moment (e.g. when it issued a certificate)."""

    display_name: str
    org_type: OrganisationType
    domain: str


@dataclass(frozen=True)
class CertificateFacts:
    """What a source knows about one document of one certificate.

    ``id`` is the certificate id (keccak256 of issuer and root: it names exactly one certificate); ``root`` its
    Merkle root (None when nothing was issued and the caller did not know it); ``leaf`` the document (the root for a
    single certificate or for the certificate as a whole). ``block_number`` and ``log_index`` place the issuance in
    chain order: :func:`newest_first` sorts by them on every source.
    """

    id: str
    root: str | None
    leaf: str
    issued: bool
    issuer: str | None = None
    issued_at: int | None = None
    valid_until: int | None = None
    fingerprint: str | None = None
    root_status: StatusFact = field(default_factory=StatusFact)
    leaf_status: StatusFact = field(default_factory=StatusFact)
    partner: PartnerFact | None = None
    issued_as: IssuerDetails | None = None
    active_issuer_at_issuance: bool | None = None
    proof_valid: bool = True
    block_number: int | None = None
    log_index: int | None = None


@dataclass(frozen=True)
class OriginalFact:
    """An original of the provenance registry as a verification answer shows it (its *summary*).

    ``first_registration`` says whether no registration of its identifier came before it (by block, then log index):
    registering an identifier that another partner registered is allowed, and a verifier sees who was first.
    """

    id: str
    identifier: str
    registrar: str
    registrar_name: str | None
    registered_at: int | None
    registered_block: int
    registered_log_index: int
    owner: str
    holder: str
    soulbound: bool
    disposition: Disposition
    first_registration: bool

    def summary(self) -> dict[str, Any]:
        """The original summary of the API's answers (issue 16's shape)."""
        return {
            "id": self.id,
            "identifier": self.identifier,
            "registrar": self.registrar,
            "registrar_name": self.registrar_name,
            "registered_at": self.registered_at,
            "registered_block": self.registered_block,
            "owner": self.owner,
            "holder": self.holder,
            "soulbound": self.soulbound,
            "disposition": self.disposition.name,
            "first_registration": self.first_registration,
        }


def in_registration_order(found: list[OriginalFact]) -> list[OriginalFact]:
    """The one order of a provenance section, on every fact source: the first registration first (block, then log
    index; one original appears once)."""
    unique = {f.id: f for f in found}
    return sorted(unique.values(), key=lambda f: (f.registered_block, f.registered_log_index))


def newest_first(found: list[CertificateFacts]) -> list[CertificateFacts]:
    """The one order of several certificates (of an original, or publishing a leaf), on every fact source: newest
    issuance first (block, then log index), ties (documents of one batch) by id and leaf."""
    return sorted(found, key=lambda f: (-(f.block_number or 0), -(f.log_index or 0), f.id, f.leaf))


def is_active_issuer(status: PartnerStatus, rights: int) -> bool:
    return status is PartnerStatus.ACTIVE and bool(rights & ISSUER)


class FactSource(Protocol):
    @property
    def local(self) -> bool:
        """True when answers come from a local file (SQLite) in microseconds, without network round trips or waits:
        then a caller on an event loop may call it directly, as a thread-pool round trip would cost more."""
        ...

    def indexed_block(self) -> int | None: ...

    def facts(self, certificate_id: str, leaf: str, root: str | None = None) -> CertificateFacts:
        """The facts of document ``leaf`` of certificate ``certificate_id`` (``root``: what the caller expects the
        certificate's root to be, reported when nothing was issued)."""
        ...

    def facts_by_fingerprint(self, fingerprint: str) -> list[CertificateFacts]:
        """The facts of every (certificate, document) certifying ``fingerprint``, newest first
        (:func:`ledger.verification.facts.newest_first`)."""
        ...

    def facts_by_id(self, key: str) -> list[CertificateFacts]:
        """The certificate whose id is ``key`` (one), or else every certificate that publishes ``key`` as a leaf,
        newest first; empty when neither."""
        ...

    def provenance(self, identifiers: Sequence[str], certificate_ids: Sequence[str]) -> list[OriginalFact]:
        """Every original registered under one of ``identifiers`` or linked (CertificateLinked) to one of
        ``certificate_ids``, the first registration first (:func:`in_registration_order`)."""
        ...

    def session(self) -> AbstractContextManager[FactSource]:
        """The same source answering one request's questions on one connection (the index's facts query also
        reads the indexed block, so an answer's facts and block come from one statement, one snapshot)."""
        ...
