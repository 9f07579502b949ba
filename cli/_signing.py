"""Signing an action here and handing it to the API's relayer: what every command that writes with a signature shares
(the consortium's, :mod:`cli.governance`, and an original's owner's and holder's, :mod:`cli.provenance_actions`).

The signer's key stays on this machine: an encrypted keystore (``--keystore`` or ``ORIGINALS_SIGNER_KEYSTORE``; the
password from ``ORIGINALS_SIGNER_PASSWORD`` or asked for on a terminal), or on a devnet one of anvil's well-known keys.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cli._shell import api_client, settings_of
from ledger.errors import LedgerError
from ledger.i18n import gettext as _

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

ZERO_HASH = "0x" + "00" * 32


def signing_account(args: argparse.Namespace) -> LocalAccount:
    """The signer's account, from its encrypted keystore (the password from the settings or the terminal)."""
    import getpass
    from pathlib import Path

    from ledger.issuance.keys import open_keystore

    if args.devnet_account is not None:
        from eth_account import Account

        from ledger.chain.devkeys import devnet_key

        devnet: LocalAccount = Account.from_key(devnet_key(args.devnet_account))
        return devnet
    settings = settings_of(args)
    path = args.keystore or settings.signer_keystore
    if path is None:
        raise LedgerError(_("this command signs: give --keystore PATH (or set ORIGINALS_SIGNER_KEYSTORE)"))
    password = settings.signer_password.get_secret_value() if settings.signer_password is not None else None
    if password is None:
        if not sys.stdin.isatty():
            raise LedgerError(_("set ORIGINALS_SIGNER_PASSWORD (no terminal to ask for the keystore password)"))
        password = getpass.getpass(_("password of {path}: ", path=path))
    return open_keystore(Path(path), password)


def relay(
    args: argparse.Namespace, action: str, path: Callable[[str], str], proof: list[str] | None = None, **fields: Any
) -> dict[str, Any]:
    """Prepare ``action`` for the keystore's account, sign it here, post it to ``path(signer)``; the API's answer."""
    from ledger.signing.actions import sign

    account = signing_account(args)
    signer = str(account.address).lower()
    client = api_client(args)
    try:
        prepared = client.post("/actions/prepare", {"action": action, "signer": signer, **fields})
        typed = prepared["typed_data"]
        body: dict[str, Any] = {"typed_data": typed, "signature": sign(typed, account.key)}
        if proof:
            body["proof"] = proof
        answer: dict[str, Any] = client.post(path(signer), body)
    finally:
        client.close()
    return answer


def mined_line(answer: dict[str, Any]) -> str:
    return _("mined in block {block}, tx {tx}", block=answer["block_number"], tx=answer["tx_hash"])


def hex32(value: str) -> str:
    from ledger.vocabulary import HEX32

    if not HEX32.match(value):
        raise argparse.ArgumentTypeError(_("not a 32-byte value (0x + 64 hex digits): {value}", value=repr(value)))
    return value.lower()


def address(value: str) -> str:
    from ledger.vocabulary import ADDRESS

    if not ADDRESS.match(value):
        raise argparse.ArgumentTypeError(_("not an address (0x + 40 hex digits): {value}", value=repr(value)))
    return value.lower()


def metadata(value: str | None) -> str:
    """``--metadata``: a 32-byte hash as given, or the SHA-256 of a file; none is the zero hash."""
    if value is None:
        return ZERO_HASH
    if value.startswith("0x"):
        return hex32(value)
    from cli._shell import hash_files

    ((_path, fingerprint),) = hash_files([value])
    return str(fingerprint)


def signing_options(parser: argparse.ArgumentParser) -> None:
    """The options of a command that signs an action here and hands it to the API (no API key: the signature is
    the authority)."""
    signer = parser.add_mutually_exclusive_group()
    signer.add_argument("--keystore", help=_("the signer's encrypted keystore (env ORIGINALS_SIGNER_KEYSTORE)"))
    signer.add_argument(
        "--devnet-account", type=int, metavar="N", help=_("sign with anvil's N-th well-known key (devnets only)")
    )
    parser.add_argument("--api-url", help=_("the Originals API (env ORIGINALS_API_URL; default http://127.0.0.1:8000)"))
    parser.set_defaults(api_key=None)
