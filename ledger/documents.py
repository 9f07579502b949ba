"""Certificate documents: their form, salted field hashes, target hashes, Merkle batches and proofs.

This is the ONE module that turns documents into hashes. A document (see :class:`CertificateDocument`) is flattened
into scalar fields addressed by dotted paths (``original.attributes.colour``). Each field gets 32 random bytes of
salt, and

    field hash  = keccak256(salt ‖ uint32be(len(path)) ‖ path ‖ canonical JSON of the value)
    digest      = keccak256(concatenation of the sorted field hashes)
    target hash = keccak256(digest)                      (= :func:`ledger.merkle.leaf_hash`)

The target hash is the document's Merkle leaf (the ``leaf`` the contract and the API speak of); a batch's root is the
sorted-pair keccak256 tree of :mod:`ledger.merkle`, exactly what ``CertificateRegistry`` verifies with OpenZeppelin's
MerkleProof. The second hash is domain separation: a leaf is keccak256 of 32 bytes, an internal node keccak256 of 64,
so no document can hash to an internal node or to a batch root (with version 1, which had no second hash, a document
of two hidden field hashes could; see docs/security.md). Because the target hash covers *sorted field hashes*, any
field can be hidden (its value and salt removed, its hash kept in ``privacy.obfuscated``) and the document still
verifies: selective disclosure. Deleting a field's salt makes its value unlinkable to its hash (the salt is 256
bits): erasure.

A *wrapped* document is what holders keep: ``data`` is the document with every scalar replaced by
``"<salt hex>:<canonical JSON value>"``, plus ``privacy`` and ``proof`` (target hash, Merkle root, proof). Its
``version`` names the hashing rule: ``originals/wrapped/2``; version 1 documents are refused with an explanation,
never verified with the old rule (that would keep the forgery open). Pure functions only; randomness is injectable
for golden test vectors.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, BinaryIO, Literal

import orjson
from orjson import OPT_SORT_KEYS, dumps
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ledger.errors import LedgerError
from ledger.hashing import keccak, keccak_all
from ledger.merkle import MerkleTree, leaf_hash, process_proof

SCHEMA_VERSION = "originals/certificate/1"
WRAPPED_VERSION = "originals/wrapped/2"
LEGACY_WRAPPED_VERSIONS = {
    "originals/wrapped/1": "its target hash was keccak256 of the sorted field hashes with no leaf/node domain "
    "separation, so a forged document could pass for a node of a Merkle batch (see docs/security.md); ask the issuer "
    "to issue the certificate again",
}
"""Wrapped-document versions that existed but are refused, with the reason told to whoever presents one."""
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


def _path_prefix(path: str) -> bytes:
    """``uint32be(len(path)) ‖ path``: the part of a field hash's preimage between the salt and the value."""
    try:
        encoded = path.encode()
    except UnicodeEncodeError as exc:
        raise DocumentError(f"field {path}: cannot be written as canonical JSON ({exc})") from None
    return len(encoded).to_bytes(4, "big") + encoded


def _canonical_value(path: str, value: Scalar) -> bytes:
    try:
        return canonical(value)
    except orjson.JSONEncodeError as exc:
        raise DocumentError(f"field {path}: cannot be written as canonical JSON ({exc})") from None


def field_hash(salt: bytes, path: str, value: Scalar) -> bytes:
    """The hash of one salted field (see the module docstring for the exact bytes)."""
    if len(salt) != 32:
        raise DocumentError(f"field {path}: a salt must be 32 bytes")
    return keccak(salt + _path_prefix(path) + _canonical_value(path, value))


def target_hash(field_hashes: Iterable[bytes]) -> bytes:
    """The document's Merkle leaf: keccak256(keccak256(its field hashes in sorted order)), the outer hash being the
    leaf/node domain separation of :func:`ledger.merkle.leaf_hash`."""
    return leaf_hash(keccak(b"".join(sorted(field_hashes))))


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """Scalar leaves by dotted path. Empty objects vanish (they carry no value to certify)."""
    out: dict[str, Scalar] = {}
    _flatten_into(obj, prefix, out)
    return out


def _flatten_into(obj: Mapping[str, Any], prefix: str, out: dict[str, Scalar]) -> None:
    for key, value in obj.items():
        path = f"{prefix}{key}"
        kind = type(value)
        # Exact scalar types first: the wrapping hot path, and none of them is a Mapping, list or float.
        if kind is str or kind is int or kind is bool or value is None:
            out[path] = value
        elif isinstance(value, Mapping):
            _flatten_into(value, path + ".", out)
        elif isinstance(value, list | tuple):
            raise DocumentError(f"field {path}: lists are not supported; use attributes with distinct names")
        elif isinstance(value, float):
            raise DocumentError(f"field {path}: floats are not canonical; write the number as a string")
        else:
            out[path] = value


_ALIASES: dict[type[BaseModel], tuple[tuple[str, str], ...]] = {}


def _document_fields(document: CertificateDocument) -> dict[str, Scalar]:
    """``flatten(document.to_json())`` read straight from the model's attributes, without serialising it first.

    The models hold only strings, integers, booleans, None, dicts of those and nested models, which JSON mode writes
    as they are; should anything else ever appear, this falls back to ``to_json``, so the two never differ.
    """
    out: dict[str, Scalar] = {}
    if _model_fields_into(document, "", out):
        return out
    return flatten(document.to_json())


def _model_fields_into(model: BaseModel, prefix: str, out: dict[str, Scalar]) -> bool:
    """Add ``model``'s fields to ``out`` by dotted alias path; False when a value is not a plain JSON scalar."""
    cls = type(model)
    aliases = _ALIASES.get(cls)
    if aliases is None:
        fields = cls.model_fields.items()
        aliases = _ALIASES[cls] = tuple((name, f.serialization_alias or f.alias or name) for name, f in fields)
    for name, key in aliases:
        value = getattr(model, name)
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            out[prefix + key] = value
        elif isinstance(value, BaseModel):
            if not _model_fields_into(value, f"{prefix}{key}.", out):
                return False
        elif kind is dict:
            for item, scalar in value.items():
                kind = type(scalar)
                if not (kind is str or kind is int or kind is bool or scalar is None):
                    return False
                out[f"{prefix}{key}.{item}"] = scalar
        else:
            return False
    return True


def _unflatten(fields: Mapping[str, Any]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path, value in fields.items():
        node = root
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return root


@dataclass(frozen=True)
class _Shape:
    """What the documents of a batch with the same field paths share, worked out once per batch: each field's path
    bytes, and a function that nests the salted fields into ``data`` exactly as :func:`_unflatten` does (same keys,
    same insertion order)."""

    prefixes: tuple[bytes, ...]
    nest: Callable[[Sequence[str]], dict[str, Any]]
    """The field values (in path order) nested into ``data``."""

    @classmethod
    def of(cls, paths: Sequence[str]) -> _Shape:
        return cls(tuple(_path_prefix(path) for path in paths), _nesting(paths))


def _nesting(paths: Sequence[str]) -> Callable[[Sequence[str]], dict[str, Any]]:
    """A function of the field values (in ``paths`` order) that returns them nested as :func:`_unflatten` would.

    It is compiled from one nested dict display, ``lambda v: {k[0]: {k[1]: v[0], ...}, ...}``: a document's objects
    are then built by a single expression, about four times as fast as any loop over the paths (wrapping calls it
    once per document). The source holds only indices, never a key: the keys are read from the tuple ``k``, so no
    text from a document is ever compiled. Each object lists its entries in order of first appearance, which is
    _unflatten's insertion order (a child object is inserted where its first path is met).
    """
    keys: list[str] = []
    entries: dict[tuple[str, ...], list[tuple[int, int | tuple[str, ...]]]] = {(): []}
    for index, path in enumerate(paths):
        *parents, last = path.split(".")
        for depth, part in enumerate(parents):
            node = tuple(parents[: depth + 1])
            if node not in entries:
                entries[node] = []
                entries[node[:-1]].append((len(keys), node))
                keys.append(part)
        entries[tuple(parents)].append((len(keys), index))
        keys.append(last)

    def display(node: tuple[str, ...]) -> str:
        items = (f"k[{key}]: {display(t) if isinstance(t, tuple) else f'v[{t}]'}" for key, t in entries[node])
        return "{" + ", ".join(items) + "}"

    nest: Callable[[Sequence[str]], dict[str, Any]] = eval(f"lambda v: {display(())}", {"k": tuple(keys)})
    return nest


# -- wrapping -------------------------------------------------------------------------------------------------------


def _random_salt() -> bytes:
    return secrets.token_bytes(32)


def salted_fields(document: CertificateDocument, salt: Salt = _random_salt) -> dict[str, tuple[bytes, Scalar]]:
    """Each field of ``document`` with a fresh salt, by path."""
    return {path: (salt(), value) for path, value in sorted(flatten(document.to_json()).items())}


def document_target(fields: Mapping[str, tuple[bytes, Scalar]], obfuscated: Iterable[bytes] = ()) -> bytes:
    return target_hash([field_hash(s, p, v) for p, (s, v) in fields.items()] + list(obfuscated))


def _batch_salts(paths: Sequence[Sequence[str]], salt: Salt) -> list[bytes]:
    """The salts of a batch in the order of its fields (document by document, ascending path).

    The default draws them all with one ``os.urandom`` call (the same CSPRNG as ``secrets``) instead of one system
    call per field; an injected ``salt`` (golden vectors) is asked once per field in that order, as always.
    """
    if salt is not _random_salt:
        salts = []
        for ordered in paths:
            for path in ordered:
                salts.append(salt())
                if len(salts[-1]) != 32:
                    raise DocumentError(f"field {path}: a salt must be 32 bytes")
        return salts
    pool = os.urandom(32 * sum(map(len, paths)))
    return [pool[i : i + 32] for i in range(0, len(pool), 32)]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is built.

    Wrapping 10,000 documents allocates some 100,000 dicts and lists that live on (the wrapped documents), which
    makes the collector run full collections over the whole heap mid-batch; they find nothing, since what is built
    is acyclic, and cost about a quarter of the wrapping time. Reference counting still frees everything as usual;
    the collector is resumed (if it was running) when the batch is done, and catches up then. Two threads wrapping
    at once leave it running as it was: whoever found it running turns it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def wrap_batch(documents: Sequence[CertificateDocument], salt: Salt = _random_salt) -> list[dict[str, Any]]:
    """Salt and hash each document, build the Merkle tree over their target hashes, and return the wrapped
    documents (in input order), each carrying the root and its proof.

    The hot path of issuance: the same bytes as :func:`salted_fields`, :func:`field_hash`, :func:`document_target`
    and :func:`_unflatten` (the golden vectors pin them), computed with what documents of one shape share worked
    out once per batch (:class:`_Shape`: path bytes and a compiled nesting), all salts drawn at once, the whole
    batch's fields put in one list so that encoding (:func:`_encode_all`), hashing and salted strings are each a
    C-level ``map`` over it rather than Python code per field, all proofs written in one pass over the tree's nodes
    each converted to hex once (:meth:`MerkleTree.proofs_by_leaf`), and the garbage collector paused
    (:func:`_gc_paused`).

    Raises:
        DocumentError: a field that canonical JSON cannot write, or two documents identical down to their salts
            (cannot happen with random salts).
    """
    with _gc_paused():
        fields = [_document_fields(document) for document in documents]
        paths = [tuple(sorted(flat)) for flat in fields]
        salts = _batch_salts(paths, salt)
        # The whole batch's fields in one flat list (document by document, ascending path), so that each step below is
        # one C-level map over all of them rather than Python code per field; ``ends[d]`` is where document d ends.
        shapes: dict[tuple[str, ...], _Shape] = {}
        values: list[Scalar] = []
        prefixes: list[bytes] = []
        ends: list[int] = []
        nests: list[Callable[[Sequence[str]], dict[str, Any]]] = []
        for flat, ordered in zip(fields, paths, strict=True):
            shape = shapes.get(ordered) or shapes.setdefault(ordered, _Shape.of(ordered))
            values.extend(map(flat.__getitem__, ordered))
            prefixes.extend(shape.prefixes)
            ends.append(len(values))
            nests.append(shape.nest)
        spans = list(map(slice, [0, *ends[:-1]], ends))
        encoded, texts = _encode_all(values, spans, paths)
        hashes = keccak_all(map(b"".join, zip(salts, prefixes, encoded, strict=True)))
        # target_hash() of each document: keccak of its sorted field hashes, then the leaf hash (keccak of those 32
        # bytes; leaf_hash's length check holds by construction).
        targets = keccak_all(keccak_all(map(b"".join, map(sorted, map(hashes.__getitem__, spans)))))
        if len(set(targets)) != len(targets):
            raise DocumentError("two documents of the batch have the same target hash")
        salted = list(map(":".join, zip(map(bytes.hex, salts), texts, strict=True)))
        datas = list(map(_apply, nests, map(salted.__getitem__, spans)))
        tree = MerkleTree.of(targets)
        nodes = ["0x" + node.hex() for node in tree.nodes]
        proofs = tree.proofs_by_leaf(nodes)
        return [
            {
                "version": WRAPPED_VERSION,
                "data": data,
                "privacy": {"obfuscated": []},
                "proof": {
                    "type": PROOF_TYPE,
                    "targetHash": "0x" + target.hex(),
                    "merkleRoot": nodes[0],
                    "proof": proofs[target],
                },
            }
            for data, target in zip(datas, targets, strict=True)
        ]


def _apply(nest: Callable[[Sequence[str]], dict[str, Any]], values: Sequence[str]) -> dict[str, Any]:
    return nest(values)


_dumps_canonical = partial(dumps, option=OPT_SORT_KEYS)
""":func:`canonical` as one C callable, to ``map`` over values."""


def _encode_all(
    values: Sequence[Scalar], spans: Sequence[slice], paths: Sequence[Sequence[str]]
) -> tuple[list[bytes], list[str]]:
    """The canonical JSON of each value of a batch (document by document, in path order), as bytes and as text.

    Written as one JSON array and split at its commas: one orjson call for the batch instead of one per value
    (each of which also takes a fresh ~1 KiB buffer). Scalars are written the same inside an array as alone, and
    the split is only taken when it gives exactly one part per value, which proves that no value's JSON holds a
    comma (each value gives its commas plus one parts); otherwise that split is redone document by document, and a
    document whose values hold a comma is written one value at a time. JSON text never holds a raw newline, so the
    parts are decoded at once, joined by newlines.

    Raises:
        DocumentError: naming the first field (in path order) that canonical JSON cannot write.
    """
    if not values:
        return [], []
    try:
        encoded = dumps(values, None, OPT_SORT_KEYS)[1:-1].split(b",")
    except orjson.JSONEncodeError:
        fields = (path for ordered in paths for path in ordered)
        for path, value in zip(fields, values, strict=True):
            _canonical_value(path, value)
        raise  # pragma: no cover - the loop above raised for the same value
    if len(encoded) != len(values):
        encoded = []
        for span in spans:
            chunk = values[span]
            parts = dumps(chunk, None, OPT_SORT_KEYS)[1:-1].split(b",")
            encoded.extend(parts if len(parts) == len(chunk) else map(_dumps_canonical, chunk))
    return encoded, b"\n".join(encoded).decode().split("\n")


def wrap(document: CertificateDocument, salt: Salt = _random_salt) -> dict[str, Any]:
    """A single certificate: a tree of one, whose root is the document's target hash."""
    return wrap_batch([document], salt)[0]


# -- reading wrapped documents ---------------------------------------------------------------------------------------


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
