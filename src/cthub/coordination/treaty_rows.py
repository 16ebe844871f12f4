"""Rows of a treaty status file: the columns, one check per field, and synthetic demo rows.

``treaties`` imports through ``parse_all``: every row is read and checked before anything is
stored, and the first bad one raises an ``InvalidInput`` whose ``line`` and ``field``
parameters say where. Line 1 is the header, so mapping row n is reported as line n + 1, the
line it has in the CSV that ``treaties.status_csv`` writes from it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cthub.coordination.models import Instrument
from cthub.core.errors import InvalidInput
from cthub.core.i18n import N_
from cthub.core.model.countries import country_code

COLUMNS = ("state", "instrument", "signed_on", "consent_on", "consent_kind", "source")
CONSENT_KINDS: dict[str, str] = {
    "ratification": N_("Ratification"),
    "accession": N_("Accession"),
    "succession": N_("Succession"),
    "acceptance": N_("Acceptance"),
    "approval": N_("Approval"),
}
#: Consent a state gives without having signed: it accedes to a treaty it did not sign, or
#: succeeds to its predecessor's. Ratification, acceptance and approval confirm a signature,
#: so they cannot come before it.
UNSIGNED_CONSENT = ("accession", "succession")
SOURCE_LIMIT = 300
COLUMNS_HINT = N_(
    "A treaty status file has the columns state, instrument, signed_on, consent_on, "
    "consent_kind and source."
)


@dataclass(frozen=True)
class StatusRow:
    line: int
    state: str
    instrument_id: int
    signed_on: dt.date | None
    consent_on: dt.date | None
    consent_kind: str | None
    source: str


def import_source(source: str) -> str:
    """The import's provenance, required: a status without a source cannot be checked."""
    label = str(source or "").strip()
    if not label:
        raise InvalidInput(
            "Say where the treaty status comes from.",
            hint="Pass the source, e.g. the UN Treaty Collection page and the date you read it.",
            field="source",
        )
    return label[:SOURCE_LIMIT]


def _check_columns(found: Sequence[str], *, complete: bool) -> None:
    unknown = [c for c in found if c not in COLUMNS]
    if unknown:
        raise InvalidInput(
            "The treaty status data has unknown columns: {columns}.",
            hint=COLUMNS_HINT,
            columns=", ".join(unknown),
        )
    missing = [c for c in COLUMNS if c not in found]
    if complete and missing:
        raise InvalidInput(
            "The treaty status data lacks the columns: {columns}.",
            hint=COLUMNS_HINT,
            columns=", ".join(missing),
        )


def csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of CSV text; the header must name exactly the six ``COLUMNS``."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        raise InvalidInput("The treaty status file is empty.", hint=COLUMNS_HINT)
    _check_columns([name.strip() for name in reader.fieldnames], complete=True)
    for raw in reader:
        if None in raw:
            raise InvalidInput(
                "Line {line} has more values than the header has columns.",
                hint=COLUMNS_HINT,
                line=reader.line_num,
            )
        yield reader.line_num, {str(k).strip(): v or "" for k, v in raw.items()}


def mapping_rows(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(line, row) of mappings; a column may be left out, an unknown one is refused."""
    for number, row in enumerate(rows, start=2):
        _check_columns(list(row), complete=False)
        yield number, row


def parse_all(
    rows: Iterator[tuple[int, Mapping[str, Any]]], instruments: list[Instrument], source: str
) -> list[StatusRow]:
    """Every row checked, blank rows skipped; a (state, instrument) pair may appear once."""
    lookup: dict[str, Instrument] = {}
    for i in instruments:
        lookup.update({str(i.id): i, i.short_name.casefold(): i, i.full_name.casefold(): i})
    parsed: list[StatusRow] = []
    first: dict[tuple[str, int], int] = {}
    for line, raw in rows:
        if not any(str(v or "").strip() for v in raw.values()):
            continue
        row = _parse(line, raw, lookup, source)
        seen = first.setdefault((row.state, row.instrument_id), line)
        if seen != line:
            raise InvalidInput(
                "Line {line}: {state} and instrument {instrument} already appear on line {first}.",
                hint="Give each state and instrument once per file.",
                line=line, field="instrument", state=row.state, instrument=row.instrument_id,
                first=seen,
            )  # fmt: skip
        parsed.append(row)
    return parsed


def _parse(
    line: int, raw: Mapping[str, Any], lookup: dict[str, Instrument], source: str
) -> StatusRow:
    state = _state(line, _required(line, raw, "state"))
    instrument = _instrument(line, _required(line, raw, "instrument"), lookup)
    signed = _date(line, raw, "signed_on", instrument.adopted_year)
    consent = _date(line, raw, "consent_on", instrument.adopted_year)
    kind = _kind(line, raw, consent)
    if signed and consent and consent < signed and kind not in UNSIGNED_CONSENT:
        raise InvalidInput(
            "Line {line}: the {kind} on {consent} is before the signature on {signed}.",
            hint="Only an accession or a succession may come before a signature.",
            line=line, field="consent_on", kind=kind, consent=consent.isoformat(),
            signed=signed.isoformat(),
        )  # fmt: skip
    row_source = str(raw.get("source") or "").strip() or source
    if len(row_source) > SOURCE_LIMIT:
        raise InvalidInput(
            "Line {line}: the source is longer than {limit} characters.",
            line=line, field="source", limit=SOURCE_LIMIT,
        )  # fmt: skip
    return StatusRow(line, state, instrument.id, signed, consent, kind, row_source)


def _required(line: int, raw: Mapping[str, Any], field: str) -> str:
    value = str(raw.get(field) or "").strip()
    if not value:
        raise InvalidInput(
            "Line {line}: {field} is required.",
            hint="Fill it in and import again.",
            line=line,
            field=field,
        )
    return value


def _state(line: int, value: str) -> str:
    code = country_code(value)
    if code is None:
        raise InvalidInput(
            "Line {line}: unknown state {value!r} in {field}.",
            hint="Use an ISO 3166-1 alpha-2 code (e.g. JO) or the English name of the state.",
            line=line, field="state", value=value,
        )  # fmt: skip
    return code


def _instrument(line: int, value: str, lookup: dict[str, Instrument]) -> Instrument:
    found = lookup.get(value.casefold())
    if found is None:
        raise InvalidInput(
            "Line {line}: unknown instrument {value!r} in {field}.",
            hint="Use the instrument's number (1 to 19) or its short name, e.g. Hague 1970.",
            line=line, field="instrument", value=value,
        )  # fmt: skip
    return found


def _date(line: int, raw: Mapping[str, Any], field: str, adopted: int) -> dt.date | None:
    value = raw.get(field)
    if isinstance(value, dt.date) or not str(value or "").strip():
        day = value if isinstance(value, dt.date) else None
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(
                "Line {line}: invalid date {value!r} in {field}.",
                hint="Use YYYY-MM-DD.", line=line, field=field, value=str(value).strip(),
            ) from None  # fmt: skip
    if day is not None and day.year < adopted:
        raise InvalidInput(
            "Line {line}: {field} {value} is before the instrument was adopted in {year}.",
            line=line, field=field, value=day.isoformat(), year=adopted,
        )  # fmt: skip
    return day


def _kind(line: int, raw: Mapping[str, Any], consent: dt.date | None) -> str | None:
    kind = str(raw.get("consent_kind") or "").strip().lower() or None
    if kind is not None and kind not in CONSENT_KINDS:
        raise InvalidInput(
            "Line {line}: unknown value {value!r} in {field}.",
            hint="Use one of: {allowed}.", line=line, field="consent_kind", value=kind,
            allowed=", ".join(CONSENT_KINDS),
        )  # fmt: skip
    if consent is not None and kind is None:
        raise InvalidInput(
            "Line {line}: say how the state consented on {value} in {field}.",
            hint="Use one of: {allowed}.", line=line, field="consent_kind",
            value=consent.isoformat(), allowed=", ".join(CONSENT_KINDS),
        )  # fmt: skip
    if consent is None and kind is not None:
        raise InvalidInput(
            "Line {line}: the {value} has no date in {field}.",
            hint="Give the date of the consent, or leave consent_kind empty.",
            line=line, field="consent_on", value=kind,
        )  # fmt: skip
    return kind


# -- synthetic demo rows -----------------------------------------------------------------------

_LAST_YEAR = 2025


def _day(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


def demo_row(
    rng: random.Random, instrument_id: int, adopted: int, propensity: float
) -> dict[str, str] | None:
    """One synthetic row (without state and source), or ``None`` when the state stays out."""
    age = _LAST_YEAR - adopted
    row = {"instrument": str(instrument_id), "signed_on": "", "consent_on": "", "consent_kind": ""}
    if rng.random() < propensity * min(1.0, 0.3 + age / 25):
        if rng.random() < 0.55:
            signed = _day(rng, adopted + rng.randint(0, 1))
            consent = signed + dt.timedelta(days=rng.randint(120, 3000))
            consent = min(consent, dt.date(_LAST_YEAR, 12, 31))
            row.update(signed_on=signed.isoformat(), consent_kind="ratification")
        else:
            consent = _day(rng, min(_LAST_YEAR, adopted + rng.randint(1, max(1, min(age, 20)))))
            row.update(consent_kind="accession")
        row["consent_on"] = consent.isoformat()
        return row
    if rng.random() < 0.3:
        row["signed_on"] = _day(rng, adopted + rng.randint(0, 1)).isoformat()
        return row
    return None


__all__ = [
    "COLUMNS",
    "COLUMNS_HINT",
    "CONSENT_KINDS",
    "UNSIGNED_CONSENT",
    "StatusRow",
    "csv_rows",
    "demo_row",
    "import_source",
    "mapping_rows",
    "parse_all",
]
