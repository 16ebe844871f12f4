"""Alerts and cases: a monitoring run's alerts stored for review, grouped into cases, assigned,
commented, and closed as suspicious or not by a person, every step audited. Only a case
closed as suspicious can be exported as a goAML STR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from cthub.core.db import utcnow
from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.finance.models import (
    CASE_STATES,
    FinanceAlert,
    FinanceCase,
    FinanceCaseComment,
)

MAX_HITS = 200


@dataclass(frozen=True)
class AlertView:
    id: int
    account: str
    score: float
    rules: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    tx_count: int
    state: str
    case_id: int | None
    hits: list[dict[str, Any]]
    network: dict[str, Any]

    @classmethod
    def of(cls, a: FinanceAlert) -> AlertView:
        return cls(a.id, a.account, a.score, a.rules, a.first_seen, a.last_seen, a.tx_count,
                   a.state, a.case_id, list(a.hits or []), dict(a.network or {}))  # fmt: skip


@dataclass(frozen=True)
class CaseView:
    id: int
    title: str
    state: str
    assignee: str
    reason: str
    created_by: str
    decided_by: str
    decided_at: dt.datetime | None
    alerts: list[AlertView]
    comments: list[tuple[str, str, dt.datetime]]


def store_alerts(
    u: Unit,
    dataset_id: int,
    scored: list[dict[str, Any]],
    hits: list[dict[str, Any]],
    network: dict[str, dict[str, Any]] | None = None,
) -> int:
    """Store one run's alerts in the caller's unit: one row per scored account, with its hits
    (rule, transaction, detail) as the explanation; an account already open is refreshed."""
    by_account: dict[str, list[dict[str, Any]]] = {}
    for h in hits:
        by_account.setdefault(str(h["account"]), []).append(
            {"rule": h["rule"], "tx_id": h["tx_id"], "ts": str(h["ts"]), "detail": h["detail"]}
        )
    open_ = {
        a.account: a
        for a in u.s.scalars(
            select(FinanceAlert).where(
                FinanceAlert.dataset_id == dataset_id, FinanceAlert.state == "open"
            )
        )
    }
    for row in scored:
        account = str(row["account"])
        alert = open_.get(account) or FinanceAlert(
            org_id=u.actor.org_id, dataset_id=dataset_id, account=account[:200]
        )
        alert.score, alert.rules = float(row["score"]), str(row["rules"])[:500]
        alert.first_seen, alert.last_seen = _utc(row["first_seen"]), _utc(row["last_seen"])
        alert.tx_count = int(row["tx_count"])
        alert.hits = by_account.get(account, [])[:MAX_HITS]
        alert.network = (network or {}).get(account, {})
        u.s.add(alert)
    u.s.flush()
    return len(scored)


def _utc(value: dt.datetime) -> dt.datetime:
    """Transaction times are naive UTC (Parquet); the database keeps aware UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _scope(u: Unit, q: Any, column: Any) -> Any:
    orgs = u.visible_orgs()
    return q if orgs is None else q.where(column.in_(orgs))


def alerts(hub: Hub, actor: Actor, state: str = "open", limit: int = 100) -> list[AlertView]:
    with hub.unit(actor, "finance.read") as u:
        q = _scope(u, select(FinanceAlert), FinanceAlert.org_id)
        if state:
            q = q.where(FinanceAlert.state == state)
        q = q.order_by(FinanceAlert.score.desc(), FinanceAlert.id).limit(limit)
        return [AlertView.of(a) for a in u.s.scalars(q)]


def _case(u: Unit, case_id: int) -> FinanceCase:
    c = u.s.get(FinanceCase, case_id)
    orgs = u.visible_orgs()
    if c is None or (orgs is not None and c.org_id not in orgs):
        raise NotFound("No case {id}.", id=case_id)
    return c


def open_case(hub: Hub, actor: Actor, alert_ids: Sequence[int], title: str) -> CaseView:
    """Group open alerts of the actor's organisation into a new case."""
    if not title.strip():
        raise InvalidInput("A case needs a title.", hint="Say what the case is about.")
    if any(not 0 < i < 2**31 for i in alert_ids):
        raise InvalidInput("Alert ids are whole numbers from 1.", hint="Give the alerts' ids.")
    with hub.unit(actor, "finance.cases") as u:
        found = list(u.s.scalars(select(FinanceAlert).where(FinanceAlert.id.in_(alert_ids))))
        mine = [a for a in found if u.actor.is_system or a.org_id == u.actor.org_id]
        if not mine or len(mine) != len(set(alert_ids)):
            raise NotFound("No open alert {ids} of your organisation.",
                           ids=", ".join(map(str, alert_ids)))  # fmt: skip
        taken = [a.id for a in mine if a.case_id is not None]
        if taken:
            raise Conflict("Alert {id} is in a case already.", id=taken[0])
        c = FinanceCase(org_id=actor.org_id, title=title.strip()[:300], created_by=actor.name)
        u.s.add(c)
        u.s.flush()
        for a in mine:
            a.case_id, a.state = c.id, "in_case"
        u.audit("finance_case", c.id, details={"alerts": [a.id for a in mine]})
        return _view(u, c)


def _view(u: Unit, c: FinanceCase) -> CaseView:
    alerts_ = u.s.scalars(select(FinanceAlert).where(FinanceAlert.case_id == c.id)).all()
    comments = u.s.scalars(
        select(FinanceCaseComment).where(FinanceCaseComment.case_id == c.id)
        .order_by(FinanceCaseComment.id)
    ).all()  # fmt: skip
    return CaseView(c.id, c.title, c.state, c.assignee, c.reason, c.created_by, c.decided_by,
                    c.decided_at, [AlertView.of(a) for a in alerts_],
                    [(m.author, m.text, m.created_at) for m in comments])  # fmt: skip


def get_case(hub: Hub, actor: Actor, case_id: int) -> CaseView:
    with hub.unit(actor, "finance.read") as u:
        return _view(u, _case(u, case_id))


def assign(hub: Hub, actor: Actor, case_id: int, assignee: str) -> CaseView:
    with hub.unit(actor, "finance.cases") as u:
        c = _case(u, case_id)
        c.assignee = assignee.strip()[:200]
        u.audit("finance_case", c.id, details={"assignee": c.assignee})
        return _view(u, c)


def comment(hub: Hub, actor: Actor, case_id: int, text: str) -> CaseView:
    if not text.strip():
        raise InvalidInput("A comment cannot be empty.", hint="Write the comment.")
    with hub.unit(actor, "finance.cases") as u:
        c = _case(u, case_id)
        u.s.add(FinanceCaseComment(case_id=c.id, author=actor.name, text=text.strip()[:5000]))
        u.s.flush()
        u.audit("finance_case", c.id, details={"comment": True})
        return _view(u, c)


def close(hub: Hub, actor: Actor, case_id: int, decision: str, reason: str) -> CaseView:
    """A person's decision: ``suspicious`` (reportable) or ``not_suspicious``, with a reason."""
    if decision not in CASE_STATES[1:]:
        raise InvalidInput("Unknown decision {decision}.",
                           hint="Use suspicious or not_suspicious.",
                           decision=decision[:40])  # fmt: skip
    if not reason.strip():
        raise InvalidInput("A decision needs a reason.", hint="Say why.")
    with hub.unit(actor, "finance.decide") as u:
        c = _case(u, case_id)
        if c.state != "open":
            raise Conflict("Case {id} was closed already ({state}).", id=c.id, state=c.state)
        c.state, c.reason = decision, reason.strip()[:5000]
        c.decided_by, c.decided_at = actor.name, utcnow()
        for a in u.s.scalars(select(FinanceAlert).where(FinanceAlert.case_id == c.id)):
            a.state = "closed"
        u.audit("finance_case", c.id, details={"decision": decision})
        return _view(u, c)


__all__ = [
    "AlertView",
    "CaseView",
    "alerts",
    "assign",
    "close",
    "comment",
    "get_case",
    "open_case",
    "store_alerts",
]
