"""What the API answers about the API scenario's provenance story (:meth:`support.api_scenario._Builder.provenance`),
written from its records: the original summaries of the charter (registered first, sold, stolen), its second
registration by the mill (held by the foundation) and the copy derived from that."""

from __future__ import annotations

from typing import Any

from support import devchain
from support.api_scenario import Scenario


def devchain_address(account: int) -> str:
    from eth_account import Account

    from ledger.chain.devkeys import devnet_key

    return str(Account.from_key(devnet_key(account)).address).lower()


def entry(sc: Scenario, step: str, log_index: int, action: str, actor: str, **values: Any) -> dict[str, Any]:
    tx = sc.txs[f"prov.{step}"]
    nulls = ("party", "right", "disposition", "biz_step", "occurred_at", "deadline", "reference", "by_council")
    return {"block_number": tx.block_number, "log_index": log_index, "tx_hash": tx.tx_hash, "at": tx.at} | {
        "action": action,
        "actor": actor,
        **dict.fromkeys(nulls),
        **values,
    }


def charter_summary(sc: Scenario) -> dict[str, Any]:
    ministry, register = sc.partner("ministry"), sc.txs["prov.register"]
    return {
        "id": sc.originals["charter"],
        "identifier": sc.cases["wrapped-single"].fingerprint,
        "registrar": ministry.address,
        "registrar_name": ministry.name,
        "registered_at": register.at,
        "registered_block": register.block_number,
        "owner": devchain_address(5),
        "holder": devchain_address(5),
        "soulbound": False,
        "disposition": "STOLEN",
        "first_registration": True,
    }


def second_summary(sc: Scenario) -> dict[str, Any]:
    mill, second = sc.partner("mill"), sc.txs["prov.second"]
    return {
        "id": sc.originals["second"],
        "identifier": sc.cases["wrapped-single"].fingerprint,
        "registrar": mill.address,
        "registrar_name": mill.name,
        "registered_at": second.at,
        "registered_block": second.block_number,
        "owner": mill.address,
        "holder": sc.partner("foundation").address,
        "soulbound": False,
        "disposition": "NONE",
        "first_registration": False,
    }


def copy_summary(sc: Scenario) -> dict[str, Any]:
    mill, copy = sc.partner("mill"), sc.txs["prov.copy"]
    return {
        "id": sc.originals["copy"],
        "identifier": devchain.h32(1, "api-charter-copy"),
        "registrar": mill.address,
        "registrar_name": mill.name,
        "registered_at": copy.at,
        "registered_block": copy.block_number,
        "owner": mill.address,
        "holder": mill.address,
        "soulbound": False,
        "disposition": "NONE",
        "first_registration": True,
    }


def frame_summary(sc: Scenario) -> dict[str, Any]:
    ministry, frame = sc.partner("ministry"), sc.txs["prov.frame"]
    return {
        "id": sc.originals["frame"],
        "identifier": devchain.h32(4, "api-charter-frame"),
        "registrar": ministry.address,
        "registrar_name": ministry.name,
        "registered_at": frame.at,
        "registered_block": frame.block_number,
        "owner": ministry.address,
        "holder": ministry.address,
        "soulbound": False,
        "disposition": "NONE",
        "first_registration": True,
    }


def expected_provenance(sc: Scenario, fingerprint: str | None) -> list[dict[str, Any]]:
    """The provenance section of a verification answer about ``fingerprint`` (or its certificate): for the wrapped
    single certificate's fingerprint the charter, its second registration and the frame linked to the certificate
    under a serial of its own; nothing for any other."""
    if fingerprint is not None and fingerprint == sc.cases["wrapped-single"].fingerprint:
        return [charter_summary(sc), second_summary(sc), frame_summary(sc)]
    return []
