"""Start and stop a local anvil devnet: used by ``make run``, the tests and the benchmarks (a development tool, not
part of the runtime package).

Finds the anvil binary that ``make setup`` linked into ``.bin/`` (from the npm package), else one on PATH. The
well-known devnet keys of anvil's default mnemonic (:mod:`ledger.chain.devkeys`) are for local use only; the API
refuses them outside a devnet.
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ledger.chain.devkeys import DEVNET_MNEMONIC, devnet_key
from ledger.errors import LedgerError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
__all__ = ["DEVNET_MNEMONIC", "PROJECT_ROOT", "Anvil", "DevnetError", "anvil_binary", "devnet_key", "free_port"]


class DevnetError(LedgerError, RuntimeError):
    """anvil is missing, or did not start."""


def anvil_binary() -> str:
    local = PROJECT_ROOT / ".bin" / "anvil"
    if local.exists():
        return str(local)
    found = shutil.which("anvil")
    if found is None:
        raise DevnetError("anvil not found: run `make setup` (it links the npm anvil into .bin/)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
"""libc, loaded in the parent: the child may only make the call (importing or loading anything between fork and exec
could deadlock on a lock another thread of the parent held)."""


def _stop_with_parent() -> None:
    """In the child, before anvil starts: have the kernel send it SIGTERM when its parent dies (Linux
    ``PR_SET_PDEATHSIG``), so a supervisor killed with SIGKILL leaves no orphaned chain holding its port. SIGTERM lets
    anvil write its ``--state`` file as on a normal stop. Elsewhere, nothing (the orphan needs stopping by hand)."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Anvil:
    """A running anvil process. Use as a context manager, or call :meth:`stop`."""

    port: int = field(default_factory=free_port)
    chain_id: int = 31337
    block_time: float | None = None
    genesis_timestamp: int | None = None
    """The genesis block's time (``--timestamp``): a chain whose history starts in the past (the demo's does)."""
    state_file: Path | None = None
    accounts: int = 10
    extra_args: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> Anvil:
        args = [
            anvil_binary(),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--accounts",
            str(self.accounts),
            "--hardfork",
            "prague",
            "--silent",
        ]
        if self.block_time is not None:
            args += ["--block-time", str(self.block_time)]
        if self.genesis_timestamp is not None:
            args += ["--timestamp", str(self.genesis_timestamp)]
        if self.state_file is not None:
            args += ["--state", str(self.state_file)]
        args += list(self.extra_args)
        # Its own session: a Ctrl-C meant for the supervisor must not kill the chain before the indexer has stopped.
        # But if the supervisor itself dies (SIGKILL, OOM), the chain goes with it instead of holding its port.
        self.process = subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_stop_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise DevnetError(f"anvil exited at start (code {self.process.returncode}): {err.strip()[:300]}")
            try:
                reply = httpx.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=1)
                if reply.status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise DevnetError(f"anvil did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop anvil (SIGTERM, so ``--state`` is dumped), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Anvil:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
