"""Stateful property test: random sequences of calls on both registries agree with a pure-Python model.

Hypothesis drives PartnerRegistry and CertificateRegistry with applications, proposals of every kind, votes,
executions, leaving, time travel, the three issue modes and revoke/suspend/reinstate of roots and of documents. Each
call picks its actor among the three founders and three other accounts, and each of its choices is made invalid on
purpose now and then (a stranger acting, a double vote, an early execution, a wrong proof, an expiry in the past...).
The model (``_model.py``) says what must happen: the contract must revert with the SAME custom error and
arguments, or emit exactly the model's events. Three scenario rules chain calls to reach deep states that single calls
seldom line up into: a council decision carried through (propose, vote, execute on time or too late), a key compromise
(expulsion with the cut-off on a live certificate), and a council suspension an issuer-only partner cannot lift.

After every step the whole observable state of both contracts is read back in one JSON-RPC batch and compared with the
model: every actor's partner record and standing, the council count, every proposal and vote, every certificate and
status record touched, ``verify`` for every issued document, and ``wasActiveIssuerAt`` at every block timestamp of
the run. Structural invariants are checked on the chain's state alone, so they hold even where the model and the
contract could share a mistake: see the ``invariant`` methods.

Every transaction runs at a pinned block timestamp (the previous block's plus one), so deadlines and expiries are
exact; each example starts from a chain snapshot of the fresh deployment and reverts to it at the end.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import eth_abi
import httpx
from _model import (
    APPLICABLE_FROM,
    CERTIFICATES,
    COUNCIL,
    ISSUER,
    MAY_APPLY,
    MAY_LEAVE,
    PARTNERS,
    ZERO32,
    ZERO_ADDRESS,
    CertificateModel,
    ConsortiumModel,
    Event,
    PartnerStatus,
    ProposalKind,
    Reverted,
    Status,
)
from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.chain import ChainManager
from conftest import VOTING_PERIOD, founder_tuples
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from eth_utils.abi import event_abi_to_log_topic, function_abi_to_4byte_selector, get_abi_input_types
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from ledger.merkle import MerkleTree

T = TypeVar("T")

DAY = 24 * 3600
# Each issuer issues at most this many certificates per run, so that status changes pile up on the same roots and
# leaves (a revoked root with a suspended leaf, a council suspension the issuer tries to lift, ...), while partners
# admitted late still get to issue.
CERTIFICATES_PER_ISSUER = 2
ACTOR_COUNT = 6  # accounts 0-2 are the founders (ISSUER | COUNCIL), 3-5 start as strangers
NAMES = ("Textile Mill", "Galerie Ünter den Linden", "", "Open Data NGO")  # "" must revert: a name is required
DOMAINS = ("mill.example", "", "galerie.example")
# Settings sized for CI: 20 runs of up to 50 steps finish in about a minute on two shared cores (long runs reach the
# deep states: partners admitted, suspended and reinstated, issuers expelled with a cut-off, certificates acted on at
# root and leaf). The chain is reset by snapshot, not redeployed; too_slow is suppressed: every step waits for a node.
SETTINGS = settings(
    max_examples=20,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Coverage floor of a run (measured runs reach every group and 25-30 distinct errors).
SUCCESS_GROUPS = {
    **{name: name for name in ("applyForMembership", "propose", "vote", "execute", "leave")},
    **{name: name for name in ("issue", "issueBatch", "issueBatchPublic")},
    **{name: "revoke/suspend/reinstate" for name in ("revoke", "suspend", "reinstate")},
    **{name + "Document": "revoke/suspend/reinstateDocument" for name in ("revoke", "suspend", "reinstate")},
}
MIN_DISTINCT_ERRORS = 15

PARTNER_MOVES = {
    "apply": {(PartnerStatus.NONE, PartnerStatus.APPLIED), (PartnerStatus.LEFT, PartnerStatus.APPLIED)},
    "leave": {(status, PartnerStatus.LEFT) for status in MAY_LEAVE},
    "execute": {
        (PartnerStatus.APPLIED, PartnerStatus.ACTIVE),
        (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED),
        (PartnerStatus.SUSPENDED, PartnerStatus.ACTIVE),
        (PartnerStatus.ACTIVE, PartnerStatus.EXPELLED),
        (PartnerStatus.SUSPENDED, PartnerStatus.EXPELLED),
    },
}
RECORD_MOVES = {
    (Status.VALID, Status.SUSPENDED),
    (Status.VALID, Status.REVOKED),
    (Status.SUSPENDED, Status.REVOKED),
    (Status.SUSPENDED, Status.VALID),
}


def _checksummed(value: Any, param: dict[str, Any]) -> Any:
    """eth_abi decodes addresses in lower case; the model uses checksummed ones."""
    if param["type"] == "address":
        return to_checksum_address(value)
    if param["type"] == "tuple":
        return tuple(_checksummed(v, p) for v, p in zip(value, param["components"], strict=True))
    return value


def _frozen(value: Any) -> Any:
    """``value`` with lists made tuples, so call arguments can key a cache."""
    return tuple(_frozen(item) for item in value) if isinstance(value, list | tuple) else value


def _decode(params: list[dict[str, Any]], data: bytes) -> list[Any]:
    values = eth_abi.decode(get_abi_input_types({"type": "function", "name": "", "inputs": params}), data)
    return [_checksummed(value, param) for value, param in zip(values, params, strict=True)]


class _Node:
    """A thin JSON-RPC client for the anvil node that ape started for the session.

    Views are read in one batch; transactions are sent from the node's unlocked dev accounts (the same accounts as
    ape's test accounts) at a pinned block timestamp; logs and custom errors are decoded with eth_abi against the
    registries' ABIs. ape's own call path costs ~20 ms a view and 100-200 ms a revert (it replays the call and renders
    a call trace): too slow for the ~1,000 calls and ~100,000 views of one run. Here a call costs a few milliseconds.
    """

    GAS = 5_000_000  # explicit, so a call that reverts is still mined (no gas estimation refusing it)

    def __init__(self, uri: str, contracts: dict[str, ContractInstance]) -> None:
        self._uri = uri
        self._client = httpx.Client(timeout=60)
        self.addresses = {key: contract.address for key, contract in contracts.items()}
        self._functions: dict[tuple[str, str], dict[str, Any]] = {}
        self._events: dict[tuple[str, bytes], tuple[str, dict[str, Any]]] = {}
        self._errors: dict[bytes, dict[str, Any]] = {}
        # The same views are read after every step, mostly with the same answers: encode and decode each only once.
        self._encoded: dict[tuple[str, str, Any], str] = {}
        self._decoded: dict[tuple[str, str, str], Any] = {}
        for key, contract in contracts.items():
            for item in contract.contract_type.abi:
                abi = item.model_dump(mode="json", by_alias=True)
                if abi["type"] == "function":
                    self._functions[key, abi["name"]] = abi
                elif abi["type"] == "event":
                    self._events[contract.address.lower(), event_abi_to_log_topic(abi)] = (key, abi)
                elif abi["type"] == "error":
                    self._errors[function_abi_to_4byte_selector(abi)] = abi

    def close(self) -> None:
        self._client.close()

    def _post(self, requests: list[dict[str, Any]]) -> list[Any]:
        if not requests:
            return []
        answers = {answer["id"]: answer for answer in self._client.post(self._uri, json=requests).json()}
        results = []
        for request in requests:
            answer = answers[request["id"]]
            assert "error" not in answer, f"{request} failed: {answer['error']}"
            results.append(answer["result"])
        return results

    def _rpc(self, method: str, *params: Any) -> Any:
        (result,) = self._post([{"jsonrpc": "2.0", "id": 0, "method": method, "params": list(params)}])
        return result

    def _calldata(self, contract: str, function: str, args: Sequence[Any]) -> str:
        key = (contract, function, _frozen(args))
        if key not in self._encoded:
            abi = self._functions[contract, function]
            data = function_abi_to_4byte_selector(abi) + eth_abi.encode(get_abi_input_types(abi), args)
            self._encoded[key] = "0x" + data.hex()
        return self._encoded[key]

    def _answer(self, contract: str, function: str, raw: str) -> Any:
        key = (contract, function, raw)
        if key not in self._decoded:
            self._decoded[key] = _decode(self._functions[contract, function]["outputs"], bytes.fromhex(raw[2:]))[0]
        return self._decoded[key]

    def head_timestamp(self) -> int:
        return int(self._rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)

    def mine(self, timestamp: int) -> None:
        self._rpc("evm_mine", timestamp)

    def read(self, calls: Sequence[tuple[str, str, tuple[Any, ...]]]) -> list[Any]:
        """``calls`` are (contract, function, args); each answer is the function's single decoded return value."""
        requests = [
            {
                "jsonrpc": "2.0",
                "id": number,
                "method": "eth_call",
                "params": [{"to": self.addresses[contract], "data": self._calldata(contract, name, args)}, "latest"],
            }
            for number, (contract, name, args) in enumerate(calls)
        ]
        return [
            self._answer(contract, name, raw)
            for (contract, name, _), raw in zip(calls, self._post(requests), strict=True)
        ]

    def transact(
        self, sender: str, at: int, contract: str, function: str, args: Sequence[Any]
    ) -> list[Event] | Reverted:
        """Mine one transaction at block timestamp ``at``: its decoded events, or the custom error it reverted with."""
        self._rpc("evm_setNextBlockTimestamp", at)
        tx = {"from": sender, "to": self.addresses[contract], "data": self._calldata(contract, function, args)}
        tx_hash = self._rpc("eth_sendTransaction", {**tx, "gas": hex(self.GAS)})
        for _ in range(1_000):  # anvil mines at once, but may answer eth_sendTransaction before storing the block
            if receipt := self._rpc("eth_getTransactionReceipt", tx_hash):
                break
            time.sleep(0.002)
        else:
            raise AssertionError(f"{function} was not mined")
        if int(receipt["status"], 16) == 1:
            return [self._event(log) for log in receipt["logs"]]
        trace = self._rpc(
            "debug_traceTransaction", tx_hash, {"tracer": "callTracer", "tracerConfig": {"onlyTopCall": True}}
        )
        output = bytes.fromhex(trace.get("output", "0x")[2:])
        abi = self._errors.get(output[:4])
        if abi is None:
            return Reverted("<not a custom error of the registries>", data=output.hex())
        values = _decode(abi["inputs"], output[4:])
        return Reverted(
            abi["name"], **{param["name"]: value for param, value in zip(abi["inputs"], values, strict=True)}
        )

    def _event(self, log: dict[str, Any]) -> Event:
        topics = [bytes.fromhex(topic[2:]) for topic in log["topics"]]
        contract, abi = self._events[log["address"].lower(), topics[0]]
        indexed = iter(topics[1:])
        unindexed = iter(_decode([p for p in abi["inputs"] if not p["indexed"]], bytes.fromhex(log["data"][2:])))
        args = {
            param["name"]: _decode([param], next(indexed))[0] if param["indexed"] else next(unindexed)
            for param in abi["inputs"]
        }
        return Event(contract, abi["name"], args)


@dataclass(frozen=True)
class _Deployment:
    """What every example shares: the actors, the founders as deployed, the chain (for snapshots), the node, and the
    tally of (function, "ok" or custom error) over the whole run."""

    actors: tuple[str, ...]
    founders: list[tuple[str, int, int, str, str, bytes]]
    deployed_at: int
    chain: ChainManager
    node: _Node
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Document:
    """A document the machine knows a proof for (the proof may be wrong on purpose)."""

    root: bytes
    leaf: bytes
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class _Footprint:
    """What one call may change: the op's name and the keys of its own entries. A reverted call may change nothing."""

    op: str
    partners: frozenset[str] = frozenset()
    proposals: frozenset[int] = frozenset()
    certificates: frozenset[bytes] = frozenset()
    statuses: frozenset[tuple[bytes, bytes]] = frozenset()


@dataclass
class _State:
    """The whole observable state of both registries for a given set of keys, read from the chain or the model."""

    head_timestamp: int = 0
    active_council_count: int = 0
    proposal_count: int = 0
    partners: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    standing: dict[str, tuple[bool, bool, int]] = field(default_factory=dict)  # isActiveIssuer/Council, cut-off
    proposals: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    votes: dict[tuple[int, str], bool] = field(default_factory=dict)
    certificates: dict[bytes, tuple[Any, ...]] = field(default_factory=dict)
    statuses: dict[tuple[bytes, bytes], tuple[Any, ...]] = field(default_factory=dict)
    verdicts: dict[_Document, tuple[Any, ...]] = field(default_factory=dict)
    issuer_at: dict[tuple[str, int], bool] = field(default_factory=dict)


class RegistriesMachine(RuleBasedStateMachine):
    """Random calls on both registries, each compared with the model; the whole state compared after every step."""

    def __init__(self, deployment: _Deployment) -> None:
        super().__init__()
        self.d = deployment
        self.snapshot = deployment.chain.snapshot()
        self.addresses = list(deployment.actors)
        self.founders = {founder[0] for founder in deployment.founders}
        self.consortium = ConsortiumModel.founded(deployment.founders, VOTING_PERIOD, deployment.deployed_at)
        self.registry = CertificateModel(self.consortium)
        self.now = deployment.node.head_timestamp()
        # wasActiveIssuerAt is a step function that can only change at a block timestamp: checking it at every block
        # timestamp of the run (and just before the deployment) checks it everywhere.
        self.times = sorted({deployment.deployed_at - 1, deployment.deployed_at, self.now})
        self.documents: list[_Document] = []  # issued, with a correct proof
        self.probes: set[_Document] = set()  # every (root, leaf, proof) named in a call, verified after each step
        self.roots: set[bytes] = {ZERO32}  # every root named in a call, issued or not
        self.leaves = (keccak(b"originals stateful document %d" % n) for n in itertools.count())
        self.footprint = _Footprint("start")
        self.before: _State | None = None
        self.seen: _State | None = None

    def teardown(self) -> None:
        self.d.chain.restore(self.snapshot)

    # --- drawing ---------------------------------------------------------------------------------------------------

    @staticmethod
    def _pick(
        data: st.DataObject, valid: Sequence[T], anything: Sequence[T], label: str, spoil: bool = True, odds: int = 8
    ) -> T:
        """A valid choice when there is one, except one time in ``odds`` (never if not ``spoil``): then anything."""
        if valid and (not spoil or data.draw(st.integers(1, odds), label=f"{label} valid?") != odds):
            return data.draw(st.sampled_from(list(valid)), label=label)
        return data.draw(st.sampled_from(list(anything)), label=label)

    def _where(self, test: Callable[[str], bool]) -> list[str]:
        return [address for address in self.addresses if test(address)]

    def _open_proposals(self, at: int) -> list[int]:
        return [
            number
            for number in range(1, self.consortium.proposal_count() + 1)
            if not (p := self.consortium.proposal(number)).executed and at <= p.deadline
        ]

    def _any_proposal_id(self) -> list[int]:
        return list(range(self.consortium.proposal_count() + 2))  # 0 and count + 1 are unknown ids

    def _expiry(self, data: st.DataObject, at: int) -> int:
        later = at + data.draw(st.integers(1, 30 * DAY), label="lifetime")
        return self._pick(data, [0, later], [at, at - 1], "validUntil")

    def _fresh_root_or_not(self, data: st.DataObject, root: bytes) -> bytes:
        issued = sorted(self.registry.certificates)
        return self._pick(data, [root], [root, ZERO32, *issued], "root")

    # --- calling ---------------------------------------------------------------------------------------------------

    def _transact(
        self,
        footprint: _Footprint,
        predict: Callable[[int], list[Event]],
        sender: str,
        contract: str,
        function: str,
        *args: Any,
    ) -> bool:
        """Run one call at the next block timestamp and assert the contract does exactly what the model predicts:
        the same custom error with the same arguments, or the same events with the same arguments, in order.

        Returns whether the call succeeded.
        """
        self.before, self.seen = self._observed(), None
        at = self.now + 1
        try:
            expected: list[Event] | Reverted = predict(at)
        except Reverted as reverted:
            expected = reverted
        actual = self.d.node.transact(sender, at, contract, function, args)
        self._mined(at)
        call = f"{function}{args} by {sender} at {at}"
        if isinstance(actual, Reverted):
            self.footprint = _Footprint("reverted")
            self.d.outcomes[function, actual.error] += 1
            assert isinstance(expected, Reverted), f"{call} reverted with {actual}; the model expects {expected}"
            assert (actual.error, actual.arguments) == (expected.error, expected.arguments), call
            return False
        self.footprint = footprint
        self.d.outcomes[function, "ok"] += 1
        assert not isinstance(expected, Reverted), f"{call} succeeded; the model expects {expected}"
        assert actual == expected, call
        return True

    def _mined(self, at: int) -> None:
        self.now = at
        self.times.append(at)

    # --- partner registry rules ------------------------------------------------------------------------------------

    @precondition(lambda self: self._where(lambda a: self.consortium.partner(a).status in MAY_APPLY))
    @rule(data=st.data())
    def apply_for_membership(self, data: st.DataObject) -> None:
        """Strangers and leavers apply; members applying again and empty names are the invalid choices."""
        sender = self._pick(
            data, self._where(lambda a: self.consortium.partner(a).status in MAY_APPLY), self.addresses, "sender"
        )
        org_type = data.draw(st.integers(0, 7), label="orgType")
        name = data.draw(st.sampled_from(NAMES), label="displayName")
        domain = data.draw(st.sampled_from(DOMAINS), label="domain")
        metadata = data.draw(st.binary(min_size=32, max_size=32), label="metadataHash")
        self._transact(
            _Footprint("apply", partners=frozenset({sender})),
            lambda at: self.consortium.apply_for_membership(sender, at, org_type, name, domain, metadata),
            sender,
            PARTNERS,
            "applyForMembership",
            org_type,
            name,
            domain,
            metadata,
        )

    @rule(data=st.data())
    def propose(self, data: st.DataObject) -> None:
        """Every kind; a stranger proposing, a subject in the wrong status, bad or unchanged rights and a cut-off in
        the future or on the wrong kind are the invalid choices."""
        self._propose(data, spoil=True)

    def _propose(self, data: st.DataObject, spoil: bool) -> bool:
        at = self.now + 1
        council = self._where(self.consortium.is_active_council)
        proposer = self._pick(data, council, self.addresses, "proposer", spoil)
        # The kind first, then its subject: admissions and reinstatements are as likely as the kinds that apply to
        # every active partner.
        every = [(kind, subject) for kind in ProposalKind for subject in self.addresses]
        kinds = sorted({kind for kind, subject in every if self._valid_rights(kind, subject)})
        kind = self._pick(data, kinds, list(ProposalKind), "kind", spoil)
        subjects = [subject for subject in self.addresses if self._valid_rights(kind, subject)]
        subject = self._pick(data, subjects, self.addresses, "subject", spoil)
        rights = self._pick(
            data, self._valid_rights(kind, subject), [0, ISSUER, COUNCIL, ISSUER | COUNCIL, 4, 255], "rights", spoil
        )
        if kind == ProposalKind.EXPEL:
            valid = [*self._live_issue_times(subject), at, at - DAY, 0]
            cutoff = self._pick(data, valid, [at + 1, at + DAY], "compromisedAfter", spoil)
        else:
            cutoff = self._pick(data, [0], [1, at], "compromisedAfter", spoil)
        return self._propose_exactly(proposer, kind, subject, rights, cutoff)

    def _propose_exactly(self, proposer: str, kind: ProposalKind, subject: str, rights: int, cutoff: int) -> bool:
        return self._transact(
            _Footprint("propose", proposals=frozenset({self.consortium.proposal_count() + 1})),
            lambda at: self.consortium.propose(proposer, at, kind, subject, rights, cutoff),
            proposer,
            PARTNERS,
            "propose",
            kind,
            subject,
            rights,
            cutoff,
        )

    @rule(data=st.data())
    def council_carries_a_proposal(self, data: st.DataObject) -> None:
        """A whole decision: a valid proposal, votes (mostly yes) from other council members until a majority of the
        active council, then execution by anyone: at once, exactly at the deadline (still open) or just after it.

        Single calls rarely line up into admissions, expulsions with a cut-off and rights changes; this reaches them.
        """
        if self._propose(data, spoil=False):
            self._carry_out(data, self.consortium.proposal_count())

    def _live_issue_times(self, issuer: str) -> list[int]:
        """When ``issuer``'s certificates that are neither acted on nor expired were issued."""
        return [
            c.issued_at
            for root, c in self.registry.certificates.items()
            if c.issuer == issuer
            and self.registry.status_of(root, ZERO32).status == Status.VALID
            and (c.valid_until == 0 or c.valid_until > self.now + 1)
        ]

    def _compromised_candidates(self) -> list[str]:
        return self._where(lambda a: bool(self._valid_rights(ProposalKind.EXPEL, a) and self._live_issue_times(a)))

    @precondition(lambda self: self._compromised_candidates())
    @rule(data=st.data())
    def council_expels_a_compromised_issuer(self, data: st.DataObject) -> None:
        """A key compromise: the council expels an issuer with the cut-off at the issuance time of one of its live
        certificates, which then sits exactly on the boundary (issued at the cut-off: compromised)."""
        subject = data.draw(st.sampled_from(self._compromised_candidates()), label="subject")
        cutoff = data.draw(st.sampled_from(self._live_issue_times(subject)), label="compromisedAfter")
        proposer = data.draw(st.sampled_from(self._where(self.consortium.is_active_council)), label="proposer")
        if self._propose_exactly(proposer, ProposalKind.EXPEL, subject, 0, cutoff):
            self._carry_out(data, self.consortium.proposal_count())

    def _carry_out(self, data: st.DataObject, proposal_id: int) -> None:
        """Votes until a majority (or nobody is left to vote), then execution at once, at the deadline or after."""
        council = self._where(self.consortium.is_active_council)
        for voter in data.draw(st.permutations(council), label="supporters"):
            if self.consortium.proposal(proposal_id).yes_votes >= self._required():
                break
            if not self.consortium.has_voted(proposal_id, voter):
                self._vote(voter, proposal_id, data.draw(st.sampled_from([True, True, False]), label="support"))
        deadline = self.consortium.proposal(proposal_id).deadline
        timing = data.draw(
            st.sampled_from(["at once", "at once", "at the deadline", "after the deadline"]), label="execute"
        )
        if timing != "at once":
            self._advance_to(deadline - 1 if timing == "at the deadline" else deadline)
        self._execute(data.draw(st.sampled_from(self.addresses), label="executor"), proposal_id)

    def _required(self) -> int:
        return self.consortium.active_council_count() // 2 + 1

    def _is_last_council(self, account: str) -> bool:
        return self.consortium.is_active_council(account) and self.consortium.active_council_count() == 1

    def _valid_rights(self, kind: ProposalKind, subject: str) -> list[int]:
        """The rights arguments that make ``kind`` applicable to ``subject`` now and executable (none if its status
        does not allow it, or if it would take away the last council member)."""
        if self.consortium.partner(subject).status not in APPLICABLE_FROM[kind]:
            return []
        held = self.consortium.partner(subject).rights
        last = self._is_last_council(subject)
        if last and kind in (ProposalKind.SUSPEND, ProposalKind.EXPEL):
            return []
        return {
            # Most partners join as issuers only (a mill, a gallery): issuer paths must not hide behind council powers.
            ProposalKind.ADMIT: [ISSUER, ISSUER, ISSUER, 0, COUNCIL, ISSUER | COUNCIL],
            ProposalKind.GRANT_RIGHTS: [r for r in (ISSUER, COUNCIL, ISSUER | COUNCIL) if held & r != r],
            ProposalKind.WITHDRAW_RIGHTS: [
                r for r in (ISSUER, COUNCIL, ISSUER | COUNCIL) if held & r and not (last and r & COUNCIL)
            ],
        }.get(kind, [0, ISSUER])  # ignored by the other kinds, but stored

    @precondition(lambda self: self._open_proposals(self.now + 1))
    @rule(data=st.data())
    def vote(self, data: st.DataObject) -> None:
        """Double votes, strangers, unknown ids and closed proposals are the invalid choices."""
        council = self._where(self.consortium.is_active_council)
        ballots = [(voter, n) for voter in council for n in self._open_proposals(self.now + 1)]
        voter, proposal_id = self._pick(
            data,
            [(voter, n) for voter, n in ballots if not self.consortium.has_voted(n, voter)],
            [
                *((voter, n) for voter, n in ballots if self.consortium.has_voted(n, voter)),
                *((voter, n) for voter in self.addresses for n in self._any_proposal_id()),
            ],
            "voter, proposalId",
        )
        self._vote(voter, proposal_id, data.draw(st.booleans(), label="support"))

    def _vote(self, voter: str, proposal_id: int, support: bool) -> None:
        self._transact(
            _Footprint("vote", proposals=frozenset({proposal_id})),
            lambda at: self.consortium.vote(voter, at, proposal_id, support),
            voter,
            PARTNERS,
            "vote",
            proposal_id,
            support,
        )

    @precondition(lambda self: self.consortium.proposal_count() > 0)
    @rule(data=st.data())
    def execute(self, data: st.DataObject) -> None:
        """Anyone executes; too early (no majority yet), executed, expired and unknown ids are the invalid choices."""
        executor = data.draw(st.sampled_from(self.addresses), label="executor")  # anyone may execute
        open_ = self._open_proposals(self.now + 1)
        carried = [n for n in open_ if self.consortium.proposal(n).yes_votes >= self._required()]
        self._execute(executor, self._pick(data, carried, self._any_proposal_id(), "proposalId"))

    def _execute(self, executor: str, proposal_id: int) -> None:
        subject = self.consortium.proposal(proposal_id).subject
        self._transact(
            _Footprint("execute", partners=frozenset({subject}), proposals=frozenset({proposal_id})),
            lambda at: self.consortium.execute(executor, at, proposal_id),
            executor,
            PARTNERS,
            "execute",
            proposal_id,
        )

    @rule(data=st.data())
    def leave(self, data: st.DataObject) -> None:
        """Mostly non-founders leave (or the council soon could not govern); the last council member cannot."""
        last = self._where(self.consortium.is_active_council) if self.consortium.active_council_count() == 1 else []
        leaving = self._where(lambda a: self.consortium.partner(a).status in MAY_LEAVE and a not in last)
        sender = self._pick(data, [a for a in leaving if a not in self.founders] or leaving, self.addresses, "sender")
        self._transact(
            _Footprint("leave", partners=frozenset({sender})),
            lambda at: self.consortium.leave(sender, at),
            sender,
            PARTNERS,
            "leave",
        )

    @rule(data=st.data())
    def advance_time(self, data: st.DataObject) -> None:
        """Mine an empty block later: a little, days, or right onto a deadline or expiry (next tx just in or out)."""
        boundaries = [self.consortium.proposal(n).deadline - 1 for n in self._open_proposals(self.now + 1)]
        boundaries += [c.valid_until - 1 for c in self.registry.certificates.values() if c.valid_until]
        boundaries = [b + data.draw(st.integers(0, 1), label="past it") for b in sorted(set(boundaries))]
        choices = [
            self.now + data.draw(st.integers(1, 3600), label="seconds"),
            self.now + data.draw(st.integers(1, 3), label="days") * DAY,
            *(b for b in boundaries if b > self.now),
        ]
        self._advance_to(data.draw(st.sampled_from(choices), label="timestamp"))

    def _advance_to(self, timestamp: int) -> None:
        """Mine an empty block at ``timestamp`` (if that is still ahead)."""
        self.before, self.seen = self._observed(), None
        if timestamp > self.now:
            self.d.node.mine(timestamp)
            self._mined(timestamp)
        self.footprint = _Footprint("time")

    # --- certificate registry rules --------------------------------------------------------------------------------

    def _issuers_with_room(self) -> list[str]:
        issued = Counter(c.issuer for c in self.registry.certificates.values())
        return self._where(lambda a: self.consortium.is_active_issuer(a) and issued[a] < CERTIFICATES_PER_ISSUER)

    def _issuer(self, data: st.DataObject) -> str:
        return self._pick(data, self._issuers_with_room(), self.addresses, "issuer")

    @precondition(lambda self: self._issuers_with_room())
    @rule(data=st.data())
    def issue(self, data: st.DataObject) -> None:
        """One certificate with a public fingerprint; a non-issuer, a zero or reused root and an expiry that is not in
        the future are the invalid choices (for the batch modes too)."""
        issuer = self._issuer(data)
        root = self._fresh_root_or_not(data, next(self.leaves))
        fingerprint = data.draw(st.binary(min_size=32, max_size=32), label="fingerprint")
        valid_until = self._expiry(data, self.now + 1)
        self.roots.add(root)
        if self._transact(
            _Footprint("issue", certificates=frozenset({root})),
            lambda at: self.registry.issue(issuer, at, root, fingerprint, valid_until),
            issuer,
            CERTIFICATES,
            "issue",
            root,
            fingerprint,
            valid_until,
        ):
            self.documents.append(_Document(root, root, ()))  # a single certificate is a tree of one

    def _batch(self, data: st.DataObject) -> tuple[MerkleTree, bytes]:
        tree = MerkleTree.of([next(self.leaves) for _ in range(data.draw(st.integers(1, 4), label="documents"))])
        root = self._fresh_root_or_not(data, tree.root)
        self.roots.add(root)
        return tree, root

    def _issued(self, tree: MerkleTree, root: bytes) -> None:
        self.documents += [_Document(root, leaf, tuple(tree.proof(leaf))) for leaf in tree.leaves]

    @precondition(lambda self: self._issuers_with_room())
    @rule(data=st.data())
    def issue_batch(self, data: st.DataObject) -> None:
        """A batch of one to four documents anchored by its root only."""
        issuer = self._issuer(data)
        tree, root = self._batch(data)
        valid_until = self._expiry(data, self.now + 1)
        if self._transact(
            _Footprint("issue", certificates=frozenset({root})),
            lambda at: self.registry.issue_batch(issuer, at, root, valid_until),
            issuer,
            CERTIFICATES,
            "issueBatch",
            root,
            valid_until,
        ):
            self._issued(tree, root)

    @precondition(lambda self: self._issuers_with_room())
    @rule(data=st.data())
    def issue_batch_public(self, data: st.DataObject) -> None:
        """A batch with one DocumentPublished per document."""
        issuer = self._issuer(data)
        tree, root = self._batch(data)
        valid_until = self._expiry(data, self.now + 1)
        leaves = list(tree.leaves)
        fingerprints = [keccak(b"fingerprint of " + leaf) for leaf in leaves]
        # The leaves are published as given, in any order; fewer fingerprints than leaves, or none, are invalid.
        shape = self._pick(data, ["as built", "reversed"], ["one fingerprint short", "empty"], "batch")
        if shape == "reversed":
            leaves.reverse()
            fingerprints.reverse()
        elif shape == "one fingerprint short":
            fingerprints.pop()
        elif shape == "empty":
            leaves, fingerprints = [], []
        if self._transact(
            _Footprint("issue", certificates=frozenset({root})),
            lambda at: self.registry.issue_batch_public(issuer, at, root, valid_until, leaves, fingerprints),
            issuer,
            CERTIFICATES,
            "issueBatchPublic",
            root,
            valid_until,
            leaves,
            fingerprints,
        ):
            self._issued(tree, root)

    # The record statuses each change applies to: suspend a valid one, reinstate a suspended one, revoke either.
    CHANGES_FROM: ClassVar[dict[Status, set[Status]]] = {
        Status.SUSPENDED: {Status.VALID},
        Status.VALID: {Status.SUSPENDED},
        Status.REVOKED: {Status.VALID, Status.SUSPENDED},
    }

    def _status_actor(self, data: st.DataObject, root: bytes, leaf: bytes, status: Status) -> str:
        """Its issuer or the council; to reinstate, the council, or the issuer while active and not overruling it."""
        issuer = self.registry.certificate(root).issuer
        issuer_may = status != Status.VALID or (
            self.consortium.is_active_issuer(issuer) and not self.registry.status_of(root, leaf).by_council
        )
        entitled = [a for a in self.addresses if (a == issuer and issuer_may) or self.consortium.is_active_council(a)]
        # Invalid choices are frequent here (which rule wins when several are broken is part of what is tested), and
        # the issuer itself is the likeliest wrong sender: overruling the council, or acting after losing standing.
        wrong = [a for a in self.addresses if a not in entitled]
        wrong += [issuer] * len(wrong) if issuer in wrong else []
        return self._pick(data, entitled, wrong or self.addresses, "sender", odds=3)

    def _changeable(self, status: Status, root: bytes, leaf: bytes) -> bool:
        return self.registry.status_of(root, leaf).status in self.CHANGES_FROM[status]

    @precondition(lambda self: self.registry.certificates)
    @rule(data=st.data())
    def change_root_status(self, data: st.DataObject) -> None:
        """revoke / suspend / reinstate a whole certificate."""
        status = data.draw(st.sampled_from(Status), label="to")
        roots = sorted(self.registry.certificates)
        # Roots with a document already acted on count twice: root and leaf records together decide the verdict.
        acted = {d.root for d in self.documents if self.registry.status_of(d.root, d.leaf).status != Status.VALID}
        changeable = [root for root in [*roots, *sorted(acted)] if self._changeable(status, root, ZERO32)]
        # The invalid choices: a root whose record does not allow the change (already suspended, revoked...), or
        # one nobody issued.
        unchangeable = [root for root in roots if not self._changeable(status, root, ZERO32)]
        root = self._pick(data, changeable, [*unchangeable, next(self.leaves)], "root", odds=3)
        sender = self._status_actor(data, root, ZERO32, status)
        reason = data.draw(st.integers(0, 2**16 - 1), label="reason")
        self.roots.add(root)
        self.probes.add(_Document(root, ZERO32, ()))
        function = {Status.REVOKED: "revoke", Status.SUSPENDED: "suspend", Status.VALID: "reinstate"}[status]
        self._transact(
            _Footprint(function, statuses=frozenset({(root, ZERO32)})),
            lambda at: self.registry.set_status(sender, at, root, None, status, reason),
            sender,
            CERTIFICATES,
            function,
            root,
            reason,
        )

    @precondition(lambda self: self.documents)
    @rule(data=st.data())
    def change_document_status(self, data: st.DataObject) -> None:
        """revoke / suspend / reinstate one document, with its proof or with a wrong one."""
        status = data.draw(st.sampled_from(Status), label="to")
        fresh = next(self.leaves)
        never_issued = _Document(fresh, fresh, ())  # a correct proof, but of a root nobody issued
        # Documents of a root already acted on count twice: root and leaf records together decide the verdict.
        acted = [d for d in self.documents if self.registry.status_of(d.root, ZERO32).status != Status.VALID]
        changeable = [d for d in [*self.documents, *acted] if self._changeable(status, d.root, d.leaf)]
        unchangeable = [d for d in self.documents if not self._changeable(status, d.root, d.leaf)]
        document = self._pick(data, changeable, [*unchangeable, never_issued], "document", odds=3)
        other = data.draw(st.sampled_from([*self.documents, never_issued]), label="other document")
        document = self._pick(
            data,
            [document],
            [
                never_issued,
                _Document(document.root, ZERO32, ()),  # the zero leaf never proves
                _Document(document.root, document.leaf, (*document.proof, document.leaf)),  # one sibling too many
                _Document(document.root, other.leaf, other.proof),  # another tree's proof
            ],
            "proof",
        )
        sender = self._status_actor(data, document.root, document.leaf, status)
        reason = data.draw(st.integers(0, 2**16 - 1), label="reason")
        self.roots.add(document.root)
        self.probes.add(document)
        function = {Status.REVOKED: "revoke", Status.SUSPENDED: "suspend", Status.VALID: "reinstate"}[status]
        self._transact(
            _Footprint(function + "Document", statuses=frozenset({(document.root, document.leaf)})),
            lambda at: self.registry.set_status(
                sender, at, document.root, (document.leaf, document.proof), status, reason
            ),
            sender,
            CERTIFICATES,
            function + "Document",
            document.root,
            document.leaf,
            list(document.proof),
            reason,
        )

    def _overrulable(self) -> list[bytes]:
        """Roots, still valid, of issuers that are not on the council: the council's suspension binds them."""
        return [
            root
            for root, c in sorted(self.registry.certificates.items())
            if self.consortium.is_active_issuer(c.issuer)
            and not self.consortium.is_active_council(c.issuer)
            and self.registry.status_of(root, ZERO32).status == Status.VALID
        ]

    @precondition(lambda self: self._overrulable())
    @rule(data=st.data())
    def council_suspension_binds_the_issuer(self, data: st.DataObject) -> None:
        """A council member suspends a certificate of an issuer-only partner, who then tries to lift it (refused:
        a council suspension is lifted by the council), and the council may lift it after all."""
        root = data.draw(st.sampled_from(self._overrulable()), label="root")
        issuer = self.registry.certificate(root).issuer
        member = data.draw(st.sampled_from(self._where(self.consortium.is_active_council)), label="council member")
        reasons = st.integers(0, 2**16 - 1)
        for sender, status, function in [
            (member, Status.SUSPENDED, "suspend"),
            (issuer, Status.VALID, "reinstate"),
            (data.draw(st.sampled_from([issuer, member]), label="lifted by"), Status.VALID, "reinstate"),
        ]:
            reason = data.draw(reasons, label="reason")
            self._transact(
                _Footprint(function, statuses=frozenset({(root, ZERO32)})),
                lambda at, s=sender, v=status, r=reason: self.registry.set_status(s, at, root, None, v, r),
                sender,
                CERTIFICATES,
                function,
                root,
                reason,
            )

    # --- the whole state, from the chain and from the model ---------------------------------------------------------

    def _status_keys(self) -> list[tuple[bytes, bytes]]:
        keys = {(root, ZERO32) for root in self.roots}
        keys |= {(d.root, d.leaf) for d in (*self.documents, *self.probes)}
        return sorted(keys)

    def _verified(self) -> list[_Document]:
        return sorted({*self.documents, *self.probes, *(_Document(r, r, ()) for r in self.roots)}, key=repr)

    def _proposal_ids(self) -> range:
        return range(self.consortium.proposal_count() + 2)

    def _observed(self) -> _State:
        """The chain's state (read once per step, in one batch)."""
        if self.seen is not None:
            return self.seen
        P, C = PARTNERS, CERTIFICATES
        calls: list[tuple[str, str, tuple[Any, ...]]] = [(P, "activeCouncilCount", ()), (P, "proposalCount", ())]
        for a in self.addresses:
            calls += [(P, "partner", (a,)), (P, "isActiveIssuer", (a,))]
            calls += [(P, "isActiveCouncil", (a,)), (P, "compromisedAfter", (a,))]
        calls += [(P, "proposal", (n,)) for n in self._proposal_ids()]
        calls += [(P, "hasVoted", (n, a)) for n in self._proposal_ids() for a in self.addresses]
        calls += [(C, "certificate", (root,)) for root in sorted(self.roots)]
        calls += [(C, "statusOf", key) for key in self._status_keys()]
        calls += [(C, "verify", (d.root, d.leaf, list(d.proof))) for d in self._verified()]
        calls += [(P, "wasActiveIssuerAt", (a, t)) for a in self.addresses for t in self.times]
        answers = iter(self.d.node.read(calls))
        state = _State(self.d.node.head_timestamp(), next(answers), next(answers))
        for a in self.addresses:
            state.partners[a] = next(answers)
            state.standing[a] = (next(answers), next(answers), next(answers))
        state.proposals = {n: next(answers) for n in self._proposal_ids()}
        state.votes = {(n, a): next(answers) for n in self._proposal_ids() for a in self.addresses}
        state.certificates = {root: next(answers) for root in sorted(self.roots)}
        state.statuses = {key: next(answers) for key in self._status_keys()}
        state.verdicts = {d: next(answers) for d in self._verified()}
        state.issuer_at = {(a, t): next(answers) for a in self.addresses for t in self.times}
        self.seen = state
        return state

    def _modelled(self) -> _State:
        """The same keys, answered by the model."""
        m, r = self.consortium, self.registry
        state = _State(self.now, m.active_council_count(), m.proposal_count())
        for a in self.addresses:
            state.partners[a] = m.partner(a).as_abi()
            state.standing[a] = (m.is_active_issuer(a), m.is_active_council(a), m.compromised_after(a))
        state.proposals = {n: m.proposal(n).as_abi() for n in self._proposal_ids()}
        state.votes = {(n, a): m.has_voted(n, a) for n in self._proposal_ids() for a in self.addresses}
        state.certificates = {root: r.certificate(root).as_abi() for root in sorted(self.roots)}
        state.statuses = {key: r.status_of(*key).as_abi() for key in self._status_keys()}
        state.verdicts = {d: r.verify(d.root, d.leaf, d.proof, self.now).as_abi() for d in self._verified()}
        state.issuer_at = {(a, t): m.was_active_issuer_at(a, t) for a in self.addresses for t in self.times}
        return state

    # --- invariants: the chain equals the model ---------------------------------------------------------------------

    @invariant()
    def chain_time_is_model_time(self) -> None:
        """Every call ran at its pinned timestamp and mined exactly one block, reverted or not."""
        assert self._observed().head_timestamp == self.now

    @invariant()
    def partners_match_model(self) -> None:
        """Every actor's record and standing, and the council count the contract keeps as a counter."""
        chain, model = self._observed(), self._modelled()
        assert chain.partners == model.partners
        assert chain.standing == model.standing
        assert chain.active_council_count == model.active_council_count

    @invariant()
    def proposals_and_votes_match_model(self) -> None:
        """Every proposal (and the unknown ids 0 and count + 1, all zero) and who voted on which."""
        chain, model = self._observed(), self._modelled()
        assert chain.proposal_count == model.proposal_count
        assert chain.proposals == model.proposals
        assert chain.votes == model.votes

    @invariant()
    def certificates_and_statuses_match_model(self) -> None:
        """Every root named in any call (issued or not) and every root or leaf status record."""
        chain, model = self._observed(), self._modelled()
        assert chain.certificates == model.certificates
        assert chain.statuses == model.statuses

    @invariant()
    def verify_matches_model(self) -> None:
        """The whole CertificateState (verdict and every field) for every document, wrong proof and bare root."""
        assert self._observed().verdicts == self._modelled().verdicts

    @invariant()
    def issuer_history_matches_model(self) -> None:
        """wasActiveIssuerAt for every actor at every block timestamp of the run, cut-offs included."""
        assert self._observed().issuer_at == self._modelled().issuer_at

    # --- invariants: structure, on the chain's state alone -----------------------------------------------------------

    @invariant()
    def an_operation_touches_only_its_own_entry(self) -> None:
        """Only the call's own partner, proposal, certificate or status record changes; a reverted call and time
        passing change nothing; so only execute() changes a partner's status, except apply (own) and leave (own)."""
        before, after, footprint = self.before, self._observed(), self.footprint
        if before is None:
            return
        changed = {
            "partners": {a for a in after.partners if after.partners[a] != before.partners[a]},
            "proposals": {n for n in before.proposals if after.proposals[n] != before.proposals[n]},
            "certificates": {r for r in before.certificates if after.certificates[r] != before.certificates[r]},
            "statuses": {k for k in before.statuses if after.statuses[k] != before.statuses[k]},
        }
        for name, keys in changed.items():
            assert keys <= getattr(footprint, name), f"{footprint.op} changed {name} {keys}"
        new_votes = {key for key in before.votes if after.votes[key] != before.votes[key]}
        assert {n for n, _ in new_votes} <= footprint.proposals, f"{footprint.op} changed votes {new_votes}"

    @invariant()
    def lifecycles_only_move_forward(self) -> None:
        """Partner statuses move only along the lifecycle (nothing leaves Expelled); no transition out of Revoked;
        issuance is write-once; votes are never withdrawn and an executed proposal never changes again."""
        before, after, op = self.before, self._observed(), self.footprint.op
        if before is None:
            return
        for a, record in after.partners.items():
            move = (before.partners[a][1], record[1])
            assert move[0] == move[1] or move in PARTNER_MOVES.get(op, set()), f"{op} moved {a} {move}"
        for key, was in before.statuses.items():
            move = (was[0], after.statuses[key][0])
            if was[0] == Status.REVOKED:
                assert after.statuses[key] == was, f"{key} left Revoked"
            elif after.statuses[key] != was:
                assert move in RECORD_MOVES, f"{op} moved {key} {move}"
        for root, was in before.certificates.items():
            assert was[0] == ZERO_ADDRESS or after.certificates[root] == was, f"{root.hex()} changed after issuance"
        for n, was in before.proposals.items():
            now = after.proposals[n]
            assert now[6] >= was[6] and now[7] >= was[7], f"votes withdrawn on {n}"
            assert not was[3] or now == was, f"executed proposal {n} changed"
        assert all(after.votes[key] for key, voted in before.votes.items() if voted), "a vote disappeared"


def test_random_operation_sequences_match_the_model(
    partner_registry: ContractInstance,
    certificate_registry: ContractInstance,
    founders: list[AccountAPI],
    accounts: Sequence[AccountAPI],
    chain: ChainManager,
) -> None:
    """Both registries behave like the model under any sequence of calls, valid or not, by anyone, at any time."""
    node = _Node(
        chain.provider.web3.provider.endpoint_uri,
        {PARTNERS: partner_registry, CERTIFICATES: certificate_registry},
    )
    deployment = _Deployment(
        actors=tuple(accounts[i].address for i in range(ACTOR_COUNT)),
        founders=founder_tuples(founders),
        deployed_at=partner_registry.creation_metadata.receipt.timestamp,
        chain=chain,
        node=node,
    )
    try:
        run_state_machine_as_test(lambda: RegistriesMachine(deployment), settings=SETTINGS)
    finally:
        node.close()
    # The comparisons above only mean something if the calls got somewhere: every kind of call must have succeeded
    # at least once, and a broad range of custom errors must have been predicted and matched.
    succeeded = {
        SUCCESS_GROUPS.get(function, function) for (function, outcome) in deployment.outcomes if outcome == "ok"
    }
    errors = {outcome for (_, outcome) in deployment.outcomes if outcome != "ok"}
    assert succeeded >= set(SUCCESS_GROUPS.values()), f"no successful {set(SUCCESS_GROUPS.values()) - succeeded}"
    assert len(errors) >= MIN_DISTINCT_ERRORS, f"only {len(errors)} distinct custom errors: {sorted(errors)}"
