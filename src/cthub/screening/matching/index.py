"""Candidate retrieval: an inverted index from token, phonetic, consonant, prefix and joined
keys to names.

Every name and alias of every entry is one ``NameRecord`` with its tokens and their IDF
weights precomputed, so the scorer does no normalisation work per candidate. A query's keys
vote for names with their IDF (rare parts dominate); very common keys (``muhammad``, ``bin``)
are skipped for retrieval when rarer keys exist, which keeps candidate sets small. Consonant
keys (``abjad.consonants``) let unvowelled Arabic-script queries reach Latin aliases and back.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cthub.screening.matching.abjad import consonants
from cthub.screening.matching.normalize import LEGAL_FORMS, Token, tokenize
from cthub.screening.matching.records import Entry

_LEGAL_WEIGHT = 0.5  # part weight of a legal form or connective, however rare
_NAMES_PER_ENTRY = 4  # best-voted names scored per retrieved entry
# Retrieval weight of each key kind relative to the exact token key.
_KIND_WEIGHT = {"k": 1.0, "c": 0.8, "s": 0.6, "p": 0.4}


@dataclass(frozen=True, slots=True)
class NameRecord:
    """One alias of one entry, pre-tokenised and pre-weighted for scoring."""

    entry: int
    name: str
    tokens: tuple[Token, ...]
    weights: tuple[float, ...]
    joined: str


def token_keys(tokens: Sequence[Token], listed: bool = True) -> set[str]:
    """Index keys of a token sequence: exact, skeleton, consonant, 4-letter prefix, and
    adjacent pairs.

    Parts written in an abjad get consonant keys only (single and paired): their spelling
    keys would match other abjad names of the same family ahead of the Latin aliases that
    the consonant keys reach, and ``ولی جان`` is ``Walijan`` only as a pair. Listed names
    also get consonant pair keys, which an abjad query's pairs meet (``محمد سرور`` reaches
    ``Mohammad Sarwar`` rather than every ``Mohammad``); a Latin query needs none.
    """
    keys: set[str] = set()
    for i, token in enumerate(tokens):
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if len(token.consonants) >= 2:
            keys.add("c:" + token.consonants)
        if token.abjad:
            if token.alt:
                keys.add("c:" + token.alt)
            if after is not None:
                keys.add("c:" + consonants(token.key + after.key))
            continue
        keys.add("k:" + token.key)
        if len(token.skeleton) >= 2:
            keys.add("s:" + token.skeleton)
        if len(token.key) >= 5:
            keys.add("p:" + token.key[:4])
        if after is not None:
            keys.add("k:" + token.key + after.key)
            if listed:
                keys.add("c:" + consonants(token.key + after.key))
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
        """How much a name part counts: its rarity, floored so common parts still count a bit.

        Abjad parts weigh by their consonant key, the only key they are indexed under.
        Legal forms and connectives (``company``, ``of``) count little however rare, since a
        query of unknown type keeps them and lists abbreviate them.
        """
        if token.key in LEGAL_FORMS:
            return _LEGAL_WEIGHT
        if token.abjad:
            return max(self.idf("c:" + token.consonants), 0.5)
        return max(self.idf("k:" + token.key), 0.5)

    def candidates(self, tokens: Sequence[Token], limit: int) -> list[int]:
        """Name ids of the ``limit`` entries whose best name shares the most IDF-weighted
        keys with ``tokens``: the best-voted few names of each.

        Ranking entries rather than names keeps one entry's many same-script aliases from
        crowding out other entries (a family sharing ``Saddam Hussein al-Tikriti``), and
        scoring a few names per entry compares a Latin alias even when an Arabic-script alias
        of the same entry drew the most votes.
        """
        votes: dict[int, float] = defaultdict(float)
        keys = sorted(
            (k, self.postings[k]) for k in token_keys(tokens, False) if k in self.postings
        )
        rare = [(k, ids) for k, ids in keys if len(ids) <= self.max_df]
        for key, ids in rare or keys:
            weight = _KIND_WEIGHT[key[0]] * self.idf(key)
            for name_id in ids:
                votes[name_id] += weight
        names = self.names
        best: dict[int, float] = {}
        for name_id, vote in votes.items():
            number = names[name_id].entry
            if vote > best.get(number, 0.0):
                best[number] = vote
        top = heapq.nsmallest(limit, best, key=lambda number: (-best[number], number))
        voted: dict[int, list[tuple[float, int]]] = {number: [] for number in top}
        for name_id, vote in votes.items():
            number = names[name_id].entry
            if number in voted:
                voted[number].append((-vote, name_id))
        found: list[int] = []
        for number in top:
            found.extend(name_id for _, name_id in sorted(voted[number])[:_NAMES_PER_ENTRY])
        return found


def build(entries: Iterable[Entry]) -> CandidateIndex:
    """A candidate index over ``entries``."""
    return CandidateIndex(list(entries))
