"""The Merkle tree of a batch, built for speed: the same nodes and proofs as :func:`~ledger.documents.spec.merkle_nodes`
and :func:`~ledger.documents.spec.merkle_proof` (OpenZeppelin's ``SimpleMerkleTree`` layout), which say what they are.

:class:`MerkleTree` hashes a level at a time with one C-level call, finds a leaf's position in a dict, and writes every
proof of a batch from the root down (:meth:`MerkleTree.node_proofs`), each node converted to hex once: what issuing
10,000 documents needs. ``tests/ledger/documents/test_merkle.py`` proves it equal to the definition. Pure functions
only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, pairwise
from typing import TypeVar

from ledger.documents.hashing import keccak_all
from ledger.documents.spec import HASH_SIZE, MerkleError
from ledger.i18n import gettext as _

T = TypeVar("T")


def _hash_pairs(lefts: Sequence[bytes], rights: Sequence[bytes]) -> list[bytes]:
    """``[hash_pair(a, b) for a, b in zip(lefts, rights)]`` with no Python-level call per pair: the sorted pair is
    ``min(a, b) + max(a, b)``, which is ``a + b`` when ``a <= b`` and ``b + a`` otherwise (equal nodes give the same
    bytes either way)."""
    return keccak_all(map(bytes.__add__, map(min, lefts, rights), map(max, lefts, rights)))


def _all_hashes(leaves: Sequence[bytes]) -> bool:
    """Whether every leaf is already a 32-byte ``bytes`` (what :func:`_check_leaf` passes unchanged), checked with
    two C-level passes instead of a Python call per leaf."""
    return set(map(type, leaves)) == {bytes} and set(map(len, leaves)) == {HASH_SIZE}


def _check_leaf(leaf: bytes) -> bytes:
    if not isinstance(leaf, bytes | bytearray) or len(leaf) != HASH_SIZE:
        raise MerkleError(_("a leaf must be {hash_size} bytes, got {leaf!r:.80}", hash_size=HASH_SIZE, leaf=leaf))
    return bytes(leaf)


@dataclass(frozen=True)
class MerkleTree:
    """A complete tree over distinct 32-byte leaves (each made by :func:`~ledger.documents.spec.leaf_hash`). Build
    with :meth:`of`."""

    nodes: tuple[bytes, ...]
    _positions: dict[bytes, int] = field(repr=False, compare=False)

    @classmethod
    def of(cls, leaves: Sequence[bytes]) -> MerkleTree:
        """Build the tree over ``leaves`` (any order; they are sorted).

        Raises:
            MerkleError: no leaves, a leaf that is not 32 bytes, or a repeated leaf.
        """
        items = list(leaves)
        checked = sorted(items) if _all_hashes(items) else sorted(map(_check_leaf, items))
        if not checked:
            raise MerkleError(_("a Merkle tree needs at least one leaf"))
        count = len(checked)
        size = 2 * count - 1
        # Leaf checked[i] sits at size - 1 - i (the leaves fill the array's end in reverse order).
        positions = dict(zip(checked, range(size - 1, count - 2, -1), strict=True))
        if len(positions) != count:
            for previous, current in pairwise(checked):
                if previous == current:
                    raise MerkleError(
                        _(
                            "repeated leaf 0x{current}: every document in a batch must be distinct",
                            current=current.hex(),
                        )
                    )
        nodes: list[bytes] = [b""] * (count - 1) + checked[::-1]
        # Level by level from the leaves up, each level hashed in one call: the nodes start..end-1 have their children
        # at 2 * start + 1 .. 2 * end, all at or past ``end`` (already computed) when start = end // 2.
        end = count - 1
        while end > 0:
            start = end // 2
            nodes[start:end] = _hash_pairs(nodes[2 * start + 1 : 2 * end : 2], nodes[2 * start + 2 : 2 * end + 1 : 2])
            end = start
        return cls(tuple(nodes), positions)

    @property
    def root(self) -> bytes:
        return self.nodes[0]

    @property
    def leaves(self) -> tuple[bytes, ...]:
        """The leaves in tree order (sorted)."""
        return tuple(sorted(self._positions))

    def __len__(self) -> int:
        return len(self._positions)

    def __contains__(self, leaf: object) -> bool:
        return leaf in self._positions

    def proof(self, leaf: bytes) -> list[bytes]:
        """The sibling hashes from ``leaf`` up to the root (empty for a tree of one).

        Raises:
            MerkleError: ``leaf`` is not in the tree.
        """
        return [self.nodes[i] for i in self.proof_indices(leaf)]

    def proofs_by_leaf(self, labels: Sequence[T]) -> dict[bytes, list[T]]:
        """Every leaf's proof at once, written with ``labels[i]`` for ``nodes[i]`` (e.g. its 0x hex, converted once
        per node, not once per proof it appears in): the same lists as :meth:`proof` gives one leaf at a time, each a
        new list (see :meth:`node_proofs`).

        Raises:
            ValueError: ``labels`` is not one per node.
        """
        proofs = self.node_proofs(labels)
        return {leaf: proofs[i] for leaf, i in self._positions.items()}

    def node_proofs(self, labels: Sequence[T]) -> list[list[T]]:
        """The proof of every node, by its index in :attr:`nodes` (the root's is empty), written with ``labels[i]``
        for ``nodes[i]``; each a new list. A leaf's is what :meth:`proof` gives for it.

        A node's proof is its sibling followed by its parent's proof, so the proofs are written from the root down,
        one depth at a time, each depth with C-level ``map`` calls rather than Python code per node: the nodes of a
        depth are ``start .. 2 * start`` (``start = 2**depth - 1``, the last depth cut at the tree's end), always an
        even number of them (a tree has ``2n - 1`` nodes), in sibling pairs ``(start, start + 1), ...`` that share
        the parent ``(i - 1) // 2``.

        Raises:
            ValueError: ``labels`` is not one per node.
        """
        size = len(self.nodes)
        if len(labels) != size:
            raise ValueError(f"{len(labels)} labels for {size} nodes")
        proofs: list[list[T]] = [[]]
        start = 1
        while start < size:
            end = min(2 * start + 1, size)
            depth = labels[start:end]
            siblings = chain.from_iterable(zip(depth[1::2], depth[::2], strict=True))
            parents = proofs[(start - 1) // 2 : (end - 1) // 2]
            # [sibling] + the parent's proof, as list(1-tuple) + list.
            proofs.extend(
                map(list.__add__, map(list, zip(siblings)), chain.from_iterable(zip(parents, parents, strict=True)))
            )
            start = end
        return proofs

    def positions(self, leaves: Iterable[bytes]) -> list[int]:
        """The index in :attr:`nodes` of each of ``leaves``.

        Raises:
            MerkleError: a leaf is not in the tree.
        """
        try:
            return list(map(self._positions.__getitem__, leaves))
        except KeyError as exc:
            raise MerkleError(_("0x{leaf} is not a leaf of this tree", leaf=bytes(exc.args[0]).hex())) from None

    def proof_indices(self, leaf: bytes) -> list[int]:
        """The positions in :attr:`nodes` of ``leaf``'s proof (so a caller can convert each node once, not once per
        proof it appears in).

        Raises:
            MerkleError: ``leaf`` is not in the tree.
        """
        try:
            index = self._positions[bytes(leaf)]
        except KeyError:
            raise MerkleError(_("0x{leaf} is not a leaf of this tree", leaf=bytes(leaf).hex())) from None
        indices = []
        while index > 0:
            indices.append(index + 1 if index % 2 == 1 else index - 1)
            index = (index - 1) // 2
        return indices
