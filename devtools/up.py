"""``originals up``: the whole system on one machine — devnet, contracts, demo data, indexer, API and web page.

Starts anvil with its state kept in ``.devnet/anvil-state.json`` (so a restart keeps the chain), runs the ape deploy
script against it (a no-op when the deployment is already there), seeds the demo consortium once, then runs the
indexer in a thread and the API in the foreground. Ctrl-C stops the API, then the indexer (after its current
transaction), then anvil (which writes its state). A second ``originals up`` continues with the chain and the
database as they were.

The deploy step runs ``ape run deploy`` as a subprocess: ape is a development tool of this project and is never
imported by the runtime.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from devtools.devnet import PROJECT_ROOT, Anvil, DevnetError
from ledger.config import Settings
from ledger.errors import LedgerError

log = logging.getLogger("originals.up")


@dataclass
class UpOptions:
    devnet_dir: Path
    rpc_port: int = 8545
    demo: bool = True
    fresh: bool = False
    demo_dir: Path = PROJECT_ROOT / "demo"


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def deploy(rpc_url: str, deployments_dir: Path) -> None:
    """Run the ape deploy script against the running devnet (prints its one-line outcome)."""
    ape = shutil.which("ape") or str(Path(sys.executable).with_name("ape"))
    if not Path(ape).exists():
        raise LedgerError("ape is not installed in this environment: run `make setup` (the deploy script needs it)")
    env = dict(os.environ)
    env["APE_FOUNDRY_HOST"] = rpc_url
    env.setdefault("SOLCX_BINARY_PATH", str(PROJECT_ROOT / ".solcx"))
    env["PATH"] = f"{PROJECT_ROOT / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("APE_DATA_FOLDER", str(PROJECT_ROOT / ".build" / "ape-data"))
    result = subprocess.run(
        [ape, "run", "deploy", "--network", "ethereum:local:foundry", "--deployments-dir", str(deployments_dir)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    if result.returncode != 0:
        raise LedgerError("deploy failed: " + (lines[-1] if lines else f"ape exited with {result.returncode}"))
    log.info("deploy: %s", lines[-1].strip() if lines else "done")


def banner(settings: Settings, rpc_url: str, demo_dir: Path, api_key_file: Path | None) -> str:
    page = f"http://{settings.api_host}:{settings.api_port}"
    lines = [
        "",
        "Originals is running:",
        f"  web page and API   {page}   (API docs: {page}/docs)",
        f"  devnet (anvil)     {rpc_url}   chain state: {settings.deployments_dir}/ + .devnet/",
        f"  index database     {settings.database_url}",
        "",
        "Try first:",
        f"  1. open {page} and drop a file from {demo_dir}/originals onto the page",
        "     (artwork-001.txt: its provenance, a sale, a museum loan, a restoration; watch-3104.txt: reported stolen)",
        f"  2. .venv/bin/originals verify {demo_dir}/originals/fabric-batch-0042.txt",
        f"  3. .venv/bin/originals verify {demo_dir}/certificates/diploma-003.txt.originals.json   (revoked)",
        "  4. .venv/bin/originals partners",
    ]
    if api_key_file is not None:
        lines.append(f"  5. issue: ORIGINALS_API_KEY=$(cat {api_key_file}) .venv/bin/originals issue SOME_FILE")
        lines.append(f"     or in the browser: {page}/console, signed in with the key in {api_key_file}")
    lines += ["", "Ctrl-C stops everything; `make run` again continues where this stopped.", ""]
    return "\n".join(lines)


def _demo_api_key(settings: Settings, devnet_dir: Path) -> Path:
    """A keystore and an API key for the demo textile mill (devnet key 4), created once."""
    from devtools.devnet import devnet_key
    from ledger.db.engine import make_engine, upgrade
    from ledger.issuance.keys import create_keystore, register_api_key

    key_file = devnet_dir / "demo-api-key.txt"
    if key_file.exists():
        return key_file
    address, path = create_keystore(settings.keystore_dir, settings.keystore_password.get_secret_value(), devnet_key(4))
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            api_key = register_api_key(conn, address, path, "Weberei Lindner Textile Mill (demo)")
    finally:
        engine.dispose()
    key_file.write_text(api_key + "\n")
    key_file.chmod(0o600)
    return key_file


DEVNET_RELAYER = 9
"""The devnet account that relays signed actions (apply, propose, vote, execute, leave) and pays their gas."""


def devnet_relayer(directory: Path, password: str) -> Path:
    """The keystore of the devnet's relayer (devnet key 9), created once; the API opens it (only on a devnet)."""
    from devtools.devnet import devnet_key
    from ledger.issuance.keys import create_keystore

    existing = sorted(directory.glob("0x*.json"))
    if existing:
        return existing[0]
    return create_keystore(directory, password, devnet_key(DEVNET_RELAYER))[1]


def run(options: UpOptions) -> int:
    """Start everything and block until Ctrl-C. Returns the exit code."""
    import uvicorn

    devnet_dir = options.devnet_dir
    if options.fresh and devnet_dir.exists():
        shutil.rmtree(devnet_dir)
    devnet_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ORIGINALS_DATABASE_URL", f"sqlite:///{devnet_dir / 'originals.sqlite3'}")
    os.environ.setdefault("ORIGINALS_RPC_URL", f"http://127.0.0.1:{options.rpc_port}")
    os.environ.setdefault("ORIGINALS_KEYSTORE_DIR", str(devnet_dir / "keystore"))
    os.environ.setdefault("ORIGINALS_KEYSTORE_PASSWORD", "devnet")
    os.environ.setdefault("ORIGINALS_POLL_INTERVAL", "0.2")
    if "ORIGINALS_RELAYER_KEYSTORE" not in os.environ:
        password = os.environ.setdefault("ORIGINALS_RELAYER_PASSWORD", "devnet")
        os.environ["ORIGINALS_RELAYER_KEYSTORE"] = str(devnet_relayer(devnet_dir / "relayer", password))
    settings = Settings()
    if not _port_free(options.rpc_port):
        raise DevnetError(f"port {options.rpc_port} is in use: stop what listens there, or pass --rpc-port")
    if not _port_free(settings.api_port):
        raise DevnetError(f"port {settings.api_port} is in use: stop what listens there, or set ORIGINALS_API_PORT")
    state_file = devnet_dir / "anvil-state.json"
    # A new chain for the demo starts in the past, so the consortium's history (admissions, proposals whose voting
    # period ran out) lies before today and the chain's clock meets the wall clock once it is seeded.
    from devtools.demo_consortium import genesis_timestamp

    anvil = Anvil(
        port=options.rpc_port,
        state_file=state_file,
        extra_args=("--gas-limit", "100000000", "--state-interval", "5"),
        accounts=10,
        genesis_timestamp=genesis_timestamp() if options.demo and not state_file.exists() else None,
    )
    log.info("starting anvil on %s (state in %s)", anvil.url, anvil.state_file)
    anvil.start()
    stop = threading.Event()
    indexer_thread: threading.Thread | None = None
    try:
        deploy(anvil.url, settings.deployments_dir.resolve())
        from ledger.chain.rpc import RpcClient
        from ledger.deployments import load_deployment

        client = RpcClient(anvil.url)
        deployment = load_deployment(int(client.call("eth_chainId"), 16), settings.deployments_dir)
        demo_dir = options.demo_dir
        api_key_file = None
        if options.demo:
            from devtools.demo import Demo

            if Demo(client, deployment, demo_dir).seed():
                log.info("demo consortium, certificates and provenance seeded; files in %s", demo_dir)
            api_key_file = _demo_api_key(settings, devnet_dir)
        from ledger.indexer.runner import build_indexer

        setup = build_indexer(settings)
        failure: list[BaseException] = []

        def index() -> None:
            try:
                setup.indexer.run(stop=stop)
            except BaseException as exc:  # reported by the main thread
                failure.append(exc)
                log.error("indexer stopped: %s", exc)

        indexer_thread = threading.Thread(target=index, name="indexer", daemon=True)
        indexer_thread.start()
        from api.main import create_app

        print(banner(settings, anvil.url, demo_dir, api_key_file), flush=True)
        config = uvicorn.Config(
            create_app(settings), host=settings.api_host, port=settings.api_port, log_level="warning"
        )
        server = uvicorn.Server(config)
        server.run()
        if failure:
            return 1
        if server.should_exit:
            # Stopped by Ctrl-C (or SIGTERM). uvicorn re-raises the signal once it has shut down, but whether that
            # reaches us as KeyboardInterrupt races with the end of asyncio's run (its SIGINT handler only cancels a
            # task that is still running), so the exit code would be 130 or 0 by chance: report it the same way.
            raise KeyboardInterrupt
        return 0
    finally:
        stop.set()
        if indexer_thread is not None:
            indexer_thread.join(timeout=15)
        log.info("stopping anvil (saving the chain state)")
        anvil.stop()
