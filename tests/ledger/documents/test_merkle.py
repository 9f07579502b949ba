"""The Merkle tree matches OpenZeppelin's SimpleMerkleTree layout and verifies like MerkleProof; the fast tree
(``ledger.documents.merkle``) has the nodes and proofs of the definition (``ledger.documents.spec``)."""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.documents import MerkleError, MerkleTree, hash_pair, leaf_hash, process_proof, spec, verify_proof

OZ_ROOT_0_TO_4 = "0x8a01c0343cfdb8be8745fce4ae582e6a2024b56c854b4c619bb7f4cf0c4fde8c"


def leaf(i: int) -> bytes:
    return keccak(i.to_bytes(32, "big"))


def test_hash_pair_is_commutative_keccak_of_sorted_pair():
    a, b = b"\x01" * 32, b"\x02" * 32
    assert hash_pair(a, b) == hash_pair(b, a) == keccak(a + b)


def test_leaf_hash_is_keccak_of_a_32_byte_digest():
    digest = leaf(7)
    assert leaf_hash(digest) == keccak(digest)
    assert leaf_hash(digest) != digest


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_leaf_hash_refuses_a_digest_that_is_not_32_bytes(size: int):
    """A 64-byte input would be an internal node's preimage: exactly the confusion the leaf hash exists to prevent."""
    with pytest.raises(MerkleError, match=f"^a leaf digest must be 32 bytes, got {size}$"):
        leaf_hash(b"\x01" * size)


def test_a_leaf_hash_never_equals_the_node_of_its_digests_halves():
    a, b = leaf(1), leaf(2)
    node = hash_pair(a, b)
    assert leaf_hash(keccak(min(a, b) + max(a, b))) == keccak(node) != node


def test_tree_of_one_has_the_leaf_as_root_and_an_empty_proof():
    tree = MerkleTree.of([leaf(1)])
    assert tree.root == leaf(1)
    assert tree.proof(leaf(1)) == []


def test_tree_of_two_hashes_the_sorted_pair():
    tree = MerkleTree.of([leaf(1), leaf(2)])
    assert tree.root == hash_pair(leaf(1), leaf(2))
    assert tree.proof(leaf(1)) == [leaf(2)]
    assert tree.proof(leaf(2)) == [leaf(1)]


def test_tree_of_three_follows_the_simple_merkle_tree_layout():
    # Sorted leaves s0 < s1 < s2 are placed from the end: nodes = [root, h(s1, s0), s2, s1, s0].
    s0, s1, s2 = sorted([leaf(1), leaf(2), leaf(3)])
    inner = hash_pair(s0, s1)
    tree = MerkleTree.of([leaf(3), leaf(1), leaf(2)])
    assert tree.nodes == (hash_pair(inner, s2), inner, s2, s1, s0)
    assert tree.proof(s0) == [s1, s2]
    assert tree.proof(s2) == [inner]


def test_root_matches_openzeppelin_simple_merkle_tree():
    # Golden value from @openzeppelin/merkle-tree 1.0.8: SimpleMerkleTree.of(leaves).root for keccak(uint256(i)),
    # i = 0..4 (computed once with the npm library; it is not a project dependency).
    tree = MerkleTree.of([leaf(i) for i in range(5)])
    assert "0x" + tree.root.hex() == OZ_ROOT_0_TO_4


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 1024, 1025])
def test_every_leaf_proves_into_the_root(size):
    leaves = [leaf(i) for i in range(size)]
    tree = MerkleTree.of(leaves)
    for one in leaves:
        assert verify_proof(tree.root, one, tree.proof(one))


def test_a_proof_from_another_tree_does_not_verify():
    first = MerkleTree.of([leaf(i) for i in range(4)])
    second = MerkleTree.of([leaf(i) for i in range(4, 8)])
    assert not verify_proof(first.root, leaf(4), second.proof(leaf(4)))


@pytest.mark.parametrize(
    ("leaves", "message"),
    [
        ([], "at least one leaf"),
        ([b"\x01" * 31], "must be 32 bytes"),
        ([b"\x01" * 32, b"\x01" * 32], "repeated leaf"),
    ],
)
def test_bad_leaves_are_refused_with_a_clear_error(leaves, message):
    with pytest.raises(MerkleError, match=message):
        MerkleTree.of(leaves)


def test_proof_of_a_missing_leaf_is_refused():
    with pytest.raises(MerkleError, match="is not a leaf"):
        MerkleTree.of([leaf(1)]).proof(leaf(2))


@given(st.sets(st.binary(min_size=32, max_size=32), min_size=1, max_size=64))
def test_any_set_of_leaves_gives_proofs_that_reach_the_root(leaves):
    tree = MerkleTree.of(list(leaves))
    assert len(tree) == len(leaves)
    for one in leaves:
        assert process_proof(one, tree.proof(one)) == tree.root


@pytest.mark.parametrize("count", [*range(1, 18), 31, 32, 33, 100])
def test_level_by_level_hashing_gives_the_nodes_of_the_spec(count):
    leaves = [leaf(i) for i in range(count)]
    assert MerkleTree.of(leaves).nodes == tuple(spec.merkle_nodes(leaves))


@settings(max_examples=200)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=80, unique=True))
def test_the_fast_tree_has_the_nodes_and_proofs_of_the_spec(leaves):
    """``MerkleTree`` (level by level, proofs written from the root down) against the definition, one pair at a
    time: the same nodes, and for every leaf the same proof, which leads to the root."""
    tree, nodes = MerkleTree.of(leaves), spec.merkle_nodes(leaves)
    assert tree.nodes == tuple(nodes)
    labels = tree.node_proofs(list(tree.nodes))
    for one, position in zip(leaves, tree.positions(leaves), strict=True):
        assert tree.proof(one) == labels[position] == spec.merkle_proof(nodes, one)
        assert spec.verify_proof(nodes[0], one, spec.merkle_proof(nodes, one))


@pytest.mark.parametrize("leaves", [[], [leaf(1), leaf(2), leaf(1)]], ids=["none", "repeated"])
def test_the_spec_tree_refuses_no_leaves_and_repeated_leaves(leaves):
    with pytest.raises(MerkleError, match=r"^a Merkle tree needs at least one leaf, each one distinct$"):
        spec.merkle_nodes(leaves)


@given(st.sets(st.binary(min_size=32, max_size=32), min_size=1, max_size=40))
def test_proofs_by_leaf_are_each_leafs_proof_in_the_given_labels(leaves):
    tree = MerkleTree.of(list(leaves))
    labels = ["0x" + node.hex() for node in tree.nodes]
    proofs = tree.proofs_by_leaf(labels)
    assert set(proofs) == set(leaves)
    for one in leaves:
        assert proofs[one] == ["0x" + step.hex() for step in tree.proof(one)]
    assert len({id(proof) for proof in proofs.values()}) == len(leaves)  # a new list each, safe to change


def test_proofs_by_leaf_needs_one_label_per_node():
    with pytest.raises(ValueError, match="3 labels for 5 nodes"):
        MerkleTree.of([leaf(i) for i in range(3)]).proofs_by_leaf(["a", "b", "c"])


@given(st.sets(st.binary(min_size=32, max_size=32), min_size=1, max_size=70))
def test_node_proofs_hold_each_leafs_proof_at_its_position(leaves):
    order = list(leaves)
    tree = MerkleTree.of(order)
    labels = [node.hex() for node in tree.nodes]
    proofs = tree.node_proofs(labels)
    positions = tree.positions(order)
    assert len(proofs) == len(tree.nodes) and proofs[0] == []
    for one, position in zip(order, positions, strict=True):
        assert tree.nodes[position] == one
        assert proofs[position] == [step.hex() for step in tree.proof(one)]
    assert len({id(proof) for proof in proofs}) == len(proofs)  # a new list each, safe to change


def test_positions_of_a_missing_leaf_are_refused():
    with pytest.raises(MerkleError, match=f"^0x{leaf(9).hex()} is not a leaf of this tree$"):
        MerkleTree.of([leaf(1), leaf(2)]).positions([leaf(1), leaf(9)])


def test_node_proofs_need_one_label_per_node():
    with pytest.raises(ValueError, match="4 labels for 5 nodes"):
        MerkleTree.of([leaf(i) for i in range(3)]).node_proofs(["a", "b", "c", "d"])


def test_bytearray_leaves_give_the_tree_of_their_bytes():
    """Leaves that are not plain ``bytes`` take the checked path (one conversion per leaf): the same tree."""
    leaves = [leaf(i) for i in range(6)]
    tree = MerkleTree.of([bytearray(one) for one in leaves])
    assert tree.nodes == MerkleTree.of(leaves).nodes
    assert {type(node) for node in tree.nodes} == {bytes}


@pytest.mark.parametrize("bad", [b"\x01" * 31, "0x" + "ab" * 32, None])
def test_one_bad_leaf_among_good_ones_is_refused(bad):
    with pytest.raises(MerkleError, match="must be 32 bytes"):
        MerkleTree.of([leaf(1), bad, leaf(2)])
