"""``GET /originals/{id}/epcis`` over the indexed scenario's provenance story (:meth:`support.api_scenario.
_Builder.provenance`): the real indexer's read model exported, valid against GS1's EPCIS 2.0 JSON schema, every
eventID the reference implementation's event hash; bad input answered with problems (unknown id 404, bad id or link
422) that write nothing; ``originals provenance ID --epcis`` prints the same document. SQLite only: the export
reads through ledger.provenance_reads, whose dialects have tests of their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from support.api_scenario import Scenario
from support.browser import serve
from support.epcis_schema import epcis_validator, reference_hashes, schema_errors

from api.main import create_app
from cli import main
from ledger.config import Settings
from ledger.db import schema
from ledger.epcis import party

pytestmark = pytest.mark.filterwarnings("ignore:open_text is deprecated:DeprecationWarning")
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(sqlite_indexed: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_indexed)) as test_client:
        yield test_client


def _counts(client: TestClient) -> dict[str, int]:
    with client.app.state.engine.connect() as conn:  # type: ignore[attr-defined]
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in schema.metadata.sorted_tables
        }


def _address(account: int) -> str:
    from eth_account import Account

    from ledger.chain.devkeys import devnet_key

    return str(Account.from_key(devnet_key(account)).address).lower()


def _time(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def test_the_charters_epcis_document_is_valid_and_tells_its_story(client: TestClient, scenario: Scenario) -> None:
    charter = scenario.originals["charter"]
    answer = client.get(f"/originals/{charter}/epcis")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/ld+json"
    document: dict[str, Any] = answer.json()
    assert schema_errors(epcis_validator(), document) == []
    events = document["epcisBody"]["eventList"]
    txs = scenario.txs
    epc = f"urn:originals:original:{charter}"
    ministry = scenario.partner("ministry").address
    summary = [(e["type"], e["action"], e.get("bizStep"), e.get("disposition"), e["eventTime"]) for e in events]
    assert summary == [
        ("ObjectEvent", "ADD", "commissioning", "active", _time(txs["prov.register"].at)),
        ("ObjectEvent", "OBSERVE", "accepting", None, _time(txs["prov.take"].at)),
        ("ObjectEvent", "OBSERVE", "inspecting", None, _time(scenario.provenance_times["occurred"])),
        ("ObjectEvent", "OBSERVE", None, "stolen", _time(txs["prov.stolen"].at)),
    ]
    assert all(e["epcList"] == [epc] for e in events)
    assert events[0]["originals:actor"] == party(ministry)
    assert events[0]["destinationList"][0] == {"type": "owning_party", "destination": party(_address(8))}
    assert events[1]["sourceList"][0] == {"type": "owning_party", "source": party(_address(8))}
    assert events[1]["destinationList"][0] == {"type": "owning_party", "destination": party(_address(5))}
    assert events[2]["recordTime"] == _time(txs["prov.inspect"].at)
    assert events[3]["originals:actor"] == party(_address(5))
    assert [e["eventID"] for e in events] == reference_hashes(document)


def test_a_derived_original_is_exported_with_its_transformation(client: TestClient, scenario: Scenario) -> None:
    copy_id, second = scenario.originals["copy"], scenario.originals["second"]
    document = client.get(f"/originals/{copy_id}/epcis").json()
    assert schema_errors(epcis_validator(), document) == []
    transformation = document["epcisBody"]["eventList"][1]
    assert transformation["type"] == "TransformationEvent"
    assert transformation["inputEPCList"] == [f"urn:originals:original:{second}"]
    assert transformation["outputEPCList"] == [f"urn:originals:original:{copy_id}"]
    held = client.get(f"/originals/{second}/epcis").json()["epcisBody"]["eventList"][0]
    assert held["destinationList"][1] == {"type": "possessing_party", "destination": party(_address(4))}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/originals/0x" + "ab" * 32 + "/epcis", 404),
        ("/originals/0x1234/epcis", 422),
        ("/originals/{charter}/epcis?link=https%3A%2F%2Fid.gs1.org%2F01%2F09506000134352%2F21%2FX1", 422),
        ("/originals/{charter}/epcis?link=not-a-link", 422),
        ("/originals/{charter}/epcis?link=https%3A%2F%2Fid.gs1.org%2F01%2F09506000134353%2F21%2FX1", 422),
        ("/originals/0x" + "ab" * 32 + "/epcis?link=https%3A%2F%2Fid.gs1.org%2F01%2F09506000134353%2F21%2FX1", 404),
    ],
)
def test_bad_input_is_a_problem_and_writes_nothing(
    client: TestClient, scenario: Scenario, path: str, status: int
) -> None:
    before = _counts(client)
    answer = client.get(path.format(charter=scenario.originals["charter"]))
    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM
    assert _counts(client) == before


def test_the_cli_prints_the_document_the_api_answers(
    sqlite_indexed: Settings, scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    charter = scenario.originals["charter"]
    unknown = "0x" + "ab" * 32
    with serve(sqlite_indexed) as base:
        expected = httpx.get(f"{base}/originals/{charter}/epcis").json()
        assert main(["provenance", charter, "--epcis", "--api-url", base]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert main(["provenance", unknown, "--epcis", "--api-url", base]) == 1
        not_found = capsys.readouterr()
        assert main(["provenance", charter, "--link", "https://id.gs1.org/01/09506000134352/21/X1"]) == 1
        link_alone = capsys.readouterr()
    assert printed["epcisBody"] == expected["epcisBody"]
    assert (not_found.out, not_found.err) == (
        "",
        f"originals provenance: error: no original {unknown} in the index (HTTP 404)\n",
    )
    assert (link_alone.out, link_alone.err) == ("", "originals provenance: error: --link goes with --epcis\n")
