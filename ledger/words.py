"""Plain words shared by every place a person reads them (the API's sentences, the PDF certificate, the CLI): a verdict,
an organisation type, an original's disposition, a moment, each in the current language (:mod:`ledger.i18n`). The
codes they stand for never change with the language; only these words do.
"""

from __future__ import annotations

from ledger.i18n import DEFAULT, N_, format_when, language
from ledger.i18n import gettext as _

VERDICTS = {
    "VALID": N_("VALID"),
    "NOT_FOUND": N_("NOT FOUND"),
    "TAMPERED": N_("TAMPERED"),
    "REVOKED": N_("REVOKED"),
    "SUSPENDED": N_("SUSPENDED"),
    "EXPIRED": N_("EXPIRED"),
    "ISSUER_COMPROMISED": N_("ISSUER COMPROMISED"),
    "INVALID": N_("INVALID"),
}
"""A verdict code as the word shown for it (``NOT_FOUND`` -> ``NOT FOUND``; in German ``VALID`` is ``Echt``)."""

ORG_TYPES = {
    "SME": N_("SME"),
    "ENTERPRISE": N_("enterprise"),
    "PUBLIC_ADMINISTRATION": N_("public administration"),
    "UNIVERSITY": N_("university"),
    "RESEARCH_INSTITUTE": N_("research institute"),
    "NGO": N_("NGO"),
    "ASSOCIATION": N_("association"),
    "MINISTRY": N_("ministry"),
}
"""The organisation types as phrases (``research institute``, ``SME``), by their code."""


def verdict(code: str) -> str:
    """The word for a verdict code, in the current language."""
    return _(VERDICTS[code]) if code in VERDICTS else code.replace("_", " ")


def org_type(code: str | None) -> str:
    """An organisation type's code as a phrase, in the current language (an unknown code as lower-case words)."""
    code = code or ""
    return _(ORG_TYPES[code]) if code in ORG_TYPES else code.replace("_", " ").lower()


DISPOSITIONS = {
    "NONE": N_("nothing reported"),
    "LOST": N_("LOST"),
    "STOLEN": N_("STOLEN"),
    "DESTROYED": N_("DESTROYED"),
    "RECALLED": N_("RECALLED"),
}
"""An original's disposition (``ledger.events.Disposition``) as the word shown for it; all but NONE in capitals, as
a verifier must not overlook them."""


def disposition(code: str) -> str:
    """The word for a disposition code, in the current language."""
    return _(DISPOSITIONS[code]) if code in DISPOSITIONS else code


def moment(unix: int) -> str:
    """A chain time inside a text, as the consortium's people read it in either language: Europe/Berlin, the
    locale's format, always with the zone (:func:`ledger.i18n.format_when`: ``Jan 1, 2026, 1:00 PM CET``,
    ``01.01.2026, 13:00 MEZ``). Machine-readable answers keep their Unix times and RFC 3339 stamps."""
    return format_when(unix)


CHECK_NAMES = {
    "DOCUMENT_INTEGRITY": N_("DOCUMENT_INTEGRITY"),
    "ISSUANCE_STATUS": N_("ISSUANCE_STATUS"),
    "ISSUER_IDENTITY": N_("ISSUER_IDENTITY"),
    "ISSUER_STANDING_AT_ISSUANCE": N_("ISSUER_STANDING_AT_ISSUANCE"),
}
"""A check's name as shown to a person: in English its code (as the CLI has always printed it), in German a plain
phrase (``Dokument unverändert``). The API's JSON keeps the code."""

CHECK_STATUSES = {"VALID": N_("check passed"), "INVALID": N_("check failed"), "SKIPPED": N_("check skipped")}
"""A check's outcome as shown to a person: the code in English (as the CLI has always printed it), a plain word in
German (``In Ordnung``). Texts of their own, not the verdicts': a passed check is no "genuine" original."""


def check_name(code: str) -> str:
    """A check's name in the current language."""
    return _(CHECK_NAMES[code]) if code in CHECK_NAMES else code


def check_status(code: str) -> str:
    """A check's outcome in the current language."""
    if code not in CHECK_STATUSES or language() == DEFAULT:
        return code
    return _(CHECK_STATUSES[code])
