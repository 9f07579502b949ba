"""The generated per-event decoders against the generic plans they stand in for.

``EventDecoder.decode`` runs a function generated from each static event's ABI entry and falls back to the generic
plan for anything it does not recognise. These tests feed both the recorded logs and variants that only the generic
plan accepts (upper-case hex, a topic without its ``0x``) or that neither accepts, and require the same records or
the same errors from both.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.indexer_recorded import load

from ledger.errors import DecodeError
from ledger.indexer.decode import DecodedLog, EventDecoder, RawLog
from ledger.indexer.runner import make_decoder

LOGS = load().raw_logs()


@pytest.fixture(scope="module")
def decoder() -> EventDecoder:
    return make_decoder()


def generic(decoder: EventDecoder, log: RawLog) -> DecodedLog:
    """What the generic plan makes of ``log`` (the reference the generated decoders must match)."""
    event = decoder._plans[log.topics[0]].decode(log)
    return DecodedLog(
        event, log.address, log.block_number, log.block_hash, log.tx_hash, log.log_index, log.block_timestamp
    )


def outcome(fn: object, log: RawLog) -> object:
    try:
        return fn(log)  # type: ignore[operator]
    except DecodeError as exc:
        return ("error", str(exc))


def variants(log: RawLog) -> list[RawLog]:
    """The log as recorded, and versions bent in the ways the fast path must leave to the generic plan."""
    topics = log.topics
    out = [log, replace(log, data=log.data.upper().replace("0X", "0x"))]
    out += [
        replace(log, topics=(*topics[:i], t.upper().replace("0X", "0x"), *topics[i + 1 :]))
        for i, t in enumerate(topics)
        if i
    ]
    out += [replace(log, topics=(*topics[:i], "00" + t[2:], *topics[i + 1 :])) for i, t in enumerate(topics) if i]
    out += [replace(log, topics=(*topics[:i], t[:-1] + "g", *topics[i + 1 :])) for i, t in enumerate(topics) if i]
    if len(log.data) > 2:
        out += [replace(log, data=log.data[:-1] + "z"), replace(log, data="00" + log.data[2:])]
        out += [replace(log, data=log.data[:2] + "f" + log.data[3:])]  # the first word's top bits set
    return out


def test_the_recording_has_logs_of_every_static_event(decoder: EventDecoder) -> None:
    static = {topic for topic, plan in decoder._plans.items() if not plan.dynamic}
    assert static <= {log.topics[0] for log in LOGS}
    assert len(static) == 32  # 11 of the partner and certificate registries, 21 of the provenance registry


@pytest.mark.parametrize("index", range(len(LOGS)))
def test_each_recorded_log_and_its_variants_decode_as_the_generic_plan_does(decoder: EventDecoder, index: int) -> None:
    for log in variants(LOGS[index]):
        expected = outcome(lambda item: generic(decoder, item), log)
        got = outcome(decoder.decode, log)
        assert got == expected
        if isinstance(expected, DecodedLog):
            assert type(got.event) is type(expected.event)  # type: ignore[attr-defined]
            assert hash(got) == hash(expected)


def test_decode_all_matches_decode_one_by_one(decoder: EventDecoder) -> None:
    assert decoder.decode_all(LOGS) == [generic(decoder, log) for log in LOGS]
