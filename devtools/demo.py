"""The demo consortium for a devnet: real applications, council votes and certificates, so every page has content.

Seeds, with devnet keys (anvil's well-known ones and keys derived from public labels: devnets only): a consortium of
the three founders and fifty-five partners of all eight organisation types, each admitted through its signed
application and the council's signed votes, relayed in batches, with a suspension, a departure, a failed, an expired
and three open proposals (:mod:`devtools.demo_consortium`, the cast in :mod:`devtools.demo_partners`); then, at
today's date, a textile mill's fabric certificate and a gallery's artwork certificate issued singly;
a batch of diplomas from the university issued in one transaction with public fingerprints; one diploma revoked
(issued in error) and the artwork suspended (under investigation); then originals with a provenance
(:mod:`devtools.demo_provenance`: an artwork sold, lent to a museum and restored, a fabric batch made into garments, a
violin stolen and recovered, a watch still stolen). The original files and the wrapped certificate documents are
written to a folder the user can drop into the web page. Seeding twice does nothing; a chain seeded before the
provenance stories existed gets them on the next run.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from eth_account import Account

from devtools.demo_consortium import ConsortiumHistory
from devtools.demo_partners import PARTNERS
from devtools.demo_provenance import DemoProvenance
from ledger.abi import load_abi
from ledger.chain.contracts import ContractBinding
from ledger.chain.devkeys import devnet_key
from ledger.chain.rpc import RpcClient
from ledger.chain.tx import Call, Receipt, TxSender
from ledger.deployments import Deployment
from ledger.documents import CertificateDocument, ChainBinding, Issuer, Original, certificate_id, wrap_batch
from ledger.documents import now as unix_now
from ledger.events import PartnerStatus

log = logging.getLogger(__name__)

MILL, GALLERY = 4, 5  # the devnet accounts of two partners (devtools.demo_partners) that issue demo certificates
UNIVERSITY = 2  # a founder with ISSUER | COUNCIL


@dataclass(frozen=True)
class DemoFile:
    name: str
    content: bytes


class Demo:
    """Seeds the demo data onto a deployment through devnet keys."""

    def __init__(self, client: RpcClient, deployment: Deployment, out_dir: Path) -> None:
        self.client = client
        self.deployment = deployment
        self.out_dir = out_dir
        self.partners = ContractBinding(load_abi("PartnerRegistry"), deployment.contract("PartnerRegistry").address)
        self.certificates = ContractBinding(
            load_abi("CertificateRegistry"), deployment.contract("CertificateRegistry").address
        )
        self._senders: dict[int, TxSender] = {}

    def sender(self, index: int) -> TxSender:
        if index not in self._senders:
            account = Account.from_key(devnet_key(index))
            self._senders[index] = TxSender(self.client, account, self.deployment.chain_id)
        return self._senders[index]

    def _tx(self, index: int, binding: ContractBinding, fn: str, *args: Any) -> Receipt:
        return self.sender(index).transact(Call(binding.address, binding.encode(fn, *args)), binding)

    def seeded(self) -> bool:
        (partner,) = self.partners.view(self.client, "partner", self.sender(MILL).address)
        return bool(partner[1] != PartnerStatus.NONE)

    def seed(self) -> bool:
        """Seed once; returns False when the demo was already there (the provenance stories too)."""
        seeded = not self.seeded() and self._seed_consortium()
        if DemoProvenance(self).seed():
            seeded = True
        if seeded:
            self._write_readme()
        return seeded

    def _seed_consortium(self) -> bool:
        """The consortium's history and the certificates."""
        ConsortiumHistory(self.client, self.deployment).play()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._issue_single(
            MILL,
            DemoFile("fabric-batch-0042.txt", b"Weberei Lindner - blue silk, batch 0042, 1200 m, dyed 2026-10-02\n"),
            "fabric-batch",
            {"metres": "1200", "fibre": "silk"},
        )
        artwork = self._issue_single(
            GALLERY,
            DemoFile("artwork-evening-light.txt", b"'Evening Light', oil on canvas, 80 x 60 cm, M. Kovac, 2019\n"),
            "artwork",
            {"artist": "M. Kovac", "year": "2019"},
        )
        diplomas = self._issue_batch(
            UNIVERSITY,
            [
                DemoFile(f"diploma-{i:03d}.txt", f"MSc Blockchain Engineering, graduate no. {i:03d}\n".encode())
                for i in range(1, 9)
            ],
            "diploma",
        )
        revoked = diplomas[2]
        self._tx(
            UNIVERSITY,
            self.certificates,
            "revokeDocument",
            self._certificate_id(UNIVERSITY, revoked),
            bytes.fromhex(revoked["proof"]["targetHash"][2:]),
            3,
            [bytes.fromhex(p[2:]) for p in revoked["proof"]["proof"]],
        )
        self._tx(GALLERY, self.certificates, "suspend", self._certificate_id(GALLERY, artwork), 6)
        return True

    def _certificate_id(self, index: int, wrapped: dict[str, Any]) -> bytes:
        """The registry's id of the certificate account ``index`` issued with this document's root."""
        return bytes.fromhex(certificate_id(self.sender(index).address, wrapped["proof"]["merkleRoot"])[2:])

    def _documents(
        self, index: int, files: list[DemoFile], kind: str, attributes: dict[str, Any]
    ) -> list[dict[str, Any]]:
        name = next((p.name for p in PARTNERS if p.account == index), "University Blockchain Competence Centre")
        return self.documents(self.sender(index), name, files, kind, attributes)

    def documents(
        self, sender: TxSender, name: str, files: list[DemoFile], kind: str, attributes: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Write ``files`` and their wrapped certificate documents (one batch, issued by ``sender`` as ``name``) to
        the demo folder; the wrapped documents."""
        issuer = Issuer(address=sender.address, name=name)
        binding = ChainBinding(chain_id=self.deployment.chain_id, registry=self.certificates.address or "")
        originals_dir = self.out_dir / "originals"
        originals_dir.mkdir(parents=True, exist_ok=True)
        docs = []
        for f in files:
            (originals_dir / f.name).write_bytes(f.content)
            fingerprint = "0x" + hashlib.sha256(f.content).hexdigest()
            original = Original(name=f.name, kind=kind, fingerprint=fingerprint, attributes=attributes)
            docs.append(CertificateDocument(original=original, issuer=issuer, issued_at=unix_now(), chain=binding))
        wrapped = wrap_batch(docs)
        certificates_dir = self.out_dir / "certificates"
        certificates_dir.mkdir(parents=True, exist_ok=True)
        for f, w in zip(files, wrapped, strict=True):
            (certificates_dir / f"{f.name}.originals.json").write_bytes(orjson.dumps(w, option=orjson.OPT_INDENT_2))
        return wrapped

    def _issue_single(self, index: int, f: DemoFile, kind: str, attributes: dict[str, Any]) -> dict[str, Any]:
        name = next((p.name for p in PARTNERS if p.account == index), "University Blockchain Competence Centre")
        return self.issue_single(self.sender(index), name, f, kind, attributes)

    def issue_single(
        self, sender: TxSender, name: str, f: DemoFile, kind: str, attributes: dict[str, Any]
    ) -> dict[str, Any]:
        """Issue one certificate for ``f`` from ``sender`` (an issuer partner named ``name``); its wrapped document."""
        (wrapped,) = self.documents(sender, name, [f], kind, attributes)
        fingerprint = wrapped_fingerprint(wrapped)
        root = bytes.fromhex(wrapped["proof"]["merkleRoot"][2:])
        sender.transact(
            Call(self.certificates.address, self.certificates.encode("issue", root, fingerprint, 0)), self.certificates
        )
        return wrapped

    def _issue_batch(self, index: int, files: list[DemoFile], kind: str) -> list[dict[str, Any]]:
        wrapped = self._documents(index, files, kind, {"programme": "MSc Blockchain Engineering"})
        root = bytes.fromhex(wrapped[0]["proof"]["merkleRoot"][2:])
        leaves = [bytes.fromhex(w["proof"]["targetHash"][2:]) for w in wrapped]
        self._tx(
            index, self.certificates, "issueBatchPublic", root, 0, leaves, [wrapped_fingerprint(w) for w in wrapped]
        )
        return wrapped

    def _write_readme(self) -> None:
        (self.out_dir / "README.txt").write_text(
            "Demo originals and their certificates, seeded by `originals up`.\n\n"
            "originals/      the original files: drop one onto the web page, or run `originals verify FILE`\n"
            "certificates/   their wrapped certificate documents (FILE.originals.json): drop one onto the page\n\n"
            "fabric-batch-0042.txt       VALID (single certificate, Weberei Lindner Textile Mill)\n"
            "artwork-evening-light.txt   SUSPENDED (under investigation, Kunstverein Gallery North)\n"
            "diploma-003.txt             REVOKED (issued in error, University)\n"
            "diploma-*.txt (others)      VALID (one batch of 8, one transaction)\n"
            "\nWith a provenance (owner, holder, what happened to it; provenance/ holds the evidence documents whose\n"
            "hashes are on chain):\n"
            "artwork-001.txt             VALID; sold, lent to a museum, restored (Kunstverein Gallery North)\n"
            "fabric-batch-0042.txt       its batch, made into two garments (Weberei Lindner Textile Mill)\n"
            "violin-2291.txt             VALID; stolen, then recovered (Instrumentenbau Markneukirchen)\n"
            "watch-3104.txt              VALID certificate, but the watch is reported STOLEN (Uhrenatelier Kessler)\n"
        )


def wrapped_fingerprint(wrapped: dict[str, Any]) -> bytes:
    raw = wrapped["data"]["original"]["fingerprint"]
    return bytes.fromhex(orjson.loads(raw.split(":", 1)[1])[2:])
