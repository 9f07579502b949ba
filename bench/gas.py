"""Gas of every state-changing contract function, measured on a private anvil with the Prague rules.

Run through ``make bench-gas`` (it compiles first). The script starts its own anvil on a free port
(``--hardfork prague``, a fixed genesis time and a fixed 12 s between blocks, so every run executes the same bytes in
the same state), deploys PartnerRegistry, CertificateRegistry and ProvenanceRegistry from ape's compiled manifest,
runs the scenarios of ``_gas_scenarios.py`` and ``_gas_provenance.py``, and stops the node, also when something
fails. It writes:

- ``bench/results/gas.json``: a flat object, operation -> receipt ``gasUsed`` (21,000 base + calldata + execution),
  with ``<function>_min/_median/_max`` over every call made of each external function;
- the Gas section of ``docs/benchmarks.md`` (only the text between its markers; other sections are left alone).

Development tooling only: it reads ``.build/`` and needs the project venv (web3), never the runtime packages' data.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import web3
from _gas_provenance import provenance
from _gas_scenarios import Bench, BenchError, Call, run_all
from _gas_signed import signed_actions, signed_provenance
from web3 import Web3

from devtools.toolchain import PROJECT_ROOT, Toolchain

MANIFEST = PROJECT_ROOT / ".build" / "__local__.json"
RESULTS = PROJECT_ROOT / "bench" / "results" / "gas.json"
DOCS = PROJECT_ROOT / "docs" / "benchmarks.md"
SCRATCH = PROJECT_ROOT / "bench" / ".scratch"
CONTRACTS = ("PartnerRegistry", "CertificateRegistry", "ProvenanceRegistry")
HARDFORK = "prague"
GENESIS_TIMESTAMP = 1_767_225_600  # 2026-01-01T00:00:00Z
BLOCK_INTERVAL = 12
BATCH_SIZES = (2, 16, 1024)
# Functions no account can call successfully by itself: measured inside the transaction that calls them.
CALLED_BY_CONTRACTS = {
    "applyCouncilDecision": "only the partner registry calls it, inside `execute` of a council decision "
    "(`execute_revoke_leaf`, `execute_lift_leaf`, ...)",
    "setStanding": "only the partner registry calls it: the certificate registry's (its standing mirror) whenever a "
    "partner's standing changes, inside its constructor (the founders), `execute` (`execute_admission`, "
    "`execute_suspend`, ...) and `leave`; the provenance registry's (its standing cache) only when a partner loses "
    "standing (`execute_suspend`, `execute_expel`, `leave`, ...)",
}
BEGIN = "<!-- gas:begin (written by bench/gas.py from bench/results/gas.json: edit the script, not this text) -->"
END = "<!-- gas:end -->"


# --------------------------------------------------------------------------------------------------- the devnet
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def anvil(binary: Path, log_path: Path) -> Iterator[Web3]:
    """A fresh anvil for this run only; stopped on the way out, whatever happened."""
    if not binary.is_file():
        raise BenchError(f"{binary} is missing: run `make setup`")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(3):
        port = free_port()
        command = [
            str(binary),
            *("--host", "127.0.0.1", "--port", str(port)),
            *("--hardfork", HARDFORK, "--timestamp", str(GENESIS_TIMESTAMP), "--accounts", "20"),
            "--steps-tracing",  # opcode traces for the gas breakdown; no effect on gas
        ]
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 120}))
            deadline = time.monotonic() + 20
            while process.poll() is None and time.monotonic() < deadline and not w3.is_connected():
                time.sleep(0.05)
            if process.poll() is not None:
                continue  # most likely the port was taken between free_port() and the bind: try another
            if not w3.is_connected():
                raise BenchError(f"anvil did not answer on port {port} within 20 s (log: {log_path})")
            _rpc(w3, "anvil_setBlockTimestampInterval", [BLOCK_INTERVAL])
            yield w3
            return
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    raise BenchError(f"anvil exited at start three times (log: {log_path})")


def _rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    response = w3.provider.make_request(method, params)  # type: ignore[arg-type]
    if "error" in response:
        raise BenchError(f"{method} failed: {response['error']}")
    return response["result"]


# ------------------------------------------------------------------------------------------------- the contracts
def load_artifacts() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """ABIs and creation bytecode from ape's manifest, refusing a manifest older than the sources on disk."""
    if not MANIFEST.is_file():
        raise BenchError(f"{MANIFEST} is missing: run `ape compile` (or `make bench-gas`)")
    manifest = json.loads(MANIFEST.read_text())
    for source_id, source in manifest["sources"].items():
        path = PROJECT_ROOT / source_id
        if not path.is_file() or path.read_text() != source.get("content"):
            raise BenchError(f"{source_id} changed since the last compile: run `ape compile` (or `make bench-gas`)")
    artifacts = {
        name: {
            "abi": manifest["contractTypes"][name]["abi"],
            "bytecode": manifest["contractTypes"][name]["deploymentBytecode"]["bytecode"],
        }
        for name in CONTRACTS
    }
    compiler = next(c for c in manifest["compilers"] if set(CONTRACTS) <= set(c["contractTypes"]))
    return artifacts, compiler


def state_changing_functions(artifacts: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Contract -> names of its external functions that are neither view nor pure."""
    return {
        name: [
            entry["name"]
            for entry in artifact["abi"]
            if entry["type"] == "function" and entry["stateMutability"] in ("nonpayable", "payable")
        ]
        for name, artifact in artifacts.items()
    }


# --------------------------------------------------------------------------------------------------- the results
def summarize(bench: Bench, functions: dict[str, list[str]]) -> dict[str, int | float]:
    """The flat gas.json object: the named figures, per-document figures, and min/median/max per function."""
    result: dict[str, int | float] = dict(bench.named)
    for size in BATCH_SIZES:
        for mode in ("anchor", "public"):
            key = f"issue_batch_{mode}_{size}"
            result[f"{key}_per_doc"] = round(bench.named[key] / size, 1)
    for contract, names in functions.items():
        for name in names:
            if name in CALLED_BY_CONTRACTS:
                continue
            gases = [call.gas for call in bench.calls if call.function == name]
            if not gases:
                raise BenchError(f"no scenario calls {contract}.{name}: every state-changing function is measured")
            result[f"{name}_min"] = min(gases)
            result[f"{name}_median"] = statistics.median_low(gases)
            result[f"{name}_max"] = max(gases)
    return result


@dataclass(frozen=True)
class Breakdown:
    """Where the gas of one transaction without external calls goes, from its input bytes and an opcode trace."""

    gas_used: int
    calldata_bytes: int
    calldata: int
    proof_calldata: int
    sloads: tuple[int, ...]
    """The cost of each SLOAD in execution order (2,100 cold, 100 warm)."""
    sstores: tuple[int, ...]
    log: int
    keccak: int
    calls: tuple[int, ...]
    """The cost of each call into another contract (the partner registry), the callee's execution included."""

    @property
    def other(self) -> int:
        """Everything else the execution costs: stack, memory, jumps, the proof loop."""
        return (
            self.gas_used
            - 21_000
            - self.calldata
            - sum(self.sloads)
            - sum(self.sstores)
            - self.log
            - self.keccak
            - sum(self.calls)
        )


def calldata_gas(data: bytes) -> int:
    """EIP-2028 calldata cost: 4 per zero byte, 16 per non-zero byte."""
    return sum(4 if byte == 0 else 16 for byte in data)


def breakdown(w3: Web3, tx_hash: str, proof_length: int) -> Breakdown:
    """Split one transaction's gas into base, calldata, storage, log, hashing and the rest.

    The proof is the last dynamic argument of the revoke/suspend/reinstate functions, so its hashes are the input's
    last ``32 * proof_length`` bytes. Refunds and the EIP-7623 calldata floor do not apply to these transactions;
    the check at the end proves it (the parts must add up to ``gasUsed``).
    """
    tx = w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
    data = bytes(tx["input"])
    trace = _rpc(w3, "debug_traceTransaction", [tx_hash, {"disableMemory": True, "disableStack": True}])
    if not trace.get("structLogs"):
        raise BenchError(f"debug_traceTransaction({tx_hash}) returned no opcode steps (anvil needs --steps-tracing)")
    by_op: dict[str, list[int]] = {}
    steps = trace["structLogs"]
    for i, step in enumerate(steps):
        if step.get("depth", 1) != 1:
            continue  # a callee's steps: counted once, in the total cost of the call that entered it
        if step["op"] in ("CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"):
            # The whole call (its own cost plus everything the callee used): gas before it minus gas at the next
            # step of this frame. Counted under the call's opcode: the "calls" of the breakdown.
            after = next((s for s in steps[i + 1 :] if s.get("depth", 1) == 1), None)
            cost = int(step["gas"]) - int(after["gas"]) if after is not None else int(step["gasCost"])
            by_op.setdefault(step["op"], []).append(cost)
            continue
        by_op.setdefault(step["op"], []).append(int(step["gasCost"]))
    result = Breakdown(
        gas_used=int(w3.eth.get_transaction_receipt(tx_hash)["gasUsed"]),  # type: ignore[arg-type]
        calldata_bytes=len(data),
        calldata=calldata_gas(data),
        proof_calldata=calldata_gas(data[len(data) - 32 * proof_length :]),
        sloads=tuple(by_op.get("SLOAD", [])),
        sstores=tuple(by_op.get("SSTORE", [])),
        log=sum(sum(costs) for op, costs in by_op.items() if op.startswith("LOG")),
        keccak=sum(by_op.get("KECCAK256", [])),
        calls=tuple(cost for op in ("CALL", "STATICCALL", "DELEGATECALL", "CALLCODE") for cost in by_op.get(op, [])),
    )
    execution = sum(sum(costs) for costs in by_op.values())
    if result.gas_used != 21_000 + result.calldata + execution:
        raise BenchError(f"{tx_hash}: gasUsed {result.gas_used} is not base + calldata + traced execution")
    return result


def write_json(result: dict[str, int | float], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")


# ------------------------------------------------------------------------------------------------------ the docs
DOC_HEADER = """# Benchmarks

What the project measures, against which targets, and the latest results. Each section below is written by its
benchmark script, between its markers, from the JSON result it also writes under `bench/results/`; re-running one
benchmark refreshes only its own section, and text outside the markers is kept.

## How to run

| benchmark | command | writes |
|---|---|---|
| gas of every contract operation | `make bench-gas` | `bench/results/gas.json`, section [Gas](#gas) |

Benchmarks are not tests: nothing asserts a figure. Speed figures are the median of at least three runs after a
warm-up, each also given as a ratio against a ceiling measured in the same run (machines here are shared and noisy).
Gas is deterministic, so one run suffices for it.

"""

# The same scenarios on the v1 contracts (main at 19ee818, bench/results/gas.json of 2026-11-21), for the table of
# what trust model v2 changed and why. v1 let one council member revoke, reinstate and suspend directly.
V1: dict[str, int] = {
    "issue_single": 53_635,
    "issue_batch_anchor_1024": 53_144,
    "issue_batch_public_1024": 2_993_391,
    "revoke_leaf": 64_657,
    "revoke_leaf_batch_2": 58_012,
    "revoke_leaf_after_suspend": 47_569,
    "revoke_root": 55_964,
    "suspend_leaf": 64_797,
    "reinstate_leaf": 49_349,
    "reinstate_root": 40_743,
    "suspend_leaf_by_council": 64_910,
    "suspend_root_by_council": 56_326,
    "propose": 105_724,
    "vote": 57_124,
    "vote_no": 57_102,
    "execute_admission": 93_422,
    "execute_admission_council": 96_504,
    "execute_suspend": 73_725,
    "apply": 121_883,
    "grant_rights_decision_total": 309_486,
    "deploy_PartnerRegistry": 2_428_887,
    "deploy_CertificateRegistry": 1_250_971,
}
# The same scenarios on contract version 2 (main at b56f77a, 2026-12-07), before the standing mirror.
V2: dict[str, int] = {
    "issue_single": 54_212,
    "issue_batch_anchor_1024": 53_706,
    "issue_batch_public_1024": 2_985_755,
    "revoke_leaf": 67_035,
    "revoke_leaf_batch_2": 60_253,
    "revoke_leaf_after_suspend": 49_922,
    "revoke_root": 57_589,
    "suspend_leaf": 67_065,
    "reinstate_leaf": 50_171,
    "reinstate_root": 40_770,
    "suspend_leaf_by_council": 66_040,
    "suspend_root_by_council": 56_680,
    "propose": 111_803,
    "vote": 36_929,
    "vote_no": 54_121,
    "execute_admission": 101_291,
    "execute_admission_council": 110_302,
    "execute_suspend": 77_292,
    "apply": 145_042,
    "grant_rights_decision_total": 254_606,
    "deploy_PartnerRegistry": 3_476_341,
    "deploy_CertificateRegistry": 1_524_151,
}
# Why each figure moved (key -> reason), in the order of the table.
V2_REASONS: list[tuple[str, str]] = [
    (
        "issue_single",
        "v2: the id is computed (keccak256 of issuer and root) and returned; CertificateIssued carries the id as a "
        "topic and the root as one more data word. v3: the issuer's standing is one read of the registry's own copy "
        "(the standing mirror) instead of a cold call to the partner registry",
    ),
    ("issue_batch_anchor_1024", "as `issue`: the id hash, the root as a data word; v3 the mirrored standing"),
    (
        "issue_batch_public_1024",
        "DocumentPublished(leaf, fingerprint; id) logs the leaf as a topic straight from calldata and keeps the id in "
        "scratch memory once, where v1 stored each leaf in memory as the data word: ~7 gas less per document",
    ),
    (
        "revoke_leaf",
        "v2: the key is checked on every change (active issuer, then its cut-off: a cold call and a warm one), the "
        "proof is checked by hashing the issuer with the root it leads to, the event carries byCouncil. v3: standing "
        "and cut-off are one read of the mirror (2,100 instead of 6,167 for two calls), the certificate is read once, "
        "the status record is written by one SSTORE, the proof loop is branch-free, and the IR pipeline compiles it",
    ),
    ("revoke_leaf_batch_2", "as `revoke_leaf`"),
    ("revoke_leaf_after_suspend", "as `revoke_leaf`"),
    ("revoke_root", "the frozen-key check and the byCouncil data word (no proof); v3 as `revoke_leaf`"),
    ("suspend_leaf", "as `revoke_leaf`"),
    ("reinstate_leaf", "the proof against the id, the byCouncil data word; v3 as `revoke_leaf`"),
    ("reinstate_root", "the byCouncil data word; v3 the mirrored standing"),
    (
        "suspend_leaf_by_council",
        "a council member's hold: the member's right is checked after the issuer test fails; byCouncil in the event",
    ),
    ("suspend_root_by_council", "as the hold on a document, without a proof"),
    (
        "propose",
        "an Admit binds the applicant's details hash (one more slot), the proposal stores the council size, and "
        "ProposalCreated has four more data words (target, leaf, reason, council size); the proposer's vote is a bit "
        "in the yes bitmap instead of a hasVoted slot",
    ),
    (
        "vote",
        "a vote is one bit in the proposal's yes or no bitmap of council seats instead of a new hasVoted slot (20,000) "
        "per voter; the first no vote still creates the no bitmap's slot",
    ),
    ("vote_no", "the first no vote writes the no bitmap's slot for the first time"),
    (
        "execute_admission",
        "v2: the details hash bound at proposal time is compared with the applicant's (two cold reads), the counted "
        "votes are the yes bitmap AND the active-council bitmap, ProposalExecuted has two more data words. v3: the "
        "new standing is pushed to the certificate registry (a call and a new slot, ~25,000), paid for by an issuer "
        "history whose length lives in the partner's first slot (one new slot per change instead of two)",
    ),
    ("execute_admission_council", "as above, plus the new member's council seat and the active-council bitmap"),
    ("execute_suspend", "the vote counting against the larger council; v3 the push to the mirror (an update)"),
    ("apply", "the details hash is computed and stored at registration (a new slot)"),
    ("grant_rights_decision_total", "cheaper votes (bitmaps)"),
    ("deploy_PartnerRegistry", "details, seats and bitmaps, three propose functions, council decisions; v3 IR"),
    ("deploy_CertificateRegistry", "ids, the authority rules, council decisions; v3 the mirror, IR"),
]

# Anchor figures of other systems on the same EVM rules (Prague), incl. the 21,000 base cost and calldata.
ANCHORS: list[tuple[str, str, str]] = [
    ("EAS", "`attest`, one bytes32 field", "200,272"),
    ("EAS", "`attest`, 4 fields incl. a URI", "362,616"),
    ("EAS", "`multiAttest`, per attestation", "~166,000"),
    ("OpenAttestation DocumentStore v4", "`issue(root)` (one doc or any Merkle batch)", "48,168"),
    ("OpenAttestation DocumentStore v4", "`revoke(root, leaf, proof)`", "62,448-65,824"),
    ("bloxberg CertificateStore", "`issue_hash`", "46,127"),
    ("TradeTrust token registry", "`mint`", "282,431"),
    ("soulbound ERC-721 (OA TransferableDocumentStore)", "`issue`", "99,675"),
    ("OpenZeppelin AccessControl", "`grantRole`", "51,337"),
]


def _n(value: float) -> str:
    return f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"


def _sum(parts: tuple[int, ...]) -> str:
    return " + ".join(_n(part) for part in parts)


def _paragraph(text: str) -> list[str]:
    return textwrap.wrap(text, width=118, break_on_hyphens=False)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def _met(value: float, limit: float) -> str:
    return "met" if value <= limit else "**not met**"


@dataclass(frozen=True)
class Environment:
    date: str
    machine: str
    python: str
    web3: str
    solc: str
    anvil: str

    @classmethod
    def capture(cls, anvil_binary: Path, compiler: dict[str, Any]) -> Environment:
        cpu = "unknown CPU"
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        version = subprocess.run([str(anvil_binary), "--version"], capture_output=True, text=True, check=True)
        settings = compiler.get("settings", {})
        optimizer = settings.get("optimizer", {})
        optimized = f"optimizer {optimizer.get('runs')} runs" if optimizer.get("enabled") else "optimizer off"
        return cls(
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            machine=f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
            python=platform.python_version(),
            web3=web3.__version__,
            solc=f"solc {compiler['version']}, EVM version {settings.get('evmVersion', '?')}, {optimized}",
            anvil=version.stdout.splitlines()[0].replace("Version: ", "").strip(),
        )


def render(
    result: dict[str, int | float],
    calls: list[Call],
    functions: dict[str, list[str]],
    breakdowns: dict[str, Breakdown],
    env: Environment,
) -> str:
    """The Gas section of docs/benchmarks.md."""
    r = result
    lines = [
        "## Gas",
        "",
        f"Measured {env.date} by `make bench-gas` (`bench/gas.py`). Each figure is a receipt's `gasUsed`: the 21,000",
        "base cost, calldata and execution, after refunds. The script starts its own anvil with the **Prague** rules",
        f"(`--hardfork {HARDFORK}`, fixed genesis time, {BLOCK_INTERVAL} s between blocks), deploys the three",
        "contracts (three founders with ISSUER | COUNCIL, as in the contract tests), and runs realistic scenarios of",
        "every state-changing function from anvil's dev accounts (`bench/_gas_scenarios.py`,",
        "`bench/_gas_provenance.py`). Gas is deterministic: two",
        "runs give the same `bench/results/gas.json` byte for byte, so one run suffices.",
        "",
        f"- machine: {env.machine} (gas does not depend on it)",
        f"- compiler: {env.solc}; node: {env.anvil}",
        f"- Python {env.python}, web3 {env.web3}",
        "",
        "### Every external function",
        "",
        "Min, median (the lower middle value for an even count) and max over all calls the scenarios make; the",
        "cheapest and the dearest call are named.",
        "",
        "| contract | function | calls | min | median | max | cheapest call | dearest call |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for contract, names in functions.items():
        for name in names:
            if name in CALLED_BY_CONTRACTS:
                lines.append(f"| {contract} | `{name}` | - | - | - | - | {_cell(CALLED_BY_CONTRACTS[name])} | |")
                continue
            made = [call for call in calls if call.function == name]
            cheapest = min(made, key=lambda call: call.gas)
            dearest = max(made, key=lambda call: call.gas)
            lines.append(
                f"| {contract} | `{name}` | {len(made)} | {_n(r[f'{name}_min'])} | {_n(r[f'{name}_median'])} "
                f"| {_n(r[f'{name}_max'])} | {_cell(cheapest.scenario)} | {_cell(dearest.scenario)} |"
            )
    deploys = ", ".join(f"{name} {_n(r[f'deploy_{name}'])}" for name in functions)
    lines += ["", f"Deployment: {deploys}.", ""]

    votes = [call.gas for call in calls if call.function == "vote"]
    admissions = [r["execute_admission"], r["execute_admission_no_rights"], r["execute_admission_council"]]
    lines += [
        "### Targets",
        "",
        "| target | limit | ours | scenario | result |",
        "|---|---:|---:|---|---|",
        f"| single certificate with a public fingerprint | 55,000 | {_n(r['issue_single'])} "
        f"| `issue` with an expiry (`issue_single`); {_n(r['issue_single_no_expiry'])} without "
        f"| {_met(r['issue_single'], 55_000)} |",
        f"| Merkle batch anchor, 1,024 documents, per document | 60 | {_n(r['issue_batch_anchor_1024_per_doc'])} "
        f"| `issueBatch` | {_met(r['issue_batch_anchor_1024_per_doc'], 60)} |",
        f"| Merkle batch anchor, 1,024 documents, per batch | 61,000 | {_n(r['issue_batch_anchor_1024'])} "
        f"| `issueBatch` | {_met(r['issue_batch_anchor_1024'], 61_000)} |",
        f"| batch with public fingerprints, 1,024 documents, per document | 3,000 "
        f"| {_n(r['issue_batch_public_1024_per_doc'])} | `issueBatchPublic` ({_n(r['issue_batch_public_1024'])} "
        f"per batch) | {_met(r['issue_batch_public_1024_per_doc'], 3_000)} |",
        f"| revoke one document of a 1,024 batch | 60,000 | {_n(r['revoke_leaf'])} "
        f"| `revokeDocument` by its issuer, 10-hash proof | {_met(r['revoke_leaf'], 60_000)} |",
        f"| suspend one document of a 1,024 batch | 60,000 | {_n(r['suspend_leaf'])} "
        f"| `suspendDocument` by its issuer, 10-hash proof (a council member's hold "
        f"{_n(r['suspend_leaf_by_council'])}) | {_met(max(r['suspend_leaf'], r['suspend_leaf_by_council']), 60_000)} |",
        f"| revoke one document of a batch of 16 | 60,000 | {_n(r['revoke_leaf_batch_16'])} "
        f"| `revokeDocument`, 4-hash proof | {_met(r['revoke_leaf_batch_16'], 60_000)} |",
        f"| revoke one document of a batch of 2 | 60,000 | {_n(r['revoke_leaf_batch_2'])} "
        f"| `revokeDocument`, 1-hash proof | {_met(r['revoke_leaf_batch_2'], 60_000)} |",
        f"| council vote | 60,000 | {_n(r['vote'])} | `vote` (all {len(votes)} votes: {_n(min(votes))}-"
        f"{_n(max(votes))}) | {_met(max(votes), 60_000)} |",
        f"| executing an admission | 120,000 | {_n(r['execute_admission'])} | `execute` of Admit with ISSUER "
        f"(no rights {_n(r['execute_admission_no_rights'])}, ISSUER \\| COUNCIL "
        f"{_n(r['execute_admission_council'])}) | {_met(max(admissions), 120_000)} |",
        f"| provenance: register an original | 50,000 | {_n(r['provenance_register'])} "
        f"| `enrolOriginal` by a partner whose standing is cached, owner holds it (first registration of a partner "
        f"{_n(r['provenance_register_first'])}; third-party holder {_n(r['provenance_register_held'])}) "
        f"| {_met(r['provenance_register'], 50_000)} |",
        f"| provenance: propose a transfer | 50,000 | {_n(r['provenance_propose_title'])} "
        f"| `handOver` of the title (custody {_n(r['provenance_propose_custody'])}) "
        f"| {_met(max(r['provenance_propose_title'], r['provenance_propose_custody']), 50_000)} |",
        f"| provenance: accept a transfer of title | 30,000 | {_n(r['provenance_accept_title'])} "
        f"| `takeOver` of the title | {_met(r['provenance_accept_title'], 30_000)} |",
        f"| provenance: accept a transfer of custody | 30,000 | {_n(r['provenance_accept_custody'])} "
        f"| `takeOver` of custody from the owner (holder to holder {_n(r['provenance_accept_custody_next'])}, back to "
        f"the owner {_n(r['provenance_accept_custody_return'])}); see docs/decisions/0010-provenance.md "
        f"| {_met(max(r['provenance_accept_custody'], r['provenance_accept_custody_next']), 30_000)} |",
        f"| provenance: a lifecycle event | 30,000 | {_n(r['provenance_event'])} "
        f"| `addEvent` by the owner holding it (by a third-party holder "
        f"{_n(r['provenance_event_third_party_holder'])}; with consent {_n(r['provenance_event_with_consent'])}) "
        f"| {_met(max(r['provenance_event'], r['provenance_event_third_party_holder']), 30_000)} |",
        f"| provenance: a Merkle batch of events | 27,000 | {_n(r['provenance_anchor_events'])} "
        f"| `anchorEvents`, per batch | {_met(r['provenance_anchor_events'], 27_000)} |",
        f"| provenance: flag stolen | 30,000 | {_n(r['provenance_flag_stolen'])} "
        f"| `logIncident` Stolen by the owner | {_met(r['provenance_flag_stolen'], 30_000)} |",
        "",
        "A target counts as met only when every variant in its row is within the limit.",
        "",
        *_signed_section(r),
        "### Council acts (trust model v2)",
        "",
        *_paragraph(
            "One council member may only put a hold on another issuer's certificate; revoking it or lifting a hold is "
            "a council decision (propose, votes, execute), and so are details changes and a compromise cut-off set "
            "after an expulsion. No target names these; they are the price of removing the single-member powers."
        ),
        "",
        "| act | gas | of which |",
        "|---|---:|---|",
        f"| a member's hold on a document of another issuer's 1,024 batch | {_n(r['suspend_leaf_by_council'])} "
        f"| `suspendDocument`; on a whole certificate {_n(r['suspend_root_by_council'])}; over the issuer's own "
        f"suspension {_n(r['council_hold_over_issuer_suspension'])} |",
        f"| council decision: revoke a document of a 1,024 batch (council of 4) "
        f"| {_n(r['council_revoke_leaf_decision_total'])} "
        f"| `proposeCertificateDecision` {_n(r['propose_revoke_leaf'])} (checks the proof), 2 votes, "
        f"`execute` {_n(r['execute_revoke_leaf'])} |",
        f"| council decision: revoke a whole certificate | {_n(r['council_revoke_root_decision_total'])} "
        f"| propose {_n(r['propose_revoke_root'])}, `execute` {_n(r['execute_revoke_root'])} |",
        f"| council decision: lift a hold on a document | {_n(r['council_lift_leaf_decision_total'])} "
        f"| propose {_n(r['propose_lift_leaf'])}, `execute` {_n(r['execute_lift_leaf'])} |",
        f"| details change by vote | {_n(r['change_details_decision_total'])} | `proposeDetails` "
        f"{_n(r['propose_details'])} (stores the proposed details), `execute` {_n(r['execute_change_details'])} |",
        f"| SetCompromised on an expelled partner | {_n(r['execute_set_compromised'])} | `execute` |",
        "",
        *_paragraph(
            "`applyCouncilDecision` appears in no row of its own: "
            + "; ".join(f"`{name}`: {why}" for name, why in CALLED_BY_CONTRACTS.items())
            + "."
        ),
        "",
        "### What trust model v2 changed",
        "",
        *_paragraph(
            "The same scenarios on the v1 contracts (main at 19ee818), on contract version 2 (trust model v2 as first "
            "built, main at b56f77a) and now (contract version 3: the standing mirror). v1's council revocations by "
            "one member (`revoke_leaf_by_council` 64,770) no longer exist: see the council acts above."
        ),
        "",
        "| key | v1 | v2 | now | change from v1 | why |",
        "|---|---:|---:|---:|---:|---|",
        *(
            f"| `{key}` | {_n(V1[key])} | {_n(V2[key])} | {_n(r[key])} | {r[key] - V1[key]:+,} | {_cell(why)} |"
            for key, why in V2_REASONS
        ),
        "",
    ]
    big, small = breakdowns["revoke_leaf"], breakdowns["revoke_leaf_batch_2"]
    # The unavoidable part: base, the three cold reads (certificate, the issuer's mirrored standing, the status slot),
    # the first write of the status slot, the event, and the proof's calldata.
    floor = 21_000 + sum(cost for cost in big.sloads if cost >= 2_100) + big.sstores[0] + big.log
    lines += [
        *_paragraph(
            f"**Where the gas of revoking a document of a 1,024 batch goes ({_met(r['revoke_leaf'], 60_000)}).** "
            "Recording a new status on chain needs a fresh storage slot (20,000 to write it plus 2,100 for its "
            "first, cold read), the certificate's slot is read to find the issuer (2,100), the issuer's standing and "
            "cut-off are one read of the certificate registry's own copy (2,100; the partner registry pushes every "
            f"change to it, see `IStandingMirror`), the event costs {_n(big.log)}, and the proof of a 1,024 batch is "
            f"10 hashes of calldata ({_n(big.proof_calldata)}): with the 21,000 base that is "
            f"{_n(floor + big.proof_calldata)} before the other arguments and any other instruction. Measured, from "
            f"the transaction's bytes and its opcode trace: {_n(big.gas_used)} with a 10-hash proof; in a batch of 2 "
            f"(1-hash proof) {_n(small.gas_used)}. Contract version 2 asked the partner registry instead (two calls, "
            f"6,167) and took {_n(V2['revoke_leaf'])}; v1 {_n(V1['revoke_leaf'])}."
        ),
        "",
        "| part of `revokeDocument` by its issuer | batch of 1,024 (10-hash proof) | batch of 2 (1-hash proof) |",
        "|---|---:|---:|",
        "| base cost | 21,000 | 21,000 |",
        f"| calldata: the proof | {_n(big.proof_calldata)} | {_n(small.proof_calldata)} |",
        f"| calldata: selector, id, leaf, reason, offsets ({big.calldata_bytes} and {small.calldata_bytes} bytes "
        f"in all) | {_n(big.calldata - big.proof_calldata)} | {_n(small.calldata - small.proof_calldata)} |",
        f"| storage reads, SLOAD ({_sum(big.sloads)}) | {_n(sum(big.sloads))} | {_n(sum(small.sloads))} |",
        f"| storage writes, SSTORE ({_sum(big.sstores)}) | {_n(sum(big.sstores))} | {_n(sum(small.sstores))} |",
        f"| `CertificateRevoked` event, LOG4 | {_n(big.log)} | {_n(small.log)} |",
        f"| KECCAK256: the proof, the id check and the mapping slots | {_n(big.keccak)} | {_n(small.keccak)} |",
        f"| calls to other contracts ({_sum(big.calls) or 'none'}) | {_n(sum(big.calls))} | {_n(sum(small.calls))} |",
        f"| other execution: dispatch, argument checks, stack, jumps, the proof loop | {_n(big.other)} | "
        f"{_n(small.other)} |",
        f"| **gasUsed** | **{_n(big.gas_used)}** | **{_n(small.gas_used)}** |",
        "",
        *_paragraph(
            f"A document already suspended is revoked for {_n(r['revoke_leaf_after_suspend'])} (its slot exists: "
            f"2,900 to overwrite it instead of 20,000), and a whole certificate for {_n(r['revoke_root'])}. The margin "
            f"under the limit is {_n(60_000 - r['revoke_leaf'])} gas: the IR pipeline (`via_ir` in ape-config.yaml) "
            "is worth about 400 of it, so switching it off, or adding a check to this path, needs this table "
            "re-measured."
        ),
        "",
        "### Other systems",
        "",
        "Anchor figures measured on the same rules (Prague, incl. the 21,000 base cost and calldata), quoted from the",
        "project's benchmark brief, not re-measured here. Our contracts record more (issuer, time, expiry, and a",
        "membership check against the consortium registry on every issue).",
        "",
        "| system | operation | gas | ours, closest operation |",
        "|---|---|---:|---|",
    ]
    ours = {
        "`attest`, one bytes32 field": f"`issue` {_n(r['issue_single'])}",
        "`attest`, 4 fields incl. a URI": f"`issue` {_n(r['issue_single'])} (fields stay off chain, salted)",
        "`multiAttest`, per attestation": f"`issueBatchPublic` {_n(r['issue_batch_public_1024_per_doc'])} per "
        f"document, `issueBatch` {_n(r['issue_batch_anchor_1024_per_doc'])} per document (1,024)",
        "`issue(root)` (one doc or any Merkle batch)": f"`issueBatch` {_n(r['issue_batch_anchor_1024'])}, "
        f"`issue` {_n(r['issue_single'])}",
        "`revoke(root, leaf, proof)`": f"`revokeDocument` {_n(r['revoke_leaf_batch_2'])}-{_n(r['revoke_leaf'])}",
        "`issue_hash`": f"`issue` {_n(r['issue_single'])}",
        "`mint`": f"`issue` {_n(r['issue_single'])}",
        "`issue`": f"`issue` {_n(r['issue_single'])}",
        "`grantRole`": f"a council decision: propose + 2 votes + execute (council of 4) "
        f"{_n(r['grant_rights_decision_total'])} in all, of which `execute` {_n(r['execute_grant_rights'])}",
    }
    for system, operation, gas in ANCHORS:
        lines.append(f"| {system} | {operation} | {gas} | {ours[operation]} |")
    lines += ["", *_provenance_anchors(r)]
    lines += [
        "",
        "### Named figures",
        "",
        "The figures the targets and the comparison use, as keys of `bench/results/gas.json`:",
        "",
        "| key | gas |",
        "|---|---:|",
    ]
    for key in sorted(k for k in result if not k.endswith(("_min", "_median", "_max"))):
        lines.append(f"| `{key}` | {_n(result[key])} |")
    return "\n".join(lines) + "\n"


PROVENANCE_ANCHORS: list[tuple[str, str, int, str, str]] = [
    (
        "TradeTrust token registry",
        "`mint` (a transferable record)",
        282_431,
        "register an original",
        "provenance_register",
    ),
    (
        "TradeTrust token registry",
        "`nominate` (propose a new owner)",
        55_900,
        "propose a transfer of title",
        "provenance_propose_title",
    ),
    (
        "TradeTrust token registry",
        "`transferBeneficiary` (the nominee takes the title)",
        82_800,
        "accept a transfer of title",
        "provenance_accept_title",
    ),
    (
        "EAS",
        "`attest`, one bytes32 field (a lifecycle event as an attestation)",
        200_272,
        "a lifecycle event",
        "provenance_event",
    ),
    (
        "EAS",
        "`attest`, one bytes32 field (a theft report as an attestation)",
        200_272,
        "flag stolen",
        "provenance_flag_stolen",
    ),
]
"""What a provenance operation costs elsewhere (the benchmark brief's anchors, not re-measured here), beside ours."""


def _provenance_anchors(r: dict[str, int | float]) -> list[str]:
    """Provenance next to TradeTrust and EAS: the issue's claim is >= 5x under a TradeTrust mint and >= 6x under an EAS
    attestation, so each row gives the ratio."""
    lines = [
        "Provenance beside the systems that record the same facts (TradeTrust's title transfers, an EAS attestation",
        "per event); the ratio is theirs divided by ours:",
        "",
        "| system | operation | gas | ours | gas | ratio |",
        "|---|---|---:|---|---:|---:|",
    ]
    for system, operation, gas, what, key in PROVENANCE_ANCHORS:
        lines.append(f"| {system} | {operation} | {gas:,} | {what} | {_n(r[key])} | {gas / r[key]:.1f}x |")
    return lines


def _signed_section(r: dict[str, int | float]) -> list[str]:
    """The signed actions beside their direct calls (``bench/_gas_signed.py``)."""
    keys = sorted(k[len("signed_") : -len("_limit")] for k in r if k.startswith("signed_") and k.endswith("_limit"))
    lines = [
        "### Signed actions, relayed (issue 13)",
        "",
        *_paragraph(
            "Each `...BySig` call beside its direct call on the same chain state (an anvil snapshot, reverted between "
            "the two), sent by a relayer with no standing. The signature check is the overhead of the smallest "
            f"signed action, `Leave`: {_n(r['signature_check_first'])} for a signer's first signed action (its nonce "
            f"slot is created) and {_n(r['signature_check_later'])} for a later one. Target: at most 10% over the "
            "direct call plus the signature check of the same nonce state (`bench/_gas_signed.py`)."
        ),
        "",
        "| action | direct | signed | overhead | limit | result |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key in keys:
        direct, signed, limit = r[f"direct_{key}"], r[f"signed_{key}"], r[f"signed_{key}_limit"]
        lines.append(
            f"| {key.replace('_', ' ')} | {_n(direct)} | {_n(signed)} | {_n(signed - direct)} | {_n(limit)} "
            f"| {_met(signed, limit)} |"
        )
    return [*lines, ""]


def write_docs(section: str, path: Path) -> None:
    """Replace the Gas section between its markers; create the file, or append the section, when missing."""
    block = f"{BEGIN}\n{section}{END}\n"
    text = path.read_text() if path.is_file() else DOC_HEADER
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# -------------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"result file (default {RESULTS})")
    parser.add_argument("--docs", type=Path, default=DOCS, help="Markdown file whose Gas section is rewritten")
    parser.add_argument("--no-docs", action="store_true", help="write the JSON only")
    args = parser.parse_args(argv)

    artifacts, compiler = load_artifacts()
    functions = state_changing_functions(artifacts)
    binary = Toolchain(PROJECT_ROOT).bin_dir / "anvil"
    started = time.monotonic()
    with anvil(binary, SCRATCH / "anvil-gas.log") as w3:
        bench = Bench(w3, artifacts)
        consortium = run_all(bench)
        pairs = signed_actions(consortium)
        provenance(consortium)
        signed_provenance(consortium, pairs)
        result = summarize(bench, functions)
        breakdowns = {
            key: breakdown(w3, bench.named_tx[key], proof_length)
            for key, proof_length in (("revoke_leaf", 10), ("revoke_leaf_batch_2", 1))
        }
    write_json(result, args.json)
    print(f"{len(bench.calls)} transactions in {time.monotonic() - started:.1f} s -> {args.json}")
    if not args.no_docs:
        env = Environment.capture(binary, compiler)
        write_docs(render(result, bench.calls, functions, breakdowns, env), args.docs)
        print(f"Gas section -> {args.docs}")
    for key in (
        "issue_single",
        "issue_batch_anchor_1024",
        "issue_batch_anchor_1024_per_doc",
        "issue_batch_public_1024_per_doc",
        "revoke_leaf",
        "revoke_leaf_batch_2",
        "vote",
        "execute_admission",
    ):
        print(f"  {key:34} {_n(result[key]):>12}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench-gas: {error}", file=sys.stderr)
        sys.exit(1)
