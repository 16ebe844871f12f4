"""Watchlist identifiers in one canonical form, so that two agencies' spellings hash the same.

Private set intersection only finds entries whose bytes are identical on both sides, so each
kind of identifier is folded to one form before hashing: ``normalise(kind, value, ...)`` gives
the canonical text and ``identifier(...)`` the domain-separated bytes ``b"<kind>:<text>"`` fed
to the PSI protocol (the kind prefix keeps a passport number from ever matching an IBAN).

* ``name`` (with an optional birth date ``YYYY-MM-DD`` or ``YYYY``): NFKC, transliterated to
  ASCII with ``anyascii`` (diacritics and other scripts), casefolded, punctuation dropped and
  the tokens sorted, so ``"SMITH, John"`` and ``"John Smith"`` agree; ``"john smith|1980"``.
* ``passport`` / ``national_id``: upper case, spaces, dashes and dots removed, prefixed with
  the ISO 3166-1 alpha-2 issuing country when given: ``"FR:12AB34567"``.
* ``iban``: upper case without spaces, checked with ISO 7064 mod-97; a bad one is refused.
* ``wallet``: ``0x`` hex and bech32 addresses lowercased (both are case-insensitive); other
  alphanumeric addresses (base58 and the like) keep their case, which is significant there.

Both sides must pass the same fields: a name with a full birth date never equals the same name
with only the year, and a passport with a country never equals one without.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from datetime import date

from anyascii import anyascii

from cthub.core.errors import InvalidInput

KINDS = ("name", "passport", "national_id", "iban", "wallet")

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DOCUMENT_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212./]+")
_ALNUM_UPPER = re.compile(r"[0-9A-Z]+")
_COUNTRY = re.compile(r"[A-Z]{2}")
_YEAR = re.compile(r"\d{4}")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[0-9A-Z]{11,30}")
_HEX_WALLET = re.compile(r"0x[0-9a-f]{40}")
_BECH32 = re.compile(r"[a-z]{1,20}1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,90}")
_OTHER_WALLET = re.compile(r"[0-9A-Za-z]{20,128}")


class PsiInputError(InvalidInput, ValueError):
    """An identifier or PSI message we refuse; a ``ValueError`` and a cthub ``InvalidInput``."""


def normalise(
    kind: str, value: str, *, birth_date: str | None = None, country: str | None = None
) -> str:
    """The canonical text of ``value`` as an identifier of ``kind`` (see the module docstring).

    Raises ``PsiInputError`` for an unknown kind, an empty value, a malformed birth date or
    country, an IBAN failing mod-97 or a wallet address with characters no address uses.
    """
    if kind == "name":
        return _name(value, birth_date)
    if kind in ("passport", "national_id"):
        return _document(kind, value, country)
    if kind == "iban":
        return _iban(value)
    if kind == "wallet":
        return _wallet(value)
    raise PsiInputError(
        "Unknown identifier kind {kind}.",
        hint="Use one of: name, passport, national_id, iban, wallet.",
        kind=kind,
    )


def identifier(
    kind: str, value: str, *, birth_date: str | None = None, country: str | None = None
) -> bytes:
    """The domain-separated PSI item ``b"<kind>:<normalised>"`` (UTF-8) for one identifier."""
    text = normalise(kind, value, birth_date=birth_date, country=country)
    return f"{kind}:{text}".encode()


def _name(value: str, birth_date: str | None) -> str:
    """Sorted ASCII tokens, plus ``|YYYY-MM-DD`` or ``|YYYY`` when a birth date is given."""
    folded = anyascii(unicodedata.normalize("NFKC", value)).casefold()
    tokens = sorted(token for token in _NON_ALNUM.split(folded) if token)
    if not tokens:
        raise PsiInputError("The name {value} has no letters or digits.", value=value)
    name = " ".join(tokens)
    return name if birth_date is None else f"{name}|{_birth_date(birth_date)}"


def _birth_date(value: str) -> str:
    """An ISO 8601 calendar date or a bare year, checked; anything else is refused."""
    text = value.strip()
    if _YEAR.fullmatch(text):
        return text
    if len(text) == 10:
        with suppress(ValueError):
            return date.fromisoformat(text).isoformat()
    raise PsiInputError(
        "The birth date {value} is not YYYY-MM-DD or YYYY.",
        hint="Write dates in ISO 8601, for example 1980-01-31, or give the year alone.",
        value=value,
    )


def _document(kind: str, value: str, country: str | None) -> str:
    """Document number without separators, upper case, after ``CC:`` when the country is known."""
    number = _DOCUMENT_SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()
    if not _ALNUM_UPPER.fullmatch(number):
        raise PsiInputError(
            "The {kind} number {value} must be letters and digits.", kind=kind, value=value
        )
    if country is None:
        return number
    code = country.strip().upper()
    if not _COUNTRY.fullmatch(code):
        raise PsiInputError(
            "The issuing country {country} is not an ISO 3166-1 alpha-2 code.",
            hint="Use two letters, for example FR or CN.",
            country=country,
        )
    return f"{code}:{number}"


def _iban(value: str) -> str:
    """Upper case, no spaces, and a valid ISO 7064 mod-97-10 check (remainder 1)."""
    iban = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()
    if not _IBAN.fullmatch(iban) or _mod97(iban[4:] + iban[:4]) != 1:
        raise PsiInputError(
            "The IBAN {value} is not valid (format or mod-97 check digits).",
            hint="Check for a mistyped character; the two digits after the country code "
            "must match the rest of the number.",
            value=value,
        )
    return iban


def _mod97(text: str) -> int:
    """``text`` read as a number with A=10 ... Z=35, modulo 97."""
    return int("".join(str(int(char, 36)) for char in text)) % 97


def _wallet(value: str) -> str:
    """Case-insensitive formats lowercased; case-sensitive ones (base58 ...) kept as written."""
    address = value.strip()
    lowered = address.lower()
    if _HEX_WALLET.fullmatch(lowered):
        return lowered
    same_case = address in (lowered, address.upper())
    if same_case and _BECH32.fullmatch(lowered):
        return lowered
    if _OTHER_WALLET.fullmatch(address):
        return address
    raise PsiInputError(
        "The wallet address {value} is not a 0x, bech32 or base58 address.", value=value
    )
