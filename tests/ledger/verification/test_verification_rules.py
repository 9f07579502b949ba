"""The verification rules (`ledger.verification.rules`) on their own: facts in, checks and a verdict out, no chain,
no index, no HTTP. The API tests run the same rules over real data; these pin each rule's edges and the verdict's
precedence."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.documents import CertificateDocument, WrappedDocument, wrap
from ledger.events import CertificateStatus, OrganisationType, PartnerStatus
from ledger.verification.facts import CertificateFacts, IssuerDetails, PartnerFact, StatusFact, newest_first
from ledger.verification.rules import (
    Binding,
    Check,
    CheckStatus,
    Verdict,
    check_integrity,
    check_issuance,
    check_issuer_identity,
    check_issuer_standing,
    verify_facts,
)

ISSUER = "0x" + "ab" * 20
REGISTRY = "0x" + "cd" * 20
NOW = 1_800_000_000
MILL = PartnerFact(ISSUER, "Linen Mill", OrganisationType.SME, "mill.example", PartnerStatus.ACTIVE, 1, None)
FACTS = CertificateFacts(
    id="0x" + "01" * 32,
    root="0x" + "02" * 32,
    leaf="0x" + "02" * 32,
    issued=True,
    issuer=ISSUER,
    issued_at=NOW - 100,
    partner=MILL,
    active_issuer_at_issuance=True,
)


def document(issuer: str = ISSUER, name: str = "Linen Mill", chain_id: int = 31337) -> WrappedDocument:
    plain = CertificateDocument.model_validate(
        {
            "original": {"name": "fabric.txt", "kind": "fabric-batch", "fingerprint": "0x" + "11" * 32},
            "issuer": {"address": issuer, "name": name},
            "issuedAt": NOW - 100,
            "chain": {"chainId": chain_id, "registry": REGISTRY},
        }
    )
    return WrappedDocument(wrap(plain))


# --- ISSUANCE_STATUS ---------------------------------------------------------------------------------------------


def test_nothing_issued_is_not_found() -> None:
    for facts in (None, dataclasses.replace(FACTS, issued=False)):
        check = check_issuance(facts, NOW)
        assert (check.status, check.details) == (CheckStatus.INVALID, {"status": "not_found"})
        assert verify_facts(facts, None, NOW).verdict is Verdict.NOT_FOUND


def test_a_revocation_names_its_scope_and_reason_and_wins_over_a_suspension() -> None:
    facts = dataclasses.replace(
        FACTS,
        root_status=StatusFact(CertificateStatus.SUSPENDED, 3, NOW - 5),
        leaf_status=StatusFact(CertificateStatus.REVOKED, 3, NOW - 9),
    )
    check = check_issuance(facts, NOW)
    assert check == Check(
        "ISSUANCE_STATUS",
        CheckStatus.INVALID,
        "the document was revoked (issued in error)",
        {"status": "revoked", "scope": "document", "reason_code": 3, "reason": "issued in error", "at": NOW - 9},
    )
    assert verify_facts(facts, None, NOW).verdict is Verdict.REVOKED


def test_an_unknown_reason_code_is_named_by_its_number() -> None:
    facts = dataclasses.replace(FACTS, root_status=StatusFact(CertificateStatus.SUSPENDED, 999, NOW))
    assert check_issuance(facts, NOW).reason == "the certificate was suspended (reason code 999)"


def test_expiry_starts_at_valid_until_exactly() -> None:
    facts = dataclasses.replace(FACTS, valid_until=NOW)
    assert check_issuance(facts, NOW - 1).status is CheckStatus.VALID
    expired = check_issuance(facts, NOW)
    assert (expired.status, expired.details) == (CheckStatus.INVALID, {"status": "expired", "at": NOW})
    assert verify_facts(facts, None, NOW).verdict is Verdict.EXPIRED


# --- ISSUER_IDENTITY ---------------------------------------------------------------------------------------------


def test_identity_is_skipped_without_an_issuance() -> None:
    assert check_issuer_identity(None, None).status is CheckStatus.SKIPPED


def test_a_document_naming_another_issuer_address_is_invalid() -> None:
    other = "0x" + "ef" * 20
    check = check_issuer_identity(FACTS, document(issuer=other))
    assert (check.status, check.reason) == (
        CheckStatus.INVALID,
        f"the document names issuer {other}, but {ISSUER} issued it on chain",
    )


def test_an_issuer_that_is_no_registered_partner_is_invalid() -> None:
    check = check_issuer_identity(dataclasses.replace(FACTS, partner=None), None)
    assert (check.status, check.reason) == (CheckStatus.INVALID, f"{ISSUER} is not a registered partner")


def test_the_name_at_issuance_is_shown_with_the_current_one_and_a_partner_that_left_says_so() -> None:
    renamed = dataclasses.replace(
        MILL, display_name="Lindner Weaving", domain="lindner.example", status=PartnerStatus.LEFT
    )
    facts = dataclasses.replace(
        FACTS, partner=renamed, issued_as=IssuerDetails("Linen Mill", OrganisationType.SME, "mill.example")
    )
    check = check_issuer_identity(facts, None)
    assert check.status is CheckStatus.VALID
    assert check.reason == (
        "issued by Linen Mill (mill.example), now Lindner Weaving (lindner.example); "
        "the issuer is no longer an active partner (now left)"
    )
    assert check.details == {
        "address": ISSUER,
        "name": "Linen Mill",
        "type": "SME",
        "domain": "mill.example",
        "status": "LEFT",
        "current_name": "Lindner Weaving",
        "current_type": "SME",
        "current_domain": "lindner.example",
    }


def test_a_document_stating_another_issuer_name_is_invalid() -> None:
    check = check_issuer_identity(FACTS, document(name="Ministry of Education"))
    assert check.status is CheckStatus.INVALID
    assert check.reason == (
        f'the document names its issuer "Ministry of Education", but the registry names {ISSUER} "Linen Mill" '
        "when it issued"
    )


# --- ISSUER_STANDING_AT_ISSUANCE -----------------------------------------------------------------------------------


def test_a_certificate_issued_at_or_after_the_cut_off_is_issuer_compromised() -> None:
    at_cutoff = dataclasses.replace(FACTS, partner=dataclasses.replace(MILL, compromised_after=FACTS.issued_at))
    before = dataclasses.replace(FACTS, partner=dataclasses.replace(MILL, compromised_after=FACTS.issued_at + 1))
    assert check_issuer_standing(at_cutoff).details == {
        "compromised_after": FACTS.issued_at,
        "issued_at": FACTS.issued_at,
    }
    assert verify_facts(at_cutoff, None, NOW).verdict is Verdict.ISSUER_COMPROMISED
    assert check_issuer_standing(before).status is CheckStatus.VALID


def test_an_issuer_not_active_at_issuance_fails_standing() -> None:
    check = check_issuer_standing(dataclasses.replace(FACTS, active_issuer_at_issuance=False))
    assert (check.status, check.reason) == (
        CheckStatus.INVALID,
        "the issuer was not an active issuer when it issued this",
    )


# --- DOCUMENT_INTEGRITY and the verdict -----------------------------------------------------------------------------


def test_a_document_bound_to_another_chain_is_tampered_even_when_revoked() -> None:
    revoked = dataclasses.replace(FACTS, root_status=StatusFact(CertificateStatus.REVOKED, 1, NOW))
    result = verify_facts(revoked, document(chain_id=1), NOW, Binding(31337, REGISTRY))
    assert result.checks[0].reason == "the document is bound to chain 1, not this deployment's chain 31337"
    assert result.verdict is Verdict.TAMPERED


def test_a_proof_the_chain_rejects_is_tampered() -> None:
    check = check_integrity(document(), dataclasses.replace(FACTS, proof_valid=False), Binding(31337, REGISTRY))
    assert (check.status, check.reason) == (
        CheckStatus.INVALID,
        "the chain does not accept the document's Merkle proof",
    )


def test_a_valid_document_with_clean_facts_is_valid() -> None:
    result = verify_facts(FACTS, document(), NOW, Binding(31337, REGISTRY.upper().replace("0X", "0x")))
    assert [c.status for c in result.checks] == [CheckStatus.VALID] * 4
    assert result.verdict is Verdict.VALID and result.valid


@given(
    leaf=st.sampled_from(list(CertificateStatus)),
    root=st.sampled_from(list(CertificateStatus)),
    expired=st.booleans(),
    compromised=st.booleans(),
    active=st.sampled_from([True, False, None]),
)
def test_the_verdict_is_valid_exactly_when_no_check_is_invalid(
    leaf: CertificateStatus, root: CertificateStatus, expired: bool, compromised: bool, active: bool | None
) -> None:
    facts = dataclasses.replace(
        FACTS,
        leaf_status=StatusFact(leaf, 1, NOW),
        root_status=StatusFact(root, 1, NOW),
        valid_until=NOW if expired else None,
        partner=dataclasses.replace(MILL, compromised_after=FACTS.issued_at if compromised else None),
        active_issuer_at_issuance=active,
    )
    result = verify_facts(facts, None, NOW)
    assert (result.verdict is Verdict.VALID) == all(c.status is not CheckStatus.INVALID for c in result.checks)
    # Precedence: a status beats expiry, expiry beats a compromised key.
    if CertificateStatus.REVOKED in (leaf, root):
        assert result.verdict is Verdict.REVOKED
    elif CertificateStatus.SUSPENDED in (leaf, root):
        assert result.verdict is Verdict.SUSPENDED
    elif expired:
        assert result.verdict is Verdict.EXPIRED
    elif compromised or active is False:
        assert result.verdict is Verdict.ISSUER_COMPROMISED


@pytest.mark.parametrize("shuffle", [lambda xs: xs, lambda xs: xs[::-1]])
def test_newest_first_orders_by_block_then_log_then_id_and_leaf(shuffle: object) -> None:
    a = dataclasses.replace(FACTS, id="0x" + "aa" * 32, block_number=10, log_index=1)
    b = dataclasses.replace(FACTS, id="0x" + "bb" * 32, block_number=10, log_index=3)
    c = dataclasses.replace(FACTS, id="0x" + "cc" * 32, block_number=12, log_index=0)
    d = dataclasses.replace(FACTS, id="0x" + "aa" * 32, leaf="0x" + "ff" * 32, block_number=10, log_index=1)
    assert newest_first(shuffle([a, b, c, d])) == [c, b, a, d]  # type: ignore[operator]
