"""Evidence beyond the name: birth date, nationality, gender, entity type, identifiers.

Each function returns ``(feature name, value, weight, phrase)`` or ``None`` when there is
nothing to compare (absent data is never evidence). ``value`` is in [-1, 1]; negative values
contradict. Weights are the score points the feature can add or take away.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cthub.core.model import country_code

Evidence = tuple[str, float, float, str]

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_TYPES = {"person": "person", "individual": "person", "organization": "organization",
          "organisation": "organization", "entity": "organization", "company": "organization",
          "vessel": "vessel", "ship": "vessel"}  # fmt: skip


def birth_date(query: str | None, listed: Sequence[str]) -> Evidence | None:
    """Exact day (+0.10), same year (+0.07, or +0.03 when both days are known and differ),
    one year apart (neutral: sources disagree by a year often), otherwise contradiction (-0.15).
    """
    if not query or not listed:
        return None
    best: Evidence | None = None
    for date in listed:
        if query == date and len(query) == 10:
            return ("birth_date", 1.0, 0.10, f"birth date {query} matches")
        gap = abs(int(query[:4]) - int(date[:4]))
        if gap == 0:
            full = len(query) == 10 and len(date) == 10
            value = 0.3 if full else 0.7
            candidate: Evidence = ("birth_date", value, 0.10, f"birth year {query[:4]} matches")
        elif gap == 1:
            candidate = ("birth_date", 0.0, 0.10, f"birth year {query[:4]} vs {date[:4]} (±1)")
        else:
            candidate = ("birth_date", -1.0, 0.15, f"birth year {query[:4]} vs {date[:4]} differs")
        if best is None or candidate[1] > best[1]:
            best = candidate
    return best


def nationality(query: str | None, listed: Sequence[str]) -> Evidence | None:
    """Matching country +0.04; a different one -0.06 (lists often miss a nationality)."""
    code = country_code(query) if query else None
    if not code or not listed:
        return None
    if code in listed:
        return ("nationality", 1.0, 0.04, f"nationality {code} matches")
    return ("nationality", -1.0, 0.06, f"nationality {code} not in {'/'.join(listed)}")


def gender(query: str | None, listed: str | None) -> Evidence | None:
    """A different gender is strong counter-evidence (-0.10); a match adds little (+0.01)."""
    if not query or not listed:
        return None
    same = query.strip().lower()[:1] == listed.strip().lower()[:1]
    return ("gender", 1.0 if same else -1.0, 0.01 if same else 0.10,
            f"gender {'matches' if same else 'differs'}")  # fmt: skip


def entity_type(query: str | None, listed: str) -> Evidence | None:
    """A person is never an organisation or a vessel: -0.30 when the types differ."""
    wanted = _TYPES.get((query or "").strip().lower())
    if wanted is None or wanted == _TYPES.get(listed, listed):
        return None
    return ("type", -1.0, 0.30, f"type {wanted} vs {listed}")


def identifier(query: str | None, listed: Sequence[str]) -> Evidence | None:
    """Equal document numbers (ignoring case, spaces and dashes) are near-decisive (+0.50):
    with a partial name (``M. Omar Akhund`` for ``Mohammed Omar``) they still reach 0.9."""
    if not query or not listed:
        return None
    key = _NOT_ALNUM.sub("", query.upper())
    if key and key in {_NOT_ALNUM.sub("", value.upper()) for value in listed}:
        return ("identifier", 1.0, 0.50, f"id {query} matches")
    return ("identifier", -1.0, 0.10, f"id {query} differs")


def entity_kind(query_type: str | None) -> str:
    """The normalised schema of a query type; unknown or absent types screen as persons."""
    return _TYPES.get((query_type or "").strip().lower(), "person")
