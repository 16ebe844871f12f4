"""ICAO Doc 9303 machine readable zones: check digits, parsing and validation, a generator.

Layouts (Doc 9303 Parts 4-7): TD3 passports 2x44, TD2 cards 2x36, TD1 cards 3x30, MRV-A visas
2x44 and MRV-B visas 2x36 (visas have no composite check digit). ``parse`` tells them apart by
line count, line length and the first letter (``V`` = visa), checks every check digit and
returns an :class:`MrzDocument` with the list of checks that failed; it raises
:class:`~cthub.core.errors.InvalidInput` only when the shape is wrong (line count or line
length), naming the line. Characters outside ``0-9 A-Z <`` (lower case included) become a
``character`` failure at their line and position and are read as their upper-case letter (lower
case) or as ``<`` (anything else), so the rest of the zone is still checked.

Check digits: ``0-9`` keep their value, ``A-Z`` are 10-35, ``<`` is 0; weights 7, 3, 1 repeating;
the sum mod 10. A TD1 or TD2 document number longer than 9 characters puts ``<`` in the check
digit position and continues at the start of the optional data, followed by its check digit and
a filler (Doc 9303 Part 5 note j); the check digit then covers the whole number (all its
characters, no filler), as the chip's Basic Access Control key does.

Two-digit years: a birth year is the latest century that does not put the birth in the future;
an expiry year is 20YY unless that is more than 50 years ahead (then 19YY).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import cycle
from operator import mul

from cthub.core.errors import InvalidInput

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUES: dict[str, int] = {ch: i for i, ch in enumerate(_ALPHABET)} | {"<": 0}
_VALID_LINE = re.compile(r"[0-9A-Z<]*")
_WEIGHTS = (7, 3, 1)

TD1, TD2, TD3, MRV_A, MRV_B = "TD1", "TD2", "TD3", "MRV-A", "MRV-B"
FORMATS = (TD1, TD2, TD3, MRV_A, MRV_B)
_SHAPES = {TD1: (3, 30), TD2: (2, 36), TD3: (2, 44), MRV_A: (2, 44), MRV_B: (2, 36)}

# (field, line index, start, end) per format, 0-based half-open; used to name the field that
# holds a bad character. Check digit positions are named "<field>_check".
_Field = tuple[str, int, int, int]


def _two_lines(width: int, tail: tuple[_Field, ...]) -> tuple[_Field, ...]:
    """TD3, TD2 and both visas share everything up to the expiry check digit (line 2, 0-28)."""
    return (
        ("document_code", 0, 0, 2),
        ("issuing_state", 0, 2, 5),
        ("name", 0, 5, width),
        ("document_number", 1, 0, 9),
        ("document_number_check", 1, 9, 10),
        ("nationality", 1, 10, 13),
        ("birth_date", 1, 13, 19),
        ("birth_date_check", 1, 19, 20),
        ("sex", 1, 20, 21),
        ("expiry_date", 1, 21, 27),
        ("expiry_date_check", 1, 27, 28),
        *tail,
    )


_LAYOUTS: dict[str, tuple[_Field, ...]] = {
    TD3: _two_lines(
        44,
        (
            ("optional_data", 1, 28, 42),
            ("optional_data_check", 1, 42, 43),
            ("composite_check", 1, 43, 44),
        ),
    ),
    MRV_A: _two_lines(44, (("optional_data", 1, 28, 44),)),
    TD2: _two_lines(36, (("optional_data", 1, 28, 35), ("composite_check", 1, 35, 36))),
    MRV_B: _two_lines(36, (("optional_data", 1, 28, 36),)),
    TD1: (
        ("document_code", 0, 0, 2),
        ("issuing_state", 0, 2, 5),
        ("document_number", 0, 5, 14),
        ("document_number_check", 0, 14, 15),
        ("optional_data", 0, 15, 30),
        ("birth_date", 1, 0, 6),
        ("birth_date_check", 1, 6, 7),
        ("sex", 1, 7, 8),
        ("expiry_date", 1, 8, 14),
        ("expiry_date_check", 1, 14, 15),
        ("nationality", 1, 15, 18),
        ("optional_data_2", 1, 18, 29),
        ("composite_check", 1, 29, 30),
        ("name", 2, 0, 30),
    ),
}


@dataclass(frozen=True, slots=True)
class FailedCheck:
    """One check the zone failed, at a 1-based ``line`` and ``position``.

    ``code`` is stable for tests and the UI: ``check-digit`` (``expected`` and ``found`` are
    the digits), ``character`` (a character outside ``0-9 A-Z <``), ``date`` (not a calendar
    date), ``sex`` (not ``F``, ``M``, ``X`` or ``<``) or ``format`` (a field that cannot hold
    what it holds, such as a digit in a country code).
    """

    field: str
    expected: str
    found: str
    line: int
    position: int
    code: str = "check-digit"

    @property
    def message(self) -> str:
        where = f"line {self.line} position {self.position}"
        if self.code == "check-digit":
            return (
                f"{self.field} check digit at {where}: expected {self.expected}, found {self.found}"
            )
        return f"{self.field} at {where}: expected {self.expected}, found {self.found!r}"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class MrzDocument:
    """What a machine readable zone says, with the checks it failed (empty when it is valid).

    Text fields have their ``<`` fillers removed; names use spaces between their parts.
    ``birth_date``/``expiry_date`` are None when the field is unknown (``<``) or not a date;
    ``sex`` is ``F``, ``M`` or ``X`` (unspecified). ``optional_data`` is the TD3 personal
    number or the first optional field (after a long document number's overflow on TD1/TD2);
    ``optional_data_2`` is TD1 line 2's optional field.
    """

    format: str
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: dt.date | None
    sex: str
    expiry_date: dt.date | None
    optional_data: str
    optional_data_2: str
    lines: tuple[str, ...]
    failed: list[FailedCheck] = field(default_factory=list)

    @property
    def document_type(self) -> str:
        """The first letter of the document code: P passport, I/A/C cards, V visa."""
        return self.document_code[:1]

    @property
    def valid(self) -> bool:
        return not self.failed

    @property
    def number_valid(self) -> bool:
        """True when the document number and its check digit agree (and its characters are fine)."""
        return not any(
            check.field in ("document_number", "document_number_check") for check in self.failed
        )


def check_digit(text: str) -> int:
    """The Doc 9303 check digit (0-9) of ``text``; InvalidInput names the first bad character."""
    try:
        total: int = sum(map(mul, map(_VALUES.__getitem__, text), cycle(_WEIGHTS)))
        return total % 10
    except (KeyError, TypeError):
        if not isinstance(text, str):
            raise InvalidInput(
                "A check digit needs text, got {value}.", value=type(text).__name__
            ) from None
        position = next(i for i, ch in enumerate(text, 1) if ch not in _VALUES)
        raise InvalidInput(
            "{value} cannot take a check digit: character {char} at position {position} is not"
            " 0-9, A-Z or <.",
            hint="Machine readable zones use upper-case letters, digits and the filler <.",
            value=text,
            char=repr(text[position - 1]),
            position=position,
        ) from None


def validate_number(number: str, check: str | int) -> bool:
    """Whether ``check`` is the check digit of document ``number`` (spaces ignored, any case).

    Trailing fillers do not change a check digit, so a number may be given with or without its
    ``<`` padding. InvalidInput when the number holds other characters or ``check`` is not one
    digit.
    """
    if isinstance(check, bool) or not isinstance(check, int | str):
        raise InvalidInput("A check digit is one digit 0-9, got {value}.", value=repr(check))
    if isinstance(check, str):
        text = check.strip()
        if len(text) != 1 or text not in "0123456789":
            raise InvalidInput("A check digit is one digit 0-9, got {value}.", value=repr(check))
        value = int(text)
    else:
        if not 0 <= check <= 9:
            raise InvalidInput("A check digit is one digit 0-9, got {value}.", value=repr(check))
        value = check
    if not isinstance(number, str):
        raise InvalidInput("A document number is text, got {value}.", value=type(number).__name__)
    cleaned = "".join(number.split()).upper()
    if not cleaned:
        raise InvalidInput("The document number is empty.")
    return check_digit(cleaned) == value


def _split_input(mrz: str | Sequence[str]) -> list[str]:
    if isinstance(mrz, str):
        raw: Sequence[object] = mrz.splitlines()
    elif isinstance(mrz, (list, tuple, Sequence)):
        raw = mrz
    else:
        raw = [mrz]
    lines: list[str] = []
    for line in raw:
        if not isinstance(line, str):
            raise InvalidInput(
                "A machine readable zone is text or a list of lines, got {value}.",
                value=type(mrz).__name__,
            )
        text = line.strip()
        if text:
            lines.append(text)
    if len(lines) == 1 and len(lines[0]) in (60, 72, 88, 90):
        # a zone pasted as one run of characters
        one = lines[0]
        width = 30 if len(one) == 90 else len(one) // 2
        lines = [one[i : i + width] for i in range(0, len(one), width)]
    return lines


def _shape(lines: list[str]) -> str:
    count = len(lines)
    hint = "TD1 has 3 lines of 30 characters, TD2 and MRV-B 2 of 36, TD3 and MRV-A 2 of 44."
    if count == 3:
        for number, line in enumerate(lines, 1):
            if len(line) != 30:
                raise InvalidInput(
                    "MRZ line {line} has {length} characters; a TD1 line has {expected}.",
                    hint=hint,
                    line=number,
                    length=len(line),
                    expected=30,
                )
        return TD1
    if count != 2:
        raise InvalidInput(
            "The machine readable zone has {count} lines; it should have 2 or 3.",
            hint=hint,
            count=count,
        )
    first, second = lines
    width = len(first) if len(first) in (36, 44) else len(second)
    if width not in (36, 44):
        raise InvalidInput(
            "MRZ line {line} has {length} characters; a 2-line zone has 36 or 44 per line.",
            hint=hint,
            line=1,
            length=len(first),
            expected="36 or 44",
        )
    for number, line in enumerate(lines, 1):
        if len(line) != width:
            raise InvalidInput(
                "MRZ line {line} has {length} characters; the other line has {expected}.",
                hint=hint,
                line=number,
                length=len(line),
                expected=width,
            )
    visa = first[:1] in ("V", "v")
    if width == 44:
        return MRV_A if visa else TD3
    return MRV_B if visa else TD2


def _field_at(fmt: str, line: int, index: int) -> str:
    for name, at_line, start, end in _LAYOUTS[fmt]:
        if at_line == line and start <= index < end:
            return name
    return "filler"


def _sanitise(fmt: str, lines: list[str], failed: list[FailedCheck]) -> list[str]:
    clean: list[str] = []
    for number, line in enumerate(lines):
        if _VALID_LINE.fullmatch(line):
            clean.append(line)
            continue
        chars = list(line)
        for index, ch in enumerate(chars):
            if ch in _VALUES:
                continue
            failed.append(
                FailedCheck(
                    _field_at(fmt, number, index),
                    "0-9, A-Z or <",
                    ch,
                    number + 1,
                    index + 1,
                    "character",
                )
            )
            chars[index] = ch.upper() if "a" <= ch <= "z" else "<"
        clean.append("".join(chars))
    return clean


class _Checker:
    """Collects failures for one zone while its fields are read."""

    __slots__ = ("failed", "today")

    def __init__(self, failed: list[FailedCheck], today: dt.date) -> None:
        self.failed = failed
        self.today = today

    def digit(
        self, name: str, data: str, found: str, line: int, position: int, *, blank_ok: bool = False
    ) -> None:
        expected = check_digit(data)
        if found == "<" and blank_ok and not data.strip("<"):
            return
        if found != str(expected):
            self.failed.append(FailedCheck(name, str(expected), found, line, position))

    def date(
        self, name: str, text: str, line: int, position: int, *, birth: bool
    ) -> dt.date | None:
        if "<" in text:
            return None  # unknown (or partly unknown) date, allowed by Doc 9303
        if not text.isdigit():
            self.failed.append(FailedCheck(name, "YYMMDD", text, line, position, "date"))
            return None
        yy, month, day = int(text[:2]), int(text[2:4]), int(text[4:6])
        for century in (2000, 1900):
            try:
                value = dt.date(century + yy, month, day)
            except ValueError:
                continue
            if birth and value > self.today:
                continue
            if not birth and century == 2000 and value.year > self.today.year + 50:
                continue
            return value
        self.failed.append(FailedCheck(name, "a date YYMMDD", text, line, position, "date"))
        return None

    def letters(self, name: str, text: str, line: int, position: int) -> str:
        value = text.replace("<", "")
        if not value.isalpha() and value:
            self.failed.append(FailedCheck(name, "letters A-Z", text, line, position, "format"))
        return value

    def sex(self, text: str, line: int, position: int) -> str:
        if text in ("F", "M"):
            return text
        if text in ("X", "<"):
            return "X"
        self.failed.append(FailedCheck("sex", "F, M, X or <", text, line, position, "sex"))
        return "X"


def _name(text: str) -> tuple[str, str]:
    surname, _, given = text.rstrip("<").partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _number_with_overflow(
    check: _Checker, principal: str, digit: str, optional: str, line: int, start: int
) -> tuple[str, str]:
    """Document number and remaining optional data of a TD1/TD2 zone (``start``: 0-based
    index of the number on its line; the optional field follows the check digit)."""
    if digit != "<" or "<" in principal or not optional[:1].strip("<"):
        number = principal.rstrip("<")
        check.digit("document_number", principal, digit, line, start + 10)
        return number, optional.rstrip("<")
    segment = optional.split("<", 1)[0]
    number = principal + segment[:-1]
    check.digit("document_number", number, segment[-1], line, start + 10 + len(segment))
    return number, optional[len(segment) + 1 :].rstrip("<")


def parse(mrz: str | Sequence[str], *, today: dt.date | None = None) -> MrzDocument:
    """Parse and check a TD1, TD2, TD3, MRV-A or MRV-B zone (text with line breaks, or lines).

    Leading and trailing blanks and empty lines are ignored, and a zone pasted as one run of
    60/72/88/90 characters is split. InvalidInput only for a wrong shape; everything else is a
    :class:`FailedCheck` on the result. ``today`` fixes the century window (tests).
    """
    lines = _split_input(mrz)
    fmt = _shape(lines)
    failed: list[FailedCheck] = []
    clean = _sanitise(fmt, lines, failed)
    check = _Checker(failed, today or dt.date.today())
    first = clean[0]
    code = first[0:2].rstrip("<")
    if not first[:1].isalpha():
        failed.append(FailedCheck("document_code", "a letter", first[:1], 1, 1, "format"))
    issuer = check.letters("issuing_state", first[2:5], 1, 3)
    optional_2 = ""
    if fmt == TD1:
        second, third = clean[1], clean[2]
        number, optional = _number_with_overflow(check, first[5:14], first[14], first[15:30], 1, 5)
        birth_text, birth_check, sex_char = second[0:6], second[6], second[7]
        expiry_text, expiry_check = second[8:14], second[14]
        nationality = check.letters("nationality", second[15:18], 2, 16)
        optional_2 = second[18:29].rstrip("<")
        surname, given = _name(third)
        check.digit("birth_date", birth_text, birth_check, 2, 7)
        birth = check.date("birth_date", birth_text, 2, 1, birth=True)
        sex = check.sex(sex_char, 2, 8)
        check.digit("expiry_date", expiry_text, expiry_check, 2, 15)
        expiry = check.date("expiry_date", expiry_text, 2, 9, birth=False)
        composite = first[5:30] + second[0:7] + second[8:15] + second[18:29]
        check.digit("composite", composite, second[29], 2, 30)
    else:
        second = clean[1]
        surname, given = _name(first[5:])
        if fmt == TD2:
            number, optional = _number_with_overflow(
                check, second[0:9], second[9], second[28:35], 2, 0
            )
        else:
            number = second[0:9].rstrip("<")
            check.digit("document_number", second[0:9], second[9], 2, 10)
            optional = second[28:42] if fmt == TD3 else second[28:]
            optional = optional.rstrip("<")
        nationality = check.letters("nationality", second[10:13], 2, 11)
        check.digit("birth_date", second[13:19], second[19], 2, 20)
        birth = check.date("birth_date", second[13:19], 2, 14, birth=True)
        sex = check.sex(second[20], 2, 21)
        check.digit("expiry_date", second[21:27], second[27], 2, 28)
        expiry = check.date("expiry_date", second[21:27], 2, 22, birth=False)
        if fmt == TD3:
            check.digit("optional_data", second[28:42], second[42], 2, 43, blank_ok=True)
            composite = second[0:10] + second[13:20] + second[21:43]
            check.digit("composite", composite, second[43], 2, 44)
        elif fmt == TD2:
            composite = second[0:10] + second[13:20] + second[21:35]
            check.digit("composite", composite, second[35], 2, 36)
    return MrzDocument(
        format=fmt,
        document_code=code,
        issuing_state=issuer,
        surname=surname,
        given_names=given,
        document_number=number,
        nationality=nationality,
        birth_date=birth,
        sex=sex,
        expiry_date=expiry,
        optional_data=optional,
        optional_data_2=optional_2,
        lines=tuple(clean),
        failed=failed,
    )


# --- generator ------------------------------------------------------------------------------


def _mrz_text(value: str, what: str) -> str:
    folded = unicodedata.normalize("NFKD", value.upper())
    text = "".join(ch for ch in folded if not unicodedata.combining(ch))
    text = re.sub(r"[\s\-'.,]+", "<", text.strip())
    bad = next((ch for ch in text if ch not in _VALUES), None)
    if bad is not None:
        raise InvalidInput(
            "{what} {value} has a character {char} that a machine readable zone cannot hold.",
            what=what,
            value=value,
            char=repr(bad),
        )
    return text


def _fit(value: str, width: int, what: str) -> str:
    text = _mrz_text(value, what)
    if len(text) > width:
        raise InvalidInput(
            "{what} {value} is longer than {width} characters.", what=what, value=value, width=width
        )
    return text.ljust(width, "<")


def _mrz_name(surname: str, given_names: str, width: int) -> str:
    text = _mrz_text(surname, "surname")
    if given_names.strip():
        text += "<<" + _mrz_text(given_names, "given names")
    return text[:width].ljust(width, "<")


def _yymmdd(value: dt.date | None) -> str:
    return "<<<<<<" if value is None else f"{value:%y%m%d}"


def make_mrz(
    fmt: str,
    *,
    document_number: str,
    surname: str,
    given_names: str = "",
    nationality: str = "UTO",
    birth_date: dt.date | None,
    sex: str = "<",
    expiry_date: dt.date | None,
    issuing_state: str | None = None,
    document_code: str | None = None,
    optional_data: str = "",
    optional_data_2: str = "",
) -> tuple[str, ...]:
    """Compose a valid zone of format ``fmt`` (TD1, TD2, TD3, MRV-A, MRV-B) from its fields.

    Names are upper-cased, accents dropped and blanks turned into ``<``, then cut to fit.
    A TD1/TD2 document number longer than 9 characters overflows into the optional data.
    InvalidInput when a value does not fit or has characters a zone cannot hold.
    """
    if fmt not in _SHAPES:
        raise InvalidInput("{value} is not an MRZ format.", value=fmt, hint=", ".join(FORMATS))
    width = _SHAPES[fmt][1]
    visa = fmt in (MRV_A, MRV_B)
    code = _fit(document_code or ("V" if visa else "P" if fmt == TD3 else "I"), 2, "document code")
    issuer = _fit(issuing_state or nationality, 3, "issuing state")
    nat = _fit(nationality, 3, "nationality")
    sex_char = {"F": "F", "M": "M", "X": "X"}.get(sex.strip().upper()[:1], "<")
    number = _mrz_text(document_number, "document number")
    if not number:
        raise InvalidInput("The document number is empty.")
    birth, expiry = _yymmdd(birth_date), _yymmdd(expiry_date)
    dates = birth + str(check_digit(birth)) + sex_char + expiry + str(check_digit(expiry))
    long_ok = fmt in (TD1, TD2)
    if len(number) > 9 and not long_ok:
        raise InvalidInput(
            "Document number {value} is longer than 9 characters; only TD1 and TD2 can hold it.",
            value=document_number,
        )
    if len(number) > 9:
        number_field = number[:9] + "<"
        overflow = number[9:] + str(check_digit(number)) + "<"
    else:
        number_field = number.ljust(9, "<") + str(check_digit(number))
        overflow = ""
    if fmt == TD1:
        line1 = code + issuer + number_field + _fit(overflow + optional_data, 15, "optional data")
        opt2 = _fit(optional_data_2, 11, "optional data 2")
        line2 = dates + nat + opt2
        line2 += str(check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]))
        return line1, line2, _mrz_name(surname, given_names, 30)
    line1 = code + issuer + _mrz_name(surname, given_names, width - 5)
    line2 = number_field + nat + dates
    if fmt == TD3:
        personal = _fit(optional_data, 14, "optional data")
        digit = "<" if not personal.strip("<") else str(check_digit(personal))
        line2 += personal + digit
        line2 += str(check_digit(line2[0:10] + line2[13:20] + line2[21:43]))
    elif fmt == TD2:
        line2 += _fit(overflow + optional_data, 7, "optional data")
        line2 += str(check_digit(line2[0:10] + line2[13:20] + line2[21:35]))
    else:
        line2 += _fit(optional_data, width - 28, "optional data")
    return line1, line2


def make_td3(
    *,
    document_number: str,
    surname: str,
    given_names: str = "",
    nationality: str = "UTO",
    birth_date: dt.date | None,
    sex: str = "<",
    expiry_date: dt.date | None,
    issuing_state: str | None = None,
    document_code: str = "P",
    optional_data: str = "",
) -> tuple[str, str]:
    """A valid TD3 (passport) zone; see :func:`make_mrz`."""
    first, second = make_mrz(
        TD3,
        document_number=document_number,
        surname=surname,
        given_names=given_names,
        nationality=nationality,
        birth_date=birth_date,
        sex=sex,
        expiry_date=expiry_date,
        issuing_state=issuing_state,
        document_code=document_code,
        optional_data=optional_data,
    )
    return first, second


__all__ = [
    "FORMATS",
    "MRV_A",
    "MRV_B",
    "TD1",
    "TD2",
    "TD3",
    "FailedCheck",
    "MrzDocument",
    "check_digit",
    "make_mrz",
    "make_td3",
    "parse",
    "validate_number",
]
