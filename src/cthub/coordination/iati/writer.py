"""``export_activities``: ``IatiActivity`` records -> one IATI 2.03 ``iati-activities`` file.

The elements are written in the order of the 2.03 schema's sequence. Choices the schema
forces, and how the reader gets the same values back:

- ``reporting-org`` is the exporting node (``reporting_org``) for every activity; its type
  is ``Org.type``, else ``90`` (other) when only (ref, name) is given.
- ``participating-org`` role 1 is the donor (the reporting organisation when the donor is
  blank), role 4 the implementer when there is one.
- Dates: the start is written as actual (type 2) once it has passed and the activity is
  past the pipeline, else as planned (1); the end as actual (4) once it has passed for a
  completed or cancelled activity, else planned (3). An activity with no date gets a planned
  start on the day of ``generated_at`` (the schema requires one date).
- Recipient: ``recipient_countries`` and ``recipient_regions`` as given, else ``recipient``
  at 100 % (a 2-letter code as a country, else as a DAC region).
- Sectors: per area, its first DAC code (vocabulary 1) and the area key (vocabulary 99 with
  ``CTC_VOCABULARY_URI``), percentages split evenly; an activity with no area keeps its own
  vocabulary 1 and 2 sectors. Forms: ``tag`` vocabulary 99 with the same URI.
- Budget: one budget over the activity's period, in ``currency``.
- Description: the title when the description is blank (the schema needs a narrative).
  A document with no category is filed as ``A12`` (activity web page); a result without
  indicators is left out (the schema needs one).
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from collections.abc import Iterable
from decimal import Decimal

from lxml import etree

from cthub.coordination.iati.elements import XML_LANG
from cthub.coordination.iati.model import Contact, Document, IatiActivity, Org, Result
from cthub.coordination.taxonomy import (
    AREA_KEYS,
    CTC_VOCABULARY,
    CTC_VOCABULARY_URI,
    FORMS,
    STATUS_TO_IATI,
    area,
    dac_codes,
)
from cthub.core.money import decimal_text, from_minor

DEFAULT_ORG_TYPE = "90"
_LANG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")  # xs:language
_CONTACT_TEXTS = ("organisation", "department", "person-name", "job-title")
_CONTACT_VALUES = ("telephone", "email", "website")


def export_activities(
    activities: Iterable[IatiActivity],
    *,
    reporting_org: tuple[str, str] | Org,
    generated_at: dt.datetime,
) -> bytes:
    """An IATI 2.03 activity file (UTF-8 bytes) of ``activities``, reported by ``reporting_org``.

    ``reporting_org`` is ``(ref, name)`` or an ``Org``. ``ValueError`` for an activity whose
    status, areas or forms are not cthub keys, whose identifier is empty, whose title
    languages are not ``xml:lang`` codes (use ISO 639-1: ``zh``, not ``zh_Hans``), or whose
    budget is negative or has no currency.
    """
    org = (
        reporting_org if isinstance(reporting_org, Org) else Org(reporting_org[1], reporting_org[0])
    )
    stamp = generated_at.isoformat(timespec="seconds")
    root = etree.Element("iati-activities", {"version": "2.03", "generated-datetime": stamp})
    for activity in activities:
        _require(activity)
        _activity(root, activity, org, generated_at.date(), stamp)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _require(a: IatiActivity) -> None:
    bad = [k for k in a.areas if k not in AREA_KEYS] + [f for f in a.forms if f not in FORMS]
    bad += [f"language {lang!r}" for lang in a.titles if lang and not _LANG.fullmatch(lang)]
    if a.status not in STATUS_TO_IATI:
        bad.append(a.status)
    if not a.iati_identifier.strip():
        bad.append("empty identifier")
    if a.budget_minor is not None and (not a.currency or a.budget_minor < 0):
        bad.append("budget without currency, or negative")
    if bad:
        raise ValueError(f"{a.iati_identifier}: not exportable: {', '.join(bad)}")


def _sub(parent: etree._Element, tag: str, **attrs: str | None) -> etree._Element:
    clean = {key.replace("_", "-"): value for key, value in attrs.items() if value}
    return etree.SubElement(parent, tag, clean)


def _narratives(parent: etree._Element, texts: dict[str, str]) -> etree._Element:
    for lang, text in texts.items():
        narrative = etree.SubElement(parent, "narrative", {XML_LANG: lang} if lang else {})
        narrative.text = text
    return parent


def _activity(root: etree._Element, a: IatiActivity, org: Org, today: dt.date, stamp: str) -> None:
    act = _sub(root, "iati-activity", last_updated_datetime=stamp, default_currency=a.currency)
    _sub(act, "iati-identifier").text = a.iati_identifier
    reporting = etree.SubElement(
        act, "reporting-org", {"ref": org.ref, "type": org.type or DEFAULT_ORG_TYPE}
    )
    _narratives(reporting, {"": org.name or org.ref})
    _narratives(_sub(act, "title"), a.titles or {"": a.title})
    _narratives(_sub(act, "description", type="1"), {"": a.description or a.title})
    _participant(act, "1", a.donor if (a.donor.name or a.donor.ref) else org)
    if a.implementer is not None:
        _participant(act, "4", a.implementer)
    _sub(act, "activity-status", code=STATUS_TO_IATI[a.status])
    _dates(act, a, today)
    for contact in a.contacts:
        _contact(act, contact)
    _recipients(act, a)
    _sectors(act, a)
    for form in a.forms:
        tag = _sub(act, "tag", vocabulary=CTC_VOCABULARY, vocabulary_uri=CTC_VOCABULARY_URI)
        tag.set("code", form)
        _narratives(tag, {"en": FORMS[form]})
    _budget(act, a, today)
    for document in a.documents:
        _document(act, document)
    for result in a.results:
        _result(act, result, a.start or today, a.end or a.start or today)


def _participant(act: etree._Element, role: str, org: Org) -> None:
    elem = _sub(act, "participating-org", ref=org.ref, type=org.type, role=role)
    if org.name:
        _narratives(elem, {"": org.name})


def _dates(act: etree._Element, a: IatiActivity, today: dt.date) -> None:
    if a.start is None and a.end is None:
        _sub(act, "activity-date", type="1", iso_date=today.isoformat())
    if a.start is not None:
        started = a.start <= today and a.status != "pipeline"
        _sub(act, "activity-date", type="2" if started else "1", iso_date=a.start.isoformat())
    if a.end is not None:
        ended = a.end <= today and a.status in ("completed", "cancelled")
        _sub(act, "activity-date", type="4" if ended else "3", iso_date=a.end.isoformat())


def _contact(act: etree._Element, contact: Contact) -> None:
    values = {k.replace("_", "-"): str(v) for k, v in contact.items() if v}
    elem = _sub(act, "contact-info", type=values.get("type"))
    for tag in _CONTACT_TEXTS:
        if tag in values:
            _narratives(_sub(elem, tag), {"": values[tag]})
    for tag in _CONTACT_VALUES:
        if tag in values:
            _sub(elem, tag).text = values[tag]
    if "mailing-address" in values:
        _narratives(_sub(elem, "mailing-address"), {"": values["mailing-address"]})


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def _recipients(act: etree._Element, a: IatiActivity) -> None:
    countries = list(a.recipient_countries)
    regions = list(a.recipient_regions)
    if not countries and not regions and a.recipient:
        if len(a.recipient) == 2 and a.recipient.isalpha():
            countries = [(a.recipient, Decimal(100))]
        else:
            regions = [("1", a.recipient, Decimal(100))]
    for code, pct in countries:
        _sub(act, "recipient-country", code=code, percentage=_pct(pct))
    for vocab, code, pct in regions:
        _sub(act, "recipient-region", code=code, vocabulary=vocab, percentage=_pct(pct))


def shares(count: int) -> list[Decimal]:
    """``count`` percentages with two decimals that add up to exactly 100."""
    even = (Decimal(100) / count).quantize(Decimal("0.01")) if count else Decimal(0)
    return [even] * (count - 1) + [Decimal(100) - even * (count - 1)] if count else []


def _sectors(act: etree._Element, a: IatiActivity) -> None:
    if not a.areas:
        for vocab, code, pct in a.sectors:
            if vocab in ("1", "2"):
                _sub(act, "sector", vocabulary=vocab, code=code, percentage=_pct(pct))
        return
    split = shares(len(a.areas))
    for key, pct in zip(a.areas, split, strict=True):
        _sub(act, "sector", vocabulary="1", code=dac_codes(key)[0], percentage=_pct(pct))
    for key, pct in zip(a.areas, split, strict=True):
        elem = _sub(act, "sector", vocabulary=CTC_VOCABULARY, vocabulary_uri=CTC_VOCABULARY_URI)
        elem.set("code", key)
        elem.set("percentage", decimal_text(pct))
        _narratives(elem, {"en": area(key).label})


def _budget(act: etree._Element, a: IatiActivity, today: dt.date) -> None:
    if a.budget_minor is None or not a.currency:
        return
    start = a.start or today
    end = max(a.end or start, start)
    budget = _sub(act, "budget", type="1", status="1")
    _sub(budget, "period-start", iso_date=start.isoformat())
    _sub(budget, "period-end", iso_date=end.isoformat())
    value = _sub(budget, "value", currency=a.currency, value_date=start.isoformat())
    value.text = decimal_text(from_minor(a.budget_minor, a.currency))


def _document(parent: etree._Element, doc: Document) -> None:
    guessed = mimetypes.guess_type(doc["url"])[0]
    link_format = doc.get("format") or guessed or "text/html"
    elem = _sub(parent, "document-link", format=link_format, url=doc["url"])
    _narratives(_sub(elem, "title"), {"": doc.get("title") or doc["url"]})
    _sub(elem, "category", code=doc.get("category") or "A12")
    if doc.get("language"):
        _sub(elem, "language", code=doc["language"])


def _result(act: etree._Element, result: Result, start: dt.date, end: dt.date) -> None:
    if not result["indicators"]:
        return
    elem = _sub(act, "result", type=result.get("type") or "1")
    _narratives(_sub(elem, "title"), {"": result["title"] or "-"})
    for ind in result["indicators"]:
        indicator = _sub(elem, "indicator", measure=ind.get("measure") or "1")
        _narratives(_sub(indicator, "title"), {"": ind["title"] or "-"})
        if ind.get("baseline") is not None:
            _sub(indicator, "baseline", year=str(start.year), value=ind["baseline"])
        if ind.get("target") is None and ind.get("actual") is None:
            continue
        period = _sub(indicator, "period")
        _sub(period, "period-start", iso_date=start.isoformat())
        _sub(period, "period-end", iso_date=max(end, start).isoformat())
        if ind.get("target") is not None:
            _sub(period, "target", value=ind["target"])
        if ind.get("actual") is not None:
            _sub(period, "actual", value=ind["actual"])


__all__ = ["DEFAULT_ORG_TYPE", "export_activities", "shares"]
