"""Provenance on the page (issue 16): verify a stolen original and see the red banner and its timeline; an original's
page; the GS1 Digital Link resolver with its QR code. In a real browser (Debian's Chromium driven by Playwright).

The world is built here with devnet keys and direct transactions, as the other test worlds are: the three founders
only (no demo seed, so the world stays the same whatever the demo gets). The Town of Originals certifies a bronze and
registers it in the provenance registry under its file's fingerprint, linked to the certificate; its first owner (a
pseudonymous address) sells it (title offer, accepted), the buyer lends it to the university's museum (custody offer,
accepted), the museum inspects it (a lifecycle event with CBV's ``inspecting``), and the owner reports it stolen; then
the bank registers the same fingerprint again (allowed, but flagged: "first registered by"). The bank also registers a
fabric batch and a trade item made from it under a GS1 Digital Link (a GTIN and a serial), and recalls the item.
Then the chain is indexed once and served. The pages are also checked with axe-core's WCAG 2.1 AA rules, in English
and in German.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from support import devchain
from support.browser import launch, require_chromium, screenshot, serve
from test_accessibility import LOCALES, PHONE, violations

from devtools.devnet import Anvil
from ledger.cbv import code_of
from ledger.chain.rpc import RpcClient
from ledger.config import Settings
from ledger.digital_link import digital_link
from ledger.documents import CertificateDocument, ChainBinding, Issuer, Original, wrap_batch
from ledger.documents import now as unix_now
from ledger.events import Disposition, Right
from ledger.indexer.runner import build_indexer

require_chromium()

TOWN, BANK, UNIVERSITY = 0, 1, 2
"""The founders (tests/support/devchain.py): the town certifies and registers the bronze, the university's museum
borrows it, the bank registers the trade item."""
FIRST_OWNER, BUYER, ITEM_OWNER = 6, 7, 8
"""Pseudonymous owners: anvil accounts that are no partners."""
BRONZE = b"'Harbour at Dawn', bronze, 40 x 22 x 18 cm, A. Novak, 2021, cast 3 of 8\n"
GTIN, SERIAL = "9506000134352", "HB-0003"
GERMAN_DATE = r"\d\d\.\d\d\.\d{4}, \d\d:\d\d (MEZ|MESZ)"
ENGLISH_DATE = r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d[\u202f ][AP]M (CET|CEST)"


@dataclass
class World:
    base: str
    folder: Path
    consortium: devchain.Consortium
    certificate: str
    bronze: str
    """The bronze's original id."""
    item: str
    """The trade item's original id."""
    later: str
    """The bank's later registration of the bronze's fingerprint."""
    fabric: str
    """The fabric batch the trade item is made from."""

    def address(self, index: int) -> str:
        return self.consortium.address(index).lower()


def h32(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def certify(consortium: devchain.Consortium, folder: Path) -> tuple[str, str]:
    """The town's single certificate of the bronze, its file and document written to ``folder``; (certificate id,
    fingerprint)."""
    fingerprint = "0x" + hashlib.sha256(BRONZE).hexdigest()
    (folder / "harbour-at-dawn.txt").write_bytes(BRONZE)
    issuer = Issuer(address=consortium.address(TOWN), name="Town of Originals")
    binding = ChainBinding(chain_id=consortium.chain_id, registry=str(consortium.certificates.address))
    original = Original(name="harbour-at-dawn.txt", kind="artwork", fingerprint=fingerprint, attributes={})
    (wrapped,) = wrap_batch(
        [CertificateDocument(original=original, issuer=issuer, issued_at=unix_now(), chain=binding)]
    )
    (folder / "harbour-at-dawn.txt.originals.json").write_bytes(orjson.dumps(wrapped))
    root = wrapped["proof"]["merkleRoot"]
    consortium.issue(TOWN, root, fingerprint)
    return consortium.certificate_id(TOWN, root), fingerprint


def original_id(registrar: str, identifier: str) -> str:
    """``ProvenanceRegistry.originalId``: keccak256(abi.encode(registrar, identifier)), as a certificate's id."""
    return devchain.certificate_id(registrar, identifier)


def build(consortium: devchain.Consortium, folder: Path) -> tuple[str, str, str, str, str]:
    """The bronze's story and the trade item's; (certificate id, bronze's id, item's id, the later registration's, the
    fabric's)."""
    c = consortium
    certificate, fingerprint = certify(c, folder)
    owner = c.address(FIRST_OWNER)
    c.prov_tx(TOWN, "enrolLinked", bytes.fromhex(fingerprint[2:]), owner, owner, False,
              [bytes.fromhex(certificate[2:])], [], gas=400_000)  # fmt: skip
    bronze = original_id(c.address(TOWN), fingerprint)
    ident = bytes.fromhex(bronze[2:])
    deadline = int(c.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16) + 30 * 86400
    c.prov_tx(FIRST_OWNER, "handOver", ident, int(Right.TITLE), c.address(BUYER), deadline, gas=300_000)  # sold
    c.prov_tx(BUYER, "takeOver", ident, int(Right.TITLE), gas=300_000)
    c.prov_tx(BUYER, "handOver", ident, int(Right.CUSTODY), c.address(UNIVERSITY), deadline, gas=300_000)  # lent
    c.prov_tx(UNIVERSITY, "takeOver", ident, int(Right.CUSTODY), gas=300_000)
    block_time = int(c.client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
    c.prov_tx(UNIVERSITY, "addEvent", ident, code_of("inspecting"), h32("condition report"), block_time - 3600,
              gas=300_000)  # fmt: skip
    c.prov_tx(BUYER, "logIncident", ident, int(Disposition.STOLEN), h32("police report"), gas=300_000)
    bank = c.address(BANK)
    c.prov_tx(BANK, "enrolOriginal", bytes.fromhex(fingerprint[2:]), bank, bank, False, gas=400_000)

    link = digital_link(GTIN, SERIAL)
    item_owner = c.address(ITEM_OWNER)
    fabric_identifier = "0x" + h32("fabric batch 0042").hex()
    c.prov_tx(BANK, "enrolOriginal", bytes.fromhex(fabric_identifier[2:]), bank, bank, False, gas=400_000)
    fabric = original_id(bank, fabric_identifier)
    c.prov_tx(BANK, "enrolLinked", bytes.fromhex(link.identifier[2:]), item_owner, item_owner, False, [],
              [bytes.fromhex(fabric[2:])], gas=400_000)  # fmt: skip
    c.prov_tx(BANK, "recall", bytes.fromhex(link.identifier[2:]), h32("recall notice"), gas=300_000)
    return certificate, bronze, original_id(bank, link.identifier), original_id(bank, fingerprint), fabric


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("provenance-web")
    folder = tmp / "files"
    folder.mkdir()
    with Anvil() as anvil:
        client = RpcClient(anvil.url)
        consortium = devchain.deploy(client, tmp / "deployments")
        certificate, bronze, item, later, fabric = build(consortium, folder)
        settings = Settings(
            database_url=f"sqlite:///{tmp}/web.sqlite3",
            rpc_url=anvil.url,
            deployments_dir=tmp / "deployments",
            poll_interval=0.2,
            rate_limit="off",
        )
        setup = build_indexer(settings)
        setup.indexer.run(once=True)
        setup.client.close()
        with serve(settings) as base:
            yield World(base, folder, consortium, certificate, bronze, item, later, fabric)
        client.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch() as chromium:
        yield chromium


def verify(browser: Any, world: World, language: str = "en") -> Any:
    """The verify page in ``language`` with the bronze's file chosen, once its provenance is drawn."""
    page = browser.new_page(viewport={"width": 1100, "height": 1000}, locale=LOCALES[language])
    page.goto(world.base + "/")
    page.set_input_files("#file", str(world.folder / "harbour-at-dawn.txt"))
    page.wait_for_selector("#verdict", timeout=15_000)
    page.wait_for_selector("#originals table.timeline", timeout=15_000)
    page.wait_for_load_state("networkidle")
    return page


def timeline(page: Any, root: str = "#originals") -> list[tuple[str, str]]:
    """The timeline's rows as (when, what)."""
    rows = page.locator(f"{root} table.timeline tbody tr").all_inner_texts()
    return [tuple(row.split("\t")) for row in rows]  # type: ignore[misc]


def short(hex_: str) -> str:
    return f"{hex_[:8]}…{hex_[-4:]}"


def test_verifying_a_stolen_original_shows_the_red_banner_and_its_timeline(browser: Any, world: World) -> None:
    page = verify(browser, world)
    assert page.inner_text("#verdict") == "VALID"  # the certificate's verdict stays
    banner = page.locator("#banners .banner")
    assert banner.count() == 1
    assert banner.get_attribute("role") == "alert"
    assert banner.get_attribute("class") == "banner alarm"
    assert page.inner_text("#banners .banner-title") == "Reported stolen"
    assert "Its owner or holder reported this original stolen." in banner.inner_text()
    assert f"Original {short(world.bronze)}, registered by Town of Originals." in banner.inner_text()
    # the banner comes right under the verdict, before the certificate's card
    order = page.evaluate("[...document.querySelectorAll('#verdict, #banners, .card')].map(e => e.id || e.className)")
    assert order[:3] == ["verdict", "banners", "card"]
    colours = page.eval_on_selector(
        "#banners .banner", "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    )
    assert colours == ["rgb(255, 255, 255)", "rgb(164, 22, 26)"]  # white on red: 7:1

    assert page.locator("#originals section.provenance").count() == 2  # the first registration first
    section = page.locator("#original-0")
    assert section.get_attribute("data-original") == world.bronze
    facts = dict(
        zip(
            section.locator("dl.facts dt").all_inner_texts(),
            section.locator("dl.facts dd").all_inner_texts(),
            strict=True,
        )
    )
    buyer, first_owner = world.address(BUYER), world.address(FIRST_OWNER)
    assert facts["Original"] == short(world.bronze)
    assert facts["Owner"] == short(buyer)
    assert facts["Holder"] == "University Blockchain Competence Centre"
    assert re.fullmatch("Town of Originals on " + ENGLISH_DATE, facts["Registered by"])
    assert facts["Status"] == "reported stolen"
    assert facts["Certificates"] == short(world.certificate)
    assert "First registration" not in facts
    assert section.locator(f"dd code[title='{buyer}']").count() == 1  # shortened, the whole address in the title

    rows = timeline(page, "#original-0")
    assert all(re.fullmatch(ENGLISH_DATE, when) for when, _ in rows), rows
    whats = [what for _, what in rows]
    assert [re.sub(r"\(open until .*\)", "(open until …)", w) for w in whats] == [
        f"Registered by Town of Originals; owner {short(first_owner)}",
        f"Linked to certificate {short(world.certificate)}",
        f"Title offered to {short(buyer)} (open until …)",
        f"Owner changed: {short(first_owner)} → {short(buyer)}",
        "Custody offered to University Blockchain Competence Centre (open until …)",
        f"Custody changed: {short(buyer)} → University Blockchain Competence Centre",
        whats[6],
        f"Reported stolen by {short(buyer)}",
    ]
    assert re.fullmatch(
        r"Inspection, recorded by the holder University Blockchain Competence Centre \(happened "
        + ENGLISH_DATE
        + r"\)",
        whats[6],
    )
    assert re.search(r"\(open until " + ENGLISH_DATE + r"\)", whats[2])
    assert page.is_hidden("#original-0 .more")  # one page holds it all
    assert page.get_attribute("#original-0 a[href$='/epcis']", "href") == f"/originals/{world.bronze}/epcis"

    later = page.locator("#original-1")  # the bank's registration of the same fingerprint: flagged
    assert later.get_attribute("data-original") == world.later
    terms, values = later.locator("dl.facts dt").all_inner_texts(), later.locator("dl.facts dd").all_inner_texts()
    flagged = dict(zip(terms, values, strict=True))
    assert re.fullmatch(
        f"First registered by Town of Originals on {ENGLISH_DATE} as {short(world.bronze)}: this is a later "
        "registration of the same identifier.",
        flagged["First registration"],
    ), flagged
    assert flagged["Status"] == "no report"
    assert timeline(page, "#original-1")[0][1] == "Registered by Cooperative Bank; owner Cooperative Bank"
    screenshot(page, "verify-stolen")
    page.close()


def test_the_stolen_original_in_german(browser: Any, world: World) -> None:
    page = verify(browser, world, "de")
    assert page.evaluate("document.documentElement.lang") == "de"
    assert page.inner_text("#verdict") == "Echt"
    assert page.inner_text("#banners .banner-title") == "Als gestohlen gemeldet"
    assert "Eigentümer oder Besitzer" in page.inner_text("#banners .banner")
    rows = timeline(page, "#original-0")
    assert all(re.fullmatch(GERMAN_DATE, when) for when, _ in rows), rows
    whats = [what for _, what in rows]
    buyer, first_owner = short(world.address(BUYER)), short(world.address(FIRST_OWNER))
    assert whats[0] == f"Registriert von Town of Originals; Eigentümer {first_owner}"
    assert whats[3] == f"Eigentümer gewechselt: {first_owner} → {buyer}"
    assert whats[5] == f"Besitz gewechselt: {buyer} → University Blockchain Competence Centre"
    assert whats[6].startswith("Prüfung, erfasst vom Besitzer University Blockchain Competence Centre (geschehen ")
    assert whats[7] == f"Als gestohlen gemeldet von {buyer}"
    assert page.inner_text("#original-1 .flag").startswith("Zuerst registriert von Town of Originals am ")
    screenshot(page, "verify-stolen-de")
    page.close()


@pytest.mark.parametrize("language", LOCALES)
def test_the_banner_and_the_timeline_have_no_wcag_violation(browser: Any, world: World, language: str) -> None:
    page = verify(browser, world, language)
    assert violations(page) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"phone-verify-stolen-{language}")
    assert violations(page) == []
    page.close()


@pytest.mark.parametrize("language", LOCALES)
def test_an_originals_page_shows_its_provenance(browser: Any, world: World, language: str) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 1000}, locale=LOCALES[language])
    page.goto(f"{world.base}/originals/{world.bronze}")
    page.wait_for_selector("#originals table.timeline", timeout=15_000)
    page.wait_for_load_state("networkidle")
    title = {"en": "Reported stolen", "de": "Als gestohlen gemeldet"}[language]
    assert page.inner_text("#banners .banner-title") == title
    assert len(timeline(page)) == 8
    assert page.get_attribute(f"#originals a[href='/c/{world.certificate}'] code", "title") == world.certificate
    assert violations(page) == []
    page.close()


@pytest.mark.parametrize("language", LOCALES)
def test_the_digital_link_page_shows_the_recalled_item_and_its_qr_code(
    browser: Any, world: World, language: str
) -> None:
    link = digital_link(GTIN, SERIAL)
    page = browser.new_page(viewport={"width": 1100, "height": 1000}, locale=LOCALES[language])
    page.goto(f"{world.base}/01/{GTIN}/21/{SERIAL}")
    page.wait_for_selector("#originals table.timeline", timeout=15_000)
    page.wait_for_load_state("networkidle")
    heading = {"en": f"GTIN {GTIN}, serial {SERIAL}", "de": f"GTIN {GTIN}, Seriennummer {SERIAL}"}[language]
    assert page.inner_text("h1") == heading
    qr = page.locator("#qr")
    assert qr.get_attribute("src") == f"/01/{GTIN}/21/{SERIAL}/qr.svg"
    assert page.evaluate("document.querySelector('#qr').complete && document.querySelector('#qr').naturalWidth") > 100
    svg = httpx.get(f"{world.base}/01/{GTIN}/21/{SERIAL}/qr.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert link.identifier in page.inner_text("#link")
    assert link.uri in page.inner_text("#link")
    banner = page.locator("#banners .banner")
    assert banner.get_attribute("class") == "banner caution"  # recalled: the milder warning
    assert page.inner_text("#banners .banner-title") == {"en": "Recalled", "de": "Zurückgerufen"}[language]
    assert page.locator("#originals section.provenance").get_attribute("data-original") == world.item
    made_from = page.locator(f"#originals dd a[href='/originals/{world.fabric}']")  # lineage: a link upstream
    assert made_from.inner_text() == short(world.fabric)
    whats = [what for _, what in timeline(page)]
    made = {"en": "Made from original", "de": "Hergestellt aus Original"}[language]
    assert f"{made} {short(world.fabric)}" in whats
    assert whats[-1] == {"en": "Recalled by Cooperative Bank", "de": "Zurückgerufen von Cooperative Bank"}[language]
    assert violations(page) == []
    screenshot(page, f"digital-link-{language}")
    page.close()


def test_lineage_leads_from_the_fabric_to_what_was_made_from_it(browser: Any, world: World) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    page.goto(f"{world.base}/originals/{world.fabric}")
    page.wait_for_selector("#originals table.timeline", timeout=15_000)
    terms, values = page.locator("dl.facts dt").all_inner_texts(), page.locator("dl.facts dd").all_inner_texts()
    assert dict(zip(terms, values, strict=True))["Made into"] == short(world.item)
    page.click(f"#originals dd a[href='/originals/{world.item}']")
    page.wait_for_selector("#banners .banner.caution", timeout=15_000)  # the recalled item's own page
    assert page.url == f"{world.base}/originals/{world.item}"
    page.close()


def test_a_digital_link_without_an_original_says_so(browser: Any, world: World) -> None:
    """A serial may hold a slash (GS1's characters), percent-encoded in the link."""
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    page.goto(f"{world.base}/01/{GTIN}/21/NO%2F1")
    page.wait_for_selector("#none", timeout=15_000)
    assert page.inner_text("#none") == "No original is registered under this GTIN and serial."
    assert page.inner_text("h1") == f"GTIN {GTIN}, serial NO/1"
    assert digital_link(GTIN, "NO/1").identifier in page.inner_text("#link")
    page.wait_for_function("() => document.querySelector('#qr').complete")
    assert page.evaluate("document.querySelector('#qr').naturalWidth") > 100
    assert page.locator("#banners .banner").count() == 0
    page.close()


def test_the_provenance_pages_work_under_the_content_security_policy(browser: Any, world: World) -> None:
    """No inline script or style and nothing from another origin: the CSP would refuse it and say so on the console.
    No script error either: the page's scripts share one global scope, where a name declared twice stops a script."""
    page = browser.new_page()
    console: list[str] = []
    errors: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    for path in (f"/originals/{world.bronze}", f"/01/{GTIN}/21/{SERIAL}", f"/c/{world.certificate}"):
        page.goto(world.base + path)
        page.wait_for_selector("#originals table.timeline", timeout=15_000)
        page.wait_for_load_state("networkidle")
    assert [line for line in console if "Content Security Policy" in line] == []
    assert errors == []
    page.close()


def test_more_loads_the_timelines_next_pages_in_order(browser: Any, world: World) -> None:
    """The API's keyset pages, three entries at a time (the page asks for 50: the test asks the API for 3)."""
    whole = [what for _, what in timeline_of(browser, world)]
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    page.route(
        "**/originals/*/provenance?*",
        lambda route: route.continue_(url=route.request.url.replace("limit=50", "limit=3")),
    )
    page.goto(f"{world.base}/originals/{world.bronze}")
    page.wait_for_selector("#originals table.timeline", timeout=15_000)
    assert len(timeline(page)) == 3
    for shown in (6, 8):
        page.click("#originals .more")
        page.wait_for_function(
            f"() => document.querySelectorAll('#originals table.timeline tbody tr').length === {shown}"
        )
    page.wait_for_selector("#originals .more", state="hidden")
    assert [what for _, what in timeline(page)] == whole
    page.close()


def timeline_of(browser: Any, world: World) -> list[tuple[str, str]]:
    """The bronze's whole timeline on its page (one page of 50)."""
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    page.goto(f"{world.base}/originals/{world.bronze}")
    page.wait_for_selector("#originals table.timeline", timeout=15_000)
    rows = timeline(page)
    page.close()
    assert len(rows) == 8
    return rows
