"""Screening: names and identifying details checked against sanctions and watch lists.

``build_matcher`` indexes the active list versions; ``parse_query`` validates an input record;
``screen`` runs a batch and yields explained hits. The matcher itself is DB-free.
``rescreen`` screens an organisation's watched subjects against the active lists;
``rescreen_delta`` screens every organisation's only against what a new list version changed
(the ``screening-delta`` job in ``cthub.screening.jobs`` runs it after a load).
``cached_screener`` is the per-process matcher cache other capabilities (travel) screen with.
"""

from cthub.screening.cache import screener as cached_screener
from cthub.screening.delta import DeltaResult, rescreen_delta
from cthub.screening.matching import Entry, Feature, Hit, Matcher, Query
from cthub.screening.review import (
    AlertView,
    DecisionView,
    RescreenResult,
    WatchResult,
    alert,
    alerts,
    decide,
    rescreen,
    watch,
    watched_subjects,
)
from cthub.screening.service import Screener, build_matcher, parse_query, screen, to_entry

__all__ = [
    "AlertView",
    "DecisionView",
    "DeltaResult",
    "Entry",
    "Feature",
    "Hit",
    "Matcher",
    "Query",
    "RescreenResult",
    "Screener",
    "WatchResult",
    "alert",
    "alerts",
    "build_matcher",
    "cached_screener",
    "decide",
    "parse_query",
    "rescreen",
    "rescreen_delta",
    "screen",
    "to_entry",
    "watch",
    "watched_subjects",
]
