"""An app with an issuer API key: a copy of the scenario's SQLite index, one keystore and one key registered in it.

For the tests of what an issuing route refuses before it sends anything (bad input, a keystore that does not open,
a node that went away): none of them changes the chain or the session's shared index.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from devtools.devnet import devnet_key
from ledger.config import Settings
from ledger.db.engine import make_engine
from ledger.issuance.keys import create_keystore, register_api_key

PASSWORD = "keyed-test-password"


@dataclass(frozen=True)
class Keyed:
    settings: Settings
    api_key: str
    keystore: Path
    database: Path


def keyed_index(indexed: Settings, directory: Path, account: int, issuer: str) -> Keyed:
    """A copy of ``indexed``'s SQLite database in ``directory`` with an API key for ``issuer`` (anvil ``account``)."""
    source = indexed.database_url.removeprefix("sqlite:///")
    database = directory / "keyed.db"
    with sqlite3.connect(source) as src, sqlite3.connect(database) as dst:
        src.backup(dst)
    _address, keystore = create_keystore(directory / "keystore", PASSWORD, devnet_key(account))
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            api_key = register_api_key(conn, issuer.lower(), keystore, "keyed-test")
    finally:
        engine.dispose()
    settings = indexed.model_copy(
        update={"database_url": url, "keystore_dir": directory / "keystore", "keystore_password": SecretStr(PASSWORD)}
    )
    return Keyed(settings, api_key, keystore, database)
