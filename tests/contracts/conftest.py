"""Fixtures for the contract tests: a fresh consortium and certificate registry on ape's local foundry network.

Founders (accounts 0-2) are the town, the cooperative bank and the university centre, all with ISSUER | COUNCIL;
account 3 is an outsider, account 4 an organisation that applies to join. Each test runs against its own chain
snapshot (ape's isolation fixture).

Besides fixtures, this module holds the assertion helpers every contract test should use: `log` (an expected event
with every argument), `reverts_with` (a custom error with every argument) and `deploy_reverts` (a constructor's custom
error). ape's own matchers skip whatever they are not given, so without these a typo silently weakens a test.
"""

from __future__ import annotations

import pytest
from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.managers.accounts import TestAccountManager
from ape.managers.project import ProjectManager
from support.contracts import (
    deploy_consortium,
    founder_tuples,
)


@pytest.fixture(scope="session")
def founders(accounts: TestAccountManager) -> list[AccountAPI]:
    return list(accounts[0:3])


@pytest.fixture(scope="session")
def town(founders: list[AccountAPI]) -> AccountAPI:
    return founders[0]


@pytest.fixture(scope="session")
def bank(founders: list[AccountAPI]) -> AccountAPI:
    return founders[1]


@pytest.fixture(scope="session")
def university(founders: list[AccountAPI]) -> AccountAPI:
    return founders[2]


@pytest.fixture(scope="session")
def outsider(accounts: TestAccountManager) -> AccountAPI:
    return accounts[3]


@pytest.fixture(scope="session")
def applicant(accounts: TestAccountManager) -> AccountAPI:
    """An organisation that applies to join (a textile mill, in the partner registry tests)."""
    return accounts[4]


@pytest.fixture(scope="session")
def consortium(
    project: ProjectManager, town: AccountAPI, founders: list[AccountAPI]
) -> tuple[ContractInstance, ContractInstance]:
    return deploy_consortium(project, town, founder_tuples(founders))


@pytest.fixture(scope="session")
def partner_registry(consortium: tuple[ContractInstance, ContractInstance]) -> ContractInstance:
    return consortium[0]


@pytest.fixture(scope="session")
def certificate_registry(consortium: tuple[ContractInstance, ContractInstance]) -> ContractInstance:
    return consortium[1]
