"""Regenerate ``golden_documents.json``: the golden vectors of the certificate document hashing scheme.

Run ``python tests/ledger/documents/data/make_golden.py`` from the repository root ONLY when the hashing scheme changes
on purpose (a new schema version); ``tests/ledger/documents/test_documents.py`` compares ``ledger.documents`` with the
file byte for byte, so regenerating it is the deliberate act that accepts a new scheme. Nothing here is random: every
salt is ``sha256(utf8(label + "/" + n))`` for the n-th salt (from 0) that one wrapping asks for, and the originals'
"files" are fixed byte strings stored in the output, so the same code always writes the same file.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ledger.documents import (
    CertificateDocument,
    WrappedDocument,
    canonical,
    field_hash,
    fingerprint_serial,
    fingerprint_stream,
    parse_document,
    wrap,
    wrap_batch,
)
from ledger.documents.hashing import keccak

OUTPUT = Path(__file__).with_name("golden_documents.json")

# ape's (and anvil's) default test accounts 0 and 2: the founders "Town of Originals" and the university centre in
# tests/contracts/conftest.py, so the on-chain test can issue each document from the issuer it names.
TOWN = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
UNIVERSITY = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"
CHAIN = {"chainId": 1337, "registry": "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"}

# The bytes standing in for the originals' files; their SHA-256 is the fingerprint.
FILES = {
    "fabric": "Originals golden vector: lab report of organic cotton twill batch 2024-117\n",
    "diploma": "Originals golden vector: diploma of Ada Example, MSc Blockchain Engineering\n",
    "permit": "Originals golden vector: permit TOWN-2024-0815 to display the Originals label\n",
}
ARTWORK_SERIAL = "TOWN-MUSEUM-1987-0042"

BATCH = ("fabric", "artwork", "permit")
"""The batch of three: all issued by the town, so one issuer can anchor it."""


def file_fingerprint(name: str) -> str:
    return fingerprint_stream(io.BytesIO(FILES[name].encode()))


def documents() -> dict[str, dict[str, Any]]:
    """The four plain documents: attributes of every scalar type, a serial, an expiry, non-ASCII text."""
    return {
        "fabric": {
            "version": "originals/certificate/1",
            "original": {
                "name": "Organic cotton twill, batch 2024-117",
                "kind": "fabric-batch",
                "fingerprint": file_fingerprint("fabric"),
                "serial": None,
                "attributes": {
                    "colour": "écru",
                    "composition": "100 % organic cotton",
                    "dyeLot": None,
                    "lengthMetres": "1250.5",
                    "organic": True,
                    "weightGsm": 180,
                },
            },
            "issuer": {"address": TOWN, "name": "Town of Originals"},
            "issuedAt": 1717200000,
            "validUntil": None,
            "chain": CHAIN,
        },
        "diploma": {
            "version": "originals/certificate/1",
            "original": {
                "name": "Master of Science in Blockchain Engineering — Ada Example",
                "kind": "diploma",
                "fingerprint": file_fingerprint("diploma"),
                "serial": None,
                "attributes": {
                    "dateOfBirth": "1999-04-01",
                    "ects": 120,
                    "grade": "5.5 / 6",
                    "holder": "Ada Example",
                    "programme": "MSc Blockchain Engineering",
                },
            },
            "issuer": {"address": UNIVERSITY, "name": "University Blockchain Competence Centre"},
            "issuedAt": 1719792000,
            "validUntil": None,
            "chain": CHAIN,
        },
        "artwork": {
            "version": "originals/certificate/1",
            "original": {
                "name": "The Weaver (bronze figure)",
                "kind": "artwork",
                "fingerprint": fingerprint_serial(ARTWORK_SERIAL),
                "serial": ARTWORK_SERIAL,
                "attributes": {"artist": "Mara Exemplar", "edition": "3/8", "year": 1987},
            },
            "issuer": {"address": TOWN, "name": "Town of Originals"},
            "issuedAt": 1720000000,
            "validUntil": None,
            "chain": CHAIN,
        },
        "permit": {
            "version": "originals/certificate/1",
            "original": {
                "name": "Permit to display the Originals label",
                "kind": "document",
                "fingerprint": file_fingerprint("permit"),
                "serial": None,
                "attributes": {"holder": "Example Weaving Mill Ltd", "permitNumber": "TOWN-2024-0815"},
            },
            "issuer": {"address": TOWN, "name": "Town of Originals"},
            "issuedAt": 1722470400,
            "validUntil": 4102444800,
            "chain": CHAIN,
        },
    }


def salts(label: str) -> Callable[[], bytes]:
    """The deterministic salt stream of one wrapping."""
    counter = iter(range(1_000_000))
    return lambda: hashlib.sha256(f"{label}/{next(counter)}".encode()).digest()


def fields_of(wrapped: dict[str, Any]) -> list[dict[str, Any]]:
    """Every field of a wrapped document in path order: salt, value, the hashed bytes and the field hash."""
    out = []
    for path, (salt, value) in sorted(WrappedDocument(wrapped).fields.items()):
        encoded = path.encode()
        preimage = salt + len(encoded).to_bytes(4, "big") + encoded + canonical(value)
        out.append(
            {
                "path": path,
                "salt": salt.hex(),
                "value": value,
                "preimage": preimage.hex(),
                "fieldHash": "0x" + field_hash(salt, path, value).hex(),
            }
        )
    return out


def entry(name: str, wrapped: dict[str, Any]) -> dict[str, Any]:
    fields = fields_of(wrapped)
    digest = keccak(b"".join(sorted(bytes.fromhex(f["fieldHash"][2:]) for f in fields)))
    return {
        "name": name,
        "fields": fields,
        "digest": "0x" + digest.hex(),
        "targetHash": wrapped["proof"]["targetHash"],
        "merkleRoot": wrapped["proof"]["merkleRoot"],
        "proof": wrapped["proof"]["proof"],
        "wrapped": wrapped,
    }


def golden() -> dict[str, Any]:
    plain = documents()
    parsed: dict[str, CertificateDocument] = {name: parse_document(doc) for name, doc in plain.items()}
    singles = [entry(name, wrap(doc, salt=salts(f"originals-golden/single/{name}"))) for name, doc in parsed.items()]
    batch = wrap_batch([parsed[name] for name in BATCH], salt=salts("originals-golden/batch"))
    return {
        "comment": "Golden vectors of ledger.documents, written by make_golden.py; never edit by hand.",
        "saltRule": "salt n (from 0) of a wrapping = sha256(utf8(label + '/' + n)); labels "
        "'originals-golden/single/<name>' and 'originals-golden/batch'",
        "files": FILES,
        "artworkSerial": ARTWORK_SERIAL,
        "documents": plain,
        "singles": singles,
        "batch": {
            "members": list(BATCH),
            "merkleRoot": batch[0]["proof"]["merkleRoot"],
            "documents": [entry(name, wrapped) for name, wrapped in zip(BATCH, batch, strict=True)],
        },
    }


def main() -> None:
    OUTPUT.write_text(json.dumps(golden(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
