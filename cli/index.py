"""``originals index``: mirror the registries' events into SQL, then follow the chain (Ctrl-C finishes the batch)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

from cli._shell import log, settings_of
from ledger.i18n import gettext as _


def _install_stop_handlers(stop: threading.Event) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop now (the open transaction rolls back)
        log.info(_("{signal} received: finishing the current batch, then stopping", signal=signal.Signals(signum).name))
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)


class _BackfillBar:
    """A progress bar for the backfill on stderr: blocks done of the target, events so far, events/s, ETA."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._started = time.monotonic()

    def __call__(self, block: int, target: int, stats: Any) -> None:
        from tqdm import tqdm

        if self._bar is None:
            self._first = block
            self._bar = tqdm(
                total=max(1, target - block), unit=_("blk"), desc=_("backfill"), file=sys.stderr, leave=False
            )
        self._bar.total = max(self._bar.total, target - self._first)
        self._bar.n = block - self._first
        elapsed = max(1e-9, time.monotonic() - self._started)
        self._bar.set_postfix(events=stats.events, ev_s=f"{stats.events / elapsed:,.0f}", refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def cmd_index(args: argparse.Namespace) -> int:
    """Mirror the registries' events into SQL, then follow the chain."""
    from ledger.indexer.runner import build_indexer

    settings = settings_of(args)
    setup = build_indexer(settings)
    indexer = setup.indexer
    try:
        if args.reset:
            from ledger.db.schema import DERIVED_TABLES, INDEXER_TABLES, metadata

            with setup.engine.begin() as conn:
                for table in (*DERIVED_TABLES, *(metadata.tables[name] for name in INDEXER_TABLES)):
                    conn.execute(table.delete())
            log.info(_("database reset: every indexed row deleted (API keys and issuance records kept)"))
        if args.rescan_from_final:
            block = indexer.rescan_from_final()
            log.info(_("rolled back to final block {block}; indexing again from there", block=block))
        stop = threading.Event()
        _install_stop_handlers(stop)
        bar = _BackfillBar()
        said = _(
            "indexing chain {chain} ({node}) into {database} from block {block}",
            chain=setup.deployment.chain_id,
            node=setup.client.where,
            database=setup.engine.url.render_as_string(hide_password=True),
            block=indexer.start_block,
        )
        log.info(said)
        started = time.monotonic()
        try:
            stats = indexer.run(once=args.once, stop=stop, progress=bar)
        finally:
            bar.close()
        elapsed = time.monotonic() - started
        said = _(
            "indexed to block {block}: {events} events in {seconds} s ({reorgs} reorgs undone)",
            block=indexer.checkpoint.block,
            events=stats.events,
            seconds=f"{elapsed:.1f}",
            reorgs=stats.reorgs,
        )
        log.info(said)
    finally:
        setup.client.close()
        setup.engine.dispose()
    return 0


def register(commands: Any) -> None:
    index = commands.add_parser("index", help=_("mirror contract events into SQL and follow the chain"))
    index.add_argument("--database-url", help=_("SQLAlchemy URL (env ORIGINALS_DATABASE_URL)"))
    index.add_argument("--rpc-url", help=_("JSON-RPC URL of the chain (env ORIGINALS_RPC_URL)"))
    index.add_argument("--poll-interval", type=float, help=_("seconds between head polls once caught up"))
    index.add_argument("--confirmations", type=int, help=_("depth treated as final when the node has no finalized tag"))
    index.add_argument("--once", action="store_true", help=_("stop when caught up with the head"))
    index.add_argument("--reset", action="store_true", help=_("delete everything indexed so far and start again"))
    index.add_argument(
        "--rescan-from-final",
        action="store_true",
        help=_("after a reorg deeper than the window: roll back to the last final block and index from there"),
    )
    index.set_defaults(handler=cmd_index)
