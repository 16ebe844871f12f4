"""The ownership computation engine: pure computation over an edge table.

* :func:`compile_graph` validates an edge table (the input contract is in :mod:`.graph`) into
  integer-indexed arrays, with one :class:`Problem` per bad record;
* :func:`compute_ubo` finds the beneficial owners of every entity (EU AMLR Art. 52: shares
  multiplied along chains and added over chains, 25% or more), as intervals, with cycles
  solved and flagged; :func:`ubo_of` does the same for one entity on its ancestors only;
* :func:`blocked` applies a sanctions ownership rule (:data:`OFAC`, :data:`EU`, :data:`UK`)
  as a monotone fixed point from the listed seeds: blocked / possibly blocked / not blocked,
  with the blocked share and an explanation path;
* :func:`synthetic_graph` makes a register-shaped test graph of any size.

Storage, importers and interfaces live elsewhere; nothing here touches a database.
"""

from cthub.ownership.compute.chains import Chain, ChainEdge
from cthub.ownership.compute.graph import INTERESTS, OwnershipGraph, Problem, compile_graph
from cthub.ownership.compute.regimes import (
    EU,
    OFAC,
    REGIMES,
    REPORT_COLUMNS,
    UK,
    BlockedResult,
    Regime,
    blocked,
    format_path,
)
from cthub.ownership.compute.synthetic import Synthetic, synthetic_graph
from cthub.ownership.compute.ubo import TABLE_COLUMNS, UBOOwner, UBOResult, compute_ubo, ubo_of

__all__ = [
    "EU",
    "INTERESTS",
    "OFAC",
    "REGIMES",
    "REPORT_COLUMNS",
    "TABLE_COLUMNS",
    "UK",
    "BlockedResult",
    "Chain",
    "ChainEdge",
    "OwnershipGraph",
    "Problem",
    "Regime",
    "Synthetic",
    "UBOOwner",
    "UBOResult",
    "blocked",
    "compile_graph",
    "compute_ubo",
    "format_path",
    "synthetic_graph",
    "ubo_of",
]
