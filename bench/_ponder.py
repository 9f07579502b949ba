"""Ponder, the indexer benchmark's peer: ``bench/peers/ponder`` run with ``ponder start`` against a dataset's chain.

One run is one ``ponder start`` process writing into a PostgreSQL schema of its own (``--schema``), from process start
to caught up: Ponder's JSON log line "Started returning 200 responses" for ``/ready``, which it writes once the
backfill is complete and its indexes are built (the same point as our indexer's ``caught_up``). The run is verified to
completion: the ``event_count`` of its "Indexed block range" lines must add up to the chain's events, and its tables
must give the checksum of the replay (``_checksum.py``). Two kinds of run, each into an empty schema:

- **cold**: a new database, so Ponder's RPC cache (the ``ponder_sync`` schema) is empty and every log, block and
  transaction comes from the node;
- **cached**: a database whose ``ponder_sync`` a cold run has filled (Ponder logs "cache contains all required
  data"), so the run reads the chain from PostgreSQL and only indexes.

A thread polls the schema's ``_ponder_checkpoint`` table every 0.25 s for the throughput window read from the database
(see :func:`window_rate`). Peak RSS is the Node process's ``VmHWM`` at caught up.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.toolchain import PROJECT_ROOT

PEER = PROJECT_ROOT / "bench" / "peers" / "ponder"
PONDER = PEER / "node_modules" / ".bin" / "ponder"
READY = "Started returning 200 responses"
POLL = 0.25


def not_installed() -> str | None:
    """None when Ponder is installed in ``bench/peers/ponder``, else why not."""
    if not PONDER.exists():
        return f"{PONDER} is missing (`make bench-indexer` installs it with npm ci)"
    return None


def version() -> str:
    package = PEER / "node_modules" / "ponder" / "package.json"
    return str(json.loads(package.read_text())["version"]) if package.is_file() else "not installed"


@dataclass
class PonderRun:
    dataset: str
    mode: str
    """``cold`` or ``cached``."""
    events: int
    seconds: float
    startup_seconds: float
    """Process start -> "Started backfill indexing"."""
    fetch_seconds: float
    """Ponder's own "Finished fetching backfill JSON-RPC data" duration (0 when everything came from the cache)."""
    backfill_seconds: float
    """Ponder's "Completed backfill indexing across all chains" duration (fetching and indexing overlap)."""
    index_seconds: float
    """Building the schema's indexes after the backfill ("Created database indexes")."""
    cache_rate: str
    cpu_seconds: float
    node_cpu_seconds: float
    rss_mb: float
    db_mb: float
    checksum: str
    counts: dict[str, int]
    window_events_per_s: float | None
    load: float
    samples: list[tuple[float, int]] = field(default_factory=list, repr=False)

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds


def window_rate(samples: Sequence[tuple[float, int]], cumulative: Sequence[tuple[int, int]]) -> float | None:
    """Events/s between the first and the last progress the database showed.

    ``samples`` are (time, checkpoint block) polled from the database; ``cumulative`` is (block, events up to and
    including it) for every block with events, ascending. The window opens at the first sample whose block differs
    from the first one seen and closes at the first sample showing the final block: start-up before the first commit
    and the index build after the last are outside it. None when the database showed fewer than two steps.
    """
    blocks = [b for b, _n in cumulative]

    def events_at(block: int) -> int:
        i = bisect_right(blocks, block)
        return cumulative[i - 1][1] if i else 0

    if not samples:
        return None
    final = max(block for _t, block in samples)
    first_block = samples[0][1]
    opened = next(((t, b) for t, b in samples if b != first_block), None)
    closed = next(((t, b) for t, b in samples if b == final), None)
    if opened is None or closed is None or closed[0] <= opened[0]:
        return None
    return (events_at(closed[1]) - events_at(opened[1])) / (closed[0] - opened[0])


def checkpoint_block(checkpoint: str) -> int:
    """The block number inside a Ponder checkpoint string (timestamp 10 digits, chain id 16, block number 16, ...)."""
    return int(checkpoint[26:42])


class _Poller:
    """Polls a SELECT returning one block number, every ``POLL`` seconds, on a connection of its own."""

    def __init__(self, url: str, sql: str, convert: Any = int) -> None:
        self.url, self.sql, self.convert = url, sql, convert
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        conn = None
        while not self.stop.wait(POLL):
            try:
                if conn is None:
                    conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
                row = conn.execute(self.sql).fetchone()  # type: ignore[arg-type]
            except Exception:  # the table does not exist yet, or the server is busy: try again at the next tick
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
                conn = None
                continue
            if row is not None and row[0] is not None:
                self.samples.append((time.time(), self.convert(row[0])))
        if conn is not None:
            conn.close()

    def __enter__(self) -> _Poller:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


def poller(url: str, sql: str, convert: Any = int) -> _Poller:
    return _Poller(url, sql, convert)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PonderError(RuntimeError):
    pass


def run(
    *,
    dataset: str,
    mode: str,
    rpc_url: str,
    chain_id: int,
    addresses: dict[str, str],
    start_block: int,
    database_url: str,
    schema: str,
    expected_events: int,
    cumulative: Sequence[tuple[int, int]],
    node_pid: int,
    log: Path,
    timeout: float = 3600.0,
) -> tuple[PonderRun, subprocess.Popen[bytes]]:
    """One ``ponder start`` to caught up; returns the run (without checksum and size) and the still running process.

    The caller stops the process (:func:`stop`) after reading the database.
    """
    from _generate import vm_hwm_mb

    from devtools.devnet import free_port

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ORIGINALS_RPC_URL": rpc_url,
        "ORIGINALS_CHAIN_ID": str(chain_id),
        "ORIGINALS_PARTNER_REGISTRY": addresses["PartnerRegistry"],
        "ORIGINALS_CERTIFICATE_REGISTRY": addresses["CertificateRegistry"],
        "ORIGINALS_START_BLOCK": str(start_block),
        "PONDER_TELEMETRY_DISABLED": "true",
        "NODE_NO_WARNINGS": "1",
    }
    command = [str(PONDER), "start", "--schema", schema, "--log-format", "json", "--port", str(free_port())]
    load = os.getloadavg()[0]
    node_cpu = cpu_seconds(node_pid)
    lines: list[dict[str, Any]] = []
    checkpoint_sql = f'SELECT max(latest_checkpoint) FROM "{schema}"._ponder_checkpoint'
    plain_url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with poller(plain_url, checkpoint_sql, checkpoint_block) as watch, log.open("ab") as err:
        spawned = time.time()
        process = subprocess.Popen(command, cwd=PEER, env=env, stdout=subprocess.PIPE, stderr=err)
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        ready: dict[str, Any] | None = None
        rss = cpu = 0.0
        for raw in process.stdout:
            err.write(raw)
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(line, dict):
                continue
            lines.append(line)
            if line.get("level", 0) >= 50:
                stop(process)
                raise PonderError(f"Ponder failed ({line.get('msg')}): see {log}")
            if line.get("msg") == READY and line.get("endpoint") == "/ready":
                rss, cpu = vm_hwm_mb(process.pid), cpu_seconds(process.pid)
                ready = line
                break
            if time.monotonic() > deadline:
                stop(process)
                raise PonderError(f"Ponder did not catch up within {timeout:.0f} s: see {log}")
        node_cpu = cpu_seconds(node_pid) - node_cpu
    if ready is None:
        stop(process)
        raise PonderError(f"Ponder exited before catching up: see {log}")
    # Ponder's log lines go on (live indexing); drain them so its stdout pipe never fills
    threading.Thread(target=_drain, args=(process, log), daemon=True).start()

    def first(msg: str) -> dict[str, Any]:
        return next((x for x in lines if str(x.get("msg", "")).startswith(msg)), {})

    events = sum(int(x.get("event_count", 0)) for x in lines if x.get("msg") == "Indexed block range")
    if events != expected_events:
        stop(process)
        raise PonderError(f"{dataset}: Ponder indexed {events:,} events, the chain has {expected_events:,}")
    fetching = first("Started fetching backfill") or first("Skipped fetching backfill")
    result = PonderRun(
        dataset=dataset,
        mode=mode,
        events=events,
        seconds=ready["time"] / 1000 - spawned,
        startup_seconds=first("Started backfill indexing").get("time", 0) / 1000 - spawned,
        fetch_seconds=first("Finished fetching backfill").get("duration", 0) / 1000,
        backfill_seconds=first("Completed backfill indexing").get("duration", 0) / 1000,
        index_seconds=first("Created database indexes").get("duration", 0) / 1000,
        cache_rate=str(fetching.get("cache_rate", "?")),
        cpu_seconds=cpu,
        node_cpu_seconds=node_cpu,
        rss_mb=rss,
        db_mb=0.0,
        checksum="",
        counts={},
        window_events_per_s=window_rate(watch.samples, cumulative),
        load=load,
        samples=watch.samples,
    )
    return result, process


def _drain(process: subprocess.Popen[bytes], log: Path) -> None:
    assert process.stdout is not None
    with log.open("ab") as err:
        for raw in process.stdout:
            err.write(raw)


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGTERM (Ponder's shutdown sequence), SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
