"""Every text a person reads has its German translation, and languages and dates are chosen as people expect."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po

from devtools.messages import extract
from ledger import i18n

PLACEHOLDER = re.compile(r"\{[a-z_0-9]*[^{}]*\}")


def _german(domain: str):  # type: ignore[no-untyped-def]
    with i18n.catalog_path("de", domain).open("rb") as handle:
        return read_po(handle, locale="de", domain=domain)


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_every_text_in_the_code_has_a_german_translation(domain: str) -> None:
    catalog = _german(domain)
    missing = []
    for key, where in sorted(extract(domain).items(), key=lambda item: str(item[0])):
        msgid = key if isinstance(key, str) else key[0]
        message = catalog.get(msgid)
        strings = [] if message is None else ([message.string] if isinstance(message.string, str) else message.string)
        if message is None or message.fuzzy or not strings or not all(strings):
            missing.append(f"{msgid!r} ({where[0]})")
    assert not missing, f"{len(missing)} texts without a German translation (run `make messages`):\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_the_catalog_holds_no_text_the_code_no_longer_uses(domain: str) -> None:
    used = {key if isinstance(key, str) else key[0] for key in extract(domain)}
    stale = sorted(
        str(message.id if isinstance(message.id, str) else message.id[0])
        for message in _german(domain)
        if message.id and (message.id if isinstance(message.id, str) else message.id[0]) not in used
    )
    assert stale == [], "texts no longer in the code (run `make messages`)"


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_a_translation_keeps_every_placeholder_of_its_text(domain: str) -> None:
    wrong = []
    for message in _german(domain):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) - wanted or (
                len(ids) == 1 and set(PLACEHOLDER.findall(string)) != wanted
            ):
                wrong.append((ids[0], string))
    assert wrong == []


@pytest.mark.parametrize(
    ("header", "chosen", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", None, "de"),
        ("en-US,en;q=0.9,de;q=0.8", None, "en"),
        ("fr-FR,fr;q=0.9,de;q=0.5", None, "de"),
        ("fr-FR", None, "en"),
        ("de;q=0, en", None, "en"),
        ("de;q=0.3, en;q=0.2", None, "de"),
        ("en;q=0.5, de", None, "de"),
        ("de;q=abc, en", None, "en"),
        (None, None, "en"),
        ("", None, "en"),
        ("de-DE", "en", "en"),
        ("en", "de", "de"),
        ("en", "de-AT", "de"),
        ("de", "xx", "de"),
    ],
)
def test_the_language_is_the_remembered_choice_else_the_best_accepted_one(
    header: str | None, chosen: str | None, expected: str
) -> None:
    assert i18n.negotiate(header, chosen) == expected


def test_a_text_is_translated_in_the_language_of_its_context_and_english_elsewhere() -> None:
    catalog = _german("originals")
    message = next(
        m for m in catalog if m.id and isinstance(m.id, str) and m.string and not m.fuzzy and "{" not in m.id
    )
    with i18n.use_language("de"):
        assert i18n.gettext(message.id) == message.string
        with i18n.use_language("en"):
            assert i18n.gettext(message.id) == message.id
        assert i18n.language() == "de"
    assert i18n.language() == "en"
    assert i18n.gettext(message.id) == message.id


def test_an_untranslated_text_falls_back_to_english_with_its_values() -> None:
    with i18n.use_language("de"):
        assert i18n.gettext("no such text {n}", n=3) == "no such text 3"


@pytest.mark.parametrize(
    ("when", "code", "expected"),
    [
        (datetime(2026, 12, 7, 22, 0, tzinfo=UTC), "de", "07.12.2026, 23:00 MEZ"),
        (datetime(2026, 12, 7, 22, 0, tzinfo=UTC), "en", "Dec 7, 2026, 11:00 PM CET"),
        (datetime(2026, 7, 2, 13, 46, tzinfo=UTC), "de", "02.07.2026, 15:46 MESZ"),
        (datetime(2026, 7, 2, 13, 46, tzinfo=UTC), "en", "Jul 2, 2026, 3:46 PM CEST"),
        (1_767_225_600, "de", "01.01.2026, 01:00 MEZ"),
    ],
)
def test_dates_are_shown_in_berlin_time_in_the_locales_format_with_the_zone(
    when: datetime | int, code: str, expected: str
) -> None:
    assert i18n.format_when(when, code) == expected


def test_numbers_use_the_locales_signs() -> None:
    assert i18n.format_number(1234567.5, "de") == "1.234.567,5"
    assert i18n.format_number(1234567.5, "en") == "1,234,567.5"
