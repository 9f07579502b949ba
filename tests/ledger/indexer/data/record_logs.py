"""Record the raw ``eth_getLogs`` answer of a scenario that emits every registry event, for the indexer's unit tests.

Run from the project root after ``ape compile`` (it deploys the compiled bytecode to a fresh anvil)::

    python tests/ledger/indexer/data/record_logs.py            # rewrites tests/ledger/indexer/data/raw_logs.json

The unit tests read the JSON file and never start a node, so they test the decoder and the projector against what a
real node returns rather than against logs we encoded ourselves. anvil starts from a fixed genesis timestamp and
advances a fixed interval per block, so block hashes, transaction hashes and timestamps come out the same on every
run: re-recording after a change that does not touch the contracts leaves the file unchanged.

The scenario's inputs live in ``tests/support/indexer_recorded.py``, which the tests import too. The file holds
the chain id, the contract addresses, every step of the scenario (name, transaction hash, block number, block
timestamp) in order, and the logs exactly as the node returned them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[4]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support import devchain  # noqa: E402
from support.indexer_recorded import (  # noqa: E402
    ANCHOR_LEAVES,
    ANCHOR_ROOT,
    ANCHOR_VALID_UNTIL,
    ART,
    ASSOCIATION,
    BLOCK_INTERVAL,
    BUYER,
    CLAIM_KEY,
    CLEARING_REMARK,
    DIPLOMA,
    EVENT_TIME,
    EVENTS_ROOT,
    FOUNDER_DETAILS,
    FRAME,
    GENESIS_TIMESTAMP,
    INSPECTING,
    INSPECTION,
    LOSS_REPORT,
    MILL,
    MILL_METADATA,
    MUSEUM,
    OFFER_DEADLINE,
    OUTSIDER,
    OWNER,
    PUBLIC_LEAVES,
    PUBLIC_ROOT,
    PUBLISHED_FINGERPRINTS,
    PUBLISHED_LEAVES,
    RAW_LOGS,
    RECOVERY,
    REJECT_REMARK,
    REPAIR,
    REPAIRING,
    SINGLE_FINGERPRINT,
    SINGLE_ROOT,
    THEFT_REPORT,
    TWIN_FINGERPRINT,
    WOOD,
    CertificateIds,
    tree_of,
)

from devtools.devnet import Anvil  # noqa: E402
from ledger.chain.rpc import RpcClient  # noqa: E402
from ledger.chain.tx import Receipt  # noqa: E402
from ledger.events import COUNCIL, ISSUER, OrganisationType, ProposalKind  # noqa: E402


def hex32(value: bytes) -> str:
    return "0x" + value.hex()


@dataclass
class Recorder:
    """Runs the scenario's steps one transaction at a time and remembers where each one landed."""

    consortium: devchain.Consortium
    steps: list[dict[str, Any]]

    def step(self, name: str, send: Callable[[], Receipt]) -> Receipt:
        receipt = send()
        block = self.consortium.client.call("eth_getBlockByNumber", [hex(receipt.block_number), False])
        self.steps.append(
            {
                "name": name,
                "tx_hash": receipt.tx_hash,
                "block_number": receipt.block_number,
                "block_hash": receipt.block_hash,
                "timestamp": int(block["timestamp"], 16),
            }
        )
        return receipt

    def timestamp(self, name: str) -> int:
        return next(int(s["timestamp"]) for s in self.steps if s["name"] == name)


def run_scenario(c: devchain.Consortium, recorder: Recorder) -> None:
    """Every event type at least once; see the step names for what each transaction does."""
    step, ptx, ctx = recorder.step, c.partner_tx, c.cert_tx
    mill, association = c.address(MILL), c.address(ASSOCIATION)
    zero = b"\0" * 32
    ids = CertificateIds(
        single=devchain.certificate_id(mill, SINGLE_ROOT),
        twin=devchain.certificate_id(c.address(2), SINGLE_ROOT),
        anchor=devchain.certificate_id(c.address(0), ANCHOR_ROOT),
        public=devchain.certificate_id(c.address(1), PUBLIC_ROOT),
    )

    def raw(value: str) -> bytes:
        return bytes.fromhex(value[2:])

    # Admission with a yes vote (proposal 1), and one with a no vote, executed by an outsider (proposal 2).
    step("mill applies", lambda: ptx(MILL, "applyForMembership", OrganisationType.ENTERPRISE, "Textile Mill",
                                     "mill.example", raw(MILL_METADATA)))  # fmt: skip
    step("propose admit mill", lambda: ptx(0, "propose", ProposalKind.ADMIT, mill, ISSUER, 0))
    step("vote yes on 1", lambda: ptx(1, "vote", 1, True))
    step("execute 1", lambda: ptx(2, "execute", 1))
    step("association applies", lambda: ptx(ASSOCIATION, "applyForMembership", OrganisationType.ASSOCIATION,
                                            "Heritage Association", "heritage.example", zero))  # fmt: skip
    step("propose admit association", lambda: ptx(1, "propose", ProposalKind.ADMIT, association, ISSUER, 0))
    step("vote no on 2", lambda: ptx(2, "vote", 2, False))
    step("vote yes on 2", lambda: ptx(0, "vote", 2, True))
    step("execute 2", lambda: ptx(OUTSIDER, "execute", 2))
    # Rights: grant the council right to the mill (proposal 3); the mill proposes to withdraw it again (4), which
    # then needs three yes votes of the four council members.
    step("propose grant council to mill", lambda: ptx(0, "propose", ProposalKind.GRANT_RIGHTS, mill, COUNCIL, 0))
    step("vote yes on 3", lambda: ptx(1, "vote", 3, True))
    step("execute 3", lambda: ptx(0, "execute", 3))
    step("propose withdraw council from mill",
         lambda: ptx(MILL, "propose", ProposalKind.WITHDRAW_RIGHTS, mill, COUNCIL, 0))  # fmt: skip
    step("vote yes on 4 by 0", lambda: ptx(0, "vote", 4, True))
    step("vote yes on 4 by 1", lambda: ptx(1, "vote", 4, True))
    step("execute 4", lambda: ptx(1, "execute", 4))
    # Suspend (5) and reinstate (6) the association.
    step("propose suspend association", lambda: ptx(0, "propose", ProposalKind.SUSPEND, association, 0, 0))
    step("vote yes on 5", lambda: ptx(2, "vote", 5, True))
    step("execute 5", lambda: ptx(0, "execute", 5))
    step("propose reinstate association", lambda: ptx(1, "propose", ProposalKind.REINSTATE, association, 0, 0))
    step("vote yes on 6", lambda: ptx(2, "vote", 6, True))
    step("execute 6", lambda: ptx(2, "execute", 6))
    # Issuance in all three modes; founder 2 certifies the mill's root too (another certificate id). The public
    # batch publishes its first leaf twice, with two fingerprints.
    anchor, public = tree_of(ANCHOR_LEAVES), tree_of(PUBLIC_LEAVES)
    step("mill issues single", lambda: c.issue(MILL, SINGLE_ROOT, SINGLE_FINGERPRINT))
    step("founder 2 issues the same root", lambda: c.issue(2, SINGLE_ROOT, TWIN_FINGERPRINT))
    step("founder 0 issues batch", lambda: ctx(0, "issueBatch", anchor.root, ANCHOR_VALID_UNTIL))
    step("founder 1 issues public batch",
         lambda: ctx(1, "issueBatchPublic", public.root, 0, [raw(x) for x in PUBLISHED_LEAVES],
                     [raw(x) for x in PUBLISHED_FINGERPRINTS]))  # fmt: skip
    # Status changes of certificates and documents: by their issuers, a council member's hold, a council decision.
    step("mill suspends single", lambda: c.set_status(MILL, "suspend", ids.single, 11))
    step("mill reinstates single", lambda: c.set_status(MILL, "reinstate", ids.single, 12))
    p1, p2 = (bytes.fromhex(PUBLIC_LEAVES[i][2:]) for i in (1, 2))
    step("suspend public leaf 1", lambda: c.set_status(1, "suspend", ids.public, 21, hex32(p1), public.proof(p1)))
    step("reinstate public leaf 1", lambda: c.set_status(1, "reinstate", ids.public, 22, hex32(p1), public.proof(p1)))
    a0 = bytes.fromhex(ANCHOR_LEAVES[0][2:])
    step("suspend anchor leaf 0", lambda: c.set_status(0, "suspend", ids.anchor, 25, hex32(a0), anchor.proof(a0)))
    step("revoke anchor root", lambda: c.set_status(0, "revoke", ids.anchor, 24))
    step("council suspends public root", lambda: c.set_status(2, "suspend", ids.public, 26))
    step("founder 2 suspends its twin's document", lambda: c.set_status(2, "suspend", ids.twin, 27, SINGLE_ROOT))
    # A council decision (7): revoke a document of founder 1's public batch.
    step("propose revoke public leaf 2",
         lambda: c.partner_tx(0, "proposeCertificateDecision", ProposalKind.REVOKE_CERTIFICATE, c.certificates.address,
                              raw(ids.public), p2, public.proof(p2), 23))  # fmt: skip
    step("vote yes on 7", lambda: ptx(2, "vote", 7, True))
    step("execute 7", lambda: ptx(1, "execute", 7))
    # Expel the mill with a compromise cut-off at its single issuance (8): PartnerCompromised.
    cutoff = recorder.timestamp("mill issues single")
    step("propose expel mill", lambda: ptx(0, "propose", ProposalKind.EXPEL, mill, 0, cutoff))
    step("vote yes on 8", lambda: ptx(1, "vote", 8, True))
    step("execute 8", lambda: ptx(2, "execute", 8))
    # New details for founder 2 by council vote (9): DetailsProposed, then PartnerDetailsChanged.
    org, name, domain, meta = FOUNDER_DETAILS
    step("propose details of founder 2",
         lambda: ptx(0, "proposeDetails", c.address(2), (org, name, domain, raw(meta))))  # fmt: skip
    step("vote yes on 9", lambda: ptx(1, "vote", 9, True))
    step("execute 9", lambda: ptx(OUTSIDER, "execute", 9))
    # The association leaves (dropping its issuer right) and applies again.
    step("association leaves", lambda: ptx(ASSOCIATION, "leave"))
    step("association applies again", lambda: ptx(ASSOCIATION, "applyForMembership", OrganisationType.NGO,
                                                  "Heritage Foundation", "heritage.example", zero))  # fmt: skip
    # A proposal that stays open (10).
    step("propose suspend founder 1", lambda: ptx(2, "propose", ProposalKind.SUSPEND, c.address(1), 0, 0))
    run_provenance(c, recorder, ids)


def run_provenance(c: devchain.Consortium, recorder: Recorder, ids: CertificateIds) -> None:
    """Every provenance event at least once (see ``OWNER`` in ``tests/support/indexer_recorded.py``)."""
    from eth_account import Account

    from devtools.devnet import devnet_key
    from ledger.signing.actions import sign
    from ledger.signing.provenance import claim_typed_data, record_event_typed_data

    step, tx = recorder.step, c.prov_tx
    owner, museum, buyer = c.address(OWNER), c.address(MUSEUM), c.address(BUYER)
    zero_address = "0x" + "00" * 20
    title, custody = 0, 1

    def raw(value: str) -> bytes:
        return bytes.fromhex(value[2:])

    art = raw(devchain.certificate_id(c.address(0), ART))
    diploma = raw(devchain.certificate_id(c.address(1), DIPLOMA))
    wood = raw(devchain.certificate_id(c.address(0), WOOD))
    registry = str(c.provenance.address)
    step("founder 0 registers art held by the museum", lambda: tx(0, "enrolOriginal", raw(ART), owner, museum, False))
    step("founder 1 registers a soulbound diploma",
         lambda: tx(1, "enrolOriginal", raw(DIPLOMA), buyer, zero_address, True))  # fmt: skip
    step("founder 0 registers wood", lambda: tx(0, "enrolOriginal", raw(WOOD), c.address(0), zero_address, False))
    step("founder 0 registers a certified frame made of the wood",
         lambda: tx(0, "enrolLinked", raw(FRAME), owner, zero_address, False, [raw(ids.single)], [wood]))  # fmt: skip
    step("owner offers the art's title", lambda: tx(OWNER, "handOver", art, title, buyer, OFFER_DEADLINE))
    step("buyer rejects", lambda: tx(BUYER, "reject", art, title, raw(REJECT_REMARK)))
    step("owner offers the art's title again", lambda: tx(OWNER, "handOver", art, title, buyer, OFFER_DEADLINE))
    step("owner cancels", lambda: tx(OWNER, "cancel", art, title))
    step("owner offers the art's title a third time", lambda: tx(OWNER, "handOver", art, title, buyer, OFFER_DEADLINE))
    step("buyer takes the title", lambda: tx(BUYER, "takeOver", art, title))
    step("museum offers custody", lambda: tx(MUSEUM, "handOver", art, custody, buyer, OFFER_DEADLINE))
    step("buyer takes custody", lambda: tx(BUYER, "takeOver", art, custody))
    key = Account.from_key(CLAIM_KEY).address
    step("buyer offers custody to a key", lambda: tx(BUYER, "proposeClaim", art, custody, key, OFFER_DEADLINE))
    claim = claim_typed_data(art, custody, owner, OFFER_DEADLINE, c.chain_id, registry)
    signature = raw(sign(claim, CLAIM_KEY))
    step("an outsider relays the owner's claim",
         lambda: tx(OUTSIDER, "claim", art, custody, owner, OFFER_DEADLINE, signature))  # fmt: skip
    step("owner records an inspection", lambda: tx(OWNER, "addEvent", art, INSPECTING, raw(INSPECTION), EVENT_TIME))
    consent = record_event_typed_data(
        owner, art, REPAIRING, raw(REPAIR), EVENT_TIME, c.address(2), 0, OFFER_DEADLINE, c.chain_id, registry
    )
    signed = (owner, 0, OFFER_DEADLINE, raw(sign(consent, devnet_key(OWNER))))
    step("founder 2 records a repair with the owner's consent",
         lambda: tx(2, "addEventWithConsent", art, REPAIRING, raw(REPAIR), EVENT_TIME, signed))  # fmt: skip
    step("founder 1 anchors events", lambda: tx(1, "anchorEvents", raw(EVENTS_ROOT), 3))
    step("buyer reports the art stolen", lambda: tx(BUYER, "logIncident", art, 2, raw(THEFT_REPORT)))
    step("buyer recovers the art", lambda: tx(BUYER, "clearDisposition", art, raw(RECOVERY)))
    step("buyer reports the diploma lost", lambda: tx(BUYER, "logIncident", diploma, 1, raw(LOSS_REPORT)))
    step("founder 0 proposes clearing 1", lambda: tx(0, "proposeClearing", diploma, raw(CLEARING_REMARK)))
    step("founder 1 votes for clearing 1", lambda: tx(1, "voteClearing", 1))
    step("an outsider executes clearing 1", lambda: tx(OUTSIDER, "executeClearing", 1))


def record() -> dict[str, Any]:
    with Anvil(extra_args=("--timestamp", str(GENESIS_TIMESTAMP))) as anvil:
        client = RpcClient(anvil.url)
        try:
            client.call("anvil_setBlockTimestampInterval", [BLOCK_INTERVAL])
            consortium = devchain.deploy(client)
            recorder = Recorder(consortium, [])
            for name, entry in consortium.deployment.contracts.items():
                block = client.call("eth_getBlockByNumber", [hex(entry.block_number), False])
                recorder.steps.append(
                    {
                        "name": f"deploy {name}",
                        "tx_hash": entry.tx_hash,
                        "block_number": entry.block_number,
                        "block_hash": entry.block_hash,
                        "timestamp": int(block["timestamp"], 16),
                    }
                )
            run_scenario(consortium, recorder)
            addresses = {name: entry.address for name, entry in consortium.deployment.contracts.items()}
            head = int(client.call("eth_blockNumber"), 16)
            logs = client.call(
                "eth_getLogs", [{"fromBlock": "0x0", "toBlock": hex(head), "address": list(addresses.values())}]
            )
        finally:
            client.close()
    return {
        "chain_id": consortium.chain_id,
        "genesis_timestamp": GENESIS_TIMESTAMP,
        "contracts": addresses,
        "accounts": {str(i): consortium.address(i) for i in range(9)},
        "steps": recorder.steps,
        "logs": logs,
    }


def main() -> None:
    data = record()
    RAW_LOGS.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(data['logs'])} logs of {len(data['steps'])} steps to {RAW_LOGS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
