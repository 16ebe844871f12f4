"""The OFAC XML, EU, UK and FtM sources: real and fixture files, hostile inputs, the CLI load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cthub.core.errors import InvalidInput
from cthub.interfaces.cli.lists import app
from cthub.lists import registry
from cthub.lists.sources.eu import EUSource
from cthub.lists.sources.ftm import FtMSource
from cthub.lists.sources.ofac_xml import OFACXMLSource, birth_dates, ofac_country
from cthub.lists.sources.uk import UKSource, split_numbered, uk_dates
from tests.conftest import SECRET
from tests.lists.conftest import FIXTURES, shared_data

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<{root}><{record}><uid>&lol2;</uid></{record}></{root}>
"""


def test_new_sources_are_registered() -> None:
    assert {"ofac-xml", "eu", "uk", "ftm"} <= set(registry.names())


# --- OFAC sdnList XML ------------------------------------------------------------------------


def test_ofac_consolidated_real_file() -> None:
    entries = {
        e.ref: e for e in OFACXMLSource().parse(shared_data("ofac-consolidated/consolidated.xml"))
    }
    assert len(entries) == 443
    assert sum(e.schema == "Person" for e in entries.values()) == 80
    names = sum(len(e.properties.get(p, [])) for e in entries.values() for p in ("name", "alias"))
    assert names > 1400
    assert sum("birthDate" in e.properties for e in entries.values()) == 75
    haniya = entries["9639"].properties
    assert haniya["name"] == ["Ismail Abdul Salah HANIYA"]
    assert haniya["alias"] == ["Ismail HANIYA", "Ismaeel HANIYYA"]
    assert haniya["birthDate"] == ["1962"]
    kayakiran = entries["26182"].properties
    assert kayakiran["passportNumber"] == ["U00242309"]
    assert kayakiran["gender"] == ["male"]
    assert entries["9647"].properties["nationality"] == ["PS"]  # OFAC's "Palestinian"


def test_ofac_consolidated_subset_fixture() -> None:
    entries = {e.ref: e for e in OFACXMLSource().parse(FIXTURES / "ofac-consolidated-subset.xml")}
    assert len(entries) == 12
    vtb = entries["17013"].properties
    assert "VNESHTORGBANK" in vtb["previousName"]  # f.k.a.
    assert vtb["incorporationDate"] == ["1990-10-17"]  # Organization Established Date
    assert vtb["taxNumber"] == ["7702070139"]
    assert "weak alias: JSC VTB BANK NEW DELHI BRANCH" in vtb["notes"]
    assert "SWIFT/BIC: VTBRRUMM" in vtb["notes"]


def test_ofac_sdn_xml_namespace_vessels_and_people() -> None:
    entries = {e.ref: e for e in OFACXMLSource().parse(FIXTURES / "ofac-sdn-sample.xml")}
    assert len(entries) == 6
    vessel = entries["4243"]
    assert vessel.schema == "Vessel"
    assert vessel.properties["callSign"] == ["P3QG3"]
    assert vessel.properties["flag"] == ["CY"]
    assert vessel.properties["previousName"] == ["ANA I"]
    tanker = entries["15036"].properties
    assert tanker["imoNumber"] == ["9187629"]
    assert tanker["mmsi"] == ["572469210"]
    assert tanker["tonnage"] == ["99144"]
    assert entries["2674"].properties["birthDate"] == ["1948-12-10"]
    assert entries["6944"].properties["birthDate"] == ["1969", "1963", "1964-02-11"]
    assert entries["6905"].properties["notes"][0] == "weak alias: TARIQ"
    assert entries["306"].properties["country"] == ["CH", "ES", "PA"]


def test_ofac_dates_and_countries() -> None:
    assert birth_dates("circa 1960") == ["1960"]
    assert birth_dates("1960 to 1962") == ["1960", "1961", "1962"]
    assert birth_dates("01 Jan 1960 to 31 Dec 1962") == ["1960-01-01", "1962-12-31"]
    assert birth_dates("Feb 1961") == ["1961-02"]
    assert birth_dates("sometime") == ["sometime"]
    assert ofac_country("Korea, North") == "KP"
    assert ofac_country("Region: Gaza") == "PS"
    assert ofac_country("Region: Crimea") == "Region: Crimea"  # kept, becomes a note


# --- EU FSF XML -------------------------------------------------------------------------------


def test_eu_fixture() -> None:
    entries = {e.ref: e for e in EUSource().parse(FIXTURES / "eu-sample.xml")}
    assert len(entries) == 8
    assert sum(e.schema == "Person" for e in entries.values()) == 5
    saddam = entries["13"].properties
    assert saddam["name"] == ["Saddam Hussein Al-Tikriti"]
    assert saddam["alias"] == ["Abu Ali", "صدام حسين التكريتي"]
    assert saddam["birthDate"] == ["1937-04-28"]
    assert saddam["nationality"] == ["IQ"]
    assert saddam["gender"] == ["male"]
    assert entries["6796"].properties["birthDate"] == ["1971"]  # year only
    zawahiri = entries["2306"].properties
    assert zawahiri["passportNumber"] == ["1084010", "19820215"]
    assert "weak alias: Abu Mohammed" in zawahiri["notes"]
    assert "UN reference: QDi.006" in zawahiri["notes"]
    mugabe = entries["1"].properties
    assert "nationality" not in mugabe  # countryIso2Code 00 is unknown
    assert "Фронт на великите ислямски източни воини" in entries["207"].properties["alias"]
    assert "Сергей Викторович Лавров" in entries["138946"].properties["alias"]
    assert entries["5640"].properties["country"] == ["IR"]


EU_ELEMENTS = """<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export">
  <sanctionEntity><logicalId>77</logicalId>
    <subjectType><code>person</code></subjectType>
    <nameAlias><wholeName>Ivan Example</wholeName><gender>M</gender></nameAlias>
    <birthdate><year>1960</year><monthOfYear>5</monthOfYear></birthdate>
    <birthdate yearRangeFrom="1961" yearRangeTo="1962"/>
    <identification identificationTypeCode="id" number="123-456"/>
    <identification identificationTypeCode="other" identificationTypeDescription="Other"
      number="X9"/>
  </sanctionEntity>
</export>
"""


def test_eu_reads_elements_as_well_as_attributes(tmp_path: Path) -> None:
    path = tmp_path / "elements.xml"
    path.write_text(EU_ELEMENTS, encoding="utf-8")
    (entry,) = EUSource().parse(path)
    assert entry.ref == "77"
    assert entry.properties["birthDate"] == ["1960-05", "1961", "1962"]
    assert entry.properties["idNumber"] == ["123-456"]
    assert "Other: X9" in entry.properties["notes"]


@pytest.mark.parametrize(
    ("source", "root", "record"),
    [(OFACXMLSource(), "sdnList", "sdnEntry"), (EUSource(), "export", "sanctionEntity")],
)
def test_xml_hostile_inputs(tmp_path: Path, source: OFACXMLSource, root: str, record: str) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(BOMB.format(root=root, record=record))
    with pytest.raises(InvalidInput, match=r"bomb\.xml.*DTD") as info:
        list(source.parse(bomb))
    assert "XML bomb" in (info.value.render_hint() or "")
    other = tmp_path / "other.xml"
    other.write_text("<CONSOLIDATED_LIST/>")
    with pytest.raises(InvalidInput, match=f"root element is CONSOLIDATED_LIST, not {root}"):
        list(source.parse(other))
    cut = tmp_path / "cut.xml"
    cut.write_text(f"<{root}>\n<{record}><uid>1</uid>\n")
    with pytest.raises(InvalidInput, match=r"cut\.xml: the XML is malformed or truncated at line"):
        list(source.parse(cut))
    latin = tmp_path / "latin.xml"
    latin.write_bytes(f"<{root}><{record}>Jos\xe9</{record}></{root}>".encode("latin-1"))
    with pytest.raises(InvalidInput, match=r"latin\.xml: the XML is malformed .* line 1"):
        list(source.parse(latin))
    with pytest.raises(InvalidInput, match=r"missing\.xml: the file cannot be read"):
        list(source.parse(tmp_path / "missing.xml"))


def test_xml_record_without_reference(tmp_path: Path) -> None:
    path = tmp_path / "noref.xml"
    path.write_text("<sdnList><sdnEntry><lastName>X</lastName></sdnEntry></sdnList>")
    with pytest.raises(InvalidInput, match=r"noref\.xml: sdnEntry #1 has no uid"):
        list(OFACXMLSource().parse(path))
    path.write_text('<export><sanctionEntity><nameAlias wholeName="X"/></sanctionEntity></export>')
    with pytest.raises(InvalidInput, match=r"noref\.xml: sanctionEntity #1 has no logicalId"):
        list(EUSource().parse(path))


# --- UK ConList.csv ---------------------------------------------------------------------------


def test_uk_fixture_groups_rows() -> None:
    entries = {e.ref: e for e in UKSource().parse(FIXTURES / "uk-conlist.csv")}
    assert len(entries) == 7
    zawahiri = entries["6897"]
    assert zawahiri.schema == "Person"
    props = zawahiri.properties
    assert props["name"] == ["Aiman Muhammed Rabi AL-ZAWAHIRI", "أيمن محمد ربيع الظواهري"]
    assert set(props["alias"]) == {"Ayman AL-ZAWAHARI", "Ahmed Fuad SALIM", "ABU MOHAMMED"}
    assert "weak alias: ABU MOHAMMED" in props["notes"]
    assert props["birthDate"] == ["1951-06-19"]
    assert props["nationality"] == ["EG"]
    assert props["passportNumber"] == ["1084010", "19820215"]
    assert (props["firstName"], props["lastName"]) == (["Aiman"], ["AL-ZAWAHIRI"])
    assert entries["12861"].properties["birthDate"] == ["1971"]  # 00/00/1971
    assert entries["8352"].properties["previousName"] == ["JAM'ATAL-TAWHID WA'AL-JIHAD"]
    assert "ЧВК Вагнер" in entries["15429"].properties["alias"]
    ship = entries["13647"]
    assert ship.schema == "Vessel"
    assert ship.properties["imoNumber"] == ["8660313"]
    assert entries["12431"].properties["country"] == ["SY"]


def test_uk_dates_and_numbered_cells() -> None:
    assert uk_dates("00/00/1960") == ["1960"]
    assert uk_dates("00/05/1960") == ["1960-05"]
    assert uk_dates("(1) 01/02/1960 (2) 00/00/1961") == ["1960-02-01", "1961"]
    assert uk_dates("unknown") == ["unknown"]
    assert split_numbered("(1) Syria (2) Iraq") == ["Syria", "Iraq"]
    assert split_numbered("Syria") == ["Syria"]


def _uk_lines() -> list[bytes]:
    return (FIXTURES / "uk-conlist.csv").read_bytes().split(b"\r\n")


def test_uk_header_without_preamble_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "noheader.csv"
    path.write_bytes(b"\r\n".join(_uk_lines()[1:]))
    assert len(list(UKSource().parse(path))) == 7


def test_uk_renamed_column(tmp_path: Path) -> None:
    lines = _uk_lines()
    lines[1] = lines[1].replace(b"Group ID", b"GroupID")
    path = tmp_path / "renamed.csv"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(InvalidInput, match=r"renamed\.csv line 2: column Group ID is missing"):
        list(UKSource().parse(path))


def test_uk_not_utf8_names_the_line(tmp_path: Path) -> None:
    lines = _uk_lines()
    lines[4] = lines[4].replace(b"AL-QAIDA", b"AL-Q\xc1IDA")
    path = tmp_path / "latin.csv"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(InvalidInput, match=r"latin\.csv line 5: the text is not UTF-8"):
        list(UKSource().parse(path))


def test_uk_bad_rows(tmp_path: Path) -> None:
    lines = _uk_lines()
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\r\n".join([*lines[:3], b"SHORT,ROW", *lines[3:]]))
    with pytest.raises(InvalidInput, match=r"bad\.csv line 4: 2 fields, expected 36"):
        list(UKSource().parse(path))
    path.write_bytes(b"\r\n".join([*lines[:3], lines[3].replace(b",Individual,", b",Alien,")]))
    with pytest.raises(InvalidInput, match=r"bad\.csv line 4: Group Type Alien is not"):
        list(UKSource().parse(path))
    path.write_bytes(b"\r\n".join([*lines[:3], lines[3].rsplit(b",", 1)[0] + b","]))
    with pytest.raises(InvalidInput, match=r"bad\.csv line 4: Group ID is empty"):
        list(UKSource().parse(path))


# --- FollowTheMoney JSON lines ----------------------------------------------------------------


def test_ftm_fixture() -> None:
    entries = {e.ref: e for e in FtMSource().parse(FIXTURES / "ftm-entities.jsonl")}
    assert set(entries) == {
        "ofac-2674",
        "eu-fsf-13",
        "un-sc-QDi.006",
        "ofac-306",
        "ofac-17013",
        "un-sc-QDe.115",
        "ofac-15036",
        "gb-hmt-14690",
    }  # Sanction, Address and Ownership records skipped
    saddam = entries["eu-fsf-13"].properties
    assert saddam["alias"] == ["صدام حسين التكريتي", "Abu Ali"]
    assert "weak alias: Abu Ali" in saddam["notes"]
    assert saddam["deathDate"] == ["2006-12-30"]  # time part dropped
    assert saddam["nationality"] == ["IQ"]
    zawahiri = entries["un-sc-QDi.006"].properties  # two fragments merged
    assert zawahiri["birthDate"] == ["1951-06-19"]
    assert zawahiri["passportNumber"] == ["1084010", "19820215"]
    assert entries["un-sc-QDe.115"].schema == "Organization"  # LegalEntity
    assert entries["un-sc-QDe.115"].properties["registrationNumber"] == ["QDe.115"]
    assert entries["ofac-17013"].schema == "Company"
    assert "innCode" not in entries["ofac-17013"].properties
    assert entries["ofac-15036"].properties["imoNumber"] == ["9187629"]
    lavrov = entries["gb-hmt-14690"].properties
    assert lavrov["name"] == ["Sergey Viktorovich LAVROV"]  # made from the name parts
    assert "country: suhh" in lavrov["notes"]
    assert entries["ofac-306"].properties["notes"][0].startswith("address: Zweierstrasse")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": ',
            "line 2: the JSON",
        ),
        (b'\n\n["not", "an", "object"]\n', "line 3: not an entity"),
        (b'{"id": "", "schema": "Person", "properties": {}}\n', "line 1: not an entity"),
        (
            b'{"id": "a", "schema": "Person", "properties": {"name": "Jos\xe9"}}\n',
            "line 1: the text is not UTF-8",
        ),
        (
            b'{"id": "a", "schema": "Person", "properties": {"name": [1]}}\n',
            "line 1: property name holds",
        ),
        (
            b'{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n'
            b'{"id": "a", "schema": "Vessel", "properties": {"name": ["A"]}}\n',
            "line 2: entity a is a Vessel here but a Person before",
        ),
        (
            b'{"id": "a", "schema": "Person", "properties": {"alias": ["A"]}}\n',
            "entry a has no name",
        ),
    ],
)
def test_ftm_hostile_inputs(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message) as info:
        list(FtMSource().parse(path))
    assert "bad.jsonl" in str(info.value)


def test_ftm_company_fragment_refines_organization(tmp_path: Path) -> None:
    path = tmp_path / "frag.jsonl"
    lines = [
        {"id": "x", "schema": "Organization", "properties": {"name": ["Acme"]}},
        {"id": "x", "schema": "Company", "properties": {"jurisdiction": ["cy"]}},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    (entry,) = FtMSource().parse(path)
    assert entry.schema == "Company"
    assert entry.properties["jurisdiction"] == ["CY"]


# --- through the CLI --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "fixture", "count"),
    [
        ("ofac-xml", "ofac-sdn-sample.xml", 6),
        ("eu", "eu-sample.xml", 8),
        ("uk", "uk-conlist.csv", 7),
        ("ftm", "ftm-entities.jsonl", 8),
    ],
)
def test_cli_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, fixture: str, count: int
) -> None:
    monkeypatch.setenv("CTHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CTHUB_DATABASE_URL", f"sqlite:///{tmp_path / 'cthub.db'}")
    monkeypatch.setenv("CTHUB_SECRET_KEY", SECRET)
    monkeypatch.setenv("CTHUB_MODE", "development")
    result = CliRunner().invoke(app, ["load", source, str(FIXTURES / fixture)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"list {source} version 1: {count} entries"
