"""Field values every format shares: text, dates, identifiers and share intervals.

Text is untrusted: NUL and other control characters are replaced (PostgreSQL refuses NUL in
text) and values are cut to the column's length, each with a warning. Dates may be partial
(``YYYY`` or ``YYYY-MM``): BODS 0.4 says they "may be rounded to the first day of the month",
and 0.2 allows ``YYYY``/``YYYY-MM`` outright, so they are rounded down; a date-time keeps its
date. Shares arrive in percent and leave as fractions 0..1 with inclusive/exclusive bounds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import orjson

from cthub.core.model import country_code
from cthub.ownership.ingest.records import Batch

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][0-9:.+\-Z]*)?$")
NAME_MAX = 500
ID_MAX = 190  # leaves room for the store's prefix (bods:, psc:, ftm:) in 200


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of a record: equal content, equal digest."""
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()


def text(batch: Batch, record: str, fld: str, value: Any, limit: int = NAME_MAX) -> str | None:
    """A clean string, or ``None`` (with an error) when the value is not a string."""
    if value is None:
        return None
    if not isinstance(value, str):
        batch.problem(record, fld, "schema", f"must be a string, not {_kind(value)}")
        return None
    clean = _CONTROL.sub(" ", value)
    if clean != value:
        batch.warn(record, fld, "control_characters", "control characters replaced by spaces")
    if len(clean) > limit:
        batch.warn(record, fld, "too_long", f"{len(clean)} characters cut to {limit}")
        clean = clean[:limit]
    return clean.strip()


def ident(batch: Batch, record: str, fld: str, value: Any) -> str | None:
    """A statement or record id: a non-empty string of at most ``ID_MAX`` characters."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        batch.problem(record, fld, "schema", "missing or not a string")
        return None
    if len(value) > ID_MAX or _CONTROL.search(value):
        batch.problem(record, fld, "bad_id", f"ids are at most {ID_MAX} printable characters")
        return None
    return value.strip()


def clean(value: str, limit: int) -> str:
    """``value`` with control characters replaced and cut to ``limit`` (no warning)."""
    return _CONTROL.sub(" ", value).strip()[:limit]


def parse_date(batch: Batch, record: str, fld: str, value: Any) -> dt.date | None:
    """``YYYY[-MM[-DD]][Thh:mm...]`` as a date (partial dates rounded down), else a warning."""
    if value is None or value == "":
        return None
    m = _DATE.match(value) if isinstance(value, str) else None
    if m is not None:
        try:
            return dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
        except ValueError:
            pass
    batch.warn(record, fld, "bad_date", f"{str(value)[:40]!r} is not an ISO 8601 date; ignored")
    return None


def jurisdiction(value: Any) -> str | None:
    """An ISO 3166-1 alpha-2 code from a BODS jurisdiction/country object, a code or a name."""
    if isinstance(value, dict):
        value = value.get("code") or value.get("name")
    if not isinstance(value, str) or not value.strip():
        return None
    code = value.strip()
    if len(code) > 3 and "-" in code[:3]:  # ISO 3166-2 subdivision: keep the country
        code = code.split("-", 1)[0]
    return country_code(code)


def scheme_of(scheme: str) -> str:
    """A stored identifier scheme: lower case; ``XI-LEI`` is ``lei`` (org-id.guide)."""
    low = re.sub(r"[^a-z0-9-]+", "-", scheme.strip().lower()).strip("-")[:60]
    return {"xi-lei": "lei", "gleif": "lei"}.get(low, low) or "unknown"


def normalized(value: str) -> str:
    """An identifier value for comparison: letters and digits only, upper case."""
    return re.sub(r"[^0-9A-Za-z]+", "", value).upper()


@dataclass(frozen=True)
class Share:
    """A share interval as fractions 0..1; ``None`` bounds are unknown."""

    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True


def interval(
    batch: Batch, record: str, fld: str, low: Any, high: Any, low_inc: bool, high_inc: bool
) -> Share | None:
    """Check a percent interval; ``None`` (with an error) when it is out of 0..100 or empty."""
    bounds: list[float | None] = []
    for name, value in (("minimum", low), ("maximum", high)):
        if value is None:
            bounds.append(None)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            batch.problem(
                record, f"{fld}.{name}", "schema", f"must be a number, not {_kind(value)}"
            )
            return None
        if value != value or not 0 <= value <= 100:  # NaN, negative, over 100 %
            code = "share_negative" if value < 0 else "share_over_100"
            batch.problem(
                record,
                f"{fld}.{name}",
                code if value == value else "schema",
                f"{value} is not a percentage between 0 and 100; interest skipped",
            )
            return None
        bounds.append(float(value))
    lo, hi = bounds
    if lo is not None and hi is not None and (lo > hi or (lo == hi and not (low_inc and high_inc))):
        batch.problem(
            record,
            fld,
            "interval_inverted",
            f"the interval {_show(lo, hi, low_inc, high_inc)} is empty; interest skipped",
        )
        return None
    return Share(
        None if lo is None else lo / 100, None if hi is None else hi / 100, low_inc, high_inc
    )


def _show(lo: float, hi: float, low_inc: bool, high_inc: bool) -> str:
    return f"{'[' if low_inc else '('}{lo:g}, {hi:g}{']' if high_inc else ')'}"


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", bool: "a boolean", str: "a string"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null"
    )


__all__ = [
    "ID_MAX",
    "NAME_MAX",
    "Share",
    "clean",
    "digest",
    "ident",
    "interval",
    "jurisdiction",
    "normalized",
    "parse_date",
    "scheme_of",
    "text",
]
