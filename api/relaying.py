"""Relaying a signed action from a route: check it, match it against the route, send it, count the outcome.

Shared by every route that takes ``{typed_data, signature}`` (the consortium's, :mod:`api.routes.governance`, and an
original's owner's and holder's, :mod:`api.routes.provenance_actions`): the relayer (:mod:`ledger.signing.relayer`)
does the work, this module adds the route's own check and the metrics. Refusals are raised as the relayer's errors
or a :class:`~api.problems.Problem`, which :mod:`api.problems` answers as problem+json; nothing is sent for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fastapi import Request, status
from prometheus_client import Counter, Gauge

from api.problems import Problem
from ledger.chain.rpc import RpcError
from ledger.chain.tx import TransactionTimeout
from ledger.i18n import gettext as _
from ledger.signing.relayer import (
    ActionReverted,
    Checked,
    CheckedClaim,
    RateLimited,
    Relayed,
    Relayer,
    RelayerUnavailable,
)

if TYPE_CHECKING:
    from api.schemas import SignedActionRequest

ACCEPTED = status.HTTP_202_ACCEPTED
"""Every relayed action's answer: mined, not yet indexed."""

RELAYED = Counter(
    "originals_relayed_actions_total",
    "Signed actions this API was asked to relay, by action and outcome (mined, reverted, refused, rate_limited, "
    "failed)",
    ["action", "outcome"],
)
RELAYER_BALANCE = Gauge("originals_relayer_balance_wei", "The relayer's balance in wei (updated when read)")


def relayer_of(request: Request) -> Relayer:
    """The app's relayer (503 when none is configured or it cannot be used)."""
    relayer: Relayer = request.app.state.relayer()
    return relayer


def relayer_balance(relayer: Relayer) -> int:
    """The relayer's balance, also set on the metrics' gauge."""
    wei = relayer.balance()
    RELAYER_BALANCE.set(wei)
    return wei


class _Outcome:
    value = "refused"


@contextmanager
def _counted(name: str) -> Iterator[_Outcome]:
    """Count one relay request of action ``name`` by its outcome (``refused`` unless the block sets another)."""
    outcome = _Outcome()
    try:
        yield outcome
    except RateLimited:
        outcome.value = "rate_limited"
        raise
    except ActionReverted:
        outcome.value = "reverted"
        raise
    except (RpcError, TransactionTimeout, RelayerUnavailable):
        outcome.value = "failed"
        raise
    finally:
        RELAYED.labels(name, outcome.value).inc()


def _mismatch(wrong: str | None) -> None:
    if wrong is not None:
        raise Problem(422, _("Action does not match the route"), wrong)


def _answer(relayer: Relayer, relayed: Relayed) -> dict[str, Any]:
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


def relay(request: Request, body: SignedActionRequest, matches: Callable[[Checked], str | None]) -> dict[str, Any]:
    """Check, match against the route (``matches`` says what is wrong, or None), relay; count the outcome."""
    with _counted(str(body.typed_data.primaryType)) as outcome:
        relayer = relayer_of(request)
        checked = relayer.check(body.typed_data.model_dump(), body.signature)
        _mismatch(matches(checked))
        relayed = relayer.send(checked, body.proof)
        outcome.value = "mined"
    return _answer(relayer, relayed)


def relay_claim(
    request: Request, typed: dict[str, Any], signature: str, matches: Callable[[CheckedClaim], str | None]
) -> dict[str, Any]:
    """:func:`relay` for a one-time key's ``Claim`` (no nonce: checked against the open claim offer's key)."""
    with _counted("Claim") as outcome:
        relayer = relayer_of(request)
        checked = relayer.check_claim(typed, signature)
        _mismatch(matches(checked))
        relayed = relayer.send_claim(checked)
        outcome.value = "mined"
    return _answer(relayer, relayed)
