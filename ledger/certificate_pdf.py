"""The PDF certificate: one A4 page, PDF/A-3B, for a certificate as the index judges it, with its document attached.

What a holder prints, files or mails: the original (name, kind, attributes, when a certificate document reveals them),
the issuer's name and type, the dates, the verdict at the time of printing with the indexed block it was read at, and a
QR code of the verification link. When it is made from a wrapped certificate document, that document is embedded as
the PDF's associated file (``AFRelationship /Source``: the page is a rendering of it), so dropping the PDF onto the
verify page verifies the document itself (:func:`extract_document`).

The bytes depend only on what the page shows: the fonts are the DejaVu TTFs named by the settings (from the pinned npm
package ``dejavu-fonts-ttf``, subset and embedded), the creation date is the moment the shown status took effect, and
the file identifier is a hash of the content. The same certificate at the same indexed block gives the same bytes on
every machine. Nothing here knows HTTP; the API's routes turn the errors into problems.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import orjson
import pikepdf
import segno
from fpdf import FPDF

from ledger.errors import LedgerError
from ledger.i18n import format_number, language
from ledger.i18n import gettext as _
from ledger.verification.rules import CheckStatus, Verification
from ledger.words import moment, org_type, verdict

ATTACHMENT_NAME = "certificate.originals.json"
"""The embedded document's file name (a certificate document's usual suffix, so a reader saves it as one)."""
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono.ttf"}
"""The fonts a page uses, by fpdf2 style, from the DejaVu folder the settings name."""
PRODUCER = "Originals"


class PdfError(LedgerError, ValueError):
    """A PDF that is not one, or that carries no readable certificate document; the message says which."""


class FontsMissing(LedgerError, FileNotFoundError):
    """The DejaVu fonts are not where the settings say (``make setup`` installs them from npm)."""


@dataclass(frozen=True)
class CertificateSheet:
    """What one PDF certificate shows, in the words of the certificate page."""

    certificate_id: str
    verdict: str
    status_reason: str
    link: str
    indexed_block: int | None
    issuer_address: str | None = None
    issuer_name: str | None = None
    issuer_type: str | None = None
    issued_at: int | None = None
    valid_until: int | None = None
    fingerprint: str | None = None
    status_since: int | None = None
    original_name: str | None = None
    original_kind: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    document: bytes | None = None
    """The wrapped certificate document to embed, as presented (None: the server never holds documents)."""


def sheet(
    verification: Verification,
    link: str,
    indexed_block: int | None,
    document: Mapping[str, Any] | None = None,
    document_bytes: bytes | None = None,
) -> CertificateSheet:
    """The sheet of a verified certificate (``verification.facts.issued`` must hold), with the original's fields that
    ``document`` (a wrapped document, already verified) reveals."""
    facts = verification.facts
    if facts is None or not facts.issued:
        raise ValueError(_("a PDF certificate is only made for a certificate the index holds"))
    identity = next((c for c in verification.checks if c.name == "ISSUER_IDENTITY"), None)
    details = identity.details if identity is not None else {}
    failed = [c for c in verification.checks if c.status is CheckStatus.INVALID]
    status = next((c for c in verification.checks if c.name == "ISSUANCE_STATUS"), None)
    reason = failed[0].reason if failed else (status.reason if status is not None else "")
    times = [t for t in (facts.issued_at, facts.root_status.at, facts.leaf_status.at) if t]
    if verification.verdict.value == "EXPIRED" and facts.valid_until:
        times.append(facts.valid_until)
    data = _revealed(document)
    original = data.get("original", {})
    leaf_is_root = facts.leaf == facts.root
    return CertificateSheet(
        certificate_id=facts.id if leaf_is_root or document is not None else facts.leaf,
        verdict=verification.verdict.value,
        status_reason=reason,
        link=link,
        indexed_block=indexed_block,
        issuer_address=facts.issuer,
        issuer_name=_text(details.get("name")),
        issuer_type=_text(details.get("type")),
        issued_at=facts.issued_at,
        valid_until=facts.valid_until,
        fingerprint=_text(original.get("fingerprint")) or facts.fingerprint,
        status_since=max(times) if times else None,
        original_name=_text(original.get("name")),
        original_kind=_text(original.get("kind")),
        attributes=dict(original.get("attributes", {})),
        document=document_bytes,
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _revealed(document: Mapping[str, Any] | None) -> dict[str, Any]:
    """The revealed values of a wrapped document's ``data`` (each ``<salt>:<JSON value>``), nested as in the document;
    hidden fields are simply absent."""
    if document is None:
        return {}

    def walk(node: Any) -> Any:
        if isinstance(node, Mapping):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, str) and ":" in node:
            return orjson.loads(node.split(":", 1)[1])
        return node

    data = walk(document.get("data", {}))
    return data if isinstance(data, dict) else {}


def when(unix: int | None) -> str:
    """A time as the certificate page writes it: Berlin time in the locale's format, with the zone."""
    if not unix:
        return "—"
    return moment(unix)


def render(certificate: CertificateSheet, font_dir: Path) -> bytes:
    """The PDF/A-3B certificate of ``certificate``.

    Raises:
        FontsMissing: a DejaVu font is not in ``font_dir``.
    """
    # The file identifier is fpdf2's default: an MD5 of the bytes and the creation date, so it follows the content.
    pdf = FPDF(format="A4", unit="mm", enforce_compliance="PDF/A-3B")
    created = datetime.fromtimestamp(certificate.status_since or certificate.issued_at or 0, UTC)
    pdf.set_creation_date(created)
    heading = _("Certificate of an original")
    title = f"{heading} — {certificate.original_name or certificate.certificate_id}"
    pdf.set_title(title)
    pdf.set_producer(PRODUCER)
    pdf.set_creator(PRODUCER)
    pdf.set_lang(language())
    pdf.set_xmp_metadata(_xmp(title, created))
    for style, name in FONT_FILES.items():
        path = font_dir / name
        if not path.is_file():
            raise FontsMissing(
                _("{path} is missing: run make setup (the fonts come from npm's dejavu-fonts-ttf)", path=path)
            )
        if style == "mono":
            pdf.add_font("DejaVuMono", "", str(path))
        else:
            pdf.add_font("DejaVu", style, str(path))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    _qr(pdf, certificate.link, x=150, y=15, size=45)
    pdf.set_font("DejaVu", "B", 20)
    pdf.set_xy(15, 18)
    pdf.multi_cell(130, 9, heading)
    pdf.set_font("DejaVu", "B", 16)
    pdf.set_x(15)
    pdf.multi_cell(130, 8, verdict(certificate.verdict))
    pdf.set_font("DejaVu", "", 10)
    pdf.set_x(15)
    pdf.multi_cell(130, 5, certificate.status_reason, align="L")
    pdf.set_y(max(pdf.get_y(), 62) + 4)
    rows: list[tuple[str, str, bool]] = []
    if certificate.original_name is not None:
        rows.append((_("Original"), certificate.original_name, False))
    if certificate.original_kind is not None:
        rows.append((_("Kind"), certificate.original_kind, False))
    rows += [(f"  {name}", _scalar(value), False) for name, value in sorted(certificate.attributes.items())]
    if certificate.fingerprint:
        rows.append((_("Fingerprint"), certificate.fingerprint, True))
    issuer = certificate.issuer_name or certificate.issuer_address or "—"
    if certificate.issuer_type:
        issuer += f" ({org_type(certificate.issuer_type)})"
    status = _("{verdict} since {when}", verdict=verdict(certificate.verdict), when=when(certificate.status_since))
    rows += [
        (_("Issuer"), issuer, False),
        (_("Issuer address"), certificate.issuer_address or "—", True),
        (_("Issued"), when(certificate.issued_at), False),
        (_("Valid until"), when(certificate.valid_until) if certificate.valid_until else _("no expiry"), False),
        (_("Status"), status, False),
        (_("Read at"), _("indexed block {block}", block=certificate.indexed_block), False),
        (_("Certificate"), certificate.certificate_id, True),
    ]
    for label, value, mono in rows:
        pdf.set_x(15)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(40, 6, label)
        pdf.set_font("DejaVuMono" if mono else "DejaVu", "", 9 if mono else 10)
        pdf.multi_cell(140, 6, value, align="L")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_x(15)
    pdf.multi_cell(180, 5, _("Verify at {link} (the QR code links there).", link=certificate.link), align="L")
    pdf.set_x(15)
    if certificate.document is not None:
        note = _(
            "The certificate document is attached to this PDF ({name}): drop the PDF or the document onto "
            "the verify page to check it.",
            name=ATTACHMENT_NAME,
        )
        pdf.embed_file(
            bytes=certificate.document,
            basename=ATTACHMENT_NAME,
            modification_date=created,
            creation_date=created,
            mime_type="application/json",
            associated_file_relationship="Source",
            desc="the wrapped certificate document this page shows",
            compress=True,
        )
    else:
        note = _(
            "This PDF carries no certificate document: the issuer gave it to the holder, and the server never keeps "
            "it. The status above is the certificate's as a whole."
        )
    pdf.multi_cell(180, 5, note, align="L")
    return bytes(pdf.output())


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _qr(pdf: FPDF, link: str, x: float, y: float, size: float) -> None:
    """The verification link as a QR code of filled squares (vector: sharp at any scale, no image to embed)."""
    code = segno.make(link, error="m")
    matrix = code.matrix
    border = 2
    module = size / (len(matrix) + 2 * border)
    pdf.set_fill_color(0, 0, 0)
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                pdf.rect(x + (column + border) * module, y + (row + border) * module, module, module, style="F")


def _xmp(title: str, created: datetime) -> str:
    """The XMP metadata PDF/A requires, with the creation date as modification date too (fpdf2's own XMP stamps the
    time of rendering, which would make every rendering differ)."""
    stamp = escape(created.isoformat(timespec="seconds"))
    return "\n".join(
        [
            '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="fpdf2">',
            '  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"',
            '    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
            '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">',
            '    <rdf:Description rdf:about=""',
            f'        xmp:CreatorTool="{PRODUCER}" xmp:CreateDate="{stamp}" xmp:ModifyDate="{stamp}"',
            f'        xmp:MetadataDate="{stamp}" pdf:Producer="{PRODUCER}">',
            "      <pdfaid:part>3</pdfaid:part>",
            "      <pdfaid:conformance>B</pdfaid:conformance>",
            "      <dc:title><rdf:Alt>",
            f'        <rdf:li xml:lang="x-default">{escape(title)}</rdf:li>',
            "      </rdf:Alt></dc:title>",
            "    </rdf:Description>",
            "  </rdf:RDF>",
            "</x:xmpmeta>",
        ]
    )


def extract_document(data: bytes, limit: int) -> Any:
    """The certificate document a PDF carries (its attachment named :data:`ATTACHMENT_NAME`, or else its only JSON
    attachment), parsed; at most ``limit`` bytes once inflated.

    Anyone may upload a PDF, so every failure of the parser is a :class:`PdfError` (a 4xx), never a crash, and the
    attachment is inflated in bounded steps: a small compressed stream may expand without end.

    Raises:
        PdfError: not a PDF, no certificate document in it, one too large, or not JSON.
    """
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            attachments = dict(pdf.attachments.items())
            if ATTACHMENT_NAME in attachments:
                spec = attachments[ATTACHMENT_NAME]
            else:
                json_files = [spec for name, spec in attachments.items() if name.lower().endswith(".json")]
                if len(json_files) != 1:
                    raise PdfError(_("the PDF carries no certificate document (no JSON attachment)"))
                spec = json_files[0]
            raw = _bounded(spec.get_file().obj, limit)
    except PdfError:
        raise
    except Exception as exc:  # pikepdf/qpdf raise many kinds on hostile input; none of them is the server's fault
        raise PdfError(_("not a readable PDF ({name})", name=type(exc).__name__)) from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise PdfError(_("the PDF's attachment is not JSON")) from None


def _bounded(stream: pikepdf.Object, limit: int) -> bytes:
    """A stream's bytes, inflated to at most ``limit`` bytes (FlateDecode or no filter; other filters are refused)."""
    raw = stream.read_raw_bytes()
    filters = stream.get("/Filter")
    names = (
        [] if filters is None else [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
    )
    if names == []:
        body = raw
    elif names == ["/FlateDecode"] and stream.get("/DecodeParms") is None:
        inflater = zlib.decompressobj()
        body = inflater.decompress(raw, limit + 1)
    else:
        raise PdfError(
            _("the certificate document is encoded with {filters}; only FlateDecode is read", filters=", ".join(names))
        )
    if len(body) > limit:
        raise PdfError(_("the certificate document is larger than the {limit}-byte limit", limit=format_number(limit)))
    return body
