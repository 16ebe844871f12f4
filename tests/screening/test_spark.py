"""The spark engine against the local engine, row for row, on PySpark in local mode.

Strategy: one ``local[2]`` SparkSession and one hub with the bundled UN list for the whole
module (Spark takes seconds to start). The local engine's output comes from the CLI in a fresh
process with the ``PYTHONHASHSEED`` that PySpark gives its workers (``0`` unless set): the
matcher orders equal scores by set iteration, which follows the hash seed. A missing Java
fails these tests with a clear message; they are never skipped.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from pyspark.sql import SparkSession

from cthub.core.db import Database
from cthub.core.errors import InvalidInput, Unavailable
from cthub.core.hub import Hub
from cthub.lists import load
from cthub.screening import Screener, build_matcher
from cthub.screening import spark as engine
from tests import factories
from tests.conftest import make_settings

CLI = str(Path(sys.executable).parent / "cthub")
COLUMNS = ["id", "name", "type", "birth_date", "nationality", "gender", "id_number"]
FIRST = ["Anna", "Li", "Pedro", "Fatima", "Olga", "Kwame", "Sofia", "Hiroshi", "Amina", "Omar"]
LAST = ["Meyer", "Chen", "Silva", "Haddad", "Ivanova", "Mensah", "Rossi", "Sato", "Diallo"]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    try:
        session = engine.session(2)
    except Unavailable as exc:
        pytest.fail(f"PySpark cannot start: {exc.render()} {exc.render_hint()}", pytrace=False)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("spark")
    shutil.copy(sqlite_template, folder / "cthub.db")
    url = f"sqlite:///{folder / 'cthub.db'}"
    h = Hub(make_settings(folder, url), Database(url))
    load(h, factories.OPERATOR, "un")
    yield h
    h.close()


@pytest.fixture(scope="module")
def screener(hub: Hub) -> Screener:
    return build_matcher(hub, factories.OPERATOR)


def _variant(name: str, rng: random.Random) -> str:
    words = name.split()
    kind = rng.randrange(4)
    if kind == 0 and len(words) > 1:
        rng.shuffle(words)
    elif kind == 1:
        at = rng.randrange(len(words))
        cut = rng.randrange(max(len(words[at]), 1))
        words[at] = words[at][:cut] + words[at][cut + 1 :]
    elif kind == 2:
        words = [w.lower() for w in words]
    return " ".join(words)


def _rows(screener: Screener, count: int = 360) -> list[dict[str, str]]:
    """Listed names (exact, shuffled, with a typo, lower case) mixed with unlisted ones."""
    rng = random.Random(11)
    entries = screener.matcher.index.entries
    rows = []
    for n in range(count):
        row = dict.fromkeys(COLUMNS, "")
        if n % 2:
            entry = rng.choice(entries)
            row["name"] = _variant(rng.choice(entry.names), rng)
            row["birth_date"] = rng.choice([*entry.birth_dates[:1], ""])[:10]
            row["nationality"] = rng.choice([*entry.countries[:1], "", "FR"])
            row["type"] = rng.choice(["", "person", entry.schema])
        else:
            row["name"] = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        row["id"] = f"r{n}"
        rows.append(row)
    rows[100]["birth_date"] = "19xx"  # skipped, reported with its line
    rows[250]["name"] = ""
    return rows


@pytest.fixture(scope="module")
def inputs(hub: Hub, screener: Screener) -> dict[str, Path]:
    folder = hub.settings.data_dir
    rows = _rows(screener)
    with (folder / "in.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, folder / "in.parquet", row_group_size=64)
    return {"csv": folder / "in.csv", "parquet": folder / "in.parquet"}


def _local(hub: Hub, source: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")}
    env |= {"CTHUB_DATA_DIR": str(hub.settings.data_dir), "CTHUB_MODE": "demo"}
    env["PYTHONHASHSEED"] = os.environ.get("PYTHONHASHSEED", "0")  # as PySpark's workers
    env["COLUMNS"] = "500"  # rich wraps stderr lines at the terminal width
    args = ["screening", "screen", "--input", str(source), "--output", "-", *extra]
    return subprocess.run(
        [CLI, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def local(hub: Hub, inputs: dict[str, Path]) -> tuple[list[list[str]], list[str]]:
    done = _local(hub, inputs["csv"])
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    skipped = [line[len("skipped: ") :] for line in done.stderr.splitlines() if "skipped: " in line]
    return rows[1:], skipped


def test_csv_matches_the_local_engine_row_for_row(
    spark: SparkSession,
    hub: Hub,
    screener: Screener,
    inputs: dict[str, Path],
    local: tuple[list[list[str]], list[str]],
) -> None:
    skipped: list[str] = []
    rows = list(
        engine.screen_spark(
            hub, factories.OPERATOR, screener, spark, str(inputs["csv"]), skipped=skipped
        )
    )
    expected, expected_skipped = local
    assert len({r[0] for r in expected}) > 100  # a realistic share of the rows hit
    assert rows == expected
    assert skipped == expected_skipped
    assert skipped == [
        f"{inputs['csv']} line 102: birth_date 19xx is not YYYY or YYYY-MM-DD.",
        f"{inputs['csv']} line 252: the name is empty.",
    ]


def test_parquet_gives_the_same_rows(
    spark: SparkSession,
    hub: Hub,
    screener: Screener,
    inputs: dict[str, Path],
    local: tuple[list[list[str]], list[str]],
) -> None:
    skipped: list[str] = []
    path = str(inputs["parquet"])
    rows = list(
        engine.screen_spark(hub, factories.OPERATOR, screener, spark, path, 0.7, 5, False, skipped)
    )
    assert rows == local[0]
    assert skipped == [
        f"{path} row 101: birth_date 19xx is not YYYY or YYYY-MM-DD.",
        f"{path} row 251: the name is empty.",
    ]


def test_abort_stops_at_the_first_bad_row_like_local(
    spark: SparkSession,
    hub: Hub,
    screener: Screener,
    inputs: dict[str, Path],
    local: tuple[list[list[str]], list[str]],
) -> None:
    """Like ``--on-error abort`` locally: the hits before the bad row, then its message."""
    rows: list[list[str]] = []
    found = engine.screen_spark(
        hub, factories.OPERATOR, screener, spark, str(inputs["csv"]), abort=True
    )
    with pytest.raises(InvalidInput) as caught:
        rows.extend(found)
    assert rows == [r for r in local[0] if int(r[0][1:]) < 100]  # r100 is the first bad row
    assert caught.value.render() == local[1][0]


def test_refusals(spark: SparkSession, hub: Hub, screener: Screener, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"The spark engine reads files, not stdin\."):
        engine.screen_spark(hub, factories.OPERATOR, screener, spark, "-")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("identifier,full_name\n1,X\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"wrong\.csv line 1: column id, name is missing"):
        engine.screen_spark(hub, factories.OPERATOR, screener, spark, str(wrong))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"id,name\n1,Eric Badege\n2,Ren\xe9 Dupont\n")
    with pytest.raises(InvalidInput, match=r"latin\.csv line 3: the text is not UTF-8\."):
        engine.screen_spark(hub, factories.OPERATOR, screener, spark, str(latin))
    replaced = tmp_path / "replaced.csv"  # U+FFFD is valid UTF-8 (the UN list has one)
    replaced.write_text("id,name\n1,Eric Badege\n2,Ren\ufffd Dupont\n", encoding="utf-8")
    rows = list(engine.screen_spark(hub, factories.OPERATOR, screener, spark, str(replaced)))
    assert {r[0] for r in rows} == {"1"}


def test_cli_refuses_stdin_before_spark_starts(hub: Hub) -> None:
    done = _local(hub, Path("-"), "--engine", "spark")
    assert done.returncode == 2
    assert "The spark engine reads files, not stdin." in done.stderr
