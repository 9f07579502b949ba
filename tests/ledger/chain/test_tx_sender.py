"""TxSender's gas limits hold when the next block is dearer than the estimate, and out-of-gas failures say so.

An ``eth_estimateGas`` runs in the latest block's context; the transaction runs in the next block. PartnerRegistry's
status history (OpenZeppelin Checkpoints) rewrites the last checkpoint while the timestamp is unchanged and appends a
storage slot once it moved on, so executing a proposal can cost ~40% more than estimated. With only 20% headroom this
reverted out of gas whenever two blocks straddled a second (the flaky workload of tests/ledger/indexer/test_faults.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import devchain

from devtools.devnet import Anvil
from ledger.abi import load_abi
from ledger.chain.contracts import ContractRevert
from ledger.chain.rpc import RpcClient
from ledger.chain.tx import GAS_HEADROOM, Call, with_headroom
from ledger.events import PartnerStatus, PartnerStatusChanged, ProposalExecuted, ProposalKind
from ledger.indexer.decode import EventDecoder, RawLog

pytestmark = pytest.mark.usefixtures("anvil_bytecode")


@pytest.fixture(scope="module")
def anvil_bytecode() -> None:
    if not devchain.BUILD_MANIFEST.exists():
        pytest.fail("run `ape compile` first (make test does)", pytrace=False)


@pytest.fixture
def consortium(tmp_path: Path) -> Iterator[devchain.Consortium]:
    anvil = Anvil().start()
    client = RpcClient(anvil.url)
    try:
        yield devchain.deploy(client, tmp_path / "deployments")
    finally:
        client.close()
        anvil.stop()


def _events(consortium: devchain.Consortium, logs: tuple[dict[str, object], ...]) -> list[object]:
    decoder = EventDecoder([load_abi("PartnerRegistry"), load_abi("CertificateRegistry")])
    return [decoder.decode(RawLog.from_rpc(log)).event for log in logs]


def test_headroom_is_twenty_percent_plus_a_fixed_margin() -> None:
    assert with_headroom(100_000) == 120_000 + GAS_HEADROOM
    assert with_headroom(0) == GAS_HEADROOM


def test_executing_a_proposal_in_a_later_block_than_its_estimate_succeeds(consortium: devchain.Consortium) -> None:
    client, partners = consortium.client, consortium.partners
    # Freeze block time so that the admission, the proposal, the vote and the estimate share one timestamp.
    client.call("anvil_setBlockTimestampInterval", [0])
    consortium.admit(3)
    created = consortium.partner_tx(0, "propose", int(ProposalKind.SUSPEND), consortium.address(3), 0, 0)
    proposal_id = int(created.logs[0]["topics"][1], 16)
    consortium.partner_tx(1, "vote", proposal_id, True)
    call = Call(partners.address, partners.encode("execute", proposal_id))
    estimate = consortium.sender(2).estimate(call)
    latest = int(client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    # Sent (gas estimated at the frozen time), then mined a second later: its status checkpoint needs a new slot.
    client.call("evm_setAutomine", [False])
    tx_hash = consortium.sender(2).send(call)
    client.call("anvil_removeBlockTimestampInterval", [])
    client.call("evm_setNextBlockTimestamp", [latest + 1])
    client.call("evm_mine", [])
    receipt = consortium.sender(2).wait(tx_hash, binding=partners)

    assert receipt.status == 1
    assert receipt.gas_used > estimate * 12 // 10, "the scenario must cost more than the old 20% headroom"
    executor = consortium.address(2).lower()
    events = _events(consortium, receipt.logs)
    # Two yes votes of the three founders, all still active council: a majority of 3 needs 2.
    assert events[-1] == ProposalExecuted(proposal_id, executor, 2, 2)
    assert events[0] == PartnerStatusChanged(
        consortium.address(3).lower(), PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, proposal_id, latest + 1
    )


def test_a_transaction_that_runs_out_of_gas_says_so(consortium: devchain.Consortium) -> None:
    partners = consortium.partners
    call = Call(partners.address, partners.encode("propose", int(ProposalKind.SUSPEND), consortium.address(1), 0, 0))
    with pytest.raises(ContractRevert, match=r"^transaction 0x[0-9a-f]{64} ran out of gas \(gas limit 30,000\)$"):
        consortium.sender(0).transact(Call(call.to, call.data, 30_000), partners)
