"""An original's provenance as a GS1 EPCIS 2.0 JSON-LD document, from the terminal: ``originals export-epcis ID``
prints (or writes) what ``GET /originals/{id}/epcis`` answers (:mod:`ledger.epcis` builds it)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli._shell import api_client, api_options
from cli.governance import _hex32
from ledger.i18n import gettext as _
from ledger.i18n import ngettext


def cmd_export_epcis(args: argparse.Namespace) -> int:
    """Fetch the original's EPCIS document from the API; print it, or write it to ``--output``."""
    import orjson

    client = api_client(args)
    try:
        document: dict[str, Any] = client.get(f"/originals/{args.original}/epcis", link=args.link)
    finally:
        client.close()
    text = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()
    if args.output is None:
        print(text)
        return 0
    Path(args.output).write_text(text + "\n", encoding="utf-8")
    count = len(document["epcisBody"]["eventList"])
    print(
        ngettext(
            "EPCIS document with {count} event written to {path}",
            "EPCIS document with {count} events written to {path}",
            count,
            path=args.output,
        )
    )
    return 0


def register(commands: Any) -> None:
    export = commands.add_parser(
        "export-epcis", help=_("print an original's provenance as a GS1 EPCIS 2.0 JSON-LD document")
    )
    export.add_argument("original", type=_hex32, metavar="ID", help=_("the original's id (0x + 64 hex digits)"))
    export.add_argument("--link", help=_("its GS1 Digital Link URI, when known: the EPC of its events then"))
    export.add_argument("-o", "--output", metavar="FILE", help=_("write the document to FILE instead of printing it"))
    api_options(export)
    export.set_defaults(handler=cmd_export_epcis)
