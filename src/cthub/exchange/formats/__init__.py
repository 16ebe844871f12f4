"""Package formats of ``cthub.exchange``: STIX 2.1 bundles, MISP events, FollowTheMoney.

``registry.get(name)`` gives a format by its stable name; plugins add formats through the
``cthub.exchange_formats`` entry-point group. Every format parses untrusted bytes into STIX
2.1 dicts with the TLP they carry, and renders such dicts back; see ``base`` for the
contract. ``safe_unzip`` opens a zip of files without falling for zip bombs.
"""

from __future__ import annotations

from .archive import ArchiveMember, safe_unzip
from .base import ExchangeFormat, FormatExamples, Limits, Parsed, Problem, with_tlp, without_tlp
from .ftm import FtmFormat
from .misp import MispFormat
from .patterns import PatternChecker
from .registry import FormatRegistry, registry
from .stix import StixFormat
from .validator import ObjectValidator

__all__ = [
    "ArchiveMember",
    "ExchangeFormat",
    "FormatExamples",
    "FormatRegistry",
    "FtmFormat",
    "Limits",
    "MispFormat",
    "ObjectValidator",
    "Parsed",
    "PatternChecker",
    "Problem",
    "StixFormat",
    "registry",
    "safe_unzip",
    "with_tlp",
    "without_tlp",
]
