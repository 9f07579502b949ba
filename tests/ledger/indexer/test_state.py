"""Progress, the reorg window and the single-writer lock, on SQLite and PostgreSQL.

The lock tests hold the first lock in another process (a lock is about processes: the SQLite lock row names its owner
by host and pid, the PostgreSQL advisory lock belongs to a session) and check that this process is refused while it
lives and gets the lock at once when it has released it or died.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, insert, select

from ledger.db import schema as s
from ledger.indexer.state import (
    Checkpoint,
    ConfigMismatchError,
    IndexerLockedError,
    SyncState,
    WriterLock,
    config_hash,
)

ADDRESSES = {"PartnerRegistry": "0x" + "Aa" * 20, "CertificateRegistry": "0x" + "bB" * 20}
ABI_HASHES = {"PartnerRegistry": "1" * 64, "CertificateRegistry": "2" * 64}
CONFIG = config_hash(31337, ADDRESSES, ABI_HASHES, 7)
HOST = socket.gethostname()


def block_hash(number: int, fork: str = "") -> str:
    return "0x" + f"{fork}{number}".encode().hex().rjust(64, "0")


# -- config hash -------------------------------------------------------------------------------------------------


def test_the_config_hash_ignores_mapping_order_and_address_case() -> None:
    reordered = dict(reversed(list(ADDRESSES.items())))
    lower = {name: address.lower() for name, address in reordered.items()}
    assert config_hash(31337, lower, dict(reversed(list(ABI_HASHES.items()))), 7) == CONFIG
    assert len(CONFIG) == 64


@pytest.mark.parametrize(
    "other",
    [
        config_hash(1, ADDRESSES, ABI_HASHES, 7),
        config_hash(31337, {**ADDRESSES, "CertificateRegistry": "0x" + "cc" * 20}, ABI_HASHES, 7),
        config_hash(31337, ADDRESSES, {**ABI_HASHES, "PartnerRegistry": "3" * 64}, 7),
        config_hash(31337, ADDRESSES, ABI_HASHES, 8),
    ],
    ids=["chain-id", "address", "abi", "start-block"],
)
def test_the_config_hash_changes_with_anything_that_decides_the_index(other: str) -> None:
    assert other != CONFIG


# -- sync state --------------------------------------------------------------------------------------------------


def test_opening_a_fresh_database_starts_one_block_before_the_start_block(db_engine: Engine) -> None:
    before = int(time.time())
    with db_engine.begin() as conn:
        checkpoint = SyncState(31337, CONFIG).open(conn, start_block=7)
    assert checkpoint == Checkpoint(6, None)
    with db_engine.connect() as conn:
        row = conn.execute(select(s.sync_state)).mappings().one()
    assert {k: v for k, v in row.items() if k != "updated_at"} == {
        "id": 1,
        "chain_id": 31337,
        "config_hash": CONFIG,
        "schema_version": s.SCHEMA_VERSION,
        "checkpoint_block": 6,
        "checkpoint_hash": None,
    }
    assert before <= row["updated_at"] <= int(time.time())


def test_reopening_returns_the_checkpoint_last_advanced_to(db_engine: Engine) -> None:
    state = SyncState(31337, CONFIG)
    with db_engine.begin() as conn:
        state.open(conn, start_block=7)
        assert state.advance(conn, 42, block_hash(42)) == Checkpoint(42, block_hash(42))
    with db_engine.begin() as conn:
        assert SyncState(31337, CONFIG).open(conn, start_block=7) == Checkpoint(42, block_hash(42))


def test_a_database_indexed_for_another_config_is_refused_with_a_clear_message(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        SyncState(31337, CONFIG).open(conn, start_block=7)
    other = config_hash(31337, ADDRESSES, ABI_HASHES, 8)
    message = (
        f"this database was indexed for chain 31337 with config {CONFIG[:12]}, not chain 31337 with config "
        f"{other[:12]} (other addresses, ABIs or start block): use another database, or reset this one with "
        "`originals index --reset`"
    )
    with db_engine.begin() as conn, pytest.raises(ConfigMismatchError) as caught:
        SyncState(31337, other).open(conn, start_block=8)
    assert str(caught.value) == message


def test_a_database_indexed_for_another_chain_is_refused(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        SyncState(31337, CONFIG).open(conn, start_block=7)
    with (
        db_engine.begin() as conn,
        pytest.raises(
            ConfigMismatchError, match=r"^this database was indexed for chain 31337 .* not chain 1 with config"
        ),
    ):
        SyncState(1, CONFIG).open(conn, start_block=7)


def test_a_refused_open_changes_nothing(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        SyncState(31337, CONFIG).open(conn, start_block=7)
    with db_engine.connect() as conn:
        before = conn.execute(select(s.sync_state)).all()
    with db_engine.begin() as conn, pytest.raises(ConfigMismatchError):
        SyncState(5, "f" * 64).open(conn, start_block=1)
    with db_engine.connect() as conn:
        assert conn.execute(select(s.sync_state)).all() == before


# -- the block window --------------------------------------------------------------------------------------------


def stored_blocks(engine: Engine) -> list[tuple[int, str, str]]:
    with engine.connect() as conn:
        query = select(s.block_hashes.c.number, s.block_hashes.c.hash, s.block_hashes.c.parent_hash)
        return [tuple(row) for row in conn.execute(query.order_by(s.block_hashes.c.number))]


def test_the_window_keeps_only_the_most_recent_blocks(db_engine: Engine) -> None:
    state = SyncState(31337, CONFIG, window=4)
    with db_engine.begin() as conn:
        for number in range(1, 11):
            state.remember(conn, number, block_hash(number), block_hash(number - 1))
    assert stored_blocks(db_engine) == [(n, block_hash(n), block_hash(n - 1)) for n in range(7, 11)]
    with db_engine.connect() as conn:
        assert state.oldest(conn) == 7
        assert state.stored_hash(conn, 10) == block_hash(10)
        assert state.stored_hash(conn, 6) is None


def test_remembering_a_block_again_replaces_it_and_everything_above(db_engine: Engine) -> None:
    """After a reorg the new block at a height replaces the old one and the old blocks above it."""
    state = SyncState(31337, CONFIG, window=10)
    with db_engine.begin() as conn:
        for number in range(1, 6):
            state.remember(conn, number, block_hash(number), block_hash(number - 1))
        state.remember(conn, 3, block_hash(3, "fork"), block_hash(2))
    assert stored_blocks(db_engine) == [
        (1, block_hash(1), block_hash(0)),
        (2, block_hash(2), block_hash(1)),
        (3, block_hash(3, "fork"), block_hash(2)),
    ]


def test_forget_above_drops_the_blocks_above_an_ancestor(db_engine: Engine) -> None:
    state = SyncState(31337, CONFIG, window=10)
    with db_engine.begin() as conn:
        for number in range(1, 6):
            state.remember(conn, number, block_hash(number), block_hash(number - 1))
        state.forget_above(conn, 2)
    assert [row[0] for row in stored_blocks(db_engine)] == [1, 2]


def test_an_empty_window_has_no_oldest_block(db_engine: Engine) -> None:
    with db_engine.connect() as conn:
        assert SyncState(31337, CONFIG).oldest(conn) is None


# -- the writer lock ---------------------------------------------------------------------------------------------

HOLDER = """
import sys
from ledger.db.engine import make_engine
from ledger.indexer.state import WriterLock
lock = WriterLock(make_engine(sys.argv[1]))
lock.acquire()
print("held", lock.owner, flush=True)
sys.stdin.read()
lock.release()
print("released", flush=True)
"""


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@contextmanager
def held_elsewhere(engine: Engine) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the writer lock of ``engine``'s database until the block ends (or it is killed)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url_of(engine)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        # The owner is host:pid:token. Never read stderr here: the holder is alive and the read would block.
        assert re.fullmatch(rf"held {re.escape(HOST)}:{process.pid}:[0-9a-f]{{8}}\n", line), line
        yield process
    finally:
        if process.poll() is None:
            process.communicate("", timeout=30)


def refusal(engine: Engine, pid: int) -> str:
    """The exact refusal message, as a regular expression (the SQLite owner ends with a random per-lock token)."""
    if engine.dialect.name == "postgresql":
        return re.escape("another indexer holds this database's lock (PostgreSQL advisory lock)")
    return rf"another indexer \({re.escape(HOST)}:{pid}:[0-9a-f]{{8}}\) writes to this database"


def test_a_second_writer_is_refused_while_another_process_holds_the_lock(db_engine: Engine) -> None:
    with held_elsewhere(db_engine) as holder:
        lock = WriterLock(db_engine)
        with pytest.raises(IndexerLockedError) as caught:
            lock.acquire()
        assert re.fullmatch(refusal(db_engine, holder.pid), str(caught.value)), str(caught.value)


def test_the_lock_is_free_once_its_holder_released_it(db_engine: Engine) -> None:
    with held_elsewhere(db_engine) as holder:
        out, _ = holder.communicate("", timeout=30)
        assert out == "released\n"
    lock = WriterLock(db_engine)
    lock.acquire()
    lock.release()


def test_a_lock_left_by_a_killed_process_is_taken_over_at_once(db_engine: Engine) -> None:
    with held_elsewhere(db_engine) as holder:
        holder.kill()
        holder.wait(timeout=30)
        lock = WriterLock(db_engine)
        # PostgreSQL ends the killed client's session when it sees the socket close: allow it a moment.
        deadline = time.monotonic() + 10
        while True:
            try:
                lock.acquire()
                break
            except IndexerLockedError:
                if db_engine.dialect.name != "postgresql" or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        lock.release()


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _lock_row(engine: Engine, owner: str, heartbeat: int) -> None:
    with engine.begin() as conn:
        conn.execute(insert(s.indexer_lock).values(id=1, owner=owner, acquired_at=heartbeat, heartbeat_at=heartbeat))


def _lock_owner(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(s.indexer_lock.c.owner)).scalar()


ON_SQLITE = pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
"""For the lock row, which exists on SQLite only (PostgreSQL uses a session advisory lock)."""
ON_POSTGRESQL = pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True)


@ON_SQLITE
def test_a_lock_row_of_a_dead_pid_on_this_host_is_taken_over_at_once(db_engine: Engine) -> None:
    """Even with a fresh heartbeat: a dead process holds nothing."""
    _lock_row(db_engine, f"{HOST}:{_dead_pid()}", int(time.time()))
    lock = WriterLock(db_engine)
    lock.acquire()
    assert re.fullmatch(rf"{re.escape(HOST)}:{os.getpid()}:[0-9a-f]{{8}}", _lock_owner(db_engine) or "")
    lock.release()
    assert _lock_owner(db_engine) is None


@ON_SQLITE
def test_a_lock_row_of_another_host_is_respected_while_its_heartbeat_is_fresh(db_engine: Engine) -> None:
    _lock_row(db_engine, "other-host:123", int(time.time()))
    with pytest.raises(IndexerLockedError, match=r"^another indexer \(other-host:123\) writes to this database$"):
        WriterLock(db_engine, stale_after=60).acquire()
    assert _lock_owner(db_engine) == "other-host:123"


@ON_SQLITE
def test_a_lock_row_of_another_host_is_taken_over_once_its_heartbeat_is_stale(db_engine: Engine) -> None:
    _lock_row(db_engine, "other-host:123", int(time.time()) - 61)
    lock = WriterLock(db_engine, stale_after=60)
    lock.acquire()
    assert _lock_owner(db_engine) == lock.owner
    lock.release()


@ON_SQLITE
def test_the_heartbeat_refreshes_the_lock_row(db_engine: Engine) -> None:
    lock = WriterLock(db_engine)
    lock.acquire()
    with db_engine.begin() as conn:
        conn.execute(s.indexer_lock.update().values(heartbeat_at=0))
    before = int(time.time())
    with db_engine.begin() as conn:
        lock.heartbeat(conn)
    with db_engine.connect() as conn:
        assert conn.execute(select(s.indexer_lock.c.heartbeat_at)).scalar_one() >= before
    lock.release()


@ON_SQLITE
def test_releasing_never_removes_another_owners_lock_row(db_engine: Engine) -> None:
    _lock_row(db_engine, "other-host:123", int(time.time()))
    WriterLock(db_engine).release()
    assert _lock_owner(db_engine) == "other-host:123"


@ON_POSTGRESQL
def test_a_second_lock_in_the_same_process_is_refused_on_postgresql(db_engine: Engine) -> None:
    first, second = WriterLock(db_engine), WriterLock(db_engine)
    first.acquire()
    try:
        with pytest.raises(IndexerLockedError):
            second.acquire()
    finally:
        first.release()
    second.acquire()
    second.release()


@ON_SQLITE
def test_a_second_lock_in_the_same_process_is_refused_on_sqlite(db_engine: Engine) -> None:
    first, second = WriterLock(db_engine), WriterLock(db_engine)
    first.acquire()
    with pytest.raises(IndexerLockedError):
        second.acquire()
