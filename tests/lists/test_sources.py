"""Parsers: the real UN and OFAC files, hostile inputs, and the contract over every source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cthub.core.errors import InvalidInput
from cthub.core.model import Model
from cthub.lists import ListSource, ParsedEntry, SourceRegistry, bundled_path, registry
from cthub.lists.sources.ofac import OFACSource
from cthub.lists.sources.plaincsv import PlainCSVSource
from cthub.lists.sources.un import UNSource
from tests.lists.conftest import FIXTURES, shared_data


@pytest.mark.parametrize("name", registry.names())
def test_every_source_parses_its_examples(name: str) -> None:
    source = registry.get(name)
    assert source.name == name
    assert source.title
    model = Model.default()
    for example in source.examples():
        entries = list(source.parse(example))
        assert entries, f"{name}: {example} gave no entries"
        for entry in entries:
            assert entry.ref
            assert entry.properties["name"]
            assert not model.get(entry.schema).abstract


def test_registry_rejects_a_duplicate_name() -> None:
    reg = SourceRegistry()
    reg.register(UNSource)
    reg.register(UNSource)  # the same class again is harmless

    class Other(ListSource):
        name = "un"
        title = "Impostor"

        def parse(self, path: Path) -> list[ParsedEntry]:  # type: ignore[override]
            return []

        def examples(self) -> list[Path]:
            return []

    with pytest.raises(ValueError, match="taken"):
        reg.register(Other)


def test_un_full_list_bundled() -> None:
    entries = list(UNSource().parse(bundled_path()))
    assert len(entries) == 1003
    assert sum(e.schema == "Person" for e in entries) == 730
    assert sum(e.schema == "Organization" for e in entries) == 273
    qdi = next(e for e in entries if e.ref == "QDi.001")
    props = qdi.properties
    assert props["name"][0] == "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"
    assert "محمد صلاح الدين عبدالحليم زيدان" in props["name"]  # original script kept
    assert "Sayf-Al Adl" in props["alias"]
    assert "weak alias: Seif al Adel" in props["notes"]  # Low quality, marked
    assert props["birthDate"] == ["1963-04-11", "1960-04-11"]
    assert props["nationality"] == ["EG"]


def test_un_subset_details() -> None:
    entries = {e.ref: e for e in UNSource().parse(FIXTURES / "un-subset.xml")}
    assert len(entries) == 20
    first = entries["CDi.001"].properties
    assert first["name"] == ["ERIC BADEGE"]
    assert first["birthDate"] == ["1971"]
    assert first["nationality"] == ["CD"]
    assert any("passportNumber" in e.properties for e in entries.values())
    ranged = [e.properties["birthDate"] for e in entries.values() if e.properties.get("birthDate")]
    assert ["1973", "1974"] in ranged  # BETWEEN 1973 and 1974 gives both years


def test_ofac_full_set() -> None:
    entries = {e.ref: e for e in OFACSource().parse(shared_data("ofac-sdn"))}
    assert len(entries) == 8976
    vessel = entries["4243"]
    assert vessel.schema == "Vessel"
    assert vessel.properties["callSign"] == ["P3QG3"]
    assert vessel.properties["flag"] == ["CY"]
    person = entries["2674"]
    assert person.schema == "Person"
    assert person.properties["name"] == ["Abu ABBAS"]
    assert person.properties["birthDate"] == ["1948-12-10"]
    assert sum("passportNumber" in e.properties for e in entries.values()) > 1000
    assert sum("imoNumber" in e.properties for e in entries.values()) > 300


def test_ofac_subset_passport_and_aliases() -> None:
    entries = list(OFACSource().parse(FIXTURES / "ofac"))
    assert len(entries) == 33
    people = [e for e in entries if e.schema == "Person"]
    assert all(e.properties.get("passportNumber") for e in people)
    assert any(e.properties.get("alias") for e in entries)


def test_plain_csv() -> None:
    entries = {e.ref: e for e in PlainCSVSource().parse(FIXTURES / "plain.csv")}
    person = entries["P-1"].properties
    assert person["alias"] == ["Johnny Example", "J. Example"]
    assert person["birthDate"] == ["1970-01-02"]
    assert person["nationality"] == ["GB"]
    assert entries["O-1"].properties["country"] == ["CY"]
    assert entries["V-1"].schema == "Vessel"


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol3;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""


def test_xml_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(BOMB)
    with pytest.raises(InvalidInput, match=r"bomb\.xml.*DTD") as info:
        list(UNSource().parse(path))
    assert "XML bomb" in (info.value.render_hint() or "")


def test_truncated_xml_names_the_line(tmp_path: Path) -> None:
    text = (FIXTURES / "un-subset.xml").read_text(encoding="utf-8")
    path = tmp_path / "cut.xml"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"cut\.xml: the XML is malformed or truncated at line"):
        list(UNSource().parse(path))


def test_truncated_gzip_and_wrong_root(tmp_path: Path) -> None:
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(bundled_path().read_bytes()[:50_000])
    with pytest.raises(InvalidInput, match=r"cut\.xml\.gz"):
        list(UNSource().parse(cut))
    other = tmp_path / "other.xml"
    other.write_text("<sdnList/>")
    with pytest.raises(InvalidInput, match="root element is sdnList"):
        list(UNSource().parse(other))


def test_ofac_wrong_columns(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "ofac", tmp_path / "ofac")
    sdn = tmp_path / "ofac" / "sdn.csv"
    lines = sdn.read_bytes().split(b"\r\n")
    sdn.write_bytes(b"\r\n".join([*lines[:5], b'1,"X","individual"', *lines[5:]]))
    with pytest.raises(InvalidInput, match=r"sdn\.csv line 6: 3 fields, expected 12"):
        list(OFACSource().parse(tmp_path / "ofac"))
    (tmp_path / "ofac" / "alt.csv").unlink()
    with pytest.raises(InvalidInput, match=r"alt\.csv is missing"):
        list(OFACSource().parse(tmp_path / "ofac"))


def test_ofac_renamed_header_column(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "ofac", tmp_path / "ofac")
    alt = tmp_path / "ofac" / "alt.csv"
    alt.write_bytes(b"ent_num,alt_num,kind,alt_name,alt_remarks\r\n" + alt.read_bytes())
    with pytest.raises(InvalidInput, match=r"alt\.csv line 1: column 3 is kind, expected alt_type"):
        list(OFACSource().parse(tmp_path / "ofac"))


def test_plain_csv_renamed_column_and_encoding(tmp_path: Path) -> None:
    renamed = tmp_path / "renamed.csv"
    renamed.write_text("name,aliases,kind,birth_date,nationality,id_number,ref\nA,,person,,,,1\n")
    with pytest.raises(InvalidInput, match=r"renamed\.csv line 1: column type is missing"):
        list(PlainCSVSource().parse(renamed))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        b"name,aliases,type,birth_date,nationality,id_number,ref\n"
        b"Ok,,person,,,,1\nJos\xe9 Mar\xeda,,person,,,,2\n"
    )
    with pytest.raises(InvalidInput, match=r"latin\.csv line 3: the text is not UTF-8"):
        list(PlainCSVSource().parse(latin))


def test_ofac_accepts_utf8_as_well_as_latin1(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "ofac", tmp_path / "ofac")
    sdn = tmp_path / "ofac" / "sdn.csv"
    row = '99999999,"JOSÉ MARÍA, Ñandú",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    for encoding in ("latin-1", "utf-8"):
        sdn.write_bytes((FIXTURES / "ofac" / "sdn.csv").read_bytes() + row.encode(encoding))
        entries = {e.ref: e for e in OFACSource().parse(tmp_path / "ofac")}
        assert entries["99999999"].properties["name"] == ["JOSÉ MARÍA, Ñandú"]
