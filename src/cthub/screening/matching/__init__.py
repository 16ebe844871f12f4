"""Explainable in-memory name matching: a token/phonetic index feeds a feature scorer."""

from cthub.screening.matching.matcher import Matcher
from cthub.screening.matching.records import Entry, Feature, Hit, Query

__all__ = ["Entry", "Feature", "Hit", "Matcher", "Query"]
