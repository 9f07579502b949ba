"""``ape run deploy --network <network>``: deploy the consortium's registries once per chain and record them.

Deploys ``CertificateRegistry`` and ``ProvenanceRegistry``, then ``PartnerRegistry`` (founders and voting period from
``consortium.yaml``) bound to both (its standing mirror and standing cache), then writes ``deployments/<chain_id>.json``
(see :mod:`ledger.deployments`), the file the runtime reads. Running it again against a chain that already has the
recorded deployment does nothing; ``--redeploy`` deploys fresh. A manifest whose contracts are gone (a restarted
devnet), or of another contract version, counts as absent.

The manifest records the contract version (``CONTRACT_VERSION``, which the runtime insists on) and the kind of
network: ``local-devnet`` only for ape's local network (the one place the well-known test keys may sign; a fork
carries a real chain's id and is ``live``), ``live`` for any other.

On a local devnet the deployer defaults to test account 0; on any other network pass ``--account <alias>``. To deploy
to an anvil that is already running instead of one ape-foundry starts (and stops) itself::

    APE_FOUNDRY_HOST=http://127.0.0.1:8545 ape run deploy --network ethereum:local:foundry
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape import accounts, project
from ape.cli import AccountAliasPromptChoice, ConnectedProviderCommand
from ape.exceptions import BlockNotFoundError

from ledger.abi import abi_sha256
from ledger.chain.addresses import create_address
from ledger.deployments import (
    CONTRACT_VERSION,
    ContractDeployment,
    ContractVersionMismatch,
    Deployment,
    DeploymentInvalid,
    DeploymentNotFound,
    NetworkKind,
    manifest_path,
    read_manifest,
    save_deployment,
)
from scripts._consortium import (
    ConsortiumConfigError,
    constructor_founders,
    contract_abi,
    display_path,
    load_consortium,
    resolve_founders,
    stale_reason,
)


@click.command(cls=ConnectedProviderCommand, short_help="Deploy the registries; write deployments/<chain_id>.json")
@click.option(
    "--account",
    type=AccountAliasPromptChoice(),
    default=None,
    help="The deployer: an account alias, or TEST::<n> (default on a local devnet: test account 0).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The consortium file (default: consortium.yaml in the project).",
)
@click.option("--redeploy", is_flag=True, help="Deploy fresh even if the chain has the recorded deployment.")
@click.option(
    "--deployments-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where manifests are written (default: deployments/ in the project).",
)
def cli(
    network: Any,
    provider: Any,
    account: Any,
    config_path: Path | None,
    redeploy: bool,
    deployments_dir: Path | None,
) -> None:
    """Deploy the three registries and write the deployment manifest."""
    root = Path(project.path)
    choice = f"{network.ecosystem.name}:{network.name}"
    try:
        spec = load_consortium(display_path(config_path or root / "consortium.yaml"))
        test_accounts = [a.address for a in accounts.test_accounts] if network.is_dev else None
        founders = resolve_founders(spec, test_accounts, choice)
    except ConsortiumConfigError as exc:
        raise click.ClickException(str(exc)) from None

    chain_id = provider.chain_id
    directory = deployments_dir or root / "deployments"
    path = display_path(manifest_path(chain_id, directory))
    if not redeploy and _is_current(path, chain_id, provider):
        click.echo(f"Already deployed on chain {chain_id}: {path} matches the chain; nothing to do (see --redeploy).")
        return

    deployer = account
    if deployer is None:
        if not network.is_dev:
            raise click.ClickException(f"{choice} is not a local devnet: choose the deployer with --account <alias>")
        deployer = accounts.test_accounts[0]

    # The certificate and provenance registries first, both naming the partner registry's address-to-be; the partner
    # registry's constructor then checks that they name it, binds them as its standing mirror and standing cache
    # (docs/decisions/0010-provenance.md) and pushes the founders' standing to the mirror.
    partners_address = create_address(str(deployer.address), deployer.nonce + 2)
    certificates = deployer.deploy(project.CertificateRegistry, partners_address)
    provenance = deployer.deploy(project.ProvenanceRegistry, partners_address)
    partners = deployer.deploy(
        project.PartnerRegistry,
        constructor_founders(founders),
        spec.voting_period,
        certificates.address,
        provenance.address,
    )
    deployment = Deployment(
        chain_id=chain_id,
        network=choice,
        # Only ape's local network (an anvil it or `originals up` runs) is a devnet: a fork carries a real chain's id.
        network_kind=NetworkKind.LOCAL_DEVNET if network.is_local else NetworkKind.LIVE,
        contract_version=CONTRACT_VERSION,
        deployer=str(deployer.address),
        voting_period=spec.voting_period,
        contracts={
            "PartnerRegistry": _record(provider, partners, project.PartnerRegistry.contract_type),
            "CertificateRegistry": _record(provider, certificates, project.CertificateRegistry.contract_type),
            "ProvenanceRegistry": _record(provider, provenance, project.ProvenanceRegistry.contract_type),
        },
        founders=founders,
    )
    save_deployment(deployment, directory)
    click.echo(
        f"Deployed PartnerRegistry at {partners.address}, CertificateRegistry at {certificates.address} and "
        f"ProvenanceRegistry at {provenance.address} on chain {chain_id} ({choice}); wrote {path}"
    )


def _is_current(path: Path, chain_id: int, provider: Any) -> bool:
    """Whether the manifest at ``path`` describes contracts that are on the connected chain (says why not)."""
    try:
        deployment = read_manifest(path)
        if deployment.chain_id != chain_id:
            raise DeploymentInvalid(f"{path}: records chain id {deployment.chain_id}, expected {chain_id}")
    except DeploymentNotFound:
        return False
    except ContractVersionMismatch as exc:  # the runtime refuses it; deploying this code's contracts is the way out
        click.echo(f"{path} {exc.what}, not {CONTRACT_VERSION}: treating it as absent and deploying.")
        return False
    except DeploymentInvalid as exc:
        raise click.ClickException(f"{exc}; fix or delete it, or pass --redeploy to replace it") from None
    reason = stale_reason(deployment, provider.get_code, lambda number: _block_hash(provider, number))
    if reason is None:
        return True
    click.echo(f"{path} does not match chain {deployment.chain_id} ({reason}): treating it as absent and deploying.")
    return False


def _block_hash(provider: Any, number: int) -> str | None:
    """The hash of block ``number`` as 0x hex, or None when the chain has no such block."""
    try:
        block = provider.get_block(number)
    except BlockNotFoundError:
        return None
    return None if block.hash is None else "0x" + bytes(block.hash).hex()


def _record(provider: Any, instance: Any, contract_type: Any) -> ContractDeployment:
    """The manifest entry of a just-deployed contract: its receipt's block and the hash of the ABI it was built with."""
    receipt = provider.get_receipt(instance.txn_hash)
    block_hash = _block_hash(provider, receipt.block_number)
    if block_hash is None:  # the receipt names the block, so only a reorg right now gets here
        raise click.ClickException(f"block {receipt.block_number} of {instance.txn_hash} vanished; run deploy again")
    return ContractDeployment(
        address=str(instance.address),
        block_number=receipt.block_number,
        block_hash=block_hash,
        tx_hash=str(instance.txn_hash).lower(),
        abi_sha256=abi_sha256(contract_abi(contract_type)),
    )
