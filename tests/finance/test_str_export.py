"""A suspicious case exported as goAML: transactions read back from the dataset, the XML
valid against the XSD, only for cases a reviewer closed as suspicious, rates required."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from cthub.core.errors import Conflict, InvalidInput
from cthub.core.hub import Hub
from cthub.finance.cases import close, open_case, store_alerts
from cthub.finance.datasets import ingest_file
from cthub.finance.goaml import validate
from cthub.finance.models import FinanceAlert, FinanceDataset
from cthub.finance.str_export import export_str, fx_rates
from cthub.interfaces.cli.runtime import OPERATOR
from tests import factories
from tests.conftest import make_settings

CSV = """tx_id,timestamp,sender,receiver,amount,currency,channel,sender_name,receiver_name,\
sender_type,receiver_type,receiver_country
s1,2026-03-01T09:00:00Z,DE01,DE77,9500.00,EUR,transfer,Ali Test,Relief Aid e.V.,person,npo,DE
s2,2026-03-02T09:00:00Z,DE01,DE77,9800.00,EUR,transfer,Ali Test,Relief Aid e.V.,person,npo,DE
s3,2026-03-03T09:00:00Z,DE77,,4000.00,EUR,cash,Relief Aid e.V.,,npo,,TR
o1,2026-03-03T10:00:00Z,DE02,DE03,12.00,EUR,card,Bob,Shop,person,company,DE
"""


def _suspicious_case(hub: Hub, tmp_path: Path) -> int:
    analyst = factories.member(hub, "analyst")
    reviewer = factories.member(hub, "reviewer", analyst.org)
    path = tmp_path / "tx.csv"
    path.write_text(CSV, encoding="utf-8")
    ingest_file(hub, analyst.actor, path, "feed")
    with hub.unit(analyst.actor, "finance.monitor") as u:
        ds = u.s.scalars(select(FinanceDataset)).one()
        t = dt.datetime(2026, 3, 1, 9)
        scored = [{"account": "DE77", "score": 0.8, "rules": "structuring,cash_abroad_burst",
                   "first_seen": t, "last_seen": t, "tx_count": 3}]  # fmt: skip
        hits = [{"rule": "structuring", "account": "DE77", "tx_id": x, "ts": t,
                 "detail": "deposits below 10,000 EUR"} for x in ("s1", "s2", "s3")]  # fmt: skip
        store_alerts(u, ds.id, scored, hits)
        alert_id = u.s.scalars(select(FinanceAlert.id)).one()
    case = open_case(hub, analyst.actor, [alert_id], "NPO structuring and cash abroad")
    close(hub, reviewer.actor, case.id, "suspicious", "Deposits just below threshold, cash in TR")
    return case.id


def test_export_validates_and_holds_the_case_transactions(hub: Hub, tmp_path: Path) -> None:
    h = Hub(make_settings(tmp_path, hub.db.url, finance_fx_rates="EUR=3.97"), hub.db)
    case_id = _suspicious_case(h, tmp_path)
    xml = export_str(h, OPERATOR, case_id)
    validate(xml)
    root = etree.fromstring(xml)
    numbers = [e.text for e in root.iter("transactionnumber")]
    assert numbers == ["s1", "s2", "s3"]  # the card payment is no part of the case
    assert [e.text for e in root.iter("amount_local")][:2] == ["37715.00", "38906.00"]


def test_only_suspicious_cases_and_rates_required(hub: Hub, tmp_path: Path) -> None:
    case_id = _suspicious_case(hub, tmp_path)
    with pytest.raises(InvalidInput, match="EUR"):  # no rate for a foreign currency
        export_str(hub, OPERATOR, case_id)
    with pytest.raises(InvalidInput, match="not CUR=number"):
        fx_rates("EUR=abc")
    assert fx_rates("eur=3.97, usd=3.6725") == {"EUR": Decimal("3.97"), "USD": Decimal("3.6725")}


def test_an_open_case_is_not_reported(hub: Hub, tmp_path: Path) -> None:
    analyst = factories.member(hub, "analyst")
    path = tmp_path / "tx.csv"
    path.write_text(CSV, encoding="utf-8")
    ingest_file(hub, analyst.actor, path, "feed")
    with hub.unit(analyst.actor, "finance.monitor") as u:
        ds = u.s.scalars(select(FinanceDataset)).one()
        t = dt.datetime(2026, 3, 1, 9)
        store_alerts(u, ds.id, [{"account": "DE77", "score": 0.5, "rules": "x",
                                 "first_seen": t, "last_seen": t, "tx_count": 1}], [])  # fmt: skip
        alert_id = u.s.scalars(select(FinanceAlert.id)).one()
    case = open_case(hub, analyst.actor, [alert_id], "open one")
    with pytest.raises(Conflict, match="only a case closed as suspicious"):
        export_str(hub, OPERATOR, case.id)
