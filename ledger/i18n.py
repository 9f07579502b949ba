"""German and English: the language of a request or a command, its gettext catalogs, and dates as people read them.

Every text a person reads (the API's problem ``title``/``detail``, a check's ``reason``, the CLI's human output, the
web page) is written in English in the code, marked with :func:`_` (or :func:`N_` where it is only declared), and
translated from the gettext catalogs in ``ledger/locales/<language>/LC_MESSAGES/<domain>.po``: ``originals`` for the
Python code, ``web`` for the page's script. Codes (error names, statuses, check names in the JSON) never change with
the language; only the words do.

The language is a context variable: the API sets it per request from ``Accept-Language`` (or the page's remembered
choice), the CLI from ``--lang`` / ``ORIGINALS_LANG`` / ``LANG``; code that builds a text just calls :func:`_` and
need not pass a language around. The catalogs are read from the ``.po`` files themselves (no compiled ``.mo`` to go
stale), once per process. ``make messages`` extracts the texts and updates the catalogs; a test fails on any text
without its German translation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("en", "de")
"""The languages people can choose; the first is the default and the language of the code's texts."""
DEFAULT = LANGUAGES[0]
DOMAINS = ("originals", "web")
"""``originals``: the Python code's texts (API, verification, CLI); ``web``: the page's script (served as JSON)."""
LOCALES = Path(__file__).resolve().parent / "locales"
ZONE = ZoneInfo("Europe/Berlin")
"""The consortium's time zone: every date a person reads is shown in it, always with the zone's name."""

_language: ContextVar[str] = ContextVar("originals_language", default=DEFAULT)


def language() -> str:
    """The language of the current request or command (``en`` unless something chose another)."""
    return _language.get()


def set_language(code: str) -> None:
    """Choose the language for the rest of this context (the CLI's whole run, say). Unknown codes mean English."""
    _language.set(code if code in LANGUAGES else DEFAULT)


@contextlib.contextmanager
def use_language(code: str) -> Iterator[None]:
    """Speak ``code`` inside the block (a request, a test), then whatever was spoken before."""
    token = _language.set(code if code in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _language.reset(token)


def negotiate(accept_language: str | None, chosen: str | None = None) -> str:
    """The language to answer in: an explicit ``chosen`` one (the page's switch) if we have it, else the best of the
    ``Accept-Language`` header by its q-values (``de-DE,de;q=0.9,en;q=0.8`` -> ``de``), else English.
    """
    if chosen:
        code = chosen.strip().lower().split("-")[0].split("_")[0]
        if code in LANGUAGES:
            return code
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        code = tag.strip().lower().split("-")[0]
        if code == "*":
            code = DEFAULT
        if code in LANGUAGES and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else DEFAULT


def catalog_path(code: str, domain: str = "originals") -> Path:
    return LOCALES / code / "LC_MESSAGES" / f"{domain}.po"


@cache
def catalog(code: str, domain: str = "originals") -> Catalog:
    """The catalog of a language and domain, read once per process (an empty one for English, the code's language)."""
    path = catalog_path(code, domain)
    if code == DEFAULT or not path.exists():
        return Catalog(locale=code)
    with path.open("rb") as handle:
        return read_po(handle, locale=code, domain=domain)


def _lookup(msgid: str, domain: str, code: str) -> str | None:
    if code == DEFAULT:
        return None
    message = catalog(code, domain).get(msgid)
    if message is None or message.fuzzy or not message.string:
        return None
    return message.string if isinstance(message.string, str) else None


def gettext(msgid: str, /, **values: object) -> str:
    """``msgid`` in the current language, with ``{name}`` placeholders filled from ``values``.

    A text without a translation falls back to the English (a test keeps that from happening in a release).
    """
    text = _lookup(msgid, "originals", language()) or msgid
    return text.format(**values) if values else text


_ = gettext


def ngettext(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The singular or plural form for ``count`` (also available as ``{count}``), in the current language."""
    code = language()
    text = plural if count != 1 else singular
    if code != DEFAULT:
        message = catalog(code, "originals").get(singular)
        if message is not None and not message.fuzzy and isinstance(message.string, tuple | list):
            forms = [form for form in message.string if form]
            if len(forms) == 2:
                text = forms[0] if count == 1 else forms[1]
    return text.format(count=count, **values)


def N_(msgid: str) -> str:
    """Mark a text for translation where it is declared (a table of titles); :func:`_` translates it where used."""
    return msgid


def web_catalog(code: str) -> dict[str, str]:
    """The page script's translations for ``code`` (msgid -> text), served to the page as JSON."""
    if code == DEFAULT:
        return {}
    messages = catalog(code, "web")
    return {
        str(message.id): str(message.string)
        for message in messages
        if message.id
        and isinstance(message.id, str)
        and isinstance(message.string, str)
        and message.string
        and not message.fuzzy
    }


def _locale(code: str | None) -> Locale:
    try:
        return Locale.parse(code or language())
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT)


def format_when(when: int | datetime, code: str | None = None) -> str:
    """A moment as people in the consortium read it: in Europe/Berlin, in the locale's format, always with the zone.

    ``de``: ``07.12.2026, 23:00 MEZ``; ``en``: ``Dec 7, 2026, 11:00 PM CET``. Unix seconds are chain times.
    """
    moment = datetime.fromtimestamp(when, UTC) if isinstance(when, int) else when
    local = moment.astimezone(ZONE)
    locale = _locale(code)
    zone = format_time(local, "z", tzinfo=ZONE, locale=locale)
    if zone.startswith(("+", "-", "GMT", "UTC")):  # English has no short name for Central European Time in CLDR
        zone = local.tzname() or zone
    time = format_time(local, "short", tzinfo=ZONE, locale=locale)
    date = format_date(local, "medium", locale=locale)
    pattern = str(get_datetime_format("medium", locale=locale))  # "{1}, {0}": date, then time
    # CLDR puts a narrow no-break space before AM/PM; a plain one reads the same and survives terminals and grep.
    return f"{pattern.format(time, date)} {zone}".replace("\u202f", " ")


def format_number(value: int | float, code: str | None = None) -> str:
    """A number with the locale's grouping and decimal sign (``1.234,5`` in German, ``1,234.5`` in English)."""
    return format_decimal(value, locale=_locale(code))


def web_plurals(code: str) -> dict[str, list[str]]:
    """The page script's plural translations for ``code`` (singular msgid -> [singular, plural] in that language).

    Kept apart from :func:`web_catalog` (msgid -> text) so that its answer stays a plain mapping of texts; the page
    merges both into one table that its ``tn()`` reads.
    """
    if code == DEFAULT:
        return {}
    plurals: dict[str, list[str]] = {}
    for message in catalog(code, "web"):
        if message.fuzzy or not isinstance(message.id, tuple | list) or not isinstance(message.string, tuple | list):
            continue
        forms = [str(form) for form in message.string]
        if len(forms) == 2 and all(forms):
            plurals[str(message.id[0])] = forms
    return plurals
