"""The dependency every page uses: the session caller, or a redirect to the login page."""

from __future__ import annotations

from fastapi import Request

from cthub.core.tables import Organisation
from cthub.interfaces.api.deps import Caller, caller, hub_of


async def page_caller(request: Request) -> Caller:
    """Like the API's ``caller`` (CSRF included); also looks up the organisation's name."""
    who = await caller(request)
    if who.actor.org_id is not None:
        with hub_of(request).db.session(readonly=True) as s:
            org = s.get(Organisation, who.actor.org_id)
            request.state.org_name = org.name if org else ""
    return who
