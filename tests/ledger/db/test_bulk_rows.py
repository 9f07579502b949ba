"""``insert_ignore_rows``: the tuple form of ``insert_ignore`` the projector uses for its two big tables.

Same database (SQLite and PostgreSQL) and row counts (below and above the COPY threshold) as ``test_bulk.py``, whose
fixtures and row builders these tests reuse; every expectation is the one ``insert_ignore`` meets with dict rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import test_bulk
from sqlalchemy import Engine, event
from test_bulk import BIG, _a, _document, _rows

from ledger.db import bulk
from ledger.db import schema as s
from ledger.db.bulk import insert_ignore_rows
from ledger.db.engine import make_engine, upgrade

engine = test_bulk.engine  # the same fixtures: SQLite and PostgreSQL, a fresh schema each test
postgres_url = test_bulk.postgres_url

COLUMNS = (
    "certificate_id",
    "leaf",
    "status",
    "status_reason",
    "status_at",
    "status_by",
    "status_by_council",
    "block_number",
)


def _tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c in COLUMNS)


def _key(row: dict[str, Any]) -> tuple[str, str]:
    return row["certificate_id"], row["leaf"]


@pytest.mark.parametrize("count", [3, BIG])
def test_rows_are_written_as_given_and_existing_keys_skipped(engine: Engine, count: int) -> None:
    with engine.begin() as conn:
        insert_ignore_rows(conn, s.document_status, COLUMNS, [_tuple(_document(0, by=_a(7, "f")))])
    again = [_document(i, by=_a(i, "e"), status=i % 3) for i in range(count)]
    with engine.begin() as conn:
        insert_ignore_rows(conn, s.document_status, COLUMNS, [_tuple(r) for r in again])
    stored = _rows(engine, s.document_status)
    assert stored[0] == _document(0, by=_a(7, "f"))
    assert stored[1:] == sorted(again[1:], key=_key)
    assert len(stored) == count


@pytest.mark.parametrize("count", [3, BIG])
def test_the_first_of_rows_repeating_a_key_is_kept(engine: Engine, count: int) -> None:
    rows = [_document(i, by=_a(i, "f")) for i in range(count)]
    repeated = [*rows, _document(1, by=_a(1, "d"))]
    with engine.begin() as conn:
        insert_ignore_rows(conn, s.document_status, COLUMNS, [_tuple(r) for r in repeated])
    assert _rows(engine, s.document_status) == sorted(rows, key=_key)


def test_rows_roll_back_with_the_callers_transaction(engine: Engine) -> None:
    with pytest.raises(RuntimeError, match=r"^abort$"), engine.begin() as conn:
        insert_ignore_rows(conn, s.document_status, COLUMNS, [_tuple(_document(i)) for i in range(BIG)])
        raise RuntimeError("abort")
    assert _rows(engine, s.document_status) == []


def test_a_column_the_table_lacks_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match=r"^document_status has no column\(s\) colour$"), engine.begin() as conn:
        insert_ignore_rows(conn, s.document_status, (*COLUMNS, "colour"), [(*_tuple(_document(0)), "red")])


def test_rows_existing_in_the_same_transaction_are_skipped_and_earlier_writes_kept(engine: Engine) -> None:
    """On PostgreSQL the second call's direct COPY meets existing keys and falls back to the staging table inside the
    same transaction: the first call's rows must survive that savepoint rollback, unchanged."""
    first = [_document(i, by=_a(i, "f")) for i in range(BIG)]
    second = [_document(i, by=_a(i, "e")) for i in range(BIG - 10, 2 * BIG)]
    with engine.begin() as conn:
        insert_ignore_rows(conn, s.document_status, COLUMNS, [_tuple(r) for r in first])
        insert_ignore_rows(conn, s.document_status, COLUMNS, [_tuple(r) for r in second])
    assert _rows(engine, s.document_status) == sorted(first + second[10:], key=_key)


@pytest.mark.parametrize("count", [1, 7, 8, 9, 600])
def test_sqlite_multi_row_statements_write_every_row_whatever_the_variable_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    """SQLite rows go in multi-row statements whose size is bounded by the variable limit: with room for only two
    documents rows per statement (8 columns, 20 variables) every count still writes each row once, in order."""
    monkeypatch.setattr(bulk, "_variable_limit", lambda _conn: 20)
    sizes: list[int] = []
    engine = make_engine(f"sqlite:///{tmp_path / 'multi.db'}")
    upgrade(engine)

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith('INSERT INTO "document_status"') or statement.startswith("INSERT INTO document_status"):
            sizes.append(statement.count("("))

    rows = [_document(i, by=_a(i, "f")) for i in range(count)]
    with engine.begin() as conn:
        insert_ignore_rows(conn, s.document_status, COLUMNS, [_tuple(r) for r in [*rows, rows[0] | {"status": 2}]])
    assert _rows(engine, s.document_status) == sorted(rows, key=_key)
    assert sum(n - 1 for n in sizes) == count + 1  # one "(" for the column list, one per row
    assert max(sizes) - 1 <= 2
    engine.dispose()
