"""An organisation's rule set: shipped rules switched off or re-parametrised per
organisation, checked as a YAML file would be, audited, and what monitoring then runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.tables import AuditEvent
from cthub.finance import ingest_file, list_rules, monitor_dataset, rules_for, set_rule
from cthub.finance.rules import library
from tests import factories

CSV = """tx_id,timestamp,sender,receiver,amount,currency,channel
s1,2026-03-01T09:00:00Z,,DE77,9500.00,AED,cash
s2,2026-03-02T09:00:00Z,,DE77,9800.00,AED,cash
s3,2026-03-03T09:00:00Z,,DE77,9700.00,AED,cash
s4,2026-03-04T09:00:00Z,,DE77,9900.00,AED,cash
"""


def test_shipped_rules_listed_with_defaults(sqlite_hub: Hub) -> None:
    member = factories.member(sqlite_hub, "viewer")
    views = {v.name: v for v in list_rules(sqlite_hub, member.actor)}
    assert set(views) == {r.name for r in library()}
    structuring = views["structuring"]
    assert structuring.enabled
    assert not structuring.updated_by
    params = {p.name: p for p in structuring.params}
    assert params["threshold"].value == params["threshold"].default == "1000000"
    assert params["channels"].value == "cash"
    assert not any(p.changed for p in structuring.params)


def test_change_is_per_organisation_checked_and_audited(sqlite_hub: Hub) -> None:
    org = factories.org(sqlite_hub)
    analyst = factories.member(sqlite_hub, "analyst", org)
    view = set_rule(sqlite_hub, analyst.actor, "structuring",
                    params={"threshold": "500000", "channels": "cash, transfer"})  # fmt: skip
    params = {p.name: p for p in view.params}
    assert params["threshold"].value == "500000"
    assert params["threshold"].changed
    assert params["channels"].value == "cash, transfer"
    assert view.updated_by == analyst.actor.name
    mine = {r.name: r for r in rules_for(sqlite_hub, analyst.actor)}
    assert mine["structuring"].params.amount("threshold") == 500000
    other = factories.member(sqlite_hub, "analyst")
    theirs = {r.name: r for r in rules_for(sqlite_hub, other.actor)}
    assert theirs["structuring"].params.amount("threshold") == 1000000
    with sqlite_hub.db.session(readonly=True) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "finance.rules")).all()
    assert events
    assert events[-1].details["params"]["threshold"] == 500000


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"threshold": "ten"}, "threshold"),
        ({"window": "seven days"}, "window"),
        ({"channels": "cash, pigeon"}, "channels"),
        ({"band_percent": "250"}, "band_percent"),
        ({"nonsense": "1"}, "nonsense"),
        ({"threshold": "9" * 3000}, "threshold"),
    ],
)
def test_bad_values_refused_naming_the_parameter(
    sqlite_hub: Hub, params: dict[str, str], named: str
) -> None:
    analyst = factories.member(sqlite_hub, "analyst")
    with pytest.raises(InvalidInput) as err:
        set_rule(sqlite_hub, analyst.actor, "structuring", params=params)
    assert named in str(err.value)
    view = {v.name: v for v in list_rules(sqlite_hub, analyst.actor)}["structuring"]
    assert not view.updated_by  # nothing stored


def test_roles_and_unknown_rule(sqlite_hub: Hub) -> None:
    viewer = factories.member(sqlite_hub, "viewer")
    with pytest.raises(Forbidden):
        set_rule(sqlite_hub, viewer.actor, "structuring", enabled=False)
    analyst = factories.member(sqlite_hub, "analyst")
    with pytest.raises(NotFound):
        set_rule(sqlite_hub, analyst.actor, "no_such_rule", enabled=False)


def test_monitoring_runs_the_organisations_rules(sqlite_hub: Hub, tmp_path: Path) -> None:
    org = factories.org(sqlite_hub)
    analyst = factories.member(sqlite_hub, "analyst", org)
    path = tmp_path / "tx.csv"
    path.write_text(CSV, encoding="utf-8")
    ingest_file(sqlite_hub, analyst.actor, path, "branch")
    first = monitor_dataset(sqlite_hub, analyst.actor, "branch")
    assert [a["account"] for a in first.alerts] == ["DE77"]
    set_rule(sqlite_hub, analyst.actor, "structuring", enabled=False)
    assert not monitor_dataset(sqlite_hub, analyst.actor, "branch").alerts
    set_rule(sqlite_hub, analyst.actor, "structuring", enabled=True, params={"min_count": "5"})
    assert not monitor_dataset(sqlite_hub, analyst.actor, "branch").alerts  # 4 deposits < 5
    view = set_rule(sqlite_hub, analyst.actor, "structuring", reset=True)
    assert view.enabled
    assert not any(p.changed for p in view.params)
    assert [a["account"] for a in monitor_dataset(sqlite_hub, analyst.actor, "branch").alerts] == [
        "DE77"
    ]
