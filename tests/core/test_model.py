"""Tests for cthub.core.model: property types, YAML schemata, model extension, entities.

The records imitate what list sources deliver: a UN-style listed person with an Arabic-script
name, transliterated aliases and partial birth dates, a vessel known by its IMO number, and a
passport reported lost. Schema-file failures are written to ``tmp_path`` so each rejection is
checked against the real loader, including that the message names the file and the key.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cthub.core.errors import ConfigError, Conflict, InvalidInput
from cthub.core.model import (
    Entity,
    Model,
    PropertyType,
    TypeRegistry,
    countries,
    country_code,
    registry,
)


@pytest.fixture(scope="module")
def model() -> Model:
    return Model.default()


def clean(type_name: str, value: object) -> str:
    return registry.get(type_name).clean(value, "field")


def listed_person(model: Model) -> Entity:
    """A record shaped like a UN Security Council consolidated-list entry."""
    return Entity(
        model.get("Person"),
        "un-qdi-299",
        {
            "name": "إبراهيم عواد إبراهيم علي البدري",
            "alias": ["Abu  Bakr al-Baghdadi\u200f", "ABU BAKR AL-BAGHDADI", "Abu Duaa"],
            "firstName": "Ibrahim",
            "middleName": "Awwad",
            "lastName": "al-Badri",
            "birthDate": ["1971", "1971-07-28"],
            "birthPlace": "Samarra, Iraq",
            "nationality": "Iraq",
            "gender": "M",
            "sourceUrl": "https://main.un.org/securitycouncil/en/sanctions/1267",
            "topics": "sanction",
        },
    )


# --- property types -------------------------------------------------------------------------


def test_name_keeps_script_and_drops_invisible_marks() -> None:
    dirty = "  أبو\u200f بكر\tالبغدادي \n"  # noqa: RUF001 - Arabic script is the point here
    assert clean("name", dirty) == "أبو بكر البغدادي"
    decomposed = "Jose\u0301"
    assert clean("name", decomposed) == "Jos\u00e9"
    # The zero-width non-joiner is part of Persian spelling and must survive.
    assert clean("name", "مهدی\u200cپور") == "مهدی\u200cپور"
    assert registry.get("name").compare_key("ABU  Bakr") == registry.get("name").compare_key(
        "abu bakr"
    )


def test_name_of_only_invisible_characters_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="no visible characters"):
        clean("name", "\u200f\u200e")


@pytest.mark.parametrize("value", ["1971", "1971-07", "1971-07-28", "2024-02-29"])
def test_date_keeps_partial_precision(value: str) -> None:
    assert clean("date", value) == value


def test_date_accepts_date_objects() -> None:
    assert clean("date", date(1971, 7, 28)) == "1971-07-28"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2023-02-30", "February 2023 has 28 days"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("1971-13", "is not a real date"),
        ("0000", "is not a real date"),
        ("28/07/1971", "is not a date"),
        ("1971-7-28", "is not a date"),
    ],
)
def test_date_rejects_impossible_and_malformed(value: str, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment) as caught:
        registry.get("date").clean(value, "birthDate")
    assert (caught.value.params["prop"], caught.value.params["value"]) == ("birthDate", value)
    assert caught.value.hint == "Use YYYY, YYYY-MM or YYYY-MM-DD."


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Iraq", "IQ"),
        ("iq", "IQ"),
        ("IRQ", "IQ"),
        ("Côte d'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("the Syrian Arab Republic", "SY"),
        ("Korea, Democratic People's Republic of", "KP"),
        ("UK", "GB"),
        ("Kosovo", "XK"),
        ("XK", "XK"),
    ],
)
def test_country_accepts_codes_and_english_names(value: str, code: str) -> None:
    assert clean("country", value) == code


def test_country_rejects_unknown_with_hint() -> None:
    with pytest.raises(InvalidInput, match="Atlantis is not a known country") as caught:
        clean("country", "Atlantis")
    assert "alpha-2" in (caught.value.hint or "")


def test_country_table_covers_iso_3166_1() -> None:
    table = countries()
    assert len(table) == 250  # 249 ISO 3166-1 entries plus Kosovo
    assert all(len(c.code) == 2 and c.code.isupper() for c in table.values())
    assert len({c.alpha3 for c in table.values()}) == len(table)
    assert table["XK"].name == "Kosovo"
    assert country_code("Narnia") is None


def test_gender_identifier_email_url_entity() -> None:
    assert clean("gender", "F") == "female"
    with pytest.raises(InvalidInput, match="not a gender"):
        clean("gender", "unknown")
    identifier = registry.get("identifier")
    assert clean("identifier", " A-123 456 ") == "A-123 456"
    assert identifier.compare_key("A-123 456") == identifier.compare_key("a123456")
    assert clean("email", "mailto:Desk@Example.ORG") == "Desk@example.org"
    with pytest.raises(InvalidInput, match="not an e-mail address"):
        clean("email", "desk.example.org")
    assert clean("url", "HTTPS://UN.org/Sanctions") == "https://un.org/Sanctions"
    for bad_url in ("www.un.org", "ftp://un.org/list.xml", "javascript:alert(1)"):
        with pytest.raises(InvalidInput, match="not a web address"):
            clean("url", bad_url)
    assert clean("entity", "un-qdi-299") == "un-qdi-299"
    with pytest.raises(InvalidInput, match="not an entity id"):
        clean("entity", "two words")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1,250.50", "1250.5"), (100, "100"), (Decimal("3.10"), "3.1"), ("-0.0", "0")],
)
def test_number_is_canonical_decimal(value: object, expected: str) -> None:
    assert clean("number", value) == expected


@pytest.mark.parametrize("value", ["12,34", "1e3", "ten", True, 2.5])
def test_number_rejects_non_numbers_and_floats(value: object) -> None:
    with pytest.raises(InvalidInput):
        clean("number", value)


@pytest.mark.parametrize("value", ["", "   ", 42, None])
def test_string_rejects_empty_and_non_text(value: object) -> None:
    with pytest.raises(InvalidInput, match="Property field"):
        clean("string", value)


def test_registry_rejects_duplicate_names_and_unknown_types() -> None:
    fresh = TypeRegistry()

    class Colour(PropertyType):
        name = "colour"
        label = "Colour"

    fresh.register(Colour)
    assert fresh.names() == ["colour"]
    with pytest.raises(ValueError, match="already registered"):
        fresh.register(Colour)
    with pytest.raises(InvalidInput, match="Unknown property type shade"):
        fresh.get("shade")
    assert {"string", "text", "name", "date", "country", "gender"} <= set(registry.names())
    assert {"identifier", "email", "url", "entity", "number"} <= set(registry.names())


# --- schemata -------------------------------------------------------------------------------


def test_default_model_is_cached_and_complete(model: Model) -> None:
    assert Model.default() is model
    names = {"Thing", "LegalEntity", "Person", "Organization", "Company", "Vessel"}
    assert names | {"Document", "Address"} == set(model.schemata)


def test_inheritance(model: Model) -> None:
    person, company = model.get("Person"), model.get("Company")
    assert person.is_a("LegalEntity")
    assert person.is_a("Thing")
    assert not person.is_a("Organization")
    assert company.is_a(model.get("Organization"))
    assert person.get("name").schema == "Thing"
    assert person.get("email").schema == "LegalEntity"
    assert person.get("birthDate").schema == "Person"
    assert "imoNumber" not in person
    assert model.get("Thing").abstract
    assert not person.abstract
    assert person.required == ("name",)
    assert company.caption == ("name",)
    assert (person.plural, company.plural, model.get("Organization").plural) == (
        "People",
        "Companies",
        "Organizations",
    )


def test_matchable_properties(model: Model) -> None:
    matchable = set(model.get("Person").matchable_properties)
    assert {"name", "alias", "birthDate", "nationality", "passportNumber"} <= matchable
    assert not {"notes", "email", "address", "sourceUrl", "gender"} & matchable
    assert "imoNumber" in model.get("Vessel").matchable_properties


def test_redeclared_property_takes_the_childs_settings(model: Model) -> None:
    country = model.get("Address").get("country")
    assert (country.schema, country.multiple) == ("Address", False)
    assert model.get("Person").get("country").multiple


def test_unknown_schema_and_property(model: Model) -> None:
    with pytest.raises(InvalidInput, match="Unknown schema Ship"):
        model.get("Ship")
    with pytest.raises(InvalidInput, match="Schema Vessel has no property imo"):
        model.get("Vessel").get("imo")


ACCOUNT = """
Account:
  label: Bank account
  extends: [Thing]
  caption: [iban]
  properties:
    iban:
      label: IBAN
      type: identifier
      multiple: false
    bank:
      label: Bank
      type: entity
      range: Organization
    country:
      label: Account country
      type: country
"""


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_extension_directory_adds_a_schema(tmp_path: Path) -> None:
    write(tmp_path, "account.yml", ACCOUNT)
    extended = Model(extra_dirs=[tmp_path])
    account = extended.get("Account")
    assert account.is_a("Thing")
    assert account.get("name").schema == "Thing"
    assert account.get("country").label == "Account country"
    assert account.get("bank").range == "Organization"
    assert "Account" not in Model.default()
    entity = Entity(account, properties={"iban": "GB33 BUKB 2020 1555 5555 55", "country": "GB"})
    assert entity.caption == "GB33 BUKB 2020 1555 5555 55"


BROKEN = [
    ("Person:\n  label: Person again\n", "Person", "already defined in"),
    ("Wallet:\n  label: Wallet\n  extends: [Purse]\n", "Wallet.extends", "unknown parent schema"),
    (
        "Wallet:\n  label: W\n  properties:\n    key:\n      label: Key\n      type: hexstring\n",
        "Wallet.properties.key.type",
        "unknown property type hexstring",
    ),
    (
        "Wallet:\n  label: W\n  extends: [Thing]\n  properties:\n"
        "    name:\n      label: Name\n      type: string\n",
        "Wallet.properties.name.type",
        "clashes with Thing.name of type name",
    ),
    ("Wallet:\n  label: W\n  extend: [Thing]\n", "Wallet.extend", "Extra inputs"),
    ("Wallet:\n  label: W\n  abstract: maybe\n", "Wallet.abstract", "boolean"),
    ("Wallet:\n  label: W\n  caption: [owner]\n", "Wallet.caption", "no property named owner"),
    (
        "Wallet:\n  label: W\n  properties:\n    owner:\n      label: O\n      type: string\n"
        "      range: Person\n",
        "Wallet.properties.owner.range",
        "only properties of type entity",
    ),
    (
        "Wallet:\n  label: W\n  properties:\n    owner:\n      label: O\n      type: entity\n"
        "      range: Human\n",
        "Wallet.properties.owner.range",
        "unknown schema Human",
    ),
    (
        "Wallet:\n  label: W\n  extends: [Purse]\nPurse:\n  label: P\n  extends: [Wallet]\n",
        ".extends",
        "inheritance cycle",
    ),
    ("Wallet: [label, W\n", "(file)", "not valid YAML"),
    ("- Wallet\n", "(file)", "expected a mapping"),
]


@pytest.mark.parametrize(("text", "key", "problem"), BROKEN)
def test_broken_schema_files_are_rejected(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = write(tmp_path, "wallet.yml", text)
    with pytest.raises(ConfigError) as caught:
        Model(extra_dirs=[tmp_path])
    message = str(caught.value)
    assert str(path) in message
    assert key in message
    assert problem in message


def test_duplicate_across_extension_directories_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "finance", "account.yml", ACCOUNT)
    second = write(tmp_path / "travel", "account.yml", ACCOUNT)
    with pytest.raises(ConfigError, match="already defined in") as caught:
        Model(extra_dirs=[tmp_path / "finance", tmp_path / "travel"])
    assert str(first) in str(caught.value)
    assert str(second) in str(caught.value)


def test_missing_extension_directory_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        Model(extra_dirs=[tmp_path / "absent"])


# --- entities -------------------------------------------------------------------------------


def test_listed_person_is_cleaned(model: Model) -> None:
    person = listed_person(model)
    assert person.get("nationality") == ["IQ"]
    assert person.get("birthDate") == ["1971", "1971-07-28"]
    assert person.first("gender") == "male"
    # The two spellings of the alias differ only in case, spacing and a direction mark.
    assert person.get("alias") == ["Abu Bakr al-Baghdadi", "Abu Duaa"]
    assert person.names == [
        "إبراهيم عواد إبراهيم علي البدري",
        "Abu Bakr al-Baghdadi",
        "Abu Duaa",
        "Ibrahim Awwad al-Badri",
    ]
    assert person.caption == "إبراهيم عواد إبراهيم علي البدري"
    assert person.missing_required() == []


def test_person_without_name_is_captioned_from_its_parts(model: Model) -> None:
    person = Entity(model.get("Person"), properties={"firstName": "Hamza", "lastName": "Haddad"})
    assert person.caption == "Hamza Haddad"
    assert person.missing_required() == ["name"]
    assert len(person.id) == 32
    assert person.id != Entity(model.get("Person")).id


def test_add_errors_name_the_property_and_value(model: Model) -> None:
    person = listed_person(model)
    with pytest.raises(InvalidInput, match="Property birthDate: 1971-02-30") as caught:
        person.add("birthDate", "1971-02-30")
    assert caught.value.params["prop"] == "birthDate"
    with pytest.raises(InvalidInput, match="Schema Person has no property imoNumber"):
        person.add("imoNumber", "9074729")
    assert person.get("birthDate") == ["1971", "1971-07-28"]


def test_single_valued_properties(model: Model) -> None:
    person = listed_person(model)
    person.add("gender", "male")  # same value, already held: no error
    with pytest.raises(InvalidInput, match="takes one value"):
        person.add("gender", "female")
    person.set("gender", "female")
    assert person.get("gender") == ["female"]
    with pytest.raises(InvalidInput):
        person.set("gender", "unknown")
    assert person.get("gender") == ["female"]


def test_blank_values_are_skipped_and_get_returns_a_copy(model: Model) -> None:
    person = listed_person(model)
    person.add("alias", None)
    person.add("alias", "  ")
    values = person.get("alias")
    values.append("tampered")
    assert person.get("alias") == ["Abu Bakr al-Baghdadi", "Abu Duaa"]
    assert person.first("deathDate") is None


def test_abstract_schema_and_bad_id_are_rejected(model: Model) -> None:
    with pytest.raises(InvalidInput, match="Schema LegalEntity is abstract"):
        Entity(model.get("LegalEntity"))
    with pytest.raises(InvalidInput, match="Property id: un qdi 299 is not an entity id"):
        Entity(model.get("Person"), "un qdi 299")


def test_vessel_with_imo_number(model: Model) -> None:
    vessel = Entity(
        model.get("Vessel"),
        "imo-9074729",
        {
            "name": "JIN TENG",
            "imoNumber": "IMO 9074729",
            "flag": "Sierra Leone",
            "tonnage": "4,355",
            "buildDate": "1995",
        },
    )
    assert vessel.get("flag") == ["SL"]
    assert vessel.get("tonnage") == ["4355"]
    vessel.add("imoNumber", "IMO-9074729")  # the same number written differently
    assert vessel.get("imoNumber") == ["IMO 9074729"]
    assert vessel.caption == "JIN TENG"


def test_lost_passport_document(model: Model) -> None:
    holder = listed_person(model)
    passport = Entity(
        model.get("Document"),
        properties={
            "number": "A 1234567",
            "type": "passport",
            "issuingCountry": "IRQ",
            "issueDate": "2009-03",
            "expiryDate": "2017-03-14",
            "holder": holder,
            "status": "lost",
        },
    )
    assert passport.get("holder") == ["un-qdi-299"]
    assert passport.get("issuingCountry") == ["IQ"]
    assert passport.caption == "A 1234567"
    empty = Entity(model.get("Document"), properties={"type": "passport"})
    assert empty.missing_required() == ["number"]
    assert empty.caption == "Document"


def test_round_trip_through_json(model: Model) -> None:
    person = listed_person(model)
    data = json.loads(json.dumps(person.to_dict(), ensure_ascii=False))
    assert data["schema"] == "Person"
    assert data["properties"]["nationality"] == ["IQ"]
    assert "deathDate" not in data["properties"]
    again = Entity.from_dict(model, data)
    assert again == person
    assert again.to_dict() == person.to_dict()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"id": "x1", "properties": {}}, "schema must be a schema name"),
        ({"schema": "Ship", "id": "x1"}, "Unknown schema Ship"),
        ({"schema": "Person", "id": 7}, "id must be a string"),
        ({"schema": "Person", "properties": ["name"]}, "properties must map"),
        ({"schema": "Person", "properties": {"birthDate": ["28.07.1971"]}}, "not a date"),
        ({"schema": "Person", "properties": {"shoeSize": ["44"]}}, "no property shoeSize"),
    ],
)
def test_from_dict_rejects_bad_data(model: Model, data: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        Entity.from_dict(model, data)


def test_merge_combines_values_and_picks_the_specific_schema(model: Model) -> None:
    listed = Entity(model.get("Organization"), "org-1", {"name": "Al-Rashid Trust"})
    registered = Entity(
        model.get("Company"),
        "org-1",
        {"name": "AL-RASHID TRUST", "alias": "Al Rasheed Trust", "registrationNumber": "RT-9"},
    )
    merged = listed.merge(registered)
    assert merged.schema.name == "Company"
    assert merged.get("name") == ["Al-Rashid Trust"]
    assert merged.get("alias") == ["Al Rasheed Trust"]
    assert listed.get("alias") == []  # inputs unchanged
    assert registered.merge(listed).schema.name == "Company"


def test_merge_rejections(model: Model) -> None:
    one = Entity(model.get("Vessel"), "v-1", {"name": "A", "imoNumber": "9074729"})
    other = Entity(model.get("Vessel"), "v-1", {"name": "A", "imoNumber": "9187629"})
    with pytest.raises(Conflict, match="imoNumber is 9074729 in one record and 9187629"):
        one.merge(other)
    with pytest.raises(InvalidInput, match="the ids differ"):
        one.merge(Entity(model.get("Vessel"), "v-2"))
    with pytest.raises(InvalidInput, match="Vessel and Person are unrelated"):
        one.merge(Entity(model.get("Person"), "v-1"))
