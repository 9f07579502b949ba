"""Signed actions relayed in bulk, for seeding a devnet fast: the relayer of the demo consortium.

Each action is signed locally with its author's key (:mod:`ledger.signing.actions`), and one relayer account sends
the ``...BySig`` calls and pays their gas, many to a JSON-RPC batch (:meth:`ledger.chain.tx.TxSender.send_many`), so
the partners need no ether. A run of actions is signed before any is mined, so nothing is read back in between: each
signer's nonce is counted here per registry (read once from ``nonces(signer)``, then one more per action), and the gas
limit is fixed (an estimate would run before the actions a run depends on were mined; a limit is not a charge). The
relayer's transactions carry their order: they are mined in nonce order, so an application signed in a run is there
when the proposal to admit it, later in the same run, is carried out.

A run is mined with anvil's automine off: the whole batch enters the pool, then ``evm_mine`` makes blocks until the
pool is empty. With automine on, anvil mines while the batch is still arriving, and under load it now and then files
a transaction whose predecessor was being mined as "queued" for good (a nonce gap it never closes), so the run would
never finish.

Development tooling for anvil only: it assumes it is the only writer of the relayer account while a run lasts.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient
from ledger.chain.tx import Call, Receipt, TxSender
from ledger.errors import LedgerError
from ledger.signing.actions import action, call_arguments, sign, typed_data

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

GAS_LIMIT = 800_000
"""Each relayed call's gas limit: above the dearest demo action (an admission with rights, ~120,000 gas, plus the
signature check and long German names), far below a block's."""

DEADLINE = 3600
"""Seconds after the chain's time (when a run is signed) that its signatures stay valid."""


class RelayError(LedgerError, RuntimeError):
    """A relayed action was not carried out (its decoded error says why)."""


class Relayer:
    """Signs actions for their authors and sends them, from one account, in JSON-RPC batches."""

    def __init__(self, client: RpcClient, relayer: TxSender, registries: Mapping[str, ContractBinding]) -> None:
        self.client = client
        self.sender = relayer
        self.registries = dict(registries)
        self._nonces: dict[tuple[str, str], int] = {}
        self._calls: list[tuple[Call, ContractBinding]] = []
        self._deadline: int | None = None

    def chain_time(self) -> int:
        """The latest block's timestamp."""
        return int(self.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def _nonce(self, contract: str, signer: str) -> int:
        """The signer's next nonce at ``contract``, counting the actions queued or sent by this relayer."""
        key = (contract, signer)
        if key not in self._nonces:
            binding = self.registries[contract]
            self._nonces[key] = int(binding.view(self.client, "nonces", signer)[0])
        nonce = self._nonces[key]
        self._nonces[key] = nonce + 1
        return nonce

    def add(self, name: str, author: LocalAccount, fields: Mapping[str, Any]) -> None:
        """Queue action ``name`` (``Vote``, ``Propose``, ...) with ``fields``, signed by ``author``."""
        act = action(name)
        binding = self.registries[act.contract]
        signer = str(author.address)
        if self._deadline is None:
            self._deadline = self.chain_time() + DEADLINE
        message = {
            act.signer_field: signer,
            **fields,
            "nonce": self._nonce(act.contract, signer.lower()),
            "deadline": self._deadline,
        }
        typed = typed_data(name, message, self.sender.chain_id, binding.address or "")
        function, arguments = call_arguments(typed, sign(typed, bytes(author.key)))
        self._calls.append((Call(binding.address, binding.encode(function, *arguments), GAS_LIMIT), binding))

    def flush(self, timeout: float = 60.0) -> list[Receipt]:
        """Send every queued action and wait until all are mined; their receipts in order.

        Raises:
            RelayError: an action reverted (with the first failure's decoded error) or was not mined in time.
        """
        queued, self._calls, self._deadline = self._calls, [], None
        if not queued:
            return []
        automine = bool(self.client.call("anvil_getAutomine", []))
        self.client.call("evm_setAutomine", [False])
        try:
            hashes = self.sender.send_many([call for call, _ in queued])
            self._mine(timeout)
        finally:
            self.client.call("evm_setAutomine", [automine])
        receipts = self._receipts(hashes, timeout)
        for (_, binding), receipt in zip(queued, receipts, strict=True):
            if receipt.status != 1:
                try:
                    self.sender.wait(receipt.tx_hash, binding=binding)
                except LedgerError as exc:
                    raise RelayError(f"relayed action {receipt.tx_hash} failed: {exc}") from exc
                raise RelayError(f"relayed action {receipt.tx_hash} failed")
        return receipts

    def _mine(self, timeout: float) -> None:
        """Mine blocks until the node's pool is empty (a block takes what fits under its gas limit)."""
        deadline = time.monotonic() + timeout
        while True:
            self.client.call("evm_mine", [])
            status = self.client.call("txpool_status", [])
            if int(status["pending"], 16) == 0 and int(status["queued"], 16) == 0:
                return
            if time.monotonic() > deadline:
                raise RelayError(f"relayed actions still in the node's pool after {timeout:g} s: {status}")

    def _receipts(self, hashes: list[str], timeout: float) -> list[Receipt]:
        """Every transaction's receipt, asked for in batches until all are there."""
        found: dict[str, Receipt] = {}
        deadline = time.monotonic() + timeout
        while True:
            missing = [h for h in hashes if h not in found]
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                replies = self.client.batch([("eth_getTransactionReceipt", [h]) for h in chunk])
                found.update({h: Receipt.from_rpc(r) for h, r in zip(chunk, replies, strict=True) if r is not None})
            if len(found) == len(hashes):
                return [found[h] for h in hashes]
            if time.monotonic() > deadline:
                raise RelayError(f"{len(hashes) - len(found)} relayed actions not mined after {timeout:g} s")
            time.sleep(0.05)
