"""The exchange demo: it goes through the service functions, so what it leaves is what a user
would see after the same steps: decided releases, a verifiable log, pending work, overdue."""

from __future__ import annotations

from sqlalchemy import select

from cthub.core import accounts
from cthub.core.demo import ORGS
from cthub.core.hub import Hub
from cthub.exchange import demo, lawful, logverify, onward, packages
from cthub.exchange.models import Decision
from tests.factories import OPERATOR


def test_the_demo_builds_a_consistent_exchange_and_runs_once(sqlite_hub: Hub) -> None:
    hub = sqlite_hub
    assert demo.load_demo(hub, OPERATOR)["packages"] == 0  # no organisations yet: nothing
    for name, kind, country in ORGS:
        accounts.create_org(hub, OPERATOR, name, kind, country)
    counts = demo.load_demo(hub, OPERATOR)
    assert counts == {"partners": 7, "packages": 4, "disclosures": 1, "requests": 2}
    assert demo.load_demo(hub, OPERATOR)["packages"] == 0
    made, _ = packages.packages(hub, OPERATOR, org=demo.FIU)
    assert sorted(p.tlp for p in made) == ["TLP:AMBER", "TLP:CLEAR", "TLP:GREEN", "TLP:RED"]
    with hub.db.session(readonly=True) as s:
        decided = list(s.scalars(select(Decision).where(Decision.operation == "export")))
    report = logverify.verify_own(hub, OPERATOR, org=demo.FIU)
    assert report.ok
    assert report.entries_checked == 1
    # the border agency got what was named for it; the task force package was not for it
    # AMBER named for it; the task force's and the public package were for other purposes;
    # TLP:RED goes by sync to the partners named, never into a file
    assert sorted(d.clause for d in decided) == ["allowed", "operation", "purpose", "purpose"]
    pending = onward.onward_requests(hub, OPERATOR, org=demo.FIU)
    assert [r.state for r in pending] == ["pending"]
    sent = lawful.requests(hub, OPERATOR, org=demo.FIU)
    assert sorted((r.state, r.overdue) for r in sent) == [("answered", False), ("open", True)]
