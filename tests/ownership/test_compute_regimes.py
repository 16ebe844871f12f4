"""Sanctions ownership rules: OFAC FAQ 401 examples 1-3 and the negative cases, EU vs UK vs
OFAC on the same graphs, joint groups, PSC bands at the threshold, the 100% cycle, seeds,
explanation paths, monotonicity (hypothesis), and the vectorised fixed point against a naive
loop at 10,000 companies."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cthub.ownership.compute import (
    EU,
    OFAC,
    REPORT_COLUMNS,
    UK,
    Regime,
    blocked,
    compile_graph,
    synthetic_graph,
)
from cthub.ownership.compute.graph import CONTROL, OWNERSHIP, VOTING, OwnershipGraph
from cthub.ownership.compute.intervals import meets_definitely, meets_possibly

Row = tuple[object, ...]
RANK = {"not_blocked": 0, "possibly_blocked": 1, "blocked": 2}


def graph(*rows: Row) -> OwnershipGraph:
    """Rows (owner, asset, interest, share_min, share_max[, min_incl, max_incl[, group]])."""
    full = [(*r, *(True, True, None)[len(r) - 5 :]) if len(r) < 8 else r for r in rows]
    cols = ("owner", "asset", "interest", "share_min", "share_max")
    data: dict[str, object] = {c: [r[i] for r in full] for i, c in enumerate(cols)}
    data["share_min"] = pa.array(data["share_min"], pa.float64())
    data["share_max"] = pa.array(data["share_max"], pa.float64())
    data["min_inclusive"] = [r[5] for r in full]
    data["max_inclusive"] = [r[6] for r in full]
    data["joint_group"] = pa.array([r[7] for r in full], pa.string())
    data["edge_id"] = [f"e{i}" for i in range(len(rows))]
    return compile_graph(pa.table(data))


def statuses(g: OwnershipGraph, seeds: list[str], regime: Regime | str) -> dict[str, str]:
    res = blocked(g, seeds, regime)
    return dict(zip(res.table.column("entity_id").to_pylist(),
                    res.table.column("status").to_pylist(), strict=True))  # fmt: skip


def test_faq_401_example_1_holdings_of_a_blocked_entity_count_in_full() -> None:
    g = graph(("X", "A", "ownership", 0.5, 0.5), ("A", "B", "ownership", 0.5, 0.5))
    res = blocked(g, ["X"], OFAC)
    assert res.status("A") == res.status("B") == "blocked"
    assert [(e.owner_id, e.asset_id, e.share_min) for e in res.explain("B")] == [
        ("X", "A", 0.5),
        ("A", "B", 0.5),
    ]
    assert res.path("B") == "X -[ownership 50%]-> A; A -[ownership 50%]-> B"
    row = res.table.filter(pa.compute.equal(res.table.column("entity_id"), "B")).to_pylist()[0]
    assert (row["share_lo"], row["share_hi"], row["reason"], row["round"]) == (
        0.5,
        0.5,
        "ownership",
        2,
    )
    multiplied = Regime("m", "multiplied", 0.5, True, True, frozenset({"ownership"}), False,
                        False, holdings="multiplied")  # fmt: skip
    assert statuses(g, ["X"], multiplied)["B"] == "not_blocked"  # 25% when multiplied


def test_faq_401_example_2_indirect_stakes_add_up() -> None:
    g = graph(
        ("X", "A", "ownership", 0.5, 0.5),
        ("X", "B", "ownership", 0.5, 0.5),
        ("A", "C", "ownership", 0.25, 0.25),
        ("B", "C", "ownership", 0.25, 0.25),
    )
    res = blocked(g, ["X"], OFAC)
    assert res.status("C") == "blocked"
    assert {e.edge_id for e in res.explain("C")} == {"e0", "e1", "e2", "e3"}


def test_faq_401_example_3_direct_and_indirect_add_up() -> None:
    g = graph(
        ("X", "A", "ownership", 0.5, 0.5),
        ("X", "B", "ownership", 0.1, 0.1),
        ("A", "B", "ownership", 0.4, 0.4),
    )
    assert statuses(g, ["X"], OFAC)["B"] == "blocked"  # 0.1 + 0.4 is 50% in floating point too


def test_two_blocked_25_percent_owners_aggregate_under_ofac() -> None:
    g = graph(("X", "A", "ownership", 0.25, 0.25), ("Y", "A", "ownership", 0.25, 0.25))
    assert statuses(g, ["X", "Y"], OFAC)["A"] == "blocked"
    assert statuses(g, ["X", "Y"], EU)["A"] == "not_blocked"  # 50% is not more than 50%
    assert statuses(g, ["X", "Y"], UK)["A"] == "not_blocked"  # and the UK does not add up


def test_negative_cases() -> None:
    # a blocked 25% and a non-blocked 25%: only blocked persons' stakes add up
    g = graph(("X", "A", "ownership", 0.25, 0.25), ("C", "A", "ownership", 0.25, 0.25))
    assert statuses(g, ["X"], OFAC)["A"] == "not_blocked"
    # 25% of an entity that owns 100% of another: the entity is not blocked, so neither is
    # what it owns (nothing passes through a non-blocked entity)
    g = graph(("X", "A", "ownership", 0.25, 0.25), ("A", "B", "ownership", 1.0, 1.0))
    assert statuses(g, ["X"], OFAC) == {"X": "blocked", "A": "not_blocked", "B": "not_blocked"}
    # 25% of two different companies do not add up across companies
    g = graph(("X", "A", "ownership", 0.25, 0.25), ("X", "B", "ownership", 0.25, 0.25))
    assert statuses(g, ["X"], OFAC)["A"] == "not_blocked"
    # 49.99%
    g = graph(("X", "A", "ownership", 0.4999, 0.4999))
    assert statuses(g, ["X"], OFAC)["A"] == "not_blocked"


def test_exactly_50_percent() -> None:
    g = graph(("X", "A", "ownership", 0.5, 0.5))
    assert statuses(g, ["X"], OFAC)["A"] == "blocked"
    assert statuses(g, ["X"], EU)["A"] == "not_blocked"
    assert statuses(g, ["X"], UK)["A"] == "not_blocked"


def test_control_only_edge() -> None:
    g = graph(("X", "A", "control", None, None), ("A", "B", "ownership", 0.6, 0.6))
    assert statuses(g, ["X"], OFAC) == {"X": "blocked", "A": "not_blocked", "B": "not_blocked"}
    assert statuses(g, ["X"], EU) == {"X": "blocked", "A": "blocked", "B": "blocked"}
    assert statuses(g, ["X"], UK) == {"X": "blocked", "A": "blocked", "B": "blocked"}
    assert blocked(g, ["X"], EU).path("A") == "X -[control]-> A"
    minority = graph(("X", "A", "control", 0.3, 0.3))  # appoints 30% of the board
    assert statuses(minority, ["X"], EU)["A"] == "not_blocked"


def test_two_unrelated_owners_30_and_30() -> None:
    g = graph(("X", "A", "ownership", 0.3, 0.3), ("Y", "A", "ownership", 0.3, 0.3))
    assert statuses(g, ["X", "Y"], OFAC)["A"] == "blocked"
    assert statuses(g, ["X", "Y"], EU)["A"] == "blocked"
    assert statuses(g, ["X", "Y"], UK)["A"] == "not_blocked"
    via = graph(  # the same through entities each controls: still two persons in the UK
        ("X", "H1", "ownership", 0.6, 0.6),
        ("Y", "H2", "ownership", 0.6, 0.6),
        ("H1", "A", "ownership", 0.3, 0.3),
        ("H2", "A", "ownership", 0.3, 0.3),
    )
    assert statuses(via, ["X", "Y"], UK)["A"] == "not_blocked"
    assert statuses(via, ["X", "Y"], EU)["A"] == "blocked"


def test_uk_counts_what_one_person_controls_together() -> None:
    g = graph(
        ("X", "H", "ownership", 0.6, 0.6),
        ("H", "A", "ownership", 0.3, 0.3),
        ("X", "A", "ownership", 0.25, 0.25),
    )
    res = blocked(g, ["X"], UK)
    assert res.status("A") == "blocked"
    assert {e.edge_id for e in res.explain("A")} == {"e0", "e1", "e2"}


def test_joint_group_under_the_uk() -> None:
    g = graph(
        ("X", "A", "ownership", 0.3, 0.3, True, True, "family"),
        ("C", "A", "ownership", 0.25, 0.25, True, True, "family"),
    )
    assert statuses(g, ["X"], UK)["A"] == "blocked"  # held under a joint arrangement: 55%
    assert statuses(g, ["X"], EU)["A"] == "not_blocked"
    assert statuses(g, ["X"], OFAC)["A"] == "not_blocked"
    assert {e.edge_id for e in blocked(g, ["X"], UK).explain("A")} == {"e0", "e1"}
    both = graph(
        ("X", "A", "ownership", 0.3, 0.3, True, True, "pact"),
        ("Y", "A", "ownership", 0.3, 0.3, True, True, "pact"),
    )
    res = blocked(both, ["X", "Y"], UK)
    assert res.status("A") == "blocked"
    row = res.table.to_pylist()[res.graph.node("A")]
    assert row["share_lo"] == pytest.approx(0.6)  # counted once, not twice


def test_psc_band_25_to_50_at_the_50_percent_threshold() -> None:
    band = ("X", "A", "ownership", 0.25, 0.5, False, True)  # more than 25%, not more than 50%
    g = graph(band)
    assert statuses(g, ["X"], OFAC)["A"] == "possibly_blocked"
    assert statuses(g, ["X"], EU)["A"] == "not_blocked"
    assert statuses(g, ["X"], UK)["A"] == "not_blocked"
    row = blocked(g, ["X"], OFAC).report().to_pylist()[-1]
    assert (row["entity_id"], row["status"], row["owners_share"]) == (
        "A",
        "possibly_blocked",
        "25%-50%",
    )
    upper = graph(("X", "A", "ownership", 0.5, 0.75, False, True))  # more than 50%
    assert statuses(upper, ["X"], OFAC)["A"] == "blocked"
    assert statuses(upper, ["X"], EU)["A"] == "blocked"
    assert statuses(upper, ["X"], UK)["A"] == "blocked"
    below = graph(("X", "A", "ownership", 0.25, 0.5, False, False))  # under 50%
    assert statuses(below, ["X"], OFAC)["A"] == "not_blocked"


def test_possibly_blocked_passes_possibly_down() -> None:
    g = graph(("X", "A", "ownership", 0.25, 0.5, False, True), ("A", "B", "ownership", 1.0, 1.0))
    assert statuses(g, ["X"], OFAC) == {
        "X": "blocked",
        "A": "possibly_blocked",
        "B": "possibly_blocked",
    }


def test_hundred_percent_cycle() -> None:
    closed = graph(("A", "B", "ownership", 1.0, 1.0), ("B", "A", "ownership", 1.0, 1.0))
    assert statuses(closed, [], OFAC) == {"A": "not_blocked", "B": "not_blocked"}
    assert statuses(closed, ["A"], OFAC) == {"A": "blocked", "B": "blocked"}
    assert statuses(closed, ["A"], EU) == {"A": "blocked", "B": "blocked"}
    fed = graph(
        ("X", "A", "ownership", 0.5, 0.5),
        ("B", "A", "ownership", 0.5, 0.5),
        ("A", "B", "ownership", 1.0, 1.0),
    )
    assert statuses(fed, ["X"], OFAC) == {"X": "blocked", "A": "blocked", "B": "blocked"}
    assert statuses(fed, ["X"], EU)["A"] == "not_blocked"  # 50% from X; B is not blocked first


def test_shares_and_votes_are_not_added() -> None:
    g = graph(("X", "A", "ownership", 0.3, 0.3), ("X", "A", "voting", 0.3, 0.3))
    assert statuses(g, ["X"], EU)["A"] == "not_blocked"
    votes = graph(("X", "A", "ownership", 0.1, 0.1), ("X", "A", "voting", 0.6, 0.6))
    assert statuses(votes, ["X"], EU)["A"] == "blocked"
    assert statuses(votes, ["X"], UK)["A"] == "blocked"
    assert statuses(votes, ["X"], OFAC)["A"] == "not_blocked"
    assert blocked(votes, ["X"], EU).report().to_pylist()[-1]["owners_share"] == "voting 60%"


def test_seed_table_filters_and_unknown_seeds() -> None:
    g = graph(("X", "A", "ownership", 0.6, 0.6), ("Y", "B", "ownership", 0.6, 0.6))
    seeds = pa.table(
        {
            "entity_id": ["X", "Y", "Z"],
            "listed": [True, False, True],
            "list": ["sdn", "sdn", "sdn"],
            "list_ref": ["1", "2", "3"],
        }
    )
    res = blocked(g, seeds, "ofac")
    assert res.status("A") == "blocked"
    assert res.status("B") == "not_blocked"
    assert res.status("Z") == "blocked"
    assert [p.code for p in res.problems] == ["seed_not_in_graph"]
    rows = {r["entity_id"]: r for r in res.table.to_pylist()}
    assert (rows["X"]["list"], rows["X"]["list_ref"], rows["X"]["reason"]) == ("sdn", "1", "listed")
    assert rows["Z"]["reason"] == "listed"
    assert blocked(g, seeds, "ofac", lists=["eu-fsf"]).status("A") == "not_blocked"


def test_report_columns_and_paths() -> None:
    g = graph(("X", "A", "ownership", 0.5, 0.5), ("A", "B", "ownership", 0.5, 0.5))
    rep = blocked(g, ["X"], "ofac").report()
    assert tuple(rep.column_names) == REPORT_COLUMNS
    rows = {r["entity_id"]: r for r in rep.to_pylist()}
    assert rows["X"]["owners_share"] == "listed"
    assert rows["X"]["path"] == ""
    assert rows["B"]["owners_share"] == "50%"
    assert rows["B"]["path"] == "X -[ownership 50%]-> A; A -[ownership 50%]-> B"
    assert blocked(g, ["X"], "ofac").report(include_possible=False).num_rows == 3


def test_regime_rejects_impossible_policies() -> None:
    with pytest.raises(ValueError, match="interests"):
        Regime("x", "x", 0.5, True, True, frozenset({"control"}), False, False)
    with pytest.raises(ValueError, match="multiplied"):
        Regime("x", "x", 0.5, True, False, frozenset({"ownership"}), False, False, "multiplied")


edge = st.tuples(
    st.integers(0, 7),
    st.integers(0, 7),
    st.sampled_from(["ownership", "ownership", "voting", "control"]),
    st.sampled_from([0.1, 0.25, 0.3, 0.5, 0.6, 1.0]),
    st.booleans(),
    st.one_of(st.none(), st.just("g")),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(edge, max_size=18), st.sets(st.integers(0, 7)), st.sets(st.integers(0, 7)))
def test_adding_a_seed_never_unblocks(
    raw: list[tuple[int, int, str, float, bool, str | None]], few: set[int], more: set[int]
) -> None:
    rows = [
        (f"N{a}", f"N{b}", kind, s / 2 if band else s, s, not band, True, grp)
        for a, b, kind, s, band, grp in raw
    ]
    g = graph(*rows)
    small = [f"N{i}" for i in few]
    large = [f"N{i}" for i in few | more]
    for regime in (OFAC, EU, UK):
        before, after = statuses(g, small, regime), statuses(g, large, regime)
        for entity, status in before.items():
            assert RANK[after[entity]] >= RANK[status], (regime.name, entity)


def naive(g: OwnershipGraph, seeds: set[int], regime: Regime, upper: bool) -> set[int]:
    """The aggregate rule by a plain loop: recompute every sum until nothing changes."""
    measures = [m for m in (OWNERSHIP, VOTING) if ("ownership", "voting")[m] in regime.interests]
    val = g.hi if upper else g.lo
    closed = g.hi_closed if upper else g.lo_closed
    test = meets_possibly if upper else meets_definitely
    ctl = (g.interest == CONTROL) & (
        ~g.known | test(val, closed, 0.5, False)  # type: ignore[operator]
    )
    found = set(seeds)
    while True:
        sums: dict[tuple[int, int], float] = defaultdict(float)
        shut: dict[tuple[int, int], bool] = defaultdict(lambda: True)
        new = set()
        for k in range(g.n_edges):
            o, a, i = int(g.owner[k]), int(g.asset[k]), int(g.interest[k])
            if o not in found or a in found:
                continue
            if i in measures:
                sums[(a, i)] += float(val[k])
                shut[(a, i)] &= bool(closed[k])
            elif i == CONTROL and regime.control and ctl[k]:
                new.add(a)
        for (a, _), v in sums.items():
            ok = test(np.array([v]), np.array([shut[(a, _)]]), regime.threshold, regime.inclusive)
            if ok[0]:
                new.add(a)
        if not new:
            return found
        found |= new


def test_vectorised_matches_naive_at_ten_thousand_companies() -> None:
    syn = synthetic_graph(10_000, seed=5, seed_rate=0.05)
    g = compile_graph(syn.edges, syn.nodes)
    seeds = {g.node(s) for s in syn.seeds.column("entity_id").to_pylist()}
    for regime in (OFAC, EU):
        res = blocked(g, syn.seeds, regime)
        status = res.table.column("status").to_pylist()[: g.n_nodes]
        lower, upper = naive(g, seeds, regime, False), naive(g, seeds, regime, True)
        assert {i for i, s in enumerate(status) if s == "blocked"} == lower
        assert {i for i, s in enumerate(status) if s != "not_blocked"} == upper
        assert len(lower) > len(seeds)
