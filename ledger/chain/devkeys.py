"""The well-known keys of anvil's default mnemonic.

The runtime needs them to *refuse* them: the API will not sign with a devnet key unless the manifest says the chain is
a local devnet (`ledger.issuance.keys.devnet_addresses`). The devnet itself (starting anvil, the demo) is a
development tool in ``devtools/``, outside the runtime package.
"""

from __future__ import annotations

DEVNET_MNEMONIC = "test test test test test test test test test test test junk"
"""anvil's default mnemonic. Public knowledge: never hold anything of value with these keys."""


def devnet_key(index: int) -> str:
    """The private key (0x hex) of anvil's ``index``-th default account."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    account = Account.from_mnemonic(DEVNET_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return "0x" + bytes(account.key).hex()
