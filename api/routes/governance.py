"""The consortium's write side: prepare a signed action, then apply, propose, vote, execute or leave with it.

Nobody hands a key to this server: ``POST /actions/prepare`` answers the EIP-712 typed data to sign (the registry's
nonce for the signer, a deadline), the signer signs it in their wallet or with ``originals``, and the route of the
action takes ``{typed_data, signature}``. The relayer (:mod:`ledger.signing.relayer`) checks it, simulates it and
sends it, paying the gas; each answer comes once the transaction is mined (202: on chain, not yet indexed).
Refusals send nothing: 401/403 a bad signature or another signer, 409 the contract would revert (its error by name,
with its arguments), 422 malformed or for another chain, registry or route, 429 rate limited, 503 no relayer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from api.deps import SettingsDep
from api.problems import Problem
from api.relaying import ACCEPTED, relay
from api.schemas import (
    ApplyRequest,
    ExecuteRequest,
    IssueSignedRequest,
    LeaveRequest,
    PreparedActionPublic,
    PrepareRequest,
    ProposeRequest,
    RelayedPublic,
    StatusSignedRequest,
    VoteRequest,
)
from api.vocabulary import AddressPath, Hex32Path
from ledger.i18n import gettext as _
from ledger.signing.relayer import Checked, prepare

router = APIRouter(tags=["governance"])

ProposalPath = Annotated[int, Path(ge=1, le=2**256 - 1)]


def _proposal(proposal_id: int) -> Callable[[Checked], str | None]:
    def matches(checked: Checked) -> str | None:
        signed = checked.message["proposalId"]
        return (
            None
            if signed == proposal_id
            else _(
                "the signed action is about proposal {signed}, not {proposal_id}",
                signed=signed,
                proposal_id=proposal_id,
            )
        )

    return matches


def _anything(_checked: Checked) -> str | None:
    return None


@router.post("/actions/prepare", response_model=PreparedActionPublic)
def prepare_action(body: PrepareRequest, request: Request, settings: SettingsDep) -> dict[str, Any]:
    """The EIP-712 typed data of an action for its signer to sign: the registry's nonce, a deadline."""
    facts = request.app.state.chain_facts()
    if facts is None:
        raise Problem(503, _("Chain unavailable"), _("preparing needs a node and a deployment manifest for its chain"))
    fields = body.model_dump(exclude={"action", "signer"}, exclude_none=True)
    typed = prepare(facts.client, facts.deployment, body.action, body.signer, fields, settings.action_ttl)
    return {"action": body.action, "signer": body.signer.lower(), "typed_data": typed}


@router.post("/applications", status_code=ACCEPTED, response_model=RelayedPublic)
def apply(body: ApplyRequest, request: Request) -> dict[str, Any]:
    """Apply for membership with a signed Apply action."""
    return relay(request, body, _anything)


@router.post("/proposals", status_code=ACCEPTED, response_model=RelayedPublic)
def propose(body: ProposeRequest, request: Request) -> dict[str, Any]:
    """Propose (a council member's signed Propose, ProposeDetails or ProposeCertificateDecision action)."""
    return relay(request, body, _anything)


@router.post("/proposals/{proposal_id}/votes", status_code=ACCEPTED, response_model=RelayedPublic)
def vote(proposal_id: ProposalPath, body: VoteRequest, request: Request) -> dict[str, Any]:
    """Vote on a proposal with a council member's signed Vote action."""
    return relay(request, body, _proposal(proposal_id))


@router.post("/proposals/{proposal_id}/execute", status_code=ACCEPTED, response_model=RelayedPublic)
def execute(proposal_id: ProposalPath, body: ExecuteRequest, request: Request) -> dict[str, Any]:
    """Carry out a proposal that has its majority, with anyone's signed Execute action."""
    return relay(request, body, _proposal(proposal_id))


@router.post("/partners/{address}/leave", status_code=ACCEPTED, response_model=RelayedPublic)
def leave(address: AddressPath, body: LeaveRequest, request: Request) -> dict[str, Any]:
    """Leave the consortium with the partner's signed Leave action."""

    def matches(checked: Checked) -> str | None:
        return (
            None
            if checked.signer == address.lower()
            else _("the signed action is {signer}'s, not {address}", signer=checked.signer, address=address)
        )

    return relay(request, body, matches)


@router.post("/signed/certificates", status_code=ACCEPTED, response_model=RelayedPublic, tags=["issue"])
def issue_signed(body: IssueSignedRequest, request: Request) -> dict[str, Any]:
    """Issue a certificate with the issuer's own signed Issue, IssueBatch or IssueBatchPublic action.

    The issuer keeps its key (no API key, no keystore on this server): it builds and keeps its certificate documents,
    signs the root, and the relayer pays the gas. The certificate is the signer's, as if it had sent the transaction.
    """
    return relay(request, body, _anything)


@router.post(
    "/signed/certificates/{certificate_id}/status", status_code=ACCEPTED, response_model=RelayedPublic, tags=["issue"]
)
def set_status_signed(certificate_id: Hex32Path, body: StatusSignedRequest, request: Request) -> dict[str, Any]:
    """Revoke, suspend or reinstate a certificate (or one document, with its proof) with the signer's SetStatus
    action: its issuer's, or a council member's hold; the registry decides what the signer may do."""

    def matches(checked: Checked) -> str | None:
        signed = str(checked.message["id"]).lower()
        return (
            None
            if signed == certificate_id.lower()
            else _("the signed action is about {signed}, not {certificate}", signed=signed, certificate=certificate_id)
        )

    return relay(request, body, matches)
