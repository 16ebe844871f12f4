"""Background events as integer arrays, and their conversion to the stored Arrow columns.

An event is a sender and a receiver (indices into the party table), a timestamp in
microseconds, an amount in minor units, a currency index (``geo.CURRENCIES``) and a channel
index (``schema.CHANNELS``). Strings appear only in ``table``, as ``take``s of the party
columns, which keeps ten million rows cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cthub.finance.schema import CHANNELS, STORED
from cthub.finance.synth.geo import CURRENCIES
from cthub.finance.synth.parties import FrozenParties
from cthub.finance.synth.types import IntArray

_ARROW_TYPES = {"VARCHAR": pa.string(), "TIMESTAMP": pa.timestamp("us"), "BIGINT": pa.int64()}
#: the stored table's Arrow schema, in ``schema.STORED`` order
SCHEMA = pa.schema([pa.field(n, _ARROW_TYPES[t], nullable=False) for n, t in STORED.items()])
#: the same without ``tx_id`` (assigned after sorting)
UNNUMBERED = pa.schema([f for f in SCHEMA if f.name != "tx_id"])
CHANNEL = {name: i for i, name in enumerate(CHANNELS)}


@dataclass(frozen=True)
class Events:
    """Columns of a batch of events, all of one length."""

    sender: IntArray
    receiver: IntArray
    ts: IntArray
    amount: IntArray
    currency: IntArray
    channel: IntArray

    @classmethod
    def concat(cls, parts: list[Events]) -> Events:
        """All ``parts`` one after the other (in no particular time order)."""
        return cls(
            *(
                np.concatenate([getattr(p, name) for p in parts]).astype(np.int64)
                for name in ("sender", "receiver", "ts", "amount", "currency", "channel")
            )
        )

    def table(self, parties: FrozenParties) -> pa.Table:
        """The stored columns except ``tx_id``, strings taken from ``parties``."""
        s = pa.array(self.sender)
        r = pa.array(self.receiver)
        columns = {
            "ts": pa.array(self.ts, pa.timestamp("us")),
            "sender": parties.ids.take(s),
            "receiver": parties.ids.take(r),
            "amount_minor": pa.array(self.amount, pa.int64()),
            "currency": pa.array(CURRENCIES).take(pa.array(self.currency)),
            "sender_name": parties.names.take(s),
            "receiver_name": parties.names.take(r),
            "sender_country": parties.country_text.take(s),
            "receiver_country": parties.country_text.take(r),
            "channel": pa.array(CHANNELS).take(pa.array(self.channel)),
            "sender_type": parties.kind_text.take(s),
            "receiver_type": parties.kind_text.take(r),
            "sender_identifier": parties.identifiers.take(s),
        }
        return pa.table([columns[f.name] for f in UNNUMBERED], schema=UNNUMBERED)
