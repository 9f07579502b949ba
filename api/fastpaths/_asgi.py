"""What the pure-ASGI fast paths (verify lookups, certificate lists) share: which requests they may answer at all, and
how an answer is sent so that the app's middlewares and metrics see it as the declared route's.

A fast path answers a request before FastAPI's routing; it must then send exactly what the declared route would send
and leave in the scope what routing leaves there (the metrics' route label comes from ``scope["route"]``).
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from starlette.types import Scope, Send

_JSON = b"application/json"


def plain_get(scope: Scope) -> bool:
    """An HTTP GET that a fast path may answer: served at the root (no ``root_path``), and not while FastAPI's
    OpenTelemetry instrumentation is active (it names spans after routing, which a fast path skips)."""
    return (
        scope["type"] == "http"
        and scope["method"] == "GET"
        and not scope.get("root_path")
        and "fastapi.telemetry" not in scope
    )


async def send_json(scope: Scope, send: Send, route: APIRoute, path_params: dict[str, Any], body: bytes) -> None:
    """Send ``body`` as the 200 JSON answer of ``route``, recording the route in the scope as routing would."""
    scope["route"], scope["endpoint"], scope["path_params"] = route, route.endpoint, path_params
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", _JSON)]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
