"""The issuer console (/console) in a real browser: sign in with an API key, issue, download, list, change status.

The stack is the demo as `make run` has it (:func:`support.browser.demo_site` with a live indexer, so the console's
transactions go from sent to mined to indexed), with the textile mill's demo API key. Files are dropped onto the
console's drop zone with a real ``drop`` event carrying a ``DataTransfer``, so its own hashing runs; what the page
hands out (a zip of documents, a document, a PDF) is opened here and verified through the API. Screenshots are saved
under ``test-artifacts/console-*.png``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pytest
from support import devchain
from support.browser import DEMO_KEY_FILE, demo_stack, issuer_api_key, require_chromium, screenshot

from devtools.devnet import devnet_key
from ledger.certificate_pdf import ATTACHMENT_NAME
from ledger.issuance.keys import new_api_key

require_chromium()

INSTITUTE = 6
"""The demo's Institute for Material Research (devnet key 6): an active partner without the issuer right."""
MILL = "Weberei Lindner Textile Mill"
FILES = {
    "scarf-001.txt": b"Weberei Lindner - silk scarf no. 001, indigo\n",
    "scarf-002.txt": b"Weberei Lindner - silk scarf no. 002, madder red\n",
    "scarf-003.txt": b"Weberei Lindner - silk scarf no. 003, weld yellow\n",
}
WATCH_STAGES = """selector => {
    window.__stages = [];
    new MutationObserver((records) => records.forEach((r) => window.__stages.push(r.oldValue)))
        .observe(document.querySelector(selector), { attributeFilter: ['data-stage'], attributeOldValue: true });
}"""
"""Records every stage a progress box passes through (each change's old value; the last stage is the current one)."""


@dataclass
class Site:
    base: str
    demo: Path
    consortium: devchain.Consortium
    key: str
    """The demo issuer's (the textile mill's) API key."""
    institute_key: str
    mill: str
    """The textile mill's address."""

    def index(self) -> int:
        """The block the API's index has reached."""
        return int(self.get("/certificates", limit=1)["indexed_block"])

    def get(self, path: str, **params: Any) -> Any:
        response = httpx.get(self.base + path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def verdict_of(self, certificate: str) -> str:
        return str(self.get(f"/verify/certificate/{certificate}")["verdict"])

    def issue_singles(self, count: int, label: str) -> list[str]:
        """Issue ``count`` single certificates through the API, as another of the mill's tools would; wait until
        indexed. Their ids."""
        ids = []
        for i in range(count):
            fingerprint = "0x" + hashlib.sha256(f"{label} {i}".encode()).hexdigest()
            body = {"original": {"name": f"{label}-{i}.txt", "kind": "document", "fingerprint": fingerprint}}
            answer = httpx.post(
                f"{self.base}/certificates", json=body, headers={"Authorization": f"Bearer {self.key}"}, timeout=60
            )
            assert answer.status_code == 202, answer.text
            ids.append(answer.json()["id"])
            wait_indexed(self.base, answer.json()["tx_hash"])
        return ids


def wait_indexed(base: str, tx_hash: str) -> None:
    for _ in range(300):
        if httpx.get(f"{base}/transactions/{tx_hash}").json()["status"] == "indexed":
            return
        time.sleep(0.1)
    raise AssertionError(f"{tx_hash} was not indexed")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with demo_stack(tmp_path_factory.mktemp("web-console"), live=True) as stack:
        institute = issuer_api_key(stack.settings, devnet_key(INSTITUTE), "Institute for Material Research")
        key = (stack.demo / DEMO_KEY_FILE).read_text().strip()
        mill = httpx.get(f"{stack.base}/issuer", headers={"Authorization": f"Bearer {key}"}).json()["address"]
        yield Site(stack.base, stack.demo, stack.consortium, key, institute, mill)


def drop_files(page: Any, selector: str, files: dict[str, bytes]) -> None:
    """Dispatch a real drop event with the files on the drop zone ``selector``."""
    page.evaluate(
        """([selector, files]) => {
            const transfer = new DataTransfer();
            for (const [name, b64] of files) {
                transfer.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
            }
            const zone = document.querySelector(selector);
            zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }""",
        [selector, [[name, base64.b64encode(content).decode()] for name, content in files.items()]],
    )


def sign_in(
    browser: Any, site: Site, key: str, sent: list[tuple[str, str | None]] | None = None, lang: str = "en"
) -> Any:
    """A page signed in (or refused) with ``key``, in ``lang`` (the switch's cookie); ``sent`` records each request's
    URL and Authorization header."""
    page = browser.new_page(viewport={"width": 1100, "height": 1000}, accept_downloads=True)
    if lang != "en":
        page.context.add_cookies([{"name": "originals_lang", "value": lang, "url": site.base}])
    if sent is not None:
        page.on("request", lambda request: sent.append((request.url, request.headers.get("authorization"))))
    page.goto(site.base + "/console")
    page.fill("#api-key", key)
    page.click("#signin-button")
    return page


def kept_beyond_the_tab(page: Any, key: str) -> dict[str, bool]:
    """Whether the key is anywhere the browser keeps beyond the tab's session: the URL, a cookie, localStorage."""
    return {
        "url": key in page.url,
        "cookies": key in json.dumps(page.context.cookies()) or key in page.evaluate("document.cookie"),
        "local_storage": key in page.evaluate("JSON.stringify(localStorage)"),
    }


NOWHERE = {"url": False, "cookies": False, "local_storage": False}


def download(page: Any, selector: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(selector)
    path = info.value.path()
    return info.value.suggested_filename, Path(path).read_bytes()


def pdf_attachment(pdf: bytes) -> Any:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert list(doc.attachments) == [ATTACHMENT_NAME]
        return json.loads(doc.attachments[ATTACHMENT_NAME].get_file().read_bytes())


def test_an_issuer_signs_in_issues_a_batch_of_three_downloads_the_zip_and_a_pdf_and_the_pdf_verifies(
    browser: Any, site: Site
) -> None:
    sent: list[tuple[str, str | None]] = []
    page = sign_in(browser, site, site.key, sent)
    page.wait_for_selector("#issuer-name")
    assert page.inner_text("#issuer-name") == MILL
    assert page.inner_text("#issuer-address") == site.mill
    assert page.locator("#not-issuer").count() == 0
    # The key is sent as a bearer token and kept in the tab only: not in the URL, a cookie or localStorage.
    assert kept_beyond_the_tab(page, site.key) == NOWHERE
    assert page.url == site.base + "/console"
    assert page.evaluate("sessionStorage.getItem('originals.console.key')") == site.key
    assert (site.base + "/issuer", f"Bearer {site.key}") in sent  # sent as a bearer token
    assert [url for url, _ in sent if site.key in url] == []  # and never in a URL
    screenshot(page, "console-signed-in")

    drop_files(page, "#console-drop", FILES)
    page.wait_for_selector("#file-2")
    fingerprints = page.locator("#files .fingerprint").all_inner_texts()
    assert fingerprints == ["0x" + hashlib.sha256(content).hexdigest() for content in FILES.values()]
    page.fill("#file-0-kind", "scarf")
    page.fill("#file-0-serial", "LIN-001")
    page.fill("#file-0-attributes", "fibre = silk\ncolour = indigo")
    page.fill("#valid-until", "2031-12-31")
    assert page.inner_text("#issue") == "Issue a batch of 3 files"
    screenshot(page, "console-files")
    page.evaluate(WATCH_STAGES, "#issue-progress")
    page.click("#issue")
    page.wait_for_selector("#issued-summary", timeout=60_000)
    stages = page.evaluate("window.__stages")
    final = page.get_attribute("#issue-progress", "data-stage")
    assert [*stages, final] == [None, "sent", "mined", "indexed"]
    assert page.evaluate(
        "[document.querySelector('#issue-progress progress').value, document.querySelector("
        "'#issue-progress progress').max]"
    ) == [3, 3]
    screenshot(page, "console-issued")

    name, zipped = download(page, "#download-zip")
    assert name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert archive.testzip() is None  # every entry's CRC-32 matches its bytes
        assert [i.compress_type for i in archive.infolist()] == [zipfile.ZIP_STORED] * 3
        assert archive.namelist() == [f"{file}.originals.json" for file in FILES]
        documents = [json.loads(archive.read(n)) for n in archive.namelist()]
    ids = set()
    for document in documents:
        answer = httpx.post(f"{site.base}/verify/document", json=document).json()
        assert answer["verdict"] == "VALID", answer
        assert answer["certificate"]["issuer"] == site.mill
        assert answer["certificate"]["valid_until"] == 1956527999  # 2031-12-31 23:59:59 UTC
        ids.add(answer["certificate"]["id"])
    assert len(ids) == 1  # one batch: one certificate
    (certificate,) = ids
    assert site.get(f"/certificates/{certificate}")["mode"] == "batch_public"

    name, single = download(page, "#issued-documents .download-json >> nth=0")
    assert (name, json.loads(single)) == ("scarf-001.txt.originals.json", documents[0])
    name, pdf = download(page, "#issued-documents .download-pdf >> nth=0")
    assert name == "scarf-001.txt.pdf"
    assert pdf.startswith(b"%PDF-")
    assert pdf_attachment(pdf) == documents[0]
    assert [url for url, _ in sent if site.key in url] == []
    assert {url for url, auth in sent if auth is not None} <= {
        site.base + path for path in ("/issuer", "/batches", "/pdf")
    } | {url for url, _ in sent if "/transactions/" in url or "/certificates?" in url}
    page.click("#signout")
    page.wait_for_selector("#api-key")
    assert page.evaluate("sessionStorage.length") == 0
    page.close()

    # The holder drops the PDF onto the verify page.
    page = browser.new_page(viewport={"width": 1000, "height": 1100})
    page.goto(site.base + "/")
    page.wait_for_selector("#drop")
    drop_files(page, "#drop", {"scarf-001.txt.pdf": pdf})
    page.wait_for_selector("#verdict", timeout=15_000)
    assert page.inner_text("#verdict") == "VALID"
    assert page.inner_text(".issuer") == MILL
    screenshot(page, "console-pdf-verified")
    page.close()


REFUSALS = {
    "en": {
        "wrong key": ("Unauthorized", "the API key is unknown or revoked"),
        "not an issuer": ("Not an active issuer", "not an active issuer"),
        "council": "Suspended by the council",
    },
    "de": {
        "wrong key": ("Nicht angemeldet", "der API-Schlüssel ist unbekannt oder widerrufen"),
        "not an issuer": ("Kein aktiver Aussteller", "darf zurzeit keine Zertifikate ausstellen"),
        "council": "Vom Rat ausgesetzt",
    },
}
"""What the console shows for each refusal, in each language: the API's words (problem title and detail)."""


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_wrong_key_is_refused_with_the_apis_words_and_nothing_is_kept(browser: Any, site: Site, lang: str) -> None:
    wrong = new_api_key()
    page = sign_in(browser, site, wrong, lang=lang)
    page.wait_for_selector("#signin-message .refused")
    title, detail = REFUSALS[lang]["wrong key"]
    assert page.inner_text(".problem-title") == title
    assert page.inner_text(".problem-detail") == detail
    assert page.input_value("#api-key") == ""
    assert page.evaluate("sessionStorage.length") == 0
    assert kept_beyond_the_tab(page, wrong) == NOWHERE
    assert wrong not in page.content()
    screenshot(page, f"console-wrong-key-{lang}")
    page.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_partner_that_is_no_active_issuer_sees_so_and_the_registrys_refusal(
    browser: Any, site: Site, lang: str
) -> None:
    page = sign_in(browser, site, site.institute_key, lang=lang)
    page.wait_for_selector("#issuer-name")
    assert page.inner_text("#issuer-name") == "Institute for Material Research"
    title, warning = REFUSALS[lang]["not an issuer"]
    assert warning in page.inner_text("#not-issuer")
    head = site.get("/certificates", limit=1)["data"][0]["id"]
    drop_files(page, "#console-drop", {"report.txt": b"a material report\n"})
    page.wait_for_selector("#file-0")
    assert page.is_hidden("#publish")  # one file: a single certificate, whose fingerprint is always public
    assert page.inner_text("#issue") == {"en": "Issue one certificate", "de": "Ein Zertifikat ausstellen"}[lang]
    page.click("#issue")
    page.wait_for_selector("#issue-message .refused")
    assert page.inner_text("#issue-message .problem-title") == title
    assert page.inner_text("#issue-message .problem-detail").startswith("CertificateRegistryUnauthorizedIssuer(")
    assert page.locator("#issue-progress progress").count() == 0
    assert site.get("/certificates", limit=1)["data"][0]["id"] == head  # nothing issued
    screenshot(page, f"console-not-an-issuer-{lang}")
    page.close()


# The conditions are functions, not expressions: Playwright evaluates an expression with eval(), which the page's
# Content Security Policy refuses.
def _wait_rows(page: Any, count: int) -> None:
    page.wait_for_function("n => document.querySelectorAll('#own-certificates tbody tr').length === n", arg=count)


def _wait_all_rows_start_with(page: Any, prefix: str) -> None:
    page.wait_for_function(
        "prefix => { const rows = [...document.querySelectorAll('#own-certificates tbody tr')];"
        " return rows.length > 0 && rows.every((row) => row.dataset.id.startsWith(prefix)); }",
        arg=prefix,
    )


def _wait_status(page: Any, certificate: str, word: str) -> None:
    page.wait_for_function(
        "([id, word]) => document.querySelector(`tr[data-id='${id}'] .cert-status`)?.textContent.includes(word)",
        arg=[certificate, word],
    )


def _rows(page: Any) -> list[str]:
    return [
        str(r) for r in page.eval_on_selector_all("#own-certificates tbody tr", "rows => rows.map(r => r.dataset.id)")
    ]


def test_the_issuer_lists_its_certificates_by_status_page_by_page_and_searches_them(browser: Any, site: Site) -> None:
    listed = site.issue_singles(6, "listing")
    valid = site.get("/certificates", issuer=site.mill, status="VALID", limit=100)["data"]
    assert len(valid) > 5
    page = sign_in(browser, site, site.key)
    page.wait_for_selector("#own-certificates")
    page.select_option("#list-status", "VALID")
    page.select_option("#list-size", "5")
    page.click("#list-filters button[type=submit]")
    _wait_rows(page, 5)
    assert _rows(page) == [c["id"] for c in valid[:5]]
    page.click("#list-more")
    _wait_rows(page, min(10, len(valid)))
    assert _rows(page) == [c["id"] for c in valid[:10]]
    assert set(page.locator("#own-certificates .cert-status").all_inner_texts()) == {"Valid"}
    screenshot(page, "console-list")
    # A whole id finds that certificate; the start of one filters what is shown.
    target = valid[-1]["id"]
    page.fill("#list-search", target)
    page.click("#list-filters button[type=submit]")
    _wait_all_rows_start_with(page, target)
    assert _rows(page) == [target]
    page.fill("#list-search", "0x" + hashlib.sha256(b"listing 0").hexdigest())  # an original's whole fingerprint
    page.click("#list-filters button[type=submit]")
    _wait_all_rows_start_with(page, listed[0])
    assert _rows(page) == [listed[0]]
    page.fill("#list-search", valid[1]["id"][:12])
    page.click("#list-filters button[type=submit]")
    _wait_all_rows_start_with(page, valid[1]["id"][:12])
    assert valid[1]["id"] in _rows(page)
    assert all(row.startswith(valid[1]["id"][:12]) for row in _rows(page))
    page.close()


def _change(page: Any, certificate: str, action: str, reason: str) -> None:
    page.click(f".change-status[data-id='{certificate}']")
    page.select_option("#change-action", action)
    page.select_option("#change-reason", label=reason)
    page.click("#change-submit")


def test_the_issuer_suspends_reinstates_and_after_confirming_revokes_a_certificate(browser: Any, site: Site) -> None:
    (certificate,) = site.issue_singles(1, "status")
    page = sign_in(browser, site, site.key)
    page.wait_for_selector(f".change-status[data-id='{certificate}']")

    page.evaluate(WATCH_STAGES, "#change")
    _change(page, certificate, "suspend", "under investigation")
    page.wait_for_selector("#change-done", timeout=60_000)
    assert page.inner_text("#change-done") == "Suspended."
    _wait_status(page, certificate, "Suspended")
    assert page.inner_text(f"tr[data-id='{certificate}'] .cert-status") == "Suspended (under investigation)"
    assert site.verdict_of(certificate) == "SUSPENDED"
    assert site.get(f"/certificates/{certificate}")["status_reason"] == 6
    screenshot(page, "console-suspended")

    _change(page, certificate, "reinstate", "unspecified")
    page.wait_for_selector("#change-done", timeout=60_000)
    assert page.inner_text("#change-done") == "Reinstated."
    assert site.verdict_of(certificate) == "VALID"

    _change(page, certificate, "revoke", "issued in error")
    page.wait_for_selector("#revoke-warning")
    assert "Revoking is final" in page.inner_text("#revoke-warning")
    assert page.inner_text("#change-submit") == "Yes, revoke"
    assert site.verdict_of(certificate) == "VALID"  # nothing sent before the confirmation
    page.click("#change-submit")
    page.wait_for_selector("#change-done", timeout=60_000)
    assert page.inner_text("#change-done") == "Revoked."
    assert site.verdict_of(certificate) == "REVOKED"
    history = [(h["action"], h["reason"]) for h in site.get(f"/certificates/{certificate}")["history"]]
    assert history == [("issued", None), ("suspended", 6), ("reinstated", 0), ("revoked", 3)]
    _wait_status(page, certificate, "Revoked")
    assert page.locator(f".change-status[data-id='{certificate}']").count() == 0  # final: nothing more to do
    screenshot(page, "console-revoked")
    page.close()


def council_suspends(site: Site, certificate: str, reason: int) -> None:
    """A council member (the founder bank, anvil's key 1) suspends ``certificate``: a hold only the council lifts."""
    receipt = site.consortium.cert_tx(1, "suspend", bytes.fromhex(certificate[2:]), reason)
    for _ in range(300):
        if site.index() >= receipt.block_number:
            return
        time.sleep(0.1)
    raise AssertionError(f"block {receipt.block_number} was not indexed")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_lifting_a_council_suspension_is_refused_with_the_registrys_words(browser: Any, site: Site, lang: str) -> None:
    (certificate,) = site.issue_singles(1, f"council-{lang}")
    council_suspends(site, certificate, 5)
    page = sign_in(browser, site, site.key, lang=lang)
    page.wait_for_selector(f".change-status[data-id='{certificate}']")
    status = {"en": "Suspended (fraud)", "de": "Ausgesetzt (Betrug)"}[lang]
    assert page.inner_text(f"tr[data-id='{certificate}'] .cert-status") == status
    _change(page, certificate, "reinstate", {"en": "unspecified", "de": "ohne Angabe"}[lang])
    page.wait_for_selector("#change-message .refused", timeout=60_000)
    assert page.inner_text("#change-message .problem-title") == REFUSALS[lang]["council"]
    assert page.inner_text("#change-message .problem-detail").startswith("CertificateRegistryCouncilSuspension(")
    assert site.verdict_of(certificate) == "SUSPENDED"
    screenshot(page, f"console-council-suspension-{lang}")
    page.close()


def test_the_keyboard_alone_signs_in_and_opens_the_file_chooser(browser: Any, site: Site) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    chosen: list[str] = []

    def choose(chooser: Any) -> None:
        chosen.append(chooser.element.get_attribute("id"))
        chooser.set_files([str(site.demo / "originals" / "fabric-batch-0042.txt")])

    page.on("filechooser", choose)
    page.goto(site.base + "/console")
    page.wait_for_selector("#api-key")
    assert page.evaluate("document.activeElement.id") == "api-key"
    page.keyboard.type(site.key)
    page.keyboard.press("Enter")
    page.wait_for_selector("#issuer-name")
    page.focus("#signout")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "console-drop"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.wait_for_selector("#file-0")
    assert chosen == ["console-file"]
    assert page.input_value("#file-0-name") == "fabric-batch-0042.txt"
    page.close()


def test_the_zip_writer_stores_any_names_and_bytes_that_python_reads_back(browser: Any, site: Site) -> None:
    """The console's store-only ZIP: UTF-8 names (flag 0x0800), an empty entry, binary bytes, each with its CRC-32."""
    entries = {
        "Zeugnis Müller 2026.originals.json": b"{}\n",
        "leer.json": b"",
        "bytes.bin": bytes(range(256)),
    }
    page = browser.new_page()
    page.goto(site.base + "/console")
    page.wait_for_selector("#api-key")
    zipped = page.evaluate(
        """async (entries) => {
            const blob = window.originalsZip.storedZip(entries.map(([name, b64]) => ({
                name, data: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) })));
            return Array.from(new Uint8Array(await blob.arrayBuffer()));
        }""",
        [[name, base64.b64encode(data).decode()] for name, data in entries.items()],
    )
    with zipfile.ZipFile(io.BytesIO(bytes(zipped))) as archive:
        assert archive.testzip() is None
        assert {i.filename: archive.read(i) for i in archive.infolist()} == entries
        assert [i.flag_bits & 0x0800 for i in archive.infolist()] == [0x0800] * 3
    assert page.evaluate("window.originalsZip.crc32(new TextEncoder().encode('123456789'))") == 0xCBF43926
    page.close()
