"""The CREATE address prediction the deploy script relies on to bind the two registries to each other."""

from __future__ import annotations

import pytest
import rlp
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from hypothesis import given
from hypothesis import strategies as st

from ledger.chain.addresses import create_address

SENDER = "0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0"


@pytest.mark.parametrize(
    ("nonce", "expected"),
    [
        (0, "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d"),
        (1, "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8"),
        (2, "0xf778b86fa74e846c4f0a1fbd1335fe81c00a0c91"),
        (3, "0xfffd933a0bc612844eaf0c6fe3e5b8e9b6c1d19c"),
    ],
)
def test_create_address_matches_the_published_examples(nonce: int, expected: str) -> None:
    """The worked examples for this sender that circulate with the yellow paper's formula."""
    assert create_address(SENDER, nonce) == to_checksum_address(expected)


@given(sender=st.binary(min_size=20, max_size=20), nonce=st.integers(min_value=0, max_value=2**64 - 1))
def test_create_address_equals_keccak_of_the_rlp_of_sender_and_nonce(sender: bytes, nonce: int) -> None:
    """Every nonce size (0, one byte below 0x80, long integers), against the rlp package's encoding."""
    expected = to_checksum_address(keccak(rlp.encode([sender, nonce]))[12:])
    assert create_address("0x" + sender.hex(), nonce) == expected


@pytest.mark.parametrize(("sender", "nonce"), [("0x1234", 0), (SENDER, -1), ("0x" + "zz" * 20, 0)])
def test_create_address_refuses_what_is_not_an_address_and_a_nonce(sender: str, nonce: int) -> None:
    with pytest.raises(ValueError):
        create_address(sender, nonce)
