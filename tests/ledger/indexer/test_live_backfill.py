"""The indexer against a real node (anvil): backfill, live tail, and the ``originals index`` command.

One chain per module carries every event kind, a 1,024-document public batch and a few hundred random events, then
70 empty blocks so that all of it lies below anvil's ``finalized`` block (latest - 64) and goes through the backfill.
Every test indexes into a fresh database (SQLite and PostgreSQL through ``db_engine``) and compares the whole index
with the ground truth of :mod:`support.groundtruth`: one independent ``eth_getLogs`` and a from-scratch projection.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from support.groundtruth import (
    ORIGINALS,
    Background,
    DevChain,
    Workload,
    cli_env,
    dev_chain,
    error_lines,
    generate,
    indexed_block,
    run_cli,
    wait_until,
)

from devtools.devnet import free_port
from ledger.deployments import CONTRACT_VERSION
from ledger.events import EVENT_TYPES
from ledger.indexer.sync import SyncStats

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevChain, Workload]]:
    with dev_chain(tmp_path_factory.mktemp("live")) as chain:
        workload = Workload(chain.consortium, seed=11)
        workload.tour()
        workload.issue_batch(1024, public=True, issuer=0)
        workload.steps(150)
        chain.mine(70)
        yield chain, workload


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_backfill_of_every_event_kind_equals_the_chain(db_engine: Engine, chain: tuple[DevChain, Workload]) -> None:
    """Small ranges and small batches force many ``eth_getLogs`` calls and many commits: their seams must not show."""
    dev, _ = chain
    commits: list[tuple[int, int]] = []
    with dev.indexer(db_engine, range_initial=16, range_max=64, batch_events=40) as setup:
        stats = setup.indexer.run(once=True, progress=lambda block, target, _: commits.append((block, target)))
    truth = dev.truth(db_engine)
    assert truth.block == dev.head()
    names = truth.names()
    assert set(names) == set(EVENT_TYPES), "the workload must exercise every event the registries emit"
    assert names["DocumentPublished"] >= 1024
    assert len(truth.logs) >= 1300
    assert stats.events == len(truth.logs), "every event was written exactly once"
    target = dev.head() - 64
    assert len(commits) >= 3 and commits[-1] == (target, target), f"backfill commits: {commits[:3]}..{commits[-2:]}"


def test_live_tail_keeps_up_while_transactions_arrive(db_engine: Engine, chain: tuple[DevChain, Workload]) -> None:
    """The indexer follows the head block by block while another thread sends transactions; once both stop and the
    indexer reaches the head, the index equals the chain."""
    dev, workload = chain
    tailed: list[int] = []
    with dev.indexer(db_engine) as setup:
        indexer = Background(
            lambda stop: setup.indexer.run(stop=stop, on_block=tailed.append), "indexer", join_timeout=30
        )
        with indexer:
            wait_until(lambda: indexed_block(db_engine) >= dev.head() - 1, 60, "the backfill to finish")
            before = len(tailed)
            with Background(generate(workload, dev.url, seed=12, max_steps=80, max_seconds=5), "generator") as gen:
                gen.thread.join(30)
                sent = gen.finish()
            dev.resync_nonces()
            during = len(tailed) - before
            head = dev.head()
            wait_until(lambda: indexed_block(db_engine) >= head, 30, f"the indexer to reach head {head}")
            stats: SyncStats = indexer.finish()
    truth = dev.truth(db_engine)
    assert sent >= 20, f"the generator sent only {sent} steps"
    assert during > 0, "the indexer committed no block while transactions were arriving"
    assert truth.block == head
    assert stats.reorgs == 0


def test_index_once_command_exits_zero_and_reports_progress(
    db_engine: Engine, chain: tuple[DevChain, Workload], tmp_path: Path
) -> None:
    dev, _ = chain
    result = run_cli(["index", "--once"], dev.env(_url(db_engine)), tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    truth = dev.truth(db_engine)
    assert "backfill:" in result.stderr, "the backfill progress bar is missing"
    assert f"indexed to block {truth.block}: {len(truth.logs)} events" in result.stderr
    assert "Traceback" not in result.stderr


def test_second_indexer_on_the_same_database_is_refused(
    db_engine: Engine, chain: tuple[DevChain, Workload], tmp_path: Path
) -> None:
    """While one ``originals index`` follows the chain, a second on the same database exits 1 with one line."""
    dev, _ = chain
    env = dev.env(_url(db_engine))
    log = tmp_path / "first.log"
    with log.open("wb") as out:
        first = subprocess.Popen([str(ORIGINALS), "index"], env=cli_env(env), cwd=tmp_path, stdout=out, stderr=out)
    try:
        head = dev.head()

        def caught_up() -> bool:
            if first.poll() is not None:
                raise AssertionError(f"the first indexer exited: {log.read_text()[-2000:]}")
            return indexed_block(db_engine) >= head

        wait_until(caught_up, 90, "the first indexer to reach the head")
        second = run_cli(["index", "--once"], env, tmp_path)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0, f"the first indexer did not stop cleanly: {log.read_text()[-2000:]}"
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert second.returncode == 1, second.stderr[-2000:]
    lines = error_lines(second.stderr)
    assert len(lines) == 1 and "Traceback" not in second.stderr, second.stderr[-2000:]
    if db_engine.dialect.name == "sqlite":
        # The lock row names its owner as host:pid[:token]; the pid is the first indexer's.
        assert re.fullmatch(
            rf"originals index: error: another indexer \([^:]+:{first.pid}(:\w+)?\) writes to this database", lines[0]
        ), lines[0]
    else:
        assert lines[0] == (
            "originals index: error: another indexer holds this database's lock (PostgreSQL advisory lock)"
        )
    dev.truth(db_engine)


def test_unreachable_rpc_url_fails_with_one_line_and_writes_nothing(
    chain: tuple[DevChain, Workload], tmp_path: Path
) -> None:
    dev, _ = chain
    database = tmp_path / "never.db"
    nowhere = f"http://127.0.0.1:{free_port()}"
    result = run_cli(["index", "--once", "--rpc-url", nowhere], dev.env(f"sqlite:///{database}"), tmp_path, timeout=60)
    assert result.returncode == 1
    assert error_lines(result.stderr) == [
        f"originals index: error: cannot reach the node at {nowhere}: [Errno 111] Connection refused "
        "(gave up after 8 attempts)"
    ], result.stderr
    assert "Traceback" not in result.stderr
    assert not database.exists(), "a run that cannot reach the node must not create the database"


@pytest.mark.parametrize("command", [["index", "--once"], ["verify", "--rpc-url", "{rpc}", "{file}"]])
def test_a_manifest_of_another_contract_version_stops_the_cli_with_one_line_and_writes_nothing(
    chain: tuple[DevChain, Workload], tmp_path: Path, command: list[str]
) -> None:
    dev, _ = chain
    deployments = tmp_path / "deployments"
    deployments.mkdir()
    manifest = json.loads((dev.deployments_dir / f"{dev.chain_id}.json").read_text())
    manifest["contract_version"] = CONTRACT_VERSION - 1
    path = deployments / f"{dev.chain_id}.json"
    path.write_text(json.dumps(manifest))
    original = tmp_path / "original.txt"
    original.write_text("an original")
    database = tmp_path / "never.db"
    env = dev.env(f"sqlite:///{database}") | {"ORIGINALS_DEPLOYMENTS_DIR": str(deployments)}
    args = [arg.format(rpc=dev.url, file=original) for arg in command]
    result = run_cli(args, env, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert error_lines(result.stderr) == [
        f"originals {command[0]}: error: {path} records contract version {CONTRACT_VERSION - 1}, but this code needs "
        f"version {CONTRACT_VERSION}: redeploy the contracts (`make run UP_ARGS=--fresh` on a devnet, "
        "`ape run deploy --redeploy` elsewhere)"
    ], result.stderr
    assert not database.exists(), "a run refused at start must not create the database"
