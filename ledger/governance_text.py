"""What a council proposal does, in plain words: one sentence per proposal, the same on the web page, in the Atom
feed and (for whoever wants it) in the CLI, so that a watcher never has to decode a kind, a rights bit mask or a
reason code. Pure: it reads a proposal answer of :mod:`ledger.governance_reads` and nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ledger.events import OrganisationType
from ledger.verification.rules import REASONS


def utc(unix: int) -> str:
    """A chain time as people read it: ``2026-01-01 12:00 UTC``."""
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _org_type(name: str) -> str:
    """An organisation type as a phrase: ``research institute``, ``SME``."""
    return name if name in ("SME", "NGO") else OrganisationType[name].name.replace("_", " ").lower()


def _who(proposal: dict[str, Any]) -> str:
    name: str = proposal["subject_name"] or proposal["subject"]
    return name


def _rights(proposal: dict[str, Any]) -> str:
    names = [name.lower() for name in proposal["rights_names"]]
    if not names:
        return "no rights"
    return " and ".join(names) + (" rights" if len(names) > 1 else " right")


def _certificate(proposal: dict[str, Any]) -> str:
    what = f"certificate {proposal['target']}"
    if proposal["leaf"] is not None:
        what = f"document {proposal['leaf']} of {what}"
    return what


def describe(proposal: dict[str, Any]) -> str:
    """One sentence saying what ``proposal`` does if carried out, and to whom."""
    kind, who = proposal["kind"], _who(proposal)
    cutoff = proposal["compromised_after"]
    reason = REASONS.get(proposal["reason"], f"reason code {proposal['reason']}")
    if kind == "ADMIT":
        if not proposal["rights_names"]:
            return f"Admit {who} to the consortium, without rights."
        return f"Admit {who} to the consortium with the {_rights(proposal)}."
    if kind == "SUSPEND":
        return f"Suspend {who}: while suspended its key can do nothing."
    if kind == "REINSTATE":
        return f"Reinstate {who} as an active partner."
    if kind == "EXPEL":
        tail = f"; its certificates issued after {utc(cutoff)} stop being valid (key compromised)" if cutoff else ""
        return f"Expel {who} from the consortium{tail}."
    if kind == "GRANT_RIGHTS":
        return f"Grant {who} the {_rights(proposal)}."
    if kind == "WITHDRAW_RIGHTS":
        return f"Withdraw the {_rights(proposal)} from {who}."
    if kind == "CHANGE_DETAILS":
        details = proposal["proposed_details"]
        if details is None:
            return f"Change the details of {who}."
        org_type = _org_type(details["org_type"])
        return f"Change the details of {who} to {details['display_name']} ({org_type}, {details['domain']})."
    if kind == "SET_COMPROMISED":
        return f"Declare the key of {who} compromised: its certificates issued after {utc(cutoff)} stop being valid."
    if kind == "REVOKE_CERTIFICATE":
        return f"Revoke {_certificate(proposal)} (reason: {reason})."
    if kind == "LIFT_CERTIFICATE_SUSPENSION":
        return f"Lift the suspension of {_certificate(proposal)} (reason: {reason})."
    return f"{kind.replace('_', ' ').capitalize()} concerning {who}."
