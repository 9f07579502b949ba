"""Build the FastAPI application: ``create_app(settings)``.

The app holds one database engine, the index fact source, and lazily a JSON-RPC client and the chain fact source
(``source=chain`` answers, health's head block). It starts without a node: index answers keep working while the node
is down, and chain answers say 503 until it is back.
"""

from __future__ import annotations

import gc
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

from api import problems
from api.routes import certificates, health, issue, partners, verify, web
from api.schemas import OPENAPI_COMPONENTS, PROBLEM_RESPONSES
from ledger.chain.rpc import RpcClient, RpcError
from ledger.config import Settings
from ledger.db.engine import make_engine, upgrade
from ledger.deployments import DeploymentNotFound, load_deployment
from ledger.facts import ChainFacts, IndexFacts
from ledger.issuance import IssuanceService
from ledger.keys import IssuerKeys
from ledger.verifier import Binding

DEVNET_CHAIN_IDS = frozenset({31337, 1337})

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


MULTIPART_SLACK = 64 * 1024
"""Bytes allowed in an upload's body besides the file: boundaries and part headers take a few hundred."""


class UploadLimitMiddleware:
    """Refuses ``POST /verify/file`` at once when its ``Content-Length`` shows the file cannot fit the upload limit.

    Form parsing runs before the route and spools a large file to a temporary file; without this, a 10 GB upload
    would be written to disk before the route's own check (which still counts the streamed bytes, for bodies sent
    without a length) could refuse it. Answers with the route's own problem document, and reads nothing of the body.
    """

    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.limit = max_upload_bytes
        self.max_body = max_upload_bytes + MULTIPART_SLACK

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/verify/file":
            length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
            if length is not None and length.isdigit() and int(length) > self.max_body:
                detail = f"the file is larger than the {self.limit:,}-byte limit"
                response = problems.problem_response(413, "File too large", detail, "/verify/file")
                response.headers["Connection"] = "close"  # the unread body must not be taken for the next request
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _Chain:
    """The node connection and the deployment found on it, resolved on first use and cached."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.RLock()
        self._client: RpcClient | None = None
        self._facts: ChainFacts | None = None
        self._binding: Binding | None = None
        self._issuance: IssuanceService | None = None
        self._keys: IssuerKeys | None = None

    def client(self) -> RpcClient:
        with self._lock:
            if self._client is None:
                self._client = RpcClient(self._settings.rpc_url, timeout=min(10.0, self._settings.rpc_timeout))
            return self._client

    def facts(self) -> ChainFacts | None:
        with self._lock:
            if self._facts is not None:
                return self._facts
        try:
            chain_id = int(self.client().call("eth_chainId"), 16)
            deployment = load_deployment(chain_id, self._settings.deployments_dir)
        except (RpcError, DeploymentNotFound):
            return None
        with self._lock:
            self._facts = ChainFacts(self.client(), deployment)
            self._binding = Binding(chain_id, deployment.contract("CertificateRegistry").address)
            return self._facts

    def binding(self) -> Binding | None:
        if self._binding is None:
            self.facts()
        return self._binding

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
        """Devnet keys are allowed only on a devnet chain id outside production."""
        with self._lock:
            if self._keys is None:
                binding = self.binding()
                devnet = (
                    self._settings.environment != "production"
                    and binding is not None
                    and binding.chain_id in DEVNET_CHAIN_IDS
                )
                self._keys = IssuerKeys(self._settings.keystore_password.get_secret_value(), devnet)
            return self._keys

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def settle_heap() -> None:
    """Collect once, then move everything alive (modules, the app, compiled statements) out of the garbage
    collector's sight: a full collection under load then walks only what requests created, not the whole
    start-up heap, which shortens the pauses that show in the tail latency."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    chain = _Chain(settings)

    index_facts = IndexFacts(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        upgrade(engine)
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
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.index_facts = index_facts
    app.state.chain_facts = chain.facts
    app.state.binding = chain.binding
    app.state.rpc = chain.client
    app.state.issuance = lambda: chain.issuance(engine)
    app.state.issuer_keys = chain.issuer_keys
    problems.install(app)

    if index_facts.local:  # innermost: the others see their requests
        app.add_middleware(certificates.ListFastPath, facts=index_facts)
        app.add_middleware(verify.LookupFastPath, facts=index_facts)
    app.add_middleware(UploadLimitMiddleware, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(MetricsMiddleware)
    for router in (verify.router, issue.router, certificates.router, partners.router, health.router, web.router):
        app.include_router(router)
    derived_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            derived_openapi()["components"]["schemas"].update(OPENAPI_COMPONENTS)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(directory=web.STATIC), name="static")
    return app
