"""The provenance of an original as a GS1 EPCIS 2.0 JSON-LD document. The logic is :mod:`ledger.epcis`."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response

from api.deps import ConnectionDep
from api.vocabulary import Hex32Path
from ledger import epcis

router = APIRouter(tags=["provenance"])

LinkQuery = Annotated[
    str | None,
    Query(
        max_length=400,
        pattern=r"^(https?://[^/?#]+)?(/[^/?#]*)*/01/[0-9]{8,14}/21/[^/?#]+([/?#].*)?$",
        description="the original's GS1 Digital Link URI (any resolver), when known: the EPC of its events then; "
        "it must be the link the original was registered under",
    ),
]

EPCIS_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "an EPCIS 2.0 document (GS1's EPCIS JSON schema); each eventID is the event's GS1 event hash",
        "content": {
            epcis.MEDIA_TYPE: {
                "schema": {
                    "type": "object",
                    "required": ["@context", "type", "schemaVersion", "creationDate", "epcisBody"],
                    "properties": {
                        "@context": {"type": "array"},
                        "type": {"type": "string", "enum": ["EPCISDocument"]},
                        "schemaVersion": {"type": "string", "enum": ["2.0"]},
                        "creationDate": {"type": "string", "format": "date-time"},
                        "epcisBody": {
                            "type": "object",
                            "required": ["eventList"],
                            "properties": {"eventList": {"type": "array", "items": {"type": "object"}}},
                        },
                    },
                }
            }
        },
    }
}


@router.get("/originals/{original_id}/epcis", response_class=Response, responses=EPCIS_ANSWER)
def original_epcis(original_id: Hex32Path, conn: ConnectionDep, link: LinkQuery = None) -> Response:
    """An original's provenance as an EPCIS 2.0 JSON-LD document, each event named by its GS1 event hash."""
    document = epcis.export(conn, original_id, link)
    return Response(orjson.dumps(document), media_type=epcis.MEDIA_TYPE)
