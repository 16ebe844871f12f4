"""Travel job kinds (``cthub.jobs`` entry points) and schedules (``cthub.schedules``).

``travel-retention`` masks and deletes passenger data by the retention settings; it is
scheduled daily, so retention happens without anyone remembering to run it. ``travel-check``
checks one day's flights (or all) in the background and keeps the counts as its result.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cthub.core import jobs
from cthub.core.hub import Hub
from cthub.core.jobs import JobContext
from cthub.core.schedule import Schedule
from cthub.travel import checks, retention

RETENTION = "travel-retention"
CHECK = "travel-check"
SCHEDULES = (Schedule(RETENTION, dt.timedelta(days=1)),)


@jobs.job(RETENTION, action="travel.retention")
def retention_job(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    now = ctx.params.get("now")
    result = retention.run(hub, ctx.actor, dt.datetime.fromisoformat(now) if now else None)
    return {
        "as_of": result.as_of.isoformat(),
        "masked_passengers": result.masked_passengers,
        "masked_pnrs": result.masked_pnrs,
        "deleted_flights": result.deleted_flights,
        "deleted_passengers": result.deleted_passengers,
        "held": result.held,
    }


@jobs.job(CHECK, action="travel.check")
def check_job(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    ids = ctx.params.get("flight_ids")
    ctx.progress(0, None, "checking")
    run = checks.run_checks(hub, ctx.actor, ids)
    return {
        "flights": run.flights,
        "passengers": run.passengers,
        "hits": len(run.rows),
        "new": run.new_hits,
        "withdrawn": run.withdrawn,
        "skipped": run.skipped,
    }


__all__ = ["CHECK", "RETENTION", "SCHEDULES", "check_job", "retention_job"]
