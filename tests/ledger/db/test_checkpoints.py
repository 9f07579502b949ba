"""WAL checkpoints in a thread of their own: the indexer's engine leaves them to :class:`WalCheckpointer`.

A checkpoint copies committed pages from the ``-wal`` file into the database file. The tests tell whether it ran by
copying the database file *alone* (without its WAL) and reading the copy: rows are in the copy only once a
checkpoint has copied them.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, text

from ledger.db.checkpoints import WalCheckpointer, database_file
from ledger.db.engine import make_engine

ROWS = 12_000
"""~24 MB of rows: more than SQLite's 1,000-page autocheckpoint threshold (16 MiB at the project's 16 KiB pages),
so a default engine checkpoints them."""


def _fill(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (i INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        conn.execute(text("INSERT INTO t (payload) VALUES (:p)"), [{"p": "x" * 2_000} for _ in range(ROWS)])


def _rows_in_file_alone(path: Path, tmp_path: Path) -> int:
    """Rows of ``t`` in a copy of the database file without its WAL (0 when the table is not there yet)."""
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM t").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def _pragma(engine: Engine, name: str) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(f"PRAGMA {name}").scalar_one())


def test_a_writer_engine_leaves_checkpoints_to_its_owner_and_a_default_engine_does_not(tmp_path: Path) -> None:
    writer = make_engine(f"sqlite:///{tmp_path / 'writer.db'}", writer=True)
    default = make_engine(f"sqlite:///{tmp_path / 'default.db'}")
    try:
        assert _pragma(writer, "wal_autocheckpoint") == 0
        assert _pragma(default, "wal_autocheckpoint") == 1000
        _fill(writer)
        _fill(default)
        assert _rows_in_file_alone(tmp_path / "writer.db", tmp_path) == 0
        assert _rows_in_file_alone(tmp_path / "default.db", tmp_path) == ROWS
    finally:
        writer.dispose()
        default.dispose()


def test_the_checkpointer_copies_commits_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    engine = make_engine(f"sqlite:///{path}", writer=True)
    try:
        with WalCheckpointer(path, limit=0) as checkpointer:
            _fill(engine)
            checkpointer.poke()
        assert checkpointer.checkpoints >= 1
        assert _rows_in_file_alone(path, tmp_path) == ROWS
        with sqlite3.connect(path, isolation_level=None) as conn:
            busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert (busy, copied) == (0, frames)  # nothing was left to copy
    finally:
        engine.dispose()


def test_a_short_wal_is_left_for_later(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    engine = make_engine(f"sqlite:///{path}", writer=True)
    try:
        checkpointer = WalCheckpointer(path, limit=1 << 30)
        with checkpointer:
            _fill(engine)
            checkpointer.poke()
            checkpointer._stopping.wait(0.2)  # give the thread time to (not) act on the poke
            assert _rows_in_file_alone(path, tmp_path) == 0
        assert checkpointer.checkpoints == 1  # only the last one, on the way out
        assert _rows_in_file_alone(path, tmp_path) == ROWS
    finally:
        engine.dispose()


def test_only_sqlite_files_have_a_database_file(tmp_path: Path) -> None:
    assert database_file(make_engine(f"sqlite:///{tmp_path / 'a.db'}")) == tmp_path / "a.db"
    assert database_file(make_engine("sqlite://")) is None
    assert database_file(make_engine("sqlite:///:memory:")) is None
    assert database_file(make_engine("postgresql+psycopg://u@127.0.0.1:1/db")) is None
