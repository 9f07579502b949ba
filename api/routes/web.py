"""The web page: one HTML shell and its script and style, served locally (no CDN, no framework), and QR codes.

Pages: ``/`` verify, ``/c/{id}`` a certificate (QR code, printable), ``/directory`` partners, ``/p/{address}`` a
partner with its governance history, ``/browse`` latest certificates, ``/council/proposals`` council proposals and
``/council/proposals/{id}`` one proposal (not ``/proposals``: that is the JSON API's) with its vote and execute
buttons, ``/council/propose`` a council member's proposal form, ``/apply`` the application form, ``/console`` the
issuer console (sign in with an issuer API key; issue, download, suspend, reinstate, revoke), ``/originals/{id}`` an
original's provenance, ``/01/{gtin}/21/{serial}`` the GS1 Digital Link resolver (the originals registered under that
GTIN and serial, with the link's QR code), ``/docs`` the API's Swagger UI. The script calls the JSON API of this same
server; the forms and buttons sign with the visitor's own browser wallet (EIP-1193), never with a key the page holds;
the console sends the issuer's API key, which stays in the browser tab.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path as FilePath
from typing import Annotated

import segno
from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import FileResponse

from api.problems import Problem
from api.vocabulary import AddressPath, Hex32Path
from ledger.digital_link import DigitalLink, InvalidDigitalLink, digital_link
from ledger.i18n import gettext as _

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


@router.get("/originals/{original_id}")
def original_page(original_id: Hex32Path) -> FileResponse:
    return _page()


def _digital_link(gtin: str, serial: str) -> DigitalLink:
    """The link of a resolver path, or a 404 problem: a wrong GTIN or serial names no trade item (the same path with
    another check digit is another item, not a malformed request for this one)."""
    try:
        return digital_link(gtin, serial)
    except InvalidDigitalLink as error:
        raise Problem(404, _("Not found"), str(error)) from error


def _svg(link: str) -> Response:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False)
    return Response(buffer.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/01/{gtin}/21/{serial:path}/qr.svg")
def digital_link_qr_code(gtin: str, serial: str, request: Request) -> Response:
    """The QR code of this server's URI of the GS1 Digital Link (``DigitalLink.on``): GS1 Digital Link in form, so a
    GS1 scanner reads the GTIN and serial from it, and a phone opens this server's page of the originals.

    The base URL is the configured public one, never the request's Host header (see :func:`qr_code`).
    """
    return _svg(_digital_link(gtin, serial).on(request.app.state.settings.public_base_url))


@router.get("/01/{gtin}/21/{serial:path}")
def digital_link_page(gtin: str, serial: str) -> FileResponse:
    """The resolver: a serial may hold a ``/`` (GS1's character set 82 has it), hence the path converter."""
    _digital_link(gtin, serial)
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
    return _svg(f"{request.app.state.settings.public_base_url}/c/{certificate_id.lower()}")
