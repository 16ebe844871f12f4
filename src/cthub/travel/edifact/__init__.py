"""UN/EDIFACT for passenger data: a tolerant tokenizer and PAXLST/PNRGOV mappers (no DB)."""

from __future__ import annotations

from cthub.travel.edifact.interchange import Interchange, RawMessage, read_interchanges
from cthub.travel.edifact.tokenizer import Delimiters, Segment, Tokens, tokenize

__all__ = [
    "Delimiters",
    "Interchange",
    "RawMessage",
    "Segment",
    "Tokens",
    "read_interchanges",
    "tokenize",
]
