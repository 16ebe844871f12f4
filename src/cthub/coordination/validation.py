"""Validation of needs and projects as users type them: one rule each, one message per field.

Every interface (web form, API JSON, CLI, IATI import) sends raw values here. Each failure is an
``InvalidInput`` whose ``field`` parameter names the field, so forms show the message beside
it, word for word as the API returns it. Money is parsed from its decimal text into integer
minor units of the currency (ISO 4217 minor digits, as IATI uses them); floats never enter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from cthub.coordination import taxonomy
from cthub.coordination.iati.codelists import names
from cthub.coordination.regions import region_codes
from cthub.core.errors import InvalidInput
from cthub.core.model.countries import countries, country_code
from cthub.core.money import minor_digits


@dataclass(frozen=True)
class NeedData:
    recipient: str
    area: str
    priority: int
    title: str
    description: str
    source: str
    identified_on: dt.date
    confidentiality: str
    status: str


@dataclass(frozen=True)
class ProjectData:
    title: str
    description: str
    donor: str
    implementer: str
    recipient: str
    areas: tuple[str, ...]
    forms: tuple[str, ...]
    status: str
    budget_minor: int | None
    currency: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    contacts: list[dict[str, Any]]
    results: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    need_ids: tuple[int, ...]
    iati_identifier: str | None = None
    donor_ref: str | None = None
    implementer_ref: str | None = None


def _bad(field: str, message: str, hint: str | None = None, **params: Any) -> InvalidInput:
    return InvalidInput(message, hint=hint, field=field, **params)


def text(data: Mapping[str, Any], field: str, *, required: bool = True, limit: int = 500) -> str:
    value = str(data.get(field) or "").replace("\x00", "").strip()  # PostgreSQL holds no NUL
    if required and not value:
        raise _bad(field, "The field {field} is required.", "Fill it in and submit again.")
    if len(value) > limit:
        raise _bad(field, "The field {field} is longer than {limit} characters.", limit=limit)
    return value


def recipient(value: Any, field: str = "recipient") -> str:
    """An ISO 3166-1 alpha-2 country (code or English name) or an IATI region code."""
    raw = str(value or "").strip()
    if not raw:
        raise _bad(field, "The field {field} is required.", "Fill it in and submit again.")
    if raw.isdigit() and raw in region_codes():
        return raw
    code = raw.upper() if raw.upper() in countries() else country_code(raw)
    if code is None:
        raise _bad(
            field,
            "Unknown country or region {value!r} in {field}.",
            "Use an ISO 3166-1 alpha-2 code (e.g. JO) or an IATI region code (e.g. 298).",
            value=raw,
        )
    return code


def choice(value: Any, field: str, allowed: Mapping[str, str] | tuple[str, ...]) -> str:
    raw = str(value or "").strip()
    if raw not in allowed:
        raise _bad(
            field,
            "Unknown value {value!r} in {field}.",
            "Use one of: {allowed}.",
            value=raw,
            allowed=", ".join(allowed),
        )
    return raw


def choices(
    value: Any, field: str, allowed: Mapping[str, str] | tuple[str, ...]
) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    picked = [choice(str(item).strip(), field, allowed) for item in items if str(item).strip()]
    return tuple(dict.fromkeys(picked))


def date(value: Any, field: str, *, required: bool = False) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    raw = str(value or "").strip()
    if not raw:
        if required:
            raise _bad(field, "The field {field} is required.", "Fill it in and submit again.")
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _bad(
            field, "Invalid date {value!r} in {field}.", "Use YYYY-MM-DD.", value=raw
        ) from None


def priority(value: Any, field: str = "priority") -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 5:
        raise _bad(
            field, "Priority must be a whole number from 1 to 5, not {value!r}.", value=value
        )
    return number


@cache
def currency_codes() -> frozenset[str]:
    """Active ISO 4217 codes of the bundled IATI Currency codelist."""
    return frozenset(code for code, _ in names("Currency").items())


def currency(value: Any, field: str = "currency") -> str:
    raw = str(value or "").strip().upper()
    if raw not in currency_codes():
        raise _bad(
            field,
            "Unknown currency {value!r} in {field}.",
            "Use an ISO 4217 code such as EUR, USD or JPY.",
            value=raw,
        )
    return raw


#: The largest integer the databases store (a signed 64-bit ``BIGINT``).
MAX_INT = 2**63 - 1


def _too_large(field: str, value: Any) -> InvalidInput:
    return _bad(field, "The amount {value} in {field} is too large.", value=value)


def money(amount: Any, code: str, field: str = "budget") -> int:
    """Decimal text (or int/Decimal) in ``code`` -> integer minor units; negative refused."""
    try:
        value = Decimal(str(amount).strip().replace(",", "").replace(" ", ""))
    except InvalidOperation:
        raise _bad(field, "Invalid amount {value!r} in {field}.", value=amount) from None
    if not value.is_finite():
        raise _bad(field, "Invalid amount {value!r} in {field}.", value=amount)
    if value < 0:
        raise _bad(field, "The budget must not be negative ({value}).", value=amount)
    scaled = value.scaleb(minor_digits(code))
    if scaled != scaled.to_integral_value():
        raise _bad(
            field,
            "The amount {value} has more decimals than {currency} allows.",
            value=amount,
            currency=code,
        )
    if scaled > MAX_INT:
        raise _too_large(field, amount)
    return int(scaled)


def format_money(minor: int | None, code: str | None) -> str:
    """Integer minor units -> decimal text (``1234567, "EUR"`` -> ``"12345.67"``)."""
    if minor is None or code is None:
        return ""
    digits = minor_digits(code)
    return str(Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits)))


def date_order(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise _bad(
            "end_date",
            "The end date {end} is before the start date {start}.",
            "Swap the dates or correct the end date.",
            start=start.isoformat(),
            end=end.isoformat(),
        )


def need_data(data: Mapping[str, Any]) -> NeedData:
    return NeedData(
        recipient=recipient(data.get("recipient")),
        area=choice(data.get("area"), "area", taxonomy.AREA_KEYS),
        priority=priority(data.get("priority")),
        title=text(data, "title", limit=300),
        description=text(data, "description", required=False, limit=20000),
        source=choice(data.get("source") or "cted_assessment", "source", taxonomy.NEED_SOURCES),
        identified_on=date(data.get("identified_on"), "identified_on") or dt.date.today(),
        confidentiality=choice(
            data.get("confidentiality") or "TLP:GREEN", "confidentiality", taxonomy.TLP_LEVELS
        ),
        status=choice(data.get("status") or "open", "status", taxonomy.NEED_STATES),
    )


def _budget(data: Mapping[str, Any]) -> tuple[int | None, str | None]:
    if "budget_minor" in data and data.get("budget_minor") not in (None, ""):
        code = currency(data.get("currency"))
        minor = int(data["budget_minor"])
        if minor < 0:
            raise _bad("budget", "The budget must not be negative ({value}).", value=minor)
        if minor > MAX_INT:
            raise _too_large("budget", minor)
        return minor, code
    raw = str(data.get("budget") or "").strip()
    if not raw:
        return None, None
    code = currency(data.get("currency"))
    return money(raw, code), code


def _need_ids(value: Any) -> tuple[int, ...]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    try:
        ids = tuple(sorted({int(str(item).strip()) for item in items if str(item).strip()}))
        if any(not 0 < i <= MAX_INT for i in ids):
            raise ValueError(value)
        return ids
    except ValueError:
        raise _bad(
            "need_ids", "Linked needs must be need numbers, not {value!r}.", value=value
        ) from None


def project_data(data: Mapping[str, Any]) -> ProjectData:
    areas = choices(data.get("areas"), "areas", taxonomy.AREA_KEYS)
    if not areas:
        raise _bad("areas", "Choose at least one assistance area.")
    start = date(data.get("start_date"), "start_date")
    end = date(data.get("end_date"), "end_date")
    date_order(start, end)
    budget_minor, code = _budget(data)
    return ProjectData(
        title=text(data, "title"),
        description=text(data, "description", required=False, limit=20000),
        donor=text(data, "donor", limit=300),
        implementer=text(data, "implementer", required=False, limit=300),
        recipient=recipient(data.get("recipient")),
        areas=areas,
        forms=choices(data.get("forms"), "forms", taxonomy.FORMS),
        status=choice(data.get("status") or "pipeline", "status", taxonomy.STATUSES),
        budget_minor=budget_minor,
        currency=code,
        start_date=start,
        end_date=end,
        contacts=list(data.get("contacts") or []),
        results=list(data.get("results") or []),
        documents=list(data.get("documents") or []),
        need_ids=_need_ids(data.get("need_ids")),
        iati_identifier=(str(data.get("iati_identifier") or "").strip() or None),
        donor_ref=(str(data.get("donor_ref") or "").strip() or None),
        implementer_ref=(str(data.get("implementer_ref") or "").strip() or None),
    )


__all__ = [
    "NeedData",
    "ProjectData",
    "currency",
    "date_order",
    "format_money",
    "money",
    "need_data",
    "project_data",
    "recipient",
]
