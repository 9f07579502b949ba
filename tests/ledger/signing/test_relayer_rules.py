"""The relayer's rules that need no chain: token buckets, the rate limiter, message checks, which keys may relay."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import SecretStr
from support.write_world import PASSWORD, write_keystore

from devtools.devnet import devnet_key
from ledger.config import Settings
from ledger.deployments import ContractDeployment, Deployment, NetworkKind
from ledger.issuance.keys import DevnetKeyRefused
from ledger.signing.actions import ACTIONS, SignedActionError
from ledger.signing.relayer import RateLimited, RateLimiter, TokenBucket, message_of, open_relayer

ALICE, BOB = "0x" + "a1" * 20, "0x" + "b0" * 20


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_gives_its_capacity_at_once_then_refills_evenly_over_its_period() -> None:
    clock = Clock()
    bucket = TokenBucket.parse("3/minute", clock)
    assert bucket is not None
    for _ in range(3):
        assert bucket.wait(ALICE) == 0
        bucket.take(ALICE)
    assert bucket.wait(ALICE) == pytest.approx(20.0)
    assert bucket.wait(BOB) == 0
    clock.now += 20
    assert bucket.wait(ALICE) == 0


def test_off_is_no_bucket() -> None:
    assert TokenBucket.parse("off") is None


def test_a_refusal_by_either_bucket_takes_a_token_from_neither() -> None:
    clock = Clock()
    limiter = RateLimiter(TokenBucket(1, 60, clock), TokenBucket(2, 60, clock))
    limiter.take(ALICE)
    with pytest.raises(RateLimited, match=f"too many signed actions by {ALICE}; try again in 60 s") as refused:
        limiter.take(ALICE)
    assert refused.value.retry_after == pytest.approx(60.0)
    limiter.take(BOB)  # the overall bucket still had Bob's token: Alice's refusal took none
    with pytest.raises(RateLimited, match="the relayer is busy; try again in 30 s"):
        limiter.take("0x" + "c0" * 20)


def test_a_message_is_checked_against_the_actions_types_and_normalised() -> None:
    message = message_of(
        "Vote", {"voter": "0x" + "AB" * 20, "proposalId": "7", "support": True, "nonce": 0, "deadline": 5}
    )
    assert message == {"voter": "0x" + "ab" * 20, "proposalId": 7, "support": True, "nonce": 0, "deadline": 5}


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ({"voter": ALICE, "proposalId": 1, "support": True, "nonce": 0}, "Vote: missing field(s) deadline"),
        (
            {"voter": ALICE, "proposalId": 1, "support": True, "nonce": 0, "deadline": 1, "x": 1},
            "Vote: unexpected field(s) x",
        ),
        ({"voter": "0x12", "proposalId": 1, "support": True, "nonce": 0, "deadline": 1}, "voter: not an address"),
        ({"voter": ALICE, "proposalId": -1, "support": True, "nonce": 0, "deadline": 1}, "proposalId: out of range"),
        ({"voter": ALICE, "proposalId": 1, "support": 1, "nonce": 0, "deadline": 1}, "support: not true or false"),
        ({"voter": ALICE, "proposalId": 1, "support": True, "nonce": 0, "deadline": 2**48}, "deadline: out of range"),
    ],
)
def test_a_message_that_does_not_fit_its_action_is_refused(message: dict[str, object], error: str) -> None:
    with pytest.raises(SignedActionError, match=re.escape(error)):
        message_of("Vote", message)


@pytest.mark.parametrize(
    ("name", "field", "value", "error"),
    [
        ("TakeOver", "right", 2, "right: out of range (0 to 1)"),
        ("LogIncident", "disposition", 5, "disposition: out of range (0 to 4)"),
    ],
)
def test_a_provenance_enum_out_of_range_is_refused_before_the_contract_would_revert_without_a_reason(
    name: str, field: str, value: int, error: str
) -> None:
    fields = {"original": "0x" + "ab" * 32, "right": 0, "disposition": 2, "evidenceHash": "0x" + "00" * 32}
    act = ACTIONS[name]
    message = {act.signer_field: ALICE, **{f: fields[f] for f, _kind in act.fields}, "nonce": 0, "deadline": 1}
    assert message_of(name, message)[field] == fields[field]  # in range: accepted
    with pytest.raises(SignedActionError, match=re.escape(error)):
        message_of(name, {**message, field: value})


def _deployment(kind: NetworkKind) -> Deployment:
    entry = ContractDeployment("0x" + "5a" * 20, 1, "0x" + "00" * 32, "0x" + "00" * 32, "0" * 64)
    return Deployment(
        chain_id=31337,
        network="somewhere",
        network_kind=kind,
        deployer="0x" + "00" * 20,
        voting_period=3600,
        contracts={"PartnerRegistry": entry, "CertificateRegistry": entry},
        founders=(),
    )


def test_a_devnet_key_may_relay_only_where_allowed(tmp_path: Path) -> None:
    keystore = write_keystore(tmp_path, devnet_key(9))
    settings = Settings(
        environment="test", relayer_keystore=keystore, relayer_password=SecretStr(PASSWORD), rate_limit="off"
    )
    with pytest.raises(DevnetKeyRefused, match="is a well-known devnet key; refused outside a devnet"):
        open_relayer(settings, None, _deployment(NetworkKind.LIVE), allow_devnet_key=False)  # type: ignore[arg-type]
    assert open_relayer(Settings(environment="test"), None, _deployment(NetworkKind.LIVE), False) is None  # type: ignore[arg-type]


def test_applications_share_their_own_budget_which_other_actions_do_not_use() -> None:
    """A stranger with many fresh keys (one application each) spends the applications' budget, not the relayer's
    whole balance: the per-signer limit cannot stop it, this bucket does; members' other actions go on."""
    clock = Clock()
    limiter = RateLimiter(TokenBucket(10, 60, clock), TokenBucket(100, 60, clock), TokenBucket(2, 3600, clock))
    limiter.take(ALICE, "Apply")
    limiter.take(BOB, "Apply")
    stranger = "0x" + "c0" * 20
    with pytest.raises(RateLimited, match="too many applications to the consortium lately; try again in 1800 s"):
        limiter.take(stranger, "Apply")
    limiter.take(stranger, "Vote")  # not an application: the other buckets still had its tokens
    limiter.take(ALICE, "Execute")
    clock.now += 1800
    limiter.take(stranger, "Apply")
