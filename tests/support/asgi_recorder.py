"""An inner ASGI app for the fast-path tests: it records which requests a fast path handed on."""

from __future__ import annotations

from starlette.types import Receive, Scope, Send


class Recorder:
    """An inner app that records what reaches it."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
