"""The API's edge: what every request meets first and every answer leaves with, in one pure ASGI middleware.

:class:`Edge` is the outermost layer of the app, so the fast paths (:mod:`api.fastpaths`), problem answers, static
files and the API docs all pass through it:

- the ``Host`` header must name a trusted host (400 otherwise): links are made from the configured public base URL,
  and a request for another name is refused rather than answered;
- each client address has a rate limit (``limits``, in this process's memory; 429 with ``Retry-After``);
- a request body is counted as it streams in and refused the moment it passes its route's limit (413): at once when
  its ``Content-Length`` shows it, otherwise at the chunk that passes it, before any parsing or spooling to disk;
- every answer carries the security headers (CSP, ``frame-ancestors``/``X-Frame-Options``, ``nosniff``,
  ``Referrer-Policy``), precomputed once;
- the request's language (:mod:`ledger.i18n`: the page switch's ``originals_lang`` cookie, else ``Accept-Language``)
  is set for everything below, and the answer says it (``Content-Language``, ``Vary: Accept-Language, Cookie``).

It costs little on the busiest routes (the verify lookups, answered by a fast path): one pass over the request
headers, a set lookup, the rate limiter's counter, and a list concatenation on the answer's start.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import BodyTooLarge, problem_response
from ledger.config import Settings
from ledger.i18n import DEFAULT, N_, format_number, language, negotiate, ngettext, use_language
from ledger.i18n import gettext as _

MULTIPART_SLACK = 64 * 1024
"""Bytes allowed in an upload's body besides the file: boundaries and part headers take a few hundred."""

DOCS_PATH = "/docs"

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_DOCS_CSP = (  # Swagger UI sets style attributes in its markup; its scripts are still only this server's files
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def security_headers(settings: Settings, csp: str = _CSP) -> list[tuple[bytes, bytes]]:
    """The headers added to every answer (HSTS only when the public base URL is https)."""
    headers = [
        (b"content-security-policy", csp.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if settings.public_base_url.startswith("https://"):
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    return headers


def trusted_hosts(settings: Settings) -> frozenset[bytes] | None:
    """The host names (lower case, no port, IPv6 without brackets) the API answers; None when any is accepted.

    The public base URL's host is always among them; the test environment adds ``testserver``, the host name of
    Starlette's test client.
    """
    from urllib.parse import urlsplit

    names = set(settings.trusted_hosts)
    if "*" in names:
        return None
    names.add(urlsplit(settings.public_base_url).hostname or "")
    if settings.environment == "test":
        names.add("testserver")
    return frozenset(name.encode() for name in names if name)


def host_name(value: bytes) -> bytes:
    """The name in a ``Host`` header value: lower case, without the port, an IPv6 address without its brackets."""
    value = value.lower()
    if value.startswith(b"["):
        return value[1 : value.find(b"]")]
    return value.partition(b":")[0]


@dataclass(frozen=True)
class BodyLimit:
    """A route's largest request body, and the problem that refuses a larger one (its words in English, translated
    into the request's language by :meth:`said`; ``{limit}`` in the detail is the shown limit)."""

    limit: int
    title: str
    detail: str
    shown: int = 0

    def said(self) -> tuple[str, str]:
        """The title and detail in the request's language."""
        return _(self.title), _(self.detail, limit=format_number(self.shown or self.limit))


def body_limits(settings: Settings) -> tuple[dict[str, BodyLimit], BodyLimit]:
    """The limits of the routes that take large bodies (POST, by path), and the one of every other request."""
    default = BodyLimit(
        settings.max_request_bytes,
        N_("Request body too large"),
        N_("the request body is larger than the {limit}-byte limit"),
    )
    upload = BodyLimit(
        settings.max_upload_bytes + MULTIPART_SLACK,
        N_("File too large"),
        N_("the file is larger than the {limit}-byte limit"),
        settings.max_upload_bytes,
    )
    batch = BodyLimit(
        settings.max_batch_request_bytes,
        N_("Request body too large"),
        N_("the request body is larger than the {limit}-byte limit of a batch"),
    )
    return {"/verify/file": upload, "/verify/pdf": upload, "/batches": batch}, default


SWEEP_SECONDS = 1.0
"""How often the counters of ended windows are dropped from memory."""


class _Counters(MemoryStorage):
    """``limits``' memory storage, sweeping ended windows once a second instead of every 10 ms.

    The sweep only frees memory: a counter past its expiry already reads as zero. ``MemoryStorage`` starts a new
    thread to walk every client's counters 10 ms after each request that finds none running, which under load costs
    more than the counting itself once there are thousands of clients (a flood from many addresses, exactly when the
    limit matters). The override replaces that schedule, a private method of the pinned ``limits`` 5.8.0
    (``tests/api/test_rate_limit.py`` checks that it is the one in use).
    """

    def __init__(self) -> None:
        super().__init__()
        self.timer.cancel()  # the 10 ms sweep MemoryStorage starts at once: nothing to sweep yet
        self.timer.join()

    def _MemoryStorage__schedule_expiry(self) -> None:
        if not self.timer.is_alive():
            self.timer = threading.Timer(SWEEP_SECONDS, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
            self.timer.daemon = True
            self.timer.start()


class RateLimit:
    """Requests per client address, with the ``limits`` library's fixed windows in this process's memory."""

    def __init__(self, rates: str) -> None:
        self.items: list[RateLimitItem] = parse_many(rates)
        self.storage = _Counters()
        self.limiter = FixedWindowRateLimiter(self.storage)

    def refused(self, client: str) -> tuple[RateLimitItem, int] | None:
        """None when ``client`` may go on (the request is counted); else the limit it passed and the seconds until
        its window ends (for ``Retry-After``)."""
        for item in self.items:
            if not self.limiter.hit(item, client):
                reset = self.limiter.get_window_stats(item, client).reset_time
                return item, max(1, math.ceil(reset - time.time()))
        return None


PER_UNIT: dict[str, Callable[[int, str], str]] = {
    "second": lambda n, a: ngettext("{amount} per {count} second", "{amount} per {count} seconds", n, amount=a),
    "minute": lambda n, a: ngettext("{amount} per {count} minute", "{amount} per {count} minutes", n, amount=a),
    "hour": lambda n, a: ngettext("{amount} per {count} hour", "{amount} per {count} hours", n, amount=a),
    "day": lambda n, a: ngettext("{amount} per {count} day", "{amount} per {count} days", n, amount=a),
    "month": lambda n, a: ngettext("{amount} per {count} month", "{amount} per {count} months", n, amount=a),
    "year": lambda n, a: ngettext("{amount} per {count} year", "{amount} per {count} years", n, amount=a),
}
"""A rate limit's words by the ``limits`` library's granularity (``count`` of them, ``amount`` requests)."""


def limit_words(item: RateLimitItem) -> str:
    """A rate limit as a person reads it: the ``limits`` library's own words in English (``1 per 1 minute``, as
    always), ours in another language (``1 pro 1 Minute``, ``2.000 pro 2 Stunden``)."""
    words = PER_UNIT.get(item.GRANULARITY.name)
    if language() == DEFAULT or words is None:
        return str(item)
    return words(item.multiples, format_number(item.amount))


LANGUAGE_COOKIE = "originals_lang"
"""The page's language switch remembers the choice here (a cookie, so that the server answers in it too)."""


@functools.lru_cache(maxsize=256)
def request_language(accept: bytes | None, cookie: bytes | None) -> str:
    """The language of a request: the switch's cookie if set to one we speak, else the best of ``Accept-Language``."""
    chosen = None
    if cookie is not None:
        for part in cookie.decode("latin-1").split(";"):
            name, _eq, value = part.strip().partition("=")
            if name == LANGUAGE_COOKIE:
                chosen = value
    return negotiate(accept.decode("latin-1") if accept is not None else None, chosen)


class Edge:
    """Trusted hosts, rate limits, streamed body limits and security headers, for every HTTP request (see above)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hosts = trusted_hosts(settings)
        self.headers = security_headers(settings)
        self.docs_headers = security_headers(settings, _DOCS_CSP)
        self.post_limits, self.default_limit = body_limits(settings)
        self.rate = None if settings.rate_limit == "off" else RateLimit(settings.rate_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = length = accept = cookie = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"content-length":
                length = value
            elif name == b"accept-language":
                accept = value
            elif name == b"cookie":
                cookie = value
        code = request_language(accept, cookie)
        extra = [
            *(self.docs_headers if scope["path"] == DOCS_PATH else self.headers),
            (b"content-language", code.encode()),
            (b"vary", b"Accept-Language, Cookie"),
        ]

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        with use_language(code):
            await self._checked(scope, receive, send_secured, host, length)

    async def _checked(
        self, scope: Scope, receive: Receive, send_secured: Send, host: bytes | None, length: bytes | None
    ) -> None:
        """Host, rate and body limits, in the request's language (set by :meth:`__call__`)."""
        if self.hosts is not None and (host is None or host_name(host) not in self.hosts):
            detail = _("the Host header does not name a host this server answers for")
            await problem_response(400, _("Invalid host"), detail, scope["path"])(scope, receive, send_secured)
            return
        if self.rate is not None:
            client = scope.get("client")
            refused = self.rate.refused(client[0] if client else "-")
            if refused is not None:
                item, retry = refused
                detail = _(
                    "this client sent more requests than its limit ({item}); retry in {retry} s",
                    item=limit_words(item),
                    retry=retry,
                )
                response = problem_response(429, _("Too many requests"), detail, scope["path"])
                response.headers["Retry-After"] = str(retry)
                await response(scope, receive, send_secured)
                return
        bound = (
            self.post_limits.get(scope["path"], self.default_limit) if scope["method"] == "POST" else self.default_limit
        )
        if length is not None:
            # The server holds the body to its Content-Length, so a declared length is the whole count.
            if length.isdigit() and int(length) > bound.limit:
                response = problem_response(413, *bound.said(), scope["path"])
                response.headers["Connection"] = "close"  # the unread body must not be taken for the next request
                await response(scope, receive, send_secured)
                return
            await self.app(scope, receive, send_secured)
            return
        await self._counted(scope, receive, send_secured, bound)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, bound: BodyLimit) -> None:
        """Pass the request on with its body counted chunk by chunk (a chunked body, or none at all)."""
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > bound.limit:
                    raise BodyTooLarge(*bound.said())
            return message

        async def send_started(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, counted, send_started)
        except BodyTooLarge as exc:  # read where no handler answers it (the app's handlers answer it for routes)
            if started:
                raise
            response = problem_response(413, exc.title, str(exc.detail), scope["path"])
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
