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

from cthub.screening.matching.abjad import consonants
from cthub.screening.matching.normalize import Token, make_token

NAME_WEIGHT = 0.85
_UNMATCHED_QUERY = 1.0  # share of an unmatched query part's weight that counts against
_UNMATCHED_LIST = 0.3  # list names carry more optional parts (patronymics, nasab)
_MEAN_FLOOR = 1.5  # an unmatched query part counts at least 1.5x the mean part weight
_CHANCE = 0.5  # similarity two unrelated parts reach by chance; credit starts above it
_FUZZY_FLOOR = 65.0
_SKELETON_FLOOR = 75.0
_SOUND_FLOOR = 50.0  # same consonant classes but spelled this differently is chance


@dataclass(frozen=True, slots=True)
class NameMatch:
    """Similarity of a query name to one alias, with the aligned token pairs for explaining."""

    score: float
    pairs: tuple[tuple[str, str, float], ...]


_PartKey = tuple[str, bool, bool, bool, str, str, bool, bool, bool, str]
_PART_CACHE: dict[_PartKey, float] = {}
_PART_CACHE_MAX = 1 << 19


def part_similarity(query: Token, listed: Token) -> float:
    """Similarity of two name parts in [0, 1]: exact, initial, phonetic or edit-based.

    A token is made from its key, three flags and its Persian reading, so the result is
    memoised on those: name
    parts repeat across queries (common given names, family names), and the cache bounds
    itself by starting afresh when full.
    """
    if query.key == listed.key:
        return 1.0
    key = (
        query.key,
        query.abjad,
        query.han,
        query.syllable,
        query.alt,
        listed.key,
        listed.abjad,
        listed.han,
        listed.syllable,
        listed.alt,
    )
    found = _PART_CACHE.get(key)
    if found is None:
        if len(_PART_CACHE) >= _PART_CACHE_MAX:
            _PART_CACHE.clear()
        found = _PART_CACHE[key] = _part_similarity(query, listed)
    return found


def _part_similarity(query: Token, listed: Token) -> float:
    if query.han or listed.han:
        # Pinyin is one fixed reading per character: a near spelling is another syllable.
        return 0.0
    short, long_ = (
        (query.key, listed.key) if len(query.key) <= len(listed.key) else (listed.key, query.key)
    )
    if len(short) == 1:
        initial = long_.startswith(short) and not (query.syllable or listed.syllable)
        return 0.75 if initial else 0.0
    fuzzy = ratio(query.key, listed.key, score_cutoff=_FUZZY_FLOOR) / 100.0
    if query.abjad != listed.abjad:
        return max(fuzzy, _cross_script(query, listed))
    if query.skeleton != listed.skeleton or (len(query.skeleton) < 2 and len(long_) > 3):
        return fuzzy
    if fuzzy or ratio(query.key, listed.key, score_cutoff=_SOUND_FLOOR) > 0.0:
        return max(fuzzy, 0.85)
    return fuzzy


def _cross_script(query: Token, listed: Token) -> float:
    """Unvowelled script against a vowelled spelling: only consonants compare (either
    reading of an abjad part: Arabic or Persian)."""
    abjad, latin = (query, listed) if query.abjad else (listed, query)
    readings = (abjad.consonants, abjad.alt) if abjad.alt else (abjad.consonants,)
    if latin.consonants in readings and len(latin.consonants) >= 2:
        return 0.95
    best = max(ratio(r, latin.consonants, score_cutoff=_SKELETON_FLOOR) for r in readings)
    return 0.8 * best / 100.0


def credit(sim: float) -> float:
    """What an aligned pair of similarity ``sim`` adds: ``(sim - 0.5) / 0.5``, floored at 0.
    (A query initial against a listed name is no edit ratio and counts as it is; a listed
    initial against a query name is chance more often, so it is credited.)

    Two unrelated names of similar length share half their letters by chance, so a raw
    edit ratio of 0.7 is weak evidence; crediting it at 0.7 let ``Bahmani`` ~ ``Abdulrahman``
    lift a one-exact-part negative above true aliases.
    """
    return 1.0 if sim >= 1.0 else max(0.0, (sim - _CHANCE) / (1.0 - _CHANCE))


def name_similarity(
    query: Sequence[Token],
    query_weights: Sequence[float],
    listed: Sequence[Token],
    listed_weights: Sequence[float],
    query_joined: str,
    listed_joined: str,
) -> NameMatch:
    """Best one-to-one alignment of parts (order-free), weighted by rarity on both sides.

    Aligned pairs add their ``credit``. An unmatched query part counts fully against, and
    at least 1.5x the mean query part weight, so a query matched on one common part stays
    low; an unmatched listed part counts at 0.3 (lists carry optional patronymics and
    nasab). Parts split differently (``chon myong``/``chonmyong``) are rejoined first, and
    joined spellings are compared as a whole too.
    """
    if len(query) > len(listed):
        query, query_weights = _rejoin(query, query_weights, listed)
    elif len(listed) > len(query):
        listed, listed_weights = _rejoin(listed, listed_weights, query)
    gained, total, pairs, used_q, used_c = _align(query, query_weights, listed, listed_weights)
    floor = _MEAN_FLOOR * sum(query_weights) / max(len(query_weights), 1)
    missed = sum(max(w, floor) for i, w in enumerate(query_weights) if i not in used_q)
    total += _UNMATCHED_QUERY * missed
    total += _UNMATCHED_LIST * sum(w for j, w in enumerate(listed_weights) if j not in used_c)
    aligned = gained / total if total else 0.0
    whole = ratio(query_joined, listed_joined) / 100.0
    if whole >= 0.9 and whole - 0.05 > aligned:
        return NameMatch(whole - 0.05, ((query_joined, listed_joined, whole),))
    return NameMatch(aligned, tuple(pairs))


def _align(
    query: Sequence[Token],
    query_weights: Sequence[float],
    listed: Sequence[Token],
    listed_weights: Sequence[float],
) -> tuple[float, float, list[tuple[str, str, float]], set[int], set[int]]:
    """Greedy best-first pairing: credited weight, paired weight, pairs, used indexes."""
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
        initial = len(query[i].key) == 1 and not query[i].syllable
        gained += (sim if initial else credit(sim)) * weight
        total += weight
        pairs.append((query[i].text, listed[j].text, sim))
    return gained, total, pairs, used_q, used_c


def _rejoin(
    tokens: Sequence[Token], weights: Sequence[float], other: Sequence[Token]
) -> tuple[Sequence[Token], Sequence[float]]:
    """``tokens`` with adjacent parts joined where ``other`` writes them as one part
    (``chon myong`` against ``chonmyong``, ``wen ji`` against ``wenji``, ``شهيد خيل`` against
    ``Shahidkhel`` by consonants); only the side with more parts is rejoined."""
    if len(tokens) < 2:
        return tokens, weights
    keys = _rejoin_keys(other, tokens[0].abjad)
    out: list[Token] = []
    out_weights: list[float] = []
    i = 0
    while i < len(tokens):
        joined = tokens[i].key + tokens[i + 1].key if i + 1 < len(tokens) else ""
        if joined and (joined in keys or "c:" + consonants(joined) in keys):
            first = tokens[i]
            out.append(make_token(joined, first.abjad, first.han, first.syllable))
            out_weights.append(max(weights[i], weights[i + 1]))
            i += 2
            continue
        out.append(tokens[i])
        out_weights.append(weights[i])
        i += 1
    return (out, out_weights) if len(out) < len(tokens) else (tokens, weights)


_KEYS_CACHE: dict[tuple[int, bool], tuple[Sequence[Token], frozenset[str]]] = {}


def _rejoin_keys(other: Sequence[Token], abjad: bool) -> frozenset[str]:
    """The keys ``_rejoin`` looks for in ``other``; memoised per sequence object (an
    index name's tokens are compared with many queries), the object kept so its id stays."""
    slot = (id(other), abjad)
    cached = _KEYS_CACHE.get(slot)
    if cached is not None and cached[0] is other:
        return cached[1]
    keys = {t.key for t in other}
    keys.update("c:" + t.consonants for t in other if t.abjad != abjad)
    found = frozenset(keys)
    if len(_KEYS_CACHE) >= _PART_CACHE_MAX:
        _KEYS_CACHE.clear()
    _KEYS_CACHE[slot] = (other, found)
    return found


def describe_pairs(match: NameMatch) -> str:
    """``mohammed~muhammad, omar=omar`` style summary of the aligned parts."""
    return ", ".join(f"{q}{'=' if q == c else '~'}{c}" for q, c, _ in match.pairs)
