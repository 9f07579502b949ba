"""Read queries over the index for the API and the CLI: partners, certificates, histories (proposals and a partner's
governance history: :mod:`ledger.governance_reads`).

Lists use keyset pagination: a page ends with an opaque cursor holding the sort key of its last row, and the next page
starts strictly after it, a row-value comparison that the sort's index seeks to, so page N costs the same as page 1 on
a million rows (never OFFSET). Cursors are
URL-safe base64 of a small JSON array; a malformed cursor raises :class:`InvalidCursor`.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    func,
    select,
    tuple_,
    union,
)

from ledger.db import schema as s
from ledger.errors import LedgerError
from ledger.events import CertificateStatus, OrganisationType, PartnerStatus
from ledger.i18n import gettext as _

MAX_PAGE = 500


class InvalidCursor(LedgerError, ValueError):
    """A pagination cursor that this API did not produce."""


class NotFound(LedgerError, LookupError):
    """No such partner, proposal or certificate in the index."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> list[Any]:
    """The sort key a cursor holds, one value of each of ``types`` (exactly: a bool is not an int).

    Raises:
        InvalidCursor: not base64 JSON, or not a list of values of exactly those types.
    """
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        raise InvalidCursor(_("the cursor is not one this API issued")) from None
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or any(type(v) is not t for v, t in zip(values, types, strict=True))
    ):
        raise InvalidCursor(_("the cursor is not one this API issued"))
    return values


def indexed_block(conn: Connection) -> int | None:
    block: int | None = conn.execute(select(s.sync_state.c.checkpoint_block)).scalar()
    return block


def _partner(row: Any) -> dict[str, Any]:
    return {
        "address": row["address"],
        "display_name": row["display_name"],
        "org_type": OrganisationType(row["org_type"]).name,
        "domain": row["domain"],
        "metadata_hash": row["metadata_hash"],
        "status": PartnerStatus(row["status"]).name,
        "rights": [name for bit, name in ((1, "ISSUER"), (2, "COUNCIL")) if row["rights"] & bit],
        "joined_at": row["joined_at"],
        "compromised_after": row["compromised_after"],
    }


def partner(conn: Connection, address: str) -> dict[str, Any] | None:
    """One partner as the directory lists it, or None when the index holds none at ``address`` (an account that never
    applied): for the issuer console's "who am I", which must answer for such a key too."""
    row = conn.execute(select(s.partners).where(s.partners.c.address == address.lower())).mappings().first()
    return None if row is None else _partner(row)


def list_partners(
    conn: Connection,
    org_type: OrganisationType | None = None,
    status: PartnerStatus | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page:
    p = s.partners
    query = select(p).order_by(p.c.address).limit(min(limit, MAX_PAGE) + 1)
    if org_type is not None:
        query = query.where(p.c.org_type == int(org_type))
    if status is not None:
        query = query.where(p.c.status == int(status))
    if cursor is not None:
        (after,) = decode_cursor(cursor, str)
        query = query.where(p.c.address > str(after))
    rows = list(conn.execute(query).mappings())
    return keyset_page([_partner(r) for r in rows], limit, lambda item: [item["address"]])


def keyset_page(items: list[dict[str, Any]], limit: int, key: Any) -> Page:
    """A page of at most ``limit`` of ``items`` (read with one row more than the page holds: that row's presence says
    there is a next page), with the cursor of its last item's sort key ``key(item)``."""
    limit = min(limit, MAX_PAGE)
    if len(items) > limit:
        items = items[:limit]
        return Page(items, encode_cursor(key(items[-1])))
    return Page(items, None)


def partner_detail(conn: Connection, address: str) -> dict[str, Any]:
    p = s.partners
    row = conn.execute(select(p).where(p.c.address == address.lower())).mappings().first()
    if row is None:
        raise NotFound(_("no partner {address} in the index", address=address))
    h = s.partner_history
    history = [
        {
            "event": r["event"],
            "status": PartnerStatus(r["status"]).name,
            "rights": [name for bit, name in ((1, "ISSUER"), (2, "COUNCIL")) if r["rights"] & bit],
            "active_issuer": r["active_issuer"],
            "at": r["at"],
            "block_number": r["block_number"],
            "tx_hash": r["tx_hash"],
            "proposal_id": r["proposal_id"],
        }
        for r in conn.execute(
            select(h).where(h.c.address == row["address"]).order_by(h.c.block_number, h.c.log_index)
        ).mappings()
    ]
    count = conn.execute(
        select(func.count()).select_from(s.certificates).where(s.certificates.c.issuer == row["address"])
    )
    d = s.partner_details
    details = [
        {
            "source": r["source"],
            "display_name": r["display_name"],
            "org_type": OrganisationType(r["org_type"]).name,
            "domain": r["domain"],
            "metadata_hash": r["metadata_hash"],
            "at": r["at"],
            "block_number": r["block_number"],
            "tx_hash": r["tx_hash"],
            "proposal_id": r["proposal_id"],
        }
        for r in conn.execute(
            select(d).where(d.c.address == row["address"]).order_by(d.c.block_number, d.c.log_index)
        ).mappings()
    ]
    return {
        **_partner(row),
        "history": history,
        "details_history": details,
        "certificates_issued": count.scalar() or 0,
    }


def _certificate(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "root": row["root"],
        "issuer": row["issuer"],
        "fingerprint": row["fingerprint"],
        "mode": row["mode"],
        "issued_at": row["issued_at"],
        "valid_until": row["valid_until"] or None,
        "status": CertificateStatus(row["status"]).name,
        "status_reason": row["status_reason"],
        "status_at": row["status_at"],
        "block_number": row["block_number"],
        "tx_hash": row["tx_hash"],
    }


# The certificate list is the API's busiest read after the lookups, so its statement is built once per shape (which
# filters a request uses) with bound parameters, and its rows are read as tuples of exactly the columns the answer
# shows: building a select, and mapping rows by name, cost more than SQLite spends on a page of 100 certificates.
_c = s.certificates
_LISTED = (
    _c.c.id,
    _c.c.root,
    _c.c.issuer,
    _c.c.fingerprint,
    _c.c.mode,
    _c.c.issued_at,
    _c.c.valid_until,
    _c.c.status,
    _c.c.status_reason,
    _c.c.status_at,
    _c.c.block_number,
    _c.c.tx_hash,
)
_STATUS_NAMES = {int(status): status.name for status in CertificateStatus}


@dataclass(frozen=True)
class _Filters:
    """Which filters a certificate list uses (its statement's shape) and their values, named as the statement's
    bound parameters."""

    shape: tuple[bool, bool, bool, bool, bool]  # issuer, status, issued_after, issued_before, cursor
    params: dict[str, Any]


def certificate_filters(
    issuer: str | None,
    status: CertificateStatus | None,
    issued_after: int | None,
    issued_before: int | None,
    cursor: str | None,
    limit: int,
) -> _Filters:
    """The filters of a list request (raises :class:`InvalidCursor` for a cursor this API did not issue)."""
    params: dict[str, Any] = {"limit": min(limit, MAX_PAGE) + 1}
    if issuer is not None:
        params["issuer"] = issuer.lower()
    if status is not None:
        params["status"] = int(status)
    if issued_after is not None:
        params["issued_after"] = issued_after
    if issued_before is not None:
        params["issued_before"] = issued_before
    if cursor is not None:
        params["cursor_at"], params["cursor_id"] = decode_cursor(cursor, int, str)
    shape = (issuer is not None, status is not None, issued_after is not None, issued_before is not None)
    return _Filters((*shape, cursor is not None), params)


@functools.cache
def certificates_statement(
    issuer: bool, status: bool, issued_after: bool, issued_before: bool, cursor: bool
) -> Select[Any]:
    """The list of certificates with these filters, newest first by (issued_at, id), as bound parameters."""
    query = select(*_LISTED).order_by(_c.c.issued_at.desc(), _c.c.id.desc()).limit(bindparam("limit", type_=Integer))
    if issuer:
        query = query.where(_c.c.issuer == bindparam("issuer", type_=String))
    if status:
        query = query.where(_c.c.status == bindparam("status", type_=Integer))
    if issued_after:
        query = query.where(_c.c.issued_at >= bindparam("issued_after", type_=BigInteger))
    if issued_before:
        query = query.where(_c.c.issued_at < bindparam("issued_before", type_=BigInteger))
    if cursor:
        # A row-value comparison, not (a < x OR (a = x AND b < y)): SQLite and PostgreSQL seek the index straight
        # to the cursor with it, while with the OR SQLite walks the issuer's index from its newest entry (seconds
        # for a page deep into a million rows).
        after = tuple_(bindparam("cursor_at", type_=BigInteger), bindparam("cursor_id", type_=String))
        query = query.where(tuple_(_c.c.issued_at, _c.c.id) < after)
    return query


def _listed(row: Sequence[Any]) -> dict[str, Any]:
    """A certificate of a list from its row of ``_LISTED`` (the same dict :func:`_certificate` makes)."""
    cid, root, issuer, fingerprint, mode, issued_at, valid_until, status, reason, status_at, block, tx_hash = row
    return {
        "id": cid,
        "root": root,
        "issuer": issuer,
        "fingerprint": fingerprint,
        "mode": mode,
        "issued_at": issued_at,
        "valid_until": valid_until or None,
        "status": _STATUS_NAMES[status],
        "status_reason": reason,
        "status_at": status_at,
        "block_number": block,
        "tx_hash": tx_hash,
    }


def certificates_page(rows: Iterable[Sequence[Any]], limit: int) -> Page:
    return keyset_page([_listed(r) for r in rows], limit, lambda i: [i["issued_at"], i["id"]])


def list_certificates(
    conn: Connection,
    issuer: str | None = None,
    status: CertificateStatus | None = None,
    issued_after: int | None = None,
    issued_before: int | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page:
    """Newest first, by (issued_at, id) descending."""
    filters = certificate_filters(issuer, status, issued_after, issued_before, cursor, limit)
    return certificates_page(conn.execute(certificates_statement(*filters.shape), filters.params), limit)


def certificate_history(conn: Connection, certificate_id: str) -> list[dict[str, Any]]:
    h = s.certificate_history
    return [
        {
            "action": r["action"],
            "leaf": r["leaf"],
            "actor": r["actor"],
            "by_council": bool(r["by_council"]),  # null on the issuance row: no council act
            "reason": r["reason"],
            "at": r["at"],
            "block_number": r["block_number"],
            "tx_hash": r["tx_hash"],
        }
        for r in conn.execute(
            select(h).where(h.c.certificate_id == certificate_id.lower()).order_by(h.c.block_number, h.c.log_index)
        ).mappings()
    ]


def certificate_detail(conn: Connection, certificate_id: str) -> dict[str, Any]:
    """The certificate with this id (an id names exactly one certificate: ids bind the issuer and the root)."""
    c = s.certificates
    row = conn.execute(select(c).where(c.c.id == certificate_id.lower())).mappings().first()
    if row is None:
        raise NotFound(_("no certificate {certificate_id} in the index", certificate_id=certificate_id))
    documents = conn.execute(
        select(func.count()).select_from(s.documents).where(s.documents.c.certificate_id == row["id"])
    ).scalar()
    return {**_certificate(row), "documents": documents or 0, "history": certificate_history(conn, row["id"])}


def certificates_of_original(conn: Connection, fingerprint: str) -> list[dict[str, Any]]:
    """Every certificate of the original with this fingerprint (singles and published documents), newest first."""
    d, c, ds = s.documents, s.certificates, s.document_status
    fp = fingerprint.lower()
    published = select(d.c.certificate_id.label("id"), d.c.leaf).where(d.c.fingerprint == fp)
    single = select(c.c.id, c.c.root.label("leaf")).where(c.c.fingerprint == fp)
    ref = union(published, single).subquery("ref")
    rows = conn.execute(
        select(ref.c.leaf, ds.c.status.label("leaf_status"), c)
        .join(c, c.c.id == ref.c.id)
        .outerjoin(ds, and_(ds.c.certificate_id == ref.c.id, ds.c.leaf == ref.c.leaf))
        .order_by(c.c.block_number.desc(), c.c.log_index.desc(), c.c.id, ref.c.leaf)
    ).mappings()
    return [
        {
            **_certificate(r),
            "leaf": r["leaf"],
            "document_status": CertificateStatus(r["leaf_status"] or 0).name,
        }
        for r in rows
    ]
