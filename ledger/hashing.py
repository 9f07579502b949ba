"""keccak256 for the hot paths (Merkle trees, document field hashes).

safe-pysha3's C keccak costs ~2 µs a hash against ~12 µs through eth-hash's pycryptodome backend (which eth-hash's
``auto`` picks first), and wrapping a document takes ~16 hashes. Same function, same bytes: the golden vectors pin
it. Falls back to eth-hash where safe-pysha3 is not installed.
"""

from __future__ import annotations

from collections.abc import Callable

keccak: Callable[[bytes], bytes]

try:
    from sha3 import keccak_256  # type: ignore[import-untyped]

    def keccak(data: bytes) -> bytes:
        digest: bytes = keccak_256(data).digest()
        return digest

except ImportError:  # pragma: no cover - safe-pysha3 is a pinned dependency
    from eth_hash.auto import keccak as _eth_hash_keccak

    keccak = _eth_hash_keccak
