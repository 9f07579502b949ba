"""Contract bindings from the committed ABIs: encode calls, decode results and custom errors. No web3 objects.

The runtime talks to the registries through :class:`ContractBinding` (calldata in, values out) and the JSON-RPC
client; it never needs ape or a compiler. Revert data that names one of the contracts' custom errors is decoded into
:class:`ContractRevert` with the error's name and arguments, so callers can show "PartnerRegistryNotCouncil(0x...)"
instead of raw bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from eth_abi.abi import decode, encode
from eth_hash.auto import keccak

from ledger.errors import LedgerError


class _Caller(Protocol):
    """What :meth:`ContractBinding.view` needs of a JSON-RPC client (:class:`ledger.chain.rpc.RpcClient`)."""

    def call(self, method: str, params: Sequence[Any] = ...) -> Any: ...


def _type(entry: Mapping[str, Any]) -> str:
    """The canonical ABI type of an input/output, expanding tuples (structs) recursively."""
    kind: str = entry["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_type(c) for c in entry["components"])
        return f"({inner}){kind[5:]}"
    return kind


def _normalise(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, tuple | list):
        return tuple(_normalise(v) for v in value)
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    return value


class ContractRevert(LedgerError, RuntimeError):
    """A call or transaction reverted; ``error`` and ``args`` name the custom error when it is one of ours, and
    ``arguments`` gives its arguments by their Solidity names."""

    def __init__(
        self,
        message: str,
        error: str | None = None,
        args: tuple[Any, ...] = (),
        data: str = "0x",
        names: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.error = error
        self.error_args = args
        self.data = data
        self.arguments: dict[str, Any] = dict(zip(names, args, strict=False))


@dataclass(frozen=True)
class _Function:
    name: str
    selector: bytes
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


class ContractBinding:
    """Encodes calls to, and decodes answers and errors from, one contract ABI (optionally at an address)."""

    def __init__(self, abi: Sequence[Mapping[str, Any]], address: str | None = None) -> None:
        self.address = address.lower() if address else None
        self._functions: dict[str, _Function] = {}
        self._errors: dict[bytes, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
        for entry in abi:
            if entry.get("type") == "function":
                inputs = tuple(_type(i) for i in entry["inputs"])
                signature = f"{entry['name']}({','.join(inputs)})"
                self._functions[entry["name"]] = _Function(
                    entry["name"],
                    keccak(signature.encode())[:4],
                    inputs,
                    tuple(_type(o) for o in entry.get("outputs", [])),
                )
            elif entry.get("type") == "error":
                inputs = tuple(_type(i) for i in entry["inputs"])
                names = tuple(i["name"] for i in entry["inputs"])
                selector = keccak(f"{entry['name']}({','.join(inputs)})".encode())[:4]
                self._errors[selector] = (entry["name"], inputs, names)

    def function(self, name: str) -> _Function:
        try:
            return self._functions[name]
        except KeyError:
            raise LedgerError(f"the contract has no function {name!r}") from None

    def encode(self, name: str, *args: Any) -> str:
        """Calldata (0x hex) for ``name(args)``."""
        fn = self.function(name)
        return "0x" + (fn.selector + encode(list(fn.inputs), list(args))).hex()

    def view(self, client: _Caller, name: str, *args: Any, block: str = "latest") -> tuple[Any, ...]:
        """``name(args)`` read from the contract at ``block`` with ``eth_call``, decoded (:meth:`decode_result`)."""
        data = client.call("eth_call", [{"to": self.address, "data": self.encode(name, *args)}, block])
        return self.decode_result(name, data)

    def decode_result(self, name: str, data: str) -> tuple[Any, ...]:
        """Decode an ``eth_call`` answer of ``name`` (bytes as 0x hex, addresses lower-case)."""
        fn = self.function(name)
        values = decode(list(fn.outputs), bytes.fromhex(data.removeprefix("0x")))
        return tuple(_normalise(v) for v in values)

    def decode_error(self, data: str) -> ContractRevert:
        """Turn revert data into a :class:`ContractRevert` naming the custom error and its arguments."""
        raw = bytes.fromhex(data.removeprefix("0x")) if data else b""
        known = self._errors.get(raw[:4])
        if known is None:
            return ContractRevert(f"reverted with data 0x{raw.hex()}" if raw else "reverted", data="0x" + raw.hex())
        name, types, names = known
        values = tuple(_normalise(v) for v in decode(list(types), raw[4:]))
        shown = ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))
        return ContractRevert(f"{name}({shown})", name, values, "0x" + raw.hex(), names)
