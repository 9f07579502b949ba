"""New SQLite databases get :data:`SQLITE_PAGE_SIZE` pages; databases made before keep theirs and keep working."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import text

from ledger.db.engine import HEAD_REVISION, SQLITE_PAGE_SIZE, make_engine, revision, upgrade


def _file_settings(path: Path) -> tuple[int, str]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA page_size").fetchone()[0], conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_the_page_size_is_16_kib() -> None:
    assert SQLITE_PAGE_SIZE == 16_384


def test_a_new_database_is_migrated_with_the_projects_page_size_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    engine = make_engine(f"sqlite:///{path}", writer=True)
    upgrade(engine)
    engine.dispose()
    assert _file_settings(path) == (SQLITE_PAGE_SIZE, "wal")


def test_a_database_made_with_4_kib_pages_keeps_them_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE older (x INTEGER)")
        conn.execute("INSERT INTO older VALUES (7)")
        conn.commit()
    engine = make_engine(f"sqlite:///{path}", writer=True)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO older VALUES (8)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM older ORDER BY x")).scalars().all() == [7, 8]
    assert revision(engine) == HEAD_REVISION
    engine.dispose()
    assert _file_settings(path) == (4096, "wal")
