"""Synthetic transactions for terrorist-financing monitoring, with planted typologies.

``generate(accounts, days, seed)`` returns a ``Synthetic``: its ``transactions`` have exactly
the columns of ``cthub.finance.schema.STORED`` (``events.SCHEMA``: ``ts`` timestamp[us]
naive UTC, ``amount_minor`` int64, '' for a missing optional string), ``labels`` name each
account planted with a typology (``TYPOLOGIES``) and ``decoys`` the benign look-alikes
(``DECOYS``). ``write(path)`` streams Parquet. Same arguments, same bytes.
"""

from cthub.finance.synth.config import (
    DECOYS,
    DEFAULT_CASH_ABROAD,
    DEFAULT_HIGH_RISK,
    TYPOLOGIES,
    SynthConfig,
)
from cthub.finance.synth.dataset import DEFAULT_START, Synthetic, generate
from cthub.finance.synth.events import SCHEMA
from cthub.finance.synth.plant.base import LABELS

__all__ = [
    "DECOYS",
    "DEFAULT_CASH_ABROAD",
    "DEFAULT_HIGH_RISK",
    "DEFAULT_START",
    "LABELS",
    "SCHEMA",
    "TYPOLOGIES",
    "SynthConfig",
    "Synthetic",
    "generate",
]
