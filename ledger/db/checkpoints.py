"""WAL checkpoints of a SQLite database in a thread of their own, beside the indexer's writes.

In WAL mode every committed page is written twice: appended to the ``-wal`` file at commit, then copied into the
database file by a *checkpoint*. By default the committing connection runs that checkpoint itself, inside ``COMMIT``,
once the WAL passes 1,000 pages; a dense backfill commits ~25 MB per transaction, so every commit also copied the
previous one into the database and synced it (measured: ~5.6 s of the indexer's main thread per 1M events, ~12% of a
backfill). The indexer's engine turns that off (``make_engine(url, writer=True)`` sets ``wal_autocheckpoint=0``) and
runs a :class:`WalCheckpointer` instead: after each commit it is poked, and its thread runs a ``PASSIVE`` checkpoint
on a connection of its own when the WAL has grown past :data:`WAL_LIMIT`. The copy and the sync then overlap the
next batch's fetching, decoding and inserting (sqlite3 releases the GIL while SQLite works), on the other core.

Nothing about durability changes: a commit is durable once it is in the WAL, whoever copies it later, and a crash
between a commit and its checkpoint leaves a WAL that the next connection reads as usual. ``PASSIVE`` never waits
for, nor blocks, readers or the writer; the WAL restarts from its beginning at the next write after a complete
checkpoint, so its size stays near one transaction's.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine

log = logging.getLogger(__name__)

WAL_LIMIT = 4 * 1024 * 1024
"""Checkpoint once the WAL file is larger than this (SQLite's own default is 1,000 pages: 16 MiB at the
project's 16 KiB pages, see :data:`ledger.db.engine.SQLITE_PAGE_SIZE`)."""


def database_file(engine: Engine) -> Path | None:
    """The SQLite file behind ``engine``; None for another database or an in-memory one."""
    if engine.dialect.name != "sqlite":
        return None
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


class WalCheckpointer:
    """A thread that keeps a SQLite database's WAL short while another connection writes (see module docstring).

    Use as a context manager; :meth:`poke` after each commit. Exiting stops the thread and runs a last checkpoint,
    so the WAL is left short. Errors are logged, never raised: a missed checkpoint only leaves the WAL longer (the
    next one copies it), and the writer must not fail for it.
    """

    def __init__(self, path: Path, limit: int = WAL_LIMIT) -> None:
        self.path = path
        self.wal = path.with_name(path.name + "-wal")
        self.limit = limit
        self.checkpoints = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def __enter__(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def poke(self) -> None:
        """A commit happened: check the WAL's size soon."""
        self._wake.set()

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        self._stopping.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            log.warning("WAL checkpoints: cannot open %s: %s", self.path, exc)
            return
        try:
            while not self._stopping.is_set():
                self._wake.wait()
                self._wake.clear()
                if self._stopping.is_set():
                    break
                if self._wal_size() > self.limit:
                    self._checkpoint(connection)
            self._checkpoint(connection)
        finally:
            connection.close()

    def _wal_size(self) -> int:
        try:
            return self.wal.stat().st_size
        except FileNotFoundError:
            return 0

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error as exc:  # e.g. another checkpoint running: the next poke tries again
            log.debug("WAL checkpoint of %s skipped: %s", self.path, exc)
