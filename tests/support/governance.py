"""The governance write tests' world: a write world (:mod:`support.write_world`) plus a relayer and signers.

Accounts (anvil's devnet keys): founders 0, 1, 2 (the council; 1 is also the write world's ``council``), an
``applicant`` (5) and a ``stranger`` (6) with no standing, the write world's ``outsider`` (8), and the ``relayer`` (9),
which holds no standing at all: every action it sends is carried out for its signer.

:meth:`Governance.signed` asks the API to prepare an action, signs the typed data locally with the signer's devnet
key (as the CLI does with a keystore; the page asks the wallet), and returns the body to post.
:meth:`Governance.sent` is what a refusal must leave unchanged: the head block and the relayer's transaction count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr

from devtools.devnet import devnet_key
from ledger.config import Settings
from ledger.signing.actions import sign
from support.write_world import PASSWORD, WriteWorld, write_keystore

COUNCIL = (0, 1, 2)
APPLICANT = 5
STRANGER = 6
OUTSIDER = 8
RELAYER = 9


@dataclass
class Governance:
    world: WriteWorld
    api: TestClient

    def address(self, index: int) -> str:
        return self.world.chain.address(index)

    def signed(
        self, action: str, signer: int, by: int | None = None, proof: list[str] | None = None, **fields: Any
    ) -> dict[str, Any]:
        """The body that posts ``action`` prepared for ``signer`` and signed by ``by`` (default: the signer)."""
        response = self.api.post("/actions/prepare", json={"action": action, "signer": self.address(signer), **fields})
        assert response.status_code == 200, response.text
        typed = response.json()["typed_data"]
        body: dict[str, Any] = {"typed_data": typed, "signature": sign(typed, devnet_key(signer if by is None else by))}
        if proof is not None:
            body["proof"] = proof
        return body

    def sent(self) -> tuple[int, int]:
        """(head block, the relayer's pending transaction count): a refusal leaves both as they were."""
        count = self.world.rpc.call("eth_getTransactionCount", [self.address(RELAYER), "pending"])
        return self.world.head(), int(count, 16)

    def partner(self, index: int) -> tuple[Any, ...]:
        """The registry's record of account ``index`` (``partner(address)``)."""
        (record,) = self.world.chain.partners.view(self.world.rpc, "partner", self.address(index))
        return tuple(record)

    def warp_past(self, timestamp: int) -> None:
        """Mine a block at exactly ``timestamp + 1``: the chain's clock is then past ``timestamp``, whatever it said
        before (``evm_increaseTime`` counts from the wall clock, which can lag behind the latest block's time)."""
        self.world.rpc.call("evm_setNextBlockTimestamp", [timestamp + 1])
        self.world.rpc.call("evm_mine")


def relayer_settings(world: WriteWorld, directory: Path, **overrides: Any) -> Settings:
    """The write world's settings with the relayer (devnet key 9) configured, limits off unless overridden."""
    directory.mkdir(parents=True, exist_ok=True)
    keystore = write_keystore(directory, devnet_key(RELAYER))
    values: dict[str, Any] = {
        "relayer_keystore": keystore,
        "relayer_password": SecretStr(PASSWORD),
        "relayer_rate_limit": "off",
        "relayer_global_rate_limit": "off",
        "relayer_application_rate_limit": "off",
        **overrides,
    }
    return world.settings.model_copy(update=values)
