"""Demo data for coordination: the generated register (seed 0), donors as organisations.

Registered under ``cthub.demo``. Each donor of the generated register becomes an organisation
that records its own projects (so organisation-scoped editing shows), the secretariat records
the needs, and the coordinator sees everything. The universal instruments are loaded with a
synthetic, clearly labelled treaty status, and overlap detection runs once so the review queue
has the planted pairs. Idempotent: nothing is added when the register already has projects.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from cthub.coordination import analysis, generator, treaties
from cthub.coordination.models import Project
from cthub.coordination.records import NeedRecord, ProjectRecord
from cthub.coordination.service import create_need, create_project
from cthub.core import accounts
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Organisation

SECRETARIAT = "CT Coordination Secretariat"
DEMO_SOURCE = "cthub demo data (synthetic, not real treaty status)"


def _org_ids(hub: Hub, actor: Actor, donors: set[str]) -> dict[str, int]:
    with hub.db.session(readonly=True) as s:
        existing = {o.name: o.id for o in s.scalars(select(Organisation))}
    for donor in sorted(donors - set(existing)):
        view = accounts.create_org(hub, actor, donor[:200], "government")
        existing[donor] = view.id
    return existing


def _need_data(n: NeedRecord, org_id: int) -> dict[str, Any]:
    return {
        "org_id": org_id, "recipient": n.recipient, "area": n.area, "priority": n.priority,
        "title": n.title, "description": n.description, "status": n.status,
        "source": n.source, "identified_on": n.identified_on,
    }  # fmt: skip


def _project_data(p: ProjectRecord, org_id: int, need_ids: list[int]) -> dict[str, Any]:
    return {
        "org_id": org_id, "title": p.title, "description": p.description, "donor": p.donor,
        "implementer": p.implementer, "recipient": p.recipient, "areas": list(p.areas),
        "forms": list(p.forms), "status": p.status, "budget_minor": p.budget_minor,
        "currency": p.currency, "start_date": p.start, "end_date": p.end,
        "need_ids": need_ids, "iati_identifier": p.iati_identifier,
    }  # fmt: skip


def load_demo(hub: Hub, actor: Actor) -> dict[str, Any]:
    with hub.db.session(readonly=True) as s:
        if (s.scalar(select(func.count()).select_from(Project)) or 0) > 0:
            return {"skipped": "the register already has projects"}
    register = generator.generate_register(seed=0)
    orgs = _org_ids(hub, actor, {p.donor for p in register.projects} | {SECRETARIAT})
    need_ids = {
        n.id: create_need(hub, actor, _need_data(n, orgs[SECRETARIAT])).id for n in register.needs
    }
    for p in register.projects:
        linked = [need_ids[n] for n in p.need_ids if n in need_ids]
        create_project(hub, actor, _project_data(p, orgs[p.donor], linked))
    treaties.load_instruments(hub, actor)
    states = sorted({p.recipient for p in register.projects if len(p.recipient) == 2})
    rows = treaties.demo_status_rows(states, seed=0)
    treaties.import_status_rows(hub, actor, rows, source=DEMO_SOURCE)
    flagged = analysis.detect(hub, actor)
    return {
        "needs": len(need_ids),
        "projects": len(register.projects),
        "donor organisations": len({p.donor for p in register.projects}),
        "treaty status rows": len(rows),
        "overlaps flagged": flagged.pairs,
    }


__all__ = ["load_demo"]
