"""The indicator rules on DuckDB and Spark, their YAML validation, and account scoring.

Strategy: one hand-built dataset for the module, the union of every registered kind's
``examples()`` (each a planted pattern plus decoy accounts with near misses, in its own
account namespace), written once to Parquet. Every shipped rule runs over it once per engine
(one ``local[1]`` SparkSession per module, two shuffle partitions: Spark takes seconds to
start); the tests compare the two hit tables row for row and check each kind's examples. A
missing Java fails the Spark tests with a clear message; they are never skipped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession

from cthub.core.errors import InvalidInput, Unavailable
from cthub.core.hub import Hub
from cthub.finance.rules import (
    HITS,
    LIBRARY,
    SCORES,
    Example,
    compile_rule,
    configure,
    counterparty_names,
    library,
    listed_names,
    load_rules,
    on_spark,
    parse_rule,
    registry,
    run_rules,
    score_accounts,
)
from cthub.finance.rules.loader import parameters
from cthub.finance.rules.params import Where, parse_duration
from cthub.finance.schema import STORED
from cthub.lists import load
from tests import factories

ARROW = {"VARCHAR": pa.string(), "TIMESTAMP": pa.timestamp("us"), "BIGINT": pa.int64()}
TX_SCHEMA = pa.schema([(name, ARROW[kind]) for name, kind in STORED.items()])


def examples() -> list[tuple[str, Example]]:
    return [(kind.name, ex) for kind in registry.all() for ex in kind.examples()]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    try:
        session = on_spark.session(1, shuffle_partitions=2)
    except Unavailable as exc:
        pytest.fail(f"PySpark cannot start: {exc.render()} {exc.render_hint()}", pytrace=False)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pa.Table]:
    rows = [row for _, ex in examples() for row in ex.rows]
    listed = [
        {"name": row[0], "list_name": row[1], "list_ref": row[2], "score": row[3],
         "kind": row[4] if len(row) > 4 else "name"}
        for _, ex in examples()
        for row in ex.listed
    ]  # fmt: skip
    path = tmp_path_factory.mktemp("finance") / "tx.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=TX_SCHEMA), path)
    return path, pa.Table.from_pylist(
        listed,
        schema=pa.schema(
            [
                ("name", pa.string()),
                ("list_name", pa.string()),
                ("list_ref", pa.string()),
                ("score", pa.float64()),
                ("kind", pa.string()),
            ]
        ),
    )


@pytest.fixture(scope="module")
def on_duckdb(dataset: tuple[Path, pa.Table]) -> pa.Table:
    path, listed = dataset
    return run_rules(library(), "duckdb", path, listed=listed, threads=1)


@pytest.fixture(scope="module")
def on_spark_hits(dataset: tuple[Path, pa.Table], spark: SparkSession) -> pa.Table:
    path, listed = dataset
    return run_rules(library(), "spark", str(path), listed=listed, spark=spark)


# Both engines, every shipped rule


def test_the_dataset_is_well_formed() -> None:
    ids = [row["tx_id"] for _, ex in examples() for row in ex.rows]
    assert len(ids) == len(set(ids))
    assert {kind for kind, _ in examples()} == set(registry.names())


def test_every_kind_has_a_shipped_rule_spelling_out_its_parameters() -> None:
    rules = {r.kind: r for r in library()}
    assert set(rules) == set(registry.names())
    for kind in registry.all():
        rule = rules[kind.name]
        assert 0 < rule.weight <= 1
        assert rule.enabled
        assert rule.references
        assert any("FATF" in ref for ref in rule.references)
        assert any("FinCEN" in ref for ref in rule.references)
        raw = (LIBRARY / f"{rule.name}.yaml").read_text(encoding="utf-8")
        for param in kind.parameters:
            assert f"  {param.name}:" in raw, (rule.name, param.name)
        assert rule.params == parameters(kind.name, {}, Where("-", kind.name))  # the defaults


def test_engines_return_identical_hits(on_duckdb: pa.Table, on_spark_hits: pa.Table) -> None:
    assert on_duckdb.schema == HITS
    assert on_spark_hits.schema == HITS
    assert on_duckdb.num_rows > 0
    assert on_duckdb.to_pylist() == on_spark_hits.to_pylist()


@pytest.mark.parametrize("kind", sorted(k.name for k in registry.all()))
def test_each_rule_fires_on_its_pattern_and_not_on_its_decoys(
    kind: str, on_duckdb: pa.Table, on_spark_hits: pa.Table
) -> None:
    rule = next(r.name for r in library() if r.kind == kind)
    for table in (on_duckdb, on_spark_hits):
        found = {(h["account"], h["tx_id"]) for h in table.to_pylist() if h["rule"] == rule}
        for name, ex in examples():
            if name != kind:
                continue
            owned = {a for a, _ in ex.hits} | ex.decoys
            assert {pair for pair in found if pair[0] in owned} == ex.hits, ex.title
            assert not {a for a, _ in found} & ex.decoys


def test_details_are_json_that_explain_the_match(on_duckdb: pa.Table) -> None:
    details = {(h["rule"], h["tx_id"]): json.loads(h["detail"]) for h in on_duckdb.to_pylist()}
    assert details["structuring", "st-2"] == {
        "deposits": 3,
        "total_minor": 2_860_000,
        "currency": "EUR",
        "band_minor": "900000-999999",
        "window": "7d",
    }
    assert details["gather_scatter", "gs-10"]["senders"] == 9
    assert details["pass_through", "pt-1"] == {
        "role": "credit",
        "credit_minor": 2_000_000,
        "sent_on_minor": 1_900_000,
        "currency": "EUR",
        "within": "48h",
    }
    assert details["cash_abroad_burst", "ca-4"]["country"] == "SY"
    assert details["npo_inconsistent", "np-2"]["reason"] == "channel:hawala"
    assert details["high_risk_jurisdiction", "hr-2"]["direction"] == "from"
    assert details["sanctioned_counterparty", "sc-1"]["ref"] == "O-1"
    assert details["shared_identifier", "si-1"]["accounts"] == 4
    assert details["dormant_reactivation", "dr-2"]["role"] == "wake"


def test_one_sql_text_per_rule_reads_only_tx_and_listed() -> None:
    for rule in library():
        sql = compile_rule(rule)
        assert sql.startswith(f"SELECT '{rule.name}' AS rule")
        assert ("listed" in sql) == registry.get(rule.kind).uses_listed


def test_other_sources_give_the_same_hits(
    dataset: tuple[Path, pa.Table], on_duckdb: pa.Table, spark: SparkSession
) -> None:
    path, listed = dataset
    table = pq.read_table(path)
    assert run_rules(library(), "duckdb", table, listed=listed).equals(on_duckdb)
    con = duckdb.connect()
    relation = con.read_parquet(str(path))
    assert run_rules(library(), "duckdb", relation, listed=listed, connection=con).equals(on_duckdb)
    rules = [r for r in library() if r.kind in ("structuring", "dormant_reactivation")]
    frame = spark.read.parquet(str(path))
    got = run_rules(rules, "spark", frame, spark=spark)
    want = on_duckdb.filter(pa.compute.is_in(on_duckdb["rule"], pa.array([r.name for r in rules])))
    assert got.equals(want)


def test_disabled_rules_and_no_listed_table(dataset: tuple[Path, pa.Table]) -> None:
    path, _ = dataset
    rules = [configure(r) for r in library()]
    off = [replace(r, enabled=r.kind != "structuring") for r in rules]
    got = run_rules(off, "duckdb", path)
    assert "structuring" not in set(got["rule"].to_pylist())
    assert "sanctioned_counterparty" not in set(got["rule"].to_pylist())


def test_refusals(dataset: tuple[Path, pa.Table], tmp_path: Path) -> None:
    path, _ = dataset
    with pytest.raises(InvalidInput, match="Unknown engine"):
        run_rules(library(), "pandas", path)
    narrow = tmp_path / "narrow.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["sender_identifier"]), narrow)
    with pytest.raises(InvalidInput, match="lack column sender_identifier"):
        run_rules(library(), "duckdb", narrow)
    with pytest.raises(InvalidInput, match="does not exist"):
        run_rules(library(), "duckdb", tmp_path / "missing.parquet")
    with pytest.raises(InvalidInput, match="listed table lacks column list_name, list_ref, score"):
        run_rules(library(), "duckdb", path, listed=pa.table({"name": ["x"]}))


def test_configured_thresholds_change_what_fires(dataset: tuple[Path, pa.Table]) -> None:
    path, _ = dataset
    structuring = next(r for r in library() if r.kind == "structuring")
    transfers = configure(structuring, channels=["cash", "transfer"])
    longer = configure(structuring, window="17d")
    found = {(h["rule"], h["account"]) for h in run_rules([transfers], "duckdb", path).to_pylist()}
    assert {"ST-A", "ST-D3"} <= {a for _, a in found}
    found = {h["account"] for h in run_rules([longer], "duckdb", path).to_pylist()}
    assert {"ST-A", "ST-D1"} <= found
    assert not {"ST-D2", "ST-D3"} & found


def test_counterparty_names_and_listed_names(
    sqlite_hub: Hub, dataset: tuple[Path, pa.Table], tmp_path: Path
) -> None:
    path, _ = dataset
    csv = tmp_path / "list.csv"
    csv.write_text(
        "name,aliases,type,birth_date,nationality,id_number,ref\n"
        "Northern Star Trading LLC,,organization,,AE,,O-1\n"
        "Abdul Rahman Al Hakim,,person,1975,SY,,P-2\n",
        encoding="utf-8",
    )
    load(sqlite_hub, factories.OPERATOR, "plain-csv", csv, list_name="test")
    names = counterparty_names(path)
    assert "Northern Star Trading LLC" in names
    assert "" not in names
    listed = listed_names(sqlite_hub, factories.OPERATOR, names)
    assert {"Northern Star Trading LLC", "Abdul Rahman Al Hakim"} <= set(listed["name"].to_pylist())
    assert set(listed["list_name"].to_pylist()) == {"test"}
    rule = next(r for r in library() if r.kind == "sanctioned_counterparty")
    hits = run_rules([rule], "duckdb", path, listed=listed)
    assert {("SC-A", "sc-1"), ("SC-B", "sc-2")} <= {
        (h["account"], h["tx_id"]) for h in hits.to_pylist()
    }


# Validation


def write(tmp_path: Path, text: str, name: str = "rule.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEAD = """\
name: my_structuring
kind: structuring
title: Structuring in USD
weight: 0.5
"""
GOOD = HEAD + "parameters:\n  threshold: 1000000\n  currencies: [USD]\n"


def test_a_minimal_rule_takes_the_kind_defaults(tmp_path: Path) -> None:
    (rule,) = load_rules([write(tmp_path, GOOD)])
    assert rule.enabled
    assert rule.references == ()
    assert rule.description == ""
    assert rule.params.codes("currencies") == ("USD",)
    assert rule.params.duration("window").seconds == 7 * 86400
    assert rule.params.codes("channels") == ("cash",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("  window: 7\n", "parameter window must be a duration"),
        ("  window: 3 days\n", "parameter window must be a duration"),
        ("  threshold: 9999.5\n", "parameter threshold must be an amount in whole minor units"),
        ("  threshold: '12.50'\n", "parameter threshold must be an amount in whole minor units"),
        ("  min_count: 'three'\n", "parameter min_count must be a whole number"),
        ("  min_count: true\n", "parameter min_count must be a whole number"),
        ("  band_percent: 12.345\n", "parameter band_percent must be a percentage"),
        ("  channels: [cash, pigeon]\n", "pigeon is not one"),
        ("  channels: cash\n", "parameter channels must be a list of channels"),
        ("  currencies: [usd]\n", "usd is not one"),
        ("  currencies: [EUR, 5]\n", "must be a list of ISO 4217 currency codes; \\['EUR', 5\\]"),
        ("  channels: [cash]\n  currencies: [EUR]\n  threshold: 5.0\n", "whole minor units"),
        ("  min_count: 1\n", "parameter min_count is 1, outside 2 to 1000"),
        ("  window: 365d\n", "parameter window is '365d', outside 3600 to 7776000"),
        ("  band_percent: 0\n", "parameter band_percent is 0, outside 1 to 100"),
        ("  channels: []\n", "parameter channels is \\[\\], outside 1 to -"),
        ("  threshold: 0\n", "parameter threshold is 0, outside 1 to -"),
        ("  tresholds: 5\n", "unknown parameter tresholds"),
    ],
)
def test_bad_parameters_name_file_rule_and_parameter(
    tmp_path: Path, change: str, message: str
) -> None:
    path = write(tmp_path, HEAD + "parameters:\n" + change)
    with pytest.raises(InvalidInput, match=message) as caught:
        load_rules([path])
    assert str(path) in caught.value.render()
    assert "rule my_structuring" in caught.value.render()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("kind: structuring", "kind: smurfing"), "unknown rule kind 'smurfing'"),
        (GOOD + "owner: me\n", "unknown key 'owner'"),
        (GOOD.replace("weight: 0.5", "weight: 0"), "weight must be a number above 0"),
        (GOOD.replace("weight: 0.5", "weight: 1.5"), "weight must be a number above 0"),
        (GOOD.replace("weight: 0.5", "weight: high"), "weight must be a number above 0"),
        (GOOD.replace("title: Structuring in USD\n", ""), "title is missing"),
        (GOOD + "enabled: 'yes'\n", "enabled must be true or false"),
        (GOOD + "references: FATF\n", "references must be a list"),
        (GOOD.replace("my_structuring", "My Rule"), "rule name My Rule must be lower-case"),
        (GOOD + "weight: 0.4\n", "duplicate key 'weight'"),
        (GOOD + "  currencies: [EUR]\n", "duplicate key 'currencies'"),
        ("name: [unclosed\n", "the YAML cannot be read"),
        ("- a list\n", "a rule file must be a mapping"),
        (
            GOOD.replace("parameters:\n", "parameters: 5\n").split("  threshold")[0],
            "parameters must be a mapping",
        ),
    ],
)
def test_bad_rule_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InvalidInput, match=message) as caught:
        load_rules([path])
    assert str(path) in caught.value.render()


def test_parameters_that_do_not_fit_together(tmp_path: Path) -> None:
    text = "name: dr\nkind: dormant_reactivation\ntitle: D\nweight: 0.2\n"
    path = write(tmp_path, text + "parameters:\n  dormant_for: 30d\n  window: 60d\n")
    with pytest.raises(InvalidInput, match="window must not be longer than dormant_for"):
        load_rules([path])


def test_duplicate_rule_names_across_files(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(InvalidInput, match="already defined in"):
        load_rules([tmp_path])


def test_configure_checks_like_a_file() -> None:
    rule = next(r for r in library() if r.kind == "pass_through")
    assert configure(rule, within="PT36H").params.duration("within").seconds == 36 * 3600
    with pytest.raises(InvalidInput, match=r"pass_through\.yaml: rule pass_through: parameter"):
        configure(rule, min_out_percent=120)
    with pytest.raises(InvalidInput, match="unknown parameter"):
        parse_rule({**GOOD_DICT, "parameters": {"nope": 1}})


GOOD_DICT = {"name": "r", "kind": "structuring", "title": "T", "weight": 0.3}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("7d", 604800),
        ("2w", 1209600),
        ("90m", 5400),
        ("P1DT2H", 93600),
        ("PT45S", 45),
        ("P", None),
        ("PT", None),
        ("0d", None),
        ("7 d", None),
        ("P1DT", None),
    ],
)
def test_durations(text: str, seconds: int | None) -> None:
    assert parse_duration(text) == seconds


# Scoring


def hit(rule: str, account: str, tx_id: str, day: int) -> dict[str, object]:
    return {
        "rule": rule,
        "account": account,
        "tx_id": tx_id,
        "ts": dt.datetime(2024, 1, day),
        "detail": "{}",
    }


WEIGHTS = {"a": 0.5, "b": 0.4, "c": 0.9}


def test_scores_combine_distinct_rules() -> None:
    hits = pa.Table.from_pylist(
        [
            hit("a", "X", "t1", 3),
            hit("b", "X", "t2", 1),
            hit("a", "X", "t3", 5),
            hit("a", "Y", "t4", 2),
            hit("a", "Y", "t5", 2),
            hit("a", "Y", "t4", 2),
        ],
        schema=HITS,
    )
    scores = score_accounts(hits, WEIGHTS)
    assert scores.schema == SCORES
    rows = scores.to_pylist()
    assert [r["account"] for r in rows] == ["X", "Y"]
    assert rows[0]["score"] == pytest.approx(1 - 0.5 * 0.6)
    assert rows[0]["rules"] == "a,b"
    assert rows[0]["first_seen"] == dt.datetime(2024, 1, 1)
    assert rows[0]["last_seen"] == dt.datetime(2024, 1, 5)
    assert rows[0]["tx_count"] == 3
    assert rows[0]["tx_ids"] == "t2,t1,t3"
    assert rows[1]["score"] == pytest.approx(0.5)  # one rule twice counts once
    assert rows[1]["tx_count"] == 2


def test_scores_stay_in_range_and_order_best_first() -> None:
    hits = pa.Table.from_pylist(
        [hit(r, "Z", f"z{r}", 1) for r in "abc"]
        + [hit("c", "W", "w1", 1)]
        + [hit("b", f"V{i}", f"v{i}", 1) for i in range(3)],
        schema=HITS,
    )
    rows = score_accounts(hits, WEIGHTS, max_tx_ids=2).to_pylist()
    assert [r["account"] for r in rows] == ["Z", "W", "V0", "V1", "V2"]
    assert 0.9 < rows[0]["score"] <= 1.0
    assert rows[0]["rules"] == "c,a,b"
    assert rows[0]["tx_ids"].count(",") == 1


def test_scoring_with_rules_and_refusals(on_duckdb: pa.Table) -> None:
    scores = score_accounts(on_duckdb, library())
    assert scores.num_rows == len(set(on_duckdb["account"].to_pylist()))
    values = scores["score"].to_pylist()
    assert values == sorted(values, reverse=True)
    assert score_accounts(HITS.empty_table(), library()).num_rows == 0
    with pytest.raises(InvalidInput, match="not among the rules given"):
        score_accounts(on_duckdb, {"structuring": 0.4})
