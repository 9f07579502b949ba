"""Every error answer is ``application/problem+json`` (RFC 9457), mapped in one place.

Domain errors raised by :mod:`ledger` keep their message; their HTTP status comes from what they resemble
(``LookupError`` -> 404, ``ValueError`` -> 400/422, ...). Titles and details are in the request's language
(:mod:`ledger.i18n`, set by :mod:`api.edge`): titles are translated here, our exceptions' messages where they are
raised; the codes (status, ``error``, ``arguments``) never change with it. Nothing secret is ever put into an answer:
messages come from our own exceptions, never from request bodies or keys.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.validation import message as validation_message
from ledger.chain.contracts import ContractRevert
from ledger.chain.rpc import RpcError, TransientRpcError
from ledger.chain.tx import TransactionTimeout
from ledger.errors import LedgerError
from ledger.i18n import N_
from ledger.i18n import gettext as _
from ledger.issuance.keys import AuthenticationError, DevnetKeyRefused
from ledger.issuance.service import CertificateNotFound, NotCertificateIssuer
from ledger.signing.actions import SignedActionError
from ledger.signing.relayer import (
    ActionReverted,
    InvalidSignature,
    RateLimited,
    RelayerUnavailable,
    WrongDomain,
    WrongSigner,
)
from ledger.verification.service import AmbiguousLeaf

PROBLEM = "application/problem+json"
log = logging.getLogger("originals.api")

NODE_UNAVAILABLE = N_("the chain node cannot be reached right now; try again later")
NODE_ERROR = N_("the chain node failed to answer this request")
"""What a client is told when the node fails: never the node's URL (it may hold a provider's key) nor its message."""


class Problem(Exception):
    """An error answer: raise it from a route (or let a LedgerError through)."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


class BodyTooLarge(StarletteHTTPException):
    """A request body passed its route's limit while it streamed in (raised from ``receive``; see :mod:`api.edge`).

    An ``HTTPException``, so that FastAPI's body parsing lets it through unchanged (it turns other exceptions into a
    400) and the handler installed below answers with the route's 413 problem.
    """

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(413, detail)
        self.title = title


def problem_response(status: int, title: str, detail: str, instance: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


_REVERTS: dict[str, tuple[int, str]] = {
    "CertificateRegistryUnauthorizedIssuer": (403, N_("Not an active issuer")),
    "CertificateRegistryUnauthorized": (403, N_("Not allowed on this certificate")),
    "CertificateRegistryCouncilDecisionRequired": (403, N_("Needs a council decision")),
    "CertificateRegistryNotPartnerRegistry": (403, N_("Only the partner registry")),
    "CertificateRegistryInvalidFingerprint": (422, N_("Invalid fingerprint")),
    "CertificateRegistryInvalidDecision": (422, N_("Invalid council decision")),
    "CertificateRegistryUnknownCertificate": (404, N_("Unknown certificate")),
    "CertificateRegistryAlreadyIssued": (409, N_("Already issued")),
    "CertificateRegistryAlreadyRevoked": (409, N_("Already revoked")),
    "CertificateRegistryAlreadySuspended": (409, N_("Already suspended")),
    "CertificateRegistryNotSuspended": (409, N_("Not suspended")),
    "CertificateRegistryCouncilSuspension": (403, N_("Suspended by the council")),
    "CertificateRegistryInvalidProof": (422, N_("Invalid Merkle proof")),
    "CertificateRegistryInvalidExpiry": (422, N_("Invalid expiry")),
    "CertificateRegistryInvalidRoot": (422, N_("Invalid root")),
    "CertificateRegistryInvalidBatch": (422, N_("Invalid batch")),
    "ProvenanceRegistryUnauthorizedPartner": (403, N_("Not an active issuer")),
    "ProvenanceRegistryInvalidRegistration": (422, N_("Invalid registration")),
    "ProvenanceRegistryAlreadyRegistered": (409, N_("Already registered")),
    "ProvenanceRegistryUnknownOriginal": (404, N_("Unknown original")),
    "ProvenanceRegistryNotHolder": (403, N_("Not the holder")),
    "ProvenanceRegistryInvalidEvent": (422, N_("Invalid event")),
    "ProvenanceRegistryInvalidBatch": (422, N_("Invalid batch")),
}


_RELAY: tuple[tuple[type[LedgerError], int, str], ...] = (
    (RelayerUnavailable, 503, N_("Relayer unavailable")),
    (InvalidSignature, 401, N_("Invalid signature")),
    (WrongSigner, 403, N_("Wrong signer")),
    (WrongDomain, 422, N_("Wrong domain")),
    (RateLimited, 429, N_("Too many signed actions")),
    (SignedActionError, 422, N_("Invalid signed action")),
)
"""The relayer's refusals (:mod:`ledger.signing.relayer`); a contract's refusal of a signed action is a 409 titled
with the contract's error name (:class:`ActionReverted`)."""


_HTTP_TEXTS = frozenset(
    (N_("Not Found"), N_("Method Not Allowed"), N_("Not Acceptable"), N_("Unsupported Media Type"), N_("Bad Request"))
)
"""Starlette's own words for its refusals (the reason phrases), translated when an answer carries one of them."""


def _status_of(exc: LedgerError) -> tuple[int, str]:
    if isinstance(exc, ActionReverted):
        return 409, exc.error or N_("Refused by the contract")
    for kind, status, title in _RELAY:
        if isinstance(exc, kind):
            return status, title
    if isinstance(exc, ContractRevert):
        return _REVERTS.get(exc.error or "", (409, N_("Refused by the contract")))
    if isinstance(exc, AmbiguousLeaf):
        return 409, N_("Ambiguous leaf")
    if isinstance(exc, DevnetKeyRefused):
        return 403, N_("Devnet key refused")
    if isinstance(exc, AuthenticationError):
        return 401, N_("Unauthorized")
    if isinstance(exc, CertificateNotFound):  # found out before estimating: the title the registry's revert gets
        return _REVERTS["CertificateRegistryUnknownCertificate"]
    if isinstance(exc, NotCertificateIssuer):
        return 403, N_("Not this issuer's certificate")
    if isinstance(exc, TransactionTimeout):
        return 504, N_("Transaction not mined in time")
    if isinstance(exc, TransientRpcError):
        return 503, N_("Chain node unavailable")
    if isinstance(exc, RpcError):
        return 502, N_("Chain node error")
    if isinstance(exc, LookupError):
        return 404, N_("Not found")
    if isinstance(exc, PermissionError):
        return 403, N_("Forbidden")
    if isinstance(exc, ValueError):
        return 422, N_("Invalid input")
    return 500, N_("Ledger error")


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, request.url.path, **exc.extra)

    @app.exception_handler(LedgerError)
    async def _ledger(request: Request, exc: LedgerError) -> JSONResponse:
        status, title = _status_of(exc)
        extra: dict[str, Any] = {}
        if isinstance(exc, ContractRevert) and exc.error:
            extra["error"] = exc.error
        if isinstance(exc, ActionReverted):
            extra["arguments"] = exc.arguments
            if exc.tx_hash is not None:
                extra["tx_hash"] = exc.tx_hash
        if isinstance(exc, AmbiguousLeaf):
            extra["certificates"] = [{"id": cid, "issuer": issuer} for cid, issuer in exc.certificates]
        detail = str(exc)  # our exceptions are raised with their message in the request's language
        if isinstance(exc, RpcError):
            log.warning("%s %s: the chain node failed: %s", request.method, request.url.path, exc)
            detail = _(NODE_UNAVAILABLE if isinstance(exc, TransientRpcError) else NODE_ERROR)
        if not (isinstance(exc, ActionReverted) and exc.error):  # that title is the contract's error name, a code
            title = _(title)
        response = problem_response(status, title, detail, request.url.path, **extra)
        if isinstance(exc, AuthenticationError):
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return response

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        response = problem_response(413, exc.title, str(exc.detail), request.url.path)
        response.headers["Connection"] = "close"  # the rest of the body is not read: it must not pass for a request
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        # pydantic's messages (``msg``) by their type in the request's language (English: pydantic's own, unchanged);
        # our validators' messages are raised in the request's language already.
        first = errors[0] if errors else {"loc": (), "msg": _("invalid request")}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
        said = validation_message(first)
        detail = _("{where}: {message}", where=where, message=said) if where else said
        issues = [{"loc": [str(p) for p in e.get("loc", ())], "msg": validation_message(e)} for e in errors[:20]]
        return problem_response(422, _("Invalid input"), detail, request.url.path, errors=issues)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        said = _(str(exc.detail)) if str(exc.detail) in _HTTP_TEXTS else str(exc.detail)
        response = problem_response(exc.status_code, said, said, request.url.path)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:  # RFC 9110: Allow lists every method of the resource, not just one route's
            path = request.url.path
            routes = [r for r in request.app.routes if isinstance(r, APIRoute) and r.path_regex.match(path)]
            methods = {m for r in routes for m in r.methods or ()}
            response.headers["Allow"] = ", ".join(sorted(methods))
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette still re-raises it to the server, which logs the traceback; the client gets no internals.
        return problem_response(
            500, _("Internal error"), _("the server failed to answer; it has been logged"), request.url.path
        )
