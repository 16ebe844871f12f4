"""A case closed as suspicious, exported as a goAML STR: the case's transactions read back
from the dataset's Parquet partitions, its alerted accounts as the report's subjects, the
FIU's goAML configuration and exchange rates from the settings. The XML is validated against
the goAML XSD before it is returned; the export is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from cthub.core import duck
from cthub.core.errors import Conflict, InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.finance.cases import _case
from cthub.finance.datasets import literal, partition_files
from cthub.finance.goaml import StrCase, SubjectAccount, build_report, default_config, load_config
from cthub.finance.models import FinanceAlert, FinanceDataset


def fx_rates(text: str) -> dict[str, Decimal]:
    """``CUR=rate`` pairs (``CTHUB_FINANCE_FX_RATES``) as decimals."""
    out: dict[str, Decimal] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        code, _, rate = pair.partition("=")
        try:
            out[code.strip().upper()] = Decimal(rate.strip())
        except InvalidOperation:
            raise InvalidInput("Exchange rate {pair} is not CUR=number.",
                               hint="Set CTHUB_FINANCE_FX_RATES like EUR=3.97,USD=3.6725.",
                               pair=pair[:40]) from None  # fmt: skip
    return out


def _transactions(hub: Hub, s: Any, alerts: list[FinanceAlert]) -> list[dict[str, Any]]:
    ids = sorted({h["tx_id"] for a in alerts for h in (a.hits or [])})
    files = []
    for ds_id in sorted({a.dataset_id for a in alerts}):
        ds = s.get(FinanceDataset, ds_id)
        if ds is not None:
            files += [p for p in partition_files(s, hub, ds) if p.exists()]
    if not ids or not files:
        return []
    con = duck.connect()
    try:
        con.execute("CREATE TEMP TABLE wanted (tx_id VARCHAR)")
        con.executemany("INSERT INTO wanted VALUES (?)", [(i,) for i in ids])
        sources = ", ".join(literal(p) for p in files)
        cur = con.execute(f"SELECT * FROM read_parquet([{sources}]) SEMI JOIN wanted USING (tx_id) "  # noqa: S608
                          "ORDER BY ts, tx_id")  # fmt: skip
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def export_str(hub: Hub, actor: Actor, case_id: int) -> bytes:
    """The goAML STR XML of a case a reviewer closed as suspicious."""
    settings = hub.settings
    config = load_config(settings.finance_goaml_config) if settings.finance_goaml_config else (
        default_config())  # fmt: skip
    with hub.unit(actor, "finance.report") as u:
        c = _case(u, case_id)
        if c.state != "suspicious":
            raise Conflict("Case {id} is {state}: only a case closed as suspicious is reported.",
                           id=c.id, state=c.state)  # fmt: skip
        alerts = list(u.s.scalars(select(FinanceAlert).where(FinanceAlert.case_id == c.id)))
        case = StrCase(
            reference=f"cthub-case-{c.id}", reason=c.reason or c.title, action=c.title,
            submission_date=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
            transactions=tuple(_transactions(hub, u.s, alerts)),
            subject_accounts=tuple(SubjectAccount(a.account) for a in alerts),
            fx_rates=fx_rates(settings.finance_fx_rates),
        )  # fmt: skip
        xml = build_report(case, config)
        u.audit(
            "finance_case", c.id, details={"goaml": True, "transactions": len(case.transactions)}
        )
        return xml


__all__ = ["export_str", "fx_rates"]
