"""Wrapping a batch of documents fast: the bytes of :func:`ledger.documents.spec.wrap_batch`, several times as fast.

Issuance wraps up to 10,000 documents per request, so this module does per batch what the definition does per field:
it reads each document's fields with a reader compiled once per document class and set of keys (:func:`_read_batch`,
instead of ``to_json`` and :func:`~ledger.documents.spec.flatten`), draws every salt with one ``os.urandom`` call,
encodes every value with one orjson call (:func:`_encode_all`), hashes with C-level ``map`` calls over the whole
batch, builds the tree with :class:`~ledger.documents.merkle.MerkleTree`, writes each wrapped document with a
function compiled once per set of field paths (:func:`_wrapper`), and pauses the cyclic garbage collector meanwhile
(:func:`_gc_paused`). Compiled code holds identifiers and indices only, never text from a document.

Anything the fast readers do not cover (a document class with computed fields or custom serialisers, a foreign object
put in by ``model_construct``) takes the definition's way to the fields; the bytes never differ, which
``tests/ledger/documents/test_documents_fast.py`` proves against the spec (Hypothesis, and golden vectors). Read the
spec first: nothing here decides what a hash is.
"""

from __future__ import annotations

import gc
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import accumulate, chain, repeat
from keyword import iskeyword
from operator import attrgetter, call, itemgetter
from struct import Struct
from typing import Any, TypeVar, get_origin

import orjson
from orjson import OPT_SORT_KEYS, dumps
from pydantic import BaseModel, PlainSerializer, RootModel, WrapSerializer
from pydantic.fields import FieldInfo

from ledger.documents.hashing import keccak_all
from ledger.documents.merkle import MerkleTree
from ledger.documents.model import CertificateDocument, DocumentError, Scalar
from ledger.documents.spec import (
    PROOF_TYPE,
    WRAPPED_VERSION,
    MerkleError,
    Salt,
    _canonical_value,
    _path_prefix,
    flatten,
    random_salt,
)
from ledger.i18n import gettext

T = TypeVar("T")


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
    :func:`~ledger.documents.spec.unflatten` would with each field ``f"{s[i].hex()}:{t[i]}"``, then ``privacy`` and
    ``proof``.

    It is compiled from one dict display, ``lambda s, t, x, r, p: {..., 'data': {k[0]: {k[1]: f"{s[0].hex()}:
    {t[0]}", ...}, ...}, ...}``: a wrapped document is then built, salted strings included, by a single expression,
    several times as fast as loops over the paths (wrapping calls it once per document), and each salt's hex lives
    only until its salted string is written. The source holds only indices and this module's own keys, never a key
    from a document: those are read from the tuple ``k``, so no text from a document is ever compiled. Each object
    lists its entries in order of first appearance, which is ``unflatten``'s insertion order (a child object is
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


def _batch_salts(shapes: Sequence[_Shape], cut: _Cut, salt: Salt) -> list[Sequence[bytes]]:
    """The salts of a batch, one sequence per document, each in the order of its fields (ascending path).

    The default draws them all with one ``os.urandom`` call (the same CSPRNG as ``secrets``) instead of one system
    call per field, cut into 32-byte salts by C-level calls (one ``struct`` unpack per document when they all have
    as many fields); an injected ``salt`` (golden vectors) is asked once per field in that order (document by
    document), as always.
    """
    if salt is not random_salt:
        salts = []
        for shape in shapes:
            for path in shape.paths:
                salts.append(salt())
                if len(salts[-1]) != 32:
                    raise DocumentError(gettext("field {path}: a salt must be 32 bytes", path=path))
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


def wrap_batch(documents: Sequence[CertificateDocument], salt: Salt = random_salt) -> list[dict[str, Any]]:
    """Salt and hash each document, build the Merkle tree over their target hashes, and return the wrapped
    documents (in input order), each carrying the root and its proof.

    The hot path of issuance: the same bytes as :func:`ledger.documents.spec.wrap_batch` (the golden vectors and a
    differential test pin them), computed over the whole batch at once (see
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
        raise DocumentError(gettext("two documents of the batch have the same target hash")) from None
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
""":func:`~ledger.documents.spec.canonical` as one C callable, to ``map`` over values."""


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


def wrap(document: CertificateDocument, salt: Salt = random_salt) -> dict[str, Any]:
    """A single certificate: a tree of one, whose root is the document's target hash."""
    return wrap_batch([document], salt)[0]
