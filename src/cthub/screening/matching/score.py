"""Scoring: name similarity plus corroborating or contradicting evidence, feature by feature.

The score is ``0.85 * name`` plus signed contributions from birth date, nationality, gender,
entity type and identifiers, clamped to [0, 1]. A perfect name alone therefore scores 0.85,
a matching birth date lifts it and a contradicting one lowers it, so name-only matches never
tie with corroborated ones. Every contribution is a ``Feature`` and appears in the explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.fuzz import ratio

from cthub.screening.matching.normalize import Token

NAME_WEIGHT = 0.85
_UNMATCHED_QUERY = 0.8  # share of an unmatched query part's weight that counts against
_UNMATCHED_LIST = 0.5  # list names carry more optional parts (patronymics, nasab)
_FUZZY_FLOOR = 65.0
_SKELETON_FLOOR = 75.0
_SOUND_FLOOR = 50.0  # same consonant classes but spelled this differently is chance


@dataclass(frozen=True, slots=True)
class NameMatch:
    """Similarity of a query name to one alias, with the aligned token pairs for explaining."""

    score: float
    pairs: tuple[tuple[str, str, float], ...]


def part_similarity(query: Token, listed: Token) -> float:
    """Similarity of two name parts in [0, 1]: exact, initial, phonetic or edit-based."""
    if query.key == listed.key:
        return 1.0
    short, long_ = sorted((query.key, listed.key), key=len)
    if len(short) == 1:
        return 0.75 if long_.startswith(short) else 0.0
    fuzzy = ratio(query.key, listed.key, score_cutoff=_FUZZY_FLOOR) / 100.0
    if query.abjad != listed.abjad:
        # Unvowelled Arabic script against a vowelled spelling: only consonants compare.
        if query.skeleton == listed.skeleton and len(query.skeleton) >= 2:
            return max(fuzzy, 0.9)
        bones = ratio(query.skeleton, listed.skeleton, score_cutoff=_SKELETON_FLOOR) / 100.0
        return max(fuzzy, 0.85 * bones)
    if query.skeleton != listed.skeleton or (len(query.skeleton) < 2 and len(long_) > 3):
        return fuzzy
    if fuzzy or ratio(query.key, listed.key, score_cutoff=_SOUND_FLOOR) > 0.0:
        return max(fuzzy, 0.85)
    return fuzzy


def name_similarity(
    query: Sequence[Token],
    query_weights: Sequence[float],
    listed: Sequence[Token],
    listed_weights: Sequence[float],
    query_joined: str,
    listed_joined: str,
) -> NameMatch:
    """Best one-to-one alignment of parts (order-free), weighted by rarity on both sides.

    Unmatched parts count against the score at a reduced weight, so missing or extra parts
    cost less than wrong ones. Joined spellings (``jinping`` vs ``jin ping``) are compared as
    a whole, since part boundaries differ between transliterations.
    """
    scored = [
        (sim, i, j)
        for i, q in enumerate(query)
        for j, c in enumerate(listed)
        if (sim := part_similarity(q, c)) > 0.0
    ]
    scored.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[tuple[str, str, float]] = []
    gained = total = 0.0
    for sim, i, j in scored:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        weight = query_weights[i] + listed_weights[j]
        gained += sim * weight
        total += weight
        pairs.append((query[i].text, listed[j].text, sim))
    total += _UNMATCHED_QUERY * sum(w for i, w in enumerate(query_weights) if i not in used_q)
    total += _UNMATCHED_LIST * sum(w for j, w in enumerate(listed_weights) if j not in used_c)
    aligned = gained / total if total else 0.0
    whole = ratio(query_joined, listed_joined) / 100.0
    if whole >= 0.9 and whole - 0.05 > aligned:
        return NameMatch(whole - 0.05, ((query_joined, listed_joined, whole),))
    return NameMatch(aligned, tuple(pairs))


def describe_pairs(match: NameMatch) -> str:
    """``mohammed~muhammad, omar=omar`` style summary of the aligned parts."""
    return ", ".join(f"{q}{'=' if q == c else '~'}{c}" for q, c, _ in match.pairs)
