"""A bounded schemathesis run against the app's own OpenAPI document, over the indexed scenario (SQLite).

Every operation of the document (every GET and POST) gets generated requests, valid and invalid, and each answer is
held to schemathesis's default checks: no 5xx, status codes, content types, headers and bodies as documented (every
route declares its response model, so every body is validated against a schema), valid requests accepted, invalid
ones refused, undeclared methods answered properly. Bounded to a few dozen examples per
operation and derandomised, so the run takes well under a minute and a failure reproduces.

Pagination cursors are opaque: no schema can say which strings are cursors, so a generated one is replaced by a real
cursor of the same list before the request is sent (the rest of the query stays generated). Bad cursors are covered
in ``test_reads.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema
from support.api_scenario import Scenario
from support.governance import RELAYER
from support.write_world import PASSWORD, write_keystore

from api.main import create_app
from devtools.devnet import devnet_key
from ledger.config import Settings

MAX_EXAMPLES = 30
MULTIPART_FALSE_ALARMS = [negative_data_rejection]
"""An uploaded file is bytes: schemathesis "breaks" the file part by sending e.g. ``null`` as its content, which is
still a valid file (of four bytes), so accepting it is right."""
LISTS = ("/certificates", "/partners", "/proposals")
REFUSED_BY_CONTENT = {"/pdf", "/verify/pdf", "/originals", "/digital-link"}
"""Routes that refuse (422) what the schema cannot describe: a PDF certificate is made only of an intact document, and
only a PDF that carries one is read; any bytes are a valid file and any wrapped document fits the schema; the list of
originals takes exactly one of its three filters (query parameters cannot say "one of"), and its cursor is of the
filter's sort key; a GTIN has a check digit."""
TIMELINE = "/originals/{original_id}/provenance"


@pytest.fixture(scope="session")
def fuzzed_app(
    sqlite_indexed: Settings, scenario: Scenario, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    """The app over the SQLite index, with a relayer (signed actions are refused for their signatures, not with a
    503), and a genuine second-page cursor of each list (and of an original's timeline: any original's page takes
    it)."""
    keystore = write_keystore(tmp_path_factory.mktemp("relayer"), devnet_key(RELAYER))
    settings = sqlite_indexed.model_copy(update={"relayer_keystore": keystore, "relayer_password": SecretStr(PASSWORD)})
    with TestClient(create_app(settings)) as client:
        cursors = {path: client.get(path, params={"limit": 1}).json()["next_cursor"] for path in LISTS}
        timeline = client.get(f"/originals/{scenario.originals['charter']}/provenance", params={"limit": 1})
        cursors[TIMELINE] = timeline.json()["next_cursor"]
        assert all(cursors.values()), "every list needs a second page for its cursor"
        yield client.app, cursors  # type: ignore[misc]


@pytest.fixture(scope="session")
def api_schema(fuzzed_app: tuple[FastAPI, dict[str, str]]) -> OpenApiSchema:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app[0])
    schema.config.generation.update(max_examples=MAX_EXAMPLES)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_openapi_document_says(
    case: schemathesis.Case, fuzzed_app: tuple[FastAPI, dict[str, str]]
) -> None:
    if case.query and "cursor" in case.query and case.operation.path in fuzzed_app[1]:  # a list's real cursor
        case.query["cursor"] = fuzzed_app[1][case.operation.path]
    excluded = MULTIPART_FALSE_ALARMS if case.operation.path == "/verify/file" else []
    if case.operation.path in REFUSED_BY_CONTENT:
        excluded = [positive_data_acceptance]
    # response_schema_conformance is among the defaults; named here because it is the point: every body is checked
    # against its route's declared response model (which test_every_operation_declares_its_answer's schema requires).
    case.call_and_validate(additional_checks=[response_schema_conformance], excluded_checks=excluded)


def test_every_operation_declares_the_schema_of_its_answer(fuzzed_app: tuple[FastAPI, dict[str, str]]) -> None:
    """No success answer is documented as ``{}`` (anything): schemathesis could not check such a body. (The Atom feed
    declares its own media type, ``application/atom+xml``, with a string schema.)"""
    document = fuzzed_app[0].openapi()
    undeclared = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status.startswith("2")
        and (
            not response.get("content")
            or any(media.get("schema") in (None, {}) for media in response["content"].values())
        )
    ]
    assert undeclared == []
