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
import io
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from itertools import accumulate, chain, repeat
from keyword import iskeyword
from operator import attrgetter, call, itemgetter
from struct import Struct
from typing import Any, BinaryIO, Literal, TypeVar, get_origin

import orjson
from orjson import OPT_SORT_KEYS, dumps
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    RootModel,
    ValidationError,
    WrapSerializer,
    field_validator,
)
from pydantic.fields import FieldInfo

from ledger.errors import LedgerError
from ledger.hashing import keccak, keccak_all
from ledger.merkle import MerkleError, MerkleTree, leaf_hash, process_proof

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

Salt = Callable[[], bytes]
T = TypeVar("T")
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
        if not _HEX32.match(value.lower()):
            raise ValueError("must be 0x followed by 64 hex digits (a SHA-256)")
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
                f"attribute name {str(key)[:MAX_ATTRIBUTE_NAME]!r} must be non-empty, contain no '.' and have at "
                f"most {MAX_ATTRIBUTE_NAME} characters"
            )
        if isinstance(item, float):
            raise ValueError(f"attribute {key!r}: floats are not canonical; write the number as a string")
        if isinstance(item, str) and len(item) > MAX_ATTRIBUTE_TEXT:
            raise ValueError(f"attribute {key!r}: a text has at most {MAX_ATTRIBUTE_TEXT:,} characters")
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


_PLAIN_SCALARS = frozenset({str, int, bool, type(None)})
"""The exact types JSON mode leaves as they are and canonical JSON writes as the scalar they are."""


def _plain_model(model: type[BaseModel]) -> bool:
    """Whether ``to_json`` writes instances of ``model`` as exactly their declared fields, each under its alias (no
    computed, extra or excluded fields, no custom serialiser): then reading the attributes gives the same fields."""
    decorators = model.__pydantic_decorators__
    return not (
        issubclass(model, RootModel)
        or model.model_computed_fields
        or model.model_config.get("extra") == "allow"
        or decorators.field_serializers
        or decorators.model_serializers
        or any(_custom_field(info) for info in model.model_fields.values())
    )


def _custom_field(info: FieldInfo) -> bool:
    """Whether ``to_json`` may leave the field out or write it otherwise than as its value (a serialiser of its own)."""
    serialisers = (m for m in info.metadata if isinstance(m, PlainSerializer | WrapSerializer))
    return bool(info.exclude or info.exclude_if is not None or any(serialisers))


@dataclass(frozen=True)
class _Reader:
    """Where the fields of a document class are, found once from its declared fields, to read a batch of its
    documents straight from their attributes instead of serialising each one.

    Each entry names the object it is read from (``d``, the document, or ``m0``, ``m1``, ... the nested models in
    the order of ``models``) and the attribute: ``models`` with the declared class of each nested model (checked:
    a foreign object put there by ``model_construct`` takes the definition instead), ``scalars`` with the dotted
    path of each scalar field, and ``dicts`` with the path prefix of each dict field (``original.attributes.``);
    paths are the keys ``to_json`` writes (``issuedAt``, not ``issued_at``). ``signature`` returns a document's
    dicts (one, or a tuple of them): its field paths depend only on their keys, which :func:`_signature_reader`
    turns into a compiled reader once per set of keys.
    """

    models: tuple[tuple[str, str, type[BaseModel]], ...]
    scalars: tuple[tuple[str, str, str], ...]
    dicts: tuple[tuple[str, str, str], ...]
    signature: Callable[[Any], Any] | None
    """None when the class has no dict field."""


_READERS: dict[type[BaseModel], _Reader | None] = {}


def _reader(cls: type[BaseModel]) -> _Reader | None:
    """The reader of ``cls`` (cached per class), or None when a model in it is not :func:`_plain_model`."""
    if cls not in _READERS:
        models: list[tuple[str, str, type[BaseModel]]] = []
        scalars: list[tuple[str, str, str]] = []
        dicts: list[tuple[str, str, str]] = []
        chains: list[str] = []

        def walk(model: type[BaseModel], variable: str, attributes: str, path: str) -> bool:
            if not _plain_model(model):
                return False
            for name, info in model.model_fields.items():
                if not name.isidentifier() or iskeyword(name):  # it is written into the compiled reader
                    return False
                key = path + (info.serialization_alias or info.alias or name)
                annotation = info.annotation
                if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                    models.append((variable, name, annotation))
                    if not walk(annotation, f"m{len(models) - 1}", f"{attributes}{name}.", f"{key}."):
                        return False
                elif get_origin(annotation) is dict:
                    dicts.append((variable, name, f"{key}."))
                    chains.append(attributes + name)
                else:
                    # Checked at run time (one pass over the batch's values): anything but a plain scalar, e.g. a
                    # list or a model in an optional field, takes the definition.
                    scalars.append((variable, name, key))
            return True

        plain = walk(cls, "d", "", "")
        signature = attrgetter(*chains) if chains else None
        _READERS[cls] = _Reader(tuple(models), tuple(scalars), tuple(dicts), signature) if plain else None
    return _READERS[cls]


_Read = Callable[[Any], tuple[Scalar, ...] | None]


@lru_cache(maxsize=64)
def _signature_reader(reader: _Reader, signature: tuple[tuple[Any, ...], ...]) -> tuple[_Shape, _Read] | None:
    """The shape of the documents read by ``reader`` whose dicts have the keys ``signature`` (each in insertion
    order), and a compiled function that reads such a document's field values in path order, or returns None when a
    nested model or a dict is not of its declared class; None when a key is not a string or two fields would have
    the same path (the definition then decides).

    The function is one conditional expression, e.g. ``lambda d: (m0.chain_id, ..., a0[k[0]], ...) if type(m0 :=
    d.chain) is M[0] and ... and type(a0 := m2.attributes) is dict and len(a0) == 3 else None``: one call reads a
    document, and a dict of the same size that lacks a key raises KeyError, so that a document with other keys is
    never read as this shape. Its source holds attribute names of the document class (identifiers declared in code)
    and numbers, never a key from a document: those are read from the tuple ``k``. Bounded cache: batches and
    single documents of the same shape (nearly all) compile it once.
    """
    items = [(path, f"{variable}.{name}") for variable, name, path in reader.scalars]
    keys: list[str] = []
    for index, ((_, _, prefix), names) in enumerate(zip(reader.dicts, signature, strict=True)):
        for name in names:
            if type(name) is not str:
                return None
            items.append((prefix + name, f"a{index}[k[{len(keys)}]]"))
            keys.append(name)
    items.sort()
    paths = tuple(path for path, _ in items)
    if len(set(paths)) != len(paths):
        return None
    checks = [f"type(m{i} := {variable}.{name}) is M[{i}]" for i, (variable, name, _) in enumerate(reader.models)]
    checks += [
        f"type(a{i} := {variable}.{name}) is dict and len(a{i}) == {len(names)}"
        for i, ((variable, name, _), names) in enumerate(zip(reader.dicts, signature, strict=True))
    ]
    values = f"({''.join(source + ', ' for _, source in items)})"
    source = f"lambda d: {values} if {' and '.join(checks)} else None" if checks else f"lambda d: {values}"
    classes = tuple(model for _, _, model in reader.models)
    read: _Read = eval(source, {"k": tuple(keys), "M": classes})
    return _Shape.of(paths), read


def _read_batch(documents: Sequence[CertificateDocument]) -> tuple[list[Scalar], list[_Shape]] | None:
    """:func:`_batch_fields` for a batch of one plain document class holding plain scalars where the class declares
    them, with C-level calls over the whole batch: one call of a compiled reader per document (:func:`_read_alike`,
    else :func:`_read_shapes`) and one pass to check the values' types. None otherwise."""
    classes = set(map(type, documents))
    reader = _reader(classes.pop()) if len(classes) == 1 else None
    if reader is None:
        return None
    try:
        read = _read_alike(reader, documents) or _read_shapes(reader, documents)
    except (AttributeError, KeyError, TypeError):  # a foreign object where the class declares a model or a dict
        return None
    if read is None or not set(map(type, read[0])) <= _PLAIN_SCALARS:
        return None
    return read


def _signature(reader: _Reader, document: CertificateDocument) -> tuple[tuple[Any, ...], ...]:
    """The keys of each of ``document``'s dicts, in insertion order."""
    if reader.signature is None:
        return ()
    if len(reader.dicts) == 1:
        return (tuple(reader.signature(document)),)
    return tuple(map(tuple, reader.signature(document)))


def _read_alike(reader: _Reader, documents: Sequence[CertificateDocument]) -> tuple[list[Scalar], list[_Shape]] | None:
    """The batch read with the shape of its first document (nearly every batch has one shape), finding no one's
    keys: the compiled reader checks the size of each dict, and a key that a dict lacks raises KeyError. None when a
    document has other keys."""
    shaped = _signature_reader(reader, _signature(reader, documents[0]))
    if shaped is None:
        return None
    shape, read = shaped
    try:
        # A reader's None (another dict size, a foreign nested object) is not iterable: TypeError.
        values: list[Scalar] = list(chain.from_iterable(map(read, documents)))  # type: ignore[arg-type]
    except (KeyError, TypeError):
        return None
    return values, [shape] * len(documents)


def _read_shapes(reader: _Reader, documents: Sequence[CertificateDocument]) -> tuple[list[Scalar], list[_Shape]] | None:
    """The batch read with the shape of each document's keys (one pass to find them, one reader per set of keys)."""
    if reader.signature is None:
        signatures: list[tuple[tuple[Any, ...], ...]] = [()] * len(documents)
    elif len(reader.dicts) == 1:
        signatures = list(zip(map(tuple, map(reader.signature, documents))))
    else:
        signatures = [tuple(map(tuple, dicts)) for dicts in map(reader.signature, documents)]
    found: dict[tuple[tuple[Any, ...], ...], tuple[_Shape, _Read]] = {}
    for signature in set(signatures):
        shaped = _signature_reader(reader, signature)
        if shaped is None:
            return None
        found[signature] = shaped
    shaped_rows = list(map(found.__getitem__, signatures))
    rows = map(call, map(itemgetter(1), shaped_rows), documents)
    values: list[Scalar] = list(chain.from_iterable(rows))
    return values, list(map(itemgetter(0), shaped_rows))


def _batch_fields(documents: Sequence[CertificateDocument]) -> tuple[list[Scalar], list[_Shape]]:
    """Every field value of the batch (document by document, in ascending path order) and each document's shape:
    ``flatten(document.to_json())`` with its paths sorted, read by :func:`_read_batch` where it can, else by that
    definition (the two never differ: the reader covers only what JSON mode writes unchanged)."""
    read = _read_batch(documents)
    if read is not None:
        return read
    by_paths: dict[tuple[str, ...], _Shape] = {}
    values: list[Scalar] = []
    shapes: list[_Shape] = []
    for document in documents:
        flat = flatten(document.to_json())
        paths = tuple(sorted(flat))
        shape = by_paths.get(paths) or by_paths.setdefault(paths, _Shape.of(paths))
        values.extend(map(flat.__getitem__, paths))
        shapes.append(shape)
    return values, shapes


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
    """What the documents of a batch with the same field paths share, worked out once: the paths (ascending), each
    field's path bytes, and a function that writes a wrapped document of that shape (see :func:`_wrapper`)."""

    paths: tuple[str, ...]
    prefixes: tuple[bytes, ...]
    wrapped: Callable[..., dict[str, Any]]
    """(salts, value texts, target hash, root, proof) -> the wrapped document, fields in path order."""

    @classmethod
    def of(cls, paths: tuple[str, ...]) -> _Shape:
        return cls(paths, tuple(map(_path_prefix, paths)), _wrapper(paths))


def _wrapper(paths: Sequence[str]) -> Callable[..., dict[str, Any]]:
    """A function ``(s, t, x, r, p)`` of the salts and canonical JSON texts of a document's fields (in ``paths``
    order), its target hash, the root and its proof (0x hex), that returns the wrapped document: ``data`` nested as
    :func:`_unflatten` would with each field ``f"{s[i].hex()}:{t[i]}"``, then ``privacy`` and ``proof``.

    It is compiled from one dict display, ``lambda s, t, x, r, p: {..., 'data': {k[0]: {k[1]: f"{s[0].hex()}:
    {t[0]}", ...}, ...}, ...}``: a wrapped document is then built, salted strings included, by a single expression,
    several times as fast as loops over the paths (wrapping calls it once per document), and each salt's hex lives
    only until its salted string is written. The source holds only indices and this module's own keys, never a key
    from a document: those are read from the tuple ``k``, so no text from a document is ever compiled. Each object
    lists its entries in order of first appearance, which is _unflatten's insertion order (a child object is
    inserted where its first path is met).
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

    def field(index: int) -> str:
        return f'f"{{s[{index}].hex()}}:{{t[{index}]}}"'

    def display(node: tuple[str, ...]) -> str:
        items = (f"k[{key}]: {display(t) if isinstance(t, tuple) else field(t)}" for key, t in entries[node])
        return "{" + ", ".join(items) + "}"

    source = (
        f"lambda s, t, x, r, p: {{'version': V, 'data': {display(())}, 'privacy': {{'obfuscated': []}}, "
        "'proof': {'type': T, 'targetHash': x, 'merkleRoot': r, 'proof': p}}"
    )
    wrapped: Callable[..., dict[str, Any]] = eval(source, {"k": tuple(keys), "V": WRAPPED_VERSION, "T": PROOF_TYPE})
    return wrapped


# -- wrapping -------------------------------------------------------------------------------------------------------


def _random_salt() -> bytes:
    return secrets.token_bytes(32)


def salted_fields(document: CertificateDocument, salt: Salt = _random_salt) -> dict[str, tuple[bytes, Scalar]]:
    """Each field of ``document`` with a fresh salt, by path."""
    return {path: (salt(), value) for path, value in sorted(flatten(document.to_json()).items())}


def document_target(fields: Mapping[str, tuple[bytes, Scalar]], obfuscated: Iterable[bytes] = ()) -> bytes:
    return target_hash([field_hash(s, p, v) for p, (s, v) in fields.items()] + list(obfuscated))


def _batch_salts(shapes: Sequence[_Shape], cut: _Cut, salt: Salt) -> list[Sequence[bytes]]:
    """The salts of a batch, one sequence per document, each in the order of its fields (ascending path).

    The default draws them all with one ``os.urandom`` call (the same CSPRNG as ``secrets``) instead of one system
    call per field, cut into 32-byte salts by C-level calls (one ``struct`` unpack per document when they all have
    as many fields); an injected ``salt`` (golden vectors) is asked once per field in that order (document by
    document), as always.
    """
    if salt is not _random_salt:
        salts = []
        for shape in shapes:
            for path in shape.paths:
                salts.append(salt())
                if len(salts[-1]) != 32:
                    raise DocumentError(f"field {path}: a salt must be 32 bytes")
        return list(cut(salts))
    pool = os.urandom(32 * cut.count)
    if cut.size:
        return list(Struct("32s" * cut.size).iter_unpack(pool))
    return list(cut(list(iter(partial(io.BytesIO(pool).read, 32), b""))))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is built.

    Wrapping 10,000 documents allocates some 100,000 dicts and lists that live on (the wrapped documents), which
    makes the collector run full collections over the whole heap mid-batch; they find nothing, since what is built
    is acyclic, and cost about a quarter of the wrapping time. Reference counting still frees everything as usual;
    the collector is resumed (if it was running) when the batch is done, and catches up then (its first collection
    then walks what is still alive, which is why the batch's intermediate lists are dropped before that). Two
    threads wrapping at once leave it running as it was: whoever found it running turns it back on.
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
    and :func:`_unflatten` (the golden vectors pin them), computed over the whole batch at once (see
    :func:`_wrap_batch`) with the garbage collector paused (:func:`_gc_paused`).

    Raises:
        DocumentError: a field that canonical JSON cannot write, or two documents identical down to their salts
            (cannot happen with random salts).
    """
    with _gc_paused():
        # In a function of its own so that its intermediate lists are freed before the collector resumes.
        return _wrap_batch(documents, salt)


_PATHS = attrgetter("paths")
_PREFIXES = attrgetter("prefixes")
_WRAPPED = attrgetter("wrapped")


def _wrap_batch(documents: Sequence[CertificateDocument], salt: Salt) -> list[dict[str, Any]]:
    """:func:`wrap_batch`, with what documents of one shape share worked out once (:class:`_Shape`: path bytes and
    a compiled writer of the wrapped document), the fields read by a compiled reader per shape
    (:func:`_batch_fields`), all salts drawn at once, and the whole batch's fields in one list so that encoding
    (:func:`_encode_all`) and hashing are each a C-level ``map`` over it rather than Python code per field; what
    is left per document is one call of its reader and one of its shape's writer (which writes the salted strings).
    All proofs are written from the root down with each node converted to hex once (:meth:`MerkleTree.node_proofs`),
    the target hash being its node's label.
    """
    values, shapes = _batch_fields(documents)
    cut = _Cut.of(list(map(len, map(_PATHS, shapes))))
    salts = _batch_salts(shapes, cut, salt)
    encoded, texts = _encode_all(values, cut, shapes)
    prefixes = chain.from_iterable(map(_PREFIXES, shapes))
    hashes = keccak_all(map(b"".join, zip(chain.from_iterable(salts), prefixes, encoded, strict=True)))
    del encoded  # each intermediate list is dropped once used, so later steps reuse its (cache-warm) memory
    # target_hash() of each document: keccak of its sorted field hashes, then the leaf hash (keccak of those 32
    # bytes; leaf_hash's length check holds by construction).
    targets = keccak_all(keccak_all(map(b"".join, map(sorted, cut(hashes)))))
    del hashes
    try:
        tree = MerkleTree.of(targets)
    except MerkleError:  # for 32-byte hashes, only a repeated leaf, or none at all
        if not targets:
            raise
        raise DocumentError("two documents of the batch have the same target hash") from None
    labels = list(map("0x".__add__, map(bytes.hex, tree.nodes)))
    proofs = tree.node_proofs(labels)
    leaves = tree.positions(targets)
    columns = (salts, cut(texts), map(labels.__getitem__, leaves), repeat(labels[0]), map(proofs.__getitem__, leaves))
    if shapes.count(shapes[0]) == len(shapes):  # one shape (nearly every batch): its writer, called directly
        return list(map(shapes[0].wrapped, *columns))
    return list(map(call, map(_WRAPPED, shapes), *columns))


@dataclass(frozen=True)
class _Cut:
    """Cuts a list of a batch's fields (document by document, each in path order) into one sequence per document."""

    count: int
    """The number of fields of the batch."""
    size: int
    """Every document's number of fields when they all have as many, else 0. The cut is then tuples made by
    ``zip`` over one iterator (a tuple is one allocation, a list slice two), else list slices at ``spans``."""
    spans: tuple[slice, ...]

    @classmethod
    def of(cls, sizes: list[int]) -> _Cut:
        if sizes and sizes[0] and sizes.count(sizes[0]) == len(sizes):
            return cls(sizes[0] * len(sizes), sizes[0], ())
        ends = list(accumulate(sizes))
        return cls(ends[-1] if ends else 0, 0, tuple(map(slice, [0, *ends[:-1]], ends)))

    def __call__(self, items: Sequence[T]) -> Iterable[Sequence[T]]:
        if self.size:
            return zip(*[iter(items)] * self.size, strict=True)
        return map(items.__getitem__, self.spans)


_dumps_canonical = partial(dumps, option=OPT_SORT_KEYS)
""":func:`canonical` as one C callable, to ``map`` over values."""


def _encode_all(values: list[Scalar], cut: _Cut, shapes: Sequence[_Shape]) -> tuple[list[bytes], list[str]]:
    """The canonical JSON of each value of a batch (document by document, in path order), as bytes and as text.

    Written as one JSON array and split at its commas: one orjson call for the batch instead of one per value
    (each of which also takes a fresh ~1 KiB buffer). Scalars are written the same inside an array as alone, and
    the split is only taken when it gives exactly one part per value, which proves that no value's JSON holds a
    comma (each value gives its commas plus one parts); the text is then the array decoded once and split the same
    way (in UTF-8 the byte 0x2C is only ever the comma). Otherwise that split is redone document by document, and
    a document whose values hold a comma is written one value at a time; JSON text never holds a raw newline, so
    those parts are decoded at once, joined by newlines.

    Raises:
        DocumentError: naming the first field (in path order) that canonical JSON cannot write.
    """
    if not values:
        return [], []
    try:
        array = dumps(values, None, OPT_SORT_KEYS)[1:-1]
    except orjson.JSONEncodeError:
        fields = (path for shape in shapes for path in shape.paths)
        for path, value in zip(fields, values, strict=True):
            _canonical_value(path, value)
        raise  # pragma: no cover - the loop above raised for the same value
    encoded = array.split(b",")
    if len(encoded) == len(values):
        return encoded, array.decode().split(",")
    encoded = []
    for chunk in cut(values):
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
