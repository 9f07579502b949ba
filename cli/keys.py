"""``originals keys``: an issuer's encrypted keystore and the API key bound to it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli._shell import settings_of
from ledger.errors import LedgerError
from ledger.i18n import gettext as _


def cmd_keys(args: argparse.Namespace) -> int:
    """Create an encrypted issuer keystore and an API key bound to it."""
    import getpass

    from ledger.db.engine import make_engine, upgrade
    from ledger.issuance.keys import create_keystore, register_api_key

    settings = settings_of(args)
    password = settings.keystore_password.get_secret_value()
    if not password:
        if not sys.stdin.isatty():
            raise LedgerError(_("set ORIGINALS_KEYSTORE_PASSWORD (no terminal to ask for the keystore password)"))
        password = getpass.getpass(_("keystore password: "))
    private_key = None
    if args.devnet_account is not None:
        from ledger.chain.devkeys import devnet_key

        private_key = devnet_key(args.devnet_account)
    address, path = create_keystore(settings.keystore_dir, password, private_key)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            api_key = register_api_key(conn, address, path, args.name)
    finally:
        engine.dispose()
    print(_("issuer account {address}; encrypted keystore {path}", address=address, path=path))
    print(_("API key (shown once, store it now): {key}", key=api_key))
    return 0


def register(commands: Any) -> None:
    keys = commands.add_parser("keys", help=_("create an encrypted issuer keystore and an API key"))
    keys.add_argument("--name", required=True, help=_("a label for the key, e.g. the issuer's name"))
    keys.add_argument("--devnet-account", type=int, help=_("use anvil's N-th devnet key (devnets only)"))
    keys.add_argument("--database-url", help=_("SQLAlchemy URL (env ORIGINALS_DATABASE_URL)"))
    keys.set_defaults(handler=cmd_keys)
