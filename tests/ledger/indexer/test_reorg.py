"""Reorgs on a real node: ``anvil_reorg`` replaces the last blocks and the index must follow the new canonical chain.

The module's chain holds a random history below anvil's ``finalized`` block (latest - 64) plus three certificates
kept valid for the reorgs to act on. Each test starts from an ``evm_snapshot`` of that chain, adds twelve *recent*
blocks of one transaction each (a revocation last, so every reorg removes it and a certificate's status must go
back), indexes them through the live tail, then replaces the last ``depth`` blocks with blocks carrying other events
(signed by a founder who sent none of the recent ones, so its nonces survive the reorg). After a new block the indexer
must notice, roll back to the common ancestor, and end equal to the ground truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_hash.auto import keccak
from sqlalchemy import Engine, select
from support import devchain
from support.groundtruth import GAS_ISSUE, GAS_STATUS, DevChain, Workload, dev_chain, error_lines, run_cli

from ledger.chain.tx import Call, Receipt
from ledger.db import schema as s
from ledger.events import ISSUER, CertificateStatus
from ledger.indexer.sync import ReorgTooDeepError

pytestmark = pytest.mark.timeout(180)

REPLACER = 2
"""The founder that signs the replacement blocks' transactions; it sends none of the recent ones."""
NEWCOMER = 8


@dataclass
class Base:
    chain: DevChain
    snapshot: str
    revoked: str
    """Certificate ids (all issued by founder 0). Valid at the snapshot; the last recent block revokes it."""
    toggled: str
    """Suspended and reinstated by recent blocks."""
    replaced: str
    """Suspended only by the replacement blocks."""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Base]:
    with dev_chain(tmp_path_factory.mktemp("reorg")) as chain:
        workload = Workload(chain.consortium, seed=21)
        workload.tour()
        workload.steps(40)
        revoked, toggled, replaced = (workload.issue(0) for _ in range(3))
        workload.settle()
        chain.mine(70)
        yield Base(chain, chain.snapshot(), revoked, toggled, replaced)


@pytest.fixture
def chain(base: Base) -> DevChain:
    """The base chain as it was at the snapshot (a new snapshot is taken: reverting consumes one)."""
    base.chain.revert(base.snapshot)
    base.snapshot = base.chain.snapshot()
    return base.chain


def recent_blocks(chain: DevChain, base: Base) -> list[Receipt]:
    """Twelve blocks of one transaction each, by founders 0 and 1 and a newcomer; a revocation last. Founder 0
    issued the base certificates and changes their status as their issuer; other changes are council holds."""
    c = chain.consortium
    leaves = [devchain.h32(i, "recent-leaf") for i in range(4)]
    receipts = [
        c.issue(0, devchain.h32(1, "recent"), devchain.h32(1, "recent-fp")),
        c.set_status(0, "suspend", base.toggled, 7),
        c.partner_tx(NEWCOMER, "applyForMembership", 1, "Late Partner", "late.example", b"\0" * 32),
    ]
    proposal = c.partner_tx(0, "propose", 0, c.address(NEWCOMER), ISSUER, 0)
    proposal_id = int(proposal.logs[0]["topics"][1], 16)
    receipts += [proposal, c.partner_tx(1, "vote", proposal_id, True), c.partner_tx(0, "execute", proposal_id)]
    tree, batch = c.issue_public_batch(1, leaves, [devchain.h32(i, "recent-fp") for i in range(4)])
    leaf = tree.leaves[2]
    receipts += [
        batch,
        c.set_status(
            0,
            "suspend",
            devchain.certificate_id(c.address(1), "0x" + tree.root.hex()),
            9,
            "0x" + leaf.hex(),
            tree.proof(leaf),
        ),
        c.set_status(0, "reinstate", base.toggled, 8),
        c.issue(NEWCOMER, devchain.h32(2, "recent"), devchain.h32(2, "recent-fp")),
        c.set_status(1, "suspend", devchain.certificate_id(c.address(NEWCOMER), devchain.h32(2, "recent")), 5),
        c.set_status(0, "revoke", base.revoked, 3),
    ]
    first = receipts[0].block_number
    assert [r.block_number for r in receipts] == list(range(first, first + 12)), "one transaction per block"
    return receipts


def replacement(chain: DevChain, base: Base, depth: int) -> list[tuple[str, int]]:
    """Signed transactions for the new blocks: a new certificate first, a suspension (a council member's hold) in
    the last new block."""
    c = chain.consortium
    sender = c.sender(REPLACER)
    root = devchain.h32(depth, "replacement")
    issue = c.certificates.encode("issue", bytes.fromhex(root[2:]), bytes.fromhex(devchain.h32(depth, "fp")[2:]), 0)
    suspend = c.certificates.encode("suspend", bytes.fromhex(base.replaced[2:]), 11)
    return [
        (sender.sign(Call(c.certificates.address, issue, GAS_ISSUE)), 0),
        (sender.sign(Call(c.certificates.address, suspend, GAS_STATUS)), depth - 1),
    ]


def tx_hash(raw: str) -> str:
    return "0x" + keccak(bytes.fromhex(raw[2:])).hex()


def status_of(engine: Engine, certificate_id: str) -> CertificateStatus:
    with engine.connect() as conn:
        query = select(s.certificates.c.status).where(s.certificates.c.id == certificate_id)
        value = conn.execute(query).scalar_one()
    return CertificateStatus(value)


def indexed_tx_hashes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(s.chain_events.c.tx_hash)).scalars())


@pytest.mark.parametrize("depth", range(1, 11))
def test_reorg_is_undone_and_the_new_blocks_are_indexed(
    db_engine: Engine, base: Base, chain: DevChain, depth: int
) -> None:
    receipts = recent_blocks(chain, base)
    with chain.indexer(db_engine) as setup:
        setup.indexer.run(once=True)
        chain.truth(db_engine)
        assert status_of(db_engine, base.revoked) == CertificateStatus.REVOKED
        new_txs = replacement(chain, base, depth)
        chain.reorg(depth, new_txs)
        chain.mine(1)
        stats = setup.indexer.run(once=True)
    truth = chain.truth(db_engine)
    removed = {r.tx_hash for r in receipts[-depth:]}
    kept = {r.tx_hash for r in receipts[:-depth]}
    indexed = indexed_tx_hashes(db_engine)
    assert stats.reorgs == 1
    assert not removed & indexed, "events of replaced blocks are still indexed"
    assert kept <= indexed
    assert {tx_hash(raw) for raw, _ in new_txs} <= indexed == truth.tx_hashes, "the new blocks' events"
    assert status_of(db_engine, base.revoked) == CertificateStatus.VALID, "the revocation was reorged away"
    assert status_of(db_engine, base.replaced) == CertificateStatus.SUSPENDED, "the new blocks' suspension"
    new = devchain.certificate_id(chain.consortium.address(REPLACER), devchain.h32(depth, "replacement"))
    assert status_of(db_engine, new) == CertificateStatus.VALID
    toggled = CertificateStatus.SUSPENDED if depth >= 4 else CertificateStatus.VALID  # block -4 reinstated it
    assert status_of(db_engine, base.toggled) == toggled


def test_reorg_of_the_tip_is_undone_before_any_new_block(db_engine: Engine, base: Base, chain: DevChain) -> None:
    recent_blocks(chain, base)
    with chain.indexer(db_engine) as setup:
        setup.indexer.run(once=True)
        chain.reorg(2, replacement(chain, base, 2))
        setup.indexer.run(once=True)
    chain.truth(db_engine)


def test_reorg_to_a_shorter_chain_is_undone_within_one_poll(db_engine: Engine, base: Base, chain: DevChain) -> None:
    """The node drops the twelve recent blocks (a revert to before them) and mines three empty ones: its head is now
    nine blocks below the index's checkpoint. That is not a node behind us: the block at its head is not the one the
    index holds there, so the next poll rolls back to the common ancestor and indexes the three new blocks."""
    before = chain.snapshot()
    ancestor = chain.head()
    receipts = recent_blocks(chain, base)
    with chain.indexer(db_engine) as setup:
        setup.indexer.run(once=True)
        assert chain.truth(db_engine).block == ancestor + 12
        assert status_of(db_engine, base.revoked) == CertificateStatus.REVOKED
        chain.revert(before)
        chain.mine(3)
        head, advanced = setup.indexer.tail()
        assert (head, advanced) == (ancestor + 3, True)
        assert setup.indexer.stats.reorgs == 1
    truth = chain.truth(db_engine)
    assert truth.block == ancestor + 3
    assert status_of(db_engine, base.revoked) == CertificateStatus.VALID, "the revocation was reorged away"
    assert not {r.tx_hash for r in receipts} & indexed_tx_hashes(db_engine), "events of dropped blocks are indexed"


def test_a_node_behind_the_index_on_the_same_chain_is_lag_not_a_reorg(
    db_engine: Engine, base: Base, chain: DevChain
) -> None:
    """A head below the checkpoint whose hash is the one the index holds at that height: the index keeps its blocks
    and waits (a load-balanced node lagging behind another one looks exactly like this)."""
    recent_blocks(chain, base)
    with chain.indexer(db_engine) as setup:
        setup.indexer.run(once=True)
        indexed = chain.truth(db_engine)
        behind = setup.indexer.source.block(indexed.block - 5)
        assert behind is not None
        setup.indexer.source.head = lambda: behind  # type: ignore[method-assign]
        assert setup.indexer.tail() == (indexed.block - 5, False)
        assert setup.indexer.stats.reorgs == 0
    assert chain.truth(db_engine) == indexed


def test_reorg_deeper_than_the_window_stops_and_rescan_from_final_recovers(
    db_engine: Engine, base: Base, chain: DevChain
) -> None:
    recent_blocks(chain, base)
    with chain.indexer(db_engine, reorg_window=4) as setup:
        setup.indexer.run(once=True)
        stale = chain.truth(db_engine)
        chain.reorg(8, replacement(chain, base, 8))
        chain.mine(1)
        with pytest.raises(ReorgTooDeepError, match=r"deeper than the 4-block window .*--rescan-from-final"):
            setup.indexer.run(once=True)
        with db_engine.connect() as conn:
            assert conn.execute(select(s.sync_state.c.checkpoint_block)).scalar_one() == stale.block
        final = chain.head() - 64
        assert setup.indexer.rescan_from_final() == final
        stats = setup.indexer.run(once=True)
    truth = chain.truth(db_engine)
    assert truth.block == chain.head()
    assert stats.reorgs == 0, "after the rescan the tail simply follows the new chain"
    assert status_of(db_engine, base.revoked) == CertificateStatus.VALID


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_index_command_names_rescan_from_final_and_it_recovers(
    db_engine: Engine, base: Base, chain: DevChain, tmp_path: Path
) -> None:
    """The same through ``originals index``: a one-line error naming the way out, then that way out works."""
    recent_blocks(chain, base)
    env = chain.env(db_engine.url.render_as_string(hide_password=False), reorg_window="4")
    assert run_cli(["index", "--once"], env, tmp_path).returncode == 0
    chain.reorg(8, replacement(chain, base, 8))
    chain.mine(1)
    failed = run_cli(["index", "--once"], env, tmp_path)
    assert failed.returncode == 1
    [line] = error_lines(failed.stderr)
    assert line.startswith("originals index: error: the chain changed below block ")
    assert line.endswith("run `originals index --rescan-from-final` to rebuild from the last final block")
    rescued = run_cli(["index", "--once", "--rescan-from-final"], env, tmp_path)
    assert rescued.returncode == 0, rescued.stderr[-2000:]
    assert f"rolled back to final block {chain.head() - 64}" in rescued.stderr
    chain.truth(db_engine)


# -- the provenance registry ------------------------------------------------------------------------------------------

PROVENANCE_DEADLINE = 2**40
"""Far beyond any block of these tests."""


def recent_provenance_blocks(chain: DevChain) -> tuple[str, list[Receipt]]:
    """Seven blocks of one provenance transaction each, by founders 0 and 1: founder 0 registers an original it owns,
    sells it to founder 1, who lends it back (custody), founder 0 records an inspection as its holder, founder 1
    reports it stolen. Returns the original's id and the receipts."""
    c = chain.consortium
    identifier = devchain.h32(1, "recent-original")
    original = devchain.certificate_id(c.address(0), identifier)  # keccak256(abi.encode(registrar, identifier))
    ident, zero = bytes.fromhex(original[2:]), "0x" + "00" * 20
    timestamp = int(c.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
    receipts = [
        c.prov_tx(0, "enrolOriginal", bytes.fromhex(identifier[2:]), c.address(0), zero, False),
        c.prov_tx(0, "handOver", ident, 0, c.address(1), PROVENANCE_DEADLINE),
        c.prov_tx(1, "takeOver", ident, 0),
        c.prov_tx(1, "handOver", ident, 1, c.address(0), PROVENANCE_DEADLINE),
        c.prov_tx(0, "takeOver", ident, 1),
        c.prov_tx(0, "addEvent", ident, 11, bytes.fromhex(devchain.h32(1, "inspection")[2:]), timestamp),
        c.prov_tx(1, "logIncident", ident, 2, bytes.fromhex(devchain.h32(1, "police report")[2:])),
    ]
    first = receipts[0].block_number
    assert [r.block_number for r in receipts] == list(range(first, first + 7)), "one transaction per block"
    return original, receipts


def provenance_replacement(chain: DevChain, depth: int) -> list[tuple[str, int]]:
    """Signed transactions for the new blocks: an original registered by the replacer first, an anchored batch of
    events in the last new block."""
    c = chain.consortium
    sender = c.sender(REPLACER)
    identifier = bytes.fromhex(devchain.h32(depth, "replacement-original")[2:])
    enrol = c.provenance.encode("enrolOriginal", identifier, c.address(REPLACER), "0x" + "00" * 20, False)
    anchor = c.provenance.encode("anchorEvents", bytes.fromhex(devchain.h32(depth, "replacement-root")[2:]), 4)
    return [
        (sender.sign(Call(c.provenance.address, enrol, 300_000)), 0),
        (sender.sign(Call(c.provenance.address, anchor, 300_000)), depth - 1),
    ]


def original_state(engine: Engine, original: str) -> tuple[str, str, bool, int] | None:
    """(owner, holder, third_party_holds, disposition) of ``original`` in the index, None when it is not there."""
    o = s.originals
    with engine.connect() as conn:
        query = select(o.c.owner, o.c.holder, o.c.third_party_holds, o.c.disposition).where(o.c.id == original)
        row = conn.execute(query).one_or_none()
    return None if row is None else (row[0], row[1], row[2], row[3])


@pytest.mark.parametrize("depth", range(1, 11))
def test_reorg_of_provenance_blocks_is_undone_and_the_tables_equal_a_replay_of_the_chain(
    db_engine: Engine, chain: DevChain, depth: int
) -> None:
    """The original's state goes back to what the kept blocks say, the new blocks' original and batch are indexed,
    and every table (the provenance ones included) equals an independent projection of the canonical chain's logs.
    Five empty blocks come first, so a reorg deeper than the seven blocks (8-10) replaces blocks before the
    registration too, and the original is gone."""
    chain.mine(5)
    original, receipts = recent_provenance_blocks(chain)
    founder0, founder1 = (chain.consortium.address(i).lower() for i in (0, 1))
    with chain.indexer(db_engine) as setup:
        setup.indexer.run(once=True)
        chain.truth(db_engine)
        assert original_state(db_engine, original) == (founder1, founder0, True, 2)
        new_txs = provenance_replacement(chain, depth)
        chain.reorg(depth, new_txs)
        chain.mine(1)
        stats = setup.indexer.run(once=True)
    truth = chain.truth(db_engine)
    assert stats.reorgs == 1
    indexed = indexed_tx_hashes(db_engine)
    assert not {r.tx_hash for r in receipts[-depth:]} & indexed, "events of replaced blocks are still indexed"
    assert {tx_hash(raw) for raw, _ in new_txs} <= indexed == truth.tx_hashes
    # What the seven blocks did, undone from the last: the report, the event, the loan, its offer, the sale, its
    # offer, the registration.
    after: dict[int, tuple[str, str, bool, int] | None] = {
        1: (founder1, founder0, True, 0),
        2: (founder1, founder0, True, 0),
        3: (founder1, founder1, False, 0),
        4: (founder1, founder1, False, 0),
        5: (founder0, founder0, False, 0),
        6: (founder0, founder0, False, 0),
    }
    assert original_state(db_engine, original) == after.get(depth)
    replacer = chain.consortium.address(REPLACER)
    new = devchain.certificate_id(replacer, devchain.h32(depth, "replacement-original"))
    assert original_state(db_engine, new) == (replacer.lower(), replacer.lower(), False, 0)
    with db_engine.connect() as conn:
        roots = set(conn.execute(select(s.provenance_batches.c.root)).scalars())
    assert devchain.h32(depth, "replacement-root") in roots
