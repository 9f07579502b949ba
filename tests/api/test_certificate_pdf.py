"""PDF certificates: ``POST /pdf`` (a wrapped document, attached), ``GET /c/{id}.pdf`` (what the index knows) and
``POST /verify/pdf`` (the attached document, verified as ``POST /verify/document`` verifies it).

Each PDF is read back as a reader would: its attachment (the document, byte for byte as JSON), its text (pdftotext),
its PDF/A identification, its fonts (embedded), and its first page as a PNG (pdftoppm), saved under
``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pikepdf
import pytest
from fastapi.testclient import TestClient
from support.api_scenario import Scenario

from api.main import create_app
from ledger.certificate_pdf import ATTACHMENT_NAME
from ledger.config import Settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PROBLEM = "application/problem+json"
POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(
    not POPPLER and not os.environ.get("CI"), reason="no poppler-utils (make browser installs it)"
)


@pytest.fixture(scope="module")
def client(sqlite_indexed: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_indexed)) as test_client:
        yield test_client


def when(unix: int) -> str:
    """The time as an English reader in the consortium reads it, computed here without Babel: Berlin, with the zone."""
    berlin = datetime.fromtimestamp(unix, UTC).astimezone(ZoneInfo("Europe/Berlin"))
    return berlin.strftime("%b %-d, %Y, %-I:%M %p %Z")


def text_of(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, with runs of white space made one space."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(out.decode().split())


def attachment(pdf: bytes) -> Any:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        files = doc.attachments
        assert list(files) == [ATTACHMENT_NAME]
        spec = files[ATTACHMENT_NAME]
        assert spec.obj.AFRelationship == pikepdf.Name.Source
        assert doc.Root.AF[0].objgen == spec.obj.objgen
        assert spec.get_file().mime_type == "application/json"
        return orjson.loads(spec.get_file().read_bytes())


def assert_pdfa_with_embedded_fonts(pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        meta = doc.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "B")
        fonts = doc.pages[0].Resources.Font
        names = sorted(str(fonts[key].BaseFont).split("+", 1)[1] for key in fonts)
        assert names == ["DejaVuSansBold", "DejaVuSansBook", "DejaVuSansMonoBook"]
        for key in fonts:
            descriptor = fonts[key].DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor, f"{key} is not embedded"


def assert_pdf_problem(response: Any, status: int, title: str, detail: str, instance: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert (body["title"], body["status"], body["detail"], body["instance"]) == (title, status, detail, instance)


@needs_poppler
def test_pdf_of_a_document_shows_the_original_and_carries_the_document(client: TestClient, scenario: Scenario) -> None:
    case = scenario.cases["wrapped-single"]
    partner = scenario.partner("ministry")
    response = client.post("/pdf", json=case.document)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content
    assert attachment(pdf) == case.document
    assert_pdfa_with_embedded_fonts(pdf)
    verified = client.post("/verify/document", json=case.document).json()
    certificate = verified["certificate"]
    text = text_of(pdf)
    for expected in (
        "Certificate of an original",
        "VALID issued, not revoked, not suspended, not expired",
        "Original Town charter of 1848",
        "Kind document",
        "box 12",
        f"Fingerprint {case.fingerprint}",
        f"Issuer {partner.name} ({partner.org_type.name.replace('_', ' ').lower()})",
        f"Issuer address {partner.address.lower()}",
        f"Issued {when(certificate['issued_at'])}",
        "Valid until no expiry",
        f"Status VALID since {when(certificate['issued_at'])}",
        f"Read at indexed block {scenario.head}",
        f"Certificate {certificate['id']}",
        f"Verify at http://127.0.0.1:8000/c/{certificate['id']}",
        f"The certificate document is attached to this PDF ({ATTACHMENT_NAME})",
    ):
        assert expected in text, f"{expected!r} not in {text!r}"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-", str(ARTIFACTS / "certificate-pdf")],
        input=pdf,
        check=True,
    )
    assert (ARTIFACTS / "certificate-pdf.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_same_certificate_gives_the_same_bytes(client: TestClient, scenario: Scenario) -> None:
    document = scenario.cases["public-batch-0"].document
    first, second = client.post("/pdf", json=document), client.post("/pdf", json=document)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    case = scenario.cases["revoked"]
    by_id = [client.get(f"/c/{case.id}.pdf").content for _ in range(2)]
    assert by_id[0] == by_id[1]
    assert by_id[0][:8] == b"%PDF-1.7"


@needs_poppler
def test_pdf_of_an_id_shows_the_status_the_certificate_page_shows_and_carries_no_document(
    client: TestClient, scenario: Scenario
) -> None:
    case = scenario.cases["revoked"]
    partner = scenario.partner(case.issuer or "")
    page = client.get(f"/verify/certificate/{case.id}").json()
    assert page["verdict"] == "REVOKED"
    response = client.get(f"/c/{case.id}.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'inline; filename="certificate-{case.id}.pdf"'
    pdf = response.content
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert dict(doc.attachments) == {}
    assert_pdfa_with_embedded_fonts(pdf)
    status = next(c for c in page["checks"] if c["name"] == "ISSUANCE_STATUS")
    text = text_of(pdf)
    for expected in (
        f"REVOKED {status['reason']}",
        f"Issuer {partner.name}",
        f"Issued {when(page['certificate']['issued_at'])}",
        f"Status REVOKED since {when(status['details']['at'])}",
        f"Certificate {case.id}",
        "This PDF carries no certificate document",
    ):
        assert expected in text, f"{expected!r} not in {text!r}"
    assert "Original " not in text


def test_unknown_certificate_id_is_a_404_problem(client: TestClient) -> None:
    unknown = "0x" + "00" * 31 + "01"
    assert_pdf_problem(
        client.get(f"/c/{unknown}.pdf"),
        404,
        "Certificate not found",
        "no certificate with this id or document in the index",
        f"/c/{unknown}.pdf",
    )


def test_a_tampered_or_unissued_document_gets_no_pdf(client: TestClient, scenario: Scenario) -> None:
    assert_pdf_problem(
        client.post("/pdf", json=scenario.cases["tampered-field"].document),
        422,
        "Invalid certificate document",
        "the fields do not hash to the document's target hash (a field was changed)",
        "/pdf",
    )
    assert_pdf_problem(
        client.post("/pdf", json=scenario.cases["forged"].document),
        404,
        "Certificate not found",
        "no certificate with this id or document in the index",
        "/pdf",
    )


@pytest.mark.parametrize("name", ["wrapped-single", "public-batch-1", "wrapped-single-hidden"])
def test_verify_pdf_answers_what_verify_document_answers(client: TestClient, scenario: Scenario, name: str) -> None:
    document = scenario.cases[name].document
    pdf = client.post("/pdf", json=document).content
    by_pdf = client.post("/verify/pdf", files={"file": ("certificate.pdf", pdf, "application/pdf")})
    assert by_pdf.status_code == 200, by_pdf.text
    assert by_pdf.json() == client.post("/verify/document", json=document).json()
    assert by_pdf.json()["verdict"] == {"public-batch-1": "REVOKED"}.get(name, "VALID")


def test_verify_pdf_refuses_a_pdf_without_a_document_and_what_is_no_pdf(client: TestClient, scenario: Scenario) -> None:
    summary = client.get(f"/c/{scenario.cases['valid-single'].id}.pdf").content
    assert_pdf_problem(
        client.post("/verify/pdf", files={"file": ("c.pdf", summary, "application/pdf")}),
        422,
        "Invalid PDF certificate",
        "the PDF carries no certificate document (no JSON attachment)",
        "/verify/pdf",
    )
    assert_pdf_problem(
        client.post("/verify/pdf", files={"file": ("c.pdf", b"%PDF-1.7 not really", "application/pdf")}),
        422,
        "Invalid PDF certificate",
        "not a readable PDF (PdfError)",
        "/verify/pdf",
    )


@needs_poppler
def test_a_printed_and_scanned_certificate_verifies_through_its_qr_code(client: TestClient, scenario: Scenario) -> None:
    """Paper in, verdict out: the PDF's first page as an image (what a scan of a print gives), its QR code read back,
    and the link it holds leads to the certificate's page and verdict: the revoked certificate verifies as REVOKED."""
    import zxingcpp
    from PIL import Image

    case = scenario.cases["revoked"]
    pdf = client.get(f"/c/{case.id}.pdf").content
    scan = subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(scan)))
    assert [(code.format, code.text) for code in codes] == [
        (zxingcpp.BarcodeFormat.QRCode, f"http://127.0.0.1:8000/c/{case.id}")
    ]
    path = codes[0].text.removeprefix("http://127.0.0.1:8000")
    page = client.get(path)
    assert (page.status_code, page.headers["content-type"]) == (200, "text/html; charset=utf-8")
    certificate_id = path.removeprefix("/c/")
    assert client.get(f"/verify/certificate/{certificate_id}").json()["verdict"] == "REVOKED"
