"""The backfill's hold on the cyclic garbage collector: when it collects, and that it gives the collector back."""

from __future__ import annotations

import gc
from types import SimpleNamespace
from typing import Any

import pytest

from ledger.indexer import sync


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> tuple[_Clock, list[Any]]:
    """A clock the test moves, and the collections asked for (generation, or None for a full one)."""
    clock, collected = _Clock(), []
    fake_gc = SimpleNamespace(
        collect=lambda generation=None: collected.append(generation),
        isenabled=gc.isenabled,
        disable=lambda: None,
        enable=lambda: None,
    )
    monkeypatch.setattr(sync, "time", SimpleNamespace(monotonic=clock))
    monkeypatch.setattr(sync, "gc", fake_gc)
    return clock, collected


def test_commits_collect_young_objects_every_ten_seconds_and_everything_every_minute(
    fake: tuple[_Clock, list[Any]],
) -> None:
    clock, collected = fake
    collector = sync._Collector()
    for _ in range(9):  # a commit a second: nothing for ten seconds
        clock.now += 1.0
        collector.after_commit()
    assert collected == []
    clock.now += 1.0
    collector.after_commit()
    assert collected == [1]
    for _ in range(49):  # up to 60 s: young collections at 20, 30, 40 and 50 s
        clock.now += 1.0
        collector.after_commit()
    assert collected == [1, 1, 1, 1, 1]
    clock.now += 1.0  # 60 s: a full one, which also restarts the young clock
    collector.after_commit()
    assert collected == [1, 1, 1, 1, 1, None]
    clock.now += 9.5
    collector.after_commit()
    assert collected == [1, 1, 1, 1, 1, None]
    clock.now += 0.5
    collector.after_commit()
    assert collected == [1, 1, 1, 1, 1, None, 1]


def test_paused_gives_the_collector_back_as_it_found_it() -> None:
    was_enabled = gc.isenabled()
    try:
        gc.enable()
        with sync._Collector.paused():
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with sync._Collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()
