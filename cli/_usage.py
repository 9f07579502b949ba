"""argparse in the run's language: its own texts (``usage:``, "the following arguments are required", "invalid
choice"...) translated from our catalog, so that ``--help`` and a usage error read as German as the rest of a run.

argparse takes its texts from the standard library's ``gettext`` (``_`` and ``ngettext`` bound in its module when it
is imported), which would need compiled ``.mo`` files of a domain installed process-wide. Instead :func:`install`
points argparse's ``_`` at :func:`ledger.i18n.gettext`, which reads the run's language from its context variable: in
English (the default, and every process that never chose German) it hands back argparse's own text unchanged, so the
English output is byte-identical to plain argparse. The texts below are argparse's (Python 3.11), declared with
:func:`N_` so that ``make messages`` extracts them; those only a programmer sees (conflicting options...) are left out.
"""

from __future__ import annotations

import argparse

from ledger.i18n import N_, gettext

ARGPARSE_TEXTS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)
"""argparse's texts a person running ``originals`` can meet, exactly as argparse writes them."""


def _argparse_gettext(message: str) -> str:
    """argparse's text in the run's language (``gettext`` without values: its ``%`` placeholders stay for argparse)."""
    return gettext(message)


def install() -> None:
    """Let argparse speak the run's language from now on (idempotent; English stays argparse's own)."""
    argparse._ = _argparse_gettext  # type: ignore[attr-defined]
