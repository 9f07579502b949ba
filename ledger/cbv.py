"""The GS1 CBV 2.0 business steps, by the ``uint16`` code the provenance registry logs (``bizStep``).

The contract stores a code, never a word (a word would cost calldata and a log data word per event); this table is
the one place that gives a code its meaning, for the indexer's answers, the API, the CLI, the page and the EPCIS
export. Codes 1-41 are the 41 standard business steps of CBV 2.0 (section 7.1), in the standard's alphabetical order;
codes from 1001 are this consortium's extensions for originals (appraising, exhibiting, restoring...), which EPCIS
carries as URIs in our own namespace, as CBV allows for user vocabulary. Code 0 is refused by the contract. A code
missing here (a partner ahead of this table) is shown as unknown, never refused: the chain is the record.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.errors import LedgerError
from ledger.i18n import gettext as _

CBV_BIZSTEP_URI = "https://ref.gs1.org/cbv/BizStep-"
"""The GS1 web URI of a standard business step (CBV 2.0): ``https://ref.gs1.org/cbv/BizStep-inspecting``."""

EXTENSION_BIZSTEP_URI = "https://originals.example/cbv/BizStep-"
"""The namespace of this consortium's business steps that CBV does not define."""

STANDARD_STEPS = (
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "sampling",
    "sensor_reporting",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
)
"""CBV 2.0's business steps; the code of each is its position + 1."""

EXTENSION_STEPS = (
    "appraising",
    "exhibiting",
    "restoring",
    "servicing",
    "recycling",
    "authenticating",
)
"""Steps of originals that CBV does not name; the code of each is its position + 1001."""

EXTENSION_BASE = 1001


@dataclass(frozen=True)
class BusinessStep:
    """One business step: the code on chain, its word, and its URI (GS1's for a standard step, ours otherwise)."""

    code: int
    name: str
    standard: bool

    @property
    def uri(self) -> str:
        return (CBV_BIZSTEP_URI if self.standard else EXTENSION_BIZSTEP_URI) + self.name


STEPS: dict[int, BusinessStep] = {
    **{i + 1: BusinessStep(i + 1, name, True) for i, name in enumerate(STANDARD_STEPS)},
    **{EXTENSION_BASE + i: BusinessStep(EXTENSION_BASE + i, name, False) for i, name in enumerate(EXTENSION_STEPS)},
}
"""Every known business step by code."""

BY_NAME: dict[str, BusinessStep] = {step.name: step for step in STEPS.values()}
"""Every known business step by word (``inspecting``), for the CLI and the API, which take words."""


class UnknownBusinessStep(LedgerError, ValueError):
    """A word that names no business step of :data:`STEPS`."""


def step_of(code: int) -> BusinessStep | None:
    """The business step with this code, or None for a code this table does not know."""
    return STEPS.get(code)


def code_of(name: str) -> int:
    """The code of a business step given by its word (``inspecting``) or its URI (:class:`UnknownBusinessStep`)."""
    word = name.strip()
    for prefix in (CBV_BIZSTEP_URI, EXTENSION_BIZSTEP_URI, "urn:epcglobal:cbv:bizstep:"):
        if word.startswith(prefix):
            word = word[len(prefix) :]
    step = BY_NAME.get(word)
    if step is None:
        raise UnknownBusinessStep(
            _("unknown business step {name!r}; known: {known}", name=name[:80], known=", ".join(sorted(BY_NAME)))
        )
    return step.code
