"""The consortium from the terminal: ``partners`` lists who is in it, of which kind, with which rights; ``partner``
shows one, with its applications and the proposals about it (what an applicant follows after ``originals apply``)."""

from __future__ import annotations

import argparse
from typing import Any

from cli._shell import api_client, api_options
from ledger.i18n import gettext as _


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
    print(_("{count} partner(s), indexed to block {block}", count=len(page["data"]), block=page["indexed_block"]))
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
    said = _("rights {rights}", rights=rights)
    print(f"{history['address']}  {history['display_name']}  {history['status']}  {said}")
    for application in history["applications"]:
        said = _(
            "applied in block {block} as {name} ({type}, {domain})",
            block=application["block_number"],
            name=application["display_name"],
            type=application["org_type"],
            domain=application["domain"],
        )
        print(f"  {said}")
    about = history["proposals_about"]
    print("  " + _("{count} proposal(s) about it", count=len(about)) + (":" if about else ""))
    for proposal in about:
        print(f"  {proposal_line(proposal)}")
    print(_("indexed to block {block}", block=history["indexed_block"]))
    return 0


def register(commands: Any) -> None:
    partners = commands.add_parser("partners", help=_("list the consortium's partners"))
    partners.add_argument("--type", help=_("organisation type, e.g. UNIVERSITY"))
    partners.add_argument("--status", help=_("e.g. ACTIVE"))
    api_options(partners)
    partners.set_defaults(handler=cmd_partners)
    partner = commands.add_parser(
        "partner", help=_("one partner: its standing, its applications and the proposals about it")
    )
    partner.add_argument("address", help=_("the partner's address (0x...)"))
    api_options(partner)
    partner.set_defaults(handler=cmd_partner)
