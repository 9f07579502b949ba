"""``HEAD`` wherever ``GET`` answers: one pure-ASGI middleware instead of a second method on every route.

FastAPI's ``APIRoute`` answers ``HEAD`` with 405 (only Starlette's plain ``Route`` and ``StaticFiles`` add it), and the
fast paths in :mod:`api.fastpaths` answer ``GET`` only. Adding ``HEAD`` to each route would also put a ``HEAD``
operation for each into the OpenAPI document. So a ``HEAD`` request is handed to the app as the ``GET`` it mirrors
and the answer's body is dropped: the status and headers (``content-length`` included) are exactly the ``GET``'s, by
construction, for routes, fast paths, mounts and error answers alike (RFC 9110, section 9.3.2).

It sits outside the fast paths and inside the edge and the metrics, which see the request as the ``HEAD`` it is.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Answers ``HEAD`` as ``GET`` without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the body's parts are not sent; its end is, so the server knows the answer is complete
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # A copy: the server reads the method from its own scope as the answer goes out (a HEAD answer has no body),
        # so that one must stay HEAD. What routing records in the copy (the route, the metrics' label) is copied back.
        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, send_headers_only)
        finally:
            scope.update((key, value) for key, value in as_get.items() if key != "method")
