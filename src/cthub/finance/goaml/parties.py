"""The two sides of a goAML transaction: ``t_from`` or ``t_from_my_client``, ``t_to`` or
``t_to_my_client``.

A side is written as the institution's client (``*_my_client``) when its account is a subject
account with the institution's KYC record, and in the plain form otherwise. The party is:

- an account (``t_account`` with the account number, the holder's name as ``account_name``,
  the holder as ``t_entity`` for companies and NPOs or as the ``signatory`` person for
  persons); cthub does not know a counterparty's bank, so ``institution_code`` is the
  configuration's placeholder;
- a person or an entity (by the side's party type) when the side has no account: the bearer
  of cash in a withdrawal or deposit, who is the account holder (schema.py's cash convention);
- a side of unknown party type without an account is written as a person.

The side's country is the required ``*_country``; an unknown or unlisted one is written as the
configuration's unknown code. Optional country fields are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from cthub.finance.goaml import xsd
from cthub.finance.goaml.case import ClientPerson, SubjectAccount
from cthub.finance.goaml.clients import (
    client_account,
    client_entity,
    client_person,
    iban,
    person_name,
)
from cthub.finance.goaml.config import ENTITY_TYPES, GoamlConfig
from cthub.finance.goaml.fields import add, amount, name, split_name, text

#: ``*_funds_comment`` of a side that is the subject of the report.
SUBJECT_COMMENT = "Subject of this report."


@dataclass(frozen=True)
class Side:
    """One side of a transaction as cthub holds it (canonical stored columns)."""

    account: str
    name: str
    kind: str  # person, company, npo or '' (schema.PARTY_TYPES)
    country: str


@dataclass(frozen=True)
class Foreign:
    """The transaction's own currency and amount when it is not the local currency."""

    currency: str
    amount: Decimal
    rate: Decimal


def country(code: str) -> str:
    """``code`` when the schema's country list has it, else ``''``."""
    code = code.strip().upper()
    return code if code and code in xsd.codes("country_type") else ""


def side(
    parent: etree._Element,
    direction: str,
    s: Side,
    subject: SubjectAccount | None,
    funds: str,
    foreign: Foreign | None,
    config: GoamlConfig,
) -> etree._Element:
    """Write side ``direction`` (``from`` or ``to``) of a transaction under ``parent``."""
    d = direction
    mine = subject is not None and subject.client is not None
    el = add(parent, f"t_{d}_my_client" if mine else f"t_{d}")
    add(el, f"{d}_funds_code", funds)
    if subject is not None:
        add(el, f"{d}_funds_comment", SUBJECT_COMMENT)
    if foreign is not None:
        fx = add(el, f"{d}_foreign_currency")
        add(fx, "foreign_currency_code", foreign.currency)
        add(fx, "foreign_amount", amount(foreign.amount, "foreign_amount"))
        add(fx, "foreign_exchange_rate", amount(foreign.rate, "foreign_exchange_rate"))
    _party(el, d, s, subject, config)
    add(el, f"{d}_country", country(s.country) or config.unknown)
    return el


def _party(
    el: etree._Element, d: str, s: Side, subject: SubjectAccount | None, config: GoamlConfig
) -> None:
    client = subject.client if subject is not None else None
    if client is not None:
        if s.account:
            client_account(el, f"{d}_account", s.account, client, config)
        elif isinstance(client.holder, ClientPerson):
            client_person(el, f"{d}_person", client.holder, config)
        else:
            client_entity(el, f"{d}_entity", client.holder, config)
    elif s.account:
        account(el, f"{d}_account", s, config)
    elif s.kind in ENTITY_TYPES:
        entity(el, f"{d}_entity", s, config)
    else:
        person(el, f"{d}_person", s, config)


def account(parent: etree._Element, tag: str, s: Side, config: GoamlConfig) -> etree._Element:
    """A ``t_account`` element for a counterparty's (or an uncovered subject's) account."""
    el = add(parent, tag)
    add(el, "institution_code", text(config.counterparty_institution_code, 50))
    add(el, "account", text(s.account, 255) or config.unknown)
    add(el, "account_name", name(s.name, 255) or config.unknown_name)
    if iban(s.account):
        add(el, "iban", iban(s.account))
    if s.kind in ENTITY_TYPES:
        entity(el, "t_entity", s, config)
    elif s.kind == "person":
        person(add(el, "signatory"), "t_person", s, config)
    return el


def person(parent: etree._Element, tag: str, s: Side, config: GoamlConfig) -> etree._Element:
    """A ``t_person`` with the first and last name split from the side's name."""
    el = add(parent, tag)
    first, last = split_name(s.name)
    person_name(el, first, last, config)
    return el


def entity(parent: etree._Element, tag: str, s: Side, config: GoamlConfig) -> etree._Element:
    """A ``t_entity`` with its name and the configured legal form of its party type."""
    el = add(parent, tag)
    add(el, "name", name(s.name, 255) or config.unknown_name)
    add(el, "incorporation_legal_form", config.legal_forms[s.kind])
    return el


__all__ = ["SUBJECT_COMMENT", "Foreign", "Side", "account", "country", "entity", "person", "side"]
