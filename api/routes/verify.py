"""Verify an original: by fingerprint, by certificate id, by uploaded file, by wrapped certificate document."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Body, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from api.deps import FactsDep, SettingsDep, SourceQuery, facts_source
from api.problems import Problem
from api.schemas import WRAPPED_DOCUMENT_SCHEMA, VerificationAnswer, VerificationsResult
from api.vocabulary import Hex32Path
from ledger import certificate_pdf
from ledger.documents import DocumentError
from ledger.i18n import format_number
from ledger.i18n import gettext as _
from ledger.verification import service as verifier
from ledger.verification.facts import FactSource
from ledger.verification.rules import Verification
from ledger.verification.sources.chain import ChainFacts

router = APIRouter(prefix="/verify", tags=["verify"])
DocumentBody = Annotated[dict[str, Any], Body(description="a wrapped certificate document (fields may be hidden)")]
DOCUMENT_REQUEST: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": WRAPPED_DOCUMENT_SCHEMA}}}
}
"""The request body of every route that takes a wrapped document, as the OpenAPI document describes it."""
T = TypeVar("T")


def _source_name(source: object) -> str:
    return "chain" if isinstance(source, ChainFacts) else "index"


def result(v: Verification, source: Any, indexed_block: int | None) -> dict[str, Any]:
    f = v.facts
    return {
        "verdict": v.verdict.value,
        "checks": [
            {"name": c.name, "status": c.status.value, "reason": c.reason, "details": c.details} for c in v.checks
        ],
        "certificate": None
        if f is None or not f.issued
        else {
            "id": f.id,
            "root": f.root,
            "leaf": f.leaf,
            "issuer": f.issuer,
            "issued_at": f.issued_at,
            "valid_until": f.valid_until,
            "fingerprint": f.fingerprint,
        },
        "source": _source_name(source),
        "indexed_block": indexed_block,
    }


def fingerprint_answer(fingerprint: str, source: FactSource) -> dict[str, Any]:
    """Every certificate of an original, and the indexed block, from one session of the source (on the index: one
    connection, one statement)."""
    with source.session() as snapshot:
        found = verifier.by_fingerprint(snapshot, fingerprint, int(time.time()))
        block = snapshot.indexed_block()
        provenance = verifier.provenance(snapshot, found, fingerprint)
    return {
        "fingerprint": fingerprint.lower(),
        "verdict": verifier.overall(found).value,
        "results": [result(v, source, block) for v in found],
        "source": _source_name(source),
        "indexed_block": block,
        "provenance": provenance,
    }


def certificate_answer(certificate_id: str, source: FactSource) -> dict[str, Any]:
    with source.session() as snapshot:
        found = verifier.by_id(snapshot, certificate_id, int(time.time()))
        block = snapshot.indexed_block()
        provenance = verifier.provenance(snapshot, [found])
    return result(found, source, block) | {"provenance": provenance}


async def _answer(source: FactSource, lookup: Callable[[str, FactSource], T], key: str) -> T:
    """Run a lookup on the event loop when the source is a local SQLite file (its queries take tens of microseconds,
    less than a thread-pool round trip), otherwise in the thread pool (network round trips, the node, lock waits).

    These are the API's busiest routes: they are ``async def`` so that FastAPI validates and serialises the answer on
    the event loop too (a sync route takes a second thread-pool round trip for that).
    """
    if source.local:
        return lookup(key, source)
    return await run_in_threadpool(lookup, key, source)


def _json(content: dict[str, Any]) -> Response:
    """The answer as JSON bytes straight from orjson (the JSON FastAPI would send, without validating the answer
    against the response model first: these answers are built here from the verification, field by field)."""
    return Response(orjson.dumps(content), media_type="application/json")


@router.get("/fingerprint/{fingerprint}", response_model=VerificationsResult)
async def verify_fingerprint(request: Request, fingerprint: Hex32Path, source: SourceQuery = "index") -> Response:
    """Verify an original by its fingerprint (SHA-256 of its file or serial)."""
    return _json(await _answer(await facts_source(request, source), fingerprint_answer, fingerprint))


@router.get("/certificate/{certificate_id}", response_model=VerificationAnswer)
async def verify_certificate(request: Request, certificate_id: Hex32Path, source: SourceQuery = "index") -> Response:
    """Verify a certificate by its id (keccak256 of issuer and root: it names exactly one certificate), or a published
    document by its leaf. A leaf resolves only inside the certificates that publish it; when certificates of several
    issuers publish it, the answer is a 409 problem naming them (look it up by certificate id instead)."""
    return _json(await _answer(await facts_source(request, source), certificate_answer, certificate_id))


@router.post("/file", response_model=VerificationsResult)
async def verify_file(file: UploadFile, source: FactsDep, settings: SettingsDep) -> dict[str, Any]:
    """Verify an original from its file: hashed as it streams in (nothing is stored), then looked up."""
    digest = hashlib.sha256()
    total = 0
    while chunk := await file.read(1 << 20):
        total += len(chunk)
        if total > settings.max_upload_bytes:
            raise Problem(
                413,
                _("File too large"),
                _("the file is larger than the {limit}-byte limit", limit=format_number(settings.max_upload_bytes)),
            )
        digest.update(chunk)
    return await _answer(source, fingerprint_answer, "0x" + digest.hexdigest())


@router.post(
    "/document",
    response_model=VerificationAnswer,
    openapi_extra=DOCUMENT_REQUEST,
)
def verify_document(
    request: Request,
    source: FactsDep,
    document: DocumentBody,
) -> dict[str, Any]:
    """Verify a wrapped certificate document, also one with hidden fields."""
    return document_answer(request, source, document)


def document_answer(request: Request, source: FactSource, document: Any) -> dict[str, Any]:
    """The answer of a presented wrapped document (the JSON, or the PDF that carries it), with its provenance."""
    verification, block, provenance = judged_document(request, source, document, with_provenance=True)
    return result(verification, source, block) | {"provenance": provenance}


def verified_document(request: Request, source: FactSource, document: Any) -> tuple[Verification, int | None]:
    """A presented wrapped document's verification and the indexed block it was read at (for every route that takes
    a document: the JSON, the PDF that carries it, the PDF certificate made of it)."""
    verification, block, _provenance = judged_document(request, source, document)
    return verification, block


def judged_document(
    request: Request, source: FactSource, document: Any, with_provenance: bool = False
) -> tuple[Verification, int | None, list[dict[str, Any]]]:
    """:func:`verified_document`, and its provenance section when asked for (from the same session)."""
    binding = request.app.state.binding()
    if binding is None:  # fail closed: a document is only ever judged against the deployment the index follows
        raise Problem(
            503,
            _("Deployment unknown"),
            _("verifying a document needs the deployment the index follows; it has none yet"),
        )
    try:
        with source.session() as snapshot:
            verification = verifier.by_document(snapshot, document, int(time.time()), binding)
            block = snapshot.indexed_block()
            provenance = verifier.provenance(snapshot, [verification]) if with_provenance else []
    except DocumentError as exc:
        raise Problem(422, _("Invalid certificate document"), str(exc)) from None
    return verification, block, provenance


@router.post("/pdf", response_model=VerificationAnswer)
async def verify_pdf(request: Request, file: UploadFile, source: FactsDep, settings: SettingsDep) -> dict[str, Any]:
    """Verify a PDF certificate: the certificate document embedded in it is verified as ``POST /verify/document``
    would (a PDF without one is a 422: verify a printed copy through its QR code)."""
    data = bytearray()
    while chunk := await file.read(1 << 20):
        data += chunk
        if len(data) > settings.max_upload_bytes:
            raise Problem(
                413,
                _("File too large"),
                _("the file is larger than the {limit}-byte limit", limit=format_number(settings.max_upload_bytes)),
            )
    try:
        document = await run_in_threadpool(certificate_pdf.extract_document, bytes(data), settings.max_request_bytes)
    except certificate_pdf.PdfError as exc:
        raise Problem(422, _("Invalid PDF certificate"), str(exc)) from None
    return await run_in_threadpool(document_answer, request, source, document)
