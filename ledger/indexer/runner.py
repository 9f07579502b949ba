"""Assemble an :class:`Indexer` from :class:`Settings`: node, manifest, committed ABIs, database.

This is the only place that knows how the pieces fit; the CLI, the supervisor and the tests call
:func:`build_indexer` and get a ready indexer or a one-line :class:`LedgerError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from ledger.abi import CONTRACTS, abi_sha256, load_abi
from ledger.chain.rpc import RpcClient, with_retries
from ledger.config import Settings
from ledger.db.engine import make_engine, upgrade
from ledger.deployments import Deployment, load_deployment
from ledger.indexer.decode import EventDecoder
from ledger.indexer.source import JsonRpcSource, RangePolicy
from ledger.indexer.state import SyncState, config_hash
from ledger.indexer.sync import Indexer, SyncOptions


@dataclass
class IndexerSetup:
    indexer: Indexer
    deployment: Deployment
    engine: Engine
    client: RpcClient


def make_decoder() -> EventDecoder:
    """A decoder for every event of the committed ABIs."""
    return EventDecoder(load_abi(name) for name in CONTRACTS)


def build_indexer(settings: Settings, engine: Engine | None = None) -> IndexerSetup:
    """Connect to the node, read its deployment manifest, migrate the database and build the indexer.

    Raises:
        RpcError: the node cannot be reached.
        DeploymentNotFound: no manifest for the node's chain id.
    """
    client = RpcClient(settings.rpc_url, timeout=settings.rpc_timeout)
    try:
        chain_id = int(with_retries(lambda: client.call("eth_chainId")), 16)
        deployment = load_deployment(chain_id, settings.deployments_dir)
        decoder = make_decoder()
        addresses = {name: deployment.contract(name).address for name in CONTRACTS}
        abi_hashes = {name: abi_sha256(load_abi(name)) for name in CONTRACTS}
        engine = engine or make_engine(settings.database_url, writer=True)
        upgrade(engine)
        state = SyncState(
            chain_id,
            config_hash(chain_id, addresses, abi_hashes, deployment.start_block),
            window=settings.reorg_window,
        )
        options = SyncOptions(
            use_finalized=settings.use_finalized,
            confirmations=settings.confirmations,
            poll_interval=settings.poll_interval,
            reorg_window=settings.reorg_window,
            batch_events=settings.batch_events,
            range_policy=RangePolicy(
                initial=min(settings.range_initial, settings.range_max),
                maximum=settings.range_max,
                target_logs=settings.range_target_logs,
                result_cap=settings.range_result_cap,
            ),
        )
        source = JsonRpcSource(client, list(addresses.values()), decoder.topics)
        indexer = Indexer(engine, source, decoder, state, deployment.start_block, options)
    except BaseException:
        client.close()
        raise
    return IndexerSetup(indexer, deployment, engine, client)
