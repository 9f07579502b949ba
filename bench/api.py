"""API throughput and latency under load, upload hashing, keyset pages at 1M certificates, documents wrapped per second.

Run through ``make bench-api``. What it does, in order:

1. **Data.** A chain data set: a private anvil, both registries deployed, thousands of single certificates and
   Merkle batches with public fingerprints issued through ``issueBatchPublic`` (some revoked or suspended), then
   indexed into SQLite by the real indexer; anvil is stopped afterwards (index answers need no node). A pagination
   data set: 1,000,000 ``CertificateIssued`` events written into a second SQLite file through the indexer's own
   :class:`~ledger.indexer.project.Projector` (seeded, not mined: a chain of 1M certificates takes too long to
   issue on this machine). Both are cached under ``bench/.scratch/api/`` and rebuilt when their parameters or the
   code that shapes them (schema, migrations, projector, ABIs, bytecode) change.
2. **Documents wrapped per second**: :func:`ledger.documents.wrap_batch` on 10,000 documents, in this process.
3. **Servers.** uvicorn in its own processes serving ``bench/_api_app.py``: ``app`` (``create_app(Settings())`` on
   the chain data set) and ``bare`` (one constant-JSON FastAPI route), with the same command line.
4. **Load** from a second process on loopback: ``wrk`` (Debian package ``wrk``) with a Lua script that picks a random
   existing fingerprint or certificate id per request, or, without wrk, a small asyncio HTTP/1.1 generator in a
   child process. After a warm-up, each run loads bare, by-fingerprint and by-id in turn for ``--duration`` seconds
   at ``--connections`` connections; figures are the median over ``--runs`` runs, ratios are per run (API req/s over
   bare req/s of the same run), then the median.
5. **Upload**: a 10 MB file posted to ``POST /verify/file`` (MB/s, and the ratio to hashlib's SHA-256 in this
   process). **Pages**: ``GET /certificates?issuer=...`` at random keyset cursors and by walking ``next_cursor``,
   one request at a time, on the 1M data set (p50/p99 per page).
6. **Issuance** end to end: a batch of 10,000 documents posted to ``POST /batches`` on a fresh devnet, until the
   indexer (``originals index`` in its own process) has applied it and one returned document verifies VALID.

It writes ``bench/results/api.json`` (a flat object) and the API section of ``docs/benchmarks.md`` (only the text
between its markers). Servers, the load generator and anvil are stopped on the way out, also on errors.

Development tooling only: it needs the project venv, ``.build/`` (bytecode, from ``ape compile``) and
``tests/devchain``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import importlib
import importlib.metadata
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from devtools.toolchain import PROJECT_ROOT
from ledger.config import Settings
from ledger.db.engine import make_engine, upgrade
from ledger.documents import certificate_id
from ledger.events import ZERO_HASH, CertificateIssued, OrganisationType
from ledger.indexer.decode import DecodedLog
from ledger.indexer.project import Projector
from ledger.reads import encode_cursor

BENCH = PROJECT_ROOT / "bench"
SCRATCH = BENCH / ".scratch" / "api"
RESULTS = BENCH / "results" / "api.json"
DOCS = PROJECT_ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- api:begin (written by bench/api.py from bench/results/api.json: edit the script, not this text) -->"
END = "<!-- api:end -->"
CHAIN_ID = 31337
GENESIS = 1_767_225_600  # 2026-01-01T00:00:00Z: issuance times of the seeded data set
UPLOAD_BYTES = 10_000_000
WRAP_DOCUMENTS = 10_000
WRAP_RUNS = 5  # wrapping takes half a second a run: more runs than the load tests, for a steadier median
PAGE = 100
UNFILTERED_PAGES = 100  # per run, walking next_cursor from the newest certificate (the issuer-filtered walk does 500)

# Targets of /work/shared/BENCHMARKS.md (API and Issuance).
TARGET_RPS = 1_500
TARGET_P99_MS = 20.0
TARGET_RATIO = 0.5
TARGET_WRAPPED = 20_000
TARGET_BATCH_SECONDS = 5.0


class BenchError(RuntimeError):
    """The benchmark cannot run or produced something it must not report (wrong answers, a dead server)."""


# ----------------------------------------------------------------------------------------------------- data sets
def _code_key(*parts: object) -> str:
    """A digest of the parameters and of the code that shapes a data set: a change rebuilds the cache."""
    digest = hashlib.sha256(repr(parts).encode())
    sources = [
        *sorted((PROJECT_ROOT / "ledger" / "db").rglob("*.py")),
        *sorted((PROJECT_ROOT / "ledger" / "indexer").rglob("*.py")),  # projector, handlers, registry, decoder
        PROJECT_ROOT / "ledger" / "events.py",
        *sorted((PROJECT_ROOT / "ledger" / "abi").glob("*.json")),
    ]
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainData:
    """The indexed chain data set and what the load picks from."""

    database: Path
    deployments: Path
    fingerprints: list[str]
    ids: list[str]
    counts: dict[str, int]


def chain_dataset(directory: Path, singles: int, batches: int, batch_size: int, fresh: bool) -> ChainData:
    """Build (or reuse) the chain data set: certificates issued on anvil, then indexed by the real indexer."""
    manifest = PROJECT_ROOT / ".build" / "__local__.json"
    if not manifest.is_file():
        raise BenchError(f"{manifest} is missing: run `ape compile` (make bench-api does)")
    key = _code_key("chain", singles, batches, batch_size, manifest.read_bytes())
    meta_path = directory / "meta.json"
    database = directory / "chain.sqlite3"
    if fresh or not meta_path.is_file() or json.loads(meta_path.read_text()).get("key") != key:
        for stale in directory.glob("*"):
            if stale.is_file():
                stale.unlink()
        directory.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        _issue_and_index(directory, database, singles, batches, batch_size)
        print(f"chain data set built in {time.monotonic() - started:.0f} s")
        meta_path.write_text(json.dumps({"key": key}))
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            counts = {
                "certificates": conn.execute(text("SELECT count(*) FROM certificates")).scalar_one(),
                "documents": conn.execute(text("SELECT count(*) FROM documents")).scalar_one(),
                "events": conn.execute(text("SELECT count(*) FROM chain_events")).scalar_one(),
                "revoked": conn.execute(text("SELECT count(*) FROM certificates WHERE status = 2")).scalar_one(),
                "suspended_documents": conn.execute(
                    text("SELECT count(*) FROM document_status WHERE status = 1")
                ).scalar_one(),
            }
            fingerprints = list(
                conn.execute(text("SELECT fingerprint FROM documents WHERE fingerprint IS NOT NULL")).scalars()
            )
            # What `/verify/certificate/{id}` is asked: certificate ids, and the leaves public batches publish.
            ids = list(
                conn.execute(
                    text(
                        "SELECT d.leaf FROM documents d JOIN certificates c ON c.id = d.certificate_id "
                        "WHERE c.mode = 'batch_public' UNION SELECT id FROM certificates"
                    )
                ).scalars()
            )
    finally:
        engine.dispose()
    expected = {"certificates": singles + batches, "documents": singles + batches * batch_size}
    for name, value in expected.items():
        if counts[name] != value:
            raise BenchError(f"the chain data set has {counts[name]} {name}, expected {value}: rebuild with --fresh")
    rng = random.Random(11)
    return ChainData(
        database,
        directory,
        rng.sample(fingerprints, min(20_000, len(fingerprints))),
        rng.sample(ids, min(20_000, len(ids))),
        counts,
    )


def _issue_and_index(directory: Path, database: Path, singles: int, batches: int, batch_size: int) -> None:
    sys.path.insert(0, str(PROJECT_ROOT / "tests"))
    devchain = importlib.import_module("support.devchain")
    from devtools.devnet import Anvil
    from ledger.chain.rpc import RpcClient
    from ledger.chain.tx import Call
    from ledger.documents import MerkleTree
    from ledger.indexer.runner import build_indexer

    h32: Callable[[int, str], str] = devchain.h32
    with Anvil(accounts=10) as node:
        client = RpcClient(node.url, timeout=120)
        try:
            consortium = devchain.deploy(client, directory)
            consortium.admit(4, OrganisationType.UNIVERSITY, "University of Originals")
            consortium.admit(5, OrganisationType.SME, "Textile Mill")
            issuers = (0, 1, 4, 5)
            registry = consortium.certificates
            calls: dict[int, list[Any]] = {i: [] for i in issuers}
            batch_calls: dict[int, list[Any]] = {i: [] for i in issuers}
            statuses: dict[int, list[Any]] = {i: [] for i in issuers}
            far = int(time.time()) + 10 * 365 * 86_400
            for n in range(singles):
                issuer = issuers[n % len(issuers)]
                root, fingerprint = bytes.fromhex(h32(n, "root")[2:]), bytes.fromhex(h32(n, "fp")[2:])
                data = registry.encode("issue", root, fingerprint, far if n % 10 == 0 else 0)
                calls[issuer].append(Call(registry.address, data, 100_000))
                if n % 100 == 7:  # 1% revoked, with reason 1
                    cid = bytes.fromhex(consortium.certificate_id(issuer, h32(n, "root"))[2:])
                    statuses[issuer].append(Call(registry.address, registry.encode("revoke", cid, 1), 100_000))
            for b in range(batches):
                issuer = issuers[b % len(issuers)]
                leaves = [bytes.fromhex(h32(b * batch_size + i, "leaf")[2:]) for i in range(batch_size)]
                fingerprints = [bytes.fromhex(h32(b * batch_size + i, "doc")[2:]) for i in range(batch_size)]
                tree = MerkleTree.of(leaves)
                data = registry.encode("issueBatchPublic", tree.root, 0, leaves, fingerprints)
                batch_calls[issuer].append(Call(registry.address, data, 200_000 + 3_000 * batch_size))
                batch_id = bytes.fromhex(consortium.certificate_id(issuer, "0x" + tree.root.hex())[2:])
                for leaf in leaves[3::100]:  # 1% of the documents suspended, with reason 6
                    suspend = registry.encode("suspendDocument", batch_id, leaf, 6, tree.proof(leaf))
                    statuses[issuer].append(Call(registry.address, suspend, 120_000))
            for issuer in issuers:
                sender = consortium.sender(issuer)
                for wave, size in ((calls[issuer], 500), (batch_calls[issuer], 4), (statuses[issuer], 500)):
                    for first in range(0, len(wave), size):
                        hashes = sender.send_many(wave[first : first + size], chunk=size)
                        sender.wait(hashes[-1], timeout=120)
            settings = Settings(
                database_url=f"sqlite:///{database}",
                rpc_url=node.url,
                deployments_dir=directory,
                use_finalized=False,
                confirmations=0,
            )
            setup = build_indexer(settings)
            try:
                setup.indexer.run(once=True)
            finally:
                setup.client.close()
                setup.engine.dispose()
        finally:
            client.close()


def seeded_dataset(path: Path, total: int, fresh: bool) -> tuple[str, list[str], int]:
    """Build (or reuse) the pagination data set; returns the listed issuer, its cursors to start from, its count.

    ``total`` ``CertificateIssued`` events, ten per block twelve seconds apart, half of them by one issuer (the one
    listed) and the rest spread over three others; every other certificate is a single one (public fingerprint,
    so it also has a documents row), the others batch anchors.
    """
    key = _code_key("seeded", total)
    meta_path = path.with_suffix(".json")
    issuers = ["0x" + f"{n:02x}" * 20 for n in (0xA1, 0xB2, 0xC3, 0xD4)]
    if fresh or not meta_path.is_file() or json.loads(meta_path.read_text()).get("key") != key:
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        engine = make_engine(f"sqlite:///{path}")
        try:
            upgrade(engine)
            projector = Projector(CHAIN_ID)
            rng = random.Random(5)
            chunk = 20_000
            for start in range(0, total, chunk):
                logs = []
                for n in range(start, min(total, start + chunk)):
                    block, index = divmod(n, 10)
                    issuer = issuers[0] if rng.random() < 0.5 else issuers[1 + n % 3]
                    root = "0x" + rng.randbytes(32).hex()
                    event = CertificateIssued(
                        id=certificate_id(issuer, root),
                        issuer=issuer,
                        fingerprint="0x" + rng.randbytes(32).hex() if n % 2 else ZERO_HASH,
                        root=root,
                        issued_at=GENESIS + 12 * block,
                        valid_until=0,
                    )
                    logs.append(
                        DecodedLog(event, "0x" + "ee" * 20, block + 1, f"0x{block + 1:064x}", f"0x{n:064x}", index)
                    )
                with engine.begin() as conn:
                    projector.apply(conn, logs)
            # No ANALYZE: the indexer never runs one, so the pages are measured with the plans a real index gets.
        finally:
            engine.dispose()
        print(f"seeded data set of {total:,} certificates built in {time.monotonic() - started:.0f} s")
        meta_path.write_text(json.dumps({"key": key}))
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            count = conn.execute(
                text("SELECT count(*) FROM certificates WHERE issuer = :i"), {"i": issuers[0]}
            ).scalar_one()
            rows = conn.execute(
                text("SELECT issued_at, id FROM certificates WHERE issuer = :i ORDER BY random() LIMIT 5000"),
                {"i": issuers[0]},
            ).all()
    finally:
        engine.dispose()
    return issuers[0], [encode_cursor([at, cid]) for at, cid in rows], count


# ------------------------------------------------------------------------------------------------------ wrapping
def documents_wrapped_per_second(count: int, runs: int) -> list[float]:
    """Documents per second of ``wrap_batch`` on ``count`` documents (built beforehand), one warm-up then ``runs``."""
    from ledger.documents import CertificateDocument, wrap_batch

    documents = [
        CertificateDocument.model_validate(
            {
                "original": {
                    "name": f"Fabric batch {n}",
                    "kind": "fabric-batch",
                    "fingerprint": "0x" + hashlib.sha256(f"fabric {n}".encode()).hexdigest(),
                    "attributes": {"colour": "indigo", "weight_g": 1_200 + n, "mill": "Mill of Originals"},
                },
                "issuer": {"address": "0x" + "ab" * 20, "name": "Textile Mill"},
                "issuedAt": GENESIS + n,
                "validUntil": None,
                "chain": {"chainId": CHAIN_ID, "registry": "0x" + "cd" * 20},
            }
        )
        for n in range(count)
    ]
    wrap_batch(documents)  # a warm-up of the measured size: the allocator's arenas as a busy issuer's process has them
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        wrapped = wrap_batch(documents)
        rates.append(count / (time.perf_counter() - started))
        if len(wrapped) != count:
            raise BenchError("wrap_batch returned a different number of documents")
    return rates


def keccak_backend() -> str:
    """The keccak ``ledger.documents.hashing`` uses: safe-pysha3's C code (``sha3``) when installed, else eth-hash's
    backend."""
    from ledger.documents import hashing

    if hashing.keccak_256.__module__ != hashing.__name__:  # not the eth-hash fallback class defined there
        return "safe-pysha3"
    from eth_hash.utils import auto_choose_backend

    return "eth-hash " + type(auto_choose_backend()).__module__.rsplit(".", 1)[-1]


# ------------------------------------------------------------------------------------------------------- servers
@dataclass(frozen=True)
class ServerConfig:
    """The uvicorn command line shared by the API and the bare ceiling."""

    workers: int = 2
    http: str = "auto"
    loop: str = "auto"

    def args(self) -> list[str]:
        return [
            *("--workers", str(self.workers)),
            *("--http", self.http, "--loop", self.loop),
            *("--no-access-log", "--log-level", "warning"),
        ]

    def resolved(self) -> tuple[str, str]:
        """What ``auto`` picks in the server's environment: httptools and uvloop when importable."""
        probe = "import importlib.util as u; print(bool(u.find_spec('httptools')), bool(u.find_spec('uvloop')))"
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
        has_httptools, has_uvloop = (word == "True" for word in out.split())
        http = self.http if self.http != "auto" else ("httptools" if has_httptools else "h11")
        loop = self.loop if self.loop != "auto" else ("uvloop" if has_uvloop else "asyncio")
        return http, loop

    def describe(self) -> str:
        http, loop = self.resolved()
        versions = {name: _version(name) for name in ("uvicorn", http, loop) if name not in ("asyncio",)}
        parts = [f"uvicorn {versions['uvicorn']}", f"{self.workers} worker{'s' if self.workers > 1 else ''}"]
        parts.append(f"--http {http}" + (f" {versions[http]}" if http in versions else ""))
        parts.append(f"--loop {loop}" + (f" {versions[loop]}" if loop in versions else ""))
        return ", ".join(parts) + ", --no-access-log"


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running uvicorn: its URL and its process group (the master and its workers)."""

    url: str
    group: int

    def cpu_seconds(self) -> float:
        """User + system CPU seconds used so far by every live process of the group (from /proc)."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.group:  # field 5 of stat(5): the process group
                    total += int(fields[11]) + int(fields[12])  # fields 14 and 15: utime, stime
        return total / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def serve(app: str, config: ServerConfig, env: dict[str, str], ready_path: str, log: Path) -> Iterator[Server]:
    """uvicorn serving ``_api_app:<app>`` on a free loopback port; stopped (with its workers) on the way out."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", f"_api_app:{app}"),
        *("--host", "127.0.0.1", "--port", str(port)),
        *config.args(),
    ]
    # bench/ goes on the path *after* the project root (the working directory): uvicorn's --app-dir would put it
    # first, and this script, bench/api.py, would then shadow the ``api`` package.
    python_path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(BENCH)) if p)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **env, "PYTHONPATH": python_path},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"uvicorn ({app}) exited at start with code {process.returncode} (log: {log})")
            try:
                if httpx.get(url + ready_path, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"uvicorn ({app}) did not answer within 60 s (log: {log})")
            time.sleep(0.1)
        yield Server(url, process.pid)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to uvicorn (it stops its workers), then SIGKILL to its process group if anything lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # workers of a killed master, if any


# ---------------------------------------------------------------------------------------------------------- load
@dataclass(frozen=True)
class Load:
    """One load run against one endpoint."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    cpu_ms: float
    """Server CPU (all its processes, user + system) per request: less sensitive to other load than req/s."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


WRK_SCRIPT = """
local paths = {}
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(tonumber(args[2]))
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def load_generator() -> str:
    try:
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return "python"
    return (out.stdout + out.stderr).split("Copyright")[0].strip() or "wrk"


def run_load(server: Server, paths: Path, seconds: float, connections: int, seed: int, generator: str) -> Load:
    """Load ``server`` with GETs of random lines of ``paths`` from a separate process; its summary as a Load."""
    base = server.url
    if generator.startswith("wrk"):
        script = SCRATCH / "random_paths.lua"
        script.write_text(WRK_SCRIPT)
        command = [
            *("wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s", "-s", str(script), base),
            *("--", str(paths), str(seed)),
        ]
    else:
        command = [sys.executable, __file__, "--loadgen", base, str(paths), str(seconds), str(connections), str(seed)]
    cpu_before = server.cpu_seconds()
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    cpu = server.cpu_seconds() - cpu_before
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise BenchError(f"the load generator failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}")
    s = json.loads(lines[-1])
    return Load(
        requests=s["requests"],
        seconds=s["duration_us"] / 1e6,
        errors=s["errors"],
        p50_ms=s["p50_us"] / 1e3,
        p90_ms=s["p90_us"] / 1e3,
        p99_ms=s["p99_us"] / 1e3,
        max_ms=s["max_us"] / 1e3,
        cpu_ms=cpu * 1e3 / max(1, s["requests"]),
    )


def _loadgen_main(base: str, paths_file: str, seconds: float, connections: int, seed: int) -> None:
    """The fallback generator: ``connections`` keep-alive HTTP/1.1 connections, one request in flight on each."""
    host, port = base.removeprefix("http://").split(":")
    paths = Path(paths_file).read_text().split()
    rng = random.Random(seed)
    latencies: list[float] = []
    errors = 0

    async def connection(deadline: float) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < deadline:
                request = f"GET {rng.choice(paths)} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                errors += status >= 400
        except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError):
            errors += 1
        finally:
            writer.close()

    async def main() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(connection(started + seconds) for _ in range(connections)))
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    ordered = sorted(latencies) or [0.0]

    def pct(q: float) -> int:
        return int(ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] * 1e6)

    summary = {"requests": len(latencies), "duration_us": int(elapsed * 1e6), "errors": errors}
    summary |= {"p50_us": pct(50), "p90_us": pct(90), "p99_us": pct(99), "max_us": int(ordered[-1] * 1e6)}
    print(json.dumps(summary))


# ------------------------------------------------------------------------------------------------- correctness
def check_answers(base: str, fingerprints: Sequence[str], ids: Sequence[str]) -> None:
    """Refuse to measure wrong answers: sampled paths must give 200 and a found certificate."""
    with httpx.Client(base_url=base, timeout=10) as client:
        for fingerprint in fingerprints[:50]:
            reply = client.get(f"/verify/fingerprint/{fingerprint}")
            if reply.status_code != 200 or reply.json()["verdict"] == "NOT_FOUND" or not reply.json()["results"]:
                raise BenchError(f"/verify/fingerprint/{fingerprint}: {reply.status_code} {reply.text[:300]}")
        for certificate_id in ids[:50]:
            reply = client.get(f"/verify/certificate/{certificate_id}")
            if reply.status_code != 200 or reply.json()["verdict"] == "NOT_FOUND":
                raise BenchError(f"/verify/certificate/{certificate_id}: {reply.status_code} {reply.text[:300]}")


# -------------------------------------------------------------------------------------------- sequential measures
def page_latencies(base: str, issuer: str | None, cursors: Sequence[str], walk: int) -> list[float]:
    """Milliseconds per page: one page at each of ``cursors``, then ``walk`` pages following ``next_cursor``.

    Every page must be full, newest first, of the asked issuer, and continue where its cursor points.
    """
    latencies = []
    params: dict[str, Any] = {"limit": PAGE} | ({"issuer": issuer} if issuer else {})
    with httpx.Client(base_url=base, timeout=30) as client:

        def page(cursor: str | None) -> dict[str, Any]:
            started = time.perf_counter()
            reply = client.get("/certificates", params=params | ({"cursor": cursor} if cursor else {}))
            latencies.append((time.perf_counter() - started) * 1e3)
            if reply.status_code != 200:
                raise BenchError(f"/certificates: {reply.status_code} {reply.text[:300]}")
            body: dict[str, Any] = reply.json()
            keys = [(item["issued_at"], item["id"]) for item in body["data"]]
            if keys != sorted(keys, reverse=True) or (issuer and {i["issuer"] for i in body["data"]} != {issuer}):
                raise BenchError("/certificates returned a page out of order or of another issuer")
            return body

        for cursor in cursors:
            page(cursor)
        cursor = None
        for _ in range(walk):
            body = page(cursor)
            if body["next_cursor"] is None:
                break  # the last page (a data set smaller than the walk)
            if len(body["data"]) != PAGE:
                raise BenchError(f"/certificates returned a short page before the end: {len(body['data'])}")
            cursor = body["next_cursor"]
    return latencies


def upload_rates(base: str, payload: bytes, count: int) -> list[float]:
    """MB/s (10^6 bytes) of ``count`` uploads of ``payload`` to POST /verify/file, each answer checked."""
    expected = "0x" + hashlib.sha256(payload).hexdigest()
    rates = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(count):
            started = time.perf_counter()
            reply = client.post("/verify/file", files={"file": ("original.bin", payload)})
            elapsed = time.perf_counter() - started
            if reply.status_code != 200 or reply.json()["fingerprint"] != expected:
                raise BenchError(f"/verify/file: {reply.status_code} {reply.text[:300]}")
            rates.append(len(payload) / elapsed / 1e6)
    return rates


def sha256_rate(payload: bytes, count: int) -> list[float]:
    rates = []
    for _ in range(count):
        started = time.perf_counter()
        hashlib.sha256(payload).digest()
        rates.append(len(payload) / (time.perf_counter() - started) / 1e6)
    return rates


@dataclass(frozen=True)
class Issuance:
    """One batch issued through the API, timed from the POST until a wrapped document of it verifies VALID."""

    total: float
    post: float
    indexed: float


def issuance_runs(directory: Path, documents: int, runs: int, config: ServerConfig, log: Path) -> list[Issuance]:
    """End to end through the API on a fresh devnet: ``POST /batches`` (wrap, sign, send), the indexer (its own
    process, ``originals index``, 50 ms polls, no confirmations) applying the transaction, then
    ``POST /verify/document`` of one of the returned documents answering VALID. One small warm-up batch first.

    The batch is a Merkle anchor (``publish_fingerprints: false``): with public fingerprints 10,000 documents need
    ~29M gas and 640 KB of calldata, more than a block and a transaction may hold.
    """
    sys.path.insert(0, str(PROJECT_ROOT / "tests"))
    devchain = importlib.import_module("support.devchain")
    from devtools.devnet import Anvil, devnet_key
    from ledger.chain.rpc import RpcClient
    from ledger.issuance.keys import create_keystore, register_api_key

    for stale in directory.glob("*"):
        if stale.is_file():
            stale.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "issuance.sqlite3"
    password = "bench-only-password"
    rng = random.Random(17)
    results = []
    with Anvil(accounts=10) as node:
        client = RpcClient(node.url, timeout=60)
        try:
            consortium = devchain.deploy(client, directory)
        finally:
            client.close()
        engine = make_engine(f"sqlite:///{database}")
        try:
            upgrade(engine)
            keystores = directory / "keystore"
            for stale in keystores.glob("*.json"):
                stale.unlink()
            _address, keystore = create_keystore(keystores, password, devnet_key(0))
            with engine.begin() as conn:
                api_key = register_api_key(conn, consortium.address(0), keystore, "bench")
        finally:
            engine.dispose()
        env = {
            "ORIGINALS_ENVIRONMENT": "development",
            "ORIGINALS_DATABASE_URL": f"sqlite:///{database}",
            "ORIGINALS_DEPLOYMENTS_DIR": str(directory),
            "ORIGINALS_RPC_URL": node.url,
            "ORIGINALS_KEYSTORE_DIR": str(keystores),
            "ORIGINALS_KEYSTORE_PASSWORD": password,
            "ORIGINALS_USE_FINALIZED": "false",
            "ORIGINALS_CONFIRMATIONS": "0",
            "ORIGINALS_POLL_INTERVAL": "0.05",
            "ORIGINALS_RATE_LIMIT": "off",  # one client posting and polling as fast as it can
        }
        with log.open("ab") as out:
            indexer = subprocess.Popen(
                [sys.executable, "-m", "cli", "index"],
                cwd=PROJECT_ROOT,
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            with (
                serve("app", config, env, "/openapi.json", log) as api,
                httpx.Client(base_url=api.url, timeout=300, headers={"Authorization": f"Bearer {api_key}"}) as http,
            ):

                def batch(size: int) -> Issuance:
                    originals = [
                        {
                            "name": f"Diploma {rng.getrandbits(64):x}",
                            "kind": "diploma",
                            "fingerprint": "0x" + rng.randbytes(32).hex(),
                            "attributes": {"programme": "MSc Provenance", "grade": "A", "year": 2026},
                        }
                        for _ in range(size)
                    ]
                    started = time.perf_counter()
                    reply = http.post("/batches", json={"originals": originals, "publish_fingerprints": False})
                    posted = time.perf_counter()
                    if reply.status_code != 202:
                        raise BenchError(f"POST /batches: {reply.status_code} {reply.text[:300]}")
                    body = reply.json()
                    while True:
                        state = http.get(f"/transactions/{body['tx_hash']}").json()
                        if state.get("status") == "indexed":
                            break
                        if time.perf_counter() - started > 120:
                            raise BenchError(f"batch {body['tx_hash']} not indexed after 120 s: {state}")
                        time.sleep(0.02)
                    indexed = time.perf_counter()
                    document = rng.choice(body["documents"])
                    verdict = http.post("/verify/document", json=document).json()
                    if verdict.get("verdict") != "VALID":
                        raise BenchError(f"a document of the batch does not verify: {str(verdict)[:300]}")
                    done = time.perf_counter()
                    return Issuance(done - started, posted - started, indexed - posted)

                batch(10)
                for _ in range(runs):
                    results.append(batch(documents))
                    print(f"batch of {documents:,}: {results[-1]}")
        finally:
            _stop(indexer)
    return results


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


# -------------------------------------------------------------------------------------------------------- results
def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def summarize_loads(loads: dict[str, list[Load]]) -> dict[str, Any]:
    """Medians over runs per endpoint, per-run ratios to bare (then their median), and the error total."""
    result: dict[str, Any] = {}
    for name, runs in loads.items():
        result[f"{name}_rps"] = round(_median([r.rps for r in runs]), 1)
        result[f"{name}_p50_ms"] = round(_median([r.p50_ms for r in runs]), 2)
        result[f"{name}_p90_ms"] = round(_median([r.p90_ms for r in runs]), 2)
        result[f"{name}_p99_ms"] = round(_median([r.p99_ms for r in runs]), 2)
        result[f"{name}_p99_ms_worst"] = round(max(r.p99_ms for r in runs), 2)
        result[f"{name}_errors"] = sum(r.errors for r in runs)
        result[f"{name}_requests"] = sum(r.requests for r in runs)
        result[f"{name}_rps_runs"] = " / ".join(f"{r.rps:.0f}" for r in runs)
        result[f"{name}_cpu_ms"] = round(_median([r.cpu_ms for r in runs]), 3)
    for name in ("verify_fingerprint", "verify_id"):
        ratios = [api.rps / bare.rps for api, bare in zip(loads[name], loads["bare"], strict=True)]
        result[f"{name}_ratio"] = round(_median(ratios), 3)
        cpu_ratios = [bare.cpu_ms / api.cpu_ms for api, bare in zip(loads[name], loads["bare"], strict=True)]
        result[f"{name}_cpu_ratio"] = round(_median(cpu_ratios), 3)
    result["errors"] = result["verify_fingerprint_errors"] + result["verify_id_errors"]
    return result


@dataclass(frozen=True)
class Environment:
    date: str
    machine: str
    python: str
    versions: str
    loadavg: str

    @classmethod
    def capture(cls) -> Environment:
        cpu = "unknown CPU"
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        names = ("fastapi", "starlette", "pydantic", "sqlalchemy", "uvicorn")
        return cls(
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            machine=f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
            python=platform.python_version(),
            versions=", ".join(f"{name} {_version(name)}" for name in names),
            loadavg=" ".join(f"{x:.2f}" for x in os.getloadavg()),
        )


def write_json(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")


# ------------------------------------------------------------------------------------------------------ the docs
def _n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, width=118, break_on_hyphens=False)


def render(r: dict[str, Any]) -> str:
    """The API section of docs/benchmarks.md, from the result object alone."""
    lines = [
        "## API",
        "",
        *_wrap(
            f"Measured {r['date']} by `make bench-api` (`bench/api.py`). The API runs as a real server: "
            f"{r['server']}, serving `create_app(Settings())` (`bench/_api_app.py`) on SQLite. The load comes from "
            f"a second process on loopback: {r['load_generator']} with {r['connections']} keep-alive connections, "
            f"one request in flight on each, a random existing fingerprint or certificate id per request. After a "
            f"{r['warmup_seconds']:g} s warm-up of each endpoint, every run loads the bare endpoint, verify by "
            f"fingerprint and verify by id in turn for {r['run_seconds']:g} s each; figures are the median of "
            f"{r['runs']} runs, and each ratio is API req/s over bare req/s of the same run, then the median."
        ),
        "",
        *_wrap(
            f"The machine has {r['cores']} cores in all, shared by the server, the load generator and whatever "
            f"else runs: the load average was {r['loadavg']} when the run started. Every figure here competes for "
            "those cores; the ratio to the bare endpoint is the figure to compare between machines."
        ),
        "",
        *_wrap_item(f"machine: {r['machine']}; Python {r['python']}; {r['versions']}"),
        *_wrap_item(
            f"chain data set: {_n(r['data_certificates'])} certificates ({_n(r['data_singles'])} single ones "
            f"with a public fingerprint, {_n(r['data_batches'])} `issueBatchPublic` batches of "
            f"{_n(r['data_batch_size'])}), {_n(r['data_documents'])} documents, {_n(r['data_events'])} events, "
            f"issued on anvil and indexed by the indexer into SQLite; 1% of the singles revoked, 1% of the batch "
            f"documents suspended"
        ),
        *_wrap_item(
            f"pagination data set: {_n(r['seeded_certificates'])} certificates written through the indexer's "
            f"Projector (seeded, not mined), {_n(r['list_issuer_certificates'])} of them by the listed issuer"
        ),
        "",
        "### Targets",
        "",
        "| target | limit | measured | result |",
        "|---|---:|---:|---|",
    ]
    for name, label in (("verify_fingerprint", "verify by fingerprint"), ("verify_id", "verify by certificate id")):
        lines += [
            f"| {label}: req/s | >= {_n(TARGET_RPS)} | {_n(r[f'{name}_rps'])} | "
            f"{_met(r[f'{name}_rps'] >= TARGET_RPS)} |",
            f"| {label}: p99 at {r['connections']} connections | <= {TARGET_P99_MS:g} ms | "
            f"{r[f'{name}_p99_ms']:.1f} ms | {_met(r[f'{name}_p99_ms'] <= TARGET_P99_MS)} |",
            f"| {label}: ratio to the bare endpoint | >= {TARGET_RATIO} | {r[f'{name}_ratio']:.2f} | "
            f"{_met(r[f'{name}_ratio'] >= TARGET_RATIO)} |",
            f"| {label}: errors over {r['runs']} x {r['run_seconds']:g} s | 0 | {r[f'{name}_errors']} | "
            f"{_met(r[f'{name}_errors'] == 0)} |",
        ]
    lines += [
        f"| list an issuer's certificates, keyset pages at {_n(r['seeded_certificates'])}: p99 | <= "
        f"{TARGET_P99_MS:g} ms | {r['list_issuer_p99_ms']:.1f} ms | {_met(r['list_issuer_p99_ms'] <= TARGET_P99_MS)} |",
        f"| verify an uploaded 10 MB file | (report MB/s) | {r['upload_hash_mb_per_s']:.0f} MB/s | "
        f"{r['upload_ratio']:.2f} of SHA-256 alone |",
        f"| documents wrapped per second | >= {_n(TARGET_WRAPPED)} | {_n(r['documents_wrapped_per_s'])} | "
        f"{_met(r['documents_wrapped_per_s'] >= TARGET_WRAPPED)} |",
    ]
    batch = r.get("batch_10000_seconds")
    lines.append(
        f"| batch of 10,000 documents through the API: issued, indexed, verifiable | <= {TARGET_BATCH_SECONDS:g} s | "
        + (
            f"{batch:.1f} s | {_met(batch <= TARGET_BATCH_SECONDS)} |"
            if batch is not None
            else "not measured | run without `--no-issuance` |"
        )
    )
    lines += [
        "",
        "### Under load",
        "",
        f"{r['connections']} connections, {r['run_seconds']:g} s per run; latency is measured by the load generator "
        "(request written to answer read).",
        "",
        "| endpoint | req/s (median) | req/s per run | p50 | p90 | p99 (median) | p99 (worst run) | errors | ratio | "
        "server CPU per request |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label in (
        ("bare", "bare FastAPI endpoint (constant JSON, `async def`)"),
        ("verify_fingerprint", "`GET /verify/fingerprint/{fp}`"),
        ("verify_id", "`GET /verify/certificate/{id}`"),
    ):
        ratio = f"{r[f'{name}_ratio']:.2f}" if f"{name}_ratio" in r else "1"
        lines.append(
            f"| {label} | {_n(r[f'{name}_rps'])} | {r[f'{name}_rps_runs']} | {r[f'{name}_p50_ms']:.1f} ms | "
            f"{r[f'{name}_p90_ms']:.1f} ms | {r[f'{name}_p99_ms']:.1f} ms | {r[f'{name}_p99_ms_worst']:.1f} ms | "
            f"{r[f'{name}_errors']} | {ratio} | {r[f'{name}_cpu_ms']:.2f} ms |"
        )
    lines += [
        "",
        *_wrap(
            f"A closed loop of {r['connections']} connections obeys Little's law: mean latency = connections / "
            f"throughput. At {_n(TARGET_RPS)} req/s that mean is {r['connections'] / TARGET_RPS * 1e3:.1f} ms, so "
            f"a p99 of {TARGET_P99_MS:g} ms at {r['connections']} connections needs well over "
            f"{_n(r['connections'] / TARGET_P99_MS * 1e3)} req/s: the latency target is the stricter throughput "
            "target. How much more depends on the jitter of the machine: here the p99 was "
            f"{r['bare_p99_ms'] / r['bare_p50_ms']:.1f} times the p50 for the bare endpoint itself (p99 "
            f"{r['bare_p99_ms']:.1f} ms at {_n(r['bare_rps'])} req/s)."
        ),
        "",
        *_wrap(
            "Server CPU per request (user + system time of all uvicorn processes during the run, divided by the "
            "requests answered) depends much less on the other load of a shared machine than req/s does: "
            f"{r['verify_fingerprint_cpu_ms']:.2f} ms by fingerprint and {r['verify_id_cpu_ms']:.2f} ms by id, "
            f"against {r['bare_cpu_ms']:.2f} ms for the bare endpoint (CPU ratios "
            f"{r['verify_fingerprint_cpu_ratio']:.2f} and {r['verify_id_cpu_ratio']:.2f}). One core of this machine "
            f"gives at most {_n(1e3 / r['verify_fingerprint_cpu_ms'])} verifications by fingerprint per second at "
            "that cost."
        ),
        "",
        "### Where the time goes",
        "",
        *_wrap(PROFILE_NOTE),
        "",
        *[line for item in PROFILE_FINDINGS for line in _wrap_item(item)],
        "",
        "### One request at a time",
        "",
        "| measure | p50 | p99 | requests |",
        "|---|---:|---:|---:|",
        f"| `GET /certificates?issuer=...&limit={PAGE}` at random keyset cursors and walking `next_cursor`, "
        f"{_n(r['seeded_certificates'])} certificates | {_n(r['list_issuer_p50_ms'], 1)} ms | "
        f"{_n(r['list_issuer_p99_ms'], 1)} ms | {_n(r['list_issuer_requests'])} |",
        f"| `GET /certificates?limit={PAGE}` (no filter) walking `next_cursor`, same data set | "
        f"{_n(r['list_all_p50_ms'], 1)} ms | {_n(r['list_all_p99_ms'], 1)} ms (the slowest) | "
        f"{_n(r['list_all_requests'])} |",
        "",
        *_wrap(
            f"Upload: a {UPLOAD_BYTES / 1e6:g} MB file posted as multipart to `POST /verify/file` "
            f"{r['upload_count']} times per run: {r['upload_hash_mb_per_s']:.0f} MB/s end to end (median), against "
            f"{r['sha256_mb_per_s']:.0f} MB/s for hashlib's SHA-256 of the same bytes in one process (ratio "
            f"{r['upload_ratio']:.2f}); the rest is multipart parsing and moving the bytes over loopback."
        ),
        "",
        *_wrap(
            f"Documents wrapped (salted, hashed, Merkle proof) by `ledger.documents.wrap_batch` on "
            f"{_n(WRAP_DOCUMENTS)} documents of 14 fields each, built beforehand: {_n(r['documents_wrapped_per_s'])} "
            f"per second (median of {len(r['documents_wrapped_runs'].split(' / '))} runs after a warm-up of the "
            f"same size, measured before the data sets are read; runs: {r['documents_wrapped_runs']}); keccak "
            f"backend: {r['keccak_backend']}."
        ),
        "",
    ]
    if r.get("batch_10000_seconds") is not None:
        lines += [
            *_wrap(
                f"Issuance end to end: a batch of {_n(r['batch_documents'])} documents posted to `POST /batches` "
                "(a Merkle anchor: with public fingerprints 10,000 documents need ~29M gas and 640 KB of calldata, "
                "more than a block and a transaction may hold) on a fresh anvil, until the indexer (its own process, "
                "`originals index`, 50 ms polls, no confirmations) has applied the transaction and "
                f"`POST /verify/document` of one returned document answers VALID: {r['batch_10000_seconds']:.2f} s "
                f"(median; runs {r['batch_runs_seconds']} s), of which {r['batch_post_seconds']:.2f} s answering the "
                f"POST (wrap, sign, send, return the documents) and {r['batch_index_seconds']:.2f} s until indexed."
            ),
            "",
        ]
    return "\n".join(lines) + "\n"


PROFILE_NOTE = (
    "Profiled by hand on 2026-11-21 after the read-path changes listed first below (py-spy 0.4.3 `record` on one "
    "uvicorn worker under wrk, and the ASGI app called in process, CPU time per request); re-profile after changing "
    "the API. Before them a verification by fingerprint cost ~3 ms of server CPU, ~90% of it SQLAlchemy building "
    "statements; after them most of a request was the framework's per-request work, which the two lookups now "
    "mostly skip (issue 4, below)."
)
PROFILE_FINDINGS = (
    "Applied: `IndexFacts` builds its statements once, compiles them once per dialect and runs them on the pooled "
    "driver cursor; one joined query answers a verification (certificate, document, issuer, the issuer's standing "
    "just before the issuance, and the indexed block), instead of 7 queries over 4 connections. In process the facts "
    "of a fingerprint or an id cost 0.05-0.09 ms of CPU including the pool checkout (2.2-4 ms before), with the same "
    "answers as before on 2,001 fingerprints and 3,202 ids (every status, unknown ones). EXPLAIN shows index "
    "searches only (the indexes of migration 0003), so no further migration was needed.",
    "Applied: keyset pages compare the sort key as a row value, `(issued_at, root) < (?, ?)`, which SQLite and "
    "PostgreSQL seek the index to; with `issued_at < ? OR (issued_at = ? AND root < ?)` SQLite walked the "
    "issuer's index from its newest entry, 1.8 s (cold) for a page near the end of 500,580 certificates against "
    "0.2 ms now. The certificate routes serialise with orjson instead of FastAPI's `jsonable_encoder` walk.",
    "Applied: the metrics middleware is plain ASGI (no task and streaming wrapper per request); dependencies without "
    "I/O are `async def`; the verify routes are `async def` and on SQLite run the lookup on the event loop: a sync "
    "route costs a thread-pool round trip for the route and another to validate its answer, and under 32 "
    "connections the thread pool also opened and closed SQLite connections beyond the pool's size.",
    "What a request costs now, in process (the ASGI app called directly, no HTTP; CPU time, medians of 5 x 1,000): "
    "bare endpoint 0.05-0.07 ms; a route with the same signature and response model answering a canned result "
    "0.07-0.12 ms; verify by fingerprint 0.19-0.37 ms; verify by id 0.24-0.31 ms (ranges over runs on the shared "
    "machine). Under wrk (py-spy, one worker, leaving out the samples in the socket write, mostly waits for a core): "
    "SQLite executing the statement ~23%, the FastAPI and Starlette layers (routing among ~30 routes, parameters, "
    "validating and serialising the answer, five middlewares) ~45%, uvicorn and httptools most of the rest.",
    "Applied (after the figures above were profiled): the two lookup routes read their two parameters themselves "
    "(same rules, same problem documents, the same OpenAPI document) and send orjson bytes, skipping FastAPI's "
    "parameter solving and response-model validation: in process, interleaved medians of 3 x 2,000 requests, "
    "~0.28 -> ~0.22 ms by fingerprint and ~0.31 -> ~0.21 ms by id; under wrk, server CPU per request went from "
    "0.53 / 0.50 ms to 0.34 / 0.39 ms (the full run of 2026-11-21 17:49 UTC).",
    "Applied (issue 4): on SQLite the two lookups skip the framework's routing and request handling. A pure ASGI "
    "middleware inside the app's own (metrics and upload limit outside it, and the error handlers outside those) "
    "answers a GET of `/verify/fingerprint/{key}` or `/verify/certificate/{key}` whose key is exactly 0x + 64 hex "
    "digits and that has no query string, with the declared routes' bytes and headers, and sets the matched route "
    "for the metrics; everything else (malformed keys, `source=`, other methods, OpenTelemetry active) goes the "
    "declared way, so errors and the OpenAPI document are unchanged. The event loop's lookups run on a SQLite "
    "connection of its own (taken out of the pool at start-up, autocommit, every statement read to its end, so each "
    "lookup sees the indexer's last commit) instead of a pool checkout and a new cursor per request. That connection "
    "keeps the rows of up to 16,384 recent lookups (~1.4 KB each) while `PRAGMA data_version`, read per lookup "
    "(~5 µs), shows no commit by another connection: the indexer's next commit (one per new block as it follows "
    "the head) empties it; verdicts are still computed per request. The start-up heap (~113k objects; a full "
    "collection of it took ~60 ms on the loaded machine) is frozen out of the garbage collector once the app has "
    "started.",
    "Measured for issue 4 (short runs on the shared machine, load average 3-3.5; the HEAD code served side by side "
    "and loaded in turn, 10 s per endpoint after a 10 s warm-up, 2 workers, wrk at 32 connections): server CPU per "
    "request by fingerprint 0.60 -> 0.34 ms and by id 0.63 -> 0.31 ms, the bare endpoint at 0.24 ms in that run "
    "(0.13 ms on a quieter machine); without the cache 0.37 / 0.34 ms, so the cache's share is ~7-10% on this "
    "workload, in which nothing commits during a run. In process (the ASGI app called directly, interleaved): "
    "~0.37-0.45 ms -> ~0.15-0.21 ms per lookup.",
    "Left for the p99: a lookup still costs more than the bare endpoint: the SQLite statement (~65 µs on a cache "
    "miss), building the facts from its rows (~30 µs), the checks and the answer, and the middlewares and FastAPI's "
    "own per-request telemetry check above the fast path. With the bare endpoint's own p99 at ~20 ms on this machine "
    "under this load, a p99 of 20 ms for a route that costs more than it is out of reach here whatever the route "
    "does.",
    "uvicorn with httptools and uvloop halves the bare endpoint's CPU per request against h11 and asyncio "
    "(0.10 ms against 0.20 ms); `--no-access-log` is used for both servers.",
    "Wrapping documents: `ledger.documents.hashing` uses safe-pysha3's C keccak (~1-2 µs a hash against ~12 µs through "
    "eth-hash's pycryptodome backend; 17 hashes per document of 14 fields, the leaf's double hash included); "
    "`wrap_batch` works out what documents of one shape share once per batch (path bytes, a compiled nesting of "
    "`data`), draws all salts at once, writes all values with one orjson call, hashes and writes the salted strings "
    "with C-level maps over the whole batch, builds the tree level by level and every proof in one pass, and "
    "pauses the garbage collector while it builds a batch. Keccak (17 calls of ~1 µs per document) is now close to "
    "half of its time; most of the rest is reading the fields from the models, drawing the salts and building the "
    "wrapped documents' dicts and strings.",
)


def _wrap_item(text: str) -> list[str]:
    wrapped = textwrap.wrap(text, width=116, break_on_hyphens=False)
    return [("- " if i == 0 else "  ") + line for i, line in enumerate(wrapped)]


def write_docs(section: str, path: Path) -> None:
    """Replace the API section between its markers; append it when missing. Nothing else in the file changes."""
    block = f"{BEGIN}\n{section}{END}\n"
    text = path.read_text() if path.is_file() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# ---------------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds per load run (default 60)")
    parser.add_argument("--warmup", type=float, default=10, help="warm-up seconds per endpoint (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measure; the median is reported (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2: one per core)")
    parser.add_argument("--http", default="auto", choices=["auto", "h11", "httptools"])
    parser.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"])
    parser.add_argument("--singles", type=int, default=10_000, help="single certificates issued on chain")
    parser.add_argument("--batches", type=int, default=100, help="issueBatchPublic batches issued on chain")
    parser.add_argument("--batch-size", type=int, default=1_024, help="documents per batch")
    parser.add_argument("--seeded", type=int, default=1_000_000, help="certificates in the pagination data set")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached data sets")
    parser.add_argument("--batch", type=int, default=10_000, help="documents per batch issued through the API")
    parser.add_argument("--no-issuance", action="store_true", help="skip the batch issued end to end through the API")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"result file (default {RESULTS})")
    parser.add_argument("--docs", type=Path, default=DOCS, help="Markdown file whose API section is rewritten")
    parser.add_argument("--no-docs", action="store_true", help="write the JSON only")
    args = parser.parse_args(argv)

    started = time.monotonic()
    env_info = Environment.capture()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    # Wrapping first: it needs no data set, and right after the data sets are read (the 1M-certificate file's ~1 GB
    # through the page cache) the kernel's memory reclaim was seen slowing the next seconds' runs by a third.
    wrapped = documents_wrapped_per_second(WRAP_DOCUMENTS, max(args.runs, WRAP_RUNS))
    print(f"documents wrapped per second: {' / '.join(f'{x:,.0f}' for x in wrapped)}")
    chain = chain_dataset(SCRATCH / "chain", args.singles, args.batches, args.batch_size, args.fresh)
    issuer, cursors, issuer_count = seeded_dataset(SCRATCH / "seeded.sqlite3", args.seeded, args.fresh)

    config = ServerConfig(args.workers, args.http, args.loop)
    generator = load_generator()
    fingerprint_paths = SCRATCH / "paths_fingerprint.txt"
    fingerprint_paths.write_text("".join(f"/verify/fingerprint/{fp}\n" for fp in chain.fingerprints))
    id_paths = SCRATCH / "paths_id.txt"
    id_paths.write_text("".join(f"/verify/certificate/{i}\n" for i in chain.ids))
    bare_paths = SCRATCH / "paths_bare.txt"
    bare_paths.write_text("/bare\n")
    app_env = {
        "ORIGINALS_ENVIRONMENT": "development",
        "ORIGINALS_DATABASE_URL": f"sqlite:///{chain.database}",
        "ORIGINALS_DEPLOYMENTS_DIR": str(chain.deployments),
        "ORIGINALS_RPC_URL": f"http://127.0.0.1:{free_port()}",  # no node: index answers only
        # The load generator is one client address sending thousands of requests a second: the per-client limit
        # (docs/operations.md) would answer most of them 429. The limiter's own cost is not what is measured here.
        "ORIGINALS_RATE_LIMIT": "off",
    }
    seeded_env = app_env | {"ORIGINALS_DATABASE_URL": f"sqlite:///{SCRATCH / 'seeded.sqlite3'}"}
    log = SCRATCH / "uvicorn.log"
    log.write_bytes(b"")
    targets = {"bare": bare_paths, "verify_fingerprint": fingerprint_paths, "verify_id": id_paths}
    loads: dict[str, list[Load]] = {name: [] for name in targets}
    rng = random.Random(3)
    payload = rng.randbytes(UPLOAD_BYTES)
    with (
        serve("app", config, app_env, "/openapi.json", log) as api,
        serve("bare", config, app_env, "/bare", log) as bare,
    ):
        check_answers(api.url, chain.fingerprints, chain.ids)
        bases = {"bare": bare, "verify_fingerprint": api, "verify_id": api}
        for name, paths in targets.items():
            run_load(bases[name], paths, args.warmup, args.connections, 1, generator)
        for run in range(args.runs):
            for name, paths in targets.items():
                load = run_load(bases[name], paths, args.duration, args.connections, 100 + run, generator)
                loads[name].append(load)
                print(
                    f"run {run + 1}/{args.runs} {name:20} {load.rps:8,.0f} req/s  p50 {load.p50_ms:6.1f} ms"
                    f"  p99 {load.p99_ms:6.1f} ms  errors {load.errors}  server CPU {load.cpu_ms:.2f} ms/request"
                )
        upload_rates(api.url, payload, 1)
        uploads = [_median(upload_rates(api.url, payload, 5)) for _ in range(args.runs)]
    hashing = [_median(sha256_rate(payload, 5)) for _ in range(args.runs)]
    with serve("app", config, seeded_env, "/openapi.json", log) as api:
        page_latencies(api.url, issuer, cursors[:200], 0)  # warm-up
        issuer_runs, all_runs = [], []
        for run in range(args.runs):
            picked = cursors[200 + run * 500 : 200 + (run + 1) * 500]
            issuer_runs.append(page_latencies(api.url, issuer, picked, 500))
            all_runs.append(page_latencies(api.url, None, [], UNFILTERED_PAGES))

    issuances = [] if args.no_issuance else issuance_runs(SCRATCH / "issuance", args.batch, args.runs, config, log)

    result: dict[str, Any] = {
        **summarize_loads(loads),
        "list_issuer_p50_ms": round(_median([percentile(x, 50) for x in issuer_runs]), 2),
        "list_issuer_p99_ms": round(_median([percentile(x, 99) for x in issuer_runs]), 2),
        "list_issuer_requests": sum(len(x) for x in issuer_runs),
        "list_issuer_certificates": issuer_count,
        "list_all_p50_ms": round(_median([percentile(x, 50) for x in all_runs]), 2),
        "list_all_p99_ms": round(_median([percentile(x, 99) for x in all_runs]), 2),
        "list_all_requests": sum(len(x) for x in all_runs),
        "upload_hash_mb_per_s": round(_median(uploads), 1),
        "upload_count": 5,
        "sha256_mb_per_s": round(_median(hashing), 1),
        "upload_ratio": round(_median(uploads) / _median(hashing), 3),
        "documents_wrapped_per_s": round(_median(wrapped)),
        "documents_wrapped_runs": " / ".join(f"{x:,.0f}" for x in wrapped),
        "keccak_backend": keccak_backend(),
        "batch_10000_seconds": round(_median([i.total for i in issuances]), 2) if issuances else None,
        "batch_post_seconds": round(_median([i.post for i in issuances]), 2) if issuances else None,
        "batch_index_seconds": round(_median([i.indexed for i in issuances]), 2) if issuances else None,
        "batch_runs_seconds": " / ".join(f"{i.total:.2f}" for i in issuances),
        "batch_documents": args.batch,
        "server": config.describe(),
        "workers": args.workers,
        "load_generator": generator,
        "connections": args.connections,
        "run_seconds": args.duration,
        "warmup_seconds": args.warmup,
        "runs": args.runs,
        "cores": os.cpu_count(),
        "data_certificates": chain.counts["certificates"],
        "data_documents": chain.counts["documents"],
        "data_events": chain.counts["events"],
        "data_singles": args.singles,
        "data_batches": args.batches,
        "data_batch_size": args.batch_size,
        "seeded_certificates": args.seeded,
        "date": env_info.date,
        "machine": env_info.machine,
        "python": env_info.python,
        "versions": env_info.versions,
        "loadavg": env_info.loadavg,
    }
    write_json(result, args.json)
    print(f"done in {time.monotonic() - started:.0f} s -> {args.json}")
    if not args.no_docs:
        write_docs(render(result), args.docs)
        print(f"API section -> {args.docs}")
    for key in (
        "verify_fingerprint_rps",
        "verify_fingerprint_p99_ms",
        "verify_fingerprint_ratio",
        "verify_id_rps",
        "verify_id_p99_ms",
        "verify_id_ratio",
        "bare_rps",
        "errors",
        "list_issuer_p99_ms",
        "upload_hash_mb_per_s",
        "documents_wrapped_per_s",
    ):
        print(f"  {key:28} {result[key]:>12}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "--loadgen":
        _loadgen_main(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
        sys.exit(0)
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench-api: {error}", file=sys.stderr)
        sys.exit(1)
