"""The API tests' world: one anvil chain on which a small consortium has done everything a verifier can meet.

:func:`build_scenario` deploys the registries, admits issuer partners of several organisation types, issues single
certificates, a public batch and an anchor batch of wrapped certificate documents, and then revokes, suspends,
reinstates, lets expire and expels with a compromise cut-off, recording every transaction it sends (block, hash,
timestamp) so the tests can state exact expectations. It also prepares the documents a verifier may present that are
*not* genuine: forged, tampered, with a proof from another batch, bound to another chain, naming another issuer.

The chain's clock starts two days behind the wall clock (anvil ``--timestamp``): the API judges expiry by the wall
clock, the contract by block time, and with the chain behind, both agree that a certificate whose ``validUntil`` has
passed on chain is expired, however long the tests take. Nothing here talks to the API or a database.
"""

from __future__ import annotations

import copy
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.chain.rpc import RpcClient
from ledger.chain.tx import Call, Receipt
from ledger.documents import CertificateDocument, WrappedDocument, certificate_id, wrap, wrap_batch
from ledger.events import ISSUER, OrganisationType, ProposalKind
from support import devchain

ZERO_ADDRESS = "0x" + "00" * 20
CHAIN_LAG_SECONDS = 2 * 24 * 3600
"""How far the chain's clock starts behind the wall clock."""


def _b32(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def sha256_hex(data: bytes) -> str:
    return "0x" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Partner:
    key: str
    account: int
    address: str
    name: str
    org_type: OrganisationType
    domain: str


@dataclass(frozen=True)
class Tx:
    """A transaction the scenario sent: where it landed and the block's timestamp."""

    tx_hash: str
    block_number: int
    at: int


@dataclass
class Case:
    """Something a verifier presents: an original's file or fingerprint, a certificate id, or a wrapped document.

    ``root``/``leaf`` name the certificate the case is about (for a document: its stated Merkle root and target
    hash); ``issued`` says whether that root is on chain. ``fingerprint`` is the original's fingerprint and
    ``published`` whether the chain names it (anchor batches do not). The tests state the expected verdict and
    checks from these facts and the scenario's records.
    """

    name: str
    issuer: str | None
    root: str | None = None
    leaf: str | None = None
    issued: bool = True
    fingerprint: str | None = None
    published: bool = True
    file: bytes | None = None
    document: dict[str, Any] | None = None
    issued_at: int | None = None
    valid_until: int | None = None
    id: str | None = None
    """The certificate id (keccak256 of issuer and root), set once the scenario is built."""


CHANNELS: dict[str, tuple[str, ...]] = {
    "valid-single": ("fingerprint", "file", "id"),
    "valid-until-next-month": ("fingerprint", "file", "id"),
    "same-block-a": ("fingerprint", "file", "id"),
    "same-block-b": ("fingerprint", "file", "id"),
    "superseded-old": ("fingerprint", "file", "id"),
    "superseded-new": ("fingerprint", "file", "id"),
    "revoked": ("fingerprint", "file", "id"),
    "suspended": ("fingerprint", "file", "id"),
    "reinstated": ("fingerprint", "file", "id"),
    "issuer-suspended-later": ("fingerprint", "file", "id"),
    "public-batch-0": ("fingerprint", "file", "id", "document"),
    "public-batch-1": ("fingerprint", "file", "id", "document"),
    "public-batch-2": ("fingerprint", "file", "id", "document"),
    "public-batch-3": ("fingerprint", "file", "document"),
    "public-batch-3-hidden": ("document",),
    "anchor-batch-0": ("fingerprint", "file", "id", "document"),
    "anchor-batch-1": ("fingerprint", "file", "id", "document"),
    "anchor-batch-2": ("fingerprint", "file", "id", "document"),
    "wrapped-single": ("fingerprint", "file", "id", "document"),
    "wrapped-single-hidden": ("document",),
    "tampered-field": ("document",),
    "proof-from-another-batch": ("document",),
    "forged": ("id", "document"),
    "impostor": ("id", "document"),
    "misnamed": ("id", "document"),
    "bound-to-another-chain": ("id", "document"),
    "compromise-before-cutoff": ("fingerprint", "file", "id"),
    "compromise-after-cutoff": ("fingerprint", "file", "id"),
    "expired": ("fingerprint", "file", "id"),
    "unknown": ("fingerprint", "file", "id"),
    "hijack-single": ("fingerprint", "id"),
    "hijack-publish": ("fingerprint",),
}
"""How each case can be presented: by fingerprint, by uploaded file, by certificate id, by wrapped document."""


@dataclass
class Scenario:
    url: str
    chain_id: int
    deployments_dir: Path
    registry: str
    partner_registry: str
    partners: dict[str, Partner] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    txs: dict[str, Tx] = field(default_factory=dict)
    proposals: dict[str, int] = field(default_factory=dict)
    cutoff: int = 0
    head: int = 0
    start_block: int = 0
    originals: dict[str, str] = field(default_factory=dict)
    """Originals of the provenance story by name (see :meth:`_Builder.provenance`): their ids."""
    provenance_registry: str = ""
    provenance_times: dict[str, int] = field(default_factory=dict)
    """The offer's ``deadline`` and the inspection's ``occurred`` time of the provenance story."""

    def partner(self, key: str) -> Partner:
        return self.partners[key]


PARTNERS: tuple[tuple[str, int, OrganisationType, str, str], ...] = (
    ("mill", 3, OrganisationType.SME, "Linen Mill Ltd", "mill.example"),
    ("foundation", 4, OrganisationType.NGO, "Harbour Art Foundation", "art.example"),
    ("lab", 5, OrganisationType.RESEARCH_INSTITUTE, "Materials Research Institute", "lab.example"),
    ("ministry", 6, OrganisationType.MINISTRY, "Ministry of Culture", "culture.example"),
    ("printer", 7, OrganisationType.ENTERPRISE, "Quickprint Ltd", "quickprint.example"),
    ("press", 9, OrganisationType.SME, "Olive Press Cooperative", "olives.example"),
)
"""Admitted issuers (key, anvil account, type, display name, domain). Founders are town (0), bank (1), uni (2)."""
APPLICANT = ("weavers", 8, OrganisationType.ASSOCIATION, "Weavers Association", "weavers.example")
"""Applies and is never admitted."""


class _Builder:
    def __init__(self, client: RpcClient, consortium: devchain.Consortium, scenario: Scenario) -> None:
        self.client = client
        self.c = consortium
        self.s = scenario
        self._block_times: dict[int, int] = {}
        self.issued_at: dict[str, int] = {}
        """Issuance time by root."""

    # -- chain helpers ------------------------------------------------------------------------------------------

    def at(self, receipt: Receipt) -> int:
        if receipt.block_number not in self._block_times:
            block = self.client.call("eth_getBlockByNumber", [hex(receipt.block_number), False])
            self._block_times[receipt.block_number] = int(block["timestamp"], 16)
        return self._block_times[receipt.block_number]

    def record(self, name: str, receipt: Receipt) -> Tx:
        tx = Tx(receipt.tx_hash, receipt.block_number, self.at(receipt))
        self.s.txs[name] = tx
        return tx

    def issued(self, name: str, root: str, receipt: Receipt) -> Tx:
        tx = self.record(name, receipt)
        self.issued_at[root] = tx.at
        return tx

    def chain_now(self) -> int:
        return int(self.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def advance(self, seconds: int) -> None:
        self.client.call("evm_increaseTime", [seconds])
        self.client.call("evm_mine", [])

    def propose(self, name: str, proposer: int, kind: ProposalKind, subject: str, rights: int, cutoff: int) -> int:
        receipt = self.c.partner_tx(proposer, "propose", int(kind), subject, rights, cutoff)
        self.record(f"{name}.propose", receipt)
        proposal_id = int(receipt.logs[0]["topics"][1], 16)
        self.s.proposals[name] = proposal_id
        return proposal_id

    def carry(self, name: str, kind: ProposalKind, subject: str, rights: int = 0, cutoff: int = 0) -> int:
        """Founder 0 proposes, founder 1 votes yes, founder 2 executes (a majority of the three founders)."""
        proposal_id = self.propose(name, 0, kind, subject, rights, cutoff)
        self.record(f"{name}.vote", self.c.partner_tx(1, "vote", proposal_id, True))
        self.record(f"{name}.execute", self.c.partner_tx(2, "execute", proposal_id))
        return proposal_id

    # -- consortium -----------------------------------------------------------------------------------------------

    def register(self, key: str, account: int, org_type: OrganisationType, name: str, domain: str) -> Partner:
        partner = Partner(key, account, self.c.address(account), name, org_type, domain)
        self.s.partners[key] = partner
        receipt = self.c.partner_tx(account, "applyForMembership", int(org_type), name, domain, b"\0" * 32)
        self.record(f"{key}.apply", receipt)
        return partner

    def consortium(self) -> None:
        for i, (org_type, name, domain) in enumerate(devchain.FOUNDERS):
            key = ("town", "bank", "uni")[i]
            self.s.partners[key] = Partner(key, i, self.c.address(i), name, org_type, domain)
        for key, account, org_type, name, domain in PARTNERS:
            partner = self.register(key, account, org_type, name, domain)
            self.carry(f"admit-{key}", ProposalKind.ADMIT, partner.address, rights=ISSUER)
        self.register(*APPLICANT)
        # A proposal that is still open: proposed by the bank, opposed by the university.
        proposal_id = self.propose(
            "suspend-foundation", 1, ProposalKind.SUSPEND, self.s.partner("foundation").address, 0, 0
        )
        self.record("suspend-foundation.vote", self.c.partner_tx(2, "vote", proposal_id, False))

    # -- provenance -----------------------------------------------------------------------------------------------

    def provenance(self) -> None:
        """The provenance of the wrapped single certificate's original (the ministry's town charter).

        The ministry registers it under the certified fingerprint for the applicant (account 8), linked to the
        certificate; the mill registers the same identifier later (held by the foundation: not the first
        registration); the ministry registers the charter's frame under a serial of its own, linked to the same
        certificate; the mill derives a copy from its own registration. Account 8 sells the charter to the lab (5),
        which records an inspection and reports it stolen. Every step is recorded in ``txs`` as ``prov.<step>``.
        """
        from ledger.cbv import code_of

        s, c = self.s, self.c
        case = s.cases["wrapped-single"]
        assert case.fingerprint is not None and case.id is not None
        identifier, certificate = _b32(case.fingerprint), _b32(case.id)
        ministry, mill = s.partner("ministry").account, s.partner("mill").account
        receipt = c.prov_tx(ministry, "enrolLinked", identifier, c.address(8), ZERO_ADDRESS, False, [certificate], [])
        self.record("prov.register", receipt)
        s.originals["charter"] = receipt.logs[0]["topics"][1].lower()
        receipt = c.prov_tx(mill, "enrolOriginal", identifier, c.address(mill), c.address(4), False)
        self.record("prov.second", receipt)
        s.originals["second"] = receipt.logs[0]["topics"][1].lower()
        frame_identifier = _b32(devchain.h32(4, "api-charter-frame"))
        receipt = c.prov_tx(
            ministry, "enrolLinked", frame_identifier, c.address(ministry), ZERO_ADDRESS, False, [certificate], []
        )
        self.record("prov.frame", receipt)
        s.originals["frame"] = receipt.logs[0]["topics"][1].lower()
        second = _b32(s.originals["second"])
        copy_identifier = _b32(devchain.h32(1, "api-charter-copy"))
        receipt = c.prov_tx(mill, "enrolLinked", copy_identifier, c.address(mill), ZERO_ADDRESS, False, [], [second])
        self.record("prov.copy", receipt)
        s.originals["copy"] = receipt.logs[0]["topics"][1].lower()
        charter = _b32(s.originals["charter"])
        deadline = self.chain_now() + 30 * 24 * 3600
        self.record("prov.offer", c.prov_tx(8, "handOver", charter, 0, c.address(5), deadline))
        self.record("prov.take", c.prov_tx(5, "takeOver", charter, 0))
        inspection = _b32(devchain.h32(2, "api-charter-inspection"))
        occurred = self.chain_now() - 3600
        s.provenance_times.update(deadline=deadline, occurred=occurred)
        self.record("prov.inspect", c.prov_tx(5, "addEvent", charter, code_of("inspecting"), inspection, occurred))
        theft = _b32(devchain.h32(3, "api-charter-theft"))
        self.record("prov.stolen", c.prov_tx(5, "logIncident", charter, 2, theft))

    # -- certificates ---------------------------------------------------------------------------------------------

    def single(self, name: str, issuer: str, file: bytes, valid_until: int = 0) -> Case:
        """A single certificate of a file: root is a fresh id, the fingerprint is public."""
        root, fingerprint = devchain.h32(len(self.s.cases), f"api-{name}"), sha256_hex(file)
        receipt = self.c.issue(self.s.partner(issuer).account, root, fingerprint, valid_until)
        tx = self.issued(f"{name}.issue", root, receipt)
        case = Case(
            name,
            issuer,
            root,
            root,
            fingerprint=fingerprint,
            file=file,
            issued_at=tx.at,
            valid_until=valid_until or None,
        )
        self.s.cases[name] = case
        return case

    def same_block(self, names: tuple[str, str], issuer: str, files: tuple[bytes, bytes]) -> None:
        """Two single certificates mined in one block: the same ``issued_at``, so only the root orders them."""
        sender = self.c.sender(self.s.partner(issuer).account)
        self.client.call("evm_setAutomine", [False])
        try:
            hashes = []
            for name, file in zip(names, files, strict=True):
                root = devchain.h32(len(self.s.cases) + len(hashes), f"api-{name}")
                call = Call(
                    self.c.certificates.address,
                    self.c.certificates.encode(
                        "issue", bytes.fromhex(root[2:]), bytes.fromhex(sha256_hex(file)[2:]), 0
                    ),
                    200_000,
                )
                hashes.append((name, root, file, sender.send(call)))
            self.client.call("evm_mine")
        finally:
            self.client.call("evm_setAutomine", [True])
        for name, root, file, tx_hash in hashes:
            tx = self.issued(f"{name}.issue", root, sender.wait(tx_hash))
            self.s.cases[name] = Case(
                name, issuer, root, root, fingerprint=sha256_hex(file), file=file, issued_at=tx.at
            )

    def document(
        self, issuer: str, file_or_serial: bytes, name: str, kind: str, **attributes: Any
    ) -> CertificateDocument:
        partner = self.s.partner(issuer)
        return CertificateDocument.model_validate(
            {
                "original": {
                    "name": name,
                    "kind": kind,
                    "fingerprint": sha256_hex(file_or_serial),
                    "attributes": attributes,
                },
                "issuer": {"address": partner.address, "name": partner.name},
                "issuedAt": self.chain_now(),
                "chain": {"chainId": self.s.chain_id, "registry": self.s.registry},
            }
        )

    def status(self, name: str, account: int, action: str, case: Case, reason: int, proof: list[str] | None) -> Tx:
        """``action`` the whole certificate (proof None) or one document of it (with its proof)."""
        assert case.root is not None and case.leaf is not None and case.issuer is not None
        cid = self.c.certificate_id(self.s.partner(case.issuer).account, case.root)
        if proof is None:
            receipt = self.c.set_status(account, action, cid, reason)
        else:
            proof_b = [bytes.fromhex(p[2:]) for p in proof]
            receipt = self.c.set_status(account, action, cid, reason, case.leaf, proof_b)
        return self.record(name, receipt)

    def certificates(self) -> None:
        s = self.s
        self.single("valid-single", "mill", b"Linen Mill Ltd - fabric batch 2024-117: 300 m of bleached linen\n")
        self.same_block(
            ("same-block-a", "same-block-b"), "lab", (b"Lab notebook 3, page 14", b"Lab notebook 3, page 15")
        )
        self.single(
            "valid-until-next-month",
            "mill",
            b"Linen Mill Ltd - fabric batch 2024-118: 120 m of raw linen\n",
            valid_until=int(time.time()) + 30 * 24 * 3600,
        )
        # An original whose first certificate was superseded: revoked (reason 2), then certified again.
        painting = b"JPEG scan of 'Harbour at Dawn', oil on canvas, 1911"
        self.single("superseded-old", "foundation", painting)
        self.status("superseded-old.revoke", 4, "revoke", s.cases["superseded-old"], 2, None)
        self.single("superseded-new", "foundation", painting)
        self.single("revoked", "mill", b"Linen Mill Ltd - fabric batch 2023-004 (burnt in the warehouse fire)\n")
        self.status("revoked.revoke", 3, "revoke", s.cases["revoked"], 4, None)
        # Suspended by the council (the bank), not by its issuer.
        self.single("suspended", "ministry", b"Deed of gift, municipal archive, folio 88")
        self.status("suspended.suspend", 1, "suspend", s.cases["suspended"], 6, None)
        self.single("reinstated", "foundation", b"Bronze figurine 'Net Mender', certificate of authenticity")
        self.status("reinstated.suspend", 4, "suspend", s.cases["reinstated"], 7, None)
        self.status("reinstated.reinstate", 4, "reinstate", s.cases["reinstated"], 0, None)
        self.single("issuer-suspended-later", "press", b"Olive Press Cooperative - extra virgin oil, lot 7")
        self.carry("suspend-press", ProposalKind.SUSPEND, s.partner("press").address)
        self.wrapped()
        self.compromise()
        self.expiry()

    def wrapped(self) -> None:
        s = self.s
        # A public batch of four wrapped diplomas: leaves and fingerprints in the events; diploma 1 revoked alone.
        diplomas = [f"%PDF-1.7 Diploma in Textile Engineering, student {i}".encode() for i in range(4)]
        docs = [
            self.document("uni", pdf, f"Diploma of student {i}", "diploma", holder=f"Student {i}", grade="A")
            for i, pdf in enumerate(diplomas)
        ]
        wrapped = wrap_batch(docs)
        leaves = [w["proof"]["targetHash"] for w in wrapped]
        tree, receipt = self.c.issue_public_batch(2, leaves, [sha256_hex(pdf) for pdf in diplomas])
        root = "0x" + tree.root.hex()
        self.issued("public-batch.issue", root, receipt)
        for i, (pdf, w) in enumerate(zip(diplomas, wrapped, strict=True)):
            s.cases[f"public-batch-{i}"] = Case(
                f"public-batch-{i}", "uni", root, leaves[i], fingerprint=sha256_hex(pdf), file=pdf, document=w
            )
        self.status("public-batch-1.revoke", 2, "revoke", s.cases["public-batch-1"], 5, wrapped[1]["proof"]["proof"])
        self.hijacks(leaves, diplomas)
        hidden = WrappedDocument(wrapped[3]).hide(["original.attributes.holder", "original.attributes.grade"])
        s.cases["public-batch-3-hidden"] = Case(
            "public-batch-3-hidden", "uni", root, leaves[3], fingerprint=sha256_hex(diplomas[3]), document=hidden
        )

        # An anchor batch: only the root is on chain; the documents name objects by serial. Document 2 suspended.
        serials = [f"MRI-SAMPLE-{i:04d}".encode() for i in range(3)]
        docs = [
            self.document("lab", serial, f"Alloy sample {i}", "material-sample") for i, serial in enumerate(serials)
        ]
        anchored = wrap_batch(docs)
        anchor_root = anchored[0]["proof"]["merkleRoot"]
        self.issued(
            "anchor-batch.issue", anchor_root, self.c.cert_tx(5, "issueBatch", bytes.fromhex(anchor_root[2:]), 0)
        )
        for i, w in enumerate(anchored):
            s.cases[f"anchor-batch-{i}"] = Case(
                f"anchor-batch-{i}",
                "lab",
                anchor_root,
                w["proof"]["targetHash"],
                fingerprint=sha256_hex(serials[i]),
                published=False,
                file=serials[i],
                document=w,
            )
        self.status("anchor-batch-2.suspend", 0, "suspend", s.cases["anchor-batch-2"], 6, anchored[2]["proof"]["proof"])

        # A single wrapped certificate (a tree of one); the same document with two fields hidden.
        record = b"Scan of the 1848 town charter, archive box 12"
        single = wrap(self.document("ministry", record, "Town charter of 1848", "document", box="12"))
        target = single["proof"]["targetHash"]
        self.issued("wrapped-single.issue", target, self.c.issue(6, target, sha256_hex(record)))
        s.cases["wrapped-single"] = Case(
            "wrapped-single", "ministry", target, target, fingerprint=sha256_hex(record), file=record, document=single
        )
        hidden_single = WrappedDocument(single).hide(["original.name", "issuer.name"])
        s.cases["wrapped-single-hidden"] = Case(
            "wrapped-single-hidden", "ministry", target, target, fingerprint=sha256_hex(record), document=hidden_single
        )

        # Presented documents that are not genuine.
        tampered = copy.deepcopy(single)
        salt, _ = tampered["data"]["original"]["name"].split(":", 1)
        tampered["data"]["original"]["name"] = f'{salt}:"Town charter of 1748"'
        s.cases["tampered-field"] = Case(
            "tampered-field", "ministry", target, target, fingerprint=sha256_hex(record), document=tampered
        )

        other_proof = copy.deepcopy(wrapped[0])
        other_proof["proof"]["proof"] = list(anchored[0]["proof"]["proof"])
        s.cases["proof-from-another-batch"] = Case(
            "proof-from-another-batch",
            "uni",
            root,
            leaves[0],
            fingerprint=sha256_hex(diplomas[0]),
            document=other_proof,
        )

        never = b"Scan of a charter nobody certified"
        forged = wrap(self.document("ministry", never, "Town charter of 1850", "document"))
        forged_target = forged["proof"]["targetHash"]
        s.cases["forged"] = Case(
            "forged", None, forged_target, forged_target, issued=False, fingerprint=sha256_hex(never), document=forged
        )

        # The foundation certifies a document that names the town as its issuer.
        seal = b"Town seal impression"
        impostor = wrap(self.document("town", seal, "Town seal", "seal"))
        impostor_target = impostor["proof"]["targetHash"]
        self.issued("impostor.issue", impostor_target, self.c.issue(4, impostor_target, sha256_hex(seal)))
        s.cases["impostor"] = Case(
            "impostor", "foundation", impostor_target, impostor_target, fingerprint=sha256_hex(seal), document=impostor
        )

        # The ministry certifies a document in which it states another name than the registry's.
        letter = b"Letter of the minister, 3 May 1921"
        misnamed_doc = self.document("ministry", letter, "Minister's letter", "letter").to_json()
        misnamed_doc["issuer"]["name"] = "Ministry of Education"
        misnamed = wrap(CertificateDocument.model_validate(misnamed_doc))
        misnamed_target = misnamed["proof"]["targetHash"]
        self.issued("misnamed.issue", misnamed_target, self.c.issue(6, misnamed_target, sha256_hex(letter)))
        s.cases["misnamed"] = Case(
            "misnamed", "ministry", misnamed_target, misnamed_target, fingerprint=sha256_hex(letter), document=misnamed
        )

        harbour_map = b"Map of the harbour, 1790"
        elsewhere_doc = self.document("ministry", harbour_map, "Harbour map", "map").to_json()
        elsewhere_doc["chain"]["chainId"] = 1
        elsewhere = wrap(CertificateDocument.model_validate(elsewhere_doc))
        elsewhere_target = elsewhere["proof"]["targetHash"]
        self.issued("other-chain.issue", elsewhere_target, self.c.issue(6, elsewhere_target, sha256_hex(harbour_map)))
        s.cases["bound-to-another-chain"] = Case(
            "bound-to-another-chain",
            "ministry",
            elsewhere_target,
            elsewhere_target,
            fingerprint=sha256_hex(harbour_map),
            document=elsewhere,
        )

        for case in s.cases.values():
            if case.issued and case.issued_at is None and case.root is not None:
                case.issued_at = self.issued_at[case.root]

    def hijacks(self, leaves: list[str], diplomas: list[bytes]) -> None:
        """Finding 1 of the trust model review, attempted by the mill on the university's public batch: it issues
        diploma 0's leaf as the root of a single certificate of its own and revokes it ("fraud"), and publishes
        diploma 3's leaf in a public batch of its own and revokes that. Certificates are namespaced by issuer, so both
        are the mill's own certificates, and nothing any lookup says about the university's changes."""
        s = self.s
        receipt = self.c.issue(3, leaves[0], sha256_hex(diplomas[0]))
        tx = self.issued("hijack-single.issue", leaves[0], receipt)
        s.cases["hijack-single"] = Case(
            "hijack-single", "mill", leaves[0], leaves[0], fingerprint=sha256_hex(diplomas[0]), issued_at=tx.at
        )
        self.status("hijack-single.revoke", 3, "revoke", s.cases["hijack-single"], 5, None)
        other = sha256_hex(b"a leaf of the mill's own")
        tree, receipt = self.c.issue_public_batch(3, [leaves[3], other], [sha256_hex(diplomas[3]), other])
        root = "0x" + tree.root.hex()
        tx = self.issued("hijack-publish.issue", root, receipt)
        s.cases["hijack-publish"] = Case(
            "hijack-publish", "mill", root, leaves[3], fingerprint=sha256_hex(diplomas[3]), issued_at=tx.at
        )
        self.status("hijack-publish.revoke", 3, "revoke", s.cases["hijack-publish"], 5, None)

    def compromise(self) -> None:
        """The printer issues A, time passes, it issues B; then it is expelled with a cut-off between the two."""
        before = self.single("compromise-before-cutoff", "printer", b"Quickprint Ltd - print run 1 of a poster")
        self.advance(100)
        self.single("compromise-after-cutoff", "printer", b"Quickprint Ltd - print run 2 of a poster")
        assert before.issued_at is not None
        self.s.cutoff = before.issued_at + 50
        self.carry("expel-printer", ProposalKind.EXPEL, self.s.partner("printer").address, cutoff=self.s.cutoff)

    def expiry(self) -> None:
        """A certificate valid for five seconds of chain time; then the chain's clock moves a minute on."""
        self.single("expired", "lab", b"Materials Research Institute - tensile test report 77", self.chain_now() + 5)
        self.advance(60)


def build_scenario(client: RpcClient, deployments_dir: Path) -> Scenario:
    """Deploy and run the whole story on the anvil behind ``client``; returns what happened."""
    consortium = devchain.deploy(client, deployments_dir)
    registry = consortium.deployment.contract("CertificateRegistry").address.lower()
    scenario = Scenario(
        url="",
        chain_id=consortium.chain_id,
        deployments_dir=deployments_dir,
        registry=registry,
        partner_registry=consortium.deployment.contract("PartnerRegistry").address.lower(),
        start_block=consortium.deployment.start_block,
    )
    builder = _Builder(client, consortium, scenario)
    deployed = consortium.deployment.contract("PartnerRegistry")
    block = client.call("eth_getBlockByNumber", [hex(deployed.block_number), False])
    scenario.txs["deploy"] = Tx(deployed.tx_hash.lower(), deployed.block_number, int(block["timestamp"], 16))
    builder.consortium()
    builder.certificates()
    scenario.provenance_registry = consortium.deployment.contract("ProvenanceRegistry").address.lower()
    never = b"never certified"
    scenario.cases["unknown"] = Case(
        "unknown", None, devchain.h32(0, "unknown"), devchain.h32(0, "unknown"), False, sha256_hex(never), file=never
    )
    assert set(scenario.cases) == set(CHANNELS), "every case needs its channels"
    for case in scenario.cases.values():
        # The certificate each case is about, as the registry names it: its real issuer's id of its root (a forged
        # document's, as the issuer it names would have it; the unknown case's id is just an unknown hash).
        named = case.issuer or ("ministry" if case.name == "forged" else None)
        if named is not None and case.root is not None:
            case.id = certificate_id(scenario.partner(named).address, case.root)
        else:
            case.id = case.root
    builder.provenance()
    scenario.head = int(client.call("eth_blockNumber"), 16)
    return scenario
