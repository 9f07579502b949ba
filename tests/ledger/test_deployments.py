"""The deployment manifest round-trips, refuses malformed files with a message naming the field, and saves atomically.

The runtime trusts this file to find the contracts and the block to index from, so every way it can be wrong must be
caught at load time with a clear error rather than surface later as a KeyError in the indexer.
"""

from __future__ import annotations

import json
import os
import random
import stat
from pathlib import Path
from typing import Any

import pytest
from eth_utils.address import to_checksum_address

from ledger.deployments import (
    CONTRACT_VERSION,
    ORGANISATION_TYPES,
    RIGHTS,
    SCHEMA_VERSION,
    ContractDeployment,
    ContractNotDeployed,
    ContractVersionMismatch,
    Deployment,
    DeploymentInvalid,
    DeploymentNotFound,
    Founder,
    NetworkKind,
    checksum_address,
    load_deployment,
    manifest_path,
    read_manifest,
    render_manifest,
    save_deployment,
)
from ledger.errors import ConfigurationError, LedgerError
from ledger.events import COUNCIL, ISSUER, OrganisationType

TOWN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
BANK = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PARTNERS = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CERTIFICATES = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"


def deployment(
    chain_id: int = 31337, partners_block: int = 1, kind: NetworkKind = NetworkKind.LOCAL_DEVNET
) -> Deployment:
    return Deployment(
        chain_id=chain_id,
        network="ethereum:local",
        network_kind=kind,
        deployer=TOWN,
        voting_period=604800,
        contracts={
            "PartnerRegistry": ContractDeployment(
                address=PARTNERS,
                block_number=partners_block,
                block_hash="0x" + "b1" * 32,
                tx_hash="0x" + "a1" * 32,
                abi_sha256="c1" * 32,
            ),
            "CertificateRegistry": ContractDeployment(
                address=CERTIFICATES,
                block_number=2,
                block_hash="0x" + "b2" * 32,
                tx_hash="0x" + "a2" * 32,
                abi_sha256="c2" * 32,
            ),
        },
        founders=(
            Founder(
                TOWN,
                "Town of Originals",
                "town.example",
                OrganisationType.PUBLIC_ADMINISTRATION,
                ISSUER | COUNCIL,
                "0x" + "00" * 32,
            ),
            Founder(BANK, "Cooperative Bank", "bank.example", OrganisationType.ENTERPRISE, ISSUER, "0x" + "ee" * 32),
        ),
    )


def manifest_json() -> dict[str, Any]:
    return deployment().to_json()


def test_manifest_round_trips_through_save_and_load(tmp_path: Path) -> None:
    original = deployment()
    path = save_deployment(original, tmp_path)
    assert path == tmp_path / "31337.json"
    assert load_deployment(31337, tmp_path) == original


def test_manifest_file_is_sorted_pretty_json_with_names_for_enums(tmp_path: Path) -> None:
    path = save_deployment(deployment(), tmp_path)
    text = path.read_text(encoding="utf-8")
    obj = json.loads(text)
    assert text == json.dumps(obj, indent=2, sort_keys=True) + "\n"
    assert obj["schema_version"] == SCHEMA_VERSION
    assert (obj["contract_version"], obj["network_kind"]) == (CONTRACT_VERSION, "local-devnet")
    assert obj["founders"][0] == {
        "address": TOWN,
        "display_name": "Town of Originals",
        "domain": "town.example",
        "org_type": "PublicAdministration",
        "rights": ["issuer", "council"],
        "metadata_hash": "0x" + "00" * 32,
    }
    assert obj["founders"][1]["rights"] == ["issuer"]
    assert obj["contracts"]["PartnerRegistry"] == {
        "address": PARTNERS,
        "block_number": 1,
        "block_hash": "0x" + "b1" * 32,
        "tx_hash": "0x" + "a1" * 32,
        "abi_sha256": "c1" * 32,
    }


def test_manifest_is_readable_by_other_users(tmp_path: Path) -> None:
    """The API and the indexer may run as other users than the deployer."""
    path = save_deployment(deployment(), tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_save_replaces_an_existing_manifest_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    save_deployment(deployment(partners_block=1), tmp_path)
    save_deployment(deployment(partners_block=7), tmp_path)
    assert load_deployment(31337, tmp_path).contract("PartnerRegistry").block_number == 7
    assert [p.name for p in tmp_path.iterdir()] == ["31337.json"]


def test_failed_save_keeps_the_old_manifest_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save_deployment(deployment(partners_block=1), tmp_path)
    before = path.read_bytes()

    def crash(src: str, dst: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        save_deployment(deployment(partners_block=9), tmp_path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["31337.json"]


def test_save_creates_the_directory(tmp_path: Path) -> None:
    path = save_deployment(deployment(), tmp_path / "new" / "deployments")
    assert path.is_file()


def test_manifest_path_is_the_chain_id_in_the_directory(tmp_path: Path) -> None:
    assert manifest_path(1337, tmp_path) == tmp_path / "1337.json"
    assert manifest_path(31337).name == "31337.json"
    assert manifest_path(31337).parent.name == "deployments"


def test_missing_manifest_raises_deployment_not_found(tmp_path: Path) -> None:
    with pytest.raises(DeploymentNotFound, match=r"11155111\.json: no deployment manifest \(run: ape run deploy"):
        load_deployment(11155111, tmp_path)


def test_deployment_errors_are_ledger_errors_and_their_builtin_kin() -> None:
    assert issubclass(DeploymentNotFound, LedgerError)
    assert issubclass(DeploymentNotFound, FileNotFoundError)
    assert issubclass(DeploymentInvalid, ConfigurationError)
    assert issubclass(DeploymentInvalid, ValueError)
    assert issubclass(ContractNotDeployed, LookupError)


def test_contract_version_is_six_the_provenance_registry_with_signed_actions() -> None:
    assert CONTRACT_VERSION == 6
    assert deployment().contract_version == CONTRACT_VERSION


@pytest.mark.parametrize(
    ("recorded", "what"),
    [
        (3, "records contract version 3"),
        (4, "records contract version 4"),  # the two registries, before the provenance registry
        (5, "records contract version 5"),  # the provenance registry, before its signed actions
        (7, "records contract version 7"),
        ("6", "records contract version '6'"),
        (None, "records no contract version"),
    ],
)
def test_manifest_of_another_contract_version_is_refused_naming_both_versions_and_the_way_out(
    tmp_path: Path, recorded: object, what: str
) -> None:
    obj = manifest_json()
    if recorded is None:
        del obj["contract_version"]
    else:
        obj["contract_version"] = recorded
    path = tmp_path / "31337.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(ContractVersionMismatch) as excinfo:
        load_deployment(31337, tmp_path)
    assert str(excinfo.value) == (
        f"{path} {what}, but this code needs version 6: redeploy the contracts "
        "(`make run UP_ARGS=--fresh` on a devnet, `ape run deploy --redeploy` elsewhere)"
    )
    assert isinstance(excinfo.value, DeploymentInvalid)


def test_a_manifest_of_another_contract_version_is_refused_before_its_other_fields_are_read() -> None:
    """A manifest of other contracts may lack fields this version needs: the version is what its reader must hear."""
    obj = _without(_with(manifest_json(), 1, "contract_version"), "network_kind")
    with pytest.raises(ContractVersionMismatch, match="records contract version 1"):
        Deployment.from_json(obj, source="m.json")


@pytest.mark.parametrize("kind", list(NetworkKind))
def test_network_kind_round_trips_and_only_a_local_devnet_is_one(tmp_path: Path, kind: NetworkKind) -> None:
    save_deployment(deployment(kind=kind), tmp_path)
    loaded = load_deployment(31337, tmp_path)
    assert loaded.network_kind is kind
    assert loaded.local_devnet is (kind is NetworkKind.LOCAL_DEVNET)


def test_a_deployment_is_live_unless_it_says_otherwise() -> None:
    """The safe default: code that builds a Deployment without a kind never lets the devnet keys sign."""
    assert Deployment(31337, "ethereum:local", TOWN, 60, {}).network_kind is NetworkKind.LIVE


def test_manifest_that_is_not_json_is_invalid(tmp_path: Path) -> None:
    path = tmp_path / "31337.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DeploymentInvalid, match=r"31337\.json: not valid JSON"):
        read_manifest(path)


def test_manifest_for_another_chain_than_its_file_name_is_invalid(tmp_path: Path) -> None:
    (tmp_path / "1337.json").write_text(render_manifest(deployment(chain_id=31337)), encoding="utf-8")
    with pytest.raises(DeploymentInvalid, match="records chain id 31337, expected 1337"):
        load_deployment(1337, tmp_path)


def _without(obj: dict[str, Any], *path: str | int) -> dict[str, Any]:
    target: Any = obj
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return obj


def _with(obj: dict[str, Any], value: object, *path: str | int) -> dict[str, Any]:
    target: Any = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "m.json: expected a JSON object, got list"),
        (_with(manifest_json(), 2, "schema_version"), "m.json: schema_version 2 is not supported (expected 1)"),
        (_without(manifest_json(), "chain_id"), "m.json: chain_id: missing"),
        (_with(manifest_json(), "31337", "chain_id"), "m.json: chain_id: expected an integer >= 1, got '31337'"),
        (_with(manifest_json(), True, "voting_period"), "m.json: voting_period: expected an integer >= 1, got True"),
        (_with(manifest_json(), "", "network"), "m.json: network: expected a non-empty string, got ''"),
        (_without(manifest_json(), "network_kind"), "m.json: network_kind: missing"),
        (
            _with(manifest_json(), "devnet", "network_kind"),
            "m.json: network_kind: expected one of local-devnet, live, got 'devnet'",
        ),
        (
            _with(manifest_json(), "0x1234", "deployer"),
            "m.json: deployer: expected a 0x-prefixed 20-byte hex address, got '0x1234'",
        ),
        (_with(manifest_json(), {}, "contracts"), "m.json: contracts: no contract recorded"),
        (
            _without(manifest_json(), "contracts", "PartnerRegistry", "block_hash"),
            "m.json: contracts.PartnerRegistry.block_hash: missing",
        ),
        (
            _with(manifest_json(), -1, "contracts", "CertificateRegistry", "block_number"),
            "m.json: contracts.CertificateRegistry.block_number: expected an integer >= 0, got -1",
        ),
        (
            _with(manifest_json(), "0xab", "contracts", "PartnerRegistry", "tx_hash"),
            "m.json: contracts.PartnerRegistry.tx_hash: expected a 0x-prefixed 32-byte hex hash, got '0xab'",
        ),
        (
            _with(manifest_json(), "AB" * 32, "contracts", "PartnerRegistry", "abi_sha256"),
            "m.json: contracts.PartnerRegistry.abi_sha256: expected 64 lower-case hex digits",
        ),
        (_with(manifest_json(), {}, "founders"), "m.json: founders: expected a list, got dict"),
        (
            _with(manifest_json(), "Bank", "founders", 1, "org_type"),
            "m.json: founders[1].org_type: unknown organisation type 'Bank'",
        ),
        (
            _with(manifest_json(), ["issuer", "admin"], "founders", 0, "rights"),
            "m.json: founders[0].rights[1]: unknown right 'admin' (expected one of: issuer, council)",
        ),
        (_with(manifest_json(), "", "founders", 0, "display_name"), "m.json: founders[0].display_name: expected a"),
    ],
)
def test_malformed_manifest_is_invalid_naming_the_field(obj: object, message: str) -> None:
    with pytest.raises(DeploymentInvalid) as excinfo:
        Deployment.from_json(obj, source="m.json")
    assert str(excinfo.value).startswith(message)


def test_lower_case_addresses_are_checksummed_on_load() -> None:
    obj = _with(manifest_json(), PARTNERS.lower(), "contracts", "PartnerRegistry", "address")
    assert Deployment.from_json(obj).contract("PartnerRegistry").address == PARTNERS


def test_contract_looks_up_a_deployed_contract_by_name() -> None:
    assert deployment().contract("CertificateRegistry").address == CERTIFICATES


def test_contract_not_in_the_manifest_raises_contract_not_deployed() -> None:
    with pytest.raises(
        ContractNotDeployed,
        match="the deployment on chain 31337 has no Custody \\(it has: CertificateRegistry, PartnerRegistry\\)",
    ):
        deployment().contract("Custody")


def test_contracts_of_a_deployment_cannot_be_changed_in_place() -> None:
    contracts: Any = deployment().contracts
    with pytest.raises(TypeError):
        contracts["PartnerRegistry"] = None


def test_start_block_is_the_earliest_deploy_block() -> None:
    assert deployment(partners_block=1).start_block == 1
    assert deployment(partners_block=5).start_block == 2


def test_organisation_types_name_every_solidity_enum_member_once() -> None:
    assert sorted(ORGANISATION_TYPES.values()) == list(OrganisationType)
    assert ORGANISATION_TYPES["PublicAdministration"] == OrganisationType.PUBLIC_ADMINISTRATION


def test_rights_are_the_contract_bits() -> None:
    assert dict(RIGHTS) == {"issuer": ISSUER, "council": COUNCIL}


EIP55_VECTORS = (
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0xde709f2102306220921060314715629080e2fb77",
)


@pytest.mark.parametrize("address", EIP55_VECTORS)
def test_checksum_address_writes_the_eip55_test_vectors(address: str) -> None:
    assert checksum_address(address.lower()) == address
    assert checksum_address("0x" + address[2:].upper()) == address


def test_checksum_address_agrees_with_eth_utils() -> None:
    rng = random.Random(55)
    for _ in range(2_000):
        address = "0x" + rng.randbytes(20).hex()
        expected = to_checksum_address(address)
        assert checksum_address(address) == expected
        assert checksum_address("0x" + address[2:].upper()) == expected
