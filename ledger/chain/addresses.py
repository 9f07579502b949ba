"""The address a plain CREATE gives a contract, so two contracts that name each other can be deployed in turn.

The certificate registry names its partner registry in its constructor, and the partner registry's constructor
refuses a standing mirror that does not name it back (``PartnerRegistryMirrorMismatch``). So the certificate
registry is deployed first, with the address the partner registry *will* get: the deployer's next-but-one CREATE,
``keccak256(rlp([sender, nonce]))[12:]`` (Ethereum yellow paper, section 7). A wrong prediction cannot bind anything
silently: the partner registry's deployment reverts.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from ledger.deployments import checksum_address


def _rlp_nonce(nonce: int) -> bytes:
    """RLP of an unsigned integer: 0 is the empty string, below 128 one byte, otherwise a short string."""
    if nonce < 0:
        raise ValueError(f"a nonce is not negative, got {nonce}")
    if nonce == 0:
        return b"\x80"
    raw = nonce.to_bytes((nonce.bit_length() + 7) // 8, "big")
    return raw if nonce < 0x80 else bytes([0x80 + len(raw)]) + raw


def create_address(sender: str, nonce: int) -> str:
    """The checksummed address of the contract that ``sender`` creates with its transaction number ``nonce``."""
    sender_bytes = bytes.fromhex(sender.removeprefix("0x"))
    if len(sender_bytes) != 20:
        raise ValueError(f"a sender is a 20-byte address, got {sender!r}")
    payload = b"\x94" + sender_bytes + _rlp_nonce(nonce)
    return checksum_address("0x" + keccak(bytes([0xC0 + len(payload)]) + payload)[12:].hex())
