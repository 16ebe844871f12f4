"""The treaty tracker: where each state stands on the 19 universal counter-terrorism instruments.

The instruments are bundled reference data (``data/ct_instruments.csv``, see ``SOURCES.md``),
each mapped to one CTC assistance area by ``CSV_AREAS``. Treaty status is global reference data
too (``treaties.read`` for every role, ``treaties.write`` for admin and coordinator), imported
from CSV files ``state,instrument,signed_on,consent_on,consent_kind,source``. An import is one
transaction: every row is checked (``treaty_rows``) before anything is written, and the first
bad row aborts it with an ``InvalidInput`` naming the line and the field. No real ratification
dataset is available offline: ``demo_status_rows`` makes labelled synthetic rows for the demo.

This is the tracker's public module: the reading side (``country_status``, ``peer_comparison``,
``treaty_shortfall``) lives in ``treaty_status`` and is re-exported here.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cthub.coordination import treaty_rows
from cthub.coordination.models import Instrument, TreatyStatus
from cthub.coordination.treaty_rows import COLUMNS, CONSENT_KINDS, StatusRow
from cthub.coordination.treaty_status import (
    TREATY_STATES,
    CountryTreaties,
    InstrumentStatus,
    PeerComparison,
    PeerGap,
    PeerRow,
    country_status,
    peer_comparison,
    treaty_shortfall,
)
from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor

#: The bundled CSV's ``ctc_assistance_area`` wording -> CTC area key. An instrument named under
#: two areas goes to the first-named one (the Nuclear Terrorism Convention is criminal law
#: first); "domestic security" of aircraft, ships, fixed platforms and critical infrastructure
#: is ``transport_security``; nuclear material and explosives marking are export control.
CSV_AREAS: dict[str, str] = {
    "counter-terrorism legislation": "legislation",
    "counter-terrorism legislation / export control": "legislation",
    "financial law and enforcement": "financial_law",
    "export control and illicit arms trafficking": "arms_export_control",
    "export control / domestic security": "arms_export_control",
    "domestic security: aviation": "transport_security",
    "domestic security: maritime/transport": "transport_security",
    "domestic security: critical infrastructure": "transport_security",
}

DEMO_LABEL = "SYNTHETIC demo data, not real treaty status (cthub demo_status_rows, seed {seed})"


@dataclass(frozen=True)
class ImportSummary:
    source: str
    rows: int
    created: int
    updated: int
    states: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.rows} rows ({self.created} new, {self.updated} updated) "
            f"for {len(self.states)} states from {self.source}"
        )


# -- the instruments -----------------------------------------------------------------------


def _data(name: str) -> str:
    return resources.files("cthub.coordination").joinpath("data", name).read_text("utf-8")


@cache
def bundled_instruments() -> tuple[dict[str, Any], ...]:
    """The 19 instruments of ``data/ct_instruments.csv`` as ``Instrument`` column values."""
    rows = csv.DictReader(io.StringIO(_data("ct_instruments.csv")))
    return tuple(
        {
            "id": int(r["id"]),
            "short_name": r["short_name"],
            "full_name": r["full_name"],
            "adopted_year": int(r["adopted_year"]),
            "in_force_year": int(r["entry_into_force_year"])
            if r["entry_into_force_year"]
            else None,
            "depositary": r["depositary_or_agency"],
            "domain": r["domain"],
            "area": CSV_AREAS[r["ctc_assistance_area"]],
        }
        for r in rows
    )


def _ensure_instruments(u: Unit) -> list[Instrument]:
    """Insert or refresh the bundled instruments (idempotent) and return them by id."""
    existing = {i.id: i for i in u.s.scalars(select(Instrument))}
    for values in bundled_instruments():
        row = existing.get(values["id"])
        if row is None:
            row = existing[values["id"]] = Instrument()
            u.s.add(row)
        for key, value in values.items():
            setattr(row, key, value)
    u.s.flush()
    return sorted(existing.values(), key=lambda i: i.id)


def load_instruments(hub: Hub, actor: Actor) -> int:
    """Fill ``coord_instruments`` from the bundled list; running it again changes nothing."""
    with hub.unit(actor, "treaties.write") as u:
        count = len(_ensure_instruments(u))
        u.audit("instrument", details={"instruments": count})
        return count


# -- importing status --------------------------------------------------------------------------


def import_status_csv(
    hub: Hub, actor: Actor, path_or_text: str | PathLike[str], *, source: str
) -> ImportSummary:
    """Import a status CSV (a path, or the text itself); all rows or none are stored."""
    return _import(hub, actor, treaty_rows.csv_rows(_csv_text(path_or_text)), source)


def import_status_rows(
    hub: Hub, actor: Actor, rows: Iterable[Mapping[str, Any]], *, source: str
) -> ImportSummary:
    """Import rows given as mappings with the CSV's columns (row n is reported as line n + 1)."""
    return _import(hub, actor, treaty_rows.mapping_rows(rows), source)


def _csv_text(path_or_text: str | PathLike[str]) -> str:
    """A ``str`` holding a comma or a newline is the CSV itself; anything else names a file."""
    if isinstance(path_or_text, str) and ("\n" in path_or_text or "," in path_or_text):
        return path_or_text
    path = Path(path_or_text)
    if not path.is_file():
        raise InvalidInput("No such file: {path}.", path=str(path))
    return path.read_text(encoding="utf-8-sig")


def _import(
    hub: Hub, actor: Actor, rows: Iterator[tuple[int, Mapping[str, Any]]], source: str
) -> ImportSummary:
    label = treaty_rows.import_source(source)
    with hub.unit(actor, "treaties.write") as u:
        instruments = _ensure_instruments(u)
        parsed = treaty_rows.parse_all(rows, instruments, label)
        created, updated = _store(u, parsed)
        states = tuple(sorted({p.state for p in parsed}))
        u.audit("treaty_status", details={"source": label, "rows": len(parsed)})
        return ImportSummary(label, len(parsed), created, updated, states)


def _store(u: Unit, parsed: list[StatusRow]) -> tuple[int, int]:
    existing = {
        (t.state, t.instrument_id): t
        for t in u.s.scalars(
            select(TreatyStatus).where(TreatyStatus.state.in_({p.state for p in parsed}))
        )
    }
    created = 0
    for p in parsed:
        row = existing.get((p.state, p.instrument_id))
        if row is None:
            row = TreatyStatus(state=p.state, instrument_id=p.instrument_id)
            u.s.add(row)
            created += 1
        row.signed_on, row.consent_on = p.signed_on, p.consent_on
        row.consent_kind, row.source = p.consent_kind, p.source
        row.updated_at = utcnow()
    u.s.flush()
    return created, len(parsed) - created


# -- synthetic demo data -----------------------------------------------------------------------


def demo_status_rows(states: Iterable[str], seed: int = 0) -> list[dict[str, str]]:
    """SYNTHETIC status rows for the demo, labelled as such in ``source``; never real data.

    Deterministic per (seed, state), so adding a state leaves the others' rows unchanged. Older
    instruments are joined more often; ratifications follow a signature, accessions have none.
    """
    label = DEMO_LABEL.format(seed=seed)
    rows: list[dict[str, str]] = []
    for state in sorted(set(states)):
        rng = random.Random(f"{seed}:{state}")  # noqa: S311 - reproducible demo data
        propensity = rng.uniform(0.45, 0.98)
        for inst in bundled_instruments():
            row = treaty_rows.demo_row(rng, inst["id"], inst["adopted_year"], propensity)
            if row is not None:
                rows.append({"state": state, **row, "source": label})
    return rows


def status_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows (e.g. ``demo_status_rows``) as the CSV text ``import_status_csv`` reads."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


__all__ = [
    "CONSENT_KINDS",
    "CSV_AREAS",
    "DEMO_LABEL",
    "TREATY_STATES",
    "CountryTreaties",
    "ImportSummary",
    "InstrumentStatus",
    "PeerComparison",
    "PeerGap",
    "PeerRow",
    "bundled_instruments",
    "country_status",
    "demo_status_rows",
    "import_status_csv",
    "import_status_rows",
    "load_instruments",
    "peer_comparison",
    "status_csv",
    "treaty_shortfall",
]
