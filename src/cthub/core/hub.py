"""The running core: settings, database and job runner, and the unit of work services use.

Every service function is written as::

    def create_thing(hub: Hub, actor: Actor, ...) -> ThingView:
        with hub.unit(actor, "things.create") as u:   # role gate checked here
            u.require(resource)                        # organisation gate, when there is one
            ...                                        # work in u.s (one transaction)
            u.audit(resource_type="thing", resource_id=...)

The unit commits the work and its audit event together. If the service forgets to audit, the
unit records a plain event for the action, so no call goes unlogged; a refused or failed call is
audited in a separate transaction (``denied`` / ``failed``) after the work is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from cthub.core import audit, policy
from cthub.core.config import Settings
from cthub.core.db import Database
from cthub.core.errors import CthubError, Forbidden
from cthub.core.policy import Actor

if TYPE_CHECKING:
    from cthub.core.jobs import JobRunner


class Unit:
    """One service call: a session, the actor, the action, and its audit event."""

    def __init__(self, session: Session, actor: Actor, action: str) -> None:
        self.s = session
        self.actor = actor
        self.action = action
        self.audited = False

    def require(self, resource: policy.Owned | None = None, action: str | None = None) -> None:
        policy.require(self.s, self.actor, action or self.action, resource)

    def visible_orgs(self, action: str | None = None) -> set[int] | None:
        return policy.visible_orgs(self.s, self.actor, action or self.action)

    def audit(
        self,
        resource_type: str | None = None,
        resource_id: str | int | None = None,
        *,
        org_id: int | None = None,
        details: dict[str, Any] | None = None,
        action: str | None = None,
    ) -> None:
        audit.record(
            self.s,
            self.actor,
            action or self.action,
            resource_type=resource_type,
            resource_id=resource_id,
            org_id=org_id,
            details=details,
        )
        self.audited = True


class Hub:
    """Settings + database + job runner for one process. Create with ``Hub.open(settings)``."""

    def __init__(self, settings: Settings, db: Database, runner: JobRunner | None = None) -> None:
        self.settings = settings
        self.db = db
        self._runner = runner

    @classmethod
    def open(cls, settings: Settings, db: Database | None = None) -> Hub:
        settings.check()
        return cls(settings, db or Database.from_settings(settings))

    @property
    def jobs(self) -> JobRunner:
        if self._runner is None:
            from cthub.core.jobs import runner_for

            self._runner = runner_for(self)
        return self._runner

    def close(self) -> None:
        if self._runner is not None:
            self._runner.stop()
        self.db.dispose()

    @contextmanager
    def unit(self, actor: Actor, action: str) -> Iterator[Unit]:
        try:
            with self.db.session() as session:
                policy.require(session, actor, action)
                unit = Unit(session, actor, action)
                yield unit
                if not unit.audited:
                    unit.audit()
        except Forbidden as exc:
            self._record_refusal(actor, action, "denied", exc)
            raise
        except CthubError as exc:
            self._record_refusal(actor, action, "failed", exc)
            raise

    def _record_refusal(self, actor: Actor, action: str, outcome: str, exc: CthubError) -> None:
        with self.db.session() as session:
            audit.record(
                session,
                actor,
                action,
                outcome=outcome,
                details={"error": exc.code, "message": exc.render()[:500]},
            )


__all__ = ["Hub", "Unit"]
