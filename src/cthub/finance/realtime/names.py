"""Counterparty names screened once per process: the sanctioned-counterparty rule's cache.

A name is screened through ``cthub.finance.rules.listed_names`` (``cthub.screening``, which
checks the actor's permission and writes its own audit event) the first time a transaction
names it; its listings, or that it has none, are kept. The cache belongs to the active list
versions: they are read again (``cthub.lists.active_versions``, one small unaudited read) at
most every ``CHECK_S`` seconds, and a new version of any list empties it, so a name newly
listed is found within that time. With no list loaded nothing is listed, as in a batch run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from cthub.core.errors import NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.finance.realtime.base import Listing
from cthub.finance.rules.listed import listed_names
from cthub.lists import active_versions

CHECK_S = 10.0
MAX_NAMES = 500_000
WARM_CHUNK = 2000  # names per screening call when warming (one audit event each)

Versions = tuple[tuple[str, int, str, str], ...]


@dataclass
class _Names:
    versions: Versions
    checked: float
    names: dict[str, tuple[Listing, ...]] = field(default_factory=dict)
    refreshing: float = 0.0  # when ``cached`` last sent a caller to read the versions again


def _versions(hub: Hub) -> Versions:
    found = active_versions(hub)
    return tuple((n, v.version, v.sha256, str(v.loaded_at)) for n, v in sorted(found.items()))


class NameCache:
    """Listings by exact name, per database."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_db: dict[str, _Names] = {}

    def _current(self, hub: Hub) -> _Names:
        now = time.monotonic()
        with self._lock:
            entry = self._by_db.get(hub.db.url)
            if entry is not None and now - entry.checked < CHECK_S:
                return entry
        versions = _versions(hub)
        with self._lock:
            entry = self._by_db.get(hub.db.url)
            if entry is None or entry.versions != versions:
                entry = self._by_db[hub.db.url] = _Names(versions, now)
            entry.checked = now
            return entry

    def listed(
        self, hub: Hub, actor: Actor, names: Sequence[str]
    ) -> dict[str, tuple[Listing, ...]]:
        """The listings of each of ``names`` (empty when it matches no entry)."""
        if not names:
            return {}
        entry = self._current(hub)
        missing = sorted({n for n in names if n not in entry.names})
        if missing:
            found = self._screen(hub, actor, missing)
            with self._lock:
                if len(entry.names) > MAX_NAMES:
                    entry.names.clear()
                for name in missing:
                    entry.names[name] = tuple(found.get(name, ()))
        return {n: entry.names.get(n, ()) for n in names}

    def cached(self, hub: Hub, names: Sequence[str]) -> dict[str, tuple[Listing, ...]] | None:
        """``listed(names)`` when every name is cached, without touching the database (an
        event loop may call it); else None, and the caller calls ``listed``.

        When the list versions are due a check, one caller is answered None (its ``listed``
        reads them) while the others go on with the cache: a name newly listed is found
        within ``CHECK_S`` and one read of the versions, rather than every caller waiting on
        the read at once."""
        now = time.monotonic()
        with self._lock:
            entry = self._by_db.get(hub.db.url)
            if entry is None:
                return None
            if now - entry.checked >= CHECK_S and now - entry.refreshing >= CHECK_S:
                entry.refreshing = now
                return None
            try:
                return {n: entry.names[n] for n in names}
            except KeyError:
                return None

    def warm(self, hub: Hub, actor: Actor, names: Sequence[str]) -> int:
        """Screen the names not cached yet, in chunks; how many were screened."""
        entry = self._current(hub)
        missing = sorted({n for n in names if n and n not in entry.names})
        for start in range(0, len(missing), WARM_CHUNK):
            self.listed(hub, actor, missing[start : start + WARM_CHUNK])
        return len(missing)

    @staticmethod
    def _screen(hub: Hub, actor: Actor, names: list[str]) -> dict[str, list[Listing]]:
        try:
            table = listed_names(hub, actor, names)
        except NotFound:  # no sanctions list loaded: nothing to find, as in a batch run
            return {}
        found: dict[str, list[Listing]] = {}
        for row in table.to_pylist():
            listing = (str(row["list_name"]), str(row["list_ref"]), float(row["score"]))
            found.setdefault(str(row["name"]), []).append(listing)
        return found

    def clear(self) -> None:
        with self._lock:
            self._by_db.clear()


__all__ = ["CHECK_S", "NameCache"]
