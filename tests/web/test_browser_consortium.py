"""The consortium run from the web page in a real browser: apply, propose, vote, execute, each signed in a wallet.

The wallet is :class:`support.browser.InjectedWallet`, an EIP-1193 provider injected into the page by the test and
backed by anvil's devnet keys: a test double for the browser extension. The page's code is the code a real wallet
talks to (``eth_requestAccounts``, ``eth_chainId``, ``eth_signTypedData_v4``); it never sees a key. The stack is the
demo consortium (its council: the founders, anvil accounts 0, 1 and 2, and three partners that joined it, anvil's keys
10, 11 and 12; a majority of six is 4, and a proposal counts as its proposer's yes vote) with the devnet
relayer (account 9) and a live indexer, as `make run` has it. A screenshot per step is saved under
``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from support import devchain
from support.browser import InjectedWallet, require_chromium, screenshot, serve
from support.groundtruth import Background
from support.write_world import PASSWORD, write_keystore

from devtools.demo import Demo
from devtools.devnet import Anvil, devnet_key
from ledger.chain.rpc import RpcClient
from ledger.config import Settings
from ledger.events import ZERO_HASH, OrganisationType, ProposalKind
from ledger.indexer.runner import build_indexer

TOWN, BANK, UNIVERSITY = 0, 1, 2
"""The founding council (anvil accounts 0-2)."""
MITTWEIDA = 10
"""A council member that joined the founders in the demo consortium (anvil's key 10, see devtools/demo_partners.py)."""
MILL = 4
"""The demo's textile mill: an active partner with the issuer right, not council."""
GALLERY = 5
APPLICANT = 8
RELAYER = 9
NEWCOMER = {"name": "Atelier Verde Repair Cooperative", "domain": "atelier-verde.example", "type": "NGO"}

require_chromium()


@dataclass
class Stack:
    base: str
    rpc: RpcClient
    chain_id: int
    consortium: devchain.Consortium
    open_proposal: int
    """The bank's open proposal to suspend the gallery (no other vote), for the refusals."""

    def head(self) -> int:
        return int(self.rpc.call("eth_blockNumber"), 16)

    def sent(self) -> tuple[int, int]:
        """(head block, the relayer's pending transaction count): a refusal leaves both as they were."""
        count = self.rpc.call("eth_getTransactionCount", [self.consortium.address(RELAYER), "pending"])
        return self.head(), int(count, 16)

    def get(self, path: str) -> Any:
        response = httpx.get(self.base + path)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("web-consortium")
    with Anvil() as anvil:
        rpc = RpcClient(anvil.url)
        consortium = devchain.deploy(rpc, tmp / "deployments")
        assert Demo(rpc, consortium.deployment, tmp / "demo").seed()
        receipt = consortium.partner_tx(BANK, "propose", int(ProposalKind.SUSPEND), consortium.address(GALLERY), 0, 0)
        settings = Settings(
            database_url=f"sqlite:///{tmp}/web.sqlite3",
            rpc_url=anvil.url,
            deployments_dir=tmp / "deployments",
            poll_interval=0.2,
            relayer_keystore=write_keystore(tmp, devnet_key(RELAYER)),
            relayer_password=SecretStr(PASSWORD),
            relayer_rate_limit="off",
            relayer_global_rate_limit="off",
            relayer_application_rate_limit="off",
        )
        setup = build_indexer(settings)
        setup.indexer.run(once=True)
        with Background(lambda stop: setup.indexer.run(stop=stop), "indexer", join_timeout=30) as indexer:
            with serve(settings) as base:
                yield Stack(
                    base, rpc, consortium.deployment.chain_id, consortium, int(receipt.logs[0]["topics"][1], 16)
                )
            indexer.finish()
        setup.client.close()


def _page(browser: Any, stack: Stack, account: int | None, chain_id: int | None = None) -> tuple[Any, Any]:
    """A new page with the test wallet on ``account`` (None: no wallet at all), and the wallet."""
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    wallet = None if account is None else InjectedWallet(page, chain_id or stack.chain_id, account)
    return page, wallet


def _rows(page: Any, selector: str) -> list[list[str]]:
    return [row.split("\t") for row in page.locator(f"{selector} tbody tr").all_inner_texts()]


def test_an_applicant_applies_council_members_propose_and_vote_anyone_executes_and_the_partner_joins_the_directory(
    browser: Any, stack: Stack
) -> None:
    page, wallet = _page(browser, stack, APPLICANT)
    applicant = wallet.address
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    # 1. The applicant connects its wallet and applies.
    page.goto(stack.base + "/apply")
    page.click("#connect")
    page.wait_for_selector("#wallet-account")
    assert page.inner_text("#wallet-account") == applicant
    page.fill("input[name=displayName]", NEWCOMER["name"])
    page.fill("input[name=domain]", NEWCOMER["domain"])
    page.select_option("select[name=orgType]", label="NGO")
    screenshot(page, "admission-1-application-form")
    page.click("#apply")
    page.wait_for_selector("#applied", timeout=30_000)
    (application,) = stack.get(f"/partners/{applicant}/governance")["applications"]
    assert application["display_name"] == NEWCOMER["name"]
    assert page.inner_text("#applied") == (
        f"Your application was recorded on chain in block {application['block_number']}, transaction "
        f"{application['tx_hash']}. See your partner page."
    )
    assert _rows(page, "#outcome table.applications") == [
        [str(application["block_number"]), NEWCOMER["name"], "NGO", NEWCOMER["domain"]]
    ]
    assert "None yet: a council member proposes your admission." in page.inner_text("#outcome")
    assert wallet.signed[-1]["message"] == {
        "applicant": applicant,
        "orgType": int(OrganisationType.NGO),
        "displayName": NEWCOMER["name"],
        "domain": NEWCOMER["domain"],
        "metadataHash": ZERO_HASH,
        "nonce": 0,
        "deadline": wallet.signed[-1]["message"]["deadline"],
    }
    screenshot(page, "admission-2-applied")

    # 2. Council member A (the town) proposes the admission from the applicant's partner page.
    page.click("#partner-link")
    page.wait_for_selector("#propose-admission")
    wallet.select(TOWN)
    page.wait_for_function("a => document.querySelector('#wallet-account')?.textContent === a", arg=wallet.address)
    page.click("#propose-admission")
    page.wait_for_selector("#propose-form")
    assert page.input_value("input[name=subject]") == applicant
    assert page.input_value("#kind") == "ADMIT"
    page.wait_for_function("() => document.querySelector('#subject-name').textContent !== ''")
    assert page.inner_text("#subject-name") == (
        f"{NEWCOMER['name']} (NGO, {NEWCOMER['domain']}): applied, rights: none."
    )
    assert page.is_checked("input[name=rights][value='1']") and not page.is_checked("input[name=rights][value='2']")
    screenshot(page, "admission-3-proposal-form")
    page.click("#propose")
    page.wait_for_selector("#votes", timeout=30_000)
    (proposal,) = stack.get(f"/partners/{applicant}/governance")["proposals_about"]
    pid = proposal["proposal_id"]
    assert page.url == f"{stack.base}/council/proposals/{pid}"
    assert page.inner_text("#outcome").startswith(f"Your proposal {pid} was recorded in block ")
    assert page.inner_text("#summary") == f"Admit {NEWCOMER['name']} to the consortium with the issuer right."
    assert [row[:2] for row in _rows(page, "#votes")] == [["Town of Originals", "yes"]]
    assert page.inner_text("#executable") == "Not yet: 1 counted yes vote of the 4 needed."
    assert page.inner_text("#action-hint") == "Your account has voted yes on this proposal."
    assert [page.is_disabled(b) for b in ("#vote-yes", "#vote-no", "#execute")] == [True, True, True]
    screenshot(page, "admission-4-proposed")

    # 3. Three more council members vote yes on the page, each in their own wallet: the bank, the university and the
    # town of Mittweida. Four of the council of six is the majority.
    voters = [(BANK, "Cooperative Bank"), (UNIVERSITY, "University Blockchain Competence Centre")]
    voters.append((MITTWEIDA, "Stadtverwaltung Mittweida"))
    for count, (member, name) in enumerate(voters, start=2):
        wallet.select(member)
        page.wait_for_function(
            "() => document.querySelector('#action-hint')?.textContent.startsWith('You are an active council member')"
        )
        assert [page.is_disabled(b) for b in ("#vote-yes", "#vote-no", "#execute")] == [False, False, True]
        page.click("#vote-yes")
        page.wait_for_function(
            "n => document.querySelectorAll('#votes tbody tr').length === n", arg=count, timeout=30_000
        )
        assert page.inner_text("#outcome").startswith("Your yes vote was recorded in block ")
        assert _rows(page, "#votes")[-1][:3] == [name, "yes", "yes"]
    assert [row[:3] for row in _rows(page, "#votes")] == [
        ["Town of Originals", "yes", "yes"],
        ["Cooperative Bank", "yes", "yes"],
        ["University Blockchain Competence Centre", "yes", "yes"],
        ["Stadtverwaltung Mittweida", "yes", "yes"],
    ]
    assert page.inner_text("#executable") == "Yes: 4 counted yes votes reach the 4 needed."
    screenshot(page, "admission-5-voted")

    # 4. Anyone may carry it out: the applicant itself executes.
    wallet.select(APPLICANT)
    page.wait_for_function("() => document.querySelector('#action-hint')?.textContent.includes('not an active')")
    assert [page.is_disabled(b) for b in ("#vote-yes", "#vote-no", "#execute")] == [False, False, False]
    page.click("#execute")
    page.wait_for_selector("h1 .badge.passed", timeout=30_000)
    assert page.inner_text("#outcome").startswith(f"Proposal {pid} was carried out in block ")
    assert page.inner_text("#action-hint") == "This proposal is no longer open: nothing more can be done with it."
    screenshot(page, "admission-6-executed")

    # 5. The new partner is in the directory, active with the issuer right.
    page.click("nav >> text=Partners")
    page.select_option("select[name=type]", "NGO")
    page.click("#filters button")
    page.wait_for_selector(f"#list >> text={NEWCOMER['name']}")
    assert [row for row in _rows(page, "#list") if row[0] == NEWCOMER["name"]] == [
        [NEWCOMER["name"], "NGO", "Active", "Issuer", NEWCOMER["domain"]]
    ]
    screenshot(page, "admission-7-directory")
    assert [t["primaryType"] for t in wallet.signed] == ["Apply", "Propose", "Vote", "Vote", "Vote", "Execute"]
    assert set(wallet.requests) == {"eth_requestAccounts", "eth_accounts", "eth_chainId", "eth_signTypedData_v4"}
    assert [line for line in console if "Content Security Policy" in line] == []
    page.close()


def _proposal_page(page: Any, stack: Stack) -> None:
    page.goto(f"{stack.base}/council/proposals/{stack.open_proposal}")
    page.wait_for_selector("#votes")
    page.click("#connect")
    page.wait_for_selector("#wallet-account")
    page.wait_for_selector("#vote-yes:not([disabled])")


def test_a_signature_the_user_rejects_is_shown_and_nothing_is_sent(browser: Any, stack: Stack) -> None:
    page, wallet = _page(browser, stack, UNIVERSITY)
    _proposal_page(page, stack)
    wallet.rejecting = True
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    before = stack.sent()

    page.click("#vote-yes")
    page.wait_for_selector("#refusal")

    assert page.inner_text("#refusal") == (
        "You rejected the signature in your wallet: nothing was signed and nothing was sent."
    )
    assert posted == [f"{stack.base}/actions/prepare"]  # prepared, never posted to the votes route
    assert stack.sent() == before
    assert [row[:2] for row in _rows(page, "#votes")] == [["Cooperative Bank", "yes"]]
    assert not page.is_disabled("#vote-yes")  # the member can try again
    screenshot(page, "refusal-rejected-signature")
    page.close()


def test_a_vote_by_an_account_outside_the_council_shows_the_registrys_refusal_in_plain_words(
    browser: Any, stack: Stack
) -> None:
    page, wallet = _page(browser, stack, MILL)
    _proposal_page(page, stack)
    assert page.inner_text("#action-hint") == (
        f"Your account {wallet.address} is not an active council member: the registry will refuse its vote. "
        "Anyone may carry out a proposal once it has its majority."
    )
    before = stack.sent()

    page.click("#vote-yes")
    page.wait_for_selector("#refusal", timeout=30_000)

    assert page.inner_text("#refusal") == (
        f"The registry refuses: your account {wallet.address} is not an active council member: only active council "
        "members can propose and vote. Nothing was sent."
    )
    assert page.inner_text("#refusal-code") == "PartnerRegistryNotCouncil"
    assert stack.sent() == before  # the block number did not move, and the relayer sent nothing
    assert [t["primaryType"] for t in wallet.signed] == ["Vote"]
    screenshot(page, "refusal-not-council")
    page.close()


def test_a_wallet_on_another_chain_is_told_to_switch_before_anything_is_signed(browser: Any, stack: Stack) -> None:
    page, wallet = _page(browser, stack, UNIVERSITY, chain_id=1)
    _proposal_page(page, stack)
    before = stack.sent()

    page.click("#vote-no")
    page.wait_for_selector("#refusal")

    assert page.inner_text("#refusal") == (
        f"Your wallet is on chain 1, but this consortium's registry is on chain {stack.chain_id}: switch your wallet "
        f"to chain {stack.chain_id}, then try again. Nothing was signed or sent."
    )
    assert wallet.signed == []
    assert stack.sent() == before
    page.close()


def test_without_a_wallet_the_page_says_so_when_asked_to_connect(browser: Any, stack: Stack) -> None:
    page, _ = _page(browser, stack, None)
    page.goto(stack.base + "/apply")
    page.click("#connect")
    page.wait_for_selector("#wallet-message:not([hidden])")
    assert page.inner_text("#wallet-message") == (
        "No browser wallet was found. Install a wallet that supports the standard EIP-1193 interface (a browser "
        "extension), then reload this page to sign with your own key."
    )
    screenshot(page, "wallet-missing")
    page.close()


def test_the_forms_are_keyboard_accessible_with_a_label_for_every_field(browser: Any, stack: Stack) -> None:
    page, _ = _page(browser, stack, TOWN)
    for path, form in (("/apply", "#apply-form"), ("/council/propose", "#propose-form")):
        page.goto(stack.base + path)
        page.wait_for_selector(form)
        unlabelled = page.eval_on_selector_all(
            f"{form} input, {form} select",
            "fields => fields.filter(f => !f.closest('label') && !f.labels.length).map(f => f.name)",
        )
        assert unlabelled == []
    page.goto(stack.base + "/apply")
    page.wait_for_selector("#apply-form")
    page.focus("input[name=displayName]")
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.name || document.activeElement.id"))
    assert focused == ["domain", "orgType", "metadataHash", "apply"]
    page.close()


def _propose_on_the_page(page: Any, stack: Stack, kind: str, fill: dict[str, str]) -> int:
    """Choose ``kind`` on the proposal form, fill ``fill`` (selector -> value), sign and propose; the new proposal's id
    once the page shows it."""
    page.goto(stack.base + "/council/propose")
    page.wait_for_selector("#propose-form")
    if page.query_selector("#connect"):  # the first time only: the wallet then remembers the site
        page.click("#connect")
    page.wait_for_selector("#wallet-account")
    page.select_option("#kind", kind)
    for selector, value in fill.items():
        page.fill(selector, value)
    page.click("#propose")
    page.wait_for_selector("#votes", timeout=30_000)
    return int(page.url.rsplit("/", 1)[1])


def test_a_council_member_proposes_new_details_a_key_compromise_and_a_certificate_decision_on_the_page(
    browser: Any, stack: Stack
) -> None:
    """The decisions trust model v2 gave the council, from the page too: each proposal page says what it does."""
    page, wallet = _page(browser, stack, TOWN)
    mill = stack.consortium.address(MILL).lower()

    pid = _propose_on_the_page(
        page,
        stack,
        "CHANGE_DETAILS",
        {"#subject": mill, "#details-name": "Lindner Weaving Works", "#details-domain": "lindner-weaving.example"},
    )
    assert page.inner_text("#summary") == (
        "Change the details of Weberei Lindner Textile Mill to Lindner Weaving Works (SME, lindner-weaving.example)."
    )
    assert stack.get(f"/proposals/{pid}")["proposed_details"]["display_name"] == "Lindner Weaving Works"
    screenshot(page, "propose-details")

    gallery = stack.consortium.address(GALLERY).lower()
    pid = _propose_on_the_page(page, stack, "SET_COMPROMISED", {"#subject": gallery, "#cutoff": "2026-01-01T00:00:00"})
    proposal = stack.get(f"/proposals/{pid}")
    assert (proposal["kind"], proposal["subject"], proposal["compromised_after"]) == (
        "SET_COMPROMISED",
        gallery,
        1767225600,  # 2026-01-01 00:00:00 in the browser's time zone, UTC here
    )

    certificate = stack.get("/certificates?limit=1")["data"][0]["id"]
    pid = _propose_on_the_page(page, stack, "REVOKE_CERTIFICATE", {"#certificate": certificate, "#reason": "5"})
    proposal = stack.get(f"/proposals/{pid}")
    assert (proposal["kind"], proposal["target"], proposal["reason"]) == ("REVOKE_CERTIFICATE", certificate, 5)
    assert page.inner_text("#summary").startswith("Revoke ")
    assert [t["primaryType"] for t in wallet.signed] == ["ProposeDetails", "Propose", "ProposeCertificateDecision"]
    screenshot(page, "propose-certificate-decision")
    page.close()


def test_a_decision_missing_what_it_needs_is_refused_in_the_page_before_anything_is_signed(
    browser: Any, stack: Stack
) -> None:
    page, wallet = _page(browser, stack, TOWN)
    page.goto(stack.base + "/council/propose")
    page.wait_for_selector("#propose-form")
    page.select_option("#kind", "REVOKE_CERTIFICATE")
    assert page.is_disabled("#subject")  # a certificate decision is about a certificate, not a partner
    before = stack.sent()
    page.click("#propose")  # no certificate id given
    page.wait_for_selector("#refusal")
    assert page.inner_text("#refusal") == "Give the certificate id: 0x and 64 hex digits. Nothing was signed."
    page.select_option("#kind", "SET_COMPROMISED")
    page.fill("#subject", stack.consortium.address(GALLERY))
    page.click("#propose")  # no cut-off given
    page.wait_for_function(
        "() => document.querySelector('#refusal')?.textContent.startsWith('Say from when')", timeout=10_000
    )
    assert page.inner_text("#refusal") == "Say from when the key is compromised. Nothing was signed."
    assert wallet.signed == [] and stack.sent() == before
    page.close()
