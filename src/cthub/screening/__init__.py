"""Screening: names and identifying details checked against sanctions and watch lists.

``build_matcher`` indexes the active list versions; ``parse_query`` validates an input record;
``screen`` runs a batch and yields explained hits. The matcher itself is DB-free.
"""

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
)
from cthub.screening.service import Screener, build_matcher, parse_query, screen, to_entry

__all__ = [
    "AlertView",
    "DecisionView",
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
    "decide",
    "parse_query",
    "rescreen",
    "screen",
    "to_entry",
    "watch",
]
