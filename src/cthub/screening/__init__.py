"""Screening: names and identifying details checked against sanctions and watch lists.

``build_matcher`` indexes the active list versions; ``parse_query`` validates an input record;
``screen`` runs a batch and yields explained hits. The matcher itself is DB-free.
"""

from cthub.screening.matching import Entry, Feature, Hit, Matcher, Query
from cthub.screening.service import Screener, build_matcher, parse_query, screen, to_entry

__all__ = [
    "Entry",
    "Feature",
    "Hit",
    "Matcher",
    "Query",
    "Screener",
    "build_matcher",
    "parse_query",
    "screen",
    "to_entry",
]
