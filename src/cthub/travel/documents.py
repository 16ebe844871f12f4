"""The lost, stolen and revoked travel document list, modelled on INTERPOL SLTD.

A listed document is identified by its **number and issuing country** (ISO 3166-1 alpha-3, plus
the ICAO Doc 9303 codes that are not ISO: RKS, EUE, UNO, XXA, ...); it carries a document type,
a status (stolen, lost, revoked, invalid, stolen_blank) and the date it was reported.

:class:`DocumentIndex` answers "is this number of this issuer listed?" from numpy arrays: 12
bytes a document, plus 3 + length bytes for each number longer than 10 characters (10 M
documents with 10 % 12-digit ID card numbers: 129 MiB; all passports: 114 MiB). It persists to
one ``.npz`` that :meth:`DocumentIndex.load` memory-maps:

- ``keys`` (uint64, sorted). A normalised number of at most 10 characters ``[0-9A-Z]`` is
  packed *exactly*: bit 63 clear, the issuer's row in the index's issuer table in bits 54-62,
  the number in base 37 (characters 1-36, 0 pads the end) in bits 0-53. Longer numbers (up to
  30 characters, as on some ID cards) get bit 63 set and a 63-bit hash of issuer + number;
  their ``issuer + number`` text is kept beside them (``long_numbers``), so every hit is
  verified and the index never reports a false hit.
- ``status`` (uint8, 1-5 in :data:`STATUSES` order), ``types`` (uint8, a row of the index's
  type table; at most 255 distinct types), ``reported`` (uint16 days since 1950-01-01,
  0xFFFF when unknown).

Numbers are compared after :func:`normalise` (upper case; blanks, ``<``, ``-``, ``.``, ``/``
removed). :meth:`DocumentIndex.lookup` also tries near-miss variants (:func:`near_miss_variants`)
and reports them apart from exact hits; :meth:`DocumentIndex.lookup_many` is the vectorised
exact lookup for passenger lists.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import functools
import json
import os
import re
import struct
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from cthub.core.errors import InvalidInput
from cthub.core.model.countries import countries
from cthub.travel.mrz import check_digit

STATUSES: tuple[str, ...] = ("stolen", "lost", "revoked", "invalid", "stolen_blank")
COLUMNS: tuple[str, ...] = (
    "document_number",
    "issuing_country",
    "document_type",
    "status",
    "reported_on",
)

# ICAO Doc 9303 Part 3 codes for issuers that ISO 3166-1 does not list (UTO: the specimen state)
ICAO_CODES: frozenset[str] = frozenset(
    {
        "EUE",
        "GBD",
        "GBN",
        "GBO",
        "GBP",
        "GBS",
        "RKS",
        "UNA",
        "UNK",
        "UNO",
        "UTO",
        "XBA",
        "XCC",
        "XCE",
        "XCO",
        "XDC",
        "XEC",
        "XES",
        "XIM",
        "XMP",
        "XOM",
        "XPO",
        "XXA",
        "XXB",
        "XXC",
        "XXX",
    }
)

MAX_NUMBER_LENGTH = 30
MAX_TYPES = 255
_SHORT = 10  # characters packed exactly
_ISSUER_SHIFT = 54
_VALUE_MASK = (1 << _ISSUER_SHIFT) - 1
_LONG_FLAG = 1 << 63
_LONG_WIDTH = 32  # bytes hashed for a long number (4 words)
_EPOCH = dt.date(1950, 1, 1).toordinal()
NO_DATE = 0xFFFF
_LAST_DAY = dt.date.fromordinal(_EPOCH + NO_DATE - 1)
_FORMAT_VERSION = 1
_CHUNK = 1 << 18

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUE = {ch: i + 1 for i, ch in enumerate(_ALPHABET)}
_VALID_NUMBER = re.compile(r"[0-9A-Z]+")
_POW37: list[int] = [37**k for k in range(_SHORT + 1)]
_POW37_ARRAY = np.array(_POW37, dtype=np.uint64)
_STRIP = "<-./\0"
_STRIP_TABLE = str.maketrans("", "", _STRIP)
_TYPE_TEXT = re.compile(r"[\w .()/-]{0,32}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# character classes for the vectorised encoder: 0 pad, 1-36 value, _SKIP removed, _BAD invalid;
# index 128 stands for every non-ASCII code point (those rows go through normalise()).
_SKIP, _BAD = 37, 38
_CLASS = np.full(129, _BAD, dtype=np.uint8)
_CLASS[0] = 0
for _i in range(1, 128):
    _ch = chr(_i)
    if _ch.isspace() or _ch in _STRIP:
        _CLASS[_i] = _SKIP
    elif _ch.upper() in _VALUE:
        _CLASS[_i] = _VALUE[_ch.upper()]

_CHAR_BYTE = np.zeros(_BAD + 1, dtype=np.uint8)
_CHAR_BYTE[1:37] = np.frombuffer(_ALPHABET.encode("ascii"), dtype=np.uint8)

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_K0 = np.uint64(0x9E3779B97F4A7C15)
_MASK64 = (1 << 64) - 1

U64 = npt.NDArray[np.uint64]


# --- normalisation and near misses ------------------------------------------------------------


def normalise(number: str) -> str:
    """Upper case, blanks and ``< - . /`` removed (NFKC first for non-ASCII text)."""
    if not number.isascii():
        number = unicodedata.normalize("NFKC", number)
    return "".join(number.translate(_STRIP_TABLE).split()).upper()


def _number_problem(norm: str) -> str | None:
    """Why a normalised number cannot be listed or looked up, or None."""
    if not norm:
        return "is empty"
    if len(norm) > MAX_NUMBER_LENGTH:
        return f"is longer than {MAX_NUMBER_LENGTH} characters"
    if not (norm.isascii() and _VALID_NUMBER.fullmatch(norm)):
        return "has characters other than letters A-Z and digits"
    return None


_CONFUSABLE: tuple[tuple[str, str], ...] = (
    ("O", "0"),
    ("0", "O"),
    ("I", "1"),
    ("1", "I"),
    ("S", "5"),
    ("5", "S"),
    ("B", "8"),
    ("8", "B"),
)


def near_miss_variants(number: str) -> list[tuple[str, str]]:
    """Numbers a misread or mistyped ``number`` may stand for, each with the reason.

    Chosen to stay cheap and specific (each is one more key to look up):

    - one confusable character swapped, at each position where it occurs: O↔0, I↔1, S↔5, B↔8
      (the OCR-B and keyboard confusions; L/1, Z/2, G/6, Q/0 are left out as rarer and they
      would double the variants) — reason ``"O in the query tried as 0 (position 3)"``;
    - every occurrence of one confusable swapped at once, when there are several —
      ``"every O in the query tried as 0"``;
    - a trailing check digit dropped, only when the last character *is* the Doc 9303 check
      digit of the rest — ``"trailing check digit 6 dropped"``;
    - the number's check digit appended (the list holds number + check digit) —
      ``"listed with check digit 6 appended"``.

    Variants are normalised, distinct, and never the number itself.
    """
    norm = normalise(number)
    return [] if _number_problem(norm) else _variants(norm)


def _variants(norm: str) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for source, target in _CONFUSABLE:
        positions = [i for i, ch in enumerate(norm) if ch == source]
        for i in positions:
            variant = norm[:i] + target + norm[i + 1 :]
            found.setdefault(variant, f"{source} in the query tried as {target} (position {i + 1})")
        if len(positions) > 1:
            found.setdefault(
                norm.replace(source, target), f"every {source} in the query tried as {target}"
            )
    if len(norm) >= 2 and norm[-1].isdigit() and check_digit(norm[:-1]) == int(norm[-1]):
        found.setdefault(norm[:-1], f"trailing check digit {norm[-1]} dropped")
    if len(norm) < MAX_NUMBER_LENGTH:
        digit = check_digit(norm)
        found.setdefault(norm + str(digit), f"listed with check digit {digit} appended")
    found.pop(norm, None)
    return list(found.items())


# --- issuers --------------------------------------------------------------------------------


def issuer_codes() -> tuple[str, ...]:
    """Every issuing country code a list may use: ISO alpha-3 plus :data:`ICAO_CODES`, sorted."""
    return tuple(sorted({c.alpha3 for c in countries().values()} | ICAO_CODES))


def _alpha2_to_alpha3() -> dict[str, str]:
    return {c.code: c.alpha3 for c in countries().values()}


@functools.lru_cache(maxsize=4096)
def normalise_country(code: str) -> str | None:
    """The alpha-3 issuer code for an alpha-3, ICAO or alpha-2 code (any case, MRZ fillers
    allowed; ``D`` is Germany in a machine readable zone); None when unknown."""
    text = code.strip().replace("<", "").upper()
    if text == "D":
        return "DEU"
    if len(text) == 3:
        return text if text in _ISSUER_SET else None
    if len(text) == 2:
        return _alpha2_to_alpha3().get(text)
    return None


_ISSUER_SET = frozenset(issuer_codes())


# --- keys -----------------------------------------------------------------------------------


def _mix(x: U64) -> U64:
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def _mix_int(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _short_key(issuer: int, norm: str) -> int:
    value = 0
    for ch in norm:
        value = value * 37 + _VALUE[ch]
    return (issuer << _ISSUER_SHIFT) | (value * _POW37[_SHORT - len(norm)])


def _long_key(issuer: int, norm: str) -> int:
    data = norm.encode("ascii").ljust(_LONG_WIDTH, b"\0")
    h = (((issuer << 8) | len(norm)) * 0x9E3779B97F4A7C15) & _MASK64
    for j in range(0, _LONG_WIDTH, 8):
        h = _mix_int(h ^ int.from_bytes(data[j : j + 8], "little"))
    return h | _LONG_FLAG


def _key(issuer: int, norm: str) -> int:
    """The index key of a valid normalised number (Python ints; matches :func:`_encode`)."""
    return _short_key(issuer, norm) if len(norm) <= _SHORT else _long_key(issuer, norm)


def _long_keys(issuers: npt.NDArray[np.int64], data: npt.NDArray[np.uint8], lengths: U64) -> U64:
    """Hash keys of long numbers as NUL-padded ``(n, 32)`` bytes (matches :func:`_long_key`)."""
    words = np.ascontiguousarray(data).view("<u8")
    h = ((issuers.astype(np.uint64) << np.uint64(8)) | lengths) * _K0
    for j in range(words.shape[1]):
        h = _mix(h ^ words[:, j])
    return h | np.uint64(_LONG_FLAG)


def _texts(issuer_bytes: npt.NDArray[np.uint8], data: npt.NDArray[np.uint8]) -> npt.NDArray[Any]:
    """``issuer + number`` as one bytes value per row (the long-number store's form)."""
    joined = np.ascontiguousarray(np.concatenate([issuer_bytes, data], axis=1))
    return joined.view(f"S{joined.shape[1]}").reshape(len(joined))


def _decode_short(key: int) -> str:
    value = key & _VALUE_MASK
    chars: list[str] = []
    for _ in range(_SHORT):
        value, digit = divmod(value, 37)
        if digit:
            chars.append(_ALPHABET[digit - 1])
    return "".join(reversed(chars))


@dataclass(frozen=True, slots=True)
class _Encoded:
    keys: U64
    ok: npt.NDArray[np.bool_]
    long_rows: npt.NDArray[np.int64]  # rows whose number is longer than 10 characters, in order
    long_bytes: npt.NDArray[np.uint8]  # their normalised numbers, (n, 32) NUL-padded
    problems: dict[int, str]  # row -> why its number is invalid


def _encode(numbers: Sequence[str] | npt.NDArray[Any], issuers: npt.NDArray[np.int64]) -> _Encoded:
    """Keys for many numbers at once; ``issuers`` gives each row's issuer table row.

    ASCII numbers are normalised and packed (or hashed, when longer than 10 characters) with
    numpy alone; the others (non-ASCII, invalid, or long with separators) go through
    :func:`normalise` one by one.
    """
    count = len(numbers)
    text = np.asarray(numbers, dtype=np.str_).reshape(count)
    width = text.dtype.itemsize // 4
    keys = np.zeros(count, dtype=np.uint64)
    fast_long = np.empty(0, dtype=np.int64)
    fast_bytes = np.zeros((0, _LONG_WIDTH), dtype=np.uint8)
    if count and width:
        points = text.view(np.uint32).reshape(count, width)
        classes = np.take(_CLASS, points, mode="clip")  # code points over 127 -> _BAD
        is_char = (classes - np.uint8(1)) < 36  # 1-36; the pad 0 wraps round to 255
        length = is_char.sum(axis=1)
        # "solid": only letters and digits, so the number is the text upper-cased
        solid = length == np.char.str_len(text)
        for j in range(min(width, _SHORT)):
            keys += classes[:, j] * np.uint64(_POW37[_SHORT - 1 - j])
        short = solid & (length >= 1) & (length <= _SHORT)
        # separators to remove (or an embedded NUL): fold the characters that count, in order
        messy = np.flatnonzero(~solid & (length >= 1) & (length <= _SHORT))
        if messy.size:
            messy = messy[~(classes[messy] == _BAD).any(axis=1)]
        if messy.size:
            sub_classes, sub_chars = classes[messy], is_char[messy]
            folded = np.zeros(messy.size, dtype=np.uint64)
            for j in range(width):
                column = sub_chars[:, j]
                if column.any():
                    value = sub_classes[:, j].astype(np.uint64)
                    folded = np.where(column, folded * np.uint64(37) + value, folded)
            keys[messy] = folded * _POW37_ARRAY[_SHORT - length[messy]]
            short[messy] = True
        keys |= issuers.astype(np.uint64) << np.uint64(_ISSUER_SHIFT)
        fast_long = np.flatnonzero(solid & (length > _SHORT) & (length <= MAX_NUMBER_LENGTH))
        if fast_long.size:
            sub = classes[fast_long, : min(width, _LONG_WIDTH)]
            fast_bytes = np.zeros((fast_long.size, _LONG_WIDTH), dtype=np.uint8)
            fast_bytes[:, : sub.shape[1]] = _CHAR_BYTE[sub]
        slow = ~short
        slow[fast_long] = False
    else:
        slow = np.ones(count, dtype=bool)
    ok = ~slow
    slow_long: list[int] = []
    slow_norms: list[str] = []
    problems: dict[int, str] = {}
    for row in np.flatnonzero(slow).tolist():
        norm = normalise(str(text[row]))
        problem = _number_problem(norm)
        if problem:
            problems[row] = problem
        elif len(norm) <= _SHORT:
            keys[row] = _short_key(int(issuers[row]), norm)
            ok[row] = True
        else:
            slow_long.append(row)
            slow_norms.append(norm)
    long_rows = fast_long
    long_bytes = fast_bytes
    if slow_long:
        extra = np.frombuffer(
            b"".join(norm.encode("ascii").ljust(_LONG_WIDTH, b"\0") for norm in slow_norms),
            dtype=np.uint8,
        ).reshape(len(slow_norms), _LONG_WIDTH)
        long_rows = np.concatenate([fast_long, np.array(slow_long, dtype=np.int64)])
        long_bytes = np.concatenate([fast_bytes, extra])
        order = np.argsort(long_rows, kind="stable")
        long_rows, long_bytes = long_rows[order], long_bytes[order]
    if long_rows.size:
        lengths = (long_bytes != 0).sum(axis=1).astype(np.uint64)
        keys[long_rows] = _long_keys(issuers[long_rows], long_bytes, lengths)
        ok[long_rows] = True
    return _Encoded(keys, ok, long_rows, long_bytes, problems)


# --- rows and hits --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One listed document as a list file gives it (number as written; ``line``: its line)."""

    document_number: str
    issuing_country: str
    document_type: str
    status: str
    reported_on: dt.date | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class DocumentHit:
    """A listed document a lookup found.

    ``number`` is the listed number, normalised. ``exact`` is False for a near miss, whose
    ``variant`` says which variant of the query matched (None for exact hits).
    """

    number: str
    issuing_country: str
    document_type: str
    status: str
    reported_on: dt.date | None
    exact: bool
    variant: str | None = None


@dataclass(frozen=True, slots=True)
class BatchLookup:
    """Result of :meth:`DocumentIndex.lookup_many`, one entry per query (exact matches only).

    ``valid``: the query could be looked up (known issuer, usable number); ``found``: listed;
    ``position``: the first matching row (-1 when not found) for :meth:`DocumentIndex.hit`;
    ``count``: how many rows match (the same document listed more than once); ``status``: the
    first row's status code (0 when not found; ``STATUSES[code - 1]``).
    """

    valid: npt.NDArray[np.bool_]
    found: npt.NDArray[np.bool_]
    position: npt.NDArray[np.int64]
    count: npt.NDArray[np.int32]
    status: npt.NDArray[np.uint8]


# --- the index ------------------------------------------------------------------------------


def _row_error(row: int, column: str, value: object, problem: str) -> InvalidInput:
    return InvalidInput(
        "Row {row}: {column} {value} {problem}.",
        row=row,
        column=column,
        value=repr(value),
        problem=problem,
    )


_NONE_DAY = -(1 << 40)


def _day(value: dt.date | None) -> int:
    if value is None:
        return _NONE_DAY
    return value.toordinal() - _EPOCH if isinstance(value, dt.date) else -1


def _issuer_bytes(issuers: tuple[str, ...]) -> npt.NDArray[np.uint8]:
    """The issuer table as an ``(n, 3)`` byte matrix."""
    return np.array(issuers, dtype="S3").view(np.uint8).reshape(len(issuers), 3)


_STATUS_ROW: dict[str, int] = {}  # unused: statuses resolve through _status_code


def _status_code(value: str) -> int | None:
    name = value.strip().lower().replace(" ", "_").replace("-", "_")
    return STATUSES.index(name) + 1 if name in STATUSES else None


def _column_codes(
    column: Sequence[Any], start: int, stop: int, name: str, table: dict[str, int]
) -> npt.NDArray[Any]:
    """Small integer codes for ``column[start:stop]``; new values are resolved (and checked)
    once each. ``table`` is the issuer table, the status table or the growing type table."""
    values = list(column[start:stop])
    resolved: dict[Any, int] = {}
    problems: list[tuple[int, Any, str]] = []
    for value in set(values):
        problem = None
        if not isinstance(value, str):
            problem = "is not text"
        elif name == "issuing_country":
            code = normalise_country(value)
            if code is None:
                problem = "is not a known country code"
            else:
                resolved[value] = table[code]
        elif name == "status":
            number = _status_code(value)
            if number is None:
                problem = "is not one of " + ", ".join(STATUSES)
            else:
                resolved[value] = number
        elif value in table:
            resolved[value] = table[value]
        elif len(table) >= MAX_TYPES:
            problem = f"would be document type number {MAX_TYPES + 1}"
        else:
            resolved[value] = table[value] = len(table)
        if problem:
            problems.append((values.index(value), value, problem))
    if problems:  # the first bad row, whatever order the set gave
        row, value, problem = min(problems, key=lambda item: item[0])
        raise _row_error(start + row + 1, name, value, problem)
    dtype = np.int64 if name == "issuing_country" else np.uint8
    return np.fromiter(map(resolved.__getitem__, values), dtype=dtype, count=stop - start)


def _release_freed_memory() -> None:
    """Hand the build's freed temporaries back to the OS (glibc keeps them otherwise)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class DocumentIndex:
    """Sorted arrays of listed documents; see the module docstring for the layout."""

    def __init__(
        self,
        keys: U64,
        status: npt.NDArray[np.uint8],
        types: npt.NDArray[np.uint8],
        reported: npt.NDArray[np.uint16],
        long_numbers: npt.NDArray[np.bytes_],
        issuers: tuple[str, ...],
        type_names: tuple[str, ...],
    ) -> None:
        size = len(keys)
        if not (len(status) == len(types) == len(reported) == size):
            raise InvalidInput("The document index arrays have different lengths.")
        self._keys = keys
        self._status = status
        self._types = types
        self._reported = reported
        self._issuers = issuers
        self._issuer_row = {code: i for i, code in enumerate(issuers)}
        self._issuer_bytes = _issuer_bytes(issuers)
        self._type_names = type_names
        self._short_count = int(np.searchsorted(keys, np.uint64(_LONG_FLAG)))
        self._long_numbers = long_numbers
        if len(long_numbers) != size - self._short_count:
            raise InvalidInput("The document index has a long-number table of the wrong size.")

    # building ------------------------------------------------------------------------------

    @classmethod
    def from_columns(
        cls,
        numbers: Sequence[str],
        countries: Sequence[str],
        statuses: Sequence[str],
        document_types: Sequence[str] | None = None,
        reported_on: Sequence[dt.date | None] | None = None,
    ) -> DocumentIndex:
        """Build from parallel columns (lists or string arrays); InvalidInput names the row.

        Countries are alpha-3/ICAO codes (alpha-2 and ``D`` are accepted and converted);
        statuses one of :data:`STATUSES`; types free text (at most 255 distinct values).
        """
        size = len(numbers)
        for name, column in (
            ("issuing_country", countries),
            ("status", statuses),
            ("document_type", document_types),
            ("reported_on", reported_on),
        ):
            if column is not None and len(column) != size:
                raise InvalidInput(
                    "Column {column} has {count} values for {size} numbers.",
                    column=name,
                    count=len(column),
                    size=size,
                )
        issuers = issuer_codes()
        issuer_row = {code: i for i, code in enumerate(issuers)}
        type_row: dict[str, int] = {"": 0} if document_types is None else {}
        # filled in place chunk by chunk: the temporaries stay one chunk large
        keys = np.empty(size, dtype=np.uint64)
        status = np.empty(size, dtype=np.uint8)
        types = np.zeros(size, dtype=np.uint8)
        reported = np.full(size, NO_DATE, dtype=np.uint16)
        issuer_bytes = _issuer_bytes(issuers)
        long_rows: list[npt.NDArray[np.int64]] = []
        long_texts: list[npt.NDArray[Any]] = []
        for start in range(0, size, _CHUNK):
            stop = min(start + _CHUNK, size)
            issuer = _column_codes(countries, start, stop, "issuing_country", issuer_row)
            encoded = _encode(numbers[start:stop], issuer)
            if encoded.problems:
                row, problem = min(encoded.problems.items())
                raise _row_error(start + row + 1, "document_number", numbers[start + row], problem)
            keys[start:stop] = encoded.keys
            long_rows.append(encoded.long_rows + start)
            if encoded.long_rows.size:
                long_texts.append(
                    _texts(issuer_bytes[issuer[encoded.long_rows]], encoded.long_bytes)
                )
            status[start:stop] = _column_codes(statuses, start, stop, "status", _STATUS_ROW)
            if document_types is not None:
                types[start:stop] = _column_codes(
                    document_types, start, stop, "document_type", type_row
                )
            if reported_on is not None:
                days = np.fromiter(map(_day, reported_on[start:stop]), np.int64, stop - start)
                unknown = days == _NONE_DAY
                bad = np.flatnonzero(((days < 0) | (days >= NO_DATE)) & ~unknown)
                if bad.size:
                    row = start + int(bad[0])
                    raise _row_error(
                        row + 1,
                        "reported_on",
                        reported_on[row],
                        f"is not a date from 1950-01-01 to {_LAST_DAY.isoformat()}",
                    )
                days[unknown] = NO_DATE
                reported[start:stop] = days
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        status = status[order]
        types = types[order]
        reported = reported[order]
        short_count = int(np.searchsorted(keys, np.uint64(_LONG_FLAG)))
        all_long_rows = np.concatenate(long_rows) if long_rows else np.empty(0, np.int64)
        long_array = np.concatenate(long_texts) if long_texts else np.empty(0, "S1")
        width = max(1, int(np.char.str_len(long_array).max(initial=0)))
        long_array = long_array.astype(f"S{width}")
        # long rows are in row order; map each sorted long position to its text
        long_numbers = long_array[np.searchsorted(all_long_rows, order[short_count:])]
        del order, long_array, long_texts, long_rows, all_long_rows
        _release_freed_memory()
        names = sorted(type_row, key=type_row.__getitem__)
        return cls(keys, status, types, reported, long_numbers, issuers, tuple(names) or ("",))

    @classmethod
    def build(cls, rows: Iterable[DocumentRow]) -> DocumentIndex:
        """Build from :class:`DocumentRow` values (for example :func:`load_csv`'s)."""
        items = rows if isinstance(rows, Sequence) else list(rows)
        return cls.from_columns(
            [row.document_number for row in items],
            [row.issuing_country for row in items],
            [row.status for row in items],
            [row.document_type for row in items],
            [row.reported_on for row in items],
        )

    # facts ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        """Bytes the arrays hold (mapped or in memory)."""
        arrays = (self._keys, self._status, self._types, self._reported, self._long_numbers)
        return sum(int(a.nbytes) for a in arrays)

    @property
    def issuers(self) -> tuple[str, ...]:
        return self._issuers

    @property
    def document_types(self) -> tuple[str, ...]:
        return self._type_names

    # lookups -------------------------------------------------------------------------------

    def _issuer_of(self, country: str) -> int:
        """The issuer table row for ``country``; -1 when the index has no such issuer."""
        code = normalise_country(country) if isinstance(country, str) else None
        return -1 if code is None else self._issuer_row.get(code, -1)

    def _listed_number(self, position: int) -> str:
        if position < self._short_count:
            return _decode_short(int(self._keys[position]))
        return bytes(self._long_numbers[position - self._short_count])[3:].decode("ascii")

    def _verified(self, position: int, issuer: int, norm: str) -> bool:
        if position < self._short_count:
            return True
        listed = bytes(self._long_numbers[position - self._short_count])
        return listed == (self._issuers[issuer] + norm).encode("ascii")

    def hit(self, position: int, *, variant: str | None = None) -> DocumentHit:
        """The listed document at ``position`` (as :class:`BatchLookup` gives it)."""
        if not 0 <= position < len(self._keys):
            raise InvalidInput("No listed document at position {position}.", position=position)
        key = int(self._keys[position])
        issuer = (key >> _ISSUER_SHIFT) & 0x1FF if key < _LONG_FLAG else -1
        if issuer < 0:
            issuer = self._issuer_row[
                bytes(self._long_numbers[position - self._short_count])[:3].decode("ascii")
            ]
        day = int(self._reported[position])
        return DocumentHit(
            number=self._listed_number(position),
            issuing_country=self._issuers[issuer],
            document_type=self._type_names[int(self._types[position])],
            status=STATUSES[int(self._status[position]) - 1],
            reported_on=None if day == NO_DATE else dt.date.fromordinal(_EPOCH + day),
            exact=variant is None,
            variant=variant,
        )

    def lookup(self, number: str, country: str, *, near_misses: bool = True) -> list[DocumentHit]:
        """Listed documents for ``number`` of issuer ``country``: exact hits first, then near
        misses (:func:`near_miss_variants`), each listed row once.

        InvalidInput when the number cannot be a document number or the country is unknown.
        """
        norm = normalise(number) if isinstance(number, str) else ""
        problem = _number_problem(norm)
        if problem:
            raise InvalidInput(
                "Document number {value} {problem}.",
                hint="A document number has letters A-Z and digits; blanks, < - . / are ignored.",
                value=repr(number),
                problem=problem,
            )
        code = normalise_country(country) if isinstance(country, str) else None
        if code is None:
            raise InvalidInput(
                "{value} is not a known issuing country code.",
                hint="Use an ISO 3166-1 alpha-3 code such as DEU (alpha-2 codes are accepted).",
                value=repr(country),
            )
        issuer = self._issuer_row.get(code, -1)
        size = len(self._keys)
        if issuer < 0 or not size:
            return []
        candidates: list[tuple[str, str | None]] = [(norm, None)]
        if near_misses:
            candidates += _variants(norm)
        wanted = [_key(issuer, text) for text, _ in candidates]
        starts = np.searchsorted(self._keys, np.array(wanted, dtype=np.uint64)).tolist()
        hits: list[DocumentHit] = []
        seen: set[int] = set()
        for (text, reason), key, position in zip(candidates, wanted, starts, strict=True):
            while position < size and int(self._keys[position]) == key:
                if position not in seen and self._verified(position, issuer, text):
                    seen.add(position)
                    hits.append(self.hit(position, variant=reason))
                position += 1
        return hits

    def lookup_many(
        self,
        numbers: Sequence[str] | npt.NDArray[Any],
        countries: Sequence[str] | npt.NDArray[Any] | str,
    ) -> BatchLookup:
        """Exact lookups of many numbers at once (one issuer for all when ``countries`` is a
        string). Unknown issuers and unusable numbers come back with ``valid`` False."""
        count = len(numbers)
        if isinstance(countries, str):
            issuer = np.full(count, self._issuer_of(countries), dtype=np.int64)
        else:
            if len(countries) != count:
                raise InvalidInput(
                    "{count} countries for {size} numbers.", count=len(countries), size=count
                )
            values = countries.tolist() if isinstance(countries, np.ndarray) else list(countries)
            mapping = {value: self._issuer_of(value) for value in set(values)}
            issuer = np.fromiter(map(mapping.__getitem__, values), dtype=np.int64, count=count)
        encoded = _encode(numbers, np.maximum(issuer, 0))
        valid = encoded.ok & (issuer >= 0)
        keys = encoded.keys
        size = len(self._keys)
        position = np.full(count, -1, dtype=np.int64)
        matches = np.zeros(count, dtype=np.int32)
        status = np.zeros(count, dtype=np.uint8)
        if size == 0 or count == 0:
            return BatchLookup(valid, np.zeros(count, bool), position, matches, status)
        order = np.argsort(keys)  # sorted needles make searchsorted walk the table in order
        found_at = np.empty(count, dtype=np.int64)
        found_at[order] = np.searchsorted(self._keys, keys[order])
        clipped = np.minimum(found_at, size - 1)
        found = valid & (self._keys[clipped] == keys)
        rows = np.flatnonzero(found)
        if rows.size:
            starts = found_at[rows]
            # the same key twice is rare: only those rows need a second search
            after = np.minimum(starts + 1, size - 1)
            repeated = (starts + 1 < size) & (self._keys[after] == keys[rows])
            stops = starts + 1
            if repeated.any():
                stops[repeated] = np.searchsorted(self._keys, keys[rows[repeated]], side="right")
            long_hit = keys[rows] >= np.uint64(_LONG_FLAG)
            if long_hit.any():
                # verify the hashed keys against the stored text, vectorised
                at = np.searchsorted(encoded.long_rows, rows[long_hit])
                wanted = _texts(self._issuer_bytes[issuer[rows[long_hit]]], encoded.long_bytes[at])
                listed = self._long_numbers[starts[long_hit] - self._short_count]
                doubtful = np.zeros(rows.size, dtype=bool)
                doubtful[long_hit] = (listed != wanted) | repeated[long_hit]
                long_at = np.flatnonzero(long_hit)
                for k in np.flatnonzero(doubtful).tolist():
                    row = int(rows[k])
                    text = bytes(wanted[int(np.searchsorted(long_at, k))])
                    good = [
                        p
                        for p in range(int(starts[k]), int(stops[k]))
                        if bytes(self._long_numbers[p - self._short_count]) == text
                    ]
                    if good:
                        starts[k], stops[k] = good[0], good[-1] + 1
                    else:
                        found[row] = False
                keep = found[rows]
                rows, starts, stops = rows[keep], starts[keep], stops[keep]
            position[rows] = starts
            matches[rows] = stops - starts
            status[rows] = self._status[starts]
        return BatchLookup(valid, found, position, matches, status)

    # persistence ---------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index to one uncompressed ``.npz`` (atomically: a temporary file renamed)."""
        target = Path(path)
        meta = {
            "format": "cthub-document-index",
            "version": _FORMAT_VERSION,
            "issuers": list(self._issuers),
            "types": list(self._type_names),
        }
        temporary = target.with_name(target.name + ".tmp")
        with temporary.open("wb") as handle:
            np.savez(
                handle,
                meta=np.array(json.dumps(meta)),
                keys=np.asarray(self._keys),
                status=np.asarray(self._status),
                types=np.asarray(self._types),
                reported=np.asarray(self._reported),
                long_numbers=np.asarray(self._long_numbers),
            )
        os.replace(temporary, target)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, mmap: bool = True) -> DocumentIndex:
        """Read an index written by :meth:`save`; with ``mmap`` its arrays are mapped read-only
        from the file rather than read (the file must not be rewritten in place meanwhile)."""
        source = Path(path)
        try:
            arrays = _read_npz(source, mmap=mmap)
            meta = json.loads(str(arrays.pop("meta")[()]))
            if meta.get("format") != "cthub-document-index":
                raise ValueError("not a document index")
            if meta.get("version") != _FORMAT_VERSION:
                raise ValueError(
                    f"format version {meta.get('version')}, expected {_FORMAT_VERSION}"
                )
            return cls(
                arrays["keys"],
                arrays["status"],
                arrays["types"],
                arrays["reported"],
                arrays["long_numbers"],
                tuple(meta["issuers"]),
                tuple(meta["types"]),
            )
        except InvalidInput:
            raise
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, struct.error) as exc:
            raise InvalidInput(
                "{path} is not a readable document index: {reason}",
                hint="Rebuild it from the list.",
                path=str(source),
                reason=str(exc) or type(exc).__name__,
            ) from exc


def _read_npz(path: Path, *, mmap: bool) -> dict[str, npt.NDArray[Any]]:
    """The arrays of an uncompressed ``.npz``, memory-mapped where they are stored plainly."""
    arrays: dict[str, npt.NDArray[Any]] = {}
    with zipfile.ZipFile(path) as archive, path.open("rb") as handle:
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            if not mmap or info.compress_type != zipfile.ZIP_STORED or name == "meta":
                with archive.open(info) as member:
                    arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
                continue
            handle.seek(info.header_offset)
            local = handle.read(30)
            if local[:4] != b"PK\x03\x04":
                raise ValueError(f"bad zip entry {info.filename}")
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            handle.seek(info.header_offset + 30 + name_length + extra_length)
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
            if dtype.hasobject:
                raise ValueError(f"{name} holds Python objects")
            if int(np.prod(shape)) == 0:
                arrays[name] = np.empty(shape, dtype=dtype)
                continue
            arrays[name] = np.memmap(
                path,
                dtype=dtype,
                mode="r",
                offset=handle.tell(),
                shape=shape,
                order="F" if fortran else "C",
            )
    return arrays


# --- CSV ------------------------------------------------------------------------------------


def _csv_error(
    message: str, hint: str | None = None, **params: Any
) -> InvalidInput:  # one place for the shape of loader errors
    return InvalidInput(message, hint=hint, **params)


def _parse_row(
    values: dict[str, str], file: str, line: int, position: dict[str, int], today: dt.date
) -> DocumentRow:
    def fail(column: str, problem: str, hint: str) -> InvalidInput:
        return _csv_error(
            "{file} line {line}: {column} (column {column_number}) {value} {problem}.",
            hint=hint,
            file=file,
            line=line,
            column=column,
            column_number=position[column],
            value=repr(values[column]),
            problem=problem,
        )

    number = values["document_number"].strip()
    problem = _number_problem(normalise(number))
    if problem:
        raise fail(
            "document_number",
            problem,
            "Give the number as printed; blanks, < - . / are ignored, at most 30 letters/digits.",
        )
    country = values["issuing_country"].strip().upper()
    if country not in _ISSUER_SET:
        suggestion = normalise_country(country)
        hint = (
            f"Use the alpha-3 code {suggestion}."
            if suggestion
            else "Use an ISO 3166-1 alpha-3 code such as DEU, or an ICAO code such as RKS."
        )
        raise fail("issuing_country", "is not an ISO 3166-1 alpha-3 or ICAO code", hint)
    kind = values["document_type"].strip()
    if not _TYPE_TEXT.fullmatch(kind):
        raise fail(
            "document_type",
            "is not a document type",
            "At most 32 letters, digits, blanks or . ( ) / - _, such as passport or P.",
        )
    status = values["status"].strip().lower().replace(" ", "_").replace("-", "_")
    if status not in STATUSES:
        raise fail("status", "is not a status", "Use one of: " + ", ".join(STATUSES) + ".")
    text = values["reported_on"].strip()
    reported: dt.date | None = None
    if text:
        try:
            if not _ISO_DATE.fullmatch(text):
                raise ValueError(text)
            reported = dt.date.fromisoformat(text)
        except ValueError:
            raise fail(
                "reported_on", "is not a date", "Use an ISO date YYYY-MM-DD, or leave it empty."
            ) from None
        if reported > today or reported < dt.date(1950, 1, 1):
            raise fail(
                "reported_on",
                "is in the future or before 1950",
                "Use the date the loss or theft was reported.",
            )
    return DocumentRow(number, country, kind, status, reported, line)


def iter_csv(
    source: str | os.PathLike[str] | TextIO, name: str | None = None
) -> Iterator[DocumentRow]:
    """Rows of a document list CSV, checked one by one as they are read.

    The header must hold exactly the columns :data:`COLUMNS` (any order). The first bad value
    raises InvalidInput naming the file, line and column, after the rows before it were
    yielded: use :func:`load_csv` for all-or-nothing loading.
    """
    if isinstance(source, str | os.PathLike):
        file = name or os.fspath(source)
        try:
            handle: TextIO = open(source, encoding="utf-8-sig", newline="")  # noqa: SIM115
        except OSError as exc:
            raise _csv_error(
                "{file} cannot be read: {reason}", file=file, reason=exc.strerror or str(exc)
            ) from exc
        with handle:
            yield from _iter_rows(handle, file)
    else:
        yield from _iter_rows(source, name or str(getattr(source, "name", "<stream>")))


def _iter_rows(handle: TextIO, file: str) -> Iterator[DocumentRow]:
    reader = csv.reader(handle)
    today = dt.date.today()
    try:
        header = next(reader, None)
        if header is None:
            raise _csv_error(
                "{file} is empty; it needs the header {columns}.",
                file=file,
                columns=",".join(COLUMNS),
            )
        names = [cell.strip().lstrip("\ufeff") for cell in header]
        missing = [c for c in COLUMNS if c not in names]
        extra = [c for c in names if c not in COLUMNS]
        duplicated = sorted({c for c in names if names.count(c) > 1})
        if missing or extra or duplicated:
            raise _csv_error(
                "{file} line 1: the header has {problem}.",
                hint="The header must be exactly: " + ",".join(COLUMNS),
                file=file,
                line=1,
                problem="; ".join(
                    part
                    for part in (
                        f"missing column(s) {', '.join(missing)}" if missing else "",
                        f"unexpected column(s) {', '.join(extra)}" if extra else "",
                        f"repeated column(s) {', '.join(duplicated)}" if duplicated else "",
                    )
                    if part
                ),
            )
        position = {column: names.index(column) + 1 for column in COLUMNS}
        for cells in reader:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            line = reader.line_num
            if len(cells) != len(names):
                raise _csv_error(
                    "{file} line {line}: {count} fields, the header has {expected}.",
                    hint="Quote values that contain commas.",
                    file=file,
                    line=line,
                    count=len(cells),
                    expected=len(names),
                )
            yield _parse_row(dict(zip(names, cells, strict=True)), file, line, position, today)
    except UnicodeDecodeError as exc:
        raise _csv_error(
            "{file} is not UTF-8 text (after line {line}).",
            hint="Save the list as UTF-8.",
            file=file,
            line=reader.line_num,
        ) from exc
    except csv.Error as exc:
        raise _csv_error(
            "{file} line {line}: {reason}.", file=file, line=reader.line_num, reason=str(exc)
        ) from exc


def load_csv(source: str | os.PathLike[str] | TextIO, name: str | None = None) -> list[DocumentRow]:
    """All rows of a document list CSV, or InvalidInput (file, line, column) and no rows."""
    return list(iter_csv(source, name))


__all__ = [
    "COLUMNS",
    "ICAO_CODES",
    "NO_DATE",
    "STATUSES",
    "BatchLookup",
    "DocumentHit",
    "DocumentIndex",
    "DocumentRow",
    "issuer_codes",
    "iter_csv",
    "load_csv",
    "near_miss_variants",
    "normalise",
    "normalise_country",
]
