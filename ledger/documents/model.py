"""The certificate document: its form (pydantic models, strict), its limits, and the fingerprints it certifies.

What an issuer states about an original, before any salt or hash: :class:`CertificateDocument` and its parts,
validated strictly (no silent coercion, no floats), and the limits a document and a wrapped document must keep. The
hashing rule that turns a document into a Merkle leaf is in :mod:`ledger.documents.spec`; nothing here hashes a
document (a fingerprint is the SHA-256 of the original's file or serial, not of the document).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ledger.errors import LedgerError
from ledger.i18n import format_number
from ledger.i18n import gettext as _
from ledger.vocabulary import ADDRESS, HEX32

SCHEMA_VERSION = "originals/certificate/1"


MAX_ATTRIBUTES = 100
"""Most attributes one original may carry."""
MAX_ATTRIBUTE_NAME = 100
"""Longest attribute name, in characters."""
MAX_ATTRIBUTE_TEXT = 10_000
"""Longest text attribute, in characters."""
MAX_DOCUMENT_FIELDS = 512
"""Most fields a wrapped document may carry, revealed and hidden together (a document of an original with every
attribute it may have holds about 110)."""
MAX_FIELD_DEPTH = 8
"""Deepest nesting of a wrapped document's data (a document's deepest field, ``original.attributes.x``, is at 3)."""
MAX_PROOF_STEPS = 64
"""Longest Merkle proof: a tree of 2**64 documents."""
Scalar = str | int | bool | None


class DocumentError(LedgerError, ValueError):
    """A certificate document or wrapped document is malformed; the message names the field."""


# -- the document ---------------------------------------------------------------------------------------------------


class _Model(BaseModel):
    # strict: no silent coercion ("5" -> 5, true -> 1); a certificate must say exactly what was meant.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


class Original(_Model):
    """The thing certified: a file (fingerprint = SHA-256 of its bytes) or an object with a serial."""

    name: str = Field(min_length=1, max_length=500)
    kind: str = Field(min_length=1, max_length=100, description="e.g. fabric-batch, diploma, artwork, document")
    fingerprint: str = Field(description="0x + SHA-256 of the file, or of the UTF-8 serial when `serial` is set")
    serial: str | None = Field(None, max_length=500, description="the object's stated serial, if it has no file")
    attributes: dict[str, Scalar] = Field(
        default_factory=dict, max_length=MAX_ATTRIBUTES, description="free attributes (scalars only)"
    )

    @field_validator("fingerprint")
    @classmethod
    def _hex32(cls, value: str) -> str:
        if not HEX32.match(value.lower()):
            raise ValueError(_("must be 0x followed by 64 hex digits (a SHA-256)"))
        return value.lower()

    @field_validator("attributes", mode="before")
    @classmethod
    def _no_floats(cls, value: Any) -> Any:
        # mode="before": after pydantic's lax validation a float 2.0 would already be the integer 2.
        return check_attributes(value)


def check_attributes(value: Any) -> Any:
    """The rules on an original's attributes that a type cannot say (shared with the API's request model, so that
    both refuse the same attributes with the same message): names non-empty, without '.' (a field path's separator)
    and at most :data:`MAX_ATTRIBUTE_NAME` characters; no floats; strings at most :data:`MAX_ATTRIBUTE_TEXT`
    characters. (An integer that canonical JSON cannot write is refused when the document is wrapped.)

    Raises:
        ValueError: the first attribute that breaks a rule, named.
    """
    for key, item in value.items() if isinstance(value, Mapping) else ():
        if not isinstance(key, str) or "." in key or not key or len(key) > MAX_ATTRIBUTE_NAME:
            raise ValueError(
                _(
                    "attribute name {key!r} must be non-empty, contain no '.' and have at most {limit} characters",
                    key=str(key)[:MAX_ATTRIBUTE_NAME],
                    limit=MAX_ATTRIBUTE_NAME,
                )
            )
        if isinstance(item, float):
            raise ValueError(_("attribute {key!r}: floats are not canonical; write the number as a string", key=key))
        if isinstance(item, str) and len(item) > MAX_ATTRIBUTE_TEXT:
            raise ValueError(
                _(
                    "attribute {key!r}: a text has at most {limit} characters",
                    key=key,
                    limit=format_number(MAX_ATTRIBUTE_TEXT),
                )
            )
    return value


class Issuer(_Model):
    address: str = Field(description="the issuing partner's address")
    name: str = Field(min_length=1, max_length=200)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not ADDRESS.match(value):
            raise ValueError(_("must be 0x followed by 40 hex digits"))
        return value.lower()


class ChainBinding(_Model):
    chain_id: int = Field(alias="chainId", ge=1)
    registry: str = Field(description="the CertificateRegistry address")

    @field_validator("registry")
    @classmethod
    def _address(cls, value: str) -> str:
        if not ADDRESS.match(value):
            raise ValueError(_("must be 0x followed by 40 hex digits"))
        return value.lower()


class CertificateDocument(_Model):
    """The certificate of one original, before salting."""

    version: Literal["originals/certificate/1"] = "originals/certificate/1"
    original: Original
    issuer: Issuer
    issued_at: int = Field(alias="issuedAt", ge=0, lt=2**48, description="Unix time the issuer states")
    valid_until: int | None = Field(
        None, alias="validUntil", ge=1, lt=2**48, description="Unix time of expiry; null = never"
    )
    chain: ChainBinding

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")


def parse_document(obj: Any) -> CertificateDocument:
    """Validate a plain document.

    Raises:
        DocumentError: naming the first bad field.
    """
    try:
        return CertificateDocument.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise DocumentError(
            _("invalid certificate document: {where}: {message}", where=where, message=first["msg"])
        ) from None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`CertificateDocument` (shipped as ``ledger/schemas/certificate.schema.json``)."""
    schema = CertificateDocument.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://originals.example/schemas/certificate/1"
    return schema


# -- fingerprints ---------------------------------------------------------------------------------------------------


def fingerprint_stream(stream: BinaryIO, chunk: int = 1 << 20, limit: int | None = None) -> str:
    """SHA-256 of a file-like object, read in chunks (0x hex).

    Raises:
        DocumentError: more than ``limit`` bytes.
    """
    digest = hashlib.sha256()
    total = 0
    while block := stream.read(chunk):
        total += len(block)
        if limit is not None and total > limit:
            raise DocumentError(_("the file is larger than the {limit}-byte limit", limit=format_number(limit)))
        digest.update(block)
    return "0x" + digest.hexdigest()


def fingerprint_serial(serial: str) -> str:
    """The fingerprint of an original known by its serial: SHA-256 of the UTF-8 serial."""
    return "0x" + hashlib.sha256(serial.encode()).hexdigest()


def now() -> int:
    return int(datetime.now(UTC).timestamp())
