"""ICAO Doc 9303 MRZ: check digits, the five layouts, century windows and malformed input."""

from __future__ import annotations

import datetime as dt
import random
import string

import pytest

from cthub.core.errors import InvalidInput
from cthub.travel import mrz

TODAY = dt.date(2024, 6, 1)
TD3_SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD1_SPECIMEN = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)


@pytest.mark.parametrize(
    ("text", "digit"),
    [
        ("L898902C3", 6),
        ("740812", 2),
        ("120415", 9),
        ("ZE184226B<<<<<", 1),
        ("L898902C36" + "7408122" + "1204159" + "ZE184226B<<<<<1", 0),
        ("D23145890", 7),
        ("", 0),
        ("<<<<<<", 0),
    ],
)
def test_check_digit_on_specimen_fields(text: str, digit: int) -> None:
    assert mrz.check_digit(text) == digit


def test_check_digit_names_the_bad_character() -> None:
    with pytest.raises(InvalidInput) as caught:
        mrz.check_digit("L8989o2C3")
    assert caught.value.params["position"] == 6
    assert "'o'" in str(caught.value)


def test_td3_specimen() -> None:
    doc = mrz.parse(TD3_SPECIMEN, today=TODAY)
    assert doc.valid, doc.failed
    assert (doc.format, doc.document_code, doc.document_type) == ("TD3", "P", "P")
    assert (doc.issuing_state, doc.nationality) == ("UTO", "UTO")
    assert (doc.surname, doc.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert doc.document_number == "L898902C3"
    assert doc.birth_date == dt.date(1974, 8, 12)
    assert doc.expiry_date == dt.date(2012, 4, 15)
    assert doc.sex == "F"
    assert doc.optional_data == "ZE184226B"


def test_td1_specimen() -> None:
    doc = mrz.parse("\n".join(TD1_SPECIMEN), today=TODAY)
    assert doc.valid, doc.failed
    assert (doc.format, doc.document_code, doc.document_number) == ("TD1", "I", "D23145890")
    assert (doc.surname, doc.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert doc.birth_date == dt.date(1974, 8, 12)
    assert (doc.optional_data, doc.optional_data_2) == ("", "")


def test_one_run_and_blank_lines_are_accepted() -> None:
    assert mrz.parse("".join(TD3_SPECIMEN), today=TODAY).valid
    assert mrz.parse("\n  " + TD3_SPECIMEN[0] + "  \r\n\n" + TD3_SPECIMEN[1] + "\n").valid


@pytest.mark.parametrize(
    ("line", "position", "field", "expected"),
    [
        (1, 10, "document_number", "6"),
        (1, 20, "birth_date", "2"),
        (1, 28, "expiry_date", "9"),
        (1, 43, "optional_data", "1"),
        (1, 44, "composite", "0"),
    ],
)
def test_td3_wrong_check_digits_are_named(
    line: int, position: int, field: str, expected: str
) -> None:
    lines = list(TD3_SPECIMEN)
    text = lines[line]
    found = "3" if expected != "3" else "4"
    lines[line] = text[: position - 1] + found + text[position:]
    failed = mrz.parse(lines, today=TODAY).failed
    wrong = [f for f in failed if f.field == field]
    assert wrong == [mrz.FailedCheck(field, expected, found, 2, position)]
    assert f"expected {expected}, found {found}" in wrong[0].message


def test_a_changed_number_character_fails_number_and_composite() -> None:
    lines = [TD3_SPECIMEN[0], "L898902C46" + TD3_SPECIMEN[1][10:]]
    doc = mrz.parse(lines, today=TODAY)
    assert {f.field for f in doc.failed} == {"document_number", "composite"}
    assert not doc.number_valid


def test_td1_wrong_composite() -> None:
    lines = list(TD1_SPECIMEN)
    lines[1] = lines[1][:29] + "5"
    doc = mrz.parse(lines, today=TODAY)
    assert doc.failed == [mrz.FailedCheck("composite", "6", "5", 2, 30)]
    assert doc.number_valid


def _random_fields(rng: random.Random, number_length: int = 9) -> dict[str, object]:
    letters = string.ascii_uppercase
    birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(34000))
    return {
        "document_number": "".join(
            rng.choice(letters + string.digits) for _ in range(number_length)
        ),
        "surname": "".join(rng.choice(letters) for _ in range(rng.randint(2, 20))),
        "given_names": " ".join(
            "".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
            for _ in range(rng.randint(0, 3))
        ),
        "nationality": rng.choice(["UTO", "DEU", "FRA", "NLD", "GBR"]),
        "birth_date": birth if birth <= TODAY else None,
        "sex": rng.choice("FMX<"),
        "expiry_date": dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(5000)),
        "optional_data": "".join(
            rng.choice(letters + string.digits) for _ in range(rng.randint(0, 7))
        ),
    }


@pytest.mark.parametrize("fmt", mrz.FORMATS)
def test_generated_zones_round_trip(fmt: str) -> None:
    rng = random.Random(fmt)
    for _ in range(300):
        fields = _random_fields(rng)
        lines = mrz.make_mrz(fmt, **fields)  # type: ignore[arg-type]
        doc = mrz.parse(lines, today=TODAY)
        assert doc.valid, (lines, doc.failed)
        assert doc.format == fmt
        assert doc.document_number == fields["document_number"]
        assert doc.birth_date == fields["birth_date"]
        assert doc.expiry_date == fields["expiry_date"]
        assert doc.optional_data == fields["optional_data"]
        assert doc.sex == ("X" if fields["sex"] in "X<" else fields["sex"])
        assert doc.nationality == fields["nationality"]
        width = {"TD1": 30, "TD2": 36, "TD3": 44, "MRV-A": 44, "MRV-B": 36}[fmt]
        assert all(len(line) == width for line in lines)


@pytest.mark.parametrize("fmt", ["TD1", "TD2", "TD3"])
def test_every_single_digit_change_in_the_number_is_caught(fmt: str) -> None:
    fields = _random_fields(random.Random(7))
    fields["document_number"] = "305718264"
    lines = mrz.make_mrz(fmt, **fields)  # type: ignore[arg-type]
    row, start = (0, 5) if fmt == "TD1" else (1, 0)
    caught = 0
    for index in range(start, start + 9):
        for replacement in string.digits:
            if lines[row][index] == replacement:
                continue
            changed = list(lines)
            changed[row] = changed[row][:index] + replacement + changed[row][index + 1 :]
            caught += not mrz.parse(changed, today=TODAY).number_valid
    # weights 7, 3, 1 are prime to 10: every digit-for-digit substitution changes the digit
    assert caught == 9 * 9


def test_make_td3_matches_the_specimen() -> None:
    lines = mrz.make_td3(
        document_number="L898902C3",
        surname="Eriksson",
        given_names="Anna Maria",
        nationality="UTO",
        birth_date=dt.date(1974, 8, 12),
        sex="F",
        expiry_date=dt.date(2012, 4, 15),
        optional_data="ZE184226B",
    )
    assert lines == TD3_SPECIMEN


def test_make_mrz_transliterates_and_truncates_names() -> None:
    first, _ = mrz.make_td3(
        document_number="X1",
        surname="Müller-Lüdenscheidt",
        given_names="José Ángel",
        birth_date=dt.date(1980, 1, 1),
        expiry_date=dt.date(2030, 1, 1),
    )
    assert first.startswith("P<UTOMULLER<LUDENSCHEIDT<<JOSE<ANGEL<")
    long_first, _ = mrz.make_td3(
        document_number="X1",
        surname="A" * 50,
        birth_date=None,
        expiry_date=None,
    )
    assert len(long_first) == 44


def test_td1_long_document_number_overflows_into_optional_data() -> None:
    lines = mrz.make_mrz(
        "TD1",
        document_number="D23145890734",
        surname="Eriksson",
        given_names="Anna Maria",
        birth_date=dt.date(1974, 8, 12),
        sex="F",
        expiry_date=dt.date(2012, 4, 15),
        optional_data="AB12",
    )
    # Doc 9303 Part 5: nine principal characters, '<', then the rest, its check digit and '<'
    assert lines[0] == "I<UTOD23145890<7349<AB12<<<<<<"
    doc = mrz.parse(lines, today=TODAY)
    assert doc.valid, doc.failed
    assert (doc.document_number, doc.optional_data) == ("D23145890734", "AB12")
    broken = [lines[0][:18] + "8" + lines[0][19:], *lines[1:]]
    failed = mrz.parse(broken, today=TODAY).failed
    assert mrz.FailedCheck("document_number", "9", "8", 1, 19) in failed


def test_td2_long_document_number() -> None:
    lines = mrz.make_mrz(
        "TD2",
        document_number="ABC1234567890",
        surname="Doe",
        birth_date=dt.date(1990, 2, 3),
        expiry_date=dt.date(2031, 5, 6),
    )
    doc = mrz.parse(lines, today=TODAY)
    assert doc.valid, doc.failed
    assert doc.document_number == "ABC1234567890"


def test_td3_cannot_hold_a_long_number() -> None:
    with pytest.raises(InvalidInput):
        mrz.make_td3(
            document_number="1234567890",
            surname="Doe",
            birth_date=None,
            expiry_date=None,
        )


def test_visas_have_no_composite_and_are_told_apart() -> None:
    fields = _random_fields(random.Random(3))
    mrva = mrz.make_mrz("MRV-A", **fields)  # type: ignore[arg-type]
    mrvb = mrz.make_mrz("MRV-B", **fields)  # type: ignore[arg-type]
    assert mrz.parse(mrva).format == "MRV-A"
    assert mrz.parse(mrvb).format == "MRV-B"
    # the last characters are optional data, not a composite digit: changing them is fine
    assert mrz.parse([mrva[0], mrva[1][:43] + "Z"], today=TODAY).valid


@pytest.mark.parametrize(
    ("text", "birth", "expected"),
    [
        ("740812", True, dt.date(1974, 8, 12)),
        ("230101", True, dt.date(2023, 1, 1)),
        ("240601", True, dt.date(2024, 6, 1)),
        ("240602", True, dt.date(1924, 6, 2)),
        ("000229", True, dt.date(2000, 2, 29)),
        ("300101", False, dt.date(2030, 1, 1)),
        ("991231", False, dt.date(1999, 12, 31)),
        ("120415", False, dt.date(2012, 4, 15)),
    ],
)
def test_century_windows(text: str, birth: bool, expected: dt.date) -> None:
    birth_date = dt.date(1970, 1, 1)
    expiry_date = dt.date(2030, 1, 1)
    lines = list(
        mrz.make_td3(
            document_number="X1",
            surname="Doe",
            birth_date=birth_date,
            expiry_date=expiry_date,
        )
    )
    start = 13 if birth else 21
    digit = str(mrz.check_digit(text))
    line = lines[1][:start] + text + digit + lines[1][start + 7 :]
    lines[1] = line[:43] + str(mrz.check_digit(line[0:10] + line[13:20] + line[21:43]))
    doc = mrz.parse(lines, today=TODAY)
    assert doc.valid, doc.failed
    assert (doc.birth_date if birth else doc.expiry_date) == expected


def test_impossible_and_unknown_dates() -> None:
    lines = list(TD3_SPECIMEN)
    bad = lines[1][:13] + "741332" + str(mrz.check_digit("741332")) + lines[1][20:]
    doc = mrz.parse([lines[0], bad], today=TODAY)
    assert doc.birth_date is None
    assert mrz.FailedCheck("birth_date", "a date YYMMDD", "741332", 2, 14, "date") in doc.failed
    unknown = lines[1][:13] + "<<<<<<0" + lines[1][20:]
    doc = mrz.parse([lines[0], unknown], today=TODAY)
    assert doc.birth_date is None
    assert not [f for f in doc.failed if f.field == "birth_date"]  # unknown is allowed


def test_lower_case_and_bad_characters_are_failed_checks_with_positions() -> None:
    lines = [TD3_SPECIMEN[0].lower(), TD3_SPECIMEN[1][:5] + "é" + TD3_SPECIMEN[1][6:]]
    doc = mrz.parse(lines, today=TODAY)
    characters = [f for f in doc.failed if f.code == "character"]
    assert characters[0] == mrz.FailedCheck(
        "document_code", "0-9, A-Z or <", "p", 1, 1, "character"
    )
    assert {(f.line, f.field) for f in characters} >= {(1, "name"), (1, "issuing_state")}
    assert mrz.FailedCheck("document_number", "0-9, A-Z or <", "é", 2, 6, "character") in doc.failed
    # lower case is still read: the name comes through upper-cased
    assert doc.surname == "ERIKSSON"
    assert "line 2 position 6" in next(f.message for f in doc.failed if f.found == "é")


def test_bad_sex_and_country() -> None:
    line = TD3_SPECIMEN[1][:10] + "U1O" + TD3_SPECIMEN[1][13:20] + "Q" + TD3_SPECIMEN[1][21:]
    doc = mrz.parse([TD3_SPECIMEN[0], line], today=TODAY)
    codes = {(f.field, f.code) for f in doc.failed}
    assert ("sex", "sex") in codes
    assert ("nationality", "format") in codes


@pytest.mark.parametrize(
    ("zone", "line"),
    [
        ([TD3_SPECIMEN[0], TD3_SPECIMEN[1][:-1]], 2),
        ([TD3_SPECIMEN[0][:40], TD3_SPECIMEN[1]], 1),
        ([*TD1_SPECIMEN[:2], TD1_SPECIMEN[2] + "<"], 3),
        (["ABC", "DEF"], 1),
    ],
)
def test_wrong_lengths_raise_invalid_input_naming_the_line(zone: list[str], line: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        mrz.parse(zone)
    assert caught.value.params["line"] == line
    assert f"line {line}" in str(caught.value)


@pytest.mark.parametrize("zone", ["", "P<UTO", [TD3_SPECIMEN[0]] * 4, None, 42, [1, 2]])
def test_unusable_input_raises_invalid_input(zone: object) -> None:
    with pytest.raises(InvalidInput):
        mrz.parse(zone)  # type: ignore[arg-type]


def test_fuzzed_zones_raise_nothing_but_invalid_input() -> None:
    rng = random.Random(11)
    alphabet = string.ascii_letters + string.digits + "<<<<< \t-é«"
    for _ in range(1500):
        shape = rng.choice([(2, 44), (2, 36), (3, 30), (2, 43), (1, 88), (3, 29)])
        lines = ["".join(rng.choice(alphabet) for _ in range(shape[1])) for _ in range(shape[0])]
        if rng.random() < 0.5:  # mostly well-formed: mutate a valid zone
            fmt = rng.choice(mrz.FORMATS)
            lines = list(mrz.make_mrz(fmt, **_random_fields(rng)))  # type: ignore[arg-type]
            row = rng.randrange(len(lines))
            index = rng.randrange(len(lines[row]))
            lines[row] = lines[row][:index] + rng.choice(alphabet) + lines[row][index + 1 :]
        try:
            doc = mrz.parse(lines, today=TODAY)
        except InvalidInput:
            continue
        for check in doc.failed:
            assert check.line >= 1
            assert check.position >= 1
            assert check.message


def test_validate_number() -> None:
    assert mrz.validate_number("L898902C3", 6)
    assert mrz.validate_number("l898902c3", "6")
    assert mrz.validate_number("L898902C3<<", 6)
    assert mrz.validate_number("D23145890734", "9")
    assert not mrz.validate_number("L898902C3", 7)
    assert not mrz.validate_number("L898903C3", 6)
    for bad_check in ("x", "67", "", -1, 10, None):
        with pytest.raises(InvalidInput):
            mrz.validate_number("L898902C3", bad_check)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        mrz.validate_number("L898-902C3", 6)
    with pytest.raises(InvalidInput):
        mrz.validate_number("", 0)
