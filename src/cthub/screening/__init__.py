"""Screening: names and identifying details checked against sanctions and watch lists.

Only the in-memory matcher exists so far; the lists capability feeds it entries.
"""

from cthub.screening.matching import Entry, Feature, Hit, Matcher, Query

__all__ = ["Entry", "Feature", "Hit", "Matcher", "Query"]
