"""End to end: the real processes, talking over real sockets.

anvil runs the chain; ``originals index`` (a subprocess) follows it into an SQLite file; ``originals serve`` (another
subprocess, uvicorn) answers HTTP from that file and the node. The test acts only as an issuer on chain and as a
verifier over HTTP, so it sees what a user sees: a certificate issued on chain becomes verifiable through the API a
moment later, a revocation shows up the same way, the trustless ``source=chain`` answer agrees, and an indexer that
was stopped catches up exactly once when it comes back.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import devchain

from devtools.devnet import Anvil, free_port
from ledger.chain.rpc import RpcClient
from ledger.events import OrganisationType

ORIGINAL = b"%PDF-1.7 Certificate of origin: 40 bales of Alpine wool, shearing of 2025\n"
REPLACEMENT = b"%PDF-1.7 Certificate of origin: 40 bales of Alpine wool, shearing of 2025 (corrected)\n"
SECOND = b"%PDF-1.7 Certificate of origin: 12 bales of Alpine wool, shearing of 2026\n"


def fingerprint(data: bytes) -> str:
    return "0x" + hashlib.sha256(data).hexdigest()


@dataclass
class Stack:
    chain: devchain.Consortium
    rpc: RpcClient
    api: httpx.Client
    env: dict[str, str]
    workdir: Path
    indexer: subprocess.Popen[bytes] | None = None

    def start_indexer(self) -> None:
        log = (self.workdir / "indexer.log").open("ab")
        self.indexer = subprocess.Popen(
            [sys.executable, "-m", "cli", "index"], cwd=self.workdir, env=self.env, stdout=log, stderr=log
        )

    def stop_indexer(self) -> int:
        """SIGTERM, as an operator or a supervisor would; the indexer finishes its batch and exits."""
        assert self.indexer is not None
        self.indexer.send_signal(signal.SIGTERM)
        code = self.indexer.wait(timeout=20)
        self.indexer = None
        return code

    def head(self) -> int:
        return int(self.rpc.call("eth_blockNumber"), 16)

    def caught_up(self, timeout: float = 30.0) -> dict[str, Any]:
        """Wait until /health says the index is at the chain's head; returns that answer."""
        return eventually(lambda: self.api.get("/health").json(), lambda h: h["lag_blocks"] == 0, timeout)

    def verify_file(self, data: bytes, source: str = "index") -> dict[str, Any]:
        response = self.api.post("/verify/file", params={"source": source}, files={"file": ("original.pdf", data)})
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


def eventually(
    read: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool], timeout: float = 30.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        last = read()
        if done(last):
            return last
        time.sleep(0.1)
    pytest.fail(f"not reached within {timeout:.0f} s; last answer: {last}")


def _wait_for_http(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"originals serve exited with {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"originals serve did not answer within {timeout:.0f} s:\n{log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("stack")
    with Anvil() as node:
        rpc = RpcClient(node.url)
        chain = devchain.deploy(rpc, workdir / "deployments")
        chain.admit(3, OrganisationType.SME, "Alpine Wool Cooperative", rights=1)
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ORIGINALS_")},
            "ORIGINALS_ENVIRONMENT": "test",
            "ORIGINALS_DATABASE_URL": f"sqlite:///{workdir / 'index.db'}",
            "ORIGINALS_RPC_URL": node.url,
            "ORIGINALS_DEPLOYMENTS_DIR": str(workdir / "deployments"),
            "ORIGINALS_POLL_INTERVAL": "0.1",
            # The tests poll /health far faster than a person would; the rate limit has tests of its own.
            "ORIGINALS_RATE_LIMIT": "off",
            "ORIGINALS_API_PORT": str(port),
        }
        log = workdir / "serve.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve"],
            cwd=workdir,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        stack = Stack(chain, rpc, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10), env, workdir)
        try:
            stack.start_indexer()
            _wait_for_http(f"http://127.0.0.1:{port}", server, log)
            yield stack
        finally:
            stack.api.close()
            _stop(stack.indexer)
            _stop(server)
            rpc.close()


def test_the_api_serves_the_indexed_consortium_once_the_indexer_caught_up(stack: Stack) -> None:
    health = stack.caught_up()
    assert health == {
        "status": "ok",
        "database": True,
        "node": True,
        "head_block": stack.head(),
        "indexed_block": stack.head(),
        "lag_blocks": 0,
    }
    partners = stack.api.get("/partners", params={"type": "SME"}).json()["data"]
    assert [(p["display_name"], p["status"], p["rights"]) for p in partners] == [
        ("Alpine Wool Cooperative", "ACTIVE", ["ISSUER"])
    ]


def test_a_certificate_issued_on_chain_becomes_verifiable_from_its_file(stack: Stack) -> None:
    assert stack.verify_file(ORIGINAL)["verdict"] == "NOT_FOUND"
    root = devchain.h32(1, "e2e")
    receipt = stack.chain.issue(3, root, fingerprint(ORIGINAL))
    answer = eventually(lambda: stack.verify_file(ORIGINAL), lambda a: a["verdict"] == "VALID")
    assert answer["indexed_block"] >= receipt.block_number
    (result,) = answer["results"]
    assert (result["certificate"]["id"], result["certificate"]["root"]) == (stack.chain.certificate_id(3, root), root)
    assert result["certificate"]["issuer"] == stack.chain.address(3)
    assert result["checks"][2]["details"]["name"] == "Alpine Wool Cooperative"
    assert stack.verify_file(ORIGINAL, "chain")["results"] == [{**result, "source": "chain", "indexed_block": None}]


def test_a_revocation_on_chain_shows_in_the_api_with_its_reason_and_the_chain_agrees(stack: Stack) -> None:
    certificate = stack.chain.certificate_id(3, devchain.h32(1, "e2e"))
    stack.chain.set_status(3, "revoke", certificate, 2)
    stack.chain.issue(3, devchain.h32(2, "e2e"), fingerprint(REPLACEMENT))
    answer = eventually(lambda: stack.verify_file(ORIGINAL), lambda a: a["verdict"] == "REVOKED")
    check = answer["results"][0]["checks"][1]
    assert check["reason"] == "the certificate was revoked (superseded by a new certificate)"
    assert check["details"]["reason_code"] == 2
    from_chain = stack.verify_file(ORIGINAL, "chain")
    assert [
        {**r, "source": "index", "indexed_block": answer["indexed_block"]} for r in from_chain["results"]
    ] == answer["results"]
    assert eventually(lambda: stack.verify_file(REPLACEMENT), lambda a: a["verdict"] == "VALID")["verdict"] == "VALID"
    history = stack.api.get(f"/certificates/{certificate}").json()["history"]
    assert [(h["action"], h["reason"]) for h in history] == [("issued", None), ("revoked", 2)]


def test_a_stopped_indexer_catches_up_exactly_once_when_it_comes_back(stack: Stack) -> None:
    stack.caught_up()
    assert stack.stop_indexer() == 0
    before = stack.api.get("/certificates").json()["data"]
    stack.chain.issue(3, devchain.h32(3, "e2e"), fingerprint(SECOND))
    for _ in range(3):
        stack.rpc.call("evm_mine")
    lagging = stack.api.get("/health").json()
    assert lagging["lag_blocks"] == 4, "the API keeps answering from the index while the indexer is down"
    assert stack.verify_file(SECOND)["verdict"] == "NOT_FOUND"
    assert stack.verify_file(SECOND, "chain")["verdict"] == "VALID"
    stack.start_indexer()
    stack.caught_up()
    after = stack.api.get("/certificates").json()["data"]
    assert sorted(c["root"] for c in after) == sorted([devchain.h32(3, "e2e"), *(c["root"] for c in before)])
    assert stack.verify_file(SECOND)["verdict"] == "VALID"
