"""The combined score ("rules + model") and the monitor's alerts with their explanations.

``combined = 1 - (1 - rules) * (1 - model)``: the model is one more piece of evidence in the
same noisy-OR the rules' weights already use (``rules.scoring``), with the model's base-rate
probability as its weight. So an account keeps at least its rules' score (the model can lift
a rule alert, never bury it), an account no rule fired on is ranked by the model alone, and
the score stays in [0, 1].

``alerts`` makes the monitor's rows (``monitor.COLUMNS``, unchanged) from the rules' scored
accounts plus the accounts the model alone puts at or above its threshold. A rule alert keeps
its rules, times and transactions; a model-only alert names the rule ``model``, its times and
transactions are the account's own, and one ``model`` hit carries the explanation: the score
and the features that pushed it up most. Every alert's model score and contributions are also
returned beside the rules' explanation, never instead of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cthub.finance.learn.booster import Model, Prediction

MODEL_RULE = "model"


def combined(
    rules: npt.NDArray[np.float64], model: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``1 - (1 - rules) * (1 - model)`` element-wise, in [0, 1]."""
    return np.clip(1.0 - (1.0 - rules) * (1.0 - model), 0.0, 1.0)


def explanation(score: float, contributions: Sequence[tuple[str, float]]) -> str:
    """One line: ``model score 0.8123: graph.fan_in +1.20, share.cash +0.41``."""
    parts = ", ".join(f"{name} {value:+.2f}" for name, value in contributions)
    return f"model score {score:.4f}: {parts}" if parts else f"model score {score:.4f}"


def model_only(
    model: Model, prediction: Prediction, scored: Sequence[Mapping[str, Any]]
) -> list[str]:
    """The accounts at or above the model's threshold that no rule alerted, in name order."""
    ruled = {r["account"] for r in scored}
    keep = np.flatnonzero(prediction.score >= model.threshold)
    return sorted(a for a in prediction.accounts.take(keep).to_pylist() if a not in ruled)


def alerts(
    scored: Sequence[Mapping[str, Any]],
    prediction: Prediction,
    activity: Mapping[str, Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """``(rows, model hits, model view)``: the alert rows best first by combined score, one
    ``model`` hit per model-only alert, and ``account -> {model_score, contributions}``.

    ``scored`` are the rules' rows (``SCORES``); ``activity`` gives the model-only accounts'
    ``first_seen, last_seen, tx_count, tx_ids`` (an account missing there is not alerted).
    """
    model = prediction.by_account()
    rows: list[dict[str, Any]] = []
    for r in scored:
        p = model.get(r["account"], 0.0)
        rows.append({**r, "score": round(1.0 - (1.0 - r["score"]) * (1.0 - p), 6)})
    hits: list[dict[str, Any]] = []
    for account, seen in sorted(activity.items()):
        p = model[account]
        rows.append({"account": account, "score": round(p, 6), "rules": MODEL_RULE, **seen})
        first_tx = str(seen["tx_ids"]).split(",")[0]
        detail = explanation(p, prediction.contributions.get(account, []))
        hits.append({"rule": MODEL_RULE, "account": account, "tx_id": first_tx,
                     "ts": seen["first_seen"], "detail": detail})  # fmt: skip
    rows.sort(key=lambda r: (-r["score"], -r["tx_count"], r["account"]))
    view = {
        r["account"]: {
            "model_score": round(model.get(r["account"], 0.0), 6),
            "contributions": prediction.contributions.get(r["account"], []),
        }
        for r in rows
    }
    return rows, hits, view


__all__ = ["MODEL_RULE", "alerts", "combined", "explanation", "model_only"]
