"""Issuer credentials: encrypted keystores (eth-account) and the API keys bound to them.

An issuer's private key lives only in an encrypted keystore file (scrypt + AES, the standard Ethereum keystore v3
format); the API decrypts it with the keystore password from the settings and keeps the account in memory. An API
key is ``orig_`` + 32 random bytes (URL-safe base64), shown once at creation; the database keeps only its SHA-256,
its first characters (to tell keys apart in listings) and which issuer and keystore it unlocks. Keys, passwords and
private keys never appear in logs, errors or answers.

Outside a devnet the well-known devnet keys (anvil's default mnemonic) are refused, because anyone can sign with them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import Connection, insert, select, update

from ledger.db import schema as s
from ledger.errors import LedgerError
from ledger.i18n import gettext as _

log = logging.getLogger("originals.keys")

KEY_PREFIX = "orig_"


class AuthenticationError(LedgerError, PermissionError):
    """Missing, unknown or revoked API key; or a keystore that cannot be opened. Messages never include secrets."""


class DevnetKeyRefused(LedgerError, PermissionError):
    """A well-known devnet key outside a devnet."""


@cache
def devnet_addresses(count: int = 20) -> frozenset[str]:
    """Addresses of anvil's default mnemonic (accounts 0..count-1), lower-case."""
    from ledger.chain.devkeys import devnet_key

    return frozenset(str(Account.from_key(devnet_key(i)).address).lower() for i in range(count))


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_api_key() -> str:
    return KEY_PREFIX + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def create_keystore(directory: Path, password: str, private_key: str | None = None) -> tuple[str, Path]:
    """Write an encrypted keystore for a new (or the given) private key; returns (address, path).

    The file is created with mode 0600; an existing keystore for the same address is never overwritten.
    """
    if not password:
        raise AuthenticationError(_("a keystore needs a non-empty password"))
    account = Account.from_key(private_key) if private_key else Account.create()
    address = str(account.address).lower()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{address}.json"
    if path.exists():
        raise AuthenticationError(_("a keystore for {address} exists already at {path}", address=address, path=path))
    encrypted = Account.encrypt(account.key, password)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(encrypted, handle)
    return address, path


def open_keystore(path: Path, password: str) -> LocalAccount:
    try:
        encrypted = json.loads(Path(path).read_text())
        key = Account.decrypt(encrypted, password)
    except FileNotFoundError:
        raise AuthenticationError(_("the keystore {path} does not exist", path=path)) from None
    except (ValueError, KeyError, json.JSONDecodeError):
        raise AuthenticationError(
            _("the keystore {path} cannot be opened with the configured password", path=path)
        ) from None
    account: LocalAccount = Account.from_key(key)
    return account


def register_api_key(conn: Connection, issuer: str, keystore: Path, label: str) -> str:
    """Create an API key for ``issuer``; returns the key (the only time it is ever shown)."""
    api_key = new_api_key()
    conn.execute(
        insert(s.api_keys).values(
            key_hash=hash_api_key(api_key),
            key_prefix=api_key[: len(KEY_PREFIX) + 6],
            issuer=issuer.lower(),
            label=label,
            keystore=str(keystore),
            created_at=int(time.time()),
            revoked_at=None,
        )
    )
    return api_key


def revoke_api_key(conn: Connection, key_prefix: str) -> int:
    result = conn.execute(
        update(s.api_keys)
        .where((s.api_keys.c.key_prefix == key_prefix) & s.api_keys.c.revoked_at.is_(None))
        .values(revoked_at=int(time.time()))
    )
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class Issuer:
    """An authenticated issuer: its address, its key's label and the unlocked account."""

    address: str
    label: str
    account: LocalAccount


class IssuerKeys:
    """Resolves API keys to unlocked issuer accounts, decrypting each keystore once per process."""

    def __init__(self, password: str, allow_devnet_keys: bool) -> None:
        self._password = password
        self._allow_devnet = allow_devnet_keys
        self._accounts: dict[str, LocalAccount] = {}
        self._lock = threading.Lock()

    def authenticate(self, conn: Connection, api_key: str | None) -> Issuer:
        """The issuer an API key belongs to.

        Raises:
            AuthenticationError: no key, an unknown or revoked key, or a keystore that does not open.
            DevnetKeyRefused: the keystore holds a devnet key and devnet keys are not allowed.
        """
        if not api_key:
            raise AuthenticationError(_("this operation needs an issuer API key (header: Authorization: Bearer <key>)"))
        row = conn.execute(select(s.api_keys).where(s.api_keys.c.key_hash == hash_api_key(api_key))).mappings().first()
        if row is None or row["revoked_at"] is not None:
            raise AuthenticationError(_("the API key is unknown or revoked"))
        issuer = row["issuer"]
        if not self._allow_devnet and issuer in devnet_addresses():
            raise DevnetKeyRefused(_("{issuer} is a well-known devnet key; refused outside a devnet", issuer=issuer))
        with self._lock:
            account = self._accounts.get(row["keystore"])
            if account is None:
                try:
                    account = open_keystore(Path(row["keystore"]), self._password)
                except AuthenticationError:
                    # Its message names the keystore's path, which stays on this server: neither answered nor logged.
                    why = "the configured password does not open it" if Path(row["keystore"]).exists() else "no file"
                    log.error("the keystore of issuer %s (API key %r) cannot be opened: %s", issuer, row["label"], why)
                    raise AuthenticationError(_("the API key's keystore cannot be opened on this server")) from None
                if str(account.address).lower() != issuer:
                    raise AuthenticationError(_("the API key's keystore holds another account"))
                self._accounts[row["keystore"]] = account
        return Issuer(issuer, row["label"], account)
