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
from ledger.i18n import gettext as _
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
                _(
                    "{version} documents are no longer accepted: {why} (current version {wrapped_version!r})",
                    version=version,
                    why=LEGACY_WRAPPED_VERSIONS[version],
                    wrapped_version=WRAPPED_VERSION,
                )
            )
        if version != WRAPPED_VERSION:
            raise DocumentError(
                _(
                    "not a wrapped certificate document (expected version {wrapped_version!r})",
                    wrapped_version=WRAPPED_VERSION,
                )
            )
        data, privacy, proof = obj.get("data"), obj.get("privacy", {}), obj.get("proof")
        if not isinstance(data, Mapping) or not isinstance(proof, Mapping) or not isinstance(privacy, Mapping):
            raise DocumentError(_("a wrapped document needs the objects data, privacy and proof"))
        self.fields: dict[str, tuple[bytes, Scalar]] = {}
        raw_fields = _flatten_raw(data)
        obfuscated = privacy.get("obfuscated", [])
        if not isinstance(obfuscated, list):
            raise DocumentError(_("privacy.obfuscated must be a list of hashes"))
        if len(raw_fields) + len(obfuscated) > MAX_DOCUMENT_FIELDS:
            raise DocumentError(
                _(
                    "a wrapped document has at most {max_document_fields} fields, revealed and hidden",
                    max_document_fields=MAX_DOCUMENT_FIELDS,
                )
            )
        for path, raw in raw_fields.items():
            match = _SALTED.match(raw) if isinstance(raw, str) else None
            if match is None:
                raise DocumentError(_("field {path}: expected '<64 hex salt>:<JSON value>'", path=path))
            try:
                value = orjson.loads(match.group(2))
            except orjson.JSONDecodeError:
                raise DocumentError(_("field {path}: the value after the salt is not JSON", path=path)) from None
            if isinstance(value, dict | list | float):
                raise DocumentError(
                    _("field {path}: only strings, integers, booleans and null can be certified", path=path)
                )
            self.fields[path] = (bytes.fromhex(match.group(1)), value)
        self.obfuscated = [_hex32(h, "privacy.obfuscated") for h in obfuscated]
        if proof.get("type") != PROOF_TYPE:
            raise DocumentError(_("proof.type must be {proof_type!r}", proof_type=PROOF_TYPE))
        self.target_hash = _hex32(proof.get("targetHash"), "proof.targetHash")
        self.merkle_root = _hex32(proof.get("merkleRoot"), "proof.merkleRoot")
        steps = proof.get("proof")
        if not isinstance(steps, list):
            raise DocumentError(_("proof.proof must be a list of hashes"))
        if len(steps) > MAX_PROOF_STEPS:
            raise DocumentError(_("proof.proof has at most {max_proof_steps} hashes", max_proof_steps=MAX_PROOF_STEPS))
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
            return False, _("the fields do not hash to the document's target hash (a field was changed)")
        if process_proof(self.target_hash, self.proof) != self.merkle_root:
            return False, _("the Merkle proof does not lead from the target hash to the stated root")
        return True, _("the fields hash to the target hash, and the proof leads to the Merkle root")

    def hide(self, paths: Iterable[str]) -> dict[str, Any]:
        """A copy with ``paths`` hidden (selective disclosure / erasure): values and salts gone, hashes kept."""
        hidden = list(self.obfuscated)
        kept = dict(self.fields)
        for path in paths:
            if path not in kept:
                raise DocumentError(_("field {path} is not revealed in this document", path=path))
            salt, value = kept.pop(path)
            hidden.append(field_hash(salt, path, value))
        return wrapped_document(kept, hidden, self.target_hash, self.merkle_root, self.proof)


def _flatten_raw(obj: Mapping[str, Any], prefix: str = "", depth: int = 1) -> dict[str, Any]:
    if depth > MAX_FIELD_DEPTH:
        raise DocumentError(
            _("a wrapped document's data nests at most {max_field_depth} objects deep", max_field_depth=MAX_FIELD_DEPTH)
        )
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, Mapping):
            out.update(_flatten_raw(value, f"{prefix}{key}.", depth + 1))
        else:
            out[f"{prefix}{key}"] = value
        if len(out) > MAX_DOCUMENT_FIELDS:
            raise DocumentError(
                _(
                    "a wrapped document has at most {max_document_fields} fields, revealed and hidden",
                    max_document_fields=MAX_DOCUMENT_FIELDS,
                )
            )
    return out


def _hex32(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not HEX32.match(value.lower()):
        raise DocumentError(_("{where}: expected 0x followed by 64 hex digits", where=where))
    return bytes.fromhex(value[2:])
