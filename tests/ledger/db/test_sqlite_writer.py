"""The indexer's SQLite engine (``make_engine(url, writer=True)``) survives another process writing meanwhile.

A deferred transaction that reads and then writes fails at once with "database is locked" when another connection
committed in between (its snapshot is stale; busy_timeout does not apply). That is how the indexer died in CI while
the API migrated the same new database. A writer engine begins every transaction with the write lock instead, so the
other connection waits for it and both succeed.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from ledger.db.engine import make_engine


def _read_then_write_while_another_connection_writes(writer: Engine, other: Engine) -> list[BaseException]:
    errors: list[BaseException] = []
    began = threading.Event()

    def other_write() -> None:
        began.wait(10)
        try:
            with other.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (2)"))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=other_write)
    thread.start()
    try:
        with writer.begin() as conn:
            conn.execute(text("SELECT count(*) FROM t")).scalar()
            began.set()
            time.sleep(0.5)  # the other connection writes now, or waits for this transaction
            conn.execute(text("INSERT INTO t VALUES (1)"))
    except BaseException as exc:
        errors.append(exc)
    finally:
        began.set()
        thread.join(30)
    return errors


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    setup = make_engine(url)
    with setup.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    setup.dispose()
    return url


def test_a_writer_engine_holds_the_lock_so_both_writes_succeed(url: str) -> None:
    writer, other = make_engine(url, writer=True), make_engine(url)
    try:
        assert _read_then_write_while_another_connection_writes(writer, other) == []
        with other.connect() as conn:
            assert sorted(conn.execute(text("SELECT x FROM t")).scalars()) == [1, 2]
    finally:
        writer.dispose()
        other.dispose()


def test_a_deferred_transaction_in_the_same_situation_fails_at_once(url: str) -> None:
    """The premise: without ``writer`` the read-then-write transaction loses."""
    deferred, other = make_engine(url), make_engine(url)
    try:
        errors = _read_then_write_while_another_connection_writes(deferred, other)
        assert len(errors) == 1
        assert isinstance(errors[0], OperationalError) and "database is locked" in str(errors[0])
    finally:
        deferred.dispose()
        other.dispose()
