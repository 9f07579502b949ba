"""The routes of an app, its included routers' too: FastAPI keeps each included router as one entry of
``app.routes`` (an ``_IncludedRouter``), so a walk over ``app.routes`` alone finds almost nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def routes(declared: list[Any]) -> Iterator[Any]:
    """Every route of ``declared``, with those of the routers it includes, depth first."""
    for route in declared:
        included = getattr(route, "original_router", None)
        yield from routes(included.routes) if included is not None else (route,)
