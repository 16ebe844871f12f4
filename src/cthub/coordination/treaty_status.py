"""Reading the treaty tracker: one state's status, peer comparisons and the treaty shortfall.

Treaty status is global reference data (``treaties.read`` for every role). A state's status on
an instrument is ``party`` once it consented (ratification, accession, ...), ``signatory`` when
it only signed, else ``not_joined``. Instruments a state has not joined are linked to its open
``legislation`` needs that the actor may read (``coordination.read`` scope), since joining an
instrument is mostly a legislative-drafting task.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import or_, select

from cthub.coordination.models import Instrument, Need, TreatyStatus
from cthub.coordination.service import OWN_ORG_ONLY
from cthub.core import policy
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub, Unit
from cthub.core.i18n import N_
from cthub.core.model.countries import countries, country_code
from cthub.core.policy import Actor

TREATY_STATES: dict[str, str] = {
    "party": N_("Party"),
    "signatory": N_("Signatory"),
    "not_joined": N_("Not joined"),
}


@dataclass(frozen=True)
class InstrumentStatus:
    """One state's standing on one instrument; ``legislation_need`` only when not a party."""

    instrument_id: int
    short_name: str
    full_name: str
    area: str
    adopted_year: int
    status: str
    signed_on: dt.date | None
    consent_on: dt.date | None
    consent_kind: str | None
    source: str
    legislation_need: bool


@dataclass(frozen=True)
class CountryTreaties:
    state: str
    name: str
    has_data: bool
    total: int
    parties: int
    signatories: int
    instruments: tuple[InstrumentStatus, ...]
    not_joined: tuple[InstrumentStatus, ...]
    legislation_need_ids: tuple[int, ...]


@dataclass(frozen=True)
class PeerRow:
    """One state of a comparison; ``statuses`` follow ``PeerComparison.instruments``."""

    state: str
    name: str
    has_data: bool
    parties: int
    signatories: int
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class PeerGap:
    """An instrument the state has not joined, and how many of its peers are parties to it."""

    instrument_id: int
    short_name: str
    area: str
    peers_party: int
    peers: int


@dataclass(frozen=True)
class PeerComparison:
    """``basis`` is ``region`` (default peers), ``explicit`` or ``all`` (every state with data)."""

    state: str
    basis: str
    region: str | None
    instruments: tuple[str, ...]
    rows: tuple[PeerRow, ...]
    peer_average: float
    rank: int
    gaps: tuple[PeerGap, ...]


# -- reading status ----------------------------------------------------------------------------


def _status(t: TreatyStatus | None) -> str:
    if t is not None and t.consent_on is not None:
        return "party"
    return "signatory" if t is not None and t.signed_on is not None else "not_joined"


def _by_state(u: Unit) -> dict[str, dict[int, TreatyStatus]]:
    table: dict[str, dict[int, TreatyStatus]] = {}
    for t in u.s.scalars(select(TreatyStatus)):
        table.setdefault(t.state, {})[t.instrument_id] = t
    return table


def _instruments(u: Unit) -> list[Instrument]:
    return list(u.s.scalars(select(Instrument).order_by(Instrument.id)))


def _state(value: Any, field: str = "state") -> str:
    raw = str(value or "").strip()
    code = country_code(raw) if raw else None
    if code is None:
        raise InvalidInput(
            "Unknown state {value!r} in {field}.",
            hint="Use an ISO 3166-1 alpha-2 code (e.g. JO) or the English name of the state.",
            field=field,
            value=raw,
        )
    return code


def _legislation_needs(u: Unit, state: str) -> tuple[int, ...]:
    """Open ``legislation`` needs of ``state`` that the actor may read (none without the role)."""
    if not policy.allowed(u.actor, "coordination.read"):
        return ()
    stmt = select(Need.id).where(
        Need.recipient == state, Need.area == "legislation", Need.status == "open"
    )
    orgs = u.visible_orgs("coordination.read")
    if orgs is not None:  # as ``service.scoped``: TLP:RED and AMBER+STRICT stay in their org
        stmt = stmt.where(Need.org_id.in_(orgs)).where(
            or_(Need.org_id == u.actor.org_id, Need.confidentiality.not_in(OWN_ORG_ONLY))
        )
    return tuple(sorted(u.s.scalars(stmt)))


def country_status(hub: Hub, actor: Actor, state: str) -> CountryTreaties:
    """One state's status on every instrument, and the instruments it has not yet joined."""
    code = _state(state)
    with hub.unit(actor, "treaties.read") as u:
        rows = _by_state(u).get(code, {})
        needs = _legislation_needs(u, code)
        items = tuple(_instrument_status(i, rows.get(i.id), bool(needs)) for i in _instruments(u))
        u.audit("treaty_status", code)
    return CountryTreaties(
        state=code, name=countries()[code].name, has_data=bool(rows), total=len(items),
        parties=sum(i.status == "party" for i in items),
        signatories=sum(i.status == "signatory" for i in items), instruments=items,
        not_joined=tuple(i for i in items if i.status != "party"), legislation_need_ids=needs,
    )  # fmt: skip


def _instrument_status(i: Instrument, t: TreatyStatus | None, need: bool) -> InstrumentStatus:
    status = _status(t)
    return InstrumentStatus(
        i.id, i.short_name, i.full_name, i.area, i.adopted_year, status,
        t.signed_on if t else None, t.consent_on if t else None, t.consent_kind if t else None,
        t.source if t else "", need and status != "party",
    )  # fmt: skip


@cache
def _regions() -> dict[str, str]:
    """ISO2 -> region of ``data/regions.csv`` (UN M49); empty if the file is not bundled."""
    source = resources.files("cthub.coordination").joinpath("data", "regions.csv")
    try:
        text = source.read_text("utf-8")
    except FileNotFoundError:
        return {}
    return {r["iso2"]: r["region"] for r in csv.DictReader(io.StringIO(text)) if r.get("region")}


def _peers(code: str, peers: list[str] | None, with_data: set[str]) -> tuple[list[str], str]:
    if peers is not None:
        chosen = [_state(p, "peers") for p in peers]
        return [p for p in dict.fromkeys(chosen) if p != code], "explicit"
    region = _regions().get(code)
    same = sorted(s for s in with_data if s != code and region and _regions().get(s) == region)
    return (same, "region") if same else (sorted(with_data - {code}), "all")


def peer_comparison(
    hub: Hub, actor: Actor, state: str, peers: list[str] | None = None
) -> PeerComparison:
    """``state`` against its peers: by default the states of its region that have data."""
    code = _state(state)
    with hub.unit(actor, "treaties.read") as u:
        table, instruments = _by_state(u), _instruments(u)
        chosen, basis = _peers(code, peers, set(table))
        u.audit("treaty_status", code, details={"peers": len(chosen), "basis": basis})
    rows = [_peer_row(s, table.get(s), instruments) for s in (code, *chosen)]
    own, others = rows[0], sorted(rows[1:], key=lambda r: (-r.parties, r.state))
    gaps = [
        PeerGap(
            i.id, i.short_name, i.area, sum(r.statuses[n] == "party" for r in others), len(others)
        )
        for n, i in enumerate(instruments)
        if own.statuses[n] != "party"
    ]
    return PeerComparison(
        state=code, basis=basis, region=_regions().get(code),
        instruments=tuple(i.short_name for i in instruments), rows=(own, *others),
        peer_average=sum(r.parties for r in others) / len(others) if others else 0.0,
        rank=1 + sum(r.parties > own.parties for r in others),
        gaps=tuple(sorted(gaps, key=lambda g: (-g.peers_party, g.instrument_id))),
    )  # fmt: skip


def _peer_row(
    state: str, rows: dict[int, TreatyStatus] | None, instruments: list[Instrument]
) -> PeerRow:
    statuses = tuple(_status((rows or {}).get(i.id)) for i in instruments)
    return PeerRow(
        state, countries()[state].name, rows is not None, statuses.count("party"),
        statuses.count("signatory"), statuses,
    )  # fmt: skip


def treaty_shortfall(hub: Hub, actor: Actor) -> dict[str, float]:
    """Per state with data, the share of the instruments it is not a party to (0.0 to 1.0)."""
    with hub.unit(actor, "treaties.read") as u:
        total = len(_instruments(u))
        table = _by_state(u)
        u.audit("treaty_status", details={"shortfall_states": len(table)})
    if not total:
        return {}
    return {
        state: 1 - sum(_status(t) == "party" for t in rows.values()) / total
        for state, rows in sorted(table.items())
    }


__all__ = [
    "TREATY_STATES",
    "CountryTreaties",
    "InstrumentStatus",
    "PeerComparison",
    "PeerGap",
    "PeerRow",
    "country_status",
    "peer_comparison",
    "treaty_shortfall",
]
