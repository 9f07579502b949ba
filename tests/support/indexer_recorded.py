"""The recorded scenario of ``data/raw_logs.json``: its inputs, and the recording as the tests read it.

``data/record_logs.py`` drives a real anvil with the inputs named here and writes what the node returned; the tests
import the same names to state what they expect, so an expectation reads like the scenario ("the mill's single
certificate") rather than like a hash. Nothing here starts a node.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.documents import MerkleTree
from ledger.indexer.decode import DecodedLog, RawLog
from ledger.indexer.runner import make_decoder
from support.devchain import certificate_id, h32

RAW_LOGS = Path(__file__).resolve().parents[1] / "ledger" / "indexer" / "data" / "raw_logs.json"

GENESIS_TIMESTAMP = 1_767_225_600  # 2026-01-01T00:00:00Z
BLOCK_INTERVAL = 12
"""Seconds between blocks; each transaction of the scenario is mined in a block of its own."""
TEN_YEARS = 10 * 365 * 24 * 3600
ANCHOR_VALID_UNTIL = GENESIS_TIMESTAMP + TEN_YEARS

MILL = 4
"""Anvil account 4: a textile mill, admitted as issuer, later expelled with a compromise cut-off."""
ASSOCIATION = 5
"""Anvil account 5: a heritage association, admitted, suspended, reinstated; leaves, then applies again."""
OUTSIDER = 3
"""Anvil account 3: not a partner; executes a proposal (anyone may)."""
MILL_METADATA = h32(4, "metadata")
SINGLE_ROOT = h32(1, "single-root")
SINGLE_FINGERPRINT = h32(1, "single-fingerprint")
ANCHOR_LEAVES = [h32(i, "anchor-leaf") for i in range(4)]
PUBLIC_LEAVES = [h32(i, "public-leaf") for i in range(3)]
PUBLIC_FINGERPRINTS = [h32(i, "public-fingerprint") for i in range(3)]
SECOND_FINGERPRINT = h32(0, "public-fingerprint-again")
"""The public batch publishes its first leaf twice, the second time with this fingerprint (finding 19 of issue 11:
both are on the chain, so both must be in the index)."""
PUBLISHED_LEAVES = [*PUBLIC_LEAVES, PUBLIC_LEAVES[0]]
PUBLISHED_FINGERPRINTS = [*PUBLIC_FINGERPRINTS, SECOND_FINGERPRINT]
"""What the public batch's transaction publishes, in order."""
TWIN_FINGERPRINT = h32(2, "twin-fingerprint")
"""Founder 2 certifies the mill's single root too, under its own certificate id, with this fingerprint."""
FOUNDER_DETAILS = (3, "University Competence Centre", "ucc.example", h32(2, "founder-metadata"))
"""The details a ChangeDetails proposal gives founder 2: org type, display name, domain, metadata hash."""

# The provenance part: founder 0 registers a work of art owned by OWNER and held by MUSEUM, and a plank of wood of its
# own from which it registers a frame, owned by OWNER and certified by the mill's single certificate; founder 1 a
# soulbound diploma of BUYER's. The art's title goes to BUYER (after one rejected and one cancelled offer), custody
# to BUYER, then by a one-time key to OWNER; lifecycle events, a theft reported and recovered, a loss cleared by the
# council.
OWNER, MUSEUM, BUYER = 6, 7, 8
ART = h32(1, "art-identifier")
DIPLOMA = h32(2, "diploma-identifier")
WOOD = h32(3, "wood-identifier")
FRAME = h32(4, "frame-identifier")
REJECT_REMARK = h32(1, "remark")
INSPECTION = h32(1, "evidence")
REPAIR = h32(2, "evidence")
EVENTS_ROOT = h32(1, "events-root")
THEFT_REPORT = h32(1, "report")
RECOVERY = h32(2, "report")
LOSS_REPORT = h32(3, "report")
CLEARING_REMARK = h32(1, "clearing-remark")
CLAIM_KEY = bytes.fromhex(h32(1, "claim-key")[2:])
"""The one-time key of the custody claim offer."""
OFFER_DEADLINE = GENESIS_TIMESTAMP + TEN_YEARS
EVENT_TIME = GENESIS_TIMESTAMP
"""When the lifecycle events happened (before their blocks, as the registry requires)."""
INSPECTING, REPAIRING = 11, 21


def tree_of(leaves: list[str]) -> MerkleTree:
    return MerkleTree.of([bytes.fromhex(leaf[2:]) for leaf in leaves])


ANCHOR_ROOT = "0x" + tree_of(ANCHOR_LEAVES).root.hex()
PUBLIC_ROOT = "0x" + tree_of(PUBLIC_LEAVES).root.hex()


@dataclass(frozen=True)
class CertificateIds:
    """The scenario's certificate ids (they name their issuers, so they depend on the recorded accounts)."""

    single: str
    twin: str
    anchor: str
    public: str


@dataclass(frozen=True)
class OriginalIds:
    """The scenario's original ids (keccak256(abi.encode(registrar, identifier)))."""

    art: str
    diploma: str
    wood: str
    frame: str


@dataclass(frozen=True)
class Step:
    """One transaction of the scenario and the block it landed in."""

    name: str
    tx_hash: str
    block_number: int
    block_hash: str
    timestamp: int


@dataclass(frozen=True)
class Recording:
    chain_id: int
    contracts: dict[str, str]
    accounts: dict[int, str]
    steps: dict[str, Step]
    """By name, in the order they ran."""
    logs: list[dict[str, Any]]
    """The ``eth_getLogs`` objects exactly as the node returned them."""

    def raw_logs(self) -> list[RawLog]:
        return [RawLog.from_rpc(obj) for obj in self.logs]

    def decoded(self) -> list[DecodedLog]:
        return make_decoder().decode_all(self.raw_logs())

    def step_of(self, tx_hash: str) -> Step:
        return next(step for step in self.steps.values() if step.tx_hash == tx_hash)

    def account(self, index: int) -> str:
        return self.accounts[index]

    @property
    def ids(self) -> CertificateIds:
        return CertificateIds(
            single=certificate_id(self.account(MILL), SINGLE_ROOT),
            twin=certificate_id(self.account(2), SINGLE_ROOT),
            anchor=certificate_id(self.account(0), ANCHOR_ROOT),
            public=certificate_id(self.account(1), PUBLIC_ROOT),
        )

    @property
    def originals(self) -> OriginalIds:
        return OriginalIds(
            art=certificate_id(self.account(0), ART),
            diploma=certificate_id(self.account(1), DIPLOMA),
            wood=certificate_id(self.account(0), WOOD),
            frame=certificate_id(self.account(0), FRAME),
        )


@functools.cache
def load() -> Recording:
    data = json.loads(RAW_LOGS.read_text(encoding="utf-8"))
    return Recording(
        chain_id=data["chain_id"],
        contracts=data["contracts"],
        accounts={int(i): address for i, address in data["accounts"].items()},
        steps={step["name"]: Step(**step) for step in data["steps"]},
        logs=data["logs"],
    )
