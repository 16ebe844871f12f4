"""Which organisation a call acts for, and lookups every exchange service shares.

A user or API key acts for its own organisation. The local operator (``Actor.system``, the CLI on
the server) names one with ``--org``; when the node holds a single organisation that one is
meant, so ``cthub exchange ...`` works without it on a one-organisation node.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Unit
from cthub.core.tables import Organisation
from cthub.exchange.models import Audience, Package, Partner


def acting_org(u: Unit, org: str | None = None) -> Organisation:
    """The organisation ``u.actor`` acts for; ``org`` is honoured for the operator only."""
    if u.actor.org_id is not None:
        found = u.s.get(Organisation, u.actor.org_id)
        if found is None:  # pragma: no cover - a user always belongs to an organisation
            raise NotFound("Your organisation does not exist any more.")
        return found
    if org:
        named = u.s.scalars(select(Organisation).where(Organisation.name == org)).first()
        if named is None:
            raise NotFound(
                "No organisation named {name}.", hint="List them with `cthub orgs list`.", name=org
            )
        return named
    every = list(u.s.scalars(select(Organisation).limit(2)))
    if len(every) == 1:
        return every[0]
    raise InvalidInput(
        "Say which organisation acts.",
        hint="This node holds several organisations (or none): pass --org NAME.",
    )


def partner_named(session: Session, org_id: int, name: str) -> Partner:
    found = session.scalars(
        select(Partner).where(Partner.org_id == org_id, Partner.name == name)
    ).first()
    if found is None:
        raise NotFound(
            "No partner named {name}.",
            hint="List partners with `cthub exchange partners list`.",
            name=name[:100],
        )
    return found


def audience_named(session: Session, org_id: int, name: str) -> Audience:
    found = session.scalars(
        select(Audience).where(Audience.org_id == org_id, Audience.name == name)
    ).first()
    if found is None:
        raise NotFound(
            "No audience named {name}.",
            hint="Create it with `cthub exchange partners audience NAME --members A,B`.",
            name=name[:100],
        )
    return found


def package_of(session: Session, org_id: int, package_id: str) -> Package:
    """A package the organisation holds (its own or received); others do not exist for it."""
    found = session.get(Package, package_id)
    if found is None or found.org_id != org_id:
        raise NotFound("Package {id} does not exist.", id=package_id[:40])
    return found


__all__ = ["acting_org", "audience_named", "package_of", "partner_named"]
