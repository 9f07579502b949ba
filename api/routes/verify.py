"""Verify an original: by fingerprint, by certificate id, by uploaded file, by wrapped certificate document."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar, cast

import orjson
from fastapi import APIRouter, Body, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import FactsDep, SettingsDep, facts_source
from api.fastpath import plain_get, send_json
from api.problems import Problem
from api.schemas import WRAPPED_DOCUMENT_SCHEMA, VerificationResult, VerificationsResult
from ledger.documents import DocumentError
from ledger.verification import service as verifier
from ledger.verification.facts import FactSource
from ledger.verification.rules import Verification
from ledger.verification.sources.chain import ChainFacts
from ledger.verification.sources.index import IndexFacts

router = APIRouter(prefix="/verify", tags=["verify"])
T = TypeVar("T")


def _source_name(source: object) -> str:
    return "chain" if isinstance(source, ChainFacts) else "index"


def result(v: Verification, source: Any, indexed_block: int | None) -> dict[str, Any]:
    f = v.facts
    return {
        "verdict": v.verdict.value,
        "checks": [
            {"name": c.name, "status": c.status.value, "reason": c.reason, "details": c.details} for c in v.checks
        ],
        "certificate": None
        if f is None or not f.issued
        else {
            "id": f.id,
            "root": f.root,
            "leaf": f.leaf,
            "issuer": f.issuer,
            "issued_at": f.issued_at,
            "valid_until": f.valid_until,
            "fingerprint": f.fingerprint,
        },
        "source": _source_name(source),
        "indexed_block": indexed_block,
    }


def _many(fingerprint: str, source: FactSource) -> dict[str, Any]:
    """Every certificate of an original, and the indexed block, from one session of the source (on the index: one
    connection, one statement)."""
    with source.session() as snapshot:
        found = verifier.by_fingerprint(snapshot, fingerprint, int(time.time()))
        block = snapshot.indexed_block()
    return {
        "fingerprint": fingerprint.lower(),
        "verdict": verifier.overall(found).value,
        "results": [result(v, source, block) for v in found],
        "source": _source_name(source),
        "indexed_block": block,
    }


def _by_id(certificate_id: str, source: FactSource) -> dict[str, Any]:
    with source.session() as snapshot:
        found = verifier.by_id(snapshot, certificate_id, int(time.time()))
        block = snapshot.indexed_block()
    return result(found, source, block)


async def _answer(source: FactSource, lookup: Callable[[str, FactSource], T], key: str) -> T:
    """Run a lookup on the event loop when the source is a local SQLite file (its queries take tens of microseconds,
    less than a thread-pool round trip), otherwise in the thread pool (network round trips, the node, lock waits).

    These are the API's busiest routes: they are ``async def`` so that FastAPI validates and serialises the answer on
    the event loop too (a sync route takes a second thread-pool round trip for that).
    """
    if source.local:
        return lookup(key, source)
    return await run_in_threadpool(lookup, key, source)


# The two lookups are the API's hot path, so they read their two parameters themselves (same rules, same errors as
# the declared ones, documented below for OpenAPI) and return their JSON already serialised: FastAPI's per-request
# parameter solving and response-model validation cost more than the lookup itself (docs/benchmarks.md, API).
_HEX32 = r"^0x[0-9a-fA-F]{64}$"
_HEX32_RE = re.compile(_HEX32)
_SOURCE_DOC = "index: answer from the SQL index (fast); chain: straight from the contracts (trustless)"


def _lookup_parameters(name: str) -> dict[str, Any]:
    """The OpenAPI parameters of a lookup route, as FastAPI would derive them from declared parameters."""
    hex32 = {
        "type": "string",
        "pattern": _HEX32,
        "title": name.replace("_", " ").title(),
        "description": "0x + 64 hex digits",
    }
    source = {
        "type": "string",
        "enum": ["index", "chain"],
        "default": "index",
        "title": "Source",
        "description": _SOURCE_DOC,
    }
    return {
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": hex32, "description": "0x + 64 hex digits"},
            {"name": "source", "in": "query", "required": False, "schema": source, "description": _SOURCE_DOC},
        ]
    }


def _lookup_arguments(request: Request, name: str) -> tuple[str, Literal["index", "chain"]]:
    """The key and ``source`` of a lookup request; invalid ones raise the validation error FastAPI would raise."""
    key: str = request.path_params[name]
    source = request.query_params.get("source", "index")
    errors: list[dict[str, Any]] = []
    if _HEX32_RE.match(key) is None:
        errors.append(
            {
                "type": "string_pattern_mismatch",
                "loc": ("path", name),
                "msg": f"String should match pattern '{_HEX32}'",
                "input": key,
                "ctx": {"pattern": _HEX32},
            }
        )
    if source not in ("index", "chain"):
        errors.append(
            {
                "type": "literal_error",
                "loc": ("query", "source"),
                "msg": "Input should be 'index' or 'chain'",
                "input": source,
                "ctx": {"expected": "'index' or 'chain'"},
            }
        )
    if errors:
        raise RequestValidationError(errors)
    return key, cast(Literal["index", "chain"], source)


def _json(content: dict[str, Any]) -> Response:
    return Response(orjson.dumps(content), media_type="application/json")


@router.get(
    "/fingerprint/{fingerprint}",
    response_model=VerificationsResult,
    openapi_extra=_lookup_parameters("fingerprint"),
)
async def verify_fingerprint(request: Request) -> Response:
    """Verify an original by its fingerprint (SHA-256 of its file or serial)."""
    fingerprint, source = _lookup_arguments(request, "fingerprint")
    return _json(await _answer(await facts_source(request, source), _many, fingerprint))


@router.get(
    "/certificate/{certificate_id}",
    response_model=VerificationResult,
    openapi_extra=_lookup_parameters("certificate_id"),
)
async def verify_certificate(request: Request) -> Response:
    """Verify a certificate by its id (keccak256 of issuer and root: it names exactly one certificate), or a published
    document by its leaf. A leaf resolves only inside the certificates that publish it; when certificates of several
    issuers publish it, the answer is a 409 problem naming them (look it up by certificate id instead)."""
    certificate_id, source = _lookup_arguments(request, "certificate_id")
    return _json(await _answer(await facts_source(request, source), _by_id, certificate_id))


# The common case of the two lookups (a well-formed key, no query string, so source=index) is answered before the
# framework's routing and request handling, which cost more than a lookup on SQLite (docs/benchmarks.md, API). Any
# other request, well-formed or not, goes the declared routes' way, so errors and the OpenAPI document are theirs.
_KEY = re.compile(r"0x[0-9a-fA-F]{64}")
_PREFIX = len("/verify/fingerprint/")
_LOOKUPS: dict[str, tuple[Callable[[str, FactSource], dict[str, Any]], Any, str]] = {
    "/verify/fingerprint/": (_many, verify_fingerprint, "fingerprint"),
    "/verify/certificate/": (_by_id, verify_certificate, "certificate_id"),
}
assert {len(prefix) for prefix in _LOOKUPS} == {_PREFIX}


class LookupFastPath:
    """Answers ``GET /verify/fingerprint/{key}`` and ``GET /verify/certificate/{key}`` of a SQLite index directly.

    A pure ASGI middleware placed inside the app's own middlewares (Starlette's error middleware, and outside it the
    edge of :mod:`api.edge` and the metrics), so those see these requests as before: it sets the matched route in the
    scope, as routing does, for the metrics' route label. It answers only what the declared route would answer with the
    same bytes and headers: a GET with a key of exactly 0x + 64 hex digits and no query string. Everything else, and
    every request while FastAPI's OpenTelemetry instrumentation is active (it names spans after routing), goes on to the
    app unchanged.
    """

    def __init__(self, app: ASGIApp, facts: IndexFacts) -> None:
        self.app = app
        self.facts = facts
        routes = {r.endpoint: r for r in router.routes if isinstance(r, APIRoute)}
        self._lookups = {
            prefix: (lookup, routes[endpoint], name) for prefix, (lookup, endpoint, name) in _LOOKUPS.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if len(path) == _PREFIX + 66 and plain_get(scope) and not scope.get("query_string"):
            found = self._lookups.get(path[:_PREFIX])
            key = path[_PREFIX:]
            if found is not None and _KEY.fullmatch(key):
                lookup, route, name = found
                try:
                    body = orjson.dumps(lookup(key, self.facts))
                except Exception:  # rare (the database failing): the declared route answers, and errs, its own way
                    await self.app(scope, receive, send)
                    return
                await send_json(scope, send, route, {name: key}, body)
                return
        await self.app(scope, receive, send)


@router.post("/file", response_model=VerificationsResult)
async def verify_file(file: UploadFile, source: FactsDep, settings: SettingsDep) -> dict[str, Any]:
    """Verify an original from its file: hashed as it streams in (nothing is stored), then looked up."""
    import hashlib

    digest = hashlib.sha256()
    total = 0
    while chunk := await file.read(1 << 20):
        total += len(chunk)
        if total > settings.max_upload_bytes:
            raise Problem(
                413, "File too large", f"the file is larger than the {settings.max_upload_bytes:,}-byte limit"
            )
        digest.update(chunk)
    return await _answer(source, _many, "0x" + digest.hexdigest())


@router.post(
    "/document",
    response_model=VerificationResult,
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": WRAPPED_DOCUMENT_SCHEMA}}}
    },
)
def verify_document(
    request: Request,
    source: FactsDep,
    document: Annotated[dict[str, Any], Body(description="a wrapped certificate document (fields may be hidden)")],
) -> dict[str, Any]:
    """Verify a wrapped certificate document, also one with hidden fields."""
    binding = request.app.state.binding()
    if binding is None:  # fail closed: a document is only ever judged against the deployment the index follows
        raise Problem(
            503, "Deployment unknown", "verifying a document needs the deployment the index follows; it has none yet"
        )
    try:
        with source.session() as snapshot:
            verification = verifier.by_document(snapshot, document, int(time.time()), binding)
            block = snapshot.indexed_block()
    except DocumentError as exc:
        raise Problem(422, "Invalid certificate document", str(exc)) from None
    return result(verification, source, block)
