"""goAML elements for the reporting institution's own clients (``*_my_client``) and addresses.

The ``my_client`` types require the institution's KYC record: a client person's gender, birth
date, ID number, nationality, residence and identity document; a client entity's legal form,
registration, business, incorporation and directors; a client account's institution, branch,
currency, opening date, status and signatories. The values come from
:class:`~cthub.finance.goaml.case.ClientAccount`; codes in them (gender, identifier type,
legal form, countries) are checked by the schema when the report is validated, so a wrong
one is refused with its element path.
"""

from __future__ import annotations

from lxml import etree

from cthub.core.errors import InvalidInput
from cthub.finance.goaml.case import ClientAccount, ClientEntity, ClientPerson
from cthub.finance.goaml.config import Address, GoamlConfig
from cthub.finance.goaml.fields import add, name, text, when

#: account numbers that look like an IBAN are also written as ``iban``.
IBAN_MAX = 34


def address(parent: etree._Element, tag: str, a: Address) -> etree._Element:
    """A ``t_address`` element ``tag`` under ``parent``."""
    el = add(parent, tag)
    add(el, "address_type", a.address_type)
    add(el, "address", text(a.address, 100))
    if a.town:
        add(el, "town", text(a.town, 255))
    add(el, "city", text(a.city, 255))
    if a.zip:
        add(el, "zip", text(a.zip, 10))
    add(el, "country_code", a.country_code)
    add(el, "state", text(a.state, 255))
    return el


def iban(account: str) -> str:
    """``account`` without spaces when it has the shape of an IBAN, else ``''``."""
    compact = account.replace(" ", "").upper()
    shaped = compact[:2].isalpha() and compact[2:4].isdigit() and compact.isalnum()
    return compact if shaped and 15 <= len(compact) <= IBAN_MAX and compact.isascii() else ""


def person_name(parent: etree._Element, first: str, last: str, config: GoamlConfig) -> None:
    """``first_name`` and ``last_name``, cleaned to the schema's name characters."""
    add(parent, "first_name", name(first, 100) or config.unknown_name)
    add(parent, "last_name", name(last, 100) or config.unknown_name)


def client_person(
    parent: etree._Element, tag: str, p: ClientPerson, config: GoamlConfig
) -> etree._Element:
    """A ``t_person_my_client`` element: the KYC fields the schema requires, in its order."""
    el = add(parent, tag)
    add(el, "gender", p.gender)
    person_name(el, p.first_name, p.last_name, config)
    add(el, "birthdate", when(p.birthdate, "birthdate"))
    add(el, "id_number", text(p.id_number, 255))
    add(el, "nationality1", p.nationality)
    add(el, "residence", p.residence)
    add(el, "phones")
    doc = p.identification
    ident = add(el, "identification")
    add(ident, "type", doc.type)
    add(ident, "number", text(doc.number, 255))
    add(ident, "issue_date", when(doc.issue_date, "identification issue_date"))
    add(ident, "expiry_date", when(doc.expiry_date, "identification expiry_date"))
    add(ident, "issue_country", doc.issue_country)
    add(el, "tax_reg_number", text(p.tax_reg_number, 1) or config.unknown)
    return el


def client_entity(
    parent: etree._Element, tag: str, e: ClientEntity, config: GoamlConfig
) -> etree._Element:
    """A ``t_entity_my_client`` element; an entity without a director is refused."""
    if not e.directors:
        raise InvalidInput(
            "Client entity {name}: goAML needs at least one director.", name=name(e.name, 80)
        )
    el = add(parent, tag)
    add(el, "name", name(e.name, 255) or config.unknown_name)
    add(el, "incorporation_legal_form", e.legal_form)
    add(el, "incorporation_number", text(e.incorporation_number, 50))
    add(el, "business", text(e.business, 255))
    addresses = add(el, "addresses")
    if e.address is not None:
        address(addresses, "address", e.address)
    add(el, "incorporation_state", text(e.incorporation_state, 255))
    add(el, "incorporation_country_code", e.incorporation_country)
    for d in e.directors:
        director = add(el, "director_id")
        person_name(director, d.first_name, d.last_name, config)
        add(director, "role", d.role)
    add(el, "incorporation_date", when(e.incorporation_date, "incorporation_date"))
    add(el, "tax_reg_number", text(e.tax_reg_number, 1) or config.unknown)
    return el


def holder_name(c: ClientAccount, config: GoamlConfig) -> str:
    """The account holder's name as goAML writes names."""
    h = c.holder
    full = h.name if isinstance(h, ClientEntity) else f"{h.first_name} {h.last_name}"
    return name(full, 255) or config.unknown_name


def client_account(
    parent: etree._Element, tag: str, account: str, c: ClientAccount, config: GoamlConfig
) -> etree._Element:
    """A ``t_account_my_client`` element for the institution's client account ``account``."""
    signatories = c.signatories
    if not signatories and isinstance(c.holder, ClientPerson):
        signatories = (c.holder,)
    if not signatories:
        raise InvalidInput(
            "Subject account {account}: a company or NPO account needs a signatory.",
            account=text(account, 80),
        )
    inst = config.institution
    el = add(parent, tag)
    add(el, "institution_name", text(inst.name, 255))
    if inst.code:
        add(el, "institution_code", text(inst.code, 50))
    else:
        add(el, "swift", text(inst.swift, 11))
    add(el, "non_bank_institution", "true" if inst.non_bank else "false")
    add(el, "branch", text(inst.branch, 255))
    add(el, "account", text(account, 255))
    add(el, "currency_code", c.currency)
    owner = holder_name(c, config)
    add(el, "account_name", owner)
    if iban(account):
        add(el, "iban", iban(account))
    add(el, "personal_account_type", c.account_type or config.account_type_code)
    if isinstance(c.holder, ClientEntity):
        client_entity(el, "t_entity", c.holder, config)
    _signatories(el, c, signatories, config)
    add(el, "opened", when(c.opened, "opened"))
    add(el, "status_code", c.status_code or config.account_status_code)
    add(el, "beneficiary", owner[:50].strip())
    return el


def _signatories(
    el: etree._Element, c: ClientAccount, people: tuple[ClientPerson, ...], config: GoamlConfig
) -> None:
    """One ``signatory`` per person, the first primary; the holder gets the holder role."""
    for i, person in enumerate(people):
        signatory = add(el, "signatory")
        if i == 0:
            add(signatory, "is_primary", "1")
        client_person(signatory, "t_person", person, config)
        own = person == c.holder
        add(signatory, "role", config.holder_role if own else config.signatory_role)


__all__ = ["address", "client_account", "client_entity", "client_person", "iban", "person_name"]
