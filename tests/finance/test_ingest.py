"""Transactions in: mapping, validation naming line and column, skip or abort, minor units,
UTC timestamps, duplicate tx_ids, and a failed ingest leaving the dataset untouched."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from cthub.core.errors import Forbidden, InvalidInput
from cthub.core.hub import Hub
from cthub.finance.datasets import dataset_files, ingest_file, list_datasets
from cthub.finance.ingest import TEMP_PREFIX, prepare
from cthub.interfaces.cli.runtime import OPERATOR
from tests import factories

GOOD = """tx_id,timestamp,sender,receiver,amount,currency,channel,sender_country,sender_type
t1,2026-03-01T10:00:00Z,DE01,DE02,100.50,eur,transfer,de,person
t2,2026-03-01 11:00,DE01,,200,EUR,cash,TR,
t3,2026-03-02T10:00:00+02:00,DE02,JP09,1000,JPY,card,,company
t4,2026-03-02T12:00:00Z,KW01,DE02,1.234,KWD,money_service,KW,npo
"""
BAD = """tx_id,timestamp,sender,receiver,amount,currency,channel
b1,2026-03-01T10:00:00Z,A,B,10,EUR,transfer
b2,yesterday,A,B,10,EUR,transfer
b3,2026-03-01T10:00:00Z,A,B,-4,EUR,transfer
b4,2026-03-01T10:00:00Z,A,B,ten,EUR,transfer
b5,2026-03-01T10:00:00Z,A,B,10,EUX,transfer
b1,2026-03-01T11:00:00Z,A,B,10,EUR,transfer
b7,2026-03-01T10:00:00Z,A,B,10,EUR,pigeon
"""


def _file(tmp_path: Path, text: str, name: str = "tx.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(path: Path) -> list[tuple]:  # type: ignore[type-arg]
    return duckdb.sql(f"SELECT * FROM read_parquet('{path}') ORDER BY tx_id").fetchall()


def test_minor_units_utc_and_normalised_codes(tmp_path: Path) -> None:
    p = prepare(_file(tmp_path, GOOD), tmp_path / "out")
    rows = {r[0]: r for r in _rows(p.path)}
    assert rows["t1"][4] == 10050
    assert rows["t1"][5] == "EUR"
    assert rows["t1"][8] == "DE"
    assert rows["t3"][1] == dt.datetime(2026, 3, 2, 8, 0)
    assert rows["t3"][4] == 1000
    assert rows["t4"][4] == 1234  # KWD has three minor digits
    assert rows["t2"][3] == ""
    assert rows["t2"][10] == "cash"


def test_every_bad_row_is_named_by_line_and_column(tmp_path: Path) -> None:
    path = _file(tmp_path, BAD)
    with pytest.raises(InvalidInput, match="line 3, column timestamp") as err:
        prepare(path, tmp_path / "out")
    assert "--on-error skip" in (err.value.render_hint() or "")
    p = prepare(path, tmp_path / "out", on_error="skip")
    assert (p.rows, p.skipped) == (1, 6)
    got = {(line, col) for line, col, _ in p.errors}
    assert got == {(3, "timestamp"), (4, "amount"), (5, "amount"), (6, "currency"),
                   (7, "tx_id"), (8, "channel")}  # fmt: skip


def test_mapping_and_missing_columns(tmp_path: Path) -> None:
    text = "id,when,from,to,value,ccy\nx1,2026-01-01T00:00:00Z,A,B,5,USD\n"
    path = _file(tmp_path, text)
    with pytest.raises(InvalidInput, match="has no column tx_id, timestamp"):
        prepare(path, tmp_path / "out")
    mapping = {"tx_id": "id", "timestamp": "when", "sender": "from", "receiver": "to",
               "amount": "value", "currency": "ccy"}  # fmt: skip
    assert prepare(path, tmp_path / "out", mapping).rows == 1
    with pytest.raises(InvalidInput, match="unknown columns: colour"):
        prepare(path, tmp_path / "out", {**mapping, "colour": "x"})


def test_junk_files_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"\x00\x01not parquet")
    with pytest.raises(InvalidInput, match="cannot be read"):
        prepare(junk, tmp_path / "out")
    with pytest.raises(InvalidInput, match="format is not known"):
        prepare(_file(tmp_path, GOOD, "tx.xlsx"), tmp_path / "out")


def test_datasets_are_transactional_and_refuse_known_ids(hub: Hub, tmp_path: Path) -> None:
    first = ingest_file(hub, OPERATOR, _file(tmp_path, GOOD), "bank-feed")
    assert (first.rows, first.skipped) == (4, 0)
    again = _file(tmp_path, GOOD.replace("t4,", "t5,"), "again.csv")
    with pytest.raises(InvalidInput, match="line 2, column tx_id: already in the dataset"):
        ingest_file(hub, OPERATOR, again, "bank-feed")
    skipped = ingest_file(hub, OPERATOR, again, "bank-feed", on_error="skip")  # t5 is new
    with pytest.raises(InvalidInput, match="no row to add to dataset bank-feed: all 4 are bad"):
        ingest_file(hub, OPERATOR, again, "bank-feed", on_error="skip")  # nothing new now
    assert (skipped.rows, skipped.skipped) == (1, 3)
    assert [(line, col) for line, col, _ in skipped.errors] == [(2, "tx_id"), (3, "tx_id"),
                                                                 (4, "tx_id")]  # fmt: skip
    with pytest.raises(InvalidInput):
        ingest_file(hub, OPERATOR, _file(tmp_path, BAD, "bad.csv"), "bank-feed")
    files = dataset_files(hub, OPERATOR, "bank-feed")
    assert len(files) == 2
    leftovers = [p for p in files[0].parent.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert leftovers == []
    (view,) = list_datasets(hub, OPERATOR)
    assert (view.partitions, view.rows) == (2, 5)


def test_roles_and_organisations(hub: Hub, tmp_path: Path) -> None:
    viewer = factories.member(hub, "viewer")
    with pytest.raises(Forbidden):
        ingest_file(hub, viewer.actor, _file(tmp_path, GOOD), "feed")
    a = factories.member(hub, "analyst")
    b = factories.member(hub, "analyst")
    ingest_file(hub, a.actor, _file(tmp_path, GOOD), "feed")
    assert [d.name for d in list_datasets(hub, b.actor)] == []


def test_cthubs_own_parquet_form_round_trips(tmp_path: Path) -> None:
    from cthub.finance.synth import generate

    data = generate(300, 40, seed=2)
    path = tmp_path / "synth.parquet"
    data.write(path)
    p = prepare(path, tmp_path / "out")
    assert (p.rows, p.skipped) == (data.transactions.num_rows, 0)
    same = duckdb.sql(
        f"SELECT count(*) FROM (SELECT * FROM read_parquet('{path}') EXCEPT "
        f"SELECT * FROM read_parquet('{p.path}'))"
    ).fetchall()
    assert same == [(0,)]


AMOUNTS = """tx_id,timestamp,sender,receiver,amount,currency,channel
a1,2026-03-01T10:00:00Z,A,B,"1,234.50",EUR,transfer
a2,2026-03-01T10:00:00Z,A,B,"12,345,678",EUR,transfer
a3,2026-03-01T10:00:00Z,A,B,"1,500",EUR,transfer
a4,2026-03-01T10:00:00Z,A,B,12 500,EUR,transfer
a5,2026-03-01T10:00:00Z,A,B,10.005,EUR,transfer
a6,2026-03-01T10:00:00Z,A,B,0.5,JPY,transfer
a7,2026-03-01T10:00:00Z,A,B,1e3,EUR,transfer
a8,2026-03-01T10:00:00Z,A,B,999999999999999,CLF,transfer
a9,2026-03-01T10:00:00Z,A,B,10,XXX,transfer
a10,2026-03-01T10:00:00Z,A,B,10.50,EUR,transfer
a11,2026-03-01T10:00:00Z,A,B,.5,EUR,transfer
a12,2026-03-01T10:00:00Z,A,B,1.2340,KWD,transfer
"""


def test_an_amount_is_read_one_way_or_refused_never_rounded(tmp_path: Path) -> None:
    p = prepare(_file(tmp_path, AMOUNTS), tmp_path / "out", on_error="skip")
    kept = {r[0]: r[4] for r in _rows(p.path)}
    assert kept == {"a1": 123_450, "a2": 1_234_567_800, "a10": 1050, "a11": 50, "a12": 1234}
    problems = {line: (col, msg.split(" ")[0]) for line, col, msg in p.errors}
    assert problems == {
        4: ("amount", "ambiguous:"),  # 1,500: thousands or decimals
        5: ("amount", "not"),  # a space inside
        6: ("amount", "more"),  # 10.005 EUR: a third decimal
        7: ("amount", "more"),  # 0.5 JPY: no minor unit
        8: ("amount", "not"),  # 1e3
        9: ("amount", "too"),  # overflows 64-bit minor units (CLF has four digits)
        10: ("currency", "not"),  # XXX is "no currency"
    }


def test_minor_units_are_whole_and_a_mapping_must_name_a_real_column(tmp_path: Path) -> None:
    text = (
        "tx_id,timestamp,sender,receiver,cents,currency,chanel\n"
        "m1,2026-01-01T00:00:00Z,A,B,12.5,EUR,cash\nm2,2026-01-01T00:00:01Z,A,B,1250,EUR,cash\n"
    )
    path = _file(tmp_path, text)
    base = {"amount": "cents"}
    with pytest.raises(InvalidInput, match="mapping channel=channel_typo names a column"):
        prepare(path, tmp_path / "out", {**base, "channel": "channel_typo"})
    p = prepare(path, tmp_path / "out", {**base, "channel": "chanel"})
    assert {r[0]: r[4] for r in _rows(p.path)} == {"m1": 1250, "m2": 125_000}  # major units
    stored = (
        "tx_id,ts,sender,receiver,amount_minor,currency\n"
        "s1,2026-01-01T00:00:00Z,A,B,12.5,EUR\ns2,2026-01-01T00:00:01Z,A,B,1250,EUR\n"
    )
    p = prepare(_file(tmp_path, stored, "stored.csv"), tmp_path / "out", on_error="skip")
    assert [(line, msg.split(" ")[0]) for line, _c, msg in p.errors] == [(2, "more")]
    assert {r[0]: r[4] for r in _rows(p.path)} == {"s2": 1250}


def test_a_quoted_field_may_span_lines_and_a_short_row_is_padded(tmp_path: Path) -> None:
    text = ('tx_id,timestamp,sender,receiver,amount,currency,sender_name\n'
            'q1,2026-03-01T10:00:00Z,A,B,10,EUR,"Acme\nTrading Ltd"\n'
            'q2,2026-03-01T11:00:00Z,A,B,10,EUR\n')  # fmt: skip
    p = prepare(_file(tmp_path, text), tmp_path / "out")
    names = {r[0]: r[6] for r in _rows(p.path)}
    assert names == {"q1": "Acme\nTrading Ltd", "q2": ""}


def test_float_amounts_in_parquet_are_read_by_value(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "tx_id": ["f1", "f2", "f3", "f4"],
        "timestamp": ["2026-01-01T00:00:00Z"] * 4,
        "sender": ["A"] * 4, "receiver": ["B"] * 4,
        "amount": pa.array([12.34, 1e-05, 100.0, 1e16], pa.float64()),
        "currency": ["EUR"] * 4,
    })  # fmt: skip
    path = tmp_path / "floats.parquet"
    pq.write_table(table, path)
    p = prepare(path, tmp_path / "out", on_error="skip")
    assert {r[0]: r[4] for r in _rows(p.path)} == {"f1": 1234, "f3": 10_000}
    assert [(line, msg.split(" ")[0]) for line, _c, msg in p.errors] == [(2, "more"), (4, "too")]


def test_a_decimal_comma_file_is_read_when_said_and_only_then(tmp_path: Path) -> None:
    text = ("tx_id;timestamp;sender;receiver;amount;currency\n"
            "e1;2026-01-01T00:00:00Z;A;B;1.234,50;EUR\n"
            "e2;2026-01-01T00:00:01Z;A;B;1234,5;EUR\n"
            "e3;2026-01-01T00:00:02Z;A;B;12.345.678;EUR\n"
            "e4;2026-01-01T00:00:03Z;A;B;1.500;EUR\n"
            "e5;2026-01-01T00:00:04Z;A;B;1,005;EUR\n"
            "e6;2026-01-01T00:00:05Z;A;B;1e3;EUR\n")  # fmt: skip
    path = _file(tmp_path, text, "eu.csv")
    p = prepare(path, tmp_path / "out", on_error="skip", decimal=",")
    assert {r[0]: r[4] for r in _rows(p.path)} == {"e1": 123_450, "e2": 123_450,
                                                    "e3": 1_234_567_800}  # fmt: skip
    problems = {line: msg.split(" ")[0] for line, _c, msg in p.errors}
    assert problems == {5: "ambiguous:", 6: "more", 7: "not"}  # 1.500; 1,005 EUR; 1e3
    assert "1234,50: a comma for decimals" in p.errors[-1][2]
    with pytest.raises(InvalidInput, match=r"line 2 writes an amount with a decimal comma"):
        prepare(path, tmp_path / "out", on_error="skip")  # 1.500 would be 1.5: refused whole
    point = _file(tmp_path, "tx_id,timestamp,sender,receiver,amount,currency\n"
                  "p1,2026-01-01T00:00:00Z,A,B,1234.50,EUR\n", "point.csv")  # fmt: skip
    with pytest.raises(InvalidInput, match=r"decimal point \(1234\.50\)") as err:
        prepare(point, tmp_path / "out", on_error="skip", decimal=",")
    assert "--decimal ." in (err.value.render_hint() or "")
    with pytest.raises(InvalidInput, match="decimal mark must be"):
        prepare(path, tmp_path / "out", decimal=";")
    import pyarrow as pa
    import pyarrow.parquet as pq

    typed = tmp_path / "typed.parquet"
    pq.write_table(pa.table({"tx_id": ["d1"], "timestamp": ["2026-01-01T00:00:00Z"],
                             "sender": ["A"], "receiver": ["B"],
                             "amount": pa.array([1234.5], pa.float64()),
                             "currency": ["EUR"]}), typed)  # fmt: skip
    p = prepare(typed, tmp_path / "out", decimal=",")  # a number is a number
    assert [r[4] for r in _rows(p.path)] == [123_450]
