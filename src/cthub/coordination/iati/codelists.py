"""The IATI codelists and schema bundled in ``cthub/coordination/data/iati`` (see SOURCES.md).

Codes are checked against the whole list, withdrawn codes included: files published before a
code was withdrawn are still valid data. Language codes compare case-insensitively.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "iati"
SCHEMA_PATH = DATA_DIR / "iati-activities-schema.xsd"

CODELISTS = (
    "ActivityStatus",
    "AidType",
    "Country",
    "Currency",
    "DocumentCategory",
    "Language",
    "OrganisationRole",
    "OrganisationType",
    "Region",
    "Sector",
    "SectorVocabulary",
)


@cache
def names(codelist: str) -> dict[str, str]:
    """Code -> English name of one bundled codelist (``KeyError`` for an unknown list)."""
    if codelist not in CODELISTS:
        raise KeyError(codelist)
    with (DATA_DIR / f"{codelist}.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle) if row["code"]}


@cache
def _folded(codelist: str) -> frozenset[str]:
    return frozenset(code.casefold() for code in names(codelist))


def known(codelist: str, code: str) -> bool:
    """Whether ``code`` is in ``codelist`` (exact, except Language: any case)."""
    if codelist == "Language":
        return code.casefold() in _folded(codelist)
    return code in names(codelist)


__all__ = ["CODELISTS", "DATA_DIR", "SCHEMA_PATH", "known", "names"]
