"""Demo data for lists: the bundled UN consolidated list, loaded once (``cthub.demo`` hook)."""

from __future__ import annotations

from typing import Any

from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists.service import load, show


def load_demo(hub: Hub, actor: Actor) -> dict[str, Any]:
    if any(v.name == "un" and v.active_version for v in show(hub, actor)):
        return {"un": "already loaded"}
    version = load(hub, actor, "un")
    return {"un": f"version {version.version}, {version.entry_count} entries"}
