"""Provenance from the terminal: ``provenance ID`` prints an original's owner, holder and disposition (prominently
when it is lost or stolen), its lineage and certificates, and its whole timeline in Berlin time, read through the
API (``GET /originals/{id}/provenance``, every page). ``--json`` prints the API's answer with the whole timeline;
``--epcis`` the original's GS1 EPCIS 2.0 document instead (:mod:`cli.epcis`).

The actions that change an original (transfer, claim, event, report) are other commands; this one only reads.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli._shell import api_client, api_options
from ledger.errors import LedgerError
from ledger.i18n import N_, format_when
from ledger.i18n import gettext as _
from ledger.words import disposition

PAGE = 500
"""Timeline entries asked for per request (the API's largest page)."""

RIGHTS = {"TITLE": N_("title"), "CUSTODY": N_("custody")}
"""What a transfer moves, as a word."""

SENTENCES = {
    "registered": N_("registered by {actor} for the owner {party}"),
    "held_at_registration": N_("held by {party} from its registration"),
    "soulbound": N_("made non-transferable (soulbound)"),
    "certificate_linked": N_("linked to certificate {reference}"),
    "derived": N_("made from original {reference}"),
    "offered": N_("{right} offered by {actor} to {party} until {deadline}"),
    "claim_offered": N_("{right} offered by {actor} to whoever holds the one-time key {party} until {deadline}"),
    "transferred": N_("{right} passed from {actor} to {party}"),
    "claimed": N_("{right} claimed by {actor} with the one-time key {party}"),
    "rejected": N_("{right} offer rejected by {actor}"),
    "cancelled": N_("{right} offer cancelled by {actor}"),
    "event_recorded": N_("{step} recorded by the holder {actor} (happened {occurred})"),
    "event_consented": N_("{step} recorded by {actor} with the consent of the holder {party} (happened {occurred})"),
    "disposition_reported": N_("reported {disposition} by {actor}"),
    "disposition_cleared": N_("{disposition} cleared by {actor}"),
}
"""One sentence per timeline action (``provenance_events.action``)."""


def _when(unix: int | None, block: int) -> str:
    return format_when(unix) if unix is not None else _("block {block}", block=block)


def timeline_line(entry: dict[str, Any]) -> str:
    """One timeline entry as a line: its time in Berlin, then what happened, in the run's language."""
    step, right = entry["biz_step"], entry["right"]
    words = {
        "actor": entry["actor"],
        "party": entry["party"] or "",
        "reference": entry["reference"] or "",
        "right": _(RIGHTS[right]) if right in RIGHTS else "",
        "deadline": format_when(entry["deadline"]) if entry["deadline"] else "",
        "occurred": format_when(entry["occurred_at"]) if entry["occurred_at"] else "",
        "disposition": disposition(entry["disposition"]) if entry["disposition"] else "",
        "step": "" if step is None else (step["name"] or "").replace("_", " ") or _("step {code}", code=step["code"]),
    }
    action = entry["action"]
    said = _(SENTENCES[action], **words) if action in SENTENCES else action
    if action == "disposition_cleared" and entry["by_council"]:
        said = _("{disposition} cleared by a council decision", disposition=words["disposition"])
    return f"  {_when(entry['at'], entry['block_number'])}  {said}"


def _named(address: str, name: str | None) -> str:
    return f"{name} ({address})" if name else address


def disposition_warning(code: str) -> str | None:
    """The prominent line of an original that is not in order (lost, stolen, destroyed, recalled), else None."""
    if code == "NONE":
        return None
    return _(
        "!!! reported {disposition}: do not buy, lend against or insure it without checking !!!",
        disposition=disposition(code),
    )


def print_provenance(answer: dict[str, Any]) -> None:
    """An original's provenance as people read it (the answer holds its whole timeline)."""
    print(_("original {id}", id=answer["id"]))
    warning = disposition_warning(answer["disposition"])
    if warning:
        print(warning)
    first = answer["first_registered"]
    registered = _when(answer["registered_at"], answer["registered_block"])
    rows = [
        (_("identifier"), answer["identifier"]),
        (
            _("registered"),
            _(
                "{when} by {registrar}",
                when=registered,
                registrar=_named(answer["registrar"], answer["registrar_name"]),
            ),
        ),
    ]
    if not answer["first_registration"]:
        first_when = _when(first["registered_at"], first["registered_block"])
        rows.append(
            (
                _("first registered"),
                _(
                    "{when} by {registrar} (original {original})",
                    when=first_when,
                    registrar=_named(first["registrar"], first["registrar_name"]),
                    original=first["original"],
                ),
            )
        )
    holder = answer["holder"]
    if answer["third_party_holds"]:
        holder = _("{holder} (not the owner)", holder=holder)
    rows += [
        (_("owner"), answer["owner"]),
        (_("holder"), holder),
        (_("disposition"), disposition(answer["disposition"])),
    ]
    if answer["soulbound"]:
        rows.append((_("transferable"), _("no (soulbound)")))
    for label, values in (
        (_("certificates"), answer["certificates"]),
        (_("made from"), answer["parents"]),
        (_("made into"), answer["children"]),
    ):
        if values:
            rows.append((label, ", ".join(values)))
    width = max(len(label) for label, _value in rows)
    for label, value in rows:
        print(f"  {label + ':':<{width + 1}} {value}")
    print(_("timeline:"))
    for entry in answer["timeline"]:
        print(timeline_line(entry))


def provenance_summary_lines(originals: list[dict[str, Any]]) -> list[str]:
    """The provenance section of a verification, briefly: one line per original (owner and disposition), the
    first registration first."""
    lines = []
    for original in originals:
        line = _(
            "  original {id}: owner {owner}, disposition {disposition}",
            id=original["id"],
            owner=original["owner"],
            disposition=disposition(original["disposition"]),
        )
        if not original["first_registration"]:
            line += " " + _("(not the first registration of this identifier)")
        lines.append(line)
    return lines


def cmd_provenance(args: argparse.Namespace) -> int:
    """Print an original's provenance (every page of its timeline), or with ``--epcis`` its EPCIS document."""
    if args.epcis:
        from cli.epcis import print_epcis

        return print_epcis(args)
    if args.link is not None:
        raise LedgerError(_("--link goes with --epcis"))
    client = api_client(args)
    try:
        answer = client.get(f"/originals/{args.original}/provenance", limit=PAGE)
        while answer["next_cursor"] is not None:
            more = client.get(f"/originals/{args.original}/provenance", limit=PAGE, cursor=answer["next_cursor"])
            answer = more | {"timeline": answer["timeline"] + more["timeline"]}
    finally:
        client.close()
    if args.json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(answer, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        print_provenance(answer)
    return 0


def register(commands: Any) -> None:
    provenance = commands.add_parser(
        "provenance", help=_("an original's owner, holder, disposition, lineage and timeline")
    )
    provenance.add_argument("original", metavar="ID", help=_("the original's id (0x + 64 hex digits)"))
    provenance.add_argument("--json", action="store_true", help=_("print the API's answer as JSON"))
    provenance.add_argument(
        "--epcis", action="store_true", help=_("print it as a GS1 EPCIS 2.0 JSON-LD document instead")
    )
    provenance.add_argument(
        "--link", help=_("with --epcis: its GS1 Digital Link URI, when known (the EPC of its events then)")
    )
    api_options(provenance)
    provenance.set_defaults(handler=cmd_provenance)
