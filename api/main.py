"""Build the FastAPI application: ``create_app(settings)``.

The app holds one database engine, the index fact source, and lazily a JSON-RPC client and the chain fact source
(``source=chain`` answers, health's head block). It starts without a node: index answers keep working while the node
is down, and chain answers say 503 until it is back.

The deployment the app serves is the one the index follows: the chain id in the index's sync state and that chain's
manifest, never what a node says. It decides the binding every presented document must carry, where ``source=chain``
reads (a node on another chain is refused) and whether the well-known devnet keys may sign (only where the manifest
says the chain is a local devnet). A manifest of another contract version stops the app at start-up.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from prometheus_client import Counter, Histogram
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import fastpaths, problems
from api.edge import Edge
from api.head import HeadAsGet
from api.routes import (
    certificates,
    digital_links,
    epcis,
    governance,
    health,
    i18n,
    issue,
    originals,
    partners,
    pdf,
    proposals,
    provenance_actions,
    provenance_partner,
    verify,
    web,
)
from api.schemas import OPENAPI_COMPONENTS, PROBLEM_RESPONSES
from ledger.chain.rpc import RpcClient, RpcError
from ledger.config import Settings
from ledger.db.engine import make_engine, upgrade
from ledger.deployments import Deployment, DeploymentNotFound, load_deployment
from ledger.i18n import N_
from ledger.i18n import gettext as _
from ledger.indexer.state import indexed_chain
from ledger.issuance.keys import AuthenticationError, DevnetKeyRefused, IssuerKeys
from ledger.issuance.service import IssuanceService
from ledger.signing.relayer import Relayer, RelayerUnavailable, open_relayer
from ledger.verification.rules import Binding
from ledger.verification.sources.chain import ChainFacts
from ledger.verification.sources.index import IndexFacts

log = logging.getLogger("originals.api")
REQUESTS = Counter("originals_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("originals_http_request_seconds", "HTTP request latency", ["route"])


class MetricsMiddleware:
    """Counts requests by method, route template and status, and times them by route template (Prometheus).

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` would add a task and a streaming wrapper to every
    request. The time runs until the answer is sent; an exception that escapes the app counts as a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            key = (scope["method"], path, status)
            children = self._children.get(key)
            if children is None:  # labels() takes a lock and builds a key: once per (method, route, status)
                children = self._children[key] = (LATENCY.labels(path), REQUESTS.labels(key[0], path, str(status)))
            children[0].observe(time.perf_counter() - started)
            children[1].inc()


class _Chain:
    """The deployment the index follows and the node connection, resolved on first use and cached once known."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self._settings = settings
        self._engine = engine
        self._lock = threading.RLock()
        self._client: RpcClient | None = None
        self._deployment: Deployment | None = None
        self._facts: ChainFacts | None = None
        self._issuance: IssuanceService | None = None
        self._keys: IssuerKeys | None = None
        self._relayer: Relayer | None = None
        self._relayer_refused: str | None = None

    def client(self) -> RpcClient:
        with self._lock:
            if self._client is None:
                self._client = RpcClient(self._settings.rpc_url, timeout=min(10.0, self._settings.rpc_timeout))
            return self._client

    def deployment(self) -> Deployment | None:
        """The manifest of the chain the index holds; None until an indexer has opened the database, or without a
        manifest for that chain.

        Raises:
            DeploymentInvalid: the manifest is malformed or of another contract version (ContractVersionMismatch).
        """
        with self._lock:
            if self._deployment is None:
                with self._engine.connect() as conn:
                    chain_id = indexed_chain(conn)
                if chain_id is None:
                    return None
                try:
                    self._deployment = load_deployment(chain_id, self._settings.deployments_dir)
                except DeploymentNotFound:
                    return None
            return self._deployment

    def facts(self) -> ChainFacts | None:
        """The chain fact source: the index's deployment read through the node, if the node is on that chain."""
        with self._lock:
            if self._facts is not None:
                return self._facts
        deployment = self.deployment()
        if deployment is None:
            return None
        try:
            chain_id = int(self.client().call("eth_chainId"), 16)
        except RpcError:
            return None
        if chain_id != deployment.chain_id:
            return None  # a node on another chain than the index's: its answers would be about other contracts
        with self._lock:
            self._facts = ChainFacts(self.client(), deployment)
            return self._facts

    def binding(self) -> Binding | None:
        """The chain id and registry every presented document must name: the index's deployment, not the node's."""
        deployment = self.deployment()
        if deployment is None:
            return None
        return Binding(deployment.chain_id, deployment.contract("CertificateRegistry").address)

    def issuance(self, engine: Engine) -> IssuanceService | None:
        facts = self.facts()
        if facts is None:
            return None
        with self._lock:
            if self._issuance is None:
                self._issuance = IssuanceService(
                    engine,
                    self.client(),
                    facts.deployment,
                    self._settings.max_batch_documents,
                    self._settings.mined_timeout,
                )
            return self._issuance

    def issuer_keys(self) -> IssuerKeys:
        """Devnet keys are allowed only where the manifest says the chain is a local devnet, and never in production.

        Not a chain id (a public chain can use 1337 too) nor the ``development`` default of the settings. Until the
        deployment is known, the keys are refused and the answer is not kept, so they work once the index starts.
        """
        with self._lock:
            if self._keys is not None:
                return self._keys
            keys = IssuerKeys(self._settings.keystore_password.get_secret_value(), self.devnet())
            if self.deployment() is not None:
                self._keys = keys
            return keys

    def devnet(self) -> bool:
        """Whether the well-known devnet keys may sign here: only on a chain the manifest says is a local devnet, and
        never in production (not a chain id, which a public chain can share, nor the settings' default)."""
        deployment = self.deployment()
        return self._settings.environment != "production" and deployment is not None and deployment.local_devnet

    def relayer(self) -> Relayer:
        """The configured relayer, its keystore opened once.

        Raises:
            RelayerUnavailable: none is configured, the node or the deployment is not known yet, or its keystore
                does not open or holds a devnet key off a devnet (logged once; the answer names no path).
        """
        if self._settings.relayer_keystore is None:
            raise RelayerUnavailable(_("no relayer is configured on this server (ORIGINALS_RELAYER_KEYSTORE)"))
        with self._lock:
            if self._relayer is not None:
                return self._relayer
            if self._relayer_refused is not None:
                raise RelayerUnavailable(_(self._relayer_refused))
        facts = self.facts()
        if facts is None:
            raise RelayerUnavailable(_("relaying needs a node and a deployment manifest for its chain"))
        with self._lock:
            if self._relayer is None:
                try:
                    self._relayer = open_relayer(self._settings, self.client(), facts.deployment, self.devnet())
                except (AuthenticationError, DevnetKeyRefused) as exc:
                    # The message may name the keystore's path, which stays on this server: logged, not answered.
                    log.error("the relayer cannot be opened: %s", exc)
                    self._relayer_refused = N_("the relayer's keystore cannot be used on this server")
                    raise RelayerUnavailable(_(self._relayer_refused)) from None
            assert self._relayer is not None
            return self._relayer

    def close(self) -> None:
        """Close the node client at the app's shutdown; a later start-up (the same app served again, as test clients
        do) opens a new one instead of using the closed one."""
        with self._lock:
            client, self._client = self._client, None
            self._facts = None
            self._issuance = None
            self._relayer = None
        if client is not None:
            client.close()


def settle_heap() -> None:
    """Collect once, then move everything alive (modules, the app, compiled statements) out of the garbage
    collector's sight: a full collection under load then walks only what requests created, not the whole
    start-up heap, which shortens the pauses that show in the tail latency."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    chain = _Chain(settings, engine)

    index_facts = IndexFacts(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        upgrade(engine)
        chain.deployment()  # a manifest of another contract version (or a malformed one) stops the app here
        index_facts.open_reader()  # here, on the event loop: its lookups get a SQLite connection of their own
        settle_heap()
        try:
            yield
        finally:
            gc.unfreeze()  # what start-up froze may be collected again (tests start many apps in one process)
            index_facts.close_reader()
            chain.close()
            engine.dispose()

    app = FastAPI(
        title="Originals",
        version="0.1.0",
        summary="Certificates of originals on chain: verify an original, list partners and certificates.",
        lifespan=lifespan,
        responses=PROBLEM_RESPONSES,
        docs_url=None,  # /docs is api.routes.web's: Swagger UI from this server, not from a CDN
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.index_facts = index_facts
    app.state.chain_facts = chain.facts
    app.state.binding = chain.binding
    app.state.deployment = chain.deployment
    app.state.rpc = chain.client
    app.state.issuance = lambda: chain.issuance(engine)
    app.state.issuer_keys = chain.issuer_keys
    app.state.relayer = chain.relayer
    problems.install(app)

    fastpaths.install(app, index_facts)  # innermost: the middlewares around see their requests
    app.add_middleware(HeadAsGet)  # outside the fast paths, so that they answer HEAD as the GET it mirrors
    build_stack = app.build_middleware_stack

    def outermost() -> ASGIApp:
        """The edge (hosts, rate limits, body limits, security headers) and the metrics go outside Starlette's own
        error middleware, so that they also see its 500 answers; the metrics outside the edge, to count its refusals.
        """
        return MetricsMiddleware(Edge(build_stack(), settings))

    app.build_middleware_stack = outermost  # type: ignore[method-assign]
    for router in (
        verify.router,
        issue.router,
        certificates.router,
        digital_links.router,
        originals.router,
        epcis.router,
        partners.router,
        proposals.router,
        governance.router,
        provenance_actions.router,
        provenance_partner.router,
        health.router,
        i18n.router,
        pdf.router,  # before web.router: /c/{id}.pdf must not be taken for the page /c/{id}
        web.router,
    ):
        app.include_router(router)
    derived_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            derived_openapi()["components"]["schemas"].update(OPENAPI_COMPONENTS)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount("/static/swagger-ui", StaticFiles(directory=web.SWAGGER_UI), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=web.STATIC), name="static")
    return app
