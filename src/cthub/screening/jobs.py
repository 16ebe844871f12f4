"""Screening job kinds, listed under the ``cthub.jobs`` entry-point group.

``screening-delta`` (``lists.RESCREEN_JOB``) is what ``lists.load`` submits when a load replaces
an active version: it runs ``delta.rescreen_delta`` as the operator, so every organisation's
watched subjects are re-screened and each alert is written in its subject's organisation,
whoever loaded the list (the job row and its audit event name that person). Starting it needs
``lists.load``, the permission of the load that submits it.

If the list got a newer version before the job ran (queued jobs, several workers), the job
screens up to the active version instead: a later job over the same versions then finds its
work done, and no alert is raised for an entry the active version no longer holds.
"""

from __future__ import annotations

from typing import Any

from cthub.core import jobs
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists import RESCREEN_JOB, show
from cthub.screening.delta import rescreen_delta

OPERATOR = Actor.system("screening-delta")


def _params(params: dict[str, Any]) -> tuple[str, int, int, float]:
    try:
        return (
            str(params["list"]),
            int(params["from_version"]),
            int(params["to_version"]),
            float(params.get("threshold", 0.7)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            "The screening-delta job needs a list, from_version and to_version.",
            hint="It is submitted by lists load; start it with those parameters.",
        ) from exc


def _active_version(hub: Hub, name: str) -> int | None:
    return next((lst.active_version for lst in show(hub, OPERATOR) if lst.name == name), None)


@jobs.job(RESCREEN_JOB, action="lists.load")
def delta_job(hub: Hub, ctx: jobs.JobContext) -> dict[str, Any]:
    """Run ``rescreen_delta`` over the job's versions (or up to the newer active one)."""
    name, from_version, to_version, threshold = _params(ctx.params)
    active = _active_version(hub, name)
    if active is not None and active > to_version:
        to_version = active
    result = rescreen_delta(
        hub, OPERATOR, name, from_version, to_version, threshold=threshold, progress=ctx.progress
    )
    return {**result.as_dict(), "requested_by": ctx.actor.name}


__all__ = ["OPERATOR", "delta_job"]
