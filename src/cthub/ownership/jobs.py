"""Ownership job kinds, listed under the ``cthub.jobs`` entry-point group.

``ownership-delta`` is one of the ``lists.FOLLOW_UP_JOBS`` that ``lists.load`` submits when a
load replaces an active version, with the same parameters as the re-screening job (``list``,
``from_version``, ``to_version``). It runs ``alerts.delta`` as the operator, so the exposure of
the descendants of the changed seeds is re-evaluated and their alerts opened or closed whoever
loaded the list (the job row and its audit event name that person). Starting it needs
``lists.load``, the permission of the load that submits it.

If the list got a newer version before the job ran, the job evaluates up to the active version
instead, as the re-screening job does: a later job over the same versions then finds nothing
left to change.
"""

from __future__ import annotations

from typing import Any

from cthub.core import jobs
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists import show
from cthub.ownership.alerts import delta

KIND = "ownership-delta"
OPERATOR = Actor.system(KIND)


def _params(params: dict[str, Any]) -> tuple[str, int, int]:
    try:
        return str(params["list"]), int(params["from_version"]), int(params["to_version"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            "The ownership-delta job needs a list, from_version and to_version.",
            hint="It is submitted by lists load; start it with those parameters.",
        ) from exc


def _active_version(hub: Hub, name: str) -> int | None:
    return next((lst.active_version for lst in show(hub, OPERATOR) if lst.name == name), None)


@jobs.job(KIND, action="lists.load")
def delta_job(hub: Hub, ctx: jobs.JobContext) -> dict[str, Any]:
    """Run ``alerts.delta`` over the job's versions (or up to the newer active one)."""
    name, from_version, to_version = _params(ctx.params)
    active = _active_version(hub, name)
    if active is not None and active > to_version:
        to_version = active
    ctx.progress(0, None, "re-evaluating ownership exposure")
    run = delta(hub, OPERATOR, name, from_version, to_version)
    ctx.progress(1, 1, f"{run.total('evaluated')} entities re-evaluated")
    return {**run.as_dict(), "requested_by": ctx.actor.name}


__all__ = ["KIND", "OPERATOR", "delta_job"]
