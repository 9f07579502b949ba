"""The demo's originals with a provenance (issue 16), seeded as ``make run`` seeds them and indexed.

One devnet, started in the past as ``originals up`` starts a new one, is seeded by :class:`devtools.demo.Demo` (the
consortium, its certificates and :mod:`devtools.demo_provenance`'s stories), then indexed into SQLite. What a new user
meets must be there: the artwork's certificate verifies, its owner and holder are the buyer, its timeline has the
sale, the museum loan with its ``exhibiting`` event, the restoration with its ``restoring`` event, and no disposition;
the garments name the fabric batch as their parent; the violin was stolen and recovered, the watch is still stolen.
The index is compared with the contract's own view of each original, and seeding again changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from eth_hash.auto import keccak
from fastapi.testclient import TestClient
from support import devchain

from api.main import create_app
from devtools.demo import Demo
from devtools.demo_consortium import genesis_timestamp
from devtools.demo_provenance import (
    ARTWORK,
    BUYER,
    COLLECTOR,
    EVIDENCE,
    FABRIC_BATCH,
    GALLERY,
    GARMENTS,
    LUTHIER,
    MILL,
    MUSEUM,
    RESTORER,
    VIOLIN_LINK,
    VIOLINIST,
    WATCH_LINK,
    WATCH_OWNER,
    WATCHMAKER,
    Actor,
    DemoProvenance,
    partner,
    sha256_hex,
)
from devtools.devnet import PROJECT_ROOT, Anvil
from ledger.cbv import code_of
from ledger.chain.contracts import ContractBinding
from ledger.chain.rpc import RpcClient
from ledger.config import Settings
from ledger.db import schema as s
from ledger.db.engine import make_engine
from ledger.deployments import Deployment
from ledger.documents import certificate_id
from ledger.events import Disposition, Right
from ledger.indexer.runner import build_indexer

TITLE, CUSTODY = int(Right.TITLE), int(Right.CUSTODY)


@dataclass
class Seeded:
    client: RpcClient
    provenance: ContractBinding
    demo_dir: Path
    settings: Settings
    engine: sa.Engine
    deployment: Deployment

    def original(self, registrar: str, identifier: str) -> str:
        ident = bytes.fromhex(identifier[2:])
        return str(self.provenance.view(self.client, "originalId", partner(registrar).address, ident)[0])

    def row(self, original: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(s.originals).where(s.originals.c.id == original)).mappings().one()
        return dict(row)

    def timeline(self, original: str) -> list[dict[str, Any]]:
        t = s.provenance_events
        query = sa.select(t).where(t.c.original == original).order_by(t.c.block_number, t.c.log_index)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def chain_state(self, original: str) -> tuple[str, str, int]:
        """(owner, holder, disposition) as the contract has them."""
        (record,) = self.provenance.view(self.client, "originalOf", bytes.fromhex(original[2:]))
        return str(record[0]), str(record[1]), int(record[3])


def topic_of(signature: str) -> str:
    return "0x" + keccak(signature.encode()).hex()


def index(settings: Settings) -> None:
    setup = build_indexer(settings)
    try:
        setup.indexer.run(once=True)
    finally:
        setup.client.close()
        setup.engine.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp = tmp_path_factory.mktemp("demo")
    with Anvil(genesis_timestamp=genesis_timestamp()) as anvil:
        client = RpcClient(anvil.url)
        consortium = devchain.deploy(client, tmp / "deployments")
        assert Demo(client, consortium.deployment, tmp / "demo").seed()
        settings = Settings(
            environment="test",
            database_url=f"sqlite:///{tmp / 'index.sqlite3'}",
            rpc_url=anvil.url,
            deployments_dir=tmp / "deployments",
            rate_limit="off",
        )
        index(settings)
        engine = make_engine(settings.database_url)
        try:
            yield Seeded(client, consortium.provenance, tmp / "demo", settings, engine, consortium.deployment)
        finally:
            engine.dispose()


def steps(timeline: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Each timeline row as (action, actor, party, right, biz_step, disposition), the columns a story sets."""
    return [
        (r["action"], r["actor"], r["party"], r["transfer_right"], r["biz_step"], r["disposition"]) for r in timeline
    ]


def test_the_demo_artwork_verifies_and_is_registered_by_its_gallery_under_its_fingerprint(seeded: Seeded) -> None:
    content = (seeded.demo_dir / "originals" / "artwork-001.txt").read_bytes()
    assert content == ARTWORK
    fingerprint = sha256_hex(content)
    with TestClient(create_app(seeded.settings)) as api:
        answer = api.get(f"/verify/fingerprint/{fingerprint}").json()
    assert answer["verdict"] == "VALID"
    artwork = seeded.original(GALLERY, fingerprint)
    row = seeded.row(artwork)
    assert (row["identifier"], row["registrar"]) == (fingerprint, partner(GALLERY).address)
    (linked,) = [r for r in seeded.timeline(artwork) if r["action"] == "certificate_linked"]
    document = seeded.demo_dir / "certificates" / "artwork-001.txt.originals.json"
    root = orjson.loads(document.read_bytes())["proof"]["merkleRoot"]
    assert linked["reference"] == certificate_id(partner(GALLERY).address, root)


def test_the_demo_artwork_was_sold_lent_to_a_museum_and_restored_and_is_back_with_its_buyer(seeded: Seeded) -> None:
    gallery, museum, restorer = (partner(d).address for d in (GALLERY, MUSEUM, RESTORER))
    collector, buyer = Actor(COLLECTOR).address, Actor(BUYER).address
    artwork = seeded.original(GALLERY, sha256_hex(ARTWORK))
    row = seeded.row(artwork)
    assert (row["owner"], row["holder"], row["third_party_holds"], row["disposition"]) == (buyer, buyer, False, 0)
    assert seeded.chain_state(artwork) == (buyer, buyer, int(Disposition.NONE))
    assert steps(seeded.timeline(artwork)) == [
        ("registered", gallery, collector, None, None, None),
        ("certificate_linked", gallery, None, None, None, None),
        ("event_recorded", collector, None, None, code_of("appraising"), None),
        ("offered", collector, buyer, TITLE, None, None),  # the sale
        ("transferred", collector, buyer, TITLE, None, None),
        ("offered", buyer, museum, CUSTODY, None, None),  # the museum loan
        ("transferred", buyer, museum, CUSTODY, None, None),
        ("event_recorded", museum, None, None, code_of("exhibiting"), None),
        ("offered", museum, buyer, CUSTODY, None, None),
        ("transferred", museum, buyer, CUSTODY, None, None),
        ("offered", buyer, restorer, CUSTODY, None, None),  # the restoration
        ("transferred", buyer, restorer, CUSTODY, None, None),
        ("event_recorded", restorer, None, None, code_of("restoring"), None),
        ("offered", restorer, buyer, CUSTODY, None, None),
        ("transferred", restorer, buyer, CUSTODY, None, None),
    ]
    assert (code_of("appraising"), code_of("exhibiting"), code_of("restoring")) == (1001, 1002, 1003)


def test_each_event_carries_the_hash_of_its_evidence_document_in_the_demo_folder(seeded: Seeded) -> None:
    artwork = seeded.original(GALLERY, sha256_hex(ARTWORK))
    violin = seeded.original(LUTHIER, VIOLIN_LINK.identifier)
    watch = seeded.original(WATCHMAKER, WATCH_LINK.identifier)
    kinds = ("event_recorded", "disposition_reported", "disposition_cleared")
    carried = [r["reference"] for o in (artwork, violin, watch) for r in seeded.timeline(o) if r["action"] in kinds]
    folder = seeded.demo_dir / "provenance"
    written = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert written == EVIDENCE
    assert sorted(carried) == sorted(sha256_hex(content) for content in EVIDENCE.values())


def test_the_fabric_batch_is_linked_to_its_certificate_and_made_into_two_garments(seeded: Seeded) -> None:
    mill = partner(MILL).address
    batch = seeded.original(MILL, FABRIC_BATCH.identifier)
    garments = [seeded.original(MILL, g.identifier) for g in GARMENTS]
    document = seeded.demo_dir / "certificates" / "fabric-batch-0042.txt.originals.json"
    certificate = certificate_id(mill, orjson.loads(document.read_bytes())["proof"]["merkleRoot"])
    assert [(r["action"], r["reference"]) for r in seeded.timeline(batch)] == [
        ("registered", FABRIC_BATCH.identifier),
        ("certificate_linked", certificate),
    ]
    assert seeded.row(batch)["parent"] is None
    for garment, link in zip(garments, GARMENTS, strict=True):
        row = seeded.row(garment)
        assert (row["identifier"], row["owner"], row["parent"]) == (link.identifier, mill, batch)
        assert [(r["action"], r["reference"]) for r in seeded.timeline(garment)] == [
            ("registered", link.identifier),
            ("derived", batch),
        ]
    assert GARMENTS[0].uri == "https://id.gs1.org/01/04012345000207/21/SHIRT-0042-001"


def test_the_violin_was_stolen_and_recovered_and_the_watch_is_still_stolen(seeded: Seeded) -> None:
    violinist, watch_owner = Actor(VIOLINIST).address, Actor(WATCH_OWNER).address
    violin = seeded.original(LUTHIER, VIOLIN_LINK.identifier)
    watch = seeded.original(WATCHMAKER, WATCH_LINK.identifier)
    assert [(r["action"], r["actor"], r["disposition"]) for r in seeded.timeline(violin)] == [
        ("registered", partner(LUTHIER).address, None),
        ("certificate_linked", partner(LUTHIER).address, None),
        ("disposition_reported", violinist, int(Disposition.STOLEN)),
        ("disposition_cleared", violinist, int(Disposition.STOLEN)),  # the disposition it cleared
    ]
    assert seeded.row(violin)["disposition"] == int(Disposition.NONE)
    assert seeded.chain_state(violin) == (violinist, violinist, int(Disposition.NONE))
    assert [(r["action"], r["disposition"]) for r in seeded.timeline(watch)][-1] == (
        "disposition_reported",
        int(Disposition.STOLEN),
    )
    assert seeded.row(watch)["disposition"] == int(Disposition.STOLEN)
    assert seeded.chain_state(watch) == (watch_owner, watch_owner, int(Disposition.STOLEN))
    with TestClient(create_app(seeded.settings)) as api:
        for name in ("violin-2291.txt", "watch-3104.txt"):  # the certificates stay valid: the banner says stolen
            content = (seeded.demo_dir / "originals" / name).read_bytes()
            assert api.get(f"/verify/fingerprint/{sha256_hex(content)}").json()["verdict"] == "VALID"


def test_the_index_holds_exactly_the_demo_originals_as_the_chain_has_them(seeded: Seeded) -> None:
    with seeded.engine.connect() as conn:
        rows = conn.execute(sa.select(s.originals)).mappings().all()
    assert len(rows) == 6  # the artwork, the batch and its two garments, the violin, the watch
    for row in rows:
        assert seeded.chain_state(row["id"]) == (row["owner"], row["holder"], row["disposition"])


def test_seeding_again_changes_nothing(seeded: Seeded) -> None:
    def files() -> dict[str, str]:
        return {
            str(p.relative_to(seeded.demo_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(seeded.demo_dir.rglob("*"))
            if p.is_file()
        }

    head, before = seeded.client.call("eth_blockNumber"), files()
    assert Demo(seeded.client, seeded.deployment, seeded.demo_dir).seed() is False
    assert seeded.client.call("eth_blockNumber") == head
    assert files() == before


def test_a_demo_seeded_before_the_provenance_stories_gets_them_once_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chain seeded by an earlier ``make run`` (consortium and certificates, no stories) gets the stories on the next
    run, the batch linked to the certificate already in the demo folder; the run after that does nothing."""
    with Anvil(genesis_timestamp=genesis_timestamp()) as anvil:
        client = RpcClient(anvil.url)
        consortium = devchain.deploy(client)
        with monkeypatch.context() as earlier:
            earlier.setattr(DemoProvenance, "seed", lambda self: False)
            assert Demo(client, consortium.deployment, tmp_path).seed()

        def registrations() -> int:
            query = {"address": consortium.provenance.address, "fromBlock": "0x0", "toBlock": "latest"}
            topic = topic_of("OriginalRegistered(bytes32,bytes32,address,address)")
            return sum(1 for log in client.call("eth_getLogs", [query]) if log["topics"][0] == topic)

        assert registrations() == 0
        assert not (tmp_path / "originals" / "artwork-001.txt").exists()
        assert Demo(client, consortium.deployment, tmp_path).seed() is True
        assert registrations() == 6
        assert "artwork-001.txt" in (tmp_path / "README.txt").read_text()
        head = client.call("eth_blockNumber")
        assert Demo(client, consortium.deployment, tmp_path).seed() is False
        assert client.call("eth_blockNumber") == head
        mill = partner(MILL).address
        ident = bytes.fromhex(FABRIC_BATCH.identifier[2:])
        (original,) = consortium.provenance.view(client, "originalId", mill, ident)
        root = orjson.loads((tmp_path / "certificates" / "fabric-batch-0042.txt.originals.json").read_bytes())
        query = {"address": consortium.provenance.address, "fromBlock": "0x0", "toBlock": "latest"}
        query["topics"] = [topic_of("CertificateLinked(bytes32,bytes32,address)"), original]
        (linked,) = client.call("eth_getLogs", [query])
        assert linked["topics"][2] == certificate_id(mill, root["proof"]["merkleRoot"])


def test_the_api_answers_the_artworks_provenance_and_the_lineage_and_dispositions_of_the_others(
    seeded: Seeded,
) -> None:
    """What the page and ``originals provenance ID`` show, over ``GET /originals/{id}/provenance``."""
    buyer = Actor(BUYER).address
    artwork = seeded.original(GALLERY, sha256_hex(ARTWORK))
    batch = seeded.original(MILL, FABRIC_BATCH.identifier)
    garments = [seeded.original(MILL, g.identifier) for g in GARMENTS]
    with TestClient(create_app(seeded.settings)) as api:
        answer = api.get(f"/originals/{artwork}/provenance").json()
        lineage = {o: api.get(f"/originals/{o}/provenance").json() for o in (batch, *garments)}
        watch = api.get(f"/originals/{seeded.original(WATCHMAKER, WATCH_LINK.identifier)}/provenance").json()
        violin = api.get(f"/originals/{seeded.original(LUTHIER, VIOLIN_LINK.identifier)}/provenance").json()
        owned = api.get("/originals", params={"owner": buyer}).json()
    document = orjson.loads((seeded.demo_dir / "certificates" / "artwork-001.txt.originals.json").read_bytes())
    assert answer["registrar_name"] == "Kunstverein Gallery North"
    assert (answer["owner"], answer["holder"], answer["disposition"]) == (buyer, buyer, "NONE")
    assert answer["certificates"] == [certificate_id(partner(GALLERY).address, document["proof"]["merkleRoot"])]
    events = [(e["action"], e["right"], (e["biz_step"] or {}).get("name")) for e in answer["timeline"]]
    assert [e for e in events if e[0] in ("transferred", "event_recorded")] == [
        ("event_recorded", None, "appraising"),
        ("transferred", "TITLE", None),
        ("transferred", "CUSTODY", None),
        ("event_recorded", None, "exhibiting"),
        ("transferred", "CUSTODY", None),
        ("transferred", "CUSTODY", None),
        ("event_recorded", None, "restoring"),
        ("transferred", "CUSTODY", None),
    ]
    assert all(e["at"] is not None for e in answer["timeline"])
    assert sorted(lineage[batch]["children"]) == sorted(garments)
    assert all(lineage[g]["parents"] == [batch] for g in garments)
    assert (watch["disposition"], violin["disposition"]) == ("STOLEN", "NONE")
    assert [o["id"] for o in owned["items"]] == [artwork]


def test_the_readme_names_the_ids_and_paths_the_demo_seeds(seeded: Seeded) -> None:
    """The README's "Provenance" walkthrough copies the artwork's id, its owner and the batch's Digital Link page: they
    are what every new devnet gets (fixed keys, fixed contents), so the commands work as written."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    artwork = seeded.original(GALLERY, sha256_hex(ARTWORK))
    assert f"ART={artwork}\n" in readme
    assert f"/originals?owner={Actor(BUYER).address}'" in readme
    assert f"http://127.0.0.1:8000{FABRIC_BATCH.path})" in readme
    for name in ("artwork-001.txt", "watch-3104.txt", "violin-2291.txt", "fabric-batch-0042.txt"):
        assert (seeded.demo_dir / "originals" / name).exists()
        assert f"{name}`" in readme


@pytest.mark.parametrize("source", ["index", "chain"])
def test_verifying_a_demo_file_answers_its_certificate_and_its_originals_owner_and_disposition(
    seeded: Seeded, source: str
) -> None:
    """What a new user sees after ``make run``: the artwork's verdict with its owner and no disposition, the watch's
    valid certificate with its original STOLEN (the banner), the fabric certificate with its batch; from the index and
    from the chain alone."""
    buyer, watch_owner = Actor(BUYER).address, Actor(WATCH_OWNER).address
    answers = {}
    with TestClient(create_app(seeded.settings)) as api:
        for name in ("artwork-001.txt", "watch-3104.txt", "violin-2291.txt", "fabric-batch-0042.txt"):
            fingerprint = sha256_hex((seeded.demo_dir / "originals" / name).read_bytes())
            answers[name] = api.get(f"/verify/fingerprint/{fingerprint}", params={"source": source}).json()
    shown = {
        name: [(o["id"], o["owner"], o["holder"], o["disposition"]) for o in a["provenance"]]
        for name, a in answers.items()
    }
    assert {name: a["verdict"] for name, a in answers.items()} == dict.fromkeys(answers, "VALID")
    artwork = seeded.original(GALLERY, sha256_hex(ARTWORK))
    assert shown["artwork-001.txt"] == [(artwork, buyer, buyer, "NONE")]
    watch = seeded.original(WATCHMAKER, WATCH_LINK.identifier)
    assert shown["watch-3104.txt"] == [(watch, watch_owner, watch_owner, "STOLEN")]
    violin = seeded.original(LUTHIER, VIOLIN_LINK.identifier)
    assert shown["violin-2291.txt"] == [(violin, Actor(VIOLINIST).address, Actor(VIOLINIST).address, "NONE")]
    batch, mill = seeded.original(MILL, FABRIC_BATCH.identifier), partner(MILL).address
    assert shown["fabric-batch-0042.txt"] == [(batch, mill, mill, "NONE")]
    assert answers["artwork-001.txt"]["provenance"][0]["registrar_name"] == "Kunstverein Gallery North"


class _Through:
    """The part of ``httpx.Client`` the CLI's client uses, sent through a running test client with its headers."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.client.request(method, path, headers=self.headers, **kwargs)

    def close(self) -> None:
        pass


def test_the_readmes_provenance_command_prints_the_artworks_owner_loan_and_restoration_and_the_stolen_watch(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``.venv/bin/originals provenance $ART`` as the README has it, its HTTP client pointed at the demo's API."""
    import cli.provenance
    from cli import main
    from cli.client import ApiClient

    artwork = seeded.original(GALLERY, sha256_hex(ARTWORK))
    with TestClient(create_app(seeded.settings)) as client:

        def through(args: Any, need_key: bool = False) -> ApiClient:
            real = ApiClient("http://testserver", lang="en")
            real._http = _Through(client, dict(real._http.headers))  # type: ignore[assignment]
            return real

        monkeypatch.setattr(cli.provenance, "api_client", through)
        assert main(["--lang", "en", "provenance", artwork]) == 0
        out = capsys.readouterr().out
        assert main(["--lang", "en", "provenance", seeded.original(WATCHMAKER, WATCH_LINK.identifier)]) == 0
        watch = capsys.readouterr().out
    buyer, museum, restorer = Actor(BUYER).address, partner(MUSEUM).address, partner(RESTORER).address
    assert f"owner:        {buyer}" in out
    assert "Kunstverein Gallery North" in out
    assert f"custody passed from {buyer} to {museum}" in out
    assert f"exhibiting recorded by the holder {museum}" in out
    assert f"restoring recorded by the holder {restorer}" in out
    assert "nothing reported" in out
    assert "!!!" not in out  # no disposition: no warning line
    assert "!!! reported STOLEN: do not buy, lend against or insure it without checking !!!" in watch
