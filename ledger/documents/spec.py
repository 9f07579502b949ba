"""The hashing rule of certificate documents, written to be read: the definition every other path must match.

A document is flattened into scalar fields by dotted path (``original.attributes.colour``); each field gets 32
random bytes of salt; then, with ``‖`` for concatenation:

    field hash  = keccak256(salt ‖ uint32be(len(path)) ‖ path ‖ canonical JSON of the value)
    target hash = keccak256(keccak256(the field hashes, sorted, concatenated))      the document's Merkle leaf
    node        = keccak256(min(a, b) ‖ max(a, b))                                    OpenZeppelin's sorted pair
    root        = the root of OpenZeppelin's SimpleMerkleTree over a batch's target hashes
    certificate = keccak256(abi.encode(issuer, root))                                 the registry's id

Why: a salt per field keeps a hidden field with a guessable value (a birth date) from being brute-forced, and
deleting a salt makes a value unlinkable to its hash (erasure). The length prefix keeps path and value from sliding
into each other. Sorting the field hashes makes a field hideable: a holder removes its value and salt and keeps its
hash in ``privacy.obfuscated``, and the document still verifies (selective disclosure). The outer keccak256 of the
target hash is domain separation: a leaf has a 32-byte preimage, a node a 64-byte one, so no document hashes to a
node or a root (``originals/wrapped/1`` lacked it; docs/security.md). Sorted pairs and the SimpleMerkleTree layout are
what ``CertificateRegistry`` checks with OpenZeppelin's ``MerkleProof``: proofs carry no left/right flags, any number
of leaves works. The issuer in the id namespaces certificates: the same root issued by two issuers is two of them.

Every certificate anchored on chain was hashed this way, so nothing here may change (the golden vectors in
``tests/ledger/documents/data`` fail if it does; docs/decisions/0006). :mod:`ledger.documents.fast` computes the same
bytes for a whole batch at once, and :class:`ledger.documents.merkle.MerkleTree` the same tree; the tests prove both
byte-identical to the functions below. Pure functions, no I/O; the salt source is injectable for golden vectors.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import orjson

from ledger.documents.hashing import keccak
from ledger.documents.model import CertificateDocument, DocumentError, Scalar
from ledger.i18n import gettext as _

WRAPPED_VERSION = "originals/wrapped/2"
"""Names this rule in every wrapped document."""
PROOF_TYPE = "OriginalsMerkleProof/1"
HASH_SIZE = 32

Salt = Callable[[], bytes]
Fields = Mapping[str, tuple[bytes, Scalar]]
"""A document's salted fields: ``{path: (salt, value)}``."""


class MerkleError(ValueError):
    """A tree cannot be built from the given leaves, or a leaf is not in the tree."""


# -- fields ----------------------------------------------------------------------------------------------------------


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 written raw (``"écru"``, never ``\\u00e9``); no floats."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """Scalar leaves by dotted path. Empty objects vanish (they carry no value to certify); ``null`` is a field."""
    out: dict[str, Scalar] = {}
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, path + "."))
        elif isinstance(value, list | tuple):
            raise DocumentError(
                _("field {path}: lists are not supported; use attributes with distinct names", path=path)
            )
        elif isinstance(value, float):
            raise DocumentError(_("field {path}: floats are not canonical; write the number as a string", path=path))
        else:
            out[path] = value
    return out


def field_hash(salt: bytes, path: str, value: Scalar) -> bytes:
    """keccak256(salt ‖ uint32be(len(path)) ‖ path ‖ canonical(value)), the path's length in UTF-8 bytes."""
    if len(salt) != HASH_SIZE:
        raise DocumentError(_("field {path}: a salt must be 32 bytes", path=path))
    return keccak(salt + _path_prefix(path) + _canonical_value(path, value))


def _path_prefix(path: str) -> bytes:
    """``uint32be(len(path)) ‖ path``: the part of a field hash's preimage between the salt and the value."""
    try:
        encoded = path.encode()
    except UnicodeEncodeError as exc:
        raise DocumentError(
            _("field {path}: cannot be written as canonical JSON ({exc})", path=path, exc=exc)
        ) from None
    return len(encoded).to_bytes(4, "big") + encoded


def _canonical_value(path: str, value: Scalar) -> bytes:
    try:
        return canonical(value)
    except orjson.JSONEncodeError as exc:
        raise DocumentError(
            _("field {path}: cannot be written as canonical JSON ({exc})", path=path, exc=exc)
        ) from None


# -- leaf, tree, proof -----------------------------------------------------------------------------------------------


def leaf_hash(digest: bytes) -> bytes:
    """keccak256 of a 32-byte digest: a leaf's preimage is 32 bytes where a node's is 64 (domain separation).

    Raises:
        MerkleError: ``digest`` is not 32 bytes (the separation would not hold).
    """
    if len(digest) != HASH_SIZE:
        raise MerkleError(
            _("a leaf digest must be {hash_size} bytes, got {count}", hash_size=HASH_SIZE, count=len(digest))
        )
    return keccak(digest)


def target_hash(field_hashes: Iterable[bytes]) -> bytes:
    """The document's Merkle leaf: the leaf hash of keccak256 of its field hashes (revealed and hidden) sorted."""
    return leaf_hash(keccak(b"".join(sorted(field_hashes))))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """A node over two children in sorted order (``Hashes.commutativeKeccak256`` in OpenZeppelin 5)."""
    return keccak(a + b if a <= b else b + a)


def merkle_nodes(leaves: Sequence[bytes]) -> list[bytes]:
    """OpenZeppelin's ``SimpleMerkleTree``: the ``2n - 1`` nodes of a flat array, the sorted leaves stored from its
    end (``sorted(leaves)[i]`` at ``2n - 2 - i``), node ``i`` the pair of nodes ``2i + 1`` and ``2i + 2``; node 0 is
    the root. No padding or duplication, so a batch of any size has a root the registry can check.

    Raises:
        MerkleError: no leaves, or a repeated one (a proof could not say which of them it proves).
    """
    if not leaves or len(set(leaves)) != len(leaves):
        raise MerkleError(_("a Merkle tree needs at least one leaf, each one distinct"))
    nodes = [b""] * (len(leaves) - 1) + sorted(leaves, reverse=True)
    for i in reversed(range(len(leaves) - 1)):
        nodes[i] = hash_pair(nodes[2 * i + 1], nodes[2 * i + 2])
    return nodes


def merkle_proof(nodes: Sequence[bytes], leaf: bytes) -> list[bytes]:
    """The siblings on the way from ``leaf`` up to the root of the tree ``nodes`` (empty for a tree of one)."""
    index = list(nodes).index(leaf, len(nodes) // 2)  # the leaves are the last n of the 2n - 1 nodes
    proof = []
    while index > 0:
        proof.append(nodes[index + 1 if index % 2 else index - 1])
        index = (index - 1) // 2
    return proof


def process_proof(leaf: bytes, proof: Iterable[bytes]) -> bytes:
    """The root that ``proof`` leads to from ``leaf`` (``MerkleProof.processProof``)."""
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node


def verify_proof(root: bytes, leaf: bytes, proof: Iterable[bytes]) -> bool:
    """Whether ``proof`` shows ``leaf`` inside ``root`` (``MerkleProof.verify``)."""
    return process_proof(leaf, proof) == root


def certificate_id(issuer: str, root: str) -> str:
    """The registry's id of the certificate ``issuer`` issued with ``root``: keccak256(abi.encode(issuer, root)), as
    ``CertificateRegistry.certificateId`` computes it; ``0x`` hex in (20 and 32 bytes), ``0x`` + 64 hex out."""
    address, digest = bytes.fromhex(issuer.removeprefix("0x")), bytes.fromhex(root.removeprefix("0x"))
    if len(address) != 20 or len(digest) != HASH_SIZE:
        raise MerkleError(
            _(
                "an issuer address (20 bytes) and a root (32 bytes) are needed, got {issuer!r}, {root!r}",
                issuer=issuer,
                root=root,
            )
        )
    return "0x" + keccak(bytes(12) + address + digest).hex()


# -- documents -------------------------------------------------------------------------------------------------------


def random_salt() -> bytes:
    """32 bytes from the operating system's CSPRNG: 256 bits, so a salt cannot be guessed to link a hidden value."""
    return secrets.token_bytes(HASH_SIZE)


def salted_fields(document: CertificateDocument, salt: Salt = random_salt) -> dict[str, tuple[bytes, Scalar]]:
    """Each field of ``document`` with a fresh salt, by path; salts are asked for in ascending path order."""
    return {path: (salt(), value) for path, value in sorted(flatten(document.to_json()).items())}


def document_target(fields: Fields, obfuscated: Iterable[bytes] = ()) -> bytes:
    """The target hash of a document's revealed ``fields`` and hidden field hashes ``obfuscated``."""
    return target_hash([field_hash(s, p, v) for p, (s, v) in fields.items()] + list(obfuscated))


def wrapped_document(
    fields: Fields, obfuscated: Iterable[bytes], target: bytes, root: bytes, proof: Iterable[bytes]
) -> dict[str, Any]:
    """What a holder keeps: each revealed scalar of ``data`` as ``"<salt hex>:<canonical JSON>"``, the hidden hashes
    sorted, and the proof, hashes as ``0x`` hex; keys in this order."""
    return {
        "version": WRAPPED_VERSION,
        "data": unflatten({p: f"{s.hex()}:{canonical(v).decode()}" for p, (s, v) in fields.items()}),
        "privacy": {"obfuscated": sorted("0x" + h.hex() for h in obfuscated)},
        "proof": {
            "type": PROOF_TYPE,
            "targetHash": "0x" + target.hex(),
            "merkleRoot": "0x" + root.hex(),
            "proof": ["0x" + p.hex() for p in proof],
        },
    }


def unflatten(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Nested objects from dotted paths, each object's keys in order of first appearance."""
    root: dict[str, Any] = {}
    for path, value in fields.items():
        node = root
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return root


def wrap_batch(documents: Sequence[CertificateDocument], salt: Salt = random_salt) -> list[dict[str, Any]]:
    """The wrapped documents of one batch, in input order: salt every field, hash each document to its leaf, build
    the tree over the leaves, and give each document the root and its proof. (Issuance uses
    :func:`ledger.documents.fast.wrap_batch`, which writes exactly these bytes, several times as fast.)

    Raises:
        DocumentError: a field canonical JSON cannot write. MerkleError: no documents, or two with one target hash.
    """
    salted = [salted_fields(document, salt) for document in documents]
    targets = [document_target(fields) for fields in salted]
    nodes = merkle_nodes(targets)
    return [
        wrapped_document(fields, [], target, nodes[0], merkle_proof(nodes, target))
        for fields, target in zip(salted, targets, strict=True)
    ]
