"""End to end: the consortium's three roles with the real ``originals`` command against ``originals serve`` (issue 13).

anvil runs the chain (a write world: founders 0-2 on the council); ``originals serve`` runs the API with the relayer
(devnet account 9); every step is an ``originals`` command as a person types it, signing with their own encrypted
keystore: an applicant applies, council members propose and vote, an outsider executes, the new partner leaves.
Success is one line naming the block and the transaction; a refusal is one line with the contract's error and its
arguments on stderr, exit 1, and sends nothing (the head block does not move).
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
from typing import Any

import httpx
import pytest
from support.governance import APPLICANT, OUTSIDER, RELAYER
from support.write_world import ACCOUNTS, PASSWORD, WriteWorld, write_keystore, write_world
from test_stack import _stop, _wait_for_http

from devtools.devnet import devnet_key, free_port
from ledger.documents import certificate_id
from ledger.events import PartnerStatus, ProposalKind

MINED = r"mined in block (\d+), tx (0x[0-9a-f]{64})\n"


@dataclass
class Cli:
    world: WriteWorld
    env: dict[str, str]
    workdir: Path
    api: httpx.Client

    def keystore(self, index: int) -> str:
        path = self.workdir / "signers" / f"{self.world.chain.address(index)}.json"
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            write_keystore(path.parent, devnet_key(index))
        return str(path)

    def run(self, *args: str, signer: int | None = None) -> subprocess.CompletedProcess[str]:
        argv = [*args, "--keystore", self.keystore(signer)] if signer is not None else list(args)
        return subprocess.run(
            [sys.executable, "-m", "cli", *argv], cwd=self.workdir, env=self.env, capture_output=True, text=True
        )

    def ok(self, *args: str, signer: int | None = None) -> str:
        done = self.run(*args, signer=signer)
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
        return done.stdout

    def refused(self, *args: str, signer: int, error: str) -> None:
        """The command fails with one line naming ``error`` and sends nothing."""
        head = self.world.head()
        done = self.run(*args, signer=signer)
        assert (done.returncode, done.stdout, done.stderr) == (
            1,
            "",
            f"originals {args[0]}: error: {error} (HTTP 409)\n",
        )
        assert self.world.head() == head

    def on_chain(self, view: str, *args: Any) -> tuple[Any, ...]:
        """A registry view's answer, straight from the contract."""
        return self.world.chain.partners.view(self.world.rpc, view, *args)

    def open_proposals_on_chain(self) -> dict[int, tuple[Any, ...]]:
        """The contract's view of every open proposal: (kind, subject, yes votes, no votes, deadline, executed)."""
        (count,) = self.on_chain("proposalCount")
        now = int(self.world.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        found = {}
        for pid in range(1, int(count) + 1):
            ((subject, kind, _rights, executed, deadline, *_rest, yes, no, _target, _leaf),) = self.on_chain(
                "proposal", pid
            )
            if not executed and now <= deadline:
                found[pid] = (int(kind), subject.lower(), int(yes), int(no), int(deadline), bool(executed))
        return found

    def partner_status(self, index: int) -> int:
        ((_org, status, *_rest),) = self.on_chain("partner", self.world.chain.address(index))
        return int(status)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    workdir = tmp_path_factory.mktemp("cli-governance")
    with write_world(workdir) as world:
        relayer = write_keystore(workdir, devnet_key(RELAYER))
        port = free_port()
        settings = world.settings
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ORIGINALS_")},
            "ORIGINALS_ENVIRONMENT": "test",
            "ORIGINALS_DATABASE_URL": settings.database_url,
            "ORIGINALS_RPC_URL": settings.rpc_url,
            "ORIGINALS_DEPLOYMENTS_DIR": str(settings.deployments_dir),
            "ORIGINALS_API_PORT": str(port),
            "ORIGINALS_API_URL": f"http://127.0.0.1:{port}",
            "ORIGINALS_RATE_LIMIT": "off",
            "ORIGINALS_RELAYER_KEYSTORE": str(relayer),
            "ORIGINALS_RELAYER_PASSWORD": PASSWORD,
            "ORIGINALS_SIGNER_PASSWORD": PASSWORD,
        }
        log = workdir / "serve.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve"], cwd=workdir, env=env, stdout=log.open("ab"), stderr=log.open("ab")
        )
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        try:
            _wait_for_http(f"http://127.0.0.1:{port}", server, log)
            yield Cli(world, env, workdir, api)
        finally:
            api.close()
            _stop(server)


def _address(cli: Cli, index: int) -> str:
    return cli.world.chain.address(index)


def test_an_applicant_applies_with_its_own_keystore(cli: Cli) -> None:
    stdout = cli.ok("apply", "--name", "Lindner Mill", "--domain", "mill.example", "--type", "sme", signer=APPLICANT)
    applicant = _address(cli, APPLICANT)
    match = re.fullmatch(
        rf"application of {applicant} \(Lindner Mill\) {MINED}follow it: originals partner {applicant}\n", stdout
    )
    assert match is not None, stdout
    assert int(match.group(1)) == cli.world.head()
    assert cli.partner_status(APPLICANT) == PartnerStatus.APPLIED


def test_someone_outside_the_council_cannot_propose(cli: Cli) -> None:
    args = ("council", "propose", "admit", _address(cli, APPLICANT), "--rights", "issuer")
    cli.refused(*args, signer=OUTSIDER, error=f"PartnerRegistryNotCouncil(account={_address(cli, OUTSIDER)})")


def test_the_council_admits_the_applicant_and_anyone_executes_once_the_majority_is_reached(cli: Cli) -> None:
    applicant = _address(cli, APPLICANT)
    stdout = cli.ok("council", "propose", "admit", applicant, "--rights", "issuer", signer=0)
    assert re.fullmatch(rf"proposal 3 \(admit {applicant}\) {MINED}", stdout), stdout

    not_yet = "PartnerRegistryQuorumNotReached(proposalId=3, yesVotes=1, required=2)"
    cli.refused("council", "execute", "3", signer=OUTSIDER, error=not_yet)
    twice = f"PartnerRegistryAlreadyVoted(proposalId=3, voter={_address(cli, 0)})"
    cli.refused("council", "vote", "3", "yes", signer=0, error=twice)

    assert re.fullmatch(rf"vote yes on proposal 3 {MINED}", cli.ok("council", "vote", "3", "yes", signer=1))
    cli.world.index()
    listed = cli.ok("council", "proposals", "--open")
    row = r"^    3  ADMIT +open +yes 2 no 0 \(needs 2\)  until .* CES?T  Lindner Mill$"
    assert re.search(row, listed, re.M), listed
    assert listed.endswith(f"1 proposal(s), indexed to block {cli.world.head()}\n")
    as_json = json.loads(cli.ok("council", "proposals", "--open", "--json"))
    assert as_json == cli.api.get("/proposals", params={"status": "open"}).json()["data"]
    # ... and both list exactly the proposals the contract's views call open, with the contract's tallies.
    assert {
        p["proposal_id"]: (
            int(ProposalKind[p["kind"]]),
            p["subject"],
            p["yes_votes"],
            p["no_votes"],
            p["deadline"],
            p["executed"],
        )
        for p in as_json
    } == cli.open_proposals_on_chain()
    assert [p["proposal_id"] for p in as_json] == [3]

    assert re.fullmatch(rf"execute proposal 3 {MINED}", cli.ok("council", "execute", "3", signer=OUTSIDER))
    assert cli.partner_status(APPLICANT) == PartnerStatus.ACTIVE
    cli.world.index()
    assert "0 proposal(s)" in cli.ok("council", "proposals", "--open")
    assert re.search(r"^    3  ADMIT +passed ", cli.ok("council", "proposals"), re.M)

    # The applicant follows its admission: its standing, its application and the proposal about it.
    shown = cli.ok("partner", applicant).splitlines()
    assert shown[0] == f"{applicant}  Lindner Mill  ACTIVE  rights ISSUER"
    assert re.fullmatch(r"  applied in block \d+ as Lindner Mill \(SME, mill\.example\)", shown[1]), shown
    assert shown[2] == "  1 proposal(s) about it:"
    assert re.fullmatch(r"      3  ADMIT +passed +yes 2 no 0 .*Lindner Mill", shown[3]), shown
    assert shown[4] == f"indexed to block {cli.world.head()}"

    # In German: the same proposals and exit code; the words German, the --json output the same bytes in both.
    german = cli.run("--lang", "de", "council", "proposals")
    assert (german.returncode, german.stderr) == (0, "")
    assert german.stdout.splitlines()[-1] == f"3 Vorschlag/Vorschläge, indiziert bis Block {cli.world.head()}"
    assert re.search(r"^    3  ADMIT +passed +ja 2 nein 0 \(nötig \d+\)  bis \d\d\.\d\d\.\d{4}, ", german.stdout, re.M)
    as_json = {lang: cli.run("--lang", lang, "council", "proposals", "--json") for lang in ("en", "de")}
    assert as_json["de"].stdout == as_json["en"].stdout == cli.ok("council", "proposals", "--json")
    assert json.loads(as_json["de"].stdout)[0]["summary"].startswith("Admit ")  # the API's English, not German


def test_a_partner_leaves(cli: Cli) -> None:
    stdout = cli.ok("leave", signer=APPLICANT)
    assert re.fullmatch(rf"leave of {_address(cli, APPLICANT)} {MINED}", stdout), stdout
    assert cli.partner_status(APPLICANT) == PartnerStatus.LEFT


def test_a_vote_after_the_deadline_is_refused(cli: Cli) -> None:
    stdout = cli.ok("council", "propose", "suspend", _address(cli, 3), signer=1)
    assert stdout.startswith("proposal 4 (suspend ")
    deadline = cli.world.chain.deployment.voting_period + int(
        cli.world.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16
    )
    # A block at exactly one second past the deadline (evm_increaseTime counts from the wall clock, which can lag
    # behind the latest block's time).
    cli.world.rpc.call("evm_setNextBlockTimestamp", [deadline + 1])
    cli.world.rpc.call("evm_mine")
    cli.refused(
        "council",
        "vote",
        "4",
        "no",
        signer=0,
        error=f"PartnerRegistryProposalExpired(proposalId=4, deadline={deadline})",
    )


def test_on_a_devnet_a_well_known_account_signs_without_a_keystore(cli: Cli) -> None:
    stdout = cli.ok(
        "apply", "--name", "Harbour NGO", "--domain", "harbour.example", "--type", "NGO", "--devnet-account", "7"
    )
    follow = f"follow it: originals partner {_address(cli, 7)}\n"
    assert re.fullmatch(rf"application of {_address(cli, 7)} \(Harbour NGO\) {MINED}{follow}", stdout), stdout
    assert cli.partner_status(7) == PartnerStatus.APPLIED


def test_a_keystore_the_password_does_not_open_is_one_line_and_exit_1(cli: Cli) -> None:
    cli.env["ORIGINALS_SIGNER_PASSWORD"] = "wrong"
    try:
        done = cli.run("council", "vote", "4", "yes", signer=2)
    finally:
        cli.env["ORIGINALS_SIGNER_PASSWORD"] = PASSWORD
    keystore = cli.keystore(2)
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "",
        f"originals council: error: the keystore {keystore} cannot be opened with the configured password\n",
    )


def test_a_signing_command_without_a_keystore_says_what_it_needs(cli: Cli) -> None:
    done = cli.run("leave")
    assert (done.returncode, done.stderr) == (
        1,
        "originals leave: error: this command signs: give --keystore PATH (or set ORIGINALS_SIGNER_KEYSTORE)\n",
    )


def test_a_proposal_needs_its_options(cli: Cli) -> None:
    done = cli.run("council", "propose", "revoke-certificate", signer=0)
    assert (done.returncode, done.stderr) == (
        1,
        "originals council: error: revoke-certificate needs --certificate ID and --reason CODE\n",
    )


def test_a_council_member_proposes_new_details_and_a_certificate_decision_from_the_terminal(cli: Cli) -> None:
    """The decisions trust model v2 gave the council, from the terminal: a change of a partner's details, and the
    revocation of another issuer's certificate."""
    issuer = _address(cli, ACCOUNTS["issuer"])
    stdout = cli.ok(
        "council", "propose", "details", issuer, "--name", "Linen Mill of Saxony", "--domain", "linen.example",
        "--type", "SME", signer=0,
    )  # fmt: skip
    match = re.fullmatch(rf"proposal (\d+) \(details {issuer}\) {MINED}", stdout)
    assert match is not None, stdout
    details_id = int(match.group(1))

    root = "0x" + "5e" * 32
    cli.world.chain.cert_tx(ACCOUNTS["issuer"], "issue", bytes.fromhex(root[2:]), bytes.fromhex("5f" * 32), 0)
    certificate = certificate_id(issuer, root)
    stdout = cli.ok("council", "propose", "revoke-certificate", "--certificate", certificate, "--reason", "5", signer=0)
    match = re.fullmatch(rf"proposal (\d+) \(revoke-certificate certificate {certificate}\) {MINED}", stdout)
    assert match is not None, stdout
    decision_id = int(match.group(1))
    assert decision_id == details_id + 1

    cli.world.index()
    details = cli.api.get(f"/proposals/{details_id}").json()
    assert (details["kind"], details["subject"], details["proposer"]) == ("CHANGE_DETAILS", issuer, _address(cli, 0))
    assert details["proposed_details"] == {
        "display_name": "Linen Mill of Saxony",
        "org_type": "SME",
        "domain": "linen.example",
        "metadata_hash": "0x" + "00" * 32,
    }
    decision = cli.api.get(f"/proposals/{decision_id}").json()
    registry = cli.world.chain.certificates.address.lower()
    assert (decision["kind"], decision["subject"], decision["target"], decision["leaf"], decision["reason"]) == (
        "REVOKE_CERTIFICATE",
        registry,
        certificate,
        None,  # the whole certificate
        5,
    )
