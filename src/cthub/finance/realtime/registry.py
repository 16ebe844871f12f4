"""The scorers of this process: one per dataset, for one rule set and one stored history.

A scorer is current while the dataset's rule set (its fingerprint) and partitions (count and
last id) are those it was loaded for. Otherwise the next call builds a new one: one build per
dataset at a time (concurrent calls wait for it), outside any database transaction. The new
scorer takes over, under the old one's lock, the transactions the old one scored that the new
history lacks, and the old one is retired: a call that was waiting for its lock is told so
(``Retired``) and goes to the new one. A few datasets are kept, least recently used out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from pathlib import Path

from cthub.finance.realtime.scorer import LoadInfo, Scorer
from cthub.finance.rules.model import Rule

MAX_SCORERS = 8
Version = tuple[str, tuple[int, int]]  # rule-set fingerprint; partitions and last id


def _retire(scorer: Scorer) -> None:
    with scorer.lock:
        scorer.retired = True
    scorer.close()


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scorers: OrderedDict[Hashable, tuple[Version, Scorer]] = OrderedDict()
        self._builds: dict[Hashable, threading.Lock] = {}

    def current(self, key: Hashable, version: Version) -> Scorer | None:
        """The dataset's scorer if it is for ``version``."""
        with self._lock:
            found = self._scorers.get(key)
            if found is None or found[0] != version:
                return None
            self._scorers.move_to_end(key)
            return found[1]

    def build(
        self, key: Hashable, version: Version, rules: Sequence[Rule], files: Sequence[Path]
    ) -> LoadInfo | None:
        """Load a scorer for ``version`` unless one is there; the load figures, if loaded."""
        with self._lock:
            building = self._builds.setdefault(key, threading.Lock())
        with building:
            if self.current(key, version) is not None:
                return None
            scorer = Scorer(rules)
            info = scorer.load(files)
            with self._lock:
                old = self._scorers.get(key)
            if old is None:
                self._publish(key, version, scorer)
                return info
            with old[1].lock:  # calls waiting on the old one see it retired, then come here
                old[1].retired = True
                scorer.carry(list(old[1].live))
                self._publish(key, version, scorer)
            old[1].close()
            return info

    def _publish(self, key: Hashable, version: Version, scorer: Scorer) -> None:
        with self._lock:
            self._scorers[key] = (version, scorer)
            self._scorers.move_to_end(key)
            evicted = []
            while len(self._scorers) > MAX_SCORERS:
                evicted.append(self._scorers.popitem(last=False)[1][1])
        for old in evicted:
            _retire(old)

    def clear(self) -> None:
        with self._lock:
            scorers = [s for _, s in self._scorers.values()]
            self._scorers.clear()
        for scorer in scorers:
            _retire(scorer)


__all__ = ["MAX_SCORERS", "Registry", "Version"]
