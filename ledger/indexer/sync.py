"""The sync loop: backfill to a final block, then follow the head block by block, undoing reorgs.

Backfill covers blocks that cannot change any more (the node's ``finalized`` block, or head minus a confirmation
depth) in large adaptive ranges. The live tail then takes one block at a time: it fetches the header, checks its
parent hash against the stored window of recent hashes, fetches that block's logs *by block hash*, and commits the
rows, the block hash and the checkpoint in one transaction. A parent-hash mismatch walks back through the window to
the common ancestor and rolls back above it in one transaction. A head *below* the checkpoint is a node that is
behind (lag), not a reorg: the loop waits. A reorg deeper than the window stops the indexer with a clear error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from sqlalchemy import Engine

from ledger.chain.rpc import RangeTooLargeError, RetryPolicy, RpcError, TransientRpcError, with_retries
from ledger.errors import LedgerError
from ledger.indexer.decode import EventDecoder, RawLog
from ledger.indexer.project import Projector
from ledger.indexer.source import BlockHeader, LogSource, RangeFetcher, RangePolicy
from ledger.indexer.state import Checkpoint, SyncState, WriterLock

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class ReorgTooDeepError(LedgerError, RuntimeError):
    """The chain changed below the oldest block the indexer remembers."""


class _Stopped(Exception):
    """Raised inside a retry backoff when a stop was requested: the loop ends without waiting out the backoff."""


@dataclass
class SyncOptions:
    use_finalized: bool = True
    confirmations: int = 12
    poll_interval: float = 0.5
    reorg_window: int = 128
    batch_events: int = 20_000
    commit_seconds: float = 1.0
    """During backfill, commit at least this often so progress survives a crash even on a sparse chain."""
    tail_blocks_per_step: int = 256
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
        self.lock.acquire()
        try:
            with self.engine.begin() as conn:
                self.checkpoint = self.state.open(conn, self.start_block)
            while not stop.is_set():
                target = self._retry(self._backfill_target)
                if target > self.checkpoint.block:
                    self.backfill(target, stop, progress)
                    continue
                head, advanced = self.tail(stop, on_block)
                if once and self.checkpoint.block >= head:
                    break
                if not advanced:
                    stop.wait(self.options.poll_interval)
        except _Stopped:
            log.info("stopped while waiting for the node")
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
        if progress is not None:
            progress(self.checkpoint.block, target, self.stats)  # lets a progress bar start from the checkpoint
        pending: list[RawLog] = []
        last_commit = time.monotonic()
        clock = time.perf_counter()
        for fetched in fetcher.ranges(self.checkpoint.block + 1, target):
            now = time.perf_counter()
            self.stats.fetch_seconds += now - clock
            pending.extend(fetched.logs)
            due = time.monotonic() - last_commit >= self.options.commit_seconds
            if len(pending) >= self.options.batch_events or due or fetched.to_block == target:
                header = self._retry(partial(self.source.block, fetched.to_block))
                if header is None:
                    raise RpcError(f"the node has no block {fetched.to_block} although it reported it as final")
                self._commit(pending, header, first_block=self.checkpoint.block + 1)
                self.stats.blocks = header.number - self.start_block + 1
                pending = []
                last_commit = time.monotonic()
                if progress is not None:
                    progress(self.checkpoint.block, target, self.stats)
                if stop is not None and stop.is_set():
                    return
            clock = time.perf_counter()

    def _commit(self, raw: list[RawLog], header: BlockHeader, first_block: int) -> None:
        """Decode, project and advance the checkpoint to ``header`` in one transaction."""
        started = time.perf_counter()
        decoded = self.decoder.decode_all(raw)
        decoded_at = time.perf_counter()
        self.stats.decode_seconds += decoded_at - started
        with self.engine.begin() as conn:
            self.projector.apply(conn, decoded)
            self.state.remember(conn, header.number, header.hash, header.parent_hash)
            self.checkpoint = self.state.advance(conn, header.number, header.hash)
            self.lock.heartbeat(conn)
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
                self.state.remember(conn, header.number, header.hash, header.parent_hash)
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
                if self.checkpoint.block == head.number and self.checkpoint.hash not in (None, head.hash):
                    self._reorg(head)  # the tip itself was replaced, at the same height
                    advanced = True
                    continue
                break  # caught up; or the node is behind us (lag, not a reorg)
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

    def _reorg(self, header: BlockHeader) -> None:
        """Walk back to the common ancestor of the stored window and the node's chain, then roll back above it."""
        with self.engine.connect() as conn:
            oldest = self.state.oldest(conn)
            number = self.checkpoint.block
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
        self.stats.reorgs += 1
        log.warning(
            "reorg at block %d: rolled back to common ancestor %d (%d entities rebuilt)",
            header.number,
            number,
            len(entities),
        )
