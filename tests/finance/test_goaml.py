"""goAML STR export: reports built from canonical transactions validate against the shipped
XSD, amounts are exact decimals, FIU code lists are checked, hostile text stays valid, and
validation names the failing element.

The schema is compiled once per process (``xsd.schema`` is cached); the ``schema`` fixture
builds it once for the module so that no single test carries the compile time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import pytest
import xmlschema
import yaml
from lxml import etree

from cthub.core.errors import InvalidInput
from cthub.finance.goaml import (
    ClientAccount,
    ClientEntity,
    ClientPerson,
    Director,
    Identification,
    StrCase,
    SubjectAccount,
    build_report,
    default_config,
    load_config,
    validate,
    xsd,
)
from cthub.finance.goaml.config import DEFAULT_FILE

SHA256 = "5897f7bcac8c1c8910f434cfe8e7e4728885a031fa7c309c22c9968e50652a65"
SUBJECT = "AE070331234567890123456"  # the reporting bank's client, IBAN-shaped
NPO_SUBJECT = "AE460330000010987654321"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema11:
    return xsd.schema()


def _person() -> ClientPerson:
    passport = Identification("PASSP", "P1234567", dt.date(2020, 1, 1), dt.date(2030, 1, 1), "AE")
    return ClientPerson(
        "Amina", "Haddad", "F", dt.date(1985, 3, 2), "784-1985-1234567-1", "AE", "AE", passport
    )


def _npo() -> ClientAccount:
    charity = ClientEntity(
        name="Helping Hands Foundation",
        legal_form="AMEMO",
        incorporation_number="NPO-2019-77",
        business="Charitable relief",
        incorporation_state="Dubai",
        incorporation_country="AE",
        incorporation_date=dt.date(2019, 6, 1),
        directors=(Director("Omar", "Saleh"),),
    )
    return ClientAccount(charity, dt.date(2019, 7, 1), "AED", signatories=(_person(),))


def _tx(
    tx_id: str, sender: str, receiver: str, amount_minor: int, currency: str, **kw: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "tx_id": tx_id,
        "ts": dt.datetime(2026, 1, 5, 9, 30, 15),
        "sender": sender,
        "receiver": receiver,
        "amount_minor": amount_minor,
        "currency": currency,
        "sender_name": "Amina Haddad",
        "receiver_name": "Acme Trading LLC",
        "sender_country": "AE",
        "receiver_country": "AE",
        "channel": "transfer",
        "sender_type": "person",
        "receiver_type": "company",
        "sender_identifier": "",
    }
    row.update(kw)
    return row


def _transactions() -> list[dict[str, Any]]:
    return [
        # person -> company, EUR (2 minor digits)
        _tx("T1", SUBJECT, "DE89370400440532013000", 123456, "EUR", receiver_country="DE"),
        # cash withdrawal abroad, JPY (0 minor digits): empty receiver, cash taken in Turkey
        _tx(
            "T2",
            SUBJECT,
            "",
            150000,
            "JPY",
            channel="cash",
            receiver_name="",
            receiver_type="",
            receiver_country="TR",
        ),
        # an NPO (not a client) -> the subject, KWD (3 minor digits), sender country unknown
        _tx(
            "T3",
            "KW81CBKU0000000000001234560101",
            SUBJECT,
            12345,
            "KWD",
            sender_name="Al Noor Charity",
            sender_type="npo",
            sender_country="",
            receiver_name="Amina Haddad",
            receiver_type="person",
        ),
        # the client NPO -> a foreign person, local currency
        _tx(
            "T4",
            NPO_SUBJECT,
            "TR330006100519786457841326",
            2500075,
            "AED",
            sender_name="Helping Hands Foundation",
            sender_type="npo",
            receiver_name="Yusuf Demir",
            receiver_type="person",
            receiver_country="TR",
        ),
    ]


def _case(transactions: list[dict[str, Any]] | None = None, **kw: Any) -> StrCase:
    txs = _transactions() if transactions is None else transactions
    fields: dict[str, Any] = {
        "reference": "CASE-2026-001",
        "reason": "Funds from an NPO moved on to a high-risk jurisdiction.",
        "action": "Account restricted; relationship under review.",
        "submission_date": dt.date(2026, 2, 1),
        "transactions": txs,
        "subject_accounts": [
            SubjectAccount(SUBJECT, ClientAccount(_person(), dt.date(2019, 5, 1), "AED")),
            SubjectAccount(NPO_SUBJECT, _npo()),
        ],
        "fx_rates": {"EUR": Decimal("4.0123"), "JPY": "0.0245", "KWD": Decimal("11.95")},
        "indicators": ["ANP02"],
    }
    fields.update(kw)
    return StrCase(**fields)


def _tree(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def _texts(root: etree._Element, path: str) -> list[str]:
    return [e.text or "" for e in root.iterfind(path)]


def test_shipped_schema_is_the_pristine_file() -> None:
    assert hashlib.sha256(xsd.SCHEMA_FILE.read_bytes()).hexdigest() == SHA256


def test_pristine_schema_loads_but_refuses_real_names(schema: xmlschema.XMLSchema11) -> None:
    pristine = xmlschema.XMLSchema11(str(xsd.SCHEMA_FILE))  # loads as it is
    root = _tree(build_report(_case(), default_config()))
    first = next(iter(pristine.iter_errors(root)))  # but "^...$" is literal in XSD regex
    assert first.path == "/report/reporting_person/first_name"
    assert schema.is_valid(root)


def test_default_config_uses_the_schema_codes(schema: xmlschema.XMLSchema11) -> None:
    config = default_config()
    assert config.report_code == "STR"
    assert set(config.funds_codes.values()) <= xsd.codes("funds_type")
    assert set(config.transmode_codes.values()) <= xsd.codes("conduction_type")


def test_report_validates_and_maps_each_side(schema: xmlschema.XMLSchema11) -> None:
    xml = build_report(_case(), default_config())
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    validate(xml)
    assert schema.is_valid(etree.fromstring(xml))
    t1, t2, t3, t4 = _tree(xml).iterfind("transaction")
    # person -> company: the client's account, then a counterparty account held by an entity
    assert t1.findtext("t_from_my_client/from_account/account") == SUBJECT
    assert t1.findtext("t_from_my_client/from_account/iban") == SUBJECT
    assert t1.findtext("t_from_my_client/from_account/signatory/t_person/last_name") == "Haddad"
    assert t1.findtext("t_to/to_account/t_entity/name") == "Acme Trading LLC"
    assert t1.findtext("t_to/to_country") == "DE"
    assert t1.findtext("date_transaction") == "2026-01-05T09:30:15"
    # cash withdrawal: account side, then the holder as bearer in the country of withdrawal
    assert t2.findtext("transmode_code") == "OCT"
    assert t2.findtext("t_from_my_client/from_funds_code") == "FRACC"
    assert t2.findtext("t_to_my_client/to_funds_code") == "CASH"
    assert t2.findtext("t_to_my_client/to_person/first_name") == "Amina"
    assert t2.findtext("t_to_my_client/to_country") == "TR"
    # an NPO counterparty: entity with the NPO legal form; its unknown country as '-'
    assert t3.findtext("t_from/from_account/t_entity/incorporation_legal_form") == "AMEMO"
    assert t3.findtext("t_from/from_country") == "-"
    assert t3.find("t_from/from_account/t_entity/incorporation_country_code") is None
    # the client NPO's account, with the entity and its signatory; a foreign person receives
    assert t4.findtext("t_from_my_client/from_account/t_entity/director_id/role") == "DIR"
    assert t4.findtext("t_from_my_client/from_account/signatory/role") == "AGENT"
    assert t4.findtext("t_to/to_account/signatory/t_person/first_name") == "Yusuf"
    assert t4.findtext("t_to/to_country") == "TR"
    assert _texts(_tree(xml), "report_indicators/indicator") == ["TFFTH", "ANP02"]


def test_amounts_are_exact_decimals() -> None:
    root = _tree(build_report(_case(), default_config()))
    t1, t2, t3, t4 = root.iterfind("transaction")
    foreign = [
        t.findtext("t_from_my_client/from_foreign_currency/foreign_amount")
        or t.findtext("t_from/from_foreign_currency/foreign_amount")
        for t in (t1, t2, t3)
    ]
    assert foreign == ["1234.56", "150000", "12.345"]
    # local amount: foreign amount x rate, rounded half-even to the AED's 2 digits
    assert t1.findtext("amount_local") == "4953.43"  # 1234.56 x 4.0123 = 4953.426888
    assert t2.findtext("amount_local") == "3675.00"  # 150000 x 0.0245
    assert t3.findtext("amount_local") == "147.52"  # 12.345 x 11.95 = 147.52275
    assert t4.findtext("amount_local") == "25000.75"
    assert t4.find("t_from_my_client/from_foreign_currency") is None
    big = _tx("BIG", SUBJECT, "X-1", 2**53 + 1, "AED")  # beyond float's exact integers
    root = _tree(build_report(_case([big]), default_config()))
    assert root.findtext("transaction/amount_local") == "90071992547409.93"


def test_config_with_an_unknown_funds_code_is_refused() -> None:
    data = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["funds_codes"]["transfer"] = "WIRE9"
    with pytest.raises(InvalidInput) as e:
        load_config(data)
    assert "WIRE9" in str(e.value)
    assert "funds_codes.transfer" in str(e.value)
    assert e.value.params["type"] == "funds_type"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"transmode_codes": {"transfer": "ELCFT"}}, "cash"),
        ({"report_indicators": ["NOPE1"]}, "NOPE1"),
        ({"rentity_id": "12"}, "rentity_id"),
        ({"colour": "red"}, "colour"),
        ({"reporting_person": {"first_name": "A", "last_name": "B", "email": "x@"}}, "x@"),
    ],
)
def test_config_errors_name_the_setting(change: dict[str, Any], named: str) -> None:
    data = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    data.update(change)
    with pytest.raises(InvalidInput, match=named):
        load_config(data)


def test_hostile_text_is_escaped_or_cut() -> None:
    hostile = "<script>alert('x')</script>\x00\x01\x1b\ufffe]]>&amp;"
    long_name = "Zoë " + "x" * 10_000
    txs = [
        _tx(
            "T1\x07<b>",
            SUBJECT,
            "<acct>\x00" + "9" * 400,
            500,
            "AED",
            receiver_name=hostile + long_name,
            receiver_type="company",
        ),
        _tx(
            "T2",
            "",
            SUBJECT,
            700,
            "AED",
            channel="cash",
            sender_name="",
            sender_type="",
            receiver_name=long_name,
            receiver_type="person",
            sender_country="zz",
        ),
        _tx(
            "T3",
            "ANON",
            "ANON2",
            900,
            "AED",
            sender_name="王伟",
            receiver_name=hostile,
            receiver_type="person",
            sender_type="",
        ),
    ]
    case = _case(txs, reason=hostile + "y" * 10_000, reference="REF<1>\x0b")
    xml = build_report(case, default_config())
    validate(xml)
    root = _tree(xml)
    assert b"<script>" not in xml
    assert root.findtext("reason", "").startswith("<script>alert('x')</script>]]>&amp;")
    assert len(root.findtext("reason", "")) == 8000
    assert root.findtext("entity_reference") == "REF<1>"
    t1, t2, t3 = root.iterfind("transaction")
    assert t1.findtext("transactionnumber") == "T1<b>"
    assert len(t1.findtext("t_to/to_account/account", "")) == 255
    entity_name = t1.findtext("t_to/to_account/t_entity/name", "")
    assert entity_name.startswith("script alert 'x' script amp Zoe x")
    assert len(entity_name) == 255
    # cash deposit by an unknown bearer: the holder (the subject's KYC) is the bearer
    assert t2.findtext("t_from_my_client/from_person/last_name") == "Haddad"
    assert t2.findtext("t_from_my_client/from_country") == "-"
    assert t3.findtext("t_from/from_account/account_name") == "WangWei"
    assert t3.findtext("t_to/to_account/signatory/t_person/last_name") == "amp"


def test_validate_names_the_broken_element() -> None:
    root = _tree(build_report(_case(), default_config()))
    second = list(root.iterfind("transaction"))[1]
    second.find("amount_local").text = "12.5.0"  # type: ignore[union-attr]
    broken = etree.tostring(root)
    with pytest.raises(InvalidInput) as e:
        validate(broken)
    assert e.value.params["path"] == "/report/transaction[2]/amount_local"
    assert "12.5.0" in e.value.params["reason"] or "decimal" in e.value.params["reason"]
    second.remove(second.find("transmode_code"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"/report/transaction\[2\]"):
        validate(etree.tostring(root))


@pytest.mark.parametrize(
    "document",
    [
        b"<report><rentity_id>1</rentity_id>",
        b"<foo/>",
        b'<!DOCTYPE report [<!ENTITY x "y">]><report>&x;</report>',
    ],
)
def test_validate_refuses_malformed_and_doctype(document: bytes) -> None:
    with pytest.raises(InvalidInput):
        validate(document)


def test_missing_rate_unknown_indicator_and_float_are_refused() -> None:
    with pytest.raises(InvalidInput, match="JPY"):
        build_report(_case(fx_rates={"EUR": "4", "KWD": "12"}), default_config())
    with pytest.raises(InvalidInput, match="ZZZZZ"):
        build_report(_case(indicators=["ZZZZZ"]), default_config())
    with pytest.raises(InvalidInput, match="not a positive decimal"):
        build_report(_case(fx_rates={"EUR": 4.01, "JPY": "1", "KWD": "1"}), default_config())
    float_amount = _tx("F", SUBJECT, "X", 10.5, "AED")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="amount_minor"):
        build_report(_case([float_amount]), default_config())
    with pytest.raises(InvalidInput, match="at least one transaction"):
        build_report(_case([]), default_config())


def test_subject_without_kyc_is_reported_plainly_and_marked() -> None:
    case = _case(subject_accounts=[SubjectAccount(SUBJECT)])
    root = _tree(build_report(case, default_config()))
    t1 = root.find("transaction")
    assert t1 is not None
    assert t1.find("t_from_my_client") is None
    assert t1.findtext("t_from/from_funds_comment") == "Subject of this report."
    assert t1.findtext("t_from/from_account/signatory/t_person/first_name") == "Amina"
    assert t1.findtext("t_to/to_funds_comment") is None


def test_company_client_account_needs_a_signatory() -> None:
    npo = _npo()
    unsigned = ClientAccount(npo.holder, npo.opened, npo.currency)
    case = _case(subject_accounts=[SubjectAccount(NPO_SUBJECT, unsigned)])
    with pytest.raises(InvalidInput, match="needs a signatory"):
        build_report(case, default_config())
