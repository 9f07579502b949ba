"""The verification service: find what a fingerprint, an id or a document refers to, gather its facts from a
source (index or chain) and apply the rules of :mod:`ledger.verification.rules`; and, beside the verdict, the
provenance of the originals concerned (:func:`provenance`). Shared by the API, the CLI and the web page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.documents import DocumentError, WrappedDocument, certificate_id
from ledger.errors import LedgerError
from ledger.i18n import gettext as _
from ledger.verification.facts import CertificateFacts, FactSource
from ledger.verification.rules import Binding, Verdict, Verification, verify_facts
from ledger.vocabulary import ADDRESS, HEX32


class InvalidIdentifier(DocumentError):
    """A fingerprint or certificate id that is not 0x + 64 hex digits."""


class AmbiguousLeaf(LedgerError, LookupError):
    """A bare leaf (no certificate id) that certificates of several issuers publish.

    A document's leaf commits to the issuer it names, so only one of them can be its real issuer; which one cannot be
    told from the leaf alone. The lookup refuses to pick (picking would let one issuer decide what the lookup says
    about another's document) and names the certificates, so the caller can ask by certificate id or present the
    document.
    """

    def __init__(self, leaf: str, found: list[CertificateFacts]) -> None:
        self.leaf = leaf
        self.certificates = [(f.id, f.issuer) for f in found]
        names = ", ".join(f"{cid} (issuer {issuer})" for cid, issuer in self.certificates)
        super().__init__(
            f"the leaf {leaf} is published by certificates of several issuers: {names}; "
            "look it up by certificate id, or verify the document itself"
        )


def check_hex32(value: str, what: str) -> str:
    if not HEX32.match(value):
        raise InvalidIdentifier(
            _("{what} must be 0x followed by 64 hex digits, got {value!r}", what=what, value=value[:80])
        )
    return value.lower()


def overall(verifications: list[Verification]) -> Verdict:
    """The verdict for an original with several certificates: VALID if any is, else the newest one's."""
    if not verifications:
        return Verdict.NOT_FOUND
    if any(v.valid for v in verifications):
        return Verdict.VALID
    return verifications[0].verdict


def by_fingerprint(source: FactSource, fingerprint: str, now: int) -> list[Verification]:
    """Every certificate of the original with this fingerprint, newest first (empty when none)."""
    fp = check_hex32(fingerprint, "a fingerprint")
    return [verify_facts(facts, None, now) for facts in source.facts_by_fingerprint(fp)]


def by_id(source: FactSource, identifier: str, now: int) -> Verification:
    """The certificate with this id, or else the published document with this leaf.

    An id names exactly one certificate. A leaf resolves only inside the certificates that publish it: when one issuer
    publishes it (in one or more certificates) the newest of them answers; when several issuers do, the lookup is
    refused (:class:`AmbiguousLeaf`).
    """
    key = check_hex32(identifier, "a certificate id")
    found = source.facts_by_id(key)
    if not found:
        return verify_facts(None, None, now)
    if len({f.issuer for f in found}) > 1:
        raise AmbiguousLeaf(key, found)
    return verify_facts(found[0], None, now)


def by_document(source: FactSource, obj: Any, now: int, binding: Binding) -> Verification:
    """A presented wrapped document (fields may be hidden, but not its binding), bound to ``binding``.

    Raises:
        DocumentError: the object is not a wrapped document at all (a forged or tampered one still gets a verdict).
    """
    document = WrappedDocument(obj)
    root, leaf = "0x" + document.merkle_root.hex(), "0x" + document.target_hash.hex()
    issuer = document.value("issuer.address")
    facts: CertificateFacts | None = None
    if isinstance(issuer, str) and ADDRESS.match(issuer):
        # The certificate the document claims: the one its stated issuer issued with its root (ids bind both).
        facts = source.facts(certificate_id(issuer, root), leaf, root=root)
    return verify_facts(facts, document, now, binding)


def provenance(
    source: FactSource, verifications: list[Verification], fingerprint: str | None = None
) -> list[dict[str, Any]]:
    """The provenance section of an answer: the summaries of every original registered under the verified
    fingerprint (``fingerprint``, or the certificates' own) or linked to a verified certificate, the first
    registration first. It never changes the verdict (the certificate's); it says who owns the original now and
    whether it is lost or stolen."""
    identifiers = [fingerprint] if fingerprint else []
    identifiers += [v.facts.fingerprint for v in verifications if v.facts is not None and v.facts.fingerprint]
    certificates = [v.facts.id for v in verifications if v.facts is not None and v.facts.issued]
    return [original.summary() for original in source.provenance(identifiers, certificates)]


Now = Callable[[], int]
