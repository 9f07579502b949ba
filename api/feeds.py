"""The Atom feed of council proposals (RFC 4287), for people who follow the consortium in a feed reader.

Built with the standard library's ElementTree, which escapes every text and attribute, from the proposal answers of
:mod:`ledger.governance_reads`. Links are made from the configured public base URL, never from the request's Host
header: feed readers and caches keep the links, and a request must not be able to choose where they lead.

Entry ids are ``tag:`` URIs (RFC 4151) that never change for a proposal: the public host, the proposal's creation date,
the chain id and the proposal id. An entry's ``updated`` is the latest time the proposal is known to have changed
(:func:`ledger.governance_reads.last_change`); the feed's, the latest of its entries' (or the indexed block's time).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET

from ledger.governance_reads import last_change
from ledger.i18n import DEFAULT, N_, format_when, language
from ledger.i18n import gettext as _

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
PAGE = "/council/proposals"
"""The web page of the proposals (``/council/proposals/{id}`` one proposal): not ``/proposals``, the JSON API's."""


def rfc3339(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_id(host: str, chain_id: int, proposal: dict[str, Any]) -> str:
    """The proposal's stable ``tag:`` URI: dated by its creation (by its deadline when the voting period, and so the
    creation time, is unknown: still a fixed date of that proposal)."""
    dated = proposal["created_at"] if proposal["created_at"] is not None else proposal["deadline"]
    day = datetime.fromtimestamp(dated, UTC).strftime("%Y-%m-%d")
    return f"tag:{host},{day}:originals:chain-{chain_id}:proposal-{proposal['proposal_id']}"


_STATUSES = {"open": N_("open"), "passed": N_("passed"), "failed": N_("failed"), "expired": N_("expired")}
"""A proposal's status in words (the entry's ``category`` keeps the code)."""


def _status(proposal: dict[str, Any]) -> str:
    status: str = proposal["status"]
    return _(_STATUSES[status]) if status in _STATUSES else status


def _deadline(unix: int) -> str:
    """The deadline as the English feed has always written it (RFC 3339), else as the reader's people write dates."""
    return rfc3339(unix) if language() == DEFAULT else format_when(unix)


def _title(proposal: dict[str, Any]) -> str:
    return _(
        "Proposal {proposal} ({status}): {summary}",
        proposal=proposal["proposal_id"],
        status=_status(proposal),
        summary=proposal["summary"],
    )


def _content(proposal: dict[str, Any]) -> str:
    lines = [
        proposal["summary"],
        _("Status: {status}.", status=_status(proposal)),
        _(
            "Proposed by {proposer}; deadline {deadline}.",
            proposer=proposal["proposer_name"] or proposal["proposer"],
            deadline=_deadline(proposal["deadline"]),
        ),
        _(
            "Votes: {yes} yes, {no} no; majority needed now: {needed} of the active council ({counted} counted yes).",
            yes=proposal["yes_votes"],
            no=proposal["no_votes"],
            needed=proposal["required_now"],
            counted=proposal["counted_yes_now"],
        ),
    ]
    if proposal["executable_now"]:
        lines.append(_("It can be executed now."))
    return "\n".join(lines)


def proposals_feed(
    proposals: list[dict[str, Any]],
    *,
    base_url: str,
    chain_id: int | None,
    indexed_block: int | None,
    now: int,
    query: dict[str, str],
) -> bytes:
    """The feed document: one entry per proposal, in the order given (newest first).

    Args:
        proposals: answers of :func:`ledger.governance_reads.list_proposals` (with their votes).
        base_url: the configured public base URL (no trailing slash).
        chain_id: the chain the index follows (part of every entry id).
        indexed_block: the block the index stands at, said in the subtitle.
        now: the chain time the statuses were judged at (the feed's ``updated`` when no entry has a time).
        query: the filters the feed was asked with, part of its own id and self link.
    """
    ET.register_namespace("", ATOM)
    host = urlsplit(base_url).hostname or "localhost"
    self_link = f"{base_url}/proposals.atom" + (f"?{urlencode(sorted(query.items()))}" if query else "")
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_link
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _("Originals: council proposals")
    subtitle = ET.SubElement(feed, f"{{{ATOM}}}subtitle")
    subtitle.text = (
        _("Indexed to block {block}", block=indexed_block)
        if indexed_block is not None
        else _("The index has not started yet")
    )
    times = [last_change(p, now) for p in proposals]
    updated = max((t for t in times if t is not None), default=now)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = rfc3339(updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type=MEDIA_TYPE, href=self_link)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=f"{base_url}{PAGE}")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = _("The Originals consortium council")
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "Originals"
    for proposal, changed in zip(proposals, times, strict=True):
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = entry_id(host, chain_id or 0, proposal)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _title(proposal)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = rfc3339(changed if changed is not None else updated)
        if proposal["created_at"] is not None:
            ET.SubElement(entry, f"{{{ATOM}}}published").text = rfc3339(proposal["created_at"])
        ET.SubElement(
            entry,
            f"{{{ATOM}}}link",
            rel="alternate",
            type="text/html",
            href=f"{base_url}{PAGE}/{proposal['proposal_id']}",
        )
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = proposal["proposer_name"] or proposal["proposer"]
        ET.SubElement(entry, f"{{{ATOM}}}category", term=proposal["kind"], label=proposal["kind"].replace("_", " "))
        ET.SubElement(entry, f"{{{ATOM}}}category", term=proposal["status"])
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = proposal["summary"]
        ET.SubElement(entry, f"{{{ATOM}}}content", type="text").text = _content(proposal)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
