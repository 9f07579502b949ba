"""The demo's originals with a provenance (issue 16): who owns each, who holds it, what happened to it.

Four stories, played after the consortium and its certificates (:mod:`devtools.demo`) with direct transactions to the
provenance registry, so that verifying a demo file shows a history as well as a verdict:

- **an artwork** (``artwork-001.txt``, an invented painting by an invented painter), certified by the Kunstverein
  Gallery North and registered by it under the file's fingerprint, linked to that certificate, owned by a private
  collector (a pseudonymous address): appraised, *sold* to a second collector (title offer and acceptance), *lent* to
  the Stiftung Industriekultur Sachsen for an exhibition (custody offered and accepted, an ``exhibiting`` event by the
  museum as holder, custody back) and *restored* by the Landesamt für Denkmalpflege (the same with ``restoring``);
- **a fabric batch** of the Weberei Lindner (a GS1 Digital Link of a GTIN and the batch number, linked to the
  certificate of ``fabric-batch-0042.txt``) made into **two garments** (Digital Links of their own, the batch as
  parent);
- **a violin** of Instrumentenbau Markneukirchen (``violin-2291.txt``), reported stolen by its owner and recovered;
- **a watch** of Uhrenatelier Kessler (``watch-3104.txt``) reported stolen and still missing: verifying it shows a
  valid certificate *and* the red banner.

Owners are pseudonymous addresses (keys derived from public labels, devnets only): a private owner's name never goes on
chain. The evidence of each event (appraisal, loan agreement, restoration report, police reports) is a small text
file in ``provenance/`` of the demo folder, and the event carries its SHA-256, so a reader can check it.

Who pays: the provenance registry's actions are direct transactions (the registry's signed forms are not relayed by
this seed), so the demo gives each actor that has no ether a little from devnet account :data:`FAUCET`. The
consortium's governance stays relayed: these partners' derived keys hold ether only because of this seed.

Time: everything happens at the chain's present (the wall clock on a demo devnet), one block per transaction; events
carry the time of the chain's latest block as the time they happened. The clock is never moved.

Idempotent: each story is skipped when its first original is already registered, so a second ``make run``, or a
chain seeded before these stories existed, ends with each story exactly once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from eth_account import Account
from eth_hash.auto import keccak

from devtools.demo_partners import by_domain, demo_key
from ledger.abi import load_abi
from ledger.cbv import code_of
from ledger.chain.contracts import ContractBinding
from ledger.chain.tx import Call, Receipt, TxSender
from ledger.digital_link import digital_link
from ledger.documents import certificate_id
from ledger.events import Disposition, Right

if TYPE_CHECKING:
    from devtools.demo import Demo

log = logging.getLogger(__name__)

FAUCET = 3
"""The funded devnet account that gives ether to the actors of the stories (no other part of the demo uses it)."""
ALLOWANCE = 10**18
"""Ether (wei) an actor gets when it has less than a tenth of it: enough for thousands of devnet transactions."""
OFFER_TIME = 14 * 24 * 3600
"""How long an offer stays open (the stories accept each at once)."""
ZERO_ADDRESS = "0x" + "00" * 20

GALLERY = "gallery-north.example"
MUSEUM = "industriekultur-stiftung.example"
RESTORER = "denkmalpflege-sachsen.example"
MILL = "lindner-textil.example"
LUTHIER = "instrumentenbau-markneukirchen.example"
WATCHMAKER = "uhrenatelier-kessler.example"
CAST = (GALLERY, MUSEUM, RESTORER, MILL, LUTHIER, WATCHMAKER)
"""The partners that act in the stories, by domain."""

ARTWORK_FILE = "artwork-001.txt"
ARTWORK = b"Gerhard Falkenau, 'Spinning Mill at Dusk', oil on canvas, 90 x 70 cm, signed and dated 1987\n"
VIOLIN_FILE = "violin-2291.txt"
VIOLIN = b"Instrumentenbau Markneukirchen - violin no. 2291, 4/4, spruce top, flamed maple back, 2024\n"
WATCH_FILE = "watch-3104.txt"
WATCH = b"Uhrenatelier Kessler Glashuette - wristwatch 'Elbflorenz', steel, manual winding, no. 3104, 2025\n"
FABRIC_FILE = "fabric-batch-0042.txt"
"""The mill's certified fabric batch, issued by :class:`devtools.demo.Demo`."""

FABRIC_BATCH = digital_link("4012345000108", "BATCH-0042")
"""The fabric batch: the mill's GTIN for blue silk, and the batch number as its serial."""
GARMENTS = (digital_link("4012345000207", "SHIRT-0042-001"), digital_link("4012345000306", "DRESS-0042-001"))
"""Two garments sewn from the batch: a shirt and a dress, each with its GTIN and serial."""
VIOLIN_LINK = digital_link("4012345000405", "2291")
WATCH_LINK = digital_link("4012345000504", "3104")

EVIDENCE: dict[str, bytes] = {
    "artwork-001-appraisal.txt": b"Appraisal of 'Spinning Mill at Dusk' (G. Falkenau, 1987) for its owner: condition "
    b"good, a small tear in the lower left corner, the varnish yellowed. Kunstverein Gallery North.\n",
    "artwork-001-exhibition.txt": b"Loan agreement: 'Spinning Mill at Dusk' lent by a private collector to the "
    b"Stiftung Industriekultur Sachsen for the exhibition 'Mills of Saxony', catalogue no. 17.\n",
    "artwork-001-restoration.txt": b"Restoration report: 'Spinning Mill at Dusk'. The tear in the lower left corner "
    b"closed and retouched, the yellowed varnish removed and renewed. Landesamt fuer Denkmalpflege Sachsen.\n",
    "violin-2291-police-report.txt": b"Police report: violin no. 2291 (Instrumentenbau Markneukirchen) stolen from a "
    b"car in Leipzig. Case number on file with the owner.\n",
    "violin-2291-recovered.txt": b"Police notice: violin no. 2291 recovered undamaged and returned to its owner.\n",
    "watch-3104-police-report.txt": b"Police report: wristwatch 'Elbflorenz' no. 3104 (Uhrenatelier Kessler) stolen in "
    b"a burglary in Dresden. Case number on file with the owner.\n",
}
"""The off-chain evidence of the stories' events, by file name (no private person is named in them)."""


def collector_key(label: str) -> str:
    """The private key of a private owner in the stories (pseudonymous; public, so devnets only)."""
    return "0x" + keccak(f"originals demo owner {label}".encode()).hex()


COLLECTOR, BUYER, VIOLINIST, WATCH_OWNER = (
    collector_key(label) for label in ("collector", "buyer", "violinist", "watch owner")
)


def sha256_hex(data: bytes) -> str:
    return "0x" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Someone who acts in a story: a partner (named) or a private owner (``name`` None)."""

    key: str
    name: str | None = None

    @property
    def address(self) -> str:
        return str(Account.from_key(self.key).address).lower()


def partner(domain: str) -> Actor:
    p = by_domain(domain)
    return Actor(demo_key(p), p.name)


class DemoProvenance:
    """Plays the provenance stories onto the deployment a :class:`devtools.demo.Demo` seeds."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.client = demo.client
        self.provenance = ContractBinding(
            load_abi("ProvenanceRegistry"), demo.deployment.contract("ProvenanceRegistry").address
        )
        self._senders: dict[str, TxSender] = {}

    # -- the stories ----------------------------------------------------------------------------------------------

    def seed(self) -> bool:
        """Play every story not played yet; False when all were there."""
        stories: list[tuple[Actor, str, Callable[[], None]]] = [
            (partner(GALLERY), sha256_hex(ARTWORK), self.artwork),
            (partner(MILL), FABRIC_BATCH.identifier, self.fabric),
            (partner(LUTHIER), VIOLIN_LINK.identifier, self.violin),
            (partner(WATCHMAKER), WATCH_LINK.identifier, self.watch),
        ]
        played = False
        for registrar, identifier, story in stories:
            if not self.registered(registrar, identifier):
                story()
                played = True
        return played

    def artwork(self) -> None:
        """Certified and registered by the gallery for a collector; appraised, sold, lent to a museum, restored."""
        gallery, museum, restorer = partner(GALLERY), partner(MUSEUM), partner(RESTORER)
        collector, buyer = Actor(COLLECTOR), Actor(BUYER)
        self.fund(gallery, museum, restorer, collector, buyer)
        attributes = {"artist": "G. Falkenau", "year": "1987"}
        certificate = self.certify(gallery, ARTWORK_FILE, ARTWORK, "artwork", attributes)
        original = self.register(gallery, sha256_hex(ARTWORK), collector, certificates=[certificate])
        self.event(collector, original, "appraising", "artwork-001-appraisal.txt")
        self.transfer(original, Right.TITLE, collector, buyer)
        log.info("demo: %s sold by one collector to another", ARTWORK_FILE)
        self.transfer(original, Right.CUSTODY, buyer, museum)
        self.event(museum, original, "exhibiting", "artwork-001-exhibition.txt")
        self.transfer(original, Right.CUSTODY, museum, buyer)
        log.info("demo: %s lent to %s for an exhibition and returned", ARTWORK_FILE, museum.name)
        self.transfer(original, Right.CUSTODY, buyer, restorer)
        self.event(restorer, original, "restoring", "artwork-001-restoration.txt")
        self.transfer(original, Right.CUSTODY, restorer, buyer)
        log.info("demo: %s restored by %s and returned to its owner", ARTWORK_FILE, restorer.name)

    def fabric(self) -> None:
        """The mill's fabric batch (linked to its certificate when the demo folder has it) and two garments."""
        mill = partner(MILL)
        self.fund(mill)
        certificates = []
        document = self.demo.out_dir / "certificates" / f"{FABRIC_FILE}.originals.json"
        if document.exists():  # the certificate Demo issued for the batch's file
            root = orjson.loads(document.read_bytes())["proof"]["merkleRoot"]
            certificates.append(certificate_id(mill.address, root))
        batch = self.register(mill, FABRIC_BATCH.identifier, mill, certificates=certificates)
        for garment in GARMENTS:
            self.register(mill, garment.identifier, mill, parents=[batch])
        log.info("demo: fabric batch %s made into %d garments", FABRIC_BATCH.uri, len(GARMENTS))

    def violin(self) -> None:
        """A violin certified by its maker, stolen from its owner and recovered."""
        luthier, violinist = partner(LUTHIER), Actor(VIOLINIST)
        self.fund(luthier, violinist)
        certificate = self.certify(luthier, VIOLIN_FILE, VIOLIN, "instrument", {"maker": luthier.name or ""})
        original = self.register(luthier, VIOLIN_LINK.identifier, violinist, certificates=[certificate])
        self.report(violinist, original, Disposition.STOLEN, "violin-2291-police-report.txt")
        self.send(violinist, "clearDisposition", original, self.evidence("violin-2291-recovered.txt"))
        log.info("demo: %s stolen and recovered", VIOLIN_FILE)

    def watch(self) -> None:
        """A watch certified by its maker and reported stolen: it stays stolen (the red banner)."""
        watchmaker, owner = partner(WATCHMAKER), Actor(WATCH_OWNER)
        self.fund(watchmaker, owner)
        certificate = self.certify(watchmaker, WATCH_FILE, WATCH, "watch", {"maker": watchmaker.name or ""})
        original = self.register(watchmaker, WATCH_LINK.identifier, owner, certificates=[certificate])
        self.report(owner, original, Disposition.STOLEN, "watch-3104-police-report.txt")
        log.info("demo: %s reported stolen", WATCH_FILE)

    # -- steps ----------------------------------------------------------------------------------------------------

    def original_id(self, registrar: Actor, identifier: str) -> str:
        """The id of the original ``registrar`` registers (or registered) under ``identifier``."""
        (original,) = self.provenance.view(self.client, "originalId", registrar.address, _b32(identifier))
        return str(original)

    def registered(self, registrar: Actor, identifier: str) -> bool:
        (record,) = self.provenance.view(self.client, "originalOf", _b32(self.original_id(registrar, identifier)))
        return str(record[0]) != ZERO_ADDRESS

    def certify(self, issuer: Actor, name: str, content: bytes, kind: str, attributes: dict[str, Any]) -> str:
        """Write ``name`` to the demo folder and issue its certificate from ``issuer``; the certificate id."""
        from devtools.demo import DemoFile

        wrapped = self.demo.issue_single(
            self.sender(issuer), issuer.name or "", DemoFile(name, content), kind, attributes
        )
        return certificate_id(issuer.address, wrapped["proof"]["merkleRoot"])

    def register(
        self,
        registrar: Actor,
        identifier: str,
        owner: Actor,
        certificates: Sequence[str] = (),
        parents: Sequence[str] = (),
    ) -> str:
        """Register an original held by its owner, linked to ``certificates`` and made from ``parents``; its id."""
        self.send(registrar, "enrolLinked", identifier, owner.address, ZERO_ADDRESS, False,
                  [_b32(c) for c in certificates], [_b32(p) for p in parents])  # fmt: skip
        return self.original_id(registrar, identifier)

    def transfer(self, original: str, right: Right, party: Actor, to: Actor) -> None:
        """``party`` offers ``right`` to ``to``, who accepts it."""
        self.send(party, "handOver", original, int(right), to.address, self.now() + OFFER_TIME)
        self.send(to, "takeOver", original, int(right))

    def event(self, holder: Actor, original: str, step: str, evidence: str) -> None:
        """A lifecycle event recorded by the holder, with its evidence document (:data:`EVIDENCE`)."""
        self.send(holder, "addEvent", original, code_of(step), self.evidence(evidence), self.now())

    def report(self, owner: Actor, original: str, disposition: Disposition, evidence: str) -> None:
        """The owner reports the original lost or stolen, with the report (:data:`EVIDENCE`)."""
        self.send(owner, "logIncident", original, int(disposition), self.evidence(evidence))

    def evidence(self, name: str) -> str:
        """Write the evidence document ``name`` (:data:`EVIDENCE`) to ``provenance/`` of the demo folder; its SHA-256,
        which goes on chain."""
        folder = self.demo.out_dir / "provenance"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(EVIDENCE[name])
        return sha256_hex(EVIDENCE[name])

    def fund(self, *actors: Actor) -> None:
        """Give each actor with less than a tenth of :data:`ALLOWANCE` the allowance, from :data:`FAUCET`."""
        faucet = self.demo.sender(FAUCET)
        for actor in actors:
            if int(self.client.call("eth_getBalance", [actor.address, "latest"]), 16) < ALLOWANCE // 10:
                faucet.transact(Call(actor.address, "0x", 21_000, ALLOWANCE))

    def now(self) -> int:
        """The time of the chain's latest block (the next block's is not earlier)."""
        return int(self.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def sender(self, actor: Actor) -> TxSender:
        if actor.key not in self._senders:
            self._senders[actor.key] = TxSender(self.client, Account.from_key(actor.key), self.demo.deployment.chain_id)
        return self._senders[actor.key]

    def send(self, actor: Actor, fn: str, *args: Any) -> Receipt:
        # 32-byte values travel as 0x hex in the stories, as the index and the API write them; the ABI wants bytes.
        converted = [_b32(a) if isinstance(a, str) and len(a) == 66 else a for a in args]
        call = Call(self.provenance.address, self.provenance.encode(fn, *converted))
        return self.sender(actor).transact(call, self.provenance)


def _b32(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else bytes.fromhex(value.removeprefix("0x"))
