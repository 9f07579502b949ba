"""consortium.yaml is validated before anything touches a chain, with one-line errors that name the entry and the fix.

These are the rules of ``scripts/_consortium.py`` without a chain (fast); ``test_deploy_script.py`` checks that the
script turns them into a non-zero exit that writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.toolchain import PROJECT_ROOT
from ledger.deployments import ContractDeployment, Deployment, Founder
from ledger.events import COUNCIL, ISSUER, OrganisationType
from scripts._consortium import (
    ConsortiumConfigError,
    constructor_founders,
    load_consortium,
    parse_consortium,
    resolve_founders,
    stale_reason,
)

TEST_ACCOUNTS = [
    "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
    "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
    "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
]
UNIVERSITY = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"


def config(**founder_changes: Any) -> dict[str, Any]:
    """A valid file as parsed YAML; ``founder_changes`` edit the second founder (None deletes a key)."""
    town = {"name": "Town", "domain": "town.example", "org_type": "PublicAdministration", "account": 0}
    bank = {"name": "Bank", "domain": "bank.example", "org_type": "Enterprise", "account": 1}
    data: dict[str, Any] = {
        "voting_period": "7d",
        "founders": [{**town, "rights": ["issuer", "council"]}, {**bank, "rights": ["council"]}],
    }
    for key, value in founder_changes.items():
        if value is None:
            data["founders"][1].pop(key, None)
        else:
            data["founders"][1][key] = value
    return data


def test_committed_consortium_file_deploys_the_town_the_bank_and_the_university() -> None:
    spec = load_consortium(PROJECT_ROOT / "consortium.yaml")
    assert spec.voting_period == 7 * 24 * 3600
    founders = resolve_founders(spec, TEST_ACCOUNTS)
    assert [(f.display_name, f.org_type, f.rights, f.address.lower()) for f in founders] == [
        ("Town of Originals", OrganisationType.PUBLIC_ADMINISTRATION, ISSUER | COUNCIL, TEST_ACCOUNTS[0]),
        ("Cooperative Bank", OrganisationType.ENTERPRISE, ISSUER | COUNCIL, TEST_ACCOUNTS[1]),
        ("University Blockchain Competence Centre", OrganisationType.UNIVERSITY, ISSUER | COUNCIL, TEST_ACCOUNTS[2]),
    ]


@pytest.mark.parametrize(
    ("value", "seconds"), [(3600, 3600), ("45s", 45), ("90m", 5400), ("12h", 43200), ("7d", 604800), ("2w", 1209600)]
)
def test_voting_period_is_seconds_or_a_number_with_a_unit(value: object, seconds: int) -> None:
    data = config()
    data["voting_period"] = value
    assert parse_consortium(data, "c.yaml").voting_period == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "c.yaml: voting_period: must be between 1 second and 281474976710655 seconds, got 0"),
        (2**48, "c.yaml: voting_period: must be between 1 second and 281474976710655 seconds, got 281474976710656"),
        ("7 days", "c.yaml: voting_period: '7 days' is not a duration (seconds, or a number with s, m, h, d, w)"),
        (True, "c.yaml: voting_period: True is not a duration (seconds, or a number with s, m, h, d, w)"),
    ],
)
def test_bad_voting_period_is_refused(value: object, message: str) -> None:
    data = config()
    data["voting_period"] = value
    with pytest.raises(ConsortiumConfigError) as excinfo:
        parse_consortium(data, "c.yaml")
    assert str(excinfo.value) == message


ORG_TYPES = "SME, Enterprise, PublicAdministration, University, ResearchInstitute, NGO, Association, Ministry"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"org_type": "Bank"}, f"founders[1] (Bank): unknown org_type 'Bank' (one of: {ORG_TYPES})"),
        ({"org_type": None}, f"founders[1] (Bank): unknown org_type None (one of: {ORG_TYPES})"),
        ({"name": None}, "founders[1]: name is missing (the display name shown to verifiers)"),
        ({"name": "  "}, "founders[1]: name is missing (the display name shown to verifiers)"),
        ({"name": "Bank "}, "founders[1]: name 'Bank ' has leading or trailing spaces"),
        ({"rigths": ["issuer"]}, "founders[1] (Bank): unknown key 'rigths' (allowed: account, address, domain, "),
        ({"domain": "Bank.Example"}, "founders[1] (Bank): domain 'Bank.Example' is not a lower-case domain name"),
        ({"domain": "localhost"}, "founders[1] (Bank): domain 'localhost' is not a lower-case domain name"),
        ({"domain": None}, "founders[1] (Bank): domain None is not a lower-case domain name like town.example"),
        ({"rights": "issuer"}, "founders[1] (Bank): rights must be a list of issuer and/or council, e.g. [issuer]"),
        ({"rights": ["admin"]}, "founders[1] (Bank): unknown right 'admin' (one of: issuer, council)"),
        ({"rights": ["council", "council"]}, "founders[1] (Bank): right 'council' is listed twice"),
        ({"account": None}, "founders[1] (Bank): give exactly one of address (0x...) or account (a devnet account"),
        ({"address": UNIVERSITY}, "founders[1] (Bank): give exactly one of address (0x...) or account (a devnet"),
        ({"account": -1}, "founders[1] (Bank): account must be a test account index (0, 1, ...), got -1"),
        ({"account": True}, "founders[1] (Bank): account must be a test account index (0, 1, ...), got True"),
        ({"account": None, "address": "0x1234"}, "founders[1] (Bank): address '0x1234' is not 0x followed by 40 hex"),
        (
            {"account": None, "address": UNIVERSITY[:-1] + "C"},
            f"founders[1] (Bank): address {UNIVERSITY[:-1]}C has a bad EIP-55 checksum (a typo?)",
        ),
        (
            {"account": None, "address": 0x9965507D1A55BCC2695C58BA16FB37D819B0A4DC},
            "founders[1] (Bank): address must be a quoted string like '0xAbC...', got ",
        ),
        ({"account": None, "address": "0x" + "0" * 40}, "founders[1] (Bank): address is the zero address"),
        ({"metadata_hash": "0x12"}, "founders[1] (Bank): metadata_hash '0x12' is not 0x followed by 64 hex digits"),
    ],
)
def test_bad_founder_is_refused_with_a_one_line_message_naming_it(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConsortiumConfigError) as excinfo:
        parse_consortium(config(**changes), "c.yaml")
    assert str(excinfo.value).startswith(f"c.yaml: {message}")
    assert "\n" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "c.yaml: expected a mapping with voting_period and founders"),
        ({"founders": config()["founders"]}, "c.yaml: voting_period is missing (seconds, or e.g. 7d)"),
        ({"voting_period": 60}, "c.yaml: founders must be a non-empty list of founding partners"),
        ({"voting_period": 60, "founders": []}, "c.yaml: founders must be a non-empty list of founding partners"),
        ({**config(), "quorum": 2}, "c.yaml: unknown key 'quorum' (allowed: founders, voting_period)"),
        ({"voting_period": 60, "founders": ["Town"]}, "c.yaml: founders[0]: expected a mapping with name, domain, "),
    ],
)
def test_bad_file_structure_is_refused(data: object, message: str) -> None:
    with pytest.raises(ConsortiumConfigError) as excinfo:
        parse_consortium(data, "c.yaml")
    assert str(excinfo.value).startswith(message)


def test_consortium_without_a_council_founder_is_refused() -> None:
    data = config()
    for founder in data["founders"]:
        founder["rights"] = ["issuer"]
    with pytest.raises(ConsortiumConfigError, match=r"^c\.yaml: no founder has the council right; at least one must$"):
        parse_consortium(data, "c.yaml")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConsortiumConfigError, match=r"nope\.yaml: file not found$"):
        load_consortium(tmp_path / "nope.yaml")


def test_file_that_is_not_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("voting_period: 7d\nfounders: [\n  - name: x\n", encoding="utf-8")
    with pytest.raises(ConsortiumConfigError) as excinfo:
        load_consortium(path)
    assert str(excinfo.value).startswith(f"{path}: not valid YAML at line 3: ")
    assert "\n" not in str(excinfo.value)


def test_founders_resolve_account_indexes_to_test_accounts_and_keep_addresses() -> None:
    data = config(account=None, address=UNIVERSITY.lower(), metadata_hash="0x" + "AB" * 32)
    founders = resolve_founders(parse_consortium(data, "c.yaml"), TEST_ACCOUNTS)
    assert founders == (
        Founder(
            address="0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            display_name="Town",
            domain="town.example",
            org_type=OrganisationType.PUBLIC_ADMINISTRATION,
            rights=ISSUER | COUNCIL,
            metadata_hash="0x" + "00" * 32,
        ),
        Founder(
            address=UNIVERSITY,
            display_name="Bank",
            domain="bank.example",
            org_type=OrganisationType.ENTERPRISE,
            rights=COUNCIL,
            metadata_hash="0x" + "ab" * 32,
        ),
    )
    assert constructor_founders(founders) == [
        ("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 2, 3, "Town", "town.example", b"\x00" * 32),
        (UNIVERSITY, 1, 2, "Bank", "bank.example", b"\xab" * 32),
    ]


def test_account_index_on_a_live_network_is_refused() -> None:
    spec = parse_consortium(config(), "c.yaml")
    with pytest.raises(ConsortiumConfigError) as excinfo:
        resolve_founders(spec, None, "ethereum:sepolia")
    assert str(excinfo.value) == (
        "c.yaml: founders[0] (Town): account: 0 works on a local devnet only; give address: 0x... for ethereum:sepolia"
    )


def test_account_index_beyond_the_test_accounts_is_refused() -> None:
    spec = parse_consortium(config(account=3), "c.yaml")
    with pytest.raises(ConsortiumConfigError) as excinfo:
        resolve_founders(spec, TEST_ACCOUNTS, "ethereum:local")
    assert str(excinfo.value) == (
        "c.yaml: founders[1] (Bank): account: 3 is out of range (3 test accounts on ethereum:local)"
    )


def test_two_founders_with_one_address_are_refused() -> None:
    spec = parse_consortium(config(account=None, address=TEST_ACCOUNTS[0]), "c.yaml")
    with pytest.raises(ConsortiumConfigError) as excinfo:
        resolve_founders(spec, TEST_ACCOUNTS)
    assert str(excinfo.value) == (
        "c.yaml: founders[1] (Bank): address 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 is already the address of Town"
    )


def test_yaml_example_in_the_module_docstring_is_valid() -> None:
    import scripts._consortium as module

    assert module.__doc__ is not None
    example = module.__doc__.split("::", 1)[1]
    spec = parse_consortium(yaml.safe_load(example), "doc")
    assert [f.name for f in spec.founders] == ["Town of Originals"]


# --- judging an existing manifest against the chain ---------------------------------------------------------------

PARTNERS = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CERTIFICATES = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
PROVENANCE = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"
BLOCKS = {1: "0x" + "b1" * 32, 2: "0x" + "b2" * 32, 3: "0x" + "b3" * 32}
ALL = ("PartnerRegistry", "CertificateRegistry", "ProvenanceRegistry")


def manifest(*names: str) -> Deployment:
    entries = {
        "PartnerRegistry": ContractDeployment(PARTNERS, 1, BLOCKS[1], "0x" + "a1" * 32, "c1" * 32),
        "CertificateRegistry": ContractDeployment(CERTIFICATES, 2, BLOCKS[2], "0x" + "a2" * 32, "c2" * 32),
        "ProvenanceRegistry": ContractDeployment(PROVENANCE, 3, BLOCKS[3], "0x" + "a3" * 32, "c3" * 32),
    }
    return Deployment(31337, "ethereum:local", PARTNERS, 60, {n: entries[n] for n in names})


def code_at(*addresses: str) -> Any:
    return lambda address: b"\x60\x80" if address in addresses else b""


def test_manifest_matching_the_chain_is_current() -> None:
    every = manifest(*ALL)
    assert stale_reason(every, code_at(PARTNERS, CERTIFICATES, PROVENANCE), BLOCKS.get) is None


def test_manifest_of_the_two_registries_before_provenance_is_stale() -> None:
    before = manifest("PartnerRegistry", "CertificateRegistry")
    reason = stale_reason(before, code_at(PARTNERS, CERTIFICATES, PROVENANCE), BLOCKS.get)
    assert reason == "it records no ProvenanceRegistry"


def test_manifest_missing_a_contract_is_stale() -> None:
    only_partners = manifest("PartnerRegistry")
    assert stale_reason(only_partners, code_at(PARTNERS), BLOCKS.get) == "it records no CertificateRegistry"


def test_manifest_whose_contract_has_no_code_is_stale() -> None:
    every = manifest(*ALL)
    assert stale_reason(every, code_at(PARTNERS), BLOCKS.get) == f"CertificateRegistry has no code at {CERTIFICATES}"


def test_stale_reason_checks_contracts_in_deployment_order_whatever_the_file_order() -> None:
    sorted_like_the_file = manifest("ProvenanceRegistry", "CertificateRegistry", "PartnerRegistry")
    assert stale_reason(sorted_like_the_file, code_at(), BLOCKS.get) == f"PartnerRegistry has no code at {PARTNERS}"


def test_manifest_whose_deploy_block_is_gone_is_stale() -> None:
    every = manifest(*ALL)
    reason = stale_reason(every, code_at(PARTNERS, CERTIFICATES, PROVENANCE), {1: BLOCKS[1]}.get)
    assert reason == "the chain has no block 2, where CertificateRegistry was deployed"


def test_manifest_whose_deploy_block_has_another_hash_is_stale() -> None:
    """A restarted devnet redeploys to the same addresses; only the block hash tells the deployments apart."""
    every = manifest(*ALL)
    reorged = {1: "0x" + "ff" * 32, 2: BLOCKS[2], 3: BLOCKS[3]}
    reason = stale_reason(every, code_at(PARTNERS, CERTIFICATES, PROVENANCE), reorged.get)
    assert reason == "block 1, where PartnerRegistry was deployed, now has another hash"
