"""Progress, the reorg window, and the single-writer lock: everything the sync loop keeps besides the data.

The checkpoint (block number + hash) lives in ``sync_state`` and is only ever written inside the transaction that
writes the rows up to it, so after any crash the database is exactly "everything up to the checkpoint". The stored
config hash (chain id, addresses, ABIs, start block) makes an indexer pointed at a different deployment refuse to run
instead of mixing two chains' data in one database.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from ledger.db import schema as s
from ledger.errors import LedgerError


class ConfigMismatchError(LedgerError, RuntimeError):
    """The database was indexed for another chain, deployment or ABI set."""


class IndexerLockedError(LedgerError, RuntimeError):
    """Another indexer process writes to this database."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    block: int
    hash: str | None


def config_hash(chain_id: int, addresses: Mapping[str, str], abi_hashes: Mapping[str, str], start_block: int) -> str:
    """A stable hash of everything that decides what the index contains."""
    blob = orjson.dumps(
        {
            "chain_id": chain_id,
            "addresses": {k: v.lower() for k, v in sorted(addresses.items())},
            "abis": dict(sorted(abi_hashes.items())),
            "start_block": start_block,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(blob).hexdigest()


def indexed_chain(conn: Connection) -> int | None:
    """The chain id this database was indexed for (None before an indexer first opened it).

    With the deployment manifest of that chain, this is what the API binds documents to: the deployment the index
    follows, which neither a node that is down nor one pointed at another chain can change.
    """
    chain_id: int | None = conn.execute(select(s.sync_state.c.chain_id).where(s.sync_state.c.id == 1)).scalar()
    return chain_id


class SyncState:
    """Reads and writes ``sync_state`` and ``block_hashes`` for one chain and config."""

    def __init__(self, chain_id: int, config: str, window: int = 128) -> None:
        self.chain_id = chain_id
        self.config = config
        self.window = window

    def open(self, conn: Connection, start_block: int) -> Checkpoint:
        """The current checkpoint; on a fresh database, one block before ``start_block``.

        Raises:
            ConfigMismatchError: the database holds another chain's or deployment's data.
        """
        row = conn.execute(select(s.sync_state).where(s.sync_state.c.id == 1)).mappings().first()
        if row is None:
            conn.execute(
                insert(s.sync_state).values(
                    id=1,
                    chain_id=self.chain_id,
                    config_hash=self.config,
                    schema_version=s.SCHEMA_VERSION,
                    checkpoint_block=start_block - 1,
                    checkpoint_hash=None,
                    updated_at=int(time.time()),
                )
            )
            return Checkpoint(start_block - 1, None)
        if row["chain_id"] != self.chain_id or row["config_hash"] != self.config:
            raise ConfigMismatchError(
                f"this database was indexed for chain {row['chain_id']} with config {row['config_hash'][:12]}, not "
                f"chain {self.chain_id} with config {self.config[:12]} (other addresses, ABIs or start block): "
                "use another database, or reset this one with `originals index --reset`"
            )
        return Checkpoint(row["checkpoint_block"], row["checkpoint_hash"])

    def advance(self, conn: Connection, block: int, block_hash: str | None) -> Checkpoint:
        conn.execute(
            update(s.sync_state)
            .where(s.sync_state.c.id == 1)
            .values(checkpoint_block=block, checkpoint_hash=block_hash, updated_at=int(time.time()))
        )
        return Checkpoint(block, block_hash)

    def remember(
        self, conn: Connection, number: int, block_hash: str, parent_hash: str, timestamp: int | None = None
    ) -> None:
        """Add a block to the window and drop blocks that fell out of it.

        The timestamp is kept so that reads can judge deadlines against the chain time of the indexed block (the
        checkpoint is always a remembered block), not against the reader's wall clock.
        """
        bh = s.block_hashes
        conn.execute(delete(bh).where(bh.c.number >= number))
        conn.execute(insert(bh).values(number=number, hash=block_hash, parent_hash=parent_hash, timestamp=timestamp))
        conn.execute(delete(bh).where(bh.c.number <= number - self.window))

    def stored_hash(self, conn: Connection, number: int) -> str | None:
        return conn.execute(select(s.block_hashes.c.hash).where(s.block_hashes.c.number == number)).scalar()

    def oldest(self, conn: Connection) -> int | None:
        return conn.execute(select(s.block_hashes.c.number).order_by(s.block_hashes.c.number).limit(1)).scalar()

    def forget_above(self, conn: Connection, number: int) -> None:
        conn.execute(delete(s.block_hashes).where(s.block_hashes.c.number > number))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WriterLock:
    """One indexer per database: a PostgreSQL session advisory lock, or a lock row on SQLite.

    The advisory lock dies with its session, so a killed indexer never blocks the next one. The SQLite row names its
    owner (host, pid and a per-lock token): a row left by a dead process on this host is taken over at once, a row of
    a live process (even this one) never; a row from another host once its heartbeat is older than ``stale_after``.
    """

    PG_KEY = 0x0816_1A15  # arbitrary, fixed: "originals"

    def __init__(self, engine: Engine, stale_after: float = 60.0) -> None:
        self._engine = engine
        self._stale_after = stale_after
        self._pg: Connection | None = None
        # host:pid:token: the token tells two locks of one process apart (a second indexer in the same process).
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

    def acquire(self) -> None:
        if self._engine.dialect.name == "postgresql":
            conn = self._engine.connect()
            if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.PG_KEY}).scalar():
                conn.close()
                raise IndexerLockedError("another indexer holds this database's lock (PostgreSQL advisory lock)")
            conn.commit()
            self._pg = conn
            return
        now = int(time.time())
        with self._engine.begin() as conn:
            row = conn.execute(select(s.indexer_lock).where(s.indexer_lock.c.id == 1)).mappings().first()
            if row is not None and row["owner"] != self.owner and not self._stale(row["owner"], row["heartbeat_at"]):
                raise IndexerLockedError(f"another indexer ({row['owner']}) writes to this database")
            conn.execute(delete(s.indexer_lock))
            conn.execute(insert(s.indexer_lock).values(id=1, owner=self.owner, acquired_at=now, heartbeat_at=now))

    def _stale(self, owner: str, heartbeat: int) -> bool:
        """A row is stale when its process is gone (same host) or its heartbeat is old (another host)."""
        host, _, rest = owner.partition(":")
        pid = rest.partition(":")[0]
        if host == socket.gethostname() and pid.isdigit():
            return not _pid_alive(int(pid))
        return time.time() - heartbeat > self._stale_after

    def heartbeat(self, conn: Connection) -> None:
        """Refresh the SQLite lock row inside a write transaction (no-op on PostgreSQL)."""
        if self._pg is None:
            conn.execute(
                update(s.indexer_lock).where(s.indexer_lock.c.owner == self.owner).values(heartbeat_at=int(time.time()))
            )

    def release(self) -> None:
        if self._pg is not None:
            self._pg.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.PG_KEY})
            self._pg.close()
            self._pg = None
            return
        with self._engine.begin() as conn:
            conn.execute(delete(s.indexer_lock).where(s.indexer_lock.c.owner == self.owner))
