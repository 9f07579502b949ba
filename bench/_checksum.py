"""The indexer benchmark's checksum: what our tables, Ponder's and an independent replay of the logs must agree on.

The checksum is the SHA-256 of the sorted set of

- ``c <certificate id> <status>`` for every certificate (its whole status: valid 0, suspended 1, revoked 2),
- ``d <certificate id> <leaf> <status>`` for every document whose status was acted on (a status event with a
  non-zero leaf), and
- ``p <partner address> <status> <rights>`` for every registered partner,

one line each, lower-case hex. A database gives these rows through :func:`database_rows` (our tables, or Ponder's in
its schema); :func:`replay` computes them from the raw ``eth_getLogs`` entries without the project's decoder or
projector: it reads the indexed topics and 32-byte data words by hand, in chain order, with the registries' rules
(a status event sets the status it names; an event for an account that never registered changes nothing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eth_hash.auto import keccak

ZERO_WORD = "0x" + "00" * 32
VALID, SUSPENDED, REVOKED = 0, 1, 2
NONE = 0
"""A partner's status right after PartnerRegistered, before any PartnerStatusChanged."""


def _topic(signature: str) -> str:
    return "0x" + keccak(signature.encode()).hex()


TOPICS = {
    "CertificateIssued": _topic("CertificateIssued(bytes32,address,bytes32,bytes32,uint48,uint48)"),
    "CertificateRevoked": _topic("CertificateRevoked(bytes32,bytes32,address,uint16,uint48,bool)"),
    "CertificateSuspended": _topic("CertificateSuspended(bytes32,bytes32,address,uint16,uint48,bool)"),
    "CertificateReinstated": _topic("CertificateReinstated(bytes32,bytes32,address,uint16,uint48,bool)"),
    "PartnerRegistered": _topic("PartnerRegistered(address,uint8,string,string,bytes32)"),
    "PartnerStatusChanged": _topic("PartnerStatusChanged(address,uint8,uint8,uint256,uint48)"),
    "PartnerRightsChanged": _topic("PartnerRightsChanged(address,uint8,uint8,uint256,uint48)"),
}
"""The topic0 of every event that moves a status, from the Solidity signatures (not from the project's decoder)."""
_STATUS_OF = {
    TOPICS["CertificateRevoked"]: REVOKED,
    TOPICS["CertificateSuspended"]: SUSPENDED,
    TOPICS["CertificateReinstated"]: VALID,
}


@dataclass
class State:
    """The statuses the checksum covers: certificates, acted-on documents, partners (status, rights)."""

    certificates: dict[str, int] = field(default_factory=dict)
    documents: dict[tuple[str, str], int] = field(default_factory=dict)
    partners: dict[str, tuple[int, int]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"c {cid.lower()} {status}" for cid, status in self.certificates.items()]
        out += [f"d {cid.lower()} {leaf.lower()} {status}" for (cid, leaf), status in self.documents.items()]
        out += [f"p {address.lower()} {status} {rights}" for address, (status, rights) in self.partners.items()]
        return sorted(out)

    def checksum(self) -> str:
        return checksum(self.lines())

    def counts(self) -> dict[str, int]:
        return {
            "certificates": len(self.certificates),
            "documents": len(self.documents),
            "partners": len(self.partners),
        }


def checksum(lines: Iterable[str]) -> str:
    """SHA-256 (hex) of the sorted, de-duplicated lines, one per row: the same set gives the same hash."""
    digest = hashlib.sha256()
    for line in sorted(set(lines)):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _word(data: str, index: int) -> int:
    start = 2 + 64 * index
    return int(data[start : start + 64], 16)


def _address(topic: str) -> str:
    return "0x" + topic[-40:].lower()


def replay(logs: Iterable[Mapping[str, Any]]) -> State:
    """The state the raw logs (``eth_getLogs`` entries of both registries, in chain order) lead to."""
    state = State()
    certificates, documents, partners = state.certificates, state.documents, state.partners
    issued, registered = TOPICS["CertificateIssued"], TOPICS["PartnerRegistered"]
    status_changed, rights_changed = TOPICS["PartnerStatusChanged"], TOPICS["PartnerRightsChanged"]
    for log in logs:
        if log.get("removed"):
            continue
        topics = log["topics"]
        topic0 = topics[0].lower() if topics else ""
        if topic0 == issued:
            certificates[topics[1].lower()] = VALID
        elif topic0 in _STATUS_OF:
            cid, leaf = topics[1].lower(), topics[2].lower()
            if leaf == ZERO_WORD:
                if cid in certificates:  # a status event of an unknown certificate updates nothing
                    certificates[cid] = _STATUS_OF[topic0]
            else:
                documents[(cid, leaf)] = _STATUS_OF[topic0]
        elif topic0 == registered:
            account = _address(topics[1])
            partners.setdefault(account, (NONE, 0))  # registering again keeps the status and rights
        elif topic0 in (status_changed, rights_changed):
            account = _address(topics[1])
            if account not in partners:
                continue
            status, rights = partners[account]
            value = _word(log["data"], 1)  # (previous, status | rights, at) in the data
            partners[account] = (value, rights) if topic0 == status_changed else (status, value)
    return state


OURS = {
    "certificates": "SELECT id, status FROM certificates",
    "documents": "SELECT certificate_id, leaf, status FROM document_status",
    "partners": "SELECT address, status, rights FROM partners",
}
"""The checksum's rows in our tables (``ledger/db/schema.py``), on SQLite and PostgreSQL alike."""


def ponder_queries(schema: str) -> dict[str, str]:
    """The checksum's rows in Ponder's tables (``bench/peers/ponder/ponder.schema.ts``) in PostgreSQL ``schema``."""
    if not schema.replace("_", "").isalnum():
        raise ValueError(f"not a schema name: {schema!r}")
    return {
        "certificates": f'SELECT id, status FROM "{schema}".certificates',
        "documents": f'SELECT certificate_id, leaf, status FROM "{schema}".document_status',
        "partners": f'SELECT address, status, rights FROM "{schema}".partners',
    }


def database_rows(query: Callable[[str], Iterable[tuple[Any, ...]]], queries: Mapping[str, str]) -> State:
    """The checksum's state from a database; ``query`` runs one SELECT and returns its rows."""
    state = State()
    for cid, status in query(queries["certificates"]):
        state.certificates[str(cid).lower()] = int(status)
    for cid, leaf, status in query(queries["documents"]):
        state.documents[(str(cid).lower(), str(leaf).lower())] = int(status)
    for address, status, rights in query(queries["partners"]):
        state.partners[str(address).lower()] = (int(status), int(rights))
    return state
