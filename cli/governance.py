"""The consortium from the terminal, for its three roles: ``apply`` (an applicant), ``council proposals | propose |
vote | execute`` (a council member; executing is anyone's), and ``leave`` (a partner).

Every write is an EIP-712 signed action: the API prepares the typed data (the registry's nonce for the signer and a
deadline), this command signs it here with the signer's encrypted keystore (``--keystore`` or
``ORIGINALS_SIGNER_KEYSTORE``; the password from ``ORIGINALS_SIGNER_PASSWORD`` or asked for on a terminal), and the
API's relayer sends it and pays the gas. The key never leaves this machine. Success is one line naming the block and
the transaction; a refusal is one line naming the contract's error and its arguments, and exit 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cli._shell import api_client, api_options
from cli._signing import ZERO_HASH, address, hex32, metadata, mined_line, relay, signing_options
from ledger.errors import LedgerError
from ledger.i18n import gettext as _

if TYPE_CHECKING:
    from cli.client import ApiClient


PROPOSALS = {
    # command word: (ProposalKind name, signed action)
    "admit": ("ADMIT", "Propose"),
    "suspend": ("SUSPEND", "Propose"),
    "reinstate": ("REINSTATE", "Propose"),
    "expel": ("EXPEL", "Propose"),
    "grant": ("GRANT_RIGHTS", "Propose"),
    "withdraw": ("WITHDRAW_RIGHTS", "Propose"),
    "compromised": ("SET_COMPROMISED", "Propose"),
    "details": ("CHANGE_DETAILS", "ProposeDetails"),
    "revoke-certificate": ("REVOKE_CERTIFICATE", "ProposeCertificateDecision"),
    "lift-suspension": ("LIFT_CERTIFICATE_SUSPENSION", "ProposeCertificateDecision"),
}
"""What ``originals council propose WORD`` proposes, and with which signed action."""


def _org_type(value: str) -> int:
    """An organisation type by name: ``SME``, ``university``, ``PublicAdministration``, ``public-administration``."""
    from ledger.events import OrganisationType

    key = value.replace("-", "_").upper()
    by_camel = {n.replace("_", ""): t for n, t in OrganisationType.__members__.items()}
    found = OrganisationType.__members__.get(key) or by_camel.get(key.replace("_", ""))
    if found is None:
        raise argparse.ArgumentTypeError(
            _("unknown type {value}; one of {types}", value=repr(value), types=", ".join(OrganisationType.__members__))
        )
    return int(found)


def _rights(value: str) -> int:
    from ledger.deployments import RIGHTS

    bits = 0
    for name in (n.strip().lower() for n in value.split(",") if n.strip()):
        if name not in RIGHTS:
            raise argparse.ArgumentTypeError(
                _("unknown right {name}; one of {rights}", name=repr(name), rights=", ".join(RIGHTS))
            )
        bits |= RIGHTS[name]
    return bits


def _details(args: argparse.Namespace) -> dict[str, Any]:
    missing = [f"--{n}" for n in ("name", "domain", "type") if getattr(args, n) is None]
    if missing:
        raise LedgerError(_("needs {options}", options=", ".join(missing)))
    return {
        "orgType": args.type,
        "displayName": args.name,
        "domain": args.domain,
        "metadataHash": metadata(args.metadata),
    }


def cmd_apply(args: argparse.Namespace) -> int:
    """Apply for membership of the consortium (a signed Apply action)."""
    answer = relay(args, "Apply", lambda _signer: "/applications", **_details(args))
    print(
        _("application of {signer} ({name}) {mined}", signer=answer["signer"], name=args.name, mined=mined_line(answer))
    )
    print(_("follow it: originals partner {signer}", signer=answer["signer"]))
    return 0


def cmd_leave(args: argparse.Namespace) -> int:
    """Leave the consortium (a signed Leave action)."""
    answer = relay(args, "Leave", lambda signer: f"/partners/{signer}/leave")
    print(_("leave of {signer} {mined}", signer=answer["signer"], mined=mined_line(answer)))
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    """Propose a council decision (a signed Propose, ProposeDetails or ProposeCertificateDecision action)."""
    from ledger.events import ProposalKind

    kind_name, action = PROPOSALS[args.kind]
    kind = int(ProposalKind[kind_name])
    proof: list[str] = []
    if action == "ProposeCertificateDecision":
        if args.certificate is None or args.reason is None:
            raise LedgerError(_("{kind} needs --certificate ID and --reason CODE", kind=args.kind))
        proof = args.proof or []
        fields: dict[str, Any] = {"kind": kind, "id": args.certificate, "leaf": args.leaf or ZERO_HASH}
        fields["reason"] = args.reason
        about = _("certificate {certificate}", certificate=args.certificate)
    else:
        if args.subject is None:
            raise LedgerError(_("{kind} needs the partner's address", kind=args.kind))
        about = args.subject
        if action == "ProposeDetails":
            fields = {"subject": args.subject, **_details(args)}
        else:
            fields = {"kind": kind, "subject": args.subject, "rights": args.rights, "cutoff": args.cutoff}
    answer = relay(args, action, lambda _signer: "/proposals", proof, **fields)
    said = _(
        "proposal {proposal} ({kind} {about}) {mined}",
        proposal=answer["proposal_id"],
        kind=args.kind,
        about=about,
        mined=mined_line(answer),
    )
    print(said)
    return 0


def cmd_vote(args: argparse.Namespace) -> int:
    """Vote yes or no on a proposal (a signed Vote action)."""
    pid = args.proposal
    answer = relay(args, "Vote", lambda _signer: f"/proposals/{pid}/votes", proposalId=pid, support=args.vote == "yes")
    print(_("vote {vote} on proposal {proposal} {mined}", vote=args.vote, proposal=pid, mined=mined_line(answer)))
    return 0


def cmd_execute(args: argparse.Namespace) -> int:
    """Carry out a proposal that has its majority (a signed Execute action; anyone may)."""
    pid = args.proposal
    answer = relay(args, "Execute", lambda _signer: f"/proposals/{pid}/execute", proposalId=pid)
    print(_("execute proposal {proposal} {mined}", proposal=pid, mined=mined_line(answer)))
    return 0


def _all_proposals(client: ApiClient, status: str | None) -> tuple[list[dict[str, Any]], int | None]:
    proposals: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get("/proposals", status=status, cursor=cursor, limit=500)
        proposals.extend(page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            return proposals, page["indexed_block"]


def proposal_line(p: dict[str, Any]) -> str:
    """One proposal in one line: id, kind, status, the tally and the majority needed now, the deadline, the subject."""
    from ledger.words import moment

    subject = p.get("subject_name") or p["subject"]
    tally = _(
        "yes {yes} no {no} (needs {needed})  until {deadline}",
        yes=p["yes_votes"],
        no=p["no_votes"],
        needed=p["required_now"],
        deadline=moment(p["deadline"]),
    )
    return f"{p['proposal_id']:>5}  {p['kind']:<27} {p['status']:<8} {tally}  {subject}"


def cmd_proposals(args: argparse.Namespace) -> int:
    """List the council's proposals, newest first (``--open``: only those still open)."""
    client = api_client(args)
    try:
        proposals, indexed = _all_proposals(client, "open" if args.open else None)
    finally:
        client.close()
    if args.json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(proposals, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    for p in proposals:
        print(proposal_line(p))
    print(_("{count} proposal(s), indexed to block {block}", count=len(proposals), block=indexed))
    return 0


def _details_options(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument("--name", required=required, help=_("display name"))
    parser.add_argument("--domain", required=required, help=_("web domain, e.g. mill.example"))
    parser.add_argument(
        "--type", required=required, type=_org_type, help=_("organisation type, e.g. SME, UNIVERSITY, NGO")
    )
    parser.add_argument("--metadata", help=_("a 32-byte metadata hash (0x...), or a file whose SHA-256 is taken"))


def register(commands: Any) -> None:
    apply = commands.add_parser("apply", help=_("apply for membership of the consortium (signed with your keystore)"))
    _details_options(apply, required=True)
    signing_options(apply)
    apply.set_defaults(handler=cmd_apply)

    council = commands.add_parser("council", help=_("council proposals: list, propose, vote, execute"))
    actions = council.add_subparsers(dest="council_command", required=True, metavar="ACTION")

    listing = actions.add_parser("proposals", help=_("list the council's proposals, newest first"))
    listing.add_argument("--open", action="store_true", help=_("only proposals still open for votes"))
    listing.add_argument("--json", action="store_true", help=_("print the API's proposal objects as JSON"))
    api_options(listing)
    listing.set_defaults(handler=cmd_proposals)

    propose = actions.add_parser("propose", help=_("propose a council decision (signed with your keystore)"))
    propose.add_argument("kind", choices=list(PROPOSALS), metavar="KIND", help=", ".join(PROPOSALS))
    propose.add_argument(
        "subject", nargs="?", type=address, metavar="ADDRESS", help=_("the partner's address (not for certificates)")
    )
    propose.add_argument(
        "--rights", type=_rights, default=0, help=_("admit, grant, withdraw: rights, e.g. issuer or issuer,council")
    )
    propose.add_argument("--cutoff", type=int, default=0, help=_("expel, compromised: compromise cut-off, Unix time"))
    _details_options(propose, required=False)
    propose.add_argument("--certificate", type=hex32, help=_("revoke-certificate, lift-suspension: the certificate id"))
    propose.add_argument("--leaf", type=hex32, help=_("one document of the certificate (its target hash)"))
    propose.add_argument(
        "--proof",
        type=lambda v: [hex32(p) for p in v.split(",") if p],
        help=_("the document's Merkle proof, comma-separated"),
    )
    propose.add_argument("--reason", type=int, help=_("revoke-certificate, lift-suspension: reason code"))
    signing_options(propose)
    propose.set_defaults(handler=cmd_propose)

    vote = actions.add_parser("vote", help=_("vote on a proposal (signed with your keystore)"))
    vote.add_argument("proposal", type=int, metavar="ID")
    vote.add_argument("vote", choices=["yes", "no"])
    signing_options(vote)
    vote.set_defaults(handler=cmd_vote)

    execute = actions.add_parser("execute", help=_("carry out a proposal that has its majority (anyone may)"))
    execute.add_argument("proposal", type=int, metavar="ID")
    signing_options(execute)
    execute.set_defaults(handler=cmd_execute)

    leave = commands.add_parser("leave", help=_("leave the consortium (signed with your keystore)"))
    signing_options(leave)
    leave.set_defaults(handler=cmd_leave)
