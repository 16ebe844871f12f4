"""Who may do what, declared as data, and the one ``require`` every service calls.

``ACTIONS`` maps each action to the roles that may perform it and to the kind of resource it
touches. Organisation scope is the second gate: data belongs to an organisation, and an actor
sees another organisation's data only when a ``SharingRule`` grants that kind of resource.
The local operator (the CLI run on the server, ``Actor.system``) is trusted with everything,
as the holder of the database file is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.errors import Forbidden
from cthub.core.tables import ROLES, SharingRule

ALL = ROLES
STAFF = ("admin", "analyst", "reviewer", "viewer")


@dataclass(frozen=True)
class ActionRule:
    roles: tuple[str, ...]
    resource_kind: str
    description: str
    #: Roles that read this kind of resource in every organisation (the coordinating
    #: secretariat sees the whole register); writes stay inside the actor's organisation.
    sees_all: tuple[str, ...] = ()


def _rule(
    roles: tuple[str, ...], kind: str, description: str, sees_all: tuple[str, ...] = ()
) -> ActionRule:
    return ActionRule(roles, kind, description, sees_all)


COORD_STAFF = ("admin", "coordinator", "analyst")
COORD_READERS = ("admin", "coordinator", "analyst", "reviewer", "viewer", "partner")


ACTIONS: dict[str, ActionRule] = {
    "orgs.list": _rule(("admin",), "organisation", "List organisations"),
    "orgs.create": _rule((), "organisation", "Create an organisation (operator only)"),
    "users.list": _rule(("admin",), "user", "List users of the organisation"),
    "users.create": _rule(("admin",), "user", "Create a user in the organisation"),
    "users.disable": _rule(("admin",), "user", "Disable a user"),
    "users.reset_password": _rule(("admin",), "user", "Set a new random password for a user"),
    "users.self": _rule(ALL, "user", "Read or change one's own profile and language"),
    "keys.list": _rule(("admin",), "api_key", "List API keys of the organisation"),
    "keys.create": _rule(("admin",), "api_key", "Create an API key"),
    "keys.revoke": _rule(("admin",), "api_key", "Revoke an API key"),
    "audit.read": _rule(("admin",), "audit", "Read the audit log of the organisation"),
    "audit.verify": _rule(("admin",), "audit", "Verify the audit hash chain"),
    "jobs.read": _rule(ALL, "job", "See one's jobs and their progress"),
    "jobs.start": _rule(("admin", "coordinator", "analyst"), "job", "Start a long-running job"),
    "sharing.list": _rule(("admin",), "sharing_rule", "List sharing rules"),
    "sharing.grant": _rule(("admin",), "sharing_rule", "Share a kind of data with a partner"),
    "entities.read": _rule(ALL, "entity", "Read entities (persons, organisations, ...)"),
    "entities.write": _rule(("admin", "analyst"), "entity", "Create or change entities"),
    "lists.read": _rule(ALL, "sanctions_list", "See sanctions lists, versions and entries"),
    "lists.load": _rule(("admin",), "sanctions_list", "Load or fetch a new version of a list"),
    "screening.screen": _rule(STAFF, "screening", "Screen names against sanctions lists"),
    "alerts.read": _rule(STAFF, "alert", "See screening alerts of the organisation"),
    "alerts.decide": _rule(
        ("admin", "reviewer"), "alert", "Decide an alert: true match or false positive"
    ),
    "watchlist.write": _rule(
        ("admin", "analyst"), "watched_subject", "Put subjects under watch for re-screening"
    ),
    "watchlist.read": _rule(STAFF, "watched_subject", "See subjects under watch"),
    "demo.load": _rule((), "demo", "Load demo data (operator only)"),
    "coordination.read": _rule(
        COORD_READERS,
        "coordination",
        "See capacity-building needs, assistance projects and analytics",
        sees_all=("coordinator",),
    ),
    "coordination.write": _rule(
        COORD_STAFF, "coordination", "Record or change needs and assistance projects"
    ),
    "coordination.import": _rule(
        COORD_STAFF, "coordination", "Import or export IATI activity files"
    ),
    "coordination.review": _rule(
        ("coordinator",),
        "coordination",
        "Confirm or dismiss overlaps and edit recipients' priority scores",
    ),
    "coordination.report": _rule(
        ("admin", "coordinator"),
        "coordination",
        "Generate the semiannual report to the Counter-Terrorism Committee",
        sees_all=("coordinator",),
    ),
    "coordination.meetings": _rule(
        COORD_STAFF, "coordination", "Record coordination meetings, minutes and action items"
    ),
    "treaties.read": _rule(ALL, "treaty_status", "See states' status on the universal instruments"),
    "treaties.write": _rule(
        ("admin", "coordinator"), "treaty_status", "Import or change treaty status"
    ),
    "travel.read": _rule(STAFF, "passenger_data", "See flights, passengers, PNRs and their hits"),
    "travel.ingest": _rule(
        ("admin", "analyst"), "passenger_data", "Receive API/PNR files from carriers"
    ),
    "travel.check": _rule(
        ("admin", "analyst"), "passenger_data", "Check passengers against lists and rules"
    ),
    "travel.checkin": _rule(
        ("admin", "analyst", "reviewer"), "passenger_data", "Answer an interactive check-in query"
    ),
    "travel.review": _rule(
        ("admin", "analyst", "reviewer"), "passenger_data", "Confirm or dismiss a passenger hit"
    ),
    "travel.export": _rule(
        ("admin", "reviewer"), "passenger_data", "Export a confirmed hit as a case for a partner"
    ),
    "travel.rules": _rule(("admin", "analyst"), "travel_rule", "Write or retire risk rules"),
    "travel.documents": _rule(
        ("admin",), "document_list", "Load the lost/stolen/revoked document list"
    ),
    "travel.retention": _rule(("admin",), "passenger_data", "Run the retention schedule"),
    "travel.unmask.request": _rule(
        ("admin", "analyst", "reviewer"), "passenger_data", "Ask to unmask a masked passenger"
    ),
    "travel.unmask.approve": _rule(
        ("admin",), "passenger_data", "Approve or refuse an unmask request (not one's own)"
    ),
    "content.read": _rule(STAFF, "content_bank", "See hash banks, their entries and matches"),
    "content.hash": _rule(ALL, "content_bank", "Hash files (nothing is stored)"),
    "content.match": _rule(
        ("admin", "analyst", "reviewer"), "content_bank", "Match files or hashes against banks"
    ),
    "content.banks": _rule(
        ("admin", "analyst"), "content_bank", "Create banks, add, import, remove or export hashes"
    ),
    "content.review": _rule(
        ("admin", "analyst", "reviewer"), "content_bank", "Confirm or reject a content match"
    ),
    "content.report": _rule(STAFF, "content_bank", "See the transparency report"),
    "finance.read": _rule(STAFF, "transactions", "See transaction datasets and alerts"),
    "finance.ingest": _rule(
        ("admin", "analyst"), "transactions", "Ingest transactions into a dataset"
    ),
    "finance.monitor": _rule(
        ("admin", "analyst"), "transactions", "Run the indicator rules over transactions"
    ),
    "finance.rules": _rule(
        ("admin", "analyst"), "transactions", "Switch indicator rules on or off, set parameters"
    ),
    "finance.cases": _rule(
        ("admin", "analyst", "reviewer"), "transactions", "Open, assign and comment cases"
    ),
    "finance.decide": _rule(
        ("admin", "reviewer"), "transactions", "Close a case as suspicious or not"
    ),
    "finance.report": _rule(
        ("admin", "reviewer"), "transactions", "Export a suspicious case as a goAML report"
    ),
    "content.quarantine": _rule(("admin",), "content_bank", "Release or remove a quarantined hash"),
    "ownership.read": _rule(
        STAFF, "ownership", "See beneficial-ownership entities, edges, loads and links"
    ),
    "ownership.load": _rule(
        ("admin", "analyst"), "ownership", "Load beneficial-ownership files (BODS, PSC, FtM)"
    ),
    "ownership.alerts": _rule(
        ("admin", "analyst"), "ownership", "Evaluate ownership exposure and write its alerts"
    ),
    "ownership.decide": _rule(
        ("admin", "reviewer"), "ownership", "Confirm or dismiss an ownership exposure alert"
    ),
    "exchange.read": _rule(
        STAFF, "exchange", "See partners, packages, decisions, requests and the disclosure log"
    ),
    "exchange.partners": _rule(
        ("admin",), "exchange", "Register, suspend or group partner organisations"
    ),
    "exchange.share": _rule(
        ("admin", "analyst"), "exchange", "Create, correct, erase and export packages for partners"
    ),
    "exchange.sync": _rule(
        ("admin", "analyst"), "exchange", "Push and pull packages with partner nodes"
    ),
    "exchange.onward": _rule(
        ("admin", "analyst"), "exchange", "Ask the originator to share a package further"
    ),
    "exchange.approve": _rule(
        ("admin",), "exchange", "Approve or refuse a partner's onward-sharing request"
    ),
    "exchange.requests": _rule(
        ("admin", "analyst", "reviewer"), "exchange", "Send or answer lawful data requests"
    ),
    "exchange.psi": _rule(
        ("admin", "analyst"), "exchange", "Match watchlists privately with a partner (PSI)"
    ),
    "exchange.verify": _rule(
        ("admin", "analyst", "reviewer"), "exchange", "Verify disclosure logs and tree heads"
    ),
    "exchange.node": _rule(
        ("partner",), "exchange", "A partner node's signed request (sync, TAXII, notices, log)"
    ),
}


class Owned(Protocol):
    """Anything that belongs to an organisation."""

    @property
    def org_id(self) -> int | None: ...


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user through a session, an API key, or the local operator."""

    name: str
    role: str
    org_id: int | None
    user_id: int | None = None
    via: str = "session"
    key_id: int | None = None
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def system(cls, via: str = "cli") -> Actor:
        return cls(name=f"system:{via}", role="system", org_id=None, via=via)

    @property
    def is_system(self) -> bool:
        return self.role == "system"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "org_id": self.org_id,
            "user_id": self.user_id,
            "via": self.via,
            "key_id": self.key_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        return cls(
            name=str(data["name"]),
            role=str(data["role"]),
            org_id=data.get("org_id"),
            user_id=data.get("user_id"),
            via=str(data.get("via") or "session"),
            key_id=data.get("key_id"),
        )


def rule_for(action: str) -> ActionRule:
    try:
        return ACTIONS[action]
    except KeyError:  # a programming error: every service action must be declared
        raise LookupError(f"undeclared action {action!r}") from None


def allowed(actor: Actor, action: str) -> bool:
    """Role gate only: may this kind of actor perform this action at all?"""
    return actor.is_system or actor.role in rule_for(action).roles


def shared_orgs(session: Session, actor: Actor, resource_kind: str) -> set[int]:
    """Organisations whose ``resource_kind`` data the actor may read under sharing rules."""
    if actor.org_id is None:
        return set()
    rows = session.scalars(
        select(SharingRule.grantor_org_id).where(
            SharingRule.grantee_org_id == actor.org_id,
            SharingRule.resource_kind == resource_kind,
        )
    )
    return set(rows)


def visible_orgs(session: Session, actor: Actor, action: str) -> set[int] | None:
    """Org ids whose data the actor may see for ``action``; ``None`` means all (operator)."""
    if actor.is_system:
        return None
    rule = rule_for(action)
    if actor.role in rule.sees_all:
        return None
    own = {actor.org_id} if actor.org_id is not None else set()
    if action.endswith((".read", ".list")):
        return own | shared_orgs(session, actor, rule_for(action).resource_kind)
    return own


def require(session: Session, actor: Actor, action: str, resource: Owned | None = None) -> None:
    """Raise ``Forbidden`` unless ``actor`` may perform ``action`` on ``resource``.

    Writes are allowed only inside the actor's own organisation; reads also reach
    organisations that shared that kind of resource with the actor's organisation.
    """
    if not allowed(actor, action):
        raise Forbidden(
            "Your role ({role}) may not perform {action}.",
            hint="Ask an administrator of your organisation for a role that allows it.",
            role=actor.role,
            action=action,
        )
    if resource is None or actor.is_system:
        return
    orgs = visible_orgs(session, actor, action)
    if orgs is not None and resource.org_id not in orgs:
        raise Forbidden(
            "This {kind} belongs to another organisation.",
            hint="Data is shared between organisations only under an explicit sharing rule.",
            kind=rule_for(action).resource_kind,
        )


__all__ = ["ACTIONS", "ActionRule", "Actor", "allowed", "require", "visible_orgs"]
