"""Overlap detection: pairs of projects that may duplicate each other, with the reasons why.

Only projects that could duplicate each other are compared: pairs inside one *block* of
(recipient, area) whose dates overlap; cancelled projects are left out. A pair of two
multi-area projects sharing several areas is scored once, in the block of the first area
they share (taxonomy order). Each pair's score in [0, 1] is a weighted sum of components,
each in [0, 1] (``WEIGHTS``):

* ``text``: cosine similarity of title + description (``similarity``: hashed character
  2- to 4-grams, squared global IDF times the block's local IDF);
* ``dates``: the days both run as a share of the shorter project; halved when a start or end
  date is unknown (an unknown start or end is taken as open-ended);
* ``same_recipient_area``: the share of the two projects' areas they have in common (Jaccard),
  always above 0 inside a block;
* ``forms``: the Jaccard share of their forms of assistance;
* ``budget``: the smaller budget over the larger one, when both are known in one currency.

Every component that contributes becomes a ``Reason`` whose ``weight`` is its contribution,
so the reasons add up to the score. Messages are English msgids with ``{placeholders}``,
translated where the language is known (``Reason.render(gettext)``).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from cthub.coordination import similarity
from cthub.coordination.overlap_reasons import Reason, pair_reasons
from cthub.coordination.records import ProjectRecord
from cthub.coordination.taxonomy import AREA_KEYS, FORMS

WEIGHTS: dict[str, float] = {
    "text": 0.7,
    "dates": 0.1,
    "same_recipient_area": 0.1,
    "forms": 0.05,
    "budget": 0.05,
}
OPEN_ENDED_FACTOR = 0.5
_OPEN = 10**8  # day number standing in for an unknown start (negated) or end
_ROWS = 1024  # rows of a block scored at once, to bound memory on very large blocks
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.float64)
_FORM_KEYS = tuple(FORMS)

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Overlap:
    """A flagged pair: ``project_a`` < ``project_b`` (ids), score rounded to 3 decimals."""

    project_a: int
    project_b: int
    score: float
    reasons: tuple[Reason, ...]


def reasons_text(overlap: Overlap, gettext: Callable[[str], str] | None = None) -> str:
    """The overlap's reasons rendered and joined with ``"; "``."""
    return "; ".join(reason.render(gettext) for reason in overlap.reasons)


@dataclass(frozen=True)
class _Table:
    """Column arrays of the live projects, in id order, shared by every block."""

    projects: tuple[ProjectRecord, ...]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    known: npt.NDArray[np.bool_]
    areas: npt.NDArray[np.int64]
    forms: npt.NDArray[np.int64]
    currency: npt.NDArray[np.int64]
    budget: Array
    counts: sp.csr_matrix
    idf: npt.NDArray[np.float32]


def detect_overlaps(
    projects: Iterable[ProjectRecord], *, min_score: float = 0.5, processes: int = 1
) -> list[Overlap]:
    """Pairs scoring at least ``min_score``, best first (then by ids); deterministic.

    ``processes`` > 1 scores blocks in that many worker processes (fork start method only,
    else one process is used); the result is the same either way.
    """
    live = tuple(sorted((p for p in projects if p.status != "cancelled"), key=lambda p: p.id))
    with _collector_paused():
        table = _table(live)
        found = _run(table, _blocks(live), min_score, processes)
    return sorted(found, key=lambda o: (-o.score, o.project_a, o.project_b))


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small, acyclic results are built: with a
    large register in memory its passes cost a third of the time. Reference counting still
    frees memory; the collector's previous state is restored."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _table(live: tuple[ProjectRecord, ...]) -> _Table:
    area_bit = {key: 1 << i for i, key in enumerate(AREA_KEYS)}
    form_bit = {key: 1 << i for i, key in enumerate(_FORM_KEYS)}
    currencies: dict[str, int] = {}
    counts = similarity.ngram_counts([f"{p.title}\n{p.description}" for p in live])
    return _Table(
        projects=live,
        start=np.array([p.start.toordinal() if p.start else -_OPEN for p in live], np.int64),
        end=np.array([p.end.toordinal() if p.end else _OPEN for p in live], np.int64),
        known=np.array([p.start is not None and p.end is not None for p in live], bool),
        areas=np.array([sum(area_bit.get(a, 0) for a in set(p.areas)) for p in live], np.int64),
        forms=np.array([sum(form_bit.get(f, 0) for f in set(p.forms)) for p in live], np.int64),
        currency=np.array([_code(currencies, p.currency) for p in live], np.int64),
        budget=np.array([float(p.budget_minor or 0) for p in live], np.float64),
        counts=counts,
        idf=similarity.global_idf(counts),
    )


def _code(codes: dict[str, int], currency: str | None) -> int:
    return codes.setdefault(currency, len(codes)) if currency else -1


def _blocks(live: Sequence[ProjectRecord]) -> list[tuple[int, npt.NDArray[np.int64]]]:
    """(area index, row indexes) of every (recipient, area) block with two or more projects."""
    index = {key: i for i, key in enumerate(AREA_KEYS)}
    members: dict[tuple[str, int], list[int]] = defaultdict(list)
    for row, project in enumerate(live):
        for area in sorted({index[a] for a in project.areas if a in index}):
            members[(project.recipient, area)].append(row)
    return [
        (key[1], np.array(rows, np.int64)) for key, rows in sorted(members.items()) if len(rows) > 1
    ]


_SHARED: _Table | None = None


def _run(
    table: _Table,
    blocks: list[tuple[int, npt.NDArray[np.int64]]],
    min_score: float,
    processes: int,
) -> list[Overlap]:
    global _SHARED  # inherited by forked workers instead of pickled
    if processes <= 1 or len(blocks) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [o for area, rows in blocks for o in _score_block(table, area, rows, min_score)]
    _SHARED = table
    gc.freeze()  # forked workers then leave the parent's objects alone (no copy on write)
    try:
        context = multiprocessing.get_context("fork")
        jobs = [(area, rows, min_score) for area, rows in blocks]
        with context.Pool(min(processes, os.cpu_count() or 1)) as pool:
            parts = pool.starmap(_score_shared, jobs, chunksize=max(1, len(jobs) // 64))
    finally:
        _SHARED = None
        gc.unfreeze()
    return [
        Overlap(a, b, score, tuple(Reason(*r) for r in reasons))
        for part in parts
        for a, b, score, reasons in part
    ]


_Flat = tuple[int, int, float, tuple[tuple[str, str, tuple[tuple[str, str], ...], float], ...]]


def _score_shared(area: int, rows: npt.NDArray[np.int64], min_score: float) -> list[_Flat]:
    """A worker's block, as plain tuples: they travel back several times faster than objects."""
    assert _SHARED is not None  # noqa: S101 - set by _run before the pool forks
    return [
        (
            o.project_a,
            o.project_b,
            o.score,
            tuple((r.code, r.message, r.params, r.weight) for r in o.reasons),
        )
        for o in _score_block(_SHARED, area, rows, min_score)
    ]


def _score_block(
    table: _Table, area: int, rows: npt.NDArray[np.int64], min_score: float
) -> list[Overlap]:
    """Score every date-overlapping pair of one block; explain those at ``min_score`` or more."""
    texts = similarity.block(table.counts[rows], table.idf)
    pairs: list[tuple[int, int, dict[str, float]]] = []
    for top in range(0, len(rows), _ROWS):
        left = np.arange(top, min(top + _ROWS, len(rows)))
        text = (texts.vectors[left] @ texts.vectors.T).toarray()
        i, j = np.nonzero(np.arange(len(rows))[None, :] > left[:, None])
        i = left[i]
        parts = _components(table, rows[i], rows[j], area)
        parts["text"] = np.clip(text[i - top, j], 0.0, 1.0) * (parts["dates"] >= 0)
        score = sum(WEIGHTS[k] * np.maximum(v, 0.0) for k, v in parts.items())
        keep = np.flatnonzero((np.round(score, 3) >= min_score) & (parts["dates"] >= 0))
        pairs += [(int(rows[i[k]]), int(rows[j[k]]), {n: float(v[k]) for n, v in parts.items()})
                  for k in keep]  # fmt: skip
    return _explain_all(table, pairs, texts)


def _explain_all(
    table: _Table, pairs: list[tuple[int, int, dict[str, float]]], texts: similarity.Block
) -> list[Overlap]:
    """Explain a block's flagged pairs; terms are weighed once for the whole block."""
    words: dict[int, set[str]] = {}
    for a, b, _values in pairs:
        for row in (a, b):
            if row not in words:
                p = table.projects[row]
                words[row] = similarity.terms(f"{p.title}\n{p.description}")
    shared = [similarity.common_terms(words[a], words[b]) for a, b, _values in pairs]
    rank = similarity.ranking(texts.term_weights(sorted(set().union(*shared))))
    return [
        _explain(table.projects[a], table.projects[b], values, similarity.top_terms(common, rank))
        for (a, b, values), common in zip(pairs, shared, strict=True)
    ]


def _components(
    table: _Table, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], area: int
) -> dict[str, Array]:
    """Per pair components in [0, 1]; ``dates`` is -1 where the pair is not to be scored."""
    low = np.maximum(table.start[a], table.start[b])
    high = np.minimum(table.end[a], table.end[b])
    length = np.where(table.known, table.end - table.start + 1, np.inf).astype(np.float64)
    shorter = np.minimum(length[a], length[b])
    days = (high - low + 1).astype(np.float64)
    fraction = np.clip(days / np.where(np.isinf(shorter), np.maximum(days, 1), shorter), 0, 1)
    both_known = table.known[a] & table.known[b]
    dates = np.where(both_known, fraction, fraction * OPEN_ENDED_FACTOR)
    shared = table.areas[a] & table.areas[b]
    first_here = (shared & ((1 << area) - 1)) == 0  # scored in its first shared area only
    dates = np.where((low <= high) & first_here, dates, -1.0)
    same_currency = (table.currency[a] == table.currency[b]) & (table.currency[a] >= 0)
    small = np.minimum(table.budget[a], table.budget[b])
    large = np.maximum(table.budget[a], table.budget[b])
    budget = np.where(same_currency & (small > 0), small / np.where(large > 0, large, 1), 0.0)
    return {
        "dates": dates,
        "same_recipient_area": _jaccard(table.areas[a], table.areas[b]),
        "forms": _jaccard(table.forms[a], table.forms[b]),
        "budget": budget,
    }


def _jaccard(x: npt.NDArray[np.int64], y: npt.NDArray[np.int64]) -> Array:
    both, either = _POPCOUNT[(x & y) & 255], _POPCOUNT[(x | y) & 255]
    return np.where(either > 0, both / np.where(either > 0, either, 1), 0.0)


def _explain(
    a: ProjectRecord, b: ProjectRecord, values: dict[str, float], terms: list[str]
) -> Overlap:
    if b.id < a.id:
        a, b = b, a
    found = pair_reasons(a, b, values, terms, WEIGHTS)
    return Overlap(a.id, b.id, min(round(sum(r.weight for r in found), 3), 1.0), found)


__all__ = ["OPEN_ENDED_FACTOR", "WEIGHTS", "Overlap", "Reason", "detect_overlaps", "reasons_text"]
