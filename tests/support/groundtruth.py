"""Ground truth for the indexer's integration tests: the chain's own answer, fetched and projected independently.

What the index must hold is decided here without the indexer's fetching code. One ``eth_getLogs`` over raw httpx
returns every log of the two registries from block 0 to the indexer's checkpoint; ``chain_events`` must hold exactly
that set of (tx_hash, log_index, block_hash): no extra, no missing, no duplicate. The derived tables are compared in
full with a fresh database into which the :class:`Projector` wrote those same logs in one batch, so any difference
comes from how the sync loop fed it (ranges, batches, retries, reorgs, crashes), not from the projection rules, which
the projector's own tests pin.

The chain side lives here too: :func:`dev_chain` starts an anvil with the registries deployed and their manifest
written, and :class:`Workload` drives the registries through every event kind with a small model of the contracts'
rules, so every transaction it sends succeeds and a test makes hundreds of events in a few seconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, Table, create_engine, select

from devtools.devnet import Anvil
from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient
from ledger.chain.tx import Call
from ledger.config import Settings
from ledger.db import schema as s
from ledger.documents import MerkleTree
from ledger.events import (
    COUNCIL,
    ISSUER,
    CertificateStatus,
    Disposition,
    OrganisationType,
    PartnerStatus,
    ProposalKind,
    Right,
)
from ledger.indexer.decode import RawLog
from ledger.indexer.project import Projector
from ledger.indexer.runner import IndexerSetup, build_indexer, make_decoder
from support import devchain

COMPARED_TABLES: tuple[Table, ...] = (s.chain_events, *s.DERIVED_TABLES)
"""Every table whose content is a function of the canonical chain."""
ORIGINALS = Path(sys.executable).with_name("originals")
"""The console script, as a user runs it."""


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> float:
    """Poll ``predicate`` until it holds; returns the seconds it took, fails with ``what`` after ``timeout``."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return time.monotonic() - started


def cli_env(variables: dict[str, str]) -> dict[str, str]:
    """The process environment without any ``ORIGINALS_*`` of the caller's, plus ``variables``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ORIGINALS_")}
    return base | variables


def run_cli(
    args: Sequence[str], env: dict[str, str], cwd: Path, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """``originals ARGS`` to completion (bounded), output captured as text."""
    return subprocess.run(
        [str(ORIGINALS), *args], env=cli_env(env), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def error_lines(stderr: str) -> list[str]:
    """The lines of an ``originals`` stderr that are its own messages (not log records or the progress bar)."""
    return [line for line in stderr.splitlines() if line.startswith("originals ")]


# -- raw JSON-RPC, independent of ledger.chain.rpc -----------------------------------------------------------------


def rpc(url: str, method: str, *params: Any, timeout: float = 60.0) -> Any:
    """One JSON-RPC call over plain httpx; any error fails the test with the node's message."""
    reply = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=timeout)
    reply.raise_for_status()
    body = reply.json()
    if "error" in body:
        raise AssertionError(f"{method}{list(params)!r:.200} failed: {body['error']}")
    return body["result"]


def head_number(url: str) -> int:
    return int(rpc(url, "eth_blockNumber"), 16)


def block_hash(url: str, number: int) -> str:
    block = rpc(url, "eth_getBlockByNumber", hex(number), False)
    assert block is not None, f"the node has no block {number}"
    return str(block["hash"]).lower()


def chain_logs(url: str, addresses: Sequence[str], to_block: int) -> list[dict[str, Any]]:
    """Every log of ``addresses`` in blocks ``[0, to_block]``, in one call and without a topic filter."""
    logs: list[dict[str, Any]] = rpc(
        url, "eth_getLogs", {"address": list(addresses), "fromBlock": "0x0", "toBlock": hex(to_block)}
    )
    return logs


def log_key(log: dict[str, Any]) -> tuple[str, int, str]:
    return (log["transactionHash"].lower(), int(log["logIndex"], 16), log["blockHash"].lower())


# -- comparison ----------------------------------------------------------------------------------------------------


def _pk_sort_key(table: Table) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    positions = [list(table.columns).index(c) for c in table.primary_key.columns]
    return lambda row: tuple(row[i] for i in positions)


def dump(engine: Engine, tables: Sequence[Table] = COMPARED_TABLES) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``tables``, sorted by primary key in Python (collations differ between databases)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in tables:
            rows = [tuple(row) for row in conn.execute(select(table))]
            out[table.name] = sorted(rows, key=_pk_sort_key(table))
    return out


def project(logs: Sequence[dict[str, Any]], chain_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """The tables a from-scratch projection of ``logs`` gives, in a throw-away in-memory SQLite database.

    Every log must carry its block's time (anvil's logs do): the times of the provenance tables are compared too,
    and a node leaving them out would make that comparison one of nulls.
    """
    assert all(obj.get("blockTimestamp") is not None for obj in logs), "a log without its block's time"
    decoded = make_decoder().decode_all(RawLog.from_rpc(obj) for obj in logs)
    engine = create_engine("sqlite://")
    try:
        s.metadata.create_all(engine)
        with engine.begin() as conn:
            Projector(chain_id).apply(conn, decoded)
        return dump(engine)
    finally:
        engine.dispose()


def checkpoint(engine: Engine) -> tuple[int, str | None]:
    with engine.connect() as conn:
        row = conn.execute(select(s.sync_state.c.checkpoint_block, s.sync_state.c.checkpoint_hash)).first()
    assert row is not None, "the database has no sync_state row: the indexer never started"
    return int(row[0]), row[1]


def indexed_block(engine: Engine) -> int:
    """The checkpoint block, or -1 before the indexer has written its state (for polling)."""
    with engine.connect() as conn:
        value = conn.execute(select(s.sync_state.c.checkpoint_block)).scalar()
    return -1 if value is None else int(value)


def indexed_keys(engine: Engine) -> list[tuple[str, int, str]]:
    ev = s.chain_events
    with engine.connect() as conn:
        rows = conn.execute(select(ev.c.tx_hash, ev.c.log_index, ev.c.block_hash))
        return [(tx_hash, log_index, block) for tx_hash, log_index, block in rows]


@dataclass(frozen=True)
class Truth:
    """The canonical chain up to the indexer's checkpoint, as the node reports it."""

    block: int
    logs: list[dict[str, Any]]

    def names(self) -> Counter[str]:
        decoder = make_decoder()
        return Counter(decoder.decode(RawLog.from_rpc(obj)).name for obj in self.logs)

    @property
    def tx_hashes(self) -> set[str]:
        return {log["transactionHash"].lower() for log in self.logs}


def _diff(name: str, expected: list[tuple[Any, ...]], actual: list[tuple[Any, ...]]) -> str:
    missing = Counter(expected) - Counter(actual)
    extra = Counter(actual) - Counter(expected)
    lines = [f"table {name}: {len(expected)} rows expected, {len(actual)} indexed"]
    lines += [f"  missing {row}" for row in list(missing.elements())[:3]]
    lines += [f"  extra   {row}" for row in list(extra.elements())[:3]]
    return "\n".join(lines)


def assert_keys_match(engine: Engine, url: str, addresses: Sequence[str]) -> Truth:
    """``chain_events`` holds exactly the canonical logs up to the checkpoint, once each (cheap: no projection)."""
    if indexed_block(engine) == -1:
        assert not indexed_keys(engine), "events were written without a checkpoint"
        return Truth(-1, [])
    block, stored_hash = checkpoint(engine)
    assert stored_hash is None or stored_hash == block_hash(url, block), (
        f"checkpoint {block} has hash {stored_hash}, which is not the canonical block's"
    )
    logs = chain_logs(url, addresses, block)
    expected = [log_key(obj) for obj in logs]
    assert len(set(expected)) == len(expected), "the node returned a log twice"
    actual = indexed_keys(engine)
    duplicates = [key for key, n in Counter(actual).items() if n > 1]
    assert not duplicates, f"chain_events holds duplicates: {duplicates[:3]}"
    missing, extra = set(expected) - set(actual), set(actual) - set(expected)
    assert not missing and not extra, (
        f"chain_events up to block {block}: {len(missing)} canonical logs missing (e.g. {sorted(missing)[:2]}), "
        f"{len(extra)} not canonical (e.g. {sorted(extra)[:2]})"
    )
    return Truth(block, logs)


def assert_matches_chain(engine: Engine, url: str, addresses: Sequence[str], chain_id: int) -> Truth:
    """The whole index equals the canonical chain up to its checkpoint: event keys, then every table in full."""
    truth = assert_keys_match(engine, url, addresses)
    expected, actual = project(truth.logs, chain_id), dump(engine)
    diffs = [_diff(name, expected[name], actual[name]) for name in expected if expected[name] != actual[name]]
    assert not diffs, "the index differs from a projection of the canonical chain:\n" + "\n".join(diffs)
    return truth


# -- the chain -----------------------------------------------------------------------------------------------------


@dataclass
class DevChain:
    """An anvil with both registries deployed from account 0 and the manifest written to ``deployments_dir``."""

    anvil: Anvil
    client: RpcClient
    consortium: devchain.Consortium
    deployments_dir: Path

    @property
    def url(self) -> str:
        return self.anvil.url

    @property
    def chain_id(self) -> int:
        return int(self.consortium.chain_id)

    @property
    def addresses(self) -> list[str]:
        return [
            str(c.address) for c in (self.consortium.partners, self.consortium.certificates, self.consortium.provenance)
        ]

    def settings(self, database_url: str, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "rpc_url": self.url,
            "deployments_dir": self.deployments_dir,
            "poll_interval": 0.05,
        }
        return Settings(**(values | overrides))

    @contextlib.contextmanager
    def indexer(self, engine: Engine, **overrides: Any) -> Iterator[IndexerSetup]:
        """An in-process indexer of this chain writing through ``engine``; its RPC client is closed on exit."""
        url = engine.url.render_as_string(hide_password=False)
        setup = build_indexer(self.settings(url, **overrides), engine)
        try:
            yield setup
        finally:
            setup.client.close()

    def env(self, database_url: str, **overrides: str) -> dict[str, str]:
        """``ORIGINALS_*`` variables for an ``originals`` subprocess against this chain."""
        values = {
            "ORIGINALS_DATABASE_URL": database_url,
            "ORIGINALS_RPC_URL": self.url,
            "ORIGINALS_DEPLOYMENTS_DIR": str(self.deployments_dir),
            "ORIGINALS_POLL_INTERVAL": "0.05",
        }
        return values | {f"ORIGINALS_{k.upper()}": v for k, v in overrides.items()}

    def head(self) -> int:
        return head_number(self.url)

    def mine(self, blocks: int) -> None:
        rpc(self.url, "anvil_mine", hex(blocks))

    def snapshot(self) -> str:
        return str(rpc(self.url, "evm_snapshot"))

    def revert(self, snapshot_id: str) -> None:
        assert rpc(self.url, "evm_revert", snapshot_id) is True, f"snapshot {snapshot_id} is gone"
        self.resync_nonces()

    def reorg(self, depth: int, raw_txs: Sequence[tuple[str, int]]) -> None:
        """Replace the last ``depth`` blocks (same height) with blocks holding ``raw_txs`` at their offsets."""
        rpc(self.url, "anvil_reorg", depth, [[raw, offset] for raw, offset in raw_txs])
        self.resync_nonces()

    def resync_nonces(self) -> None:
        for sender in self.consortium.senders.values():
            sender.resync_nonce()

    def truth(self, engine: Engine) -> Truth:
        return assert_matches_chain(engine, self.url, self.addresses, self.chain_id)


@contextlib.contextmanager
def dev_chain(folder: Path) -> Iterator[DevChain]:
    """A fresh anvil with the registries deployed; stopped on exit whatever happens."""
    anvil = Anvil().start()
    client = RpcClient(anvil.url)
    try:
        deployments = folder / "deployments"
        consortium = devchain.deploy(client, deployments)
        yield DevChain(anvil, client, consortium, deployments)
    finally:
        client.close()
        anvil.stop()


# -- the workload --------------------------------------------------------------------------------------------------

FOUNDER_IDS = (0, 1, 2)
OUTSIDER_ID = 9
"""An anvil account that is never a partner (anyone may execute a carried proposal)."""
GAS_ISSUE = 150_000
GAS_STATUS = 200_000
GAS_PROVENANCE = 300_000
HOLDERS = tuple(range(10))
"""The anvil accounts (all funded) that own and hold originals; only founders register them (always issuers)."""


@dataclass
class _Record:
    """A status record of the registry: a whole certificate's or one document's."""

    status: CertificateStatus = CertificateStatus.VALID
    hold: bool = False
    """Suspended by the council (a member's hold): the issuer may not lift it."""


@dataclass
class _Certificate:
    issuer: int
    root: str
    record: _Record = field(default_factory=_Record)
    tree: MerkleTree | None = None
    leaves: dict[bytes, _Record] = field(default_factory=dict)


@dataclass
class _Partner:
    status: PartnerStatus = PartnerStatus.NONE
    rights: int = 0


@dataclass
class _Original:
    """An original of the provenance registry, as the workload drives it (accounts by anvil index)."""

    registrar: int
    owner: int
    holder: int
    soulbound: bool = False
    third_party: bool = False
    """The contract's "a third party holds it" flag: a sale leaves custody with the holder only then."""
    disposition: Disposition = Disposition.NONE
    offers: dict[Right, int] = field(default_factory=dict)
    """Open plain offers: the recipient by right (a change of owner voids them all)."""


@dataclass
class Model:
    """What the workload knows of the contracts' state: enough to only send transactions that succeed."""

    certificates: dict[str, _Certificate] = field(default_factory=dict)
    """By certificate id."""
    partners: dict[int, _Partner] = field(default_factory=dict)
    originals: dict[str, _Original] = field(default_factory=dict)
    """By original id."""
    serial: int = 0

    def fresh(self, tag: str) -> str:
        self.serial += 1
        return str(devchain.h32(self.serial, f"workload:{tag}"))


class Workload:
    """Sends valid transactions of every kind to the registries, from anvil accounts, one block each (automine).

    Certificate transactions are sent without waiting (anvil mines them in arrival order); partner steps, whose
    proposal ids come from receipts, wait. :meth:`settle` waits for everything sent and fails on any revert, so a
    wrong model shows up as a clear error rather than as silently missing events.
    """

    def __init__(
        self,
        consortium: devchain.Consortium,
        newcomers: Sequence[int] = (3, 4, 5, 6, 7),
        seed: int = 0,
        model: Model | None = None,
    ) -> None:
        self.c = consortium
        self.rng = random.Random(seed)
        self.model = model or Model()
        self.newcomers = tuple(newcomers)
        for i in FOUNDER_IDS:
            self.model.partners.setdefault(i, _Partner(PartnerStatus.ACTIVE, ISSUER | COUNCIL))
        for i in self.newcomers:
            self.model.partners.setdefault(i, _Partner())
        self.pending: list[str] = []

    def on(self, client: RpcClient, seed: int) -> Workload:
        """The same model driven through another client (one client per thread)."""
        consortium = dataclasses.replace(self.c, client=client, senders={})
        return Workload(consortium, self.newcomers, seed, self.model)

    # -- sending --

    def _send(self, index: int, binding: ContractBinding, fn: str, *args: Any, gas: int) -> str:
        tx_hash = str(self.c.sender(index).send(Call(binding.address, binding.encode(fn, *args), gas)))
        self.pending.append(tx_hash)
        return tx_hash

    def settle(self, timeout: float = 30.0) -> None:
        """Wait for every transaction sent so far; any revert fails with the decoded error."""
        for tx_hash in self.pending:
            self.c.sender(0).wait(tx_hash, timeout, self.c.certificates)
        self.pending = []

    def _cert_tx(self, index: int, fn: str, *args: Any, gas: int = GAS_STATUS) -> str:
        return self._send(index, self.c.certificates, fn, *args, gas=gas)

    def _partner_tx(self, index: int, fn: str, *args: Any) -> int:
        """Send, wait; returns the proposal id when the transaction created one."""
        self.settle()
        receipt = self.c.partner_tx(index, fn, *args)
        if fn.startswith("propose"):  # ProposalCreated comes first
            return int(receipt.logs[0]["topics"][1], 16)
        return 0

    def _timestamp(self) -> int:
        return int(self.c.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    # -- certificate steps --

    def issuers(self) -> list[int]:
        return [i for i, p in self.model.partners.items() if p.status == PartnerStatus.ACTIVE and p.rights & ISSUER]

    def issue(self, issuer: int | None = None, valid_until: int = 0) -> str:
        """A single certificate; returns its id."""
        issuer = self.rng.choice(self.issuers()) if issuer is None else issuer
        root = self.model.fresh("single")
        fingerprint = self.model.fresh("fingerprint")
        self._cert_tx(
            issuer, "issue", bytes.fromhex(root[2:]), bytes.fromhex(fingerprint[2:]), valid_until, gas=GAS_ISSUE
        )
        certificate_id = devchain.certificate_id(self.c.address(issuer), root)
        self.model.certificates[certificate_id] = _Certificate(issuer, root)
        return certificate_id

    def issue_batch(self, documents: int, public: bool, issuer: int | None = None) -> str:
        """A batch of ``documents`` (at least 2 when ``public``); returns its certificate id."""
        issuer = self.rng.choice(self.issuers()) if issuer is None else issuer
        leaves = [bytes.fromhex(self.model.fresh("leaf")[2:]) for _ in range(documents)]
        tree = MerkleTree.of(leaves)
        if public:
            fingerprints = [bytes.fromhex(self.model.fresh("fingerprint")[2:]) for _ in range(documents)]
            gas = 200_000 + 4_000 * documents
            self._cert_tx(issuer, "issueBatchPublic", tree.root, 0, leaves, fingerprints, gas=gas)
        else:
            self._cert_tx(issuer, "issueBatch", tree.root, 0, gas=GAS_ISSUE)
        root = "0x" + tree.root.hex()
        certificate_id = devchain.certificate_id(self.c.address(issuer), root)
        self.model.certificates[certificate_id] = _Certificate(
            issuer, root, tree=tree, leaves={leaf: _Record() for leaf in leaves}
        )
        return certificate_id

    def _issuer_may_act(self, cert: _Certificate) -> bool:
        """Whether the issuer still acts as issuer (an active issuer; the workload never sets a cut-off on one)."""
        partner = self.model.partners[cert.issuer]
        return partner.status == PartnerStatus.ACTIVE and bool(partner.rights & ISSUER)

    def _choices(self, cert: _Certificate, record: _Record) -> list[tuple[str, int | None]]:
        """(action, actor) pairs the registry accepts for ``record`` now; actor None = a council decision."""
        if record.status == CertificateStatus.REVOKED:
            return []
        issuer = self._issuer_may_act(cert)
        council = [i for i in FOUNDER_IDS if i != cert.issuer or not issuer]
        options: list[tuple[str, int | None]] = []
        if issuer:
            options += [("revoke", cert.issuer)]
            if record.status == CertificateStatus.VALID:
                options += [("suspend", cert.issuer)] * 3
            elif not record.hold:
                options += [("reinstate", cert.issuer)] * 3
        if record.status == CertificateStatus.VALID or not record.hold:
            options += [("suspend", self.rng.choice(council))] * 2
        if not issuer or self.rng.random() < 0.1:  # council decisions cost four transactions: kept rare
            options += [("revoke", None)]
            if record.status == CertificateStatus.SUSPENDED:
                options += [("reinstate", None)]
        return options

    def _act(
        self, cert: _Certificate, record: _Record, action: str, actor: int | None, certificate_id: str, leaf: bytes
    ) -> None:
        """Send ``action`` on ``record`` (leaf zero = the whole certificate) and update the model."""
        whole = leaf == bytes(32)
        reason = self.rng.randrange(1, 50)
        ident = bytes.fromhex(certificate_id[2:])
        proof = [] if whole or cert.tree is None else cert.tree.proof(leaf)
        if actor is None:
            kind = ProposalKind.REVOKE_CERTIFICATE if action == "revoke" else ProposalKind.LIFT_CERTIFICATE_SUSPENSION
            registry = self.c.certificates.address
            self._carry_proposal("proposeCertificateDecision", int(kind), registry, ident, leaf, proof, reason)
        elif whole:
            self._cert_tx(actor, action, ident, reason)
        else:
            self._cert_tx(actor, f"{action}Document", ident, leaf, reason, proof)
        record.status = {
            "suspend": CertificateStatus.SUSPENDED,
            "reinstate": CertificateStatus.VALID,
            "revoke": CertificateStatus.REVOKED,
        }[action]
        record.hold = action == "suspend" and actor != cert.issuer

    def change_root(self, certificate_id: str, action: str | None = None) -> bool:
        """Suspend, reinstate or revoke a whole certificate as the registry allows it now (the issuer, a council
        member's hold, or a council decision); ``action`` picks one. False when nothing applies."""
        cert = self.model.certificates[certificate_id]
        options = [o for o in self._choices(cert, cert.record) if action is None or o[0] == action]
        if not options:
            return False
        chosen_action, actor = self.rng.choice(options)
        self._act(cert, cert.record, chosen_action, actor, certificate_id, bytes(32))
        return True

    def change_document(self, certificate_id: str) -> bool:
        cert = self.model.certificates[certificate_id]
        assert cert.tree is not None
        leaf = self.rng.choice(sorted(cert.leaves))
        options = self._choices(cert, cert.leaves[leaf])
        if not options:
            return False
        chosen_action, actor = self.rng.choice(options)
        self._act(cert, cert.leaves[leaf], chosen_action, actor, certificate_id, leaf)
        return True

    # -- partner steps --

    def _carry(self, kind: ProposalKind, subject: int, rights: int = 0, cutoff: int = 0) -> int:
        """A founder proposes, a second votes yes, sometimes the third votes no; anyone executes."""
        return self._carry_proposal("propose", int(kind), self.c.address(subject), rights, cutoff, executor=subject)

    def _carry_proposal(self, fn: str, *args: Any, executor: int = OUTSIDER_ID) -> int:
        """``fn`` (a propose function) by a founder, a second founder's yes, sometimes a no; then executed."""
        proposer, second, third = self.rng.sample(FOUNDER_IDS, 3)
        proposal = self._partner_tx(proposer, fn, *args)
        self._partner_tx(second, "vote", proposal, True)
        if self.rng.random() < 0.3:
            self._partner_tx(third, "vote", proposal, False)
        self._partner_tx(self.rng.choice([*FOUNDER_IDS, executor]), "execute", proposal)
        return proposal

    def change_details(self, index: int) -> None:
        """New details for an active or suspended newcomer, by council vote (DetailsProposed, PartnerDetailsChanged)."""
        org = self.rng.choice(list(OrganisationType))
        meta = bytes.fromhex(self.model.fresh("meta")[2:])
        details = (int(org), f"Partner {index}.{self.model.serial} renamed", f"p{index}.example", meta)
        self._carry_proposal("proposeDetails", self.c.address(index), details, executor=index)

    def apply(self, index: int) -> None:
        org = self.rng.choice(list(OrganisationType))
        meta = bytes.fromhex(self.model.fresh("meta")[2:])
        name = f"Partner {index}.{self.model.serial}"
        self._partner_tx(index, "applyForMembership", int(org), name, f"p{index}.example", meta)
        self.model.partners[index] = _Partner(PartnerStatus.APPLIED, 0)

    def admit(self, index: int, rights: int = ISSUER) -> None:
        if self.model.partners[index].status in (PartnerStatus.NONE, PartnerStatus.LEFT):
            self.apply(index)
        self._carry(ProposalKind.ADMIT, index, rights)
        self.model.partners[index] = _Partner(PartnerStatus.ACTIVE, rights)

    def partner_step(self, index: int) -> None:
        """One applicable membership change for newcomer ``index``."""
        p = self.model.partners[index]
        if p.status in (PartnerStatus.NONE, PartnerStatus.LEFT):
            self.apply(index)
        elif p.status == PartnerStatus.APPLIED:
            if self.rng.random() < 0.75:
                self.admit(index, self.rng.choice([0, ISSUER]))
            else:
                self.leave(index)
        elif p.status == PartnerStatus.EXPELLED:
            return
        else:
            options: list[Callable[[], None]] = [lambda: self.leave(index), lambda: self.expel(index)]
            if p.status == PartnerStatus.ACTIVE:
                options += [lambda: self.suspend_partner(index)] * 2
            else:
                options += [lambda: self.reinstate_partner(index)] * 2
            options += [lambda: self.set_issuer(index, not p.rights & ISSUER)] * 3
            options += [lambda: self.change_details(index)]
            self.rng.choice(options)()

    def leave(self, index: int) -> None:
        self._partner_tx(index, "leave")
        self.model.partners[index] = _Partner(PartnerStatus.LEFT, 0)

    def suspend_partner(self, index: int) -> None:
        self._carry(ProposalKind.SUSPEND, index)
        self.model.partners[index].status = PartnerStatus.SUSPENDED

    def reinstate_partner(self, index: int) -> None:
        self._carry(ProposalKind.REINSTATE, index)
        self.model.partners[index].status = PartnerStatus.ACTIVE

    def set_issuer(self, index: int, grant: bool) -> None:
        self._carry(ProposalKind.GRANT_RIGHTS if grant else ProposalKind.WITHDRAW_RIGHTS, index, ISSUER)
        self.model.partners[index].rights = ISSUER if grant else 0

    def expel(self, index: int, compromised: bool | None = None) -> None:
        compromised = self.rng.random() < 0.5 if compromised is None else compromised
        self._carry(ProposalKind.EXPEL, index, cutoff=self._timestamp() - 1 if compromised else 0)
        self.model.partners[index] = _Partner(PartnerStatus.EXPELLED, 0)

    def abandoned_proposal(self) -> None:
        """A proposal that gets a no vote and is never executed (its rows must still be indexed)."""
        active = [i for i in self.newcomers if self.model.partners[i].status == PartnerStatus.ACTIVE]
        if not active:
            return
        subject = self.rng.choice(active)
        proposer, other, _ = self.rng.sample(FOUNDER_IDS, 3)
        proposal = self._partner_tx(proposer, "propose", int(ProposalKind.SUSPEND), self.c.address(subject), 0, 0)
        self._partner_tx(other, "vote", proposal, False)

    # -- provenance steps --

    def _prov_tx(self, index: int, fn: str, *args: Any) -> str:
        return self._send(index, self.c.provenance, fn, *args, gas=GAS_PROVENANCE)

    def _deadline(self) -> int:
        return self._timestamp() + 10**6

    def register(
        self,
        registrar: int | None = None,
        owner: int | None = None,
        holder: int | None = None,
        soulbound: bool = False,
        certificates: Sequence[str] = (),
        parents: Sequence[str] = (),
    ) -> str:
        """An original registered by a founder (linked to ``certificates`` and ``parents`` if given); returns its id."""
        registrar = self.rng.choice(FOUNDER_IDS) if registrar is None else registrar
        owner = self.rng.choice(HOLDERS) if owner is None else owner
        holder = owner if holder is None else holder
        identifier = self.model.fresh("identifier")
        ident = bytes.fromhex(identifier[2:])
        args = (ident, self.c.address(owner), self.c.address(holder), soulbound)
        if certificates or parents:
            links = ([bytes.fromhex(x[2:]) for x in certificates], [bytes.fromhex(x[2:]) for x in parents])
            self._prov_tx(registrar, "enrolLinked", *args, *links)
        else:
            self._prov_tx(registrar, "enrolOriginal", *args)
        original = devchain.certificate_id(self.c.address(registrar), identifier)  # the same keccak(abi.encode)
        self.model.originals[original] = _Original(registrar, owner, holder, soulbound, holder != owner)
        return original

    def _party(self, o: _Original, right: Right) -> int:
        return o.owner if right == Right.TITLE else o.holder

    def offer(self, original: str, right: Right, to: int) -> None:
        o = self.model.originals[original]
        self._prov_tx(self._party(o, right), "handOver", bytes.fromhex(original[2:]), int(right),
                      self.c.address(to), self._deadline())  # fmt: skip
        o.offers[right] = to

    def accept(self, original: str, right: Right) -> None:
        o = self.model.originals[original]
        to = o.offers.pop(right)
        self._prov_tx(to, "takeOver", bytes.fromhex(original[2:]), int(right))
        self._moved(o, right, to)

    def _moved(self, o: _Original, right: Right, to: int) -> None:
        if right == Right.TITLE:
            if not o.third_party:
                o.holder = to
            o.owner = to
            o.offers.clear()  # a change of owner voids every open offer
        else:
            o.holder = to
            o.third_party = to != o.owner

    def withdraw(self, original: str, right: Right, reject: bool) -> None:
        """The recipient rejects the open offer of ``right``, or its party cancels it."""
        o = self.model.originals[original]
        to = o.offers.pop(right)
        ident = bytes.fromhex(original[2:])
        if reject:
            self._prov_tx(to, "reject", ident, int(right), bytes.fromhex(self.model.fresh("remark")[2:]))
        else:
            self._prov_tx(self._party(o, right), "cancel", ident, int(right))

    def claim(self, original: str, right: Right, claimant: int) -> None:
        """A claim offer to a fresh one-time key, claimed for ``claimant``, relayed by an outsider."""
        from eth_account import Account

        from ledger.signing.actions import sign
        from ledger.signing.provenance import claim_typed_data

        o = self.model.originals[original]
        key = bytes.fromhex(self.model.fresh("one-time key")[2:])
        key_address = Account.from_key(key).address
        deadline = self._deadline()
        ident = bytes.fromhex(original[2:])
        self._prov_tx(self._party(o, right), "proposeClaim", ident, int(right), key_address, deadline)
        typed = claim_typed_data(
            ident, int(right), self.c.address(claimant), deadline, self.c.chain_id, str(self.c.provenance.address)
        )
        signature = bytes.fromhex(sign(typed, key)[2:])
        self._prov_tx(OUTSIDER_ID, "claim", ident, int(right), self.c.address(claimant), deadline, signature)
        self._moved(o, right, claimant)

    def record(self, original: str) -> None:
        """A lifecycle event by the holder."""
        o = self.model.originals[original]
        evidence = bytes.fromhex(self.model.fresh("evidence")[2:])
        step = self.rng.choice((11, 21, 31))
        self._prov_tx(o.holder, "addEvent", bytes.fromhex(original[2:]), step, evidence, self._timestamp() - 60)

    def record_with_consent(self, original: str, recorder: int) -> None:
        """A lifecycle event by partner ``recorder`` with the holder's signed consent."""
        from devtools.devnet import devnet_key
        from ledger.signing.actions import sign
        from ledger.signing.provenance import record_event_typed_data

        self.settle()
        o = self.model.originals[original]
        holder = self.c.address(o.holder)
        (nonce,) = self.c.provenance.view(self.c.client, "nonces", holder)
        ident = bytes.fromhex(original[2:])
        evidence = bytes.fromhex(self.model.fresh("evidence")[2:])
        occurred_at, deadline = self._timestamp() - 60, self._deadline()
        typed = record_event_typed_data(
            holder, ident, 21, evidence, occurred_at, self.c.address(recorder), nonce, deadline,
            self.c.chain_id, str(self.c.provenance.address),
        )  # fmt: skip
        signed = (holder, nonce, deadline, bytes.fromhex(sign(typed, devnet_key(o.holder))[2:]))
        self._prov_tx(recorder, "addEventWithConsent", ident, 21, evidence, occurred_at, signed)

    def anchor(self) -> None:
        """A Merkle root of lifecycle events anchored by a founder."""
        root = bytes.fromhex(self.model.fresh("event root")[2:])
        self._prov_tx(self.rng.choice(FOUNDER_IDS), "anchorEvents", root, self.rng.randrange(1, 500))

    def report(self, original: str, disposition: Disposition) -> None:
        """The owner reports the original lost or stolen (open plain offers stay open but cannot be taken)."""
        o = self.model.originals[original]
        evidence = bytes.fromhex(self.model.fresh("report")[2:])
        self._prov_tx(o.owner, "logIncident", bytes.fromhex(original[2:]), int(disposition), evidence)
        o.disposition = disposition

    def recover(self, original: str) -> None:
        o = self.model.originals[original]
        evidence = bytes.fromhex(self.model.fresh("recovered")[2:])
        self._prov_tx(o.owner, "clearDisposition", bytes.fromhex(original[2:]), evidence)
        o.disposition = Disposition.NONE

    def council_clearing(self, original: str) -> None:
        """A false report cleared by the council: one founder proposes, a second votes, an outsider executes."""
        proposer, second, _ = self.rng.sample(FOUNDER_IDS, 3)
        self.settle()
        remark = bytes.fromhex(self.model.fresh("clearing")[2:])
        receipt = self.c.prov_tx(proposer, "proposeClearing", bytes.fromhex(original[2:]), remark)
        clearing_id = int(receipt.logs[0]["topics"][1], 16)
        self.c.prov_tx(second, "voteClearing", clearing_id)
        self.c.prov_tx(OUTSIDER_ID, "executeClearing", clearing_id)
        self.model.originals[original].disposition = Disposition.NONE

    def provenance_step(self) -> None:
        """One random provenance action the registry accepts now."""
        originals = self.model.originals
        if not originals or self.rng.random() < 0.25:
            third_party = self.rng.random() < 0.3
            self.register(holder=self.rng.choice(HOLDERS) if third_party else None, soulbound=self.rng.random() < 0.1)
            return
        original = self.rng.choice(sorted(originals))
        o = originals[original]
        if o.disposition != Disposition.NONE:
            self.recover(original)
            return
        options: list[Callable[[], None]] = [partial(self.record, original)] * 2 + [self.anchor]
        options += [partial(self.report, original, self.rng.choice((Disposition.LOST, Disposition.STOLEN)))]
        for right in (Right.TITLE, Right.CUSTODY):
            if right == Right.TITLE and o.soulbound:
                continue
            if right in o.offers:
                options += [partial(self.accept, original, right)] * 3
                options += [partial(self.withdraw, original, right, self.rng.random() < 0.5)]
            else:
                to = self.rng.choice([i for i in HOLDERS if i != self._party(o, right)])
                options += [partial(self.offer, original, right, to)] * 2
        self.rng.choice(options)()

    def provenance_tour(self, certificate_id: str) -> None:
        """Every provenance event at least once: registrations (held by a third party, soulbound, linked to
        ``certificate_id`` and to a parent), offers accepted, rejected, cancelled and claimed, lifecycle events (by
        the holder, with consent, anchored), a report recovered and one cleared by the council."""
        museum, buyer, courier = 3, 4, 5
        art = self.register(0, owner=6, holder=museum)
        diploma = self.register(1, owner=7, soulbound=True)
        wood = self.register(0, owner=0)  # the registrar of what is made from it owns it
        self.register(0, owner=8, certificates=[certificate_id], parents=[wood])
        self.offer(art, Right.TITLE, buyer)
        self.withdraw(art, Right.TITLE, reject=True)
        self.offer(art, Right.TITLE, buyer)
        self.withdraw(art, Right.TITLE, reject=False)
        self.offer(art, Right.TITLE, buyer)
        self.accept(art, Right.TITLE)  # the museum keeps it
        self.offer(art, Right.CUSTODY, buyer)
        self.accept(art, Right.CUSTODY)
        self.claim(art, Right.CUSTODY, courier)
        self.claim(art, Right.TITLE, museum)
        self.record(art)
        self.record(diploma)
        self.record_with_consent(art, 2)
        self.anchor()
        self.report(art, Disposition.LOST)
        self.recover(art)
        self.report(diploma, Disposition.STOLEN)
        self.council_clearing(diploma)
        self.settle()

    # -- scripts --

    def tour(self) -> None:
        """Every event kind at least once, in a fixed order."""
        a, b, c = self.newcomers[:3]
        self.admit(a)
        self.admit(b, rights=0)
        self.set_issuer(b, grant=True)
        single = self.issue(a, valid_until=self._timestamp() + 10**6)
        held = self.issue(a)
        anchor = self.issue_batch(6, public=False, issuer=b)
        public = self.issue_batch(5, public=True)
        for action in ("suspend", "reinstate", "revoke"):  # by the issuer
            self._act(self.model.certificates[single], self.model.certificates[single].record, action, a, single,
                      bytes(32))  # fmt: skip
        cert = self.model.certificates[held]
        self._act(cert, cert.record, "suspend", FOUNDER_IDS[0], held, bytes(32))  # a council member's hold
        self._act(cert, cert.record, "reinstate", None, held, bytes(32))  # lifted by council decision
        for _ in range(4):
            self.change_document(anchor)
            self.change_document(public)
        self.change_details(a)
        self.suspend_partner(a)
        self.reinstate_partner(a)
        self.set_issuer(b, grant=False)
        self.change_root(anchor, "revoke")  # the issuer lost its right: a council decision
        self.apply(c)
        self.leave(c)
        self.apply(c)
        self.abandoned_proposal()
        self.expel(a, compromised=True)
        self.provenance_tour(held)
        self.settle()

    def step(self) -> None:
        """One random action, weighted towards certificates (as on a real chain), then provenance."""
        roll = self.rng.random()
        certs = self.model.certificates
        if roll < 0.35 or not certs:
            self.issue()
        elif roll < 0.45:
            self.issue_batch(self.rng.randrange(2, 9), public=self.rng.random() < 0.6)
        elif roll < 0.70:
            self.change_root(self.rng.choice(list(certs)))
        elif roll < 0.80:
            batches = [certificate_id for certificate_id, cert in certs.items() if cert.tree is not None]
            if batches:
                self.change_document(self.rng.choice(batches))
        elif roll < 0.88:
            self.provenance_step()
        elif roll < 0.97:
            self.partner_step(self.rng.choice(self.newcomers))
        else:
            self.abandoned_proposal()

    def steps(self, n: int) -> None:
        for _ in range(n):
            self.step()
        self.settle()


class Background:
    """Runs ``fn(stop)`` in a thread; on exit sets ``stop``, joins (bounded) and re-raises the thread's error."""

    def __init__(self, fn: Callable[[threading.Event], Any], name: str, join_timeout: float = 60.0) -> None:
        self.stop = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self._join_timeout = join_timeout

        def target() -> None:
            try:
                self.result = fn(self.stop)
            except BaseException as exc:
                self.error = exc

        self.thread = threading.Thread(target=target, name=name, daemon=True)

    def __enter__(self) -> Background:
        self.thread.start()
        return self

    def finish(self) -> Any:
        self.stop.set()
        self.thread.join(self._join_timeout)
        assert not self.thread.is_alive(), f"thread {self.thread.name} did not stop within {self._join_timeout} s"
        if self.error is not None:
            raise self.error
        return self.result

    def __exit__(self, *exc: object) -> None:
        if self.thread.is_alive() or self.error is not None:
            self.finish()


def generate(
    workload: Workload, url: str, seed: int, max_steps: int, max_seconds: float, pause: float = 0.0
) -> Callable[[threading.Event], int]:
    """A :class:`Background` target: random steps on a client of its own until stopped, ``max_steps`` or time."""

    def run(stop: threading.Event) -> int:
        client = RpcClient(url)
        try:
            worker = workload.on(client, seed)
            deadline = time.monotonic() + max_seconds
            done = 0
            while not stop.is_set() and done < max_steps and time.monotonic() < deadline:
                worker.step()
                done += 1
                if pause:
                    stop.wait(pause)
            worker.settle()
            return done
        finally:
            client.close()

    return run
