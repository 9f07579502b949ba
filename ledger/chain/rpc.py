"""A small, fast JSON-RPC client over httpx with orjson, and the classification of node errors.

The indexer moves hundreds of thousands of logs a second through here, so it skips web3.py's middleware and
formatters. Errors are sorted into what callers must treat differently: :class:`TransientRpcError` (timeouts,
dropped connections, HTTP 429 and 5xx: retry with backoff), :class:`RangeTooLargeError` (the provider refuses a block
range or result size: shrink the range, using the provider's suggested range when it names one), and plain
:class:`RpcError` (anything else: fail loudly). Nothing here retries; :func:`with_retries` does, for any callable.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import orjson

from ledger.errors import LedgerError

# httpx's __init__ imports its command-line client (httpx._main) whenever click, rich and pygments are installed, as
# they are beside ape: ~50 ms of every indexer start, for a CLI nobody runs in-process. A None entry in sys.modules
# makes that one import fail, and httpx then defines a stub ``httpx.main`` instead; the entry is removed at once, so
# an explicit ``import httpx._main`` later still works. Nothing else about httpx changes.
if "httpx" in sys.modules:
    import httpx
else:
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        del sys.modules["httpx._main"]

T = TypeVar("T")

_RANGE_HINTS = re.compile(
    r"blocks? range|range is too (large|wide)|too many (blocks|results|logs)|more than \d+ (results|logs)"
    r"|response size|limit exceeded|exceeds? (the )?(max|limit)|query timeout|range too large"
    r"|limited to a [\d,]+ (blocks? )?range|bigger than range limit",
    re.IGNORECASE,
)
_SUGGESTED_RANGE = re.compile(r"\[\s*(0x[0-9a-fA-F]+)\s*,\s*(0x[0-9a-fA-F]+)\s*\]")


class RpcError(LedgerError):
    """The node answered with an error that retrying will not fix."""

    def __init__(self, message: str, code: int | None = None, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.data = data


class TransientRpcError(RpcError, ConnectionError):
    """A timeout, a dropped connection, HTTP 429 or a 5xx: the same request may succeed later."""


class RangeTooLargeError(RpcError):
    """The provider refused the block range or the result size; ``suggested`` is its hint (from, to) if any."""

    def __init__(self, message: str, code: int | None = None, suggested: tuple[int, int] | None = None) -> None:
        super().__init__(message, code)
        self.suggested = suggested


def classify_error(error: Any) -> RpcError:
    """Turn a JSON-RPC ``error`` object into the right exception (pure; exposed for tests)."""
    if not isinstance(error, dict):
        return RpcError(f"malformed JSON-RPC error: {error!r:.200}")
    code = error.get("code")
    message = str(error.get("message", ""))
    data = error.get("data")
    if isinstance(data, dict):  # some providers (Tenderly) put the reason in a structured object
        details = " ".join(str(v) for v in data.values() if isinstance(v, str))
    else:
        details = data if isinstance(data, str) else ""
    text = f"{message} {details}"
    if code == -32005 or _RANGE_HINTS.search(text):
        match = _SUGGESTED_RANGE.search(text)
        suggested = (int(match.group(1), 16), int(match.group(2), 16)) if match else None
        return RangeTooLargeError(f"provider refused the range: {message}", code, suggested)
    if code in (-32603, -32000) and re.search(r"timeout|timed out|try again|busy|overload", text, re.I):
        return TransientRpcError(f"node is busy: {message}", code, data)
    return RpcError(f"JSON-RPC error {code}: {message}", code, data)


def redact_url(url: str) -> str:
    """``url`` as it may be shown in a message or a log line: scheme, host and port only.

    A provider's URL often carries its API key in the path (``/v3/<key>``), the query or the user-info
    (``https://user:password@host``); none of that may reach a log or an API answer.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "the node"
    if not parts.scheme or not host:
        return "the node"
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}" + (f":{port}" if port is not None else "")


def _needs_tls(url: str) -> bool:
    """Whether requests to ``url`` go over TLS, i.e. whether the client needs its verifying SSL context.

    httpx builds that context (loading certifi's CA bundle: ~75 ms) when the client is made, whatever the URL. A
    plain ``http://`` node (a devnet, a node on localhost or behind a private network) never uses it: the client only
    posts to this one URL and follows no redirects, and a proxy's own TLS connection keeps its own verified context.
    So it is skipped there; every other URL (https, or anything unexpected) keeps httpx's default verification.
    """
    return not url.lower().startswith("http://")


class RpcClient:
    """JSON-RPC over HTTP. One instance per thread (httpx.Client is not shared across threads here)."""

    def __init__(self, url: str, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.url = url
        """The endpoint; it may hold credentials, so messages show :attr:`where` instead."""
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"content-type": "application/json"},
            transport=transport,
            verify=_needs_tls(url),
        )
        self._next_id = 0

    @property
    def where(self) -> str:
        """The endpoint without credentials, path or query (:func:`redact_url`): for messages and logs."""
        return redact_url(self.url)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RpcClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _exchange(self, payload: Any) -> tuple[int, bytes]:
        """POST ``payload``; the answer's HTTP status and body.

        The body is read into bytes of its own rather than through ``response.content``: an ``httpx.Response`` sits
        in a reference cycle (its stream points back at it), so a body it holds lives on until the cyclic garbage
        collector runs, which the backfill holds off (:class:`ledger.indexer.sync._Collector`); a dense
        ``eth_getLogs`` answer is several megabytes. Read this way, the cycle that waits for the collector is small.
        """
        try:
            with self._client.stream("POST", self.url, content=orjson.dumps(payload)) as response:
                return response.status_code, b"".join(response.iter_bytes())
        except httpx.TimeoutException as exc:
            raise TransientRpcError(f"timed out talking to {self.where}: {exc}") from exc
        except httpx.TransportError as exc:
            raise TransientRpcError(f"cannot reach the node at {self.where}: {exc}") from exc

    def _post(self, payload: Any) -> Any:
        status, body = self._exchange(payload)
        if status == 429 or status >= 500:
            raise TransientRpcError(f"node at {self.where} answered HTTP {status}")
        if status >= 400:
            # Some providers (QuickNode: HTTP 413) send a JSON-RPC error body with a 4xx: read it, so a range
            # refusal is still recognised as one.
            try:
                error = orjson.loads(body).get("error")
            except (orjson.JSONDecodeError, AttributeError):
                error = None
            if error is not None:
                classified = classify_error(error)
                if isinstance(classified, RangeTooLargeError):
                    raise classified
                raise RpcError(f"node at {self.where} answered HTTP {status}: {classified}", classified.code)
            raise RpcError(f"node at {self.where} answered HTTP {status}: {body.decode(errors='replace')[:200]}")
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            # A body cut off mid-way (a proxy or node dropping the connection) is worth a retry.
            raise TransientRpcError(f"unreadable JSON from {self.where}: {exc}") from exc

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One request; returns its ``result`` or raises the classified error."""
        self._next_id += 1
        reply = self._post({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": list(params)})
        if not isinstance(reply, dict):
            raise RpcError(f"unexpected JSON-RPC reply to {method}: {reply!r:.200}")
        if "error" in reply:
            raise classify_error(reply["error"])
        return reply.get("result")

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several requests in one HTTP round trip; results in the order of ``calls``. Any error raises."""
        if not calls:
            return []
        first = self._next_id + 1
        self._next_id += len(calls)
        payload = [
            {"jsonrpc": "2.0", "id": first + i, "method": method, "params": list(params)}
            for i, (method, params) in enumerate(calls)
        ]
        replies = self._post(payload)
        if not isinstance(replies, list) or len(replies) != len(calls):
            raise RpcError(f"unexpected JSON-RPC batch reply: {str(replies)[:200]}")
        by_id = {reply.get("id"): reply for reply in replies}
        results = []
        for i in range(len(calls)):
            reply = by_id.get(first + i)
            if reply is None:
                raise RpcError(f"JSON-RPC batch reply misses id {first + i}")
            if "error" in reply:
                raise classify_error(reply["error"])
            results.append(reply.get("result"))
        return results


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base * 2**n)) seconds."""

    attempts: int = 8
    base: float = 0.1
    cap: float = 10.0

    def delay(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        return rng() * min(self.cap, self.base * 2.0**attempt)


def with_retries(
    fn: Callable[[], T],
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, TransientRpcError], None] | None = None,
) -> T:
    """Call ``fn``, retrying :class:`TransientRpcError` with backoff; other errors pass through at once.

    Raises:
        TransientRpcError: still failing after ``policy.attempts`` attempts (the last error, with the count).
    """
    for attempt in range(policy.attempts):
        try:
            return fn()
        except TransientRpcError as exc:
            if attempt == policy.attempts - 1:
                raise TransientRpcError(f"{exc} (gave up after {policy.attempts} attempts)") from exc
            if on_retry is not None:
                on_retry(attempt + 1, exc)
            sleep(policy.delay(attempt))
    raise AssertionError("unreachable")  # pragma: no cover
