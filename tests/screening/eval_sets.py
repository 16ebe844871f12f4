"""Labelled evaluation sets from tests/fixtures/name-matching and the metrics computed on them.

Positives: the "list" is the untreated UN persons (name, birth date, nationality); each
treated row (typos, reorderings) must find the entry of the same row. Negatives: synthetic
persons that match nobody; a negative "alerts" when its best hit reaches the threshold.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

from cthub.screening import Entry, Matcher, Query

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "name-matching"


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(line for line in handle if not line.startswith("#"))


def _query(row: dict[str, str], evidence: bool) -> Query:
    if not evidence:
        return Query(row["full_name"])
    return Query(
        row["full_name"],
        type="person",
        birth_date=row["date_of_birth"] or None,
        nationality=row["nationality"] or None,
        gender=row["gender"] or None,
    )


def un_list() -> list[Entry]:
    """The untreated UN persons as list entries, one per row (id = row number)."""
    return [
        Entry(
            id=str(number),
            list="un",
            ref=str(number),
            schema="person",
            names=(row["full_name"],),
            birth_dates=(row["date_of_birth"],) if row["date_of_birth"] else (),
            countries=(row["nationality"].upper(),) if row["nationality"] else (),
        )
        for number, row in enumerate(_rows("yente_positives_un_untreated.csv"))
    ]


def positive_scores(matcher: Matcher, evidence: bool = True) -> list[float]:
    """For each treated row, the score of its own entry (0 when it is not returned)."""
    scores = []
    for number, row in enumerate(_rows("yente_positives_un_treated.csv")):
        hits = matcher.screen(_query(row, evidence), threshold=0.0, top=10)
        scores.append(next((h.score for h in hits if h.entry.id == str(number)), 0.0))
    return scores


def negative_scores(matcher: Matcher, evidence: bool = True) -> list[float]:
    """For each synthetic negative, its best score against any entry (0 when none)."""
    scores = []
    for row in _rows("yente_validation_negatives_global.csv"):
        hits = matcher.screen(_query(row, evidence), threshold=0.0, top=1)
        scores.append(hits[0].score if hits else 0.0)
    return scores


def threshold_at(negatives: Sequence[float], alert_share: float = 0.01) -> float:
    """The lowest threshold at which at most ``alert_share`` of negatives alert."""
    ranked = sorted(negatives, reverse=True)
    allowed = int(len(ranked) * alert_share)
    return ranked[allowed] + 1e-9 if allowed < len(ranked) else 0.0


def recall(positives: Sequence[float], threshold: float) -> float:
    return sum(score >= threshold for score in positives) / len(positives)


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    ranked = sorted(negatives)
    total = 0.0
    for score in positives:
        below = _count_below(ranked, score)
        equal = _count_below(ranked, score, inclusive=True) - below
        total += below + equal / 2
    return total / (len(positives) * len(negatives))


def _count_below(ranked: Sequence[float], value: float, inclusive: bool = False) -> int:
    import bisect

    return (bisect.bisect_right if inclusive else bisect.bisect_left)(ranked, value)


def cross_script_pairs() -> list[tuple[str, str, str]]:
    """``(query, expected Latin name, description)`` rows of the Watchman cross-script set."""
    return [(r["Query"], r["Expected Match"], r["Description"]) for r in _cross_rows()]


def _cross_rows() -> Iterator[dict[str, str]]:
    with (FIXTURES / "watchman_cross_script_pairs.csv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    header = "Query,Expected Match,Min Score,Description\n"
    yield from csv.DictReader([header, *lines])
