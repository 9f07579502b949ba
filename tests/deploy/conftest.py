"""Fixtures for the deploy-script tests: a fresh anvil per test module, and ``ape run deploy`` run as a user runs it.

The script runs in a subprocess attached to that anvil through ape-foundry's ``APE_FOUNDRY_HOST`` (so it never starts
or stops a node of its own), and writes its manifest into a temporary folder, never into the checkout's
``deployments/``. These tests run without ape's pytest plugin (``-p no:ape_test``) and never import ape.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from web3 import HTTPProvider, Web3

from devtools.toolchain import PROJECT_ROOT, Toolchain, environment

# scripts/ is not an installed package; make `scripts._consortium` importable as ape run makes it.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

APE = Path(sys.executable).with_name("ape")
NETWORK = "ethereum:local:foundry"


@dataclass(frozen=True)
class Anvil:
    """A running anvil: its URL and a web3 client for assertions."""

    url: str
    w3: Web3

    def rpc(self, method: str, *params: object) -> object:
        return self.w3.provider.make_request(method, list(params))["result"]  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_listening(url: str, process: subprocess.Popen[bytes], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=1)
            return True
        except httpx.TransportError:
            time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    """A fresh anvil (chain id 31337, the default test mnemonic) on a free port, stopped after the module."""
    binary = Toolchain(PROJECT_ROOT).bin_dir / "anvil"
    assert binary.exists(), f"{binary} is missing: run `make setup`"
    for _attempt in range(3):  # a free port can be taken between probing and anvil binding it
        port = _free_port()
        process = subprocess.Popen(
            [str(binary), "--port", str(port), "--silent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        if _wait_until_listening(url, process):
            break
        process.kill()
        process.wait()
    else:
        pytest.fail("anvil did not start listening in three attempts")
    try:
        yield Anvil(url, Web3(HTTPProvider(url)))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


Deploy = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def deploy(anvil: Anvil) -> Deploy:
    """Run ``ape run deploy --network ethereum:local:foundry ARGS`` from the project root, attached to ``anvil``."""
    env = environment()
    env["APE_FOUNDRY_HOST"] = anvil.url
    env.setdefault("APE_DATA_FOLDER", str(PROJECT_ROOT / ".build" / "ape-data"))
    env["PATH"] = f"{APE.parent}{os.pathsep}{env['PATH']}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(APE), "run", "deploy", "--network", NETWORK, *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run
