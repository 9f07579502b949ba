"""The verification rules: one function per check, shared by the API, the CLI and the web page.

A verification gathers *facts* about a certificate (from the SQL index or straight from the chain: see
:mod:`ledger.verification.sources`) and runs the named checks over them:

- ``DOCUMENT_INTEGRITY``: a presented wrapped document's fields hash to its target hash, its proof leads to its
  Merkle root, and it reveals its binding (``issuer.address``, ``chain.chainId``, ``chain.registry``), which names
  this deployment (SKIPPED when only a fingerprint or an id was given).
- ``ISSUANCE_STATUS``: the root was issued, and neither it nor the document is revoked or suspended or expired.
- ``ISSUER_IDENTITY``: the issuer is a registered partner (its name, type and domain when it issued, and now, and its
  current status, said plainly when it is no longer active), and the issuer the document names (its address, and its
  name when revealed: the name the issuer had when it issued) is the one that issued it on chain.
- ``ISSUER_STANDING_AT_ISSUANCE``: the issuer was an active partner with the issuer right when it issued, and the
  issuance is before any compromise cut-off.

Each check is VALID, INVALID or SKIPPED with a reason; the verdict is VALID only when no check is INVALID, and
otherwise names the most telling failure (NOT_FOUND, TAMPERED, REVOKED, SUSPENDED, EXPIRED, ISSUER_COMPROMISED,
INVALID). Pure: no I/O, time passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ledger.documents import WrappedDocument
from ledger.events import CertificateStatus, PartnerStatus
from ledger.i18n import N_
from ledger.i18n import gettext as _
from ledger.verification.facts import CertificateFacts, IssuerDetails

REASONS: dict[int, str] = {
    0: N_("unspecified"),
    1: N_("key compromise"),
    2: N_("superseded by a new certificate"),
    3: N_("issued in error"),
    4: N_("original destroyed"),
    5: N_("fraud"),
    6: N_("under investigation"),
    7: N_("original lost"),
    8: N_("original stolen"),
    9: N_("issuer ceased operation"),
    10: N_("privilege withdrawn"),
}
"""Reason codes for revocation, suspension and reinstatement (the contract stores the number; this is its text, in
English: :func:`reason_text` says it in the current language)."""


_STATUS_TEXTS = {
    ("certificate", "revoked"): N_("the certificate was revoked ({reason})"),
    ("document", "revoked"): N_("the document was revoked ({reason})"),
    ("certificate", "suspended"): N_("the certificate was suspended ({reason})"),
    ("document", "suspended"): N_("the document was suspended ({reason})"),
}
"""Each sentence whole (not pieced together from words), so that a translation can say it in its own order."""

_PARTNER_STATUSES = {
    "NONE": N_("none"),
    "APPLIED": N_("applied"),
    "ACTIVE": N_("active"),
    "SUSPENDED": N_("suspended"),
    "EXPELLED": N_("expelled"),
    "LEFT": N_("left"),
}
"""A partner's status in words, as the reason says it (``details.status`` keeps the code)."""


BINDING_FIELDS = ("issuer.address", "chain.chainId", "chain.registry")
"""The fields that bind a document to its issuer and its deployment. Any other field may be hidden; these may not: a
document hiding them names no one and no chain (fully redacted, it is a bare hash that any issuance would match)."""


@dataclass(frozen=True)
class Binding:
    """The deployment a presented document must be bound to: the one the verifier follows (its manifest), never what
    a node or the document says."""

    chain_id: int
    registry: str


def reason_text(code: int | None) -> str | None:
    """A reason code in words, in the current language (the code itself stays in the answers beside it)."""
    if code is None:
        return None
    return _(REASONS[code]) if code in REASONS else _("reason code {code}", code=code)


class CheckStatus(StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    SKIPPED = "SKIPPED"


class Verdict(StrEnum):
    VALID = "VALID"
    NOT_FOUND = "NOT_FOUND"
    TAMPERED = "TAMPERED"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    ISSUER_COMPROMISED = "ISSUER_COMPROMISED"
    INVALID = "INVALID"


@dataclass(frozen=True)
class Check:
    name: str
    status: CheckStatus
    reason: str
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    checks: tuple[Check, ...]
    facts: CertificateFacts | None

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID


def check_integrity(
    document: WrappedDocument | None, facts: CertificateFacts | None, binding: Binding | None = None
) -> Check:
    name = "DOCUMENT_INTEGRITY"
    if document is None:
        return Check(name, CheckStatus.SKIPPED, _("no certificate document was presented"))
    ok, reason = document.integrity()
    if not ok:
        return Check(name, CheckStatus.INVALID, reason)
    if facts is not None and not facts.proof_valid:
        return Check(name, CheckStatus.INVALID, _("the chain does not accept the document's Merkle proof"))
    hidden = [path for path in BINDING_FIELDS if document.value(path) is None]
    if hidden:
        return Check(
            name,
            CheckStatus.INVALID,
            _(
                "the document hides {fields}: the fields that bind it to its issuer and deployment cannot be hidden",
                fields=_and(hidden),
            ),
            {"hidden": hidden},
        )
    mismatch = _binding_mismatch(document, binding)
    if mismatch is not None:
        return Check(name, CheckStatus.INVALID, mismatch)
    return Check(name, CheckStatus.VALID, reason)


def _and(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("{first} and {last}", first=", ".join(items[:-1]), last=items[-1])


def _binding_mismatch(document: WrappedDocument, binding: Binding | None) -> str | None:
    if binding is None:
        return None
    chain_id, registry = document.value("chain.chainId"), document.value("chain.registry")
    if chain_id != binding.chain_id or isinstance(chain_id, bool):
        return _(
            "the document is bound to chain {chain}, not this deployment's chain {expected}",
            chain=chain_id,
            expected=binding.chain_id,
        )
    if not isinstance(registry, str) or registry.lower() != binding.registry.lower():
        return _(
            "the document is bound to registry {registry}, not this deployment's {expected}",
            registry=registry,
            expected=binding.registry,
        )
    return None


def check_issuance(facts: CertificateFacts | None, now: int) -> Check:
    name = "ISSUANCE_STATUS"
    if facts is None or not facts.issued:
        return Check(
            name,
            CheckStatus.INVALID,
            _("no certificate with this id was issued on chain (by the issuer the document names)"),
            {"status": "not_found"},
        )
    for status, word in ((CertificateStatus.REVOKED, "revoked"), (CertificateStatus.SUSPENDED, "suspended")):
        for scope, fact in (("certificate", facts.root_status), ("document", facts.leaf_status)):
            if fact.status == status:
                text = reason_text(fact.reason)
                return Check(
                    name,
                    CheckStatus.INVALID,
                    _(_STATUS_TEXTS[scope, word], reason=text),
                    {"status": word, "scope": scope, "reason_code": fact.reason, "reason": text, "at": fact.at},
                )
    if facts.valid_until and now >= facts.valid_until:
        return Check(
            name, CheckStatus.INVALID, _("the certificate expired"), {"status": "expired", "at": facts.valid_until}
        )
    return Check(name, CheckStatus.VALID, _("issued, not revoked, not suspended, not expired"), {"status": "issued"})


def check_issuer_identity(facts: CertificateFacts | None, document: WrappedDocument | None) -> Check:
    name = "ISSUER_IDENTITY"
    if facts is None or not facts.issued or facts.issuer is None:
        return Check(name, CheckStatus.SKIPPED, _("no issuance to attribute"))
    stated = document.value("issuer.address") if document is not None else None
    if isinstance(stated, str) and stated.lower() != facts.issuer:
        return Check(
            name,
            CheckStatus.INVALID,
            _(
                "the document names issuer {stated}, but {issuer} issued it on chain",
                stated=stated,
                issuer=facts.issuer,
            ),
        )
    partner = facts.partner
    if partner is None:
        return Check(name, CheckStatus.INVALID, _("{issuer} is not a registered partner", issuer=facts.issuer))
    issued_as = facts.issued_as or IssuerDetails(partner.display_name, partner.org_type, partner.domain)
    details: dict[str, object] = {
        "address": partner.address,
        "name": issued_as.display_name,
        "type": issued_as.org_type.name,
        "domain": issued_as.domain,
        "status": partner.status.name,
    }
    reason = _("issued by {name} ({domain})", name=issued_as.display_name, domain=issued_as.domain)
    current = (partner.display_name, partner.org_type, partner.domain)
    if current != (issued_as.display_name, issued_as.org_type, issued_as.domain):
        details.update(current_name=partner.display_name, current_type=partner.org_type.name)
        details["current_domain"] = partner.domain
        reason += _(", now {name} ({domain})", name=partner.display_name, domain=partner.domain)
    if partner.status is not PartnerStatus.ACTIVE:
        reason += _(
            "; the issuer is no longer an active partner (now {status})",
            status=_(_PARTNER_STATUSES.get(partner.status.name, partner.status.name.lower())),
        )
    stated_name = document.value("issuer.name") if document is not None else None
    if stated_name is not None and stated_name != issued_as.display_name:
        details["stated_name"] = stated_name
        return Check(
            name,
            CheckStatus.INVALID,
            _(
                'the document names its issuer "{stated}", but the registry names {address} "{name}" when it issued',
                stated=stated_name,
                address=partner.address,
                name=issued_as.display_name,
            ),
            details,
        )
    return Check(name, CheckStatus.VALID, reason, details)


def check_issuer_standing(facts: CertificateFacts | None) -> Check:
    name = "ISSUER_STANDING_AT_ISSUANCE"
    if facts is None or not facts.issued or facts.issued_at is None:
        return Check(name, CheckStatus.SKIPPED, _("no issuance to judge"))
    partner = facts.partner
    cutoff = partner.compromised_after if partner is not None else None
    if cutoff and facts.issued_at >= cutoff:
        return Check(
            name,
            CheckStatus.INVALID,
            _("issued after the issuer's key was declared compromised"),
            {"compromised_after": cutoff, "issued_at": facts.issued_at},
        )
    if facts.active_issuer_at_issuance is False:
        return Check(name, CheckStatus.INVALID, _("the issuer was not an active issuer when it issued this"))
    return Check(
        name, CheckStatus.VALID, _("the issuer was an active issuer at issuance, before any compromise cut-off")
    )


def verify_facts(
    facts: CertificateFacts | None, document: WrappedDocument | None, now: int, binding: Binding | None = None
) -> Verification:
    """Run every check and decide the verdict (``binding``: what a presented ``document`` must be bound to)."""
    checks = (
        check_integrity(document, facts, binding),
        check_issuance(facts, now),
        check_issuer_identity(facts, document),
        check_issuer_standing(facts),
    )
    return Verification(_verdict(checks), checks, facts)


def _verdict(checks: tuple[Check, ...]) -> Verdict:
    by_name = {c.name: c for c in checks}
    if all(c.status is not CheckStatus.INVALID for c in checks):
        return Verdict.VALID
    if by_name["DOCUMENT_INTEGRITY"].status is CheckStatus.INVALID:
        return Verdict.TAMPERED
    issuance = by_name["ISSUANCE_STATUS"]
    if issuance.status is CheckStatus.INVALID:
        return {
            "not_found": Verdict.NOT_FOUND,
            "revoked": Verdict.REVOKED,
            "suspended": Verdict.SUSPENDED,
            "expired": Verdict.EXPIRED,
        }[str(issuance.details["status"])]
    if by_name["ISSUER_STANDING_AT_ISSUANCE"].status is CheckStatus.INVALID:
        return Verdict.ISSUER_COMPROMISED
    return Verdict.INVALID
