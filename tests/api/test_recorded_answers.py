"""Every answer of the API is the one recorded before the code was regrouped (issue 12): same status, same headers,
same bytes, for a fixed list of requests over a fixed index (:mod:`support.recorded_world`).

``recorded_answers.json`` was written by main's code at b56f77a, before the API's fast paths moved and its routes
went back to declared parameters. Re-record only for a change that is meant to alter answers, and say so in the
CHANGELOG: ``ORIGINALS_RECORD_ANSWERS=1 .venv/bin/python -m pytest -p no:ape_test tests/api/test_recorded_answers.py``.
The OpenAPI document is not in the list: declaring the response models changes it on purpose.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from support.app_routes import routes
from support.recorded_world import answer, build, requests

from api.main import create_app
from ledger.config import Settings

RECORDED = Path(__file__).with_name("recorded_answers.json")


@pytest.fixture(scope="module")
def world_answers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, Any]]]:
    settings, world = build(tmp_path_factory.mktemp("recorded"))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield [{"request": r, "answer": answer(client, r)} for r in requests(world)]


def test_every_answer_is_the_recorded_one(world_answers: list[dict[str, Any]]) -> None:
    if os.environ.get("ORIGINALS_RECORD_ANSWERS") == "1":
        RECORDED.write_text(json.dumps(world_answers, indent=1, ensure_ascii=False) + "\n")
    recorded = json.loads(RECORDED.read_text())
    assert [r["request"] for r in recorded] == [a["request"] for a in world_answers]
    for before, now in zip(recorded, world_answers, strict=True):
        assert now["answer"] == before["answer"], f"{before['request']['method']} {before['request']['url']}"


def test_the_recorded_list_reaches_every_route(world_answers: list[dict[str, Any]]) -> None:
    app = create_app(Settings(environment="test", database_url="sqlite://", rate_limit="off"))
    declared = {
        (method, route.path)
        for route in routes(app.routes)
        if isinstance(route, APIRoute) and route.path not in ("/metrics",)
        for method in route.methods
    }
    unreached = {
        (method, path)
        for method, path in declared
        if not any(i["request"]["method"] == method and _matches(path, i["request"]["url"]) for i in world_answers)
    }
    assert len(declared) > 50, "the walk found the app's routes"
    assert unreached == set()


def _matches(template: str, url: str) -> bool:
    path = url.split("?", 1)[0]
    parts, want = path.strip("/").split("/"), template.strip("/").split("/")
    if len(parts) != len(want):
        return False
    for part, pattern in zip(parts, want, strict=True):
        if pattern.startswith("{"):
            suffix = pattern[pattern.index("}") + 1 :]
            if not part.endswith(suffix):
                return False
        elif part != pattern:
            return False
    return True
