"""Links from an ownership entity to sanctions list entries and to finance accounts.

* By identifier: the entity's identifiers (LEI, company number, IMO, tax number, ...) are
  compared, on letters and digits only, with the identifying properties of the entries of the
  active list versions (``cthub.lists.active_entries``). Values under five characters are not
  compared, since short numbers collide across registers.
* By name: the entity's name, kind, birth date and nationality are screened with
  ``cthub.screening`` (its cached matcher over the active lists), with the score explained.
* Finance accounts: finance does not yet offer a read of transactions by identifier in its
  public API, so the caller passes a transaction table (``cthub.finance`` columns: ``sender``,
  ``receiver``, ``sender_identifier``), and accounts whose id or sender identifier equals one
  of the entity's identifiers are returned with their transaction counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from cthub.core.errors import NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists import active_entries
from cthub.ownership.ingest.values import normalized
from cthub.ownership.views import EntityView, entity
from cthub.screening import Query, cached_screener, screen

ID_PROPS = (
    "registrationNumber",
    "taxNumber",
    "imoNumber",
    "idNumber",
    "passportNumber",
    "leiCode",
    "innCode",
    "ogrnCode",
    "swiftBic",
    "vatCode",
)
MIN_ID = 5
_YEAR_OR_DAY = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")
_TYPES = {"person": "person", "company": "organization", "arrangement": "organization"}


@dataclass(frozen=True)
class ListLink:
    list: str
    ref: str
    caption: str
    via: str  # identifier | name
    score: float
    detail: str  # the identifier that matched, or the screening explanation


@dataclass(frozen=True)
class AccountLink:
    account: str
    role: str  # sender | receiver
    identifier: str
    transactions: int


@dataclass
class Links:
    entity: EntityView
    lists: list[ListLink] = field(default_factory=list)
    accounts: list[AccountLink] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def comparable(value: str) -> str:
    """An identifier as it is compared: letters and digits only, without an IMO prefix;
    ``""`` when shorter than ``MIN_ID`` (short numbers collide across registers)."""
    key = normalized(value).removeprefix("IMO")
    return key if len(key) >= MIN_ID else ""


def _keys(view: EntityView) -> dict[str, str]:
    """Comparable identifier value -> ``scheme:value`` of the entity."""
    out = {}
    for ident in view.identifiers:
        value = comparable(ident.split(":", 1)[1])
        if value:
            out[value] = ident
    return out


def links(
    hub: Hub,
    actor: Actor,
    entity_id: str,
    *,
    lists: list[str] | None = None,
    threshold: float = 0.8,
    transactions: pa.Table | None = None,
) -> Links:
    """List entries and accounts linked to ``entity_id`` by identifier and by name."""
    view = entity(hub, actor, entity_id)  # checks ownership.read and audits
    found = Links(view)
    keys = _keys(view)
    if keys:
        found.lists += _by_identifier(hub, actor, keys, lists)
    if view.name and not view.placeholder:
        found.lists += _by_name(hub, actor, view, lists, threshold, found.notes)
    if transactions is not None:
        found.accounts = accounts(transactions, keys)
    return found


def _by_identifier(
    hub: Hub, actor: Actor, keys: dict[str, str], lists: list[str] | None
) -> list[ListLink]:
    out = []
    for e in active_entries(hub, actor, lists):
        for prop in ID_PROPS:
            for value in e.properties.get(prop, []):
                hit = keys.get(comparable(value))
                if hit is not None:
                    out.append(
                        ListLink(
                            e.list_name,
                            e.ref,
                            e.caption,
                            "identifier",
                            1.0,
                            f"{hit} = {prop} {value}",
                        )
                    )
    return sorted(set(out), key=lambda x: (x.list, x.ref))


def _by_name(
    hub: Hub,
    actor: Actor,
    view: EntityView,
    lists: list[str] | None,
    threshold: float,
    notes: list[str],
) -> list[ListLink]:
    try:
        screener = cached_screener(hub, actor, lists)
    except NotFound as exc:
        notes.append(f"name screening skipped: {exc.render()}")
        return []
    born = str(view.details.get("birth_date") or "")
    born = born if _YEAR_OR_DAY.match(born) else born[:4] if born[:4].isdigit() else ""
    query = Query(
        name=view.name,
        type=_TYPES.get(view.kind),
        birth_date=born or None,
        nationality=view.jurisdiction if view.kind == "person" else None,
    )
    return [
        ListLink(
            hit.entry.list,
            hit.entry.ref,
            screener.captions.get(hit.entry.id, ""),
            "name",
            round(hit.score, 3),
            hit.explanation,
        )
        for _, hit in screen(hub, actor, screener, [(view.id, query)], threshold=threshold)
    ]


def accounts(transactions: pa.Table, keys: dict[str, str]) -> list[AccountLink]:
    """Accounts of ``transactions`` whose id or sender identifier is one of ``keys``."""
    if not keys:
        return []
    wanted = pa.array(sorted(keys))
    out: dict[tuple[str, str, str], int] = {}
    for column, role, account_column in (
        ("sender", "sender", "sender"),
        ("receiver", "receiver", "receiver"),
        ("sender_identifier", "sender", "sender"),
    ):
        if column not in transactions.column_names:
            continue
        norm = pc.replace_substring_regex(
            pc.utf8_upper(transactions[column].cast(pa.string())), "[^0-9A-Z]", ""
        )
        hits = transactions.filter(pc.is_in(norm, value_set=wanted))
        matched = pc.replace_substring_regex(
            pc.utf8_upper(hits[column].cast(pa.string())), "[^0-9A-Z]", ""
        ).to_pylist()
        for account, key in zip(hits[account_column].to_pylist(), matched, strict=True):
            k = (str(account), role, keys[key])
            out[k] = out.get(k, 0) + 1
    return [AccountLink(a, r, i, n) for (a, r, i), n in sorted(out.items())]


__all__ = ["AccountLink", "Links", "ListLink", "accounts", "links"]
