"""The learned scorer's service functions: train on a labelled file, monitor with a model.

Both take ``(hub, actor, ...)``, pass the ``finance.monitor`` gate before any work (a model is
part of how monitoring is configured), run the rules exactly as ``monitor_file`` does
(counterparty names screened, bad rows skipped) and write one audit event with counts only.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cthub.core import duck
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.finance import network
from cthub.finance.datasets import literal
from cthub.finance.ingest import OnError, prepare
from cthub.finance.learn.activity import account_activity
from cthub.finance.learn.booster import (
    Model,
    Prediction,
    contributions,
    lightgbm,
    load,
    predict,
    save,
    train,
)
from cthub.finance.learn.combine import alerts, model_only
from cthub.finance.learn.features import Features, account_features, with_graph
from cthub.finance.learn.quality import Quality, evaluate, split
from cthub.finance.monitor import (
    MonitorResult,
    Progress,
    Steps,
    _evaluate,
    _gate,
    _rules,
    check_engine,
)
from cthub.finance.rules import HITS

HOLDOUT = 0.25


@dataclass(frozen=True)
class TrainResult:
    """A trained and saved model, and its quality on the held-out accounts."""

    output: Path
    rows: int
    skipped: int
    train_accounts: int
    test_accounts: int
    quality: Quality
    seconds: float


@dataclass
class ModelMonitorResult(MonitorResult):
    """``MonitorResult`` ordered by the combined score, plus ``model``: every alerted
    account's model score and top feature contributions (beside its rules, not instead)."""

    model: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_labels(path: Path) -> pa.Table:
    """``account, typology`` rows from a Parquet or CSV file (``cthub finance synth`` writes
    ``F.parquet.labels.parquet``); a missing typology reads as ``planted``."""
    if not path.is_file():
        raise InvalidInput("{file} is not a readable file.", hint="Check the path.",
                           file=str(path))  # fmt: skip
    reader = "read_parquet" if path.suffix.lower() == ".parquet" else "read_csv_auto"
    con = duck.connect()
    try:
        rel = con.sql(f"SELECT * FROM {reader}({literal(path)})")  # noqa: S608
        if "account" not in rel.columns:
            raise InvalidInput("{file} has no account column.", hint="Labels are account,"
                               "typology rows, as `cthub finance synth` writes them.",
                               file=path.name)  # fmt: skip
        typology = "typology::VARCHAR" if "typology" in rel.columns else "NULL"
        query = (
            f"SELECT DISTINCT account::VARCHAR AS account, coalesce({typology}, 'planted') "  # noqa: S608
            "AS typology FROM rel WHERE account IS NOT NULL ORDER BY 1, 2"
        )
        table = con.sql(query).to_arrow_table()
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0][:200]
        raise InvalidInput("{file} cannot be read: {reason}.",
                           hint="Give a CSV with a header row, or a Parquet file.",
                           file=path.name, reason=reason) from None  # fmt: skip
    finally:
        con.close()
    return table


def train_file(
    hub: Hub,
    actor: Actor,
    path: Path,
    labels_path: Path,
    output: Path,
    *,
    rules_dir: Path | None = None,
    seed: int = 1,
    holdout: float = HOLDOUT,
    engine: str = "duckdb",
) -> TrainResult:
    """Train a model on ``path`` labelled by ``labels_path``, holding out a stratified
    ``holdout`` share (0 to 1) of the accounts to measure it, and save it to ``output``."""
    _gate(hub, actor, "finance.monitor")
    lightgbm()  # before any work: without it, say so at once
    started = time.perf_counter()
    labels = read_labels(labels_path)
    rules = _rules(hub, actor, rules_dir)
    weights = {r.name: r.weight for r in rules if r.enabled}
    tmp = Path(tempfile.mkdtemp(prefix="cthub-model-"))
    try:
        prepared = prepare(path, tmp, on_error="skip")
        _scored, hits, _net = _evaluate(hub, actor, [prepared.path], rules, engine, None)
        features = account_features([prepared.path], _hits(hits), weights)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    fit, test = split(features.accounts, labels, holdout, seed)
    model = train(features.subset(fit), labels.column("account").to_pylist(), weights, seed=seed)
    quality = evaluate(model, features.subset(test), labels)
    model.metrics.update(precision=quality.model.precision, recall=quality.model.recall,
                         f1=quality.model.f1, test_accounts=float(test.sum()))  # fmt: skip
    save(model, output)
    result = TrainResult(output, prepared.rows, prepared.skipped, int(fit.sum()),
                         int(test.sum()), quality, time.perf_counter() - started)  # fmt: skip
    with hub.unit(actor, "finance.monitor") as u:
        u.audit("finance_model", output.name[:200], details={
            "step": "model.train", "file": path.name[:200], "rows": prepared.rows,
            "planted": quality.planted, "test_accounts": result.test_accounts,
            "f1": round(quality.model.f1, 4), "seed": seed})  # fmt: skip
    return result


def monitor_file_with_model(
    hub: Hub,
    actor: Actor,
    path: Path,
    model_dir: Path,
    rules_dir: Path | None = None,
    engine: str = "duckdb",
    since: dt.date | None = None,
    *,
    mapping: Mapping[str, str] | None = None,
    on_error: OnError = "skip",
    decimal: str = ".",
    progress: Progress | None = None,
) -> ModelMonitorResult:
    """``monitor_file`` with the alerts ordered by the combined score; accounts the model alone
    puts at or above its threshold are alerted too, with rule ``model`` (``combine``)."""
    _gate(hub, actor, "finance.monitor")
    check_engine(engine)
    model = load(model_dir)
    rules = _rules(hub, actor, rules_dir)
    steps = Steps(progress, rules, engine, more=2, last="model: features")
    tmp = Path(tempfile.mkdtemp(prefix="cthub-monitor-"))
    try:
        prepared = prepare(path, tmp, mapping, on_error, decimal=decimal)
        steps.step("screening counterparties")
        source = [prepared.path]
        scored, hits, _net = _evaluate(hub, actor, source, rules, engine, since, steps,
                                       max_tx_ids=None)  # fmt: skip
        features, graph = _features(model, source, hits, {r.name for r in rules if r.enabled})
        steps.step("model: scores and explanations")
        scores = predict(model, features, explain=())
        extra = model_only(model, scores, scored)
        start = None if since is None else dt.datetime.combine(since, dt.time())
        activity = account_activity(source, extra, start)
        alerted = [*(r["account"] for r in scored), *activity]
        scores = Prediction(scores.accounts, scores.score, contributions(model, features, alerted))
        rows, model_hits, view = alerts(scored, scores, activity)
        net = _network(graph, alerted)
        steps.step("writing the alerts")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with hub.unit(actor, "finance.monitor") as u:
        u.audit(details={"file": path.name[:200], "rows": prepared.rows, "engine": engine,
                         "skipped": prepared.skipped, "alerts": len(rows),
                         "model": model_dir.name[:200], "model_alerts": len(activity)})  # fmt: skip
    return ModelMonitorResult(rows, [*hits, *model_hits], prepared.rows, prepared.skipped,
                              prepared.errors, net, model=view)  # fmt: skip


def _hits(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=HITS)


def _features(model: Model, source: list[Path], hits: list[dict[str, Any]],
              ran: set[str]) -> tuple[Features, network.AccountGraph]:  # fmt: skip
    """The features the model expects, with the rule weights it was trained with; a rule it
    knows that did not run is ``InvalidInput`` (``Features.select``)."""
    table = _hits(hits)
    table = table.filter(pc.is_in(table.column("rule"), value_set=pa.array(sorted(model.rules))))
    weights = {name: w for name, w in model.rules.items() if name in ran}
    features, graph = with_graph(source, table, weights)
    return features.select(model.features), graph


def _network(graph: network.AccountGraph, alerted: list[str]) -> dict[str, dict[str, Any]]:
    """The monitor's network view of the alerted accounts (hops from the other alerted ones),
    from the graph the features were computed on."""
    measures = network.measures(graph, alerted)
    keep = pc.is_in(measures.column("account"), value_set=pa.array(sorted(alerted), pa.string()))
    return {r.pop("account"): r for r in measures.filter(keep).to_pylist()}


__all__ = ["ModelMonitorResult", "TrainResult", "monitor_file_with_model", "read_labels",
           "train_file"]  # fmt: skip
