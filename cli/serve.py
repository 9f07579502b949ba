"""``originals serve`` (the API and the web page) and ``originals up`` (everything on a local devnet, for a first look
and for development: anvil, the contracts, the demo consortium, the indexer and the API)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ledger.errors import LedgerError
from ledger.i18n import gettext as _


def _devtools_up() -> Any:
    """``devtools.up`` from the checkout the command runs in: the devnet tools are not part of the runtime package."""
    import importlib
    import sys

    checkout = Path.cwd()
    if (checkout / "devtools" / "up.py").is_file() and str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    try:
        module = importlib.import_module("devtools.up")
    except ModuleNotFoundError as exc:
        if exc.name not in ("devtools", "devtools.up"):
            raise
        raise LedgerError(
            _("`originals up` is a development command: run it in a checkout of the repository (`make run`)")
        ) from None
    return module.UpOptions, module.run


def cmd_up(args: argparse.Namespace) -> int:
    """Devnet, contracts, demo data, indexer, API and web page, until Ctrl-C."""
    UpOptions, run = _devtools_up()

    options = UpOptions(
        devnet_dir=Path(args.devnet_dir),
        rpc_port=args.rpc_port,
        demo=not args.no_demo,
        fresh=args.fresh,
        demo_dir=Path(args.demo_dir),
    )
    return int(run(options))


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the API and web page only (the indexer runs separately: `originals index`)."""
    import uvicorn

    from api.main import create_app
    from ledger.config import Settings

    # --host/--port as settings, so that the public base URL that defaults to the listening address follows them.
    given = {"api_host": args.host, "api_port": args.port}
    settings = Settings(**{name: value for name, value in given.items() if value})
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_level="info")
    return 0


def register(commands: Any) -> None:
    up = commands.add_parser("up", help=_("run everything on a local devnet: anvil, contracts, demo, indexer, API"))
    up.add_argument("--devnet-dir", default=".devnet", help=_("where the chain state, database and keys live"))
    up.add_argument("--rpc-port", type=int, default=8545, help=_("anvil's port (default 8545)"))
    up.add_argument("--no-demo", action="store_true", help=_("do not seed the demo consortium and certificates"))
    up.add_argument("--fresh", action="store_true", help=_("delete the devnet folder first: a new chain and database"))
    up.add_argument("--demo-dir", default="demo", help=_("where the demo originals and certificates are written"))
    up.set_defaults(handler=cmd_up)
    serve = commands.add_parser("serve", help=_("run the API and web page (ORIGINALS_* settings)"))
    serve.add_argument("--host", help=_("listen address (env ORIGINALS_API_HOST)"))
    serve.add_argument("--port", type=int, help=_("listen port (env ORIGINALS_API_PORT)"))
    serve.set_defaults(handler=cmd_serve)
