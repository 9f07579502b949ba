"""End to end: an original's owner and holder with the real ``originals`` command against ``originals serve``
(issue 16).

A write world (its issuer, account 3, registers an artwork for an owner, 5); every step is an ``originals`` command as
a person types it, signing with their own encrypted keystore, relayed by the API's relayer (9): the owner sells, the
buyer (6) accepts, records an inspection, reports a theft, while a thief (8) cannot move it, declares it recovered,
and offers it to a one-time key with which the first owner claims it back without a keystore. The chain is read
after each step; a refusal is one line with the contract's error and sends nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from eth_account import Account
from eth_hash.auto import keccak
from support.governance import APPLICANT, OUTSIDER, STRANGER
from support.write_world import ACCOUNTS
from test_cli_governance import MINED, Cli, cli  # noqa: F401 - the fixture, with the world and the server

OWNER, BUYER, THIEF = APPLICANT, STRANGER, OUTSIDER
ZERO_ADDRESS = "0x" + "00" * 20
ONE_TIME_KEY = "0x" + keccak(b"the one-time key of the e2e artwork").hex()


def _state(world: Cli, original: str) -> tuple[str, str, int]:
    """(owner, holder, disposition) from the contract."""
    (record,) = world.world.chain.provenance.view(world.world.rpc, "originalOf", bytes.fromhex(original[2:]))
    return (str(record[0]).lower(), str(record[1]).lower(), int(record[3]))


def test_an_owner_sells_the_buyer_records_reports_recovers_and_a_one_time_key_claims_it_back(
    cli: Cli,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    chain = cli.world.chain
    owner, buyer = chain.address(OWNER), chain.address(BUYER)
    identifier = keccak(b"e2e artwork")
    chain.prov_tx(ACCOUNTS["issuer"], "enrolOriginal", identifier, owner, ZERO_ADDRESS, False)
    (art,) = chain.provenance.view(cli.world.rpc, "originalId", chain.address(ACCOUNTS["issuer"]), identifier)
    art = str(art).lower()

    sold = cli.ok("transfer", art, "--title", "--to", buyer, "--deadline", "4000000000", signer=OWNER)
    assert re.fullmatch(rf"title of {art} offered to {buyer} until 4000000000 {MINED}", sold), sold
    accepted = cli.ok("accept", art, "--title", signer=BUYER)
    assert re.fullmatch(rf"title of {art} accepted by {buyer} {MINED}", accepted), accepted
    assert _state(cli, art) == (buyer, buyer, 0)

    report = tmp_path / "condition.txt"
    report.write_text("no damage", encoding="utf-8")
    recorded = cli.ok("event", art, "--step", "inspecting", "--evidence", str(report), signer=BUYER)
    assert re.fullmatch(rf"event inspecting of {art} recorded by {buyer} {MINED}", recorded), recorded

    police = "0x" + keccak(b"police report").hex()
    stolen = cli.ok("report-stolen", art, "--evidence", police, signer=BUYER)
    assert re.fullmatch(rf"{art} reported stolen {MINED}", stolen), stolen
    assert _state(cli, art) == (buyer, buyer, 2)
    cli.refused(
        "transfer",
        art,
        "--title",
        "--to",
        chain.address(THIEF),
        signer=BUYER,
        error=f"ProvenanceRegistryBlocked(original={art}, disposition=2)",
    )
    cli.refused(
        "clear",
        art,
        "--evidence",
        police,
        signer=THIEF,
        error=(
            f"ProvenanceRegistryInvalidDisposition(original={art}, account={chain.address(THIEF)}, current=2, "
            "requested=0)"
        ),
    )
    recovered = cli.ok("clear", art, "--evidence", police, signer=BUYER)
    assert re.fullmatch(rf"{art} declared recovered {MINED}", recovered), recovered
    assert _state(cli, art)[2] == 0

    key_address = str(Account.from_key(ONE_TIME_KEY).address).lower()
    cli.ok("transfer", art, "--title", "--claim", "--to", key_address, signer=BUYER)
    key_file = tmp_path / "key.txt"
    key_file.write_text(ONE_TIME_KEY + "\n", encoding="utf-8")
    claimed = cli.ok("claim", art, "--key-file", str(key_file), "--claimant", owner)
    assert re.fullmatch(rf"title of {art} claimed for {owner} with the key {key_address} {MINED}", claimed), claimed
    assert _state(cli, art) == (owner, owner, 0)
