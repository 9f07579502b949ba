"""The API's vocabulary, written once: hex ids and addresses as annotated types, and the names of the ledger's enums.

Routes take ``Hex32Path`` / ``AddressPath`` / ``AddressQuery``; models use ``Hex32`` / ``Address``. The enum names
(``OrgTypeName``, ``PartnerStatusName``, ``ProposalKindName``, ``ProposalStatusName``, ``CertificateStatusName``,
``VerdictName``, ``CheckStatusName``, ``DispositionName``, ``RightName``, ``ProvenanceActionName``) are ``Literal``
types derived from the enums of :mod:`ledger.events`, :mod:`ledger.governance_reads` and
:mod:`ledger.verification.rules` (and the timeline's actions, :data:`ledger.indexer.handlers.provenance.ACTIONS`),
which stay the source: a member added there is
accepted and documented here without an edit. (Literals, not the enums themselves: a bad value is then refused with
pydantic's ``literal_error``, as it always was.) This module defines no value of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import Path, Query
from pydantic import Field

from ledger.events import CertificateStatus, Disposition, OrganisationType, PartnerStatus, ProposalKind, Right
from ledger.governance_reads import ProposalStatus
from ledger.indexer.handlers.provenance import ACTIONS
from ledger.verification.rules import CheckStatus, Verdict
from ledger.vocabulary import ADDRESS_PATTERN as ADDRESS_PATTERN
from ledger.vocabulary import HEX32_PATTERN as HEX32_PATTERN

FINGERPRINT_PATTERN = r"^0x(?!0{64}$)[0-9a-fA-F]{64}$"
"""A fingerprint to certify: a 32-byte value that is not all zero (needs Python's ``re``: a lookahead)."""
HEX32_DOC = "0x + 64 hex digits"
ADDRESS_DOC = "0x + 40 hex digits"

Hex32 = Annotated[str, Field(pattern=HEX32_PATTERN)]
Address = Annotated[str, Field(pattern=ADDRESS_PATTERN)]
Hex32Path = Annotated[str, Path(pattern=HEX32_PATTERN, description=HEX32_DOC)]
AddressPath = Annotated[str, Path(pattern=ADDRESS_PATTERN, description=ADDRESS_DOC)]
AddressQuery = Annotated[str | None, Query(pattern=ADDRESS_PATTERN, description=ADDRESS_DOC)]

if TYPE_CHECKING:  # a Literal built at run time is opaque to mypy: the checker sees the names as plain strings
    OrgTypeName = str
    PartnerStatusName = str
    ProposalKindName = str
    ProposalStatusName = str
    CertificateStatusName = str
    VerdictName = str
    CheckStatusName = str
    DispositionName = str
    RightName = str
    ProvenanceActionName = str
else:
    OrgTypeName = Literal[tuple(OrganisationType.__members__)]
    PartnerStatusName = Literal[tuple(PartnerStatus.__members__)]
    ProposalKindName = Literal[tuple(ProposalKind.__members__)]
    ProposalStatusName = Literal[tuple(s.value for s in ProposalStatus)]
    CertificateStatusName = Literal[tuple(CertificateStatus.__members__)]
    VerdictName = Literal[tuple(v.value for v in Verdict)]
    CheckStatusName = Literal[tuple(s.value for s in CheckStatus)]
    DispositionName = Literal[tuple(Disposition.__members__)]
    RightName = Literal[tuple(Right.__members__)]
    ProvenanceActionName = Literal[tuple(dict.fromkeys(ACTIONS.values()))]
