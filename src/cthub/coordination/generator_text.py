"""Texts of the generated register: a drawn ``Spec`` written out as a ``ProjectRecord``.

Titles and descriptions are filled from ``data/generator_vocabulary.json``: the title names
the topic in one phrasing, the description in another, so two write-ups of one activity share
a phrasing while two activities of one donor share only its house template.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from cthub.coordination.recommend import country_regions
from cthub.coordination.records import ProjectRecord

REFERENCE_DATE = dt.date(2026, 6, 30)


@cache
def vocabulary() -> dict[str, Any]:
    """``data/generator_vocabulary.json``: donors, recipients, money, forms and all texts."""
    source = resources.files("cthub.coordination").joinpath("data", "generator_vocabulary.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Spec:
    """What a project is about, drawn by the generator before it is written out as text."""

    recipient: str
    areas: tuple[str, ...]
    topic: int
    form: str
    donor: str
    lang: str
    start: dt.date | None
    end: dt.date | None
    phrasing: int = 0
    template: int = 0
    audience: int = 0
    need_id: int | None = None
    #: The description uses another phrasing than the title: ``phrasing + 1 + detail``.
    detail: int = 0


def write_project(
    rng: random.Random, project_id: int, spec: Spec, cancellable: bool
) -> ProjectRecord:
    """The project record of ``spec``: title, description, implementer, status and budget."""
    vocab = vocabulary()
    lang, area = spec.lang, spec.areas[0]
    words = fill(spec.recipient, area, spec.topic, lang, spec.phrasing, spec.audience)
    count = len(vocab["areas"][area]["topics"][spec.topic][lang])
    other = spec.phrasing + 1 + spec.detail % max(count - 1, 1)
    detail = fill(spec.recipient, area, spec.topic, lang, other, spec.audience)
    detail["form"] = vocab["forms"][lang][spec.form]
    detail["implementer"] = rng.choice(vocab["implementers"][lang])
    titles = vocab["titles"][lang][spec.form]
    descriptions = vocab["descriptions"][lang]
    currency = vocab["donors"][spec.donor][0]
    return ProjectRecord(
        id=project_id,
        title=titles[spec.template % len(titles)].format(**words),
        donor=spec.donor,
        recipient=spec.recipient,
        areas=spec.areas,
        status=_status(rng, spec, cancellable),
        description=descriptions[spec.template % len(descriptions)].format(**detail),
        implementer=detail["implementer"],
        forms=(spec.form,),
        start=spec.start,
        end=spec.end,
        budget_minor=_budget(rng, spec.form, currency),
        currency=currency,
        need_ids=(spec.need_id,) if spec.need_id else (),
        iati_identifier=f"XM-CTHUB-{project_id:06d}",
    )


def fill(
    recipient: str, area: str, topic: int, lang: str, phrasing: int, audience: int
) -> dict[str, str]:
    """The words a template takes: one phrasing of the topic, the country, an audience."""
    vocab, row = vocabulary()["areas"][area], country_regions()[recipient]
    phrasings, audiences = vocab["topics"][topic][lang], vocab["audience"][lang]
    country = row.name_zh if lang == "zh" and row.name_zh else row.name
    return {
        "topic": phrasings[phrasing % len(phrasings)],
        "country": country,
        "audience": audiences[audience % len(audiences)],
    }


def _status(rng: random.Random, spec: Spec, cancellable: bool) -> str:
    """From the dates relative to ``REFERENCE_DATE``; 5% of cancellable ones are cancelled."""
    if cancellable and rng.random() < 0.05:
        return "cancelled"
    if spec.end is not None and spec.end < REFERENCE_DATE:
        return "completed"
    if spec.start is not None and spec.start > REFERENCE_DATE:
        return "pipeline"
    return "implementation"


def _budget(rng: random.Random, form: str, currency: str) -> int:
    """A budget typical of the form, in minor units of the donor's currency (an integer)."""
    vocab = vocabulary()
    low, high = vocab["budget_usd"][form]
    major = round(rng.uniform(low, high) * vocab["usd_rates"][currency], -3)
    return int(major) * (1 if currency in vocab["zero_decimal_currencies"] else 100)


__all__ = ["REFERENCE_DATE", "Spec", "fill", "vocabulary", "write_project"]
