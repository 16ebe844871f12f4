"""What one goAML STR is built from: the case, its transactions and its subject accounts.

Transactions are dicts with the canonical stored columns (``cthub.finance.schema.STORED``): the
rows a case's alerts point at, as read back from the dataset. Subject accounts are the
accounts the case is about. goAML reports the reporting institution's own client accounts in
the ``*_my_client`` form, which needs the institution's KYC record of the account (opening
date, holder, signatories, identification). cthub's transaction table does not hold KYC, so a
subject account carries it in ``client`` when the institution supplies it; a subject account
without it is reported in the plain ``t_from``/``t_to`` form, marked as the report's subject
in the funds comment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cthub.finance.goaml.config import Address


@dataclass(frozen=True)
class Identification:
    """An identity document of a client person (goAML ``t_person_identification``)."""

    type: str  # the FIU's identifier_type code, e.g. PASSP
    number: str
    issue_date: dt.date
    expiry_date: dt.date
    issue_country: str


@dataclass(frozen=True)
class ClientPerson:
    """The KYC the schema requires of a client person (``t_person_my_client``)."""

    first_name: str
    last_name: str
    gender: str  # M, F or - (gender_type)
    birthdate: dt.date
    id_number: str
    nationality: str
    residence: str
    identification: Identification
    tax_reg_number: str = ""  # one character in this FIU's schema; '' writes config.unknown


@dataclass(frozen=True)
class Director:
    """A person who directs a client entity, with their entity_person_role_type code."""

    first_name: str
    last_name: str
    role: str = "DIR"


@dataclass(frozen=True)
class ClientEntity:
    """The KYC the schema requires of a client company or NPO (``t_entity_my_client``)."""

    name: str
    legal_form: str  # legal_form_type code
    incorporation_number: str
    business: str
    incorporation_state: str
    incorporation_country: str
    incorporation_date: dt.date
    directors: tuple[Director, ...]
    address: Address | None = None
    tax_reg_number: str = ""


@dataclass(frozen=True)
class ClientAccount:
    """The institution's record of a client account (``t_account_my_client``).

    ``signatories`` are the persons who operate the account; for a person's account the holder
    is the signatory when none is given. ``account_type`` and ``status_code`` default to the
    configuration's codes.
    """

    holder: ClientPerson | ClientEntity
    opened: dt.date
    currency: str
    signatories: tuple[ClientPerson, ...] = ()
    account_type: str = ""
    status_code: str = ""


@dataclass(frozen=True)
class SubjectAccount:
    """An account the case is about; with ``client`` it is reported as the institution's own."""

    account: str
    client: ClientAccount | None = None


@dataclass(frozen=True)
class StrCase:
    """One suspicious case to report.

    ``fx_rates`` give, for each transaction currency other than the FIU's local currency, the
    local amount of one unit (``Decimal`` or decimal text, never float): goAML's
    ``amount_local`` is in local currency, the original amount goes in ``*_foreign_currency``.
    ``indicators`` are report_indicator codes chosen for this case, added to the
    configuration's ``report_indicators``.
    """

    reference: str
    reason: str
    action: str
    submission_date: dt.date | dt.datetime
    transactions: Sequence[Mapping[str, Any]]
    subject_accounts: Sequence[SubjectAccount] = ()
    fx_rates: Mapping[str, Decimal | str] = field(default_factory=dict)
    indicators: Sequence[str] = ()

    def subject(self, account: str) -> SubjectAccount | None:
        """The subject account ``account``, or ``None`` when it is not one."""
        if not account:
            return None
        for s in self.subject_accounts:
            if s.account == account:
                return s
        return None


__all__ = [
    "ClientAccount",
    "ClientEntity",
    "ClientPerson",
    "Director",
    "Identification",
    "StrCase",
    "SubjectAccount",
]
