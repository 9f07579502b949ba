"""Extract the texts people read from the code and keep the German catalogs in step (``make messages``).

Two gettext domains (see :mod:`ledger.i18n`): ``originals``, every ``_("…")`` / ``N_("…")`` / ``ngettext("…", "…", n)``
in ``ledger/``, ``api/`` and ``cli/``; and ``web``, every ``t("…")`` in the page's scripts (``api/web/static/*.js``)
and every ``data-t="…"`` in its HTML shell. ``python -m devtools.messages`` rewrites
``ledger/locales/de/LC_MESSAGES/<domain>.po``: new texts are added untranslated, gone ones are dropped, translations are
kept. ``tests/ledger/test_translations.py`` uses :func:`extract` to fail on any text without a German translation.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.jslexer import unquote_string
from babel.messages.pofile import read_po, write_po

from ledger.i18n import DOMAINS, LANGUAGES, catalog_path

ROOT = Path(__file__).resolve().parents[1]
PYTHON_PACKAGES = ("ledger", "api", "cli")
WEB = ROOT / "api" / "web" / "static"
PYTHON_KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
HTML_TEXT = re.compile(r'data-t(?:-[a-z-]+)?="([^"]+)"')
"""Texts of the page's HTML shell: ``<span data-t="Verify">Verify</span>``, ``data-t-aria-label="…"``."""

Message = str | tuple[str, str]
STABLE_DATE = datetime(2026, 12, 7, tzinfo=UTC)
"""The catalogs' header dates stay put, so that regenerating them changes only what changed in the texts."""


def _collect(results: Iterable[tuple[str, int, object, list[str], object]]) -> dict[Message, list[str]]:
    found: dict[Message, list[str]] = {}
    for filename, lineno, message, _comments, _context in results:
        key: Message = message if isinstance(message, str) else (str(message[0]), str(message[1]))  # type: ignore[index]
        if key:
            found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


JS_STRING = r"""('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
JS_CALL = re.compile(rf"(?<![\w$])(t|tn)\(\s*{JS_STRING}(?:\s*,\s*{JS_STRING})?")
"""``t('…')`` and ``tn('…', '…', n)`` with literal texts, wherever they are in a script.

Not Babel's javascript extractor: the page builds its HTML in template literals, and Babel sees a call inside one's
``${…}`` only when nothing around it has a quote or a brace (``alt="${esc(t('…'))}"``, an object literal), so texts
there would go unextracted and untested.
"""


def _calls(script: Path) -> Iterable[tuple[int, Message]]:
    source = script.read_text(encoding="utf-8")
    for match in JS_CALL.finditer(source):
        lineno = source.count("\n", 0, match.start()) + 1
        name, first, second = match.groups()
        if name == "t":
            yield lineno, unquote_string(first)
        elif second is not None:
            yield lineno, (unquote_string(first), unquote_string(second))


def extract(domain: str) -> dict[Message, list[str]]:
    """Every text of ``domain`` in the code (a string, or a (singular, plural) pair), with where it is used."""
    if domain == "originals":
        found: dict[Message, list[str]] = {}
        for package in PYTHON_PACKAGES:
            results = extract_from_dir(ROOT / package, [("**.py", "python")], keywords=PYTHON_KEYWORDS)
            for key, where in _collect((f"{package}/{f}", n, m, c, x) for f, n, m, c, x in results).items():
                found.setdefault(key, []).extend(where)
        return found
    scripts = sorted(WEB.glob("*.js"))
    found = _collect((script.name, n, message, [], None) for script in scripts for n, message in _calls(script))
    for page in sorted(WEB.glob("*.html")):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for text in HTML_TEXT.findall(line):
                found.setdefault(text, []).append(f"{page.name}:{number}")
    return found


def update(domain: str, code: str) -> tuple[int, int]:
    """Bring one catalog in step with the code; answers (texts in it, texts still untranslated)."""
    path = catalog_path(code, domain)
    old = Catalog(locale=code, domain=domain)
    if path.exists():
        with path.open("rb") as handle:
            old = read_po(handle, locale=code, domain=domain)
    new = Catalog(
        locale=code,
        domain=domain,
        project="Originals",
        version="1",
        copyright_holder="the Originals authors",
        msgid_bugs_address="",
        creation_date=old.creation_date if path.exists() else STABLE_DATE,
        revision_date=STABLE_DATE,
        last_translator="the Originals team",
        language_team="Deutsch",
        charset="utf-8",
        fuzzy=False,
    )
    for key, where in sorted(extract(domain).items(), key=lambda item: str(item[0])):
        msgid = key if isinstance(key, str) else key[0]
        previous = old.get(msgid)
        string: str | tuple[str, str] = "" if isinstance(key, str) else ("", "")
        if previous is not None and previous.string:
            string = previous.string  # type: ignore[assignment]
        locations = [(spot.rsplit(":", 1)[0], int(spot.rsplit(":", 1)[1])) for spot in where]
        new.add(key, string, locations=locations)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, new, width=120, omit_header=False, sort_output=True, include_lineno=False)
    missing = sum(1 for message in new if message.id and not _translated(message.string))
    return len(new), missing


def _translated(string: object) -> bool:
    if isinstance(string, str):
        return bool(string)
    return isinstance(string, tuple | list) and all(string)


def main() -> int:
    for domain in DOMAINS:
        for code in LANGUAGES[1:]:
            total, missing = update(domain, code)
            print(f"{catalog_path(code, domain).relative_to(ROOT)}: {total} texts, {missing} without a translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
