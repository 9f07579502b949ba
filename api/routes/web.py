"""The web page: one HTML shell and its script and style, served locally (no CDN, no framework), and QR codes.

Pages: ``/`` verify, ``/c/{id}`` a certificate (QR code, printable), ``/directory`` partners, ``/p/{address}`` a
partner with its governance history, ``/browse`` latest certificates, ``/council/proposals`` council proposals and
``/council/proposals/{id}`` one proposal (not ``/proposals``: that is the JSON API's) with its vote and execute
buttons, ``/council/propose`` a council member's proposal form, ``/apply`` the application form, ``/console`` the
issuer console (sign in with an issuer API key; issue, download, suspend, reinstate, revoke), ``/docs`` the API's
Swagger UI. The script calls the JSON API of this same server; the forms and buttons sign with the visitor's own
browser wallet (EIP-1193), never with a key the page holds; the console sends the issuer's API key, which stays in
the browser tab.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path as FilePath
from typing import Annotated

import segno
from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import FileResponse

from api.vocabulary import AddressPath, Hex32Path

STATIC = FilePath(__file__).resolve().parents[1] / "web" / "static"
SWAGGER_UI = FilePath(str(resources.files("fastapi_offline") / "static"))
"""Swagger UI's files (the fastapi-offline package's copy), served under ``/static/swagger-ui``."""
router = APIRouter(include_in_schema=False)


def _page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


@router.get("/")
def verify_page() -> FileResponse:
    return _page()


@router.get("/c/{certificate_id}")
def certificate_page(certificate_id: Hex32Path) -> FileResponse:
    return _page()


@router.get("/p/{address}")
def partner_page(address: AddressPath) -> FileResponse:
    return _page()


@router.get("/directory")
def partners_page() -> FileResponse:
    return _page()


@router.get("/browse")
def certificates_page() -> FileResponse:
    return _page()


@router.get("/council/proposals")
def proposals_page() -> FileResponse:
    return _page()


@router.get("/council/proposals/{proposal_id}")
def proposal_page(proposal_id: Annotated[int, Path(ge=1, le=2**256 - 1)]) -> FileResponse:
    return _page()


@router.get("/council/propose")
def propose_page() -> FileResponse:
    return _page()


@router.get("/apply")
def apply_page() -> FileResponse:
    return _page()


@router.get("/console")
def console_page() -> FileResponse:
    """The issuer console (console.js): the issuer's API key stays in the browser tab, never in this page's URL."""
    return _page()


@router.get("/docs")
def api_docs() -> FileResponse:
    """Swagger UI, from this server's copy of its files (see :data:`SWAGGER_UI`)."""
    return FileResponse(STATIC / "docs.html", media_type="text/html; charset=utf-8")


@router.get("/qr/{certificate_id}.svg")
def qr_code(certificate_id: Hex32Path, request: Request) -> Response:
    """A QR code that links to the certificate's verification page at the configured public base URL.

    Never from the request's Host header: the code is cached for a day by anyone on the way, and a link that a
    request could choose would send verifiers elsewhere.
    """
    link = f"{request.app.state.settings.public_base_url}/c/{certificate_id.lower()}"
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False)
    return Response(buffer.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
