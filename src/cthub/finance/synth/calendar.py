"""Time: the days of a dataset, their weekly and seasonal weights, and hours of the day.

Persons pay every day with a quieter Sunday and a busier December and month end; companies
work Monday to Friday; NPOs receive gifts all week, most in December. A shared day-to-day
noise makes some days busier for everyone. Hours follow one of four profiles (``RETAIL``,
``BUSINESS``, ``EVENING``, ``BATCH`` for standing orders and payroll runs). Timestamps are
naive UTC microseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from cthub.finance.synth.types import FloatArray, IntArray

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
RETAIL, BUSINESS, EVENING, BATCH = 0, 1, 2, 3
_HOURS = np.array(
    [
        [
            2,
            1,
            0.5,
            0.5,
            0.5,
            1,
            3,
            8,
            12,
            15,
            18,
            22,
            25,
            22,
            19,
            19,
            22,
            26,
            26,
            22,
            16,
            10,
            6,
            4,
        ],
        [0, 0, 0, 0, 0, 0.5, 3, 12, 25, 30, 30, 28, 20, 26, 28, 26, 22, 15, 6, 3, 2, 1, 0.5, 0],
        [
            3,
            1.5,
            1,
            0.5,
            0.5,
            1,
            3,
            6,
            9,
            10,
            11,
            12,
            13,
            12,
            11,
            11,
            12,
            15,
            19,
            22,
            23,
            20,
            14,
            8,
        ],
        [0, 1, 6, 10, 12, 10, 6, 3, 1, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ],
    dtype=np.float64,
)
_CDF = np.cumsum(_HOURS, axis=1) / _HOURS.sum(axis=1, keepdims=True)
#: weekday factors (Monday first) for persons, companies and NPOs
_WEEK = np.array(
    [
        [1.0, 1.0, 1.0, 1.05, 1.15, 0.9, 0.45],
        [1.25, 1.25, 1.25, 1.25, 1.2, 0.25, 0.05],
        [1.0, 1.0, 1.0, 1.0, 1.0, 0.85, 0.85],
    ]
)
_DECEMBER = np.array([1.15, 1.0, 1.8])


@dataclass(frozen=True)
class Calendar:
    """Days ``0 .. days-1`` from ``start``; ``weight[kind, day]`` has mean 1 over the days."""

    start: dt.date
    start_us: int
    days: int
    dom: IntArray
    weight: FloatArray  # (4, days): index by party kind; row 0 is unused

    @classmethod
    def build(cls, start: dt.date, days: int, rng: np.random.Generator) -> Calendar:
        """The calendar of ``days`` days from ``start``, with its day-to-day noise."""
        first = np.datetime64(start.isoformat(), "D")
        dates = first + np.arange(days)
        weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        dom = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
        noise = rng.gamma(30.0, 1 / 30.0, days)
        weight = np.ones((4, days))
        for k in range(3):
            row = _WEEK[k][weekday] * np.where(month == 12, _DECEMBER[k], 1.0) * noise
            if k == 0:
                row = row * np.where(dom >= 25, 1.1, 1.0)
            weight[k + 1] = row / row.mean()
        epoch = dt.datetime(start.year, start.month, start.day) - dt.datetime(1970, 1, 1)
        start_us = (epoch.days * 86_400 + epoch.seconds) * 1_000_000
        return cls(start=start, start_us=start_us, days=days, dom=dom, weight=weight)

    def times(self, day: IntArray, profile: IntArray | int, rng: np.random.Generator) -> IntArray:
        """A timestamp (us) on each ``day``, the hour drawn from ``profile``."""
        profiles = np.broadcast_to(np.asarray(profile), day.shape)
        u = rng.random(day.size)
        hour = np.zeros(day.size, dtype=np.int64)
        for p in np.unique(profiles):
            at = profiles == p
            hour[at] = np.searchsorted(_CDF[p], u[at], side="left")
        offset = rng.integers(0, HOUR_US, day.size)
        ts = self.start_us + day * DAY_US + np.minimum(hour, 23) * HOUR_US + offset
        return np.asarray(ts, dtype=np.int64)

    def at(self, day: float, hour: float = 0.0) -> int:
        """The timestamp (us) of fractional ``day`` and ``hour`` (for planted flows)."""
        return self.start_us + int(day * DAY_US + hour * HOUR_US)
