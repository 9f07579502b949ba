"""A fault-injecting JSON-RPC proxy for the indexer's fault tests: a small threaded HTTP server in front of anvil.

Each :class:`Fault` decides, per request, whether to misbehave the way real providers do: refuse an ``eth_getLogs``
block range (with or without a suggested range in the message), answer HTTP 429 or a 5xx, sleep past the client's
timeout, cut a large ``eth_getLogs`` result down to a cap, or answer a JSON-RPC error such as -32601. Faults fire
on a fixed rhythm (every n-th matching request, at most ``limit`` times), not at random, so a failing run replays
exactly; each counts how often it fired, so a test can prove the fault was really exercised. Everything else is
forwarded unchanged. The proxy never touches the indexer's code: it only sees HTTP.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

GETLOGS = "eth_getLogs"


@dataclass
class Fault:
    """Misbehave on every ``every``-th request matching ``methods`` (after ``skip`` of them), at most ``limit`` times.

    ``kind`` is one of:
      ``range``      a JSON-RPC range error when the block range is wider than ``max_blocks`` (``suggest``: name a
                     range that would work, as Alchemy does; otherwise geth's bare "exceeds max block range")
      ``http``       an empty HTTP error with status ``status`` (429, 502, 503 ...)
      ``sleep``      wait ``seconds`` before forwarding (past the client's timeout: it gives up first)
      ``truncate``   forward, then keep only the first ``cap`` logs of a larger result
      ``error``      a JSON-RPC error object ``{"code": code, "message": message}``
    """

    kind: str
    methods: tuple[str, ...] = (GETLOGS,)
    every: int = 1
    skip: int = 0
    limit: int | None = None
    max_blocks: int = 50
    suggest: bool = False
    status: int = 429
    seconds: float = 1.0
    cap: int = 100
    code: int = -32601
    message: str = ""
    seen: int = 0
    fired: int = 0

    def matches(self, method: str, params: Sequence[Any]) -> bool:
        if method not in self.methods:
            return False
        if self.kind == "range":
            return _span(params) > self.max_blocks
        return True

    def take(self, method: str, params: Sequence[Any]) -> bool:
        """Count a matching request; True when this one should misbehave."""
        if not self.matches(method, params):
            return False
        self.seen += 1
        n = self.seen - self.skip
        if n <= 0 or n % self.every != 0 or (self.limit is not None and self.fired >= self.limit):
            return False
        self.fired += 1
        return True


def _range(params: Sequence[Any]) -> tuple[int, int] | None:
    if not params or not isinstance(params[0], dict):
        return None
    flt = params[0]
    start, end = flt.get("fromBlock"), flt.get("toBlock")
    if not (isinstance(start, str) and start.startswith("0x") and isinstance(end, str) and end.startswith("0x")):
        return None  # a blockHash query, or named tags
    return int(start, 16), int(end, 16)


def _span(params: Sequence[Any]) -> int:
    bounds = _range(params)
    return 0 if bounds is None else bounds[1] - bounds[0] + 1


@dataclass
class FaultProxy:
    """Forwards JSON-RPC to ``upstream`` on 127.0.0.1:<free port>, applying ``faults`` in order (first match wins)."""

    upstream: str
    faults: list[Fault] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    ranges: list[tuple[int, int, str | None]] = field(default_factory=list)
    """Every ranged ``eth_getLogs`` in arrival order: (from, to, kind of the fault it met or None)."""
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _closing: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None, "the proxy is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fired(self, kind: str) -> int:
        return sum(f.fired for f in self.faults if f.kind == kind)

    def start(self) -> FaultProxy:
        proxy = self
        forward = httpx.Client(timeout=60.0, headers={"content-type": "application/json"})

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: pytest shows failures, not every request

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                # A client that gave up (a timeout we caused) has nobody left to answer.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    proxy._handle(self, body, forward)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="faultproxy", daemon=True)
        self._thread.start()
        self._forward = forward
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._forward.close()
            self._server = None

    def __enter__(self) -> FaultProxy:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- one request --

    def _pick(self, method: str, params: Sequence[Any]) -> Fault | None:
        with self._lock:
            self.requests[method] = self.requests.get(method, 0) + 1
            picked = next((fault for fault in self.faults if fault.take(method, params)), None)
            bounds = _range(params) if method == GETLOGS else None
            if bounds is not None:
                self.ranges.append((*bounds, None if picked is None else picked.kind))
        return picked

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes, forward: httpx.Client) -> None:
        payload = json.loads(body)
        single = isinstance(payload, dict)
        method = payload.get("method", "") if single else "batch"
        params = payload.get("params", []) if single else []
        fault = self._pick(method, params)
        if fault is None:
            self._reply(handler, 200, forward.post(self.upstream, content=body).content)
            return
        ident = payload.get("id") if single else None
        if fault.kind == "http":
            self._reply(handler, fault.status, b"")
        elif fault.kind == "sleep":
            self._closing.wait(fault.seconds)
            self._reply(handler, 200, forward.post(self.upstream, content=body).content)
        elif fault.kind == "range":
            start, _ = _range(params) or (0, 0)
            if fault.suggest:
                hint = f"[{hex(start)}, {hex(start + fault.max_blocks - 1)}]"
                message = (
                    f"Log response size exceeded. You can make eth_getLogs requests with up to a "
                    f"{fault.max_blocks} block range. Based on your parameters, this block range should work: {hint}"
                )
                error = {"code": -32602, "message": message}
            else:
                error = {"code": -32000, "message": f"query exceeds max block range {fault.max_blocks}"}
            self._reply(handler, 200, json.dumps({"jsonrpc": "2.0", "id": ident, "error": error}).encode())
        elif fault.kind == "truncate":
            reply = forward.post(self.upstream, content=body).json()
            if isinstance(reply.get("result"), list) and len(reply["result"]) > fault.cap:
                reply["result"] = reply["result"][: fault.cap]
            else:
                with self._lock:
                    fault.fired -= 1  # nothing to cut: this one does not count
            self._reply(handler, 200, json.dumps(reply).encode())
        elif fault.kind == "error":
            error = {
                "code": fault.code,
                "message": fault.message or f"the method {method} does not exist/is not available",
            }
            self._reply(handler, 200, json.dumps({"jsonrpc": "2.0", "id": ident, "error": error}).encode())
        else:
            raise AssertionError(f"unknown fault kind {fault.kind!r}")

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, status: int, content: bytes) -> None:
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)
