"""Accessibility of every page in a real browser: axe-core's WCAG 2.1 A and AA rules, the keyboard alone, and a phone.

axe-core is npm's (pinned in package-lock.json, installed by ``make browser``). The pages' Content Security Policy
allows no inline script, so the test evaluates axe's file in the page through the automation protocol, which the
policy does not govern, rather than through a ``<script>`` the page would refuse. The stack is the demo of
:func:`support.browser.demo_site` (as ``make run`` seeds it). Every page is checked in the states a visitor meets:
after it has loaded its answers, and the verify page with each kind of verdict shown, in English and in German (the
browser's language, as a German visitor's browser asks for it: the longer German words must fit too). Phone
screenshots (375 x 812) are saved under ``test-artifacts/phone-*.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from support.browser import DEMO_KEY_FILE, InjectedWallet, require_chromium, screenshot

from devtools.devnet import Anvil

require_chromium()

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 812}
MITTWEIDA = 10
"""A council member of the demo that has not voted on the open proposal (anvil's key 10, devtools/demo_partners.py)."""
PAGES = {
    "verify": ("/", "#drop"),
    "certificate": ("/c/{certificate}", "#verdict"),
    "directory": ("/directory", "#list table"),
    "partner": ("/p/{partner}", "#governance"),
    "browse": ("/browse", "#view table"),
    "proposals": ("/council/proposals", "#list table"),
    "proposal": ("/council/proposals/{proposal}", "#votes"),
    "apply": ("/apply", "#view form"),
    "propose": ("/council/propose", "#view form"),
    "console": ("/console", "#signin"),
    "digital-link": ("/01/04012345000108/21/BATCH-0042", "#originals table.timeline"),  # the demo fabric batch
    "docs": ("/docs", ".opblock"),
}
"""Each page: its path (with the demo's ids filled in) and what shows that it has loaded its answers."""
LOCALES = {"en": "en-US", "de": "de-DE"}
"""The page's languages and the browser locale that asks for each (Accept-Language and navigator.language)."""
VERDICTS = {
    "VALID": {"en": "VALID", "de": "Echt"},
    "REVOKED": {"en": "REVOKED", "de": "Widerrufen"},
    "NOT_FOUND": {"en": "NOT FOUND", "de": "Nicht gefunden"},
}


@pytest.fixture(scope="module")
def ids(site: tuple[str, Path]) -> dict[str, str]:
    """The demo's latest certificate, the gallery and the open proposal about it, for the pages that show one."""
    base, _ = site
    certificate = httpx.get(f"{base}/certificates", params={"limit": 1}).json()["data"][0]["id"]
    partners = httpx.get(f"{base}/partners", params={"limit": 500}).json()["data"]
    gallery = next(p["address"] for p in partners if p["display_name"].startswith("Kunstverein"))
    (proposal,) = httpx.get(f"{base}/proposals", params={"status": "open", "kind": "SUSPEND"}).json()["data"]
    return {"certificate": certificate, "partner": gallery, "proposal": str(proposal["proposal_id"])}


def violations(page: Any) -> list[tuple[str, str, list[str]]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now: (rule, impact, the first offending elements)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `make browser` installs axe-core from npm", pytrace=False)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate(
        "tags => axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })"
        ".then(r => ({ passed: r.passes.map(p => p.id), violations: r.violations.map(v => [v.id, v.impact,"
        " v.nodes.slice(0, 5).map(n => n.target.join(' '))]) }))",
        WCAG_21_AA,
    )
    assert "document-title" in found["passed"]  # the rules did run on this page
    return [(rule, impact, targets) for rule, impact, targets in found["violations"]]


def open_page(
    browser: Any, base: str, ids: dict[str, str], name: str, viewport: dict[str, int], language: str = "en"
) -> Any:
    path, loaded = PAGES[name]
    page = browser.new_page(viewport=viewport, locale=LOCALES[language])
    page.goto(base + path.format(**ids))
    page.wait_for_selector(loaded, timeout=15_000)
    page.wait_for_load_state("networkidle")
    if name != "docs":  # Swagger UI is English only, and says so
        assert page.evaluate("document.documentElement.lang") == language
    return page


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_no_wcag_21_aa_violation(
    browser: Any, site: tuple[str, Path], ids: dict[str, str], name: str, language: str
) -> None:
    page = open_page(browser, site[0], ids, name, {"width": 1100, "height": 900}, language)
    assert violations(page) == []
    page.close()


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize(
    ("original", "verdict"),
    [("fabric-batch-0042.txt", "VALID"), ("diploma-003.txt", "REVOKED"), ("random", "NOT_FOUND")],
)
def test_the_verify_page_shows_each_verdict_without_a_wcag_violation(
    browser: Any, site: tuple[str, Path], original: str, verdict: str, language: str, tmp_path: Path
) -> None:
    """The verdicts' colours (green, red, grey on their tints) are where contrast could fail; also on a phone."""
    base, demo = site
    file = demo / "originals" / original
    if original == "random":
        file = tmp_path / "random.bin"
        file.write_bytes(b"not an original of the demo")
    page = browser.new_page(viewport={"width": 1100, "height": 900}, locale=LOCALES[language])
    page.goto(base + "/")
    page.set_input_files("#file", str(file))
    page.wait_for_selector("#verdict", timeout=15_000)
    assert page.inner_text("#verdict") == VERDICTS[verdict][language]
    assert violations(page) == []
    page.set_viewport_size(PHONE)  # the verdict and its tables on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    suffix = "" if language == "en" else f"-{language}"
    screenshot(page, f"phone-verify-{verdict.lower().replace('_', '-')}{suffix}")
    assert violations(page) == []
    page.close()


def test_the_wallet_pages_have_no_wcag_violation_when_connected_and_when_refused(
    browser: Any, site: tuple[str, Path], ids: dict[str, str]
) -> None:
    """A council member's view: the vote buttons, the proposal and application forms, and a refusal's colours."""
    base, _ = site
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    wallet = InjectedWallet(page, Anvil.chain_id, MITTWEIDA)
    page.goto(f"{base}/council/proposals/{ids['proposal']}")
    page.wait_for_selector("#votes")
    page.click("#connect")
    page.wait_for_selector("#vote-yes:not([disabled])")
    assert violations(page) == []
    wallet.rejecting = True
    page.click("#vote-yes")
    page.wait_for_selector("#refusal")
    assert violations(page) == []
    for path in ("/council/propose", "/apply"):
        page.goto(base + path)
        page.wait_for_selector("#wallet-account")
        page.wait_for_selector("#view form")
        assert violations(page) == [], path
    page.close()


def test_the_issuer_console_signed_in_has_no_wcag_violation_and_fits_a_phone(
    browser: Any, site: tuple[str, Path]
) -> None:
    """Signed in with the demo key (the key `make run` writes): who is signed in, a file ready to issue with its
    fields, the issuer's certificates and the status form; on a desktop and on a phone. Then a refused sign-in."""
    base, demo = site
    key = (demo / DEMO_KEY_FILE).read_text().strip()
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(base + "/console")
    page.fill("#api-key", key)
    page.click("#signin-button")
    page.wait_for_selector("#own-certificates")
    page.set_input_files("#console-file", str(demo / "originals" / "fabric-batch-0042.txt"))
    page.wait_for_selector("#file-0")
    page.click("#own-certificates .change-status")
    page.wait_for_selector("#change-form")
    assert violations(page) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "phone-console-signed-in")
    assert violations(page) == []
    page.click("#signout")
    page.fill("#api-key", "orig_not-a-key")
    page.click("#signin-button")
    page.wait_for_selector("#signin-message .refused")
    assert violations(page) == []
    page.close()


def test_the_keyboard_alone_verifies_a_demo_file(browser: Any, site: tuple[str, Path]) -> None:
    """Tab from the top of the page to the drop zone, open the file chooser with Enter, then again with Space.

    The file chooser is answered by the automation's file-chooser API, as a person picks a file in the dialog. It is
    listened for from the start (not only around the key press): Chromium's dialog is intercepted only once a listener
    is registered, and registering it as the key goes down can be too late.
    """
    base, demo = site
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    picks = [demo / "originals" / "fabric-batch-0042.txt", demo / "originals" / "diploma-003.txt"]
    opened: list[str] = []

    def choose(chooser: Any) -> None:
        opened.append(chooser.element.get_attribute("id"))
        chooser.set_files(str(picks[len(opened) - 1]))

    page.on("filechooser", choose)
    page.goto(base + "/")
    page.wait_for_selector("#drop")
    focused = []
    for _ in range(20):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
        if focused[-1] == "drop":
            break
    header = [
        "Skip to content",
        "Originals",
        "Verify",
        "Partners",
        "Proposals",
        "Apply",
        "Certificates",
        "Issue",
        "API",
    ]
    # the links, the language switch, the wallet's Connect button, the drop zone
    assert focused == [*header, "Deutsch", "English", "connect", "drop"]
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # focus is visible
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#verdict')?.textContent === 'VALID'", timeout=15_000)
    assert page.inner_text(".issuer") == "Weberei Lindner Textile Mill"
    screenshot(page, "keyboard-verify-valid")
    page.focus("#drop")
    page.keyboard.press(" ")
    page.wait_for_function("() => document.querySelector('#verdict')?.textContent === 'REVOKED'", timeout=15_000)
    assert opened == ["file", "file"]
    page.close()


def test_the_skip_link_moves_the_keyboard_to_the_content(browser: Any, site: tuple[str, Path]) -> None:
    base, _ = site
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(base + "/")
    page.wait_for_selector("#drop")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "drop"
    page.close()


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_fits_a_phone_screen(
    browser: Any, site: tuple[str, Path], ids: dict[str, str], name: str, language: str
) -> None:
    """At 375 px nothing is wider than the screen (no sideways scrolling), and axe finds nothing there either."""
    page = open_page(browser, site[0], ids, name, PHONE, language)
    screenshot(page, f"phone-{name}" if language == "en" else f"phone-{name}-{language}")
    widths = page.evaluate(
        "({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " wider: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)"
        ".slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')) })"
    )
    assert widths["inner"] == PHONE["width"]
    assert widths["scroll"] <= widths["inner"], widths["wider"]
    assert violations(page) == []
    page.close()
