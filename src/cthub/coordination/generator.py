"""A deterministic generator of a realistic coordination register, for demos and benchmarks.

``generate_register(seed, ...)`` returns the same ``Register`` for the same arguments on every
machine (one ``random.Random`` seeded from a string, no clock). Texts come from
``data/generator_vocabulary.json``: per CTC area, topics with several English and Simplified
Chinese phrasings, audiences, and title and description templates per form.

What is planted, so that analytics can be measured against a known truth:

* **overlaps** (``Register.planted_overlaps``): ``round(overlap_rate * projects)`` pairs, each
  a second project by a different donor for the same recipient, area and topic, with dates that
  overlap the first one's and a paraphrased title and description (another phrasing of the
  topic, another template, often another audience), never the same text;
* **hard negatives**, about 5% of projects each: a project for the same recipient and area with
  overlapping dates but another topic, and a project on the same topic for the same recipient
  and area but two or more years apart;
* **responses to needs**: about a third of the other projects answer a need (same recipient,
  area and topic, starting after the need was identified) and carry its id in ``need_ids``.

Background projects on one (recipient, area, topic) are kept from overlapping in time (a few
redraws, then another topic), so the planted pairs are the overlaps there are. Where that
fails, typically in a register far larger than its recipients and topics allow (100,000
projects on 150 recipients), the accidental overlap is a true duplicate all the same and is
added to ``planted_overlaps``. Statuses follow the dates relative to ``REFERENCE_DATE``; ids
are a seeded shuffle of 1..n, ``iati_identifier`` is ``XM-CTHUB-`` and the id.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from dataclasses import replace

from cthub.coordination.generator_text import (
    REFERENCE_DATE,
    Spec,
    fill,
    vocabulary,
    write_project,
)
from cthub.coordination.recommend import country_regions
from cthub.coordination.records import NeedRecord, ProjectRecord, Register
from cthub.coordination.taxonomy import AREA_KEYS
from cthub.core.errors import InvalidInput

_MONTH = 30


#: Donor names (ministries and agencies), in the order ``generate_register(donors=n)`` takes.
DONORS: tuple[str, ...] = tuple(vocabulary()["donors"])


def generate_register(
    seed: int = 0,
    *,
    recipients: int = 40,
    donors: int = 10,
    projects: int = 300,
    needs: int = 200,
    overlap_rate: float = 0.08,
) -> Register:
    """A register of ``projects`` projects and ``needs`` needs, the same for the same arguments.

    ``donors`` takes the first names of ``DONORS``; ``recipients`` states are drawn from typical
    CT assistance recipients (then any state). Raises ``InvalidInput`` for impossible sizes.
    """
    _check(recipients, donors, projects, needs, overlap_rate)
    rng = random.Random(f"cthub-register-{seed}")  # noqa: S311 - reproducible, not secret
    builder = _Builder(rng, recipients, DONORS[:donors], projects)
    need_list = [builder.need(i + 1) for i in range(needs)]
    planted = min(round(overlap_rate * projects), projects // 2)
    hard = min(projects // 20, (projects - 2 * planted) // 2)
    background = projects - planted - 2 * hard
    for _ in range(background):
        builder.add(builder.background(need_list))
    for _ in range(planted):
        builder.plant_overlap()
    for kind in ("other_topic", "years_apart"):
        for _ in range(hard):
            builder.plant_negative(kind)
    return builder.register(need_list)


def _check(recipients: int, donors: int, projects: int, needs: int, rate: float) -> None:
    countries = len([c for c in country_regions().values() if c.independent])
    if (
        not 1 <= recipients <= countries
        or not 2 <= donors <= len(DONORS)
        or min(projects, needs) < 0
        or not 0.0 <= rate <= 0.5
    ):
        raise InvalidInput(
            "Generate 1 to {recipients} recipients, 2 to {donors} donors, no negative counts "
            "and an overlap rate from 0 to 0.5.",
            recipients=countries, donors=len(DONORS),
        )  # fmt: skip


class _Builder:
    """Draws specs, keeps them from colliding by accident, and writes them out as records."""

    def __init__(
        self, rng: random.Random, recipients: int, donors: tuple[str, ...], projects: int
    ) -> None:
        self.rng = rng
        self.ids = rng.sample(range(1, projects + 1), projects)
        table = country_regions()
        preferred = list(vocabulary()["recipients"])
        others = sorted(c for c, row in table.items() if row.independent and c not in preferred)
        if recipients <= len(preferred):
            self.countries = rng.sample(preferred, recipients)
        else:
            self.countries = preferred + rng.sample(others, recipients - len(preferred))
        self.weights = [1.0 / (rank + 3) ** 0.8 for rank in range(len(self.countries))]
        self.donors = donors
        self.projects: list[ProjectRecord] = []
        self.specs: list[Spec] = []
        self.planted: set[tuple[int, int]] = set()
        #: (recipient, first area, topic) -> (first day, last day, project index) taken.
        self.busy: dict[tuple[str, str, int], list[tuple[int, int, int]]] = defaultdict(list)
        self.used: set[int] = set()
        self.need_topics: dict[int, tuple[int, int]] = {}
        self.searched = self.failed = 0
        self.cum_weights = list(itertools.accumulate(self.weights))

    # -- drawing ---------------------------------------------------------------------------
    def need(self, need_id: int) -> NeedRecord:
        rng, vocab = self.rng, vocabulary()
        recipient = rng.choices(self.countries, cum_weights=self.cum_weights)[0]
        area = rng.choice(AREA_KEYS)
        topic = rng.randrange(len(vocab["areas"][area]["topics"]))
        phrasing = rng.randrange(2)
        self.need_topics[need_id] = (topic, phrasing)
        lang = "zh" if rng.random() < 0.1 else "en"
        words = fill(recipient, area, topic, lang, phrasing, rng.randrange(3))
        title = rng.choice(vocab["needs"][lang]).format(**words)
        identified = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(12 * 365))
        status = rng.choices(("open", "addressed", "closed"), (65, 25, 10))[0]
        source = rng.choices(("cted_assessment", "self_assessment", "donor_mission"), (7, 2, 1))[0]
        return NeedRecord(
            need_id, recipient, area, rng.choices((1, 2, 3, 4, 5), (10, 20, 30, 25, 15))[0],
            title, vocab["need_descriptions"][lang].format(**words), status, source, identified,
        )  # fmt: skip

    def background(self, need_list: list[NeedRecord]) -> Spec:
        """A project on a free (recipient, area, topic, period); a third answer a need.

        Once most draws find no free slot (a register far larger than its recipients, areas
        and topics allow), the search is given up: the overlaps that follow are recorded."""
        rng = self.rng
        if self.failed > 500 and self.failed > self.searched / 2:
            return self._draw(rng.choice(need_list) if need_list and rng.random() < 0.33 else None)
        for _attempt in range(3):
            need = rng.choice(need_list) if need_list and rng.random() < 0.33 else None
            spec = self._draw(need)
            if not self._collides(spec):
                return spec
        self.searched += 1
        low, high = self._span(spec)
        topics = len(vocabulary()["areas"][spec.areas[0]]["topics"])
        for topic in rng.sample(range(topics), topics):
            taken = self.busy[(spec.recipient, spec.areas[0], topic)]
            if not any(a <= high and low <= b for a, b, _index in taken):
                return replace(spec, topic=topic, need_id=None)
        self.failed += 1
        return spec  # a genuine accidental overlap: add() records it as planted

    def _draw(self, need: NeedRecord | None) -> Spec:
        rng, vocab = self.rng, vocabulary()
        areas: tuple[str, ...]
        if need is not None and need.identified_on is not None:
            recipient, areas = need.recipient, (need.area,)
            topic, phrasing = self.need_topics[need.id]
            begin = need.identified_on + dt.timedelta(days=rng.randrange(60, 900))
        else:
            recipient = rng.choices(self.countries, cum_weights=self.cum_weights)[0]
            areas = self._areas()
            topic = rng.randrange(len(vocab["areas"][areas[0]]["topics"]))
            begin = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(14 * 365))
            phrasing = rng.randrange(3)
        start: dt.date | None = begin
        end: dt.date | None = begin + dt.timedelta(days=rng.randrange(6, 48) * _MONTH)
        if rng.random() < 0.04:
            start = None
        elif rng.random() < 0.04:
            end = None
        donor = rng.choice(self.donors)
        return Spec(recipient, areas, topic, self._form(areas[0]), donor,
                     self._lang(donor), start, end,
                     phrasing if rng.random() < 0.5 else rng.randrange(3), self._style(donor),
                     rng.randrange(3), need.id if need else None, rng.randrange(2))  # fmt: skip

    def _style(self, donor: str) -> int:
        """Donors mostly write in their own house style (one template of three)."""
        return DONORS.index(donor) % 3 if self.rng.random() < 0.75 else self.rng.randrange(3)

    def _areas(self) -> tuple[str, ...]:
        first = self.rng.choice(AREA_KEYS)
        if self.rng.random() < 0.15:
            return (first, self.rng.choice([a for a in AREA_KEYS if a != first]))
        return (first,)

    def _form(self, area: str) -> str:
        return str(self.rng.choice(vocabulary()["forms_by_area"][area]))

    def _lang(self, donor: str) -> str:
        return "zh" if self.rng.random() < vocabulary()["donors"][donor][1] else "en"

    def _other_donor(self, donor: str) -> str:
        return self.rng.choice([d for d in self.donors if d != donor])

    # -- planting --------------------------------------------------------------------------
    def _base(self) -> tuple[int, Spec] | None:
        """An unused background project with known dates that is not cancelled."""
        for _attempt in range(50):
            index = self.rng.randrange(len(self.specs))
            spec = self.specs[index]
            ok = spec.start and spec.end and self.projects[index].status != "cancelled"
            if ok and index not in self.used:
                self.used.add(index)
                return index, spec
        return None

    def plant_overlap(self) -> None:
        """A paraphrased duplicate of a base project by another donor, dates overlapping."""
        for _attempt in range(8):
            found = self._base() if self.specs else None
            if found is None:
                break
            spec = self._paraphrase(found[1])
            if not self._collides(spec, allowed=1):
                self.add(spec, cancellable=False)
                self.planted.add((self.projects[found[0]].id, self.projects[-1].id))
                return
        self.add(self.background([]))

    def _paraphrase(self, base: Spec) -> Spec:
        rng = self.rng
        assert base.start is not None  # noqa: S101 - _base() picks projects with both dates
        assert base.end is not None  # noqa: S101
        start = base.start + dt.timedelta(days=rng.randrange(-120, 120))
        length = (base.end - base.start) * rng.uniform(0.7, 1.3)
        donor = self._other_donor(base.donor)
        return replace(
            base, donor=donor, start=start, end=start + length,
            phrasing=(base.phrasing + rng.randrange(1, 3)) % 3, detail=rng.randrange(2),
            template=self._style(donor), audience=rng.randrange(3), need_id=None,
            form=base.form if rng.random() < 0.7 else self._form(base.areas[0]),
        )  # fmt: skip

    def plant_negative(self, kind: str) -> None:
        """Same recipient and area: another topic at the same time, or one topic years apart."""
        found = self._base() if self.specs else None
        if found is None:
            self.add(self.background([]))
            return
        base, rng = found[1], self.rng
        assert base.start is not None  # noqa: S101 - _base() picks projects with both dates
        assert base.end is not None  # noqa: S101
        topics = len(vocabulary()["areas"][base.areas[0]]["topics"])
        for _attempt in range(8):
            if kind == "other_topic":
                spec = replace(base, topic=(base.topic + rng.randrange(1, topics)) % topics,
                               donor=self._other_donor(base.donor), need_id=None)  # fmt: skip
            else:
                gap = dt.timedelta(days=rng.randrange(730, 2000))
                start = (
                    base.end + gap
                    if rng.random() < 0.5
                    else base.start - gap - (base.end - base.start)
                )
                spec = replace(base, start=start, end=start + (base.end - base.start),
                               template=rng.randrange(3), need_id=None)  # fmt: skip
            if not self._collides(spec):
                self.add(spec)
                return
        self.add(self.background([]))

    def register(self, need_list: list[NeedRecord]) -> Register:
        """The records in id order (ids were shuffled, so planted ones do not sit at the end)."""
        projects = sorted(self.projects, key=lambda p: p.id)
        planted = frozenset((min(a, b), max(a, b)) for a, b in self.planted)
        return Register(tuple(projects), tuple(need_list), planted)

    # -- collisions and records ------------------------------------------------------------
    @staticmethod
    def _span(spec: Spec) -> tuple[int, int]:
        low = spec.start.toordinal() if spec.start else -(10**9)
        return low, spec.end.toordinal() if spec.end else 10**9

    def _clashes(self, spec: Spec) -> list[int]:
        """Indexes of projects on the spec's recipient, first area and topic overlapping it."""
        low, high = self._span(spec)
        taken = self.busy.get((spec.recipient, spec.areas[0], spec.topic), ())
        return [index for a, b, index in taken if a <= high and low <= b]

    def _collides(self, spec: Spec, allowed: int = 0) -> bool:
        return len(self._clashes(spec)) > allowed

    def add(self, spec: Spec, *, cancellable: bool = True) -> None:
        """Append the project; an overlap nobody planted is recorded as planted all the same."""
        clashes = self._clashes(spec)
        low, high = self._span(spec)
        self.busy[(spec.recipient, spec.areas[0], spec.topic)].append(
            (low, high, len(self.projects))
        )
        self.specs.append(spec)
        record = write_project(self.rng, self.ids[len(self.projects)], spec, cancellable)
        self.projects.append(record)
        if record.status != "cancelled":
            for index in clashes:
                other = self.projects[index]
                if other.status != "cancelled":
                    self.planted.add((other.id, record.id))


__all__ = ["DONORS", "REFERENCE_DATE", "generate_register"]
