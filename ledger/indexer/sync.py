"""The sync loop: backfill to a final block, then follow the head block by block, undoing reorgs.

Backfill covers blocks that cannot change any more (the node's ``finalized`` block, or head minus a confirmation
depth) in large adaptive ranges. The live tail then takes one block at a time: it fetches the header, checks its
parent hash against the stored window of recent hashes, fetches that block's logs *by block hash*, and commits the
rows, the block hash and the checkpoint in one transaction. A parent-hash mismatch walks back through the window to
the common ancestor and rolls back above it in one transaction. A head *below* the checkpoint is told apart by its
hash: the block the index holds at that height means a node that is behind (lag: the loop waits), another block means
a reorganisation to a shorter chain, rolled back at once like any other. A reorg deeper than the window stops the
indexer with a clear error.
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Generic, TypeVar

from sqlalchemy import Engine, Index

from ledger.chain.rpc import RangeTooLargeError, RetryPolicy, RpcError, TransientRpcError, with_retries
from ledger.db import indexes, schema
from ledger.db.checkpoints import WalCheckpointer, database_file
from ledger.errors import LedgerError
from ledger.indexer.decode import DecodedLog, EventDecoder, RawLog
from ledger.indexer.project import Projector
from ledger.indexer.source import BlockHeader, FetchedRange, LogSource, RangeFetcher, RangePolicy
from ledger.indexer.state import Checkpoint, SyncState, WriterLock

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class ReorgTooDeepError(LedgerError, RuntimeError):
    """The chain changed below the oldest block the indexer remembers."""


class _Stopped(Exception):
    """Raised inside a retry backoff when a stop was requested: the loop ends without waiting out the backoff."""


FULL_COLLECTION_SECONDS = 60.0
"""While the backfill holds the cyclic garbage collector, it runs a full collection at least this often."""

YOUNG_COLLECTION_SECONDS = 10.0
"""... and a young one at least this often (after a commit), for the cycles made since."""


class _Collector:
    """The backfill's hold on the cyclic garbage collector (see :meth:`paused`).

    A dense backfill allocates some ten tracked objects per log (log records, tuples, row dicts) that live until their
    batch commits: the collector's automatic runs, triggered by allocation counts, keep scanning them and the whole
    heap and find nothing, since they are acyclic (measured: about 60% of decoding time, 5 µs a log). Paused, it runs
    only where the indexer chooses, after a commit: a young collection every :data:`YOUNG_COLLECTION_SECONDS` and a
    full one every :data:`FULL_COLLECTION_SECONDS`, so memory stays flat however long the backfill. Reference
    counting frees everything else as usual.

    Not a young collection after every commit: each one scans every object made since the last and still alive,
    which at that moment are mostly the ranges the fetch thread has read ahead, ~30 ms a commit on a dense chain
    (~6% of the writer's time). What the indexer leaves in cycles between collections is small: the RPC client
    keeps response bodies out of them (:meth:`ledger.chain.rpc.RpcClient._exchange`), without which they held
    ~550 MB at the end of a 1M-event backfill with no young collections.
    """

    def __init__(self) -> None:
        now = time.monotonic()
        self._full_at = now + FULL_COLLECTION_SECONDS
        self._young_at = now + YOUNG_COLLECTION_SECONDS

    @classmethod
    @contextmanager
    def paused(cls) -> Iterator[_Collector]:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            yield cls()
        finally:
            if was_enabled:  # another thread pausing it at the same time leaves it as it found it
                gc.enable()

    def after_commit(self) -> None:
        now = time.monotonic()
        if now >= self._full_at:
            gc.collect()
            self._full_at = now + FULL_COLLECTION_SECONDS
        elif now >= self._young_at:
            gc.collect(1)
        else:
            return
        self._young_at = now + YOUNG_COLLECTION_SECONDS


class _Prefetch(Generic[_T]):
    """Runs an iterator in a thread of its own, at most ``depth`` items ahead of the consumer.

    The backfill fetches the next range while it decodes and writes the current one: the node answers, the socket
    fills and SQLite or PostgreSQL write (all without the GIL) at the same time as Python works on the other side.
    The thread starts on an item only when fewer than ``depth`` are waiting or being made, so memory holds at most
    ``depth`` ranges more than without it. Only the thread touches the iterator; its exceptions are raised in the
    consumer, in order. :meth:`close` stops it after the item in hand and waits for it, so nothing runs on in the
    background once the backfill returns.
    """

    _DONE = object()

    def __init__(self, items: Iterator[_T], depth: int = 1) -> None:
        self._queue: queue.SimpleQueue[tuple[object, BaseException | None]] = queue.SimpleQueue()
        self._slots = threading.Semaphore(depth)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(items,), name="indexer-fetch", daemon=True)
        self._thread.start()

    def _run(self, items: Iterator[_T]) -> None:
        try:
            while self._slot():
                item = next(items, self._DONE)
                self._queue.put((item, None))
                if item is self._DONE:
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            self._queue.put((None, exc))

    def _slot(self) -> bool:
        """Wait until the consumer has room for one more item; False once closed."""
        while not self._closed.is_set():
            if self._slots.acquire(timeout=0.05):
                return True
        return False

    def __iter__(self) -> Iterator[_T]:
        while True:
            item, error = self._queue.get()
            self._slots.release()
            if error is not None:
                raise error
            if item is self._DONE:
                return
            yield item  # type: ignore[misc]

    def close(self) -> None:
        self._closed.set()
        self._thread.join()


@dataclass
class SyncOptions:
    use_finalized: bool = True
    confirmations: int = 12
    poll_interval: float = 0.5
    reorg_window: int = 128
    batch_events: int = 20_000
    prefetch_ranges: int = 3
    """During backfill, fetched ranges the fetch thread may hold ready ahead of the writer (each holds at most about
    ``range_policy.target_logs`` logs): range sizes vary a lot on a dense chain, and with one range ahead the writer
    waited for the node ~18% of a backfill; with three, ~2%."""
    commit_seconds: float = 1.0
    """During backfill, commit at least this often so progress survives a crash even on a sparse chain."""
    tail_blocks_per_step: int = 256
    defer_indexes: bool = True
    """On an empty database, drop the tables' read-path indexes for the backfill and build them once caught up."""
    range_policy: RangePolicy = field(default_factory=RangePolicy)
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass
class SyncStats:
    """Counters for progress reports and benchmarks (seconds are wall-clock per stage)."""

    events: int = 0
    blocks: int = 0
    reorgs: int = 0
    fetch_seconds: float = 0.0
    decode_seconds: float = 0.0
    write_seconds: float = 0.0


Progress = Callable[[int, int, SyncStats], None]
"""Called after each backfill commit with (checkpoint block, backfill target, stats)."""


class Indexer:
    """Mirrors one deployment's events into one database. Single writer (see :class:`WriterLock`)."""

    def __init__(
        self,
        engine: Engine,
        source: LogSource,
        decoder: EventDecoder,
        state: SyncState,
        start_block: int,
        options: SyncOptions | None = None,
    ) -> None:
        self.engine = engine
        self.source = source
        self.decoder = decoder
        self.state = state
        self.start_block = start_block
        self.options = options or SyncOptions()
        self.projector = Projector(state.chain_id)
        self.lock = WriterLock(engine)
        self.stats = SyncStats()
        self.checkpoint = Checkpoint(start_block - 1, None)
        self._stop = threading.Event()
        self._indexes = indexes.secondary((schema.chain_events, *schema.DERIVED_TABLES))
        self._deferred: list[Index] = []
        """Read-path indexes missing now: dropped for the initial backfill, built again before anything else."""
        self._checkpointer: WalCheckpointer | None = None

    # -- the loop -------------------------------------------------------------------------------------------------

    def run(
        self,
        once: bool = False,
        stop: threading.Event | None = None,
        progress: Progress | None = None,
        on_block: Callable[[int], None] | None = None,
    ) -> SyncStats:
        """Index until ``stop`` is set (or, with ``once``, until caught up with the head).

        Raises:
            ConfigMismatchError, IndexerLockedError, ReorgTooDeepError, RpcError: the indexer cannot go on.
        """
        stop = stop or threading.Event()
        self._stop = stop
        with self._checkpoints():
            return self._run(once, stop, progress, on_block)

    @contextmanager
    def _checkpoints(self) -> Iterator[None]:
        """On a SQLite file, WAL checkpoints run in a thread of their own while the indexer runs.

        See :mod:`ledger.db.checkpoints`; the indexer's engine leaves them to this thread."""
        path = database_file(self.engine)
        if path is None:
            yield
            return
        with WalCheckpointer(path) as checkpointer:
            self._checkpointer = checkpointer
            try:
                yield
            finally:
                self._checkpointer = None

    def _committed(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.poke()

    def _run(
        self,
        once: bool,
        stop: threading.Event,
        progress: Progress | None,
        on_block: Callable[[int], None] | None,
    ) -> SyncStats:
        self.lock.acquire()
        try:
            with self.engine.begin() as conn:
                self.checkpoint = self.state.open(conn, self.start_block)
                self._deferred = indexes.missing(conn, self._indexes)  # a deferred backfill was killed
            while not stop.is_set():
                target = self._retry(self._backfill_target)
                if target > self.checkpoint.block:
                    self.backfill(target, stop, progress)
                    continue
                self.restore_indexes()  # never follow the head (nor let the API read) without them
                head, advanced = self.tail(stop, on_block)
                if once and self.checkpoint.block >= head:
                    break
                if not advanced:
                    stop.wait(self.options.poll_interval)
            self.restore_indexes()  # a clean stop in mid-backfill leaves the schema whole too
        except _Stopped:
            log.info("stopped while waiting for the node")
            self.restore_indexes()
        finally:
            self.lock.release()
        return self.stats

    def _retry(self, fn: Callable[[], _T]) -> _T:
        def warn(n: int, exc: TransientRpcError) -> None:
            log.warning("node unavailable (attempt %d): %s", n, exc)

        def sleep(seconds: float) -> None:
            if self._stop.wait(seconds):
                raise _Stopped

        return with_retries(fn, self.options.retry, sleep=sleep, on_retry=warn)

    def _backfill_target(self) -> int:
        """The highest block that is final: ``finalized`` when the node has it, else head minus confirmations."""
        if self.options.use_finalized:
            finalized = self.source.finalized()
            if finalized is not None:
                return finalized
        return self.source.head().number - self.options.confirmations

    # -- backfill -------------------------------------------------------------------------------------------------

    def backfill(self, target: int, stop: threading.Event | None = None, progress: Progress | None = None) -> None:
        """Index ``(checkpoint, target]`` in adaptive ranges, committing every ``batch_events`` or second."""
        fetcher = RangeFetcher(self.source, self.options.range_policy, self.options.retry)
        if self.options.defer_indexes and self.checkpoint.block < self.start_block and not self._deferred:
            self._defer_indexes()
        if progress is not None:
            progress(self.checkpoint.block, target, self.stats)  # lets a progress bar start from the checkpoint
        pending: list[DecodedLog] = []
        last_commit = time.monotonic()
        with _Collector.paused() as collector:
            # Only the fetch thread uses the source until close(): the RPC client is not shared between threads.
            ahead = _Prefetch(
                self._ranges(fetcher, self.checkpoint.block + 1, target), depth=self.options.prefetch_ranges
            )
            try:
                clock = time.perf_counter()
                for fetched, header in ahead:
                    now = time.perf_counter()
                    self.stats.fetch_seconds += now - clock  # time spent waiting for the fetch thread
                    pending.extend(self._decode(fetched.logs))
                    fetched.logs.clear()  # the raw logs are not needed any more: memory stays flat on a dense chain
                    due = time.monotonic() - last_commit >= self.options.commit_seconds
                    if len(pending) >= self.options.batch_events or due or fetched.to_block == target:
                        if header is None:
                            raise RpcError(f"the node has no block {fetched.to_block} although it reported it as final")
                        self._write(pending, header, first_block=self.checkpoint.block + 1)
                        self.stats.blocks = header.number - self.start_block + 1
                        pending = []
                        collector.after_commit()
                        if fetched.to_block == target:
                            self.restore_indexes()
                        last_commit = time.monotonic()
                        if progress is not None:
                            progress(self.checkpoint.block, target, self.stats)
                        if stop is not None and stop.is_set():
                            return
                    clock = time.perf_counter()
            finally:
                ahead.close()

    def _ranges(
        self, fetcher: RangeFetcher, start: int, target: int
    ) -> Iterator[tuple[FetchedRange, BlockHeader | None]]:
        """Each fetched range with the header of its last block (the checkpoint, should the batch end there)."""
        for fetched in fetcher.ranges(start, target):
            yield fetched, self._retry(partial(self.source.block, fetched.to_block))

    def _defer_indexes(self) -> None:
        """Drop the read-path indexes before the first backfill into an empty database (see ledger.db.indexes).

        Nothing has been indexed yet, so the tables are empty and this is instant; the writes that follow skip the
        random-key index updates, and :meth:`restore_indexes` builds the indexes from sorted data at the end.
        """
        with self.engine.begin() as conn:
            indexes.drop(conn, self._indexes)
        self._deferred = list(self._indexes)
        log.info("initial backfill: %d read-path indexes are built once it has caught up", len(self._deferred))

    def restore_indexes(self) -> None:
        """Build the read-path indexes that are missing (after a deferred backfill, or one that was killed)."""
        if not self._deferred:
            return
        started = time.perf_counter()
        with self.engine.begin() as conn:
            indexes.create(conn, self._deferred)
            self.lock.heartbeat(conn)
        self._committed()
        seconds = time.perf_counter() - started
        self.stats.write_seconds += seconds
        log.info("built %d read-path indexes in %.1f s", len(self._deferred), seconds)
        self._deferred = []

    def _decode(self, raw: list[RawLog]) -> list[DecodedLog]:
        started = time.perf_counter()
        decoded = self.decoder.decode_all(raw)
        self.stats.decode_seconds += time.perf_counter() - started
        return decoded

    def _commit(self, raw: list[RawLog], header: BlockHeader, first_block: int) -> None:
        """Decode, project and advance the checkpoint to ``header`` in one transaction."""
        self._write(self._decode(raw), header, first_block)

    def _write(self, decoded: list[DecodedLog], header: BlockHeader, first_block: int) -> None:
        """Project ``decoded`` and advance the checkpoint to ``header`` in one transaction."""
        decoded_at = time.perf_counter()
        with self.engine.begin() as conn:
            self.projector.apply(conn, decoded)
            self.state.remember(conn, header.number, header.hash, header.parent_hash, header.timestamp)
            self.checkpoint = self.state.advance(conn, header.number, header.hash)
            self.lock.heartbeat(conn)
        self._committed()
        self.stats.write_seconds += time.perf_counter() - decoded_at
        self.stats.events += len(decoded)
        if decoded:
            log.debug("blocks %d-%d: %d events", first_block, header.number, len(decoded))

    def rescan_from_final(self) -> int:
        """Recover from a reorg deeper than the window: roll back to the last final block and go on from there."""
        target = self._retry(self._backfill_target)
        header = self._retry(partial(self.source.block, target))
        if header is None:
            raise RpcError(f"the node has no block {target} although it reported it as final")
        self.lock.acquire()
        try:
            with self.engine.begin() as conn:
                checkpoint = self.state.open(conn, self.start_block)
                if checkpoint.block <= target:
                    return checkpoint.block
                self.projector.rollback(conn, target)
                self.state.forget_above(conn, target)
                self.state.remember(conn, header.number, header.hash, header.parent_hash, header.timestamp)
                self.checkpoint = self.state.advance(conn, target, header.hash)
        finally:
            self.lock.release()
        return target

    # -- live tail ------------------------------------------------------------------------------------------------

    def tail(
        self, stop: threading.Event | None = None, on_block: Callable[[int], None] | None = None
    ) -> tuple[int, bool]:
        """Follow the head for up to ``tail_blocks_per_step`` blocks. Returns (head number, whether it advanced)."""
        head = self._retry(self.source.head)
        advanced = False
        for _ in range(self.options.tail_blocks_per_step):
            if stop is not None and stop.is_set():
                break
            if self.checkpoint.block >= head.number:
                if self._replaced(head):
                    self._reorg(head)  # the tip was replaced at its height, or the chain became shorter than ours
                    advanced = True
                    continue
                break  # caught up; or the node is behind us on our own chain (lag, not a reorg)
            number = self.checkpoint.block + 1
            header = self._retry(partial(self.source.block, number))
            if header is None:
                break
            if self.checkpoint.hash is not None and header.parent_hash != self.checkpoint.hash:
                self._reorg(header)
                advanced = True
                continue
            try:
                raw = self._retry(partial(self.source.logs_at, header.hash))
            except RpcError as exc:
                if isinstance(exc, TransientRpcError):
                    raise
                current = self._retry(partial(self.source.block, number))
                if current is not None and current.hash == header.hash:
                    raise  # the block is still canonical: the node's error is real, not a reorg
                log.info("block %d (%s) vanished while reading its logs: %s", number, header.hash, exc)
                break  # replaced under us; the next step sees the new block and its parent hash
            cap = self.options.range_policy.result_cap
            if cap is not None and len(raw) >= cap:
                raise RangeTooLargeError(
                    f"block {number} returned {len(raw)} logs, the provider's result cap, so the answer may be "
                    "truncated: use a node without that cap"
                )
            started = time.perf_counter()
            self._commit(raw, header, first_block=number)
            self.stats.blocks += 1
            advanced = True
            if raw:
                log.info("block %d: %d events (%.0f ms)", number, len(raw), (time.perf_counter() - started) * 1e3)
            if on_block is not None:
                on_block(number)
        return head.number, advanced

    def _replaced(self, head: BlockHeader) -> bool:
        """Whether the node's head, at or below the checkpoint, is not the block the index holds at that height.

        A head below the checkpoint is either a node that is behind on our chain (its head is a block we indexed:
        wait) or a reorganisation to a shorter chain (its head is a block we never saw: the blocks above the common
        ancestor are gone, and with them what the index says about them). Only the stored hash at the head's height
        tells the two apart. When the window holds no hash there (a node further behind than the window), nothing
        can be told, and the index waits; ``/health`` reports an index ahead of the node meanwhile.
        """
        if head.number == self.checkpoint.block:
            stored = self.checkpoint.hash
        else:
            with self.engine.connect() as conn:
                stored = self.state.stored_hash(conn, head.number)
        return stored is not None and stored != head.hash

    def _reorg(self, header: BlockHeader) -> None:
        """Walk back to the common ancestor of the stored window and the node's chain, then roll back above it.

        The walk starts at ``header``'s height when the node's chain is shorter than the index, since the node has
        no block above it to compare with.
        """
        with self.engine.connect() as conn:
            oldest = self.state.oldest(conn)
            number = min(self.checkpoint.block, header.number)
            while True:
                stored = self.state.stored_hash(conn, number)
                if stored is None or oldest is None or number < oldest:
                    raise ReorgTooDeepError(
                        f"the chain changed below block {number}, deeper than the {self.options.reorg_window}-block "
                        "window the indexer keeps: run `originals index --rescan-from-final` to rebuild from the "
                        "last final block"
                    )
                canonical = self._retry(partial(self.source.block, number))
                if canonical is not None and canonical.hash == stored:
                    break
                number -= 1
        with self.engine.begin() as conn:
            entities = self.projector.rollback(conn, number)
            self.state.forget_above(conn, number)
            self.checkpoint = self.state.advance(conn, number, stored)
            self.lock.heartbeat(conn)
        self._committed()
        self.stats.reorgs += 1
        log.warning(
            "reorg at block %d: rolled back to common ancestor %d (%d entities rebuilt)",
            header.number,
            number,
            len(entities),
        )
