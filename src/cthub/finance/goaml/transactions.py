"""One canonical transaction row -> one goAML ``transaction`` element.

The row has the stored columns of ``cthub.finance.schema``. Its amount is integer minor units
of its currency: ``from_minor`` makes it an exact ``Decimal`` (EUR 123456 -> 1234.56, JPY
1500 -> 1500, KWD 12345 -> 12.345). ``amount_local`` is in the FIU's local currency: a
transaction in another currency is converted with the case's rate for that currency and
rounded half-even to the local currency's minor digits, and the original amount and rate go in
``from_foreign_currency`` and ``to_foreign_currency``. Nothing goes through float.

Cash follows schema.py: a withdrawal has an empty ``receiver`` and the country where the cash
was taken in ``receiver_country``; a deposit has an empty ``sender``. The cash side is the
account holder as bearer, with the cash funds code; the account side gets the account funds
code.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from typing import Any

from lxml import etree

from cthub.core.errors import InvalidInput
from cthub.core.money import decimal_text, from_minor, minor_digits
from cthub.finance.goaml import xsd
from cthub.finance.goaml.case import StrCase, SubjectAccount
from cthub.finance.goaml.config import GoamlConfig
from cthub.finance.goaml.fields import add, amount, text, when
from cthub.finance.goaml.parties import Foreign, Side, side
from cthub.finance.schema import CHANNELS

REQUIRED = ("tx_id", "ts", "sender", "receiver", "amount_minor", "currency")
TEXT_COLUMNS = (
    "sender",
    "receiver",
    "currency",
    "sender_name",
    "receiver_name",
    "sender_country",
    "receiver_country",
    "channel",
    "sender_type",
    "receiver_type",
)


def transaction(
    parent: etree._Element, tx: Mapping[str, Any], case: StrCase, config: GoamlConfig
) -> etree._Element:
    """Write ``tx`` as a goAML ``transaction`` under ``parent``."""
    row = _row(tx)
    tx_id, channel = row["tx_id"], row["channel"]
    local, foreign = _amounts(row, case, config)
    el = add(parent, "transaction")
    add(el, "transactionnumber", tx_id)
    add(el, "transaction_location", text(config.location.city, 255))
    add(el, "transaction_description", _description(row))
    add(el, "date_transaction", when(row["ts"], f"transaction {tx_id}: ts"))
    add(el, "transmode_code", config.transmode_codes[channel])
    add(el, "transmode_comment", config.transmode_comment)
    add(el, "amount_local", amount(local, f"transaction {tx_id}: amount_local"))
    (sender, s_subject, s_funds), (receiver, r_subject, r_funds) = _sides(row, case, config)
    side(el, "from", sender, s_subject, s_funds, foreign, config)
    side(el, "to", receiver, r_subject, r_funds, foreign, config)
    return el


def _row(tx: Mapping[str, Any]) -> dict[str, Any]:
    """The columns used, checked: required ones present, strings as ``str``, a known channel."""
    tx_id = text(tx.get("tx_id"), 100)
    missing = [c for c in REQUIRED if tx.get(c) is None]
    if missing or not tx_id:
        raise InvalidInput(
            "Transaction {tx_id}: {column} is missing.",
            tx_id=tx_id or "?",
            column=missing[0] if missing else "tx_id",
        )
    row: dict[str, Any] = {c: str(tx.get(c) or "").strip() for c in TEXT_COLUMNS}
    minor = tx["amount_minor"]
    if isinstance(minor, bool) or not isinstance(minor, numbers.Integral) or minor <= 0:
        raise InvalidInput(
            "Transaction {tx_id}: amount_minor must be a positive whole number of minor units.",
            tx_id=tx_id,
        )
    # int(): numpy integers (a DataFrame's) are Integral too
    row.update(tx_id=tx_id, ts=tx["ts"], amount_minor=int(minor))
    row["channel"] = row["channel"].lower() or "transfer"
    row["sender_type"], row["receiver_type"] = (
        row["sender_type"].lower(),
        row["receiver_type"].lower(),
    )
    if row["channel"] not in CHANNELS:
        raise InvalidInput(
            "Transaction {tx_id}: channel {channel} is not one of {channels}.",
            tx_id=tx_id,
            channel=text(row["channel"], 40),
            channels=", ".join(CHANNELS),
        )
    if not isinstance(row["ts"], dt.date | str):
        raise InvalidInput("Transaction {tx_id}: ts is not a date and time.", tx_id=tx_id)
    return row


def _amounts(
    row: dict[str, Any], case: StrCase, config: GoamlConfig
) -> tuple[Decimal, Foreign | None]:
    """The local amount, and the foreign currency part when the currency is not local."""
    tx_id, minor, currency = row["tx_id"], row["amount_minor"], row["currency"]
    if currency not in xsd.codes("currency_type"):
        raise InvalidInput(
            "Transaction {tx_id}: currency {currency} is not in the FIU's currency list.",
            tx_id=tx_id,
            currency=text(currency, 10),
        )
    value = from_minor(minor, currency)
    local_currency = config.currency_code_local
    if currency == local_currency:
        return value, None
    rate = _rate(case, currency, tx_id, local_currency)
    with localcontext() as ctx:
        ctx.prec = 60
        step = Decimal(1).scaleb(-minor_digits(local_currency))
        local = (value * rate).quantize(step, rounding=ROUND_HALF_EVEN)
    return local, Foreign(currency, value, rate)


def _rate(case: StrCase, currency: str, tx_id: str, local: str) -> Decimal:
    raw = case.fx_rates.get(currency)
    if raw is None:
        raise InvalidInput(
            "Transaction {tx_id}: no exchange rate from {currency} to {local}.",
            hint="Give the case's fx_rates: the {local} amount of one unit of each currency.",
            tx_id=tx_id,
            currency=currency,
            local=local,
        )
    rate = _decimal(raw)
    if rate is None or not rate.is_finite() or rate <= 0:
        raise InvalidInput(
            "Exchange rate for {currency}: {rate} is not a positive decimal.",
            hint="Give rates as Decimal or decimal text, never float.",
            currency=currency,
            rate=str(raw)[:40],
        )
    return rate


def _decimal(raw: object) -> Decimal | None:
    """``raw`` as a ``Decimal`` when it is one, a whole number or decimal text; floats are not."""
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw)
    if isinstance(raw, str):
        try:
            return Decimal(raw.strip())
        except InvalidOperation:
            return None
    return None


Party = tuple[Side, SubjectAccount | None, str]


def _sides(row: dict[str, Any], case: StrCase, config: GoamlConfig) -> tuple[Party, Party]:
    """(side, subject, funds code) for sender and receiver, with the cash bearer filled in."""
    sender = Side(row["sender"], row["sender_name"], row["sender_type"], row["sender_country"])
    receiver = Side(
        row["receiver"], row["receiver_name"], row["receiver_type"], row["receiver_country"]
    )
    s_subject, r_subject = case.subject(sender.account), case.subject(receiver.account)
    channel = row["channel"]
    funds = config.funds_codes[channel]
    if channel == "cash" and sender.account and not receiver.account:  # withdrawal
        bearer = Side("", sender.name, sender.kind, receiver.country)
        return (sender, s_subject, config.account_funds_code), (bearer, s_subject, funds)
    if channel == "cash" and receiver.account and not sender.account:  # deposit
        bearer = Side("", receiver.name, receiver.kind, sender.country)
        return (bearer, r_subject, funds), (receiver, r_subject, config.account_funds_code)
    return (sender, s_subject, funds), (receiver, r_subject, funds)


def _description(row: dict[str, Any]) -> str:
    channel = row["channel"]
    if channel == "cash" and not row["receiver"]:
        channel = "cash withdrawal"
    elif channel == "cash" and not row["sender"]:
        channel = "cash deposit"
    value = from_minor(row["amount_minor"], row["currency"])
    return f"{channel.replace('_', ' ')} {decimal_text(value)} {row['currency']}"


__all__ = ["transaction"]
