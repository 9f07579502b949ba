"""GS1 Digital Link identifiers: a GTIN and a serial as the provenance registry's identifier, for clients that cannot
hash (the page's script has SHA-256 from the browser, but no keccak256). The logic is :mod:`ledger.digital_link`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.schemas import DigitalLinkPublic
from ledger.digital_link import digital_link

router = APIRouter(tags=["provenance"])


@router.get("/digital-link", response_model=DigitalLinkPublic)
def digital_link_identifier(
    request: Request,
    gtin: Annotated[str, Query(max_length=14, description="a GTIN-8, -12, -13 or -14 with its check digit")],
    serial: Annotated[str, Query(max_length=20, description="the serial number (GS1 AI 21), 1-20 characters")],
) -> dict[str, Any]:
    """A GTIN and a serial as a GS1 Digital Link: its canonical URI, this server's link and its QR code, and the
    identifier originals are registered under (a wrong check digit or serial: 422)."""
    link = digital_link(gtin, serial)
    return {
        "gtin": link.gtin,
        "serial": link.serial,
        "uri": link.uri,
        "link": link.on(request.app.state.settings.public_base_url),
        "identifier": link.identifier,
        "qr": link.path + "/qr.svg",
    }
