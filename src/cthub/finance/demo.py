"""Demo data for finance: a bank's transaction feed at the financial intelligence unit.

A synthetic dataset (``cthub.finance.synth``, fixed seed: 2,500 accounts over 60 days, with
planted typologies and benign decoys) is written as Parquet and ingested by the FIU's analyst
through the real ingest, monitored with the organisation's rules (its alerts stored for
review), and the best alert is opened as a case, so every finance page has something to show.
Idempotent: a second run finds the dataset and adds nothing. Registered under ``cthub.demo``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Organisation, User
from cthub.finance import synth
from cthub.finance.cases import alerts, open_case
from cthub.finance.datasets import ingest_file, list_datasets
from cthub.finance.monitor import monitor_dataset

FIU = "National Financial Intelligence Unit"
ANALYST = "fiu.analyst"
DATASET = "demo-bank-feed"
ACCOUNTS, DAYS, SEED = 2_500, 60, 7


def load_demo(hub: Hub, actor: Actor) -> dict[str, Any]:
    with hub.db.session(readonly=True) as s:
        org = s.scalars(select(Organisation).where(Organisation.name == FIU)).first()
        user = s.scalars(select(User).where(User.username == ANALYST)).first()
    if org is None or user is None:
        return {"skipped": f"no organisation {FIU} or user {ANALYST}"}
    analyst = Actor(user.username, user.role, user.org_id, user.id, via="demo")
    if any(d.name == DATASET for d in list_datasets(hub, analyst)):
        return {"transactions": 0, "alerts": 0, "cases": 0}
    data = synth.generate(ACCOUNTS, DAYS, SEED)
    with tempfile.TemporaryDirectory(prefix="cthub-demo-finance-") as tmp:
        path = data.write(Path(tmp) / "bank-feed.parquet")
        ingested = ingest_file(hub, analyst, path, DATASET)
    run = monitor_dataset(hub, analyst, DATASET)
    cases = 0
    best = alerts(hub, analyst, "open", limit=1)
    if best:
        first = best[0]
        title = f"Demo: {first.account} ({first.rules.replace(',', ', ')})"
        open_case(hub, analyst, [first.id], title)
        cases = 1
    return {"transactions": ingested.rows, "alerts": len(run.alerts), "cases": cases}


__all__ = ["load_demo"]
