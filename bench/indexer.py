"""Indexer benchmark: backfill speed into SQLite and PostgreSQL, live lag, peak memory, and kill -9 crash safety.

Run through ``make bench-indexer`` (``QUICK=1``: the 100k-event dataset only). Every figure comes from the real
indexer (``build_indexer`` + ``Indexer.run``, what ``originals index`` runs) in a child process of its own, over a
real anvil filled with the project's real events by ``bench/_generate.py`` (dense: ~10,000 events per block; sparse: a
few events every 10,000-16,000 blocks). What it measures:

- **backfill**: from process start to caught up, on a fresh database each run (a SQLite file; a new PostgreSQL
  database on 127.0.0.1:5432), split into fetch / decode / write seconds as the indexer counts them (``SyncStats``);
  the median of ``--runs`` runs after a warm-up run. In the same child, right after catching up, the **fetch-only
  ceiling** replays exactly the ``eth_getLogs`` calls the indexer made (raw httpx + orjson, no decode, no database),
  so each run's speed is also a ratio to what the node can deliver at that moment (the machine is shared and noisy).
- **peak RSS** of the indexer process (``VmHWM`` at caught up) at 100k and at 1M events; the database size.
- **live lag**: the indexer follows the head at a 100 ms poll while this process mines blocks with events at random
  intervals; lag = the child's commit time (its ``on_block`` hook, called after the tail commit) minus the time
  just before ``evm_mine`` was called.
- **kill -9**: cycles of start, SIGKILL at a random point (during start-up and migrations, backfill commits, or the
  live tail while blocks keep coming), restart; then a final catch-up, and the database is compared with the
  chain's logs (``chain_events``) and with a reference database indexed once without interruption (every derived
  table): rows missing are gaps, rows extra or repeated are duplicates. Resume time: restart to first commit.

Writes ``bench/results/indexer.json`` (quick: ``indexer-quick.json``) as a flat object and, for a full run, the
Indexer section of ``docs/benchmarks.md`` (only the text between its markers). Nothing is left running: anvil nodes
and indexer children are stopped on the way out, whatever happens; PostgreSQL databases are dropped.

Backfill uses the indexer's default settings (``finalized`` as the backfill target, adaptive ``eth_getLogs`` ranges,
20,000 events per transaction); the generator mines 70 empty blocks at the end, so every event is below
``finalized`` and the last 64 blocks are taken by the live tail, as in production.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import os
import platform
import random
import resource
import signal
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from devtools.toolchain import PROJECT_ROOT

if TYPE_CHECKING:
    import _checksum as ck
    import _generate as gen
    import _ponder as peer
    from _generate import Chain, Spec


def _lazy_import(name: str) -> ModuleType:
    """Module ``name``, executed only when one of its attributes is first used (importlib's ``LazyLoader``).

    The generator is the parent's business; the ``worker`` child never touches it. Imported eagerly it cost the
    child ~0.45 s of CPU (eth-account, eth-abi, the test helpers) before ``build_indexer`` even started, all of it
    inside the measured kill -9 resume time, which must show what ``originals index`` pays to start.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}", name=name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if not TYPE_CHECKING:
    gen = _lazy_import("_generate")
    ck = _lazy_import("_checksum")
    peer = _lazy_import("_ponder")

RESULTS = PROJECT_ROOT / "bench" / "results" / "indexer.json"
QUICK_RESULTS = PROJECT_ROOT / "bench" / "results" / "indexer-quick.json"
DOCS = PROJECT_ROOT / "docs" / "benchmarks.md"
SCRATCH = PROJECT_ROOT / "bench" / ".scratch" / "indexer"
POSTGRES_ADMIN = os.environ.get("ORIGINALS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BEGIN = (
    "<!-- indexer:begin (written by bench/indexer.py from bench/results/indexer.json: "
    "edit the script, not this text) -->"
)
END = "<!-- indexer:end -->"
PONDER_BEGIN = (
    "<!-- indexer-ponder:begin (written by bench/indexer.py from bench/results/indexer.json: "
    "edit the script, not this text) -->"
)
PONDER_END = "<!-- indexer-ponder:end -->"
LIVE_POLL = 0.1
KILL_DATASET = "dense-100k"
"""Live and kill -9 runs use this dataset (the chain keeps growing with the blocks they mine)."""
TARGETS = {
    "sqlite_events_per_s": 30_000,
    "postgres_events_per_s": 25_000,
    "live_lag_p95_ms": 250,
    "peak_rss_mb": 300,
    "kill9_cycles": 50,
}


# ===================================================================================================== the child
class RecordingSource:
    """Wraps the indexer's log source and remembers every ``eth_getLogs`` call (for the fetch-only replay)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.ranges: list[tuple[int, int, int]] = []
        self.hashes: list[tuple[str, int]] = []

    def chain_id(self) -> int:
        return int(self.inner.chain_id())

    def head(self) -> Any:
        return self.inner.head()

    def finalized(self) -> Any:
        return self.inner.finalized()

    def block(self, number: int) -> Any:
        return self.inner.block(number)

    def logs(self, from_block: int, to_block: int) -> Any:
        logs = self.inner.logs(from_block, to_block)
        self.ranges.append((from_block, to_block, len(logs)))
        return logs

    def logs_at(self, block_hash: str) -> Any:
        logs = self.inner.logs_at(block_hash)
        self.hashes.append((block_hash, len(logs)))
        return logs


def _emit(kind: str, **values: Any) -> None:
    print(json.dumps({"e": kind, "t": time.time(), **values}), flush=True)


def _vm_hwm_mb() -> float:
    """Peak RSS (``VmHWM``) of this process in MiB, read as ``_generate.vm_hwm_mb`` does, without loading it."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def fetch_only(url: str, filter_: dict[str, Any], source: RecordingSource) -> tuple[int, float]:
    """Replay the recorded ``eth_getLogs`` calls with nothing but httpx and orjson: (logs, seconds)."""
    import httpx
    import orjson

    logs = 0
    with httpx.Client(timeout=600, headers={"content-type": "application/json"}) as client:
        started = time.perf_counter()
        for i, (start, end, _n) in enumerate(source.ranges):
            params = {**filter_, "fromBlock": hex(start), "toBlock": hex(end)}
            body = orjson.dumps({"jsonrpc": "2.0", "id": i, "method": "eth_getLogs", "params": [params]})
            logs += len(orjson.loads(client.post(url, content=body).content)["result"])
        for i, (block_hash, _n) in enumerate(source.hashes):
            params = {**filter_, "blockHash": block_hash}
            body = orjson.dumps({"jsonrpc": "2.0", "id": i, "method": "eth_getLogs", "params": [params]})
            logs += len(orjson.loads(client.post(url, content=body).content)["result"])
        return logs, time.perf_counter() - started


def worker(argv: Sequence[str]) -> int:
    """The indexer process: ``build_indexer`` + ``Indexer.run`` with timing hooks, reporting JSON lines on stdout."""
    parser = argparse.ArgumentParser(prog="bench/indexer.py worker")
    parser.add_argument("--rpc-url", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--deployments-dir", type=Path, required=True)
    parser.add_argument("--live", action="store_true", help="follow the head until SIGTERM (else: --once)")
    parser.add_argument("--fetch-only", action="store_true", help="after catching up, replay the eth_getLogs calls")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the run here")
    args = parser.parse_args(argv)

    from ledger.abi import CONTRACTS
    from ledger.config import Settings
    from ledger.indexer.runner import build_indexer

    settings = Settings(
        database_url=args.database_url,
        rpc_url=args.rpc_url,
        deployments_dir=args.deployments_dir,
        poll_interval=LIVE_POLL,
    )
    setup = build_indexer(settings)
    indexer = setup.indexer
    source = RecordingSource(indexer.source)
    indexer.source = source  # type: ignore[assignment]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _emit("ready", rss_mb=_vm_hwm_mb(), cpu_seconds=usage.ru_utime + usage.ru_stime)

    def progress(block: int, target: int, stats: Any) -> None:
        _emit("commit", block=block, target=target, events=stats.events)

    def on_block(number: int) -> None:
        _emit("block", n=number)

    profiler = None
    if args.profile is not None:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU time: the machine may be shared
        profiler.enable()
    try:
        stats = indexer.run(once=not args.live, stop=stop, progress=progress, on_block=on_block)
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(args.profile))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    sizes = [to - start + 1 for start, to, _n in source.ranges]
    _emit(
        "caught_up",
        checkpoint=indexer.checkpoint.block,
        events=stats.events,
        blocks=stats.blocks,
        reorgs=stats.reorgs,
        fetch_seconds=stats.fetch_seconds,
        decode_seconds=stats.decode_seconds,
        write_seconds=stats.write_seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        rss_mb=_vm_hwm_mb(),
        getlogs_ranges=len(source.ranges),
        getlogs_by_hash=len(source.hashes),
        range_max_blocks=max(sizes, default=0),
        range_median_blocks=statistics.median(sizes) if sizes else 0,
        range_first_10k=next((i + 1 for i, n in enumerate(sizes) if n >= 10_000), None),
        range_max_logs=max((n for _s, _e, n in source.ranges), default=0),
        range_first_blocks=sizes[0] if sizes else 0,
    )
    setup.client.close()
    setup.engine.dispose()
    if args.fetch_only:
        deployment = setup.deployment
        filter_ = {
            "address": [deployment.contract(name).address.lower() for name in CONTRACTS],
            "topics": [list(indexer.decoder.topics)],
        }
        logs, seconds = fetch_only(args.rpc_url, filter_, source)
        _emit("fetch_only", logs=logs, seconds=seconds)
    return 0


# ================================================================================================ the databases
class Database:
    """A fresh database for one run: a SQLite file under the scratch folder, or a new PostgreSQL database."""

    def __init__(self, kind: str, tag: str) -> None:
        self.kind = kind
        self.name = f"bench_indexer_{os.getpid()}_{tag}"
        if kind == "sqlite":
            SCRATCH.mkdir(parents=True, exist_ok=True)
            self.path = SCRATCH / f"{self.name}.sqlite3"
            self.drop()
            self.url = f"sqlite:///{self.path}"
        else:
            self._admin(f'CREATE DATABASE "{self.name}"')
            base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            self.url = f"{base}/{self.name}"

    @staticmethod
    def _admin(sql: str, fetch: bool = False) -> Any:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(sql)  # type: ignore[arg-type]
            return cursor.fetchone() if fetch else None

    @staticmethod
    def _admin_db(db: Database, sql: str) -> None:
        """Run ``sql`` inside ``db`` (a PostgreSQL database) in autocommit."""
        import psycopg

        with psycopg.connect(db.plain_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def size_mb(self) -> float:
        if self.kind == "sqlite":
            files = [self.path, Path(f"{self.path}-wal")]
            return sum(f.stat().st_size for f in files if f.exists()) / 2**20
        row = self._admin(f"SELECT pg_database_size('{self.name}')", fetch=True)
        return float(row[0]) / 2**20

    def drop(self) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def engine(self) -> Any:
        from ledger.db.engine import make_engine

        return make_engine(self.url)

    @property
    def plain_url(self) -> str:
        """The PostgreSQL URL for psycopg (and for Ponder's node-postgres)."""
        return self.url.replace("postgresql+psycopg://", "postgresql://")

    def state(self, queries: dict[str, str] | None = None) -> ck.State:
        """The checksum's rows in this database: our tables, or ``queries`` (Ponder's tables)."""
        queries = queries or ck.OURS
        if self.kind == "sqlite":
            import sqlite3

            with contextlib.closing(sqlite3.connect(self.path)) as conn:
                return ck.database_rows(lambda sql: conn.execute(sql).fetchall(), queries)
        import psycopg

        with psycopg.connect(self.plain_url, connect_timeout=5) as pg:
            return ck.database_rows(lambda sql: pg.execute(sql).fetchall(), queries)  # type: ignore[arg-type]


def postgres_available() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        Database._admin("SELECT 1", fetch=True)
    except Exception as exc:
        return str(exc).strip().splitlines()[0]
    return None


# ================================================================================================ child processes
@dataclass
class Worker:
    """An indexer child process whose JSON lines are collected by a reader thread as they come."""

    args: list[str]
    spawned: float = 0.0
    process: subprocess.Popen[bytes] | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    stderr_path: Path | None = None
    _reader: threading.Thread | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> Worker:
        SCRATCH.mkdir(parents=True, exist_ok=True)
        self.stderr_path = SCRATCH / f"worker-{os.getpid()}.log"
        command = [sys.executable, str(Path(__file__).resolve()), "worker", *self.args]
        self.spawned = time.time()
        with self.stderr_path.open("ab") as err:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, cwd=PROJECT_ROOT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for raw in self.process.stdout:
            with contextlib.suppress(ValueError):
                line = json.loads(raw)
                with self._changed:
                    self.lines.append(line)
                    self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float) -> dict[str, Any] | None:
        """The first line matching ``predicate``, waiting up to ``timeout`` seconds (None if the child ended)."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                assert self.process is not None
                if self.process.poll() is not None and not (self._reader and self._reader.is_alive()):
                    return None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise gen.BenchError(
                        f"the indexer child gave no {predicate.__doc__ or 'expected line'} in time "
                        f"(log: {self.stderr_path})"
                    )
                self._changed.wait(min(remaining, 0.5))

    def line(self, kind: str, timeout: float) -> dict[str, Any]:
        found = self.wait_for(lambda x: x["e"] == kind, timeout)
        if found is None:
            raise gen.BenchError(f"the indexer child exited without a '{kind}' line: see {self.stderr_path}")
        return found

    def wait(self, timeout: float = 120.0) -> int:
        """Wait for the child to exit on its own (a backfill child does once it reported); SIGKILL after timeout."""
        assert self.process is not None
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise gen.BenchError(
                f"the indexer child did not exit within {timeout:.0f} s: see {self.stderr_path}"
            ) from None
        if self._reader is not None:
            self._reader.join(timeout=10)
        return int(self.process.returncode)

    def kill9(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        if self._reader is not None:
            self._reader.join(timeout=10)

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM (the child finishes its transaction and exits), SIGKILL if it lingers. Returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._reader is not None:
            self._reader.join(timeout=10)
        return int(self.process.returncode)

    def __enter__(self) -> Worker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill9()


def worker_args(chain: Chain, db: Database, *extra: str) -> list[str]:
    return ["--rpc-url", chain.url, "--database-url", db.url, "--deployments-dir", str(chain.deployments_dir), *extra]


# ===================================================================================================== backfill
@dataclass
class Backfill:
    """One backfill run, from process start to caught up."""

    db: str
    dataset: str
    events: int
    seconds: float
    startup_seconds: float
    fetch_seconds: float
    decode_seconds: float
    write_seconds: float
    cpu_seconds: float
    node_cpu_seconds: float
    rss_mb: float
    db_mb: float
    fetch_only_events: int
    fetch_only_seconds: float
    getlogs_ranges: int
    range_max_blocks: int
    range_median_blocks: float
    range_first_10k: int | None
    range_max_logs: int
    range_first_blocks: int
    blocks: int
    load: float
    window_events_per_s: float | None = None
    """Events/s between the first and the last checkpoint the database showed (PostgreSQL; ``_ponder.window_rate``)."""
    checksum: str = ""
    """The checksum of the database after the run (``_checksum.py``): the figure counts only if it is the replay's."""

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds

    @property
    def fetch_only_per_s(self) -> float:
        return self.fetch_only_events / self.fetch_only_seconds if self.fetch_only_seconds else 0.0

    @property
    def ratio(self) -> float:
        return self.events_per_s / self.fetch_only_per_s if self.fetch_only_per_s else 0.0


def backfill_once(
    chain: Chain, kind: str, tag: str, profile: Path | None = None, cumulative: Sequence[tuple[int, int]] = ()
) -> Backfill:
    db = Database(kind, tag)
    load = os.getloadavg()[0]
    node_pid = chain.node.process.pid if chain.node.process else 0
    node_cpu = peer.cpu_seconds(node_pid)
    try:
        extra = ["--fetch-only"] + (["--profile", str(profile)] if profile else [])
        watch = (
            peer.poller(db.plain_url, "SELECT max(checkpoint_block) FROM sync_state") if kind == "postgres" else None
        )
        with watch or contextlib.nullcontext(), Worker(worker_args(chain, db, *extra)) as child:
            ready = child.line("ready", timeout=300)
            done = child.line("caught_up", timeout=3600)
            node_cpu = peer.cpu_seconds(node_pid) - node_cpu
            if watch is not None:
                watch.stop.set()
            ceiling = child.line("fetch_only", timeout=3600)
            if child.wait() != 0:
                raise gen.BenchError(f"the indexer child failed: see {child.stderr_path}")
        window = peer.window_rate(watch.samples, cumulative) if watch is not None and cumulative else None
        checksum = db.state().checksum()
        expected = chain.info.events
        if done["events"] != expected:
            raise gen.BenchError(
                f"{chain.info.name}: the indexer stored {done['events']:,} events, the chain has {expected:,}"
            )
        if ceiling["logs"] != expected:
            raise gen.BenchError(
                f"{chain.info.name}: the fetch-only replay got {ceiling['logs']:,} logs, not {expected:,}"
            )
        return Backfill(
            db=kind,
            dataset=chain.info.name,
            events=done["events"],
            seconds=done["t"] - child.spawned,
            startup_seconds=ready["t"] - child.spawned,
            fetch_seconds=done["fetch_seconds"],
            decode_seconds=done["decode_seconds"],
            write_seconds=done["write_seconds"],
            cpu_seconds=done["cpu_seconds"],
            node_cpu_seconds=node_cpu,
            rss_mb=done["rss_mb"],
            db_mb=db.size_mb(),
            fetch_only_events=ceiling["logs"],
            fetch_only_seconds=ceiling["seconds"],
            getlogs_ranges=done["getlogs_ranges"],
            range_max_blocks=done["range_max_blocks"],
            range_median_blocks=done["range_median_blocks"],
            range_first_10k=done["range_first_10k"],
            range_max_logs=done["range_max_logs"],
            range_first_blocks=done["range_first_blocks"],
            blocks=done["blocks"],
            load=load,
            window_events_per_s=window,
            checksum=checksum,
        )
    finally:
        db.drop()


def _print_backfill(result: Backfill, label: str, truth: str) -> None:
    agree = "checksum agrees" if result.checksum == truth else "**checksum DISAGREES: no figure**"
    print(
        f"  {result.dataset} -> {result.db} {label}: {result.events:,} events in {result.seconds:.1f} s = "
        f"{result.events_per_s:,.0f}/s (fetch {result.fetch_seconds:.1f} decode {result.decode_seconds:.1f} "
        f"write {result.write_seconds:.1f}; fetch-only {result.fetch_only_per_s:,.0f}/s, ratio "
        f"{result.ratio:.2f}; RSS {result.rss_mb:.0f} MiB; load {result.load:.1f}; {agree})",
        flush=True,
    )


@dataclass
class Truth:
    """What a dataset's chain holds, from an independent replay of its raw logs (``_checksum.replay``)."""

    checksum: str
    counts: dict[str, int]
    cumulative: list[tuple[int, int]]
    """(block, events up to and including it) for every block with events: turns a checkpoint into an event count."""


def chain_truth(chain: Chain) -> Truth:
    addresses, start = gen.watched(chain.deployments_dir, chain.info.chain_id)
    logs = list(gen.iter_logs(chain.client, addresses, start, chain.info.head))
    if len(logs) != chain.info.events:
        raise gen.BenchError(f"{chain.info.name}: the replay read {len(logs):,} logs, not {chain.info.events:,}")
    state = ck.replay(logs)
    per_block = Counter(int(log["blockNumber"], 16) for log in logs)
    cumulative, total = [], 0
    for block in sorted(per_block):
        total += per_block[block]
        cumulative.append((block, total))
    return Truth(state.checksum(), state.counts(), cumulative)


class PonderCache:
    """The database whose ``ponder_sync`` schema (Ponder's RPC cache) the warm-up's cold run filled, for cached runs."""

    def __init__(self) -> None:
        self.db: Database | None = None

    def drop(self) -> None:
        if self.db is not None:
            self.db.drop()
            self.db = None


def ponder_once(chain: Chain, mode: str, tag: str, cache: PonderCache, truth: Truth) -> peer.PonderRun:
    """One Ponder run, cold (a new database) or cached (a new schema in the cache's database), verified."""
    from ledger.abi import CONTRACTS
    from ledger.deployments import load_deployment

    deployment = load_deployment(chain.info.chain_id, chain.deployments_dir)
    if mode == "cached":
        if cache.db is None:
            raise gen.BenchError("a cached Ponder run needs a cold run first")
        db = cache.db
    else:
        db = Database("postgres", f"ponder_{tag}")
    schema = f"run_{tag}"
    process = None
    keep = False
    try:
        run, process = peer.run(
            dataset=chain.info.name,
            mode=mode,
            rpc_url=chain.url,
            chain_id=chain.info.chain_id,
            addresses={name: deployment.contract(name).address for name in CONTRACTS},
            start_block=deployment.start_block,
            database_url=db.plain_url,
            schema=schema,
            expected_events=chain.info.events,
            cumulative=truth.cumulative,
            node_pid=chain.node.process.pid if chain.node.process else 0,
            log=SCRATCH / f"ponder-{os.getpid()}.log",
        )
        peer.stop(process)
        state = db.state(ck.ponder_queries(schema))
        run.checksum, run.counts = state.checksum(), state.counts()
        run.db_mb = db.size_mb()
        if mode == "cold" and cache.db is None:
            cache.db, keep = db, True  # its RPC cache serves the cached runs
        return run
    except peer.PonderError as error:
        raise gen.BenchError(str(error)) from None
    finally:
        if process is not None:
            peer.stop(process)
        if mode == "cached" or keep:
            Database._admin_db(db, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        else:
            db.drop()


def _print_ponder(run: peer.PonderRun, label: str, truth: str) -> None:
    agree = "checksum agrees" if run.checksum == truth else "**checksum DISAGREES: no figure**"
    window = f"{run.window_events_per_s:,.0f}/s" if run.window_events_per_s else "n/a"
    print(
        f"  {run.dataset} -> ponder {run.mode} {label}: {run.events:,} events in {run.seconds:.1f} s = "
        f"{run.events_per_s:,.0f}/s (start-up {run.startup_seconds:.1f}, fetch {run.fetch_seconds:.1f}, backfill "
        f"{run.backfill_seconds:.1f}, indexes {run.index_seconds:.1f}; cache {run.cache_rate}; window {window}; "
        f"RSS {run.rss_mb:.0f} MiB; load {run.load:.1f}; {agree})",
        flush=True,
    )


def interleaved_runs(
    chain: Chain,
    kinds: Sequence[str],
    ponder: bool,
    runs: int,
    truth: Truth,
    profile: Callable[[str], Path | None],
) -> tuple[dict[str, list[Backfill]], dict[str, list[peer.PonderRun]]]:
    """A warm-up round, then ``runs`` rounds; each round runs every contender once, one after the other, each from an
    empty database: our indexer into each of ``kinds``, then Ponder cold and Ponder cached."""
    ours: dict[str, list[Backfill]] = {kind: [] for kind in kinds}
    peers: dict[str, list[peer.PonderRun]] = {mode: [] for mode in ("cold", "cached")} if ponder else {}
    cache = PonderCache()
    name = chain.info.name.replace("-", "_")
    try:
        for i in range(runs + 1):
            label = "warm-up" if i == 0 else f"run {i}/{runs}"
            for kind in kinds:
                result = backfill_once(chain, kind, f"{name}_{i}", profile(kind) if i == 1 else None, truth.cumulative)
                _print_backfill(result, label, truth.checksum)
                if i:
                    ours[kind].append(result)
            for mode in peers:
                run = ponder_once(chain, mode, f"{name}_{mode}_{i}", cache, truth)
                _print_ponder(run, label, truth.checksum)
                if i:
                    peers[mode].append(run)
    finally:
        cache.drop()
    return ours, peers


# ====================================================================================================== live lag
class LiveSender:
    """Mines blocks with real events on a dataset's chain: a batch of 16 public documents and two singles each."""

    def __init__(self, chain: Chain, seed: int) -> None:
        from ledger.chain.rpc import RpcClient

        self.client = RpcClient(chain.url, timeout=60)
        self.consortium = gen.attach(self.client, chain.deployments_dir)
        self.rng = random.Random(seed)
        self.valid_until = int(time.time()) + 10 * 365 * 24 * 3600

    def close(self) -> None:
        self.client.close()

    def mine_block(self) -> tuple[int, float]:
        """Send one block's transactions (automining off), mine it; returns (block, time just before mining)."""
        from ledger.chain.tx import Call
        from ledger.documents import MerkleTree

        c, rng = self.consortium, self.rng
        issuer = rng.choice((0, 1, 2))
        leaves = [rng.randbytes(32) for _ in range(16)]
        data = c.certificates.encode("issueBatchPublic", MerkleTree.of(leaves).root, 0, leaves, leaves)
        calls = [Call(c.certificates.address, data, 70_000 + 3_000 * 16)]
        calls += [
            Call(
                c.certificates.address, c.certificates.encode("issue", rng.randbytes(32), rng.randbytes(32), 0), 90_000
            )
            for _ in range(2)
        ]
        self.client.call("evm_setAutomine", [False])
        c.sender(issuer).send_many(calls)
        before = time.time()
        self.client.call("evm_mine")
        number = int(self.client.call("eth_blockNumber"), 16)
        return number, before

    def automine(self) -> None:
        self.client.call("evm_setAutomine", [True])


@dataclass
class Live:
    db: str
    blocks: int
    lags_ms: list[float]
    missed: int
    load: float

    def quantile(self, q: float) -> float:
        ordered = sorted(self.lags_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def live_once(chain: Chain, kind: str, blocks: int, seed: int) -> Live:
    db = Database(kind, f"live_{seed}")
    sender = LiveSender(chain, seed)
    rng = random.Random(seed)
    load = os.getloadavg()[0]
    try:
        head = int(sender.client.call("eth_blockNumber"), 16)
        with Worker(worker_args(chain, db, "--live")) as child:
            child.line("ready", timeout=300)

            def caught(line: dict[str, Any]) -> bool:
                """catch-up to the head"""
                return line["e"] == "block" and line["n"] >= head

            if child.wait_for(caught, timeout=3600) is None:
                raise gen.BenchError(f"the live indexer exited before catching up: see {child.stderr_path}")
            mined: dict[int, float] = {}
            for _ in range(blocks):
                time.sleep(rng.uniform(0.15, 0.45))
                number, before = sender.mine_block()
                mined[number] = before
            last = max(mined)

            def last_block(line: dict[str, Any]) -> bool:
                """commit of the last mined block"""
                return line["e"] == "block" and line["n"] >= last

            child.wait_for(last_block, timeout=30)
            child.stop()
            committed = {line["n"]: line["t"] for line in child.lines if line["e"] == "block"}
        lags = [(committed[n] - t) * 1e3 for n, t in mined.items() if n in committed]
        return Live(kind, blocks, lags, blocks - len(lags), load)
    finally:
        with contextlib.suppress(Exception):
            sender.automine()
        sender.close()
        db.drop()


# ======================================================================================================== kill -9
@dataclass
class KillCycle:
    phase: str
    """Where the kill landed: start-up (before the indexer was built), backfill or tail."""
    delay: float
    ready_seconds: float | None
    """Start -> indexer built (imports, migrations); None: killed before."""
    resume_seconds: float | None
    """Start -> first commit; None: killed before it."""
    ready_cpu_seconds: float | None
    """CPU seconds the child had used when the indexer was built."""
    checkpoint: int | None


@dataclass
class KillResult:
    db: str
    cycles: list[KillCycle]
    final_resume_seconds: float
    events: int
    chain_events_missing: int
    chain_events_extra: int
    chain_events_repeated: int
    tables_missing: dict[str, int]
    """Rows of the reference database (indexed without interruption) that the killed one lacks, per table."""
    tables_extra: dict[str, int]
    """Rows of the killed database that the reference lacks (or has fewer of), per table."""
    window_conflicts: int
    """Blocks of the reorg window whose stored hash differs between the two databases."""
    blocks_mined: int

    @property
    def duplicates(self) -> int:
        """Events stored twice or that the chain does not have, plus extra rows in any derived table."""
        derived = sum(n for name, n in self.tables_extra.items() if name != "chain_events")
        return self.chain_events_extra + self.chain_events_repeated + derived

    @property
    def gaps(self) -> int:
        """Events of the chain not stored, plus rows missing from any derived table."""
        derived = sum(n for name, n in self.tables_missing.items() if name != "chain_events")
        return self.chain_events_missing + derived

    @property
    def tables_equal(self) -> bool:
        clean = not any(self.tables_missing.values()) and not any(self.tables_extra.values())
        return clean and self.window_conflicts == 0


class BackgroundMiner:
    """Keeps mining blocks with events every 0.2-0.5 s in a thread, so kills also land in the live tail."""

    def __init__(self, chain: Chain, seed: int) -> None:
        self.sender = LiveSender(chain, seed)
        self.stop = threading.Event()
        self.blocks = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        rng = random.Random(self.blocks)
        try:
            while not self.stop.wait(rng.uniform(0.2, 0.5)):
                self.sender.mine_block()
                self.blocks += 1
        except BaseException as exc:  # reported by the main thread
            self.error = exc

    def __enter__(self) -> BackgroundMiner:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        with contextlib.suppress(Exception):
            self.sender.automine()
        self.sender.close()


def _phase(lines: list[dict[str, Any]], tailing: bool) -> str:
    """Where a kill landed: before the indexer was built, in backfill, or in the live tail."""
    kinds = {line["e"] for line in lines}
    if "ready" not in kinds:
        return "start-up"
    if "block" in kinds:
        return "tail"
    return "backfill" if "commit" in kinds or not tailing else "tail"


def _first_commit(lines: list[dict[str, Any]], spawned: float) -> float | None:
    for line in lines:
        if line["e"] in ("commit", "block"):
            return float(line["t"]) - spawned
    return None


def table_rows(engine: Any, table: Any) -> Counter[tuple[Any, ...]]:
    from sqlalchemy import select

    with engine.connect() as conn:
        return Counter(tuple(row) for row in conn.execute(select(table)))


def kill9(chain: Chain, kind: str, cycles: int, seed: int) -> KillResult:
    """``cycles`` kill -9s at random points while blocks keep coming, then verify against the chain and a reference."""
    from ledger.db import schema

    rng = random.Random(seed)
    db = Database(kind, "kill9")
    reference = Database(kind, "kill9_reference")
    results: list[KillCycle] = []
    try:
        with BackgroundMiner(chain, seed) as miner:
            tailing = False  # whether the database has caught up with the head once (then restarts tail at once)
            for i in range(cycles):
                with Worker(worker_args(chain, db, "--live")) as child:
                    if i % 10 == 0:  # during start-up: imports, migrations, lock, checkpoint
                        time.sleep(rng.uniform(0.05, 0.8))
                    elif i % 10 == 5:  # let it reach the live tail (one commit per block), then kill it there
                        child.wait_for(lambda x: x["e"] == "block", timeout=1800)
                        time.sleep(rng.uniform(0.0, 0.5))
                    else:
                        ready = child.line("ready", timeout=300)
                        time.sleep(max(0.0, ready["t"] + rng.uniform(0.0, 2.0) - time.time()))
                    killed = time.time()
                    child.kill9()
                    ready_line = next((x for x in child.lines if x["e"] == "ready"), None)
                    commits = [x for x in child.lines if x["e"] in ("commit", "block")]
                    results.append(
                        KillCycle(
                            _phase(child.lines, tailing),
                            killed - child.spawned,
                            None if ready_line is None else ready_line["t"] - child.spawned,
                            _first_commit(child.lines, child.spawned),
                            None if ready_line is None else ready_line.get("cpu_seconds"),
                            commits[-1].get("block", commits[-1].get("n")) if commits else None,
                        )
                    )
                    tailing = tailing or any(x["e"] == "block" for x in child.lines)
                if miner.error is not None:
                    raise gen.BenchError(f"the block sender failed: {miner.error!r}")
                if (i + 1) % 10 == 0:
                    phases = Counter(c.phase for c in results)
                    print(f"  kill -9 ({kind}): {i + 1}/{cycles} cycles {dict(phases)}", flush=True)
            blocks_mined = miner.blocks
        # Blocks stopped coming: catch up once, then index the same chain once more without interruption.
        with Worker(worker_args(chain, db)) as child:
            done = child.line("caught_up", timeout=3600)
            final_resume = _first_commit(child.lines, child.spawned) or (done["t"] - child.spawned)
            child.wait()
        with Worker(worker_args(chain, reference)) as child:
            child.line("caught_up", timeout=3600)
            child.wait()
        engine, ref_engine = db.engine(), reference.engine()
        try:
            addresses, start = gen.watched(chain.deployments_dir, chain.info.chain_id)
            logs = gen.iter_logs(chain.client, addresses, start, done["checkpoint"])
            truth = Counter((chain.info.chain_id, x["transactionHash"].lower(), int(x["logIndex"], 16)) for x in logs)
            stored = Counter(row[:3] for row in table_rows(engine, schema.chain_events).elements())
            missing: dict[str, int] = {}
            extra: dict[str, int] = {}
            for table in (schema.chain_events, *schema.DERIVED_TABLES, schema.sync_state):
                ours, theirs = table_rows(engine, table), table_rows(ref_engine, table)
                if table is schema.sync_state:  # all but updated_at, the wall-clock time of the last commit
                    ours = Counter(row[:-1] for row in ours.elements())
                    theirs = Counter(row[:-1] for row in theirs.elements())
                missing[table.name] = sum((theirs - ours).values())
                extra[table.name] = sum((ours - theirs).values())
            # The reorg windows hold different blocks by design (backfill remembers one block per commit, the tail
            # every block), but a block both remember must have the same hash and parent.
            ours_window = {row[0]: row for row in table_rows(engine, schema.block_hashes)}
            theirs_window = {row[0]: row for row in table_rows(ref_engine, schema.block_hashes)}
            window_conflicts = sum(
                1 for n in ours_window.keys() & theirs_window.keys() if ours_window[n] != theirs_window[n]
            )
        finally:
            engine.dispose()
            ref_engine.dispose()
        return KillResult(
            db=kind,
            cycles=results,
            final_resume_seconds=final_resume,
            events=sum(truth.values()),
            chain_events_missing=sum((truth - stored).values()),
            chain_events_extra=sum((stored - truth).values()),
            chain_events_repeated=sum(n - 1 for n in stored.values() if n > 1),
            tables_missing=missing,
            tables_extra=extra,
            window_conflicts=window_conflicts,
            blocks_mined=blocks_mined,
        )
    finally:
        db.drop()
        reference.drop()


# ====================================================================================================== summary
def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def _r(value: float, digits: int = 0) -> float | int:
    return round(value, digits) if digits else round(value)


def summarize_backfill(prefix: str, runs: list[Backfill]) -> dict[str, Any]:
    """Medians over the measured runs of one dataset into one database, under keys starting with ``prefix``."""
    if not runs:
        return {}
    other = [r.seconds - r.fetch_seconds - r.decode_seconds - r.write_seconds for r in runs]
    return {
        f"{prefix}_events_per_s": _r(_median([r.events_per_s for r in runs])),
        f"{prefix}_events": runs[0].events,
        f"{prefix}_seconds": _r(_median([r.seconds for r in runs]), 2),
        f"{prefix}_fetch_seconds": _r(_median([r.fetch_seconds for r in runs]), 2),
        f"{prefix}_decode_seconds": _r(_median([r.decode_seconds for r in runs]), 2),
        f"{prefix}_write_seconds": _r(_median([r.write_seconds for r in runs]), 2),
        f"{prefix}_other_seconds": _r(_median(other), 2),
        f"{prefix}_startup_seconds": _r(_median([r.startup_seconds for r in runs]), 2),
        f"{prefix}_cpu_seconds": _r(_median([r.cpu_seconds for r in runs]), 2),
        f"{prefix}_events_per_cpu_s": _r(_median([r.events / r.cpu_seconds for r in runs])),
        f"{prefix}_getlogs_max_logs": runs[0].range_max_logs,
        f"{prefix}_node_cpu_seconds": _r(_median([r.node_cpu_seconds for r in runs]), 2),
        f"{prefix}_fetch_only_events_per_s": _r(_median([r.fetch_only_per_s for r in runs])),
        f"{prefix}_ratio_to_fetch_only": _r(_median([r.ratio for r in runs]), 3),
        f"{prefix}_peak_rss_mb": _r(max(r.rss_mb for r in runs), 1),
        f"{prefix}_db_mb": _r(_median([r.db_mb for r in runs]), 1),
        f"{prefix}_getlogs_calls": runs[0].getlogs_ranges,
        f"{prefix}_range_max_blocks": runs[0].range_max_blocks,
        f"{prefix}_range_median_blocks": runs[0].range_median_blocks,
        f"{prefix}_blocks": runs[0].blocks,
        f"{prefix}_runs": len(runs),
        f"{prefix}_load_avg": _r(_median([r.load for r in runs]), 2),
    }


def summarize_ponder(prefix: str, runs: list[peer.PonderRun]) -> dict[str, Any]:
    """Medians over the measured Ponder runs of one dataset and mode, under keys starting with ``prefix``."""
    if not runs:
        return {}
    windows = [r.window_events_per_s for r in runs if r.window_events_per_s]
    return {
        f"{prefix}_events_per_s": _r(_median([r.events_per_s for r in runs])),
        f"{prefix}_events": runs[0].events,
        f"{prefix}_seconds": _r(_median([r.seconds for r in runs]), 2),
        f"{prefix}_startup_seconds": _r(_median([r.startup_seconds for r in runs]), 2),
        f"{prefix}_fetch_seconds": _r(_median([r.fetch_seconds for r in runs]), 2),
        f"{prefix}_backfill_seconds": _r(_median([r.backfill_seconds for r in runs]), 2),
        f"{prefix}_index_seconds": _r(_median([r.index_seconds for r in runs]), 2),
        f"{prefix}_window_events_per_s": _r(_median(windows)) if windows else None,
        f"{prefix}_cpu_seconds": _r(_median([r.cpu_seconds for r in runs]), 2),
        f"{prefix}_events_per_cpu_s": _r(_median([r.events / r.cpu_seconds for r in runs if r.cpu_seconds])),
        f"{prefix}_node_cpu_seconds": _r(_median([r.node_cpu_seconds for r in runs]), 2),
        f"{prefix}_peak_rss_mb": _r(max(r.rss_mb for r in runs), 1),
        f"{prefix}_db_mb": _r(_median([r.db_mb for r in runs]), 1),
        f"{prefix}_cache_rate": runs[0].cache_rate,
        f"{prefix}_runs": len(runs),
        f"{prefix}_load_avg": _r(_median([r.load for r in runs]), 2),
    }


def summarize_live(prefix: str, runs: list[Live]) -> dict[str, Any]:
    if not runs:
        return {}
    pooled = Live(runs[0].db, sum(r.blocks for r in runs), [x for r in runs for x in r.lags_ms], 0, 0.0)
    return {
        f"{prefix}_p50_ms": _r(pooled.quantile(0.5), 1),
        f"{prefix}_p95_ms": _r(pooled.quantile(0.95), 1),
        f"{prefix}_max_ms": _r(max(pooled.lags_ms), 1),
        f"{prefix}_blocks": pooled.blocks,
        f"{prefix}_missed": sum(r.missed for r in runs),
        f"{prefix}_load_avg": _r(_median([r.load for r in runs]), 2),
    }


def summarize_kill(prefix: str, result: KillResult | None) -> dict[str, Any]:
    if result is None:
        return {}
    resumes = [c.resume_seconds for c in result.cycles if c.resume_seconds is not None]
    phases = Counter(c.phase for c in result.cycles)
    return {
        f"{prefix}_cycles": len(result.cycles),
        f"{prefix}_duplicates": result.duplicates,
        f"{prefix}_gaps": result.gaps,
        f"{prefix}_events": result.events,
        f"{prefix}_tables_equal": result.tables_equal,
        f"{prefix}_window_conflicts": result.window_conflicts,
        f"{prefix}_kills_in_startup": phases["start-up"],
        f"{prefix}_kills_in_backfill": phases["backfill"],
        f"{prefix}_kills_in_tail": phases["tail"],
        f"{prefix}_ready_p50_s": _r(_median([c.ready_seconds for c in result.cycles if c.ready_seconds]), 2),
        f"{prefix}_ready_cpu_p50_s": _r(
            _median([c.ready_cpu_seconds for c in result.cycles if c.ready_cpu_seconds]), 2
        ),
        f"{prefix}_resume_p50_s": _r(_median(resumes), 2),
        f"{prefix}_resume_max_s": _r(max(resumes, default=float("nan")), 2),
        f"{prefix}_final_resume_s": _r(result.final_resume_seconds, 2),
        f"{prefix}_blocks_mined": result.blocks_mined,
    }


def code_version() -> str:
    """The commit under test and the hash of the code the figures depend on (``ledger/`` and the bench scripts), with
    ``+dirty`` when that code differs from the commit: commits elsewhere during a run do not count as a change."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    paths = ["ledger", "bench/indexer.py", "bench/_generate.py", "bench/_ponder.py", "bench/_checksum.py"]
    paths.append("bench/peers/ponder")
    trees = git("rev-parse", *[f"HEAD:{path}" for path in paths]).split()
    digest = hashlib.sha256(" ".join(trees).encode()).hexdigest()[:8]
    dirty = "+dirty" if git("status", "--porcelain", "--", *paths) else ""
    return f"{git('rev-parse', '--short', 'HEAD') or 'unknown'} (code {digest}{dirty})"


def _code_part(version: str) -> str:
    """The code hash of a :func:`code_version` string (the commit itself may move on for unrelated changes)."""
    return version.split(" ", 1)[1] if " " in version else version


@dataclass
class Environment:
    date: str
    machine: str
    memory_gb: float
    python: str
    sqlalchemy: str
    psycopg: str
    sqlite: str
    postgres: str
    anvil: str
    code: str = ""

    @classmethod
    def capture(cls, with_postgres: bool) -> Environment:
        import sqlite3

        import psycopg
        import sqlalchemy

        cpu = "unknown CPU"
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        postgres = "not reachable"
        if with_postgres:
            postgres = str(Database._admin("SHOW server_version", fetch=True)[0]).split()[0]
        return cls(
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            machine=f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
            memory_gb=round(memory, 1),
            python=platform.python_version(),
            sqlalchemy=sqlalchemy.__version__,
            psycopg=psycopg.__version__,
            sqlite=sqlite3.sqlite_version,
            postgres=postgres,
            anvil=gen.anvil_version(),
            code=code_version(),
        )


def write_json(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")


# ========================================================================================================= docs
def _n(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:,.{digits}f}" if digits else f"{round(value):,}"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _paragraph(text: str) -> list[str]:
    return textwrap.wrap(text, width=118, break_on_hyphens=False)


@dataclass
class Report:
    """Everything one benchmark run found, for the JSON and the Markdown."""

    quick: bool
    env: Environment
    datasets: list[gen.DatasetInfo] = field(default_factory=list)
    backfills: dict[tuple[str, str], list[Backfill]] = field(default_factory=dict)
    lives: dict[str, list[Live]] = field(default_factory=dict)
    kills: dict[str, KillResult] = field(default_factory=dict)
    postgres_skipped: str | None = None
    main_dataset: str = ""
    code_after: str = ""
    truths: dict[str, Truth] = field(default_factory=dict)
    ponder: dict[tuple[str, str], list[peer.PonderRun]] = field(default_factory=dict)
    ponder_skipped: str | None = None

    def agreeing(self, dataset: str, runs: Sequence[Any]) -> list[Any]:
        """The runs whose database gave the replay's checksum: a run without agreement reports no figure."""
        truth = self.truths.get(dataset)
        return [run for run in runs if truth is not None and run.checksum == truth.checksum]

    def checksums_agree(self) -> bool | None:
        runs = [(d, run) for (d, _db), rs in [*self.backfills.items(), *self.ponder.items()] for run in rs]
        return all(self.agreeing(d, [run]) for d, run in runs) if runs else None

    def flat(self) -> dict[str, Any]:
        r: dict[str, Any] = {"date": self.env.date, "machine": self.env.machine, "quick": self.quick}
        r["code"] = self.env.code
        r["code_changed_during_run"] = _code_part(self.code_after) not in ("", _code_part(self.env.code))
        r["dataset"] = self.main_dataset
        for (dataset, db), runs in self.backfills.items():
            key = f"{db}_{dataset.replace('-', '_')}"
            r.update(summarize_backfill(key, self.agreeing(dataset, runs)))
            r[f"{key}_runs_disagreeing"] = len(runs) - len(self.agreeing(dataset, runs))
        for (dataset, mode), ponder_runs in self.ponder.items():
            key = f"ponder_{mode}_{dataset.replace('-', '_')}"
            r.update(summarize_ponder(key, self.agreeing(dataset, ponder_runs)))
            r[f"{key}_runs_disagreeing"] = len(ponder_runs) - len(self.agreeing(dataset, ponder_runs))
        for dataset, truth in self.truths.items():
            r[f"replay_checksum_{dataset.replace('-', '_')}"] = truth.checksum
        main = self.main_dataset.replace("-", "_")
        for db in ("sqlite", "postgres"):
            runs = self.agreeing(self.main_dataset, self.backfills.get((self.main_dataset, db), []))
            if runs:
                s = summarize_backfill(db, runs)
                r.update({k: v for k, v in s.items() if k not in r})
        r["fetch_only_events_per_s"] = r.get("sqlite_fetch_only_events_per_s")
        for mode in ("cold", "cached"):
            for suffix in ("events_per_s", "peak_rss_mb", "window_events_per_s", "runs"):
                r[f"ponder_{mode}_{suffix}"] = r.get(f"ponder_{mode}_{main}_{suffix}")
            ours, theirs = r.get(f"postgres_{main}_events_per_s"), r.get(f"ponder_{mode}_events_per_s")
            r[f"ratio_vs_ponder_{mode}"] = _r(ours / theirs, 2) if ours and theirs else None
        r["checksums_agree"] = self.checksums_agree()
        r["ponder_version"] = peer.version()
        r["ponder_skipped"] = self.ponder_skipped
        for size, names in (("100k", ("dense-100k",)), ("1m", ("dense-1m",))):
            rss = [
                b.rss_mb for name in names for db in ("sqlite", "postgres") for b in self.backfills.get((name, db), [])
            ]
            r[f"peak_rss_mb_{size}"] = _r(max(rss), 1) if rss else None
        for db, runs in self.lives.items():
            r.update(summarize_live("live_lag" if db == "sqlite" else f"{db}_live_lag", runs))
        for db, result in self.kills.items():
            r.update(summarize_kill("kill9" if db == "sqlite" else f"{db}_kill9", result))
        for info in self.datasets:
            key = info.name.replace("-", "_")
            r[f"dataset_{key}_events"] = info.events
            r[f"dataset_{key}_blocks"] = info.head
            r[f"dataset_{key}_max_events_per_block"] = info.max_events_per_block
        r["main_prefix"] = main
        r["postgres_skipped"] = self.postgres_skipped
        return r

    # -- Markdown -------------------------------------------------------------------------------------------------
    def render(self) -> str:
        r = self.flat()
        env = self.env
        loads = [b.load for runs in self.backfills.values() for b in runs]
        lines = [
            "## Indexer",
            "",
            *_paragraph(
                f"Measured {env.date} by `make bench-indexer` (`bench/indexer.py`{' --quick' if self.quick else ''}). "
                "Each figure comes from the real indexer (`build_indexer` + `Indexer.run`, what `originals index` "
                "runs, with its default settings) in a child process of its own, reading a local anvil filled with "
                "the project's real events by `bench/_generate.py`, and writing to a fresh database each run: a "
                "SQLite file (WAL) or a new PostgreSQL database on 127.0.0.1:5432. Speeds are the median of "
                f"the runs listed after a warm-up run, from process "
                "start to caught up (interpreter start, imports and migrations included); the split into fetch, "
                "decode and write is the indexer's own count (`SyncStats`: a thread fetches the next range while "
                'the current one is decoded and written, so "fetch" is the time the writer waited for it; "write" '
                'includes building the read-path indexes the first backfill leaves out), "other" is the rest '
                "(start-up, the garbage collections after backfill commits, the live tail of the last 64 "
                "blocks). The fetch-only ceiling replays, in the same child "
                "right after it caught up, exactly the `eth_getLogs` calls the indexer made, with nothing but httpx "
                "and orjson: the ratio is the indexer's speed over that ceiling in the same run.",
            ),
            "",
            *textwrap.wrap(
                f"- machine: {env.machine}, {env.memory_gb} GiB RAM, shared with other jobs: the 1-minute load "
                f"average during the backfill runs was {_n(_median(loads), 1)} (median) on {os.cpu_count()} cores, "
                'so wall-clock speeds are well below what an idle machine gives; "events per CPU s" (events '
                "over the indexer process's own CPU time) is the steadier figure",
                width=118,
                subsequent_indent="  ",
            ),
            f"- Python {env.python}, SQLAlchemy {env.sqlalchemy}, psycopg {env.psycopg}, SQLite {env.sqlite}, "
            f"PostgreSQL {env.postgres}, anvil {env.anvil}; code: commit {env.code}"
            + (
                f" (**changed to {self.code_after} during the run**)"
                if _code_part(self.code_after) not in ("", _code_part(env.code))
                else ""
            ),
        ]
        if self.postgres_skipped:
            lines.append(f"- PostgreSQL was not measured: {self.postgres_skipped}")
        lines += ["", "### Datasets", ""]
        lines += [
            "| dataset | events | blocks | blocks with events | max events per block | transactions | rules "
            "| generated in | state dump |",
            "|---|---:|---:|---:|---:|---:|---|---:|---:|",
        ]
        for info in self.datasets:
            lines.append(
                f"| {info.name} | {_n(info.events)} | {_n(info.head)} | {_n(info.blocks_with_events)} "
                f"| {_n(info.max_events_per_block)} | {_n(info.transactions)} | {info.hardfork} "
                f"| {_n(info.generate_seconds)} s | {_n(info.state_bytes / 2**20)} MiB |"
            )
        mix = self.datasets[0].events_by_name if self.datasets else {}
        if mix:
            total = sum(mix.values())
            shown = ", ".join(f"{name} {count:,} ({100 * count / total:.1f}%)" for name, count in mix.items())
            lines += ["", *_paragraph(f"Event mix of {self.datasets[0].name}: {shown}.")]
        lines += [
            "",
            "### Backfill",
            "",
            "| dataset -> database | events/s | seconds | fetch | decode | write | other | fetch-only events/s "
            "| ratio | CPU s indexer / node | events per CPU s | peak RSS | database |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for (dataset, db), runs in self.backfills.items():
            s = summarize_backfill("x", runs)
            each = ", ".join(_n(b.events_per_s) for b in runs)
            lines.append(
                f"| {dataset} -> {db} | **{_n(s['x_events_per_s'])}** ({each}) | {_n(s['x_seconds'], 1)} "
                f"| {_n(s['x_fetch_seconds'], 1)} | {_n(s['x_decode_seconds'], 1)} | {_n(s['x_write_seconds'], 1)} "
                f"| {_n(s['x_other_seconds'], 1)} | {_n(s['x_fetch_only_events_per_s'])} "
                f"| {_n(s['x_ratio_to_fetch_only'], 2)} "
                f"| {_n(s['x_cpu_seconds'], 1)} / {_n(s['x_node_cpu_seconds'], 1)} | {_n(s['x_events_per_cpu_s'])} "
                f"| {_n(s['x_peak_rss_mb'])} MiB | {_n(s['x_db_mb'])} MiB |"
            )
        lines += self.where_the_time_goes()
        lines += ["", "Side by side with Ponder: see [the next section](#indexer-side-by-side-with-ponder)."]
        sparse = [(k, v) for k, v in self.backfills.items() if k[0].startswith("sparse")]
        if sparse:
            (name, _db), runs = sparse[0]
            b = runs[0]
            lines += [
                "",
                *_paragraph(
                    f"Sparse ({name}): {b.events:,} events over {b.blocks:,} blocks. The indexer made "
                    f"{b.getlogs_ranges} `eth_getLogs` range calls; the range grew from {b.range_first_blocks:,} "
                    "block(s) to "
                    f"{b.range_max_blocks:,} (median {b.range_median_blocks:,.0f}); call "
                    f"{b.range_first_10k} was the first to span 10,000+ blocks. Median "
                    f"{_median([x.blocks / x.seconds for x in runs]):,.0f} blocks/s into SQLite."
                ),
            ]
        lines += ["", "### Live tail", ""]
        lines += [
            *_paragraph(
                f"The indexer follows the head at a {int(LIVE_POLL * 1000)} ms poll while this process mines blocks "
                "with 19 events each (a batch of 16 public documents and two single certificates) every 0.15-0.45 s. "
                "Lag = the child's commit time of the block (its `on_block` hook runs right after the tail commit) "
                "minus the time just before `evm_mine` was called; pooled over the runs."
            ),
            "",
            "| database | blocks | p50 | p95 | max | blocks never committed |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for db, runs in self.lives.items():
            s = summarize_live("x", runs)
            lines.append(
                f"| {db} | {s['x_blocks']} | {_n(s['x_p50_ms'])} ms | {_n(s['x_p95_ms'])} ms | {_n(s['x_max_ms'])} ms "
                f"| {s['x_missed']} |"
            )
        lines += ["", "### Crash safety: kill -9", ""]
        for db, result in self.kills.items():
            s = summarize_kill("x", result)
            lines += _paragraph(
                f"{db}: {s['x_cycles']} cycles of start, SIGKILL at a random point, restart, on {KILL_DATASET}"
                f" while a sender kept mining blocks with events ({result.blocks_mined} blocks during the cycles). "
                f"Kills landed {s['x_kills_in_startup']} times in start-up (imports, migrations, lock), "
                f"{s['x_kills_in_backfill']} in backfill and {s['x_kills_in_tail']} in the live tail. Afterwards "
                f"the database held {result.events:,} events; against the chain's logs and a reference database "
                f"indexed once without interruption (every derived table and the checkpoint; the block-hash windows "
                "agree on every block both hold): "
                f"**{result.duplicates} duplicates, {result.gaps} gaps** (tables equal: "
                f"{_n(result.tables_equal)}). Resume, restart to first commit: median {_n(s['x_resume_p50_s'], 2)} s, "
                f"max {_n(s['x_resume_max_s'], 2)} s (in the tail the first commit also waits for the next block), "
                f"of which start-up (interpreter, imports, migrations check, until the indexer is built) median "
                f"{_n(s['x_ready_p50_s'], 2)} s wall-clock for {_n(s['x_ready_cpu_p50_s'], 2)} s of CPU"
                + (
                    ": on this shared machine the process waited for a core part of that time."
                    if s["x_ready_p50_s"] > 1.2 * s["x_ready_cpu_p50_s"]
                    else "."
                )
            )
            lines.append("")
        lines += ["### Targets", "", "| target | limit | ours | result |", "|---|---:|---:|---|"]
        for label, limit, value, ok in self.targets(r):
            lines.append(f"| {label} | {limit} | {value} | {ok} |")
        lines += ["", "A target counts as met only when the measured median is within the limit on this machine."]
        return "\n".join(lines) + "\n"

    def render_ponder(self, r: dict[str, Any]) -> list[str]:
        """The side-by-side table with Ponder, the checksums, and how to reproduce it."""
        lines = ["## Indexer: side by side with Ponder", ""]
        if self.ponder_skipped:
            return [*lines, f"Ponder was not measured: {self.ponder_skipped}."]
        sizes = ", ".join(f"{info.name} ({info.events:,} events, {info.head:,} blocks)" for info in self.datasets)
        lines += _paragraph(
            f"Measured {self.env.date} by `make bench-indexer` on {sizes}; machine: {self.env.machine}, shared "
            f"(1-minute load average during these runs: median {_n(self.ponder_load(), 1)}); PostgreSQL "
            f"{self.env.postgres}, Node {node_version()}. "
            f"Ponder {r['ponder_version']} (`bench/peers/ponder`: both registries into tables equivalent to ours, "
            "its indexing functions written with its Store API as its documentation recommends) ran in the same "
            "rounds as our indexer, on the same anvil chain, the same PostgreSQL server and the same machine: each "
            "round runs ours into SQLite, ours into PostgreSQL, Ponder cold (a new database: its RPC cache, the "
            "`ponder_sync` schema, is empty) and Ponder cached (a new schema in a database whose `ponder_sync` the "
            "warm-up's cold run filled: every log, block and transaction comes from PostgreSQL), each from an empty "
            "database or schema; the warm-up round is not counted. Every run is timed from process start to caught "
            "up (Ponder: its `/ready` log line, written once the backfill is indexed and its indexes are built; "
            "ours: `caught_up`) and verified to completion: all the chain's events indexed, and the checksum of its "
            "tables (the set of (certificate, status), (certificate, leaf, status) and (partner, status, rights) "
            "rows, hashed) equal to that of an independent replay of the raw logs (`bench/_checksum.py`); a run "
            "whose checksum differs reports no figure. The window column is the throughput read from the database "
            "while the run was going: events between the first and the last checkpoint it showed (polled every "
            "0.25 s; start-up and the final index build fall outside it)."
        )
        lines += [
            "",
            "| dataset -> indexer | events/s | window events/s | seconds | start-up | peak RSS | database | checksum |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for dataset, truth in self.truths.items():
            for db in ("sqlite", "postgres"):
                runs = self.backfills.get((dataset, db), [])
                good = self.agreeing(dataset, runs)
                if not runs:
                    continue
                s = summarize_backfill("x", good)
                windows = [b.window_events_per_s for b in good if b.window_events_per_s]
                lines.append(
                    f"| {dataset} -> ours, {db} | **{_n(s.get('x_events_per_s'))}** "
                    f"| {_n(_median(windows)) if windows else 'n/a'} | {_n(s.get('x_seconds'), 1)} "
                    f"| {_n(s.get('x_startup_seconds'), 1)} | {_n(s.get('x_peak_rss_mb'))} MiB "
                    f"| {_n(s.get('x_db_mb'))} MiB | {len(good)}/{len(runs)} agree |"
                )
            for mode in ("cold", "cached"):
                ponder_runs = self.ponder.get((dataset, mode), [])
                if not ponder_runs:
                    continue
                good = self.agreeing(dataset, ponder_runs)
                p = summarize_ponder("x", good)
                lines.append(
                    f"| {dataset} -> Ponder, {mode} | **{_n(p.get('x_events_per_s'))}** "
                    f"| {_n(p.get('x_window_events_per_s'))} | {_n(p.get('x_seconds'), 1)} "
                    f"| {_n(p.get('x_startup_seconds'), 1)} | {_n(p.get('x_peak_rss_mb'))} MiB "
                    f"| {_n(p.get('x_db_mb'))} MiB | {len(good)}/{len(ponder_runs)} agree |"
                )
            lines.append(f"| {dataset}: replay checksum | `{truth.checksum[:16]}` | | | | | | |")
        lines += [""]
        lines += _paragraph(
            f"Ours into PostgreSQL over Ponder ({self.main_dataset}): **{_n(r.get('ratio_vs_ponder_cold'), 2)}x** "
            f"Ponder cold and **{_n(r.get('ratio_vs_ponder_cached'), 2)}x** Ponder cached; checksums agree: "
            f"{_n(r.get('checksums_agree'))}. Ponder's database size includes its RPC cache (`ponder_sync`: logs, "
            "blocks, transactions), the peer of our `chain_events`. Peak RSS is the Node process's; ours is the "
            "Python process's."
        )
        lines += self.ponder_time()
        lines += [
            "",
            *_paragraph(
                "To reproduce: `make bench-indexer` (installs Ponder with `npm ci` in `bench/peers/ponder`; "
                "`QUICK=1` for the 100k dataset; `BENCH_INDEXER_ARGS=--no-ponder` leaves Ponder out; "
                "`BENCH_INDEXER_ARGS='--only backfill --only sparse --merge'` re-measures the backfills and this "
                "section only, keeping the other figures of `indexer.json`)."
            ),
        ]
        return lines

    def ponder_load(self) -> float:
        loads = [b.load for runs in self.backfills.values() for b in runs]
        return _median(loads + [p.load for runs in self.ponder.values() for p in runs])

    def ponder_time(self) -> list[str]:
        """Where Ponder's time goes, from its own log lines (main dataset)."""
        cold = summarize_ponder("x", self.agreeing(self.main_dataset, self.ponder.get((self.main_dataset, "cold"), [])))
        cached = summarize_ponder(
            "x", self.agreeing(self.main_dataset, self.ponder.get((self.main_dataset, "cached"), []))
        )
        if not cold or not cached:
            return []
        return [
            "",
            *_paragraph(
                f"**Where Ponder's time goes** ({self.main_dataset}, medians, from its log lines): start-up (Node, "
                f"vite-node building the config, schema and indexing functions, database set-up) "
                f"{cold['x_startup_seconds']:.1f} s cold and {cached['x_startup_seconds']:.1f} s cached; "
                f"fetching the chain over JSON-RPC (`eth_getLogs`, then every block with its transactions) "
                f"{cold['x_fetch_seconds']:.1f} s cold, overlapping the indexing: the backfill took "
                f"{cold['x_backfill_seconds']:.1f} s cold and {cached['x_backfill_seconds']:.1f} s cached (indexing "
                f"functions, one Store API call per row into its in-memory cache, flushed with COPY); building "
                f"its indexes {cold['x_index_seconds']:.1f} s. Ponder used {cold['x_cpu_seconds']:.1f} CPU s cold "
                f"and {cached['x_cpu_seconds']:.1f} cached."
            ),
        ]

    def where_the_time_goes(self) -> list[str]:
        """A data-driven paragraph on the main dataset's runs: the split, the write path, the first range."""
        out: list[str] = []
        for db in ("sqlite", "postgres"):
            runs = self.backfills.get((self.main_dataset, db), [])
            if not runs:
                continue
            s = summarize_backfill("x", runs)
            total = s["x_seconds"]
            parts = {k: s[f"x_{k}_seconds"] for k in ("fetch", "decode", "write", "other")}
            shares = ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in parts.items())
            out.append(f"{db} ({self.main_dataset}): {shares} of {total:,.1f} s.")
        runs = self.backfills.get((self.main_dataset, "sqlite"), [])
        if runs and runs[0].range_max_logs > 50_000:
            b = runs[0]
            out.append(
                f"The largest `eth_getLogs` call returned {b.range_max_logs:,} logs ({b.getlogs_ranges} range "
                f"call(s) in all): with a first range of {b.range_first_blocks:,} blocks "
                "(`ORIGINALS_RANGE_INITIAL`) a chain "
                "this dense comes back in one call, is held in memory at once and committed in one transaction "
                "(`batch_events` is checked between ranges), which is what sets the peak RSS and means no progress "
                "is committed until the whole range is written."
            )
        if not out:
            return []
        text = " ".join(out) + (
            " Writes go through `ledger/db/bulk.py`: on SQLite, multi-row `INSERT ... VALUES (...), (...)` "
            "statements on the raw sqlite3 connection, with WAL checkpoints in a thread of their own "
            "(`ledger/db/checkpoints.py`); on PostgreSQL, from 500 rows, COPY straight into the table inside a "
            "savepoint (through a staging table and INSERT ... SELECT ... ON CONFLICT only when a key exists "
            "already). The first backfill into an empty database writes without the read-path indexes and "
            "builds them at the end (`ledger/db/indexes.py`). Each static event is decoded by a function generated "
            "from its ABI entry, the `chain_events` and `documents` rows are built as tuples, and the backfill "
            "pauses Python's cyclic garbage collector (a young collection every 10 s, after a commit): its automatic "
            "runs rescanned the batch's records and cost more than decoding itself."
        )
        return ["", *_paragraph("**Where the time goes.** " + text)]

    def targets(self, r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
        rows = []

        def add(label: str, limit: str, value: Any, ok: bool | None, digits: int = 0) -> None:
            if value is None or (isinstance(value, float) and value != value):
                ok = None
            rows.append((label, limit, _n(value, digits), "not measured" if ok is None else _met(ok)))

        sq, pg = r.get("sqlite_events_per_s"), r.get("postgres_events_per_s")
        add(f"backfill into SQLite ({self.main_dataset})", "30,000 events/s", sq, None if sq is None else sq >= 30_000)
        add(
            f"backfill into PostgreSQL ({self.main_dataset})",
            "25,000 events/s",
            pg,
            None if pg is None else pg >= 25_000,
        )
        for mode, limit in (("cold", 5.0), ("cached", 1.2)):
            ratio = r.get(f"ratio_vs_ponder_{mode}")
            add(
                f"into PostgreSQL vs Ponder {mode} ({self.main_dataset})",
                f">= {limit}x",
                ratio,
                None if ratio is None else ratio >= limit,
                2,
            )
        agree = r.get("checksums_agree")
        add("checksums agree (ours, Ponder, replay)", "all runs", agree, agree)
        lag = r.get("live_lag_p95_ms")
        add("live lag p95 at a 100 ms poll (SQLite)", "250 ms", lag, None if lag is None else lag <= 250)
        pg_lag = r.get("postgres_live_lag_p95_ms")
        add("live lag p95 at a 100 ms poll (PostgreSQL)", "250 ms", pg_lag, None if pg_lag is None else pg_lag <= 250)
        small, big = r.get("peak_rss_mb_100k"), r.get("peak_rss_mb_1m")
        add("peak RSS at 100k events", "300 MiB", small, None if small is None else small < 300)
        add("peak RSS at 1M events", "300 MiB, flat", big, None if big is None else big < 300)
        for prefix, db in (("kill9", "SQLite"), ("postgres_kill9", "PostgreSQL")):
            if f"{prefix}_cycles" in r:
                clean = r[f"{prefix}_duplicates"] == 0 and r[f"{prefix}_gaps"] == 0
                add(
                    f"kill -9 cycles ({db}): duplicates + gaps",
                    f"0 over {TARGETS['kill9_cycles']}",
                    r[f"{prefix}_duplicates"] + r[f"{prefix}_gaps"],
                    clean and r[f"{prefix}_cycles"] >= 50,
                )
                resume = r[f"{prefix}_resume_p50_s"]
                add(f"resume after kill -9 ({db}), median", "1 s", resume, resume < 1, 2)
        return rows


def write_docs(section: str, path: Path, begin: str = BEGIN, end: str = END) -> None:
    """Replace a section between its markers; a new one goes after the Indexer section, or at the end."""
    block = f"{begin}\n{section}{end}\n"
    text = path.read_text() if path.is_file() else "# Benchmarks\n"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    elif begin != BEGIN and END in text:
        before, after = text.split(END, 1)
        text = before + END + "\n\n" + block + ("\n" + after.lstrip("\n") if after.strip() else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)


def node_version() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "not found"


def merge_results(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new`` over ``old`` for a partial run (``--merge``): what this run measured replaces, the rest is kept."""
    merged = {**old, **{k: v for k, v in new.items() if v is not None or k not in old}}
    merged["merged_over_run_of"] = old.get("date")
    return merged


# ========================================================================================================= main
def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds through every `with`, so nodes and children stop


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["worker"]:
        return worker(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k events only; writes indexer-quick.json, no docs")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per dataset and database (after a warm-up)")
    parser.add_argument("--live-runs", type=int, default=3)
    parser.add_argument("--live-blocks", type=int, default=60, help="blocks mined per live run")
    parser.add_argument("--kill-cycles", type=int, default=50)
    parser.add_argument("--kill-postgres", action="store_true", help="also run the kill -9 cycles on PostgreSQL")
    parser.add_argument(
        "--only",
        choices=["backfill", "sparse", "live", "kill"],
        action="append",
        help="run only these parts (repeatable)",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-ponder", action="store_true", help="leave out the Ponder peer runs")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the result file's figures this run does not measure (with --only); rewrites only the Ponder docs",
    )
    parser.add_argument("--profile", type=Path, help="cProfile the first measured run of each backfill into DIR")
    parser.add_argument("--json", type=Path, help="result file (default bench/results/indexer[-quick].json)")
    parser.add_argument("--docs", type=Path, help=f"Markdown file whose Indexer section is rewritten (default {DOCS})")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--drop-chains", action="store_true", help="delete the cached chain dumps afterwards")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    for old_log in SCRATCH.glob("worker-*.log"):
        old_log.unlink()

    if not gen.devchain.BUILD_MANIFEST.is_file():
        raise gen.BenchError(f"{gen.devchain.BUILD_MANIFEST} is missing: run `ape compile` (or `make bench-indexer`)")
    parts = set(args.only or ["backfill", "sparse", "live", "kill"])
    skipped = "--no-postgres given" if args.no_postgres else postgres_available()
    if skipped and os.environ.get("CI") and not args.no_postgres:
        raise gen.BenchError(f"PostgreSQL is not reachable ({skipped}) and CI is set")
    databases = ["sqlite"] if skipped else ["sqlite", "postgres"]
    main_spec = gen.dense(100_000) if args.quick else gen.dense(1_000_000)
    small_spec = gen.dense(100_000)
    sparse_spec = gen.sparse(20 if args.quick else 40)
    ponder_skipped = "--no-ponder given" if args.no_ponder else skipped and f"needs PostgreSQL ({skipped})"
    ponder_skipped = ponder_skipped or peer.not_installed()
    if ponder_skipped and os.environ.get("CI") and not args.no_ponder:
        raise gen.BenchError(f"Ponder cannot run ({ponder_skipped}) and CI is set")
    report = Report(args.quick, Environment.capture(not skipped), postgres_skipped=skipped, main_dataset=main_spec.name)
    report.ponder_skipped = ponder_skipped or None
    started = time.monotonic()

    def profile_dir(name: str, db: str) -> Path | None:
        if args.profile is None:
            return None
        args.profile.mkdir(parents=True, exist_ok=True)
        return args.profile / f"{name}-{db}.pstats"

    def backfill(spec: Spec) -> None:
        with gen.open_chain(spec) as chain:
            report.datasets.append(chain.info)
            truth = chain_truth(chain)
            report.truths[spec.name] = truth
            print(f"  {spec.name}: replay checksum {truth.checksum[:16]} {truth.counts}", flush=True)
            ours, peers = interleaved_runs(
                chain, databases, not ponder_skipped, args.runs, truth, lambda db: profile_dir(spec.name, db)
            )
            for db, runs in ours.items():
                report.backfills[(spec.name, db)] = runs
            for mode, ponder_runs in peers.items():
                report.ponder[(spec.name, mode)] = ponder_runs

    if "backfill" in parts:
        backfill(main_spec)
        if not args.quick:
            backfill(small_spec)
    if "sparse" in parts:
        backfill(sparse_spec)
    if parts & {"live", "kill"}:
        with gen.open_chain(small_spec) as chain:
            if small_spec.name not in {d.name for d in report.datasets}:
                report.datasets.append(chain.info)
            if "live" in parts:
                for db in databases:
                    report.lives[db] = []
                    for i in range(args.live_runs):
                        live = live_once(chain, db, args.live_blocks, seed=100 + i)
                        print(
                            f"  live -> {db} run {i + 1}/{args.live_runs}: p50 {live.quantile(0.5):.0f} ms, "
                            f"p95 {live.quantile(0.95):.0f} ms, missed {live.missed}",
                            flush=True,
                        )
                        report.lives[db].append(live)
            if "kill" in parts:
                for db in ["sqlite", "postgres"] if args.kill_postgres and not skipped else ["sqlite"]:
                    result = kill9(chain, db, args.kill_cycles, seed=7)
                    print(
                        f"  kill -9 -> {db}: {len(result.cycles)} cycles, {result.duplicates} duplicates, "
                        f"{result.gaps} gaps, tables equal: {result.tables_equal}",
                        flush=True,
                    )
                    report.kills[db] = result
    report.code_after = code_version()
    if _code_part(report.code_after) != _code_part(report.env.code):
        print(f"warning: the code changed during the run ({report.env.code} -> {report.code_after})", flush=True)
    result = report.flat()
    target = args.json or (QUICK_RESULTS if args.quick else RESULTS)
    if args.merge and target.is_file():
        result = merge_results(json.loads(target.read_text()), result)
    write_json(result, target)
    print(f"done in {time.monotonic() - started:.0f} s -> {target}")
    docs = args.docs or DOCS
    if args.docs is not None or (not args.no_docs and not args.quick and args.only is None and not args.merge):
        write_docs(report.render(), docs)
        print(f"Indexer section -> {docs}")
    if report.ponder and (args.docs is not None or (not args.no_docs and not args.quick)):
        write_docs("\n".join(report.render_ponder(report.flat())) + "\n", docs, PONDER_BEGIN, PONDER_END)
        print(f"Indexer: side by side with Ponder section -> {docs}")
    for label, limit, value, ok in report.targets(result):
        print(f"  {label:52} {value:>10}  (limit {limit}): {ok}")
    if args.drop_chains:
        gen.drop_cache()
    return 0


if __name__ == "__main__":
    # sys.exit() stays outside the try: its SystemExit would make Python evaluate ``gen.BenchError``, which loads
    # the generator (~0.45 s of CPU) in every worker child on its way out.
    try:
        status = main()
    except KeyboardInterrupt:
        print("bench-indexer: interrupted", file=sys.stderr)
        status = 130
    except gen.BenchError as error:
        print(f"bench-indexer: {error}", file=sys.stderr)
        status = 1
    sys.exit(status)
