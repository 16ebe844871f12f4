"""Needs matched to the projects that address them, and donors suggested for an open need.

**Matching** (``match_needs``): a project may address a need when it is under way or
completed (``implementation``, ``completed``), has the need's recipient and area, and did not
end before the need was identified. Its score in [0, 1] adds, with ``MATCH_WEIGHTS``:
``linked`` (the project names the need in ``need_ids``), ``text`` (cosine similarity of the
need's and the project's title and description, as in ``overlaps``), ``timing`` (1 when the
project started after the need was identified, 0.5 when it was already running). Pairs at
``min_score`` or more are returned with one ``Reason`` per contributing component.

**Donor suggestions** (``rank_donors``): each donor's past projects (not cancelled) earn
``status weight * recency * place`` points, where the status weight is ``STATUS_WEIGHTS``,
recency halves every ``HALF_LIFE_YEARS`` years since the project ended (0 years while it
runs), and place is ``PLACE_WEIGHTS``: in the need's area for the same recipient, elsewhere
in the same UN M49 region, or anywhere; projects in other areas in the region count
``PLACE_WEIGHTS["region_other_area"]``. Regions come from ``data/regions.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from cthub.coordination import similarity
from cthub.coordination.overlaps import Reason
from cthub.coordination.records import NeedRecord, ProjectRecord, Register
from cthub.core.errors import InvalidInput
from cthub.core.i18n import N_

MATCH_WEIGHTS = {"linked": 0.4, "text": 0.5, "timing": 0.1}
MATCH_STATUSES = frozenset({"implementation", "completed"})
STATUS_WEIGHTS = {"completed": 1.0, "implementation": 0.9, "pipeline": 0.6}
PLACE_WEIGHTS = {"recipient": 1.0, "region": 0.6, "elsewhere": 0.25, "region_other_area": 0.2}
HALF_LIFE_YEARS = 4.0


@dataclass(frozen=True)
class CountryRegion:
    """One row of ``data/regions.csv``: a country and its UN M49 regions."""

    code: str
    name: str
    name_zh: str
    region_code: str
    region: str
    subregion: str
    continent: str
    independent: bool


@cache
def country_regions() -> dict[str, CountryRegion]:
    """ISO 3166-1 alpha-2 code -> M49 regions, from the bundled ``data/regions.csv``."""
    source = resources.files("cthub.coordination").joinpath("data", "regions.csv")
    rows = csv.DictReader(source.read_text(encoding="utf-8").splitlines())
    return {
        row["iso2"]: CountryRegion(
            row["iso2"],
            row["name"],
            row["name_zh"],
            row["region_code"],
            row["region"],
            row["subregion"],
            row["continent"],
            row["independent"] == "Y",
        )
        for row in rows
    }


def region_of(code: str) -> str | None:
    """The M49 region (intermediate region, else sub-region) of a country; None if unknown."""
    row = country_regions().get(code.upper())
    return row.region if row else None


@dataclass(frozen=True)
class NeedMatch:
    """A project that may address a need, with its score and reasons."""

    need_id: int
    project_id: int
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class DonorSuggestion:
    """A donor ranked for a need: points, projects counted, and the reasons."""

    donor: str
    score: float
    projects_in_area: int
    projects_in_region: int
    reasons: tuple[Reason, ...]


def match_needs(register: Register, *, min_score: float = 0.25) -> list[NeedMatch]:
    """Every (need, project) pair scoring ``min_score`` or more, by need id then best first."""
    candidates: dict[tuple[str, str], list[ProjectRecord]] = defaultdict(list)
    for p in register.projects:
        if p.status in MATCH_STATUSES:
            for area in dict.fromkeys(p.areas):
                candidates[(p.recipient, area)].append(p)
    records: list[ProjectRecord | NeedRecord] = [*register.projects, *register.needs]
    counts = similarity.ngram_counts([_text(r) for r in records])
    idf = similarity.global_idf(counts)
    row = {id(r): i for i, r in enumerate(records)}
    found: list[NeedMatch] = []
    for need in sorted(register.needs, key=lambda n: n.id):
        pool = [p for p in candidates.get((need.recipient, need.area), []) if _in_time(p, need)]
        if pool:
            rows = [row[id(need)]] + [row[id(p)] for p in pool]
            found += _match_one(need, pool, similarity.block(counts[rows], idf), min_score)
    return found


def _text(record: ProjectRecord | NeedRecord) -> str:
    return f"{record.title}\n{record.description}"


def _in_time(project: ProjectRecord, need: NeedRecord) -> bool:
    return need.identified_on is None or project.end is None or project.end >= need.identified_on


def _match_one(
    need: NeedRecord, pool: list[ProjectRecord], block: similarity.Block, min_score: float
) -> list[NeedMatch]:
    """Score the need (row 0 of ``block``) against each candidate project (rows 1...)."""
    cosine = (block.vectors[1:] @ block.vectors[0].T).toarray().ravel()
    need_terms = similarity.terms(_text(need))
    shared = [similarity.common_terms(need_terms, similarity.terms(_text(p))) for p in pool]
    rank = similarity.ranking(block.term_weights(sorted(set().union(*shared))))
    matches = []
    for project, text, common in zip(pool, np.clip(cosine, 0, 1).tolist(), shared, strict=True):
        reasons = _match_reasons(need, project, text, similarity.top_terms(common, rank))
        score = round(sum(r.weight for r in reasons), 3)
        if score >= min_score:
            matches.append(NeedMatch(need.id, project.id, min(score, 1.0), reasons))
    return sorted(matches, key=lambda m: (-m.score, m.project_id))


def _match_reasons(
    need: NeedRecord, project: ProjectRecord, text: float, terms: list[str]
) -> tuple[Reason, ...]:
    reasons = []
    if need.id in project.need_ids:
        reasons.append(Reason("linked", N_("the project names need {need}"),
                              (("need", str(need.id)),), MATCH_WEIGHTS["linked"]))  # fmt: skip
    if text > 0:
        params: tuple[tuple[str, str], ...] = (("similarity", f"{text:.2f}"),)
        params += (("terms", ", ".join(terms)),)
        message = N_("title/description similarity {similarity} (shared terms: {terms})")
        if not terms:
            message, params = N_("title/description similarity {similarity}"), params[:1]
        reasons.append(Reason("text", message, params, MATCH_WEIGHTS["text"] * text))
    reasons.append(_timing_reason(need, project))
    return tuple(r for r in reasons if r.weight > 0)


def _timing_reason(need: NeedRecord, project: ProjectRecord) -> Reason:
    identified = need.identified_on.isoformat() if need.identified_on else "?"
    if need.identified_on and project.start and project.start >= need.identified_on:
        message = N_("started {start}, after the need was identified on {identified}")
        params = (("start", project.start.isoformat()), ("identified", identified))
        return Reason("timing", message, params, MATCH_WEIGHTS["timing"])
    message = N_("running when the need was identified on {identified}")
    return Reason("timing", message, (("identified", identified),), MATCH_WEIGHTS["timing"] / 2)


def rank_donors(register: Register, need: NeedRecord, *, top: int = 5) -> list[DonorSuggestion]:
    """The ``top`` donors with the most weighted past activity for ``need`` (see module doc)."""
    if top < 1:
        raise InvalidInput("Ask for at least one donor, not {value}.", field="top", value=top)
    reference = need.identified_on or _latest_need_date(register.needs)
    region = region_of(need.recipient)
    points: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for p in register.projects:
        place = _place(p, need, region)
        if place is not None and p.status in STATUS_WEIGHTS:
            weight = STATUS_WEIGHTS[p.status] * _recency(p, reference) * PLACE_WEIGHTS[place]
            points[p.donor][place].append(weight)
    ranked = [_suggestion(donor, places, need, region) for donor, places in points.items()]
    ranked = [s for s in ranked if s.score > 0]
    return sorted(ranked, key=lambda s: (-s.score, s.donor))[:top]


def _latest_need_date(needs: Iterable[NeedRecord]) -> dt.date | None:
    return max((n.identified_on for n in needs if n.identified_on), default=None)


def _place(project: ProjectRecord, need: NeedRecord, region: str | None) -> str | None:
    same_region = region is not None and region_of(project.recipient) == region
    if need.area not in project.areas:
        return "region_other_area" if same_region or project.recipient == need.recipient else None
    if project.recipient == need.recipient:
        return "recipient"
    return "region" if same_region else "elsewhere"


def _recency(project: ProjectRecord, reference: dt.date | None) -> float:
    """``0.5 ** (years since the project ended / HALF_LIFE_YEARS)``; 1 while it runs."""
    ended = project.end or project.start
    if reference is None or ended is None or ended >= reference:
        return 1.0
    return float(0.5 ** ((reference - ended).days / 365.25 / HALF_LIFE_YEARS))


def _suggestion(
    donor: str, places: dict[str, list[float]], need: NeedRecord, region: str | None
) -> DonorSuggestion:
    where = {"recipient": need.recipient, "region": region or "?", "area": need.area}
    messages = {
        "recipient": N_("{count} projects in {area} in {recipient}"),
        "region": N_("{count} projects in {area} elsewhere in {region}"),
        "elsewhere": N_("{count} projects in {area} in other regions"),
        "region_other_area": N_("{count} projects in other areas in {recipient} or {region}"),
    }
    reasons = tuple(
        Reason(
            place,
            messages[place],
            (("count", str(len(places[place]))), *where.items()),
            round(sum(places[place]), 4),
        )
        for place in PLACE_WEIGHTS
        if places.get(place)
    )
    in_area = sum(len(places.get(k, [])) for k in ("recipient", "region", "elsewhere"))
    in_region = sum(len(places.get(k, [])) for k in ("recipient", "region", "region_other_area"))
    score = round(sum(r.weight for r in reasons), 3)
    return DonorSuggestion(donor, score, in_area, in_region, reasons)


__all__ = [
    "HALF_LIFE_YEARS",
    "MATCH_WEIGHTS",
    "PLACE_WEIGHTS",
    "STATUS_WEIGHTS",
    "CountryRegion",
    "DonorSuggestion",
    "NeedMatch",
    "country_regions",
    "match_needs",
    "rank_donors",
    "region_of",
]
