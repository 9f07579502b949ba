"""GS1 Digital Link identifiers of originals: a GTIN and a serial number, as a URI and as the provenance registry's
``identifier``.

An original with a GTIN (a trade item) and a serial is registered under ``keccak256`` of its canonical GS1 Digital
Link URI, ``https://id.gs1.org/01/{gtin14}/21/{serial}``: the GS1 resolver's own domain, so the identifier does not
depend on which server resolves it, and anyone holding the item (its label, its QR code) can compute it. Our server
resolves the same path (``/01/{gtin}/21/{serial}``) to the original's page, and the QR code on that page carries our
server's URI of that path, which is GS1 Digital Link in form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from eth_hash.auto import keccak

from ledger.errors import LedgerError
from ledger.i18n import gettext as _

CANONICAL_ORIGIN = "https://id.gs1.org"
"""The origin the identifier is computed with (GS1's resolver), whatever server resolves the link."""

_SERIAL = re.compile(r"^[!%-?A-Z_a-z\"]{1,20}$")
"""GS1 AI (21): up to 20 characters of GS1 AI encodable character set 82."""


class InvalidDigitalLink(LedgerError, ValueError):
    """A GTIN with a wrong length or check digit, a serial GS1 does not allow, or a URI that is no Digital Link."""


@dataclass(frozen=True)
class DigitalLink:
    """A GTIN (normalised to 14 digits) and a serial number."""

    gtin: str
    serial: str

    @property
    def path(self) -> str:
        """``/01/{gtin14}/21/{serial}``, the serial percent-encoded as GS1 Digital Link requires."""
        return f"/01/{self.gtin}/21/{quote(self.serial, safe='')}"

    @property
    def uri(self) -> str:
        """The canonical URI, on GS1's resolver."""
        return CANONICAL_ORIGIN + self.path

    @property
    def identifier(self) -> str:
        """The provenance registry's identifier: keccak256 of the canonical URI, 0x + 64 hex digits."""
        return "0x" + keccak(self.uri.encode()).hex()

    def on(self, base_url: str) -> str:
        """The same path on another resolver (our server): what the QR code carries."""
        return base_url.rstrip("/") + self.path


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def digital_link(gtin: str, serial: str) -> DigitalLink:
    """A checked :class:`DigitalLink`: a GTIN-8, -12, -13 or -14 with a right check digit (padded to 14 digits) and a
    serial of 1-20 GS1 characters."""
    digits = gtin.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise InvalidDigitalLink(_("a GTIN has 8, 12, 13 or 14 digits, got {gtin!r}", gtin=gtin[:40]))
    digits = digits.zfill(14)
    if gtin_check_digit(digits[:-1]) != int(digits[-1]):
        raise InvalidDigitalLink(_("the GTIN {gtin} has a wrong check digit", gtin=gtin))
    if not _SERIAL.match(serial):
        raise InvalidDigitalLink(
            _(
                "a serial number has 1 to 20 GS1 characters (letters, digits, some signs), got {serial!r}",
                serial=serial[:40],
            )
        )
    return DigitalLink(digits, serial)


_PATH = re.compile(r"^(?:https?://[^/]+)?(?:/[^/]*)*?/01/(\d{8,14})/21/([^/?#]+)(?:[/?#].*)?$")


def parse(uri: str) -> DigitalLink:
    """The GTIN and serial of a GS1 Digital Link URI on any resolver (``https://example.com/01/…/21/…``)."""
    found = _PATH.match(uri.strip())
    if found is None:
        raise InvalidDigitalLink(_("not a GS1 Digital Link with a GTIN and a serial: {uri!r}", uri=uri[:120]))
    return digital_link(found.group(1), unquote(found.group(2)))
