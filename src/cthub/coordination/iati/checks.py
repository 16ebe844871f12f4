"""The checks the IATI schema does not make: codes against the bundled codelists, dates in
order, no negative budget, a currency for every budget.

Each problem is a ``Message`` naming the element, its line and the offending value. Codes are
checked only where the vocabulary says they come from the IATI list (a sector of vocabulary
``1``, a region of vocabulary ``1``, an aid type of vocabulary ``1``).
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from cthub.coordination.iati.codelists import known
from cthub.coordination.iati.elements import (
    XML_LANG,
    activity_dates,
    date_of,
    decimal_of,
    line_of,
    vocabulary,
)
from cthub.coordination.iati.model import Message
from cthub.core.i18n import N_

UNKNOWN_CODE = N_(
    '{element}, line {line}: {attribute} "{value}" is not in the IATI {codelist} codelist.'
)
END_BEFORE_START = N_(
    "{element}, line {line}: the end date {end} is before the start date {start}."
)
NEGATIVE = N_("{element}, line {line}: the value {value} is negative.")
NO_CURRENCY = N_(
    "{element}, line {line}: the value has no currency and the activity has no default-currency."
)

#: Codes the register is built from: an unknown one makes the activity invalid.
#: (path below iati-activity, attribute, codelist, vocabulary the codelist belongs to or None)
_ERRORS: tuple[tuple[str, str, str, str | None], ...] = (
    ("activity-status", "code", "ActivityStatus", None),
    ("recipient-country", "code", "Country", None),
    ("recipient-region", "code", "Region", "1"),
    ("sector", "vocabulary", "SectorVocabulary", None),
    ("sector", "code", "Sector", "1"),
)
#: Descriptive codes: an unknown one is a warning (the value is simply not used).
_WARNINGS: tuple[tuple[str, str, str, str | None], ...] = (
    ("reporting-org", "type", "OrganisationType", None),
    ("participating-org", "role", "OrganisationRole", None),
    ("participating-org", "type", "OrganisationType", None),
    ("document-link/category", "code", "DocumentCategory", None),
    ("document-link/language", "code", "Language", None),
    ("default-aid-type", "code", "AidType", "1"),
    ("transaction/aid-type", "code", "AidType", "1"),
)


def check_activity(act: etree._Element) -> tuple[list[Message], list[Message]]:
    """(errors, warnings) of one ``iati-activity``: codelists, dates, budgets.

    Errors are unknown codes the register is built from (status, recipient, DAC sector,
    currency), dates out of order, negative or currency-less budgets. Unknown descriptive
    codes (organisation role and type, aid type, document category, language) are warnings.
    """
    errors = [*_codes(act, _ERRORS), *_currencies(act), *_dates(act), *_budgets(act)]
    return errors, [*_codes(act, _WARNINGS), *_languages(act)]


def _unknown(elem: etree._Element, attribute: str, value: str, codelist: str) -> Message:
    return Message(
        UNKNOWN_CODE,
        element=_name(elem),
        line=line_of(elem),
        attribute=attribute,
        value=value,
        codelist=codelist,
    )


def _name(elem: etree._Element) -> str:
    return str(elem.tag)


def _codes(
    act: etree._Element, rules: tuple[tuple[str, str, str, str | None], ...]
) -> Iterator[Message]:
    for path, attribute, codelist, vocab in rules:
        for elem in act.iterfind(path):
            value = elem.get(attribute)
            if value is None or (vocab is not None and vocabulary(elem) != vocab):
                continue
            if not known(codelist, value.strip()):
                yield _unknown(elem, attribute, value, codelist)


def _languages(act: etree._Element) -> Iterator[Message]:
    for elem in act.iter():
        value = elem.get(XML_LANG)
        if value is not None and not known("Language", value.strip()):
            yield _unknown(elem, "xml:lang", value, "Language")


def _currencies(act: etree._Element) -> Iterator[Message]:
    for elem in act.iter():
        for attribute in ("default-currency", "currency"):
            value = elem.get(attribute)
            if value is not None and not known("Currency", value.strip()):
                yield _unknown(elem, attribute, value, "Currency")
    if act.get("default-currency"):
        return
    for elem in act.iterfind("budget/value"):
        if not elem.get("currency"):
            yield Message(NO_CURRENCY, element="budget", line=line_of(elem))


def _dates(act: etree._Element) -> Iterator[Message]:
    start, end = activity_dates(act)
    if start is not None and end is not None:
        yield from _order(end, start.get("iso-date"), end.get("iso-date"))
    for budget in act.iterfind("budget"):
        begin, finish = budget.find("period-start"), budget.find("period-end")
        if begin is not None and finish is not None:
            yield from _order(finish, begin.get("iso-date"), finish.get("iso-date"))


def _order(where: etree._Element, start: str | None, end: str | None) -> Iterator[Message]:
    first, last = date_of(start), date_of(end)
    if first is not None and last is not None and last < first:
        element = "budget" if where.tag == "period-end" else _name(where)
        yield Message(
            END_BEFORE_START,
            element=element,
            line=line_of(where),
            start=first.isoformat(),
            end=last.isoformat(),
        )


def _budgets(act: etree._Element) -> Iterator[Message]:
    for value in act.iterfind("budget/value"):
        amount = decimal_of(value.text)
        if amount is not None and amount < 0:
            yield Message(
                NEGATIVE,
                element="budget",
                line=line_of(value),
                value=(value.text or "").strip(),
            )


__all__ = ["END_BEFORE_START", "NEGATIVE", "NO_CURRENCY", "UNKNOWN_CODE", "check_activity"]
