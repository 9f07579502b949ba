"""Crash safety: ``originals index`` killed with SIGKILL at random moments, again and again, loses and repeats nothing.

A generator thread keeps sending transactions of every kind while the indexer runs as a subprocess configured only
through ``ORIGINALS_*`` variables, as an operator runs it. Each cycle starts the indexer, kills it with SIGKILL at a
random moment (half of the cycles blindly after a random sleep, which also hits start-up and migrations; half a
random instant after its first commit, which hits the backfill and the live tail mid-batch), and checks that the
database holds exactly the canonical events up to its checkpoint (and, every fifth cycle, that every derived table
equals their projection). After the last cycle the generator stops, one more run catches up, and the whole index
must equal the ground truth. The time from each restart to its first commit is measured and reported.
"""

from __future__ import annotations

import contextlib
import random
import signal
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from support.groundtruth import (
    ORIGINALS,
    Background,
    DevChain,
    Workload,
    assert_keys_match,
    assert_matches_chain,
    cli_env,
    dev_chain,
    generate,
    indexed_block,
    run_cli,
    wait_until,
)

from ledger.db import schema as s

CYCLES = 20
SEED = 9

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevChain, Workload]]:
    with dev_chain(tmp_path_factory.mktemp("kill9")) as chain:
        workload = Workload(chain.consortium, seed=SEED)
        workload.tour()
        workload.issue_batch(300, public=True, issuer=1)
        workload.steps(60)
        yield chain, workload


def _kill(process: subprocess.Popen[bytes], log: Path) -> None:
    assert process.poll() is None, (
        f"the indexer exited by itself (code {process.returncode}):\n{log.read_text()[-2000:]}"
    )
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_kill9_at_random_moments_loses_and_duplicates_nothing(
    db_engine: Engine, chain: tuple[DevChain, Workload], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev, workload = chain
    rng = random.Random(SEED)
    env = dev.env(db_engine.url.render_as_string(hide_password=False))
    to_first_commit: list[float] = []
    blind_kills = 0
    with Background(generate(workload, dev.url, SEED, 100_000, 240, pause=0.01), "generator") as generator:
        for cycle in range(CYCLES):
            before = indexed_block(db_engine)
            log = tmp_path / f"cycle{cycle}.log"
            with log.open("wb") as out:
                started = time.monotonic()
                process = subprocess.Popen(
                    [str(ORIGINALS), "index"], env=cli_env(env), cwd=tmp_path, stdout=out, stderr=out
                )
                try:
                    if rng.random() < 0.5:
                        blind_kills += 1
                        time.sleep(rng.uniform(0.1, 2.5))
                    else:

                        def committed(
                            process: subprocess.Popen[bytes] = process, before: int = before, log: Path = log
                        ) -> bool:
                            assert process.poll() is None, f"the indexer exited:\n{log.read_text()[-2000:]}"
                            return indexed_block(db_engine) > before

                        wait_until(committed, 60, f"cycle {cycle}'s first commit", interval=0.01)
                        to_first_commit.append(time.monotonic() - started)
                        time.sleep(rng.uniform(0.0, 0.5))
                    _kill(process, log)
                finally:
                    if process.poll() is None:
                        process.kill()
                        process.wait()
            if cycle % 5 == 4:  # every table, not only the event keys (a projection costs ~0.5 s)
                assert_matches_chain(db_engine, dev.url, dev.addresses, dev.chain_id)
            else:
                assert_keys_match(db_engine, dev.url, dev.addresses)
            assert generator.thread.is_alive(), "the generator stopped early"
        steps = generator.finish()
    dev.resync_nonces()
    dev.mine(1)
    final = run_cli(["index", "--once"], env, tmp_path)
    assert final.returncode == 0, final.stderr[-2000:]
    truth = dev.truth(db_engine)
    assert truth.block == dev.head()
    assert steps >= 50, f"the generator made only {steps} steps in {CYCLES} cycles"
    assert 0 < blind_kills < CYCLES and to_first_commit
    assert max(to_first_commit) < 30
    with capsys.disabled():
        print(
            f"\nkill -9: {CYCLES} cycles ({blind_kills} blind), {steps} generator steps, {len(truth.logs)} events; "
            f"restart to first commit: median {statistics.median(to_first_commit):.2f} s, "
            f"max {max(to_first_commit):.2f} s over {len(to_first_commit)} restarts"
        )


def test_kill9_during_the_first_migration_leaves_a_database_that_starts(
    chain: tuple[DevChain, Workload], tmp_path: Path
) -> None:
    """Kill the very first start while it creates the tables (watched from outside); the next start must work."""
    dev, _ = chain
    tables = len(s.metadata.tables) + 1  # and alembic_version
    seen: set[int] = set()
    for attempt in range(5):
        database = tmp_path / f"fresh{attempt}.db"
        env = dev.env(f"sqlite:///{database}")
        process = subprocess.Popen(
            [str(ORIGINALS), "index"],
            env=cli_env(env),
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            count = 0
            while time.monotonic() < deadline and process.poll() is None and count < tables:
                count = _table_count(database)
                seen.add(count)
                if 1 < count < tables:
                    break
                time.sleep(0.0005)
        finally:
            process.kill()
            process.wait()
        rerun = run_cli(["index", "--once"], env, tmp_path)
        assert rerun.returncode == 0, f"after a kill with {_table_count(database)} tables: {rerun.stderr[-800:]}"
        if 1 < count < tables:
            break
    assert seen, "the database was never observed"


def _table_count(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(database, timeout=0.01)) as conn:
            return int(conn.execute("select count(*) from sqlite_master where type = 'table'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # locked by the writer at this instant
