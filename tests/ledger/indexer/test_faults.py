"""A misbehaving node: the indexer reads anvil through :class:`FaultProxy`, which refuses ranges, rate-limits,
times out, truncates results and fails with 5xx, the way hosted JSON-RPC providers do.

Transient faults and range refusals must cost only time: the backfill still completes and the index equals the
ground truth, fetched straight from anvil past the proxy. The scenarios index the whole chain as backfill
(``use_finalized=False, confirmations=0``); the live tail, which reads block by block, gets tests of its own. A
non-transient error (-32601, method not found) must stop the indexer at once with a clear message instead of being
retried or swallowed. Every test also checks that its faults really fired, so none can pass without having been
exercised.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from support.faultproxy import GETLOGS, Fault, FaultProxy
from support.groundtruth import Background, DevChain, Workload, dev_chain, error_lines, indexed_block, run_cli

from ledger.chain.rpc import RetryPolicy, RpcError, TransientRpcError

pytestmark = pytest.mark.timeout(180)

EVERY_METHOD = ("eth_chainId", "eth_blockNumber", "eth_getBlockByNumber", GETLOGS)
CAP = 25
"""The truncating provider's result cap; above the most logs one block of this chain holds (a batch of 8 + 1)."""
SQLITE = pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)


BACKFILL_ONLY = {"use_finalized": False, "confirmations": 0}
"""Everything up to the head counts as final: the whole chain goes through the ranged backfill."""


@pytest.fixture(scope="module")
def chain_and_workload(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevChain, Workload]]:
    with dev_chain(tmp_path_factory.mktemp("faults")) as chain:
        workload = Workload(chain.consortium, seed=31)
        workload.tour()
        workload.steps(150)
        chain.mine(70)
        yield chain, workload


@pytest.fixture
def chain(chain_and_workload: tuple[DevChain, Workload]) -> DevChain:
    return chain_and_workload[0]


@pytest.fixture
def proxy(chain: DevChain) -> Iterator[FaultProxy]:
    with FaultProxy(chain.url) as proxy:
        yield proxy


def _transient(kind: str, **kw: Any) -> Fault:
    """A fault on every method; the first request (build_indexer's unretried eth_chainId) passes."""
    return Fault(kind, methods=EVERY_METHOD, skip=1, **kw)


SCENARIOS: dict[str, tuple[list[Fault], dict[str, Any]]] = {
    "range-refused-with-suggested-range": ([Fault("range", max_blocks=10, suggest=True)], {}),
    "range-refused-without-suggestion": ([Fault("range", max_blocks=10)], {}),
    "http-429": ([_transient("http", every=4, status=429)], {}),
    "http-5xx": ([_transient("http", every=5, status=503), _transient("http", every=7, status=502)], {}),
    "timeouts": ([_transient("sleep", every=5, seconds=1.5, limit=3)], {"rpc_timeout": 0.5}),
    "truncated-results": ([Fault("truncate", cap=CAP)], {"range_result_cap": CAP}),
    "all-at-once": (
        [
            Fault("range", max_blocks=12, suggest=True, every=2),
            Fault("range", max_blocks=12),
            _transient("http", every=5, status=429),
            _transient("http", every=7, status=502),
            _transient("sleep", every=6, seconds=1.5, limit=2),
            Fault("truncate", cap=CAP),
        ],
        {"rpc_timeout": 0.5, "range_result_cap": CAP},
    ),
}
"""Faults and the settings they need. Ranges start at 200 blocks and never exceed 25 (10+ ``eth_getLogs`` over this
chain), so the range refusals fire and every periodic fault meets enough requests."""


@SQLITE
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_backfill_through_a_faulty_node_equals_the_chain(
    db_engine: Engine, chain: DevChain, proxy: FaultProxy, scenario: str
) -> None:
    faults, overrides = SCENARIOS[scenario]
    proxy.faults = [dataclasses.replace(f) for f in faults]  # fresh counters per test
    settings = {"range_initial": 200, "range_max": 25, **BACKFILL_ONLY, **overrides}
    with chain.indexer(db_engine, rpc_url=proxy.url, **settings) as setup:
        stats = setup.indexer.run(once=True)
    truth = chain.truth(db_engine)
    assert truth.block == chain.head()
    assert stats.blocks == truth.block - chain.consortium.deployment.start_block + 1, "all of it as backfill"
    unfired = [f"{f.kind}/{f.status if f.kind == 'http' else ''}" for f in proxy.faults if f.fired == 0]
    assert not unfired, f"faults that never fired: {unfired} (requests: {proxy.requests})"
    if scenario.startswith("range-refused"):
        _assert_range_adaptation(proxy.ranges, suggested=scenario.endswith("suggested-range"), max_blocks=10)


def _assert_range_adaptation(ranges: list[tuple[int, int, str | None]], suggested: bool, max_blocks: int) -> None:
    """After each refusal the next request starts at the same block and spans the suggested range (with a hint) or
    half the refused span (without one); the accepted ranges tile the chain without gap or overlap."""
    for (start, end, fault), (next_start, next_end, _) in itertools.pairwise(ranges):
        if fault == "range":
            expected = max_blocks if suggested else (end - start + 1) // 2
            assert (next_start, next_end - next_start + 1) == (start, expected), (start, end, next_start, next_end)
    accepted = [(start, end) for start, end, fault in ranges if fault is None]
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(accepted)), f"gap or overlap in {accepted}"
    assert sum(fault == "range" for *_, fault in ranges) >= 3


@SQLITE
def test_truncated_results_without_the_cap_setting_lose_events_and_the_ground_truth_sees_it(
    db_engine: Engine, chain: DevChain, proxy: FaultProxy
) -> None:
    """The control for the scenario above: without ``range_result_cap`` the index is silently short, and the
    comparison catches it (so its passing there means something)."""
    proxy.faults = [Fault("truncate", cap=CAP)]
    with chain.indexer(db_engine, rpc_url=proxy.url, range_initial=200, **BACKFILL_ONLY) as setup:
        setup.indexer.run(once=True)
    assert proxy.fired("truncate") > 0
    with pytest.raises(AssertionError, match=r"canonical logs missing"):
        chain.truth(db_engine)


@SQLITE
def test_method_not_found_stops_the_backfill_at_once_with_the_node_message(
    db_engine: Engine, chain: DevChain, proxy: FaultProxy
) -> None:
    proxy.faults = [Fault("error", code=-32601)]
    with chain.indexer(db_engine, rpc_url=proxy.url) as setup, pytest.raises(RpcError) as raised:
        setup.indexer.run(once=True)
    assert not isinstance(raised.value, TransientRpcError)
    assert raised.value.code == -32601
    assert str(raised.value) == "JSON-RPC error -32601: the method eth_getLogs does not exist/is not available"
    assert proxy.requests[GETLOGS] == 1, "a non-transient error must not be retried"
    assert indexed_block(db_engine) == chain.consortium.deployment.start_block - 1, "nothing was committed"


@SQLITE
def test_index_command_reports_method_not_found_in_one_line(
    db_engine: Engine, chain: DevChain, proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.faults = [Fault("error", code=-32601)]
    env = chain.env(db_engine.url.render_as_string(hide_password=False), rpc_url=proxy.url)
    result = run_cli(["index", "--once"], env, tmp_path)
    assert result.returncode == 1
    assert error_lines(result.stderr) == [
        "originals index: error: JSON-RPC error -32601: the method eth_getLogs does not exist/is not available"
    ], result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def _tail_ahead(chain_and_workload: tuple[DevChain, Workload], db_engine: Engine, steps: int) -> None:
    """Index the chain directly, then add ``steps`` random steps: what is left is the live tail's work."""
    chain, workload = chain_and_workload
    with chain.indexer(db_engine) as setup:
        setup.indexer.run(once=True)
    workload.steps(steps)


@SQLITE
def test_live_tail_retries_a_few_transient_errors(
    db_engine: Engine, chain_and_workload: tuple[DevChain, Workload], proxy: FaultProxy
) -> None:
    chain, _ = chain_and_workload
    _tail_ahead(chain_and_workload, db_engine, 30)
    # Few faults on purpose (the heavy-fault case is its own test below); a slow machine may add
    # a genuine timeout or two.
    proxy.faults = [_transient("http", every=5, status=429, limit=2), _transient("http", every=7, status=503, limit=2)]
    with chain.indexer(db_engine, rpc_url=proxy.url) as setup:
        stats = setup.indexer.run(once=True)
    truth = chain.truth(db_engine)
    assert truth.block == chain.head() and stats.blocks >= 30, "the new blocks came through the tail"
    assert [f.fired for f in proxy.faults] == [2, 2]


@SQLITE
def test_live_tail_rides_out_a_node_that_fails_every_third_request(
    db_engine: Engine, chain_and_workload: tuple[DevChain, Workload], proxy: FaultProxy
) -> None:
    """Each request succeeds when retried once, so the indexer must get through, as the backfill does."""
    chain, _ = chain_and_workload
    _tail_ahead(chain_and_workload, db_engine, 10)
    proxy.faults = [_transient("http", every=3, status=503)]
    with chain.indexer(db_engine, rpc_url=proxy.url) as setup:
        setup.indexer.options.retry = RetryPolicy(attempts=8, base=0.01)  # the default budget, with shorter waits
        setup.indexer.run(once=True)
    chain.truth(db_engine)


@SQLITE
def test_method_not_found_stops_the_live_tail_with_the_node_message(
    db_engine: Engine, chain_and_workload: tuple[DevChain, Workload], proxy: FaultProxy
) -> None:
    chain, _ = chain_and_workload
    _tail_ahead(chain_and_workload, db_engine, 3)
    proxy.faults = [Fault("error", code=-32601)]
    with (
        chain.indexer(db_engine, rpc_url=proxy.url) as setup,
        Background(lambda stop: setup.indexer.run(once=True, stop=stop), "indexer", join_timeout=30) as run,
    ):
        run.thread.join(3)
        stuck = run.thread.is_alive()
        run.stop.set()
        run.thread.join(30)
        assert not stuck, f"the indexer neither failed nor progressed in 3 s ({proxy.requests[GETLOGS]} eth_getLogs)"
        assert isinstance(run.error, RpcError) and run.error.code == -32601, run.error
        run.error = None  # asserted above; do not re-raise it on exit


@SQLITE
def test_one_block_above_the_result_cap_is_not_silently_truncated(db_engine: Engine, tmp_path: Path) -> None:
    """A 40-document public batch is one block of 41 logs behind a provider that returns at most 25: the indexer
    must either stop with an error or index all 41, never keep 25."""
    with dev_chain(tmp_path) as small, FaultProxy(small.url, [Fault("truncate", cap=CAP)]) as capped:
        workload = Workload(small.consortium, seed=32)
        workload.issue_batch(40, public=True, issuer=0)
        workload.settle()
        with small.indexer(db_engine, rpc_url=capped.url, range_result_cap=CAP, **BACKFILL_ONLY) as setup:
            try:
                setup.indexer.run(once=True)
            except RpcError:
                return  # stopping loudly is an acceptable answer
        assert capped.fired("truncate") > 0
        small.truth(db_engine)
