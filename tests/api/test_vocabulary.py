"""The API's names for the ledger's enums are the ledger's own: the OpenAPI document lists exactly the members of
:mod:`ledger.events` and :mod:`ledger.verification.rules` (``api.vocabulary`` derives them; nothing mirrors them by
hand)."""

from __future__ import annotations

from typing import Any

from api.main import create_app
from ledger.config import Settings
from ledger.events import CertificateStatus, OrganisationType, PartnerStatus, ProposalKind
from ledger.verification.rules import CheckStatus, Verdict


def openapi() -> dict[str, Any]:
    document: dict[str, Any] = create_app(Settings(environment="test", database_url="sqlite://")).openapi()
    return document


def query_enum(document: dict[str, Any], path: str, name: str) -> list[str]:
    (parameter,) = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name]
    (schema,) = [s for s in parameter["schema"]["anyOf"] if s.get("type") == "string"]
    enum: list[str] = schema["enum"]
    return enum


def property_enum(document: dict[str, Any], model: str, name: str) -> list[str]:
    schema = document["components"]["schemas"][model]["properties"][name]
    enum: list[str] = schema["enum"]
    return enum


def test_the_query_parameters_accept_exactly_the_ledger_enum_names() -> None:
    document = openapi()
    assert query_enum(document, "/partners", "type") == [m.name for m in OrganisationType]
    assert query_enum(document, "/partners", "status") == [m.name for m in PartnerStatus]
    assert query_enum(document, "/certificates", "status") == [m.name for m in CertificateStatus]


def test_the_answers_document_exactly_the_ledger_enum_names() -> None:
    document = openapi()
    assert property_enum(document, "PartnerPublic", "org_type") == [m.name for m in OrganisationType]
    assert property_enum(document, "ProposalDetailPublic", "kind") == [m.name for m in ProposalKind]
    assert property_enum(document, "CertificatePublic", "status") == [m.name for m in CertificateStatus]
    assert property_enum(document, "VerificationResult", "verdict") == [v.value for v in Verdict]
    assert property_enum(document, "CheckPublic", "status") == [s.value for s in CheckStatus]
