"""Demo data for travel: today's flights of the border agency's passenger information unit.

A synthetic day (``synthetic.generate_day``) with a handful of listed UN individuals planted
among ordinary travellers, written as real PAXLST interchanges and received through the real
parser, plus the bundled carrier samples; a lost/stolen document list holding two planted
passports; the built-in risk rules; then one check run so the review queue has explained hits.
Idempotent: a second run finds the flights already stored and the same PNR versions unchanged.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select

from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Organisation, User
from cthub.lists import active_entries
from cthub.travel import checks, doclist, service, synthetic

AGENCY = "Border and Immigration Agency"
OFFICER = "border.officer"
PLANTED = 8


def load_demo(hub: Hub, actor: Actor) -> dict[str, Any]:
    with hub.db.session(readonly=True) as s:
        org = s.scalars(select(Organisation).where(Organisation.name == AGENCY)).first()
        user = s.scalars(select(User).where(User.username == OFFICER)).first()
    if org is None or user is None:
        return {"skipped": f"no organisation {AGENCY} or user {OFFICER}"}
    officer = Actor(user.username, user.role, user.org_id, user.id, via="demo")
    people = [
        p
        for v in active_entries(hub, actor, ["un"])
        if (p := synthetic.listed_from_properties("un", v.ref, v.schema, v.properties)) is not None
        and p.documents
    ]
    rng = random.Random(7)  # noqa: S311 - synthetic demo data
    planted = rng.sample(people, min(PLANTED, len(people)))
    today = dt.date.today()
    day = synthetic.generate_day(today, passengers=1_200, planted=planted, seed=7, with_pnr=False)
    stored = 0
    for i, msg in enumerate(day.messages):
        text = synthetic.paxlst(msg, control=i + 1)
        service.ingest(
            hub, officer, f"demo-{msg.flight.carrier}{msg.flight.number}.edi", text.encode()
        )
        stored += len(msg.passengers)
    if not doclist.versions(hub, actor):
        stolen = [(p.documents[0], p.nationality) for p in planted[:2] if p.documents]
        csv = synthetic.documents_csv(rng, 5_000, [(n, c) for n, c in stolen if c])
        path = hub.settings.data_dir / "travel" / "demo-documents.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(csv, encoding="utf-8")
        doclist.load_documents(hub, actor, path)
    run = checks.run_checks(hub, officer)
    return {"flights": len(day.messages), "passengers": stored, "hits": len(run.rows)}


__all__ = ["load_demo"]
