"""What every command shares: settings from options and environment, the API client, file hashing, and the shell
around a command (logging, one-line errors, exit codes).

Exit codes scripts can rely on: 0 success, 1 failure, 2 usage (argparse), 3 "not valid" (`originals verify`),
130 interrupted. Errors the library raises on purpose (:class:`LedgerError`) print as one line on stderr.

The output is in the language of ``--lang``, else ``ORIGINALS_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``: ``de_DE.UTF-8`` is German), else English (:func:`cli_language`); ``--json`` output has no language. The
exit codes and the ``--json`` output never change with it.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ledger.errors import LedgerError
from ledger.i18n import DEFAULT, LANGUAGES, language, use_language
from ledger.i18n import gettext as _

if TYPE_CHECKING:
    from cli.client import ApiClient
    from ledger.config import Settings

log = logging.getLogger("originals")


def cli_language(chosen: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language of a run: ``--lang``, else ``ORIGINALS_LANG``, else the POSIX locale (``LC_ALL`` before
    ``LC_MESSAGES`` before ``LANG``; ``de_DE.UTF-8`` -> ``de``, ``C`` or ``POSIX`` -> English), else English."""
    env = os.environ if environ is None else environ
    for value in (chosen, env.get("ORIGINALS_LANG"), env.get("LC_ALL"), env.get("LC_MESSAGES"), env.get("LANG")):
        if value:
            code = value.strip().lower().split(".")[0].split("@")[0].replace("-", "_").split("_")[0]
            return code if code in LANGUAGES else DEFAULT
    return DEFAULT


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings (``ORIGINALS_*`` environment, ``.env``) with the command's options on top."""
    # Imported here: pydantic and pydantic-settings take ~0.2 s to import, which `--help` and usage errors need not pay.
    from ledger.config import Settings

    overrides: dict[str, Any] = {}
    for name in ("database_url", "rpc_url", "poll_interval", "confirmations"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return Settings(**overrides)


def api_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that talks to the API."""
    parser.add_argument("--api-url", help=_("the Originals API (env ORIGINALS_API_URL; default http://127.0.0.1:8000)"))
    parser.add_argument("--api-key", help=_("an issuer API key (env ORIGINALS_API_KEY)"))


def api_client(args: argparse.Namespace, need_key: bool = False) -> ApiClient:
    """A client of the API the options or the settings name; refuses to start a write without a key."""
    from cli.client import ApiClient

    settings = settings_of(args)
    key = args.api_key or (settings.api_key.get_secret_value() if settings.api_key else None)
    if need_key and not key:
        raise LedgerError(_("this command needs an issuer API key: --api-key or ORIGINALS_API_KEY"))
    lang = DEFAULT if getattr(args, "json", False) else None  # JSON output has no language: the API's English
    return ApiClient(args.api_url or settings.api_url, key, lang=lang)


def hash_files(paths: Sequence[str]) -> list[tuple[Any, str]]:
    """(path, fingerprint) for each file, with a progress bar from two files on; a missing file is an error."""
    from pathlib import Path

    from tqdm import tqdm

    from ledger.documents import fingerprint_stream

    files = [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise LedgerError(_("{path}: no such file", path=path))
    out = []
    for path in tqdm(files, desc=_("hashing"), unit=_("file"), file=sys.stderr, disable=len(files) < 2, leave=False):
        with path.open("rb") as handle:
            out.append((path, fingerprint_stream(handle)))
    return out


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    """Parse, configure logging, run the command; map library errors to one line and an exit code."""
    args = parser.parse_args(argv)
    with use_language(cli_language(getattr(args, "lang", None))):  # for this run only (tests call main() in-process)
        return _run(args)


def _configuration_error(exc: ValueError) -> str:
    """A bad setting in one line: pydantic's first lines in English (as always); in another language the first
    error's setting and its message in that language (``poll_interval: Eingabe muss eine gültige Zahl sein…``)."""
    english = " ".join(str(exc).splitlines()[:3])
    if language() == DEFAULT:
        return english
    from pydantic import ValidationError

    from api.validation import message

    if not isinstance(exc, ValidationError) or not exc.errors():
        return english
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {message(first)}" if where else message(first)


def _run(args: argparse.Namespace) -> int:
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
        print(_("originals {command}: error: {error}", command=args.command, error=exc), file=sys.stderr)
        return 1
    except ValueError as exc:  # pydantic's ValidationError for bad settings
        said = _configuration_error(exc)
        print(
            _("originals {command}: invalid configuration: {error}", command=args.command, error=said), file=sys.stderr
        )
        return 1
    except KeyboardInterrupt:
        print(_("originals {command}: interrupted", command=args.command), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``originals partners | head``): not an error worth a traceback. Point stdout at
        # /dev/null so the interpreter's final flush does not fail again, and exit as a process killed by SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    return code
