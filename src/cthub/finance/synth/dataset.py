"""``generate`` and ``Synthetic``: a deterministic dataset, materialised or streamed by chunk.

The dataset is cut into chunks of whole days (about ``chunk_rows`` rows each, half a
million by default). Chunk ``i``
draws its background from its own random stream (seed, 1, i), so a chunk is the same
whether the table is built in memory or streamed to Parquet, and memory stays at one chunk
plus the population. Planted rows (drawn once, up front) join the chunk their timestamp
falls in; each chunk is sorted by time and numbered, so ``tx_id`` (``TX`` + 10 digits)
follows time order across the whole dataset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cthub.finance.synth import background, population
from cthub.finance.synth.calendar import DAY_US
from cthub.finance.synth.config import SynthConfig
from cthub.finance.synth.events import SCHEMA, Events
from cthub.finance.synth.plant import plant

DEFAULT_START = dt.date(2024, 1, 1)
_CHUNK_CELLS = 4_000_000  # customers x days of one chunk's Poisson draw


def _rng(seed: int, stream: int, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream, index)))


class Synthetic:
    """A generated dataset: transactions (``SCHEMA``), ``labels``, ``decoys``, ``accounts``.

    ``labels`` and ``decoys`` have columns ``account, typology, first_tx, last_tx``: a planted
    customer, its typology (or decoy kind) and the first and last planted timestamp.
    """

    def __init__(self, pop: population.Population, seed: int) -> None:
        self.population = pop
        self.seed = seed
        self._planted, self.labels, self.decoys = plant(pop, lambda i: _rng(seed, 2, i))
        self._planted_ts = self._planted["ts"].cast(pa.int64()).to_numpy()
        self.chunks = _chunks(pop)

    @property
    def accounts(self) -> pa.Table:
        """The customers: ``account, name, type, country, identifier``."""
        p, n = self.population.parties, self.population.accounts
        return pa.table(
            {
                "account": p.ids.slice(0, n),
                "name": p.names.slice(0, n),
                "type": p.kind_text.slice(0, n),
                "country": p.country_text.slice(0, n),
                "identifier": p.identifiers.slice(0, n),
            }
        )

    def batches(self) -> Iterator[pa.Table]:
        """The transactions chunk by chunk, in time order, each a ``SCHEMA`` table."""
        pop = self.population
        start, offset = pop.calendar.start_us, 0
        for index, (d0, d1) in enumerate(self.chunks):
            rng = _rng(self.seed, 1, index)
            events = Events.concat(
                [background.events(pop, d0, d1, rng), pop.schedule.events(d0, d1, pop, rng)]
            )
            lo, hi = np.searchsorted(self._planted_ts, [start + d0 * DAY_US, start + d1 * DAY_US])
            table = pa.concat_tables(
                [events.table(pop.parties), self._planted.slice(int(lo), int(hi - lo))]
            )
            table = table.take(pc.sort_indices(table, [("ts", "ascending")]))
            numbers = pa.array(np.arange(offset, offset + table.num_rows)).cast(pa.string())
            tx_id = pc.binary_join_element_wise("TX", pc.utf8_lpad(numbers, 10, "0"), "")
            offset += table.num_rows
            yield pa.Table.from_arrays([tx_id, *table.columns], schema=SCHEMA)

    @cached_property
    def transactions(self) -> pa.Table:
        """All transactions in memory (``SCHEMA``); use ``write`` for very large datasets."""
        return pa.concat_tables(list(self.batches())).combine_chunks()

    def write(self, path: str | Path) -> Path:
        """Write the transactions to Parquet at ``path`` (one row group per chunk, streamed
        unless already in memory), labels to ``<path>.labels.parquet`` and decoys to
        ``<path>.decoys.parquet``; returns ``path``."""
        target = Path(path)
        with pq.ParquetWriter(target, SCHEMA) as writer:
            if "transactions" in self.__dict__:
                rows = self.population.config.chunk_rows
                writer.write_table(self.transactions, row_group_size=rows)
            else:
                for batch in self.batches():
                    writer.write_table(batch)
        pq.write_table(self.labels, f"{target}.labels.parquet")
        pq.write_table(self.decoys, f"{target}.decoys.parquet")
        return target


def generate(
    accounts: int,
    days: int,
    seed: int,
    start: dt.date | None = None,
    config: SynthConfig | None = None,
) -> Synthetic:
    """A synthetic dataset of ``accounts`` customers over ``days`` days from ``start``
    (default 2024-01-01), identical for identical arguments; about 0.5 transactions per
    customer and day with the default ``config``. Raises ``InvalidInput`` on bad parameters.
    """
    config = config or SynthConfig()
    config.validate(accounts, days)
    pop = population.build(accounts, days, start or DEFAULT_START, _rng(seed, 0, 0), config)
    return Synthetic(pop, seed)


def _chunks(pop: population.Population) -> list[tuple[int, int]]:
    days = pop.calendar.days
    per_day = float(pop.rate.sum()) + pop.schedule.jitter.size / 30
    rows = pop.config.chunk_rows
    width = int(min(rows / max(per_day, 1.0), _CHUNK_CELLS / pop.accounts))
    width = max(1, min(days, width))
    return [(d, min(days, d + width)) for d in range(0, days, width)]
