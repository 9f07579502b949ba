"""Certificate documents: their form, the hashing rule that makes them Merkle leaves, and the batch path issuance uses.

Read in this order:

- :mod:`~ledger.documents.spec`: the hashing rule on one screen (field hash, target hash, leaf, tree, proof,
  certificate id) and a plain :func:`~ledger.documents.spec.wrap_batch`: the definition.
- :mod:`~ledger.documents.model`: the document an issuer states (strict pydantic models, limits, fingerprints).
- :mod:`~ledger.documents.wrapped`: reading what a holder presents (integrity, selective disclosure).
- :mod:`~ledger.documents.fast` and :mod:`~ledger.documents.merkle`: the same bytes for a batch of 10,000, fast;
  proven byte-identical to the spec by the tests. :mod:`~ledger.documents.hashing`: keccak256 in C.

This package is the one place that turns documents into hashes. Import from here; ``wrap_batch`` and ``wrap`` are
the fast ones.
"""

from ledger.documents.fast import wrap, wrap_batch
from ledger.documents.merkle import MerkleTree
from ledger.documents.model import (
    MAX_ATTRIBUTE_NAME,
    MAX_ATTRIBUTE_TEXT,
    MAX_ATTRIBUTES,
    MAX_DOCUMENT_FIELDS,
    MAX_FIELD_DEPTH,
    MAX_PROOF_STEPS,
    SCHEMA_VERSION,
    CertificateDocument,
    ChainBinding,
    DocumentError,
    Issuer,
    Original,
    Scalar,
    check_attributes,
    fingerprint_serial,
    fingerprint_stream,
    json_schema,
    now,
    parse_document,
)
from ledger.documents.spec import (
    PROOF_TYPE,
    WRAPPED_VERSION,
    MerkleError,
    Salt,
    canonical,
    certificate_id,
    document_target,
    field_hash,
    flatten,
    hash_pair,
    leaf_hash,
    process_proof,
    salted_fields,
    target_hash,
    verify_proof,
)
from ledger.documents.wrapped import LEGACY_WRAPPED_VERSIONS, WrappedDocument

__all__ = [
    "LEGACY_WRAPPED_VERSIONS",
    "MAX_ATTRIBUTES",
    "MAX_ATTRIBUTE_NAME",
    "MAX_ATTRIBUTE_TEXT",
    "MAX_DOCUMENT_FIELDS",
    "MAX_FIELD_DEPTH",
    "MAX_PROOF_STEPS",
    "PROOF_TYPE",
    "SCHEMA_VERSION",
    "WRAPPED_VERSION",
    "CertificateDocument",
    "ChainBinding",
    "DocumentError",
    "Issuer",
    "MerkleError",
    "MerkleTree",
    "Original",
    "Salt",
    "Scalar",
    "WrappedDocument",
    "canonical",
    "certificate_id",
    "check_attributes",
    "document_target",
    "field_hash",
    "fingerprint_serial",
    "fingerprint_stream",
    "flatten",
    "hash_pair",
    "json_schema",
    "leaf_hash",
    "now",
    "parse_document",
    "process_proof",
    "salted_fields",
    "target_hash",
    "verify_proof",
    "wrap",
    "wrap_batch",
]
