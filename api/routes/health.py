"""Liveness and readiness: database, node, indexer lag; and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.deps import EngineDep
from api.relaying import relayer_balance
from api.schemas import HealthPublic
from ledger import reads
from ledger.chain.rpc import RpcError
from ledger.signing.relayer import RelayError

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic, response_model_exclude_unset=True)
def health(request: Request, engine: EngineDep) -> dict[str, Any]:
    """Whether the database and the node answer, and how far the index lags behind the head (negative: ahead)."""
    database, indexed = True, None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            indexed = reads.indexed_block(conn)
    except Exception:
        database = False
    head = None
    try:
        head = int(request.app.state.rpc().call("eth_blockNumber"), 16)
    except (RpcError, OSError):
        head = None
    lag = None if head is None or indexed is None else head - indexed
    # An index ahead of the node (negative lag) is not ok: either the node is behind, or the chain was reorganised to
    # a shorter one and the index still holds blocks that no longer exist (it rolls them back at its next poll).
    ok = database and head is not None and (lag is None or lag >= 0)
    status = "ok" if ok else "degraded"
    answer: dict[str, Any] = {
        "status": status,
        "database": database,
        "node": head is not None,
        "head_block": head,
        "indexed_block": indexed,
        "lag_blocks": lag,
    }
    relayer = _relayer(request)
    if relayer is not None:
        answer["relayer"] = relayer
    return answer


def _relayer(request: Request) -> dict[str, Any] | None:
    """The relayer's address, balance and low flag; None when none is configured, usable or readable."""
    if request.app.state.settings.relayer_keystore is None:
        return None
    try:
        relayer = request.app.state.relayer()
        wei = relayer_balance(relayer)
    except (RelayError, RpcError, OSError):
        return None
    return {"address": relayer.address, "balance_wei": wei, "low": wei < relayer.low_balance_wei}


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus metrics of this API process (the relayer's balance read now)."""
    _relayer(request)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
