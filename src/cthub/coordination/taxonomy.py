"""The coordination vocabulary: the eight CTC assistance areas and their OECD DAC purpose codes.

The Counter-Terrorism Committee groups capacity-building assistance into eight areas (the
shared vocabulary of ``ARCHITECTURE.md``). IATI files carry OECD DAC 5-digit purpose codes
(sector vocabulary ``1``); cthub maps each code to one area so that imported activities land in
the register, and it writes the area itself as a reporting-organisation sector code
(vocabulary ``99``, ``CTC_VOCABULARY_URI``) so another cthub node reads it back exactly.

Forms, statuses, need sources and confidentiality levels are fixed vocabularies too; every
label is a msgid (``N_``) translated at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass

from cthub.core.i18n import N_

CTC_VOCABULARY = "99"
CTC_VOCABULARY_URI = "https://cthub.org/vocabulary/ctc-assistance-areas"


@dataclass(frozen=True)
class Area:
    """One CTC assistance area: stable ``key``, English ``label`` (a msgid), DAC codes."""

    key: str
    label: str
    dac_codes: tuple[str, ...]
    description: str


AREAS: tuple[Area, ...] = (
    Area(
        "legislation",
        N_("Counter-terrorism legislation"),
        ("15130", "15131"),
        N_("Drafting and implementing laws that criminalise terrorism; legal and judicial"),
    ),
    Area(
        "financial_law",
        N_("Financial law and practice"),
        ("15113",),
        N_("Countering the financing of terrorism, anti-money-laundering, organised crime"),
    ),
    Area(
        "customs",
        N_("Customs law and practice"),
        ("33120",),
        N_("Border controls on goods, trade facilitation and customs enforcement"),
    ),
    Area(
        "immigration",
        N_("Immigration law and practice"),
        ("15136", "15190"),
        N_("Immigration, travel documents and border management of people"),
    ),
    Area(
        "extradition",
        N_("Extradition law and practice"),
        ("15134",),
        N_("Extradition, mutual legal assistance and judicial cooperation"),
    ),
    Area(
        "law_enforcement",
        N_("Police and law enforcement"),
        ("15132", "15210"),
        N_("Police, investigation and security-sector management"),
    ),
    Area(
        "arms_export_control",
        N_("Illegal arms trafficking and export control"),
        ("15240",),
        N_("Small arms and light weapons control, export control of dual-use goods"),
    ),
    Area(
        "transport_security",
        N_("Transport and infrastructure security"),
        ("21050", "21040"),
        N_("Aviation, maritime and critical infrastructure security"),
    ),
)

AREA_KEYS: tuple[str, ...] = tuple(a.key for a in AREAS)
_BY_KEY = {a.key: a for a in AREAS}
_BY_DAC = {code: a.key for a in AREAS for code in a.dac_codes}

FORMS: dict[str, str] = {
    "training": N_("Training"),
    "expert_deployment": N_("Expert deployment"),
    "equipment": N_("Equipment"),
    "legislative_drafting": N_("Legislative drafting"),
    "funding": N_("Funding"),
}

STATUSES: dict[str, str] = {
    "pipeline": N_("Pipeline"),
    "implementation": N_("Implementation"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
}

#: IATI ActivityStatus code -> cthub status (3 finalisation and 4 closed are both delivered;
#: 6 suspended is still committed assistance).
IATI_STATUS = {
    "1": "pipeline",
    "2": "implementation",
    "3": "completed",
    "4": "completed",
    "5": "cancelled",
    "6": "implementation",
}
STATUS_TO_IATI = {"pipeline": "1", "implementation": "2", "completed": "4", "cancelled": "5"}

NEED_SOURCES: dict[str, str] = {
    "cted_assessment": N_("CTED assessment"),
    "self_assessment": N_("Self-assessment"),
    "donor_mission": N_("Donor mission"),
}

NEED_STATES: dict[str, str] = {
    "open": N_("Open"),
    "addressed": N_("Addressed"),
    "closed": N_("Closed"),
}

#: Confidentiality of a need: Traffic Light Protocol 2.0 labels.
TLP_LEVELS: tuple[str, ...] = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")


def area(key: str) -> Area:
    """The area named ``key``; ``KeyError`` for an unknown key (callers validate first)."""
    return _BY_KEY[key]


def area_for_dac(code: str) -> str | None:
    """The CTC area a DAC 5-digit purpose code belongs to, or ``None`` if it is outside CT."""
    return _BY_DAC.get(code.strip())


def dac_codes(key: str) -> tuple[str, ...]:
    return _BY_KEY[key].dac_codes


__all__ = [
    "AREAS",
    "AREA_KEYS",
    "CTC_VOCABULARY",
    "CTC_VOCABULARY_URI",
    "FORMS",
    "IATI_STATUS",
    "NEED_SOURCES",
    "NEED_STATES",
    "STATUSES",
    "STATUS_TO_IATI",
    "TLP_LEVELS",
    "Area",
    "area",
    "area_for_dac",
    "dac_codes",
]
