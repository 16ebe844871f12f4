"""Monitoring: the indicator rules over a file or a dataset, scored per account, explained.

Counterparty names are screened through ``cthub.screening`` first (for the
``sanctioned_counterparty`` rule); the rules run on DuckDB (default) or Spark; each alerted
account gets a score from its rules' weights, the transactions each rule fired on, and its
network measures (component, fan-in/out, hops from other alerted accounts). ``monitor_file``
is the ``cthub finance monitor`` contract; ``monitor_dataset`` also stores the alerts for
review in cases.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cthub.core import duck, policy
from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.finance import network
from cthub.finance.cases import store_alerts
from cthub.finance.datasets import _dataset, dataset_files, literal
from cthub.finance.ingest import OnError, prepare
from cthub.finance.rule_settings import rules_for
from cthub.finance.rules import (
    counterparty_names,
    counterparty_wallets,
    listed_names,
    listed_wallets,
    load_rules,
    run_rules,
    score_accounts,
)

COLUMNS = ("account", "score", "rules", "first_seen", "last_seen", "tx_count", "tx_ids")
MAX_TX_IDS = 20  # per stored alert (its hits are stored beside it); a file run lists them all
#: ``(label, done, total)`` after each step of a run
Progress = Callable[[str, int, int], None]


@dataclass
class MonitorResult:
    """Alerted accounts best first (``COLUMNS``), the hits behind them, what input was skipped."""

    alerts: list[dict[str, Any]]
    hits: list[dict[str, Any]]
    rows: int
    skipped: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    network: dict[str, dict[str, Any]] = field(default_factory=dict)


def _rules(hub: Hub, actor: Actor, rules_dir: Path | None) -> list[Any]:
    """A caller's rules folder, else the organisation's rule set (the library as configured);
    refused when no rule would run, rather than reporting an empty run as a clean one."""
    rules = load_rules([rules_dir]) if rules_dir is not None else rules_for(hub, actor)
    if not any(r.enabled for r in rules):
        where = str(rules_dir) if rules_dir is not None else "the organisation's rule set"
        raise InvalidInput(
            "No enabled rule in {where}: nothing would be monitored.",
            hint="Give a folder of rule YAML files (*.yaml) with at least one enabled rule, "
            "or switch a rule on.",
            where=where[:300],
        )
    return rules


def check_engine(engine: str) -> None:
    """Refuse an engine other than DuckDB or Spark."""
    if engine not in ("duckdb", "spark"):
        raise InvalidInput("Unknown engine {engine}.", hint="Use duckdb or spark.",
                           engine=engine[:20])  # fmt: skip


class Steps:
    """A monitoring run's steps for a progress bar: checking the input, screening the
    counterparties, starting Spark (on Spark), each rule, the network, and ``more`` steps of
    the caller's, the first of them named ``last``. After each, ``progress(next, done, total)``
    names the step now running."""

    def __init__(
        self,
        progress: Progress | None,
        rules: Sequence[Any],
        engine: str = "duckdb",
        more: int = 0,
        last: str = "writing the alerts",
    ) -> None:
        self.progress = progress
        spark = 1 if engine == "spark" else 0
        self.total = 3 + spark + sum(1 for r in rules if r.enabled) + more
        self.done = 0
        self.last = last

    def step(self, running: str) -> None:
        self.done += 1
        self.say(running)

    def say(self, running: str) -> None:
        """Name the step now running without advancing."""
        if self.progress is not None:
            self.progress(running, min(self.done, self.total), self.total)


def _evaluate(
    hub: Hub,
    actor: Actor,
    files: Sequence[Path],
    rules: list[Any],
    engine: str,
    since: dt.date | None,
    steps: Steps | None = None,
    max_tx_ids: int | None = MAX_TX_IDS,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, dict[str, Any]]]:
    check_engine(engine)
    steps = steps or Steps(None, rules, engine)
    source = [str(p) for p in files]
    listed = _listed(hub, actor, source)
    names = [f"rule {r.name}" for r in rules if r.enabled]
    pending = iter([*names[1:], "network"])
    spark = None
    if engine == "spark":
        from cthub.finance.rules import on_spark

        steps.step("starting Spark")
        spark = on_spark.session()
        steps.say(names[0] if names else "network")
    else:
        steps.step(names[0] if names else "network")
    hits = run_rules(rules, engine, source, listed=listed, spark=spark,
                     on_rule=lambda: steps.step(next(pending, "network")))  # fmt: skip
    if since is not None:
        start = pa.scalar(dt.datetime.combine(since, dt.time()), type=hits.schema.field("ts").type)
        hits = hits.filter(pc.greater_equal(hits.column("ts"), start))
    scored = score_accounts(hits, rules, max_tx_ids=max_tx_ids).to_pylist()
    net = _network(source, {r["account"] for r in scored})
    steps.step(steps.last)
    return scored, hits.to_pylist(), net


def _listed(hub: Hub, actor: Actor, source: Sequence[str]) -> pa.Table | None:
    """Counterparty names screened, and crypto counterparties' wallet addresses looked up,
    against the active lists: the ``listed`` table the sanctions rules join."""
    tables = []
    names = counterparty_names(source)
    try:
        if names:
            tables.append(listed_names(hub, actor, names))
    except NotFound:  # no sanctions list loaded: the counterparty rule has nothing to find
        return None
    wallets = counterparty_wallets(source)
    if wallets:
        tables.append(listed_wallets(hub, actor, wallets))
    return pa.concat_tables(tables) if tables else None


def _network(source: Sequence[str], alerted: set[str]) -> dict[str, dict[str, Any]]:
    """Network measures of the alerted accounts (hops from the other alerted ones)."""
    if not alerted or not source:
        return {}
    con = duck.connect()
    try:
        files = ", ".join(literal(Path(p)) for p in source)
        query = f"SELECT sender, receiver FROM read_parquet([{files}])"  # noqa: S608
        table = con.sql(query).to_arrow_table()
    finally:
        con.close()
    graph = network.build(table)
    measures = network.measures(graph)
    keep = pc.is_in(measures.column("account"), value_set=pa.array(sorted(alerted)))
    between = network.hops_between(graph, alerted)
    out: dict[str, dict[str, Any]] = {}
    for row in measures.filter(keep).to_pylist():
        account = row.pop("account")
        row["hops"] = between.get(account, -1)  # to the nearest other alerted account
        out[account] = row
    return out


def _gate(hub: Hub, actor: Actor, action: str) -> None:
    """The role gate before any work, in a read-only session: the rules screen counterparty
    names through ``cthub.screening``, which opens its own unit of work."""
    with hub.db.session(readonly=True) as s:
        policy.require(s, actor, action)


def monitor_file(
    hub: Hub,
    actor: Actor,
    path: Path,
    rules_dir: Path | None = None,
    engine: str = "duckdb",
    since: dt.date | None = None,
    *,
    mapping: Mapping[str, str] | None = None,
    on_error: OnError = "skip",
    decimal: str = ".",
    progress: Progress | None = None,
) -> MonitorResult:
    """Run the rules over one CSV or Parquet file, read with ``mapping`` as ingest reads it:
    bad rows are reported and skipped (``on_error="skip"``) or refuse the file (``"abort"``).
    Every alert lists all the transactions its rules fired on."""
    _gate(hub, actor, "finance.monitor")
    check_engine(engine)
    rules = _rules(hub, actor, rules_dir)
    steps = Steps(progress, rules, engine)
    tmp = Path(tempfile.mkdtemp(prefix="cthub-monitor-"))
    try:
        prepared = prepare(path, tmp, mapping, on_error, decimal=decimal)
        steps.step("screening counterparties")
        scored, hits, net = _evaluate(hub, actor, [prepared.path], rules, engine, since, steps,
                                      max_tx_ids=None)  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with hub.unit(actor, "finance.monitor") as u:
        u.audit(details={"file": path.name[:200], "rows": prepared.rows, "engine": engine,
                         "skipped": prepared.skipped, "alerts": len(scored)})  # fmt: skip
    return MonitorResult(scored, hits, prepared.rows, prepared.skipped, prepared.errors, net)


def monitor_dataset(
    hub: Hub,
    actor: Actor,
    dataset: str,
    rules_dir: Path | None = None,
    engine: str = "duckdb",
) -> MonitorResult:
    """Run the rules over a stored dataset and store its alerts for review."""
    _gate(hub, actor, "finance.monitor")
    files = dataset_files(hub, actor, dataset)
    if not files:
        raise InvalidInput("Dataset {name} holds no transactions.",
                           hint="Ingest a file into it first.", name=dataset)  # fmt: skip
    rules = _rules(hub, actor, rules_dir)
    scored, hits, net = _evaluate(hub, actor, files, rules, engine, None)
    with hub.unit(actor, "finance.monitor") as u:
        ds = _dataset(u, dataset)
        store_alerts(u, ds.id, scored, hits, net)
        u.audit("finance_dataset", ds.id, details={"dataset": ds.name, "alerts": len(scored)})
    return MonitorResult(scored, hits, 0, network=net)


__all__ = [
    "COLUMNS",
    "MAX_TX_IDS",
    "MonitorResult",
    "Progress",
    "Steps",
    "check_engine",
    "monitor_dataset",
    "monitor_file",
]
