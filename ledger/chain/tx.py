"""Signing and sending transactions with eth-account over the fast JSON-RPC client.

:meth:`TxSender.send` takes every transaction's nonce from the node's *pending* count ("latest" gives "nonce too low"
when sending fast), under a lock per sender, and when another writer took that nonce first (another process or
replica with the same key, a wallet, a script: the node answers "nonce too low" or "replacement transaction
underpriced") it reads the count again and re-signs, so an account may be shared by several writers;
:meth:`TxSender.send_and_wait` also sends again a transaction that another writer's replaced in the node's pool
(same nonce, higher fee), which would never be mined. Bulk senders
(:meth:`TxSender.sign`, :meth:`TxSender.send_many`: benchmarks, test chains) number a run of transactions locally
from one read of that count, assuming no other writer while the run lasts. Signing is local (coincurve makes it
~0.5 ms); many signed transactions go in one JSON-RPC batch POST (~2,000 tx/s against a local node). Reverts come back
as :class:`ContractRevert` with the custom error decoded when a binding is given.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_hash.auto import keccak
from eth_utils.address import to_checksum_address

from ledger.chain.contracts import ContractBinding, ContractRevert
from ledger.chain.rpc import RpcClient, RpcError, TransientRpcError
from ledger.errors import LedgerError
from ledger.i18n import gettext as _

if TYPE_CHECKING:  # eth-account costs ~0.3 s to import; callers hand in an account they already built
    from eth_account.signers.local import LocalAccount

GAS_HEADROOM = 50_000
"""Gas added to every estimate (after 20%). An estimate runs in the latest block's context, but the transaction runs in
the next block, whose later timestamp can make it dearer: PartnerRegistry's issuer history rewrites its last change
when the timestamp is unchanged and appends a new storage slot (~20,000 gas more) when it moved on, and an execution
also pushes the partner's standing to the certificate registry. A limit is not a charge: only gas used is paid for."""


def with_headroom(estimate: int) -> int:
    """The gas limit to send for an ``eth_estimateGas`` result."""
    return estimate * 12 // 10 + GAS_HEADROOM


SEND_ATTEMPTS = 10
"""How often :meth:`TxSender.send` re-reads the nonce and re-signs after another writer took the nonce it used."""

RETRY_PAUSE = 0.01
"""Seconds to pause before the n-th re-read of the nonce, times n (a node may count a just-accepted transaction a
moment later)."""

NONCE_CONFLICTS = ("nonce too low", "replacement transaction underpriced")
"""How nodes (anvil, geth, reth, besu) say that a transaction's nonce was used already, mined or pending."""

ALREADY_KNOWN = ("already known", "known transaction", "already imported")
"""How nodes say that this very transaction (same bytes, so same hash) is in their pool already: it was sent."""


def is_nonce_conflict(exc: RpcError) -> bool:
    """Whether the node refused a transaction because its nonce was taken (retrying with a fresh nonce can work)."""
    message = str(exc).lower()
    return any(text in message for text in NONCE_CONFLICTS)


def is_already_known(exc: RpcError) -> bool:
    """Whether the node has this very transaction already (e.g. a resend after a lost answer): it counts as sent."""
    message = str(exc).lower()
    return any(text in message for text in ALREADY_KNOWN)


class TransactionTimeout(LedgerError, TimeoutError):
    """No receipt arrived in time; ``tx_hash`` is the transaction waited for (it may still be mined)."""

    def __init__(self, message: str, tx_hash: str) -> None:
        super().__init__(message)
        self.tx_hash = tx_hash


@dataclass(frozen=True)
class Receipt:
    tx_hash: str
    block_number: int
    block_hash: str
    status: int
    gas_used: int
    contract_address: str | None
    logs: tuple[Mapping[str, Any], ...]

    @classmethod
    def from_rpc(cls, obj: Mapping[str, Any]) -> Receipt:
        address = obj.get("contractAddress")
        return cls(
            tx_hash=obj["transactionHash"].lower(),
            block_number=int(obj["blockNumber"], 16),
            block_hash=obj["blockHash"].lower(),
            status=int(obj["status"], 16),
            gas_used=int(obj["gasUsed"], 16),
            contract_address=address.lower() if address else None,
            logs=tuple(obj.get("logs", ())),
        )


@dataclass(frozen=True)
class Call:
    """One transaction to build: ``to`` None deploys ``data``."""

    to: str | None
    data: str
    gas: int | None = None
    value: int = 0


class TxSender:
    """Sends transactions from one local account."""

    def __init__(self, client: RpcClient, account: LocalAccount, chain_id: int | None = None) -> None:
        self.client = client
        self.account = account
        self.chain_id = chain_id if chain_id is not None else int(client.call("eth_chainId"), 16)
        self._nonce: int | None = None
        self._lock = threading.Lock()
        self._fees: tuple[int, int] | None = None

    @property
    def address(self) -> str:
        return str(self.account.address).lower()

    def _next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = self._pending_nonce()
        nonce = self._nonce
        self._nonce += 1
        return nonce

    def resync_nonce(self) -> None:
        """Forget the local nonce (after a failed send) so the next one is read from the node again."""
        self._nonce = None

    def _fee_caps(self) -> tuple[int, int]:
        if self._fees is None:
            base = int(self.client.call("eth_getBlockByNumber", ["latest", False])["baseFeePerGas"], 16)
            tip = 1_000_000_000
            self._fees = (2 * base + tip, tip)
        return self._fees

    def estimate(self, call: Call) -> int:
        params: dict[str, Any] = {"from": self.account.address, "data": call.data, "value": hex(call.value)}
        if call.to is not None:
            params["to"] = call.to
        return int(self.client.call("eth_estimateGas", [params]), 16)

    def simulated(self, call: Call, binding: ContractBinding | None = None) -> Call:
        """``call`` with its gas limit set, after ``eth_estimateGas`` has run it against the latest block: what the
        contract would refuse raises before anything is sent.

        The limit is the estimate with headroom (:func:`with_headroom`), capped at the block gas limit.

        Raises:
            ContractRevert: the contract would revert (its custom error decoded with ``binding``).
            TransientRpcError: the node could not be asked (nothing is known about the call).
        """
        try:
            estimate = self.estimate(call)
        except RpcError as exc:
            raise revert_from_rpc(exc, binding) from None
        limit = int(self.client.call("eth_getBlockByNumber", ["latest", False])["gasLimit"], 16)
        return Call(call.to, call.data, min(limit, with_headroom(estimate)), call.value)

    def _pending_nonce(self) -> int:
        return int(self.client.call("eth_getTransactionCount", [self.account.address, "pending"]), 16)

    def _signed(self, call: Call, gas: int, nonce: int) -> str:
        max_fee, tip = self._fee_caps()
        tx: dict[str, Any] = {
            "type": 2,
            "chainId": self.chain_id,
            "nonce": nonce,
            "gas": gas,
            "maxFeePerGas": max_fee,
            "maxPriorityFeePerGas": tip,
            "value": call.value,
            "data": call.data,
        }
        if call.to is not None:
            tx["to"] = to_checksum_address(call.to)
        signed = self.account.sign_transaction(tx)
        return "0x" + bytes(signed.raw_transaction).hex()

    def sign(self, call: Call) -> str:
        """A signed raw transaction (0x hex) with the next locally counted nonce, for bulk runs of one writer;
        gas estimated with headroom (:func:`with_headroom`) when not given."""
        gas = call.gas if call.gas is not None else with_headroom(self.estimate(call))
        with self._lock:
            nonce = self._next_nonce()
        return self._signed(call, gas, nonce)

    def send(self, call: Call) -> str:
        """Sign and send one transaction with the node's pending nonce; returns its hash.

        Safe with other writers of the same account: the nonce is read from the node for every transaction (under
        this sender's lock, so threads of one process do not collide), and a nonce another writer took in between
        makes it read the count again and re-sign, up to :data:`SEND_ATTEMPTS` times.
        """
        return self._send(call)[0]

    def _send(self, call: Call) -> tuple[str, int]:
        """:meth:`send`, also returning the nonce the transaction was sent with."""
        gas = call.gas if call.gas is not None else with_headroom(self.estimate(call))
        with self._lock:
            self._nonce = None  # a later bulk run counts on from the node, not from before this send
            for attempt in range(1, SEND_ATTEMPTS + 1):
                nonce = self._pending_nonce()
                raw = self._signed(call, gas, nonce)
                try:
                    return str(self.client.call("eth_sendRawTransaction", [raw])).lower(), nonce
                except RpcError as exc:
                    if is_already_known(exc):
                        return "0x" + keccak(bytes.fromhex(raw[2:])).hex(), nonce
                    if attempt == SEND_ATTEMPTS or not is_nonce_conflict(exc):
                        raise
                time.sleep(RETRY_PAUSE * attempt)  # the other writer's transaction is on its way into the pool
        raise AssertionError("unreachable")  # pragma: no cover

    def send_and_wait(self, call: Call, timeout: float = 30.0, binding: ContractBinding | None = None) -> Receipt:
        """Send, then wait for the receipt; if another writer's transaction takes this one's place, send it again.

        A node's pool keeps one transaction per (account, nonce): another writer of the account that signed the same
        nonce a moment earlier or later, with a higher fee, replaces this one, which is then never mined. Once the
        account's mined count has passed the nonce and the node no longer knows the transaction, it is re-signed
        with a fresh nonce and sent again; the receipt says which hash was mined.

        Raises:
            TransactionTimeout: no receipt within ``timeout`` seconds (its ``tx_hash`` is the last one sent).
            ContractRevert: the transaction reverted.
        """
        deadline = time.monotonic() + timeout
        tx_hash, nonce = self._send(call)
        delay = 0.01
        while True:
            receipt = self._receipt(tx_hash, binding)
            if receipt is not None:
                return receipt
            if time.monotonic() > deadline:
                raise TransactionTimeout(
                    _("no receipt for {tx} after {timeout:g} s", tx=tx_hash, timeout=timeout), tx_hash
                )
            if self._replaced(tx_hash, nonce):
                tx_hash, nonce = self._send(call)
                continue
            time.sleep(delay)
            delay = min(0.2, delay * 2)

    def _replaced(self, tx_hash: str, nonce: int) -> bool:
        """Whether another transaction was mined with this one's nonce (so this one never will be)."""
        mined = int(self.client.call("eth_getTransactionCount", [self.account.address, "latest"]), 16)
        return mined > nonce and self.client.call("eth_getTransactionByHash", [tx_hash]) is None

    def send_many(self, calls: Sequence[Call], chunk: int = 500) -> list[str]:
        """Sign and send many transactions, ``chunk`` per JSON-RPC batch POST; returns their hashes in order.

        The nonces are counted locally from one read of the node's pending count: no other writer of this account
        may send while the run lasts.
        """
        self.resync_nonce()
        hashes: list[str] = []
        for start in range(0, len(calls), chunk):
            raws = [self.sign(c) for c in calls[start : start + chunk]]
            try:
                hashes.extend(
                    str(h).lower() for h in self.client.batch([("eth_sendRawTransaction", [r]) for r in raws])
                )
            except RpcError:
                self.resync_nonce()
                raise
        return hashes

    def wait(self, tx_hash: str, timeout: float = 30.0, binding: ContractBinding | None = None) -> Receipt:
        """Wait for the receipt; a reverted transaction raises :class:`ContractRevert` (decoded when possible).

        Raises:
            TransactionTimeout: no receipt within ``timeout`` seconds.
            ContractRevert: the transaction reverted.
        """
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            receipt = self._receipt(tx_hash, binding)
            if receipt is not None:
                return receipt
            if time.monotonic() > deadline:
                raise TransactionTimeout(
                    _("no receipt for {tx} after {timeout:g} s", tx=tx_hash, timeout=timeout), tx_hash
                )
            time.sleep(delay)
            delay = min(0.2, delay * 2)

    def _receipt(self, tx_hash: str, binding: ContractBinding | None) -> Receipt | None:
        """The receipt once mined (None before); a reverted transaction raises :class:`ContractRevert`."""
        obj = self.client.call("eth_getTransactionReceipt", [tx_hash])
        if obj is None:
            return None
        receipt = Receipt.from_rpc(obj)
        if receipt.status != 1:
            raise self._revert_reason(tx_hash, binding, receipt.gas_used)
        return receipt

    def transact(self, call: Call, binding: ContractBinding | None = None, timeout: float = 30.0) -> Receipt:
        """Send and wait; when gas estimation itself reverts, the decoded error is raised before sending."""
        if call.gas is None:
            try:
                call = Call(call.to, call.data, with_headroom(self.estimate(call)), call.value)
            except RpcError as exc:
                raise revert_from_rpc(exc, binding) from exc
        return self.send_and_wait(call, timeout, binding)

    def _revert_reason(
        self, tx_hash: str, binding: ContractBinding | None, gas_used: int
    ) -> ContractRevert | TransientRpcError:
        tx = self.client.call("eth_getTransactionByHash", [tx_hash])
        limit = int(tx["gas"], 16)
        if gas_used >= limit:
            # Replaying the call would not fail the same way (it runs with the block's full gas), so say what happened.
            return ContractRevert(f"transaction {tx_hash} ran out of gas (gas limit {limit:,})")
        try:
            self.client.call(
                "eth_call",
                [{"from": tx["from"], "to": tx.get("to"), "data": tx["input"]}, tx["blockNumber"]],
            )
        except RpcError as exc:
            return revert_from_rpc(exc, binding)
        return ContractRevert(f"transaction {tx_hash} reverted")


def revert_from_rpc(exc: RpcError, binding: ContractBinding | None) -> ContractRevert | TransientRpcError:
    """The contract's refusal carried by a failed call; a transport failure (the node unreachable, timing out,
    overloaded) is returned as it is: it says nothing about the contract, and callers must not report it as a revert.
    """
    if isinstance(exc, TransientRpcError):
        return exc
    data = exc.data if isinstance(exc.data, str) else None
    if isinstance(exc.data, dict):
        data = exc.data.get("data")
    if data and binding is not None:
        return binding.decode_error(data)
    return ContractRevert(str(exc), data=data or "0x")
