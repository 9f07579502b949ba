"""The realistic scenarios `bench/gas.py` measures: every state-changing function of both contracts, in the states
that change what it costs.

A consortium of three founders (ISSUER | COUNCIL, as in the contract tests) admits partners by vote, certificates
are issued singly and in Merkle batches of 2, 16 and 1,024 documents, and documents and whole certificates are
revoked, suspended and reinstated by their issuer, held by a council member and revoked or released by council
decisions (trust model v2); partners are suspended, reinstated, expelled (with and without a compromise cut-off),
marked compromised later, get new details by vote, gain and lose rights, and leave from every status that allows it.

Every transaction goes through :meth:`Bench.send`, which records the receipt's ``gasUsed`` (the 21,000 base,
calldata and execution, after refunds) under the contract function's name, a sentence saying what the call was,
and, for the figures the targets name, a key of ``bench/results/gas.json``. Nothing here starts or stops a node;
``gas.py`` does that. Hashes come from fixed labels, so every run sends the same bytes and uses the same gas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_hash.auto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from ledger.chain.addresses import create_address
from ledger.documents import MerkleTree
from ledger.events import COUNCIL, ISSUER, OrganisationType, ProposalKind

VOTING_PERIOD = 7 * 24 * 3600
TX_GAS_LIMIT = 10_000_000
"""Explicit limit so no transaction is estimated first; gasUsed does not depend on the limit."""
VALID_UNTIL = 2_051_222_400
"""2035-01-01: a fixed expiry, so the calldata (and its gas) is the same in every run."""

# The enums' members under short names, from ledger.events (defined once; a member added there fails the unpacking).
SME, ENTERPRISE, PUBLIC_ADMINISTRATION, UNIVERSITY, RESEARCH_INSTITUTE, NGO, ASSOCIATION, MINISTRY = tuple(
    OrganisationType
)
(
    ADMIT,
    SUSPEND,
    REINSTATE,
    EXPEL,
    GRANT_RIGHTS,
    WITHDRAW_RIGHTS,
    CHANGE_DETAILS,
    SET_COMPROMISED,
    REVOKE_CERTIFICATE,
    LIFT_CERTIFICATE_SUSPENSION,
) = tuple(ProposalKind)
# Certificate reason codes (free-form uint16 on chain; these are the project's examples)
REASON_NONE, REASON_ERROR, REASON_FRAUD, REASON_INQUIRY, REASON_CLEARED = 0, 1, 2, 3, 4


class BenchError(RuntimeError):
    """A scenario transaction failed or the chain did not behave as the scenario expects."""


@dataclass(frozen=True)
class Call:
    """One measured transaction."""

    function: str
    """The contract function (``constructor:<Contract>`` for deployments)."""
    scenario: str
    gas: int
    tx_hash: str


@dataclass
class Bench:
    """Sends scenario transactions from anvil's unlocked dev accounts and records their gas."""

    w3: Web3
    artifacts: dict[str, dict[str, Any]]
    """Contract name -> ``{"abi": [...], "bytecode": "0x..."}`` from ape's compiled manifest."""
    calls: list[Call] = field(default_factory=list)
    named: dict[str, int] = field(default_factory=dict)
    """The gas.json keys the targets refer to (``issue_single``, ``revoke_leaf``, ...)."""
    named_tx: dict[str, str] = field(default_factory=dict)

    def deploy(self, name: str, sender: str, *args: Any) -> Contract:
        """Deploy contract ``name`` and record its deployment gas as ``deploy_<name>``."""
        factory = self.w3.eth.contract(abi=self.artifacts[name]["abi"], bytecode=self.artifacts[name]["bytecode"])
        tx_hash = factory.constructor(*args).transact({"from": sender, "gas": TX_GAS_LIMIT})
        receipt = self._receipt(tx_hash, f"deploy {name}")
        self._record(receipt, f"constructor:{name}", f"deploy {name}", f"deploy_{name}")
        address = receipt["contractAddress"]
        if address is None:
            raise BenchError(f"deploying {name} created no contract")
        return self.w3.eth.contract(address=address, abi=self.artifacts[name]["abi"])

    def send(self, call: ContractFunction, sender: str, scenario: str, key: str | None = None) -> int:
        """Send ``call`` from ``sender``, require success, and record its gas (also as ``key`` when given)."""
        tx_hash = call.transact({"from": sender, "gas": TX_GAS_LIMIT})
        receipt = self._receipt(tx_hash, f"{call.fn_name}: {scenario}")
        return self._record(receipt, call.fn_name, scenario, key)

    def note(self, key: str, gas: int) -> None:
        """Record a figure derived from several transactions (e.g. a whole vote), under ``key`` only."""
        if key in self.named:
            raise BenchError(f"gas key {key!r} recorded twice")
        self.named[key] = gas

    def _receipt(self, tx_hash: HexBytes, what: str) -> TxReceipt:
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
        if receipt["status"] != 1:
            raise BenchError(f"transaction reverted: {what} (tx 0x{bytes(tx_hash).hex()})")
        return receipt

    def _record(self, receipt: TxReceipt, function: str, scenario: str, key: str | None) -> int:
        gas = int(receipt["gasUsed"])
        tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        self.calls.append(Call(function, scenario, gas, tx_hash))
        if key is not None:
            if key in self.named:
                raise BenchError(f"gas key {key!r} recorded twice")
            self.named[key] = gas
            self.named_tx[key] = tx_hash
        return gas


def label_hash(label: str) -> bytes:
    """A deterministic 32-byte hash standing in for a document hash, fingerprint or metadata hash."""
    return keccak(label.encode())


def certificate_id(issuer: str, root: bytes) -> bytes:
    """``CertificateRegistry.certificateId``: keccak256(abi.encode(issuer, root))."""
    return keccak(bytes(12) + bytes.fromhex(issuer[2:]) + root)


def batch(name: str, size: int) -> MerkleTree:
    """A Merkle batch of ``size`` distinct documents named after ``name``."""
    return MerkleTree.of([label_hash(f"{name}/document/{i}") for i in range(size)])


@dataclass(frozen=True)
class Cast:
    """Who is who among anvil's dev accounts."""

    town: str
    bank: str
    university: str
    institute: str
    mill: str
    gallery: str
    printer: str
    startup: str
    logistics: str
    cooperative: str
    ngo: str

    @classmethod
    def of(cls, accounts: Sequence[str]) -> Cast:
        names = list(cls.__dataclass_fields__)
        if len(accounts) < len(names):
            raise BenchError(f"need {len(names)} dev accounts, anvil has {len(accounts)}")
        return cls(*accounts[: len(names)])


def founder_tuples(cast: Cast) -> list[tuple[str, int, int, str, str, bytes]]:
    """The constructor's founders, as in tests/contracts/conftest.py: all three with ISSUER | COUNCIL."""
    return [
        (cast.town, PUBLIC_ADMINISTRATION, ISSUER | COUNCIL, "Town of Originals", "town.example", b"\x00" * 32),
        (cast.bank, ENTERPRISE, ISSUER | COUNCIL, "Cooperative Bank", "bank.example", b"\x00" * 32),
        (
            cast.university,
            UNIVERSITY,
            ISSUER | COUNCIL,
            "University Blockchain Competence Centre",
            "uni.example",
            b"\x00" * 32,
        ),
    ]


@dataclass
class Consortium:
    """The deployed pair and the helpers that walk a proposal through propose -> votes -> execute."""

    bench: Bench
    cast: Cast
    partners: Contract
    certificates: Contract
    provenance: Contract

    def proposal_count(self) -> int:
        return int(self.partners.functions.proposalCount().call())

    def propose(
        self,
        kind: int,
        subject: str,
        what: str,
        *,
        rights: int = 0,
        cutoff: int = 0,
        key: str | None = None,
    ) -> tuple[int, int]:
        """Propose ``kind`` for ``subject`` as the town; returns the new proposal id and the gas used."""
        gas = self.bench.send(
            self.partners.functions.propose(kind, subject, rights, cutoff), self.cast.town, f"propose {what}", key
        )
        return self.proposal_count(), gas

    def vote(self, proposal_id: int, voter: str, support: bool, what: str, key: str | None = None) -> int:
        return self.bench.send(self.partners.functions.vote(proposal_id, support), voter, what, key)

    def execute(self, proposal_id: int, what: str, key: str | None = None) -> int:
        return self.bench.send(self.partners.functions.execute(proposal_id), self.cast.town, f"execute: {what}", key)

    def carry(
        self,
        kind: int,
        subject: str,
        what: str,
        *,
        rights: int = 0,
        cutoff: int = 0,
        execute_key: str | None = None,
    ) -> int:
        """Propose (town), collect the yes votes a majority of the active council needs, execute.

        Returns:
            The gas of the whole decision: the proposal, the votes and the execution.
        """
        proposal_id, total = self.propose(kind, subject, what, rights=rights, cutoff=cutoff)
        return total + self.votes_and_execute(proposal_id, what, execute_key)

    def votes_and_execute(self, proposal_id: int, what: str, execute_key: str | None = None) -> int:
        """The yes votes after the proposer's that a majority of the active council needs, then the execution."""
        council = int(self.partners.functions.activeCouncilCount().call())
        needed = council // 2 + 1
        voters = [self.cast.bank, self.cast.university, self.cast.institute][: needed - 1]
        total = 0
        for position, voter in enumerate(voters, start=2):
            total += self.vote(proposal_id, voter, True, f"yes vote {position} of {needed} needed ({what})")
        return total + self.execute(proposal_id, what, execute_key)

    def decide_on_certificate(
        self,
        kind: int,
        id_: bytes,
        leaf: bytes,
        proof: Sequence[bytes],
        reason: int,
        what: str,
        *,
        propose_key: str | None = None,
        execute_key: str | None = None,
    ) -> int:
        """A council decision on a certificate (RevokeCertificate / LiftCertificateSuspension), proposed by the town.

        Returns:
            The gas of the whole decision: the proposal, the votes and the execution.
        """
        total = self.bench.send(
            self.partners.functions.proposeCertificateDecision(
                kind, self.certificates.address, id_, leaf, list(proof), reason
            ),
            self.cast.town,
            f"propose a council decision: {what}",
            propose_key,
        )
        return total + self.votes_and_execute(self.proposal_count(), what, execute_key)


def deploy(bench: Bench) -> Consortium:
    """Deploy the consortium of three founders and the certificate registry on top of it."""
    cast = Cast.of(bench.w3.eth.accounts)
    partners_address = create_address(cast.town, bench.w3.eth.get_transaction_count(cast.town) + 2)  # type: ignore[arg-type]
    certificates = bench.deploy("CertificateRegistry", cast.town, partners_address)
    provenance = bench.deploy("ProvenanceRegistry", cast.town, partners_address)
    partners = bench.deploy(
        "PartnerRegistry", cast.town, founder_tuples(cast), VOTING_PERIOD, certificates.address, provenance.address
    )
    return Consortium(bench, cast, partners, certificates, provenance)


def apply_all(c: Consortium) -> None:
    """Applications of different sizes (names, domains, with and without a metadata hash)."""
    fn = c.partners.functions.applyForMembership
    applications: list[tuple[str, int, str, str, bytes, str | None]] = [
        (c.cast.gallery, ASSOCIATION, "Gallery of Originals", "gallery.example", b"\x00" * 32, None),
        (
            c.cast.institute,
            RESEARCH_INSTITUTE,
            "Institute for Applied Provenance Research",
            "provenance-institute.example",
            label_hash("institute metadata"),
            None,
        ),
        (c.cast.mill, SME, "Textile Mill Rossi", "mill.example", label_hash("mill metadata"), "apply"),
        (c.cast.printer, SME, "Print Shop", "print.example", label_hash("printer metadata"), None),
        (c.cast.startup, ENTERPRISE, "Chain Startup", "startup.example", b"\x00" * 32, None),
        (c.cast.logistics, ENTERPRISE, "Logistics Ltd", "logistics.example", label_hash("logistics"), None),
        (c.cast.cooperative, SME, "Weavers Cooperative", "weavers.example", label_hash("cooperative"), None),
        (c.cast.ngo, NGO, "Fair Fabric NGO", "fairfabric.example", b"\x00" * 32, None),
    ]
    for account, org_type, name, domain, metadata, key in applications:
        c.bench.send(fn(org_type, name, domain, metadata), account, f"application of {name!r}", key)


def govern(c: Consortium) -> None:
    """Admissions with and without rights, votes for and against, rights and status proposals."""
    cast = c.cast
    # The very first proposal also turns the proposal counter from zero to non-zero: the most expensive `propose`.
    c.carry(
        ADMIT,
        cast.gallery,
        "admit the gallery with no rights (the first proposal)",
        execute_key="execute_admission_no_rights",
    )
    c.carry(
        ADMIT,
        cast.institute,
        "admit the institute with ISSUER | COUNCIL (council 3 -> 4)",
        rights=ISSUER | COUNCIL,
        execute_key="execute_admission_council",
    )
    # The headline admission: an issuer-only partner, voted in by a council of four (majority 3).
    mill, _ = c.propose(ADMIT, cast.mill, "admit the mill with ISSUER", rights=ISSUER, key="propose")
    c.vote(mill, cast.bank, True, "first yes vote after the proposer's (admit the mill)", key="vote")
    c.vote(mill, cast.university, True, "yes vote reaching the majority (admit the mill)", key="vote_majority")
    c.vote(mill, cast.institute, False, "no vote after the majority (admit the mill)", key="vote_no")
    c.execute(mill, "admit the mill with ISSUER", key="execute_admission")
    for account, what in [
        (cast.printer, "admit the print shop with ISSUER"),
        (cast.startup, "admit the startup with ISSUER"),
        (cast.logistics, "admit the logistics firm with ISSUER"),
        (cast.cooperative, "admit the cooperative with ISSUER"),
    ]:
        c.carry(ADMIT, account, what, rights=ISSUER)
    # What OpenZeppelin's single-transaction grantRole costs here: a whole decision of a council of four.
    total = c.carry(
        GRANT_RIGHTS, cast.gallery, "grant the gallery ISSUER", rights=ISSUER, execute_key="execute_grant_rights"
    )
    c.bench.note("grant_rights_decision_total", total)
    c.carry(
        WITHDRAW_RIGHTS,
        cast.gallery,
        "withdraw ISSUER from the gallery",
        rights=ISSUER,
        execute_key="execute_withdraw_rights",
    )
    c.carry(SUSPEND, cast.startup, "suspend the startup (an issuer)", execute_key="execute_suspend")
    c.carry(REINSTATE, cast.startup, "reinstate the startup", execute_key="execute_reinstate")
    c.carry(SUSPEND, cast.cooperative, "suspend the cooperative (an issuer)")


def issue(c: Consortium) -> dict[str, MerkleTree]:
    """Single certificates and Merkle batches (anchor and public) of 2, 16 and 1,024 documents.

    Returns:
        The batches by name, for the status scenarios.
    """
    fns = c.certificates.functions
    mill, town, printer = c.cast.mill, c.cast.town, c.cast.printer
    c.bench.send(
        fns.issue(label_hash("single/1"), label_hash("fabric/1"), VALID_UNTIL),
        mill,
        "one certificate with a public fingerprint and an expiry, by an issuer-only partner",
        "issue_single",
    )
    c.bench.send(
        fns.issue(label_hash("single/2"), label_hash("fabric/2"), 0),
        mill,
        "one certificate with a public fingerprint, never expires",
        "issue_single_no_expiry",
    )
    c.bench.send(
        fns.issue(label_hash("single/3"), label_hash("record/3"), VALID_UNTIL),
        town,
        "one certificate by a founder (ISSUER | COUNCIL)",
    )
    c.bench.send(
        fns.issue(label_hash("single/printer"), label_hash("print/1"), 0),
        printer,
        "one certificate by the print shop (later expelled with a cut-off)",
    )
    trees: dict[str, MerkleTree] = {}
    for size in (2, 16, 1024):
        tree = trees[f"anchor-{size}"] = batch(f"anchor-{size}", size)
        c.bench.send(
            fns.issueBatch(tree.root, VALID_UNTIL),
            mill,
            f"anchor a Merkle batch of {size:,} documents",
            f"issue_batch_anchor_{size}",
        )
        tree = trees[f"public-{size}"] = batch(f"public-{size}", size)
        fingerprints = [label_hash(f"public-{size}/fingerprint/{i}") for i in range(size)]
        c.bench.send(
            fns.issueBatchPublic(tree.root, VALID_UNTIL, list(tree.leaves), fingerprints),
            mill,
            f"a batch of {size:,} documents with public fingerprints",
            f"issue_batch_public_{size}",
        )
    for name in ("anchor-council", "anchor-root-revoke", "anchor-root-suspend"):
        tree = trees[name] = batch(name, 16)
        c.bench.send(fns.issueBatch(tree.root, 0), mill, "anchor a Merkle batch of 16 documents (status scenarios)")
    return trees


def change_status(c: Consortium, trees: dict[str, MerkleTree]) -> None:
    """Revoke, suspend and reinstate single documents (proofs of 1, 4, 10 hashes) and whole certificates, by their
    issuer; council members' holds; revocations and releases by council decision."""
    fns = c.certificates.functions
    mill, member = c.cast.mill, c.cast.bank

    def on_leaf(
        fn: Callable[..., ContractFunction],
        tree: MerkleTree,
        index: int,
        sender: str,
        reason: int,
        what: str,
        key: str | None = None,
    ) -> None:
        leaf = tree.leaves[index]
        proof = tree.proof(leaf)
        id_ = certificate_id(mill, tree.root)
        c.bench.send(fn(id_, leaf, reason, proof), sender, f"{what} ({len(proof)}-hash proof)", key)

    sizes = {2: "_batch_2", 16: "_batch_16", 1024: ""}
    for size, suffix in sizes.items():
        anchor, public = trees[f"anchor-{size}"], trees[f"public-{size}"]
        on_leaf(
            fns.revokeDocument,
            anchor,
            0,
            mill,
            REASON_ERROR,
            f"revoke a document of a batch of {size:,}, by its issuer",
            f"revoke_leaf{suffix}",
        )
        on_leaf(
            fns.suspendDocument,
            anchor,
            1 % size,
            mill,
            REASON_INQUIRY,
            f"suspend a document of a batch of {size:,}, by its issuer",
            f"suspend_leaf{suffix}",
        )
        on_leaf(
            fns.reinstateDocument,
            anchor,
            1 % size,
            mill,
            REASON_CLEARED,
            f"reinstate a document of a batch of {size:,}, by its issuer (an issuer-only partner)",
            f"reinstate_leaf{suffix}",
        )
        on_leaf(
            fns.revokeDocument,
            public,
            size - 1,
            mill,
            REASON_ERROR,
            f"revoke a document of a public batch of {size:,}, by its issuer",
        )
    big = trees["anchor-1024"]
    big_id = certificate_id(mill, big.root)
    on_leaf(
        fns.suspendDocument,
        big,
        3,
        member,
        REASON_INQUIRY,
        "a council member's hold on a document of another issuer's 1,024 batch",
        "suspend_leaf_by_council",
    )
    on_leaf(fns.suspendDocument, big, 6, mill, REASON_INQUIRY, "suspend a document of a 1,024 batch, by its issuer")
    on_leaf(
        fns.suspendDocument,
        big,
        6,
        member,
        REASON_FRAUD,
        "a council member's hold over the issuer's own suspension (slot already written)",
        "council_hold_over_issuer_suspension",
    )
    leaf = big.leaves[3]
    total = c.decide_on_certificate(
        LIFT_CERTIFICATE_SUSPENSION,
        big_id,
        leaf,
        big.proof(leaf),
        REASON_CLEARED,
        "lift the hold on a document of a 1,024 batch",
        propose_key="propose_lift_leaf",
        execute_key="execute_lift_leaf",
    )
    c.bench.note("council_lift_leaf_decision_total", total)
    leaf = big.leaves[2]
    total = c.decide_on_certificate(
        REVOKE_CERTIFICATE,
        big_id,
        leaf,
        big.proof(leaf),
        REASON_FRAUD,
        "revoke a document of another issuer's 1,024 batch",
        propose_key="propose_revoke_leaf",
        execute_key="execute_revoke_leaf",
    )
    c.bench.note("council_revoke_leaf_decision_total", total)
    on_leaf(fns.suspendDocument, big, 4, mill, REASON_INQUIRY, "suspend a document of a 1,024 batch, by its issuer")
    on_leaf(
        fns.revokeDocument,
        big,
        4,
        mill,
        REASON_FRAUD,
        "revoke a suspended document of a 1,024 batch (its status slot already written)",
        "revoke_leaf_after_suspend",
    )
    on_leaf(
        fns.suspendDocument,
        big,
        5,
        mill,
        REASON_INQUIRY,
        "suspend a document of a 1,024 batch again after reinstating it",
    )
    on_leaf(fns.reinstateDocument, big, 5, mill, REASON_CLEARED, "reinstate it")
    on_leaf(
        fns.suspendDocument,
        big,
        5,
        mill,
        REASON_INQUIRY,
        "suspend it a second time (slot already written)",
        "suspend_leaf_again",
    )

    root_revoke, root_suspend, root_council = (
        certificate_id(mill, trees["anchor-root-revoke"].root),
        certificate_id(mill, trees["anchor-root-suspend"].root),
        certificate_id(mill, trees["anchor-council"].root),
    )
    c.bench.send(
        fns.revoke(root_revoke, REASON_ERROR), mill, "revoke a whole certificate, by its issuer", "revoke_root"
    )
    total = c.decide_on_certificate(
        REVOKE_CERTIFICATE,
        certificate_id(c.cast.town, label_hash("single/3")),
        b"\x00" * 32,
        [],
        REASON_FRAUD,
        "revoke a founder's single certificate",
        propose_key="propose_revoke_root",
        execute_key="execute_revoke_root",
    )
    c.bench.note("council_revoke_root_decision_total", total)
    c.bench.send(
        fns.suspend(root_suspend, REASON_INQUIRY), mill, "suspend a whole certificate, by its issuer", "suspend_root"
    )
    c.bench.send(
        fns.reinstate(root_suspend, REASON_CLEARED),
        mill,
        "reinstate a whole certificate, by its issuer (an issuer-only partner)",
        "reinstate_root",
    )
    c.bench.send(
        fns.suspend(root_council, REASON_INQUIRY),
        member,
        "a council member's hold on another issuer's whole certificate",
        "suspend_root_by_council",
    )
    c.decide_on_certificate(
        LIFT_CERTIFICATE_SUSPENSION,
        root_council,
        b"\x00" * 32,
        [],
        REASON_CLEARED,
        "lift the hold on a whole certificate",
        execute_key="execute_lift_root",
    )
    c.bench.send(
        fns.revoke(root_council, REASON_ERROR),
        mill,
        "revoke a certificate the council released (its status slot already written)",
        "revoke_root_after_reinstate",
    )


def change_details(c: Consortium) -> None:
    """A partner's new details, proposed and carried by the council (v2: details change only by vote)."""
    details = (ENTERPRISE, "Rossi Textiles S.p.A.", "rossi-textiles.example", label_hash("mill metadata v2"))
    total = c.bench.send(
        c.partners.functions.proposeDetails(c.cast.mill, details),
        c.cast.town,
        "propose new details for the mill",
        "propose_details",
    )
    total += c.votes_and_execute(c.proposal_count(), "change the mill's details", "execute_change_details")
    c.bench.note("change_details_decision_total", total)


def expel_and_leave(c: Consortium) -> None:
    """Expulsions with and without a compromise cut-off; leaving from Applied, Active and Suspended; re-applying."""
    cast, fns = c.cast, c.partners.functions
    # The cut-off lies in the past (the block before the proposal), after the print shop's certificate was issued.
    cutoff = int(c.bench.w3.eth.get_block("latest")["timestamp"])
    c.carry(
        EXPEL,
        cast.printer,
        "expel the print shop with a compromise cut-off",
        cutoff=cutoff,
        execute_key="execute_expel_cutoff",
    )
    c.carry(EXPEL, cast.startup, "expel the startup without a cut-off", execute_key="execute_expel")
    # The startup's key turns out to have leaked after all: marked compromised after its expulsion (v2).
    c.carry(
        SET_COMPROMISED,
        cast.startup,
        "mark the expelled startup compromised",
        cutoff=cutoff,
        execute_key="execute_set_compromised",
    )
    c.bench.send(fns.leave(), cast.ngo, "leave from Applied (withdraw the application)", "leave_applied")
    c.bench.send(fns.leave(), cast.logistics, "leave from Active with the ISSUER right", "leave")
    c.bench.send(fns.leave(), cast.cooperative, "leave from Suspended with the ISSUER right", "leave_suspended")
    c.bench.send(fns.leave(), cast.gallery, "leave from Active with no rights", "leave_no_rights")
    c.bench.send(
        fns.applyForMembership(NGO, "Fair Fabric NGO", "fairfabric.example", b"\x00" * 32),
        cast.ngo,
        "apply again after leaving (strings overwrite existing slots)",
        "apply_after_leave",
    )


def run_all(bench: Bench) -> Consortium:
    """Every scenario, in an order that makes each one's preconditions true."""
    consortium = deploy(bench)
    apply_all(consortium)
    govern(consortium)
    trees = issue(consortium)
    change_status(consortium, trees)
    change_details(consortium)
    expel_and_leave(consortium)
    return consortium
