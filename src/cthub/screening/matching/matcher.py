"""The public matcher: build once from entries, then screen queries against it.

``screen`` retrieves a small candidate set from the index (the best-voted few names of the
``CANDIDATES`` best entries), scores each candidate alias by name, keeps the best alias per
entry, adds the evidence features and returns hits at or above the threshold, best first.
Pure and DB-free: the lists capability supplies the entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cthub.screening.matching import evidence
from cthub.screening.matching.index import CandidateIndex
from cthub.screening.matching.normalize import Token, tokenize
from cthub.screening.matching.records import Entry, Feature, Hit, Query
from cthub.screening.matching.score import NAME_WEIGHT, NameMatch, describe_pairs, name_similarity

_DATE = re.compile(r"\d{4}(-\d{2}-\d{2})?")
_NOTE = re.compile(r"\([^)]*\)")
CANDIDATES = 20  # entries per query; 24 scored no better on the held-out UN aliases


def alternatives(name: str, kind: str) -> list[tuple[Token, ...]]:
    """Token sequences to screen for ``name``: each ``;``-separated spelling on its own,
    with parenthesised notes dropped (the whole name is kept when that leaves nothing).
    """
    parts = [tokenize(part, kind) for part in _NOTE.sub(" ", name).split(";")]
    found = list(dict.fromkeys(tokens for tokens in parts if tokens))
    if found:
        return found
    whole = tokenize(name, kind)
    return [whole] if whole else []


class Matcher:
    """An immutable index over list entries with an explainable scorer."""

    def __init__(self, index: CandidateIndex) -> None:
        self.index = index

    @classmethod
    def from_entries(cls, entries: Iterable[Entry]) -> Matcher:
        """Index every name and alias of ``entries``."""
        return cls(CandidateIndex(list(entries)))

    def screen(self, query: Query, threshold: float = 0.7, top: int = 5) -> list[Hit]:
        """Hits for ``query`` scoring at least ``threshold``, best first, at most ``top``."""
        kind = evidence.entity_kind(query.type)
        best: dict[int, tuple[NameMatch, str]] = {}
        for tokens in alternatives(query.name, kind):
            weights = [self.index.token_weight(t) for t in tokens]
            joined = "".join(sorted(t.key for t in tokens))
            for name_id in self.index.candidates(tokens, CANDIDATES):
                record = self.index.names[name_id]
                match = name_similarity(
                    tokens, weights, record.tokens, record.weights, joined, record.joined
                )
                seen = best.get(record.entry)
                if seen is None or match.score > seen[0].score:
                    best[record.entry] = (match, record.name)
        hits = [
            self._hit(query, self.index.entries[number], match, name)
            for number, (match, name) in best.items()
            if match.score * NAME_WEIGHT + 0.65 >= threshold  # evidence adds at most 0.65
        ]
        hits = [hit for hit in hits if hit.score >= threshold]
        hits.sort(key=lambda hit: (-hit.score, hit.entry.list, hit.entry.ref))  # stable ties
        return hits[:top]

    def _hit(self, query: Query, entry: Entry, match: NameMatch, name: str) -> Hit:
        birth = query.birth_date if query.birth_date and _DATE.fullmatch(query.birth_date) else None
        found = [
            evidence.birth_date(birth, entry.birth_dates),
            evidence.nationality(query.nationality, entry.countries),
            evidence.gender(query.gender, entry.gender),
            evidence.entity_type(query.type, entry.schema),
            evidence.identifier(query.id_number, entry.identifiers),
        ]
        name_feature = Feature("name", match.score, NAME_WEIGHT, match.score * NAME_WEIGHT)
        features = [name_feature]
        phrases = [f"name {match.score:.2f} ({describe_pairs(match)})"]
        for item in found:
            if item is not None:
                label, value, weight, phrase = item
                features.append(Feature(label, value, weight, value * weight))
                phrases.append(phrase)
        score = min(1.0, max(0.0, sum(f.contribution for f in features)))
        return Hit(entry, round(score, 4), name, features, "; ".join(phrases))
