"""Reading a wrapped document (what a holder presents): parse it strictly, check its integrity, hide fields.

The checks follow :mod:`ledger.documents.spec`: the revealed fields and hidden hashes must hash to the stated target
hash, and the proof must lead from it to the stated root. Whether that root is on chain, by whom and in what state is
the verification rules' business (:mod:`ledger.verification.rules`), not this module's. Older wrapped versions are
refused with the reason, never verified with their rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from ledger.documents.model import (
    MAX_DOCUMENT_FIELDS,
    MAX_FIELD_DEPTH,
    MAX_PROOF_STEPS,
    DocumentError,
    Scalar,
)
from ledger.documents.spec import (
    PROOF_TYPE,
    WRAPPED_VERSION,
    document_target,
    field_hash,
    process_proof,
    wrapped_document,
)
from ledger.vocabulary import HEX32

LEGACY_WRAPPED_VERSIONS = {
    "originals/wrapped/1": "its target hash was keccak256 of the sorted field hashes with no leaf/node domain "
    "separation, so a forged document could pass for a node of a Merkle batch (see docs/security.md); ask the issuer "
    "to issue the certificate again",
}
"""Wrapped-document versions that existed but are refused, with the reason told to whoever presents one."""

_SALTED = re.compile(r"^([0-9a-f]{64}):(.*)$", re.DOTALL)


class WrappedDocument:
    """A parsed wrapped document: its revealed fields, hidden field hashes and proof."""

    def __init__(self, obj: Any) -> None:
        version = obj.get("version") if isinstance(obj, Mapping) else None
        if isinstance(version, str) and version in LEGACY_WRAPPED_VERSIONS:
            raise DocumentError(
                f"{version} documents are no longer accepted: {LEGACY_WRAPPED_VERSIONS[version]} "
                f"(current version {WRAPPED_VERSION!r})"
            )
        if version != WRAPPED_VERSION:
            raise DocumentError(f"not a wrapped certificate document (expected version {WRAPPED_VERSION!r})")
        data, privacy, proof = obj.get("data"), obj.get("privacy", {}), obj.get("proof")
        if not isinstance(data, Mapping) or not isinstance(proof, Mapping) or not isinstance(privacy, Mapping):
            raise DocumentError("a wrapped document needs the objects data, privacy and proof")
        self.fields: dict[str, tuple[bytes, Scalar]] = {}
        raw_fields = _flatten_raw(data)
        obfuscated = privacy.get("obfuscated", [])
        if not isinstance(obfuscated, list):
            raise DocumentError("privacy.obfuscated must be a list of hashes")
        if len(raw_fields) + len(obfuscated) > MAX_DOCUMENT_FIELDS:
            raise DocumentError(f"a wrapped document has at most {MAX_DOCUMENT_FIELDS} fields, revealed and hidden")
        for path, raw in raw_fields.items():
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
        self.obfuscated = [_hex32(h, "privacy.obfuscated") for h in obfuscated]
        if proof.get("type") != PROOF_TYPE:
            raise DocumentError(f"proof.type must be {PROOF_TYPE!r}")
        self.target_hash = _hex32(proof.get("targetHash"), "proof.targetHash")
        self.merkle_root = _hex32(proof.get("merkleRoot"), "proof.merkleRoot")
        steps = proof.get("proof")
        if not isinstance(steps, list):
            raise DocumentError("proof.proof must be a list of hashes")
        if len(steps) > MAX_PROOF_STEPS:
            raise DocumentError(f"proof.proof has at most {MAX_PROOF_STEPS} hashes")
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
        return wrapped_document(kept, hidden, self.target_hash, self.merkle_root, self.proof)


def _flatten_raw(obj: Mapping[str, Any], prefix: str = "", depth: int = 1) -> dict[str, Any]:
    if depth > MAX_FIELD_DEPTH:
        raise DocumentError(f"a wrapped document's data nests at most {MAX_FIELD_DEPTH} objects deep")
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, Mapping):
            out.update(_flatten_raw(value, f"{prefix}{key}.", depth + 1))
        else:
            out[f"{prefix}{key}"] = value
        if len(out) > MAX_DOCUMENT_FIELDS:
            raise DocumentError(f"a wrapped document has at most {MAX_DOCUMENT_FIELDS} fields, revealed and hidden")
    return out


def _hex32(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not HEX32.match(value.lower()):
        raise DocumentError(f"{where}: expected 0x followed by 64 hex digits")
    return bytes.fromhex(value[2:])
