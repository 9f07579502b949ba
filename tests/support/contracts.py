"""What every contract test uses besides fixtures: the consortium's constants, deployment, and the assertion
helpers `log` (an expected event with every argument), `reverts_with` (a custom error with every argument) and
`deploy_reverts` (a constructor's custom error). ape's own matchers skip whatever they are not given, so without these a
typo silently weakens a test."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ape
from ape.api import AccountAPI
from ape.contracts import ContractContainer, ContractInstance
from ape.exceptions import CustomError
from ape.managers.project import ProjectManager
from ape.pytest.contextmanagers import RevertInfo, RevertsContextManager
from ape.types.events import MockContractLog
from eth_abi import encode
from eth_utils import keccak

from ledger.chain.addresses import create_address
from ledger.events import COUNCIL, ISSUER, OrganisationType, PartnerStatus, ProposalKind

VOTING_PERIOD = 7 * 24 * 3600


ZERO_HASH = b"\x00" * 32


NO_MIRROR = "0x" + "00" * 20


"""A partner registry's standing mirror when no contract acts on its partners (constructor tests)."""


SME, ENTERPRISE, PUBLIC_ADMINISTRATION, UNIVERSITY, RESEARCH_INSTITUTE, NGO, ASSOCIATION, MINISTRY = map(
    int, OrganisationType
)


NONE, APPLIED, ACTIVE, SUSPENDED, EXPELLED, LEFT = map(int, PartnerStatus)


(
    ADMIT,
    SUSPEND,
    REINSTATE,
    EXPEL,
    GRANT_RIGHTS,
    WITHDRAW_RIGHTS,
    CHANGE_DETAILS,
    SET_COMPROMISED,
    REVOKE_CERTIFICATE,
    LIFT_CERTIFICATE_SUSPENSION,
) = map(int, ProposalKind)


FOUNDER_DETAILS = [
    (PUBLIC_ADMINISTRATION, "Town of Originals", "town.example"),
    (ENTERPRISE, "Cooperative Bank", "bank.example"),
    (UNIVERSITY, "University Blockchain Competence Centre", "uni.example"),
]


def certificate_id(issuer: Any, root: bytes) -> bytes:
    """``CertificateRegistry.certificateId``: keccak256(abi.encode(issuer, root)), restated so tests pin it."""
    return keccak(encode(["address", "bytes32"], [_plain(issuer), root]))


def details_hash(org_type: int, display_name: str, domain: str, metadata_hash: bytes) -> bytes:
    """``PartnerRegistry.detailsHash``: keccak256(abi.encode(orgType, displayName, domain, metadataHash))."""
    return keccak(encode(["uint8", "string", "string", "bytes32"], [org_type, display_name, domain, metadata_hash]))


def founder_details_hash(index: int) -> bytes:
    """The details hash of founder ``index`` as deployed by :func:`founder_tuples`."""
    org_type, name, domain = FOUNDER_DETAILS[index]
    return details_hash(org_type, name, domain, ZERO_HASH)


def founder_tuples(founders: Sequence[AccountAPI]) -> list[tuple[str, int, int, str, str, bytes]]:
    """The constructor's `Founder[]` for the town, the bank and the university, each with ISSUER | COUNCIL."""
    return [
        (account.address, org_type, ISSUER | COUNCIL, name, domain, ZERO_HASH)
        for account, (org_type, name, domain) in zip(founders, FOUNDER_DETAILS, strict=True)
    ]


def deploy_consortium(
    project: ProjectManager, deployer: AccountAPI, founding: Sequence[tuple[str, int, int, str, str, bytes]]
) -> tuple[ContractInstance, ContractInstance]:
    """The registries as the deploy script makes them: the certificate and provenance registries first, naming the
    partner registry's address-to-be, then the partner registry with them as its standing mirror and standing cache.
    Returns (partners, certificates); :func:`deploy_world` also returns the provenance registry."""
    partners, certificates, _provenance = deploy_world(project, deployer, founding)
    return partners, certificates


def deploy_world(
    project: ProjectManager, deployer: AccountAPI, founding: Sequence[tuple[str, int, int, str, str, bytes]]
) -> tuple[ContractInstance, ContractInstance, ContractInstance]:
    """:func:`deploy_consortium`, returning (partners, certificates, provenance)."""
    partners_address = create_address(deployer.address, deployer.nonce + 2)
    certificates = deployer.deploy(project.CertificateRegistry, partners_address)
    provenance = deployer.deploy(project.ProvenanceRegistry, partners_address)
    partners = deployer.deploy(
        project.PartnerRegistry, founding, VOTING_PERIOD, certificates.address, provenance.address
    )
    return partners, certificates, provenance


def _plain(value: Any) -> Any:
    """Accounts and contracts as their address string, as ape decodes them from logs and revert data."""
    return getattr(value, "address", value)


def log(event: Any, *args: Any) -> MockContractLog:
    """The expected log of `event` (e.g. `registry.VoteCast`) with EVERY argument, in ABI order.

    ape's mock logs compare only the arguments they are given and skip any that is None, so a forgotten argument
    would make `assert list(tx.events) == [...]` weaker than it reads. This refuses anything but the full set.
    """
    names = [ipt.name for ipt in event.abi.inputs]
    if len(args) != len(names) or any(arg is None for arg in args):
        raise ValueError(f"{event.abi.name} needs every argument of {names}, got {args!r}")
    return event(*(_plain(arg) for arg in args))


@contextmanager
def reverts_with(error: type[CustomError], **inputs: Any) -> Iterator[RevertInfo]:
    """`ape.reverts` for a custom error (e.g. `registry.PartnerRegistryNotCouncil`) with ALL of its arguments.

    ape.reverts ignores keywords that are not inputs of the error, so a misspelt or missing argument would pass
    vacuously; this insists on the exact input names, then on the exact error type and values.
    """
    names = {ipt.name for ipt in error.abi.inputs}  # type: ignore[attr-defined]
    if set(inputs) != names:
        raise ValueError(f"{error.__name__} takes exactly {sorted(names)}, got {sorted(inputs)}")
    expected = {name: _plain(value) for name, value in inputs.items()}
    with ape.reverts(error, **expected) as info:
        yield info
    assert isinstance(info.value, error), f"expected {error.__name__}, got {info.value!r}"
    assert dict(info.value.inputs) == expected


def deploy_reverts(container: ContractContainer, error_name: str, *args: Any) -> RevertsContextManager:
    """`ape.reverts` for a constructor that reverts with custom error `error_name` and exactly `args`.

    ape decodes custom errors only against a deployed contract's address, so a reverting deployment surfaces the
    raw revert data: compare it byte for byte with the error's selector and ABI-encoded arguments.
    """
    matches = [abi for abi in container.contract_type.errors if abi.name == error_name]
    if len(matches) != 1:
        raise ValueError(f"{container.contract_type.name} has no single error named {error_name}")
    abi = matches[0]
    data = keccak(text=abi.selector)[:4] + encode(
        [ipt.canonical_type for ipt in abi.inputs], [_plain(arg) for arg in args]
    )
    return ape.reverts(f"0x{data.hex()}")
