"""Test and benchmark support: deploy the registries to an anvil and drive them fast, without ape.

Bytecode comes from ape's compiled manifest (``.build/__local__.json``, written by ``ape compile``, which ``make test``
runs first); ABIs from the committed ``ledger/abi``. Transactions go through :class:`ledger.chain.tx.TxSender`, so a
test can push thousands of events in seconds. Founders are anvil accounts 0-2 with ISSUER | COUNCIL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_abi.abi import encode
from eth_account import Account

from devtools.devnet import devnet_key
from ledger.abi import abi_sha256, load_abi
from ledger.chain.addresses import create_address
from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient
from ledger.chain.tx import Call, Receipt, TxSender
from ledger.deployments import ContractDeployment, Deployment, Founder, NetworkKind, save_deployment
from ledger.documents import MerkleTree
from ledger.events import COUNCIL, ISSUER, OrganisationType

ROOT = Path(__file__).resolve().parents[2]
BUILD_MANIFEST = ROOT / ".build" / "__local__.json"
VOTING_PERIOD = 7 * 24 * 3600
FOUNDERS = (
    (OrganisationType.PUBLIC_ADMINISTRATION, "Town of Originals", "town.example"),
    (OrganisationType.ENTERPRISE, "Cooperative Bank", "bank.example"),
    (OrganisationType.UNIVERSITY, "University Blockchain Competence Centre", "uni.example"),
)


def require_bytecode() -> None:
    """Fail the test (not error) with what to do when ape's compiled manifest is missing."""
    import pytest

    if not BUILD_MANIFEST.exists():
        pytest.fail("run `ape compile` first (make test does)", pytrace=False)


def bytecode(name: str) -> str:
    """Deployment bytecode of ``name`` from ape's compiled manifest (run ``ape compile`` first)."""
    manifest = json.loads(BUILD_MANIFEST.read_text())
    return str(manifest["contractTypes"][name]["deploymentBytecode"]["bytecode"])


def certificate_id(issuer: str, root: str) -> str:
    """``CertificateRegistry.certificateId(issuer, root)``: keccak256(abi.encode(issuer, root)), 0x hex."""
    from eth_hash.auto import keccak

    return "0x" + keccak(bytes(12) + bytes.fromhex(issuer[2:]) + bytes.fromhex(root[2:])).hex()


def h32(i: int, salt: str = "") -> str:
    """A distinct, deterministic bytes32 (0x hex) for test data."""
    from eth_hash.auto import keccak

    return "0x" + keccak(f"{salt}:{i}".encode()).hex()


@dataclass
class Consortium:
    """The three registries on one chain plus a sender per anvil account."""

    client: RpcClient
    chain_id: int
    partners: ContractBinding
    certificates: ContractBinding
    provenance: ContractBinding
    deployment: Deployment
    senders: dict[int, TxSender] = field(default_factory=dict)

    def sender(self, index: int) -> TxSender:
        if index not in self.senders:
            self.senders[index] = TxSender(self.client, Account.from_key(devnet_key(index)), self.chain_id)
        return self.senders[index]

    def address(self, index: int) -> str:
        return self.sender(index).address

    def _tx(self, index: int, binding: ContractBinding, fn: str, *args: Any, gas: int | None = None) -> Receipt:
        call = Call(binding.address, binding.encode(fn, *args), gas)
        return self.sender(index).transact(call, binding)

    def partner_tx(self, index: int, fn: str, *args: Any) -> Receipt:
        return self._tx(index, self.partners, fn, *args)

    def cert_tx(self, index: int, fn: str, *args: Any, gas: int | None = None) -> Receipt:
        return self._tx(index, self.certificates, fn, *args, gas=gas)

    def prov_tx(self, index: int, fn: str, *args: Any, gas: int | None = None) -> Receipt:
        return self._tx(index, self.provenance, fn, *args, gas=gas)

    # -- consortium steps -----------------------------------------------------------------------------------------

    def admit(self, index: int, org_type: int = OrganisationType.SME, name: str = "", rights: int = ISSUER) -> None:
        """``index`` applies; founders 0 and 1 carry an Admit proposal with ``rights``."""
        self.partner_tx(
            index, "applyForMembership", org_type, name or f"Partner {index}", f"p{index}.example", b"\0" * 32
        )
        receipt = self.partner_tx(0, "propose", 0, self.address(index), rights, 0)
        proposal_id = int(receipt.logs[0]["topics"][1], 16)
        self.partner_tx(1, "vote", proposal_id, True)
        self.partner_tx(2, "execute", proposal_id)

    def issue(self, index: int, root: str, fingerprint: str, valid_until: int = 0) -> Receipt:
        return self.cert_tx(index, "issue", bytes.fromhex(root[2:]), bytes.fromhex(fingerprint[2:]), valid_until)

    def issue_public_batch(self, index: int, leaves: list[str], fingerprints: list[str]) -> tuple[MerkleTree, Receipt]:
        tree = MerkleTree.of([bytes.fromhex(x[2:]) for x in leaves])
        receipt = self.cert_tx(
            index,
            "issueBatchPublic",
            tree.root,
            0,
            [bytes.fromhex(x[2:]) for x in leaves],
            [bytes.fromhex(x[2:]) for x in fingerprints],
        )
        return tree, receipt

    def set_status(
        self,
        index: int,
        action: str,
        certificate: str,
        reason: int,
        leaf: str | None = None,
        proof: list[bytes] | None = None,
    ) -> Receipt:
        """``action`` in revoke / suspend / reinstate on certificate id ``certificate``; with ``leaf`` the Document
        variant (a single certificate's document is its root, with an empty proof)."""
        id_b = bytes.fromhex(certificate[2:])
        if leaf is None:
            return self.cert_tx(index, action, id_b, reason)
        return self.cert_tx(index, f"{action}Document", id_b, bytes.fromhex(leaf[2:]), reason, proof or [])

    def certificate_id(self, index: int, root: str) -> str:
        """The id of the certificate account ``index`` issues (or issued) with ``root``."""
        return certificate_id(self.address(index), root)


def deploy(client: RpcClient, deployments_dir: Path | None = None, voting_period: int = VOTING_PERIOD) -> Consortium:
    """Deploy the three registries from anvil account 0 with the three example founders; write the manifest if asked."""
    chain_id = int(client.call("eth_chainId"), 16)
    deployer = TxSender(client, Account.from_key(devnet_key(0)), chain_id)
    founders = [
        (Account.from_key(devnet_key(i)).address, int(org), ISSUER | COUNCIL, name, domain, b"\0" * 32)
        for i, (org, name, domain) in enumerate(FOUNDERS)
    ]
    # The certificate and provenance registries first, both naming the partner registry's address-to-be (the
    # deployer's CREATE after theirs); the partner registry then binds them as its standing mirror and cache.
    nonce = int(client.call("eth_getTransactionCount", [deployer.address, "pending"]), 16)
    partners_to_be = encode(["address"], [create_address(deployer.address, nonce + 2)])
    cert_receipt = deployer.transact(Call(None, bytecode("CertificateRegistry") + partners_to_be.hex(), gas=3_000_000))
    cert_address = cert_receipt.contract_address
    assert cert_address is not None
    prov_receipt = deployer.transact(Call(None, bytecode("ProvenanceRegistry") + partners_to_be.hex(), gas=6_000_000))
    prov_address = prov_receipt.contract_address
    assert prov_address is not None
    args = encode(
        ["(address,uint8,uint8,string,string,bytes32)[]", "uint48", "address", "address"],
        [founders, voting_period, cert_address, prov_address],
    )
    partner_receipt = deployer.transact(Call(None, bytecode("PartnerRegistry") + args.hex(), gas=6_000_000))
    partner_address = partner_receipt.contract_address
    assert partner_address is not None

    def entry(name: str, receipt: Receipt, address: str) -> ContractDeployment:
        return ContractDeployment(
            address, receipt.block_number, receipt.block_hash, receipt.tx_hash, abi_sha256(load_abi(name))
        )

    deployment = Deployment(
        chain_id=chain_id,
        network="devnet",
        network_kind=NetworkKind.LOCAL_DEVNET,
        deployer=deployer.address,
        voting_period=voting_period,
        contracts={
            "PartnerRegistry": entry("PartnerRegistry", partner_receipt, partner_address),
            "CertificateRegistry": entry("CertificateRegistry", cert_receipt, cert_address),
            "ProvenanceRegistry": entry("ProvenanceRegistry", prov_receipt, prov_address),
        },
        founders=tuple(
            Founder(str(f[0]), f[3], f[4], OrganisationType(f[1]), f[2], "0x" + "00" * 32) for f in founders
        ),
    )
    if deployments_dir is not None:
        save_deployment(deployment, deployments_dir)
    consortium = Consortium(
        client,
        chain_id,
        ContractBinding(load_abi("PartnerRegistry"), partner_address),
        ContractBinding(load_abi("CertificateRegistry"), cert_address),
        ContractBinding(load_abi("ProvenanceRegistry"), prov_address),
        deployment,
    )
    consortium.senders[0] = deployer
    return consortium
