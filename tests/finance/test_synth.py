"""The synthetic transaction generator: schema, determinism, and every planted pattern.

One module-scoped dataset (3,000 customers over 240 days, about 400,000 rows) backs the
pattern tests; each test recomputes its typology's defining pattern from the rows with
DuckDB or numpy, never from expected counts. Generation speed is measured by
``bench/finance_synth.py``, not here.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cthub.core.errors import InvalidInput
from cthub.core.money import currencies
from cthub.finance.schema import CHANNELS, PARTY_TYPES, STORED
from cthub.finance.synth import (
    DECOYS,
    DEFAULT_START,
    LABELS,
    TYPOLOGIES,
    SynthConfig,
    Synthetic,
    generate,
)
from cthub.lists import bundled_path, registry

DAYS = 240
ARROW = {"VARCHAR": pa.string(), "TIMESTAMP": pa.timestamp("us"), "BIGINT": pa.int64()}
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US


@pytest.fixture(scope="module")
def synthetic() -> Synthetic:
    return generate(3000, DAYS, seed=11)


@pytest.fixture(scope="module")
def db(synthetic: Synthetic) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("tx", synthetic.transactions)
    con.register("labels", synthetic.labels)
    con.register("decoys", synthetic.decoys)
    con.register("accounts", synthetic.accounts)
    # each row once per customer side, with the other side's columns
    con.execute(
        """create view sides as
        select sender acct, 'out' dir, receiver other, receiver_name other_name,
               receiver_country other_country, receiver_type other_type, * from tx
        union all
        select receiver, 'in', sender, sender_name, sender_country, sender_type, * from tx"""
    )
    return con


def planted(db: duckdb.DuckDBPyConnection, typology: str, table: str = "labels") -> list[str]:
    rows = db.execute(f"select account from {table} where typology = ?", [typology]).fetchall()
    assert rows, f"no account planted with {typology}"
    return [r[0] for r in rows]


def rows_of(db: duckdb.DuckDBPyConnection, account: str) -> list[dict[str, Any]]:
    cur = db.execute(
        "select dir, other, other_name, other_country, other_type, epoch_us(ts) t, amount_minor,"
        " channel, sender_identifier from sides where acct = ? order by ts",
        [account],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# -- shape ------------------------------------------------------------------------------


def test_schema_is_exactly_stored(synthetic: Synthetic) -> None:
    schema = synthetic.transactions.schema
    assert schema.names == list(STORED)
    assert [f.type for f in schema] == [ARROW[t] for t in STORED.values()]
    assert synthetic.labels.schema.names == ["account", "typology", "first_tx", "last_tx"]
    assert synthetic.labels.schema == LABELS == synthetic.decoys.schema


def test_no_nulls_and_valid_vocabularies(
    synthetic: Synthetic, db: duckdb.DuckDBPyConnection
) -> None:
    tx = synthetic.transactions
    assert all(tx.column(name).null_count == 0 for name in tx.column_names)
    smallest = db.execute("select min(amount_minor) from tx").fetchone()
    assert smallest is not None
    assert smallest[0] >= 1
    used = {r[0] for r in db.execute("select distinct currency from tx").fetchall()}
    assert used <= currencies()
    assert used == {"EUR", "USD", "GBP"}
    used = {r[0] for r in db.execute("select distinct channel from tx").fetchall()}
    assert used == set(CHANNELS)
    kinds = "select sender_type from tx union select receiver_type from tx"
    assert {r[0] for r in db.execute(kinds).fetchall()} == {*PARTY_TYPES, ""}
    places = "select sender_country from tx union select receiver_country from tx"
    assert all(re.fullmatch(r"[A-Z]{2}|", r[0]) for r in db.execute(places).fetchall())


def test_required_columns_are_filled(db: duckdb.DuckDBPyConnection) -> None:
    empty = db.execute(
        "select count(*) from tx where tx_id = '' or currency = '' or channel = ''"
        " or (sender = '' and receiver = '')"
    ).fetchone()
    assert empty == (0,)
    # only cash has an empty side (schema convention), and it names the country
    assert db.execute(
        "select count(*) from tx where (sender = '' or receiver = '') and channel <> 'cash'"
    ).fetchone() == (0,)
    assert db.execute(
        "select count(*) from tx where channel = 'cash' and ((sender = '' and sender_country"
        " = '') or (receiver = '' and receiver_country = '') or (sender <> '' and receiver <> ''))"
    ).fetchone() == (0,)


def test_tx_ids_are_unique_and_follow_time(synthetic: Synthetic) -> None:
    tx = synthetic.transactions
    ids = tx.column("tx_id").to_pylist()
    assert len(set(ids)) == len(ids) == tx.num_rows
    assert ids == sorted(ids)
    ts = tx.column("ts").cast(pa.int64()).to_numpy()
    start = (DEFAULT_START.toordinal() - 719_163) * DAY_US
    assert (ts[1:] >= ts[:-1]).all()
    assert ts[0] >= start
    assert ts[-1] < start + DAYS * DAY_US


def test_identifier_shapes(db: duckdb.DuckDBPyConnection) -> None:
    wallets = db.execute(
        "select distinct other from sides where channel = 'crypto' and acct in"
        " (select account from accounts)"
    ).fetchall()
    assert wallets
    assert all(re.fullmatch(r"bc1q[02-9ac-hj-np-z]{38}|0x[0-9a-f]{40}", w[0]) for w in wallets)
    ibans = [r[0] for r in db.execute("select account from accounts").fetchall()]
    assert all(_iban_ok(a) for a in ibans)
    idents = db.execute("select distinct identifier from accounts").fetchall()
    pattern = r"\+4915\d{9}|[a-z-]+\.[a-z-]+\d+@[a-z.-]+|dev:[0-9a-f]{16}"
    assert all(re.fullmatch(pattern, i[0]) for i in idents)


def _iban_ok(iban: str) -> bool:
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return iban.startswith("DE") and len(iban) == 22 and int(digits) % 97 == 1


# -- API --------------------------------------------------------------------------------


def test_same_seed_same_data_other_seed_other_data() -> None:
    one, two, other = (generate(300, 40, seed=s) for s in (5, 5, 6))
    assert one.transactions.equals(two.transactions)
    assert one.labels.equals(two.labels)
    assert one.decoys.equals(two.decoys)
    assert not one.transactions.equals(other.transactions)


def test_write_streams_the_same_rows(tmp_path: Path) -> None:
    config = SynthConfig(chunk_rows=5_000)
    streamed = generate(300, 40, seed=3, config=config)
    assert len(streamed.chunks) > 1
    path = streamed.write(tmp_path / "tx.parquet")
    assert pq.read_schema(path).names == list(STORED)
    table = pq.read_table(path)
    assert table.equals(generate(300, 40, seed=3, config=config).transactions)
    assert pq.read_table(f"{path}.labels.parquet").equals(streamed.labels)
    assert pq.read_table(f"{path}.decoys.parquet").equals(streamed.decoys)


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(InvalidInput):
        generate(10, 40, seed=1)
    with pytest.raises(InvalidInput):
        generate(300, 40, seed=1, config=SynthConfig(high_risk_countries=("XX",)))
    with pytest.raises(InvalidInput):
        generate(300, 40, seed=1, config=SynthConfig(typology_fraction={"nonsense": 0.1}))


def test_fractions_are_configurable() -> None:
    none = dict.fromkeys(TYPOLOGIES, 0.0) | {"structuring": 0.02}
    data = generate(500, 40, seed=2, config=SynthConfig(typology_fraction=none))
    assert set(data.labels.column("typology").to_pylist()) == {"structuring"}
    assert data.labels.num_rows == 10


# -- labels -----------------------------------------------------------------------------


def test_labels_name_existing_accounts(synthetic: Synthetic, db: duckdb.DuckDBPyConnection) -> None:
    assert {*synthetic.labels.column("typology").to_pylist()} == set(TYPOLOGIES)
    assert {*synthetic.decoys.column("typology").to_pylist()} == set(DECOYS)
    for table in ("labels", "decoys"):
        missing = db.execute(
            f"select count(*) from {table} where account not in (select account from accounts)"
            " or account not in (select acct from sides) or first_tx > last_tx"
        ).fetchone()
        assert missing == (0,)
        inside = db.execute(
            f"select count(*) from {table} l where not exists (select 1 from sides s where"
            " s.acct = l.account and s.ts = l.first_tx)"
        ).fetchone()
        assert inside == (0,)
    both = db.execute("select count(*) from labels join decoys using (account)").fetchone()
    assert both == (0,)
    share = synthetic.labels.num_rows / synthetic.accounts.num_rows
    assert share < 0.05  # a small fraction of the accounts


# -- typologies -------------------------------------------------------------------------


def _max_in_window(times: list[int], width_us: int) -> int:
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= width_us:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def _banded(db: duckdb.DuckDBPyConnection, account: str, t: int) -> list[int]:
    return [r["t"] for r in rows_of(db, account) if 0.9 * t <= r["amount_minor"] < t]


def test_structuring_just_below_the_threshold(db: duckdb.DuckDBPyConnection) -> None:
    config = SynthConfig()
    width = config.structuring_window_days * DAY_US
    for account in planted(db, "structuring"):
        banded = _banded(db, account, config.threshold_minor)
        assert _max_in_window(banded, width) >= config.structuring_min_count, account
    # the decoy: a salary in the band, but once a month
    for account in planted(db, "salary_below_threshold", "decoys"):
        banded = _banded(db, account, config.threshold_minor)
        assert len(banded) >= 2
        assert _max_in_window(banded, width) < config.structuring_min_count


def test_crowdfunding_gathers_then_scatters(db: duckdb.DuckDBPyConnection) -> None:
    for account in planted(db, "crowdfunding"):
        rows = rows_of(db, account)
        outs = [r for r in rows if r["dir"] == "out"]
        found = False
        for out in outs:
            gifts = [
                r
                for r in rows
                if r["dir"] == "in"
                and r["amount_minor"] < 50_000
                and 0 < out["t"] - r["t"] <= 30 * DAY_US
            ]
            # consolidated: everything sent to this receiver within a day
            sent = sum(
                o["amount_minor"]
                for o in outs
                if o["other"] == out["other"] and 0 <= o["t"] - out["t"] <= 24 * HOUR_US
            )
            many = len({g["other"] for g in gifts}) >= 20
            found |= many and sent >= 0.5 * sum(g["amount_minor"] for g in gifts)
        assert found, account


def test_ordinary_npos_have_many_small_donors(db: duckdb.DuckDBPyConnection) -> None:
    donors = db.execute(
        "select acct, count(distinct other) from sides where dir = 'in' and amount_minor < 20000"
        " and acct in (select account from accounts where type = 'npo') and acct not in"
        " (select account from labels union select account from decoys) group by acct"
    ).fetchall()
    assert len(donors) >= 3
    counts = sorted(n for _, n in donors)
    assert counts[len(counts) // 2] >= 20


def test_pass_through_leaves_within_hours(db: duckdb.DuckDBPyConnection) -> None:
    for account in planted(db, "pass_through"):
        rows = rows_of(db, account)
        credits = [r for r in rows if r["dir"] == "in"]
        pairs = sum(
            any(
                o["dir"] == "out"
                and 0 < o["t"] - c["t"] <= 24 * HOUR_US
                and 0.85 * c["amount_minor"] <= o["amount_minor"] <= c["amount_minor"]
                for o in rows
            )
            for c in credits
            if c["amount_minor"] >= 100_000
        )
        assert pairs >= 3, account


def test_high_risk_jurisdiction_flows(db: duckdb.DuckDBPyConnection) -> None:
    risky = SynthConfig().high_risk_countries
    for account in planted(db, "high_risk_jurisdiction"):
        hits = [r for r in rows_of(db, account) if r["other_country"] in risky]
        assert len(hits) >= 3, account


def test_cash_abroad_burst_follows_a_credit(db: duckdb.DuckDBPyConnection) -> None:
    for account in planted(db, "cash_abroad_burst"):
        rows = rows_of(db, account)
        abroad = [
            r
            for r in rows
            if r["channel"] == "cash" and r["dir"] == "out" and r["other_country"] != "DE"
        ]
        credits = [r for r in rows if r["dir"] == "in" and r["channel"] == "transfer"]
        assert any(sum(0 < w["t"] - c["t"] <= 7 * DAY_US for w in abroad) >= 3 for c in credits), (
            account
        )


def test_npo_inconsistent_with_its_profile(db: duckdb.DuckDBPyConnection) -> None:
    def flags(account: str) -> tuple[int, int]:
        outs = [r for r in rows_of(db, account) if r["dir"] == "out"]
        round_to_people = sum(
            r["other_type"] == "person"
            and r["other_country"] != "DE"
            and r["amount_minor"] >= 500_000
            and r["amount_minor"] % 100_000 == 0
            for r in outs
        )
        informal = sum(r["channel"] in ("money_service", "hawala") for r in outs)
        return round_to_people, informal

    for account in planted(db, "npo_inconsistent"):
        kind = db.execute("select type from accounts where account = ?", [account]).fetchone()
        assert kind == ("npo",)
        round_to_people, informal = flags(account)
        assert round_to_people >= 2, account
        assert informal >= 1, account
    ordinary = db.execute(
        "select account from accounts where type = 'npo' and account not in"
        " (select account from labels)"
    ).fetchall()
    for (account,) in ordinary:  # the legitimate charities among them
        assert flags(account) == (0, 0), account


def test_dormant_account_reactivates_with_large_flows(db: duckdb.DuckDBPyConnection) -> None:
    least = min(SynthConfig().dormant_days, 0.6 * DAYS) * DAY_US
    for account in planted(db, "dormant_reactivation"):
        times = [r["t"] for r in rows_of(db, account)]
        gaps = [(b - a, b) for a, b in itertools.pairwise(times)]
        gap, wake = max(gaps)
        assert gap >= least, account
        after = db.execute(
            "select sum(amount_minor) from sides where acct = ? and dir = 'in'"
            " and epoch_us(ts) between ? and ?",
            [account, wake, wake + 30 * DAY_US],
        ).fetchone()
        assert after is not None
        assert after[0] >= 1_000_000, account


def test_shared_identifier_ring(db: duckdb.DuckDBPyConnection) -> None:
    ring = set(planted(db, "shared_identifier"))
    senders = defaultdict(set)
    for ident, sender in db.execute(
        "select distinct sender_identifier, sender from tx where sender_identifier <> ''"
    ).fetchall():
        senders[ident].add(sender)
    shared = {i: s for i, s in senders.items() if len(s) >= 5}
    assert shared
    assert set().union(*shared.values()) <= ring
    for ident, members in shared.items():
        fan_in = db.execute(
            "select max(n) from (select receiver, count(distinct sender) n from tx"
            " where sender_identifier = ? group by receiver)",
            [ident],
        ).fetchone()
        assert fan_in is not None
        assert fan_in[0] >= 5
        assert len(members) >= 5
    households = db.execute(
        "select max(n) from (select identifier, count(*) n from accounts where account in"
        " (select account from decoys where typology = 'household') group by identifier)"
    ).fetchone()
    assert households is not None
    assert 2 <= households[0] <= 3


def _words(name: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", name)
    ascii_ = "".join(c for c in folded if not unicodedata.combining(c)).upper()
    return re.sub(r"[^A-Z0-9]+", " ", ascii_).split()


def _likeness(listed: list[str], seen: list[str]) -> float:
    scores = [max(SequenceMatcher(None, w, s).ratio() for s in seen) for w in listed]
    return sum(scores) / len(scores)


def test_sanctioned_counterparty_carries_a_varied_listed_name(
    db: duckdb.DuckDBPyConnection,
) -> None:
    listed = {
        entry.properties["name"][0]
        for entry in registry.get("un").parse(bundled_path())
        if entry.schema == "Person" and entry.properties.get("name")
    }
    listed_words = [_words(n) for n in listed]
    varied = 0
    for account in planted(db, "sanctioned_counterparty"):
        names = {r["other_name"] for r in rows_of(db, account) if r["other_type"] == "person"}
        best = max(
            (_likeness(words, _words(n)), n)
            for n in names
            for words in listed_words
            if len(words) >= 2 and {w for w in words if len(w) > 2} & set(_words(n))
        )
        assert best[0] >= 0.8, (account, best)
        varied += best[1] not in listed
    assert varied >= 1  # spelled as payments spell it, not as the list does
