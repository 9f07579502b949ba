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
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path, Request, status
from prometheus_client import Counter, Gauge

from api.deps import SettingsDep
from api.problems import Problem
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
from ledger.chain.rpc import RpcError
from ledger.chain.tx import TransactionTimeout
from ledger.i18n import gettext as _
from ledger.signing.relayer import ActionReverted, Checked, RateLimited, Relayer, RelayerUnavailable, prepare

if TYPE_CHECKING:
    from api.schemas import SignedActionRequest

router = APIRouter(tags=["governance"])

RELAYED = Counter(
    "originals_relayed_actions_total",
    "Signed actions this API was asked to relay, by action and outcome (mined, reverted, refused, rate_limited, "
    "failed)",
    ["action", "outcome"],
)
RELAYER_BALANCE = Gauge("originals_relayer_balance_wei", "The relayer's balance in wei (updated when read)")

ProposalPath = Annotated[int, Path(ge=1, le=2**256 - 1)]


def relayer_of(request: Request) -> Relayer:
    """The app's relayer (503 when none is configured or it cannot be used)."""
    relayer: Relayer = request.app.state.relayer()
    return relayer


def relayer_balance(relayer: Relayer) -> int:
    """The relayer's balance, also set on the metrics' gauge."""
    wei = relayer.balance()
    RELAYER_BALANCE.set(wei)
    return wei


def _relay(request: Request, body: SignedActionRequest, matches: Callable[[Checked], str | None]) -> dict[str, Any]:
    """Check, match against the route (``matches`` says what is wrong, or None), relay; count the outcome."""
    name = str(body.typed_data.primaryType)
    outcome = "refused"
    try:
        relayer = relayer_of(request)
        checked = relayer.check(body.typed_data.model_dump(), body.signature)
        wrong = matches(checked)
        if wrong is not None:
            raise Problem(422, _("Action does not match the route"), wrong)
        relayed = relayer.send(checked, body.proof)
        outcome = "mined"
    except RateLimited:
        outcome = "rate_limited"
        raise
    except ActionReverted:
        outcome = "reverted"
        raise
    except (RpcError, TransactionTimeout, RelayerUnavailable):
        outcome = "failed"
        raise
    finally:
        RELAYED.labels(name, outcome).inc()
    if relayer.last_balance is not None:
        RELAYER_BALANCE.set(relayer.last_balance)
    return {
        "action": relayed.action,
        "signer": relayed.signer,
        "relayer": relayed.relayer,
        "tx_hash": relayed.tx_hash,
        "block_number": relayed.block_number,
        "proposal_id": relayed.proposal_id,
        "status": "pending",
    }


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


ACCEPTED = status.HTTP_202_ACCEPTED


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
    return _relay(request, body, _anything)


@router.post("/proposals", status_code=ACCEPTED, response_model=RelayedPublic)
def propose(body: ProposeRequest, request: Request) -> dict[str, Any]:
    """Propose (a council member's signed Propose, ProposeDetails or ProposeCertificateDecision action)."""
    return _relay(request, body, _anything)


@router.post("/proposals/{proposal_id}/votes", status_code=ACCEPTED, response_model=RelayedPublic)
def vote(proposal_id: ProposalPath, body: VoteRequest, request: Request) -> dict[str, Any]:
    """Vote on a proposal with a council member's signed Vote action."""
    return _relay(request, body, _proposal(proposal_id))


@router.post("/proposals/{proposal_id}/execute", status_code=ACCEPTED, response_model=RelayedPublic)
def execute(proposal_id: ProposalPath, body: ExecuteRequest, request: Request) -> dict[str, Any]:
    """Carry out a proposal that has its majority, with anyone's signed Execute action."""
    return _relay(request, body, _proposal(proposal_id))


@router.post("/partners/{address}/leave", status_code=ACCEPTED, response_model=RelayedPublic)
def leave(address: AddressPath, body: LeaveRequest, request: Request) -> dict[str, Any]:
    """Leave the consortium with the partner's signed Leave action."""

    def matches(checked: Checked) -> str | None:
        return (
            None
            if checked.signer == address.lower()
            else _("the signed action is {signer}'s, not {address}", signer=checked.signer, address=address)
        )

    return _relay(request, body, matches)


@router.post("/signed/certificates", status_code=ACCEPTED, response_model=RelayedPublic, tags=["issue"])
def issue_signed(body: IssueSignedRequest, request: Request) -> dict[str, Any]:
    """Issue a certificate with the issuer's own signed Issue, IssueBatch or IssueBatchPublic action.

    The issuer keeps its key (no API key, no keystore on this server): it builds and keeps its certificate documents,
    signs the root, and the relayer pays the gas. The certificate is the signer's, as if it had sent the transaction.
    """
    return _relay(request, body, _anything)


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

    return _relay(request, body, matches)
