"""What every command needs: the settings-built hub and the operator actor."""

from __future__ import annotations

from cthub.core import migrate
from cthub.core.config import Settings
from cthub.core.hub import Hub
from cthub.core.policy import Actor

OPERATOR = Actor.system("cli")


def open_hub(settings: Settings | None = None) -> Hub:
    """The hub for a CLI command, with the database migrated to the current schema."""
    hub = Hub.open(settings or Settings())
    migrate.upgrade(hub.db)
    return hub
