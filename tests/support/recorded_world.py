"""A fixed, demo-like index for the recorded-answers comparison (``test_recorded_answers.py``).

Everything here is deterministic: the events are written through the indexer's own
:class:`~ledger.indexer.project.Projector` (no chain, no wall clock: block numbers, hashes and times are fixed), the
wrapped documents use counted salts, and the node URL points at a closed port, so ``source=chain`` and health answer
the same way on every run. The same requests over this world must then give the same bytes on every version of the
API that claims to answer as before.

:func:`requests` is the fixed list of requests (every route, good and bad input); :func:`answer` runs one through a
test client and keeps what a client sees: status, headers, body.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert

from ledger.abi import abi_sha256, load_abi
from ledger.config import Settings
from ledger.db import schema as s
from ledger.db.engine import make_engine, upgrade
from ledger.deployments import ContractDeployment, Deployment, save_deployment
from ledger.documents import CertificateDocument, certificate_id, wrap, wrap_batch
from ledger.events import (
    COUNCIL,
    ISSUER,
    ZERO_HASH,
    CertificateIssued,
    CertificateLinked,
    CertificateReinstated,
    CertificateRevoked,
    CertificateSuspended,
    DetailsProposed,
    DispositionReported,
    DocumentPublished,
    HeldAtRegistration,
    LifecycleEventRecorded,
    OrganisationType,
    OriginalRegistered,
    PartnerCompromised,
    PartnerDetailsChanged,
    PartnerRegistered,
    PartnerRightsChanged,
    PartnerStatus,
    PartnerStatusChanged,
    ProposalCreated,
    ProposalExecuted,
    ProposalKind,
    TitleOffered,
    TitleTransferred,
    VoteCast,
)
from ledger.indexer.decode import DecodedLog
from ledger.indexer.project import Projector

CHAIN_ID = 31337
GENESIS = 1_767_225_600  # 2026-01-01T00:00:00Z
PARTNERS = "0x" + "5a" * 20
REGISTRY = "0x" + "5b" * 20
TOWN = "0x" + "a1" * 20  # public administration, council and issuer
BANK = "0x" + "b2" * 20  # enterprise, issuer; compromised with a cut-off later
UNI = "0x" + "c3" * 20  # university, issuer; details changed by a council vote
MILL = "0x" + "d4" * 20  # SME, issuer
APPLICANT = "0x" + "e5" * 20  # applied, never admitted
EXPELLED = "0x" + "f6" * 20  # NGO, admitted then expelled
PROVENANCE = "0x" + "5c" * 20
OWNER = "0x" + "0e" * 20  # a private owner of an original (no partner)
BUYER = "0x" + "0f" * 20  # who bought it
CLOSED_PORT_URL = "http://127.0.0.1:9"  # nothing listens there: the node is "down", deterministically
EXTRA_SINGLES = 130  # more certificates than one default page holds
FILE_DATES = "<from the file's modification time>"
"""What a static file's ``last-modified`` and ``etag`` are recorded as: they change with every checkout."""


def fingerprint(text: str) -> str:
    return "0x" + hashlib.sha256(text.encode()).hexdigest()


def _salts() -> Any:
    counter = itertools.count()
    return lambda: hashlib.sha256(b"salt %d" % next(counter)).digest()


def _document(issuer: str, name: str, original: str, issued_at: int, valid_until: int | None) -> CertificateDocument:
    return CertificateDocument.model_validate(
        {
            "original": {"name": original, "kind": "document", "fingerprint": fingerprint(original)},
            "issuer": {"address": issuer, "name": name},
            "issuedAt": issued_at,
            "validUntil": valid_until,
            "chain": {"chainId": CHAIN_ID, "registry": REGISTRY},
        }
    )


class World:
    """The events of a small consortium and the documents its issuers handed out (see the module docstring)."""

    def __init__(self) -> None:
        self.logs: list[DecodedLog] = []
        self.block = 10
        self.index = 0
        self.salt = _salts()
        self.documents: dict[str, dict[str, Any]] = {}
        self.ids: dict[str, str] = {}

    def at(self) -> int:
        return GENESIS + 12 * self.block

    def emit(self, *events: Any, new_block: bool = True) -> None:
        if new_block:
            self.block += 1
        for event in events:
            self.index += 1
            block_hash = "0x" + hashlib.sha256(b"block %d" % self.block).hexdigest()
            tx_hash = "0x" + hashlib.sha256(b"tx %d" % self.index).hexdigest()
            name = type(event).__name__
            address = PARTNERS if name.startswith(("Partner", "Proposal", "Details", "Vote")) else REGISTRY
            if isinstance(event, PROVENANCE_EVENTS):
                address = PROVENANCE
            self.logs.append(DecodedLog(event, address, self.block, block_hash, tx_hash, self.index, self.at()))

    def partner(self, account: str, org: OrganisationType, name: str, domain: str, rights: int) -> None:
        meta = "0x" + hashlib.sha256(name.encode()).hexdigest()
        self.emit(PartnerRegistered(account, int(org), name, domain, meta))
        if rights:
            self.emit(
                PartnerStatusChanged(account, int(PartnerStatus.APPLIED), int(PartnerStatus.ACTIVE), 0, self.at()),
                PartnerRightsChanged(account, 0, rights, 0, self.at()),
                new_block=False,
            )

    def single(self, key: str, issuer: str, name: str, original: str, valid_until: int | None = None) -> str:
        wrapped = wrap(_document(issuer, name, original, self.at(), valid_until), self.salt)
        root = wrapped["proof"]["merkleRoot"]
        cid = certificate_id(issuer, root)
        self.emit(CertificateIssued(cid, issuer, fingerprint(original), root, self.at(), valid_until or 0))
        self.documents[key], self.ids[key] = wrapped, cid
        return cid

    def batch(self, key: str, issuer: str, name: str, originals: list[str], public: bool) -> str:
        docs = [_document(issuer, name, o, self.at(), None) for o in originals]
        wrapped = wrap_batch(docs, self.salt)
        root = wrapped[0]["proof"]["merkleRoot"]
        cid = certificate_id(issuer, root)
        events: list[Any] = [CertificateIssued(cid, issuer, ZERO_HASH, root, self.at(), 0)]
        if public:
            events += [
                DocumentPublished(w["proof"]["targetHash"], fingerprint(o), cid)
                for w, o in zip(wrapped, originals, strict=True)
            ]
        self.emit(*events)
        for n, w in enumerate(wrapped):
            self.documents[f"{key}.{n}"] = w
        self.ids[key] = cid
        return cid

    def proposal(self, pid: int, kind: ProposalKind, subject: str, *, target: str = ZERO_HASH, **extra: Any) -> None:
        self.emit(
            ProposalCreated(
                pid,
                int(kind),
                subject,
                TOWN,
                extra.get("rights", 0),
                extra.get("compromised_after", 0),
                self.at() + 3600,
                target,
                extra.get("leaf", ZERO_HASH),
                extra.get("reason", 0),
                3,
            )
        )
        if "details" in extra:
            self.emit(DetailsProposed(pid, *extra["details"]), new_block=False)
        self.emit(VoteCast(pid, TOWN, True, 1, 0), VoteCast(pid, BANK, True, 2, 0), VoteCast(pid, UNI, False, 2, 1))
        if extra.get("execute", True):
            self.emit(ProposalExecuted(pid, MILL, 3, 2), new_block=False)


PROVENANCE_EVENTS = (
    OriginalRegistered,
    HeldAtRegistration,
    CertificateLinked,
    TitleOffered,
    TitleTransferred,
    LifecycleEventRecorded,
    DispositionReported,
)


def provenance(w: World) -> None:
    """Diploma 1 registered by the university for its graduate (linked to its certificate), sold, inspected and
    reported stolen; the mill's later registration of the same fingerprint, held by the town. All in the last block
    (the checkpoint stays where it was)."""
    identifier = fingerprint("diploma 1")
    diploma, second = certificate_id(UNI, identifier), certificate_id(MILL, identifier)
    w.ids["original:diploma"], w.ids["original:second"] = diploma, second
    w.emit(OriginalRegistered(diploma, identifier, UNI, OWNER), new_block=False)
    w.emit(CertificateLinked(diploma, w.ids["diploma-1"], UNI), new_block=False)
    w.emit(OriginalRegistered(second, identifier, MILL, MILL), HeldAtRegistration(second, TOWN), new_block=False)
    w.emit(TitleOffered(diploma, OWNER, BUYER, w.at() + 3600), TitleTransferred(diploma, OWNER, BUYER), new_block=False)
    inspecting = 17  # ledger.cbv.code_of("inspecting")
    w.emit(LifecycleEventRecorded(diploma, BUYER, inspecting, fingerprint("inspection"), w.at() - 60), new_block=False)
    w.emit(DispositionReported(diploma, BUYER, 2, fingerprint("theft report")), new_block=False)


def build(directory: Path) -> tuple[Settings, World]:
    """The index, its deployment manifest and settings under ``directory``; the world it holds."""
    w = World()
    w.partner(TOWN, OrganisationType.PUBLIC_ADMINISTRATION, "Town of Originals", "town.example", ISSUER | COUNCIL)
    w.partner(BANK, OrganisationType.ENTERPRISE, "Cooperative Bank", "bank.example", ISSUER | COUNCIL)
    w.partner(UNI, OrganisationType.UNIVERSITY, "University Ledger Lab", "uni.example", ISSUER | COUNCIL)
    w.partner(MILL, OrganisationType.SME, "Textile Mill", "mill.example", ISSUER)
    w.partner(EXPELLED, OrganisationType.NGO, "Open Archive", "archive.example", ISSUER)
    w.partner(APPLICANT, OrganisationType.RESEARCH_INSTITUTE, "Institut für Ürsprünge", "ursprung.example", 0)

    w.single("diploma-1", UNI, "University Ledger Lab", "diploma 1")
    w.single("diploma-2", UNI, "University Ledger Lab", "diploma 2")
    w.single("expired", UNI, "University Ledger Lab", "ticket", valid_until=GENESIS + 7200)
    w.single("future", MILL, "Textile Mill", "fabric roll 7", valid_until=2**40)
    w.batch("fabric", MILL, "Textile Mill", ["fabric roll 1", "fabric roll 2", "fabric roll 3", "diploma 1"], True)
    w.batch("anchor", TOWN, "Town of Originals", ["permit 1", "permit 2"], False)
    w.single("bank-early", BANK, "Cooperative Bank", "bond 1")
    cutoff = w.at() + 6
    w.single("bank-late", BANK, "Cooperative Bank", "bond 2")
    w.single("archive", EXPELLED, "Open Archive", "letter 1")
    # Another issuer publishing a leaf of the fabric batch: a leaf lookup then names two issuers (409).
    w.batch("copy", TOWN, "Town of Originals", ["copied roll"], True)
    fabric_leaf = w.documents["fabric.0"]["proof"]["targetHash"]
    w.emit(DocumentPublished(fabric_leaf, fingerprint("fabric roll 1"), w.ids["copy"]))

    w.emit(CertificateRevoked(w.ids["diploma-2"], ZERO_HASH, UNI, 3, w.at(), False))
    w.emit(
        CertificateSuspended(w.ids["fabric"], w.documents["fabric.1"]["proof"]["targetHash"], MILL, 6, w.at(), False)
    )
    w.emit(
        CertificateSuspended(w.ids["fabric"], w.documents["fabric.2"]["proof"]["targetHash"], MILL, 6, w.at(), False)
    )
    leaf2 = w.documents["fabric.2"]["proof"]["targetHash"]
    w.emit(CertificateReinstated(w.ids["fabric"], leaf2, MILL, 0, w.at(), False))
    w.emit(CertificateSuspended(w.ids["anchor"], ZERO_HASH, TOWN, 5, w.at(), True))

    w.proposal(1, ProposalKind.SET_COMPROMISED, BANK, compromised_after=cutoff)
    w.emit(PartnerCompromised(BANK, cutoff, 1), new_block=False)
    w.proposal(2, ProposalKind.EXPEL, EXPELLED)
    w.emit(
        PartnerStatusChanged(EXPELLED, int(PartnerStatus.ACTIVE), int(PartnerStatus.EXPELLED), 2, w.at()),
        new_block=False,
    )
    details = (
        int(OrganisationType.RESEARCH_INSTITUTE),
        "University Ledger Lab (renamed)",
        "lab.uni.example",
        ZERO_HASH,
    )
    w.proposal(3, ProposalKind.CHANGE_DETAILS, UNI, details=details)
    w.emit(PartnerDetailsChanged(UNI, *details, 3, w.at()), new_block=False)
    w.proposal(4, ProposalKind.REVOKE_CERTIFICATE, REGISTRY, target=w.ids["archive"], reason=9)
    w.emit(CertificateRevoked(w.ids["archive"], ZERO_HASH, MILL, 9, w.at(), True), new_block=False)
    w.proposal(5, ProposalKind.SUSPEND, MILL, execute=False)
    for n in range(EXTRA_SINGLES):
        w.single(f"extra-{n}", MILL if n % 3 else TOWN, "Textile Mill" if n % 3 else "Town of Originals", f"extra {n}")
        if n % 7 == 0:
            w.block -= 1  # several certificates in one block, so pages break inside a block
    provenance(w)

    database = directory / "index.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        upgrade(engine)
        with engine.begin() as conn:
            Projector(CHAIN_ID).apply(conn, w.logs)
            conn.execute(
                insert(s.sync_state).values(
                    id=1,
                    chain_id=CHAIN_ID,
                    config_hash="0" * 64,
                    schema_version=s.SCHEMA_VERSION,
                    checkpoint_block=w.block + 2,
                    checkpoint_hash="0x" + "ab" * 32,
                    updated_at=GENESIS,
                )
            )
            # The checkpoint's block in the reorg window, with its time: proposals are judged at it.
            conn.execute(
                insert(s.block_hashes).values(
                    number=w.block + 2,
                    hash="0x" + "ab" * 32,
                    parent_hash="0x" + "aa" * 32,
                    timestamp=GENESIS + 12 * (w.block + 2),
                )
            )
    finally:
        engine.dispose()

    def entry(name: str, address: str, block: int) -> ContractDeployment:
        return ContractDeployment(address, block, "0x" + "0b" * 32, "0x" + "0c" * 32, abi_sha256(load_abi(name)))

    deployment = Deployment(
        CHAIN_ID,
        "ethereum:local",
        TOWN,
        3600,
        {
            "PartnerRegistry": entry("PartnerRegistry", PARTNERS, 1),
            "CertificateRegistry": entry("CertificateRegistry", REGISTRY, 2),
        },
    )
    save_deployment(deployment, directory / "deployments")
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{database}",
        rpc_url=CLOSED_PORT_URL,
        deployments_dir=directory / "deployments",
        rate_limit="off",
        public_base_url="https://originals.example",
    )
    return settings, w


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def requests(w: World) -> list[dict[str, Any]]:
    """The fixed list: every route of the API, with good and bad input (each a dict of ``method``, ``url`` and
    optionally ``json``, ``content``, ``files``, ``headers``)."""
    ids, docs = w.ids, w.documents
    fp = fingerprint
    bad = "0x" + "zz" * 32
    short = "0x" + "ab" * 31
    unknown = "0x" + "77" * 32
    leaf0 = docs["fabric.0"]["proof"]["targetHash"]
    leaf1 = docs["fabric.1"]["proof"]["targetHash"]
    anchor_leaf = docs["anchor.1"]["proof"]["targetHash"]
    out: list[dict[str, Any]] = []

    def get(url: str, **extra: Any) -> None:
        out.append({"method": "GET", "url": url, **extra})

    # verify by fingerprint: one, several, revoked, suspended document, expired, compromised, unknown, bad input
    for original in [
        "diploma 1",
        "diploma 2",
        "fabric roll 2",
        "fabric roll 3",
        "ticket",
        "bond 1",
        "bond 2",
        "letter 1",
        "permit 1",
        "fabric roll 7",
        "extra 5",
        "nothing at all",
    ]:
        get(f"/verify/fingerprint/{fp(original)}")
    get(f"/verify/fingerprint/{fp('diploma 1').upper().replace('0X', '0x')}")
    get(f"/verify/fingerprint/{fp('diploma 1')}?source=index")
    get(f"/verify/fingerprint/{fp('diploma 1')}?source=chain")
    get(f"/verify/fingerprint/{fp('diploma 1')}?source=nowhere")
    get(f"/verify/fingerprint/{fp('diploma 1')}?source=index&source=chain")
    get(f"/verify/fingerprint/{fp('diploma 1')}?other=1")
    get(f"/verify/fingerprint/{bad}")
    get(f"/verify/fingerprint/{short}")
    get(f"/verify/fingerprint/{bad}?source=nowhere")
    get(f"/verify/fingerprint/{fp('diploma 1')}/")
    get(f"/verify/fingerprint/{fp('diploma 1')[2:]}")
    get(f"/verify/fingerprint/{fp('diploma 1')}0")
    # verify by id / leaf
    for key in [
        "diploma-1",
        "diploma-2",
        "expired",
        "future",
        "fabric",
        "anchor",
        "bank-early",
        "bank-late",
        "archive",
        "copy",
        "extra-0",
    ]:
        get(f"/verify/certificate/{ids[key]}")
    for leaf in [leaf0, leaf1, anchor_leaf, docs["fabric.2"]["proof"]["targetHash"], unknown]:
        get(f"/verify/certificate/{leaf}")
    get(f"/verify/certificate/{ids['diploma-1'].upper().replace('0X', '0x')}")
    get(f"/verify/certificate/{ids['diploma-1']}?source=chain")
    get(f"/verify/certificate/{ids['diploma-1']}?source=")
    get(f"/verify/certificate/{bad}")
    get(f"/verify/certificate/{bad}?source=bad")
    get("/verify/certificate/")
    get("/verify/certificate/0x")
    # verify a file, a document
    out.append({"method": "POST", "url": "/verify/file", "files": {"file": ["diploma.txt", "diploma 1"]}})
    out.append({"method": "POST", "url": "/verify/file", "files": {"file": ["unknown.txt", "never issued"]}})
    out.append({"method": "POST", "url": "/verify/file?source=chain", "files": {"file": ["d.txt", "diploma 1"]}})
    out.append({"method": "POST", "url": "/verify/file"})
    for key in ["diploma-1", "diploma-2", "expired", "fabric.0", "fabric.1", "anchor.0", "bank-late", "archive"]:
        out.append({"method": "POST", "url": "/verify/document", "json": docs[key]})
    tampered = _tampered(docs["diploma-1"])
    out.append({"method": "POST", "url": "/verify/document", "json": tampered})
    out.append({"method": "POST", "url": "/verify/document", "json": {"version": "originals/wrapped/1"}})
    out.append({"method": "POST", "url": "/verify/document", "json": [1, 2]})
    out.append(
        {
            "method": "POST",
            "url": "/verify/document",
            "content": "{not json",
            "headers": {"content-type": "application/json"},
        }
    )
    # certificates: pages, filters, cursors, bad input
    get("/certificates")
    get("/certificates?limit=7")
    get(f"/certificates?issuer={MILL}&limit=5")
    get(f"/certificates?issuer={MILL.upper().replace('0X', '0x')}&limit=3")
    get("/certificates?status=REVOKED")
    get("/certificates?status=SUSPENDED&limit=1")
    get(f"/certificates?issued_after={GENESIS + 12 * 40}&issued_before={GENESIS + 12 * 60}")
    get(f"/certificates?issuer={TOWN}&status=VALID&issued_after=0&issued_before={2**48}&limit=500")
    get(f"/certificates?cursor={_cursor([GENESIS + 12 * 80, ids['extra-50']])}&limit=4")
    get(f"/certificates?cursor={_cursor([GENESIS + 12 * 80, ids['extra-50']])}&limit=4&issuer={MILL}")
    get("/certificates?limit=0")
    get("/certificates?limit=501")
    get("/certificates?limit=abc")
    get("/certificates?limit=007")
    get("/certificates?status=valid")
    get("/certificates?issuer=0x123")
    get("/certificates?issued_after=-1")
    get(f"/certificates?issued_after={2**48 + 1}")
    get("/certificates?cursor=not-a-cursor")
    get(f"/certificates?cursor={_cursor(['a', 'b'])}")
    get(f"/certificates?cursor={_cursor([2**70, 'b'])}")
    get(f"/certificates?cursor={_cursor([1, 'a' + chr(0)])}")
    get("/certificates?limit=2&limit=3")
    get("/certificates?limit=%33")
    get("/certificates?unknown=1")
    get("/certificates?status=")
    get(f"/certificates/{ids['fabric']}")
    get(f"/certificates/{ids['diploma-2']}")
    get(f"/certificates/{ids['archive'].upper().replace('0X', '0x')}")
    get(f"/certificates/{unknown}")
    get(f"/certificates/{bad}")
    get(f"/originals/{fp('diploma 1')}/certificates")
    get(f"/originals/{fp('fabric roll 2')}/certificates")
    get(f"/originals/{fp('nothing')}/certificates")
    get(f"/originals/{short}/certificates")
    # provenance
    diploma = ids["original:diploma"]
    get(f"/originals/{diploma}/provenance")
    get(f"/originals/{diploma}/provenance?limit=2")
    get(f"/originals/{diploma}/provenance?limit=2&cursor={_cursor([w.block, w.index - 3])}")
    get(f"/originals/{ids['original:second']}/provenance")
    get(f"/originals/{unknown}/provenance")
    get(f"/originals/{bad}/provenance")
    get(f"/originals/{diploma}/provenance?cursor=nonsense")
    get(f"/originals?identifier={fp('diploma 1')}")
    get(f"/originals?identifier={fp('diploma 1')}&limit=1")
    get(f"/originals?owner={BUYER}")
    get(f"/originals?holder={TOWN}")
    get(f"/originals?owner={MILL}&holder={MILL}")
    get("/originals")
    get(f"/originals?owner={MILL}&cursor={_cursor([1, 2])}")
    get(f"/originals/{diploma}/epcis")
    get(f"/originals/{ids['original:second']}/epcis")
    get(f"/originals/{unknown}/epcis")
    get(f"/originals/{bad}/epcis")
    get(f"/originals/{diploma}/epcis?link=https://id.gs1.org/01/09506000134352/21/X1")
    # partners and proposals
    get("/partners")
    get("/partners?limit=2")
    get(f"/partners?cursor={_cursor([BANK])}&limit=2")
    get("/partners?type=UNIVERSITY")
    get("/partners?type=RESEARCH_INSTITUTE&status=APPLIED")
    get("/partners?status=EXPELLED")
    get("/partners?type=PLANET")
    get("/partners?status=GONE")
    get("/partners?cursor=%%%")
    get(f"/partners?cursor={_cursor([1])}")
    for account in [TOWN, BANK, UNI, EXPELLED, APPLICANT, "0x" + "99" * 20]:
        get(f"/partners/{account}")
    get(f"/partners/{UNI.upper().replace('0X', '0x')}")
    get("/partners/0x1234")
    get("/proposals")
    get("/proposals?limit=2")
    get("/proposals?limit=0")
    get("/proposals?cursor=abc")
    get("/proposals?status=open")
    get("/proposals?status=passed&kind=EXPEL")
    get(f"/proposals?subject={BANK}")
    get(f"/proposals?proposer={TOWN}&limit=1")
    get("/proposals?status=closed")
    get("/proposals?kind=admit")
    get("/proposals?subject=0x12")
    get("/proposals.atom")
    get("/proposals.atom?status=open")
    get("/proposals.atom?status=nope")
    for account in [UNI, BANK, "0x" + "99" * 20]:
        get(f"/partners/{account}/governance")
    for pid in ["1", "3", "4", "5", "99", "0", "-1", "abc", str(2**256)]:
        get(f"/proposals/{pid}")
    # writes without a key, transactions, health, pages, QR codes, unknown routes
    out.append({"method": "POST", "url": "/certificates", "json": {"original": {}}})
    out.append({"method": "POST", "url": "/batches", "json": {"originals": []}})
    out.append({"method": "POST", "url": f"/certificates/{ids['diploma-1']}/revoke", "json": {"reason": 1}})
    out.append({"method": "POST", "url": f"/certificates/{ids['diploma-1']}/suspend", "json": {"reason": 1}})
    out.append({"method": "POST", "url": f"/certificates/{ids['diploma-1']}/reinstate", "json": {"reason": 1}})
    out.append({"method": "POST", "url": f"/certificates/{bad}/revoke", "json": {"reason": 1}})
    # signed actions (issue 13): malformed, and well-formed with no node and no relayer configured
    vote = {"action": "Vote", "signer": TOWN, "proposalId": 1, "support": True}
    out.append({"method": "POST", "url": "/actions/prepare", "json": vote})
    out.append({"method": "POST", "url": "/actions/prepare", "json": {**vote, "nonce": 1}})
    out.append({"method": "POST", "url": "/actions/prepare", "json": {"action": "Rule", "signer": TOWN}})
    leave = {
        "typed_data": {
            "primaryType": "Leave",
            "domain": {
                "name": "Originals PartnerRegistry",
                "version": "1",
                "chainId": CHAIN_ID,
                "verifyingContract": PARTNERS,
            },
            "message": {"partner": TOWN, "nonce": 0, "deadline": GENESIS},
        },
        "signature": "0x" + "11" * 65,
    }
    out.append({"method": "POST", "url": f"/partners/{TOWN}/leave", "json": leave})
    out.append({"method": "POST", "url": f"/partners/{TOWN}/leave", "json": {**leave, "signature": "0x11"}})
    for path in ["/applications", "/proposals", "/proposals/1/votes", "/proposals/1/execute"]:
        out.append({"method": "POST", "url": path, "json": leave})
    get(f"/transactions/{unknown}")
    get(f"/transactions/{bad}")
    get("/health")
    pages = ["/", "/directory", "/browse", "/docs", f"/c/{ids['fabric']}", f"/p/{TOWN}", f"/c/{bad}", "/p/0x1"]
    for page in [
        *pages,
        "/council/proposals",
        "/council/proposals/5",
        "/council/proposals/x",
        "/apply",
        "/council/propose",
    ]:
        get(page)
    get(f"/qr/{ids['fabric']}.svg")
    get(f"/qr/{bad}.svg")
    # PDF certificates (added with them, issue 14): the refusals, whose answers are small problem documents.
    get(f"/c/{bad}.pdf")
    out.append({"method": "POST", "url": "/pdf", "json": tampered})
    out.append({"method": "POST", "url": "/verify/pdf", "files": {"file": ["c.pdf", "not a PDF"]}})
    # An original's page and the GS1 Digital Link resolver (added with them, issue 16): a right and a wrong check digit.
    get(f"/originals/{diploma}")
    get(f"/originals/{short}")
    for gtin in ("9506000134352", "9506000134353"):
        get(f"/01/{gtin}/21/SN-1")
        get(f"/01/{gtin}/21/SN-1/qr.svg")
        get(f"/digital-link?gtin={gtin}&serial=SN-1")
    # Routes the list missed while its coverage test found no routes (FastAPI's included routers): the console and
    # its identity check, the page's translations, signed issuing, and the provenance writes, refused here (no key, no
    # node, no relayer) or malformed.
    get("/console")
    get("/i18n.js")
    get("/issuer")
    out.append({"method": "POST", "url": "/signed/certificates", "json": leave})
    out.append({"method": "POST", "url": f"/signed/certificates/{ids['diploma-1']}/status", "json": leave})
    out.append({"method": "POST", "url": "/originals", "json": {"identifier": diploma, "owner": TOWN}})
    out.append({"method": "POST", "url": "/originals", "json": {"owner": TOWN}})
    event = {"biz_step": "inspecting", "evidence_hash": diploma, "occurred_at": GENESIS, "holder": TOWN}
    consent = {"nonce": 0, "deadline": GENESIS, "signature": "0x" + "11" * 65}
    out.append(
        {"method": "POST", "url": f"/originals/{diploma}/consented-events", "json": {**event, "consent": consent}}
    )
    out.append({"method": "POST", "url": "/event-batches", "json": {"events": []}})
    check = {"event": {**event, "original": diploma, "biz_step": 17}, "root": diploma, "proof": []}
    out.append({"method": "POST", "url": "/event-batches/check", "json": check})
    out.append({"method": "POST", "url": "/event-batches/check", "json": {**check, "root": "0x12"}})
    for action in ("offers", "accept", "reject", "cancel", "claim", "events", "incidents", "clear"):
        out.append({"method": "POST", "url": f"/originals/{diploma}/{action}", "json": leave})
    get("/nowhere")
    out.append({"method": "DELETE", "url": "/certificates"})
    out.append({"method": "PUT", "url": f"/verify/fingerprint/{fp('diploma 1')}"})
    out.append({"method": "HEAD", "url": f"/verify/fingerprint/{fp('diploma 1')}"})
    return out


def _tampered(document: dict[str, Any]) -> dict[str, Any]:
    import copy

    changed = copy.deepcopy(document)
    salt, _ = changed["data"]["original"]["name"].split(":", 1)
    changed["data"]["original"]["name"] = f'{salt}:"diploma 100"'
    return changed


def answer(client: TestClient, request: dict[str, Any]) -> dict[str, Any]:
    """What a client sees of ``request``: status, headers (in order; a static file's dates as :data:`FILE_DATES`), body
    (text, or base64 for non-UTF-8)."""
    extra = {k: request[k] for k in ("json", "headers") if k in request}
    if "content" in request:
        extra["content"] = request["content"].encode()
    if "files" in request:
        extra["files"] = {name: (file, data.encode()) for name, (file, data) in request["files"].items()}
    response = client.request(request["method"], request["url"], **extra)
    try:
        body: dict[str, str] = {"text": response.content.decode()}
    except UnicodeDecodeError:
        body = {"base64": base64.b64encode(response.content).decode()}
    headers = [
        [name, FILE_DATES if name in ("last-modified", "etag") else value]
        for name, value in response.headers.multi_items()
    ]
    return {"status": response.status_code, "headers": headers, **body}
