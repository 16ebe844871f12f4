"""A process-level cache of matchers, so an API request does not rebuild the index.

Building a matcher over UN + OFAC takes seconds; screening one name takes milliseconds. The
cache key is the database plus, for each chosen list, its active version number, file digest and
load time, so loading a new version of any chosen list (in this process or another) makes the
next request build a fresh matcher. A few matchers are kept, least recently used first out.

Validating the key costs one small read per request: ``cthub.lists.active_versions``, an
unaudited internal read in a read-only session. It used to be ``cthub.lists.show``, an audited
service call, which wrote a ``lists.read`` audit event (a write transaction) on every request.
The data is still read only through the audited ``active_entries``, when a matcher is built;
the caller's own service call (``screen``) writes the one audit event of the request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from cthub.core import policy
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists import active_versions
from cthub.screening.service import Screener, build_matcher

MAX_MATCHERS = 4
READ = "lists.read"  # the permission build_matcher (active_entries) checks on a miss

Versions = tuple[tuple[str, int, str, str], ...]
Key = tuple[str, tuple[str, ...] | None, Versions]

_lock = threading.Lock()
_matchers: OrderedDict[Key, Screener] = OrderedDict()


def versions(hub: Hub, names: tuple[str, ...] | None) -> Versions:
    """``(list, version, sha256, loaded_at)`` of each chosen list's active version, by name.

    The load time tells apart two loads that reuse a version number (a database truncated and
    reloaded, as tests do), so a stale matcher is never taken for a fresh one.
    """
    found = active_versions(hub, names)
    return tuple((name, v.version, v.sha256, str(v.loaded_at)) for name, v in sorted(found.items()))


def screener(hub: Hub, actor: Actor, lists: Iterable[str] | None = None) -> Screener:
    """The matcher over the active versions of ``lists`` (all lists when none are named).

    A hit reads the active versions and writes nothing. The role gate of ``lists.read`` is
    still applied to a hit, so a cached matcher never reaches an actor a build would refuse.
    """
    names = tuple(sorted(set(lists))) if lists else None
    if not policy.allowed(actor, READ):
        with hub.unit(actor, READ):  # raises Forbidden and audits the refusal
            pass
    key = (hub.db.url, names, versions(hub, names))
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


__all__ = ["MAX_MATCHERS", "clear", "screener", "versions"]
