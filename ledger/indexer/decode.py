"""Decode raw JSON-RPC logs into the typed events of :mod:`ledger.events`: the indexer's pure middle stage.

Built once from the committed ABIs: each event's topic0 maps to a plan that reads indexed values from the topics and
static values by slicing the 32-byte words of the hex data directly (about 2 µs a log; web3's per-log formatters cost
~240 µs). Only events with dynamic types (strings) go through ``eth_abi``. No I/O, no clock, no database: the same
input always gives the same output, and a malformed log raises :class:`DecodeError` instead of being half-decoded.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, TypeVar

from eth_hash.auto import keccak

from ledger.errors import DecodeError, UnknownEventError
from ledger.events import EVENT_TYPES, NOT_INDEXED, Event

WORD = 64  # hex digits in a 32-byte word
_R = TypeVar("_R")


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
    block_timestamp: int | None = None
    """The block's time (``blockTimestamp``, which anvil and recent nodes put in every log); None when absent."""

    @classmethod
    def from_rpc(cls, obj: Mapping[str, Any]) -> RawLog:
        """Build from one JSON-RPC log object.

        Raises:
            DecodeError: a field is missing or not hex (e.g. a pending log without a block number).
        """
        try:
            # Slot by slot (see _maker): this runs once per log, a million times in a dense backfill.
            return _new_raw_log(
                obj["address"].lower(),
                tuple(map(str.lower, obj["topics"])),
                obj["data"].lower(),
                int(obj["blockNumber"], 16),
                obj["blockHash"].lower(),
                obj["transactionHash"].lower(),
                int(obj["logIndex"], 16),
                bool(obj.get("removed", False)),
                int(stamp, 16) if (stamp := obj.get("blockTimestamp")) is not None else None,
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
    block_timestamp: int | None = None
    """The block's time when the node said it (:attr:`RawLog.block_timestamp`); kept in ``chain_events`` for replays."""

    @property
    def name(self) -> str:
        return type(self.event).__name__


def _maker(cls: type[_R]) -> Callable[..., _R]:
    """A positional constructor for a frozen, slotted dataclass that fills its slots directly.

    A frozen dataclass's ``__init__`` goes through ``object.__setattr__`` once per field, about twice the cost of
    setting the slots through their descriptors; the indexer builds three such records per log. The result is the
    same object (same class, fields, equality and hash); the class must have no ``__post_init__`` and no defaults
    that callers of the maker would rely on (every field is passed).
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if hasattr(cls, "__post_init__") or not hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__} needs a frozen, slotted dataclass without __post_init__")
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    scope.update({f"set_{n}": getattr(cls, n).__set__ for n in names})
    args = ", ".join(names)
    body = "".join(f"    set_{n}(o, {n})\n" for n in names)
    exec(f"def make({args}):\n    o = new(cls)\n{body}    return o\n", scope)  # the code is built here from field names
    make: Callable[..., _R] = scope["make"]
    make.__qualname__ = f"make_{cls.__name__}"
    return make


_new_raw_log = _maker(RawLog)
_new_decoded_log = _maker(DecodedLog)


def _snake(name: str) -> str:
    """A Solidity parameter name as a record field: snake_case, a Python keyword with a trailing ``_`` (``from_``)."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return f"{snake}_" if keyword.iskeyword(snake) else snake


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


def _abi_decode(types: list[str], data: bytes) -> tuple[Any, ...]:
    """eth-abi's strict decode, imported on first use.

    Only the rare events with dynamic types need eth-abi, and importing it (with eth-utils) takes ~80 ms: imported at
    the top, it would be paid by every indexer start, inside the resume time after a crash, not by the first such log.
    """
    from eth_abi.abi import decode

    return decode(types, data, strict=True)


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
                    decoded = _abi_decode(list(self.data_types), bytes.fromhex(data[2:]))
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


def _fast_decoder(plan: _Plan, inputs: Sequence[Mapping[str, Any]]) -> Callable[[RawLog], DecodedLog]:
    """One function for one static event, generated from its ABI entry: a log in, its :class:`DecodedLog` out.

    It reads the values in place with the fewest operations (a bytes32 topic *is* its value; one ``bytes.fromhex``
    checks every hex digit of the log at once) and builds the records slot by slot. Whatever it does not recognise
    (a wrong count or length, a bad digit, a value out of range, a missing ``0x``) it hands to the generic
    :meth:`_Plan.decode`, which either decodes it the same way or raises the precise :class:`DecodeError`: the fast
    path only ever returns what the generic one would.
    """

    def slow(log: RawLog) -> DecodedLog:
        return _new_decoded_log(
            plan.decode(log),
            log.address,
            log.block_number,
            log.block_hash,
            log.tx_hash,
            log.log_index,
            log.block_timestamp,
        )

    if plan.dynamic:
        return slow
    topics: list[str] = []  # t<n> = t[<n>]
    checks: list[str] = []  # per-field shape checks, after the topic count and data length
    hex_parts: list[str] = []  # every hex digit of the log's values, checked by one fromhex
    reads: list[str] = []  # v<n> = int(...)
    bounds: list[str] = []  # v<n> >> bits: non-zero when out of range
    args: list[str] = []  # the record's arguments, by position
    nbytes = 0
    words = 0
    for position, item in enumerate(inputs):
        abi_type = item["type"]
        if item["indexed"]:
            src = f"t{len(topics) + 1}"
            topics.append(f"{src} = t[{len(topics) + 1}]")
            checks.append(f"len({src}) == 66")
            start = 2
        else:
            src, start = "d", 2 + WORD * words
            words += 1
        end = start + WORD
        if abi_type == "address":
            # the padding compare of a topic includes its 0x prefix
            first = start - 2 if item["indexed"] else start
            checks.append(f"{src}[{first}:{start + 24}] == {'0x' * item['indexed'] + _PADDING!r}")
            args.append(f'"0x" + {src}[{start + 24}:{end}]')
            digits, size = f"{src}[{start + 24}:]", 20
        elif abi_type == "bytes32":
            if item["indexed"]:
                checks.append(f'{src}[:2] == "0x"')
            whole = item["indexed"] or plan.data_chars == 2 + WORD
            args.append(src if whole else f'"0x" + d[{start}:{end}]')
            digits, size = f"{src}[2:]", 32
        else:  # uint<bits> or bool (the types _from_word accepts)
            bits = 1 if abi_type == "bool" else int(abi_type[4:])
            name = f"v{position}"
            if item["indexed"]:
                checks.append(f'{src}[:2] == "0x"')
                reads.append(f"{name} = int({src}, 16)")
            else:
                reads.append(f"{name} = int(d[{start}:{end}], 16)")
            if bits < 256:
                bounds.append(f"{name} >> {bits}")
            args.append(f"{name} == 1" if abi_type == "bool" else name)
            digits, size = f"{src}[2:]", 32
        if item["indexed"]:
            hex_parts.append(digits)
            nbytes += size
    if words:
        hex_parts.append("d[2:]")
        nbytes += 32 * words
    lines = [
        "def fast(log):",
        "    t = log.topics",
        "    d = log.data",
        f'    if len(t) == {plan.topic_count} and len(d) == {plan.data_chars} and d[:2] == "0x":',
        *[f"        {line}" for line in topics],
        f"        if {' and '.join(checks) or 'True'}:",
        "            try:",
        f"                ok = len(fromhex({' + '.join(hex_parts) or repr('')})) == {nbytes}",
        "            except ValueError:",
        "                ok = False",
        "            if ok:",
        *[f"                {line}" for line in reads],
        f"                if not ({' or '.join(bounds) or 'False'}):",
        f"                    event = build({', '.join(args)})",
        "                    return new_log(",
        "                        event, log.address, log.block_number, log.block_hash, log.tx_hash, log.log_index,",
        "                        log.block_timestamp,",
        "                    )",
        "    return slow(log)",
    ]
    scope: dict[str, Any] = {
        "fromhex": bytes.fromhex,
        "build": _maker(EVENT_TYPES[plan.name]),
        "new_log": _new_decoded_log,
        "slow": slow,
    }
    exec("\n".join(lines) + "\n", scope)  # the code is built here from the committed ABI
    decoder: Callable[[RawLog], DecodedLog] = scope["fast"]
    decoder.__qualname__ = f"decode_{plan.name}"
    return decoder


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
        self._decoders: dict[str, Callable[[RawLog], DecodedLog]] = {}
        for abi in abis:
            for entry in abi:
                if entry.get("type") == "event" and entry["name"] not in NOT_INDEXED:
                    topic0, plan = _plan(entry)
                    self._plans[topic0] = plan
                    self._decoders[topic0] = _fast_decoder(plan, entry["inputs"])

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
        decode = self._decoders.get(log.topics[0])
        if decode is None:
            raise UnknownEventError(f"unknown event topic {log.topics[0]} at block {log.block_number}")
        return decode(log)

    def decode_all(self, logs: Iterable[RawLog], on_unknown: Literal["raise", "skip"] = "raise") -> list[DecodedLog]:
        """Decode many logs in order. ``on_unknown="skip"`` drops logs of events the ABIs do not declare (only
        malformed logs of known events still raise)."""
        out: list[DecodedLog] = []
        append = out.append
        decoders = self._decoders
        for log in logs:  # decode() inlined: one method call less per log
            topics = log.topics
            decode = decoders.get(topics[0]) if topics else None
            if decode is None:
                if on_unknown == "raise":
                    self.decode(log)  # raises the precise UnknownEventError
                continue
            append(decode(log))
        return out
