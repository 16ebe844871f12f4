"""Compiling the edge table: a clean table, one report per bad record (with its edge id, the
record left out), no exception for any data problem (hypothesis), and the carried columns."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cthub.core.errors import InvalidInput
from cthub.ownership.compute import compile_graph
from cthub.ownership.compute.graph import OWNERSHIP, PERSON, UNKNOWN

COLS = ("owner", "asset", "interest", "share_min", "share_max", "min_inclusive", "max_inclusive")


def edges(*rows: tuple[object, ...], ids: bool = True) -> pa.Table:
    """Rows (owner, asset, interest, share_min, share_max[, min_incl, max_incl[, group]])."""
    full = [(*r, *(True, True, None)[len(r) - 5 :]) if len(r) < 8 else r for r in rows]
    data: dict[str, list[object]] = {c: [r[i] for r in full] for i, c in enumerate(COLS)}
    data["joint_group"] = [r[7] for r in full]
    if ids:
        data["edge_id"] = [f"e{i}" for i in range(len(rows))]
    return pa.table(
        data,
        schema=pa.schema(
            [
                ("owner", pa.string()),
                ("asset", pa.string()),
                ("interest", pa.string()),
                ("share_min", pa.float64()),
                ("share_max", pa.float64()),
                ("min_inclusive", pa.bool_()),
                ("max_inclusive", pa.bool_()),
                ("joint_group", pa.string()),
                *([("edge_id", pa.string())] if ids else []),
            ]
        ),
    )


def codes(table: pa.Table) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in compile_graph(table).problems:
        out.setdefault(p.code, []).append(p.edge_id or str(p.entity_id))
    return out


def test_clean_table_compiles() -> None:
    g = compile_graph(edges(("P", "A", "ownership", 0.6, 0.6), ("A", "B", "voting", 0.5, 0.5)))
    assert g.id_list == ["P", "A", "B"]
    assert g.n_edges == 2
    assert g.problems == ()
    assert g.owner.tolist() == [0, 1]
    assert g.asset.tolist() == [1, 2]
    assert g.interest.tolist() == [OWNERSHIP, 1]
    assert g.details.column("edge_id").to_pylist() == ["e0", "e1"]
    assert g.node("A") == 1
    assert g.node("nobody") == -1


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (("P", "A", "ownership", 1.5, 1.5), "share_above_one"),
        (("P", "A", "ownership", 0.2, 60.0), "share_above_one"),
        (("P", "A", "ownership", -0.1, 0.2), "share_negative"),
        (("P", "A", "ownership", 0.6, 0.3), "share_inverted"),
        (("P", "A", "ownership", 0.5, 0.5, False, True), "share_empty"),
        (("P", "A", "shareholding", 0.5, 0.5), "unknown_interest"),
        (("A", "A", "ownership", 0.1, 0.1), "self_loop"),
        (("", "A", "ownership", 0.1, 0.1), "missing_owner"),
        ((None, "A", "ownership", 0.1, 0.1), "missing_owner"),
        (("P", None, "ownership", 0.1, 0.1), "missing_asset"),
    ],
)
def test_bad_record_is_reported_and_left_out(row: tuple[object, ...], code: str) -> None:
    table = edges(("Q", "A", "ownership", 0.2, 0.2), row)
    g = compile_graph(table)
    found = [p for p in g.problems if p.code == code]
    assert found, g.problems
    assert found[0].edge_id == "e1"
    assert found[0].row == 1
    assert found[0].severity == "error"
    assert g.details.column("edge_id").to_pylist() == ["e0"]


def test_percentage_given_for_a_fraction_gets_a_hint() -> None:
    p = compile_graph(edges(("P", "A", "ownership", 25, 25))).problems[0]
    assert p.code == "share_above_one"
    assert "percentage" in p.message
    assert p.message.startswith("P -> A:")


def test_duplicates_keep_the_first_edge() -> None:
    table = edges(
        ("P", "A", "ownership", 0.3, 0.3),
        ("P", "A", "ownership", 0.3, 0.3),
        ("P", "A", "ownership", 0.4, 0.4),
        ("P", "A", "voting", 0.4, 0.4),
    )
    g = compile_graph(table)
    assert codes(table) == {"duplicate": ["e1"], "conflicting_duplicate": ["e2"]}
    assert g.details.column("edge_id").to_pylist() == ["e0", "e3"]
    assert "e0" in next(p.message for p in g.problems if p.code == "duplicate")


def test_warnings_and_infos_keep_the_record() -> None:
    table = edges(
        ("P", "A", "ownership", 0.7, 0.7),
        ("Q", "A", "ownership", 0.6, 0.6),
        ("R", "B", "ownership", None, None),
        ("S", "B", "ownership", math.nan, 0.3),
        ("T", "C", "control", None, None),
    )
    g = compile_graph(table)
    found = {p.code: p for p in g.problems}
    assert found["over_allocated"].entity_id == "A"
    assert found["over_allocated"].severity == "warning"
    assert found["share_unknown"].edge_id == "e2"
    assert found["share_nan"].edge_id == "e3"
    assert "share_unknown" not in {p.code for p in g.problems if p.edge_id == "e4"}
    assert g.n_edges == 5
    unknown = g.details.column("edge_id").to_pylist().index("e2")
    assert (g.lo[unknown], g.hi[unknown], bool(g.known[unknown])) == (0.0, 1.0, False)


def test_person_as_asset_needs_the_nodes_table() -> None:
    table = edges(("A", "P", "ownership", 0.5, 0.5), ("P", "A", "ownership", 0.5, 0.5))
    nodes = pa.table({"entity_id": ["P", "A"], "kind": ["person", "company"], "name": ["p", "a"]})
    g = compile_graph(table, nodes)
    assert [p.code for p in g.problems] == ["person_as_asset"]
    assert g.kind[g.node("P")] == PERSON
    assert g.name(g.node("A")) == "a"
    assert compile_graph(table).kind.tolist() == [UNKNOWN, UNKNOWN]


def test_cycles_are_reported_once_each() -> None:
    table = edges(
        ("A", "B", "ownership", 1.0, 1.0),
        ("B", "A", "ownership", 1.0, 1.0),
        ("C", "D", "ownership", 0.5, 0.5),
        ("D", "E", "control", None, None),
        ("E", "C", "ownership", 0.1, 0.1),
    )
    cycles = [p for p in compile_graph(table).problems if p.code == "cycle"]
    assert sorted(p.message.split(": ")[1] for p in cycles) == ["A, B", "C, D, E"]


def test_missing_column_raises_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        compile_graph(pa.table({"owner": ["P"], "asset": ["A"]}))


def test_missing_optional_columns_have_defaults() -> None:
    g = compile_graph(pa.table({"owner": ["P"], "asset": ["A"], "interest": ["Ownership"]}))
    assert g.n_edges == 1
    assert (g.lo[0], g.hi[0]) == (0.0, 1.0)
    assert g.details.column("edge_id").to_pylist() == ["row:0"]


def test_as_of_keeps_edges_in_force() -> None:
    table = edges(("P", "A", "ownership", 0.5, 0.5), ("Q", "A", "ownership", 0.5, 0.5))
    table = table.append_column("start_date", pa.array(["2020-01-01", None]))
    table = table.append_column("end_date", pa.array([None, "2021-06-30"]))
    assert compile_graph(table, as_of=date(2022, 1, 1)).details.column("edge_id").to_pylist() == [
        "e0"
    ]
    assert compile_graph(table, as_of=date(2019, 1, 1)).details.column("edge_id").to_pylist() == [
        "e1"
    ]
    assert compile_graph(table).n_edges == 2


def test_out_and_in_edge_orders() -> None:
    g = compile_graph(
        edges(
            ("P", "A", "ownership", 0.5, 0.5),
            ("P", "B", "ownership", 0.5, 0.5),
            ("A", "B", "ownership", 0.5, 0.5),
        )
    )
    order, indptr = g.by_owner
    p = g.node("P")
    assert sorted(order[indptr[p] : indptr[p + 1]].tolist()) == [0, 1]
    order, indptr = g.by_asset
    b = g.node("B")
    assert sorted(order[indptr[b] : indptr[b + 1]].tolist()) == [1, 2]


shares = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from([0.0, 0.25, 0.5, 1.0]),
)
names = st.one_of(st.none(), st.sampled_from(["", "A", "B", "C", "P"]))
rows = st.tuples(
    names,
    names,
    st.one_of(st.none(), st.sampled_from(["ownership", "voting", "control", "other", ""])),
    shares,
    shares,
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.sampled_from(["", "g1", "g2"])),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, max_size=12))
def test_any_table_compiles_and_errors_are_left_out(data: list[tuple[object, ...]]) -> None:
    table = edges(*data)
    g = compile_graph(table)
    bad = {p.row for p in g.problems if p.severity == "error"}
    assert g.n_edges == len(data) - len(bad)
    assert set(g.details.column("row").to_pylist()).isdisjoint(bad)
    assert np.all(g.lo >= 0)
    assert np.all(g.hi <= 1)
    assert np.all(g.lo <= g.hi + 1e-9)
    assert np.all(g.owner != g.asset)
    for p in g.problems:
        assert p.message
        assert p.edge_id is not None or p.entity_id is not None
