"""The verify page in a real browser: Debian's Chromium driven by Playwright (no browser download).

A demo consortium is seeded on a fresh anvil (the same seed `make run` uses), indexed, and served by uvicorn. Files are
dropped onto the page with a real ``drop`` event carrying a ``DataTransfer``, so the page's own drag-and-drop code
and in-browser hashing run. Screenshots are saved under ``test-artifacts/`` for people to look at.

Without Chromium the tests skip with a message, except under CI, where `.ci/run` installs it and they must run.
"""

from __future__ import annotations

import base64
import os
import re
import time
from pathlib import Path

import httpx
from support.browser import ARTIFACTS, require_chromium, screenshot

require_chromium()


def drop_file(page: object, name: str, content: bytes) -> None:
    """Dispatch a real drop event with the file on the page's drop zone."""
    page.evaluate(  # type: ignore[attr-defined]
        """([name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name));
            const zone = document.querySelector('#drop');
            zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }""",
        [name, base64.b64encode(content).decode()],
    )


def verify_by_drop(browser: object, base: str, name: str, content: bytes, shot: str) -> object:
    page = browser.new_page(viewport={"width": 1000, "height": 1100})  # type: ignore[attr-defined]
    page.goto(base + "/")
    page.wait_for_selector("#drop")
    drop_file(page, name, content)
    page.wait_for_selector("#verdict", timeout=15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
    return page


def test_dropping_a_certified_original_shows_valid_with_the_issuer_name(
    browser: object, site: tuple[str, Path]
) -> None:
    base, demo = site
    content = (demo / "originals" / "fabric-batch-0042.txt").read_bytes()
    page = verify_by_drop(browser, base, "fabric-batch-0042.txt", content, "verify-valid")
    assert page.inner_text("#verdict") == "VALID"  # type: ignore[attr-defined]
    assert page.inner_text(".issuer") == "Weberei Lindner Textile Mill"  # type: ignore[attr-defined]
    history = page.inner_text("#result table:last-of-type")  # type: ignore[attr-defined]
    assert "Issued" in history
    page.close()  # type: ignore[attr-defined]


def test_dropping_a_revoked_original_shows_revoked_with_the_reason(browser: object, site: tuple[str, Path]) -> None:
    base, demo = site
    content = (demo / "originals" / "diploma-003.txt").read_bytes()
    page = verify_by_drop(browser, base, "diploma-003.txt", content, "verify-revoked")
    assert page.inner_text("#verdict") == "REVOKED"  # type: ignore[attr-defined]
    result = page.inner_text("#result")  # type: ignore[attr-defined]
    assert "the document was revoked (issued in error)" in result
    assert "University Blockchain Competence Centre" in result
    page.close()  # type: ignore[attr-defined]


def test_dropping_a_certificate_document_verifies_it(browser: object, site: tuple[str, Path]) -> None:
    base, demo = site
    document = demo / "certificates" / "artwork-evening-light.txt.originals.json"
    page = verify_by_drop(browser, base, document.name, document.read_bytes(), "verify-document-suspended")
    assert page.inner_text("#verdict") == "SUSPENDED"  # type: ignore[attr-defined]
    result = page.inner_text("#result")  # type: ignore[attr-defined]
    assert "the fields hash to the target hash, and the proof leads to the Merkle root" in result
    assert "the certificate was suspended (under investigation)" in result
    page.close()  # type: ignore[attr-defined]


def test_dropping_a_pdf_certificate_verifies_the_document_it_carries(browser: object, site: tuple[str, Path]) -> None:
    base, demo = site
    document = (demo / "certificates" / "fabric-batch-0042.txt.originals.json").read_bytes()
    pdf = httpx.post(f"{base}/pdf", content=document, headers={"content-type": "application/json"})
    assert pdf.status_code == 200, pdf.text
    page = verify_by_drop(browser, base, "fabric-batch-0042.pdf", pdf.content, "verify-pdf-certificate")
    assert page.inner_text("#verdict") == "VALID"  # type: ignore[attr-defined]
    result = page.inner_text("#result")  # type: ignore[attr-defined]
    assert "the fields hash to the target hash, and the proof leads to the Merkle root" in result
    assert page.inner_text(".issuer") == "Weberei Lindner Textile Mill"  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]
    # Saved without its ending (a browser's download folder, a renamed copy), it is still known by its bytes.
    page = verify_by_drop(browser, base, "download-7f3a", pdf.content, "verify-pdf-certificate-no-ending")
    assert page.inner_text("#verdict") == "VALID"  # type: ignore[attr-defined]
    assert page.inner_text(".issuer") == "Weberei Lindner Textile Mill"  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]
    # Any other PDF is an original like any file: hashed in the browser, never sent.
    page = verify_by_drop(browser, base, "scan.pdf", b"%PDF-1.7 a scan of something", "verify-pdf-original")
    assert page.inner_text("#verdict") == "NOT FOUND"  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]


def test_dropping_a_random_file_shows_not_found(browser: object, site: tuple[str, Path]) -> None:
    base, _ = site
    page = verify_by_drop(browser, base, "random.bin", os.urandom(4096), "verify-not-found")
    assert page.inner_text("#verdict") == "NOT FOUND"  # type: ignore[attr-defined]
    assert "No certificate names this original" in page.inner_text("#result")  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]


def test_the_partner_directory_filters_by_organisation_type(browser: object, site: tuple[str, Path]) -> None:
    base, _ = site
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base + "/directory?type=UNIVERSITY")
    page.wait_for_selector("#list table")
    rows = page.locator("#list tbody tr")
    assert rows.count() == 7  # the founding university and the demo consortium's six
    assert "University Blockchain Competence Centre" in page.inner_text("#list")  # type: ignore[attr-defined]
    assert "TU Bergakademie Freiberg" in page.inner_text("#list")  # type: ignore[attr-defined]
    page.screenshot(path=str(ARTIFACTS / "directory-universities.png"), full_page=True)
    page.close()


def test_the_proposals_page_filters_by_status_and_says_which_block_it_is_indexed_to(
    browser: object, site: tuple[str, Path]
) -> None:
    base, _ = site
    page = browser.new_page(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    for status in ("open", "passed"):
        expected = httpx.get(f"{base}/proposals", params={"status": status}).json()
        page.goto(f"{base}/council/proposals?status={status}")
        page.wait_for_selector("#list table")
        rows = page.locator("#list tbody tr")
        assert rows.count() == len(expected["data"]) > 0
        assert set(page.locator("#list tbody .badge").all_inner_texts()) == {status}
        assert page.inner_text("#freshness").startswith(f"Indexed to block {expected['indexed_block']} (chain time ")
        page.screenshot(path=str(ARTIFACTS / f"proposals-{status}.png"), full_page=True)
    page.goto(f"{base}/council/proposals?status=open")
    page.wait_for_selector("#list table")
    assert "Suspend Kunstverein Gallery North: while suspended its key can do nothing." in page.inner_text("#list")
    page.close()


def test_a_proposal_page_shows_the_votes_by_whom_the_majority_and_a_live_countdown(
    browser: object, site: tuple[str, Path]
) -> None:
    base, _ = site
    (open_,) = httpx.get(f"{base}/proposals", params={"status": "open", "kind": "SUSPEND"}).json()["data"]
    page = browser.new_page(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{base}/council/proposals?status=open&kind=SUSPEND")
    page.click("text=Suspend Kunstverein Gallery North")
    page.wait_for_selector("#votes")
    assert page.url == f"{base}/council/proposals/{open_['proposal_id']}"
    assert page.inner_text("#summary") == "Suspend Kunstverein Gallery North: while suspended its key can do nothing."
    terms, values = page.locator("dl.facts dt").all_inner_texts(), page.locator("dl.facts dd").all_inner_texts()
    facts = dict(zip(terms, values, strict=True))
    assert facts["Kind"] == "Suspend"
    assert facts["Concerning"].startswith("Kunstverein Gallery North")  # to whom
    assert facts["Proposed by"].startswith("Cooperative Bank")  # who proposed it
    votes = [row.split("\t")[:3] for row in page.locator("#votes tbody tr").all_inner_texts()]
    assert votes == [["Cooperative Bank", "yes", "yes"], ["University Blockchain Competence Centre", "no", "yes"]]
    # The demo council: the three founders and the three partners that joined it (devtools/demo_partners.py).
    assert page.inner_text("#majority") == "4 yes votes of the active council (6 members now)"
    assert page.inner_text("#executable") == "Not yet: 1 counted yes vote of the 4 needed."
    first = page.inner_text("#countdown")
    left = open_["seconds_left"]  # seven days at most (the devnet's voting period), as of the indexed block
    assert 6 * 86400 < left <= 7 * 86400
    assert first == f"{left // 86400} d {left // 3600 % 24} h {left // 60 % 60} min {left % 60} s left"
    page.wait_for_function("first => document.querySelector('#countdown').textContent !== first", arg=first)
    assert page.inner_text("#freshness").startswith("Indexed to block ")
    page.screenshot(path=str(ARTIFACTS / "proposal-open.png"), full_page=True)
    page.close()


def test_a_partner_page_shows_its_governance_history(browser: object, site: tuple[str, Path]) -> None:
    base, _ = site
    gallery = next(
        p for p in httpx.get(f"{base}/partners").json()["data"] if p["display_name"].startswith("Kunstverein")
    )
    page = browser.new_page(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{base}/p/{gallery['address']}")
    page.wait_for_selector("#governance")
    about = page.locator("#proposals-about tbody tr").all_inner_texts()
    assert [row.split("\t")[1:3] for row in about] == [
        ["Suspend Kunstverein Gallery North: while suspended its key can do nothing.", "open"],
        ["Admit Kunstverein Gallery North to the consortium with the issuer right.", "passed"],
    ]
    assert "Kunstverein Gallery North" in page.inner_text("#governance h3 + table")  # its application
    page.screenshot(path=str(ARTIFACTS / "partner-governance.png"), full_page=True)
    page.close()


def test_the_pages_and_the_api_docs_work_under_the_content_security_policy(
    browser: object, site: tuple[str, Path]
) -> None:
    """Swagger UI (this server's copy) lists every operation; no page breaks a rule of the CSP (a refused inline
    style or script, or anything from another origin, is reported on the console)."""
    base, _ = site
    page = browser.new_page()  # type: ignore[attr-defined]
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(base + "/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    operations = page.eval_on_selector_all(".opblock-summary-path", "nodes => nodes.map(n => n.dataset.path)")
    openapi = page.evaluate("fetch('/openapi.json').then(r => r.json())")
    assert sorted(set(operations)) == sorted(openapi["paths"])
    for path in (
        "/",
        "/directory",
        "/browse",
        "/council/proposals",
        "/council/proposals/1",
        "/apply",
        "/council/propose",
        "/console",
    ):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    assert [line for line in console if "Content Security Policy" in line] == []
    page.close()


GERMAN_DATE = r"\d\d\.\d\d\.\d{4}, \d\d:\d\d (MEZ|MESZ)"
"""A date as the German page shows it: Berlin time in the German format, always with the zone (MEZ, or MESZ in
summer)."""
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def test_switching_the_page_to_german_and_verifying_a_demo_file(browser: object, site: tuple[str, Path]) -> None:
    """Issue 14's first step: a visitor whose browser speaks English clicks "Deutsch", drops a demo file and reads the
    verdict in German; the choice is a cookie (a year, the whole site), so a reload stays German.

    With ``ORIGINALS_DOCS_IMAGES=1`` the revoked diploma's page is also saved as the README's German screenshot.
    """
    base, demo = site
    page = browser.new_page(viewport={"width": 1000, "height": 1100})  # type: ignore[attr-defined]
    page.goto(base + "/")
    page.wait_for_selector("#drop")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_attribute("#language button[lang=en]", "aria-pressed") == "true"
    page.click("#language button:text('Deutsch')")
    page.wait_for_function("() => document.documentElement.lang === 'de' && document.querySelector('#drop')")
    assert page.inner_text("h1") == "Ist es ein Original?"
    menu = ["Prüfen", "Partner", "Anträge", "Mitmachen", "Zertifikate", "Ausstellen", "API"]
    assert page.locator("nav a").all_inner_texts() == menu
    assert page.get_attribute("nav", "aria-label") == "Hauptmenü"
    assert page.get_attribute("#language", "aria-label") == "Sprache"
    assert page.get_attribute("#language button[lang=de]", "aria-pressed") == "true"
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "originals_lang"]  # type: ignore[attr-defined]
    assert (cookie["value"], cookie["path"], cookie["sameSite"]) == ("de", "/", "Lax")
    assert 364 * 86400 < cookie["expires"] - time.time() <= 365 * 86400
    assert page.evaluate("localStorage.length") == 0  # remembered in the cookie only

    drop_file(page, "fabric-batch-0042.txt", (demo / "originals" / "fabric-batch-0042.txt").read_bytes())
    page.wait_for_selector("#verdict", timeout=15_000)
    assert page.inner_text("#verdict") == "Echt"
    assert page.inner_text(".issuer") == "Weberei Lindner Textile Mill"
    card = page.inner_text("#result .card")
    assert "Echt — ausgestellt von Weberei Lindner Textile Mill" in card
    history = page.locator("#result table:last-of-type tbody tr").all_inner_texts()
    assert history and all(re.fullmatch(GERMAN_DATE, row.split("\t")[0]) for row in history), history
    assert history[0].split("\t")[1] == "Ausgestellt"
    assert re.search(r"ausgestellt am " + GERMAN_DATE, card)
    assert re.fullmatch(r"Stand: Block \d+", page.inner_text("#freshness"))
    screenshot(page, "verify-valid-de")

    page.reload()
    page.wait_for_selector("#drop")
    assert page.evaluate("document.documentElement.lang") == "de"  # remembered
    assert page.inner_text("h1") == "Ist es ein Original?"
    drop_file(page, "diploma-003.txt", (demo / "originals" / "diploma-003.txt").read_bytes())
    page.wait_for_selector("#verdict", timeout=15_000)
    assert page.inner_text("#verdict") == "Widerrufen"
    assert page.inner_text("#result .card p strong") == "Widerrufen (Grund: irrtümlich ausgestellt)"
    screenshot(page, "verify-revoked-de")
    if os.environ.get("ORIGINALS_DOCS_IMAGES"):
        page.set_viewport_size({"width": 1000, "height": 900})
        page.screenshot(path=str(DOCS_IMAGES / "verify-page-de.png"), full_page=True)

    page.click("#language button:text('English')")  # and back
    page.wait_for_function("() => document.documentElement.lang === 'en' && document.querySelector('#drop')")
    assert page.inner_text("h1") == "Is it an original?"
    page.close()  # type: ignore[attr-defined]


def test_a_browser_that_asks_for_german_gets_the_page_in_german_without_a_click(
    browser: object, site: tuple[str, Path]
) -> None:
    """Accept-Language (a German browser sends de-DE) chooses the language when the switch has not been used."""
    base, _ = site
    page = browser.new_page(locale="de-DE", viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{base}/council/proposals?status=open")
    page.wait_for_selector("#list table")
    assert page.evaluate("document.documentElement.lang") == "de"
    assert page.inner_text("h1") == "Anträge an den Rat"
    assert page.title() == "Originals — Anträge an den Rat"
    assert set(page.locator("#list tbody .badge").all_inner_texts()) == {"offen"}
    deadlines = [row.split("\t")[4] for row in page.locator("#list tbody tr").all_inner_texts()]
    assert deadlines and all(re.fullmatch(GERMAN_DATE, d) for d in deadlines), deadlines
    assert page.inner_text("a.skip") == "Zum Inhalt springen"
    assert [c for c in page.context.cookies() if c["name"] == "originals_lang"] == []  # type: ignore[attr-defined]
    page.goto(f"{base}/directory?type=UNIVERSITY")
    page.wait_for_selector("#list table")
    types = {row.split("\t")[1] for row in page.locator("#list tbody tr").all_inner_texts()}
    assert types == {"Hochschule"}
    screenshot(page, "directory-universities-de")
    page.close()  # type: ignore[attr-defined]


def test_an_english_browser_shows_dates_in_berlin_time_with_the_zone(browser: object, site: tuple[str, Path]) -> None:
    base, demo = site
    page = verify_by_drop(
        browser, base, "fabric-batch-0042.txt", (demo / "originals" / "fabric-batch-0042.txt").read_bytes(), "verify-en"
    )
    when = page.locator("#result table:last-of-type tbody tr td").first.inner_text()  # type: ignore[attr-defined]
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d[\u202f ][AP]M (CET|CEST)", when), when
    assert page.evaluate("formatNumber(1234567.5)") == "1,234,567.5"  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]
