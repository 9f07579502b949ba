"""schemathesis over every operation again, this time with an API key: an issuer's and a council partner's.

The unauthenticated run (``test_schemathesis.py``) reaches the write routes only up to their 401. Here every request
carries a real key of the write tests' private chain (:mod:`support.write_world`), so generated requests get past the
key check into issuance and status changes: real transactions are estimated and sent, certificate ids that name nothing
or another issuer's certificate are refused. Whatever is generated, no answer may be a 5xx, and every answer must be as
the OpenAPI document says (schemathesis's default checks).

Pagination cursors are opaque (no schema says which strings are cursors); the generated ones are dropped here, and the
unauthenticated run covers real cursors.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.specs.openapi.schemas import OpenApiSchema
from support.governance import relayer_settings
from support.write_world import WriteWorld, original, write_world

from api.main import create_app

MAX_EXAMPLES = 15
MULTIPART_FALSE_ALARMS = [negative_data_rejection]
"""As in the unauthenticated run: a file part of ``null`` is still a valid file of four bytes."""
REFUSED_BY_CONTENT = ("/pdf", "/verify/pdf")
"""Refused (422) for what no schema says: a forged document gets no PDF certificate, a file that is no PDF is not read
(as in test_schemathesis.py)."""
ISSUING = ("/certificates", "/batches")
"""Whether a schema-valid issuance is accepted depends on the chain, which no schema can state: an expiry must lie
after the block's time (``valid_until`` 1 is schema-valid and refused with 422 "Invalid expiry"). For these two
operations the "valid data accepted" check is left out; every other check, and "no 5xx", still applies."""
PROVENANCE_WRITES = (
    "/originals",
    "/originals/{original_id}/consented-events",
    "/event-batches",
    "/event-batches/check",
)
"""The same holds for the provenance writes: an identifier or a GTIN and serial (one of the two, with a right check
digit), a consent signed by the event's holder, a holder who holds the original, are facts no schema states."""


@pytest.fixture(scope="module")
def keyed_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WriteWorld]:
    with write_world(Path(tmp_path_factory.mktemp("keyed"))) as world:
        yield world


@pytest.fixture(scope="module")
def keyed_app(keyed_world: WriteWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app over the private chain's index, with one certificate of the issuer's already issued and indexed, and
    a relayer (signed actions get past the 503 to their signature checks)."""
    settings = relayer_settings(keyed_world, tmp_path_factory.mktemp("relayer"))
    with TestClient(create_app(settings)) as client:
        issued = client.post(
            "/certificates",
            json={"original": original("fuzzed")},
            headers={"Authorization": f"Bearer {keyed_world.keys['issuer']}"},
        )
        assert issued.status_code == 202, issued.text
        keyed_world.index()
        yield client.app  # type: ignore[misc]


@pytest.fixture(scope="module")
def keyed_schema(keyed_app: FastAPI) -> OpenApiSchema:
    schema = schemathesis.openapi.from_asgi("/openapi.json", keyed_app)
    schema.config.generation.update(max_examples=MAX_EXAMPLES)
    return schema


schema = schemathesis.pytest.from_fixture("keyed_schema")


REFUSED_READS = ("/digital-link", "/originals")
"""Reads refused (422) for what no schema states either: a GTIN's check digit; exactly one of ``owner``, ``holder``
and ``identifier`` (as in test_schemathesis.py)."""


def _call_and_validate(case: schemathesis.Case, key: str) -> None:
    if case.query:
        case.query.pop("cursor", None)
    excluded = MULTIPART_FALSE_ALARMS if case.operation.path == "/verify/file" else []
    if case.method == "POST" and case.operation.path in (*ISSUING, *REFUSED_BY_CONTENT, *PROVENANCE_WRITES):
        excluded = [positive_data_acceptance]
    if case.method == "GET" and case.operation.path in REFUSED_READS:
        excluded = [positive_data_acceptance]
    response = case.call(headers={"Authorization": f"Bearer {key}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
    case.validate_response(response, excluded_checks=excluded)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_with_an_issuers_key_answers_as_documented_and_never_5xx(
    case: schemathesis.Case, keyed_world: WriteWorld
) -> None:
    _call_and_validate(case, keyed_world.keys["issuer"])


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_with_a_council_partners_key_answers_as_documented_and_never_5xx(
    case: schemathesis.Case, keyed_world: WriteWorld
) -> None:
    _call_and_validate(case, keyed_world.keys["council"])
