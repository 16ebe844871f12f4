"""IATI 2.01-2.03 exchange: real files, the official example, round trips, hostile input.

Fixtures: the two real files of ``tests/fixtures/coordination`` (see its README); every bad
input is a minimal valid activity (``_act``) with one thing changed, so each test shows the
one problem it is about.
"""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cthub.coordination.iati import (
    IatiActivity,
    Message,
    Org,
    ParseResult,
    export_activities,
    from_minor,
    minor_digits,
    parse_activities,
    to_minor,
    validate_document,
)
from cthub.coordination.taxonomy import AREA_KEYS, CTC_VOCABULARY_URI, FORMS, STATUSES
from cthub.core.errors import InvalidInput

FIXTURES = Path(__file__).parent.parent / "fixtures" / "coordination"
EXAMPLE = FIXTURES / "activity-standard-example-annotated-2.03.xml"
SPANISH = FIXTURES / "ES-MAEC-Indonesia-activities-2.01.xml.gz"
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
NODE = ("XM-CTHUB", "cthub node")

_DEFAULTS = {
    "id": "XM-TEST-1",
    "currency": "EUR",
    "status": "2",
    "start": "2024-01-01",
    "end": "2025-12-31",
    "country": "KE",
    "sector": "15130",
    "budget": "1000.50",
    "extra": "",
}
_ACTIVITY = """<iati-activity default-currency="{currency}">
  <iati-identifier>{id}</iati-identifier>
  <reporting-org ref="XM-TEST" type="10"><narrative>Test donor</narrative></reporting-org>
  <title><narrative xml:lang="en">Title of {id}</narrative></title>
  <description><narrative xml:lang="en">Description</narrative></description>
  <participating-org role="1" ref="XM-TEST" type="10">
    <narrative>Donor</narrative>
  </participating-org>
  <activity-status code="{status}"/>
  <activity-date type="1" iso-date="{start}"/>
  <activity-date type="3" iso-date="{end}"/>
  <recipient-country code="{country}" percentage="100"/>
  <sector vocabulary="1" code="{sector}" percentage="100"/>{extra}
  <budget type="1">
    <period-start iso-date="{start}"/>
    <period-end iso-date="{end}"/>
    <value currency="{currency}" value-date="{start}">{budget}</value>
  </budget>
</iati-activity>
"""


def _act(**changes: str) -> str:
    return _ACTIVITY.format(**{**_DEFAULTS, **changes})


def _doc(*activities: str, version: str = "2.03") -> bytes:
    body = "".join(activities) or _act()
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="{version}">\n'
    return (text + body + "</iati-activities>\n").encode()


def _line(data: bytes, needle: str, start: int = 0) -> int:
    return data.count(b"\n", 0, data.index(needle.encode(), start)) + 1


def _errors(data: bytes) -> list[str]:
    result = parse_activities(data, source_name="test.xml")
    assert len(result.invalid) == 1, result
    return result.invalid[0].errors


# --- the real files ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def spanish() -> ParseResult:
    return parse_activities(gzip.decompress(SPANISH.read_bytes()), source_name="ES-MAEC.xml")


def test_spanish_2_01_file_parses_leniently(spanish: ParseResult) -> None:
    assert spanish.version == "2.01"
    assert len(spanish.activities) + len(spanish.invalid) == 83
    assert (len(spanish.activities), len(spanish.invalid)) == (61, 22)
    assert all("is negative" in e for bad in spanish.invalid for e in bad.errors)
    assert all(a.areas == () for a in spanish.activities)  # no 152xx security sector
    assert sum(1 for w in spanish.warnings if "AidType" in w) == 18  # D03/D04 are retired


def test_spanish_first_activity(spanish: ParseResult) -> None:
    first = spanish.activities[0]
    assert first.iati_identifier == "ES-DIR3-E04585801-009-001301"
    assert first.titles == {"es": "Personas cooperantes voluntarias en organismos internacionales"}
    assert first.reporting_org == Org(
        "Ministry of Foreign Affairs and Cooperation, Spain", "ES-DIR3-E04585801", "10"
    )
    assert first.donor.name == "Spain"
    assert first.implementer == Org("Otra ONG nacional - país donante", "181")
    assert (first.recipient, first.status) == ("ID", "completed")
    assert (first.start, first.end) == (dt.date(2011, 11, 1), dt.date(2012, 11, 1))
    assert (first.budget_minor, first.currency) == (927000, "EUR")
    assert first.forms == ("expert_deployment",)  # default-aid-type D01
    assert first.sectors == (("1", "43081", None),)
    assert first.line == 3


def test_official_example_fields() -> None:
    result = parse_activities(EXAMPLE)
    assert (result.invalid, result.warnings, result.source_name) == ([], [], EXAMPLE.name)
    (a,) = result.activities
    assert a.iati_identifier == "AA-AAA-123456789-ABC123"
    assert a.title == "Activity title"
    assert a.titles == {
        "en": "Activity title",
        "fr": "Titre de l'activité",
        "es": "Título de la actividad",
    }
    assert a.description.startswith("General activity description text.")
    assert a.reporting_org == Org("Organisation name", "AA-AAA-123456789", "40")
    assert a.donor == Org("Name of Agency B", "BB-BBB-123456789", "40")
    assert a.implementer is None
    assert a.recipient == "AF"  # 25 % like AG: the first of the largest
    assert a.recipient_countries == (("AF", Decimal(25)), ("AG", Decimal(25)))
    assert a.recipient_regions == (("1", "489", Decimal(25)), ("99", "A1", Decimal(25)))
    assert a.sectors[0] == ("2", "111", Decimal(50))
    assert a.areas == ()  # vocabulary 2 and another publisher's vocabulary 99
    assert a.forms == ("funding",)  # default-aid-type A01, general budget support
    assert a.status == "implementation"
    assert (a.start, a.end) == (dt.date(2012, 4, 28), dt.date(2015, 12, 31))  # actual start
    assert (a.budget_minor, a.currency) == (300000, "EUR")
    assert a.contacts[0]["person_name"] == "A. Example"
    assert a.contacts[0]["email"] == "transparency@example.org"
    assert a.results[0]["indicators"][0] == {
        "title": "Indicator title",
        "measure": "1",
        "baseline": "10",
        "target": "10",
        "actual": "11",
    }
    (doc,) = a.documents  # result document links are not activity documents
    assert (doc["title"], doc["category"], doc["language"]) == ("Project Report 2013", "A01", "en")


# --- round trip --------------------------------------------------------------------------

_EXAMPLES = [
    IatiActivity(
        iati_identifier="XM-CTHUB-1",
        title="Training prosecutors",
        status="implementation",
        titles={"en": "Training prosecutors", "zh": "培训检察官"},
        donor=Org("Japan", "JP-GOV", "10"),
        implementer=Org("UNODC", "XM-DAC-41114"),
        recipient="KE",
        areas=("legislation", "financial_law", "extradition"),
        forms=("training", "legislative_drafting"),
        start=dt.date(2024, 1, 1),
        end=dt.date(2026, 12, 31),
        budget_minor=123456,
        currency="JPY",
        contacts=({"email": "a@example.org", "person_name": "A. B."},),
        results=(
            {
                "title": "Laws drafted",
                "type": "1",
                "indicators": [
                    {
                        "title": "Drafts",
                        "measure": "1",
                        "baseline": "0",
                        "target": "3",
                        "actual": None,
                    }
                ],
            },
        ),
        documents=(
            {
                "url": "https://example.org/a.pdf",
                "title": "Plan",
                "category": "A01",
                "language": "en",
                "format": "application/pdf",
            },
        ),
    ),
    IatiActivity(
        iati_identifier="XM-CTHUB-2",
        title="Sahel border posts",
        status="completed",
        titles={"en": "Sahel border posts", "fr": "Postes frontières du Sahel"},
        recipient="289",
        areas=("customs", "immigration"),
        forms=("equipment",),
        start=dt.date(2019, 3, 1),
        end=dt.date(2021, 2, 28),
        budget_minor=987654321,
        currency="KWD",
    ),
    IatiActivity(
        iati_identifier="XM-CTHUB-3",
        title="Pipeline",
        status="pipeline",
        titles={"en": "Pipeline"},
        recipient_countries=(("PK", Decimal(60)), ("AF", Decimal(40))),
        recipient="PK",
        start=dt.date(2030, 1, 1),
    ),
]


def _same(before: IatiActivity, after: IatiActivity) -> None:
    fields = ("areas", "forms", "status", "start", "end", "budget_minor", "recipient", "titles")
    for name in fields:
        assert getattr(after, name) == getattr(before, name), name
    if before.budget_minor is not None:
        assert after.currency == before.currency


def test_export_validates_and_round_trips() -> None:
    data = export_activities(_EXAMPLES, reporting_org=NODE, generated_at=NOW)
    assert validate_document(data) == []
    result = parse_activities(data)
    assert (result.invalid, result.warnings) == ([], [])
    for before, after in zip(_EXAMPLES, result.activities, strict=True):
        _same(before, after)
        assert after.reporting_org == Org("cthub node", "XM-CTHUB", "90")
    first = result.activities[0]
    assert (first.donor, first.implementer) == (_EXAMPLES[0].donor, _EXAMPLES[0].implementer)
    assert (first.results, first.documents) == (_EXAMPLES[0].results, _EXAMPLES[0].documents)
    assert first.contacts == _EXAMPLES[0].contacts
    assert ("99", "legislation", Decimal("33.33")) in first.sectors
    assert ("1", "15134", Decimal("33.34")) in first.sectors  # extradition's first DAC code


def test_export_of_an_undated_activity_gets_a_planned_start_today() -> None:
    bare = IatiActivity(iati_identifier="XM-CTHUB-9", title="Bare", status="pipeline")
    data = export_activities([bare], reporting_org=Org("Node", "XM-N", "40"), generated_at=NOW)
    assert validate_document(data) == []
    (back,) = parse_activities(data).activities
    assert (back.start, back.donor, back.title) == (NOW.date(), Org("Node", "XM-N", "40"), "Bare")


@pytest.mark.parametrize(
    "changes",
    [{"areas": ("cyber",)}, {"status": "done"}, {"titles": {"zh_Hans": "t"}}, {"budget_minor": 5}],
)
def test_export_refuses_what_cthub_does_not_know(changes: dict[str, object]) -> None:
    fields: dict[str, object] = {"iati_identifier": "X-1", "title": "t", "status": "pipeline"}
    bad = IatiActivity(**{**fields, **changes})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="X-1: not exportable"):
        export_activities([bad], reporting_org=NODE, generated_at=NOW)


_text = st.text(st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=20)


@st.composite
def _activities(draw: st.DrawFn) -> IatiActivity:
    start = draw(st.dates(dt.date(2000, 1, 1), dt.date(2035, 1, 1)))
    end = draw(st.none() | st.dates(start, dt.date(2040, 1, 1)))
    currency = draw(st.sampled_from(["EUR", "USD", "JPY", "KWD", "CLF"]))
    titles = draw(st.dictionaries(st.sampled_from(["en", "fr", "zh", "ar"]), _text, min_size=1))
    return IatiActivity(
        iati_identifier=f"XM-CTHUB-{draw(st.integers(0, 10**6))}",
        title=titles.get("en") or next(iter(titles.values())),
        titles=titles,
        status=draw(st.sampled_from(sorted(STATUSES))),
        recipient=draw(st.sampled_from(["KE", "ID", "NG", "298", "789"])),
        areas=tuple(draw(st.lists(st.sampled_from(AREA_KEYS), unique=True, max_size=4))),
        forms=tuple(draw(st.lists(st.sampled_from(sorted(FORMS)), unique=True, max_size=3))),
        start=start,
        end=end,
        budget_minor=draw(st.none() | st.integers(0, 10**14)),
        currency=currency,
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_activities(), min_size=1, max_size=3, unique_by=lambda a: a.iati_identifier))
def test_round_trip_property(activities: list[IatiActivity]) -> None:
    data = export_activities(activities, reporting_org=NODE, generated_at=NOW)
    assert validate_document(data) == []
    result = parse_activities(data)
    assert result.invalid == []
    for before, after in zip(activities, result.activities, strict=True):
        _same(before, after)


# --- money and budgets -------------------------------------------------------------------


def test_minor_units_follow_iso_4217_without_float() -> None:
    assert [minor_digits(c) for c in ("EUR", "JPY", "KWD", "CLF")] == [2, 0, 3, 4]
    assert to_minor(Decimal("1000.50"), "EUR") == 100050
    assert to_minor(Decimal("0.125"), "EUR") == 12  # half-even
    assert to_minor(Decimal("12345678901234567.89"), "USD") == 1234567890123456789
    assert from_minor(1234567, "KWD") == Decimal("1234.567")


def test_revised_budget_replaces_the_original_of_its_period() -> None:
    revised = """
  <budget type="2">
    <period-start iso-date="2024-01-01"/><period-end iso-date="2025-12-31"/>
    <value value-date="2024-06-01">2000</value>
  </budget>
  <budget type="1">
    <period-start iso-date="2026-01-01"/><period-end iso-date="2026-12-31"/>
    <value value-date="2024-06-01">5.25</value>
  </budget>"""
    data = _doc(_act().replace("</iati-activity>", revised + "</iati-activity>"))
    (a,) = parse_activities(data).activities
    assert (a.budget_minor, a.currency) == (200525, "EUR")


def test_budgets_in_several_currencies_keep_the_largest_group_and_warn() -> None:
    usd = """
  <budget><period-start iso-date="2026-01-01"/><period-end iso-date="2026-12-31"/>
    <value currency="USD" value-date="2026-01-01">7</value></budget>
  <budget><period-start iso-date="2027-01-01"/><period-end iso-date="2027-12-31"/>
    <value currency="USD" value-date="2027-01-01">8</value></budget>"""
    result = parse_activities(_doc(_act().replace("</iati-activity>", usd + "</iati-activity>")))
    (a,) = result.activities
    assert (a.budget_minor, a.currency) == (1500, "USD")
    (warning,) = result.warnings
    assert "(EUR, USD)" in warning
    assert warning.startswith("XM-TEST-1, line 3:")


# --- classification ----------------------------------------------------------------------


def test_areas_from_dac_codes_and_forms_from_aid_types() -> None:
    extra = '\n  <sector vocabulary="1" code="21050"/>\n  <default-aid-type code="D02"/>'
    (a,) = parse_activities(_doc(_act(extra=extra))).activities
    assert a.areas == ("legislation", "transport_security")
    assert a.forms == ("training",)


def test_cthub_vocabulary_wins_and_unknown_codes_warn() -> None:
    extra = (
        f'\n  <sector vocabulary="99" vocabulary-uri="{CTC_VOCABULARY_URI}" code="customs"/>'
        f'\n  <sector vocabulary="99" vocabulary-uri="{CTC_VOCABULARY_URI}" code="cyber"/>'
        f'\n  <tag vocabulary="99" vocabulary-uri="{CTC_VOCABULARY_URI}" code="equipment"/>'
        '\n  <default-aid-type code="D01"/>'
    )
    data = _doc(_act(extra=extra))
    result = parse_activities(data)
    (a,) = result.activities
    assert (a.areas, a.forms) == (("customs",), ("equipment",))
    (warning,) = result.warnings
    assert warning.startswith(f'sector, line {_line(data, "cyber")}: code "cyber"')


# --- refused files -----------------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">]>
<iati-activities version="2.03">&lol6;</iati-activities>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<iati-activities version="2.03"><iati-activity>&e;</iati-activity></iati-activities>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE iati-activities SYSTEM "http://example.org/iati.dtd">
<iati-activities version="2.03"/>"""
TRUNCATED = _doc()[:300]
TRUNCATED_LINE = TRUNCATED.count(b"\n") + 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (BOMB, "bad.xml, line 2: the XML declares a DTD or entities"),
        (XXE, "bad.xml, line 2: the XML declares a DTD or entities"),
        (EXTERNAL_DTD, "bad.xml, line 2: the XML declares a DTD or entities"),
        (b"code,name\n1,2\n", "bad.xml: the XML is malformed or truncated at line 1"),
        (b"", "bad.xml: the XML is malformed or truncated at line 1"),
        (TRUNCATED, f"bad.xml: the XML is malformed or truncated at line {TRUNCATED_LINE},"),
        (b"<iati-organisations/>", "bad.xml, line 1: the root element is iati-organisations"),
        (_doc(version="1.05"), 'bad.xml, line 2: IATI version "1.05" is not supported'),
    ],
)
def test_unsafe_or_foreign_files_are_refused(data: bytes, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_activities(data, source_name="bad.xml")
    assert str(caught.value).startswith(expected)
    assert caught.value.params["file"] == "bad.xml"
    assert caught.value.hint


def test_schema_errors_of_the_document_itself_are_warnings() -> None:
    data = b'<iati-activities version="2.03" generated-datetime="yesterday"/>'
    result = parse_activities(data)
    assert (result.activities, result.invalid) == ([], [])
    assert result.warnings[0].startswith("iati-activities, line 1: Element 'iati-activities'")
    assert len(validate_document(data)) == 2  # bad datetime, no activity


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"absent\.xml: the file cannot be read"):
        parse_activities(tmp_path / "absent.xml")


# --- invalid activities ------------------------------------------------------------------


def test_schema_errors_stay_with_their_activity() -> None:
    broken = _act(id="XM-TEST-2").replace('<activity-status code="2"/>', "<activity-status/>")
    bad_date = _act(id="XM-TEST-4", start="2024-13-01")
    data = _doc(_act(), broken, _act(id="XM-TEST-3"), bad_date)
    result = parse_activities(data)
    assert [a.iati_identifier for a in result.activities] == ["XM-TEST-1", "XM-TEST-3"]
    assert [(i.identifier, len(i.errors)) for i in result.invalid] == [
        ("XM-TEST-2", 1),
        ("XM-TEST-4", 3),  # activity-date, budget period-start and value-date
    ]
    line = _line(data, "<activity-status/>")
    assert result.invalid[0].errors[0].startswith(f"activity-status, line {line}: Element")
    assert all("'2024-13-01' is not a valid value" in e for e in result.invalid[1].errors)


@pytest.mark.parametrize(
    ("changes", "element", "value"),
    [
        ({"sector": "99999"}, "sector", 'code "99999" is not in the IATI Sector codelist'),
        ({"country": "XX"}, "recipient-country", 'code "XX" is not in the IATI Country'),
        ({"status": "9"}, "activity-status", 'code "9" is not in the IATI ActivityStatus'),
        ({"currency": "EUX"}, "iati-activity", 'default-currency "EUX" is not in the IATI Cur'),
        ({"budget": "-5"}, "budget", "the value -5 is negative"),
        ({"end": "2023-01-01"}, "activity-date", "the end date 2023-01-01 is before the start"),
        (
            {"extra": '\n  <recipient-region code="999" vocabulary="1"/>'},
            "recipient-region",
            'code "999" is not in the IATI Region codelist',
        ),
    ],
)
def test_codelist_and_value_errors_name_element_line_and_value(
    changes: dict[str, str], element: str, value: str
) -> None:
    errors = _errors(_doc(_act(**changes)))
    assert any(e.startswith(f"{element}, line ") and value in e for e in errors), errors


def test_error_lines_point_at_the_element() -> None:
    data = _doc(_act(), _act(id="XM-TEST-2", sector="99999"))
    (error,) = _errors(data)
    line = _line(data, 'code="99999"')
    assert error.startswith(f"sector, line {line}:")


def test_duplicate_and_empty_identifiers() -> None:
    data = _doc(_act(), _act(), _act(id=" "))
    result = parse_activities(data)
    assert len(result.activities) == 1
    duplicate, empty = (bad.errors[0] for bad in result.invalid)
    assert duplicate.endswith('"XM-TEST-1" is already the identifier of the activity at line 3.')
    assert empty.endswith("the activity has no identifier.")


def test_budget_without_any_currency_is_an_error() -> None:
    data = _doc(_act().replace(' default-currency="EUR"', "").replace(' currency="EUR"', ""))
    (error,) = _errors(data)
    assert "the value has no currency and the activity has no default-currency" in error


def test_unknown_descriptive_codes_only_warn() -> None:
    extra = '\n  <default-aid-type code="Z99"/>'
    data = _doc(_act(extra=extra))
    result = parse_activities(data)
    assert len(result.activities) == 1
    assert result.activities[0].forms == ()
    line = _line(data, "Z99")
    assert result.warnings == [
        f'default-aid-type, line {line}: code "Z99" is not in the IATI AidType codelist.'
    ]


def test_messages_translate_at_the_edge() -> None:
    (error,) = _errors(_doc(_act(budget="-5")))
    assert isinstance(error, Message)
    assert error.params["value"] == "-5"
    assert error.render(lambda msgid: msgid.upper()).startswith("{ELEMENT}")  # unknown keys
    assert error.render(lambda msgid: "[{value}] " + msgid) == "[-5] " + error
