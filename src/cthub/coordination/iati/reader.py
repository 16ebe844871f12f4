"""One schema- and codelist-valid ``iati-activity`` element -> ``IatiActivity``.

Narratives without ``xml:lang`` take the activity's ``xml:lang``, else ``""`` (unknown).
Descriptions: the general one (type 1, or no type), else the first. Only the activity's own
``document-link`` elements become documents (not those inside results).
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from lxml import etree

from cthub.coordination.iati.budgets import budget_total
from cthub.coordination.iati.classify import areas_of, forms_of
from cthub.coordination.iati.elements import (
    XML_LANG,
    activity_dates,
    date_of,
    decimal_of,
    line_of,
    narratives,
    text_of,
    vocabulary,
)
from cthub.coordination.iati.model import (
    Contact,
    Document,
    IatiActivity,
    Indicator,
    Message,
    Org,
    Result,
)
from cthub.coordination.taxonomy import IATI_STATUS
from cthub.core.i18n import N_

SEVERAL_CURRENCIES = N_(
    "{identifier}, line {line}: the budgets are in several currencies ({currencies}); only "
    "the {currency} budgets were added up."
)
_CONTACT_TEXTS = ("organisation", "department", "person-name", "job-title", "mailing-address")
_CONTACT_VALUES = ("telephone", "email", "website")


def read_activity(act: etree._Element, warnings: list[str]) -> IatiActivity:
    """The activity ``act`` (already checked); warnings are appended to ``warnings``."""
    lang = (act.get(XML_LANG) or "").strip().lower()
    identifier = (act.findtext("iati-identifier") or "").strip()
    titles = narratives(act.find("title"), lang)
    countries, regions = _recipients(act)
    start, end = activity_dates(act)
    budget = budget_total(act)
    if budget.dropped:
        warnings.append(_currency_warning(identifier, act, budget.currency, budget.dropped))
    reporting = _org(act.find("reporting-org"), lang) or Org("")
    return IatiActivity(
        iati_identifier=identifier,
        title=text_of(act.find("title"), lang),
        titles=titles,
        status=_status(act),
        description=_description(act, lang),
        reporting_org=reporting,
        donor=_participant(act, "1", lang) or reporting,
        implementer=_participant(act, "4", lang),
        recipient=_recipient(countries, regions),
        recipient_countries=countries,
        recipient_regions=regions,
        sectors=tuple(
            (vocabulary(s), (s.get("code") or "").strip(), decimal_of(s.get("percentage")))
            for s in act.iterfind("sector")
        ),
        areas=areas_of(act, warnings),
        forms=forms_of(act, warnings),
        start=None if start is None else date_of(start.get("iso-date")),
        end=None if end is None else date_of(end.get("iso-date")),
        budget_minor=budget.minor,
        currency=budget.currency,
        contacts=tuple(_contact(c, lang) for c in act.iterfind("contact-info")),
        results=tuple(_result(r, lang) for r in act.iterfind("result")),
        documents=tuple(_document(d, lang) for d in act.iterfind("document-link")),
        line=line_of(act),
    )


def _status(act: etree._Element) -> str:
    elem = act.find("activity-status")
    return IATI_STATUS[("" if elem is None else elem.get("code") or "").strip()]


def _currency_warning(
    identifier: str, act: etree._Element, currency: str | None, dropped: tuple[str, ...]
) -> Message:
    return Message(
        SEVERAL_CURRENCIES,
        identifier=identifier,
        line=line_of(act),
        currencies=", ".join(sorted({currency or "", *dropped})),
        currency=currency or "",
    )


def _org(elem: etree._Element | None, lang: str) -> Org | None:
    if elem is None:
        return None
    ref, kind = (elem.get("ref") or "").strip(), (elem.get("type") or "").strip()
    return Org(text_of(elem, lang), ref, kind)


def _participant(act: etree._Element, role: str, lang: str) -> Org | None:
    for elem in act.iterfind("participating-org"):
        if (elem.get("role") or "").strip() == role:
            return _org(elem, lang)
    return None


def _description(act: etree._Element, lang: str) -> str:
    elems = list(act.iterfind("description"))
    general = [d for d in elems if (d.get("type") or "1").strip() == "1"]
    chosen = general or elems
    return text_of(chosen[0], lang) if chosen else ""


Share = tuple[str, Decimal | None]


def _recipients(
    act: etree._Element,
) -> tuple[tuple[Share, ...], tuple[tuple[str, str, Decimal | None], ...]]:
    countries = tuple(
        ((c.get("code") or "").strip(), decimal_of(c.get("percentage")))
        for c in act.iterfind("recipient-country")
    )
    regions = tuple(
        (vocabulary(r), (r.get("code") or "").strip(), decimal_of(r.get("percentage")))
        for r in act.iterfind("recipient-region")
    )
    return countries, regions


def _recipient(
    countries: tuple[Share, ...], regions: tuple[tuple[str, str, Decimal | None], ...]
) -> str | None:
    """The country with the largest share, else the DAC region with the largest share."""
    shares = list(countries) or [(code, pct) for vocab, code, pct in regions if vocab == "1"]
    if not shares:
        return None
    return max(shares, key=lambda share: share[1] or Decimal(0))[0]


def _contact(elem: etree._Element, lang: str) -> Contact:
    contact: dict[str, str] = {}
    if elem.get("type"):
        contact["type"] = (elem.get("type") or "").strip()
    for tag in _CONTACT_TEXTS:
        text = text_of(elem.find(tag), lang)
        if text:
            contact[tag.replace("-", "_")] = text
    for tag in _CONTACT_VALUES:
        value = (elem.findtext(tag) or "").strip()
        if value:
            contact[tag] = value
    return cast(Contact, contact)


def _result(elem: etree._Element, lang: str) -> Result:
    return Result(
        title=text_of(elem.find("title"), lang),
        type=(elem.get("type") or "").strip(),
        indicators=[_indicator(i, lang) for i in elem.iterfind("indicator")],
    )


def _indicator(elem: etree._Element, lang: str) -> Indicator:
    baseline = elem.find("baseline")
    targets = [t.get("value") for t in elem.iterfind("period/target") if t.get("value")]
    actuals = [a.get("value") for a in elem.iterfind("period/actual") if a.get("value")]
    return Indicator(
        title=text_of(elem.find("title"), lang),
        measure=(elem.get("measure") or "").strip(),
        baseline=None if baseline is None else baseline.get("value"),
        target=targets[-1] if targets else None,
        actual=actuals[-1] if actuals else None,
    )


def _document(elem: etree._Element, lang: str) -> Document:
    category, language = elem.find("category"), elem.find("language")
    return Document(
        url=(elem.get("url") or "").strip(),
        title=text_of(elem.find("title"), lang),
        category="" if category is None else (category.get("code") or "").strip(),
        language="" if language is None else (language.get("code") or "").strip().lower(),
        format=(elem.get("format") or "").strip(),
    )


__all__ = ["SEVERAL_CURRENCIES", "read_activity"]
