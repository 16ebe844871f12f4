"""A synthetic ownership graph shaped like a company register, deterministic by seed.

Shape (chosen to resemble UK PSC / BODS data, not measured from it):

* companies sit on levels 0..``max_depth`` (geometric: half on level 0); a company on level L
  has one owner on level L-1 (so chains reach ``max_depth``) and more owners drawn from lower
  levels and from natural persons; level-0 companies are owned by persons only;
* fan-in (owners per company) is Zipf-like (61% one owner, a tail up to 60), and owners are
  drawn with a power law, so a few persons and holding companies own very many companies;
* shares split each company's capital (Dirichlet-like); a quarter of the companies keep part
  unallocated (free float, unknown holders);
* ``band_rate`` of the person holdings over 25% are PSC bands ("more than 25% but not more than
  50%", and so on); ``voting_rate`` of the holdings have a matching voting-rights edge;
  ``control_rate`` of the companies have a person with a control edge (no share);
  ``joint_rate`` of the companies have two person owners in a joint group;
* ``cycle_rate`` of the companies hold a small stake in an owner 1 to 3 levels up (a cross-
  holding cycle; that owner's other holders are scaled down so its shares still add to 100%),
  and a few pairs of extra companies own each other 100% and hold part of a company below.

``seeds`` lists ``seed_rate`` of the persons (favouring the busiest owners) and a few
companies, as the seeds table of the sanctions computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

BANDS = ((0.25, 0.5), (0.5, 0.75), (0.75, 1.0))


@dataclass(frozen=True)
class Synthetic:
    """``edges`` in the input contract, ``nodes`` (entity_id, kind, name), ``seeds``."""

    edges: pa.Table
    nodes: pa.Table
    seeds: pa.Table
    n_companies: int
    n_persons: int


@dataclass
class _Edges:
    owner: Ints
    asset: Ints
    share: Floats


def synthetic_graph(
    n_companies: int,
    *,
    seed: int = 0,
    persons_per_company: float = 0.6,
    max_depth: int = 10,
    band_rate: float = 0.3,
    voting_rate: float = 0.15,
    control_rate: float = 0.02,
    joint_rate: float = 0.01,
    cycle_rate: float = 0.002,
    seed_rate: float = 0.005,
) -> Synthetic:
    """The graph described in the module docstring; same arguments, same tables."""
    rng = np.random.default_rng(seed)
    n_c = max(int(n_companies), 2)
    n_p = max(int(n_c * persons_per_company), 1)
    n_closed = max(1, n_c // 200_000)
    e = _holdings(rng, n_c, n_p, max_depth)
    e = _cycles(rng, e, n_c, n_p, cycle_rate, n_closed)
    n_all_c = n_c + 2 * n_closed
    is_person = e.owner >= n_all_c
    lo, hi, lo_in = _bands(rng, e.share, is_person, band_rate)
    ids = _ids(n_all_c, n_p)
    parts = [_table(ids, e.owner, e.asset, "ownership", lo, hi, lo_in)]
    vote = rng.random(len(e.owner)) < voting_rate
    v_owner, v_asset = e.owner[vote], e.asset[vote]
    parts.append(_table(ids, v_owner, v_asset, "voting", lo[vote], hi[vote], lo_in[vote]))
    ctl_asset = rng.choice(n_c, int(n_c * control_rate), replace=False)
    ctl_owner = n_all_c + _power(rng, n_p, len(ctl_asset), 2.0)
    nan = np.full(len(ctl_asset), np.nan)
    parts.append(
        _table(ids, ctl_owner, ctl_asset, "control", nan, nan, np.ones(len(nan), np.bool_))
    )
    edges = pa.concat_tables(parts)
    edges = _joint(rng, edges, e, is_person, joint_rate)
    n_e = edges.num_rows
    edges = edges.append_column("edge_id", pa.array([f"E{i:08d}" for i in range(n_e)]))
    edges = edges.append_column("source", pa.array(["synthetic"] * n_e))
    seeds = _seeds(rng, ids, n_all_c, n_p, seed_rate)
    return Synthetic(edges, _nodes(ids, n_all_c), seeds, n_all_c, n_p)


def _power(rng: np.random.Generator, n: int, size: int, a: float) -> Ints:
    """``size`` draws from 0..n-1, low numbers much more often (a power law in ``a``)."""
    return np.minimum((n * rng.random(size) ** a).astype(np.int64), n - 1)


def _holdings(rng: np.random.Generator, n_c: int, n_p: int, max_depth: int) -> _Edges:
    level = np.sort(np.minimum(rng.geometric(0.5, n_c) - 1, max_depth))
    starts = np.searchsorted(level, np.arange(max_depth + 2))
    k = np.minimum(rng.zipf(2.0, n_c), 60)
    asset = np.repeat(np.arange(n_c), k)
    slot = np.arange(len(asset)) - np.repeat(np.cumsum(k) - k, k)
    lv = level[asset]
    owner = n_c + _power(rng, n_p, len(asset), 3.0)
    upper = rng.random(len(asset)) < 0.35
    lower_end = starts[lv]
    pick = (lv > 0) & upper & (slot > 0)
    owner[pick] = (lower_end[pick] * rng.random(int(pick.sum())) ** 3).astype(np.int64)
    back = (lv > 0) & (slot == 0)
    lo_b, hi_b = starts[lv[back] - 1], starts[lv[back]]
    owner[back] = lo_b + ((hi_b - lo_b) * rng.random(int(back.sum())) ** 2).astype(np.int64)
    key = asset * (n_c + n_p) + owner
    _, first = np.unique(key, return_index=True)
    first.sort()
    asset, owner = asset[first], owner[first]
    w = rng.gamma(0.7, size=len(asset)) + 1e-3
    total = np.where(rng.random(n_c) < 0.75, 1.0, rng.uniform(0.3, 1.0, n_c))
    wsum = np.bincount(asset, weights=w, minlength=n_c)
    share = np.floor(total[asset] * w / wsum[asset] * 1e4) / 1e4
    keep = share > 0
    return _Edges(owner[keep], asset[keep], share[keep])


def _cycles(
    rng: np.random.Generator, e: _Edges, n_c: int, n_p: int, rate: float, n_closed: int
) -> _Edges:
    """Cross-holdings back up the chain of first owners, and closed 100% pairs."""
    first = np.full(n_c, -1, dtype=np.int64)
    company_owned = e.owner < n_c
    first[e.asset[company_owned][::-1]] = e.owner[company_owned][::-1]
    y = rng.choice(n_c, max(int(n_c * rate), 1), replace=False)
    z = first[y]
    for _ in range(int(rng.integers(0, 3))):
        up = first[np.maximum(z, 0)]
        z = np.where((z >= 0) & (up >= 0), up, z)
    ok = z >= 0
    y, z = y[ok], z[ok]
    z, pos = np.unique(z, return_index=True)
    y = y[pos]
    s = np.round(rng.uniform(0.01, 0.3, len(y)), 4)
    scale = np.ones(n_c + 2 * n_closed)
    scale[z] = 1 - s
    # shift person ids past the extra closed-cycle companies
    owner = np.where(e.owner >= n_c, e.owner + 2 * n_closed, e.owner)
    share = np.floor(e.share * scale[e.asset] * 1e4) / 1e4
    k1 = n_c + 2 * np.arange(n_closed)
    k2 = k1 + 1
    held = rng.choice(n_c, n_closed, replace=False)
    hs = np.full(n_closed, 0.4)
    scale2 = np.ones_like(scale)
    scale2[held] = 0.6
    share = np.floor(share * scale2[e.asset] * 1e4) / 1e4
    return _Edges(
        np.concatenate([owner, y, k1, k2, k1]),
        np.concatenate([e.asset, z, k2, k1, held]),
        np.concatenate([share, s, np.ones(n_closed), np.ones(n_closed), hs]),
    )


def _bands(
    rng: np.random.Generator, share: Floats, is_person: npt.NDArray[np.bool_], rate: float
) -> tuple[Floats, Floats, npt.NDArray[np.bool_]]:
    lo, hi = share.copy(), share.copy()
    lo_in = np.ones(len(share), dtype=np.bool_)
    banded = is_person & (share > 0.25) & (rng.random(len(share)) < rate)
    for b_lo, b_hi in BANDS:
        m = banded & (share > b_lo) & (share <= b_hi)
        lo[m], hi[m], lo_in[m] = b_lo, b_hi, False
    return lo, hi, lo_in


def _ids(n_c: int, n_p: int) -> pa.Array:
    return pa.array([f"C{i:08d}" for i in range(n_c)] + [f"P{i:08d}" for i in range(n_p)])


def _table(
    ids: pa.Array,
    owner: Ints,
    asset: Ints,
    interest: str,
    lo: Floats,
    hi: Floats,
    lo_in: npt.NDArray[np.bool_],
) -> pa.Table:
    n = len(owner)
    return pa.table(
        {
            "owner": pc.take(ids, pa.array(owner)),
            "asset": pc.take(ids, pa.array(asset)),
            "interest": pa.array([interest] * n, pa.string()),
            "share_min": pa.array(lo, from_pandas=True),
            "share_max": pa.array(hi, from_pandas=True),
            "min_inclusive": pa.array(lo_in),
            "max_inclusive": pa.array(np.ones(n, dtype=np.bool_)),
        }
    )


def _joint(
    rng: np.random.Generator,
    edges: pa.Table,
    e: _Edges,
    is_person: npt.NDArray[np.bool_],
    rate: float,
) -> pa.Table:
    """Put the first two person holders of ``rate`` of the companies in a joint group."""
    persons = np.flatnonzero(is_person)
    a = e.asset[persons]
    order = np.argsort(a, kind="stable")
    persons, a = persons[order], a[order]
    starts = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])
    two = starts[(starts + 1 < len(a))]
    two = two[a[np.minimum(two + 1, len(a) - 1)] == a[two]]
    two = two[rng.random(len(two)) < rate]
    group = np.full(edges.num_rows, None, dtype=object)
    for s in two.tolist():
        g = f"J{int(a[s])}"
        group[persons[s]] = g
        group[persons[s + 1]] = g
    return edges.append_column("joint_group", pa.array(group, pa.string()))


def _nodes(ids: pa.Array, n_all_c: int) -> pa.Table:
    n = len(ids)
    kind = np.where(np.arange(n) < n_all_c, "company", "person")
    name = pc.binary_join_element_wise("Entity ", ids, "")
    return pa.table({"entity_id": ids, "kind": pa.array(kind), "name": name})


def _seeds(
    rng: np.random.Generator, ids: pa.Array, n_all_c: int, n_p: int, rate: float
) -> pa.Table:
    persons = n_all_c + _power(rng, n_p, max(int(n_p * rate), 1), 1.5)
    companies = rng.choice(n_all_c, max(n_all_c // 20_000, 1), replace=False)
    chosen = np.unique(np.concatenate([persons, companies]))
    n = len(chosen)
    return pa.table(
        {
            "entity_id": pc.take(ids, pa.array(chosen)),
            "listed": pa.array(np.ones(n, dtype=np.bool_)),
            "list": pa.array(["synthetic-sdn"] * n),
            "list_ref": pa.array([f"SDN-{i}" for i in range(n)]),
        }
    )
