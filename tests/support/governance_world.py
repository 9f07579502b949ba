"""A fixed index of a consortium's governance, with a proposal of every status, for the proposal read tests.

Events go through the indexer's own :class:`~ledger.indexer.project.Projector` (no chain, no wall clock): block ``n``
has time ``GENESIS + 12 n``, proposals stay open for :data:`VOTING_PERIOD` (300 blocks), and the reorg window holds
the timestamps of the last :data:`WINDOW` blocks, as the indexer keeps them. The story, with the council of four
founders (town, bank, university, cooperative):

1. admit the lab: town, bank, cooperative yes; executed by the university (passed, 3 of 3 counted);
2. suspend the mill: town yes; bank, university, cooperative no (failed once its deadline passed: 3 no of 4);
3. expel the mill: town yes, bank no (expired: its deadline passed without a majority either way);
   the clock then moves on by more than a voting period;
6. grant the mill the council right, proposed by the cooperative: cooperative and town yes (open);
4. suspend the cooperative: town, bank, university yes; executed (passed): the council is three now, so proposal 6
   counts only the town's yes, against the larger council of four at its proposal time (3 needed);
5. admit the applicant, proposed by the bank with the university: open, 2 counted of 2 needed, executable now;
7. revoke a certificate of the mill (a council decision, subject the certificate registry): open, town yes.

Proposal ids follow the story's order of proposing (1, 2, 3, 6, 4, 5, 7 is the order of creation: 6 was made before
4), so "newest first" is 7, 5, 4, 6, 3, 2, 1.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert

from ledger.abi import abi_sha256, load_abi
from ledger.config import Settings
from ledger.db import schema as s
from ledger.db.engine import make_engine, upgrade
from ledger.deployments import ContractDeployment, Deployment, save_deployment
from ledger.events import (
    COUNCIL,
    ISSUER,
    ZERO_HASH,
    CertificateIssued,
    OrganisationType,
    PartnerRegistered,
    PartnerRightsChanged,
    PartnerStatus,
    PartnerStatusChanged,
    ProposalCreated,
    ProposalExecuted,
    ProposalKind,
    VoteCast,
)
from ledger.indexer.decode import DecodedLog
from ledger.indexer.project import Projector

CHAIN_ID = 31337
GENESIS = 1_767_225_600  # 2026-01-01T00:00:00Z
BLOCK_SECONDS = 12
VOTING_PERIOD = 3600
WINDOW = 128
PARTNERS = "0x" + "5a" * 20
REGISTRY = "0x" + "5b" * 20
TOWN = "0x" + "a1" * 20
BANK = "0x" + "b2" * 20
UNI = "0x" + "c3" * 20
COOP = "0x" + "c7" * 20
MILL = "0x" + "d4" * 20
LAB = "0x" + "1a" * 20
APPLICANT = "0x" + "e5" * 20
NAMES = {
    TOWN: "Town of Originals",
    BANK: "Cooperative Bank",
    UNI: "University Ledger Lab",
    COOP: "Farmers' Cooperative",
    MILL: "Textile Mill",
    LAB: "Materials Lab",
    APPLICANT: "Weavers Association",
}
PUBLIC_BASE_URL = "https://consortium.example"


def block_time(block: int) -> int:
    return GENESIS + BLOCK_SECONDS * block


@dataclass
class GovernanceWorld:
    """The events, and what the tests need to know about them: each proposal's creation, vote and execution blocks."""

    logs: list[DecodedLog] = field(default_factory=list)
    block: int = 10
    index: int = 0
    created: dict[int, int] = field(default_factory=dict)
    """Proposal id -> the block it was created in."""
    executed: dict[int, int] = field(default_factory=dict)
    """Proposal id -> the block it was executed in."""
    votes: dict[int, list[tuple[str, bool, int]]] = field(default_factory=dict)
    """Proposal id -> (voter, support, block) in the order cast."""
    certificate: str = ""
    checkpoint: int = 0

    def at(self) -> int:
        return block_time(self.block)

    def emit(self, *events: Any, new_block: bool = True) -> None:
        if new_block:
            self.block += 1
        for event in events:
            self.index += 1
            tx_hash = "0x" + hashlib.sha256(b"gov tx %d" % self.index).hexdigest()
            block_hash = "0x" + hashlib.sha256(b"gov block %d" % self.block).hexdigest()
            contract = REGISTRY if isinstance(event, CertificateIssued) else PARTNERS
            self.logs.append(DecodedLog(event, contract, self.block, block_hash, tx_hash, self.index))

    def partner(self, account: str, org: OrganisationType, rights: int | None) -> None:
        """Registered, then active with ``rights`` (a founder or earlier member) or applied (``rights`` None)."""
        self.emit(PartnerRegistered(account, int(org), NAMES[account], f"{account[2:6]}.example", ZERO_HASH))
        if rights is None:
            applied = PartnerStatusChanged(account, int(PartnerStatus.NONE), int(PartnerStatus.APPLIED), 0, self.at())
            self.emit(applied, new_block=False)
        else:
            active = PartnerStatusChanged(account, int(PartnerStatus.APPLIED), int(PartnerStatus.ACTIVE), 0, self.at())
            self.emit(active, PartnerRightsChanged(account, 0, rights, 0, self.at()), new_block=False)

    def propose(self, pid: int, kind: ProposalKind, subject: str, proposer: str, council: int, **extra: Any) -> None:
        deadline = block_time(self.block + 1) + VOTING_PERIOD  # the block it is about to be made in
        created = ProposalCreated(
            pid,
            int(kind),
            subject,
            proposer,
            extra.get("rights", 0),
            0,
            deadline,
            extra.get("target", ZERO_HASH),
            ZERO_HASH,
            extra.get("reason", 0),
            council,
        )
        self.emit(created, VoteCast(pid, proposer, True, 1, 0))
        self.created[pid] = self.block
        self.votes[pid] = [(proposer, True, self.block)]

    def vote(self, pid: int, voter: str, support: bool) -> None:
        cast = self.votes[pid]
        yes = sum(1 for _, s_, _ in cast if s_) + support
        no = sum(1 for _, s_, _ in cast if not s_) + (not support)
        self.emit(VoteCast(pid, voter, support, yes, no))
        cast.append((voter, support, self.block))

    def execute(self, pid: int, executor: str, counted: int, required: int, *effects: Any) -> None:
        self.emit(ProposalExecuted(pid, executor, counted, required), *effects)
        self.executed[pid] = self.block


def build_events() -> GovernanceWorld:
    w = GovernanceWorld()
    for founder in (TOWN, BANK, UNI, COOP):
        w.partner(founder, OrganisationType.PUBLIC_ADMINISTRATION, ISSUER | COUNCIL)
    w.partner(MILL, OrganisationType.SME, ISSUER)
    w.partner(LAB, OrganisationType.RESEARCH_INSTITUTE, None)
    w.partner(APPLICANT, OrganisationType.ASSOCIATION, None)
    w.certificate = "0x" + hashlib.sha256(b"the mill's certificate").hexdigest()
    w.emit(CertificateIssued(w.certificate, MILL, "0x" + "f1" * 32, "0x" + "f2" * 32, w.at(), 0))

    w.propose(1, ProposalKind.ADMIT, LAB, TOWN, 4, rights=ISSUER, target="0x" + "ad" * 32)
    w.vote(1, BANK, True)
    w.vote(1, COOP, True)
    w.block += 1
    admitted = PartnerStatusChanged(LAB, int(PartnerStatus.APPLIED), int(PartnerStatus.ACTIVE), 1, w.at() + 12)
    w.execute(1, UNI, 3, 3, admitted, PartnerRightsChanged(LAB, 0, ISSUER, 1, w.at() + 12))

    w.propose(2, ProposalKind.SUSPEND, MILL, TOWN, 4)
    for voter in (BANK, UNI, COOP):
        w.vote(2, voter, False)
    w.propose(3, ProposalKind.EXPEL, MILL, TOWN, 4)
    w.vote(3, BANK, False)

    w.block += VOTING_PERIOD // BLOCK_SECONDS + 100  # proposals 2 and 3 lapse
    w.propose(6, ProposalKind.GRANT_RIGHTS, MILL, COOP, 4, rights=COUNCIL)
    w.vote(6, TOWN, True)
    w.propose(4, ProposalKind.SUSPEND, COOP, TOWN, 4)
    w.vote(4, BANK, True)
    w.vote(4, UNI, True)
    suspended = PartnerStatusChanged(COOP, int(PartnerStatus.ACTIVE), int(PartnerStatus.SUSPENDED), 4, w.at() + 12)
    w.execute(4, BANK, 3, 3, suspended)
    w.propose(5, ProposalKind.ADMIT, APPLICANT, BANK, 3, rights=ISSUER, target="0x" + "ae" * 32)
    w.vote(5, UNI, True)
    w.propose(7, ProposalKind.REVOKE_CERTIFICATE, REGISTRY, TOWN, 3, target=w.certificate, reason=5)
    w.checkpoint = w.block + 2
    return w


def write_index(engine: Engine, w: GovernanceWorld, window: int = WINDOW) -> None:
    """The world's rows, its checkpoint and the reorg window (block hashes with their times) into ``engine``."""
    upgrade(engine)
    with engine.begin() as conn:
        Projector(CHAIN_ID).apply(conn, w.logs)
        conn.execute(
            insert(s.sync_state).values(
                id=1,
                chain_id=CHAIN_ID,
                config_hash="0" * 64,
                schema_version=s.SCHEMA_VERSION,
                checkpoint_block=w.checkpoint,
                checkpoint_hash="0x" + hashlib.sha256(b"gov block %d" % w.checkpoint).hexdigest(),
                updated_at=GENESIS,
            )
        )
        if window:
            conn.execute(
                insert(s.block_hashes),
                [
                    {
                        "number": n,
                        "hash": "0x" + hashlib.sha256(b"gov block %d" % n).hexdigest(),
                        "parent_hash": "0x" + hashlib.sha256(b"gov block %d" % (n - 1)).hexdigest(),
                        "timestamp": block_time(n),
                    }
                    for n in range(w.checkpoint - window + 1, w.checkpoint + 1)
                ],
            )


def build(directory: Path, database_url: str | None = None, window: int = WINDOW) -> tuple[Settings, GovernanceWorld]:
    """The index (SQLite under ``directory`` unless ``database_url`` names another, empty database), its deployment
    manifest (voting period :data:`VOTING_PERIOD`) and the settings of an API over it."""
    w = build_events()
    url = database_url or f"sqlite:///{directory / 'governance.db'}"
    engine = make_engine(url)
    try:
        write_index(engine, w, window)
    finally:
        engine.dispose()

    def entry(name: str, address: str, block: int) -> ContractDeployment:
        return ContractDeployment(address, block, "0x" + "0b" * 32, "0x" + "0c" * 32, abi_sha256(load_abi(name)))

    deployment = Deployment(
        CHAIN_ID,
        "ethereum:local",
        TOWN,
        VOTING_PERIOD,
        {
            "PartnerRegistry": entry("PartnerRegistry", PARTNERS, 1),
            "CertificateRegistry": entry("CertificateRegistry", REGISTRY, 2),
        },
    )
    save_deployment(deployment, directory / "deployments")
    settings = Settings(
        environment="test",
        database_url=url,
        rpc_url="http://127.0.0.1:9",
        deployments_dir=directory / "deployments",
        rate_limit="off",
        public_base_url=PUBLIC_BASE_URL,
    )
    return settings, w
