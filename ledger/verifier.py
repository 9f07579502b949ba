"""The verification service: find what a fingerprint, an id or a document refers to, gather its facts from a
source (index or chain) and apply the rules of :mod:`ledger.verify`. Shared by the API, the CLI and the web page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ledger.documents import DocumentError, WrappedDocument
from ledger.facts import FactSource
from ledger.verify import Binding, Verdict, Verification, verify_facts

_HEX32 = re.compile(r"^0x[0-9a-fA-F]{64}$")


class InvalidIdentifier(DocumentError):
    """A fingerprint or certificate id that is not 0x + 64 hex digits."""


def check_hex32(value: str, what: str) -> str:
    if not _HEX32.match(value):
        raise InvalidIdentifier(f"{what} must be 0x followed by 64 hex digits, got {value[:80]!r}")
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


def by_id(source: FactSource, certificate_id: str, now: int) -> Verification:
    """The certificate (a root) or certified document (a leaf) with this id."""
    key = check_hex32(certificate_id, "a certificate id")
    return verify_facts(source.facts_by_id(key), None, now)


def by_document(source: FactSource, obj: Any, now: int, binding: Binding) -> Verification:
    """A presented wrapped document (fields may be hidden, but not its binding), bound to ``binding``.

    Raises:
        DocumentError: the object is not a wrapped document at all (a forged or tampered one still gets a verdict).
    """
    document = WrappedDocument(obj)
    facts = source.facts("0x" + document.merkle_root.hex(), "0x" + document.target_hash.hex())
    return verify_facts(facts, document, now, binding)


Now = Callable[[], int]
