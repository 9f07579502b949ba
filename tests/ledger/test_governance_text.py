"""Every kind of proposal said in plain words (``ledger.governance_text.describe``), exactly as the page, the feed and
the API's ``summary`` show it."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.governance_text import describe
from ledger.i18n import use_language

SUBJECT = "0x" + "d4" * 20
CERTIFICATE = "0x" + "ce" * 32
LEAF = "0x" + "1e" * 32
CUTOFF = 1_767_225_600  # 2026-01-01 00:00 UTC


def proposal(kind: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "subject": SUBJECT,
        "subject_name": "Textile Mill",
        "rights_names": [],
        "compromised_after": None,
        "target": None,
        "leaf": None,
        "reason": 0,
        "proposed_details": None,
        **changes,
    }


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (proposal("ADMIT", rights_names=["ISSUER"]), "Admit Textile Mill to the consortium with the issuer right."),
        (proposal("ADMIT"), "Admit Textile Mill to the consortium, without rights."),
        (
            proposal("ADMIT", subject_name=None, rights_names=["ISSUER", "COUNCIL"]),
            f"Admit {SUBJECT} to the consortium with the issuer and council rights.",
        ),
        (proposal("SUSPEND"), "Suspend Textile Mill: while suspended its key can do nothing."),
        (proposal("REINSTATE"), "Reinstate Textile Mill as an active partner."),
        (proposal("EXPEL"), "Expel Textile Mill from the consortium."),
        (
            proposal("EXPEL", compromised_after=CUTOFF),
            "Expel Textile Mill from the consortium; its certificates issued after Jan 1, 2026, 1:00 AM CET stop being "
            "valid (key compromised).",
        ),
        (proposal("GRANT_RIGHTS", rights_names=["COUNCIL"]), "Grant Textile Mill the council right."),
        (proposal("WITHDRAW_RIGHTS", rights_names=["ISSUER"]), "Withdraw the issuer right from Textile Mill."),
        (
            proposal(
                "CHANGE_DETAILS",
                proposed_details={"display_name": "Mill & Co", "org_type": "RESEARCH_INSTITUTE", "domain": "m.example"},
            ),
            "Change the details of Textile Mill to Mill & Co (research institute, m.example).",
        ),
        (
            proposal("CHANGE_DETAILS", proposed_details={"display_name": "M", "org_type": "SME", "domain": "m.x"}),
            "Change the details of Textile Mill to M (SME, m.x).",
        ),
        (
            proposal("SET_COMPROMISED", compromised_after=CUTOFF),
            "Declare the key of Textile Mill compromised: its certificates issued after Jan 1, 2026, 1:00 AM CET stop "
            "being valid.",
        ),
        (
            proposal("REVOKE_CERTIFICATE", subject_name=None, target=CERTIFICATE, reason=5),
            f"Revoke certificate {CERTIFICATE} (reason: fraud).",
        ),
        (
            proposal("LIFT_CERTIFICATE_SUSPENSION", subject_name=None, target=CERTIFICATE, leaf=LEAF, reason=99),
            f"Lift the suspension of document {LEAF} of certificate {CERTIFICATE} (reason: reason code 99).",
        ),
    ],
)
def test_each_kind_of_proposal_is_said_in_one_plain_sentence(given: dict[str, Any], said: str) -> None:
    assert describe(given) == said


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (
            proposal("ADMIT", rights_names=["ISSUER"]),
            "Textile Mill in das Konsortium aufnehmen und das Recht zum Ausstellen geben.",
        ),
        (
            proposal("GRANT_RIGHTS", rights_names=["ISSUER", "COUNCIL"]),
            "Textile Mill die Rechte zum Ausstellen und Mitwirken im Rat geben.",
        ),
        (
            proposal("SET_COMPROMISED", compromised_after=CUTOFF),
            "Den Schlüssel von Textile Mill für kompromittiert erklären: seine nach dem 01.01.2026, 01:00 MEZ "
            "ausgestellten Zertifikate sind nicht mehr gültig.",
        ),
        (
            proposal(
                "CHANGE_DETAILS", proposed_details={"display_name": "M", "org_type": "UNIVERSITY", "domain": "m.x"}
            ),
            "Die Angaben zu Textile Mill ändern in: M (Hochschule, m.x).",
        ),
        (
            proposal("REVOKE_CERTIFICATE", subject_name=None, target=CERTIFICATE, reason=1),
            f"Zertifikat {CERTIFICATE} widerrufen (Grund: Schlüssel kompromittiert).",
        ),
    ],
)
def test_a_proposal_is_said_in_german_with_berlin_dates(given: dict[str, Any], said: str) -> None:
    with use_language("de"):
        assert describe(given) == said
