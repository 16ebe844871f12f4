"""The learned scorer: an optional LightGBM model behind the rules, never instead of them.

Per-account features (``features``: what each rule found, graph measures from
``cthub.finance.network``, transactional aggregates from DuckDB) feed a gradient-boosted
binary model trained on labelled accounts (``booster``: imbalance weighted, threshold and
tree count from a stratified k-fold on the training accounts, deterministic for a seed,
saved as LightGBM's text model plus a JSON sidecar, never pickled). ``quality`` measures it on
held-out accounts: precision, recall and F1 at its threshold, and recall of planted accounts at
fixed alert rates per typology, rules only against rules + model.

The combined score, and why (``combine``): ``1 - (1 - rules) * (1 - model)``, the same
noisy-OR the rules' weights already use, with the model's base-rate probability as one more
piece of evidence. An account keeps at least its rules' score, so the model can lift a rule
alert but never bury one; an account no rule fired on is ranked by the model alone. Every
alert keeps its rules' explanation (rules, hits, transactions); an account alerted by the
model alone names the rule ``model`` and is explained by the features that pushed its score
up (LightGBM ``pred_contrib``), shown as its ``model`` hit. The model score and contributions
of every alert are reported beside the rules, never in their place.

LightGBM is an optional dependency (the ``ml`` extra), imported only when a model is trained
or used; without it those calls raise ``InvalidInput`` saying how to install it.
"""

from __future__ import annotations

from cthub.finance.learn.booster import Model, Prediction, contributions, load, predict, save, train
from cthub.finance.learn.combine import MODEL_RULE, alerts, combined
from cthub.finance.learn.features import Features, account_features, from_rules
from cthub.finance.learn.quality import RATES, Quality, Scores, evaluate, split
from cthub.finance.learn.service import (
    ModelMonitorResult,
    TrainResult,
    monitor_file_with_model,
    read_labels,
    train_file,
)

__all__ = [
    "MODEL_RULE",
    "RATES",
    "Features",
    "Model",
    "ModelMonitorResult",
    "Prediction",
    "Quality",
    "Scores",
    "TrainResult",
    "account_features",
    "alerts",
    "combined",
    "contributions",
    "evaluate",
    "from_rules",
    "load",
    "monitor_file_with_model",
    "predict",
    "read_labels",
    "save",
    "split",
    "train",
    "train_file",
]
