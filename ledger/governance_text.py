"""What a council proposal does, in plain words: one sentence per proposal, the same on the web page, in the Atom
feed and (for whoever wants it) in the CLI, so that a watcher never has to decode a kind, a rights bit mask or a
reason code. Pure: it reads a proposal answer of :mod:`ledger.governance_reads` and nothing else.

The sentence is in the current language (:mod:`ledger.i18n`); each kind's sentence is written whole, so that a
translation can put its parts in its own order.
"""

from __future__ import annotations

from typing import Any

from ledger.i18n import N_
from ledger.i18n import gettext as _
from ledger.verification.rules import reason_text
from ledger.words import moment, org_type

_RIGHTS = {"ISSUER": N_("issuer"), "COUNCIL": N_("council")}


def _who(proposal: dict[str, Any]) -> str:
    name: str = proposal["subject_name"] or proposal["subject"]
    return name


def _rights(proposal: dict[str, Any]) -> str:
    names = [_(_RIGHTS[name]) if name in _RIGHTS else name.lower() for name in proposal["rights_names"]]
    if not names:
        return _("no rights")
    if len(names) == 1:
        return _("{right} right", right=names[0])
    return _("{rights} rights", rights=_(" and ").join(names))


def _certificate(proposal: dict[str, Any]) -> str:
    if proposal["leaf"] is not None:
        return _("document {leaf} of certificate {certificate}", leaf=proposal["leaf"], certificate=proposal["target"])
    return _("certificate {certificate}", certificate=proposal["target"])


def describe(proposal: dict[str, Any]) -> str:
    """One sentence saying what ``proposal`` does if carried out, and to whom."""
    kind, who = proposal["kind"], _who(proposal)
    cutoff = proposal["compromised_after"]
    reason = reason_text(proposal["reason"])
    if kind == "ADMIT":
        if not proposal["rights_names"]:
            return _("Admit {who} to the consortium, without rights.", who=who)
        return _("Admit {who} to the consortium with the {rights}.", who=who, rights=_rights(proposal))
    if kind == "SUSPEND":
        return _("Suspend {who}: while suspended its key can do nothing.", who=who)
    if kind == "REINSTATE":
        return _("Reinstate {who} as an active partner.", who=who)
    if kind == "EXPEL":
        if cutoff:
            return _(
                "Expel {who} from the consortium; its certificates issued after {when} stop being valid "
                "(key compromised).",
                who=who,
                when=moment(cutoff),
            )
        return _("Expel {who} from the consortium.", who=who)
    if kind == "GRANT_RIGHTS":
        return _("Grant {who} the {rights}.", who=who, rights=_rights(proposal))
    if kind == "WITHDRAW_RIGHTS":
        return _("Withdraw the {rights} from {who}.", who=who, rights=_rights(proposal))
    if kind == "CHANGE_DETAILS":
        details = proposal["proposed_details"]
        if details is None:
            return _("Change the details of {who}.", who=who)
        return _(
            "Change the details of {who} to {name} ({type}, {domain}).",
            who=who,
            name=details["display_name"],
            type=org_type(details["org_type"]),
            domain=details["domain"],
        )
    if kind == "SET_COMPROMISED":
        return _(
            "Declare the key of {who} compromised: its certificates issued after {when} stop being valid.",
            who=who,
            when=moment(cutoff),
        )
    if kind == "REVOKE_CERTIFICATE":
        return _("Revoke {what} (reason: {reason}).", what=_certificate(proposal), reason=reason)
    if kind == "LIFT_CERTIFICATE_SUSPENSION":
        return _("Lift the suspension of {what} (reason: {reason}).", what=_certificate(proposal), reason=reason)
    return _("{kind} concerning {who}.", kind=kind.replace("_", " ").capitalize(), who=who)
