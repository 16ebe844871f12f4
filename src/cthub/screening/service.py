"""Screening service: list entries become matcher entries; queries are checked and screened.

``build_matcher`` indexes the active version of each chosen list (all lists when none are
named). ``parse_query`` validates one input record and names the bad field, so batch callers
can skip and report a row or abort. ``screen`` runs a batch under the ``screening.screen``
permission and writes one audit event with the counts (never the names screened).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from cthub.core import policy
from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.model import country_code
from cthub.core.policy import Actor
from cthub.lists import EntryView, active_entries
from cthub.screening.matching import Entry, Hit, Matcher, Query

NAME_PROPS = ("name", "alias", "previousName")
ID_PROPS = ("passportNumber", "idNumber", "imoNumber", "registrationNumber", "taxNumber")
COUNTRY_PROPS = ("nationality", "citizenship", "country", "jurisdiction", "flag")
KINDS = {"Person": "person", "Vessel": "vessel"}
DATE = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")
TYPES = ("person", "organization", "vessel")


def to_entry(view: EntryView) -> Entry:
    """Map a stored list entry to the matcher's view of it."""
    props = view.properties
    names = [n for p in NAME_PROPS for n in props.get(p, [])]
    parts = [props.get(p, [""])[0] for p in ("firstName", "middleName", "lastName")]
    joined = " ".join(p for p in parts if p)
    if joined and joined not in names:
        names.append(joined)
    if not names:
        names = [view.caption]
    gender = props["gender"][0] if props.get("gender") else None
    return Entry(
        id=f"{view.list_name}:{view.ref}",
        list=view.list_name,
        ref=view.ref,
        schema=KINDS.get(view.schema, "organization"),
        names=tuple(dict.fromkeys(names)),
        birth_dates=tuple(props.get("birthDate", [])),
        countries=tuple(dict.fromkeys(c for p in COUNTRY_PROPS for c in props.get(p, []))),
        gender=gender,
        identifiers=tuple(i for p in ID_PROPS for i in props.get(p, [])),
    )


@dataclass(frozen=True)
class Screener:
    """A matcher over named lists, plus each entry's display name."""

    matcher: Matcher
    lists: tuple[str, ...]
    captions: dict[str, str]
    entries: int


def build_matcher(hub: Hub, actor: Actor, lists: Iterable[str] | None = None) -> Screener:
    wanted = sorted(set(lists)) if lists else None
    views = list(active_entries(hub, actor, wanted))
    found = sorted({v.list_name for v in views})
    if wanted and (missing := sorted(set(wanted) - set(found))):
        raise NotFound(
            "No active version of list {names}.",
            hint="Load it first, e.g. `cthub lists load un`; see `cthub lists show`.",
            names=", ".join(missing),
        )
    if not views:
        raise NotFound("No list is loaded.", hint="Load one first, e.g. `cthub lists load un`.")
    entries = [to_entry(v) for v in views]
    captions = {e.id: v.caption for e, v in zip(entries, views, strict=True)}
    return Screener(Matcher.from_entries(entries), tuple(found), captions, len(entries))


def parse_query(record: Mapping[str, str | None], where: str) -> tuple[str, Query]:
    """Validate one input record (``id,name`` plus optional evidence); ``where`` names it."""
    qid = (record.get("id") or "").strip()
    name = (record.get("name") or "").strip()
    if not qid:
        raise InvalidInput("{where}: the id is empty.", where=where)
    if not name:
        raise InvalidInput("{where}: the name is empty.", where=where)
    kind = (record.get("type") or "").strip().lower() or None
    if kind is not None and kind not in TYPES:
        raise InvalidInput(
            "{where}: type {value} is not person, organization or vessel.", where=where, value=kind
        )
    born = (record.get("birth_date") or "").strip() or None
    if born is not None and not DATE.match(born):
        raise InvalidInput(
            "{where}: birth_date {value} is not YYYY or YYYY-MM-DD.", where=where, value=born
        )
    nat_raw = (record.get("nationality") or "").strip()
    nationality = country_code(nat_raw) if nat_raw else None
    if nat_raw and nationality is None:
        raise InvalidInput(
            "{where}: nationality {value} is not a country code or name.",
            where=where,
            value=nat_raw,
        )
    query = Query(
        name=name,
        type=kind,
        birth_date=born,
        nationality=nationality,
        gender=(record.get("gender") or "").strip().lower() or None,
        id_number=(record.get("id_number") or "").strip() or None,
    )
    return qid, query


def check_limits(hub: Hub, actor: Actor, threshold: float, top: int) -> None:
    """What every screening engine checks before it screens: bounds and the role gate."""
    if not 0.0 <= threshold <= 1.0:
        raise InvalidInput("The threshold must be between 0 and 1.", hint="For example 0.7.")
    if top < 1:
        raise InvalidInput("--top must be at least 1.")
    if not policy.allowed(actor, "screening.screen"):
        with hub.unit(actor, "screening.screen"):  # raises Forbidden and audits the refusal
            pass


def screen(
    hub: Hub,
    actor: Actor,
    screener: Screener,
    queries: Iterable[tuple[str, Query]],
    threshold: float = 0.7,
    top: int = 5,
) -> Iterator[tuple[str, Hit]]:
    """Screen a batch; yields ``(query_id, hit)`` best first per query. Audited once, at end."""
    check_limits(hub, actor, threshold, top)
    screened = hits = 0
    for qid, query in queries:
        screened += 1
        for hit in screener.matcher.screen(query, threshold=threshold, top=top):
            hits += 1
            yield qid, hit
    with hub.unit(actor, "screening.screen") as u:
        u.audit(
            "screening",
            details={
                "queries": screened,
                "hits": hits,
                "lists": list(screener.lists),
                "threshold": threshold,
            },
        )


__all__ = ["Screener", "build_matcher", "parse_query", "screen", "to_entry"]
