"""The Atom feed of proposals (RFC 4287) over :mod:`support.governance_world`: a valid feed with one entry per
proposal, newest first, stable ``tag:`` ids, links at the configured public base URL whatever the request's Host
says, each entry's ``updated`` the latest time it is known to have changed, and the list's filters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from support.governance_world import (
    COOP,
    MILL,
    NAMES,
    PUBLIC_BASE_URL,
    TOWN,
    VOTING_PERIOD,
    GovernanceWorld,
    block_time,
    build,
)

from api.main import create_app

A = "{http://www.w3.org/2005/Atom}"
NEWEST_FIRST = [7, 6, 5, 4, 3, 2, 1]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, GovernanceWorld]]:
    settings, w = build(tmp_path_factory.mktemp("atom"))
    with TestClient(create_app(settings)) as client:
        yield client, w


def feed(client: TestClient, query: str = "", **headers: str) -> ET.Element:
    response = client.get(f"/proposals.atom{query}", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


def rfc3339(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_of(root: ET.Element, proposal_id: int) -> ET.Element:
    (entry,) = [e for e in root.iter(f"{A}entry") if e.findtext(f"{A}id", "").endswith(f":proposal-{proposal_id}")]
    return entry


def test_the_feed_has_one_entry_per_proposal_newest_first_with_stable_tag_ids(
    world: tuple[TestClient, GovernanceWorld],
) -> None:
    client, _ = world
    root = feed(client)
    assert root.tag == f"{A}feed"
    entries = root.findall(f"{A}entry")
    assert [e.findtext(f"{A}id") for e in entries] == [
        f"tag:consortium.example,2026-01-01:originals:chain-31337:proposal-{pid}" for pid in NEWEST_FIRST
    ]
    assert feed(client).findall(f"{A}entry")[0].findtext(f"{A}id") == entries[0].findtext(f"{A}id")
    for entry in entries:  # what RFC 4287 requires of an entry (the feed has an author, so entries need none)
        assert entry.findtext(f"{A}title")
        assert entry.findtext(f"{A}updated")
        assert entry.find(f"{A}link[@rel='alternate']") is not None
        assert entry.findtext(f"{A}summary")


def test_the_feed_says_what_it_is_and_which_block_it_is_indexed_to(world: tuple[TestClient, GovernanceWorld]) -> None:
    client, w = world
    root = feed(client)
    assert root.findtext(f"{A}id") == f"{PUBLIC_BASE_URL}/proposals.atom"
    assert root.findtext(f"{A}title") == "Originals: council proposals"
    assert root.findtext(f"{A}subtitle") == f"Indexed to block {w.checkpoint}"
    assert root.findtext(f"{A}author/{A}name") == "The Originals consortium council"
    # The latest change of all: proposal 7 was made last.
    assert root.findtext(f"{A}updated") == rfc3339(block_time(w.created[7]))
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links == {"self": f"{PUBLIC_BASE_URL}/proposals.atom", "alternate": f"{PUBLIC_BASE_URL}/council/proposals"}


def test_links_use_the_public_base_url_never_the_host_header(tmp_path: Path) -> None:
    """A host the API answers (trusted) but that is not the public one never reaches a link."""
    settings, _ = build(tmp_path)
    mirror = settings.model_copy(update={"trusted_hosts": ["mirror.example", "testserver"]})
    with TestClient(create_app(mirror), base_url="https://mirror.example") as client:
        root = feed(client, host="mirror.example")
        body = client.get("/proposals.atom").content
    hrefs = [link.get("href") for link in root.iter(f"{A}link")]
    assert hrefs[:2] == [f"{PUBLIC_BASE_URL}/proposals.atom", f"{PUBLIC_BASE_URL}/council/proposals"]
    assert hrefs[2:] == [f"{PUBLIC_BASE_URL}/council/proposals/{pid}" for pid in NEWEST_FIRST]
    assert b"mirror.example" not in body


def test_each_entry_is_updated_at_its_latest_known_change(world: tuple[TestClient, GovernanceWorld]) -> None:
    """Made, voted (a vote's time is known while its block is in the window), executed, or lapsed at the deadline."""
    client, w = world
    root = feed(client)

    def updated(pid: int) -> str | None:
        return entry_of(root, pid).findtext(f"{A}updated")

    assert updated(1) == rfc3339(block_time(w.executed[1]))  # executed long ago: the admission's recorded time
    assert updated(2) == rfc3339(block_time(w.created[2]) + VOTING_PERIOD)  # failed at its deadline
    assert updated(3) == rfc3339(block_time(w.created[3]) + VOTING_PERIOD)  # expired at its deadline
    assert updated(4) == rfc3339(block_time(w.executed[4]))
    assert updated(6) == rfc3339(block_time(w.votes[6][-1][2]))  # the town's vote, in the window
    assert updated(7) == rfc3339(block_time(w.created[7]))
    for pid in NEWEST_FIRST:
        assert entry_of(root, pid).findtext(f"{A}published") == rfc3339(block_time(w.created[pid]))


def test_an_entry_says_what_the_proposal_does_who_proposed_it_and_where_it_stands(
    world: tuple[TestClient, GovernanceWorld],
) -> None:
    client, w = world
    entry = entry_of(feed(client), 5)
    assert entry.findtext(f"{A}title") == (
        "Proposal 5 (open): Admit Weavers Association to the consortium with the issuer right."
    )
    assert entry.findtext(f"{A}author/{A}name") == "Cooperative Bank"
    assert [c.get("term") for c in entry.findall(f"{A}category")] == ["ADMIT", "open"]
    assert entry.findtext(f"{A}content") == "\n".join(
        [
            "Admit Weavers Association to the consortium with the issuer right.",
            "Status: open.",
            f"Proposed by Cooperative Bank; deadline {rfc3339(block_time(w.created[5]) + VOTING_PERIOD)}.",
            "Votes: 2 yes, 0 no; majority needed now: 2 of the active council (2 counted yes).",
            "It can be executed now.",
        ]
    )


@pytest.mark.parametrize(
    ("query", "expected", "self_query"),
    [
        ("?status=failed", [2], "?status=failed"),
        (f"?subject={MILL.upper().replace('0X', '0x')}&status=open", [6], f"?status=open&subject={MILL}"),
        (f"?proposer={COOP}", [6], f"?proposer={COOP}"),
        ("?kind=ADMIT&limit=1", [5], "?kind=ADMIT"),
    ],
)
def test_the_feed_takes_the_lists_filters_and_names_them_in_its_id(
    world: tuple[TestClient, GovernanceWorld], query: str, expected: list[int], self_query: str
) -> None:
    client, _ = world
    root = feed(client, query)
    assert [int(e.findtext(f"{A}id", "").rsplit("-", 1)[1]) for e in root.findall(f"{A}entry")] == expected
    assert root.findtext(f"{A}id") == f"{PUBLIC_BASE_URL}/proposals.atom{self_query}"


@pytest.mark.parametrize("query", ["?status=nope", "?kind=admit", "?subject=0x1", "?limit=0", "?limit=501"])
def test_bad_filters_of_the_feed_are_problem_documents(world: tuple[TestClient, GovernanceWorld], query: str) -> None:
    client, _ = world
    response = client.get(f"/proposals.atom{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_an_empty_index_has_a_valid_empty_feed(tmp_path: Path) -> None:
    settings, _ = build(tmp_path)
    empty = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'empty.db'}"})
    with TestClient(create_app(empty)) as client:
        root = feed(client)
    assert root.findall(f"{A}entry") == []
    assert root.findtext(f"{A}subtitle") == "The index has not started yet"
    assert root.findtext(f"{A}updated")


def test_entry_authors_are_the_proposers_names(world: tuple[TestClient, GovernanceWorld]) -> None:
    client, _ = world
    root = feed(client)
    authors = [e.findtext(f"{A}author/{A}name") for e in root.findall(f"{A}entry")]
    assert authors == [NAMES[TOWN], NAMES[COOP], "Cooperative Bank", NAMES[TOWN], NAMES[TOWN], NAMES[TOWN], NAMES[TOWN]]
