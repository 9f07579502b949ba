"""``python -m devtools.toolchain.slither``: slither on the project's contracts, gated by a written triage.

Runs slither (installed in its own ``.venv-slither`` because its pins differ from ape's) on each folder of
``contracts/`` with the wired solc 0.8.30 (``--solc`` always: slither's own ``solc`` is solc-select's and tries to
download) and the OpenZeppelin remapping, reads its JSON reports, drops findings that lie wholly in ``node_modules``
(OpenZeppelin is audited upstream and not ours to change), and fails when a high or medium finding is not in the
triage table of ``docs/security.md``. A triage entry names the detector and the location (``Contract.function``, no
line numbers, so it survives edits elsewhere in the file) and says why the finding is accepted. Low and informational
findings are printed as a count per detector only.

Development-time only, like the rest of ``devtools.toolchain``: the runtime never imports it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.toolchain import PROJECT_ROOT, Toolchain, ToolchainError, environment

GATED_IMPACTS = ("High", "Medium")
"""Impacts that fail the lint unless triaged; the others are summarised."""

REMAPPING = "@openzeppelin/=node_modules/@openzeppelin/"
DEPENDENCY_PREFIX = "node_modules/"
TRIAGE_HEADING = "## Slither triage"
CONTRACTS_DIR = "contracts"

# Element kinds whose "name" is not an identifier (an expression, a pragma's version, a free-form mapping): they are
# skipped when a finding's location is spelt as Contract.function.
_UNNAMED_ELEMENT_TYPES = frozenset({"node", "pragma", "other"})


class SlitherError(ToolchainError):
    """slither could not be run, or did not analyse what it was asked to."""


class TriageError(ToolchainError, ValueError):
    """The triage table in docs/security.md is malformed."""


@dataclass(frozen=True)
class Finding:
    """One slither detector result, reduced to what the gate and the summary need."""

    check: str
    impact: str
    confidence: str
    location: str
    description: str
    files: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        """What a triage entry matches: detector and location, never line numbers."""
        return (self.check, self.location)

    @property
    def in_dependency(self) -> bool:
        """True when every source file the finding points at is under node_modules."""
        return bool(self.files) and all(f.startswith(DEPENDENCY_PREFIX) for f in self.files)


@dataclass(frozen=True)
class TriageEntry:
    """An accepted finding: detector, location, verdict and the reason it is accepted."""

    check: str
    location: str
    verdict: str
    reason: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.check, self.location)


@dataclass(frozen=True)
class Gate:
    """The outcome of checking findings against the triage."""

    untriaged: tuple[Finding, ...]
    triaged: tuple[tuple[Finding, TriageEntry], ...]
    summarised: tuple[Finding, ...]
    stale: tuple[TriageEntry, ...]
    dependency_findings: int

    @property
    def passed(self) -> bool:
        return not self.untriaged


@dataclass(frozen=True)
class Report:
    """What one slither run produced."""

    findings: tuple[Finding, ...]
    analysed_files: frozenset[str]


def element_location(element: Mapping[str, Any]) -> str:
    """Spell where an element lives as ``Contract.function`` (or ``Contract``, ``Contract.variable``, a file name).

    The chain of ``type_specific_fields.parent`` is walked up; statement nodes and pragmas have no identifier and are
    skipped, so a finding on a statement is located at its function.
    """
    names: list[str] = []
    current: Mapping[str, Any] | None = element
    while current is not None:
        if current.get("type") not in _UNNAMED_ELEMENT_TYPES and current.get("name"):
            names.append(str(current["name"]))
        current = current.get("type_specific_fields", {}).get("parent")
    if names:
        return ".".join(reversed(names))
    return str(element.get("source_mapping", {}).get("filename_relative") or element.get("name") or "?")


def parse_findings(detectors: Iterable[Mapping[str, Any]]) -> tuple[Finding, ...]:
    """Reduce slither's ``results.detectors`` list to findings."""
    findings = []
    for result in detectors:
        elements = result.get("elements") or []
        files = tuple(
            dict.fromkeys(
                e["source_mapping"]["filename_relative"]
                for e in elements
                if e.get("source_mapping", {}).get("filename_relative")
            )
        )
        findings.append(
            Finding(
                check=result["check"],
                impact=result["impact"],
                confidence=result["confidence"],
                location=element_location(elements[0]) if elements else "?",
                description=result["description"].strip(),
                files=files,
            )
        )
    return tuple(findings)


def parse_report(data: Mapping[str, Any]) -> Report:
    """Read slither's ``--json`` output (detectors and, when present, compilations).

    Raises:
        SlitherError: when slither reports that it failed.
    """
    if not data.get("success"):
        raise SlitherError(f"slither failed: {data.get('error') or 'no error message'}")
    results = data.get("results") or {}
    analysed: set[str] = set()
    for compilation in results.get("compilations") or []:
        for unit in (compilation.get("compilation_units") or {}).values():
            analysed.update(unit.get("source_units") or {})
    return Report(findings=parse_findings(results.get("detectors") or []), analysed_files=frozenset(analysed))


def _unquote(cell: str) -> str:
    """Drop the backticks of a cell that is one code span; a cell with code spans inside a sentence stays as is."""
    if len(cell) >= 2 and cell[0] == cell[-1] == "`" and "`" not in cell[1:-1]:
        return cell[1:-1].strip()
    return cell


def _cells(line: str) -> list[str]:
    return [_unquote(cell.strip()) for cell in line.strip().strip("|").split("|")]


def parse_triage(markdown: str) -> dict[tuple[str, str], TriageEntry]:
    """Read the table under ``## Slither triage`` in docs/security.md.

    The table has four columns: detector, location, verdict, reason. Cells may be wrapped in backticks; a cell
    cannot contain ``|``. The section ends at the next ``## `` heading.

    Raises:
        TriageError: when the section is missing, a row has the wrong number of cells or an empty one, or a
            (detector, location) pair is listed twice.
    """
    lines = markdown.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == TRIAGE_HEADING)
    except StopIteration:
        raise TriageError(f"no '{TRIAGE_HEADING}' section") from None
    entries: dict[tuple[str, str], TriageEntry] = {}
    header_seen = False
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
        if line.startswith("## "):
            break
        if not line.lstrip().startswith("|"):
            continue
        cells = _cells(line)
        if all(re.fullmatch(r":?-+:?", cell) for cell in cells):
            continue
        if not header_seen:
            header_seen = True
            continue
        if len(cells) != 4 or not all(cells):
            raise TriageError(f"line {number}: a triage row needs 4 non-empty cells, got {cells}")
        entry = TriageEntry(*cells)
        if entry.key in entries:
            raise TriageError(f"line {number}: {entry.check} at {entry.location} is listed twice")
        entries[entry.key] = entry
    return entries


def gate(findings: Iterable[Finding], triage: Mapping[tuple[str, str], TriageEntry]) -> Gate:
    """Split findings into untriaged (failing), triaged and summarised; find triage entries that match nothing."""
    untriaged: list[Finding] = []
    triaged: list[tuple[Finding, TriageEntry]] = []
    summarised: list[Finding] = []
    used: set[tuple[str, str]] = set()
    dependency_findings = 0
    for finding in findings:
        if finding.in_dependency:
            dependency_findings += 1
        elif finding.impact not in GATED_IMPACTS:
            summarised.append(finding)
        elif finding.key in triage:
            triaged.append((finding, triage[finding.key]))
            used.add(finding.key)
        else:
            untriaged.append(finding)
    stale = tuple(entry for key, entry in triage.items() if key not in used)
    return Gate(tuple(untriaged), tuple(triaged), tuple(summarised), stale, dependency_findings)


def expected_sources(root: Path) -> frozenset[str]:
    """The project's Solidity files, relative to ``root``, that slither must have analysed."""
    contracts = root / CONTRACTS_DIR
    return frozenset(
        path.relative_to(root).as_posix()
        for path in contracts.rglob("*.sol")
        if ".cache" not in path.relative_to(contracts).parts
    )


def slither_targets(root: Path) -> list[str]:
    """The folders slither compiles, relative to ``root``: ``contracts/`` and each domain folder under it.

    crytic-compile takes the ``*.sol`` files of one folder (not of its subfolders) and what they import, so contracts
    grouped by domain (``contracts/partners/``, ``contracts/certificates/``) need one compilation per folder.
    """
    contracts = root / CONTRACTS_DIR
    folders = {
        path.parent.relative_to(root).as_posix()
        for path in contracts.rglob("*.sol")
        if ".cache" not in path.relative_to(contracts).parts
    }
    return sorted(folders)


def slither_command(slither: Path, tools: Toolchain, json_out: Path, target: str = CONTRACTS_DIR) -> list[str]:
    """The slither invocation: one standard-json compilation of ``target``'s ``*.sol`` files and their imports."""
    return [
        str(slither),
        target,
        "--solc-standard-json",
        "--solc",
        str(tools.solc),
        "--solc-remaps",
        REMAPPING,
        "--json",
        str(json_out),
        "--json-types",
        "detectors,compilations",
        "--fail-none",
        "--disable-color",
    ]


def merge_reports(reports: Iterable[Report]) -> Report:
    """One report of several runs: a finding in a file two runs share (an interface) is kept once."""
    reports = list(reports)
    findings = dict.fromkeys(finding for report in reports for finding in report.findings)
    analysed = frozenset(path for report in reports for path in report.analysed_files)
    return Report(findings=tuple(findings), analysed_files=analysed)


def run_slither(slither: Path, root: Path = PROJECT_ROOT) -> Report:
    """Run slither on each folder of ``root/contracts`` that holds Solidity files and return the findings.

    Raises:
        SlitherError: when slither is missing or fails, or when a Solidity file under contracts/ was not analysed.
    """
    if not slither.is_file():
        raise SlitherError(f"{slither} is missing: run `make lint` (it installs constraints-slither.txt)")
    tools = Toolchain(root)
    if not tools.solc.exists():
        raise SlitherError(f"{tools.solc} is missing: run `make setup`")
    reports = []
    with tempfile.TemporaryDirectory(prefix="slither-") as scratch:
        for index, target in enumerate(slither_targets(root)):
            json_out = Path(scratch) / f"slither-{index}.json"
            proc = subprocess.run(
                slither_command(slither, tools, json_out, target),
                cwd=root,
                env=environment(root),
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if not json_out.is_file():
                raise SlitherError(
                    f"slither exited {proc.returncode} without a report on {target}:\n{proc.stderr}{proc.stdout}"
                )
            reports.append(parse_report(json.loads(json_out.read_text())))
    report = merge_reports(reports)
    missing = sorted(expected_sources(root) - report.analysed_files)
    if missing:
        raise SlitherError(
            f"slither did not analyse {', '.join(missing)}: it compiles each folder's *.sol files and their imports"
        )
    return report


def _summary(findings: Sequence[Finding]) -> list[str]:
    lines = []
    for impact in ("High", "Medium", "Low", "Informational", "Optimization"):
        counts = Counter(f.check for f in findings if f.impact == impact)
        if counts:
            lines.append(f"  {impact}: " + ", ".join(f"{check} x{n}" for check, n in sorted(counts.items())))
    return lines


def render(result: Gate) -> str:
    """The text `make lint` prints: failures in full, triaged findings by name, the rest as counts."""
    out: list[str] = []
    for finding in result.untriaged:
        out.append(f"UNTRIAGED {finding.impact} {finding.check} at {finding.location}:")
        out.extend(f"    {line}" for line in finding.description.splitlines())
    if result.untriaged:
        out.append(
            f"{len(result.untriaged)} high/medium finding(s) need a fix or a row in the '{TRIAGE_HEADING}' table "
            "of docs/security.md (detector | location | verdict | reason)"
        )
    for finding, entry in result.triaged:
        out.append(f"triaged {finding.impact} {finding.check} at {finding.location}: {entry.verdict}")
    for entry in result.stale:
        out.append(f"note: triage entry {entry.check} at {entry.location} matches no finding any more; remove it")
    if result.summarised:
        out.append("low/informational findings (not gated):")
        out.extend(_summary(result.summarised))
    out.append(f"({result.dependency_findings} finding(s) wholly in node_modules ignored)")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run slither and gate on the triage; exit 0 (pass), 1 (untriaged high/medium findings) or 2 (cannot run)."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.toolchain.slither",
        description="slither on contracts/, gated by the triage in docs/security.md",
    )
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="project checkout (default: this one)")
    parser.add_argument("--slither", type=Path, help="slither executable (default: ROOT/.venv-slither/bin/slither)")
    parser.add_argument("--triage", type=Path, help="triage document (default: ROOT/docs/security.md)")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    slither: Path = args.slither or root / ".venv-slither" / "bin" / "slither"
    triage_doc: Path = args.triage or root / "docs" / "security.md"
    started = time.monotonic()
    try:
        triage = parse_triage(triage_doc.read_text())
        report = run_slither(slither, root)
    except (ToolchainError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = gate(report.findings, triage)
    print(render(result))
    verdict = "ok" if result.passed else "FAILED"
    print(f"slither: {verdict}, {len(report.findings)} finding(s) in {time.monotonic() - started:.1f} s")
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
