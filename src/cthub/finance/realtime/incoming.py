"""One incoming transaction, checked as an ingested row would be, into the stored form.

The checks are ingest's (``cthub.finance.ingest``), for one mapping instead of a file: the
required fields present, ``tx_id`` not empty, a timestamp in ISO 8601 (with or without an
offset; stored as naive UTC), a positive amount below 10^15 in a known ISO 4217 currency
(``amount`` as decimal text in the grammar of ``cthub.finance.amounts``, with no more decimal
places than the currency has, or ``amount_minor``, whole minor units; never a float), the
channel and party
types from the vocabularies of ``cthub.finance.schema`` (an empty channel is a transfer), and
two-letter countries. Text is trimmed, codes are case-folded as ingest does. Each refusal is
an ``InvalidInput`` that names the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from cthub.core.errors import InvalidInput
from cthub.core.money import currencies, minor_digits, to_minor
from cthub.finance.amounts import NOT_MONEY, TOO_PRECISE, parse_amount, places
from cthub.finance.schema import CHANNELS, OPTIONAL, PARTY_TYPES, REQUIRED

#: The fields an incoming transaction may have: ingest's columns, plus ``amount_minor``
#: (the stored form) in place of ``amount``.
FIELDS = (*REQUIRED, *OPTIONAL, "amount_minor")
MAX_TEXT = 300  # longest text value kept (names, accounts, identifiers)
MAX_TX_ID = 200
_COUNTRY = re.compile(r"([A-Z]{2})?")
_EPOCH = dt.datetime(1970, 1, 1)
_LIMIT = Decimal(10) ** 15
_MINOR_LIMIT = 10**18
_CHANNELS_TEXT = ", ".join(CHANNELS)
_TYPES_TEXT = ", ".join(PARTY_TYPES)


@dataclass(frozen=True, slots=True)
class Tx:
    """A checked transaction in the stored form (``schema.STORED``); ``ts`` in microseconds
    since 1970 (UTC), which is what every real-time window compares."""

    tx_id: str
    ts: int
    sender: str
    receiver: str
    amount_minor: int
    currency: str
    sender_name: str = ""
    receiver_name: str = ""
    sender_country: str = ""
    receiver_country: str = ""
    channel: str = "transfer"
    sender_type: str = ""
    receiver_type: str = ""
    sender_identifier: str = ""

    @property
    def time(self) -> dt.datetime:
        """``ts`` as a naive UTC datetime, as Parquet stores it."""
        return _EPOCH + dt.timedelta(microseconds=self.ts)


def micros(moment: dt.datetime) -> int:
    """Microseconds since 1970 of a naive-UTC or aware datetime."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def _bad(field: str, problem: str) -> InvalidInput:
    return InvalidInput(
        "Transaction field {field}: {problem}.",
        hint="Send the transaction as a file row would be: see the finance documentation.",
        field=field,
        problem=problem,
    )


def _text(raw: Mapping[str, object], field: str, limit: int = MAX_TEXT) -> str:
    value = raw.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(field, "not text")
    value = value.strip()
    if len(value) > limit:
        raise _bad(field, f"longer than {limit} characters")
    return value


def _timestamp(raw: Mapping[str, object]) -> int:
    value = raw.get("timestamp")
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if isinstance(value, dt.datetime):
        try:
            return micros(value)
        except OverflowError:  # an offset that moves it past year 1 or 9999
            pass
    raise _bad("timestamp", "not a date and time (ISO 8601, e.g. 2026-03-01T14:05:00Z)")


def _decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool | float):
        raise _bad(field, 'not a decimal (send text such as "9500.00", never a float)')
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str):
        parsed = parse_amount(value)
        if isinstance(parsed, str):
            raise _bad(field, parsed)
        number = parsed
    else:
        raise _bad(field, "not a number")
    if not number.is_finite():
        raise _bad(field, "not a number")
    return number


def _amount(raw: Mapping[str, object], currency: str) -> int:
    """Minor units from ``amount`` (a decimal) or ``amount_minor`` (whole minor units)."""
    given = [f for f in ("amount", "amount_minor") if raw.get(f) is not None]
    if len(given) != 1:
        raise _bad("amount", "give exactly one of amount (a decimal) and amount_minor")
    field = given[0]
    value = raw[field]
    if field == "amount_minor" and (isinstance(value, bool) or not isinstance(value, int)):
        raise _bad(field, "not a whole number of minor units")
    number = _decimal(value, field)
    if field == "amount_minor":
        number = number.scaleb(-minor_digits(currency))
    if number <= 0:
        raise _bad(field, "not positive")
    if number >= _LIMIT:
        raise _bad(field, "too large")
    if places(number) > minor_digits(currency):  # as ingest: never rounded away
        raise _bad(field, TOO_PRECISE)
    minor = to_minor(number, currency)
    if minor >= _MINOR_LIMIT:
        raise _bad(field, "too large")
    return minor


def _code(raw: Mapping[str, object], field: str, allowed: tuple[str, ...], text: str) -> str:
    value = _text(raw, field).lower()
    if value not in allowed:
        raise _bad(field, f"not one of {text}")
    return value


def _country(raw: Mapping[str, object], field: str) -> str:
    value = _text(raw, field).upper()
    if not _COUNTRY.fullmatch(value):
        raise _bad(field, "not an ISO 3166 alpha-2 code")
    return value


def _check_fields(raw: Mapping[str, object]) -> None:
    unknown = [str(k) for k in raw if k not in FIELDS]
    if unknown:
        raise InvalidInput(
            "Transaction field {field} is not known.",
            hint="Known fields: {known}.",
            field=unknown[0][:60],
            known=", ".join(FIELDS),
        )
    for name in REQUIRED:
        if name not in raw and not (name == "amount" and "amount_minor" in raw):
            raise InvalidInput(
                "Transaction field {field} is missing.",
                hint="Required fields: {required}.",
                field=name,
                required=", ".join(REQUIRED),
            )


def _parties(sender: str, receiver: str, channel: str) -> None:
    if not sender and not receiver:
        raise _bad("sender", "sender and receiver are both empty")
    if not sender and channel != "cash":
        raise _bad("sender", "empty (only a cash deposit has none)")
    if not receiver and channel != "cash":
        raise _bad("receiver", "empty (only a cash withdrawal has none)")


def parse(raw: Mapping[str, object]) -> Tx:
    """The checked ``Tx`` of ``raw`` (ingest's column names), or ``InvalidInput``."""
    _check_fields(raw)
    tx_id = _text(raw, "tx_id", MAX_TX_ID)
    if not tx_id:
        raise _bad("tx_id", "empty")
    ts = _timestamp(raw)
    currency = _text(raw, "currency").upper()
    if currency not in currencies() or currency in NOT_MONEY:
        raise _bad("currency", "not an ISO 4217 currency code")
    amount = _amount(raw, currency)
    channel = _text(raw, "channel").lower() or "transfer"
    if channel not in CHANNELS:
        raise _bad("channel", f"not one of {_CHANNELS_TEXT}")
    sender, receiver = _text(raw, "sender"), _text(raw, "receiver")
    _parties(sender, receiver, channel)
    types = ("", *PARTY_TYPES)
    return Tx(
        tx_id=tx_id,
        ts=ts,
        sender=sender,
        receiver=receiver,
        amount_minor=amount,
        currency=currency,
        sender_name=_text(raw, "sender_name"),
        receiver_name=_text(raw, "receiver_name"),
        sender_country=_country(raw, "sender_country"),
        receiver_country=_country(raw, "receiver_country"),
        channel=channel,
        sender_type=_code(raw, "sender_type", types, _TYPES_TEXT),
        receiver_type=_code(raw, "receiver_type", types, _TYPES_TEXT),
        sender_identifier=_text(raw, "sender_identifier"),
    )


__all__ = ["FIELDS", "Tx", "micros", "parse"]
