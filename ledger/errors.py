"""The project's exceptions: one root, and subclasses that also inherit the builtin they resemble.

Callers catch :class:`LedgerError` for anything this library raises on purpose; the API maps these to problem+json
responses and the CLI to one-line messages with a non-zero exit, in one place each.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Root of every error this library raises on purpose."""


class ConfigurationError(LedgerError, ValueError):
    """A setting, a manifest or a configuration file is missing or invalid."""


class DecodeError(LedgerError, ValueError):
    """A log could not be decoded into one of the registries' events."""


class UnknownEventError(DecodeError):
    """A log from a registry address carries a topic that none of the committed ABIs declares."""
