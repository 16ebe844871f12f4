"""Text similarity for coordination records: hashed character n-grams, TF-IDF, shared terms.

Titles and descriptions are compared as bags of character 2- to 4-grams taken inside words
(the ``char_wb`` analyzer of scikit-learn, here in NumPy so 100,000 records take seconds, not
the half minute the pure-Python analyzer needs). Character n-grams need no tokeniser, so they
work the same for English and for Simplified Chinese, where a run of Han characters is one
"word" and its 2- to 4-grams are its words and compounds. N-grams are hashed into
``2**BITS`` columns (collisions are rare and only add a little noise).

A document's vector is ``log(1 + tf) * idf_global**2 * idf_local``, L2-normalised. The global
IDF (over the whole register, plus ``GLOBAL_PRIOR`` empty pseudo-records) is squared so that
boilerplate shared by many records, such as a donor's house template, weighs little; the local
IDF (over the records compared together, for instance one recipient and area) discounts what
they all share, such as the country name.
Cosine similarity is the dot product of two rows.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

BITS = 22
#: Pseudo-records without any n-gram added to the global IDF, so that in a small register
#: what two records share is not taken for boilerplate (negligible in a large register).
GLOBAL_PRIOR = 100.0
NGRAMS = (2, 3, 4)
_CHUNK = 4000
_MULT = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SEPARATOR = 1
_NON_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W\d_]{3,}")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
#: Function characters that end a Chinese phrase, so shared terms stay phrases, not sentences.
_HAN_BREAK = re.compile("[的在将为向对及于并把被从以]")
_STOP = (
    "the and for with from into under among this that their its will are has have been be of "
    "on in to at by an or as is all any other project programme support national"
)
STOP_WORDS = frozenset(_STOP.split(" "))

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]


def normalise(text: str) -> str:
    """Lower case, NFKC (full-width forms folded), every run of non-word characters one space."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def ngram_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Counts of hashed in-word character n-grams: one row per text, ``2**BITS`` columns."""
    parts = [_chunk_counts(texts[i : i + _CHUNK]) for i in range(0, len(texts), _CHUNK)]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        parts = [_chunk_counts([])]
    stacked: sp.csr_matrix = sp.vstack(parts, format="csr")
    return stacked


def _chunk_counts(texts: Sequence[str]) -> sp.csr_matrix:
    padded = [" " + normalise(t) + " " for t in texts]
    lengths = np.fromiter((len(t) + 1 for t in padded), dtype=np.int64, count=len(padded))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    joined = "\x01".join(padded) + "\x01"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    positions, buckets = _hashes(codes)
    rows = np.searchsorted(starts, positions, side="right") - 1
    data = np.ones(len(rows), dtype=np.float32)
    matrix = sp.csr_matrix((data, (rows, buckets)), shape=(len(texts), 1 << BITS))
    matrix.sum_duplicates()
    return matrix


def _hashes(codes: npt.NDArray[np.uint32]) -> tuple[Ints, Ints]:
    """Start positions and hash buckets of every 2- to 4-gram with no space inside it.

    An n-gram may begin or end with the space that pads a word (so word starts and ends are
    features, as in ``char_wb``) but never spans two words or two texts.
    """
    chars = codes.astype(np.uint64)
    space, separator = codes == 32, codes == _SEPARATOR
    rolling, bad = chars.copy(), separator.copy()
    interior = np.zeros(len(codes), dtype=bool)
    found_pos: list[Ints] = []
    found_bucket: list[Ints] = []
    with np.errstate(over="ignore"):
        for n in range(2, max(NGRAMS) + 1):
            size = len(codes) - n + 1
            if size <= 0:
                break
            rolling = rolling[:size] * _MULT + chars[n - 1 : n - 1 + size]
            bad = bad[:size] | separator[n - 1 : n - 1 + size]
            interior = interior[:size] | (space[n - 2 : n - 2 + size] if n > 2 else False)
            keep = np.flatnonzero(~(bad | interior))
            salted = (rolling[keep] + np.uint64(n)) * _MIX
            found_pos.append(keep.astype(np.int64))
            found_bucket.append((salted >> np.uint64(64 - BITS)).astype(np.int64))
    if not found_pos:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(found_pos), np.concatenate(found_bucket)


def global_idf(counts: sp.csr_matrix) -> Floats:
    """Smoothed IDF per column, squared: ``(ln((1 + GLOBAL_PRIOR + n) / (1 + df)) + 1) ** 2``."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + GLOBAL_PRIOR + counts.shape[0]) / (1.0 + df)) + 1.0
    squared: Floats = (idf * idf).astype(np.float32)
    return squared


@dataclass(frozen=True)
class Block:
    """Records compared together: their weighted, normalised rows and the weights used."""

    vectors: sp.csr_matrix
    columns: Ints
    local_idf: npt.NDArray[np.float64]
    idf: Floats

    def term_weights(self, words: Sequence[str]) -> dict[str, float]:
        """Each term's mean n-gram weight in this block: how distinctive it is here."""
        if not words:
            return {}
        counts = ngram_counts(words)
        at = np.minimum(np.searchsorted(self.columns, counts.indices), len(self.columns) - 1)
        local = np.where(self.columns[at] == counts.indices, self.local_idf[at], 1.0)
        rows = np.repeat(np.arange(len(words)), np.diff(counts.indptr))
        weights = counts.data * self.idf[counts.indices] * local
        total = np.bincount(rows, weights=weights, minlength=len(words))
        mean = total / np.maximum(np.bincount(rows, counts.data, minlength=len(words)), 1.0)
        return dict(zip(words, mean.tolist(), strict=True))


def block(counts: sp.csr_matrix, idf: Floats) -> Block:
    """``counts`` (rows compared together) weighted with ``idf`` and their local IDF."""
    columns, inverse = np.unique(counts.indices, return_inverse=True)
    local_df = np.bincount(inverse, minlength=len(columns))
    local_idf = np.log((1.0 + counts.shape[0]) / (1.0 + local_df)) + 1.0
    data = np.log1p(counts.data) * idf[counts.indices] * local_idf[inverse]
    lengths = np.diff(counts.indptr)
    rows = np.repeat(np.arange(counts.shape[0]), lengths)
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=counts.shape[0]))
    data = data / np.repeat(np.where(norms > 0, norms, 1.0), lengths)
    vectors = sp.csr_matrix(  # columns renumbered to the block's own n-grams: small products
        (data.astype(np.float32), inverse, counts.indptr), shape=(counts.shape[0], len(columns))
    )
    return Block(vectors, columns.astype(np.int64), local_idf, idf)


def terms(text: str) -> set[str]:
    """Content words (three letters or more, no stop words) and Chinese phrases (Han runs cut
    at function characters such as 的 and 在, three characters or more)."""
    clean = normalise(text)
    found = {w for w in _WORD.findall(_HAN.sub(" ", clean)) if w not in STOP_WORDS}
    for run in _HAN.findall(clean):
        found.update(part for part in _HAN_BREAK.split(run) if len(part) >= 3)
    return found


def common_terms(a: set[str], b: set[str]) -> set[str]:
    """Terms of both (``terms`` of two texts): shared words, and the longest common stretches
    (three characters or more) of their Han runs; a term inside a longer one is left out."""
    han_a = [t for t in a if _HAN.fullmatch(t)]
    han_b = [t for t in b if _HAN.fullmatch(t)]
    found = (a & b) - set(han_a)
    for x in han_a:
        for y in han_b:
            found.update(_common_stretches(x, y))
    return {t for t in found if not any(t != u and t in u for u in found)}


def _common_stretches(x: str, y: str, shortest: int = 3) -> set[str]:
    """The longest substring of ``x`` found in ``y`` from each start, if ``shortest`` or more."""
    found = set()
    for i in range(len(x) - shortest + 1):
        n = shortest
        while i + n <= len(x) and x[i : i + n] in y:
            n += 1
        if n > shortest:
            found.add(x[i : i + n - 1])
    return found


def top_terms(shared: set[str], rank: dict[str, int], limit: int = 3) -> list[str]:
    """The ``limit`` most distinctive of ``shared``; ``rank`` from ``ranking`` (0 = best)."""
    return heapq.nsmallest(limit, shared, key=rank.__getitem__)


def ranking(weights: dict[str, float]) -> dict[str, int]:
    """Terms numbered from the highest weight down (ties alphabetical)."""
    ordered = sorted(weights, key=lambda t: (-weights[t], t))
    return {term: number for number, term in enumerate(ordered)}


__all__ = [
    "BITS",
    "NGRAMS",
    "Block",
    "block",
    "common_terms",
    "global_idf",
    "ngram_counts",
    "normalise",
    "ranking",
    "terms",
    "top_terms",
]
