"""The indexer benchmark's checksum (``bench/_checksum.py``): the replay of raw logs, the hash, the database rows.

A benchmark figure is reported only when our tables, Ponder's and this replay hash alike, so these tests show that the
hash tells apart states that differ by one row, and that the replay follows the registries' rules.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

import pytest
from eth_abi import encode
from eth_hash.auto import keccak

from devtools.toolchain import PROJECT_ROOT
from ledger.abi import load_abi

sys.path.insert(0, str(PROJECT_ROOT / "bench"))
import _checksum as ck

ZERO = "0x" + "00" * 32
CERT_A = "0x" + "aa" * 32
CERT_B = "0x" + "bb" * 32
LEAF = "0x" + "11" * 32
ALICE = "0x" + "a1" * 20
BOB = "0x" + "b0" * 20
STRANGER = "0x" + "5e" * 20


def _pad(address: str) -> str:
    return "0x" + "00" * 12 + address[2:]


def _log(name: str, topics: list[str], types: list[str], values: list[Any]) -> dict[str, Any]:
    return {"topics": [ck.TOPICS[name], *topics], "data": "0x" + encode(types, values).hex(), "removed": False}


def issued(cid: str) -> dict[str, Any]:
    return _log("CertificateIssued", [cid, _pad(ALICE), ZERO], ["bytes32", "uint48", "uint48"], [b"\x01" * 32, 1, 2])


def status(name: str, cid: str, leaf: str = ZERO) -> dict[str, Any]:
    return _log(name, [cid, leaf, _pad(BOB)], ["uint16", "uint48", "bool"], [7, 100, False])


def registered(account: str) -> dict[str, Any]:
    types = ["uint8", "string", "string", "bytes32"]
    return _log("PartnerRegistered", [_pad(account)], types, [3, "Uni", "uni.example", bytes(32)])


def partner_status(account: str, previous: int, new: int) -> dict[str, Any]:
    return _log("PartnerStatusChanged", [_pad(account), ZERO], ["uint8", "uint8", "uint48"], [previous, new, 5])


def partner_rights(account: str, previous: int, new: int) -> dict[str, Any]:
    return _log("PartnerRightsChanged", [_pad(account), ZERO], ["uint8", "uint8", "uint48"], [previous, new, 5])


LOGS = [
    registered(ALICE),
    partner_status(ALICE, 0, 1),
    partner_status(ALICE, 1, 2),
    partner_rights(ALICE, 0, 3),
    registered(BOB),
    partner_status(BOB, 0, 1),
    partner_status(STRANGER, 1, 2),  # never registered: ignored
    registered(ALICE),  # again: keeps status and rights
    issued(CERT_A),
    issued(CERT_B),
    status("CertificateSuspended", CERT_A),
    status("CertificateReinstated", CERT_A),
    status("CertificateRevoked", CERT_B),
    status("CertificateSuspended", CERT_B, LEAF),
    status("CertificateRevoked", "0x" + "cc" * 32),  # an unknown certificate: no row
    {**status("CertificateRevoked", CERT_A), "removed": True},  # a log of a dropped block: not applied
]


def test_replay_follows_the_registries_rules() -> None:
    state = ck.replay(LOGS)
    assert state.certificates == {CERT_A: ck.VALID, CERT_B: ck.REVOKED}
    assert state.documents == {(CERT_B, LEAF): ck.SUSPENDED}
    assert state.partners == {ALICE: (2, 3), BOB: (1, 0)}
    assert state.lines() == sorted(
        [
            f"c {CERT_A} 0",
            f"c {CERT_B} 2",
            f"d {CERT_B} {LEAF} 1",
            f"p {ALICE} 2 3",
            f"p {BOB} 1 0",
        ]
    )


def test_topics_are_the_abi_events() -> None:
    abi = load_abi("PartnerRegistry") + load_abi("CertificateRegistry")
    from_abi = {
        e["name"]: "0x" + keccak(f"{e['name']}({','.join(i['type'] for i in e['inputs'])})".encode()).hex()
        for e in abi
        if e["type"] == "event"
    }
    assert {name: from_abi[name] for name in ck.TOPICS} == ck.TOPICS


def test_checksum_ignores_order_and_case_but_not_content() -> None:
    lines = [f"c {CERT_A} 0", f"p {ALICE} 2 3"]
    assert ck.checksum(lines) == ck.checksum(list(reversed(lines)))
    assert ck.checksum(lines) == ck.checksum([*lines, lines[0]])
    assert ck.checksum(lines) != ck.checksum([f"c {CERT_A} 1", f"p {ALICE} 2 3"])
    assert ck.checksum([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _ours(rows: dict[str, list[tuple[Any, ...]]]) -> sqlite3.Connection:
    """An in-memory SQLite database with our tables (from ledger/db/schema.py) holding ``rows``."""
    from sqlalchemy import create_engine

    from ledger.db.schema import metadata

    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    conn = engine.raw_connection().driver_connection
    assert isinstance(conn, sqlite3.Connection)
    for cid, status in rows["certificates"]:
        conn.execute(
            "INSERT INTO certificates (id, root, issuer, mode, issued_at, valid_until, status, block_number, "
            "log_index, tx_hash) VALUES (?, ?, ?, 'batch', 1, 2, ?, 1, 0, ?)",
            (cid, cid, ALICE, status, ZERO),
        )
    for cid, leaf, status in rows["documents"]:
        conn.execute(
            "INSERT INTO document_status (certificate_id, leaf, status, block_number) VALUES (?, ?, ?, 1)",
            (cid, leaf, status),
        )
    for address, status, rights in rows["partners"]:
        conn.execute(
            "INSERT INTO partners (address, org_type, display_name, domain, metadata_hash, details_hash, status, "
            "rights, registered_block, updated_block) VALUES (?, 3, 'n', 'd', ?, ?, ?, ?, 1, 1)",
            (address, ZERO, ZERO, status, rights),
        )
    return conn


GOOD = {
    "certificates": [(CERT_A, 0), (CERT_B, 2)],
    "documents": [(CERT_B, LEAF, 1)],
    "partners": [(ALICE, 2, 3), (BOB, 1, 0)],
}


def test_our_tables_agree_with_the_replay() -> None:
    conn = _ours(GOOD)
    state = ck.database_rows(lambda sql: conn.execute(sql).fetchall(), ck.OURS)
    assert state == ck.replay(LOGS)
    assert state.checksum() == ck.replay(LOGS).checksum()
    assert state.counts() == {"certificates": 2, "documents": 1, "partners": 2}


@pytest.mark.parametrize(
    ("table", "wrong"),
    [
        ("certificates", [(CERT_A, 1), (CERT_B, 2)]),  # a wrong status
        ("certificates", [(CERT_A, 0)]),  # a missing certificate
        ("documents", [(CERT_B, LEAF, 2)]),  # a wrong document status
        ("documents", []),  # a document status missing
        ("partners", [(ALICE, 2, 1), (BOB, 1, 0)]),  # wrong rights
        ("partners", [(ALICE, 2, 3), (BOB, 1, 0), (STRANGER, 2, 0)]),  # a partner that never registered
    ],
)
def test_a_wrong_row_changes_the_checksum(table: str, wrong: list[tuple[Any, ...]]) -> None:
    conn = _ours({**GOOD, table: wrong})
    state = ck.database_rows(lambda sql: conn.execute(sql).fetchall(), ck.OURS)
    assert state.checksum() != ck.replay(LOGS).checksum()


def test_a_wrong_log_changes_the_replay() -> None:
    tampered = [*LOGS[:-1], status("CertificateSuspended", CERT_A)]
    assert ck.replay(tampered).checksum() != ck.replay(LOGS).checksum()


def test_ponder_queries_name_the_schema_and_refuse_anything_else() -> None:
    assert ck.ponder_queries("run_3") == {
        "certificates": 'SELECT id, status FROM "run_3".certificates',
        "documents": 'SELECT certificate_id, leaf, status FROM "run_3".document_status',
        "partners": 'SELECT address, status, rights FROM "run_3".partners',
    }
    with pytest.raises(ValueError, match="not a schema name"):
        ck.ponder_queries('x"; DROP TABLE partners; --')


def test_window_rate_reads_progress_between_the_first_and_the_last_step() -> None:
    import _ponder

    cumulative = [(5, 100), (50, 600), (121, 1100)]
    samples = [(0.0, 0), (1.0, 0), (2.0, 5), (3.0, 50), (4.0, 121), (5.0, 121)]
    assert _ponder.window_rate(samples, cumulative) == 500.0  # (1,100 - 100) events over 2 s
    assert _ponder.window_rate([(0.0, 0), (1.0, 0)], cumulative) is None  # no step: no window
    assert _ponder.window_rate([], cumulative) is None
    assert _ponder.window_rate([(0.0, 0), (2.0, 121)], cumulative) is None  # one step: no window


def test_checkpoint_block_is_read_from_ponders_checkpoint() -> None:
    import _ponder

    checkpoint = "1796663125" + "0000000000031337" + "0000000000000091" + "9" * 33
    assert _ponder.checkpoint_block(checkpoint) == 91
