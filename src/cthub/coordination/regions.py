"""IATI region codes (the bundled IATI ``Region`` codelist): recipients that are not one country."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def regions() -> dict[str, str]:
    """Region code -> English name, from ``data/iati/Region.csv`` (``code,name,...``)."""
    source = resources.files("cthub.coordination").joinpath("data", "iati", "Region.csv")
    rows = csv.DictReader(source.read_text(encoding="utf-8").splitlines())
    return {row["code"]: row["name"] for row in rows if row.get("code")}


def region_codes() -> frozenset[str]:
    return frozenset(regions())


__all__ = ["region_codes", "regions"]
