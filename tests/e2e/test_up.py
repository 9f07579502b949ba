"""`originals up` end to end, as `make run` runs it: start, wait until ready, verify through the API, stop with
Ctrl-C (SIGINT), start again, and get the same answers from the same chain and database.

Runs the real console script in a subprocess on free ports, with its chain, database, keys and demo files in a
temporary folder. The deploy step is the real ape script, so this also covers its "already deployed" path.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools.devnet import PROJECT_ROOT, free_port

ORIGINALS = str(Path(sys.executable).with_name("originals"))


class Up:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.api_port = free_port()
        self.rpc_port = free_port()
        self.process: subprocess.Popen[str] | None = None
        self.log = tmp / "up.log"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self) -> None:
        env = dict(os.environ)
        env.update(
            ORIGINALS_API_PORT=str(self.api_port),
            ORIGINALS_DEPLOYMENTS_DIR=str(self.tmp / "deployments"),
            SOLCX_BINARY_PATH=str(PROJECT_ROOT / ".solcx"),
            PATH=f"{PROJECT_ROOT / '.bin'}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
        )
        for name in ("ORIGINALS_DATABASE_URL", "ORIGINALS_RPC_URL", "ORIGINALS_KEYSTORE_DIR"):
            env.pop(name, None)
        args = [ORIGINALS, "up", "--devnet-dir", str(self.tmp / "devnet"), "--rpc-port", str(self.rpc_port)]
        args += ["--demo-dir", str(self.tmp / "demo")]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                args, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
            )

    def wait_ready(self, timeout: float = 120.0) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"originals up exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                health = httpx.get(self.api + "/health", timeout=2).json()
                if health["status"] == "ok" and health["lag_blocks"] == 0:
                    return dict(health)
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        pytest.fail(f"originals up not ready in {timeout:.0f} s:\n{self.log.read_text()[-3000:]}")

    def interrupt(self, timeout: float = 60.0) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"originals up did not stop within {timeout:.0f} s of Ctrl-C")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    runner = Up(tmp_path)
    try:
        yield runner
    finally:
        runner.kill()


def answers(up: Up) -> dict[str, str]:
    """The verdict for each demo original, by fingerprint, through the API."""
    out = {}
    for path in sorted((up.tmp / "demo" / "originals").iterdir()):
        fingerprint = "0x" + hashlib.sha256(path.read_bytes()).hexdigest()
        out[path.name] = httpx.get(f"{up.api}/verify/fingerprint/{fingerprint}", timeout=10).json()["verdict"]
    return out


def test_originals_up_starts_serves_stops_and_continues_where_it_stopped(up: Up) -> None:
    up.start()
    first_health = up.wait_ready()
    relayer = first_health["relayer"]  # devnet account 9 relays signed actions on the devnet
    assert (relayer["address"], relayer["low"]) == ("0xa0ee7a142d267c1f36714e4a8f75612f20a79720", False)
    first = answers(up)
    assert first["fabric-batch-0042.txt"] == "VALID"
    assert first["artwork-evening-light.txt"] == "SUSPENDED"
    assert first["diploma-003.txt"] == "REVOKED"
    assert [name for name, verdict in first.items() if verdict == "VALID"] == [
        "artwork-001.txt",
        "diploma-001.txt",
        "diploma-002.txt",
        "diploma-004.txt",
        "diploma-005.txt",
        "diploma-006.txt",
        "diploma-007.txt",
        "diploma-008.txt",
        "fabric-batch-0042.txt",
        "violin-2291.txt",
        "watch-3104.txt",
    ]
    page = httpx.get(up.api + "/", timeout=10)
    assert page.status_code == 200
    assert "Originals" in page.text
    assert up.interrupt() == 130, up.log.read_text()[-2000:]
    assert (up.tmp / "devnet" / "anvil-state.json").stat().st_size > 0

    up.start()
    second_health = up.wait_ready()
    assert answers(up) == first
    assert second_health["indexed_block"] == first_health["indexed_block"]
    log = up.log.read_text()
    assert "Already deployed on chain 31337" in log
    assert up.interrupt() == 130
