"""Helpers for the deploy scripts: read and validate ``consortium.yaml``, resolve founders, judge an old manifest.

Not an ``ape run`` target (the leading underscore). Nothing here imports ape, so the validation rules are unit-tested
without a chain; ``scripts/deploy.py`` passes in what it needs from the connected network (the test accounts, a way
to read code and block hashes).

``consortium.yaml`` looks like this (see the file itself for the commented version)::

    voting_period: 7d
    founders:
      - name: Town of Originals
        domain: town.example
        org_type: PublicAdministration
        rights: [issuer, council]
        account: 0            # a devnet test account; on any other network: address: 0x...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from eth_utils.address import is_checksum_address, to_checksum_address

from ledger.abi import CONTRACTS
from ledger.deployments import ORGANISATION_TYPES, RIGHTS, Deployment, Founder
from ledger.vocabulary import ADDRESS, HEX32

UINT48_MAX = 2**48 - 1
ZERO_ADDRESS = "0x" + "00" * 20
ZERO_HASH = "0x" + "00" * 32
_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DOMAIN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")
_HEX_ADDRESS = ADDRESS
_HASH32 = HEX32
_TOP_KEYS = frozenset({"voting_period", "founders"})
_FOUNDER_KEYS = frozenset({"name", "domain", "org_type", "rights", "address", "account", "metadata_hash"})


class ConsortiumConfigError(ValueError):
    """``consortium.yaml`` is missing or invalid; the message is one line naming the file, the entry and the fix."""


@dataclass(frozen=True)
class FounderSpec:
    """A founding partner as written in the file: either a fixed ``address`` or a devnet ``account`` index."""

    name: str
    domain: str
    org_type: str
    rights: int
    address: str | None
    account: int | None
    metadata_hash: str


@dataclass(frozen=True)
class ConsortiumSpec:
    """The whole file, validated; addresses of devnet accounts are resolved later, once the network is known."""

    source: str
    voting_period: int
    founders: tuple[FounderSpec, ...]


def load_consortium(path: Path) -> ConsortiumSpec:
    """Read and validate ``path``.

    Raises:
        ConsortiumConfigError: the file is missing, is not YAML, or breaks a rule; one line saying which and where.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConsortiumConfigError(f"{path}: file not found") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConsortiumConfigError(f"{path}: not valid YAML{where}: {problem}") from None
    return parse_consortium(data, str(path))


def parse_consortium(data: object, source: str) -> ConsortiumSpec:
    """Validate the parsed YAML of a consortium file (``source`` names it in messages).

    Raises:
        ConsortiumConfigError: on the first rule broken.
    """
    if not isinstance(data, dict):
        raise ConsortiumConfigError(f"{source}: expected a mapping with voting_period and founders")
    _reject_unknown(data, _TOP_KEYS, source)
    if "voting_period" not in data:
        raise ConsortiumConfigError(f"{source}: voting_period is missing (seconds, or e.g. 7d)")
    voting_period = _duration(data["voting_period"], f"{source}: voting_period")
    founders_raw = data.get("founders")
    if not isinstance(founders_raw, list) or not founders_raw:
        raise ConsortiumConfigError(f"{source}: founders must be a non-empty list of founding partners")
    founders = tuple(_founder(item, f"{source}: founders[{i}]") for i, item in enumerate(founders_raw))
    if not any(f.rights & RIGHTS["council"] for f in founders):
        raise ConsortiumConfigError(f"{source}: no founder has the council right; at least one must")
    return ConsortiumSpec(source=source, voting_period=voting_period, founders=founders)


def _reject_unknown(mapping: Mapping[Any, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(str(key) for key in mapping if key not in allowed)
    if unknown:
        raise ConsortiumConfigError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _duration(value: object, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and (match := _DURATION.fullmatch(value.strip())):
        seconds = int(match[1]) * _UNIT_SECONDS[match[2]]
    else:
        raise ConsortiumConfigError(f"{where}: {value!r} is not a duration (seconds, or a number with s, m, h, d, w)")
    if not 0 < seconds <= UINT48_MAX:
        raise ConsortiumConfigError(f"{where}: must be between 1 second and {UINT48_MAX} seconds, got {seconds}")
    return seconds


def _founder(item: object, where: str) -> FounderSpec:
    if not isinstance(item, dict):
        raise ConsortiumConfigError(f"{where}: expected a mapping with name, domain, org_type, rights and address")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConsortiumConfigError(f"{where}: name is missing (the display name shown to verifiers)")
    if name != name.strip():
        raise ConsortiumConfigError(f"{where}: name {name!r} has leading or trailing spaces")
    where = f"{where} ({name})"
    _reject_unknown(item, _FOUNDER_KEYS, where)

    domain = item.get("domain")
    if not isinstance(domain, str) or not _DOMAIN.fullmatch(domain):
        raise ConsortiumConfigError(f"{where}: domain {domain!r} is not a lower-case domain name like town.example")

    org_type = item.get("org_type")
    if org_type not in ORGANISATION_TYPES:
        raise ConsortiumConfigError(f"{where}: unknown org_type {org_type!r} (one of: {', '.join(ORGANISATION_TYPES)})")

    rights_raw = item.get("rights")
    if not isinstance(rights_raw, list):
        raise ConsortiumConfigError(f"{where}: rights must be a list of {' and/or '.join(RIGHTS)}, e.g. [issuer]")
    rights = 0
    for right in rights_raw:
        if right not in RIGHTS:
            raise ConsortiumConfigError(f"{where}: unknown right {right!r} (one of: {', '.join(RIGHTS)})")
        if rights & RIGHTS[right]:
            raise ConsortiumConfigError(f"{where}: right {right!r} is listed twice")
        rights |= RIGHTS[right]

    has_address, has_account = "address" in item, "account" in item
    if has_address == has_account:
        raise ConsortiumConfigError(f"{where}: give exactly one of address (0x...) or account (a devnet account index)")
    address = _address(item["address"], where) if has_address else None
    account = item.get("account")
    if has_account and (not isinstance(account, int) or isinstance(account, bool) or account < 0):
        raise ConsortiumConfigError(f"{where}: account must be a test account index (0, 1, ...), got {account!r}")

    metadata_hash = item.get("metadata_hash", ZERO_HASH)
    if not isinstance(metadata_hash, str) or not _HASH32.fullmatch(metadata_hash):
        raise ConsortiumConfigError(f"{where}: metadata_hash {metadata_hash!r} is not 0x followed by 64 hex digits")

    return FounderSpec(
        name=name,
        domain=domain,
        org_type=org_type,
        rights=rights,
        address=address,
        account=account,
        metadata_hash=metadata_hash.lower(),
    )


def _address(value: object, where: str) -> str:
    # YAML reads an unquoted 0x... as an integer; ask for quotes instead of guessing the leading zeros.
    if not isinstance(value, str):
        raise ConsortiumConfigError(f"{where}: address must be a quoted string like '0xAbC...', got {value!r}")
    if not _HEX_ADDRESS.fullmatch(value):
        raise ConsortiumConfigError(f"{where}: address {value!r} is not 0x followed by 40 hex digits")
    mixed_case = value[2:] != value[2:].lower() and value[2:] != value[2:].upper()
    if mixed_case and not is_checksum_address(value):
        raise ConsortiumConfigError(f"{where}: address {value} has a bad EIP-55 checksum (a typo?)")
    if value.lower() == ZERO_ADDRESS:
        raise ConsortiumConfigError(f"{where}: address is the zero address")
    return str(to_checksum_address(value))


def resolve_founders(
    spec: ConsortiumSpec, test_accounts: Sequence[str] | None, network: str = "this network"
) -> tuple[Founder, ...]:
    """Give every founder its address: fixed ones as written, ``account: N`` from the devnet's test accounts.

    Args:
        spec: the validated file.
        test_accounts: the network's test account addresses, or None on a network without them (anything but a
            local devnet), where ``account:`` entries are an error.
        network: the network's name, for messages.

    Raises:
        ConsortiumConfigError: an account index on a live network or out of range, or two founders with one address.
    """
    resolved: list[Founder] = []
    seen: dict[str, str] = {}
    for i, founder in enumerate(spec.founders):
        where = f"{spec.source}: founders[{i}] ({founder.name})"
        if founder.address is not None:
            address = founder.address
        elif test_accounts is None:
            raise ConsortiumConfigError(
                f"{where}: account: {founder.account} works on a local devnet only; give address: 0x... for {network}"
            )
        elif founder.account is not None and founder.account < len(test_accounts):
            address = str(to_checksum_address(test_accounts[founder.account]))
        else:
            raise ConsortiumConfigError(
                f"{where}: account: {founder.account} is out of range ({len(test_accounts)} test accounts on {network})"
            )
        if address in seen:
            raise ConsortiumConfigError(f"{where}: address {address} is already the address of {seen[address]}")
        seen[address] = founder.name
        resolved.append(
            Founder(
                address=address,
                display_name=founder.name,
                domain=founder.domain,
                org_type=ORGANISATION_TYPES[founder.org_type],
                rights=founder.rights,
                metadata_hash=founder.metadata_hash,
            )
        )
    return tuple(resolved)


def constructor_founders(founders: Sequence[Founder]) -> list[tuple[str, int, int, str, str, bytes]]:
    """The founders as ``PartnerRegistry``'s constructor takes them (``IPartnerRegistry.Founder[]``)."""
    return [
        (f.address, int(f.org_type), f.rights, f.display_name, f.domain, bytes.fromhex(f.metadata_hash[2:]))
        for f in founders
    ]


def contract_abi(contract_type: Any) -> list[dict[str, Any]]:
    """The ABI of an ape/ethpm ``ContractType`` as plain JSON, exactly as solc emits it (same keys and values)."""
    return [entry.model_dump(mode="json", by_alias=True, exclude_none=True) for entry in contract_type.abi]


def display_path(path: Path) -> Path:
    """``path`` relative to the working directory when it lies inside it (shorter messages), else as given."""
    cwd = Path.cwd()
    return path.relative_to(cwd) if path.is_absolute() and path.is_relative_to(cwd) else path


def stale_reason(
    deployment: Deployment,
    get_code: Callable[[str], bytes],
    get_block_hash: Callable[[int], str | None],
) -> str | None:
    """Why a manifest does not describe what is on the connected chain, or None when it does.

    A manifest is current when it records every deployed contract, each address holds code, and each deploy block
    still has the recorded hash (a restarted or reorganised devnet can reuse the same addresses, so code alone does
    not prove it is the same deployment).

    Args:
        deployment: the manifest found for this chain id.
        get_code: the code at an address (empty when none).
        get_block_hash: the hash of a block by number (0x hex), or None when the chain has no such block.
    """
    for name in CONTRACTS:
        if name not in deployment.contracts:
            return f"it records no {name}"
    # Deployment order, so the first contract found missing is the one the reader expects.
    for name in [*CONTRACTS, *sorted(set(deployment.contracts) - set(CONTRACTS))]:
        contract = deployment.contracts[name]
        if not get_code(contract.address):
            return f"{name} has no code at {contract.address}"
        block_hash = get_block_hash(contract.block_number)
        if block_hash is None:
            return f"the chain has no block {contract.block_number}, where {name} was deployed"
        if block_hash.lower() != contract.block_hash:
            return f"block {contract.block_number}, where {name} was deployed, now has another hash"
    return None
