"""The provenance reads over the indexed scenario's provenance story (:meth:`support.api_scenario._Builder.provenance`):
an original's provenance with every field, keyset pages of its timeline and of the lists by owner, holder and
identifier, and bad input (unknown id 404, bad id or cursor 422, not exactly one filter 422), in English and German.

Expectations are built from the scenario's records (its transactions, their blocks and timestamps), never read back
from the API.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from support import devchain
from support.api_scenario import Scenario
from support.provenance_expected import charter_summary, copy_summary, devchain_address, entry, second_summary

from ledger.cbv import code_of
from ledger.reads import encode_cursor

Counts = Callable[[], dict[str, int]]
PROBLEM = "application/problem+json"
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
INSPECTING = code_of("inspecting")


def charter_timeline(sc: Scenario) -> list[dict[str, Any]]:
    ministry, owner, buyer = sc.partner("ministry").address, devchain_address(8), devchain_address(5)
    times = sc.provenance_times
    step = {"code": INSPECTING, "name": "inspecting", "uri": "https://ref.gs1.org/cbv/BizStep-inspecting"}
    return [
        entry(sc, "register", 0, "registered", ministry, party=owner, reference=sc.cases["wrapped-single"].fingerprint),
        entry(sc, "register", 1, "certificate_linked", ministry, reference=sc.cases["wrapped-single"].id),
        entry(sc, "offer", 0, "offered", owner, party=buyer, right="TITLE", deadline=times["deadline"]),
        entry(sc, "take", 0, "transferred", owner, party=buyer, right="TITLE"),
        entry(sc, "inspect", 0, "event_recorded", buyer, biz_step=step, occurred_at=times["occurred"],
              reference=devchain.h32(2, "api-charter-inspection")),
        entry(sc, "stolen", 0, "disposition_reported", buyer, disposition="STOLEN",
              reference=devchain.h32(3, "api-charter-theft")),
    ]  # fmt: skip


# -- an original's provenance ---------------------------------------------------------------------------------------


def test_an_originals_provenance_states_owner_holder_disposition_certificates_and_its_whole_timeline(
    api: TestClient, scenario: Scenario
) -> None:
    sc = scenario
    ministry, register = sc.partner("ministry"), sc.txs["prov.register"]
    response = api.get(f"/originals/{sc.originals['charter']}/provenance")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == charter_summary(sc) | {
        "tx_hash": register.tx_hash,
        "third_party_holds": False,
        "first_registered": {
            "original": sc.originals["charter"],
            "registrar": ministry.address,
            "registrar_name": ministry.name,
            "registered_at": register.at,
            "registered_block": register.block_number,
        },
        "parents": [],
        "children": [],
        "certificates": [sc.cases["wrapped-single"].id],
        "timeline": charter_timeline(sc),
        "next_cursor": None,
        "indexed_block": sc.head,
    }


def test_a_later_registration_of_the_same_identifier_names_the_first_and_its_lineage(
    api: TestClient, scenario: Scenario
) -> None:
    sc = scenario
    ministry, register, second = sc.partner("ministry"), sc.txs["prov.register"], sc.txs["prov.second"]
    mill, foundation = sc.partner("mill").address, sc.partner("foundation").address
    response = api.get(f"/originals/{sc.originals['second']}/provenance")
    assert response.status_code == 200
    assert response.json() == second_summary(sc) | {
        "tx_hash": second.tx_hash,
        "third_party_holds": True,
        "first_registered": {
            "original": sc.originals["charter"],
            "registrar": ministry.address,
            "registrar_name": ministry.name,
            "registered_at": register.at,
            "registered_block": register.block_number,
        },
        "parents": [],
        "children": [sc.originals["copy"]],
        "certificates": [],
        "timeline": [
            entry(sc, "second", 0, "registered", mill, party=mill, reference=sc.cases["wrapped-single"].fingerprint),
            entry(sc, "second", 1, "held_at_registration", mill, party=foundation),
        ],
        "next_cursor": None,
        "indexed_block": sc.head,
    }


def test_a_derived_original_names_its_parent(api: TestClient, scenario: Scenario) -> None:
    sc = scenario
    mill, copy = sc.partner("mill").address, sc.txs["prov.copy"]
    answer = api.get(f"/originals/{sc.originals['copy'].upper().replace('0X', '0x')}/provenance").json()
    assert answer["parents"] == [sc.originals["second"]]
    assert answer["children"] == []
    assert answer["first_registered"]["original"] == sc.originals["copy"]
    assert answer["timeline"] == [
        entry(sc, "copy", 0, "registered", mill, party=mill, reference=devchain.h32(1, "api-charter-copy")),
        entry(sc, "copy", 1, "derived", mill, reference=sc.originals["second"]),
    ]
    assert {k: answer[k] for k in copy_summary(sc)} == copy_summary(sc)
    assert answer["tx_hash"] == copy.tx_hash


def test_the_timeline_comes_in_keyset_pages_that_join_to_the_whole(api: TestClient, scenario: Scenario) -> None:
    url = f"/originals/{scenario.originals['charter']}/provenance"
    pages, cursor = [], None
    while True:
        answer = api.get(url, params={"limit": 4, **({"cursor": cursor} if cursor else {})}).json()
        pages.append(answer["timeline"])
        cursor = answer["next_cursor"]
        assert answer["id"] == scenario.originals["charter"]  # every page carries the original's state
        if cursor is None:
            break
    assert [len(page) for page in pages] == [4, 2]
    assert [item for page in pages for item in page] == charter_timeline(scenario)
    last = charter_timeline(scenario)[3]
    assert api.get(url, params={"limit": 4}).json()["next_cursor"] == encode_cursor(
        [last["block_number"], last["log_index"]]
    )


# -- lists -------------------------------------------------------------------------------------------------------


def test_an_identifiers_registrations_are_listed_first_registration_first(api: TestClient, scenario: Scenario) -> None:
    identifier = scenario.cases["wrapped-single"].fingerprint
    response = api.get("/originals", params={"identifier": identifier})
    assert response.status_code == 200
    assert response.json() == {
        "items": [charter_summary(scenario), second_summary(scenario)],
        "next_cursor": None,
        "indexed_block": scenario.head,
    }
    first = api.get("/originals", params={"identifier": identifier, "limit": 1}).json()
    register = scenario.txs["prov.register"]
    assert first["items"] == [charter_summary(scenario)]
    assert first["next_cursor"] == encode_cursor([register.block_number, 0])
    rest = api.get("/originals", params={"identifier": identifier, "limit": 1, "cursor": first["next_cursor"]}).json()
    assert rest == {"items": [second_summary(scenario)], "next_cursor": None, "indexed_block": scenario.head}


def test_an_addresses_originals_are_listed_by_owner_and_by_holder_in_id_order(
    api: TestClient, scenario: Scenario
) -> None:
    sc = scenario
    mill = sc.partner("mill").address
    owned = sorted([second_summary(sc), copy_summary(sc)], key=lambda item: item["id"])
    assert api.get("/originals", params={"owner": mill}).json()["items"] == owned
    assert api.get("/originals", params={"holder": mill}).json()["items"] == [copy_summary(sc)]
    foundation = sc.partner("foundation").address.upper().replace("0X", "0x")
    assert api.get("/originals", params={"holder": foundation}).json()["items"] == [second_summary(sc)]
    assert api.get("/originals", params={"owner": devchain_address(5)}).json()["items"] == [charter_summary(sc)]
    assert api.get("/originals", params={"owner": devchain_address(8)}).json() == {
        "items": [],
        "next_cursor": None,
        "indexed_block": sc.head,
    }
    page = api.get("/originals", params={"owner": mill, "limit": 1}).json()
    assert page["items"] == owned[:1]
    assert page["next_cursor"] == encode_cursor([owned[0]["id"]])
    assert api.get("/originals", params={"owner": mill, "cursor": page["next_cursor"]}).json()["items"] == owned[1:]


def _raw_cursor(text: str) -> str:
    """A cursor holding ``text`` as its JSON (for values orjson would not write, such as an integer beyond 64 bits)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# -- bad input ---------------------------------------------------------------------------------------------------


def test_an_unknown_original_is_a_404_problem_in_the_requests_language(
    api: TestClient, scenario: Scenario, counts: Counts
) -> None:
    unknown = "0x" + "77" * 32
    before = counts()
    english = api.get(f"/originals/{unknown}/provenance")
    german = api.get(f"/originals/{unknown}/provenance", headers=GERMAN)
    assert english.status_code == german.status_code == 404
    assert english.headers["content-type"] == german.headers["content-type"] == PROBLEM
    assert english.json()["title"] == "Not found"
    assert english.json()["detail"] == f"no original {unknown} in the index"
    assert german.json()["title"] == "Nicht gefunden"
    assert german.json()["detail"] == f"kein Original {unknown} im Index"
    assert counts() == before


@pytest.mark.parametrize(
    "url",
    [
        "/originals/0x1234/provenance",
        "/originals/" + "0x" + "zz" * 32 + "/provenance",
        "/originals/{charter}/provenance?cursor=not-a-cursor",
        "/originals/{charter}/provenance?cursor=" + encode_cursor(["0xab", 1]),
        "/originals/{charter}/provenance?cursor=" + _raw_cursor("[1180591620717411303424,1]"),
        "/originals/{charter}/provenance?limit=0",
        "/originals/{charter}/provenance?limit=501",
        "/originals",
        "/originals?owner={mill}&holder={mill}",
        "/originals?owner=0x1234",
        "/originals?identifier=0xabc",
        "/originals?owner={mill}&cursor=" + encode_cursor([1, 0]),
        "/originals?identifier={charter}&cursor=" + encode_cursor(["0xab"]),
    ],
)
def test_bad_ids_filters_and_cursors_are_422_problems_that_write_nothing(
    api: TestClient, scenario: Scenario, counts: Counts, url: str
) -> None:
    url = url.format(charter=scenario.originals["charter"], mill=scenario.partner("mill").address)
    before = counts()
    english, german = api.get(url), api.get(url, headers=GERMAN)
    assert english.status_code == german.status_code == 422
    assert english.headers["content-type"] == german.headers["content-type"] == PROBLEM
    assert english.json()["title"] == "Invalid input"
    assert german.json()["title"] == "Ungültige Eingabe"
    assert english.json()["detail"] != german.json()["detail"]
    assert counts() == before


def test_not_exactly_one_filter_says_which_filters_there_are(api: TestClient) -> None:
    english = api.get("/originals").json()
    assert english["detail"] == "give exactly one of owner, holder and identifier"
    assert (
        api.get("/originals", headers=GERMAN).json()["detail"]
        == "geben Sie genau einen der Filter owner, holder oder identifier an"
    )


# -- the CLI, straight against the chain ------------------------------------------------------------------------------


def test_cli_verify_on_chain_names_the_owner_and_the_theft_after_the_verdict(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``originals verify --rpc-url`` reads the provenance from the registry alone, as ``source=chain`` does."""
    from cli import main

    case = scenario.cases["wrapped-single"]
    assert case.file is not None
    original = tmp_path / "charter.txt"
    original.write_bytes(case.file)
    monkeypatch.setenv("ORIGINALS_DEPLOYMENTS_DIR", str(scenario.deployments_dir))
    assert main(["--lang", "en", "verify", str(original), "--rpc-url", scenario.url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{original}: VALID"
    assert lines[-4:] == [
        "provenance (the verdict is the certificate's):",
        f"  original {scenario.originals['charter']}: owner {devchain_address(5)}, disposition STOLEN",
        f"  original {scenario.originals['second']}: owner {scenario.partner('mill').address}, disposition nothing"
        " reported (not the first registration of this identifier)",
        f"  original {scenario.originals['frame']}: owner {scenario.partner('ministry').address}, disposition"
        " nothing reported",
    ]
