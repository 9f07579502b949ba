"""Reading a PDF certificate's document back (:func:`ledger.certificate_pdf.extract_document`) from a PDF anyone may
upload: bounded, and every failure a :class:`PdfError` naming what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.certificate_pdf import CertificateSheet, PdfError, extract_document, render

FONTS = Path(__file__).resolve().parents[2] / "node_modules" / "dejavu-fonts-ttf" / "ttf"


def pdf_carrying(document: bytes | None) -> bytes:
    sheet = CertificateSheet(
        certificate_id="0x" + "ab" * 32,
        verdict="VALID",
        status_reason="issued, not revoked, not suspended, not expired",
        link="https://originals.example/c/0x" + "ab" * 32,
        indexed_block=7,
        issued_at=1_700_000_000,
        document=document,
    )
    return render(sheet, FONTS)


def test_the_attached_document_is_read_back() -> None:
    assert extract_document(pdf_carrying(b'{"version": "originals/wrapped/2"}'), 1000) == {
        "version": "originals/wrapped/2"
    }


def test_an_attachment_that_inflates_past_the_limit_is_refused_without_inflating_it_whole() -> None:
    with pytest.raises(PdfError, match=r"^the certificate document is larger than the 1,000-byte limit$"):
        extract_document(pdf_carrying(b'"' + b"0" * 5_000_000 + b'"'), 1000)


def test_an_attachment_that_is_not_json_is_refused() -> None:
    with pytest.raises(PdfError, match=r"^the PDF's attachment is not JSON$"):
        extract_document(pdf_carrying(b"not json"), 1000)


def test_a_pdf_without_attachment_and_bytes_that_are_no_pdf_are_refused() -> None:
    with pytest.raises(PdfError, match=r"^the PDF carries no certificate document \(no JSON attachment\)$"):
        extract_document(pdf_carrying(None), 1000)
    with pytest.raises(PdfError, match=r"^not a readable PDF \(PdfError\)$"):
        extract_document(b"%PDF-1.7\n%%EOF", 1000)


def test_the_same_sheet_renders_the_same_bytes() -> None:
    assert pdf_carrying(b"{}") == pdf_carrying(b"{}")
