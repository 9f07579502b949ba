"""The two ASGI apps that ``bench/api.py`` serves with uvicorn: the real API and a bare FastAPI ceiling.

``app`` is exactly what production serves, ``create_app(Settings())``, configured by the ``ORIGINALS_*`` environment
variables the benchmark sets (database URL, deployments folder). ``bare`` is a FastAPI app with one route returning
a constant JSON object and nothing else (no middleware, no dependencies, no database): served by the same uvicorn
command line, its requests per second are the ceiling the API's figures are divided by.

Not a module of the runtime: uvicorn imports it with bench/ on PYTHONPATH and only the benchmark starts it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.main import create_app
from ledger.config import Settings

app = create_app(Settings())

bare = FastAPI(title="bare", openapi_url=None, docs_url=None, redoc_url=None)

_CONSTANT = {"verdict": "VALID", "source": "index", "indexed_block": 1}


@bare.get("/bare")
async def constant() -> dict[str, Any]:
    """A constant answer: the framework's and the server's cost per request, nothing else."""
    return _CONSTANT
