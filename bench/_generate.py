"""Datasets for the indexer benchmark: an anvil filled with the project's real events, fast, and cached on disk.

Two shapes, both made of real transactions against the real contracts (deployed with ``tests/support/devchain.py``):

- **dense**: many events per block. Each round sends Merkle batches with public fingerprints (``issueBatchPublic``
  of 1,024 documents: 1,025 events in one transaction), single certificates, and status changes (suspend, revoke,
  reinstate; of whole certificates and of single documents with their Merkle proof, by the issuer or by the council)
  with automining off, then mines until the pool is empty: about nine batches fill a 30M-gas block, so blocks carry
  ~10,000 events. Every few rounds the council admits, suspends, reinstates, re-rights or expels partners.
- **sparse**: a few events every 10,000-16,000 empty blocks (``anvil_mine``), so the indexer's ``eth_getLogs`` range
  has to grow past 10,000 blocks per call to get anywhere.

Transactions are signed locally and sent in JSON-RPC batches (:meth:`TxSender.send_many`) with explicit gas limits;
the base fee is pinned to 0 so cached fee caps never fall behind. A generated chain is dumped with anvil's
``--dump-state`` under the git-ignored ``bench/.scratch/chains/`` and reloaded with ``--load-state`` (the key covers
the spec, this generator's version, the contracts' bytecode and the anvil version, so a stale dump is never reused).
After generating, the events are counted on chain and compared with what the generator sent: a reverted
transaction, which would silently thin the dataset, stops the run.

The dense chain runs the project's rules (``--hardfork prague``). The sparse one runs ``cancun``: with Prague rules
anvil 1.7.1 re-hashes the growing EIP-2935 block-hash history contract for every block it mines, so mining gets
slower with chain length (10,000 empty blocks take minutes); the contracts use no Prague-only opcode and their logs
are the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from eth_hash.auto import keccak

from devtools.devnet import anvil_binary, free_port
from devtools.toolchain import PROJECT_ROOT
from ledger.abi import CONTRACTS, load_abi
from ledger.chain.rpc import RpcClient
from ledger.chain.tx import Call
from ledger.documents import MerkleTree
from ledger.events import ISSUER

sys.path.insert(0, str(PROJECT_ROOT / "tests"))
from support import devchain

GENERATOR_VERSION = 4
"""Bump when the generated chain changes, so cached dumps are regenerated."""
CHAINS = PROJECT_ROOT / "bench" / ".scratch" / "chains"
ACCOUNTS = 40
FINALITY_BLOCKS = 70
"""Empty blocks mined at the end: anvil's ``finalized`` is latest - 64, so backfill then covers every event."""
PROPOSE, ADMIT, SUSPEND, REINSTATE, EXPEL, GRANT, WITHDRAW = "propose", 0, 1, 2, 3, 4, 5


class BenchError(RuntimeError):
    """The benchmark cannot go on (a missing build, a node that did not start, a dataset that came out wrong)."""


@dataclass(frozen=True)
class Spec:
    """What one dataset contains. ``rounds`` bounds the generation; dense stops once ``events`` are sent."""

    name: str
    kind: str  # "dense" | "sparse"
    events: int
    rounds: int
    batch_size: int
    batches_per_round: int
    singles_per_round: int
    status_per_round: int
    governance_every: int
    gap: tuple[int, int] = (0, 0)
    hardfork: str = "prague"
    seed: int = 2026

    def key(self, anvil_version: str) -> str:
        blob = json.dumps(
            {
                "spec": asdict(self),
                "generator": GENERATOR_VERSION,
                "bytecode": {name: hashlib.sha256(devchain.bytecode(name).encode()).hexdigest() for name in CONTRACTS},
                "anvil": anvil_version,
            },
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


def dense(events: int) -> Spec:
    # 9 batches of 1,024 (3.14M gas each) fill a 30M block; singles and status changes take the next one.
    return Spec(
        name=f"dense-{events // 1_000_000}m" if events % 1_000_000 == 0 else f"dense-{events // 1000}k",
        kind="dense",
        events=events,
        rounds=events // 9_000 + 10,
        batch_size=1024,
        batches_per_round=9,
        singles_per_round=250,
        status_per_round=100,
        governance_every=4,
    )


def sparse(rounds: int) -> Spec:
    return Spec(
        name=f"sparse-{rounds}",
        kind="sparse",
        events=0,
        rounds=rounds,
        batch_size=16,
        batches_per_round=1,
        singles_per_round=2,
        status_per_round=1,
        governance_every=8,
        gap=(10_000, 16_000),
        hardfork="cancun",
    )


@dataclass
class DatasetInfo:
    """Ground truth about a generated chain, stored next to its dump."""

    name: str
    kind: str
    key: str
    hardfork: str
    chain_id: int
    start_block: int
    head: int
    events: int
    events_by_name: dict[str, int]
    transactions: int
    blocks_with_events: int
    max_events_per_block: int
    generate_seconds: float
    state_bytes: int = 0

    @property
    def events_per_event_block(self) -> float:
        return self.events / max(1, self.blocks_with_events)


# ---------------------------------------------------------------------------------------------------------- node
def anvil_version() -> str:
    out = subprocess.run([anvil_binary(), "--version"], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[0].replace("anvil Version: ", "").strip()


@dataclass
class Node:
    """One anvil process of the benchmark: stopped on exit whatever happened (``--dump-state`` written on SIGTERM)."""

    hardfork: str = "prague"
    load: Path | None = None
    dump: Path | None = None
    log: Path | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 600.0) -> Node:
        args = [anvil_binary(), "--host", "127.0.0.1", "--port", str(self.port), "--hardfork", self.hardfork]
        args += ["--accounts", str(ACCOUNTS), "--block-base-fee-per-gas", "0", "--prune-history", "--silent"]
        if self.load is not None:
            args += ["--load-state", str(self.load)]
        if self.dump is not None:
            args += ["--dump-state", str(self.dump)]
        out = self.log.open("ab") if self.log is not None else subprocess.DEVNULL
        self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout  # loading a 1 GB dump takes a while
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"anvil exited at start with code {self.process.returncode} (args {args[1:]})")
            with contextlib.suppress(httpx.TransportError):
                reply = httpx.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=2)
                if reply.status_code == 200:
                    return self
            time.sleep(0.1)
        self.stop()
        raise BenchError(f"anvil did not answer on {self.url} within {timeout:.0f} s")

    def stop(self, timeout: float = 600.0) -> None:
        """SIGTERM (anvil dumps its state if asked to, which takes a while for a big chain), then SIGKILL."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def rss_mb(self) -> float:
        if self.process is None:
            return 0.0
        return vm_hwm_mb(self.process.pid)

    def __enter__(self) -> Node:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def vm_hwm_mb(pid: int) -> float:
    """Peak resident set size of a live process (``VmHWM``), in MiB."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


# ----------------------------------------------------------------------------------------------------- the model
@dataclass
class Cert:
    root: bytes
    issuer: int
    id: bytes
    """keccak256(abi.encode(issuer, root)): what every status function takes."""
    leaves: list[bytes] | None = None  # kept for recent batches only (proofs of document status changes)
    tree: MerkleTree | None = None
    status: dict[bytes, tuple[str, bool]] = field(default_factory=dict)
    """(root-level key b"" or leaf) -> (valid|suspended|revoked, suspended by the council)."""


BLOCK_GAS = 29_500_000
"""Declared gas packed into one block (anvil's limit is 30M)."""


def _blocks(calls: Sequence[tuple[int, Call]]) -> list[list[tuple[int, Call]]]:
    """Split ``calls`` in order into blocks whose declared gas fits one block."""
    blocks: list[list[tuple[int, Call]]] = [[]]
    gas = 0
    for sender, call in calls:
        assert call.gas is not None
        if gas + call.gas > BLOCK_GAS and blocks[-1]:
            blocks.append([])
            gas = 0
        blocks[-1].append((sender, call))
        gas += call.gas
    return blocks


class Generator:
    """Drives one consortium on one node through the rounds of a :class:`Spec`."""

    def __init__(self, spec: Spec, client: RpcClient, deployments_dir: Path) -> None:
        self.spec = spec
        self.client = client
        self.rng = random.Random(spec.seed)
        self.consortium = devchain.deploy(client, deployments_dir)
        self.issuers: list[int] = [0, 1, 2]
        self.suspended: list[int] = []
        self.expelled: list[int] = []
        self.next_account = 3
        self.certs: list[Cert] = []
        self.recent_batches: list[Cert] = []
        chain_id = int(client.call("eth_chainId"), 16)
        addresses, start = watched(deployments_dir, chain_id)
        founding, _ = count_events(client, addresses, start, int(client.call("eth_blockNumber"), 16))
        self.sent_events = sum(founding.values())  # the founders' registration, emitted by the constructor
        self.transactions = 2
        self.governance_steps = 0
        self.valid_until = int(time.time()) + 10 * 365 * 24 * 3600

    # -- the loop ---------------------------------------------------------------------------------------------------
    def run(self, progress: bool = True) -> None:
        spec = self.spec
        started = time.monotonic()
        for _ in range(2):
            self.governance()  # two admissions first: issuers besides the founders
        for round_no in range(spec.rounds):
            if spec.kind == "dense" and self.sent_events >= spec.events:
                break
            if spec.kind == "sparse":
                self.client.call("anvil_mine", [hex(self.rng.randint(*spec.gap))])
            if round_no and round_no % spec.governance_every == 0:
                self.governance()
            self.round()
            if progress and (round_no % 10 == 0 or round_no == spec.rounds - 1):
                print(
                    f"  {spec.name}: round {round_no + 1}, {self.sent_events:,} events sent, "
                    f"{time.monotonic() - started:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
        self.client.call("anvil_mine", [hex(FINALITY_BLOCKS)])

    def round(self) -> None:
        """Issuance and status changes, sent a block's worth at a time (automining off), each block then mined."""
        spec, rng, c = self.spec, self.rng, self.consortium
        calls: list[tuple[int, Call]] = []
        new: list[Cert] = []
        for _ in range(spec.batches_per_round):
            issuer = rng.choice(self.issuers)
            leaves = [rng.randbytes(32) for _ in range(spec.batch_size)]
            fingerprints = [rng.randbytes(32) for _ in range(spec.batch_size)]
            tree = MerkleTree.of(leaves)
            data = c.certificates.encode("issueBatchPublic", tree.root, self._expiry(), leaves, fingerprints)
            calls.append((issuer, Call(c.certificates.address, data, 70_000 + 3_000 * spec.batch_size)))
            new.append(Cert(tree.root, issuer, self._id(issuer, tree.root), leaves, tree))
            self.sent_events += spec.batch_size + 1
        for _ in range(spec.singles_per_round):
            issuer = rng.choice(self.issuers)
            root = rng.randbytes(32)
            data = c.certificates.encode("issue", root, rng.randbytes(32), self._expiry())
            calls.append((issuer, Call(c.certificates.address, data, 90_000)))
            new.append(Cert(root, issuer, self._id(issuer, root)))
            self.sent_events += 1
        for sender, call in self._status_changes(spec.status_per_round):
            calls.append((sender, call))
            self.sent_events += 1
        self.client.call("evm_setAutomine", [False])
        try:
            for block in _blocks(calls):
                self._send_and_mine(block)
        finally:
            self.client.call("evm_setAutomine", [True])
        self.certs.extend(new)
        batches = self.recent_batches + [x for x in new if x.tree is not None]
        for cert in batches[:-40]:
            cert.leaves = cert.tree = None  # only recent batches keep their trees (memory)
        self.recent_batches = batches[-40:]

    def _send_and_mine(self, block: list[tuple[int, Call]]) -> None:
        """Send one block's transactions, then mine it. A block is never overfilled: anvil 1.7.1 silently drops a
        pending transaction that does not fit into the block it is mining, and every later one of its sender."""
        by_sender: dict[int, list[Call]] = {}
        for sender, call in block:
            by_sender.setdefault(sender, []).append(call)
        for sender, batch in by_sender.items():
            big = [x for x in batch if len(x.data) > 20_000]
            small = [x for x in batch if len(x.data) <= 20_000]
            self.consortium.sender(sender).send_many(big, chunk=4)  # anvil refuses request bodies over a few MB
            self.consortium.sender(sender).send_many(small, chunk=200)
        self.transactions += len(block)
        self.client.call("evm_mine")
        status = self.client.call("txpool_status")
        if int(status["pending"], 16) or int(status["queued"], 16):
            raise BenchError(f"a mined block left transactions in the pool: {status}")

    def _id(self, issuer: int, root: bytes) -> bytes:
        return bytes.fromhex(devchain.certificate_id(self.consortium.address(issuer), "0x" + root.hex())[2:])

    def _expiry(self) -> int:
        return 0 if self.rng.random() < 0.5 else self.valid_until

    # -- status changes ---------------------------------------------------------------------------------------------
    def _status_changes(self, count: int) -> list[tuple[int, Call]]:
        """Valid status changes on certificates mined in earlier rounds, at most one per certificate per round.

        As the registry allows them without a council decision: the issuer, while an active issuer, suspends,
        revokes, or lifts its own suspension; another council member (a founder) only puts a hold on a certificate
        or document, which only a council decision could lift (the generator leaves those suspended).
        """
        rng, c = self.rng, self.consortium
        out: list[tuple[int, Call]] = []
        touched: set[bytes] = set()
        for _ in range(count * 4):
            if len(out) >= count or not self.certs:
                break
            document = bool(self.recent_batches) and rng.random() < 0.5
            cert = rng.choice(self.recent_batches) if document else rng.choice(self.certs)
            if cert.id in touched:
                continue
            leaf = b""
            if document:
                assert cert.leaves is not None
                leaf = rng.choice(cert.leaves)
            state, by_council = cert.status.get(leaf, ("valid", False))
            issuer = cert.issuer in self.issuers  # active, with the issuer right (never a cut-off while so)
            hold = rng.random() < 0.2 or not issuer
            if state == "revoked" or (state == "suspended" and by_council):
                continue
            if hold:
                action, new_state = "suspend", "suspended"
                sender = 1 if cert.issuer == 0 else 0
            elif state == "valid":
                action, new_state = ("revoke", "revoked") if rng.random() < 0.3 else ("suspend", "suspended")
                sender = cert.issuer
            else:
                action, new_state = "reinstate", "valid"
                sender = cert.issuer
            reason = rng.randint(1, 9)
            if leaf:
                assert cert.tree is not None
                args: tuple[Any, ...] = (cert.id, leaf, reason, cert.tree.proof(leaf))
                data = c.certificates.encode(f"{action}Document", *args)
            else:
                data = c.certificates.encode(action, cert.id, reason)
            cert.status[leaf] = (new_state, hold)
            touched.add(cert.id)
            out.append((sender, Call(c.certificates.address, data, 120_000)))
        return out

    # -- governance -------------------------------------------------------------------------------------------------
    def governance(self) -> None:
        """One council decision, mined at once (automine): admit, suspend/reinstate, re-right or expel a partner."""
        step = self.governance_steps
        self.governance_steps += 1
        admitted = [i for i in self.issuers if i > 2]
        if step % 5 in (0, 2) or not admitted:
            if self.next_account < ACCOUNTS:
                self._admit(self.next_account)
                self.issuers.append(self.next_account)
                self.next_account += 1
            return
        if step % 5 == 1:
            if self.suspended:
                partner = self.suspended.pop()
                self._decide(REINSTATE, partner)
                self.issuers.append(partner)
            elif len(admitted) > 1:
                partner = admitted[0]
                self._decide(SUSPEND, partner)
                self.issuers.remove(partner)
                self.suspended.append(partner)
            return
        if step % 5 == 3:
            partner = admitted[-1]
            self._decide(WITHDRAW, partner, ISSUER)
            self._decide(GRANT, partner, ISSUER)
            self._vote_down(partner)
            return
        if len(admitted) > 2:  # step % 5 == 4: expel with a compromise cut-off
            partner = admitted[1]
            latest = int(self.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
            self._decide(EXPEL, partner, 0, latest - 1)
            self.issuers.remove(partner)
            self.expelled.append(partner)

    def _admit(self, account: int) -> None:
        c = self.consortium
        receipt = c.partner_tx(
            account, "applyForMembership", account % 8, f"Partner {account}", "p.example", b"\1" * 32
        )
        self._count(receipt.logs)
        self._decide(ADMIT, account, ISSUER)

    def _decide(self, kind: int, subject: int, rights: int = 0, cutoff: int = 0) -> None:
        c = self.consortium
        receipt = c.partner_tx(0, "propose", kind, c.address(subject), rights, cutoff)
        self._count(receipt.logs)
        proposal_id = int(receipt.logs[0]["topics"][1], 16)
        self._count(c.partner_tx(1, "vote", proposal_id, True).logs)
        self._count(c.partner_tx(2, "execute", proposal_id).logs)

    def _vote_down(self, subject: int) -> None:
        """A proposal that fails: proposed, voted against, never executed."""
        c = self.consortium
        receipt = c.partner_tx(0, "propose", WITHDRAW, c.address(subject), ISSUER, 0)
        self._count(receipt.logs)
        proposal_id = int(receipt.logs[0]["topics"][1], 16)
        self._count(c.partner_tx(1, "vote", proposal_id, False).logs)
        self._count(c.partner_tx(2, "vote", proposal_id, False).logs)

    def _count(self, logs: Sequence[Any]) -> None:
        self.sent_events += len(logs)
        self.transactions += 1


# ------------------------------------------------------------------------------------------------- ground truth
def event_names() -> dict[str, str]:
    """topic0 -> event name, for every event of the committed ABIs."""
    names = {}
    for contract in CONTRACTS:
        for entry in load_abi(contract):
            if entry.get("type") == "event":
                signature = f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"
                names["0x" + keccak(signature.encode()).hex()] = entry["name"]
    return names


def watched(deployments_dir: Path, chain_id: int) -> tuple[list[str], int]:
    """The registries' addresses and the deployment's first block, from the manifest the generator wrote."""
    from ledger.deployments import load_deployment

    deployment = load_deployment(chain_id, deployments_dir)
    return [deployment.contract(name).address.lower() for name in CONTRACTS], deployment.start_block


def iter_logs(client: RpcClient, addresses: list[str], start: int, end: int) -> Iterator[dict[str, Any]]:
    """Every log of ``addresses`` in ``[start, end]``, in chain order, fetched in ranges of at most ~40k logs."""
    cursor, size = start, 1
    for _ in range(10_000_000):
        if cursor > end:
            return
        to = min(end, cursor + size - 1)
        logs = client.call("eth_getLogs", [{"address": addresses, "fromBlock": hex(cursor), "toBlock": hex(to)}])
        yield from logs
        size = max(1, size // 2) if len(logs) > 40_000 else (min(100_000, size * 2) if len(logs) < 10_000 else size)
        cursor = to + 1
    raise BenchError("iter_logs did not reach the end block")


def count_events(
    client: RpcClient, addresses: list[str], start: int, end: int
) -> tuple[dict[str, int], dict[int, int]]:
    """Events by name and by block on chain in ``[start, end]``."""
    names = event_names()
    by_name: dict[str, int] = {}
    by_block: dict[int, int] = {}
    for entry in iter_logs(client, addresses, start, end):
        name = names.get(entry["topics"][0], "unknown")
        by_name[name] = by_name.get(name, 0) + 1
        block = int(entry["blockNumber"], 16)
        by_block[block] = by_block.get(block, 0) + 1
    return by_name, by_block


def attach(client: RpcClient, deployments_dir: Path) -> devchain.Consortium:
    """The consortium of a dataset's deployment on a running node (to send more transactions to it)."""
    from ledger.chain.contracts import ContractBinding
    from ledger.deployments import load_deployment

    chain_id = int(client.call("eth_chainId"), 16)
    deployment = load_deployment(chain_id, deployments_dir)
    return devchain.Consortium(
        client,
        chain_id,
        ContractBinding(load_abi("PartnerRegistry"), deployment.contract("PartnerRegistry").address),
        ContractBinding(load_abi("CertificateRegistry"), deployment.contract("CertificateRegistry").address),
        ContractBinding(load_abi("ProvenanceRegistry"), deployment.contract("ProvenanceRegistry").address),
        deployment,
    )


# ----------------------------------------------------------------------------------------------------- datasets
@dataclass
class Chain:
    """A running node holding a dataset, and where its deployment manifest is."""

    node: Node
    client: RpcClient
    deployments_dir: Path
    info: DatasetInfo

    @property
    def url(self) -> str:
        return self.node.url


def _paths(spec: Spec, key: str) -> tuple[Path, Path, Path]:
    base = CHAINS / f"{spec.name}-{key}"
    return base / "state.json", base / "deployments", base / "info.json"


def generate(spec: Spec, keep: bool = True, log: Path | None = None) -> DatasetInfo:
    """Generate ``spec`` on a fresh node; with ``keep``, dump its state for :func:`open_chain` to reload."""
    key = spec.key(anvil_version())
    state, deployments, info_path = _paths(spec, key)
    shutil.rmtree(state.parent, ignore_errors=True)
    deployments.mkdir(parents=True)
    started = time.monotonic()
    with Node(spec.hardfork, dump=state if keep else None, log=log) as node, RpcClient(node.url, timeout=600) as client:
        generator = Generator(spec, client, deployments)
        generator.run()
        chain_id = int(client.call("eth_chainId"), 16)
        head = int(client.call("eth_blockNumber"), 16)
        addresses, start_block = watched(deployments, chain_id)
        by_name, by_block = count_events(client, addresses, start_block, head)
        total = sum(by_name.values())
        if total != generator.sent_events:
            raise BenchError(
                f"{spec.name}: {generator.sent_events:,} events sent but {total:,} on chain: a transaction reverted"
            )
        seconds = time.monotonic() - started
        print(
            f"  {spec.name}: {total:,} events in {head:,} blocks, generated in {seconds:.0f} s; anvil peak RSS "
            f"{node.rss_mb():,.0f} MiB",
            file=sys.stderr,
            flush=True,
        )
        info = DatasetInfo(
            name=spec.name,
            kind=spec.kind,
            key=key,
            hardfork=spec.hardfork,
            chain_id=chain_id,
            start_block=start_block,
            head=head,
            events=total,
            events_by_name=dict(sorted(by_name.items())),
            transactions=generator.transactions,
            blocks_with_events=len(by_block),
            max_events_per_block=max(by_block.values(), default=0),
            generate_seconds=round(seconds, 1),
        )
    if keep:
        if not state.is_file():
            raise BenchError(f"anvil wrote no state dump to {state}")
        info.state_bytes = state.stat().st_size
        info_path.write_text(json.dumps(asdict(info), indent=2) + "\n")
    return info


def cached(spec: Spec) -> DatasetInfo | None:
    state, _deployments, info_path = _paths(spec, spec.key(anvil_version()))
    if state.is_file() and info_path.is_file():
        return DatasetInfo(**json.loads(info_path.read_text()))
    return None


@contextlib.contextmanager
def open_chain(spec: Spec, log: Path | None = None) -> Iterator[Chain]:
    """A node holding ``spec``'s dataset: the cached dump reloaded, or generated (and dumped) first."""
    info = cached(spec)
    if info is None:
        print(f"generating {spec.name} (cached under {CHAINS} for later runs)", file=sys.stderr, flush=True)
        info = generate(spec, log=log)
    state, deployments, _info = _paths(spec, info.key)
    loading = time.monotonic()
    with Node(spec.hardfork, load=state, log=log) as node, RpcClient(node.url, timeout=600) as client:
        head = int(client.call("eth_blockNumber"), 16)
        if head != info.head:
            raise BenchError(f"{state} reloaded at block {head}, not {info.head}: delete {state.parent}")
        print(f"  {spec.name}: reloaded in {time.monotonic() - loading:.1f} s", file=sys.stderr, flush=True)
        yield Chain(node, client, deployments, info)


def drop_cache(keep: Sequence[Spec] = ()) -> None:
    """Delete cached dumps, except those of ``keep`` at their current key."""
    if not CHAINS.is_dir():
        return
    version = anvil_version()
    wanted = {f"{spec.name}-{spec.key(version)}" for spec in keep}
    for path in CHAINS.iterdir():
        if path.name not in wanted:
            shutil.rmtree(path, ignore_errors=True)
