"""The range fetcher against a fake log source that behaves like the providers do, and the classification of the
providers' real error messages.

The fake chain knows how many logs each block holds and can refuse wide ranges (with or without a suggested range),
truncate results silently at a cap, or fail transiently; it records every call, so the tests assert the exact ranges
asked for. Sleeps are injected and recorded: nothing here waits.
"""

from __future__ import annotations

import gc
import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.chain.rpc import (
    RangeTooLargeError,
    RetryPolicy,
    RpcClient,
    RpcError,
    TransientRpcError,
    classify_error,
)
from ledger.indexer.decode import RawLog
from ledger.indexer.source import BlockHeader, FetchedRange, RangeFetcher, RangePolicy

TOPIC = "0x" + "11" * 32
NO_WAIT = RetryPolicy(attempts=5, base=0.5, cap=4.0)


def _hash(kind: str, *numbers: int) -> str:
    return "0x" + f"{kind}:{':'.join(map(str, numbers))}".encode().hex().ljust(64, "0")[:64]


@dataclass
class FakeChain:
    """A :class:`LogSource` over an in-memory chain: ``counts[block]`` logs in each block, none elsewhere."""

    counts: dict[int, int] = field(default_factory=dict)
    head_number: int = 1_000_000
    max_range: int | None = None
    """Refuse ranges wider than this many blocks (RangeTooLargeError)."""
    suggest: str = "none"
    """How a refusal names a range: "none", "fits" (the widest allowed from the same start), "elsewhere" (starts
    somewhere else), "same" (the refused range itself)."""
    cap: int | None = None
    """Silently return only the first ``cap`` logs of a larger result (as providers with a result cap do)."""
    failures: list[Exception] = field(default_factory=list)
    """Raised, in order, by the next calls to :meth:`logs`."""
    calls: list[tuple[int, int]] = field(default_factory=list)

    def chain_id(self) -> int:
        return 31337

    def head(self) -> BlockHeader:
        return self.block(self.head_number) or BlockHeader(0, _hash("b", 0), _hash("b", -1), 0)

    def finalized(self) -> int | None:
        return None

    def block(self, number: int) -> BlockHeader | None:
        if number > self.head_number:
            return None
        return BlockHeader(number, _hash("b", number), _hash("b", number - 1), 12 * number)

    def logs_in(self, from_block: int, to_block: int) -> list[RawLog]:
        """Every log of the range, complete (the truth the fetched logs are compared with)."""
        return [
            RawLog("0x" + "aa" * 20, (TOPIC,), "0x", block, _hash("b", block), _hash("t", block, i), i)
            for block in sorted(b for b in self.counts if from_block <= b <= to_block)
            for i in range(self.counts[block])
        ]

    def logs(self, from_block: int, to_block: int) -> list[RawLog]:
        self.calls.append((from_block, to_block))
        if self.failures:
            raise self.failures.pop(0)
        span = to_block - from_block + 1
        if self.max_range is not None and span > self.max_range:
            suggested = {
                "none": None,
                "fits": (from_block, from_block + self.max_range - 1),
                "elsewhere": (from_block + 1, from_block + self.max_range),
                "same": (from_block, to_block),
            }[self.suggest]
            raise RangeTooLargeError(f"range {span} exceeds limit of {self.max_range}", -32602, suggested)
        found = self.logs_in(from_block, to_block)
        return found[: self.cap] if self.cap is not None else found

    def logs_at(self, block_hash: str) -> list[RawLog]:
        return [log for log in self.logs_in(0, self.head_number) if log.block_hash == block_hash]


@dataclass
class Sleeps:
    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def fetch(
    chain: FakeChain, start: int, end: int, policy: RangePolicy | None = None, sleep: Sleeps | None = None
) -> list[FetchedRange]:
    fetcher = RangeFetcher(chain, policy or RangePolicy(), NO_WAIT, sleep=sleep or Sleeps())
    return list(fetcher.ranges(start, end))


def sizes(calls: list[tuple[int, int]]) -> list[int]:
    return [b - a + 1 for a, b in calls]


def assert_contiguous_and_complete(chain: FakeChain, fetched: list[FetchedRange], start: int, end: int) -> None:
    assert fetched[0].from_block == start
    assert fetched[-1].to_block == end
    for before, after in itertools.pairwise(fetched):
        assert after.from_block == before.to_block + 1
    assert [log for part in fetched for log in part.logs] == chain.logs_in(start, end)
    for part in fetched:
        assert all(part.from_block <= log.block_number <= part.to_block for log in part.logs)


# -- range sizes -------------------------------------------------------------------------------------------------


def test_a_sparse_chain_grows_the_range_past_ten_thousand_blocks_a_call() -> None:
    chain = FakeChain(counts={150_000: 2})
    fetched = fetch(chain, 0, 199_999)
    # Doubling from 1: 1 ... 65,536 covers 131,071 blocks in 17 calls; the last call takes the remaining 68,929.
    assert sizes(chain.calls) == [2**k for k in range(17)] + [68_929]
    assert sizes(chain.calls)[14] == 16_384
    assert_contiguous_and_complete(chain, fetched, 0, 199_999)


def test_the_range_never_grows_beyond_the_policy_maximum() -> None:
    chain = FakeChain()
    fetch(chain, 0, 99_999, RangePolicy(initial=1_000, maximum=8_000))
    assert sizes(chain.calls) == [1_000, 2_000, 4_000] + [8_000] * 11 + [5_000]


def test_a_dense_chain_shrinks_the_range_in_proportion_to_the_logs_returned() -> None:
    chain = FakeChain(counts=dict.fromkeys(range(300), 100))
    fetch(chain, 0, 299, RangePolicy(initial=100, target_logs=1_000))
    # 100 blocks gave 10,000 logs, ten times the target: the next range is a tenth. Ten blocks give the target.
    assert sizes(chain.calls) == [100] + [10] * 20


def test_a_range_near_the_target_keeps_its_size() -> None:
    chain = FakeChain(counts=dict.fromkeys(range(500), 8))
    fetch(chain, 0, 499, RangePolicy(initial=100, target_logs=1_000))
    assert sizes(chain.calls) == [100] * 5


# -- refusals ----------------------------------------------------------------------------------------------------


def test_a_refused_range_is_retried_with_the_range_the_provider_suggests() -> None:
    chain = FakeChain(counts={10: 1, 2_500: 3}, max_range=1_000, suggest="fits")
    fetched = fetch(chain, 0, 2_999, RangePolicy(initial=5_000))
    assert chain.calls == [
        (0, 2_999),  # refused; the provider suggests [0, 999]
        (0, 999),
        (1_000, 2_999),  # the range doubles again and is refused; suggestion [1000, 1999]
        (1_000, 1_999),
        (2_000, 2_999),
    ]
    assert_contiguous_and_complete(chain, fetched, 0, 2_999)


def test_a_refused_range_without_a_suggestion_is_bisected() -> None:
    chain = FakeChain(counts={5: 1}, max_range=1_000)
    fetched = fetch(chain, 0, 7_999, RangePolicy(initial=8_000))
    assert chain.calls[:5] == [(0, 7_999), (0, 3_999), (0, 1_999), (0, 999), (1_000, 2_999)]
    assert chain.calls[5] == (1_000, 1_999)
    assert_contiguous_and_complete(chain, fetched, 0, 7_999)


@pytest.mark.parametrize("suggest", ["elsewhere", "same"])
def test_a_suggestion_that_does_not_shrink_the_range_from_its_start_is_ignored(suggest: str) -> None:
    """Following a suggestion that starts elsewhere would skip or repeat blocks; one that does not shrink loops."""
    chain = FakeChain(max_range=1_000, suggest=suggest)
    fetched = fetch(chain, 0, 3_999, RangePolicy(initial=4_000))
    assert chain.calls[:3] == [(0, 3_999), (0, 1_999), (0, 999)]
    assert_contiguous_and_complete(chain, fetched, 0, 3_999)


def test_a_provider_that_refuses_a_single_block_stops_the_fetch() -> None:
    chain = FakeChain(max_range=0)
    with pytest.raises(RangeTooLargeError, match=r"^range 1 exceeds limit of 0$"):
        fetch(chain, 0, 3, RangePolicy(initial=4))
    assert chain.calls == [(0, 3), (0, 1), (0, 0)]


# -- result caps -------------------------------------------------------------------------------------------------


def test_a_result_of_exactly_the_cap_is_treated_as_truncated_and_the_range_split() -> None:
    chain = FakeChain(counts=dict.fromkeys(range(100), 3), cap=30)
    fetched = fetch(chain, 0, 99, RangePolicy(initial=100, result_cap=30))
    # 100 blocks -> the first 30 logs only; halve until a range returns fewer than 30 (9 blocks -> 27 logs).
    assert sizes(chain.calls)[:5] == [100, 50, 25, 12, 6]
    assert all(len(part.logs) < 30 for part in fetched)
    assert_contiguous_and_complete(chain, fetched, 0, 99)


def test_a_result_of_exactly_the_cap_from_a_provider_that_does_not_truncate_is_split_all_the_same() -> None:
    """Ten blocks of exactly 30 logs: complete, but indistinguishable from a truncated answer, so it is split."""
    chain = FakeChain(counts=dict.fromkeys(range(10), 3))
    fetched = fetch(chain, 0, 9, RangePolicy(initial=10, result_cap=30))
    assert chain.calls[:2] == [(0, 9), (0, 4)]
    assert_contiguous_and_complete(chain, fetched, 0, 9)


def test_a_single_block_at_the_cap_cannot_be_split_and_is_refused_rather_than_truncated() -> None:
    chain = FakeChain(counts={7: 30}, cap=30)
    with pytest.raises(RangeTooLargeError, match="block 7"):
        fetch(chain, 7, 7, RangePolicy(initial=1, result_cap=30))


def test_without_a_known_cap_a_full_result_is_taken_as_complete() -> None:
    chain = FakeChain(counts=dict.fromkeys(range(10), 3))
    fetched = fetch(chain, 0, 9, RangePolicy(initial=10))
    assert chain.calls == [(0, 9)]
    assert len(fetched[0].logs) == 30


# -- transient errors --------------------------------------------------------------------------------------------


def test_transient_errors_are_retried_with_backoff_until_the_call_succeeds() -> None:
    chain = FakeChain(counts={3: 2}, failures=[TransientRpcError("node at x answered HTTP 503")] * 3)
    sleeps = Sleeps()
    fetched = fetch(chain, 0, 9, RangePolicy(initial=10), sleeps)
    assert chain.calls == [(0, 9)] * 4
    assert len(sleeps.delays) == 3
    # Full jitter: attempt n waits uniform(0, min(cap, base * 2**n)).
    for attempt, delay in enumerate(sleeps.delays):
        assert 0 <= delay <= min(NO_WAIT.cap, NO_WAIT.base * 2**attempt)
    assert_contiguous_and_complete(chain, fetched, 0, 9)


def test_transient_errors_give_up_after_the_policy_attempts() -> None:
    chain = FakeChain(failures=[TransientRpcError("timed out talking to x")] * 10)
    sleeps = Sleeps()
    with pytest.raises(TransientRpcError, match=r"^timed out talking to x \(gave up after 5 attempts\)$"):
        fetch(chain, 0, 9, RangePolicy(initial=10), sleeps)
    assert len(chain.calls) == NO_WAIT.attempts
    assert len(sleeps.delays) == NO_WAIT.attempts - 1


def test_a_non_transient_rpc_error_passes_through_at_once() -> None:
    chain = FakeChain(failures=[RpcError("JSON-RPC error -32601: method not found", -32601)])
    sleeps = Sleeps()
    with pytest.raises(RpcError, match=r"^JSON-RPC error -32601: method not found$") as caught:
        fetch(chain, 0, 9, RangePolicy(initial=10), sleeps)
    assert type(caught.value) is RpcError
    assert chain.calls == [(0, 9)]
    assert sleeps.delays == []


def test_a_transient_error_then_a_refusal_then_success_still_covers_the_range() -> None:
    chain = FakeChain(counts={1: 1, 900: 1}, max_range=500, suggest="fits", failures=[TransientRpcError("x")])
    fetched = fetch(chain, 0, 999, RangePolicy(initial=1_000))
    assert chain.calls[:3] == [(0, 999), (0, 999), (0, 499)]
    assert_contiguous_and_complete(chain, fetched, 0, 999)


# -- the ranges always cover the request -------------------------------------------------------------------------


@st.composite
def chains(draw: Any) -> tuple[FakeChain, RangePolicy, int, int]:
    start = draw(st.integers(0, 50))
    end = start + draw(st.integers(0, 3_000))
    cap = draw(st.none() | st.integers(2, 40))
    per_block = st.integers(1, (cap - 1) if cap else 60)
    counts = draw(st.dictionaries(st.integers(start, end), per_block, max_size=40))
    chain = FakeChain(
        counts=counts,
        max_range=draw(st.none() | st.integers(1, 2_000)),
        suggest=draw(st.sampled_from(["none", "fits", "elsewhere", "same"])),
        cap=cap,
    )
    policy = RangePolicy(
        initial=draw(st.integers(1, 5_000)),
        maximum=draw(st.integers(5_000, 100_000)),
        target_logs=draw(st.integers(2, 200)),
        result_cap=cap,
    )
    return chain, policy, start, end


@settings(max_examples=150, deadline=None)
@given(case=chains())
def test_fetched_ranges_are_contiguous_complete_and_in_order(case: tuple[FakeChain, RangePolicy, int, int]) -> None:
    chain, policy, start, end = case
    assert_contiguous_and_complete(chain, fetch(chain, start, end, policy), start, end)


def test_an_empty_request_fetches_nothing() -> None:
    chain = FakeChain()
    assert fetch(chain, 10, 9) == []
    assert chain.calls == []


# -- classify_error on what providers really answer --------------------------------------------------------------

RANGE_REFUSALS: list[tuple[str, dict[str, Any], tuple[int, int] | None]] = [
    # Infura's documented result cap (EIP-1474 "limit exceeded").
    ("infura-result-cap", {"code": -32005, "message": "query returned more than 10000 results"}, None),
    (
        "result-cap-with-hint",
        {"code": -32005, "message": "query returned more than 10000 results. Try with this block range [0x1, 0x2]."},
        (1, 2),
    ),
    # Infura's block-range limit as the live API answers it.
    ("infura-range", {"code": -32602, "message": "range 1000000 exceeds limit of 10000"}, None),
    (
        "alchemy-range",
        {
            "code": -32600,
            "message": "You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, "
            "this block range should work: [0x123c9b2, 0x123cba5]",
        },
        (0x123C9B2, 0x123CBA5),
    ),
    (
        "alchemy-response-size",
        {
            "code": -32602,
            "message": "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and "
            "no limit on the response size, or you can request any block range with a cap of 10K logs in the "
            "response. Based on your parameters and the response size limit, this block range should work: "
            "[0x0, 0x87fe9]",
        },
        (0, 0x87FE9),
    ),
    ("block-range-too-wide", {"code": -32600, "message": "block range is too wide"}, None),
    ("block-range-too-high", {"code": -32600, "message": "block range too high"}, None),
    ("exceeds-max", {"code": -32000, "message": "requested range exceeds maximum range limit"}, None),
    ("too-many-logs", {"code": -32000, "message": "too many logs, narrow the query"}, None),
    ("eip1474-limit-exceeded", {"code": -32005, "message": "limit exceeded"}, None),
    (
        "hint-in-data",
        {"code": -32000, "message": "bad request", "data": "block range too large, try [0x10, 0x20]"},
        (16, 32),
    ),
]


@pytest.mark.parametrize(
    ("error", "suggested"), [(e, s) for _, e, s in RANGE_REFUSALS], ids=[i for i, _, _ in RANGE_REFUSALS]
)
def test_providers_range_refusals_are_range_too_large_with_their_suggested_range(
    error: dict[str, Any], suggested: tuple[int, int] | None
) -> None:
    classified = classify_error(error)
    assert type(classified) is RangeTooLargeError
    assert classified.suggested == suggested
    assert classified.code == error["code"]
    assert str(classified) == f"provider refused the range: {error['message']}"


@pytest.mark.parametrize(
    "error",
    [
        {"code": -32000, "message": "request timed out"},
        {"code": -32603, "message": "upstream busy, try again later"},
        {"code": -32000, "message": "server overloaded"},
    ],
    ids=["timed-out", "busy", "overloaded"],
)
def test_busy_node_errors_are_transient(error: dict[str, Any]) -> None:
    classified = classify_error(error)
    assert type(classified) is TransientRpcError
    assert str(classified) == f"node is busy: {error['message']}"
    assert isinstance(classified, ConnectionError)


@pytest.mark.parametrize(
    "error",
    [
        {"code": -32601, "message": "the method eth_foo does not exist/is not available"},
        {"code": 3, "message": "execution reverted", "data": "0x08c379a0"},
        {"code": -32602, "message": "invalid argument 0: hex string without 0x prefix"},
    ],
    ids=["unknown-method", "revert", "invalid-argument"],
)
def test_other_errors_are_plain_rpc_errors_with_their_code_and_data(error: dict[str, Any]) -> None:
    classified = classify_error(error)
    assert type(classified) is RpcError
    assert str(classified) == f"JSON-RPC error {error['code']}: {error['message']}"
    assert (classified.code, classified.data) == (error["code"], error.get("data"))


def test_a_malformed_error_object_is_an_rpc_error_saying_so() -> None:
    classified = classify_error("internal error")
    assert type(classified) is RpcError
    assert str(classified) == "malformed JSON-RPC error: 'internal error'"


# Real provider answers that name a range limit in less common ways.

QUICKNODE = {"code": -32614, "message": "eth_getLogs is limited to a 10,000 range"}


def test_quicknode_range_limit_is_a_range_refusal() -> None:
    assert isinstance(classify_error(QUICKNODE), RangeTooLargeError)


def test_blocks_range_limit_is_a_range_refusal() -> None:
    """As answered by 1rpc on Gnosis."""
    error = {"code": -32000, "message": "eth_getLogs is limited to a 1000 blocks range"}
    assert isinstance(classify_error(error), RangeTooLargeError)


def test_a_range_limit_named_in_structured_error_data_is_a_range_refusal() -> None:
    """As answered by Tenderly: the reason sits in ``data.payload``."""
    error = {
        "code": -32602,
        "message": "invalid params",
        "data": {"error_id": "4ed94073", "payload": "range 9009594 is bigger than range limit 2000"},
    }
    assert isinstance(classify_error(error), RangeTooLargeError)


@contextmanager
def _client_answering(status: int, body: dict[str, Any]) -> Iterator[RpcClient]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"jsonrpc": "2.0", "id": 1, "error": body})

    client = RpcClient("http://node.invalid", transport=httpx.MockTransport(handler))
    try:
        yield client
    finally:
        client.close()


def test_quicknode_http_413_with_a_range_error_is_a_range_refusal() -> None:
    """QuickNode answers an over-wide eth_getLogs with HTTP 413 and the JSON-RPC error in the body."""
    with _client_answering(413, QUICKNODE) as client, pytest.raises(RangeTooLargeError):
        client.call("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest"}])


def test_an_http_4xx_answer_is_a_plain_rpc_error_naming_the_status() -> None:
    """Any HTTP 4xx other than 429 stops the fetch with the status in the message (see the 413 case above)."""
    with (
        _client_answering(400, {"code": -32600, "message": "bad request"}) as client,
        pytest.raises(RpcError, match=re.escape("node at http://node.invalid answered HTTP 400: ")),
    ):
        client.call("eth_chainId")


def test_http_429_and_5xx_are_transient() -> None:
    for status in (429, 502, 503):
        with (
            _client_answering(status, {"code": -32000, "message": "x"}) as client,
            pytest.raises(TransientRpcError, match=f"^node at http://node.invalid answered HTTP {status}$"),
        ):
            client.call("eth_chainId")


def test_a_json_rpc_error_in_a_200_answer_is_classified() -> None:
    with (
        _client_answering(200, {"code": -32005, "message": "query returned more than 10000 results"}) as client,
        pytest.raises(RangeTooLargeError, match=r"^provider refused the range: query returned more than"),
    ):
        client.call("eth_getLogs", [{}])


def test_an_answer_body_is_not_held_by_a_reference_cycle() -> None:
    """An httpx.Response is cyclic garbage (its stream points back at it): the client must not leave a body in one.

    The backfill holds the cyclic collector off between commits, so a body kept by a Response (``.content``) would
    stay in memory until the next collection: megabytes per dense ``eth_getLogs`` range.
    """
    logs = [f"0x{n:064x}" for n in range(20_000)]  # ~1.4 MB of JSON

    body = json.dumps({"jsonrpc": "2.0", "id": 1, "result": logs}).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        # Streamed, as from a socket (a body given whole is read into the Response at once, by httpx itself).
        return httpx.Response(200, content=iter([body[:700_000], body[700_000:]]))

    client = RpcClient("http://node.invalid", transport=httpx.MockTransport(handler))
    was_enabled = gc.isenabled()
    gc.disable()
    gc.collect()
    try:
        assert client.call("eth_getLogs", [{}]) == logs
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        held = [len(o._content) for o in gc.garbage if isinstance(o, httpx.Response) and hasattr(o, "_content")]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        client.close()
        if was_enabled:
            gc.enable()
    assert [size for size in held if size > 1_000] == []
