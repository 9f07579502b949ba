"""Decode raw JSON-RPC logs into the typed events of :mod:`ledger.events`: the indexer's pure middle stage.

Built once from the committed ABIs: each event's topic0 maps to a plan that reads indexed values from the topics and
static values by slicing the 32-byte words of the hex data directly (about 2 µs a log; web3's per-log formatters cost
~240 µs). Only events with dynamic types (strings) go through ``eth_abi``. No I/O, no clock, no database: the same
input always gives the same output, and a malformed log raises :class:`DecodeError` instead of being half-decoded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

from eth_abi.abi import decode as abi_decode
from eth_hash.auto import keccak

from ledger.errors import DecodeError, UnknownEventError
from ledger.events import EVENT_TYPES, Event

WORD = 64  # hex digits in a 32-byte word


@dataclass(frozen=True, slots=True)
class RawLog:
    """A log as ``eth_getLogs`` returns it, with the fields the indexer keeps (hex strings lower-cased)."""

    address: str
    topics: tuple[str, ...]
    data: str
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    removed: bool = False

    @classmethod
    def from_rpc(cls, obj: Mapping[str, Any]) -> RawLog:
        """Build from one JSON-RPC log object.

        Raises:
            DecodeError: a field is missing or not hex (e.g. a pending log without a block number).
        """
        try:
            # Positional arguments and map(): this runs once per log, a million times in a dense backfill.
            return cls(
                obj["address"].lower(),
                tuple(map(str.lower, obj["topics"])),
                obj["data"].lower(),
                int(obj["blockNumber"], 16),
                obj["blockHash"].lower(),
                obj["transactionHash"].lower(),
                int(obj["logIndex"], 16),
                bool(obj.get("removed", False)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DecodeError(f"malformed log object from the node: {exc!r} in {dict(obj)!r:.200}") from exc


@dataclass(frozen=True, slots=True)
class DecodedLog:
    """One decoded event with where it happened. ``(tx_hash, log_index)`` identifies it on its chain."""

    event: Event
    address: str
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int

    @property
    def name(self) -> str:
        return type(self.event).__name__


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_PADDING = "0" * 24


def _from_word(abi_type: str) -> Callable[[str], Any]:
    """A converter from one 64-hex-digit word to the Python value of a static ABI type.

    Converters raise ``ValueError`` for a word that is not exactly 64 hex digits or whose value does not fit the type
    (``int(word, 16)`` both checks the hex and reads the value); :meth:`_Plan.decode` turns that into a
    :class:`DecodeError` naming the event.
    """
    if abi_type == "address":

        def to_address(word: str) -> str:
            if len(word) != WORD or word[:24] != _PADDING:
                raise ValueError(f"address word must be 12 zero bytes and 20 address bytes: 0x{word}")
            int(word, 16)
            return "0x" + word[24:]

        return to_address
    if abi_type == "bytes32":

        def to_bytes32(word: str) -> str:
            if len(word) != WORD:
                raise ValueError(f"bytes32 word must be 64 hex digits: 0x{word}")
            int(word, 16)
            return "0x" + word

        return to_bytes32
    if abi_type == "bool":

        def to_bool(word: str) -> bool:
            value = int(word, 16)
            if len(word) != WORD or value > 1:
                raise ValueError(f"bool word out of range: 0x{word}")
            return value == 1

        return to_bool
    if re.fullmatch(r"uint(8|16|32|48|64|128|256)", abi_type):
        bits = int(abi_type[4:])

        def to_uint(word: str) -> int:
            value = int(word, 16)
            if len(word) != WORD or value >> bits:
                raise ValueError(f"{abi_type} word out of range: 0x{word}")
            return value

        return to_uint
    raise DecodeError(f"no static decoder for ABI type {abi_type!r}")


@dataclass(frozen=True)
class _Plan:
    """How to turn one event's topics and data into its record.

    Values are placed by position (``topic_fields`` and ``data_fields`` hold each value's index among the event's
    fields) and the record is built with positional arguments: no dict and no keyword matching per log.
    """

    name: str
    build: Callable[..., Event]
    arity: int
    topic_fields: tuple[tuple[int, Callable[[str], Any]], ...]
    data_fields: tuple[tuple[int, Callable[[str], Any]], ...]
    data_types: tuple[str, ...]
    dynamic: bool
    topic_count: int = 0
    """``len(topic_fields) + 1`` (topic0), kept so that decoding a log computes no lengths but the log's own."""
    data_chars: int = 0
    """The length of a static event's ``data``: ``0x`` and one word per data field."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "topic_count", len(self.topic_fields) + 1)
        object.__setattr__(self, "data_chars", 2 + WORD * len(self.data_fields))

    def decode(self, log: RawLog) -> Event:
        topics = log.topics
        if len(topics) != self.topic_count:
            raise DecodeError(f"{self.name}: expected {self.topic_count} topics, got {len(topics)}")
        values: list[Any] = [None] * self.arity
        data = log.data
        try:
            for (position, convert), topic in zip(self.topic_fields, topics[1:], strict=True):
                values[position] = convert(topic[2:])
            if self.dynamic:
                try:
                    decoded = abi_decode(list(self.data_types), bytes.fromhex(data[2:]), strict=True)
                except Exception as exc:  # eth_abi raises several unrelated types for bad input
                    raise DecodeError(f"{self.name}: cannot decode data: {exc}") from exc
                for (position, _), value in zip(self.data_fields, decoded, strict=True):
                    values[position] = "0x" + value.hex() if isinstance(value, bytes) else value
            else:
                if len(data) != self.data_chars:
                    digits = len(data) - 2
                    words = f"{digits // WORD}" + (" and a partial word" if digits % WORD else "")
                    raise DecodeError(f"{self.name}: expected {len(self.data_fields)} data words, got {words}")
                start = 2
                for position, convert in self.data_fields:
                    values[position] = convert(data[start : start + WORD])
                    start += WORD
        except DecodeError:
            raise
        except Exception as exc:  # bad hex, a value out of range, or one of eth_abi's several error types
            raise DecodeError(f"{self.name}: {exc}") from exc
        return self.build(*values)


def _plan(entry: Mapping[str, Any]) -> tuple[str, _Plan]:
    name = entry["name"]
    cls = EVENT_TYPES.get(name)
    if cls is None:
        raise DecodeError(f"the ABI declares event {name!r}, which ledger.events does not model")
    inputs = entry["inputs"]
    expected = [f.name for f in fields(cls)]
    got = [_snake(i["name"]) for i in inputs]
    if got != expected:
        raise DecodeError(f"{name}: ABI fields {got} do not match ledger.events.{name} fields {expected}")
    signature = f"{name}({','.join(i['type'] for i in inputs)})"
    topic0 = "0x" + keccak(signature.encode()).hex()
    indexed = [(n, i) for n, i in enumerate(inputs) if i["indexed"]]
    unindexed = [(n, i) for n, i in enumerate(inputs) if not i["indexed"]]
    dynamic = any(i["type"] in ("string", "bytes") or i["type"].endswith("]") for _, i in unindexed)
    return topic0, _Plan(
        name=name,
        build=cls,
        arity=len(inputs),
        topic_fields=tuple((n, _from_word(i["type"])) for n, i in indexed),
        data_fields=tuple((n, (lambda word: word) if dynamic else _from_word(i["type"])) for n, i in unindexed),
        data_types=tuple(i["type"] for _, i in unindexed),
        dynamic=dynamic,
    )


class EventDecoder:
    """Decodes the logs of the registries whose ABIs it was built from."""

    def __init__(self, abis: Iterable[Sequence[Mapping[str, Any]]]) -> None:
        self._plans: dict[str, _Plan] = {}
        for abi in abis:
            for entry in abi:
                if entry.get("type") == "event":
                    topic0, plan = _plan(entry)
                    self._plans[topic0] = plan

    @property
    def topics(self) -> list[str]:
        """Every topic0 this decoder knows (for an ``eth_getLogs`` topic filter)."""
        return sorted(self._plans)

    def decode(self, log: RawLog) -> DecodedLog:
        """Decode one log.

        Raises:
            UnknownEventError: its topic0 is not an event of the ABIs.
            DecodeError: its topics or data do not fit the event.
        """
        if not log.topics:
            raise UnknownEventError(f"anonymous log at block {log.block_number} index {log.log_index}")
        plan = self._plans.get(log.topics[0])
        if plan is None:
            raise UnknownEventError(f"unknown event topic {log.topics[0]} at block {log.block_number}")
        return DecodedLog(plan.decode(log), log.address, log.block_number, log.block_hash, log.tx_hash, log.log_index)

    def decode_all(self, logs: Iterable[RawLog], on_unknown: Literal["raise", "skip"] = "raise") -> list[DecodedLog]:
        """Decode many logs in order. ``on_unknown="skip"`` drops logs of events the ABIs do not declare (only
        malformed logs of known events still raise)."""
        out: list[DecodedLog] = []
        append = out.append
        plans = self._plans
        for log in logs:  # decode() inlined: one method call less per log
            topics = log.topics
            plan = plans.get(topics[0]) if topics else None
            if plan is None:
                if on_unknown == "raise":
                    self.decode(log)  # raises the precise UnknownEventError
                continue
            event = plan.decode(log)
            append(DecodedLog(event, log.address, log.block_number, log.block_hash, log.tx_hash, log.log_index))
        return out
