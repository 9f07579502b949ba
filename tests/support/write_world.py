"""The write tests' world: a private anvil with a small consortium, issuer keystores and the API keys bound to them.

Each test module that sends transactions builds one :class:`WriteWorld` of its own (module-scoped), so nothing it
does reaches the session's shared read scenario. Accounts (anvil's devnet keys):

- ``issuer`` (3) and ``other`` (4): partners with the ISSUER right only;
- ``council`` (1): a founder, ISSUER | COUNCIL (the contract lets it suspend any issuer's certificate);
- ``outsider`` (8): no partner at all.

Keystores are written with a one-round PBKDF2 instead of eth-account's default scrypt: the format is the same, and
opening each would otherwise cost a second of CPU per key.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from sqlalchemy import Engine, func, select

from devtools.devnet import Anvil, devnet_key
from ledger.chain.rpc import RpcClient
from ledger.config import Settings
from ledger.db import schema
from ledger.db.engine import make_engine, upgrade
from ledger.events import ISSUER, OrganisationType
from ledger.indexer.runner import build_indexer
from ledger.issuance.keys import KEY_PREFIX, register_api_key, revoke_api_key
from support import devchain

PASSWORD = "write-tests"
ACCOUNTS = {"issuer": 3, "other": 4, "council": 1, "outsider": 8}


@dataclass
class WriteWorld:
    node: Anvil
    rpc: RpcClient
    chain: devchain.Consortium
    settings: Settings
    engine: Engine
    keys: dict[str, str] = field(default_factory=dict)
    """API keys by name: one per account of :data:`ACCOUNTS`, plus ``revoked`` (the issuer's, revoked)."""

    def address(self, name: str) -> str:
        return self.chain.address(ACCOUNTS[name])

    def head(self) -> int:
        return int(self.rpc.call("eth_blockNumber"), 16)

    def nonces(self) -> dict[str, int]:
        """Each account's pending transaction count: a request that sends nothing leaves these unchanged."""
        return {
            name: int(self.rpc.call("eth_getTransactionCount", [self.address(name), "pending"]), 16)
            for name in ACCOUNTS
        }

    def counts(self) -> dict[str, int]:
        """Rows per table of the API's database: a request that writes nothing leaves these unchanged."""
        with self.engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in schema.metadata.sorted_tables
            }

    def index(self) -> int:
        """Run the real indexer up to the chain's head; the block it reached."""
        setup = build_indexer(self.settings)
        try:
            setup.indexer.run(once=True)
            block: int = setup.indexer.checkpoint.block
        finally:
            setup.client.close()
            setup.engine.dispose()
        return block

    def receipt(self, tx_hash: str) -> dict[str, Any]:
        receipt: dict[str, Any] = self.rpc.call("eth_getTransactionReceipt", [tx_hash])
        return receipt


def write_keystore(directory: Path, private_key: str) -> Path:
    """An encrypted keystore (v3) for ``private_key``, cheap to open (see the module docstring)."""
    account = Account.from_key(private_key)
    path = directory / f"{str(account.address).lower()}.json"
    path.write_text(json.dumps(Account.encrypt(account.key, PASSWORD, kdf="pbkdf2", iterations=1)))
    os.chmod(path, 0o600)
    return path


@contextmanager
def write_world(directory: Path) -> Iterator[WriteWorld]:
    """Start anvil, deploy, admit ``issuer`` and ``other``, and register an API key for every account (after
    :func:`support.devchain.require_bytecode`)."""
    devchain.require_bytecode()
    with Anvil() as node:
        rpc = RpcClient(node.url)
        chain = devchain.deploy(rpc, directory / "deployments")
        chain.admit(ACCOUNTS["issuer"], OrganisationType.SME, "Linen Mill Ltd", rights=ISSUER)
        chain.admit(ACCOUNTS["other"], OrganisationType.NGO, "Harbour Art Foundation", rights=ISSUER)
        settings = Settings(
            environment="test",
            database_url=f"sqlite:///{directory / 'index.db'}",
            rpc_url=node.url,
            deployments_dir=directory / "deployments",
            keystore_dir=directory / "keystore",
            keystore_password=PASSWORD,
            poll_interval=0.05,
            mined_timeout=30.0,
            # The write tests send far faster than any person; the rate limit has tests of its own.
            rate_limit="off",
        )
        engine = make_engine(settings.database_url)
        upgrade(engine)
        world = WriteWorld(node, rpc, chain, settings, engine)
        keystores = directory / "keystore"
        keystores.mkdir()
        with engine.begin() as conn:
            paths = {name: write_keystore(keystores, devnet_key(index)) for name, index in ACCOUNTS.items()}
            for name, path in paths.items():
                world.keys[name] = register_api_key(conn, world.address(name), path, name)
            world.keys["revoked"] = register_api_key(conn, world.address("issuer"), paths["issuer"], "old")
            assert revoke_api_key(conn, world.keys["revoked"][: len(KEY_PREFIX) + 6]) == 1
        # The API learns its deployment (and so whether devnet keys may sign) from the index: index once, as
        # `originals up` does before it serves.
        world.index()
        try:
            yield world
        finally:
            engine.dispose()
            rpc.close()


_ORIGINALS = itertools.count()


def original(name: str) -> dict[str, Any]:
    """An original to issue, with a fingerprint no other original of the process has."""
    return {
        "name": name,
        "kind": "file",
        "fingerprint": devchain.h32(next(_ORIGINALS), f"original:{name}"),
        "attributes": {"batch": "2026-12"},
    }
