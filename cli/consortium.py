"""The consortium from the terminal: ``partners`` lists who is in it, of which kind, with which rights."""

from __future__ import annotations

import argparse
from typing import Any

from cli._shell import api_client, api_options


def cmd_partners(args: argparse.Namespace) -> int:
    """List the consortium's partners."""
    client = api_client(args)
    try:
        page = client.get("/partners", type=args.type, status=args.status, limit=500)
    finally:
        client.close()
    for p in page["data"]:
        print(
            f"{p['address']}  {p['status']:<9} {p['org_type']:<21} {','.join(p['rights']) or '-':<14} "
            f"{p['display_name']} ({p['domain']})"
        )
    print(f"{len(page['data'])} partner(s), indexed to block {page['indexed_block']}")
    return 0


def register(commands: Any) -> None:
    partners = commands.add_parser("partners", help="list the consortium's partners")
    partners.add_argument("--type", help="organisation type, e.g. UNIVERSITY")
    partners.add_argument("--status", help="e.g. ACTIVE")
    api_options(partners)
    partners.set_defaults(handler=cmd_partners)
