"""The npm solc wrapper behaves like native solc for py-solc-x, ape-solidity and slither's crytic-compile.

Every check here is one of the things TOOLCHAIN.md says the wrapper must do; each was once a real failure
(a banner line before the JSON, output cut at 64 KiB in a pipe, imports not found in ape's isolated build folder).
Runs without ape: ``python -m pytest -p no:ape_test tests/devtools/toolchain``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import solcx
import solcx.main
import solcx.wrapper
from packaging.version import Version
from solcx.exceptions import SolcError, UnknownOption, UnknownValue

from devtools.toolchain import PROJECT_ROOT, WRAPPER_SOURCE, Toolchain

NATIVE_BANNER = "solc, the solidity compiler commandline interface\nVersion: 0.8.30+commit.73712a01.Emscripten.clang\n"
OZ_REMAPPING = "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"
MERKLE_PROOF = "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol"
REMAPPED_MERKLE_PROOF = f"node_modules/{MERKLE_PROOF}"
USES_MERKLE_PROOF = f"""// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;
import {{MerkleProof}} from "{MERKLE_PROOF}";
contract UsesMerkleProof {{
    function check(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {{
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }}
}}
"""
# Everything a build needs, plus the ASTs: several MB for the project's contracts.
FULL_SELECTION = [
    "abi",
    "metadata",
    "evm.bytecode",
    "evm.deployedBytecode",
    "evm.methodIdentifiers",
    "storageLayout",
    "devdoc",
    "userdoc",
]
# The direct use of the npm module the wrapper must reproduce byte for byte: the import callback reads from the root.
DIRECT_COMPILE = """
const fs = require('fs');
const path = require('path');
const [moduleDir, root] = process.argv.slice(1);
const solc = require(moduleDir);
const input = fs.readFileSync(0, 'utf8');
const read = (p) => {
  try { return { contents: fs.readFileSync(path.join(root, p), 'utf8') }; } catch (e) { return { error: 'not found' }; }
};
process.stdout.write(solc.compile(input, { import: read }));
"""


def project_input() -> dict[str, Any]:
    """Standard-JSON input for every contract under contracts/, as ape-solidity builds it (sources inline)."""
    sources = {
        path.relative_to(PROJECT_ROOT).as_posix(): {"content": path.read_text()}
        for path in sorted((PROJECT_ROOT / "contracts").rglob("*.sol"))
        if ".cache" not in path.parts
    }
    return {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "evmVersion": "prague",
            "remappings": [OZ_REMAPPING],
            "outputSelection": {"*": {"*": FULL_SELECTION, "": ["ast"]}},
        },
    }


def single_source_input(content: str, remappings: list[str] | None = None) -> dict[str, Any]:
    return {
        "language": "Solidity",
        "sources": {"UsesMerkleProof.sol": {"content": content}},
        "settings": {"remappings": remappings or [], "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
    }


def run(solc: Path, *args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run solc through pipes, as py-solc-x and crytic-compile do."""
    return subprocess.run(
        [str(solc), *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


def error_messages(output: dict[str, Any]) -> list[str]:
    return [e["formattedMessage"] for e in output.get("errors", []) if e["severity"] == "error"]


@pytest.fixture(scope="module")
def project_stdin() -> str:
    return json.dumps(project_input())


@pytest.fixture(scope="module")
def wrapper_output(solc: Path, project_stdin: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The project's contracts compiled through the wrapper, read from a pipe (run from outside the project)."""
    proc = run(
        solc,
        "--standard-json",
        "--base-path",
        str(PROJECT_ROOT),
        stdin=project_stdin,
        cwd=tmp_path_factory.mktemp("cwd"),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def test_version_prints_exactly_the_two_native_solc_lines(solc: Path) -> None:
    proc = run(solc, "--version")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, NATIVE_BANNER, "")


def test_version_comes_from_the_compiler_when_the_named_one_is_not_the_installed_package(
    node: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generated executable names the version to skip loading the wasm; after an npm upgrade it must not lie."""
    monkeypatch.setenv("ORIGINALS_SOLC_MODULE", str(Toolchain(PROJECT_ROOT).npm_solc_module))
    monkeypatch.setenv("ORIGINALS_SOLC_VERSION", "0.8.29+commit.ab55807c.Emscripten.clang")
    proc = subprocess.run(
        [node, str(WRAPPER_SOURCE), "--version"], capture_output=True, text=True, timeout=120, check=False
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, NATIVE_BANNER, "")


def test_py_solc_x_lists_the_wrapper_as_installed_0_8_30(solcx_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(solcx_dir))
    assert solcx.get_installed_solc_versions() == [Version("0.8.30")]
    assert solcx.install.get_executable("0.8.30") == solcx_dir / "solc-v0.8.30"


def test_py_solc_x_parses_the_version_with_its_commit(solc: Path) -> None:
    assert solcx.wrapper.get_solc_version(solc) == Version("0.8.30")
    assert solcx.wrapper.get_solc_version(solc, with_commit_hash=True) == Version("0.8.30+commit.73712a01")


def test_help_has_the_combined_json_line_py_solc_x_parses(solc: Path) -> None:
    proc = run(solc, "--help")
    assert proc.returncode == 0
    lines = [line for line in proc.stdout.splitlines() if line.startswith("  --combined-json ")]
    assert len(lines) == 1
    keys = solcx.main._get_combined_json_outputs(solc).split(",")
    assert keys == lines[0].split(" ")[-1].split(",")
    assert {"abi", "ast", "bin", "bin-runtime", "metadata", "hashes", "srcmap", "srcmap-runtime"} <= set(keys)


def test_compile_source_returns_every_output_the_help_lists(solc: Path) -> None:
    """py-solc-x asks for every key the help line lists; a key the wrapper cannot produce would fail every compile."""
    out = solcx.compile_source(
        "pragma solidity 0.8.30; contract A { function f() external pure returns (uint256) { return 7; } }",
        solc_binary=solc,
    )
    keys = set(solcx.main._get_combined_json_outputs(solc).split(","))
    assert set(out) == {"<stdin>:A"}
    assert set(out["<stdin>:A"]) == keys
    assert out["<stdin>:A"]["hashes"] == {"f()": "26121ff0"}
    assert out["<stdin>:A"]["abi"][0]["name"] == "f"


def test_standard_json_output_is_byte_identical_to_the_npm_module_called_directly(
    wrapper_output: str, project_stdin: str, node: str
) -> None:
    module = str(Toolchain(PROJECT_ROOT).npm_solc_module)
    direct = subprocess.run(
        [node, "-e", DIRECT_COMPILE, module, str(PROJECT_ROOT)],
        input=project_stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert wrapper_output == direct
    ours, theirs = json.loads(wrapper_output), json.loads(direct)
    assert error_messages(ours) == []
    for unit in ("contracts/partners/PartnerRegistry.sol", "contracts/certificates/CertificateRegistry.sol"):
        name = Path(unit).stem
        mine, reference = ours["contracts"][unit][name], theirs["contracts"][unit][name]
        assert len(mine["evm"]["bytecode"]["object"]) > 1000
        assert mine["evm"]["bytecode"]["object"] == reference["evm"]["bytecode"]["object"]
        assert mine["evm"]["deployedBytecode"]["object"] == reference["evm"]["deployedBytecode"]["object"]
        assert mine["metadata"] == reference["metadata"]
        assert json.loads(mine["metadata"])["compiler"]["version"] == "0.8.30+commit.73712a01"


def test_output_larger_than_64_kib_arrives_whole_through_a_pipe(wrapper_output: str) -> None:
    assert len(wrapper_output.encode()) > 64 * 1024
    output = json.loads(wrapper_output)
    # Every unit of the build, imports included, with its AST: nothing was cut off at the pipe's 64 KiB.
    assert {"contracts/partners/PartnerRegistry.sol", "contracts/partners/IStandingMirror.sol"} <= set(
        output["sources"]
    )
    assert output["sources"]["contracts/certificates/CertificateRegistry.sol"]["ast"]["nodeType"] == "SourceUnit"


def test_openzeppelin_import_resolves_through_a_remapping_and_the_base_path(bare_solc: Path, elsewhere: Path) -> None:
    output = solcx.compile_standard(
        single_source_input(USES_MERKLE_PROOF, [OZ_REMAPPING]), base_path=PROJECT_ROOT, solc_binary=bare_solc
    )
    assert REMAPPED_MERKLE_PROOF in output["sources"]
    assert output["contracts"]["UsesMerkleProof.sol"]["UsesMerkleProof"]["evm"]["bytecode"]["object"]


def test_openzeppelin_import_fails_without_a_base_path_that_holds_it(bare_solc: Path, elsewhere: Path) -> None:
    """The control for the test above: from another folder and without --base-path the import cannot resolve."""
    with pytest.raises(SolcError) as excinfo:
        solcx.compile_standard(single_source_input(USES_MERKLE_PROOF, [OZ_REMAPPING]), solc_binary=bare_solc)
    assert "File not found inside the base path or any of the include paths" in excinfo.value.message


def test_openzeppelin_import_resolves_through_the_second_include_path(bare_solc: Path, elsewhere: Path) -> None:
    (elsewhere / "empty").mkdir()
    proc = run(
        bare_solc,
        "--standard-json",
        "--base-path",
        str(elsewhere),
        "--include-path",
        str(elsewhere / "empty"),
        "--include-path",
        str(PROJECT_ROOT / "node_modules"),
        "--allow-paths",
        str(PROJECT_ROOT),
        stdin=json.dumps(single_source_input(USES_MERKLE_PROOF)),
    )
    assert proc.returncode == 0, proc.stderr
    output = json.loads(proc.stdout)
    assert error_messages(output) == []
    assert MERKLE_PROOF in output["sources"]


def test_project_wrapper_finds_remapped_imports_from_an_isolated_build_folder(solc: Path, elsewhere: Path) -> None:
    """ape-solidity compiles in a temporary copy of contracts/ as base path; node_modules is only in the project."""
    output = solcx.compile_standard(
        single_source_input(USES_MERKLE_PROOF, [OZ_REMAPPING]), base_path=elsewhere, solc_binary=solc
    )
    assert REMAPPED_MERKLE_PROOF in output["sources"]


def test_compile_error_from_compile_source_is_a_solc_error_with_the_compiler_message(solc: Path) -> None:
    with pytest.raises(SolcError) as excinfo:
        solcx.compile_source("pragma solidity 0.8.30; contract A { uint256 x = 1 }", solc_binary=solc)
    assert excinfo.value.return_code == 1
    assert excinfo.value.stderr_data.startswith("ParserError: Expected ';' but got '}'")
    assert "ParserError: Expected ';' but got '}'" in str(excinfo.value)


def test_compile_error_from_compile_standard_is_a_solc_error_with_the_compiler_message(solc: Path) -> None:
    source = (
        "// SPDX-License-Identifier: Apache-2.0\n"
        "pragma solidity 0.8.30; contract A { function f() external { missing(); } }"
    )
    with pytest.raises(SolcError) as excinfo:
        solcx.compile_standard(single_source_input(source), solc_binary=solc)
    assert excinfo.value.message.startswith("DeclarationError: Undeclared identifier.")
    assert [e["type"] for e in excinfo.value.error_dict] == ["DeclarationError"]


def test_unknown_flag_is_rejected_like_native_solc(solc: Path) -> None:
    proc = run(solc, "--x")
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", "Error: unrecognised option '--x'\n")


def test_py_solc_x_maps_an_unknown_flag_to_unknown_option(solc: Path) -> None:
    with pytest.raises(UnknownOption, match="does not support the '--x' option"):
        solcx.wrapper.solc_wrapper(solc_binary=solc, x=True)


def test_py_solc_x_maps_an_unknown_combined_json_key_to_unknown_value(solc: Path) -> None:
    # py-solc-x keeps the newline that ends solc's message inside the quotes; native solc's message ends the same way.
    with pytest.raises(UnknownValue, match="does not accept 'nonsense\n' as an option for the '--combined-json' flag"):
        solcx.compile_source("contract A {}", output_values=["abi", "nonsense"], solc_binary=solc)


def test_combined_json_compiles_files_with_prefix_remappings_like_crytic_compile(
    bare_solc: Path, tmp_path: Path
) -> None:
    """The exact command shape crytic-compile (slither) runs, from the project root, with a unit that imports
    OpenZeppelin through the prefix remapping (the project's own contracts import nothing from it today)."""
    (tmp_path / "UsesMerkleProof.sol").write_text(USES_MERKLE_PROOF, encoding="utf-8")
    proc = run(
        bare_solc,
        "@openzeppelin/=node_modules/@openzeppelin/",
        "contracts/certificates/CertificateRegistry.sol",
        str(tmp_path / "UsesMerkleProof.sol"),
        "--combined-json",
        "abi,ast,bin,bin-runtime,srcmap,srcmap-runtime,userdoc,devdoc,hashes,compact-format",
        "--allow-paths",
        f".,{PROJECT_ROOT / 'contracts'},{tmp_path}",
        cwd=PROJECT_ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    combined = json.loads(proc.stdout)
    registry = combined["contracts"]["contracts/certificates/CertificateRegistry.sol:CertificateRegistry"]
    assert set(registry) == {"abi", "bin", "bin-runtime", "srcmap", "srcmap-runtime", "userdoc", "devdoc", "hashes"}
    assert registry["hashes"]["issue(bytes32,bytes32,uint48)"]
    assert int(registry["bin-runtime"], 16) > 0
    assert REMAPPED_MERKLE_PROOF in combined["sourceList"]
    # Source maps index files through sourceList, so each unit's id must be its position there.
    assert [combined["sources"][unit]["id"] for unit in combined["sourceList"]] == list(
        range(len(combined["sourceList"]))
    )
    assert all(source["AST"]["nodeType"] == "SourceUnit" for source in combined["sources"].values())


def test_combined_json_names_a_dot_relative_file_like_native_solc(bare_solc: Path) -> None:
    proc = run(
        bare_solc,
        "@openzeppelin/=node_modules/@openzeppelin/",
        "./contracts/certificates/../partners/PartnerRegistry.sol",
        "--combined-json",
        "abi",
        cwd=PROJECT_ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "contracts/partners/PartnerRegistry.sol:PartnerRegistry" in json.loads(proc.stdout)["contracts"]
