"""PDF certificates: ``GET /c/{id}.pdf`` for a certificate as the index judges it, ``POST /pdf`` for a wrapped
certificate document, which the PDF then carries as its attachment.

The server never keeps certificate documents (the issuer hands them to the holder), so the PDF of an id shows what the
index knows (issuer, dates, status, the fingerprint of a single certificate) and carries no document; the holder of a
document posts it to get the full PDF, with the original's revealed fields and the document embedded. The pages are
made by :mod:`ledger.certificate_pdf`; the verification link comes from the configured public base URL, never from
the request (see ``/qr/{id}.svg``).
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from api.deps import FactsDep, SettingsDep
from api.problems import Problem
from api.routes.verify import DOCUMENT_REQUEST, DocumentBody, verified_document
from api.vocabulary import Hex32Path
from ledger import certificate_pdf
from ledger.config import Settings
from ledger.i18n import gettext as _
from ledger.verification import service as verifier
from ledger.verification.rules import CheckStatus, Verification

router = APIRouter(tags=["certificates"])
PDF_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}, "description": "PDF/A-3B"}
}


def _pdf(settings: Settings, verification: Verification, block: int | None, document: Any = None) -> Response:
    facts = verification.facts
    if facts is None or not facts.issued:
        raise Problem(404, _("Certificate not found"), _("no certificate with this id or document in the index"))
    shown = facts.id if facts.leaf == facts.root or document is not None else facts.leaf
    link = f"{settings.public_base_url}/c/{shown}"
    attached = None if document is None else orjson.dumps(document, option=orjson.OPT_INDENT_2)
    sheet = certificate_pdf.sheet(verification, link, block, document, attached)
    try:
        content = certificate_pdf.render(sheet, settings.pdf_font_dir)
    except certificate_pdf.FontsMissing as exc:
        raise Problem(503, _("PDF fonts missing"), str(exc)) from None
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{shown}.pdf"', "Cache-Control": "no-store"},
    )


@router.get("/c/{certificate_id}.pdf", response_class=Response, responses=PDF_ANSWER)
def certificate_pdf_of_id(certificate_id: Hex32Path, source: FactsDep, settings: SettingsDep) -> Response:
    """The PDF/A-3 certificate of a certificate id (or a published document's leaf), as the certificate page shows
    it; without the certificate document, which only its holder has (``POST /pdf`` for that)."""
    with source.session() as snapshot:
        verification = verifier.by_id(snapshot, certificate_id, int(time.time()))
        block = snapshot.indexed_block()
    return _pdf(settings, verification, block)


@router.post(
    "/pdf",
    response_class=Response,
    responses=PDF_ANSWER,
    openapi_extra=DOCUMENT_REQUEST,
)
def certificate_pdf_of_document(
    request: Request,
    source: FactsDep,
    settings: SettingsDep,
    document: DocumentBody,
) -> Response:
    """The PDF/A-3 certificate of a wrapped document, with the original's revealed fields and the document attached.
    A document that is not intact, or whose certificate the index does not hold, gets no PDF (422, 404)."""
    verification, block = verified_document(request, source, document)
    integrity = next(c for c in verification.checks if c.name == "DOCUMENT_INTEGRITY")
    if integrity.status is not CheckStatus.VALID:
        raise Problem(422, _("Invalid certificate document"), integrity.reason)
    return _pdf(settings, verification, block, document)
