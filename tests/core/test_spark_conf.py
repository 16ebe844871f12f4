"""``CTHUB_SPARK_CONF``: extra Spark settings from the environment, parsed without a JVM."""

from __future__ import annotations

import pytest

from cthub.core import spark
from cthub.core.errors import InvalidInput


def test_pairs_are_read_with_values_that_hold_equals_signs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        spark.ENV,
        " spark.sql.shuffle.partitions=3 ;;spark.driver.extraJavaOptions=-Dx=1 -XX:+UseSerialGC;",
    )
    assert spark.from_environment() == {
        "spark.sql.shuffle.partitions": "3",
        "spark.driver.extraJavaOptions": "-Dx=1 -XX:+UseSerialGC",
    }
    monkeypatch.setenv(spark.ENV, "")
    assert spark.from_environment() == {}


@pytest.mark.parametrize("bad", ["spark.sql.shuffle.partitions", "shuffle=2", "=x"])
def test_a_malformed_pair_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv(spark.ENV, f"spark.ui.enabled=false;{bad}")
    with pytest.raises(InvalidInput) as caught:
        spark.from_environment()
    assert bad in caught.value.render()
    assert spark.ENV in caught.value.render()
