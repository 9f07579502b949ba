"""The read models (`ledger.reads`) on their own, over a fixed index (`support.recorded_world`): keyset pages that
walk every row exactly once in order, filters, cursors this module never issued, and details of unknown rows. The
API tests check the same reads through HTTP; these pin the library's contract without FastAPI."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection
from support.recorded_world import APPLICANT, MILL, TOWN, UNI, build

from ledger.db.engine import make_engine
from ledger.events import CertificateStatus, OrganisationType, PartnerStatus
from ledger.reads import (
    MAX_PAGE,
    InvalidCursor,
    NotFound,
    Page,
    certificate_detail,
    decode_cursor,
    encode_cursor,
    list_certificates,
    list_partners,
    partner_detail,
)


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    settings, _ = build(tmp_path_factory.mktemp("reads"))
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def walk(read: Any, limit: int) -> list[dict[str, Any]]:
    """Every item of a keyset-paged read, following ``next_cursor`` to the end."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page: Page = read(cursor=cursor, limit=limit)
        assert len(page.items) <= limit
        items += page.items
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


@given(values=st.lists(st.one_of(st.integers(-(2**63), 2**63 - 1), st.text(max_size=40)), max_size=3))
def test_a_cursor_holds_exactly_the_values_it_was_made_of(values: list[int | str]) -> None:
    types = [type(v) for v in values]
    assert decode_cursor(encode_cursor(values), *types) == values


@pytest.mark.parametrize(
    ("cursor", "types"),
    [
        ("not base64 at all!", (str,)),
        (encode_cursor(["0xabc"]), (int,)),  # a value of another type
        (encode_cursor([True]), (int,)),  # a bool is not an int
        (encode_cursor([1, 2]), (int,)),  # too many values
        (base64.urlsafe_b64encode(b'{"a":1}').decode(), (str,)),  # JSON, but not a list
    ],
)
def test_a_cursor_this_module_did_not_issue_is_refused(cursor: str, types: tuple[type, ...]) -> None:
    with pytest.raises(InvalidCursor, match=r"^the cursor is not one this API issued$"):
        decode_cursor(cursor, *types)


@pytest.mark.parametrize("limit", [1, 2, 5, MAX_PAGE])
def test_partner_pages_walk_every_partner_once_in_address_order(conn: Connection, limit: int) -> None:
    everyone = list_partners(conn, limit=MAX_PAGE).items
    walked = walk(lambda **kw: list_partners(conn, **kw), limit)
    assert walked == everyone
    assert [p["address"] for p in walked] == sorted({p["address"] for p in everyone})
    assert {TOWN, UNI, MILL, APPLICANT} <= {p["address"] for p in walked}
    assert {p["status"] for p in walked} >= {"ACTIVE", "EXPELLED"}


@pytest.mark.parametrize("org_type", list(OrganisationType))
def test_partner_filters_keep_exactly_the_matching_partners(conn: Connection, org_type: OrganisationType) -> None:
    everyone = list_partners(conn, limit=MAX_PAGE).items
    of_type = list_partners(conn, org_type=org_type, limit=MAX_PAGE).items
    assert of_type == [p for p in everyone if p["org_type"] == org_type.name]
    for status in PartnerStatus:
        with_status = list_partners(conn, org_type=org_type, status=status, limit=MAX_PAGE).items
        assert with_status == [p for p in of_type if p["status"] == status.name]


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_certificate_pages_walk_every_certificate_once_newest_first(conn: Connection, limit: int) -> None:
    everyone = walk(lambda **kw: list_certificates(conn, **kw), MAX_PAGE)
    walked = walk(lambda **kw: list_certificates(conn, **kw), limit)
    assert walked == everyone
    keys = [(c["issued_at"], c["id"]) for c in walked]
    assert keys == sorted(keys, reverse=True)
    assert len(set(keys)) == len(keys) > 100  # more than one default page


def test_certificate_filters_compose(conn: Connection) -> None:
    everyone = walk(lambda **kw: list_certificates(conn, **kw), MAX_PAGE)
    mine = walk(lambda **kw: list_certificates(conn, issuer=UNI, **kw), 3)
    assert mine == [c for c in everyone if c["issuer"] == UNI]
    revoked = walk(lambda **kw: list_certificates(conn, status=CertificateStatus.REVOKED, **kw), 3)
    assert revoked and revoked == [c for c in everyone if c["status"] == "REVOKED"]
    middle = sorted({c["issued_at"] for c in everyone})[len(everyone) // 2]
    later = walk(lambda **kw: list_certificates(conn, issued_after=middle, **kw), 5)
    assert later == [c for c in everyone if c["issued_at"] >= middle]  # from `issued_after` on, inclusive
    earlier = walk(lambda **kw: list_certificates(conn, issued_before=middle, **kw), 5)
    assert earlier == [c for c in everyone if c["issued_at"] < middle]  # up to `issued_before`, exclusive
    assert len(later) + len(earlier) == len(everyone)


def test_details_of_what_the_index_does_not_hold_are_not_found(conn: Connection) -> None:
    with pytest.raises(NotFound):
        partner_detail(conn, "0x" + "99" * 20)
    with pytest.raises(NotFound):
        certificate_detail(conn, "0x" + "99" * 32)
    assert partner_detail(conn, TOWN.upper().replace("0X", "0x"))["address"] == TOWN
