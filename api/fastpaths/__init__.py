"""The API's fast paths, in one place: pure-ASGI answers to its hottest requests, ahead of FastAPI's routing.

The declared routes in :mod:`api.routes` are the specification: plain typed FastAPI parameters, the reference a reader
meets first. A fast path may answer a request before them only if it sends exactly the bytes, status and headers the
declared route would send; everything else (any other query string, bad input, errors, the database failing) goes on
to the declared route unchanged. Each one is held to that by a differential test that sends the same requests through
both (``tests/api/test_fastpaths.py``); the policy is ``docs/decisions/0005-fast-path-policy.md``.

- ``_lookups``: ``GET /verify/fingerprint/{key}`` and ``GET /verify/certificate/{key}`` with no query string.
- ``_certificates``: the common ``GET /certificates`` pages, read straight on the event loop's SQLite connection.
- ``_asgi``: what both share (which requests may be answered, how an answer is sent).

A ``HEAD`` reaches them as the ``GET`` it mirrors (:mod:`api.head`, outside them), which drops the body.

They run only on a SQLite index (the reader of :class:`ledger.verification.sources.index.IndexFacts`): on PostgreSQL
the declared routes answer everything. :func:`install` is the only entry point; nothing else imports the private
modules.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.fastpaths._certificates import _ListFastPath
from api.fastpaths._lookups import _LookupFastPath
from ledger.verification.sources.index import IndexFacts


def install(app: FastAPI, facts: IndexFacts) -> None:
    """Put the fast paths in front of ``app``'s routing when ``facts`` is a SQLite index (else leave it as it is).

    Innermost of the app's middlewares (call it before any other ``add_middleware``), so that Starlette's error
    middleware, the edge and the metrics see their requests as before.
    """
    if facts.local:
        app.add_middleware(_ListFastPath, facts=facts)
        app.add_middleware(_LookupFastPath, facts=facts)
