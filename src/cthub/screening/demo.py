"""Demo data for screening: a bank's customers under watch, re-screened into alerts.

Registered under ``cthub.demo``; needs an active UN list (loaded here when missing) and the
core demo organisations. Idempotent: subjects are upserted, repeat hits are not re-raised.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Organisation
from cthub.lists import load, show
from cthub.screening.review import rescreen, watch

BANK = "Example Commercial Bank"
CUSTOMERS = [  # spelling variants of listed names, and ordinary customers
    {"id": "C-1001", "name": "Eric Badege", "type": "person"},
    {"id": "C-1002", "name": "Badege Eric", "type": "person", "nationality": "CD"},
    {"id": "C-1003", "name": "Gaston Iyamuremye", "type": "person"},
    {"id": "C-1004", "name": "Maria Fernandes", "type": "person", "birth_date": "1984"},
    {"id": "C-1005", "name": "Chen Wei", "type": "person", "nationality": "SG"},
    {"id": "C-1006", "name": "Harbour Logistics Pte Ltd", "type": "organization"},
]


def load_demo(hub: Hub, actor: Actor) -> dict[str, Any]:
    if not any(v.name == "un" and v.active_version for v in show(hub, actor)):
        load(hub, actor, "un")
    with hub.db.session(readonly=True) as s:
        bank = s.scalars(select(Organisation).where(Organisation.name == BANK)).first()
    if bank is None:
        return {"skipped": f"no organisation {BANK}"}
    watch(hub, actor, CUSTOMERS, org_id=bank.id)
    result = rescreen(hub, actor, org_id=bank.id)
    return {"subjects": result.subjects, "alerts created": result.created}
