"""Terrorist-financing monitoring: transactions in (CSV/Parquet -> Parquet partitions, DuckDB),
declarative indicator rules on DuckDB and Spark, account scores with explanations, network
measures, cases with human decisions, goAML STR export, and synthetic data with planted
typologies.

The public API: other capabilities and the interfaces use these names only.
"""

from __future__ import annotations

from cthub.finance.cases import (
    AlertView,
    CaseView,
    alerts,
    assign,
    close,
    comment,
    get_case,
    open_case,
)
from cthub.finance.datasets import DatasetView, IngestResult, ingest_file, list_datasets
from cthub.finance.monitor import COLUMNS, MonitorResult, monitor_dataset, monitor_file
from cthub.finance.realtime import ScoreResult, score_transaction, warm_scorer
from cthub.finance.rule_settings import ParamView, RuleView, list_rules, rules_for, set_rule
from cthub.finance.str_export import export_str

__all__ = [
    "COLUMNS",
    "AlertView",
    "CaseView",
    "DatasetView",
    "IngestResult",
    "MonitorResult",
    "ParamView",
    "RuleView",
    "ScoreResult",
    "alerts",
    "assign",
    "close",
    "comment",
    "export_str",
    "get_case",
    "ingest_file",
    "list_datasets",
    "list_rules",
    "monitor_dataset",
    "monitor_file",
    "open_case",
    "rules_for",
    "score_transaction",
    "set_rule",
    "warm_scorer",
]
