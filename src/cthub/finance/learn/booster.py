"""The gradient-boosted scorer: train, predict with contributions, save and load (no pickle).

``train`` fits LightGBM's binary objective on labelled accounts. Imbalance (a few planted
accounts in thousands) is handled by weighting positives by ``negatives / positives``; the
score is then corrected back to the base rate (the weighted odds divided by that weight, i.e.
``pos_weight`` subtracted from the raw log-odds as ``log(pos_weight)``), so it reads as a
probability and can be combined with the rules' score. The number of trees and the alert
threshold come from a stratified k-fold on the training accounts only (early stopping on
average precision; the threshold maximises F1 on the out-of-fold scores), then one model is
fitted on all of them. LightGBM runs with ``deterministic=True``, the given seed and one
thread by default (the data are one row per account, small for LightGBM: more threads mostly
add OpenMP overhead, and a thread count that followed the machine would change the trees):
same data, seed and threads, same trees.

``save`` writes LightGBM's own text model (``model.txt``) and a JSON sidecar
(``model.json``: format version, feature names, the rules and weights it was trained with,
threshold, ``pos_weight``, seed, metrics); ``load`` reads them back and refuses anything it
does not recognise. LightGBM is imported lazily (``lightgbm()``): cthub works without it,
and asking for the model without it is a clear ``InvalidInput``.
"""

from __future__ import annotations

import importlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cthub.core.errors import InvalidInput
from cthub.finance.learn.features import Features

FORMAT = "cthub.finance.model"
VERSION = 1
MODEL_FILE, SIDECAR = "model.txt", "model.json"
FOLDS = 3
TOP = 3
_BATCH = 100_000


def lightgbm() -> ModuleType:
    """The ``lightgbm`` module, or ``InvalidInput`` saying how to install it."""
    try:
        return importlib.import_module("lightgbm")
    except (ImportError, OSError):
        raise InvalidInput(
            "The learned scorer needs LightGBM, which is not installed.",
            hint="Install the ml extra, e.g. `pip install 'cthub[ml]'`.",
        ) from None


@dataclass
class Model:
    """A trained scorer: the booster, the features and rules it expects, its threshold."""

    booster: Any  # lightgbm.Booster (no type stubs)
    features: tuple[str, ...]
    rules: dict[str, float]
    threshold: float
    pos_weight: float
    seed: int
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Prediction:
    """``score[i]`` (a probability) of ``accounts[i]``; ``contributions[i]`` its top features
    with their log-odds contributions, largest first (only for the accounts asked)."""

    accounts: pa.Array
    score: npt.NDArray[np.float64]
    contributions: dict[str, list[tuple[str, float]]]

    def by_account(self) -> dict[str, float]:
        return dict(zip(self.accounts.to_pylist(), self.score.tolist(), strict=True))


def params(seed: int, threads: int) -> dict[str, Any]:
    """LightGBM parameters (small trees; the data are a few features of rare positives)."""
    return {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 15,
        "min_data_in_leaf": 10,
        "min_sum_hessian_in_leaf": 1e-3,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "metric": "average_precision",
        "seed": seed,
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": threads,
        "verbosity": -1,
    }


def train(
    features: Features,
    positives: Iterable[str],
    rules: Mapping[str, float],
    *,
    seed: int = 1,
    threads: int = 1,
    rounds: int = 400,
) -> Model:
    """A model of ``features`` where the accounts in ``positives`` are the planted ones."""
    lgb = lightgbm()
    y = np.asarray(pc.is_in(features.accounts, value_set=pa.array(sorted(set(positives)),
                                                                   pa.string())))  # fmt: skip
    pos = int(y.sum())
    if pos < FOLDS or len(y) - pos < FOLDS:
        raise InvalidInput(
            "Too few labelled accounts to train on: {count} planted.",
            hint="Give labels naming at least {folds} planted accounts found in the data.",
            count=pos,
            folds=FOLDS,
        )
    weight = (len(y) - pos) / pos
    p = params(seed, threads)
    fold = stratified_folds(y, FOLDS, seed)
    oof, best = np.zeros(len(y)), []
    for k in range(FOLDS):
        fit, val = fold != k, fold == k
        sets = [_dataset(lgb, features, y, weight, m) for m in (fit, val)]
        early = lgb.early_stopping(30, verbose=False)
        b = lgb.train(p, sets[0], rounds, valid_sets=[sets[1]], callbacks=[early])
        best.append(max(1, int(b.best_iteration or rounds)))
        oof[val] = _calibrated(b.predict(features.matrix[val], raw_score=True), weight)
    trees = max(10, round(float(np.mean(best))))
    booster = lgb.train(p, _dataset(lgb, features, y, weight, np.ones(len(y), bool)), trees)
    threshold = best_threshold(oof, y)
    return Model(booster, features.names, dict(rules), threshold, weight, seed,
                 {"trees": float(trees), "train_accounts": float(len(y)),
                  "train_planted": float(pos)})  # fmt: skip


def _dataset(lgb: ModuleType, f: Features, y: npt.NDArray[np.bool_], weight: float,
             mask: npt.NDArray[np.bool_]) -> Any:  # fmt: skip
    w = np.where(y[mask], weight, 1.0)
    return lgb.Dataset(f.matrix[mask], label=y[mask].astype(np.float64), weight=w,
                       feature_name=list(f.names), free_raw_data=False)  # fmt: skip


def stratified_folds(y: npt.NDArray[np.bool_], k: int, seed: int) -> npt.NDArray[np.int64]:
    """A fold number per row, positives and negatives each dealt out evenly at random."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(y), dtype=np.int64)
    for value in (True, False):
        where = rng.permutation(np.flatnonzero(y == value))
        fold[where] = np.arange(len(where)) % k
    return fold


def best_threshold(score: npt.NDArray[np.float64], y: npt.NDArray[np.bool_]) -> float:
    """The score threshold with the highest F1 (midway to the next lower score)."""
    order = np.argsort(-score, kind="stable")
    s, hit = score[order], y[order]
    tp = np.cumsum(hit)
    f1 = 2 * tp / (np.arange(1, len(s) + 1) + hit.sum())
    last = np.flatnonzero(np.r_[s[1:] != s[:-1], True])  # the end of each run of equal scores
    i = int(last[np.argmax(f1[last])])
    below = s[i + 1] if i + 1 < len(s) else 0.0
    return float((s[i] + below) / 2)


def _calibrated(raw: npt.NDArray[np.float64], weight: float) -> npt.NDArray[np.float64]:
    """Weighted log-odds back to the base rate, as probabilities."""
    return np.asarray(1.0 / (1.0 + np.exp(-(raw - math.log(weight)))), dtype=np.float64)


def predict(
    model: Model, features: Features, *, explain: Iterable[str] | None = None, top: int = TOP
) -> Prediction:
    """Scores of every account of ``features``, and the ``top`` contributions of the accounts
    in ``explain`` (all when None)."""
    x = features.select(model.features)
    raw = np.concatenate([model.booster.predict(x.matrix[i : i + _BATCH], raw_score=True)
                          for i in range(0, len(x.matrix), _BATCH)] or [np.zeros(0)])  # fmt: skip
    score = _calibrated(np.asarray(raw, dtype=np.float64), model.pos_weight)
    wanted = x.accounts.to_pylist() if explain is None else explain
    return Prediction(x.accounts, score, contributions(model, x, wanted, top))


def contributions(
    model: Model, features: Features, accounts: Iterable[str], top: int = TOP
) -> dict[str, list[tuple[str, float]]]:
    """``account -> [(feature, log-odds contribution)]`` for the given accounts: the ``top``
    features that pushed its score up most, largest first (LightGBM's ``pred_contrib``)."""
    x = features.select(model.features)
    wanted = pa.array(sorted(set(accounts)), pa.string())
    rows = np.flatnonzero(np.asarray(pc.is_in(x.accounts, value_set=wanted)))
    names = x.accounts.take(pa.array(rows, pa.int64())).to_pylist()
    out: dict[str, list[tuple[str, float]]] = {}
    for i in range(0, len(rows), _BATCH):
        part = model.booster.predict(x.matrix[rows[i : i + _BATCH]], pred_contrib=True)[:, :-1]
        best = np.argsort(-part, axis=1, kind="stable")[:, :top]
        for j, cols in enumerate(best):
            out[names[i + j]] = [(model.features[c], round(float(part[j, c]), 4)) for c in cols]
    return out


def save(model: Model, directory: Path) -> Path:
    """Write ``model.txt`` and ``model.json`` into ``directory`` (made if missing)."""
    lgb = lightgbm()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MODEL_FILE).write_text(model.booster.model_to_string(), encoding="utf-8")
    sidecar = {
        "format": FORMAT,
        "version": VERSION,
        "lightgbm": str(lgb.__version__),
        "features": list(model.features),
        "rules": model.rules,
        "threshold": model.threshold,
        "pos_weight": model.pos_weight,
        "seed": model.seed,
        "metrics": model.metrics,
    }
    (directory / SIDECAR).write_text(json.dumps(sidecar, indent=2) + "\n", encoding="utf-8")
    return directory


def load(directory: Path) -> Model:
    """The model saved in ``directory``; ``InvalidInput`` for anything else."""
    lgb = lightgbm()
    paths = [directory / MODEL_FILE, directory / SIDECAR]
    for path in paths:
        if not path.is_file():
            raise InvalidInput("{file} is not a readable file.", hint="Check the path.",
                               file=str(path))  # fmt: skip
    try:
        meta = json.loads(paths[1].read_text(encoding="utf-8"))
        ok = meta.get("format") == FORMAT and meta.get("version") == VERSION
        booster = lgb.Booster(model_str=paths[0].read_text(encoding="utf-8")) if ok else None
    except (ValueError, AttributeError, lgb.basic.LightGBMError):
        booster = None
    if booster is None or list(booster.feature_name()) != list(meta.get("features", [])):
        raise InvalidInput("{file} is not a cthub finance model.",
                           hint="Train one with `cthub finance model train`.",
                           file=str(directory))  # fmt: skip
    rules = {str(k): float(v) for k, v in meta["rules"].items()}
    return Model(booster, tuple(meta["features"]), rules, float(meta["threshold"]),
                 float(meta["pos_weight"]), int(meta["seed"]),
                 {str(k): float(v) for k, v in meta.get("metrics", {}).items()})  # fmt: skip


__all__ = [
    "FORMAT",
    "VERSION",
    "Model",
    "Prediction",
    "best_threshold",
    "contributions",
    "lightgbm",
    "load",
    "predict",
    "save",
    "stratified_folds",
    "train",
]
