"""``ape run deploy`` against a fresh anvil: the manifest it writes, the consortium it creates, and when it redeploys.

Every test runs the script as a user would, in a subprocess, and checks the result on the chain itself (code at the
addresses, block hashes, the founders' records) rather than trusting the script's own output.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from eth_abi import encode as abi_encode
from web3.logs import DISCARD

from ledger.abi import CONTRACTS, abi_sha256, load_abi
from ledger.deployments import CONTRACT_VERSION, Deployment, NetworkKind, read_manifest
from ledger.documents.hashing import keccak
from ledger.events import COUNCIL, ISSUER, OrganisationType, PartnerStatus

if TYPE_CHECKING:  # fixtures' types only; conftest is pytest's to import
    from support.contracts import Anvil, Deploy

CHAIN_ID = 31337
UNIVERSITY = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"  # anvil test account 5, given by address
UNIVERSITY_METADATA = "0x" + "ab" * 32
CONSORTIUM = f"""\
voting_period: 3d
founders:
  - name: Town of Originals
    domain: town.example
    org_type: PublicAdministration
    rights: [issuer, council]
    account: 0
  - name: Cooperative Bank
    domain: bank.example
    org_type: Enterprise
    rights: [council]
    account: 1
  - name: University Blockchain Competence Centre
    domain: blockchain.uni.example
    org_type: University
    rights: [issuer]
    address: "{UNIVERSITY}"
    metadata_hash: "{UNIVERSITY_METADATA}"
"""


@dataclass(frozen=True)
class Deployed:
    """One finished ``ape run deploy``: its output, its folders and the manifest it wrote."""

    stdout: str
    config: Path
    directory: Path
    manifest: Deployment

    @property
    def path(self) -> Path:
        return self.directory / f"{CHAIN_ID}.json"

    def args(self, directory: Path | None = None) -> tuple[str, ...]:
        return ("--config", str(self.config), "--deployments-dir", str(directory or self.directory))


def write_config(folder: Path, text: str = CONSORTIUM) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "consortium.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def deploy_into(deploy: Deploy, folder: Path, *extra: str) -> Deployed:
    config = write_config(folder)
    directory = folder / "deployments"
    result = deploy("--config", str(config), "--deployments-dir", str(directory), *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    return Deployed(result.stdout, config, directory, read_manifest(directory / f"{CHAIN_ID}.json"))


def copy_manifest(first: Deployed, folder: Path, edit: Any = None) -> Path:
    """Put ``first``'s manifest into a new deployments folder, optionally edited as JSON."""
    target = folder / "deployments" / f"{CHAIN_ID}.json"
    target.parent.mkdir(parents=True)
    if edit is None:
        shutil.copy(first.path, target)
    else:
        obj = json.loads(first.path.read_text(encoding="utf-8"))
        edit(obj)
        target.write_text(json.dumps(obj), encoding="utf-8")
    return target


def assert_on_chain(anvil: Anvil, manifest: Deployment) -> None:
    """Every recorded contract has code, was created by its recorded transaction, in a block that still has its hash."""
    for name, contract in manifest.contracts.items():
        assert anvil.w3.eth.get_code(contract.address), f"{name}: no code at {contract.address}"
        receipt = anvil.w3.eth.get_transaction_receipt(contract.tx_hash)
        assert receipt["contractAddress"] == contract.address
        assert receipt["blockNumber"] == contract.block_number
        assert anvil.w3.eth.get_block(contract.block_number)["hash"].to_0x_hex() == contract.block_hash


@pytest.fixture(scope="module")
def first(deploy: Deploy, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    """The module's first deployment, on the fresh chain."""
    return deploy_into(deploy, tmp_path_factory.mktemp("first"))


def test_deploy_records_the_three_contracts_as_they_are_on_chain(first: Deployed, anvil: Anvil) -> None:
    assert first.manifest.chain_id == CHAIN_ID
    assert first.manifest.network == "ethereum:local"
    assert first.manifest.network_kind is NetworkKind.LOCAL_DEVNET
    assert first.manifest.contract_version == CONTRACT_VERSION
    recorded = json.loads(first.path.read_text(encoding="utf-8"))
    assert (recorded["contract_version"], recorded["network_kind"]) == (CONTRACT_VERSION, "local-devnet")
    assert first.manifest.deployer == anvil.w3.eth.accounts[0]
    assert first.manifest.voting_period == 3 * 24 * 3600
    assert set(first.manifest.contracts) == set(CONTRACTS)
    assert_on_chain(anvil, first.manifest)
    partners = first.manifest.contract("PartnerRegistry")
    certificates = first.manifest.contract("CertificateRegistry")
    provenance = first.manifest.contract("ProvenanceRegistry")
    # The certificate and provenance registries first: both name the partner registry's address-to-be, and the
    # partner registry's constructor checks both pairings (its standing mirror and standing cache).
    assert certificates.block_number < provenance.block_number < partners.block_number
    assert first.stdout.splitlines()[-1] == (
        f"Deployed PartnerRegistry at {partners.address}, CertificateRegistry at {certificates.address} and "
        f"ProvenanceRegistry at {provenance.address} on chain {CHAIN_ID} (ethereum:local); wrote {first.path}"
    )


@pytest.mark.parametrize("name", CONTRACTS)
def test_deploy_records_the_hash_of_the_committed_abi(first: Deployed, name: str) -> None:
    assert first.manifest.contract(name).abi_sha256 == abi_sha256(load_abi(name))


def test_deploy_records_the_founders_as_configured(first: Deployed, anvil: Anvil) -> None:
    town, bank = anvil.w3.eth.accounts[0:2]
    zero = "0x" + "00" * 32
    assert [
        (f.address, f.display_name, f.domain, f.org_type, f.rights, f.metadata_hash) for f in first.manifest.founders
    ] == [
        (town, "Town of Originals", "town.example", OrganisationType.PUBLIC_ADMINISTRATION, ISSUER | COUNCIL, zero),
        (bank, "Cooperative Bank", "bank.example", OrganisationType.ENTERPRISE, COUNCIL, zero),
        (
            UNIVERSITY,
            "University Blockchain Competence Centre",
            "blockchain.uni.example",
            OrganisationType.UNIVERSITY,
            ISSUER,
            UNIVERSITY_METADATA,
        ),
    ]


def test_founders_are_active_partners_on_chain_with_their_names_types_and_rights(first: Deployed, anvil: Anvil) -> None:
    partners = first.manifest.contract("PartnerRegistry")
    registry = anvil.w3.eth.contract(address=partners.address, abi=load_abi("PartnerRegistry"))
    certificates = first.manifest.contract("CertificateRegistry").address
    mirror = anvil.w3.eth.contract(address=certificates, abi=load_abi("CertificateRegistry"))
    # Bound to each other: the certificate registry was deployed first, naming the partner registry's address-to-be.
    assert registry.functions.standingMirror().call() == certificates
    assert mirror.functions.partners().call() == partners.address
    # And to the provenance registry, deployed second, as its standing cache.
    provenance = first.manifest.contract("ProvenanceRegistry").address
    cache = anvil.w3.eth.contract(address=provenance, abi=load_abi("ProvenanceRegistry"))
    assert registry.functions.standingCache().call() == provenance
    assert cache.functions.partners().call() == partners.address
    deployed_at = anvil.w3.eth.get_block(partners.block_number)["timestamp"]
    seats = 0
    for founder in first.manifest.founders:
        org_type, status, rights, joined_at, compromised_after, seat, details, metadata_hash, name, domain = (
            registry.functions.partner(founder.address).call()
        )
        # Council seats are handed out in founding order to the founders with the council right.
        seats += bool(founder.rights & COUNCIL)
        assert seat == (seats if founder.rights & COUNCIL else 0)
        metadata = bytes.fromhex(founder.metadata_hash[2:])
        encoded = abi_encode(
            ["uint8", "string", "string", "bytes32"], [founder.org_type, founder.display_name, founder.domain, metadata]
        )
        assert details == keccak(encoded), "the details hash an admission would bind"
        assert (org_type, status, rights, name, domain) == (
            founder.org_type,
            PartnerStatus.ACTIVE,
            founder.rights,
            founder.display_name,
            founder.domain,
        )
        assert (joined_at, compromised_after, "0x" + metadata_hash.hex()) == (deployed_at, 0, founder.metadata_hash)
        assert registry.functions.isActiveIssuer(founder.address).call() == bool(founder.rights & ISSUER)
        assert registry.functions.isActiveCouncil(founder.address).call() == bool(founder.rights & COUNCIL)
        # The certificate registry's own copy, pushed by the partner registry's constructor.
        assert mirror.functions.standingOf(founder.address).call() == (
            bool(founder.rights & ISSUER),
            bool(founder.rights & COUNCIL),
            0,
        )
    assert registry.functions.activeCouncilCount().call() == 2
    assert registry.functions.votingPeriod().call() == 3 * 24 * 3600


def test_deploy_emits_partner_registered_for_each_founder_in_file_order(first: Deployed, anvil: Anvil) -> None:
    partners = first.manifest.contract("PartnerRegistry")
    registry = anvil.w3.eth.contract(address=partners.address, abi=load_abi("PartnerRegistry"))
    receipt = anvil.w3.eth.get_transaction_receipt(partners.tx_hash)
    events = registry.events.PartnerRegistered().process_receipt(receipt, errors=DISCARD)  # other events
    assert [dict(e["args"]) for e in events] == [
        {
            "account": f.address,
            "orgType": f.org_type,
            "displayName": f.display_name,
            "domain": f.domain,
            "metadataHash": bytes.fromhex(f.metadata_hash[2:]),
        }
        for f in first.manifest.founders
    ]


def test_certificate_registry_is_bound_to_the_deployed_partner_registry(first: Deployed, anvil: Anvil) -> None:
    certificates = first.manifest.contract("CertificateRegistry")
    registry = anvil.w3.eth.contract(address=certificates.address, abi=load_abi("CertificateRegistry"))
    assert registry.functions.partners().call() == first.manifest.contract("PartnerRegistry").address


def test_second_run_says_already_deployed_in_one_line_and_changes_nothing(
    first: Deployed, deploy: Deploy, anvil: Anvil
) -> None:
    before = first.path.read_bytes()
    block = anvil.w3.eth.block_number
    result = deploy(*first.args())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Already deployed on chain {CHAIN_ID}: {first.path} matches the chain; nothing to do (see --redeploy)."
    ]
    assert first.path.read_bytes() == before
    assert anvil.w3.eth.block_number == block


def test_redeploy_deploys_new_contracts_and_overwrites_the_manifest(
    first: Deployed, deploy: Deploy, anvil: Anvil, tmp_path: Path
) -> None:
    path = copy_manifest(first, tmp_path)
    result = deploy(*first.args(path.parent), "--redeploy", "--account", "TEST::4")
    assert result.returncode == 0, result.stdout + result.stderr
    again = read_manifest(path)
    for name in CONTRACTS:
        assert again.contract(name).address != first.manifest.contract(name).address
    assert again.deployer == anvil.w3.eth.accounts[4]
    assert again.founders == first.manifest.founders
    assert_on_chain(anvil, again)


def test_manifest_whose_contracts_vanished_from_the_chain_is_treated_as_absent(
    deploy: Deploy, anvil: Anvil, tmp_path: Path
) -> None:
    """A restarted devnet: the manifest survives, the contracts do not."""
    snapshot = anvil.rpc("evm_snapshot")
    gone = deploy_into(deploy, tmp_path)
    assert anvil.rpc("evm_revert", snapshot) is True
    partners = gone.manifest.contract("PartnerRegistry")
    assert anvil.w3.eth.get_code(partners.address) == b""

    result = deploy(*gone.args())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        f"{gone.path} does not match chain {CHAIN_ID} (PartnerRegistry has no code at {partners.address}): "
        "treating it as absent and deploying."
    )
    assert_on_chain(anvil, read_manifest(gone.path))


def test_manifest_whose_deploy_block_hash_differs_is_treated_as_absent(
    first: Deployed, deploy: Deploy, anvil: Anvil, tmp_path: Path
) -> None:
    """Code at the address is not enough: a restarted devnet reuses addresses, only the block hash tells."""
    block = first.manifest.contract("PartnerRegistry").block_number

    def other_hash(obj: dict[str, Any]) -> None:
        obj["contracts"]["PartnerRegistry"]["block_hash"] = "0x" + "ff" * 32

    path = copy_manifest(first, tmp_path, other_hash)
    result = deploy(*first.args(path.parent))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        f"{path} does not match chain {CHAIN_ID} (block {block}, where PartnerRegistry was deployed, now has another "
        "hash): treating it as absent and deploying."
    )
    fresh = read_manifest(path)
    assert fresh.contract("PartnerRegistry").address != first.manifest.contract("PartnerRegistry").address
    assert_on_chain(anvil, fresh)


@pytest.mark.parametrize("recorded", [CONTRACT_VERSION - 1, None], ids=["older", "none"])
def test_manifest_of_another_contract_version_is_treated_as_absent_and_replaced(
    first: Deployed, deploy: Deploy, anvil: Anvil, tmp_path: Path, recorded: int | None
) -> None:
    """The runtime refuses it; deploying this code's contracts and recording them is the way out."""

    def older(obj: dict[str, Any]) -> None:
        if recorded is None:
            del obj["contract_version"]
        else:
            obj["contract_version"] = recorded

    path = copy_manifest(first, tmp_path, older)
    result = deploy(*first.args(path.parent))
    assert result.returncode == 0, result.stdout + result.stderr
    what = "records no contract version" if recorded is None else f"records contract version {recorded}"
    assert result.stdout.splitlines()[0] == (
        f"{path} {what}, not {CONTRACT_VERSION}: treating it as absent and deploying."
    )
    fresh = read_manifest(path)
    assert fresh.contract_version == CONTRACT_VERSION
    assert fresh.contract("PartnerRegistry").address != first.manifest.contract("PartnerRegistry").address
    assert_on_chain(anvil, fresh)


ORG_TYPES = "SME, Enterprise, PublicAdministration, University, ResearchInstitute, NGO, Association, Ministry"


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (
            "org_type: Enterprise",
            "org_type: Bank",
            f"founders[1] (Cooperative Bank): unknown org_type 'Bank' (one of: {ORG_TYPES})",
        ),
        (
            UNIVERSITY,
            UNIVERSITY[:-1] + "C",
            f"founders[2] (University Blockchain Competence Centre): address {UNIVERSITY[:-1]}C has a bad EIP-55 "
            "checksum (a typo?)",
        ),
        (
            "- name: Cooperative Bank\n    domain:",
            "- domain:",
            "founders[1]: name is missing (the display name shown to verifiers)",
        ),
    ],
    ids=["unknown-org-type", "bad-address", "missing-name"],
)
def test_bad_consortium_file_fails_with_one_line_error_and_writes_nothing(
    deploy: Deploy, anvil: Anvil, tmp_path: Path, old: str, new: str, error: str
) -> None:
    assert old in CONSORTIUM
    config = write_config(tmp_path, CONSORTIUM.replace(old, new))
    block = anvil.w3.eth.block_number
    result = deploy("--config", str(config), "--deployments-dir", str(tmp_path / "deployments"))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"Error: {config}: {error}"]
    assert not (tmp_path / "deployments").exists()
    assert anvil.w3.eth.block_number == block


def _drop_schema_version(obj: dict[str, Any]) -> None:
    del obj["schema_version"]


def _other_chain(obj: dict[str, Any]) -> None:
    obj["chain_id"] = 1


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (_drop_schema_version, "schema_version: missing"),
        (_other_chain, f"records chain id 1, expected {CHAIN_ID}"),
    ],
    ids=["missing-field", "other-chain"],
)
def test_malformed_manifest_is_refused_and_left_alone(
    first: Deployed, deploy: Deploy, anvil: Anvil, tmp_path: Path, edit: Any, problem: str
) -> None:
    path = copy_manifest(first, tmp_path, edit)
    before = path.read_bytes()
    block = anvil.w3.eth.block_number
    result = deploy(*first.args(path.parent))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"Error: {path}: {problem}; fix or delete it, or pass --redeploy to replace it"
    ]
    assert path.read_bytes() == before
    assert anvil.w3.eth.block_number == block
