"""Candidate retrieval: an inverted index from token, phonetic, prefix and joined keys to names.

Every name and alias of every entry is one ``NameRecord`` with its tokens and their IDF
weights precomputed, so the scorer does no normalisation work per candidate. A query's keys
vote for names with their IDF (rare parts dominate); very common keys (``muhammad``, ``bin``)
are skipped for retrieval when rarer keys exist, which keeps candidate sets small.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cthub.screening.matching.normalize import Token, tokenize
from cthub.screening.matching.records import Entry

# Retrieval weight of each key kind relative to the exact token key.
_KIND_WEIGHT = {"k": 1.0, "s": 0.6, "p": 0.4}


@dataclass(frozen=True, slots=True)
class NameRecord:
    """One alias of one entry, pre-tokenised and pre-weighted for scoring."""

    entry: int
    name: str
    tokens: tuple[Token, ...]
    weights: tuple[float, ...]
    joined: str


def token_keys(tokens: Sequence[Token]) -> set[str]:
    """Index keys of a token sequence: exact, skeleton, 4-letter prefix, and adjacent pairs."""
    keys: set[str] = set()
    for i, token in enumerate(tokens):
        keys.add("k:" + token.key)
        if len(token.skeleton) >= 2:
            keys.add("s:" + token.skeleton)
        if len(token.key) >= 5:
            keys.add("p:" + token.key[:4])
        if i + 1 < len(tokens):
            keys.add("k:" + token.key + tokens[i + 1].key)
    return keys


class CandidateIndex:
    """Inverted index over all names of ``entries``; ``candidates`` returns name ids."""

    def __init__(self, entries: Sequence[Entry], max_df_share: float = 0.02) -> None:
        self.entries = list(entries)
        self.names: list[NameRecord] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        raw: list[tuple[int, str, tuple[Token, ...]]] = []
        for number, entry in enumerate(self.entries):
            for name in dict.fromkeys(entry.names):
                tokens = tokenize(name, entry.schema)
                if tokens:
                    raw.append((number, name, tokens))
        for name_id, (_, _, tokens) in enumerate(raw):
            for key in token_keys(tokens):
                self.postings[key].append(name_id)
        self.postings = dict(self.postings)
        total = max(len(raw), 1)
        self._log_n = math.log(1 + total)
        self.max_df = max(50, int(total * max_df_share))
        for number, name, tokens in raw:
            weights = tuple(self.token_weight(t) for t in tokens)
            joined = "".join(sorted(t.key for t in tokens))
            self.names.append(NameRecord(number, name, tokens, weights, joined))

    def idf(self, key: str) -> float:
        """``log(1 + N / df)``; a key absent from the index weighs as if seen once."""
        return math.log(1 + (len(self.names) or 1) / len(self.postings.get(key, "x")))

    def token_weight(self, token: Token) -> float:
        """How much a name part counts: its rarity, floored so common parts still count a bit."""
        return max(self.idf("k:" + token.key), 0.5)

    def candidates(self, tokens: Sequence[Token], limit: int) -> list[int]:
        """Up to ``limit`` name ids sharing the most IDF-weighted keys with ``tokens``."""
        votes: dict[int, float] = defaultdict(float)
        keys = [(k, self.postings[k]) for k in token_keys(tokens) if k in self.postings]
        rare = [(k, ids) for k, ids in keys if len(ids) <= self.max_df]
        for key, ids in rare or keys:
            weight = _KIND_WEIGHT[key[0]] * self.idf(key)
            for name_id in ids:
                votes[name_id] += weight
        best = sorted(votes.items(), key=lambda item: item[1], reverse=True)
        return [name_id for name_id, _ in best[:limit]]


def build(entries: Iterable[Entry]) -> CandidateIndex:
    """A candidate index over ``entries``."""
    return CandidateIndex(list(entries))
