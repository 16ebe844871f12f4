"""One way to start local Spark for every capability that scales out on it (screening
batches, finance rules): workers run this Python, the UI is off, a missing Java or a JVM that
will not start is an ``Unavailable`` with the caller's hint naming its non-Spark engine.

PySpark is the optional ``spark`` extra, so it is imported only when a session is asked for.

``CTHUB_SPARK_CONF`` adds Spark settings to every session, ``key=value`` pairs separated by
``;`` (a value may hold ``=``), on top of the caller's: e.g. the test suite's settings for
tiny inputs, where compiling generated code and the JVM's optimising compiler cost more
than the work (``spark.sql.codegen.factoryMode=NO_CODEGEN;spark.driver.extraJavaOptions=
-XX:TieredStopAtLevel=1``). A malformed pair is refused naming it.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from cthub.core.errors import InvalidInput, Unavailable

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


ENV = "CTHUB_SPARK_CONF"


def from_environment() -> dict[str, str]:
    """The settings of ``CTHUB_SPARK_CONF``, or ``InvalidInput`` naming a malformed pair."""
    found: dict[str, str] = {}
    for pair in os.environ.get(ENV, "").split(";"):
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        if not sep or not key.strip().startswith("spark."):
            raise InvalidInput(
                "{variable}: {pair} is not a Spark setting.",
                hint="Write spark.key=value pairs separated by ;.",
                variable=ENV, pair=pair.strip()[:120],
            )  # fmt: skip
        found[key.strip()] = value.strip()
    return found


def local_session(
    app: str,
    cores: int | None,
    settings: Mapping[str, str],
    no_java_hint: str,
    no_start_hint: str,
) -> SparkSession:
    """A ``local[cores]`` session (all cores when None) with ``settings`` on top of UI off.

    The hints are msgids (``N_``) saying what the caller's user can do instead."""
    from pyspark.errors import PySparkRuntimeError
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise Unavailable("Spark needs Java 17 or later, and no java is installed.",
                          hint=no_java_hint)  # fmt: skip
    builder = SparkSession.builder.master(f"local[{cores or '*'}]").appName(app)
    every = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false", **settings,
             **from_environment()}  # fmt: skip
    for key, value in every.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except PySparkRuntimeError as exc:
        raise Unavailable(
            "Spark cannot start: {problem}", hint=no_start_hint,
            problem=str(exc).splitlines()[0],
        ) from exc  # fmt: skip
    spark.sparkContext.setLogLevel("ERROR")
    return spark


__all__ = ["ENV", "from_environment", "local_session"]
