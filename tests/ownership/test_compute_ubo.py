"""Beneficial owners (AMLR Art. 52): chains multiplied and added, 25% or more, bands as
intervals, cycles (the 100% one included), control apart, explanations; properties with
hypothesis; and the vectorised result against a naive whole-graph iteration at 10,000
companies."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix, identity

from cthub.ownership.compute import compile_graph, compute_ubo, synthetic_graph, ubo_of
from cthub.ownership.compute import propagate as propagate_module
from cthub.ownership.compute.graph import OWNERSHIP, OwnershipGraph
from cthub.ownership.compute.ubo import UBOResult

Row = tuple[object, ...]


def table(*rows: Row) -> pa.Table:
    """Rows (owner, asset, interest, share_min, share_max[, min_incl, max_incl])."""
    full = [(*r, *(True, True)[len(r) - 5 :]) if len(r) < 7 else r for r in rows]
    names = ("owner", "asset", "interest", "share_min", "share_max")
    data: dict[str, object] = {n: [r[i] for r in full] for i, n in enumerate(names)}
    data["share_min"] = pa.array(data["share_min"], pa.float64())
    data["share_max"] = pa.array(data["share_max"], pa.float64())
    data["min_inclusive"] = [r[5] for r in full]
    data["max_inclusive"] = [r[6] for r in full]
    data["edge_id"] = [f"e{i}" for i in range(len(rows))]
    return pa.table(data)


def persons(*ids: str) -> pa.Table:
    return pa.table({"entity_id": list(ids), "kind": ["person"] * len(ids)})


def ubo(*rows: Row, people: tuple[str, ...] = ("P", "Q", "R"), **kw: object) -> UBOResult:
    return compute_ubo(compile_graph(table(*rows), persons(*people)), **kw)  # type: ignore[arg-type]


def owner(res: UBOResult, entity: str, who: str) -> dict[str, object]:
    found = [o.as_dict() for o in res.owners(entity) if o.owner_id == who]
    assert found, (entity, who, [o.as_dict() for o in res.owners(entity)])
    return found[0]


def test_chain_is_multiplied_and_chains_are_added() -> None:
    res = ubo(
        ("P", "A", "ownership", 0.6, 0.6),
        ("A", "X", "ownership", 0.5, 0.5),
        ("P", "B", "ownership", 0.5, 0.5),
        ("B", "X", "ownership", 0.2, 0.2),
        ("Q", "X", "ownership", 0.2, 0.2),
    )
    p = owner(res, "X", "P")
    assert p["ownership"] == pytest.approx([0.4, 0.4])  # 0.6 * 0.5 + 0.5 * 0.2
    assert p["status"] == "ubo"
    assert p["owner_kind"] == "person"
    assert [o.owner_id for o in res.owners("X")] == ["P"]  # Q's 20% is under 25%
    chains = res.explain("X", "P")
    assert sorted(round(c.hi, 6) for c in chains) == [0.1, 0.3]
    assert all(e.edge_id.startswith("e") for c in chains for e in c.edges)


def test_exactly_25_percent_is_an_ownership_interest() -> None:
    res = ubo(("P", "A", "ownership", 0.5, 0.5), ("A", "X", "ownership", 0.5, 0.5))
    assert owner(res, "X", "P")["status"] == "ubo"
    strict = ubo(
        ("P", "A", "ownership", 0.5, 0.5), ("A", "X", "ownership", 0.5, 0.5), inclusive=False
    )
    assert strict.owners("X") == [] or owner(strict, "X", "P")["status"] == "not_ubo"


def test_psc_band_25_to_50_at_the_25_percent_threshold() -> None:
    band = ("P", "X", "ownership", 0.25, 0.5, False, True)  # more than 25%, not more than 50%
    assert owner(ubo(band), "X", "P")["status"] == "ubo"
    assert owner(ubo(band, inclusive=False), "X", "P")["status"] == "ubo"
    closed = ("P", "X", "ownership", 0.25, 0.5, True, True)  # 25% to 50%
    assert owner(ubo(closed, inclusive=False), "X", "P")["status"] == "possibly_ubo"
    wide = ("P", "X", "ownership", 0.1, 0.3)
    assert owner(ubo(wide), "X", "P")["status"] == "possibly_ubo"
    below = ("P", "X", "ownership", 0.1, 0.25, True, False)  # under 25%
    assert ubo(below).owners("X") == [] or owner(ubo(below), "X", "P")["status"] == "not_ubo"
    through = ubo(
        ("P", "A", "ownership", 0.5, 0.75, False, True), ("A", "X", "ownership", 0.5, 0.5)
    )
    p = owner(through, "X", "P")
    assert p["ownership"] == pytest.approx([0.25, 0.375])
    assert p["status"] == "ubo"


def test_hundred_percent_cycle_has_no_owner() -> None:
    res = ubo(
        ("A", "B", "ownership", 1.0, 1.0),
        ("B", "A", "ownership", 1.0, 1.0),
        ("A", "X", "ownership", 0.6, 0.6),
        ("P", "X", "ownership", 0.4, 0.4),
    )
    assert res.owners("A") == []
    assert res.owners("B") == []
    assert [o.owner_id for o in res.owners("X")] == ["P"]
    assert owner(res, "X", "P")["in_cycle"] is True
    assert res.converged
    cycle = [p for p in res.graph.problems if p.code == "cycle"]
    assert cycle
    assert "A, B" in cycle[0].message
    assert res.report("A")["in_cycle"] is True


def test_cycle_with_an_outside_owner_is_solved() -> None:
    rows = (
        ("P", "C", "ownership", 0.7, 0.7),
        ("C", "D", "ownership", 1.0, 1.0),
        ("D", "C", "ownership", 0.3, 0.3),
        ("C", "E", "ownership", 0.5, 0.5),
        ("Q", "E", "ownership", 0.5, 0.5),
    )
    res = ubo(*rows)
    assert owner(res, "C", "P")["ownership"] == pytest.approx([1.0, 1.0])  # 0.7 / (1 - 0.3)
    assert owner(res, "D", "P")["ownership"] == pytest.approx([1.0, 1.0])
    assert owner(res, "E", "P")["ownership"] == pytest.approx([0.5, 0.5])
    assert owner(res, "E", "Q")["in_cycle"] is True


def test_iteration_and_closed_form_agree_with_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = (
        ("P", "C", "ownership", 0.6, 0.6),
        ("Q", "C", "ownership", 0.1, 0.1),
        ("C", "D", "ownership", 0.9, 0.9),
        ("D", "C", "ownership", 0.3, 0.3),
        ("D", "F", "ownership", 0.8, 0.8),
    )
    closed = ubo(*rows)
    monkeypatch.setattr(propagate_module, "DENSE_MAX", 0)
    iterated = ubo(*rows, eps=1e-6)
    for who in ("C", "D", "F"):
        a, b = owner(closed, who, "P")["ownership"], owner(iterated, who, "P")["ownership"]
        assert isinstance(a, list)
        assert isinstance(b, list)
        assert b[0] <= a[0] + 1e-12  # the iteration stops below the fixed point...
        assert b[1] >= a[1] - 1e-12  # ...and its tail bound covers what is left
        assert b[1] - b[0] < 1e-4
    assert iterated.converged


def test_voting_and_ownership_are_not_added() -> None:
    res = ubo(("P", "X", "ownership", 0.2, 0.2), ("P", "X", "voting", 0.3, 0.3))
    p = owner(res, "X", "P")
    assert p["ownership"] == pytest.approx([0.2, 0.2])
    assert p["voting"] == pytest.approx([0.3, 0.3])
    assert p["basis"] == ["voting"]
    assert p["status"] == "ubo"


def test_control_is_reported_apart() -> None:
    res = ubo(
        ("P", "X", "control", None, None),
        ("Q", "A", "ownership", 0.6, 0.6),
        ("A", "B", "ownership", 0.6, 0.6),
        ("R", "C", "ownership", 0.4, 0.4),
        ("C", "D", "ownership", 1.0, 1.0),
    )
    p = owner(res, "X", "P")
    assert (p["control"], p["status"], p["basis"]) == ("yes", "ubo", ["control"])
    q = owner(res, "B", "Q")  # 36% of the shares, and control through a majority chain
    assert (q["control"], q["basis"]) == ("yes", ["ownership", "control"])
    assert [e.interest for c in res.explain("B", "Q", interest="control") for e in c.edges] == [
        "ownership",
        "ownership",
    ]
    r = owner(res, "D", "R")  # 40% of a company that owns D: ownership, not control
    assert (r["control"], r["basis"]) == ("no", ["ownership"])


def test_band_control_is_possible() -> None:
    res = ubo(("P", "A", "ownership", 0.25, 0.75, False, True), ("A", "X", "control", None, None))
    assert owner(res, "X", "P")["control"] == "possible"
    assert owner(res, "X", "P")["status"] == "possibly_ubo"


def test_over_allocation_is_capped() -> None:
    res = ubo(("P", "X", "ownership", 0.8, 0.8), ("Q", "X", "ownership", 0.7, 0.7))
    assert {o.owner_id for o in res.owners("X")} == {"P", "Q"}
    assert any(p.code == "over_allocated" for p in res.graph.problems)


def test_owner_of_unknown_ownership_is_an_entity() -> None:
    res = ubo(("HoldCo", "X", "ownership", 0.5, 0.5))
    assert owner(res, "X", "HoldCo")["owner_kind"] == "entity" or (
        owner(res, "X", "HoldCo")["owner_kind"] == "unknown"
    )


def test_report_is_json_and_lookups_are_safe() -> None:
    res = ubo(("P", "A", "ownership", 0.6, 0.6), ("A", "X", "ownership", 0.5, 0.5))
    rep = res.report("X")
    text = json.dumps(rep)
    assert '"owner_id": "P"' in text
    owners = rep["owners"]
    assert isinstance(owners, list)
    assert owners[0]["chains"]["ownership"][0]["share"] == pytest.approx([0.3, 0.3])
    assert res.owners("nobody") == []
    assert res.report("nobody")["known"] is False
    assert res.explain("X", "nobody") == []
    assert res.table.column_names[0] == "entity_id"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=8))
def test_a_chain_never_exceeds_its_smallest_edge(shares: list[float]) -> None:
    nodes = ["P", *[f"C{i}" for i in range(len(shares))]]
    rows = [(nodes[i], nodes[i + 1], "ownership", s, s) for i, s in enumerate(shares)]
    res = ubo(*rows, report_from=0.0, prune=0.0)
    got = owner(res, nodes[-1], "P")["ownership"]
    assert isinstance(got, list)
    assert got[1] <= min(shares) + 1e-12
    assert got[0] == pytest.approx(float(np.prod(shares)), rel=1e-9)


band = st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)).map(sorted)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7), band, st.sampled_from(["ownership"])),
        max_size=20,
    )
)
def test_intervals_stay_ordered(raw: list[tuple[int, int, list[float], str]]) -> None:
    rows = [(f"N{a}", f"N{b}", i, lo, hi) for a, b, (lo, hi), i in raw]
    rows += [("P", "N0", "ownership", 0.3, 0.6)]
    res = ubo(*rows, report_from=0.0)
    p = res.pairs
    assert np.all(p.o_lo <= p.o_hi + 1e-12)
    assert np.all((p.o_lo >= 0) & (p.o_hi <= 1))
    assert set(p.status.tolist()) <= {0, 1, 2}


def naive(graph: OwnershipGraph, bound: str) -> csr_matrix:
    """Effective shares by iterating E <- A E + T over the whole graph (no levels, no
    components, no pruning) until nothing moves: the textbook fixed point."""
    n = graph.n_nodes
    a = graph.matrix(OWNERSHIP, "lo" if bound == "lo" else "hi")
    terminal = np.asarray(np.diff(a.indptr) == 0)
    t = csr_matrix(identity(n, format="csr").multiply(terminal[:, None]))
    e = t.copy()
    for _ in range(500):
        nxt = csr_matrix(a @ e + t)
        nxt.data = np.minimum(nxt.data, 1.0)
        if abs(nxt - e).max() < 1e-14:
            break
        e = nxt
    return e


def test_vectorised_matches_naive_at_ten_thousand_companies() -> None:
    syn = synthetic_graph(10_000, seed=11)
    graph = compile_graph(syn.edges, syn.nodes)
    res = compute_ubo(graph, prune=0.0, report_from=0.05)
    for bound, ours in (("lo", res.pairs.o_lo), ("hi", res.pairs.o_hi)):
        ref = naive(graph, bound)
        want = np.asarray(ref[res.pairs.entity, res.pairs.owner]).ravel()
        assert np.allclose(ours, want, atol=1e-9)
        coo = ref.tocoo()
        big = (coo.data >= 0.05) & (coo.row != coo.col)
        ours_keys = set((res.pairs.entity * graph.n_nodes + res.pairs.owner).tolist())
        if bound == "hi":
            ref_keys = set((coo.row[big] * graph.n_nodes + coo.col[big]).tolist())
            assert ref_keys <= ours_keys
    pruned = compute_ubo(graph)  # default pruning: the bounds still hold the exact values
    keys = zip(res.pairs.entity.tolist(), res.pairs.owner.tolist(), strict=True)
    exact = {key: r for r, key in enumerate(keys)}
    pruned_keys = zip(pruned.pairs.entity.tolist(), pruned.pairs.owner.tolist(), strict=True)
    for r, (e, o) in enumerate(pruned_keys):
        k = exact.get((e, o))
        if k is not None:
            assert pruned.pairs.o_lo[r] <= res.pairs.o_lo[k] + 1e-12
            assert pruned.pairs.o_hi[r] >= res.pairs.o_hi[k] - 1e-12


def test_one_entity_on_demand_matches_every_entity() -> None:
    syn = synthetic_graph(3_000, seed=2)
    graph = compile_graph(syn.edges, syn.nodes)
    full = compute_ubo(graph)
    rng = np.random.default_rng(1)
    for i in rng.integers(0, syn.n_companies, 40).tolist():
        entity = graph.id_list[i]
        one = ubo_of(graph, entity)
        assert _rounded(one, entity) == _rounded(full, entity), entity
    assert ubo_of(graph, "nobody").owners("nobody") == []


def _rounded(res: UBOResult, entity: str) -> list[tuple[object, ...]]:
    return [
        (o.owner_id, o.status, o.control, o.basis, *(round(x, 9) for x in o.ownership + o.voting))
        for o in res.owners(entity)
    ]
