"""What an IATI activity becomes in cthub, and what a parse reports.

``IatiActivity`` is the part of an IATI 2.0x activity that the coordination register uses,
already mapped to cthub's vocabularies (areas, forms, statuses of ``taxonomy``). Sequences are
tuples so that two activities compare equal field by field (the round-trip tests rely on it).
Money is an integer count of minor units of ``currency``, never a float.

``Message`` is a ``str`` (the English text, ready to print or compare) that also keeps its
msgid and parameters, so an interface can translate it with ``render(gettext)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict


class Message(str):
    """An English message that remembers its msgid and parameters for translation."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, **params: object) -> Message:
        self = super().__new__(cls, _fill(msgid, params))
        self.msgid = msgid
        self.params = params
        return self

    def render(self, gettext: Callable[[str], str] | None = None) -> str:
        """The message translated with ``gettext`` (when given) and filled in."""
        return _fill(gettext(self.msgid) if gettext else self.msgid, self.params)


def _fill(text: str, params: dict[str, object]) -> str:
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


@dataclass(frozen=True)
class Org:
    """An organisation as IATI names it: display ``name``, IATI ``ref`` and OrganisationType."""

    name: str
    ref: str = ""
    type: str = ""


class Contact(TypedDict, total=False):
    """One ``contact-info``; only the keys the file gives are present."""

    type: str
    organisation: str
    department: str
    person_name: str
    job_title: str
    telephone: str
    email: str
    website: str
    mailing_address: str


class Indicator(TypedDict):
    """One result indicator; values are the IATI strings (``None`` when absent).

    ``baseline`` is the first baseline; ``target`` and ``actual`` come from the last period
    that gives them (the latest reported progress).
    """

    title: str
    measure: str
    baseline: str | None
    target: str | None
    actual: str | None


class Result(TypedDict):
    """One ``result``: IATI ResultType ``type`` (1 output, 2 outcome, 3 impact, 9 other)."""

    title: str
    type: str
    indicators: list[Indicator]


class Document(TypedDict):
    """One activity ``document-link``: first category and first language (``""`` if none)."""

    url: str
    title: str
    category: str
    language: str
    format: str


@dataclass(frozen=True)
class IatiActivity:
    """One activity, mapped to cthub.

    - ``titles``: language -> text (``""`` when neither the narrative nor the activity names
      a language); ``title`` is the English one, else the first.
    - ``donor``: participating-org role 1 (funding), else the reporting organisation;
      ``implementer``: role 4, else ``None``.
    - ``recipient``: the ISO 3166-1 alpha-2 country with the largest percentage, else the IATI
      (DAC, vocabulary 1) region with the largest percentage, else ``None``.
    - ``recipient_countries``: (code, percentage); ``recipient_regions`` and ``sectors``:
      (vocabulary, code, percentage); percentages are ``None`` when the file gives none.
    - ``areas``/``forms``/``status``: keys of ``taxonomy`` (see ``classify``).
    - ``start``/``end``: actual dates over planned ones.
    - ``budget_minor``: sum of the budgets in minor units of ``currency`` (see ``budgets``).
    - ``line``: line of ``<iati-activity>`` in the source file (0 for built activities).
    """

    iati_identifier: str
    title: str
    status: str
    titles: dict[str, str] = field(default_factory=dict)
    description: str = ""
    reporting_org: Org = Org("")
    donor: Org = Org("")
    implementer: Org | None = None
    recipient: str | None = None
    recipient_countries: tuple[tuple[str, Decimal | None], ...] = ()
    recipient_regions: tuple[tuple[str, str, Decimal | None], ...] = ()
    sectors: tuple[tuple[str, str, Decimal | None], ...] = ()
    areas: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    budget_minor: int | None = None
    currency: str | None = None
    contacts: tuple[Contact, ...] = ()
    results: tuple[Result, ...] = ()
    documents: tuple[Document, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class InvalidActivity:
    """An activity that failed the schema or the codelist checks; nothing of it was kept.

    Each error names the element, the line and the offending value (``Message`` strings).
    """

    identifier: str
    line: int
    errors: list[str]


@dataclass(frozen=True)
class ParseResult:
    """Valid activities, invalid ones with their errors, and file-level warnings."""

    source_name: str
    version: str
    activities: list[IatiActivity]
    invalid: list[InvalidActivity]
    warnings: list[str]


__all__ = [
    "Contact",
    "Document",
    "IatiActivity",
    "Indicator",
    "InvalidActivity",
    "Message",
    "Org",
    "ParseResult",
    "Result",
]
