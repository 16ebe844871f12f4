"""A process-level cache of matchers, so an API request does not rebuild the index.

Building a matcher over UN + OFAC takes seconds; screening one name takes milliseconds. The
cache key is the database plus, for each chosen list, its active version number, file digest and
load time (from ``cthub.lists.show``), so loading a new version of any chosen list makes the next
request build a fresh matcher. A few matchers are kept, least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists import show
from cthub.screening.service import Screener, build_matcher

MAX_MATCHERS = 4

Key = tuple[str, tuple[str, ...] | None, tuple[tuple[str, int, str, str], ...]]

_lock = threading.Lock()
_matchers: OrderedDict[Key, Screener] = OrderedDict()


def _key(hub: Hub, actor: Actor, names: tuple[str, ...] | None) -> Key:
    versions = []
    for lst in show(hub, actor):
        if names is not None and lst.name not in names:
            continue
        for v in lst.versions:
            if v.active:
                versions.append((lst.name, v.version, v.sha256, str(v.loaded_at)))
    return (hub.db.url, names, tuple(versions))


def screener(hub: Hub, actor: Actor, lists: Iterable[str] | None = None) -> Screener:
    """The matcher over the active versions of ``lists`` (all lists when none are named)."""
    names = tuple(sorted(set(lists))) if lists else None
    key = _key(hub, actor, names)
    with _lock:
        found = _matchers.get(key)
        if found is not None:
            _matchers.move_to_end(key)
            return found
        # built under the lock: concurrent first requests wait for one build, not start many
        built = build_matcher(hub, actor, names)
        _matchers[key] = built
        while len(_matchers) > MAX_MATCHERS:
            _matchers.popitem(last=False)
        return built


def clear() -> None:
    """Forget every cached matcher (tests, or after a bulk change of lists)."""
    with _lock:
        _matchers.clear()


__all__ = ["MAX_MATCHERS", "clear", "screener"]
