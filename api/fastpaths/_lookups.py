"""Fast path of the two verify lookups: ``GET /verify/fingerprint/{key}`` and ``GET /verify/certificate/{key}``.

The common case (a well-formed key, and no query string or exactly ``source=index``) is answered before the
framework's routing and request handling, which cost more than a lookup on SQLite (docs/benchmarks.md, API). It runs
the declared routes' own lookups (:func:`api.routes.verify.fingerprint_answer`,
:func:`~api.routes.verify.certificate_answer`) on the index's reader and serialises their answer as the routes do;
any other request, well-formed or not, goes the declared routes' way, so errors and the OpenAPI document are theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from api.fastpaths._asgi import plain_get, send_json
from api.routes import verify
from api.vocabulary import HEX32_PATTERN
from ledger.verification.facts import FactSource
from ledger.verification.sources.index import IndexFacts

_KEY = re.compile(HEX32_PATTERN)
_PREFIX = len("/verify/fingerprint/")
_LOOKUPS: dict[str, tuple[Callable[[str, FactSource], dict[str, Any]], Any, str]] = {
    "/verify/fingerprint/": (verify.fingerprint_answer, verify.verify_fingerprint, "fingerprint"),
    "/verify/certificate/": (verify.certificate_answer, verify.verify_certificate, "certificate_id"),
}
assert {len(prefix) for prefix in _LOOKUPS} == {_PREFIX}
_INDEX_QUERIES = (b"", b"source=index")
"""The query strings of a lookup from the index: none (the default), or the one the web page sends."""


class _LookupFastPath:
    """Answers ``GET /verify/fingerprint/{key}`` and ``GET /verify/certificate/{key}`` of a SQLite index directly.

    A pure ASGI middleware placed inside the app's own middlewares (Starlette's error middleware, and outside it the
    edge of :mod:`api.edge` and the metrics), so those see these requests as before: it sets the matched route in the
    scope, as routing does, for the metrics' route label. It answers only what the declared route would answer with the
    same bytes and headers: a GET with a key of exactly 0x + 64 hex digits, and no query string or exactly
    ``source=index`` (what the web page sends). Everything else, and
    every request while FastAPI's OpenTelemetry instrumentation is active (it names spans after routing), goes on to the
    app unchanged.
    """

    def __init__(self, app: ASGIApp, facts: IndexFacts) -> None:
        self.app = app
        self.facts = facts
        routes = {r.endpoint: r for r in verify.router.routes if isinstance(r, APIRoute)}
        self._lookups = {
            prefix: (lookup, routes[endpoint], name) for prefix, (lookup, endpoint, name) in _LOOKUPS.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if len(path) == _PREFIX + 66 and plain_get(scope) and scope.get("query_string", b"") in _INDEX_QUERIES:
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
