"""The projector's central promise, as a Hypothesis property on SQLite and PostgreSQL.

Derived tables are a pure function of the events: any history, projected in any batch split, with any rollback to an
ancestor block followed by the replay of what lies above it, gives the tables of projecting the canonical history
once. The rollback comes in the two shapes the sync loop produces: the same events come back (a retried range), or
an orphaned branch was projected first and the canonical one replaces it (a reorg).

Histories are built from the event records directly, over a few partners, proposals, certificate ids (two issuers of
the same roots), leaves and fingerprints so entities and keys collide often (a leaf published twice, with the same or
another fingerprint), with synthetic block numbers (gaps allowed), block and transaction hashes and per-block log
indexes in chain order. They are plausible rather than contract-exact: each event fits the state its entity is in (a
status change follows a registration, a vote follows a proposal, a status change follows an issuance), which is all
the projector may assume.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_hash.auto import keccak
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from support.indexer_tables import Dump, dump_projection, project, reset_tables, rollback

from ledger.events import (
    ZERO_HASH,
    CertificateIssued,
    CertificateReinstated,
    CertificateRevoked,
    CertificateSuspended,
    DetailsProposed,
    DocumentPublished,
    Event,
    PartnerCompromised,
    PartnerDetailsChanged,
    PartnerRegistered,
    PartnerRightsChanged,
    PartnerStatus,
    PartnerStatusChanged,
    ProposalCreated,
    ProposalExecuted,
    ProposalKind,
    VoteCast,
)
from ledger.indexer.decode import DecodedLog

CHAIN_ID = 31337
PARTNER_REGISTRY = "0x" + "aa" * 20
CERTIFICATE_REGISTRY = "0x" + "bb" * 20
FIRST_BLOCK = 100
GENESIS_TIME = 1_767_225_600
EXAMPLES = {"sqlite": 60, "postgresql": 25}


def h32(*parts: object) -> str:
    return "0x" + keccak(":".join(map(str, parts)).encode()).hex()


PARTNERS = [f"0x{i:040x}" for i in range(1, 5)]
ROOTS = [h32("root", i) for i in range(2)]
ISSUANCES = [(issuer, root) for issuer in PARTNERS[:2] for root in ROOTS]
"""(issuer, root) pairs: four certificate ids over two roots."""
LEAVES = [h32("leaf", i) for i in range(3)]
FINGERPRINTS = [h32("fingerprint", i) for i in range(3)]
STATUSES = [PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, PartnerStatus.EXPELLED, PartnerStatus.LEFT]


@dataclass
class Model:
    """Just enough chain state to keep generated events plausible."""

    partners: dict[str, tuple[int, int]] = field(default_factory=dict)
    """address -> (status, rights)"""
    proposals: dict[int, tuple[set[str], int, int, bool]] = field(default_factory=dict)
    """id -> (voters, yes, no, executed)"""
    certificates: dict[tuple[str, str], str] = field(default_factory=dict)
    """(issuer, root) -> mode"""
    next_proposal: int = 1


Draw = Callable[..., Any]


def _register(draw: Draw, m: Model, at: int) -> list[Event]:
    account = draw(st.sampled_from([p for p in PARTNERS if m.partners.get(p, (0, 0))[0] in (0, PartnerStatus.LEFT)]))
    previous, rights = m.partners.get(account, (PartnerStatus.NONE, 0))
    m.partners[account] = (PartnerStatus.APPLIED, rights)
    name = draw(st.sampled_from(["Mill", "Bank", "Town", "Ünïcode ✓"]))
    return [
        PartnerRegistered(account, draw(st.integers(0, 7)), name, f"{name[:4].lower()}.example", h32("meta", at)),
        PartnerStatusChanged(account, previous, PartnerStatus.APPLIED, 0, at),
    ]


def _status(draw: Draw, m: Model, at: int) -> list[Event]:
    account = draw(st.sampled_from(sorted(m.partners)))
    previous, rights = m.partners[account]
    status = draw(st.sampled_from(STATUSES))
    proposal = draw(st.integers(0, m.next_proposal))
    events: list[Event] = []
    if status == PartnerStatus.EXPELLED and draw(st.booleans()):
        events.append(PartnerCompromised(account, draw(st.integers(1, at)), proposal))
    events.append(PartnerStatusChanged(account, previous, status, proposal, at))
    if status in (PartnerStatus.EXPELLED, PartnerStatus.LEFT) and rights:
        events.append(PartnerRightsChanged(account, rights, 0, proposal, at))
        rights = 0
    m.partners[account] = (status, rights)
    return events


def _details(draw: Draw, m: Model, at: int) -> list[Event]:
    account = draw(st.sampled_from(sorted(m.partners)))
    name = draw(st.sampled_from(["Mill Renamed", "Bänk ✓"]))
    proposal = draw(st.integers(1, m.next_proposal))
    return [PartnerDetailsChanged(account, draw(st.integers(0, 7)), name, "new.example", h32("meta", at), proposal, at)]


def _rights(draw: Draw, m: Model, at: int) -> list[Event]:
    account = draw(st.sampled_from(sorted(m.partners)))
    status, previous = m.partners[account]
    rights = draw(st.integers(0, 3))
    m.partners[account] = (status, rights)
    return [PartnerRightsChanged(account, previous, rights, draw(st.integers(0, m.next_proposal)), at)]


def _propose(draw: Draw, m: Model, at: int) -> list[Event]:
    pid = m.next_proposal
    m.next_proposal += 1
    kind = draw(st.sampled_from(list(ProposalKind)))
    proposer = draw(st.sampled_from(PARTNERS))
    cutoff = draw(st.integers(1, at)) if kind == ProposalKind.EXPEL and draw(st.booleans()) else 0
    m.proposals[pid] = ({proposer}, 1, 0, False)
    target = draw(st.sampled_from([ZERO_HASH, h32("target", pid)]))
    leaf = draw(st.sampled_from([ZERO_HASH, *LEAVES]))
    council = draw(st.integers(1, 4))
    events: list[Event] = [
        ProposalCreated(
            pid,
            kind,
            draw(st.sampled_from([*PARTNERS, CERTIFICATE_REGISTRY])),
            proposer,
            draw(st.integers(0, 3)),
            cutoff,
            at + 7,
            target,
            leaf,
            draw(st.integers(0, 65535)),
            council,
        ),
        VoteCast(pid, proposer, True, 1, 0),
    ]
    if kind == ProposalKind.CHANGE_DETAILS:
        events.append(DetailsProposed(pid, draw(st.integers(0, 7)), "Proposed ✓", "p.example", h32("meta", pid)))
    return events


def _vote(draw: Draw, m: Model, at: int) -> list[Event]:
    open_ = sorted(pid for pid, (voters, _, _, done) in m.proposals.items() if not done and len(voters) < 4)
    pid = draw(st.sampled_from(open_))
    voters, yes, no, done = m.proposals[pid]
    voter = draw(st.sampled_from([p for p in PARTNERS if p not in voters]))
    support = draw(st.booleans())
    yes, no = (yes + 1, no) if support else (yes, no + 1)
    m.proposals[pid] = (voters | {voter}, yes, no, done)
    return [VoteCast(pid, voter, support, yes, no)]


def _execute(draw: Draw, m: Model, at: int) -> list[Event]:
    pid = draw(st.sampled_from(sorted(pid for pid, (_, _, _, done) in m.proposals.items() if not done)))
    voters, yes, no, _ = m.proposals[pid]
    m.proposals[pid] = (voters, yes, no, True)
    return [ProposalExecuted(pid, draw(st.sampled_from(PARTNERS)), yes, draw(st.integers(1, 3)))]


def _issue(draw: Draw, m: Model, at: int) -> list[Event]:
    issuer, root = draw(st.sampled_from([pair for pair in ISSUANCES if pair not in m.certificates]))
    mode = draw(st.sampled_from(["single", "batch", "batch_public"]))
    m.certificates[issuer, root] = mode
    until = draw(st.sampled_from([0, at + 1000]))
    fingerprint = draw(st.sampled_from(FINGERPRINTS)) if mode == "single" else ZERO_HASH
    certificate_id = _id(issuer, root)
    events: list[Event] = [CertificateIssued(certificate_id, issuer, fingerprint, root, at, until)]
    if mode == "batch_public":  # at least two documents; a leaf may come twice, with any fingerprint
        pairs = st.tuples(st.sampled_from(LEAVES), st.sampled_from(FINGERPRINTS))
        documents = draw(st.lists(pairs, min_size=2, max_size=4))
        events += [DocumentPublished(leaf, fp, certificate_id) for leaf, fp in documents]
    return events


def _id(issuer: str, root: str) -> str:
    return "0x" + keccak(bytes(12) + bytes.fromhex(issuer[2:]) + bytes.fromhex(root[2:])).hex()


def _certificate_status(draw: Draw, m: Model, at: int) -> list[Event]:
    issuer, root = draw(st.sampled_from(sorted(m.certificates)))
    single = m.certificates[issuer, root] == "single"
    leaf = draw(st.sampled_from([ZERO_HASH, root] if single else [ZERO_HASH, *LEAVES]))
    kind = draw(st.sampled_from([CertificateRevoked, CertificateSuspended, CertificateReinstated]))
    by = draw(st.sampled_from([*PARTNERS, PARTNER_REGISTRY]))
    return [kind(_id(issuer, root), leaf, by, draw(st.integers(0, 65535)), at, by != issuer)]


Action = Callable[[Draw, Model, int], list[Event]]


def _actions(m: Model) -> list[Action]:
    """The actions that fit the current state."""
    actions: list[Action] = []
    if any(m.partners.get(p, (0, 0))[0] in (0, PartnerStatus.LEFT) for p in PARTNERS):
        actions.append(_register)
    if m.partners:
        actions += [_status, _rights, _details]
    actions.append(_propose)
    if any(not done and len(voters) < 4 for voters, _, _, done in m.proposals.values()):
        actions.append(_vote)
    if any(not done for _, _, _, done in m.proposals.values()):
        actions.append(_execute)
    if len(m.certificates) < len(ISSUANCES):
        actions.append(_issue)
    if m.certificates:
        actions.append(_certificate_status)
    return actions


def _address(event: Event) -> str:
    certificate_events = (
        CertificateIssued,
        DocumentPublished,
        CertificateRevoked,
        CertificateSuspended,
        CertificateReinstated,
    )
    return CERTIFICATE_REGISTRY if isinstance(event, certificate_events) else PARTNER_REGISTRY


def _chain(
    draw: Draw, m: Model, branch: str, first_block: int, transactions: int
) -> tuple[list[DecodedLog], dict[int, Model]]:
    """``transactions`` transactions on ``branch`` from ``first_block``, one or more a block, gaps between blocks.

    Returns the logs and the model state after each block (by block number), for forking.
    """
    logs: list[DecodedLog] = []
    states: dict[int, Model] = {}
    block, tx_in_block, log_index = first_block, 0, 0
    for n in range(transactions):
        if n and draw(st.booleans()):  # next block, possibly after empty ones
            states[block] = copy.deepcopy(m)
            block += draw(st.integers(1, 3))
            tx_in_block, log_index = 0, 0
        at = GENESIS_TIME + 12 * block
        action = draw(st.sampled_from(_actions(m)))
        tx_hash = h32("tx", branch, block, tx_in_block)
        for event in action(draw, m, at):
            logs.append(DecodedLog(event, _address(event), block, h32("block", branch, block), tx_hash, log_index))
            log_index += 1
        tx_in_block += 1
    states[block] = copy.deepcopy(m)
    return logs, states


@dataclass(frozen=True)
class History:
    canonical: list[DecodedLog]
    ancestor: int
    """Block to roll back to; the canonical logs up to it are shared with the orphan branch."""
    orphan: list[DecodedLog] | None
    """Logs above ``ancestor`` projected before the rollback instead of the canonical ones (a reorg); None when the
    same canonical logs come back."""


@st.composite
def histories(draw: Draw) -> History:
    model = Model()
    canonical, states = _chain(draw, model, "canonical", FIRST_BLOCK, draw(st.integers(0, 24)))
    last = canonical[-1].block_number if canonical else FIRST_BLOCK
    ancestor = draw(st.integers(FIRST_BLOCK - 1, last))
    orphan = None
    if draw(st.booleans()):
        fork_states = [number for number in states if number <= ancestor]
        state = copy.deepcopy(states[max(fork_states)]) if fork_states else Model()
        orphan, _ = _chain(draw, state, "orphan", ancestor + 1, draw(st.integers(0, 8)))
    return History(canonical, ancestor, orphan)


def split(draw: Draw, logs: list[DecodedLog]) -> list[list[DecodedLog]]:
    """Any split of ``logs`` into consecutive batches (cuts may fall inside a block or a transaction)."""
    if len(logs) < 2:
        return [logs] if logs else []
    cuts = sorted(draw(st.sets(st.integers(1, len(logs) - 1), max_size=len(logs) - 1)))
    bounds = [0, *cuts, len(logs)]
    return [logs[a:b] for a, b in itertools.pairwise(bounds)]


def projected(engine: Engine, batches: list[list[DecodedLog]]) -> Dump:
    reset_tables(engine)
    project(engine, CHAIN_ID, batches)
    return dump_projection(engine)


def test_any_split_and_any_rollback_and_replay_give_the_tables_of_one_canonical_pass(db_engine: Engine) -> None:
    @settings(
        max_examples=EXAMPLES[db_engine.dialect.name],
        deadline=None,
        # Each example projects four times into a real database; the engine is shared by the examples (they empty
        # the tables before each projection), so Hypothesis's function-scoped-fixture concern does not arise.
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(history=histories(), data=st.data())
    def check(history: History, data: st.DataObject) -> None:
        canonical = history.canonical
        below = [item for item in canonical if item.block_number <= history.ancestor]
        above = [item for item in canonical if item.block_number > history.ancestor]
        note(f"{len(canonical)} canonical logs, ancestor {history.ancestor}, orphan: {history.orphan is not None}")
        expected = projected(db_engine, [canonical])
        prefix = projected(db_engine, [below])

        first = below + (history.orphan if history.orphan is not None else above)
        batches = split(data.draw, first)
        note(f"first pass in batches of {[len(batch) for batch in batches]}")
        first_pass = projected(db_engine, batches)
        if history.orphan is None:
            assert first_pass == expected, "a batch split changed the tables"

        rollback(db_engine, CHAIN_ID, history.ancestor)
        assert dump_projection(db_engine) == prefix, "rollback left other tables than the events up to the ancestor"

        replay = split(data.draw, above)
        note(f"replay in batches of {[len(batch) for batch in replay]}")
        project(db_engine, CHAIN_ID, replay)
        assert dump_projection(db_engine) == expected, "rollback and replay changed the tables"

    check()
