"""Cases: alerts grouped, assigned, commented and closed by a person with a reason, audited;
organisations and roles respected."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cthub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.tables import AuditEvent
from cthub.finance.cases import alerts, assign, close, comment, get_case, open_case, store_alerts
from cthub.finance.models import FinanceDataset
from tests import factories

T0 = dt.datetime(2026, 3, 1, 9, 0)


def _alerts(hub: Hub, member: factories.Member, accounts: list[str]) -> list[int]:
    with hub.unit(member.actor, "finance.monitor") as u:
        ds = FinanceDataset(org_id=member.actor.org_id, name=f"feed-{member.username}")
        u.s.add(ds)
        u.s.flush()
        scored = [{"account": a, "score": 0.5 + i / 10, "rules": "structuring",
                   "first_seen": T0, "last_seen": T0, "tx_count": 3}
                  for i, a in enumerate(accounts)]  # fmt: skip
        detail = "3 deposits 9,000-9,999 EUR within 7 days"
        hits = [{"rule": "structuring", "account": a, "tx_id": f"{a}-1", "ts": T0,
                 "detail": detail} for a in accounts]  # fmt: skip
        store_alerts(u, ds.id, scored, hits)
    return [a.id for a in alerts(hub, member.actor) if a.account in accounts]


def test_a_case_from_alerts_to_a_decision(hub: Hub) -> None:
    analyst = factories.member(hub, "analyst")
    reviewer = factories.member(hub, "reviewer", analyst.org)
    ids = _alerts(hub, analyst, ["DE01", "DE02"])
    assert next(a.hits[0]["detail"] for a in alerts(hub, analyst.actor)).startswith("3 deposits")
    case = open_case(hub, analyst.actor, ids, "Structuring ring")
    assert {a.state for a in case.alerts} == {"in_case"}
    with pytest.raises(Conflict):
        open_case(hub, analyst.actor, ids[:1], "again")
    assign(hub, analyst.actor, case.id, reviewer.username)
    comment(hub, reviewer.actor, case.id, "Deposits in three branches the same week.")
    with pytest.raises(Forbidden):
        close(hub, analyst.actor, case.id, "suspicious", "analysts do not decide")
    with pytest.raises(InvalidInput):
        close(hub, reviewer.actor, case.id, "suspicious", " ")
    done = close(hub, reviewer.actor, case.id, "suspicious", "Pattern and amounts fit FATF TF")
    assert (done.state, done.decided_by) == ("suspicious", reviewer.username)
    assert done.decided_at is not None
    assert done.comments[0][0] == reviewer.username
    with pytest.raises(Conflict):
        close(hub, reviewer.actor, case.id, "not_suspicious", "changed")
    with hub.db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent))]
    assert {"finance.cases", "finance.decide"} <= set(actions)


def test_other_organisations_see_nothing(hub: Hub) -> None:
    a = factories.member(hub, "analyst")
    b = factories.member(hub, "reviewer")
    ids = _alerts(hub, a, ["X1"])
    case = open_case(hub, a.actor, ids, "one")
    assert alerts(hub, b.actor, state="") == []
    with pytest.raises(NotFound):
        get_case(hub, b.actor, case.id)
    with pytest.raises(NotFound):
        open_case(hub, b.actor, ids, "steal")
