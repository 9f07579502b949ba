"""Read queries over the provenance tables: an original's provenance (state, lineage, certificates and timeline) and
the lists of originals by owner, holder or identifier, for the API and the CLI.

The answers are the JSON shapes of issue 16's spec (snake_case, lower-case hex, unix seconds): an *original summary*
(:func:`summary`) in lists and verification answers, and the provenance of one original with its timeline in chain
order. Pages are keyset pages as in :mod:`ledger.reads` (its :class:`~ledger.reads.Page`, cursors and
:class:`~ledger.reads.NotFound`): the timeline by (block_number, log_index), an owner's or a holder's originals by
id, an identifier's registrations in chain order (the first registration first). Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Select, exists, literal, not_, select, tuple_

from ledger.cbv import step_of
from ledger.db import schema as s
from ledger.events import Disposition, Right
from ledger.i18n import gettext as _
from ledger.reads import MAX_PAGE, NotFound, Page, decode_cursor, indexed_block, keyset_page

__all__ = [
    "FILTERS",
    "biz_step",
    "list_originals",
    "original_provenance",
    "summary",
    "summary_select",
]

_o, _e, _p = s.originals, s.provenance_events, s.partners

FILTERS = ("owner", "holder", "identifier")
"""What :func:`list_originals` filters by (exactly one of them)."""


def _earlier_registration() -> Any:
    """True when another registration of the original's identifier came before it (in chain order)."""
    other = _o.alias("earlier")
    return exists().where(
        other.c.identifier == _o.c.identifier,
        tuple_(other.c.registered_block, other.c.registered_log_index)
        < tuple_(_o.c.registered_block, _o.c.registered_log_index),
    )


def summary_select() -> Select[Any]:
    """The columns of an original summary (with its registrar's name and whether it is its identifier's first
    registration), from ``originals`` left-joined to ``partners``; add the filter and the order."""
    return select(
        _o.c.id,
        _o.c.identifier,
        _o.c.registrar,
        _p.c.display_name.label("registrar_name"),
        _o.c.registered_at,
        _o.c.registered_block,
        _o.c.registered_log_index,
        _o.c.owner,
        _o.c.holder,
        _o.c.soulbound,
        _o.c.disposition,
        not_(_earlier_registration()).label("first_registration"),
        _o.c.third_party_holds,
        _o.c.tx_hash,
    ).select_from(_o.outerjoin(_p, _p.c.address == _o.c.registrar))


def summary(row: Any) -> dict[str, Any]:
    """An original summary (the spec's shape) from a row of :func:`summary_select`."""
    return {
        "id": row["id"],
        "identifier": row["identifier"],
        "registrar": row["registrar"],
        "registrar_name": row["registrar_name"],
        "registered_at": row["registered_at"],
        "registered_block": row["registered_block"],
        "owner": row["owner"],
        "holder": row["holder"],
        "soulbound": bool(row["soulbound"]),
        "disposition": Disposition(row["disposition"]).name,
        "first_registration": bool(row["first_registration"]),
    }


def biz_step(code: int | None) -> dict[str, Any] | None:
    """A timeline entry's business step: its code, and its word and URI when :mod:`ledger.cbv` knows the code (a
    code from a partner ahead of that table is shown, never refused: the chain is the record)."""
    if code is None:
        return None
    step = step_of(code)
    return {"code": code, "name": None if step is None else step.name, "uri": None if step is None else step.uri}


def _entry(row: Any) -> dict[str, Any]:
    right, disposition = row["transfer_right"], row["disposition"]
    return {
        "block_number": row["block_number"],
        "log_index": row["log_index"],
        "tx_hash": row["tx_hash"],
        "at": row["at"],
        "action": row["action"],
        "actor": row["actor"],
        "party": row["party"],
        "right": None if right is None else Right(right).name,
        "disposition": None if disposition is None else Disposition(disposition).name,
        "biz_step": biz_step(row["biz_step"]),
        "occurred_at": row["occurred_at"],
        "deadline": row["deadline"],
        "reference": row["reference"],
        "by_council": row["by_council"],
    }


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def original_provenance(conn: Connection, original: str, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
    """The provenance of one original: its summary, who registered its identifier first, its lineage (the originals
    it was made from and those made from it), its certificates, and one keyset page of its timeline, oldest first.

    Raises:
        NotFound: the index holds no original with this id.
        InvalidCursor: a cursor this API did not issue.
    """
    key = original.lower()
    after = None if cursor is None else decode_cursor(cursor, int, int)
    row = conn.execute(summary_select().where(_o.c.id == key)).mappings().first()
    if row is None:
        raise NotFound(_("no original {id} in the index", id=key))
    first = (
        conn.execute(
            select(_o.c.id, _o.c.registrar, _p.c.display_name, _o.c.registered_at, _o.c.registered_block)
            .select_from(_o.outerjoin(_p, _p.c.address == _o.c.registrar))
            .where(_o.c.identifier == row["identifier"])
            .order_by(_o.c.registered_block, _o.c.registered_log_index)
            .limit(1)
        )
        .mappings()
        .one()
    )
    links = conn.execute(
        select(_e.c.action, _e.c.reference)
        .where(_e.c.original == key, _e.c.action.in_(("derived", "certificate_linked")))
        .order_by(_e.c.block_number, _e.c.log_index)
    ).all()
    children = conn.execute(
        select(_e.c.original)
        .where(_e.c.reference == key, _e.c.action == "derived")
        .order_by(_e.c.block_number, _e.c.log_index)
    ).scalars()
    query = select(_e).where(_e.c.original == key).order_by(_e.c.block_number, _e.c.log_index)
    if after is not None:
        query = query.where(tuple_(_e.c.block_number, _e.c.log_index) > tuple_(literal(after[0]), literal(after[1])))
    rows = conn.execute(query.limit(min(limit, MAX_PAGE) + 1)).mappings()
    page = keyset_page([_entry(r) for r in rows], limit, lambda item: [item["block_number"], item["log_index"]])
    return {
        **summary(row),
        "tx_hash": row["tx_hash"],
        "third_party_holds": bool(row["third_party_holds"]),
        "first_registered": {
            "original": first["id"],
            "registrar": first["registrar"],
            "registrar_name": first["display_name"],
            "registered_at": first["registered_at"],
            "registered_block": first["registered_block"],
        },
        "parents": _distinct(ref for action, ref in links if action == "derived"),
        "children": _distinct(children),
        "certificates": _distinct(ref for action, ref in links if action == "certificate_linked"),
        "timeline": page.items,
        "next_cursor": page.next_cursor,
        "indexed_block": indexed_block(conn),
    }


def list_originals(
    conn: Connection,
    *,
    owner: str | None = None,
    holder: str | None = None,
    identifier: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> Page:
    """The originals an address owns or holds (by id), or every registration of an identifier (in chain order: the
    first registration first), one keyset page of summaries.

    Raises:
        ValueError: not exactly one of ``owner``, ``holder`` and ``identifier``.
        InvalidCursor: a cursor this API did not issue (or one of another filter's pages).
    """
    given = [(name, value) for name, value in zip(FILTERS, (owner, holder, identifier), strict=True) if value]
    if len(given) != 1:
        raise ValueError("list_originals takes exactly one of owner, holder and identifier")
    name, value = given[0]
    query = summary_select().limit(min(limit, MAX_PAGE) + 1)
    if name == "identifier":
        query = query.where(_o.c.identifier == value.lower()).order_by(_o.c.registered_block, _o.c.registered_log_index)
        if cursor is not None:
            block, log_index = decode_cursor(cursor, int, int)
            position = tuple_(_o.c.registered_block, _o.c.registered_log_index)
            query = query.where(position > tuple_(literal(block), literal(log_index)))
        listed = [
            summary(r) | {"_key": [r["registered_block"], r["registered_log_index"]]}
            for r in conn.execute(query).mappings()
        ]
        page = keyset_page(listed, limit, lambda item: item["_key"])
        for item in page.items:
            del item["_key"]
        return page
    column = _o.c.owner if name == "owner" else _o.c.holder
    query = query.where(column == value.lower()).order_by(_o.c.id)
    if cursor is not None:
        (after,) = decode_cursor(cursor, str)
        query = query.where(_o.c.id > after)
    rows = conn.execute(query).mappings()
    return keyset_page([summary(r) for r in rows], limit, lambda item: [item["id"]])
