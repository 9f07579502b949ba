"""The committed ABIs in ledger/abi/ are exactly what a fresh compile of contracts/ gives.

The runtime decodes events and builds calls from these files only, so a contract change without ``make abi`` would
make the indexer silently disagree with the chain. The compile here goes straight through py-solc-x with the settings
ape-solidity uses (read from ape-config.yaml, ape-solidity's defaults for the optimizer), without importing ape.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import solcx
import yaml

from devtools.toolchain import PROJECT_ROOT, Toolchain
from ledger.abi import ABI_DIR, CONTRACTS, abi_path, abi_sha256, load_abi, render_abi

# ape-solidity's defaults (SolidityConfig.optimize / optimization_runs) when ape-config.yaml does not set them.
APE_SOLIDITY_DEFAULT_OPTIMIZE = True
APE_SOLIDITY_DEFAULT_RUNS = 200

AWAITING_ABI: dict[str, str] = {}
"""Deployable contracts whose ABI is not committed yet, each with why; remove the entry with the ``make abi`` step."""


def standard_input(root: Path) -> dict[str, Any]:
    """The solc standard-JSON input ape-solidity would build for every source under contracts/."""
    config = yaml.safe_load((root / "ape-config.yaml").read_text(encoding="utf-8"))
    solidity = config.get("solidity", {})
    contracts_folder = root / config.get("contracts_folder", "contracts")
    sources = sorted(p for p in contracts_folder.rglob("*.sol") if ".cache" not in p.parts)
    settings: dict[str, Any] = {
        "optimizer": {
            "enabled": solidity.get("optimize", APE_SOLIDITY_DEFAULT_OPTIMIZE),
            "runs": solidity.get("optimization_runs", APE_SOLIDITY_DEFAULT_RUNS),
        },
        "remappings": sorted(solidity.get("import_remapping", [])),
        "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
    }
    if "evm_version" in solidity:
        settings["evmVersion"] = solidity["evm_version"]
    return {
        "language": "Solidity",
        "sources": {str(p.relative_to(root)): {"content": p.read_text(encoding="utf-8")} for p in sources},
        "settings": settings,
    }


@pytest.fixture(scope="module")
def compiled() -> dict[str, dict[str, Any]]:
    """Every contract of a fresh compile, by name (the compiler wired by ``make setup``)."""
    solc = Toolchain(PROJECT_ROOT).solc
    assert solc.is_file(), f"{solc} is missing: run `make setup` to wire solc 0.8.30"
    output = solcx.compile_standard(
        standard_input(PROJECT_ROOT), base_path=PROJECT_ROOT, allow_paths=PROJECT_ROOT, solc_binary=solc
    )
    errors = [e["formattedMessage"] for e in output.get("errors", []) if e["severity"] == "error"]
    assert not errors, "\n".join(errors)
    return {
        name: {**contract, "source": source}
        for source, contracts in output["contracts"].items()
        for name, contract in contracts.items()
    }


@pytest.mark.parametrize("name", CONTRACTS)
def test_committed_abi_matches_a_fresh_compile(name: str, compiled: dict[str, dict[str, Any]]) -> None:
    committed = abi_path(name).read_text(encoding="utf-8")
    assert committed == render_abi(compiled[name]["abi"]), f"{abi_path(name)} is stale: run `make abi` and commit it"


def test_every_deployable_contract_of_the_project_has_a_committed_abi(compiled: dict[str, dict[str, Any]]) -> None:
    """A new deployable contract (not an interface or abstract unit, not from node_modules) must be in CONTRACTS."""
    deployable = {
        name
        for name, contract in compiled.items()
        if contract["source"].startswith("contracts/") and contract["evm"]["bytecode"]["object"]
    }
    assert deployable == set(CONTRACTS) | set(AWAITING_ABI)
    assert not set(AWAITING_ABI) & set(CONTRACTS)


def test_abi_folder_holds_exactly_the_committed_contracts() -> None:
    assert {p.stem for p in ABI_DIR.glob("*.json")} == set(CONTRACTS)


def test_render_abi_is_sorted_pretty_json_with_a_trailing_newline() -> None:
    abi = [{"type": "event", "name": "X", "inputs": [], "anonymous": False}]
    assert render_abi(abi) == (
        '[\n  {\n    "anonymous": false,\n    "inputs": [],\n    "name": "X",\n    "type": "event"\n  }\n]\n'
    )


@pytest.mark.parametrize("name", CONTRACTS)
def test_load_abi_returns_the_committed_list(name: str, compiled: dict[str, dict[str, Any]]) -> None:
    assert load_abi(name) == compiled[name]["abi"]


def test_abi_sha256_hashes_canonical_json_with_sorted_keys_and_no_spaces() -> None:
    abi = [{"type": "function", "name": "f", "inputs": [{"type": "uint256", "name": "x"}]}]
    canonical = b'[{"inputs":[{"name":"x","type":"uint256"}],"name":"f","type":"function"}]'
    assert abi_sha256(abi) == hashlib.sha256(canonical).hexdigest()
