"""The initial backfill drops the read-path indexes and builds them again: the schema afterwards is the migrated one.

The indexer runs over an in-memory chain serving the recorded scenario (``data/raw_logs.json``) block by block, with
tiny batches so the backfill commits many times. Index definitions are compared as the database itself states them
(``sqlite_master.sql`` on SQLite, ``pg_indexes.indexdef`` on PostgreSQL) with those of the freshly migrated database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, text
from support.indexer_recorded import load
from support.indexer_tables import dump_projection, project, reset_tables

from ledger.chain.rpc import RpcError
from ledger.db import indexes, schema
from ledger.indexer.decode import RawLog
from ledger.indexer.runner import make_decoder
from ledger.indexer.source import BlockHeader, RangePolicy
from ledger.indexer.state import SyncState
from ledger.indexer.sync import Indexer, SyncOptions

RECORDING = load()
HEAD = max(int(obj["blockNumber"], 16) for obj in RECORDING.logs)
WATCHED = indexes.secondary((schema.chain_events, *schema.DERIVED_TABLES))


def _hash(number: int) -> str:
    return "0x" + f"{number:064x}"


@dataclass
class RecordedChain:
    """A :class:`LogSource` serving the recorded logs; ``fail_after`` makes the call after that many log calls fail
    (a node error, not transient: the indexer stops with it), and ``during`` sees the database at every call."""

    fail_after: int | None = None
    during: list[list[str]] = field(default_factory=list)
    engine: Engine | None = None
    calls: int = 0

    def chain_id(self) -> int:
        return RECORDING.chain_id

    def head(self) -> BlockHeader:
        header = self.block(HEAD)
        assert header is not None
        return header

    def finalized(self) -> int | None:
        return None

    def block(self, number: int) -> BlockHeader | None:
        return None if number > HEAD else BlockHeader(number, _hash(number), _hash(number - 1), 12 * number)

    def logs(self, from_block: int, to_block: int) -> list[RawLog]:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RpcError("the node went away")
        if self.engine is not None:
            with self.engine.connect() as conn:
                self.during.append(sorted(str(index.name) for index in indexes.missing(conn, WATCHED)))
        return [log for log in RECORDING.raw_logs() if from_block <= log.block_number <= to_block]

    def logs_at(self, block_hash: str) -> list[RawLog]:
        return []


def indexer(engine: Engine, chain: RecordedChain, defer: bool = True) -> Indexer:
    options = SyncOptions(
        use_finalized=False,
        confirmations=0,
        batch_events=2,
        range_policy=RangePolicy(initial=1, maximum=4, target_logs=4),
        defer_indexes=defer,
    )
    return Indexer(engine, chain, make_decoder(), SyncState(RECORDING.chain_id, "test"), 1, options)


def index_definitions(engine: Engine) -> list[tuple[str, str]]:
    """Every index of the database as the database states it (name, definition)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name"
        else:
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1"
        return [(str(name), str(sql)) for name, sql in conn.execute(text(query))]


def expected_projection(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """The tables of the recording projected once, in one batch (this empties the database first)."""
    reset_tables(engine)
    project(engine, RECORDING.chain_id, [RECORDING.decoded()])
    return dump_projection(engine)


def test_the_initial_backfill_runs_without_the_read_path_indexes_and_ends_with_the_migrated_schema(
    db_engine: Engine,
) -> None:
    migrated = index_definitions(db_engine)
    chain = RecordedChain(engine=db_engine)
    stats = indexer(db_engine, chain).run(once=True)
    assert stats.events == len(RECORDING.logs)
    everything = sorted(str(index.name) for index in WATCHED)
    assert len(chain.during) == chain.calls >= 10
    assert chain.during == [everything] * chain.calls, "every index was left out during the whole backfill"
    assert index_definitions(db_engine) == migrated
    indexed = dump_projection(db_engine)
    assert indexed == expected_projection(db_engine)


def test_a_backfill_into_a_database_that_holds_events_keeps_the_indexes(db_engine: Engine) -> None:
    first = RecordedChain(fail_after=5)
    with pytest.raises(RpcError, match=r"^the node went away$"):
        indexer(db_engine, first, defer=False).run(once=True)
    chain = RecordedChain(engine=db_engine)
    indexer(db_engine, chain).run(once=True)
    assert chain.during and all(missing == [] for missing in chain.during)
    assert dump_projection(db_engine) == expected_projection(db_engine)


def test_a_backfill_that_stopped_with_the_indexes_dropped_builds_them_when_it_next_catches_up(
    db_engine: Engine,
) -> None:
    """An error ends the run and leaves the indexes out (as a kill -9 would); the next run finishes the backfill
    without them, then builds them."""
    migrated = index_definitions(db_engine)
    with pytest.raises(RpcError, match=r"^the node went away$"):  # raised in the fetch thread, re-raised here
        indexer(db_engine, RecordedChain(fail_after=5)).run(once=True)
    with db_engine.connect() as conn:
        assert indexes.missing(conn, WATCHED) == WATCHED
    chain = RecordedChain(engine=db_engine)
    indexer(db_engine, chain).run(once=True)
    everything = sorted(str(index.name) for index in WATCHED)
    assert chain.during and all(missing == everything for missing in chain.during)
    assert index_definitions(db_engine) == migrated
    assert dump_projection(db_engine) == expected_projection(db_engine)


def test_indexes_missing_when_there_is_nothing_left_to_backfill_are_built_before_the_tail(db_engine: Engine) -> None:
    """A kill during the final index build leaves a database caught up but without some indexes."""
    migrated = index_definitions(db_engine)
    indexer(db_engine, RecordedChain()).run(once=True)
    with db_engine.begin() as conn:
        indexes.drop(conn, WATCHED[:3])
    assert index_definitions(db_engine) != migrated
    chain = RecordedChain()
    indexer(db_engine, chain).run(once=True)
    assert chain.calls == 0, "nothing was left to backfill"
    assert index_definitions(db_engine) == migrated


def test_a_stop_in_mid_backfill_builds_the_indexes_before_run_returns(db_engine: Engine) -> None:
    migrated = index_definitions(db_engine)
    stop = threading.Event()
    commits: list[int] = []

    def progress(block: int, _target: int, _stats: object) -> None:
        commits.append(block)
        if len(commits) == 3:
            stop.set()

    indexer(db_engine, RecordedChain()).run(stop=stop, progress=progress)
    with db_engine.connect() as conn:
        checkpoint = conn.execute(text("SELECT checkpoint_block FROM sync_state")).scalar_one()
    assert 0 < checkpoint < HEAD, "the run stopped in mid-backfill"
    assert index_definitions(db_engine) == migrated
    assert [t.name for t in threading.enumerate() if t.name == "indexer-fetch"] == [], "the fetch thread ended"
