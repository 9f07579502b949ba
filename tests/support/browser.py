"""The browser tests' shared parts: Debian's Chromium driven by Playwright, a served stack, and a test wallet.

:func:`require_chromium` skips a browser test module on a machine without Chromium, except under CI, where `.ci/run`
installs it and the tests must run. :func:`serve` runs the API and its page with uvicorn in a thread.
:class:`InjectedWallet` is a test double for a browser wallet extension: a small EIP-1193 provider (``window.ethereum``)
injected into the page before its scripts run, whose requests reach Python through an exposed function and are
answered with anvil's devnet keys. The page's code is the code a real wallet talks to; it never sees a key.
Screenshots go to ``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from eth_account import Account

from api.main import create_app
from devtools.demo import Demo
from devtools.devnet import Anvil, devnet_key, free_port
from ledger.chain.rpc import RpcClient
from ledger.config import Settings
from ledger.events import ProposalKind
from ledger.indexer.runner import build_indexer
from ledger.signing.actions import sign
from support import devchain
from support.write_world import PASSWORD, write_keystore

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GALLERY = 5
"""The demo's gallery (anvil account 5), subject of the open proposal :func:`demo_site` adds to the demo."""
USER_REJECTED = 4001
"""EIP-1193's error code for a request the user rejected."""


def require_chromium() -> None:
    """Call at a browser test module's top: skip it without Chromium (fail under CI, which must run it)."""
    import pytest

    if CHROMIUM is not None:
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is required under CI (.ci/run installs Debian's chromium package)", pytrace=False)
    pytest.skip(
        "no Chromium on this machine: `apt-get install chromium` to run the browser tests", allow_module_level=True
    )


@contextmanager
def launch() -> Iterator[Any]:
    """A headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """The API and its page served by uvicorn on a free port, in a thread; yields the base URL."""
    port = free_port()
    app = create_app(settings.model_copy(update={"api_port": port}))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


DEMO_KEY_FILE = "demo-api-key.txt"
"""The demo issuer's API key (the textile mill's, devnet key 4), written into the demo folder as `make run` writes
``.devnet/demo-api-key.txt``."""


def issuer_api_key(settings: Settings, private_key: str, label: str) -> str:
    """An API key for the account of ``private_key``, its keystore written in the settings' keystore folder (whose
    password must be :data:`support.write_world.PASSWORD`, as :func:`demo_stack` has it)."""
    from ledger.db.engine import make_engine, upgrade
    from ledger.issuance.keys import register_api_key

    assert settings.keystore_password.get_secret_value() == PASSWORD
    settings.keystore_dir.mkdir(parents=True, exist_ok=True)
    path = write_keystore(settings.keystore_dir, private_key)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with engine.begin() as conn:
            return register_api_key(conn, str(Account.from_key(private_key).address).lower(), path, label)
    finally:
        engine.dispose()


@dataclass
class DemoStack:
    """The demo as served: the page's base URL, the demo folder, the chain (to act on it as a partner) and the
    settings the API runs with."""

    base: str
    demo: Path
    consortium: devchain.Consortium
    settings: Settings


@contextmanager
def demo_stack(tmp: Path, live: bool = False) -> Iterator[DemoStack]:
    """The page served over a fresh anvil seeded with the demo (the seed `make run` uses) and indexed once. The demo
    gets an open proposal with a vote each way, for the proposal pages: the bank proposes to suspend the gallery, the
    university votes against. As `make run`, the textile mill has an API key (in the demo folder's
    :data:`DEMO_KEY_FILE`). With ``live`` the indexer keeps following the chain (for pages that write: the issuer
    console follows its transactions until indexed)."""
    from support.groundtruth import Background

    with Anvil() as anvil:
        client = RpcClient(anvil.url)
        consortium = devchain.deploy(client, tmp / "deployments")
        demo_dir = tmp / "demo"
        assert Demo(client, consortium.deployment, demo_dir).seed()
        receipt = consortium.partner_tx(1, "propose", int(ProposalKind.SUSPEND), consortium.address(GALLERY), 0, 0)
        consortium.partner_tx(2, "vote", int(receipt.logs[0]["topics"][1], 16), False)
        settings = Settings(
            database_url=f"sqlite:///{tmp}/web.sqlite3",
            rpc_url=anvil.url,
            deployments_dir=tmp / "deployments",
            keystore_dir=tmp / "keystore",
            keystore_password=PASSWORD,
            poll_interval=0.2,
            # Not the default 20/second: a page load is 8 requests and a verification up to 4 more, and the tests
            # open page after page faster than a person, so a fixed one-second window could refuse a script of the
            # next page (tests/api/test_rate_limit.py tests the limit itself).
            rate_limit="off" if live else "100/second;3000/minute",
        )
        key = issuer_api_key(settings, devnet_key(4), "Weberei Lindner Textile Mill (demo)")
        (demo_dir / DEMO_KEY_FILE).write_text(key + "\n")
        setup = build_indexer(settings)
        setup.indexer.run(once=True)
        if not live:
            setup.client.close()
            with serve(settings) as base:
                yield DemoStack(base, demo_dir, consortium, settings)
            return
        with Background(lambda stop: setup.indexer.run(stop=stop), "indexer", join_timeout=30) as indexer:
            with serve(settings) as base:
                yield DemoStack(base, demo_dir, consortium, settings)
            indexer.finish()
        setup.client.close()


@contextmanager
def demo_site(tmp: Path) -> Iterator[tuple[str, Path]]:
    """The demo served (:func:`demo_stack`, indexed once); yields (base URL, demo folder)."""
    with demo_stack(tmp) as stack:
        yield stack.base, stack.demo


def screenshot(page: Any, name: str) -> None:
    """Save the whole page as ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


_PROVIDER = """
(() => {
  const listeners = {};
  const provider = {
    isOriginalsTestWallet: true,
    async request({ method, params }) {
      const answer = await window.__originalsTestWallet(method, params === undefined ? [] : params);
      if (answer.error) {
        const error = new Error(answer.error.message);
        error.code = answer.error.code;
        throw error;
      }
      return answer.result;
    },
    on(event, listener) { (listeners[event] = listeners[event] || []).push(listener); return provider; },
    removeListener(event, listener) {
      listeners[event] = (listeners[event] || []).filter((l) => l !== listener);
      return provider;
    },
    emit(event, value) { (listeners[event] || []).forEach((listener) => listener(value)); },
  };
  window.ethereum = provider;
})();
"""


class InjectedWallet:
    """An EIP-1193 wallet backed by anvil's devnet keys, for one page: the test selects the account it signs with.

    It answers ``eth_requestAccounts`` (the user connects the site) and then ``eth_accounts`` with the selected
    account, ``eth_chainId`` with
    ``chain_id``, and ``eth_signTypedData_v4`` by signing the typed data with the selected account's key
    (:func:`ledger.signing.actions.sign`, as the CLI signs with a keystore), or with error 4001 while ``rejecting``
    (the user pressed Reject). ``requests`` records every method the page asked for, and ``signed`` every typed data
    it signed.
    """

    def __init__(self, page: Any, chain_id: int, account: int | str) -> None:
        self.page = page
        self.chain_id = chain_id
        self.account = account
        self.rejecting = False
        self.connected = False
        self.requests: list[str] = []
        self.signed: list[dict[str, Any]] = []
        page.expose_function("__originalsTestWallet", self._request)
        page.add_init_script(_PROVIDER)

    @property
    def key(self) -> str:
        """The selected account's private key: anvil's account ``account``, or ``account`` itself when it is a key
        (the demo consortium's partners have keys derived from labels, see :func:`devtools.demo_partners.demo_key`)."""
        return self.account if isinstance(self.account, str) else devnet_key(self.account)

    @property
    def address(self) -> str:
        return str(Account.from_key(self.key).address).lower()

    def select(self, account: int | str) -> None:
        """Switch to anvil's account ``account`` (or the account of private key ``account``), telling the page as a
        wallet does (``accountsChanged``)."""
        self.account = account
        self.page.evaluate("address => window.ethereum.emit('accountsChanged', [address])", self.address)

    def _request(self, method: str, params: list[Any]) -> dict[str, Any]:
        self.requests.append(method)
        if method == "eth_requestAccounts":
            self.connected = True  # the user allowed this site, as a wallet remembers across page loads
        if method in ("eth_requestAccounts", "eth_accounts"):
            return {"result": [self.address] if self.connected else []}
        if method == "eth_chainId":
            return {"result": hex(self.chain_id)}
        if method == "eth_signTypedData_v4":
            if self.rejecting:
                return {"error": {"code": USER_REJECTED, "message": "User rejected the request."}}
            address, payload = params
            if str(address).lower() != self.address:
                return {"error": {"code": 4100, "message": f"{address} is not this wallet's selected account"}}
            typed = json.loads(payload)
            self.signed.append(typed)
            return {"result": sign(typed, self.key)}
        return {"error": {"code": 4200, "message": f"the test wallet does not support {method}"}}
