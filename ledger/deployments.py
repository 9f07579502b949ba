"""The deployment manifest, ``deployments/<chain_id>.json``: where the contracts live on a chain and how they got there.

``ape run deploy`` writes it; the indexer, the API and the CLI read it (with the committed ABIs) to find the contracts,
the block to start indexing from, and the ABI hash each contract was deployed with. This module is runtime code: it
never imports ape or a compiler, and it validates a manifest completely on load so a malformed file fails at once with
a message naming the bad field, not later as a ``KeyError`` deep in the indexer.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from eth_hash.auto import keccak

from ledger.errors import ConfigurationError, LedgerError
from ledger.events import COUNCIL, ISSUER, OrganisationType
from ledger.vocabulary import ADDRESS, HEX32

SCHEMA_VERSION = 1
"""Bumped when a field changes meaning; a reader refuses versions it does not know."""

CONTRACT_VERSION = 6
"""The version of the contracts (their storage, rules and events) this code was written for.

The deploy script records it in the manifest; the runtime refuses a manifest of another version (or of none), since
its contracts would not behave as the indexer, the verifier and the issuer expect. Bumped with every change of the
contracts that the runtime must know about; there is no on-chain migration: a new version is a new deployment."""

REDEPLOY_HINT = "redeploy the contracts (`make run UP_ARGS=--fresh` on a devnet, `ape run deploy --redeploy` elsewhere)"

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[1] / "deployments"
"""``deployments/`` of the project checkout."""

ORGANISATION_TYPES: Mapping[str, OrganisationType] = MappingProxyType(
    {
        "SME": OrganisationType.SME,
        "Enterprise": OrganisationType.ENTERPRISE,
        "PublicAdministration": OrganisationType.PUBLIC_ADMINISTRATION,
        "University": OrganisationType.UNIVERSITY,
        "ResearchInstitute": OrganisationType.RESEARCH_INSTITUTE,
        "NGO": OrganisationType.NGO,
        "Association": OrganisationType.ASSOCIATION,
        "Ministry": OrganisationType.MINISTRY,
    }
)
"""Organisation types by their Solidity names (as written in ``consortium.yaml`` and the manifest)."""

RIGHTS: Mapping[str, int] = MappingProxyType({"issuer": ISSUER, "council": COUNCIL})
"""Partner rights by name, in bit order."""

_ADDRESS = ADDRESS
_HASH32 = HEX32
_SHA256 = re.compile(r"[0-9a-f]{64}")


class NetworkKind(StrEnum):
    """What kind of chain a deployment lives on, as the deploy script knew it (ape's network, not a chain id)."""

    LOCAL_DEVNET = "local-devnet"
    """A throw-away local chain (ape's ``local`` network: an anvil): its well-known test keys may sign."""
    LIVE = "live"
    """Any other chain, shared or not: the well-known devnet keys are refused there (anyone can sign with them)."""


class DeploymentNotFound(LedgerError, FileNotFoundError):
    """No manifest exists for the chain: the contracts were not deployed there (run ``ape run deploy``)."""


class DeploymentInvalid(ConfigurationError):
    """A manifest exists but is not valid JSON or does not describe a deployment; the message names the field."""


class ContractVersionMismatch(DeploymentInvalid):
    """The manifest records contracts of another version than this code's (or none): they must be redeployed."""

    def __init__(self, source: str, recorded: object) -> None:
        self.source = source
        self.recorded = recorded
        super().__init__(f"{source} {self.what}, but this code needs version {CONTRACT_VERSION}: {REDEPLOY_HINT}")

    @property
    def what(self) -> str:
        """``records contract version 1`` or ``records no contract version``."""
        return "records no contract version" if self.recorded is None else f"records contract version {self.recorded!r}"


class ContractNotDeployed(LedgerError, LookupError):
    """The manifest has no entry for the requested contract."""


def org_type_name(org_type: OrganisationType) -> str:
    """The Solidity name of an organisation type (``PublicAdministration``)."""
    return next(name for name, member in ORGANISATION_TYPES.items() if member == org_type)


def rights_names(rights: int) -> tuple[str, ...]:
    """The names of the bits set in ``rights``, in bit order."""
    return tuple(name for name, bit in RIGHTS.items() if rights & bit)


@dataclass(frozen=True, slots=True)
class ContractDeployment:
    """One deployed contract: where it is, the transaction and block that created it, and its ABI's hash."""

    address: str
    block_number: int
    block_hash: str
    tx_hash: str
    abi_sha256: str


@dataclass(frozen=True, slots=True)
class Founder:
    """A founding partner exactly as passed to the ``PartnerRegistry`` constructor."""

    address: str
    display_name: str
    domain: str
    org_type: OrganisationType
    rights: int
    metadata_hash: str


@dataclass(frozen=True, slots=True)
class Deployment:
    """A whole manifest: one deployment of the registries on one chain."""

    chain_id: int
    network: str
    deployer: str
    voting_period: int
    contracts: Mapping[str, ContractDeployment]
    founders: tuple[Founder, ...] = field(default=())
    network_kind: NetworkKind = NetworkKind.LIVE
    """Only :attr:`NetworkKind.LOCAL_DEVNET` lets the well-known devnet keys sign (the safe default is LIVE)."""
    contract_version: int = CONTRACT_VERSION

    def __post_init__(self) -> None:
        # A read-only view, so a loaded manifest cannot be changed in place by accident.
        object.__setattr__(self, "contracts", MappingProxyType(dict(self.contracts)))

    def contract(self, name: str) -> ContractDeployment:
        """The deployment of contract ``name``.

        Raises:
            ContractNotDeployed: the manifest has no such contract.
        """
        try:
            return self.contracts[name]
        except KeyError:
            raise ContractNotDeployed(
                f"the deployment on chain {self.chain_id} has no {name} (it has: {', '.join(sorted(self.contracts))})"
            ) from None

    @property
    def local_devnet(self) -> bool:
        """Whether the manifest says the chain is a local devnet (where the well-known test keys may sign)."""
        return self.network_kind is NetworkKind.LOCAL_DEVNET

    @property
    def start_block(self) -> int:
        """The first block that can hold an event of these contracts (where an indexer starts)."""
        return min(c.block_number for c in self.contracts.values())

    def to_json(self) -> dict[str, Any]:
        """The manifest as a JSON-ready dict (the inverse of :meth:`from_json`)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "contract_version": self.contract_version,
            "chain_id": self.chain_id,
            "network": self.network,
            "network_kind": self.network_kind.value,
            "deployer": self.deployer,
            "voting_period": self.voting_period,
            "contracts": {
                name: {
                    "address": c.address,
                    "block_number": c.block_number,
                    "block_hash": c.block_hash,
                    "tx_hash": c.tx_hash,
                    "abi_sha256": c.abi_sha256,
                }
                for name, c in self.contracts.items()
            },
            "founders": [
                {
                    "address": f.address,
                    "display_name": f.display_name,
                    "domain": f.domain,
                    "org_type": org_type_name(f.org_type),
                    "rights": list(rights_names(f.rights)),
                    "metadata_hash": f.metadata_hash,
                }
                for f in self.founders
            ],
        }

    @classmethod
    def from_json(cls, obj: object, source: str = "manifest") -> Deployment:
        """Validate and build a deployment from parsed JSON.

        Args:
            obj: the parsed manifest.
            source: what to call it in error messages (usually the file path).

        Raises:
            ContractVersionMismatch: the manifest records contracts of another version than
                :data:`CONTRACT_VERSION`, or none (checked before any other field but the schema version, since a
                manifest of other contracts may differ in them too).
            DeploymentInvalid: a field is missing, of the wrong type or malformed; the message names it.
        """
        top = _Reader(obj, source)
        version = top.integer("schema_version")
        if version != SCHEMA_VERSION:
            raise DeploymentInvalid(f"{source}: schema_version {version} is not supported (expected {SCHEMA_VERSION})")
        _check_contract_version(top.optional("contract_version"), source)
        kind = top.string("network_kind")
        if kind not in set(NetworkKind):
            top.fail("network_kind", f"expected one of {', '.join(k.value for k in NetworkKind)}, got {kind!r}")
        contracts_reader = top.child("contracts")
        contracts = {name: _contract(contracts_reader.child(name)) for name in contracts_reader.names()}
        if not contracts:
            raise DeploymentInvalid(f"{source}: contracts: no contract recorded")
        return cls(
            chain_id=top.integer("chain_id", minimum=1),
            network=top.string("network"),
            deployer=top.address("deployer"),
            voting_period=top.integer("voting_period", minimum=1),
            contracts=contracts,
            founders=tuple(_founder(reader) for reader in top.items("founders")),
            network_kind=NetworkKind(kind),
        )


def _check_contract_version(recorded: object, source: str) -> None:
    """Refuse a manifest whose contracts are not of this code's version, in one line that says what to do."""
    if recorded == CONTRACT_VERSION and type(recorded) is int:
        return
    raise ContractVersionMismatch(source, recorded)


def _contract(reader: _Reader) -> ContractDeployment:
    return ContractDeployment(
        address=reader.address("address"),
        block_number=reader.integer("block_number"),
        block_hash=reader.pattern("block_hash", _HASH32, "a 0x-prefixed 32-byte hex hash").lower(),
        tx_hash=reader.pattern("tx_hash", _HASH32, "a 0x-prefixed 32-byte hex hash").lower(),
        abi_sha256=reader.pattern("abi_sha256", _SHA256, "64 lower-case hex digits"),
    )


def _founder(reader: _Reader) -> Founder:
    org_name = reader.string("org_type")
    if org_name not in ORGANISATION_TYPES:
        reader.fail("org_type", f"unknown organisation type {org_name!r}")
    rights = 0
    for index, name in enumerate(reader.array("rights")):
        if name not in RIGHTS:
            reader.fail(f"rights[{index}]", f"unknown right {name!r} (expected one of: {', '.join(RIGHTS)})")
        rights |= RIGHTS[name]
    return Founder(
        address=reader.address("address"),
        display_name=reader.string("display_name"),
        domain=reader.string("domain", allow_empty=True),
        org_type=ORGANISATION_TYPES[org_name],
        rights=rights,
        metadata_hash=reader.pattern("metadata_hash", _HASH32, "a 0x-prefixed 32-byte hex hash").lower(),
    )


class _Reader:
    """Typed access to one JSON object, raising :class:`DeploymentInvalid` naming the file and the field."""

    def __init__(self, obj: object, source: str, path: str = "") -> None:
        self._source = source
        self._path = path
        if not isinstance(obj, dict):
            where = f"{source}: {path}" if path else source
            raise DeploymentInvalid(f"{where}: expected a JSON object, got {type(obj).__name__}")
        self._obj: dict[Any, Any] = obj

    def _field(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def fail(self, key: str, problem: str) -> NoReturn:
        raise DeploymentInvalid(f"{self._source}: {self._field(key)}: {problem}")

    def names(self) -> list[str]:
        return [str(name) for name in self._obj]

    def _get(self, key: str) -> Any:
        if key not in self._obj:
            self.fail(key, "missing")
        return self._obj[key]

    def optional(self, key: str) -> object:
        """The raw value of ``key``, or None when it is absent."""
        return self._obj.get(key)

    def child(self, key: str) -> _Reader:
        return _Reader(self._get(key), self._source, self._field(key))

    def array(self, key: str) -> list[Any]:
        value = self._get(key)
        if not isinstance(value, list):
            self.fail(key, f"expected a list, got {type(value).__name__}")
        return value

    def items(self, key: str) -> list[_Reader]:
        return [_Reader(item, self._source, f"{self._field(key)}[{i}]") for i, item in enumerate(self.array(key))]

    def integer(self, key: str, minimum: int = 0) -> int:
        value = self._get(key)
        # bool is an int subclass; `true` is never a block number.
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.fail(key, f"expected an integer >= {minimum}, got {value!r}")
        return value

    def string(self, key: str, allow_empty: bool = False) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not (value or allow_empty):
            self.fail(key, f"expected a non-empty string, got {value!r}")
        return value

    def pattern(self, key: str, regex: re.Pattern[str], what: str) -> str:
        value = self.string(key)
        if not regex.fullmatch(value):
            self.fail(key, f"expected {what}, got {value!r}")
        return value

    def address(self, key: str) -> str:
        return checksum_address(self.pattern(key, _ADDRESS, "a 0x-prefixed 20-byte hex address"))


def checksum_address(address: str) -> str:
    """The EIP-55 mixed-case form of a ``0x`` + 40 hex digit address (any case in), as eth-utils writes it.

    A hex digit is upper-cased where the same position of keccak256(the lower-case hex digits, as ASCII) is 8 or more.
    Done here rather than with ``eth_utils.to_checksum_address`` because importing eth-utils takes ~45 ms, and the
    indexer needs it for nothing else: every start (and every resume after a crash) paid for it.
    """
    digits = address[2:].lower()
    mask = keccak(digits.encode("ascii")).hex()[:40]
    return "0x" + "".join(c.upper() if m in "89abcdef" else c for c, m in zip(digits, mask, strict=True))


def manifest_path(chain_id: int, directory: Path | None = None) -> Path:
    """Where the manifest of chain ``chain_id`` lives (``deployments/<chain_id>.json`` by default)."""
    return (DEFAULT_DIRECTORY if directory is None else directory) / f"{chain_id}.json"


def render_manifest(deployment: Deployment) -> str:
    """The file form of a manifest: pretty-printed JSON with sorted keys and a trailing newline."""
    return json.dumps(deployment.to_json(), indent=2, sort_keys=True) + "\n"


def read_manifest(path: Path) -> Deployment:
    """Load and validate the manifest at ``path``.

    Raises:
        DeploymentNotFound: there is no file at ``path``.
        DeploymentInvalid: the file is not valid JSON or not a valid manifest.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeploymentNotFound(f"{path}: no deployment manifest (run: ape run deploy --network ...)") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeploymentInvalid(f"{path}: not valid JSON ({exc})") from None
    return Deployment.from_json(obj, source=str(path))


def load_deployment(chain_id: int, directory: Path | None = None) -> Deployment:
    """Load the manifest of chain ``chain_id``.

    Raises:
        DeploymentNotFound: no manifest exists for the chain.
        DeploymentInvalid: the manifest is malformed, or records another chain id than its file name.
    """
    path = manifest_path(chain_id, directory)
    deployment = read_manifest(path)
    if deployment.chain_id != chain_id:
        raise DeploymentInvalid(f"{path}: records chain id {deployment.chain_id}, expected {chain_id}")
    return deployment


def save_deployment(deployment: Deployment, directory: Path | None = None) -> Path:
    """Write the manifest of ``deployment`` atomically and return its path.

    The text goes to a temporary file in the same directory, is flushed to disk, then renamed over the manifest, so a
    reader sees the old manifest or the new one, never half of one, even if the writer dies mid-way.
    """
    path = manifest_path(deployment.chain_id, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes it 0600; the API and indexer may run as other users
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            tmp.write(render_manifest(deployment))
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path
