"""Where logs come from: the indexer's first stage.

:class:`LogSource` is the injectable interface (a JSON-RPC node here, an in-memory chain in unit tests), kept to the
few primitives the sync loop needs. :class:`RangeFetcher` walks a block range over any source with adaptive range
sizes: it grows the range while calls succeed with few results, shrinks it on the provider's range errors (taking the
provider's suggested range when it names one, bisecting otherwise), treats a result of exactly a known cap as
truncated, and retries transient errors with backoff. Nothing here touches the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from ledger.chain.rpc import RangeTooLargeError, RetryPolicy, RpcClient, RpcError, TransientRpcError, with_retries
from ledger.indexer.decode import RawLog

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BlockHeader:
    number: int
    hash: str
    parent_hash: str
    timestamp: int


class LogSource(Protocol):
    """The chain as the indexer sees it."""

    def chain_id(self) -> int: ...

    def head(self) -> BlockHeader:
        """The latest block."""
        ...

    def finalized(self) -> int | None:
        """The number of the latest finalized block, or None when the node has no such notion."""
        ...

    def block(self, number: int) -> BlockHeader | None:
        """The canonical block at ``number`` (None above the head)."""
        ...

    def logs(self, from_block: int, to_block: int) -> list[RawLog]:
        """Logs of the watched contracts in ``[from_block, to_block]``, in a new list that the caller owns (the
        backfill empties it once decoded). May raise :class:`RangeTooLargeError`."""
        ...

    def logs_at(self, block_hash: str) -> list[RawLog]:
        """Logs of the watched contracts in the block with this hash (robust against a reorg mid-call)."""
        ...


def _header(obj: Any) -> BlockHeader:
    return BlockHeader(
        number=int(obj["number"], 16),
        hash=obj["hash"].lower(),
        parent_hash=obj["parentHash"].lower(),
        timestamp=int(obj["timestamp"], 16),
    )


def _raw_logs(objects: Any) -> list[RawLog]:
    """The node's log objects as RawLogs, releasing each object once converted (a dense range answers tens of
    thousands: holding both forms at once would double the peak memory of a fetch)."""
    if not isinstance(objects, list):
        raise RpcError(f"eth_getLogs returned {type(objects).__name__}, not a list")
    objects.reverse()
    pop = objects.pop
    return [RawLog.from_rpc(pop()) for _ in range(len(objects))]


class JsonRpcSource:
    """A :class:`LogSource` over a JSON-RPC node, filtering by the registries' addresses and event topics."""

    def __init__(self, client: RpcClient, addresses: Sequence[str], topics: Sequence[str]) -> None:
        self._client = client
        self._filter = {"address": [a.lower() for a in addresses], "topics": [list(topics)]}

    def chain_id(self) -> int:
        return int(self._client.call("eth_chainId"), 16)

    def head(self) -> BlockHeader:
        return _header(self._client.call("eth_getBlockByNumber", ["latest", False]))

    def finalized(self) -> int | None:
        try:
            block = self._client.call("eth_getBlockByNumber", ["finalized", False])
        except RpcError as exc:
            if isinstance(exc, TransientRpcError):
                raise
            return None  # a node without the "finalized" tag
        return None if block is None else int(block["number"], 16)

    def block(self, number: int) -> BlockHeader | None:
        block = self._client.call("eth_getBlockByNumber", [hex(number), False])
        return None if block is None else _header(block)

    def logs(self, from_block: int, to_block: int) -> list[RawLog]:
        params = {**self._filter, "fromBlock": hex(from_block), "toBlock": hex(to_block)}
        return _raw_logs(self._client.call("eth_getLogs", [params]))

    def logs_at(self, block_hash: str) -> list[RawLog]:
        params = {**self._filter, "blockHash": block_hash}
        return _raw_logs(self._client.call("eth_getLogs", [params]))

    def describe(self) -> str:
        return f"{self._client.where} watching {orjson.dumps(self._filter['address']).decode()}"


@dataclass
class RangePolicy:
    """How big the ``eth_getLogs`` ranges are and how they adapt.

    The range starts small, doubles while calls return fewer than half of ``target_logs`` (a sparse chain reaches
    10k+ blocks a call within a few calls), and shrinks in proportion when a call returns more than twice that, so one
    call's memory stays bounded on a dense chain.
    """

    initial: int = 1
    minimum: int = 1
    maximum: int = 100_000
    target_logs: int = 5_000
    result_cap: int | None = None
    """A provider's known result cap (e.g. 10_000): a result of exactly this size is treated as truncated."""

    def next_size(self, size: int, logs: int) -> int:
        if logs < self.target_logs // 2:
            return min(self.maximum, size * 2)
        if logs > self.target_logs * 2:
            return max(self.minimum, size * self.target_logs // logs)
        return size


@dataclass(frozen=True, slots=True)
class FetchedRange:
    from_block: int
    to_block: int
    logs: list[RawLog]


class RangeFetcher:
    """Fetches ``[start, end]`` as a sequence of adaptively sized ranges, in order, each complete."""

    def __init__(
        self,
        source: LogSource,
        policy: RangePolicy | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._source = source
        self.policy = policy or RangePolicy()
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self.size = self.policy.initial

    def _fetch(self, from_block: int, to_block: int) -> list[RawLog]:
        def attempt() -> list[RawLog]:
            return self._source.logs(from_block, to_block)

        def warn(n: int, exc: TransientRpcError) -> None:
            log.warning("retrying eth_getLogs %d-%d (attempt %d): %s", from_block, to_block, n, exc)

        if self._sleep is None:
            return with_retries(attempt, self._retry, on_retry=warn)
        return with_retries(attempt, self._retry, sleep=self._sleep, on_retry=warn)

    def ranges(self, start: int, end: int) -> Iterator[FetchedRange]:
        """Yield complete ranges covering ``[start, end]`` in order.

        Raises:
            RangeTooLargeError: the provider refuses even a single block.
            RpcError: any non-transient error, or a transient one that outlasted the retries.
        """
        policy = self.policy
        cursor = start
        while cursor <= end:
            to_block = min(end, cursor + self.size - 1)
            try:
                logs = self._fetch(cursor, to_block)
            except RangeTooLargeError as exc:
                span = to_block - cursor + 1
                if span <= policy.minimum:
                    raise
                if exc.suggested and exc.suggested[0] == cursor and cursor <= exc.suggested[1] < to_block:
                    self.size = exc.suggested[1] - cursor + 1
                else:
                    self.size = max(policy.minimum, span // 2)
                log.info("range %d-%d refused (%s); trying %d blocks", cursor, to_block, exc, self.size)
                continue
            if policy.result_cap is not None and len(logs) >= policy.result_cap:
                if to_block == cursor:
                    raise RangeTooLargeError(
                        f"block {cursor} alone returned {len(logs)} logs, the provider's result cap, so the answer may "
                        "be truncated: use a node without that cap"
                    )
                self.size = max(policy.minimum, (to_block - cursor + 1) // 2)
                log.info("range %d-%d hit the result cap %d; trying %d blocks", cursor, to_block, len(logs), self.size)
                continue
            yield FetchedRange(cursor, to_block, logs)
            self.size = policy.next_size(self.size, len(logs))
            cursor = to_block + 1
