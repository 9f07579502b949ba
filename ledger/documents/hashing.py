"""keccak256 for the hot paths (Merkle trees, document field hashes).

safe-pysha3's C keccak costs ~1-2 µs a hash against ~12 µs through eth-hash's pycryptodome backend (which
eth-hash's ``auto`` picks first), and wrapping a document takes ~17 hashes (14 fields, its digest, its leaf, its share
of the tree). Same function, same bytes: the golden vectors pin it. ``keccak_256(data).digest()`` is the same hash
without the wrapper's Python call, and :func:`keccak_all` hashes a whole list with no Python call per item (``map``
over the constructor and the digest method, both C), for the loops that hash a batch at once. Falls back to eth-hash
where safe-pysha3 is not installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["keccak", "keccak_256", "keccak_all"]

keccak: Callable[[bytes], bytes]

try:
    from sha3 import keccak_256  # type: ignore[import-untyped]

    def keccak(data: bytes) -> bytes:
        digest: bytes = keccak_256(data).digest()
        return digest

    def keccak_all(datas: Iterable[bytes]) -> list[bytes]:
        """``[keccak(data) for data in datas]``, without a Python-level call per item."""
        return list(map(keccak_256.digest, map(keccak_256, datas)))

except ImportError:  # pragma: no cover - safe-pysha3 is a pinned dependency
    from eth_hash.auto import keccak as _eth_hash_keccak

    keccak = _eth_hash_keccak

    class keccak_256:  # type: ignore[no-redef]
        """``keccak_256(data).digest()`` over eth-hash, for the loops that call the constructor directly."""

        def __init__(self, data: bytes) -> None:
            self._digest = _eth_hash_keccak(data)

        def digest(self) -> bytes:
            return self._digest

    def keccak_all(datas: Iterable[bytes]) -> list[bytes]:
        """``[keccak(data) for data in datas]``."""
        return list(map(_eth_hash_keccak, datas))
