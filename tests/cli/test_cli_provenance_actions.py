"""The owner's and holder's commands (``transfer``, ``accept``, ``reject``, ``cancel``, ``claim``, ``event``,
``report-stolen``, ``clear``) without a world: a fake API prepares the typed data as the server does and records what
is posted. Each command must sign the action named by the route with the signer's key, for the original of the
route, and print one line; bad input is one line (or argparse's usage error) and sends nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from cli import _signing, main, provenance_actions
from ledger.cbv import code_of
from ledger.chain.devkeys import devnet_key
from ledger.signing.actions import ACTIONS, recover, typed_data
from ledger.signing.provenance import claim_typed_data

ART = "0x" + "ab" * 32
BUYER = "0x" + "b0" * 20
REGISTRY = "0x" + "77" * 20
CHAIN = 31337
DEADLINE = 2_000_000_000
OWNER = 5
TX = "0x" + "cd" * 32


class FakeApi:
    """Answers ``/actions/prepare`` as the server does (nonce 0, a fixed deadline) and records every other post."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, dict[str, Any]]] = []

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if path == "/actions/prepare":
            name = body["action"]
            fields = {k: v for k, v in body.items() if k not in ("action", "signer")}
            message = {ACTIONS[name].signer_field: body["signer"], **fields, "nonce": 0, "deadline": DEADLINE}
            return {"action": name, "signer": body["signer"], "typed_data": typed_data(name, message, CHAIN, REGISTRY)}
        self.posted.append((path, body))
        signer = next(iter(body["typed_data"]["message"].values()))
        return {"action": body["typed_data"]["primaryType"], "signer": signer, "tx_hash": TX, "block_number": 42}

    def close(self) -> None:
        pass


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeApi:
    for name in ("ORIGINALS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    fake = FakeApi()
    monkeypatch.setattr(_signing, "api_client", lambda args, need_key=False: fake)
    monkeypatch.setattr(provenance_actions, "api_client", lambda args, need_key=False: fake)
    return fake


def _owner() -> str:
    return str(Account.from_key(devnet_key(OWNER)).address).lower()


def _posted(api: FakeApi) -> tuple[str, str, dict[str, Any]]:
    """The one post: its path, the signature's signer and the signed message."""
    ((path, body),) = api.posted
    return path, recover(body["typed_data"], body["signature"]), body["typed_data"]["message"]


def test_transfer_signs_a_handover_of_the_title_for_the_route_of_the_original(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["transfer", ART, "--title", "--to", BUYER, "--deadline", "1900000000", "--devnet-account", "5"])
    assert code == 0
    path, signer, message = _posted(api)
    assert (path, signer) == (f"/originals/{ART}/offers", _owner())
    assert message == {
        "party": _owner(),
        "original": ART,
        "right": 0,
        "to": BUYER,
        "offerDeadline": 1_900_000_000,
        "nonce": 0,
        "deadline": DEADLINE,
    }
    assert capsys.readouterr().out == (
        f"title of {ART} offered to {BUYER} until 1900000000 mined in block 42, tx {TX}\n"
    )


def test_transfer_with_claim_offers_custody_to_a_one_time_keys_address(api: FakeApi) -> None:
    assert main(["transfer", ART, "--custody", "--claim", "--to", BUYER, "--devnet-account", "5"]) == 0
    path, _signer, message = _posted(api)
    assert path == f"/originals/{ART}/offers"
    assert (message["right"], message["key"]) == (1, BUYER)


@pytest.mark.parametrize(
    ("argv", "route", "expected"),
    [
        (["accept", ART, "--custody"], "accept", {"recipient": "SIGNER", "original": ART, "right": 1}),
        (
            ["reject", ART, "--title", "--remark", "too dear"],
            "reject",
            {
                "recipient": "SIGNER",
                "original": ART,
                "right": 0,
                "remarkHash": "0x" + hashlib.sha256(b"too dear").hexdigest(),
            },
        ),
        (["cancel", ART, "--title"], "cancel", {"party": "SIGNER", "original": ART, "right": 0}),
        (
            ["event", ART, "--step", "inspecting", "--evidence", "0x" + "11" * 32, "--at", "1700000000"],
            "events",
            {"holder": "SIGNER", "original": ART, "bizStep": code_of("inspecting"), "evidenceHash": "0x" + "11" * 32},
        ),
        (
            ["report-stolen", ART, "--evidence", "0x" + "22" * 32],
            "incidents",
            {"reporter": "SIGNER", "original": ART, "disposition": 2, "evidenceHash": "0x" + "22" * 32},
        ),
        (
            ["report-stolen", ART, "--lost", "--evidence", "0x" + "22" * 32],
            "incidents",
            {"reporter": "SIGNER", "original": ART, "disposition": 1, "evidenceHash": "0x" + "22" * 32},
        ),
        (
            ["clear", ART, "--evidence", "0x" + "33" * 32],
            "clear",
            {"owner": "SIGNER", "original": ART, "evidenceHash": "0x" + "33" * 32},
        ),
    ],
)
def test_each_command_signs_its_action_for_the_original_of_its_route(
    api: FakeApi, argv: list[str], route: str, expected: dict[str, Any]
) -> None:
    assert main([*argv, "--devnet-account", "5"]) == 0
    path, signer, message = _posted(api)
    assert (path, signer) == (f"/originals/{ART}/{route}", _owner())
    wanted = {k: _owner() if v == "SIGNER" else v for k, v in expected.items()}
    assert {k: message[k] for k in wanted} == wanted
    assert (message["nonce"], message["deadline"]) == (0, DEADLINE)


def test_event_evidence_from_a_file_is_its_sha256(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(b"condition report")
    assert main(["event", ART, "--step", "repairing", "--evidence", str(report), "--devnet-account", "5"]) == 0
    _path, _signer, message = _posted(api)
    assert message["evidenceHash"] == "0x" + hashlib.sha256(b"condition report").hexdigest()
    assert message["bizStep"] == code_of("repairing")
    assert capsys.readouterr().out.startswith(f"event repairing of {ART} recorded by {_owner()} mined in block 42")


def test_claim_signs_a_claim_with_the_one_time_key_for_the_claimant(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "0x" + "5e" * 32
    key_file = tmp_path / "key.txt"
    key_file.write_text(key + "\n", encoding="utf-8")
    assert main(["claim", ART, "--key-file", str(key_file), "--claimant", BUYER]) == 0
    ((path, body),) = api.posted
    expected = claim_typed_data(bytes.fromhex(ART[2:]), 0, BUYER, DEADLINE, CHAIN, REGISTRY)
    expected["message"]["original"] = ART
    assert (path, body["typed_data"]) == (f"/originals/{ART}/claim", expected)
    key_address = str(Account.from_key(key).address).lower()
    assert recover(body["typed_data"], body["signature"]) == key_address
    assert capsys.readouterr().out == (
        f"title of {ART} claimed for {BUYER} with the key {key_address} mined in block 42, tx {TX}\n"
    )


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["claim", ART, "--key", "0x1234", "--claimant", BUYER], "the one-time key is not 32 bytes of hex"),
        (["claim", ART, "--key-file", "missing.txt", "--claimant", BUYER], "no such file: missing.txt"),
    ],
)
def test_a_bad_one_time_key_is_one_line_and_nothing_is_sent(
    api: FakeApi, argv: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("originals claim: error: " + error)
    assert err.count("\n") == 1
    assert api.posted == []


@pytest.mark.parametrize(
    "argv",
    [
        ["transfer", "0x1234", "--title", "--to", BUYER],  # not an original id
        ["transfer", ART, "--to", BUYER],  # neither --title nor --custody
        ["transfer", ART, "--title", "--custody", "--to", BUYER],
        ["transfer", ART, "--title", "--to", "0xnot-an-address"],
        ["event", ART, "--step", "juggling", "--evidence", "0x" + "11" * 32],  # no such business step
        ["event", ART, "--evidence", "0x" + "11" * 32],  # no step
        ["report-stolen", ART],  # no evidence
    ],
)
def test_bad_arguments_are_a_usage_error_and_nothing_is_sent(api: FakeApi, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--devnet-account", "5"])
    assert exit_.value.code == 2
    assert api.posted == []
