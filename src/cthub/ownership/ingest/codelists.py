"""The reference lists validation needs, shipped in ``data/`` so that it works offline.

``interest_types.csv`` is the BODS interestType codelist of 0.2 (hyphenated) and 0.3/0.4
(camelCase) with the edge contract's class of each code (``ownership``, ``voting`` or
``control``); ``bods_enums.csv`` the other closed codelists the parsers check;
``psc_natures.csv`` every Companies House nature of control with its share band. See
``data/PROVENANCE.md`` for where each list comes from.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


def _rows(name: str) -> list[dict[str, str]]:
    text = (files("cthub.ownership.ingest") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def interest_classes() -> dict[str, str]:
    """BODS interest type code (any version) -> ``ownership`` | ``voting`` | ``control``."""
    return {r["code"]: r["interest"] for r in _rows("interest_types.csv")}


@cache
def enums() -> dict[str, frozenset[str]]:
    """BODS field name -> the codes its closed codelist allows (all versions together)."""
    out: dict[str, set[str]] = {}
    for r in _rows("bods_enums.csv"):
        out.setdefault(r["field"], set()).add(r["code"])
    return {k: frozenset(v) for k, v in out.items()}


@dataclass(frozen=True)
class Nature:
    """A PSC nature of control: its class, share band in percent, and how it is held."""

    code: str
    interest: str
    low: float | None
    high: float | None
    low_inclusive: bool
    high_inclusive: bool
    via: str  # '' (directly or indirectly), as-trust, as-firm, as-control-over-*, nominee
    register: str  # company, llp, scottish-partnership, overseas-entity


@cache
def psc_natures() -> dict[str, Nature]:
    out = {}
    for r in _rows("psc_natures.csv"):
        out[r["code"]] = Nature(
            r["code"],
            r["interest"],
            float(r["share_min"]) if r["share_min"] else None,
            float(r["share_max"]) if r["share_max"] else None,
            r["min_inclusive"] == "true",
            r["max_inclusive"] == "true",
            r["via"],
            r["register"],
        )
    return out


__all__ = ["Nature", "enums", "interest_classes", "psc_natures"]
