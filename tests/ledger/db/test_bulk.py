"""The bulk write paths write exactly what row-by-row ``INSERT ... ON CONFLICT`` would, on SQLite and PostgreSQL.

Every test runs on SQLite (raw driver executemany) and on PostgreSQL twice: below :data:`COPY_THRESHOLD` rows
(SQLAlchemy's executemany) and above it (COPY into a staging table, then INSERT ... SELECT). PostgreSQL variants are
skipped when no server answers on 127.0.0.1:5432, unless ``CI`` is set (then they fail).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError
from support.pgscratch import scratch_database

from ledger.db import schema as s
from ledger.db.bulk import COPY_THRESHOLD, insert_ignore, upsert
from ledger.db.engine import make_engine, upgrade

BIG = COPY_THRESHOLD + 100


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with scratch_database("originals_bulk") as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'bulk.db'}")
        upgrade(engine)
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        with engine.begin() as conn:
            for table in reversed(s.metadata.sorted_tables):
                conn.execute(table.delete())
    try:
        yield engine
    finally:
        engine.dispose()


def _h(i: int, tag: str = "a") -> str:
    return "0x" + f"{tag}{i:063x}"[-64:]


def _history(i: int, proposal_id: int | None = None, active: bool = True) -> dict[str, Any]:
    return {
        "tx_hash": _h(i // 10),
        "log_index": i % 10,
        "address": "0x" + "11" * 20,
        "block_number": i,
        "at": 1_700_000_000 + i,
        "event": "PartnerStatusChanged",
        "status": 2,
        "rights": 1,
        "active_issuer": active,
        "proposal_id": proposal_id,
    }


def _a(i: int, tag: str = "a") -> str:
    return "0x" + f"{tag}{i:039x}"[-40:]


def _document(i: int, by: str | None = None, status: int = 0) -> dict[str, Any]:
    """A ``document_status`` row (the projector's upsert target; ``by`` tells rows of one key apart)."""
    return {
        "certificate_id": _h(i // 100, "r"),
        "leaf": _h(i, "l"),
        "status": status,
        "status_reason": None,
        "status_at": None,
        "status_by": by,
        "status_by_council": None if by is None else i % 2 == 0,
        "block_number": i,
    }


def _rows(engine: Engine, table: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        order = [c for c in table.primary_key.columns]
        return [dict(r) for r in conn.execute(select(table).order_by(*order)).mappings()]


@pytest.mark.parametrize("count", [3, BIG])
def test_insert_ignore_writes_every_row_with_its_types_converted(engine: Engine, count: int) -> None:
    """Uint256 (wider than 64 bits), booleans and NULLs come back exactly as given."""
    rows = [_history(i, proposal_id=(2**200 + i) if i % 2 else None, active=i % 3 == 0) for i in range(count)]
    with engine.begin() as conn:
        insert_ignore(conn, s.partner_history, rows)
    assert _rows(engine, s.partner_history) == sorted(rows, key=lambda r: (r["tx_hash"], r["log_index"]))


@pytest.mark.parametrize("count", [3, BIG])
def test_insert_ignore_skips_rows_whose_key_exists(engine: Engine, count: int) -> None:
    with engine.begin() as conn:
        insert_ignore(conn, s.document_status, [_document(0, by=_a(7, "f"))])
    again = [_document(i, by=_a(i, "e")) for i in range(count)]
    with engine.begin() as conn:
        insert_ignore(conn, s.document_status, again)
    stored = _rows(engine, s.document_status)
    assert len(stored) == count
    assert stored[0] == _document(0, by=_a(7, "f"))
    assert stored[1:] == sorted(again[1:], key=lambda r: (r["certificate_id"], r["leaf"]))


@pytest.mark.parametrize("count", [3, BIG])
def test_insert_ignore_keeps_the_first_of_rows_repeating_a_key(engine: Engine, count: int) -> None:
    rows = [_document(i, by=_a(i, "f")) for i in range(count)]
    repeated = [*rows, _document(1, by=_a(1, "d"))]
    with engine.begin() as conn:
        insert_ignore(conn, s.document_status, repeated)
    assert _rows(engine, s.document_status) == sorted(rows, key=lambda r: (r["certificate_id"], r["leaf"]))


@pytest.mark.parametrize("count", [3, BIG])
def test_upsert_changes_only_the_named_columns_of_existing_rows(engine: Engine, count: int) -> None:
    with engine.begin() as conn:
        insert_ignore(conn, s.document_status, [_document(0, by=_a(0, "f"))])
    changes = [_document(i, status=2) | {"status_reason": 3, "status_by": "0x" + "22" * 20} for i in range(count)]
    with engine.begin() as conn:
        upsert(conn, s.document_status, changes, ("status", "status_reason", "status_at", "status_by"))
    stored = _rows(engine, s.document_status)
    assert stored[0] == _document(0, by=_a(0, "f"), status=2) | {
        "status_reason": 3,
        "status_by": "0x" + "22" * 20,
    }
    assert stored[1:] == sorted(changes[1:], key=lambda r: (r["certificate_id"], r["leaf"]))


@pytest.mark.parametrize("count", [3, BIG])
def test_upsert_of_a_key_repeated_in_one_call_keeps_the_first_insert_and_the_last_update(
    engine: Engine, count: int
) -> None:
    rows = [_document(i, by=_a(i, "f")) for i in range(count)]
    later = _document(1, by=_a(1, "x"), status=1) | {"status_reason": 9}
    with engine.begin() as conn:
        upsert(conn, s.document_status, [*rows, later], ("status", "status_reason"))
    stored = {r["leaf"]: r for r in _rows(engine, s.document_status)}
    assert len(stored) == count
    assert stored[_h(1, "l")] == rows[1] | {"status": 1, "status_reason": 9}


@pytest.mark.parametrize("count", [3, BIG])
def test_upsert_without_columns_updates_every_non_key_column(engine: Engine, count: int) -> None:
    first = [_history(i, proposal_id=5) for i in range(count)]
    second = [_history(i, proposal_id=2**255, active=False) | {"status": 4} for i in range(count)]
    with engine.begin() as conn:
        upsert(conn, s.partner_history, first)
    with engine.begin() as conn:
        upsert(conn, s.partner_history, second)
    assert _rows(engine, s.partner_history) == sorted(second, key=lambda r: (r["tx_hash"], r["log_index"]))


@pytest.mark.parametrize("count", [3, BIG])
def test_bulk_writes_roll_back_with_the_callers_transaction(engine: Engine, count: int) -> None:
    with pytest.raises(RuntimeError, match="caller fails"), engine.begin() as conn:
        insert_ignore(conn, s.document_status, [_document(i) for i in range(count)])
        upsert(conn, s.document_status, [_document(i, status=1) for i in range(count)], ("status",))
        raise RuntimeError("caller fails after writing")
    assert _rows(engine, s.document_status) == []
    with engine.begin() as conn:  # the same connection (pooled) and its staging table still work afterwards
        insert_ignore(conn, s.document_status, [_document(i) for i in range(count)])
    assert len(_rows(engine, s.document_status)) == count


def test_a_value_wider_than_uint256_is_refused(engine: Engine) -> None:
    with pytest.raises((ValueError, StatementError), match="is not a uint256"), engine.begin() as conn:
        insert_ignore(conn, s.partner_history, [_history(1, proposal_id=2**256)])
    assert _rows(engine, s.partner_history) == []


def test_a_row_naming_an_unknown_column_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="document_status has no column"), engine.begin() as conn:
        insert_ignore(conn, s.document_status, [_document(1) | {"colour": "blue"}])
