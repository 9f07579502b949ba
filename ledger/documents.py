"""Certificate documents: their form, salted field hashes, target hashes, Merkle batches and proofs.

This is the ONE module that turns documents into hashes. A document (see :class:`CertificateDocument`) is flattened
into scalar fields addressed by dotted paths (``original.attributes.colour``). Each field gets 32 random bytes of
salt, and

    field hash  = keccak256(salt ‖ uint32be(len(path)) ‖ path ‖ canonical JSON of the value)
    target hash = keccak256(concatenation of the sorted field hashes)

The target hash is the document's Merkle leaf; a batch's root is the sorted-pair keccak256 tree of
:mod:`ledger.merkle`, exactly what ``CertificateRegistry`` verifies with OpenZeppelin's MerkleProof. Because the
target hash covers *sorted field hashes*, any field can be hidden (its value and salt removed, its hash kept in
``privacy.obfuscated``) and the document still verifies: selective disclosure. Deleting a field's salt makes its
value unlinkable to its hash (the salt is 256 bits): erasure.

A *wrapped* document is what holders keep: ``data`` is the document with every scalar replaced by
``"<salt hex>:<canonical JSON value>"``, plus ``privacy`` and ``proof`` (target hash, Merkle root, proof). Pure
functions only; randomness is injectable for golden test vectors.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ledger.errors import LedgerError
from ledger.hashing import keccak
from ledger.merkle import MerkleTree, process_proof

SCHEMA_VERSION = "originals/certificate/1"
WRAPPED_VERSION = "originals/wrapped/1"
PROOF_TYPE = "OriginalsMerkleProof/1"

_HEX32 = re.compile(r"^0x[0-9a-f]{64}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_SALTED = re.compile(r"^([0-9a-f]{64}):(.*)$", re.DOTALL)

Salt = Callable[[], bytes]
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
    attributes: dict[str, Scalar] = Field(default_factory=dict, description="free attributes (scalars only)")

    @field_validator("fingerprint")
    @classmethod
    def _hex32(cls, value: str) -> str:
        if not _HEX32.match(value.lower()):
            raise ValueError("must be 0x followed by 64 hex digits (a SHA-256)")
        return value.lower()

    @field_validator("attributes", mode="before")
    @classmethod
    def _no_floats(cls, value: Any) -> Any:
        # mode="before": after pydantic's lax validation a float 2.0 would already be the integer 2.
        for key, item in value.items() if isinstance(value, Mapping) else ():
            if isinstance(item, float):
                raise ValueError(f"attribute {key!r}: floats are not canonical; write the number as a string")
            if not isinstance(key, str) or "." in key or not key:
                raise ValueError(f"attribute name {key!r} must be non-empty and contain no '.'")
        return value


class Issuer(_Model):
    address: str = Field(description="the issuing partner's address")
    name: str = Field(min_length=1, max_length=200)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not _ADDRESS.match(value):
            raise ValueError("must be 0x followed by 40 hex digits")
        return value.lower()


class ChainBinding(_Model):
    chain_id: int = Field(alias="chainId", ge=1)
    registry: str = Field(description="the CertificateRegistry address")

    @field_validator("registry")
    @classmethod
    def _address(cls, value: str) -> str:
        if not _ADDRESS.match(value):
            raise ValueError("must be 0x followed by 40 hex digits")
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
        raise DocumentError(f"invalid certificate document: {where}: {first['msg']}") from None


def json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`CertificateDocument` (shipped as ``ledger/schemas/certificate.schema.json``)."""
    schema = CertificateDocument.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://originals.example/schemas/certificate/1"
    return schema


# -- hashing --------------------------------------------------------------------------------------------------------


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (floats are refused upstream)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def field_hash(salt: bytes, path: str, value: Scalar) -> bytes:
    """The hash of one salted field (see the module docstring for the exact bytes)."""
    if len(salt) != 32:
        raise DocumentError(f"field {path}: a salt must be 32 bytes")
    try:
        encoded_path, encoded_value = path.encode(), canonical(value)
    except (UnicodeEncodeError, orjson.JSONEncodeError) as exc:
        raise DocumentError(f"field {path}: cannot be written as canonical JSON ({exc})") from None
    return keccak(salt + len(encoded_path).to_bytes(4, "big") + encoded_path + encoded_value)


def target_hash(field_hashes: Iterable[bytes]) -> bytes:
    """The document's hash: keccak256 over its field hashes in sorted order."""
    return keccak(b"".join(sorted(field_hashes)))


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """Scalar leaves by dotted path. Empty objects vanish (they carry no value to certify)."""
    out: dict[str, Scalar] = {}
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, path + "."))
        elif isinstance(value, list | tuple):
            raise DocumentError(f"field {path}: lists are not supported; use attributes with distinct names")
        elif isinstance(value, float):
            raise DocumentError(f"field {path}: floats are not canonical; write the number as a string")
        else:
            out[path] = value
    return out


def _unflatten(fields: Mapping[str, Any]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path, value in fields.items():
        node = root
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return root


# -- wrapping -------------------------------------------------------------------------------------------------------


def _random_salt() -> bytes:
    return secrets.token_bytes(32)


def salted_fields(document: CertificateDocument, salt: Salt = _random_salt) -> dict[str, tuple[bytes, Scalar]]:
    """Each field of ``document`` with a fresh salt, by path."""
    return {path: (salt(), value) for path, value in sorted(flatten(document.to_json()).items())}


def document_target(fields: Mapping[str, tuple[bytes, Scalar]], obfuscated: Iterable[bytes] = ()) -> bytes:
    return target_hash([field_hash(s, p, v) for p, (s, v) in fields.items()] + list(obfuscated))


def wrap_batch(documents: Sequence[CertificateDocument], salt: Salt = _random_salt) -> list[dict[str, Any]]:
    """Salt and hash each document, build the Merkle tree over their target hashes, and return the wrapped
    documents (in input order), each carrying the root and its proof.

    Raises:
        DocumentError: two documents are identical down to their salts (cannot happen with random salts).
    """
    salted = [salted_fields(doc, salt) for doc in documents]
    targets = [document_target(fields) for fields in salted]
    if len(set(targets)) != len(targets):
        raise DocumentError("two documents of the batch have the same target hash")
    tree = MerkleTree.of(targets)
    root = "0x" + tree.root.hex()
    wrapped = []
    for fields, target in zip(salted, targets, strict=True):
        data = _unflatten({path: f"{s.hex()}:{canonical(v).decode()}" for path, (s, v) in fields.items()})
        wrapped.append(
            {
                "version": WRAPPED_VERSION,
                "data": data,
                "privacy": {"obfuscated": []},
                "proof": {
                    "type": PROOF_TYPE,
                    "targetHash": "0x" + target.hex(),
                    "merkleRoot": root,
                    "proof": ["0x" + p.hex() for p in tree.proof(target)],
                },
            }
        )
    return wrapped


def wrap(document: CertificateDocument, salt: Salt = _random_salt) -> dict[str, Any]:
    """A single certificate: a tree of one, whose root is the document's target hash."""
    return wrap_batch([document], salt)[0]


# -- reading wrapped documents ---------------------------------------------------------------------------------------


class WrappedDocument:
    """A parsed wrapped document: its revealed fields, hidden field hashes and proof."""

    def __init__(self, obj: Any) -> None:
        if not isinstance(obj, Mapping) or obj.get("version") != WRAPPED_VERSION:
            raise DocumentError(f"not a wrapped certificate document (expected version {WRAPPED_VERSION!r})")
        data, privacy, proof = obj.get("data"), obj.get("privacy", {}), obj.get("proof")
        if not isinstance(data, Mapping) or not isinstance(proof, Mapping) or not isinstance(privacy, Mapping):
            raise DocumentError("a wrapped document needs the objects data, privacy and proof")
        self.fields: dict[str, tuple[bytes, Scalar]] = {}
        for path, raw in _flatten_raw(data).items():
            match = _SALTED.match(raw) if isinstance(raw, str) else None
            if match is None:
                raise DocumentError(f"field {path}: expected '<64 hex salt>:<JSON value>'")
            try:
                value = orjson.loads(match.group(2))
            except orjson.JSONDecodeError:
                raise DocumentError(f"field {path}: the value after the salt is not JSON") from None
            if isinstance(value, dict | list | float):
                raise DocumentError(f"field {path}: only strings, integers, booleans and null can be certified")
            self.fields[path] = (bytes.fromhex(match.group(1)), value)
        obfuscated = privacy.get("obfuscated", [])
        if not isinstance(obfuscated, list):
            raise DocumentError("privacy.obfuscated must be a list of hashes")
        self.obfuscated = [_hex32(h, "privacy.obfuscated") for h in obfuscated]
        if proof.get("type") != PROOF_TYPE:
            raise DocumentError(f"proof.type must be {PROOF_TYPE!r}")
        self.target_hash = _hex32(proof.get("targetHash"), "proof.targetHash")
        self.merkle_root = _hex32(proof.get("merkleRoot"), "proof.merkleRoot")
        steps = proof.get("proof")
        if not isinstance(steps, list):
            raise DocumentError("proof.proof must be a list of hashes")
        self.proof = [_hex32(step, "proof.proof") for step in steps]

    def value(self, path: str) -> Scalar:
        """A revealed field's value (None when hidden or absent)."""
        entry = self.fields.get(path)
        return None if entry is None else entry[1]

    def computed_target(self) -> bytes:
        return document_target(self.fields, self.obfuscated)

    def integrity(self) -> tuple[bool, str]:
        """Whether the revealed fields, hidden hashes and proof lead to the stated target hash and Merkle root."""
        if self.computed_target() != self.target_hash:
            return False, "the fields do not hash to the document's target hash (a field was changed)"
        if process_proof(self.target_hash, self.proof) != self.merkle_root:
            return False, "the Merkle proof does not lead from the target hash to the stated root"
        return True, "the fields hash to the target hash, and the proof leads to the Merkle root"

    def hide(self, paths: Iterable[str]) -> dict[str, Any]:
        """A copy with ``paths`` hidden (selective disclosure / erasure): values and salts gone, hashes kept."""
        hidden = list(self.obfuscated)
        kept = dict(self.fields)
        for path in paths:
            if path not in kept:
                raise DocumentError(f"field {path} is not revealed in this document")
            salt, value = kept.pop(path)
            hidden.append(field_hash(salt, path, value))
        return {
            "version": WRAPPED_VERSION,
            "data": _unflatten({p: f"{s.hex()}:{canonical(v).decode()}" for p, (s, v) in kept.items()}),
            "privacy": {"obfuscated": sorted("0x" + h.hex() for h in hidden)},
            "proof": {
                "type": PROOF_TYPE,
                "targetHash": "0x" + self.target_hash.hex(),
                "merkleRoot": "0x" + self.merkle_root.hex(),
                "proof": ["0x" + p.hex() for p in self.proof],
            },
        }


def _flatten_raw(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, Mapping):
            out.update(_flatten_raw(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _hex32(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not _HEX32.match(value.lower()):
        raise DocumentError(f"{where}: expected 0x followed by 64 hex digits")
    return bytes.fromhex(value[2:])


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
            raise DocumentError(f"the file is larger than the {limit:,}-byte limit")
        digest.update(block)
    return "0x" + digest.hexdigest()


def fingerprint_serial(serial: str) -> str:
    """The fingerprint of an original known by its serial: SHA-256 of the UTF-8 serial."""
    return "0x" + hashlib.sha256(serial.encode()).hexdigest()


def now() -> int:
    return int(datetime.now(UTC).timestamp())
