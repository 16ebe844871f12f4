"""Real-time scoring against the batch rules, on generated data with planted typologies.

The agreement test replays a synthetic dataset: the first half is the stored history the scorer
loads, the second half is scored one transaction at a time in time order. For every rule, the
(account, tx_id) pairs of the batch rule over the whole dataset must equal exactly those of
the batch rule over the history alone together with every pair the scorer reported (the
account of each fired rule with each transaction involved). Exact, for every shipped rule:

- the rules that look only back (high-risk jurisdiction, sanctioned counterparty,
  gather-scatter at its outflow) fire on the same transaction as the batch;
- the rules whose batch form marks a transaction for what came after it (structuring and NPO
  windows, pass-through and cash-abroad credits, a dormant account's waking transaction, every
  transaction of a shared identifier) are reported when the later transaction completes the
  pattern, with the earlier transactions among ``tx_ids``; so the union agrees, though the
  scorer names them at the completing transaction, not at their own.

This needs timestamps without ties (the batch windows count rows of the same instant that
arrive later); the generator's microsecond times have none, and the fixture checks it.
"""

from __future__ import annotations

import collections
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from cthub.core import audit
from cthub.core.db import Database
from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.tables import AuditEvent
from cthub.finance import ingest_file, set_rule
from cthub.finance.realtime import (
    DETECTORS,
    Scorer,
    Tx,
    parse,
    read_call,
    score_transaction,
    score_transactions,
    submit,
    warm_scorer,
)
from cthub.finance.realtime.base import Context, Listing
from cthub.finance.realtime.incoming import micros
from cthub.finance.realtime.names import CHECK_S, NameCache
from cthub.finance.realtime.service import reset
from cthub.finance.realtime.windows import GatherScatterNow
from cthub.finance.rules import (
    Rule,
    configure,
    counterparty_names,
    library,
    listed_names,
    run_rules,
)
from cthub.finance.synth import DEFAULT_HIGH_RISK, TYPOLOGIES, SynthConfig, generate
from cthub.lists import load
from tests import factories
from tests.conftest import make_settings

Pairs = dict[str, set[tuple[str, str]]]


@pytest.fixture(scope="module")
def listed_hub(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Hub]:
    """A SQLite hub with the bundled UN list loaded, shared by the module's tests."""
    folder = tmp_path_factory.mktemp("realtime")
    shutil.copy(sqlite_template, folder / "cthub.db")
    url = f"sqlite:///{folder / 'cthub.db'}"
    hub = Hub(make_settings(folder, url), Database(url))
    load(hub, factories.OPERATOR, "un")
    yield hub
    reset()
    hub.close()


def _rules() -> list[Rule]:
    """The shipped rules; high-risk jurisdictions set to the generator's conflict countries."""
    return [configure(r, countries=list(DEFAULT_HIGH_RISK))
            if r.kind == "high_risk_jurisdiction" else r for r in library()]  # fmt: skip


def _pairs(hits: pa.Table) -> Pairs:
    out: Pairs = collections.defaultdict(set)
    columns = [hits.column(c).to_pylist() for c in ("rule", "account", "tx_id")]
    for rule, account, tx_id in zip(*columns, strict=True):
        out[rule].add((account, tx_id))
    return out


def _tx(row: dict[str, Any]) -> Tx:
    return Tx(**{**row, "ts": micros(row["ts"])})


@pytest.fixture(scope="module")
def replay(listed_hub: Hub, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    config = SynthConfig(typology_fraction=dict.fromkeys(TYPOLOGIES, 0.01))
    table = generate(300, 240, seed=8, config=config).transactions
    assert pc.count_distinct(table.column("ts")).as_py() == table.num_rows  # no ties
    rules = _rules()
    listed = listed_names(listed_hub, factories.OPERATOR, counterparty_names(table))
    half = table.num_rows // 2
    history, rest = table.slice(0, half), table.slice(half)
    path = tmp_path_factory.mktemp("replay") / "history.parquet"
    pq.write_table(history, path)
    by_name: dict[str, list[Listing]] = collections.defaultdict(list)
    for row in listed.to_pylist():
        by_name[row["name"]].append((row["list_name"], row["list_ref"], row["score"]))
    scorer = Scorer(rules, max_tx_ids=10**9)
    scorer.load([path])
    fired: Pairs = collections.defaultdict(set)
    for row in rest.to_pylist():
        tx = _tx(row)
        names = (tx.sender_name, tx.receiver_name)
        result = scorer.score(tx, Context({n: by_name.get(n, []) for n in names}))
        for f in result.fired:
            fired[f.rule] |= {(f.account, t) for t in f.tx_ids}
            assert f.tx_count == len(f.tx_ids)
            assert tx.tx_id in f.tx_ids
    return {
        "rules": rules,
        "whole": _pairs(run_rules(rules, source=table, listed=listed)),
        "history": _pairs(run_rules(rules, source=history, listed=listed)),
        "fired": fired,
        "path": path,
        "rest": rest,
    }


REALTIME = [r.name for r in library() if r.kind in DETECTORS]


def test_rules_without_a_real_time_form_are_named_in_every_result() -> None:
    others = tuple(r.name for r in library() if r.enabled and r.kind not in DETECTORS)
    scorer = Scorer(library())
    assert scorer.not_scored == others
    assert scorer.score(parse(_body())).not_scored == others


@pytest.mark.parametrize("rule", REALTIME)
def test_replay_agrees_exactly_with_the_batch_rule(replay: dict[str, Any], rule: str) -> None:
    fired = replay["fired"][rule]
    assert fired, f"{rule} never fired in the replay: the comparison would prove nothing"
    expected = replay["whole"][rule]
    got = replay["history"][rule] | fired
    assert not expected - got, sorted(expected - got)[:5]  # missed by the scorer
    assert not got - expected, sorted(got - expected)[:5]  # reported, not a batch hit


def test_the_common_name_cap_agrees_with_the_batch_across_the_history_and_the_replay(
    tmp_path: Path,
) -> None:
    """A listed person's name paid by more accounts than ``max_accounts`` stops counting at
    the same transaction in both forms, whether the count was reached in the stored history
    or while scoring; a listed NPO paid by as many accounts counts throughout."""
    from cthub.finance.rules.kinds.base import tx as row
    from cthub.finance.schema import STORED

    arrow = {"VARCHAR": pa.string(), "TIMESTAMP": pa.timestamp("us"), "BIGINT": pa.int64()}
    schema = pa.schema([(name, arrow[kind]) for name, kind in STORED.items()])
    rows = []
    for i in range(40):  # payer i % 9 pays the common name, then the fund; some twice
        payer = f"CN-{i % 9}"
        hour = i - i % 2  # pairs at one instant, in tx_id order (as the replay sends them)
        rows.append(row(f"c{i:02}", hour, payer, "CN-X", 30_000, receiver_name="Omar Hassan"))
        rows.append(row(f"f{i:02}", i + 0.5, payer, "NF-X", 2_000,
                        receiver_name="Al Noor Relief Fund", receiver_type="npo"))  # fmt: skip
    table = pa.Table.from_pylist(rows, schema=schema)
    names = pa.schema([("name", pa.string()), ("list_name", pa.string()),
                       ("list_ref", pa.string()), ("score", pa.float64()),
                       ("kind", pa.string())])  # fmt: skip
    listed = pa.Table.from_pylist(
        [{"name": "Omar Hassan", "list_name": "t", "list_ref": "P-1", "score": 0.85,
          "kind": "name"},
         {"name": "Al Noor Relief Fund", "list_name": "t", "list_ref": "O-1", "score": 0.85,
          "kind": "name"}],
        schema=names,
    )  # fmt: skip
    by_name: dict[str, list[Listing]] = {
        r["name"]: [(r["list_name"], r["list_ref"], r["score"])] for r in listed.to_pylist()
    }
    rule = next(r for r in library() if r.kind == "sanctioned_counterparty")
    for cap, split in ((3, 4), (3, 40), (5, 60), (0, 30)):
        sized = configure(rule, max_accounts=cap)
        history, rest = table.slice(0, split), table.slice(split)
        path = tmp_path / f"history-{cap}-{split}.parquet"
        pq.write_table(history, path)
        scorer = Scorer([sized], max_tx_ids=10**9)
        scorer.load([path])
        fired: set[tuple[str, str]] = set()
        for r in rest.to_pylist():
            tx = _tx(r)
            context = Context({n: by_name.get(n, []) for n in (tx.sender_name, tx.receiver_name)})
            for f in scorer.score(tx, context).fired:
                fired |= {(f.account, t) for t in f.tx_ids}
        whole = _pairs(run_rules([sized], source=table, listed=listed))[sized.name]
        got = _pairs(run_rules([sized], source=history, listed=listed))[sized.name] | fired
        assert got == whole, (cap, split, sorted(whole ^ got)[:5])
        common = {t for a, t in whole if t.startswith("c")}
        fund = {t for a, t in whole if t.startswith("f")}
        assert len(fund) == 40  # never capped
        # the first ``cap`` payers (CN-0 .. CN-cap-1) count until the next one arrives
        assert common == {f"c{i:02}" for i in range(cap or 40)}


def test_state_loads_only_what_the_rules_look_back_to(replay: dict[str, Any]) -> None:
    scorer = Scorer(replay["rules"])
    info = scorer.load([replay["path"]])
    assert info.rows == pq.ParquetFile(replay["path"]).metadata.num_rows
    assert info.newest is not None
    assert info.partitions == 1
    gather = next(d for r, d in scorer.detectors if r.kind == "gather_scatter")
    assert isinstance(gather, GatherScatterNow)
    kept = sorted(t for s in gather.book.series.values() for t, _ in s.between(0, 2**62))
    since = micros(info.newest) - 8 * 86400 * 10**6  # the 7-day window, a day late at most
    history = pq.read_table(replay["path"]).to_pylist()
    small = [
        micros(r["ts"])
        for r in history
        if micros(r["ts"]) >= since
        and r["sender"]
        and r["receiver"]
        and r["amount_minor"] <= 100_000
        and r["receiver_type"] == "person"
    ]
    assert kept == sorted(small)
    assert 0 < len(kept) < len(history) / 10


def _body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "tx_id": "n1", "timestamp": "2026-03-05T10:00:00+01:00", "sender": "DE01",
        "receiver": "DE02", "amount": "120.50", "currency": "eur", "channel": "Transfer",
        "sender_type": "Person", "receiver_country": "de",
    }  # fmt: skip
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_a_transaction_is_checked_and_stored_as_ingest_would() -> None:
    tx = parse(_body())
    assert tx.amount_minor == 12050
    assert tx.currency == "EUR"
    assert tx.channel == "transfer"
    assert tx.time == dt.datetime(2026, 3, 5, 9, 0)  # UTC
    assert (tx.sender_type, tx.receiver_country) == ("person", "DE")
    assert parse(_body(amount=None, amount_minor=12050)).amount_minor == 12050
    assert parse(_body(amount="7", currency="JPY")).amount_minor == 7
    assert parse(_body(channel="")).channel == "transfer"
    assert parse(_body(sender="", channel="cash")).sender == ""  # a cash deposit


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tx_id": None}, "tx_id"),
        ({"tx_id": "  "}, "tx_id"),
        ({"tx_id": 12}, "tx_id"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"timestamp": None}, "timestamp"),
        ({"amount": 120.5}, "amount"),
        ({"amount": "-3"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1e15"}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount_minor": 5}, "amount"),
        ({"amount": None, "amount_minor": "5"}, "amount_minor"),
        ({"currency": "EURO"}, "currency"),
        ({"channel": "pigeon"}, "channel"),
        ({"sender_type": "robot"}, "sender_type"),
        ({"receiver_type": "bank"}, "receiver_type"),
        ({"sender_country": "DEU"}, "sender_country"),
        ({"receiver_country": "1"}, "receiver_country"),
        ({"sender": ""}, "sender"),
        ({"receiver": ""}, "receiver"),
        ({"sender": "", "receiver": "", "channel": "cash"}, "sender"),
        ({"sender_name": "x" * 301}, "sender_name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse(_body(**changes))
    assert err.value.params["field"] == field
    assert field in err.value.render()


def test_repeats_late_and_future_transactions_are_refused(replay: dict[str, Any]) -> None:
    scorer = Scorer(replay["rules"])
    scorer.load([replay["path"]])
    rows = replay["rest"].slice(0, 2).to_pylist()
    stored = pq.read_table(replay["path"]).slice(5, 1).to_pylist()[0]
    with pytest.raises(InvalidInput, match="already in the dataset"):
        scorer.score(_tx(stored))
    first = _tx(rows[0])
    scorer.score(first)
    with pytest.raises(InvalidInput, match="already in the dataset") as err:
        scorer.score(first)
    assert err.value.params["field"] == "tx_id"
    with pytest.raises(InvalidInput, match="hours before the newest") as err:
        scorer.score(Tx(**_late(rows[1], days=2)))
    assert err.value.params["field"] == "timestamp"
    future = _late(rows[1], days=-3650 * 3)
    with pytest.raises(InvalidInput, match="in the future"):
        scorer.score(Tx(**future))


def _late(row: dict[str, Any], days: int) -> dict[str, Any]:
    return {**row, "tx_id": f"late{days}", "ts": micros(row["ts"] - dt.timedelta(days=days))}


CSV = """tx_id,timestamp,sender,receiver,amount,currency,channel
s1,2026-03-01T09:00:00Z,,DE77,9500.00,EUR,cash
s2,2026-03-02T09:00:00Z,,DE77,9800.00,EUR,cash
"""
LATER = """tx_id,timestamp,sender,receiver,amount,currency,channel
s4,2026-03-03T12:00:00Z,,DE88,9600.00,EUR,cash
"""


def _deposit(tx_id: str, when: str, account: str = "DE77") -> dict[str, object]:
    return {"tx_id": tx_id, "timestamp": when, "sender": "", "receiver": account,
            "amount": "9900.00", "currency": "EUR", "channel": "cash"}  # fmt: skip


def test_service_scores_audits_and_rebuilds_on_a_new_partition(
    sqlite_hub: Hub, tmp_path: Path
) -> None:
    org = factories.org(sqlite_hub)
    analyst = factories.member(sqlite_hub, "analyst", org).actor
    (tmp_path / "a.csv").write_text(CSV, encoding="utf-8")
    ingest_file(sqlite_hub, analyst, tmp_path / "a.csv", "branch")
    first = warm_scorer(sqlite_hub, analyst, "branch")
    assert first is not None
    assert first.rows == 2
    result = score_transaction(sqlite_hub, analyst, "branch",
                               _deposit("s3", "2026-03-03T09:00:00Z"))  # fmt: skip
    assert result.alert
    assert result.score == 0.4
    (fired,) = result.fired
    assert (fired.rule, fired.account, fired.tx_ids) == ("structuring", "DE77", ("s1", "s2", "s3"))
    assert fired.title
    assert fired.detail["deposits"] == 3
    quiet = score_transaction(sqlite_hub, analyst, "branch",
                              _deposit("q1", "2026-03-03T10:00:00Z", "DE99"))  # fmt: skip
    assert not quiet.alert
    assert quiet.score == 0.0
    assert quiet.fired == ()
    with sqlite_hub.db.session(readonly=True) as s:
        q = select(AuditEvent).where(AuditEvent.action == "finance.monitor")
        events = s.scalars(q.order_by(AuditEvent.seq)).all()
    assert [e.details.get("tx_id") for e in events[-2:]] == ["s3", "q1"]
    assert events[-2].details["rules"] == ["structuring"]
    assert "DE77" not in str(events[-2].details)
    # a new partition: the state is rebuilt from both, and s3, q1 (scored, not ingested) kept
    (tmp_path / "b.csv").write_text(LATER, encoding="utf-8")
    ingest_file(sqlite_hub, analyst, tmp_path / "b.csv", "branch")
    again = score_transaction(sqlite_hub, analyst, "branch",
                              _deposit("s5", "2026-03-04T09:00:00Z", "DE88"))  # fmt: skip
    assert again.fired == ()  # two deposits for DE88: s4 (new partition) and s5
    third = score_transaction(sqlite_hub, analyst, "branch",
                              _deposit("s6", "2026-03-04T10:00:00Z", "DE88"))  # fmt: skip
    assert third.fired[0].tx_ids == ("s4", "s5", "s6")
    for repeat in ("s3", "s4"):  # scored before the rebuild; ingested in the new partition
        with pytest.raises(InvalidInput, match="already in the dataset"):
            score_transaction(sqlite_hub, analyst, "branch",
                              _deposit(repeat, "2026-03-04T11:00:00Z"))  # fmt: skip
    carried = score_transaction(sqlite_hub, analyst, "branch",
                                _deposit("s7", "2026-03-04T12:00:00Z"))  # fmt: skip
    assert carried.fired[0].tx_ids == ("s1", "s2", "s3", "s7")  # s3 carried over the rebuild


def test_service_gates_refusals_and_the_organisations_rules(
    sqlite_hub: Hub, tmp_path: Path
) -> None:
    org = factories.org(sqlite_hub)
    analyst = factories.member(sqlite_hub, "analyst", org).actor
    viewer = factories.member(sqlite_hub, "viewer", org).actor
    (tmp_path / "a.csv").write_text(CSV, encoding="utf-8")
    ingest_file(sqlite_hub, analyst, tmp_path / "a.csv", "branch")
    with pytest.raises(Forbidden):
        score_transaction(sqlite_hub, viewer, "branch", _deposit("v1", "2026-03-03T09:00:00Z"))
    with pytest.raises(InvalidInput, match="amount"):
        score_transaction(sqlite_hub, analyst, "branch", {**_deposit("b1", "2026-03-03"),
                                                          "amount": "-1"})  # fmt: skip
    with sqlite_hub.db.session(readonly=True) as s:
        outcomes = s.execute(select(AuditEvent.outcome, func.count())
                             .where(AuditEvent.action == "finance.monitor")
                             .group_by(AuditEvent.outcome)).all()  # fmt: skip
    assert dict(outcomes) == {"denied": 1, "failed": 1}
    set_rule(sqlite_hub, analyst, "structuring", enabled=False)
    off = score_transaction(sqlite_hub, analyst, "branch", _deposit("s3", "2026-03-03T09:00:00Z"))
    assert off.fired == ()
    set_rule(sqlite_hub, analyst, "structuring", enabled=True)
    on = score_transaction(sqlite_hub, analyst, "branch", _deposit("s4", "2026-03-03T10:00:00Z"))
    assert on.fired[0].tx_ids == ("s1", "s2", "s3", "s4")  # s3 carried to the new rule set


def _monitor_events(hub: Hub) -> list[AuditEvent]:
    with hub.db.session(readonly=True) as s:
        q = select(AuditEvent).where(AuditEvent.action == "finance.monitor")
        return list(s.scalars(q.order_by(AuditEvent.seq)).all())


def _chain_ok(hub: Hub) -> bool:
    with hub.db.session(readonly=True) as s:
        return audit.verify(s).ok


def test_a_batch_scores_in_order_skips_the_refused_and_writes_one_event(
    sqlite_hub: Hub, tmp_path: Path
) -> None:
    org = factories.org(sqlite_hub)
    analyst = factories.member(sqlite_hub, "analyst", org).actor
    (tmp_path / "a.csv").write_text(CSV, encoding="utf-8")
    ingest_file(sqlite_hub, analyst, tmp_path / "a.csv", "branch")
    bad = {**_deposit("b1", "2026-03-03"), "amount": "-1"}
    txs = [_deposit("s3", "2026-03-03T09:00:00Z"), bad, _deposit("s1", "2026-03-03T10:00:00Z"),
           _deposit("q1", "2026-03-03T11:00:00Z", "DE99")]  # fmt: skip
    batch = score_transactions(sqlite_hub, analyst, "branch", txs)
    assert [r.tx_id for r in batch.results] == ["s3", "q1"]
    assert batch.results[0].fired[0].tx_ids == ("s1", "s2", "s3")
    assert [(at, type(exc).__name__) for at, exc in batch.refused] == [
        (1, "InvalidInput"), (2, "InvalidInput")]  # fmt: skip
    assert "amount" in batch.refused[0][1].render()
    assert "already in the dataset" in batch.refused[1][1].render()
    (event,) = _monitor_events(sqlite_hub)[-1:]
    assert event.details["tx_ids"] == ["s3", "q1"]
    assert event.details["alerts"] == ["s3"]
    assert event.details["refused"] == ["b1", "s1"]
    assert event.details["rules"] == ["structuring"]
    assert "DE77" not in str(event.details)
    with pytest.raises(InvalidInput, match="1 to 500"):
        score_transactions(sqlite_hub, analyst, "branch", [])


def test_concurrent_calls_are_group_committed_in_one_verified_chain(
    sqlite_hub: Hub, tmp_path: Path
) -> None:
    """Calls queued together share a transaction; each is answered once its event is in the
    chain, refusals included, and other writers' events interleave without a break."""
    org = factories.org(sqlite_hub)
    analyst = factories.member(sqlite_hub, "analyst", org).actor
    viewer = factories.member(sqlite_hub, "viewer", org).actor
    (tmp_path / "a.csv").write_text(CSV, encoding="utf-8")
    ingest_file(sqlite_hub, analyst, tmp_path / "a.csv", "branch")
    warm_scorer(sqlite_hub, analyst, "branch")
    before = len(_monitor_events(sqlite_hub))
    futures = [submit(sqlite_hub, analyst, "branch",
                      [_deposit(f"c{i}", f"2026-03-03T{i % 24:02d}:{i % 60:02d}:00Z", f"DX{i}")],
                      batch=False) for i in range(60)]  # fmt: skip
    refused = submit(sqlite_hub, viewer, "branch", [_deposit("v1", "2026-03-03")], batch=False)
    with sqlite_hub.unit(analyst, "finance.monitor") as u:  # another writer, meanwhile
        u.audit(details={"note": "between"})
    assert sorted(f.result(timeout=30).tx_id for f in futures) == sorted(f"c{i}" for i in range(60))
    with pytest.raises(Forbidden):
        refused.result(timeout=30)
    events = _monitor_events(sqlite_hub)[before:]
    assert len(events) == 62
    assert [e.outcome for e in events].count("denied") == 1
    assert _chain_ok(sqlite_hub)
    with pytest.raises(NotFound, match="No dataset"):
        score_transaction(sqlite_hub, analyst, "nowhere", _deposit("n1", "2026-03-03"))
    assert _monitor_events(sqlite_hub)[-1].outcome == "failed"


def test_the_name_cache_answers_without_the_database_and_sends_one_caller_to_check(
    sqlite_hub: Hub,
) -> None:
    org = factories.org(sqlite_hub)
    analyst = factories.member(sqlite_hub, "analyst", org).actor
    cache = NameCache()
    assert cache.cached(sqlite_hub, ["ACME"]) is None  # nothing read yet
    assert cache.listed(sqlite_hub, analyst, ["ACME"]) == {"ACME": ()}
    assert cache.cached(sqlite_hub, ["ACME"]) == {"ACME": ()}
    assert cache.cached(sqlite_hub, ["ACME", "OTHER"]) is None  # OTHER is not screened yet
    cache._by_db[sqlite_hub.db.url].checked -= CHECK_S  # the list versions are due a check
    assert cache.cached(sqlite_hub, ["ACME"]) is None  # this caller reads them ...
    assert cache.cached(sqlite_hub, ["ACME"]) == {"ACME": ()}  # ... the others go on


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"[1]", "request"),
        (b"{", "request"),
        (b'{"dataset": "d", "transactions": []}', "transactions"),
        (b'{"dataset": "d", "transaction": {}, "transactions": [{}]}', "transactions"),
        (b'{"dataset": "d", "transactions": [{"tx_id": "a"}, 5]}', "transactions.0.timestamp"),
        (b'{"dataset": "", "transaction": {}}', "dataset"),
        (b'{"dataset": "d", "transaction": {"tx_id": 5}}', "transaction.tx_id"),
        (b'{"dataset": "d", "transaction": {"amount_minor": 1.5}}', "transaction.amount_minor"),
        (b'{"dataset": "d", "colour": 1}', "colour"),
    ],
)
def test_a_call_on_the_wire_is_checked_by_hand_naming_the_field(body: bytes, named: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_call(body)
    assert caught.value.render().startswith(named)


def test_a_call_on_the_wire_keeps_the_transactions_without_nulls() -> None:
    call = read_call(b'{"dataset": "d", "transactions": [{"tx_id": "a", "timestamp": "t", '
                     b'"currency": "EUR", "amount": null, "amount_minor": 5}]}')  # fmt: skip
    assert call.batch
    assert call.transactions == ({"tx_id": "a", "timestamp": "t", "currency": "EUR",
                                  "amount_minor": 5},)  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "currency", "problem"),
    [("1,500", "EUR", "ambiguous"), ("1,50", "EUR", "not a decimal"), ("1e3", "EUR", "not a"),
     ("10.005", "EUR", "more decimal places"), ("0.5", "JPY", "more decimal places"),
     ("10", "XXX", "ISO 4217"), ("999999999999999", "CLF", "too large"),
     ("100000000000000.00000000000001", "EUR", "more decimal places"),
     ("12.50\t", "EUR", "not a decimal")],
)  # fmt: skip
def test_an_amount_follows_ingests_grammar(amount: str, currency: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        parse(_body(amount=amount, currency=currency))
    assert parse(_body(amount="1,234.50")).amount_minor == 123_450
