"""``originals provenance ID --epcis``: an original's provenance as a GS1 EPCIS 2.0 JSON-LD document, printed as
``GET /originals/{id}/epcis`` answers it (:mod:`ledger.epcis` builds it). The options live on the ``provenance``
command (:mod:`cli.provenance`); this module prints the document."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli._shell import api_client


def print_epcis(args: argparse.Namespace) -> int:
    """Fetch the original's EPCIS document from the API and print it (indented JSON-LD)."""
    import orjson

    client = api_client(args)
    try:
        document: dict[str, Any] = client.get(f"/originals/{args.original}/epcis", link=args.link)
    finally:
        client.close()
    sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    return 0
