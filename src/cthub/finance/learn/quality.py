"""Detection quality: precision, recall and F1 on held-out accounts, and recall of planted
accounts at a fixed alert rate, per typology, rules only against rules + model.

Held-out means accounts the model never saw: a stratified split of one dataset by account
(``split``), or a whole dataset generated with another seed and size. At alert rate ``r`` of
``n`` evaluated accounts, the ``ceil(r * n)`` best-scored accounts are alerted: by the rules'
score for "rules" (an account no rule fired on has no score and is never alerted, so the rules
may alert fewer), by the combined score (``combine.combined``) for "rules + model", and, for
reference only, by the model's score alone (what the combination gives up by never ranking a
rule alert below its rules' score). Ties break
by transaction count (more first), then account, as the monitor orders its alerts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cthub.finance.learn.booster import Model, predict
from cthub.finance.learn.combine import combined
from cthub.finance.learn.features import Features

RATES = (0.01, 0.05)
ALL = "all"


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 of one alert set."""

    precision: float
    recall: float
    f1: float
    alerts: int

    @classmethod
    def of(cls, alerted: npt.NDArray[np.bool_], y: npt.NDArray[np.bool_]) -> Scores:
        tp = int((alerted & y).sum())
        p = tp / int(alerted.sum()) if alerted.any() else 0.0
        r = tp / int(y.sum()) if y.any() else 0.0
        return cls(p, r, 2 * p * r / (p + r) if p + r else 0.0, int(alerted.sum()))


@dataclass(frozen=True)
class Quality:
    """What ``evaluate`` measured on ``accounts`` evaluated accounts, ``planted`` of them
    planted: the model at its threshold, the rules (any hit), and either (the monitor's
    alerts with ``--model``); ``recall_at[rate][typology] = (rules, rules + model, model)``
    (the last for reference: ranked by the model alone), ``planted_by[typology]`` and
    ``alerts_at[rate] = (rules, rules + model)``."""

    accounts: int
    planted: int
    model: Scores
    rules: Scores
    either: Scores
    recall_at: dict[float, dict[str, tuple[float, float, float]]] = field(default_factory=dict)
    alerts_at: dict[float, tuple[int, int]] = field(default_factory=dict)
    planted_by: dict[str, int] = field(default_factory=dict)


def split(
    accounts: pa.Array, labels: pa.Table, holdout: float, seed: int
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """``(train, test)`` masks over ``accounts``: a random ``holdout`` share of each stratum
    (each typology, and the unlabelled) held out."""
    stratum = _typology_of(accounts, labels)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(accounts), dtype=bool)
    for value in sorted(set(stratum)):
        where = rng.permutation(np.flatnonzero(stratum == value))
        test[where[: round(holdout * len(where))]] = True
    return ~test, test


def _typology_of(accounts: pa.Array, labels: pa.Table) -> npt.NDArray[np.str_]:
    """Each account's first typology by name, '' when unlabelled."""
    first = labels.group_by("account").aggregate([("typology", "min")])
    at = pc.index_in(accounts, value_set=first.column("account"))
    values = pc.take(first.column("typology_min"), at).fill_null("")
    return np.asarray(values.to_pylist(), dtype=str)


def evaluate(
    model: Model, features: Features, labels: pa.Table, *, rates: Sequence[float] = RATES
) -> Quality:
    """The quality of ``model`` and of the rules on the accounts of ``features``;
    ``labels`` (``account, typology``) name the planted ones."""
    pred = predict(model, features, explain=())
    rule_score = features.column("rules.score").astype(np.float64)
    both = combined(rule_score, pred.score)
    planted = set(labels.column("account").to_pylist())
    y = np.asarray(pc.is_in(features.accounts, value_set=pa.array(sorted(planted), pa.string())))
    fired = rule_score > 0
    by_model = pred.score >= model.threshold
    quality = Quality(
        len(y), int(y.sum()), Scores.of(by_model, y), Scores.of(fired, y),
        Scores.of(by_model | fired, y),
    )  # fmt: skip
    tx = features.column("tx.in") + features.column("tx.out")
    typologies = _typologies(features.accounts, labels)
    for name, members in typologies.items():
        quality.planted_by[name] = int(members.sum())
    for rate in rates:
        k = math.ceil(rate * len(y))
        a_rules = top(rule_score, tx, features.accounts, k) & fired
        a_both = top(both, tx, features.accounts, k)
        a_model = top(pred.score, tx, features.accounts, k)
        quality.alerts_at[rate] = (int(a_rules.sum()), int(a_both.sum()))
        quality.recall_at[rate] = {
            name: (_recall(a_rules, m), _recall(a_both, m), _recall(a_model, m))
            for name, m in typologies.items()
        }
    return quality


def top(
    score: npt.NDArray[np.float64], tx: npt.NDArray[np.float32], accounts: pa.Array, k: int
) -> npt.NDArray[np.bool_]:
    """A mask of the ``k`` best by score, then transaction count, then account."""
    names = np.asarray(accounts.to_pylist(), dtype=str)
    order = np.lexsort((names, -tx.astype(np.float64), -score))
    mask = np.zeros(len(score), dtype=bool)
    mask[order[:k]] = True
    return mask


def _typologies(accounts: pa.Array, labels: pa.Table) -> dict[str, npt.NDArray[np.bool_]]:
    """``all`` and each typology (by name) -> a mask of its planted accounts."""
    out = {}
    for name in [ALL, *sorted(set(labels.column("typology").to_pylist()))]:
        rows = labels if name == ALL else labels.filter(pc.equal(labels.column("typology"), name))
        wanted = pc.unique(rows.column("account"))
        out[name] = np.asarray(pc.is_in(accounts, value_set=wanted))
    return out


def _recall(alerted: npt.NDArray[np.bool_], members: npt.NDArray[np.bool_]) -> float:
    return float((alerted & members).sum() / members.sum()) if members.any() else 0.0


__all__ = ["ALL", "RATES", "Quality", "Scores", "evaluate", "split", "top"]
