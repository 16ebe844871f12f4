"""Time-ordered rows per key: what each real-time rule keeps of an account's recent past.

A ``Series`` holds rows in time order (``ts`` microseconds, then arrival), answers "the rows
between two instants" with two binary searches, and forgets rows older than what its rule can
still look back to. A ``Book`` is a series per key (an account, or an account and currency),
pruned when the key is touched, so an account that falls silent costs only its last rows.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable
from typing import Generic, TypeVar

R = TypeVar("R")
K = TypeVar("K", bound=Hashable)


class Series(Generic[R]):
    """Rows with their times, in time order; rows of equal time in arrival order."""

    __slots__ = ("rows", "times")

    def __init__(self) -> None:
        self.times: list[int] = []
        self.rows: list[R] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, ts: int, row: R) -> None:
        if not self.times or ts >= self.times[-1]:
            self.times.append(ts)
            self.rows.append(row)
            return
        at = bisect_right(self.times, ts)  # a late row goes after the rows of its instant
        self.times.insert(at, ts)
        self.rows.insert(at, row)

    def span(self, low: int, high: int) -> tuple[int, int]:
        """The index range of the rows with ``low <= ts <= high``."""
        return bisect_left(self.times, low), bisect_right(self.times, high)

    def between(self, low: int, high: int) -> list[tuple[int, R]]:
        """``(ts, row)`` of the rows with ``low <= ts <= high``, in order."""
        start, stop = self.span(low, high)
        return list(zip(self.times[start:stop], self.rows[start:stop], strict=True))

    def forget_before(self, ts: int) -> None:
        if self.times and self.times[0] < ts:
            cut = bisect_left(self.times, ts)
            del self.times[:cut]
            del self.rows[:cut]


class Book(Generic[K, R]):
    """A ``Series`` per key, keeping ``keep`` microseconds back from each key's newest row."""

    __slots__ = ("keep", "series")

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.series: dict[K, Series[R]] = {}

    def add(self, key: K, ts: int, row: R) -> None:
        found = self.series.get(key)
        if found is None:
            found = self.series[key] = Series()
        found.add(ts, row)
        found.forget_before(found.times[-1] - self.keep)

    def between(self, key: K, low: int, high: int) -> list[tuple[int, R]]:
        found = self.series.get(key)
        return found.between(low, high) if found is not None else []

    def rows(self) -> int:
        return sum(len(s) for s in self.series.values())


__all__ = ["Book", "Series"]
