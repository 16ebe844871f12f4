"""Effective shares over an ownership graph: a sparse product per level of the condensation.

For one measure (the direct shares of one interest), the effective share of a terminal owner
``p`` (a node nobody is recorded as owning in that measure: a natural person, or an entity
whose holders are unknown) in node ``t`` is the sum over all chains from ``p`` to ``t`` of the
product of the shares along the chain (AMLR Art. 52(1)): ``E = A E`` with ``E[p, p] = 1``.

The nodes are grouped into strongly connected components (``scipy.sparse.csgraph``) and the
components levelled by the longest path from a source (Kahn's algorithm, vectorised per
level); one layout serves every measure. Level by level, ``E_L = A[L, <L] @ E[<L]`` is one
sparse product. Within a level the only edges are those inside a cycle; there the rows solve
``X = B + A_c X``, i.e. ``X = (I - A_c)^-1 B``:

* components of up to ``DENSE_MAX`` nodes use the exact inverse, batched by size with
  ``numpy.linalg.inv`` (the Neumann series sums to it when the spectral radius is below 1);
* a closed cycle (its members own each other entirely, e.g. A owns 100% of B and B 100% of A)
  is singular and receives nothing from outside, so its rows are 0: nobody owns it;
* larger or singular components iterate ``X <- B + A_c X`` from below until no entry moves by
  more than ``eps``; the unsummed tail is bounded with a positive vector ``v`` such that
  ``A_c v <= q v`` (Collatz-Wielandt; ``q`` bounds the spectral radius): each row's tail is at
  most ``c v_i q / (1 - q)``, ``c`` being the last step in units of ``v``; a component with
  ``q >= 1`` that still moved gets slack 1 and ``converged`` is false.

Entries below ``prune`` are dropped and their total kept per row in ``slack``, which is carried
down the levels like a share, so ``E + slack`` stays an upper bound for any one owner (pruning
only lowers ``E``, so ``E`` stays a lower bound). Effective shares are capped at 1, which
matters only when recorded shares add up to more than 100%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

DENSE_MAX = 512


@dataclass(frozen=True)
class Layout:
    """Nodes in level order: position ``k`` holds node ``order[k]``; level ``L`` is positions
    ``bounds[L]:bounds[L+1]``. ``labels``: component per node; ``cyclic``: node in a component
    of two or more; ``affected``: node in or below such a component."""

    order: Ints
    pos: Ints
    bounds: Ints
    labels: Ints
    cyclic: Bools
    affected: Bools


@dataclass(frozen=True)
class Propagation:
    """``shares``: (position x node) effective shares of terminal owners, column = the owner's
    node number; ``slack``: per position, a bound on what pruning and unfinished cycle series
    left out of any one entry; ``converged``: every iterated cycle met ``eps``."""

    layout: Layout
    shares: csr_matrix
    slack: Floats
    converged: bool


def ranges(starts: Ints, ends: Ints) -> Ints:
    """The concatenation of ``arange(s, e)`` for each pair, vectorised."""
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(lens) + lens, lens)
    return np.asarray(offsets + np.arange(total), dtype=np.int64)


def layout(owner: Ints, asset: Ints, n: int) -> Layout:
    """Level the strongly connected components of the edges ``owner -> asset``.

    Within a level, nodes outside cycles come first, so a level's cycle rows are its tail.
    """
    adj = csr_matrix((np.ones(len(owner), dtype=np.int8), (owner, asset)), shape=(n, n))
    count, lab = connected_components(adj, directed=True, connection="strong")
    labels = np.asarray(lab, dtype=np.int64)
    src, dst = labels[owner], labels[asset]
    cross = src != dst
    cond = csr_matrix(
        (np.ones(int(cross.sum()), dtype=np.int8), (src[cross], dst[cross])), shape=(count, count)
    )
    c_ptr = cond.indptr.astype(np.int64)
    c_idx = cond.indices.astype(np.int64)
    indeg = np.bincount(c_idx, minlength=count)
    level = np.zeros(count, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    depth = 0
    while len(frontier):
        level[frontier] = depth
        targets = c_idx[ranges(c_ptr[frontier], c_ptr[frontier + 1])]
        indeg -= np.bincount(targets, minlength=count)
        hit = np.zeros(count, dtype=np.bool_)
        hit[targets] = True
        frontier = np.flatnonzero(hit & (indeg == 0))
        depth += 1
    cyclic = np.bincount(labels, minlength=count)[labels] > 1
    node_level = level[labels]
    key = (node_level * 2 + cyclic).astype(np.int16)  # radix sort: linear time
    order = np.argsort(key, kind="stable").astype(np.int64)
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    bounds = np.append(np.searchsorted(node_level[order], np.arange(depth)), n).astype(np.int64)
    return Layout(order, pos, bounds, labels, cyclic, _affected(adj, cyclic))


def _affected(adj: csr_matrix, cyclic: Bools) -> Bools:
    """In a cycle or owned (through any chain) by a node in a cycle: a reachability sweep."""
    affected = cyclic.copy()
    frontier = np.flatnonzero(cyclic)
    ptr, idx = adj.indptr.astype(np.int64), adj.indices.astype(np.int64)
    while len(frontier):
        reached = idx[ranges(ptr[frontier], ptr[frontier + 1])]
        new = np.flatnonzero(np.bincount(reached[~affected[reached]], minlength=len(cyclic)))
        affected[new] = True
        frontier = new
    return affected


class _Rows:
    """A square CSR matrix filled by appending row blocks; rows not yet filled are empty, so
    the whole matrix can be multiplied at any time without copying."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        self.data = np.zeros(1 << 16, dtype=np.float64)
        self.indices = np.zeros(1 << 16, dtype=np.int32)
        self.rows = 0

    def append(self, block: csr_matrix) -> None:
        nnz = int(self.indptr[self.rows])
        end = nnz + block.nnz
        if end > len(self.data):
            size = max(end, 2 * len(self.data))
            data, indices = np.empty(size), np.empty(size, dtype=np.int32)
            data[:nnz], indices[:nnz] = self.data[:nnz], self.indices[:nnz]
            self.data, self.indices = data, indices
        self.data[nnz:end] = block.data
        self.indices[nnz:end] = block.indices
        r = block.shape[0]
        self.indptr[self.rows + 1 : self.rows + r + 1] = nnz + block.indptr[1:]
        self.rows += r

    def view(self) -> csr_matrix:
        end = int(self.indptr[self.rows])
        self.indptr[self.rows + 1 :] = end
        return csr_matrix(
            (self.data[:end], self.indices[:end], self.indptr), shape=(self.n, self.n)
        )


def propagate(
    owner: Ints,
    asset: Ints,
    share: Floats,
    lay: Layout,
    *,
    boolean: bool = False,
    prune: float = 0.0,
    eps: float = 1e-12,
    max_iter: int = 10_000,
) -> Propagation:
    """Effective shares of the edges ``owner -> asset`` with ``share`` (module docstring).

    ``boolean``: reachability instead (every entry 1), for chains of controlling links.
    """
    n = len(lay.order)
    rows_p, cols_p = lay.pos[asset], lay.pos[owner]
    node_level = np.searchsorted(lay.bounds, np.arange(n), side="right") - 1
    same = node_level[rows_p] == node_level[cols_p]
    ext_all = csr_matrix((share[~same], (rows_p[~same], cols_p[~same])), shape=(n, n))
    intra_all = csr_matrix((share[same], (rows_p[same], cols_p[same])), shape=(n, n))
    terminal = np.bincount(rows_p, minlength=n) == 0
    cyc_pos = lay.cyclic[lay.order]
    rows = _Rows(n)
    slack = np.zeros(n)
    converged = True
    for lv in range(len(lay.bounds) - 1):
        s, e = int(lay.bounds[lv]), int(lay.bounds[lv + 1])
        c = s + int(np.searchsorted(cyc_pos[s:e], True))  # first cycle row of the level
        prefix = rows.view()
        for a, b, cyc in ((s, c, False), (c, e, True)):
            if a == b:
                continue
            ext = ext_all[a:b]
            out = csr_matrix(ext @ prefix)
            extra = np.asarray(ext @ slack, dtype=np.float64)
            local = np.flatnonzero(terminal[a:b])
            if len(local):
                out = csr_matrix(out + _identity(lay.order, local, a, b, n))
            if cyc:
                intra = intra_all[a:b][:, a:b]
                comp = lay.labels[lay.order[a:b]]
                out, extra, ok = _cycles(intra, comp, out, extra, boolean, eps, max_iter)
                converged &= ok
            _cap(out, boolean)
            if prune > 0 and not boolean:
                extra += _prune(out, prune)
            rows.append(out)
            slack[a:b] = extra
    return Propagation(lay, rows.view(), slack, converged)


def _identity(order: Ints, local: Ints, s: int, e: int, n: int) -> csr_matrix:
    data = np.ones(len(local))
    return csr_matrix((data, (local, order[s + local])), shape=(e - s, n))


def _cap(m: csr_matrix, boolean: bool) -> None:
    if boolean:
        m.data[:] = 1.0
    else:
        np.minimum(m.data, 1.0, out=m.data)


def _prune(m: csr_matrix, prune: float) -> Floats:
    small = m.data < prune
    row_of = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    dropped = np.bincount(row_of[small], weights=m.data[small], minlength=m.shape[0])
    m.data[small] = 0.0
    m.eliminate_zeros()
    return np.asarray(dropped, dtype=np.float64)


def _cycles(
    intra: csr_matrix,
    comp: Ints,
    b: csr_matrix,
    slack_in: Floats,
    boolean: bool,
    eps: float,
    max_iter: int,
) -> tuple[csr_matrix, Floats, bool]:
    """Solve ``X = B + A_c X`` for the cycle rows of one level (``intra`` is square)."""
    _, cid = np.unique(comp, return_inverse=True)
    cid = np.asarray(cid, dtype=np.int64)
    d = slack_in.copy()
    m = len(cid)
    parts: list[tuple[Ints, csr_matrix]] = []
    done = np.zeros(m, dtype=np.bool_)
    if not boolean:
        inv, done = _inverse(intra, cid)
        if inv is not None:
            sub = np.flatnonzero(done)
            parts.append((sub, csr_matrix(inv @ b[sub])))
            d[sub] = inv @ d[sub]
    rest = np.flatnonzero(~done)
    ok = True
    if len(rest):
        x_r, d[rest], ok = _iterate(intra[rest][:, rest], cid[rest], b[rest], d[rest],
                                    boolean, eps, max_iter)  # fmt: skip
        parts.append((rest, x_r))
    rows = np.concatenate([np.repeat(r, np.diff(x.indptr)) for r, x in parts])
    cols = np.concatenate([x.indices for _, x in parts])
    vals = np.concatenate([x.data for _, x in parts])
    x = csr_matrix((vals, (rows, cols)), shape=b.shape)
    return x, np.minimum(d, 1.0), ok


def _inverse(inner: csr_matrix, cid: Ints) -> tuple[csr_matrix | None, Bools]:
    """Block-diagonal ``(I - A_c)^-1`` over the components it exists for (nonnegative, finite)
    and up to ``DENSE_MAX`` nodes; the mask says which member rows it covers."""
    m = len(cid)
    order = np.argsort(cid, kind="stable")
    sizes = np.bincount(cid)
    start = np.cumsum(sizes) - sizes
    local = np.empty(m, dtype=np.int64)
    local[order] = np.arange(m) - start[cid[order]]
    coo = inner.tocoo()
    done = np.zeros(m, dtype=np.bool_)
    rows, cols, vals = [], [], []
    for size in np.unique(sizes[sizes <= DENSE_MAX]).tolist():
        comps = np.flatnonzero(sizes == size)
        slot = np.full(len(sizes), -1, dtype=np.int64)
        slot[comps] = np.arange(len(comps))
        blocks = np.zeros((len(comps), size, size))
        sel = slot[cid[coo.row]] >= 0
        r, c = coo.row[sel], coo.col[sel]
        blocks[slot[cid[r]], local[r], local[c]] = coo.data[sel]
        good, inv = _batched_inverse(np.eye(size) - blocks)
        members = order[start[comps][:, None] + np.arange(size)]  # (k, size) member indices
        ok = members[good]  # (k, size): rows of inv[k] are members ok[k]
        rows.append(np.repeat(ok, size, axis=1).ravel())
        cols.append(np.tile(ok, (1, size)).ravel())
        vals.append(inv[good].ravel())
        done[ok.ravel()] = True
    if not rows:
        return None, done
    mat = csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(m, m)
    )
    return mat[np.flatnonzero(done)][:, np.flatnonzero(done)].tocsr(), done


def _batched_inverse(blocks: Floats) -> tuple[Bools, Floats]:
    """Inverses of ``I - A`` blocks; ``good`` false where singular or not nonnegative."""
    try:
        inv = np.linalg.inv(blocks)
        good = np.ones(len(blocks), dtype=np.bool_)
    except np.linalg.LinAlgError:
        inv = np.zeros_like(blocks)
        good = np.zeros(len(blocks), dtype=np.bool_)
        for k in range(len(blocks)):
            try:
                inv[k] = np.linalg.inv(blocks[k])
                good[k] = True
            except np.linalg.LinAlgError:
                continue
    finite = np.isfinite(inv).all(axis=(1, 2))
    nonneg = (inv >= -1e-9).all(axis=(1, 2))
    good &= finite & nonneg
    return good, np.clip(inv, 0.0, None)


def _iterate(
    inner: csr_matrix,
    cid: Ints,
    b: csr_matrix,
    d: Floats,
    boolean: bool,
    eps: float,
    max_iter: int,
) -> tuple[csr_matrix, Floats, bool]:
    """``X <- B + A_c X`` from below, with the tail bound of the module docstring."""
    x = b.copy()
    step = csr_matrix(b.shape)
    for _ in range(max_iter):
        nxt = csr_matrix(b + inner @ x)
        _cap(nxt, boolean)
        step = csr_matrix(nxt - x)
        x = nxt
        if float(np.abs(step.data).max(initial=0.0)) <= eps:
            break
    if boolean:
        return x, d, True
    _, cid = np.unique(cid, return_inverse=True)
    v, q = _weights(inner, cid)
    step_rows = np.repeat(np.arange(step.shape[0]), np.diff(step.indptr))
    c = _group_max(cid, step_rows, np.abs(step.data) / v[step_rows])
    s = _group_max(cid, np.arange(len(v)), d / v)
    safe = np.where(q < 1, 1 - q, 1.0)
    tail = np.where(q < 1, c * q / safe, np.where(c > 0, np.inf, 0.0))[cid] * v
    inflow = np.where(q < 1, s / safe, np.where(s > 0, np.inf, 0.0))[cid] * v
    ok = not bool(((q >= 1) & (c > 0)).any())
    return x, np.minimum(tail + inflow, 1.0), ok


def _weights(inner: csr_matrix, cid: Ints) -> tuple[Floats, Floats]:
    """A positive vector ``v`` and per component ``q = max (A v)_i / v_i``."""
    v = np.ones(inner.shape[0])
    term = v.copy()
    for _ in range(30):
        term = np.asarray(inner @ term, dtype=np.float64)
        v += term
    av = np.asarray(inner @ v, dtype=np.float64)
    return v, _group_max(cid, np.arange(len(v)), av / v)


def _group_max(group: Ints, at: Ints, values: Floats) -> Floats:
    out = np.zeros(int(group.max(initial=-1)) + 1)
    np.maximum.at(out, group[at], values)
    return out
