"""Dependencies shared by the routes: settings, the database engine, the fact sources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from api.problems import Problem
from ledger.config import Settings
from ledger.deployments import Deployment
from ledger.i18n import gettext as _
from ledger.issuance.keys import Issuer
from ledger.issuance.service import IssuanceService
from ledger.reads import InvalidCursor, decode_cursor
from ledger.verification.facts import FactSource
from ledger.verification.sources.chain import ChainFacts
from ledger.verification.sources.index import IndexFacts


# Dependencies that do no I/O are ``async def``: FastAPI runs a sync dependency in the thread pool, a round trip
# that costs more than the dependency itself on the busiest routes.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_connection(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    with engine.connect() as conn:
        yield conn


SourceQuery = Annotated[
    Literal["index", "chain"],
    Query(description="index: answer from the SQL index (fast); chain: straight from the contracts (trustless)"),
]


async def facts_source(request: Request, source: Literal["index", "chain"]) -> FactSource:
    """The fact source that ``source=`` names (503 when the chain is asked for but unreachable)."""
    if source == "index":
        facts: IndexFacts = request.app.state.index_facts
        return facts
    # Resolving the chain may call the node (the first time, or while it is down): off the event loop.
    chain: ChainFacts | None = await run_in_threadpool(request.app.state.chain_facts)
    if chain is None:
        raise Problem(
            503, _("Chain unavailable"), _("source=chain needs a node and a deployment manifest for its chain")
        )
    return chain


async def get_facts(request: Request, source: SourceQuery = "index") -> FactSource:
    return await facts_source(request, source)


_INT64 = range(-(2**63), 2**63)


def checked_cursor(cursor: str | None, *types: type) -> str | None:
    """``cursor`` when it holds a sort key of ``types`` that the database can compare; a cursor this API did not issue
    raises :class:`~ledger.reads.InvalidCursor` (a 422) here, before any query.

    :func:`ledger.reads.decode_cursor` checks the types; this also refuses what the types let through and the
    databases cannot bind: an integer beyond 64 bits, a string holding NUL (PostgreSQL refuses it in text).
    """
    if cursor is None:
        return None
    for value in decode_cursor(cursor, *types):
        if (isinstance(value, int) and value not in _INT64) or (isinstance(value, str) and "\x00" in value):
            raise InvalidCursor(_("the cursor is not one this API issued"))
    return cursor


_bearer = HTTPBearer(auto_error=False, description="an issuer API key: Authorization: Bearer orig_...")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="an issuer API key (alternative header)")


def get_issuance(request: Request) -> IssuanceService:
    service: IssuanceService | None = request.app.state.issuance()
    if service is None:
        raise Problem(503, _("Chain unavailable"), _("issuing needs a node and a deployment manifest for its chain"))
    return service


def get_issuer(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header: Annotated[str | None, Security(_header)],
    engine: Annotated[Engine, Depends(get_engine)],
) -> Issuer:
    api_key = bearer.credentials if bearer is not None else header
    with engine.connect() as conn:
        issuer: Issuer = request.app.state.issuer_keys().authenticate(conn, api_key)
    return issuer


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
ConnectionDep = Annotated[Connection, Depends(get_connection)]
FactsDep = Annotated[FactSource, Depends(get_facts)]
IssuerDep = Annotated[Issuer, Depends(get_issuer)]
IssuanceDep = Annotated[IssuanceService, Depends(get_issuance)]


def get_voting_period(request: Request) -> int | None:
    """The voting period of the deployment the index follows (None until it is known): what dates a proposal's
    creation, ``deadline - voting period``, as the contract sets the deadline."""
    deployment: Deployment | None = request.app.state.deployment()
    return None if deployment is None else deployment.voting_period


VotingPeriodDep = Annotated[int | None, Depends(get_voting_period)]
