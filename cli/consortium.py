"""The consortium from the terminal: ``partners`` lists who is in it, of which kind, with which rights; ``partner``
shows one, with its applications and the proposals about it (what an applicant follows after ``originals apply``)."""

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


def cmd_partner(args: argparse.Namespace) -> int:
    """One partner: its standing, its applications and every proposal about it (an applicant follows its admission)."""
    from cli.governance import proposal_line

    client = api_client(args)
    try:
        history = client.get(f"/partners/{args.address}/governance")
    finally:
        client.close()
    rights = ",".join(history["rights"]) or "-"
    print(f"{history['address']}  {history['display_name']}  {history['status']}  rights {rights}")
    for application in history["applications"]:
        print(
            f"  applied in block {application['block_number']} as {application['display_name']} "
            f"({application['org_type']}, {application['domain']})"
        )
    about = history["proposals_about"]
    print(f"  {len(about)} proposal(s) about it" + (":" if about else ""))
    for proposal in about:
        print(f"  {proposal_line(proposal)}")
    print(f"indexed to block {history['indexed_block']}")
    return 0


def register(commands: Any) -> None:
    partners = commands.add_parser("partners", help="list the consortium's partners")
    partners.add_argument("--type", help="organisation type, e.g. UNIVERSITY")
    partners.add_argument("--status", help="e.g. ACTIVE")
    api_options(partners)
    partners.set_defaults(handler=cmd_partners)
    partner = commands.add_parser(
        "partner", help="one partner: its standing, its applications and the proposals about it"
    )
    partner.add_argument("address", help="the partner's address (0x...)")
    api_options(partner)
    partner.set_defaults(handler=cmd_partner)
