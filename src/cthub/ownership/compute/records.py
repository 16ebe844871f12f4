"""Per-record validation of the edge table: one :class:`Problem` per bad record.

Checks, each reported with the record's edge id (or ``row:N``) and row number, the link
``owner -> asset`` in front of the message: a missing owner or asset, an interest that is not
``ownership``, ``voting`` or ``control``, a share below 0 or above 1 (with a hint when it looks
like a percentage), ``share_min`` above ``share_max``, an empty interval (``0.5`` to ``0.5``
with an open end), a NaN share (read unknown), a self-loop, a natural person as the asset
(when the nodes table says so), and repeated (owner, asset, interest) statements, the first
one kept (``conflicting_duplicate`` when their shares differ). Per asset: shares of one
interest adding up to more than 100% (a warning; effective shares are capped at 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import csr_matrix

from cthub.ownership.compute.intervals import TOL

INTERESTS = ("ownership", "voting", "control")
OWNERSHIP, VOTING, CONTROL = 0, 1, 2
PERSON, ENTITY, UNKNOWN = 1, 0, -1

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """One bad record. ``error``: left out; ``warning``: kept, may affect results; ``info``."""

    code: str
    severity: Severity
    message: str
    edge_id: str | None = None
    row: int | None = None
    entity_id: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class Records:
    """Column views of the raw edge table and the per-record checks that need no node index."""

    def __init__(self, edges: pa.Table) -> None:
        self.edges = edges
        n = self.n = edges.num_rows
        self.problems: list[Problem] = []
        self.bad = np.zeros(n, dtype=np.bool_)
        self.owner = strings(edges.column("owner"))
        self.asset = strings(edges.column("asset"))
        for end, col in (("owner", self.owner), ("asset", self.asset)):
            empty = np.asarray(pc.fill_null(pc.equal(col, ""), True))
            self.flag(empty, f"missing_{end}", "error", partial(_fixed, f"no {end} id"))
        raw = strings(edges.column("interest"))
        values = pa.array(INTERESTS)
        code = np.asarray(pc.fill_null(pc.index_in(raw, value_set=values), -1), dtype=np.int64)
        if (code < 0).any():  # a second chance for "Ownership", "VOTING"
            lower = pc.index_in(pc.utf8_lower(raw), value_set=values)
            code = np.asarray(pc.fill_null(lower, -1), dtype=np.int64)
        self.interest = code
        self.flag(
            self.interest < 0,
            "unknown_interest",
            "error",
            lambda i: f"interest {raw[i].as_py()!r} is not one of {', '.join(INTERESTS)}",
        )
        self._shares()

    def edge_id(self, i: int) -> str:
        if "edge_id" in self.edges.column_names:
            v = self.edges.column("edge_id")[i].as_py()
            if v is not None:
                return str(v)
        return f"row:{i}"

    def flag(
        self, mask: Bools, code: str, severity: Severity, message: Callable[[int], str]
    ) -> None:
        for i in np.flatnonzero(mask).tolist():
            link = f"{self.owner[i].as_py() or '?'} -> {self.asset[i].as_py() or '?'}: "
            self.problems.append(Problem(code, severity, link + message(i), self.edge_id(i), i))
        if severity == "error":
            self.bad |= mask

    def _shares(self) -> None:
        lo_raw, lo_null = _floats(self.edges, "share_min", self.n)
        hi_raw, hi_null = _floats(self.edges, "share_max", self.n)
        lo_incl = _flags(self.edges, "min_inclusive", self.n)
        hi_incl = _flags(self.edges, "max_inclusive", self.n)
        for name, raw, null in (("share_min", lo_raw, lo_null), ("share_max", hi_raw, hi_null)):
            nan = np.isnan(raw) & ~null
            self.flag(nan, "share_nan", "warning", partial(_fixed, f"{name} is NaN: read unknown"))
            with np.errstate(invalid="ignore"):
                neg = raw < 0
                over = raw > 1 + TOL
            self.flag(neg, "share_negative", "error", partial(_neg, name, raw))
            self.flag(over, "share_above_one", "error", partial(_over, name, raw))
        known = ~np.isnan(lo_raw) & ~np.isnan(hi_raw)
        with np.errstate(invalid="ignore"):
            inverted = known & (lo_raw > hi_raw + TOL)
            point = known & (np.abs(lo_raw - hi_raw) <= TOL)
        self.flag(inverted, "share_inverted", "error", lambda i: _inv(lo_raw[i], hi_raw[i]))
        empty = point & ~(lo_incl & hi_incl)
        self.flag(empty, "share_empty", "error", lambda i: _empty(lo_raw[i], lo_incl[i]))
        unknown = np.isnan(lo_raw) & np.isnan(hi_raw) & (self.interest != CONTROL)
        self.flag(
            unknown & (self.interest >= 0),
            "share_unknown",
            "info",
            lambda i: "no share given: read as 0%-100%",
        )
        self.lo = np.where(np.isnan(lo_raw), 0.0, np.clip(lo_raw, 0.0, 1.0))
        self.hi = np.where(np.isnan(hi_raw), 1.0, np.clip(hi_raw, 0.0, 1.0))
        self.known = ~(np.isnan(lo_raw) & np.isnan(hi_raw))
        self.lo_closed = np.where(np.isnan(lo_raw), True, lo_incl)
        self.hi_closed = np.where(np.isnan(hi_raw), True, hi_incl)

    def check_links(self, owner: Ints, asset: Ints, kind: npt.NDArray[np.int8]) -> None:
        ok = (owner >= 0) & (asset >= 0)
        self.flag(ok & (owner == asset), "self_loop", "error", lambda i: "owner is the asset")
        person = ok & (np.append(kind, UNKNOWN)[asset] == PERSON)
        self.flag(person, "person_as_asset", "error", lambda i: "the asset is a natural person")
        live = np.flatnonzero(~self.bad)
        n = max(int(owner.max(initial=0)), int(asset.max(initial=0))) + 1
        col = owner[live] * 3 + self.interest[live]
        ones = np.ones(len(live), dtype=np.int8)
        pairs = csr_matrix((ones, (asset[live], col)), shape=(n, 3 * n))
        pairs.sum_duplicates()
        if pairs.nnz == len(live):  # the usual case: no duplicates, no sort needed
            return
        key = (owner[live] * n + asset[live]) * 3 + self.interest[live]
        order = np.argsort(key, kind="stable")
        sk = key[order]
        dup = np.zeros(len(live), dtype=np.bool_)
        dup[1:] = sk[1:] == sk[:-1]
        first = np.maximum.accumulate(np.where(dup, 0, np.arange(len(live))))
        rows = live[order]
        firsts = rows[first]
        same = (self.lo[rows] == self.lo[firsts]) & (self.hi[rows] == self.hi[firsts])
        for code, pick in (("duplicate", dup & same), ("conflicting_duplicate", dup & ~same)):
            mask = np.zeros(self.n, dtype=np.bool_)
            mask[rows[pick]] = True
            where = dict(zip(rows[pick].tolist(), firsts[pick].tolist(), strict=True))
            self.flag(mask, code, "error", partial(_dup, self, where))


def _fixed(text: str, i: int) -> str:
    return text


def _neg(name: str, raw: Floats, i: int) -> str:
    return f"{name} {raw[i]:g} is negative"


def _over(name: str, raw: Floats, i: int) -> str:
    v = float(raw[i])
    hint = " (a percentage? shares are fractions 0..1)" if v <= 100 else ""
    return f"{name} {v:g} is over 1 (100%){hint}"


def _inv(lo: float, hi: float) -> str:
    return f"share_min {lo:g} is above share_max {hi:g}"


def _empty(v: float, lo_incl: bool) -> str:
    end = "min" if not lo_incl else "max"
    return f"share_min = share_max = {v:g} but {end}_inclusive is false: no share fits"


def _dup(rec: Records, first_of: dict[int, int], i: int) -> str:
    first = rec.edge_id(first_of[i])
    return f"same owner, asset and interest as edge {first}: the first one is used"


def strings(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    return arr if arr.type == pa.string() else pc.cast(arr, pa.string())


def _floats(edges: pa.Table, name: str, n: int) -> tuple[Floats, Bools]:
    if name not in edges.column_names:
        return np.full(n, np.nan), np.ones(n, dtype=np.bool_)
    col = pc.cast(edges.column(name), pa.float64())
    null = np.asarray(pc.is_null(col), dtype=np.bool_)
    return np.asarray(pc.fill_null(col, np.nan), dtype=np.float64), null


def _flags(edges: pa.Table, name: str, n: int) -> Bools:
    if name not in edges.column_names:
        return np.ones(n, dtype=np.bool_)
    col = pc.cast(edges.column(name), pa.bool_())
    return np.asarray(pc.fill_null(col, True), dtype=np.bool_)


def over_allocated(rec: Records, asset: Ints, keep: Bools) -> None:
    """Warn once per asset whose lower-bound shares of one interest add up to over 100%."""
    size = int(asset.max(initial=0)) + 1
    for interest in (OWNERSHIP, VOTING):
        m = keep & (rec.interest == interest)
        total = np.bincount(asset[m], weights=rec.lo[m], minlength=size)
        flagged = total > 1 + TOL
        if not flagged.any():
            continue
        rows = np.flatnonzero(m & flagged[np.maximum(asset, 0)])
        rows = rows[np.argsort(asset[rows], kind="stable")]
        cuts = np.flatnonzero(np.diff(asset[rows])) + 1
        for part in np.split(rows, cuts):
            a = int(asset[part[0]])
            listed = ", ".join(rec.edge_id(int(r)) for r in part[:5])
            more = f" and {len(part) - 5} more" if len(part) > 5 else ""
            rec.problems.append(
                Problem(
                    "over_allocated",
                    "warning",
                    f"{INTERESTS[interest]} shares add up to {total[a] * 100:.4g}% "
                    f"(edges {listed}{more}); effective shares are capped at 100%",
                    entity_id=str(rec.asset[int(part[0])].as_py()),
                )
            )
