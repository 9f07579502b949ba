"""End to end: an issuer's whole write path with the real ``originals`` command line, server and indexer.

anvil runs the chain; ``originals serve`` and ``originals index`` run as subprocesses; every step is an
``originals`` command as an issuer types it: ``keys`` makes the issuer's keystore and API key, ``issue`` certifies
files (one, and a batch), ``verify`` checks the written documents, ``suspend`` / ``reinstate`` / ``revoke`` change a
certificate's status (named by the id ``issue`` prints; one document's with ``--document``). The commands answer
once the transaction is mined; the test follows each one from pending to indexed through ``GET /transactions/{tx}``.
Refusals are one line on stderr, exit 1, and send nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from support import devchain
from test_stack import _stop, _wait_for_http, eventually

from devtools.devnet import Anvil, free_port
from ledger.chain.rpc import RpcClient
from ledger.events import ISSUER, OrganisationType

ISSUER_ACCOUNT = 3
COUNCIL_ACCOUNT = 1
TX = re.compile(r"transaction (0x[0-9a-f]{64}) mined in block (\d+)")
ISSUED = re.compile(r"\(certificate (0x[0-9a-f]{64}), root (0x[0-9a-f]{64})\)")


@dataclass
class Cli:
    chain: devchain.Consortium
    rpc: RpcClient
    api: httpx.Client
    env: dict[str, str]
    workdir: Path
    keys: dict[str, str]
    key_output: str = ""

    def run(self, *args: str, key: str | None = "issuer") -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if key is not None:
            env["ORIGINALS_API_KEY"] = self.keys[key]
        return subprocess.run(
            [sys.executable, "-m", "cli", *args], cwd=self.workdir, env=env, capture_output=True, text=True
        )

    def ok(self, *args: str, key: str | None = "issuer") -> str:
        done = self.run(*args, key=key)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def indexed(self, stdout: str) -> int:
        """Wait until the transaction a command reported is indexed; its block."""
        tx_hash, block = TX.search(stdout).groups()  # type: ignore[union-attr]
        assert self.api.get(f"/transactions/{tx_hash}").json()["status"] in ("pending", "indexed")
        answer = eventually(lambda: self.api.get(f"/transactions/{tx_hash}").json(), lambda a: a["status"] == "indexed")
        assert answer["block_number"] == int(block)
        return int(block)

    def verify(self, target: Path) -> tuple[int, str]:
        done = self.run("verify", str(target), key=None)
        assert done.returncode in (0, 3), done.stderr
        return done.returncode, done.stdout.splitlines()[0]

    def nonce(self, index: int) -> int:
        return int(self.rpc.call("eth_getTransactionCount", [self.chain.address(index), "pending"]), 16)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    workdir = tmp_path_factory.mktemp("cli")
    with Anvil() as node:
        rpc = RpcClient(node.url)
        chain = devchain.deploy(rpc, workdir / "deployments")
        chain.admit(ISSUER_ACCOUNT, OrganisationType.SME, "Alpine Wool Cooperative", rights=ISSUER)
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ORIGINALS_")},
            "ORIGINALS_ENVIRONMENT": "test",
            "ORIGINALS_DATABASE_URL": f"sqlite:///{workdir / 'index.db'}",
            "ORIGINALS_RPC_URL": node.url,
            "ORIGINALS_DEPLOYMENTS_DIR": str(workdir / "deployments"),
            "ORIGINALS_POLL_INTERVAL": "0.1",
            "ORIGINALS_API_PORT": str(port),
            "ORIGINALS_API_URL": f"http://127.0.0.1:{port}",
            "ORIGINALS_KEYSTORE_DIR": str(workdir / "keystore"),
            "ORIGINALS_KEYSTORE_PASSWORD": "cli-write-tests",
        }
        cli = Cli(chain, rpc, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30), env, workdir, {})
        for name, account in (("issuer", ISSUER_ACCOUNT), ("council", COUNCIL_ACCOUNT)):
            output = cli.ok("keys", "--name", name, "--devnet-account", str(account), key=None)
            cli.keys[name] = output.rsplit(" ", 1)[1].strip()
            cli.key_output = cli.key_output or output
        log = workdir / "serve.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve"],
            cwd=workdir,
            env=env,
            stdout=log.open("ab"),
            stderr=log.open("ab"),
        )
        indexer_log = (workdir / "indexer.log").open("ab")
        indexer = subprocess.Popen(
            [sys.executable, "-m", "cli", "index"], cwd=workdir, env=env, stdout=indexer_log, stderr=indexer_log
        )
        try:
            _wait_for_http(f"http://127.0.0.1:{port}", server, log)
            yield cli
        finally:
            cli.api.close()
            _stop(indexer)
            _stop(server)
            rpc.close()


def _file(cli: Cli, name: str, content: bytes) -> Path:
    path = cli.workdir / name
    path.write_bytes(content)
    return path


def test_originals_keys_writes_an_encrypted_keystore_and_shows_the_api_key_once(cli: Cli) -> None:
    address = cli.chain.address(ISSUER_ACCOUNT)
    keystore = cli.workdir / "keystore" / f"{address}.json"
    assert cli.key_output == (
        f"issuer account {address}; encrypted keystore {keystore}\n"
        f"API key (shown once, store it now): {cli.keys['issuer']}\n"
    )
    assert re.fullmatch(r"orig_[A-Za-z0-9_-]{43}", cli.keys["issuer"])
    assert keystore.stat().st_mode & 0o777 == 0o600
    assert cli.keys["issuer"] not in keystore.read_text()


def test_a_file_issued_with_the_cli_verifies_valid_once_indexed(cli: Cli) -> None:
    original = _file(cli, "wool-2026.pdf", b"%PDF-1.7 40 bales of Alpine wool, 2026\n")

    stdout = cli.ok("issue", str(original))

    document = original.with_name("wool-2026.pdf.originals.json")
    first, second = stdout.splitlines()
    assert re.fullmatch(rf"{original}: certificate 0x[0-9a-f]{{64}} -> {document}", first), first
    assert re.fullmatch(
        r"transaction 0x[0-9a-f]{64} mined in block \d+ \(certificate 0x[0-9a-f]{64}, root 0x[0-9a-f]{64}\); "
        r"pending until indexed",
        second,
    )
    certificate, root = ISSUED.search(second).groups()  # type: ignore[union-attr]
    assert root == json.loads(document.read_text())["proof"]["merkleRoot"]
    assert certificate == devchain.certificate_id(cli.chain.address(ISSUER_ACCOUNT), root)
    cli.indexed(stdout)
    assert cli.verify(document) == (0, f"{document}: VALID")
    assert cli.verify(original) == (0, f"{original}: VALID")


def test_a_batch_issued_with_the_cli_verifies_valid_document_by_document(cli: Cli) -> None:
    files = [_file(cli, f"bale-{i}.pdf", f"%PDF-1.7 bale {i}\n".encode()) for i in range(3)]

    stdout = cli.ok("issue", "--batch", *map(str, files))

    cli.indexed(stdout)
    for path in files:
        document = path.with_name(path.name + ".originals.json")
        assert cli.verify(document) == (0, f"{document}: VALID")


def test_suspend_reinstate_and_revoke_with_the_cli_show_in_verification(cli: Cli) -> None:
    original = _file(cli, "fleece.pdf", b"%PDF-1.7 a fleece\n")
    cli.indexed(cli.ok("issue", str(original)))
    document = original.with_name("fleece.pdf.originals.json")
    root = json.loads(document.read_text())["proof"]["merkleRoot"]
    certificate = devchain.certificate_id(cli.chain.address(ISSUER_ACCOUNT), root)

    seen = []
    for action in ("suspend", "reinstate", "revoke"):
        stdout = cli.ok(action, certificate, "--reason", "4")
        assert re.fullmatch(
            rf"{action}: transaction 0x[0-9a-f]{{64}} mined in block \d+ \(pending until indexed\)\n", stdout
        )
        cli.indexed(stdout)
        seen.append(cli.verify(document))
    assert seen == [(3, f"{document}: SUSPENDED"), (0, f"{document}: VALID"), (3, f"{document}: REVOKED")]


def test_one_document_of_a_batch_is_suspended_and_reinstated_with_the_cli(cli: Cli) -> None:
    files = [_file(cli, f"skein-{i}.pdf", f"%PDF-1.7 skein {i}\n".encode()) for i in range(2)]
    cli.indexed(cli.ok("issue", "--batch", *map(str, files)))
    first, second = (path.with_name(path.name + ".originals.json") for path in files)

    cli.indexed(cli.ok("suspend", "--document", str(first), "--reason", "6"))
    assert (cli.verify(first), cli.verify(second)) == ((3, f"{first}: SUSPENDED"), (0, f"{second}: VALID"))
    cli.indexed(cli.ok("reinstate", "--document", str(first), "--reason", "6"))
    assert cli.verify(first) == (0, f"{first}: VALID")


def test_refused_cli_writes_say_why_in_one_line_and_send_nothing(cli: Cli) -> None:
    original = _file(cli, "refused.pdf", b"%PDF-1.7 refused\n")
    stdout = cli.ok("issue", str(original))
    cli.indexed(stdout)
    certificate = ISSUED.search(stdout).group(1)  # type: ignore[union-attr]
    cli.indexed(cli.ok("revoke", certificate, "--reason", "5"))
    head = int(cli.rpc.call("eth_blockNumber"), 16)
    nonces = (cli.nonce(ISSUER_ACCOUNT), cli.nonce(COUNCIL_ACCOUNT))
    council = cli.chain.address(COUNCIL_ACCOUNT)
    issuer = cli.chain.address(ISSUER_ACCOUNT)
    cli.keys["wrong"] = "orig_" + "A" * 43

    refusals = {
        ("issue", str(original), None): "originals issue: error: this command needs an issuer API key: "
        "--api-key or ORIGINALS_API_KEY",
        ("revoke", certificate, "wrong"): "originals revoke: error: the API key is unknown or revoked (HTTP 401)",
        ("suspend", certificate, "council"): f"originals suspend: error: certificate {certificate} was issued by "
        f"{issuer}, not by this key's issuer {council} (HTTP 403)",
        ("revoke", certificate, "issuer"): "originals revoke: error: "
        f"CertificateRegistryAlreadyRevoked(id={certificate}, leaf=0x{'00' * 32}) (HTTP 409)",
    }
    for (command, target, key), message in refusals.items():
        args = (command, target) if command == "issue" else (command, target, "--reason", "5")
        done = cli.run(*args, key=key)
        assert (done.returncode, done.stderr, done.stdout) == (1, message + "\n", ""), done.stderr

    assert int(cli.rpc.call("eth_blockNumber"), 16) == head
    assert (cli.nonce(ISSUER_ACCOUNT), cli.nonce(COUNCIL_ACCOUNT)) == nonces


def test_verify_speaks_german_when_asked_with_the_same_exit_codes(cli: Cli) -> None:
    original = _file(cli, "loden.pdf", b"%PDF-1.7 loden cloth, 12 m\n")
    stdout = cli.ok("issue", str(original))
    cli.indexed(stdout)
    certificate = ISSUED.search(stdout).group(1)  # type: ignore[union-attr]
    document = original.with_name("loden.pdf.originals.json")

    english = cli.run("verify", str(document), key=None)
    german = cli.run("--lang", "de", "verify", str(document), key=None)
    locale = {k: v for k, v in cli.env.items() if k not in ("LC_ALL", "LC_MESSAGES", "ORIGINALS_LANG")}
    by_locale = subprocess.run(
        [sys.executable, "-m", "cli", "verify", str(document)],
        cwd=cli.workdir,
        env={**locale, "LANG": "de_DE.UTF-8"},
        capture_output=True,
        text=True,
    )

    assert (english.returncode, german.returncode, by_locale.returncode) == (0, 0, 0)
    assert english.stdout.splitlines()[:2] == [
        f"{document}: VALID",
        "  VALID    DOCUMENT_INTEGRITY: the fields hash to the target hash, and the proof leads to the Merkle root",
    ]
    assert german.stdout.splitlines() == [
        f"{document}: Echt",
        "  In Ordnung       Dokument unverändert: Das Dokument ist unverändert: die Felder ergeben den Ziel-Hash, und "
        "der Nachweis führt zur Merkle-Wurzel",
        "  In Ordnung       Ausstellung und Status: Ausgestellt, nicht widerrufen, nicht ausgesetzt, nicht abgelaufen",
        "  In Ordnung       Aussteller: Ausgestellt von Alpine Wool Cooperative (p3.example)",
        "  In Ordnung       Aussteller beim Ausstellen berechtigt: Der Aussteller war beim Ausstellen berechtigt, und "
        "sein Schlüssel war damals nicht kompromittiert",
    ]
    assert by_locale.stdout == german.stdout
    assert english.stderr == german.stderr == by_locale.stderr == ""

    cli.indexed(cli.ok("revoke", certificate, "--reason", "5"))
    revoked = cli.run("--lang", "de", "verify", str(document), key=None)
    assert revoked.returncode == 3
    assert revoked.stdout.splitlines()[0] == f"{document}: Widerrufen"
    assert "  Nicht in Ordnung Ausstellung und Status: Widerrufen (Grund: Betrug)" in revoked.stdout.splitlines()

    refused = cli.run("--lang", "de", "suspend", certificate, "--reason", "5", key="council")
    council, issuer = cli.chain.address(COUNCIL_ACCOUNT), cli.chain.address(ISSUER_ACCOUNT)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == (
        f"originals suspend: Fehler: das Zertifikat {certificate} wurde von {issuer} ausgestellt, nicht vom "
        f"Aussteller dieses Schlüssels {council} (HTTP 403)\n"
    )
