"""``python -m devtools.toolchain.slither`` fails `make lint` on untriaged high/medium findings and on nothing else.

slither itself is not run here (it lives in .venv-slither, which `make lint` installs and exercises); these tests feed
the module reports shaped like slither 0.11's ``--json`` output, through a stand-in slither executable where the
command line matters.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from devtools.toolchain import PROJECT_ROOT, SOLC_VERSION
from devtools.toolchain.slither import (
    REMAPPING,
    Finding,
    SlitherError,
    TriageEntry,
    TriageError,
    element_location,
    gate,
    main,
    parse_report,
    parse_triage,
)

TRIAGE_DOC = """# Security

## Slither triage

| Detector | Location | Verdict | Reason |
| --- | --- | --- | --- |
| `unused-return` | `Registry._sync` | accepted | The pushed checkpoint's old value is already known. |

## Something else

| Detector | Location | Verdict | Reason |
| --- | --- | --- | --- |
| `not-read` | `Elsewhere.f` | ignored | Outside the section, so not an entry. |
"""


def contract(name: str, file: str) -> dict[str, Any]:
    return {"type": "contract", "name": name, "source_mapping": {"filename_relative": file}}


def function(name: str, contract_name: str, file: str) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "source_mapping": {"filename_relative": file},
        "type_specific_fields": {"parent": contract(contract_name, file), "signature": f"{name}()"},
    }


def node(expression: str, function_name: str, contract_name: str, file: str) -> dict[str, Any]:
    return {
        "type": "node",
        "name": expression,
        "source_mapping": {"filename_relative": file},
        "type_specific_fields": {"parent": function(function_name, contract_name, file)},
    }


def detector(check: str, impact: str, *elements: dict[str, Any]) -> dict[str, Any]:
    return {
        "check": check,
        "impact": impact,
        "confidence": "Medium",
        "description": f"{check} finding\n\t- detail line\n",
        "elements": list(elements),
    }


def slither_report(detectors: list[dict[str, Any]], analysed: list[str]) -> dict[str, Any]:
    return {
        "success": True,
        "error": None,
        "results": {
            "detectors": detectors,
            "compilations": [{"compilation_units": {"standard_json": {"source_units": {f: {} for f in analysed}}}}],
        },
    }


SYNC = function("_sync", "Registry", "contracts/Registry.sol")
PUSH = node("_standing[a].push(t,1)", "_sync", "Registry", "contracts/Registry.sol")
MUL_DIV = function("mulDiv", "Math", "node_modules/@openzeppelin/contracts/utils/math/Math.sol")


def test_a_statement_is_located_at_its_contract_and_function() -> None:
    assert element_location(PUSH) == "Registry._sync"
    assert element_location(SYNC) == "Registry._sync"
    assert element_location(contract("Registry", "contracts/Registry.sol")) == "Registry"


def test_a_pragma_is_located_at_its_file() -> None:
    pragma = {"type": "pragma", "name": "0.8.30", "source_mapping": {"filename_relative": "contracts/Registry.sol"}}
    assert element_location(pragma) == "contracts/Registry.sol"


def test_findings_keep_detector_impact_location_and_files() -> None:
    report = parse_report(slither_report([detector("unused-return", "Medium", SYNC, PUSH)], ["contracts/Registry.sol"]))
    assert report.findings == (
        Finding(
            check="unused-return",
            impact="Medium",
            confidence="Medium",
            location="Registry._sync",
            description="unused-return finding\n\t- detail line",
            files=("contracts/Registry.sol",),
        ),
    )
    assert report.analysed_files == {"contracts/Registry.sol"}


def test_a_failed_slither_run_is_an_error_not_an_empty_report() -> None:
    with pytest.raises(SlitherError, match="slither failed: Invalid compilation"):
        parse_report({"success": False, "error": "Invalid compilation", "results": {}})


def test_untriaged_high_or_medium_finding_fails_the_gate() -> None:
    findings = parse_report(
        slither_report(
            [
                detector("incorrect-equality", "Medium", function("_either", "Registry", "contracts/Registry.sol")),
                detector("reentrancy-eth", "High", function("pay", "Vault", "contracts/Vault.sol")),
            ],
            [],
        )
    ).findings
    result = gate(findings, parse_triage(TRIAGE_DOC))
    assert not result.passed
    assert [(f.check, f.location) for f in result.untriaged] == [
        ("incorrect-equality", "Registry._either"),
        ("reentrancy-eth", "Vault.pay"),
    ]


def test_triaged_findings_pass_and_one_entry_covers_every_hit_in_that_function() -> None:
    push_zero = node("_standing[a].push(t,0)", "_sync", "Registry", "contracts/Registry.sol")
    findings = parse_report(
        slither_report(
            [detector("unused-return", "Medium", SYNC, PUSH), detector("unused-return", "Medium", SYNC, push_zero)], []
        )
    ).findings
    result = gate(findings, parse_triage(TRIAGE_DOC))
    assert result.passed
    assert [(f.location, entry.verdict) for f, entry in result.triaged] == [("Registry._sync", "accepted")] * 2
    assert result.stale == ()


def test_a_triage_entry_for_another_detector_does_not_cover_a_finding() -> None:
    findings = parse_report(slither_report([detector("reentrancy-no-eth", "Medium", SYNC)], [])).findings
    result = gate(findings, parse_triage(TRIAGE_DOC))
    assert [f.check for f in result.untriaged] == ["reentrancy-no-eth"]
    assert result.stale == (
        TriageEntry(
            "unused-return", "Registry._sync", "accepted", "The pushed checkpoint's old value is already known."
        ),
    )


def test_low_and_informational_findings_are_summarised_not_gated() -> None:
    findings = parse_report(
        slither_report([detector("timestamp", "Low", SYNC), detector("assembly", "Informational", SYNC)], [])
    ).findings
    result = gate(findings, {})
    assert result.passed
    assert [f.check for f in result.summarised] == ["timestamp", "assembly"]


def test_findings_wholly_in_node_modules_are_ignored_but_mixed_ones_are_kept() -> None:
    findings = parse_report(
        slither_report(
            [
                detector("incorrect-exp", "High", MUL_DIV),
                detector("divide-before-multiply", "Medium", SYNC, MUL_DIV),
            ],
            [],
        )
    ).findings
    result = gate(findings, {})
    assert result.dependency_findings == 1
    assert [f.check for f in result.untriaged] == ["divide-before-multiply"]


def test_triage_cells_lose_their_backticks_but_code_spans_inside_a_reason_stay() -> None:
    doc = "## Slither triage\n| a | b | c | d |\n|---|---|---|---|\n| `x-y` | `C.f` | ok | `push` gives `(old, new)`. |"
    assert parse_triage(doc) == {("x-y", "C.f"): TriageEntry("x-y", "C.f", "ok", "`push` gives `(old, new)`.")}


def test_triage_rows_need_four_non_empty_cells() -> None:
    doc = TRIAGE_DOC.replace("| accepted | The pushed checkpoint's old value is already known. |", "| accepted | |")
    with pytest.raises(TriageError, match="line 7: a triage row needs 4 non-empty cells"):
        parse_triage(doc)


def test_a_finding_triaged_twice_is_rejected() -> None:
    row = "| `unused-return` | `Registry._sync` | accepted | Again. |\n"
    doc = TRIAGE_DOC.replace("\n## Something else", row + "\n## Something else")
    with pytest.raises(TriageError, match=r"unused-return at Registry\._sync is listed twice"):
        parse_triage(doc)


def test_a_document_without_the_triage_section_is_rejected() -> None:
    with pytest.raises(TriageError, match="no '## Slither triage' section"):
        parse_triage("# Security\n")


def test_the_shipped_triage_in_docs_security_md_parses_and_explains_every_entry() -> None:
    triage = parse_triage((PROJECT_ROOT / "docs" / "security.md").read_text())
    assert triage, "docs/security.md has an empty triage table"
    sources = "\n".join(path.read_text() for path in (PROJECT_ROOT / "contracts").rglob("*.sol"))
    for entry in triage.values():
        assert f"contract {entry.location.split('.')[0]} " in sources, f"{entry.location}: no such contract"
        assert len(entry.reason.split()) >= 10, f"{entry.check} at {entry.location}: say why it is accepted"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A checkout with two top-level contracts, an imported interface and the wired solc (a stand-in)."""
    root = tmp_path / "project"
    for name in ("contracts/Registry.sol", "contracts/Vault.sol", "contracts/interfaces/IRegistry.sol"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("// SPDX-License-Identifier: Apache-2.0\n")
    (root / ".solcx").mkdir()
    (root / ".solcx" / f"solc-v{SOLC_VERSION}").write_text("#!/bin/sh\n")
    (root / "docs").mkdir()
    (root / "docs" / "security.md").write_text(TRIAGE_DOC)
    return root


ANALYSED = ["contracts/Registry.sol", "contracts/Vault.sol", "contracts/interfaces/IRegistry.sol"]


def stand_in_slither(root: Path, report: dict[str, Any]) -> Path:
    """An executable that records its arguments (one line per run) and writes ``report`` where --json says."""
    (root / "report.json").write_text(json.dumps(report))
    script = root / "slither"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, shutil, sys\n"
        "args = sys.argv[1:]\n"
        f"open({str(root / 'args.jsonl')!r}, 'a').write(json.dumps(args) + '\\n')\n"
        f"shutil.copy({str(root / 'report.json')!r}, args[args.index('--json') + 1])\n"
    )
    script.chmod(0o755)
    return script


def test_lint_runs_slither_with_the_wired_solc_and_the_openzeppelin_remapping(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slither = stand_in_slither(checkout, slither_report([detector("unused-return", "Medium", SYNC, PUSH)], ANALYSED))
    assert main(["--root", str(checkout), "--slither", str(slither)]) == 0
    runs = [json.loads(line) for line in (checkout / "args.jsonl").read_text().splitlines()]
    assert [args[0] for args in runs] == ["contracts", "contracts/interfaces"], "one compilation per folder"
    args = runs[0]
    assert args[args.index("--solc") + 1] == str(checkout / ".solcx" / f"solc-v{SOLC_VERSION}")
    assert args[args.index("--solc-remaps") + 1] == REMAPPING == "@openzeppelin/=node_modules/@openzeppelin/"
    assert "--solc-standard-json" in args
    out = capsys.readouterr().out
    assert "triaged Medium unused-return at Registry._sync: accepted" in out
    assert "slither: ok, 1 finding(s)" in out


def test_lint_fails_on_an_untriaged_medium_finding_and_prints_it_in_full(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = slither_report(
        [
            detector("unused-return", "Medium", SYNC, PUSH),
            detector("reentrancy-no-eth", "Medium", function("pay", "Vault", "contracts/Vault.sol")),
            detector("timestamp", "Low", SYNC),
            detector("timestamp", "Low", function("pay", "Vault", "contracts/Vault.sol")),
        ],
        ANALYSED,
    )
    assert main(["--root", str(checkout), "--slither", str(stand_in_slither(checkout, report))]) == 1
    out = capsys.readouterr().out
    assert "UNTRIAGED Medium reentrancy-no-eth at Vault.pay:\n    reentrancy-no-eth finding\n" in out
    assert "  Low: timestamp x2" in out
    assert "slither: FAILED, 4 finding(s)" in out


def test_lint_fails_when_a_contract_in_a_subfolder_was_not_analysed(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """slither compiles each folder's *.sol files and their imports: a file it did not analyse fails the lint."""
    (checkout / "contracts" / "lib").mkdir()
    (checkout / "contracts" / "lib" / "Orphan.sol").write_text("// SPDX-License-Identifier: Apache-2.0\n")
    slither = stand_in_slither(checkout, slither_report([], ANALYSED))
    assert main(["--root", str(checkout), "--slither", str(slither)]) == 2
    assert "slither did not analyse contracts/lib/Orphan.sol" in capsys.readouterr().err


def test_lint_without_the_slither_venv_says_how_to_install_it(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(checkout)]) == 2
    assert ".venv-slither/bin/slither is missing: run `make lint`" in capsys.readouterr().err


def test_lint_reports_slither_crashing_without_a_report(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    slither = checkout / "slither"
    slither.write_text("#!/bin/sh\necho 'crytic_compile.platform.exceptions.InvalidCompilation: boom' >&2\nexit 1\n")
    slither.chmod(0o755)
    assert main(["--root", str(checkout), "--slither", str(slither)]) == 2
    expected = "slither exited 1 without a report on contracts:\ncrytic_compile.platform.exceptions.InvalidCompilation"
    assert f"{expected}: boom" in capsys.readouterr().err
