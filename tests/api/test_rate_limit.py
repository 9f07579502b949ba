"""Each client address has a request budget; past it, 429 with ``Retry-After`` (issue 11, finding 7).

The limit applies to every request, the SQLite fast paths' included (they answer before FastAPI's routing, inside
the app's outermost layer, :class:`api.edge.Edge`), and is set by ``ORIGINALS_RATE_LIMIT`` ('off' disables it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from support.api_scenario import Scenario

from api.edge import SWEEP_SECONDS, RateLimit
from api.main import create_app
from ledger.config import Settings


@pytest.fixture
def limited(sqlite_indexed: Settings) -> Iterator[TestClient]:
    """Three requests a minute per client (a fresh app, so a fresh budget, for each test)."""
    with TestClient(create_app(sqlite_indexed.model_copy(update={"rate_limit": "3/minute"}))) as client:
        yield client


def test_a_client_past_its_limit_gets_429_with_retry_after_on_every_kind_of_route(
    limited: TestClient, scenario: Scenario
) -> None:
    case = scenario.cases["public-batch-0"]
    assert limited.get(f"/verify/certificate/{case.leaf}").status_code == 200  # the lookups' fast path
    assert limited.get("/certificates?limit=1").status_code == 200  # the list's fast path
    assert limited.get("/partners").status_code == 200
    for path in (f"/verify/certificate/{case.leaf}", "/certificates?limit=1", "/partners", "/"):
        refused = limited.get(path)
        assert refused.status_code == 429, path
        assert refused.headers["content-type"] == "application/problem+json"
        retry = int(refused.headers["retry-after"])
        assert 1 <= retry <= 60
        assert refused.json() == {
            "type": "about:blank",
            "title": "Too many requests",
            "status": 429,
            "detail": f"this client sent more requests than its limit (3 per 1 minute); retry in {retry} s",
            "instance": path.partition("?")[0],
        }
        assert refused.headers["x-content-type-options"] == "nosniff"


def test_each_client_address_has_its_own_budget(sqlite_indexed: Settings) -> None:
    app = create_app(sqlite_indexed.model_copy(update={"rate_limit": "2/minute"}))
    with (
        TestClient(app, client=("192.0.2.1", 40000)) as first,
        TestClient(app, client=("192.0.2.2", 40000)) as second,
    ):
        assert [first.get("/health").status_code for _ in range(3)] == [200, 200, 429]
        assert [second.get("/health").status_code for _ in range(2)] == [200, 200]
        assert first.get("/health").status_code == 429


def test_several_limits_each_count_and_off_disables_the_limit(sqlite_indexed: Settings) -> None:
    both = sqlite_indexed.model_copy(update={"rate_limit": "100/minute;2/hour"})
    with TestClient(create_app(both)) as client:
        assert [client.get("/health").status_code for _ in range(3)] == [200, 200, 429]
        assert "its limit (2 per 1 hour)" in client.get("/health").json()["detail"]
    with TestClient(create_app(sqlite_indexed.model_copy(update={"rate_limit": "off"}))) as client:
        assert {client.get("/health").status_code for _ in range(50)} == {200}


def test_the_rate_limit_setting_is_checked() -> None:
    assert Settings().rate_limit == "20/second;600/minute"
    assert Settings(rate_limit=" OFF ").rate_limit == "off"
    assert Settings(rate_limit="5/second; 100/minute").rate_limit == "5/second; 100/minute"
    with pytest.raises(ValidationError, match="rate_limit must be 'off' or like '20/second;600/minute'"):
        Settings(rate_limit="many")


def test_ended_windows_are_swept_from_memory_once_a_second_by_one_daemon_thread() -> None:
    """The storage's own schedule (a new thread 10 ms after each request) is replaced (see api.edge._Counters)."""
    rate = RateLimit("5/second")
    assert rate.refused("192.0.2.1") is None
    assert (rate.storage.timer.interval, rate.storage.timer.daemon) == (SWEEP_SECONDS, True)
    first = rate.storage.timer
    assert rate.refused("192.0.2.2") is None
    assert rate.storage.timer is first  # one sweep scheduled at a time
    assert SWEEP_SECONDS == 1.0
