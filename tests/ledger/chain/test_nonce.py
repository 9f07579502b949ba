"""An account may have several writers: TxSender takes each nonce from the node and re-signs when one was taken.

Issue 11, finding 20: the API kept the issuer's nonce in memory, so a transaction the account sent anywhere else
made the next write fail with "nonce too low", and two API replicas sharing a key failed 4 writes in 10. Now
:meth:`TxSender.send` reads the node's pending count for every transaction, under a lock per sender, and when another
writer took that nonce between the read and the send it reads again and re-signs. Bulk runs (:meth:`TxSender.sign`,
:meth:`TxSender.send_many`) still number locally, from a fresh read at the start of each run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from eth_account import Account

from devtools.devnet import Anvil, devnet_key
from ledger.chain.rpc import RpcClient, RpcError
from ledger.chain.tx import SEND_ATTEMPTS, Call, Receipt, TxSender, is_nonce_conflict

SINK = "0x000000000000000000000000000000000000dead"
TRANSFER = Call(SINK, "0x", 21_000, 1)
RIVAL = Call(SINK, "0x", 21_000, 2)
"""What the other writer sends: another transaction (with the same one, both would sign the same bytes)."""


class Recording(RpcClient):
    """An RpcClient that counts the methods it calls and can run a hook before answering one of them."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.calls: list[str] = []
        self.before_answer: dict[str, Callable[[], None]] = {}

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        self.calls.append(method)
        answer = super().call(method, params)
        hook = self.before_answer.pop(method, None)
        if hook is not None:
            hook()
        return answer


@pytest.fixture(scope="module")
def node() -> Iterator[Anvil]:
    with Anvil() as anvil:
        yield anvil


@pytest.fixture
def rpc(node: Anvil) -> Iterator[Recording]:
    client = Recording(node.url)
    yield client
    client.close()


def _sender(rpc: RpcClient, index: int = 5) -> TxSender:
    return TxSender(rpc, Account.from_key(devnet_key(index)), 31337)


def _nonce(rpc: RpcClient, address: str) -> int:
    return int(rpc.call("eth_getTransactionCount", [address, "pending"]), 16)


def _mined(rpc: RpcClient, tx_hash: str) -> bool:
    """Whether the transaction is mined and succeeded (anvil mines a moment after it accepted it: wait up to 10 s)."""
    deadline = time.monotonic() + 10
    while (receipt := rpc.call("eth_getTransactionReceipt", [tx_hash])) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return receipt is not None and receipt["status"] == "0x1"


def test_two_senders_of_one_account_take_turns_without_a_nonce_error(rpc: Recording) -> None:
    first, second = _sender(rpc), _sender(rpc)
    before = _nonce(rpc, first.address)

    hashes = [sender.send(TRANSFER) for sender in (first, second, first, second)]

    assert {first.wait(h, timeout=10).status for h in hashes} == {1}
    assert _nonce(rpc, first.address) == before + 4


def test_a_send_after_the_account_sent_elsewhere_takes_the_next_nonce(rpc: Recording) -> None:
    sender = _sender(rpc)
    sender.send(TRANSFER)
    rpc.call("eth_sendTransaction", [{"from": sender.address, "to": SINK, "value": "0x1"}])
    before = _nonce(rpc, sender.address)

    tx_hash = sender.send(TRANSFER)

    assert sender.wait(tx_hash, timeout=10).status == 1
    assert int(rpc.call("eth_getTransactionByHash", [tx_hash])["nonce"], 16) == before


def test_a_nonce_another_writer_takes_between_read_and_send_is_read_again_and_resigned(rpc: Recording) -> None:
    sender, rival = _sender(rpc), _sender(rpc)
    before = _nonce(rpc, sender.address)
    rpc.before_answer["eth_getTransactionCount"] = lambda: rival.send(RIVAL)  # the rival wins the nonce read
    rpc.calls.clear()

    tx_hash = sender.send(TRANSFER)
    sequence = [m for m in rpc.calls if m in ("eth_getTransactionCount", "eth_sendRawTransaction")]

    assert sequence == [
        "eth_getTransactionCount",  # ours: n
        "eth_getTransactionCount",  # the rival's: n
        "eth_sendRawTransaction",  # the rival's, with n
        "eth_sendRawTransaction",  # ours with n: nonce too low
        "eth_getTransactionCount",  # ours again: n + 1
        "eth_sendRawTransaction",  # ours with n + 1
    ]
    assert _mined(rpc, tx_hash)
    assert int(rpc.call("eth_getTransactionByHash", [tx_hash])["nonce"], 16) == before + 1


def test_a_nonce_held_by_a_pending_transaction_is_read_again_and_resigned(rpc: Recording) -> None:
    """Without automine, the rival's transaction waits in the mempool: the node says "replacement underpriced"."""
    sender, rival = _sender(rpc), _sender(rpc)
    before = _nonce(rpc, sender.address)
    rpc.call("evm_setAutomine", [False])
    try:
        rpc.before_answer["eth_getTransactionCount"] = lambda: rival.send(RIVAL)
        tx_hash = sender.send(TRANSFER)
        rpc.call("evm_mine", [])
    finally:
        rpc.call("evm_setAutomine", [True])

    assert _mined(rpc, tx_hash)
    assert int(rpc.call("eth_getTransactionByHash", [tx_hash])["nonce"], 16) == before + 1
    assert _nonce(rpc, sender.address) == before + 2


def test_a_transaction_another_writer_replaced_in_the_pool_is_sent_again_with_the_next_nonce(rpc: Recording) -> None:
    """The rival signs the same nonce with a higher fee: the node drops ours; once the rival's is mined, ours is
    re-signed with the next nonce and mined too."""
    sender, rival = _sender(rpc), _sender(rpc)
    nonce = _nonce(rpc, sender.address)
    receipts: list[Receipt] = []
    rpc.call("evm_setAutomine", [False])
    try:
        waiting = threading.Thread(target=lambda: receipts.append(sender.send_and_wait(TRANSFER, timeout=20)))
        waiting.start()
        _until(lambda: _nonce(rpc, sender.address) == nonce + 1)
        (first,) = [h for h in _pool(rpc, sender.address)]
        max_fee, tip = sender._fee_caps()
        rival._fees = (2 * max_fee, 2 * tip)  # a writer that pays more replaces ours in the pool
        rival._pending_nonce = lambda: nonce  # type: ignore[method-assign]
        replacing = rival.send(RIVAL)
        assert rpc.call("eth_getTransactionByHash", [first]) is None, "the node kept the replaced transaction"
        while waiting.is_alive() and _nonce(rpc, sender.address) < nonce + 3:
            rpc.call("evm_mine", [])
            time.sleep(0.05)
        waiting.join(timeout=20)
    finally:
        rpc.call("evm_setAutomine", [True])

    (receipt,) = receipts
    assert receipt.status == 1
    assert receipt.tx_hash not in (first, replacing)
    assert int(rpc.call("eth_getTransactionByHash", [receipt.tx_hash])["nonce"], 16) == nonce + 1
    assert int(rpc.call("eth_getTransactionByHash", [replacing])["nonce"], 16) == nonce


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.01)


def _pool(rpc: RpcClient, address: str) -> list[str]:
    """Hashes of the account's transactions waiting in anvil's pool."""
    content = rpc.call("txpool_content", [])
    pending = {k.lower(): v for k, v in content["pending"].items()}
    return [tx["hash"] for tx in pending.get(address.lower(), {}).values()]


def test_threads_of_two_senders_sharing_an_account_all_get_their_transactions_mined(rpc: Recording) -> None:
    """Each waits for its receipt (:meth:`TxSender.send_and_wait`, as the API does): the two senders' fee caps
    differ, so one may replace the other's transaction in the pool, which is then sent again."""
    senders = [_sender(rpc), _sender(rpc)]
    before = _nonce(rpc, senders[0].address)

    def transfer(i: int) -> Receipt:
        return senders[i % 2].send_and_wait(Call(SINK, "0x", 21_000, i + 1), timeout=20)

    with ThreadPoolExecutor(max_workers=6) as pool:
        receipts = list(pool.map(transfer, range(30)))

    assert len({r.tx_hash for r in receipts}) == 30
    assert {r.status for r in receipts} == {1}
    assert _nonce(rpc, senders[0].address) == before + 30


def test_a_refusal_that_is_not_a_nonce_conflict_is_raised_at_once(rpc: Recording) -> None:
    broke = TxSender(rpc, Account.create(), 31337)  # no ether: the node refuses, and retrying would not help
    rpc.calls.clear()

    with pytest.raises(RpcError, match=r"^JSON-RPC error -32003: Insufficient funds for gas \* price \+ value$"):
        broke.send(TRANSFER)

    assert rpc.calls.count("eth_sendRawTransaction") == 1


def test_a_nonce_conflict_that_persists_gives_up_after_the_last_attempt(rpc: Recording) -> None:
    sender = _sender(rpc)
    assert _mined(rpc, sender.send(TRANSFER))
    stale = _nonce(rpc, sender.address) - 1
    sender._pending_nonce = lambda: stale  # type: ignore[method-assign]  # a node that keeps answering a used nonce
    rpc.calls.clear()

    with pytest.raises(RpcError, match="nonce too low"):
        sender.send(TRANSFER)

    assert rpc.calls.count("eth_sendRawTransaction") == SEND_ATTEMPTS


def test_resending_a_transaction_the_node_already_has_answers_its_hash(rpc: Recording) -> None:
    """A node that has these very bytes (a resend after a lost answer) says "already known": the send succeeded."""
    sender = _sender(rpc)
    rpc.call("evm_setAutomine", [False])
    try:
        first = sender.send(TRANSFER)
        sender._pending_nonce = lambda: int(rpc.call("eth_getTransactionCount", [sender.address, "latest"]), 16)  # type: ignore[method-assign]
        again = sender.send(TRANSFER)
        rpc.call("evm_mine", [])
    finally:
        rpc.call("evm_setAutomine", [True])

    assert again == first
    assert _mined(rpc, first)


def test_a_bulk_run_after_an_outside_transaction_numbers_from_the_node(rpc: Recording) -> None:
    sender = _sender(rpc)
    sender.send_many([TRANSFER, TRANSFER])
    rpc.call("eth_sendTransaction", [{"from": sender.address, "to": SINK, "value": "0x1"}])
    before = _nonce(rpc, sender.address)

    hashes = sender.send_many([TRANSFER, TRANSFER, TRANSFER])

    nonces = [int(rpc.call("eth_getTransactionByHash", [h])["nonce"], 16) for h in hashes]
    assert nonces == [before, before + 1, before + 2]
    assert all(_mined(rpc, h) for h in hashes)


@pytest.mark.parametrize(
    ("message", "conflict"),
    [
        ("nonce too low", True),
        ("Nonce too low: next nonce 5, tx nonce 4", True),
        ("replacement transaction underpriced", True),
        ("already known", False),
        ("insufficient funds for gas * price + value", False),
        ("execution reverted", False),
    ],
)
def test_nonce_conflicts_are_told_apart_from_other_refusals(message: str, conflict: bool) -> None:
    assert is_nonce_conflict(RpcError(f"JSON-RPC error -32003: {message}", -32003)) is conflict
