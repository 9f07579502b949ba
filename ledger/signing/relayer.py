"""The relayer: the operator's account that carries out signed actions (EIP-712) and pays their gas.

A partner, a council member, an applicant or an original's owner or holder signs an action with their own key
(:mod:`ledger.signing.actions`); the relayer sends it to the registry's ``...BySig`` function, which acts for the
*signer*: the relayer's own standing counts for nothing, so it cannot act for anyone without their signature. What it
can do is refuse or delay, and it refuses as early and as cheaply as it can, sending nothing:

1. :meth:`Relayer.check`: the typed data is an action this code knows, its values fit their types, the signature
   recovers to the signer the message names (401/403 territory), the domain is this deployment's registry on this
   chain, and the deadline has not passed the latest block;
2. :meth:`Relayer.send`: a token bucket per signer and one for everyone (:class:`RateLimiter`); then the call is
   simulated (``eth_estimateGas``) and a revert is refused with the contract's custom error by name and arguments;
   only then is the transaction sent and waited for (gas with headroom, as every sender here).

A one-time key's ``Claim`` of an original (:mod:`ledger.signing.provenance`) is relayed too, by
:meth:`Relayer.check_claim` and :meth:`Relayer.send_claim`: it has no nonce (the claim offer is used up by it), so it
is checked against the key the open claim offer names.

:func:`prepare` builds what a signer signs: the typed data with the registry's current nonce for the signer and a
deadline a little ahead of both the wall clock and the chain's latest block.

No FastAPI here: the API maps these errors to problem+json in ``api/problems.py``; the CLI talks to the API.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from eth_hash.auto import keccak

from ledger.abi import load_abi
from ledger.chain.contracts import ContractBinding, ContractRevert
from ledger.chain.rpc import RpcClient, RpcError
from ledger.chain.tx import Call, TxSender
from ledger.deployments import Deployment
from ledger.errors import LedgerError
from ledger.i18n import gettext as _
from ledger.signing.actions import (
    ACTIONS,
    DOMAIN_NAMES,
    DOMAIN_VERSION,
    ENUM_LIMITS,
    Action,
    SignedActionError,
    action,
    call_arguments,
    fields_listed,
    recover,
    typed_data,
)
from ledger.signing.provenance import CLAIM_TYPES, claim_typed_data
from ledger.vocabulary import ADDRESS, HEX32

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ledger.config import Settings

log = logging.getLogger("originals.relayer")

WEI_PER_ETHER = 10**18
MAX_STRING = 1_000
"""Longest string a relayed message may carry (a display name, a domain); the request body limit bounds the rest."""
MAX_LIST = 10_000
"""Most entries of a list field (a public batch's leaves) and of a Merkle proof."""


class RelayError(LedgerError):
    """A signed action the relayer will not carry out; nothing was sent."""


class RelayerUnavailable(RelayError, RuntimeError):
    """No relayer is configured (or its deployment is not known yet): signed actions cannot be relayed here."""


class InvalidSignature(RelayError, PermissionError):
    """The signature cannot be read (not 65 bytes of a valid ECDSA signature)."""


class WrongSigner(RelayError, PermissionError):
    """The signature is valid but made by another key than the signer the message names."""


class WrongDomain(RelayError, ValueError):
    """The typed data is bound to another chain, another registry, or another domain name or version."""


class RateLimited(RelayError, RuntimeError):
    """Too many signed actions by this signer, or by everyone, for now; ``retry_after`` seconds until the next."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ActionReverted(ContractRevert):
    """The registry refuses the signed action (or refused it once mined): its custom error by name and arguments.

    Raised before sending when the simulation (or the relayer's own deadline check, which asks what the contract
    would) says so; ``tx_hash`` is set only when a mined transaction reverted.
    """

    tx_hash: str | None = None

    @classmethod
    def of(cls, revert: ContractRevert, tx_hash: str | None = None) -> ActionReverted:
        names = tuple(revert.arguments)
        refused = cls(str(revert), revert.error, revert.error_args, revert.data, names)
        refused.tx_hash = tx_hash
        return refused


@dataclass(frozen=True)
class Checked:
    """A signed action that passed :meth:`Relayer.check`: its typed data as this code builds it, and its signer."""

    action: Action
    signer: str
    typed: dict[str, Any]
    signature: str

    @property
    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = self.typed["message"]
        return message


@dataclass(frozen=True)
class CheckedClaim:
    """A one-time key's claim that passed :meth:`Relayer.check_claim`: the key that signed it (the open claim offer's),
    its message (values normalised: the original as hex, addresses lower-case) and the signature."""

    key: str
    message: dict[str, Any]
    signature: str


@dataclass(frozen=True)
class Relayed:
    """A signed action whose transaction is mined (in ``block_number``), not necessarily indexed yet."""

    action: str
    signer: str
    relayer: str
    tx_hash: str
    block_number: int
    proposal_id: int | None


@dataclass(frozen=True)
class RelayerStatus:
    address: str
    balance_wei: int
    low: bool


def monotonic() -> float:
    """The rate limits' clock, looked up at each call: tests of a whole app stop it to get exact waits."""
    return time.monotonic()


class TokenBucket:
    """``capacity`` tokens refilled evenly over ``period`` seconds, one bucket per key; thread-safe, in memory."""

    def __init__(self, capacity: int, period: float, clock: Callable[[], float] | None = None) -> None:
        self.capacity = capacity
        self.rate = capacity / period
        self._clock = clock if clock is not None else lambda: monotonic()
        self._buckets: dict[str, tuple[float, float]] = {}

    @classmethod
    def parse(cls, notation: str, clock: Callable[[], float] | None = None) -> TokenBucket | None:
        """A bucket from ``limits`` notation (``10/minute``); None for ``off``."""
        if notation == "off":
            return None
        from limits import parse

        item = parse(notation)
        return cls(item.amount, float(item.get_expiry()), clock)

    def wait(self, key: str) -> float:
        """Seconds until ``key`` has a token (0: it has one now). Call under the limiter's lock."""
        tokens, _ = self._refilled(key)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def take(self, key: str) -> None:
        tokens, now = self._refilled(key)
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > 10_000:  # forget keys whose buckets are full again: they start full anyway
            full = [k for k in self._buckets if self._refilled(k)[0] >= self.capacity]
            for k in full:
                del self._buckets[k]

    def _refilled(self, key: str) -> tuple[float, float]:
        now = self._clock()
        tokens, then = self._buckets.get(key, (float(self.capacity), now))
        return min(float(self.capacity), tokens + (now - then) * self.rate), now


class RateLimiter:
    """A token bucket per signer, one for everyone, and one for all applications together: an action takes a token
    from each bucket that applies to it, or from none.

    Applications have their own, smaller budget because they are the one action a stranger can have relayed: every
    fresh key may apply once, so a per-signer limit does not stop a stranger with many keys from spending the
    relayer's ether on applications (~145,000 gas each) or filling the registry with them.
    """

    def __init__(
        self, per_signer: TokenBucket | None, overall: TokenBucket | None, applications: TokenBucket | None = None
    ) -> None:
        self.per_signer = per_signer
        self.overall = overall
        self.applications = applications
        self._lock = threading.Lock()

    def take(self, signer: str, action: str = "") -> None:
        """Take a token for ``signer``'s ``action`` (its EIP-712 type, e.g. ``Apply``).

        Raises:
            RateLimited: a bucket that applies is empty (nothing is taken from any).
        """
        applying = action == "Apply" and self.applications is not None
        with self._lock:
            signer_wait = self.per_signer.wait(signer) if self.per_signer else 0.0
            overall_wait = self.overall.wait("*") if self.overall else 0.0
            applications_wait = self.applications.wait("*") if applying and self.applications else 0.0
            if signer_wait > 0:
                raise RateLimited(
                    _(
                        "too many signed actions by {signer}; try again in {seconds:.0f} s",
                        signer=signer,
                        seconds=signer_wait,
                    ),
                    signer_wait,
                )
            if overall_wait > 0:
                raise RateLimited(
                    _("the relayer is busy; try again in {seconds:.0f} s", seconds=overall_wait), overall_wait
                )
            if applications_wait > 0:
                raise RateLimited(
                    _(
                        "too many applications to the consortium lately; try again in {seconds:.0f} s",
                        seconds=applications_wait,
                    ),
                    applications_wait,
                )
            if self.per_signer:
                self.per_signer.take(signer)
            if self.overall:
                self.overall.take("*")
            if applying and self.applications:
                self.applications.take("*")


def _normalised(kind: str, value: Any, field: str) -> Any:
    """A message value checked against its EIP-712 type, in the form this code encodes (addresses lower-case).

    Raises:
        SignedActionError: the value does not fit the type.
    """

    def bad(why: str) -> SignedActionError:
        return SignedActionError(f"{field}: {why}")

    if kind == "address":
        if not isinstance(value, str) or not ADDRESS.match(value):
            raise bad(_("not an address (0x + 40 hex digits)"))
        return value.lower()
    if kind == "bytes32":
        if not isinstance(value, str) or not HEX32.match(value):
            raise bad(_("not a 32-byte value (0x + 64 hex digits)"))
        return value.lower()
    if kind == "bytes32[]":
        if not isinstance(value, list) or len(value) > MAX_LIST:
            raise bad(_("not a list of at most {count} 32-byte values", count=MAX_LIST))
        return [_normalised("bytes32", v, field) for v in value]
    if kind.startswith("uint"):
        bits = int(kind[4:])
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad(_("not an integer ({kind})", kind=kind))
        try:
            number = int(value)
        except ValueError:
            raise bad(_("not an integer ({kind})", kind=kind)) from None
        if not 0 <= number < 2**bits:
            raise bad(_("out of range for {kind}", kind=kind))
        return number
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad(_("not true or false"))
        return value
    if kind == "string":
        if not isinstance(value, str) or len(value) > MAX_STRING:
            raise bad(_("not a string of at most {count} characters", count=MAX_STRING))
        return value
    raise bad(f"unsupported type {kind}")  # pragma: no cover - ACTIONS uses only the types above


def message_of(name: str, message: Mapping[str, Any]) -> dict[str, Any]:
    """Action ``name``'s message with every value checked against its type, in the action's field order.

    Raises:
        SignedActionError: the action is unknown, a field is missing or unexpected, or a value does not fit.
    """
    act = action(name)
    kinds = {m["name"]: m["type"] for m in act.message_types}
    missing = [f for f in kinds if f not in message]
    extra = [f for f in message if f not in kinds]
    if missing or extra:
        raise SignedActionError(f"{name}: " + fields_listed(missing, extra))
    normalised = {f: _normalised(kind, message[f], f) for f, kind in kinds.items()}
    for field, largest in ENUM_LIMITS.get(act.contract, {}).items():
        if field in normalised and normalised[field] > largest:
            raise SignedActionError(_("{field}: out of range (0 to {largest})", field=field, largest=largest))
    return normalised


def registries(deployment: Deployment) -> dict[str, ContractBinding]:
    """The deployment's registries that take signed actions, by contract name."""
    names = {a.contract for a in ACTIONS.values()}
    return {n: ContractBinding(load_abi(n), deployment.contract(n).address) for n in sorted(names)}


def latest_timestamp(client: RpcClient) -> int:
    """The latest block's timestamp: what a deadline is held against (the next block's is not earlier)."""
    return int(client.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)


def prepare(
    client: RpcClient,
    deployment: Deployment,
    name: str,
    signer: str,
    fields: Mapping[str, Any],
    ttl: int,
    now: float | None = None,
) -> dict[str, Any]:
    """The typed data of action ``name`` for ``signer`` to sign: ``fields`` with the registry's current nonce for
    the signer and a deadline ``ttl`` seconds after the later of the wall clock and the latest block.

    A certificate decision's ``registry`` defaults to the deployment's certificate registry.

    Raises:
        SignedActionError: the action is unknown; a field is missing, unexpected (the signer, nonce and deadline are
            set here) or does not fit its type.
    """
    act = action(name)
    fixed = [f for f in (act.signer_field, "nonce", "deadline") if f in fields]
    if fixed:
        raise SignedActionError(
            _("{name}: {fields} are set by the server, not given", name=name, fields=", ".join(fixed))
        )
    bindings = registries(deployment)
    registry = bindings[act.contract]
    given = dict(fields)
    if name == "ProposeCertificateDecision":
        given.setdefault("registry", bindings["CertificateRegistry"].address)
    signer = _normalised("address", signer, act.signer_field)
    message = message_of(name, {act.signer_field: signer, **given, "nonce": 0, "deadline": 0})
    (nonce,) = registry.view(client, "nonces", signer)
    start = max(int(now if now is not None else time.time()), latest_timestamp(client))
    message.update(nonce=int(nonce), deadline=start + ttl)
    return typed_data(name, message, deployment.chain_id, str(registry.address))


class Relayer:
    """Carries out signed actions from one operator account; see the module docstring for what it checks."""

    def __init__(
        self,
        client: RpcClient,
        deployment: Deployment,
        account: LocalAccount,
        limiter: RateLimiter | None = None,
        low_balance_wei: int = WEI_PER_ETHER // 10,
        mined_timeout: float = 60.0,
    ) -> None:
        self.client = client
        self.deployment = deployment
        self.sender = TxSender(client, account, deployment.chain_id)
        self.limiter = limiter or RateLimiter(None, None)
        self.low_balance_wei = low_balance_wei
        self.mined_timeout = mined_timeout
        self.bindings = registries(deployment)
        self._proposal_created = _event_topic(load_abi("PartnerRegistry"), "ProposalCreated")
        self.last_balance: int | None = None
        """The balance last read (wei), for metrics that must not ask the node again."""

    @property
    def address(self) -> str:
        return self.sender.address

    def balance(self) -> int:
        """The relayer's balance in wei; a warning in the log when it is below the low-balance threshold."""
        wei = int(self.client.call("eth_getBalance", [self.address, "latest"]), 16)
        self.last_balance = wei
        if wei < self.low_balance_wei:
            log.warning(
                "the relayer %s holds %s ether, below its threshold of %s: top it up, or signed actions will fail",
                self.address,
                Decimal(wei) / WEI_PER_ETHER,
                Decimal(self.low_balance_wei) / WEI_PER_ETHER,
            )
        return wei

    def status(self) -> RelayerStatus:
        wei = self.balance()
        return RelayerStatus(self.address, wei, wei < self.low_balance_wei)

    def check(self, typed: Mapping[str, Any], signature: str) -> Checked:
        """Check a signed action without sending anything or asking the registry.

        Raises:
            SignedActionError: unknown action, a missing or unexpected field, or a value that does not fit its
                type. (The message is hashed with the action's types as defined here, whatever ``types`` says: a
                signature over other types recovers to another address, a wrong signer.)
            InvalidSignature: the signature cannot be read.
            WrongSigner: the signature is another key's than the signer the message names.
            WrongDomain: the domain is not this deployment's registry on this chain (name, version, chain id,
                verifying contract).
            ActionReverted: ``SignedActionExpired(signer, deadline)``: the deadline is before the latest block.
        """
        name = str(typed.get("primaryType"))
        act = action(name)
        domain = typed.get("domain")
        raw_message = typed.get("message")
        if not isinstance(domain, Mapping) or not isinstance(raw_message, Mapping):
            raise SignedActionError(_("{name}: the typed data needs a domain and a message", name=name))
        message = message_of(name, raw_message)
        if not isinstance(domain.get("name"), str) or not isinstance(domain.get("version"), str):
            raise SignedActionError(_("{name}: the domain needs a name and a version", name=name))
        chain_id = _normalised("uint256", domain.get("chainId"), "domain.chainId")
        contract = _normalised("address", domain.get("verifyingContract"), "domain.verifyingContract")
        rebuilt = typed_data(name, message, chain_id, contract)
        rebuilt["domain"].update(name=domain.get("name"), version=domain.get("version"))
        try:
            by = recover(rebuilt, signature)
        except SignedActionError as exc:
            raise InvalidSignature(str(exc)) from None
        signer = str(message[act.signer_field])
        if by != signer:
            types = typed.get("types")
            hint = "" if types is None or types == rebuilt["types"] else f" (what is signed is {name} as defined here)"
            raise WrongSigner(
                _(
                    "the signature is by {by}, not by the {signer_field} {signer}{hint}",
                    by=by,
                    signer_field=act.signer_field,
                    signer=signer,
                    hint=hint,
                )
            )
        registry = self.bindings[act.contract].address
        expected = (DOMAIN_NAMES[act.contract], DOMAIN_VERSION, self.deployment.chain_id, registry)
        got = (domain.get("name"), domain.get("version"), chain_id, contract)
        if got != expected:
            raise WrongDomain(
                _(
                    "{name} is signed for {got_name!r} version {got_version!r} at {contract} on chain {chain_id}; "
                    "this relayer carries out {name_expected!r} version {version_expected!r} at {registry} on chain "
                    "{chain_expected}",
                    name=name,
                    got_name=got[0],
                    got_version=got[1],
                    contract=contract,
                    chain_id=chain_id,
                    name_expected=expected[0],
                    version_expected=expected[1],
                    registry=registry,
                    chain_expected=expected[2],
                )
            )
        latest = latest_timestamp(self.client)
        if message["deadline"] < latest:
            raise ActionReverted(
                f"SignedActionExpired(signer={signer}, deadline={message['deadline']})",
                "SignedActionExpired",
                (signer, message["deadline"]),
                names=("signer", "deadline"),
            )
        return Checked(act, signer, rebuilt, signature)

    def send(self, checked: Checked, proof: Sequence[str] = ()) -> Relayed:
        """Carry out a checked action: rate limit, simulate, send, wait until mined.

        Raises:
            SignedActionError: a proof step is not a 32-byte value.
            RateLimited: the signer's, everyone's or (for an application) the applications' bucket is empty (nothing
                sent).
            ActionReverted: the registry would refuse (nothing sent), or refused once mined.
            TransientRpcError: the node could not be asked (nothing sent).
            TransactionTimeout: not mined within ``mined_timeout`` seconds (it may still be).
        """
        steps = [_normalised("bytes32", p, "proof") for p in proof]
        self.limiter.take(checked.signer, checked.action.name)
        binding = self.bindings[checked.action.contract]
        function, arguments = call_arguments(checked.typed, checked.signature, steps)
        return self._carry_out(checked.action.name, checked.signer, binding, function, arguments)

    def check_claim(self, typed: Mapping[str, Any], signature: str) -> CheckedClaim:
        """Check a one-time key's ``Claim`` (:func:`ledger.signing.provenance.claim_typed_data`) without sending it.

        A claim is not a nonce action: the key signs once, and the claim offer it answers is used up by it. The
        signature must recover to the key the original's open claim offer names (``offerOf``), in this deployment's
        provenance registry's domain, and its deadline must not have passed.

        Raises:
            SignedActionError: not a Claim, or a field missing, unexpected or out of range.
            InvalidSignature: the signature cannot be read.
            WrongDomain: another chain, registry, domain name or version.
            ActionReverted: ``ProvenanceRegistryNoOffer`` (no open offer of that right),
                ``ProvenanceRegistryInvalidClaim`` (the offer is not a claim offer, or the signature is not its key's),
                ``SignedActionExpired``.
        """
        if typed.get("primaryType") != "Claim":
            raise SignedActionError(_("{name}: not a Claim", name=typed.get("primaryType")))
        domain, raw = typed.get("domain"), typed.get("message")
        if not isinstance(domain, Mapping) or not isinstance(raw, Mapping):
            raise SignedActionError(_("{name}: the typed data needs a domain and a message", name="Claim"))
        kinds = {m["name"]: m["type"] for m in CLAIM_TYPES}
        missing = [f for f in kinds if f not in raw]
        extra = [f for f in raw if f not in kinds]
        if missing or extra:
            raise SignedActionError("Claim: " + fields_listed(missing, extra))
        message = {f: _normalised(kind, raw[f], f) for f, kind in kinds.items()}
        if message["right"] > 1:
            raise SignedActionError(_("right: 0 (title) or 1 (custody)"))
        if not isinstance(domain.get("name"), str) or not isinstance(domain.get("version"), str):
            raise SignedActionError(_("{name}: the domain needs a name and a version", name="Claim"))
        binding = self.bindings["ProvenanceRegistry"]
        chain_id = _normalised("uint256", domain.get("chainId"), "domain.chainId")
        contract = _normalised("address", domain.get("verifyingContract"), "domain.verifyingContract")
        original = bytes.fromhex(message["original"][2:])
        # Recovered over the domain as given, so that a key's signature for another chain or registry is told apart
        # (a wrong domain, below) from a signature by another key (an invalid claim), as :meth:`check` does.
        rebuilt = claim_typed_data(
            original, message["right"], message["claimant"], message["deadline"], chain_id, contract
        )
        rebuilt["domain"].update(name=domain.get("name"), version=domain.get("version"))
        rebuilt["message"]["original"] = message["original"]
        try:
            by = recover(rebuilt, signature)
        except SignedActionError as exc:
            raise InvalidSignature(str(exc)) from None
        (offer,) = binding.view(self.client, "offerOf", original, message["right"])
        key, _offer_deadline, is_claim, is_open = offer
        names = ("original", "right")
        if not is_open:
            raise ActionReverted(
                f"ProvenanceRegistryNoOffer(original={message['original']}, right={message['right']})",
                "ProvenanceRegistryNoOffer",
                (message["original"], message["right"]),
                names=names,
            )
        if not is_claim or by != str(key).lower():
            raise ActionReverted(
                f"ProvenanceRegistryInvalidClaim(original={message['original']}, right={message['right']}, "
                f"claimant={message['claimant']})",
                "ProvenanceRegistryInvalidClaim",
                (message["original"], message["right"], message["claimant"]),
                names=(*names, "claimant"),
            )
        got = (domain.get("name"), domain.get("version"), chain_id, contract)
        expected = (DOMAIN_NAMES["ProvenanceRegistry"], DOMAIN_VERSION, self.deployment.chain_id, binding.address)
        if got != expected:
            raise WrongDomain(
                _(
                    "{name} is signed for {got_name!r} version {got_version!r} at {contract} on chain {chain_id}; "
                    "this relayer carries out {name_expected!r} version {version_expected!r} at {registry} on chain "
                    "{chain_expected}",
                    name="Claim",
                    got_name=got[0],
                    got_version=got[1],
                    contract=contract,
                    chain_id=chain_id,
                    name_expected=expected[0],
                    version_expected=expected[1],
                    registry=binding.address,
                    chain_expected=expected[2],
                )
            )
        if message["deadline"] < latest_timestamp(self.client):
            raise ActionReverted(
                f"SignedActionExpired(signer={by}, deadline={message['deadline']})",
                "SignedActionExpired",
                (by, message["deadline"]),
                names=("signer", "deadline"),
            )
        return CheckedClaim(by, message, signature)

    def send_claim(self, checked: CheckedClaim) -> Relayed:
        """Carry out a checked claim: rate limit (by the key), simulate, send ``claim(...)``, wait until mined.

        Raises:
            RateLimited, ActionReverted, TransientRpcError, TransactionTimeout: as :meth:`send`.
        """
        self.limiter.take(checked.key, "Claim")
        m = checked.message
        arguments = [
            bytes.fromhex(m["original"][2:]),
            m["right"],
            m["claimant"],
            m["deadline"],
            bytes.fromhex(checked.signature.removeprefix("0x")),
        ]
        return self._carry_out("Claim", checked.key, self.bindings["ProvenanceRegistry"], "claim", arguments)

    def _carry_out(
        self, name: str, signer: str, binding: ContractBinding, function: str, arguments: Sequence[Any]
    ) -> Relayed:
        """Simulate, send and wait for ``function(*arguments)`` of ``binding``: what every relayed action ends in."""
        call = Call(binding.address, binding.encode(function, *arguments))
        try:
            call = self.sender.simulated(call, binding)
        except ContractRevert as exc:
            raise ActionReverted.of(exc) from None
        try:
            receipt = self.sender.send_and_wait(call, self.mined_timeout, binding)
        except ContractRevert as exc:
            raise ActionReverted.of(exc) from None
        finally:
            with contextlib.suppress(RpcError):
                self.balance()  # warns when low
        proposal = next(
            (int(entry["topics"][1], 16) for entry in receipt.logs if entry["topics"][0] == self._proposal_created),
            None,
        )
        log.info("relayed %s by %s: tx %s in block %d", name, signer, receipt.tx_hash, receipt.block_number)
        return Relayed(name, signer, self.address, receipt.tx_hash, receipt.block_number, proposal)


def _event_topic(abi: Sequence[Mapping[str, Any]], name: str) -> str:
    (entry,) = (e for e in abi if e.get("type") == "event" and e["name"] == name)
    signature = f"{name}({','.join(i['type'] for i in entry['inputs'])})"
    return "0x" + keccak(signature.encode()).hex()


def open_relayer(
    settings: Settings, client: RpcClient, deployment: Deployment, allow_devnet_key: bool
) -> Relayer | None:
    """The relayer the settings configure (None without ``relayer_keystore``), its keystore opened once.

    Raises:
        AuthenticationError: the keystore does not exist or the password does not open it.
        DevnetKeyRefused: the keystore holds a well-known devnet key and the chain is not a local devnet.
    """
    from ledger.issuance.keys import DevnetKeyRefused, devnet_addresses, open_keystore

    if settings.relayer_keystore is None:
        return None
    account = open_keystore(settings.relayer_keystore, settings.relayer_password.get_secret_value())
    address = str(account.address).lower()
    if not allow_devnet_key and address in devnet_addresses():
        raise DevnetKeyRefused(
            _("the relayer {address} is a well-known devnet key; refused outside a devnet", address=address)
        )
    limiter = RateLimiter(
        TokenBucket.parse(settings.relayer_rate_limit),
        TokenBucket.parse(settings.relayer_global_rate_limit),
        TokenBucket.parse(settings.relayer_application_rate_limit),
    )
    low = int(settings.relayer_low_balance_ether * WEI_PER_ETHER)
    return Relayer(client, deployment, account, limiter, low, settings.mined_timeout)
