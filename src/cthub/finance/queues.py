"""The review queues: alerts filtered by state and dataset, sorted and paged; one alert with
its dataset; cases filtered by state and assignee, newest first, paged.

``cases.alerts`` serves the API's fixed list; the pages need filters, sorting, a total for the
page numbers, and the dataset of each alert. Reads need ``finance.read``, see the actor's
organisation (and what a sharing rule grants) only, and are audited.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select

from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.finance.cases import AlertView
from cthub.finance.models import CASE_STATES, FinanceAlert, FinanceCase, FinanceDataset

ALERT_STATES = ("open", "in_case", "closed")
#: sort key -> ORDER BY (the id last, so a page is stable)
ALERT_SORTS: dict[str, tuple[Any, ...]] = {
    "score": (FinanceAlert.score.desc(), FinanceAlert.tx_count.desc(), FinanceAlert.id),
    "last_seen": (FinanceAlert.last_seen.desc(), FinanceAlert.id),
    "tx_count": (FinanceAlert.tx_count.desc(), FinanceAlert.id),
    "account": (FinanceAlert.account, FinanceAlert.id),
}
MAX_SIZE = 500
T = TypeVar("T")


@dataclass(frozen=True)
class AlertRow:
    alert: AlertView
    dataset: str


@dataclass(frozen=True)
class CaseRow:
    id: int
    title: str
    state: str
    assignee: str
    created_by: str
    created_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    alerts: int


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))


def _scope(u: Unit, q: Any, column: Any) -> Any:
    orgs = u.visible_orgs()
    return q if orgs is None else q.where(column.in_(orgs))


def _paging(page: int, size: int) -> tuple[int, int]:
    if not 1 <= size <= MAX_SIZE:
        raise InvalidInput("A page holds 1 to {most} rows, not {value}.", most=MAX_SIZE,
                           value=size)  # fmt: skip
    return max(1, min(page, 10**6)), size


def alert_page(
    hub: Hub,
    actor: Actor,
    state: str = "open",
    dataset: str = "",
    sort: str = "score",
    page: int = 1,
    size: int = 50,
) -> Page[AlertRow]:
    """Alerts in ``state`` (``""``: any) of ``dataset`` (``""``: any), sorted by ``sort``."""
    if state and state not in ALERT_STATES:
        raise InvalidInput("Unknown alert state {state}.", hint="Use open, in_case or closed.",
                           state=state[:40])  # fmt: skip
    if sort not in ALERT_SORTS:
        raise InvalidInput("Alerts sort by {known}, not {value}.", known=", ".join(ALERT_SORTS),
                           value=sort[:40])  # fmt: skip
    page, size = _paging(page, size)
    with hub.unit(actor, "finance.read") as u:
        q = _scope(u, select(FinanceAlert, FinanceDataset.name), FinanceAlert.org_id)
        q = q.join(FinanceDataset, FinanceDataset.id == FinanceAlert.dataset_id)
        if state:
            q = q.where(FinanceAlert.state == state)
        if dataset:
            q = q.where(FinanceDataset.name == dataset)
        total = u.s.scalar(select(func.count()).select_from(q.subquery())) or 0
        q = q.order_by(*ALERT_SORTS[sort]).offset((page - 1) * size).limit(size)
        rows = [AlertRow(AlertView.of(a), name) for a, name in u.s.execute(q)]
        u.audit(details={"alerts": len(rows), "state": state, "dataset": dataset[:120]})
        return Page(rows, total, page, size)


def alert(hub: Hub, actor: Actor, alert_id: int) -> AlertRow:
    """One alert of the actor's organisation (or shared with it), with its dataset's name."""
    with hub.unit(actor, "finance.read") as u:
        a = u.s.get(FinanceAlert, alert_id) if 0 < alert_id < 2**31 else None
        orgs = u.visible_orgs()
        if a is None or (orgs is not None and a.org_id not in orgs):
            raise NotFound("No alert {id}.", id=alert_id)
        ds = u.s.get(FinanceDataset, a.dataset_id)
        u.audit("finance_alert", a.id)
        return AlertRow(AlertView.of(a), ds.name if ds else "")


def case_page(
    hub: Hub, actor: Actor, state: str = "", assignee: str = "", page: int = 1, size: int = 50
) -> Page[CaseRow]:
    """Cases in ``state`` (``""``: any) assigned to ``assignee`` (``""``: anyone), newest
    first, each with its number of alerts."""
    if state and state not in CASE_STATES:
        raise InvalidInput("Unknown case state {state}.",
                           hint="Use open, suspicious or not_suspicious.",
                           state=state[:40])  # fmt: skip
    page, size = _paging(page, size)
    counted = (
        select(FinanceAlert.case_id, func.count().label("n"))
        .where(FinanceAlert.case_id.is_not(None))
        .group_by(FinanceAlert.case_id)
        .subquery()
    )
    with hub.unit(actor, "finance.read") as u:
        q = _scope(u, select(FinanceCase, counted.c.n), FinanceCase.org_id)
        q = q.outerjoin(counted, counted.c.case_id == FinanceCase.id)
        if state:
            q = q.where(FinanceCase.state == state)
        if assignee.strip():
            q = q.where(FinanceCase.assignee == assignee.strip())
        total = u.s.scalar(select(func.count()).select_from(q.subquery())) or 0
        q = q.order_by(FinanceCase.id.desc()).offset((page - 1) * size).limit(size)
        rows = [CaseRow(c.id, c.title, c.state, c.assignee, c.created_by, c.created_at,
                        c.decided_by, c.decided_at, int(n or 0))
                for c, n in u.s.execute(q)]  # fmt: skip
        u.audit(details={"cases": len(rows), "state": state})
        return Page(rows, total, page, size)


__all__ = ["ALERT_SORTS", "ALERT_STATES", "AlertRow", "CaseRow", "Page", "alert", "alert_page",
           "case_page"]  # fmt: skip
