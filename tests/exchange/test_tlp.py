"""TLP 2.0 labels: order, parsing, the official STIX marking definitions, TLP 1.0 ids, PAP."""

from __future__ import annotations

import pytest
import stix2

from cthub.core.errors import InvalidInput
from cthub.exchange.tlp import (
    TLP_EXTENSION_ID,
    Pap,
    Tlp,
    parse_pap,
    parse_tlp,
    strictest,
    tlp_of_marking,
    tlp_of_marking_id,
)

# As published in oasis-open/cti-stix-common-objects (objects/marking-definition/).
OFFICIAL = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


def test_order_and_labels() -> None:
    assert [t.rank for t in Tlp] == [0, 1, 2, 3, 4]
    assert [t.label for t in Tlp] == [
        "TLP:CLEAR",
        "TLP:GREEN",
        "TLP:AMBER",
        "TLP:AMBER+STRICT",
        "TLP:RED",
    ]
    assert Tlp.AMBER_STRICT.misp_tag == "tlp:amber+strict"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("amber", Tlp.AMBER),
        ("TLP:AMBER", Tlp.AMBER),
        (" tlp:Amber+Strict ", Tlp.AMBER_STRICT),
        ("AMBER+STRICT", Tlp.AMBER_STRICT),
        ("white", Tlp.CLEAR),
        ("TLP:WHITE", Tlp.CLEAR),
        ("clear", Tlp.CLEAR),
        ("Red", Tlp.RED),
        ("tlp: green", Tlp.GREEN),
    ],
)
def test_parse_tlp(text: str, expected: Tlp) -> None:
    assert parse_tlp(text) is expected


@pytest.mark.parametrize("text", ["purple", "", "TLP:", "amber strict", "TLP:EX:CHR"])
def test_parse_tlp_refuses_unknown(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_tlp(text)
    assert repr(text) in caught.value.render()
    assert "TLP:AMBER+STRICT" in (caught.value.render_hint() or "")


@pytest.mark.parametrize("tlp", list(Tlp))
def test_official_markings(tlp: Tlp) -> None:
    marking = tlp.marking()
    assert tlp.marking_id == OFFICIAL[tlp] == marking["id"]
    assert marking["name"] == tlp.label
    assert marking["created"] == "2022-10-01T00:00:00.000Z"
    assert marking["extensions"][TLP_EXTENSION_ID] == {
        "extension_type": "property-extension",
        "tlp_2_0": tlp.value,
    }
    stix2.parse(marking, allow_custom=True)  # a valid STIX 2.1 marking definition
    assert tlp_of_marking_id(tlp.marking_id) is tlp
    assert tlp.marking() is not tlp.marking(), "callers get their own copy"


def test_tlp1_ids_map_to_2_0() -> None:
    assert tlp_of_marking_id(stix2.TLP_WHITE.id) is Tlp.CLEAR
    assert tlp_of_marking_id(stix2.TLP_GREEN.id) is Tlp.GREEN
    assert tlp_of_marking_id(stix2.TLP_AMBER.id) is Tlp.AMBER
    assert tlp_of_marking_id(stix2.TLP_RED.id) is Tlp.RED
    assert tlp_of_marking_id("marking-definition--00000000-0000-4000-8000-000000000000") is None


def test_tlp_of_marking_reads_copies_under_other_ids() -> None:
    other = "marking-definition--0b7f4e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
    copy = {**Tlp.RED.marking(), "id": other}
    assert tlp_of_marking(copy) is Tlp.RED
    assert (
        tlp_of_marking({"id": other, "definition_type": "tlp", "definition": {"tlp": "white"}})
        is Tlp.CLEAR
    )
    assert tlp_of_marking({"id": other, "definition_type": "statement", "definition": {}}) is None
    with pytest.raises(InvalidInput):
        tlp_of_marking({"id": other, "extensions": {TLP_EXTENSION_ID: {"tlp_2_0": "purple"}}})


def test_strictest() -> None:
    assert strictest([Tlp.GREEN, Tlp.AMBER_STRICT, Tlp.AMBER]) is Tlp.AMBER_STRICT
    assert strictest([Tlp.CLEAR]) is Tlp.CLEAR
    assert strictest([], default=Tlp.AMBER) is Tlp.AMBER
    with pytest.raises(ValueError, match="default"):
        strictest([])


def test_pap() -> None:
    assert parse_pap("PAP:AMBER") is Pap.AMBER
    assert parse_pap("white") is Pap.CLEAR
    assert parse_pap(" green ") is Pap.GREEN
    assert [p.rank for p in Pap] == [0, 1, 2, 3]
    assert Pap.RED.label == Pap.RED.misp_tag == "PAP:RED"
    with pytest.raises(InvalidInput) as caught:
        parse_pap("amber+strict")
    assert "PAP:CLEAR" in (caught.value.render_hint() or "")
