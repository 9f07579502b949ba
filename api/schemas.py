"""Request and response models, named by role (``CertificatePublic``, ``VerificationResult``...).

Every read answer carries ``indexed_block``: the last block the index has applied (null when answered straight from
the chain), so a client can tell how fresh it is.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ledger.documents import (
    MAX_ATTRIBUTE_NAME,
    MAX_ATTRIBUTES,
    MAX_DOCUMENT_FIELDS,
    MAX_PROOF_STEPS,
    check_attributes,
)

OrgTypeName = Literal[
    "SME",
    "ENTERPRISE",
    "PUBLIC_ADMINISTRATION",
    "UNIVERSITY",
    "RESEARCH_INSTITUTE",
    "NGO",
    "ASSOCIATION",
    "MINISTRY",
]
PartnerStatusName = Literal["NONE", "APPLIED", "ACTIVE", "SUSPENDED", "EXPELLED", "LEFT"]
CertificateStatusName = Literal["VALID", "SUSPENDED", "REVOKED"]


class CheckPublic(BaseModel):
    name: Literal["DOCUMENT_INTEGRITY", "ISSUANCE_STATUS", "ISSUER_IDENTITY", "ISSUER_STANDING_AT_ISSUANCE"]
    status: Literal["VALID", "INVALID", "SKIPPED"]
    reason: str
    details: dict[str, Any] = Field(default_factory=dict)


class CertificateRef(BaseModel):
    id: str
    root: str
    leaf: str
    issuer: str | None = None
    issued_at: int | None = None
    valid_until: int | None = None
    fingerprint: str | None = None


class VerificationResult(BaseModel):
    verdict: Literal[
        "VALID", "NOT_FOUND", "TAMPERED", "REVOKED", "SUSPENDED", "EXPIRED", "ISSUER_COMPROMISED", "INVALID"
    ]
    checks: list[CheckPublic]
    certificate: CertificateRef | None = None
    source: Literal["index", "chain"]
    indexed_block: int | None


class VerificationsResult(BaseModel):
    """Verifying an original by fingerprint: one result per certificate that names it, newest first."""

    fingerprint: str
    verdict: Literal[
        "VALID", "NOT_FOUND", "TAMPERED", "REVOKED", "SUSPENDED", "EXPIRED", "ISSUER_COMPROMISED", "INVALID"
    ]
    results: list[VerificationResult]
    source: Literal["index", "chain"]
    indexed_block: int | None


class HistoryEntryPublic(BaseModel):
    event: str
    status: str
    rights: list[str]
    active_issuer: bool
    at: int
    block_number: int
    tx_hash: str
    proposal_id: int | None


class PartnerPublic(BaseModel):
    address: str
    display_name: str
    org_type: str
    domain: str
    metadata_hash: str
    status: str
    rights: list[str]
    joined_at: int | None
    compromised_after: int | None


class PartnerDetailPublic(PartnerPublic):
    history: list[HistoryEntryPublic]
    certificates_issued: int
    indexed_block: int | None


class PartnersPublic(BaseModel):
    data: list[PartnerPublic]
    next_cursor: str | None
    indexed_block: int | None


class VotePublic(BaseModel):
    voter: str
    support: bool
    block_number: int
    tx_hash: str


class ProposalPublic(BaseModel):
    proposal_id: int
    kind: str
    subject: str
    proposer: str
    rights: int
    compromised_after: int | None
    deadline: int
    yes_votes: int
    no_votes: int
    executed: bool
    executed_by: str | None
    created_block: int


class ProposalDetailPublic(ProposalPublic):
    votes: list[VotePublic]
    indexed_block: int | None


class ProposalsPublic(BaseModel):
    data: list[ProposalPublic]
    next_cursor: str | None
    indexed_block: int | None


class CertificateHistoryPublic(BaseModel):
    action: str
    leaf: str | None
    actor: str
    by_council: bool
    reason: int | None
    at: int
    block_number: int
    tx_hash: str


class CertificatePublic(BaseModel):
    id: str
    root: str
    issuer: str
    fingerprint: str | None
    mode: str
    issued_at: int
    valid_until: int | None
    status: str
    status_reason: int | None
    status_at: int | None
    block_number: int
    tx_hash: str


class CertificateDetailPublic(CertificatePublic):
    documents: int
    history: list[CertificateHistoryPublic]
    indexed_block: int | None


class CertificatesPublic(BaseModel):
    data: list[CertificatePublic]
    next_cursor: str | None
    indexed_block: int | None


class OriginalCertificatePublic(CertificatePublic):
    leaf: str
    document_status: str


class OriginalCertificatesPublic(BaseModel):
    fingerprint: str
    data: list[OriginalCertificatePublic]
    indexed_block: int | None


class HealthPublic(BaseModel):
    status: Literal["ok", "degraded"]
    database: bool
    node: bool
    head_block: int | None
    indexed_block: int | None
    lag_blocks: int | None = Field(
        description="head_block - indexed_block; negative when the index is ahead of the node (status degraded)"
    )


class OriginalIn(BaseModel):
    """The original to certify: a file's SHA-256 (hash it yourself, or use `originals issue FILE`) or a serial's."""

    # The zero hash is no fingerprint: the registry refuses it for a single certificate (InvalidFingerprint), and a
    # document certifying "nothing" would verify from any empty lookup. Python's re: the pattern needs a lookahead.
    model_config = ConfigDict(regex_engine="python-re")

    name: str = Field(min_length=1, max_length=500)
    kind: str = Field(min_length=1, max_length=100)
    fingerprint: str = Field(
        pattern=r"^0x(?!0{64}$)[0-9a-fA-F]{64}$", description="0x + 64 hex digits, not all zero (SHA-256 of the file)"
    )
    serial: str | None = Field(None, max_length=500)
    attributes: dict[str, str | int | bool | None] = Field(
        default_factory=dict,
        max_length=MAX_ATTRIBUTES,
        description=f"at most {MAX_ATTRIBUTES}; names non-empty, without '.', at most {MAX_ATTRIBUTE_NAME} characters",
    )

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: Any) -> Any:
        """The document's own rules, here so that a bad attribute is a 422 before anything else happens."""
        return check_attributes(value)


class IssueRequest(BaseModel):
    original: OriginalIn
    valid_until: int | None = Field(None, ge=1, lt=2**48, description="Unix time of expiry; omit for none")


class BatchIssueRequest(BaseModel):
    originals: list[OriginalIn] = Field(min_length=1)
    valid_until: int | None = Field(None, ge=1, lt=2**48)
    publish_fingerprints: bool = Field(
        True, description="publish each document's fingerprint on chain (verifiable from the file alone)"
    )


class IssuedPublic(BaseModel):
    """Certificates whose transaction is mined (``block_number``); ``status`` stays pending until indexed."""

    tx_hash: str
    id: str
    root: str
    mode: Literal["single", "batch", "batch_public"]
    status: Literal["pending"]
    block_number: int
    documents: list[dict[str, Any]]


class StatusChangeRequest(BaseModel):
    reason: int = Field(ge=0, le=65535, description="reason code (see the API docs for the list)")
    leaf: str | None = Field(None, pattern=r"^0x[0-9a-fA-F]{64}$", description="one document's target hash")
    proof: list[Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$")]] = Field(
        default_factory=list, max_length=MAX_PROOF_STEPS
    )


class StatusChangePublic(BaseModel):
    """A status change whose transaction is mined (``block_number``); ``status`` stays pending until indexed."""

    tx_hash: str
    action: Literal["revoke", "suspend", "reinstate"]
    id: str
    leaf: str | None
    status: Literal["pending"]
    block_number: int


class TransactionStatusPublic(BaseModel):
    tx_hash: str
    status: Literal["pending", "indexed", "unknown"]
    action: str | None = None
    certificate_id: str | None = None
    root: str | None = None
    leaf: str | None = None
    documents: int | None = None
    block_number: int | None = None


class ProblemPublic(BaseModel):
    """An error answer (RFC 9457): ``title`` and ``detail`` for people, ``status`` (and ``errors``) for programs."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None


def _problems(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": ProblemPublic.model_json_schema()}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": _problems("Bad input, no key, not allowed or not found: a problem document"),
    "5XX": _problems("The node or the database is unavailable: a problem document"),
}
"""Declared on every operation (in place of FastAPI's default 422 schema, which these answers do not follow)."""


_HEX32 = "^0x[0-9a-fA-F]{64}$"
_SALTED = {
    "type": "string",
    "description": "<64 hex digits of salt>:<canonical JSON scalar>",
    "pattern": r'^[0-9a-f]{64}:(null|true|false|-?(0|[1-9][0-9]{0,17})|"([^"\\\x00-\x1f]|\\["\\/bfnrt])*")$',
}
OPENAPI_COMPONENTS: dict[str, Any] = {
    "WrappedFields": {
        "type": "object",
        "description": "salted fields by name; objects nest",
        "additionalProperties": {"anyOf": [_SALTED, {"$ref": "#/components/schemas/WrappedFields"}]},
    }
}
"""Schemas the OpenAPI document needs beyond the models (a recursive one, which FastAPI cannot derive here)."""
WRAPPED_DOCUMENT_SCHEMA: dict[str, Any] = {
    "title": "WrappedDocument",
    "type": "object",
    "required": ["version", "data", "proof"],
    "properties": {
        "version": {"const": "originals/wrapped/2"},
        "data": {"$ref": "#/components/schemas/WrappedFields"},
        "privacy": {
            "type": "object",
            "properties": {
                "obfuscated": {
                    "type": "array",
                    "items": {"type": "string", "pattern": _HEX32},
                    "maxItems": MAX_DOCUMENT_FIELDS,
                }
            },
        },
        "proof": {
            "type": "object",
            "required": ["type", "targetHash", "merkleRoot", "proof"],
            "properties": {
                "type": {"const": "OriginalsMerkleProof/1"},
                "targetHash": {"type": "string", "pattern": _HEX32},
                "merkleRoot": {"type": "string", "pattern": _HEX32},
                "proof": {"type": "array", "items": {"type": "string", "pattern": _HEX32}, "maxItems": MAX_PROOF_STEPS},
            },
        },
    },
}
"""The request body of ``POST /verify/document`` as the OpenAPI document shows it (the route parses it itself)."""
