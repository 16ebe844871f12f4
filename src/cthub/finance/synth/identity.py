"""Identifier shapes: IBANs, bank accounts, card acceptors, wallets, phones, e-mails, devices.

* Customer and foreign bank accounts are IBANs with valid ISO 13616 check digits (numeric
  BBAN of the country's length) where the country has IBANs, else ``<BIC8>/<10 digits>``.
* Card acceptors are ``MID<CC><10 digits>``; money-service beneficiaries ``MSB<CC><10
  digits>``; hawala brokers ``HWL<CC><8 digits>``.
* Crypto wallets look like Bitcoin bech32 (``bc1q`` + 38) or Ethereum (``0x`` + 40 hex).
* Sender identifiers are an E.164 phone number, an e-mail address or ``dev:<16 hex>``.

All builders draw from ``rng`` and work on whole arrays (rows of ASCII codes turned into one
Arrow string array), so a million identifiers cost milliseconds.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cthub.finance.synth.geo import COUNTRIES, IBAN_LENGTH
from cthub.finance.synth.types import IntArray

_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_UPPER = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_BECH32 = np.frombuffer(b"qpzry9x8gf2tvdw0s3jn54khce6mua7l", dtype=np.uint8)
_CALLING = {"DE": "+49", "AT": "+43", "CH": "+41", "FR": "+33", "NL": "+31", "GB": "+44"}
_DOMAINS = ("gmail.com", "gmx.de", "web.de", "t-online.de", "outlook.com", "yahoo.com")


def rows_to_strings(rows: np.ndarray) -> pa.Array:
    """One string per row of an ``(n, width)`` uint8 array of ASCII codes."""
    rows = np.ascontiguousarray(rows, dtype=np.uint8)
    n, width = rows.shape
    if width == 0:
        return pa.array([""] * n, pa.string())
    return pa.array(rows.view(f"S{width}").ravel()).cast(pa.string())


def _random(alphabet: np.ndarray, n: int, width: int, rng: np.random.Generator) -> np.ndarray:
    return alphabet[rng.integers(0, alphabet.size, (n, width))]


def _country_codes(country: IntArray) -> np.ndarray:
    letters = np.frombuffer("".join(COUNTRIES).encode(), dtype=np.uint8).reshape(-1, 2)
    return letters[country]


def _iban_rows(country: IntArray, length: int, rng: np.random.Generator) -> np.ndarray:
    """IBAN code rows for countries sharing one BBAN ``length`` (mod-97 check digits)."""
    bban = rng.integers(0, 10, (country.size, length))
    bban[:, 0] = rng.integers(1, 10, country.size)  # no leading zero in the bank code
    rest = np.zeros(country.size, dtype=np.int64)
    for col in range(length):
        rest = (rest * 10 + bban[:, col]) % 97
    cc = _country_codes(country).astype(np.int64) - ord("A") + 10
    rest = (rest * 100 + cc[:, 0]) % 97
    rest = (rest * 100 + cc[:, 1]) % 97
    check = 98 - (rest * 100) % 97
    head = np.column_stack([_country_codes(country), _DIGITS[check // 10], _DIGITS[check % 10]])
    return np.column_stack([head, _DIGITS[bban]])


def bank_accounts(country: IntArray, rng: np.random.Generator) -> pa.Array:
    """An account id per element of ``country``: an IBAN, or ``BIC8/number`` without IBANs."""
    out = np.empty(country.size, dtype=object)
    lengths = IBAN_LENGTH[country]
    for length in np.unique(lengths):
        at = np.nonzero(lengths == length)[0]
        if length > 0:
            rows = _iban_rows(country[at], int(length), rng)
        else:
            bic = np.column_stack(
                [
                    _random(_UPPER, at.size, 4, rng),
                    _country_codes(country[at]),
                    _random(_UPPER, at.size, 2, rng),
                    np.full((at.size, 1), ord("/"), dtype=np.uint8),
                    _random(_DIGITS, at.size, 10, rng),
                ]
            )
            rows = bic
        out[at] = rows_to_strings(rows).to_numpy(zero_copy_only=False)
    return pa.array(out, pa.string())


def prefixed(prefix: str, country: IntArray, digits: int, rng: np.random.Generator) -> pa.Array:
    """``<prefix><CC><digits random digits>``, e.g. card acceptors and MSB beneficiaries."""
    head = np.tile(np.frombuffer(prefix.encode(), dtype=np.uint8), (country.size, 1))
    rows = np.column_stack(
        [head, _country_codes(country), _random(_DIGITS, country.size, digits, rng)]
    )
    return rows_to_strings(rows)


def wallets(n: int, rng: np.random.Generator) -> pa.Array:
    """Wallet addresses (42 characters), half bech32-looking, half Ethereum-looking."""
    btc = np.column_stack(
        [np.tile(np.frombuffer(b"bc1q", dtype=np.uint8), (n, 1)), _random(_BECH32, n, 38, rng)]
    )
    eth = np.column_stack(
        [np.tile(np.frombuffer(b"0x", dtype=np.uint8), (n, 1)), _random(_HEX, n, 40, rng)]
    )
    return rows_to_strings(np.where((rng.random(n) < 0.5)[:, None], btc, eth))


def identifiers(given: pa.Array, family: pa.Array, home: str, rng: np.random.Generator) -> pa.Array:
    """One sender identifier per person: phone (60%), e-mail (30%) or device id (10%)."""
    n = len(given)
    calling = _CALLING.get(home, "+49")
    phone = pc.binary_join_element_wise(
        pa.array(np.full(n, calling + "15")),
        rows_to_strings(_random(_DIGITS, n, 9, rng)),
        "",
    )
    local = pc.binary_join_element_wise(
        pc.utf8_lower(given),
        pc.replace_substring(pc.utf8_lower(family), " ", ""),
        ".",
    )
    suffix = pa.array(rng.integers(1, 100, n)).cast(pa.string())
    domain = pa.array(_DOMAINS).take(pa.array(rng.integers(0, len(_DOMAINS), n)))
    email = pc.binary_join_element_wise(pc.binary_join_element_wise(local, suffix, ""), domain, "@")
    device = pc.binary_join_element_wise(
        pa.array(np.full(n, "dev:")), rows_to_strings(_random(_HEX, n, 16, rng)), ""
    )
    u = rng.random(n)
    kind = np.where(u < 0.6, 0, np.where(u < 0.9, 1, 2))
    return pc.choose(pa.array(kind), phone, email, device)


def one(builder_result: pa.Array) -> str:
    """The single string of a one-element builder result."""
    return str(builder_result[0].as_py())
