"""``originals``: the command line. Each command is a thin shell over the library.

Errors the library raises on purpose (:class:`LedgerError`) print as one line on stderr and exit 1; bad usage exits 2
(argparse). Exit codes scripts can rely on: 0 success, 1 failure, 2 usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from ledger.errors import LedgerError

if TYPE_CHECKING:
    from ledger.config import Settings

log = logging.getLogger("originals")


def _settings(args: argparse.Namespace) -> Settings:
    # Imported here: pydantic and pydantic-settings take ~0.2 s to import, which `--help` and usage errors need not pay.
    from ledger.config import Settings

    overrides: dict[str, Any] = {}
    for name in ("database_url", "rpc_url", "poll_interval", "confirmations"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return Settings(**overrides)


def _install_stop_handlers(stop: threading.Event) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop now (the open transaction rolls back)
        log.info("%s received: finishing the current batch, then stopping", signal.Signals(signum).name)
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
            self._bar = tqdm(total=max(1, target - block), unit="blk", desc="backfill", file=sys.stderr, leave=False)
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

    settings = _settings(args)
    setup = build_indexer(settings)
    indexer = setup.indexer
    try:
        if args.reset:
            from ledger.db.schema import DERIVED_TABLES, INDEXER_TABLES, metadata

            with setup.engine.begin() as conn:
                for table in (*DERIVED_TABLES, *(metadata.tables[name] for name in INDEXER_TABLES)):
                    conn.execute(table.delete())
            log.info("database reset: every indexed row deleted (API keys and issuance records kept)")
        if args.rescan_from_final:
            block = indexer.rescan_from_final()
            log.info("rolled back to final block %d; indexing again from there", block)
        stop = threading.Event()
        _install_stop_handlers(stop)
        bar = _BackfillBar()
        log.info(
            "indexing chain %d (%s) into %s from block %d",
            setup.deployment.chain_id,
            setup.client.where,
            setup.engine.url.render_as_string(hide_password=True),
            indexer.start_block,
        )
        started = time.monotonic()
        try:
            stats = indexer.run(once=args.once, stop=stop, progress=bar)
        finally:
            bar.close()
        elapsed = time.monotonic() - started
        log.info(
            "indexed to block %d: %d events in %.1f s (%d reorgs undone)",
            indexer.checkpoint.block,
            stats.events,
            elapsed,
            stats.reorgs,
        )
    finally:
        setup.client.close()
        setup.engine.dispose()
    return 0


# -- issuing and verifying ------------------------------------------------------------------------------------------

EXIT_VALID = 0
EXIT_ERROR = 1
EXIT_NOT_VALID = 3
"""``originals verify`` exits 0 when the original is VALID, 3 when it is not (any other verdict), 1 on errors."""


def _api(args: argparse.Namespace, need_key: bool = False) -> Any:
    from ledger.client import ApiClient

    settings = _settings(args)
    key = args.api_key or (settings.api_key.get_secret_value() if settings.api_key else None)
    if need_key and not key:
        raise LedgerError("this command needs an issuer API key: --api-key or ORIGINALS_API_KEY")
    return ApiClient(args.api_url or settings.api_url, key)


def _hash_files(paths: Sequence[str]) -> list[tuple[Any, str]]:
    from pathlib import Path

    from tqdm import tqdm

    from ledger.documents import fingerprint_stream

    files = [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise LedgerError(f"{path}: no such file")
    out = []
    for path in tqdm(files, desc="hashing", unit="file", file=sys.stderr, disable=len(files) < 2, leave=False):
        with path.open("rb") as handle:
            out.append((path, fingerprint_stream(handle)))
    return out


def cmd_issue(args: argparse.Namespace) -> int:
    """Issue certificates for files through the API; write each wrapped document next to its file."""
    import orjson

    hashed = _hash_files(args.files)
    originals = [
        {"name": path.name, "kind": args.kind, "fingerprint": fp, "attributes": dict(args.attribute or [])}
        for path, fp in hashed
    ]
    client = _api(args, need_key=True)
    try:
        if args.batch or len(originals) > 1:
            if not args.batch:
                raise LedgerError("several files need --batch (one transaction) or one command per file")
            body: dict[str, Any] = {"originals": originals, "valid_until": args.valid_until}
            result = client.post("/batches", body)
        else:
            result = client.post("/certificates", {"original": originals[0], "valid_until": args.valid_until})
    finally:
        client.close()
    for (path, _), document in zip(hashed, result["documents"], strict=True):
        target = path.with_name(path.name + ".originals.json")
        target.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        print(f"{path}: certificate {document['proof']['targetHash']} -> {target}")
    print(
        f"transaction {result['tx_hash']} mined in block {result['block_number']} "
        f"(certificate {result['id']}, root {result['root']}); pending until indexed"
    )
    return 0


def _print_verification(result: dict[str, Any], label: str) -> None:
    print(f"{label}: {result['verdict']}")
    for check in result["checks"]:
        print(f"  {check['status']:<8} {check['name']}: {check['reason']}")


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a file or a wrapped document, through the API or (--rpc-url) straight against the chain."""
    from pathlib import Path

    import orjson

    path = Path(args.target)
    if not path.is_file():
        raise LedgerError(f"{path}: no such file")
    document = None
    if path.suffix == ".json":
        try:
            parsed = orjson.loads(path.read_bytes())
            if isinstance(parsed, dict) and str(parsed.get("version", "")).startswith("originals/wrapped/"):
                document = parsed
        except orjson.JSONDecodeError:
            document = None
    if args.rpc_url:
        results = _verify_on_chain(args, path, document)
    else:
        client = _api(args)
        try:
            if document is not None:
                results = [client.post("/verify/document", document)]
            else:
                answer = client.verify_file(path)
                results = answer["results"] or [{"verdict": "NOT_FOUND", "checks": []}]
        finally:
            client.close()
    for result in results:
        _print_verification(result, str(path))
    return EXIT_VALID if any(r["verdict"] == "VALID" for r in results) else EXIT_NOT_VALID


def _verify_on_chain(args: argparse.Namespace, path: Any, document: Any) -> list[dict[str, Any]]:
    import time

    from ledger import verifier
    from ledger.chain.rpc import RpcClient
    from ledger.deployments import load_deployment
    from ledger.facts import ChainFacts
    from ledger.verify import Binding

    settings = _settings(args)
    client = RpcClient(args.rpc_url, timeout=settings.rpc_timeout)
    try:
        chain_id = int(client.call("eth_chainId"), 16)
        deployment = load_deployment(chain_id, settings.deployments_dir)
        source = ChainFacts(client, deployment)
        now = int(time.time())
        if document is not None:
            # Trustless: the chain is the node's, but the registry a document must name is the manifest's.
            binding = Binding(chain_id, deployment.contract("CertificateRegistry").address)
            found = [verifier.by_document(source, document, now, binding)]
        else:
            ((_, fingerprint),) = _hash_files([str(path)])
            found = verifier.by_fingerprint(source, fingerprint, now)
    finally:
        client.close()
    if not found:
        return [{"verdict": "NOT_FOUND", "checks": []}]
    return [
        {
            "verdict": v.verdict.value,
            "checks": [{"name": c.name, "status": c.status.value, "reason": c.reason} for c in v.checks],
        }
        for v in found
    ]


def cmd_status(args: argparse.Namespace) -> int:
    """Revoke, suspend or reinstate a certificate (or one document of it, from its wrapped document)."""
    import orjson

    certificate, leaf, proof = args.certificate, None, []
    if args.document:
        from pathlib import Path

        from ledger.documents import WrappedDocument, certificate_id

        wrapped = orjson.loads(Path(args.document).read_bytes())
        issuer = WrappedDocument(wrapped).value("issuer.address")
        if not isinstance(issuer, str):
            raise LedgerError(f"{args.document}: the document does not reveal its issuer's address")
        root = wrapped["proof"]["merkleRoot"]
        certificate = certificate_id(issuer, root)
        leaf = wrapped["proof"]["targetHash"]
        proof = wrapped["proof"]["proof"]
        if leaf == root:
            leaf = None
    if certificate is None:
        raise LedgerError("give a certificate id or --document DOC.json")
    client = _api(args, need_key=True)
    try:
        result = client.post(
            f"/certificates/{certificate}/{args.command}", {"reason": args.reason, "leaf": leaf, "proof": proof}
        )
    finally:
        client.close()
    print(
        f"{args.command}: transaction {result['tx_hash']} mined in block {result['block_number']} "
        "(pending until indexed)"
    )
    return 0


def cmd_partners(args: argparse.Namespace) -> int:
    """List the consortium's partners."""
    client = _api(args)
    try:
        page = client.get("/partners", type=args.type, status=args.status, limit=500)
    finally:
        client.close()
    for p in page["data"]:
        print(
            f"{p['address']}  {p['status']:<9} {p['org_type']:<21} {','.join(p['rights']) or '-':<14} "
            f"{p['display_name']} ({p['domain']})"
        )
    print(f"{len(page['data'])} partner(s), indexed to block {page['indexed_block']}")
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    """Create an encrypted issuer keystore and an API key bound to it."""
    import getpass

    from ledger.db.engine import make_engine, upgrade
    from ledger.keys import create_keystore, register_api_key

    settings = _settings(args)
    password = settings.keystore_password.get_secret_value()
    if not password:
        if not sys.stdin.isatty():
            raise LedgerError("set ORIGINALS_KEYSTORE_PASSWORD (no terminal to ask for the keystore password)")
        password = getpass.getpass("keystore password: ")
    private_key = None
    if args.devnet_account is not None:
        from ledger.devnet import devnet_key

        private_key = devnet_key(args.devnet_account)
    address, path = create_keystore(settings.keystore_dir, password, private_key)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            api_key = register_api_key(conn, address, path, args.name)
    finally:
        engine.dispose()
    print(f"issuer account {address}; encrypted keystore {path}")
    print(f"API key (shown once, store it now): {api_key}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="originals", description="Originals: certificates of originals on chain.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    index = commands.add_parser("index", help="mirror contract events into SQL and follow the chain")
    index.add_argument("--database-url", help="SQLAlchemy URL (env ORIGINALS_DATABASE_URL)")
    index.add_argument("--rpc-url", help="JSON-RPC URL of the chain (env ORIGINALS_RPC_URL)")
    index.add_argument("--poll-interval", type=float, help="seconds between head polls once caught up")
    index.add_argument("--confirmations", type=int, help="depth treated as final when the node has no finalized tag")
    index.add_argument("--once", action="store_true", help="stop when caught up with the head")
    index.add_argument("--reset", action="store_true", help="delete everything indexed so far and start again")
    index.add_argument(
        "--rescan-from-final",
        action="store_true",
        help="after a reorg deeper than the window: roll back to the last final block and index from there",
    )
    index.set_defaults(handler=cmd_index)

    def api_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--api-url", help="the Originals API (env ORIGINALS_API_URL; default http://127.0.0.1:8000)")
        p.add_argument("--api-key", help="an issuer API key (env ORIGINALS_API_KEY)")

    issue = commands.add_parser("issue", help="issue certificates for files; writes FILE.originals.json next to each")
    issue.add_argument("files", nargs="+", metavar="FILE")
    issue.add_argument("--batch", action="store_true", help="issue all files in one transaction (one Merkle root)")
    issue.add_argument("--kind", default="file", help="what the originals are (default: file)")
    issue.add_argument("--valid-until", type=int, help="expiry as Unix time")
    issue.add_argument(
        "--attribute",
        action="append",
        type=lambda kv: tuple(kv.split("=", 1)),
        metavar="NAME=VALUE",
        help="an attribute recorded in every document (repeatable)",
    )
    api_options(issue)
    issue.set_defaults(handler=cmd_issue)

    verify = commands.add_parser(
        "verify", help="verify an original file or a wrapped document (exit 0 VALID, 3 not valid, 1 error)"
    )
    verify.add_argument("target", metavar="FILE|DOC.json")
    verify.add_argument("--rpc-url", help="verify straight against the chain (no index, no API)")
    api_options(verify)
    verify.set_defaults(handler=cmd_verify)

    for action in ("revoke", "suspend", "reinstate"):
        sub = commands.add_parser(action, help=f"{action} a certificate or one document of it")
        sub.add_argument("certificate", nargs="?", help="the certificate id (0x...; `originals issue` prints it)")
        sub.add_argument("--document", help="a wrapped document: acts on that one document")
        sub.add_argument("--reason", type=int, required=True, help="reason code (e.g. 1 key compromise, 5 fraud)")
        api_options(sub)
        sub.set_defaults(handler=cmd_status)

    partners = commands.add_parser("partners", help="list the consortium's partners")
    partners.add_argument("--type", help="organisation type, e.g. UNIVERSITY")
    partners.add_argument("--status", help="e.g. ACTIVE")
    api_options(partners)
    partners.set_defaults(handler=cmd_partners)

    keys = commands.add_parser("keys", help="create an encrypted issuer keystore and an API key")
    keys.add_argument("--name", required=True, help="a label for the key, e.g. the issuer's name")
    keys.add_argument("--devnet-account", type=int, help="use anvil's N-th devnet key (devnets only)")
    keys.add_argument("--database-url", help="SQLAlchemy URL (env ORIGINALS_DATABASE_URL)")
    keys.set_defaults(handler=cmd_keys)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv)


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    """Parse, configure logging, run the command; map library errors to one line and an exit code."""
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        code: int = args.handler(args)
    except LedgerError as exc:
        print(f"originals {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # pydantic's ValidationError for bad settings
        first = str(exc).splitlines()
        print(f"originals {args.command}: invalid configuration: {' '.join(first[:3])}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"originals {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``originals partners | head``): not an error worth a traceback. Point stdout at
        # /dev/null so the interpreter's final flush does not fail again, and exit as a process killed by SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
